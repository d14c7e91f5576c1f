/* Design-based quantiles and the Woodruff interval (R's svyquantile,
 * survey 4.1.1).  See ss_quantile.h for the rules and the interval.
 *
 * Every rule is written after its R source so that the floating-point
 * steps agree: R's sum() and cumsum() accumulate in long double and round
 * each result to double, mean() adds a second long double pass, rowsum()
 * accumulates in double, and order() is stable (ties keep row order). */
#include "ss_quantile.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ss_dist.h"
#include "ss_replicate.h"

int ss_qrule_parse(const char *name, ss_qrule *out)
{
    static const struct {
        const char *name;
        ss_qrule rule;
    } t[] = {
        {"math", SS_QRULE_MATH}, {"school", SS_QRULE_SCHOOL},
        {"shahvaish", SS_QRULE_SHAHVAISH},
        {"hf1", SS_QRULE_HF1},   {"hf2", SS_QRULE_HF2}, {"hf3", SS_QRULE_HF3},
        {"hf4", SS_QRULE_HF4},   {"hf5", SS_QRULE_HF5}, {"hf6", SS_QRULE_HF6},
        {"hf7", SS_QRULE_HF7},   {"hf8", SS_QRULE_HF8}, {"hf9", SS_QRULE_HF9},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcmp(name, t[i].name) == 0) {
            *out = t[i].rule;
            return 0;
        }
    return -1;
}

/* One row with nonzero weight, in the order of R's order(y). */
typedef struct qpoint {
    double y;
    double w;   /* R's weight, 1/(1/w) */
    double c;   /* cumsum(w) through this point */
    double pk;  /* plotting position (shahvaish, hf5 .. hf9) */
    size_t k;   /* index into the caller's rows: the tie-break */
} qpoint;

/* The sorted sample: n points, total = sum(w) in row order (R's sum(w) in
 * qs(), which receives the weights unsorted). */
typedef struct qsample {
    qpoint *pt;
    size_t n;
    double total;
} qsample;

static int cmp_point(const void *a, const void *b)
{
    const qpoint *x = a, *y = b;
    if (x->y < y->y)
        return -1;
    if (x->y > y->y)
        return 1;
    return (x->k > y->k) - (x->k < y->k);
}

/* R's qs(): pos = last(cumw <= p * sum(w)) (1 when none), the values at
 * pos and pos + 1 and the distances of their cumulative shares from p. */
typedef struct qs_out {
    double qlow, qup, wlow, wup;
} qs_out;

static qs_out qs(const qsample *s, double p)
{
    const qpoint *pt = s->pt;
    size_t n = s->n, pos = 0;
    double thr = p * s->total;
    for (size_t i = n; i-- > 0;)
        if (pt[i].c <= thr) {
            pos = i;
            break;
        }
    size_t next = pos + 1 < n ? pos + 1 : pos;
    return (qs_out){pt[pos].y, pt[next].y, p - pt[pos].c / s->total,
                    pt[next].c / s->total - p};
}

/* R's qrule_hf3: qs() on the distinct values, their weights summed by
 * rowsum() (in double, in row order) and sum()/cumsum() over those; the
 * lower value on a tie only when its position is even. */
static double hf3(const qsample *s, double p)
{
    const qpoint *pt = s->pt;
    size_t n = s->n;
    long double tot = 0;
    for (size_t i = 0, j; i < n; i = j) {
        double gw = 0;
        for (j = i; j < n && pt[j].y == pt[i].y; j++)
            gw += pt[j].w;
        tot += gw;
    }
    double total = (double)tot, thr = p * total;
    /* pos = the last group with cumw <= thr, else the first (R's last()) */
    long double run = 0;
    size_t pos = 0, pos_first = 0, g = 0;
    double cpos = 0;
    for (size_t i = 0, j; i < n; i = j, g++) {
        double gw = 0;
        for (j = i; j < n && pt[j].y == pt[i].y; j++)
            gw += pt[j].w;
        run += gw;
        double c = (double)run;
        if (g == 0 || c <= thr) {
            pos = g;
            pos_first = i;
            cpos = c;
        }
    }
    size_t next = pos_first;
    while (next < n && pt[next].y == pt[pos_first].y)
        next++;
    if (next == n)
        next = pos_first;
    if (p - cpos / total == 0 && (pos + 1) % 2 == 0)
        return pt[pos_first].y;
    return pt[next].y;
}

/* R's approx(pk, y, v, rule = 2) with method "linear" or "constant"
 * (f = 0), the bisection and the tests of R's approx1(). */
static double approx(const qsample *s, double v, int linear)
{
    const qpoint *pt = s->pt;
    size_t n = s->n, i = 0, j = n - 1;
    if (n == 1) /* R stops here for the linear rules ("need at least two") */
        return pt[0].y;
    if (v < pt[i].pk)
        return pt[i].y;
    if (v > pt[j].pk)
        return pt[j].y;
    while (i < j - 1) {
        size_t ij = (i + j) / 2;
        if (v < pt[ij].pk)
            j = ij;
        else
            i = ij;
    }
    if (v == pt[j].pk)
        return pt[j].y;
    if (v == pt[i].pk)
        return pt[i].y;
    if (linear)
        return pt[i].y + (pt[j].y - pt[i].y) * ((v - pt[i].pk) / (pt[j].pk - pt[i].pk));
    return pt[i].y;
}

