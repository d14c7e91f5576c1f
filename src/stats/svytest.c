/* ss_test: R's svyttest and svychisq over a survey design.
 *
 * Sources: survey 4.1.1's svyttest.default (a svyglm of y on the group
 * indicator), svyglm.survey.design / svy.varcoef (the coefficient's
 * influence function), and svychisq.survey.design (Rao and Scott 1984,
 * Koch et al. 1975 for the Wald forms); their R code is the reference the
 * formulas below follow, step by step. */
#include "ss_test.h"

#include <float.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ss_repfit.h"

static const char *const chisq_names[] = {"F", "Chisq", "Wald", "adjWald"};

int ss_chisq_stat_parse(const char *name, ss_chisq_stat *s)
{
    for (size_t i = 0; i < sizeof chisq_names / sizeof chisq_names[0]; i++)
        if (strcmp(name, chisq_names[i]) == 0) {
            *s = (ss_chisq_stat)i;
            return 0;
        }
    return -1;
}

const char *ss_chisq_stat_name(ss_chisq_stat s)
{
    return chisq_names[s];
}

static void out_init(ss_test_out *out)
{
    out->estimate = out->se = out->statistic = NAN;
    out->df1 = out->df2 = out->p_value = NAN;
    out->n = out->nlev1 = out->nlev2 = 0;
    out->rank = 0;
}

/* R's pf(x, df1, df2, lower.tail = FALSE), NaN where R gives NaN. */
static double f_upper(double x, double df1, double df2)
{
    if (isnan(x) || !(df1 > 0) || !(df2 > 0))
        return NAN;
    if (x <= 0)
        return 1;
    return gsl_cdf_fdist_Q(x, df1, df2);
}

/* The levels of c held by the flagged rows (use[i]), in survstat's order:
 * rank[code] = 0, 1, ... or -1.  Returns the count, or -1 (no memory). */
static long level_ranks(const ss_column *c, const uint8_t *use, size_t n, int32_t *rank)
{
    size_t nl = c->levels.n;
    int32_t *order = malloc((nl ? nl : 1) * sizeof *order);
    uint8_t *seen = calloc(nl ? nl : 1, 1);
    if (!order || !seen) {
        free(order);
        free(seen);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        if (use[i])
            seen[c->code[i]] = 1;
    for (size_t l = 0; l < nl; l++)
        rank[l] = -1;
    size_t k = ss_column_level_order(c, order), r = 0;
    for (size_t j = 0; j < k; j++)
        if (seen[order[j]])
            rank[order[j]] = (int32_t)r++;
    free(order);
    free(seen);
    return (long)r;
}

/* Non-missing levels of c over all rows. */
static size_t level_total(const ss_column *c)
{
    size_t k = 0;
    for (size_t l = 0; l < c->levels.n; l++)
        k += c->level_count[l] > 0;
    return k;
}

/* ---- t test ---- */

/* Under replicate weights (R's svyglm.svyrep.design): the difference of the
 * group means refitted with each replicate's weights (the coefficient of
 * the group indicator), svrVar around the full-sample difference; a
 * replicate that leaves a group without weight is dropped (R's glm.fit
 * gives NA there and svrVar omits it). */
static int rep_ttest_var(const ss_design *d, const ss_column *y, const ss_column *g,
                         const int32_t *rank, const size_t *rows, size_t m, double est,
                         double *V, ss_error *err)
{
    const size_t R = d->rep->nrep;
    size_t *grow = malloc((m ? m : 1) * sizeof *grow);
    double *gy = malloc((m ? m : 1) * sizeof *gy);
    double *mean = malloc((R ? R : 1) * 2 * sizeof *mean);
    double *diff = malloc((R ? R : 1) * sizeof *diff);
    int rc = SS_OK;
    if (!grow || !gy || !mean || !diff) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        goto done;
    }
    for (int32_t h = 0; h < 2 && rc == SS_OK; h++) {
        size_t k = 0;
        for (size_t q = 0; q < m; q++)
            if (rank[g->code[rows[q]]] == h) {
                grow[k] = rows[q];
                gy[k++] = y->num[rows[q]];
            }
        rc = ss_repfit_totals(d->rep, d->w, grow, gy, k, 1, 1, mean + (size_t)h * R, err);
    }
    if (rc != SS_OK)
        goto done;
    for (size_t k = 0; k < R; k++)
        diff[k] = mean[R + k] - mean[k];
    ss_repfit_vcov(d->rep, diff, 1, &est, V);
done:
    free(grow);
    free(gy);
    free(mean);
    free(diff);
    return rc;
}


/* A replicate design's degf: R's degf(subset(design, EXPR)), the rank of
 * the replicate weights of the subset's rows minus 1 (the design's without
 * a subset). */
static double subset_degf(const ss_design *d, const unsigned char *keep)
{
    return ss_replicates_mask_df(d->rep, d->w, keep, d->n, d->df);
}

int ss_test_ttest(const ss_design *d, const ss_column *y, const ss_column *g,
                  ss_test_out *out, ss_error *err)
{
    return ss_test_ttest_in(d, NULL, y, g, out, err);
}

