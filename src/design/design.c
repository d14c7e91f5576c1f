#include "ss_design.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ss_dict.h"
#include "ss_mem.h"
#include "ss_pps.h"

/* ---- building ---- */

size_t ss_design_requests(const ss_design_spec *spec, ss_request *req)
{
    size_t k = 0;
    if (spec->weights)
        req[k++] = (ss_request){spec->weights, SS_NEED_NUMBER};
    if (spec->strata)
        req[k++] = (ss_request){spec->strata, SS_NEED_CATEGORY};
    /* Without an fpc only the first stage enters the variance (R's
     * svyrecvar): a later stage's ids need only be there, which a read
     * checks without coding them (a million household ids). */
    for (size_t s = 0; s < spec->nids; s++)
        req[k++] = (ss_request){spec->ids[s],
                                s > 0 && spec->nfpc == 0 ? SS_NEED_PRESENT : SS_NEED_CATEGORY};
    for (size_t s = 0; s < spec->nfpc; s++)
        req[k++] = (ss_request){spec->fpc[s], SS_NEED_NUMBER};
    return k;
}

static void stage_free(ss_stage *st)
{
    free(st->unit);
    free(st->stratum);
    free(st->npsu);
    free(st->popsize);
    free(st->parent);
    free(st->first_row);
    free(st->pi);
    free(st->fsum);
    memset(st, 0, sizeof *st);
}

void ss_design_free(ss_design *d)
{
    if (!d)
        return;
    free(d->w);
    for (size_t s = 0; s < SS_MAX_STAGES; s++)
        stage_free(&d->stage[s]);
    free(d->stratum_code);
    ss_pps_joint_free(d->joint);
    for (size_t k = 0; k < d->ncal; k++) {
        ss_cal *c = &d->cal[k];
        free(c->cell);
        free(c->oldw);
        free(c->neww);
        free(c->qr);
        free(c->tau);
        free(c->gw);
    }
    free(d->cal);
    if (d->rep && d->rep_free)
        d->rep_free(d->rep);
    memset(d, 0, sizeof *d);
}

int ss_design_add_cal(ss_design *d, const ss_cal *c)
{
    ss_cal *p = realloc(d->cal, (d->ncal + 1) * sizeof *p);
    if (!p)
        return -1;
    d->cal = p;
    d->cal[d->ncal++] = *c;
    return 0;
}

/* Replace the n x p scores x (row-major, all rows) by their residuals
 * from every calibration of the design, in order (R's svyrecvar). */
static int calibrate_scores(const ss_design *d, double *x, size_t p, ss_error *err)
{
    const size_t n = d->n;
    for (size_t k = 0; k < d->ncal; k++) {
        const ss_cal *c = &d->cal[k];
        if (c->kind == SS_CAL_CELLS) {
            double *num = calloc(c->ncell * p + c->ncell, sizeof *num);
            if (!num)
                return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
            double *den = num + c->ncell * p;
            for (size_t i = 0; i < n; i++) {
                double psw = c->neww[i], oldw = c->oldw[i];
                if (psw == 0 && oldw == 0)
                    psw = 1;
                for (size_t a = 0; a < p; a++)
                    num[c->cell[i] * p + a] += x[i * p + a] * oldw / psw;
                den[c->cell[i]] += oldw;
            }
            for (size_t i = 0; i < n; i++) {
                double psw = c->neww[i], oldw = c->oldw[i];
                if (psw == 0 && oldw == 0)
                    psw = 1;
                for (size_t a = 0; a < p; a++)
                    x[i * p + a] -= num[c->cell[i] * p + a] / den[c->cell[i]] * psw;
            }
            free(num);
            continue;
        }
        gsl_vector *b = gsl_vector_alloc(n), *res = gsl_vector_alloc(n);
        gsl_vector *beta = gsl_vector_alloc(c->p);
        if (!b || !res || !beta) {
            gsl_vector_free(b);
            gsl_vector_free(res);
            gsl_vector_free(beta);
            return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        }
        gsl_matrix_const_view A = gsl_matrix_const_view_array(c->qr, n, c->p);
        gsl_vector_const_view tau = gsl_vector_const_view_array(c->tau, c->p);
        for (size_t a = 0; a < p; a++) {
            for (size_t i = 0; i < n; i++)
                gsl_vector_set(b, i, c->gw[i] != 0 ? x[i * p + a] / c->gw[i] : 0);
            gsl_linalg_QR_lssolve(&A.matrix, &tau.vector, b, beta, res);
            for (size_t i = 0; i < n; i++)
                x[i * p + a] = gsl_vector_get(res, i) * c->gw[i];
        }
        gsl_vector_free(b);
        gsl_vector_free(res);
        gsl_vector_free(beta);
    }
    return SS_OK;
}

static const char *level_text(const ss_column *c, int32_t code)
{
    return code >= 0 ? c->levels.str[code] : "NA";
}

static int missing_error(const ss_table *t, const ss_column *c, size_t row,
                         ss_error *err)
{
    return ss_error_set(err, SS_EDATA, t->file, ss_table_line(t, row),
                        "column '%s': missing value in a design column", c->name);
}

const char *ss_design_stratum_label(const ss_design *d, size_t s, size_t h,
                                    char *buf, size_t size)
{
    if (s == 1) {
        if (d->strata_col)
            snprintf(buf, size, "%s", level_text(d->strata_col, d->stratum_code[h]));
        else
            snprintf(buf, size, "1");
    } else {
        /* A later stage's stratum is a unit of the stage above: name it by
         * its id, e.g. "dnum=15". */
        const ss_stage *up = &d->stage[s - 2];
        if (up->id_col && up->first_row)
            snprintf(buf, size, "%s=%s", up->id_col->name,
                     level_text(up->id_col, up->id_col->code[up->first_row[h]]));
        else
            snprintf(buf, size, "row %zu", (size_t)h + 1);
    }
    return buf;
}

