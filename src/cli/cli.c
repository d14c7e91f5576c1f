#include "ss_cli.h"

#include <errno.h>
#include <iconv.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ss_commands.h"
#include "ss_dl.h"
#include "ss_number.h"
#include "ss_progress.h"
#include "survstat.h"

const struct option ss_cli_options[] = {
    {"weights", required_argument, NULL, SS_OPT_WEIGHTS},
    {"strata", required_argument, NULL, SS_OPT_STRATA},
    {"ids", required_argument, NULL, SS_OPT_IDS},
    {"fpc", required_argument, NULL, SS_OPT_FPC},
    {"nest", no_argument, NULL, SS_OPT_NEST},
    {"lonely-psu", required_argument, NULL, SS_OPT_LONELY},
    {"na", required_argument, NULL, SS_OPT_NA},
    {"labels", required_argument, NULL, SS_OPT_LABELS},
    {"codes", no_argument, NULL, SS_OPT_CODES},
    {"delimiter", required_argument, NULL, 'd'},
    {"encoding", required_argument, NULL, SS_OPT_ENCODING},
    {"format", required_argument, NULL, SS_OPT_FORMAT},
    {"output", required_argument, NULL, 'o'},
    {"help", no_argument, NULL, 'h'},
    {"poststrat", required_argument, NULL, SS_OPT_POSTSTRAT},
    {"rake", required_argument, NULL, SS_OPT_RAKE},
    {"calibrate", required_argument, NULL, SS_OPT_CALIBRATE},
    {"calfun", required_argument, NULL, SS_OPT_CALFUN},
    {"bounds", required_argument, NULL, SS_OPT_BOUNDS},
    {"trim-weights", required_argument, NULL, SS_OPT_TRIM},
    {"max-iter", required_argument, NULL, SS_OPT_MAX_ITER},
    {"epsilon", required_argument, NULL, SS_OPT_EPSILON},
    {"rake-cap", required_argument, NULL, SS_OPT_RAKE_CAP},
    {"quiet", no_argument, NULL, SS_OPT_QUIET},
    {"replicate", required_argument, NULL, SS_OPT_REPLICATE},
    {"seed", required_argument, NULL, SS_OPT_SEED},
    {"repweights", required_argument, NULL, SS_OPT_REPWEIGHTS},
    {"rep-type", required_argument, NULL, SS_OPT_REP_TYPE},
    {"rep-scale", required_argument, NULL, SS_OPT_REP_SCALE},
    {"mse", no_argument, NULL, SS_OPT_MSE},
    {"subset", required_argument, NULL, SS_OPT_SUBSET},
    {"pps", required_argument, NULL, SS_OPT_PPS},
    {"joint-probs", required_argument, NULL, SS_OPT_JOINT_PROBS},
    {"percent", no_argument, NULL, SS_OPT_PERCENT},
    {NULL, 0, NULL, 0},
};

void ss_cli_init(ss_cli *c, const char *cmd)
{
    memset(c, 0, sizeof *c);
    c->cmd = cmd;
    c->read.delimiter = ',';
    c->design.lonely = SS_LONELY_FAIL;
    c->format = SS_FMT_TEXT;
    ss_weight_spec_init(&c->weight);
}

void ss_cli_free(ss_cli *c)
{
    for (size_t i = 0; i < c->nowned; i++)
        free(c->owned[i]);
    free(c->owned);
    free(c->na);
    ss_subset_free(c->subset);
    free(c->subset_rows);
    ss_weight_plan_free(&c->plan);
    memset(c, 0, sizeof *c);
}

static char *own(ss_cli *c, const char *s)
{
    if (c->nowned == c->owned_cap) {
        size_t cap = c->owned_cap ? 2 * c->owned_cap : 16;
        char **p = realloc(c->owned, cap * sizeof *p);
        if (!p)
            return NULL;
        c->owned = p;
        c->owned_cap = cap;
    }
    char *copy = strdup(s);
    if (copy)
        c->owned[c->nowned++] = copy;
    return copy;
}

/* The commands' helpers (ss_commands.h): one getopt_long table, and the
 * message for an option it does not know. */
struct option *ss_command_options(const struct option *own)
{
    size_t a = 0, b = 0;
    while (own[a].name)
        a++;
    while (ss_cli_options[b].name)
        b++;
    struct option *o = malloc((a + b + 1) * sizeof *o);
    if (!o)
        return NULL;
    memcpy(o, own, a * sizeof *o);
    memcpy(o + a, ss_cli_options, (b + 1) * sizeof *o);
    return o;
}

int ss_command_bad_option(const char *cmd, int argc, char **argv)
{
    const char *bad = optind - 1 < argc && optind > 0 ? argv[optind - 1] : "?";
    if (optopt && optopt < 256 && strncmp(bad, "--", 2) != 0)
        fprintf(stderr, "survstat %s: option '-%c' is unknown or needs a value\n", cmd, optopt);
    else
        fprintf(stderr, "survstat %s: option '%s' is unknown or needs a value\n", cmd, bad);
    fprintf(stderr, "try 'survstat %s --help'\n", cmd);
    return 2;
}

/* Options whose values add up (CLI.md: --na is repeatable; every
 * estimate option adds its variables).  Every other option with a value
 * holds one: given again with another value it is a usage error (which of
 * the two did the user mean?), given again with the same text it is
 * harmless. */
static const char *const repeatable[] = {"na",       "mean", "total", "prop", "ratio",
                                         "quantile", "t2b",  "b2b",   "net",  "index",
                                         "test",     "ref",  NULL};

static int is_repeatable(const char *name)
{
    for (size_t i = 0; repeatable[i]; i++)
        if (strcmp(name, repeatable[i]) == 0)
            return 1;
    return 0;
}

/* The first value of each one-value option seen so far. */
typedef struct seen_option {
    int opt;
    const char *value;
} seen_option;

static int check_once(const struct option *opts, seen_option *seen, size_t *nseen, int opt,
                      const char *arg, ss_error *err)
{
    const struct option *o = NULL;
    for (size_t i = 0; opts[i].name && !o; i++)
        if (opts[i].val == opt && opts[i].flag == NULL)
            o = &opts[i];
    if (!o || o->has_arg != required_argument || !arg || is_repeatable(o->name))
        return SS_OK;
    for (size_t i = 0; i < *nseen; i++) {
        if (seen[i].opt != opt)
            continue;
        if (strcmp(seen[i].value, arg) == 0)
            return SS_OK;
        char q[2][200];
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "--%s given twice with different values '%s' and '%s': give it "
                            "once",
                            o->name, ss_error_quote(seen[i].value, strlen(seen[i].value), q[0], 150),
                            ss_error_quote(arg, strlen(arg), q[1], 150));
    }
    seen[(*nseen)++] = (seen_option){opt, arg};
    return SS_OK;
}

