#include "ss_pps.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ss_design.h"
#include "ss_dict.h"

struct ss_pps_joint {
    int yg;          /* Yates-Grundy rather than Horvitz-Thompson */
    uint32_t *pos;   /* per stage-1 unit: its place in its stratum */
    size_t *nh;      /* per stratum: units */
    size_t *off;     /* per stratum: where its nh x nh block of D starts */
    double *D;
    double *colsum;  /* per unit: sum over its stratum's units of D */
};

void ss_pps_joint_free(ss_pps_joint *j)
{
    if (!j)
        return;
    free(j->pos);
    free(j->nh);
    free(j->off);
    free(j->D);
    free(j->colsum);
    free(j);
}

static const char *unit_label(const ss_design *d, size_t u, char *buf, size_t size)
{
    const ss_stage *st = &d->stage[0];
    if (!st->id_col) {
        snprintf(buf, size, "%zu", u + 1);
        return buf;
    }
    const ss_column *c = st->id_col;
    int32_t code = c->code[st->first_row[u]];
    return ss_error_quote(c->levels.str[code], c->levels.len[code], buf, size);
}

/* stage[s].pi from the fpc column of stage s: a probability in (0, 1],
 * the same on every row of a unit. */
static int read_probs(ss_design *d, const ss_table *t, size_t s, const ss_column *fc,
                      ss_error *err)
{
    ss_stage *st = &d->stage[s];
    size_t nu = st->nunit ? st->nunit : 1;
    st->pi = malloc(nu * sizeof *st->pi);
    st->fsum = calloc(st->nstrata ? st->nstrata : 1, sizeof *st->fsum);
    if (!st->pi || !st->fsum)
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    for (size_t u = 0; u < st->nunit; u++)
        st->pi[u] = NAN;
    for (size_t i = 0; i < d->n; i++) {
        double v = fc->num[i];
        size_t u = st->unit ? st->unit[i] : i;
        if (isnan(v))
            return ss_error_set(err, SS_EDATA, t->file, ss_table_line(t, i),
                                "column '%s': missing inclusion probability", fc->name);
        if (!(v > 0 && v <= 1))
            return ss_error_set(err, SS_EDATA, t->file, ss_table_line(t, i),
                                "column '%s': inclusion probability '%.17g' is not in (0, 1] "
                                "(--pps takes probabilities in --fpc, not population counts)",
                                fc->name, v);
        if (isnan(st->pi[u])) {
            st->pi[u] = v;
            st->fsum[st->stratum[u]] += 1 - v;
        } else if (st->pi[u] != v) {
            char lab[256];
            return ss_error_set(err, SS_EDATA, t->file, ss_table_line(t, i),
                                "column '%s': inclusion probability varies within unit '%s' at "
                                "stage %zu ('%.17g' and '%.17g')",
                                fc->name, s == 0 ? unit_label(d, u, lab, sizeof lab) : "?",
                                s + 1, st->pi[u], v);
        }
    }
    /* A stratum whose every unit is certain (1 - pi < 1e-7, R's onestrat)
     * adds no variance: its fsum is 0. */
    uint8_t *uncertain = calloc(st->nstrata ? st->nstrata : 1, 1);
    if (!uncertain)
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    for (size_t u = 0; u < st->nunit; u++)
        if (1 - st->pi[u] >= 1e-7)
            uncertain[st->stratum[u]] = 1;
    for (size_t h = 0; h < st->nstrata; h++)
        if (!uncertain[h])
            st->fsum[h] = 0;
    free(uncertain);
    return SS_OK;
}

size_t ss_pps_stratum_popsize(const ss_design *d, double *popsize)
{
    const ss_stage *st = &d->stage[0];
    for (size_t h = 0; h < st->nstrata; h++)
        popsize[h] = NAN;
    for (size_t u = 0; u < st->nunit; u++) {
        size_t h = st->stratum[u];
        double N = st->npsu[h] / st->pi[u];
        if (isnan(popsize[h]))
            popsize[h] = N;
        else if (popsize[h] != N)
            return h;
    }
    return st->nstrata;
}