/* The first of n rows where column c is missing, or n: c read for
 * presence (SS_NEED_PRESENT), as a category, or, when a model reads it
 * too, as numbers (a design column: NaN only for a missing cell). */
static size_t first_missing(const ss_column *c, size_t n)
{
    if (c->need == SS_NEED_PRESENT)
        return c->nmissing ? c->first_missing : n;
    for (size_t i = 0; i < n; i++)
        if (c->code ? c->code[i] < 0 : isnan(ss_column_num(c, i)))
            return i;
    return n;
}

/* Rows [0, n) of a column read as numbers, as ss_column_num gives them,
 * one loop per storage. */
static void column_values(const ss_column *c, size_t n, double *out)
{
    switch (c->store) {
    case SS_STORE_U8:
        for (size_t i = 0; i < n; i++)
            out[i] = ss_u8_value[c->u8[i]];
        break;
    case SS_STORE_PACKED:
        for (size_t i = 0; i < n; i++)
            out[i] = ss_packed_value[(uint16_t)c->packed[i]];
        break;
    default:
        for (size_t i = 0; i < n; i++)
            out[i] = ss_column_num(c, i);
    }
}

int ss_design_build(ss_design *d, const ss_table *t, const ss_design_spec *spec,
                    ss_error *err)
{
    memset(d, 0, sizeof *d);
    size_t n = t->nrow;
    d->n = n;
    d->lonely = spec->lonely;
    d->has_fpc = spec->nfpc > 0;
    d->pps = spec->pps;
    if (spec->nfpc > spec->nids && !(spec->nids == 0 && spec->nfpc == 1))
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "--fpc names %zu columns but the design has %zu stage%s",
                            spec->nfpc, spec->nids ? spec->nids : 1,
                            spec->nids > 1 ? "s" : "");
    size_t nst = spec->nids ? spec->nids : 1;
    d->nstage = d->has_fpc ? nst : 1;

    /* Stage 1 strata: stratum_of[code] for the codes of the strata column,
     * numbered in order of first appearance. */
    const ss_column *sc = spec->strata ? ss_table_find(t, spec->strata) : NULL;
    d->strata_col = sc;
    size_t nstrata = 1;
    int32_t *stratum_of = NULL;
    if (sc) {
        stratum_of = malloc((sc->levels.n ? sc->levels.n : 1) * sizeof *stratum_of);
        d->stratum_code = malloc((sc->levels.n ? sc->levels.n : 1) * sizeof *d->stratum_code);
        if (!stratum_of || !d->stratum_code) {
            free(stratum_of);
            return ss_error_set(err, SS_EDATA, t->file, 0, "out of memory");
        }
        for (size_t l = 0; l < sc->levels.n; l++)
            stratum_of[l] = -1;
        nstrata = 0;
        for (size_t i = 0; i < n; i++) {
            int32_t c = sc->code[i];
            if (c < 0) {
                free(stratum_of);
                return missing_error(t, sc, i, err);
            }
            if (stratum_of[c] < 0) {
                d->stratum_code[nstrata] = c;
                stratum_of[c] = (int32_t)nstrata++;
            }
        }
    }
#define ROW_STRATUM(i) (stratum_of ? (uint32_t)stratum_of[sc->code[i]] : 0u)

    /* Units, stage by stage. */
    int rc = SS_OK;
    for (size_t s = 0; s < nst && rc == SS_OK; s++) {
        ss_stage *st = &d->stage[s];
        const ss_column *ic = spec->nids ? ss_table_find(t, spec->ids[s]) : NULL;
        if (!ic) {
            /* Every row its own PSU. */
            st->nunit = n;
            st->unit = NULL;
            st->stratum = malloc((n ? n : 1) * sizeof *st->stratum);
            if (!st->stratum) {
                rc = ss_error_set(err, SS_EDATA, t->file, 0, "out of memory");
                break;
            }
            for (size_t i = 0; i < n; i++)
                st->stratum[i] = ROW_STRATUM(i);
            st->nstrata = nstrata;
            continue;
        }
        if (s >= d->nstage) {
            /* A stage below the last with an fpc adds nothing to the
             * variance (R's svyrecvar): its ids need only be there. */
            size_t i = first_missing(ic, n);
            if (i < n)
                rc = missing_error(t, ic, i, err);
            continue;
        }
        ss_keymap km;
        st->unit = ss_mem_array(NULL, n ? n : 1, "rows", 1, NULL, sizeof *st->unit);
        size_t ucap = 1024;
        st->stratum = malloc(ucap * sizeof *st->stratum);
        /* The unit of an id code's last row, and the key it had (none:
         * UINT64_MAX, which no key is, the code being below 2^31): ids are
         * mostly unique across strata, so most rows need no hashing. */
        size_t nl = ic->levels.n ? ic->levels.n : 1;
        struct last {
            uint64_t key;
            int64_t unit;
        } *last = malloc(nl * sizeof *last);
        uint32_t *first_row = malloc(ucap * sizeof *first_row);
        if (ss_keymap_init(&km, 1024) != 0 || !st->unit || !st->stratum || !last || !first_row) {
            ss_keymap_free(&km);
            free(last);
            free(first_row);
            rc = ss_error_set(err, SS_EDATA, t->file, 0, "out of memory");
            break;
        }
        for (size_t l = 0; l < nl; l++)
            last[l].key = UINT64_MAX;
        const int32_t *const code = ic->code;
        const uint32_t *const above_unit = s > 0 ? d->stage[s - 1].unit : NULL;
        const int nest = s > 0 || spec->nest;
        uint32_t *const unit = st->unit;
        for (size_t i = 0; i < n; i++) {
            int32_t c = code[i];
            if (c < 0) {
                rc = missing_error(t, ic, i, err);
                break;
            }
            const uint32_t h = above_unit ? above_unit[i] : ROW_STRATUM(i);
            const uint64_t key = ((uint64_t)(nest ? h : 0) << 32) | (uint32_t)c;
            int added = 0;
            int64_t u;
            if (last[c].key == key && (nest || st->stratum[last[c].unit] == h)) {
                unit[i] = (uint32_t)last[c].unit; /* (nested: h is in the key) */
                continue;
            }
            if ((u = ss_keymap_get(&km, key, &added)) < 0) {
                rc = ss_error_set(err, SS_EDATA, t->file, 0, "out of memory");
                break;
            }
            last[c].key = key;
            last[c].unit = u;
            if (added) {
                if ((size_t)u == ucap) {
                    ucap *= 2;
                    uint32_t *p = realloc(st->stratum, ucap * sizeof *p);
                    uint32_t *q = p ? realloc(first_row, ucap * sizeof *q) : NULL;
                    if (p)
                        st->stratum = p;
                    if (q)
                        first_row = q;
                    if (!p || !q) {
                        rc = ss_error_set(err, SS_EDATA, t->file, 0, "out of memory");
                        break;
                    }
                }
                st->stratum[u] = h;
                first_row[u] = (uint32_t)i;
            } else if (st->stratum[u] != h) {
                char a[256], b[256];
                ss_design_stratum_label(d, 1, st->stratum[u], a, sizeof a);
                ss_design_stratum_label(d, 1, h, b, sizeof b);
                rc = ss_error_set(err, SS_EDATA, t->file, ss_table_line(t, i),
                                  "column '%s': PSU '%s' is in strata '%s' and '%s' "
                                  "(use --nest when PSU ids repeat across strata)",
                                  ic->name, level_text(ic, c), a, b);
                break;
            }
            unit[i] = (uint32_t)u;
        }
        st->nunit = km.n;
        st->nstrata = s == 0 ? nstrata : d->stage[s - 1].nunit;
        st->id_col = ic;
        st->first_row = first_row;
        ss_keymap_free(&km);
        free(last);
    }