/* The commands that estimate for a --subset. */
static int subset_command(const char *cmd)
{
    static const char *const names[] = {"estimate", "test", "table", "model", "drivers", NULL};
    for (size_t i = 0; names[i]; i++)
        if (strcmp(cmd, names[i]) == 0)
            return 1;
    return 0;
}

/* An argument as a shell would need it quoted to give it back. */
static size_t shell_word(char *buf, size_t size, const char *w)
{
    int plain = *w != '\0';
    for (const char *p = w; *p && plain; p++)
        plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                       "_-.,/:=+@%", *p) != NULL || (unsigned char)*p >= 0x80;
    if (plain)
        return (size_t)snprintf(buf, size, "%s", w);
    size_t k = 0;
    if (k + 1 < size)
        buf[k++] = '\'';
    for (const char *p = w; *p && k + 5 < size; p++) {
        if (*p == '\'') {
            memcpy(buf + k, "'\\''", 4);
            k += 4;
        } else {
            buf[k++] = *p;
        }
    }
    if (k + 1 < size)
        buf[k++] = '\'';
    buf[k < size ? k : size - 1] = '\0';
    return k;
}

/* The output a result command is asked for: an -o extension that names
 * no format, without --format, and xlsx onto a terminal are usage errors,
 * found before anything is read or written; for xlsx, libxlsxwriter is
 * loaded here (a data error when it cannot be).  plot has its own (charts by
 * their extension); weight writes a data file, always csv: another format
 * asked for, by --format or the extension, is an error too. */
static int check_output(const ss_cli *c, ss_error *err)
{
    if (!strcmp(c->cmd, "plot"))
        return SS_OK;
    ss_format f;
    const char *ext = NULL;
    if (!strcmp(c->cmd, "weight")) {
        int known = ss_format_of_path(c->output, &f, &ext);
        int other = c->format_set ? c->format != SS_FMT_CSV
                                  : known < 0 || (known > 0 && f != SS_FMT_CSV);
        if (other)
            return ss_error_set(err, SS_EUSAGE, NULL, 0,
                                "weight writes the data rows with the new weight as csv: give "
                                "-o FILE.csv%s",
                                c->format_set ? " and no --format other than csv" : "");
        return SS_OK;
    }
    if (!c->format_set && ss_format_of_path(c->output, &f, &ext) < 0)
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "-o %s: the extension '%s' names no format (.txt .csv .json .md "
                            ".xlsx .html): rename the file or give --format",
                            c->output, ext);
    int to_stdout = !c->output || !strcmp(c->output, "-");
    if (ss_cli_format(c) == SS_FMT_XLSX && to_stdout && isatty(STDOUT_FILENO))
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "--format xlsx: a workbook is binary, not for a terminal: give -o "
                            "FILE.xlsx or redirect the output");
    /* libxlsxwriter is loaded only for a workbook, and before any work */
    if (ss_cli_format(c) == SS_FMT_XLSX && !ss_dl_xlsxwriter_load(err))
        return SS_EDATA;
    return SS_OK;
}

static char *own(ss_cli *c, const char *s);

int ss_cli_parse(ss_cli *c, int argc, char **argv, const struct option *own_opts,
                 ss_cli_option_fn fn, void *ctx, ss_error *err)
{
    /* the command line before getopt permutes it */
    size_t len = 16;
    for (int i = 0; i < argc; i++)
        len += 4 * strlen(argv[i]) + 3;
    char *line = malloc(len);
    if (line) {
        size_t k = (size_t)snprintf(line, len, "survstat");
        for (int i = 0; i < argc && k + 1 < len; i++) {
            line[k++] = ' ';
            k += shell_word(line + k, len - k, argv[i]);
        }
        c->cmdline = own(c, line);
        free(line);
    }
    struct option *opts = ss_command_options(own_opts);
    seen_option *seen = malloc((size_t)(argc > 0 ? argc : 1) * sizeof *seen);
    size_t nseen = 0;
    if (!opts || !seen) {
        free(opts);
        free(seen);
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    }
    int rc = SS_OK, opt;
    optind = 1;
    opterr = 0;
    while (rc == SS_OK && (opt = getopt_long(argc, argv, SS_CLI_SHORT, opts, NULL)) != -1) {
        rc = check_once(opts, seen, &nseen, opt, optarg, err);
        if (rc != SS_OK)
            break;
        rc = fn ? fn(ctx, opt, optarg, err) : SS_CLI_NOT_MINE;
        if (rc != SS_CLI_NOT_MINE)
            continue;
        int h = ss_cli_option(c, opt, optarg, err);
        if (h < 0) {
            rc = err->code;
        } else if (h == 0) {
            ss_command_bad_option(c->cmd, argc, argv);
            rc = SS_CLI_BAD_OPTION;
        } else {
            rc = SS_OK;
        }
    }
    free(opts);
    free(seen);
    if (rc == SS_OK && c->subset && !subset_command(c->cmd))
        rc = ss_error_set(err, SS_EUSAGE, NULL, 0,
                          "--subset: survstat %s does not take it (estimate, test, table, model "
                          "and drivers do)",
                          c->cmd);
    if (rc == SS_OK)
        rc = check_output(c, err);
    return rc;
}

const char *ss_cli_factor_name(ss_cli *c, const char *item)
{
    size_t l = strlen(item);
    if (l < 9 || strncmp(item, "factor(", 7) != 0 || item[l - 1] != ')')
        return NULL;
    char *s = own(c, item + 7);
    if (!s)
        return NULL;
    s[l - 8] = '\0';
    while (*s == ' ' || *s == '\t')
        s++;
    for (size_t k = strlen(s); k > 0 && (s[k - 1] == ' ' || s[k - 1] == '\t'); k--)
        s[k - 1] = '\0';
    return *s ? s : NULL;
}

int ss_cli_split(ss_cli *c, const char *arg, char sep, const char **items,
                 size_t max, size_t *n, const char *option, ss_error *err)
{
    char *s = own(c, arg);
    if (!s)
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    *n = 0;
    for (char *p = s;;) {
        char *e = strchr(p, sep);
        if (e)
            *e = '\0';
        if (*p == '\0')
            return ss_error_set(err, SS_EUSAGE, NULL, 0, "%s: empty item in '%s'", option, arg);
        if (*n == max)
            return ss_error_tag(err,
                                ss_error_set(err, SS_EUSAGE, NULL, 0,
                                             "%s: more than %zu items in '%s'", option, max, arg),
                                SS_WHY_TOO_MANY, option);
        while (*p == ' ' || *p == '\t') /* "q1, q2" */
            p++;
        for (size_t l = strlen(p); l > 0 && (p[l - 1] == ' ' || p[l - 1] == '\t'); l--)
            p[l - 1] = '\0';
        if (*p == '\0')
            return ss_error_set(err, SS_EUSAGE, NULL, 0, "%s: empty item in '%s'", option, arg);
        items[(*n)++] = p;
        if (!e)
            break;
        p = e + 1;
    }
    return SS_OK;
}

