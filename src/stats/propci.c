/* Confidence intervals for proportions (R's svyciprop) and the NCHS 2017
 * presentation standards.  See ss_propci.h for the methods. */
#include "ss_propci.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_roots.h>
#include <float.h>
#include <math.h>
#define MATHLIB_STANDALONE 1
#include <Rmath.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ss_dist.h"

int ss_ci_method_parse(const char *name, ss_ci_method *out)
{
    static const struct {
        const char *name;
        ss_ci_method m;
    } t[] = {
        {"logit", SS_CI_LOGIT},   {"wald", SS_CI_WALD},
        {"beta", SS_CI_BETA},     {"korn-graubard", SS_CI_BETA},
        {"likelihood", SS_CI_LIKELIHOOD}, {"asin", SS_CI_ASIN},
        {"xlogit", SS_CI_XLOGIT}, {"wilson", SS_CI_WILSON},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcmp(name, t[i].name) == 0) {
            *out = t[i].m;
            return 0;
        }
    return -1;
}

static double expit(double x)
{
    return 1 / (1 + exp(-x));
}

/* ---- R's svyglm(y ~ 1, family = quasibinomial) ---- */

typedef struct logit_fit {
    double beta;     /* the coefficient */
    double mean_w;   /* the prior weights are w / mean_w */
    double sW;       /* X'WX of the last QR (summary.glm's 1 / cov.unscaled) */
    double S0, S1;   /* sums of prior weights, and of them times y */
    double dev;      /* the deviance at the fit */
} logit_fit;

void ss_logit_memo_init(ss_logit_memo *memo)
{
    for (size_t j = 0; j < SS_LOGIT_MEMO; j++)
        memo->pw[j] = NAN; /* equal to no weight */
}

/* ss_prop_logit_pre_row for a pw not in memo (slot j), pre->S0 taken. */
double ss_prop_logit_pre_miss(ss_logit_pre *pre, ss_logit_memo *memo, double pw, size_t j)
{
    /* mu = (pw + 1/2) / (pw + 1) when y = 1, 1/2 / (pw + 1) when 0: the
     * terms depend on pw alone, and weights repeat (two logs a row). */
    double q = pw + 1, v = 0.5 * (pw + 0.5) / (q * q);
    double dev = 2 * pw * log(q / (pw + 0.5)), a = pw * (v * log(2 * pw + 1) + 0.5 / q);
    if (!memo) {
        pre->devold += dev;
        pre->sW1 += pw * v;
        pre->A += a;
        return a;
    }
    memo->pw[j] = pw;
    memo->dev[j] = dev;
    memo->vw[j] = pw * v;
    memo->a[j] = a;
    pre->devold += memo->dev[j];
    pre->sW1 += memo->vw[j];
    pre->A += memo->a[j];
    return memo->a[j];
}

void ss_prop_logit_pre(const ss_design *d, const size_t *rows, size_t m, double *a,
                       ss_logit_pre *pre)
{
    const double *w = d->w;
    double sw = 0;
    for (size_t k = 0; k < m; k++)
        sw += w[rows[k]];
    *pre = (ss_logit_pre){.mean_w = sw / (double)ss_design_glm_rows(d, m), .a = a};
    ss_logit_memo *memo = malloc(sizeof *memo);
    if (memo)
        ss_logit_memo_init(memo);
    for (size_t k = 0; k < m; k++)
        a[k] = ss_prop_logit_pre_row(pre, memo, w[rows[k]] / pre->mean_w);
    free(memo);
}

/* glm.fit's iterations from the first one's sums (S0 = sum pw, S1 = sum
 * pw y, the deviance at the start, and X'WX, X'Wz of the first iteration):
 * beta, the mu the last iteration started from (NaN after one) and the
 * deviance; returns the iterations taken, -1 when it does not converge. */
