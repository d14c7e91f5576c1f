# Input cases that must work.  Sourced by tests/run_tests.sh, which defines
# expect_csv.

I=$TMP/input_cases
mkdir -p "$I"

# y = 2, 3, 4 unweighted: mean 3, se = sd / sqrt(n) = 1 / sqrt(3).
SE3=0.57735026918962573
printf '\xef\xbb\xbfy,g\r\n2,a\r\n3,a\r\n4,b\r\n' >"$I/bom_crlf.csv"
expect_csv bom-crlf "mean|y|||3|$SE3|3" -- estimate "$I/bom_crlf.csv" --mean y

printf 'y\tg\n2\ta\n3\ta\n4\tb\n' >"$I/tab.tsv"
expect_csv tab-delimiter "mean|y|||3|$SE3|3" -- estimate "$I/tab.tsv" --mean y -d tab
printf 'y;g\n2;a\n3;a\n4;b\n' >"$I/semi.csv"
expect_csv semicolon "mean|y|||3|$SE3|3" -- estimate "$I/semi.csv" --mean y -d ';'

# A 3 MB quoted field in a label column.
{
  printf 'y,label\n2,"'
  head -c 3000000 /dev/zero | tr '\0' 'x'
  printf '"\n3,short\n4,"with, comma and ""quotes"""\n'
} >"$I/bigfield.csv"
expect_csv big-field "mean|y|||3|$SE3|3" -- estimate "$I/bigfield.csv" --mean y

# Invalid UTF-8 in a column the analysis does not use.
printf 'y,label\n2,\xff\xfe\n3,ok\n4,\xc3\n' >"$I/badlabel.csv"
expect_csv unused-invalid-utf8 "mean|y|||3|$SE3|3" -- estimate "$I/badlabel.csv" --mean y

# Missing values: empty, NA and --na codes; each variable its own cases.
# Item missing data is a domain, as R's na.rm=TRUE: the design keeps its 4
# PSUs, so Var = 4/3 * sum(z^2) with z = (y - ybar)/n over answered rows:
# y = 2,3,4: 4/3 * 2/9 = 8/27; z = 1,5: 4/3 * (1/4 + 1/4) * 4 = 8/3.
printf 'y,z\n2,1\n3,NA\n4,\n9,5\n' >"$I/na.csv"
expect_csv na-codes "mean|y|||3|0.54433105395181736|3
mean|z|||3|1.6329931618554521|2" -- estimate "$I/na.csv" --mean y,z --na 9

# Embedded newlines keep line numbers right: the bad weight is on line 5.
printf 'w,note\n1,"two\nlines"\n1,x\nbad,y\n' >"$I/lines.csv"
expect_error line-after-newline 1 "$I/lines.csv:5: column 'w': invalid number 'bad'" -- \
  estimate "$I/lines.csv" --weights w --prop note

# Blank lines are skipped and counted.
printf 'w,y\n1,2\n\n1,3\nx,4\n' >"$I/blank.csv"
expect_error line-after-blank 1 "$I/blank.csv:5: column 'w': invalid number 'x'" -- \
  estimate "$I/blank.csv" --weights w --mean y

# Chinese column names and labels in UTF-8, and the same file in GB18030.
# A domain share of 1/2 over 2 of 4 PSUs: z = +-1/4, Var = 4/3 * 1/8 = 1/6.
printf '区,满意度\n市南区,5\n市南区,4\n市北区,2\n市北区,3\n' >"$I/zh.csv"
ZH="prop|满意度|2|区=市北区|0.5|0.40824829046386302|2
prop|满意度|3|区=市北区|0.5|0.40824829046386302|2
prop|满意度|4|区=市北区|0|0|2
prop|满意度|5|区=市北区|0|0|2
prop|满意度|2|区=市南区|0|0|2
prop|满意度|3|区=市南区|0|0|2
prop|满意度|4|区=市南区|0.5|0.40824829046386302|2
prop|满意度|5|区=市南区|0.5|0.40824829046386302|2"
expect_csv chinese-utf8 "$ZH" -- estimate "$I/zh.csv" --prop 满意度 --by 区
iconv -f UTF-8 -t GB18030 "$I/zh.csv" >"$I/zh_gbk.csv"
expect_csv chinese-gb18030 "$ZH" -- estimate "$I/zh_gbk.csv" --prop 满意度 --by 区 --encoding gb18030
expect_error gbk-without-encoding 1 "is not valid UTF-8 (for a GBK export use --encoding gb18030)" -- \
  estimate "$I/zh_gbk.csv" --prop 满意度 --by 区
