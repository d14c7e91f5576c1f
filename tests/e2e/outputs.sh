# Report-ready output (issue 22): xlsx read back with openpyxl and compared
# cell by cell with the csv (numbers equal to the bit), html checked by
# xmllint and for scripts, --percent and the rounding for people, the
# conf_level column and footnote, the result readers with and without it,
# the -o extension rule, and survstat run's report pack.
# Sourced by tests/run_tests.sh.  Needs Debian's python3-openpyxl (run with
# /usr/bin/python3) and libxml2-utils (xmllint): `make deps` installs them.

O=$TMP/outputs
mkdir -p "$O"
PY=/usr/bin/python3
XL=tests/tools/xlsx_vs_csv.py
STRAT="datasets/apistrat.csv --strata stype --weights pw --fpc fpc"
HH="datasets/household.csv --ids community,hh_id --strata district --fpc fpc1,fpc2 --weights weight --na 9"

# html_ok NAME FILE: well-formed for xmllint's HTML parser (not a message),
# no script, one page.
html_ok() {
  local name=$1 f=$2
  if xmllint --html --noout "$f" >"$O/xmllint" 2>&1 && [ ! -s "$O/xmllint" ] &&
     ! grep -qi '<script' "$f" && ! grep -qiE '(src|href)="https?:' "$f" &&
     [ "$(grep -c '<html' "$f")" -eq 1 ] && grep -q '<style>' "$f"; then ok; else
    bad "html $name: $(head -c 400 "$O/xmllint")"; fi
}

