/* ss_model: svyglm and regTermTest (see ss_model.h).
 *
 * Source: R 4.2.2's glm.fit (IRLS, starting values from the family's
 * initialize, step halving, the stopping rule and the working weights kept
 * from the last step), binomial()/poisson() link functions (logit with
 * R's clamping at |eta| > 30), survey 4.1.1's svyglm.survey.design,
 * svy.varcoef, svyglm.svyrep.design and regTermTest. */
#include "ss_model.h"

#include <float.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <pthread.h>
#define MATHLIB_STANDALONE 1
#include <Rmath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ss_mem.h"
#include "ss_repfit.h"
#include "ss_replicate.h"

int ss_model_family_parse(const char *name, ss_model_family *fam)
{
    static const char *const names[] = {"gaussian", "binomial", "poisson"};
    for (int k = 0; k < 3; k++)
        if (strcmp(name, names[k]) == 0) {
            *fam = (ss_model_family)k;
            return 0;
        }
    return -1;
}

const char *ss_model_family_name(ss_model_family fam)
{
    return fam == SS_MODEL_GAUSSIAN ? "gaussian" : fam == SS_MODEL_BINOMIAL ? "binomial" : "poisson";
}

/* ---- the family: R's link functions, variance and deviance ---- */

#define THRESH 30.
#define MTHRESH -30.
#define INVEPS (1 / DBL_EPSILON)

/* R's linkinv and mu.eta, given ex = exp(eta) (unused for gaussian): one
 * exp for both, the same values as R's two. */
static double linkinv_exp(ss_model_family f, double eta, double ex)
{
    if (f == SS_MODEL_GAUSSIAN)
        return eta;
    if (f == SS_MODEL_POISSON)
        return ex > DBL_EPSILON ? ex : DBL_EPSILON;
    double tmp = eta < MTHRESH ? DBL_EPSILON : eta > THRESH ? INVEPS : ex;
    return tmp / (1 + tmp);
}

static double mu_eta_exp(ss_model_family f, double eta, double ex)
{
    if (f == SS_MODEL_GAUSSIAN)
        return 1;
    if (f == SS_MODEL_POISSON)
        return ex > DBL_EPSILON ? ex : DBL_EPSILON;
    double opexp = 1 + ex;
    return eta > THRESH || eta < MTHRESH ? DBL_EPSILON : ex / (opexp * opexp);
}

static double variance(ss_model_family f, double mu)
{
    return f == SS_MODEL_GAUSSIAN ? 1 : f == SS_MODEL_POISSON ? mu : mu * (1 - mu);
}

static double linkfun(ss_model_family f, double mu)
{
    return f == SS_MODEL_GAUSSIAN ? mu : f == SS_MODEL_POISSON ? log(mu) : log(mu / (1 - mu));
}

static double ylogy(double y, double mu)
{
    return y > 0 ? y * log(y / mu) : 0;
}

static inline __attribute__((always_inline)) double dev_resid(ss_model_family f, double y,
                                                          double mu, double wt)
{
    if (f == SS_MODEL_GAUSSIAN)
        return wt * (y - mu) * (y - mu);
    if (f == SS_MODEL_POISSON) {
        double r = mu * wt;
        if (y > 0)
            r = wt * (y * log(y / mu) - (y - mu));
        return 2 * r;
    }
    return 2 * wt * (ylogy(y, mu) + ylogy(1 - y, 1 - mu));
}

/* ---- IRLS (glm.fit) ----
 *
 * Each step is the weighted least-squares fit of the working response z on
 * X with the working weights.  R solves it by a Householder QR of sqrt(W) X
 * (m x p); survstat forms X'WX and X'Wz in one pass over the rows (with the
 * new working weights, the linear predictor, the fitted values and the
 * deviance of the step before: one pass a step), scales X'WX to unit
 * diagonal (so that its condition is that of the columns' collinearity,
 * not of their units), takes GSL's Cholesky factor and refines the
 * solution on the residuals z - X beta (a pass without exp or log), again
 * while a refinement moves the scaled solution by more than 1e-10 of its
 * size (at most 4 times; ill-conditioned columns such as I(x^2) beside x).
 * The refined solution agrees with the QR one to about 1e-13 relative on
 * the reference models.
 *
 * The matrix is the compact one of ss_formula.h: a row has at most one
 * nonzero per term, so a row costs nz(nz+1)/2 products, not p(p+1)/2.
 * With an intercept, the columns of numeric terms are taken about their
 * means (a change of basis, undone on the coefficients and their
 * variance): X'WX of I(x^2) beside x and the intercept no longer squares
 * the columns' collinearity with the intercept, and the SEs agree with
 * R's QR to about 1e-11 where the raw basis gave 3e-9.
 * The passes run on two threads, each over a fixed half of the rows, the
 * halves' sums added in order: the result does not depend on the number
 * of threads.
 *
 * Rank: a column whose Cholesky pivot on the scaled matrix is under
 * SS_MODEL_RANK_TOL (the sine of its angle to the span of the columns
 * before it) is collinear with them.  R's dqrdc2 tolerance is 1e-11 on
 * the same quantity; pivots that small cannot be told from rounding in
 * X'WX, so survstat's is 1e-7 (R's default for lm's QR), and a column
 * between the two is an error here where R would give a fit (numerically
 * meaningless coefficients). */

#define SS_MODEL_RANK_TOL 1e-7

/* The first column of the scaled, symmetric P x P matrix S (L's
 * contents before a failed factorization, in S) that makes its leading
 * block singular: the Cholesky factor of each leading block in turn. */
static size_t first_dependent(const gsl_matrix *S)
{
    const size_t P = S->size1;
    gsl_matrix *B = gsl_matrix_alloc(P, P);
    size_t bad = P - 1;
    for (size_t k = 1; B && k <= P; k++) {
        gsl_matrix_view bk = gsl_matrix_submatrix(B, 0, 0, k, k);
        gsl_matrix_const_view sk = gsl_matrix_const_submatrix(S, 0, 0, k, k);
        gsl_matrix_memcpy(&bk.matrix, &sk.matrix);
        if (gsl_linalg_cholesky_decomp1(&bk.matrix) != GSL_SUCCESS ||
            !(gsl_matrix_get(&bk.matrix, k - 1, k - 1) > SS_MODEL_RANK_TOL)) {
            bad = k - 1;
            break;
        }
    }
    gsl_matrix_free(B);
    return bad;
}

/* What a pass over the rows does (flags). */
enum {
    PASS_START = 1,   /* eta and mu from the family's starting values */
    PASS_PREDICT = 2, /* eta = X beta and mu; with either, the deviance */
    PASS_WEIGHTS = 4, /* the working weights and response from eta and mu
                       * (into w->wt and w->z, over the old ones) and
                       * X'WX, X'Wz */
    PASS_REFINE = 8,  /* X'W (z - X beta) with the old working weights and
                       * response, read before they are replaced */
    PASS_OLDW = 16,   /* the same alone, the old working weights and
                       * response made again from w->wbeta (or the
                       * starting values when w->wstart) */
};

/* Rows from which a pass takes a second thread. */
#define PASS_THREAD_MIN 32768

typedef struct irls_work {
    const ss_model_matrix *mm;
    const double *y, *pw; /* outcome and prior weights, m each */
    ss_model_family fam;
    size_t m, p;
    gsl_matrix *L;     /* p x p: the scaled X'WX, then its Cholesky factor */
    gsl_vector *g;
    double *scale;     /* p: 1 / sqrt(diag X'WX) */
    double *wt, *z;    /* m each: the working weights (R's w^2) and the
                        * working response of the next step */
    double *coefold;   /* p: the coefficients the working weights of the
                        * next step come from */
    double *wbeta;     /* p: those of the last step's (wstart: the
                        * family's starting values) */
    int wstart;
    double *S, *gsum, *gref; /* p x p (upper triangle), p, p: X'WX, X'Wz,
                        * X'W (z - X beta) */
    int hit;           /* binomial: a fitted probability 0 or 1 */
    double *part[2];   /* per half: the sums of pass_rows */
    double *shift;     /* per block: its centre (numeric terms with an
                        * intercept), else 0 */
    double *btilde;    /* p: the last coefficients, in the centred basis */
    double *bp, *obp;  /* p + 1: a pass's coefficients and those of the
                        * working weights, 0 in the spare column p */
    /* The passes' form of a matrix whose terms are each numeric (a value
     * per row in a fixed column) or of factors alone (a column per row,
     * value 1); fast is 0 for others (a term of factors and numbers). */
    int fast;
    size_t nd, nf;     /* numeric and factor blocks */
    size_t *dblock;    /* nd: their blocks, in column order */
    size_t *fblock;    /* nf */
    double *fpart[2];  /* per half: FPART_SIZE */
} irls_work;

/* The size of a half's sums: (p + 1) x (p + 1) for X'WX, p + 1 for X'Wz
 * and for X'W(z - X beta) (the spare column p takes the rows' zeros), the
 * deviance and the flag of fitted probabilities 0 or 1. */
#define PART_SIZE(p) (((p) + 1) * ((p) + 1) + 2 * ((p) + 1) + 2)

/* The size of a half's sums in the fast form (pass_fast), U = nd + 1
 * values a row (1 and the numeric terms'): U x U for their products, U
 * and U for their products with the working response and the residual,
 * and (p + 1) x (U + 2) for each factor column's sums of those. */
#define FPART_SIZE(p, U) ((U) * (U) + 2 * (U) + ((p) + 1) * ((U) + 2))

static void irls_free(irls_work *w)
{
    gsl_matrix_free(w->L);
    gsl_vector_free(w->g);
    free(w->scale);
    free(w->wt);
    free(w->z);
    for (int k = 0; k < 2; k++)
        free(w->part[k]);
    free(w->coefold);
    free(w->wbeta);
    free(w->S);
    free(w->gsum);
    free(w->gref);
    free(w->shift);
    free(w->btilde);
    free(w->bp);
    free(w->obp);
    free(w->dblock);
    free(w->fblock);
    for (int k = 0; k < 2; k++)
        free(w->fpart[k]);
    memset(w, 0, sizeof *w);
}

