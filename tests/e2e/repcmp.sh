# Replicate designs with --compare, --ci-method likelihood and --trim-weights:
# R reference cases (tests/ref/repcmp_cases.txt, made by make_repcmp_refs.R:
# R's svyby(covmat = TRUE) for the contrasts, by-hand R for the likelihood
# interval and for trimming every replicate).  Sourced by tests/run_tests.sh.

ref_cases "repcmp ref" estimate tests/ref/repcmp_cases.txt "tests/ref/repcmp/@.expected.csv"

# The likelihood profile of scd's 1-in-6 'alive' under BRR: half the
# replicates have no survivor, the replicate SE of the logit is about 11 and
# the profile never reaches its cut-off (R's own svyciprop gives NA here
# too): each row's interval is empty, flagged CIx, with a warning naming
# it; the command answers (issue 18: one row's failure sinks no others).
run estimate datasets/scd.csv --ids ambulance --strata ESA --nest --weights one --fpc fpc5 \
  --replicate brr --prop alive --ci-method likelihood --format csv
if [ "$status" -eq 0 ] && [ "$(grep -c ',,,3,,6,.*,CIx,0\.94999999999999996$' "$TMP/out")" -eq 6 ] &&
   [ "$(wc -l <"$TMP/err")" -eq 6 ] &&
   grep -qF "survstat estimate: warning: prop alive level 24: no interval: the likelihood profile does not reach the cut-off on either side of the estimate (R gives NA)" "$TMP/err"; then
  ok
else
  bad "rep-likelihood-profile: exit $status: $(head -3 "$TMP/out") $(head -2 "$TMP/err")"
fi

# Trimming each replicate leaves its deleted PSU at weight 0: with a lower
# bound above 0 the JKn SE stays near the untrimmed one (9.0 against 9.4)
# instead of collapsing to 4.1 as it would if deleted rows were raised to 20.
run estimate datasets/apistrat.csv --strata stype --weights pw --fpc fpc --replicate jkn \
  --trim-weights 20,40 --mean api00 --format csv
if [ "$status" -eq 0 ] && awk -F, 'NR == 2 { exit !($7 > 8.9 && $7 < 9.1) }' "$TMP/out"; then
  ok
else
  bad "repcmp trim keeps deleted PSUs out: $(cat "$TMP/out" "$TMP/err")"
fi
