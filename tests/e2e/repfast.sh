# Replicates adjusted again on cell totals (ss_weight_cells): R reference
# cases (tests/ref/repfast_cases.txt, made by make_repfast_refs.R), trimming
# against trimWeights redone here, supplied against made replicates, the
# same bytes for one thread and two.  Sourced by tests/run_tests.sh.

RF=$TMP/repfast
mkdir -p "$RF"

while IFS='|' read -r name data args; do
  case $name in ''|'#'*) continue ;; esac
  # shellcheck disable=SC2086
  run estimate "datasets/$data" $args --format csv
  if [ "$status" -ne 0 ]; then
    bad "repfast ref $name: exit $status: $(cat "$TMP/err")"
  elif python3 tests/tools/refcmp.py "$TMP/out" "tests/ref/$name.expected.csv" >"$TMP/cmp"; then
    ok
  else
    bad "repfast ref $name"; head -5 "$TMP/cmp"
  fi
done < tests/ref/repfast_cases.txt

# Trimming after raking, per replicate: every replicate column trimmed with
# --trim-weights is R's trimWeights(strict = TRUE) of the raked column, but
# for the rows outside the replicate (weight 0), which stay 0 and take no
# share of what is trimmed (see README, "Replicate weights").
RAKE="--ids dnum --weights pw --fpc fpc --replicate jk1 --rake tests/ref/margins/rake_stype_schwide.csv"
# shellcheck disable=SC2086
run weight datasets/apiclus1.csv $RAKE --weight-name w -o "$RF/raked.csv"
# shellcheck disable=SC2086
run weight datasets/apiclus1.csv $RAKE --trim-weights 20,45 --weight-name w -o "$RF/trimmed.csv"
if [ "$status" -ne 0 ]; then
  bad "weight --replicate jk1 --rake --trim-weights: exit $status: $(cat "$TMP/err")"
elif python3 - "$RF/raked.csv" "$RF/trimmed.csv" <<'PY'; then ok; else bad "replicate trimming"; fi
import csv, sys
raked = list(csv.DictReader(open(sys.argv[1])))
trimmed = list(csv.DictReader(open(sys.argv[2])))
lo, hi = 20.0, 45.0
changed = 0
for k in range(1, 16):
    w = [float(r[f"rep{k}"]) for r in raked]
    for _ in range(1000):  # trimWeights(strict = TRUE): repeat until inside
        out = [x != 0 and (x < lo or x > hi) for x in w]
        if not any(out):
            break
        nw = [x if x == 0 else min(max(x, lo), hi) for x in w]
        add = sum(a - b for a, b in zip(w, nw)) / sum(not o and x != 0 for x, o in zip(w, out))
        w = [x if o or x == 0 else x + add for x, o in zip(nw, out)]
    got = [float(r[f"rep{k}"]) for r in trimmed]
    changed += got != [float(r[f"rep{k}"]) for r in raked]
    assert all((a == 0) == (b == 0) for a, b in zip(got, w)), k
    for a, b in zip(got, w):
        assert abs(a - b) <= 1e-12 * max(abs(a), abs(b), 1), (k, a, b)
assert changed > 0
PY

# Supplied replicate columns (R's JK1 weights of apiclus1) raked cell by cell
# give what the made JK1 replicates give.
run estimate datasets/apiclus1_rep.csv --weights pw --repweights '^rep[0-9]+$' --rep-type jk1 \
  --rake tests/ref/margins/rake_stype_schwide.csv --mean api00 --total enroll --format csv
cp "$TMP/out" "$RF/supplied.csv"
run estimate datasets/apiclus1.csv --ids dnum --weights pw --replicate jk1 \
  --rake tests/ref/margins/rake_stype_schwide.csv --mean api00 --total enroll --format csv
if python3 tests/tools/refcmp.py "$RF/supplied.csv" "$TMP/out" >"$TMP/cmp"; then
  ok
else
  bad "supplied and made jk1 raked differ"; head -5 "$TMP/cmp"
fi

# One thread or two: the same bytes.
for t in 1 2; do
  SURVSTAT_THREADS=$t run estimate datasets/apistrat.csv --strata stype --weights pw --fpc fpc \
    --replicate jkn --rake tests/ref/margins/rake_three.csv --trim-weights 10,60 \
    --mean api00 --prop awards --by sch.wide --format csv
  cp "$TMP/out" "$RF/threads$t.csv"
done
if [ -s "$RF/threads1.csv" ] && cmp -s "$RF/threads1.csv" "$RF/threads2.csv"; then
  ok
else
  bad "replicates raked with one and two threads differ"
fi

# A replicate whose post-stratum lost all its weight (its one PSU deleted).
python3 -c "
import csv, sys
ds = sorted({r['dnum'] for r in csv.DictReader(open('datasets/apiclus1.csv'))}, key=int)
open(sys.argv[1], 'w').write('dnum,total\n' + ''.join('%s,400\n' % d for d in ds))" "$RF/dnum_cells.csv"
expect_error replicate-poststratum-empty 1 \
  "$RF/dnum_cells.csv:13: replicate 1: post-stratum '637' has no weight in the sample" -- \
  estimate datasets/apiclus1.csv --ids dnum --weights pw --replicate jk1 \
  --poststrat "$RF/dnum_cells.csv" --mean api00
