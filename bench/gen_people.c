/* gen_people: a deterministic person file of a two-stage household survey
 * for `make bench` (the domain, table and model cases).
 *
 *   gen_people ROWS SEED OUT.csv
 *
 * Households are written one after another (their persons together, as a
 * survey's person file is), each in a PSU drawn at random from 100 strata x
 * 20 PSUs, so the file is not sorted by design variable.  Columns:
 *
 *   stratum   1..100
 *   psu       stratum * 100 + j (unique across strata)
 *   hh        the household's number in the file (unique), the second stage
 *   w         the household's weight with eight decimals, as weights adjusted
 *             for nonresponse are written (1033.72413793)
 *   district  d1..d5000 (5,000 domains, drawn per household)
 *   area      ten text levels; "Harbour, old town" is quoted (a comma inside)
 *   answer    a 1..12 code, 2% missing (an empty cell)
 *   age       16..90
 *   sex       F or M
 *   edu       1..5
 *   hhsize    the household's number of persons, 1..6
 *   urban     0 or 1 (per PSU)
 *   income    in units with two decimals, depending on edu, age and sex;
 *             3% missing (an empty cell)
 *   employed  0 or 1, more likely with edu, less at the ends of the age range
 *   note      an interviewer's remark in 1% of the rows, quoted, with commas
 *             and doubled quotes ("said ""later"", then ...); else empty
 *
 * Everything is integer or basic double arithmetic on a splitmix64 stream
 * from SEED: the same arguments give the same bytes on every machine.  The
 * file is written to OUT.tmp and renamed, so an interrupted run never
 * leaves a short OUT behind. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_common.h"




enum { STRATA = 100, PSUS = 20, DISTRICTS = 5000 };

static const char *const area_name[10] = {
    "North", "South", "East", "West", "Centre", "\"Harbour, old town\"", "Hills",
    "Airport", "Riverside", "New town"};

static const char *const notes[4] = {
    "\"said \"\"later\"\", then answered\"", "\"refused income, gave age\"",
    "\"proxy interview, spouse\"", "\"language: Polish, interpreter\""};

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: gen_people ROWS SEED OUT.csv\n");
        return 2;
    }
    unsigned long long rows = strtoull(argv[1], NULL, 10);
    state = strtoull(argv[2], NULL, 10);
    if (rows == 0) {
        fprintf(stderr, "gen_people: need ROWS >= 1\n");
        return 2;
    }
    char *tmp;
    FILE *fp = gen_open(argv[3], &tmp);
    if (!fp)
        return 1;

    /* Per PSU: a base weight in 1/1000 (150.000 .. 1349.999), urban or not. */
    uint32_t base[STRATA * PSUS], urban[STRATA * PSUS];
    for (uint32_t k = 0; k < STRATA * PSUS; k++) {
        base[k] = 150000 + below(1200000);
        urban[k] = below(3) != 0;
    }
    fputs("stratum,psu,hh,w,district,area,answer,age,sex,edu,hhsize,urban,income,employed,"
          "note\n",
          fp);
    unsigned long long written = 0, hh = 0;
    while (written < rows) {
        uint32_t k = below(STRATA * PSUS);
        uint32_t h = k / PSUS + 1, j = k % PSUS + 1;
        uint32_t size = 1 + below(6);
        /* The household's weight: the base over a response rate of 0.55 ..
         * 0.95 (a division: many decimals), printed with eight. */
        double w = (double)base[k] / 1000.0 / (0.55 + (double)below(4000) / 10000.0);
        uint32_t district = 1 + below(DISTRICTS), area = below(10);
        hh++;
        for (uint32_t p = 0; p < size && written < rows; p++, written++) {
            uint32_t age = 16 + below(75), edu = 1 + below(5), male = below(2);
            fprintf(fp, "%u,%u,%llu,%.8f,d%u,%s,", h, h * 100 + j, hh, w, district,
                    area_name[area]);
            if (below(50) != 0)
                fprintf(fp, "%u", 1 + (below(3) == 0 ? (area + edu) % 12 : below(12)));
            fprintf(fp, ",%u,%s,%u,%u,%u,", age, male ? "M" : "F", edu, size, urban[k]);
            if (below(100) >= 3) {
                uint64_t cents = 900000 + 300000 * (uint64_t)edu + 6000 * (uint64_t)age +
                                 150000 * male + (uint64_t)below(800000);
                fprintf(fp, "%llu.%02llu", (unsigned long long)(cents / 100),
                        (unsigned long long)(cents % 100));
            }
            /* employed: a sigmoid-shaped chance of a linear score (no libm). */
            double x = -1.2 + 0.45 * edu + 0.3 * (double)urban[k] + 0.2 * male -
                       0.0009 * (double)((int)age - 45) * (double)((int)age - 45) +
                       0.05 * (double)size;
            double pr = 0.5 + 0.5 * x / (1.0 + (x < 0 ? -x : x));
            fprintf(fp, ",%d,", (double)below(1000000) / 1e6 < pr);
            if (below(100) == 0)
                fputs(notes[below(4)], fp);
            fputc('\n', fp);
        }
    }
    if (gen_close(fp, tmp, argv[3]) != 0)
        return 1;
    return 0;
}
