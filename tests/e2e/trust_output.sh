# Issue 18 items 8, 9 and 15 (the output helper's part): warnings for
# requests that are legal but probably not meant, numeric category codes
# equal as numbers, text/md rounding for people, and the cost of --prop
# over many levels.  Sourced by tests/run_tests.sh (run, ok, bad).

T=$TMP/trust_output
mkdir -p "$T"

# expect_warning NAME 'MESSAGE' -- ARGS...: exit 0, exactly one line on
# stderr, the warning containing MESSAGE, and output on stdout.
expect_warning() {
  local name=$1 msg=$2
  shift 3
  run "$@"
  local lines
  lines=$(wc -l <"$TMP/err")
  if [ "$status" -ne 0 ]; then
    bad "warning $name: exit $status: $(cat "$TMP/err")"
  elif ! grep -qF -- "survstat estimate: warning: $msg" "$TMP/err"; then
    bad "warning $name: stderr '$(cat "$TMP/err")' lacks '$msg'"
  elif [ "$lines" -ne 1 ]; then
    bad "warning $name: $lines lines on stderr: $(cat "$TMP/err")"
  elif [ ! -s "$TMP/out" ]; then
    bad "warning $name: nothing on stdout"
  else
    ok
  fi
}

# expect_quiet NAME -- ARGS...: exit 0 and nothing on stderr.
expect_quiet() {
  local name=$1
  shift 2
  run "$@"
  if [ "$status" -ne 0 ] || [ -s "$TMP/err" ]; then
    bad "quiet $name: exit $status, stderr '$(cat "$TMP/err")'"
  else
    ok
  fi
}

# --- item 8: warnings ---------------------------------------------------
printf 's,p,w,q,r,g\n1,1,2,1,a,x\n1,2,2,2,,x\n2,3,2,3,b,\n2,4,2,2,b,y\n2,4,2,,,y\n' >"$T/w.csv"
expect_warning strata-ids-no-weights "$T/w.csv: --strata and --ids without --weights: every row weighs 1" -- \
  estimate "$T/w.csv" --strata s --ids p --mean q
expect_warning strata-no-weights "$T/w.csv: --strata without --weights" -- \
  estimate "$T/w.csv" --strata s --mean q
expect_warning ids-no-weights "$T/w.csv: --ids without --weights" -- estimate "$T/w.csv" --ids p --mean q
expect_quiet strata-with-weights -- estimate "$T/w.csv" --strata s --ids p --weights w --mean q
expect_warning t2b-no-top "$T/w.csv: no answer of 'q' is in the top two codes 4,5 of --scale 1:5: check the scale?" -- \
  estimate "$T/w.csv" --weights w --t2b q --scale 1:5
expect_warning b2b-no-bottom "$T/w.csv: no answer of 'q' is in the bottom two codes 4,5 of --scale 5:1: check the scale?" -- \
  estimate "$T/w.csv" --weights w --b2b q --scale 5:1
expect_quiet t2b-top-used -- estimate "$T/w.csv" --weights w --t2b q --scale 5:1
expect_quiet b2b-bottom-used -- estimate "$T/w.csv" --weights w --b2b q --scale 1:5
awk 'BEGIN { print "w,x,k"; for (i = 1; i <= 60; i++) print 1 "," i "," i % 51 }' >"$T/many.csv"
expect_warning prop-many-numeric "$T/many.csv: --prop 'x' has 60 distinct numeric values, one proportion each: did you mean --mean?" -- \
  estimate "$T/many.csv" --weights w --prop x
run estimate "$T/many.csv" --weights w --prop k
if [ "$status" -eq 0 ] && grep -qF "'k' has 51 distinct" "$TMP/err"; then ok; else bad "warning prop-51: $(cat "$TMP/err")"; fi
awk 'BEGIN { print "w,x"; for (i = 1; i <= 50; i++) print 1 "," i }' >"$T/fifty.csv"
expect_quiet prop-50-numeric -- estimate "$T/fifty.csv" --weights w --prop x
awk 'BEGIN { print "w,x"; for (i = 1; i <= 60; i++) print 1 ",a" i }' >"$T/text60.csv"
expect_quiet prop-60-text -- estimate "$T/text60.csv" --weights w --prop x
expect_warning by-missing "$T/w.csv: 2 of 5 rows are left out of the --by domains, their --by value missing: 'r' (2 rows)" -- \
  estimate "$T/w.csv" --weights w --mean q --by r
