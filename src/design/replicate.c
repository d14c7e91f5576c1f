#include "ss_replicate.h"

#include <gsl/gsl_rng.h>
#include <pthread.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <errno.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "ss_mem.h"
#include "ss_number.h"
#include "ss_pps.h"

int ss_rep_parse(const char *arg, int supplied, ss_rep_type *type, double *rho, size_t *reps,
                 ss_error *err)
{
    const char *opt = supplied ? "--rep-type" : "--replicate";
    *rho = 0;
    *reps = 0;
    if (strcmp(arg, "jk1") == 0) {
        *type = SS_REP_JK1;
        return SS_OK;
    }
    if (strcmp(arg, "jkn") == 0) {
        *type = SS_REP_JKN;
        return SS_OK;
    }
    if (strcmp(arg, "brr") == 0) {
        *type = SS_REP_BRR;
        return SS_OK;
    }
    if (supplied && strcmp(arg, "other") == 0) {
        *type = SS_REP_OTHER;
        return SS_OK;
    }
    if (supplied && strcmp(arg, "sdr") == 0) {
        *type = SS_REP_SDR;
        return SS_OK;
    }
    if (supplied && strcmp(arg, "acs") == 0) {
        *type = SS_REP_ACS;
        return SS_OK;
    }
    if (supplied && strcmp(arg, "jk2") == 0) {
        *type = SS_REP_JK2;
        return SS_OK;
    }
    if (supplied && strcmp(arg, "bootstrap") == 0) {
        *type = SS_REP_BOOTSTRAP;
        return SS_OK;
    }
    double v;
    if (strncmp(arg, "fay:", 4) == 0) {
        if (ss_number_parse(arg + 4, strlen(arg + 4), &v) != 0 || !(v > 0 && v < 1))
            return ss_error_set(err, SS_EUSAGE, NULL, 0,
                                "%s: fay needs a rho between 0 and 1, got '%s'", opt, arg);
        *type = SS_REP_FAY;
        *rho = v;
        return SS_OK;
    }
    /* bootstrap:R and subbootstrap:R (R's types "bootstrap", "subbootstrap") */
    int sub = strncmp(arg, "subbootstrap:", 13) == 0;
    if (!supplied && (sub || strncmp(arg, "bootstrap:", 10) == 0)) {
        const char *num = arg + (sub ? 13 : 10);
        if (ss_number_parse(num, strlen(num), &v) != 0 || v != floor(v) || v < 2 || v > 1e6)
            return ss_error_set(err, SS_EUSAGE, NULL, 0,
                                "%s: %s needs a whole number of replicates from 2 to"
                                " 1000000, got '%s'",
                                opt, sub ? "subbootstrap" : "bootstrap", arg);
        *type = sub ? SS_REP_SUBBOOTSTRAP : SS_REP_BOOTSTRAP;
        *reps = (size_t)v;
        return SS_OK;
    }
    return ss_error_set(err, SS_EUSAGE, NULL, 0,
                        supplied ? "%s: expected jk1, jkn, jk2, brr, fay:RHO, bootstrap, sdr,"
                                   " acs or other, got '%s'"
                                 : "%s: expected jk1, jkn, brr, fay:RHO, bootstrap:R or"
                                   " subbootstrap:R, got '%s'",
                        opt, arg);
}

void ss_replicates_free(ss_replicates *r)
{
    if (!r)
        return;
    free(r->rscales);
    free(r->factor);
    free(r->w);
    free((void *)r->col);
    free(r->w0);
    free(r->cell);
    free(r->g);
    free(r->trim_off);
    free(r->trim_add);
    free(r->pair);
    free(r->psu_pair);
    free(r->pair_cell);
    free(r->alpha);
    free(r->sp_off);
    free(r->sp_psu);
    free(r->sp_f);
    free(r);
}

static ss_replicates *rep_alloc(size_t nrep, size_t npsu, size_t n, int per_row)
{
    ss_replicates *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->nrep = nrep;
    r->npsu = npsu;
    r->n = n;
    r->rscales = malloc((nrep ? nrep : 1) * sizeof *r->rscales);
    if (per_row == 1)
        r->w = ss_mem_array(NULL, nrep, "replicates", n ? n : 1, "rows", sizeof *r->w);
    else if (per_row == 0)
        r->factor = ss_mem_array(NULL, nrep, "replicates", npsu ? npsu : 1, "PSUs",
                                 sizeof *r->factor);
    if (!r->rscales || (per_row == 1 && !r->w) || (per_row == 0 && !r->factor)) {
        ss_replicates_free(r);
        return NULL;
    }
    for (size_t k = 0; k < nrep; k++)
        r->rscales[k] = 1;
    return r;
}

/* ---- the rank of the replicate weights (R's degf: qr(, tol = 1e-5)) ---- */

/* R's degf is qr(weights(design, "analysis"), tol = 1e-5)$rank - 1: the
 * rank of W, the rows x replicates matrix of analysis weights, by
 * LINPACK's dqrdc2, which leaves out a column whose norm after projection
 * on the columns before it falls below tol times its own norm.  That test
 * depends on W only through W'W, so the rows of one PSU, whose replicate
 * weights are w_i times the PSU's factors, stand as one row: the factors
 * times sqrt(sum of the rows' w_i^2) (the factors times an indicator would
 * give the exact rank, but not R's numerical one: case 1309, a lonely
 * stratum under JKn, has rank 298 at tol 1e-7 and 297 at R's 1e-5).
 *
 * cols(k) fills column k (length len) of the matrix; classical
 * Gram-Schmidt run twice ("twice is enough": orthogonal to working
 * precision while the accepted columns are far from dependent, which the
 * test keeps them), in column order as dqrdc2; once the rank reaches len
 * every later column lies in the span.  Each projection is two passes over
 * the basis, four vectors at a time, two rows a step (SSE2), so the
 * multiply-adds run side by side (what the order of the sums changes lies
 * far below the test's 1e-5). */
typedef void (*rank_col)(const void *ctx, size_t k, double *v);

/* c[j] = basis[j] . v for j < rank. */
static void rank_dots(const double *basis, size_t rank, size_t len, const double *v, double *c)
{
    size_t j = 0;
    for (; j + 4 <= rank; j += 4) {
        const double *b0 = basis + j * len, *b1 = b0 + len, *b2 = b1 + len, *b3 = b2 + len;
        size_t i = 0;
#ifdef __SSE2__
        __m128d s0 = _mm_setzero_pd(), s1 = s0, s2 = s0, s3 = s0;
        for (; i + 2 <= len; i += 2) {
            __m128d x = _mm_loadu_pd(v + i);
            s0 = _mm_add_pd(s0, _mm_mul_pd(_mm_loadu_pd(b0 + i), x));
            s1 = _mm_add_pd(s1, _mm_mul_pd(_mm_loadu_pd(b1 + i), x));
            s2 = _mm_add_pd(s2, _mm_mul_pd(_mm_loadu_pd(b2 + i), x));
            s3 = _mm_add_pd(s3, _mm_mul_pd(_mm_loadu_pd(b3 + i), x));
        }
        double h[8];
        _mm_storeu_pd(h, s0);
        _mm_storeu_pd(h + 2, s1);
        _mm_storeu_pd(h + 4, s2);
        _mm_storeu_pd(h + 6, s3);
        double d0 = h[0] + h[1], d1 = h[2] + h[3], d2 = h[4] + h[5], d3 = h[6] + h[7];
#else
        double d0 = 0, d1 = 0, d2 = 0, d3 = 0;
#endif
        for (; i < len; i++) {
            d0 += b0[i] * v[i];
            d1 += b1[i] * v[i];
            d2 += b2[i] * v[i];
            d3 += b3[i] * v[i];
        }
        c[j] = d0;
        c[j + 1] = d1;
        c[j + 2] = d2;
        c[j + 3] = d3;
    }
    for (; j < rank; j++) {
        const double *b = basis + j * len;
        double s = 0;
        for (size_t i = 0; i < len; i++)
            s += b[i] * v[i];
        c[j] = s;
    }
}

/* v -= sum over j < rank of c[j] basis[j]. */
static void rank_subtract(const double *basis, size_t rank, size_t len, const double *c,
                          double *v)
{
    size_t j = 0;
    for (; j + 4 <= rank; j += 4) {
        const double *b0 = basis + j * len, *b1 = b0 + len, *b2 = b1 + len, *b3 = b2 + len;
        double c0 = c[j], c1 = c[j + 1], c2 = c[j + 2], c3 = c[j + 3];
        size_t i = 0;
#ifdef __SSE2__
        __m128d e0 = _mm_set1_pd(c0), e1 = _mm_set1_pd(c1), e2 = _mm_set1_pd(c2),
                e3 = _mm_set1_pd(c3);
        for (; i + 2 <= len; i += 2) {
            __m128d a = _mm_add_pd(_mm_mul_pd(e0, _mm_loadu_pd(b0 + i)),
                                   _mm_mul_pd(e1, _mm_loadu_pd(b1 + i)));
            __m128d b = _mm_add_pd(_mm_mul_pd(e2, _mm_loadu_pd(b2 + i)),
                                   _mm_mul_pd(e3, _mm_loadu_pd(b3 + i)));
            _mm_storeu_pd(v + i, _mm_sub_pd(_mm_loadu_pd(v + i), _mm_add_pd(a, b)));
        }
#endif
        for (; i < len; i++)
            v[i] -= (c0 * b0[i] + c1 * b1[i]) + (c2 * b2[i] + c3 * b3[i]);
    }
    for (; j < rank; j++) {
        const double *b = basis + j * len;
        for (size_t i = 0; i < len; i++)
            v[i] -= c[j] * b[i];
    }
}

