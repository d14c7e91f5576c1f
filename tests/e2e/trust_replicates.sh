# Replicate designs (issue 18): the domain's degf (R's degf of the subset
# design, the rank of its replicate analysis weights) for beta/Korn-Graubard
# intervals, --domain-df and contrasts; degf from the rank of the analysis
# weights (not of the replicate factors); a stage-1 census and a bootstrap
# of one-PSU strata; a replicate whose calibration does not converge.
# R references: tests/ref/make_trust_rep_refs.R on tests/ref/trustrep/.
# Sourced by tests/run_tests.sh.

TR=tests/ref/trustrep

# Korn-Graubard intervals in a domain of a JKn design: df = the domain's
# degf (42, 44, 58), not the design's (143).
ref_check "trust-rep kg-domain-df" estimate $TR/case_1017.csv \
  "--weights w --strata st --fpc fpc1 --lonely-psu adjust --na 9 --replicate jkn --prop q2 \
  --by grp --ci-method korn-graubard" \
  $TR/case_1017.expected.csv
# --domain-df under JKn with clusters: a domain inside one PSU has df 0 and no interval.
ref_check "trust-rep domain-df-jkn" estimate $TR/case_1218.csv \
  "--weights w --strata st --ids psu --nest --lonely-psu remove --na 9 --replicate jkn --mean \
  q1,income --by region --domain-df" \
  $TR/case_1218.expected.csv
# degf = rank(W) - 1 = 296 (the factors have rank 298: R's qr at tol 1e-5
# drops the lonely stratum's replicate once weighted).
ref_check "trust-rep degf-rank-w" estimate $TR/case_1309.csv \
  "--weights w --strata st --lonely-psu adjust --na 9 --replicate jkn --mean q1" \
  $TR/case_1309.expected.csv
# ratio and total with --domain-df under JK1 at level 0.9
ref_check "trust-rep domain-df-jk1-ratio" estimate $TR/case_5024.csv \
  "--weights w --strata st --lonely-psu average --na 9,99 --replicate jk1 --ratio income/q2 \
  --total age --by region --domain-df --level 0.9" \
  $TR/case_5024.expected.csv
# contrasts with --domain-df: df of the two domains' rows
ref_check "trust-rep compare-domain-df" estimate datasets/apiclus1.csv \
  "--ids dnum --weights pw --fpc fpc --replicate jk1 --mean api00 --by stype --compare \
  --domain-df" \
  $TR/compare_jk1_domain_df.expected.csv

# Raking with bounds on JKn replicates: three replicates' calibrations do not
# converge in 50 iterations; R's calibrate warns and keeps their last
# iterate ("Failed to converge"), and so does survstat, naming the first
# such replicate and its worst margin.  Every weight against R's (without
# --trim-weights: R's trimWeights on a replicate design is no reference).
run weight $TR/case_1427.csv --weights w --strata st --ids psu --fpc fpc1 --nest \
  --lonely-psu adjust --na 9,99 --replicate jkn --calibrate $TR/case_1427_margins.csv \
  --calfun raking --bounds 0.7,1.6 --weight-name wnew -o "$TMP/w1427.csv"
if [ "$status" -eq 0 ] &&
   grep -qF "survstat weight: warning: replicate 18: calibration did not converge in 50 iterations: the worst margin, 'sex=男', is off by 0.000165 (relative): its last iterate is kept, as R's calibrate does (3 replicates did not converge" "$TMP/err" &&
   python3 - "$TMP/w1427.csv" $TR/case_1427.weights.csv <<'PY'; then ok; else bad "trust-rep unconverged replicate: $(cat "$TMP/err")"; fi
import csv, sys
got = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
want = list(csv.DictReader(open(sys.argv[2], encoding="utf-8")))
assert len(got) == len(want) and len(want[0]) == 45, (len(got), len(want))
for g, w in zip(got, want):
    for k, v in w.items():
        a, b = float(g[k]), float(v)
        assert abs(a - b) <= 1e-9 * abs(b), (k, a, b)
PY

