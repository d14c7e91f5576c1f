# Charts as a reader sees them (issue 22, issue 19's labels): every chart
# type rendered to PNG and checked (size, dimensions); the gnuplot scripts
# of bar, likert and trend charts checked for their series, colours, labels
# and order; the variable labels carried by result files; the errors.
# Sourced by tests/run_tests.sh.

CH=$TMP/charts
mkdir -p "$CH"
HHD="--ids community,hh_id --strata district --fpc fpc1,fpc2 --weights weight"
ITEMS=purpose,practical,responsibility,frugality,discipline,efficiency

# png_check NAME FILE W H: a PNG of W x H pixels, more than 8 kB (a chart,
# not an empty canvas).
png_check() {
  local got
  got=$(python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(24); assert d[:8]==b"\x89PNG\r\n\x1a\n" and d[12:16]==b"IHDR"; print("%dx%d" % struct.unpack(">II", d[16:24]))' "$2" 2>/dev/null)
  if [ "$got" = "$3x$4" ] && [ "$(wc -c <"$2")" -gt 8000 ]; then ok; else
    bad "charts $1: png $got ($(wc -c <"$2" 2>/dev/null) bytes), want $3x$4"; fi
}

# --- result files carry the variable labels ------------------------------------
# shellcheck disable=SC2086
{ "$SURVSTAT" estimate datasets/household.sav $HHD --scale 1:5 --t2b overall --flags nchs --format csv
  "$SURVSTAT" estimate datasets/household.sav $HHD --scale 1:5 --t2b overall --by district --flags nchs \
    --format csv | tail -n +2; } >"$CH/t2b.csv" 2>/dev/null
if head -1 "$CH/t2b.csv" | grep -q '^wave,statistic,variable,level,domain,estimate,se,ci_low,ci_high,df,deff,n,n_eff,cv,flag,conf_level,variable_label,by_label$' &&
   grep -q ',总体满意度,区市$' "$CH/t2b.csv"; then ok; else bad "charts labels columns: $(head -2 "$CH/t2b.csv")"; fi
# text output keeps to the variables' names
# shellcheck disable=SC2086
run estimate datasets/household.sav $HHD --scale 1:5 --t2b overall
if [ "$status" -eq 0 ] && ! grep -q '总体满意度' "$TMP/out"; then ok; else bad "charts labels in text output"; fi
# a CSV without labels: no label columns
run estimate datasets/apistrat.csv --weights pw --mean api00 --format csv
if ! grep -q variable_label "$TMP/out"; then ok; else bad "charts labels columns without labels"; fi

# --- bar: title and axes from labels, colours, the reference line, order -------
run plot "$CH/t2b.csv" --type bar --script -
cp "$TMP/out" "$CH/bar.gp"
# Every bar is flagged (Pdf): one colour, no 'flagged' key entry, a note
# saying so; the title is the variable label alone (one language); the
# y axis is the domain variable's label; the overall line is in the key.
contains charts-bar-labels "$CH/bar.gp" "set title '总体满意度' noenhanced" "set ylabel '区市'" \
  "t2b of 总体满意度, percent" "title 'all: 51.3% (shaded: its interval)'" \
  "'Every estimate is flagged: "
if ! grep -q "e69f00" "$CH/bar.gp" && ! grep -q '^\$B1 << EOD' -A1 "$CH/bar.gp" | grep -q '^[0-9]'; then ok; else
  bad "charts bar: flag colour on every bar"; fi
# Value order by default: the ytics top-down by estimate.
if python3 - "$CH/t2b.csv" "$CH/bar.gp" <<'PY'; then ok; else bad "charts bar value order"; fi
import csv, re, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["domain"]]
want = [r["domain"].split("=")[1] for r in sorted(rows, key=lambda r: -float(r["estimate"]))]
tics = re.search(r"set ytics \((.*)\) scale 0", open(sys.argv[2]).read()).group(1)
got = [m[0] for m in sorted(re.findall(r"'([^']*)' (\d+)", tics), key=lambda t: -int(t[1]))]
assert got == want, (got, want)
PY
# No value label crosses the dashed line: each starts past it or ends
# before it (at ~7.5 pixels a column on the plot's width).
if python3 - "$CH/bar.gp" <<'PY'; then ok; else bad "charts bar labels cross the line"; fi
import re, sys, unicodedata
t = open(sys.argv[1]).read()
ref = float(re.search(r"set arrow 1 from ([-0-9.e]+),", t).group(1))
x0, x1 = map(float, re.search(r"set xrange \[([-0-9.e]+):([-0-9.e]+)\]", t).group(1, 2))
u = (x1 - x0) / (900 - 7.5 * 6 - 110)
for text, at in re.findall(r"set label \d+ '([^']*)' at ([-0-9.e]+),[0-9.]+ left", t):
    w = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text) * 7.5
    left, right = float(at) + 6 * u, float(at) + (6 + w) * u
    assert not (left - 2 * u < ref < right + 2 * u), (text, at, ref)
