/* Weighting adjustments: nonresponse classes, post-stratification,
 * calibration (R's calibrate and grake), capped raking and trimming.  See
 * ss_weight.h. */
#include "ss_weight.h"

#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ss_dict.h"

void ss_weight_spec_init(ss_weight_spec *s)
{
    memset(s, 0, sizeof *s);
    s->calfun = SS_CALFUN_LINEAR;
    s->lower = -INFINITY;
    s->upper = INFINITY;
    s->max_iter = 50;
    s->epsilon = 1e-7;
}

int ss_weight_any(const ss_weight_spec *s)
{
    return s->poststrat || s->rake || s->calibrate || s->trim || s->nnonresponse;
}

void ss_weight_plan_free(ss_weight_plan *p)
{
    for (size_t i = 0; i < p->ncellvar; i++)
        free(p->cellvar[i]);
    free(p->cellvar);
    for (size_t i = 0; i < p->ncell; i++) {
        free(p->cell[i].variable);
        free(p->cell[i].level);
    }
    free(p->cell);
    for (size_t i = 0; i < p->nmargin; i++) {
        free(p->margin[i].variable);
        free(p->margin[i].level);
    }
    free(p->margin);
    free(p->cells_file);
    free(p->margins_file);
    memset(p, 0, sizeof *p);
}

void ss_weight_report_free(ss_weight_report *r)
{
    for (size_t i = 0; i < r->nm; i++)
        free(r->m[i].label);
    free(r->m);
    memset(r, 0, sizeof *r);
}

static int report_add(ss_weight_report *r, const char *label, double target, double before,
                      double after)
{
    if (!r)
        return 0;
    if (r->nm == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 16;
        ss_weight_margin *m = realloc(r->m, cap * sizeof *m);
        if (!m)
            return -1;
        r->m = m;
        r->cap = cap;
    }
    char *l = strdup(label);
    if (!l)
        return -1;
    r->m[r->nm++] = (ss_weight_margin){l, target, before, after};
    return 0;
}

/* A population total as large as the largest weight or larger makes the
 * weighting overflow (its sums and ratios reach Inf and NaN): refuse it
 * by name rather than report a margin "off by nan". */
static int total_in_range(double total, const char *path, long line, ss_error *err)
{
    if (fabs(total) <= SS_DESIGN_WEIGHT_MAX)
        return SS_OK;
    return ss_error_set(err, SS_EDATA, path, line,
                        "column 'total': %.15g is too large to weight with (above %g, where "
                        "the sums overflow double precision): rescale the totals",
                        total, SS_DESIGN_WEIGHT_MAX);
}

/* ---- reading the files ---- */

static char *dup_text(const ss_column *c, size_t row)
{
    int32_t k = c->code[row];
    return strdup(k >= 0 ? c->levels.str[k] : "");
}

static int load_margins(ss_weight_plan *p, const char *path, const ss_read_options *ro,
                        ss_error *err)
{
    ss_table mt = {0};
    ss_read_options o = *ro;
    o.keep_text = 0; /* the input's cells are kept, not this file's */
    o.all_columns = 0;
    o.nna = 0;
    o.labels = NULL;
    ss_request req[] = {{"variable", SS_NEED_CATEGORY},
                        {"level", SS_NEED_CATEGORY},
                        {"total", SS_NEED_NUMBER}};
    int rc = ss_table_read(&mt, path, &o, req, 3, err);
    if (rc != SS_OK) {
        ss_table_free(&mt);
        return rc;
    }
    p->margins_file = strdup(path);
    p->margin = calloc(mt.nrow ? mt.nrow : 1, sizeof *p->margin);
    if (!p->margins_file || !p->margin) {
        ss_table_free(&mt);
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    }
    const ss_column *cv = ss_table_find(&mt, "variable"), *cl = ss_table_find(&mt, "level");
    const ss_column *ct = ss_table_find(&mt, "total");
    for (size_t i = 0; i < mt.nrow && rc == SS_OK; i++) {
        long line = ss_table_line(&mt, i);
        ss_target *g = &p->margin[p->nmargin++];
        g->line = line;
        g->total = ct->num[i];
        if (cv->code[i] < 0)
            rc = ss_error_set(err, SS_EDATA, path, line, "empty variable");
        else if (isnan(g->total))
            rc = ss_error_set(err, SS_EDATA, path, line, "missing total");
        else
            rc = total_in_range(g->total, path, line, err);
        if (rc != SS_OK)
            break;
        g->variable = dup_text(cv, i);
        g->level = cl->code[i] >= 0 ? dup_text(cl, i) : NULL;
        if (!g->variable || (cl->code[i] >= 0 && !g->level))
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        else if (g->level && !(g->total > 0))
            rc = ss_error_set(err, SS_EDATA, path, line,
                              "variable '%s' level '%s': the total must be positive, got %.15g",
                              g->variable, g->level, g->total);
    }
    /* A variable is all levels or one numeric total; no repeats. */
    for (size_t i = 0; i < p->nmargin && rc == SS_OK; i++)
        for (size_t j = 0; j < i && rc == SS_OK; j++) {
            const ss_target *a = &p->margin[i], *b = &p->margin[j];
            if (strcmp(a->variable, b->variable) != 0)
                continue;
            if (!a->level || !b->level)
                rc = ss_error_set(err, SS_EDATA, path, a->line,
                                  "variable '%s' has a numeric total and other rows",
                                  a->variable);
            else if (strcmp(a->level, b->level) == 0)
                rc = ss_error_set(err, SS_EDATA, path, a->line,
                                  "variable '%s' level '%s' is given twice", a->variable,
                                  a->level);
        }
    ss_table_free(&mt);
    return rc;
}