/* The plotting positions pk of the interpolating rules (R's expressions,
 * operation for operation; "a * 1/3" in R is (a * 1) / 3). */
static void plotting_positions(qsample *s, ss_qrule rule)
{
    qpoint *pt = s->pt;
    size_t n = s->n;
    double cn = pt[n - 1].c, wn = pt[n - 1].w;
    switch (rule) {
    case SS_QRULE_SHAHVAISH: {
        long double mu = 0, t = 0;
        for (size_t i = 0; i < n; i++)
            mu += pt[i].w;
        mu /= (long double)n;
        for (size_t i = 0; i < n; i++)
            t += pt[i].w - mu;
        mu += t / (long double)n;
        double mean = (double)mu;
        long double S = 0;
        for (size_t i = 0; i < n; i++) {
            S += pt[i].w / mean;
            pt[i].pk = ((double)S + 0.5 - pt[i].w / 2) / (double)(n + 1);
        }
        break;
    }
    case SS_QRULE_HF5:
        for (size_t i = 0; i < n; i++)
            pt[i].pk = (pt[i].c - pt[i].w / 2) / cn;
        break;
    case SS_QRULE_HF6:
        for (size_t i = 0; i < n; i++)
            pt[i].pk = pt[i].c / (cn + wn);
        break;
    case SS_QRULE_HF7:
        if (n >= 2)
            for (size_t i = 0; i < n; i++)
                pt[i].pk = (i ? pt[i - 1].c : 0) / pt[n - 2].c;
        break;
    case SS_QRULE_HF8:
        for (size_t i = 0; i < n; i++)
            pt[i].pk = ((i ? pt[i - 1].c : 0) * 1 / 3 + pt[i].c * 2 / 3) / (cn + wn / 3);
        break;
    case SS_QRULE_HF9:
        for (size_t i = 0; i < n; i++)
            pt[i].pk = ((i ? pt[i - 1].c : 0) * 3 / 8 + pt[i].c * 5 / 8) / (cn + wn / 4);
        break;
    default:
        break;
    }
}

static int cmp_pk(const void *a, const void *b)
{
    const qpoint *x = a, *y = b;
    if (x->pk < y->pk)
        return -1;
    if (x->pk > y->pk)
        return 1;
    return (x->k > y->k) - (x->k < y->k);
}

/* R's regularize.values() inside approx(): points out of order in pk are
 * sorted by pk (stably; shahvaish's positions need it when the weights
 * vary, since R subtracts w/2 rather than wbar/2), and equal pk collapse
 * into one point at the mean of their y (R's mean(): long double, with a
 * second pass).  Afterwards s->n counts the points left and only pk and y
 * are meaningful. */
static void regularize(qsample *s)
{
    qpoint *pt = s->pt;
    size_t n = s->n;
    int sorted = 1;
    for (size_t i = 1; i < n && sorted; i++)
        sorted = !(pt[i].pk < pt[i - 1].pk);
    if (!sorted) {
        for (size_t i = 0; i < n; i++)
            pt[i].k = i;
        qsort(pt, n, sizeof *pt, cmp_pk);
    }
    size_t out = 0;
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && pt[j].pk == pt[i].pk; j++)
            ;
        double y = pt[i].y;
        if (j - i > 1) {
            long double mu = 0, t = 0, len = (long double)(j - i);
            for (size_t k = i; k < j; k++)
                mu += pt[k].y;
            mu /= len;
            for (size_t k = i; k < j; k++)
                t += pt[k].y - mu;
            y = (double)(mu + t / len);
        }
        pt[out] = pt[i];
        pt[out++].y = y;
    }
    s->n = out;
}

/* The first point whose cumulative share c / total reaches p (the last
 * when none does). */
static size_t first_reaching(const qsample *s, double p)
{
    size_t i = 0, j = s->n - 1;
    while (i < j) {
        size_t k = i + (j - i) / 2;
        if (s->pt[k].c / s->total >= p)
            j = k;
        else
            i = k + 1;
    }
    return i;
}

/* The quantile p of the sorted sample by rule (R's qrule_*).
 *
 * math (hf1) is the inverse of the weighted distribution function, the
 * smallest y with F(y) >= p; school (hf2) the same but the mean of y and
 * the next value where F(y) = p exactly.  R's qrule_math takes
 * qs()'s pos = the last point with cumw <= p sum(w), "1 when none", and
 * then the value after it unless F(x[pos]) = p: below the first point's
 * share it returns the SECOND value (on 10, 20, 30, 40: q(0.2) = 20 but
 * q(0.25) = 10), and where p sum(w) and cumw / sum(w) round differently
 * the step lands one value late.  survstat evaluates the definition
 * itself, with one comparison (c / total >= p), monotone in p. */
