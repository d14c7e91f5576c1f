/* survstat run: a whole analysis from an INI spec file (parsed by inih),
 * for one wave after another.  Each section becomes the command line of a
 * survstat command, run in this process; the wave's outputs are written to
 * a temporary directory that replaces DIR/WAVE only when every step
 * succeeded, then the trend tables over all waves in DIR are refreshed. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include "ss_cli.h"
#include "ss_commands.h"
#include "ss_writer.h"

const char cmd_run_usage[] =
    "usage: survstat run SPEC [--data FILE] [--wave LABEL] [--out DIR]\n"
    "\n"
    "Runs the analysis an INI file describes (the format is in README.md):\n"
    "  [run]            data = FILE, wave = LABEL, out = DIR (default out)\n"
    "  [input]          na, delimiter, encoding\n"
    "  [design]         weights, strata, ids, fpc, nest, lonely-psu\n"
    "  [weighting]      poststrat, rake, calibrate, calfun, bounds, rake-cap,\n"
    "                   trim-weights, max-iter, epsilon\n"
    "  [estimate NAME]  the options of 'survstat estimate' (mean = a,b ...)\n"
    "  [drivers NAME]   outcome, items, performance, scale, level\n"
    "  [rates NAME]     data, disposition, weights, by, e\n"
    "  [chart NAME]     input = a section name, type, title, variable, level,\n"
    "                   scale, width, height (survstat plot)\n"
    "  [trend NAME]     input = an estimate section: its change over all waves,\n"
    "                   level; chart = yes|no (default yes), statistic, variable\n"
    "                   (which rows the trend chart draws)\n"
    "Outputs go to DIR/WAVE/NAME.csv (charts NAME.png); a trend table to\n"
    "DIR/NAME.csv and its chart (survstat plot --type trend over every wave) to\n"
    "DIR/NAME.png; their names are printed.  Trends take the waves in the order\n"
    "they were first run (DIR/.waves lists them).  --data, --wave and --out\n"
    "override [run] to rerun the same analysis on a new wave.  A run that fails\n"
    "leaves DIR as it was.  The data file is read once for all the estimate\n"
    "and drivers sections of a wave.\n"
    "\n"
    "example:\n"
    "  survstat run tests/data/api.ini --out /tmp/survstat-run-example\n";

#define MAX_SECTIONS 128
#define MAX_KEYS 64

typedef struct key {
    char *name, *value;
    long line;
} key;

typedef struct section {
    char *type, *name; /* "estimate", "overall" */
    long line;
    key keys[MAX_KEYS];
    size_t nkeys;
} section;

typedef struct spec {
    const char *file;
    FILE *fp;
    long line;         /* the line inih is on */
    long header_line;  /* the line of the last [section] header */
    section sec[MAX_SECTIONS];
    size_t nsec;
    int failed;
    char message[512];
    long fail_line;
} spec;

static char *reader(char *str, int num, void *stream)
{
    spec *s = stream;
    char *r = fgets(str, num, s->fp);
    int more = r && !strchr(r, '\n') && !feof(s->fp) ? getc(s->fp) : EOF;
    if (more != EOF && more != '\n') {
        /* inih would read the rest as a line of its own */
        if (!s->failed) {
            snprintf(s->message, sizeof s->message, "line longer than %d bytes", num - 1);
            s->fail_line = s->line + 1;
            s->failed = 1;
        }
        return NULL;
    }
    if (r) {
        s->line++;
        const char *p = r;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '[')
            s->header_line = s->line;
    }
    return r;
}

