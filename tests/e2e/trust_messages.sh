# Issue 18 (trust), the messages part: trend in the order given, result
# files that combine and trend refuse, options given twice, labels with
# control characters in text and md, the bootstrap seed note, and the
# messages of item 17.  Each case fails on the survstat before the issue.
# Sourced by tests/run_tests.sh.

TM=$TMP/trust_messages
mkdir -p "$TM"
TW=tests/data
A=tests/data/sample_a.csv
B=tests/data/sample_b.csv

# ---- trend: the waves in the order given, not sorted by label ----
# Given 2009 then 2008, the change is 2008 minus 2009 (the reference's
# 2009-minus-2008 rows with the sign turned; se, df and p are the same).
run trend "$TW/wave_2009.csv" "$TW/wave_2008.csv" --format csv
if [ "$status" -eq 0 ] && python3 - "$TMP/out" tests/ref/trend_2008_2009.expected.csv <<'PY'; then ok; else bad "trend order given: $(cat "$TMP/err")"; fi
import csv, sys
got = list(csv.DictReader(open(sys.argv[1])))
ref = {(r["statistic"], r["variable"], r["level"], r["domain"]): r for r in csv.DictReader(open(sys.argv[2]))}
assert got and len(got) == len(ref), (len(got), len(ref))
for r in got:
    w = ref[(r["statistic"], r["variable"], r["level"], r["domain"])]
    assert (r["wave_from"], r["wave_to"], r["wave"]) == ("2009", "2008", "2008"), r
    if not w["estimate"]:
        continue
    for col, sign in (("estimate", -1), ("t", -1), ("se", 1), ("df", 1), ("p_value", 1)):
        g, want = float(r[col]), sign * float(w[col])
        assert abs(g - want) <= 1e-12 * max(1, abs(want)), (col, g, want)
PY
# Labels that sort otherwise: spring before autumn, as given.
sed 's/^2008,/spring,/' "$TW/wave_2008.csv" >"$TM/spring.csv"
sed 's/^2009,/autumn,/' "$TW/wave_2009.csv" >"$TM/autumn.csv"
run trend "$TM/spring.csv" "$TM/autumn.csv" --format csv
if [ "$status" -eq 0 ] && [ "$(cut -d, -f16,17 "$TMP/out" | sort -u | grep -v wave_from)" = "spring,autumn" ]; then ok; else
  bad "trend spring-autumn: $(head -3 "$TMP/out") $(cat "$TMP/err")"; fi
# A run's trend takes the waves in the order they were run: 2001 first,
# then 2000 (sorted by label the change would be 2001 minus 2000).
RO=$TM/runorder
run run tests/data/api.ini --out "$RO" --data datasets/apisrs.csv --wave 2001
run run tests/data/api.ini --out "$RO" --data datasets/apistrat.csv --wave 2000
if [ "$status" -eq 0 ] && grep -q '^2000,mean,api00,,stype=E,.*,2001,2000,' "$RO/scores_change.csv" &&
   ! grep -q ',2000,2001,' "$RO/scores_change.csv"; then ok; else
  bad "run trend order: $(cat "$TMP/err"; head -3 "$RO/scores_change.csv")"; fi
# A rerun of the first wave keeps its place.
run run tests/data/api.ini --out "$RO" --data datasets/apisrs.csv --wave 2001
if [ "$status" -eq 0 ] && grep -q ',2001,2000,' "$RO/scores_change.csv"; then ok; else
  bad "run trend order after a rerun: $(cat "$TMP/err")"; fi

# ---- result files that combine and trend refuse ----
H=$(head -1 "$TW/wave_2008.csv")
cp "$TW/wave_2008.csv" "$TM/negse.csv"
sed -n 2p "$TW/wave_2008.csv" | awk -F, 'BEGIN{OFS=","} {$2="total"; $7="-1"; print}' >>"$TM/negse.csv"
expect_error trend-negative-se 1 "$TM/negse.csv:$(wc -l <"$TM/negse.csv"): column 'se': negative value '-1'" -- \
  trend "$TM/negse.csv" "$TW/wave_2009.csv"
expect_error combine-negative-se 1 "$TM/negse.csv:$(wc -l <"$TM/negse.csv"): column 'se': negative value '-1'" -- \
  combine "$TM/negse.csv" "$TW/wave_2009.csv"
