/* survstat combine: a composite estimate of the same statistic from
 * independent samples (the household and the telephone survey). */
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

const char cmd_combine_usage[] =
    "usage: survstat combine RESULT.csv RESULT.csv ... [--weights A,B,...]\n"
    "                        [--level P] [--format FMT] [--percent] [-o FILE]\n"
    "\n"
    "Combines the estimates that independent samples give of the same thing:\n"
    "for every row (statistic, variable, level, domain) present in every file,\n"
    "estimate = sum a_k est_k with a_k proportional to 1/se_k^2 (inverse\n"
    "variance), or to --weights, one per file; se = sqrt(sum a_k^2 se_k^2);\n"
    "df by Satterthwaite from the files' df (empty df = infinite); n = sum n_k.\n"
    "Rows get wave 'combined'.  Rows missing from a file are left out and\n"
    "counted on stderr.  A row without an estimate or SE in a file (or with an\n"
    "SE of 0, under inverse-variance weights) is left empty with a flag saying\n"
    "why, and a warning.  Output as in 'estimate' (--format text, csv, json, md,\n"
    "xlsx, html; --percent; a column conf_level = --level).\n"
    "\n"
    "example:\n"
    "  survstat combine tests/data/sample_a.csv tests/data/sample_b.csv\n";

enum { OPT_WEIGHTS_ = SS_OPT_FIRST_COMMAND, OPT_LEVEL };

static const struct option own_options[] = {
    {"level", required_argument, NULL, OPT_LEVEL},
    {NULL, 0, NULL, 0},
};

#define MAX_FILES 64

typedef struct combine_options {
    ss_cli *cli;
    double *fixed;
    size_t *nfixed;
    double *level;
} combine_options;

static int option(void *ctx, int opt, const char *arg, ss_error *err)
{
    combine_options *o = ctx;
    int rc = SS_OK;
    switch (opt) {
    case SS_OPT_WEIGHTS: { /* here: one weight per file */
        const char *items[MAX_FILES];
        rc = ss_cli_split(o->cli, arg, ',', items, MAX_FILES, o->nfixed, "--weights", err);
        for (size_t k = 0; k < *o->nfixed && rc == SS_OK; k++) {
            rc = ss_cli_number(items[k], "--weights", &o->fixed[k], err);
            if (rc == SS_OK && !(o->fixed[k] > 0))
                rc = ss_error_set(err, SS_EUSAGE, NULL, 0,
                                  "--weights: expected weights > 0, got '%s'", items[k]);
        }
        break;
    }
    case OPT_LEVEL:
        rc = ss_cli_level(arg, o->level, err);
        break;
    default:
        return SS_CLI_NOT_MINE;
    }
    return rc;
}

/* The rows of one file by (statistic, variable, level, domain): the wave is
 * not part of what combine matches, so two waves of one estimate in a file
 * would be ambiguous. */
static int index_file(ss_result_index *ix, const ss_result *r, const char *path, ss_error *err)
{
    size_t first, dup;
    int d = ss_result_index_build(ix, r, 0, r->n, 0, &first, &dup);
    if (d < 0)
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    if (d == 0)
        return SS_OK;
    char key[600], q[2][120];
    const ss_result_row *x = &r->row[dup], *y = &r->row[first];
    return ss_error_set(err, SS_EDATA, path, x->line,
                        "the same estimate as line %ld (%s) in another wave ('%s', '%s'): "
                        "combine takes one wave per file",
                        y->line, ss_result_key_text(x, key, sizeof key),
                        ss_error_quote(y->wave, strlen(y->wave), q[0], 100),
                        ss_error_quote(x->wave, strlen(x->wave), q[1], 100));
}

/* A row that enters a composite needs its estimate and SE, and under
 * inverse-variance weights an SE above 0 (1/0 has no share to give).
 * Otherwise the composite row is left empty with a flag saying why (one
 * such row does not sink the others): returns 1 with *why the reason for
 * the warning and flag the row's flag. */
static int lacking(const ss_result_row *x, const char *path, int inverse, const char **why,
                   char *flag, size_t size)
{
    *why = isnan(x->estimate) ? "column 'estimate': empty"
           : isnan(x->se)     ? "column 'se': empty"
           : inverse && x->se == 0 ? "column 'se': 0 (inverse-variance weights need SEs above 0;"
                                     " give --weights)"
                                   : NULL;
    if (!*why)
        return 0;
    snprintf(flag, size, "%s in %s",
             isnan(x->estimate) ? "no estimate" : isnan(x->se) ? "no se" : "se 0", path);
    return 1;
}

