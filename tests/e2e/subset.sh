# --subset EXPR (R's subset(design, EXPR)), --total of a categorical
# column, and the quoting of domain labels.  Sourced by tests/run_tests.sh
# (helpers run, ok, bad, expect_error).  The numbers are R's: every line of
# tests/ref/subset_cases.txt (TAB-separated: name, command, data, EXPR or
# '-', arguments) against tests/ref/subset/NAME.expected.csv, written by
# tests/ref/make_subset_refs.R (1e-9 relative).

S=$TMP/subset
mkdir -p "$S"

while IFS=$'\t' read -r name cmd data expr args; do
  case $name in ''|'#'*) continue ;; esac
  tool=refcmp
  [ "$cmd" = test ] && tool=testcmp
  # shellcheck disable=SC2086
  if [ "$expr" = - ]; then
    run "$cmd" "datasets/$data" $args --format csv
  else
    run "$cmd" "datasets/$data" $args --subset "$expr" --format csv
  fi
  if [ "$status" -ne 0 ]; then
    bad "subset ref $name: exit $status: $(cat "$TMP/err")"
  elif python3 "tests/tools/$tool.py" "$TMP/out" "tests/ref/subset/$name.expected.csv" >"$TMP/cmp"; then
    ok
  else
    bad "subset ref $name"; head -5 "$TMP/cmp"
  fi
done <tests/ref/subset_cases.txt

STRAT="--strata stype --weights pw --fpc fpc"
API=datasets/apistrat.csv

# subset_same NAME 'EXPR1' 'EXPR2' ARGS...: the two conditions give the same
# rows (the parser's precedence, quoting and three-valued logic).
subset_same() {
  local name=$1 a=$2 b=$3
  shift 3
  run estimate "$@" --subset "$a" --format csv
  cp "$TMP/out" "$S/a.csv"
  local sa=$status
  run estimate "$@" --subset "$b" --format csv
  if [ "$sa" -ne 0 ] || [ "$status" -ne 0 ]; then
    bad "subset $name: exit $sa/$status: $(cat "$TMP/err")"
  elif cmp -s "$S/a.csv" "$TMP/out"; then
    ok
  else
    bad "subset $name: '$a' and '$b' differ"
  fi
}
# shellcheck disable=SC2086
{
subset_same precedence-and-or 'stype == "E" | stype == "M" & api00 > 700' \
  'stype == "E" | (stype == "M" & api00 > 700)' $API $STRAT --mean api00
subset_same precedence-not '!stype == "E"' 'stype != "E"' $API $STRAT --mean api00
subset_same not-in '!stype %in% c("E")' "stype %in% c('H', 'M')" $API $STRAT --mean api00
subset_same literal-left '700 < api00' 'api00 > 700' $API $STRAT --mean enroll
subset_same quotes "stype == 'E'" 'stype=="E"' $API $STRAT --mean enroll
subset_same backquote '`api00` >= 7e2' 'api00 >= 700L' $API $STRAT --mean enroll
subset_same string-number 'api00 == "693"' 'api00 == 693' $API $STRAT --mean enroll
subset_same bare-numeric 'acs.46' 'acs.46 != 0' datasets/apiclus1.csv --ids dnum --weights pw --mean api00
# NA: a comparison with a missing value is NA, which & FALSE makes FALSE and
# | TRUE makes TRUE; %in% is never NA (R's match).
subset_same na-or 'acs.46 > 30 | api00 > 0' 'api00 > 0' datasets/apiclus1.csv --ids dnum --weights pw --mean enroll
subset_same na-in-list 'acs.46 %in% c(NA, 30)' 'is.na(acs.46) | acs.46 == 30' datasets/apiclus1.csv --ids dnum --weights pw --mean enroll
subset_same true-and 'TRUE & api00 > 700' 'api00 > 700' $API $STRAT --mean enroll
}

# A row where EXPR is NA is outside: the answered rows alone are left.
subset_same na-outside 'acs.46 > 0 | acs.46 <= 0' '!is.na(acs.46)' datasets/apiclus1.csv --ids dnum --weights pw --mean api00

# Domain labels: a value holding ; = or a quote is quoted, quotes doubled,
# and plot reads the labels back.
printf 'g,x\na;h=b,1\na,2\n"say ""hi""",3\nb,4\n' >"$S/labels.csv"
run estimate "$S/labels.csv" --mean x --by g --format csv
if [ "$status" -eq 0 ] && python3 - "$TMP/out" <<'PY'; then ok; else bad "subset domain quoting: $(cat "$TMP/out")"; fi
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
got = {r["domain"]: r["estimate"] for r in rows}
want = {'g=a': "2", 'g="a;h=b"': "1", 'g=b': "4", 'g="say ""hi"""': "3"}
sys.exit(0 if got == want else 1)
PY
run estimate "$S/labels.csv" --mean x --by g --format csv -o "$S/labels_out.csv"
run plot "$S/labels_out.csv" --type bar --script "$S/labels.gp"
if [ "$status" -eq 0 ] && grep -qF "'a;h=b'" "$S/labels.gp" &&
   grep -qF "'say \"hi\"'" "$S/labels.gp"; then ok