int ss_cli_number(const char *arg, const char *option, double *out, ss_error *err)
{
    if (ss_number_parse(arg, strlen(arg), out) != 0)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "%s: invalid number '%s'", option, arg);
    return SS_OK;
}

int ss_cli_level(const char *arg, double *level, ss_error *err)
{
    int rc = ss_cli_number(arg, "--level", level, err);
    if (rc == SS_OK && !(*level > 0 && *level < 1))
        rc = ss_error_set(err, SS_EUSAGE, NULL, 0,
                          "--level: expected a number between 0 and 1, got '%s'", arg);
    return rc;
}

int ss_cli_parse_file(ss_cli *c, int argc, char **argv, const struct option *own,
                      ss_cli_option_fn fn, void *ctx, const char **file, ss_error *err)
{
    int rc = ss_cli_parse(c, argc, argv, own, fn, ctx, err);
    if (rc == SS_CLI_BAD_OPTION)
        return SS_EUSAGE; /* reported, err left clear */
    if (rc != SS_OK)
        return rc;
    if (optind >= argc)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "no input FILE (try 'survstat %s --help')",
                            c->cmd);
    if (argc - optind > 1)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "one input FILE expected, got '%s' too",
                            argv[optind + 1]);
    *file = argv[optind];
    return SS_OK;
}

int ss_cli_df(const char *arg, ss_df_mode *mode, double *fixed, ss_error *err)
{
    if (strcmp(arg, "design") == 0) {
        *mode = SS_DF_DESIGN;
        return SS_OK;
    }
    if (strcmp(arg, "inf") == 0 || strcmp(arg, "Inf") == 0) {
        *mode = SS_DF_INF;
        return SS_OK;
    }
    double v = NAN;
    int rc = ss_cli_number(arg, "--df", &v, err);
    if (rc == SS_OK && !(v > 0))
        rc = ss_error_set(err, SS_EUSAGE, NULL, 0,
                          "--df: expected design, inf or a positive number, got '%s'", arg);
    *mode = SS_DF_FIXED;
    *fixed = v;
    return rc;
}

int ss_cli_df_check(ss_df_mode mode, double fixed, double level, ss_error *err)
{
    /* A df so small that t overflows (R: qt gives Inf) leaves every
     * interval unbounded: refused rather than written as empty cells. */
    if (mode == SS_DF_FIXED && !isfinite(ss_quantile_t(level, fixed)))
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "--df: %g makes the t quantile at level %g infinite (every interval "
                            "unbounded): give a larger df",
                            fixed, level);
    return SS_OK;
}

static int rep_option(ss_cli *c, int opt, const char *arg, ss_error *err)
{
    ss_rep_spec *r = &c->rep;
    double v;
    switch (opt) {
    case SS_OPT_REPLICATE:
        return ss_rep_parse(arg, 0, &r->make, &r->rho, &r->boot_reps, err) == SS_OK ? 1 : -1;
    case SS_OPT_REP_TYPE: {
        size_t reps;
        c->rep_type_set = 1;
        return ss_rep_parse(arg, 1, &r->supplied, &r->supplied_rho, &reps, err) == SS_OK ? 1
                                                                                       : -1;
    }
    case SS_OPT_SEED:
        if (ss_number_parse(arg, strlen(arg), &v) != 0 || v != floor(v) || v < 0 ||
            v > 4294967295.0) {
            ss_error_set(err, SS_EUSAGE, NULL, 0,
                         "--seed: expected a whole number from 0 to 4294967295, got '%s'", arg);
            return -1;
        }
        r->seed = (unsigned long)v;
        r->seed_set = 1;
        return 1;
    case SS_OPT_REPWEIGHTS:
        if (!*arg) {
            ss_error_set(err, SS_EUSAGE, NULL, 0,
                         "--repweights: the pattern is empty: give a regular expression that "
                         "matches the replicate weight columns (as '^repw')");
            return -1;
        }
        r->regex = arg;
        return 1;
    case SS_OPT_REP_SCALE:
        if (ss_number_parse(arg, strlen(arg), &v) != 0 || !(v > 0)) {
            ss_error_set(err, SS_EUSAGE, NULL, 0, "--rep-scale: expected a positive number, got '%s'",
                         arg);
            return -1;
        }
        r->scale = v;
        r->scale_set = 1;
        return 1;
    default:
        r->mse = 1;
        return 1;
    }
}

/* Replicates: made from the design or read from columns, then every
 * weighting redone on each (with the weights before it, w0). */
typedef struct reweight_ctx {
    const ss_design *d;
    const ss_table *t;
    const ss_weight_plan *plan;
} reweight_ctx;

static int reweight(void *ctx, double *w, const unsigned char *outside, ss_error *err)
{
    const reweight_ctx *x = ctx;
    ss_design tmp = *x->d;
    tmp.w = w;
    tmp.cal = NULL;
    tmp.ncal = 0;
    tmp.rep = NULL;
    return ss_weight_reapply(&tmp, x->t, x->plan, outside, err);
}

/* Every replicate weighted as the full sample was, on its cell totals
 * where the plan allows (ss_replicates_reweight). */
static int reweight_with(ss_replicates *r, ss_design *d, const ss_table *t,
                         const ss_weight_plan *plan, const double *w0, ss_error *err)
{
    reweight_ctx ctx = {d, t, plan};
    ss_weight_cells *cells = NULL;
    int rc = ss_weight_cells_alloc(&cells, t, plan, err);
    if (rc == SS_OK)
        rc = ss_replicates_reweight(r, w0, cells, plan->spec, reweight, &ctx, err);
    ss_weight_cells_free(cells);
    return rc;
}

/* The replicates weighted, and degf as R's (survey 4.1.1): postStratify
 * and an unbounded linear calibrate of a replicate design count the rank
 * of the replicate weights they leave, while raking, logit or bounded
 * calibration and trimWeights keep the degf they are given.  So degf is
 * the rank after the last step that counts it; when later steps follow,
 * a copy of the replicates is weighted up to that step to count it. */
