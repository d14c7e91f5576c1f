/* survstat model: survey regression (R's svyglm), Wald tests of terms
 * (regTermTest) and odds or rate ratios. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ss_cli.h"
#include "ss_commands.h"
#include "ss_estimate.h"
#include "ss_formula.h"
#include "ss_model.h"
#include "ss_writer.h"

const char cmd_model_usage[] =
    "usage: survstat model FILE [design options] [weighting options]\n"
    "                      --formula 'Y ~ TERMS'\n"
    "                      [--family gaussian|binomial|poisson|ordinal]\n"
    "                      [--ref VAR=LEVEL]... [--eform] [--test TERMS]...\n"
    "                      [--max-iter N] [--level P] [--wave LABEL] [-o FILE]\n"
    "\n"
    "Design-based regression, as R's svyglm: gaussian (linear), binomial\n"
    "(logistic, R's quasibinomial: Y coded 0/1) and poisson (log-linear, R's\n"
    "quasipoisson); ordinal: the proportional-odds logistic model of a scale\n"
    "answer (R's svyolr; its values in ascending order; thresholds '1|2' ...\n"
    "after the slopes, no intercept; df = design df - slopes).  Terms: X1 + X2,\n"
    "X1:X2 (interaction), X1*X2 (both and their interaction), -1 or +0 (no\n"
    "intercept), - TERM, factor(VAR), and numeric terms I(EXPR), log(EXPR),\n"
    "exp(EXPR), sqrt(EXPR) of numeric columns, numbers, + - * / ^ and\n"
    "parentheses (named as R names them: I(age^2), log(income)).  A\n"
    "column holding text is a factor; its first level in R's order (numbers\n"
    "ascending, else byte order) is the reference unless --ref VAR=LEVEL.\n"
    "Rows missing the outcome or any term's variable are left out (a domain:\n"
    "the variance keeps the whole design).\n"
    "\n"
    "One row per coefficient: wave, model (the family), term (R's coefficient\n"
    "name: (Intercept), x, stypeH, x:stypeH), estimate, se, statistic (t),\n"
    "df (R's residual df: design df + 1 - coefficients), p_value, ci_low,\n"
    "ci_high (estimate -/+ t quantile x se).  SEs: the sandwich with the\n"
    "design's variance of the estimating-equation scores (R's svy.varcoef),\n"
    "calibration counted as for means; with replicate weights the model is\n"
    "refitted per replicate (R's svyglm on a svrepdesign).\n"
    "\n"
    "  --eform           exp() of estimate and interval (odds ratios, rate\n"
    "                    ratios), se by the delta method (exp(b) se)\n"
    "  --test TERMS      Wald F test that the terms (x1,factor(x2)) are zero, as\n"
    "                    R's regTermTest: rows test, variable, by, estimate, se,\n"
    "                    statistic, df1, df2, p_value after the coefficients\n"
    "                    (csv: a second header; json: {\"coefficients\", \"tests\"})\n"
    "  --max-iter N      IRLS steps (25; R's glm.control), stopping when the\n"
    "                    relative change of the deviance is under 1e-8\n"
    "\n"
    "design and weighting options: as 'estimate' (--weights --strata --ids --fpc\n"
    "--nest --lonely-psu --poststrat --rake --calibrate ...; --replicate T\n"
    "--seed N --repweights RE --rep-type T --rep-scale S --mse); input options\n"
    "--na CODES, -d, --encoding, --quiet; output --format, -o.\n"
    "\n"
    "example:\n"
    "  survstat model datasets/apistrat.csv --strata stype --weights pw --fpc fpc"
    " --formula 'api00 ~ ell + meals + stype' --test stype\n";

enum {
    OPT_FORMULA = SS_OPT_FIRST_COMMAND,
    OPT_FAMILY,
    OPT_REF,
    OPT_EFORM,
    OPT_TEST,
    OPT_LEVEL,
    OPT_WAVE,
    OPT_NAME,
};

static const struct option own_options[] = {
    {"formula", required_argument, NULL, OPT_FORMULA},
    {"family", required_argument, NULL, OPT_FAMILY},
    {"ref", required_argument, NULL, OPT_REF},
    {"eform", no_argument, NULL, OPT_EFORM},
    {"test", required_argument, NULL, OPT_TEST},
    {"level", required_argument, NULL, OPT_LEVEL},
    {"wave", required_argument, NULL, OPT_WAVE},
    {"name", required_argument, NULL, OPT_NAME},
    {NULL, 0, NULL, 0},
};

#define MAX_REFS 64
#define MAX_TESTS 64

typedef struct model_args {
    ss_cli cli;
    const char *file, *formula, *wave, *name;
    ss_model_family family;
    ss_formula_ref refs[MAX_REFS];
    size_t nrefs;
    const char *tests[MAX_TESTS];
    size_t ntests;
    int eform, ordinal;
    double level;
    ss_model_control ctl;
} model_args;

static int option(void *ctx, int opt, const char *arg, ss_error *err)
{
    model_args *a = ctx;
    int rc = SS_OK;
    switch (opt) {
    case OPT_FORMULA:
        a->formula = arg;
        break;
    case OPT_FAMILY:
        a->ordinal = strcmp(arg, "ordinal") == 0;
        if (!a->ordinal && ss_model_family_parse(arg, &a->family) != 0)
            rc = ss_error_set(err, SS_EUSAGE, NULL, 0,
                              "--family: expected gaussian, binomial, poisson or ordinal,"
                              " got '%s'",
                              arg);
        break;
    case OPT_REF: {
        const char *eq = strchr(arg, '=');
        const char *parts[2];
        size_t k;
        if (!eq || eq == arg || !eq[1] || a->nrefs == MAX_REFS)
            return ss_error_set(err, SS_EUSAGE, NULL, 0, "--ref: expected VAR=LEVEL, got '%s'",
                                arg);
        rc = ss_cli_split(&a->cli, arg, '\x01', parts, 1, &k, "--ref", err);
        if (rc != SS_OK)
            return rc;
        char *copy = (char *)parts[0]; /* owned by cli */
        copy[eq - arg] = '\0';
        a->refs[a->nrefs++] = (ss_formula_ref){copy, copy + (eq - arg) + 1};
        break;
    }
    case OPT_EFORM:
        a->eform = 1;
        break;
    case OPT_TEST:
        if (a->ntests == MAX_TESTS)
            return ss_error_set(err, SS_EUSAGE, NULL, 0, "--test: at most %d tests", MAX_TESTS);
        a->tests[a->ntests++] = arg;
        break;
    case OPT_LEVEL:
        rc = ss_cli_level(arg, &a->level, err);
        break;
    case OPT_WAVE:
        a->wave = arg;
        break;
    case OPT_NAME:
        a->name = arg;
        break;
    case SS_OPT_MAX_ITER: {
        double v;
        if (ss_cli_number(arg, "--max-iter", &v, err) != SS_OK || v < 1 || v > 1e6 ||
            v != floor(v))
            return ss_error_set(err, SS_EUSAGE, NULL, 0,
                                "--max-iter: expected a whole number from 1, got '%s'", arg);
        a->ctl.max_iter = (int)v;
        return SS_CLI_NOT_MINE; /* the weighting's too */
    }
    default:
        return SS_CLI_NOT_MINE;
    }
    return rc;
}

