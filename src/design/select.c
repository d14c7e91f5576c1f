#include "ss_select.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int ss_select_allocate(const double *a, const size_t *cap, size_t H, size_t n, size_t minper,
                       size_t *nh, ss_error *err)
{
    size_t total = 0, need = 0;
    for (size_t h = 0; h < H; h++) {
        total += cap[h];
        need += cap[h] < minper ? cap[h] : minper;
    }
    if (n > total)
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "--n %zu is larger than the frame (%zu units)", n, total);
    if (n < need)
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "--n %zu cannot give every one of the %zu strata its minimum of %zu "
                            "units (--min-per-stratum): at least %zu are needed",
                            n, H, minper, need);
    /* fixed[h]: 0 free, else fixed at nh[h] */
    uint8_t *fixed = calloc(H ? H : 1, 1);
    double *x = malloc((H ? H : 1) * sizeof *x);
    if (!fixed || !x) {
        free(fixed);
        free(x);
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    }
    for (;;) {
        size_t left = n, nfree = 0;
        double asum = 0;
        for (size_t h = 0; h < H; h++) {
            if (fixed[h])
                left -= nh[h];
            else {
                asum += a[h];
                nfree++;
            }
        }
        for (size_t h = 0; h < H; h++)
            if (!fixed[h])
                x[h] = asum > 0 ? (double)left * a[h] / asum : (double)left / (double)nfree;
        int changed = 0;
        for (size_t h = 0; h < H; h++)
            if (!fixed[h] && x[h] > (double)cap[h]) {
                fixed[h] = 1;
                nh[h] = cap[h];
                changed = 1;
            }
        if (changed)
            continue;
        for (size_t h = 0; h < H; h++) {
            size_t lo = cap[h] < minper ? cap[h] : minper;
            if (!fixed[h] && x[h] < (double)lo) {
                fixed[h] = 1;
                nh[h] = lo;
                changed = 1;
            }
        }
        if (!changed)
            break;
    }
    /* largest remainder among the free strata */
    size_t given = 0;
    for (size_t h = 0; h < H; h++) {
        if (!fixed[h]) {
            nh[h] = (size_t)floor(x[h]);
            if (nh[h] > cap[h])
                nh[h] = cap[h];
        }
        given += nh[h];
    }
    while (given < n) {
        size_t best = H;
        double bf = -1;
        for (size_t h = 0; h < H; h++) {
            if (fixed[h] || nh[h] >= cap[h])
                continue;
            double f = x[h] - (double)nh[h];
            if (f > bf) {
                bf = f;
                best = h;
            }
        }
        if (best == H)
            break; /* cannot happen: n <= total */
        nh[best]++;
        x[best] = (double)nh[best]; /* one extra unit at most */
        given++;
    }
    free(fixed);
    free(x);
    return SS_OK;
}

size_t ss_select_pps_probs(const double *x, size_t N, size_t n, double *pi)
{
    size_t certain = 0;
    for (size_t i = 0; i < N; i++)
        pi[i] = 0;
    for (;;) {
        double X = 0;
        for (size_t i = 0; i < N; i++)
            if (pi[i] != 1)
                X += x[i];
        size_t m = n - certain;
        int changed = 0;
        for (size_t i = 0; i < N; i++) {
            if (pi[i] == 1)
                continue;
            pi[i] = m > 0 && X > 0 ? (double)m * x[i] / X : 0;
            if (pi[i] >= 1) {
                pi[i] = 1;
                certain++;
                changed = 1;
            }
        }
        if (!changed)
            return certain;
    }
}

int ss_select_srs(gsl_rng *r, size_t N, size_t n, size_t *out)
{
    size_t k = 0;
    for (size_t i = 0; i < N && k < n; i++)
        if ((double)(N - i) * gsl_rng_uniform(r) < (double)(n - k))
            out[k++] = i;
    return k == n ? 0 : -1;
}

void ss_select_systematic(gsl_rng *r, const double *pi, size_t N, size_t n, size_t *out)
{
    long double sum = 0;
    for (size_t i = 0; i < N; i++)
        sum += pi[i];
    const long double scale = sum > 0 ? (long double)n / sum : 0;
    const long double u = gsl_rng_uniform(r);
    long double c = 0;
    size_t k = 0;
    for (size_t i = 0; i < N && k < n; i++) {
        c += pi[i] * scale;
        /* the point u + k lies in (c - pi_i, c] */
        if (u + (long double)k < c || i == N - 1) /* (the last: rounding) */
            out[k++] = i;
    }
}