static double rank_df(size_t nrep, size_t len, rank_col col, const void *ctx, double fallback)
{
    size_t cap = len < nrep ? len : nrep;
    double *basis = malloc((cap ? cap : 1) * (len ? len : 1) * sizeof *basis);
    double *v = malloc((len ? len : 1) * sizeof *v);
    double *c = malloc((cap ? cap : 1) * sizeof *c);
    if (!basis || !v || !c) {
        free(basis);
        free(v);
        free(c);
        return fallback;
    }
    size_t rank = 0;
    for (size_t k = 0; k < nrep && rank < len; k++) {
        col(ctx, k, v);
        double n0 = 0;
        for (size_t i = 0; i < len; i++)
            n0 += v[i] * v[i];
        if (n0 == 0)
            continue;
        for (int pass = 0; pass < 2; pass++) {
            rank_dots(basis, rank, len, v, c);
            rank_subtract(basis, rank, len, c, v);
        }
        double n1 = 0;
        for (size_t i = 0; i < len; i++)
            n1 += v[i] * v[i];
        if (sqrt(n1) < 1e-5 * sqrt(n0))
            continue;
        double s = 1 / sqrt(n1);
        for (size_t i = 0; i < len; i++)
            basis[rank * len + i] = v[i] * s;
        rank++;
    }
    free(basis);
    free(v);
    free(c);
    return (double)rank - 1;
}

/* Above this many multiply-adds (rows x replicates x the smaller of the
 * two) the rank is not counted and degf is the fallback. */
#define RANK_COST_MAX 4e8

typedef struct {
    const ss_replicates *r;
    const double *w;     /* full-sample weights (made replicates) */
    const size_t *idx;   /* the PSUs (factors) or rows (per-row weights) */
    const double *scale; /* per PSU of idx: sqrt(sum w_i^2) */
} rank_ctx;

static void psu_col(const void *ctx, size_t k, double *v)
{
    const rank_ctx *c = ctx;
    const double *f = c->r->factor + k * c->r->npsu;
    for (size_t q = 0; c->idx[q] != SIZE_MAX; q++)
        v[q] = f[c->idx[q]] * c->scale[q];
}

static void row_col(const void *ctx, size_t k, double *v)
{
    const rank_ctx *c = ctx;
    for (size_t q = 0; c->idx[q] != SIZE_MAX; q++)
        v[q] = ss_replicates_weight(c->r, c->w, k, c->idx[q]);
}

static double cost_of(size_t len, size_t nrep)
{
    return (double)len * (double)nrep * (double)(len < nrep ? len : nrep);
}

double ss_replicates_rows_df(const ss_replicates *r, const double *w, const size_t *rows,
                             size_t m, double fallback)
{
    if (r->nrep == 0)
        return NAN;
    const int by_psu = r->factor && !r->g && !r->w;
    size_t *idx = malloc(((by_psu ? r->npsu : m) + 1) * sizeof *idx);
    double *scale = by_psu ? calloc(r->npsu ? r->npsu : 1, sizeof *scale) : NULL;
    double df = fallback;
    if (!idx || (by_psu && !scale))
        goto done;
    size_t len = 0;
    if (by_psu) {
        for (size_t k = 0; k < m; k++) {
            size_t i = rows ? rows[k] : k;
            scale[r->psu ? r->psu[i] : i] += w[i] * w[i];
        }
        for (size_t p = 0; p < r->npsu; p++)
            if (scale[p] > 0) {
                scale[len] = sqrt(scale[p]);
                idx[len++] = p;
            }
    } else {
        for (size_t k = 0; k < m; k++) {
            size_t i = rows ? rows[k] : k;
            for (size_t j = 0; j < r->nrep; j++)
                if (ss_replicates_weight(r, w, j, i) != 0) {
                    idx[len++] = i;
                    break;
                }
        }
    }
    idx[len] = SIZE_MAX;
    if (fallback > (double)len - 1)
        df = fallback = (double)len - 1;
    if (cost_of(len, r->nrep) < RANK_COST_MAX) {
        rank_ctx c = {r, w, idx, scale};
        df = rank_df(r->nrep, len, by_psu ? psu_col : row_col, &c, fallback);
    }
done:
    free(idx);
    free(scale);
    return df;
}

/* degf: the exact rank when affordable, else the count a full-rank set of
 * replicates has (jackknives: PSUs minus strata with replicates). */
static void set_degf(ss_replicates *r, const ss_design *d, double fallback)
{
    r->degf = ss_replicates_rows_df(r, d ? d->w : NULL, NULL, r->n, fallback);
}

/* ---- jackknives ---- */

static double stratum_fpc(const ss_stage *s, size_t h)
{
    double N = s->popsize[h], n = s->npsu[h];
    return isinf(N) ? 1 : (N - n) / N;
}

static int make_jk1(ss_replicates **out, const ss_design *d, ss_error *err)
{
    const ss_stage *s = &d->stage[0];
    if (s->nstrata > 1)
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "--replicate jk1: the design has strata (use jkn)");
    size_t n = s->nunit;
    if (n < 2)
        return ss_error_set(err, SS_EDATA, NULL, 0,
                            "--replicate jk1: the design has only %zu PSU", n);
    double fpc = stratum_fpc(s, 0);
    /* a census at stage 1: no replicate (R's drop.replicates) */
    ss_replicates *r = rep_alloc(fpc == 0 ? 0 : n, n, d->n, 0);
    if (!r)
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    if (fpc == 0)
        r->no_variance = SS_REP_NOVAR_CENSUS;
    for (size_t k = 0; k < r->nrep; k++)
        for (size_t p = 0; p < n; p++)
            r->factor[k * n + p] = p == k ? 0 : (double)n / (double)(n - 1);
    r->type = SS_REP_JK1;
    r->scale = fpc * (double)(n - 1) / (double)n;
    *out = r;
    return SS_OK;
}

static int make_jkn(ss_replicates **out, const ss_design *d, ss_error *err)
{
    const ss_stage *s = &d->stage[0];
    size_t np = s->nunit, H = s->nstrata;
    ss_replicates *r = rep_alloc(np, np, d->n, 0);
    if (!r)
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    size_t k = 0;
    for (size_t h = 0; h < H; h++) {
        double nh = s->npsu[h], fpc = stratum_fpc(s, h);
        if (fpc == 0)
            continue; /* a census stratum: no replicate (R's drop.replicates) */
        if (s->npsu[h] == 1) {
            char buf[256];
            const char *lab = ss_design_stratum_label(d, 1, h, buf, sizeof buf);
            if (d->lonely == SS_LONELY_FAIL) {
                ss_replicates_free(r);
                return ss_error_set(err, SS_EDATA, NULL, 0,
                                    "--replicate jkn: stratum '%s' has only one PSU (see"
                                    " --lonely-psu)",
                                    lab);
            }
            if (d->lonely != SS_LONELY_ADJUST)
                continue;
            for (size_t p = 0; p < np; p++)
                r->factor[k * np + p] = s->stratum[p] == h ? 0 : (double)H / (double)(H - 1);
            r->rscales[k++] = (double)(H - 1) / (double)H;
            continue;
        }
        for (size_t q = 0; q < np; q++) {
            if (s->stratum[q] != h)
                continue;
            for (size_t p = 0; p < np; p++)
                r->factor[k * np + p] = s->stratum[p] != h ? 1 : p == q ? 0 : nh / (nh - 1);
            r->rscales[k++] = fpc * (nh - 1) / nh;
        }
    }
    r->nrep = k;
    if (k == 0) /* every stratum sampled whole (R's drop.replicates) */
        r->no_variance = SS_REP_NOVAR_CENSUS;
    r->type = SS_REP_JKN;
    r->scale = 1;
    if (k > 0 && k < np && d->lonely == SS_LONELY_AVERAGE)
        r->scale = (double)np / (double)k;
    *out = r;
    return SS_OK;
}

/* ---- BRR and Fay (R's brrweights and hadamard) ---- */

static unsigned char *doubler(unsigned char *H, size_t *size)
{
    size_t n = *size, m = 2 * n;
    unsigned char *D = malloc(m * m);
    if (!D) {
        free(H);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            unsigned char v = H[i * n + j];
            D[i * m + j] = v;
            D[i * m + j + n] = v;
            D[(i + n) * m + j] = v;
            D[(i + n) * m + j + n] = (unsigned char)(1 - v);
        }
    free(H);
    *size = m;
    return D;
}

static int is_small_prime(size_t p)
{
    for (size_t i = 0; i < ss_paley_nprimes; i++)
        if (ss_paley_primes[i] == p)
            return 1;
    return 0;
}