PY
# --order data: the codes' order (district 1 first); label: by text.
run plot "$CH/t2b.csv" --type bar --order data --script -
if grep -q "set ytics ('市南区' 12, '市北区' 11, '四方区' 10," "$TMP/out"; then ok; else bad "charts bar --order data: $(grep ytics "$TMP/out")"; fi
run plot "$CH/t2b.csv" --type bar --order label --script -
if python3 - "$TMP/out" <<'PY'; then ok; else bad "charts bar --order label"; fi
import re, sys
tics = re.search(r"set ytics \((.*)\) scale 0", open(sys.argv[1]).read()).group(1)
got = [m[0] for m in sorted(re.findall(r"'([^']*)' (\d+)", tics), key=lambda t: -int(t[1]))]
assert got == sorted(got, key=lambda s: s.encode()), got
PY
# --suppress: Px estimates leave an empty slot with their flag, the bars in
# the codes' order whatever the values; no number of theirs in the script.
run plot "$CH/t2b.csv" --type bar --suppress --script -
cp "$TMP/out" "$CH/bar_sup.gp"
if python3 - "$CH/t2b.csv" "$CH/bar_sup.gp" <<'PY'; then ok; else bad "charts bar --suppress"; fi
import csv, re, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["domain"]]
t = open(sys.argv[2]).read()
tics = re.search(r"set ytics \((.*)\) scale 0", t).group(1)
got = [m[0] for m in sorted(re.findall(r"'([^']*)' (\d+)", tics), key=lambda t: -int(t[1]))]
assert got == [r["domain"].split("=")[1] for r in rows], got
for r in rows:
    if "Px" in r["flag"].split():
        assert repr(float(r["estimate"]) * 100)[:8] not in t, r
        assert "%.1f%%" % (100 * float(r["estimate"])) not in t, r
assert t.count("(suppressed)'") == sum("Px" in r["flag"].split() for r in rows)
PY
# Some bars flagged, not all: orange for those, and a key entry.
"$SURVSTAT" estimate datasets/apiclus1.csv --ids dnum --weights pw --fpc fpc --prop awards --by stype \
  --flags nchs --format csv >"$CH/flags.csv" 2>/dev/null
run plot "$CH/flags.csv" --type bar --level Yes --script -
contains charts-bar-some-flagged "$TMP/out" "fc rgb '#e69f00'" "title 'flagged estimates'" "'Flags: Px suppress; Pdf df < 8'"
# A proportion by domain: grouped by domain (never interleaved), levels in
# their codes' order coloured by level, a key of the levels.
# shellcheck disable=SC2086
{ "$SURVSTAT" estimate datasets/household.sav $HHD --prop overall --format csv
  "$SURVSTAT" estimate datasets/household.sav $HHD --prop overall --by sex --format csv | tail -n +2; } \
  >"$CH/prop_sex.csv" 2>/dev/null
run plot "$CH/prop_sex.csv" --type bar --script -
cp "$TMP/out" "$CH/grouped.gp"
if python3 - "$CH/prop_sex.csv" "$CH/grouped.gp" <<'PY'; then ok; else bad "charts bar grouped"; fi
import csv, re, sys
rows = list(csv.DictReader(open(sys.argv[1])))
t = open(sys.argv[2]).read()
assert "set ylabel '性别'" in t and "set title '总体满意度'" in t
assert re.search(r"set ytics \('all' [0-9.]+, '男' [0-9.]+, '女' [0-9.]+\)", t), t
levels = ["很不满意", "不太满意", "一般", "比较满意", "很满意"]
blocks = dict(re.findall(r"\$B(\d+) << EOD\n(.*?)EOD\n", t, re.S))
ys = {}
for k, lev in enumerate(levels):
    assert "title '%s'" % lev in t
    for line in blocks[str(k)].splitlines():
        y, est = line.split()[:2]
        ys[float(y)] = (k, float(est))
