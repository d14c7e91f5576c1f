#include "ss_levels.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The grouping of a unit (ss_design.h): a unit of stage s lies in stratum
 * stage[s].stratum[u], which for s > 0 is its parent unit at stage s - 1. */

struct ss_levels_work {
    size_t nstage;
    /* idx[s], s < nstage: per stratum of stage s, its vector + 1 while a
     * layer is built (else 0); idx[nstage]: the same per unit of the last
     * stage. */
    uint32_t *idx[SS_MAX_STAGES + 1];
};

void ss_levels_work_free(ss_levels_work *w)
{
    if (!w)
        return;
    for (size_t s = 0; s <= SS_MAX_STAGES; s++)
        free(w->idx[s]);
    free(w);
}

ss_levels_work *ss_levels_work_alloc(const ss_design *d)
{
    ss_levels_work *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->nstage = d->nstage;
    for (size_t s = 0; s <= d->nstage; s++) {
        size_t n = s < d->nstage ? d->stage[s].nstrata : d->stage[s - 1].nunit;
        w->idx[s] = calloc(n ? n : 1, sizeof *w->idx[s]);
        if (!w->idx[s]) {
            ss_levels_work_free(w);
            return NULL;
        }
    }
    return w;
}

/* One layer of sparse totals: layer 0 holds the stage-1 strata, layer t > 0
 * the touched units of stage t (1-based).  Vector v has the weight total
 * W[v] and entries [start[v], start[v + 1]): a level (nlev: rows in no
 * level), its weight total S and the total R of the vector's other
 * entries, summed. */
typedef struct layer {
    size_t nv;
    uint32_t *id;     /* per vector: its unit (layer 0: stratum) */
    size_t *start;    /* nv + 1 */
    double *W;
    size_t *up;       /* per vector: its vector in the layer above */
    double *mult;     /* per vector: the sampling fractions down to it */
    size_t *kids;     /* the vectors of the layer below in vector g: */
    size_t *kstart;   /* kids[kstart[g]..kstart[g + 1]) */
    int32_t *lev;
    double *S, *R;
} layer;

static void layer_free(layer *y)
{
    free(y->id);
    free(y->start);
    free(y->W);
    free(y->up);
    free(y->mult);
    free(y->kids);
    free(y->kstart);
    free(y->lev);
    free(y->S);
    free(y->R);
}

static int layer_alloc(layer *y, size_t nv, size_t ne)
{
    nv = nv ? nv : 1;
    ne = ne ? ne : 1;
    y->id = malloc(nv * sizeof *y->id);
    y->start = malloc((nv + 1) * sizeof *y->start);
    y->W = malloc(nv * sizeof *y->W);
    y->up = malloc(nv * sizeof *y->up);
    y->mult = malloc(nv * sizeof *y->mult);
    y->lev = malloc(ne * sizeof *y->lev);
    y->S = malloc(ne * sizeof *y->S);
    y->R = malloc(ne * sizeof *y->R);
    return y->id && y->start && y->W && y->up && y->mult && y->lev && y->S && y->R ? 0 : -1;
}

/* R[i] = the sum of S over the other entries of [b, e): a prefix plus a
 * suffix sum of weights, never a difference. */
static void complements(const double *S, double *R, size_t b, size_t e)
{
    double acc = 0;
    for (size_t i = e; i-- > b;) {
        R[i] = acc;
        acc += S[i];
    }
    acc = 0;
    for (size_t i = b; i < e; i++) {
        R[i] += acc;
        acc += S[i];
    }
}

/* Merge the entries [b, e) (level, total) into the vector that starts at
 * *ne (pos[level]: its entry there, else SIZE_MAX; restored). */
static void merge_into(layer *y, size_t *ne, const int32_t *lev, const double *S, size_t b,
                       size_t e, size_t *pos)
{
    size_t n = *ne;
    for (size_t i = b; i < e; i++) {
        int32_t l = lev[i];
        double x = S[i];
        if (pos[l] == SIZE_MAX) {
            pos[l] = n;
            y->lev[n] = l;
            y->S[n++] = x;
        } else {
            y->S[pos[l]] += x;
        }
    }
    *ne = n;
}