static int handler(void *user, const char *sec, const char *name, const char *value)
{
    spec *s = user;
    if (s->failed)
        return 0;
    char type[64] = "", nm[256] = "";
    if (sscanf(sec, "%63s %255s", type, nm) < 1) {
        snprintf(s->message, sizeof s->message, "empty section name");
        s->fail_line = s->line;
        s->failed = 1;
        return 0;
    }
    section *x = s->nsec ? &s->sec[s->nsec - 1] : NULL;
    if (!x || strcmp(x->type, type) != 0 || strcmp(x->name, nm) != 0) {
        if (s->nsec == MAX_SECTIONS) {
            snprintf(s->message, sizeof s->message, "more than %d sections", MAX_SECTIONS);
            s->fail_line = s->line;
            s->failed = 1;
            return 0;
        }
        x = &s->sec[s->nsec++];
        x->type = strdup(type);
        x->name = strdup(nm);
        x->line = s->header_line;
        x->nkeys = 0;
    }
    if (x->nkeys == MAX_KEYS) {
        snprintf(s->message, sizeof s->message, "more than %d keys in [%s]", MAX_KEYS, sec);
        s->fail_line = s->line;
        s->failed = 1;
        return 0;
    }
    key *k = &x->keys[x->nkeys++];
    k->name = strdup(name);
    k->value = strdup(value);
    k->line = s->line;
    return 1;
}

static void spec_free(spec *s)
{
    for (size_t i = 0; i < s->nsec; i++) {
        free(s->sec[i].type);
        free(s->sec[i].name);
        for (size_t k = 0; k < s->sec[i].nkeys; k++) {
            free(s->sec[i].keys[k].name);
            free(s->sec[i].keys[k].value);
        }
    }
}

/* The keys each section type takes; a trailing '?' marks a yes/no flag. */
static const char *const input_keys[] = {"na", "delimiter", "encoding", NULL};
static const char *const design_keys[] = {"weights", "strata", "ids", "fpc", "nest?",
                                          "lonely-psu", NULL};
static const char *const weighting_keys[] = {"poststrat", "rake", "calibrate", "calfun",
                                             "bounds", "rake-cap", "trim-weights", "max-iter",
                                             "epsilon", NULL};
static const char *const estimate_keys[] = {
    "mean", "total", "prop", "ratio", "quantile", "probs", "qrule", "t2b", "b2b", "net",
    "index", "scale", "by", "level", "df", "domain-df?", "deff?", "ci-method", "flags",
    "compare?", NULL};
static const char *const drivers_keys[] = {"outcome", "items", "performance", "scale", "level",
                                           NULL};
static const char *const rates_keys[] = {"data", "disposition", "weights", "by", "e", NULL};
static const char *const chart_keys[] = {"input", "type", "title", "statistic", "variable",
                                         "level", "scale", "flags", "width", "height", NULL};
static const char *const trend_keys[] = {"input", "level", "chart?", "statistic", "variable",
                                         NULL};
static const char *const run_keys[] = {"data", "wave", "out", NULL};

static const char *const *keys_of(const char *type)
{
    static const struct {
        const char *type;
        const char *const *keys;
    } t[] = {{"run", run_keys},           {"input", input_keys},
             {"design", design_keys},     {"weighting", weighting_keys},
             {"estimate", estimate_keys}, {"drivers", drivers_keys},
             {"rates", rates_keys},       {"chart", chart_keys},
             {"trend", trend_keys}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcmp(type, t[i].type) == 0)
            return t[i].keys;
    return NULL;
}

/* Is name a key of the list; *flag set for a yes/no key. */
static int allowed(const char *const *keys, const char *name, int *flag)
{
    for (size_t i = 0; keys[i]; i++) {
        size_t n = strlen(keys[i]);
        int f = keys[i][n - 1] == '?';
        if (strncmp(keys[i], name, n - (size_t)f) == 0 && name[n - (size_t)f] == '\0') {
            *flag = f;
            return 1;
        }
    }
    return 0;
}

static int yes_no(const char *v, int *out)
{
    if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1")) {
        *out = 1;
        return 0;
    }
    if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0")) {
        *out = 0;
        return 0;
    }
    return -1;
}