awk -F, 'BEGIN{OFS=","} NR==3{$10="-4"} {print}' "$TW/wave_2009.csv" >"$TM/negdf.csv"
expect_error trend-negative-df 1 "$TM/negdf.csv:3: column 'df': negative value '-4'" -- \
  trend "$TW/wave_2008.csv" "$TM/negdf.csv"
awk -F, 'BEGIN{OFS=","} NR==2{$10="0"} {print}' "$A" >"$TM/zerodf.csv"
expect_error combine-zero-df 1 "$TM/zerodf.csv:2: column 'df': '0' degrees of freedom" -- \
  combine "$TM/zerodf.csv" "$B"
# The same estimate twice in one file.
{ cat "$TW/wave_2008.csv"; sed -n 3p "$TW/wave_2008.csv"; } >"$TM/dup.csv"
n=$(wc -l <"$TM/dup.csv")
expect_error trend-duplicate 1 "$TM/dup.csv:$n: the same estimate as line 3 (wave '2008', mean 'api00' level '' domain 'stype=H')" -- \
  trend "$TM/dup.csv" "$TW/wave_2009.csv"
expect_error combine-duplicate 1 "$TM/dup.csv:$n: the same estimate as line 3" -- \
  combine "$TW/wave_2009.csv" "$TM/dup.csv"
# combine matches without the wave: one estimate of two waves in one file.
{ cat "$A"; sed -n 2p "$A" | sed 's/^[^,]*,/other,/'; } >"$TM/twowaves.csv"
expect_error combine-two-waves 1 "$TM/twowaves.csv:$(wc -l <"$TM/twowaves.csv"): the same estimate as line 2" -- \
  combine "$A" "$TM/twowaves.csv"
# Weights of 0 (the composite would be 0/0: empty rows).
expect_error combine-zero-weight 2 "--weights: expected weights > 0, got '0'" -- combine "$A" "$B" --weights 0,0
# An empty SE, or an SE of 0 under inverse-variance weights: that row is
# left empty with a flag saying why, the others are combined, and a
# warning names the first such row.
awk -F, 'BEGIN{OFS=","} NR==2{$7=""} {print}' "$A" >"$TM/nose.csv"
awk -F, 'BEGIN{OFS=","} NR==2{$7="0"} {print}' "$A" >"$TM/zerose.csv"
run combine "$TM/nose.csv" "$B" --format csv
if [ "$status" -eq 0 ] && [ "$(cat "$TMP/err")" = "survstat combine: warning: 1 row has no composite (see the flag); the first: $TM/nose.csv:2: column 'se': empty" ] &&
   [ "$(sed -n 2p "$TMP/out")" = "combined,$(sed -n 2p "$A" | cut -d, -f2-5),,,,,,,,,,no se in $TM/nose.csv,0.94999999999999996" ] &&
   [ "$(wc -l <"$TMP/out")" -eq "$(wc -l <"$A")" ]; then ok; else bad "combine empty se: $(cat "$TMP/err"; head -3 "$TMP/out")"; fi
run combine "$B" "$TM/zerose.csv" --format csv
if [ "$status" -eq 0 ] && [ "$(cat "$TMP/err")" = "survstat combine: warning: 1 row has no composite (see the flag); the first: $TM/zerose.csv:2: column 'se': 0 (inverse-variance weights need SEs above 0; give --weights)" ] &&
   grep -q ",se 0 in $TM/zerose.csv,0.94999999999999996\$" "$TMP/out"; then ok; else bad "combine se 0: $(cat "$TMP/err"; head -3 "$TMP/out")"; fi
# ... which --weights combines.
run combine "$TM/zerose.csv" "$B" --weights 1,1 --format csv
if [ "$status" -eq 0 ] && [ "$(wc -l <"$TMP/out")" -eq "$(wc -l <"$A")" ] && [ ! -s "$TMP/err" ] &&
   ! grep -q ',,,,,,,,,,' "$TMP/out"; then ok; else bad "combine se 0 with --weights: $(cat "$TMP/err")"; fi
