# Replicate designs made from PPS designs (--pps brewer --replicate ...) and
# the subbootstrap (R's type "subbootstrap"), against R
# (tests/ref/ppsrep_cases.txt, made by tests/ref/make_ppsrep_refs.R); the
# subbootstrap's replicate weights against the committed ones R's values
# were computed on; what R refuses.  Sourced by tests/run_tests.sh.

PR=$TMP/ppsrep_cases
mkdir -p "$PR"
ER=tests/data/election_pps_rep.csv

# --- against R: estimate, test and model cases ------------------------------
while IFS='|' read -r name data args; do
  case $name in ''|'#'*) continue ;; esac
  case $args in
    *--formula*) kind=model tool=modelcmp ;;
    *--ttest*|*--chisq*) kind=test tool=testcmp ;;
    *--rows*) kind=table tool=refcmp ;;
    *) kind=estimate tool=refcmp ;;
  esac
  ref_check "ppsrep $name" "$kind" "$data" "$args" "tests/ref/ppsrep/$name.expected.csv" "$tool"
done <tests/ref/ppsrep_cases.txt

# --- the subbootstrap's replicate weights are still those R's values were
# computed on (survstat weight, per case; make_ppsrep_refs.R checked them
# against R's construction) ----------------------------------------------------
mkdir -p "$PR/w"
if ! python3 tests/ref/ppsrep_weights.py "$BIN" "$PR/w" 2>"$PR/w.err"; then
  bad "ppsrep weights: $(cat "$PR/w.err")"
