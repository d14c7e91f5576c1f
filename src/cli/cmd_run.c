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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <dirent.h>

#include "ss_cli.h"
#include "ss_commands.h"
#include "ss_dl.h"
#include "ss_pack.h"
#include "ss_writer.h"

const char cmd_run_usage[] =
    "usage: survstat run SPEC [--data FILE] [--wave LABEL] [--out DIR] [--quiet]\n"
    "\n"
    "Runs the analysis an INI file describes (docs/spec.md describes it):\n"
    "  [run]            data = FILE, wave = LABEL, out = DIR (default out),\n"
    "                   percent = yes|no (the report's proportions; default yes)\n"
    "  [input]          na, delimiter, encoding, labels (a --labels file), codes\n"
    "  [design]         weights, strata, ids, fpc, nest, lonely-psu\n"
    "  [weighting]      poststrat, rake, calibrate, calfun, bounds, rake-cap,\n"
    "                   trim-weights, max-iter, epsilon\n"
    "  [estimate NAME]  the options of 'survstat estimate' (mean = a,b ...)\n"
    "  [drivers NAME]   outcome, items, performance, scale, level\n"
    "  [table NAME]     rows, cols, percent, count, by, flags, suppress, mark,\n"
    "                   level, df, ci-method (survstat table; tidy rows)\n"
    "  [model NAME]     formula, family, ref, eform, test, level, max-iter\n"
    "                   (survstat model; several tests or refs: test = a; b:c)\n"
    "  [rates NAME]     data, disposition, weights, by, e\n"
    "  [chart NAME]     input = a section name, type, title, variable, level,\n"
    "                   scale, width, height, order, suppress (survstat plot)\n"
    "  [trend NAME]     input = an estimate section: its change over all waves,\n"
    "                   level; chart = yes|no (default yes), statistic, variable\n"
    "                   (which rows the trend chart draws), highlight\n"
    "  [plan NAME]      the options of 'survstat plan'; deff-from and rates-from\n"
    "                   may name an earlier estimate or rates section\n"
    "  [sample NAME]    frame, and the options of 'survstat sample'; alloc may\n"
    "                   name an earlier plan section\n"
    "A NAME is a plain file name (letters, digits, '_', '-', '.', not first);\n"
    "every section has keys and appears once.  Outputs go to DIR/WAVE/NAME.csv\n"
    "(charts NAME.png and NAME.svg), with DIR/WAVE/report.html (one page:\n"
    "Methods, every table, the charts) and report.xlsx (a sheet per section);\n"
    "a trend table to DIR/NAME.csv and its chart (survstat plot --type trend\n"
    "over every wave) to DIR/NAME.png; their names are printed.  Trends take\n"
    "the waves in the order they were first run (DIR/.waves lists them).\n"
    "--data, --wave and --out override [run] to rerun the same analysis on a\n"
    "new wave.  A run that fails leaves DIR as it was.  DIR/WAVE is replaced\n"
    "only when it is a directory a run wrote (.csv, .png, .svg files and the\n"
    "report); one run at a time writes into a DIR (a lock, DIR/.lock, while it\n"
    "runs), so every trend sees every wave.  The data file is read once for\n"
    "all the estimate, drivers, table and model sections of a wave.  --quiet: no\n"
    "progress bars.\n"
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
    int keys_since_header; /* an indented line after a key continues its value */
    section sec[MAX_SECTIONS];
    size_t nsec;
    int failed;
    int quiet;         /* run --quiet: no progress bars */
    char message[512];
    long fail_line;
} spec;

static void spec_fail(spec *s, long line, const char *msg)
{
    if (!s->failed) {
        snprintf(s->message, sizeof s->message, "%s", msg);
        s->fail_line = line;
        s->failed = 1;
    }
}

/* A [section] header line, as inih reads it: its type and the whole name
 * after it (inih itself keeps 49 bytes of a section name, which merged
 * two long names into one). */
static void header(spec *s, const char *p)
{
    const char *end = strchr(p, ']');
    if (!end)
        return; /* inih reports the line */
    p++;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    const char *t = p;
    while (p < end && *p != ' ' && *p != '\t')
        p++;
    const char *t_end = p;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    const char *n_end = end;
    while (n_end > p && (n_end[-1] == ' ' || n_end[-1] == '\t'))
        n_end--;
    if (t == t_end) {
        spec_fail(s, s->line, "empty section name");
        return;
    }
    if (s->nsec == MAX_SECTIONS) {
        char m[64];
        snprintf(m, sizeof m, "more than %d sections", MAX_SECTIONS);
        spec_fail(s, s->line, m);
        return;
    }
    section *x = &s->sec[s->nsec++];
    x->type = strndup(t, (size_t)(t_end - t));
    x->name = strndup(p, (size_t)(n_end - p));
    x->line = s->line;
    x->nkeys = 0;
    if (!x->type || !x->name)
        spec_fail(s, s->line, "out of memory");
    s->keys_since_header = 0;
}

