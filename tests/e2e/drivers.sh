# survstat drivers against R (tests/ref/drivers_cases.txt: svyglm
# coefficients and SEs, cov.wt correlations, svymean performance, and the
# quadrants), and one case per message.  Sourced by tests/run_tests.sh.

ref_cases "drivers" drivers tests/ref/drivers_cases.txt "tests/ref/@.drivers.expected.csv"

DR=$TMP/drivers_cases
mkdir -p "$DR"
expect_error drivers-needs-outcome 2 "--outcome VAR and --items A,B,... are required" -- \
  drivers datasets/apisrs.csv --items ell
expect_error drivers-bad-performance 2 "--performance: expected mean or t2b, got 'median'" -- \
  drivers datasets/apisrs.csv --outcome api00 --items ell --performance median
expect_error drivers-t2b-needs-scale 2 "--performance t2b needs --scale LOW:HIGH" -- \
  drivers datasets/apisrs.csv --outcome api00 --items ell --performance t2b
printf 'y,a,b\n1,1,2\n2,2,4\n3,3,6\n4,4,8\n5,5,11\n' >"$DR/collinear.csv"
printf 'y,a,b\n1,1,2\n2,2,4\n3,3,6\n4,4,8\n5,5,10\n' >"$DR/collinear.csv"
expect_error drivers-collinear 1 "the items are collinear: no regression" -- \
  drivers "$DR/collinear.csv" --outcome y --items a,b
printf 'y,a,b\n1,1,2\n2,2,\n3,,6\n' >"$DR/few.csv"
expect_error drivers-too-few 1 "1 rows answer 'y' and every item: too few for 3 coefficients" -- \
  drivers "$DR/few.csv" --outcome y --items a,b

# Labelled scale items (household.sav: value labels 1-5, 9 declared
# missing) are scores, as in the CSV, not factors: one importance row per
# item and the same numbers as from household.csv.
DRV_D="--ids community,hh_id --strata district --fpc fpc1,fpc2 --weights weight --na 9"
DRV_I="--outcome overall --items purpose,practical,responsibility,frugality,discipline,efficiency"
# shellcheck disable=SC2086
run drivers datasets/household.sav $DRV_D $DRV_I --format csv
cp "$TMP/out" "$TMP/drv_sav.csv"
# shellcheck disable=SC2086
run drivers datasets/household.csv $DRV_D $DRV_I --format csv
if [ "$status" -eq 0 ] && [ "$(grep -c '^,importance,' "$TMP/drv_sav.csv")" -eq 6 ] &&
   cmp -s <(cut -d, -f1-13 "$TMP/drv_sav.csv") <(cut -d, -f1-13 "$TMP/out"); then ok
else bad "drivers: labelled items of household.sav as scores, as household.csv"; diff "$TMP/drv_sav.csv" "$TMP/out" | head -5; fi
