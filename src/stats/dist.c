/* Distribution functions the intervals and tests share: beta and t
 * quantiles that are right where GSL's inverses fail.  Lowest module of
 * src/stats: it calls no other. */
#include "ss_dist.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_roots.h>
#include <float.h>
#include <math.h>
#define MATHLIB_STANDALONE 1
#include <Rmath.h>
#include <stdint.h>
#include <stdlib.h>

/* ---- R's qbeta(P, a, b), robust ----
 *
 * GSL's gsl_cdf_beta_Pinv fails (NaN) on ordinary parameters (P = 0.975,
 * a = 9.94591, b = 1024.04) and never returns at (0.975, 1e6, 1e6), and
 * GSL's gsl_cdf_beta_P gives NaN near the mean once a + b passes about 2e6
 * and loses digits where a is small and b huge (a Korn-Graubard or beta
 * interval of a rare level with a large effective n).  So the incomplete
 * beta is R's own (nmath's pbeta, TOMS 708 bratio, from Debian's
 * r-mathlib, which takes x and 1 - x apart and gives either tail to full
 * precision), and the quantile is found by a safeguarded root-finder:
 * Brent's method bracketed in [0, 1] on the tail that P is nearer to,
 * polished by Newton steps. */

/* The regularized incomplete beta I_x(a, b) (R's pbeta). */
double ss_pbeta(double x, double a, double b)
{
    if (!(x > 0))
        return 0;
    if (!(x < 1))
        return 1;
    return pbeta(x, a, b, 1, 0);
}

/* I_x(a, b) - P, or for P above 1/2 the same through the upper tails,
 * (1 - P) - (1 - I_x), each to full precision (1 - x is never formed);
 * increasing in x either way. */
static double beta_resid(double x, double a, double b, double P)
{
    if (P > 0.5)
        return (1 - P) - pbeta(x, a, b, 0, 0);
    return pbeta(x, a, b, 1, 0) - P;
}

static double pbeta_minus(double x, void *params)
{
    const double *q = params;
    return beta_resid(x, q[0], q[1], q[2]);
}

/* nmath's pbeta prints a warning to standard output where an argument
 * underflows (bgrat: b * z == 0); its arguments are kept where it cannot:
 * x in [BETA_XMIN, 1), both shapes at least BETA_SHAPE_MIN. */
#define BETA_XMIN 1e-300
#define BETA_SHAPE_MIN 1e-20

/* Brent's method on I_x(a, b) - P in [lo, hi] (at most 2000 steps). */
static double qbeta_brent(double P, double a, double b, double lo, double hi)
{
    double q[3] = {a, b, P};
    gsl_function F = {pbeta_minus, q};
    gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    if (!s)
        return NAN;
    double x = NAN;
    if (gsl_root_fsolver_set(s, &F, lo, hi) == GSL_SUCCESS) {
        for (int it = 0; it < 2000; it++) {
            if (gsl_root_fsolver_iterate(s) != GSL_SUCCESS)
                break;
            x = gsl_root_fsolver_root(s);
            double xl = gsl_root_fsolver_x_lower(s), xh = gsl_root_fsolver_x_upper(s);
            if (xl == xh || gsl_root_test_interval(xl, xh, 0, 4 * DBL_EPSILON) == GSL_SUCCESS)
                break;
        }
    }
    gsl_root_fsolver_free(s);
    return x;
}

/* Newton steps on I_x(a, b) - P from x, while they stay in [lo, hi] and
 * bring the residual down. */
static double qbeta_polish(double x, double P, double a, double b, double lo, double hi)
{
    double f = beta_resid(x, a, b, P);
    for (int i = 0; i < 4 && f != 0 && isfinite(f); i++) {
        double dens = dbeta(x, a, b, 0);
        if (!(dens > 0) || !isfinite(dens))
            break;
        double nx = x - f / dens;
        if (!(nx >= lo && nx <= hi))
            break;
        double nf = beta_resid(nx, a, b, P);
        if (!(fabs(nf) < fabs(f)))
            break;
        x = nx;
        f = nf;
    }
    return x;
}