#undef ROW_STRATUM
    free(stratum_of);
    if (rc != SS_OK)
        return rc;

    /* Sample sizes, parents and population sizes per stratum. */
    for (size_t s = 0; s < d->nstage; s++) {
        ss_stage *st = &d->stage[s];
        st->npsu = calloc(st->nstrata ? st->nstrata : 1, sizeof *st->npsu);
        st->popsize = malloc((st->nstrata ? st->nstrata : 1) * sizeof *st->popsize);
        if (!st->npsu || !st->popsize)
            return ss_error_set(err, SS_EDATA, t->file, 0, "out of memory");
        for (size_t u = 0; u < st->nunit; u++)
            st->npsu[st->stratum[u]]++;
        for (size_t h = 0; h < st->nstrata; h++)
            st->popsize[h] = INFINITY;
    }

    /* fpc: all counts (some > 1) or all fractions (<= 1), as R's as.fpc;
     * with --pps, inclusion probabilities per unit (ss_pps.c). */
    if (spec->pps && (rc = ss_pps_build(d, t, spec, err)) != SS_OK)
        return rc;
    int counts = 0;
    for (size_t s = 0; s < spec->nfpc && !spec->pps; s++) {
        const ss_column *fc = ss_table_find(t, spec->fpc[s]);
        for (size_t i = 0; i < n; i++) {
            if (isnan(fc->num[i]))
                return missing_error(t, fc, i, err);
            if (fc->num[i] > 1)
                counts = 1;
        }
    }
    for (size_t s = 0; s < spec->nfpc && !spec->pps; s++) {
        const ss_column *fc = ss_table_find(t, spec->fpc[s]);
        ss_stage *st = &d->stage[s];
        double *seen = malloc((st->nstrata ? st->nstrata : 1) * sizeof *seen);
        if (!seen)
            return ss_error_set(err, SS_EDATA, t->file, 0, "out of memory");
        for (size_t h = 0; h < st->nstrata; h++)
            seen[h] = NAN;
        for (size_t i = 0; i < n; i++) {
            double v = fc->num[i];
            size_t u = st->unit ? st->unit[i] : i;
            uint32_t h = st->stratum[u];
            char lab[256];
            if ((counts && v < 1) || (!counts && v <= 0)) {
                free(seen);
                return ss_error_set(err, SS_EDATA, t->file, ss_table_line(t, i),
                                    "column '%s': fpc '%.17g' is %s", fc->name, v,
                                    counts ? "below 1 where other values are population counts"
                                           : "not a sampling fraction in (0, 1]");
            }
            if (isnan(seen[h])) {
                seen[h] = v;
                double N = counts ? v : st->npsu[h] / v;
                if (N < st->npsu[h] * (1 - 1e-12)) {
                    free(seen);
                    return ss_error_set(err, SS_EDATA, t->file, ss_table_line(t, i),
                                        "column '%s': fpc '%.17g' implies more than 100%% "
                                        "sampling in stratum '%s' at stage %zu (%u sampled)",
                                        fc->name, v,
                                        ss_design_stratum_label(d, s + 1, h, lab, sizeof lab),
                                        s + 1, st->npsu[h]);
                }
                st->popsize[h] = N;
            } else if (seen[h] != v) {
                double was = seen[h];
                free(seen);
                return ss_error_set(err, SS_EDATA, t->file, ss_table_line(t, i),
                                    "column '%s': fpc varies within stratum '%s' at stage %zu "
                                    "('%.17g' and '%.17g')", fc->name,
                                    ss_design_stratum_label(d, s + 1, h, lab, sizeof lab),
                                    s + 1, was, v);
            }
        }
        free(seen);
    }

    /* Weights. */
    d->w = ss_mem_array(NULL, n ? n : 1, "rows", 1, NULL, sizeof *d->w);
    if (!d->w)
        return ss_error_set(err, SS_EDATA, t->file, 0, "out of memory");
    if (spec->weights) {
        const ss_column *wc = ss_table_find(t, spec->weights);
        int any = 0;
        column_values(wc, n, d->w);
        for (size_t i = 0; i < n; i++) {
            double v = d->w[i];
            if (v >= SS_DESIGN_WEIGHT_MIN && v <= SS_DESIGN_WEIGHT_MAX) {
                any = 1;
                continue;
            }
            if (isnan(v))
                return ss_error_set(err, SS_EDATA, t->file, ss_table_line(t, i),
                                    "column '%s': missing weight", wc->name);
            if (v < 0)
                return ss_error_set(err, SS_EDATA, t->file, ss_table_line(t, i),
                                    "column '%s': negative weight '%.17g'", wc->name, v);
            /* Squares of scores must neither overflow nor underflow to 0. */
            if (v > 0)
                return ss_error_set(err, SS_EDATA, t->file, ss_table_line(t, i),
                                    "column '%s': weight '%.15g' is outside [%g, %g]: rescale "
                                    "the weights",
                                    wc->name, v, SS_DESIGN_WEIGHT_MIN, SS_DESIGN_WEIGHT_MAX);
        }
        if (!any)
            return ss_error_set(err, SS_EDATA, t->file, 0,
                                "column '%s': all weights are zero", wc->name);
    } else if (d->has_fpc) {
        /* As R's svydesign: probabilities from the sampling fractions. */
        d->weights_from_fpc = 1;
        for (size_t i = 0; i < n; i++) {
            double w = 1;
            for (size_t s = 0; s < nst; s++) {
                const ss_stage *st = &d->stage[s];
                uint32_t h = st->stratum[st->unit ? st->unit[i] : i];
                if (st->pi) {
                    w /= st->pi[st->unit ? st->unit[i] : i];
                    continue;
                }
                if (isinf(st->popsize[h]))
                    return ss_error_set(err, SS_EUSAGE, NULL, 0,
                                        "weights cannot be computed from the fpc: stage %zu "
                                        "has no fpc (give --weights)", s + 1);
                w *= st->popsize[h] / st->npsu[h];
            }
            d->w[i] = w;
        }
    } else {
        for (size_t i = 0; i < n; i++)
            d->w[i] = 1;
    }

    /* Design df: PSUs minus strata among rows with positive weight; with
     * no zero weight, every unit and every stratum of stage 1 (numbered
     * as their rows come) has one. */
    int zero = 0;
    for (size_t i = 0; i < n; i++)
        zero |= d->w[i] == 0;
    if (!zero && n > 0) {
        d->df = (double)d->stage[0].nunit - (double)d->stage[0].nstrata;
    } else {
        const ss_stage *st = &d->stage[0];
        uint8_t *u_seen = calloc(st->nunit ? st->nunit : 1, 1);
        uint8_t *h_seen = calloc(st->nstrata ? st->nstrata : 1, 1);
        if (!u_seen || !h_seen) {
            free(u_seen);
            free(h_seen);
            return ss_error_set(err, SS_EDATA, t->file, 0, "out of memory");
        }
        size_t nu = 0, nh = 0;
        for (size_t i = 0; i < n; i++) {
            if (d->w[i] == 0)
                continue;
            size_t u = st->unit ? st->unit[i] : i;
            if (!u_seen[u]) {
                u_seen[u] = 1;
                nu++;
                if (!h_seen[st->stratum[u]]) {
                    h_seen[st->stratum[u]] = 1;
                    nh++;
                }
            }
        }
        free(u_seen);
        free(h_seen);
        d->df = (double)nu - (double)nh;
    }
    if (d->stage[0].nunit < 2 && !(spec->nest && sc))
        return ss_error_set(err, SS_EDATA, t->file, 0, "the design has only one primary sampling unit");
    return SS_OK;
}

