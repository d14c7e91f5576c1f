# Two-thread ingest and --quiet.  Sourced by tests/run_tests.sh.
#
# A file over 4 MB is parsed by two threads (one half each); everything,
# errors and their line numbers included, must be the same as with one
# (SURVSTAT_THREADS=1).  The files have quoted fields with newlines and
# commas, blank lines, CRLF and NA cells, so that the line bookkeeping of
# the second half is exercised.

S=$TMP/speed_cases
mkdir -p "$S"

# gen_speed OUT ROWS MODE: MODE plain | quoted_middle (a quoted field with
# newlines spans the middle of the file) | badnum (an invalid number late in
# the file) | ragged (a short row late) | missing_psu (an empty design cell
# late) | dense_tail (long rows first, so the second half holds three times
# the rows per byte of the first: the second thread runs out of room and
# the main thread reads its half again).  Prints the physical line of the
# planted fault.
gen_speed() {
  python3 - "$@" <<'PY'
import random, sys
out, rows, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rnd = random.Random(7)
lines = ["stratum,psu,w,g,y,label"]
fault_row = rows * 9 // 10
for i in range(rows):
    h = rnd.randrange(20) + 1
    psu = "%d" % (h * 100 + rnd.randrange(5) + 1)
    y = "NA" if i % 97 == 0 else "%.3f" % rnd.uniform(0, 50)
    label = "plain"
    if i % 501 == 0 and not mode.startswith("clean"):
        label = '"two\nlines, and ""quotes"""'
    if mode == "dense_tail" and i < rows * 3 // 10:
        label = "long" * 20
    if mode == "quoted_middle" and i == rows * 55 // 100:
        label = '"' + "x\n" * 400000 + '"'
    if mode == "badnum" and i == fault_row:
        y = "1.2.3"
    if mode == "missing_psu" and i == fault_row:
        psu = ""
    row = "%d,%s,%.1f,%s,%s,%s" % (h, psu, rnd.uniform(1, 9), "abc"[i % 3], y, label)
    if mode == "ragged" and i == fault_row:
        row = "%d,%s" % (h, psu)
    if i == fault_row:
        fault_line = sum(l.count("\n") + 1 for l in lines) + 1
    lines.append(row)
    if i % 1000 == 999 and not mode.startswith("clean"):
        lines.append("")  # a blank line
end = "\n" if mode == "clean_lf" else "\r\n"
with open(out, "w", newline="") as f:
    f.write(end.join(lines) + end)
print(fault_line)
PY
}

speed_same() {  # NAME ARGS...: the same stdout, stderr and status with 1 and 2 threads
  local name=$1
  shift
  SURVSTAT_THREADS=1 "$BIN" "$@" >"$TMP/out1" 2>"$TMP/err1"
  local s1=$?
  SURVSTAT_THREADS=2 "$BIN" "$@" >"$TMP/out2" 2>"$TMP/err2"
  local s2=$?
  if [ $s1 -ne $s2 ] || ! cmp -s "$TMP/out1" "$TMP/out2" || ! cmp -s "$TMP/err1" "$TMP/err2"; then
    bad "threads $name: 1 thread exit $s1, 2 threads exit $s2: $(head -c 300 "$TMP/err1") / $(head -c 300 "$TMP/err2")"
  else
    ok
  fi
}

SD="--strata stratum --ids psu --weights w"
gen_speed "$S/plain.csv" 170000 plain >/dev/null
speed_same plain estimate "$S/plain.csv" $SD --mean y --prop g --by g --format csv
speed_same plain-describe describe "$S/plain.csv" $SD --format csv
for m in clean_lf clean_crlf; do
  gen_speed "$S/$m.csv" 170000 $m >/dev/null
  speed_same $m estimate "$S/$m.csv" $SD --mean y --prop g --by g --format csv
done
gen_speed "$S/dense.csv" 170000 dense_tail >/dev/null
speed_same dense-tail estimate "$S/dense.csv" $SD --mean y --prop g --by g --format csv
run estimate "$S/dense.csv" $SD --mean y --format csv
if [ "$status" -eq 0 ] && grep -q "^,mean,y,,,.*,168247," "$TMP/out"; then ok; else
  bad "dense-tail: all 168247 answers of y read: $(head -c 300 "$TMP/out") $(head -c 300 "$TMP/err")"; fi
