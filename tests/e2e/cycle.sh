# The survey cycle: PPS designs (--pps brewer|hr|ht|yg) against R's survey
# (tests/ref/pps_cases.txt, made by tests/ref/make_pps_refs.R); survstat
# sample (selection) and survstat plan (sample sizes), checked by hand
# formulas here; one case per message.  Sourced by tests/run_tests.sh.

C=$TMP/cycle_cases
mkdir -p "$C"
EP=tests/data/election_pps.csv
EJ=tests/data/election_joint.csv

# --- PPS designs against R -------------------------------------------------
only cycle && ref_cases "pps ref" estimate tests/ref/pps_cases.txt "tests/ref/@.expected.csv"

# A PPS design under survstat test: the t statistic is the difference of the
# domain means over the SE of the difference, both from the same design.
if only cycle; then
  run test $EP --ids id --pps yg --joint-probs $EJ --fpc p --ttest Bush --group half --format csv
  if [ "$status" -ne 0 ]; then bad "pps ttest: exit $status: $(cat "$TMP/err")"
  elif python3 - "$TMP/out" <<'PY'
import csv, sys
r = next(csv.DictReader(open(sys.argv[1])))
est, se, t = float(r["estimate"]), float(r["se"]), float(r["statistic"])
sys.exit(0 if abs(t - est / se) <= 1e-9 * abs(t) and se > 0 else 1)
PY
  then ok; else bad "pps ttest: $(cat "$TMP/out")"; fi
fi

# --- PPS errors --------------------------------------------------------------
if only cycle; then
  python3 - "$C" <<'PY'
import csv, sys
d = sys.argv[1]
rows = list(csv.DictReader(open("tests/data/election_pps.csv")))
def write(name, rows, fields=None):
    with open(f"{d}/{name}", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields or list(rows[0].keys()))
        w.writeheader(); w.writerows(rows)
bad = [dict(r) for r in rows]; bad[1]["p"] = "1.5"
write("p_big.csv", bad)
j = list(csv.DictReader(open("tests/data/election_joint.csv")))
def jw(name, fix):
    rr = [dict(r) for r in j]
    rr = fix(rr)
    write(name, rr, ["id1", "id2", "p"])
def diag(rr):
    for r in rr:
        if r["id1"] == "2" and r["id2"] == "2": r["p"] = "0.5"
    return rr
jw("j_diag.csv", diag)
def big(rr):
    for r in rr:
        if {r["id1"], r["id2"]} == {"1", "3"}: r["p"] = "0.5"
    return rr
jw("j_big.csv", big)
jw("j_noid.csv", lambda rr: [r for r in rr if "7" not in (r["id1"], r["id2"])])
jw("j_nopair.csv", lambda rr: [r for r in rr if {r["id1"], r["id2"]} != {"4", "5"}])
def asym(rr):
    for r in rr:
        if r["id1"] == "4" and r["id2"] == "5": r["p"] = str(float(r["p"]) * 1.01)
    return rr
jw("j_asym.csv", asym)
def empty(rr):
    rr[5]["p"] = ""
    return rr
jw("j_empty.csv", empty)
strat = [dict(r) for r in rows]
for r in strat:
    r["s"] = "a" if int(r["id"]) <= 20 else "b"
    r["g"] = str((int(r["id"]) - 1) % 20 + 1)
