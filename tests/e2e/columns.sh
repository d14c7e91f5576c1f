# Typed columns and lines with quotes.  Sourced by tests/run_tests.sh.
#
# The columns of means and totals (and the weights without weighting) are
# kept in the narrowest storage their values fit, widened in place when a
# value does not (tests/unit/test_table.c tests every widening); here the
# estimates must be those of the same columns read as doubles (--ratio Y/Y
# asks for Y as doubles), with one thread and two, from a file and from
# standard input.  Lines are split by survstat, the quoted fields that
# hold line ends (and the rest of their rows) by libcsv:
# SURVSTAT_PARSER=libcsv sends every line to libcsv, and the output must
# be the same.

C=$TMP/columns_cases
mkdir -p "$C"

# gen_columns OUT ROWS MODE: a survey file whose columns end in every
# storage: u8 (codes, 2% empty), u16 (counts to 60,000), packed (one
# decimal), i32 (incomes to 900,000, some negative), double (weights with
# three decimals; MODE long: eight), a column that widens late (codes, then
# at 80% of the rows a count, a decimal, a large integer), and a note with
# quoted texts with commas in 1 row of 100, a quoted field over two lines
# in 1 of 5,000, CRLF line ends in MODE crlf.
gen_columns() {
  python3 - "$@" <<'PY'
import random, sys
out, rows, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rnd = random.Random(23)
end = "\r\n" if mode == "crlf" else "\n"
lines = ["stratum,psu,w,code,count,dec,income,late,note"]
for i in range(rows):
    h = rnd.randrange(30) + 1
    psu = h * 100 + rnd.randrange(8) + 1
    w = "%.8f" % rnd.uniform(200, 3000) if mode == "long" else "%.3f" % rnd.uniform(40, 180)
    code = "" if rnd.random() < 0.02 else str(rnd.randrange(1, 8))
    count = str(rnd.randrange(60000))
    dec = "%.1f" % rnd.uniform(0, 99)
    income = str(rnd.randrange(-5000, 900000))
    late = str(rnd.randrange(1, 6))
    if i == rows * 8 // 10:
        late = "300"
    elif i == rows * 8 // 10 + 1:
        late = "2.5"
    elif i == rows * 9 // 10:
        late = "123456"
    u = rnd.randrange(5000)
    note = '"two lines,' + end + 'of a note"' if u == 0 else \
        '"Smith, J., flat %d"' % i if u < 50 else ("ok" if u < 2000 else "")
    lines.append(",".join([str(h), str(psu), w, code, count, dec, income, late, note]))
with open(out, "w", newline="") as f:
    f.write(end.join(lines) + end)
PY
}

# typed_same NAME FILE ARGS...: the mean and total rows of every column,
# typed, are those of the columns read as doubles; and the same with one
# thread, two threads, from standard input, and with every line through
# libcsv.
typed_same() {
  local name=$1 file=$2
  shift 2
  local vars=code,count,dec,income,late,w
  run estimate "$file" "$@" --mean $vars --total $vars --format csv
  cp "$TMP/out" "$TMP/typed"
  run estimate "$file" "$@" --mean $vars --total $vars --ratio code/code,count/count,dec/dec,income/income,late/late,w/w --format csv
  grep -v ',ratio,' "$TMP/out" >"$TMP/doubles"
  if [ "$status" -eq 0 ] && [ "$(wc -l <"$TMP/typed")" -eq 13 ] && cmp -s "$TMP/typed" "$TMP/doubles"; then ok; else
    bad "typed $name: $(diff "$TMP/typed" "$TMP/doubles" | head -4) $(head -c 300 "$TMP/err")"; fi
  local how
  for how in threads1 stdin libcsv; do
    case $how in
      threads1) SURVSTAT_THREADS=1 "$BIN" estimate "$file" "$@" --mean $vars --total $vars --format csv >"$TMP/other" 2>"$TMP/err" ;;
      stdin) "$BIN" estimate - "$@" --mean $vars --total $vars --format csv <"$file" >"$TMP/other" 2>"$TMP/err" ;;
      libcsv) SURVSTAT_PARSER=libcsv "$BIN" estimate "$file" "$@" --mean $vars --total $vars --format csv >"$TMP/other" 2>"$TMP/err" ;;
    esac
    if cmp -s "$TMP/typed" "$TMP/other"; then ok; else
      bad "typed $name $how: $(diff "$TMP/typed" "$TMP/other" | head -4) $(head -c 300 "$TMP/err")"; fi
  done
}

