/* ss_xtab: weighted cross-tables for reports (ss_xtab.h); layer stats.
 *
 * One pass puts every present row in its cell; the design variance of
 * the cells' totals comes from ss_design_vcov_cells (one-stage designs,
 * linear in the rows), else from ss_design_vcov_add in chunks, else (a
 * calibrated design, whose scores are rewritten as residuals) from
 * ss_design_vcov over the dense scores.  Every count, percentage, logit
 * coefficient and mark difference is then a quadratic form in that
 * variance.  The logit interval needs, per domain, the first iteration's
 * terms of glm's fit (ss_prop_logit_pre_row): one more pass over the rows
 * accumulates them per cell. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MATHLIB_STANDALONE 1
#include <Rmath.h>

#include "ss_replicate.h"
#include "ss_xtab.h"

#define CHUNK 1024

void ss_xtab_free(ss_xtab *x)
{
    if (!x)
        return;
    free(x->rcode);
    free(x->ccode);
    free(x->cell);
    memset(x, 0, sizeof *x);
}

/* c' V c for a vector c of p entries. */
static double qform(const double *V, const double *c, size_t p)
{
    double s = 0;
    for (size_t i = 0; i < p; i++) {
        if (c[i] == 0)
            continue;
        double r = 0;
        const double *Vi = V + i * p;
        for (size_t j = 0; j < p; j++)
            r += Vi[j] * c[j];
        s += c[i] * r;
    }
    return s < 0 ? 0 : s;
}

/* The levels of a column in presentation order and the index of each code
 * (-1: a code of no level). */
static int levels(const ss_column *col, int32_t **order, size_t *n, int32_t **index)
{
    size_t nl = col->levels.n;
    *order = malloc((nl ? nl : 1) * sizeof **order);
    *index = malloc((nl ? nl : 1) * sizeof **index);
    if (!*order || !*index)
        return -1;
    *n = ss_column_level_order(col, *order);
    for (size_t k = 0; k < nl; k++)
        (*index)[k] = -1;
    for (size_t k = 0; k < *n; k++)
        (*index)[(*order)[k]] = (int32_t)k;
    return 0;
}

/* Tables of up to this many cells take the design variance through
 * ss_design_vcov_add (or ss_design_vcov), with the margins as score
 * columns of their own: their variances then come out as R's svytotal of
 * the margin gives them (a stratum whose units all hold the same margin
 * total: exactly 0), not as sums of the cells' covariances, which leave
 * rounding of about 1e-16 of those.  Larger tables go through
 * ss_design_vcov_cells (sparse, linear in the rows) and sum the cells. */
#define DENSE_CELLS 256

/* Scores per row: its cell, its row's and its column's margin, the total. */
#define SCORES 4

/* The design variance V (p x p) of the cells' totals, and Vm (nr + q + 1)
 * the variances of the row margins, the column margins and the total (NaN
 * when they are to be summed from V). */
static int cells_vcov(const ss_design *d, const size_t *rows, const size_t *cell, size_t m,
                      size_t nr, size_t q, double *V, double *Vm, ss_error *err)
{
    const size_t p = nr * q, nm = nr + q + 1, pe = p + nm;
    int rc = -1;
    for (size_t k = 0; k < nm; k++)
        Vm[k] = NAN;
    if (p > DENSE_CELLS) {
        double *a = malloc((m ? m : 1) * sizeof *a);
        if (!a)
            return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        for (size_t k = 0; k < m; k++)
            a[k] = d->w[rows[k]];
        rc = ss_design_vcov_cells(d, rows, cell, a, m, p, V, err);
        free(a);
    }
    if (rc != -1)
        return rc;
    ss_design_work *dw = ss_design_work_alloc(d, pe);
    double *Ve = malloc(pe * pe * sizeof *Ve);
    size_t zrows = d->ncal == 0 ? CHUNK : m ? m : 1;
    double *z = calloc(zrows * pe, sizeof *z);
    if (!dw || !Ve || !z) {
        ss_design_work_free(dw);
        free(Ve);
        free(z);
        return ss_error_set(err, SS_EDATA, NULL, 0,
                            "out of memory (the scores of %zu rows by %zu cells)", zrows, pe);
    }
    size_t col[SCORES];
    if (d->ncal == 0) {
        for (size_t k0 = 0; k0 < m; k0 += CHUNK) {
            size_t len = m - k0 < CHUNK ? m - k0 : CHUNK;
            for (size_t k = 0; k < len; k++) {
                size_t c = cell[k0 + k];
                col[0] = c, col[1] = p + c / q, col[2] = p + nr + c % q, col[3] = pe - 1;
                for (size_t s = 0; s < SCORES; s++)
                    z[k * pe + col[s]] = d->w[rows[k0 + k]];
            }
            ss_design_vcov_add(d, dw, rows + k0, z, len, pe);
            for (size_t k = 0; k < len; k++) {
                size_t c = cell[k0 + k];
                col[0] = c, col[1] = p + c / q, col[2] = p + nr + c % q, col[3] = pe - 1;
                for (size_t s = 0; s < SCORES; s++)
                    z[k * pe + col[s]] = 0;
            }
        }
        rc = ss_design_vcov_end(d, dw, pe, Ve, err);
    } else {
        for (size_t k = 0; k < m; k++) {
            size_t c = cell[k];
            col[0] = c, col[1] = p + c / q, col[2] = p + nr + c % q, col[3] = pe - 1;
            for (size_t s = 0; s < SCORES; s++)
                z[k * pe + col[s]] = d->w[rows[k]];
        }
        rc = ss_design_vcov(d, dw, rows, z, m, pe, Ve, err);
    }
    if (rc == SS_OK) {
        for (size_t i = 0; i < p; i++)
            memcpy(V + i * p, Ve + i * pe, p * sizeof *V);
        for (size_t k = 0; k < nm; k++)
            Vm[k] = Ve[(p + k) * pe + p + k];
    }
    ss_design_work_free(dw);
    free(Ve);
    free(z);
    return rc;
}

