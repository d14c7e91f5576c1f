# Weighting cases: survstat weight's column against R's weights
# (tests/ref/weight_cases.txt), properties of raking, nonresponse by hand,
# and one case per weighting message.  Sourced by tests/run_tests.sh.

W=$TMP/weighting_cases
mkdir -p "$W"

# compare_weights OUT.csv NAME EXPECTED.csv: the last column of OUT against
# the expected weights, 1e-9 relative.
compare_weights() {
  python3 - "$1" "$2" "$3" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8")))
name = sys.argv[2]
if rows[0][-1] != name:
    sys.exit(f"last column is {rows[0][-1]!r}, want {name!r}")
got = [float(r[-1]) for r in rows[1:]]
want = [float(x) for x in open(sys.argv[3]).read().split()[1:]]
if len(got) != len(want):
    sys.exit(f"{len(got)} weights, want {len(want)}")
for i, (g, w) in enumerate(zip(got, want)):
    if abs(g - w) > 1e-9 * max(abs(g), abs(w)):
        sys.exit(f"row {i + 1}: {g!r}, want {w!r}")
PY
}

while IFS='|' read -r name data args; do
  case $name in ''|'#'*) continue ;; esac
  # shellcheck disable=SC2086
  run weight "datasets/$data" $args --weight-name adjw -o "$W/$name.csv"
  if [ "$status" -ne 0 ]; then
    bad "weights $name: exit $status: $(cat "$TMP/err")"
  elif out=$(compare_weights "$W/$name.csv" adjw "tests/ref/$name.weights.csv" 2>&1); then
    ok
  else
    bad "weights $name: $out"
  fi
done < tests/ref/weight_cases.txt

# The rows are the input rows, unchanged: every column but the new one.
run weight datasets/apistrat.csv --weights pw --trim-weights 20,40 --weight-name tw -o "$W/trim.csv"
if [ "$status" -eq 0 ] && python3 - "$W/trim.csv" <<'PY'; then ok; else bad "weights keep the input rows"; fi
import csv, sys
a = list(csv.reader(open("datasets/apistrat.csv", encoding="utf-8")))
b = list(csv.reader(open(sys.argv[1], encoding="utf-8")))
sys.exit(0 if len(a) == len(b) and all(x == y[:-1] for x, y in zip(a, b)) else 1)
PY

# Property: after raking every margin is met (relative 1e-6), with and
# without a cap; with --rake-cap C no weight exceeds C times the mean.
# check_margins OUT.csv MARGINS.csv COLUMN [CAP]
check_margins() {
  python3 - "$@" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
col = sys.argv[3]
w = [float(r[col]) for r in rows]
for m in csv.DictReader(open(sys.argv[2], encoding="utf-8")):
    got = sum(x for x, r in zip(w, rows) if r[m["variable"]] == m["level"])
    want = float(m["total"])
    if abs(got - want) > 1e-6 * want:
        sys.exit(f"{m['variable']}={m['level']}: {got!r}, want {want!r}")
if len(sys.argv) > 4:
    cap = float(sys.argv[4]) * sum(w) / len(w)
    if max(w) > cap * (1 + 1e-6):
        sys.exit(f"max weight {max(w)!r} above the cap {cap!r}")
PY
}
M=tests/ref/margins
for spec in "apiclus1.csv|--ids dnum --weights pw|rake_three.csv|" \
            "apistrat.csv|--strata stype --weights pw|rake_stype_schwide.csv|" \
            "apisrs.csv|--weights pw|rake_three.csv|" \
            "apiclus1.csv|--ids dnum --weights pw|rake_three.csv|1.9" \
            "apiclus2.csv|--ids dnum,snum --weights pw|rake_stype_schwide.csv|2.5"; do
  IFS='|' read -r data design margins cap <<<"$spec"
  # shellcheck disable=SC2086
  run weight "datasets/$data" $design --rake "$M/$margins" ${cap:+--rake-cap $cap} \
    --weight-name rw -o "$W/rake.csv"
  if [ "$status" -ne 0 ]; then
    bad "raking property $spec: exit $status: $(cat "$TMP/err")"
  elif out=$(check_margins "$W/rake.csv" "$M/$margins" rw $cap 2>&1); then
    ok
  else
    bad "raking property $spec: $out"
  fi
