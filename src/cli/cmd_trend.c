/* survstat trend: the change between survey waves for every estimate of
 * the result files, with independent-samples SEs and Satterthwaite df. */
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ss_cli.h"
#include "ss_commands.h"
#include "ss_estimate.h"
#include "ss_result.h"
#include "ss_resultfile.h"
#include "ss_writer.h"

const char cmd_trend_usage[] =
    "usage: survstat trend RESULT.csv RESULT.csv ... [--base WAVE] [--level P]\n"
    "                      [--format FMT] [--percent] [-o FILE]\n"
    "\n"
    "Each result file is one wave (its 'wave' column, as 'estimate --wave'\n"
    "writes it); the waves are taken in the order the files are given (not\n"
    "sorted by label).  For every estimate (statistic, variable, level, domain)\n"
    "in two consecutive waves, or in a wave and the --base wave: the change\n"
    "(later minus earlier in that order) as estimate, se = sqrt(se1^2 + se2^2)\n"
    "(independent samples), Satterthwaite df = (se1^2 + se2^2)^2 / (se1^4/df1\n"
    "+ se2^4/df2) (an empty df is infinite), the t interval, p_value (two-sided\n"
    "t) and p_holm (Holm over all rows).  An estimate missing from one of the\n"
    "two waves gets a row with no numbers and the flag 'missing in WAVE'; one\n"
    "whose estimate or se is empty in a wave gets the flag 'no estimate in\n"
    "WAVE' or 'no se in WAVE'.  Output as in 'estimate' (--format text, csv,\n"
    "json, md, xlsx, html; --percent: a change of a proportion in points;\n"
    "a column conf_level = --level).  The result files may have conf_level.\n"
    "\n"
    "example:\n"
    "  survstat trend tests/data/wave_2008.csv tests/data/wave_2009.csv\n";

enum { OPT_BASE = SS_OPT_FIRST_COMMAND, OPT_LEVEL };

static const struct option own_options[] = {
    {"base", required_argument, NULL, OPT_BASE},
    {"level", required_argument, NULL, OPT_LEVEL},
    {NULL, 0, NULL, 0},
};

#define MAX_WAVES 256

typedef struct wave {
    const char *file;
    const char *label;
    ss_result r;
    ss_result_index ix; /* r's rows by key */
} wave;

/* One change row: to minus from, or the missing row. */
static int change(ss_result *out, const wave *from, const wave *to, const ss_result_row *a,
                  const ss_result_row *b, const ss_result_row *key, double level,
                  ss_error *err)
{
    ss_result_row *r = ss_result_add(out, key->statistic, key->variable, key->level,
                                     key->domain);
    if (!r || ss_result_set_str(&r->wave, to->label) != 0 ||
        ss_result_set_str(&r->wave_from, from->label) != 0 ||
        ss_result_set_str(&r->wave_to, to->label) != 0 ||
        (key->var_label && ss_result_set_str(&r->var_label, key->var_label) != 0) ||
        (key->by_label && ss_result_set_str(&r->by_label, key->by_label) != 0))
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    /* An estimate or SE empty in a wave: the numbers that need it stay
     * empty, and the flag says why (rather than an empty row that says
     * nothing). */
    const ss_result_row *gap = a && (isnan(a->estimate) || isnan(a->se)) ? a
                               : b && (isnan(b->estimate) || isnan(b->se)) ? b
                                                                          : NULL;
    if (gap) {
        char flag[300];
        snprintf(flag, sizeof flag, "no %s in %s", isnan(gap->estimate) ? "estimate" : "se",
                 gap == a ? from->label : to->label);
        if (ss_result_set_str(&r->flag, flag) != 0)
            return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    }
    if (!a || !b) {
        char flag[300];
        snprintf(flag, sizeof flag, "missing in %s", a ? to->label : from->label);
        return ss_result_set_str(&r->flag, flag) == 0
                   ? SS_OK
                   : ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    }
    double v1 = a->se * a->se, v2 = b->se * b->se, v = v1 + v2;
    double den = (isnan(a->df) ? 0 : v1 * v1 / a->df) + (isnan(b->df) ? 0 : v2 * v2 / b->df);
    double df = den > 0 ? v * v / den : INFINITY;
    r->estimate = b->estimate - a->estimate;
    r->se = sqrt(v);
    double q = ss_quantile_t(level, df);
    r->ci_low = r->estimate - q * r->se;
    r->ci_high = r->estimate + q * r->se;
    r->df = isinf(df) ? NAN : df;
    r->n = a->n + b->n;
    r->t = r->estimate / r->se;
    r->p_value = isinf(df) ? 2 * gsl_cdf_ugaussian_Q(fabs(r->t)) : 2 * gsl_cdf_tdist_Q(fabs(r->t), df);
    return SS_OK;
}

/* Rows by p-value, ties in row order (R's order() is stable). */
static const ss_result *holm_rows;

static int cmp_p(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    double p = holm_rows->row[i].p_value, q = holm_rows->row[j].p_value;
    if (p != q)
        return p < q ? -1 : 1;
    return (i > j) - (i < j);
}

/* Holm's adjustment over every row with a p-value (R's p.adjust: NaN
 * left out). */
static int holm_all(ss_result *out)
{
    size_t k = 0;
    size_t *o = malloc((out->n ? out->n : 1) * sizeof *o);
    if (!o)
        return -1;
    for (size_t i = 0; i < out->n; i++)
        if (!isnan(out->row[i].p_value))
            o[k++] = i;
    holm_rows = out;
    qsort(o, k, sizeof *o, cmp_p);
    double run = 0;
    for (size_t i = 0; i < k; i++) {
        double v = (double)(k - i) * out->row[o[i]].p_value;
        run = v > run ? v : run;
        out->row[o[i]].p_holm = run < 1 ? run : 1;
    }
    free(o);
    return 0;
}