/* Check every section and key; 0 or -1 with the message printed. */
static int validate(const spec *s)
{
    for (size_t i = 0; i < s->nsec; i++) {
        const section *x = &s->sec[i];
        const char *const *keys = keys_of(x->type);
        int named = strcmp(x->type, "estimate") == 0 || strcmp(x->type, "drivers") == 0 ||
                    strcmp(x->type, "rates") == 0 || strcmp(x->type, "chart") == 0 ||
                    strcmp(x->type, "trend") == 0;
        if (!keys) {
            fprintf(stderr, "survstat run: %s:%ld: unknown section [%s]\n", s->file, x->line,
                    x->type);
            return -1;
        }
        if (named != (x->name[0] != '\0')) {
            fprintf(stderr, "survstat run: %s:%ld: section [%s%s%s] %s\n", s->file, x->line,
                    x->type, x->name[0] ? " " : "", x->name,
                    named ? "needs a name, as [estimate overall]" : "takes no name");
            return -1;
        }
        for (size_t j = 0; j < i; j++)
            if (named && !strcmp(s->sec[j].name, x->name)) {
                fprintf(stderr, "survstat run: %s:%ld: the name '%s' is taken (line %ld)\n",
                        s->file, x->line, x->name, s->sec[j].line);
                return -1;
            }
        for (size_t k = 0; k < x->nkeys; k++) {
            int flag, v;
            if (!allowed(keys, x->keys[k].name, &flag)) {
                fprintf(stderr, "survstat run: %s:%ld: unknown key '%s' in [%s]\n", s->file,
                        x->keys[k].line, x->keys[k].name, x->type);
                return -1;
            }
            if (flag && yes_no(x->keys[k].value, &v) != 0) {
                fprintf(stderr, "survstat run: %s:%ld: key '%s': expected yes or no, got '%s'\n",
                        s->file, x->keys[k].line, x->keys[k].name, x->keys[k].value);
                return -1;
            }
        }
    }
    return 0;
}

static const section *find_section(const spec *s, const char *type, const char *name)
{
    for (size_t i = 0; i < s->nsec; i++)
        if (!strcmp(s->sec[i].type, type) && (!name || !strcmp(s->sec[i].name, name)))
            return &s->sec[i];
    return NULL;
}

static const char *get(const section *x, const char *name)
{
    for (size_t k = 0; x && k < x->nkeys; k++)
        if (!strcmp(x->keys[k].name, name))
            return x->keys[k].value;
    return NULL;
}

/* An argument vector that owns its strings. */
typedef struct args {
    char *v[512];
    int n;
} args;

static void push(args *a, const char *s)
{
    if (a->n < 510)
        a->v[a->n++] = strdup(s);
    a->v[a->n] = NULL;
}

static void push_opt(args *a, const char *name, const char *value)
{
    char opt[128];
    snprintf(opt, sizeof opt, "--%s", name);
    push(a, opt);
    if (value)
        push(a, value);
}

/* The keys of a section as options. */
static void push_section(args *a, const section *x, const char *const *keys)
{
    for (size_t k = 0; x && k < x->nkeys; k++) {
        int flag, v = 1;
        allowed(keys, x->keys[k].name, &flag);
        if (flag) {
            yes_no(x->keys[k].value, &v);
            if (v)
                push_opt(a, x->keys[k].name, NULL);
        } else {
            push_opt(a, x->keys[k].name, x->keys[k].value);
        }
    }
}

static void args_free(args *a)
{
    for (int i = 0; i < a->n; i++)
        free(a->v[i]);
    a->n = 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
    (void)st;
    (void)flag;
    (void)f;
    return remove(path);
}

static void remove_tree(const char *path)
{
    nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int run_command(args *a)
{
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } cmds[] = {{"estimate", cmd_estimate}, {"drivers", cmd_drivers}, {"rates", cmd_rates},
                {"trend", cmd_trend},       {"plot", cmd_plot}};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (!strcmp(a->v[0], cmds[i].name))
            return cmds[i].fn(a->n, a->v);
    return 2;
}

