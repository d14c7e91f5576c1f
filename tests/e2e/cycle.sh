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