static int irls_alloc(irls_work *w, const ss_model_matrix *mm, ss_model_family fam)
{
    const size_t m = mm->m ? mm->m : 1, p = mm->p;
    memset(w, 0, sizeof *w);
    w->mm = mm;
    w->y = mm->y;
    w->fam = fam;
    w->m = mm->m;
    w->p = p;
    w->L = gsl_matrix_alloc(p, p);
    w->g = gsl_vector_alloc(p);
    w->scale = malloc(p * sizeof *w->scale);
    w->wt = ss_mem_array(NULL, m, "rows", 1, NULL, sizeof *w->wt);
    w->z = ss_mem_array(NULL, m, "rows", 1, NULL, sizeof *w->z);
    w->part[0] = malloc(PART_SIZE(p) * sizeof *w->part[0]);
    w->part[1] = malloc(PART_SIZE(p) * sizeof *w->part[1]);
    w->coefold = malloc(p * sizeof *w->coefold);
    w->wbeta = malloc(p * sizeof *w->wbeta);
    w->S = malloc(p * p * sizeof *w->S);
    w->gsum = malloc(p * sizeof *w->gsum);
    w->gref = malloc(p * sizeof *w->gref);
    w->shift = calloc(mm->nblock ? mm->nblock : 1, sizeof *w->shift);
    w->btilde = malloc(p * sizeof *w->btilde);
    w->bp = malloc((p + 1) * sizeof *w->bp);
    w->obp = malloc((p + 1) * sizeof *w->obp);
    if (!w->L || !w->g || !w->scale || !w->wt || !w->z || !w->part[0] || !w->part[1] ||
        !w->coefold || !w->wbeta || !w->S || !w->gsum || !w->gref || !w->shift || !w->btilde ||
        !w->bp || !w->obp) {
        irls_free(w);
        return -1;
    }
    /* With an intercept, a numeric term's column is taken about its mean
     * (x = (x - c) + c 1): the same model in a basis where X'WX does not
     * square the collinearity of a column with the intercept (I(x^2) of
     * an x far from 0), converted back at the end (to_original). */
    for (size_t b = 0; mm->intercept && b < mm->nblock; b++) {
        const ss_model_block *bl = &mm->block[b];
        if (bl->col || !bl->val || mm->m == 0)
            continue;
        double sum = 0;
        for (size_t i = 0; i < mm->m; i++)
            sum += bl->val[i];
        w->shift[b] = sum / (double)mm->m;
    }
    /* the fast form: every term numeric or of factors alone (and not
     * turned off by SURVSTAT_MODEL_PASS=rows, for the tests that compare
     * the two, tests/e2e/model_pass.sh) */
    const char *e = getenv("SURVSTAT_MODEL_PASS");
    w->fast = mm->nblock > 0 && !(e && strcmp(e, "rows") == 0);
    for (size_t b = 0; b < mm->nblock; b++) {
        const ss_model_block *bl = &mm->block[b];
        if (!bl->col != !!bl->val)
            w->fast = 0;
        else if (bl->val)
            w->nd++;
        else
            w->nf++;
    }
    if (!w->fast)
        return 0;
    w->dblock = malloc((w->nd ? w->nd : 1) * sizeof *w->dblock);
    w->fblock = malloc((w->nf ? w->nf : 1) * sizeof *w->fblock);
    w->fpart[0] = malloc(FPART_SIZE(p, w->nd + 1) * sizeof *w->fpart[0]);
    w->fpart[1] = malloc(FPART_SIZE(p, w->nd + 1) * sizeof *w->fpart[1]);
    if (!w->dblock || !w->fblock || !w->fpart[0] || !w->fpart[1]) {
        irls_free(w);
        return -1;
    }
    w->nd = w->nf = 0;
    for (size_t b = 0; b < mm->nblock; b++) {
        if (mm->block[b].val)
            w->dblock[w->nd++] = b;
        else
            w->fblock[w->nf++] = b;
    }
    return 0;
}

/* Coefficients between the original basis and the centred one:
 * beta~_0 = beta_0 + sum_b c_b beta_b (dir 1), and back (dir -1). */
static void to_centred(const irls_work *w, const double *in, double *out, int dir)
{
    const ss_model_matrix *mm = w->mm;
    memmove(out, in, w->p * sizeof *out);
    if (!mm->intercept)
        return;
    for (size_t b = 0; b < mm->nblock; b++)
        out[0] += dir * w->shift[b] * in[mm->block[b].first];
}

/* V (p x p) of the centred basis to the original one: T^-1 V T^-T, T^-1
 * taking row (and column) 0 less sum_b c_b row (column) b. */
static void vcov_original(const irls_work *w, double *V)
{
    const ss_model_matrix *mm = w->mm;
    const size_t p = w->p;
    if (!mm->intercept)
        return;
    for (size_t b = 0; b < mm->nblock; b++) {
        size_t j = mm->block[b].first;
        double c = w->shift[b];
        if (c == 0)
            continue;
        for (size_t v = 0; v < p; v++)
            V[v] -= c * V[j * p + v];
    }
    for (size_t b = 0; b < mm->nblock; b++) {
        size_t j = mm->block[b].first;
        double c = w->shift[b];
        if (c == 0)
            continue;
        for (size_t u = 0; u < p; u++)
            V[u * p] -= c * V[u * p + j];
    }
}

typedef struct pass_arg {
    irls_work *w;
    int mode;
    const double *beta;
    size_t from, to;
    double *acc;       /* PART_SIZE(p): the half's sums */
    double *facc;      /* FPART_SIZE: the fast form's (pass_fast) */
} pass_arg;

/* Row i's entries, one per block (and the intercept's), without a
 * branch: a block where the row is 0 gives column p, which the sums
 * (p + 1 wide) have as a spare. */
static inline size_t row_entries(const ss_model_matrix *mm, const double *shift, size_t i,
                                 size_t *col, double *val)
{
    const size_t p = mm->p;
    size_t nz = 0;
    if (mm->intercept) {
        col[0] = 0;
        val[0] = 1;
        nz = 1;
    }
    for (size_t b = 0; b < mm->nblock; b++, nz++) {
        const ss_model_block *bl = &mm->block[b];
        size_t c = bl->col ? (uint32_t)bl->col[i] : bl->first;
        col[nz] = c < p ? c : p;
        val[nz] = bl->val ? bl->val[i] - shift[b] : 1;
    }
    return nz;
}

/* glm.fit's eta from the family's starting value of mu (initialize). */
static inline double start_eta(ss_model_family fam, double y, double pw)
{
    double mus = fam == SS_MODEL_GAUSSIAN  ? y
                 : fam == SS_MODEL_POISSON ? y + 0.1
                                           : (pw * y + 0.5) / (pw + 1);
    return linkfun(fam, mus);
}

/* The working weight (R's w^2) and response at eta (and mu, its exp ex). */
static inline void working(ss_model_family fam, double y, double pw, double eta, double mu,
                           double ex, double *wt, double *z)
{
    double me = mu_eta_exp(fam, eta, ex);
    /* A row of prior weight 0 is out of the fit, as in glm.fit; a negative
     * one (a supplied replicate weight) is in it, as the replicate method
     * asks (glm.fit would leave it out: docs/methods.md). */
    int good = pw != 0 && me != 0;
    *wt = good ? pw * me * me / variance(fam, mu) : 0;
    *z = good ? eta + (y - mu) / me : 0;
}

/* The working weight and response at eta (its exp and mu made here). */
static inline __attribute__((always_inline)) void working_at(ss_model_family fam, double y,
                                                             double pw, double eta, double *wt,
                                                             double *z)
{
    double ex = fam == SS_MODEL_GAUSSIAN ? 0 : exp(eta);
    working(fam, y, pw, eta, linkinv_exp(fam, eta, ex), ex, wt, z);
}

/* A row's fit at eta in a pass: its deviance added to *dev, *hit set at a
 * fitted probability 0 or 1, and under PASS_WEIGHTS its working weight and
 * response (into *wi, *zi); returns whether they were made. */
static inline __attribute__((always_inline)) int row_fit(ss_model_family fam, int mode, double y,
                                                          double pw, double eta, double *dev,
                                                          double *hit, double *wi, double *zi)
{
    double ex = fam == SS_MODEL_GAUSSIAN ? 0 : exp(eta), mu = linkinv_exp(fam, eta, ex);
    *dev += dev_resid(fam, y, mu, pw);
    if (fam == SS_MODEL_BINOMIAL && (mu > 1 - 10 * DBL_EPSILON || mu < 10 * DBL_EPSILON))
        *hit = 1;
    if (!(mode & PASS_WEIGHTS))
        return 0;
    working(fam, y, pw, eta, mu, ex, wi, zi);
    return 1;
}