done
# ... and a cap that binds: the uncapped raking of apiclus2 has a larger
# maximum weight than 2.5 times the mean.
run weight datasets/apiclus2.csv --ids dnum,snum --weights pw --rake "$M/rake_stype_schwide.csv" \
  --weight-name rw -o "$W/uncapped.csv"
if python3 -c '
import csv, sys
w = [float(r["rw"]) for r in csv.DictReader(open(sys.argv[1]))]
sys.exit(0 if max(w) > 2.5 * sum(w) / len(w) else 1)' "$W/uncapped.csv"; then ok; else
  bad "raking property: the cap of 2.5 does not bind on apiclus2"; fi

# Nonresponse by hand: class a has weights 1, 2 (responded) and 3 (not):
# the respondents get 1 * 6/3 = 2 and 2 * 6/3 = 4; class b: 5 (yes), 5 (no)
# -> 10, 0.
printf 'cls,resp,w,y\na,1,1,10\na,yes,2,20\na,0,3,30\nb,TRUE,5,40\nb,no,5,50\n' >"$W/nr.csv"
run weight "$W/nr.csv" --weights w --nonresponse cls --responded resp --weight-name nrw
if [ "$status" -eq 0 ] && [ "$(cut -d, -f5 "$TMP/out" | tr '\n' ' ')" = "nrw 2 4 0 10 0 " ]; then ok; else
  bad "nonresponse by hand: $(cat "$TMP/out" "$TMP/err")"; fi
if grep -q 'nonrespondents: 2 rows now weigh 0' "$TMP/err"; then ok; else
  bad "nonresponse diagnostics: $(cat "$TMP/err")"; fi

# Messages.
printf 'variable,level,total\nstype,E,4421\nstype,H,755\nstype,M,1018\nstype,X,5\n' >"$W/extra_level.csv"
expect_error margin-level-not-in-sample 1 "$W/extra_level.csv:5: variable 'stype' level 'X' has no sample members" -- \
  estimate datasets/apiclus1.csv --weights pw --rake "$W/extra_level.csv" --mean api00
printf 'variable,level,total\nstype,E,4421\nstype,H,755\n' >"$W/missing_level.csv"
expect_error sample-level-not-in-margins 1 "variable 'stype' level 'M' is in the sample but not in the margins" -- \
  estimate datasets/apiclus1.csv --weights pw --rake "$W/missing_level.csv" --mean api00
printf 'variable,level,total\nstype,E,4421\nstype,H,0\nstype,M,1018\n' >"$W/zero.csv"
expect_error margin-zero-total 1 "$W/zero.csv:3: variable 'stype' level 'H': the total must be positive, got 0" -- \
  estimate datasets/apiclus1.csv --weights pw --rake "$W/zero.csv" --mean api00
printf 'variable,level,total\nstype,E,4421\nstype,H,755\nstype,M,1018\nsch.wide,No,100\nsch.wide,Yes,5000\n' >"$W/disagree.csv"
expect_error margins-disagree 1 "variable 'sch.wide' totals 5100, but 'stype' (line 2) totals 6194: the margins disagree on the population size" -- \
  estimate datasets/apiclus1.csv --weights pw --rake "$W/disagree.csv" --mean api00
printf 'variable,level,total\nstype,E,4421\nstype,E,755\n' >"$W/twice.csv"
expect_error margin-twice 1 "$W/twice.csv:3: variable 'stype' level 'E' is given twice" -- \
  estimate datasets/apiclus1.csv --weights pw --rake "$W/twice.csv" --mean api00
printf 'variable,level,total\napi99,,100\napi99,x,5\n' >"$W/mixed.csv"
expect_error margin-numeric-and-levels 1 "$W/mixed.csv:3: variable 'api99' has a numeric total and other rows" -- \
  estimate datasets/apiclus1.csv --weights pw --calibrate "$W/mixed.csv" --mean api00
printf 'variable,level,total\nstype,E,\n' >"$W/nototal.csv"
expect_error margin-missing-total 1 "$W/nototal.csv:2: missing total" -- \
  estimate datasets/apiclus1.csv --weights pw --rake "$W/nototal.csv" --mean api00
printf 'variable,total\nstype,1\n' >"$W/nolevel.csv"
expect_error margins-no-level-column 1 "column 'level'" -- \
  estimate datasets/apiclus1.csv --weights pw --rake "$W/nolevel.csv" --mean api00