expect_warning by-missing-two "$T/w.csv: 3 of 5 rows are left out of the --by domains, their --by value missing: 'r' (2 rows), 'g' (1 rows)" -- \
  estimate "$T/w.csv" --weights w --mean q --by r,g
expect_quiet by-complete -- estimate "$T/w.csv" --weights w --mean q --by s

# --- item 8: numeric codes equal as numbers are one level -----------------
# In a column of numbers (as R reads it: numeric), 9, 09, 9.0, +9 and 9e0
# are one level, shown in its canonical form (9), whatever the order of the
# rows; --na 9 matches them all.  A column with any text keeps its codes as
# written (R: a character column).
printf 'w,y\n1,9\n1,09\n1,9.0\n1,1\n1,2\n1,+1\n1,1e0\n1,-0\n1,0.0\n' >"$T/codes.csv"
run estimate "$T/codes.csv" --weights w --prop y --format csv
if [ "$status" -eq 0 ] && [ "$(cut -d, -f4,6 "$TMP/out" | tr '\n' ' ')" = "level,estimate 0,0.22222222222222221 1,0.33333333333333331 2,0.1111111111111111 9,0.33333333333333331 " ]; then
  ok
else
  bad "codes equal as numbers: $(cat "$TMP/out" "$TMP/err")"
fi
run estimate "$T/codes.csv" --weights w --prop y --na 9 --format csv
if [ "$status" -eq 0 ] && [ "$(cut -d, -f4,6,12 "$TMP/out" | tr '\n' ' ')" = "level,estimate,n 0,0.33333333333333331,6 1,0.5,6 2,0.16666666666666666,6 " ]; then
  ok
else
  bad "codes --na 9 matches 09 and 9.0: $(cat "$TMP/out" "$TMP/err")"
fi
# Integers are written in plain digits (1e15 = 1000000000000000, as R);
# past 2^53 a double cannot tell integers apart, so such codes are kept as
# written, never merged into another id (9007199254740993.0 is not ...992).
printf 'w,y\n1,1e15\n1,1000000000000000\n1,9007199254740993.0\n1,9007199254740992\n1,1.50\n1,1.5\n' >"$T/bigcodes.csv"
run estimate "$T/bigcodes.csv" --weights w --prop y --format csv
if [ "$status" -eq 0 ] && [ "$(cut -d, -f4 "$TMP/out" | tr '\n' ' ')" = "level 1.5 1000000000000000 9007199254740992 9007199254740993.0 " ]; then
  ok
else
  bad "codes large integers: $(cat "$TMP/out" "$TMP/err")"
fi
printf 'w,g,y\n1,01,1\n1,1.0,2\n1,02,3\n1,2,5\n' >"$T/bycodes.csv"
run estimate "$T/bycodes.csv" --weights w --mean y --by g --format csv
if [ "$status" -eq 0 ] && [ "$(cut -d, -f5,6 "$TMP/out" | tr '\n' ' ')" = "domain,estimate g=1,1.5 g=2,4 " ]; then
  ok
else
  bad "codes --by 01 = 1.0: $(cat "$TMP/out" "$TMP/err")"
fi
printf 'w,y\n1,01\n1,1\n1,a\n' >"$T/textcodes.csv"
run estimate "$T/textcodes.csv" --weights w --prop y --format csv
if [ "$status" -eq 0 ] && [ "$(cut -d, -f4 "$TMP/out" | tr '\n' ' ')" = "level 01 1 a " ]; then
  ok
else
  bad "codes text column kept as written: $(cat "$TMP/out" "$TMP/err")"
