# survstat model against R (tests/ref/model_cases.txt: svyglm coefficients,
# SEs, t, p, intervals and regTermTest, made by tests/ref/make_model_refs.R),
# the output formats, and one case per message.  Sourced by tests/run_tests.sh.

ref_cases "model" model tests/ref/model_cases.txt "tests/ref/model/@.expected.csv" modelcmp

# The ordinal cases against R's own svyolr (optim's BFGS at reltol 1e-16,
# its Hessian by finite differences at ndeps 1e-6): estimates and SEs to
# 1e-6 (R's estimates are about 1e-7 off the optimum; the replicate refits
# run at MASS::polr's default reltol, 1e-8, whatever svyolr is given: its
# replicate SEs are 2e-5 off, compared to 1e-4).
for c in qd_ordinal:1e-6 clus1_ordinal:1e-6 clus1_jk1_ordinal:1e-4; do
  tol=${c#*:}; c=${c%:*}
  line=$(grep "^$c|" tests/ref/model_cases.txt)
  data=${line#*|}; data=${data%%|*}
  case $data in */*) ;; *) data=datasets/$data ;; esac
  args=$(echo "${line##*|}" | sed 's/ --test [^ ]*//g')
  # shellcheck disable=SC2086
  run model "$data" $args --format csv
  if [ "$status" -eq 0 ] && python3 tests/tools/modelcmp.py "$TMP/out" \
       "tests/ref/model/$c.svyolr.csv" --rtol "$tol" >"$TMP/cmp"; then ok
  else bad "model $c against svyolr: $(cat "$TMP/err" "$TMP/cmp")"; fi
done

MD=$TMP/model_cases
mkdir -p "$MD"
S="datasets/apistrat.csv --strata stype --weights pw --fpc fpc"

# Every output format holds the coefficients and the tests.
# shellcheck disable=SC2086
run model $S --formula 'api00 ~ ell + stype' --test stype --format json
if [ "$status" -eq 0 ] && python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
c, t = d["coefficients"], d["tests"]
assert [r["term"] for r in c] == ["(Intercept)", "ell", "stypeH", "stypeM"], c
assert t[0]["variable"] == "stype" and t[0]["df1"] == 2 and t[0]["df2"] == 194, t
' "$TMP/out"; then ok; else bad "model json: $(cat "$TMP/err")"; fi
# shellcheck disable=SC2086
run model $S --formula 'api00 ~ ell + stype' --format json
if [ "$status" -eq 0 ] && python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert isinstance(d, list) and len(d) == 4 and d[2]["term"] == "stypeH", d
' "$TMP/out"; then ok; else bad "model json without tests"; fi
# shellcheck disable=SC2086
run model $S --formula 'api00 ~ ell + stype' --test stype --format md --wave 2009
if [ "$status" -eq 0 ] && grep -Eq '^\| 2009 +\| gaussian +\| stypeH +\|' "$TMP/out" &&
   grep -Eq '^\| 2009 +\| wald +\| stype +\|' "$TMP/out"; then ok; else bad "model md: $(cat "$TMP/out")"; fi
# shellcheck disable=SC2086
run model $S --formula 'api00 ~ ell + stype' --test stype
if [ "$status" -eq 0 ] && grep -Eq '^gaussian +stypeH ' "$TMP/out" && grep -Eq '^wald +stype ' "$TMP/out"
then ok; else bad "model text: $(cat "$TMP/out")"; fi
# shellcheck disable=SC2086
run model $S --formula 'api00 ~ ell + stype' --test stype --format csv --wave W1
if [ "$status" -eq 0 ] && [ "$(grep -c '^wave,model,term' "$TMP/out")" = 1 ] &&
   grep -q '^wave,test,variable,by,estimate,se,statistic,df1,df2,p_value$' "$TMP/out" &&
   grep -q '^W1,gaussian,stypeH,' "$TMP/out"; then ok; else bad "model csv: $(cat "$TMP/out")"; fi

# A text column's level that no row used holds is dropped, as R's
# model.matrix does after na.omit; factor(VAR) keeps it: an error.
printf 'y,x,g\n1,1,a\n0,2,a\n1,3,b\n0,4,b\n,5,c\n1,6,b\n0,7,a\n' >"$MD/empty.csv"
run model "$MD/empty.csv" --formula 'y ~ x + g' --format csv
if [ "$status" -eq 0 ] && [ "$(cut -d, -f3 "$TMP/out" | tr '\n' ' ')" = "term (Intercept) x gb " ]
then ok; else bad "model dropped level: $(cat "$TMP/out" "$TMP/err")"; fi

# Messages.
expect_error model-needs-formula 2 "--formula 'Y ~ TERMS' is required" -- model datasets/apistrat.csv
expect_error model-parse 2 "--formula: expected a variable name at character 15 (marked ^): 'api00 ~ ell + ^* meals'" -- \
  model datasets/apistrat.csv --formula 'api00 ~ ell + * meals'
expect_error model-call 2 "--formula: only factor(), I(), log(), exp() and sqrt() may be called in a formula at character 15 (marked ^): 'api00 ~ ell + ^poly(meals, 2)'" -- \
  model datasets/apistrat.csv --formula 'api00 ~ ell + poly(meals, 2)'
expect_error model-tilde 2 "--formula: expected '~' after the outcome at character 7 (marked ^): 'api00 ^ell'" -- \
  model datasets/apistrat.csv --formula 'api00 ell'
expect_error model-paren 2 "--formula: expected ')'" -- \
  model datasets/apistrat.csv --formula 'api00 ~ (ell + meals'
expect_error model-trailing 2 "--formula: unexpected text at character 13" -- \
  model datasets/apistrat.csv --formula 'api00 ~ ell ) + meals'
expect_error model-number 2 "--formula: a number other than 0 or 1 is not a term" -- \
  model datasets/apistrat.csv --formula 'api00 ~ 2 + ell'
expect_error model-zero-inter 2 "--formula: 0 cannot be in an interaction" -- \
  model datasets/apistrat.csv --formula 'api00 ~ ell:0'
expect_error model-no-terms 2 "--formula: 'api00 ~ 0' has no terms and no intercept" -- \
  model datasets/apistrat.csv --formula 'api00 ~ 0'
expect_error model-no-outcome 2 "--formula: expected the outcome before '~'" -- \
  model datasets/apistrat.csv --formula '~ ell'
expect_error model-backquote 2 "--formula: unterminated or empty \`name\`" -- \
  model datasets/apistrat.csv --formula 'api00 ~ `ell'
expect_error model-factor-paren 2 "--formula: expected ')' after factor(VAR" -- \
  model datasets/apistrat.csv --formula 'api00 ~ factor(stype'
expect_error model-test-term 2 "--test: 'stype' is not a term of the formula 'api00 ~ ell + meals'" -- \
  model datasets/apistrat.csv --formula 'api00 ~ ell + meals' --test stype
expect_error model-family 2 "--family: expected gaussian, binomial, poisson or ordinal, got 'gamma'" -- \
  model datasets/apistrat.csv --formula 'api00 ~ ell' --family gamma
expect_error model-ref-syntax 2 "--ref: expected VAR=LEVEL, got 'stype'" -- \
  model datasets/apistrat.csv --formula 'api00 ~ stype' --ref stype
expect_error model-ref-level 1 "term 'stype': --ref level 'X' is not in column 'stype'" -- \
  model datasets/apistrat.csv --formula 'api00 ~ stype' --ref stype=X
expect_error model-ref-var 2 "--ref stype=E: 'stype' is not a factor of the formula" -- \
  model datasets/apistrat.csv --formula 'api00 ~ ell' --ref stype=E
expect_error model-max-iter 2 "--max-iter: expected a whole number from 1, got '0'" -- \
  model datasets/apistrat.csv --formula 'api00 ~ ell' --max-iter 0
expect_error model-unknown-column 1 "term 'factor(foo)': no column 'foo' in the file" -- \
  model datasets/apistrat.csv --formula 'api00 ~ ell + factor(foo)'
expect_error model-binomial-range 1 "outcome 'api00': value 840 outside 0..1 for the binomial family (code it 0/1)" -- \
  model datasets/apistrat.csv --formula 'api00 ~ ell' --family binomial
printf 'y,x\n1,1\n-1,2\n3,3\n' >"$MD/neg.csv"
expect_error model-poisson-range 1 "outcome 'y': negative value -1 for the poisson family" -- \
  model "$MD/neg.csv" --formula 'y ~ x' --family poisson
expect_error model-empty-level 1 "term 'factor(g)': level 'c' has no rows with every model variable answered" -- \
  model "$MD/empty.csv" --formula 'y ~ x + factor(g)'
printf 'y,x,z\n1,1,2\n0,2,4\n1,3,6\n0,4,8\n1,5,10\n0,6,12\n' >"$MD/sing.csv"
expect_error model-singular 1 "term 'z': its column is collinear with the terms before it (singular design matrix)" -- \
  model "$MD/sing.csv" --formula 'y ~ x + z'
printf 'y,x\n1,1\n1,2\n1,3\n1,4\n' >"$MD/const.csv"
expect_error model-constant 1 "outcome 'y' is constant (1 in every row used): nothing to model" -- \
  model "$MD/const.csv" --formula 'y ~ x' --family binomial
printf 'y,x\n0,1\n0,2\n0,3\n1,4\n1,5\n1,6\n' >"$MD/sep.csv"
expect_error model-separation 1 "term 'x': separation: fitted probabilities 0 or 1 and a diverging coefficient" -- \
  model "$MD/sep.csv" --formula 'y ~ x' --family binomial
expect_error model-no-converge 1 "the fit did not converge in 2 iterations (--max-iter)" -- \
  model datasets/nhanes.csv --formula 'HI_CHOL ~ agecat' --family binomial --max-iter 2
printf 'y,x\n1,1\n2,\n' >"$MD/few.csv"
expect_error model-too-few 1 "1 rows answer the outcome and every term: too few for 2 coefficients" -- \
  model "$MD/few.csv" --formula 'y ~ x'
printf 'y,x\n,1\n,2\n' >"$MD/none.csv"
expect_error model-no-rows 1 "no rows answer the outcome and every term of the model" -- \
  model "$MD/none.csv" --formula 'y ~ x'

# [model NAME] in a run spec: the same numbers, model = the section's name,
# several tests split at ';'.
cat >"$MD/run.ini" <<'INI'
[run]
data = datasets/apistrat.csv
wave = 2000

[design]
strata = stype
weights = pw
fpc = fpc

[estimate scores]
mean = api00

[model scores_model]
formula = api00 ~ ell + meals + stype + ell:stype
test = stype; ell:stype; meals, stype
INI
run run "$MD/run.ini" --out "$MD/run_out" --quiet
if [ "$status" -eq 0 ] && grep -q '^2000,scores_model,stypeH,' "$MD/run_out/2000/scores_model.csv" &&
   python3 tests/tools/modelcmp.py "$MD/run_out/2000/scores_model.csv" \
     tests/ref/model/strat_lin.expected.csv --skip wave,model >"$TMP/cmp"; then ok
else bad "model in run: $(cat "$TMP/err" "$TMP/cmp")"; fi

# Ordinal messages.
printf 'y,x\n1,1\n2,2\n1,3\n2,4\n' >"$MD/two.csv"
expect_error model-ordinal-levels 1 "outcome 'y' has 2 values among the rows used: an ordinal model needs 3 or more" -- \
  model "$MD/two.csv" --formula 'y ~ x' --family ordinal
printf 'y,x\n1,1\n1,2\n2,3\n2,4\n3,5\n3,6\n' >"$MD/osep.csv"
expect_error model-ordinal-separation 1 "the ordinal fit did not converge in 25 iterations (--max-iter): a term may separate the answers" -- \
  model "$MD/osep.csv" --formula 'y ~ x' --family ordinal
printf 'y,x,z\n1,1,2\n2,2,4\n3,3,6\n1,4,8\n2,5,10\n3,6,12\n1,2,4\n' >"$MD/osing.csv"
expect_error model-ordinal-singular 1 "term 'z': its column is collinear with the terms before it" -- \
  model "$MD/osing.csv" --formula 'y ~ x + z' --family ordinal
printf 'y,x\n1,1\n2,2\n3,3\n' >"$MD/o3.csv"
expect_error model-ordinal-too-few 1 "3 rows answer the outcome and every term: too few for 3 coefficients" -- \
  model "$MD/o3.csv" --formula 'y ~ x' --family ordinal

# survstat drivers on the model code (make_model_refs.R): a text item as a
# factor, a logistic model of the outcome's top two codes; t and p columns.
ref_check "drivers drv_cat" drivers apiclus1.csv \
  "--ids dnum --weights pw --fpc fpc --outcome api00 --items ell,meals,stype" \
  tests/ref/model/drv_cat.drivers.expected.csv
ref_check "drivers drv_t2b" drivers household.csv \
  "--ids community,hh_id --strata district --fpc fpc1,fpc2 --weights weight --na 9 --outcome overall --outcome-t2b --scale 1:5 --items purpose,practical,frugality" \
  tests/ref/model/drv_t2b.drivers.expected.csv
expect_error drivers-outcome-t2b-scale 2 "--outcome-t2b needs --scale LOW:HIGH" -- \
  drivers datasets/household.csv --outcome overall --outcome-t2b --items purpose
expect_error drivers-family 2 "--family: expected gaussian or binomial, got 'poisson'" -- \
  drivers datasets/household.csv --outcome overall --family poisson --items purpose

# drivers --importance relweight: Johnson's relative weights with design-based
# SEs (linearized; JK1 replicates), against make_model_refs.R.
ref_check "drivers drv_rw" drivers apiclus1.csv \
  "--ids dnum --weights pw --fpc fpc --outcome api00 --items ell,meals,mobility --importance relweight" \
  tests/ref/model/drv_rw.drivers.expected.csv
ref_check "drivers drv_rw_jk1" drivers apiclus1.csv \
  "--ids dnum --weights pw --fpc fpc --replicate jk1 --outcome api00 --items ell,meals,mobility --importance relweight" \
  tests/ref/model/drv_rw_jk1.drivers.expected.csv
ref_check "drivers drv_rw_strat" drivers apistrat.csv \
  "--strata stype --weights pw --fpc fpc --outcome api00 --items ell,meals,avg.ed,full --importance relweight" \
  tests/ref/model/drv_rw_strat.drivers.expected.csv
run drivers datasets/apiclus1.csv --ids dnum --weights pw --fpc fpc --outcome api00 \
  --items ell,meals,mobility --importance relweight -o "$MD/rw.csv"
run plot "$MD/rw.csv" --type ipa --script "$MD/rw.gp"
if [ "$status" -eq 0 ] && grep -q 'meals' "$MD/rw.gp"; then ok; else bad "drivers relweight ipa chart: $(cat "$TMP/err")"; fi
expect_error drivers-importance 2 "--importance: expected coef or relweight, got 'beta'" -- \
  drivers datasets/apiclus1.csv --outcome api00 --items ell --importance beta
expect_error drivers-relweight-logistic 2 "--importance relweight: relative weights split a linear model's R2; not with --family binomial or --outcome-t2b" -- \
  drivers datasets/apiclus1.csv --outcome api00 --items ell --importance relweight --family binomial
expect_error drivers-relweight-text 1 "--importance relweight: item 'stype' holds text; relative weights need numeric items" -- \
  drivers datasets/apiclus1.csv --outcome api00 --items ell,stype --importance relweight
# b is a but for 3e-6 in one row: a regression, no correlation matrix to split
printf 'y,a,b\n1,1,1\n3,2,2\n2,3,3.000003\n5,4,4\n4,5,5\n6,6,6\n' >"$MD/rwcol.csv"
expect_error drivers-relweight-collinear 1 "the items are collinear (or one is constant): no relative weights" -- \
  drivers "$MD/rwcol.csv" --outcome y --items a,b --importance relweight
printf 'y,a,b\n1,1,1\n3,2,2\n2,3,3.00002\n5,4,4\n4,5,5\n6,6,6\n' >"$MD/rwnear.csv"
expect_error drivers-relweight-near 1 "the items are nearly collinear: no linearized SEs of the relative weights (use replicate weights)" -- \
  drivers "$MD/rwnear.csv" --outcome y --items a,b --importance relweight
expect_error drivers-collinear-model 1 "the items are collinear: no regression (term 'z': its column is collinear" -- \
  drivers "$MD/sing.csv" --outcome y --items x,z