static unsigned char *paley_prime(size_t p, size_t *size)
{
    size_t m = p + 1;
    unsigned char *H = malloc(m * m);
    char *res = calloc(p, 1);
    if (!H || !res) {
        free(H);
        free(res);
        return NULL;
    }
    res[0] = 1;
    for (size_t i = 1; i <= (p - 1) / 2 || i == 1; i++)
        res[(i * i) % p] = 1;
    for (size_t j = 0; j < m; j++)
        H[j] = 1;
    for (size_t i = 0; i < p; i++) {
        H[(i + 1) * m] = 1;
        for (size_t j = 0; j < p; j++)
            H[(i + 1) * m + j + 1] = res[(i + j) % p] ? 0 : 1;
    }
    free(res);
    *size = m;
    return H;
}

/* R's paley(n, nmax); NULL with *size 0 when it has none. */
static unsigned char *paley(size_t n, size_t nmax, size_t *size)
{
    size_t nceil = n + 4 - n % 4, nn = nceil;
    *size = 0;
    if (n % 4 + 4 == n % 8) {
        while (nn % 8 == 0)
            nn /= 2;
        if (is_small_prime(nn - 1)) {
            unsigned char *m = paley_prime(nn - 1, size);
            while (m && nn < nceil) {
                m = doubler(m, size);
                nn *= 2;
            }
            return m;
        }
    }
    if (n > ss_paley_primes[ss_paley_nprimes - 1])
        return NULL;
    size_t p = 0;
    for (size_t i = 0; i < ss_paley_nprimes && !p; i++)
        if (ss_paley_primes[i] >= n)
            p = ss_paley_primes[i];
    if (p + 1 > nceil + 4 && nceil + 4 < nmax)
        return paley(nceil + 3, 2 * (nceil + 3), size);
    if (p > nmax)
        return NULL;
    return paley_prime(p, size);
}

static unsigned char *precooked(size_t k, size_t *size)
{
    size_t m = ss_hadamard_sizes[k];
    unsigned char *H = malloc(m * m);
    if (!H)
        return NULL;
    for (size_t i = 0; i < m * m; i++)
        H[i] = (unsigned char)(ss_hadamard_list[k][i] - '0');
    *size = m;
    return H;
}

unsigned char *ss_hadamard(size_t n, size_t *size)
{
    size_t m = n - n % 4, K = ss_hadamard_nsizes;
    for (size_t k = 0; k < K; k++)
        if (m < ss_hadamard_sizes[k] && m + 4 >= ss_hadamard_sizes[k])
            return precooked(k, size);
    if (m < ss_hadamard_sizes[0])
        return precooked(0, size);
    size_t best = 0, bestsize = 0, bestdoubles = 0;
    for (size_t k = 0; k < K; k++) {
        size_t s = ss_hadamard_sizes[k], d = 0;
        while (s < n + 1) { /* 2^ceil(log2((n+1)/size)) */
            s *= 2;
            d++;
        }
        if (k == 0 || s - n < bestsize - n) {
            best = k;
            bestsize = s;
            bestdoubles = d;
        }
    }
    unsigned char *H = NULL;
    if (bestsize - n > 4)
        H = paley(n, bestsize, size);
    if (!H) {
        H = precooked(best, size);
        for (size_t i = 0; i < bestdoubles && H; i++)
            H = doubler(H, size);
    }
    return H;
}

static const char *const *cmp_labels;

static int cmp_label(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    int c = strcmp(cmp_labels[x], cmp_labels[y]);
    return c ? c : (x < y ? -1 : x > y);
}

/* The end of a make_*: on success *out = r, else r freed; returns rc. */
static int rep_finish(ss_replicates **out, ss_replicates *r, int rc)
{
    if (rc != SS_OK) {
        ss_replicates_free(r);
        return rc;
    }
    *out = r;
    return SS_OK;
}

static int make_brr(ss_replicates **out, const ss_design *d, double rho, ss_error *err)
{
    const ss_stage *s = &d->stage[0];
    const char *opt = rho > 0 ? "--replicate fay" : "--replicate brr";
    size_t H = s->nstrata, np = s->nunit;
    if (H < 2 && !d->strata_col)
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "%s: the design has no strata (use jk1 or bootstrap)", opt);
    char **lab = calloc(H, sizeof *lab);
    size_t *order = malloc(H * sizeof *order);
    size_t *pair = malloc(H * sizeof *pair);
    if (!lab || !order || !pair) {
        free(lab);
        free(order);
        free(pair);
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    }
    int rc = SS_OK;
    for (size_t h = 0; h < H && rc == SS_OK; h++) {
        char buf[256];
        const char *l = ss_design_stratum_label(d, 1, h, buf, sizeof buf);
        lab[h] = strdup(l);
        order[h] = h;
        if (!lab[h])
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        else if (s->npsu[h] != 2)
            rc = ss_error_set(err, SS_EDATA, NULL, 0,
                              "%s: stratum '%s' has %u PSUs (BRR needs exactly 2 in every"
                              " stratum)",
                              opt, l, s->npsu[h]);
    }
    unsigned char *Hm = NULL;
    size_t size = 0;
    if (rc == SS_OK) {
        cmp_labels = (const char *const *)lab;
        qsort(order, H, sizeof *order, cmp_label);
        for (size_t k = 0; k < H; k++)
            pair[order[k]] = k;
        Hm = ss_hadamard(H, &size);
        if (!Hm)
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    }
    ss_replicates *r = NULL;
    if (rc == SS_OK && !(r = rep_alloc(size, np, d->n, 0)))
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    if (rc == SS_OK) {
        /* the first PSU of each stratum (in order of appearance) is half 1 */
        int *seen = calloc(H, sizeof *seen), *first = malloc(np * sizeof *first);
        if (!seen || !first) {
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        } else {
            for (size_t p = 0; p < np; p++)
                first[p] = !seen[s->stratum[p]]++;
            for (size_t k = 0; k < size; k++)
                for (size_t p = 0; p < np; p++) {
                    int hv = Hm[(1 + pair[s->stratum[p]]) * size + k];
                    /* H = 0: column 1, where the first PSU has 0 */
                    int in = hv ? first[p] : !first[p];
                    r->factor[k * np + p] = in ? 2 - rho : rho;
                }
        }
        free(seen);
        free(first);
        r->type = rho > 0 ? SS_REP_FAY : SS_REP_BRR;
        r->scale = 1 / ((double)size * (1 - rho) * (1 - rho));
    }
    for (size_t h = 0; h < H; h++)
        free(lab[h]);
    free(lab);
    free(order);
    free(pair);
    free(Hm);
    return rep_finish(out, r, rc);
}

/* ---- bootstraps (R's bootweights and subbootweights) ---- */

/* The stage-1 PSUs by stratum: those of stratum h are members[start[h] ..
 * start[h+1]), in PSU order; and the generator seeded by --seed (else by the
 * clock, which the CLI replaces with a seed it prints). */
static int boot_setup(const ss_stage *s, const ss_rep_spec *spec, size_t *members, size_t *start,
                      gsl_rng *rng)
{
    size_t np = s->nunit, H = s->nstrata;
    unsigned long seed = spec->seed_set ? spec->seed
                                        : (unsigned long)time(NULL) ^ ((unsigned long)getpid() << 16);
    gsl_rng_set(rng, seed);
    for (size_t p = 0; p < np; p++)
        start[s->stratum[p] + 1]++;
    for (size_t h = 0; h < H; h++)
        start[h + 1] += start[h];
    size_t *pos = malloc((H ? H : 1) * sizeof *pos);
    if (!pos)
        return -1;
    memcpy(pos, start, H * sizeof *pos);
    for (size_t p = 0; p < np; p++)
        members[pos[s->stratum[p]]++] = p;
    free(pos);
    return 0;
}

static int make_bootstrap(ss_replicates **out, const ss_design *d, const ss_rep_spec *spec,
                          ss_error *err)
{
    const ss_stage *s = &d->stage[0];
    size_t np = s->nunit, H = s->nstrata, R = spec->boot_reps;
    ss_replicates *r = rep_alloc(R, np, d->n, 0);
    size_t *members = malloc(np * sizeof *members), *start = calloc(H + 1, sizeof *start);
    size_t *picked = malloc(np * sizeof *picked);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    int rc = SS_OK;
    if (!r || !members || !start || !picked || !rng || boot_setup(s, spec, members, start, rng)) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        goto done;
    }
    double inv = 0;
    for (size_t h = 0; h < H; h++) {
        size_t nh = start[h + 1] - start[h];
        inv += 1.0 / (double)nh;
        double N = s->popsize[h];
        if (!isinf(N) && N < (double)nh) {
            char buf[256];
            rc = ss_error_set(err, SS_EDATA, NULL, 0,
                              "--replicate bootstrap: population smaller than the sample in"
                              " stratum '%s'",
                              ss_design_stratum_label(d, 1, h, buf, sizeof buf));
            goto done;
        }
    }
    for (size_t k = 0; k < R; k++) {
        double *f = r->factor + k * np;
        for (size_t p = 0; p < np; p++)
            f[p] = 0;
        for (size_t h = 0; h < H; h++) {
            size_t nh = start[h + 1] - start[h];
            const size_t *mem = members + start[h];
            double N = s->popsize[h];
            if (isinf(N)) { /* nh draws with replacement */
                for (size_t j = 0; j < nh; j++)
                    f[mem[gsl_rng_uniform_int(rng, nh)]] += 1;
                continue;
            }
            /* nh draws without replacement from N copies cycled over the
             * PSUs (R: sample(rep(upsu, length = popsize), n)) */
            size_t Np = (size_t)N, got = 0;
            if (nh * 4 < Np) {
                while (got < nh) {
                    size_t x = gsl_rng_uniform_int(rng, Np), dup = 0;
                    for (size_t j = 0; j < got && !dup; j++)
                        dup = picked[j] == x;
                    if (!dup)
                        picked[got++] = x;
                }
            } else {
                for (size_t x = 0; x < Np && got < nh; x++)
                    if (gsl_rng_uniform(rng) * (double)(Np - x) < (double)(nh - got))
                        picked[got++] = x;
            }
            for (size_t j = 0; j < nh; j++)
                f[mem[picked[j] % nh]] += 1;
        }
    }
    double nbar = (double)H / inv;
    r->type = SS_REP_BOOTSTRAP;
    r->scale = nbar / ((nbar - 1) * (double)(R - 1));
    if (nbar == 1) { /* every stratum one PSU: R's scale 1/0, its SEs NaN */
        r->scale = NAN;
        r->no_variance = SS_REP_NOVAR_LONELY;
    }