static int logit_iterate(double S0, double S1, double devold, double sW1, double sWz1,
                         double *beta_out, double *mu_start_out, double *dev_out)
{
    const double eps = 1e-8;
    const int maxit = 25;
    double beta = 0, mu_start = NAN, dev = 0; /* mu_start: NaN in iteration 1 */
    for (int it = 1; it <= maxit; it++) {
        if (it == 1) {
            beta = sWz1 / sW1;
        } else {
            double v = mu_start * (1 - mu_start);
            beta = log(mu_start / (1 - mu_start)) + (S1 / S0 - mu_start) / v;
        }
        double mu = expit(beta);
        dev = 0;
        if (S1 > 0)
            dev += 2 * S1 * log(1 / mu);
        if (S0 - S1 > 0)
            dev += 2 * (S0 - S1) * log(1 / (1 - mu));
        if (fabs(dev - devold) / (fabs(dev) + 0.1) < eps) {
            *beta_out = beta;
            *mu_start_out = mu_start;
            *dev_out = dev;
            return it;
        }
        devold = dev;
        mu_start = mu;
    }
    return -1;
}

/* After two or more iterations every row has the same mu = expit(beta): a
 * row's linearized score is (y - mu) w times this; *sW (if given) is X'WX
 * of the last QR, glm's weights at the iteration's start mu_start. */
static double score_factor(double S0, double mean_w, double beta, double mu_start, double *sW)
{
    const double mu = expit(beta), v = mu * (1 - mu);
    const double c = mu_start * (1 - mu_start);
    const double xwx = S0 * c;
    if (sW)
        *sW = xwx;
    return c / (v * mean_w * xwx);
}

int ss_prop_logit_sums(const ss_logit_pre *pre, double S1, double a1, double *beta,
                       double *mu, double *g)
{
    double mu_start, dev;
    int it = logit_iterate(pre->S0, S1, pre->devold, pre->sW1, 2 * a1 - pre->A, beta,
                           &mu_start, &dev);
    if (it < 0)
        return -1;
    if (it == 1)
        return 1;
    *mu = expit(*beta);
    *g = score_factor(pre->S0, pre->mean_w, *beta, mu_start, NULL);
    return 0;
}

/* glm.fit's IRLS for the intercept-only binomial model (weights rescaled
 * to mean 1 over the rows R's subset keeps, ss_design_glm_rows, mustart = (w y + 1/2)/(w + 1), stop when |dev - devold| /
 * (|dev| + 0.1) < 1e-8), emulated iteration by iteration: the closed form
 * logit(p) differs from R's converged value by ~5e-9.  After the first
 * iteration every row has the same mu, so the rows matter only through
 * S0 = sum pw and S1 = sum pw y; the first iteration's sums come from
 * in->pre when given (0/1 indicators), else from the rows.  Writes the
 * linearized scores of the coefficient (the estimating function times
 * (X'WX)^-1, R's svy.varcoef) to z.  0, or -1 when it does not converge. */