/* The indicator over the p = nr x q body cells of table cell (a, b):
 * a body cell, a row or column margin, or the whole table. */
static void cells_of(size_t nr, size_t q, size_t nc, size_t a, size_t b, double *u)
{
    for (size_t i = 0; i < nr; i++)
        for (size_t j = 0; j < q; j++)
            u[i * q + j] = (a == nr || a == i) && (b == nc || b == j) ? 1 : 0;
}

/* The percentage's denominator cell: the row or column total, or the
 * whole table. */
static void den_of(const ss_xtab_options *o, size_t nr, size_t nc, size_t a, size_t b,
                   size_t *da, size_t *db)
{
    *da = o->pct == SS_XTAB_ROW ? a : nr;
    *db = o->pct == SS_XTAB_COL ? b : nc;
}

/* A flag word appended to buf. */
static void add_flag(char *buf, size_t size, const char *f)
{
    size_t len = strlen(buf);
    snprintf(buf + len, size - len, "%s%s", len ? " " : "", f);
}

/* StatCan and ONS quality flags from the CV and the cell's rows. */
static void cv_flags(ss_xtab_flags f, double cv, double n, char *buf, size_t size)
{
    if (f == SS_XTAB_FLAGS_STATCAN) {
        if (n < 10 || cv > 0.333)
            add_flag(buf, size, "F");
        else if (cv >= 0.166)
            add_flag(buf, size, "E");
    } else if (f == SS_XTAB_FLAGS_ONS) {
        if (cv >= 0.20)
            add_flag(buf, size, "u");
    } else if (f == SS_XTAB_FLAGS_NCHS) {
        if (cv > 0.30)
            add_flag(buf, size, "R");
    }
}

/* Does flag text say suppress?  NCHS Px, StatCan F; ONS never
 * suppresses (u marks low reliability). */
static int says_suppress(const char *flag)
{
    char buf[32];
    snprintf(buf, sizeof buf, " %s ", flag);
    return strstr(buf, " Px ") || strstr(buf, " F ");
}

/* Complementary suppression (the rule of docs/table.md): while a line of
 * the table (a row or a column, the totals' lines included) shows its
 * total and blanks exactly one of its body cells, that cell is the total
 * minus the others: blank the shown body cell of the line with the
 * smallest count as well (the first in code order on a tie). */
/* One line of n body cells (stride apart) with its total: 1 when it blanked
 * a complementary cell. */
static int complement_line(ss_xtab_cell *first, size_t stride, size_t n,
                           const ss_xtab_cell *total)
{
    if (total->suppressed)
        return 0;
    size_t blank = 0;
    ss_xtab_cell *best = NULL;
    for (size_t k = 0; k < n; k++) {
        ss_xtab_cell *c = first + k * stride;
        if (c->suppressed)
            blank++;
        else if (!best || c->count < best->count)
            best = c;
    }
    if (blank != 1 || !best)
        return 0;
    best->suppressed = SS_XTAB_COMPLEMENT;
    return 1;
}

static void complement(ss_xtab *x)
{
    const size_t nr = x->nr, nc = x->nc, w = nc + 1;
    int changed = 1;
    while (changed) {
        changed = 0;
        /* rows, the total row too: body columns 0..nc-1, total nc (a
         * one-way table has no body columns) */
        for (size_t a = 0; a <= nr && nc > 0; a++)
            changed |= complement_line(&x->cell[a * w], 1, nc, &x->cell[a * w + nc]);
        /* columns, the total column too: body rows 0..nr-1, total nr */
        for (size_t b = 0; b <= nc; b++)
            changed |= complement_line(&x->cell[b], w, nr, &x->cell[nr * w + b]);
    }
}

typedef struct xwork {
    const ss_design *d;
    ss_design_work *dw;
    size_t m, p, q, ndom;
    const size_t *rows, *cell;
    size_t *drows;       /* the present rows by domain (partition) */
    size_t *doff;        /* ndom + 1 */
    size_t *dcell;       /* their cells */
    double *ddf;         /* per domain (ndom: the whole table) */
    ss_logit_pre *pre;   /* per domain (ndom: the whole table) */
    double *S1, *A1;     /* per cell: partition domains, then whole: 2p */
    double *y, *z;       /* scratch for ss_prop_ci */
    /* replicate designs: the replicate totals of every cell and margin,
     * nrep x pe (columns as col_of), and scratch of nrep */
    const ss_replicates *rep;
    double *Rt, *theta;
    size_t pe, nr, nc;
    /* Taylor: V v for each denominator v a percentage uses (by col_of;
     * made when first needed), and the nonzero entries of u and c */
    double **Vv;
    size_t *nzu, *nzc;
} xwork;

/* The column of cell (a, b) among the replicate totals: a body cell, a
 * row margin, a column margin, the table's total. */
static size_t col_of(const xwork *xw, size_t a, size_t b)
{
    const size_t nr = xw->nr, nc = xw->nc, q = xw->q, p = xw->p;
    if (a < nr && b < nc)
        return a * q + b;
    if (a < nr)
        return p + a;
    if (b < nc)
        return p + nr + b;
    return p + nr + q;
}

/* Replicate designs: Rt[k][col] = the replicate-k total of each cell and
 * margin (ss_rep_thetas over its rows, as R's svrepdesign re-evaluates
 * svytotal), the margins from their own rows. */
