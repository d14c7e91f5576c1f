/* survstat estimate: design-based estimates (CLI.md "Estimates"). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ss_cli.h"
#include "ss_commands.h"
#include "ss_estimate.h"
#include "ss_number.h"
#include "ss_result.h"
#include "ss_resultfile.h"
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
    SS_CLI_SUBSET_HELP
    SS_CLI_WEIGHT_HELP
    "replicates: --replicate T [--seed N] | --repweights RE --rep-type T\n"
    "  [--rep-scale S] [--mse]; see 'survstat weight --help'\n"
    "  (--compare and every --ci-method work with them)\n"
    "input options:\n"
    "  --na [VARS:]CODES      missing codes (9,99; q1:9), not in design columns\n"
    "  --labels F, --codes    value labels of a CSV; show codes, not labels\n"
    "  -d C, --encoding ENC   field separator ('tab'); encoding (e.g. gb18030)\n"
    SS_CLI_QUIET_HELP
    "estimates (each may repeat; VARS is a comma-separated list):\n"
    "  --mean VARS  --total VARS  --prop VARS  --ratio NUM/DEN  --quantile VARS\n"
    "  --t2b VARS  --b2b VARS  --net VARS   share in the top two codes, the bottom\n"
    "                         two, and top minus bottom, on --scale\n"
    "  --index NAME=VAR,...   mean over answered items of 100 (x-LOW)/(HIGH-LOW)\n"
    "  --scale LOW:HIGH       the answer scale, HIGH most satisfied (1:5, or 5:1)\n"
    "  --probs P,...          quantile probabilities (default 0.25,0.5,0.75)\n"
    "  --qrule RULE           math (default), school, shahvaish, hf1 .. hf9 (R's)\n"
    "  --by VARS              domain estimates that keep the whole design\n"
    "  --compare              with --by: every pairwise difference between domains,\n"
    "                         t (Inf at SE 0; json \"Inf\"), p_value, Holm's p_holm\n"
    "options:\n"
    "  --level P              confidence level (default 0.95)\n"
    "  --df design|inf|N      t degrees of freedom (default: PSUs minus strata)\n"
    "  --domain-df            count PSUs and strata inside each domain instead\n"
    "  --deff                 design effect against SRS without replacement\n"
    "  --ci-method M          proportions: logit (default), wald, beta or\n"
    "                         korn-graubard, likelihood, asin, xlogit, wilson\n"
    "  --flags nchs           NCHS 2017 reliability flags: Px, Pc, Pdf, P0 on\n"
    "                         proportions, R on means, totals and ratios\n"
    "  --wave LABEL           stamp every row with a wave label\n"
    SS_CLI_OUTPUT_HELP
    "  -o FILE                write FILE whole or not at all\n"
    "\n"
    "A 0% or 100% proportion gets a one-sided interval on the domain's n.\n"
    "\n"
    "examples:\n"
    "  survstat estimate datasets/apiclus1.csv --ids dnum --weights pw --fpc fpc --mean api00\n"
    "  survstat estimate datasets/apistrat.csv --strata stype --weights pw --fpc fpc"
    " --prop sch.wide --by stype --format csv\n"
    "  survstat estimate datasets/apistrat.csv --strata stype --weights pw --fpc fpc"
    " --prop sch.wide --subset 'api00 > 700'\n"
    "  survstat estimate datasets/apistrat.csv --strata stype --weights pw --fpc fpc"
    " --mean api00 --by stype --compare\n";

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
    OPT_QUANTILE,
    OPT_PROBS,
    OPT_QRULE,
    OPT_CI_METHOD,
    OPT_FLAGS,
    OPT_COMPARE,
    OPT_T2B,
    OPT_B2B,
    OPT_NET,
    OPT_INDEX,
    OPT_SCALE,
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
    {"quantile", required_argument, NULL, OPT_QUANTILE},
    {"probs", required_argument, NULL, OPT_PROBS},
    {"qrule", required_argument, NULL, OPT_QRULE},
    {"ci-method", required_argument, NULL, OPT_CI_METHOD},
    {"flags", required_argument, NULL, OPT_FLAGS},
    {"compare", no_argument, NULL, OPT_COMPARE},
    {"t2b", required_argument, NULL, OPT_T2B},
    {"b2b", required_argument, NULL, OPT_B2B},
    {"net", required_argument, NULL, OPT_NET},
    {"index", required_argument, NULL, OPT_INDEX},
    {"scale", required_argument, NULL, OPT_SCALE},
    {NULL, 0, NULL, 0},
};

#define MAX_REQUESTS 4096

typedef struct estimate_args {
    ss_cli cli;
    ss_estimate_request req[MAX_REQUESTS];
    size_t nreq;
    ss_estimate_options opt;
    const char *by[16];
    double probs[64];
    const char *prob_labels[64];
    char prob_text[64][32];
    const char *wave;
    const char *file;
    const char *factor[MAX_REQUESTS]; /* X of every --total 'factor(X)' */
    size_t nfactor;
    const char *items[MAX_REQUESTS]; /* the items of the --index options */
    size_t nitems;
    int scale_set;
    const char *scale_text[2]; /* --scale given by labels: LOW, HIGH */
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
        const char *f = stat == SS_STAT_TOTAL ? ss_cli_factor_name(&a->cli, items[i]) : NULL;
        if (f) { /* --total 'factor(X)': the total of every level of X */
            r->var = f;
            a->factor[a->nfactor++] = f;
        }
        r->items = NULL;
        r->nitems = 0;
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