else
  for f in tests/ref/ppsrep/*.weights.csv; do
    if cmp -s "$f" "$PR/w/$(basename "$f")"; then ok; else bad "ppsrep weights: $(basename "$f") differs"; fi
  done
fi

# --- properties ----------------------------------------------------------------
# A Brewer design whose probability is one for all is the SRS with that
# sampling fraction: bootstrap replicates (the same seed) give the same SEs.
run estimate $ER --pps brewer --fpc pc --replicate bootstrap:30 --seed 11 --mean Bush --prop winner --format csv
cp "$TMP/out" "$PR/boot_pps.csv"
python3 - "$ER" "$PR/srs.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
with open(sys.argv[2], "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0]) + ["pw_const"])
    w.writeheader()
    for r in rows:
        r["pw_const"] = repr(1 / 0.1)
        w.writerow(r)
PY
run estimate "$PR/srs.csv" --weights pw_const --fpc pc --replicate bootstrap:30 --seed 11 --mean Bush --prop winner --format csv
if [ "$status" -eq 0 ] && [ -s "$PR/boot_pps.csv" ] && cmp -s "$TMP/out" "$PR/boot_pps.csv"; then ok
else bad "ppsrep bootstrap: brewer with one probability differs from the SRS: $(cat "$TMP/err")"; fi

# Two subbootstrap runs with one seed agree; another seed differs.
run estimate $ER --pps brewer --fpc p --replicate subbootstrap:20 --seed 8 --mean Bush --format csv
a=$(cut -d, -f7 "$TMP/out" | tail -1)
run estimate $ER --pps brewer --fpc p --replicate subbootstrap:20 --seed 8 --mean Bush --format csv
b=$(cut -d, -f7 "$TMP/out" | tail -1)
run estimate $ER --pps brewer --fpc p --replicate subbootstrap:20 --seed 9 --mean Bush --format csv
c=$(cut -d, -f7 "$TMP/out" | tail -1)
if [ -n "$a" ] && [ "$a" = "$b" ] && [ "$a" != "$c" ]; then ok
else bad "ppsrep subbootstrap seeds: '$a' '$b' '$c'"; fi

# Without --seed the subbootstrap draws a seed and says it on stderr.
run estimate $ER --pps brewer --fpc p --replicate subbootstrap:5 --mean Bush
if [ "$status" -eq 0 ] && grep -q "^survstat estimate: bootstrap seed [0-9]* (give --seed [0-9]* to repeat)$" "$TMP/err"
then ok; else bad "ppsrep subbootstrap seed: $(cat "$TMP/err")"; fi

# --- what R refuses, and the subbootstrap's own errors --------------------------
python3 - "$PR" <<'PY'
import csv, sys
d = sys.argv[1]
rows = list(csv.DictReader(open("tests/data/election_pps_rep.csv")))
def write(name, rows):
    with open(f"{d}/{name}", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader(); w.writerows(rows)
one = [dict(r) for r in rows]; one[0]["p"] = "1"
write("p_one.csv", one)
lonely = [dict(r) for r in rows]
for r in lonely: r["s"] = "a" if r["id"] == "1" else "b"
write("lonely.csv", lonely)
census = [dict(r) for r in rows]
for r in census: r["f"] = "1" if int(r["id"]) <= 5 else "0.5"; r["s"] = "a" if int(r["id"]) <= 5 else "b"
write("census.csv", census)
PY
for m in hr ht yg; do
  extra=""; [ $m = hr ] || extra="--joint-probs tests/data/election_joint.csv"
  # shellcheck disable=SC2086
  expect_error ppsrep-refused-$m 2 "--replicate with --pps $m: R's as.svrepdesign makes no replicates of hr, ht or yg designs; with --pps brewer it allows subbootstrap:R, brr and fay:RHO (jk1, jkn and bootstrap:R when the probabilities are one per stratum)" -- \
    estimate $ER --ids id --pps $m $extra --fpc p --replicate subbootstrap:20 --mean Bush
done
expect_error ppsrep-brewer-jk1 2 "--replicate jk1 with --pps brewer: the inclusion probabilities vary within the sample, and R's as.svrepdesign takes them as one fpc per stratum: use subbootstrap:R, brr or fay:RHO" -- \
  estimate $ER --pps brewer --fpc p --replicate jk1 --mean Bush
expect_error ppsrep-brewer-jkn 2 "--replicate jkn with --pps brewer: the inclusion probabilities vary within stratum 'high'" -- \
  estimate $ER --strata half --pps brewer --fpc p --replicate jkn --mean Bush
expect_error ppsrep-brewer-boot 2 "--replicate bootstrap with --pps brewer: the inclusion probabilities vary within stratum 'high'" -- \
  model $ER --strata half --pps brewer --fpc p --replicate bootstrap:10 --seed 1 --formula Kerry~Bush
expect_error ppsrep-sub-certain 1 "--replicate subbootstrap: a PSU has inclusion probability 1 (in stratum '1'), which R's subbootstrap resamples for means but not for totals; use --pps brewer without --replicate" -- \
  estimate "$PR/p_one.csv" --pps brewer --fpc p --replicate subbootstrap:10 --seed 1 --mean Bush
expect_error ppsrep-sub-lonely 1 "--replicate subbootstrap: stratum 'a' has only one PSU (R's subbootstrap gives it no weight; use bootstrap:R or jkn with --lonely-psu)" -- \
  estimate "$PR/lonely.csv" --strata s --pps brewer --fpc p --replicate subbootstrap:10 --seed 1 --mean Bush
expect_error ppsrep-sub-census 1 "--replicate subbootstrap: stratum 'a' was sampled whole (fpc 1), which R's subbootstrap resamples for means but not for totals; use jkn or bootstrap:R" -- \
  table "$PR/census.csv" --strata s --fpc f --replicate subbootstrap:10 --seed 1 --rows winner
expect_error ppsrep-sub-reps 2 "--replicate: subbootstrap needs a whole number of replicates from 2 to 1000000, got 'subbootstrap:1'" -- \
  estimate $ER --pps brewer --fpc p --replicate subbootstrap:1 --mean Bush
expect_error ppsrep-seed 2 "--seed needs --replicate bootstrap:R or subbootstrap:R" -- \
  estimate $ER --pps brewer --fpc p --replicate brr --seed 1 --mean Bush
