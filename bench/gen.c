/* gen: write a deterministic synthetic survey file for `make bench`.
 *
 *   gen ROWS STRATA PSUS SEED OUT.csv [FORMAT]
 *
 * 15 columns: stratum, psu (ids unique across strata: stratum * 100 + j),
 * w (a PSU base weight times a row factor, one decimal), region (20 domains,
 * r1 .. r20), sat (a 1..5 answer, as a category), q1 .. q8 (1..7 scores
 * with a PSU effect), q9 (an integer 0..99) and q10 (one decimal, 0.0 ..
 * 9.9).  Each row picks its PSU at random, so the file is not sorted by
 * design variable.  The stream is splitmix64 from SEED: the same arguments
 * give the same bytes on every machine.  The file is written to OUT.tmp and
 * renamed, so an interrupted run never leaves a short OUT behind.
 *
 * FORMAT (default "tenths": the file described above, byte for byte as
 * before) writes numbers as real survey files hold them:
 *   realistic       w with three decimals (98.428: a base weight of 50.000
 *                   .. 149.999 times 0.80 .. 1.20);
 *   realistic-long  w with eight decimals, a population count over a sample
 *                   count per PSU times the row factor (1033.72413793);
 * and in both about 2% of the cells of q1 .. q10 empty (missing), and a
 * 16th column, note: empty, a word, or (1 row in 100) a quoted text with
 * commas ("Smith, J., flat 4").
 *
 * Numbers are formatted by hand: printf for 150 million fields would take
 * longer than the benchmark itself. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_common.h"






/* v tenths as "I.D". */
static char *put_tenths(char *p, uint32_t v)
{
    return put_fixed(p, v, 1);
}

enum { TENTHS, REALISTIC, REALISTIC_LONG };

/* realistic: an item's cell is empty in 2 rows of 100. */
static int missing_cell(int format)
{
    return format != TENTHS && below(50) == 0;
}

/* The note column: empty, a word, or a quoted text with commas. */
static char *put_note(char *p)
{
    static const char *const word[] = {"ok", "refused", "proxy", "callback", "web"};
    static const char *const quoted[] = {"\"Smith, J., flat 4\"", "\"no answer, left card\"",
                                         "\"moved, new address: 12, Elm St\"",
                                         "\"interview in Spanish, partial\""};
    uint32_t u = below(100);
    const char *s = u == 0 ? quoted[below(4)] : u < 40 ? word[below(5)] : "";
    size_t n = strlen(s);
    memcpy(p, s, n);
    return p + n;
}

int main(int argc, char **argv)
{
    int format = TENTHS;
    if (argc == 7 && strcmp(argv[6], "realistic") == 0)
        format = REALISTIC;
    else if (argc == 7 && strcmp(argv[6], "realistic-long") == 0)
        format = REALISTIC_LONG;
    else if (argc == 7 && strcmp(argv[6], "tenths") != 0)
        argc = 0;
    if (argc != 6 && argc != 7) {
        fprintf(stderr, "usage: gen ROWS STRATA PSUS SEED OUT.csv "
                        "[tenths|realistic|realistic-long]\n");
        return 2;
    }
    unsigned long long rows = strtoull(argv[1], NULL, 10);
    uint32_t nstrata = (uint32_t)strtoul(argv[2], NULL, 10);
    uint32_t npsu = (uint32_t)strtoul(argv[3], NULL, 10);
    state = strtoull(argv[4], NULL, 10);
    if (rows == 0 || nstrata == 0 || npsu < 2 || npsu > 99) {
        fprintf(stderr, "gen: need ROWS >= 1, STRATA >= 1, 2 <= PSUS <= 99\n");
        return 2;
    }
    char *tmp;
    FILE *fp = gen_open(argv[5], &tmp);
    if (!fp)
        return 1;

    /* Per PSU: a base weight in tenths (50.0 .. 149.9) and a modal score. */
    uint32_t total = nstrata * npsu;
    uint32_t *base = malloc(total * sizeof *base);
    uint32_t *mode = malloc(total * sizeof *mode);
    uint32_t *popn = malloc(total * sizeof *popn), *sampn = malloc(total * sizeof *sampn);
    if (!base || !mode || !popn || !sampn)
        return 1;
    for (uint32_t k = 0; k < total; k++) {
        base[k] = 500 + below(1000);
        mode[k] = 1 + below(7);
    }
    /* After the default file's draws, so that its stream is unchanged. */
    for (uint32_t k = 0; k < total && format != TENTHS; k++) {
        if (format == REALISTIC)
            base[k] = base[k] * 100 + below(100); /* thousandths */
        popn[k] = 20000 + below(20000);
        sampn[k] = 11 + below(29);
    }
    fputs(format == TENTHS ? "stratum,psu,w,region,sat,q1,q2,q3,q4,q5,q6,q7,q8,q9,q10\n"
                           : "stratum,psu,w,region,sat,q1,q2,q3,q4,q5,q6,q7,q8,q9,q10,note\n",
          fp);
    /* sat: P(1..5) = .05 .10 .20 .40 .25 on a 0..99 draw. */
    static const uint32_t sat_cut[5] = {5, 15, 35, 75, 100};
    char line[256];
    for (unsigned long long i = 0; i < rows; i++) {
        uint32_t k = below(total);
        uint32_t h = k / npsu + 1, j = k % npsu + 1;
        char *p = line;
        p = put_uint(p, h);
        *p++ = ',';
        p = put_uint(p, h * 100 + j);
        *p++ = ',';
        uint32_t f = 80 + below(41); /* x 0.80 .. 1.20 */
        if (format == TENTHS)
            p = put_tenths(p, base[k] * f / 100);
        else if (format == REALISTIC)
            p = put_fixed(p, (uint64_t)base[k] * f / 100, 3);
        else /* popn / sampn * f / 100 in units of 10^-8, rounded */
            p = put_fixed(p, ((uint64_t)popn[k] * f * 1000000u + sampn[k] / 2) / sampn[k], 8);
        *p++ = ',';
        *p++ = 'r';
        p = put_uint(p, 1 + below(20));
        *p++ = ',';
        uint32_t u = below(100), s = 0;
        while (u >= sat_cut[s])
            s++;
        *p++ = (char)('1' + s);
        for (int q = 0; q < 8; q++) {
            uint32_t v = below(4) == 0 ? mode[k] : 1 + below(7);
            *p++ = ',';
            if (!missing_cell(format))
                *p++ = (char)('0' + v);
        }
        *p++ = ',';
        uint32_t v9 = (below(100) + mode[k] * 10) % 100;
        if (!missing_cell(format))
            p = put_uint(p, v9);
        *p++ = ',';
        uint32_t v10 = below(100);
        if (!missing_cell(format))
            p = put_tenths(p, v10);
        if (format != TENTHS) {
            *p++ = ',';
            p = put_note(p);
        }
        *p++ = '\n';
        fwrite(line, 1, (size_t)(p - line), fp);
    }
    if (gen_close(fp, tmp, argv[5]) != 0)
        return 1;
    free(base);
    free(mode);
    free(popn);
    free(sampn);
    return 0;
}
