#include "ss_estimate.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ss_levels.h"
#include "ss_mem.h"
#include "ss_propci.h"
#include "ss_replicate.h"

size_t ss_estimate_requests(const ss_estimate_request *er, size_t n,
                            const ss_estimate_options *o, ss_request *req)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        /* Means and totals read their numbers packed or not (y_at). */
        unsigned need = er[i].stat == SS_STAT_PROP ? SS_NEED_CATEGORY
                        : er[i].stat == SS_STAT_MEAN || er[i].stat == SS_STAT_TOTAL
                            ? SS_NEED_PACKED
                            : SS_NEED_NUMBER;
        if (er[i].stat == SS_STAT_INDEX) {
            for (size_t j = 0; j < er[i].nitems; j++)
                req[k++] = (ss_request){er[i].items[j], SS_NEED_NUMBER};
            continue;
        }
        req[k++] = (ss_request){er[i].var, need};
        if (er[i].stat == SS_STAT_RATIO)
            req[k++] = (ss_request){er[i].den, SS_NEED_NUMBER};
    }
    for (size_t j = 0; j < o->nby; j++)
        req[k++] = (ss_request){o->by[j], SS_NEED_CATEGORY};
    return k;
}

/* A --total of a categorical column (read as a category alone, its text
 * not numbers): the total of every level, R's svytotal(~factor(VAR)). */
static int total_of_levels(const ss_estimate_request *e, const ss_column *c)
{
    return e->stat == SS_STAT_TOTAL && c->code && !c->num && !c->packed;
}

/* ---- domains ---- */