static int load_cells(ss_weight_plan *p, const char *path, const ss_read_options *ro,
                      ss_error *err)
{
    ss_table ct = {0};
    ss_read_options o = *ro;
    o.keep_text = 0;
    o.all_columns = 1;
    o.nna = 0;
    o.labels = NULL;
    ss_request req[] = {{"total", SS_NEED_NUMBER | SS_NEED_CATEGORY}};
    int rc = ss_table_read(&ct, path, &o, req, 1, err);
    if (rc != SS_OK) {
        ss_table_free(&ct);
        return rc;
    }
    p->cells_file = strdup(path);
    p->cellvar = calloc(ct.ncol, sizeof *p->cellvar);
    p->cell = calloc(ct.nrow ? ct.nrow : 1, sizeof *p->cell);
    if (!p->cells_file || !p->cellvar || !p->cell) {
        ss_table_free(&ct);
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    }
    size_t vars[SS_MAX_CLASSES];
    for (size_t j = 0; j < ct.ncol && rc == SS_OK; j++) {
        if (strcmp(ct.col[j].name, "total") == 0)
            continue;
        if (p->ncellvar == SS_MAX_CLASSES)
            rc = ss_error_set(err, SS_EDATA, path, 1, "at most %d post-stratum variables",
                              SS_MAX_CLASSES);
        else if (!(p->cellvar[p->ncellvar] = strdup(ct.col[j].name)))
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        else
            vars[p->ncellvar++] = j;
    }
    if (rc == SS_OK && p->ncellvar == 0)
        rc = ss_error_set(err, SS_EDATA, path, 1,
                          "expected the post-stratum variables, then total");
    const ss_column *tot = ss_table_find(&ct, "total");
    for (size_t i = 0; i < ct.nrow && rc == SS_OK; i++) {
        ss_target *g = &p->cell[p->ncell++];
        g->line = ss_table_line(&ct, i);
        g->total = tot->num[i];
        size_t len = 1;
        for (size_t v = 0; v < p->ncellvar; v++) {
            const ss_column *c = &ct.col[vars[v]];
            if (c->code[i] < 0) {
                rc = ss_error_set(err, SS_EDATA, path, g->line, "column '%s': missing value",
                                  c->name);
                break;
            }
            len += c->levels.len[c->code[i]] + 1;
        }
        if (rc == SS_OK && !isnan(g->total))
            rc = total_in_range(g->total, path, g->line, err);
        if (rc != SS_OK)
            break;
        if (!(g->total >= 0)) {
            rc = ss_error_set(err, SS_EDATA, path, g->line,
                              "the total must not be negative or missing");
            break;
        }
        g->level = malloc(len);
        if (!g->level) {
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
            break;
        }
        size_t o2 = 0;
        for (size_t v = 0; v < p->ncellvar; v++) {
            const ss_column *c = &ct.col[vars[v]];
            o2 += (size_t)sprintf(g->level + o2, "%s%s", v ? "\x1f" : "",
                                  c->levels.str[c->code[i]]);
        }
        for (size_t j = 0; j + 1 < p->ncell && rc == SS_OK; j++)
            if (strcmp(p->cell[j].level, g->level) == 0)
                rc = ss_error_set(err, SS_EDATA, path, g->line,
                                  "this post-stratum is given twice (line %ld)",
                                  p->cell[j].line);
    }
    ss_table_free(&ct);
    return rc;
}

/* The code that text names in column c, as a new string, or NULL when text
 * is a code already or no single label's. */
static char *label_to_code(const ss_column *c, const char *text, size_t len)
{
    if (!c || !c->level_label || !(c->need & SS_NEED_CATEGORY))
        return NULL;
    int32_t k = ss_dict_find(&c->levels, text, len);
    if (k >= 0 && c->level_count[k] > 0)
        return NULL;
    k = ss_column_label_code(c, text, len);
    return k >= 0 ? strdup(c->levels.str[k]) : NULL;
}

int ss_weight_plan_relabel(ss_weight_plan *p, const ss_table *t)
{
    for (size_t i = 0; i < p->nmargin; i++) {
        ss_target *g = &p->margin[i];
        if (!g->level)
            continue;
        char *code = label_to_code(ss_table_find(t, g->variable), g->level, strlen(g->level));
        if (code) {
            free(g->level);
            g->level = code;
        }
    }
    for (size_t i = 0; i < p->ncell; i++) {
        ss_target *g = &p->cell[i];
        char out[4096];
        size_t o = 0;
        int changed = 0;
        const char *s = g->level;
        for (size_t v = 0; v < p->ncellvar && s; v++) {
            const char *e = strchr(s, '\x1f');
            size_t len = e ? (size_t)(e - s) : strlen(s);
            char *code = label_to_code(ss_table_find(t, p->cellvar[v]), s, len);
            const char *part = code ? code : s;
            size_t plen = code ? strlen(code) : len;
            if (o + plen + 2 < sizeof out) {
                if (v)
                    out[o++] = '\x1f';
                memcpy(out + o, part, plen);
                o += plen;
            } else {
                changed = -1; /* too long to be a label: left as it is */
            }
            changed += code != NULL && changed >= 0;
            free(code);
            s = e ? e + 1 : NULL;
        }
        if (changed > 0) {
            out[o] = '\0';
            char *n = strdup(out);
            if (!n)
                return -1;
            free(g->level);
            g->level = n;
        }
    }
    return 0;
}

int ss_weight_load(ss_weight_plan *p, const ss_weight_spec *spec, const ss_read_options *ro,
                   ss_error *err)
{
    memset(p, 0, sizeof *p);
    p->spec = spec;
    int rc = SS_OK;
    if (spec->poststrat)
        rc = load_cells(p, spec->poststrat, ro, err);
    if (rc == SS_OK && (spec->rake || spec->calibrate))
        rc = load_margins(p, spec->rake ? spec->rake : spec->calibrate, ro, err);
    return rc;
}

size_t ss_weight_max_requests(const ss_weight_plan *p)
{
    return p->ncellvar + p->nmargin + p->spec->nnonresponse + 1;
}

size_t ss_weight_requests(const ss_weight_plan *p, ss_request *req)
{
    size_t k = 0;
    for (size_t i = 0; i < p->ncellvar; i++)
        req[k++] = (ss_request){p->cellvar[i], SS_NEED_CATEGORY};
    for (size_t i = 0; i < p->nmargin; i++)
        req[k++] = (ss_request){p->margin[i].variable,
                                p->margin[i].level ? SS_NEED_CATEGORY : SS_NEED_NUMBER};
    for (size_t i = 0; i < p->spec->nnonresponse; i++)
        req[k++] = (ss_request){p->spec->nonresponse[i], SS_NEED_CATEGORY};
    if (p->spec->responded)
        req[k++] = (ss_request){p->spec->responded, SS_NEED_CATEGORY};
    return k;
}

/* ---- nonresponse by weighting classes ---- */

static int responded_value(const char *s, int *out)
{
    static const char *const yes[] = {"1", "yes", "y", "true", "t"};
    static const char *const no[] = {"0", "no", "n", "false", "f"};
    for (size_t i = 0; i < 5; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = 1;
            return 0;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = 0;
            return 0;
        }
    }
    return -1;
}

/* The class of every row: a dictionary over the codes of the class
 * variables; a missing class value is an error naming the line. */
static int classes_of(const ss_table *t, const char *const *vars, size_t nvar, int32_t *cls,
                      ss_dict *dict, const char *what, ss_error *err)
{
    const ss_column *cols[SS_MAX_CLASSES];
    for (size_t j = 0; j < nvar; j++)
        cols[j] = ss_table_find(t, vars[j]);
    int32_t key[SS_MAX_CLASSES];
    for (size_t i = 0; i < t->nrow; i++) {
        for (size_t j = 0; j < nvar; j++) {
            key[j] = cols[j]->code[i];
            if (key[j] < 0)
                return ss_error_set(err, SS_EDATA, t->file, ss_table_line(t, i),
                                    "column '%s': missing value in a %s variable",
                                    cols[j]->name, what);
        }
        cls[i] = ss_dict_intern(dict, (const char *)key, nvar * sizeof key[0]);
        if (cls[i] < 0)
            return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    }
    return SS_OK;
}

static void class_label(const ss_table *t, const char *const *vars, size_t nvar,
                        const ss_dict *dict, int32_t c, char *buf, size_t size)
{
    const int32_t *key = (const int32_t *)dict->str[c];
    size_t o = 0;
    buf[0] = '\0';
    for (size_t j = 0; j < nvar && o < size; j++) {
        const ss_column *col = ss_table_find(t, vars[j]);
        o += (size_t)snprintf(buf + o, size - o, "%s%s=%s", j ? ";" : "", col->name,
                              col->levels.str[key[j]]);
    }
}