static int rep_totals(xwork *xw)
{
    const size_t m = xw->m, p = xw->p, q = xw->q, nrep = xw->rep->nrep, pe = xw->pe;
    size_t *grows = malloc((m ? m : 1) * sizeof *grows), *off = calloc(pe + 1, sizeof *off);
    size_t *gof = malloc((m ? m : 1) * sizeof *gof);
    double *ones = malloc((m ? m : 1) * sizeof *ones);
    ss_rep_work *rw = ss_rep_work_alloc(xw->rep);
    xw->Rt = calloc(nrep * pe + 1, sizeof *xw->Rt);
    xw->theta = malloc((nrep + 1) * sizeof *xw->theta);
    int rc = 0;
    if (!grows || !off || !gof || !ones || !rw || !xw->Rt || !xw->theta) {
        rc = -1;
        goto out;
    }
    for (size_t k = 0; k < m; k++)
        ones[k] = 1;
    for (int type = 0; type < 4; type++) {
        size_t base = type == 0 ? 0 : type == 1 ? p : type == 2 ? p + xw->nr : p + xw->nr + q;
        size_t ng = type == 0 ? p : type == 1 ? xw->nr : type == 2 ? q : 1;
        memset(off, 0, (ng + 1) * sizeof *off);
        for (size_t k = 0; k < m; k++) {
            size_t c = xw->cell[k];
            gof[k] = type == 0 ? c : type == 1 ? c / q : type == 2 ? c % q : 0;
            off[gof[k] + 1]++;
        }
        for (size_t g = 0; g < ng; g++)
            off[g + 1] += off[g];
        for (size_t k = 0; k < m; k++)
            grows[off[gof[k]]++] = xw->rows[k];
        for (size_t g = ng; g > 0; g--) /* back to the starts */
            off[g] = off[g - 1];
        off[0] = 0;
        for (size_t g = 0; g < ng; g++) {
            size_t len = off[g + 1] - off[g];
            if (len == 0)
                continue;
            ss_rep_thetas(xw->rep, rw, xw->d->w, grows + off[g], ones, NULL, 0, len, xw->theta);
            for (size_t r = 0; r < nrep; r++)
                xw->Rt[r * pe + base + g] = xw->theta[r];
        }
    }
out:
    free(grows);
    free(off);
    free(gof);
    free(ones);
    ss_rep_work_free(rw);
    return rc;
}

/* The replicate variance of the ratio of columns n and d (d = SIZE_MAX:
 * of column n itself) about est; n2, d2 (n2 < SIZE_MAX) subtract a second
 * ratio (a mark's difference). */
static int rep_var(const xwork *xw, size_t n, size_t d, size_t n2, size_t d2, double est,
                   double *var, ss_error *err)
{
    const size_t nrep = xw->rep->nrep, pe = xw->pe;
    for (size_t r = 0; r < nrep; r++) {
        const double *R = xw->Rt + r * pe;
        double t = d == SIZE_MAX ? R[n] : R[d] > 0 ? R[n] / R[d] : NAN;
        if (n2 != SIZE_MAX)
            t -= R[d2] > 0 ? R[n2] / R[d2] : NAN;
        xw->theta[r] = t;
    }
    return ss_rep_variance(xw->rep, xw->theta, est, var, err);
}

/* The domain index of cell (a, b)'s percentage: ndom for the whole table. */
static size_t dom_of(const ss_xtab_options *o, const ss_xtab *x, size_t ndom, size_t a,
                     size_t b)
{
    if (o->pct == SS_XTAB_ROW)
        return a < x->nr ? a : ndom;
    if (o->pct == SS_XTAB_COL)
        return x->nc > 0 && b < x->nc ? b : ndom;
    return ndom;
}

/* c' V c for c = u - P v, u and v a percentage's numerator and
 * denominator cells (v the denominator at col_of key), in time linear in
 * the cells: (V c)_i = (V u)_i - P (V v)_i over the nonzero c_i only, V v
 * kept per denominator (made once, over v's cells in order), V u over u's
 * few cells.  Where u and v agree on every cell whose row of V is not
 * zero, the two terms are the same sums and c' V c is exactly 0.  c (of p)
 * is filled with u - P v.  -1: out of memory. */
static int ratio_form(xwork *xw, const double *V, const double *u, const double *v, double P,
                      size_t key, double *c, double *out)
{
    const size_t p = xw->p;
    if (!xw->Vv && !(xw->Vv = calloc(xw->pe ? xw->pe : 1, sizeof *xw->Vv)))
        return -1;
    if (!xw->nzu && !(xw->nzu = malloc((p ? p : 1) * sizeof *xw->nzu)))
        return -1;
    if (!xw->nzc && !(xw->nzc = malloc((p ? p : 1) * sizeof *xw->nzc)))
        return -1;
    double *Vv = xw->Vv[key];
    if (!Vv) {
        if (!(Vv = xw->Vv[key] = malloc((p ? p : 1) * sizeof *Vv)))
            return -1;
        size_t nv = 0;
        for (size_t j = 0; j < p; j++)
            if (v[j] != 0)
                xw->nzc[nv++] = j;
        for (size_t i = 0; i < p; i++) {
            const double *Vi = V + i * p;
            double r = 0;
            for (size_t k = 0; k < nv; k++)
                r += Vi[xw->nzc[k]] * v[xw->nzc[k]];
            Vv[i] = r;
        }
    }
    size_t nu = 0, nc = 0;
    for (size_t k = 0; k < p; k++) {
        c[k] = u[k] - P * v[k];
        if (u[k] != 0)
            xw->nzu[nu++] = k;
        if (c[k] != 0)
            xw->nzc[nc++] = k;
    }
    /* (V u)_i read down u's rows of V (V is symmetric up to rounding:
     * what the cells' totals give), so that consecutive i are adjacent */
    double s = 0;
    for (size_t a = 0; a < nc; a++) {
        size_t i = xw->nzc[a];
        double r = 0;
        for (size_t k = 0; k < nu; k++)
            r += V[xw->nzu[k] * p + i] * u[xw->nzu[k]];
        s += c[i] * (r - P * Vv[i]);
    }
    *out = s < 0 ? 0 : s;
    return 0;
}

/* The percentage (P = N / D) of a cell with its interval; u and v are its
 * numerator's and domain's cells, scratch c of p. */
