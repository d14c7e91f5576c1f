#include "ss_dict.h"

#include <stdlib.h>
#include <string.h>

/* Eight bytes at a time, each word mixed by a multiply (keys are mostly
 * short ids, where a byte-at-a-time hash costs more than the lookup). */
static uint64_t hash_bytes(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    uint64_t h = UINT64_C(0x9e3779b97f4a7c15) ^ len;
    while (len >= 8) {
        uint64_t k;
        memcpy(&k, p, 8);
        h = (h ^ k) * UINT64_C(0xff51afd7ed558ccd);
        h ^= h >> 32;
        p += 8;
        len -= 8;
    }
    uint64_t k = 0;
    for (size_t i = 0; i < len; i++)
        k |= (uint64_t)p[i] << (8 * i);
    h = (h ^ k) * UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 29;
    h *= UINT64_C(0xbf58476d1ce4e5b9);
    return h ^ (h >> 32);
}

static uint32_t tag_of(uint64_t h, size_t len)
{
    return (uint32_t)(h >> 40) << 8 | (uint32_t)(len < 255 ? len : 255);
}

static uint64_t head_of(const char *s, size_t len)
{
    uint64_t k = 0;
    if (len >= 8)
        memcpy(&k, s, 8);
    else
        for (size_t i = 0; i < len; i++)
            k |= (uint64_t)(unsigned char)s[i] << (8 * i);
    return k;
}

int ss_dict_init(ss_dict *d)
{
    memset(d, 0, sizeof *d);
    d->cap = 16;
    d->slot = malloc(d->cap * sizeof *d->slot);
    if (!d->slot)
        return -1;
    for (size_t j = 0; j < d->cap; j++)
        d->slot[j].code = -1;
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
    ss_dict_slot *slot = malloc(cap * sizeof *slot);
    if (!slot)
        return -1;
    for (size_t j = 0; j < cap; j++)
        slot[j].code = -1;
    for (size_t c = 0; c < d->n; c++) {
        size_t j = (size_t)d->hash[c] & (cap - 1);
        while (slot[j].code >= 0)
            j = (j + 1) & (cap - 1);
        slot[j].code = (int32_t)c;
        slot[j].tag = tag_of(d->hash[c], d->len[c]);
        slot[j].head = head_of(d->str[c], d->len[c]);
    }
    free(d->slot);
    d->slot = slot;
    d->cap = cap;
    return 0;
}

static int32_t lookup(const ss_dict *d, const char *s, size_t len, uint64_t h,
                      size_t *where)
{
    const uint32_t tag = tag_of(h, len);
    const uint64_t head = head_of(s, len);
    size_t j = (size_t)h & (d->cap - 1);
    for (;;) {
        int32_t c = d->slot[j].code;
        if (c < 0) {
            *where = j;
            return -1;
        }
        if (d->slot[j].tag == tag && d->slot[j].head == head &&
            (len <= 8 || (d->len[c] == len && memcmp(d->str[c], s, len) == 0)))
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
    d->slot[where].code = c;
    d->slot[where].tag = tag_of(h, len);
    d->slot[where].head = head_of(s, len);
    if (d->n * 2 > d->cap && grow_table(d) != 0)
        return -1;
    return c;
}

/* ---- 64-bit keys to dense codes (ss_keymap) ---- */

int ss_keymap_init(ss_keymap *m, size_t expect)
{
    m->cap = 64;
    while (m->cap < expect * 2)
        m->cap *= 2;
    m->n = 0;
    m->key = malloc(m->cap * sizeof *m->key);
    m->val = malloc(m->cap * sizeof *m->val);
    if (!m->key || !m->val)
        return -1;
    memset(m->val, 0xff, m->cap * sizeof *m->val);
    return 0;
}

void ss_keymap_free(ss_keymap *m)
{
    free(m->key);
    free(m->val);
}

static uint64_t mix(uint64_t k)
{
    k ^= k >> 33;
    k *= UINT64_C(0xff51afd7ed558ccd);
    k ^= k >> 33;
    return k;
}

int64_t ss_keymap_get(ss_keymap *m, uint64_t key, int *added)
{
    if (m->n * 2 >= m->cap) {
        ss_keymap big;
        big.cap = m->cap * 2;
        big.n = m->n;
        big.key = malloc(big.cap * sizeof *big.key);
        big.val = malloc(big.cap * sizeof *big.val);
        if (!big.key || !big.val) {
            ss_keymap_free(&big);
            return -1;
        }
        memset(big.val, 0xff, big.cap * sizeof *big.val);
        for (size_t j = 0; j < m->cap; j++)
            if (m->val[j] != UINT32_MAX) {
                size_t k = (size_t)mix(m->key[j]) & (big.cap - 1);
                while (big.val[k] != UINT32_MAX)
                    k = (k + 1) & (big.cap - 1);
                big.key[k] = m->key[j];
                big.val[k] = m->val[j];
            }
        ss_keymap_free(m);
        *m = big;
    }
    size_t j = (size_t)mix(key) & (m->cap - 1);
    while (m->val[j] != UINT32_MAX) {
        if (m->key[j] == key) {
            *added = 0;
            return m->val[j];
        }
        j = (j + 1) & (m->cap - 1);
    }
    m->key[j] = key;
    m->val[j] = (uint32_t)m->n;
    *added = 1;
    return (int64_t)m->n++;
}