void ss_select_brewer(gsl_rng *r, const double *pi, size_t N, size_t n, double *work,
                      size_t *out)
{
    double A = 0;
    size_t k = 0;
    double *q = work;
    for (size_t i = 0; i < N; i++)
        q[i] = 0;
    /* q[i] < 0 marks a drawn unit */
    for (size_t j = 1; j <= n; j++) {
        double tot = 0;
        for (size_t i = 0; i < N; i++) {
            if (q[i] < 0)
                continue;
            double den = (double)n - A - pi[i] * (double)(n - j + 1);
            double v = den > 0 ? pi[i] * ((double)n - A - pi[i]) / den : 0;
            q[i] = v > 0 ? v : 0;
            tot += q[i];
        }
        double target = gsl_rng_uniform(r) * tot, c = 0;
        size_t pick = N;
        for (size_t i = 0; i < N; i++) {
            if (q[i] <= 0)
                continue;
            c += q[i];
            pick = i;
            if (target < c)
                break;
        }
        if (pick == N)
            break;
        q[pick] = -1;
        A += pi[pick];
        k++;
    }
    size_t m = 0;
    for (size_t i = 0; i < N && m < k; i++)
        if (q[i] < 0)
            out[m++] = i;
}

/* ---- allocation over a frame's strata ---- */

int ss_alloc_parse(const char *arg, ss_alloc_spec *a, ss_error *err)
{
    memset(a, 0, sizeof *a);
    if (strcmp(arg, "proportional") == 0) {
        a->kind = SS_ALLOC_PROPORTIONAL;
    } else if (strcmp(arg, "equal") == 0) {
        a->kind = SS_ALLOC_EQUAL;
    } else if (strncmp(arg, "neyman:", 7) == 0 && arg[7]) {
        a->kind = SS_ALLOC_NEYMAN;
        a->var = arg + 7;
    } else if (strncmp(arg, "power:", 6) == 0) {
        char *end;
        a->kind = SS_ALLOC_POWER;
        a->q = strtod(arg + 6, &end);
        if (end == arg + 6 || *end || !(a->q >= 0 && a->q <= 1))
            return ss_error_set(err, SS_EUSAGE, NULL, 0,
                                "--alloc power:Q: Q must be a number from 0 to 1, got '%s'",
                                arg + 6);
    } else if (strchr(arg, '.') || strchr(arg, '/')) {
        a->kind = SS_ALLOC_FILE;
        a->file = arg;
    } else {
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "--alloc: unknown allocation '%s' (proportional, equal, neyman:VAR, "
                            "power:Q or a FILE.csv with stratum,n)",
                            arg);
    }
    return SS_OK;
}

void ss_frame_strata_free(ss_frame_strata *fs)
{
    if (!fs)
        return;
    for (size_t h = 0; h < fs->H && fs->label; h++)
        free(fs->label[h]);
    free(fs->label);
    free(fs->stratum);
    free(fs->N);
    free(fs->size);
    memset(fs, 0, sizeof *fs);
}

int ss_frame_strata_build(ss_frame_strata *fs, const ss_table *t, const char *strata,
                          const double *size, ss_error *err)
{
    memset(fs, 0, sizeof *fs);
    const ss_column *sc = strata ? ss_table_find(t, strata) : NULL;
    size_t nl = sc && sc->levels.n ? sc->levels.n : 1;
    int32_t *of = malloc(nl * sizeof *of);
    fs->stratum = malloc((t->nrow ? t->nrow : 1) * sizeof *fs->stratum);
    fs->N = calloc(nl, sizeof *fs->N);
    fs->size = calloc(nl, sizeof *fs->size);
    fs->label = calloc(nl, sizeof *fs->label);
    if (!of || !fs->stratum || !fs->N || !fs->size || !fs->label) {
        free(of);
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    }
    for (size_t l = 0; l < nl; l++)
        of[l] = -1;
    for (size_t i = 0; i < t->nrow; i++) {
        int32_t c = 0;
        if (sc) {
            c = sc->code[i];
            if (c < 0) {
                free(of);
                return ss_error_set(err, SS_EDATA, t->file, ss_table_line(t, i),
                                    "column '%s': missing stratum", sc->name);
            }
        }
        if (of[c] < 0) {
            of[c] = (int32_t)fs->H;
            fs->label[fs->H] = strdup(sc ? sc->levels.str[c] : "");
            if (!fs->label[fs->H]) {
                free(of);
                return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
            }
            fs->H++;
        }
        uint32_t h = (uint32_t)of[c];
        fs->stratum[i] = h;
        fs->N[h]++;
        fs->size[h] += size ? size[i] : 1;
    }
    free(of);
    return SS_OK;
}

/* n_h from a file: column stratum and n_psu (survstat plan --n2) or n; a
 * row with an empty stratum (plan's total) is skipped. */
