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
    static const char *const text[] = {"wave", "statistic", "variable", "level", "domain",
                                       "flag"};
    static const char *const num[] = {"estimate", "se", "ci_low", "ci_high", "df",
                                      "deff",     "n",  "n_eff",  "cv"};
    ss_table t = {0};
    ss_read_options o = *ro;
    o.all_columns = 1;
    o.nna = 0;
    o.labels = NULL;
    size_t from = out->n;
    int rc = ss_table_read(&t, path, &o, NULL, 0, err);
    const ss_column *tc[6], *nc[9];
    for (size_t k = 0; k < 6 && rc == SS_OK; k++)
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

/* ---- the key index ---- */

static uint64_t hash_str(uint64_t h, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        h = (h ^ *p) * 0x100000001b3ull;
    return (h ^ 0xff) * 0x100000001b3ull; /* a separator no text holds */
}

static uint64_t hash_key(const ss_result_row *x, int with_wave)
{
    uint64_t h = 0xcbf29ce484222325ull;
    if (with_wave)
        h = hash_str(h, x->wave);
    h = hash_str(h, x->statistic);
    h = hash_str(h, x->variable);
    h = hash_str(h, x->level);
    h = hash_str(h, x->domain);
    return h ^ (h >> 29);
}

static int same_key(const ss_result_row *a, const ss_result_row *b, int with_wave)
{
    return strcmp(a->statistic, b->statistic) == 0 && strcmp(a->variable, b->variable) == 0 &&
           strcmp(a->level, b->level) == 0 && strcmp(a->domain, b->domain) == 0 &&
           (!with_wave || strcmp(a->wave, b->wave) == 0);
}

/* The slot of k's key: where it is, or the empty slot where it would go. */
static size_t probe(const ss_result_index *ix, const ss_result_row *k)
{
    size_t mask = ix->cap - 1, s = (size_t)hash_key(k, ix->with_wave) & mask;
    while (ix->slot[s] >= 0 && !same_key(&ix->r->row[ix->slot[s]], k, ix->with_wave))
        s = (s + 1) & mask;
    return s;
}

int ss_result_index_build(ss_result_index *ix, const ss_result *r, size_t from, size_t to,
                          int with_wave, size_t *first, size_t *dup)
{
    ix->r = r;
    ix->from = from;
    ix->to = to;
    ix->with_wave = with_wave;
    ix->cap = 16;
    while (ix->cap < 2 * (to - from))
        ix->cap *= 2;
    ix->slot = malloc(ix->cap * sizeof *ix->slot);
    if (!ix->slot)
        return -1;
    memset(ix->slot, 0xff, ix->cap * sizeof *ix->slot); /* all -1 */
    for (size_t i = from; i < to; i++) {
        size_t s = probe(ix, &r->row[i]);
        if (ix->slot[s] >= 0) {
            *first = (size_t)ix->slot[s];
            *dup = i;
            return 1;
        }
        ix->slot[s] = (long)i;
    }
    return 0;
}

void ss_result_index_free(ss_result_index *ix)
{
    free(ix->slot);
    ix->slot = NULL;
}

long ss_result_index_find(const ss_result_index *ix, const ss_result_row *k)
{
    return ix->slot[probe(ix, k)];
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
