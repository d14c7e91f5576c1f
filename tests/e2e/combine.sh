# survstat combine: the composite estimates against the formulas computed
# here, with inverse-variance and given weights; one case per message.
# Sourced by tests/run_tests.sh.

C=$TMP/combine_cases
mkdir -p "$C"
A=tests/data/sample_a.csv
B=tests/data/sample_b.csv

# check_combine OUT A B [WA WB]
check_combine() {
  python3 - "$@" <<'PY'
import csv, math, sys
from statistics import NormalDist
out, fa, fb = sys.argv[1:4]
fixed = [float(x) for x in sys.argv[4:6]] if len(sys.argv) > 4 else None
key = lambda r: (r["statistic"], r["variable"], r["level"], r["domain"])
a = {key(r): r for r in csv.DictReader(open(fa, encoding="utf-8"))}
b = {key(r): r for r in csv.DictReader(open(fb, encoding="utf-8"))}
got = {key(r): r for r in csv.DictReader(open(out, encoding="utf-8"))}
if set(got) != set(a) & set(b):
    sys.exit("rows differ")
for k, r in got.items():
    x, y = a[k], b[k]
    sa, sb = float(x["se"]), float(y["se"])
    wa, wb = fixed if fixed else (1 / sa**2, 1 / sb**2)
    wa, wb = wa / (wa + wb), wb / (wa + wb)
    est = wa * float(x["estimate"]) + wb * float(y["estimate"])
    va, vb = wa**2 * sa**2, wb**2 * sb**2
    se = math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / float(x["df"]) + vb**2 / float(y["df"]))
    for col, want in (("estimate", est), ("se", se), ("df", df),
                      ("n", float(x["n"]) + float(y["n"]))):
        g = float(r[col])
        if abs(g - want) > 1e-12 * abs(want):
            sys.exit(f"{k} {col}: {g!r}, want {want!r}")
    if r["wave"] != "combined":
        sys.exit("wave is not 'combined'")
PY
}
run combine "$A" "$B" --format csv
if [ "$status" -eq 0 ] && out=$(check_combine "$TMP/out" "$A" "$B" 2>&1); then ok; else bad "combine inverse variance: $out $(cat "$TMP/err")"; fi
run combine "$A" "$B" --weights 3,1 --format csv
if [ "$status" -eq 0 ] && out=$(check_combine "$TMP/out" "$A" "$B" 3 1 2>&1); then ok; else bad "combine --weights: $out $(cat "$TMP/err")"; fi
# The interval: t on the Satterthwaite df (by hand for one row).
run combine "$A" "$B" --format csv
if python3 - "$TMP/out" <<'PY'; then ok; else bad "combine interval"; fi
import csv, sys
r = next(csv.DictReader(open(sys.argv[1])))
est, se, lo, df = float(r["estimate"]), float(r["se"]), float(r["ci_low"]), float(r["df"])
q = (est - lo) / se  # must be qt(0.975, df): between the normal and t_30
sys.exit(0 if 1.959964 < q < 2.05 and df > 30 else 1)
PY
# Rows in one file only are left out, and said so.
head -3 "$A" >"$C/part.csv"
run combine "$C/part.csv" "$B" --format csv
if [ "$status" -eq 0 ] && [ "$(wc -l <"$TMP/out")" -eq 3 ]; then ok; else bad "combine partial: $(cat "$TMP/out" "$TMP/err")"; fi
run combine "$A" "$C/part.csv" --format csv
if grep -q "survstat combine: 7 rows of $A are not in every file and were left out" "$TMP/err"; then ok; else
  bad "combine partial note: $(cat "$TMP/err")"; fi

expect_error combine-one-file 2 "combine needs two or more RESULT files" -- combine "$A"
expect_error combine-weights-count 2 "--weights: 3 weights for 2 files" -- combine "$A" "$B" --weights 1,2,3
expect_error combine-bad-weight 2 "--weights: expected weights > 0, got '-1'" -- combine "$A" "$B" --weights 1,-1
printf 'statistic,variable,level,domain,estimate,se,df,n\nmean,x,,,1,1,,3\n' >"$C/other.csv"
expect_error combine-nothing-common 1 "no estimate is in every RESULT file" -- combine "$A" "$C/other.csv"
printf 'statistic,variable\nmean,x\n' >"$C/nocols.csv"
expect_error combine-missing-columns 1 "$C/nocols.csv:1: no column 'level': not a result file" -- combine "$A" "$C/nocols.csv"