fi
# 1.1 and 1.10 are one PSU, as R reads them (a number); 1.1 and 1.01 are two.
printf 'p,w,y\n1.1,1,1\n1.10,1,2\n1.01,1,3\n2,1,4\n' >"$T/ids.csv"
run describe "$T/ids.csv" --ids p --weights w
if [ "$status" -eq 0 ] && grep -qE '^psus +3$' "$TMP/out"; then ok; else bad "codes ids 1.1 = 1.10: $(cat "$TMP/out" "$TMP/err")"; fi
# Margins and post-strata written 1 and 2 match the data's 01, 1.0 and 02:
# g=1 weighs 30 (rows 1, 2: 10 and 20), g=2 70 (17.5, 52.5), total 365.
printf 'w,g,y\n1,01,1\n2,1.0,2\n1,02,3\n3,2,5\n' >"$T/wcodes.csv"
printf 'variable,level,total\ng,1,30\ng,2,70\n' >"$T/gmargin.csv"
printf 'g,total\n1,30\n2,70\n' >"$T/gcells.csv"
run estimate "$T/wcodes.csv" --weights w --rake "$T/gmargin.csv" --total y --format csv
if [ "$status" -eq 0 ] && [ "$(awk -F, 'NR == 2 { printf "%.6f", $6 }' "$TMP/out")" = "365.000000" ]; then ok; else bad "codes rake margins: $(cat "$TMP/out" "$TMP/err")"; fi
run estimate "$T/wcodes.csv" --weights w --poststrat "$T/gcells.csv" --total y --format csv
if [ "$status" -eq 0 ] && [ "$(awk -F, 'NR == 2 { printf "%.6f", $6 }' "$TMP/out")" = "365.000000" ]; then ok; else bad "codes poststrat cells: $(cat "$TMP/out" "$TMP/err")"; fi

# --- item 9: text and md round for people; csv and json keep 17 digits ----
# apiclus1's weights are all 33.846996307373: their sum of squares leaves
# Kish's n at 183.00000000000085 in 17 digits; a person reads 183.
run describe datasets/apiclus1.csv --ids dnum --weights pw --fpc fpc
if [ "$status" -eq 0 ] && grep -qE '^kish effective n +183$' "$TMP/out" &&
   grep -qE '^kish design effect +1$' "$TMP/out" && grep -qE '^weight sum +6194$' "$TMP/out"; then
  ok
else
  bad "round describe text: $(cat "$TMP/out" "$TMP/err")"
fi
run describe datasets/apiclus1.csv --ids dnum --weights pw --fpc fpc --format csv
if [ "$status" -eq 0 ] && grep -qx 'kish effective n,183.00000000000085' "$TMP/out"; then
  ok
else
  bad "round describe csv keeps 17 digits: $(cat "$TMP/out" "$TMP/err")"
fi
run describe datasets/apiclus1.csv --ids dnum --weights pw --fpc fpc --format json
if [ "$status" -eq 0 ] && grep -qF '"kish effective n", "value": "183.00000000000085"' "$TMP/out"; then
  ok
else
  bad "round describe json keeps 17 digits: $(cat "$TMP/out" "$TMP/err")"
fi
# Alameda's 11 schools are one PSU with api00 669 each: SE 0 exactly, but
# 1.26e-15 in floating point; text and md show 0, csv the value computed.
for fmt in text md; do
  run estimate datasets/apiclus1.csv --ids dnum --weights pw --fpc fpc --mean api00 --by cname --format $fmt
  line=$(grep 'cname=Alameda' "$TMP/out" | tr -d '|' | tr -s ' ' | sed 's/^ //; s/ $//')
  if [ "$status" -eq 0 ] && [ "$line" = "mean api00 cname=Alameda 669 0 669 669 14 11 11 0" ]; then
    ok
  else
    bad "round se 0 in $fmt: '$line' $(cat "$TMP/err")"
  fi
done
run estimate datasets/apiclus1.csv --ids dnum --weights pw --fpc fpc --mean api00 --by cname --format csv
se=$(grep 'cname=Alameda' "$TMP/out" | cut -d, -f7)
if [ "$status" -eq 0 ] && python3 -c "import sys; x = float(sys.argv[1]); sys.exit(not (0 < x < 1e-12))" "$se"; then
  ok
else
  bad "round se csv keeps the value computed: '$se'"
fi
# A small SE that is not noise stays: 1e-9 of the estimate.
printf 'w,y\n1,1000000\n1,1000000.002\n' >"$T/small.csv"
run estimate "$T/small.csv" --weights w --mean y
if [ "$status" -eq 0 ] && grep -qE '^mean +y +1000000 +0\.001 ' "$TMP/out"; then ok; else bad "round small se kept: $(cat "$TMP/out")"; fi
# weight's diagnostics in 7 digits.
run weight datasets/apiclus1.csv --ids dnum --weights pw --fpc fpc --rake tests/ref/margins/rake_stype_schwide.csv --weight-name rakew
if [ "$status" -eq 0 ] && grep -qE '^  stype=H +755 +473\.8579 +755$' "$TMP/err" &&
   grep -qF 'weights: sum 6194, min 29.87068, max 67.12553' "$TMP/err"; then
  ok