/* --index NAME=VAR,VAR,...: the mean score over the answered items. */
static int add_index(estimate_args *a, const char *arg, ss_error *err)
{
    const char *parts[2];
    size_t k, n;
    int rc = ss_cli_split(&a->cli, arg, '=', parts, 2, &k, "--index", err);
    if (rc)
        return rc;
    if (k != 2)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "--index: expected NAME=VAR,VAR,..., got '%s'",
                            arg);
    if (a->nreq == MAX_REQUESTS)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "too many estimates");
    rc = ss_cli_split(&a->cli, parts[1], ',', a->items + a->nitems, MAX_REQUESTS - a->nitems,
                      &n, "--index", err);
    if (rc)
        return rc;
    a->req[a->nreq++] = (ss_estimate_request){SS_STAT_INDEX, parts[0], NULL,
                                              a->items + a->nitems, n};
    a->nitems += n;
    return SS_OK;
}

/* --scale LOW:HIGH, whole numbers at least two apart; HIGH is the most
 * satisfied end (5:1 when 1 is). */
static int parse_scale(estimate_args *a, const char *arg, ss_error *err)
{
    const char *parts[2];
    size_t k;
    double lo, hi;
    int rc = ss_cli_split(&a->cli, arg, ':', parts, 2, &k, "--scale", err);
    a->scale_text[0] = a->scale_text[1] = NULL;
    if (rc == SS_OK && k == 2 &&
        (ss_number_parse(parts[0], strlen(parts[0]), &lo) != 0 ||
         ss_number_parse(parts[1], strlen(parts[1]), &hi) != 0)) {
        /* labels (or a code and a label): their codes once the file is read */
        a->scale_text[0] = parts[0];
        a->scale_text[1] = parts[1];
        a->scale_set = 1;
        a->opt.scale_low = a->opt.scale_high = NAN;
        return SS_OK;
    }
    if (rc == SS_OK && (k != 2 || ss_cli_number(parts[0], "--scale", &lo, err) != SS_OK ||
                        ss_cli_number(parts[1], "--scale", &hi, err) != SS_OK ||
                        lo != floor(lo) || hi != floor(hi) || fabs(hi - lo) < 2))
        rc = ss_error_set(err, SS_EUSAGE, NULL, 0,
                          "--scale: expected LOW:HIGH, whole numbers at least 2 apart"
                          " (1:5, or 5:1 when 1 is most satisfied), got '%s'", arg);
    a->opt.scale_low = lo;
    a->opt.scale_high = hi;
    a->scale_set = 1;
    return rc;
}

/* --probs P,...: each strictly between 0 and 1 (0 and 1 allowed, as R);
 * the level column shows them in 15 significant digits. */
