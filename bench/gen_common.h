/* What the bench generators share (each bench/gen*.c is its own program
 * and includes this once): the seeded random numbers (splitmix64), number
 * writing without printf, and the output file written to OUT.tmp and
 * renamed, so an interrupted run never leaves a short OUT behind. */
#ifndef GEN_COMMON_H
#define GEN_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state;

static inline uint64_t next(void)
{
    uint64_t z = (state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* Uniform on 0 .. n-1 (multiply-shift; the bias is below 2^-32 here). */
static inline uint32_t below(uint32_t n)
{
    return (uint32_t)(((next() >> 32) * (uint64_t)n) >> 32);
}

static inline char *put_uint(char *p, uint64_t v)
{
    char tmp[20];
    int k = 0;
    do {
        tmp[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (k)
        *p++ = tmp[--k];
    return p;
}

/* v / 10^dec with dec decimals, all written ("I.DDD"). */
static inline char *put_fixed(char *p, uint64_t v, int dec)
{
    uint64_t div = 1;
    for (int k = 0; k < dec; k++)
        div *= 10;
    p = put_uint(p, v / div);
    *p++ = '.';
    uint64_t frac = v % div;
    for (int k = dec - 1; k >= 0; k--) {
        p[k] = (char)('0' + frac % 10);
        frac /= 10;
    }
    return p + dec;
}

/* OUT.tmp opened for writing with a 1 MB buffer (*tmp: its name, for
 * gen_close), or NULL after a message. */
static inline FILE *gen_open(const char *out, char **tmp)
{
    static char obuf[1 << 20];
    size_t len = strlen(out);
    *tmp = malloc(len + 5);
    if (!*tmp)
        return NULL;
    memcpy(*tmp, out, len);
    memcpy(*tmp + len, ".tmp", 5);
    FILE *fp = fopen(*tmp, "wb");
    if (!fp) {
        perror(*tmp);
        return NULL;
    }
    setvbuf(fp, obuf, _IOFBF, sizeof obuf);
    return fp;
}

/* Close OUT.tmp and rename it to OUT: 0, or 1 after a message. */
static inline int gen_close(FILE *fp, char *tmp, const char *out)
{
    if (fclose(fp) != 0 || rename(tmp, out) != 0) {
        perror(out);
        remove(tmp);
        free(tmp);
        return 1;
    }
    free(tmp);
    return 0;
}

#endif
