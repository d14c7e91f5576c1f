# survstat plot: the scripts without gnuplot (their content), hostile
# labels that must stay text, rendering when gnuplot is present (the PNG's
# size from its IHDR, SVG, PDF), gnuplot missing or failing (no output), the
# charts of survstat run, and one case per error message.
# Sourced by tests/run_tests.sh.

PL=$TMP/plot_cases
mkdir -p "$PL"
W8=tests/data/wave_2008.csv
W9=tests/data/wave_2009.csv
W10=tests/data/wave_2010.csv
have_gnuplot=0
command -v gnuplot >/dev/null 2>&1 && have_gnuplot=1

# contains NAME FILE 'TEXT'... (tests/run_tests.sh): every TEXT is in FILE.

# --- scripts, without gnuplot ----------------------------------------------
"$SURVSTAT" estimate datasets/apistrat.csv --strata stype --weights pw --fpc fpc --mean api00 \
  --format csv >"$PL/all.csv" 2>/dev/null
"$SURVSTAT" estimate datasets/apistrat.csv --strata stype --weights pw --fpc fpc --mean api00 \
  --by stype --format csv | tail -n +2 >>"$PL/all.csv" 2>/dev/null
run plot "$PL/all.csv" --type bar --script "$PL/bar.gp" --width 700
if [ "$status" -eq 0 ] && [ ! -s "$TMP/out" ] && [ -s "$PL/bar.gp" ]; then ok; else bad "plot bar script: $(cat "$TMP/err")"; fi
# Sorted bars (largest on top: E, M, H), the whole population as the
# dashed line with its interval shaded and its value in the key (not
# against the title), the output named after the script.
contains bar-script "$PL/bar.gp" \
  "set terminal pngcairo size 700,360 noenhanced background rgb 'white' font 'WenQuanYi Zen Hei,11'" \
  "set output '$PL/bar.png'" \
  "set title 'mean of api00 by stype' noenhanced" \
  "set ytics ('E' 3, 'M' 2, 'H' 1)" \
  "1 625.82000000000005 596.36280070864541 655.27719929135469" \
  "3 674.42999999999995 650.01077121224944 698.84922878775046" \
  "set arrow 1 from 662.28736315932076, graph 0 to 662.28736315932076, graph 1 nohead" \
  "NaN with lines dt 2 lw 1.5 lc rgb '#555555' title 'all: 662.3 (shaded: its interval)'" \
  "set label 1 '674.4' at 698.84922878775046,3"
# Flagged estimates (some, not all): orange bars with a key entry, the
# flags beside them, a footnote; with --suppress (or --flags suppress) no
# bar for Px but an empty slot with its flag, in the file's order.
"$SURVSTAT" estimate datasets/apiclus1.csv --ids dnum --weights pw --fpc fpc --prop awards --by stype \
  --flags nchs --format csv >"$PL/flags.csv" 2>/dev/null
run plot "$PL/flags.csv" --type bar --level Yes --script -
cp "$TMP/out" "$PL/flags.gp"
contains bar-flags "$PL/flags.gp" "set title 'prop of awards = Yes by stype'" \
  "set label 3 '42.9%  Px Pdf'" "\$B1 << EOD" "fc rgb '#e69f00'" \
  "NaN with boxes fc rgb '#e69f00' fs solid 0.85 noborder title 'flagged estimates'" \
  "set label 4 'Flags: Px suppress; Pdf df < 8' at screen 0.01"
run plot "$PL/flags.csv" --type bar --level Yes --flags suppress --script -
if grep -q "'Px Pdf (suppressed)' at 0,2" "$TMP/out" && grep -q "set ytics ('E' 3, 'H' 2, 'M' 1)" "$TMP/out" &&
   ! grep -q '^[12] ' "$TMP/out"; then ok; else bad "plot bar suppress"; fi