static int parse_probs(estimate_args *a, const char *arg, ss_error *err)
{
    const char *items[64];
    size_t n;
    int rc = ss_cli_split(&a->cli, arg, ',', items, 64, &n, "--probs", err);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        double v;
        rc = ss_cli_number(items[i], "--probs", &v, err);
        if (rc)
            return rc;
        if (!(v >= 0 && v <= 1))
            return ss_error_set(err, SS_EUSAGE, NULL, 0,
                                "--probs: expected probabilities between 0 and 1, got '%s'",
                                items[i]);
        a->probs[i] = v;
        snprintf(a->prob_text[i], sizeof a->prob_text[i], "%.15g", v);
        a->prob_labels[i] = a->prob_text[i];
    }
    a->opt.nprobs = n;
    return SS_OK;
}

static int option(void *ctx, int opt, const char *arg, ss_error *err)
{
    estimate_args *a = ctx;
    size_t n;
    int rc = SS_OK;
    switch (opt) {
    case OPT_MEAN:
        rc = add_vars(a, SS_STAT_MEAN, arg, "--mean", err);
        break;
    case OPT_TOTAL:
        rc = add_vars(a, SS_STAT_TOTAL, arg, "--total", err);
        break;
    case OPT_PROP:
        rc = add_vars(a, SS_STAT_PROP, arg, "--prop", err);
        break;
    case OPT_RATIO:
        rc = add_vars(a, SS_STAT_RATIO, arg, "--ratio", err);
        break;
    case OPT_BY:
        rc = ss_cli_split(&a->cli, arg, ',', a->by, 16, &n, "--by", err);
        a->opt.by = a->by;
        a->opt.nby = n;
        break;
    case OPT_LEVEL:
        rc = ss_cli_level(arg, &a->opt.level, err);
        break;
    case OPT_DF:
        rc = ss_cli_df(arg, &a->opt.df_mode, &a->opt.df_fixed, err);
        break;
    case OPT_DOMAIN_DF:
        a->opt.domain_df = 1;
        break;
    case OPT_DEFF:
        a->opt.deff = 1;
        break;
    case OPT_WAVE:
        a->wave = arg;
        break;
    case OPT_QUANTILE:
        rc = add_vars(a, SS_STAT_QUANTILE, arg, "--quantile", err);
        break;
    case OPT_PROBS:
        rc = parse_probs(a, arg, err);
        break;
    case OPT_QRULE:
        if (ss_qrule_parse(arg, &a->opt.qrule) != 0)
            rc = ss_error_set(err, SS_EUSAGE, NULL, 0,
                              "--qrule: expected math, school, shahvaish or hf1 .. hf9,"
                              " got '%s'", arg);
        break;
    case OPT_CI_METHOD:
        if (ss_ci_method_parse(arg, &a->opt.ci_method) != 0)
            rc = ss_error_set(err, SS_EUSAGE, NULL, 0,
                              "--ci-method: expected logit, wald, beta, korn-graubard,"
                              " likelihood, asin, xlogit or wilson, got '%s'", arg);
        break;
    case OPT_FLAGS:
        if (strcmp(arg, "nchs") != 0)
            rc = ss_error_set(err, SS_EUSAGE, NULL, 0, "--flags: expected nchs, got '%s'",
                              arg);
        a->opt.nchs = 1;
        break;
    case OPT_COMPARE:
        a->opt.compare = 1;
        break;
    case OPT_T2B:
        rc = add_vars(a, SS_STAT_T2B, arg, "--t2b", err);
        break;
    case OPT_B2B:
        rc = add_vars(a, SS_STAT_B2B, arg, "--b2b", err);
        break;
    case OPT_NET:
        rc = add_vars(a, SS_STAT_NET, arg, "--net", err);
        break;
    case OPT_INDEX:
        rc = add_index(a, arg, err);
        break;
    case OPT_SCALE:
        rc = parse_scale(a, arg, err);
        break;
    default:
        return SS_CLI_NOT_MINE;
    }
    return rc;
}

