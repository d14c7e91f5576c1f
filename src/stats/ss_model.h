/* ss_model: design-based generalized linear models (R's svyglm) and Wald
 * tests of their terms (R's regTermTest).
 *
 * The fit is R's glm.fit with the design's weights as prior weights
 * (scaled to mean 1 over the design's rows, as svyglm does): the same
 * starting values, IRLS steps, step halving and stopping rule
 * (|dev - devold| / (|dev| + 0.1) < epsilon), so that the coefficients are
 * R's to rounding.  Families: gaussian (identity), binomial and poisson as
 * R's quasibinomial and quasipoisson (logit and log links).
 *
 * Variance (R's svy.varcoef): with A the inverse of X'WX at the last IRLS
 * step and the scores u_i = x_i w_i (y_i - mu_i) / mu.eta_i (the working
 * residual times the working weight), V = the design variance of the
 * totals of u_i A (ss_design_vcov: strata, stages, fpc, lonely PSUs,
 * calibration).  Replicate designs (R's svyglm.svyrep.design): the model
 * refitted with each replicate's weights (scaled to sum 1), started at the
 * full-sample coefficients, V = svrVar of the replicate coefficients.
 *
 * Residual df: Taylor, the design df of the rows used + 1 - p; replicate
 * designs, the design's degf + 1 - p (R counts it before dropping rows).
 *
 * Errors (SS_EDATA, naming the coefficient): a column collinear with the
 * ones before it (R's tolerance min(1e-7, epsilon / 1000) on the pivoted
 * QR), a constant outcome, an outcome outside the family's range,
 * separation (binomial: fitted probabilities 0 or 1), no convergence in
 * max_iter steps.  Ownership: ss_model_fit owns beta and V. */
#ifndef SS_MODEL_H
#define SS_MODEL_H

#include <stddef.h>

#include "ss_design.h"
#include "ss_error.h"
#include "ss_formula.h"

typedef enum { SS_MODEL_GAUSSIAN, SS_MODEL_BINOMIAL, SS_MODEL_POISSON } ss_model_family;

typedef struct ss_model_control {
    int max_iter;      /* R's glm.control maxit: 25 */
    double epsilon;    /* R's glm.control epsilon: 1e-8 */
} ss_model_control;

typedef struct ss_model_fit {
    size_t p;          /* coefficients: those of the matrix, then thresholds */
    size_t skip;       /* leading matrix columns not fitted (ordinal: the
                        * intercept) */
    size_t nthr;       /* ordinal: thresholds, last in beta */
    char **thr_name;   /* nthr: "1|2", "2|3" ... */
    double *beta;      /* p */
    double *V;         /* p x p, row-major */
    double df;         /* residual df */
    int iter;          /* IRLS steps of the full-sample fit */
} ss_model_fit;

/* "gaussian", "binomial", "poisson": 0, else -1. */
int ss_model_family_parse(const char *name, ss_model_family *fam);
const char *ss_model_family_name(ss_model_family fam);

/* Fit the model on mm (its rows: those answered and in the subset) with
 * the design d's weights.  fit is filled; free with ss_model_fit_free. */
int ss_model_glm(const ss_design *d, const ss_model_matrix *mm, ss_model_family fam,
                 const ss_model_control *ctl, ss_model_fit *fit, ss_error *err);
void ss_model_fit_free(ss_model_fit *fit);

/* R's svyolr: the proportional-odds logistic model P(Y <= k) = plogis(
 * zeta_k - x'beta) for a response with 3 or more values (its levels in
 * ascending order), without an intercept (the matrix's is dropped).  The
 * weighted pseudo-likelihood is maximized by Newton steps on (beta, zeta)
 * (analytic gradient and Hessian, step halving) until every step is under
 * 1e-10 (1 + |theta|), at most ctl->max_iter steps; R's optim (BFGS) stops
 * earlier (see docs/model.md).  V: the design variance of the scores
 * times the inverse Hessian (R's svyolr.survey.design2), or svrVar of the
 * replicate refits.  df: design df of the rows used - length(beta) (R's
 * degf(design) - length(beta), the replicate design's whole degf). */
int ss_model_olr(const ss_design *d, const ss_model_matrix *mm, const ss_model_control *ctl,
                 ss_model_fit *fit, ss_error *err);

/* Johnson's relative weights (Johnson 2000, "A heuristic method for
 * estimating the relative weight of predictor variables in multiple
 * regression"): of the linear regression of y on the columns of mm after
 * its intercept (all numeric), with the design's weights: R2 split into
 * eps[0..p-1) (they sum to R2), each from the weighted correlations as
 *   Rxx = V diag(l) V', L = V diag(sqrt l) V', beta = L^-1 rxy,
 *   eps_j = sum_k L_jk^2 beta_k^2.
 * Their SEs: replicate designs, svrVar of the weights refitted with each
 * replicate's weights over the same rows; else linearization: the weights
 * are a smooth function of the weighted moment totals (sum w, sum w v,
 * sum w v v' of the columns and y, about their means), whose gradient is
 * taken by Richardson's extrapolation of central differences (error
 * O(h^4), h = 1e-3 of each total's scale), the scores sum_m dEps/dT_m
 * w_i u_im go to ss_design_vcov.  df: the design df of the rows used
 * (replicates: the design's degf).  Collinear items (an eigenvalue of Rxx
 * not above 1e-12) are an error. */
int ss_model_relweight(const ss_design *d, const ss_model_matrix *mm, double *eps, double *se,
                       double *r2, double *df, ss_error *err);

/* The two-sided p value of t on df (R's 2 pt(-|t|, df)); NaN when df <= 0. */
double ss_model_t_p(double t, double df);

/* R's regTermTest(fit, ~TERMS, method = "Wald"): the coefficients
 * idx[0..k) are zero.  F = beta' V^-1 beta / k on (k, df) and its p; a
 * singular V is an error. */
int ss_model_wald(const ss_model_fit *fit, const size_t *idx, size_t k, double *F,
                  double *p_value, ss_error *err);

#endif
