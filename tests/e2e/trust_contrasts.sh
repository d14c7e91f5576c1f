# Issue 18 (contrasts and tests): Holm without NaN p-values, SE 0 answered
# with t = +-Inf in every format, the lonely-PSU average of contrasts, the
# Wald test on a singular covariance, the census F test, and the --compare
# limit.  Sourced by tests/run_tests.sh (helpers run, ok, bad,
# expect_error).  The R references are in tests/ref/contrasts/, made by
# tests/ref/contrasts/make_contrast_refs.R (its header explains each case);
# the data are the shared repro cases' files, copied there.

C=tests/ref/contrasts
TC=$TMP/trust_contrasts
mkdir -p "$TC"

# contrast_ref NAME EXPECTED TOOL -- ARGS...: survstat ARGS --format csv
# against an R reference (refcmp or testcmp, 1e-9 relative).
contrast_ref() {
  local name=$1 expected=$2 tool=$3
  shift 4
  run "$@" --format csv
  if [ "$status" -ne 0 ]; then
    bad "contrasts $name: exit $status: $(cat "$TMP/err")"
  elif python3 "tests/tools/$tool.py" "$TMP/out" "$C/$expected" >"$TMP/cmp"; then
    ok
  else
    bad "contrasts $name"; head -5 "$TMP/cmp"
  fi
}

# Item 2 / repro 1081: the pair of two 0% domains (grp=丙 - grp=甲 at q2 = 2)
# has p NaN; Holm over the other two pairs multiplies by 2, not 3.
contrast_ref holm-nan holm_nan.expected.csv refcmp -- \
  estimate $C/case_1081.csv --weights w --strata st --ids psu --fpc fpc1 --lonely-psu average \
  --na 9 --prop q2 --by grp --compare
# The same pairs under jkn replicates (the repro's own command): p_holm of
# the two defined pairs is 2 p, the NaN pair keeps an empty p_holm.
run estimate $C/case_1081.csv --weights w --strata st --ids psu --fpc fpc1 --lonely-psu average \
  --na 9 --replicate jkn --prop q2 --by grp --compare --format csv
if [ "$status" -eq 0 ] && python3 - "$TMP/out" <<'PY'; then ok; else bad "contrasts holm-nan jkn: $(cat "$TMP/err")"; fi
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1], encoding="utf-8"))
        if r["level"] == "2" and " - " in r["domain"]]
by = {r["domain"]: r for r in rows}
nan = by["grp=丙 - grp=甲"]
assert nan["p_value"] == "" and nan["p_holm"] == "", nan
for d in ("grp=丙 - grp=乙", "grp=乙 - grp=甲"):
    p, h = float(by[d]["p_value"]), float(by[d]["p_holm"])
    # R: p.adjust(c(p, NA, p), "holm") = 2 p (repro case 1081)
    assert abs(h - 0.0058162088365589365) < 1e-12 and abs(h - 2 * p) < 1e-15, (d, p, h)
PY

# Item 3 / repro 1055: pairs with SE exactly 0 give t = +-Inf, p = 0 and
# p_holm 0; pairs of two domains at 0% give empty t and p; the other rows
# are written as usual.
contrast_ref se0 se0.expected.csv refcmp -- \
  estimate $C/case_1055.csv --strata st --ids psu --fpc fpc1 --lonely-psu average --na 9,99 \
  --prop region --by region --compare

# Repro 1292 and 5095: --lonely-psu average.  R's svyby(covmat = TRUE)
# averages the lonely strata over every stratum of the design in its joint
# covariance, so a contrast's SE is not the one of the pair's own strata
# (grp=丙 - grp=乙 of total age: 173688.09 in R, 174770.27 before).
contrast_ref average-5095 average_5095.expected.csv refcmp -- \
  estimate $C/case_5095.csv --weights w --strata st --ids psu --fpc fpc1 --lonely-psu average \
  --na 9 --total age,q1 --ratio income/q2 --index idx1=q2,q3 --scale 5:1 --by grp --compare
contrast_ref average-1292 average_1292.expected.csv refcmp -- \
  estimate $C/case_1292.csv --weights w --strata st --ids psu --lonely-psu average --na 9,99 \
  --total age --by region,grp --compare

# Repro 5034: Wald with 4 interaction cells on 4 PSUs: the covariance has
# rank 3; R's svychisq reports F = -1.6e13, p = 1 (a negative Wald
# statistic); survstat uses the generalised inverse on 3 df (the reference
# is MASS::ginv in R), and says so.
contrast_ref wald-singular wald_singular.test.expected.csv testcmp -- \
  test $C/case_5034.csv --ids psu --fpc fpc1 --na 9,99 --chisq sex,q2 --chisq-stat Wald
contrast_ref wald-singular-adj wald_singular_adj.test.expected.csv testcmp -- \
  test $C/case_5034.csv --ids psu --fpc fpc1 --na 9,99 --chisq sex,q2 --chisq-stat adjWald