/* The arguments of an estimate or drivers section, less -o. */
static void push_analysis(args *a, const spec *s, const section *x, const char *data,
                          const char *wave)
{
    push(a, x->type);
    push(a, data);
    push_section(a, find_section(s, "input", NULL), input_keys);
    push_section(a, find_section(s, "design", NULL), design_keys);
    push_section(a, find_section(s, "weighting", NULL), weighting_keys);
    push_section(a, x, keys_of(x->type));
    push_opt(a, "wave", wave);
}

static int is_analysis(const section *x)
{
    return !strcmp(x->type, "estimate") || !strcmp(x->type, "drivers");
}

/* Before a wave with several estimate or drivers sections: run them once
 * to learn the columns they read (ss_cli_share_collect), stderr silenced,
 * so that the data file is read once for all of them. */
static void collect_columns(const spec *s, const char *data, const char *wave)
{
    size_t n = 0;
    for (size_t i = 0; i < s->nsec; i++)
        n += is_analysis(&s->sec[i]);
    if (n < 2)
        return;
    fflush(stderr);
    int saved = dup(STDERR_FILENO), null = open("/dev/null", O_WRONLY);
    if (saved < 0 || null < 0 || dup2(null, STDERR_FILENO) < 0) {
        if (saved >= 0)
            close(saved);
        if (null >= 0)
            close(null);
        return;
    }
    ss_cli_share_collect(1);
    for (size_t i = 0; i < s->nsec; i++) {
        if (!is_analysis(&s->sec[i]))
            continue;
        args a = {0};
        push_analysis(&a, s, &s->sec[i], data, wave);
        push(&a, "-o");
        push(&a, "/dev/null");
        (void)run_command(&a);
        args_free(&a);
    }
    ss_cli_share_collect(0);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    close(null);
}

/* Every section of the wave into tmp. */
static int run_sections(const spec *s, const char *data, const char *wave, const char *tmp)
{
    for (size_t i = 0; i < s->nsec; i++) {
        const section *x = &s->sec[i];
        args a = {0};
        char out[4096];
        if (snprintf(out, sizeof out, "%s/%s.%s", tmp, x->name,
                     strcmp(x->type, "chart") == 0 ? "png" : "csv") >= (int)sizeof out) {
            fprintf(stderr, "survstat run: %s:%ld: path too long\n", s->file, x->line);
            return 1;
        }
        if (is_analysis(x)) {
            push_analysis(&a, s, x, data, wave);
        } else if (!strcmp(x->type, "rates")) {
            push(&a, "rates");
            push(&a, get(x, "data") ? get(x, "data") : data);
            for (size_t k = 0; k < x->nkeys; k++)
                if (strcmp(x->keys[k].name, "data") != 0)
                    push_opt(&a, x->keys[k].name, x->keys[k].value);
        } else if (!strcmp(x->type, "chart")) {
            const char *input = get(x, "input");
            if (!input || !find_section(s, "estimate", input)) {
                if (!input || !find_section(s, "drivers", input)) {
                    fprintf(stderr, "survstat run: %s:%ld: [chart %s]: input must name an "
                                    "estimate or drivers section\n",
                            s->file, x->line, x->name);
                    return 1;
                }
            }
            char in_file[4096];
            if (snprintf(in_file, sizeof in_file, "%s/%s.csv", tmp, input) >=
                (int)sizeof in_file) {
                fprintf(stderr, "survstat run: %s:%ld: path too long\n", s->file, x->line);
                return 1;
            }
            push(&a, "plot");
            push(&a, in_file);
            for (size_t k = 0; k < x->nkeys; k++)
                if (strcmp(x->keys[k].name, "input") != 0)
                    push_opt(&a, x->keys[k].name, x->keys[k].value);
        } else {
            continue;
        }
        if (!strcmp(x->type, "rates"))
            push_opt(&a, "wave", wave);
        push(&a, "-o");
        push(&a, out);
        int rc = run_command(&a);
        args_free(&a);
        if (rc != 0) {
            fprintf(stderr, "survstat run: %s:%ld: [%s %s] failed; the earlier outputs are as "
                            "they were\n",
                    s->file, x->line, x->type, x->name);
            return rc;
        }
    }
    return 0;
}