/* A --test list: the coefficients of its terms, in the model's order. */
static int test_index(const ss_formula *f, const ss_model_matrix *mm, size_t skip, ss_cli *cli,
                      const char *list, size_t *idx, size_t *k, char *label, size_t size,
                      ss_error *err)
{
    size_t len = 0;
    label[0] = '\0';
    const char *terms[64];
    size_t nt;
    int rc = ss_cli_split(cli, list, ',', terms, 64, &nt, "--test", err);
    if (rc != SS_OK)
        return rc;
    uint64_t want[4] = {0};
    for (size_t j = 0; j < nt; j++) {
        long t = ss_formula_find_term(f, terms[j]);
        if (t < 0)
            return ss_error_set(err, SS_EUSAGE, NULL, 0,
                                "--test: '%s' is not a term of the formula", terms[j]);
        want[t / 64] |= (uint64_t)1 << (t % 64);
        /* R's label of the term (variables in formula order) */
        int w = snprintf(label + len, size - len, "%s%s", j ? "," : "", f->terms[t].label);
        len = w > 0 && (size_t)w < size - len ? len + (size_t)w : size - 1;
    }
    *k = 0;
    for (size_t c = skip; c < mm->p; c++) {
        size_t t = mm->term[c];
        if (t != SIZE_MAX && t < 256 && (want[t / 64] >> (t % 64) & 1))
            idx[(*k)++] = c - skip;
    }
    return SS_OK;
}

static int parse(model_args *a, int argc, char **argv, ss_error *err)
{
    int rc = ss_cli_parse(&a->cli, argc, argv, own_options, option, a, err);
    if (rc != SS_OK)
        return rc;
    if (optind >= argc)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "no input FILE (try 'survstat model --help')");
    if (argc - optind > 1)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "one input FILE expected, got '%s' too",
                            argv[optind + 1]);
    a->file = argv[optind];
    if (!a->formula)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "--formula 'Y ~ TERMS' is required");
    return SS_OK;
}