done:
    free(members);
    free(start);
    free(picked);
    gsl_rng_free(rng);
    return rep_finish(out, r, rc);
}

/* R's subbootweights (the Rao-Wu-Yue rescaled bootstrap): in every
 * stratum of n_h PSUs, replicate k draws n_h - 1 of them with replacement
 * and gives each PSU factor (times drawn) n_h/(n_h - 1); scale 1/(R - 1),
 * rscales 1.  R draws with its own generator; here GSL's mt19937 draws the
 * same construction (tests/e2e/cycle.sh checks the factors, and R's
 * estimates on them, against R).  Refused: a stratum of one PSU (R's
 * factor 0 n/(n-1) is NaN for all its rows) and a self-representing PSU
 * (a census stratum, or a --pps inclusion probability of 1: R resamples
 * it in svymean but leaves it out of svytotal's replicates, so R's answer
 * depends on the statistic). */
static int make_subbootstrap(ss_replicates **out, const ss_design *d, const ss_rep_spec *spec,
                             ss_error *err)
{
    const ss_stage *s = &d->stage[0];
    size_t np = s->nunit, H = s->nstrata, R = spec->boot_reps;
    char buf[256];
    for (size_t h = 0; h < H; h++) {
        const char *lab = ss_design_stratum_label(d, 1, h, buf, sizeof buf);
        if (s->npsu[h] < 2)
            return ss_error_set(err, SS_EDATA, NULL, 0,
                                "--replicate subbootstrap: stratum '%s' has only one PSU (R's"
                                " subbootstrap gives it no weight; use bootstrap:R or jkn with"
                                " --lonely-psu)",
                                lab);
        if (!isinf(s->popsize[h]) && s->popsize[h] <= s->npsu[h])
            return ss_error_set(err, SS_EDATA, NULL, 0,
                                "--replicate subbootstrap: stratum '%s' was sampled whole (fpc"
                                " 1), which R's subbootstrap resamples for means but not for"
                                " totals; use jkn or bootstrap:R",
                                lab);
    }
    for (size_t p = 0; s->pi && p < np; p++)
        if (s->pi[p] >= 1)
            return ss_error_set(err, SS_EDATA, NULL, 0,
                                "--replicate subbootstrap: a PSU has inclusion probability 1"
                                " (in stratum '%s'), which R's subbootstrap resamples for means"
                                " but not for totals; use --pps brewer without --replicate",
                                ss_design_stratum_label(d, 1, s->stratum[p], buf, sizeof buf));
    ss_replicates *r = rep_alloc(R, np, d->n, 0);
    size_t *members = malloc(np * sizeof *members), *start = calloc(H + 1, sizeof *start);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    int rc = SS_OK;
    if (!r || !members || !start || !rng || boot_setup(s, spec, members, start, rng)) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    } else {
        for (size_t k = 0; k < R; k++) {
            double *f = r->factor + k * np;
            for (size_t p = 0; p < np; p++)
                f[p] = 0;
            for (size_t h = 0; h < H; h++) {
                size_t nh = start[h + 1] - start[h];
                const size_t *mem = members + start[h];
                for (size_t j = 0; j + 1 < nh; j++)
                    f[mem[gsl_rng_uniform_int(rng, nh)]] += 1;
                for (size_t j = 0; j < nh; j++) /* R: table(...) * n / (n - 1) */
                    f[mem[j]] = f[mem[j]] * (double)nh / (double)(nh - 1);
            }
        }
        r->type = SS_REP_SUBBOOTSTRAP;
        r->scale = 1 / (double)(R - 1);
    }
    free(members);
    free(start);
    gsl_rng_free(rng);
    return rep_finish(out, r, rc);
}

int ss_replicates_make(ss_replicates **out, const ss_design *d, const ss_rep_spec *spec,
                       ss_error *err)
{
    *out = NULL;
    int rc;
    double fallback = 0;
    const char *const names[] = {[SS_REP_JK1] = "jk1", [SS_REP_JKN] = "jkn",
                                 [SS_REP_BOOTSTRAP] = "bootstrap"};
    if (d->pps != SS_PPS_NONE && d->pps != SS_PPS_BREWER)
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "--replicate: R's as.svrepdesign makes no replicates of --pps hr, ht"
                            " or yg designs (of --pps brewer: subbootstrap:R, brr, fay:RHO)");
    /* A Brewer design's fpc are probabilities: R's jk1, jkn and bootstrap
     * take them as one population size n_h / p per stratum, so they must
     * not vary within a stratum.  The design is copied with that stage-1
     * population size (the PPS variance itself keeps INFINITY there). */
    ss_design brewer;
    double *popsize = NULL;
    if (d->pps == SS_PPS_BREWER && (spec->make == SS_REP_JK1 || spec->make == SS_REP_JKN ||
                                    spec->make == SS_REP_BOOTSTRAP)) {
        size_t H = d->stage[0].nstrata, h;
        if (!(popsize = malloc((H ? H : 1) * sizeof *popsize)))
            return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        if ((h = ss_pps_stratum_popsize(d, popsize)) < H) {
            char buf[256], where[300];
            if (d->strata_col)
                snprintf(where, sizeof where, "stratum '%s'",
                         ss_design_stratum_label(d, 1, h, buf, sizeof buf));
            else
                snprintf(where, sizeof where, "the sample");
            free(popsize);
            return ss_error_set(err, SS_EUSAGE, NULL, 0,
                                "--replicate %s with --pps brewer: the inclusion probabilities"
                                " vary within %s, and R's as.svrepdesign takes them as one"
                                " fpc per stratum: use subbootstrap:R, brr or fay:RHO",
                                names[spec->make], where);
        }
        brewer = *d;
        brewer.stage[0].popsize = popsize;
        d = &brewer;
    }
    const ss_stage *s = &d->stage[0];
    switch (spec->make) {
    case SS_REP_JK1:
        rc = make_jk1(out, d, err);
        fallback = (double)s->nunit - 1;
        break;
    case SS_REP_JKN:
        if (!d->strata_col)
            return ss_error_set(err, SS_EUSAGE, NULL, 0,
                                "--replicate jkn: the design has no strata (use jk1)");
        rc = make_jkn(out, d, err);
        fallback = (double)s->nunit - (double)s->nstrata;
        break;
    case SS_REP_BRR:
    case SS_REP_FAY:
        if (!d->strata_col)
            return ss_error_set(err, SS_EUSAGE, NULL, 0,
                                "--replicate %s: the design has no strata (use jk1 or"
                                " bootstrap)",
                                spec->make == SS_REP_BRR ? "brr" : "fay");
        rc = make_brr(out, d, spec->rho, err);
        fallback = (double)s->nstrata;
        break;
    case SS_REP_BOOTSTRAP:
        rc = make_bootstrap(out, d, spec, err);
        fallback = (double)(spec->boot_reps < s->nunit ? spec->boot_reps : s->nunit) - 1;
        break;
    case SS_REP_SUBBOOTSTRAP:
        rc = make_subbootstrap(out, d, spec, err);
        fallback = (double)(spec->boot_reps < s->nunit ? spec->boot_reps : s->nunit) - 1;
        break;
    default:
        rc = ss_error_set(err, SS_EUSAGE, NULL, 0, "no replicate type");
        break;
    }
    free(popsize);
    if (rc != SS_OK)
        return rc;
    ss_replicates *r = *out;
    r->psu = s->unit;
    r->mse = spec->mse;
    if (spec->scale_set)
        r->scale = spec->scale;
    set_degf(r, d, fallback);
    return SS_OK;
}

/* ---- supplied replicate columns ---- */

