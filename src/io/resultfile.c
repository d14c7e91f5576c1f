/* Reading result files back.  See ss_resultfile.h. */
#include "ss_resultfile.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *cell(const ss_column *c, size_t i)
{
    return c && c->code[i] >= 0 ? c->levels.str[c->code[i]] : "";
}

/* Every row appended from one file: the same key twice is an error (which
 * of the two would combine or trend take?). */
static int check_duplicates(const ss_result *out, size_t from, const char *path, ss_error *err)
{
    ss_result_index ix;
    size_t first, dup;
    int d = ss_result_index_build(&ix, out, from, out->n, 1, &first, &dup);
    ss_result_index_free(&ix);
    if (d < 0)
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    if (d == 0)
        return SS_OK;
    char key[600], q[200];
    const ss_result_row *x = &out->row[dup];
    return ss_error_set(err, SS_EDATA, path, x->line,
                        "the same estimate as line %ld (wave '%s', %s): each estimate may be "
                        "in a result file once",
                        out->row[first].line, ss_error_quote(x->wave, strlen(x->wave), q, 100),
                        ss_result_key_text(x, key, sizeof key));
}

int ss_result_read(ss_result *out, const char *path, const ss_read_options *ro, ss_error *err)
{
    static const char *const text[] = {"wave",   "statistic",      "variable", "level",
                                       "domain", "flag", "variable_label", "by_label"};
    static const char *const num[] = {"estimate", "se", "ci_low", "ci_high", "df",
                                      "deff",     "n",  "n_eff",  "cv"};
    ss_table t = {0};
    ss_read_options o = *ro;
    o.all_columns = 1;
    o.nna = 0;
    o.labels = NULL;
    size_t from = out->n;
    int rc = ss_table_read(&t, path, &o, NULL, 0, err);
    const ss_column *tc[8], *nc[9];
    for (size_t k = 0; k < 8 && rc == SS_OK; k++)
        tc[k] = ss_table_find(&t, text[k]);
    for (size_t k = 0; k < 9 && rc == SS_OK; k++)
        nc[k] = ss_table_find(&t, num[k]);
    for (size_t k = 1; k < 5 && rc == SS_OK; k++)
        if (!tc[k])
            rc = ss_error_set(err, SS_EDATA, path, 1, "no column '%s': not a result file",
                              text[k]);
    for (size_t k = 0; k < 2 && rc == SS_OK; k++)
        if (!nc[k])
            rc = ss_error_set(err, SS_EDATA, path, 1, "no column '%s': not a result file",
                              num[k]);
    for (size_t i = 0; i < t.nrow && rc == SS_OK; i++) {
        ss_result_row *r = ss_result_add(out, cell(tc[1], i), cell(tc[2], i), cell(tc[3], i),
                                         cell(tc[4], i));
        if (!r || ss_result_set_str(&r->wave, cell(tc[0], i)) != 0 ||
            ss_result_set_str(&r->flag, cell(tc[5], i)) != 0) {
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
            break;
        }
        for (size_t k = 6; k < 8; k++)
            if (tc[k] && cell(tc[k], i)[0] &&
                ss_result_set_str(k == 6 ? &r->var_label : &r->by_label, cell(tc[k], i)) != 0)
                rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        if (tc[6] || tc[7])
            out->labels = 1;
        r->line = ss_table_line(&t, i);
        double *dst[] = {&r->estimate, &r->se, &r->ci_low, &r->ci_high, &r->df,
                         &r->deff,     &r->n,  &r->n_eff,  &r->cv};
        for (size_t k = 0; k < 9 && rc == SS_OK; k++) {
            if (!nc[k] || nc[k]->code[i] < 0)
                continue;
            double v = nc[k]->level_num[nc[k]->code[i]];
            char q[200];
            const char *s = cell(nc[k], i);
            if (isnan(v))
                rc = ss_error_set(err, SS_EDATA, path, r->line,
                                  "column '%s': invalid number '%s'", num[k],
                                  ss_error_quote(s, strlen(s), q, 100));
            else if ((dst[k] == &r->se || dst[k] == &r->df) && v < 0)
                rc = ss_error_set(err, SS_EDATA, path, r->line,
                                  "column '%s': negative value '%s'", num[k],
                                  ss_error_quote(s, strlen(s), q, 100));
            else if (dst[k] == &r->df && v == 0)
                rc = ss_error_set(err, SS_EDATA, path, r->line,
                                  "column 'df': '%s' degrees of freedom (a df must be "
                                  "positive, or empty for infinite)",
                                  ss_error_quote(s, strlen(s), q, 100));
            *dst[k] = v;
        }
    }
    if (rc == SS_OK)
        rc = check_duplicates(out, from, path, err);
    ss_table_free(&t);
    return rc;
}