/* ---- variance ---- */

struct ss_design_work {
    size_t p;                        /* scores at most */
    size_t nstage;
    double *tot[SS_MAX_STAGES];      /* unit totals, nunit x p */
    uint8_t *touched[SS_MAX_STAGES]; /* per unit */
    size_t *list[SS_MAX_STAGES];     /* touched units */
    size_t nlist[SS_MAX_STAGES];
    uint8_t *sflag;                  /* per stage-1 stratum (or unit) */
    size_t *slist;
    size_t nslist;
    double *mean, *acc, *contrib;    /* p, p x p, p x p */
    uint8_t *h_seen;                 /* for domain df */
    uint8_t *df_touched;             /* domain df: per stage-1 unit */
    size_t *df_units, *df_strata;    /* and the units and strata seen */
    size_t df_nu, df_nh;
    int diag;                        /* ss_design_work_diag: the variances only */
    /* ss_design_work_average_over: the strata of the lonely-PSU average
     * and those of them with more than one PSU (avg_nstrat 0: touched). */
    size_t avg_nstrat, avg_nok;
};

void ss_design_work_diag(ss_design_work *w, int on)
{
    w->diag = on;
}

void ss_design_work_free(ss_design_work *w)
{
    if (!w)
        return;
    for (size_t s = 0; s < SS_MAX_STAGES; s++) {
        free(w->tot[s]);
        free(w->touched[s]);
        free(w->list[s]);
    }
    free(w->sflag);
    free(w->slist);
    free(w->mean);
    free(w->acc);
    free(w->contrib);
    free(w->h_seen);
    free(w->df_touched);
    free(w->df_units);
    free(w->df_strata);
    free(w);
}