int ss_replicates_columns(const char *file, char delimiter, const ss_rep_spec *spec,
                          char ***names, size_t *nnames, ss_error *err)
{
    *names = NULL;
    *nnames = 0;
    regex_t re;
    if (regcomp(&re, spec->regex, REG_EXTENDED | REG_NOSUB) != 0)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "--repweights: invalid regular expression '%s'",
                            spec->regex);
    if (strcmp(file, "-") == 0) {
        regfree(&re);
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "--repweights: needs a file, not standard input");
    }
    FILE *fp = fopen(file, "rb");
    if (!fp) {
        regfree(&re);
        return ss_error_set(err, SS_EDATA, file, 0, "cannot open: %s", strerror(errno));
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len = getline(&line, &cap, fp);
    fclose(fp);
    int rc = SS_OK;
    if (len < 0) {
        free(line);
        regfree(&re);
        return ss_error_set(err, SS_EDATA, file, 1, "no header line");
    }
    char *p = line;
    if ((unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB && (unsigned char)p[2] == 0xBF)
        p += 3;
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        line[--len] = '\0';
    char **out = NULL;
    size_t n = 0;
    while (rc == SS_OK) {
        /* one field, unquoted or quoted with "" escapes */
        char *field = p, *w = p;
        if (*p == '"') {
            p++;
            for (;;) {
                if (*p == '\0')
                    break;
                if (*p == '"' && p[1] == '"') {
                    *w++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *w++ = *p++;
                }
            }
            while (*p && *p != delimiter)
                p++;
        } else {
            while (*p && *p != delimiter)
                *w++ = *p++;
        }
        int last = *p == '\0';
        *w = '\0';
        if (regexec(&re, field, 0, NULL, 0) == 0) {
            char **q = realloc(out, (n + 1) * sizeof *q);
            char *copy = strdup(field);
            if (!q || !copy) {
                free(copy);
                if (q)
                    out = q;
                rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
                break;
            }
            out = q;
            out[n++] = copy;
        }
        if (last)
            break;
        p++;
    }
    free(line);
    regfree(&re);
    if (rc == SS_OK && n == 0)
        rc = ss_error_set(err, SS_EDATA, file, 1, "--repweights: no column matches '%s'",
                          spec->regex);
    if (rc != SS_OK) {
        for (size_t i = 0; i < n; i++)
            free(out[i]);
        free(out);
        return rc;
    }
    *names = out;
    *nnames = n;
    return SS_OK;
}

int ss_replicates_supplied(ss_replicates **out, const ss_table *t, char *const *names,
                           size_t nnames, const ss_rep_spec *spec, ss_error *err)
{
    *out = NULL;
    size_t n = t->nrow;
    /* The columns are used where they are (as read: packed in two bytes
     * when every value allows it); an adjustment copies them (materialize). */
    ss_replicates *r = rep_alloc(nnames, 0, n, 2);
    if (r && !(r->col = malloc((nnames ? nnames : 1) * sizeof *r->col))) {
        ss_replicates_free(r);
        r = NULL;
    }
    if (!r)
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    for (size_t k = 0; k < nnames; k++) {
        const ss_column *c = ss_table_find(t, names[k]);
        r->col[k] = c;
        size_t bad = n;
        for (size_t i = 0; i < n; i++)
            if (isnan(ss_column_num(c, i))) {
                bad = i;
                break;
            }
        if (bad < n) {
            double v = ss_column_num(c, bad);
            ss_replicates_free(r);
            return ss_error_set(err, SS_EDATA, t->file, ss_table_line(t, bad),
                                "column '%s': %s replicate weight", c->name,
                                isnan(v) ? "missing" : "negative");
        }
    }
    double R = (double)nnames;
    r->type = spec->supplied;
    switch (spec->supplied) {
    case SS_REP_BRR:
        r->scale = 1 / R;
        break;
    case SS_REP_FAY:
        r->scale = 1 / (R * (1 - spec->supplied_rho) * (1 - spec->supplied_rho));
        break;
    case SS_REP_BOOTSTRAP:
        r->scale = 1 / (R - 1);
        break;
    case SS_REP_JK1:
        r->scale = (R - 1) / R;
        break;
    case SS_REP_SDR:
    case SS_REP_ACS:
        r->scale = 4 / R;
        break;
    default:
        r->scale = 1;
        break;
    }
    if (spec->supplied == SS_REP_JKN && !spec->scale_set) {
        ss_replicates_free(r);
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "--rep-type jkn: give --rep-scale (R needs rscales for combined"
                            " JKn weights)");
    }
    if (spec->scale_set)
        r->scale = spec->scale;
    r->mse = spec->mse || spec->supplied == SS_REP_ACS;
    set_degf(r, NULL, R - 1);
    *out = r;
    return SS_OK;
}

/* ---- per-row replicate weights and adjustments ---- */

ss_replicates *ss_replicates_dup(const ss_replicates *r)
{
    if (r->g || r->w0)
        return NULL; /* only unadjusted replicates */
    ss_replicates *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->type = r->type;
    c->nrep = r->nrep;
    c->scale = r->scale;
    c->mse = r->mse;
    c->degf = r->degf;
    c->n = r->n;
    c->npsu = r->npsu;
    c->psu = r->psu;
    size_t nr = r->nrep ? r->nrep : 1;
    c->rscales = malloc(nr * sizeof *c->rscales);
    if (c->rscales)
        memcpy(c->rscales, r->rscales, r->nrep * sizeof *c->rscales);
    if (r->factor && (c->factor = malloc(nr * (r->npsu ? r->npsu : 1) * sizeof *c->factor)))
        memcpy(c->factor, r->factor, r->nrep * r->npsu * sizeof *c->factor);
    if (r->w && (c->w = malloc(nr * (r->n ? r->n : 1) * sizeof *c->w)))
        memcpy(c->w, r->w, r->nrep * r->n * sizeof *c->w);
    if (r->col && (c->col = malloc(nr * sizeof *c->col)))
        memcpy((void *)c->col, r->col, r->nrep * sizeof *c->col);
    if (!c->rscales || (r->factor && !c->factor) || (r->w && !c->w) || (r->col && !c->col)) {
        ss_replicates_free(c);
        return NULL;
    }
    return c;
}

void ss_replicates_recount_degf(ss_replicates *r)
{
    if (r->w || r->col)
        set_degf(r, NULL, r->degf);
    else if (r->g && cost_of(r->n, r->nrep) < RANK_COST_MAX)
        r->degf = ss_replicates_rows_df(r, r->w0, NULL, r->n, r->degf); /* compact adjusted */
}

double ss_replicates_weight(const ss_replicates *r, const double *w, size_t k, size_t i)
{
    if (r->w)
        return r->w[k * r->n + i];
    if (r->col)
        return ss_column_num(r->col[k], i);
    if (!r->g)
        return w[i] * r->factor[k * r->npsu + (r->psu ? r->psu[i] : i)];
    double f = r->factor[k * r->npsu + (r->psu ? r->psu[i] : i)];
    double x = r->w0[i] * f * r->g[k * r->ncell + r->cell[i]];
    if (!isfinite(x))
        x = 0;
    if (r->trim)
        x = ss_weight_trim_one(r->trim, r->trim_add + r->trim_off[k],
                               r->trim_off[k + 1] - r->trim_off[k], x, f == 0);
    return x;
}

/* After replicate k's adjustment succeeded: a message left in err is a
 * warning (a calibration that did not converge, its last iterate kept);
 * count it, keep the first, clear it. */
static void note_unconverged(ss_rep_unconverged *u, size_t k, ss_error *err)
{
    if (!err->message[0])
        return;
    if (u->count++ == 0) {
        u->first = k;
        snprintf(u->message, sizeof u->message, "%s", err->message);
    }
    ss_error_clear(err);
}

/* The rows outside replicate k (a deleted or undrawn PSU): made
 * replicates know them from their PSU factors (r->factor); supplied ones
 * only as a weight 0 (w, before any adjustment) where the full sample's w0
 * is not, so there a row of full-sample weight 0 counts as inside. */
static void outside_rows(const ss_replicates *r, size_t k, const double *w, const double *w0,
                         unsigned char *outside)
{
    const double *f = r->factor ? r->factor + k * r->npsu : NULL;
    for (size_t i = 0; i < r->n; i++)
        outside[i] = f ? f[r->psu ? r->psu[i] : i] == 0 : w[i] == 0 && w0[i] != 0;
}

/* Per-row weights in w, to be adjusted in place: made replicates' from
 * their factors (w0 the full-sample weights), supplied ones copied from
 * their columns.  0, or -1 when out of memory. */
static int materialize(ss_replicates *r, const double *w0)
{
    if (r->w)
        return 0;
    size_t n = r->n;
    double *w = ss_mem_array(NULL, r->nrep, "replicates", n ? n : 1, "rows", sizeof *w);
    if (!w)
        return -1;
    for (size_t k = 0; k < r->nrep; k++)
        for (size_t i = 0; i < n; i++)
            w[k * n + i] = ss_replicates_weight(r, w0, k, i);
    r->w = w;
    free((void *)r->col);
    r->col = NULL;
    return 0;
}