# SEs so small that 1/se^2 overflows: the same shares, by hand: weights
# 1 : 1/4, so 0.8*1 + 0.2*3 = 1.4, se = sqrt(0.64 + 0.2^2*4) 1e-200,
# df = 0.8^2 / ((0.64^2 + 0.16^2)/10).
printf 'wave,statistic,variable,level,domain,estimate,se,df,n\n,mean,x,,,1,1e-200,10,5\n' >"$TM/tiny1.csv"
printf 'wave,statistic,variable,level,domain,estimate,se,df,n\n,mean,x,,,3,2e-200,10,5\n' >"$TM/tiny2.csv"
run combine "$TM/tiny1.csv" "$TM/tiny2.csv" --format csv
if [ "$status" -eq 0 ] && python3 - "$TMP/out" <<'PY'; then ok; else bad "combine tiny SEs: $(cat "$TMP/out" "$TMP/err")"; fi
import csv, math, sys
r = next(csv.DictReader(open(sys.argv[1])))
want = {"estimate": 1.4, "se": math.sqrt(0.8) * 1e-200, "df": 0.64 / ((0.64**2 + 0.16**2) / 10)}
for k, v in want.items():
    assert abs(float(r[k]) - v) <= 1e-13 * v, (k, r[k], v)
PY
# trend: an empty estimate or SE in a wave is flagged, the rest computed.
awk -F, 'BEGIN{OFS=","} NR==2{$7=""} NR==3{$6=""} {print}' "$TW/wave_2008.csv" >"$TM/gap.csv"
run trend "$TM/gap.csv" "$TW/wave_2009.csv" --format csv
if [ "$status" -eq 0 ] && python3 - "$TMP/out" <<'PY'; then ok; else bad "trend gaps: $(head -4 "$TMP/out")"; fi
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
by = {r["domain"]: r for r in rows if r["statistic"] == "mean" and r["variable"] == "api00" and not r["level"]}
e, h, m = by["stype=E"], by["stype=H"], by["stype=M"]
assert e["flag"] == "no se in 2008" and e["estimate"] and not e["se"] and not e["p_value"], e
assert h["flag"] == "no estimate in 2008" and not h["estimate"] and not h["t"], h
assert m["flag"] == "" and m["p_value"], m
PY

# ---- options that take one value, given twice ----
expect_error twice-level 2 "--level given twice with different values '0.9' and '0.95': give it once" -- \
  estimate datasets/apisrs.csv --mean api00 --level 0.9 --level 0.95
expect_error twice-combine-weights 2 "--weights given twice with different values '1,2' and '2,1'" -- \
  combine "$A" "$B" --weights 1,2 --weights 2,1
expect_error twice-design-weights 2 "--weights given twice with different values 'pw' and 'api00'" -- \
  estimate datasets/apistrat.csv --weights pw --weights api00 --mean api99
expect_error twice-output 2 "--output given twice with different values '$TM/a.txt' and '$TM/b.txt'" -- \
  estimate datasets/apisrs.csv --mean api00 -o "$TM/a.txt" --output "$TM/b.txt"
expect_error twice-trend-base 2 "--base given twice with different values '2008' and '2009'" -- \
  trend "$TW/wave_2008.csv" "$TW/wave_2009.csv" --base 2008 --base 2009
expect_error twice-plot-type 2 "--type given twice with different values 'bar' and 'trend'" -- \
  plot "$A" --type bar --type trend --script -
# The same value twice is fine, and the repeatable options add up.
run estimate datasets/apistrat.csv --weights pw --weights pw --level 0.9 --level 0.9 \
  --mean api00 --mean api99 --na 9 --na 99 --prop stype --format csv
if [ "$status" -eq 0 ] && [ "$(grep -c ',mean,' "$TMP/out")" -eq 2 ] &&
   [ "$(grep -c ',prop,stype,' "$TMP/out")" -eq 3 ]; then ok; else bad "repeated options: $(cat "$TMP/err")"; fi

# ---- a newline, CR or tab in a label: escaped in text and md ----
printf 'g,y\n"a\nb",1\n"a\nb",2\n"c|d\te",3\n"c|d\te",5\n"f\rg",1\n"f\rg",4\n' >"$TM/nl.csv"
run estimate "$TM/nl.csv" --mean y --by g
# (the table without its footnote, the confidence level)
sed -i '/^Confidence level: 95%\.$/d' "$TMP/out"
if [ "$status" -eq 0 ] && [ "$(wc -l <"$TMP/out")" -eq 5 ] && grep -qF 'g=a\nb ' "$TMP/out" &&
   grep -qF 'g=c|d\te ' "$TMP/out" && grep -qF 'g=f\rg ' "$TMP/out" &&
   [ "$(sed 2d "$TMP/out" | grep -oE '^([^ ]+ +){3}[^ ]+' | awk '{print length($0)}' | sort -u)" = 39 ]; then ok; else
  bad "text label escapes: $(cat -A "$TMP/out")"; fi