static int percentage(xwork *xw, const ss_xtab_options *o, double df, size_t dom,
                      const double *T, const double *V, const double *u, const double *v,
                      size_t ua, size_t ub, size_t va, size_t vb, double *c, ss_xtab_cell *cl,
                      ss_error *err)
{
    const size_t p = xw->p;
    double N = 0, D = 0, nd = 0;
    for (size_t k = 0; k < p; k++) {
        N += u[k] * T[k];
        D += v[k] * T[k];
    }
    const size_t *list = dom < xw->ndom ? xw->drows + xw->doff[dom] : xw->rows;
    const size_t len = dom < xw->ndom ? xw->doff[dom + 1] - xw->doff[dom] : xw->m;
    nd = (double)len;
    cl->n_dom = nd;
    if (!(D > 0) || len == 0)
        return SS_OK; /* an empty domain: no percentage */
    const double P = N / D;
    cl->pct = P;
    int same = 1;
    for (size_t k = 0; k < p; k++)
        same &= u[k] == v[k];
    if (same) { /* the domain's own total: 100% by definition */
        cl->pct = 1;
        cl->pct_se = 0;
        cl->pct_lo = cl->pct_hi = 1;
        cl->pct_cv = 0;
        return SS_OK;
    }
    double var;
    if (xw->rep) {
        int rc0 = rep_var(xw, col_of(xw, ua, ub), col_of(xw, va, vb), SIZE_MAX, 0, P, &var, err);
        if (rc0 != SS_OK)
            return rc0;
    } else {
        if (ratio_form(xw, V, u, v, P, col_of(xw, va, vb), c, &var) != 0)
            return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        var /= D * D;
    }
    cl->pct_se = sqrt(var);
    cl->pct_cv = P != 0 ? cl->pct_se / P : NAN;
    double ne = var > 0 ? P * (1 - P) / var : INFINITY;
    cl->n_eff = ne < nd ? ne : nd;
    const double ddf = xw->ddf ? xw->ddf[dom < xw->ndom ? dom : xw->ndom] : NAN;
    (void)T;
    double idf = df;
    if (o->ci_method == SS_CI_BETA && o->df_mode == SS_DF_DESIGN)
        idf = ddf; /* R's svyciprop "beta" uses the domain's own df */
    int rc = SS_OK, fallback = 1;
    if (xw->rep && (o->ci_method == SS_CI_LOGIT || o->ci_method == SS_CI_LIKELIHOOD) && P > 0 &&
        P < 1) {
        /* R's svyciprop on a replicate design: the logit coefficient of the
         * full sample refitted on every replicate, svrVar of those */
        for (size_t k = 0; k < len; k++) {
            size_t cc = dom < xw->ndom ? xw->dcell[xw->doff[dom] + k] : xw->cell[k];
            xw->y[k] = u[cc] != 0 ? 1 : 0;
        }
        ss_prop_input in = {xw->d, xw->dw, list, xw->y, len, P, var, o->level, idf, ddf, NULL};
        double b, vcoef;
        fallback = 0;
        if (ss_prop_logit_coef(&in, xw->z, &b) != 0) {
            cl->noci = 1;
        } else {
            rc = rep_var(xw, col_of(xw, ua, ub), col_of(xw, va, vb), SIZE_MAX, 0, P, &vcoef, err);
            if (rc == SS_OK) {
                /* rep_var left the replicate proportions in theta */
                if (ss_prop_logit_refit(b, xw->theta, xw->rep->nrep) != 0)
                    cl->noci = 1;
                else
                    rc = ss_rep_variance(xw->rep, xw->theta, b, &vcoef, err);
            }
            if (cl->noci) {
                cl->pct_lo = cl->pct_hi = NAN;
            } else if (rc == SS_OK && o->ci_method == SS_CI_LOGIT) {
                ss_prop_logit_interval(b, vcoef, o->level, idf, &cl->pct_lo, &cl->pct_hi);
            } else if (rc == SS_OK) {
                rc = ss_prop_likelihood_ci(&in, vcoef, xw->z, &cl->pct_lo, &cl->pct_hi, err);
                if (rc == SS_PROP_NOCI) {
                    cl->noci = 1;
                    cl->pct_lo = cl->pct_hi = NAN;
                    ss_error_clear(err);
                    rc = SS_OK;
                }
            }
        }
    } else if (o->ci_method == SS_CI_LOGIT && P > 0 && P < 1 && xw->pre) {
        const double *S1 = xw->S1 + (dom < xw->ndom ? 0 : p);
        const double *A1 = xw->A1 + (dom < xw->ndom ? 0 : p);
        double s1 = 0, a1 = 0, beta, mu, g;
        for (size_t k = 0; k < p; k++)
            if (u[k] != 0) {
                s1 += S1[k];
                a1 += A1[k];
            }
        int fit = ss_prop_logit_sums(&xw->pre[dom < xw->ndom ? dom : xw->ndom], s1, a1, &beta,
                                     &mu, &g);
        if (fit == 0) {
            double vb_;
            if (ratio_form(xw, V, u, v, mu, col_of(xw, va, vb), c, &vb_) != 0)
                return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
            ss_prop_logit_interval(beta, g * g * vb_, o->level, idf, &cl->pct_lo, &cl->pct_hi);
            fallback = 0;
        } else if (fit < 0) {
            cl->noci = 1;
            fallback = 0;
        }
    }
    if (fallback) {
        for (size_t k = 0; k < len; k++) {
            size_t cc = dom < xw->ndom ? xw->dcell[xw->doff[dom] + k] : xw->cell[k];
            xw->y[k] = u[cc] != 0 ? 1 : 0;
        }
        ss_prop_input in = {xw->d, xw->dw, list, xw->y, len, P, var, o->level, idf,
                            o->df_mode == SS_DF_DESIGN ? ddf : idf, NULL};
        rc = ss_prop_ci(o->ci_method, &in, xw->z, &cl->pct_lo, &cl->pct_hi, err);
        if (rc == SS_PROP_NOCI) {
            cl->noci = 1;
            cl->pct_lo = cl->pct_hi = NAN;
            ss_error_clear(err);
            rc = SS_OK;
        }
    }
    if (rc != SS_OK)
        return rc;
    if (o->flags == SS_XTAB_FLAGS_NCHS && !o->suppress_counts)
        ss_prop_nchs(P, var, nd, ddf, cl->pflag, sizeof cl->pflag);
    else if (o->flags != SS_XTAB_FLAGS_NONE && !o->suppress_counts)
        cv_flags(o->flags, cl->pct_cv, cl->n, cl->pflag, sizeof cl->pflag);
    if (cl->noci)
        add_flag(cl->pflag, sizeof cl->pflag, "CIx");
    return SS_OK;
}