static void *pass_rows(void *arg)
{
    const pass_arg *a = arg;
    irls_work *w = a->w;
    const ss_model_matrix *mm = w->mm;
    const ss_model_family fam = w->fam;
    const size_t p = w->p, P = p + 1;
    const int mode = a->mode;
    const double *y = w->y, *pw = w->pw;
    double *S = a->acc, *g = S + P * P, *gr = g + P, dev = 0, hit = 0;
    size_t col[1 + 256];
    double val[1 + 256];
    const double *b = w->bp, *ob = w->obp;
    memset(a->acc, 0, PART_SIZE(p) * sizeof *a->acc);
    for (size_t i = a->from; i < a->to; i++) {
        const size_t nz = row_entries(mm, w->shift, i, col, val);
        double xb = 0;
        if (mode & (PASS_PREDICT | PASS_REFINE | PASS_OLDW))
            for (size_t j = 0; j < nz; j++)
                xb += val[j] * b[col[j]];
        if (mode & (PASS_REFINE | PASS_OLDW)) {
            double wo = w->wt[i], zo = w->z[i];
            if (mode & PASS_OLDW) {
                double eo = 0;
                if (w->wstart)
                    eo = start_eta(fam, y[i], pw[i]);
                else
                    for (size_t j = 0; j < nz; j++)
                        eo += val[j] * ob[col[j]];
                working_at(fam, y[i], pw[i], eo, &wo, &zo);
            }
            double r = (zo - xb) * wo;
            for (size_t j = 0; j < nz; j++)
                gr[col[j]] += val[j] * r;
            if (mode & PASS_OLDW)
                continue;
        }
        double eta = mode & PASS_START ? start_eta(fam, y[i], pw[i]) : xb, wi, zi;
        if (!row_fit(fam, mode, y[i], pw[i], eta, &dev, &hit, &wi, &zi))
            continue;
        w->wt[i] = wi;
        w->z[i] = zi;
        for (size_t j = 0; j < nz; j++) {
            double xw = val[j] * wi;
            double *srow = S + col[j] * P;
            for (size_t k = j; k < nz; k++)
                srow[col[k]] += xw * val[k];
            g[col[j]] += xw * zi;
        }
    }
    gr[P] = dev;
    gr[P + 1] = hit;
    return NULL;
}

/* The rows of pass_fast: a row's values u (u[0] = 1, then its numeric
 * terms') and its factor columns.  The products of u among themselves go
 * to D (U x U, upper triangle), with the working response and the
 * residual to gd and grd, each factor column's sums of w u, w z and the
 * residual to its row of A ((p + 1) x (U + 2)), a pair of factor columns'
 * sum of w to X'WX (S) itself.  Inlined for each small U, where the
 * compiler unrolls the loops over u and keeps D in registers. */
static inline __attribute__((always_inline)) void fast_rows(const pass_arg *a, const size_t U,
                                                            double *D, double *gd, double *grd,
                                                            double *dev_hit)
{
    irls_work *w = a->w;
    const ss_model_matrix *mm = w->mm;
    const ss_model_family fam = w->fam;
    const size_t p = w->p, P = p + 1, nf = w->nf, nb = mm->nblock, K = U + 2;
    const int mode = a->mode, icpt = mm->intercept;
    const double *y = w->y, *pw = w->pw, *b = w->bp, *ob = w->obp;
    double *S = a->acc, *A = a->facc + U * U + 2 * U, dev = 0, hit = 0;
    const double *dv[256];
    const int32_t *fc[256];
    double dsh[256], u[1 + 256];
    size_t dcol[256], cf[256];
    unsigned char isd[256];
    for (size_t k = 0, jd = 0, jf = 0; k < nb; k++) {
        const ss_model_block *bl = &mm->block[k];
        isd[k] = bl->val != NULL;
        if (isd[k]) {
            dv[jd] = bl->val;
            dsh[jd] = w->shift[k];
            dcol[jd++] = bl->first;
        } else {
            fc[jf++] = bl->col;
        }
    }
    u[0] = 1;
    const int wants_xb = mode & (PASS_PREDICT | PASS_REFINE | PASS_OLDW);
    for (size_t i = a->from; i < a->to; i++) {
        /* the row's values and columns, and X beta, in entry order */
        double xb = 0;
        if (icpt)
            xb += 1 * b[0];
        for (size_t k = 0, jd = 0, jf = 0; k < nb; k++) {
            if (isd[k]) {
                double v = dv[jd][i] - dsh[jd];
                u[1 + jd] = v;
                xb += v * b[dcol[jd++]];
            } else {
                size_t c = (uint32_t)fc[jf][i];
                c = c < p ? c : p;
                cf[jf++] = c;
                xb += 1 * b[c];
            }
        }
        if (!wants_xb)
            xb = 0;
        if (mode & (PASS_REFINE | PASS_OLDW)) {
            double wo = w->wt[i], zo = w->z[i];
            if (mode & PASS_OLDW) {
                double eo = 0;
                if (w->wstart) {
                    eo = start_eta(fam, y[i], pw[i]);
                } else {
                    if (icpt)
                        eo += 1 * ob[0];
                    for (size_t k = 0, jd = 0, jf = 0; k < nb; k++) {
                        if (isd[k]) {
                            eo += u[1 + jd] * ob[dcol[jd]];
                            jd++;
                        } else {
                            eo += 1 * ob[cf[jf++]];
                        }
                    }
                }
                working_at(fam, y[i], pw[i], eo, &wo, &zo);
            }
            double r = (zo - xb) * wo;
#pragma GCC unroll 8
            for (size_t j = 0; j < U; j++)
                grd[j] += u[j] * r;
            for (size_t j = 0; j < nf; j++)
                A[cf[j] * K + U + 1] += 1 * r;
            if (mode & PASS_OLDW)
                continue;
        }
        double eta = mode & PASS_START ? start_eta(fam, y[i], pw[i]) : xb, wi, zi;
        if (!row_fit(fam, mode, y[i], pw[i], eta, &dev, &hit, &wi, &zi))
            continue;
        w->wt[i] = wi;
        w->z[i] = zi;
#pragma GCC unroll 8
        for (size_t j = 0; j < U; j++) {
            double xw = u[j] * wi;
#pragma GCC unroll 8
            for (size_t k = j; k < U; k++)
                D[j * U + k] += xw * u[k];
            gd[j] += xw * zi;
        }
        for (size_t j = 0; j < nf; j++) {
            double *Ar = A + cf[j] * K;
#pragma GCC unroll 8
            for (size_t k = 0; k < U; k++)
                Ar[k] += wi * u[k];
            Ar[U] += wi * zi;
            double *Sr = S + cf[j] * P;
            for (size_t k = j + 1; k < nf; k++)
                Sr[cf[k]] += wi * 1;
        }
    }
    dev_hit[0] = dev;
    dev_hit[1] = hit;
}

/* pass_rows in the fast form (irls_work's fast), by fast_rows; at the end
 * the sums are put in place.  Each entry of X'WX, X'Wz and X'W(z - X
 * beta) is the sum of the same products in the same order as pass_rows
 * makes it, so the same to the bit, without gathering a row's entries
 * and adding them one by one to the (p + 1) x (p + 1) sums. */
static void *pass_fast(void *arg)
{
    const pass_arg *a = arg;
    irls_work *w = a->w;
    const ss_model_matrix *mm = w->mm;
    const size_t p = w->p, P = p + 1, U = w->nd + 1, K = U + 2, nb = mm->nblock;
    const int icpt = mm->intercept;
    double *S = a->acc, *g = S + P * P, *gr = g + P, dh[2];
    double *D = a->facc, *gd = D + U * U, *grd = gd + U, *A = grd + U;
    memset(a->acc, 0, PART_SIZE(p) * sizeof *a->acc);
    memset(a->facc, 0, FPART_SIZE(p, U) * sizeof *a->facc);
    switch (U) {
#define FAST_CASE(N)                                                                           \
    case N: {                                                                                  \
        double d_[N * N] = {0}, g_[N] = {0}, r_[N] = {0};                                      \
        fast_rows(a, N, d_, g_, r_, dh);                                                       \
        memcpy(D, d_, sizeof d_);                                                              \
        memcpy(gd, g_, sizeof g_);                                                             \
        memcpy(grd, r_, sizeof r_);                                                            \
        break;                                                                                 \
    }
        FAST_CASE(1)
        FAST_CASE(2)
        FAST_CASE(3)
        FAST_CASE(4)
        FAST_CASE(5)
        FAST_CASE(6)
        FAST_CASE(7)
        FAST_CASE(8)
#undef FAST_CASE
    default:
        fast_rows(a, U, D, gd, grd, dh);
    }
    /* the sums in place: X'WX's upper triangle (a pair of columns in
     * column order), X'Wz, X'W(z - X beta) */
    size_t dcol[256];
    for (size_t k = 0, jd = 0; k < nb; k++)
        if (mm->block[k].val)
            dcol[jd++] = mm->block[k].first;
    for (size_t j = icpt ? 0 : 1; j < U; j++) {
        size_t cj = j ? dcol[j - 1] : 0;
        for (size_t k = j; k < U; k++)
            S[cj * P + (k ? dcol[k - 1] : 0)] += D[j * U + k];
        g[cj] += gd[j];
        gr[cj] += grd[j];
    }
    for (size_t k = 0; k < nb; k++) {
        const ss_model_block *bl = &mm->block[k];
        if (bl->val)
            continue;
        for (size_t c = bl->first; c < bl->first + bl->ncol && c < p; c++) {
            const double *Ar = A + c * K;
            S[c * P + c] += Ar[0];
            if (icpt)
                S[c] += Ar[0];
            for (size_t j = 1; j < U; j++) {
                size_t cj = dcol[j - 1];
                S[(c < cj ? c : cj) * P + (c < cj ? cj : c)] += Ar[j];
            }
            g[c] += Ar[U];
            gr[c] += Ar[U + 1];
        }
    }
    gr[P] = dh[0];
    gr[P + 1] = dh[1];
    return NULL;
}

/* One pass over the rows, in two halves (the second on a thread of its
 * own when there are enough rows), their sums added in order: w->S,
 * w->gsum (PASS_WEIGHTS), w->gref (PASS_REFINE, PASS_OLDW), w->hit
 * (PASS_START, PASS_PREDICT); returns the deviance. */