gen_speed "$S/middle.csv" 170000 quoted_middle >/dev/null
speed_same quoted-middle estimate "$S/middle.csv" $SD --mean y --total y --format csv
line=$(gen_speed "$S/badnum.csv" 170000 badnum)
speed_same bad-number estimate "$S/badnum.csv" $SD --mean y
expect_error bad-number-late 1 "$S/badnum.csv:$line: column 'y': invalid number '1.2.3'" -- \
  estimate "$S/badnum.csv" $SD --mean y
line=$(gen_speed "$S/ragged.csv" 170000 ragged)
speed_same ragged estimate "$S/ragged.csv" $SD --mean y
expect_error ragged-late 1 "$S/ragged.csv:$line: expected 6 fields, found 2" -- \
  estimate "$S/ragged.csv" $SD --mean y
line=$(gen_speed "$S/nopsu.csv" 170000 missing_psu)
speed_same missing-psu estimate "$S/nopsu.csv" $SD --mean y
expect_error missing-psu-late 1 "$S/nopsu.csv:$line: column 'psu': missing value in a design column" -- \
  estimate "$S/nopsu.csv" $SD --mean y

# --quiet is accepted by the commands that read data; off a terminal there
# is never a progress bar, with or without it.
for q in "" --quiet; do
  run estimate "$S/plain.csv" $SD --mean y $q
  if [ "$status" -eq 0 ] && [ ! -s "$TMP/err" ] && [ -s "$TMP/out" ]; then ok; else
    bad "quiet '$q': exit $status, stderr '$(head -c 200 "$TMP/err")'"; fi
done
for cmd in "describe" "test --chisq g,stratum" "weight --trim-weights 1,8 --weight-name w2 -o $S/w.csv"; do
  # shellcheck disable=SC2086
  run $cmd "$S/plain.csv" $SD --quiet
  if [ "$status" -eq 0 ] && ! grep -q "$(printf '\r')" "$TMP/err"; then ok; else
    bad "quiet $cmd: exit $status, stderr '$(head -c 200 "$TMP/err")'"; fi
done

# Estimates on a table of over 2^20 rows run on two threads, a request at a
# time, and are streamed (no per-row arrays): the same output and the same
# first error as one thread.  sat has 12 levels, more than one block of
# prop_stream; y has NAs; --by splits the rows into domains.
gen_big() {  # OUT [lonely]: 1,100,000 rows; lonely: stratum 7 has one PSU
  awk -v lonely="${2:-}" 'BEGIN {
    srand(11); print "stratum,psu,w,g,y,z,sat"
    for (i = 0; i < 1100000; i++) {
      h = int(rand() * 40) + 1; p = h * 100 + int(rand() * 6) + 1
      if (lonely != "" && h == 7) p = 701
      y = (i % 89 == 0) ? "NA" : sprintf("%.2f", rand() * 30)
      printf "%d,%d,%.1f,%s,%s,%d,%d\n", h, p, 50 + rand() * 100, substr("abc", i % 3 + 1, 1), y, int(rand() * 7) + 1, int(rand() * 12) + 1
    }
  }' >"$1"
}
gen_big "$S/big.csv"
speed_same big-means estimate "$S/big.csv" $SD --mean y,z --total z --prop sat,g --format csv
speed_same big-by estimate "$S/big.csv" $SD --mean y,z --prop sat --by g --flags nchs --deff --format csv
speed_same big-domain-df estimate "$S/big.csv" $SD --mean y --prop sat --by g --domain-df --format csv
speed_same big-beta estimate "$S/big.csv" $SD --prop sat,g --ci-method beta --format csv
gen_big "$S/lonely.csv" lonely
speed_same big-lonely estimate "$S/lonely.csv" $SD --mean y,z --prop sat
expect_error big-lonely 1 "stratum '7' has only one PSU at stage 1" -- \
  estimate "$S/lonely.csv" $SD --mean y,z --prop sat

# Streamed estimates are those of the per-row path to the bit: --compare
# keeps every row's scores and so takes the per-row path; its estimate rows
# (the contrasts left out, the first 15 columns) must be those without it
# (their first 15 columns: conf_level comes after t, p_value, p_holm).
stream_same() {  # NAME ARGS...
  local name=$1
  shift
  run "$@" --format csv
  cut -d, -f1-15 "$TMP/out" >"$TMP/streamed"  # the contract's columns (conf_level follows)
  run "$@" --compare --format csv
  cut -d, -f1-15 "$TMP/out" | grep -v ' - ' >"$TMP/perrow"
  if [ "$status" -eq 0 ] && [ -s "$TMP/streamed" ] && cmp -s "$TMP/streamed" "$TMP/perrow"; then ok; else
    bad "streamed $name: $(diff "$TMP/streamed" "$TMP/perrow" | head -5) $(head -c 300 "$TMP/err")"; fi
}
CLUS2="--ids dnum,snum --fpc fpc1,fpc2 --weights pw"
stream_same clus2 estimate datasets/apiclus2.csv $CLUS2 --mean api00,ell --total enroll \
  --prop stype,awards --by sch.wide --deff --flags nchs