/* The last stage's units from the present rows. */
static int rows_layer(const ss_design *d, ss_levels_work *w, const size_t *dr, size_t nr,
                      const int32_t *code, const int32_t *lev_of, size_t nlev, size_t *pos,
                      layer *y)
{
    const ss_stage *st = &d->stage[d->nstage - 1];
    uint32_t *ix = w->idx[d->nstage];
    size_t m = 0, nv = 0;
    /* The present rows' vectors, levels and weights, then by vector. */
    size_t *cur = malloc((nr ? nr : 1) * sizeof *cur);
    uint32_t *rv = malloc((nr ? nr : 1) * sizeof *rv);
    int32_t *rl = malloc((nr ? nr : 1) * sizeof *rl);
    double *rw = malloc((nr ? nr : 1) * sizeof *rw);
    if (!cur || !rv || !rl || !rw || layer_alloc(y, nr, nr) != 0) {
        free(cur);
        free(rv);
        free(rl);
        free(rw);
        return -1;
    }
    for (size_t k = 0; k < nr; k++) {
        size_t i = dr ? dr[k] : k;
        if (code[i] < 0)
            continue;
        size_t u = st->unit ? st->unit[i] : i;
        if (!ix[u]) {
            ix[u] = (uint32_t)++nv;
            y->id[nv - 1] = (uint32_t)u;
            y->start[nv] = 0;
        }
        y->start[ix[u]]++;
        rv[m] = ix[u] - 1;
        rl[m] = lev_of[code[i]] < 0 ? (int32_t)nlev : lev_of[code[i]];
        rw[m++] = d->w[i];
    }
    for (size_t v = 0; v < nv; v++)
        ix[y->id[v]] = 0;
    y->nv = nv;
    y->start[0] = 0;
    for (size_t v = 0; v < nv; v++) {
        y->start[v + 1] += y->start[v];
        cur[v] = y->start[v];
    }
    for (size_t k = 0; k < m; k++) {
        size_t e = cur[rv[k]]++;
        y->lev[e] = rl[k];
        y->S[e] = rw[k];
    }
    free(rv);
    free(rl);
    free(rw);
    free(cur);
    /* Each unit's rows into its levels, in place (a vector never grows). */
    size_t ne = 0;
    for (size_t v = 0; v < nv; v++) {
        size_t b = y->start[v], e = y->start[v + 1], q0 = ne;
        double W = 0;
        for (size_t i = b; i < e; i++)
            W += y->S[i];
        y->start[v] = q0;
        merge_into(y, &ne, y->lev, y->S, b, e, pos);
        for (size_t q = q0; q < ne; q++)
            pos[y->lev[q]] = SIZE_MAX;
        y->W[v] = W;
        complements(y->S, y->R, q0, ne);
    }
    y->start[nv] = ne;
    return 0;
}

/* The layer above lo (the units of stage s, or its strata for s = 0),
 * each vector the merge of its children's. */
static int up_layer(const ss_design *d, ss_levels_work *w, size_t s, size_t *pos, layer *lo,
                    layer *hi)
{
    const ss_stage *st = &d->stage[s];
    uint32_t *ix = w->idx[s];
    const size_t nlo = lo->nv;
    if (layer_alloc(hi, nlo, lo->start[nlo]) != 0)
        return -1;
    hi->kids = malloc((nlo ? nlo : 1) * sizeof *hi->kids);
    hi->kstart = malloc((nlo + 1) * sizeof *hi->kstart);
    if (!hi->kids || !hi->kstart)
        return -1;
    size_t nv = 0;
    for (size_t v = 0; v < nlo; v++) {
        uint32_t key = st->stratum[lo->id[v]];
        if (!ix[key]) {
            ix[key] = (uint32_t)++nv;
            hi->id[nv - 1] = key;
            hi->kstart[nv] = 0;
        }
        lo->up[v] = ix[key] - 1;
        hi->kstart[ix[key]]++;
    }
    for (size_t g = 0; g < nv; g++)
        ix[hi->id[g]] = 0;
    hi->nv = nv;
    hi->kstart[0] = 0;
    for (size_t g = 0; g < nv; g++) {
        hi->kstart[g + 1] += hi->kstart[g];
        hi->start[g] = hi->kstart[g]; /* a cursor for now */
    }
    for (size_t v = 0; v < nlo; v++)
        hi->kids[hi->start[lo->up[v]]++] = v;
    size_t ne = 0;
    for (size_t g = 0; g < nv; g++) {
        size_t q0 = ne;
        double W = 0;
        for (size_t j = hi->kstart[g]; j < hi->kstart[g + 1]; j++) {
            size_t v = hi->kids[j];
            W += lo->W[v];
            merge_into(hi, &ne, lo->lev, lo->S, lo->start[v], lo->start[v + 1], pos);
        }
        for (size_t q = q0; q < ne; q++)
            pos[hi->lev[q]] = SIZE_MAX;
        hi->start[g] = q0;
        hi->W[g] = W;
        complements(hi->S, hi->R, q0, ne);
    }
    hi->start[nv] = ne;
    return 0;
}