typedef struct model_out {
    ss_grid coef, tests;
    int has_tests;
    ss_format format;
    const ss_cli *cli;
    double level;
} model_out;

static int write_out(FILE *fp, void *ctx)
{
    model_out *o = ctx;
    if (o->format == SS_FMT_XLSX || o->format == SS_FMT_HTML) {
        char buf[8192];
        const char *about[16];
        ss_cli_about(o->cli, o->level, buf, sizeof buf, about);
        ss_write_opts wo = {o->cli->percent, "survstat model", about, NULL};
        const ss_sheet sheets[] = {{"coefficients", &o->coef}, {"tests", &o->tests}};
        return ss_sheets_write(fp, o->format, sheets, o->has_tests ? 2 : 1, &wo);
    }
    if (!o->has_tests)
        return ss_grid_write(fp, &o->coef, o->format);
    if (o->format == SS_FMT_JSON) {
        if (fputs("{\"coefficients\": ", fp) < 0 || ss_grid_write(fp, &o->coef, o->format) != 0 ||
            fputs(", \"tests\": ", fp) < 0 || ss_grid_write(fp, &o->tests, o->format) != 0 ||
            fputs("}\n", fp) < 0)
            return -1;
        return 0;
    }
    if (ss_grid_write(fp, &o->coef, o->format) != 0)
        return -1;
    if (o->format != SS_FMT_CSV && fputc('\n', fp) == EOF)
        return -1;
    return ss_grid_write(fp, &o->tests, o->format);
}

static int fill(const model_args *a, const ss_formula *f, const ss_model_matrix *mm,
                const ss_model_fit *fit, model_out *o, ss_error *err)
{
    static const char *const names[] = {"wave", "model", "term",   "estimate", "se",        "statistic",
                                        "df",   "p_value", "ci_low", "ci_high", "conf_level"};
    static const int isnum[] = {0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1};
    if (ss_grid_init(&o->coef, 11, names, isnum) != 0)
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    double q = ss_quantile_t(a->level, fit->df);
    const char *model = a->name      ? a->name
                        : a->ordinal ? "ordinal"
                                     : ss_model_family_name(a->family);
    for (size_t u = 0; u < fit->p; u++) {
        ss_cell *row = ss_grid_add_row(&o->coef);
        if (!row || ss_grid_set_text(&o->coef, row, 0, a->wave ? a->wave : "") != 0 ||
            ss_grid_set_text(&o->coef, row, 1, model) != 0 ||
            ss_grid_set_text(&o->coef, row, 2,
                             u < fit->p - fit->nthr ? mm->name[u + fit->skip]
                                                    : fit->thr_name[u - (fit->p - fit->nthr)]) != 0)
            return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        double b = fit->beta[u], se = sqrt(fit->V[u * fit->p + u]), t = b / se;
        double lo = b - q * se, hi = b + q * se;
        row[5].num = t;
        row[6].num = fit->df;
        row[7].num = ss_model_t_p(t, fit->df);
        /* odds ratios for the slopes; thresholds stay on the logit scale */
        if (a->eform && u < fit->p - fit->nthr) {
            b = exp(b);
            se *= b;
            lo = exp(lo);
            hi = exp(hi);
        }
        row[3].num = b;
        row[4].num = se;
        row[8].num = lo;
        row[9].num = hi;
        row[10].num = a->level;
    }
    if (a->ntests == 0)
        return SS_OK;
    o->has_tests = 1;
    static const char *const tnames[] = {"wave", "test", "variable", "by", "estimate", "se",
                                         "statistic", "df1", "df2", "p_value"};
    static const int tisnum[] = {0, 0, 0, 0, 1, 1, 1, 1, 1, 1};
    size_t off = a->wave ? 1 : 0;
    if (ss_grid_init(&o->tests, 9 + off, tnames + 1 - off, tisnum + 1 - off) != 0)
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    size_t *idx = malloc(fit->p * sizeof *idx);
    if (!idx)
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    int rc = SS_OK;
    for (size_t j = 0; j < a->ntests && rc == SS_OK; j++) {
        size_t k = 0;
        double F = NAN, p = NAN;
        char label[4096];
        rc = test_index(f, mm, fit->skip, (ss_cli *)&a->cli, a->tests[j], idx, &k, label, sizeof label,
                        err);
        if (rc == SS_OK)
            rc = ss_model_wald(fit, idx, k, &F, &p, err);
        if (rc != SS_OK)
            break;
        ss_cell *row = ss_grid_add_row(&o->tests);
        if (!row || (a->wave && ss_grid_set_text(&o->tests, row, 0, a->wave) != 0) ||
            ss_grid_set_text(&o->tests, row, off, "wald") != 0 ||
            ss_grid_set_text(&o->tests, row, off + 1, label) != 0) {
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
            break;
        }
        row += off;
        row[5].num = F;
        row[6].num = (double)k;
        row[7].num = fit->df;
        row[8].num = p;
    }
    free(idx);
    return rc;
}

