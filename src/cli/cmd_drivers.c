/* survstat drivers: key-driver analysis of satisfaction: the importance of
 * each item for the overall judgement (design-based regression, R's
 * svyglm), its performance (mean or top-two-box) and the quadrant of the
 * importance-performance chart. */
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ss_cli.h"
#include "ss_commands.h"
#include "ss_estimate.h"
#include "ss_repfit.h"
#include "ss_result.h"
#include "ss_writer.h"

const char cmd_drivers_usage[] =
    "usage: survstat drivers FILE [design options] [weighting options]\n"
    "                        --outcome VAR --items A,B,... [--performance mean|t2b]\n"
    "                        [--scale LOW:HIGH] [--level P] [--wave LABEL] [-o FILE]\n"
    "\n"
    "Key drivers of satisfaction.  Over the rows that answer the outcome and\n"
    "every item, the design-based linear regression of the outcome on the items\n"
    "(R's svyglm, gaussian): one 'importance' row per item (its coefficient,\n"
    "SE, t interval on df = the design df of those rows + 1 - coefficients)\n"
    "and a 'coef' row for the intercept; the weighted correlation of each item\n"
    "with the outcome ('correlation'); each item's performance ('performance':\n"
    "its design-based mean, or with --performance t2b its top-two-box share on\n"
    "--scale, over the rows that answer it).  The last column, quadrant, places\n"
    "each item against the mean importance and the mean performance: 'keep up',\n"
    "'concentrate here' (important, below par), 'low priority', 'possible\n"
    "overkill'.  'survstat plot --type ipa' draws the result.\n"
    "\n"
    "With replicate weights (--replicate, --repweights, as 'estimate') the\n"
    "regression is refitted with every replicate's weights and its covariance\n"
    "is R's svrVar of the replicate coefficients (svyglm on a svrepdesign);\n"
    "df = the design's degf (rank of the replicate weights minus 1) + 1 -\n"
    "coefficients, counted on the whole design as R does.\n"
    "\n"
    "--subset EXPR: every row above is for the rows where EXPR is TRUE (R's\n"
    "subset(design, EXPR)), the variance from the whole design.\n"
    "\n"
    "design and weighting options: as 'estimate' (--weights --strata --ids --fpc\n"
    "--nest --lonely-psu --poststrat --rake --calibrate ...; --replicate T\n"
    "--seed N --repweights RE --rep-type T --rep-scale S --mse); input options\n"
    "--na [VARS:]CODES (e.g. 9 for don't know), --labels, --codes, -d, --encoding, --quiet;\n"
    "output --format (text, csv, json, md, xlsx, html), --percent, -o; csv and json add\n"
    "conf_level.\n"
    "\n"
    "example:\n"
    "  survstat drivers datasets/apiclus1.csv --ids dnum --weights pw --fpc fpc"
    " --outcome api00 --items ell,meals,mobility\n"
    "  survstat drivers datasets/apistrat.csv --strata stype --weights pw --fpc fpc"
    " --replicate jkn --outcome api00 --items ell,meals\n";

enum {
    OPT_OUTCOME = SS_OPT_FIRST_COMMAND,
    OPT_ITEMS,
    OPT_PERFORMANCE,
    OPT_SCALE,
    OPT_LEVEL,
    OPT_WAVE,
};

static const struct option own_options[] = {
    {"outcome", required_argument, NULL, OPT_OUTCOME},
    {"items", required_argument, NULL, OPT_ITEMS},
    {"performance", required_argument, NULL, OPT_PERFORMANCE},
    {"scale", required_argument, NULL, OPT_SCALE},
    {"level", required_argument, NULL, OPT_LEVEL},
    {"wave", required_argument, NULL, OPT_WAVE},
    {NULL, 0, NULL, 0},
};

#define MAX_ITEMS 64

typedef struct drivers_args {
    ss_cli cli;
    const char *file, *outcome, *wave;
    const char *items[MAX_ITEMS];
    size_t nitems;
    int t2b, scale_set;
    double level, low, high;
} drivers_args;