/* Run the wave: every section into tmp, the data read once. */
static int run_wave(const spec *s, const char *data, const char *wave, const char *tmp)
{
    ss_cli_share_begin();
    collect_columns(s, data, wave);
    int rc = run_sections(s, data, wave, tmp);
    ss_cli_share_end();
    return rc;
}

/* ---- the order of the waves ----
 *
 * trend compares waves in the order it is given them, and a run's waves
 * come in the order they were first run: DIR/.waves lists their labels,
 * one a line, a wave appended when it is first written.  Wave directories
 * it does not list (written before it existed) come first, oldest (by the
 * modification time of the section's file) first, then by name. */
static void record_wave(const char *outdir, const char *wave)
{
    char path[4096], line[4096];
    snprintf(path, sizeof path, "%s/.waves", outdir);
    FILE *fp = fopen(path, "r");
    while (fp && fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\n")] = '\0';
        if (strcmp(line, wave) == 0) {
            fclose(fp);
            return;
        }
    }
    if (fp)
        fclose(fp);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0666);
    if (fd < 0)
        return; /* the order then falls back to the files' times */
    snprintf(line, sizeof line, "%s\n", wave);
    ssize_t w = write(fd, line, strlen(line));
    (void)w;
    close(fd);
}

typedef struct wave_dir {
    char *name;
    long rank;   /* the line of .waves, or -1 when not listed */
    struct timespec mtime;
} wave_dir;

static int cmp_wave_dir(const void *a, const void *b)
{
    const wave_dir *x = a, *y = b;
    if (x->rank != y->rank)
        return (x->rank > y->rank) - (x->rank < y->rank);
    if (x->mtime.tv_sec != y->mtime.tv_sec)
        return (x->mtime.tv_sec > y->mtime.tv_sec) - (x->mtime.tv_sec < y->mtime.tv_sec);
    if (x->mtime.tv_nsec != y->mtime.tv_nsec)
        return (x->mtime.tv_nsec > y->mtime.tv_nsec) - (x->mtime.tv_nsec < y->mtime.tv_nsec);
    return strcmp(x->name, y->name);
}

/* The wave directories of outdir holding input.csv, in the run's order;
 * *n of them (the caller frees each name and the array). */
static wave_dir *wave_dirs(const char *outdir, const char *input, size_t *n)
{
    char path[4096], line[4096];
    char **listed = NULL;
    size_t nlisted = 0;
    snprintf(path, sizeof path, "%s/.waves", outdir);
    FILE *fp = fopen(path, "r");
    while (fp && fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\n")] = '\0';
        char **p = realloc(listed, (nlisted + 1) * sizeof *p);
        if (!p || !(p[nlisted] = strdup(line))) {
            listed = p ? p : listed;
            break;
        }
        listed = p;
        nlisted++;
    }
    if (fp)
        fclose(fp);
    wave_dir *v = NULL;
    *n = 0;
    DIR *dir = opendir(outdir);
    struct dirent *e;
    while (dir && (e = readdir(dir))) {
        if (e->d_name[0] == '.')
            continue;
        char f[4096];
        struct stat st;
        snprintf(f, sizeof f, "%s/%s/%s.csv", outdir, e->d_name, input);
        if (stat(f, &st) != 0)
            continue;
        wave_dir *p = realloc(v, (*n + 1) * sizeof *p);
        if (!p || !(p[*n].name = strdup(e->d_name))) {
            v = p ? p : v;
            break;
        }
        v = p;
        p[*n].rank = -1;
        for (size_t k = 0; k < nlisted && p[*n].rank < 0; k++)
            if (strcmp(listed[k], e->d_name) == 0)
                p[*n].rank = (long)k;
        p[*n].mtime = st.st_mtim;
        (*n)++;
    }
    if (dir)
        closedir(dir);
    for (size_t k = 0; k < nlisted; k++)
        free(listed[k]);
    free(listed);
    if (*n)
        qsort(v, *n, sizeof *v, cmp_wave_dir);
    return v;
}