static int logit_irls(const ss_prop_input *in, double *z, logit_fit *f)
{
    const double *w = in->d->w, *y = in->y;
    const size_t m = in->m;
    double mean_w, S0 = 0, S1 = 0, devold = 0, sW1 = 0, sWz1 = 0;
    if (in->pre) {
        const ss_logit_pre *pre = in->pre;
        mean_w = pre->mean_w;
        double a1 = 0;
        for (size_t k = 0; k < m; k++)
            if (y[k] > 0) {
                S1 += w[in->rows[k]] / mean_w;
                a1 += pre->a[k];
            }
        S0 = pre->S0;
        devold = pre->devold;
        sW1 = pre->sW1;
        sWz1 = 2 * a1 - pre->A;
    } else {
        double sw = 0;
        for (size_t k = 0; k < m; k++)
            sw += w[in->rows[k]];
        mean_w = sw / (double)ss_design_glm_rows(in->d, m);
        for (size_t k = 0; k < m; k++) {
            double pw = w[in->rows[k]] / mean_w;
            double mu = (pw * y[k] + 0.5) / (pw + 1), v = mu * (1 - mu);
            S0 += pw;
            S1 += pw * y[k];
            devold += 2 * pw * (y[k] > 0 ? log(1 / mu) : log(1 / (1 - mu)));
            if (pw <= 0)
                continue;
            sW1 += pw * v;
            sWz1 += pw * v * (log(mu / (1 - mu)) + (y[k] - mu) / v);
        }
    }
    double beta, mu_start, dev;
    int it = logit_iterate(S0, S1, devold, sW1, sWz1, &beta, &mu_start, &dev);
    if (it < 0)
        return -1;
    /* glm's weights and the QR of the last iteration are those at its start
     * (mu_start); its residuals use the final mu. */
    const double mu = expit(beta), v = mu * (1 - mu);
    double sW = 0;
    if (it > 1) {
        const double g = score_factor(S0, mean_w, beta, mu_start, &sW);
        for (size_t k = 0; k < m; k++)
            z[k] = (y[k] - mu) * w[in->rows[k]] * g;
    } else {
        for (size_t k = 0; k < m; k++) {
            double pw = w[in->rows[k]] / mean_w;
            double m0 = (pw * y[k] + 0.5) / (pw + 1);
            sW += pw * m0 * (1 - m0);
        }
        for (size_t k = 0; k < m; k++) {
            double pw = w[in->rows[k]] / mean_w;
            double m0 = (pw * y[k] + 0.5) / (pw + 1);
            z[k] = (y[k] - mu) / v * pw * m0 * (1 - m0) / sW;
        }
    }
    *f = (logit_fit){beta, mean_w, sW, S0, S1, dev};
    return 0;
}

int ss_prop_logit_coef(const ss_prop_input *in, double *z, double *beta)
{
    logit_fit f;
    if (logit_irls(in, z, &f) != 0)
        return -1;
    *beta = f.beta;
    return 0;
}

/* ---- the likelihood interval: MASS's profile.glm as R's survey runs it ---- */

/* Forsythe, Malcolm and Moler's cubic spline (R's spline(method="fmm")),
 * written 1-based as R's C code is. */
#define X(i) x[(i) - 1]
#define Y(i) y[(i) - 1]
#define B(i) b[(i) - 1]
#define C(i) c[(i) - 1]
#define D(i) d[(i) - 1]
static void fmm_spline(int n, const double *x, const double *y, double *b, double *c, double *d)
{
    if (n < 3) {
        B(1) = (Y(2) - Y(1)) / (X(2) - X(1));
        B(2) = B(1);
        C(1) = C(2) = D(1) = D(2) = 0.0;
        return;
    }
    int nm1 = n - 1, i;
    double t;
    D(1) = X(2) - X(1);
    C(2) = (Y(2) - Y(1)) / D(1);
    for (i = 2; i < n; i++) {
        D(i) = X(i + 1) - X(i);
        B(i) = 2.0 * (D(i - 1) + D(i));
        C(i + 1) = (Y(i + 1) - Y(i)) / D(i);
        C(i) = C(i + 1) - C(i);
    }
    B(1) = -D(1);
    B(n) = -D(nm1);
    C(1) = C(n) = 0.0;
    if (n > 3) {
        C(1) = C(3) / (X(4) - X(2)) - C(2) / (X(3) - X(1));
        C(n) = C(nm1) / (X(n) - X(n - 2)) - C(n - 2) / (X(nm1) - X(n - 3));
        C(1) = C(1) * D(1) * D(1) / (X(4) - X(1));
        C(n) = -C(n) * D(nm1) * D(nm1) / (X(n) - X(n - 3));
    }
    for (i = 2; i <= n; i++) {
        t = D(i - 1) / B(i - 1);
        B(i) = B(i) - t * D(i - 1);
        C(i) = C(i) - t * C(i - 1);
    }
    C(n) = C(n) / B(n);
    for (i = nm1; i >= 1; i--)
        C(i) = (C(i) - D(i) * C(i + 1)) / B(i);
    B(n) = (Y(n) - Y(n - 1)) / D(n - 1) + D(n - 1) * (C(n - 1) + 2.0 * C(n));
    for (i = 1; i <= nm1; i++) {
        B(i) = (Y(i + 1) - Y(i)) / D(i) - D(i) * (C(i + 1) + 2.0 * C(i));
        D(i) = (C(i + 1) - C(i)) / D(i);
        C(i) = 3.0 * C(i);
    }
    C(n) = 3.0 * C(n);
    D(n) = D(nm1);
}
#undef X
#undef Y
#undef B
#undef C
#undef D