int ss_replicates_adjust(ss_replicates *r, const double *w0, ss_rep_adjust adjust, void *ctx,
                         ss_error *err)
{
    size_t n = r->n;
    if (materialize(r, w0) != 0)
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    unsigned char *outside = malloc(n ? n : 1);
    if (!outside)
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    r->unconv.count = 0;
    for (size_t k = 0; k < r->nrep; k++) {
        outside_rows(r, k, r->w + k * n, w0, outside);
        ss_error_clear(err);
        int rc = adjust(ctx, r->w + k * n, outside, err);
        if (rc == SS_OK)
            note_unconverged(&r->unconv, k, err);
        if (rc != SS_OK) {
            free(outside);
            char msg[sizeof err->message];
            snprintf(msg, sizeof msg, "%s", err->message);
            return ss_error_set(err, rc, err->file[0] ? err->file : NULL, err->line,
                                "replicate %zu: %s", k + 1, msg);
        }
    }
    free(outside);
    free(r->factor); /* the weights are per row now */
    r->factor = NULL;
    return SS_OK;
}

/* ---- replicates adjusted on cells ---- */

/* The (PSU, cell) pairs of the rows, numbered PSU by PSU. */
static int make_pairs(ss_replicates *r)
{
    size_t n = r->n, np = r->npsu, nc = r->ncell;
    size_t *start = calloc(np + 1, sizeof *start), *rows = malloc((n ? n : 1) * sizeof *rows);
    uint32_t *mark = malloc((nc ? nc : 1) * sizeof *mark), *id = malloc((nc ? nc : 1) * sizeof *id);
    r->pair = malloc((n ? n : 1) * sizeof *r->pair);
    r->psu_pair = calloc(np + 1, sizeof *r->psu_pair);
    r->pair_cell = malloc((n ? n : 1) * sizeof *r->pair_cell);
    int ok = start && rows && mark && id && r->pair && r->psu_pair && r->pair_cell;
    if (ok) {
        for (size_t i = 0; i < n; i++)
            start[(r->psu ? r->psu[i] : i) + 1]++;
        for (size_t p = 0; p < np; p++)
            start[p + 1] += start[p];
        for (size_t i = 0; i < n; i++)
            rows[start[r->psu ? r->psu[i] : i]++] = i;
        for (size_t c = 0; c < nc; c++)
            mark[c] = UINT32_MAX;
        size_t q = 0, j = 0;
        for (size_t p = 0; p < np; p++) {
            for (; j < start[p]; j++) { /* start[p] is now PSU p's end */
                size_t i = rows[j];
                uint32_t c = r->cell[i];
                if (mark[c] != (uint32_t)p) {
                    mark[c] = (uint32_t)p;
                    id[c] = (uint32_t)q;
                    r->pair_cell[q++] = c;
                }
                r->pair[i] = id[c];
            }
            r->psu_pair[p + 1] = q;
        }
        r->npair = q;
    }
    free(start);
    free(rows);
    free(mark);
    free(id);
    return ok ? 0 : -1;
}

/* alpha[k]: the most frequent of the first three distinct factors of
 * replicate k; the other PSUs listed. */
static int sparse_factors(ss_replicates *r)
{
    size_t np = r->npsu, nrep = r->nrep, total = 0;
    r->alpha = malloc((nrep ? nrep : 1) * sizeof *r->alpha);
    r->sp_off = malloc((nrep + 1) * sizeof *r->sp_off);
    if (!r->alpha || !r->sp_off)
        return -1;
    for (size_t k = 0; k < nrep; k++) {
        const double *f = r->factor + k * np;
        double cand[3];
        size_t nc = 0, best = 0, bestn = 0;
        for (size_t p = 0; p < np && nc < 3; p++) {
            size_t j = 0;
            while (j < nc && cand[j] != f[p])
                j++;
            if (j == nc)
                cand[nc++] = f[p];
        }
        for (size_t j = 0; j < nc; j++) {
            size_t c = 0;
            for (size_t p = 0; p < np; p++)
                c += f[p] == cand[j];
            if (c > bestn) {
                bestn = c;
                best = j;
            }
        }
        r->alpha[k] = nc ? cand[best] : 1;
        total += np - bestn;
    }
    r->sp_psu = malloc((total ? total : 1) * sizeof *r->sp_psu);
    r->sp_f = malloc((total ? total : 1) * sizeof *r->sp_f);
    if (!r->sp_psu || !r->sp_f)
        return -1;
    size_t o = 0;
    for (size_t k = 0; k < nrep; k++) {
        const double *f = r->factor + k * np;
        r->sp_off[k] = o;
        for (size_t p = 0; p < np; p++)
            if (f[p] != r->alpha[k]) {
                r->sp_psu[o] = (uint32_t)p;
                r->sp_f[o++] = f[p];
            }
    }
    r->sp_off[nrep] = o;
    return 0;
}

typedef struct rw_job {
    ss_replicates *r;
    const ss_weight_cells *cells;
    const ss_weight_spec *spec;
    const double *w0;     /* the full-sample weights before adjustment */
    const double *wpair;  /* made replicates: w0 summed by pair */
    double **adds;        /* per replicate: its trimming passes */
    size_t *npass;
    size_t k0, k1;
    int rc;
    size_t failed;
    ss_error err;
    ss_rep_unconverged unconv; /* of replicates k0 .. k1 */
} rw_job;

static void *rw_run(void *arg)
{
    rw_job *j = arg;
    ss_replicates *r = j->r;
    const size_t n = r->n, nc = r->ncell, trim = j->spec->trim;
    double *W = malloc((nc ? nc : 1) * sizeof *W), *g = malloc((nc ? nc : 1) * sizeof *g);
    double *v = trim && !r->w ? malloc((n ? n : 1) * sizeof *v) : NULL;
    double *adds = trim && !r->w ? malloc(SS_WEIGHT_TRIM_PASSES * sizeof *adds) : NULL;
    unsigned char *outside = trim ? malloc(n ? n : 1) : NULL;
    if (!W || !g || (trim && !r->w && (!v || !adds)) || (trim && !outside)) {
        j->rc = ss_error_set(&j->err, SS_EDATA, NULL, 0, "out of memory");
        j->failed = j->k0;
        j->k1 = j->k0;
    }
    for (size_t k = j->k0; k < j->k1; k++) {
        int rc;
        for (size_t c = 0; c < nc; c++)
            W[c] = 0;
        if (r->w) { /* supplied: per-row weights, adjusted in place */
            double *wk = r->w + k * n;
            if (trim)
                outside_rows(r, k, wk, j->w0, outside);
            for (size_t i = 0; i < n; i++)
                W[r->cell[i]] += wk[i];
            rc = ss_weight_cells_apply(j->cells, W, g, &j->err);
            for (size_t i = 0; i < n && rc == SS_OK; i++) {
                double x = wk[i] * g[r->cell[i]];
                wk[i] = isfinite(x) ? x : 0;
            }
            if (rc == SS_OK && trim)
                rc = ss_weight_trim(j->spec, wk, n, outside, NULL, NULL, NULL, &j->err);
        } else {
            const double *f = r->factor + k * r->npsu;
            for (size_t p = 0; p < r->npsu; p++) {
                double fp = f[p];
                for (size_t q = r->psu_pair[p]; q < r->psu_pair[p + 1]; q++)
                    W[r->pair_cell[q]] += fp * j->wpair[q];
            }
            rc = ss_weight_cells_apply(j->cells, W, r->g + k * nc, &j->err);
            if (rc == SS_OK && trim) {
                for (size_t i = 0; i < n; i++) {
                    v[i] = ss_replicates_weight(r, NULL, k, i);
                    outside[i] = f[r->psu ? r->psu[i] : i] == 0;
                }
                size_t np = 0;
                rc = ss_weight_trim(j->spec, v, n, outside, adds, &np, NULL, &j->err);
                if (rc == SS_OK && !(j->adds[k] = malloc((np ? np : 1) * sizeof *adds)))
                    rc = ss_error_set(&j->err, SS_EDATA, NULL, 0, "out of memory");
                if (rc == SS_OK) {
                    memcpy(j->adds[k], adds, np * sizeof *adds);
                    j->npass[k] = np;
                }
            }
        }
        if (rc != SS_OK) {
            j->rc = rc;
            j->failed = k;
            break;
        }
        note_unconverged(&j->unconv, k, &j->err);
    }
    free(W);
    free(g);
    free(v);
    free(adds);
    free(outside);
    return NULL;
}

