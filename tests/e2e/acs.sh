# Successive-difference replicate weights (--rep-type sdr, acs, jk2) on the
# ACS PUMS person-file shape (datasets/acs_pums.csv, from bench/gen_acs):
# R's svrepdesign(type = "ACS") of survey 4.5 (tests/ref/acs_cases.txt, made
# by make_acs_refs.R; the sdr and jk2 cases are in rep_cases.txt), and the
# one-pass replicate sums on one and two threads.  Sourced by
# tests/run_tests.sh.

A=$TMP/acs_cases
mkdir -p "$A"
ACS_DESIGN=(--weights PWGTP --repweights '^PWGTP[0-9]+$')

ref_cases "acs ref" estimate tests/ref/acs_cases.txt "tests/ref/@.expected.csv"

# acs is sdr with --mse: the same output to the bit.
run estimate datasets/acs_pums.csv "${ACS_DESIGN[@]}" --rep-type acs --mean PINCP --prop ESR \
  --total SEX --by ST --format csv
cp "$TMP/out" "$A/acs.csv"
run estimate datasets/acs_pums.csv "${ACS_DESIGN[@]}" --rep-type sdr --mse --mean PINCP \
  --prop ESR --total SEX --by ST --format csv
if [ -s "$A/acs.csv" ] && cmp -s "$A/acs.csv" "$TMP/out"; then ok; else bad "acs differs from sdr --mse"; fi
# ... and not sdr without it (the replicates are centred on their mean).
run estimate datasets/acs_pums.csv "${ACS_DESIGN[@]}" --rep-type sdr --mean PINCP --prop ESR \
  --total SEX --by ST --format csv
if [ "$status" -eq 0 ] && ! cmp -s "$A/acs.csv" "$TMP/out"; then ok; else bad "sdr equals acs"; fi

# The replicate sums are split between two threads on large inputs: one
# thread gives the same bytes.  The file is the ACS shape repeated to
# 40,000 rows, enough for the split (rows x replicates >= 2^20, here in
# the whole sample).
{
  head -1 datasets/acs_pums.csv
  for _ in $(seq 100); do tail -n +2 datasets/acs_pums.csv; done
} >"$A/acs40k.csv"
for t in 1 2; do
  SURVSTAT_THREADS=$t run estimate "$A/acs40k.csv" "${ACS_DESIGN[@]}" --rep-type acs \
    --mean PINCP,AGEP --prop ESR --total SEX --ratio PINCP/AGEP --format csv
  cp "$TMP/out" "$A/threads$t.csv"
done
if [ -s "$A/threads1.csv" ] && cmp -s "$A/threads1.csv" "$A/threads2.csv"; then
  ok
else
  bad "acs: one and two threads differ"
fi

expect_error rep-scale-sdr 2 "--rep-scale: --rep-type sdr fixes the scale (4/R): leave --rep-scale out, or use --rep-type other with it" -- \
  estimate datasets/acs_pums.csv "${ACS_DESIGN[@]}" --rep-type sdr --rep-scale 0.05 --mean PINCP
expect_error rep-scale-jk2 2 "--rep-scale: --rep-type jk2 fixes the scale (1)" -- \
  estimate datasets/acs_pums.csv "${ACS_DESIGN[@]}" --rep-type jk2 --rep-scale 0.5 --mean PINCP

# Made replicates: the replicates' sums over the PSUs are split between two
# threads when PSUs x replicates >= 2^20 (here 200 PSUs x 6,000 bootstrap
# replicates), and a domain sums over the PSUs it touches: one thread gives
# the same bytes.
for t in 1 2; do
  SURVSTAT_THREADS=$t run estimate datasets/apistrat.csv --strata stype --weights pw --fpc fpc \
    --replicate bootstrap:6000 --seed 11 --mean api00 --prop awards --total enroll --format csv
  cp "$TMP/out" "$A/boot$t.csv"
done
if [ -s "$A/boot1.csv" ] && cmp -s "$A/boot1.csv" "$A/boot2.csv"; then
  ok
else
  bad "bootstrap: one and two threads differ"
fi

# Negative replicate weights (real PUMS files allow them: the data
# dictionary gives PWGTPn the range -9999..9999) are used as they are; the
# means, totals, ratios, Wald intervals and quantiles are R's (the
# rep_acs_negative* cases above).  The logit intervals are checked against a
# hand computation (tests/ref/make_negative_refs.R), because R's
# svyciprop(method = "logit") refits with glm.fit, which leaves out the rows
# whose weight is negative: expit(logit(p) +- t SE), the SE from the
# replicates' logits; level 5 has a replicate proportion below 0, so no
# logit and no interval (flag CIx, with a warning).  survstat stops the
# logit refits where glm does (deviance change under 1e-8), so the
# intervals agree with the exact logits to about 1e-9: 1e-8 here.
run estimate datasets/acs_pums_negative.csv "${ACS_DESIGN[@]}" --rep-type acs --prop ESR \
  --format csv
if [ "$status" -eq 0 ] &&
  python3 tests/tools/refcmp.py "$TMP/out" tests/ref/negative_logit.expected.csv \
    --ci-rtol 1e-8 >"$TMP/cmp"; then
  ok
else
  bad "acs negative replicate weights, logit intervals: $(head -3 "$TMP/cmp") $(cat "$TMP/err")"
fi
if grep -q '^,prop,ESR,5,.*,CIx,' "$TMP/out" &&
  grep -qF "warning: prop ESR level 5: no interval: a replicate's proportion lies outside [0, 1] (negative replicate weights), so it has no logit; --ci-method wald gives an interval" "$TMP/err"; then
  ok
else
  bad "acs negative replicate weights: level 5 lacks CIx or its warning: $(cat "$TMP/err")"
fi
# A missing replicate weight is still an error.
sed '3s/^\(\([^,]*,\)\{12\}\)[0-9-]*,/\1,/' datasets/acs_pums_negative.csv >"$A/acs_missing.csv"
expect_error rep-missing 1 "acs_missing.csv:3: column 'PWGTP4': missing replicate weight" -- \
  estimate "$A/acs_missing.csv" "${ACS_DESIGN[@]}" --rep-type acs --mean PINCP