# Likert: the shares of each code, the low codes left of zero, the middle
# code split across it.
"$SURVSTAT" estimate tests/data/plot_survey.csv --weights w --prop waiting,online --format csv \
  >"$PL/likert.csv" 2>/dev/null
run plot "$PL/likert.csv" --type likert --scale 1:5 --script -
cp "$TMP/out" "$PL/likert.gp"
if [ "$status" -eq 0 ] && python3 - "$PL/likert.csv" "$PL/likert.gp" <<'PY'; then ok; else bad "plot likert blocks"; fi
import csv, re, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["variable"] == "waiting"]
share = {int(r["level"]): 100 * float(r["estimate"]) for r in rows}
text = open(sys.argv[2]).read()
blocks = dict(re.findall(r"\$L(\d) << EOD\n(.*?)EOD\n", text, re.S))
def seg(code):  # the waiting bar is the top one, y = 2
    for line in blocks[str(code - 1)].splitlines():
        y, a, b = line.split()
        if y == "2":
            return float(a), float(b)
s = share
want = {3: (-s[3] / 2, s[3] / 2), 2: (-s[3] / 2 - s[2], -s[3] / 2), 1: (-s[3] / 2 - s[2] - s[1], -s[3] / 2 - s[2]),
        4: (s[3] / 2, s[3] / 2 + s[4]), 5: (s[3] / 2 + s[4], s[3] / 2 + s[4] + s[5])}
for c, (a, b) in want.items():
    x0, x1 = seg(c)
    assert abs(x0 - a) < 1e-9 and abs(x1 - b) < 1e-9, (c, x0, x1, a, b)
assert "set ytics ('waiting' 2, 'online' 1)" in text
assert "title '1'" in text and "title '5'" in text
PY
# A reversed scale (5:1, 1 the most satisfied) puts code 5 on the left.
run plot "$PL/likert.csv" --type likert --scale 5:1 --script -
if grep -q "^\$L0 << EOD" "$TMP/out" && grep -q "\$L0 using .* title '5'" "$TMP/out"; then ok; else bad "plot likert 5:1"; fi

# Trend: waves on x at their numbers, one line per variable and domain.
run plot "$W8" "$W10" "$W9" --type trend --statistic mean --variable api00 --script -
cp "$TMP/out" "$PL/trend.gp"
contains trend-script "$PL/trend.gp" "set xtics ('2008' 2008, '2009' 2009, '2010' 2010)" \
  "set title 'mean of api00 by stype' noenhanced" \
  "2009 648.86805555555554 600.90545865029026 696.83065246082083" \
  "set label 7 'H  598.3' at 2010," "set label 8 'M  642.4'" "set label 9 'E  692.8'" "set key off"

# IPA: quadrant lines at the means of the drivers' importance and
# performance, every item labelled.
"$SURVSTAT" drivers tests/data/plot_survey.csv --weights w --outcome overall \
  --items waiting,staff,clarity,online --format csv >"$PL/drivers.csv" 2>/dev/null
run plot "$PL/drivers.csv" --type ipa --script -
cp "$TMP/out" "$PL/ipa.gp"
if [ "$status" -eq 0 ] && python3 - "$PL/drivers.csv" "$PL/ipa.gp" <<'PY'; then ok; else bad "plot ipa means"; fi
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
imp = {r["variable"]: float(r["estimate"]) for r in rows if r["statistic"] == "importance"}
perf = {r["variable"]: float(r["estimate"]) for r in rows if r["statistic"] == "performance"}
text = open(sys.argv[2]).read()
mi, mp = sum(imp.values()) / len(imp), sum(perf.values()) / len(perf)
line = [l for l in text.splitlines() if l.startswith("set arrow 1 from")][0]
assert abs(float(line.split()[4].rstrip(",")) - mp) < 1e-9 * abs(mp), line
line = [l for l in text.splitlines() if l.startswith("set arrow 2 from")][0]
assert abs(float(line.split()[7].rstrip(",")) - mi) < 1e-9 * abs(mi), line
for v in imp:
    assert f"'{v}' at " in text, v