run estimate "$TM/nl.csv" --mean y --by g --format md
sed -i '/^$/d; /^Confidence level: 95%\.$/d' "$TMP/out"
if [ "$status" -eq 0 ] && [ "$(wc -l <"$TMP/out")" -eq 5 ] && grep -qF '| g=c\|d\te ' "$TMP/out" &&
   [ "$(awk -F'[^\\\\]\\|' '{print NF}' "$TMP/out" | sort -u)" = "12" ]; then ok; else
  bad "md label escapes: $(cat -A "$TMP/out")"; fi
# csv keeps the label as it is, quoted.
run estimate "$TM/nl.csv" --mean y --by g --format csv
if [ "$status" -eq 0 ] && python3 -c '
import csv, sys
d = sorted(r["domain"] for r in csv.DictReader(open(sys.argv[1], newline="")))
sys.exit(d != ["g=a\nb", "g=c|d\te", "g=f\rg"])' "$TMP/out"; then ok; else bad "csv label: $(cat -A "$TMP/out")"; fi

# ---- bootstrap without --seed says the seed it used ----
run estimate datasets/apiclus1.csv --ids dnum --weights pw --fpc fpc --mean api00 --replicate bootstrap:50 --format csv
seed=$(sed -n 's/^survstat estimate: bootstrap seed \([0-9]*\) (give --seed \1 to repeat)$/\1/p' "$TMP/err")
cp "$TMP/out" "$TM/boot1.csv"
if [ "$status" -eq 0 ] && [ -n "$seed" ] && [ "$(wc -l <"$TMP/err")" -eq 1 ]; then ok; else bad "bootstrap seed note: $(cat "$TMP/err")"; fi
# ... and that seed repeats the run exactly (and --seed says nothing).
run estimate datasets/apiclus1.csv --ids dnum --weights pw --fpc fpc --mean api00 --replicate bootstrap:50 --seed "${seed:-1}" --format csv
if [ "$status" -eq 0 ] && [ -n "$seed" ] && cmp -s "$TMP/out" "$TM/boot1.csv" && [ ! -s "$TMP/err" ]; then ok; else
  bad "bootstrap seed repeats: $(cat "$TMP/err"; diff "$TMP/out" "$TM/boot1.csv")"; fi

# ---- item 17: messages that misled ----
# UTF-16 read as UTF-8: said so, with the --encoding to give.
printf 'w,y\n1,2\n2,3\n3,5\n' | iconv -f UTF-8 -t UTF-16LE >"$TM/u16le.csv"
printf 'w,y\n1,2\n2,3\n3,5\n' | iconv -f UTF-8 -t UTF-16BE >"$TM/u16be.csv"
{ printf '\377\376'; cat "$TM/u16le.csv"; } >"$TM/u16bom.csv"
expect_error utf16-le 1 "u16le.csv: the file looks like UTF-16LE text (NUL bytes between its characters): give --encoding UTF-16LE, or save it as UTF-8" -- \
  estimate "$TM/u16le.csv" --weights w --mean y
expect_error utf16-be 1 "u16be.csv: the file looks like UTF-16BE text (NUL bytes between its characters): give --encoding UTF-16BE" -- \
  estimate "$TM/u16be.csv" --weights w --mean y
expect_error utf16-bom 1 "u16bom.csv: the file looks like UTF-16LE text (it starts with a UTF-16 byte-order mark): give --encoding UTF-16LE" -- \
  estimate "$TM/u16bom.csv" --weights w --mean y
expect_error utf16-stdin 1 "the file looks like UTF-16LE text" -- estimate - --weights w --mean y <"$TM/u16le.csv"
expect_error utf16-wrong-order 1 "u16be.csv: --encoding UTF-16LE: the file looks like UTF-16BE text (the places of its NUL bytes): give --encoding UTF-16BE" -- \
  estimate "$TM/u16be.csv" --weights w --mean y --encoding UTF-16LE
