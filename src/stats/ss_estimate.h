/* ss_estimate: design-based estimators (R's svymean, svytotal, svyratio,
 * svyciprop) for the whole population and for domains, into result rows.
 *
 * Each variable uses its own available cases: a row is present for an
 * estimate when it is in the domain and the variable (both variables for a
 * ratio) is answered; every other row scores zero and keeps its PSU, as R's
 * subset of a design.  Linearized scores (Binder; R's svymean code):
 *   mean   z = w (y - ybar) / W        total  z = w y
 *   ratio  z = w (y - R x) / X         prop   the mean of the 0/1 indicator
 * and the satisfaction measures are means of a per-respondent score (t2b,
 * b2b: 0/1, with a proportion's interval; net: -1/0/1; index: 0..100)
 * and Var = the design variance of the total of z (ss_design_vcov). */
#ifndef SS_ESTIMATE_H
#define SS_ESTIMATE_H

#include <stddef.h>

#include "ss_design.h"
#include "ss_dist.h"
#include "ss_error.h"
#include "ss_propci.h"
#include "ss_quantile.h"
#include "ss_result.h"
#include "ss_table.h"

typedef enum {
    SS_STAT_MEAN,
    SS_STAT_TOTAL,
    SS_STAT_PROP,
    SS_STAT_RATIO,
    SS_STAT_QUANTILE,
    SS_STAT_T2B,    /* satisfaction measures on --scale, from here on */
    SS_STAT_B2B,
    SS_STAT_NET,
    SS_STAT_INDEX,
} ss_stat;

/* The most contrast rows --compare writes in one run (pairs of domains
 * times estimates and levels): more is an error. */
#define SS_COMPARE_MAX_PAIRS 1000000

typedef struct ss_estimate_request {
    ss_stat stat;
    const char *var;   /* the numerator of a ratio */
    const char *den;   /* ratio only */
    const char *const *items; /* index only: its items; var is its NAME */
    size_t nitems;
} ss_estimate_request;

typedef enum { SS_DF_DESIGN, SS_DF_INF, SS_DF_FIXED } ss_df_mode;

typedef struct ss_estimate_options {
    double level;          /* confidence level, 0.95 */
    ss_df_mode df_mode;
    double df_fixed;
    int domain_df;         /* df from the domain's own PSUs and strata */
    int deff;              /* design effect against SRS without replacement */
    const char *const *by; /* domain variables */
    size_t nby;
    ss_ci_method ci_method; /* proportions */
    const double *probs;   /* quantiles */
    const char *const *prob_labels; /* as typed, for the level column */
    size_t nprobs;
    ss_qrule qrule;
    int nchs;              /* --flags nchs */
    int compare;           /* pairwise differences between domains (at most
                            * SS_COMPARE_MAX_PAIRS rows of them in all) */
    double scale_low, scale_high; /* --scale LOW:HIGH, HIGH most satisfied */
    const unsigned char *subset; /* --subset: per row 1 inside, or NULL for
                            * every row; the estimates are for its rows, a
                            * domain of the whole design (R's subset) */
} ss_estimate_options;

/* Columns the requests and --by need, appended to req; returns the count. */
size_t ss_estimate_requests(const ss_estimate_request *er, size_t n,
                            const ss_estimate_options *o, ss_request *req);

/* Append one row per estimate (and per level and domain) to out. */
int ss_estimate_run(const ss_table *t, const ss_design *d,
                    const ss_estimate_request *er, size_t n,
                    const ss_estimate_options *o, ss_result *out, ss_error *err);

/* A warning for every row of res without an interval (flag CIx: the
 * method failed for that row alone), naming the row and why: report(ctx,
 * text) is called with each text ("mean x in d: no interval: ..."), in row
 * order; the caller prints it (the CLI as "survstat CMD: warning: TEXT").
 * text lives until report returns. */
typedef void (*ss_estimate_report)(void *ctx, const char *text);
void ss_estimate_warnings(const ss_result *res, ss_estimate_report report, void *ctx);


#endif