ss_design_work *ss_design_work_alloc(const ss_design *d, size_t p)
{
    ss_design_work *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->p = p;
    w->nstage = d->nstage;
    size_t maxstrata = 1;
    for (size_t s = 0; s < d->nstage; s++) {
        size_t nu = d->stage[s].nunit ? d->stage[s].nunit : 1;
        w->tot[s] = calloc(nu * p, sizeof *w->tot[s]);
        w->touched[s] = calloc(nu, 1);
        w->list[s] = malloc(nu * sizeof *w->list[s]);
        if (!w->tot[s] || !w->touched[s] || !w->list[s]) {
            ss_design_work_free(w);
            return NULL;
        }
        if (d->stage[s].nstrata > maxstrata)
            maxstrata = d->stage[s].nstrata;
    }
    w->sflag = calloc(maxstrata, 1);
    w->slist = malloc(maxstrata * sizeof *w->slist);
    w->h_seen = calloc(maxstrata, 1);
    size_t nu0 = d->stage[0].nunit ? d->stage[0].nunit : 1;
    w->df_touched = calloc(nu0, 1);
    w->df_units = malloc(nu0 * sizeof *w->df_units);
    w->df_strata = malloc(maxstrata * sizeof *w->df_strata);
    w->mean = malloc(p * sizeof *w->mean);
    w->acc = malloc(p * p * sizeof *w->acc);
    w->contrib = malloc(p * p * sizeof *w->contrib);
    if (!w->sflag || !w->slist || !w->h_seen || !w->mean || !w->acc || !w->contrib ||
        !w->df_touched || !w->df_units || !w->df_strata) {
        ss_design_work_free(w);
        return NULL;
    }
    return w;
}

static size_t unit_of(const ss_stage *st, size_t row)
{
    return st->unit ? st->unit[row] : row;
}

/* One stratum h at stage s (0-based) of p scores whose touched units are units[0..k):
 * its variance contribution in w->contrib.  Returns 1 when the stratum is
 * a lonely PSU under "average" (R's NA), -1 under "fail", else 0. */
static int one_stratum(const ss_design *d, ss_design_work *w, size_t p, size_t s,
                       uint32_t h, const size_t *units, size_t k)
{
    const ss_stage *st = &d->stage[s];
    if (st->pi)
        return ss_pps_brewer_stratum(d, s, h, w->tot[s], units, k, p, w->diag, w->mean,
                                     w->contrib);
    const double nh = st->npsu[h], N = st->popsize[h];
    const double f = isinf(N) ? 1.0 : (N - nh) / N;
    memset(w->contrib, 0, p * p * sizeof *w->contrib);
    if (f < 1e-7) /* a self-representing stratum, as R's onestrat */
        return 0;
    const double *tot = w->tot[s];
    if (nh > 1) {
        /* Unit by unit, each unit's p totals together (one pass over the
         * totals); every sum still runs over the units in order. */
        memset(w->mean, 0, p * sizeof *w->mean);
        for (size_t j = 0; j < k; j++) {
            const double *t = &tot[units[j] * p];
            for (size_t a = 0; a < p; a++)
                w->mean[a] += t[a];
        }
        for (size_t a = 0; a < p; a++)
            w->mean[a] /= nh;
        for (size_t j = 0; j < k; j++) {
            const double *t = &tot[units[j] * p];
            if (w->diag) {
                for (size_t a = 0; a < p; a++)
                    w->contrib[a * p + a] += (t[a] - w->mean[a]) * (t[a] - w->mean[a]);
                continue;
            }
            for (size_t a = 0; a < p; a++)
                for (size_t b = 0; b < p; b++)
                    w->contrib[a * p + b] += (t[a] - w->mean[a]) * (t[b] - w->mean[b]);
        }
        double pad = nh - (double)k; /* PSUs of the stratum with no present row */
        for (size_t a = 0; a < p; a++)
            for (size_t b = w->diag ? a : 0; b < (w->diag ? a + 1 : p); b++)
                w->contrib[a * p + b] = (w->contrib[a * p + b] + pad * w->mean[a] * w->mean[b]) *
                                        f * nh / (nh - 1);
        return 0;
    }
    switch (d->lonely) {
    case SS_LONELY_FAIL:
        return -1;
    case SS_LONELY_ADJUST: {
        const double *t = &tot[units[0] * p];
        for (size_t a = 0; a < p; a++)
            for (size_t b = w->diag ? a : 0; b < (w->diag ? a + 1 : p); b++)
                w->contrib[a * p + b] = f * t[a] * t[b];
        return 0;
    }
    case SS_LONELY_AVERAGE:
        return 1;
    default:
        return 0;
    }
}

static int lonely_error(const ss_design *d, size_t s, uint32_t h, ss_error *err)
{
    char lab[256];
    return ss_error_set(err, SS_EDATA, NULL, 0,
                        "stratum '%s' has only one PSU at stage %zu "
                        "(see --lonely-psu)",
                        ss_design_stratum_label(d, s + 1, h, lab, sizeof lab), s + 1);
}

static int vcov_raw(const ss_design *d, ss_design_work *w, const size_t *rows,
                    const double *z, size_t m, size_t p, double *V, ss_error *err);

int ss_design_vcov(const ss_design *d, ss_design_work *w, const size_t *rows,
                   const double *z, size_t m, size_t p, double *V, ss_error *err)
{
    if (d->rep)
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "this analysis is not available with replicate weights");
    if (d->ncal == 0)
        return vcov_raw(d, w, rows, z, m, p, V, err);
    /* A calibrated design: the scores of every row (zero outside the
     * present rows) are replaced by their calibration residuals. */
    const size_t n = d->n;
    double *x = calloc((n ? n : 1) * p, sizeof *x);
    size_t *all = malloc((n ? n : 1) * sizeof *all);
    if (!x || !all) {
        free(x);
        free(all);
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    }
    for (size_t k = 0; k < m; k++)
        for (size_t a = 0; a < p; a++)
            x[rows[k] * p + a] += z[k * p + a];
    for (size_t i = 0; i < n; i++)
        all[i] = i;
    int rc = calibrate_scores(d, x, p, err);
    if (rc == SS_OK)
        rc = vcov_raw(d, w, all, x, n, p, V, err);
    free(x);
    free(all);
    return rc;
}

