# Inference cases R cannot be the reference for, and the messages of the
# inference options.  Sourced by tests/run_tests.sh (after errors.sh and
# input.sh, whose helpers it uses).
#   expect_cols NAME 'COLS' DOMAIN 'EXPECTED CELLS' -- ARGS...
# compares the named csv columns of every row of DOMAIN ('*': all rows),
# numbers to 1e-12 relative.

expect_cols() {
  local name=$1 cols=$2 dom=$3 want=$4
  shift 5
  run "$@" --format csv
  if [ "$status" -ne 0 ]; then
    bad "inference $name: exit $status: $(cat "$TMP/err")"
    return
  fi
  if python3 - "$TMP/out" "$cols" "$dom" "$want" <<'PY'; then ok; else bad "inference $name"; fi
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
cols = sys.argv[2].split(",")
got = [[r[k] for k in cols] for r in rows if sys.argv[3] in ("*", r["domain"])]
want = [line.split("|") for line in sys.argv[4].strip().split("\n")]
def same(a, b):
    try:
        x, y = float(a), float(b)
    except ValueError:
        return a == b
    return abs(x - y) <= 1e-12 * max(abs(x), abs(y))
if len(got) != len(want) or not all(len(g) == len(w) and all(same(a, b) for a, b in zip(g, w)) for g, w in zip(got, want)):
    print("got: ", got)
    print("want:", want)
    sys.exit(1)
PY
}

F=$TMP/inference_cases
mkdir -p "$F"

# A 0% and a 100% cell: domain g=a has 4 rows, all 'yes'.  R's svyciprop
# gives [0,0], NaN or an error there; survstat gives, for every method,
# the one-sided exact bound on the domain's n: 1 - 0.025^(1/4) and its
# complement, at 95%.  The other domain (g=b, 6 rows) is an ordinary cell.
printf 'y,g,w\nyes,a,1\nyes,a,2\nyes,a,1\nyes,a,3\nyes,b,1\nno,b,2\nno,b,1\nyes,b,1\nno,b,2\nno,b,1\n' >"$F/zero.csv"
U4=$(python3 -c 'print(repr(1 - 0.025 ** (1 / 4)))')
L4=$(python3 -c 'print(repr(0.025 ** (1 / 4)))')
for m in logit wald beta korn-graubard likelihood asin xlogit wilson; do
  expect_cols "zero-cell-$m" level,domain,estimate,ci_low,ci_high g=a \
    "no|g=a|0|0|$U4
yes|g=a|1|$L4|1" -- estimate "$F/zero.csv" --weights w --prop y --by g --ci-method "$m" \
    --flags nchs
  # (the flag of the 0% cell: n = 4 < 30 suppresses it, df 3 < 8, 0%)
done
run estimate "$F/zero.csv" --weights w --prop y --by g --flags nchs --format csv
if [ "$status" -eq 0 ] && grep -q '^,prop,y,no,g=a,.*,Px Pdf P0,0\.94999999999999996$' "$TMP/out"; then ok; else
  bad "inference zero-cell flag: $(cat "$TMP/out" "$TMP/err")"; fi
# At 90% the bound uses alpha/2 = 0.05.
U90=$(python3 -c 'print(repr(1 - 0.05 ** (1 / 4)))')
expect_cols zero-cell-level90 level,domain,ci_low,ci_high g=a "no|g=a|0|$U90
yes|g=a|$(python3 -c 'print(repr(0.05 ** (1 / 4)))')|1" -- \
  estimate "$F/zero.csv" --weights w --prop y --by g --level 0.9 --ci-method beta --domain-df

# Wilson on n_eff with the t quantile, by hand: unweighted SRS of 10 rows
# with 3 'yes': p = 0.3, Var = p(1-p)/(n-1) (R's svymean on an SRS without
# fpc), so n_eff = 9, df = 9, z = qt(0.975, 9).
printf 'y\nyes\nyes\nyes\nno\nno\nno\nno\nno\nno\nno\n' >"$F/wilson.csv"
WILSON=$(python3 - <<'PY'
import math
p, n, z = 0.3, 9.0, 2.2621571627982049  # qt(0.975, 9)
c = (p + z * z / (2 * n)) / (1 + z * z / n)
h = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
print(f"{c - h!r}|{c + h!r}")
PY
)
expect_cols wilson-by-hand level,ci_low,ci_high '*' "no|$(python3 - <<'PY'
import math
p, n, z = 0.7, 9.0, 2.2621571627982049
c = (p + z * z / (2 * n)) / (1 + z * z / n)
h = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
print(f"{c - h!r}|{c + h!r}")
PY
)
yes|$WILSON" -- estimate "$F/wilson.csv" --prop y --ci-method wilson

# Messages of the inference options.
expect_error bad-ci-method 2 "--ci-method: expected logit, wald, beta, korn-graubard, likelihood, asin, xlogit or wilson, got 'exact'" -- \
  estimate "$F/zero.csv" --prop y --ci-method exact
expect_error bad-flags 2 "--flags: expected nchs, got 'cdc'" -- estimate "$F/zero.csv" --prop y --flags cdc
expect_error compare-without-by 2 "--compare needs --by" -- estimate "$F/zero.csv" --prop y --compare
expect_error bad-qrule 2 "--qrule: expected math, school, shahvaish or hf1 .. hf9, got 'hf10'" -- \
  estimate "$F/zero.csv" --quantile w --qrule hf10
expect_error bad-probs 2 "--probs: expected probabilities between 0 and 1, got '1.5'" -- \
  estimate "$F/zero.csv" --quantile w --probs 0.5,1.5
expect_error probs-not-number 2 "--probs: invalid number 'half'" -- \
  estimate "$F/zero.csv" --quantile w --probs half

# No design at all (a convenience sample such as the paper questionnaires):
# the estimate is made, with a warning that the intervals assume SRS.
run estimate "$F/wilson.csv" --prop y --format csv
if [ "$status" -eq 0 ] && [ -s "$TMP/out" ] &&
   grep -q "survstat estimate: warning: $F/wilson.csv: no design given: every row weighs 1 and the intervals assume simple random sampling" "$TMP/err"; then
  ok; else bad "no-design warning: $(cat "$TMP/err")"; fi
run estimate "$F/zero.csv" --weights w --prop y --format csv
if [ "$status" -eq 0 ] && [ ! -s "$TMP/err" ]; then ok; else bad "warning with a design: $(cat "$TMP/err")"; fi
