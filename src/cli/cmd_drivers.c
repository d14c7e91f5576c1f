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
#include "ss_formula.h"
#include "ss_model.h"
#include "ss_repfit.h"
#include "ss_result.h"
#include "ss_writer.h"

const char cmd_drivers_usage[] =
    "usage: survstat drivers FILE [design options] [weighting options]\n"
    "                        --outcome VAR --items A,B,... [--performance mean|t2b]\n"
    "                        [--family gaussian|binomial] [--outcome-t2b]\n"
    "                        [--importance coef|relweight]\n"
    "                        [--scale LOW:HIGH] [--level P] [--wave LABEL] [-o FILE]\n"
    "\n"
    "Key drivers of satisfaction.  Over the rows that answer the outcome and\n"
    "every item, the design-based regression of the outcome on the items\n"
    "(R's svyglm, as 'survstat model'): linear, or logistic with --family\n"
    "binomial (a 0/1 outcome) or --outcome-t2b (the outcome's top two codes on\n"
    "--scale are 1, the others 0).  One 'importance' row per item (its\n"
    "coefficient, SE, t interval on df = the design df of those rows + 1 -\n"
    "coefficients, t and p_value), and a 'coef' row for the intercept; an item\n"
    "holding text is a factor: one importance row per level but the first\n"
    "(level = the level), no correlation, performance or quadrant.  The\n"
    "weighted correlation of each numeric item with the outcome\n"
    "('correlation'); each item's performance ('performance':\n"
    "its design-based mean, or with --performance t2b its top-two-box share on\n"
    "--scale, over the rows that answer it).  The last column, quadrant, places\n"
    "each item against the mean importance and the mean performance: 'keep up',\n"
    "'concentrate here' (important, below par), 'low priority', 'possible\n"
    "overkill'.  'survstat plot --type ipa' draws the result.\n"
    "\n"
    "--importance relweight: the importance is Johnson's relative weight of each\n"
    "(numeric) item in a linear model, its share of R2 (level 'relweight'; the\n"
    "weights sum to R2, an 'r2' row), with design-based SEs (replicate refits,\n"
    "or linearization of the weighted moments; df = the design df of the rows\n"
    "used); the coefficients become 'coef' rows.\n"
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
    OPT_OUTCOME_T2B,
    OPT_FAMILY,
    OPT_IMPORTANCE,
};

static const struct option own_options[] = {
    {"outcome", required_argument, NULL, OPT_OUTCOME},
    {"items", required_argument, NULL, OPT_ITEMS},
    {"performance", required_argument, NULL, OPT_PERFORMANCE},
    {"scale", required_argument, NULL, OPT_SCALE},
    {"level", required_argument, NULL, OPT_LEVEL},
    {"wave", required_argument, NULL, OPT_WAVE},
    {"outcome-t2b", no_argument, NULL, OPT_OUTCOME_T2B},
    {"family", required_argument, NULL, OPT_FAMILY},
    {"importance", required_argument, NULL, OPT_IMPORTANCE},
    {NULL, 0, NULL, 0},
};

#define MAX_ITEMS 64

typedef struct drivers_args {
    ss_cli cli;
    const char *file, *outcome, *wave;
    const char *items[MAX_ITEMS];
    size_t nitems;
    int t2b, scale_set, outcome_t2b, logistic, relweight;
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
    case OPT_OUTCOME_T2B:
        a->outcome_t2b = a->logistic = 1;
        break;
    case OPT_IMPORTANCE:
        if (strcmp(arg, "coef") == 0 || strcmp(arg, "relweight") == 0)
            a->relweight = arg[0] == 'r';
        else
            rc = ss_error_set(err, SS_EUSAGE, NULL, 0,
                              "--importance: expected coef or relweight, got '%s'", arg);
        break;
    case OPT_FAMILY:
        if (strcmp(arg, "gaussian") == 0 || strcmp(arg, "binomial") == 0)
            a->logistic = arg[0] == 'b';
        else
            rc = ss_error_set(err, SS_EUSAGE, NULL, 0,
                              "--family: expected gaussian or binomial, got '%s'", arg);
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
    if (a->relweight && a->logistic)
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "--importance relweight: relative weights split a linear model's R2;"
                            " not with --family binomial or --outcome-t2b");
    if (a->outcome_t2b && !a->scale_set)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "--outcome-t2b needs --scale LOW:HIGH");
    if (a->t2b && !a->scale_set)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "--performance t2b needs --scale LOW:HIGH");
    return SS_OK;
}