static int reweight_cells(ss_replicates *r, const double *w0, const ss_weight_cells *cells,
                          const ss_weight_spec *spec, ss_error *err)
{
    const size_t n = r->n, nrep = r->nrep;
    r->ncell = ss_weight_cells_count(cells);
    r->cell = malloc((n ? n : 1) * sizeof *r->cell);
    if (!r->cell)
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    memcpy(r->cell, ss_weight_cells_of_rows(cells), n * sizeof *r->cell);
    double *wpair = NULL;
    rw_job job[2];
    memset(job, 0, sizeof job);
    int rc = SS_OK;
    if (!r->w) {
        r->w0 = malloc((n ? n : 1) * sizeof *r->w0);
        r->g = malloc((nrep * r->ncell > 0 ? nrep * r->ncell : 1) * sizeof *r->g);
        if (!r->w0 || !r->g || make_pairs(r) != 0 || sparse_factors(r) != 0 ||
            !(wpair = calloc(r->npair ? r->npair : 1, sizeof *wpair)) ||
            (spec->trim && (!(job[0].adds = calloc(nrep ? nrep : 1, sizeof *job[0].adds)) ||
                            !(job[0].npass = calloc(nrep ? nrep : 1, sizeof *job[0].npass)))))
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        if (rc == SS_OK) {
            memcpy(r->w0, w0, n * sizeof *r->w0);
            for (size_t i = 0; i < n; i++)
                wpair[r->pair[i]] += w0[i];
        }
    }
    if (rc == SS_OK) {
        size_t half = ss_thread_count() > 1 && nrep >= 4 ? nrep / 2 : nrep;
        for (int t = 0; t < 2; t++) {
            job[t] = (rw_job){r, cells, spec, w0, wpair, job[0].adds, job[0].npass,
                              t ? half : 0, t ? nrep : half, SS_OK, 0, {0}, {0}};
            ss_error_clear(&job[t].err);
        }
        pthread_t tid;
        int two = half < nrep && pthread_create(&tid, NULL, rw_run, &job[1]) == 0;
        rw_run(&job[0]);
        if (two)
            pthread_join(tid, NULL);
        else if (half < nrep)
            rw_run(&job[1]);
        r->unconv = job[0].unconv.count ? job[0].unconv : job[1].unconv;
        r->unconv.count = job[0].unconv.count + job[1].unconv.count;
        const rw_job *bad = job[0].rc != SS_OK ? &job[0] : job[1].rc != SS_OK ? &job[1] : NULL;
        if (bad) {
            rc = ss_error_set(err, bad->rc, bad->err.file[0] ? bad->err.file : NULL,
                              bad->err.line, "replicate %zu: %s", bad->failed + 1,
                              bad->err.message);
        }
    }
    if (rc == SS_OK && spec->trim && !r->w) {
        size_t total = 0;
        r->trim_off = malloc((nrep + 1) * sizeof *r->trim_off);
        for (size_t k = 0; k < nrep; k++)
            total += job[0].npass[k];
        r->trim_add = malloc((total ? total : 1) * sizeof *r->trim_add);
        if (!r->trim_off || !r->trim_add) {
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        } else {
            r->trim_off[0] = 0;
            for (size_t k = 0; k < nrep; k++) {
                memcpy(r->trim_add + r->trim_off[k], job[0].adds[k],
                       job[0].npass[k] * sizeof *r->trim_add);
                r->trim_off[k + 1] = r->trim_off[k] + job[0].npass[k];
            }
            r->trim = spec;
        }
    }
    if (job[0].adds)
        for (size_t k = 0; k < nrep; k++)
            free(job[0].adds[k]);
    free(job[0].adds);
    free(job[0].npass);
    free(wpair);
    return rc;
}

int ss_replicates_reweight(ss_replicates *r, const double *w0, const ss_weight_cells *cells,
                           const ss_weight_spec *spec, ss_rep_adjust adjust, void *ctx,
                           ss_error *err)
{
    if (!cells)
        return ss_replicates_adjust(r, w0, adjust, ctx, err);
    if (r->col && materialize(r, w0) != 0)
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    return reweight_cells(r, w0, cells, spec, err);
}

/* ---- replicate estimates and their variance ---- */

struct ss_rep_work {
    double *sa, *sb; /* per PSU, or per pair */
    /* made replicates: the PSUs a call touched (mark, list); clean: sa, sb
     * and mark are all 0 */
    unsigned char *mark;
    size_t *list;
    int clean;
    /* adjusted on cells: per cell, sums (a then b), their nonzero pairs,
     * a replicate's sums and counts */
    double *scell, *ma, *mb;
    long *nzcell, *ca, *cb;
};

ss_rep_work *ss_rep_work_alloc(const ss_replicates *r)
{
    ss_rep_work *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    size_t np = r->npsu > r->npair ? r->npsu : r->npair;
    np = np ? np : 1;
    w->sa = malloc(np * sizeof *w->sa);
    w->sb = malloc(np * sizeof *w->sb);
    w->mark = malloc(np);
    w->list = malloc(np * sizeof *w->list);
    size_t nc = r->ncell ? r->ncell : 1;
    w->scell = malloc(2 * nc * sizeof *w->scell);
    w->ma = malloc(nc * sizeof *w->ma);
    w->mb = malloc(nc * sizeof *w->mb);
    w->nzcell = malloc(2 * nc * sizeof *w->nzcell);
    w->ca = malloc(nc * sizeof *w->ca);
    w->cb = malloc(nc * sizeof *w->cb);
    if (!w->sa || !w->sb || !w->mark || !w->list || !w->scell || !w->ma || !w->mb || !w->nzcell || !w->ca || !w->cb) {
        ss_rep_work_free(w);
        return NULL;
    }
    return w;
}

void ss_rep_work_free(ss_rep_work *w)
{
    if (!w)
        return;
    free(w->sa);
    free(w->sb);
    free(w->mark);
    free(w->list);
    free(w->scell);
    free(w->ma);
    free(w->mb);
    free(w->nzcell);
    free(w->ca);
    free(w->cb);
    free(w);
}

/* Adjusted on cells: A_k = sum over cells c of g_k(c) M_k(c), where
 * M_k(c) = sum over PSUs p of f_k(p) S(p, c) and S(p, c) is the sum of
 * w0 a over the rows of pair (p, c).  M_k is alpha_k times the cells' sums
 * plus (f_k(p) - alpha_k) S(p, c) for the few PSUs listed for replicate k;
 * a count of the pairs with S != 0 and f_k != 0 makes M_k(c) exactly 0
 * where the direct sum would be (a domain without weight in a replicate
 * gives NaN and is dropped, as per row). */
static void rep_sum_cells(const ss_replicates *r, ss_rep_work *wk, const double *s, double *M,
                          long *cnt, size_t k)
{
    const size_t nc = r->ncell;
    const double alpha = r->alpha[k];
    for (size_t c = 0; c < nc; c++) {
        M[c] = alpha * wk->scell[c];
        cnt[c] = alpha != 0 ? wk->nzcell[c] : 0;
    }
    for (size_t o = r->sp_off[k]; o < r->sp_off[k + 1]; o++) {
        size_t p = r->sp_psu[o];
        double f = r->sp_f[o], d = f - alpha;
        long dc = (f != 0) - (alpha != 0);
        for (size_t q = r->psu_pair[p]; q < r->psu_pair[p + 1]; q++) {
            if (s[q] == 0)
                continue;
            size_t c = r->pair_cell[q];
            M[c] += d * s[q];
            cnt[c] += dc;
        }
    }
}

static void rep_thetas_cells(const ss_replicates *r, ss_rep_work *wk, const size_t *rows,
                             const double *a, const double *b, int ratio, size_t m,
                             double *theta)
{
    const size_t nc = r->ncell;
    double *sa = wk->sa, *sb = wk->sb;
    wk->clean = 0;
    for (size_t q = 0; q < r->npair; q++)
        sa[q] = sb[q] = 0;
    for (size_t j = 0; j < m; j++) {
        size_t i = rows[j], q = r->pair[i];
        sa[q] += r->w0[i] * a[j];
        sb[q] += r->w0[i] * (b ? b[j] : 1);
    }
    for (int v = 0; v < 2; v++) {
        const double *s = v ? sb : sa;
        double *scell = v ? wk->scell + nc : wk->scell;
        long *nz = v ? wk->nzcell + nc : wk->nzcell;
        for (size_t c = 0; c < nc; c++) {
            scell[c] = 0;
            nz[c] = 0;
        }
        for (size_t q = 0; q < r->npair; q++) {
            scell[r->pair_cell[q]] += s[q];
            nz[r->pair_cell[q]] += s[q] != 0;
        }
    }
    for (size_t k = 0; k < r->nrep; k++) {
        const double *g = r->g + k * nc;
        double A = 0, B = 0;
        ss_rep_work shifted = *wk;
        rep_sum_cells(r, wk, sa, wk->ma, wk->ca, k);
        shifted.scell = wk->scell + nc;
        shifted.nzcell = wk->nzcell + nc;
        rep_sum_cells(r, &shifted, sb, wk->mb, wk->cb, k);
        for (size_t c = 0; c < nc; c++) {
            if (wk->ca[c])
                A += g[c] * wk->ma[c];
            if (wk->cb[c])
                B += g[c] * wk->mb[c];
        }
        theta[k] = ratio ? A / B : A;
    }
}

/* ---- per-row replicates: one pass over the rows in blocks ----
 *
 * Replicate weights of a block of TH_ROWS rows for a chunk of up to
 * TH_REPS replicates are gathered (from the columns, or from w) into a
 * rows x replicates block X in L1, and each row then adds into the chunk's
 * accumulators, replicates innermost (independent sums the compiler
 * vectorizes).  Each replicate's sums run over the rows in order, as the
 * plain loop `A_k += x a_j` does, so the results are the same doubles; the
 * replicates are split between two threads, which changes nothing. */
enum { TH_ROWS = 32, TH_REPS = 64, TH_MIN_WORK = 1 << 20 };

int ss_rep_per_row(const ss_replicates *r)
{
    return r->w != NULL || r->col != NULL;
}