static double spline_eval(double u, int n, const double *x, const double *y, const double *b,
                          const double *c, const double *d)
{
    int i = 0, j = n;
    do {
        int k = (i + j) / 2;
        if (u < x[k])
            j = k;
        else
            i = k;
    } while (j > i + 1);
    double dx = u - x[i];
    return y[i] + dx * (b[i] + dx * (c[i] + dx * d[i]));
}

/* R's approx(x, y, v) on x sorted increasing: NaN outside. */
static double approx_at(double v, const double *x, const double *y, int n)
{
    if (n == 0 || v < x[0] || v > x[n - 1])
        return NAN;
    int i = 0, j = n - 1;
    while (i < j - 1) {
        int ij = (i + j) / 2;
        if (v < x[ij])
            j = ij;
        else
            i = ij;
    }
    if (v == x[j])
        return y[j];
    if (v == x[i])
        return y[i];
    return y[i] + (y[j] - y[i]) * ((v - x[i]) / (x[j] - x[i]));
}

/* The binomial deviance of the intercept-only model at coefficient b
 * (glm.fit of an empty model with that offset). */
static double deviance_at(const logit_fit *f, double b)
{
    const double eps = 2.220446049250313e-16; /* R's logit_linkinv */
    double e = b < -30 ? eps : b > 30 ? 1 / eps : exp(b);
    double mu = e / (1 + e);
    double dev = 0;
    if (f->S1 > 0)
        dev += 2 * f->S1 * log(1 / mu);
    if (f->S0 - f->S1 > 0)
        dev += 2 * (f->S0 - f->S1) * log(1 / (1 - mu));
    return dev;
}

static int cmp_pair(const void *a, const void *b)
{
    const double *x = a, *y = b;
    return (x[0] > y[0]) - (x[0] < y[0]);
}

/* By the first, then the second (an index: a stable order). */
static int cmp_pair_stable(const void *a, const void *b)
{
    const double *x = a, *y = b;
    int c = (x[0] > y[0]) - (x[0] < y[0]);
    return c ? c : (x[1] > y[1]) - (x[1] < y[1]);
}

/* confint(svyglm, method = "likelihood", ddf = df) for the intercept:
 * lambda = design variance / model variance of the coefficient, the
 * unscaled level 2 alpha with alpha = pnorm(qt(a/2, df) sqrt(lambda))/2,
 * the signed root deviance profile over steps of zmax/5 standard errors
 * (at most 9 each way, zmax = sqrt(qf(alpha, 1, n - 1, upper))), the
 * dispersion svyvar of the Pearson residuals; the cut points
 * qnorm(unscaled level) interpolated through spline() then approx(). */