stream_same clus2-ddf estimate datasets/apiclus2.csv $CLUS2 --mean api00 --prop stype \
  --by sch.wide --domain-df --ci-method beta
for m in wald asin xlogit wilson; do
  stream_same "strat-$m" estimate datasets/apistrat.csv --strata stype --fpc fpc --weights pw \
    --mean api00 --prop awards,cname --by yr.rnd --ci-method $m
done
stream_same nhanes estimate datasets/nhanes.csv --strata SDMVSTRA --ids SDMVPSU --nest \
  --weights WTMEC2YR --mean HI_CHOL --prop race --by RIAGENDR --flags nchs --deff
stream_same household estimate datasets/household.csv --strata district --ids community,hh_id \
  --fpc fpc1,fpc2 --weights weight --na 9 --mean overall,efficiency --prop age_group,sex \
  --by district --flags nchs
stream_same big estimate "$S/big.csv" $SD --mean y,z --total z --prop sat --by g --flags nchs --deff

# Means and totals read their columns in the narrowest storage that holds
# them (one byte for codes, two for short decimals as m * 4 + k, ...), and
# the weights too; a value that does not fit widens the column in place.
# Either way the numbers are those of a read as doubles to the bit: --ratio
# y/y asks for y as doubles as well, and its mean rows must not change.
packed_same() {  # NAME FILE Y BY DESIGN...: the mean rows of Y by BY, packed or not
  local name=$1 file=$2 y=$3 by=$4
  shift 4
  run estimate "$file" "$@" --mean "$y" --total "$y" --by "$by" --format csv
  grep -v ',ratio,' "$TMP/out" >"$TMP/packed"
  run estimate "$file" "$@" --mean "$y" --total "$y" --by "$by" --ratio "$y/$y" --format csv
  grep -v ',ratio,' "$TMP/out" >"$TMP/unpacked"
  if [ "$status" -eq 0 ] && [ -s "$TMP/packed" ] && cmp -s "$TMP/packed" "$TMP/unpacked"; then ok; else
    bad "packed $name: $(diff "$TMP/packed" "$TMP/unpacked" | head -4) $(head -c 300 "$TMP/err")"; fi
}
packed_same small datasets/apistrat.csv ell stype --strata stype --weights pw --fpc fpc
packed_same big "$S/big.csv" y g $SD
# A late value that does not pack, in the second thread's half: 12345.5,
# 1.2345, -0, 1e1 and +3 each widen the column (or not) there.
for v in 12345.5 1.2345 -0 1e1 +3; do
  awk -v v="$v" -F, 'BEGIN {OFS = ","} NR == 1000000 {$5 = v} {print}' "$S/big.csv" >"$S/repack.csv"
  packed_same "repack $v" "$S/repack.csv" y g $SD
  speed_same "repack $v" estimate "$S/repack.csv" $SD --mean y,z --prop sat --format csv
done
# Weights that do not pack (the Qingdao households': 1033.72413793).
packed_same household datasets/household.csv overall district --strata district \
  --ids community,hh_id --fpc fpc1,fpc2 --weights weight --na 9
# Standard input is typed as a file is (nothing is read again); the same rows.
run estimate "$S/big.csv" $SD --mean y,z --prop sat --format csv
cp "$TMP/out" "$TMP/fromfile"
run estimate - $SD --mean y,z --prop sat --format csv <"$S/big.csv"
if [ "$status" -eq 0 ] && cmp -s "$TMP/fromfile" "$TMP/out"; then ok; else
  bad "packed: stdin and file differ: $(diff "$TMP/fromfile" "$TMP/out" | head -4)"; fi

# Complete lines are split by survstat (fast_lines), the fields it leaves
# and the partial lines at chunk ends by libcsv; SURVSTAT_PARSER=libcsv
# sends everything to libcsv.  Both must give
# the same output, errors and line numbers: blanks around fields (trimmed
# as libcsv trims them, unless the blank is the delimiter), lines of blanks,
# CR, LF and CRLF line ends (one CRLF split by the 1 MB read chunks),
# empty fields, a last line without its end, other delimiters, quotes in
# some chunks and not in others, describe's raw cells.
printf 'h, g ,y,w\n1,a, 3.5 ,2\n \t \n1,\ta\t,4,2\r\n2, b,,3\r2,b , 7 ,1\n\n2,a,8,\t1 \n1,b,2,2' >"$S/blanks.csv"
for a in "estimate --strata h --weights w --mean y --prop g" "describe --strata h --weights w"; do
  # shellcheck disable=SC2086
  parser_same "blanks $a" $a "$S/blanks.csv" --format csv