static double rule_eval(const qsample *s, ss_qrule rule, double p)
{
    qs_out q;
    switch (rule) {
    case SS_QRULE_MATH:
    case SS_QRULE_HF1:
        return s->pt[first_reaching(s, p)].y;
    case SS_QRULE_SCHOOL:
    case SS_QRULE_HF2: {
        size_t i = first_reaching(s, p);
        if (s->pt[i].c / s->total == p && i + 1 < s->n)
            return (s->pt[i].y + s->pt[i + 1].y) / 2;
        return s->pt[i].y;
    }
    case SS_QRULE_HF3:
        return hf3(s, p);
    case SS_QRULE_HF4: {
        q = qs(s, p);
        double gamma = q.wlow / (q.wup + q.wlow);
        return q.qlow * (1 - gamma) + q.qup * gamma;
    }
    case SS_QRULE_SHAHVAISH:
        return approx(s, p, 0);
    case SS_QRULE_HF5:
    case SS_QRULE_HF6:
    case SS_QRULE_HF7:
    case SS_QRULE_HF8:
    case SS_QRULE_HF9:
        return approx(s, p, 1);
    }
    return NAN;
}

/* A replicate design: the variance of svymean(y <= q) from the replicate
 * estimates (R's woodruffCI on a svyrep.design); z is scratch. */
static int rep_cdf_variance(const ss_design *d, const size_t *rows, const double *y, double q,
                            size_t m, double phat, double *z, double *V, ss_error *err)
{
    ss_rep_work *rw = ss_rep_work_alloc(d->rep);
    double *theta = malloc((d->rep->nrep ? d->rep->nrep : 1) * sizeof *theta);
    int rc = SS_OK;
    if (!rw || !theta) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    } else {
        for (size_t k = 0; k < m; k++)
            z[k] = y[k] <= q;
        ss_rep_thetas(d->rep, rw, d->w, rows, z, NULL, 1, m, theta);
        rc = ss_rep_variance(d->rep, theta, phat, V, err);
    }
    ss_rep_work_free(rw);
    free(theta);
    return rc;
}

int ss_quantile_estimate(const ss_design *d, ss_design_work *dw, const size_t *rows,
                         const double *y, size_t m, double p, ss_qrule rule,
                         double level, double df, double *z, ss_quantile_out *out,
                         ss_error *err)
{
    out->estimate = out->se = out->ci_low = out->ci_high = NAN;
    if (m == 0)
        return SS_OK;
    qsample s = {malloc(m * sizeof *s.pt), 0, 0};
    if (!s.pt)
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    long double tot = 0;
    for (size_t k = 0; k < m; k++) {
        double w = d->w[rows[k]];
        if (w == 0) /* R's qrules drop zero weights */
            continue;
        w = 1 / (1 / w);
        s.pt[s.n++] = (qpoint){y[k], w, 0, 0, k};
        tot += w;
    }
    s.total = (double)tot;
    if (s.n == 0 || s.total == 0) {
        free(s.pt);
        return SS_OK;
    }
    qsort(s.pt, s.n, sizeof *s.pt, cmp_point);
    long double run = 0;
    for (size_t i = 0; i < s.n; i++) {
        run += s.pt[i].w;
        s.pt[i].c = (double)run;
    }
    if (rule == SS_QRULE_SHAHVAISH || (rule >= SS_QRULE_HF5 && rule <= SS_QRULE_HF9)) {
        plotting_positions(&s, rule);
        regularize(&s);
    }
    double q = rule_eval(&s, rule, p);
    if (isnan(q)) { /* hf4 at p = 1 (0/0): R's interval is NaN too */
        free(s.pt);
        return SS_OK;
    }

    /* Woodruff: svymean(y <= q) over the domain, R's operations. */
    long double acc = 0;
    for (size_t k = 0; k < m; k++) {
        double w = d->w[rows[k]];
        w = w == 0 ? 0 : 1 / (1 / w);
        acc += (y[k] <= q ? w : 0) / s.total;
    }
    double phat = (double)acc;
    for (size_t k = 0; k < m; k++) {
        double w = d->w[rows[k]];
        w = w == 0 ? 0 : 1 / (1 / w);
        z[k] = ((y[k] <= q) - phat) * w / s.total;
    }
    double V;
    int rc = d->rep ? rep_cdf_variance(d, rows, y, q, m, phat, z, &V, err)
                    : ss_design_vcov(d, dw, rows, z, m, 1, &V, err);
    if (rc != SS_OK) {
        free(s.pt);
        return rc;
    }
    double t = ss_quantile_t(level, df), sp = sqrt(V);
    double plo = phat - sp * t, phi = phat + sp * t;
    out->estimate = q;
    out->ci_low = isnan(plo) || plo < 0 ? NAN : rule_eval(&s, rule, plo);
    out->ci_high = isnan(phi) || phi > 1 ? NAN : rule_eval(&s, rule, phi);
    out->se = (out->ci_high - out->ci_low) / (2 * t);
    free(s.pt);
    return SS_OK;
}
