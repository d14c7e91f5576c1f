# A large .sav read by two ReadStat parsers, half the rows each
# (src/io/readstat_in.c, "two threads"): the same table, estimates, errors
# and row numbers as one parser (SURVSTAT_THREADS=1) and as the same data
# in CSV.  tests/tools/make_sav.py writes the file (120,000 rows, above
# the 100,000 from which the .sav is split) with what makes the halves
# differ: columns of one-byte codes that meet 300 or a decimal in one
# half only, levels and strings first seen in the second, ids above 4096,
# missing cells; a truncated copy; a text column with a word three
# quarters down; the same file not compressed.  Sourced by
# tests/run_tests.sh.

H=$TMP/sav_halves
mkdir -p "$H"
python3 tests/tools/make_sav.py 120000 "$H/h.sav" "$H/h.csv"
python3 tests/tools/make_sav.py 120000 "$H/trunc.sav" "$H/trunc.csv" 3000000
python3 tests/tools/make_sav.py 120000 "$H/plain.sav" "$H/plain.csv" 0 plain

# halves_same NAME ARGS...: survstat ARGS with two threads and with one:
# the same exit status, stdout and stderr, and the run succeeds.
halves_same() {
  local name=$1
  shift
  "$BIN" "$@" >"$H/o2" 2>"$H/e2"
  local s2=$?
  SURVSTAT_THREADS=1 "$BIN" "$@" >"$H/o1" 2>"$H/e1"
  local s1=$?
  if [ "$s1" -ne "$s2" ] || ! cmp -s "$H/o1" "$H/o2" || ! cmp -s "$H/e1" "$H/e2"; then
    bad "sav_halves $name: two threads differ from one: exit $s2/$s1: $(diff "$H/o1" "$H/o2" | head -3) $(cat "$H/e2")"
  elif [ "$s2" -ne 0 ] || [ ! -s "$H/o2" ]; then
    bad "sav_halves $name: exit $s2, no output: $(cat "$H/e2")"
  else
    ok
  fi
}

HA=(--strata stratum --ids psu --weights w --mean a,b,c,d,e,f,w --total a,c,e --quantile b,f
    --prop s,stratum --by s --format csv)
halves_same estimate estimate "$H/h.sav" "${HA[@]}"
halves_same packed estimate "$H/h.sav" --weights w --mean a,b,c,d,e,f --prop psu --format csv
halves_same codebook describe "$H/h.sav" --codebook --weights w --format csv
halves_same describe describe "$H/h.sav" --format csv
halves_same table table "$H/h.sav" --weights w --rows stratum --cols s --format csv
halves_same plain estimate "$H/plain.sav" "${HA[@]}"

# The .sav's estimates are the CSV's, to the bit.
"$BIN" estimate "$H/h.sav" "${HA[@]}" >"$H/sav.csv" 2>"$H/err"
"$BIN" estimate "$H/h.csv" "${HA[@]}" >"$H/csv.csv" 2>>"$H/err"
if [ -s "$H/sav.csv" ] && cmp -s "$H/sav.csv" "$H/csv.csv"; then ok; else
  bad "sav_halves sav = csv: $(diff "$H/sav.csv" "$H/csv.csv" | head -3) $(cat "$H/err")"; fi

# Errors in the second half: the one parser's, whatever the threads.
for t in 1 2; do
  SURVSTAT_THREADS=$t expect_error "sav-halves-word-$t" 1 "h.sav: column 't' (row 90001): invalid number 'word'" -- \
    estimate "$H/h.sav" --weights w --mean t
  SURVSTAT_THREADS=$t expect_error "sav-halves-truncated-$t" 1 \
    "trunc.sav: cannot read the SPSS file: File did not contain the expected number of rows" -- \
    estimate "$H/trunc.sav" --weights w --mean a
done