# ---- xlsx = csv, cell by cell ----------------------------------------------
# (numbers as numbers with all 17 digits: libxlsxwriter alone writes 16, and
# at least 20 of these need the 17th)
# shellcheck disable=SC2086
for case in "est|estimate $STRAT --mean api00 --prop sch.wide --total enroll --by stype --deff --flags nchs" \
            "quant|estimate $STRAT --quantile api00 --probs 0.5,0.9 --ratio api00/api99" \
            "cmp|estimate $STRAT --mean api00 --by stype --compare"; do
  name=${case%%|*} args=${case#*|}
  # shellcheck disable=SC2086
  "$SURVSTAT" $args --format csv >"$O/$name.csv" 2>/dev/null
  # shellcheck disable=SC2086
  run $args -o "$O/$name.xlsx"
  if [ "$status" -eq 0 ] && [ ! -s "$TMP/out" ] &&
     $PY $XL "$O/$name.xlsx" estimate "$O/$name.csv" --hard 3 >"$O/cmp" 2>&1; then ok; else
    bad "xlsx = csv ($name): $status $(cat "$TMP/err" "$O/cmp")"; fi
done
# --percent: the same values, shown in percent by a number format
# shellcheck disable=SC2086
run estimate $STRAT --mean api00 --prop sch.wide --by stype --percent -o "$O/pct.xlsx"
if [ "$status" -eq 0 ] && $PY $XL "$O/pct.xlsx" estimate "$O/est.csv" --percent >"$O/cmp" 2>&1 ||
   { "$SURVSTAT" estimate $STRAT --mean api00 --prop sch.wide --by stype --format csv >"$O/pct.csv" &&
     $PY $XL "$O/pct.xlsx" estimate "$O/pct.csv" --percent >"$O/cmp" 2>&1; }; then ok; else
  bad "xlsx --percent: $(cat "$TMP/err" "$O/cmp")"; fi
# the about sheet: command line (as typed), design, confidence level, date, version
# shellcheck disable=SC2086
run estimate $STRAT --mean api00 --level 0.9 --format xlsx -o "$O/about.out"
cp "$O/about.out" "$O/about.xlsx"
if [ "$status" -eq 0 ] && $PY - "$O/about.xlsx" <<'PY'; then ok; else bad "xlsx about sheet"; fi
import re, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
assert wb.sheetnames == ["estimate", "about"], wb.sheetnames
a = {r[0]: r[1] for r in wb["about"].iter_rows(min_row=2, values_only=True)}
assert a["command"].startswith("survstat estimate datasets/apistrat.csv --strata stype"), a
assert a["design"] == "strata stype; PSUs (ids) every row; fpc fpc; weights pw", a
assert a["confidence level"] == "90%", a
assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", a["date"]), a
assert re.fullmatch(r"\d+\.\d+\.\d+", a["survstat version"]), a
assert wb["about"]["A1"].font.b and wb["estimate"]["A1"].font.b
PY
# every other command that writes results
"$SURVSTAT" estimate $STRAT --mean api00 --prop sch.wide --by stype --wave 2000 -o "$O/w1.csv"
"$SURVSTAT" estimate $STRAT --mean api00 --prop sch.wide --by stype --wave 2001 --level 0.9 -o "$O/w2.csv"
# shellcheck disable=SC2086
for case in "trend|trend|trend $O/w1.csv $O/w2.csv" \
            "combine|combine|combine tests/data/sample_a.csv tests/data/sample_b.csv" \
            "rates|rates|rates datasets/phone_dispositions.csv --disposition disposition --by district" \
            "test|test|test $STRAT --ttest api00 --group comp.imp" \
            "drivers|drivers|drivers datasets/apiclus1.csv --ids dnum --weights pw --fpc fpc --outcome api00 --items ell,meals,mobility"; do
  name=${case%%|*} rest=${case#*|} sheet=${rest%%|*} args=${rest#*|}
  # shellcheck disable=SC2086
  "$SURVSTAT" $args --format csv >"$O/$name.csv" 2>/dev/null
  # shellcheck disable=SC2086
  run $args -o "$O/$name.xlsx"
  if [ "$status" -eq 0 ] && $PY $XL "$O/$name.xlsx" "$sheet" "$O/$name.csv" >"$O/cmp" 2>&1; then ok; else
    bad "xlsx = csv ($name): $status $(cat "$TMP/err" "$O/cmp")"; fi
  # shellcheck disable=SC2086
  run $args -o "$O/$name.html"
  if [ "$status" -eq 0 ]; then html_ok "$name" "$O/$name.html"; else bad "html $name: $(cat "$TMP/err")"; fi
done
# describe: a sheet each for its two tables (the csv's two blocks)
# shellcheck disable=SC2086
run describe $STRAT -o "$O/describe.xlsx"
"$SURVSTAT" describe $STRAT --format csv | awk -v a="$O/d_columns.csv" -v b="$O/d_design.csv" \
  'NF == 0 { part = 1; next } { print > (part ? b : a) }'
if [ "$status" -eq 0 ] && $PY $XL "$O/describe.xlsx" columns "$O/d_columns.csv" >"$O/cmp" 2>&1 &&
   $PY $XL "$O/describe.xlsx" design "$O/d_design.csv" >>"$O/cmp" 2>&1; then ok; else
  bad "xlsx describe: $(cat "$TMP/err" "$O/cmp")"; fi
run describe $STRAT --format html
if [ "$status" -eq 0 ]; then cp "$TMP/out" "$O/describe.html"; html_ok describe "$O/describe.html"; else
  bad "html describe"; fi

# ---- html ------------------------------------------------------------------
# shellcheck disable=SC2086
run estimate $STRAT --mean api00 --prop sch.wide --by stype --percent -o "$O/est.html"
html_ok estimate "$O/est.html"
# the numbers as the text table shows them for people, the footnote, labels escaped
if grep -qF '<td class="num">91.0</td><td class="num">2.84</td><td class="num">83.6</td><td class="num">95.2</td>' "$O/est.html" &&
   grep -qF '<td class="num">674.4</td><td class="num">12.38</td>' "$O/est.html" &&
   grep -qF 'Confidence level: 95%. Proportions' "$O/est.html" &&
   grep -qF '<dt>confidence level</dt><dd>95%</dd>' "$O/est.html"; then ok; else
  bad "html numbers: $(grep -m3 'class="num"' "$O/est.html")"; fi
printf 'g,y\n"<b>&x",1\n"<b>&x",2\n"q""t",3\n"q""t",4\n' >"$O/esc.csv"
run estimate "$O/esc.csv" --mean y --by g --format html
if [ "$status" -eq 0 ] && grep -qF '<td>g=&lt;b&gt;&amp;x</td>' "$TMP/out" &&
   grep -qF '<td>g=&quot;q&quot;&quot;t&quot;</td>' "$TMP/out" && ! grep -qF '<b>&x' "$TMP/out"; then ok; else
  bad "html escapes: $(grep -m2 'g=' "$TMP/out")"; fi

# ---- --percent and numbers for people in text and md ------------------------
# shellcheck disable=SC2086
run estimate $STRAT --prop sch.wide --mean api00 --by stype --percent
if [ "$status" -eq 0 ] &&
   grep -qE '^prop +sch\.wide +Yes +stype=E +91\.0 +2\.84 +83\.6 +95\.2 +197 +100 +100 +0\.031$' "$TMP/out" &&
   grep -qE '^mean +api00 +stype=E +674\.4 +12\.38 +650\.0 +698\.8 ' "$TMP/out" &&
   [ "$(tail -1 "$TMP/out")" = "Confidence level: 95%. Proportions, t2b, b2b and net (estimate, se, interval) in percent." ]; then
  ok; else bad "text --percent: $(cat "$TMP/out" "$TMP/err")"; fi
# csv and json keep fractions and 17 digits under --percent
# shellcheck disable=SC2086
run estimate $STRAT --prop sch.wide --percent --format csv
if [ "$status" -eq 0 ] && grep -q '^,prop,sch.wide,Yes,,0.82794801141582341,' "$TMP/out"; then ok; else
  bad "csv --percent keeps fractions: $(cat "$TMP/out")"; fi
# shellcheck disable=SC2086
run estimate $STRAT --prop sch.wide --percent --format json
if [ "$status" -eq 0 ] && grep -q '"estimate": 0.82794801141582341' "$TMP/out" &&
   grep -q '"conf_level": 0.94999999999999996' "$TMP/out"; then ok; else bad "json --percent"; fi
# p values as <0.001, t with 2 decimals: the change of t2b between the waves
# shellcheck disable=SC2086
"$SURVSTAT" estimate datasets/household_2008.csv ${HH#datasets/household.csv} --scale 1:5 --t2b overall \
  --wave 2008 -o "$O/h8.csv"
# shellcheck disable=SC2086
"$SURVSTAT" estimate $HH --scale 1:5 --t2b overall --wave 2009 -o "$O/h9.csv"
run trend "$O/h8.csv" "$O/h9.csv" --percent --format md
if [ "$status" -eq 0 ] && grep -qE '^\| 2009 +\| t2b +\| overall +\| +14\.6 \| +3\.18 \| +8\.3 \| +20\.9 \| 109\.0 \|.*\| +4\.60 \| +<0\.001 \| +<0\.001 \|$' "$TMP/out"; then
  ok; else bad "md --percent p <0.001: $(cat "$TMP/out")"; fi
# md: the footnote is a paragraph of its own (a line right under a table
# would be a row of it on GitHub)
if [ "$(tail -2 "$TMP/out" | head -1)" = "" ] && tail -1 "$TMP/out" | grep -q '^Confidence level: 95%\.'; then ok; else
  bad "md footnote: $(tail -3 "$TMP/out")"; fi
# without --percent text and md keep R's 7 digits
# shellcheck disable=SC2086
run estimate $STRAT --prop sch.wide
if [ "$status" -eq 0 ] && grep -qE '^prop +sch\.wide +Yes +0\.827948 +0\.02434478 ' "$TMP/out"; then ok; else
  bad "text 7 digits: $(cat "$TMP/out")"; fi

# ---- conf_level --------------------------------------------------------------
# shellcheck disable=SC2086
run estimate $STRAT --mean api00 --level 0.9 --format csv
if [ "$status" -eq 0 ] &&
   [ "$(head -1 "$TMP/out")" = "wave,statistic,variable,level,domain,estimate,se,ci_low,ci_high,df,deff,n,n_eff,cv,flag,conf_level" ] &&
   [ "$(sed -n 2p "$TMP/out" | cut -d, -f16)" = 0.90000000000000002 ]; then ok; else
  bad "csv conf_level: $(cat "$TMP/out")"; fi
# shellcheck disable=SC2086
run estimate $STRAT --mean api00 --level 0.9
if [ "$status" -eq 0 ] && [ "$(tail -1 "$TMP/out")" = "Confidence level: 90%." ] && ! head -1 "$TMP/out" | grep -q conf_level; then
  ok; else bad "text conf_level footnote: $(cat "$TMP/out")"; fi
# --compare's extra columns come before it
# shellcheck disable=SC2086
run estimate $STRAT --mean api00 --by stype --compare --format csv
if [ "$status" -eq 0 ] && head -1 "$TMP/out" | grep -q ',flag,t,p_value,p_holm,conf_level$'; then ok; else
  bad "conf_level after the extra columns: $(head -1 "$TMP/out")"; fi
# drivers (quadrant), trend (wave_from ... p_holm) and combine: the same rule
run drivers datasets/apiclus1.csv --ids dnum --weights pw --fpc fpc --outcome api00 --items ell,meals --format csv
if [ "$status" -eq 0 ] && head -1 "$TMP/out" | grep -q ',flag,t,p_value,p_holm,quadrant,conf_level$'; then ok; else
  bad "drivers conf_level: $(head -1 "$TMP/out")"; fi
run trend "$O/w1.csv" "$O/w2.csv" --level 0.8 --format csv
if [ "$status" -eq 0 ] && head -1 "$TMP/out" | grep -q ',p_holm,conf_level$' &&
   [ "$(sed -n 2p "$TMP/out" | awk -F, '{print $NF}')" = 0.80000000000000004 ]; then ok; else
  bad "trend conf_level: $(head -2 "$TMP/out")"; fi
# the readers (trend, combine, plot) take result files with and without it
for f in w1 w2; do cut -d, -f1-15 "$O/$f.csv" >"$O/${f}_old.csv"; done
"$SURVSTAT" trend "$O/w1.csv" "$O/w2.csv" --format csv >"$O/t_new.csv"
"$SURVSTAT" trend "$O/w1_old.csv" "$O/w2_old.csv" --format csv >"$O/t_old.csv"
"$SURVSTAT" trend "$O/w1.csv" "$O/w2_old.csv" --format csv >"$O/t_mix.csv"
"$SURVSTAT" combine "$O/w1.csv" "$O/w2.csv" --format csv >"$O/c_new.csv"
"$SURVSTAT" combine "$O/w1_old.csv" "$O/w2_old.csv" --format csv >"$O/c_old.csv"
"$SURVSTAT" plot "$O/w1.csv" "$O/w2.csv" --type trend --statistic mean --script "$O/p_new.gp" -o "$O/p_new.png" 2>/dev/null
"$SURVSTAT" plot "$O/w1_old.csv" "$O/w2_old.csv" --type trend --statistic mean --script "$O/p_old.gp" -o "$O/p_new.png" 2>/dev/null
if [ -s "$O/t_new.csv" ] && cmp -s "$O/t_new.csv" "$O/t_old.csv" && cmp -s "$O/t_new.csv" "$O/t_mix.csv" &&
   [ -s "$O/c_new.csv" ] && cmp -s "$O/c_new.csv" "$O/c_old.csv" &&
   [ -s "$O/p_new.gp" ] && cmp -s "$O/p_new.gp" "$O/p_old.gp"; then ok; else
  bad "readers with and without conf_level"; fi

# ---- the -o extension, --format and xlsx on a terminal ------------------------
for cmd in "estimate $STRAT --mean api00" "trend $O/w1.csv $O/w2.csv" "combine $O/w1.csv $O/w2.csv" \
           "describe $STRAT" "rates datasets/phone_dispositions.csv --disposition disposition" \
           "test $STRAT --ttest api00 --group comp.imp" \
           "drivers datasets/apiclus1.csv --ids dnum --weights pw --fpc fpc --outcome api00 --items ell,meals"; do
  name=${cmd%% *}
  # shellcheck disable=SC2086
  expect_error "ext-tsv-$name" 2 "-o $O/r.tsv: the extension '.tsv' names no format (.txt .csv .json .md .xlsx .html): rename the file or give --format" -- $cmd -o "$O/r.tsv"
  if [ -e "$O/r.tsv" ]; then bad "ext-tsv-$name wrote $O/r.tsv"; else ok; fi
done
# shellcheck disable=SC2086
expect_error ext-gz 2 "the extension '.gz' names no format" -- estimate $STRAT --mean api00 -o "$O/r.csv.gz"
# with --format the name is free
# shellcheck disable=SC2086
run estimate $STRAT --mean api00 -o "$O/r.tsv" --format csv
if [ "$status" -eq 0 ] && head -1 "$O/r.tsv" | grep -q '^wave,statistic'; then ok; else bad "--format with .tsv"; fi
# no extension, a directory with a dot, a hidden name: text
# shellcheck disable=SC2086
mkdir -p "$O/d.x" && run estimate $STRAT --mean api00 -o "$O/d.x/result"
if [ "$status" -eq 0 ] && head -1 "$O/d.x/result" | grep -q '^statistic '; then ok; else bad "no extension: text"; fi
# weight writes data rows, always csv: another format asked for is refused
expect_error weight-xlsx 2 "survstat weight: weight writes the data rows with the new weight as csv: give -o FILE.csv" -- \
  weight datasets/apistrat.csv --weights pw --trim-weights 20,40 --weight-name w2 -o "$O/w.xlsx"
expect_error weight-format 2 "weight writes the data rows with the new weight as csv: give -o FILE.csv and no --format other than csv" -- \
  weight datasets/apistrat.csv --weights pw --trim-weights 20,40 --weight-name w2 -o "$O/w.csv" --format json
if [ ! -e "$O/w.xlsx" ] && [ ! -e "$O/w.csv" ]; then ok; else bad "weight wrote a refused output"; fi
# shellcheck disable=SC2086
expect_error format-unknown 2 "--format: unknown format 'xls' (text, csv, json, md, xlsx, html)" -- estimate $STRAT --mean api00 --format xls
# xlsx onto a terminal: refused before anything is read (script gives a tty)
if command -v script >/dev/null; then
  # shellcheck disable=SC2086
  script -qec "$SURVSTAT estimate $STRAT --mean api00 --format xlsx" /dev/null >"$O/tty" 2>&1
  st=$?
  if [ "$st" -eq 2 ] && grep -qF 'survstat estimate: --format xlsx: a workbook is binary, not for a terminal: give -o FILE.xlsx or redirect the output' "$O/tty" &&
     ! grep -q 'PK' "$O/tty"; then ok; else bad "xlsx to a terminal: $st $(head -c 300 "$O/tty")"; fi
fi
# ... while a pipe or a file is fine
# shellcheck disable=SC2086
"$SURVSTAT" estimate $STRAT --mean api00 --format xlsx >"$O/piped.xlsx"
if $PY -c 'import openpyxl, sys; openpyxl.load_workbook(sys.argv[1])' "$O/piped.xlsx"; then ok; else bad "xlsx to a pipe"; fi

# ---- survstat run: report.html and report.xlsx --------------------------------
cat >"$O/pack.ini" <<EOF
[run]
data = datasets/phone.csv
wave = 2009
out = $O/pack

[input]
na = 9

[design]
strata = district
weights = base_weight

[weighting]
rake = datasets/population.csv

[estimate overall]
t2b = overall
by = sex
scale = 1:5

[estimate items]
prop = purpose

[chart overall_bar]
input = overall
type = bar
statistic = t2b

[rates calls]
data = datasets/phone_dispositions.csv
disposition = disposition
EOF
run run "$O/pack.ini"
W=$O/pack/2009
if [ "$status" -eq 0 ] && grep -qxF "$W/report.html" "$TMP/out" && grep -qxF "$W/report.xlsx" "$TMP/out" &&
   [ -s "$W/overall_bar.svg" ]; then ok; else bad "run report pack: $(cat "$TMP/out" "$TMP/err")"; fi
html_ok "run report" "$W/report.html"
# the chart inline as SVG data, the Methods from the run (a number among the
# texts of the value column aligns as they do)
if [ "$(grep -c 'src="data:image/svg+xml;base64,' "$W/report.html")" -eq 1 ] &&
   grep -qF '<td>strata</td><td>12</td>' "$W/report.html" &&
   grep -qF '<td>PSUs</td><td>2400</td>' "$W/report.html" &&
   grep -qF '<td>design df (PSUs minus strata)</td><td>2388</td>' "$W/report.html" &&
   grep -qF '<td>weighting iterations</td><td>5; worst margin' "$W/report.html" &&
   grep -qF '<td>margin sex=男</td><td>target 3131370; before 2522383.819; after 3131370</td>' "$W/report.html" &&
   grep -qF '<td>Kish design effect (1 + CV^2 of the weights)</td><td>1.371</td>' "$W/report.html" &&
   grep -qF '<td>AAPOR response rates [rates calls]</td><td>RR1 28.8%, RR3 31.5%, COOP1 51.5%, REF1 23.2%, CON1 55.9%</td>' "$W/report.html" &&
   grep -qF '<td>sample size (n) [estimate items]</td><td>purpose 2350</td>' "$W/report.html" &&
   grep -qF '<td>software</td><td>survstat ' "$W/report.html"; then ok; else
  bad "run report Methods: $(sed -n '/Methods/,/Estimates/p' "$W/report.html" | head -30)"; fi
# the SVG inside is the chart the run wrote
$PY - "$W/report.html" "$W/overall_bar.svg" <<'PY' && ok || bad "run report: the embedded SVG"
import base64, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
data = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', page).group(1)
assert base64.b64decode(data) == open(sys.argv[2], "rb").read()
PY
# the workbook: methods, a sheet per section with the csv's cells, about
if $PY - "$W/report.xlsx" <<'PY'; then ok; else bad "run report.xlsx sheets"; fi
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
assert wb.sheetnames == ["methods", "overall", "items", "calls", "about"], wb.sheetnames
m = {r[0]: r[1] for r in wb["methods"].iter_rows(min_row=2, values_only=True)}
assert m["strata"] == 12 and m["PSUs"] == 2400 and m["design df (PSUs minus strata)"] == 2388, m
assert abs(m["Kish design effect (1 + CV^2 of the weights)"] - 1.371) < 1e-3, m
PY
for s in overall items calls; do
  if $PY $XL "$W/report.xlsx" "$s" "$W/$s.csv" --percent >"$O/cmp" 2>&1; then ok; else
    bad "run report.xlsx $s = $s.csv: $(cat "$O/cmp")"; fi
done
# a second run into the same DIR replaces the wave (report files, SVGs are
# the run's own), and with a second wave the trend table and chart join
run run "$O/pack.ini"
if [ "$status" -eq 0 ] && [ -s "$W/report.html" ]; then ok; else bad "run report pack rerun: $(cat "$TMP/err")"; fi
printf '[trend overall_change]\ninput = overall\n' >>"$O/pack.ini"
run run "$O/pack.ini" --wave 2010
if [ "$status" -eq 0 ] && grep -qF 'Change over the waves: overall_change' "$O/pack/2010/report.html" &&
   [ "$(grep -c 'src="data:image/svg+xml;base64,' "$O/pack/2010/report.html")" -eq 2 ] &&
   $PY -c 'import openpyxl, sys; assert "overall_change" in openpyxl.load_workbook(sys.argv[1]).sheetnames' \
     "$O/pack/2010/report.xlsx"; then ok; else bad "run report pack with a trend: $(cat "$TMP/err")"; fi
# [run] percent = no: fractions in the page
sed -i 's/^wave = 2009$/wave = 2009\npercent = no/' "$O/pack.ini"
run run "$O/pack.ini"
if [ "$status" -eq 0 ] && grep -qF '<td>sex=女</td><td class="num">0.4620</td><td class="num">0.01511</td>' "$W/report.html"; then ok; else
  bad "run percent = no: $(grep -m2 't2b' "$W/report.html")"; fi

# table: its tidy rows as the sheet "data" (each cell the csv's; the wide sheet
# "table" is checked in wide.sh) and an html page
TB="$STRAT --rows awards --cols sch.wide --mark total"
# shellcheck disable=SC2086
"$SURVSTAT" table $TB --format csv >"$O/tab.csv" 2>/dev/null
# shellcheck disable=SC2086
run table $TB -o "$O/tab.xlsx"
if [ "$status" -eq 0 ] && $PY $XL "$O/tab.xlsx" data "$O/tab.csv" >"$O/cmp" 2>&1; then ok; else
  bad "xlsx = csv (table): $status $(cat "$TMP/err" "$O/cmp")"; fi
# shellcheck disable=SC2086
run table $TB -o "$O/tab.html"
html_ok table "$O/tab.html"

# model: the coefficients and the tests, a sheet each, every cell the csv's
MO="$STRAT --formula api00~ell+stype"
# shellcheck disable=SC2086
"$SURVSTAT" model $MO --format csv >"$O/mod.csv" 2>/dev/null
# shellcheck disable=SC2086
run model $MO --test stype -o "$O/mod.xlsx"
if [ "$status" -eq 0 ] && $PY $XL "$O/mod.xlsx" coefficients "$O/mod.csv" >"$O/cmp" 2>&1 &&
   $PY -c 'import openpyxl, sys; wb = openpyxl.load_workbook(sys.argv[1]); assert wb.sheetnames == ["coefficients", "tests", "about"], wb.sheetnames; assert wb["tests"]["A2"].value == "wald"' "$O/mod.xlsx"
then ok; else bad "xlsx = csv (model): $status $(cat "$TMP/err" "$O/cmp")"; fi
# shellcheck disable=SC2086
run model $MO --test stype -o "$O/mod.html"
html_ok model "$O/mod.html"
