/* ss_quantile: design-based quantiles (R's svyquantile, survey 4.1.1, the
 * default interval.type "mean") with the Woodruff interval.
 *
 * Estimate: q = rule(y, w, p) over the rows with nonzero weight, where the
 * rules are R's qrule_* functions.  With F the weighted empirical CDF
 * (sorted y, cumulative weights C_k, total W; R's internal qs() takes pos =
 * the last k with C_k <= p W, or the first when there is none):
 *   math = hf1   the smallest y with F(y) >= p (x[pos] when C_pos = p W,
 *                else x[pos + 1]; note: below the first step this is the
 *                second smallest value, as in R)
 *   school = hf2 as math, but the mean of x[pos], x[pos + 1] on a tie
 *   hf3          math on the distinct values, x[pos] on a tie only when
 *                pos is even
 *   hf4          x[pos] + gamma (x[pos + 1] - x[pos]) interpolated in F
 *   shahvaish    step function at (S_k + 1/2 - w_k/2) / (n + 1), S the
 *                cumulative sum of w / mean(w)
 *   hf5..hf9     linear interpolation at the Hyndman-Fan plotting
 *                positions, weighted (hf7: C_{k-1} / C_{n-1}).
 * Interval (Woodruff): p^ = the domain mean of I(y <= q), its design SE s,
 * t = the level quantile of t_df; the interval is [rule(p^ - t s),
 * rule(p^ + t s)], a bound NaN when its probability is below 0 or above 1.
 * Note p^ is the estimated F(q), not p.  SE = (hi - lo) / (2 t).
 *
 * R reproduces its weights as 1/(1/w) (weights(design) = 1/prob); this
 * module does the same so that exact ties (p W equal to a cumulative
 * weight, common with equal weights) fall on the same side as in R. */
#ifndef SS_QUANTILE_H
#define SS_QUANTILE_H

#include <stddef.h>

#include "ss_design.h"
#include "ss_error.h"

typedef enum {
    SS_QRULE_MATH,
    SS_QRULE_SCHOOL,
    SS_QRULE_SHAHVAISH,
    SS_QRULE_HF1,
    SS_QRULE_HF2,
    SS_QRULE_HF3,
    SS_QRULE_HF4,
    SS_QRULE_HF5,
    SS_QRULE_HF6,
    SS_QRULE_HF7,
    SS_QRULE_HF8,
    SS_QRULE_HF9,
} ss_qrule;

/* "math", "school", "shahvaish", "hf1".."hf9" -> 0, else -1. */
int ss_qrule_parse(const char *name, ss_qrule *out);

typedef struct ss_quantile_out {
    double estimate, se, ci_low, ci_high;
} ss_quantile_out;

/* Quantile p of y[k] (k < m; the values of the present rows rows[k], none
 * NaN) with weights d->w[rows[k]], by rule; the Woodruff interval at level
 * with df degrees of freedom (INFINITY = normal) from the design variance
 * of the domain mean of I(y <= estimate) computed with ss_design_vcov over
 * the present rows (all other rows score zero, which is how R's
 * subset/svyby domain behaves); se as R reports it.  z is scratch of m
 * doubles, dw a workspace from ss_design_work_alloc(d, 1).  Returns SS_OK,
 * or an error code with err filled (e.g. the lonely-PSU error from
 * ss_design_vcov).  m == 0 or zero total weight: all outputs NaN, SS_OK.
 * One allocation of O(m) per call (the sorted copy); nothing is kept. */
int ss_quantile_estimate(const ss_design *d, ss_design_work *dw, const size_t *rows,
                         const double *y, size_t m, double p, ss_qrule rule,
                         double level, double df, double *z, ss_quantile_out *out,
                         ss_error *err);

#endif