void ss_design_vcov_add(const ss_design *d, ss_design_work *w, const size_t *rows,
                        const double *z, size_t m, size_t p)
{
    const size_t L = d->nstage;
    const ss_stage *st = &d->stage[L - 1];
    double *tot = w->tot[L - 1];
    uint8_t *touched = w->touched[L - 1];
    size_t *list = w->list[L - 1], nlist = w->nlist[L - 1];
    if (p == 1) {
        for (size_t k = 0; k < m; k++) {
            size_t u = unit_of(st, rows[k]);
            if (!touched[u]) {
                touched[u] = 1;
                list[nlist++] = u;
            }
            tot[u] += z[k];
        }
        w->nlist[L - 1] = nlist;
        return;
    }
    for (size_t k = 0; k < m; k++) {
        size_t u = unit_of(st, rows[k]);
        if (!touched[u]) {
            touched[u] = 1;
            list[nlist++] = u;
        }
        double *t = tot + u * p;
        const double *zk = z + k * p;
        size_t a = 0;
#ifdef __SSE2__
        /* two scores at a time: each lane adds as the scalar code */
        for (; a + 2 <= p; a += 2)
            _mm_storeu_pd(t + a, _mm_add_pd(_mm_loadu_pd(t + a), _mm_loadu_pd(zk + a)));
#endif
        for (; a < p; a++)
            t[a] += zk[a];
    }
    w->nlist[L - 1] = nlist;
}

static int vcov_raw(const ss_design *d, ss_design_work *w, const size_t *rows,
                    const double *z, size_t m, size_t p, double *V, ss_error *err)
{
    ss_design_vcov_add(d, w, rows, z, m, p);
    return ss_design_vcov_end(d, w, p, V, err);
}

int ss_design_vcov_end(const ss_design *d, ss_design_work *w, size_t p, double *V,
                       ss_error *err)
{
    const size_t L = d->nstage;
    const size_t step = w->diag ? p + 1 : 1; /* a * p + a: the diagonal */
    int rc = SS_OK;
    memset(V, 0, p * p * sizeof *V);

    /* The deepest units' totals (ss_design_vcov_add), rolled up stage by
     * stage. */
    for (size_t s = L - 1; s > 0; s--) {
        const ss_stage *st = &d->stage[s];
        for (size_t j = 0; j < w->nlist[s]; j++) {
            size_t u = w->list[s][j];
            size_t pu = st->stratum[u]; /* the parent unit at stage s - 1 */
            if (!w->touched[s - 1][pu]) {
                w->touched[s - 1][pu] = 1;
                w->list[s - 1][w->nlist[s - 1]++] = pu;
            }
            for (size_t a = 0; a < p; a++)
                w->tot[s - 1][pu * p + a] += w->tot[s][u * p + a];
        }
    }

    /* Stage 1: every stratum with a present row is one group; hr, ht and
     * yg designs (one stage) have their own form (ss_pps.c). */
    if (d->joint) {
        rc = ss_pps_joint_vcov(d, w->tot[0], w->list[0], w->nlist[0], p, w->diag, V, err);
        goto reset;
    } else {
        const ss_stage *st = &d->stage[0];
        /* Group the touched units by stratum: count, then place. */
        size_t nh_touched = 0;
        for (size_t j = 0; j < w->nlist[0]; j++) {
            uint32_t h = st->stratum[w->list[0][j]];
            if (!w->sflag[h]) {
                w->sflag[h] = 1;
                w->slist[nh_touched++] = h;
            }
        }
        /* Sort the touched units by stratum (counting sort over touched). */
        size_t *start = calloc(st->nstrata + 1, sizeof *start);
        size_t *sorted = malloc((w->nlist[0] ? w->nlist[0] : 1) * sizeof *sorted);
        if (!start || !sorted) {
            free(start);
            free(sorted);
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
            goto reset;
        }
        for (size_t j = 0; j < w->nlist[0]; j++)
            start[st->stratum[w->list[0][j]] + 1]++;
        for (size_t h = 0; h < st->nstrata; h++)
            start[h + 1] += start[h];
        for (size_t j = 0; j < w->nlist[0]; j++) {
            size_t u = w->list[0][j];
            sorted[start[st->stratum[u]]++] = u;
        }
        /* start[h] is now the end of stratum h; its begin is start[h-1]. */
        size_t nok = 0;
        memset(w->acc, 0, p * p * sizeof *w->acc);
        for (size_t q = 0; q < nh_touched; q++) {
            uint32_t h = (uint32_t)w->slist[q];
            size_t b = h ? start[h - 1] : 0, e = start[h];
            int r = one_stratum(d, w, p, 0, h, sorted + b, e - b);
            if (r < 0) {
                rc = lonely_error(d, 0, h, err);
                break;
            }
            if (r == 0) {
                nok++;
                for (size_t a = 0; a < p * p; a += step)
                    w->acc[a] += w->contrib[a];
            }
        }
        free(start);
        free(sorted);
        for (size_t q = 0; q < nh_touched; q++)
            w->sflag[w->slist[q]] = 0;
        if (rc != SS_OK)
            goto reset;
        size_t nstrat = nh_touched;
        if (w->avg_nstrat > 0) { /* the untouched strata add 0 to acc */
            nstrat = w->avg_nstrat;
            nok = w->avg_nok;
        }
        double scale = nok ? (double)nstrat / (double)nok : NAN;
        if (nh_touched == 0)
            scale = 0;
        for (size_t a = 0; a < p * p; a += step)
            V[a] += w->acc[a] * scale;
    }

    /* Later stages: within each present unit above, weighted by the
     * sampling fractions on the path down to it. */
    if (L > 1) {
        double *mult[SS_MAX_STAGES] = {0};
        for (size_t s = 0; s + 1 < L; s++) {
            mult[s] = malloc((d->stage[s].nunit ? d->stage[s].nunit : 1) * sizeof *mult[s]);
            if (!mult[s]) {
                rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
                break;
            }
        }
        for (size_t s = 0; s + 1 < L && rc == SS_OK; s++) {
            const ss_stage *st = &d->stage[s];
            for (size_t j = 0; j < w->nlist[s]; j++) {
                size_t u = w->list[s][j];
                uint32_t h = st->stratum[u];
                double above = s == 0 ? 1.0 : mult[s - 1][h];
                mult[s][u] = above * (st->pi ? st->pi[u] : st->npsu[h] / st->popsize[h]);
            }
            /* Stage s + 1: unit u of stage s is the only stratum of its group. */
            const ss_stage *next = &d->stage[s + 1];
            size_t *kids_start = calloc(st->nunit + 1, sizeof *kids_start);
            size_t *kids = malloc((w->nlist[s + 1] ? w->nlist[s + 1] : 1) * sizeof *kids);
            if (!kids_start || !kids) {
                free(kids_start);
                free(kids);
                rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
                break;
            }
            for (size_t j = 0; j < w->nlist[s + 1]; j++)
                kids_start[next->stratum[w->list[s + 1][j]] + 1]++;
            for (size_t u = 0; u < st->nunit; u++)
                kids_start[u + 1] += kids_start[u];
            for (size_t j = 0; j < w->nlist[s + 1]; j++) {
                size_t v = w->list[s + 1][j];
                kids[kids_start[next->stratum[v]]++] = v;
            }
            for (size_t j = 0; j < w->nlist[s] && rc == SS_OK; j++) {
                size_t u = w->list[s][j];
                if (mult[s][u] == 0)
                    continue;
                size_t b = u ? kids_start[u - 1] : 0, e = kids_start[u];
                int r = one_stratum(d, w, p, s + 1, (uint32_t)u, kids + b, e - b);
                if (r < 0) {
                    rc = lonely_error(d, s + 1, (uint32_t)u, err);
                    break;
                }
                for (size_t a = 0; a < p * p; a += step)
                    V[a] += r == 1 ? NAN : mult[s][u] * w->contrib[a];
            }
            free(kids_start);
            free(kids);
        }
        for (size_t s = 0; s + 1 < L; s++)
            free(mult[s]);
    }

reset:
    for (size_t s = 0; s < L; s++) {
        for (size_t j = 0; j < w->nlist[s]; j++) {
            size_t u = w->list[s][j];
            w->touched[s][u] = 0;
            memset(&w->tot[s][u * p], 0, p * sizeof(double));
        }
        w->nlist[s] = 0;
    }
    return rc;
}

