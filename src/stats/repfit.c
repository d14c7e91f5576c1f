/* ss_repfit: several replicate estimates at once, their svrVar covariance,
 * and the replicate refits of a weighted least-squares regression.
 *
 * Source: survey 4.1.1's svrVar (a matrix of replicate estimates) and
 * svyglm.svyrep.design, whose replicate fits are glm.fit(X, y, weights =
 * w_k / sum(w_k), start = the full-sample coefficients). */
#include "ss_repfit.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int ss_repfit_totals(const ss_replicates *r, const double *w, const size_t *rows,
                     const double *x, size_t m, size_t p, int ratio, double *theta,
                     ss_error *err)
{
    const size_t R = r->nrep;
    ss_rep_work *wk = ss_rep_work_alloc(r);
    double *col = malloc((m ? m : 1) * sizeof *col);
    double *t = malloc((R ? R : 1) * sizeof *t);
    int rc = SS_OK;
    if (!wk || !col || !t) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        goto done;
    }
    for (size_t a = 0; a < p; a++) {
        for (size_t j = 0; j < m; j++)
            col[j] = x[j * p + a];
        ss_rep_thetas(r, wk, w, rows, col, NULL, ratio, m, t);
        for (size_t k = 0; k < R; k++)
            theta[k * p + a] = t[k];
    }
done:
    ss_rep_work_free(wk);
    free(col);
    free(t);
    return rc;
}

static int row_ok(const double *th, size_t p)
{
    for (size_t a = 0; a < p; a++)
        if (isnan(th[a]))
            return 0;
    return 1;
}

void ss_repfit_vcov(const ss_replicates *r, const double *theta, size_t p, const double *coef,
                    double *V)
{
    const size_t R = r->nrep;
    double *c = malloc((p ? p : 1) * sizeof *c);
    size_t used = 0, centred = 0;
    for (size_t a = 0; a < p * p; a++)
        V[a] = NAN;
    if (!c)
        return; /* p is small: the callers' other arrays are larger */
    for (size_t a = 0; a < p; a++)
        c[a] = r->mse ? coef[a] : 0;
    if (!r->mse) {
        for (size_t k = 0; k < R; k++)
            if (row_ok(theta + k * p, p) && r->rscales[k] > 0) {
                for (size_t a = 0; a < p; a++)
                    c[a] += theta[k * p + a];
                centred++;
            }
        for (size_t a = 0; a < p; a++)
            c[a] = centred ? c[a] / (double)centred : NAN;
    }
    for (size_t a = 0; a < p * p; a++)
        V[a] = 0;
    for (size_t k = 0; k < R; k++) {
        const double *th = theta + k * p;
        if (!row_ok(th, p))
            continue;
        used++;
        for (size_t a = 0; a < p; a++)
            for (size_t b = 0; b <= a; b++)
                V[a * p + b] += r->rscales[k] * (th[a] - c[a]) * (th[b] - c[b]);
    }
    for (size_t a = 0; a < p; a++)
        for (size_t b = 0; b <= a; b++) {
            double v = used ? V[a * p + b] * r->scale : NAN;
            V[a * p + b] = V[b * p + a] = v;
        }
    free(c);
}