static double run_pass(irls_work *w, int mode, const double *beta)
{
    const size_t m = w->m, p = w->p, half = m / 2, P = p + 1;
    pass_arg a[2] = {{w, mode, beta, 0, half, w->part[0], w->fpart[0]},
                     {w, mode, beta, half, m, w->part[1], w->fpart[1]}};
    void *(*pass)(void *) = w->fast ? pass_fast : pass_rows;
    for (size_t u = 0; u < p; u++) {
        w->bp[u] = beta ? beta[u] : 0;
        w->obp[u] = w->wbeta[u];
    }
    w->bp[p] = w->obp[p] = 0;
    pthread_t tid;
    int two = m >= PASS_THREAD_MIN && ss_thread_count() > 1 &&
              pthread_create(&tid, NULL, pass, &a[1]) == 0;
    pass(&a[0]);
    if (two)
        pthread_join(tid, NULL);
    else
        pass(&a[1]);
    const double *x = w->part[0], *y = w->part[1];
    if (mode & PASS_WEIGHTS) {
        for (size_t u = 0; u < p; u++)
            for (size_t v = u; v < p; v++)
                w->S[u * p + v] = x[u * P + v] + y[u * P + v];
        for (size_t u = 0; u < p; u++)
            w->gsum[u] = x[P * P + u] + y[P * P + u];
    }
    for (size_t u = 0; u < p; u++)
        w->gref[u] = x[P * P + P + u] + y[P * P + P + u];
    if (mode & (PASS_START | PASS_PREDICT))
        w->hit = x[P * P + 2 * P + 1] != 0 || y[P * P + 2 * P + 1] != 0;
    return x[P * P + 2 * P] + y[P * P + 2 * P];
}

/* Factors the scaled X'WX of w->S (into w->L, w->scale) and solves it for
 * X'Wz (w->gsum): beta.  Returns 0, or -1 with *bad the first collinear
 * column. */
static int wls(irls_work *w, double *beta, size_t *bad)
{
    const size_t p = w->p;
    const double *S = w->S;
    for (size_t u = 0; u < p; u++) {
        if (!(S[u * p + u] > 0)) {
            *bad = u;
            return -1;
        }
        w->scale[u] = 1 / sqrt(S[u * p + u]);
    }
    for (size_t u = 0; u < p; u++)
        for (size_t v = u; v < p; v++) {
            double e = S[u * p + v] * w->scale[u] * w->scale[v];
            gsl_matrix_set(w->L, u, v, e);
            gsl_matrix_set(w->L, v, u, e);
        }
    int chol = gsl_linalg_cholesky_decomp1(w->L);
    for (size_t u = 0; u < p; u++)
        if (chol != GSL_SUCCESS || !(gsl_matrix_get(w->L, u, u) > SS_MODEL_RANK_TOL)) {
            for (size_t a = 0; a < p; a++) /* the scaled matrix again */
                for (size_t b = a; b < p; b++) {
                    double e = S[a * p + b] * w->scale[a] * w->scale[b];
                    gsl_matrix_set(w->L, a, b, e);
                    gsl_matrix_set(w->L, b, a, e);
                }
            *bad = first_dependent(w->L);
            return -1;
        }
    for (size_t u = 0; u < p; u++)
        gsl_vector_set(w->g, u, w->gsum[u] * w->scale[u]);
    if (gsl_linalg_cholesky_svx(w->L, w->g) != GSL_SUCCESS) {
        *bad = 0;
        return -1;
    }
    for (size_t u = 0; u < p; u++)
        beta[u] = gsl_vector_get(w->g, u) * w->scale[u];
    return 0;
}

/* beta += the solution of the last step's X'WX for w->gref (a refinement
 * on the residuals).  Returns whether it moved the scaled solution by
 * more than 1e-10 of its size. */
static int refine(irls_work *w, double *beta)
{
    const size_t p = w->p;
    for (size_t u = 0; u < p; u++)
        gsl_vector_set(w->g, u, w->gref[u] * w->scale[u]);
    if (gsl_linalg_cholesky_svx(w->L, w->g) != GSL_SUCCESS)
        return 0;
    double moved = 0, size = 0;
    for (size_t u = 0; u < p; u++) {
        double d = gsl_vector_get(w->g, u);
        beta[u] += d * w->scale[u];
        moved = fmax(moved, fabs(d));
        size = fmax(size, fabs(beta[u] / w->scale[u]));
    }
    return moved > 1e-10 * size;
}

enum { IRLS_OK, IRLS_SINGULAR, IRLS_NOCONV, IRLS_BADSTEP };

/* glm.fit of mm's y on its matrix with prior weights pw: start NULL uses
 * the family's starting values.  beta gets the coefficients.  Each step
 * solves the normal equations; one pass over the rows then takes, at that
 * solution, the deviance, the next step's working weights and X'WX, and
 * the residuals that refine the solution.  The steps go on from the
 * solution as solved (its refinement is some 1e-13 of it, and an IRLS
 * step, Newton's for these canonical links, forgets an error in the
 * point it starts from); the last solution is the refined one, refined
 * again while refinements move it (passes that make the last step's
 * working weights again).
 *
 * On IRLS_OK w->L and w->scale hold the factor of the last step's X'WX,
 * w->wbeta (or w->wstart) where its working weights come from, w->hit
 * whether a fitted probability is 0 or 1.  On IRLS_SINGULAR *bad is the
 * first column found collinear with those before it. */
static int irls(irls_work *w, const double *pw, const ss_model_control *ctl, const double *start,
                double *beta, int *iter, size_t *bad)
{
    const size_t p = w->p;
    double *bt = w->btilde; /* the coefficients in the centred basis */
    int st = IRLS_NOCONV;
    w->pw = pw;
    if (start)
        to_centred(w, start, w->coefold, 1);
    double devold = start ? run_pass(w, PASS_PREDICT | PASS_WEIGHTS, w->coefold)
                          : run_pass(w, PASS_START | PASS_WEIGHTS, NULL);
    int have_old = start != NULL;
    for (int it = 1; it <= ctl->max_iter; it++) {
        *iter = it;
        /* the working weights of this step: from coefold, or the start */
        w->wstart = !have_old;
        memcpy(w->wbeta, w->coefold, p * sizeof *w->wbeta);
        if (wls(w, bt, bad) != 0)
            return IRLS_SINGULAR;
        double dev = run_pass(w, PASS_PREDICT | PASS_WEIGHTS | PASS_REFINE, bt);
        int halved = 0;
        /* step halving while the deviance is not finite (glm.fit) */
        while (!isfinite(dev)) {
            if (!have_old || halved >= ctl->max_iter)
                return IRLS_BADSTEP;
            halved++;
            for (size_t u = 0; u < p; u++)
                bt[u] = (bt[u] + w->coefold[u]) / 2;
            dev = run_pass(w, PASS_PREDICT, bt);
        }
        if (halved)
            run_pass(w, PASS_PREDICT | PASS_WEIGHTS, bt);
        if (fabs(dev - devold) / (fabs(dev) + 0.1) < ctl->epsilon) {
            /* the last solution refined (a halved step is no solution) */
            for (int k = 0; !halved && k < 4 && refine(w, bt); k++)
                run_pass(w, PASS_OLDW, bt);
            st = IRLS_OK;
            break;
        }
        devold = dev;
        memcpy(w->coefold, bt, p * sizeof *bt);
        have_old = 1;
    }
    to_centred(w, bt, beta, -1);
    return st;
}

static int fit_error(int status, const ss_model_matrix *mm, const ss_model_control *ctl,
                     size_t bad, ss_error *err)
{
    if (status == IRLS_SINGULAR)
        return ss_error_tag(err,
                            ss_error_set(err, SS_EDATA, NULL, 0,
                                         "term '%s': its column is collinear with the terms"
                                         " before it (singular design matrix): drop it or"
                                         " merge levels",
                                         mm->name[bad]),
                            SS_WHY_COLLINEAR, mm->name[bad]);
    if (status == IRLS_BADSTEP)
        return ss_error_set(err, SS_EDATA, NULL, 0,
                            "the fit diverged (deviance not finite): check the outcome and"
                            " the terms");
    return ss_error_set(err, SS_EDATA, NULL, 0,
                        "the fit did not converge in %d iterations (--max-iter)", ctl->max_iter);
}

/* Binomial: fitted probabilities 0 or 1 (R's warning) mean separation: the
 * coefficient that diverges is named, the one largest against its
 * column's spread. */
static int separation(const ss_model_matrix *mm, const double *beta, int hit, ss_error *err)
{
    size_t m = mm->m, p = mm->p, at = 0;
    if (!hit)
        return SS_OK;
    /* each column's range: its nonzeros, and 0 when a row has none there */
    double *lo = malloc(p * sizeof *lo), *hi = malloc(p * sizeof *hi);
    size_t *cnt = calloc(p, sizeof *cnt);
    if (!lo || !hi || !cnt) {
        free(lo);
        free(hi);
        free(cnt);
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    }
    for (size_t u = 0; u < p; u++) {
        lo[u] = INFINITY;
        hi[u] = -INFINITY;
    }
    int32_t col[1 + 256];
    double val[1 + 256];
    for (size_t i = 0; i < m; i++) {
        size_t nz = ss_model_matrix_nz(mm, i, col, val);
        for (size_t j = 0; j < nz; j++) {
            lo[col[j]] = fmin(lo[col[j]], val[j]);
            hi[col[j]] = fmax(hi[col[j]], val[j]);
            cnt[col[j]]++;
        }
    }
    double best = -1;
    for (size_t u = 0; u < p; u++) {
        if (strcmp(mm->name[u], "(Intercept)") == 0)
            continue;
        if (cnt[u] < m) {
            lo[u] = fmin(lo[u], 0);
            hi[u] = fmax(hi[u], 0);
        }
        double s = fabs(beta[u]) * (hi[u] - lo[u]);
        if (s > best) {
            best = s;
            at = u;
        }
    }
    free(lo);
    free(hi);
    free(cnt);
    return ss_error_set(err, SS_EDATA, NULL, 0,
                        "term '%s': separation: fitted probabilities 0 or 1 and a diverging"
                        " coefficient (%.6g): the term predicts the outcome perfectly for"
                        " some rows; drop it or merge levels",
                        mm->name[at], beta[at]);
}

