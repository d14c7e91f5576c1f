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
