#!/usr/bin/env python3
"""Write the replicate weights of every subbootstrap case of
tests/ref/ppsrep_cases.txt as survstat makes them.

usage: ppsrep_weights.py SURVSTAT OUTDIR

For each case whose arguments hold `--replicate subbootstrap:R`, runs
`SURVSTAT weight DATA DESIGN-OPTIONS --weight-name w` and writes
OUTDIR/NAME.weights.csv with the columns w, rep1 .. repR (survstat's
combined replicate weights, 17 digits).  tests/ref/ppsrep/ holds the
committed ones, from which tests/ref/make_ppsrep_refs.R computes R's
estimates (R cannot draw GSL's random numbers); tests/e2e/cycle.sh writes
them again and checks that they are the committed ones.
"""
import csv
import io
import subprocess
import sys

DESIGN = {"--ids", "--strata", "--fpc", "--weights", "--pps", "--replicate", "--seed"}


def main():
    binary, outdir = sys.argv[1], sys.argv[2]
    for line in open("tests/ref/ppsrep_cases.txt", encoding="utf-8"):
        if not line.strip() or line.startswith("#"):
            continue
        name, data, args = line.rstrip("\n").split("|")
        tok = args.split()
        if "--replicate" not in tok or not tok[tok.index("--replicate") + 1].startswith("subbootstrap"):
            continue
        design = []
        for i, t in enumerate(tok):
            if t in DESIGN:
                design += [t, tok[i + 1]]
            elif t == "--nest":
                design.append(t)
        out = subprocess.run([binary, "weight", data, *design, "--weight-name", "w", "--quiet"],
                             capture_output=True, text=True, check=True).stdout
        rows = list(csv.DictReader(io.StringIO(out)))
        cols = ["w"] + [c for c in rows[0] if c.startswith("rep") and c[3:].isdigit()]
        with open(f"{outdir}/{name}.weights.csv", "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(cols)
            for r in rows:
                w.writerow([r[c] for c in cols])


if __name__ == "__main__":
    main()
