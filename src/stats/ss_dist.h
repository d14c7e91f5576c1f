/* ss_dist: the distribution functions the intervals and tests share, on
 * R's nmath (TOMS 708) and GSL: quantiles that never come out NaN where
 * R's give a number. */
#ifndef SS_DIST_H
#define SS_DIST_H

/* The regularized incomplete beta I_x(a, b) (R's pbeta), also where
 * GSL's alone gives NaN (a + b in the millions). */
double ss_pbeta(double x, double a, double b);
/* R's qbeta(P, a, b): never NaN for 0 <= P <= 1 and a, b not NaN (a <= 0
 * gives 0, b <= 0 gives 1); GSL's inverse checked, Brent's method in
 * [0, 1] where it fails. */
double ss_qbeta(double P, double a, double b);

/* The t quantile for a two-sided interval at level with df degrees of
 * freedom (the normal one when df is infinite, NaN when df <= 0). */
double ss_quantile_t(double level, double df);
/* R's qt(p, df) (df = INFINITY: qnorm), NaN only for df <= 0 or NaN:
 * accurate in far tails and for df below 1, +-Inf where the quantile
 * overflows a double. */
double ss_qt(double p, double df);

#endif