printf 'y\n\xff\n' >"$I/bad_gb.csv"
expect_error invalid-gb18030 1 "$I/bad_gb.csv:2: invalid gb18030 byte sequence" -- \
  estimate "$I/bad_gb.csv" --mean y --encoding gb18030

# Standard input.
run estimate - --mean y --format csv <"$I/bom_crlf.csv"
if [ "$status" -eq 0 ] && grep -q '^,mean,y,,,3,' "$TMP/out"; then ok; else bad "stdin"; fi

# Output formats: -o picks the format from the extension, --format wins.
run estimate datasets/apisrs.csv --weights pw --fpc fpc --mean api00 -o "$I/r.json"
if [ "$status" -eq 0 ] && python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r[0]["statistic"] == "mean" and abs(r[0]["estimate"] - 656.585) < 1e-9, r
assert r[0]["deff"] is None and r[0]["wave"] == ""
' "$I/r.json"; then ok; else bad "json output"; fi
run estimate datasets/apisrs.csv --weights pw --fpc fpc --mean api00 -o "$I/r.md"
if [ "$status" -eq 0 ] && grep -q '^| statistic | variable |' "$I/r.md" && grep -q '^| mean ' "$I/r.md"; then
  ok; else bad "md output"; fi
run estimate datasets/apisrs.csv --weights pw --fpc fpc --mean api00 --wave 2009 -o "$I/r.txt" --format csv
if [ "$status" -eq 0 ] && head -1 "$I/r.txt" | grep -q '^wave,statistic,variable,level,domain,estimate,se,ci_low,ci_high,df,deff,n,n_eff,cv,flag,conf_level$' \
   && grep -q '^2009,mean,api00,,,656.58499999999.*,9.2497220392' "$I/r.txt"; then ok; else bad "csv columns and wave"; fi
run estimate datasets/apisrs.csv --weights pw --fpc fpc --mean api00
if [ "$status" -eq 0 ] && grep -Eq '^mean +api00 +656\.585 +9\.249722 ' "$TMP/out"; then ok; else bad "text output: $(cat "$TMP/out")"; fi

# describe: column types and the design check (apistrat: 200 schools in
# 3 strata; Kish effective n = (sum w)^2 / sum w^2).
run describe datasets/apistrat.csv --strata stype --weights pw --fpc fpc --format csv
if [ "$status" -eq 0 ] && python3 - "$TMP/out" <<'PY'; then ok; else bad "describe"; fi
import sys
text = open(sys.argv[1], encoding="utf-8").read()
cols, design = text.split("\n\n")
cols = [l.split(",") for l in cols.strip().split("\n")]
d = dict(l.split(",", 1) for l in design.strip().split("\n")[1:])
c = {r[0]: r for r in cols[1:]}
assert c["api00"][1] == "numeric" and c["api00"][2] == "200", c["api00"]
assert c["stype"][1] == "categorical" and c["stype"][4] == "3", c["stype"]
assert d["strata"] == "3" and d["psus"] == "200" and d["lonely psus"] == "0", d
assert d["design df"] == "197", d
import csv
w = [float(r["pw"]) for r in csv.DictReader(open("datasets/apistrat.csv"))]
assert abs(float(d["weight sum"]) - sum(w)) < 1e-9 * sum(w), d
kish = sum(w) ** 2 / sum(x * x for x in w)
assert abs(float(d["kish effective n"]) - kish) < 1e-9 * kish, (d, kish)
PY
run describe datasets/apistrat.csv --strata cname --weights pw
if [ "$status" -eq 0 ] && grep -q '^lonely psus  *[1-9]' "$TMP/out"; then ok; else bad "describe lonely: $(cat "$TMP/out")"; fi
