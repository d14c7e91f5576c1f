# survstat test: its messages (one case each) and the level order of the
# t test.  Sourced by tests/run_tests.sh after errors.sh, whose helpers
# (expect_error, run, ok, bad) it uses; the numbers are checked against R
# in section 1b of run_tests.sh (tests/ref/test_cases.txt).

T=$TMP/test_cases
mkdir -p "$T"
STRAT="--strata stype --weights pw --fpc fpc"
API=datasets/apistrat.csv

# Usage errors (exit 2).
# shellcheck disable=SC2086
{
expect_error test-nothing 2 "survstat test: nothing to test: give --ttest VAR --group COL or --chisq ROWVAR,COLVAR" -- \
  test $API $STRAT
expect_error test-both 2 "give --ttest or --chisq, not both" -- \
  test $API $STRAT --ttest api00 --group comp.imp --chisq sch.wide,stype
expect_error test-no-group 2 "--ttest needs --group COL" -- test $API $STRAT --ttest api00
expect_error test-group-alone 2 "--group goes with --ttest VAR" -- test $API $STRAT --group comp.imp \
  --chisq sch.wide,stype
expect_error test-chisq-one 2 "--chisq: expected two variables ROWVAR,COLVAR, got 'sch.wide'" -- \
  test $API $STRAT --chisq sch.wide
expect_error test-chisq-three 2 "--chisq: expected two variables ROWVAR,COLVAR, got 'sch.wide,stype,awards'" -- \
  test $API $STRAT --chisq sch.wide,stype,awards
expect_error test-chisq-same 2 "--chisq: expected two different variables, got 'stype,stype'" -- \
  test $API $STRAT --chisq stype,stype
expect_error test-chisq-stat 2 "--chisq-stat: expected F, Chisq, Wald or adjWald, got 'lincom'" -- \
  test $API $STRAT --chisq sch.wide,stype --chisq-stat lincom
expect_error test-stat-alone 2 "--chisq-stat goes with --chisq" -- \
  test $API $STRAT --ttest api00 --group comp.imp --chisq-stat Wald
expect_error test-no-file 2 "survstat test: no input FILE" -- test --ttest api00 --group comp.imp

# Data errors (exit 1).
expect_error test-group-levels 1 "survstat test: $API: column 'stype': a t test needs a group with exactly 2 levels, found 3" -- \
  test $API $STRAT --ttest api00 --group stype
printf 'y,g,h\n1,a,x\n2,a,x\n,b,y\n' >"$T/onelevel.csv"
expect_error test-group-present-levels 1 "column 'g': a t test needs a group with exactly 2 levels, found 1 where 'y' is present (2 in all)" -- \
  test "$T/onelevel.csv" --ttest y --group g
expect_error test-chisq-one-level 1 "survstat test: $T/onelevel.csv: column 'h': a test of independence needs at least 2 levels, found 1 where 'y' is present (2 in all)" -- \
  test "$T/onelevel.csv" --chisq h,y
printf 'y,g,h\n1,a,x\n2,a,x\n3,b,x\n' >"$T/constant.csv"
expect_error test-chisq-constant 1 "column 'h': a test of independence needs at least 2 levels, found 1" -- \
  test "$T/constant.csv" --chisq g,h
printf 'y,g,w\n1,a,1\n2,a,1\n3,b,0\n4,b,0\n' >"$T/zerogroup.csv"
expect_error test-group-zero-weight 1 "column 'g': a group has no positive weight" -- \
  test "$T/zerogroup.csv" --weights w --ttest y --group g
printf 'y,g\n1,a\nx,b\n' >"$T/textvar.csv"
expect_error test-text-ttest 1 "$T/textvar.csv:3: column 'y': invalid number 'x'" -- \
  test "$T/textvar.csv" --ttest y --group g
expect_error test-unknown-column 1 "$API: no column 'nosuch'" -- test $API $STRAT --ttest nosuch --group comp.imp
}

# Wald with more table cells (4) than design df (3 PSUs - 1 stratum = 2):
# the covariance of the table has rank 2 (R's solve fails); the test uses
# its generalised inverse on 2 df and warns (tests/e2e/trust_contrasts.sh
# checks the numbers against R's MASS::ginv on repro case 5034).
printf 'p,r,c\n1,a,x\n1,b,y\n1,c,z\n2,a,y\n2,b,z\n2,c,x\n3,a,z\n3,b,x\n3,c,y\n3,a,x\n' >"$T/fewpsu.csv"
run test "$T/fewpsu.csv" --ids p --chisq r,c --chisq-stat Wald --format csv
if [ "$status" -eq 0 ] && grep -q '^chisq-Wald,r,c,,,[0-9.e-]*,2,2,' "$TMP/out" &&
  grep -qF "the covariance of the 4 interaction cells has rank 2 (fewer PSUs than cells?): the Wald test uses its generalised inverse on 2 df" "$TMP/err"
then ok; else bad "test-wald-singular: $status $(cat "$TMP/out" "$TMP/err")"; fi

# Level order: the estimate is the second level's mean minus the first's,
# levels by bytes ("a" < "b") or numerically ("9" < "10").
printf 'y,g,n\n5,b,10\n7,b,10\n1,a,9\n2,a,9\n3,a,9\n' >"$T/order.csv"
run test "$T/order.csv" --ttest y --group g --format csv
if [ "$status" -eq 0 ] && [ "$(sed -n 2p "$TMP/out" | cut -d, -f1-4)" = "ttest,y,g,4" ]; then ok
else bad "test level order (bytes): $(cat "$TMP/out" "$TMP/err")"; fi
run test "$T/order.csv" --ttest y --group n --format csv
if [ "$status" -eq 0 ] && [ "$(sed -n 2p "$TMP/out" | cut -d, -f1-4)" = "ttest,y,n,4" ]; then ok
else bad "test level order (numbers): $(cat "$TMP/out" "$TMP/err")"; fi
# Without a design the run warns once on stderr, as estimate does.
if grep -q "warning: $T/order.csv: no design given" "$TMP/err"; then ok
else bad "test no-design warning: $(cat "$TMP/err")"; fi

# The writers: json and -o.
# shellcheck disable=SC2086
run test $API $STRAT --chisq sch.wide,stype --format json
if [ "$status" -eq 0 ] && grep -q '"test": *"chisq-F"' "$TMP/out" && grep -q '"se": *null' "$TMP/out"; then ok
else bad "test json: $(cat "$TMP/out" "$TMP/err")"; fi
# shellcheck disable=SC2086
run test $API $STRAT --ttest api00 --group comp.imp -o "$T/tt.csv"
if [ "$status" -eq 0 ] && [ ! -s "$TMP/out" ] && head -1 "$T/tt.csv" | grep -qx \
  'test,variable,by,estimate,se,statistic,df1,df2,p_value'; then ok
else bad "test -o: $(cat "$TMP/err")"; fi

# --wave stamps the row in a first column; the numbers are the same.
# shellcheck disable=SC2086
run test $API $STRAT --ttest api00 --group comp.imp --wave 2009Q1 --format csv
if [ "$status" -eq 0 ] && [ "$(head -1 "$TMP/out")" = \
  'wave,test,variable,by,estimate,se,statistic,df1,df2,p_value' ] &&
  [ "$(sed -n 2p "$TMP/out" | cut -d, -f1-5)" = "2009Q1,$(sed -n 2p "$T/tt.csv" | cut -d, -f1-4)" ]; then ok
else bad "test --wave: $(cat "$TMP/out" "$TMP/err")"; fi