static int likelihood_profile(const ss_prop_input *in, const logit_fit f, double var,
                              double *z, double *lo, double *hi, ss_error *err)
{
    const double *w = in->d->w;
    const size_t m = in->m;
    const double se = sqrt(var), mu = expit(f.beta);
    const double lambda = var * f.sW; /* var / (1 / sW) */
    const double a = (1 - in->level) / 2;
    const double alpha = gsl_cdf_ugaussian_P(ss_qt(a, in->df) * sqrt(lambda)) / 2;

    /* The dispersion: svyvar of svyglm's Pearson residuals (y - mu) /
     * sqrt(mu (1 - mu)), without the prior weights (weights w, the divisor
     * n/(n-1) over rows with non-zero weight). */
    double W = 0, R = 0;
    size_t nz = 0;
    for (size_t k = 0; k < m; k++) {
        double wi = w[in->rows[k]];
        double r = (in->y[k] - mu) / sqrt(mu * (1 - mu));
        z[k] = r;
        W += wi;
        R += wi * r;
        nz += wi != 0;
    }
    double rbar = R / W, disp = 0;
    for (size_t k = 0; k < m; k++) {
        double wi = w[in->rows[k]], e = z[k] - rbar;
        disp += wi * (e * e * (double)nz / ((double)nz - 1));
    }
    disp /= W;

    /* sqrt(qf(alpha, 1, m - 1, upper)) = -qt(alpha/2, m - 1) (GSL's F
     * inverse is NaN at m = 1e6); the lower tail keeps a tiny alpha. */
    const double zmax = -ss_qt(alpha / 2, (double)m - 1);
    const double del = zmax / 5;
    double pts[2 * 10 + 1][2]; /* (beta, z) */
    int np = 0;
    pts[np][0] = f.beta;
    pts[np][1] = 0;
    np++;
    for (int sgn = -1; sgn <= 1; sgn += 2) {
        int step = 0;
        double zz = 0;
        while (++step < 10 && fabs(zz) < zmax) {
            double bi = f.beta + sgn * step * del * se;
            double q = (deviance_at(&f, bi) - f.dev) / disp;
            if (isnan(q))
                return ss_error_set(err, SS_PROP_NOCI, NULL, 0,
                                    "the likelihood profile is not a number (R gives NA)");
            if (q > -0.001)
                q = q > 0 ? q : 0;
            else /* R stops: "profiling has found a better solution" */
                return ss_error_set(err, SS_PROP_NOCI, NULL, 0,
                                    "the likelihood profile found a better fit than the "
                                    "estimate's (R stops here too)");
            zz = sgn * sqrt(q);
            pts[np][0] = bi;
            pts[np][1] = zz;
            np++;
        }
    }
    int finite = np >= 2; /* no step at all when zmax is NaN */
    for (int i = 0; i < np && finite; i++)
        finite = isfinite(pts[i][0]) && isfinite(pts[i][1]);
    if (!finite)
        return ss_error_set(err, SS_PROP_NOCI, NULL, 0,
                            "the likelihood profile is not a number (R gives NA)");
    qsort(pts, (size_t)np, sizeof pts[0], cmp_pair); /* by beta = by z */
    double px[21], pz[21], b[21], c[21], d[21];
    for (int i = 0; i < np; i++) {
        px[i] = pts[i][0];
        pz[i] = pts[i][1];
    }
    fmm_spline(np, px, pz, b, c, d);
    /* spline(): 3 np points from min to max, as seq.int fills them. */
    const int ns = 3 * np;
    double sx[63], sy[63], py[63], pxu[63];
    const double from = px[0], to = px[np - 1], by = (to - from) / (double)(ns - 1);
    for (int i = 0; i < ns; i++) {
        if (i == 0)
            sx[i] = from;
        else if (i == ns - 1)
            sx[i] = to;
        else
            sx[i] = i < ns / 2 ? from + (double)i * by : to - (double)(ns - 1 - i) * by;
        sy[i] = spline_eval(sx[i], np, px, pz, b, c, d);
    }
    /* approx(sy, sx) as R's regularize.values() makes it: the points
     * ordered by sy (stably), equal sy collapsed into the mean of their sx;
     * a spline through a flat or bending profile need not be monotone. */
    double pr[63][2];
    for (int i = 0; i < ns; i++)
        if (isnan(sy[i])) /* qsort must not see a NaN */
            return ss_error_set(err, SS_PROP_NOCI, NULL, 0,
                                "the likelihood profile is not a number (R gives NA)");
    for (int i = 0; i < ns; i++) {
        pr[i][0] = sy[i];
        pr[i][1] = (double)i;
    }
    qsort(pr, (size_t)ns, sizeof pr[0], cmp_pair_stable);
    int nu = 0;
    for (int i = 0, j; i < ns; i = j) {
        long double sum = 0;
        for (j = i; j < ns && pr[j][0] == pr[i][0]; j++)
            sum += sx[(int)pr[j][1]];
        py[nu] = pr[i][0];
        pxu[nu++] = (double)(sum / (j - i));
    }
    double cut = gsl_cdf_ugaussian_Pinv(2 * alpha);
    double blo = approx_at(cut, py, pxu, nu), bhi = approx_at(-cut, py, pxu, nu);
    if (isnan(blo) || isnan(bhi))
        return ss_error_set(err, SS_PROP_NOCI, NULL, 0,
                            "the likelihood profile does not reach the cut-off %s the "
                            "estimate (R gives NA)",
                            isnan(blo) && isnan(bhi) ? "on either side of"
                            : isnan(blo)            ? "below"
                                                    : "above");
    *lo = expit(blo);
    *hi = expit(bhi);
    return SS_OK;
}

