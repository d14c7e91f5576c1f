# Start-up: libxlsxwriter (with the libcrypto it pulls in) and ReadStat
# are opened only when an .xlsx is written or an SPSS, Stata or SAS file
# read (src/io/dl.c); when they cannot be, one line names the library and
# the Debian package.  The dynamic linker's LD_DEBUG=files trace lists
# every shared object a process maps.  Sourced by tests/run_tests.sh.

SU=$TMP/startup_cases
mkdir -p "$SU"
printf 'w,y,g\n1,2,a\n2,3,b\n1,5,a\n' >"$SU/a.csv"

# maps NAME WANT ARGS...: survstat ARGS succeeds, and its LD_DEBUG=files
# trace loads libxlsxwriter / libreadstat / libcrypto exactly as WANT says
# ("xlsxwriter readstat crypto" words present, "-" for none).
maps() {
  local name=$1 want=$2
  shift 2
  LD_DEBUG=files "$SURVSTAT" "$@" >"$SU/out" 2>"$SU/trace"
  local st=$? got="" l
  for l in xlsxwriter readstat crypto; do
    grep -q "file=lib$l\.so" "$SU/trace" && got="$got $l"
  done
  got=${got# }
  if [ $st -ne 0 ]; then
    bad "startup $name: exit $st: $(grep -v '^ *[0-9]*:' "$SU/trace" | head -3)"
  elif [ "${got:--}" != "$want" ]; then
    bad "startup $name: maps '${got:--}', want '$want'"
  else
    ok
  fi
}

maps csv-maps-neither - estimate "$SU/a.csv" --weights w --mean y --format csv
maps text-maps-neither - estimate "$SU/a.csv" --weights w --mean y --by g
maps version-maps-neither - --version
maps xlsx-maps-xlsxwriter "xlsxwriter crypto" estimate "$SU/a.csv" --weights w --mean y \
  -o "$SU/a.xlsx"
if [ -s "$SU/a.xlsx" ] && /usr/bin/python3 -c '
import sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1]).worksheets[0]
rows = [[c.value for c in r] for r in ws.iter_rows()]
assert rows[0][1:3] == ["statistic", "variable"], rows[0]
assert abs(rows[1][rows[0].index("estimate")] - 3.25) < 1e-15, rows[1]
' "$SU/a.xlsx"; then ok; else bad "startup xlsx-written: $SU/a.xlsx not the workbook"; fi
maps sav-maps-readstat readstat describe datasets/household.sav
# The same numbers as the csv it was written from, through the dlopen'd ReadStat.
# (the .sav adds the variable's label: the columns up to conf_level compared)
"$SURVSTAT" estimate datasets/household.sav --weights weight --mean overall --format csv \
  2>&1 | cut -d, -f1-16 >"$SU/sav.csv"
"$SURVSTAT" estimate datasets/household.csv --weights weight --mean overall --na 9 --format csv \
  2>&1 | cut -d, -f1-16 >"$SU/csv.csv"
if grep -q '^,mean,overall,,,3\.' "$SU/sav.csv" && cmp -s "$SU/sav.csv" "$SU/csv.csv"; then ok; else
  bad "startup sav-same-as-csv: $(diff "$SU/sav.csv" "$SU/csv.csv" | head -4)"; fi

# A library that cannot be loaded (SURVSTAT_LIBXLSXWRITER, SURVSTAT_LIBREADSTAT
# name the file to open instead): one line, exit 1, nothing written.
SURVSTAT_LIBXLSXWRITER=$SU/nonexistent.so expect_error xlsxwriter-missing 1 \
  "survstat estimate: cannot load libxlsxwriter, which writes .xlsx files ($SU/nonexistent.so: cannot open shared object file: No such file or directory): install the Debian package libxlsxwriter4" -- \
  estimate "$SU/a.csv" --weights w --mean y -o "$SU/b.xlsx"
if [ ! -e "$SU/b.xlsx" ]; then ok; else bad "startup xlsxwriter-missing wrote $SU/b.xlsx"; fi
SURVSTAT_LIBXLSXWRITER=$SU/nonexistent.so expect_error xlsxwriter-missing-format 1 \
  "install the Debian package libxlsxwriter4" -- \
  table "$SU/a.csv" --weights w --rows g --format xlsx
SURVSTAT_LIBXLSXWRITER=libz.so.1 expect_error xlsxwriter-wrong-library 1 \
  "survstat estimate: libxlsxwriter (libz.so.1) has no function 'workbook_new_opt': a version survstat was not built for: install the Debian package libxlsxwriter4" -- \
  estimate "$SU/a.csv" --weights w --mean y -o "$SU/b.xlsx"
# csv output needs no libxlsxwriter at all.
SURVSTAT_LIBXLSXWRITER=$SU/nonexistent.so run estimate "$SU/a.csv" --weights w --mean y --format csv
if [ "$status" -eq 0 ] && grep -q '^,mean,y,' "$TMP/out"; then ok; else
  bad "startup csv-without-xlsxwriter: exit $status: $(cat "$TMP/err")"; fi
SURVSTAT_LIBREADSTAT=$SU/nonexistent.so expect_error readstat-missing 1 \
  "survstat estimate: cannot load libreadstat, which reads .sav, .zsav, .por, .dta, .sas7bdat and .xpt files ($SU/nonexistent.so: cannot open shared object file: No such file or directory): install the Debian package libreadstat1" -- \
  estimate datasets/household.sav --weights weight --mean overall -o "$SU/c.csv"
if [ ! -e "$SU/c.csv" ]; then ok; else bad "startup readstat-missing wrote $SU/c.csv"; fi
# survstat run writes report.xlsx: it stops before creating anything.
SURVSTAT_LIBXLSXWRITER=$SU/nonexistent.so expect_error run-xlsxwriter-missing 1 \
  "survstat run: cannot load libxlsxwriter" -- \
  run tests/data/api.ini --out "$SU/runout"
if [ ! -e "$SU/runout" ]; then ok; else bad "startup run-xlsxwriter-missing made $SU/runout"; fi
# --version names the statically linked libraries as before (GSL's run-time
# version is the archive's, so it equals the one built with).
run --version
if [ "$status" -eq 0 ] && [ "$(wc -l <"$TMP/out")" -eq 2 ] && grep -q '^survstat [0-9]' "$TMP/out" &&
   grep -Eq '^GSL ([0-9.]+) \(built with \1\), libcsv [0-9]+\.[0-9]+\.[0-9]+, inih [0-9]+, R nmath \(libRmath\) [0-9.]+$' "$TMP/out"; then
  ok; else bad "startup version: $(cat "$TMP/out" "$TMP/err")"; fi