else
  bad "round weight diagnostics: $(cat "$TMP/err")"
fi

# --- item 15: --prop over many levels ---------------------------------------
# The streamed proportions take only the variances of their levels (not
# their covariances: p per unit instead of p * p); they stay those of the
# per-row path (--compare keeps every row's scores) to the bit, with one
# stage or two, single-row PSUs or clusters.  Speed is measured, not tested
# (README "Speed").
awk 'BEGIN { srand(11); print "h,p,w,lev";
  for (i = 1; i <= 3000; i++) { h = int(rand() * 5) + 1
    printf "%d,%d,%.2f,%d\n", h, h * 100 + int(rand() * 8), 1 + rand() * 5, int(rand() * 40) } }' >"$T/lev.csv"
for design in "--weights w" "--strata h --ids p --weights w" "--ids h,p --weights w"; do
  # shellcheck disable=SC2086
  run estimate "$T/lev.csv" $design --prop lev --by h --format csv
  cut -d, -f1-15 "$TMP/out" >"$TMP/streamed"  # the contract's columns (conf_level follows)
  # shellcheck disable=SC2086
  run estimate "$T/lev.csv" $design --prop lev --by h --compare --format csv
  cut -d, -f1-15 "$TMP/out" | grep -v ' - ' >"$TMP/perrow"
  if [ "$status" -eq 0 ] && [ "$(wc -l <"$TMP/streamed")" -eq 201 ] && cmp -s "$TMP/streamed" "$TMP/perrow"; then ok; else
    bad "prop levels streamed = per row ($design): $(diff "$TMP/streamed" "$TMP/perrow" | head -4) $(head -c 300 "$TMP/err")"; fi
done

# --- item 15: weight's memory ------------------------------------------------
# weight keeps every row's cells in one block (about the file's size) and
# writes its output straight from it: 500,000 rows (20 MB) fit in 300 MB of
# address space, where copying each cell took over 400 MB (not under ASan,
# whose shadow memory a limit on address space cannot hold).
if [ "${SURVSTAT_ASAN:-}" != 1 ]; then
  awk 'BEGIN { srand(3); print "id,region,stratum,psu,w,sex,age,q1,q2,income"
    for (i = 1; i <= 500000; i++) { h = int(rand() * 10) + 1
      printf "%d,r%d,%d,%d,%.3f,%d,%d,%d,%d,%d\n", i, h, h, h * 1000 + int(rand() * 50),
        50 + rand() * 100, int(rand() * 2) + 1, 18 + int(rand() * 70), int(rand() * 5) + 1,
        int(rand() * 5) + 1, int(rand() * 90000) } }' >"$T/w500k.csv"
  printf 'variable,level,total\nsex,1,60000000\nsex,2,62000000\n' >"$T/sex.csv"
  (ulimit -v 300000; "$BIN" weight "$T/w500k.csv" --strata stratum --ids psu --weights w \
    --rake "$T/sex.csv" --weight-name rw -o "$T/w500k_out.csv" 2>"$TMP/err")
  st=$?
  if [ "$st" -eq 0 ] && [ "$(wc -l <"$T/w500k_out.csv")" -eq 500001 ] &&
     [ "$(sed -n 2p "$T/w500k_out.csv" | cut -d, -f1-10)" = "$(sed -n 2p "$T/w500k.csv")" ]; then
    ok
  else
    bad "weight memory: exit $st: $(head -c 300 "$TMP/err")"
  fi
  rm -f "$T/w500k.csv" "$T/w500k_out.csv"
fi
# The cells come out as read: quotes, commas, newlines, blanks kept, CRLF
# input, a BOM and a last line without a newline.
printf '\357\273\277id,"a,b",w\r\n1,"x, ""y""",2\r\n2," padded ",3\r\n3,"two\nlines",4' >"$T/cells.csv"
run weight "$T/cells.csv" --weights w --trim-weights 1,10 --weight-name nw
if [ "$status" -eq 0 ] && [ "$(cat "$TMP/out")" = "$(printf 'id,"a,b",w,nw\n1,"x, ""y""",2,2\n2," padded ",3,3\n3,"two\nlines",4,4')" ]; then
  ok
else
  bad "weight cells as read: $(cat "$TMP/out" "$TMP/err")"
fi