/* The stratum blocks of D: positions of the units, offsets, storage. */
static int joint_alloc(ss_design *d, int yg, ss_error *err)
{
    const ss_stage *st = &d->stage[0];
    ss_pps_joint *j = calloc(1, sizeof *j);
    if (!j)
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    d->joint = j;
    j->yg = yg;
    size_t nu = st->nunit ? st->nunit : 1, nh = st->nstrata ? st->nstrata : 1;
    j->pos = malloc(nu * sizeof *j->pos);
    j->nh = calloc(nh, sizeof *j->nh);
    j->off = calloc(nh + 1, sizeof *j->off);
    j->colsum = calloc(nu, sizeof *j->colsum);
    if (!j->pos || !j->nh || !j->off || !j->colsum)
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    for (size_t u = 0; u < st->nunit; u++)
        j->pos[u] = (uint32_t)j->nh[st->stratum[u]]++;
    size_t total = 0;
    for (size_t h = 0; h < st->nstrata; h++) {
        j->off[h] = total;
        if (j->nh[h] > 0 && j->nh[h] > (SIZE_MAX / sizeof(double) - total) / j->nh[h])
            return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        total += j->nh[h] * j->nh[h];
    }
    j->D = malloc((total ? total : 1) * sizeof *j->D);
    if (!j->D)
        return ss_error_set(err, SS_EDATA, NULL, 0,
                            "out of memory (the joint probabilities of %zu PSUs)", st->nunit);
    for (size_t k = 0; k < total; k++)
        j->D[k] = NAN;
    return SS_OK;
}

static double *dcell(ss_pps_joint *j, const ss_stage *st, size_t u, size_t v)
{
    size_t h = st->stratum[u];
    return &j->D[j->off[h] + (size_t)j->pos[u] * j->nh[h] + j->pos[v]];
}

/* Hartley-Rao: R's HRDcheck with p2bar the stratum's mean probability. */
static void hartley_rao(ss_design *d)
{
    const ss_stage *st = &d->stage[0];
    ss_pps_joint *j = d->joint;
    double *mean = calloc(st->nstrata ? st->nstrata : 1, sizeof *mean);
    for (size_t u = 0; u < st->nunit; u++)
        mean[st->stratum[u]] += st->pi[u];
    for (size_t h = 0; h < st->nstrata; h++)
        mean[h] /= (double)j->nh[h];
    /* the units of each stratum, in order */
    for (size_t u = 0; u < st->nunit; u++)
        for (size_t v = 0; v < st->nunit; v++) {
            if (st->stratum[u] != st->stratum[v])
                continue;
            double n = (double)j->nh[st->stratum[u]], f = st->pi[u] + st->pi[v];
            double *c = dcell(j, st, u, v);
            if (u == v)
                *c = 1 - st->pi[u];
            else if (f == 1)
                *c = 0;
            else
                *c = 1 - (n - f + mean[st->stratum[u]]) / (n - 1);
        }
    free(mean);
}