static int option(void *ctx, int opt, const char *arg, ss_error *err)
{
    drivers_args *a = ctx;
    const char *parts[2];
    size_t k;
    int rc = SS_OK;
    switch (opt) {
    case OPT_OUTCOME:
        a->outcome = arg;
        break;
    case OPT_ITEMS:
        rc = ss_cli_split(&a->cli, arg, ',', a->items, MAX_ITEMS, &a->nitems, "--items",
                          err);
        break;
    case OPT_PERFORMANCE:
        if (strcmp(arg, "mean") == 0 || strcmp(arg, "t2b") == 0)
            a->t2b = arg[0] == 't';
        else
            rc = ss_error_set(err, SS_EUSAGE, NULL, 0,
                              "--performance: expected mean or t2b, got '%s'", arg);
        break;
    case OPT_SCALE:
        rc = ss_cli_split(&a->cli, arg, ':', parts, 2, &k, "--scale", err);
        if (rc == SS_OK && (k != 2 || ss_cli_number(parts[0], "--scale", &a->low, err) ||
                            ss_cli_number(parts[1], "--scale", &a->high, err) ||
                            fabs(a->high - a->low) < 2))
            rc = ss_error_set(err, SS_EUSAGE, NULL, 0,
                              "--scale: expected LOW:HIGH, whole numbers at least 2 apart,"
                              " got '%s'", arg);
        a->scale_set = 1;
        break;
    case OPT_LEVEL:
        rc = ss_cli_level(arg, &a->level, err);
        break;
    case OPT_WAVE:
        a->wave = arg;
        break;
    default:
        return SS_CLI_NOT_MINE;
    }
    return rc;
}

static int parse(drivers_args *a, int argc, char **argv, ss_error *err)
{
    int rc = ss_cli_parse(&a->cli, argc, argv, own_options, option, a, err);
    if (rc != SS_OK)
        return rc; /* < 0: reported */
    if (optind >= argc)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "no input FILE (try 'survstat drivers --help')");
    if (argc - optind > 1)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "one input FILE expected, got '%s' too",
                            argv[optind + 1]);
    a->file = argv[optind];
    if (!a->outcome || a->nitems == 0)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "--outcome VAR and --items A,B,... are required");
    if (a->t2b && !a->scale_set)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "--performance t2b needs --scale LOW:HIGH");
    return SS_OK;
}

static ss_result_row *add(ss_result *res, const char *stat, const char *var, ss_error *err)
{
    ss_result_row *r = ss_result_add(res, stat, var, "", "");
    if (!r)
        ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    return r;
}

/* Under replicate weights (R's svyglm.svyrep.design): the regression
 * refitted with each replicate's weights, svrVar of the coefficients. */
static int rep_vcov(const ss_design *d, const size_t *rows, size_t m, const ss_column *const *xc,
                    const ss_column *yc, size_t nitems, const gsl_vector *beta, double *V,
                    ss_error *err)
{
    const size_t p = nitems + 1, R = d->rep->nrep;
    double *X = malloc((m ? m : 1) * p * sizeof *X), *y = malloc((m ? m : 1) * sizeof *y);
    double *delta = malloc((R ? R : 1) * p * sizeof *delta), *zero = calloc(p, sizeof *zero);
    int rc = SS_OK;
    if (!X || !y || !delta || !zero) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < m; k++) {
        X[k * p] = 1;
        for (size_t j = 0; j < nitems; j++)
            X[k * p + j + 1] = xc[j]->num[rows[k]];
        y[k] = yc->num[rows[k]];
    }
    /* the replicate coefficients less the full-sample ones: svrVar centres
     * them on their mean, or on the full-sample fit (0 here) under --mse */
    rc = ss_repfit_wls(d->rep, d->w, rows, X, y, m, p, beta->data, delta, err);
    if (rc == SS_OK)
        ss_repfit_vcov(d->rep, delta, p, zero, V);
done:
    free(X);
    free(y);
    free(delta);
    free(zero);
    return rc;
}