/* The item's column is a number (its importance is one coefficient). */
static int numeric_item(const ss_table *t, const char *item)
{
    const ss_column *c = ss_table_find(t, item);
    return c && c->numeric;
}

/* A name in a formula: backquoted unless it is a plain R name. */
static void formula_name(char *buf, size_t size, size_t *len, const char *name)
{
    int plain = (name[0] >= 'A' && name[0] <= 'Z') || (name[0] >= 'a' && name[0] <= 'z') ||
                name[0] == '.';
    for (const char *c = name; *c && plain; c++)
        plain = (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
                (*c >= '0' && *c <= '9') || *c == '.' || *c == '_';
    int w = snprintf(buf + *len, size - *len, plain ? "%s" : "`%s`", name);
    *len = w > 0 && (size_t)w < size - *len ? *len + (size_t)w : size - 1;
}

/* The regression (R's svyglm on the outcome and the items, through
 * ss_model): gaussian, or logistic for a 0/1 outcome or --outcome-t2b;
 * an item holding text is a factor, one importance row per level but the
 * first.  Then the weighted correlation of each numeric item with the
 * outcome over the same rows. */
static int drivers(const ss_table *t, const ss_design *d, const drivers_args *a, ss_result *res,
                   ss_error *err)
{
    char text[8192];
    size_t len = 0;
    formula_name(text, sizeof text, &len, a->outcome);
    len += (size_t)snprintf(text + len, sizeof text - len, " ~ ");
    for (size_t j = 0; j < a->nitems && len < sizeof text - 4; j++) {
        if (j)
            len += (size_t)snprintf(text + len, sizeof text - len, " + ");
        formula_name(text, sizeof text, &len, a->items[j]);
    }
    ss_formula f = {0};
    ss_model_matrix mm = {0};
    ss_model_fit fit = {0};
    ss_model_control ctl = {25, 1e-8};
    int rc = ss_formula_parse(text, &f, err);
    f.labels_numeric = 1; /* labelled scale items are scores, as in a CSV */
    if (rc == SS_OK)
        rc = ss_model_matrix_build(&f, t, a->cli.subset_rows, NULL, 0, &mm, err);
    if (rc != SS_OK)
        goto done;
    const size_t m = mm.m, p = mm.p;
    if (m <= p) {
        rc = ss_error_set(err, SS_EDATA, t->file, 0,
                          "%zu rows answer '%s' and every item: too few for %zu coefficients", m,
                          a->outcome, p);
        goto done;
    }
    /* the outcome: its top two codes on --scale (--outcome-t2b) */
    for (size_t i = 0; i < m && a->outcome_t2b; i++) {
        double y = mm.y[i], hi = a->high, lo = a->low;
        mm.y[i] = hi > lo ? (y >= hi - 1) : (y <= hi + 1);
    }
    ss_model_family fam = a->logistic ? SS_MODEL_BINOMIAL : SS_MODEL_GAUSSIAN;
    rc = ss_model_glm(d, &mm, fam, &ctl, &fit, err);
    if (rc != SS_OK) {
        /* the drivers' words for the model's collinearity */
        if (ss_error_is(err, SS_WHY_COLLINEAR, NULL)) {
            char said[sizeof err->message];
            snprintf(said, sizeof said, "%s", err->message);
            rc = ss_error_set(err, SS_EDATA, t->file, 0,
                              "the items are collinear: no regression (%s)", said);
        }
        goto done;
    }
    double q = ss_quantile_t(a->level, fit.df);
    for (size_t u = 0; u < p && rc == SS_OK; u++) {
        /* the item of coefficient u, and its level for a factor */
        const char *var = "(Intercept)", *level = "";
        if (mm.term[u] != SIZE_MAX) {
            var = f.vars[f.terms[mm.term[u]].var[0]].column;
            level = mm.name[u] + strlen(f.vars[f.terms[mm.term[u]].var[0]].label);
        }
        ss_result_row *r =
            ss_result_add(res, u && !a->relweight ? "importance" : "coef", var, level, "");
        if (!r) {
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
            break;
        }
        r->estimate = fit.beta[u];
        r->se = sqrt(fit.V[u * p + u]);
        r->ci_low = r->estimate - q * r->se;
        r->ci_high = r->estimate + q * r->se;
        r->df = fit.df;
        r->n = (double)m;
        r->cv = r->estimate != 0 ? r->se / fabs(r->estimate) : NAN;
        r->t = r->estimate / r->se;
        r->p_value = ss_model_t_p(r->t, fit.df);
    }
    /* Johnson's relative weights as the importance, and R2 */
    if (a->relweight && rc == SS_OK) {
        double *eps = malloc(p * sizeof *eps), *se = malloc(p * sizeof *se), r2 = NAN, df = NAN;
        if (!eps || !se)
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        for (size_t j = 0; j < a->nitems && rc == SS_OK; j++)
            if (!numeric_item(t, a->items[j]))
                rc = ss_error_set(err, SS_EDATA, t->file, 0,
                                  "--importance relweight: item '%s' holds text; relative"
                                  " weights need numeric items",
                                  a->items[j]);
        if (rc == SS_OK && (rc = ss_model_relweight(d, &mm, eps, se, &r2, &df, err)) != SS_OK &&
            err->file[0] == '\0')
            snprintf(err->file, sizeof err->file, "%s", t->file);
        double qr = rc == SS_OK ? ss_quantile_t(a->level, df) : NAN;
        for (size_t j = 0; j + 1 < p && rc == SS_OK; j++) {
            ss_result_row *r = ss_result_add(res, "importance", a->items[j], "relweight", "");
            if (!r) {
                rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
                break;
            }
            r->estimate = eps[j];
            r->se = se[j];
            r->ci_low = eps[j] - qr * se[j];
            r->ci_high = eps[j] + qr * se[j];
            r->df = df;
            r->n = (double)m;
            r->cv = r->se / fabs(r->estimate);
            r->t = r->estimate / r->se;
            r->p_value = ss_model_t_p(r->t, df);
        }
        ss_result_row *r = rc == SS_OK ? ss_result_add(res, "r2", a->outcome, "", "") : NULL;
        if (rc == SS_OK && !r)
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        if (r) {
            r->estimate = r2;
            r->n = (double)m;
        }
        free(eps);
        free(se);
    }
    /* weighted correlations of the numeric items, over the same rows */
    for (size_t j = 0; j < a->nitems && rc == SS_OK; j++) {
        if (!numeric_item(t, a->items[j]))
            continue;
        const ss_column *xc = ss_table_find(t, a->items[j]);
        double W = 0, mx = 0, my = 0;
        for (size_t k = 0; k < m; k++) {
            size_t i = mm.rows[k];
            double x = xc->level_num[xc->code[i]];
            W += d->w[i];
            mx += d->w[i] * x;
            my += d->w[i] * mm.y[k];
        }
        mx /= W;
        my /= W;
        double sxy = 0, sxx = 0, syy = 0;
        for (size_t k = 0; k < m; k++) {
            size_t i = mm.rows[k];
            double dx = xc->level_num[xc->code[i]] - mx, dy = mm.y[k] - my;
            sxy += d->w[i] * dx * dy;
            sxx += d->w[i] * dx * dx;
            syy += d->w[i] * dy * dy;
        }
        ss_result_row *r = ss_result_add(res, "correlation", a->items[j], "", "");
        if (!r) {
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
            break;
        }
        r->estimate = sxy / sqrt(sxx * syy);
        r->n = (double)m;
    }
done:
    ss_model_fit_free(&fit);
    ss_model_matrix_free(&mm);
    ss_formula_free(&f);
    return rc;
}

/* The items are read as categories (a text item is a factor); a numeric
 * one gets its numbers too, for the performance estimates. */
static int item_numbers(ss_table *t, const drivers_args *a, ss_error *err)
{
    for (size_t j = 0; j < a->nitems; j++) {
        ss_column *c = ss_table_find(t, a->items[j]);
        if (!c || !c->numeric || c->num)
            continue;
        c->num = malloc((t->nrow ? t->nrow : 1) * sizeof *c->num);
        if (!c->num)
            return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        for (size_t i = 0; i < t->nrow; i++)
            c->num[i] = c->code[i] < 0 ? NAN : c->level_num[c->code[i]];
        c->need |= SS_NEED_NUMBER;
    }
    return SS_OK;
}

/* Performance by estimate's machinery: a mean or a t2b per item. */
static int performance(const ss_table *t, const ss_design *d, const drivers_args *a,
                       ss_result *res, ss_error *err)
{
    ss_estimate_request req[MAX_ITEMS];
    size_t nreq = 0;
    for (size_t j = 0; j < a->nitems; j++)
        if (numeric_item(t, a->items[j]))
            req[nreq++] = (ss_estimate_request){a->t2b ? SS_STAT_T2B : SS_STAT_MEAN,
                                                a->items[j], NULL, NULL, 0};
    ss_estimate_options o = {0};
    o.level = a->level;
    o.df_mode = SS_DF_DESIGN;
    o.ci_method = SS_CI_LOGIT;
    o.scale_low = a->low;
    o.scale_high = a->high;
    o.subset = a->cli.subset_rows;
    size_t first = res->n;
    int rc = nreq ? ss_estimate_run(t, d, req, nreq, &o, res, err) : SS_OK;
    for (size_t k = first; k < res->n && rc == SS_OK; k++)
        if (ss_result_set_str(&res->row[k].statistic, "performance") != 0 ||
            ss_result_set_str(&res->row[k].level, a->t2b ? "t2b" : "mean") != 0)
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    return rc;
}

/* An item's one importance row (not a factor's level). */
static int importance_row(const ss_result_row *r)
{
    return r->level[0] == '\0' || strcmp(r->level, "relweight") == 0;
}

/* The quadrant of each item, on its importance and performance rows. */
static int quadrants(ss_result *res, ss_error *err)
{
    double si = 0, sp = 0;
    size_t ni = 0, np = 0;
    for (size_t k = 0; k < res->n; k++) {
        if (strcmp(res->row[k].statistic, "importance") == 0 && importance_row(&res->row[k])) {
            si += res->row[k].estimate;
            ni++;
        } else if (strcmp(res->row[k].statistic, "performance") == 0) {
            sp += res->row[k].estimate;
            np++;
        }
    }
    double mi = si / (double)ni, mp = sp / (double)np;
    for (size_t k = 0; k < res->n; k++) {
        if (strcmp(res->row[k].statistic, "importance") != 0 || !importance_row(&res->row[k]))
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
    res.tests = 1; /* the t and p_value of each coefficient */
    ss_grid g = {0};
    if (rc == SS_OK) {
        ss_request req[MAX_ITEMS + 1];
        req[0] = (ss_request){a.outcome, SS_NEED_NUMBER};
        for (size_t j = 0; j < a.nitems; j++)
            req[j + 1] = (ss_request){a.items[j], SS_NEED_CATEGORY};
        rc = ss_cli_load(&a.cli, a.file, req, a.nitems + 1, &t, &d, NULL, &err);
    }
    if (rc == SS_OK)
        rc = item_numbers(&t, &a, &err);
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