/* R's order of PSU labels is irrelevant here: the file names them. */
static int read_joint(ss_design *d, const char *path, ss_error *err)
{
    const ss_stage *st = &d->stage[0];
    ss_pps_joint *j = d->joint;
    char a[256], b[256];
    /* label -> unit */
    ss_dict labels;
    if (ss_dict_init(&labels) != 0)
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    size_t nu = st->nunit ? st->nunit : 1;
    int32_t *unit_of_label = malloc(nu * sizeof *unit_of_label);
    int rc = unit_of_label ? SS_OK : ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    for (size_t u = 0; u < st->nunit && rc == SS_OK; u++) {
        const ss_column *c = st->id_col;
        int32_t code = c->code[st->first_row[u]];
        size_t before = labels.n;
        int32_t l = ss_dict_intern(&labels, c->levels.str[code], c->levels.len[code]);
        if (l < 0)
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        else if (labels.n == before)
            rc = ss_error_set(err, SS_EUSAGE, NULL, 0,
                              "--joint-probs: PSU id '%s' of column '%s' repeats across strata: "
                              "the file needs ids that name one PSU",
                              unit_label(d, u, a, sizeof a), c->name);
        else
            unit_of_label[l] = (int32_t)u;
    }
    ss_table jt = {0};
    ss_read_options o = {0};
    o.delimiter = ',';
    ss_request req[] = {{"id1", SS_NEED_CATEGORY}, {"id2", SS_NEED_CATEGORY},
                        {"p", SS_NEED_NUMBER}};
    if (rc == SS_OK)
        rc = ss_table_read(&jt, path, &o, req, 3, err);
    const ss_column *c1 = rc == SS_OK ? ss_table_find(&jt, "id1") : NULL;
    const ss_column *c2 = rc == SS_OK ? ss_table_find(&jt, "id2") : NULL;
    const ss_column *cp = rc == SS_OK ? ss_table_find(&jt, "p") : NULL;
    uint8_t *named = calloc(nu, 1);
    if (rc == SS_OK && !named)
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    for (size_t i = 0; i < jt.nrow && rc == SS_OK; i++) {
        long line = ss_table_line(&jt, i);
        if (c1->code[i] < 0 || c2->code[i] < 0 || isnan(cp->num[i])) {
            rc = ss_error_set(err, SS_EDATA, path, line, "missing id1, id2 or p");
            break;
        }
        const char *s1 = c1->levels.str[c1->code[i]], *s2 = c2->levels.str[c2->code[i]];
        int32_t l1 = ss_dict_find(&labels, s1, strlen(s1));
        int32_t l2 = ss_dict_find(&labels, s2, strlen(s2));
        if (l1 < 0 || l2 < 0) /* a PSU not in the sample (or outside a subset) */
            continue;
        size_t u = (size_t)unit_of_label[l1], v = (size_t)unit_of_label[l2];
        named[u] = named[v] = 1;
        double pij = cp->num[i], pu = st->pi[u], pv = st->pi[v];
        if (u == v) {
            if (fabs(pij - pu) > 1e-9 * pu) {
                rc = ss_error_set(err, SS_EDATA, path, line,
                                  "column 'p': joint probability '%.17g' of PSU '%s' with itself "
                                  "is not its inclusion probability '%.17g' (--fpc)",
                                  pij, ss_error_quote(s1, strlen(s1), a, sizeof a), pu);
                break;
            }
            continue;
        }
        if (st->stratum[u] != st->stratum[v]) {
            if (fabs(pij - pu * pv) > 1e-9 * pu * pv) {
                rc = ss_error_set(err, SS_EDATA, path, line,
                                  "column 'p': PSUs '%s' and '%s' are in different strata, so "
                                  "their joint probability must be %.17g (the product), not "
                                  "'%.17g'",
                                  ss_error_quote(s1, strlen(s1), a, sizeof a),
                                  ss_error_quote(s2, strlen(s2), b, sizeof b), pu * pv, pij);
                break;
            }
            continue;
        }
        if (!(pij > 0) || pij > fmin(pu, pv) * (1 + 1e-12)) {
            rc = ss_error_set(err, SS_EDATA, path, line,
                              "column 'p': joint probability '%.17g' of PSUs '%s' and '%s' is "
                              "not in (0, %.17g] (the smaller inclusion probability)",
                              pij, ss_error_quote(s1, strlen(s1), a, sizeof a),
                              ss_error_quote(s2, strlen(s2), b, sizeof b), fmin(pu, pv));
            break;
        }
        double dij = (pij - pu * pv) / pij;
        double *c = dcell(j, st, u, v), *cr = dcell(j, st, v, u);
        if (!isnan(*c) && *c != dij) {
            rc = ss_error_set(err, SS_EDATA, path, line,
                              "PSUs '%s' and '%s' have two different joint probabilities",
                              ss_error_quote(s1, strlen(s1), a, sizeof a),
                              ss_error_quote(s2, strlen(s2), b, sizeof b));
            break;
        }
        *c = *cr = dij;
    }
    for (size_t u = 0; u < st->nunit && rc == SS_OK; u++) {
        if (!named[u] && st->nunit > 1) {
            rc = ss_error_set(err, SS_EDATA, path, 0,
                              "PSU '%s' (column '%s') is not in the file: give its joint "
                              "probabilities with the other PSUs of its stratum",
                              unit_label(d, u, a, sizeof a), st->id_col->name);
            break;
        }
        *dcell(j, st, u, u) = 1 - st->pi[u];
    }
    for (size_t u = 0; u < st->nunit && rc == SS_OK; u++)
        for (size_t v = 0; v < st->nunit && rc == SS_OK; v++)
            if (st->stratum[u] == st->stratum[v] && isnan(*dcell(j, st, u, v)))
                rc = ss_error_set(err, SS_EDATA, path, 0,
                                  "no joint probability for PSUs '%s' and '%s' (in one stratum)",
                                  unit_label(d, u, a, sizeof a), unit_label(d, v, b, sizeof b));
    ss_table_free(&jt);
    ss_dict_free(&labels);
    free(unit_of_label);
    free(named);
    return rc;
}