/* The regression, the correlations and the performance into res. */
static int drivers(const ss_table *t, const ss_design *d, const drivers_args *a, ss_result *res,
                   ss_error *err)
{
    const size_t n = t->nrow, p = a->nitems + 1;
    const ss_column *yc = ss_table_find(t, a->outcome);
    const ss_column *xc[MAX_ITEMS];
    for (size_t j = 0; j < a->nitems; j++)
        xc[j] = ss_table_find(t, a->items[j]);
    size_t *rows = malloc((n ? n : 1) * sizeof *rows);
    double *z = malloc((n ? n : 1) * p * sizeof *z);
    double *V = malloc(p * p * sizeof *V);
    gsl_matrix *A = gsl_matrix_calloc(p, p), *Ainv = gsl_matrix_alloc(p, p);
    gsl_vector *b = gsl_vector_calloc(p), *beta = gsl_vector_alloc(p);
    gsl_permutation *perm = gsl_permutation_alloc(p);
    ss_design_work *dw = ss_design_work_alloc(d, p);
    int rc = SS_OK;
    if (!rows || !z || !V || !A || !Ainv || !b || !beta || !perm || !dw) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        goto done;
    }
    /* Complete cases, X'WX and X'Wy. */
    size_t m = 0;
    double x[MAX_ITEMS + 1];
    for (size_t i = 0; i < n; i++) {
        int ok = !isnan(yc->num[i]) && (!a->cli.subset_rows || a->cli.subset_rows[i]);
        for (size_t j = 0; j < a->nitems && ok; j++)
            ok = !isnan(xc[j]->num[i]);
        if (!ok)
            continue;
        rows[m++] = i;
        x[0] = 1;
        for (size_t j = 0; j < a->nitems; j++)
            x[j + 1] = xc[j]->num[i];
        for (size_t u = 0; u < p; u++) {
            for (size_t v = 0; v < p; v++)
                *gsl_matrix_ptr(A, u, v) += d->w[i] * x[u] * x[v];
            *gsl_vector_ptr(b, u) += d->w[i] * x[u] * yc->num[i];
        }
    }
    if (m <= p) {
        rc = ss_error_set(err, SS_EDATA, t->file, 0,
                          "%zu rows answer '%s' and every item: too few for %zu coefficients", m,
                          a->outcome, p);
        goto done;
    }
    int sgn;
    gsl_linalg_LU_decomp(A, perm, &sgn);
    double det = gsl_linalg_LU_det(A, sgn);
    if (!(fabs(det) > 0) || !isfinite(det)) {
        rc = ss_error_set(err, SS_EDATA, t->file, 0, "the items are collinear: no regression");
        goto done;
    }
    gsl_linalg_LU_solve(A, perm, b, beta);
    gsl_linalg_LU_invert(A, perm, Ainv);
    /* Scores w r (X'WX)^-1 x (R's svy.varcoef), their design variance. */
    for (size_t k = 0; k < m; k++) {
        size_t i = rows[k];
        x[0] = 1;
        for (size_t j = 0; j < a->nitems; j++)
            x[j + 1] = xc[j]->num[i];
        double fit = 0;
        for (size_t u = 0; u < p; u++)
            fit += x[u] * gsl_vector_get(beta, u);
        double wr = d->w[i] * (yc->num[i] - fit);
        for (size_t u = 0; u < p; u++) {
            double s = 0;
            for (size_t v = 0; v < p; v++)
                s += gsl_matrix_get(Ainv, u, v) * x[v];
            z[k * p + u] = wr * s;
        }
    }
    rc = d->rep ? rep_vcov(d, rows, m, xc, yc, a->nitems, beta, V, err)
                : ss_design_vcov(d, dw, rows, z, m, p, V, err);
    if (rc != SS_OK)
        goto done;
    /* R's svyglm: degf + 1 - coefficients, the degf of the design without
     * the incomplete rows (svyglm.survey.design), or of the whole replicate
     * design (svyglm.svyrep.design counts it before dropping them). */
    /* (--subset on a replicate design: the degf of the subset design,
     * R's svyglm on subset(design, EXPR)) */
    double df = (d->rep ? ss_replicates_mask_df(d->rep, d->w, a->cli.subset_rows, n, d->df)
                        : ss_design_domain_df(d, dw, rows, m)) +
                1 - (double)p;
    double q = ss_quantile_t(a->level, df);
    for (size_t u = 0; u < p && rc == SS_OK; u++) {
        ss_result_row *r = add(res, u ? "importance" : "coef", u ? a->items[u - 1] : "(Intercept)",
                               err);
        if (!r) {
            rc = SS_EDATA;
            break;
        }
        r->estimate = gsl_vector_get(beta, u);
        r->se = sqrt(V[u * p + u]);
        r->ci_low = r->estimate - q * r->se;
        r->ci_high = r->estimate + q * r->se;
        r->df = df;
        r->n = (double)m;
        r->cv = r->estimate != 0 ? r->se / fabs(r->estimate) : NAN;
    }
    /* Weighted correlations over the same rows. */
    for (size_t j = 0; j < a->nitems && rc == SS_OK; j++) {
        double W = 0, mx = 0, my = 0;
        for (size_t k = 0; k < m; k++) {
            size_t i = rows[k];
            W += d->w[i];
            mx += d->w[i] * xc[j]->num[i];
            my += d->w[i] * yc->num[i];
        }
        mx /= W;
        my /= W;
        double sxy = 0, sxx = 0, syy = 0;
        for (size_t k = 0; k < m; k++) {
            size_t i = rows[k];
            double dx = xc[j]->num[i] - mx, dy = yc->num[i] - my;
            sxy += d->w[i] * dx * dy;
            sxx += d->w[i] * dx * dx;
            syy += d->w[i] * dy * dy;
        }
        ss_result_row *r = add(res, "correlation", a->items[j], err);
        if (!r) {
            rc = SS_EDATA;
            break;
        }
        r->estimate = sxy / sqrt(sxx * syy);
        r->n = (double)m;
    }