run test $C/case_5034.csv --ids psu --fpc fpc1 --na 9,99 --chisq sex,q2 --chisq-stat Wald
if [ "$status" -eq 0 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -qF \
  "survstat test: warning: $C/case_5034.csv: the covariance of the 4 interaction cells has rank 3 (fewer PSUs than cells?): the Wald test uses its generalised inverse on 3 df" \
  "$TMP/err"; then ok; else bad "contrasts wald-singular warning: $status $(cat "$TMP/err")"; fi

# Repro 1288: one stratum taken whole (fpc = n): no sampling variance.  R's
# F is Inf with NaN df and p; the t test has SE 0, t = -Inf, p = 0.
contrast_ref census-F census_F.test.expected.csv testcmp -- \
  test $C/case_1288.csv --weights w --strata st --fpc fpc1 --lonely-psu average --na 9,99 \
  --chisq region,q1
contrast_ref census-Chisq census_Chisq.test.expected.csv testcmp -- \
  test $C/case_1288.csv --weights w --strata st --fpc fpc1 --lonely-psu average --na 9,99 \
  --chisq sex,q1 --chisq-stat Chisq
contrast_ref census-ttest census_ttest.test.expected.csv testcmp -- \
  test $C/case_1288.csv --weights w --strata st --fpc fpc1 --na 9,99 --ttest age --group sex

# An infinite statistic in every format: csv Inf/-Inf, json the strings
# "Inf"/"-Inf" (a missing number null), text and md Inf/-Inf.
for fmt in csv json text md; do
  run test $C/case_1288.csv --weights w --strata st --fpc fpc1 --na 9,99 --ttest age --group sex \
    --format $fmt
  if [ "$status" -eq 0 ] && python3 - "$TMP/out" $fmt <<'PY'; then ok; else bad "contrasts inf-test $fmt: $(cat "$TMP/out" "$TMP/err")"; fi
import csv, json, sys
text, fmt = open(sys.argv[1], encoding="utf-8").read(), sys.argv[2]
if fmt == "json":
    row = json.loads(text)[0]
    assert row["statistic"] == "-Inf" and row["se"] == 0 and row["p_value"] == 0, row
    assert row["df2"] is None, row
elif fmt == "csv":
    row = next(csv.DictReader(text.splitlines()))
    assert row["statistic"] == "-Inf" and row["p_value"] == "0", row
else:
    line = text.splitlines()[-1]
    assert "-Inf" in line.split() or "-Inf" in line.replace("|", " ").split(), line
    assert "nan" not in text.lower() and "(null)" not in text
PY
  run estimate $C/case_1055.csv --strata st --ids psu --fpc fpc1 --lonely-psu average --na 9,99 \
    --prop region --by region --compare --format $fmt
  if [ "$status" -eq 0 ] && python3 - "$TMP/out" $fmt <<'PY'; then ok; else bad "contrasts inf-estimate $fmt: $(head -c 300 "$TMP/err")"; fi
import csv, json, sys
text, fmt = open(sys.argv[1], encoding="utf-8").read(), sys.argv[2]
if fmt == "json":
    rows = json.loads(text)
    ts = [r["t"] for r in rows if r["domain"] == "region=即墨市 - region=崂山区"]
    assert ts == ["Inf", "-Inf", None, None, None, None], ts
elif fmt == "csv":
    rows = list(csv.DictReader(text.splitlines()))
    ts = [r["t"] for r in rows if r["domain"] == "region=即墨市 - region=崂山区"]
    assert ts == ["Inf", "-Inf", "", "", "", ""], ts
else:
    lines = [l.replace("|", " ").split() for l in text.splitlines() if "即墨市 - region=崂山区" in l]
    assert [l.count("Inf") for l in lines] == [1, 0, 0, 0, 0, 0], lines
    assert [l.count("-Inf") for l in lines] == [0, 1, 0, 0, 0, 0], lines
    assert "nan" not in text.lower()
PY
done

# The overflow message stays for what overflows (huge values), and names
# the test without printing a NULL string through %s.
printf 'y,g\n1e308,a\n1e308,a\n1,b\n2,b\n' >"$TC/overflow.csv"
expect_error test-overflow 1 "survstat test: result row 1 (ttest y): column 'estimate' overflows to -Inf (weights or values too large for double precision): rescale them" -- \
  test "$TC/overflow.csv" --ttest y --group g

# --compare on thousands of domains: the output is quadratic, refused with
# the count it would write (5,000 domains: 12.5 million rows).
python3 - "$TC/dom5000.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("d,y\n")
    for i in range(10000):
        f.write("%d,%d\n" % (i % 5000, i % 7))
PY
expect_error compare-limit 1 "survstat estimate: $TC/dom5000.csv: --compare: 5000 domains make 12497500 pairs for each of 1 estimates and levels, 12497500 rows in all, more than 1000000 (the output grows with the square of the domains): compare fewer domains (a coarser --by or a subset of the rows)" -- \
  estimate "$TC/dom5000.csv" --mean y --by d --compare
# Below the limit every pair is there (200 domains: 19,900 rows); the
# levels of a proportion count as estimates (3 levels of 1,000 domains
# would pass 1,000,000).
python3 - "$TC/dom1000.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("d,y,e,z\n")
    for i in range(3000):
        f.write("%d,%d,%d,%d\n" % (i % 1000, (i * 7919) % 13, i % 200, i % 3))
PY
run estimate "$TC/dom1000.csv" --mean y --by e --compare --format csv
if [ "$status" -eq 0 ] && [ "$(wc -l <"$TMP/out")" -eq $((1 + 200 + 19900)) ]; then ok
else bad "contrasts compare-200: exit $status, $(wc -l <"$TMP/out") lines"; fi
expect_error compare-limit-levels 1 "--compare: 1000 domains make 499500 pairs for each of 3 estimates and levels, 1498500 rows in all, more than 1000000" -- \
  estimate "$TC/dom1000.csv" --prop z --by d --compare