/* The trend sections over every wave directory of out. */
static int run_trends(const spec *s, const char *outdir)
{
    for (size_t i = 0; i < s->nsec; i++) {
        const section *x = &s->sec[i];
        if (strcmp(x->type, "trend") != 0)
            continue;
        const char *input = get(x, "input");
        if (!input || !find_section(s, "estimate", input)) {
            fprintf(stderr, "survstat run: %s:%ld: [trend %s]: input must name an estimate "
                            "section\n",
                    s->file, x->line, x->name);
            return 1;
        }
        args a = {0};
        push(&a, "trend");
        size_t nfiles = 0;
        wave_dir *dirs = wave_dirs(outdir, input, &nfiles);
        for (size_t k = 0; k < nfiles; k++) {
            char f[4096];
            snprintf(f, sizeof f, "%s/%s/%s.csv", outdir, dirs[k].name, input);
            push(&a, f);
            free(dirs[k].name);
        }
        free(dirs);
        if (nfiles < 2) {
            args_free(&a);
            continue; /* one wave: nothing to compare yet */
        }
        /* The same files drawn: the trend chart over every wave. */
        args c = {0};
        push(&c, "plot");
        for (int k = 1; k < a.n; k++)
            push(&c, a.v[k]);
        push_opt(&c, "type", "trend");
        for (size_t k = 0; k < x->nkeys; k++)
            if (!strcmp(x->keys[k].name, "statistic") || !strcmp(x->keys[k].name, "variable"))
                push_opt(&c, x->keys[k].name, x->keys[k].value);
        int chart = 1;
        if (get(x, "chart"))
            yes_no(get(x, "chart"), &chart);
        if (get(x, "level"))
            push_opt(&a, "level", get(x, "level"));
        char out[4096], png[4096];
        snprintf(out, sizeof out, "%s/%s.csv", outdir, x->name);
        snprintf(png, sizeof png, "%s/%s.png", outdir, x->name);
        push(&a, "-o");
        push(&a, out);
        push(&c, "-o");
        push(&c, png);
        int rc = run_command(&a);
        if (rc == 0 && chart)
            rc = run_command(&c);
        args_free(&a);
        args_free(&c);
        if (rc != 0) {
            fprintf(stderr, "survstat run: %s:%ld: [trend %s] failed\n", s->file, x->line,
                    x->name);
            return rc;
        }
        printf("%s\n", out);
        if (chart)
            printf("%s\n", png);
    }
    return 0;
}

