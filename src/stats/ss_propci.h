/* ss_propci: confidence intervals for a proportion from a complex sample
 * (R's svyciprop, plus the Wilson score interval), and the NCHS 2017 data
 * presentation standards for proportions.
 *
 * The input is the domain's present rows, their 0/1 indicators, the
 * estimate p and its design variance.  Methods (R's names in brackets):
 *   logit       expit(b +- t SE(b)), b the quasibinomial svyglm fit  ["logit"]
 *   wald        p +- t SE                                            ["mean"]
 *   beta        Korn-Graubard: Clopper-Pearson on n* = n_eff (t_{n-1}/t_df)^2,
 *               n_eff = p(1-p)/Var, n and df of the domain           ["beta"]
 *   likelihood  the profile of the quasibinomial working likelihood,
 *               scaled by the design effect (Rao-Scott)       ["likelihood"]
 *   asin        sin^2(asin(sqrt p) +- t SE / (2 sqrt(p(1-p))))       ["asin"]
 *   xlogit      expit(logit p +- t SE / (p(1-p)))                  ["xlogit"]
 *   wilson      the Wilson score interval on n_eff = p(1-p)/Var with
 *               the t quantile z = t_df:
 *               (p + z^2/2n -+ z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n)
 * A 0% or 100% estimate gets, for every method, the one-sided exact
 * binomial bound on the domain's n: [0, 1 - (alpha/2)^(1/n)] or
 * [(alpha/2)^(1/n), 1].
 *
 * Where survstat departs from R (issue 18): beta with SE 0 takes n_eff = n
 * (R: Inf, and its interval [0.5, 0.5]); asin clips the angle to
 * [0, pi/2] (R's sin^2 folds back past it); likelihood, where the profile
 * misses its cut-off, finds a better fit, or the logit fit does not
 * converge, gives that row no interval (SS_PROP_NOCI: empty cells, flag
 * CIx, a warning) where R gives NA, half an interval or stops. */
#ifndef SS_PROPCI_H
#define SS_PROPCI_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ss_design.h"
#include "ss_dist.h"
#include "ss_error.h"

typedef enum {
    SS_CI_LOGIT,
    SS_CI_WALD,
    SS_CI_BETA,
    SS_CI_LIKELIHOOD,
    SS_CI_ASIN,
    SS_CI_XLOGIT,
    SS_CI_WILSON,
} ss_ci_method;

/* "logit", "wald", "beta", "korn-graubard", "likelihood", "asin",
 * "xlogit", "wilson": 0, else -1. */
int ss_ci_method_parse(const char *name, ss_ci_method *out);

typedef struct ss_prop_input {
    const ss_design *d;
    ss_design_work *dw;   /* from ss_design_work_alloc(d, 1) */
    const size_t *rows;   /* the present rows of the domain */
    const double *y;      /* their 0/1 indicators */
    size_t m;
    double p, var;        /* the estimate and its design variance */
    double level;
    double df;            /* t df of the interval (INFINITY: normal) */
    double domain_df;     /* PSUs minus strata of the domain (beta) */
    const struct ss_logit_pre *pre; /* NULL, or the weight terms of the rows
                                     * (ss_prop_logit_pre); y then 0/1 */
} ss_prop_input;

/* What the logit fit needs of the weights of a domain's present rows,
 * whatever the indicator: glm's first iteration starts every row at
 * mu = (pw y + 1/2) / (pw + 1), whose variance pw mu (1 - mu) and deviance
 * term do not depend on y in {0, 1}.  Computed once per domain and shared by
 * the levels of a proportion. */
typedef struct ss_logit_pre {
    double mean_w;  /* the prior weights are pw = w / mean_w */
    double S0;      /* sum pw */
    double devold;  /* the deviance at the start, sum 2 pw log((pw + 1) / (pw + 1/2)) */
    double sW1;     /* X'WX of the first iteration, sum pw mu (1 - mu) */
    double A;       /* sum a; a = pw (mu (1 - mu) log(2 pw + 1) + 1/2 / (pw + 1)) is a
                     * row's part of X'Wz of the first iteration when y = 1 (-a when 0) */
    const double *a; /* per row */
} ss_logit_pre;

/* Fill pre (and a, m doubles, which pre then points to) from the weights of
 * the rows rows[0..m). */
void ss_prop_logit_pre(const ss_design *d, const size_t *rows, size_t m, double *a,
                       ss_logit_pre *pre);

/* The terms of recent prior weights (weights repeat, and each costs two
 * logarithms): a cache, the same terms with or without it.  Its entries
 * are functions of pw alone: one cache serves any number of domains. */