static char *reader(char *str, int num, void *stream)
{
    spec *s = stream;
    char *r = fgets(str, num, s->fp);
    int more = r && !strchr(r, '\n') && !feof(s->fp) ? getc(s->fp) : EOF;
    if (more != EOF && more != '\n') {
        /* inih would read the rest as a line of its own */
        char m[64];
        snprintf(m, sizeof m, "line longer than %d bytes", num - 1);
        spec_fail(s, s->line + 1, m);
        return NULL;
    }
    if (r && !s->failed) {
        s->line++;
        const char *p = r;
        if (s->line == 1 && strncmp(p, "\xef\xbb\xbf", 3) == 0)
            p += 3;
        const char *q = p;
        while (*q == ' ' || *q == '\t')
            q++;
        if (*q == '[' && (q == p || !s->keys_since_header))
            header(s, q);
    }
    return s->failed ? NULL : r;
}

static int handler(void *user, const char *sec, const char *name, const char *value)
{
    (void)sec;
    spec *s = user;
    if (s->failed)
        return 0;
    if (s->nsec == 0) {
        char m[320];
        snprintf(m, sizeof m, "key '%.200s' before any [section]", name);
        spec_fail(s, s->line, m);
        return 0;
    }
    section *x = &s->sec[s->nsec - 1];
    if (x->nkeys == MAX_KEYS) {
        char m[320];
        snprintf(m, sizeof m, "more than %d keys in [%.200s]", MAX_KEYS, x->type);
        spec_fail(s, s->line, m);
        return 0;
    }
    key *k = &x->keys[x->nkeys++];
    k->name = strdup(name);
    k->value = strdup(value);
    k->line = s->line;
    s->keys_since_header = 1;
    if (!k->name || !k->value) {
        spec_fail(s, s->line, "out of memory");
        return 0;
    }
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
static const char *const input_keys[] = {"na", "delimiter", "encoding", "labels", "codes?", NULL};
static const char *const design_keys[] = {"weights", "strata", "ids", "fpc", "nest?",
                                          "lonely-psu", NULL};
static const char *const weighting_keys[] = {"poststrat", "rake", "calibrate", "calfun",
                                             "bounds", "rake-cap", "trim-weights", "max-iter",
                                             "epsilon", NULL};
static const char *const estimate_keys[] = {
    "mean", "total", "prop", "ratio", "quantile", "probs", "qrule", "t2b", "b2b", "net",
    "index", "scale", "by", "level", "df", "domain-df?", "deff?", "ci-method", "flags",
    "compare?", "subset", NULL};
static const char *const drivers_keys[] = {"outcome", "items", "performance", "scale", "level",
                                           "subset", NULL};
static const char *const table_keys[] = {"rows", "cols", "percent", "count?", "by", "flags",
                                         "suppress?", "mark", "level", "subset", "df", "ci-method",
                                         NULL};
static const char *const model_keys[] = {"formula", "family", "ref", "eform?", "test", "level",
                                         "max-iter", "subset", NULL};
static const char *const rates_keys[] = {"data", "disposition", "weights", "by", "e", NULL};
static const char *const chart_keys[] = {"input", "type",  "title", "statistic", "variable",
                                         "level", "scale", "flags", "width",     "height",
                                         "order", "suppress?", "highlight", NULL};
static const char *const trend_keys[] = {"input", "level", "chart?", "statistic", "variable",
                                         "highlight", NULL};
static const char *const run_keys[] = {"data", "wave", "out", "percent?", NULL};
static const char *const sample_keys[] = {"frame", "strata", "n", "alloc", "method", "size",
                                          "stage2", "n2", "min-per-stratum", "seed", "draws",
                                          NULL};
static const char *const plan_keys[] = {"moe", "cv", "p", "level", "deff", "deff-from", "rr",
                                        "rates-from", "N", "frame", "strata", "size",
                                        "domains?", "alloc", "min-per-stratum", "n2", NULL};

static const char *const *keys_of(const char *type)
{
    static const struct {
        const char *type;
        const char *const *keys;
    } t[] = {{"run", run_keys},           {"input", input_keys},
             {"design", design_keys},     {"weighting", weighting_keys},
             {"estimate", estimate_keys}, {"drivers", drivers_keys},
             {"model", model_keys},
             {"rates", rates_keys},       {"chart", chart_keys},
             {"trend", trend_keys},       {"table", table_keys},
             {"sample", sample_keys},     {"plan", plan_keys}};
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

/* A name that is a plain file name in the output directory: letters,
 * digits, '_', '-', '.' and UTF-8 (Chinese names), not starting with '.',
 * so that it can neither leave the directory (../x, /x) nor hide in it. */
static int plain_name(const char *n)
{
    if (!n[0] || n[0] == '.')
        return 0;
    for (const unsigned char *p = (const unsigned char *)n; *p; p++)
        if (!(*p >= 0x80 || (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
              (*p >= 'A' && *p <= 'Z') || *p == '_' || *p == '-' || *p == '.'))
            return 0;
    return 1;
}

/* Check every section and key; 0, or 1 (data) or 2 (usage) with the
 * message printed. */
static int validate(const spec *s)
{
    for (size_t i = 0; i < s->nsec; i++) {
        const section *x = &s->sec[i];
        const char *const *keys = keys_of(x->type);
        int named = strcmp(x->type, "estimate") == 0 || strcmp(x->type, "drivers") == 0 ||
                    strcmp(x->type, "rates") == 0 || strcmp(x->type, "chart") == 0 ||
                    strcmp(x->type, "trend") == 0 || strcmp(x->type, "table") == 0 ||
                    strcmp(x->type, "model") == 0 ||
                    strcmp(x->type, "sample") == 0 || strcmp(x->type, "plan") == 0;
        if (!keys) {
            fprintf(stderr, "survstat run: %s:%ld: unknown section [%s]\n", s->file, x->line,
                    x->type);
            return 1;
        }
        if (named != (x->name[0] != '\0')) {
            fprintf(stderr, "survstat run: %s:%ld: section [%s%s%s] %s\n", s->file, x->line,
                    x->type, x->name[0] ? " " : "", x->name,
                    named ? "needs a name, as [estimate overall]" : "takes no name");
            return 1;
        }
        if (named && !plain_name(x->name)) {
            fprintf(stderr, "survstat run: %s:%ld: section name '%s' is not a plain file name "
                            "(letters, digits, '_', '-', '.', not first)\n",
                    s->file, x->line, x->name);
            return 2;
        }
        for (size_t j = 0; j < i; j++) {
            if (named && !strcmp(s->sec[j].name, x->name)) {
                fprintf(stderr, "survstat run: %s:%ld: the name '%s' is taken (line %ld)\n",
                        s->file, x->line, x->name, s->sec[j].line);
                return 1;
            }
            if (!named && !strcmp(s->sec[j].type, x->type)) {
                fprintf(stderr, "survstat run: %s:%ld: section [%s] is given twice (line %ld): "
                                "merge them\n",
                        s->file, x->line, x->type, s->sec[j].line);
                return 1;
            }
        }
        if (x->nkeys == 0) {
            fprintf(stderr, "survstat run: %s:%ld: section [%s%s%s] has no keys: give its "
                            "options or remove it\n",
                    s->file, x->line, x->type, x->name[0] ? " " : "", x->name);
            return 1;
        }
        for (size_t k = 0; k < x->nkeys; k++) {
            int flag, v;
            if (!allowed(keys, x->keys[k].name, &flag)) {
                fprintf(stderr, "survstat run: %s:%ld: unknown key '%s' in [%s]\n", s->file,
                        x->keys[k].line, x->keys[k].name, x->type);
                return 1;
            }
            if (flag && yes_no(x->keys[k].value, &v) != 0) {
                fprintf(stderr, "survstat run: %s:%ld: key '%s': expected yes or no, got '%s'\n",
                        s->file, x->keys[k].line, x->keys[k].name, x->keys[k].value);
                return 1;
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
        } else if (!strcmp(x->type, "model") &&
                   (!strcmp(x->keys[k].name, "test") || !strcmp(x->keys[k].name, "ref"))) {
            /* a model's tests and reference levels: several, split at ';' */
            char *copy = strdup(x->keys[k].value), *save = NULL;
            for (char *t = copy ? strtok_r(copy, ";", &save) : NULL; t;
                 t = strtok_r(NULL, ";", &save)) {
                while (*t == ' ')
                    t++;
                size_t n = strlen(t);
                while (n && t[n - 1] == ' ')
                    t[--n] = '\0';
                if (n)
                    push_opt(a, x->keys[k].name, t);
            }
            free(copy);
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
                {"trend", cmd_trend},       {"plot", cmd_plot},
                {"table", cmd_table},       {"sample", cmd_sample},
                {"plan", cmd_plan},         {"model", cmd_model}};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (!strcmp(a->v[0], cmds[i].name))
            return cmds[i].fn(a->n, a->v);
    return 2;
}

/* The arguments of an estimate, drivers or table section, less -o. */
static void push_analysis(args *a, const spec *s, const section *x, const char *data,
                          const char *wave)
{
    push(a, x->type);
    push(a, data);
    push_section(a, find_section(s, "input", NULL), input_keys);
    push_section(a, find_section(s, "design", NULL), design_keys);
    push_section(a, find_section(s, "weighting", NULL), weighting_keys);
    push_section(a, x, keys_of(x->type));
    if (!strcmp(x->type, "model"))
        push_opt(a, "name", x->name);
    push_opt(a, "wave", wave);
}

static int is_analysis(const section *x)
{
    return !strcmp(x->type, "estimate") || !strcmp(x->type, "drivers") ||
           !strcmp(x->type, "table") || !strcmp(x->type, "model");
}

/* Before a wave with several estimate or drivers sections: run them once
 * to learn the columns they read (ss_cli_share_collect), stderr silenced,
 * so that the data file is read once for all of them. */
static void collect_columns(const spec *s, const char *data, const char *wave)
{
    size_t n = 0;
    for (size_t i = 0; i < s->nsec; i++)
        n += is_analysis(&s->sec[i]);
    if (n < 1) /* (one section: its read serves the report's Methods too) */
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
        } else if (!strcmp(x->type, "sample") || !strcmp(x->type, "plan")) {
            /* a value naming an earlier section of the spec (alloc = a
             * plan, deff-from = an estimate, rates-from = a rates
             * section) means that section's output of this wave */
            push(&a, x->type);
            if (!strcmp(x->type, "sample") && get(x, "frame"))
                push(&a, get(x, "frame"));
            for (size_t k = 0; k < x->nkeys; k++) {
                const char *kn = x->keys[k].name, *v = x->keys[k].value;
                char in_file[4096];
                int flag;
                if (!strcmp(kn, "frame") && !strcmp(x->type, "sample"))
                    continue;
                allowed(keys_of(x->type), kn, &flag);
                if (flag) {
                    int on = 1;
                    yes_no(v, &on);
                    if (on)
                        push_opt(&a, kn, NULL);
                    continue;
                }
                for (size_t j = 0; j < i; j++)
                    if (!strcmp(s->sec[j].name, v) && strcmp(s->sec[j].type, "chart") != 0 &&
                        (!strcmp(kn, "alloc") || !strcmp(kn, "deff-from") ||
                         !strcmp(kn, "rates-from")) &&
                        snprintf(in_file, sizeof in_file, "%s/%s.csv", tmp, v) <
                            (int)sizeof in_file)
                        v = in_file;
                push_opt(&a, kn, v);
            }
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
            for (size_t k = 0; k < x->nkeys; k++) {
                int flag, on = 1;
                if (strcmp(x->keys[k].name, "input") == 0)
                    continue;
                allowed(chart_keys, x->keys[k].name, &flag);
                if (flag) { /* suppress = yes */
                    yes_no(x->keys[k].value, &on);
                    if (on)
                        push_opt(&a, x->keys[k].name, NULL);
                } else {
                    push_opt(&a, x->keys[k].name, x->keys[k].value);
                }
            }
        } else {
            continue;
        }
        if (!strcmp(x->type, "rates"))
            push_opt(&a, "wave", wave);
        if (s->quiet)
            push(&a, "--quiet");
        push(&a, "-o");
        push(&a, out);
        int rc = run_command(&a);
        /* a chart also as SVG, for report.html */
        if (rc == 0 && !strcmp(x->type, "chart")) {
            /* (getopt has permuted the arguments: find the output again) */
            for (int k = 0; k < a.n; k++)
                if (!strcmp(a.v[k], out))
                    memcpy(a.v[k] + strlen(out) - 3, "svg", 3);
            rc = run_command(&a);
        }
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

/* The report pack of a wave (ss_pack.h): its sections (tables in tmp,
 * the trend tables in trend_tmp, charts as SVG in tmp), the design options
 * for the Methods, the files tmp/report.html and tmp/report.xlsx. */
typedef struct pack_spec {
    ss_pack pk;
    args d;
    ss_pack_section sec[MAX_SECTIONS];
    char paths[MAX_SECTIONS][2][4096];
    char html[4096], xlsx[4096];
} pack_spec;

static void pack_build(pack_spec *ps, const spec *s, const char *data, const char *wave,
                       const char *tmp, const char *trend_tmp)
{
    args_free(&ps->d);
    push(&ps->d, "report");
    push(&ps->d, data);
    push_section(&ps->d, find_section(s, "input", NULL), input_keys);
    push_section(&ps->d, find_section(s, "design", NULL), design_keys);
    push_section(&ps->d, find_section(s, "weighting", NULL), weighting_keys);
    size_t n = 0;
    for (size_t i = 0; i < s->nsec; i++) {
        const section *x = &s->sec[i];
        int table = is_analysis(x) || !strcmp(x->type, "rates") || !strcmp(x->type, "trend");
        int chart = !strcmp(x->type, "chart") || !strcmp(x->type, "trend");
        if (!table && !chart)
            continue;
        ss_pack_section *p = &ps->sec[n];
        p->type = x->type;
        p->name = x->name;
        p->csv = p->svg = NULL;
        struct stat st;
        if (table &&
            snprintf(ps->paths[n][0], sizeof ps->paths[n][0], "%s/%s.csv",
                     !strcmp(x->type, "trend") ? trend_tmp : tmp, x->name) < 4096 &&
            stat(ps->paths[n][0], &st) == 0)
            p->csv = ps->paths[n][0];
        if (chart &&
            snprintf(ps->paths[n][1], sizeof ps->paths[n][1], "%s/%s.svg", tmp, x->name) < 4096 &&
            stat(ps->paths[n][1], &st) == 0)
            p->svg = ps->paths[n][1];
        if (p->csv || p->svg)
            n++;
    }
    int percent = 1;
    const section *r = find_section(s, "run", NULL);
    if (get(r, "percent"))
        yes_no(get(r, "percent"), &percent);
    snprintf(ps->html, sizeof ps->html, "%s/report.html", tmp);
    snprintf(ps->xlsx, sizeof ps->xlsx, "%s/report.xlsx", tmp);
    ps->pk = (ss_pack){s->file, data, wave, ps->d.n, ps->d.v, ps->sec, n, percent,
                       ps->html, ps->xlsx};
}

/* Run the wave: every section into tmp, the data read once (the report's
 * Methods too, into methods). */
static int run_wave(const spec *s, const char *data, const char *wave, const char *tmp,
                    ss_grid *methods)
{
    static pack_spec ps;
    ss_cli_share_begin();
    collect_columns(s, data, wave);
    int rc = run_sections(s, data, wave, tmp);
    if (rc == 0) {
        pack_build(&ps, s, data, wave, tmp, tmp);
        rc = ss_pack_methods(&ps.pk, methods);
        args_free(&ps.d);
    }
    ss_cli_share_end();
    return rc;
}

/* snprintf into a path buffer of PATH_BUF bytes; -1 when it does not fit. */
#define PATH_BUF 4096
static int pathf(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int pathf(char *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, PATH_BUF, fmt, ap);
    va_end(ap);
    return n < 0 || n >= PATH_BUF ? -1 : 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- the order of the waves ----
 *
 * trend compares waves in the order it is given them, and a run's waves
 * come in the order they were first run: DIR/.waves lists their labels,
 * one a line, a wave appended when a run of it first succeeds.  Wave
 * directories it does not list (written before it existed) come first,
 * oldest (by the directory's modification time) first, then by name. */

/* The labels DIR/.waves lists, *n of them (the caller frees them). */
static char **listed_waves(const char *outdir, size_t *n)
{
    char path[PATH_BUF], line[PATH_BUF];
    char **v = NULL;
    *n = 0;
    if (pathf(path, "%s/.waves", outdir) != 0)
        return NULL;
    FILE *fp = fopen(path, "r");
    while (fp && fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\n")] = '\0';
        char **q = realloc(v, (*n + 1) * sizeof *q);
        if (!q)
            break;
        v = q;
        if (!(v[*n] = strdup(line)))
            break;
        (*n)++;
    }
    if (fp)
        fclose(fp);
    return v;
}

static void free_waves(char **v, size_t n)
{
    for (size_t k = 0; k < n; k++)
        free(v[k]);
    free(v);
}

/* DIR/.waves made anew: the labels order[0..n), one a line (through a
 * temporary file renamed over it). */
static void write_waves(const char *outdir, char **order, size_t n)
{
    char path[PATH_BUF], tmp[PATH_BUF];
    if (pathf(path, "%s/.waves", outdir) != 0 ||
        pathf(tmp, "%s/.waves.tmp.%ld", outdir, (long)getpid()) != 0)
        return;
    FILE *fp = fopen(tmp, "w");
    if (!fp)
        return; /* the order then falls back to the directories' times */
    for (size_t k = 0; k < n; k++)
        fprintf(fp, "%s\n", order[k]);
    if (fclose(fp) != 0 || rename(tmp, path) != 0)
        unlink(tmp);
}

/* A wave directory of out, the label it holds and its place in the order. */
typedef struct wave_dir {
    char *label, *path;
    long rank; /* its line in DIR/.waves, or -1 when not listed */
    struct timespec mtime;
} wave_dir;

static int cmp_wave(const void *pa, const void *pb)
{
    const wave_dir *x = pa, *y = pb;
    if (x->rank != y->rank)
        return (x->rank > y->rank) - (x->rank < y->rank);
    if (x->mtime.tv_sec != y->mtime.tv_sec)
        return (x->mtime.tv_sec > y->mtime.tv_sec) - (x->mtime.tv_sec < y->mtime.tv_sec);
    if (x->mtime.tv_nsec != y->mtime.tv_nsec)
        return (x->mtime.tv_nsec > y->mtime.tv_nsec) - (x->mtime.tv_nsec < y->mtime.tv_nsec);
    return strcmp(x->label, y->label);
}

/* The trend sections over every wave directory of out, the new wave's
 * files taken from tmp (not yet in place); the tables and charts are
 * written into trend_tmp, moved into out when the whole run succeeded. */
/* *order (n of them, the caller frees each and the array) is every wave
 * in the order used, to be written to DIR/.waves when the run succeeds:
 * the directories .waves does not list (written before it) come first by
 * their times, the new wave's by its old directory's when it had one. */
static int run_trends(const spec *s, const char *outdir, const char *wave, const char *tmp,
                      const char *trend_tmp, int quiet, char ***order, size_t *norder)
{
    wave_dir waves[1024];
    size_t nw = 0;
    waves[nw].label = strdup(wave);
    waves[nw++].path = strdup(tmp);
    DIR *dir = opendir(outdir);
    struct dirent *e;
    while (dir && (e = readdir(dir)) && nw < sizeof waves / sizeof waves[0]) {
        struct stat st;
        char f[4096];
        if (e->d_name[0] == '.' || !strcmp(e->d_name, wave))
            continue;
        (void)pathf(f, "%s/%s", outdir, e->d_name);
        if (stat(f, &st) == 0 && S_ISDIR(st.st_mode)) {
            waves[nw].label = strdup(e->d_name);
            waves[nw++].path = strdup(f);
        }
    }
    if (dir)
        closedir(dir);
    size_t nlisted;
    char **listed = listed_waves(outdir, &nlisted);
    for (size_t w = 0; w < nw; w++) {
        struct stat st;
        waves[w].rank = -1;
        waves[w].mtime = stat(waves[w].path, &st) == 0 ? st.st_mtim : (struct timespec){0};
        for (size_t k = 0; k < nlisted && waves[w].rank < 0; k++)
            if (waves[w].label && strcmp(listed[k], waves[w].label) == 0)
                waves[w].rank = (long)k;
        if (w == 0 && waves[w].rank < 0) {
            char old[PATH_BUF];
            if (pathf(old, "%s/%s", outdir, wave) == 0 && stat(old, &st) == 0)
                waves[w].mtime = st.st_mtim; /* rerun of an unlisted wave: its old place */
            else
                waves[w].rank = (long)nlisted; /* a new wave: after every listed one */
        }
    }
    free_waves(listed, nlisted);
    qsort(waves, nw, sizeof waves[0], cmp_wave);
    *order = malloc(nw * sizeof **order);
    *norder = 0;
    for (size_t w = 0; *order && w < nw; w++)
        if (waves[w].label && ((*order)[*norder] = strdup(waves[w].label)))
            (*norder)++;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < s->nsec; i++) {
        const section *x = &s->sec[i];
        if (strcmp(x->type, "trend") != 0)
            continue;
        const char *input = get(x, "input");
        if (!input || !find_section(s, "estimate", input)) {
            fprintf(stderr, "survstat run: %s:%ld: [trend %s]: input must name an estimate "
                            "section\n",
                    s->file, x->line, x->name);
            rc = 1;
            break;
        }
        args a = {0};
        push(&a, "trend");
        int nfiles = 0;
        for (size_t w = 0; w < nw; w++) {
            char f[4096];
            struct stat st;
            (void)pathf(f, "%s/%s.csv", waves[w].path, input);
            if (stat(f, &st) == 0) {
                push(&a, f);
                nfiles++;
            }
        }
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
            if (!strcmp(x->keys[k].name, "statistic") || !strcmp(x->keys[k].name, "variable") ||
                !strcmp(x->keys[k].name, "highlight"))
                push_opt(&c, x->keys[k].name, x->keys[k].value);
        int chart = 1;
        if (get(x, "chart"))
            yes_no(get(x, "chart"), &chart);
        if (get(x, "level"))
            push_opt(&a, "level", get(x, "level"));
        if (quiet) {
            push(&a, "--quiet");
            push(&c, "--quiet");
        }
        char out[4096], png[4096];
        (void)pathf(out, "%s/%s.csv", trend_tmp, x->name);
        (void)pathf(png, "%s/%s.png", trend_tmp, x->name);
        push(&a, "-o");
        push(&a, out);
        push(&c, "-o");
        push(&c, png);
        rc = run_command(&a);
        if (rc == 0 && chart)
            rc = run_command(&c);
        /* the same chart as SVG beside the wave's report (report.html) */
        char svg[4096];
        if (rc == 0 && chart && pathf(svg, "%s/%s.svg", tmp, x->name) == 0) {
            for (int k = 0; k < c.n; k++) /* the -o value, where getopt left it */
                if (!strcmp(c.v[k], png)) {
                    free(c.v[k]);
                    c.v[k] = strdup(svg);
                }
            rc = run_command(&c);
        }
        args_free(&a);
        args_free(&c);
        if (rc != 0)
            fprintf(stderr, "survstat run: %s:%ld: [trend %s] failed; the earlier outputs are as "
                            "they were\n",
                    s->file, x->line, x->name);
    }
    for (size_t w = 0; w < nw; w++) {
        free(waves[w].label);
        free(waves[w].path);
    }
    return rc;
}

/* Hold an exclusive flock on path (created if need be): the descriptor, or
 * -1 when another process holds it, -2 on an error (errno set).  The lock
 * is held on the file the path names now: a holder unlinks it before
 * releasing, so a lock taken on a file already unlinked is tried again. */
static int lock_file(const char *path)
{
    for (int tries = 0; tries < 100; tries++) {
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
        if (fd < 0)
            return -2;
        if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
            int e = errno;
            close(fd);
            errno = e;
            return e == EWOULDBLOCK ? -1 : -2;
        }
        struct stat a, b;
        if (fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino &&
            a.st_dev == b.st_dev)
            return fd;
        close(fd);
    }
    errno = EAGAIN;
    return -2;
}

/* May a run replace final?  Only a directory a run wrote: regular .csv,
 * .png and .svg files and report.html and report.xlsx, nothing else.  0, or 1 with the message printed. */
static int replaceable(const char *final)
{
    struct stat st;
    if (lstat(final, &st) != 0)
        return 0;
    if (!S_ISDIR(st.st_mode)) {
        fprintf(stderr, "survstat run: %s: is not a directory survstat run wrote: move it "
                        "away or choose another --out\n",
                final);
        return 1;
    }
    DIR *d = opendir(final);
    struct dirent *e;
    int rc = 0;
    while (d && rc == 0 && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char f[4096];
        size_t n = strlen(e->d_name);
        (void)pathf(f, "%s/%s", final, e->d_name);
        if (lstat(f, &st) != 0 || !S_ISREG(st.st_mode) || n < 5 ||
            (strcmp(e->d_name + n - 4, ".csv") != 0 && strcmp(e->d_name + n - 4, ".png") != 0 &&
             strcmp(e->d_name + n - 4, ".svg") != 0 && strcmp(e->d_name, "report.html") != 0 &&
             strcmp(e->d_name, "report.xlsx") != 0)) {
            fprintf(stderr, "survstat run: %s: holds '%s', which survstat run does not write: "
                            "move it away or choose another --out\n",
                    final, e->d_name);
            rc = 1;
        }
    }
    if (d)
        closedir(d);
    return rc;
}

/* Put the new wave directory tmp in place of final; afterwards tmp holds
 * the old wave (or nothing).  RENAME_EXCHANGE swaps the two at once, so
 * final is never missing and no .old directory is ever made. */
static int put_in_place(const char *tmp, const char *final)
{
    struct stat st;
    if (lstat(final, &st) != 0)
        return rename(tmp, final);
#ifdef SYS_renameat2
    if (syscall(SYS_renameat2, AT_FDCWD, tmp, AT_FDCWD, final, 1 << 1 /* RENAME_EXCHANGE */) ==
        0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return -1;
#endif
    /* A file system without the exchange: the old wave moves into tmp. */
    char old[4096];
    (void)pathf(old, "%s/.old", tmp);
    if (rename(final, old) != 0)
        return -1;
    if (rename(tmp, final) != 0) {
        int e = errno;
        rename(old, final);
        errno = e;
        return -1;
    }
    /* tmp is now final/.old, the old wave: move it back to tmp. */
    char moved[4096];
    (void)pathf(moved, "%s/.old", final);
    return rename(moved, tmp);
}

/* May the trend tables and charts of trend_tmp replace their namesakes in
 * out?  Only files (or nothing) stand there: checked before the wave is put
 * in place, so that a run that fails has changed nothing.  0, or 1 with
 * the message printed. */
static int trends_replaceable(const char *trend_tmp, const char *out)
{
    DIR *d = opendir(trend_tmp);
    struct dirent *e;
    int rc = 0;
    while (d && rc == 0 && (e = readdir(d))) {
        char to[4096];
        struct stat st;
        if (e->d_name[0] == '.')
            continue;
        (void)pathf(to, "%s/%s", out, e->d_name);
        if (lstat(to, &st) == 0 && !S_ISREG(st.st_mode)) {
            fprintf(stderr, "survstat run: %s: is not a file survstat run wrote: move it away "
                            "or rename the [trend] section\n",
                    to);
            rc = 1;
        }
    }
    if (d)
        closedir(d);
    return rc;
}

/* Move the trend tables and charts of trend_tmp into out, printing them. */
static int move_trends(const char *trend_tmp, const char *out, int print)
{
    DIR *d = opendir(trend_tmp);
    struct dirent *e;
    char *names[MAX_SECTIONS * 2];
    size_t n = 0;
    while (d && (e = readdir(d)) && n < sizeof names / sizeof names[0])
        if (e->d_name[0] != '.')
            names[n++] = strdup(e->d_name);
    if (d)
        closedir(d);
    qsort(names, n, sizeof names[0], cmp_str);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        char from[4096], to[4096];
        (void)pathf(from, "%s/%s", trend_tmp, names[i]);
        (void)pathf(to, "%s/%s", out, names[i]);
        if (rc == 0 && rename(from, to) != 0) {
            fprintf(stderr, "survstat run: %s: cannot replace: %s\n", to, strerror(errno));
            rc = 1;
        } else if (rc == 0 && print) {
            printf("%s\n", to);
        }
        free(names[i]);
    }
    return rc;
}

int cmd_run(int argc, char **argv)
{
    const char *data = NULL, *wave = NULL, *out = NULL, *file = NULL;
    int quiet = 0;
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
        } else if (!strcmp(argv[i], "--quiet")) {
            quiet = 1;
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
    s.quiet = quiet;
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
    } else {
        rc = validate(&s);
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
    if (rc == 0) { /* report.xlsx: libxlsxwriter, before anything is written */
        ss_error lerr;
        ss_error_clear(&lerr);
        if (!ss_dl_xlsxwriter_load(&lerr)) {
            ss_error_print(&lerr, "run");
            rc = 1;
        }
    }
    char tmp[4096], trend_tmp[4096], final[4096], lock[4096];
    char **order = NULL; /* the waves in the order of DIR/.waves */
    size_t norder = 0;
    int lock_fd = -1, have_tmp = 0, have_trend_tmp = 0, made_out = 0;
    if (rc == 0) {
        if (strlen(out) + strlen(wave) > 3000) {
            fprintf(stderr, "survstat run: --out and --wave make too long a path\n");
            rc = 2;
        }
        (void)pathf(tmp, "%s/.%s.tmp.%ld", out, wave, (long)getpid());
        (void)pathf(trend_tmp, "%s/.%s.trends.%ld", out, wave, (long)getpid());
        (void)pathf(final, "%s/%s", out, wave);
        (void)pathf(lock, "%s/.lock", out); /* the trends read every wave */
        if (rc == 0 && mkdir(out, 0777) == 0) {
            made_out = 1; /* removed again if the run fails */
        } else if (rc == 0 && errno != EEXIST) {
            fprintf(stderr, "survstat run: %s: cannot create: %s\n", out, strerror(errno));
            rc = 1;
        }
        if (rc != 0) {
            /* reported */
        } else if ((lock_fd = lock_file(lock)) == -1) {
            fprintf(stderr, "survstat run: another run is writing into %s: wait for it to end\n",
                    out);
            rc = 1;
        } else if (lock_fd >= 0 && ss_output_protect_file(lock) != 0) {
            fprintf(stderr, "survstat run: %s: too many pending outputs\n", lock);
            rc = 1;
        } else if (lock_fd < 0) {
            fprintf(stderr, "survstat run: %s: cannot lock: %s\n", lock, strerror(errno));
            rc = 1;
        } else if (replaceable(final) != 0) {
            rc = 1;
        } else if (mkdir(tmp, 0777) != 0 || ss_output_protect_dir(tmp) != 0) {
            fprintf(stderr, "survstat run: %s: cannot create: %s\n", tmp, strerror(errno));
            rc = 1;
        } else {
            have_tmp = 1; /* a signal removes it */
            if (mkdir(trend_tmp, 0777) != 0 || ss_output_protect_dir(trend_tmp) != 0) {
                fprintf(stderr, "survstat run: %s: cannot create: %s\n", trend_tmp,
                        strerror(errno));
                rc = 1;
            } else {
                have_trend_tmp = 1;
            }
        }
    }
    ss_grid methods = {0};
    if (rc == 0)
        rc = run_wave(&s, data, wave, tmp, &methods);
    if (rc == 0)
        rc = run_trends(&s, out, wave, tmp, trend_tmp, quiet, &order, &norder);
    if (rc == 0) {
        static pack_spec ps;
        pack_build(&ps, &s, data, wave, tmp, trend_tmp);
        rc = ss_pack_write(&ps.pk, &methods);
        args_free(&ps.d);
    }
    ss_grid_free(&methods);
    if (rc == 0)
        rc = trends_replaceable(trend_tmp, out);
    if (rc == 0 && put_in_place(tmp, final) != 0) {
        fprintf(stderr, "survstat run: %s: cannot replace: %s\n", final, strerror(errno));
        rc = 1;
    }
    if (rc == 0) {
        if (norder > 0)
            write_waves(out, order, norder);
        for (size_t i = 0; i < s.nsec; i++)
            if (strcmp(s.sec[i].type, "estimate") == 0 || strcmp(s.sec[i].type, "drivers") == 0 ||
                strcmp(s.sec[i].type, "rates") == 0 || strcmp(s.sec[i].type, "chart") == 0 ||
                strcmp(s.sec[i].type, "table") == 0 || strcmp(s.sec[i].type, "model") == 0)
                printf("%s/%s.%s\n", final, s.sec[i].name,
                       strcmp(s.sec[i].type, "chart") == 0 ? "png" : "csv");
        printf("%s/report.html\n%s/report.xlsx\n", final, final);
        rc = move_trends(trend_tmp, out, 1);
    }
    /* Whatever happened: the temporary directories go (tmp holds the new
     * wave after a failure, the old one after the exchange). */
    if (have_tmp) {
        remove_tree(tmp);
        ss_output_release_dir(tmp);
    }
    if (have_trend_tmp) {
        remove_tree(trend_tmp);
        ss_output_release_dir(trend_tmp);
    }
    free_waves(order, norder);
    if (lock_fd >= 0) {
        unlink(lock);
        ss_output_release_file(lock);
        close(lock_fd);
    }
    if (rc != 0 && made_out)
        rmdir(out); /* only when empty: a run that fails leaves no new DIR */
    spec_free(&s);
    return rc;
}
