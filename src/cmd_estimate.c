/* survstat estimate: design-based estimates (CLI.md "Estimates"). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ss_cli.h"
#include "ss_commands.h"
#include "ss_estimate.h"
#include "ss_result.h"
#include "ss_writer.h"

const char cmd_estimate_usage[] =
    "usage: survstat estimate FILE [design options] [estimates] [options]\n"
    "\n"
    "Design-based estimates with SE, CI, df, deff, n, n_eff and cv, by Taylor\n"
    "linearization (the meaning of R's svydesign, svymean, svytotal, svyratio).\n"
    "\n"
    "design options:\n"
    "  --weights COL          sampling weights (default 1, or from --fpc as R does)\n"
    "  --strata COL           stratum identifiers\n"
    "  --ids COL[,COL...]     cluster identifiers, one per stage (default: rows)\n"
    "  --fpc COL[,COL...]     per stage: population count (>= 1) or fraction (< 1);\n"
    "                         a stage without one is sampled with replacement\n"
    "  --nest                 PSU ids repeat across strata\n"
    "  --lonely-psu RULE      fail (default), remove, adjust, average, certainty\n"
    "input options:\n"
    "  --na CODES             extra missing codes, e.g. 9,99 (empty and NA always)\n"
    "  -d, --delimiter C      field separator: one character or 'tab'\n"
    "  --encoding ENC         convert from ENC (e.g. gb18030) to UTF-8\n"
    "estimates (each may repeat; VARS is a comma-separated list):\n"
    "  --mean VARS  --total VARS  --prop VARS  --ratio NUM/DEN\n"
    "  --by VARS              domain estimates that keep the whole design\n"
    "options:\n"
    "  --level P              confidence level (default 0.95)\n"
    "  --df design|inf|N      t degrees of freedom (default: PSUs minus strata)\n"
    "  --domain-df            count PSUs and strata inside each domain instead\n"
    "  --deff                 design effect against SRS without replacement\n"
    "  --wave LABEL           stamp every row with a wave label\n"
    "  --format FMT           text, csv, json or md (default: from -o, else text)\n"
    "  -o FILE                write FILE whole or not at all\n"
    "\n"
    "Proportions get R's svyciprop logit interval; a 0% or 100% estimate gets\n"
    "the one-sided exact binomial bound on the domain's n.\n"
    "\n"
    "examples:\n"
    "  survstat estimate datasets/apiclus1.csv --ids dnum --weights pw --fpc fpc --mean api00\n"
    "  survstat estimate datasets/apistrat.csv --strata stype --weights pw --fpc fpc"
    " --prop sch.wide --by stype --format csv\n";

enum {
    OPT_MEAN = SS_OPT_FIRST_COMMAND,
    OPT_TOTAL,
    OPT_PROP,
    OPT_RATIO,
    OPT_BY,
    OPT_LEVEL,
    OPT_DF,
    OPT_DOMAIN_DF,
    OPT_DEFF,
    OPT_WAVE,
};

static const struct option own_options[] = {
    {"mean", required_argument, NULL, OPT_MEAN},
    {"total", required_argument, NULL, OPT_TOTAL},
    {"prop", required_argument, NULL, OPT_PROP},
    {"ratio", required_argument, NULL, OPT_RATIO},
    {"by", required_argument, NULL, OPT_BY},
    {"level", required_argument, NULL, OPT_LEVEL},
    {"df", required_argument, NULL, OPT_DF},
    {"domain-df", no_argument, NULL, OPT_DOMAIN_DF},
    {"deff", no_argument, NULL, OPT_DEFF},
    {"wave", required_argument, NULL, OPT_WAVE},
    {NULL, 0, NULL, 0},
};

#define MAX_REQUESTS 4096

typedef struct estimate_args {
    ss_cli cli;
    ss_estimate_request req[MAX_REQUESTS];
    size_t nreq;
    ss_estimate_options opt;
    const char *by[16];
    const char *wave;
    const char *file;
} estimate_args;

static int add_vars(estimate_args *a, ss_stat stat, const char *arg, const char *option,
                    ss_error *err)
{
    const char *items[MAX_REQUESTS];
    size_t n;
    int rc = ss_cli_split(&a->cli, arg, ',', items, MAX_REQUESTS, &n, option, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if (a->nreq == MAX_REQUESTS)
            return ss_error_set(err, SS_EUSAGE, NULL, 0, "too many estimates");
        ss_estimate_request *r = &a->req[a->nreq++];
        r->stat = stat;
        r->var = items[i];
        r->den = NULL;
        if (stat == SS_STAT_RATIO) {
            const char *parts[2];
            size_t k;
            rc = ss_cli_split(&a->cli, items[i], '/', parts, 2, &k, option, err);
            if (rc)
                return rc;
            if (k != 2)
                return ss_error_set(err, SS_EUSAGE, NULL, 0,
                                    "--ratio: expected NUM/DEN, got '%s'", items[i]);
            r->var = parts[0];
            r->den = parts[1];
        }
    }
    return SS_OK;
}

static int parse_args(estimate_args *a, int argc, char **argv, ss_error *err)
{
    struct option *opts = ss_command_options(own_options);
    if (!opts)
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    int rc = SS_OK, c;
    optind = 1;
    opterr = 0;
    while (rc == SS_OK && (c = getopt_long(argc, argv, SS_CLI_SHORT, opts, NULL)) != -1) {
        int h = ss_cli_option(&a->cli, c, optarg, err);
        if (h < 0) {
            rc = err->code;
            break;
        }
        if (h == 1)
            continue;
        double v;
        size_t n;
        switch (c) {
        case OPT_MEAN:
            rc = add_vars(a, SS_STAT_MEAN, optarg, "--mean", err);
            break;
        case OPT_TOTAL:
            rc = add_vars(a, SS_STAT_TOTAL, optarg, "--total", err);
            break;
        case OPT_PROP:
            rc = add_vars(a, SS_STAT_PROP, optarg, "--prop", err);
            break;
        case OPT_RATIO:
            rc = add_vars(a, SS_STAT_RATIO, optarg, "--ratio", err);
            break;
        case OPT_BY:
            rc = ss_cli_split(&a->cli, optarg, ',', a->by, 16, &n, "--by", err);
            a->opt.by = a->by;
            a->opt.nby = n;
            break;
        case OPT_LEVEL:
            rc = ss_cli_number(optarg, "--level", &v, err);
            if (rc == SS_OK && !(v > 0 && v < 1))
                rc = ss_error_set(err, SS_EUSAGE, NULL, 0,
                                  "--level: expected a number between 0 and 1, got '%s'", optarg);
            a->opt.level = v;
            break;
        case OPT_DF:
            if (strcmp(optarg, "design") == 0) {
                a->opt.df_mode = SS_DF_DESIGN;
            } else if (strcmp(optarg, "inf") == 0 || strcmp(optarg, "Inf") == 0) {
                a->opt.df_mode = SS_DF_INF;
            } else {
                rc = ss_cli_number(optarg, "--df", &v, err);
                if (rc == SS_OK && !(v > 0))
                    rc = ss_error_set(err, SS_EUSAGE, NULL, 0,
                                      "--df: expected design, inf or a positive number, got '%s'",
                                      optarg);
                a->opt.df_mode = SS_DF_FIXED;
                a->opt.df_fixed = v;
            }
            break;
        case OPT_DOMAIN_DF:
            a->opt.domain_df = 1;
            break;
        case OPT_DEFF:
            a->opt.deff = 1;
            break;
        case OPT_WAVE:
            a->wave = optarg;
            break;
        default:
            free(opts);
            ss_command_bad_option("estimate", argc, argv); /* prints the message */
            return SS_EUSAGE;
        }
    }
    free(opts);
    if (rc != SS_OK)
        return rc;
    if (optind >= argc)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "no input FILE (try 'survstat estimate --help')");
    if (argc - optind > 1)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "one input FILE expected, got '%s' too",
                            argv[optind + 1]);
    a->file = argv[optind];
    if (a->nreq == 0)
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "nothing to estimate: give --mean, --total, --prop or --ratio");
    return SS_OK;
}