static int nonresponse(ss_design *d, const ss_table *t, const ss_weight_spec *s,
                       ss_weight_report *rep, ss_error *err)
{
    const size_t n = t->nrow;
    const ss_column *rc_col = ss_table_find(t, s->responded);
    int *resp = malloc((n ? n : 1) * sizeof *resp);
    int32_t *cls = malloc((n ? n : 1) * sizeof *cls);
    ss_dict dict;
    if (!resp || !cls || ss_dict_init(&dict) != 0) {
        free(resp);
        free(cls);
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    }
    int rc = SS_OK;
    for (size_t i = 0; i < n && rc == SS_OK; i++) {
        int32_t k = rc_col->code[i];
        if (k < 0 || responded_value(rc_col->levels.str[k], &resp[i]) != 0) {
            char q[200];
            rc = ss_error_set(err, SS_EDATA, t->file, ss_table_line(t, i),
                              "column '%s': expected 1/0, yes/no or true/false, got '%s'",
                              rc_col->name,
                              k < 0 ? "" : ss_error_quote(rc_col->levels.str[k],
                                                          rc_col->levels.len[k], q, sizeof q));
        }
    }
    if (rc == SS_OK)
        rc = classes_of(t, s->nonresponse, s->nnonresponse, cls, &dict,
                        "--nonresponse class", err);
    double *all = NULL, *res = NULL;
    if (rc == SS_OK) {
        all = calloc(dict.n ? dict.n : 1, sizeof *all);
        res = calloc(dict.n ? dict.n : 1, sizeof *res);
        if (!all || !res)
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    }
    if (rc == SS_OK) {
        for (size_t i = 0; i < n; i++) {
            all[cls[i]] += d->w[i];
            if (resp[i])
                res[cls[i]] += d->w[i];
        }
        for (size_t c = 0; c < dict.n && rc == SS_OK; c++)
            if (all[c] > 0 && !(res[c] > 0)) {
                char lab[512];
                class_label(t, s->nonresponse, s->nnonresponse, &dict, (int32_t)c, lab,
                            sizeof lab);
                rc = ss_error_set(err, SS_EDATA, t->file, 0,
                                  "nonresponse class %s has no respondents with weight", lab);
            }
    }
    if (rc == SS_OK) {
        for (size_t c = 0; c < dict.n && rc == SS_OK; c++) {
            char lab[512];
            class_label(t, s->nonresponse, s->nnonresponse, &dict, (int32_t)c, lab, sizeof lab);
            char full[600];
            snprintf(full, sizeof full, "class %s", lab);
            if (report_add(rep, full, all[c], res[c], all[c]) != 0)
                rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        }
        for (size_t i = 0; i < n; i++) {
            if (resp[i]) {
                d->w[i] *= all[cls[i]] / res[cls[i]];
            } else {
                d->w[i] = 0;
                if (rep)
                    rep->nonrespondents++;
            }
        }
    }
    free(all);
    free(res);
    free(resp);
    free(cls);
    ss_dict_free(&dict);
    return rc;
}

/* ---- post-stratification (R's postStratify) ---- */

static int poststratify(ss_design *d, const ss_table *t, const ss_weight_plan *p, int record,
                        ss_weight_report *rep, ss_error *err)
{
    const size_t n = t->nrow;
    ss_dict cells;
    if (ss_dict_init(&cells) != 0)
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    int rc = SS_OK;
    for (size_t c = 0; c < p->ncell && rc == SS_OK; c++)
        if (ss_dict_intern(&cells, p->cell[c].level, strlen(p->cell[c].level)) < 0)
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    ss_cal cal = {SS_CAL_CELLS};
    cal.cell = malloc((n ? n : 1) * sizeof *cal.cell);
    cal.oldw = malloc((n ? n : 1) * sizeof *cal.oldw);
    cal.neww = malloc((n ? n : 1) * sizeof *cal.neww);
    double *W = calloc(p->ncell ? p->ncell : 1, sizeof *W);
    size_t *count = calloc(p->ncell ? p->ncell : 1, sizeof *count);
    char *key = malloc(4096);
    const ss_column *cols[SS_MAX_CLASSES];
    for (size_t v = 0; v < p->ncellvar; v++)
        cols[v] = ss_table_find(t, p->cellvar[v]);
    if (!cal.cell || !cal.oldw || !cal.neww || !W || !count || !key)
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    for (size_t i = 0; i < n && rc == SS_OK; i++) {
        size_t o = 0;
        for (size_t v = 0; v < p->ncellvar && rc == SS_OK; v++) {
            int32_t k = cols[v]->code[i];
            if (k < 0)
                rc = ss_error_set(err, SS_EDATA, t->file, ss_table_line(t, i),
                                  "column '%s': missing value in a post-stratum variable",
                                  cols[v]->name);
            else
                o += (size_t)snprintf(key + o, o < 4096 ? 4096 - o : 0, "%s%s",
                                      v ? "\x1f" : "", cols[v]->levels.str[k]);
        }
        if (rc != SS_OK)
            break;
        int32_t c = ss_dict_find(&cells, key, strlen(key));
        if (c < 0) {
            for (char *q = key; *q; q++)
                if (*q == '\x1f')
                    *q = ',';
            rc = ss_error_set(err, SS_EDATA, t->file, ss_table_line(t, i),
                              "post-stratum '%s' is not in %s", key, p->cells_file);
            break;
        }
        cal.cell[i] = (uint32_t)c;
        W[c] += d->w[i];
        count[c]++;
    }
    for (size_t c = 0; c < p->ncell && rc == SS_OK; c++) {
        char lab[1024];
        snprintf(lab, sizeof lab, "%s", p->cell[c].level);
        for (char *q = lab; *q; q++)
            if (*q == '\x1f')
                *q = ',';
        if (count[c] == 0 && p->cell[c].total > 0)
            rc = ss_error_set(err, SS_EDATA, p->cells_file, p->cell[c].line,
                              "post-stratum '%s' has no sample members", lab);
        else if (count[c] > 0 && !(W[c] > 0))
            rc = ss_error_set(err, SS_EDATA, p->cells_file, p->cell[c].line,
                              "post-stratum '%s' has no weight in the sample", lab);
        else if (count[c] > 0 && !(p->cell[c].total > 0))
            rc = ss_error_set(err, SS_EDATA, p->cells_file, p->cell[c].line,
                              "post-stratum '%s': the total must be positive, got %.15g", lab,
                              p->cell[c].total);
        else if (count[c] > 0) {
            char full[1100];
            snprintf(full, sizeof full, "cell %s", lab);
            if (report_add(rep, full, p->cell[c].total, W[c], p->cell[c].total) != 0)
                rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        }
    }
    if (rc == SS_OK) {
        cal.ncell = p->ncell;
        for (size_t i = 0; i < n; i++) {
            cal.oldw[i] = d->w[i];
            /* R: prob / reweight, reweight = Pop.Freq / Freq */
            double reweight = p->cell[cal.cell[i]].total / W[cal.cell[i]];
            d->w[i] = 1 / ((1 / d->w[i]) / reweight);
            if (cal.oldw[i] == 0)
                d->w[i] = 0;
            cal.neww[i] = d->w[i];
        }
        if (record && ss_design_add_cal(d, &cal) != 0)
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    }
    if (rc != SS_OK || !record) {
        free(cal.cell);
        free(cal.oldw);
        free(cal.neww);
    }
    free(W);
    free(count);
    free(key);
    ss_dict_free(&cells);
    return rc;
}