CD="--strata stratum --ids psu --weights w"
gen_columns "$C/short.csv" 300000 short
typed_same short "$C/short.csv" $CD
gen_columns "$C/long.csv" 300000 long
typed_same long "$C/long.csv" $CD
gen_columns "$C/crlf.csv" 300000 crlf
typed_same crlf "$C/crlf.csv" $CD
# The same file gzip'd: read whole, then parsed the same way.
gzip -c "$C/short.csv" >"$C/short.csv.gz"
run estimate "$C/short.csv" $CD --mean code,late,w --format csv
cp "$TMP/out" "$TMP/plain"
run estimate "$C/short.csv.gz" $CD --mean code,late,w --format csv
if [ "$status" -eq 0 ] && cmp -s "$TMP/plain" "$TMP/out"; then ok; else
  bad "typed gzip: $(diff "$TMP/plain" "$TMP/out" | head -4) $(head -c 300 "$TMP/err")"; fi

# lines_same NAME FILE ARGS...: the same output, errors and line numbers
# with every line through libcsv as with the quoted lines alone.
lines_same() {
  local name=$1
  shift
  SURVSTAT_PARSER=libcsv "$BIN" "$@" >"$TMP/out1" 2>"$TMP/err1"
  local s1=$?
  "$BIN" "$@" >"$TMP/out2" 2>"$TMP/err2"
  local s2=$?
  if [ $s1 -ne $s2 ] || ! cmp -s "$TMP/out1" "$TMP/out2" || ! cmp -s "$TMP/err1" "$TMP/err2"; then
    bad "quoted lines $name: libcsv exit $s1, split exit $s2: $(diff "$TMP/out1" "$TMP/out2" | head -4) $(head -c 200 "$TMP/err1") / $(head -c 200 "$TMP/err2")"
  else
    ok
  fi
}

# Quotes at and around the 1 MB chunk ends: a quoted field over a chunk
# end, holding line ends (LF, CR, CRLF); a quote as a chunk's first byte;
# a line with two quoted fields; blanks around a quoted field; a quote
# inside an unquoted field late in the file (an error, on its line).
gen_quotes() {  # OUT MODE: MODE ok | bad
  python3 - "$@" <<'PY'
import sys
out, mode = sys.argv[1], sys.argv[2]
chunk = 1 << 20
b = bytearray(b"h,y,w,note\n")
i = 0
def row(note, y=None):
    global i
    i += 1
    b.extend(b"%d,%s,%d,%s\n" % (i % 4 + 1, y if y is not None else b"%d" % (i % 9), i % 5 + 1, note))
marks = [chunk, 2 * chunk, 3 * chunk, 4 * chunk]
k = 0
while len(b) < 5 * chunk + 1000:
    if k < len(marks) and len(b) > marks[k] - 40:
        m = marks[k]
        if k == 0:   # a quoted field with line ends over the chunk end
            row(b'"a,\nb\r\nc\rd' + b"x" * 60 + b'"')
        elif k == 1: # a quote as the chunk's first byte
            while len(b) < m - 8:
                row(b"")
            pad = m - len(b) - len(b"1,2,3,")
            b.extend(b"1,%s,3," % (b"1" * pad if pad > 0 else b"1"))
            b.extend(b'"first byte, quoted"\n')
        elif k == 2: # two quoted fields on a line, blanks around one
            row(b' "a, b" ', y=b'"7"')
        else:        # a partial line at the chunk end, quoted after it
            while len(b) < m - 5:
                row(b"ok")
            row(b'ok "no"' if mode == "bad" else b'"late, quoted"')
        k += 1
    elif i % 97 == 0:
        row(b'"Smith, J., ""Jr."""')
    else:
        row(b"" if i % 3 else b"plain")
open(out, "wb").write(bytes(b))
PY
}
gen_quotes "$C/quotes.csv" ok
for a in "estimate --strata h --weights w --mean y --total y --prop note" \
  "describe --strata h --weights w"; do
  # shellcheck disable=SC2086
  lines_same "$a" $a "$C/quotes.csv" --format csv
  # shellcheck disable=SC2086
  SURVSTAT_THREADS=1 lines_same "$a one thread" $a "$C/quotes.csv" --format csv
done
gen_quotes "$C/badquote.csv" bad
lines_same bad-quote estimate "$C/badquote.csv" --strata h --weights w --mean y
expect_error bad-quote 1 "malformed CSV" -- estimate "$C/badquote.csv" --strata h --weights w --mean y