else bad "subset plot reads quoted domains: $(grep ytics "$S/labels.gp")"; fi

# run: subset = in an estimate section.
cat >"$S/spec.ini" <<EOF
[design]
strata = stype
weights = pw
fpc = fpc
[estimate high]
mean = api00
total = enroll
subset = stype %in% c("E", "M") & api00 > 600
EOF
run run "$S/spec.ini" --data "$API" --wave w1 --out "$S/runout"
if [ "$status" -eq 0 ] && python3 - "$S/runout" tests/ref/subset/sub_strat_mean.expected.csv <<'PY'; then ok; else bad "subset run section: $(cat "$TMP/err")"; fi
import csv, glob, sys
f = glob.glob(sys.argv[1] + "/*/high.csv") + glob.glob(sys.argv[1] + "/high.csv")
got = {(r["statistic"], r["variable"]): float(r["estimate"]) for r in csv.DictReader(open(f[0]))}
want = {(r["statistic"], r["variable"]): float(r["estimate"]) for r in csv.DictReader(open(sys.argv[2]))}
ok = all(abs(got[k] - want[k]) <= 1e-9 * abs(want[k]) for k in got) and len(got) == 2
sys.exit(0 if ok else 1)
PY

# Messages: a malformed EXPR and an unknown column point at the place
# (usage errors, exit 2, with EXPR and a caret under it); an empty subset
# is a data error.
# shellcheck disable=SC2086
{
expect_error subset-malformed 2 "survstat estimate: --subset: the condition ends too soon: expected a column, a value, '!', 'is.na(' or '('" -- \
  estimate $API $STRAT --mean api00 --subset 'api00 >'
expect_error subset-unexpected 2 "--subset: unexpected ')': it closes no '('" -- \
  estimate $API $STRAT --mean api00 --subset 'api00 > 1)'
expect_error subset-trailing 2 "--subset: unexpected 'stype': expected '&', '|', a comparison or the end" -- \
  estimate $API $STRAT --mean api00 --subset 'api00 > 1 stype'
expect_error subset-andand 2 "--subset: '&&' looks at the first row alone in R: use '&' for rows" -- \
  estimate $API $STRAT --mean api00 --subset 'api00 > 1 && stype == "E"'
expect_error subset-oror 2 "--subset: '||' looks at the first row alone in R: use '|' for rows" -- \
  estimate $API $STRAT --mean api00 --subset 'api00 > 1 || stype == "E"'
expect_error subset-assign 2 "--subset: '=' is not a comparison: write '=='" -- \
  estimate $API $STRAT --mean api00 --subset 'stype = "E"'
expect_error subset-chain 2 "--subset: comparisons do not chain in R: join them with '&'" -- \
  estimate $API $STRAT --mean api00 --subset '1 < api00 < 800'
expect_error subset-two-columns 2 "--subset: a comparison of two columns is not supported" -- \
  estimate $API $STRAT --mean api00 --subset 'api00 > api99'
expect_error subset-no-column 2 "--subset: a comparison needs a column on one side and a number, a quoted string or NA on the other" -- \
  estimate $API $STRAT --mean api00 --subset '1 == 2'
expect_error subset-constant 2 "--subset: the condition names no column" -- \
  estimate $API $STRAT --mean api00 --subset 'TRUE'
expect_error subset-empty-expr 2 "--subset: the condition is empty" -- \
  estimate $API $STRAT --mean api00 --subset ' '
expect_error subset-string-open 2 "--subset: the string has no closing quote" -- \
  estimate $API $STRAT --mean api00 --subset 'stype == "E'
expect_error subset-escape 2 "--subset: unknown escape in the string" -- \
  estimate $API $STRAT --mean api00 --subset 'stype == "\q"'
expect_error subset-backquote 2 "--subset: the name has no closing \`" -- \
  estimate $API $STRAT --mean api00 --subset '`api00 > 1'
expect_error subset-empty-name 2 "--subset: empty column name" -- \
  estimate $API $STRAT --mean api00 --subset '`` > 1'
expect_error subset-bad-number 2 "--subset: not a number" -- \
  estimate $API $STRAT --mean api00 --subset 'api00 > 1e'
expect_error subset-function 2 "--subset: 'log(' is not a function survstat knows: use is.na(), %in% c()" -- \
  estimate $API $STRAT --mean api00 --subset 'log(api00) > 1'
expect_error subset-in-c 2 "--subset: unexpected '(': expected c(...) after %in%" -- \
  estimate $API $STRAT --mean api00 --subset 'stype %in% ("E")'
expect_error subset-in-paren 2 "--subset: unexpected '\"E\"': expected '(' after c" -- \
  estimate $API $STRAT --mean api00 --subset 'stype %in% c "E"'
expect_error subset-in-list 2 "--subset: unexpected 'stype': expected a number, a quoted string or NA" -- \
  estimate $API $STRAT --mean api00 --subset 'stype %in% c(stype)'
expect_error subset-in-comma 2 "--subset: unexpected '\"M\"': expected ',' or ')' in c(...)" -- \
  estimate $API $STRAT --mean api00 --subset 'stype %in% c("E" "M")'
expect_error subset-minus 2 "--subset: unexpected 'api00': expected a number after '-'" -- \
  estimate $API $STRAT --mean api00 --subset 'api00 > -api00'
expect_error subset-plus 2 "--subset: unexpected 'api00': expected a number after '+'" -- \
  estimate $API $STRAT --mean api00 --subset 'api00 > +api00'
expect_error subset-isna-paren 2 "--subset: unexpected 'api00': expected '(' after is.na" -- \
  estimate $API $STRAT --mean api00 --subset 'is.na api00'
expect_error subset-isna-column 2 "--subset: unexpected '1': expected a column in is.na()" -- \
  estimate $API $STRAT --mean api00 --subset 'is.na(1)'
expect_error subset-isna-close 2 "--subset: unexpected '&': expected ')' after the column in is.na(" -- \
  estimate $API $STRAT --mean api00 --subset 'is.na(api00 & 1)'
expect_error subset-paren-close 2 "--subset: the condition ends too soon: expected ')'" -- \
  estimate $API $STRAT --mean api00 --subset '(api00 > 1'
expect_error subset-deep 2 "--subset: parentheses nested too deep" -- \
  estimate $API $STRAT --mean api00 --subset "$(printf '(%.0s' $(seq 250))api00 > 1$(printf ')%.0s' $(seq 250))"
expect_error subset-many-not 2 "--subset: too many '!'" -- \
  estimate $API $STRAT --mean api00 --subset "$(printf '!%.0s' $(seq 250))api00 > 1"
expect_error subset-unknown-column 2 "survstat estimate: --subset: no column 'stpe' in the data" -- \
  estimate $API $STRAT --mean api00 --subset 'api00 > 1 & stpe == "E"'
expect_error subset-text-order 2 "--subset: column 'stype' holds text ('E'): compare it with a quoted string, or use == or %in% (R would order the texts)" -- \
  estimate $API $STRAT --mean api00 --subset 'stype > 1'
expect_error subset-not-logical 2 "--subset: column 'stype' is neither logical nor numeric ('E'): compare it, as stype == \"E\"" -- \
  estimate $API $STRAT --mean api00 --subset 'stype'
expect_error subset-string-alone 2 "--subset: a string alone is not a condition: compare a column with it" -- \
  estimate $API $STRAT --mean api00 --subset 'api00 > 1 & "E"'
expect_error subset-empty 1 "survstat estimate: $API: --subset 'stype == \"X\"' keeps no row (of 200): no estimate can be made; check the values it compares with" -- \
  estimate $API $STRAT --mean api00 --subset 'stype == "X"'
expect_error subset-not-here 2 "survstat weight: --subset: survstat weight does not take it (estimate, test, table, model and drivers do)" -- \
  weight $API $STRAT --weight-name w2 -o "$S/w.csv" --subset 'api00 > 1'
expect_error subset-test-empty 1 "keeps no row" -- \
  test $API $STRAT --ttest api00 --group comp.imp --subset 'api00 > 5000'
}

# The caret sits under the place.
run estimate $API $STRAT --mean api00 --subset 'api00 > 1 & stpe == "E"'
if [ "$status" -eq 2 ] && [ "$(sed -n 2p "$TMP/err")" = '  api00 > 1 & stpe == "E"' ] &&
   [ "$(sed -n 3p "$TMP/err")" = '              ^' ]; then ok
else bad "subset caret: $(cat "$TMP/err")"; fi
run estimate $API $STRAT --mean api00 --subset 'api00 >= 1 && x'
if [ "$status" -eq 2 ] && [ "$(sed -n 3p "$TMP/err")" = '             ^' ]; then ok
else bad "subset caret &&: $(cat "$TMP/err")"; fi

# --total on a numeric column stays the numeric total (R's svytotal(~x)),
# on a text column the total of every level; help names --subset.
run estimate $API $STRAT --total enroll --format csv
if [ "$status" -eq 0 ] && [ "$(grep -c '^,total,enroll,,' "$TMP/out")" -eq 1 ]; then ok
else bad "subset total numeric: $(cat "$TMP/out" "$TMP/err")"; fi
run estimate --help
if grep -qF -- "--subset EXPR" "$TMP/out"; then ok; else bad "subset estimate --help"; fi