/* ---- calibration (R's calibrate, regcalibrate and grake) ---- */

/* The model matrix of R's model.matrix(~ v1 + v2 + ...): an intercept when
 * any variable is categorical, then the levels but the first of each
 * categorical variable (in survstat's level order), then each numeric
 * variable, in the order of the margins file.  pop gets the matching
 * population totals, label the names. */
typedef struct model {
    size_t n, p;
    double *mm;      /* n x p */
    double *pop;     /* p */
    char **label;    /* p */
} model;

static void model_free(model *m)
{
    for (size_t j = 0; j < m->p && m->label; j++)
        free(m->label[j]);
    free(m->label);
    free(m->mm);
    free(m->pop);
}

static int model_build(model *md, const ss_table *t, const ss_weight_plan *p, ss_error *err)
{
    const char *file = p->margins_file;
    const size_t n = t->nrow;
    memset(md, 0, sizeof *md);
    /* Variables in order of first appearance. */
    size_t nv = 0, *first = malloc((p->nmargin ? p->nmargin : 1) * sizeof *first);
    if (!first)
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    for (size_t i = 0; i < p->nmargin; i++) {
        size_t j;
        for (j = 0; j < nv; j++)
            if (strcmp(p->margin[first[j]].variable, p->margin[i].variable) == 0)
                break;
        if (j == nv)
            first[nv++] = i;
    }
    /* Columns: count them, check the levels both ways, the grand totals. */
    int rc = SS_OK, intercept = 0;
    double N = NAN;
    long N_line = 0;
    const char *N_var = NULL;
    size_t p_cols = 0;
    for (size_t v = 0; v < nv && rc == SS_OK; v++) {
        const ss_target *g0 = &p->margin[first[v]];
        const ss_column *c = ss_table_find(t, g0->variable);
        if (!g0->level) {
            p_cols++;
            continue;
        }
        intercept = 1;
        double sum = 0;
        for (size_t i = 0; i < p->nmargin; i++)
            if (strcmp(p->margin[i].variable, g0->variable) == 0) {
                sum += p->margin[i].total;
                if (ss_dict_find(&c->levels, p->margin[i].level, strlen(p->margin[i].level)) < 0 ||
                    c->level_count[ss_dict_find(&c->levels, p->margin[i].level,
                                                strlen(p->margin[i].level))] == 0)
                    rc = ss_error_set(err, SS_EDATA, file, p->margin[i].line,
                                      "variable '%s' level '%s' has no sample members",
                                      g0->variable, p->margin[i].level);
            }
        if (rc != SS_OK)
            break;
        for (size_t l = 0; l < c->levels.n && rc == SS_OK; l++) {
            if (c->level_count[l] == 0)
                continue;
            size_t i;
            for (i = 0; i < p->nmargin; i++)
                if (strcmp(p->margin[i].variable, g0->variable) == 0 &&
                    strcmp(p->margin[i].level, c->levels.str[l]) == 0)
                    break;
            if (i == p->nmargin)
                rc = ss_error_set(err, SS_EDATA, file, 0,
                                  "variable '%s' level '%s' is in the sample but not in the "
                                  "margins",
                                  g0->variable, c->levels.str[l]);
        }
        if (rc != SS_OK)
            break;
        if (isnan(N)) {
            N = sum;
            N_line = g0->line;
            N_var = g0->variable;
        } else if (fabs(sum - N) > 1e-6 * N) {
            rc = ss_error_set(err, SS_EDATA, file, g0->line,
                              "variable '%s' totals %.15g, but '%s' (line %ld) totals %.15g: "
                              "the margins disagree on the population size",
                              g0->variable, sum, N_var, N_line, N);
        }
        p_cols += c->levels.n; /* an upper bound; counted exactly below */
    }
    if (rc != SS_OK) {
        free(first);
        return rc;
    }
    size_t cap = p_cols + (size_t)intercept;
    /* The solves cost n p^2 per iteration: refuse what would not finish. */
    if (cap > SS_WEIGHT_MAX_COLUMNS) {
        free(first);
        return ss_error_set(err, SS_EDATA, file, 0,
                            "the margins make %zu calibration columns, more than %d: merge "
                            "levels",
                            cap, SS_WEIGHT_MAX_COLUMNS);
    }
    md->n = n;
    md->mm = calloc((n ? n : 1) * (cap ? cap : 1), sizeof *md->mm);
    md->pop = calloc(cap ? cap : 1, sizeof *md->pop);
    md->label = calloc(cap ? cap : 1, sizeof *md->label);
    if (!md->mm || !md->pop || !md->label) {
        free(first);
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    }
    /* Fill column by column into a temporary n x cap layout. */
    size_t j = 0;
    if (intercept) {
        for (size_t i = 0; i < n; i++)
            md->mm[i * cap + j] = 1;
        md->pop[j] = N;
        md->label[j++] = strdup("(Intercept)");
    }
    for (size_t v = 0; v < nv && rc == SS_OK; v++) {
        const ss_target *g0 = &p->margin[first[v]];
        const ss_column *c = ss_table_find(t, g0->variable);
        if (!g0->level) {
            for (size_t i = 0; i < n && rc == SS_OK; i++) {
                if (isnan(c->num[i]))
                    rc = ss_error_set(err, SS_EDATA, t->file, ss_table_line(t, i),
                                      "column '%s': missing value in a calibration variable",
                                      c->name);
                md->mm[i * cap + j] = c->num[i];
            }
            md->pop[j] = g0->total;
            md->label[j++] = strdup(g0->variable);
            continue;
        }
        int32_t *order = malloc((c->levels.n ? c->levels.n : 1) * sizeof *order);
        if (!order) {
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
            break;
        }
        size_t nl = ss_column_level_order(c, order);
        for (size_t i = 0; i < n && rc == SS_OK; i++)
            if (c->code[i] < 0)
                rc = ss_error_set(err, SS_EDATA, t->file, ss_table_line(t, i),
                                  "column '%s': missing value in a calibration variable",
                                  c->name);
        for (size_t l = 1; l < nl && rc == SS_OK; l++) {
            for (size_t i = 0; i < n; i++)
                md->mm[i * cap + j] = c->code[i] == order[l];
            for (size_t k = 0; k < p->nmargin; k++)
                if (strcmp(p->margin[k].variable, g0->variable) == 0 &&
                    strcmp(p->margin[k].level, c->levels.str[order[l]]) == 0)
                    md->pop[j] = p->margin[k].total;
            size_t len = strlen(c->name) + c->levels.len[order[l]] + 2;
            md->label[j] = malloc(len);
            if (md->label[j])
                snprintf(md->label[j], len, "%s=%s", c->name, c->levels.str[order[l]]);
            j++;
        }
        free(order);
    }
    free(first);
    md->p = j;
    for (size_t k = 0; k < j && rc == SS_OK; k++)
        if (!md->label[k])
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    if (rc == SS_OK && j < cap) /* compact n x cap to n x p */
        for (size_t i = 0; i < n; i++)
            memmove(md->mm + i * j, md->mm + i * cap, j * sizeof *md->mm);
    return rc;
}