enum { NONE, CENTERED, PLAIN };

/* Scratch of the variance pass. */
typedef struct vscratch {
    double *tv;                 /* per child of a group */
    size_t *bj, *bstart, *bcur; /* a group's child entries by level */
    double *bS, *bR;
} vscratch;

/* The sum over the nh units of group g of (t - mean)^2 (kind CENTERED;
 * units without a present row have t = 0) or of t^2 (PLAIN), t a unit's
 * total of w (1[y = l] - c), for level l whose present children's entries
 * are bj/bS/bR[x0..x1).  Where l is present in fewer than half of the k
 * children, the absent ones (t = -c W) enter through the moments of the
 * children's weight totals: about their mean Wc, M1 and M2 over all
 * children, m1 and m2 over the present ones. */
static double group_q(const layer *kl, const size_t *kids, size_t k, double nh, int kind,
                      const vscratch *sc, size_t x0, size_t x1, double c, double Wc, double M1,
                      double M2, double m1, double m2)
{
    const size_t nP = x1 - x0;
    if (kind == CENTERED && 2 * nP < k) {
        double sP = 0;
        for (size_t x = x0; x < x1; x++)
            sP += (1 - c) * sc->bS[x] - c * sc->bR[x];
        const double nA = (double)(k - nP), A1 = M1 - m1, A2 = M2 - m2;
        const double sAW = nA * Wc + A1, tbar = (sP - c * sAW) / nh;
        double varA = A2 - A1 * A1 / nA, gA = c * (sAW / nA) + tbar;
        if (varA < 0)
            varA = 0;
        double q = 0;
        for (size_t x = x0; x < x1; x++) {
            double t = (1 - c) * sc->bS[x] - c * sc->bR[x] - tbar;
            q += t * t;
        }
        return q + c * c * varA + nA * gA * gA + (nh - (double)k) * tbar * tbar;
    }
    double *tv = sc->tv;
    for (size_t j = 0; j < k; j++)
        tv[j] = -c * kl->W[kids[j]];
    for (size_t x = x0; x < x1; x++)
        tv[sc->bj[x]] = (1 - c) * sc->bS[x] - c * sc->bR[x];
    double tbar = 0, q = 0;
    if (kind == CENTERED) {
        for (size_t j = 0; j < k; j++)
            tbar += tv[j];
        tbar /= nh;
    }
    for (size_t j = 0; j < k; j++)
        q += (tv[j] - tbar) * (tv[j] - tbar);
    return q + (kind == CENTERED ? (nh - (double)k) * tbar * tbar : 0);
}