int ss_design_vcov_cells(const ss_design *d, const size_t *rows, const size_t *cell,
                         const double *a, size_t m, size_t p, double *V, ss_error *err)
{
    if (d->nstage != 1 || d->ncal > 0 || d->rep || d->pps)
        return -1;
    const ss_stage *st = &d->stage[0];
    const size_t nunit = st->nunit ? st->nunit : 1, nst = st->nstrata ? st->nstrata : 1;
    size_t *uidx = malloc(nunit * sizeof *uidx);     /* unit -> touched index + 1 */
    size_t *ulist = malloc((m ? m : 1) * sizeof *ulist);
    size_t *ustart = calloc(m + 2, sizeof *ustart);  /* rows of touched unit j */
    size_t *order = malloc((m ? m : 1) * sizeof *order);
    uint32_t *ecell = malloc((m ? m : 1) * sizeof *ecell); /* unit j's cells and */
    double *eval = malloc((m ? m : 1) * sizeof *eval);     /* totals: estart[j].. */
    size_t *estart = calloc(m + 2, sizeof *estart);
    long *pos = malloc(p * sizeof *pos);
    double *mean = calloc(p, sizeof *mean);
    size_t *hstart = calloc(nst + 1, sizeof *hstart), *hunits = NULL;
    int rc = SS_OK;
    if (!uidx || !ulist || !ustart || !order || !ecell || !eval || !estart || !pos || !mean ||
        !hstart || !(hunits = malloc((m ? m : 1) * sizeof *hunits))) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        goto done;
    }
    memset(V, 0, p * p * sizeof *V);
    /* The touched units, their rows (counting sort), then each unit's
     * total per cell: a sparse vector of at most its rows' cells. */
    size_t nt = 0;
    for (size_t q = 0; q < m; q++) {
        size_t u = unit_of(st, rows[q]);
        uidx[u] = 0;
    }
    for (size_t q = 0; q < m; q++) {
        size_t u = unit_of(st, rows[q]);
        if (!uidx[u]) {
            ulist[nt++] = u;
            uidx[u] = nt;
        }
        ustart[uidx[u]]++;
    }
    for (size_t j = 0; j < nt; j++)
        ustart[j + 1] += ustart[j];
    for (size_t q = 0; q < m; q++)
        order[ustart[uidx[unit_of(st, rows[q])] - 1]++] = q;
    for (size_t j = nt; j > 0; j--)
        ustart[j] = ustart[j - 1];
    ustart[0] = 0;
    for (size_t c = 0; c < p; c++)
        pos[c] = -1;
    size_t ne = 0;
    for (size_t j = 0; j < nt; j++) {
        estart[j] = ne;
        for (size_t k = ustart[j]; k < ustart[j + 1]; k++) {
            size_t q = order[k];
            size_t c = cell[q];
            if (pos[c] < 0) {
                pos[c] = (long)ne;
                ecell[ne] = c;
                eval[ne++] = 0;
            }
            eval[pos[c]] += a[q];
        }
        for (size_t e = estart[j]; e < ne; e++)
            pos[ecell[e]] = -1;
    }
    estart[nt] = ne;
    /* The touched units by stratum. */
    for (size_t j = 0; j < nt; j++)
        hstart[st->stratum[ulist[j]] + 1]++;
    for (size_t h = 0; h < nst; h++)
        hstart[h + 1] += hstart[h];
    {
        size_t *fill = order; /* reused: a cursor per stratum */
        for (size_t h = 0; h < nst && h < m; h++)
            fill[h] = hstart[h];
        if (nst > m) {
            free(order);
            order = fill = malloc(nst * sizeof *fill);
            if (!fill) {
                rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
                goto done;
            }
            for (size_t h = 0; h < nst; h++)
                fill[h] = hstart[h];
        }
        for (size_t j = 0; j < nt; j++)
            hunits[fill[st->stratum[ulist[j]]]++] = j;
    }
    /* Each stratum as one_stratum: sum over its units of (t - mean)(t -
     * mean)' = sum t t' - nh mean mean' (the units without a present row
     * have t = 0), times f nh / (nh - 1). */
    size_t ntouched = 0, nok = 0;
    size_t *support = ulist; /* reused: the cells of the stratum */
    for (size_t h = 0; h < nst && rc == SS_OK; h++) {
        size_t b = hstart[h], e = hstart[h + 1];
        if (b == e)
            continue;
        ntouched++;
        const double nh = st->npsu[h], N = st->popsize[h];
        const double f = isinf(N) ? 1.0 : (N - nh) / N;
        if (f < 1e-7) { /* a self-representing stratum */
            nok++;
            continue;
        }
        if (nh > 1) {
            nok++;
            const double sc = f * nh / (nh - 1);
            size_t ns = 0;
            for (size_t k = b; k < e; k++) {
                size_t j = hunits[k];
                for (size_t x = estart[j]; x < estart[j + 1]; x++) {
                    const double vx = sc * eval[x];
                    const size_t row = (size_t)ecell[x] * p;
                    for (size_t y = estart[j]; y < estart[j + 1]; y++)
                        V[row + ecell[y]] += vx * eval[y];
                    if (mean[ecell[x]] == 0 && pos[ecell[x]] < 0) {
                        pos[ecell[x]] = 1;
                        support[ns++] = ecell[x];
                    }
                    mean[ecell[x]] += eval[x];
                }
            }
            for (size_t x = 0; x < ns; x++) {
                const double mx = sc * mean[support[x]] / nh;
                const size_t row = (size_t)support[x] * p;
                for (size_t y = 0; y < ns; y++)
                    V[row + support[y]] -= mx * mean[support[y]];
            }
            for (size_t x = 0; x < ns; x++) {
                mean[support[x]] = 0;
                pos[support[x]] = -1;
            }
            continue;
        }
        switch (d->lonely) {
        case SS_LONELY_FAIL:
            rc = lonely_error(d, 0, (uint32_t)h, err);
            break;
        case SS_LONELY_ADJUST: {
            size_t j = hunits[b];
            for (size_t x = estart[j]; x < estart[j + 1]; x++)
                for (size_t y = estart[j]; y < estart[j + 1]; y++)
                    V[(size_t)ecell[x] * p + ecell[y]] += f * eval[x] * eval[y];
            nok++;
            break;
        }
        case SS_LONELY_AVERAGE:
            break;
        default:
            nok++;
            break;
        }
    }
    if (rc == SS_OK) {
        double scale = nok ? (double)ntouched / (double)nok : NAN;
        if (ntouched == 0)
            scale = 0;
        for (size_t k = 0; k < p * p; k++)
            V[k] *= scale;
    }