expect_error rake-not-converged 1 "calibration did not converge in 1 iterations: the worst margin" -- \
  estimate datasets/apiclus1.csv --weights pw --rake "$M/rake_three.csv" --max-iter 1 --mean api00
expect_error rake-cap-not-converged 1 "raking with --rake-cap 1.2 did not converge in 50 iterations: the worst margin" -- \
  estimate datasets/apiclus1.csv --weights pw --rake "$M/rake_three.csv" --rake-cap 1.2 --mean api00
expect_error rake-cap-numeric 1 "--rake-cap: variable 'api99' is numeric; raking takes categorical margins" -- \
  estimate datasets/apiclus1.csv --weights pw --rake "$M/cal_stype_api99.csv" --rake-cap 3 --mean api00
printf 'stype,total\nE,4421\nH,755\n' >"$W/cells_missing.csv"
expect_error cell-not-in-file 1 "post-stratum 'M' is not in $W/cells_missing.csv" -- \
  estimate datasets/apiclus1.csv --weights pw --poststrat "$W/cells_missing.csv" --mean api00
printf 'stype,total\nE,4421\nH,755\nM,1018\nX,3\n' >"$W/cells_extra.csv"
expect_error cell-without-sample 1 "$W/cells_extra.csv:5: post-stratum 'X' has no sample members" -- \
  estimate datasets/apiclus1.csv --weights pw --poststrat "$W/cells_extra.csv" --mean api00
printf 'stype,total\nE,4421\nH,-755\nM,1018\n' >"$W/cells_neg.csv"
expect_error cell-negative 1 "$W/cells_neg.csv:3: the total must not be negative or missing" -- \
  estimate datasets/apiclus1.csv --weights pw --poststrat "$W/cells_neg.csv" --mean api00
printf 'stype,total\nE,4421\nE,755\n' >"$W/cells_twice.csv"
expect_error cell-twice 1 "$W/cells_twice.csv:3: this post-stratum is given twice (line 2)" -- \
  estimate datasets/apiclus1.csv --weights pw --poststrat "$W/cells_twice.csv" --mean api00
printf 'total\n5\n' >"$W/cells_novar.csv"
expect_error cells-without-variables 1 "$W/cells_novar.csv:1: expected the post-stratum variables, then total" -- \
  estimate datasets/apiclus1.csv --weights pw --poststrat "$W/cells_novar.csv" --mean api00
printf 'g,w,y\na,1,2\n,1,3\nb,1,4\n' >"$W/gap.csv"
printf 'g,total\na,10\nb,10\n' >"$W/gap_cells.csv"
expect_error poststratum-missing-value 1 "$W/gap.csv:3: column 'g': missing value in a post-stratum variable" -- \
  estimate "$W/gap.csv" --weights w --poststrat "$W/gap_cells.csv" --mean y
printf 'variable,level,total\ng,a,10\ng,b,10\n' >"$W/gap_margins.csv"
expect_error calibration-missing-value 1 "$W/gap.csv:3: column 'g': missing value in a calibration variable" -- \
  estimate "$W/gap.csv" --weights w --rake "$W/gap_margins.csv" --mean y
expect_error logit-needs-bounds 2 "--calfun logit needs finite --bounds L,U" -- \
  estimate datasets/apiclus1.csv --weights pw --calibrate "$M/cal_stype_api99.csv" --calfun logit --mean api00
expect_error rake-and-calibrate 2 "give --rake or --calibrate, not both" -- \
  estimate datasets/apiclus1.csv --weights pw --rake "$M/rake_three.csv" --calibrate "$M/rake_three.csv" --mean api00
expect_error calfun-without-calibrate 2 "--calfun needs --calibrate" -- \
  estimate datasets/apiclus1.csv --weights pw --calfun raking --mean api00
expect_error bounds-without-calibration 2 "--bounds needs --calibrate or --rake" -- \
  estimate datasets/apiclus1.csv --weights pw --bounds 0.5,2 --mean api00
expect_error rake-cap-without-rake 2 "--rake-cap needs --rake" -- \
  estimate datasets/apiclus1.csv --weights pw --rake-cap 3 --mean api00
expect_error bad-calfun 2 "--calfun: expected linear, raking or logit, got 'probit'" -- \
  estimate datasets/apiclus1.csv --weights pw --calibrate "$M/rake_three.csv" --calfun probit --mean api00