# JK1 where every PSU was sampled (fpc 1 at stage 1): no replicate (R's
# drop.replicates).  R answers SE 0 with degf -1 and NaN intervals; a df of
# -1 is no df, so survstat gives SE 0 with an empty df and interval (the
# 0% rows keep their one-sided interval, which needs no variance) and a
# warning that replicates leave out the later stages' variance.
run estimate $TR/case_5254.csv --weights w --ids psu,ssu --fpc fpc1,fpc2 --lonely-psu certainty \
  --na 9,99 --replicate jk1 --prop q2 --mean income --by region --ci-method korn-graubard \
  --format csv
if [ "$status" -eq 0 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] &&
   grep -qF "survstat estimate: warning: --replicate jk1: every PSU was sampled (fpc fraction 1 at stage 1), so there is no replicate: every SE is 0" "$TMP/err" &&
   python3 - "$TMP/out" <<'PY'; then ok; else bad "trust-rep jk1 census: $(cat "$TMP/err" "$TMP/out")"; fi
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
assert len(rows) == 30, len(rows)
for r in rows:
    assert r["se"] == "0" and r["df"] == "", r
    p = float(r["estimate"])
    if r["statistic"] == "mean" or 0 < p < 1:
        assert r["ci_low"] == "" and r["ci_high"] == "", r
PY
run describe $TR/case_5254.csv --weights w --ids psu,ssu --fpc fpc1,fpc2 --replicate jk1 \
  --lonely-psu certainty
if [ "$status" -eq 0 ] && grep -q '^design df  *none' "$TMP/out" && grep -q '^replicates  *0' "$TMP/out"; then
  ok
else
  bad "trust-rep jk1 census describe: $(cat "$TMP/out" "$TMP/err")"
fi

# Bootstrap with one PSU in its only stratum: every replicate repeats the
# full sample and R's scale nbar/(nbar-1) is 1/0: R's SE is NaN (degf 0).
# survstat leaves the SE empty and says why, instead of refusing it as an
# overflow.
run estimate $TR/case_1270.csv --weights w --strata st --ids psu --fpc fpc1 --nest \
  --lonely-psu certainty --na 9 --replicate bootstrap:20 --seed 1 --total q1 \
  --ratio income/q2 --level 0.99 --format csv
if [ "$status" -eq 0 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] &&
   grep -qF "survstat estimate: warning: --replicate bootstrap: every stratum has one PSU, so every replicate repeats the full sample: the SEs are left empty" "$TMP/err" &&
   awk -F, 'NR > 1 { n++; if ($7 != "" || $8 != "" || $10 != "0") exit 1 } END { exit n != 2 }' "$TMP/out"; then
  ok
else
  bad "trust-rep bootstrap one PSU: $(cat "$TMP/err" "$TMP/out")"
fi

# A lonely second-stage unit inside a first-stage unit taken whole (its
# stage-2 fpc fraction 1) under --lonely-psu fail: zero variance, as R's
# onestrat gives a stratum whose sampling fraction is 1 before it fails.
ref_check "trust-rep lonely-ssu-whole" estimate $TR/lonely_ssu_whole.csv \
  "--weights w --ids psu,ssu --fpc fpc1,fpc2 --lonely-psu fail --na 9,99 --mean income" \
  $TR/lonely_ssu_whole.expected.csv

# JKn where every stratum was taken whole: no replicate either (R's
# drop.replicates), the same answer and warning as JK1's (by hand: SE 0).
printf 's,y,w,N\na,1,2,2\na,3,2,2\nb,5,1,3\nb,6,1,3\nb,8,1,3\n' >"$TMP/census.csv"
run estimate "$TMP/census.csv" --strata s --weights w --fpc N --replicate jkn --mean y --format csv
if [ "$status" -eq 0 ] &&
   grep -qF "warning: --replicate jkn: every PSU was sampled (fpc fraction 1 at stage 1)" "$TMP/err" &&
   awk -F, 'NR == 2 { exit !($6 == 27 / 7 && $7 == 0 && $8 == "" && $10 == "") }' "$TMP/out"; then
  ok
else
  bad "trust-rep jkn census: $(cat "$TMP/err" "$TMP/out")"
fi