static int reweight_replicates(ss_cli *c, ss_design *d, const ss_table *t, const double *w0,
                               ss_error *err)
{
    const ss_weight_spec *w = &c->weight;
    ss_weight_spec upto = *w;
    int lincal = w->calibrate && w->calfun == SS_CALFUN_LINEAR && isinf(w->lower) &&
                 isinf(w->upper);
    if (lincal) {
        upto.trim = 0;
    } else if (w->poststrat) {
        upto.rake = upto.calibrate = NULL;
        upto.trim = 0;
    }
    int counts = lincal || w->poststrat;
    int partial = counts && (upto.trim != w->trim || upto.rake != w->rake ||
                             upto.calibrate != w->calibrate);
    ss_replicates *r = d->rep, *copy = NULL;
    if (partial && (double)r->n * (double)r->nrep * (double)r->nrep < 4e8 &&
        !(copy = ss_replicates_dup(r)))
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    int rc = reweight_with(r, d, t, &c->plan, w0, err);
    if (rc == SS_OK && r->unconv.count)
        fprintf(stderr,
                "survstat %s: warning: replicate %zu: %s: its last iterate is kept, as R's"
                " calibrate does (%zu replicate%s did not converge; see --max-iter,"
                " --epsilon)\n",
                c->cmd, r->unconv.first + 1, r->unconv.message, r->unconv.count,
                r->unconv.count == 1 ? "" : "s");
    if (rc == SS_OK && copy) {
        ss_weight_plan plan = c->plan;
        plan.spec = &upto;
        rc = reweight_with(copy, d, t, &plan, w0, err);
        if (rc == SS_OK) {
            ss_replicates_recount_degf(copy);
            r->degf = copy->degf;
        }
    } else if (rc == SS_OK && counts && !partial) {
        ss_replicates_recount_degf(r);
    }
    ss_replicates_free(copy);
    return rc;
}

/* Replicates that cannot measure a variance are an answer (R's), not an
 * error, but one to be told about. */
static void warn_no_variance(const ss_cli *c, const ss_replicates *r)
{
    const char *type = r->type == SS_REP_JK1 ? "jk1" : r->type == SS_REP_JKN ? "jkn" : "bootstrap";
    if (r->no_variance == SS_REP_NOVAR_CENSUS)
        fprintf(stderr,
                "survstat %s: warning: --replicate %s: every PSU was sampled (fpc fraction 1 at"
                " stage 1), so there is no replicate: every SE is 0, without df or interval;"
                " replicates leave out the variance of later stages (without --replicate the"
                " Taylor variance has them)\n",
                c->cmd, type);
    else if (r->no_variance == SS_REP_NOVAR_LONELY)
        fprintf(stderr,
                "survstat %s: warning: --replicate %s: every stratum has one PSU, so every"
                " replicate repeats the full sample: the SEs are left empty (without"
                " --replicate, --lonely-psu decides)\n",
                c->cmd, type);
}

static int rep_check(const ss_cli *c, ss_error *err)
{
    const ss_rep_spec *r = &c->rep;
    if (r->make != SS_REP_NONE && r->regex)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "give --replicate or --repweights, not both");
    if (r->regex && !c->rep_type_set)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "--repweights needs --rep-type");
    if (!r->regex && (c->rep_type_set || r->scale_set))
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "--rep-type and --rep-scale need --repweights");
    /* R's svrepdesign ignores scale= and rscales= for these, with a warning */
    if (r->scale_set && (r->supplied == SS_REP_SDR || r->supplied == SS_REP_ACS ||
                         r->supplied == SS_REP_JK2))
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "--rep-scale: --rep-type %s fixes the scale (%s): leave --rep-scale out,"
                            " or use --rep-type other with it",
                            r->supplied == SS_REP_SDR ? "sdr" : r->supplied == SS_REP_ACS ? "acs" : "jk2",
                            r->supplied == SS_REP_JK2 ? "1" : "4/R");
    if (r->make == SS_REP_NONE && !r->regex && r->mse)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "--mse needs --replicate or --repweights");
    if (r->seed_set && r->make != SS_REP_BOOTSTRAP && r->make != SS_REP_SUBBOOTSTRAP)
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "--seed needs --replicate bootstrap:R or subbootstrap:R");
    /* R's as.svrepdesign fails on every hr, ht and yg design (class "pps",
     * whose fpc it cannot read); a Brewer design is R's survey.design2 with
     * probabilities as fpc (ss_replicate.h says which types R allows). */
    if (r->make != SS_REP_NONE && c->design.pps != SS_PPS_NONE &&
        c->design.pps != SS_PPS_BREWER)
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "--replicate with --pps %s: R's as.svrepdesign makes no replicates"
                            " of hr, ht or yg designs; with --pps brewer it allows"
                            " subbootstrap:R, brr and fay:RHO (jk1, jkn and bootstrap:R when"
                            " the probabilities are one per stratum)",
                            c->design.pps == SS_PPS_HR ? "hr" : c->design.pps == SS_PPS_HT ? "ht"
                                                                                         : "yg");
    return SS_OK;
}