/* The likelihood interval with the Taylor variance of the coefficient. */
static int likelihood_ci(const ss_prop_input *in, double *z, double *lo, double *hi,
                         ss_error *err)
{
    logit_fit f;
    if (logit_irls(in, z, &f) != 0)
        return ss_error_set(err, SS_PROP_NOCI, NULL, 0, "the logit fit did not converge");
    double var;
    int rc = ss_design_vcov(in->d, in->dw, in->rows, z, in->m, 1, &var, err);
    if (rc != SS_OK)
        return rc;
    return likelihood_profile(in, f, var, z, lo, hi, err);
}

int ss_prop_likelihood_ci(const ss_prop_input *in, double var_coef, double *z, double *lo,
                          double *hi, ss_error *err)
{
    logit_fit f;
    if (logit_irls(in, z, &f) != 0)
        return ss_error_set(err, SS_PROP_NOCI, NULL, 0, "the logit fit did not converge");
    return likelihood_profile(in, f, var_coef, z, lo, hi, err);
}

void ss_prop_logit_interval(double beta, double var, double level, double df, double *lo,
                            double *hi)
{
    const double t = ss_quantile_t(level, df);
    *lo = expit(beta - t * sqrt(var));
    *hi = expit(beta + t * sqrt(var));
}

int ss_prop_logit_refit(double b, double *theta, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (theta[k] < 0 || theta[k] > 1)
            return -1;
    for (size_t k = 0; k < n; k++) {
        double p = theta[k], eta = b, mu = 1 / (1 + exp(-eta));
        if (isnan(p))
            continue;
        double devold = -2 * (p * log(mu) + (1 - p) * log(1 - mu));
        for (int it = 0; it < 25; it++) {
            eta += (p - mu) / (mu * (1 - mu));
            mu = 1 / (1 + exp(-eta));
            double dev = -2 * ((p > 0 ? p * log(mu) : 0) + (p < 1 ? (1 - p) * log(1 - mu) : 0));
            if (fabs(dev - devold) / (fabs(dev) + 0.1) < 1e-8)
                break;
            devold = dev;
        }
        theta[k] = eta;
    }
    return 0;
}

