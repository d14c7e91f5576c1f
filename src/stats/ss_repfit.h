/* ss_repfit: replicate-weight variances of several statistics at once and
 * of linear regressions, for the tests and the key-driver regression under
 * a replicate design (R's svrVar on a matrix of replicate estimates, and
 * svyglm.svyrep.design with the gaussian family).
 *
 * Every function re-evaluates its statistics with each replicate's weights
 * (ss_replicates_weight: compressed PSU factors or per-row weights), over
 * the present rows rows[0..m); the rest of the design keeps its weights
 * out of the sums.  Outputs are the caller's arrays; workspace is
 * allocated and freed inside. */
#ifndef SS_REPFIT_H
#define SS_REPFIT_H

#include <stddef.h>

#include "ss_error.h"
#include "ss_replicate.h"

/* theta (nrep x p, row-major): for each column a of x (m x p, row-major)
 * the replicate totals sum_j w^(k)_j x[j][a], or with ratio the replicate
 * means (divided by sum_j w^(k)_j; NaN when that is 0).  w are the
 * full-sample weights of all rows. */
int ss_repfit_totals(const ss_replicates *r, const double *w, const size_t *rows,
                     const double *x, size_t m, size_t p, int ratio, double *theta,
                     ss_error *err);

/* V (p x p, row-major) = R's svrVar of theta (nrep x p):
 *   scale sum_k rscales_k (theta_k - c)(theta_k - c)',
 * c the mean of the theta_k with rscales_k > 0, or coef under --mse.  A
 * replicate with a NaN in its row is dropped (R's na.omit); with none
 * left V is NaN. */
void ss_repfit_vcov(const ss_replicates *r, const double *theta, size_t p, const double *coef,
                    double *V);

/* The weighted least-squares fit of y on X (m x p, row-major, first column
 * the intercept) with each replicate's weights, as glm.fit started at the
 * full-sample fit beta0 (one step for the gaussian family): delta (nrep x
 * p) = beta_k - beta0, from the residuals y - X beta0 on centred and scaled
 * columns (so that the differences keep their digits).  A replicate whose
 * system is singular (reciprocal condition number under 1e-12) gets NaN,
 * as R's glm.fit gives NA coefficients there. */
int ss_repfit_wls(const ss_replicates *r, const double *w, const size_t *rows, const double *X,
                  const double *y, size_t m, size_t p, const double *beta0, double *delta,
                  ss_error *err);

#endif