expect_error bad-bounds 2 "--bounds: expected LOW,HIGH with LOW < HIGH, got '2,1'" -- \
  estimate datasets/apiclus1.csv --weights pw --rake "$M/rake_three.csv" --bounds 2,1 --mean api00
expect_error bad-trim 2 "--trim-weights: expected LOW,HIGH with LOW < HIGH, got '40'" -- \
  estimate datasets/apiclus1.csv --weights pw --trim-weights 40 --mean api00
expect_error bad-max-iter 2 "--max-iter: expected a positive whole number, got '2.5'" -- \
  estimate datasets/apiclus1.csv --weights pw --max-iter 2.5 --mean api00
expect_error bad-epsilon 2 "--epsilon: expected a positive number, got '-1'" -- \
  estimate datasets/apiclus1.csv --weights pw --epsilon -1 --mean api00
expect_error bad-rake-cap 2 "--rake-cap: expected a number above 1, got '0.5'" -- \
  estimate datasets/apiclus1.csv --weights pw --rake "$M/rake_three.csv" --rake-cap 0.5 --mean api00
expect_error trim-all-outside 1 "--trim-weights 1,2: every weight is outside the bounds" -- \
  estimate datasets/apistrat.csv --weights pw --trim-weights 1,2 --mean api00
printf 'w,y\n1,1\n1,2\n10,3\n' >"$W/trim_cycle.csv"
expect_error trim-infeasible 1 "--trim-weights 0.5,2: the weights cannot be trimmed to these bounds" -- \
  estimate "$W/trim_cycle.csv" --weights w --trim-weights 0.5,2 --mean y
expect_error weight-name-required 2 "--weight-name NAME is required" -- \
  weight datasets/apistrat.csv --weights pw --trim-weights 20,40
expect_error weight-name-exists 2 "--weight-name: column 'pw' is already in datasets/apistrat.csv" -- \
  weight datasets/apistrat.csv --weights pw --trim-weights 20,40 --weight-name pw
expect_error weight-nothing-to-do 2 "nothing to do: give --nonresponse, --poststrat, --rake, --calibrate or --trim-weights" -- \
  weight datasets/apistrat.csv --weights pw --weight-name w2
expect_error nonresponse-without-responded 2 "--nonresponse and --responded go together" -- \
  weight "$W/nr.csv" --weights w --nonresponse cls --weight-name w2
printf 'cls,resp,w\na,1,1\na,maybe,2\n' >"$W/nr_bad.csv"
expect_error responded-bad-value 1 "$W/nr_bad.csv:3: column 'resp': expected 1/0, yes/no or true/false, got 'maybe'" -- \
  weight "$W/nr_bad.csv" --weights w --nonresponse cls --responded resp --weight-name w2
printf 'cls,resp,w\na,1,1\nb,0,2\n' >"$W/nr_none.csv"
expect_error class-without-respondents 1 "nonresponse class cls=b has no respondents with weight" -- \
  weight "$W/nr_none.csv" --weights w --nonresponse cls --responded resp --weight-name w2
printf 'cls,resp,w\n,1,1\nb,0,2\n' >"$W/nr_gap.csv"
expect_error class-missing-value 1 "$W/nr_gap.csv:2: column 'cls': missing value in a --nonresponse class variable" -- \
  weight "$W/nr_gap.csv" --weights w --nonresponse cls --responded resp --weight-name w2

# The diagnostics table lines up in display columns with Chinese labels
# (a wide character takes two columns).
run weight datasets/phone.csv --strata district --weights base_weight \
  --rake datasets/population.csv --na 9 --weight-name rw -o "$TMP/cjk_w.csv"
if [ "$status" -eq 0 ] && python3 - "$TMP/err" <<'PY'; then ok; else bad "weight diagnostics CJK alignment: $(head -4 "$TMP/err")"; fi
import sys, unicodedata
lines = [l.rstrip("\n") for l in open(sys.argv[1], encoding="utf-8")][1:]
table = [l for l in lines if l.startswith("  ") and not l.startswith("  iterations") and not l.startswith("  weights")]
def width(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
widths = {width(l) for l in table}
sys.exit(0 if len(table) == 19 and len(widths) == 1 else 1)
PY
