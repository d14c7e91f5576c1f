/* gen_model: write a deterministic synthetic person file of a stratified
 * two-stage sample for the model case of `make bench`.
 *
 *   gen_model ROWS STRATA PSUS SEED OUT.csv
 *
 * The sample: STRATA strata, PSUS areas in each (ids unique across
 * strata: stratum * 1000 + j), households in the areas (the second stage,
 * hh = psu * 10000 + k) and their persons, one row each.  A person file as
 * surveys deliver it: the persons of a household on consecutive rows, the
 * households in no order of the design (each picks its area at random).
 * 16 columns:
 *
 *   stratum, psu, hh    the design
 *   w                   the weight: the area's base weight (80 .. 480) times
 *                       a household adjustment (0.7 .. 1.3) and a person's
 *                       (0.9 .. 1.1), printed with nine decimals, as a
 *                       calibrated weight is
 *   y                   0/1, drawn from a logistic model of the columns
 *                       below with area and household effects (about 3%
 *                       empty)
 *   age                 18 .. 90 (about 2% empty)
 *   sex                 female, male
 *   region              north, south, east, west, centre
 *   educ                primary, secondary, tertiary
 *   income              monthly income in thousands, two decimals, log-
 *                       normal around 6 (about 4% empty)
 *   q1 .. q5            1 .. 5 answers the model does not use
 *   note                free text the model does not use
 *
 * The logistic model `y ~ age + sex + region + educ + income` has 10
 * coefficients.  The stream is splitmix64 from SEED: the same arguments
 * give the same bytes (the normal draws, Box-Muller, and the model's
 * probabilities use libm's log, exp and cos: the same bytes on machines
 * with the same libm; glibc's are within an ulp everywhere).  The file is
 * written to OUT.tmp and renamed. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_common.h"




/* Uniform on (0, 1): 53 random bits, never 0. */
static double unif(void)
{
    return ((double)(next() >> 11) + 0.5) / 9007199254740992.0;
}

static double normal(void)
{
    return sqrt(-2 * log(unif())) * cos(6.283185307179586 * unif());
}



static char *put_str(char *p, const char *s)
{
    size_t n = strlen(s);
    memcpy(p, s, n);
    return p + n;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: gen_model ROWS STRATA PSUS SEED OUT.csv\n");
        return 2;
    }
    unsigned long long rows = strtoull(argv[1], NULL, 10);
    uint32_t nstrata = (uint32_t)strtoul(argv[2], NULL, 10);
    uint32_t npsu = (uint32_t)strtoul(argv[3], NULL, 10);
    state = strtoull(argv[4], NULL, 10);
    if (rows == 0 || nstrata == 0 || nstrata > 999999 || npsu < 2 || npsu > 999 ||
        rows > (unsigned long long)nstrata * npsu * 9999) {
        fprintf(stderr, "gen_model: need ROWS >= 1, 1 <= STRATA < 10^6, 2 <= PSUS <= 999,"
                        " ROWS <= STRATA x PSUS x 9999\n");
        return 2;
    }
    char *tmp;
    FILE *fp = gen_open(argv[5], &tmp);
    if (!fp)
        return 1;

    static const char *const sexes[2] = {"female", "male"};
    static const char *const regions[5] = {"north", "south", "east", "west", "centre"};
    static const double region_eff[5] = {0, 0.25, -0.15, 0.4, -0.3};
    static const char *const educs[3] = {"primary", "secondary", "tertiary"};
    static const double educ_eff[3] = {0, 0.35, 0.7};

    /* Per area: base weight (in 10^-9), households so far, an effect on
     * the outcome and a region (areas of a stratum share most of it). */
    uint32_t total = nstrata * npsu;
    uint64_t *base = malloc(total * sizeof *base);
    uint32_t *nhh = malloc(total * sizeof *nhh), *reg = malloc(total * sizeof *reg);
    double *eff = malloc(total * sizeof *eff);
    if (!base || !nhh || !reg || !eff)
        return 1;
    for (uint32_t k = 0; k < total; k++) {
        base[k] = 80000000000ull + (uint64_t)(unif() * 400000000000.0);
        nhh[k] = 0;
        reg[k] = below(4) == 0 ? below(5) : (k / npsu) % 5;
        eff[k] = 0.3 * normal();
    }
    /* household sizes 1 .. 6: P = .25 .30 .20 .15 .07 .03 (mean 2.6) */
    static const uint32_t size_cut[6] = {25, 55, 75, 90, 97, 100};
    fputs("stratum,psu,hh,w,y,age,sex,region,educ,income,q1,q2,q3,q4,q5,note\n", fp);
    char line[512];
    unsigned long long i = 0;
    while (i < rows) {
        uint32_t k = below(total);
        if (nhh[k] == 9999) /* the area is full: the next one */
            continue;
        uint32_t h = k / npsu + 1, j = k % npsu + 1, u = below(100), size = 1;
        while (u >= size_cut[size - 1])
            size++;
        uint64_t psu = (uint64_t)h * 1000 + j, hh = psu * 10000 + ++nhh[k];
        double hadj = 0.7 + 0.6 * unif(), heff = 0.2 * normal();
        uint32_t region = below(5) == 0 ? below(5) : reg[k];
        for (uint32_t person = 0; person < size && i < rows; person++, i++) {
            uint64_t w = (uint64_t)((double)base[k] * hadj * (0.9 + 0.2 * unif()));
            uint32_t age = 18 + below(73), sex = below(2), educ = below(10);
            educ = educ < 3 ? 0 : educ < 8 ? 1 : 2;
            double income =
                exp(log(6.0) + 0.25 * educ + 0.004 * ((double)age - 18) + 0.5 * normal());
            double eta = -1.2 + 0.015 * ((double)age - 50) + 0.3 * sex + region_eff[region] +
                         educ_eff[educ] - 0.02 * income + eff[k] + heff;
            uint32_t y = unif() < 1 / (1 + exp(-eta));
            char *p = line;
            p = put_uint(p, h);
            *p++ = ',';
            p = put_uint(p, psu);
            *p++ = ',';
            p = put_uint(p, hh);
            *p++ = ',';
            p = put_fixed(p, w, 9);
            *p++ = ',';
            if (below(100) >= 3)
                *p++ = (char)('0' + y);
            *p++ = ',';
            if (below(100) >= 2)
                p = put_uint(p, age);
            *p++ = ',';
            p = put_str(p, sexes[sex]);
            *p++ = ',';
            p = put_str(p, regions[region]);
            *p++ = ',';
            p = put_str(p, educs[educ]);
            *p++ = ',';
            if (below(100) >= 4)
                p = put_fixed(p, (uint64_t)(income * 100 + 0.5), 2);
            for (int q = 0; q < 5; q++) {
                *p++ = ',';
                *p++ = (char)('1' + below(5));
            }
            *p++ = ',';
            uint32_t nt = below(20);
            if (nt == 3)
                p = put_str(p, "\"\"\"refused\"\" q3\"");
            else if (nt == 2)
                p = put_str(p, "\"proxy, spouse\"");
            else if (nt == 1)
                p = put_str(p, "called back");
            *p++ = '\n';
            fwrite(line, 1, (size_t)(p - line), fp);
        }
    }
    if (gen_close(fp, tmp, argv[5]) != 0)
        return 1;
    free(base);
    free(nhh);
    free(reg);
    free(eff);
    return 0;
}
