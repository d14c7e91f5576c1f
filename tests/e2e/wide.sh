# survstat table laid out wide in xlsx and html (issues 20 and 22), text
# aligned in display columns with Chinese labels (issue 19), labelled files
# in GBK and SPSS portable files (issue 19).  Sourced by tests/run_tests.sh.
# Needs Debian's python3-openpyxl (/usr/bin/python3) and xmllint.

WD=$TMP/wide
mkdir -p "$WD"
PY=/usr/bin/python3
WSTRAT="datasets/apistrat.csv --strata stype --weights pw --fpc fpc"
WHH="datasets/household.sav --ids community,hh_id --strata district --fpc fpc1,fpc2 --weights weight"
WMR="tests/data/mrset.csv --strata stratum --ids psu --weights w"

# ---- xlsx: the sheet "table" laid out wide, "data" the csv's rows ---------
# wide_case NAME ARGS: the workbook's table sheet against the csv
# (tests/tools/wide_xlsx.py: merged header cells, every number the csv's
# to the bit, every csv row of the statistics shown), its data sheet the
# csv cell by cell.
wide_case() {
  local name=$1 args=$2
  # shellcheck disable=SC2086
  "$BIN" table $args --format csv >"$WD/$name.csv" 2>"$TMP/err"
  # shellcheck disable=SC2086
  run table $args -o "$WD/$name.xlsx"
  if [ "$status" -eq 0 ] && [ ! -s "$TMP/out" ] &&
     $PY tests/tools/wide_xlsx.py "$WD/$name.xlsx" "$WD/$name.csv" >"$WD/cmp" 2>&1 &&
     $PY tests/tools/xlsx_vs_csv.py "$WD/$name.xlsx" data "$WD/$name.csv" >>"$WD/cmp" 2>&1; then ok
  else bad "wide xlsx $name: $status $(cat "$TMP/err") $(tail -3 "$WD/cmp")"; fi
}
wide_case twoway-by "$WSTRAT --rows awards --cols sch.wide --mark total --percent row --count --by stype"
wide_case oneway "$WSTRAT --rows awards --percent col --count"
wide_case cell "$WSTRAT --rows awards --cols sch.wide --percent cell"
wide_case flags-suppress "$WHH --rows district --cols overall --mark total --flags nchs --suppress"
wide_case counts-statcan "$WHH --rows district --cols overall --flags statcan --suppress --count"
wide_case mark-ref "$WHH --rows district --cols sex --percent col --mark 男 --flags ons"
wide_case mrset "$WMR --mrset info=a,b,c --cols region"
# The checker fails on a workbook that is not the csv's (another level).
"$BIN" table $WSTRAT --rows awards --level 0.9 --format csv >"$WD/l90.csv" 2>/dev/null
if ! $PY tests/tools/wide_xlsx.py "$WD/oneway.xlsx" "$WD/l90.csv" >/dev/null 2>&1; then ok; else
  bad "wide xlsx: the checker passes a workbook of another level"; fi
# The layout itself: title, corner merged over three header rows, COLVAR's
# name over the 5 levels x 4 sub-columns, Total, the notes under the table.
if $PY - "$WD/flags-suppress.xlsx" <<'PY'; then ok; else bad "wide xlsx layout"; fi
import sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1])["table"]
m = sorted(str(r) for r in ws.merged_cells.ranges)
assert "A2:A4" in m and "B2:U2" in m and "V2:Y3" in m and "B3:E3" in m, m
assert ws["A1"].value == "district by overall: row percentages with 95% confidence intervals (logit)"
assert (ws["B2"].value, ws["B3"].value, ws["F3"].value, ws["V2"].value) == ("overall", "很不满意", "不太满意", "Total")
assert [ws.cell(4, j).value for j in range(2, 6)] == ["%", "CI low", "CI high", "flag"]
assert ws["A5"].value == "市南区" and ws["A17"].value == "Total" and ws["A17"].font.b
assert ws.freeze_panes == "B5", ws.freeze_panes
notes = [ws.cell(r, 1).value for r in range(18, 23)]
assert notes[0].startswith("* differs from the Total row at the 0.05 level"), notes
assert notes[-1] == "1498 rows", notes
PY