int ss_test_ttest_in(const ss_design *d, const unsigned char *keep, const ss_column *y,
                     const ss_column *g, ss_test_out *out, ss_error *err)
{
    out_init(out);
    const size_t n = d->n;
    const double *w = d->w;
    size_t *rows = malloc((n ? n : 1) * sizeof *rows);
    double *z = malloc((n ? n : 1) * sizeof *z);
    uint8_t *use = calloc(n ? n : 1, 1);
    int32_t *rank = malloc((g->levels.n ? g->levels.n : 1) * sizeof *rank);
    ss_design_work *dw = ss_design_work_alloc(d, 1);
    int rc = SS_OK;
    if (!rows || !z || !use || !rank || !dw) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        goto done;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(y->num[i]) && g->code[i] >= 0 && (!keep || keep[i])) {
            use[i] = 1;
            rows[m++] = i;
        }
    long k = level_ranks(g, use, n, rank);
    if (k < 0) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        goto done;
    }
    out->n = m;
    out->nlev1 = (size_t)k;
    if (k != 2) {
        size_t all = level_total(g);
        char where[1200] = "";
        if ((size_t)k != all)
            snprintf(where, sizeof where, " where '%s' is present (%zu in all)", y->name, all);
        rc = ss_error_set(err, SS_EDATA, NULL, 0,
                          "column '%s': a t test needs a group with exactly 2 levels, "
                          "found %ld%s", g->name, k, where);
        goto done;
    }
    /* The group means; R's coefficient of the group indicator is their
     * difference, second level minus first. */
    double W[2] = {0, 0}, S[2] = {0, 0};
    for (size_t q = 0; q < m; q++) {
        size_t i = rows[q];
        int32_t h = rank[g->code[i]];
        W[h] += w[i];
        S[h] += w[i] * y->num[i];
    }
    if (W[0] == 0 || W[1] == 0) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0,
                          "column '%s': a group has no positive weight", g->name);
        goto done;
    }
    double mean[2] = {S[0] / W[0], S[1] / W[1]};
    /* The influence function of the coefficient (svy.varcoef's estfun
     * times (X'WX)^-1): w (y - mean_g) / W_g, with sign + in group 2. */
    for (size_t q = 0; q < m; q++) {
        size_t i = rows[q];
        int32_t h = rank[g->code[i]];
        z[q] = (h == 1 ? 1.0 : -1.0) * w[i] * (y->num[i] - mean[h]) / W[h];
    }
    double V;
    if (d->rep)
        rc = rep_ttest_var(d, y, g, rank, rows, m, mean[1] - mean[0], &V, err);
    else
        rc = ss_design_vcov(d, dw, rows, z, m, 1, &V, err);
    if (rc != SS_OK)
        goto done;
    out->estimate = mean[1] - mean[0];
    out->se = sqrt(V);
    out->statistic = out->estimate / out->se;
    /* svyglm: degf(design[complete rows]) + 1 - 2 coefficients; on a
     * replicate design the degf of the whole design (svyglm.svyrep.design
     * counts it before dropping the incomplete rows). */
    out->df1 = (d->rep ? subset_degf(d, keep) : ss_design_domain_df(d, dw, rows, m)) - 1;
    if (out->df1 > 0 && !isnan(out->statistic))
        out->p_value = 2 * gsl_cdf_tdist_Q(fabs(out->statistic), out->df1);
done:
    free(rows);
    free(z);
    free(use);
    free(rank);
    ss_design_work_free(dw);
    return rc;
}

/* ---- chisq ---- */

/* Under replicate weights (R's svychisq.svyrep.design): the covariance of
 * the cell proportions (ratio: svymean of the cell indicators x, coef
 * their full-sample values) or of the linearized Wald cells (the
 * replicate totals of x, the rows' scores before the weight: svytotal's
 * replicate covariance mapped by the Jacobian, which is linear). */
static int rep_chisq_vcov(const ss_design *d, const size_t *rows, const double *x, size_t m,
                          size_t p, int ratio, const double *coef, double *V, ss_error *err)
{
    const size_t R = d->rep->nrep;
    double *theta = malloc((R ? R : 1) * p * sizeof *theta);
    double *c = calloc(p, sizeof *c);
    if (!theta || !c) {
        free(theta);
        free(c);
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    }
    if (ratio)
        memcpy(c, coef, p * sizeof *c);
    else
        for (size_t q = 0; q < m; q++)
            for (size_t a = 0; a < p; a++)
                c[a] += d->w[rows[q]] * x[q * p + a];
    int rc = ss_repfit_totals(d->rep, d->w, rows, x, m, p, ratio, theta, err);
    if (rc == SS_OK)
        ss_repfit_vcov(d->rep, theta, p, c, V);
    free(theta);
    free(c);
    return rc;
}