PY

# Weights: Kish's effective n in the title, as describe computes it.
run plot datasets/apistrat.csv --type weights --weights pw --script -
kish=$("$SURVSTAT" describe datasets/apistrat.csv --weights pw 2>/dev/null | awk '/kish effective n/ {printf "%.1f", $4}')
if [ "$status" -eq 0 ] && grep -q "Kish effective n = $kish (deff" "$TMP/out" &&
   grep -q "n = 200, sum = 6194" "$TMP/out"; then ok; else bad "plot weights title ($kish): $(grep title "$TMP/out")"; fi

# --- hostile labels ----------------------------------------------------------
# Titles and domain labels that would run commands if gnuplot evaluated
# them: system(), backquotes, quotes, a newline, @macros, printf formats.
H=$PL/hostile
mkdir -p "$H"
python3 - "$H/r.csv" <<'PY'
import csv, sys
bad = ['x=\'); system("touch PWNED1"); print(\'',
       'x=`touch PWNED2`',
       'x=a\nsystem("touch PWNED3")\nEOD',
       'x=@m %s%n %% "; system("touch PWNED4") #',
       'x=\\\' . system("touch PWNED5") . \'']
with open(sys.argv[1], "w", newline="") as f:
    w = csv.writer(f)
    w.writerow("wave,statistic,variable,level,domain,estimate,se,ci_low,ci_high,df,deff,n,n_eff,cv,flag".split(","))
    for i, d in enumerate(bad):
        w.writerow(["1", "prop", "q`touch PWNED6`", str(i + 1), d, 0.2 + 0.1 * i, 0.05, 0.1 + 0.1 * i, 0.3 + 0.1 * i, 10, "", 50, 50, 0.2, "Px`touch PWNED7`" if i == 0 else ""])
PY
htitle='t'"'"'); system("touch PWNED8"); `touch PWNED9` @m
next'
for type in bar likert trend; do
  (cd "$H" && "$SURVSTAT" plot r.csv --type "$type" --title "$htitle" --script "$type.gp" >/dev/null 2>"$H/err")
  if [ $? -eq 0 ] && python3 - "$H/$type.gp" <<'PY'; then ok; else bad "plot hostile $type script: $(cat "$H/err")"; fi
import sys
# Outside single-quoted strings no line holds a data character; quotes
# inside strings are doubled, and no string spans a line.
for line in open(sys.argv[1]):
    out, inside, i = [], False, 0
    while i < len(line):
        c = line[i]
        if c == "'":
            if inside and i + 1 < len(line) and line[i + 1] == "'":
                i += 2; continue
            inside = not inside
        elif not inside:
            out.append(c)
        i += 1
    assert not inside, line
    rest = "".join(out)
    assert "system" not in rest and "`" not in rest and "@" not in rest and "PWNED" not in rest, line
PY
  if [ "$have_gnuplot" = 1 ]; then
    (cd "$H" && "$SURVSTAT" plot r.csv --type "$type" --title "$htitle" -o "$type.png" 2>"$H/err")
    if [ $? -eq 0 ] && [ -s "$H/$type.png" ]; then ok; else bad "plot hostile $type render: $(cat "$H/err")"; fi
  fi
done
if ls "$H" | grep -q PWNED; then bad "plot hostile: a command ran: $(ls "$H")"; else ok; fi

