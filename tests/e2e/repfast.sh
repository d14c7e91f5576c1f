# Replicates adjusted again on cell totals (ss_weight_cells): R reference
# cases (tests/ref/repfast_cases.txt, made by make_repfast_refs.R), trimming
# against trimWeights redone here, supplied against made replicates, the
# same bytes for one thread and two.  Sourced by tests/run_tests.sh.

RF=$TMP/repfast
mkdir -p "$RF"

ref_cases "repfast ref" estimate tests/ref/repfast_cases.txt "tests/ref/@.expected.csv"

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

# Trimming per replicate keeps at 0 only the rows outside the replicate: a
# row whose full-sample weight is 0 is raised to the lower bound in the full
# sample and in every replicate that holds it.  Made JKn replicates without
# --ids: row i is PSU i, outside replicate i only.  Supplied replicates tell
# a row outside only by a weight 0 where the full sample's is not, so a row
# of full-sample weight 0 is raised in all of them.
python3 - datasets/apistrat.csv "$RF/zero.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
for i, r in enumerate(rows):
    if i % 10 == 0:
        r["pw"] = "0"
w = csv.DictWriter(open(sys.argv[2], "w", newline=""), fieldnames=list(rows[0]))
w.writeheader()
w.writerows(rows)
PY
run weight "$RF/zero.csv" --strata stype --weights pw --fpc fpc --replicate jkn \
  --weight-name w1 -o "$RF/zero_reps.csv"
sed -i '1s/,rep\([0-9]*\)/,s\1/g' "$RF/zero_reps.csv"
for how in made supplied; do
  if [ $how = made ]; then
    run weight "$RF/zero.csv" --strata stype --weights pw --fpc fpc --replicate jkn \
      --trim-weights 10,60 --weight-name nw -o "$RF/zero_$how.csv"
  else
    run weight "$RF/zero_reps.csv" --weights w1 --repweights '^s[0-9]+$' --rep-type other \
      --rep-scale 1 --trim-weights 10,60 --weight-name nw -o "$RF/zero_$how.csv"
  fi
  if [ "$status" -ne 0 ]; then
    bad "replicate trimming of zero weights ($how): exit $status: $(cat "$TMP/err")"
  elif python3 - "$RF/zero_$how.csv" "$how" <<'PY'; then ok; else bad "replicate trimming of zero weights ($how)"; fi
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
reps = [c for c in rows[0] if c.startswith("rep") and c[3:].isdigit()]
assert len(reps) == 200, len(reps)
for i, r in enumerate(rows):
    zeros = [c for c in reps if float(r[c]) == 0]
    if i % 10 == 0:
        assert float(r["nw"]) == 10, (i, r["nw"])
        assert all(float(r[c]) >= 10 for c in reps if c not in zeros), i
        assert len(zeros) == (1 if sys.argv[2] == "made" else 0), (i, zeros[:5])
    else:
        assert len(zeros) == 1, (i, zeros[:5])
PY
done