double ss_test_pearson(size_t nr, size_t nc, const double *t, double N)
{
    /* svytable(Ntotal = N) rescales the table to total N; chisq.test then
     * sums (x - E)^2 / E with E = rowsum colsum / n. */
    double tot = 0;
    for (size_t k = 0; k < nr * nc; k++)
        tot += t[k];
    double *x = malloc(nr * nc * sizeof *x);
    double *sr = calloc(nr + nc, sizeof *sr);
    if (!x || !sr) {
        free(x);
        free(sr);
        return NAN;
    }
    double *sc = sr + nr, n = 0;
    for (size_t j = 0; j < nc; j++)
        for (size_t i = 0; i < nr; i++) {
            double v = t[i + nr * j] * (N / tot);
            x[i + nr * j] = v;
            sr[i] += v;
            sc[j] += v;
            n += v;
        }
    double X2 = 0;
    for (size_t j = 0; j < nc; j++)
        for (size_t i = 0; i < nr; i++) {
            double e = sr[i] * sc[j] / n, dv = x[i + nr * j] - e;
            X2 += dv * dv / e;
        }
    free(x);
    free(sr);
    return X2;
}

/* X = A^-1 B for A (k x k) and B (k x nb), both row-major, as R's solve:
 * LU with partial pivoting; an exactly singular A, or one whose
 * reciprocal condition number (1-norm) is below the machine epsilon, is
 * an error naming `what`. */
static int solve(size_t k, const double *A, const double *B, size_t nb, double *X,
                 const char *what, ss_error *err)
{
    gsl_matrix *lu = gsl_matrix_alloc(k, k), *inv = gsl_matrix_alloc(k, k);
    gsl_permutation *perm = gsl_permutation_alloc(k);
    gsl_vector *b = gsl_vector_alloc(k), *x = gsl_vector_alloc(k);
    int rc = SS_OK, signum;
    if (!lu || !inv || !perm || !b || !x) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        goto done;
    }
    memcpy(lu->data, A, k * k * sizeof *A); /* fresh matrices: tda == k */
    double norm = 0;
    for (size_t j = 0; j < k; j++) {
        double s = 0;
        for (size_t i = 0; i < k; i++)
            s += fabs(A[i * k + j]);
        norm = s > norm ? s : norm;
    }
    int singular = gsl_linalg_LU_decomp(lu, perm, &signum) != GSL_SUCCESS;
    for (size_t i = 0; i < k && !singular; i++)
        singular = gsl_matrix_get(lu, i, i) == 0;
    double rcond = 0;
    if (!singular && gsl_linalg_LU_invert(lu, perm, inv) == GSL_SUCCESS) {
        double ninv = 0;
        for (size_t j = 0; j < k; j++) {
            double s = 0;
            for (size_t i = 0; i < k; i++)
                s += fabs(gsl_matrix_get(inv, i, j));
            ninv = s > ninv ? s : ninv;
        }
        rcond = 1 / (norm * ninv);
    }
    if (singular || !(rcond >= DBL_EPSILON)) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0,
                          "the %s is singular (reciprocal condition number %.3g): "
                          "the test cannot be computed", what, rcond);
        goto done;
    }
    for (size_t c = 0; c < nb; c++) {
        for (size_t i = 0; i < k; i++)
            gsl_vector_set(b, i, B[i * nb + c]);
        if (gsl_linalg_LU_solve(lu, perm, b, x) != GSL_SUCCESS) {
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "the %s is singular: the test cannot be "
                                                      "computed", what);
            goto done;
        }
        for (size_t i = 0; i < k; i++)
            X[i * nb + c] = gsl_vector_get(x, i);
    }
done:
    gsl_matrix_free(lu);
    gsl_matrix_free(inv);
    gsl_permutation_free(perm);
    gsl_vector_free(b);
    gsl_vector_free(x);
    return rc;
}

/* The Wald quadratic form Y' V^- Y of the k cells Y with covariance V (k x
 * k, row-major) and the rank of V, *rank.
 *
 * The rank is that of V's correlation matrix (a cell of variance 0 adds
 * nothing to it), its eigenvalues above sqrt(DBL_EPSILON) times the
 * largest (MASS::ginv's tolerance), so that it does not depend on the
 * cells' units.  At full rank the form is R's solve(V, Y); below it,
 * where R's svychisq solves a singular system and reports a meaningless
 * statistic (a negative one in shared repro case 5034: 4 cells, 4 PSUs),
 * it is Y' V^+ Y with V^+ the Moore-Penrose inverse of V on its rank
 * largest eigenvalues (MASS::ginv(V)), and the test has rank df. */
