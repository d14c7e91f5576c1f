#include "ss_result.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void ss_result_init(ss_result *r)
{
    r->n = r->cap = 0;
    r->row = NULL;
    r->tests = 0;
    r->note_name = NULL;
    r->waves = 0;
    r->conf_level = NAN;
    r->labels = 0;
}

static void row_free(ss_result_row *x)
{
    free(x->wave);
    free(x->statistic);
    free(x->variable);
    free(x->level);
    free(x->domain);
    free(x->flag);
    free(x->note);
    free(x->wave_from);
    free(x->wave_to);
    free(x->var_label);
    free(x->by_label);
}

void ss_result_free(ss_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        row_free(&r->row[i]);
    free(r->row);
    ss_result_init(r);
}

static char *dup0(const char *s)
{
    return strdup(s ? s : "");
}

int ss_result_set_str(char **field, const char *value)
{
    char *c = dup0(value);
    if (!c)
        return -1;
    free(*field);
    *field = c;
    return 0;
}

ss_result_row *ss_result_add(ss_result *r, const char *statistic,
                             const char *variable, const char *level,
                             const char *domain)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 64;
        ss_result_row *p = realloc(r->row, cap * sizeof *p);
        if (!p)
            return NULL;
        r->row = p;
        r->cap = cap;
    }
    ss_result_row *x = &r->row[r->n];
    memset(x, 0, sizeof *x);
    x->wave = dup0(NULL);
    x->statistic = dup0(statistic);
    x->variable = dup0(variable);
    x->level = dup0(level);
    x->domain = dup0(domain);
    x->flag = dup0(NULL);
    if (!x->wave || !x->statistic || !x->variable || !x->level || !x->domain || !x->flag) {
        row_free(x);
        return NULL;
    }
    x->estimate = x->se = x->ci_low = x->ci_high = x->df = x->deff = NAN;
    x->n = x->n_eff = x->cv = NAN;
    x->t = x->p_value = x->p_holm = NAN;
    r->n++;
    return x;
}

int ss_result_move(ss_result *dst, ss_result *src)
{
    if (src->n == 0)
        return 0;
    if (dst->n + src->n > dst->cap) {
        size_t cap = dst->cap ? dst->cap : 16;
        while (cap < dst->n + src->n)
            cap *= 2;
        ss_result_row *r = realloc(dst->row, cap * sizeof *r);
        if (!r)
            return -1;
        dst->row = r;
        dst->cap = cap;
    }
    memcpy(dst->row + dst->n, src->row, src->n * sizeof *src->row);
    dst->n += src->n;
    src->n = 0;
    return 0;
}

size_t ss_result_domain_value(const char *value, size_t len, char *out)
{
    int quote = 0;
    for (size_t i = 0; i < len && !quote; i++)
        quote = value[i] == ';' || value[i] == '=' || value[i] == '"';
    if (!quote) {
        memcpy(out, value, len);
        return len;
    }
    size_t o = 0;
    out[o++] = '"';
    for (size_t i = 0; i < len; i++) {
        if (value[i] == '"')
            out[o++] = '"';
        out[o++] = value[i];
    }
    out[o++] = '"';
    return o;
}

const char *ss_result_domain_part(const char *p, const char **key, size_t *klen, char *value,
                                  size_t size)
{
    const char *eq = strchr(p, '=');
    const char *semi = strchr(p, ';');
    if (!eq || (semi && semi < eq) || size == 0)
        return NULL;
    *key = p;
    *klen = (size_t)(eq - p);
    const char *v = eq + 1;
    size_t o = 0;
    if (*v != '"') {
        const char *end = strchr(v, ';');
        size_t n = end ? (size_t)(end - v) : strlen(v);
        if (n >= size)
            n = size - 1;
        memcpy(value, v, n);
        value[n] = '\0';
        return end ? end + 1 : v + strlen(v);
    }
    for (v++;; v++) {
        if (*v == '\0')
            return NULL;
        if (*v == '"') {
            if (v[1] != '"')
                break;
            v++;
        }
        if (o + 1 < size)
            value[o++] = *v;
    }
    value[o] = '\0';
    v++; /* past the closing quote */
    if (*v == ';')
        return v + 1;
    return *v == '\0' ? v : NULL;
}