/* The percentage of cell (a, b) as coefficient vector (u - P v) / D and P. */
static double pct_score(const ss_xtab_options *o, const ss_xtab *x, size_t q, const double *T,
                        size_t a, size_t b, double *c)
{
    const size_t nr = x->nr, nc = x->nc, p = nr * q;
    size_t da, db;
    den_of(o, nr, nc, a, b, &da, &db);
    double *u = c, N = 0, D = 0;
    for (size_t i = 0; i < nr; i++)
        for (size_t j = 0; j < q; j++) {
            int in_u = (a == nr || a == i) && (b == nc || b == j);
            int in_v = (da == nr || da == i) && (db == nc || db == j);
            u[i * q + j] = in_u ? 1 : 0;
            N += in_u ? T[i * q + j] : 0;
            D += in_v ? T[i * q + j] : 0;
        }
    double P = D > 0 ? N / D : NAN;
    for (size_t i = 0; i < nr; i++)
        for (size_t j = 0; j < q; j++) {
            int in_v = (da == nr || da == i) && (db == nc || db == j);
            c[i * q + j] = (u[i * q + j] - (in_v ? P : 0)) / D;
        }
    (void)p;
    return P;
}

/* The mark of cell (a, b) against cell (a2, b2): a t test of the
 * difference of their percentages, both linearized on the same design. */
static int mark_cell(const xwork *xw, const ss_xtab_options *o, ss_xtab *x, size_t q,
                     const double *T, const double *V, size_t a, size_t b, size_t a2, size_t b2,
                     double *c1, double *c2, ss_error *err)
{
    const size_t p = x->nr * q;
    ss_xtab_cell *cl = ss_xtab_at(x, a, b);
    double P1 = pct_score(o, x, q, T, a, b, c1);
    double P2 = pct_score(o, x, q, T, a2, b2, c2);
    if (isnan(P1) || isnan(P2))
        return SS_OK;
    double se, diff = P1 - P2;
    if (xw->rep) {
        size_t da, db, da2, db2;
        den_of(o, x->nr, x->nc, a, b, &da, &db);
        den_of(o, x->nr, x->nc, a2, b2, &da2, &db2);
        double var;
        int rc = rep_var(xw, col_of(xw, a, b), col_of(xw, da, db), col_of(xw, a2, b2),
                         col_of(xw, da2, db2), diff, &var, err);
        if (rc != SS_OK)
            return rc;
        se = sqrt(var);
    } else {
        for (size_t k = 0; k < p; k++)
            c1[k] -= c2[k];
        se = sqrt(qform(V, c1, p));
    }
    double pv;
    if (se > 0)
        pv = isinf(x->df) ? 2 * pnorm(-fabs(diff / se), 0, 1, 1, 0)
                          : 2 * pt(-fabs(diff / se), x->df, 1, 0);
    else
        pv = diff != 0 ? 0 : 1;
    cl->mark_p = pv;
    cl->mark = pv < 1 - o->level;
    x->nmarked += cl->mark != 0;
    return SS_OK;
}

static void xwork_free(xwork *xw)
{
    ss_design_work_free(xw->dw);
    free(xw->drows);
    free(xw->doff);
    free(xw->dcell);
    free(xw->ddf);
    free(xw->pre);
    free(xw->S1);
    free(xw->A1);
    free(xw->y);
    free(xw->z);
    free(xw->Rt);
    free(xw->theta);
    if (xw->Vv)
        for (size_t k = 0; k < xw->pe; k++)
            free(xw->Vv[k]);
    free(xw->Vv);
    free(xw->nzu);
    free(xw->nzc);
}

/* Per domain (partition, then the whole table at ndom): the first
 * iteration's terms of the logit fit, and per cell the sums of the prior
 * weights and of a. */
static int logit_terms(xwork *xw)
{
    const size_t p = xw->p, ndom = xw->ndom;
    ss_logit_memo *memo = malloc(sizeof *memo);
    xw->pre = calloc(ndom + 1, sizeof *xw->pre);
    xw->S1 = calloc(2 * p, sizeof *xw->S1);
    xw->A1 = calloc(2 * p, sizeof *xw->A1);
    if (!memo || !xw->pre || !xw->S1 || !xw->A1) {
        free(memo);
        return -1;
    }
    ss_logit_memo_init(memo);
    const double *w = xw->d->w;
    for (size_t dm = 0; dm <= ndom; dm++) {
        const size_t *list = dm < ndom ? xw->drows + xw->doff[dm] : xw->rows;
        const size_t *cells = dm < ndom ? xw->dcell + xw->doff[dm] : xw->cell;
        size_t len = dm < ndom ? xw->doff[dm + 1] - xw->doff[dm] : xw->m;
        double *S1 = xw->S1 + (dm < ndom ? 0 : p), *A1 = xw->A1 + (dm < ndom ? 0 : p);
        if (len == 0)
            continue;
        double sw = 0;
        for (size_t k = 0; k < len; k++)
            sw += w[list[k]];
        ss_logit_pre *pre = &xw->pre[dm];
        *pre = (ss_logit_pre){.mean_w = sw / (double)ss_design_glm_rows(xw->d, len)};
        for (size_t k = 0; k < len; k++) {
            double pw = w[list[k]] / pre->mean_w;
            A1[cells[k]] += ss_prop_logit_pre_row(pre, memo, pw);
            S1[cells[k]] += pw;
        }
    }
    free(memo);
    return 0;
}