/* R's calfun Fm1 and dF (cal.linear, cal.raking, cal.logit). */
static double cal_Fm1(ss_calfun f, double u, double L, double U)
{
    switch (f) {
    case SS_CALFUN_LINEAR:
        return fmin(fmax(u + 1, L), U) - 1;
    case SS_CALFUN_RAKING:
        return fmin(fmax(exp(u), L), U) - 1;
    case SS_CALFUN_LOGIT: {
        double A = (U - L) / ((U - 1) * (1 - L)), e = exp(A * u);
        return (L * (U - 1) + U * (1 - L) * e) / (U - 1 + (1 - L) * e) - 1;
    }
    }
    return NAN;
}

static double cal_dF(ss_calfun f, double u, double L, double U)
{
    switch (f) {
    case SS_CALFUN_LINEAR:
        return u < U - 1 && u > L - 1;
    case SS_CALFUN_RAKING:
        return u < U - 1 && u > L - 1 ? exp(u) : 0;
    case SS_CALFUN_LOGIT: {
        double A = (U - L) / ((U - 1) * (1 - L)), e = exp(A * u);
        double den = U - 1 + (1 - L) * e;
        return U * (1 - L) * e * A / den -
               ((L * (U - 1) + U * (1 - L) * e) * ((1 - L) * e * A)) / (den * den);
    }
    }
    return NAN;
}

/* MASS::ginv of the symmetric p x p T (in place into G): the SVD, singular
 * values above 256 eps times the largest. */
static int ginv(const double *T, double *G, size_t p)
{
    gsl_matrix *U = gsl_matrix_alloc(p, p), *V = gsl_matrix_alloc(p, p);
    gsl_vector *S = gsl_vector_alloc(p), *wk = gsl_vector_alloc(p);
    if (!U || !V || !S || !wk) {
        gsl_matrix_free(U);
        gsl_matrix_free(V);
        gsl_vector_free(S);
        gsl_vector_free(wk);
        return -1;
    }
    for (size_t a = 0; a < p; a++)
        for (size_t b = 0; b < p; b++)
            gsl_matrix_set(U, a, b, T[a * p + b]);
    gsl_linalg_SV_decomp(U, V, S, wk);
    double tol = 256 * 2.220446049250313e-16 * gsl_vector_get(S, 0);
    for (size_t a = 0; a < p; a++)
        for (size_t b = 0; b < p; b++) {
            double s = 0;
            for (size_t k = 0; k < p; k++) {
                double d = gsl_vector_get(S, k);
                if (d > tol && d > 0)
                    s += gsl_matrix_get(V, a, k) / d * gsl_matrix_get(U, b, k);
            }
            G[a * p + b] = s;
        }
    gsl_matrix_free(U);
    gsl_matrix_free(V);
    gsl_vector_free(S);
    gsl_vector_free(wk);
    return 0;
}

/* g by R's regcalibrate (linear, no bounds): 1 + mm solve(mm'W mm, pop -
 * sample total). */
static int regcalibrate(const model *md, const double *ww, double *g, ss_error *err)
{
    const size_t n = md->n, p = md->p;
    gsl_matrix *T = gsl_matrix_calloc(p, p);
    gsl_vector *r = gsl_vector_alloc(p), *x = gsl_vector_alloc(p);
    gsl_permutation *perm = gsl_permutation_alloc(p);
    int rc = SS_OK, sgn;
    if (!T || !r || !x || !perm) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        goto done;
    }
    for (size_t a = 0; a < p; a++) {
        double st = 0;
        for (size_t i = 0; i < n; i++)
            st += md->mm[i * p + a] * ww[i];
        gsl_vector_set(r, a, md->pop[a] - st);
        for (size_t b = 0; b < p; b++) {
            double s = 0;
            for (size_t i = 0; i < n; i++) {
                double h = sqrt(ww[i]);
                s += md->mm[i * p + a] * h * (md->mm[i * p + b] * h);
            }
            gsl_matrix_set(T, a, b, s);
        }
    }
    gsl_linalg_LU_decomp(T, perm, &sgn);
    if (gsl_linalg_LU_solve(T, perm, r, x) != 0 || !isfinite(gsl_vector_get(x, 0))) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0,
                          "calibration: the calibration variables are collinear in the sample");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t a = 0; a < p; a++)
            s += md->mm[i * p + a] * gsl_vector_get(x, a);
        g[i] = 1 + s;
    }
done:
    gsl_matrix_free(T);
    gsl_vector_free(r);
    gsl_vector_free(x);
    gsl_permutation_free(perm);
    return rc;
}

/* At eta: per row x'eta, g = 1 + F(x'eta) - 1 and F'(x'eta) (mm is n x p,
 * row-major); 1 when every g and F' is finite. */
static int g_at(const double *mm, size_t n, size_t p, const double *eta, ss_calfun f, double L,
                double U, double *xeta, double *g, double *deriv)
{
    int finite = 1;
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t a = 0; a < p; a++)
            s += mm[i * p + a] * eta[a];
        xeta[i] = s;
        g[i] = 1 + cal_Fm1(f, s, L, U);
        deriv[i] = cal_dF(f, s, L, U);
        finite &= isfinite(g[i]) && isfinite(deriv[i]);
    }
    return finite;
}

/* g by R's grake: Newton steps on eta with MASS::ginv, step halving on
 * non-finite g, stop when every |misfit| / (1 + |pop|) < epsilon.  Not
 * converged in maxit iterations: an error, or when lenient (a replicate's
 * calibration) the last iterate, as R's grake warns and returns it, with
 * SS_OK and the would-be error's message left in err (a warning). */