static int check_outcome(const ss_model_matrix *mm, ss_model_family fam, const char *const name,
                         ss_error *err)
{
    if (mm->m == 0)
        return ss_error_set(err, SS_EDATA, NULL, 0,
                            "no rows answer the outcome and every term of the model");
    if (mm->m <= mm->p)
        return ss_error_set(err, SS_EDATA, NULL, 0,
                            "%zu rows answer the outcome and every term: too few for %zu"
                            " coefficients",
                            mm->m, mm->p);
    int constant = 1;
    for (size_t i = 0; i < mm->m; i++) {
        double y = mm->y[i];
        constant &= y == mm->y[0];
        if (fam == SS_MODEL_BINOMIAL && !(y >= 0 && y <= 1))
            return ss_error_set(err, SS_EDATA, NULL, 0,
                                "outcome '%s': value %.17g outside 0..1 for the binomial"
                                " family (code it 0/1)",
                                name, y);
        if (fam == SS_MODEL_POISSON && !(y >= 0))
            return ss_error_set(err, SS_EDATA, NULL, 0,
                                "outcome '%s': negative value %.17g for the poisson family",
                                name, y);
    }
    if (constant)
        return ss_error_set(err, SS_EDATA, NULL, 0,
                            "outcome '%s' is constant (%.17g in every row used): nothing to"
                            " model",
                            name, mm->y[0]);
    return SS_OK;
}

/* The estimating-equation scores of rows [from, to) into z (row-major, p
 * a row): x_i w_i (y_i - mu_i) / mu.eta_i with the working weights of the
 * last step (made again from w->wbeta) and mu at beta, without A (the
 * variance of the totals of u A is A V A, A symmetric: the design's
 * variance is linear in the scores, column by column). */
static void glm_scores(const irls_work *w, size_t from, size_t to, double *z)
{
    const size_t p = w->p;
    const ss_model_family fam = w->fam;
    const int gauss = fam == SS_MODEL_GAUSSIAN;
    size_t col[1 + 256];
    const double *b = w->bp, *ob = w->obp;
    double val[1 + 256];
    memset(z, 0, (to - from) * p * sizeof *z);
    for (size_t i = from; i < to; i++) {
        const double y = w->y[i], pw = w->pw[i];
        size_t nz = row_entries(w->mm, w->shift, i, col, val);
        double eo = 0, eta = 0, wo, zo;
        if (w->wstart)
            eo = start_eta(fam, y, pw);
        else
            for (size_t j = 0; j < nz; j++)
                eo += val[j] * ob[col[j]];
        for (size_t j = 0; j < nz; j++)
            eta += val[j] * b[col[j]];
        double ex = gauss ? 0 : exp(eta);
        working_at(fam, y, pw, eo, &wo, &zo);
        double s = wo * (y - linkinv_exp(fam, eta, ex)) / mu_eta_exp(fam, eta, ex);
        double *zi = z + (i - from) * p;
        for (size_t j = 0; j < nz; j++)
            if (col[j] < p)
                zi[col[j]] = val[j] * s;
    }
}

/* Rows of scores made at a time when the design takes them in pieces. */
#define SCORE_CHUNK 65536

/* w->bp and w->obp for glm_scores: the last coefficients and those of the
 * last step's working weights, 0 in the spare column. */
static void scores_begin(irls_work *w)
{
    for (size_t u = 0; u < w->p; u++) {
        w->bp[u] = w->btilde[u];
        w->obp[u] = w->wbeta[u];
    }
    w->bp[w->p] = w->obp[w->p] = 0;
}

typedef struct score_arg {
    const irls_work *w;
    size_t from, to;
    double *z;
} score_arg;

static void *score_rows(void *arg)
{
    const score_arg *a = arg;
    glm_scores(a->w, a->from, a->to, a->z);
    return NULL;
}

/* The sandwich of R's svy.varcoef from the last IRLS step of w: A V A,
 * A = (X'WX)^-1 and V the design variance of the totals of the scores. */
static int taylor_vcov(const ss_design *d, const ss_model_matrix *mm, irls_work *w, double *V,
                       double *df, ss_error *err)
{
    const size_t m = mm->m, p = mm->p;
    /* without calibrations the design takes the scores chunk by chunk
     * (ss_design_vcov_add, the same sums in the same order) */
    const int chunked = d->ncal == 0 && m > SCORE_CHUNK;
    gsl_matrix *Ainv = gsl_matrix_calloc(p, p);
    double *A = malloc(p * p * sizeof *A), *Vu = malloc(p * p * sizeof *Vu);
    double *z = ss_mem_array(NULL, chunked ? SCORE_CHUNK : m ? m : 1, "rows", p, NULL, sizeof *z);
    ss_design_work *dw = ss_design_work_alloc(d, p);
    int rc = SS_OK;
    if (!Ainv || !A || !Vu || !z || !dw) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory%s", ss_mem_failure());
        goto done;
    }
    /* (X'WX)^-1 = D (L L')^-1 D */
    gsl_matrix_memcpy(Ainv, w->L);
    if (gsl_linalg_cholesky_invert(Ainv) != GSL_SUCCESS) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "singular design matrix");
        goto done;
    }
    for (size_t u = 0; u < p; u++)
        for (size_t v = 0; v < p; v++)
            A[u * p + v] = gsl_matrix_get(Ainv, u, v) * w->scale[u] * w->scale[v];
    scores_begin(w);
    if (chunked) {
        /* a chunk at a time, its second half on a thread of its own,
         * given to the design in order */
        const int threads = ss_thread_count();
        for (size_t from = 0; from < m; from += SCORE_CHUNK) {
            size_t to = from + SCORE_CHUNK < m ? from + SCORE_CHUNK : m;
            size_t mid = from + (to - from) / 2;
            score_arg second = {w, mid, to, z + (mid - from) * p};
            pthread_t tid;
            int two = threads > 1 && pthread_create(&tid, NULL, score_rows, &second) == 0;
            glm_scores(w, from, mid, z);
            if (two)
                pthread_join(tid, NULL);
            else
                score_rows(&second);
            ss_design_vcov_add(d, dw, mm->rows + from, z, to - from, p);
        }
        rc = ss_design_vcov_end(d, dw, p, Vu, err);
    } else {
        glm_scores(w, 0, m, z);
        rc = ss_design_vcov(d, dw, mm->rows, z, m, p, Vu, err);
    }
    if (rc != SS_OK)
        goto done;
    /* V = A Vu A: Vu A first, then A (Vu A) */
    for (size_t u = 0; u < p; u++)
        for (size_t v = 0; v < p; v++) {
            double s = 0;
            for (size_t k = 0; k < p; k++)
                s += Vu[u * p + k] * A[k * p + v];
            Ainv->data[u * Ainv->tda + v] = s;
        }
    for (size_t u = 0; u < p; u++)
        for (size_t v = 0; v < p; v++) {
            double s = 0;
            for (size_t k = 0; k < p; k++)
                s += A[u * p + k] * Ainv->data[k * Ainv->tda + v];
            V[u * p + v] = s;
        }
    vcov_original(w, V);
    /* symmetric to the bit, as R's crossprod-made matrix */
    for (size_t u = 0; u < p; u++)
        for (size_t v = 0; v < u; v++)
            V[u * p + v] = V[v * p + u] = (V[u * p + v] + V[v * p + u]) / 2;
    *df = ss_design_domain_df(d, dw, mm->rows, m) + 1 - (double)p;
done:
    gsl_matrix_free(Ainv);
    free(A);
    free(Vu);
    free(z);
    ss_design_work_free(dw);
    return rc;
}

/* The degf of a replicate design, or under --subset (mm->mask) of the
 * subset design, as R's svyglm and svyolr on subset(design, EXPR). */
static double rep_degf(const ss_design *d, const ss_model_matrix *mm)
{
    return mm->mask ? ss_replicates_mask_df(d->rep, d->w, mm->mask, d->n, d->df) : d->df;
}

/* svyglm.svyrep.design: refits with each replicate's weights. */
static int replicate_vcov(const ss_design *d, const ss_model_matrix *mm,
                          const ss_model_control *ctl, const double *beta0, irls_work *w,
                          double *V, double *df, ss_error *err)
{
    const ss_replicates *r = d->rep;
    const size_t m = mm->m, p = mm->p, R = r->nrep;
    double *betas = malloc((R ? R : 1) * p * sizeof *betas);
    double *wk = ss_mem_array(NULL, m ? m : 1, "rows", 1, NULL, sizeof *wk);
    if (!betas || !wk) {
        free(betas);
        free(wk);
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory%s", ss_mem_failure());
    }
    for (size_t k = 0; k < R; k++) {
        double sum = 0;
        for (size_t i = 0; i < m; i++) {
            wk[i] = ss_replicates_weight(r, d->w, k, mm->rows[i]);
            sum += wk[i];
        }
        for (size_t i = 0; i < m; i++)
            wk[i] /= sum;
        int iter;
        size_t bad;
        double *bk = betas + k * p;
        int st = sum > 0 ? irls(w, wk, ctl, beta0, bk, &iter, &bad) : IRLS_SINGULAR;
        /* glm.fit keeps the last iterate when it does not converge; a
         * singular replicate gets NA coefficients, which svrVar drops */
        if (st == IRLS_SINGULAR || st == IRLS_BADSTEP)
            for (size_t u = 0; u < p; u++)
                bk[u] = NAN;
    }
    ss_repfit_vcov(r, betas, p, beta0, V);
    *df = rep_degf(d, mm) + 1 - (double)p;
    free(betas);
    free(wk);
    return SS_OK;
}

