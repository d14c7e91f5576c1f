# The splitter's runs of fields (src/io/table.c, fast_run).  Sourced by
# tests/run_tests.sh.
#
# fast_run passes runs of fields not read by their stops alone and reads
# runs of one-digit cells of one-byte columns 16 bytes at a time; each
# must give what libcsv's path gives (SURVSTAT_PARSER=libcsv): the same
# output, errors and line numbers, whatever breaks a run (a quote, a cell
# of two digits, a blank, an empty cell, a column widening in the middle of
# a run, a short or long row, --na, a run at the end of a 64-byte block or
# of the data).  And a quoted last field that ends the complete lines of a
# chunk, one byte past a 64-byte block, with a partial line after it (the
# block after the end was looked at again: a crash before).

S=$TMP/splitter_cases
mkdir -p "$S"

# gen_runs OUT MODE: 12 one-digit columns (q1..q12) between columns not
# read, MODE plain (runs broken at random), widen (q5 gets 300 late),
# short (a row with a field fewer, late), long (a field more), crlf.
gen_runs() {
  python3 - "$@" <<'PY'
import random, sys
out, mode = sys.argv[1], sys.argv[2]
rnd = random.Random(7)
names = ["id", "x1", "x2", "x3"] + ["q%d" % k for k in range(1, 13)] + ["y1", "y2", "w"]
end = "\r\n" if mode == "crlf" else "\n"
lines = [",".join(names)]
n = 3000
for i in range(n):
    cells = [str(i), "a", str(rnd.randint(0, 99)), "b c"]
    for k in range(12):
        r = rnd.random()
        c = str(rnd.randint(0, 9))
        if r < 0.02:
            c = '"%s"' % c
        elif r < 0.03:
            c = str(rnd.randint(10, 99))
        elif r < 0.035:
            c = " " + c
        elif r < 0.04:
            c = ""
        cells.append(c)
    cells += ['"t,%d"' % i if rnd.random() < 0.05 else "t", str(rnd.randint(0, 9)),
              "%.1f" % (rnd.random() * 100)]
    if mode == "widen" and i == 2500:
        cells[4 + 4] = "300"
    if mode == "short" and i == 2900:
        cells = cells[:10]
    if mode == "long" and i == 2900:
        cells.append("9")
    lines.append(",".join(cells))
open(out, "w", newline="").write(end.join(lines) + end)
PY
}

for m in plain widen short long crlf; do
  gen_runs "$S/runs_$m.csv" "$m"
  parser_same "runs-$m" estimate "$S/runs_$m.csv" --weights w \
    --mean q1,q2,q3,q4,q5,q6,q7,q8,q9,q10,q11,q12 --format csv
  parser_same "runs-$m-some" estimate "$S/runs_$m.csv" --weights w --mean q2,q3,q4,q9,q10 \
    --prop y2 --by x2 --format csv
  parser_same "runs-$m-na" estimate "$S/runs_$m.csv" --weights w --mean q1,q2,q3,q4,q5,q6 \
    --na 7 --format csv
done

# A quoted last field ending the complete lines at byte 64 of the data,
# a partial line after it.
printf 'a\n"z"\r\n%s\n"z"\r5' "$(printf 'y%.0s' $(seq 55))" >"$S/seek_end.csv"
run describe "$S/seek_end.csv"
if [ "$status" -eq 0 ]; then ok; else bad "splitter seek-end: exit $status: $(head -3 "$TMP/err")"; fi
parser_same "seek-end" describe "$S/seek_end.csv"
# The same with two columns, a quoted text last and a last line without its
# line end: the mean of a (before: "invalid number" on a valid file).
printf 'a,b\n1,"z"\n2,%s\n3,"z"\n4,' "$(printf 'y%.0s' $(seq 50))" >"$S/seek_end2.csv"
# (sd of 1..4 over sqrt(4): 1.2909944487358056 / 2)
expect_csv seek-end-mean "mean|a|||2.5|0.6454972243679028|4" -- estimate "$S/seek_end2.csv" --mean a
parser_same "seek-end-by" estimate "$S/seek_end2.csv" --mean a --by b --format csv