# --- rendering ----------------------------------------------------------------
# png_size FILE: "WIDTHxHEIGHT" from the IHDR chunk.
png_size() {
  python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(24); assert d[:8]==b"\x89PNG\r\n\x1a\n" and d[12:16]==b"IHDR"; print("%dx%d" % struct.unpack(">II", d[16:24]))' "$1" 2>/dev/null
}
if [ "$have_gnuplot" = 1 ]; then
  run plot "$PL/all.csv" --type bar -o "$PL/r bar.png" --width 640 --height 400 --title '满意度 by district'
  if [ "$status" -eq 0 ] && [ "$(png_size "$PL/r bar.png")" = 640x400 ] && [ ! -s "$TMP/err" ]; then ok; else
    bad "plot png size: $(png_size "$PL/r bar.png") $(cat "$TMP/err")"; fi
  for f in "$PL/likert.csv --type likert" "$W8 $W9 $W10 --type trend --statistic mean --variable api00" \
           "$PL/drivers.csv --type ipa" "datasets/apistrat.csv --type weights --weights pw"; do
    # shellcheck disable=SC2086
    run plot $f -o "$PL/each.png" --width 500 --height 300
    if [ "$status" -eq 0 ] && [ "$(png_size "$PL/each.png")" = 500x300 ] && [ ! -s "$TMP/err" ]; then ok; else
      bad "plot render $f: $(cat "$TMP/err")"; fi
  done
  run plot "$PL/all.csv" --type bar -o "$PL/r.svg" --width 640 --height 400
  if [ "$status" -eq 0 ] && grep -q '<svg' "$PL/r.svg" && grep -q 'width="640"' "$PL/r.svg"; then ok; else bad "plot svg"; fi
  run plot "$PL/all.csv" --type bar -o "$PL/r.PDF"
  if [ "$status" -eq 0 ] && [ "$(head -c 4 "$PL/r.PDF")" = "%PDF" ]; then ok; else bad "plot pdf"; fi
  # The script written by --script renders the same chart.
  (cd "$PL" && gnuplot bar.gp 2>/dev/null)
  if [ "$(png_size "$PL/bar.png")" = 700x360 ]; then ok; else bad "plot script runs in gnuplot"; fi
fi

# --- gnuplot missing or failing: one error, no chart, the old file kept -----------
expect_error plot-no-gnuplot 1 "survstat plot: gnuplot '/nonexistent/gnuplot' cannot be run: No such file or directory (install gnuplot-nox or give --gnuplot PATH); no chart written" -- \
  plot "$PL/all.csv" --type bar -o "$PL/none.png" --gnuplot /nonexistent/gnuplot
if [ ! -e "$PL/none.png" ]; then ok; else bad "plot no gnuplot: a chart was written"; fi
printf 'old\n' >"$PL/kept.png"
expect_error plot-gnuplot-fails 1 "survstat plot: gnuplot '/bin/false' failed with exit status 1; no chart written" -- \
  plot "$PL/all.csv" --type bar -o "$PL/kept.png" --gnuplot /bin/false
if [ "$(cat "$PL/kept.png")" = old ] && [ -z "$(ls "$PL" | grep 'kept.png.tmp')" ]; then ok; else bad "plot failing gnuplot: $(ls "$PL")"; fi
printf '#!/bin/sh\ncat >/dev/null\nkill -9 $$\n' >"$PL/killed.sh"
chmod +x "$PL/killed.sh"
expect_error plot-gnuplot-killed 1 "gnuplot '$PL/killed.sh' was killed by signal 9; no chart written" -- \
  plot "$PL/all.csv" --type bar -o "$PL/k.png" --gnuplot "$PL/killed.sh"
printf '#!/bin/sh\ncat >/dev/null\n' >"$PL/silent.sh"
chmod +x "$PL/silent.sh"
expect_error plot-gnuplot-no-chart 1 "gnuplot '$PL/silent.sh' wrote no chart" -- \
  plot "$PL/all.csv" --type bar -o "$PL/s.png" --gnuplot "$PL/silent.sh"
if [ ! -e "$PL/s.png" ] && [ ! -e "$PL/k.png" ]; then ok; else bad "plot: a chart after a failure"; fi