static int parse_args(estimate_args *a, int argc, char **argv, ss_error *err)
{
    int rc = ss_cli_parse_file(&a->cli, argc, argv, own_options, option, a, &a->file, err);
    if (rc != SS_OK)
        return rc;
    if (a->nreq == 0)
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "nothing to estimate: give --mean, --total, --prop, --ratio,"
                            " --quantile, --t2b, --b2b, --net or --index");
    if (ss_cli_df_check(a->opt.df_mode, a->opt.df_fixed, a->opt.level, err) != SS_OK)
        return SS_EUSAGE;
    if (a->opt.compare && a->opt.nby == 0)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "--compare needs --by");
    for (size_t i = 0; i < a->nreq && !a->scale_set; i++)
        if (a->req[i].stat >= SS_STAT_T2B)
            return ss_error_set(err, SS_EUSAGE, NULL, 0,
                                "--t2b, --b2b, --net and --index need --scale LOW:HIGH");
    return SS_OK;
}

/* --scale by labels: the codes of LOW and HIGH among the value labels of
 * the first variable on the scale (a code as such is taken as it is). */
static int resolve_scale(estimate_args *a, const ss_table *t, ss_error *err)
{
    const ss_column *c = NULL;
    for (size_t i = 0; i < a->nreq && !c; i++) {
        const ss_estimate_request *e = &a->req[i];
        if (e->stat == SS_STAT_T2B || e->stat == SS_STAT_B2B || e->stat == SS_STAT_NET)
            c = ss_table_find(t, e->var);
        else if (e->stat == SS_STAT_INDEX && e->nitems)
            c = ss_table_find(t, e->items[0]);
    }
    double v[2];
    for (int k = 0; k < 2; k++) {
        const char *s = a->scale_text[k];
        if (ss_number_parse(s, strlen(s), &v[k]) == 0)
            continue;
        const char *code = c ? ss_column_label_value(c, s) : NULL;
        if (!code || ss_number_parse(code, strlen(code), &v[k]) != 0)
            return ss_error_set(err, SS_EUSAGE, NULL, 0,
                                "--scale: '%s' is not a code, nor the label of exactly one "
                                "numeric code of '%s'",
                                s, c ? c->name : "?");
    }
    if (v[0] != floor(v[0]) || v[1] != floor(v[1]) || fabs(v[1] - v[0]) < 2)
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "--scale: %s:%s are the codes %g:%g, not whole numbers at least 2 "
                            "apart",
                            a->scale_text[0], a->scale_text[1], v[0], v[1]);
    a->opt.scale_low = v[0];
    a->opt.scale_high = v[1];
    return SS_OK;
}

/* A --prop on a numeric column with more levels than this is probably a
 * --mean meant. */
#define PROP_MANY_LEVELS 50

/* Warnings about requests that are legal but probably not meant (item 8 of
 * the CLI's contract): one line each on stderr; the output is unchanged. */