# ---- html: the wide table first (as the text table's cells), then the rows -
# html_wide NAME ARGS: well-formed, no script; each body cell of the wide
# tables is the text table's cell; the tidy table follows.
html_wide() {
  local name=$1 args=$2
  # shellcheck disable=SC2086
  "$BIN" table $args >"$WD/$name.txt" 2>"$TMP/err"
  # shellcheck disable=SC2086
  run table $args -o "$WD/$name.html"
  if [ "$status" -eq 0 ] && xmllint --html --noout "$WD/$name.html" >"$WD/xmllint" 2>&1 &&
     [ ! -s "$WD/xmllint" ] && ! grep -qi '<script' "$WD/$name.html" &&
     $PY tests/tools/html_wide.py "$WD/$name.html" "$WD/$name.txt" --tidy >"$WD/cmp" 2>&1; then ok; else
    bad "wide html $name: $status $(cat "$TMP/err" "$WD/xmllint") $(tail -3 "$WD/cmp")"; fi
}
html_wide flags-suppress "$WHH --rows district --cols overall --mark total --flags nchs --suppress"
html_wide by-count "$WSTRAT --rows awards --cols sch.wide --percent row --count --by stype"
html_wide oneway "$WSTRAT --rows awards"
html_wide mrset "$WMR --mrset info=a,b,c --cols region"
# the notes of the text table under the html table
if grep -qF '<p class="note">Rao-Scott test of independence: F = ' "$WD/flags-suppress.html" &&
   grep -qF '<th scope="col" colspan="5">overall</th>' "$WD/flags-suppress.html" &&
   grep -qF '<tr class="total"><th scope="row">Total</th>' "$WD/flags-suppress.html"; then ok; else
  bad "wide html notes and header: $(grep -m3 'note\|colspan' "$WD/flags-suppress.html")"; fi

# survstat run's report.html shows a [table] section wide (the tidy rows of
# its csv laid out again): the cells of survstat table's text table.
cat >"$WD/pack.ini" <<EOF2
[run]
data = datasets/household.sav
wave = 2009
[design]
ids = community,hh_id
strata = district
fpc = fpc1,fpc2
weights = weight
[table t]
rows = district
cols = overall
mark = total
flags = nchs
suppress = yes
by = sex
EOF2
run run "$WD/pack.ini" --out "$WD/pack"
# shellcheck disable=SC2086
"$BIN" table $WHH --rows district --cols overall --mark total --flags nchs --suppress --by sex \
  >"$WD/pack.txt" 2>>"$TMP/err"
if [ "$status" -eq 0 ] && xmllint --html --noout "$WD/pack/2009/report.html" 2>/dev/null &&
   grep -qF '<caption>district by overall (sex=男): row percentages with 95% confidence intervals</caption>' "$WD/pack/2009/report.html" &&
   $PY tests/tools/html_wide.py "$WD/pack/2009/report.html" "$WD/pack.txt" >"$WD/cmp" 2>&1; then ok; else
  bad "run report: the table wide: $status $(cat "$TMP/err" "$WD/cmp" | tail -3)"; fi
# its Methods: the rows of each layer (the n of its Total cell)
if grep -qF '<td>sample size (n) [table t]</td><td>sex=男 730, sex=女 768</td>' "$WD/pack/2009/report.html"; then ok
else bad "run report: the table's sample size: $(grep -o 'sample size (n) .table[^/]*' "$WD/pack/2009/report.html")"; fi

# --mark LEVEL takes a labelled column's label as its code (issue 19).
# shellcheck disable=SC2086
a=$("$BIN" table $WHH --rows district --cols sex --percent col --mark 男 --format csv 2>&1)
# shellcheck disable=SC2086
b=$("$BIN" table $WHH --rows district --cols sex --percent col --mark 1 --format csv 2>&1)
if [ -n "$a" ] && [ "$a" = "$b" ] && grep -q ',\*,' <<<"$a"; then ok; else bad "table --mark by label"; fi

