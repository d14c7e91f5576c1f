# survstat trend against R (pt, p.adjust; tests/ref/trend_*.expected.csv
# from the waves in tests/data/), --base, and one case per message.
# Sourced by tests/run_tests.sh.

TW=tests/data
for pair in "2008 2009" "2009 2010"; do
  set -- $pair
  run trend "$TW/wave_$1.csv" "$TW/wave_$2.csv" --format csv
  if [ "$status" -ne 0 ]; then
    bad "trend $1-$2: exit $status: $(cat "$TMP/err")"
  elif python3 tests/tools/refcmp.py "$TMP/out" "tests/ref/trend_$1_$2.expected.csv" >"$TMP/cmp"; then
    ok
  else
    bad "trend $1-$2"; head -5 "$TMP/cmp"
  fi
done
# Three waves: the consecutive pairs; with --base 2009 both others against it.
run trend "$TW/wave_2008.csv" "$TW/wave_2009.csv" "$TW/wave_2010.csv" --format csv
pairs=$(python3 -c 'import csv,sys; print(sorted({(r["wave_from"], r["wave_to"]) for r in csv.DictReader(open(sys.argv[1]))}))' "$TMP/out")
if [ "$pairs" = "[('2008', '2009'), ('2009', '2010')]" ]; then ok; else bad "trend three waves: $pairs"; fi
run trend "$TW/wave_2008.csv" "$TW/wave_2009.csv" "$TW/wave_2010.csv" --base 2009 --format csv
pairs=$(python3 -c 'import csv,sys; print(sorted({(r["wave_from"], r["wave_to"]) for r in csv.DictReader(open(sys.argv[1]))}))' "$TMP/out")
if [ "$pairs" = "[('2008', '2009'), ('2009', '2010')]" ]; then ok; else bad "trend --base: $pairs"; fi
run trend "$TW/wave_2008.csv" "$TW/wave_2009.csv" "$TW/wave_2010.csv" --base 2010 --format csv
pairs=$(python3 -c 'import csv,sys; print(sorted({(r["wave_from"], r["wave_to"]) for r in csv.DictReader(open(sys.argv[1]))}))' "$TMP/out")
if [ "$pairs" = "[('2008', '2010'), ('2009', '2010')]" ]; then ok; else bad "trend --base 2010: $pairs"; fi

T=$TMP/trend_cases
mkdir -p "$T"
expect_error trend-one-file 2 "trend needs two or more RESULT files" -- trend "$TW/wave_2008.csv"
expect_error trend-same-wave 1 "wave '2008' is also the wave of $TW/wave_2008.csv" -- \
  trend "$TW/wave_2008.csv" "$TW/wave_2008.csv"
sed 's/^2008,/,/' "$TW/wave_2008.csv" >"$T/nowave.csv"
expect_error trend-no-wave 1 "$T/nowave.csv:2: every row needs the same, non-empty wave" -- \
  trend "$T/nowave.csv" "$TW/wave_2009.csv"
expect_error trend-bad-base 2 "--base: no file has wave '2007'" -- \
  trend "$TW/wave_2008.csv" "$TW/wave_2009.csv" --base 2007
head -1 "$TW/wave_2008.csv" >"$T/empty.csv"
printf '2008,mean,x,,,1,oops,,,,,,,,\n' >>"$T/empty.csv"
expect_error trend-bad-number 1 "$T/empty.csv:2: column 'se': invalid number 'oops'" -- \
  trend "$T/empty.csv" "$TW/wave_2009.csv"