int ss_model_glm(const ss_design *d, const ss_model_matrix *mm, ss_model_family fam,
                 const ss_model_control *ctl, ss_model_fit *fit, ss_error *err)
{
    memset(fit, 0, sizeof *fit);
    const size_t m = mm->m, p = mm->p;
    int rc = check_outcome(mm, fam, mm->response, err);
    if (rc != SS_OK)
        return rc;
    fit->p = p;
    fit->beta = malloc(p * sizeof *fit->beta);
    fit->V = malloc(p * p * sizeof *fit->V);
    double *pw = ss_mem_array(NULL, m ? m : 1, "rows", 1, NULL, sizeof *pw);
    irls_work w;
    int have_w = 0;
    if (!fit->beta || !fit->V || !pw || irls_alloc(&w, mm, fam) != 0) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory%s", ss_mem_failure());
        goto done;
    }
    have_w = 1;
    /* svyglm's prior weights: 1/prob over their mean on the design's rows
     * (the starting values of a logistic fit depend on it, and so, by a
     * hair, does where R's IRLS stops).  R's subset(design) drops the rows
     * outside, or of a calibrated or PPS design keeps them at weight 0. */
    double sw = 0;
    size_t nd = 0;
    for (size_t i = 0; i < d->n; i++)
        if (!mm->mask || mm->mask[i]) {
            sw += d->w[i];
            nd++;
        }
    double mean = sw / (double)(mm->mask ? ss_design_glm_rows(d, nd) : d->n);
    for (size_t i = 0; i < m; i++)
        pw[i] = d->w[mm->rows[i]] / mean;
    size_t bad = 0;
    int st = irls(&w, pw, ctl, NULL, fit->beta, &fit->iter, &bad);
    if (st == IRLS_SINGULAR || st == IRLS_BADSTEP) {
        rc = fit_error(st, mm, ctl, bad, err);
        goto done;
    }
    if (fam == SS_MODEL_BINOMIAL && (rc = separation(mm, fit->beta, w.hit, err)) != SS_OK)
        goto done;
    if (st == IRLS_NOCONV) {
        rc = fit_error(st, mm, ctl, bad, err);
        goto done;
    }
    rc = d->rep ? replicate_vcov(d, mm, ctl, fit->beta, &w, fit->V, &fit->df, err)
                : taylor_vcov(d, mm, &w, fit->V, &fit->df, err);
done:
    if (have_w)
        irls_free(&w);
    free(pw);
    if (rc != SS_OK)
        ss_model_fit_free(fit);
    return rc;
}

void ss_model_fit_free(ss_model_fit *fit)
{
    if (!fit)
        return;
    free(fit->beta);
    free(fit->V);
    for (size_t k = 0; fit->thr_name && k < fit->nthr; k++)
        free(fit->thr_name[k]);
    free(fit->thr_name);
    fit->beta = fit->V = NULL;
    fit->thr_name = NULL;
    fit->nthr = 0;
}

/* ---- the proportional-odds model (svyolr) ---- */

typedef struct olr {
    const double *X;   /* m x stride, the fitted columns from skip */
    size_t m, stride, skip, pc, q, P;
    const int *y;      /* 1 .. q + 1 */
    double *u, *v, *g; /* P each */
} olr;

static double plogis_(double t)
{
    return 1 / (1 + exp(-t));
}

/* Row i's log-likelihood; with grad (P) the gradient of it, and with hess
 * (P x P) its Hessian, both added times wt.  Returns -INFINITY when the
 * row's probability is not positive. */
static double olr_row(const olr *o, size_t i, const double *theta, double wt, double *grad,
                      double *hess)
{
    const size_t pc = o->pc, q = o->q, P = o->P;
    const double *x = o->X + i * o->stride + o->skip;
    const int y = o->y[i];
    double eta = 0;
    for (size_t u = 0; u < pc; u++)
        eta += x[u] * theta[u];
    double Fa = 1, fa = 0, dfa = 0, Fb = 0, fb = 0, dfb = 0;
    if (y <= (int)q) {
        Fa = plogis_(theta[pc + (size_t)y - 1] - eta);
        fa = Fa * (1 - Fa);
        dfa = fa * (1 - 2 * Fa);
    }
    if (y > 1) {
        Fb = plogis_(theta[pc + (size_t)y - 2] - eta);
        fb = Fb * (1 - Fb);
        dfb = fb * (1 - 2 * Fb);
    }
    double pr = Fa - Fb;
    if (!(pr > 0))
        return -INFINITY;
    if (!grad)
        return log(pr);
    double *uu = o->u, *vv = o->v, *g = o->g;
    for (size_t a = 0; a < P; a++)
        uu[a] = vv[a] = 0;
    for (size_t a = 0; a < pc; a++)
        uu[a] = vv[a] = -x[a];
    if (y <= (int)q)
        uu[pc + (size_t)y - 1] = 1;
    if (y > 1)
        vv[pc + (size_t)y - 2] = 1;
    for (size_t a = 0; a < P; a++) {
        g[a] = (fa * uu[a] - fb * vv[a]) / pr;
        grad[a] += wt * g[a];
    }
    if (hess)
        for (size_t a = 0; a < P; a++)
            for (size_t b = 0; b <= a; b++)
                hess[a * P + b] +=
                    wt * ((dfa * uu[a] * uu[b] - dfb * vv[a] * vv[b]) / pr - g[a] * g[b]);
    return log(pr);
}

static double olr_loglik(const olr *o, const double *theta, const double *wt)
{
    double ll = 0;
    for (size_t k = 1; k < o->q; k++)
        if (!(theta[o->pc + k] > theta[o->pc + k - 1]))
            return -INFINITY;
    for (size_t i = 0; i < o->m; i++)
        if (wt[i] != 0) {
            double l = olr_row(o, i, theta, 1, NULL, NULL);
            if (l == -INFINITY)
                return -INFINITY;
            ll += wt[i] * l;
        }
    return ll;
}

enum { OLR_OK, OLR_SINGULAR, OLR_NOCONV };

/* Newton steps from theta (updated in place) on the weights wt.  On
 * OLR_OK, Hinv (P x P) holds the inverse of minus the Hessian at theta. */
static int olr_newton(const olr *o, const double *wt, const ss_model_control *ctl,
                      double *theta, double *Hinv, size_t *bad)
{
    const size_t P = o->P;
    double *grad = malloc(P * sizeof *grad), *H = malloc(P * P * sizeof *H);
    double *scale = malloc(P * sizeof *scale), *next = malloc(P * sizeof *next);
    gsl_matrix *L = gsl_matrix_alloc(P, P);
    gsl_vector *step = gsl_vector_alloc(P);
    int st = OLR_NOCONV;
    if (!grad || !H || !scale || !next || !L || !step) {
        st = -1;
        goto done;
    }
    double ll = olr_loglik(o, theta, wt);
    for (int it = 0; it <= ctl->max_iter; it++) {
        memset(grad, 0, P * sizeof *grad);
        memset(H, 0, P * P * sizeof *H);
        for (size_t i = 0; i < o->m; i++)
            if (wt[i] != 0)
                olr_row(o, i, theta, wt[i], grad, H);
        /* minus the Hessian, scaled to unit diagonal, by Cholesky */
        for (size_t a = 0; a < P; a++) {
            double h = -H[a * P + a];
            if (!(h > 0)) {
                *bad = a;
                st = OLR_SINGULAR;
                goto done;
            }
            scale[a] = 1 / sqrt(h);
        }
        for (size_t a = 0; a < P; a++)
            for (size_t b = 0; b <= a; b++) {
                double e = -H[a * P + b] * scale[a] * scale[b];
                gsl_matrix_set(L, a, b, e);
                gsl_matrix_set(L, b, a, e);
            }
        int chol = gsl_linalg_cholesky_decomp1(L);
        for (size_t a = 0; a < P; a++)
            if (chol != GSL_SUCCESS || !(gsl_matrix_get(L, a, a) > SS_MODEL_RANK_TOL)) {
                for (size_t c = 0; c < P; c++) /* the scaled matrix again */
                    for (size_t b = 0; b <= c; b++) {
                        double e = -H[c * P + b] * scale[c] * scale[b];
                        gsl_matrix_set(L, c, b, e);
                        gsl_matrix_set(L, b, c, e);
                    }
                *bad = first_dependent(L);
                st = OLR_SINGULAR;
                goto done;
            }
        for (size_t a = 0; a < P; a++)
            gsl_vector_set(step, a, grad[a] * scale[a]);
        if (gsl_linalg_cholesky_svx(L, step) != GSL_SUCCESS) {
            *bad = 0;
            st = OLR_SINGULAR;
            goto done;
        }
        int small = 1;
        for (size_t a = 0; a < P; a++) {
            double sa = gsl_vector_get(step, a) * scale[a];
            gsl_vector_set(step, a, sa);
            small &= fabs(sa) <= 1e-10 * (1 + fabs(theta[a]));
        }
        if (small) {
            /* converged: the inverse of minus the Hessian at theta */
            gsl_linalg_cholesky_invert(L);
            for (size_t a = 0; a < P; a++)
                for (size_t b = 0; b < P; b++)
                    Hinv[a * P + b] = gsl_matrix_get(L, a, b) * scale[a] * scale[b];
            st = OLR_OK;
            goto done;
        }
        if (it == ctl->max_iter)
            break;
        /* the step, halved while the likelihood does not increase */
        double t = 1, lln = -INFINITY;
        for (int half = 0; half < 60; half++, t /= 2) {
            for (size_t a = 0; a < P; a++)
                next[a] = theta[a] + t * gsl_vector_get(step, a);
            lln = olr_loglik(o, next, wt);
            if (lln >= ll - 1e-12 * fabs(ll))
                break;
        }
        if (lln == -INFINITY)
            break;
        memcpy(theta, next, P * sizeof *theta);
        ll = lln;
    }
done:
    free(grad);
    free(H);
    free(scale);
    free(next);
    gsl_matrix_free(L);
    gsl_vector_free(step);
    return st;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* mm's matrix as m x p numbers, row-major (malloc'd; NULL when out of
 * memory). */
