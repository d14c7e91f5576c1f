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
