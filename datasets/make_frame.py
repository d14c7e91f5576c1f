#!/usr/bin/env python3
"""Write datasets/frame_communities.csv, the sampling frame of the next wave
of the household survey: every community of every district with its number
of households (the measure of size for PPS).

Made from datasets/household.csv: each district has fpc1 communities, of
which the survey visited some (their household counts are their fpc2); the
others get synthetic names ("<district> community NN") and household counts
drawn, with a fixed seed, from the district's visited communities' counts
times a factor in [0.5, 1.5).  Deterministic: the same file every run.

Run from the repository root:   python3 datasets/make_frame.py
"""
import csv
import random

rows = list(csv.DictReader(open("datasets/household.csv", encoding="utf-8")))
districts = {}
for r in rows:
    d = districts.setdefault(r["district"], {"N": int(r["fpc1"]), "seen": {}})
    d["seen"][r["community"]] = int(r["fpc2"])

rng = random.Random(2010)
out = []
for name in sorted(districts):
    d = districts[name]
    counts = list(d["seen"].values())
    for c in sorted(d["seen"]):
        out.append((name, c, d["seen"][c]))
    for k in range(d["N"] - len(d["seen"])):
        base = rng.choice(counts)
        out.append((name, f"{name} community {k + 1:02d}", max(20, round(base * (0.5 + rng.random())))))

with open("datasets/frame_communities.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["district", "community", "households"])
    w.writerows(out)
print(f"datasets/frame_communities.csv: {len(out)} communities in {len(districts)} districts")