done
parser_same "blanks weight" weight "$S/blanks.csv" --strata h --weights w --trim-weights 1,8 \
  --weight-name w2
printf 'h;g;y;w\n1;a; 3,5;2\n1; a ;4;2\n2;b;;3\n2;b;7;1\n' >"$S/semi.csv"
parser_same semicolon estimate "$S/semi.csv" -d ';' --strata h --weights w --prop g --mean w
printf 'h\tg\ty\tw\n1\t a \t3.5\t2\n1\ta\t\t2\n2\tb\t5\t3\n2\t\tb\t1\n' >"$S/tab.csv"
parser_same tab describe "$S/tab.csv" -d "$(printf '\t')" --format csv
printf 'h g y w\n1 a 3.5 2\n1 a  4 2\n2\tb 5 3\n2 b 6\t1\n' >"$S/space.csv"
parser_same space describe "$S/space.csv" -d ' ' --format csv
parser_same ragged estimate "$S/ragged.csv" $SD --mean y
parser_same badnum estimate "$S/badnum.csv" $SD --mean y
parser_same middle estimate "$S/middle.csv" $SD --mean y --prop g --format csv
parser_same dense estimate "$S/dense.csv" $SD --mean y --prop g --by g --format csv
# CRLF with its CR the last byte of the first 1 MB chunk.
python3 - "$S/crlf.csv" <<'PY'
import sys
rows, size, i = ["stratum,psu,w,g,y"], 23, 0
while size < 1048576 - 40:
    line = "%d,%d,%.1f,%s,%d" % (i % 5 + 1, i % 5 * 10 + i % 3 + 1, 1 + i % 7, "ab"[i % 2], i % 9)
    rows.append(line)
    size = len("\r\n".join(rows)) + 2
    i += 1
body = "\r\n".join(rows)
pad = 1048576 - 1 - len(body) - 2  # the next line ends with its CR at byte 1048575
rows.append("1,1,1.0,a," + "1" * (pad - len("1,1,1.0,a,")))
text = "\r\n".join(rows) + "\r\n"
assert text[1048575] == "\r" and text[1048576] == "\n"
text += "\r\n".join("%d,%d,2.0,b,%d" % (i % 5 + 1, i % 5 * 10 + 1, i % 4) for i in range(40000)) + "\r\n"
open(sys.argv[1], "w", newline="").write(text)
PY
parser_same crlf-split estimate "$S/crlf.csv" --strata stratum --ids psu --weights w --mean y \
  --prop g --format csv
# A seeded 5 MB file mixing all of it (quoted fields with delimiters, quotes
# and newlines in some chunks only, blanks, lines of blanks, CR, LF, CRLF,
# empty fields): describe (every column, two threads) and weight (every
# cell's text, one thread) through both parsers.
python3 - "$S/mixed.csv" <<'PY'
import random, sys
rnd = random.Random(5)
ends = ["\n", "\r\n", "\r"]
def cell(i):
    k = rnd.randrange(12)
    if k == 0:
        return ""
    if k == 1:
        return " %d " % rnd.randrange(9)
    if k == 2:
        return "\t%s" % rnd.choice("abc")
    if k == 3 and 2_000_000 < i < 2_600_000:
        return '"q, ""%d""\n%s"' % (rnd.randrange(9), rnd.choice("ab"))
    return str(rnd.randrange(1, 9))
out, size, i = ["h,psu,w,g,y"], 0, 0
while size < 5_200_000:
    row = "%d,%d,%d.%d,%s,%s" % (i % 7 + 1, i % 7 * 10 + i % 4 + 1, 1 + i % 5, i % 10, cell(size), cell(size))
    if i % 997 == 0:
        row += rnd.choice(ends) + rnd.choice(["", "  ", "\t \t"])
    out.append(row + rnd.choice(ends))
    size += len(out[-1])
    i += 1
open(sys.argv[1], "w", newline="").write(out[0] + "\n" + "".join(out[1:]))
PY
parser_same mixed-describe describe "$S/mixed.csv" --strata h --ids psu --weights w --format csv
parser_same mixed-weight weight "$S/mixed.csv" --strata h --ids psu --weights w \
  --trim-weights 1,8 --weight-name w2