int ss_levels_var(const ss_design *d, ss_levels_work *w, const size_t *dr, size_t nr,
                  const int32_t *code, const int32_t *lev_of, size_t nlev, size_t ncon,
                  const double *con, double *var)
{
    if (d->rep || d->ncal > 0 || d->nstage == 0 || !w || w->nstage != d->nstage)
        return -1;
    const size_t L = d->nstage, K = ncon;
    layer lay[SS_MAX_STAGES + 1];
    memset(lay, 0, sizeof lay);
    vscratch sc = {0};
    int rc = -1;
    size_t *pos = malloc((nlev + 1) * sizeof *pos);
    size_t *np = malloc((nlev ? nlev : 1) * sizeof *np);
    size_t *stamp = malloc((nlev ? nlev : 1) * sizeof *stamp);
    size_t *dense = malloc((nlev ? nlev : 1) * sizeof *dense);
    double *presQW = malloc((nlev ? nlev : 1) * sizeof *presQW);
    double *absD = malloc((nlev ? nlev : 1) * sizeof *absD);
    const size_t nk = K * nlev > 0 ? K * nlev : 1;
    double *acc = malloc(nk * sizeof *acc);
    double *V0 = calloc(nk, sizeof *V0);
    double *VL = calloc(nk, sizeof *VL);
    double *coef = NULL;
    uint8_t *kind = NULL;
    if (!pos || !np || !stamp || !dense || !presQW || !absD || !acc || !V0 || !VL)
        goto done;
    for (size_t l = 0; l <= nlev; l++)
        pos[l] = SIZE_MAX;
    if (rows_layer(d, w, dr, nr, code, lev_of, nlev, pos, &lay[L]) != 0)
        goto done;
    for (size_t t = L; t > 0; t--)
        if (up_layer(d, w, t - 1, pos, &lay[t], &lay[t - 1]) != 0)
            goto done;
    size_t maxv = 1, maxe = 1;
    for (size_t t = 1; t <= L; t++) {
        const ss_stage *st = &d->stage[t - 1];
        layer *y = &lay[t];
        for (size_t v = 0; v < y->nv; v++) {
            uint32_t h = st->stratum[y->id[v]];
            double above = t == 1 ? 1.0 : lay[t - 1].mult[y->up[v]];
            y->mult[v] = above * st->npsu[h] / st->popsize[h];
        }
        if (y->nv > maxv)
            maxv = y->nv;
        if (y->start[y->nv] > maxe)
            maxe = y->start[y->nv];
    }
    coef = malloc(maxv * sizeof *coef);
    kind = malloc(maxv);
    sc.tv = malloc(maxv * sizeof *sc.tv);
    sc.bj = malloc(maxe * sizeof *sc.bj);
    sc.bS = malloc(maxe * sizeof *sc.bS);
    sc.bR = malloc(maxe * sizeof *sc.bR);
    sc.bstart = malloc((maxe + 1) * sizeof *sc.bstart);
    sc.bcur = malloc((maxe + 1) * sizeof *sc.bcur);
    if (!coef || !kind || !sc.tv || !sc.bj || !sc.bS || !sc.bR || !sc.bstart || !sc.bcur)
        goto done;

    double scale0 = 0;
    int nan_all = 0;
    for (size_t s = 0; s < L; s++) {
        const layer *gl = &lay[s], *kl = &lay[s + 1];
        const ss_stage *st = &d->stage[s];
        const size_t G = gl->nv;
        /* The groups of stage s + 1 (1-based) as ss_design_vcov_end's
         * one_stratum: a census adds nothing, a lonely unit by the rule. */
        size_t nstrat = 0, nok = 0, Gc = 0;
        for (size_t g = 0; g < G; g++) {
            const uint32_t h = gl->id[g];
            const double mult = s == 0 ? 1.0 : gl->mult[g];
            kind[g] = NONE;
            if (mult == 0)
                continue;
            const double nh = st->npsu[h], N = st->popsize[h];
            const double f = isinf(N) ? 1.0 : (N - nh) / N;
            nstrat++;
            if (f < 1e-7) {
                nok++;
            } else if (nh > 1) {
                nok++;
                kind[g] = CENTERED;
                coef[g] = mult * (f * nh / (nh - 1));
            } else {
                switch (d->lonely) {
                case SS_LONELY_FAIL:
                    goto done; /* ss_design_vcov names the stratum */
                case SS_LONELY_ADJUST:
                    nok++;
                    kind[g] = PLAIN;
                    coef[g] = mult * f;
                    break;
                case SS_LONELY_AVERAGE:
                    if (s > 0)
                        nan_all = 1; /* ss_design_vcov_end: NaN */
                    break;
                default:
                    nok++;
                    break;
                }
            }
            Gc += kind[g] != NONE;
        }
        if (s == 0)
            scale0 = nstrat == 0 ? 0 : nok ? (double)nstrat / (double)nok : NAN;

        /* Levels present in at least half of the contributing groups sum
         * their absent groups' weight terms directly; others subtract. */
        memset(np, 0, nlev * sizeof *np);
        for (size_t g = 0; g < G; g++)
            if (kind[g] != NONE)
                for (size_t q = gl->start[g]; q < gl->start[g + 1]; q++)
                    if ((size_t)gl->lev[q] < nlev)
                        np[gl->lev[q]]++;
        size_t ndense = 0;
        for (size_t l = 0; l < nlev; l++) {
            presQW[l] = 0;
            if (np[l] > 0 && 2 * np[l] >= Gc) {
                dense[ndense++] = l;
                absD[l] = 0;
                stamp[l] = SIZE_MAX;
            }
        }
        memset(acc, 0, K * nlev * sizeof *acc);
        double QWsum = 0;
        for (size_t g = 0; g < G; g++) {
            if (kind[g] == NONE)
                continue;
            const size_t *kids = gl->kids + gl->kstart[g];
            const size_t k = gl->kstart[g + 1] - gl->kstart[g];
            const double nh = st->npsu[gl->id[g]];
            /* The weight totals' term and moments. */
            double sw = 0, QW = 0, Wc = 0, M1 = 0, M2 = 0;
            for (size_t j = 0; j < k; j++)
                sw += kl->W[kids[j]];
            if (kind[g] == CENTERED) {
                const double Wbar = sw / nh;
                Wc = sw / (double)k;
                for (size_t j = 0; j < k; j++) {
                    double x = kl->W[kids[j]];
                    QW += (x - Wbar) * (x - Wbar);
                    M1 += x - Wc;
                    M2 += (x - Wc) * (x - Wc);
                }
                QW += (nh - (double)k) * Wbar * Wbar;
            } else {
                for (size_t j = 0; j < k; j++)
                    QW += kl->W[kids[j]] * kl->W[kids[j]];
            }
            const double cq = coef[g] * QW;
            QWsum += cq;
            /* The children's entries by level (the group's entry order). */
            const size_t gb = gl->start[g], ng = gl->start[g + 1] - gb;
            for (size_t q = 0; q < ng; q++) {
                pos[gl->lev[gb + q]] = q;
                sc.bstart[q + 1] = 0;
            }
            sc.bstart[0] = 0;
            for (size_t j = 0; j < k; j++)
                for (size_t e = kl->start[kids[j]]; e < kl->start[kids[j] + 1]; e++)
                    sc.bstart[pos[kl->lev[e]] + 1]++;
            for (size_t q = 0; q < ng; q++) {
                sc.bstart[q + 1] += sc.bstart[q];
                sc.bcur[q] = sc.bstart[q];
            }
            for (size_t j = 0; j < k; j++)
                for (size_t e = kl->start[kids[j]]; e < kl->start[kids[j] + 1]; e++) {
                    size_t x = sc.bcur[pos[kl->lev[e]]]++;
                    sc.bj[x] = j;
                    sc.bS[x] = kl->S[e];
                    sc.bR[x] = kl->R[e];
                }
            for (size_t q = 0; q < ng; q++)
                pos[gl->lev[gb + q]] = SIZE_MAX;
            for (size_t q = 0; q < ng; q++) {
                const size_t l = (size_t)gl->lev[gb + q];
                if (l >= nlev)
                    continue;
                stamp[l] = g;
                presQW[l] += cq;
                const size_t x0 = sc.bstart[q], x1 = sc.bstart[q + 1];
                double m1 = 0, m2 = 0;
                if (kind[g] == CENTERED && 2 * (x1 - x0) < k)
                    for (size_t x = x0; x < x1; x++) {
                        double dx = kl->W[kids[sc.bj[x]]] - Wc;
                        m1 += dx;
                        m2 += dx * dx;
                    }
                for (size_t kk = 0; kk < K; kk++)
                    acc[kk * nlev + l] +=
                        coef[g] * group_q(kl, kids, k, nh, kind[g], &sc, x0, x1, con[kk * nlev + l],
                                          Wc, M1, M2, m1, m2);
            }
            for (size_t q = 0; q < ndense; q++)
                if (stamp[dense[q]] != g)
                    absD[dense[q]] += cq;
        }
        for (size_t l = 0; l < nlev; l++) {
            double absent = np[l] == 0 ? QWsum
                            : 2 * np[l] >= Gc ? absD[l]
                            : QWsum - presQW[l] > 0 ? QWsum - presQW[l]
                            : 0;
            for (size_t kk = 0; kk < K; kk++) {
                const double c = con[kk * nlev + l];
                const double v = acc[kk * nlev + l] + c * c * absent;
                if (s == 0)
                    V0[kk * nlev + l] = v;
                else
                    VL[kk * nlev + l] += v;
            }
        }
    }
    for (size_t x = 0; x < K * nlev; x++)
        var[x] = nan_all ? NAN : scale0 * V0[x] + VL[x];
    rc = SS_OK;
done:
    for (size_t t = 0; t <= L; t++)
        layer_free(&lay[t]);
    free(pos);
    free(np);
    free(stamp);
    free(dense);
    free(presQW);
    free(absD);
    free(acc);
    free(V0);
    free(VL);
    free(coef);
    free(kind);
    free(sc.tv);
    free(sc.bj);
    free(sc.bS);
    free(sc.bR);
    free(sc.bstart);
    free(sc.bcur);
    return rc;
}
