#include "ss_estimate.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double ss_quantile_t(double level, double df)
{
    double q = 1 - (1 - level) / 2;
    if (isnan(df) || df <= 0)
        return NAN;
    if (isinf(df))
        return gsl_cdf_ugaussian_Pinv(q);
    return gsl_cdf_tdist_Pinv(q, df);
}

size_t ss_estimate_requests(const ss_estimate_request *er, size_t n,
                            const ss_estimate_options *o, ss_request *req)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned need = er[i].stat == SS_STAT_PROP ? SS_NEED_CATEGORY : SS_NEED_NUMBER;
        req[k++] = (ss_request){er[i].var, need};
        if (er[i].stat == SS_STAT_RATIO)
            req[k++] = (ss_request){er[i].den, SS_NEED_NUMBER};
    }
    for (size_t j = 0; j < o->nby; j++)
        req[k++] = (ss_request){o->by[j], SS_NEED_CATEGORY};
    return k;
}

/* ---- domains ---- */

typedef struct domains {
    size_t n;          /* domains */
    char **label;      /* "a=x;b=y", "" for the whole population */
    size_t *start;     /* rows of domain d: rows[start[d] .. start[d+1]) */
    size_t *rows;
} domains;

static void domains_free(domains *dm)
{
    for (size_t d = 0; d < dm->n && dm->label; d++)
        free(dm->label[d]);
    free(dm->label);
    free(dm->start);
    free(dm->rows);
}

static const ss_column *const *sort_cols;
static const int32_t *const *sort_rank;
static const int32_t *sort_tuple;
static size_t sort_nby;

static int cmp_domain(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    for (size_t j = 0; j < sort_nby; j++) {
        int32_t rx = sort_rank[j][sort_tuple[x * sort_nby + j]];
        int32_t ry = sort_rank[j][sort_tuple[y * sort_nby + j]];
        if (rx != ry)
            return rx < ry ? -1 : 1;
    }
    return 0;
}