static int wald_form(size_t k, const double *V, const double *Y, double *W, size_t *rank,
                     ss_error *err)
{
    gsl_matrix *R = gsl_matrix_calloc(k, k), *Q = gsl_matrix_alloc(k, k);
    gsl_vector *lam = gsl_vector_alloc(k);
    gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(k);
    double *x = malloc(k * sizeof *x);
    int rc = SS_OK;
    if (!R || !Q || !lam || !ws || !x) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        goto done;
    }
    for (size_t a = 0; a < k; a++)
        for (size_t b = 0; b < k; b++) {
            double va = V[a * k + a], vb = V[b * k + b];
            if (va > 0 && vb > 0)
                gsl_matrix_set(R, a, b, V[a * k + b] / sqrt(va * vb));
        }
    if (gsl_eigen_symmv(R, lam, Q, ws) != GSL_SUCCESS) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0,
                          "the eigenvalues of the table's covariance did not converge");
        goto done;
    }
    double top = gsl_vector_max(lam);
    size_t r = 0;
    for (size_t a = 0; a < k; a++)
        r += top > 0 && gsl_vector_get(lam, a) > sqrt(DBL_EPSILON) * top;
    *rank = r;
    ss_error scratch = {0};
    if (r == k && solve(k, V, Y, 1, x, "covariance matrix of the table", &scratch) == SS_OK) {
        double w = 0;
        for (size_t a = 0; a < k; a++)
            w += Y[a] * x[a];
        *W = w;
        goto done;
    }
    /* V^+ from the r largest eigenvalues of V itself. */
    for (size_t a = 0; a < k; a++)
        for (size_t b = 0; b < k; b++)
            gsl_matrix_set(R, a, b, V[a * k + b]);
    if (gsl_eigen_symmv(R, lam, Q, ws) != GSL_SUCCESS) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0,
                          "the eigenvalues of the table's covariance did not converge");
        goto done;
    }
    gsl_eigen_symmv_sort(lam, Q, GSL_EIGEN_SORT_VAL_DESC);
    double w = 0;
    for (size_t j = 0; j < r; j++) {
        double qy = 0;
        for (size_t a = 0; a < k; a++)
            qy += gsl_matrix_get(Q, a, j) * Y[a];
        w += qy * qy / gsl_vector_get(lam, j);
    }
    *W = w;
done:
    gsl_matrix_free(R);
    gsl_matrix_free(Q);
    gsl_vector_free(lam);
    if (ws)
        gsl_eigen_symmv_free(ws);
    free(x);
    return rc;
}

/* The row sums R, column sums C and grand sum (returned) of x over the
 * nr x nc cells, cell (i, j) at x[(i + nr j) * xs]. */
static double cell_sums(size_t nr, size_t nc, const double *x, size_t xs, double *R, double *C)
{
    double S = 0;
    for (size_t i = 0; i < nr; i++)
        R[i] = 0;
    for (size_t j = 0; j < nc; j++) {
        C[j] = 0;
        for (size_t i = 0; i < nr; i++) {
            double v = x[(i + nr * j) * xs];
            R[i] += v;
            C[j] += v;
            S += v;
        }
    }
    return S;
}

/* C' u for the interaction contrasts C (below) and u over the nr x nc
 * cells (stride us): out[(a-1) + (nr-1)(b-1)] (stride os), a, b >= 1, is
 *   u_ab - R_a / nc - C_b / nr + S / (nr nc)
 * with R, C, S the row, column and grand sums of u (rc: nr + nc scratch):
 * C's column (a, b) is ([i = a] - 1/nr)([j = b] - 1/nc), a Kronecker
 * product, so C' costs one pass over the cells. */
static void contrast_t(size_t nr, size_t nc, const double *u, size_t us, double *out, size_t os,
                       double *rc)
{
    double *R = rc, *C = rc + nr, S = cell_sums(nr, nc, u, us, R, C);
    const double fr = (double)nr, fc = (double)nc;
    for (size_t b = 1; b < nc; b++)
        for (size_t a = 1; a < nr; a++)
            out[((a - 1) + (nr - 1) * (b - 1)) * os] =
                u[(a + nr * b) * us] - R[a] / fc - C[b] / fr + S / (fr * fc);
}

/* tr(A) and tr(A^2) of the K x K matrix A (the Rao-Scott moments). */
static void traces(const double *A, size_t K, double *t1, double *t2)
{
    *t1 = 0;
    *t2 = 0;
    for (size_t q = 0; q < K; q++) {
        *t1 += A[q * K + q];
        for (size_t s = 0; s < K; s++)
            *t2 += A[q * K + s] * A[s * K + q];
    }
}

/* tr(Delta) and tr(Delta^2) when every cell proportion is positive,
 * without a K x K system: with X the additive model's columns (the row
 * indicators and the column indicators b >= 1) and C'X = 0,
 *   D^-1 C (C' D^-1 C)^-1 C' D^-1 = D^-1 - X (X' D X)^-1 X'  =: Q
 * (the identity Z (Z' S Z)^-1 Z' = S^-1 - S^-1 X (X' S^-1 X)^-1 X' S^-1 for
 * Z'X = 0, with S = D^-1), so Delta = (C' D^-1 C / N)^-1 C' D^-1 V D^-1 C
 * has tr(Delta) = N tr(Q V) and tr(Delta^2) = N^2 tr(Q V Q V): time K0^2
 * (nr + nc) instead of K^3.  V is overwritten by Q V. */
