#include "ss_dict.h"

#include <stdlib.h>
#include <string.h>

static uint64_t hash_bytes(const char *s, size_t len)
{
    uint64_t h = UINT64_C(1469598103934665603);
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= UINT64_C(1099511628211);
    }
    return h ^ (h >> 29);
}

int ss_dict_init(ss_dict *d)
{
    memset(d, 0, sizeof *d);
    d->cap = 16;
    d->slot = malloc(d->cap * sizeof *d->slot);
    if (!d->slot)
        return -1;
    memset(d->slot, 0xff, d->cap * sizeof *d->slot);
    return 0;
}

void ss_dict_free(ss_dict *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        free(d->str[i]);
    free(d->str);
    free(d->len);
    free(d->hash);
    free(d->slot);
    memset(d, 0, sizeof *d);
}

static int grow_table(ss_dict *d)
{
    size_t cap = d->cap * 2;
    int32_t *slot = malloc(cap * sizeof *slot);
    if (!slot)
        return -1;
    memset(slot, 0xff, cap * sizeof *slot);
    for (size_t c = 0; c < d->n; c++) {
        size_t j = (size_t)d->hash[c] & (cap - 1);
        while (slot[j] >= 0)
            j = (j + 1) & (cap - 1);
        slot[j] = (int32_t)c;
    }
    free(d->slot);
    d->slot = slot;
    d->cap = cap;
    return 0;
}

static int32_t lookup(const ss_dict *d, const char *s, size_t len, uint64_t h,
                      size_t *where)
{
    size_t j = (size_t)h & (d->cap - 1);
    for (;;) {
        int32_t c = d->slot[j];
        if (c < 0) {
            *where = j;
            return -1;
        }
        if (d->hash[c] == h && d->len[c] == len && memcmp(d->str[c], s, len) == 0)
            return c;
        j = (j + 1) & (d->cap - 1);
    }
}

int32_t ss_dict_find(const ss_dict *d, const char *s, size_t len)
{
    size_t where;
    if (!d->slot)
        return -1;
    return lookup(d, s, len, hash_bytes(s, len), &where);
}

int32_t ss_dict_intern(ss_dict *d, const char *s, size_t len)
{
    uint64_t h = hash_bytes(s, len);
    size_t where;
    int32_t c = lookup(d, s, len, h, &where);
    if (c >= 0)
        return c;
    if (d->n >= (size_t)INT32_MAX)
        return -1;
    if (d->n == d->str_cap) {
        size_t cap = d->str_cap ? d->str_cap * 2 : 16;
        char **str = realloc(d->str, cap * sizeof *str);
        if (!str)
            return -1;
        d->str = str;
        size_t *l = realloc(d->len, cap * sizeof *l);
        if (!l)
            return -1;
        d->len = l;
        uint64_t *hh = realloc(d->hash, cap * sizeof *hh);
        if (!hh)
            return -1;
        d->hash = hh;
        d->str_cap = cap;
    }
    char *copy = malloc(len + 1);
    if (!copy)
        return -1;
    memcpy(copy, s, len);
    copy[len] = '\0';
    c = (int32_t)d->n;
    d->str[c] = copy;
    d->len[c] = len;
    d->hash[c] = h;
    d->n++;
    d->slot[where] = c;
    if (d->n * 2 > d->cap && grow_table(d) != 0)
        return -1;
    return c;
}