static int domains_build(domains *dm, const ss_table *t, const ss_estimate_options *o,
                         ss_error *err)
{
    memset(dm, 0, sizeof *dm);
    size_t n = t->nrow, nby = o->nby;
    int32_t *dom = malloc((n ? n : 1) * sizeof *dom);
    if (!dom)
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    size_t nd = 0;
    int32_t *tuple = NULL; /* nd x nby level codes */
    if (nby == 0) {
        for (size_t i = 0; i < n; i++)
            dom[i] = 0;
        nd = 1;
    } else {
        const ss_column *cols[16];
        if (nby > 16) {
            free(dom);
            return ss_error_set(err, SS_EUSAGE, NULL, 0, "at most 16 --by variables");
        }
        for (size_t j = 0; j < nby; j++)
            cols[j] = ss_table_find(t, o->by[j]);
        /* Domain id per distinct tuple: a dictionary over the code bytes. */
        ss_dict dict;
        if (ss_dict_init(&dict) != 0) {
            free(dom);
            return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        }
        int32_t key[16];
        for (size_t i = 0; i < n; i++) {
            int miss = 0;
            for (size_t j = 0; j < nby; j++) {
                key[j] = cols[j]->code[i];
                miss |= key[j] < 0;
            }
            if (miss) {
                dom[i] = -1;
                continue;
            }
            int32_t id = ss_dict_intern(&dict, (const char *)key, nby * sizeof key[0]);
            if (id < 0) {
                ss_dict_free(&dict);
                free(dom);
                return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
            }
            dom[i] = id;
        }
        nd = dict.n;
        tuple = malloc((nd ? nd : 1) * nby * sizeof *tuple);
        if (!tuple) {
            ss_dict_free(&dict);
            free(dom);
            return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        }
        for (size_t d = 0; d < nd; d++)
            memcpy(&tuple[d * nby], dict.str[d], nby * sizeof *tuple);
        ss_dict_free(&dict);

        /* Order domains by the level order of each --by variable. */
        int32_t *rank[16] = {0};
        int bad = 0;
        for (size_t j = 0; j < nby && !bad; j++) {
            size_t nl = cols[j]->levels.n ? cols[j]->levels.n : 1;
            int32_t *order = malloc(nl * sizeof *order);
            rank[j] = malloc(nl * sizeof *rank[j]);
            if (!order || !rank[j]) {
                free(order);
                bad = 1;
                break;
            }
            size_t k = ss_column_level_order(cols[j], order);
            for (size_t r = 0; r < k; r++)
                rank[j][order[r]] = (int32_t)r;
            free(order);
        }
        size_t *perm = malloc((nd ? nd : 1) * sizeof *perm);
        int32_t *newid = malloc((nd ? nd : 1) * sizeof *newid);
        dm->label = calloc(nd ? nd : 1, sizeof *dm->label);
        if (bad || !perm || !newid || !dm->label) {
            for (size_t j = 0; j < nby; j++)
                free(rank[j]);
            free(perm);
            free(newid);
            free(tuple);
            free(dom);
            return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        }
        for (size_t d = 0; d < nd; d++)
            perm[d] = d;
        sort_cols = cols;
        sort_rank = (const int32_t *const *)rank;
        sort_tuple = tuple;
        sort_nby = nby;
        qsort(perm, nd, sizeof *perm, cmp_domain);
        for (size_t r = 0; r < nd; r++)
            newid[perm[r]] = (int32_t)r;
        for (size_t i = 0; i < n; i++)
            if (dom[i] >= 0)
                dom[i] = newid[dom[i]];
        dm->n = nd;
        for (size_t r = 0; r < nd && !bad; r++) {
            size_t len = 1;
            for (size_t j = 0; j < nby; j++)
                len += strlen(cols[j]->name) + 2 + cols[j]->levels.len[tuple[perm[r] * nby + j]];
            char *s = malloc(len);
            if (!s) {
                bad = 1;
                break;
            }
            size_t o2 = 0;
            for (size_t j = 0; j < nby; j++) {
                const char *lv = cols[j]->levels.str[tuple[perm[r] * nby + j]];
                o2 += (size_t)sprintf(s + o2, "%s%s=%s", j ? ";" : "", cols[j]->name, lv);
            }
            dm->label[r] = s;
        }
        for (size_t j = 0; j < nby; j++)
            free(rank[j]);
        free(perm);
        free(newid);
        free(tuple);
        if (bad) {
            free(dom);
            domains_free(dm);
            return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        }
    }
    if (nby == 0) {
        dm->n = 1;
        dm->label = calloc(1, sizeof *dm->label);
        if (dm->label)
            dm->label[0] = strdup("");
        if (!dm->label || !dm->label[0]) {
            free(dom);
            return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        }
    }
    /* Rows of each domain, in file order (counting sort). */
    dm->start = calloc(dm->n + 1, sizeof *dm->start);
    dm->rows = malloc((n ? n : 1) * sizeof *dm->rows);
    if (!dm->start || !dm->rows) {
        free(dom);
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        if (dom[i] >= 0)
            dm->start[dom[i] + 1]++;
    for (size_t d = 0; d < dm->n; d++)
        dm->start[d + 1] += dm->start[d];
    size_t *pos = malloc((dm->n ? dm->n : 1) * sizeof *pos);
    if (!pos) {
        free(dom);
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    }
    memcpy(pos, dm->start, dm->n * sizeof *pos);
    for (size_t i = 0; i < n; i++)
        if (dom[i] >= 0)
            dm->rows[pos[dom[i]]++] = i;
    free(pos);
    free(dom);
    return SS_OK;
}

/* ---- one estimate ---- */

typedef struct work {
    size_t *rows;   /* present rows of the current estimate */
    double *z;      /* their scores */
    ss_design_work *dw;
} work;

/* Fill the interval, df, cv and n_eff of a row from its estimate and se. */
static double row_df(const ss_design *d, work *wk, const ss_estimate_options *o, size_t m)
{
    if (o->df_mode == SS_DF_INF)
        return INFINITY;
    if (o->df_mode == SS_DF_FIXED)
        return o->df_fixed;
    if (o->domain_df)
        return ss_design_domain_df(d, wk->dw, wk->rows, m);
    return d->df;
}

static void set_wald(ss_result_row *r, double level, double df)
{
    double q = ss_quantile_t(level, df);
    r->ci_low = r->estimate - q * r->se;
    r->ci_high = r->estimate + q * r->se;
    r->df = isinf(df) ? NAN : df;
    r->cv = r->estimate != 0 ? r->se / fabs(r->estimate) : NAN;
}

/* R's svyciprop(method="logit") fits the intercept-only quasibinomial
 * svyglm by glm.fit's IRLS (weights rescaled to mean 1, mustart =
 * (w y + 1/2)/(w + 1), stop when |dev - devold|/(|dev| + 0.1) < 1e-8) and
 * takes expit(coef +- t SE), the SE from the design variance of the
 * estimating function.  Emulating the iterations exactly, rather than using
 * the closed form logit(p), is what makes the interval agree to 1e-9.
 * Fills *coef and the scores of the estimating function (wk->z) for the
 * present rows; returns 0, or -1 when the fit does not converge. */
static int logit_irls(const ss_design *d, work *wk, size_t m, double *coef)
{
    const double *w = d->w;
    const double eps = 1e-8;
    const int maxit = 25;
    double *y = wk->z; /* the 0/1 indicators on entry, the scores on exit */
    double sw = 0;
    for (size_t k = 0; k < m; k++)
        sw += w[wk->rows[k]];
    const double mean_w = sw / (double)m;
    double S0 = 0, S1 = 0, devold = 0;
    for (size_t k = 0; k < m; k++) {
        double pw = w[wk->rows[k]] / mean_w;
        double mu = (pw * y[k] + 0.5) / (pw + 1);
        S0 += pw;
        S1 += pw * y[k];
        devold += 2 * pw * (y[k] > 0 ? log(1 / mu) : log(1 / (1 - mu)));
    }
    double beta = 0, mu_start = NAN; /* mu_start: NaN in iteration 1 */
    int conv = 0, it;
    for (it = 1; it <= maxit; it++) {
        if (it == 1) {
            double sW = 0, sWz = 0;
            for (size_t k = 0; k < m; k++) {
                double pw = w[wk->rows[k]] / mean_w;
                double mu = (pw * y[k] + 0.5) / (pw + 1), v = mu * (1 - mu);
                if (pw <= 0)
                    continue;
                sW += pw * v;
                sWz += pw * v * (log(mu / (1 - mu)) + (y[k] - mu) / v);
            }
            beta = sWz / sW;
        } else {
            double v = mu_start * (1 - mu_start);
            beta = log(mu_start / (1 - mu_start)) + (S1 / S0 - mu_start) / v;
        }
        double mu = 1 / (1 + exp(-beta));
        double dev = 0;
        if (S1 > 0)
            dev += 2 * S1 * log(1 / mu);
        if (S0 - S1 > 0)
            dev += 2 * (S0 - S1) * log(1 / (1 - mu));
        if (fabs(dev - devold) / (fabs(dev) + 0.1) < eps) {
            conv = 1;
            break;
        }
        devold = dev;
        mu_start = mu;
    }
    if (!conv)
        return -1;
    /* glm's weights and the QR of the last iteration are those at its start
     * (mu_start); its residuals use the final mu.  The estimating function
     * times (X'WX)^-1 is the linearized score (svy.varcoef). */
    const double mu = 1 / (1 + exp(-beta)), v = mu * (1 - mu);
    double sW = 0;
    for (size_t k = 0; k < m; k++) {
        double pw = w[wk->rows[k]] / mean_w;
        double m0 = it == 1 ? (pw * y[k] + 0.5) / (pw + 1) : mu_start;
        sW += pw * m0 * (1 - m0);
    }
    for (size_t k = 0; k < m; k++) {
        double pw = w[wk->rows[k]] / mean_w;
        double m0 = it == 1 ? (pw * y[k] + 0.5) / (pw + 1) : mu_start;
        y[k] = (y[k] - mu) / v * pw * m0 * (1 - m0) / sW;
    }
    *coef = beta;
    return 0;
}

static int variance(const ss_design *d, work *wk, size_t m, double *var, ss_error *err)
{
    return ss_design_vcov(d, wk->dw, wk->rows, wk->z, m, 1, var, err);
}

/* The interval of a proportion: R's svyciprop logit interval; a 0% or
 * 100% estimate gets the one-sided exact binomial bound on the domain's n
 * (Clopper-Pearson with no or all successes). */
static int prop_logit_ci(const ss_design *d, work *wk, const ss_estimate_options *o,
                         const ss_column *c, int32_t level, size_t m, double df,
                         ss_result_row *r, ss_error *err)
{
    double p = r->estimate;
    r->df = isinf(df) ? NAN : df;
    r->cv = p != 0 ? r->se / fabs(p) : NAN;
    if (p <= 0 || p >= 1) {
        double u = 1 - pow((1 - o->level) / 2, 1 / (double)m);
        r->ci_low = p <= 0 ? 0 : 1 - u;
        r->ci_high = p <= 0 ? u : 1;
        return SS_OK;
    }
    for (size_t k = 0; k < m; k++)
        wk->z[k] = c->code[wk->rows[k]] == level;
    double beta, var;
    if (logit_irls(d, wk, m, &beta) != 0)
        return ss_error_set(err, SS_EDATA, NULL, 0,
                            "the logit interval for '%s' did not converge", c->name);
    int rc = variance(d, wk, m, &var, err);
    if (rc != SS_OK)
        return rc;
    double q = ss_quantile_t(o->level, df), s = sqrt(var);
    r->ci_low = 1 / (1 + exp(-(beta - q * s)));
    r->ci_high = 1 / (1 + exp(-(beta + q * s)));
    return SS_OK;
}

/* Mean (or total when total is set) of y over the domain rows dr[0..nr),
 * with indicator when level >= 0 (a proportion of that level code). */
static int mean_like(const ss_table *t, const ss_design *d, work *wk,
                     const ss_estimate_options *o, const ss_column *c,
                     int32_t level, int total, const size_t *dr, size_t nr,
                     ss_result_row *r, ss_error *err)
{
    (void)t;
    const double *w = d->w;
    size_t m = 0, nobs = 0;
    double W = 0, Y = 0;
    for (size_t k = 0; k < nr; k++) {
        size_t i = dr[k];
        double y;
        if (level >= 0) {
            if (c->code[i] < 0)
                continue;
            y = c->code[i] == level;
        } else {
            y = c->num[i];
            if (isnan(y))
                continue;
        }
        wk->rows[m] = i;
        wk->z[m] = y;
        m++;
        nobs += w[i] != 0;
        W += w[i];
        Y += w[i] * y;
    }
    r->n = (double)m;
    if (m == 0 || W == 0)
        return SS_OK;
    double ybar = Y / W, s2 = 0;
    for (size_t k = 0; k < m; k++) {
        double wi = w[wk->rows[k]], y = wk->z[k];
        s2 += wi * (y - ybar) * (y - ybar);
        wk->z[k] = total ? wi * y : wi * (y - ybar) / W;
    }
    s2 /= W;
    double var;
    int rc = variance(d, wk, m, &var, err);
    if (rc != SS_OK)
        return rc;
    r->estimate = total ? Y : ybar;
    r->se = sqrt(var);
    if (o->deff) {
        /* R: svyvar (divisor n - 1) times the SRSWOR factor with N = W. */
        double sv = s2 * (double)nobs / ((double)nobs - 1);
        double vsrs = sv * (W - (double)nobs) / (W * (double)nobs);
        if (total)
            vsrs *= W * W;
        r->deff = (!total && W < (double)nobs) ? NAN : var / vsrs;
    }
    if (!total) {
        double ne = var > 0 ? s2 / var : INFINITY;
        r->n_eff = ne < (double)m ? ne : (double)m;
    }
    double df = row_df(d, wk, o, m);
    if (level < 0) {
        set_wald(r, o->level, df);
        return SS_OK;
    }
    return prop_logit_ci(d, wk, o, c, level, m, df, r, err);
}

static int ratio(const ss_design *d, work *wk, const ss_estimate_options *o,
                 const ss_column *cy, const ss_column *cx, const size_t *dr,
                 size_t nr, ss_result_row *r, ss_error *err)
{
    const double *w = d->w;
    size_t m = 0;
    double X = 0, Y = 0;
    for (size_t k = 0; k < nr; k++) {
        size_t i = dr[k];
        double y = cy->num[i], x = cx->num[i];
        if (isnan(y) || isnan(x))
            continue;
        wk->rows[m++] = i;
        X += w[i] * x;
        Y += w[i] * y;
    }
    r->n = (double)m;
    if (m == 0 || X == 0)
        return SS_OK;
    double R = Y / X;
    for (size_t k = 0; k < m; k++) {
        size_t i = wk->rows[k];
        wk->z[k] = w[i] * (cy->num[i] - R * cx->num[i]) / X;
    }
    double var;
    int rc = variance(d, wk, m, &var, err);
    if (rc != SS_OK)
        return rc;
    r->estimate = R;
    r->se = sqrt(var);
    set_wald(r, o->level, row_df(d, wk, o, m));
    return SS_OK;
}

static const char *stat_name(ss_stat s)
{
    static const char *const names[] = {"mean", "total", "prop", "ratio"};
    return names[s];
}

int ss_estimate_run(const ss_table *t, const ss_design *d,
                    const ss_estimate_request *er, size_t n,
                    const ss_estimate_options *o, ss_result *out, ss_error *err)
{
    domains dm;
    int rc = domains_build(&dm, t, o, err);
    if (rc != SS_OK) {
        domains_free(&dm);
        return rc;
    }
    work wk = {0};
    wk.rows = malloc((t->nrow ? t->nrow : 1) * sizeof *wk.rows);
    wk.z = malloc((t->nrow ? t->nrow : 1) * sizeof *wk.z);
    wk.dw = ss_design_work_alloc(d, 1);
    if (!wk.rows || !wk.z || !wk.dw)
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");

    for (size_t q = 0; q < n && rc == SS_OK; q++) {
        const ss_estimate_request *e = &er[q];
        const ss_column *c = ss_table_find(t, e->var);
        char name[2048];
        snprintf(name, sizeof name, "%s%s%s", e->var, e->stat == SS_STAT_RATIO ? "/" : "",
                 e->stat == SS_STAT_RATIO ? e->den : "");
        int32_t *order = NULL;
        size_t nlev = 1;
        if (e->stat == SS_STAT_PROP) {
            order = malloc((c->levels.n ? c->levels.n : 1) * sizeof *order);
            if (!order) {
                rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
                break;
            }
            nlev = ss_column_level_order(c, order);
        }
        for (size_t d0 = 0; d0 < dm.n && rc == SS_OK; d0++) {
            const size_t *dr = dm.rows + dm.start[d0];
            size_t nr = dm.start[d0 + 1] - dm.start[d0];
            for (size_t l = 0; l < nlev && rc == SS_OK; l++) {
                const char *lev = order ? c->levels.str[order[l]] : "";
                ss_result_row *r = ss_result_add(out, stat_name(e->stat), name, lev, dm.label[d0]);
                if (!r) {
                    rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
                    break;
                }
                switch (e->stat) {
                case SS_STAT_MEAN:
                case SS_STAT_TOTAL:
                    rc = mean_like(t, d, &wk, o, c, -1, e->stat == SS_STAT_TOTAL, dr, nr, r, err);
                    break;
                case SS_STAT_PROP:
                    rc = mean_like(t, d, &wk, o, c, order[l], 0, dr, nr, r, err);
                    break;
                case SS_STAT_RATIO:
                    rc = ratio(d, &wk, o, c, ss_table_find(t, e->den), dr, nr, r, err);
                    break;
                }
            }
        }
        free(order);
    }
    free(wk.rows);
    free(wk.z);
    ss_design_work_free(wk.dw);
    domains_free(&dm);
    return rc;
}