static int rao_scott_traces(size_t nr, size_t nc, const double *p, double *V, double N,
                            double *tr1, double *tr2, ss_error *err)
{
    /* X' D X = [[Dr, P], [P', Dc]]: Dr the row sums (diagonal: a cell is in
     * one row), Dc the sums of the columns j >= 1, P the cells of those
     * columns.  Solved through the Schur complement of its larger diagonal
     * block, S = Ds - Psl Dl^-1 Psl' (ns x ns, ns the smaller of nr and
     * nc - 1), so a right-hand side costs ns (nl + ns) instead of q^2. */
    const size_t K0 = nr * nc, q = nr + nc - 1;
    const int rows_small = nr <= nc - 1;
    const size_t ns = rows_small ? nr : nc - 1, nl = q - ns;
    double *Ds = calloc(ns, sizeof *Ds), *Dl = calloc(nl ? nl : 1, sizeof *Dl);
    double *Psl = calloc(ns * (nl ? nl : 1), sizeof *Psl);
    double *bs = malloc(ns * sizeof *bs), *bl = malloc((nl ? nl : 1) * sizeof *bl);
    double *H = malloc(q * K0 * sizeof *H);
    gsl_matrix *S = gsl_matrix_calloc(ns, ns);
    gsl_permutation *perm = gsl_permutation_alloc(ns);
    gsl_vector *yv = gsl_vector_alloc(ns), *xv = gsl_vector_alloc(ns);
    int rc = SS_OK, signum;
    if (!Ds || !Dl || !Psl || !bs || !bl || !H || !S || !perm || !yv || !xv) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        goto done;
    }
    /* X column of row i: i; of column j >= 1: nr + j - 1. */
    for (size_t j = 0; j < nc; j++)
        for (size_t i = 0; i < nr; i++) {
            double pk = p[i + nr * j];
            if (rows_small)
                Ds[i] += pk;
            else
                Dl[i] += pk;
            if (j >= 1) {
                if (rows_small) {
                    Dl[j - 1] += pk;
                    Psl[i * nl + (j - 1)] = pk;
                } else {
                    Ds[j - 1] += pk;
                    Psl[(j - 1) * nl + i] = pk;
                }
            }
        }
    for (size_t a = 0; a < ns; a++)
        for (size_t b = 0; b < ns; b++) {
            double v = a == b ? Ds[a] : 0;
            for (size_t k = 0; k < nl; k++)
                v -= Psl[a * nl + k] * Psl[b * nl + k] / Dl[k];
            gsl_matrix_set(S, a, b, v);
        }
    if (gsl_linalg_LU_decomp(S, perm, &signum) != GSL_SUCCESS ||
        gsl_linalg_LU_det(S, signum) == 0) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "the Rao-Scott denominator matrix is singular");
        goto done;
    }
    /* H = (X' D X)^-1 X' V, column by column of V (H row-major, q x K0). */
    for (size_t l = 0; l < K0; l++) {
        memset(bs, 0, ns * sizeof *bs);
        memset(bl, 0, (nl ? nl : 1) * sizeof *bl);
        for (size_t j = 0; j < nc; j++)
            for (size_t i = 0; i < nr; i++) {
                double v = V[(i + nr * j) * K0 + l];
                (rows_small ? bs : bl)[i] += v;
                if (j >= 1)
                    (rows_small ? bl : bs)[j - 1] += v;
            }
        for (size_t a = 0; a < ns; a++) {
            double y = bs[a];
            for (size_t k = 0; k < nl; k++)
                y -= Psl[a * nl + k] * bl[k] / Dl[k];
            gsl_vector_set(yv, a, y);
        }
        if (gsl_linalg_LU_solve(S, perm, yv, xv) != GSL_SUCCESS) {
            rc = ss_error_set(err, SS_EDATA, NULL, 0,
                              "the Rao-Scott denominator matrix is singular");
            goto done;
        }
        for (size_t k = 0; k < nl; k++) {
            double x = bl[k];
            for (size_t a = 0; a < ns; a++)
                x -= Psl[a * nl + k] * gsl_vector_get(xv, a);
            x /= Dl[k];
            size_t row = rows_small ? nr + k : k;
            H[row * K0 + l] = x;
        }
        for (size_t a = 0; a < ns; a++) {
            size_t row = rows_small ? a : nr + a;
            H[row * K0 + l] = gsl_vector_get(xv, a);
        }
    }
    /* Q V = D^-1 V - X H, in place. */
    for (size_t j = 0; j < nc; j++)
        for (size_t i = 0; i < nr; i++) {
            size_t k = i + nr * j;
            const double *hi = H + i * K0;
            const double *hj = j >= 1 ? H + (nr + j - 1) * K0 : NULL;
            double *vk = V + k * K0;
            for (size_t l = 0; l < K0; l++)
                vk[l] = vk[l] / p[k] - hi[l] - (hj ? hj[l] : 0);
        }
    double t1, t2;
    traces(V, K0, &t1, &t2);
    *tr1 = N * t1;
    *tr2 = N * N * t2;
done:
    free(Ds);
    free(Dl);
    free(Psl);
    free(bs);
    free(bl);
    free(H);
    gsl_matrix_free(S);
    gsl_permutation_free(perm);
    gsl_vector_free(yv);
    gsl_vector_free(xv);
    return rc;
}