static double *dense_matrix(const ss_model_matrix *mm)
{
    double *X = ss_mem_array(NULL, mm->m ? mm->m : 1, "rows", mm->p ? mm->p : 1, NULL, sizeof *X);
    for (size_t i = 0; X && i < mm->m; i++)
        ss_model_matrix_row(mm, i, X + i * mm->p);
    return X;
}

int ss_model_olr(const ss_design *d, const ss_model_matrix *mm, const ss_model_control *ctl,
                 ss_model_fit *fit, ss_error *err)
{
    memset(fit, 0, sizeof *fit);
    const size_t m = mm->m;
    size_t skip = mm->p > 0 && strcmp(mm->name[0], "(Intercept)") == 0 ? 1 : 0;
    const size_t pc = mm->p - skip;
    double *lev = malloc((m ? m : 1) * sizeof *lev);
    int *y = malloc((m ? m : 1) * sizeof *y);
    double *wt = malloc((m ? m : 1) * sizeof *wt);
    double *z = NULL, *Hinv = NULL, *betas = NULL, *theta0 = NULL, *X = dense_matrix(mm);
    olr o = {0};
    int rc = SS_OK;
    if (!lev || !y || !wt || !X) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        goto done;
    }
    if (m == 0) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0,
                          "no rows answer the outcome and every term of the model");
        goto done;
    }
    /* the response's levels, ascending */
    memcpy(lev, mm->y, m * sizeof *lev);
    qsort(lev, m, sizeof *lev, cmp_double);
    size_t L = 0;
    for (size_t i = 0; i < m; i++)
        if (L == 0 || lev[i] != lev[L - 1])
            lev[L++] = lev[i];
    if (L < 3) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0,
                          "outcome '%s' has %zu value%s among the rows used: an ordinal model"
                          " needs 3 or more",
                          mm->response, L, L == 1 ? "" : "s");
        goto done;
    }
    const size_t q = L - 1, P = pc + q;
    if (m <= P) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0,
                          "%zu rows answer the outcome and every term: too few for %zu"
                          " coefficients",
                          m, P);
        goto done;
    }
    for (size_t i = 0; i < m; i++) {
        double *at = bsearch(&mm->y[i], lev, L, sizeof *lev, cmp_double);
        y[i] = (int)(at - lev) + 1;
    }
    double sw = 0;
    for (size_t i = 0; i < m; i++)
        sw += d->w[mm->rows[i]];
    for (size_t i = 0; i < m; i++)
        wt[i] = d->w[mm->rows[i]] / (sw / (double)m);
    fit->p = P;
    fit->skip = skip;
    fit->nthr = q;
    fit->beta = calloc(P, sizeof *fit->beta);
    fit->V = malloc(P * P * sizeof *fit->V);
    fit->thr_name = calloc(q, sizeof *fit->thr_name);
    Hinv = malloc(P * P * sizeof *Hinv);
    o = (olr){X, m, mm->p, skip, pc, q, P, y, malloc(P * sizeof(double)),
              malloc(P * sizeof(double)), malloc(P * sizeof(double))};
    if (!fit->beta || !fit->V || !fit->thr_name || !Hinv || !o.u || !o.v || !o.g) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < q; k++) {
        char name[80];
        snprintf(name, sizeof name, "%.15g|%.15g", lev[k], lev[k + 1]);
        if (!(fit->thr_name[k] = strdup(name))) {
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
            goto done;
        }
    }
    /* start: no slopes, thresholds at the logits of the cumulative shares */
    double cum = 0;
    for (size_t k = 0; k < q; k++) {
        for (size_t i = 0; i < m; i++)
            cum += y[i] == (int)k + 1 ? wt[i] : 0;
        double pk = cum / (double)m;
        fit->beta[pc + k] = log(pk / (1 - pk));
    }
    size_t bad = 0;
    int st = olr_newton(&o, wt, ctl, fit->beta, Hinv, &bad);
    if (st < 0) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        goto done;
    }
    if (st == OLR_SINGULAR) {
        const char *term = bad < pc ? mm->name[bad + skip] : fit->thr_name[bad - pc];
        rc = ss_error_tag(err,
                          ss_error_set(err, SS_EDATA, NULL, 0,
                                       "term '%s': its column is collinear with the terms"
                                       " before it (singular design matrix): drop it or merge"
                                       " levels",
                                       term),
                          SS_WHY_COLLINEAR, term);
        goto done;
    }
    if (st == OLR_NOCONV) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0,
                          "the ordinal fit did not converge in %d iterations (--max-iter):"
                          " a term may separate the answers",
                          ctl->max_iter);
        goto done;
    }
    if (d->rep) {
        const ss_replicates *r = d->rep;
        const size_t R = r->nrep;
        betas = malloc((R ? R : 1) * P * sizeof *betas);
        theta0 = malloc(P * sizeof *theta0);
        if (!betas || !theta0) {
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
            goto done;
        }
        for (size_t k = 0; k < R; k++) {
            for (size_t i = 0; i < m; i++)
                wt[i] = ss_replicates_weight(r, d->w, k, mm->rows[i]) / (sw / (double)m);
            memcpy(betas + k * P, fit->beta, P * sizeof *betas);
            if (olr_newton(&o, wt, ctl, betas + k * P, Hinv, &bad) != OLR_OK)
                for (size_t a = 0; a < P; a++)
                    betas[k * P + a] = NAN;
        }
        ss_repfit_vcov(r, betas, P, fit->beta, fit->V);
        fit->df = rep_degf(d, mm) - (double)pc;
        goto done;
    }
    /* scores: the gradient of each row's weighted log-likelihood times
     * the inverse of minus the Hessian (R's gmini %*% solve(H)) */
    z = malloc(m * P * sizeof *z);
    double *gi = malloc(P * sizeof *gi);
    ss_design_work *dw = ss_design_work_alloc(d, P);
    if (!z || !gi || !dw) {
        free(gi);
        ss_design_work_free(dw);
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < m; i++) {
        memset(gi, 0, P * sizeof *gi);
        olr_row(&o, i, fit->beta, wt[i], gi, NULL);
        for (size_t a = 0; a < P; a++) {
            double acc = 0;
            for (size_t b = 0; b < P; b++)
                acc += Hinv[a * P + b] * gi[b];
            z[i * P + a] = acc;
        }
    }
    rc = ss_design_vcov(d, dw, mm->rows, z, m, P, fit->V, err);
    if (rc == SS_OK)
        fit->df = ss_design_domain_df(d, dw, mm->rows, m) - (double)pc;
    free(gi);
    ss_design_work_free(dw);
done:
    free(X);
    free(lev);
    free(y);
    free(wt);
    free(z);
    free(Hinv);
    free(betas);
    free(theta0);
    free(o.u);
    free(o.v);
    free(o.g);
    if (rc != SS_OK)
        ss_model_fit_free(fit);
    return rc;
}

double ss_model_t_p(double t, double df)
{
    return df > 0 ? 2 * pt(-fabs(t), df, 1, 0) : NAN;
}

int ss_model_wald(const ss_model_fit *fit, const size_t *idx, size_t k, double *F,
                  double *p_value, ss_error *err)
{
    gsl_matrix *A = gsl_matrix_alloc(k, k);
    gsl_vector *b = gsl_vector_alloc(k), *x = gsl_vector_alloc(k);
    gsl_permutation *perm = gsl_permutation_alloc(k);
    int rc = SS_OK, sgn;
    if (!A || !b || !x || !perm) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        goto done;
    }
    for (size_t a = 0; a < k; a++) {
        gsl_vector_set(b, a, fit->beta[idx[a]]);
        for (size_t c = 0; c < k; c++)
            gsl_matrix_set(A, a, c, fit->V[idx[a] * fit->p + idx[c]]);
    }
    /* R's solve(V): LU with partial pivoting */
    if (gsl_linalg_LU_decomp(A, perm, &sgn) != GSL_SUCCESS ||
        gsl_linalg_LU_solve(A, perm, b, x) != GSL_SUCCESS) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0,
                          "the covariance of the tested coefficients is singular: no Wald test");
        goto done;
    }
    double chisq = 0;
    gsl_blas_ddot(b, x, &chisq);
    *F = chisq / (double)k;
    *p_value = fit->df > 0 ? pf(*F, (double)k, fit->df, 0, 0) : NAN;
done:
    gsl_matrix_free(A);
    gsl_vector_free(b);
    gsl_vector_free(x);
    gsl_permutation_free(perm);
    return rc;
}

/* ---- Johnson's relative weights ---- */

typedef struct rw_ctx {
    size_t k;          /* variables: the p items, then y */
    size_t nm;         /* moments: 1 + k + k(k+1)/2 */
    gsl_matrix *R, *V, *L;
    gsl_vector *l;
    gsl_eigen_symmv_workspace *ws;
    double *cov, *beta, *rxy;
} rw_ctx;

static void rw_free(rw_ctx *c)
{
    gsl_matrix_free(c->R);
    gsl_matrix_free(c->V);
    gsl_matrix_free(c->L);
    gsl_vector_free(c->l);
    gsl_eigen_symmv_free(c->ws);
    free(c->cov);
    free(c->beta);
    free(c->rxy);
}

static int rw_alloc(rw_ctx *c, size_t p)
{
    memset(c, 0, sizeof *c);
    c->k = p + 1;
    c->nm = 1 + c->k + c->k * (c->k + 1) / 2;
    c->R = gsl_matrix_alloc(p, p);
    c->V = gsl_matrix_alloc(p, p);
    c->L = gsl_matrix_alloc(p, p);
    c->l = gsl_vector_alloc(p);
    c->ws = gsl_eigen_symmv_alloc(p);
    c->cov = malloc(c->k * c->k * sizeof *c->cov);
    c->beta = malloc(p * sizeof *c->beta);
    c->rxy = malloc(p * sizeof *c->rxy);
    if (!c->R || !c->V || !c->L || !c->l || !c->ws || !c->cov || !c->beta || !c->rxy) {
        rw_free(c);
        return -1;
    }
    return 0;
}