int ss_cli_option(ss_cli *c, int opt, const char *arg, ss_error *err)
{
    size_t n;
    switch (opt) {
    case SS_OPT_WEIGHTS:
        c->design.weights = arg;
        return 1;
    case SS_OPT_STRATA:
        c->design.strata = arg;
        return 1;
    case SS_OPT_IDS:
        if (ss_cli_split(c, arg, ',', c->design.ids, SS_MAX_STAGES, &n, "--ids", err))
            return -1;
        c->design.nids = n;
        return 1;
    case SS_OPT_FPC:
        if (ss_cli_split(c, arg, ',', c->design.fpc, SS_MAX_STAGES, &n, "--fpc", err))
            return -1;
        c->design.nfpc = n;
        return 1;
    case SS_OPT_NEST:
        c->design.nest = 1;
        return 1;
    case SS_OPT_PPS: {
        static const char *const methods[] = {"brewer", "hr", "ht", "yg"};
        for (size_t i = 0; i < 4; i++)
            if (strcmp(arg, methods[i]) == 0) {
                c->design.pps = (ss_pps_method)(SS_PPS_BREWER + i);
                return 1;
            }
        ss_error_set(err, SS_EUSAGE, NULL, 0, "--pps: unknown method '%s' (brewer, hr, ht, yg)",
                     arg);
        return -1;
    }
    case SS_OPT_JOINT_PROBS:
        c->design.joint_probs = arg;
        return 1;
    case SS_OPT_LONELY: {
        static const struct {
            const char *name;
            ss_lonely rule;
        } rules[] = {{"fail", SS_LONELY_FAIL},       {"remove", SS_LONELY_REMOVE},
                     {"adjust", SS_LONELY_ADJUST},   {"average", SS_LONELY_AVERAGE},
                     {"certainty", SS_LONELY_CERTAINTY}};
        for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
            if (strcmp(arg, rules[i].name) == 0) {
                c->design.lonely = rules[i].rule;
                return 1;
            }
        ss_error_set(err, SS_EUSAGE, NULL, 0,
                     "--lonely-psu: unknown rule '%s' (fail, remove, adjust, average, certainty)",
                     arg);
        return -1;
    }
    case SS_OPT_NA: {
        /* [VARS:]CODES: both lists checked here, taken apart by the
         * reader (ss_table_requests). */
        const char *items[256];
        const char *colon = strchr(arg, ':');
        if (colon) {
            char *vars = own(c, arg);
            if (!vars) {
                ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
                return -1;
            }
            vars[colon - arg] = '\0';
            if (ss_cli_split(c, vars, ',', items, 256, &n, "--na", err) ||
                ss_cli_split(c, colon + 1, ',', items, 256, &n, "--na", err))
                return -1;
        } else if (ss_cli_split(c, arg, ',', items, 256, &n, "--na", err)) {
            return -1;
        }
        const char **p = realloc(c->na, (c->nna + 1) * sizeof *p);
        if (!p) {
            ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
            return -1;
        }
        c->na = p;
        if (!(c->na[c->nna] = own(c, arg))) {
            ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
            return -1;
        }
        c->nna++;
        c->read.na = c->na;
        c->read.nna = c->nna;
        return 1;
    }
    case SS_OPT_LABELS:
        c->read.labels = arg;
        return 1;
    case SS_OPT_CODES:
        c->read.codes = 1;
        return 1;
    case 'd':
        if (strcmp(arg, "\\t") == 0 || strcmp(arg, "tab") == 0) {
            c->read.delimiter = '\t';
        } else if (strlen(arg) == 1 && arg[0] != '"' && arg[0] != '\n' && arg[0] != '\r') {
            c->read.delimiter = arg[0];
        } else {
            ss_error_set(err, SS_EUSAGE, NULL, 0,
                         "--delimiter: expected one character or 'tab', got '%s'", arg);
            return -1;
        }
        return 1;
    case SS_OPT_ENCODING: {
        if (!*arg) { /* iconv would take the locale's charset */
            ss_error_set(err, SS_EUSAGE, NULL, 0,
                         "--encoding: the encoding is empty: name one, as UTF-16LE or "
                         "gb18030 (UTF-8 is the default)");
            return -1;
        }
        iconv_t cd = iconv_open("UTF-8", arg);
        if (cd == (iconv_t)-1) {
            ss_error_set(err, SS_EUSAGE, NULL, 0, "--encoding: unknown encoding '%s'", arg);
            return -1;
        }
        iconv_close(cd);
        c->read.encoding = arg;
        return 1;
    }
    case SS_OPT_FORMAT:
        if (ss_format_parse(arg, &c->format) != 0) {
            ss_error_set(err, SS_EUSAGE, NULL, 0,
                         "--format: unknown format '%s' (text, csv, json, md, xlsx, html)", arg);
            return -1;
        }
        c->format_set = 1;
        return 1;
    case 'o':
        c->output = arg;
        return 1;
    case SS_OPT_QUIET:
        c->quiet = 1;
        return 1;
    case SS_OPT_PERCENT:
        c->percent = 1;
        return 1;
    case SS_OPT_POSTSTRAT:
        c->weight.poststrat = arg;
        return 1;
    case SS_OPT_RAKE:
        c->weight.rake = arg;
        return 1;
    case SS_OPT_CALIBRATE:
        c->weight.calibrate = arg;
        return 1;
    case SS_OPT_CALFUN: {
        static const char *const names[] = {"linear", "raking", "logit"};
        for (size_t i = 0; i < 3; i++)
            if (strcmp(arg, names[i]) == 0) {
                c->weight.calfun = (ss_calfun)i;
                c->calfun_set = 1;
                return 1;
            }
        ss_error_set(err, SS_EUSAGE, NULL, 0,
                     "--calfun: expected linear, raking or logit, got '%s'", arg);
        return -1;
    }
    case SS_OPT_BOUNDS:
    case SS_OPT_TRIM: {
        const char *name = opt == SS_OPT_BOUNDS ? "--bounds" : "--trim-weights";
        const char *items[2];
        double v[2];
        if (ss_cli_split(c, arg, ',', items, 2, &n, name, err))
            return -1;
        if (n != 2 || ss_number_parse(items[0], strlen(items[0]), &v[0]) != 0 ||
            ss_number_parse(items[1], strlen(items[1]), &v[1]) != 0 || !(v[0] < v[1])) {
            ss_error_set(err, SS_EUSAGE, NULL, 0,
                         "%s: expected LOW,HIGH with LOW < HIGH, got '%s'", name, arg);
            return -1;
        }
        if (opt == SS_OPT_BOUNDS) {
            c->weight.lower = v[0];
            c->weight.upper = v[1];
            c->bounds_set = 1;
        } else {
            c->weight.trim = 1;
            c->weight.trim_low = v[0];
            c->weight.trim_high = v[1];
        }
        return 1;
    }
    case SS_OPT_MAX_ITER:
    case SS_OPT_EPSILON:
    case SS_OPT_RAKE_CAP: {
        const char *name = opt == SS_OPT_MAX_ITER ? "--max-iter"
                           : opt == SS_OPT_EPSILON ? "--epsilon" : "--rake-cap";
        double v;
        if (ss_number_parse(arg, strlen(arg), &v) != 0 || !(v > 0) ||
            (opt == SS_OPT_MAX_ITER && (v != floor(v) || v > 100000)) ||
            (opt == SS_OPT_RAKE_CAP && !(v > 1))) {
            ss_error_set(err, SS_EUSAGE, NULL, 0, "%s: expected a %s, got '%s'", name,
                         opt == SS_OPT_MAX_ITER ? "positive whole number"
                         : opt == SS_OPT_EPSILON ? "positive number" : "number above 1",
                         arg);
            return -1;
        }
        if (opt == SS_OPT_MAX_ITER)
            c->weight.max_iter = (int)v;
        else if (opt == SS_OPT_EPSILON)
            c->weight.epsilon = v;
        else
            c->weight.rake_cap = v;
        return 1;
    }
    case SS_OPT_REPLICATE:
    case SS_OPT_REP_TYPE:
    case SS_OPT_SEED:
    case SS_OPT_REPWEIGHTS:
    case SS_OPT_REP_SCALE:
    case SS_OPT_MSE:
        return rep_option(c, opt, arg, err);
    case SS_OPT_SUBSET:
        ss_subset_free(c->subset);
        c->subset = NULL;
        return ss_subset_parse(arg, "--subset", &c->subset, err) == SS_OK ? 1 : -1;
    default:
        return 0;
    }
}

