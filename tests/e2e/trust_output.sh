# Issue 18 items 8, 9 and 15 (the output helper's part): warnings for
# requests that are legal but probably not meant, numeric category codes
# equal as numbers, text/md rounding for people, and the cost of --prop
# over many levels.  Sourced by tests/run_tests.sh (run, ok, bad).

T=$TMP/trust_output
mkdir -p "$T"

# expect_warning NAME 'MESSAGE' -- ARGS...: exit 0, exactly one line on
# stderr, the warning containing MESSAGE, and output on stdout.
expect_warning() {
  local name=$1 msg=$2
  shift 3
  run "$@"
  local lines
  lines=$(wc -l <"$TMP/err")
  if [ "$status" -ne 0 ]; then
    bad "warning $name: exit $status: $(cat "$TMP/err")"
  elif ! grep -qF -- "survstat estimate: warning: $msg" "$TMP/err"; then
    bad "warning $name: stderr '$(cat "$TMP/err")' lacks '$msg'"
  elif [ "$lines" -ne 1 ]; then
    bad "warning $name: $lines lines on stderr: $(cat "$TMP/err")"
  elif [ ! -s "$TMP/out" ]; then
    bad "warning $name: nothing on stdout"
  else
    ok
  fi
}

# expect_quiet NAME -- ARGS...: exit 0 and nothing on stderr.
expect_quiet() {
  local name=$1
  shift 2
  run "$@"
  if [ "$status" -ne 0 ] || [ -s "$TMP/err" ]; then
    bad "quiet $name: exit $status, stderr '$(cat "$TMP/err")'"
  else
    ok
  fi
}

# --- item 8: warnings ---------------------------------------------------
printf 's,p,w,q,r,g\n1,1,2,1,a,x\n1,2,2,2,,x\n2,3,2,3,b,\n2,4,2,2,b,y\n2,4,2,,,y\n' >"$T/w.csv"
expect_warning strata-ids-no-weights "$T/w.csv: --strata and --ids without --weights: every row weighs 1" -- \
  estimate "$T/w.csv" --strata s --ids p --mean q
expect_warning strata-no-weights "$T/w.csv: --strata without --weights" -- \
  estimate "$T/w.csv" --strata s --mean q
expect_warning ids-no-weights "$T/w.csv: --ids without --weights" -- estimate "$T/w.csv" --ids p --mean q
expect_quiet strata-with-weights -- estimate "$T/w.csv" --strata s --ids p --weights w --mean q
expect_warning t2b-no-top "$T/w.csv: no answer of 'q' is in the top two codes 4,5 of --scale 1:5: check the scale?" -- \
  estimate "$T/w.csv" --weights w --t2b q --scale 1:5
expect_warning b2b-no-bottom "$T/w.csv: no answer of 'q' is in the bottom two codes 4,5 of --scale 5:1: check the scale?" -- \
  estimate "$T/w.csv" --weights w --b2b q --scale 5:1
expect_quiet t2b-top-used -- estimate "$T/w.csv" --weights w --t2b q --scale 5:1
expect_quiet b2b-bottom-used -- estimate "$T/w.csv" --weights w --b2b q --scale 1:5
awk 'BEGIN { print "w,x,k"; for (i = 1; i <= 60; i++) print 1 "," i "," i % 51 }' >"$T/many.csv"
expect_warning prop-many-numeric "$T/many.csv: --prop 'x' has 60 distinct numeric values, one proportion each: did you mean --mean?" -- \
  estimate "$T/many.csv" --weights w --prop x
run estimate "$T/many.csv" --weights w --prop k
if [ "$status" -eq 0 ] && grep -qF "'k' has 51 distinct" "$TMP/err"; then ok; else bad "warning prop-51: $(cat "$TMP/err")"; fi
awk 'BEGIN { print "w,x"; for (i = 1; i <= 50; i++) print 1 "," i }' >"$T/fifty.csv"
expect_quiet prop-50-numeric -- estimate "$T/fifty.csv" --weights w --prop x
awk 'BEGIN { print "w,x"; for (i = 1; i <= 60; i++) print 1 ",a" i }' >"$T/text60.csv"
expect_quiet prop-60-text -- estimate "$T/text60.csv" --weights w --prop x
expect_warning by-missing "$T/w.csv: 2 of 5 rows are left out of the --by domains, their --by value missing: 'r' (2 rows)" -- \
  estimate "$T/w.csv" --weights w --mean q --by r
expect_warning by-missing-two "$T/w.csv: 3 of 5 rows are left out of the --by domains, their --by value missing: 'r' (2 rows), 'g' (1 rows)" -- \
  estimate "$T/w.csv" --weights w --mean q --by r,g
expect_quiet by-complete -- estimate "$T/w.csv" --weights w --mean q --by s

# --- item 8: numeric codes equal as numbers are one level -----------------
printf 'w,y\n1,9\n1,09\n1,9.0\n1,1\n1,2\n1,+1\n1,1e0\n1,-0\n1,0.0\n' >"$T/codes.csv"
run estimate "$T/codes.csv" --weights w --prop y --format csv
if [ "$status" -eq 0 ] && [ "$(cut -d, -f4,6 "$TMP/out" | tr '\n' ' ')" = "level,estimate -0,0.22222222222222221 1,0.33333333333333331 2,0.1111111111111111 9,0.33333333333333331 " ]; then
  ok
else
  bad "codes equal as numbers: $(cat "$TMP/out" "$TMP/err")"
fi
run estimate "$T/codes.csv" --weights w --prop y --na 9 --format csv
if [ "$status" -eq 0 ] && [ "$(cut -d, -f4,6,12 "$TMP/out" | tr '\n' ' ')" = "level,estimate,n -0,0.33333333333333331,6 1,0.5,6 2,0.16666666666666666,6 " ]; then
  ok
else
  bad "codes --na 9 matches 09 and 9.0: $(cat "$TMP/out" "$TMP/err")"
fi
# 1.1 and 1.10 are one PSU, as R reads them (a number); 1.1 and 1.01 are two.
printf 'p,w,y\n1.1,1,1\n1.10,1,2\n1.01,1,3\n2,1,4\n' >"$T/ids.csv"
run describe "$T/ids.csv" --ids p --weights w
if [ "$status" -eq 0 ] && grep -qE '^psus +3$' "$TMP/out"; then ok; else bad "codes ids 1.1 = 1.10: $(cat "$TMP/out" "$TMP/err")"; fi