# ---- GBK-encoded .sav and SPSS portable files (issue 19) ------------------
# tests/data/labels/make_spss.py writes them with GNU PSPP.  The GBK file
# (encoding record "GBK", code page 936) and the same without the encoding
# record (code page 936 alone, as SPSS before 16 writes) hold what the
# UTF-8 datasets/household.sav holds: the same codebook (labels, variable
# labels, user-missing 9) and the same estimates, to the bit (household.sav
# against household.csv: tests/e2e/labels.sh).  ReadStat
# 1.1.8 alone refuses both ("unsupported character set").
LB=tests/data/labels
HHD="--ids community,hh_id --strata district --fpc fpc1,fpc2 --weights weight"
"$BIN" describe datasets/household.sav --codebook --format csv >"$WD/cb_utf8" 2>"$TMP/err"
for f in household_gbk household_cp936; do
  "$BIN" describe $LB/$f.sav --codebook --format csv >"$WD/cb_$f" 2>>"$TMP/err"
  if [ -s "$WD/cb_$f" ] && cmp -s "$WD/cb_utf8" "$WD/cb_$f" &&
     grep -q '^overall,numeric,总体满意度,9,5,很满意,' "$WD/cb_$f"; then ok; else
    bad "$f.sav codebook = household.sav's: $(cat "$TMP/err") $(diff "$WD/cb_utf8" "$WD/cb_$f" | head -3)"; fi
  # shellcheck disable=SC2086
  "$BIN" estimate $LB/$f.sav $HHD --prop overall --mean purpose --t2b efficiency --scale 1:5 \
    --by district --format csv >"$WD/e_$f" 2>"$TMP/err"
  # shellcheck disable=SC2086
  "$BIN" estimate datasets/household.sav $HHD --prop overall --mean purpose \
    --t2b efficiency --scale 1:5 --by district --format csv >"$WD/e_csv" 2>>"$TMP/err"
  if [ "$(wc -l <"$WD/e_$f")" -gt 80 ] && cmp -s "$WD/e_$f" "$WD/e_csv" &&
     grep -q '^,prop,overall,很满意,district=崂山区,' "$WD/e_$f"; then ok; else
    bad "$f.sav estimates = household.sav's: $(cat "$TMP/err") $(diff "$WD/e_$f" "$WD/e_csv" | head -3)"; fi
done
# the text output of the GBK file: labels in UTF-8, aligned
# shellcheck disable=SC2086
"$BIN" table $LB/household_gbk.sav $HHD --rows district --cols sex >"$WD/t_gbk" 2>"$TMP/err"
if grep -q '^崂山区 ' "$WD/t_gbk" && iconv -f UTF-8 -t UTF-8 "$WD/t_gbk" >/dev/null; then ok; else
  bad "table of the GBK .sav: $(head -3 "$WD/t_gbk") $(cat "$TMP/err")"; fi
# --encoding overrides what the file says (here wrongly: the GBK bytes as
# Latin-1 give other text, not an error)
run describe $LB/household_gbk.sav --codebook --encoding ISO-8859-1 --format csv
if [ "$status" -eq 0 ] && ! grep -q '总体满意度' "$TMP/out" && grep -q '^overall,' "$TMP/out"; then ok; else
  bad "--encoding on a .sav: $status $(cat "$TMP/err")"; fi

# api.por (PSPP's EXPORT of tests/data/labels/api.csv): the values, labels
# and user-missing 9 of the CSV with --labels and --na; the names are upper
# case and cut to 8 characters, the numbers went through base 30 (PSPP's
# precision, about 16 digits): equal to 1e-12.
printf 'variable,value,label\nstype_code,1,Elementary\nstype_code,2,Middle\nstype_code,3,High\n' >"$WD/lab.csv"
"$BIN" estimate $LB/api.por --strata STYPE --weights PW --fpc FPC --mean API00,MEALS9,ENROLL \
  --prop STYPE_CO --by STYPE_CO --format csv >"$WD/por.csv" 2>"$TMP/err"
"$BIN" estimate $LB/api.csv --strata stype --weights pw --fpc fpc --mean api00,meals9,enroll \
  --prop stype_code --by stype_code --labels "$WD/lab.csv" --na meals9:9 --format csv >"$WD/porcsv.csv" 2>>"$TMP/err"