static int read_table(const ss_cli *c, const char *file, const ss_request *req, size_t nreq,
                      ss_table *t, ss_error *err)
{
    ss_progress bar;
    ss_read_options ro = c->read;
    if (!c->quiet && isatty(STDERR_FILENO)) {
        ss_progress_init(&bar, "reading");
        ro.progress = ss_progress_update;
        ro.progress_ctx = &bar;
    }
    int rc = ss_table_read(t, file, &ro, req, nreq, err);
    if (ro.progress)
        ss_progress_done(&bar);
    return rc;
}

/* ---- one read of a data file for several commands (survstat run) ----
 *
 * A first pass of the commands (collecting) records what every
 * ss_cli_load would read; the first load after it reads the file once
 * with all those columns, and every load of that file with the same read
 * options borrows the table.  When the shared read fails (a column one
 * command needs as a number holds text, say) every command reads the file
 * itself, so each still gets its own error. */
static struct {
    int on, collecting, valid, tried, loaded;
    char *file;
    char delimiter; /* and the other read options of the first request */
    char *encoding;
    char *labels;
    int codes;
    char **na;
    size_t nna;
    ss_request *req;
    size_t nreq, cap;
    ss_table t;
} share;

static int same_read(const ss_read_options *ro)
{
    if (share.delimiter != ro->delimiter || share.nna != ro->nna || share.codes != ro->codes ||
        (share.labels == NULL) != (ro->labels == NULL) ||
        (ro->labels && strcmp(share.labels, ro->labels) != 0) ||
        (share.encoding == NULL) != (ro->encoding == NULL) ||
        (ro->encoding && strcmp(share.encoding, ro->encoding) != 0))
        return 0;
    for (size_t i = 0; i < ro->nna; i++)
        if (strcmp(share.na[i], ro->na[i]) != 0)
            return 0;
    return 1;
}

static int keep_read(const ss_read_options *ro)
{
    share.delimiter = ro->delimiter;
    share.codes = ro->codes;
    if (ro->labels && !(share.labels = strdup(ro->labels)))
        return -1;
    if (ro->encoding && !(share.encoding = strdup(ro->encoding)))
        return -1;
    if (!(share.na = calloc(ro->nna ? ro->nna : 1, sizeof *share.na)))
        return -1;
    for (size_t i = 0; i < ro->nna; i++, share.nna++)
        if (!(share.na[i] = strdup(ro->na[i])))
            return -1;
    return 0;
}

static void share_collect(const char *file, const ss_read_options *ro, const ss_request *req,
                          size_t nreq)
{
    if (!share.valid)
        return;
    if (!strcmp(file, "-") || ro->all_columns || ro->keep_text) {
        share.valid = 0;
        return;
    }
    if (!share.file) {
        if (!(share.file = strdup(file)) || keep_read(ro) != 0) {
            share.valid = 0;
            return;
        }
    } else if (strcmp(share.file, file) != 0 || !same_read(ro)) {
        share.valid = 0; /* one file per run of commands */
        return;
    }
    for (size_t i = 0; i < nreq; i++) {
        if (share.nreq == share.cap) {
            size_t cap = share.cap ? 2 * share.cap : 64;
            ss_request *r = realloc(share.req, cap * sizeof *r);
            if (!r) {
                share.valid = 0;
                return;
            }
            share.req = r;
            share.cap = cap;
        }
        char *name = strdup(req[i].name);
        if (!name) {
            share.valid = 0;
            return;
        }
        share.req[share.nreq++] = (ss_request){name, req[i].need};
    }
}

/* Lend the shared table to a load of file that it covers; 0: read it. */
static int share_lend(const ss_cli *c, const char *file, const ss_request *req, size_t nreq,
                      ss_table *t)
{
    if (!share.on || !share.valid || !share.file || strcmp(share.file, file) != 0 ||
        c->read.all_columns || c->read.keep_text || !same_read(&c->read))
        return 0;
    if (!share.tried) {
        share.tried = 1;
        ss_error e;
        ss_error_clear(&e);
        share.loaded = read_table(c, file, share.req, share.nreq, &share.t, &e) == SS_OK;
        if (!share.loaded)
            ss_table_free(&share.t);
    }
    if (!share.loaded)
        return 0;
    for (size_t i = 0; i < nreq; i++) {
        const ss_column *col = ss_table_find(&share.t, req[i].name);
        /* Numbers read with ss_column_num may come unpacked. */
        unsigned have = col ? col->need : 0;
        if (have & SS_NEED_NUMBER)
            have |= SS_NEED_PACKED;
        unsigned need = req[i].need & ~(unsigned)SS_NEED_DESIGN;
        /* numbers or a category, whichever the shared read made it */
        if ((need & SS_NEED_AUTO) && (have & (SS_NEED_CATEGORY | SS_NEED_PACKED)))
            need &= ~(unsigned)SS_NEED_AUTO;
        /* presence: any column read tells it */
        if ((need & SS_NEED_PRESENT) && have)
            need &= ~(unsigned)SS_NEED_PRESENT;
        if (!col || (have & need) != need)
            return 0;
    }
    *t = share.t;
    t->borrowed = 1;
    return 1;
}

void ss_cli_share_begin(void)
{
    ss_cli_share_end();
    share.on = share.valid = 1;
}

void ss_cli_share_collect(int on)
{
    share.collecting = on;
}

void ss_cli_share_end(void)
{
    for (size_t i = 0; i < share.nreq; i++)
        free((char *)share.req[i].name);
    free(share.req);
    free(share.file);
    free(share.encoding);
    free(share.labels);
    for (size_t i = 0; i < share.nna; i++)
        free(share.na[i]);
    free(share.na);
    ss_table_free(&share.t);
    memset(&share, 0, sizeof share);
}

/* --subset on the table as read: the row mask, and an error when it keeps
 * no row. */
static int eval_subset(ss_cli *c, const ss_table *t, ss_error *err)
{
    c->subset_rows = malloc(t->nrow ? t->nrow : 1);
    if (!c->subset_rows)
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    int rc = ss_subset_eval(c->subset, t, c->subset_rows, err);
    for (size_t i = 0; i < t->nrow && rc == SS_OK; i++)
        c->subset_n += c->subset_rows[i];
    if (rc == SS_OK && c->subset_n == 0) {
        char q[300];
        const char *x = ss_subset_text(c->subset);
        rc = ss_error_set(err, SS_EDATA, t->file, 0,
                          "--subset '%s' keeps no row (of %zu): no estimate can be made; "
                          "check the values it compares with",
                          ss_error_quote(x, strlen(x), q, 200), t->nrow);
    }
    return rc;
}