static void warn_unlikely(const estimate_args *a, const ss_table *t)
{
    const char *f = a->file;
    const ss_design_spec *ds = &a->cli.design;
    if ((ds->strata || ds->nids) && !ds->weights && !ds->nfpc && !a->cli.rep.regex)
        fprintf(stderr,
                "survstat estimate: warning: %s: %s without --weights: every row weighs 1"
                " (give --weights, or --fpc to take the weights from the population counts)\n",
                f, ds->strata && ds->nids ? "--strata and --ids" : ds->strata ? "--strata" : "--ids");
    for (size_t q = 0; q < a->nreq; q++) {
        const ss_estimate_request *e = &a->req[q];
        int dup = 0;
        for (size_t p = 0; p < q; p++)
            dup |= a->req[p].stat == e->stat && strcmp(a->req[p].var, e->var) == 0;
        const ss_column *c = dup ? NULL : ss_table_find(t, e->var);
        if (!c)
            continue;
        if (e->stat == SS_STAT_PROP && c->numeric) {
            size_t nl = 0;
            for (size_t l = 0; l < c->levels.n; l++)
                nl += c->level_count[l] > 0;
            if (nl > PROP_MANY_LEVELS)
                fprintf(stderr,
                        "survstat estimate: warning: %s: --prop '%s' has %zu distinct numeric"
                        " values, one proportion each: did you mean --mean?\n",
                        f, c->name, nl);
        }
        if (e->stat == SS_STAT_T2B || e->stat == SS_STAT_B2B) {
            /* The two codes at the end asked for, HIGH the satisfied end. */
            const double lo = a->opt.scale_low, hi = a->opt.scale_high;
            const double dir = hi > lo ? 1 : -1;
            const double end = e->stat == SS_STAT_T2B ? hi : lo;
            const double next = e->stat == SS_STAT_T2B ? hi - dir : lo + dir;
            size_t answered = 0, in_end = 0;
            for (size_t i = 0; i < t->nrow; i++) {
                double x = ss_column_num(c, i);
                if (isnan(x))
                    continue;
                answered++;
                in_end += x == end || x == next;
            }
            if (answered > 0 && in_end == 0)
                fprintf(stderr,
                        "survstat estimate: warning: %s: no answer of '%s' is in the %s two"
                        " codes %g,%g of --scale %g:%g: check the scale?\n",
                        f, c->name, e->stat == SS_STAT_T2B ? "top" : "bottom", fmin(end, next),
                        fmax(end, next), lo, hi);
        }
    }
    if (a->opt.nby > 0) {
        size_t dropped = 0;
        const ss_column *cols[16];
        size_t nby = a->opt.nby < 16 ? a->opt.nby : 16;
        /* (a column without missing cells has no code below 0) */
        size_t nmiss = 0;
        for (size_t j = 0; j < nby; j++) {
            cols[j] = ss_table_find(t, a->opt.by[j]);
            nmiss += cols[j] ? cols[j]->nmissing : 0;
        }
        for (size_t i = 0; i < t->nrow && nmiss > 0; i++) {
            int miss = 0;
            for (size_t j = 0; j < nby; j++)
                miss |= cols[j] && cols[j]->code[i] < 0;
            dropped += miss;
        }
        if (dropped > 0) {
            char list[512];
            size_t o = 0;
            for (size_t j = 0; j < nby; j++) {
                int seen = 0;
                for (size_t k = 0; k < j; k++)
                    seen |= cols[k] == cols[j];
                if (cols[j] && !seen && cols[j]->nmissing > 0 && o < sizeof list)
                    o += (size_t)snprintf(list + o, sizeof list - o, "%s'%s' (%zu rows)",
                                          o ? ", " : "", cols[j]->name, cols[j]->nmissing);
            }
            fprintf(stderr,
                    "survstat estimate: warning: %s: %zu of %zu rows are left out of the --by"
                    " domains, their --by value missing: %s\n",
                    f, dropped, t->nrow, list);
        }
    }
}

/* ss_estimate_warnings' texts, on stderr (ctx: the command's name). */
static void warn_line(void *ctx, const char *text)
{
    fprintf(stderr, "survstat %s: warning: %s\n", (const char *)ctx, text);
}

/* The columns of --total 'factor(X)' read as categories from the start;
 * a usage error when another estimate of the call reads X as numbers. */
static int factor_totals(const estimate_args *a, ss_request *req, size_t k, ss_error *err)
{
    for (size_t q = 0; q < a->nfactor; q++) {
        const char *x = a->factor[q];
        for (size_t r = 0; r < a->nreq; r++) {
            const ss_estimate_request *e = &a->req[r];
            int named = (e->var && strcmp(e->var, x) == 0) || (e->den && strcmp(e->den, x) == 0);
            for (size_t i = 0; i < e->nitems; i++)
                named |= strcmp(e->items[i], x) == 0;
            int is_factor = 0;
            for (size_t f = 0; f < a->nfactor; f++)
                is_factor |= e->var == a->factor[f];
            if (named && !is_factor)
                return ss_error_set(err, SS_EUSAGE, NULL, 0,
                                    "--total factor(%s): another estimate of this call reads"
                                    " '%s' as numbers; run them in two calls",
                                    x, x);
        }
        for (size_t j = 0; j < k; j++)
            if (strcmp(req[j].name, x) == 0 &&
                !(req[j].need & ~(unsigned)(SS_NEED_NUMBER | SS_NEED_PACKED | SS_NEED_CATEGORY)))
                req[j].need = SS_NEED_CATEGORY; /* (a design column: its own error later) */
    }
    return SS_OK;
}

/* When err is an invalid number in column X (SS_WHY_BAD_NUMBER) for a
 * --total X still read as numbers, ask for X as a category instead and
 * return 1. */