typedef struct th_job {
    const ss_replicates *r;
    const size_t *rows;
    const double *a, *b; /* ss_rep_thetas */
    int ratio;
    size_t m;
    const int32_t *lev; /* ss_rep_thetas_levels */
    size_t nlev;
    double *theta;      /* ss_rep_thetas: nrep */
    double *A, *B;      /* ss_rep_thetas_levels */
    size_t k0, k1;
    /* made replicates: sums per PSU, over the PSUs plist[0..pn) (NULL:
     * 0..pn) */
    const double *sa, *sb;
    const size_t *plist;
    size_t pn;
} th_job;

static int cmp_size(const void *x, const void *y)
{
    size_t a = *(const size_t *)x, b = *(const size_t *)y;
    return (a > b) - (a < b);
}

static void th_run_psu(th_job *j)
{
    const ss_replicates *r = j->r;
    const size_t np = r->npsu;
    for (size_t k = j->k0; k < j->k1; k++) {
        const double *f = r->factor + k * np;
        double A = 0, B = 0;
        if (j->plist) {
            for (size_t t = 0; t < j->pn; t++) {
                size_t p = j->plist[t];
                A += f[p] * j->sa[p];
                B += f[p] * j->sb[p];
            }
        } else {
            for (size_t p = 0; p < np; p++) {
                A += f[p] * j->sa[p];
                B += f[p] * j->sb[p];
            }
        }
        j->theta[k] = j->ratio ? A / B : A;
    }
}

static void th_gather(const ss_replicates *r, size_t k0, size_t kn, const size_t *rows,
                      size_t nb, double *X)
{
    for (size_t q = 0; q < kn; q++) {
        double *x = X + q;
        if (r->col) {
            const ss_column *c = r->col[k0 + q];
            for (size_t j = 0; j < nb; j++)
                x[j * TH_REPS] = ss_column_num(c, rows[j]);
        } else {
            const double *wr = r->w + (k0 + q) * r->n;
            for (size_t j = 0; j < nb; j++)
                x[j * TH_REPS] = wr[rows[j]];
        }
    }
}

static void th_run(th_job *j)
{
    if (j->sa) {
        th_run_psu(j);
        return;
    }
    const ss_replicates *r = j->r;
    const size_t nrep = r->nrep, m = j->m;
    double X[TH_ROWS * TH_REPS], SA[TH_REPS], SB[TH_REPS];
    for (size_t k0 = j->k0; k0 < j->k1; k0 += TH_REPS) {
        const size_t kn = j->k1 - k0 < TH_REPS ? j->k1 - k0 : TH_REPS;
        if (j->lev) {
            for (size_t l = 0; l < j->nlev; l++)
                for (size_t q = 0; q < kn; q++)
                    j->A[l * nrep + k0 + q] = 0;
        }
        for (size_t q = 0; q < kn; q++)
            SA[q] = SB[q] = 0;
        for (size_t j0 = 0; j0 < m; j0 += TH_ROWS) {
            const size_t nb = m - j0 < TH_ROWS ? m - j0 : TH_ROWS;
            th_gather(r, k0, kn, j->rows + j0, nb, X);
            if (j->lev) {
                for (size_t t = 0; t < nb; t++) {
                    const double *x = X + t * TH_REPS;
                    int32_t l = j->lev[j0 + t];
                    if (l >= 0) {
                        double *A = j->A + (size_t)l * nrep + k0;
                        for (size_t q = 0; q < kn; q++)
                            A[q] += x[q];
                    }
                    if (j->B)
                        for (size_t q = 0; q < kn; q++)
                            SB[q] += x[q];
                }
                continue;
            }
            for (size_t t = 0; t < nb; t++) {
                const double *x = X + t * TH_REPS;
                const double ya = j->a[j0 + t], yb = j->b ? j->b[j0 + t] : 1;
                for (size_t q = 0; q < kn; q++) {
                    SA[q] += x[q] * ya;
                    SB[q] += x[q] * yb;
                }
            }
        }
        for (size_t q = 0; q < kn; q++) {
            if (j->lev) {
                if (j->B)
                    j->B[k0 + q] = SB[q];
            } else {
                j->theta[k0 + q] = j->ratio ? SA[q] / SB[q] : SA[q];
            }
        }
    }
}

static void *th_thread(void *arg)
{
    th_run(arg);
    return NULL;
}

/* j over every replicate: on two threads, half the replicates each, when
 * the work is large enough to pay for a thread. */
static void th_run_split(th_job *j)
{
    const size_t nrep = j->r->nrep;
    th_job h[2] = {*j, *j};
    h[0].k0 = 0;
    h[0].k1 = h[1].k1 = nrep;
    h[1].k0 = nrep;
    const double work = (double)(j->sa ? j->pn : j->m) * (double)nrep;
    if (ss_thread_count() > 1 && nrep >= 2 && work >= TH_MIN_WORK) {
        /* whole chunks of replicates on each side */
        size_t half = (nrep / 2 + TH_REPS - 1) / TH_REPS * TH_REPS;
        if (nrep <= 2 * TH_REPS || half >= nrep)
            half = nrep / 2;
        h[0].k1 = h[1].k0 = half;
    }
    pthread_t tid;
    int two = h[1].k0 < nrep && pthread_create(&tid, NULL, th_thread, &h[1]) == 0;
    th_run(&h[0]);
    if (two)
        pthread_join(tid, NULL);
    else if (h[1].k0 < nrep)
        th_run(&h[1]);
}

void ss_rep_thetas_levels(const ss_replicates *r, const size_t *rows, const int32_t *lev,
                          size_t nlev, size_t m, double *A, double *B)
{
    th_job j = {r, rows, NULL, NULL, 0, m, lev, nlev, NULL, A, B, 0, 0};
    th_run_split(&j);
}

void ss_rep_thetas(const ss_replicates *r, ss_rep_work *wk, const double *w, const size_t *rows,
                   const double *a, const double *b, int ratio, size_t m, double *theta)
{
    if (r->g && !r->trim) {
        rep_thetas_cells(r, wk, rows, a, b, ratio, m, theta);
        return;
    }
    if (r->w || r->col) {
        th_job j = {r, rows, a, b, ratio, m, NULL, 0, theta, NULL, NULL, 0, 0};
        th_run_split(&j);
        return;
    }
    if (r->g) { /* adjusted on cells and trimmed */
        for (size_t k = 0; k < r->nrep; k++) {
            double A = 0, B = 0;
            for (size_t j = 0; j < m; j++) {
                double x = ss_replicates_weight(r, NULL, k, rows[j]);
                A += x * a[j];
                B += x * (b ? b[j] : 1);
            }
            theta[k] = ratio ? A / B : A;
        }
        return;
    }
    /* Made replicates: the rows' sums per PSU in one pass, then per
     * replicate the PSUs' sums times its factors.  A domain that touches
     * few PSUs sums over those alone, in PSU order (the others add +0 in
     * the plain sum over every PSU: the same doubles). */
    size_t np = r->npsu, nt = 0;
    if (!wk->clean) {
        for (size_t p = 0; p < np; p++) {
            wk->sa[p] = wk->sb[p] = 0;
            wk->mark[p] = 0;
        }
    }
    for (size_t j = 0; j < m; j++) {
        size_t i = rows[j], p = r->psu ? r->psu[i] : i;
        if (!wk->mark[p]) {
            wk->mark[p] = 1;
            wk->list[nt++] = p;
        }
        wk->sa[p] += w[i] * a[j];
        wk->sb[p] += w[i] * (b ? b[j] : 1);
    }
    const int sparse = nt < np / 4;
    if (sparse)
        qsort(wk->list, nt, sizeof *wk->list, cmp_size);
    th_job j = {r, rows, a, b, ratio, m, NULL, 0, theta, NULL, NULL, 0, 0};
    j.sa = wk->sa;
    j.sb = wk->sb;
    j.plist = sparse ? wk->list : NULL;
    j.pn = sparse ? nt : np;
    th_run_split(&j);
    for (size_t t = 0; t < nt; t++) {
        size_t p = wk->list[t];
        wk->sa[p] = wk->sb[p] = 0;
        wk->mark[p] = 0;
    }
    wk->clean = 1;
}

int ss_rep_variance(const ss_replicates *r, const double *theta, double coef, double *var,
                    ss_error *err)
{
    double center = coef;
    size_t used = 0;
    if (!r->mse) {
        double s = 0;
        size_t c = 0;
        for (size_t k = 0; k < r->nrep; k++)
            if (!isnan(theta[k]) && r->rscales[k] > 0) {
                s += theta[k];
                c++;
            }
        center = c ? s / (double)c : NAN;
    }
    double v = 0;
    for (size_t k = 0; k < r->nrep; k++)
        if (!isnan(theta[k])) {
            v += r->rscales[k] * (theta[k] - center) * (theta[k] - center);
            used++;
        }
    (void)err;
    *var = r->nrep == 0 ? 0 : used ? v * r->scale : NAN;
    return SS_OK;
}

double ss_replicates_mask_df(const ss_replicates *r, const double *w, const unsigned char *keep,
                             size_t n, double fallback)
{
    size_t *rows = keep ? malloc((n ? n : 1) * sizeof *rows) : NULL, m = 0;
    if (!rows)
        return fallback;
    for (size_t i = 0; i < n; i++)
        if (keep[i])
            rows[m++] = i;
    double df = ss_replicates_rows_df(r, w, rows, m, fallback);
    free(rows);
    return df;
}