int ss_cli_load(ss_cli *c, const char *file, const ss_request *req, size_t nreq, ss_table *t,
                ss_design *d, ss_weight_report *rep, ss_error *err)
{
    const ss_weight_spec *w = &c->weight;
    if ((w->rake != NULL) + (w->calibrate != NULL) > 1)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "give --rake or --calibrate, not both");
    if (c->calfun_set && !w->calibrate)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "--calfun needs --calibrate");
    if (c->bounds_set && !w->calibrate && !w->rake)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "--bounds needs --calibrate or --rake");
    if (w->rake_cap > 0 && !w->rake)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "--rake-cap needs --rake");
    if ((w->nnonresponse > 0) != (w->responded != NULL))
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "--nonresponse and --responded go together");
    int rc = rep_check(c, err);
    if (rc == SS_OK)
        rc = ss_weight_load(&c->plan, w, &c->read, err);
    if (rc != SS_OK)
        return rc;
    char **repcols = NULL;
    size_t nrepcols = 0;
    if (c->rep.regex &&
        (rc = ss_replicates_columns(file, c->read.delimiter, &c->rep, &repcols, &nrepcols,
                                    err)) != SS_OK)
        return rc;
    const char *const *subset_cols = NULL;
    size_t nsubset_cols = c->subset ? ss_subset_columns(c->subset, &subset_cols) : 0;
    free(c->subset_rows);
    c->subset_rows = NULL;
    c->subset_n = 0;
    size_t max = nreq + nrepcols + nsubset_cols + 3 + 2 * SS_MAX_STAGES +
                 ss_weight_max_requests(&c->plan);
    ss_request *all = malloc(max * sizeof *all);
    double *w0 = NULL;
    if (!all)
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    if (rc == SS_OK) {
        size_t k = ss_design_requests(&c->design, all);
        /* ss_design_build reads the weights (its first request) with
         * ss_column_num; weighting and replicates read the column
         * themselves. */
        if (c->pack_weights && c->design.weights && !ss_weight_any(w) &&
            c->rep.make == SS_REP_NONE && !c->rep.regex)
            all[0].need = SS_NEED_PACKED;
        for (size_t j = 0; j < k; j++) /* never made missing by --na */
            all[j].need |= SS_NEED_DESIGN;
        k += ss_weight_requests(&c->plan, all + k);
        if (nreq)
            memcpy(all + k, req, nreq * sizeof *req);
        k += nreq;
        /* Replicate weights are read in place with ss_column_num
         * (ss_replicates_supplied): two bytes a value where they pack. */
        for (size_t j = 0; j < nrepcols; j++)
            all[k++] = (ss_request){repcols[j], SS_NEED_PACKED | SS_NEED_DESIGN};
        /* --subset compares levels: its columns as categories. */
        for (size_t j = 0; j < nsubset_cols; j++)
            all[k++] = (ss_request){subset_cols[j], SS_NEED_CATEGORY};
        if (share.collecting) {
            share_collect(file, &c->read, all, k);
            free(all);
            for (size_t j = 0; j < nrepcols; j++)
                free(repcols[j]);
            free(repcols);
            return ss_error_set(err, SS_EUSAGE, NULL, 0, "(requests collected)");
        }
        if (!share_lend(c, file, all, k, t))
            rc = read_table(c, file, all, k, t, err);
        /* A column of EXPR that the file lacks: point at it in EXPR. */
        for (size_t j = 0; rc == SS_EDATA && j < nsubset_cols; j++)
            if (ss_error_is(err, SS_WHY_NO_COLUMN, subset_cols[j]) && err->line == 0)
                rc = ss_subset_unknown(c->subset, subset_cols[j], err);
    }
    free(all);
    if (rc == SS_OK && ss_weight_plan_relabel(&c->plan, t) != 0)
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    if (rc == SS_OK && c->subset)
        rc = eval_subset(c, t, err);
    if (rc == SS_OK)
        rc = ss_design_build(d, t, &c->design, err);
    if (rc == SS_OK && (c->rep.make == SS_REP_BOOTSTRAP || c->rep.make == SS_REP_SUBBOOTSTRAP) &&
        !c->rep.seed_set) {
        /* A seed of our own, said on stderr so that the run can be
         * repeated: --seed takes 32 bits, and mt19937 uses no more. */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t x = ((uint64_t)ts.tv_sec * 1000000007u) ^ (uint64_t)ts.tv_nsec ^
                     ((uint64_t)getpid() << 20);
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdull;
        x ^= x >> 33;
        c->rep.seed = (unsigned long)(x & 0xffffffffu);
        c->rep.seed_set = 1;
        fprintf(stderr, "survstat %s: bootstrap seed %lu (give --seed %lu to repeat)\n", c->cmd,
                c->rep.seed, c->rep.seed);
    }
    d->rep_free = ss_replicates_free; /* the design owns what is attached below */
    if (rc == SS_OK && c->rep.make != SS_REP_NONE)
        rc = ss_replicates_make(&d->rep, d, &c->rep, err);
    if (rc == SS_OK && d->rep)
        warn_no_variance(c, d->rep);
    if (rc == SS_OK && c->rep.regex)
        rc = ss_replicates_supplied(&d->rep, t, repcols, nrepcols, &c->rep, err);
    if (rc == SS_OK && d->rep && ss_weight_any(w)) {
        w0 = malloc((d->n ? d->n : 1) * sizeof *w0);
        if (!w0)
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        else
            memcpy(w0, d->w, d->n * sizeof *w0);
    }
    if (rc == SS_OK && ss_weight_any(w))
        rc = ss_weight_apply(d, t, &c->plan, rep, err);
    if (rc == SS_OK && w0)
        rc = reweight_replicates(c, d, t, w0, err);
    if (rc == SS_OK && d->rep)
        d->df = d->rep->degf;
    free(w0);
    for (size_t j = 0; j < nrepcols; j++)
        free(repcols[j]);
    free(repcols);
    return rc;
}

/* A text cell for a message: "" when the column is numeric or unset. */
static const char *grid_text(const ss_grid *g, size_t i, long j)
{
    if (j < 0 || g->is_number[j])
        return "";
    const char *t = g->cell[i * g->ncol + (size_t)j].text;
    return t ? t : "";
}

ss_format ss_cli_format(const ss_cli *c)
{
    return c->format_set ? c->format : ss_format_for_path(c->output, SS_FMT_TEXT);
}