static int grake(const model *md, const double *ww0, ss_calfun f, double L, double U, int maxit,
                 double eps, int lenient, double *g, int *iters, ss_error *err)
{
    const size_t n = md->n, p = md->p;
    double *ww = malloc((n ? n : 1) * sizeof *ww);
    double *xeta = malloc((n ? n : 1) * sizeof *xeta);
    double *deriv = malloc((n ? n : 1) * sizeof *deriv);
    double *eta = calloc(p, sizeof *eta), *deta = calloc(p, sizeof *deta);
    double *st = calloc(p, sizeof *st), *mis = calloc(p, sizeof *mis);
    double *T = calloc(p * p, sizeof *T), *G = calloc(p * p, sizeof *G);
    int rc = SS_OK;
    if (!ww || !xeta || !deriv || !eta || !deta || !st || !mis || !T || !G) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        ww[i] = ww0[i];
    for (size_t a = 0; a < p; a++)
        for (size_t i = 0; i < n; i++)
            st[a] += md->mm[i * p + a] * ww[i];
    for (size_t i = 0; i < n; i++) {
        xeta[i] = 0;
        g[i] = 1 + cal_Fm1(f, 0, L, U);
        deriv[i] = cal_dF(f, 0, L, U);
    }
    int iter = 1;
    double scale = NAN, min_scale = INFINITY, sum_scale = 0;
    for (size_t a = 0; a < p; a++) {
        double sc = md->pop[a] / st[a];
        min_scale = fmin(min_scale, sc);
        sum_scale += sc;
    }
    if (min_scale > 20) {
        scale = sum_scale / (double)p;
        for (size_t i = 0; i < n; i++)
            ww[i] *= scale;
        for (size_t a = 0; a < p; a++)
            st[a] *= scale;
    }
    for (;;) {
        /* T = mm' diag(ww deriv) mm and the misfits, row by row; the model
         * is mostly zeros (indicators), which add nothing */
        for (size_t a = 0; a < p * p; a++)
            T[a] = 0;
        for (size_t a = 0; a < p; a++)
            mis[a] = 0;
        for (size_t i = 0; i < n; i++) {
            const double *x = md->mm + i * p;
            double wd = ww[i] * deriv[i], wf = ww[i] * cal_Fm1(f, xeta[i], L, U);
            int dense = !isfinite(wd) || !isfinite(wf);
            for (size_t a = 0; a < p; a++) {
                if (x[a] == 0 && !dense)
                    continue;
                mis[a] += x[a] * wf;
                for (size_t b = 0; b < p; b++)
                    if (x[b] != 0 || dense)
                        T[a * p + b] += x[a] * wd * x[b];
            }
        }
        for (size_t a = 0; a < p; a++)
            mis[a] = md->pop[a] - st[a] - mis[a];
        if (ginv(T, G, p) != 0) {
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
            goto done;
        }
        for (size_t a = 0; a < p; a++) {
            double s = 0;
            for (size_t b = 0; b < p; b++)
                s += G[a * p + b] * mis[b];
            deta[a] = s;
            eta[a] += s;
        }
        int finite = g_at(md->mm, n, p, eta, f, L, U, xeta, g, deriv);
        while (iter < maxit && !finite) {
            iter++;
            for (size_t a = 0; a < p; a++) {
                deta[a] /= 2;
                eta[a] -= deta[a];
            }
            finite = g_at(md->mm, n, p, eta, f, L, U, xeta, g, deriv);
        }
        double worst = 0;
        size_t at = 0;
        for (size_t a = 0; a < p; a++)
            mis[a] = 0;
        for (size_t i = 0; i < n; i++) {
            const double *x = md->mm + i * p;
            double wf = ww[i] * cal_Fm1(f, xeta[i], L, U);
            for (size_t a = 0; a < p; a++)
                if (x[a] != 0 || !isfinite(wf))
                    mis[a] += x[a] * wf;
        }
        for (size_t a = 0; a < p; a++) {
            mis[a] = md->pop[a] - st[a] - mis[a];
            double e = fabs(mis[a]) / (1 + fabs(md->pop[a]));
            if (!(e < worst) ) {
                worst = e;
                at = a;
            }
        }
        int done_all = 1;
        for (size_t a = 0; a < p; a++)
            done_all &= fabs(mis[a]) / (1 + fabs(md->pop[a])) < eps;
        if (done_all)
            break;
        iter++;
        if (iter > maxit) {
            rc = ss_error_set(err, lenient ? SS_OK : SS_EDATA, NULL, 0,
                              "calibration did not converge in %d iterations: the worst margin,"
                              " '%s', is off by %.3g (relative)",
                              maxit, md->label[at], worst);
            if (!lenient)
                goto done;
            break;
        }
    }
    if (!isnan(scale))
        for (size_t i = 0; i < n; i++)
            g[i] *= scale;
    *iters = iter;
done:
    free(ww);
    free(xeta);
    free(deriv);
    free(eta);
    free(deta);
    free(st);
    free(mis);
    free(T);
    free(G);
    return rc;
}

/* IPF raking with the weights capped at cap times their mean after every
 * pass over the margins (ANES), categorical margins only; g = new / old. */
static int rake_capped(const model *md, const ss_table *t, const ss_weight_plan *p,
                       const double *ww, double cap, int maxit, double eps, double *g,
                       int *iters, ss_error *err)
{
    const size_t n = md->n;
    double *w = malloc((n ? n : 1) * sizeof *w);
    if (!w)
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    for (size_t i = 0; i < n; i++)
        w[i] = ww[i];
    for (size_t k = 0; k < p->nmargin; k++)
        if (!p->margin[k].level) {
            free(w);
            return ss_error_set(err, SS_EDATA, p->margins_file, p->margin[k].line,
                                "--rake-cap: variable '%s' is numeric; raking takes "
                                "categorical margins",
                                p->margin[k].variable);
        }
    int it;
    double worst = INFINITY;
    const char *worst_var = "", *worst_lev = "";
    for (it = 1; it <= maxit; it++) {
        for (size_t k = 0; k < p->nmargin; k++) {
            const ss_column *c = ss_table_find(t, p->margin[k].variable);
            int32_t code = ss_dict_find(&c->levels, p->margin[k].level, strlen(p->margin[k].level));
            double W = 0;
            for (size_t i = 0; i < n; i++)
                if (c->code[i] == code)
                    W += w[i];
            double f = p->margin[k].total / W;
            for (size_t i = 0; i < n; i++)
                if (c->code[i] == code)
                    w[i] *= f;
        }
        double sum = 0;
        size_t npos = 0;
        for (size_t i = 0; i < n; i++) {
            sum += w[i];
            npos += w[i] > 0;
        }
        double limit = cap * sum / (double)n;
        for (size_t i = 0; i < n; i++)
            if (w[i] > limit)
                w[i] = limit;
        worst = 0;
        for (size_t k = 0; k < p->nmargin; k++) {
            const ss_column *c = ss_table_find(t, p->margin[k].variable);
            int32_t code = ss_dict_find(&c->levels, p->margin[k].level, strlen(p->margin[k].level));
            double W = 0;
            for (size_t i = 0; i < n; i++)
                if (c->code[i] == code)
                    W += w[i];
            double e = fabs(W - p->margin[k].total) / p->margin[k].total;
            if (e > worst) {
                worst = e;
                worst_var = p->margin[k].variable;
                worst_lev = p->margin[k].level;
            }
        }
        (void)npos;
        if (worst < eps)
            break;
    }
    if (it > maxit) {
        free(w);
        return ss_error_set(err, SS_EDATA, NULL, 0,
                            "raking with --rake-cap %g did not converge in %d iterations: "
                            "the worst margin, '%s=%s', is off by %.3g (relative)",
                            cap, maxit, worst_var, worst_lev, worst);
    }
    for (size_t i = 0; i < n; i++)
        g[i] = ww[i] > 0 ? w[i] / ww[i] : 1;
    *iters = it;
    free(w);
    return SS_OK;
}

/* The weighted total of a margin's level (or numeric variable). */
static double margin_total(const ss_table *t, const ss_target *g, const double *w)
{
    const ss_column *c = ss_table_find(t, g->variable);
    double s = 0;
    if (!g->level) {
        for (size_t i = 0; i < t->nrow; i++)
            s += w[i] * c->num[i];
        return s;
    }
    int32_t code = ss_dict_find(&c->levels, g->level, strlen(g->level));
    for (size_t i = 0; i < t->nrow; i++)
        if (c->code[i] == code)
            s += w[i];
    return s;
}

/* Every margin's target, total before and after, and the worst relative
 * error after. */
