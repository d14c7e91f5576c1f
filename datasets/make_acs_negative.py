#!/usr/bin/env python3
"""datasets/acs_pums_negative.csv: datasets/acs_pums.csv with about 2% of its
replicate weights (PWGTP1..PWGTP80) made negative (-1 to -40), as real ACS
PUMS files allow (the PUMS data dictionary gives PWGTPn the range
-9999..9999).  Seeded, so the file is the same on every run:

    python3 datasets/make_acs_negative.py
"""
import csv
import random

rows = list(csv.reader(open("datasets/acs_pums.csv", newline="")))
reps = [i for i, n in enumerate(rows[0]) if n.startswith("PWGTP") and n != "PWGTP"]
rnd = random.Random(23)
for r in rows[1:]:
    for i in reps:
        if rnd.random() < 0.02:
            r[i] = str(-rnd.randint(1, 40))
with open("datasets/acs_pums_negative.csv", "w", newline="") as f:
    csv.writer(f, lineterminator="\n").writerows(rows)