/* The relative weights (p) and R2 from the moment totals T; -1 when the
 * items are collinear or a variance is not positive. */
static int rw_eval(rw_ctx *c, const double *T, double *eps, double *r2)
{
    const size_t k = c->k, p = k - 1;
    const double T0 = T[0];
    const double *Ta = T + 1, *Tab = T + 1 + k;
    for (size_t a = 0, at = 0; a < k; a++)
        for (size_t b = a; b < k; b++, at++) {
            double v = Tab[at] / T0 - (Ta[a] / T0) * (Ta[b] / T0);
            c->cov[a * k + b] = c->cov[b * k + a] = v;
        }
    for (size_t a = 0; a < k; a++)
        if (!(c->cov[a * k + a] > 0))
            return -1;
    for (size_t a = 0; a < p; a++) {
        for (size_t b = 0; b < p; b++)
            gsl_matrix_set(c->R, a, b,
                           c->cov[a * k + b] / sqrt(c->cov[a * k + a] * c->cov[b * k + b]));
        c->rxy[a] = c->cov[a * k + p] / sqrt(c->cov[a * k + a] * c->cov[p * k + p]);
    }
    if (gsl_eigen_symmv(c->R, c->l, c->V, c->ws) != GSL_SUCCESS)
        return -1;
    for (size_t j = 0; j < p; j++)
        if (!(gsl_vector_get(c->l, j) > 1e-12))
            return -1;
    /* L = V diag(sqrt l) V'; beta = V diag(1/sqrt l) V' rxy */
    for (size_t a = 0; a < p; a++)
        for (size_t b = 0; b < p; b++) {
            double s = 0;
            for (size_t j = 0; j < p; j++)
                s += gsl_matrix_get(c->V, a, j) * sqrt(gsl_vector_get(c->l, j)) *
                     gsl_matrix_get(c->V, b, j);
            gsl_matrix_set(c->L, a, b, s);
        }
    for (size_t a = 0; a < p; a++) {
        double s = 0;
        for (size_t j = 0; j < p; j++) {
            double vr = 0;
            for (size_t b = 0; b < p; b++)
                vr += gsl_matrix_get(c->V, b, j) * c->rxy[b];
            s += gsl_matrix_get(c->V, a, j) * vr / sqrt(gsl_vector_get(c->l, j));
        }
        c->beta[a] = s;
    }
    double sum = 0;
    for (size_t a = 0; a < p; a++) {
        double e = 0;
        for (size_t j = 0; j < p; j++) {
            double ljk = gsl_matrix_get(c->L, a, j);
            e += ljk * ljk * c->beta[j] * c->beta[j];
        }
        eps[a] = e;
        sum += e;
    }
    *r2 = sum;
    return 0;
}

/* The variables of row r of mm (items, then y) less their centres; X is
 * mm's matrix (dense_matrix). */
static void rw_vars(const ss_model_matrix *mm, const double *X, size_t r, const double *centre,
                    double *v)
{
    const size_t p = mm->p - 1;
    for (size_t a = 0; a < p; a++)
        v[a] = X[r * mm->p + a + 1] - centre[a];
    v[p] = mm->y[r] - centre[p];
}

/* The moment totals with the weights w (m, one per row of mm). */
static void rw_moments(const rw_ctx *c, const ss_model_matrix *mm, const double *X,
                       const double *w, const double *centre, double *v, double *T)
{
    const size_t k = c->k;
    memset(T, 0, c->nm * sizeof *T);
    for (size_t r = 0; r < mm->m; r++) {
        if (w[r] == 0)
            continue;
        rw_vars(mm, X, r, centre, v);
        T[0] += w[r];
        for (size_t a = 0, at = 1 + k; a < k; a++) {
            T[1 + a] += w[r] * v[a];
            for (size_t b = a; b < k; b++, at++)
                T[at] += w[r] * v[a] * v[b];
        }
    }
}

int ss_model_relweight(const ss_design *d, const ss_model_matrix *mm, double *eps, double *se,
                       double *r2, double *df, ss_error *err)
{
    const size_t m = mm->m;
    if (mm->p < 2 || strcmp(mm->name[0], "(Intercept)") != 0)
        return ss_error_set(err, SS_EDATA, NULL, 0, "relative weights need an intercept and items");
    const size_t p = mm->p - 1;
    rw_ctx c;
    if (rw_alloc(&c, p) != 0)
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    const size_t k = c.k, nm = c.nm;
    double *w = malloc((m ? m : 1) * sizeof *w), *centre = calloc(k, sizeof *centre);
    double *v = malloc(k * sizeof *v), *T = malloc(nm * sizeof *T), *Th = malloc(nm * sizeof *Th);
    double *e1 = malloc(p * sizeof *e1), *e2 = malloc(p * sizeof *e2);
    double *g = malloc(nm * p * sizeof *g), *V = malloc(p * p * sizeof *V);
    double *z = NULL, *thetas = NULL, *X = dense_matrix(mm);
    int rc = SS_OK;
    if (!w || !centre || !v || !T || !Th || !e1 || !e2 || !g || !V || !X) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        goto done;
    }
    double W = 0;
    for (size_t r = 0; r < m; r++) {
        w[r] = d->w[mm->rows[r]];
        W += w[r];
        for (size_t a = 0; a < p; a++)
            centre[a] += w[r] * X[r * mm->p + a + 1];
        centre[p] += w[r] * mm->y[r];
    }
    for (size_t a = 0; a < k; a++)
        centre[a] /= W;
    rw_moments(&c, mm, X, w, centre, v, T);
    if (rw_eval(&c, T, eps, r2) != 0) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0,
                          "the items are collinear (or one is constant): no relative weights");
        goto done;
    }
    if (d->rep) {
        const ss_replicates *rp = d->rep;
        const size_t R = rp->nrep;
        thetas = malloc((R ? R : 1) * p * sizeof *thetas);
        if (!thetas) {
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
            goto done;
        }
        for (size_t kk = 0; kk < R; kk++) {
            for (size_t r = 0; r < m; r++)
                w[r] = ss_replicates_weight(rp, d->w, kk, mm->rows[r]);
            rw_moments(&c, mm, X, w, centre, v, Th);
            double r2k;
            if (rw_eval(&c, Th, thetas + kk * p, &r2k) != 0)
                for (size_t a = 0; a < p; a++)
                    thetas[kk * p + a] = NAN;
        }
        ss_repfit_vcov(rp, thetas, p, eps, V);
        *df = rep_degf(d, mm);
    } else {
        /* the gradient of eps in every moment total, by Richardson */
        const double *Ta = T + 1, *Tab = T + 1 + k;
        for (size_t mi = 0; mi < nm; mi++) {
            double scale;
            if (mi == 0) {
                scale = T[0];
            } else if (mi <= k) {
                size_t a = mi - 1, aa = a * k - a * (a - 1) / 2;
                scale = sqrt(T[0] * Tab[aa]);
                (void)Ta;
            } else {
                size_t at = mi - 1 - k, a = 0;
                while (at >= k - a) {
                    at -= k - a;
                    a++;
                }
                size_t b = a + at;
                size_t aa = a * k - a * (a - 1) / 2, bb = b * k - b * (b - 1) / 2;
                scale = sqrt(Tab[aa] * Tab[bb]);
            }
            double h = 1e-3 * scale, acc[4][64];
            static const double step[4] = {1, -1, 2, -2};
            int bad = p > 64;
            for (int s = 0; s < 4 && !bad; s++) {
                memcpy(Th, T, nm * sizeof *T);
                Th[mi] += step[s] * h;
                double r2h;
                bad = rw_eval(&c, Th, acc[s], &r2h) != 0;
            }
            if (bad) {
                rc = ss_error_set(err, SS_EDATA, NULL, 0,
                                  "the items are nearly collinear: no linearized SEs of the"
                                  " relative weights (use replicate weights)");
                goto done;
            }
            for (size_t a = 0; a < p; a++)
                g[mi * p + a] =
                    (8 * (acc[0][a] - acc[1][a]) - (acc[2][a] - acc[3][a])) / (12 * h);
        }
        z = malloc((m ? m : 1) * p * sizeof *z);
        ss_design_work *dw = ss_design_work_alloc(d, p);
        if (!z || !dw) {
            ss_design_work_free(dw);
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
            goto done;
        }
        for (size_t r = 0; r < m; r++) {
            rw_vars(mm, X, r, centre, v);
            double *zr = z + r * p;
            for (size_t a = 0; a < p; a++)
                zr[a] = g[a]; /* the total of w: u = 1 */
            for (size_t b = 0; b < k; b++)
                for (size_t a = 0; a < p; a++)
                    zr[a] += g[(1 + b) * p + a] * v[b];
            for (size_t b1 = 0, at = 1 + k; b1 < k; b1++)
                for (size_t b2 = b1; b2 < k; b2++, at++) {
                    double u = v[b1] * v[b2];
                    for (size_t a = 0; a < p; a++)
                        zr[a] += g[at * p + a] * u;
                }
            for (size_t a = 0; a < p; a++)
                zr[a] *= d->w[mm->rows[r]];
        }
        rc = ss_design_vcov(d, dw, mm->rows, z, m, p, V, err);
        if (rc == SS_OK)
            *df = ss_design_domain_df(d, dw, mm->rows, m);
        ss_design_work_free(dw);
    }
    for (size_t a = 0; a < p && rc == SS_OK; a++)
        se[a] = sqrt(V[a * p + a]);
done:
    free(X);
    rw_free(&c);
    free(w);
    free(centre);
    free(v);
    free(T);
    free(Th);
    free(e1);
    free(e2);
    free(g);
    free(V);
    free(z);
    free(thetas);
    return rc;
}