static int report_margins(ss_weight_report *rep, const ss_table *t, const ss_weight_plan *p,
                          const double *before, const double *w, int iters, ss_error *err)
{
    rep->iterations = iters;
    rep->worst = 0;
    for (size_t k = 0; k < p->nmargin; k++) {
        const ss_target *g = &p->margin[k];
        double after = margin_total(t, g, w);
        char label[sizeof rep->worst_label];
        if (g->level)
            snprintf(label, sizeof label, "%s=%s", g->variable, g->level);
        else
            snprintf(label, sizeof label, "%s", g->variable);
        double e = fabs(after - g->total) / fmax(fabs(g->total), 1);
        if (k == 0 || e > rep->worst) {
            rep->worst = e;
            snprintf(rep->worst_label, sizeof rep->worst_label, "%s", label);
        }
        if (report_add(rep, label, g->total, before[k], after) != 0)
            return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    }
    return SS_OK;
}

/* w_i = w_i g_i as R's prob / g; a weight that is not finite becomes 0. */
static void apply_g(double *w, const double *g, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        w[i] = 1 / ((1 / w[i]) / g[i]);
        if (!isfinite(w[i]))
            w[i] = 0;
    }
}

/* pre: the model when already built (for the cells of the replicates),
 * else it is built here; record: keep the calibration for the variance. */
static int calibrate(ss_design *d, const ss_table *t, const ss_weight_plan *p, const model *pre,
                     int record, ss_weight_report *rep, ss_error *err)
{
    const ss_weight_spec *s = p->spec;
    model own = {0};
    int rc = pre ? SS_OK : model_build(&own, t, p, err);
    const model *mdp = pre ? pre : &own;
    const size_t n = t->nrow;
    double *g = malloc((n ? n : 1) * sizeof *g);
    double *before = calloc(p->nmargin ? p->nmargin : 1, sizeof *before);
    ss_cal cal = {SS_CAL_GREG};
    if (rc == SS_OK && (!g || !before))
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    int iters = 0;
    ss_calfun f = s->rake ? SS_CALFUN_RAKING : s->calfun;
    if (rc == SS_OK) {
        for (size_t k = 0; k < p->nmargin && rep; k++)
            before[k] = margin_total(t, &p->margin[k], d->w);
        if (s->rake && s->rake_cap > 0)
            rc = rake_capped(mdp, t, p, d->w, s->rake_cap, s->max_iter, s->epsilon, g, &iters,
                             err);
        else if (f == SS_CALFUN_LINEAR && isinf(s->lower) && isinf(s->upper))
            rc = regcalibrate(mdp, d->w, g, err);
        else if (f == SS_CALFUN_LOGIT && !(isfinite(s->lower) && isfinite(s->upper)))
            rc = ss_error_set(err, SS_EUSAGE, NULL, 0,
                              "--calfun logit needs finite --bounds L,U");
        else
            rc = grake(mdp, d->w, f, s->lower, s->upper, s->max_iter, s->epsilon, !record, g,
                       &iters, err);
    }
    if (rc == SS_OK && !record)
        apply_g(d->w, g, n);
    /* The record for the variance: QR of mm sqrt(w0), gw = g sqrt(w0). */
    if (rc == SS_OK && record) {
        cal.p = mdp->p;
        cal.qr = malloc((n ? n : 1) * (mdp->p ? mdp->p : 1) * sizeof *cal.qr);
        cal.tau = malloc((mdp->p ? mdp->p : 1) * sizeof *cal.tau);
        cal.gw = malloc((n ? n : 1) * sizeof *cal.gw);
        if (!cal.qr || !cal.tau || !cal.gw)
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    }
    if (rc == SS_OK && record && n < mdp->p)
        rc = ss_error_set(err, SS_EDATA, t->file, 0,
                          "calibration: %zu rows cannot meet %zu margins", n, mdp->p);
    if (rc == SS_OK && record) {
        for (size_t i = 0; i < n; i++) {
            double h = sqrt(d->w[i]);
            for (size_t j = 0; j < mdp->p; j++)
                cal.qr[i * mdp->p + j] = mdp->mm[i * mdp->p + j] * h;
            cal.gw[i] = g[i] * h;
        }
        gsl_matrix_view A = gsl_matrix_view_array(cal.qr, n, mdp->p);
        gsl_vector_view tau = gsl_vector_view_array(cal.tau, mdp->p);
        gsl_linalg_QR_decomp(&A.matrix, &tau.vector);
        apply_g(d->w, g, n);
        if (ss_design_add_cal(d, &cal) != 0)
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    }
    if (rc == SS_OK && rep)
        rc = report_margins(rep, t, p, before, d->w, iters, err);
    if (rc != SS_OK) {
        free(cal.qr);
        free(cal.tau);
        free(cal.gw);
    }
    free(g);
    free(before);
    model_free(&own);
    return rc;
}

/* ---- trimming (R's trimWeights(strict = TRUE)) ---- */

int ss_weight_trim(const ss_weight_spec *s, double *w, size_t n, const unsigned char *outside,
                   double *adds, size_t *npass, size_t *ntrimmed, ss_error *err)
{
    int *out = malloc((n ? n : 1) * sizeof *out);
    if (!out)
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    for (size_t it = 0; it < SS_WEIGHT_TRIM_PASSES; it++) {
        size_t nout = 0, nin = 0;
        double trimmings = 0;
        for (size_t i = 0; i < n; i++) {
            double x = w[i];
            if (outside && outside[i])
                continue;
            if (x < s->trim_low || x > s->trim_high)
                nout++;
            else
                nin++;
        }
        if (nout == 0) {
            free(out);
            if (npass)
                *npass = it;
            return SS_OK;
        }
        if (nin == 0) {
            free(out);
            return ss_error_set(err, SS_EDATA, NULL, 0,
                                "--trim-weights %g,%g: every weight is outside the bounds",
                                s->trim_low, s->trim_high);
        }
        for (size_t i = 0; i < n; i++) {
            double x = w[i], nw = fmax(s->trim_low, fmin(x, s->trim_high));
            if (outside && outside[i]) {
                out[i] = 1; /* outside the replicate: takes no share */
                continue;
            }
            out[i] = x < s->trim_low || x > s->trim_high;
            trimmings += x - nw;
            w[i] = nw;
        }
        if (ntrimmed && it == 0)
            *ntrimmed = nout;
        double add = trimmings / (double)nin;
        if (adds)
            adds[it] = add;
        for (size_t i = 0; i < n; i++)
            if (!out[i])
                w[i] += add;
    }
    free(out);
    return ss_error_set(err, SS_EDATA, NULL, 0,
                        "--trim-weights %g,%g: the weights cannot be trimmed to these bounds "
                        "(their sum does not fit)",
                        s->trim_low, s->trim_high);
}

double ss_weight_trim_one(const ss_weight_spec *s, const double *adds, size_t npass, double v,
                          int outside)
{
    if (outside)
        return v;
    for (size_t it = 0; it < npass; it++) {
        int out = v < s->trim_low || v > s->trim_high;
        v = fmax(s->trim_low, fmin(v, s->trim_high));
        if (!out)
            v += adds[it];
    }
    return v;
}

/* The steps in order; a replicate's (replicate set) records no calibration
 * and trims leaving the rows outside it as they are. */