int ss_repfit_wls(const ss_replicates *r, const double *w, const size_t *rows, const double *X,
                  const double *y, size_t m, size_t p, const double *beta0, double *delta,
                  ss_error *err)
{
    const size_t R = r->nrep, P = p * (p + 1) / 2;
    double *mid = calloc(p, sizeof *mid), *sd = malloc(p * sizeof *sd);
    double *xt = malloc((m ? m : 1) * p * sizeof *xt);
    double *res = malloc((m ? m : 1) * sizeof *res);
    double *col = malloc((m ? m : 1) * sizeof *col), *one = malloc((R ? R : 1) * sizeof *one);
    ss_rep_work *wk = ss_rep_work_alloc(r);
    double *tot = malloc((R ? R : 1) * (P + p) * sizeof *tot);
    gsl_matrix *A = gsl_matrix_alloc(p, p);
    gsl_vector *b = gsl_vector_alloc(p), *g = gsl_vector_alloc(p), *work = gsl_vector_alloc(3 * p);
    int rc = SS_OK;
    if (!mid || !sd || !xt || !res || !col || !one || !wk || !tot || !A || !b || !g || !work) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        goto done;
    }
    /* Centre and scale the columns after the intercept by their
     * full-sample weighted mean and SD: the same fit, better conditioned. */
    double W = 0;
    for (size_t j = 0; j < m; j++)
        W += w[rows[j]];
    sd[0] = 1;
    for (size_t u = 1; u < p; u++) {
        double s = 0, ss = 0;
        for (size_t j = 0; j < m; j++)
            s += w[rows[j]] * X[j * p + u];
        mid[u] = W > 0 ? s / W : 0;
        for (size_t j = 0; j < m; j++) {
            double dv = X[j * p + u] - mid[u];
            ss += w[rows[j]] * dv * dv;
        }
        sd[u] = W > 0 && ss > 0 && isfinite(ss) ? sqrt(ss / W) : 1;
    }
    for (size_t j = 0; j < m; j++) {
        double fit = 0;
        for (size_t u = 0; u < p; u++) {
            fit += X[j * p + u] * beta0[u];
            xt[j * p + u] = u ? (X[j * p + u] - mid[u]) / sd[u] : 1;
        }
        res[j] = y[j] - fit;
    }
    /* The replicate totals of x_u x_v (u <= v) and x_u e, a column at a
     * time (m x (P + p) products at once could be large). */
    for (size_t u = 0, pair = 0; u < p; u++)
        for (size_t v = u; v <= p; v++) { /* v == p: the residual */
            size_t at = v < p ? pair++ : P + u;
            for (size_t j = 0; j < m; j++)
                col[j] = xt[j * p + u] * (v < p ? xt[j * p + v] : res[j]);
            ss_rep_thetas(r, wk, w, rows, col, NULL, 0, m, one);
            for (size_t k = 0; k < R; k++)
                tot[k * (P + p) + at] = one[k];
        }
    for (size_t k = 0; k < R; k++) {
        const double *t = tot + k * (P + p);
        double *dk = delta + k * p;
        size_t q = 0;
        for (size_t u = 0; u < p; u++)
            for (size_t v = u; v < p; v++, q++) {
                gsl_matrix_set(A, u, v, t[q]);
                gsl_matrix_set(A, v, u, t[q]);
            }
        for (size_t u = 0; u < p; u++)
            gsl_vector_set(b, u, t[P + u]);
        double rcond = 0;
        int bad = gsl_linalg_cholesky_decomp1(A) != GSL_SUCCESS ||
                  gsl_linalg_cholesky_rcond(A, &rcond, work) != GSL_SUCCESS ||
                  !(rcond >= 1e-12) || gsl_linalg_cholesky_solve(A, b, g) != GSL_SUCCESS;
        if (bad) {
            for (size_t u = 0; u < p; u++)
                dk[u] = NAN;
            continue;
        }
        /* back to the original columns: beta_u = gamma_u / sd_u, the
         * intercept gamma_0 - sum mid_u gamma_u / sd_u */
        dk[0] = gsl_vector_get(g, 0);
        for (size_t u = 1; u < p; u++) {
            dk[u] = gsl_vector_get(g, u) / sd[u];
            dk[0] -= mid[u] * dk[u];
        }
    }
done:
    free(mid);
    free(sd);
    free(xt);
    free(res);
    free(col);
    free(one);
    ss_rep_work_free(wk);
    free(tot);
    gsl_matrix_free(A);
    gsl_vector_free(b);
    gsl_vector_free(g);
    gsl_vector_free(work);
    return rc;
}