out=$($PY - "$WD/por.csv" "$WD/porcsv.csv" <<'PY'
import csv, sys
a = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
b = list(csv.DictReader(open(sys.argv[2], encoding="utf-8")))
names = {"API00": "api00", "MEALS9": "meals9", "ENROLL": "enroll", "STYPE_CO": "stype_code"}
assert len(a) == len(b) == 18, (len(a), len(b))
for x, y in zip(a, b):
    assert names[x["variable"]] == y["variable"], (x["variable"], y["variable"])
    assert x["level"] == y["level"] and x["domain"].replace("STYPE_CO", "stype_code") == y["domain"], (x, y)
    assert "=Elementary" in x["domain"] or "=Middle" in x["domain"] or "=High" in x["domain"]
    for k in ("estimate", "se", "ci_low", "ci_high", "n"):
        u, v = float(x[k]), float(y[k])
        assert u == v or abs(u - v) <= 1e-12 * max(abs(u), abs(v)), (k, u, v)
print("ok")
PY
)
if [ "$out" = ok ]; then ok; else bad "api.por = api.csv with --labels and --na: $out $(cat "$TMP/err")"; fi
run describe $LB/api.por --codebook --format csv
if grep -q '^MEALS9,numeric,"Meals, 9 = no answer",9,9,no answer,42,' "$TMP/out"; then ok; else
  bad "api.por codebook: $(grep MEALS9 "$TMP/out" | head -3)"; fi
expect_error por-non-ascii 1 "$LB/chinese.por: cannot read the SPSS portable file: it holds characters outside the portable character set (non-ASCII text, as Chinese labels), which its reader would drop: save the file as .sav" -- \
  describe $LB/chinese.por

# ---- text aligned in display columns with Chinese labels (issue 19) -------
# A Chinese character takes two columns on a terminal: every column of a
# text table starts at the same display column in each line (the two
# blanks before it are blanks in every line, for the writer's tables under
# their dashes), and the lines of survstat table's wide blocks are equally
# wide.  Counting code points instead shifts every cell after a label.
align_ok() {
  local name=$1
  shift
  run "$@"
  if [ "$status" -eq 0 ] && $PY - "$TMP/out" >"$WD/align" 2>&1 <<'PY'; then ok; else
import sys, unicodedata
def cells(line):
    out = []
    for ch in line:
        w = 0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        out += [ch] + ["\0"] * (w - 1)
    return out
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
cjk = any(unicodedata.east_asian_width(c) == "W" for l in lines for c in l)
assert cjk, "no Chinese text in the output"
checked = 0
for i, l in enumerate(lines):
    if l and set(l) <= {"-", " "} and "-" in l and i > 0:   # a writer's table
        starts = [k for k in range(1, len(l)) if l[k] == "-" and l[k - 1] == " "]
        block = [lines[i - 1]] + [x for x in lines[i + 1:i + 1 + next(
            (n for n, x in enumerate(lines[i + 1:]) if not x.strip()), len(lines))]]
        for x in block:
            if x.startswith("Confidence level:"):   # the footnote under it
                break
            c = cells(x)
            for s in starts:
                if len(c) > s:
                    assert c[s - 1] == " " and c[s - 2] == " ", (x, s)
            checked += 1
    if "confidence intervals" in l and i + 1 < len(lines):       # a wide block
        block = []
        for x in lines[i + 1:]:
            if not x.strip():
                break
            block.append(len(cells(x)))
        assert len(set(block)) == 1, (l, block)
        checked += len(block)
assert checked > 3, checked
print(checked)
PY
    bad "aligned $name: $status $(cat "$TMP/err" "$WD/align" | tail -3)"; fi
}
align_ok codebook describe datasets/household.sav --codebook
align_ok describe describe datasets/household.sav
align_ok estimate estimate datasets/household.sav $HHD --prop overall --by district
align_ok estimate-md estimate datasets/household.sav $HHD --mean overall --by district --percent
align_ok table table datasets/household.sav $HHD --rows district --cols overall --mark total --flags nchs --count --percent row
align_ok table-gbk table $LB/household_gbk.sav $HHD --rows district --cols sex