int ss_test_rao_scott(size_t nr, size_t nc, const double *p, const double *V, double N,
                      double *tr1, double *tr2, ss_error *err)
{
    const size_t K0 = nr * nc, K = (nr - 1) * (nc - 1);
    /* With C the K0 x K residuals of the cell indicators (a, b >= 1) on
     * the additive model over the balanced nr x nc grid (R's
     * qr.resid(qr(X1), X12[, interaction])) and Di = D^-1 (0 where p = 0):
     * A = C' Di C / N and B = C' (Di V Di) C, each through contrast_t, in
     * time K0^2 rather than K0^2 K. */
    double *A = malloc(K * K * sizeof *A);
    double *B = malloc(K * K * sizeof *B);
    double *M = malloc(K0 * K * sizeof *M);   /* (Di V Di) C, then scratch */
    double *u = malloc(K0 * sizeof *u), *rc2 = malloc((nr + nc) * sizeof *rc2);
    double *Delta = malloc(K * K * sizeof *Delta);
    int rc = SS_OK;
    if (!A || !B || !M || !u || !rc2 || !Delta) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        goto done;
    }
    double *di = u; /* first the diagonal of Di */
    for (size_t k = 0; k < K0; k++)
        di[k] = p[k] == 0 ? 0 : 1 / p[k];
    /* A's column s: C' (Di C[, s]) / N, C[, s] = ([i = a] - 1/nr)([j = b] - 1/nc). */
    {
        double *col = M; /* K0 scratch */
        for (size_t b = 1; b < nc; b++)
            for (size_t a = 1; a < nr; a++) {
                size_t s2 = (a - 1) + (nr - 1) * (b - 1);
                for (size_t j = 0; j < nc; j++)
                    for (size_t i = 0; i < nr; i++) {
                        size_t k = i + nr * j;
                        double c = ((double)(i == a) - 1 / (double)nr) *
                                   ((double)(j == b) - 1 / (double)nc);
                        col[k] = di[k] * c / N;
                    }
                contrast_t(nr, nc, col, 1, A + s2, K, rc2);
            }
    }
    /* M = (Di V Di) C row by row (V symmetric: row k of V Di C is C' applied
     * to row k of Di V Di), then B = C' M column by column. */
    {
        double *row = Delta; /* K0 <= K * K scratch when K > 1 */
        double *tmp = K0 <= K * K ? row : malloc(K0 * sizeof *tmp);
        if (!tmp) {
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
            goto done;
        }
        for (size_t k = 0; k < K0; k++) {
            for (size_t l = 0; l < K0; l++)
                tmp[l] = di[k] * V[k * K0 + l] * di[l];
            contrast_t(nr, nc, tmp, 1, M + k * K, 1, rc2);
        }
        for (size_t s2 = 0; s2 < K; s2++)
            contrast_t(nr, nc, M + s2, K, B + s2, K, rc2);
        if (tmp != row)
            free(tmp);
    }
    rc = solve(K, A, B, K, Delta, "Rao-Scott denominator matrix", err);
    if (rc != SS_OK)
        goto done;
    traces(Delta, K, tr1, tr2);
done:
    free(A);
    free(B);
    free(M);
    free(u);
    free(rc2);
    free(Delta);
    return rc;
}

/* The Wald cells' Jacobian applied to x (the nr x nc cells, k = i + nr j,
 * stride xs): out[((a-1) + (nr-1)(b-1)) * os], a, b >= 1, is
 *   x_ab - Ct_b / Wt R_a - Rt_a / Wt C_b + Rt_a Ct_b / Wt^2 S
 * with R, C, S the row, column and grand sums of x (rc: nr + nc scratch). */
static void wald_jacobian(size_t nr, size_t nc, const double *Rt, const double *Ct, double Wt,
                          const double *x, size_t xs, double *out, size_t os, double *rc)
{
    double *R = rc, *C = rc + nr, S = cell_sums(nr, nc, x, xs, R, C);
    for (size_t b = 1; b < nc; b++)
        for (size_t a = 1; a < nr; a++)
            out[((a - 1) + (nr - 1) * (b - 1)) * os] =
                x[(a + nr * b) * xs] - Ct[b] / Wt * R[a] - Rt[a] / Wt * C[b] +
                Rt[a] * Ct[b] / (Wt * Wt) * S;
}

int ss_test_chisq(const ss_design *d, const ss_column *r, const ss_column *c,
                  ss_chisq_stat stat, ss_test_out *out, ss_error *err)
{
    return ss_test_chisq_in(d, NULL, r, c, stat, out, err);
}

