/* gen_acs: write a deterministic file shaped like an American Community
 * Survey PUMS person file, for case 4 of `make bench`.
 *
 *   gen_acs ROWS SEED > persons.csv
 *
 * Columns, in this order:
 *   SERIALNO        the household's id as a quoted string ("2023HU0000042");
 *                   1 to 6 persons a household share it
 *   SPORDER         the person's number in the household (1, 2, ...)
 *   PUMA            a 5-digit area code with leading zeros (00100 ...)
 *   ST              the state: the 50 states' FIPS codes (1 .. 56, not 11),
 *                   rows in state order, each state's share of ROWS about
 *                   its share of the US population
 *   PWGTP           the person weight, an integer 1 .. ~1500
 *   AGEP            age 0 .. 95
 *   SEX             1 or 2
 *   ESR             employment status recode 1 .. 6, empty under age 16
 *   PINCP           income in whole dollars: empty under age 15 (about 15%
 *                   of rows), 0 for some, negative (losses) for a few
 *   PWGTP1..PWGTP80 the successive-difference replicate weights: PWGTP
 *                   times a replicate factor 1 - 2^-1/2, 1 or 1 + 2^-1/2
 *                   (from two rows of a +-1 pattern, as the ACS's SDR
 *                   factors 1 + 2^-3/2 (h1 - h2)), a household's persons
 *                   sharing it, times a small noise for the raking the
 *                   Census Bureau redoes per replicate, rounded; about 1 in
 *                   200 is 0.
 *
 * The stream is splitmix64 from SEED: the same arguments give the same
 * bytes on every machine.  Numbers are formatted by hand (85 million
 * fields for a million rows). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_common.h"

#define NREP 80




/* Uniform on [0, 1). */
static double unif(void)
{
    return (double)(next() >> 11) * (1.0 / 9007199254740992.0);
}

/* A rough standard normal: the sum of 4 uniforms, centred and scaled. */
static double normal(void)
{
    double s = unif() + unif() + unif() + unif();
    return (s - 2) * 1.7320508075688772;
}

/* e^x as (1 + x/2^12)^(2^12): close enough for a generator, and the same
 * bytes everywhere (no libm). */
static double expo(double x)
{
    double e = 1 + x / 4096;
    for (int k = 0; k < 12; k++)
        e *= e;
    return e;
}

