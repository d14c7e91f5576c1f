#!/usr/bin/env python3
"""Compare `survstat model` csv output with an R reference file.

usage: modelcmp.py ACTUAL.csv EXPECTED.csv [--rtol R] [--skip COL,COL]

Both files hold the coefficient rows (matched by term) and, after a second
header starting with `test`, the Wald test rows (matched by variable).
Every number of the expected file must agree to the relative tolerance
(1e-9; absolute 1e-12 near 0), and both must have the same rows.
"""
import csv
import io
import math
import sys


def blocks(path):
    with open(path, newline="", encoding="utf-8") as f:
        text = f.read()
    parts, cur = [], []
    for line in text.splitlines():
        if (line.startswith("wave,") or line.startswith("test,")) and cur:
            parts.append(cur)
            cur = []
        cur.append(line)
    if cur:
        parts.append(cur)
    out = []
    for p in parts:
        rows = list(csv.DictReader(io.StringIO("\n".join(p) + "\n")))
        key = "term" if "term" in rows[0] else "variable"
        out.append({r[key]: r for r in rows})
    return out


def num(s):
    return None if s in ("", "NA") else float(s)


def main():
    args = sys.argv[1:]
    rtol = 1e-9
    if "--rtol" in args:
        i = args.index("--rtol")
        rtol = float(args[i + 1])
        del args[i:i + 2]
    skip = set()
    if "--skip" in args:
        i = args.index("--skip")
        skip = set(args[i + 1].split(","))
        del args[i:i + 2]
    got, want = blocks(args[0]), blocks(args[1])
    bad = 0
    if len(got) != len(want):
        print(f"{len(got)} blocks, want {len(want)}")
        return 1
    for g, w in zip(got, want):
        if set(g) != set(w):
            print(f"rows {sorted(g)} want {sorted(w)}")
            bad += 1
            continue
        for k, row in w.items():
            for col, v in row.items():
                if col in skip:
                    continue
                a, b = g[k].get(col), v
                try:
                    x, y = num(a), num(b)
                except (TypeError, ValueError):
                    if a != b:
                        print(f"{k} {col}: {a!r} want {b!r}")
                        bad += 1
                    continue
                if x is None or y is None:
                    ok = x is None and y is None
                elif math.isinf(x) or math.isinf(y):
                    ok = x == y
                else:
                    ok = abs(x - y) <= rtol * max(abs(x), abs(y)) or abs(x - y) <= 1e-12
                if not ok:
                    print(f"{k} {col}: {a} want {b}")
                    bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