write("strat.csv", strat)
rep = [dict(r) for r in rows]; rep[2]["id"] = rep[1]["id"]
write("p_vary.csv", rep)
PY
  expect_error pps-prob-range 1 "p_big.csv:3: column 'p': inclusion probability '1.5' is not in (0, 1]" -- \
    estimate "$C/p_big.csv" --pps brewer --fpc p --mean Bush
  expect_error pps-prob-varies 1 "column 'p': inclusion probability varies within unit '2'" -- \
    estimate "$C/p_vary.csv" --ids id --pps brewer --fpc p --mean Bush
  expect_error pps-unknown 2 "--pps: unknown method 'xx' (brewer, hr, ht, yg)" -- \
    estimate $EP --pps xx --fpc p --mean Bush
  expect_error pps-needs-fpc 2 "--pps hr needs --fpc with the inclusion probabilities" -- \
    estimate $EP --ids id --pps hr --mean Bush
  expect_error pps-one-stage 2 "--pps hr is for one-stage designs" -- \
    estimate tests/data/pps_clus2.csv --ids dnum,snum --pps hr --fpc p1 --mean api00
  expect_error pps-needs-joint 2 "--pps ht needs --joint-probs FILE and --ids" -- \
    estimate $EP --ids id --pps ht --fpc p --mean Bush
  expect_error pps-joint-needs-ht 2 "--joint-probs needs --pps ht or yg" -- \
    estimate $EP --ids id --pps hr --joint-probs $EJ --fpc p --mean Bush
  expect_error pps-joint-diag 1 "j_diag.csv:43: column 'p': joint probability '0.5' of PSU '2' with itself is not its inclusion probability" -- \
    estimate $EP --ids id --pps ht --joint-probs "$C/j_diag.csv" --fpc p --mean Bush
  expect_error pps-joint-big 1 "column 'p': joint probability '0.5' of PSUs '1' and '3' is not in (0, 0.06036" -- \
    estimate $EP --ids id --pps ht --joint-probs "$C/j_big.csv" --fpc p --mean Bush
  expect_error pps-joint-noid 1 "PSU '7' (column 'id') is not in the file" -- \
    estimate $EP --ids id --pps yg --joint-probs "$C/j_noid.csv" --fpc p --mean Bush
  expect_error pps-joint-nopair 1 "no joint probability for PSUs '4' and '5' (in one stratum)" -- \
    estimate $EP --ids id --pps yg --joint-probs "$C/j_nopair.csv" --fpc p --mean Bush
  expect_error pps-joint-asym 1 "PSUs '5' and '4' have two different joint probabilities" -- \
    estimate $EP --ids id --pps yg --joint-probs "$C/j_asym.csv" --fpc p --mean Bush
  expect_error pps-joint-strata 1 "are in different strata, so their joint probability must be" -- \
    estimate "$C/strat.csv" --strata s --ids id --pps ht --joint-probs $EJ --fpc p --mean Bush
  expect_error pps-joint-nest 2 "--joint-probs: PSU id '1' of column 'g' repeats across strata" -- \
    estimate "$C/strat.csv" --strata s --nest --ids g --pps ht --joint-probs $EJ --fpc p --mean Bush
  expect_error pps-joint-missing 1 "j_empty.csv:7: missing id1, id2 or p" -- \
    estimate $EP --ids id --pps ht --joint-probs "$C/j_empty.csv" --fpc p --mean Bush
fi

# --- survstat sample ---------------------------------------------------------
# tests/data/frame_small.csv: 12 units in 2 strata; unit 5 (size 100 of 180
# in stratum a) is a certainty unit for 3 draws there (3 * 100/180 > 1).
FS=tests/data/frame_small.csv

# check_sample OUT.csv METHOD N_PER_STRATUM: every draw has exactly
# N_PER_STRATUM units in each stratum, and prob is the formula: n/N for
# srs and sys; for PPS, n x_i / X over the units left after the certainty
# units (prob 1) are taken out one by one.  Then the share of the 2,000
# draws (seeds 1..2000) holding each unit is within 4.5 binomial SEs
# (sqrt(p (1 - p) / 2000), at most 0.0112) of its prob.
check_sample() {
  python3 - "$@" <<'PY'
import csv, math, sys, collections
out, method, nh = sys.argv[1], sys.argv[2], int(sys.argv[3])
frame = list(csv.DictReader(open("tests/data/frame_small.csv")))
def probs(units):
    if method in ("srs", "sys"):
        return {u["id"]: nh / len(units) for u in units}
    p, certain = {}, set()
    while True:
        rest = [u for u in units if u["id"] not in certain]
        X, m = sum(float(u["size"]) for u in rest), nh - len(certain)
        new = [u["id"] for u in rest if m * float(u["size"]) / X >= 1]
        if not new:
            p = {u["id"]: m * float(u["size"]) / X for u in rest}
            p.update({c: 1.0 for c in certain})
            return p
        certain.update(new)
want = {}
for s in ("a", "b"):
    want.update(probs([u for u in frame if u["s"] == s]))
rows = list(csv.DictReader(open(out)))
draws = collections.defaultdict(list)
for r in rows:
    draws[r["draw"]].append(r)
bad = []
if len(draws) != 2000:
    bad.append(f"{len(draws)} draws")
for d, rs in draws.items():
    for s in ("a", "b"):
        k = sum(1 for r in rs if r["s"] == s)
        if k != nh:
            bad.append(f"draw {d} stratum {s}: {k} units")
    if len({r["id"] for r in rs}) != len(rs):
        bad.append(f"draw {d}: a unit twice")
for r in rows:
    if abs(float(r["prob"]) - want[r["id"]]) > 1e-12 or abs(float(r["weight"]) * want[r["id"]] - 1) > 1e-12:
        bad.append(f"unit {r['id']}: prob {r['prob']}, want {want[r['id']]}")
        break
freq = collections.Counter(r["id"] for r in rows)
for u, p in want.items():
    f = freq[u] / 2000
    tol = 4.5 * math.sqrt(p * (1 - p) / 2000) + 1e-12
    if abs(f - p) > tol:
        bad.append(f"unit {u}: drawn in {f:.4f} of the draws, prob {p:.4f} (tolerance {tol:.4f})")
if method.startswith("pps") and want["5"] != 1.0:
    bad.append("unit 5 is not a certainty unit")
if bad:
    print("; ".join(bad[:5]))
    sys.exit(1)
PY
}