# ... and --encoding UTF-16 (either order, with or without the mark),
# UTF-16LE and UTF-16BE then read it: the mean of 2,3,5 weighted 1,2,3 (23/6).
for f_e in u16le:UTF-16 u16be:UTF-16 u16bom:UTF-16 u16le:UTF-16LE u16bom:UTF-16LE u16be:UTF-16BE; do
  run estimate "$TM/${f_e%%:*}.csv" --weights w --mean y --encoding "${f_e#*:}" --format csv
  if [ "$status" -eq 0 ] && grep -q '^,mean,y,,,3.8333333333333' "$TMP/out"; then ok; else bad "utf16 read $f_e: $(cat "$TMP/err")"; fi
done
expect_error encoding-empty 2 "--encoding: the encoding is empty: name one, as UTF-16LE or gb18030" -- \
  estimate datasets/apisrs.csv --mean api00 --encoding ''
expect_error repweights-empty 2 "--repweights: the pattern is empty: give a regular expression that matches the replicate weight columns" -- \
  estimate datasets/apisrs.csv --mean api00 --repweights '' --rep-type jk1
expect_error bootstrap-max 2 "--replicate: bootstrap needs a whole number of replicates from 2 to 1000000, got 'bootstrap:100000000'" -- \
  estimate datasets/apisrs.csv --mean api00 --replicate bootstrap:100000000
# Out of memory names the size that made it (not under ASan, which
# reserves far more address space than the limit).
if [ "${SURVSTAT_ASAN:-}" != 1 ]; then
  (ulimit -v 1000000; "$BIN" estimate datasets/apisrs.csv --mean api00 --replicate bootstrap:1000000 --seed 1 \
    >"$TMP/out" 2>"$TMP/err"); st=$?
  if [ "$st" -eq 1 ] && [ "$(cat "$TMP/err")" = "survstat estimate: out of memory for 1,000,000 replicates x 200 PSUs (1.6 GB)" ] &&
     [ ! -s "$TMP/out" ]; then ok; else bad "out of memory size: exit $st: $(cat "$TMP/err")"; fi
fi
# A margin total too large to weight with: named, not "off by nan".
printf 'g,w,y\na,1,1\na,2,2\nb,1,3\nb,3,4\n' >"$TM/rk.csv"
printf 'variable,level,total\ng,a,1e308\ng,b,1e308\n' >"$TM/rk_margins.csv"
printf 'g,total\na,1e200\nb,5\n' >"$TM/rk_cells.csv"
for how in --rake --calibrate; do
  expect_error "total-overflow$how" 1 "rk_margins.csv:2: column 'total': 1e+308 is too large to weight with (above 1e+150, where the sums overflow double precision): rescale the totals" -- \
    estimate "$TM/rk.csv" --weights w "$how" "$TM/rk_margins.csv" --mean y
done
expect_error total-overflow-poststrat 1 "rk_cells.csv:2: column 'total': 1e+200 is too large to weight with" -- \
  estimate "$TM/rk.csv" --weights w --poststrat "$TM/rk_cells.csv" --mean y
# A file whose size says 0 but that has content (/proc) is read: the tab
# lines of /proc/self/status have 2 and 5 fields.
run describe /proc/self/status -d tab
if [ "$status" -eq 1 ] && grep -qE '^survstat describe: /proc/self/status:[0-9]+: expected 2 fields, found [0-9]+$' "$TMP/err"; then ok; else
  bad "describe /proc/self/status: $(cat "$TMP/err")"; fi

# Waves written before DIR/.waves existed keep their place (oldest first)
# when a new wave is run and when one of them is rerun.
WO="$TMP/legacy_waves"
rm -rf "$WO"
"$BIN" run tests/data/api.ini --out "$WO" --wave A >/dev/null 2>&1
sleep 0.05
"$BIN" run tests/data/api.ini --out "$WO" --wave B >/dev/null 2>&1
rm -f "$WO/.waves"
"$BIN" run tests/data/api.ini --out "$WO" --wave C >/dev/null 2>&1
run run tests/data/api.ini --out "$WO" --wave A
if [ "$status" -eq 0 ] && [ "$(tr '\n' ' ' <"$WO/.waves")" = "A B C " ] &&
   [ "$(cut -d, -f16,17 "$WO/scores_change.csv" | sed 1d | sort -u | tr '\n' ' ')" = "A,B B,C " ]; then
  ok
else
  bad "run legacy wave order: $status $(cat "$TMP/err"; cat "$WO/.waves")"
fi
