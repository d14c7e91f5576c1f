# survstat model: numeric expressions in formulas (I(), log(), exp(),
# sqrt()).  Their values against R are in tests/ref/model_cases.txt (the
# *_expr cases); here: the rows an expression leaves out, term names in
# --test, and one case per message.  Sourced by tests/run_tests.sh.

ME=$TMP/model_expr
mkdir -p "$ME"
S="datasets/apistrat.csv --strata stype --weights pw --fpc fpc"

# A row missing a column of an expression is left out, as R's na.omit:
# I(x * 2) gives the fit of a column holding x * 2 (empty where x is), its
# coefficient half of x's.
printf 'y,x,x2,g,w\n1.5,1,2,a,1\n2.25,2,4,b,2\n2.5,,,a,1\n4.75,3,6,b,1\n5.5,4,8,a,3\n7.25,5,10,b,1\n8,6,12,a,2\n' >"$ME/half.csv"
run model "$ME/half.csv" --weights w --formula 'y ~ I(x * 2) + g' --format csv
cp "$TMP/out" "$ME/expr.csv"
run model "$ME/half.csv" --weights w --formula 'y ~ x2 + g' --format csv
if [ "$status" -eq 0 ] && python3 - "$ME/expr.csv" "$TMP/out" <<'PY'; then ok; else bad "model expr: a row without x left out"; fi
import csv, sys
a = list(csv.DictReader(open(sys.argv[1])))
b = list(csv.DictReader(open(sys.argv[2])))
assert [r["term"] for r in a] == ["(Intercept)", "I(x * 2)", "gb"], a
assert [r["term"] for r in b] == ["(Intercept)", "x2", "gb"], b
for r, s in zip(a, b):
    for k in ("estimate", "se", "statistic", "p_value", "ci_low", "ci_high"):
        x, y = float(r[k]), float(s[k])
        assert abs(x - y) <= 1e-12 * max(abs(x), abs(y), 1e-300), (k, r, s)
PY

# --test finds an expression's term whatever its blanks.
# shellcheck disable=SC2086
run model $S --formula 'api00 ~ ell + I(ell^2)' --test 'I(ell ^ 2)' --format csv
if [ "$status" -eq 0 ] && grep -q '^wald,I(ell^2),' "$TMP/out"; then ok
else bad "model expr: --test 'I(ell ^ 2)': $(cat "$TMP/out" "$TMP/err")"; fi

# Messages: a value outside log's or sqrt's domain, a division by 0, an
# overflow on a row the model uses (naming the row, the columns and the
# term); a text column in arithmetic; a column not in the file; formulas
# that do not parse (a caret at the place).
printf 'y,x,z,w\n1,1,2,1\n2,0,3,1\n3,2,-1,1\n4,3,5,1\n5,,6,1\n' >"$ME/e.csv"
expect_error model-expr-log 1 "datasets/apistrat.csv:148: column 'meals': term 'log(meals)' takes the log of 0 (not positive): leave such rows out (--subset) or change the term" -- \
  model $S --formula 'api00 ~ log(meals)'
expect_error model-expr-log-cols 1 "datasets/apistrat.csv:2: columns ell = 25, meals = 33: term 'log(ell - meals)' takes the log of -8 (not positive)" -- \
  model $S --formula 'api00 ~ log(ell - meals)'
expect_error model-expr-sqrt 1 "e.csv:4: column 'z': term 'sqrt(z)' takes the square root of -1 (negative)" -- \
  model "$ME/e.csv" --weights w --formula 'y ~ sqrt(z)'
expect_error model-expr-div 1 "e.csv:3: columns z = 3, x = 0: term 'I(z/x)' divides by 0" -- \
  model "$ME/e.csv" --weights w --formula 'y ~ I(z/x)'
expect_error model-expr-exp 1 "e.csv:2: column 'z': term 'exp(z * 1000)' overflows (exp of 2000)" -- \
  model "$ME/e.csv" --weights w --formula 'y ~ exp(z*1000)'
expect_error model-expr-pow 1 "e.csv:3: columns x = 0, z = 3: term 'I(x^-z)' is not a finite number (a power of 0)" -- \
  model "$ME/e.csv" --weights w --formula 'y ~ I(x^-z)'
expect_error model-expr-mul 1 "e.csv:2: column 'z': term 'I(z * 1e+308 * 10)' overflows" -- \
  model "$ME/e.csv" --weights w --formula 'y ~ I(z * 1e308 * 10)'
expect_error model-expr-text 1 "term 'I(stype^2)': column 'stype' holds text ('E'), not numbers: arithmetic needs a numeric column" -- \
  model $S --formula 'api00 ~ I(stype^2)'
expect_error model-expr-column 1 "term 'I(nosuch * 2)': no column 'nosuch' in the file" -- \
  model $S --formula 'api00 ~ I(nosuch * 2)'
expect_error model-expr-operand 2 "--formula: expected a number, a column or '(' at character 15 (marked ^): 'api00 ~ I(ell^^)'" -- \
  model $S --formula 'api00 ~ I(ell^)'
expect_error model-expr-args 2 "--formula: one argument expected at character 16 (marked ^): 'api00 ~ log(ell^, 10)'" -- \
  model $S --formula 'api00 ~ log(ell, 10)'
expect_error model-expr-number 2 "--formula: expected a number at character 11 (marked ^): 'api00 ~ I(^2ell)'" -- \
  model $S --formula 'api00 ~ I(2ell)'
expect_error model-expr-close 2 "--formula: expected ')' at character 20 (marked ^): 'api00 ~ I((ell + 1)^'" -- \
  model $S --formula 'api00 ~ I((ell + 1)'
expect_error model-expr-call 2 "--formula: only factor(), I(), log(), exp() and sqrt() may be called in a formula at character 11 (marked ^): 'api00 ~ I(^abs(ell))'" -- \
  model $S --formula 'api00 ~ I(abs(ell))'

# In a run spec: [model NAME] with expressions, against R (strat_expr).
cat >"$ME/run.ini" <<'INI'
[run]
data = datasets/apistrat.csv
wave = 2000

[design]
strata = stype
weights = pw
fpc = fpc

[model expr_model]
formula = api00 ~ ell + I(ell^2) + log(enroll) + sqrt(meals) + stype
test = I(ell^2), log(enroll); sqrt(meals)
INI
run run "$ME/run.ini" --out "$ME/run_out" --quiet
if [ "$status" -eq 0 ] && grep -q '^2000,expr_model,I(ell^2),' "$ME/run_out/2000/expr_model.csv" &&
   python3 tests/tools/modelcmp.py "$ME/run_out/2000/expr_model.csv" \
     tests/ref/model/strat_expr.expected.csv --skip wave,model >"$TMP/cmp"; then ok
else bad "model expr in run: $(cat "$TMP/err" "$TMP/cmp")"; fi