/* R's qbeta(P, a, b) for 0 < P < 1 (a <= 0: 0, b <= 0: 1, an infinite
 * parameter: the point mass), to well below 1e-9 relative.  A quantile
 * below 1e-300 is 0 (R's underflows too), and so is every quantile of a
 * shape a below 1e-20 (its mass sits below 1e-300 for any P short of
 * 1 - 1e-17); likewise 1 above 1 - 2^-53 or for b below 1e-20. */
double ss_qbeta(double P, double a, double b)
{
    if (isnan(P) || isnan(a) || isnan(b))
        return NAN;
    if (a <= 0 || P <= 0)
        return 0;
    if (b <= 0 || P >= 1)
        return 1;
    if (isinf(a) || isinf(b))
        return isinf(a) && isinf(b) ? NAN : isinf(a) ? 1 : 0;
    if (a < BETA_SHAPE_MIN)
        return 0;
    if (b < BETA_SHAPE_MIN)
        return 1;
    const double lo = BETA_XMIN, hi = nextafter(1, 0);
    if (beta_resid(lo, a, b, P) >= 0)
        return 0;
    if (beta_resid(hi, a, b, P) <= 0)
        return 1;
    return qbeta_polish(qbeta_brent(P, a, b, lo, hi), P, a, b, lo, hi);
}

/* The upper quantile t > 0 with P(T_df > t) = q, 0 < q <= 1/2.  GSL's
 * inverse is NaN for df below about 0.05 and loses digits in far tails
 * (1e-6 relative at q = 5e-13), so for df >= 1 it is polished by Newton
 * steps on GSL's upper tail (accurate there) and checked; below df = 1,
 * or where that fails, t comes from the beta quantile: P(T > t) =
 * I_x(df/2, 1/2)/2 with x = df/(df + t^2).  An infinite t where the
 * quantile overflows a double (R: Inf too). */
static double qt_upper(double q, double df)
{
    if (isinf(df))
        return gsl_cdf_ugaussian_Qinv(q);
    if (q >= 0.5)
        return 0;
    if (df >= 1) {
        double t = gsl_cdf_tdist_Qinv(q, df);
        for (int i = 0; i < 6 && t > 0 && isfinite(t); i++) {
            double f = gsl_cdf_tdist_Q(t, df) - q, dens = gsl_ran_tdist_pdf(t, df);
            if (!(dens > 0) || !isfinite(f))
                break;
            double nt = t + f / dens;
            if (!(nt > 0) || !isfinite(nt) || nt == t)
                break;
            t = nt;
        }
        if (t > 0 && isfinite(t) && fabs(gsl_cdf_tdist_Q(t, df) - q) <= 1e-13 * q)
            return t;
    }
    double x = ss_qbeta(2 * q, df / 2, 0.5);
    return x > 0 ? sqrt(df * ((1 - x) / x)) : INFINITY;
}

double ss_qt(double p, double df)
{
    if (isnan(p) || isnan(df) || df <= 0)
        return NAN;
    if (p == 0.5)
        return 0;
    if (isinf(df))
        return gsl_cdf_ugaussian_Pinv(p);
    /* GSL's inverse where it is right (the same bits as before). */
    const double q = p < 0.5 ? p : 1 - p;
    double t = gsl_cdf_tdist_Pinv(p, df);
    if (isfinite(t) && t != 0 && fabs(gsl_cdf_tdist_Q(fabs(t), df) - q) <= 1e-13 * q)
        return t;
    return p < 0.5 ? -qt_upper(q, df) : qt_upper(q, df);
}

double ss_quantile_t(double level, double df)
{
    return ss_qt(1 - (1 - level) / 2, df);
}