int cmd_combine(int argc, char **argv)
{
    ss_cli cli;
    ss_cli_init(&cli, "combine");
    ss_error err;
    ss_error_clear(&err);
    double level = 0.95, fixed[MAX_FILES];
    size_t nfixed = 0;
    combine_options o = {&cli, fixed, &nfixed, &level};
    int rc = ss_cli_parse(&cli, argc, argv, own_options, option, &o, &err);
    if (rc == SS_CLI_BAD_OPTION) {
        ss_cli_free(&cli);
        return 2;
    }
    size_t nfile = rc == SS_OK ? (size_t)(argc - optind) : 0;
    if (rc == SS_OK && nfile < 2)
        rc = ss_error_set(&err, SS_EUSAGE, NULL, 0, "combine needs two or more RESULT files");
    if (rc == SS_OK && nfile > MAX_FILES)
        rc = ss_error_set(&err, SS_EUSAGE, NULL, 0, "at most %d RESULT files", MAX_FILES);
    if (rc == SS_OK && nfixed && nfixed != nfile)
        rc = ss_error_set(&err, SS_EUSAGE, NULL, 0, "--weights: %zu weights for %zu files",
                          nfixed, nfile);
    ss_result *in = calloc(nfile ? nfile : 1, sizeof *in);
    if (!in && rc == SS_OK)
        rc = ss_error_set(&err, SS_EDATA, NULL, 0, "out of memory");
    for (size_t f = 0; f < nfile && rc == SS_OK; f++) {
        ss_result_init(&in[f]);
        rc = ss_result_read(&in[f], argv[optind + (int)f], &cli.read, &err);
    }
    ss_result res;
    ss_result_init(&res);
    size_t skipped = 0, nempty = 0;
    char first_empty[1400] = "";
    ss_result_index *ix = calloc(nfile ? nfile : 1, sizeof *ix);
    if (!ix && rc == SS_OK)
        rc = ss_error_set(&err, SS_EDATA, NULL, 0, "out of memory");
    for (size_t f = 0; f < nfile && rc == SS_OK; f++)
        rc = index_file(&ix[f], &in[f], argv[optind + (int)f], &err);
    for (size_t j = 0; rc == SS_OK && j < in[0].n; j++) {
        const ss_result_row *x[MAX_FILES];
        int all = 1;
        x[0] = &in[0].row[j];
        for (size_t f = 1; f < nfile && all; f++) {
            long i = ss_result_index_find(&ix[f], x[0]);
            all = i >= 0;
            if (all)
                x[f] = &in[f].row[i];
        }
        if (!all) {
            skipped++;
            continue;
        }
        char flag[1200];
        const char *why = NULL;
        size_t bad = 0;
        while (bad < nfile &&
               !lacking(x[bad], argv[optind + (int)bad], nfixed == 0, &why, flag, sizeof flag))
            bad++;
        if (bad < nfile) {
            ss_result_row *r = ss_result_add(&res, x[0]->statistic, x[0]->variable,
                                             x[0]->level, x[0]->domain);
            if (!r || ss_result_set_str(&r->wave, "combined") != 0 ||
                ss_result_set_str(&r->flag, flag) != 0) {
                rc = ss_error_set(&err, SS_EDATA, NULL, 0, "out of memory");
                break;
            }
            if (nempty++ == 0)
                snprintf(first_empty, sizeof first_empty, "%s:%ld: %s", argv[optind + (int)bad],
                         x[bad]->line, why);
            continue;
        }
        /* Inverse variance 1/se^2; where that overflows (tiny SEs), scaled
         * by the smallest se^2: the shares a/sa are the same. */
        double a[MAX_FILES], sa = 0, smin = INFINITY;
        for (size_t f = 0; f < nfile; f++) {
            a[f] = nfixed ? fixed[f] : 1 / (x[f]->se * x[f]->se);
            sa += a[f];
            smin = x[f]->se < smin ? x[f]->se : smin;
        }
        /* (the variances then in units of smin^2, or they underflow) */
        double unit = isfinite(sa) ? 1 : smin;
        if (unit != 1) {
            sa = 0;
            for (size_t f = 0; f < nfile; f++) {
                double ratio = smin / x[f]->se;
                a[f] = nfixed ? fixed[f] : ratio * ratio;
                sa += a[f];
            }
        }
        double est = 0, var = 0, dfden = 0, n = 0;
        for (size_t f = 0; f < nfile; f++) {
            double ak = a[f] / sa, se = x[f]->se / unit, v = ak * ak * se * se;
            est += ak * x[f]->estimate;
            var += v;
            dfden += isnan(x[f]->df) ? 0 : v * v / x[f]->df;
            n += x[f]->n;
        }
        double df = dfden > 0 ? var * var / dfden : INFINITY; /* free of the unit */
        ss_result_row *r = ss_result_add(&res, x[0]->statistic, x[0]->variable, x[0]->level,
                                         x[0]->domain);
        if (!r || ss_result_set_str(&r->wave, "combined") != 0) {
            rc = ss_error_set(&err, SS_EDATA, NULL, 0, "out of memory");
            break;
        }
        r->estimate = est;
        r->se = sqrt(var) * unit;
        double q = ss_quantile_t(level, df);
        r->ci_low = est - q * r->se;
        r->ci_high = est + q * r->se;
        r->df = isinf(df) ? NAN : df;
        r->n = n;
        r->cv = est != 0 ? r->se / fabs(est) : NAN;
    }
    ss_grid g = {0};
    res.conf_level = level;
    if (rc == SS_OK && ss_grid_from_results(&g, &res) != 0)
        rc = ss_error_set(&err, SS_EDATA, NULL, 0, "out of memory");
    if (rc == SS_OK && res.n == 0)
        rc = ss_error_set(&err, SS_EDATA, NULL, 0, "no estimate is in every RESULT file");
    if (rc == SS_OK)
        rc = ss_cli_write(&cli, &g, &err);
    if (rc == SS_OK && skipped)
        fprintf(stderr, "survstat combine: %zu rows of %s are not in every file and were left out\n",
                skipped, argv[optind]);
    if (rc == SS_OK && nempty)
        fprintf(stderr,
                "survstat combine: warning: %zu row%s no composite (see the flag); the first: "
                "%s\n",
                nempty, nempty == 1 ? " has" : "s have", first_empty);
    if (rc != SS_OK)
        ss_error_print(&err, "combine");
    for (size_t f = 0; f < nfile && in; f++)
        ss_result_free(&in[f]);
    for (size_t f = 0; f < nfile && ix; f++)
        ss_result_index_free(&ix[f]);
    free(ix);
    free(in);
    ss_grid_free(&g);
    ss_result_free(&res);
    ss_cli_free(&cli);
    return rc;
}