int cmd_run(int argc, char **argv)
{
    const char *data = NULL, *wave = NULL, *out = NULL, *file = NULL;
    for (int i = 1; i < argc; i++) {
        const char **dst = !strcmp(argv[i], "--data") ? &data
                           : !strcmp(argv[i], "--wave") ? &wave
                           : !strcmp(argv[i], "--out") ? &out : NULL;
        if (dst) {
            if (i + 1 == argc) {
                fprintf(stderr, "survstat run: option '%s' needs a value\n", argv[i]);
                return 2;
            }
            *dst = argv[++i];
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(cmd_run_usage, stdout);
            return 0;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "survstat run: option '%s' is unknown\ntry 'survstat run --help'\n",
                    argv[i]);
            return 2;
        } else if (file) {
            fprintf(stderr, "survstat run: one SPEC expected, got '%s' too\n", argv[i]);
            return 2;
        } else {
            file = argv[i];
        }
    }
    if (!file) {
        fprintf(stderr, "survstat run: no SPEC (try 'survstat run --help')\n");
        return 2;
    }
    static spec s;
    memset(&s, 0, sizeof s);
    s.file = file;
    s.fp = fopen(file, "r");
    if (!s.fp) {
        fprintf(stderr, "survstat run: %s: cannot open: %s\n", file, strerror(errno));
        return 1;
    }
    int perr = ini_parse_stream(reader, &s, handler, &s);
    fclose(s.fp);
    int rc = 0;
    if (s.failed) {
        fprintf(stderr, "survstat run: %s:%ld: %s\n", file, s.fail_line, s.message);
        rc = 1;
    } else if (perr != 0) {
        fprintf(stderr, "survstat run: %s:%d: not an INI line (expected [section] or key = "
                        "value)\n",
                file, perr);
        rc = 1;
    } else if (validate(&s) != 0) {
        rc = 1;
    }
    const section *r = find_section(&s, "run", NULL);
    if (rc == 0) {
        data = data ? data : get(r, "data");
        wave = wave ? wave : get(r, "wave");
        out = out ? out : get(r, "out") ? get(r, "out") : "out";
        if (!data || !wave) {
            fprintf(stderr, "survstat run: %s: give the data and the wave ([run] data = FILE, "
                            "wave = LABEL, or --data, --wave)\n",
                    file);
            rc = 2;
        } else if (!wave[0] || strchr(wave, '/') || wave[0] == '.') {
            fprintf(stderr, "survstat run: wave '%s' cannot name a directory\n", wave);
            rc = 2;
        }
    }
    char tmp[4096], final[4096], old[4096];
    if (rc == 0) {
        snprintf(tmp, sizeof tmp, "%s/.%s.tmp.%ld", out, wave, (long)getpid());
        snprintf(final, sizeof final, "%s/%s", out, wave);
        snprintf(old, sizeof old, "%s/.%s.old.%ld", out, wave, (long)getpid());
        if ((mkdir(out, 0777) != 0 && errno != EEXIST) || mkdir(tmp, 0777) != 0) {
            fprintf(stderr, "survstat run: %s: cannot create: %s\n", out, strerror(errno));
            rc = 1;
        } else if (ss_output_protect_dir(tmp) != 0) { /* a signal removes it */
            fprintf(stderr, "survstat run: %s: too many pending outputs\n", tmp);
            remove_tree(tmp);
            rc = 1;
        }
    }
    if (rc == 0) {
        rc = run_wave(&s, data, wave, tmp);
        if (rc != 0) {
            remove_tree(tmp);
            ss_output_release_dir(tmp);
        } else {
            struct stat st;
            int had = stat(final, &st) == 0;
            if ((had && rename(final, old) != 0) || rename(tmp, final) != 0) {
                fprintf(stderr, "survstat run: %s: cannot replace: %s\n", final, strerror(errno));
                if (had)
                    rename(old, final);
                remove_tree(tmp);
                rc = 1;
            } else if (had) {
                remove_tree(old);
            }
            if (rc == 0)
                record_wave(out, wave);
            ss_output_release_dir(tmp);
            for (size_t i = 0; rc == 0 && i < s.nsec; i++)
                if (strcmp(s.sec[i].type, "estimate") == 0 || strcmp(s.sec[i].type, "drivers") == 0 ||
                    strcmp(s.sec[i].type, "rates") == 0 || strcmp(s.sec[i].type, "chart") == 0)
                    printf("%s/%s.%s\n", final, s.sec[i].name,
                           strcmp(s.sec[i].type, "chart") == 0 ? "png" : "csv");
        }
    }
    if (rc == 0)
        rc = run_trends(&s, out);
    spec_free(&s);
    return rc;
}