if only cycle; then
  for m in srs sys pps-sys pps-brewer; do
    run sample $FS --strata s --alloc equal --n 6 --method $m --size size --seed 1 --draws 2000 -o "$C/draws_$m.csv"
    if [ "$status" -ne 0 ]; then bad "sample $m: exit $status: $(cat "$TMP/err")"
    elif check_sample "$C/draws_$m.csv" $m 3 >"$TMP/cmp"; then ok
    else bad "sample $m: $(cat "$TMP/cmp")"; fi
  done

  # Two stages: each selected unit's hh lines, systematically: min(n2, hh)
  # distinct lines in 1..hh, prob2 = that count / hh, prob = prob1 prob2;
  # each line of unit 1 (5 lines, 2 drawn) in 2/5 of the draws of unit 1.
  run sample $FS --strata s --alloc equal --n 4 --method pps-sys --size size --stage2 hh --n2 2 \
    --seed 7 --draws 2000 -o "$C/two.csv"
  if [ "$status" -ne 0 ]; then bad "sample stage2: exit $status: $(cat "$TMP/err")"
  elif python3 - "$C/two.csv" <<'PY'
import csv, sys, collections, math
rows = list(csv.DictReader(open(sys.argv[1])))
by = collections.defaultdict(list)
for r in rows:
    by[(r["draw"], r["id"])].append(r)
bad = 0
for (d, u), rs in by.items():
    hh = int(rs[0]["hh"]); k = min(2, hh)
    lines = {int(r["unit2"]) for r in rs}
    if len(rs) != k or len(lines) != k or not all(1 <= l <= hh for l in lines):
        bad += 1
    for r in rs:
        if abs(float(r["prob2"]) - k / hh) > 1e-12 or \
           abs(float(r["prob"]) - float(r["prob1"]) * float(r["prob2"])) > 1e-15 or \
           abs(float(r["weight"]) * float(r["prob"]) - 1) > 1e-12 or r["fpc1"] != r["prob1"]:
            bad += 1
u1 = [r for r in rows if r["id"] == "1"]
n1 = len({r["draw"] for r in u1})
c = collections.Counter(r["unit2"] for r in u1)
for l in range(1, 6):
    f = c[str(l)] / n1
    if abs(f - 0.4) > 4.5 * math.sqrt(0.24 / n1):
        bad += 1
sys.exit(1 if bad or n1 < 100 else 0)
PY
  then ok; else bad "sample stage2: counts or probabilities"; fi

  # The same seed, the same sample; proportional allocation with the
  # minimum: 1920 communities, 40 draws over 12 districts by households.
  run sample datasets/frame_communities.csv --strata district --n 40 --method pps-brewer \
    --size households --seed 11 -o "$C/s1.csv"
  cp "$C/s1.csv" "$C/s1_copy.csv"
  run sample datasets/frame_communities.csv --strata district --n 40 --method pps-brewer \
    --size households --seed 11 -o "$C/s1.csv"
  if cmp -s "$C/s1.csv" "$C/s1_copy.csv" && [ "$(wc -l <"$C/s1.csv")" -eq 41 ]; then ok
  else bad "sample: not reproducible with --seed, or not 40 rows"; fi
  # largest remainder by hand: shares 40 * X_h / X, at least 2
  if python3 - "$C/s1.csv" <<'PY'
import csv, sys, collections, math
frame = list(csv.DictReader(open("datasets/frame_communities.csv", encoding="utf-8")))
X = collections.Counter()
for r in frame:
    X[r["district"]] += float(r["households"])
fixed, n = {}, 40
while True:
    free = [h for h in X if h not in fixed]
    left = n - sum(fixed.values()); tot = sum(X[h] for h in free)
    x = {h: left * X[h] / tot for h in free}
    low = [h for h in free if x[h] < 2]
    if not low:
        break
    for h in low:
        fixed[h] = 2
alloc = dict(fixed)
alloc.update({h: math.floor(v) for h, v in x.items()})
for h in sorted(x, key=lambda h: -(x[h] - math.floor(x[h])))[: n - sum(alloc.values())]:
    alloc[h] += 1
got = collections.Counter(r["district"] for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")))
sys.exit(0 if got == collections.Counter(alloc) else 1)
PY
  then ok; else bad "sample: allocation differs from the largest-remainder formula"; fi
fi