done:
    free(rows);
    free(z);
    free(V);
    gsl_matrix_free(A);
    gsl_matrix_free(Ainv);
    gsl_vector_free(b);
    gsl_vector_free(beta);
    gsl_permutation_free(perm);
    ss_design_work_free(dw);
    return rc;
}

/* Performance by estimate's machinery: a mean or a t2b per item. */
static int performance(const ss_table *t, const ss_design *d, const drivers_args *a,
                       ss_result *res, ss_error *err)
{
    ss_estimate_request req[MAX_ITEMS];
    for (size_t j = 0; j < a->nitems; j++)
        req[j] = (ss_estimate_request){a->t2b ? SS_STAT_T2B : SS_STAT_MEAN, a->items[j], NULL,
                                       NULL, 0};
    ss_estimate_options o = {0};
    o.level = a->level;
    o.df_mode = SS_DF_DESIGN;
    o.ci_method = SS_CI_LOGIT;
    o.scale_low = a->low;
    o.scale_high = a->high;
    o.subset = a->cli.subset_rows;
    size_t first = res->n;
    int rc = ss_estimate_run(t, d, req, a->nitems, &o, res, err);
    for (size_t k = first; k < res->n && rc == SS_OK; k++)
        if (ss_result_set_str(&res->row[k].statistic, "performance") != 0 ||
            ss_result_set_str(&res->row[k].level, a->t2b ? "t2b" : "mean") != 0)
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    return rc;
}

/* The quadrant of each item, on its importance and performance rows. */
static int quadrants(ss_result *res, ss_error *err)
{
    double si = 0, sp = 0;
    size_t ni = 0, np = 0;
    for (size_t k = 0; k < res->n; k++) {
        if (strcmp(res->row[k].statistic, "importance") == 0) {
            si += res->row[k].estimate;
            ni++;
        } else if (strcmp(res->row[k].statistic, "performance") == 0) {
            sp += res->row[k].estimate;
            np++;
        }
    }
    double mi = si / (double)ni, mp = sp / (double)np;
    for (size_t k = 0; k < res->n; k++) {
        if (strcmp(res->row[k].statistic, "importance") != 0)
            continue;
        for (size_t l = 0; l < res->n; l++) {
            if (strcmp(res->row[l].statistic, "performance") != 0 ||
                strcmp(res->row[l].variable, res->row[k].variable) != 0)
                continue;
            int hi = res->row[k].estimate >= mi, hp = res->row[l].estimate >= mp;
            const char *q = hi ? (hp ? "keep up" : "concentrate here")
                               : (hp ? "possible overkill" : "low priority");
            if (ss_result_set_str(&res->row[k].note, q) != 0 ||
                ss_result_set_str(&res->row[l].note, q) != 0)
                return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        }
    }
    return SS_OK;
}

int cmd_drivers(int argc, char **argv)
{
    static drivers_args a;
    memset(&a, 0, sizeof a);
    ss_cli_init(&a.cli, "drivers");
    a.level = 0.95;
    ss_error err;
    ss_error_clear(&err);
    int rc = parse(&a, argc, argv, &err);
    if (rc < 0) {
        ss_cli_free(&a.cli);
        return 2;
    }
    ss_table t = {0};
    ss_design d = {0};
    ss_result res;
    ss_result_init(&res);
    res.note_name = "quadrant";
    ss_grid g = {0};
    if (rc == SS_OK) {
        ss_request req[MAX_ITEMS + 1];
        req[0] = (ss_request){a.outcome, SS_NEED_NUMBER};
        for (size_t j = 0; j < a.nitems; j++)
            req[j + 1] = (ss_request){a.items[j], SS_NEED_NUMBER};
        rc = ss_cli_load(&a.cli, a.file, req, a.nitems + 1, &t, &d, NULL, &err);
    }
    if (rc == SS_OK)
        rc = drivers(&t, &d, &a, &res, &err);
    if (rc == SS_OK)
        rc = performance(&t, &d, &a, &res, &err);
    if (rc == SS_OK)
        rc = quadrants(&res, &err);
    for (size_t k = 0; k < res.n && rc == SS_OK && a.wave; k++)
        if (ss_result_set_str(&res.row[k].wave, a.wave) != 0)
            rc = ss_error_set(&err, SS_EDATA, NULL, 0, "out of memory");
    res.conf_level = a.level;
    if (rc == SS_OK && ss_grid_from_results(&g, &res) != 0)
        rc = ss_error_set(&err, SS_EDATA, NULL, 0, "out of memory");
    if (rc == SS_OK)
        rc = ss_cli_write(&a.cli, &g, &err);
    if (rc != SS_OK)
        ss_error_print(&err, "drivers");
    ss_grid_free(&g);
    ss_result_free(&res);
    ss_design_free(&d);
    ss_table_free(&t);
    ss_cli_free(&a.cli);
    return rc;
}