#define SS_LOGIT_MEMO_BITS 12
#define SS_LOGIT_MEMO (1 << SS_LOGIT_MEMO_BITS)
typedef struct ss_logit_memo {
    double pw[SS_LOGIT_MEMO], dev[SS_LOGIT_MEMO], vw[SS_LOGIT_MEMO], a[SS_LOGIT_MEMO];
} ss_logit_memo;
void ss_logit_memo_init(ss_logit_memo *memo);
/* ss_prop_logit_pre for callers that do not hold the rows in an array:
 * start with pre = {.mean_w = mean_w} and pass every present row's prior
 * weight pw = w / mean_w in order; returns that row's a.  memo may be
 * NULL. */
double ss_prop_logit_pre_miss(ss_logit_pre *pre, ss_logit_memo *memo, double pw, size_t j);
static inline double ss_prop_logit_pre_row(ss_logit_pre *pre, ss_logit_memo *memo, double pw)
{
    pre->S0 += pw;
    if (!(pw > 0))
        return 0;
    /* (inline: a weight met before is a few additions; the others, two
     * logarithms, in ss_prop_logit_pre_miss) */
    uint64_t bits;
    memcpy(&bits, &pw, sizeof bits);
    size_t j = (size_t)((bits * UINT64_C(0x9E3779B97F4A7C15)) >> (64 - SS_LOGIT_MEMO_BITS));
    if (!memo || memo->pw[j] != pw)
        return ss_prop_logit_pre_miss(pre, memo, pw, j);
    pre->devold += memo->dev[j];
    pre->sW1 += memo->vw[j];
    pre->A += memo->a[j];
    return memo->a[j];
}
/* The logit fit from pre and the sums over the rows with y = 1 of pw (S1)
 * and of a (a1): 0 with the coefficient *beta, the fitted mean *mu and *g,
 * with which a present row's linearized score (as ss_prop_ci's) is
 * (y - mu) w g; 1 when the fit stopped after its first iteration (its
 * scores then differ row by row: use ss_prop_ci); -1 when it does not
 * converge. */
int ss_prop_logit_sums(const ss_logit_pre *pre, double S1, double a1, double *beta,
                       double *mu, double *g);
/* The logit interval expit(beta -+ t sqrt(var)), t the quantile of level
 * on df. */
void ss_prop_logit_interval(double beta, double var, double level, double df, double *lo,
                            double *hi);
/* What ss_prop_ci and ss_prop_likelihood_ci return when this one row has
 * no interval (the logit fit does not converge, the likelihood profile
 * does not reach its cut-off or finds a better fit): err->message says
 * why, and the caller leaves the interval empty and flags the row. */
#define SS_PROP_NOCI 3

/* The interval by method into lo, hi; z is scratch of m doubles.
 * SS_PROP_NOCI (above), or fails (with err filled) when the design
 * variance fails (a lonely PSU). */
int ss_prop_ci(ss_ci_method method, const ss_prop_input *in, double *z,
               double *lo, double *hi, ss_error *err);

/* The likelihood interval with var_coef, a variance of the logit
 * coefficient found elsewhere (a replicate variance), in place of the
 * Taylor one in the design-effect rescaling lambda = var_coef / model
 * variance; the profile itself as for SS_CI_LIKELIHOOD.  p must be in
 * (0, 1); z is scratch of m doubles. */
int ss_prop_likelihood_ci(const ss_prop_input *in, double var_coef, double *z, double *lo,
                          double *hi, ss_error *err);

/* The coefficient of R's svyglm(y ~ 1, quasibinomial) fit (glm.fit's
 * IRLS emulated); z is scratch of m doubles.  0, or -1 when it does not
 * converge. */
int ss_prop_logit_coef(const ss_prop_input *in, double *z, double *beta);

/* R's svyglm(quasibinomial) refitted on each replicate: theta[0..n) the
 * replicate proportions (NaN: a replicate without the domain, left), each
 * replaced by the coefficient glm.fit reaches from the full sample's b
 * (IRLS of the intercept-only model, eta += (p - mu) / (mu (1 - mu)),
 * until the deviance changes by less than 1e-8 relative).  0, or -1 (theta
 * left) when a replicate proportion lies outside [0, 1], which negative
 * replicate weights allow: its logit does not exist (R's glm refuses
 * negative weights). */
int ss_prop_logit_refit(double b, double *theta, size_t n);

/* The Korn-Graubard interval with the NCHS effective n: n_eff =
 * p(1-p)/Var capped at n, n* = n_eff (t_{n-1}/t_df)^2 at level. */
void ss_prop_kg(double p, double var, double n, double df, double level,
                double *lo, double *hi);


/* The NCHS 2017 flags of a proportion, as text into buf ("" when none):
 * "Px" suppress, "Pc" complement unreliable, "Pdf" df < 8, "P0" 0 or 100%,
 * joined by spaces.  n and df are the domain's own. */
void ss_prop_nchs(double p, double var, double n, double df, char *buf, size_t size);

#endif
