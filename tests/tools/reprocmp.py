#!/usr/bin/env python3
"""Compare survstat csv output with R's answer to a repro case.

usage: reprocmp.py ACTUAL.csv R_EXPECTED.csv [--rtol R] [--cols a,b,..]

R_EXPECTED is a case's r_expected.csv (tests/ref/repro): rows keyed by
(statistic, variable, level, domain).  Every row of it where R gives an
estimate must be in ACTUAL, and each of the columns (default estimate, se,
ci_low, ci_high, df) that R gives as a number must agree to the relative
tolerance (default 1e-9).  R's NA cells are not compared (the test states
what survstat gives there), except with --ci-pairs: where R gives NA for
one bound, survstat's ci_low and ci_high must both be empty (survstat gives
no half intervals).  Exit 0 when they agree.
"""
import csv
import sys


def main():
    args = sys.argv[1:]
    rtol, cols = 1e-9, ["estimate", "se", "ci_low", "ci_high", "df"]
    if "--rtol" in args:
        i = args.index("--rtol")
        rtol = float(args[i + 1])
        del args[i:i + 2]
    if "--cols" in args:
        i = args.index("--cols")
        cols = args[i + 1].split(",")
        del args[i:i + 2]
    pairs = "--ci-pairs" in args
    if pairs:
        args.remove("--ci-pairs")
    key = lambda r: (r["statistic"], r["variable"], r["level"], r["domain"])
    got = {key(r): r for r in csv.DictReader(open(args[0], newline="", encoding="utf-8"))}
    bad = 0
    for r in csv.DictReader(open(args[1], newline="", encoding="utf-8")):
        if r["estimate"] in ("", "NA"):
            continue
        g = got.get(key(r))
        if g is None:
            print(f"missing row {key(r)}")
            bad += 1
            continue
        if pairs and "NA" in (r["ci_low"], r["ci_high"]):
            if (g["ci_low"], g["ci_high"]) != ("", ""):
                print(f"{key(r)}: R has one bound only, survstat ({g['ci_low']}, {g['ci_high']})")
                bad += 1
            continue
        for c in cols:
            if r[c] in ("", "NA"):
                continue
            want = float(r[c])
            try:
                have = float(g[c])
            except ValueError:
                print(f"{key(r)} {c}: '{g[c]}', R {want!r}")
                bad += 1
                continue
            if abs(have - want) > rtol * max(abs(have), abs(want)) and abs(have - want) > 1e-15:
                print(f"{key(r)} {c}: {have!r}, R {want!r}, rel {abs(have - want) / abs(want):.3g}")
                bad += 1
    sys.exit(1 if bad else 0)


main()
