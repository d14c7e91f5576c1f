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

# --- survstat plan: every figure by the hand formulas ------------------------
# check_plan OUT.csv P MOE CV LEVEL DEFF RR N: the first row against
# n_srs = z^2 P(1-P)/MOE^2 (or (1-P)/(P CV^2)), n_deff = n_srs deff,
# n_fpc = n_deff/(1 + n_deff/N), n_complete = ceil, n = ceil(n_complete/rr).
check_plan() {
  python3 - "$@" <<'PY'
import csv, sys, math
from statistics import NormalDist
out, p, moe, cv, level, deff, rr, N = sys.argv[1:9]
p, level, deff, rr = float(p), float(level), float(deff), float(rr)
r = next(csv.DictReader(open(out, encoding="utf-8")))
z = NormalDist().inv_cdf(1 - (1 - level) / 2)
n0 = z * z * p * (1 - p) / float(moe) ** 2 if moe != "-" else (1 - p) / (p * float(cv) ** 2)
nd = n0 * deff
nf = nd / (1 + nd / float(N)) if N != "-" else nd
want = {"n_srs": n0, "n_deff": nd, "n_fpc": nf, "n_complete": math.ceil(nf),
        "n": math.ceil(math.ceil(nf) / rr), "deff": deff, "rr": rr}
bad = [f"{k}: {r[k]} want {v}" for k, v in want.items() if abs(float(r[k]) - v) > 1e-9 * max(1, v)]
if bad:
    print("; ".join(bad)); sys.exit(1)
PY
}
if only cycle; then
  plan_case() {
    local name=$1; shift
    local want=$1; shift
    run plan "$@" --format csv
    if [ "$status" -ne 0 ]; then bad "plan $name: exit $status: $(cat "$TMP/err")"; return; fi
    cp "$TMP/out" "$C/plan_$name.csv"
    # shellcheck disable=SC2086
    if check_plan "$C/plan_$name.csv" $want >"$TMP/cmp"; then ok; else bad "plan $name: $(cat "$TMP/cmp")"; fi
  }
  plan_case moe "0.5 0.03 - 0.95 1 1 -" --moe 0.03
  plan_case full "0.3 0.04 - 0.9 1.8 0.7 5000" --moe 0.04 --p 0.3 --level 0.9 --deff 1.8 --rr 0.7 --N 5000
  plan_case cv "0.2 - 0.1 0.95 2 1 -" --cv 0.1 --p 0.2 --deff 2
  # 1067.07 by hand: the figure every textbook gives for 3 points at 95%
  if grep -q '^,,0.5,0.029999999999999999,,0.94999999999999996,1,1,1067.0718946372' "$C/plan_moe.csv"; then ok
  else bad "plan moe: $(cat "$C/plan_moe.csv")"; fi

  # deff and RR3 from files, per domain: a result file with a deff per
  # district (and the whole), the rates of survstat rates --by district.
  $BIN estimate datasets/household.csv --ids community,hh_id --strata district --fpc fpc1,fpc2 \
    --weights weight --na 9 --scale 1:5 --t2b overall --by district --deff --format csv \
    -o "$C/deff.csv" 2>/dev/null
  $BIN rates tests/data/dispositions.csv --disposition code --by district --format csv \
    -o "$C/rates.csv" 2>/dev/null
  run plan --moe 0.05 --deff-from "$C/deff.csv" --rates-from "$C/rates.csv" --N 100000 --format csv
  if [ "$status" -ne 0 ]; then bad "plan from files: exit $status: $(cat "$TMP/err")"
  else
    cp "$TMP/out" "$C/plan_files.csv"
    read -r deff rr < <(python3 - "$C/deff.csv" "$C/rates.csv" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")) if r["deff"]]
d = [float(r["deff"]) for r in rows if r["domain"] == ""] or [float(r["deff"]) for r in rows]
rr = [float(r["value"]) for r in csv.DictReader(open(sys.argv[2], encoding="utf-8"))
      if r["rate"] == "RR3" and r["domain"] == ""]
print(sum(d) / len(d) if d else 0, rr[0] if rr else 0)
PY
)
    if check_plan "$C/plan_files.csv" 0.5 0.05 - 0.95 "$deff" "$rr" 100000 >"$TMP/cmp"; then ok
    else bad "plan from files: $(cat "$TMP/cmp")"; fi
  fi

  # per domain (--domains): each district its own N (households of the
  # frame), deff from its 'district=' rows, and a total row
  run plan --moe 0.08 --deff-from "$C/deff.csv" --rr 0.8 --frame datasets/frame_communities.csv \
    --strata district --size households --domains --n2 8 --format csv
  if [ "$status" -ne 0 ]; then bad "plan domains: exit $status: $(cat "$TMP/err")"
  elif python3 - "$TMP/out" "$C/deff.csv" <<'PY'