int ss_test_chisq_in(const ss_design *d, const unsigned char *keep, const ss_column *r,
                     const ss_column *c, ss_chisq_stat stat, ss_test_out *out, ss_error *err)
{
    out_init(out);
    const size_t n = d->n;
    const double *w = d->w;
    size_t *rows = malloc((n ? n : 1) * sizeof *rows);
    size_t *cell = malloc((n ? n : 1) * sizeof *cell);
    uint8_t *use = calloc(n ? n : 1, 1);
    int32_t *rr = malloc((r->levels.n ? r->levels.n : 1) * sizeof *rr);
    int32_t *cr = malloc((c->levels.n ? c->levels.n : 1) * sizeof *cr);
    double *T = NULL, *z = NULL, *V = NULL, *Y = NULL, *x = NULL, *Vc = NULL;
    ss_design_work *dw = NULL;
    int rc = SS_OK;
    if (!rows || !cell || !use || !rr || !cr) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        goto done;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (r->code[i] >= 0 && c->code[i] >= 0 && (!keep || keep[i])) {
            use[i] = 1;
            rows[m++] = i;
        }
    long kr = level_ranks(r, use, n, rr), kc = level_ranks(c, use, n, cr);
    if (kr < 0 || kc < 0) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        goto done;
    }
    out->n = m;
    out->nlev1 = (size_t)kr;
    out->nlev2 = (size_t)kc;
    for (int v = 0; v < 2; v++) {
        const ss_column *col = v ? c : r;
        long k = v ? kc : kr;
        if (k >= 2)
            continue;
        const ss_column *other = v ? r : c;
        size_t all = level_total(col);
        char where[1200] = "";
        if ((size_t)k != all)
            snprintf(where, sizeof where, " where '%s' is present (%zu in all)", other->name,
                     all);
        rc = ss_error_set(err, SS_EDATA, NULL, 0,
                          "column '%s': a test of independence needs at least 2 levels, "
                          "found %ld%s", col->name, k, where);
        goto done;
    }
    const size_t nr = (size_t)kr, nc = (size_t)kc, K0 = nr * nc, K = (nr - 1) * (nc - 1);
    /* svychisq's N is nrow(design$variables): every row, answered or not;
     * nu counts the PSUs and strata of every row.  On subset(design, EXPR)
     * those rows are the subset's, except in a calibrated design (R's
     * subset keeps its rows, with weight zero). */
    double N = (double)n;
    double nu = d->rep ? d->df : (double)d->stage[0].nunit - (double)d->stage[0].nstrata;
    if (keep && d->rep) {
        nu = subset_degf(d, keep);
    } else if (keep && d->ncal == 0) {
        size_t nk = 0;
        for (size_t i = 0; i < n; i++)
            if (keep[i])
                cell[nk++] = i;
        N = (double)nk;
        {
            ss_design_work *kw = ss_design_work_alloc(d, 1);
            if (!kw) {
                rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
                goto done;
            }
            nu = ss_design_domain_df(d, kw, cell, nk);
            ss_design_work_free(kw);
        }
    }
    T = calloc(K0 + nr + nc, sizeof *T);
    if (!T) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        goto done;
    }
    double *Rt = T + K0, *Ct = Rt + nr, Wt = 0;
    for (size_t q = 0; q < m; q++) {
        size_t i = rows[q], a = (size_t)rr[r->code[i]], b = (size_t)cr[c->code[i]];
        cell[q] = a + nr * b;
        T[cell[q]] += w[i];
        Rt[a] += w[i];
        Ct[b] += w[i];
        Wt += w[i];
    }
    if (!(Wt > 0)) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0,
                          "columns '%s' and '%s': no row with both present has a positive "
                          "weight", r->name, c->name);
        goto done;
    }
    const size_t p = stat == SS_CHISQ_F || stat == SS_CHISQ_CHISQ ? K0 : K;
    V = malloc(p * p * sizeof *V);
    Y = malloc((K0 + 1) * sizeof *Y);
    x = malloc((K0 + 1) * sizeof *x);
    if (!V || !Y || !x) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        goto done;
    }
    /* Taylor on one stage: the covariance Vc of the weighted cell totals
     * from the units' sparse totals (linear in the rows), then mapped by
     * the Jacobian of the statistic's cells (the row scores below are the
     * same Jacobian applied row by row).  Else the scores of every row. */
    int fast = 0;
    if (!d->rep) {
        Vc = malloc(K0 * K0 * sizeof *Vc);
        double *a = malloc((m ? m : 1) * sizeof *a);
        if (!Vc || !a) {
            free(a);
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
            goto done;
        }
        for (size_t q = 0; q < m; q++)
            a[q] = w[rows[q]];
        int vr = ss_design_vcov_cells(d, rows, cell, a, m, K0, Vc, err);
        free(a);
        if (vr != -1 && vr != SS_OK) {
            rc = vr;
            goto done;
        }
        fast = vr == SS_OK;
    }
    if (!fast) {
        z = calloc(m * p + 1, sizeof *z);
        dw = ss_design_work_alloc(d, p);
        if (!z || !dw) {
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
            goto done;
        }
    }

    if (p == K0) {
        /* Rao-Scott: the cell proportions (svymean of the cell indicators
         * over the answered rows), their covariance, the design effects. */
        double *prop = Y;
        for (size_t k = 0; k < K0; k++)
            prop[k] = T[k] / Wt;
        if (fast) {
            /* z = w (e_cell - prop) / Wt: V = (I - prop 1') Vc (I - 1 prop') / Wt^2. */
            double *rs = x, tot = 0; /* row sums of Vc (symmetric) */
            for (size_t k = 0; k < K0; k++) {
                double sum = 0;
                for (size_t l = 0; l < K0; l++)
                    sum += Vc[k * K0 + l];
                rs[k] = sum;
                tot += sum;
            }
            for (size_t k = 0; k < K0; k++)
                for (size_t l = 0; l < K0; l++)
                    V[k * K0 + l] = (Vc[k * K0 + l] - prop[k] * rs[l] - rs[k] * prop[l] +
                                     prop[k] * prop[l] * tot) / (Wt * Wt);
        } else {
            for (size_t q = 0; q < m; q++) {
                double wi = w[rows[q]];
                for (size_t k = 0; k < K0; k++)
                    z[q * K0 + k] = d->rep ? (double)(cell[q] == k)
                                           : wi * ((double)(cell[q] == k) - prop[k]) / Wt;
            }
            rc = d->rep ? rep_chisq_vcov(d, rows, z, m, K0, 1, prop, V, err)
                        : ss_design_vcov(d, dw, rows, z, m, K0, V, err);
        }
        double tr1, tr2;
        int allpos = 1;
        for (size_t k = 0; k < K0; k++)
            allpos &= prop[k] > 0;
        if (rc == SS_OK)
            rc = allpos ? rao_scott_traces(nr, nc, prop, V, N, &tr1, &tr2, err)
                        : ss_test_rao_scott(nr, nc, prop, V, N, &tr1, &tr2, err);
        if (rc != SS_OK)
            goto done;
        double X2 = ss_test_pearson(nr, nc, T, N);
        if (stat == SS_CHISQ_F) {
            /* Second order: F = X2 / tr(Delta) on d0 and d0 nu df, with
             * d0 = tr(Delta)^2 / tr(Delta^2). */
            double d0 = tr1 * tr1 / tr2;
            out->statistic = X2 / tr1;
            out->df1 = d0;
            out->df2 = d0 * nu;
            out->p_value = f_upper(out->statistic, d0, d0 * nu);
        } else {
            /* R reports Pearson's X2 and df = K, with the p-value of the
             * first-order correction X2 / mean(diag(Delta)) on K df. */
            out->statistic = X2;
            out->df1 = (double)K;
            double x2c = X2 / (tr1 / (double)K);
            out->p_value = isnan(x2c) ? NAN : isinf(x2c) ? 0 : gsl_cdf_chisq_Q(x2c, (double)K);
        }
        goto done;
    }

    /* Wald: Y_ab = N_ab - N_a. N_.b / N for a, b >= 1 (R drops the first
     * row and column), linearized as
     *   w ([cell ab] - [row a] N_.b / N - [col b] N_a. / N + N_a. N_.b / N^2),
     * the Jacobian of svychisq's Jcb applied to each row's scores. */
    for (size_t b = 1; b < nc; b++)
        for (size_t a = 1; a < nr; a++)
            Y[(a - 1) + (nr - 1) * (b - 1)] = T[a + nr * b] - Rt[a] * Ct[b] / Wt;
    if (fast) {
        /* V = J Vc J', (J x)_ab = x_ab - N_.b/N R(x)_a - N_a./N C(x)_b +
         * N_a. N_.b / N^2 S(x), R, C, S the row, column and grand sums. */
        double *M = malloc(K0 * K * sizeof *M), *col = malloc(K0 * sizeof *col);
        if (!M || !col) {
            free(M);
            free(col);
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
            goto done;
        }
        for (size_t k = 0; k < K0; k++)
            wald_jacobian(nr, nc, Rt, Ct, Wt, Vc + k * K0, 1, M + k * K, 1, x);
        for (size_t s2 = 0; s2 < K; s2++) {
            for (size_t k = 0; k < K0; k++)
                col[k] = M[k * K + s2];
            wald_jacobian(nr, nc, Rt, Ct, Wt, col, 1, V + s2, K, x);
        }
        free(M);
        free(col);
    } else {
    for (size_t q = 0; q < m; q++) {
        double wi = d->rep ? 1 : w[rows[q]]; /* replicates: the x, not w x */
        size_t ia = cell[q] % nr, ib = cell[q] / nr;
        for (size_t b = 1; b < nc; b++)
            for (size_t a = 1; a < nr; a++)
                z[q * K + (a - 1) + (nr - 1) * (b - 1)] =
                    wi * ((double)(ia == a && ib == b) - (double)(ia == a) * Ct[b] / Wt -
                          (double)(ib == b) * Rt[a] / Wt + Rt[a] * Ct[b] / (Wt * Wt));
    }
    rc = d->rep ? rep_chisq_vcov(d, rows, z, m, K, 0, NULL, V, err)
                : ss_design_vcov(d, dw, rows, z, m, K, V, err);
    }
    double wald = NAN;
    size_t rank = 0;
    if (rc == SS_OK)
        rc = wald_form(K, V, Y, &wald, &rank, err);
    if (rc != SS_OK)
        goto done;
    out->rank = rank;
    if (rank == 0) {
        /* No sampling variance at all (every stratum a census): as R's F
         * test there, an infinite statistic without df or p. */
        int any = 0;
        for (size_t q = 0; q < K; q++)
            any |= Y[q] != 0;
        out->statistic = any ? INFINITY : NAN;
        out->df2 = nu;
        goto done;
    }
    const double k = (double)rank;
    out->df1 = k;
    if (stat == SS_CHISQ_WALD) {
        out->df2 = nu;
        out->statistic = wald / k;
    } else {
        out->df2 = nu - k + 1;
        out->statistic = wald * out->df2 / (k * nu);
    }
    out->p_value = f_upper(out->statistic, out->df1, out->df2);
done:
    free(rows);
    free(cell);
    free(use);
    free(rr);
    free(cr);
    free(T);
    free(z);
    free(V);
    free(Y);
    free(x);
    free(Vc);
    ss_design_work_free(dw);
    return rc;
}