void ss_cli_about(const ss_cli *c, double conf_level, char *buf, size_t size,
                  const char **items)
{
    size_t k = 0, n = 0;
    char *end = buf + size;
#define ABOUT_PUT(key, ...)                                                   \
    do {                                                                      \
        if (buf + k < end) {                                                  \
            items[n++] = key;                                                 \
            items[n++] = buf + k;                                             \
            int w_ = snprintf(buf + k, (size_t)(end - (buf + k)), __VA_ARGS__); \
            k += w_ > 0 ? (size_t)w_ + 1 : 1;                                 \
            if (buf + k > end)                                                \
                k = size;                                                     \
        }                                                                     \
    } while (0)
    ABOUT_PUT("command", "%s", c->cmdline ? c->cmdline : c->cmd);
    const ss_design_spec *d = &c->design;
    char ids[512] = "", fpc[512] = "";
    for (size_t i = 0; i < d->nids; i++)
        snprintf(ids + strlen(ids), sizeof ids - strlen(ids), "%s%s", i ? "," : "", d->ids[i]);
    for (size_t i = 0; i < d->nfpc; i++)
        snprintf(fpc + strlen(fpc), sizeof fpc - strlen(fpc), "%s%s", i ? "," : "", d->fpc[i]);
    if (!d->weights && !d->strata && !d->nids && !d->nfpc && c->rep.make == SS_REP_NONE &&
        !c->rep.regex)
        ABOUT_PUT("design", "none (every row weighs 1; simple random sampling)");
    else
        ABOUT_PUT("design", "strata %s; PSUs (ids) %s; fpc %s; weights %s%s%s",
                  d->strata ? d->strata : "none", d->nids ? ids : "every row",
                  d->nfpc ? fpc : "none", d->weights ? d->weights : "1",
                  d->nest ? "; nested" : "", c->rep.make != SS_REP_NONE || c->rep.regex ? "; replicate weights" : "");
    if (ss_weight_any(&c->weight))
        ABOUT_PUT("weighting", "%s%s%s%s%s%s%s%s",
                  c->weight.poststrat ? "poststrat " : "",
                  c->weight.poststrat ? c->weight.poststrat : "",
                  c->weight.rake ? " rake " : "", c->weight.rake ? c->weight.rake : "",
                  c->weight.calibrate ? " calibrate " : "",
                  c->weight.calibrate ? c->weight.calibrate : "",
                  c->weight.trim ? " trim-weights" : "", "");
    if (!isnan(conf_level))
        ABOUT_PUT("confidence level", "%.10g%%", 100 * conf_level);
    time_t now = time(NULL);
    struct tm tm;
    char date[64] = "";
    if (gmtime_r(&now, &tm))
        strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S UTC", &tm);
    ABOUT_PUT("date", "%s", date);
    if (c->percent)
        ABOUT_PUT("display", "%s", "--percent: proportions show in percent (the cells hold "
                                   "fractions)");
    ABOUT_PUT("survstat version", "%s", SURVSTAT_VERSION);
#undef ABOUT_PUT
    items[n] = NULL;
}

/* An infinite number in a result is an overflow (weights or values too
 * large for double precision), never an answer: refuse it rather than
 * print Inf.  Two kinds of columns may hold an infinite value as an
 * answer: a test statistic ('t' of a contrast or trend, the 'statistic'
 * of survstat test) whose SE is exactly 0 while the difference is not (R
 * answers t = +-Inf, p = 0 there; an estimate or SE that overflowed is
 * refused in its own column first), and the cv of a zero estimate. */
static int check_finite(const ss_grid *g, ss_error *err)
{
    long stat = -1, var = -1;
    for (size_t j = 0; j < g->ncol; j++) {
        if (g->is_number[j])
            continue;
        if (strcmp(g->name[j], "statistic") == 0 || strcmp(g->name[j], "test") == 0)
            stat = (long)j;
        else if (strcmp(g->name[j], "variable") == 0)
            var = (long)j;
    }
    for (size_t i = 0; i < g->nrow; i++)
        for (size_t j = 0; j < g->ncol; j++) {
            const ss_cell *x = &g->cell[i * g->ncol + j];
            if (!g->is_number[j] || !isinf(x->num) || strcmp(g->name[j], "cv") == 0 ||
                strcmp(g->name[j], "t") == 0 || strcmp(g->name[j], "statistic") == 0)
                continue;
            char what[256] = "";
            if (stat >= 0 && var >= 0)
                snprintf(what, sizeof what, " (%s %s)", grid_text(g, i, stat),
                         grid_text(g, i, var));
            return ss_error_set(err, SS_EDATA, NULL, 0,
                                "result row %zu%s: column '%s' overflows to %s (weights or "
                                "values too large for double precision): rescale them",
                                i + 1, what, g->name[j], x->num > 0 ? "Inf" : "-Inf");
        }
    return SS_OK;
}

/* What ss_cli_write and ss_cli_write_sheets write: the grid g alone, or
 * the sheets s[0..n). */
struct grid_out {
    const ss_grid *g;
    const ss_sheet *s;
    size_t n;
    ss_format f;
    const ss_write_opts *o;
};

static int write_grid(FILE *fp, void *ctx)
{
    const struct grid_out *go = ctx;
    return go->s ? ss_sheets_write(fp, go->f, go->s, go->n, go->o)
                 : ss_grid_write_opts(fp, go->g, go->f, go->o);
}

static int write_checked(ss_cli *c, const ss_grid *g, const ss_sheet *s, size_t n,
                         ss_error *err)
{
    if (check_finite(g, err) != SS_OK)
        return SS_EDATA;
    char buf[8192], title[128];
    const char *about[16];
    ss_cli_about(c, ss_grid_conf_level(g), buf, sizeof buf, about);
    snprintf(title, sizeof title, "survstat %s", c->cmd);
    ss_write_opts o = {c->percent, title, about, c->cmd};
    struct grid_out go = {g, s, n, ss_cli_format(c), &o};
    return ss_cli_write_with(c, write_grid, &go, err);
}

int ss_cli_write(ss_cli *c, const ss_grid *g, ss_error *err)
{
    return write_checked(c, g, NULL, 0, err);
}

int ss_cli_write_sheets(ss_cli *c, const ss_grid *g, const ss_sheet *s, size_t n, ss_error *err)
{
    return write_checked(c, g, s, n, err);
}

int ss_cli_write_with(ss_cli *c, int (*write)(FILE *fp, void *ctx), void *ctx, ss_error *err)
{
    ss_output out;
    int rc = ss_output_open(&out, c->output, err);
    if (rc != SS_OK)
        return rc;
    if (write(out.fp, ctx) != 0) {
        const char *e = strerror(errno);
        if (out.fp == stdout)
            ss_error_set(err, SS_EDATA, NULL, 0, "write error on standard output: %s", e);
        else
            ss_error_set(err, SS_EDATA, c->output, 0, "write error: %s", e);
        ss_output_abort(&out);
        return SS_EDATA;
    }
    return ss_output_commit(&out, err);
}