# each group's five bars are next to each other, levels in code order
order = [ys[y][0] for y in sorted(ys, reverse=True)]
assert order == list(range(5)) * 3, order
dom = {"": 0, "sex=男": 1, "sex=女": 2}
for r in rows:
    y = sorted(ys, reverse=True)[dom[r["domain"]] * 5 + levels.index(r["level"])]
    assert abs(ys[y][1] - 100 * float(r["estimate"])) < 1e-9, r
PY
# Levels of one variable: their codes' order by default (age groups).
# shellcheck disable=SC2086
"$SURVSTAT" estimate datasets/household.sav $HHD --prop age_group --format csv >"$CH/age.csv" 2>/dev/null
run plot "$CH/age.csv" --type bar --script -
contains charts-bar-ordinal "$TMP/out" "set ytics ('18-34' 4, '35-49' 3, '50-64' 2, '65+' 1)" "set title '年龄组'"
run plot "$CH/age.csv" --type bar --order value --script -
contains charts-bar-ordinal-value "$TMP/out" "set ytics ('35-49' 4, '18-34' 3, '50-64' 2, '65+' 1)"

# --- likert: labels, fitted axis, small segments, don't know -------------------
# shellcheck disable=SC2086
"$SURVSTAT" estimate datasets/household.sav $HHD --prop "$ITEMS" --format csv >"$CH/items.csv" 2>/dev/null
run plot "$CH/items.csv" --type likert --scale 1:5 --script -
cp "$TMP/out" "$CH/likert.gp"
if python3 - "$CH/items.csv" "$CH/likert.gp" <<'PY'; then ok; else bad "charts likert"; fi
import csv, re, sys
rows = list(csv.DictReader(open(sys.argv[1])))
t = open(sys.argv[2]).read()
for lev in ["很不满意", "不太满意", "一般", "比较满意", "很满意"]:
    assert "title '%s'" % lev in t, lev          # the legend: value labels
assert "'宗旨意识' 6" in t and "'工作效率' 1" in t   # items by variable label
lo, hi = map(float, re.search(r"set xrange \[([-0-9.]+):([-0-9.]+)\]", t).group(1, 2))
ends = [float(v) for line in re.findall(r"\$L\d << EOD\n(.*?)EOD\n", t, re.S)
        for l in line.splitlines() for v in l.split()[1:]]
assert lo <= min(ends) - 5 and hi >= max(ends) + 5, (lo, hi)       # fits the bars,
assert lo > min(ends) - 17 and hi < max(ends) + 17 and lo > -100, (lo, hi)  # and no more
assert lo % 10 == 0 and hi % 10 == 0, (lo, hi)   # to the next 10 points, not 20
# every share under 6% at an end of a bar is printed outside it
small = [r for r in rows if r["level"] in ("很不满意", "很满意") and float(r["estimate"]) < 0.06]
assert small, "the data have small end segments"
for r in small:
    assert "'%.0f%%' at" % (100 * float(r["estimate"])) in t, r
assert "missing answers (don''t know) are not counted; n = " in t
PY
# Don't know as a level (a CSV with a labels file, 9 not missing): left out
# of the bars, with its share in a note.
printf 'variable,value,label\n' >"$CH/labels.csv"
for v in ${ITEMS//,/ }; do
  printf '%s,1,很不满意\n%s,2,不太满意\n%s,3,一般\n%s,4,比较满意\n%s,5,很满意\n%s,9,不知道\n' \
    "$v" "$v" "$v" "$v" "$v" "$v" >>"$CH/labels.csv"
done
# shellcheck disable=SC2086
"$SURVSTAT" estimate datasets/household.csv $HHD --labels "$CH/labels.csv" --prop "$ITEMS" --format csv \
  >"$CH/items_dk.csv" 2>/dev/null
run plot "$CH/items_dk.csv" --type likert --scale 1:5 --script -
if [ "$status" -eq 0 ] && python3 - "$CH/items_dk.csv" "$TMP/out" <<'PY'; then ok; else bad "charts likert don't know: $(cat "$TMP/err")"; fi
import csv, re, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["level"] == "不知道"]
t = open(sys.argv[2]).read()
s = [100 * float(r["estimate"]) for r in rows]
assert "'Not drawn: 不知道, %.1f%% to %.1f%% of each item''s answers.'" % (min(s), max(s)) in t, t
assert "title '不知道'" not in t
PY
# Numeric codes: 9 on a 1:5 scale is off it (don't know), left out with a note.
"$SURVSTAT" estimate datasets/household.csv $HHD --prop purpose --format csv >"$CH/p9.csv" 2>/dev/null
run plot "$CH/p9.csv" --type likert --scale 1:5 --script -
contains charts-likert-code-9 "$TMP/out" "'Not drawn: 9, " "title '5'"