int cmd_model(int argc, char **argv)
{
    static model_args a;
    memset(&a, 0, sizeof a);
    ss_cli_init(&a.cli, "model");
    a.level = 0.95;
    a.ctl.max_iter = 25;
    a.ctl.epsilon = 1e-8;
    ss_error err;
    ss_error_clear(&err);
    ss_formula f = {0};
    ss_model_matrix mm = {0};
    ss_model_fit fit = {0};
    model_out o = {0};
    ss_table t = {0};
    ss_design d = {0};
    ss_request *req = NULL;
    int rc = parse(&a, argc, argv, &err);
    if (rc == SS_CLI_BAD_OPTION) {
        ss_cli_free(&a.cli);
        return 2;
    }
    if (rc == SS_OK)
        rc = ss_formula_parse(a.formula, &f, &err);
    /* every --test term must be in the formula: a usage error before any work */
    for (size_t j = 0; j < a.ntests && rc == SS_OK; j++) {
        const char *terms[64];
        size_t nt;
        rc = ss_cli_split(&a.cli, a.tests[j], ',', terms, 64, &nt, "--test", &err);
        for (size_t k = 0; k < nt && rc == SS_OK; k++)
            if (ss_formula_find_term(&f, terms[k]) < 0)
                rc = ss_error_set(&err, SS_EUSAGE, NULL, 0,
                                  "--test: '%s' is not a term of the formula '%s'", terms[k],
                                  a.formula);
    }
    size_t nreq = 1;
    for (size_t v = 0; v < f.nvars && rc == SS_OK; v++)
        nreq += f.vars[v].ncols;
    if (rc == SS_OK) {
        req = malloc(nreq * sizeof *req);
        if (!req)
            rc = ss_error_set(&err, SS_EDATA, NULL, 0, "out of memory");
    }
    if (rc == SS_OK) {
        /* the outcome and every column a term reads (an expression's too) */
        size_t k = 0;
        req[k++] = (ss_request){f.response, SS_NEED_PACKED}; /* read with ss_column_num */
        /* factor(VAR) a category; any other column numbers, or a factor
         * when it holds text (SS_NEED_AUTO: read as numbers when it can) */
        for (size_t v = 0; v < f.nvars; v++)
            for (size_t c = 0; c < f.vars[v].ncols; c++)
                req[k++] = (ss_request){f.vars[v].cols[c], f.vars[v].force_factor
                                                               ? SS_NEED_CATEGORY
                                                               : SS_NEED_AUTO};
        rc = ss_cli_load(&a.cli, a.file, req, k, &t, &d, NULL, &err);
        /* a term's column missing from the file: name the term */
        for (size_t v = 0; v < f.nvars && rc == SS_EDATA; v++)
            for (size_t c = 0; c < f.vars[v].ncols; c++)
                if (ss_error_is(&err, SS_WHY_NO_COLUMN, f.vars[v].cols[c])) {
                    snprintf(err.message, sizeof err.message,
                             "term '%s': no column '%s' in the file", f.vars[v].label,
                             f.vars[v].cols[c]);
                    v = f.nvars - 1;
                    break;
                }
    }
    /* --subset: the rows outside are out of the fit, their PSUs kept */
    if (rc == SS_OK)
        rc = ss_model_matrix_build(&f, &t, a.cli.subset_rows, a.refs, a.nrefs, &mm, &err);
    if (rc == SS_OK)
        rc = a.ordinal ? ss_model_olr(&d, &mm, &a.ctl, &fit, &err)
                       : ss_model_glm(&d, &mm, a.family, &a.ctl, &fit, &err);
    if (rc != SS_OK && err.file[0] == '\0' && t.file)
        snprintf(err.file, sizeof err.file, "%s", t.file);
    if (rc == SS_OK)
        rc = fill(&a, &f, &mm, &fit, &o, &err);
    if (rc == SS_OK) {
        o.format = ss_cli_format(&a.cli);
        o.cli = &a.cli;
        o.level = a.level;
        rc = ss_cli_write_with(&a.cli, write_out, &o, &err);
    }
    if (rc != SS_OK)
        ss_error_print(&err, "model");
    free(req);
    ss_grid_free(&o.coef);
    ss_grid_free(&o.tests);
    ss_model_fit_free(&fit);
    ss_model_matrix_free(&mm);
    ss_formula_free(&f);
    ss_design_free(&d);
    ss_table_free(&t);
    ss_cli_free(&a.cli);
    return rc;
}
