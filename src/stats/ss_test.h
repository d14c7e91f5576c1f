/* ss_test: design-based tests, the meaning of R's svyttest (two groups)
 * and svychisq (a two-way table), over a ss_design.
 *
 * Rows where a test variable is missing are left out as a domain: they
 * keep their PSUs in the design and score zero (R's svyglm and svymean
 * subset the design, which keeps every PSU's count).  Levels are those
 * present where both variables are, in survstat's order
 * (ss_column_level_order).  The functions fill a ss_test_out; they
 * allocate their own workspace and free it before returning. */
#ifndef SS_TEST_H
#define SS_TEST_H

#include <stddef.h>

#include "ss_design.h"
#include "ss_error.h"
#include "ss_table.h"

typedef enum {
    SS_CHISQ_F,       /* Rao-Scott second-order F (R's default) */
    SS_CHISQ_CHISQ,   /* Pearson X^2, p from X^2 / mean(delta) (first order) */
    SS_CHISQ_WALD,    /* Wald test of the interaction, F on (K, nu) */
    SS_CHISQ_ADJWALD, /* adjusted Wald, F on (K, nu - K + 1) */
} ss_chisq_stat;

typedef struct ss_test_out {
    double estimate;   /* t test: mean of the second group minus the first */
    double se;         /* its SE; both NaN for a chisq test */
    double statistic;  /* t, F or X^2 as R reports it */
    double df1;        /* t: df; F: numerator df; Chisq: df */
    double df2;        /* F: denominator df; NaN for t and Chisq */
    double p_value;    /* two-sided for t */
    size_t n;          /* rows used (both variables present) */
    size_t nlev1, nlev2; /* levels of the group / row and column variables */
    size_t rank;       /* Wald, adjWald: the rank of the cells' covariance
                        * (below (nr-1)(nc-1): a generalised inverse) */
} ss_test_out;

/* "F", "Chisq", "Wald", "adjWald" (as R's statistic=): 0, else -1. */
int ss_chisq_stat_parse(const char *name, ss_chisq_stat *s);
/* The name of s as R spells it. */
const char *ss_chisq_stat_name(ss_chisq_stat s);

/* R's svyttest(y ~ g, design): g must have exactly two levels among the
 * rows where y (numbers, NaN missing) and g (categories) are present.
 *   estimate = ybar_2 - ybar_1 (levels in survstat's order),
 *   se^2 = Var(total of z), z_i = +-w_i (y_i - ybar_g) / W_g (+ in group 2),
 *   t = estimate / se, df = PSUs minus strata among those rows, minus 1
 *   (R's degf of the subset design + 1 - 2 coefficients). */
int ss_test_ttest(const ss_design *d, const ss_column *y, const ss_column *g,
                  ss_test_out *out, ss_error *err);

/* R's svychisq(~r + c, design, statistic = stat) over the rows where both
 * are present; each needs at least two levels there.  With K = (nr-1)(nc-1),
 * nu = PSUs minus strata of the whole design (every row, as R's
 * svychisq counts them), X2 = ss_test_pearson with N = all rows of the
 * design (answered or not: R's nrow(design$variables)) and tr1, tr2 from
 * ss_test_rao_scott on the cell proportions and their covariance:
 *   F:       statistic X2 / tr1, df1 = d0 = tr1^2 / tr2, df2 = d0 nu;
 *   Chisq:   statistic X2, df1 = K, p = P(chi2_K > X2 / (tr1 / K));
 *   Wald:    W = Y' V^-1 Y, Y the cells (a, b >= 1) of N_ab - N_a. N_.b / N
 *            and V their covariance; statistic W / K on K and nu df;
 *   adjWald: statistic W (nu - K + 1) / (K nu) on K and nu - K + 1 df.
 * A V of rank r < K (fewer PSUs than cells, say) gives W = Y' V^+ Y with
 * the Moore-Penrose inverse (MASS::ginv) and r in place of K (out->rank;
 * R's solve gives a meaningless statistic there); V = 0 (no sampling
 * variance) an infinite statistic without df1 and p.  A singular
 * Rao-Scott denominator is an error. */
int ss_test_chisq(const ss_design *d, const ss_column *r, const ss_column *c,
                  ss_chisq_stat stat, ss_test_out *out, ss_error *err);

/* The same on a subset of the rows (--subset: keep[i] != 0 for a row in
 * it; NULL: every row), as R's svyttest and svychisq on subset(design,
 * EXPR): the rows outside keep their PSUs and score zero.  The chisq
 * test's N and nu are then those of the subset design, as R counts them:
 * N its rows (every row of a calibrated design, which R's subset keeps
 * with weight zero), nu PSUs minus strata among them. */
int ss_test_ttest_in(const ss_design *d, const unsigned char *keep, const ss_column *y,
                     const ss_column *g, ss_test_out *out, ss_error *err);
int ss_test_chisq_in(const ss_design *d, const unsigned char *keep, const ss_column *r,
                     const ss_column *c, ss_chisq_stat stat, ss_test_out *out, ss_error *err);

/* The pieces of svychisq, exposed for unit tests.  Cells k = i + nr j.
 *
 * Pearson's X^2 of the weighted table t (nr x nc) scaled to total N, as
 * R's chisq.test(svytable(..., Ntotal = N), correct = FALSE). */
double ss_test_pearson(size_t nr, size_t nc, const double *t, double N);

/* Rao-Scott: with p the cell proportions and V (nr nc square, row-major)
 * their covariance, Delta = (C' D^-1 C / N)^-1 (C' D^-1 V D^-1 C), where
 * D^-1 = diag(1/p, 0 where p = 0) and C the (nr-1)(nc-1) interaction
 * contrasts, the residuals of the cell indicators on the additive row +
 * column model.  Returns tr(Delta) and tr(Delta^2); fails when the
 * system is singular. */
int ss_test_rao_scott(size_t nr, size_t nc, const double *p, const double *V, double N,
                      double *tr1, double *tr2, ss_error *err);

#endif