# --- trend: palette, direct labels, key, bands ---------------------------------
# shellcheck disable=SC2086
"$SURVSTAT" estimate datasets/household_2008.csv $HHD --na 9 --scale 1:5 --index "s=$ITEMS" --by district \
  --wave 2008 --format csv >"$CH/d2008.csv" 2>/dev/null
# shellcheck disable=SC2086
"$SURVSTAT" estimate datasets/household.sav $HHD --scale 1:5 --index "s=$ITEMS" --by district \
  --wave 2009 --format csv >"$CH/d2009.csv" 2>/dev/null
run plot "$CH/d2008.csv" "$CH/d2009.csv" --type trend --script -
cp "$TMP/out" "$CH/trend12.gp"
# 12 lines: 12 different colours, each with its marker and dash; a key
# (too many lines to label) with each line's last value, highest first; no
# band without --highlight.
if python3 - "$CH/d2009.csv" "$CH/trend12.gp" <<'PY'; then ok; else bad "charts trend 12 lines"; fi
import csv, re, sys
rows = list(csv.DictReader(open(sys.argv[1])))
t = open(sys.argv[2]).read()
styles = re.findall(r"\$S(\d+) using 1:2 with linespoints lw \S+ dt (\d+) pt (\d+) ps \S+ lc rgb '(#[0-9a-f]{6})' title '([^']*)'", t)
assert len(styles) == 12, styles
colors = {s[3] for s in styles}
assert len(colors) == 12, colors
assert len({(s[1], s[2]) for s in styles}) >= 8
assert "filledcurves" not in t
last = [float(s[4].split()[-1]) for s in styles]
assert last == sorted(last, reverse=True), last
want = {r["domain"].split("=")[1]: "%.1f" % float(r["estimate"]) for r in rows}
for s in styles:
    name, v = s[4].split()
    assert want[name] == v, (name, v)
assert "set key outside right top vertical Left reverse title '区市'" in t
PY
# --highlight: that line thick, drawn last, with its band; the others thin.
run plot "$CH/d2008.csv" "$CH/d2009.csv" --type trend --highlight 崂山区 --script -
if grep -c filledcurves "$TMP/out" | grep -qx 1 && grep -q "band: the confidence interval of 崂山区" "$TMP/out" &&
   tail -2 "$TMP/out" | head -1 | grep -q "lw 3.5 .* title ''$"; then ok; else bad "charts trend --highlight"; fi
# Few lines: labelled at their ends with their values, no key.
"$SURVSTAT" estimate tests/data/plot_survey.csv --weights w --mean waiting,staff --wave 1 --format csv >"$CH/w1.csv" 2>/dev/null
"$SURVSTAT" estimate tests/data/plot_survey.csv --weights w --mean waiting,staff --wave 2 --format csv >"$CH/w2.csv" 2>/dev/null
run plot "$CH/w1.csv" "$CH/w2.csv" --type trend --script -
if grep -q "set key off" "$TMP/out" && grep -Eq "set label [0-9]+ 'waiting  [0-9.]+' at 2,.* left" "$TMP/out" &&
   grep -Eq "set label [0-9]+ 'staff  [0-9.]+' at 2," "$TMP/out" && ! grep -q filledcurves "$TMP/out"; then ok; else
  bad "charts trend direct labels"; fi
# One line: no key, its band, its values.
run plot "$CH/w1.csv" "$CH/w2.csv" --type trend --variable staff --script -
if grep -q "set key off" "$TMP/out" && grep -c filledcurves "$TMP/out" | grep -qx 1 &&
   [ "$(grep -c "^set label" "$TMP/out")" -eq 2 ]; then ok; else bad "charts trend one line"; fi

# --- weights after raking: titled with the weight drawn ------------------------
run plot datasets/phone.csv --type weights --weights base_weight --strata district --rake datasets/population.csv --script -
contains charts-weights-raked "$TMP/out" "set title 'Calibrated weights: base_weight raked to datasets/population.csv'" \
  "set xlabel 'adjusted weight (from base_weight)'"