import csv, sys, math, collections
from statistics import NormalDist
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
deffs = collections.defaultdict(list)
for r in csv.DictReader(open(sys.argv[2], encoding="utf-8")):
    if r["deff"]:
        deffs[r["domain"]].append(float(r["deff"]))
N = collections.Counter()
for r in csv.DictReader(open("datasets/frame_communities.csv", encoding="utf-8")):
    N[r["district"]] += float(r["households"])
z = NormalDist().inv_cdf(0.975)
tot = 0
for r in rows[:-1]:
    d = deffs.get("district=" + r["stratum"]) or deffs[""] or sum(deffs.values(), [])
    deff = sum(d) / len(d)
    nd = z * z * 0.25 / 0.0064 * deff
    nf = nd / (1 + nd / N[r["stratum"]])
    n = math.ceil(math.ceil(nf) / 0.8)
    if abs(float(r["N"]) - N[r["stratum"]]) > 1e-9 or abs(float(r["deff"]) - deff) > 1e-12 * deff \
       or int(float(r["n"])) != n or int(float(r["n_psu"])) != math.ceil(n / 8):
        sys.exit(1)
    tot += n
sys.exit(0 if len(rows) == 13 and rows[-1]["stratum"] == "" and int(float(rows[-1]["n"])) == tot else 1)
PY
  then ok; else bad "plan domains: $(head -3 "$TMP/out")"; fi

  # one target allocated to the districts: the strata rows' n_psu add up to
  # the total's, proportional to households with at least 2 (as sample)
  run plan --moe 0.03 --deff 2 --rr 0.6 --frame datasets/frame_communities.csv --strata district \
    --size households --n2 10 --format csv -o "$C/plan_alloc.csv"
  run sample datasets/frame_communities.csv --strata district --alloc "$C/plan_alloc.csv" \
    --method pps-sys --size households --stage2 households --n2 10 --seed 2010 -o "$C/s2.csv"
  if [ "$status" -ne 0 ]; then bad "plan -> sample: exit $status: $(cat "$TMP/err")"
  elif python3 - "$C/plan_alloc.csv" "$C/s2.csv" <<'PY'
import csv, sys, collections
plan = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
total = int(float(plan[0]["n_psu"]))
alloc = {r["stratum"]: int(float(r["n_psu"])) for r in plan[1:]}
s = list(csv.DictReader(open(sys.argv[2], encoding="utf-8")))
psus = collections.Counter(r["district"] for r in {(r["district"], r["community"]): r for r in s}.values())
sys.exit(0 if sum(alloc.values()) == total and psus == collections.Counter(alloc)
         and len(s) == 10 * total else 1)
PY
  then ok; else bad "plan -> sample: allocation not followed"; fi
fi