# --- survstat run: chart sections (with order and suppress) and the trend chart
# over all waves (with highlight) ------------------------------------------------
cat >"$PL/run.ini" <<EOF
[run]
data = datasets/apistrat.csv
wave = 2000
out = $PL/runout
[design]
strata = stype
weights = pw
fpc = fpc
[estimate scores]
mean = api00
by = stype
[chart scores_bar]
input = scores
type = bar
width = 600
height = 300
order = label
suppress = yes
[trend scores_change]
input = scores
highlight = E
EOF
if [ "$have_gnuplot" = 1 ]; then
  run run "$PL/run.ini"
  run run "$PL/run.ini" --data datasets/apisrs.csv --wave 2001
  if [ "$status" -eq 0 ] && [ "$(png_size "$PL/runout/2001/scores_bar.png")" = 600x300 ] &&
     [ -s "$PL/runout/2000/scores_bar.png" ] && [ -s "$PL/runout/scores_change.png" ] &&
     grep -qx "$PL/runout/scores_change.png" "$TMP/out"; then ok; else bad "plot run charts: $(cat "$TMP/err" "$TMP/out")"; fi
fi

# --- one case per error message -------------------------------------------------
expect_error plot-no-type 2 "survstat plot: give --type bar, likert, trend, ipa or weights" -- plot "$W8" -o "$PL/x.png"
expect_error plot-bad-type 2 "survstat plot: --type: expected bar, likert, trend, ipa or weights, got 'pie'" -- plot "$W8" --type pie -o "$PL/x.png"
expect_error plot-no-output 2 "survstat plot: give -o OUT.png, .svg or .pdf, or --script OUT.gp" -- plot "$W8" --type bar
expect_error plot-bad-ext 2 "survstat plot: -o: '$PL/x.jpg': the extension must be .png, .svg or .pdf" -- plot "$W8" --type bar -o "$PL/x.jpg"
expect_error plot-stdout 2 "survstat plot: -o: a chart needs a file name (.png, .svg or .pdf)" -- plot "$W8" --type bar -o -
expect_error plot-control-path 2 "survstat plot: -o: the file name holds a control character" -- plot "$W8" --type bar -o "$PL/a
b.png"
expect_error plot-control-script 2 "survstat plot: --script: the file name holds a control character" -- plot "$W8" --type bar --script "$PL/a
b.gp"
expect_error plot-format 2 "survstat plot: --format: a chart's format comes from the -o extension" -- plot "$W8" --type bar -o "$PL/x.png" --format csv
expect_error plot-no-files 2 "survstat plot: give one or more RESULT files" -- plot --type bar -o "$PL/x.png"
expect_error plot-weights-col 2 "survstat plot: --type weights needs --weights COL" -- plot datasets/apistrat.csv --type weights -o "$PL/x.png"
expect_error plot-weights-files 2 "survstat plot: --type weights draws one DATA file, got 2" -- plot datasets/apistrat.csv datasets/apisrs.csv --type weights --weights pw -o "$PL/x.png"
expect_error plot-design-options 2 "survstat plot: design and weighting options go with --type weights; the other charts draw result files" -- plot "$W8" --type bar --weights pw -o "$PL/x.png"
expect_error plot-scale-type 2 "survstat plot: --scale goes with --type likert" -- plot "$W8" --type bar --scale 1:5 -o "$PL/x.png"
expect_error plot-bad-scale 2 "survstat plot: --scale: expected LOW:HIGH such as 1:5 or 5:1, got '1-5'" -- plot "$W8" --type likert --scale 1-5 -o "$PL/x.png"
expect_error plot-bad-width 2 "survstat plot: --width: expected a whole number of pixels from 100 to 10000, got '20'" -- plot "$W8" --type bar --width 20 -o "$PL/x.png"
expect_error plot-bad-height 2 "survstat plot: --height: expected a whole number of pixels from 100 to 10000, got '1.5'" -- plot "$W8" --type bar --height 1.5 -o "$PL/x.png"
expect_error plot-bad-flags 2 "survstat plot: --flags: expected mark or suppress, got 'nchs'" -- plot "$W8" --type bar --flags nchs -o "$PL/x.png"
expect_error plot-unknown-option 2 "survstat plot: option '--colour' is unknown" -- plot "$W8" --type bar --colour red -o "$PL/x.png"
expect_error plot-several-statistics 2 "survstat plot: the rows hold several statistics ('mean', 'prop'): choose one with --statistic" -- plot "$W8" --type bar -o "$PL/x.png"
expect_error plot-no-rows 1 "survstat plot: $W8: no rows to draw with statistic 'mean', variable 'nothing'" -- plot "$W8" --type bar --statistic mean --variable nothing -o "$PL/x.png"
expect_error plot-not-result 1 "survstat plot: datasets/apistrat.csv:1: no column 'statistic': not a result file" -- plot datasets/apistrat.csv --type bar -o "$PL/x.png"
expect_error plot-missing-file 1 "survstat plot: $PL/nofile.csv" -- plot "$PL/nofile.csv" --type bar -o "$PL/x.png"
grep -v '^2008,prop' "$W8" | sed 's/^2008,//; s/^wave,//' >"$PL/nowave.csv"
expect_error plot-trend-no-wave 1 "survstat plot: $PL/nowave.csv: a row of 'api00' has no wave: a trend chart needs the wave column (estimate --wave LABEL)" -- plot "$PL/nowave.csv" --type trend -o "$PL/x.png"
sed 's/^wave,/wave,/' "$W8" >"$PL/w8copy.csv"
expect_error plot-trend-twice 1 "survstat plot: wave '2008' holds 'mean api00 stype=E' twice (two files of one wave?)" -- plot "$W8" "$PL/w8copy.csv" --type trend --statistic mean -o "$PL/x.png"
# Levels that are texts (labels) are the scale in their order in the file.
run plot "$W8" --type likert --script -
if [ "$status" -eq 0 ] && grep -q "white' title 'No'" "$TMP/out"; then ok; else bad "plot likert-text-levels: $(cat "$TMP/err")"; fi
expect_error plot-likert-off-scale 1 "survstat plot: $PL/likert.csv: level '5' of 'waiting' is not a code on the scale 1:4" -- plot "$PL/likert.csv" --type likert --scale 1:4 -o "$PL/x.png"
expect_error plot-likert-scale-size 2 "the scale 1:50 must have 2 to 21 whole-number codes" -- plot "$PL/likert.csv" --type likert --scale 1:50 -o "$PL/x.png"
expect_error plot-likert-not-prop 1 "survstat plot: $W8: a likert chart draws prop rows (estimate --prop), not 'mean' of 'api00'" -- plot "$W8" --type likert --statistic mean -o "$PL/x.png"
expect_error plot-ipa-not-drivers 1 "survstat plot: $W8: no rows to draw" -- plot "$W8" --type ipa -o "$PL/x.png"
grep -v '^,performance' "$PL/drivers.csv" >"$PL/noperf.csv"
expect_error plot-ipa-no-pairs 1 "survstat plot: $PL/noperf.csv: no item with both an importance and a performance row: --type ipa draws the result of survstat drivers" -- plot "$PL/noperf.csv" --type ipa -o "$PL/x.png"
printf 'id,pw\n1,2\n2,-1\n' >"$PL/negw.csv"
expect_error plot-negative-weight 1 "survstat plot: $PL/negw.csv:3" -- plot "$PL/negw.csv" --type weights --weights pw -o "$PL/x.png"
expect_error plot-cannot-write 1 "survstat plot: $PL/nodir/x.png: cannot write: No such file or directory" -- plot "$W8" --type bar --statistic mean -o "$PL/nodir/x.png"
if [ ! -e "$PL/x.png" ] && [ -z "$(ls "$PL" | grep '\.tmp\.')" ]; then ok; else bad "plot errors wrote a chart: $(ls "$PL")"; fi