int ss_xtab_compute(const ss_design *d, const ss_column *r, const ss_column *c,
                    const unsigned char *mask, const ss_xtab_options *o, ss_xtab *x,
                    ss_error *err)
{
    memset(x, 0, sizeof *x);
    int32_t *rindex = NULL, *cindex = NULL;
    size_t *rows = NULL, *cell = NULL;
    double *T = NULL, *V = NULL, *Vm = NULL, *u = NULL, *v = NULL, *cv = NULL, *nc_ = NULL;
    xwork xw = {.d = d};
    int rc = SS_OK;
    if (levels(r, &x->rcode, &x->nr, &rindex) != 0 ||
        (c && levels(c, &x->ccode, &x->nc, &cindex) != 0))
        goto nomem;
    const size_t nr = x->nr, nc = x->nc, q = nc ? nc : 1, p = nr * q;
    size_t m = 0;
    rows = malloc((d->n ? d->n : 1) * sizeof *rows);
    cell = malloc((d->n ? d->n : 1) * sizeof *cell);
    T = calloc(p ? p : 1, sizeof *T);
    nc_ = calloc(p ? p : 1, sizeof *nc_);
    V = calloc(p > 0 ? p * p : 1, sizeof *V);
    Vm = malloc((nr + q + 1) * sizeof *Vm);
    u = malloc((p ? p : 1) * sizeof *u);
    v = malloc((p ? p : 1) * sizeof *v);
    cv = malloc((p ? p : 1) * sizeof *cv);
    x->cell = calloc((nr + 1) * (nc + 1), sizeof *x->cell);
    for (size_t k = 0; Vm && k < nr + q + 1; k++)
        Vm[k] = NAN; /* until cells_vcov: the margins from the cells */
    if (!rows || !cell || !T || !nc_ || !V || !Vm || !u || !v || !cv || !x->cell)
        goto nomem;
    for (size_t i = 0; i < d->n; i++) {
        if (mask && !mask[i])
            continue;
        int32_t rcd = r->code[i], ccd = c ? c->code[i] : 0;
        if (rcd < 0 || ccd < 0)
            continue;
        int32_t ri = rindex[rcd], cj = c ? cindex[ccd] : 0;
        if (ri < 0 || cj < 0)
            continue;
        rows[m] = i;
        cell[m] = (size_t)ri * q + (size_t)cj;
        T[cell[m]] += d->w[i];
        nc_[cell[m]] += 1;
        m++;
    }
    x->n = m;
    x->df = o->df_mode == SS_DF_INF ? INFINITY : o->df_mode == SS_DF_FIXED ? o->df_fixed : d->df;
    xw.rows = rows;
    xw.cell = cell;
    xw.m = m;
    xw.p = p;
    xw.q = q;
    xw.nr = nr;
    xw.nc = nc;
    xw.pe = p + nr + q + 1;
    if (d->rep) {
        xw.rep = d->rep;
        if (rep_totals(&xw) != 0)
            goto nomem;
    } else if (p > 0 && (rc = cells_vcov(d, rows, cell, m, nr, q, V, Vm, err)) != SS_OK) {
        goto out;
    }

    /* the partition domains of the percentages, by counting sort */
    xw.ndom = o->pct == SS_XTAB_ROW ? nr : o->pct == SS_XTAB_COL && nc ? nc : 0;
    xw.doff = calloc(xw.ndom + 2, sizeof *xw.doff);
    xw.drows = malloc((m ? m : 1) * sizeof *xw.drows);
    xw.dcell = malloc((m ? m : 1) * sizeof *xw.dcell);
    xw.y = malloc((m ? m : 1) * sizeof *xw.y);
    xw.z = malloc((m ? m : 1) * sizeof *xw.z);
    xw.dw = ss_design_work_alloc(d, 1);
    if (!xw.doff || !xw.drows || !xw.dcell || !xw.y || !xw.z || !xw.dw)
        goto nomem;
    if (xw.ndom > 0) {
        for (size_t k = 0; k < m; k++)
            xw.doff[(o->pct == SS_XTAB_ROW ? cell[k] / q : cell[k] % q) + 1]++;
        for (size_t dm = 0; dm < xw.ndom; dm++)
            xw.doff[dm + 1] += xw.doff[dm];
        size_t *fill = calloc(xw.ndom, sizeof *fill);
        if (!fill)
            goto nomem;
        for (size_t k = 0; k < m; k++) {
            size_t dm = o->pct == SS_XTAB_ROW ? cell[k] / q : cell[k] % q;
            size_t at = xw.doff[dm] + fill[dm]++;
            xw.drows[at] = rows[k];
            xw.dcell[at] = cell[k];
        }
        free(fill);
    }
    if (o->ci_method == SS_CI_BETA || o->flags == SS_XTAB_FLAGS_NCHS) {
        xw.ddf = malloc((xw.ndom + 1) * sizeof *xw.ddf);
        if (!xw.ddf)
            goto nomem;
        for (size_t dm = 0; dm <= xw.ndom; dm++) {
            const size_t *list = dm < xw.ndom ? xw.drows + xw.doff[dm] : rows;
            size_t len = dm < xw.ndom ? xw.doff[dm + 1] - xw.doff[dm] : m;
            xw.ddf[dm] = d->rep ? ss_replicates_rows_df(d->rep, d->w, list, len, d->df)
                                : ss_design_domain_df(d, xw.dw, list, len);
        }
    }
    if (o->ci_method == SS_CI_LOGIT && !d->rep && logit_terms(&xw) != 0)
        goto nomem;

    for (size_t a = 0; a <= nr; a++)
        for (size_t b = 0; b <= nc; b++) {
            ss_xtab_cell *cl = ss_xtab_at(x, a, b);
            cl->pct = cl->pct_se = cl->pct_lo = cl->pct_hi = cl->pct_cv = NAN;
            cl->n_eff = cl->mark_p = NAN;
            cells_of(nr, q, nc, a, b, u);
            double N = 0, n = 0;
            for (size_t k = 0; k < p; k++) {
                N += u[k] * T[k];
                n += u[k] * nc_[k];
            }
            cl->count = N;
            cl->n = n;
            /* a margin's variance as its own score's, else from the cells */
            double vm = a < nr && b < nc ? NAN
                        : a < nr ? Vm[a] : b < nc ? Vm[nr + b] : Vm[nr + q];
            if (d->rep) {
                double rv;
                if ((rc = rep_var(&xw, col_of(&xw, a, b), SIZE_MAX, SIZE_MAX, 0, N, &rv, err)) !=
                    SS_OK)
                    goto out;
                vm = rv;
            }
            cl->count_se = sqrt(isnan(vm) ? qform(V, u, p) : vm < 0 ? 0 : vm);
            double t = isinf(x->df) ? qnorm(1 - (1 - o->level) / 2, 0, 1, 1, 0)
                                    : ss_quantile_t(o->level, x->df);
            cl->count_lo = N - t * cl->count_se;
            cl->count_hi = N + t * cl->count_se;
            cl->count_cv = N != 0 ? cl->count_se / N : NAN;
            if (o->flags != SS_XTAB_FLAGS_NONE)
                cv_flags(o->flags, cl->count_cv, n, cl->cflag, sizeof cl->cflag);
            size_t da, db;
            den_of(o, nr, nc, a, b, &da, &db);
            cells_of(nr, q, nc, da, db, v);
            rc = percentage(&xw, o, x->df, dom_of(o, x, xw.ndom, a, b), T, V, u, v, a, b, da, db,
                            cv, cl, err);
            if (rc != SS_OK)
                goto out;
        }

    if (o->mark != SS_XTAB_MARK_NONE && nc > 0) {
        for (size_t a = 0; a < nr; a++)
            for (size_t b = 0; b < nc; b++) {
                if (o->mark == SS_XTAB_MARK_TOTAL && o->pct == SS_XTAB_ROW)
                    rc = mark_cell(&xw, o, x, q, T, V, a, b, nr, b, u, v, err);
                else if (o->mark == SS_XTAB_MARK_TOTAL && o->pct == SS_XTAB_COL)
                    rc = mark_cell(&xw, o, x, q, T, V, a, b, a, nc, u, v, err);
                else if (o->mark == SS_XTAB_MARK_REF && x->ccode[b] != o->mark_ref) {
                    size_t ref = 0;
                    while (ref < nc && x->ccode[ref] != o->mark_ref)
                        ref++;
                    if (ref < nc)
                        rc = mark_cell(&xw, o, x, q, T, V, a, b, a, ref, u, v, err);
                }
                if (rc != SS_OK)
                    goto out;
            }
    }

    if (o->suppress) {
        for (size_t a = 0; a <= nr; a++)
            for (size_t b = 0; b <= nc; b++) {
                ss_xtab_cell *cl = ss_xtab_at(x, a, b);
                if (says_suppress(o->suppress_counts ? cl->cflag : cl->pflag))
                    cl->suppressed = SS_XTAB_PRIMARY;
            }
        complement(x);
        for (size_t a = 0; a <= nr; a++)
            for (size_t b = 0; b <= nc; b++) {
                ss_xtab_cell *cl = ss_xtab_at(x, a, b);
                x->nprimary += cl->suppressed == SS_XTAB_PRIMARY;
                x->ncomplement += cl->suppressed == SS_XTAB_COMPLEMENT;
            }
    }
    goto out;
nomem:
    rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
out:
    xwork_free(&xw);
    free(rindex);
    free(cindex);
    free(rows);
    free(cell);
    free(T);
    free(nc_);
    free(V);
    free(Vm);
    free(u);
    free(v);
    free(cv);
    if (rc != SS_OK)
        ss_xtab_free(x);
    return rc;
}