# --- sample and plan errors --------------------------------------------------
if only cycle; then
  printf 'id,s,size,hh\n1,a,10,5\n2,a,,3\n3,b,4,2\n' >"$C/nosize.csv"
  printf 'id,s,size,hh\n1,a,10,5\n2,a,0,3\n3,b,4,2\n' >"$C/zerosize.csv"
  printf 'id,s,size,hh\n1,a,10,5\n2,a,3,2.5\n3,b,4,2\n' >"$C/badhh.csv"
  printf 'id,s,size\n1,a,1\n2,,2\n' >"$C/nostratum.csv"
  printf 'id,prob\n1,1\n2,2\n' >"$C/hasprob.csv"
  printf 'id,draw\n1,1\n2,2\n' >"$C/hasdraw.csv"
  printf 'stratum,n\na,2\nc,1\n' >"$C/alloc_unknown.csv"
  printf 'stratum,n\na,1.5\nb,1\n' >"$C/alloc_frac.csv"
  printf 'stratum,n\na,7\nb,1\n' >"$C/alloc_big.csv"
  printf 'stratum,n\na,2\n' >"$C/alloc_missing.csv"
  printf 'stratum,k\na,2\nb,2\n' >"$C/alloc_nocol.csv"
  printf 'stratum,n\na,2\nb,2\n' >"$C/alloc_ok.csv"
  S="sample $FS --seed 1 -o $C/x.csv"
  expect_error sample-no-n 2 "--n N is required" -- $S
  expect_error sample-no-seed 2 "--seed N is required (the draw must be reproducible)" -- sample $FS --n 2 -o "$C/x.csv"
  expect_error sample-no-frame 2 "no FRAME file (try 'survstat sample --help')" -- sample --n 2 --seed 1 -o "$C/x.csv"
  expect_error sample-two-frames 2 "one FRAME file expected, got 'x' too" -- $S x --n 2
  expect_error sample-needs-size 2 "--method pps-sys needs --size COL" -- $S --n 2 --method pps-sys
  expect_error sample-stage2 2 "--stage2 COL and --n2 M go together" -- $S --n 2 --stage2 hh
  expect_error sample-design 2 "sample takes --strata only of the design options" -- $S --n 2 --weights size
  expect_error sample-method 2 "--method: unknown method 'pps' (srs, sys, pps-sys, pps-brewer)" -- $S --n 2 --method pps
  expect_error sample-alloc 2 "--alloc: unknown allocation 'optimal'" -- $S --n 2 --alloc optimal
  expect_error sample-alloc-power 2 "--alloc power:Q: Q must be a number from 0 to 1, got '2'" -- $S --n 2 --alloc power:2
  expect_error sample-n-whole 2 "--n: expected a whole number >= 1, got '2.5'" -- $S --n 2.5
  expect_error sample-n-frame 2 "--n 13 is larger than the frame (12 units)" -- $S --n 13
  expect_error sample-min 2 "--n 3 cannot give every one of the 2 strata its minimum of 2 units" -- $S --strata s --n 3
  expect_error sample-size-missing 1 "nosize.csv:3: column 'size': missing size" -- \
    sample "$C/nosize.csv" --n 2 --method pps-sys --size size --seed 1 -o "$C/x.csv"
  expect_error sample-size-zero 1 "zerosize.csv:3: column 'size': size '0' must be > 0" -- \
    sample "$C/zerosize.csv" --n 2 --method pps-brewer --size size --seed 1 -o "$C/x.csv"
  expect_error sample-hh-whole 1 "badhh.csv:3: column 'hh': second-stage count '2.5' must be a whole number > 0" -- \
    sample "$C/badhh.csv" --n 2 --stage2 hh --n2 2 --seed 1 -o "$C/x.csv"
  expect_error sample-stratum-missing 1 "nostratum.csv:3: column 's': missing stratum" -- \
    sample "$C/nostratum.csv" --strata s --n 1 --min-per-stratum 0 --seed 1 -o "$C/x.csv"
  expect_error sample-has-prob 2 "column 'prob' is already in" -- sample "$C/hasprob.csv" --n 1 --seed 1 -o "$C/x.csv"
  expect_error sample-has-draw 2 "column 'draw' is already in" -- sample "$C/hasdraw.csv" --n 1 --seed 1 --draws 2 -o "$C/x.csv"
  expect_error sample-alloc-unknown 1 "alloc_unknown.csv:3: column 'stratum': 'c' is not a stratum of the frame" -- \
    $S --strata s --alloc "$C/alloc_unknown.csv"
  expect_error sample-alloc-frac 1 "alloc_frac.csv:2: column 'n': '1.5' is not a whole number >= 0" -- \
    $S --strata s --alloc "$C/alloc_frac.csv"
  expect_error sample-alloc-big 1 "alloc_big.csv:2: column 'n': stratum 'a' has 6 units, fewer than 7" -- \
    $S --strata s --alloc "$C/alloc_big.csv"
  expect_error sample-alloc-missing 1 "no row for stratum 'b'" -- $S --strata s --alloc "$C/alloc_missing.csv"
  expect_error sample-alloc-nocol 1 "no column 'n' (or 'n_psu')" -- $S --strata s --alloc "$C/alloc_nocol.csv"
  expect_error sample-alloc-n 2 "--n 5 differs from the 4 units of --alloc" -- $S --strata s --n 5 --alloc "$C/alloc_ok.csv"
  [ -e "$C/x.csv" ] && bad "sample errors: an output was written" || ok

  expect_error plan-file 2 "plan takes no FILE, got 'x'" -- plan x --moe 0.03
  expect_error plan-target 2 "give one of --moe E and --cv C" -- plan --moe 0.03 --cv 0.1
  expect_error plan-deff-both 2 "give --deff or --deff-from, not both" -- plan --moe 0.03 --deff 2 --deff-from x.csv
  expect_error plan-rr-both 2 "give --rr or --rates-from, not both" -- plan --moe 0.03 --rr 0.5 --rates-from x.csv
  expect_error plan-n-both 2 "give --N or --frame, not both" -- plan --moe 0.03 --N 100 --frame $FS
  expect_error plan-needs-frame 2 "--strata, --size, --domains and --alloc need --frame FILE" -- plan --moe 0.03 --strata s
  expect_error plan-alloc 2 "plan --alloc takes proportional, equal or power:Q" -- plan --moe 0.03 --frame $FS --alloc neyman:size
  expect_error plan-design 2 "plan takes --strata only of the design options" -- plan --moe 0.03 --ids id
  expect_error plan-range 2 "--moe: '2' is not in (0, 1]" -- plan --moe 2
  expect_error plan-p 2 "--p: '1' is not in (0, 1)" -- plan --moe 0.03 --p 1
  printf 'statistic,domain,deff\nmean,,\n' >"$C/nodeff.csv"
  expect_error plan-deff-file 1 "nodeff.csv: column 'deff': no positive design effect" -- plan --moe 0.03 --deff-from "$C/nodeff.csv"
  printf 'rate,value\nRR1,0.5\n' >"$C/rr1.csv"
  expect_error plan-rr-file 1 "rr1.csv: no RR3 row in (0, 1] (survstat rates output expected)" -- plan --moe 0.03 --rates-from "$C/rr1.csv"
  expect_error plan-frame-size 1 "zerosize.csv:3: column 'size': size '0' must be > 0" -- plan --moe 0.03 --frame "$C/zerosize.csv" --size size
