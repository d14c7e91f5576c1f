# Replicate designs (--replicate, --repweights): R reference cases
# (tests/ref/rep_cases.txt, made by make_rep_refs.R), the replicate weights
# that survstat weight writes against R's, bootstrap properties, and one
# case per replicate message.  Sourced by tests/run_tests.sh.

R=$TMP/replicate_cases
mkdir -p "$R"

ref_cases "rep ref" estimate tests/ref/rep_cases.txt "tests/ref/@.expected.csv"

# survstat weight --replicate jk1 writes R's JK1 replicate weights
# (as.svrepdesign(compress = FALSE), kept in datasets/apiclus1_rep.csv).
run weight datasets/apiclus1.csv --ids dnum --weights pw --fpc fpc --replicate jk1 \
  --weight-name w -o "$R/jk1.csv"
if [ "$status" -ne 0 ]; then
  bad "weight --replicate jk1: exit $status: $(cat "$TMP/err")"
elif python3 - "$R/jk1.csv" datasets/apiclus1_rep.csv <<'PY'; then ok; else bad "weight --replicate jk1 columns"; fi
import csv, sys
got = list(csv.DictReader(open(sys.argv[1])))
want = list(csv.DictReader(open(sys.argv[2])))
assert len(got) == len(want) == 183
for g, w in zip(got, want):
    for k in range(1, 16):
        a, b = float(g[f"rep{k}"]), float(w[f"rep{k}"])
        assert abs(a - b) <= 1e-12 * max(abs(a), abs(b), 1), (k, a, b)
assert "rep16" not in got[0]
PY

# BRR on scd: R's brrweights with hadamard(3) (2 - rho and rho, rho = 0).
run weight datasets/scd.csv --ids ambulance --strata ESA --nest --weights one \
  --replicate brr --weight-name w -o "$R/brr.csv"
if [ "$status" -eq 0 ] && [ "$(cut -d, -f8- "$R/brr.csv" | tr '\n' ' ')" = \
  "rep1,rep2,rep3,rep4 2,0,2,0 0,2,0,2 2,2,0,0 0,0,2,2 2,0,0,2 0,2,2,0 " ]; then
  ok
else
  bad "weight --replicate brr on scd: $(cat "$R/brr.csv" "$TMP/err")"
fi

# Bootstrap: the same seed gives the same output, another seed another;
# its SE is close to the Taylor SE on a large sample (nhanes, 8,591 rows).
boot() {
  run estimate datasets/nhanes.csv --ids SDMVPSU --strata SDMVSTRA --weights WTMEC2YR \
    --nest "$@" --mean HI_CHOL --format csv
  cp "$TMP/out" "$R/boot_$#_$*.csv" 2>/dev/null
  cut -d, -f7 "$TMP/out" | tail -1
}
a=$(boot --replicate bootstrap:200 --seed 1)
b=$(boot --replicate bootstrap:200 --seed 1)
c=$(boot --replicate bootstrap:200 --seed 2)
t=$(boot)
if [ -n "$a" ] && [ "$a" = "$b" ]; then ok; else bad "bootstrap: same seed, '$a' vs '$b'"; fi
if [ -n "$c" ] && [ "$a" != "$c" ]; then ok; else bad "bootstrap: seeds 1 and 2 both gave '$a'"; fi
if python3 -c "import sys; a,t=float('$a'),float('$t'); sys.exit(not 0.6 < a/t < 1.4)"; then
  ok
else
  bad "bootstrap SE $a far from the Taylor SE $t"
fi
# bootstrap df: R's degf, the rank of the replicate weights minus 1
run estimate datasets/apiclus1.csv --ids dnum --weights pw --replicate bootstrap:10 --seed 7 \
  --mean api00 --format csv
if [ "$status" -eq 0 ] && [ "$(cut -d, -f10 "$TMP/out" | tail -1)" = 9 ]; then
  ok
else
  bad "bootstrap:10 df: $(cat "$TMP/out" "$TMP/err")"