static char *put_int(char *p, long v)
{
    char tmp[24];
    int k = 0;
    unsigned long u = v < 0 ? (unsigned long)-v : (unsigned long)v;
    if (v < 0)
        *p++ = '-';
    do {
        tmp[k++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    while (k)
        *p++ = tmp[--k];
    return p;
}

static char *put_padded(char *p, unsigned long v, int width)
{
    for (int k = width - 1; k >= 0; k--) {
        p[k] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + width;
}

/* The 50 states' FIPS codes and their populations in 100,000s (2020,
 * rounded). */
static const int st_code[50] = {1,  2,  4,  5,  6,  8,  9,  10, 12, 13, 15, 16, 17,
                                18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
                                31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 44,
                                45, 46, 47, 48, 49, 50, 51, 53, 54, 55, 56};
static const int st_pop[50] = {50,  7,   71,  30, 395, 58,  36,  10,  215, 107, 15,  18, 128,
                               68,  32,  29,  45,  47, 14,  62,  70,  101, 57,  30,  62, 11,
                               20,  31,  14,  93,  21, 202, 104, 8,   118, 40,  42,  130, 11,
                               51,  9,   69,  291, 33, 6,   86,  77,  18,  59,  6};

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: gen_acs ROWS SEED > persons.csv\n");
        return 2;
    }
    char *end;
    unsigned long long rows = strtoull(argv[1], &end, 10);
    if (*end || rows == 0) {
        fprintf(stderr, "gen_acs: ROWS must be a positive whole number\n");
        return 2;
    }
    state = strtoull(argv[2], &end, 10);
    if (*end) {
        fprintf(stderr, "gen_acs: SEED must be a whole number\n");
        return 2;
    }
    /* the +-1 pattern of the replicate factors: row r of a Hadamard-like
     * sign table h(r, j) for household column j (0 .. 127): Walsh
     * functions, balanced over j for every r > 0 */
    static signed char sign[NREP + 1][128];
    for (int r = 0; r <= NREP; r++)
        for (int j = 0; j < 128; j++)
            sign[r][j] = (__builtin_popcount((unsigned)(r & j)) & 1) ? -1 : 1;
    long total_pop = 0;
    for (int s = 0; s < 50; s++)
        total_pop += st_pop[s];

    size_t cap = 1 << 20;
    char *buf = malloc(cap + 4096);
    if (!buf)
        return 1;
    char *p = buf;
    p += sprintf(p, "SERIALNO,SPORDER,PUMA,ST,PWGTP,AGEP,SEX,ESR,PINCP");
    for (int r = 1; r <= NREP; r++)
        p += sprintf(p, ",PWGTP%d", r);
    *p++ = '\n';

    unsigned long long done = 0, serial = 0;
    long cum = 0;
    for (int s = 0; s < 50 && done < rows; s++) {
        cum += st_pop[s];
        unsigned long long upto = s == 49 ? rows : (unsigned long long)((double)rows * cum / total_pop);
        unsigned npuma = 5 + (unsigned)st_pop[s] / 2;
        while (done < upto) {
            /* one household */
            serial++;
            unsigned size = 1 + below(4) + (below(4) == 0 ? below(3) : 0);
            unsigned puma = 100 + 100 * below(npuma);
            double hw = 20 + 80 * (0.5 + unif()) * (1 + (below(10) == 0 ? 4 * unif() : 0));
            unsigned col = below(128), col2 = below(128);
            double fac[NREP];
            for (int r = 0; r < NREP; r++)
                fac[r] = 1 + 0.7071067811865476 * 0.5 *
                                 (sign[r + 1][col] - sign[(r + 41) % NREP + 1][col2]);
            for (unsigned k = 1; k <= size && done < upto; k++, done++) {
                int age = k == 1 ? 18 + (int)below(70) : below(6) == 0 ? (int)below(18) : (int)below(90);
                if (age > 95)
                    age = 95;
                long w = (long)(hw * (0.8 + 0.4 * unif()) + 0.5);
                if (w < 1)
                    w = 1;
                if (w > 1500)
                    w = 1500;
                if ((size_t)(p - buf) > cap) {
                    fwrite(buf, 1, (size_t)(p - buf), stdout);
                    p = buf;
                }
                int gq = below(30) == 0;
                *p++ = '"';
                p = put_int(p, 2023);
                *p++ = gq ? 'G' : 'H';
                *p++ = gq ? 'Q' : 'U';
                p = put_padded(p, serial, 7);
                *p++ = '"';
                *p++ = ',';
                p = put_int(p, (long)k);
                *p++ = ',';
                p = put_padded(p, puma, 5);
                *p++ = ',';
                p = put_int(p, st_code[s]);
                *p++ = ',';
                p = put_int(p, w);
                *p++ = ',';
                p = put_int(p, age);
                *p++ = ',';
                p = put_int(p, 1 + (long)below(2));
                *p++ = ',';
                if (age >= 16) {
                    /* 1 employed, 2 employed not at work, 3 unemployed,
                     * 4/5 armed forces, 6 not in labor force */
                    uint32_t u = below(1000);
                    int esr = age >= 67 ? (u < 200 ? 1 : 6)
                              : u < 580 ? 1 : u < 600 ? 2 : u < 640 ? 3 : u < 645 ? 4 : u < 647 ? 5 : 6;
                    p = put_int(p, esr);
                }
                *p++ = ',';
                if (age >= 15) {
                    long inc;
                    uint32_t u = below(100);
                    if (u < 8)
                        inc = 0;
                    else if (u < 9)
                        inc = -(long)(1 + below(19998));
                    else {
                        double x = 10.3 + 0.9 * normal() + (age > 25 && age < 65 ? 0.5 : 0);
                        inc = (long)(expo(x) / 10 + 0.5) * 10;
                        if (inc > 1500000)
                            inc = 1500000;
                    }
                    p = put_int(p, inc);
                }
                for (int r = 0; r < NREP; r++) {
                    *p++ = ',';
                    long rw = below(200) == 0 ? 0
                                              : (long)(w * fac[r] * (0.95 + 0.1 * unif()) + 0.5);
                    p = put_int(p, rw);
                }
                *p++ = '\n';
            }
        }
    }
    fwrite(buf, 1, (size_t)(p - buf), stdout);
    free(buf);
    if (fflush(stdout) != 0) {
        perror("gen_acs");
        return 1;
    }
    return 0;
}
