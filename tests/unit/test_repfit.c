/* Unit tests (cmocka) of ss_repfit: svrVar of a matrix of replicate
 * estimates worked by hand (mean-centred, --mse, a NaN replicate dropped),
 * replicate totals and means, and the replicate refits of a regression
 * against a direct weighted least-squares solve. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ss_repfit.h"

/* Per-row replicate weights (nrep x n), scale 1/2, rscales 1. */
static ss_replicates *make(size_t nrep, size_t n, const double *w, int mse)
{
    ss_replicates *r = calloc(1, sizeof *r);
    r->nrep = nrep;
    r->n = n;
    r->scale = 0.5;
    r->mse = mse;
    r->rscales = malloc(nrep * sizeof *r->rscales);
    r->w = malloc(nrep * n * sizeof *r->w);
    for (size_t k = 0; k < nrep; k++)
        r->rscales[k] = 1;
    memcpy(r->w, w, nrep * n * sizeof *w);
    return r;
}

static void test_vcov(void **state)
{
    (void)state;
    double w[3] = {1, 1, 1};
    ss_replicates *r = make(3, 1, w, 0);
    /* theta rows (1, 2), (3, 6), (5, NaN): the last is dropped; the mean of
     * the others is (2, 4): V = 0.5 [(1,2)(1,2)' + (1,2)(1,2)'] */
    double theta[6] = {1, 2, 3, 6, 5, NAN}, coef[2] = {0, 0}, V[4];
    ss_repfit_vcov(r, theta, 2, coef, V);
    assert_true(fabs(V[0] - 1) < 1e-15 && fabs(V[1] - 2) < 1e-15 && fabs(V[2] - 2) < 1e-15 &&
                fabs(V[3] - 4) < 1e-15);
    /* --mse: around coef (1, 2): 0.5 [(0,0) + (2,4)(2,4)'] */
    r->mse = 1;
    coef[0] = 1;
    coef[1] = 2;
    ss_repfit_vcov(r, theta, 2, coef, V);
    assert_true(fabs(V[0] - 2) < 1e-15 && fabs(V[1] - 4) < 1e-15 && fabs(V[3] - 8) < 1e-15);
    /* every replicate NaN: V is NaN */
    theta[0] = theta[3] = NAN;
    ss_repfit_vcov(r, theta, 2, coef, V);
    assert_true(isnan(V[0]) && isnan(V[3]));
    ss_replicates_free(r);
}

static void test_totals(void **state)
{
    (void)state;
    /* two replicates over three rows; rows 0 and 2 present */
    double w[6] = {1, 5, 3, 0, 7, 2}, w0[3] = {1, 1, 1};
    ss_replicates *r = make(2, 3, w, 0);
    size_t rows[2] = {0, 2};
    double x[4] = {10, 1, 20, 2}, theta[4];
    ss_error err;
    ss_error_clear(&err);
    assert_int_equal(ss_repfit_totals(r, w0, rows, x, 2, 2, 0, theta, &err), SS_OK);
    assert_true(theta[0] == 70 && theta[1] == 7 && theta[2] == 40 && theta[3] == 4);
    assert_int_equal(ss_repfit_totals(r, w0, rows, x, 2, 2, 1, theta, &err), SS_OK);
    assert_true(fabs(theta[0] - 17.5) < 1e-15 && fabs(theta[2] - 20) < 1e-15);
    ss_replicates_free(r);
}

/* beta of y on [1, x1, x2] with weights v, by the normal equations
 * (Cramer's rule on 3 x 3, exact enough for this small problem). */
static void wls3(const double *X, const double *y, const double *v, size_t n, double *beta)
{
    double A[9] = {0}, b[3] = {0};
    for (size_t i = 0; i < n; i++)
        for (size_t u = 0; u < 3; u++) {
            b[u] += v[i] * X[i * 3 + u] * y[i];
            for (size_t t = 0; t < 3; t++)
                A[u * 3 + t] += v[i] * X[i * 3 + u] * X[i * 3 + t];
        }
    double det = A[0] * (A[4] * A[8] - A[5] * A[7]) - A[1] * (A[3] * A[8] - A[5] * A[6]) +
                 A[2] * (A[3] * A[7] - A[4] * A[6]);
    for (size_t c = 0; c < 3; c++) {
        double M[9];
        memcpy(M, A, sizeof M);
        for (size_t u = 0; u < 3; u++)
            M[u * 3 + c] = b[u];
        beta[c] = (M[0] * (M[4] * M[8] - M[5] * M[7]) - M[1] * (M[3] * M[8] - M[5] * M[6]) +
                   M[2] * (M[3] * M[7] - M[4] * M[6])) / det;
    }
}

static void test_wls(void **state)
{
    (void)state;
    enum { N = 8, R = 3 };
    double X[N * 3], y[N], w0[N], w[R * N];
    size_t rows[N];
    for (size_t i = 0; i < N; i++) {
        X[i * 3] = 1;
        X[i * 3 + 1] = (double)(i * i % 7) + 100;
        X[i * 3 + 2] = (double)(i % 3) * 10;
        y[i] = 3 + 0.5 * X[i * 3 + 1] - 0.2 * X[i * 3 + 2] + (double)((i * 5) % 4) - 1.5;
        w0[i] = 1 + (double)(i % 2);
        rows[i] = i;
        for (size_t k = 0; k < R; k++)
            w[k * N + i] = w0[i] * (i % R == k ? 0 : 1.5);
    }
    /* the last replicate: only two distinct rows left, a singular fit */
    for (size_t i = 0; i < N; i++)
        w[2 * N + i] = i < 2 ? 1 : 0;
    ss_replicates *r = make(R, N, w, 0);
    double beta0[3], delta[R * 3], want[3];
    wls3(X, y, w0, N, beta0);
    ss_error err;
    ss_error_clear(&err);
    assert_int_equal(ss_repfit_wls(r, w0, rows, X, y, N, 3, beta0, delta, &err), SS_OK);
    for (size_t k = 0; k < 2; k++) {
        wls3(X, y, w + k * N, N, want);
        for (size_t u = 0; u < 3; u++)
            assert_true(fabs(beta0[u] + delta[k * 3 + u] - want[u]) <=
                        1e-9 * fmax(1, fabs(want[u])));
    }
    assert_true(isnan(delta[6]) && isnan(delta[7]) && isnan(delta[8]));
    ss_replicates_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vcov),
        cmocka_unit_test(test_totals),
        cmocka_unit_test(test_wls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