fi

# A 2,000-replicate JKn on 100,000 rows takes seconds (R takes minutes).
python3 - "$R/big.csv" <<'PY'
import random, sys
random.seed(5)
with open(sys.argv[1], "w") as f:
    f.write("stratum,psu,w,y,g\n")
    for i in range(100000):
        h = i % 100
        p = (i // 100) % 20
        f.write(f"{h},{h}-{p},{1 + (i % 7)},{random.gauss(50 + h % 5, 10):.4f},{i % 3}\n")
PY
start=$(date +%s)
run estimate "$R/big.csv" --strata stratum --ids psu --weights w --replicate jkn \
  --mean y --prop g --format csv
end=$(date +%s)
if [ "$status" -eq 0 ] && [ $((end - start)) -lt 30 ] && [ "$(cut -d, -f10 "$TMP/out" | tail -1)" = 1900 ]; then
  ok
else
  bad "jkn 2000 replicates x 100000 rows: $((end - start)) s, exit $status: $(head -3 "$TMP/out" "$TMP/err")"
fi

# ---- messages ----
expect_error brr-not-two-psus 1 "--replicate brr: stratum 'E' has 100 PSUs (BRR needs exactly 2 in every stratum)" -- \
  estimate datasets/apistrat.csv --strata stype --weights pw --replicate brr --mean api00
expect_error brr-no-strata 2 "--replicate brr: the design has no strata (use jk1 or bootstrap)" -- \
  estimate datasets/apiclus1.csv --ids dnum --weights pw --replicate brr --mean api00
expect_error replicate-unknown 2 "--replicate: expected jk1, jkn, brr, fay:RHO, bootstrap:R or subbootstrap:R, got 'jk2'" -- \
  estimate datasets/apiclus1.csv --ids dnum --weights pw --replicate jk2 --mean api00
expect_error bootstrap-zero 2 "--replicate: bootstrap needs a whole number of replicates from 2 to 1000000, got 'bootstrap:0'" -- \
  estimate datasets/apiclus1.csv --ids dnum --weights pw --replicate bootstrap:0 --mean api00
expect_error fay-rho 2 "--replicate: fay needs a rho between 0 and 1, got 'fay:1.5'" -- \
  estimate datasets/scd.csv --ids ambulance --strata ESA --nest --replicate fay:1.5 --mean alive
expect_error jk1-strata 2 "--replicate jk1: the design has strata (use jkn)" -- \
  estimate datasets/apistrat.csv --strata stype --weights pw --replicate jk1 --mean api00
expect_error jkn-no-strata 2 "--replicate jkn: the design has no strata (use jk1)" -- \
  estimate datasets/apiclus1.csv --ids dnum --weights pw --replicate jkn --mean api00
expect_error jkn-lonely 1 "--replicate jkn: stratum '" -- \
  estimate datasets/apistrat.csv --strata cname --weights pw --replicate jkn --mean api00
expect_error repweights-no-match 1 "datasets/apiclus1.csv:1: --repweights: no column matches '^wgt[0-9]+\$'" -- \
  estimate datasets/apiclus1.csv --weights pw --repweights '^wgt[0-9]+$' --rep-type jk1 --mean api00
expect_error repweights-bad-regex 2 "--repweights: invalid regular expression '(rep'" -- \
  estimate datasets/apiclus1_rep.csv --weights pw --repweights '(rep' --rep-type jk1 --mean api00
expect_error repweights-no-type 2 "--repweights needs --rep-type" -- \
  estimate datasets/apiclus1_rep.csv --weights pw --repweights '^rep' --mean api00
expect_error rep-type-alone 2 "--rep-type and --rep-scale need --repweights" -- \
  estimate datasets/apiclus1.csv --weights pw --rep-type jk1 --mean api00
expect_error rep-type-unknown 2 "--rep-type: expected jk1, jkn, jk2, brr, fay:RHO, bootstrap, sdr, acs or other, got 'sdr2'" -- \
  estimate datasets/apiclus1_rep.csv --weights pw --repweights '^rep' --rep-type sdr2 --mean api00
expect_error rep-jkn-scale 2 "--rep-type jkn: give --rep-scale (R needs rscales for combined JKn weights)" -- \
  estimate datasets/apiclus1_rep.csv --weights pw --repweights '^rep' --rep-type jkn --mean api00
expect_error rep-both 2 "give --replicate or --repweights, not both" -- \
  estimate datasets/apiclus1_rep.csv --weights pw --replicate jk1 --repweights '^rep' --rep-type jk1 --mean api00
expect_error rep-scale-bad 2 "--rep-scale: expected a positive number, got '-1'" -- \
  estimate datasets/apiclus1_rep.csv --weights pw --repweights '^rep' --rep-type other --rep-scale -1 --mean api00
expect_error rep-mse-alone 2 "--mse needs --replicate or --repweights" -- \
  estimate datasets/apiclus1.csv --weights pw --mse --mean api00
expect_error rep-seed-no-boot 2 "--seed needs --replicate bootstrap:R" -- \
  estimate datasets/apiclus1.csv --ids dnum --weights pw --replicate jk1 --seed 3 --mean api00
expect_error rep-seed-bad 2 "--seed: expected a whole number from 0 to 4294967295, got 'x'" -- \
  estimate datasets/apiclus1.csv --ids dnum --weights pw --replicate bootstrap:5 --seed x --mean api00
expect_error repweights-stdin 2 "--repweights: needs a file, not standard input" -- \
  estimate - --weights pw --repweights '^rep' --rep-type jk1 --mean api00
expect_error rep-weight-column-exists 2 "--replicate: column 'rep1' is already in datasets/apiclus1_rep.csv" -- \
  weight datasets/apiclus1_rep.csv --ids dnum --weights pw --replicate jk1 --weight-name w

# Satisfaction measures under JKn (make_rep_refs.R: svyciprop logit, svymean).
run estimate datasets/apistrat_pairs.csv --strata stype --weights pw --fpc fpc --replicate jkn \
  --scale 1:5 --t2b sat --net sat --index both=sat,sat2 --format csv
if [ "$status" -eq 0 ] && python3 tests/tools/refcmp.py "$TMP/out" tests/ref/rep_measures_jkn.expected.csv >"$TMP/cmp"; then
  ok
else
  bad "rep ref rep_measures_jkn: $(cat "$TMP/err" "$TMP/cmp" | head -5)"
fi

# Weighting is redone on each replicate; a replicate it fails on is named.
# (Bounds the full sample fits but replicate 12's post-stratified weights,
# mean 42.4 over its PSUs, cannot; replicate 10's are all above 40.)
expect_error rep-trim-fails 1 "replicate 12: --trim-weights 30,42: the weights cannot be trimmed to these bounds" -- \
  estimate datasets/apiclus1.csv --ids dnum --weights pw --fpc fpc --replicate jk1 \
  --poststrat tests/ref/margins/stype_cells.csv --trim-weights 30,42 --mean api00
expect_error rep-trim-all-outside 1 "replicate 10: --trim-weights 30,40: every weight is outside the bounds" -- \
  estimate datasets/apiclus1.csv --ids dnum --weights pw --fpc fpc --replicate jk1 \
  --poststrat tests/ref/margins/stype_cells.csv --trim-weights 30,40 --mean api00

# describe names the replicates, their scale and R's degf.
run describe datasets/scd.csv --ids ambulance --strata ESA --nest --weights one --replicate fay:0.3
if [ "$status" -eq 0 ] && grep -q '^replicates  *4$' "$TMP/out" && grep -q '^design df  *3$' "$TMP/out" &&
  grep -q '^replicate scale  *0.5102041$' "$TMP/out"; then
  ok
else
  bad "describe --replicate fay:0.3: $(cat "$TMP/out" "$TMP/err")"
fi