/* Is item column col chosen in row i: present and not the number 0. */
static int chosen(const ss_column *col, size_t i)
{
    int32_t cd = col->code[i];
    return cd >= 0 && !(col->level_num && col->level_num[cd] == 0);
}

int ss_xtab_mrset(const ss_design *d, const ss_column *const *items, size_t k,
                  const ss_column *c, const unsigned char *mask, const ss_xtab_options *o,
                  ss_xtab_mr **out, size_t *nc_out, int32_t **ccode_out, size_t *ncases,
                  ss_error *err)
{
    *out = NULL;
    *ccode_out = NULL;
    *nc_out = 0;
    *ncases = 0;
    if (d->rep)
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "replicate designs are not supported by table yet: use the Taylor "
                            "design (drop --replicate and --repweights)");
    int32_t *cindex = NULL, *ccode = NULL;
    size_t nc = 0;
    if (c && levels(c, &ccode, &nc, &cindex) != 0) {
        free(ccode);
        free(cindex);
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    }
    const size_t q = nc ? nc : 1, p = k * q + q, nb = nc + 1;
    size_t m = 0;
    size_t *rows = malloc((d->n ? d->n : 1) * sizeof *rows);
    size_t *colof = malloc((d->n ? d->n : 1) * sizeof *colof);
    double *T = calloc(p, sizeof *T), *N = calloc(p, sizeof *N), *V = calloc(p * p, sizeof *V);
    double *cv = malloc(p * sizeof *cv), *z = calloc(CHUNK * p, sizeof *z);
    double *y = malloc((d->n ? d->n : 1) * sizeof *y), *zz = malloc((d->n ? d->n : 1) * sizeof *zz);
    size_t *drows = malloc((d->n ? d->n : 1) * sizeof *drows);
    ss_xtab_mr *res = calloc(k * nb * 3, sizeof *res);
    ss_design_work *dw = ss_design_work_alloc(d, p);
    ss_design_work *dw1 = ss_design_work_alloc(d, 1);
    int rc = SS_OK;
    if (!rows || !colof || !T || !N || !V || !cv || !z || !y || !zz || !drows || !res || !dw ||
        !dw1) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < d->n; i++) {
        if (mask && !mask[i])
            continue;
        int32_t cj = 0;
        if (c) {
            int32_t cd = c->code[i];
            cj = cd >= 0 ? cindex[cd] : -1;
            if (cj < 0)
                continue;
        }
        int any = 0;
        for (size_t l = 0; l < k && !any; l++)
            any = chosen(items[l], i);
        if (!any)
            continue;
        rows[m] = i;
        colof[m] = (size_t)cj;
        m++;
    }
    *ncases = m;
    /* score columns: item l in column b at l * q + b, the cases of b at k q + b */
    double *Z = d->ncal ? calloc((m ? m : 1) * p, sizeof *Z) : NULL;
    if (d->ncal && !Z) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        goto out;
    }
    for (size_t k0 = 0; k0 < m; k0 += CHUNK) {
        size_t len = m - k0 < CHUNK ? m - k0 : CHUNK;
        double *zc = Z ? Z + k0 * p : z;
        for (size_t r = 0; r < len; r++) {
            size_t i = rows[k0 + r], b = colof[k0 + r];
            double w = d->w[i];
            for (size_t l = 0; l < k; l++)
                if (chosen(items[l], i)) {
                    zc[r * p + l * q + b] = w;
                    T[l * q + b] += w;
                    N[l * q + b] += 1;
                }
            zc[r * p + k * q + b] = w;
            T[k * q + b] += w;
            N[k * q + b] += 1;
        }
        if (!Z) {
            ss_design_vcov_add(d, dw, rows + k0, z, len, p);
            memset(z, 0, CHUNK * p * sizeof *z);
        }
    }
    rc = Z ? ss_design_vcov(d, dw, rows, Z, m, p, V, err) : ss_design_vcov_end(d, dw, p, V, err);
    free(Z);
    if (rc != SS_OK)
        goto out;
    const double df = o->df_mode == SS_DF_INF ? INFINITY
                      : o->df_mode == SS_DF_FIXED ? o->df_fixed : d->df;
    const double t = ss_quantile_t(o->level, df);
    for (size_t l = 0; l < k; l++)
        for (size_t b = 0; b < nb; b++) {
            int all = b == nc || nc == 0;
            double Tn = 0, Cn = 0, R = 0, n = 0, ncase = 0;
            for (size_t j = 0; j < q; j++)
                if (all || j == b) {
                    Tn += T[l * q + j];
                    n += N[l * q + j];
                    Cn += T[k * q + j];
                    ncase += N[k * q + j];
                    for (size_t l2 = 0; l2 < k; l2++)
                        R += T[l2 * q + j];
                }
            ss_xtab_mr *e = &res[(l * nb + b) * 3];
            /* count */
            memset(cv, 0, p * sizeof *cv);
            for (size_t j = 0; j < q; j++)
                if (all || j == b)
                    cv[l * q + j] = 1;
            e[0].est = Tn;
            e[0].se = sqrt(qform(V, cv, p));
            e[0].lo = Tn - t * e[0].se;
            e[0].hi = Tn + t * e[0].se;
            e[0].n = n;
            e[1].est = e[1].se = e[1].lo = e[1].hi = NAN;
            e[2].est = e[2].se = e[2].lo = e[2].hi = NAN;
            e[1].n = ncase;
            e[2].n = ncase;
            if (!(Cn > 0))
                continue;
            /* percent of cases */
            double P = Tn / Cn;
            for (size_t j = 0; j < q; j++)
                if (all || j == b)
                    cv[k * q + j] = -P;
            double var = qform(V, cv, p) / (Cn * Cn);
            e[1].est = P;
            e[1].se = sqrt(var);
            size_t len = 0;
            for (size_t r = 0; r < m; r++)
                if (all || colof[r] == b) {
                    drows[len] = rows[r];
                    y[len++] = chosen(items[l], rows[r]);
                }
            double ddf = o->ci_method == SS_CI_BETA ? ss_design_domain_df(d, dw1, drows, len)
                                                    : df;
            ss_prop_input in = {d, dw1, drows, y, len, P, var, o->level,
                                o->ci_method == SS_CI_BETA && o->df_mode == SS_DF_DESIGN ? ddf
                                                                                        : df,
                                o->df_mode == SS_DF_DESIGN ? ddf : df, NULL};
            rc = ss_prop_ci(o->ci_method, &in, zz, &e[1].lo, &e[1].hi, err);
            if (rc == SS_PROP_NOCI) {
                e[1].noci = 1;
                e[1].lo = e[1].hi = NAN;
                ss_error_clear(err);
                rc = SS_OK;
            }
            if (rc != SS_OK)
                goto out;
            /* percent of responses */
            if (!(R > 0))
                continue;
            P = Tn / R;
            for (size_t j = 0; j < q; j++)
                if (all || j == b) {
                    cv[k * q + j] = 0;
                    for (size_t l2 = 0; l2 < k; l2++)
                        cv[l2 * q + j] = (l2 == l ? 1 : 0) - P;
                }
            var = qform(V, cv, p) / (R * R);
            e[2].est = P;
            e[2].se = sqrt(var);
            e[2].lo = P - t * e[2].se;
            e[2].hi = P + t * e[2].se;
        }
out:
    free(rows);
    free(colof);
    free(T);
    free(N);
    free(V);
    free(cv);
    free(z);
    free(y);
    free(zz);
    free(drows);
    free(cindex);
    ss_design_work_free(dw);
    ss_design_work_free(dw1);
    if (rc != SS_OK) {
        free(res);
        free(ccode);
        return rc;
    }
    *out = res;
    *ccode_out = ccode;
    *nc_out = nc;
    return SS_OK;
}