done:
    free(uidx);
    free(ulist);
    free(ustart);
    free(order);
    free(ecell);
    free(eval);
    free(estart);
    free(pos);
    free(mean);
    free(hstart);
    free(hunits);
    return rc;
}

void ss_design_work_average_over(const ss_design *d, ss_design_work *w, const size_t *rows,
                                 size_t m)
{
    w->avg_nstrat = w->avg_nok = 0;
    if (m == 0 || d->lonely != SS_LONELY_AVERAGE || d->ncal > 0)
        return;
    const ss_stage *st = &d->stage[0];
    size_t nh = 0, nok = 0;
    for (size_t k = 0; k < m; k++) {
        uint32_t h = st->stratum[unit_of(st, rows[k])];
        if (w->sflag[h])
            continue;
        w->sflag[h] = 1;
        w->slist[nh++] = h;
        /* as one_stratum: a census or more than one PSU is not lonely */
        double N = st->popsize[h], f = isinf(N) ? 1.0 : (N - st->npsu[h]) / N;
        nok += f < 1e-7 || st->npsu[h] > 1;
    }
    for (size_t q = 0; q < nh; q++)
        w->sflag[w->slist[q]] = 0;
    w->avg_nstrat = nh;
    w->avg_nok = nok;
}

void ss_design_df_add(const ss_design *d, ss_design_work *w, const size_t *rows, size_t m)
{
    const ss_stage *st = &d->stage[0];
    size_t nu = w->df_nu, nh = w->df_nh;
    for (size_t k = 0; k < m; k++) {
        size_t i = rows[k];
        if (d->w[i] == 0)
            continue;
        size_t u = unit_of(st, i);
        if (!w->df_touched[u]) {
            w->df_touched[u] = 1;
            w->df_units[nu++] = u;
            uint32_t h = st->stratum[u];
            if (!w->h_seen[h]) {
                w->h_seen[h] = 1;
                w->df_strata[nh++] = h;
            }
        }
    }
    w->df_nu = nu;
    w->df_nh = nh;
}

double ss_design_df_end(ss_design_work *w)
{
    for (size_t j = 0; j < w->df_nu; j++)
        w->df_touched[w->df_units[j]] = 0;
    for (size_t j = 0; j < w->df_nh; j++)
        w->h_seen[w->df_strata[j]] = 0;
    double df = (double)w->df_nu - (double)w->df_nh;
    w->df_nu = w->df_nh = 0;
    return df;
}

size_t ss_design_glm_rows(const ss_design *d, size_t m)
{
    return !d->rep && (d->ncal > 0 || d->pps != SS_PPS_NONE) ? d->n : m;
}

double ss_design_domain_df(const ss_design *d, ss_design_work *w,
                           const size_t *rows, size_t m)
{
    ss_design_df_add(d, w, rows, m);
    return ss_design_df_end(w);
}
