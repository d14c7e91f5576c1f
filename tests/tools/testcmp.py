#!/usr/bin/env python3
"""Compare `survstat test` csv output with an R reference file.

usage: testcmp.py ACTUAL.csv EXPECTED.csv [--rtol R]

Rows are matched by (test, variable, by); every number of the expected file
must agree to the relative tolerance (default 1e-9; absolute 1e-300 near 0),
an empty expected cell must be empty, and both files must have the same
columns and the same set of rows.  Exit 0 when they agree.
"""
import csv
import math
import sys

KEY = ("test", "variable", "by")


def load(path):
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
        cols = reader.fieldnames or []
    out = {}
    for r in rows:
        key = tuple(r[k] for k in KEY)
        if key in out:
            sys.exit(f"{path}: duplicate row {key}")
        out[key] = r
    return cols, out


def num(s):
    if s in ("", "NA", None):
        return None
    return float(s)


def close(a, b, rtol):
    if a is None or b is None:
        return a is None and b is None
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= rtol * max(abs(a), abs(b)) or abs(a - b) <= 1e-300


def main():
    args = sys.argv[1:]
    rtol = 1e-9
    if "--rtol" in args:
        i = args.index("--rtol")
        rtol = float(args[i + 1])
        del args[i:i + 2]
    (acols, actual), (ecols, expected) = load(args[0]), load(args[1])
    bad = 0
    if acols != ecols:
        print(f"columns: got {acols}, want {ecols}")
        bad += 1
    for key, want_row in expected.items():
        if key not in actual:
            print(f"missing row {key}")
            bad += 1
            continue
        for col, want in want_row.items():
            if col in KEY:
                continue
            got = actual[key].get(col)
            if not close(num(got), num(want), rtol):
                print(f"{key} {col}: got {got!r}, want {want!r}")
                bad += 1
    for key in actual:
        if key not in expected:
            print(f"unexpected row {key}")
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