# --- every chart type rendered and looked at (size, dimensions) ----------------
if command -v gnuplot >/dev/null 2>&1; then
  run plot "$CH/t2b.csv" --type bar -o "$CH/bar.png" --width 800 --height 500
  png_check bar "$CH/bar.png" 800 500
  run plot "$CH/prop_sex.csv" --type bar -o "$CH/grouped.png"
  png_check grouped "$CH/grouped.png" 900 "$(sed -n 's/.*pngcairo size 900,\([0-9]*\).*/\1/p' "$CH/grouped.gp")"
  run plot "$CH/t2b.csv" --type bar --suppress -o "$CH/bar_sup.png" --width 700 --height 450
  png_check bar-suppress "$CH/bar_sup.png" 700 450
  run plot "$CH/items_dk.csv" --type likert --scale 1:5 -o "$CH/likert.png" --width 800 --height 420
  png_check likert "$CH/likert.png" 800 420
  run plot "$CH/d2008.csv" "$CH/d2009.csv" --type trend --highlight 崂山区 -o "$CH/trend.png"
  png_check trend "$CH/trend.png" 900 560
  run plot "$CH/w1.csv" "$CH/w2.csv" --type trend -o "$CH/trend2.png" --width 600 --height 400
  png_check trend-direct "$CH/trend2.png" 600 400
  "$SURVSTAT" drivers tests/data/plot_survey.csv --weights w --outcome overall --items waiting,staff,clarity,online \
    --format csv >"$CH/drivers.csv" 2>/dev/null
  run plot "$CH/drivers.csv" --type ipa -o "$CH/ipa.png" --width 700 --height 500
  png_check ipa "$CH/ipa.png" 700 500
  run plot datasets/phone.csv --type weights --weights base_weight --strata district --rake datasets/population.csv \
    -o "$CH/weights.png" --width 700 --height 400
  png_check weights "$CH/weights.png" 700 400
fi

# --- errors: one line, nothing written -----------------------------------------
expect_error charts-order-bad 2 "survstat plot: --order: expected data, value or label, got 'size'" -- \
  plot "$CH/t2b.csv" --type bar --order size -o "$CH/e.png"
expect_error charts-order-type 2 "survstat plot: --order goes with --type bar or likert" -- \
  plot "$CH/d2008.csv" "$CH/d2009.csv" --type trend --order value -o "$CH/e.png"
expect_error charts-suppress-type 2 "survstat plot: --suppress goes with --type bar" -- \
  plot "$CH/items.csv" --type likert --suppress -o "$CH/e.png"
expect_error charts-highlight-type 2 "survstat plot: --highlight goes with --type trend" -- \
  plot "$CH/t2b.csv" --type bar --highlight x -o "$CH/e.png"
expect_error charts-order-value-suppressed 2 "survstat plot: $CH/t2b.csv: --order value would show where the 8 suppressed estimates rank: use --order data or label with --suppress" -- \
  plot "$CH/t2b.csv" --type bar --suppress --order value -o "$CH/e.png"
expect_error charts-highlight-none 2 "survstat plot: --highlight: no line is 'nowhere' (the lines: '即墨市', " -- \
  plot "$CH/d2008.csv" "$CH/d2009.csv" --type trend --highlight nowhere -o "$CH/e.png"
expect_error charts-mix-variables 1 "survstat plot: $CH/t2b.csv: holds t2b of 'overall', $CH/age.csv holds prop of 'age_group': a chart draws the same statistic of the same variables from every file (choose rows with --statistic and --variable)" -- \
  plot "$CH/t2b.csv" "$CH/age.csv" --type bar -o "$CH/e.png"
"$SURVSTAT" estimate datasets/household.sav $HHD --scale 1:5 --index "s=$ITEMS" --wave 2010 --format csv \
  >"$CH/whole2010.csv" 2>/dev/null
expect_error charts-mix-domains 1 "survstat plot: $CH/d2008.csv: holds domains of 'district', $CH/whole2010.csv holds the whole population's index of 's': a chart draws the same domains from every file" -- \
  plot "$CH/d2008.csv" "$CH/d2009.csv" "$CH/whole2010.csv" --type trend -o "$CH/e.png"
grep -v ',很满意,\|,比较满意,\|,一般,\|,不太满意,' "$CH/items_dk.csv" >"$CH/one_level.csv"
expect_error charts-likert-one-answer 1 "survstat plot: $CH/one_level.csv: a likert chart needs 2 or more answers on its scale; the rows hold 1" -- \
  plot "$CH/one_level.csv" --type likert --scale 1:5 -o "$CH/e.png"
if [ ! -e "$CH/e.png" ]; then ok; else bad "charts errors wrote a chart"; fi

