#!/usr/bin/env python3
"""Compare survstat csv output with an R reference file.

usage: refcmp.py ACTUAL.csv EXPECTED.csv [--rtol R] [--ci-rtol R]

Rows are matched by (statistic, variable, level, domain); every number the
expected file holds must agree to the relative tolerance (absolute near 0),
and both files must have the same set of rows.  Exit 0 when they agree.
"""
import csv
import math
import sys


def load(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    out = {}
    for r in rows:
        key = (r["statistic"], r["variable"], r["level"], r["domain"])
        if key in out:
            sys.exit(f"{path}: duplicate row {key}")
        out[key] = r
    return out


def num(s):
    if s in ("", "NA", None):
        return None
    return float(s)


def close(a, b, rtol):
    if a is None or b is None:
        return a is None and b is None
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= rtol * max(abs(a), abs(b)) or abs(a - b) <= 1e-12


def main():
    args = sys.argv[1:]
    rtol, ci_rtol = 1e-9, 1e-9
    if "--rtol" in args:
        i = args.index("--rtol")
        rtol = float(args[i + 1])
        del args[i:i + 2]
    if "--ci-rtol" in args:
        i = args.index("--ci-rtol")
        ci_rtol = float(args[i + 1])
        del args[i:i + 2]
    actual, expected = load(args[0]), load(args[1])
    bad = 0
    for key in expected:
        if key not in actual:
            print(f"missing row {key}")
            bad += 1
            continue
        for col, want in expected[key].items():
            if col in ("statistic", "variable", "level", "domain"):
                continue
            if col in ("flag", "quadrant", "mark"):
                if actual[key].get(col) != want:
                    print(f"{key} flag: got {actual[key].get(col)!r}, want {want!r}")
                    bad += 1
                continue
            w = num(want)
            if w is None:
                continue
            # R's svyciprop interval at 0% or 100% is where its IRLS stopped,
            # not a reference; survstat's one-sided interval is tested apart.
            est = num(expected[key]["estimate"])
            # (R's svymean can miss 0 or 1 by an ulp.)
            if col.startswith("ci_") and key[0] == "prop" and \
                    (abs(est) < 1e-12 or abs(est - 1) < 1e-12):
                continue
            g = num(actual[key].get(col))
            tol = ci_rtol if col.startswith("ci_") else rtol
            if not close(g, w, tol):
                print(f"{key} {col}: got {g!r}, want {w!r}")
                bad += 1
    for key in actual:
        if key not in expected:
            print(f"unexpected row {key}")
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