/* The label of column name of t, or NULL. */
static const char *label_of(const ss_table *t, const char *name, size_t len)
{
    for (size_t j = 0; j < t->ncol; j++)
        if (strlen(t->col[j].name) == len && memcmp(t->col[j].name, name, len) == 0)
            return t->col[j].label && t->col[j].label[0] ? t->col[j].label : NULL;
    return NULL;
}

int ss_result_add_labels(ss_result *r, const ss_table *t)
{
    for (size_t i = 0; i < r->n; i++) {
        ss_result_row *x = &r->row[i];
        const char *v = label_of(t, x->variable, strlen(x->variable));
        if (v) {
            if (ss_result_set_str(&x->var_label, v) != 0)
                return -1;
            r->labels = 1;
        }
        char by[1024] = "";
        int any = 0;
        for (const char *part = x->domain; part && *part;) {
            const char *key;
            size_t klen, used = strlen(by);
            char value[512];
            part = ss_result_domain_part(part, &key, &klen, value, sizeof value);
            if (!part)
                break;
            const char *l = label_of(t, key, klen);
            any |= l != NULL;
            snprintf(by + used, sizeof by - used, "%s%.*s", used ? "; " : "",
                     l ? (int)strlen(l) : (int)klen, l ? l : key);
        }
        if (any) {
            if (ss_result_set_str(&x->by_label, by) != 0)
                return -1;
            r->labels = 1;
        }
    }
    return 0;
}

/* ---- the key index ----
 *
 * The project's string dictionary (ss_dict) over each row's key, written
 * as its fields each preceded by its length, so that no two keys share
 * a string whatever bytes the fields hold. */

/* The key of x into buf (grown as needed); its length, or -1 when out of
 * memory. */
static long key_bytes(const ss_result_row *x, int with_wave, char **buf, size_t *cap)
{
    const char *f[5] = {x->statistic, x->variable, x->level, x->domain, x->wave};
    size_t nf = with_wave ? 5 : 4, need = 0;
    for (size_t i = 0; i < nf; i++)
        need += sizeof(size_t) + strlen(f[i]);
    if (need > *cap) {
        char *p = realloc(*buf, need);
        if (!p)
            return -1;
        *buf = p;
        *cap = need;
    }
    char *o = *buf;
    for (size_t i = 0; i < nf; i++) {
        size_t len = strlen(f[i]);
        memcpy(o, &len, sizeof len);
        memcpy(o + sizeof len, f[i], len);
        o += sizeof len + len;
    }
    return (long)need;
}

int ss_result_index_build(ss_result_index *ix, const ss_result *r, size_t from, size_t to,
                          int with_wave, size_t *first, size_t *dup)
{
    ix->r = r;
    ix->from = from;
    ix->to = to;
    ix->with_wave = with_wave;
    ix->row = malloc((to > from ? to - from : 1) * sizeof *ix->row);
    if (ss_dict_init(&ix->keys) != 0 || !ix->row)
        return -1;
    char *buf = NULL;
    size_t cap = 0;
    for (size_t i = from; i < to; i++) {
        long len = key_bytes(&r->row[i], with_wave, &buf, &cap);
        size_t before = ix->keys.n;
        int32_t c = len < 0 ? -1 : ss_dict_intern(&ix->keys, buf, (size_t)len);
        if (c < 0) {
            free(buf);
            return -1;
        }
        if ((size_t)c < before) {
            *first = ix->row[c];
            *dup = i;
            free(buf);
            return 1;
        }
        ix->row[c] = i;
    }
    free(buf);
    return 0;
}

void ss_result_index_free(ss_result_index *ix)
{
    ss_dict_free(&ix->keys);
    free(ix->row);
    ix->row = NULL;
}

long ss_result_index_find(const ss_result_index *ix, const ss_result_row *k)
{
    char *buf = NULL;
    size_t cap = 0;
    long len = key_bytes(k, ix->with_wave, &buf, &cap);
    long row = -1;
    if (len >= 0) {
        int32_t c = ss_dict_find(&ix->keys, buf, (size_t)len);
        row = c < 0 ? -1 : (long)ix->row[c];
    }
    free(buf);
    return row;
}

const char *ss_result_key_text(const ss_result_row *x, char *buf, size_t size)
{
    char q[4][160];
    snprintf(buf, size, "%s '%s' level '%s' domain '%s'",
             ss_error_quote(x->statistic, strlen(x->statistic), q[0], 60),
             ss_error_quote(x->variable, strlen(x->variable), q[1], 100),
             ss_error_quote(x->level, strlen(x->level), q[2], 100),
             ss_error_quote(x->domain, strlen(x->domain), q[3], 100));
    return buf;
}
