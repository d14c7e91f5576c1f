# Columns a command does not read, between the ones it reads.  Sourced by
# tests/run_tests.sh.
#
# fast_lines (src/io/table.c) only counts a field of a column that is not
# read, without trimming or converting it; libcsv
# (SURVSTAT_PARSER=libcsv) hands every field to on_field.  Both must give
# the same output, errors and line numbers: unread columns first, in the
# middle and last, blank and empty unread cells, unread cells that are not
# numbers, CR, LF and CRLF line ends, a row one field short, a file of more
# than 4 MB (two threads), and an unread field longer than survstat takes
# (16 MB: the error names it in both).

K=$TMP/skipcols
mkdir -p "$K"


python3 - "$K" <<'PY'
import random, sys
d = sys.argv[1]
rnd = random.Random(23)
def rows(n, ends):
    out = ["id,stratum,note,psu,w,x1,g,x2,y,tail"]
    for i in range(n):
        h = rnd.randrange(8) + 1
        note = rnd.choice(["", " ", "abc", " spaced text ", "NA", "1e400", "-"])
        out.append("%d,%d,%s,%d,%.3f,%s,%s,%s,%s,%s" % (
            i, h, note, h * 10 + rnd.randrange(4) + 1, rnd.uniform(1, 9),
            rnd.choice(["", "x", "12"]), rnd.choice("ab"), rnd.choice(["", "\t", "z z"]),
            "" if i % 31 == 0 else "%.2f" % rnd.uniform(0, 20), rnd.choice(["", "t", "  "])))
    text = ""
    for k, line in enumerate(out):
        text += line + ends[k % len(ends)]
    return text
open(d + "/small.csv", "w", newline="").write(rows(400, ["\n", "\r\n", "\r"]))
open(d + "/big.csv", "w", newline="").write(rows(120000, ["\n", "\r\n"]))
short = rows(300, ["\n"]).split("\n")
short[200] = short[200].rsplit(",", 1)[0]  # a row one field short
open(d + "/short.csv", "w").write("\n".join(short))
PY
[ "$(wc -c <"$K/big.csv")" -gt 4194304 ] || bad "skipcols: big.csv under 4 MB"
SKD="--strata stratum --ids psu --weights w"
# shellcheck disable=SC2086
parser_same "skipcols small" estimate "$K/small.csv" $SKD --mean y --prop g --format csv
# shellcheck disable=SC2086
parser_same "skipcols small by" estimate "$K/small.csv" $SKD --mean y --by g --format csv
# shellcheck disable=SC2086
parser_same "skipcols big" estimate "$K/big.csv" $SKD --mean y --prop g --format csv
# shellcheck disable=SC2086
parser_same "skipcols short row" estimate "$K/short.csv" $SKD --mean y --format csv
# An unread field of 16 MB + 1 byte on line 3: the same error from both.
python3 - "$K/long.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("stratum,note,psu,w,y\n1,a,11,2.5,3\n1,%s,12,1.5,4\n2,b,21,2,5\n2,c,22,1,6\n"
            % ("n" * (16 * 1024 * 1024 + 1)))
PY
# gzip'd, the file is split as one buffer (the long line is not left to
# libcsv as the end of a read chunk).
gzip -c "$K/long.csv" >"$K/long.csv.gz"
for f in long.csv long.csv.gz; do
  # shellcheck disable=SC2086
  parser_same "skipcols long unread field $f" estimate "$K/$f" $SKD --mean y --format csv
  expect_error "skipcols long unread field $f" 1 "$f:3: field 2 is longer than 16777216 bytes" -- \
    estimate "$K/$f" $SKD --mean y
done