int ss_pps_build(ss_design *d, const ss_table *t, const ss_design_spec *spec, ss_error *err)
{
    static const char *name[] = {"", "brewer", "hr", "ht", "yg"};
    const char *m = name[spec->pps];
    if (spec->nfpc == 0)
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "--pps %s needs --fpc with the inclusion probabilities", m);
    if (spec->pps != SS_PPS_BREWER && spec->nids > 1)
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "--pps %s is for one-stage designs (as R's): give one --ids "
                            "column, or use --pps brewer", m);
    int joint = spec->pps == SS_PPS_HT || spec->pps == SS_PPS_YG;
    if (joint && (!spec->joint_probs || spec->nids == 0))
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "--pps %s needs --joint-probs FILE and --ids (the PSUs it names)", m);
    if (!joint && spec->joint_probs)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "--joint-probs needs --pps ht or yg");
    for (size_t s = 0; s < spec->nfpc; s++) {
        int rc = read_probs(d, t, s, ss_table_find(t, spec->fpc[s]), err);
        if (rc != SS_OK)
            return rc;
    }
    if (spec->pps == SS_PPS_BREWER)
        return SS_OK;
    int rc = joint_alloc(d, spec->pps == SS_PPS_YG, err);
    if (rc != SS_OK)
        return rc;
    if (spec->pps == SS_PPS_HR)
        hartley_rao(d);
    else if ((rc = read_joint(d, spec->joint_probs, err)) != SS_OK)
        return rc;
    /* R's ppsmat zeroes the small entries; then the column sums (YG). */
    const ss_stage *st = &d->stage[0];
    ss_pps_joint *j = d->joint;
    for (size_t u = 0; u < st->nunit; u++)
        for (size_t v = 0; v < st->nunit; v++) {
            if (st->stratum[u] != st->stratum[v])
                continue;
            double *c = dcell(j, st, u, v);
            if (joint && fabs(*c) < SS_PPS_JOINT_TOLERANCE)
                *c = 0;
            j->colsum[v] += *c;
        }
    return SS_OK;
}