static int total_as_category(const estimate_args *a, ss_request *req, size_t k,
                             const ss_error *err)
{
    int changed = 0;
    for (size_t q = 0; q < a->nreq; q++) {
        if (a->req[q].stat != SS_STAT_TOTAL)
            continue;
        const char *v = a->req[q].var;
        if (!ss_error_is(err, SS_WHY_BAD_NUMBER, v))
            continue;
        for (size_t j = 0; j < k; j++)
            if (strcmp(req[j].name, v) == 0 && req[j].need != SS_NEED_CATEGORY) {
                if (req[j].need & ~(unsigned)(SS_NEED_NUMBER | SS_NEED_PACKED))
                    return 0;
                req[j].need = SS_NEED_CATEGORY;
                changed = 1;
            }
    }
    return changed;
}

int cmd_estimate(int argc, char **argv)
{
    /* static: some 230 KB, zero at the first call (a memset then would
     * only fault its pages in), cleared for the next (survstat run) */
    static estimate_args a;
    static int called;
    if (called++)
        memset(&a, 0, sizeof a);
    ss_cli_init(&a.cli, "estimate");
    a.cli.pack_weights = 1;
    a.opt.level = 0.95;
    a.opt.df_mode = SS_DF_DESIGN;
    a.opt.ci_method = SS_CI_LOGIT;
    a.opt.qrule = SS_QRULE_MATH;
    static const double default_probs[] = {0.25, 0.5, 0.75};
    static const char *const default_labels[] = {"0.25", "0.5", "0.75"};
    a.opt.probs = a.probs;
    a.opt.prob_labels = a.prob_labels;
    a.opt.nprobs = 3;
    for (size_t i = 0; i < 3; i++) {
        a.probs[i] = default_probs[i];
        a.prob_labels[i] = default_labels[i];
    }

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
        req = malloc((2 * a.nreq + a.nitems + 16) * sizeof *req);
        if (!req)
            rc = ss_error_set(&err, SS_EDATA, NULL, 0, "out of memory");
    }
    if (rc == SS_OK) {
        size_t k = ss_estimate_requests(a.req, a.nreq, &a.opt, req);
        rc = factor_totals(&a, req, k, &err);
        if (rc == SS_OK)
            rc = ss_cli_load(&a.cli, a.file, req, k, &t, &d, NULL, &err);
        /* A --total column that holds text is categorical: read again
         * with it as a category, for the total of every level. */
        while (rc == SS_EDATA && total_as_category(&a, req, k, &err)) {
            ss_table_free(&t);
            memset(&t, 0, sizeof t);
            ss_error_clear(&err);
            rc = ss_cli_load(&a.cli, a.file, req, k, &t, &d, NULL, &err);
        }
    }
    if (rc == SS_OK && a.scale_text[0])
        rc = resolve_scale(&a, &t, &err);
    a.opt.subset = a.cli.subset_rows;
    if (rc == SS_OK)
        rc = ss_estimate_run(&t, &d, a.req, a.nreq, &a.opt, &res, &err);
    if (rc == SS_OK && a.wave)
        for (size_t i = 0; i < res.n && rc == SS_OK; i++)
            if (ss_result_set_str(&res.row[i].wave, a.wave) != 0)
                rc = ss_error_set(&err, SS_EDATA, NULL, 0, "out of memory");
    res.conf_level = a.opt.level;
    if (rc == SS_OK && ss_result_add_labels(&res, &t) != 0)
        rc = ss_error_set(&err, SS_EDATA, NULL, 0, "out of memory");
    if (rc == SS_OK && ss_grid_from_results(&g, &res) != 0)
        rc = ss_error_set(&err, SS_EDATA, NULL, 0, "out of memory");
    if (rc == SS_OK)
        rc = ss_cli_write(&a.cli, &g, &err);
    if (rc == SS_OK)
        ss_estimate_warnings(&res, warn_line, "estimate");
    if (rc == SS_OK && !a.cli.design.weights && !a.cli.design.strata && !a.cli.design.nids &&
        !a.cli.design.nfpc && !ss_weight_any(&a.cli.weight))
        fprintf(stderr,
                "survstat estimate: warning: %s: no design given: every row weighs 1 and the "
                "intervals assume simple random sampling\n",
                a.file);
    if (rc == SS_OK)
        warn_unlikely(&a, &t);
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
