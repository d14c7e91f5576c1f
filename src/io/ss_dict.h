/* ss_dict: the project's hash tables: a dictionary of byte strings, each
 * given the next code 0, 1, ... (ss_dict), and its sibling for 64-bit keys
 * (ss_keymap: the units of a design, keyed by stratum and id codes).
 *
 * Used for categorical columns (levels), PSU and stratum keys.  Strings are
 * copied into the dictionary, which owns them; lookups never allocate once
 * the table has grown to fit.  Open addressing with a 64-bit hash; each
 * slot keeps part of its string's hash, its length and first 8 bytes, so
 * that looking up a short string (most ids and codes) reads nothing but
 * the slot. */
#ifndef SS_DICT_H
#define SS_DICT_H

#include <stddef.h>
#include <stdint.h>

typedef struct ss_dict_slot {
    int32_t code;      /* -1 when empty */
    uint32_t tag;      /* 24 bits of the hash of code's string, then its
                        * length (255 = 255 or more) */
    uint64_t head;     /* its first 8 bytes, zero-padded */
} ss_dict_slot;

typedef struct ss_dict {
    size_t n;          /* strings held */
    size_t cap;        /* slots in the hash table (a power of two) */
    ss_dict_slot *slot;
    uint64_t *hash;    /* hash per code */
    char **str;        /* NUL-terminated copies, per code */
    size_t *len;       /* length per code */
    size_t str_cap;    /* allocated entries in str/len/hash */
} ss_dict;

int ss_dict_init(ss_dict *d);
void ss_dict_free(ss_dict *d);

/* Code of s[0..len), adding it when new.  Returns -1 when out of memory or
 * past INT32_MAX strings. */
int32_t ss_dict_intern(ss_dict *d, const char *s, size_t len);

/* Code of s[0..len), or -1 when absent. */
int32_t ss_dict_find(const ss_dict *d, const char *s, size_t len);

/* 64-bit keys to the dense codes 0, 1, ... in the order first seen.
 * Open addressing, linear probing; keys are mixed (murmur3's finalizer). */
typedef struct ss_keymap {
    size_t cap, n;
    uint64_t *key;
    uint32_t *val; /* UINT32_MAX = empty */
} ss_keymap;

/* 0, or -1 when out of memory (then ss_keymap_free is still safe). */
int ss_keymap_init(ss_keymap *m, size_t expect);
void ss_keymap_free(ss_keymap *m);
/* The code of key, adding it as m->n when new (*added set to 1, else 0);
 * -1 when out of memory. */
int64_t ss_keymap_get(ss_keymap *m, uint64_t key, int *added);

#endif