int ss_prop_ci(ss_ci_method method, const ss_prop_input *in, double *z, double *lo,
               double *hi, ss_error *err)
{
    const double p = in->p, a = (1 - in->level) / 2;
    if (p <= 0 || p >= 1) {
        double u = 1 - pow(a, 1 / (double)in->m);
        *lo = p <= 0 ? 0 : 1 - u;
        *hi = p <= 0 ? u : 1;
        return SS_OK;
    }
    const double t = ss_quantile_t(in->level, in->df), se = sqrt(in->var);
    switch (method) {
    case SS_CI_LOGIT: {
        logit_fit f;
        if (logit_irls(in, z, &f) != 0)
            return ss_error_set(err, SS_PROP_NOCI, NULL, 0, "the logit fit did not converge");
        double var;
        int rc = ss_design_vcov(in->d, in->dw, in->rows, z, in->m, 1, &var, err);
        if (rc != SS_OK)
            return rc;
        ss_prop_logit_interval(f.beta, var, in->level, in->df, lo, hi);
        return SS_OK;
    }
    case SS_CI_LIKELIHOOD:
        return likelihood_ci(in, z, lo, hi, err);
    case SS_CI_WALD:
        *lo = p - t * se;
        *hi = p + t * se;
        return SS_OK;
    case SS_CI_ASIN: {
        /* R: sin(asin(sqrt(p)) -+ h)^2.  The angle lives in [0, pi/2]:
         * past either end sin^2 folds back (at df = 1, p = 0.5 R gives
         * [0.81, 0.19]), so the ends are clipped there: 0 and 1. */
        double c = asin(sqrt(p)), h = t * se * (1 / (2 * sqrt(p) * sqrt(1 - p)));
        *lo = c - h <= 0 ? 0 : pow(sin(c - h), 2);
        *hi = c + h >= M_PI / 2 ? 1 : pow(sin(c + h), 2);
        return SS_OK;
    }
    case SS_CI_XLOGIT: {
        double c = log(p / (1 - p)), h = t * se * (1 / (p * (1 - p)));
        *lo = expit(c - h);
        *hi = expit(c + h);
        return SS_OK;
    }
    case SS_CI_BETA: {
        /* SE 0 leaves n_eff = p(1-p)/Var undefined (R: Inf, and its
         * qbeta(, Inf, Inf) gives [0.5, 0.5] whatever p is); the NCHS rule
         * (as in ss_prop_kg) takes the domain's n, the design effect 1. */
        double ne = in->var > 0 ? p * (1 - p) / in->var : (double)in->m;
        double r = ss_qt(a, (double)in->m - 1) / ss_qt(a, in->domain_df);
        ne = in->domain_df >= 1 && in->m >= 2 ? ne * r * r : 0;
        *lo = ss_qbeta(a, ne * p, ne * (1 - p) + 1);
        *hi = ss_qbeta(1 - a, ne * p + 1, ne * (1 - p));
        return SS_OK;
    }
    case SS_CI_WILSON: {
        double n = p * (1 - p) / in->var, t2 = t * t;
        double c = (p + t2 / (2 * n)) / (1 + t2 / n);
        double h = t / (1 + t2 / n) * sqrt(p * (1 - p) / n + t2 / (4 * n * n));
        *lo = c - h;
        *hi = c + h;
        return SS_OK;
    }
    }
    return SS_OK;
}

void ss_prop_kg(double p, double var, double n, double df, double level, double *lo,
                double *hi)
{
    const double a = (1 - level) / 2;
    double ne = p > 0 && p < 1 && var > 0 ? p * (1 - p) / var : n;
    if (ne > n)
        ne = n;
    double r = ss_qt(a, n - 1) / ss_qt(a, df);
    ne = df >= 1 && n >= 2 ? ne * r * r : 0; /* no df: n* = 0, the interval [0, 1] */
    *lo = p <= 0 ? 0 : ss_qbeta(a, ne * p, ne * (1 - p) + 1);
    *hi = p >= 1 ? 1 : ss_qbeta(1 - a, ne * p + 1, ne * (1 - p));
}

void ss_prop_nchs(double p, double var, double n, double df, char *buf, size_t size)
{
    double ne = p > 0 && p < 1 && var > 0 ? p * (1 - p) / var : n;
    if (ne > n)
        ne = n;
    double lo, hi;
    ss_prop_kg(p, var, n, df, 0.95, &lo, &hi);
    double W = hi - lo;
    int px, pc = 0, zero = p <= 0 || p >= 1;
    if (zero)
        px = ne < 30 || W >= 0.30;
    else
        px = ne < 30 || (W > 0.05 && (W >= 0.30 || W / p > 1.30));
    if (!px && !zero)
        pc = W / (1 - p) > 1.30;
    snprintf(buf, size, "%s%s%s%s", px ? "Px " : "", pc ? "Pc " : "",
             !(df >= 8) ? "Pdf " : "", zero ? "P0 " : "");
    size_t len = strlen(buf);
    if (len)
        buf[len - 1] = '\0';
}