typedef struct domains {
    size_t n;          /* domains */
    char **label;      /* "a=x;b=y", "" for the whole population */
    size_t *start;     /* rows of domain d: rows[start[d] .. start[d+1]) */
    size_t *rows;      /* NULL without --by: the one domain is every row */
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

#define DIRECT_MAX ((size_t)1 << 16)

static int domains_build(domains *dm, const ss_table *t, const ss_estimate_options *o,
                         ss_error *err)
{
    memset(dm, 0, sizeof *dm);
    size_t n = t->nrow, nby = o->nby;
    if (nby == 0 && o->subset) {
        /* The subset: one domain, its rows. */
        dm->n = 1;
        dm->label = calloc(1, sizeof *dm->label);
        dm->start = calloc(2, sizeof *dm->start);
        dm->rows = ss_mem_array(NULL, n ? n : 1, "rows", 1, NULL, sizeof *dm->rows);
        if (dm->label)
            dm->label[0] = strdup("");
        if (!dm->label || !dm->label[0] || !dm->start || !dm->rows)
            return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        for (size_t i = 0; i < n; i++)
            if (o->subset[i])
                dm->rows[dm->start[1]++] = i;
        return SS_OK;
    }
    if (nby == 0) {
        /* The whole population: every row, no row list. */
        dm->n = 1;
        dm->label = calloc(1, sizeof *dm->label);
        dm->start = calloc(2, sizeof *dm->start);
        if (dm->label)
            dm->label[0] = strdup("");
        if (!dm->label || !dm->label[0] || !dm->start)
            return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        dm->start[1] = n;
        return SS_OK;
    }
    int32_t *dom = malloc((n ? n : 1) * sizeof *dom);
    if (!dom)
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    size_t nd = 0;
    int32_t *tuple = NULL; /* nd x nby level codes */
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
    /* Few level combinations: ids by a table over the mixed-radix index
     * of the codes, in order of first appearance as the dictionary
     * gives them. */
    size_t ncomb = 1;
    for (size_t j = 0; j < nby && ncomb <= DIRECT_MAX; j++)
        ncomb *= cols[j]->levels.n ? cols[j]->levels.n : 1;
    int32_t *direct = ncomb <= DIRECT_MAX ? malloc(ncomb * sizeof *direct) : NULL;
    if (direct) {
        for (size_t x = 0; x < ncomb; x++)
            direct[x] = -1;
    }
    /* One --by variable: the index is its code. */
    const int32_t *const code1 = nby == 1 && direct ? cols[0]->code : NULL;
    for (size_t i = 0; i < n && code1; i++) {
        const int32_t c = code1[i];
        if (c < 0 || (o->subset && !o->subset[i])) {
            dom[i] = -1;
            continue;
        }
        if (direct[c] < 0 && (direct[c] = ss_dict_intern(&dict, (const char *)&c, sizeof c)) < 0) {
            free(direct);
            ss_dict_free(&dict);
            free(dom);
            return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        }
        dom[i] = direct[c];
    }
    for (size_t i = 0; i < n && direct && !code1; i++) {
        size_t x = 0;
        int miss = 0;
        for (size_t j = 0; j < nby; j++) {
            int32_t cj = cols[j]->code[i];
            miss |= cj < 0;
            x = x * cols[j]->levels.n + (size_t)(cj < 0 ? 0 : cj);
        }
        if (miss || (o->subset && !o->subset[i])) {
            dom[i] = -1;
            continue;
        }
        if (direct[x] < 0) {
            for (size_t j = 0; j < nby; j++)
                key[j] = cols[j]->code[i];
            direct[x] = ss_dict_intern(&dict, (const char *)key, nby * sizeof key[0]);
            if (direct[x] < 0) {
                free(direct);
                ss_dict_free(&dict);
                free(dom);
                return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
            }
        }
        dom[i] = direct[x];
    }
    for (size_t i = 0; i < n && !direct; i++) {
        int miss = 0;
        for (size_t j = 0; j < nby; j++) {
            key[j] = cols[j]->code[i];
            miss |= key[j] < 0;
        }
        if (miss || (o->subset && !o->subset[i])) {
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
    free(direct);
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
            len += strlen(cols[j]->name) + 5 +
                   2 * strlen(ss_column_level_name(cols[j], tuple[perm[r] * nby + j]));
        char *s = malloc(len);
        if (!s) {
            bad = 1;
            break;
        }
        size_t o2 = 0;
        for (size_t j = 0; j < nby; j++) {
            const char *lv = ss_column_level_name(cols[j], tuple[perm[r] * nby + j]);
            o2 += (size_t)sprintf(s + o2, "%s%s=", j ? ";" : "", cols[j]->name);
            o2 += ss_result_domain_value(lv, strlen(lv), s + o2);
        }
        s[o2] = '\0';
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
    /* Rows of each domain, in file order (counting sort). */
    dm->start = calloc(dm->n + 1, sizeof *dm->start);
    dm->rows = ss_mem_array(NULL, n ? n : 1, "rows", 1, NULL, sizeof *dm->rows);
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

/* Rows per chunk of scores handed to the variance, and the most score
 * columns at once (prop_stream, mean_group). */
#define CHUNK 1024
#define STREAM_COLS 16
/* Rows a streamed mean decodes at a time: the values of STREAM_COLS
 * columns for BLK rows, their weights and scores stay in the L1 cache. */
#define BLK 256

typedef struct work {
    size_t nrow;    /* of the table: the per-row arrays below, when made */
    int rows_made;
    size_t *rows;   /* present rows of the current estimate */
    double *z;      /* their scores */
    double *y;      /* their values (0/1 indicators of a proportion) */
    double *z2;     /* scratch */
    double *score;  /* per row: the score of a satisfaction measure */
    ss_design_work *dw;
    ss_levels_work *lw; /* streamed proportions of many levels, or NULL */
    ss_rep_work *rw;  /* replicate designs: per-PSU sums */
    double *theta;    /* and the replicate estimates */
    int keep;       /* --compare: keep each domain's scores */
    size_t *krows;  /* kept rows and scores, domain after domain */
    double *kz;     /* (under replicates: each estimate's nrep replicate estimates) */
    size_t kn, kcap;
    /* A proportion's logit fit: the weight terms of the domain rows dr of
     * column c (the same present rows for every level), kept across levels. */
    int pre_ok;
    const size_t *pre_dr;
    const ss_column *pre_c;
    ss_logit_pre pre;
    double *pre_a;
    size_t *crow;   /* streamed: a chunk of present rows (CHUNK) */
    double *cz;     /* and their scores (CHUNK x STREAM_COLS) */
    double *yb;     /* streamed means: decoded values (STREAM_COLS x BLK) */
    double *wb;     /* and the weights of their rows (BLK) */
    int32_t *lb;    /* streamed proportions: the levels of BLK rows */
    ss_logit_memo *memo; /* streamed proportions: the logit terms by weight */
    /* Replicate designs: the rows whose degf was counted last, and it
     * (every level of a proportion has the same rows). */
    size_t *ddf_rows;
    size_t ddf_m;
    double ddf_val;
    /* Per-row replicates: the replicate sums of every level of the column
     * lc_c over the domain rows lc_dr[0..lc_nr) (ss_rep_thetas_levels: A,
     * level by replicate, and B, by replicate), made at its first level
     * and kept for the others. */
    int lc_ok;
    const ss_column *lc_c;
    const size_t *lc_dr;
    size_t lc_nr;
    double *lc_A, *lc_B;
    int32_t *lc_lev;
} work;

/* The per-row arrays, made when an estimate first needs them (a streamed
 * one does not).  0, or -1 when out of memory. */
static int work_rows(work *wk)
{
    if (!wk->rows_made) {
        wk->rows_made = 1;
        wk->rows = ss_mem_array(NULL, wk->nrow, "rows", 1, NULL, sizeof *wk->rows);
        wk->z = ss_mem_array(NULL, wk->nrow, "rows", 1, NULL, sizeof *wk->z);
        wk->y = ss_mem_array(NULL, wk->nrow, "rows", 1, NULL, sizeof *wk->y);
        wk->z2 = ss_mem_array(NULL, wk->nrow, "rows", 1, NULL, sizeof *wk->z2);
        wk->pre_a = ss_mem_array(NULL, wk->nrow, "rows", 1, NULL, sizeof *wk->pre_a); /* NULL: none shared */
        if (!wk->pre_a && wk->rows && wk->z && wk->y && wk->z2)
            (void)ss_mem_failure(); /* tolerated: not the size of a later error */
    }
    return wk->rows && wk->z && wk->y && wk->z2 ? 0 : -1;
}

static void set_wald(ss_result_row *r, double level, double df)
{
    double q = ss_quantile_t(level, df);
    r->ci_low = r->estimate - q * r->se;
    r->ci_high = r->estimate + q * r->se;
    r->df = isinf(df) ? NAN : df;
    r->cv = r->estimate != 0 ? r->se / fabs(r->estimate) : NAN;
}

static int variance(const ss_design *d, work *wk, size_t m, double *var, ss_error *err)
{
    return ss_design_vcov(d, wk->dw, wk->rows, wk->z, m, 1, var, err);
}

/* Under replicate weights (R's svrepdesign methods): the estimate
 * sum w a / sum w b (ratio; b NULL: the weights' sum) or sum w a, re-evaluated
 * with each replicate's weights, and svrVar around est. */
static int rep_variance(const ss_design *d, work *wk, size_t m, const double *a,
                        const double *b, int ratio, double est, double *var, ss_error *err)
{
    ss_rep_thetas(d->rep, wk->rw, d->w, wk->rows, a, b, ratio, m, wk->theta);
    return ss_rep_variance(d->rep, wk->theta, est, var, err);
}

/* R's svyglm(quasibinomial) on a replicate design: the coefficient b of
 * the full sample, refitted on every replicate with glm.fit started at b
 * (IRLS of an intercept-only model: eta += (p_r - mu) / (mu (1 - mu)) until
 * the deviance changes by less than 1e-8 relative; p_r the replicate
 * proportions in wk->theta, overwritten by the fits), and *v, svrVar of
 * those fits around b. */
static int rep_logit_fit(const ss_design *d, work *wk, const ss_prop_input *in, double *b,
                         double *v, ss_error *err)
{
    if (ss_prop_logit_coef(in, wk->z2, b) != 0)
        return ss_error_set(err, SS_PROP_NOCI, NULL, 0, "the logit fit did not converge");
    if (ss_prop_logit_refit(*b, wk->theta, d->rep->nrep) != 0)
        return ss_error_set(err, SS_PROP_NOCI, NULL, 0,
                            "a replicate's proportion lies outside [0, 1] (negative replicate "
                            "weights), so it has no logit; --ci-method wald gives an interval");
    return ss_rep_variance(d->rep, wk->theta, *b, v, err);
}

/* The logit and likelihood intervals of a proportion p in (0, 1) under
 * replicates.  logit: R's svyciprop(method = "logit"), expit(b +- t SE)
 * with the replicate SE of b.  likelihood: R's svyciprop fails here (its
 * svrepglm reports a dispersion scaled by the weights, so the profile never
 * reaches the cut-off and confint gives NA); survstat profiles the working
 * likelihood as in the Taylor case, with the replicate variance of b in the
 * design-effect rescaling (ss_prop_likelihood_ci). */
static int rep_prop_ci(const ss_design *d, work *wk, const ss_prop_input *in, ss_ci_method method,
                       double *lo, double *hi, ss_error *err)
{
    double b, v;
    int rc = rep_logit_fit(d, wk, in, &b, &v, err);
    if (rc != SS_OK)
        return rc;
    if (method == SS_CI_LIKELIHOOD)
        return ss_prop_likelihood_ci(in, v, wk->z2, lo, hi, err);
    double q = ss_quantile_t(in->level, in->df), se = sqrt(v);
    *lo = 1 / (1 + exp(-(b - q * se)));
    *hi = 1 / (1 + exp(-(b + q * se)));
    return SS_OK;
}

/* --compare: keep the scores of this domain's estimate for the contrasts
 * (under replicates its replicate estimates, theta[0..nrep), in kz, and
 * then its m present rows in krows, for the contrast's domain df). */
static int keep_scores(const ss_design *d, work *wk, size_t m)
{
    if (!wk->keep)
        return SS_OK;
    size_t nrep = d->rep ? d->rep->nrep : 0, len = nrep + m;
    if (wk->kn + len > wk->kcap) {
        size_t cap = wk->kcap ? wk->kcap : 1024;
        while (cap < wk->kn + len)
            cap *= 2;
        size_t *r = realloc(wk->krows, cap * sizeof *r);
        if (r)
            wk->krows = r;
        double *z = realloc(wk->kz, cap * sizeof *z);
        if (z)
            wk->kz = z;
        if (!r || !z)
            return -1;
        wk->kcap = cap;
    }
    memcpy(wk->krows + wk->kn + nrep, wk->rows, m * sizeof *wk->rows);
    if (d->rep)
        memcpy(wk->kz + wk->kn, wk->theta, nrep * sizeof *wk->z);
    else
        memcpy(wk->kz + wk->kn, wk->z, m * sizeof *wk->z);
    wk->kn += len;
    return SS_OK;
}

/* A row without an interval (SS_PROP_NOCI): empty interval cells, the
 * flag CIx, and the reason kept in the row's note for the warning that
 * ss_estimate_warnings reports (estimate writes no note column). */
static int no_interval(ss_result_row *r, ss_error *err)
{
    r->ci_low = r->ci_high = NAN;
    int rc = ss_result_set_str(&r->flag, "CIx") | ss_result_set_str(&r->note, err->message);
    ss_error_clear(err);
    return rc;
}

/* The warning text of a row without an interval, as snprintf. */
static int noci_text(char *buf, size_t size, const ss_result_row *r)
{
    return snprintf(buf, size,
                    "%s %s%s%s%s%s: no interval: %s; its ci_low and ci_high are empty and its"
                    " flag is CIx",
                    r->statistic, r->variable, r->level && *r->level ? " level " : "",
                    r->level ? r->level : "", r->domain && *r->domain ? " in " : "",
                    r->domain ? r->domain : "", r->note);
}

void ss_estimate_warnings(const ss_result *res, ss_estimate_report report, void *ctx)
{
    for (size_t i = 0; i < res->n; i++) {
        const ss_result_row *r = &res->row[i];
        if (!r->flag || !strstr(r->flag, "CIx") || !r->note)
            continue;
        char small[2048];
        int len = noci_text(small, sizeof small, r);
        char *big = len >= (int)sizeof small ? malloc((size_t)len + 1) : NULL;
        if (big)
            noci_text(big, (size_t)len + 1, r);
        report(ctx, big ? big : small); /* out of memory: the text cut short */
        free(big);
    }
}

/* A failed interval fit names the variable: "NAME: the ... interval ...". */
static int ci_error(ss_error *err, int rc, const char *name)
{
    if (strstr(err->message, "interval") || strstr(err->message, "profile")) {
        char msg[sizeof err->message];
        snprintf(msg, sizeof msg, "%s", err->message);
        ss_error_set(err, rc, NULL, 0, "%s: %s", name, msg);
    }
    return rc;
}

/* The R flag of --flags nchs for means, totals and ratios. */
static int flag_rse(ss_result_row *r, const ss_estimate_options *o)
{
    if (o->nchs && r->cv > 0.30)
        return ss_result_set_str(&r->flag, "R");
    return 0;
}

/* The values of an estimate: the numbers v, or those of column num, or,
 * when cat is given, the 0/1 indicator of level code `level` of cat. */
typedef struct yvals {
    const double *v;
    const ss_column *num;
    const ss_column *cat;
    int32_t level;
} yvals;

static inline double y_at(const yvals *y, size_t i)
{
    if (y->cat)
        return y->cat->code[i] < 0 ? NAN : y->cat->code[i] == y->level;
    return y->v ? y->v[i] : ss_column_num(y->num, i);
}

/* What the two ways of reading a mean's rows hand to mean_end. */
typedef struct msums {
    size_t m, nobs;     /* present rows, and those of them with weight */
    double W, Y, s2;    /* sum w, sum w y, sum w (y - ybar)^2 / W */
    double var;         /* the design variance of the estimate */
    double ddf;         /* the domain's PSUs minus strata, NaN until counted */
    int streamed;       /* the rows are not in wk (mean_stream, prop_stream) */
    int logit;          /* streamed: the logit coefficient and its variance */
    double beta, vbeta;
} msums;

/* Designs whose variance can take the scores chunk by chunk as they are
 * made (ss_design_vcov_add), with nothing kept for --compare. */
static int streamable(const ss_design *d, const work *wk)
{
    return !d->rep && d->ncal == 0 && !wk->keep;
}

/* The domain's own df is wanted: by --domain-df, or for a proportion by
 * the beta interval and the NCHS flags. */
static int wants_ddf(const ss_design *d, const ss_estimate_options *o, int prop)
{
    if (d->rep)
        return 0;
    return (o->domain_df && o->df_mode == SS_DF_DESIGN) ||
           (prop && (o->ci_method == SS_CI_BETA || o->nchs));
}

/* R's degf of the domain's design, degf(subset(design, domain)): under
 * Taylor its PSUs minus strata, under replicates the rank of the
 * replicate weights of its rows minus 1 (ss_replicates_rows_df), each
 * over the m present rows in wk->rows. */
static double domain_ddf(const ss_design *d, work *wk, msums *s)
{
    if (!isnan(s->ddf))
        return s->ddf;
    if (!d->rep) {
        s->ddf = ss_design_domain_df(d, wk->dw, wk->rows, s->m);
        return s->ddf;
    }
    if (wk->ddf_rows && wk->ddf_m == s->m &&
        memcmp(wk->ddf_rows, wk->rows, s->m * sizeof *wk->rows) == 0)
        return s->ddf = wk->ddf_val;
    s->ddf = ss_replicates_rows_df(d->rep, d->w, wk->rows, s->m, d->df);
    if (!wk->ddf_rows)
        wk->ddf_rows = malloc((wk->nrow ? wk->nrow : 1) * sizeof *wk->ddf_rows);
    if (wk->ddf_rows) {
        memcpy(wk->ddf_rows, wk->rows, s->m * sizeof *wk->rows);
        wk->ddf_m = s->m;
        wk->ddf_val = s->ddf;
    }
    return s->ddf;
}

/* The df of an estimate's interval. */
static double row_df(const ss_design *d, work *wk, const ss_estimate_options *o, msums *s)
{
    if (o->df_mode == SS_DF_INF)
        return INFINITY;
    if (o->df_mode == SS_DF_FIXED)
        return o->df_fixed;
    if (o->domain_df)
        return domain_ddf(d, wk, s);
    return d->df;
}

/* The same for an estimate whose m present rows are in wk->rows. */
static double rows_df(const ss_design *d, work *wk, const ss_estimate_options *o, size_t m)
{
    msums s = {.m = m, .ddf = NAN};
    return row_df(d, wk, o, &s);
}

/* The scores of a chunk of present rows to the variance (p of them per
 * row) and, when wanted, to the count of the domain's PSUs. */
static void flush_chunk(const ss_design *d, work *wk, size_t n, size_t p, int ddf)
{
    ss_design_vcov_add(d, wk->dw, wk->crow, wk->cz, n, p);
    if (ddf)
        ss_design_df_add(d, wk->dw, wk->crow, n);
}

/* out[k] = the value of yv (numbers: v, or column num) at row dr[k0 + k]
 * (dr NULL: row k0 + k), k < n: y_at's doubles, with the column storage's
 * switch outside the loop (unrolled: a value is two loads and a store). */
#define DECODE(expr)                                                                        \
    do {                                                                                    \
        if (dr) {                                                                           \
            _Pragma("GCC unroll 4") for (size_t k = 0; k < n; k++) {                        \
                const size_t i = dr[k0 + k];                                                \
                out[k] = (expr);                                                            \
            }                                                                               \
        } else {                                                                            \
            _Pragma("GCC unroll 4") for (size_t k = 0; k < n; k++) {                        \
                const size_t i = k0 + k;                                                    \
                out[k] = (expr);                                                            \
            }                                                                               \
        }                                                                                   \
    } while (0)

static void decode(const yvals *yv, const size_t *dr, size_t k0, size_t n, double *out)
{
    const ss_column *c = yv->num;
    if (yv->v) {
        const double *v = yv->v;
        DECODE(v[i]);
        return;
    }
    switch (c->store) {
    case SS_STORE_U8: {
        const uint8_t *u = c->u8;
        DECODE(ss_u8_value[u[i]]);
        break;
    }
    case SS_STORE_U16: {
        const uint16_t *u = c->u16;
        DECODE(u[i] == SS_U16_NA ? NAN : (double)u[i]);
        break;
    }
    case SS_STORE_PACKED: {
        const int16_t *q = c->packed;
        DECODE(ss_packed_value[(uint16_t)q[i]]);
        break;
    }
    case SS_STORE_I32: {
        const int32_t *q = c->i32;
        DECODE(q[i] == SS_I32_NA ? NAN : (double)q[i]);
        break;
    }
    default: {
        const double *v = c->num;
        DECODE(v[i]);
        break;
    }
    }
}

/* The weights of the same rows into wb and, when rows is not NULL, their
 * numbers into rows. */
static void gather(const double *w, const size_t *dr, size_t k0, size_t n, double *wb,
                   size_t *rows)
{
    double *out = wb;
    DECODE(w[i]);
    if (rows) {
        for (size_t k = 0; k < n; k++)
            rows[k] = dr ? dr[k0 + k] : k0 + k;
    }
}

/* Y[a] += the sum of wb[k] y[a * BLK + k] over k < n, in order, for a < q
 * (q <= 4): four columns' sums at once, so that each waits on its own
 * additions only. */
static void wsums(const double *wb, const double *y, size_t n, size_t q, double *Y)
{
    const double *y0 = y, *y1 = y + (q > 1) * BLK, *y2 = y + (q > 2) * 2 * BLK;
    const double *y3 = y + (q > 3) * 3 * BLK;
    double a0 = Y[0], a1 = q > 1 ? Y[1] : 0, a2 = q > 2 ? Y[2] : 0, a3 = q > 3 ? Y[3] : 0;
    for (size_t k = 0; k < n; k++) {
        a0 += wb[k] * y0[k];
        a1 += wb[k] * y1[k];
        a2 += wb[k] * y2[k];
        a3 += wb[k] * y3[k];
    }
    Y[0] = a0;
    if (q > 1)
        Y[1] = a1;
    if (q > 2)
        Y[2] = a2;
    if (q > 3)
        Y[3] = a3;
}

/* The scores of n rows of a mean (total: of a total) whose values are
 * y[0..n) and weights wb[0..n), into z[0], z[g], z[2 g], ...: w (y - ybar)
 * / W (total: w y); returns s2 + the sum of w (y - ybar)^2 over the rows
 * in order.  Two rows at a time where SSE2 is there (the same doubles:
 * each lane rounds as the scalar operation). */
static double mean_scores(const double *y, const double *wb, size_t n, double ybar, double W,
                          int total, double s2, double *z, size_t g)
{
    size_t k = 0;
#ifdef __SSE2__
    const __m128d yb2 = _mm_set1_pd(ybar), W2 = _mm_set1_pd(W);
    for (; k + 2 <= n; k += 2) {
        const __m128d y2 = _mm_loadu_pd(y + k), w2 = _mm_loadu_pd(wb + k);
        const __m128d dy = _mm_sub_pd(y2, yb2), p = _mm_mul_pd(w2, dy);
        const __m128d t = _mm_mul_pd(p, dy);
        const __m128d zz = total ? _mm_mul_pd(w2, y2) : _mm_div_pd(p, W2);
        s2 += _mm_cvtsd_f64(t);
        s2 += _mm_cvtsd_f64(_mm_unpackhi_pd(t, t));
        _mm_storel_pd(z + k * g, zz);
        _mm_storeh_pd(z + (k + 1) * g, zz);
    }
#endif
    for (; k < n; k++) {
        const double dy = y[k] - ybar;
        s2 += wb[k] * dy * dy;
        z[k * g] = total ? wb[k] * y[k] : wb[k] * dy / W;
    }
    return s2;
}

/* The present rows (value of yv not NaN) among the rows k0 .. k0 + BLK
 * of the domain's nr rows dr: their weights into wb, values into yb and,
 * when rows is not NULL, numbers into rows; returns how many. */
static size_t present_block(const double *w, const yvals *yv, const size_t *dr, size_t k0,
                            size_t nr, double *wb, double *yb, size_t *rows)
{
    const size_t n = nr - k0 < BLK ? nr - k0 : BLK;
    gather(w, dr, k0, n, wb, rows);
    decode(yv, dr, k0, n, yb);
    size_t np = 0;
    for (size_t k = 0; k < n; k++) {
        if (isnan(yb[k]))
            continue;
        wb[np] = wb[k];
        yb[np] = yb[k];
        if (rows)
            rows[np] = rows[k];
        np++;
    }
    return np;
}

/* A mean (or total) of a column with missing values over the domain rows,
 * without per-row arrays: the sums in one pass, the scores of the present
 * rows in a second, handed to the variance a block at a time in the order
 * mean_rows lists them (the same result to the bit). */
static int mean_stream(const ss_design *d, work *wk, const ss_estimate_options *o,
                       const yvals *yv, int total, const size_t *dr, size_t nr, msums *s,
                       ss_error *err)
{
    const double *w = d->w;
    double *yb = wk->yb, *wb = wk->wb;
    size_t m = 0, nobs = 0;
    double Wsum = 0, Ysum = 0; /* in registers, not through s */
    for (size_t k0 = 0; k0 < nr; k0 += BLK) {
        const size_t n = present_block(w, yv, dr, k0, nr, wb, yb, NULL);
        m += n;
        for (size_t k = 0; k < n; k++) {
            nobs += wb[k] != 0;
            Wsum += wb[k];
            Ysum += wb[k] * yb[k];
        }
    }
    *s = (msums){m, nobs, Wsum, Ysum, .ddf = NAN, .streamed = 1};
    if (s->m == 0 || s->W == 0)
        return SS_OK;
    const double W = s->W, ybar = s->Y / W;
    const int ddf = wants_ddf(d, o, 0);
    double s2 = 0;
    for (size_t k0 = 0; k0 < nr; k0 += BLK) {
        const size_t n = present_block(w, yv, dr, k0, nr, wb, yb, wk->crow);
        s2 = mean_scores(yb, wb, n, ybar, W, total, s2, wk->cz, 1);
        flush_chunk(d, wk, n, 1, ddf);
    }
    s->s2 = s2 / W;
    if (ddf)
        s->ddf = ss_design_df_end(wk->dw);
    return ss_design_vcov_end(d, wk->dw, 1, &s->var, err);
}

/* The means (or totals, where total[j]) of G <= stream_cols(d) columns
 * yv[0..G) over the domain rows dr[0..nr) (NULL: every row), streamed
 * together: s[j], rc[j] and err[j] are what mean_stream gives column j, to
 * the bit.  One pass takes the sums of every column (the weights' once);
 * a column none of whose rows is missing shares a second pass with the
 * others, its scores a column of one variance call whose diagonal alone
 * is computed (ss_design_vcov's diagonal does not depend on the other
 * columns); a column with missing values has rows of its own
 * (mean_stream).  Each sum still runs over the rows in order. */
static void mean_group(const ss_design *d, work *wk, const ss_estimate_options *o,
                       const yvals *yv, const int *total, size_t G, const size_t *dr, size_t nr,
                       msums *s, int *rc, ss_error *err)
{
    const double *w = d->w;
    double *yb = wk->yb, *wb = wk->wb;
    double W = 0, Y[STREAM_COLS] = {0};
    size_t nobs = 0;
    for (size_t k0 = 0; k0 < nr; k0 += BLK) {
        const size_t n = nr - k0 < BLK ? nr - k0 : BLK;
        gather(w, dr, k0, n, wb, NULL);
        for (size_t k = 0; k < n; k++) {
            nobs += wb[k] != 0;
            W += wb[k];
        }
        for (size_t j = 0; j < G; j += 4) {
            const size_t q = G - j < 4 ? G - j : 4;
            for (size_t a = 0; a < q; a++)
                decode(&yv[j + a], dr, k0, n, yb + a * BLK);
            wsums(wb, yb, n, q, Y + j);
        }
    }
    size_t col[STREAM_COLS], g = 0;
    for (size_t j = 0; j < G; j++) {
        /* A missing value makes Y NaN (so may an overflow): such a column
         * is read again on its present rows. */
        if (isnan(Y[j])) {
            rc[j] = mean_stream(d, wk, o, &yv[j], total[j], dr, nr, &s[j], &err[j]);
            continue;
        }
        s[j] = (msums){nr, nobs, W, Y[j], .ddf = NAN, .streamed = 1};
        rc[j] = SS_OK;
        if (nr > 0 && W != 0)
            col[g++] = j;
    }
    if (g == 0)
        return;

    const int ddf = wants_ddf(d, o, 0);
    double s2[STREAM_COLS] = {0};
    for (size_t k0 = 0; k0 < nr; k0 += BLK) {
        const size_t n = nr - k0 < BLK ? nr - k0 : BLK;
        gather(w, dr, k0, n, wb, wk->crow);
        for (size_t a = 0; a < g; a++) {
            decode(&yv[col[a]], dr, k0, n, yb);
            s2[a] = mean_scores(yb, wb, n, Y[col[a]] / W, W, total[col[a]], s2[a], wk->cz + a,
                                g);
        }
        flush_chunk(d, wk, n, g, ddf);
    }
    double df = ddf ? ss_design_df_end(wk->dw) : NAN, V[STREAM_COLS * STREAM_COLS];
    ss_error e = {0};
    ss_design_work_diag(wk->dw, 1);
    int r = ss_design_vcov_end(d, wk->dw, g, V, &e);
    ss_design_work_diag(wk->dw, 0);
    for (size_t a = 0; a < g; a++) {
        msums *sa = &s[col[a]];
        sa->s2 = s2[a] / W;
        sa->ddf = df;
        sa->var = V[a * g + a];
        rc[col[a]] = r;
        if (r != SS_OK)
            err[col[a]] = e;
    }
}

/* The same through wk's per-row arrays (any design). */
/* The replicate estimates of the level yv->level of a categorical column
 * (its 0/1 indicator's total, or mean when ratio) over the m present rows
 * wk->rows of the domain rows dr[0..nr), from the sums of all its levels
 * at once (ss_rep_thetas_levels; the same doubles as ss_rep_thetas level
 * by level).  -1 when they do not apply (replicates not per row, too many
 * levels, out of memory): the caller takes ss_rep_thetas. */
static int rep_level_thetas(const ss_design *d, work *wk, const yvals *yv, const size_t *dr,
                            size_t nr, size_t m, int ratio)
{
    const ss_replicates *r = d->rep;
    const ss_column *c = yv->cat;
    const size_t R = r->nrep, ncode = c->levels.n;
    if (!ss_rep_per_row(r) || ncode == 0 || (double)ncode * (double)(R ? R : 1) > (1 << 22))
        return -1;
    if (!(wk->lc_ok && wk->lc_c == c && wk->lc_dr == dr && wk->lc_nr == nr)) {
        wk->lc_ok = 0;
        free(wk->lc_A);
        wk->lc_A = malloc((ncode * R > 0 ? ncode * R : 1) * sizeof *wk->lc_A);
        if (!wk->lc_B)
            wk->lc_B = malloc((R ? R : 1) * sizeof *wk->lc_B);
        if (!wk->lc_lev)
            wk->lc_lev = ss_mem_array(NULL, wk->nrow, "rows", 1, NULL, sizeof *wk->lc_lev);
        if (!wk->lc_A || !wk->lc_B || !wk->lc_lev)
            return -1;
        for (size_t j = 0; j < m; j++)
            wk->lc_lev[j] = c->code[wk->rows[j]];
        ss_rep_thetas_levels(r, wk->rows, wk->lc_lev, ncode, m, wk->lc_A, wk->lc_B);
        wk->lc_ok = 1;
        wk->lc_c = c;
        wk->lc_dr = dr;
        wk->lc_nr = nr;
    }
    const double *A = wk->lc_A + (size_t)yv->level * R;
    for (size_t k = 0; k < R; k++)
        wk->theta[k] = ratio ? A[k] / wk->lc_B[k] : A[k];
    return 0;
}

static int mean_rows(const ss_design *d, work *wk, const yvals *yv, int total,
                     const size_t *dr, size_t nr, msums *s, ss_error *err)
{
    const double *w = d->w;
    size_t m = 0;
    for (size_t k = 0; k < nr; k++) {
        size_t i = dr ? dr[k] : k;
        double y = y_at(yv, i);
        if (isnan(y))
            continue;
        wk->rows[m] = i;
        wk->y[m] = y;
        m++;
        s->nobs += w[i] != 0;
        s->W += w[i];
        s->Y += w[i] * y;
    }
    s->m = m;
    if (m == 0 || s->W == 0)
        return SS_OK;
    const double W = s->W, Y = s->Y, ybar = Y / W;
    double s2 = 0;
    for (size_t k = 0; k < m; k++) {
        double wi = w[wk->rows[k]], y = wk->y[k];
        s2 += wi * (y - ybar) * (y - ybar);
        wk->z[k] = total ? wi * y : wi * (y - ybar) / W;
    }
    s->s2 = s2 / W;
    int rc;
    if (d->rep && yv->cat && rep_level_thetas(d, wk, yv, dr, nr, m, !total) == 0)
        rc = ss_rep_variance(d->rep, wk->theta, total ? Y : Y / W, &s->var, err);
    else
        rc = d->rep ? rep_variance(d, wk, m, wk->y, NULL, !total, total ? Y : Y / W, &s->var, err)
                    : variance(d, wk, m, &s->var, err);
    if (rc != SS_OK)
        return rc;
    if (keep_scores(d, wk, m) != 0)
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    return SS_OK;
}

/* The row of a mean, total or proportion from its sums s: estimate, SE,
 * deff, n_eff, interval and flags.  A proportion (prop) of the levels of
 * c over the domain rows dr gets its interval by --ci-method; from wk's
 * rows unless s is streamed. */
static int mean_end(const ss_design *d, work *wk, const ss_estimate_options *o,
                    const char *name, const ss_column *c, int total, int prop,
                    const size_t *dr, msums *s, ss_result_row *r, ss_error *err)
{
    const size_t m = s->m;
    const double W = s->W, var = s->var, s2 = s->s2;
    r->estimate = total ? s->Y : s->Y / W;
    r->se = sqrt(var);
    if (o->deff) {
        /* R: svyvar (divisor n - 1) times the SRSWOR factor with N = W. */
        double nobs = (double)s->nobs;
        double sv = s2 * nobs / (nobs - 1);
        double vsrs = sv * (W - nobs) / (W * nobs);
        if (total)
            vsrs *= W * W;
        r->deff = (!total && W < nobs) ? NAN : var / vsrs;
    }
    if (!total) {
        double ne = var > 0 ? s2 / var : INFINITY;
        r->n_eff = ne < (double)m ? ne : (double)m;
    }
    double df = row_df(d, wk, o, s);
    if (!prop) {
        set_wald(r, o->level, df);
        return flag_rse(r, o) == 0 ? SS_OK : ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    }

    /* A proportion: its interval by --ci-method, its NCHS flags. */
    double p = r->estimate;
    const ss_logit_pre *pre = NULL;
    if (!s->streamed && c && wk->pre_a &&
        (o->ci_method == SS_CI_LOGIT || o->ci_method == SS_CI_LIKELIHOOD)) {
        if (!wk->pre_ok || wk->pre_dr != dr || wk->pre_c != c) {
            ss_prop_logit_pre(d, wk->rows, m, wk->pre_a, &wk->pre);
            wk->pre_ok = 1;
            wk->pre_dr = dr;
            wk->pre_c = c;
        }
        pre = &wk->pre;
    }
    double ddf = NAN;
    if (o->ci_method == SS_CI_BETA || o->nchs)
        ddf = domain_ddf(d, wk, s);
    int rc;
    if (d->rep && d->rep->nrep == 0 && p > 0 && p < 1) {
        /* no replicate (a census at stage 1): SE 0, no df, no interval */
        r->df = NAN;
        r->cv = r->se / p;
        r->ci_low = r->ci_high = NAN;
    } else if (d->rep && (o->ci_method == SS_CI_LOGIT || o->ci_method == SS_CI_LIKELIHOOD) &&
               p > 0 && p < 1) {
        r->df = isinf(df) ? NAN : df;
        r->cv = r->se / fabs(p);
        ss_prop_input pin = {d, wk->dw, wk->rows, wk->y, m, p, var, o->level, df, ddf, pre};
        rc = rep_prop_ci(d, wk, &pin, o->ci_method, &r->ci_low, &r->ci_high, err);
        if (rc == SS_PROP_NOCI && no_interval(r, err) != 0)
            return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        if (rc != SS_OK && rc != SS_PROP_NOCI)
            return ci_error(err, rc, name);
    } else {
        if (o->ci_method == SS_CI_BETA && o->df_mode == SS_DF_DESIGN)
            df = ddf; /* R's svyciprop "beta" uses the domain's own df */
        r->df = isinf(df) ? NAN : df;
        r->cv = p != 0 ? r->se / fabs(p) : NAN;
        if (s->logit && p > 0 && p < 1) {
            ss_prop_logit_interval(s->beta, s->vbeta, o->level, df, &r->ci_low, &r->ci_high);
        } else {
            ss_prop_input in = {d, wk->dw, s->streamed ? NULL : wk->rows,
                                s->streamed ? NULL : wk->y, m, p, var, o->level, df,
                                o->df_mode == SS_DF_DESIGN ? ddf : df, pre};
            rc = ss_prop_ci(o->ci_method, &in, wk->z2, &r->ci_low, &r->ci_high, err);
            if (rc == SS_PROP_NOCI && no_interval(r, err) != 0)
                return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
            if (rc != SS_OK && rc != SS_PROP_NOCI)
                return ci_error(err, rc, name);
        }
    }
    if (o->nchs) {
        char flag[40];
        ss_prop_nchs(p, var, (double)m, ddf, flag, sizeof flag);
        if (r->flag && *r->flag) /* CIx */
            snprintf(flag + strlen(flag), sizeof flag - strlen(flag), "%s%s", *flag ? " " : "",
                     r->flag);
        if (ss_result_set_str(&r->flag, flag) != 0)
            return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    }
    return SS_OK;
}

/* Mean (or total when total is set) over the domain rows dr[0..nr) (NULL:
 * every row) of the values y (NaN = missing); prop: the values are 0/1, and
 * the row gets a proportion's interval and flags. */
static int mean_like(const ss_design *d, work *wk, const ss_estimate_options *o,
                     const char *name, const yvals *y, int total, int prop, const size_t *dr,
                     size_t nr, ss_result_row *r, ss_error *err)
{
    msums s = {.ddf = NAN};
    int rc;
    if (!prop && !y->cat && streamable(d, wk)) {
        mean_group(d, wk, o, y, &total, 1, dr, nr, &s, &rc, err);
    } else {
        if (work_rows(wk) != 0)
            return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        rc = mean_rows(d, wk, y, total, dr, nr, &s, err);
    }
    r->n = (double)s.m;
    if (rc != SS_OK || s.m == 0 || s.W == 0)
        return rc;
    return mean_end(d, wk, o, name, y->cat, total, prop, dr, &s, r, err);
}

/* The number of score columns prop_stream hands the variance at once (at
 * most STREAM_COLS): each costs a double per unit of the design's largest
 * stage. */
static size_t stream_cols(const ss_design *d)
{
    size_t nu = 1;
    for (size_t s = 0; s < d->nstage; s++)
        if (d->stage[s].nunit > nu)
            nu = d->stage[s].nunit;
    size_t p = ((size_t)4 << 20) / nu; /* 32 MB of unit totals */
    return p < 2 ? 2 : p > STREAM_COLS ? STREAM_COLS : p;
}

/* From this many levels on, a streamed proportion takes its variances
 * from ss_levels_var (linear in the rows) instead of blocks of levels
 * through ss_design_vcov_add (levels x rows); SURVSTAT_PROP_LEVELS=N
 * changes the threshold (the tests compare both paths). */
enum { PROP_LEVELS_MIN = 64 };

static size_t prop_levels_min(void)
{
    const char *e = getenv("SURVSTAT_PROP_LEVELS");
    if (e && *e) {
        char *end;
        unsigned long long v = strtoull(e, &end, 10);
        if (*end == '\0')
            return (size_t)v;
    }
    return PROP_LEVELS_MIN;
}

/* prop_stream's variances of all nlev levels at once: var of the scores
 * w (1[y = l] - p_l) / W and, where the logit fit is wanted, of its
 * coefficient's (y - mu_l) w g_l, with s2 = sum w (y - p)^2 / W from the
 * levels' sums (R, the weight of the other levels, summed: never W - Y).
 * Agrees with the block path to about 1e-13 relative, not to the bit.
 * Returns -1 when the design needs ss_design_vcov (prop_stream then goes
 * on with its blocks). */
static int prop_levels(const ss_design *d, work *wk, const ss_estimate_options *o,
                       const ss_column *c, const int32_t *lev_of, size_t nlev, const size_t *dr,
                       size_t nr, msums *s, int logit, const double *mu, const double *g,
                       double ynone, ss_error *err)
{
    const double W = s[0].W;
    const size_t K = logit ? 2 : 1;
    double *con = malloc(2 * K * nlev * sizeof *con), *var = con + K * nlev;
    if (!con)
        return -1;
    for (size_t l = 0; l < nlev; l++) {
        con[l] = s[l].Y / W;
        if (logit)
            con[nlev + l] = s[l].logit ? mu[l] : 0;
    }
    if (ss_levels_var(d, wk->lw, dr, nr, c->code, lev_of, nlev, K, con, var) != SS_OK) {
        free(con);
        return -1;
    }
    double acc = ynone; /* R: the other levels' weight, suffix then prefix */
    for (size_t l = nlev; l-- > 0;) {
        s[l].s2 = acc;
        acc += s[l].Y;
    }
    acc = 0;
    for (size_t l = 0; l < nlev; l++) {
        const double p = con[l], R = s[l].s2 + acc;
        acc += s[l].Y;
        s[l].s2 = (s[l].Y * (1 - p) * (1 - p) + R * p * p) / W;
        s[l].var = var[l] / (W * W);
        s[l].vbeta = logit && s[l].logit ? g[l] * g[l] * var[nlev + l] : 0;
    }
    free(con);
    if (wants_ddf(d, o, 1)) {
        size_t cn = 0;
        for (size_t k = 0; k < nr; k++) {
            size_t i = dr ? dr[k] : k;
            if (c->code[i] < 0)
                continue;
            wk->crow[cn] = i;
            if (++cn == CHUNK) {
                ss_design_df_add(d, wk->dw, wk->crow, cn);
                cn = 0;
            }
        }
        ss_design_df_add(d, wk->dw, wk->crow, cn);
        double df = ss_design_df_end(wk->dw);
        for (size_t l = 0; l < nlev; l++)
            s[l].ddf = df;
    }
    (void)err;
    return SS_OK;
}

/* A block of levels of a streamed proportion: their estimates pl, and of
 * their logit fits (when logit) mu, g and fit (all ones where the level
 * has one, else 0); W the weights' sum. */
typedef struct prop_block {
    size_t nb;
    const double *pl, *mu, *g;
    const uint64_t *fit;
    int logit;
    double W;
} prop_block;

/* The scores of n present rows of the levels of b, the row's weight wb[k]
 * and level lev[k] (j for the block's level j), into z, a row of p =
 * nb (logit: 2 nb) after another: z[j] = w (y_j - pl_j) / W and z[nb + j]
 * = (y_j - mu_j) w g_j where the level has a fit, else 0; s2[j] += w (y_j -
 * pl_j)^2 row after row.  Two levels at a time where SSE2 is there (each
 * lane rounds as the scalar operation, and keeps its own level's sum). */
static void prop_scores(const prop_block *b, const double *wb, const int32_t *lev, size_t n,
                        double *s2, double *z)
{
    const size_t nb = b->nb, p = b->logit ? 2 * nb : nb;
    for (size_t k = 0; k < n; k++) {
        const double wi = wb[k];
        double *zk = z + k * p;
        size_t j = 0;
#ifdef __SSE2__
        const __m128d w2 = _mm_set1_pd(wi), W2 = _mm_set1_pd(b->W);
        const __m128d lv = _mm_set1_pd((double)lev[k]), one = _mm_set1_pd(1.0);
        for (; j + 2 <= nb; j += 2) {
            /* y: 1.0 in the lane of the row's level, else +0.0 */
            const __m128d y = _mm_and_pd(
                _mm_cmpeq_pd(lv, _mm_set_pd((double)(j + 1), (double)j)), one);
            const __m128d dy = _mm_sub_pd(y, _mm_loadu_pd(b->pl + j)), q = _mm_mul_pd(w2, dy);
            _mm_storeu_pd(s2 + j, _mm_add_pd(_mm_loadu_pd(s2 + j), _mm_mul_pd(q, dy)));
            _mm_storeu_pd(zk + j, _mm_div_pd(q, W2));
            if (b->logit) {
                const __m128d e = _mm_sub_pd(y, _mm_loadu_pd(b->mu + j));
                const __m128d t = _mm_mul_pd(_mm_mul_pd(e, w2), _mm_loadu_pd(b->g + j));
                _mm_storeu_pd(zk + nb + j,
                              _mm_and_pd(t, _mm_castsi128_pd(_mm_loadu_si128(
                                                (const __m128i *)(b->fit + j)))));
            }
        }
#endif
        for (; j < nb; j++) {
            const double y = lev[k] == (int32_t)j;
            s2[j] += wi * (y - b->pl[j]) * (y - b->pl[j]);
            zk[j] = wi * (y - b->pl[j]) / b->W;
            if (b->logit)
                zk[nb + j] = b->fit[j] ? (y - b->mu[j]) * wi * b->g[j] : 0;
        }
    }
}

/* Every level of the proportion of c over the domain rows dr (NULL: all),
 * streamed: the sums in one pass, the logit fit's first-iteration terms in
 * a second (when --ci-method logit), then the scores of the levels (and of
 * their logit coefficients) a few at a time, in chunks.  The same result to
 * the bit as mean_like level by level (ss_design_vcov's diagonal does not
 * depend on the other columns).  lev_of[code] is the level of a code, -1
 * for none; s[0..nlev) get the levels' sums.  Returns -1 when a level's
 * logit fit needs its rows (it stops after one iteration, or does not
 * converge): mean_like then redoes the levels, and reports. */
static int prop_stream(const ss_design *d, work *wk, const ss_estimate_options *o,
                       const ss_column *c, const int32_t *lev_of, size_t nlev,
                       const size_t *dr, size_t nr, msums *s, ss_error *err)
{
    const double *w = d->w;
    size_t m = 0, nobs = 0;
    double W = 0, ynone = 0;
    for (size_t l = 0; l < nlev; l++)
        s[l] = (msums){.ddf = NAN, .streamed = 1};
    for (size_t k = 0; k < nr; k++) {
        size_t i = dr ? dr[k] : k;
        int32_t code = c->code[i];
        if (code < 0)
            continue;
        m++;
        nobs += w[i] != 0;
        W += w[i];
        if (lev_of[code] >= 0)
            s[lev_of[code]].Y += w[i];
        else
            ynone += w[i];
    }
    for (size_t l = 0; l < nlev; l++) {
        s[l].m = m;
        s[l].nobs = nobs;
        s[l].W = W;
    }
    if (m == 0 || W == 0)
        return SS_OK;

    /* The logit fits, from the weights' first-iteration terms
     * (ss_prop_logit_pre) and their sums over each level's rows. */
    int logit = 0;
    for (size_t l = 0; l < nlev; l++) {
        double p = s[l].Y / W;
        logit |= o->ci_method == SS_CI_LOGIT && p > 0 && p < 1;
    }
    double *S1 = calloc(4 * nlev + 1, sizeof *S1), *a1 = S1 + nlev, *g = a1 + nlev;
    double *mu = g + nlev;
    if (!S1)
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    if (logit) {
        ss_logit_pre pre = {.mean_w = W / (double)ss_design_glm_rows(d, m)};
        if (!wk->memo) {
            wk->memo = malloc(sizeof *wk->memo);
            if (wk->memo)
                ss_logit_memo_init(wk->memo);
        }
        for (size_t k = 0; k < nr; k++) {
            size_t i = dr ? dr[k] : k;
            int32_t code = c->code[i];
            if (code < 0)
                continue;
            const double pw = w[i] / pre.mean_w;
            double a = ss_prop_logit_pre_row(&pre, wk->memo, pw);
            if (lev_of[code] >= 0) {
                S1[lev_of[code]] += pw;
                a1[lev_of[code]] += a;
            }
        }
        for (size_t l = 0; l < nlev; l++) {
            double p = s[l].Y / W;
            s[l].logit = p > 0 && p < 1;
            if (s[l].logit &&
                ss_prop_logit_sums(&pre, S1[l], a1[l], &s[l].beta, &mu[l], &g[l]) != 0) {
                free(S1);
                return -1;
            }
        }
    }

    /* Many levels: their variances from sparse unit totals in one pass
     * (ss_levels_var), unless the design needs ss_design_vcov. */
    if (nlev >= prop_levels_min() && wk->lw) {
        int r = prop_levels(d, wk, o, c, lev_of, nlev, dr, nr, s, logit, mu, g, ynone, err);
        if (r != -1) {
            free(S1);
            return r;
        }
    }

    /* The scores, a block of levels at a time: column j the level's
     * indicator's, column nb + j its logit coefficient's. */
    const int ddf = wants_ddf(d, o, 1);
    const size_t cols = logit ? 2 : 1, nb_max = stream_cols(d) / 2;
    int rc = SS_OK;
    for (size_t l0 = 0; l0 < nlev && rc == SS_OK; l0 += nb_max) {
        const size_t nb = nlev - l0 < nb_max ? nlev - l0 : nb_max, p = cols * nb;
        const int count = ddf && l0 == 0;
        size_t cn = 0;
        double s2[STREAM_COLS / 2] = {0}, V[STREAM_COLS * STREAM_COLS];
        double pl[STREAM_COLS / 2], mul[STREAM_COLS / 2], gl[STREAM_COLS / 2];
        uint64_t fit[STREAM_COLS / 2];
        for (size_t j = 0; j < nb; j++) {
            pl[j] = s[l0 + j].Y / W;
            fit[j] = s[l0 + j].logit ? ~(uint64_t)0 : 0;
            mul[j] = mu[l0 + j];
            gl[j] = g[l0 + j];
        }
        const prop_block pb = {nb, pl, mul, gl, fit, logit, W};
        for (size_t k = 0; k < nr; k++) {
            size_t i = dr ? dr[k] : k;
            int32_t code = c->code[i];
            if (code < 0)
                continue;
            wk->crow[cn] = i;
            wk->wb[cn] = w[i];
            wk->lb[cn] = lev_of[code] - (int32_t)l0;
            if (++cn == BLK) {
                prop_scores(&pb, wk->wb, wk->lb, cn, s2, wk->cz);
                flush_chunk(d, wk, cn, p, count);
                cn = 0;
            }
        }
        prop_scores(&pb, wk->wb, wk->lb, cn, s2, wk->cz);
        flush_chunk(d, wk, cn, p, count);
        for (size_t j = 0; j < nb; j++)
            s[l0 + j].s2 = s2[j] / W;
        if (count) {
            double df = ss_design_df_end(wk->dw);
            for (size_t l = 0; l < nlev; l++)
                s[l].ddf = df;
        }
        /* Only the variances are wanted: the covariances of the levels
         * would cost p * p per unit (15 s for 2,000 levels of 200,000
         * single-row PSUs). */
        ss_design_work_diag(wk->dw, 1);
        rc = ss_design_vcov_end(d, wk->dw, p, V, err);
        ss_design_work_diag(wk->dw, 0);
        for (size_t j = 0; j < nb && rc == SS_OK; j++) {
            s[l0 + j].var = V[j * p + j];
            if (logit)
                s[l0 + j].vbeta = V[(nb + j) * p + nb + j];
        }
    }
    free(S1);
    return rc;
}

/* A quantile of a numeric column over the domain rows (R's svyquantile). */
static int quantile(const ss_design *d, work *wk, const ss_estimate_options *o,
                    const ss_column *c, double prob, const size_t *dr, size_t nr,
                    ss_result_row *r, ss_error *err)
{
    if (work_rows(wk) != 0)
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    size_t m = 0;
    for (size_t k = 0; k < nr; k++) {
        size_t i = dr ? dr[k] : k;
        if (isnan(c->num[i]))
            continue;
        wk->rows[m] = i;
        wk->y[m++] = c->num[i];
    }
    r->n = (double)m;
    if (m == 0)
        return SS_OK;
    double df = rows_df(d, wk, o, m);
    ss_quantile_out q;
    int rc = ss_quantile_estimate(d, wk->dw, wk->rows, wk->y, m, prob, o->qrule, o->level,
                                  df, wk->z, &q, err);
    if (rc != SS_OK)
        return rc;
    r->estimate = q.estimate;
    r->se = q.se;
    r->ci_low = q.ci_low;
    r->ci_high = q.ci_high;
    r->df = isinf(df) ? NAN : df;
    r->cv = q.estimate != 0 ? q.se / fabs(q.estimate) : NAN;
    return SS_OK;
}

static int ratio(const ss_design *d, work *wk, const ss_estimate_options *o,
                 const ss_column *cy, const ss_column *cx, const size_t *dr,
                 size_t nr, ss_result_row *r, ss_error *err)
{
    if (work_rows(wk) != 0)
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    const double *w = d->w;
    size_t m = 0;
    double X = 0, Y = 0;
    for (size_t k = 0; k < nr; k++) {
        size_t i = dr ? dr[k] : k;
        double y = cy->num[i], x = cx->num[i];
        if (isnan(y) || isnan(x))
            continue;
        wk->y[m] = y;
        wk->z2[m] = x;
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
    int rc = d->rep ? rep_variance(d, wk, m, wk->y, wk->z2, 1, R, &var, err)
                    : variance(d, wk, m, &var, err);
    if (rc != SS_OK)
        return rc;
    if (keep_scores(d, wk, m) != 0)
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    r->estimate = R;
    r->se = sqrt(var);
    set_wald(r, o->level, rows_df(d, wk, o, m));
    return flag_rse(r, o) == 0 ? SS_OK : ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
}

static const char *stat_name(ss_stat s)
{
    static const char *const names[] = {"mean", "total", "prop", "ratio", "quantile",
                                        "t2b", "b2b", "net", "index"};
    return names[s];
}

/* The per-row score of a satisfaction measure on --scale LOW:HIGH (HIGH the
 * most satisfied end): t2b 1 in the top two codes, b2b in the bottom two,
 * net t2b - b2b, index the mean over answered items of
 * 100 (x - LOW) / (HIGH - LOW); NaN when unanswered.  A code outside the
 * scale (not a --na code) is an error naming the line. */
static int scores(const ss_table *t, const ss_estimate_request *e,
                  const ss_estimate_options *o, double *out, ss_error *err)
{
    const double lo = o->scale_low, hi = o->scale_high;
    const double dir = hi > lo ? 1 : -1;
    const size_t nitem = e->stat == SS_STAT_INDEX ? e->nitems : 1;
    for (size_t i = 0; i < t->nrow; i++) {
        double sum = 0;
        size_t nans = 0;
        for (size_t j = 0; j < nitem; j++) {
            const ss_column *c = ss_table_find(t, e->stat == SS_STAT_INDEX ? e->items[j] : e->var);
            double x = c->num[i];
            if (isnan(x))
                continue;
            if (x != floor(x) || (x - lo) * dir < 0 || (hi - x) * dir < 0)
                return ss_error_set(err, SS_EDATA, t->file, ss_table_line(t, i),
                                    "column '%s': code %.15g is outside --scale %g:%g (give it"
                                    " to --na if it means missing)",
                                    c->name, x, lo, hi);
            double top = (hi - x) * dir <= 1, bottom = (x - lo) * dir <= 1;
            switch (e->stat) {
            case SS_STAT_T2B:
                sum = top;
                break;
            case SS_STAT_B2B:
                sum = bottom;
                break;
            case SS_STAT_NET:
                sum = top - bottom;
                break;
            default:
                sum += 100 * (x - lo) / (hi - lo);
                break;
            }
            nans++;
        }
        out[i] = nans == 0 ? NAN : e->stat == SS_STAT_INDEX ? sum / (double)nans : sum;
    }
    return SS_OK;
}

/* A pair's p-value and its row, ordered by p, then row (R's order() is
 * stable: ties keep the pairs' order). */
typedef struct pval {
    double p;
    size_t row;
} pval;

static int pval_cmp(const void *a, const void *b)
{
    const pval *x = a, *y = b;
    if (x->p != y->p)
        return x->p < y->p ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row);
}

/* Holm's step-down adjustment of the p-values of one family (R's
 * p.adjust(method = "holm")): of the m p-values that are not NaN, the i-th
 * smallest times m - i + 1, made monotone, capped at 1.  A NaN p (a pair
 * whose difference and SE are both 0) is left out of m and keeps a NaN
 * p_holm, as R's p.adjust leaves NA out.  0, or -1 when out of memory. */
static int holm(ss_result *out, const size_t *idx, size_t k)
{
    pval *o = malloc((k ? k : 1) * sizeof *o);
    size_t m = 0;
    if (!o)
        return -1;
    for (size_t i = 0; i < k; i++) {
        double p = out->row[idx[i]].p_value;
        if (isnan(p))
            out->row[idx[i]].p_holm = NAN;
        else
            o[m++] = (pval){p, idx[i]};
    }
    qsort(o, m, sizeof *o, pval_cmp);
    double run = 0;
    for (size_t i = 0; i < m; i++) {
        double v = (double)(m - i) * o[i].p;
        run = v > run ? v : run;
        out->row[o[i].row].p_holm = run < 1 ? run : 1;
    }
    free(o);
    return 0;
}

/* --compare: the variance of the difference of two domains' estimates whose
 * kept scores are kz[a0..a1) and kz[b0..b1): Taylor, the variance of the
 * total of the difference of their scores (*m the rows it spans); under
 * replicates, svrVar of the differences theta_r(a) - theta_r(b) around
 * est (R's svycontrast on svyby(covmat = TRUE) of a svrep design). */
static int contrast_variance(const ss_design *d, work *wk, size_t a0, size_t a1, size_t b0,
                             size_t b1, const unsigned char *drop, double est, double *var,
                             size_t *m, ss_error *err)
{
    if (d->rep) {
        size_t nrep = d->rep->nrep, k = 0;
        for (size_t r = 0; r < nrep; r++)
            wk->theta[r] = drop[r] ? NAN : wk->kz[a0 + r] - wk->kz[b0 + r];
        for (size_t q = a0 + nrep; q < a1; q++)
            wk->rows[k++] = wk->krows[q];
        for (size_t q = b0 + nrep; q < b1; q++)
            wk->rows[k++] = wk->krows[q];
        *m = k;
        return ss_rep_variance(d->rep, wk->theta, est, var, err);
    }
    size_t k = 0;
    for (size_t q = a0; q < a1; q++, k++) {
        wk->rows[k] = wk->krows[q];
        wk->z[k] = wk->kz[q];
    }
    for (size_t q = b0; q < b1; q++, k++) {
        wk->rows[k] = wk->krows[q];
        wk->z[k] = -wk->kz[q];
    }
    *m = k;
    return variance(d, wk, k, var, err);
}

/* --compare: the difference of every pair of domains i < j of one estimate
 * (domain i is row first + i * stride of out, its kept scores
 * kstart[i * stride] .. kend[i * stride]), its SE from the variance of the total of
 * the difference of the two domains' scores (which is V_ii + V_jj - 2 V_ij
 * of R's svyby(covmat = TRUE)), t, the two-sided p on the row's df and the
 * Holm-adjusted p over the pairs. */
static int contrasts(const ss_design *d, work *wk, const ss_estimate_options *o,
                     ss_result *out, size_t first, size_t stride, const size_t *kstart,
                     const size_t *kend, size_t nd, ss_error *err)
{
    size_t npair = nd * (nd - 1) / 2, k = 0;
    size_t *idx = malloc((npair ? npair : 1) * sizeof *idx);
    /* Under replicates, a replicate that leaves any domain without an
     * estimate is dropped from every pair, as svrVar drops an NA row of
     * svyby's whole replicate matrix. */
    size_t nrep = d->rep ? d->rep->nrep : 0;
    unsigned char *drop = calloc(nrep ? nrep : 1, 1);
    if (!idx || !drop) {
        free(idx);
        free(drop);
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    }
    for (size_t i = 0; i < nd; i++)
        if (!isnan(out->row[first + i * stride].estimate))
            for (size_t r = 0; r < nrep; r++)
                drop[r] |= (unsigned char)isnan(wk->kz[kstart[i * stride] + r]);
    int rc = SS_OK;
    for (size_t i = 0; i < nd && rc == SS_OK; i++)
        for (size_t j = i + 1; j < nd && rc == SS_OK; j++) {
            size_t ra = first + i * stride, rb = first + j * stride;
            if (isnan(out->row[ra].estimate) || isnan(out->row[rb].estimate))
                continue;
            char label[4096];
            snprintf(label, sizeof label, "%s - %s", out->row[ra].domain, out->row[rb].domain);
            double est = out->row[ra].estimate - out->row[rb].estimate, var;
            size_t m = 0;
            rc = contrast_variance(d, wk, kstart[i * stride], kend[i * stride],
                                   kstart[j * stride], kend[j * stride], drop, est, &var,
                                   &m, err);
            if (rc != SS_OK)
                break;
            double n_ab = out->row[ra].n + out->row[rb].n;
            ss_result_row *r = ss_result_add(out, out->row[ra].statistic, out->row[ra].variable,
                                             out->row[ra].level, label);
            if (!r) {
                rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
                break;
            }
            r->estimate = est;
            r->se = sqrt(var);
            r->n = n_ab;
            double df = rows_df(d, wk, o, m);
            set_wald(r, o->level, df);
            r->cv = NAN;
            r->t = est / r->se;
            r->p_value = isinf(df) ? 2 * gsl_cdf_ugaussian_Q(fabs(r->t))
                                   : 2 * gsl_cdf_tdist_Q(fabs(r->t), df);
            idx[k++] = out->n - 1;
        }
    if (rc == SS_OK && holm(out, idx, k) != 0)
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    free(idx);
    free(drop);
    return rc;
}

/* One worker's state: its workspace and, under --compare, where each
 * domain's kept scores start and end. */
typedef struct worker {
    work wk;
    size_t *kstart;
} worker;

static void worker_free(worker *w)
{
    free(w->wk.crow);
    free(w->wk.cz);
    free(w->wk.yb);
    free(w->wk.wb);
    free(w->wk.lb);
    free(w->wk.memo);
    free(w->wk.rows);
    free(w->wk.z);
    free(w->wk.y);
    free(w->wk.z2);
    free(w->wk.score);
    free(w->wk.pre_a);
    free(w->wk.krows);
    free(w->wk.kz);
    free(w->wk.ddf_rows);
    free(w->wk.lc_A);
    free(w->wk.lc_B);
    free(w->wk.lc_lev);
    free(w->kstart);
    ss_design_work_free(w->wk.dw);
    ss_levels_work_free(w->wk.lw);
    ss_rep_work_free(w->wk.rw);
    free(w->wk.theta);
}

static int worker_init(worker *w, const ss_table *t, const ss_design *d,
                       const ss_estimate_request *er, size_t n, const ss_estimate_options *o,
                       ss_error *err)
{
    memset(w, 0, sizeof *w);
    work *wk = &w->wk;
    wk->nrow = t->nrow ? t->nrow : 1;
    int need_score = 0;
    for (size_t q = 0; q < n; q++)
        need_score |= er[q].stat >= SS_STAT_T2B;
    if (need_score)
        wk->score = ss_mem_array(NULL, wk->nrow, "rows", 1, NULL, sizeof *wk->score);
    wk->keep = o->compare && o->nby > 0;
    wk->dw = ss_design_work_alloc(d, streamable(d, wk) ? stream_cols(d) : 1);
    wk->crow = malloc(CHUNK * sizeof *wk->crow);
    wk->cz = malloc(CHUNK * STREAM_COLS * sizeof *wk->cz);
    wk->yb = malloc(BLK * STREAM_COLS * sizeof *wk->yb);
    wk->wb = malloc(BLK * sizeof *wk->wb);
    wk->lb = malloc(BLK * sizeof *wk->lb);
    for (size_t q = 0; q < n && !wk->lw && streamable(d, wk); q++)
        if (er[q].stat == SS_STAT_PROP)
            wk->lw = ss_levels_work_alloc(d); /* NULL: the block path */
    int bad = (need_score && !wk->score) || !wk->dw || !wk->crow || !wk->cz || !wk->yb ||
              !wk->wb || !wk->lb;
    if (d->rep) {
        wk->rw = ss_rep_work_alloc(d->rep);
        wk->theta = malloc((d->rep->nrep ? d->rep->nrep : 1) * sizeof *wk->theta);
        bad |= !wk->rw || !wk->theta;
    }
    return bad ? ss_error_set(err, SS_EDATA, NULL, 0, "out of memory") : SS_OK;
}

/* --compare under --lonely-psu average: the average of the contrasts'
 * variances runs over the strata of every row where the estimate's
 * variables are present, in a domain or not, as R's svyby(covmat = TRUE)
 * on the design subset to the answered rows (its joint covariance of the
 * domains, which svycontrast reads; a domain's own SE stays that of R's
 * svyby, over the strata its rows touch).  See ss_design_work_average_over. */
static int average_over_present(const ss_table *t, const ss_design *d, work *wk,
                                const ss_estimate_request *e, const ss_estimate_options *o)
{
    if (d->lonely != SS_LONELY_AVERAGE || d->rep || d->ncal > 0)
        return SS_OK;
    const ss_column *c = ss_table_find(t, e->var);
    const ss_column *x = e->stat == SS_STAT_RATIO ? ss_table_find(t, e->den) : NULL;
    size_t *rows = malloc((t->nrow ? t->nrow : 1) * sizeof *rows), m = 0;
    if (!rows)
        return -1;
    for (size_t i = 0; i < t->nrow; i++) {
        int present;
        if (o->subset && !o->subset[i])
            present = 0;
        else if (e->stat >= SS_STAT_T2B)
            present = !isnan(wk->score[i]);
        else if (e->stat == SS_STAT_PROP || total_of_levels(e, c))
            present = c->code[i] >= 0;
        else
            present = !isnan(ss_column_num(c, i)) && (!x || !isnan(ss_column_num(x, i)));
        if (present)
            rows[m++] = i;
    }
    ss_design_work_average_over(d, wk->dw, rows, m);
    free(rows);
    return SS_OK;
}

/* Under --subset, the levels of c are those its rows hold (R makes the
 * factor of subset(design, EXPR) from the rows left): order[0..*nlev)
 * keeps them, in order.  0, or -1 when out of memory. */
static int subset_levels(const ss_table *t, const ss_column *c, const unsigned char *subset,
                         int32_t *order, size_t *nlev)
{
    unsigned char *seen = calloc(c->levels.n ? c->levels.n : 1, 1);
    if (!seen)
        return -1;
    for (size_t i = 0; i < t->nrow; i++)
        if (subset[i] && c->code[i] >= 0)
            seen[c->code[i]] = 1;
    size_t k = 0;
    for (size_t l = 0; l < *nlev; l++)
        if (seen[order[l]])
            order[k++] = order[l];
    *nlev = k;
    free(seen);
    return 0;
}

/* The rows of one request e over the domains [d_lo, d_hi): domain by
 * domain, every level; then, over every domain, the contrasts of each
 * level. */
static int run_request(const ss_table *t, const ss_design *d, const domains *dmp,
                       const ss_estimate_request *e, const ss_estimate_options *o,
                       worker *wr, ss_result *out, ss_error *err, size_t d_lo, size_t d_hi)
{
    const domains dm = *dmp;
    work *wk = &wr->wk;
    const ss_column *c = ss_table_find(t, e->var);
    int rc = SS_OK;
    wk->pre_ok = 0;
    wk->lc_ok = 0;
    char name[2048];
    snprintf(name, sizeof name, "%s%s%s", e->var, e->stat == SS_STAT_RATIO ? "/" : "",
             e->stat == SS_STAT_RATIO ? e->den : "");
    if (e->stat >= SS_STAT_T2B) {
        rc = scores(t, e, o, wk->score, err);
        if (rc != SS_OK)
            return rc;
    }
    const yvals yscore = {wk->score, NULL, NULL, -1};
    const yvals ynum = {NULL, c, NULL, -1};
    int32_t *order = NULL;
    size_t nlev = 1;
    const int levels_total = total_of_levels(e, c);
    if (e->stat == SS_STAT_PROP || levels_total) {
        order = malloc((c->levels.n ? c->levels.n : 1) * sizeof *order);
        if (!order)
            return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        nlev = ss_column_level_order(c, order);
        if (o->subset && subset_levels(t, c, o->subset, order, &nlev) != 0) {
            free(order);
            return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        }
    } else if (e->stat == SS_STAT_QUANTILE) {
        nlev = o->nprobs;
    }
    size_t first = out->n;
    wk->kn = 0;
    size_t *kstart = NULL;
    if (wk->keep) {
        free(wr->kstart);
        kstart = wr->kstart = malloc(2 * (dm.n * nlev + 1) * sizeof *kstart);
        if (!kstart)
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    }
    /* A proportion's levels are streamed together, domain by domain (the
     * likelihood interval profiles each level's rows). */
    msums *sp = NULL;
    int32_t *lev_of = NULL;
    if (rc == SS_OK && e->stat == SS_STAT_PROP && streamable(d, wk) &&
        o->ci_method != SS_CI_LIKELIHOOD) {
        sp = malloc((nlev ? nlev : 1) * sizeof *sp);
        lev_of = malloc((c->levels.n ? c->levels.n : 1) * sizeof *lev_of);
        if (!sp || !lev_of) {
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        } else {
            for (size_t k = 0; k < c->levels.n; k++)
                lev_of[k] = -1;
            for (size_t l = 0; l < nlev; l++)
                lev_of[order[l]] = (int32_t)l;
        }
    }
    for (size_t d0 = d_lo; d0 < d_hi && rc == SS_OK; d0++) {
        const size_t *dr = dm.rows ? dm.rows + dm.start[d0] : NULL;
        size_t nr = dm.start[d0 + 1] - dm.start[d0];
        int streamed = 0;
        if (sp) {
            rc = prop_stream(d, wk, o, c, lev_of, nlev, dr, nr, sp, err);
            streamed = rc == SS_OK;
            if (rc == -1)
                rc = SS_OK; /* a level's logit fit wants its rows */
        }
        for (size_t l = 0; l < nlev && rc == SS_OK; l++) {
            const char *lev = order ? ss_column_level_name(c, order[l])
                              : e->stat == SS_STAT_QUANTILE ? o->prob_labels[l] : "";
            if (kstart)
                kstart[d0 * nlev + l] = wk->kn;
            ss_result_row *r = ss_result_add(out, stat_name(e->stat), name, lev, dm.label[d0]);
            if (!r) {
                rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
                break;
            }
            switch (e->stat) {
            case SS_STAT_TOTAL:
                if (levels_total) {
                    yvals yl = {NULL, NULL, c, order[l]};
                    rc = mean_like(d, wk, o, name, &yl, 1, 0, dr, nr, r, err);
                    break;
                }
                /* fall through */
            case SS_STAT_MEAN:
                rc = mean_like(d, wk, o, name, &ynum, e->stat == SS_STAT_TOTAL, 0, dr, nr, r,
                               err);
                break;
            case SS_STAT_PROP:
                if (!streamed) {
                    yvals yl = {NULL, NULL, c, order[l]};
                    rc = mean_like(d, wk, o, name, &yl, 0, 1, dr, nr, r, err);
                    break;
                }
                r->n = (double)sp[l].m;
                if (sp[l].m > 0 && sp[l].W != 0)
                    rc = mean_end(d, wk, o, name, c, 0, 1, dr, &sp[l], r, err);
                break;
            case SS_STAT_T2B:
            case SS_STAT_B2B:
                rc = mean_like(d, wk, o, name, &yscore, 0, 1, dr, nr, r, err);
                break;
            case SS_STAT_NET:
            case SS_STAT_INDEX:
                rc = mean_like(d, wk, o, name, &yscore, 0, 0, dr, nr, r, err);
                break;
            case SS_STAT_RATIO:
                rc = ratio(d, wk, o, c, ss_table_find(t, e->den), dr, nr, r, err);
                break;
            case SS_STAT_QUANTILE:
                rc = quantile(d, wk, o, c, o->probs[l], dr, nr, r, err);
                break;
            }
            if (kstart)
                kstart[dm.n * nlev + 1 + d0 * nlev + l] = wk->kn;
        }
    }
    if (wk->keep && e->stat != SS_STAT_QUANTILE && rc == SS_OK) {
        if (average_over_present(t, d, wk, e, o) != SS_OK)
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        for (size_t l = 0; l < nlev && rc == SS_OK; l++)
            rc = contrasts(d, wk, o, out, first + l, nlev, kstart + l,
                           kstart + dm.n * nlev + 1 + l, dm.n, err);
        ss_design_work_average_over(d, wk->dw, NULL, 0);
    }
    free(sp);
    free(lev_of);
    free(order);
    return rc;
}

/* A mean or total of numbers, which mean_group streams with others. */
static int groupable(const ss_table *t, const ss_design *d, const ss_estimate_request *e,
                     const ss_estimate_options *o)
{
    return (e->stat == SS_STAT_MEAN || e->stat == SS_STAT_TOTAL) && !d->rep && d->ncal == 0 &&
           !(o->compare && o->nby > 0) && !total_of_levels(e, ss_table_find(t, e->var));
}

/* The rows of the means and totals er[0..G) (groupable, G at most
 * stream_cols(d)) over the domains [d_lo, d_hi): domain by domain, the
 * columns together (mean_group); then each request's rows in the order
 * run_request gives them.  rc[j] and err[j]: request j's first error, in
 * domain order (its later domains are not computed). */
static void run_means(const ss_table *t, const ss_design *d, const domains *dm,
                      const ss_estimate_request *er, size_t G, const ss_estimate_options *o,
                      worker *wr, size_t d_lo, size_t d_hi, ss_result *res, int *rc,
                      ss_error *err)
{
    work *wk = &wr->wk;
    const size_t nd = d_hi - d_lo;
    msums *S = malloc((nd ? nd : 1) * G * sizeof *S);
    yvals yv[STREAM_COLS], ylive[STREAM_COLS];
    int total[STREAM_COLS], tlive[STREAM_COLS], rlive[STREAM_COLS];
    size_t end[STREAM_COLS], live[STREAM_COLS];
    msums slive[STREAM_COLS];
    ss_error elive[STREAM_COLS];
    for (size_t j = 0; j < G; j++) {
        yv[j] = (yvals){NULL, ss_table_find(t, er[j].var), NULL, -1};
        total[j] = er[j].stat == SS_STAT_TOTAL;
        rc[j] = S ? SS_OK : ss_error_set(&err[j], SS_EDATA, NULL, 0, "out of memory");
        end[j] = S ? d_hi : d_lo;
    }
    for (size_t d0 = d_lo; d0 < d_hi && S; d0++) {
        const size_t *dr = dm->rows ? dm->rows + dm->start[d0] : NULL;
        const size_t nr = dm->start[d0 + 1] - dm->start[d0];
        size_t g = 0;
        for (size_t j = 0; j < G; j++)
            if (rc[j] == SS_OK) {
                live[g] = j;
                ylive[g] = yv[j];
                tlive[g++] = total[j];
            }
        if (g == 0)
            break;
        mean_group(d, wk, o, ylive, tlive, g, dr, nr, slive, rlive, elive);
        for (size_t a = 0; a < g; a++) {
            const size_t j = live[a];
            S[j * nd + d0 - d_lo] = slive[a];
            if (rlive[a] != SS_OK) {
                rc[j] = rlive[a];
                err[j] = elive[a];
                end[j] = d0 + 1;
            }
        }
    }
    for (size_t j = 0; j < G; j++) {
        const char *name = er[j].var;
        for (size_t d0 = d_lo; d0 < end[j]; d0++) {
            ss_result_row *r = ss_result_add(&res[j], stat_name(er[j].stat), name, "",
                                             dm->label[d0]);
            if (!r) {
                rc[j] = ss_error_set(&err[j], SS_EDATA, NULL, 0, "out of memory");
                break;
            }
            msums *sj = &S[j * nd + d0 - d_lo];
            r->n = (double)sj->m;
            if (rc[j] != SS_OK && d0 + 1 == end[j])
                break;
            if (sj->m == 0 || sj->W == 0)
                continue;
            const size_t *dr = dm->rows ? dm->rows + dm->start[d0] : NULL;
            int rj = mean_end(d, wk, o, name, NULL, total[j], 0, dr, sj, r, &err[j]);
            if (rj != SS_OK) {
                rc[j] = rj;
                break;
            }
        }
    }
    free(S);
}

/* ---- work items, on one thread or two ---- */

/* A piece of the work: the requests [q0, q1) (several only for means and
 * totals streamed together, run_means) over the domains [d0, d1), each
 * request's rows into its own result, with its own status. */
typedef struct item {
    size_t q0, q1, d0, d1;
    double cost;      /* passes over rows, roughly */
    ss_result *res;   /* q1 - q0 of each */
    ss_error *err;
    int *rc;
} item;

/* Requests share out between threads when every one streams (no per-row
 * arrays to double): means, totals and proportions (a proportion whose
 * logit fit wants its rows, rarely, makes its thread's arrays), and there
 * is enough work: PAR_MIN_WORK rows read in all, roughly (a millisecond
 * or two; starting a thread costs some 50 microseconds).
 * SURVSTAT_ESTIMATE_WORK=N changes the threshold (the tests compare one
 * thread and two on small files with 0). */
enum { PAR_MIN_WORK = 1u << 20, DOMAIN_PIECES = 4 };

static double par_min_work(void)
{
    const char *e = getenv("SURVSTAT_ESTIMATE_WORK");
    if (e && *e) {
        char *end;
        double v = strtod(e, &end);
        if (*end == '\0')
            return v;
    }
    return PAR_MIN_WORK;
}

static int parallel_ok(const ss_table *t, const ss_design *d, const ss_estimate_request *er,
                       size_t n, const ss_estimate_options *o)
{
    if (d->rep || d->ncal > 0 || (o->compare && o->nby > 0) ||
        o->ci_method == SS_CI_LIKELIHOOD || ss_thread_count() < 2)
        return 0;
    for (size_t q = 0; q < n; q++)
        if (er[q].stat != SS_STAT_MEAN && er[q].stat != SS_STAT_TOTAL &&
            er[q].stat != SS_STAT_PROP)
            return 0;
    (void)t;
    return 1;
}

/* Passes over the rows of requests [q0, q1), roughly: a mean two, a group
 * of g means two and a half per column, a proportion three and the logit
 * scores of its levels. */
static double request_cost(const ss_table *t, const ss_estimate_request *er, size_t q0,
                           size_t q1)
{
    if (er[q0].stat != SS_STAT_PROP)
        return 1.5 + 2.5 * (double)(q1 - q0);
    const ss_column *c = ss_table_find(t, er[q0].var);
    return 6 + (double)c->levels.n / 4;
}

/* The work items of the requests, in request order and, within a request,
 * in domain order: consecutive groupable requests in groups of at most
 * gmax, each request or group over every domain or, on two threads, cut
 * into pieces (two groups where there is one domain, else up to
 * DOMAIN_PIECES domain ranges of about the same rows).  it holds room for
 * n * DOMAIN_PIECES items; returns the count. */
static size_t plan_items(const ss_table *t, const ss_design *d, const domains *dm,
                         const ss_estimate_request *er, size_t n, const ss_estimate_options *o,
                         int two, size_t gmax, item *it)
{
    size_t nit = 0;
    const size_t nrows = dm->start[dm->n];
    if (dm->n == 0)
        return 0; /* no domain: no row (every --by value missing) */
    for (size_t q = 0; q < n;) {
        size_t run = 1;
        while (q + run < n && groupable(t, d, &er[q], o) && groupable(t, d, &er[q + run], o))
            run++;
        /* groups of even size, as few as fit gmax (two, for two threads
         * and one domain) */
        size_t ng = (run + gmax - 1) / gmax;
        if (two && dm->n < 2 && ng < 2 && run > 1)
            ng = 2;
        const size_t pieces = two && dm->n >= 2 ? (dm->n < DOMAIN_PIECES ? dm->n : DOMAIN_PIECES)
                                                : 1;
        for (size_t k = 0, q0 = q; k < ng; k++) {
            const size_t q1 = q + run * (k + 1) / ng;
            size_t d0 = 0;
            for (size_t p = 0; p < pieces; p++) {
                /* the first domain where piece p's share of the rows is reached */
                size_t d1 = d0 + 1;
                const size_t want = nrows / pieces * (p + 1);
                while (d1 < dm->n && (p + 1 == pieces || dm->start[d1] < want))
                    d1++;
                if (p + 1 < pieces && dm->n - d1 < pieces - p - 1)
                    d1 = dm->n - (pieces - p - 1);
                const double rows = (double)(dm->start[d1] - dm->start[d0]);
                it[nit++] = (item){q0, q1, d0, d1, rows * request_cost(t, er, q0, q1)};
                d0 = d1;
            }
            q0 = q1;
        }
        q += run;
    }
    return nit;
}

static void run_item(const ss_table *t, const ss_design *d, const domains *dm,
                     const ss_estimate_request *er, const ss_estimate_options *o, worker *wr,
                     item *it)
{
    if (groupable(t, d, &er[it->q0], o))
        run_means(t, d, dm, er + it->q0, it->q1 - it->q0, o, wr, it->d0, it->d1, it->res,
                  it->rc, it->err);
    else
        it->rc[0] = run_request(t, d, dm, &er[it->q0], o, wr, it->res, it->err, it->d0, it->d1);
}

typedef struct par {
    const ss_table *t;
    const ss_design *d;
    const domains *dm;
    const ss_estimate_request *er;
    size_t n;
    const ss_estimate_options *o;
    item *it;
    size_t *order;    /* the items, longest first */
    size_t nit;
    atomic_size_t next;
} par;

/* Take items in turn until none is left; each item's rows go to its own
 * results, so the merged table does not depend on who took what. */
static void *par_run(void *arg)
{
    par *pp = arg;
    worker wr;
    ss_error err0 = {0};
    int rc0 = worker_init(&wr, pp->t, pp->d, pp->er, pp->n, pp->o, &err0);
    for (;;) {
        size_t k = atomic_fetch_add(&pp->next, 1);
        if (k >= pp->nit)
            break;
        item *it = &pp->it[pp->order[k]];
        if (rc0 != SS_OK) {
            for (size_t q = 0; q < it->q1 - it->q0; q++) {
                it->rc[q] = rc0;
                it->err[q] = err0;
            }
            continue;
        }
        run_item(pp->t, pp->d, pp->dm, pp->er, pp->o, &wr, it);
    }
    worker_free(&wr);
    return NULL;
}

/* The requests as work items (plan_items), on two threads when parallel_ok
 * and there is enough work; the rows and the first error (in request
 * order, then domain order) as one thread would give them. */
static int run_items(const ss_table *t, const ss_design *d, const domains *dm,
                     const ss_estimate_request *er, size_t n, const ss_estimate_options *o,
                     ss_result *out, ss_error *err)
{
    int two = parallel_ok(t, d, er, n, o);
    const size_t cap = (n ? n : 1) * DOMAIN_PIECES;
    item *it = calloc(cap, sizeof *it);
    ss_result *res = calloc(cap, sizeof *res);
    ss_error *errs = calloc(cap, sizeof *errs);
    int *rcs = calloc(cap, sizeof *rcs);
    size_t *order = malloc(cap * sizeof *order), nit = 0;
    int rc = SS_OK;
    if (!it || !res || !errs || !rcs || !order) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        goto done;
    }
    size_t gmax = stream_cols(d);
    nit = plan_items(t, d, dm, er, n, o, two, gmax, it);
    double cost = 0;
    for (size_t k = 0, off = 0; k < nit; k++) {
        const size_t len = it[k].q1 - it[k].q0;
        it[k].res = res + off;
        it[k].err = errs + off;
        it[k].rc = rcs + off;
        for (size_t q = 0; q < len; q++)
            ss_result_init(&it[k].res[q]);
        off += len;
        cost += it[k].cost;
    }
    two = two && nit > 1 && cost >= par_min_work();
    if (two) {
        /* Longest first, so that neither thread is left with a long one at
         * the end (insertion sort: a handful of items). */
        for (size_t q = 0; q < nit; q++) {
            size_t k = q;
            for (; k > 0 && it[order[k - 1]].cost < it[q].cost; k--)
                order[k] = order[k - 1];
            order[k] = q;
        }
        par pp = {t, d, dm, er, n, o, it, order, nit, 0};
        atomic_init(&pp.next, 0);
        pthread_t tid;
        int started = pthread_create(&tid, NULL, par_run, &pp) == 0;
        par_run(&pp);
        if (started)
            pthread_join(tid, NULL);
    } else {
        worker wr;
        rc = worker_init(&wr, t, d, er, n, o, err);
        for (size_t k = 0; k < nit && rc == SS_OK; k++) {
            run_item(t, d, dm, er, o, &wr, &it[k]);
            for (size_t q = 0; q < it[k].q1 - it[k].q0; q++)
                if (it[k].rc[q] != SS_OK)
                    nit = k + 1; /* nothing after it is reported */
        }
        worker_free(&wr);
    }
    /* Merge: the items of the same requests are consecutive, in domain
     * order. */
    for (size_t k = 0; k < nit && rc == SS_OK;) {
        size_t k1 = k;
        while (k1 < nit && it[k1].q0 == it[k].q0)
            k1++;
        for (size_t q = 0; q < it[k].q1 - it[k].q0 && rc == SS_OK; q++)
            for (size_t x = k; x < k1 && rc == SS_OK; x++) {
                if (it[x].rc[q] != SS_OK) {
                    *err = it[x].err[q];
                    rc = it[x].rc[q];
                } else if (ss_result_move(out, &it[x].res[q]) != 0) {
                    rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
                }
            }
        k = k1;
    }
done:
    for (size_t k = 0; k < cap && res; k++)
        ss_result_free(&res[k]);
    free(it);
    free(res);
    free(errs);
    free(rcs);
    free(order);
    return rc;
}

/* --compare writes a row for every pair of domains of every estimate (and
 * level): its output grows with the square of the domains, so it is
 * refused beyond SS_COMPARE_MAX_PAIRS rows (about 0.7 GB of results; 5,000
 * domains would make 12.5 million rows per estimate) rather than exhaust
 * the memory.  Everything else --compare keeps is linear in the rows. */
static int compare_limit(const ss_table *t, const domains *dm, const ss_estimate_request *er,
                         size_t n, ss_error *err)
{
    const double nd = (double)dm->n, per = nd * (nd - 1) / 2;
    double pairs = 0, nest = 0;
    for (size_t q = 0; q < n; q++) {
        if (er[q].stat == SS_STAT_QUANTILE)
            continue;
        double nlev = 1;
        const ss_column *cq = ss_table_find(t, er[q].var);
        if (er[q].stat == SS_STAT_PROP || total_of_levels(&er[q], cq)) {
            const ss_column *c = cq;
            nlev = 0;
            for (size_t l = 0; l < c->levels.n; l++)
                nlev += c->level_count[l] > 0;
        }
        pairs += nlev * per;
        nest += nlev;
    }
    if (pairs <= SS_COMPARE_MAX_PAIRS)
        return SS_OK;
    return ss_error_set(err, SS_EDATA, t->file, 0,
                        "--compare: %.0f domains make %.0f pairs for each of %.0f estimates "
                        "and levels, %.0f rows in all, more than %d (the output grows with "
                        "the square of the domains): compare fewer domains (a coarser --by "
                        "or a subset of the rows)",
                        nd, per, nest, pairs, SS_COMPARE_MAX_PAIRS);
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
    if (o->compare && o->nby > 0) {
        out->tests = 1;
        rc = compare_limit(t, &dm, er, n, err);
        if (rc != SS_OK) {
            domains_free(&dm);
            return rc;
        }
    }
    rc = run_items(t, d, &dm, er, n, o, out, err);
    domains_free(&dm);
    return rc;
}