fi

# --- [plan] and [sample] sections in run specs ------------------------------
if only cycle; then
  run run datasets/cycle2010.ini --out "$C/run" --quiet
  if [ "$status" -ne 0 ]; then bad "run cycle2010: exit $status: $(cat "$TMP/err")"
  elif python3 - "$C/run/2009" <<'PY'
import csv, sys, collections
d = sys.argv[1]
plan = list(csv.DictReader(open(f"{d}/plan2010.csv", encoding="utf-8")))
deff = [float(r["deff"]) for r in csv.DictReader(open(f"{d}/deff2009.csv", encoding="utf-8")) if r["deff"]]
rr3 = [float(r["value"]) for r in csv.DictReader(open(f"{d}/response2009.csv", encoding="utf-8"))
       if r["rate"] == "RR3" and r["domain"] == ""]
s = list(csv.DictReader(open(f"{d}/sample2010.csv", encoding="utf-8")))
alloc = {r["stratum"]: int(float(r["n_psu"])) for r in plan[1:]}
psus = collections.Counter(k[0] for k in {(r["district"], r["community"]) for r in s})
ok = abs(float(plan[0]["deff"]) - sum(deff) / len(deff)) < 1e-12 * float(plan[0]["deff"]) \
     and abs(float(plan[0]["rr"]) - rr3[0]) < 1e-15 and psus == collections.Counter(alloc) \
     and len(s) == 10 * sum(alloc.values())
sys.exit(0 if ok else 1)
PY
  then ok; else bad "run cycle2010: the plan or the sample does not follow the sections"; fi
  # a spec's sample section without a frame
  printf '[run]\ndata = x.csv\nwave = 1\n[sample s]\nn = 2\nseed = 1\n' >"$C/noframe.ini"
  expect_error run-sample-frame 2 "no FRAME file" -- run "$C/noframe.ini" --out "$C/run2" --quiet
fi