/* Rows of `to` compared with `from`: every key of either. */
static int compare(ss_result *out, const wave *from, const wave *to, double level, ss_error *err)
{
    int rc = SS_OK;
    for (size_t i = 0; i < from->r.n && rc == SS_OK; i++) {
        const ss_result_row *a = &from->r.row[i];
        long j = ss_result_index_find(&to->ix, a);
        rc = change(out, from, to, a, j >= 0 ? &to->r.row[j] : NULL, a, level, err);
    }
    for (size_t j = 0; j < to->r.n && rc == SS_OK; j++) {
        const ss_result_row *b = &to->r.row[j];
        if (ss_result_index_find(&from->ix, b) < 0)
            rc = change(out, from, to, NULL, b, b, level, err);
    }
    return rc;
}

typedef struct trend_options {
    const char **base;
    double *level;
} trend_options;

static int option(void *ctx, int opt, const char *arg, ss_error *err)
{
    trend_options *o = ctx;
    int rc = SS_OK;
    switch (opt) {
    case OPT_BASE:
        *o->base = arg;
        break;
    case OPT_LEVEL:
        rc = ss_cli_level(arg, o->level, err);
        break;
    default:
        return SS_CLI_NOT_MINE;
    }
    return rc;
}

int cmd_trend(int argc, char **argv)
{
    ss_cli cli;
    ss_cli_init(&cli, "trend");
    ss_error err;
    ss_error_clear(&err);
    const char *base = NULL;
    double level = 0.95;
    trend_options o = {&base, &level};
    int rc = ss_cli_parse(&cli, argc, argv, own_options, option, &o, &err);
    if (rc == SS_CLI_BAD_OPTION) {
        ss_cli_free(&cli);
        return 2;
    }
    size_t nw = rc == SS_OK ? (size_t)(argc - optind) : 0;
    if (rc == SS_OK && nw < 2)
        rc = ss_error_set(&err, SS_EUSAGE, NULL, 0, "trend needs two or more RESULT files");
    if (rc == SS_OK && nw > MAX_WAVES)
        rc = ss_error_set(&err, SS_EUSAGE, NULL, 0, "at most %d RESULT files", MAX_WAVES);
    wave *w = calloc(nw ? nw : 1, sizeof *w);
    if (!w && rc == SS_OK)
        rc = ss_error_set(&err, SS_EDATA, NULL, 0, "out of memory");
    for (size_t k = 0; k < nw && rc == SS_OK; k++) {
        w[k].file = argv[optind + (int)k];
        ss_result_init(&w[k].r);
        rc = ss_result_read(&w[k].r, w[k].file, &cli.read, &err);
        if (rc != SS_OK)
            break;
        if (w[k].r.n == 0) {
            rc = ss_error_set(&err, SS_EDATA, w[k].file, 0, "no result rows");
            break;
        }
        w[k].label = w[k].r.row[0].wave;
        for (size_t i = 0; i < w[k].r.n && rc == SS_OK; i++)
            if (strcmp(w[k].r.row[i].wave, w[k].label) != 0 || !w[k].label[0])
                rc = ss_error_set(&err, SS_EDATA, w[k].file, (long)i + 2,
                                  "every row needs the same, non-empty wave (write it with"
                                  " 'estimate --wave LABEL')");
        for (size_t j = 0; j < k && rc == SS_OK; j++)
            if (strcmp(w[j].label, w[k].label) == 0)
                rc = ss_error_set(&err, SS_EDATA, w[k].file, 0,
                                  "wave '%s' is also the wave of %s", w[k].label, w[j].file);
        size_t first, dup; /* the reader refused duplicates */
        if (rc == SS_OK &&
            ss_result_index_build(&w[k].ix, &w[k].r, 0, w[k].r.n, 0, &first, &dup) != 0)
            rc = ss_error_set(&err, SS_EDATA, NULL, 0, "out of memory");
    }
    ss_result out;
    ss_result_init(&out);
    out.tests = 1;
    out.waves = 1;
    if (rc == SS_OK) {
        size_t b = nw;
        for (size_t k = 0; base && k < nw; k++)
            if (strcmp(w[k].label, base) == 0)
                b = k;
        if (base && b == nw)
            rc = ss_error_set(&err, SS_EUSAGE, NULL, 0, "--base: no file has wave '%s'", base);
        for (size_t k = 1; k < nw && rc == SS_OK && !base; k++)
            rc = compare(&out, &w[k - 1], &w[k], level, &err);
        for (size_t k = 0; k < nw && rc == SS_OK && base; k++)
            if (k != b)
                rc = k < b ? compare(&out, &w[k], &w[b], level, &err)
                           : compare(&out, &w[b], &w[k], level, &err);
        if (rc == SS_OK && holm_all(&out) != 0)
            rc = ss_error_set(&err, SS_EDATA, NULL, 0, "out of memory");
    }
    ss_grid g = {0};
    out.conf_level = level;
    for (size_t k = 0; k < nw && w; k++)
        out.labels |= w[k].r.labels; /* the labels go on to the chart */
    if (rc == SS_OK && ss_grid_from_results(&g, &out) != 0)
        rc = ss_error_set(&err, SS_EDATA, NULL, 0, "out of memory");
    if (rc == SS_OK)
        rc = ss_cli_write(&cli, &g, &err);
    if (rc != SS_OK)
        ss_error_print(&err, "trend");
    for (size_t k = 0; k < nw && w; k++) {
        ss_result_free(&w[k].r);
        ss_result_index_free(&w[k].ix);
    }
    free(w);
    ss_grid_free(&g);
    ss_result_free(&out);
    ss_cli_free(&cli);
    return rc;
}