int ss_pps_brewer_stratum(const ss_design *d, size_t s, size_t h, const double *tot,
                          const size_t *units, size_t k, size_t p, int diag, double *mean,
                          double *contrib)
{
    const ss_stage *st = &d->stage[s];
    const double nh = st->npsu[h];
    memset(contrib, 0, p * p * sizeof *contrib);
    /* R's onestrat: nothing when every unit was certain (read_probs) */
    if (st->fsum[h] == 0)
        return 0;
    if (nh > 1) {
        memset(mean, 0, p * sizeof *mean);
        for (size_t j = 0; j < k; j++)
            for (size_t a = 0; a < p; a++)
                mean[a] += tot[units[j] * p + a];
        for (size_t a = 0; a < p; a++)
            mean[a] /= nh;
        double fpad = st->fsum[h]; /* the units without a present row: t = 0 */
        for (size_t j = 0; j < k; j++) {
            const double *t = &tot[units[j] * p];
            const double f = 1 - st->pi[units[j]];
            fpad -= f;
            for (size_t a = 0; a < p; a++)
                for (size_t b = diag ? a : 0; b < (diag ? a + 1 : p); b++)
                    contrib[a * p + b] += f * (t[a] - mean[a]) * (t[b] - mean[b]);
        }
        if (k == (size_t)nh)
            fpad = 0;
        for (size_t a = 0; a < p; a++)
            for (size_t b = diag ? a : 0; b < (diag ? a + 1 : p); b++)
                contrib[a * p + b] = (contrib[a * p + b] + fpad * mean[a] * mean[b]) * nh /
                                     (nh - 1);
        return 0;
    }
    const double f = 1 - st->pi[units[0]];
    switch (d->lonely) {
    case SS_LONELY_FAIL:
        return -1;
    case SS_LONELY_ADJUST: {
        const double *t = &tot[units[0] * p];
        for (size_t a = 0; a < p; a++)
            for (size_t b = diag ? a : 0; b < (diag ? a + 1 : p); b++)
                contrib[a * p + b] = f * t[a] * t[b];
        return 0;
    }
    case SS_LONELY_AVERAGE:
        return 1;
    default:
        return 0;
    }
}

int ss_pps_joint_vcov(const ss_design *d, const double *tot, const size_t *units, size_t k,
                      size_t p, int diag, double *V, ss_error *err)
{
    const ss_stage *st = &d->stage[0];
    const ss_pps_joint *j = d->joint;
    /* the touched units grouped by stratum (counting sort) */
    size_t nst = st->nstrata ? st->nstrata : 1;
    size_t *start = calloc(nst + 1, sizeof *start);
    size_t *sorted = malloc((k ? k : 1) * sizeof *sorted);
    double *g = malloc(p * sizeof *g);
    if (!start || !sorted || !g) {
        free(start);
        free(sorted);
        free(g);
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    }
    for (size_t q = 0; q < k; q++)
        start[st->stratum[units[q]] + 1]++;
    for (size_t h = 0; h < st->nstrata; h++)
        start[h + 1] += start[h];
    size_t *fill = malloc(nst * sizeof *fill);
    if (!fill) {
        free(start);
        free(sorted);
        free(g);
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    }
    memcpy(fill, start, nst * sizeof *fill);
    for (size_t q = 0; q < k; q++)
        sorted[fill[st->stratum[units[q]]]++] = units[q];
    free(fill);
    for (size_t h = 0; h < st->nstrata; h++) {
        const size_t b = start[h], e = start[h + 1];
        const double *Dh = &j->D[j->off[h]];
        const size_t nh = j->nh[h];
        for (size_t y = b; y < e; y++) {
            const size_t v = sorted[y];
            /* g = sum_i D_iv t_i over the touched units i */
            memset(g, 0, p * sizeof *g);
            for (size_t x = b; x < e; x++) {
                const size_t u = sorted[x];
                const double duv = Dh[(size_t)j->pos[u] * nh + j->pos[v]];
                if (duv == 0)
                    continue;
                for (size_t a = 0; a < p; a++)
                    g[a] += duv * tot[u * p + a];
            }
            const double *tv = &tot[v * p];
            for (size_t a = 0; a < p; a++)
                for (size_t c = diag ? a : 0; c < (diag ? a + 1 : p); c++) {
                    V[a * p + c] += g[a] * tv[c];
                    if (j->yg)
                        V[a * p + c] -= j->colsum[v] * tv[a] * tv[c];
                }
        }
    }
    free(start);
    free(sorted);
    free(g);
    return SS_OK;
}