static int alloc_from_file(const ss_frame_strata *fs, const char *path, size_t *nh,
                           ss_error *err)
{
    ss_table at = {0};
    ss_read_options o = {0};
    o.delimiter = ',';
    o.all_columns = 1;
    ss_request req[] = {{"stratum", SS_NEED_CATEGORY}};
    int rc = ss_table_read(&at, path, &o, req, 1, err);
    const ss_column *cs = rc == SS_OK ? ss_table_find(&at, "stratum") : NULL;
    const ss_column *cn = NULL;
    if (rc == SS_OK && !(cn = ss_table_find(&at, "n_psu")) && !(cn = ss_table_find(&at, "n")))
        rc = ss_error_set(err, SS_EDATA, path, 1, "no column 'n' (or 'n_psu')");
    uint8_t *seen = calloc(fs->H ? fs->H : 1, 1);
    if (rc == SS_OK && !seen)
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    for (size_t i = 0; i < at.nrow && rc == SS_OK; i++) {
        long line = ss_table_line(&at, i);
        if (cs->code[i] < 0)
            continue;
        const char *lab = cs->levels.str[cs->code[i]];
        double v = cn->code[i] >= 0 ? cn->level_num[cn->code[i]] : NAN;
        size_t h = 0;
        while (h < fs->H && strcmp(fs->label[h], lab) != 0)
            h++;
        if (h == fs->H) {
            rc = ss_error_set(err, SS_EDATA, path, line,
                              "column 'stratum': '%s' is not a stratum of the frame", lab);
        } else if (!(v >= 0) || v != floor(v)) {
            rc = ss_error_set(err, SS_EDATA, path, line,
                              "column '%s': '%s' is not a whole number >= 0", cn->name,
                              cn->code[i] >= 0 ? cn->levels.str[cn->code[i]] : "");
        } else if (v > (double)fs->N[h]) {
            rc = ss_error_set(err, SS_EDATA, path, line,
                              "column '%s': stratum '%s' has %zu units, fewer than %.15g",
                              cn->name, lab, fs->N[h], v);
        } else {
            nh[h] = (size_t)v;
            seen[h] = 1;
        }
    }
    for (size_t h = 0; h < fs->H && rc == SS_OK; h++)
        if (!seen[h])
            rc = ss_error_set(err, SS_EDATA, path, 0, "no row for stratum '%s'", fs->label[h]);
    free(seen);
    ss_table_free(&at);
    return rc;
}

int ss_frame_allocate(const ss_frame_strata *fs, const ss_table *t, const ss_alloc_spec *a,
                      const size_t *cap, size_t *n, size_t minper, size_t *nh, ss_error *err)
{
    if (a->kind == SS_ALLOC_FILE) {
        int rc = alloc_from_file(fs, a->file, nh, err);
        if (rc != SS_OK)
            return rc;
        size_t sum = 0;
        for (size_t h = 0; h < fs->H; h++)
            sum += nh[h];
        if (*n && *n != sum)
            return ss_error_set(err, SS_EUSAGE, NULL, 0,
                                "--n %zu differs from the %zu units of --alloc %s", *n, sum,
                                a->file);
        *n = sum;
        return SS_OK;
    }
    double *m = calloc(fs->H ? fs->H : 1, sizeof *m);
    if (!m)
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    if (a->kind == SS_ALLOC_NEYMAN) {
        /* S_h: the SD (n - 1) of the variable over the stratum's frame rows */
        const ss_column *c = ss_table_find(t, a->var);
        double *s1 = calloc(fs->H, sizeof *s1), *s2 = calloc(fs->H, sizeof *s2);
        size_t *k = calloc(fs->H, sizeof *k);
        if (!s1 || !s2 || !k) {
            free(s1);
            free(s2);
            free(k);
            free(m);
            return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        }
        for (size_t i = 0; i < t->nrow; i++) {
            double v = c->num[i];
            if (isnan(v))
                continue;
            s1[fs->stratum[i]] += v;
            k[fs->stratum[i]]++;
        }
        for (size_t h = 0; h < fs->H; h++)
            s1[h] = k[h] ? s1[h] / (double)k[h] : 0;
        for (size_t i = 0; i < t->nrow; i++) {
            double v = c->num[i];
            if (!isnan(v))
                s2[fs->stratum[i]] += (v - s1[fs->stratum[i]]) * (v - s1[fs->stratum[i]]);
        }
        for (size_t h = 0; h < fs->H; h++)
            m[h] = (double)fs->N[h] * (k[h] > 1 ? sqrt(s2[h] / (double)(k[h] - 1)) : 0);
        free(s1);
        free(s2);
        free(k);
    } else {
        for (size_t h = 0; h < fs->H; h++)
            m[h] = a->kind == SS_ALLOC_EQUAL ? 1
                   : a->kind == SS_ALLOC_POWER ? pow(fs->size[h], a->q)
                                               : fs->size[h];
    }
    int rc = ss_select_allocate(m, cap ? cap : fs->N, fs->H, *n, minper, nh, err);
    free(m);
    return rc;
}
