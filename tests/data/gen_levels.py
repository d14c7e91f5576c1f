#!/usr/bin/env python3
"""Writes tests/data/levels.csv (seeded; the file is committed): a stratified
two-stage sample for proportions over many levels (tests/e2e/prop_levels.sh,
tests/ref/make_levels_refs.R).

Columns: st (30 strata; 28, 29 and 30 have one PSU each), st2 (the same with
28-30 merged into 28, so that no stratum is lonely), psu (numbered within
its stratum, --nest; the lonely ones 1, 2, 3), fpc1 (PSUs in the stratum's
population, 4 for the lonely ones), hh (households, numbered within the PSU), fpc2 (households in
the PSU's population), w (weights with 12 decimals), region (4 levels, per
household), sex (2 levels), y (300 levels L001..L300, Zipf-like with a
preference per PSU, 3% missing), skew (A in 99.8% of the rows, 60 rare
levels r01..r60, 2% missing).

    python3 tests/data/gen_levels.py > tests/data/levels.csv

gen_levels.py LEVELS FACTOR SEED writes the same shape with LEVELS levels of
y and FACTOR times the PSUs per stratum (bench/bench.py's case 6: 2000 10
6 gives 2,000 levels on about 200,000 rows).
"""
import random
import sys

NLEV = int(sys.argv[1]) if len(sys.argv) > 1 else 300
FACTOR = int(sys.argv[2]) if len(sys.argv) > 2 else 1
SEED = int(sys.argv[3]) if len(sys.argv) > 3 else 20261204

rng = random.Random(SEED)


def pick(cum, u):
    lo, hi = 0, len(cum) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if cum[mid] < u:
            lo = mid + 1
        else:
            hi = mid
    return lo


base = [1 / (k + 1) ** 1.1 for k in range(NLEV)]
print("st,st2,psu,fpc1,hh,fpc2,w,region,sex,y,skew")
for h in range(1, 31):
    lonely = h >= 28
    n = 1 if lonely else (3 + int(rng.random() * 8)) * FACTOR
    N = n + 1 + int(rng.random() * 3 * n)
    if lonely:
        N = 4  # the same in st2's merged stratum
    for j in range(1, n + 1):
        psu = h - 27 if lonely else j
        # the PSU's own taste: 20 levels three times as likely
        pref = list(base)
        for _ in range(20):
            pref[int(rng.random() * NLEV)] *= 3
        cum, acc = [], 0.0
        for x in pref:
            acc += x
            cum.append(acc)
        m = 20 + int(rng.random() * 41)
        M = m + 10 + int(rng.random() * 150)
        for k in range(1, m + 1):
            region = "R%d" % (1 + int(rng.random() * 4))
            f = 0.8 + 0.45 * rng.random()
            w = (N / n) * (M / m) * f
            for _ in range(1 + int(rng.random() * 4)):
                sex = "F" if rng.random() < 0.52 else "M"
                y = "" if rng.random() < 0.03 else "L%04d" % (1 + pick(cum, rng.random() * acc)) if NLEV > 999 else \
                    "L%03d" % (1 + pick(cum, rng.random() * acc))
                u = rng.random()
                skew = "" if u < 0.02 else "A" if u < 0.02 + 0.98 * 0.998 else \
                    "r%02d" % (1 + int(rng.random() * 60))
                print("%d,%d,%d,%d,%d,%d,%.12f,%s,%s,%s,%s"
                      % (h, min(h, 28), psu, N, k, M, w, region, sex, y, skew))