int cmd_estimate(int argc, char **argv)
{
    static estimate_args a;
    memset(&a, 0, sizeof a);
    ss_cli_init(&a.cli, "estimate");
    a.opt.level = 0.95;
    a.opt.df_mode = SS_DF_DESIGN;

    ss_error err;
    ss_error_clear(&err);
    ss_table t = {0};
    ss_design d = {0};
    ss_result res;
    ss_result_init(&res);
    ss_grid g = {0};
    ss_request *req = NULL;

    int rc = parse_args(&a, argc, argv, &err);
    if (rc == SS_EUSAGE && err.code == SS_OK) {
        ss_cli_free(&a.cli);
        return 2; /* already reported by ss_command_bad_option */
    }
    if (rc == SS_OK) {
        req = malloc((2 * a.nreq + 16 + 3 + 2 * SS_MAX_STAGES) * sizeof *req);
        if (!req)
            rc = ss_error_set(&err, SS_EDATA, NULL, 0, "out of memory");
    }
    if (rc == SS_OK) {
        size_t k = ss_design_requests(&a.cli.design, req);
        k += ss_estimate_requests(a.req, a.nreq, &a.opt, req + k);
        rc = ss_table_read(&t, a.file, &a.cli.read, req, k, &err);
    }
    if (rc == SS_OK)
        rc = ss_design_build(&d, &t, &a.cli.design, &err);
    if (rc == SS_OK)
        rc = ss_estimate_run(&t, &d, a.req, a.nreq, &a.opt, &res, &err);
    if (rc == SS_OK && a.wave)
        for (size_t i = 0; i < res.n && rc == SS_OK; i++)
            if (ss_result_set_str(&res.row[i].wave, a.wave) != 0)
                rc = ss_error_set(&err, SS_EDATA, NULL, 0, "out of memory");
    if (rc == SS_OK && ss_grid_from_results(&g, &res) != 0)
        rc = ss_error_set(&err, SS_EDATA, NULL, 0, "out of memory");
    if (rc == SS_OK)
        rc = ss_cli_write(&a.cli, &g, &err);
    if (rc != SS_OK)
        ss_error_print(&err, "estimate");
    ss_grid_free(&g);
    ss_result_free(&res);
    ss_design_free(&d);
    ss_table_free(&t);
    free(req);
    ss_cli_free(&a.cli);
    return rc;
}