static int apply(ss_design *d, const ss_table *t, const ss_weight_plan *p, int replicate,
                 const unsigned char *outside, ss_weight_report *rep, ss_error *err)
{
    const ss_weight_spec *s = p->spec;
    int rc = SS_OK;
    if (s->nnonresponse)
        rc = nonresponse(d, t, s, rep, err);
    if (rc == SS_OK && s->poststrat)
        rc = poststratify(d, t, p, !replicate, rep, err);
    if (rc == SS_OK && (s->rake || s->calibrate))
        rc = calibrate(d, t, p, NULL, !replicate, rep, err);
    if (rc == SS_OK && s->trim)
        rc = ss_weight_trim(s, d->w, d->n, outside, NULL, NULL, rep ? &rep->trimmed : NULL,
                            err);
    return rc;
}

int ss_weight_apply(ss_design *d, const ss_table *t, const ss_weight_plan *p,
                    ss_weight_report *rep, ss_error *err)
{
    return apply(d, t, p, 0, NULL, rep, err);
}

int ss_weight_reapply(ss_design *d, const ss_table *t, const ss_weight_plan *p,
                      const unsigned char *outside, ss_error *err)
{
    return apply(d, t, p, 1, outside, NULL, err);
}

/* ---- the adjustments on cells (for replicate weights) ----
 *
 * The cells are the combinations of the categorical variables the plan
 * uses that occur in the data.  `cells` is a table with one row per cell
 * whose columns are the data's (names, levels and level order borrowed),
 * holding the cell's codes, so that the steps above run on it unchanged
 * with the cells' total weights as the weights. */
struct ss_weight_cells {
    const ss_weight_plan *p;
    ss_table cells;
    int *own_code;       /* per column of cells: code was allocated here */
    uint32_t *of_row;    /* per data row: its cell */
    model md;            /* calibration model on the cells (md.mm NULL: none) */
};

void ss_weight_cells_free(ss_weight_cells *c)
{
    if (!c)
        return;
    for (size_t j = 0; j < c->cells.ncol && c->own_code; j++)
        if (c->own_code[j])
            free(c->cells.col[j].code);
    free(c->own_code);
    free(c->cells.col);
    free(c->of_row);
    model_free(&c->md);
    free(c);
}

int ss_weight_cells_alloc(ss_weight_cells **out, const ss_table *t, const ss_weight_plan *p,
                          ss_error *err)
{
    const ss_weight_spec *s = p->spec;
    *out = NULL;
    if (s->rake_cap > 0) /* the cap acts on single weights */
        return SS_OK;
    for (size_t k = 0; k < p->nmargin; k++)
        if (!p->margin[k].level) /* a numeric total: g varies within a cell */
            return SS_OK;
    /* The variables, each once. */
    size_t cap = p->ncellvar + p->nmargin + s->nnonresponse + 1, nv = 0;
    const char **names = malloc(cap * sizeof *names);
    if (!names)
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    for (size_t i = 0; i < p->ncellvar; i++)
        names[nv++] = p->cellvar[i];
    for (size_t i = 0; i < p->nmargin; i++)
        names[nv++] = p->margin[i].variable;
    for (size_t i = 0; i < s->nnonresponse; i++)
        names[nv++] = s->nonresponse[i];
    if (s->responded)
        names[nv++] = s->responded;
    size_t u = 0;
    for (size_t i = 0; i < nv; i++) {
        size_t j = 0;
        while (j < u && strcmp(names[j], names[i]) != 0)
            j++;
        if (j == u)
            names[u++] = names[i];
    }
    nv = u;
    ss_weight_cells *c = calloc(1, sizeof *c);
    ss_dict dict;
    int32_t *key = malloc((nv ? nv : 1) * sizeof *key);
    const ss_column **cols = malloc((nv ? nv : 1) * sizeof *cols);
    int rc = SS_OK, dict_ok = ss_dict_init(&dict) == 0;
    if (!c || !key || !cols || !dict_ok ||
        !(c->of_row = malloc((t->nrow ? t->nrow : 1) * sizeof *c->of_row)) ||
        !(c->cells.col = calloc(t->ncol ? t->ncol : 1, sizeof *c->cells.col)) ||
        !(c->own_code = calloc(t->ncol ? t->ncol : 1, sizeof *c->own_code)))
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    for (size_t v = 0; v < nv && rc == SS_OK; v++)
        if (!(cols[v] = ss_table_find(t, names[v])) || !cols[v]->code)
            rc = -1; /* not coded: keep per-row adjustments */
    for (size_t i = 0; i < t->nrow && rc == SS_OK; i++) {
        for (size_t v = 0; v < nv; v++)
            if ((key[v] = cols[v]->code[i]) < 0)
                rc = -1; /* a missing value: the full sample reported it */
        int32_t k = rc == SS_OK ? ss_dict_intern(&dict, (const char *)key, nv * sizeof *key) : 0;
        if (k < 0)
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        c->of_row[i] = (uint32_t)k;
    }
    if (rc == SS_OK) {
        c->p = p;
        c->cells.file = t->file;
        c->cells.nrow = dict.n;
        c->cells.ncol = t->ncol;
        for (size_t j = 0; j < t->ncol; j++) {
            c->cells.col[j] = t->col[j];
            c->cells.col[j].code = NULL;
            c->cells.col[j].num = NULL;
        }
        for (size_t v = 0; v < nv && rc == SS_OK; v++) {
            size_t j = (size_t)(cols[v] - t->col);
            int32_t *code = malloc((dict.n ? dict.n : 1) * sizeof *code);
            if (!code) {
                rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
                break;
            }
            for (size_t k = 0; k < dict.n; k++)
                code[k] = ((const int32_t *)dict.str[k])[v];
            c->cells.col[j].code = code;
            c->own_code[j] = 1;
        }
    }
    if (rc == SS_OK && (s->rake || s->calibrate))
        rc = model_build(&c->md, &c->cells, p, err);
    if (dict_ok)
        ss_dict_free(&dict);
    free(names);
    free(key);
    free(cols);
    if (rc != SS_OK) {
        ss_weight_cells_free(c);
        return rc < 0 ? SS_OK : rc;
    }
    *out = c;
    return SS_OK;
}

size_t ss_weight_cells_count(const ss_weight_cells *c)
{
    return c->cells.nrow;
}

const uint32_t *ss_weight_cells_of_rows(const ss_weight_cells *c)
{
    return c->of_row;
}

int ss_weight_cells_apply(const ss_weight_cells *c, const double *W, double *g, ss_error *err)
{
    const ss_weight_spec *s = c->p->spec;
    const size_t n = c->cells.nrow;
    ss_design d = {0};
    d.n = n;
    d.w = malloc((n ? n : 1) * sizeof *d.w);
    if (!d.w)
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    memcpy(d.w, W, n * sizeof *d.w);
    int rc = SS_OK;
    if (s->nnonresponse)
        rc = nonresponse(&d, &c->cells, s, NULL, err);
    if (rc == SS_OK && s->poststrat)
        rc = poststratify(&d, &c->cells, c->p, 0, NULL, err);
    if (rc == SS_OK && (s->rake || s->calibrate))
        rc = calibrate(&d, &c->cells, c->p, c->md.mm ? &c->md : NULL, 0, NULL, err);
    for (size_t k = 0; k < n && rc == SS_OK; k++)
        g[k] = W[k] != 0 ? d.w[k] / W[k] : 0;
    free(d.w);
    return rc;
}
