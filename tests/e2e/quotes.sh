# Quoted fields split by survstat.  Sourced by tests/run_tests.sh.
#
# fast_lines (src/io/table.c) splits quoted fields itself and leaves to
# libcsv only a quoted field holding a line end, a quote inside an unquoted
# field and anything but blanks after a closing quote (from that field to
# the end of its line).  SURVSTAT_PARSER=libcsv sends every byte through
# libcsv; both must give the same output, errors and line numbers: quoted
# cells in every kind of column (typed one- and two-byte integers, short
# decimals, 32-bit integers, doubles, categories, columns not read), doubled
# quotes, empty quotes, blanks (spaces, tabs) around and inside the quotes,
# quoted fields first and last in a row, line ends inside quotes, LF, CRLF
# and CR line ends, the quote, a doubled quote and a CRLF split at the 1 MB
# chunk ends, a file of more than 4 MB (two threads), --na, cells kept as
# text (weight -o), a tab delimiter, and the malformed lines libcsv refuses.

Q=$TMP/quotes_cases
mkdir -p "$Q"

# gen_quoted OUT MODE [DELIM]: MODE ok, or a malformed line late in the file:
# midquote (a quote inside an unquoted field), after (text after a
# closing quote), blankafter (blanks, then text, after a closing quote),
# unterminated (an open quote at the end of the file).
gen_quoted() {
  python3 - "$@" <<'PY'
import random, sys
out, mode = sys.argv[1], sys.argv[2]
d = (sys.argv[3] if len(sys.argv) > 3 else ",").encode()
if d == b"tab":
    d = b"\t"
rnd = random.Random(41)
chunk = 1 << 20
b = bytearray(d.join([b"id", b"h", b"psu", b"w", b"y8", b"y16", b"dec", b"big", b"cat", b"note"]) + b"\n")
ends = [b"\n", b"\r\n", b"\r"]
def q(cell, p=0.3):
    """cell, quoted with probability p, blanks around the quotes sometimes"""
    if rnd.random() >= p and not any(x in cell for x in (d, b'"', b"\t")):
        return cell
    s = b'"' + cell.replace(b'"', b'""') + b'"'
    r = rnd.random()
    if r < 0.1:
        s = b" " + s
    elif r < 0.2:
        s = s + b"\t "
    elif r < 0.25:
        s = b"\t" + s + b" "
    return s
def cells(i):
    h = rnd.randrange(6) + 1
    c = [
        b'"2023HU%07d"' % i,
        q(b"%d" % h),
        q(b"%d" % (h * 10 + rnd.randrange(4) + 1)),
        q(b"%.3f" % rnd.uniform(1, 90)),
        q(rnd.choice([b"1", b"2", b"5", b"12", b"200", b"", b" 3 ", b"NA", b"7"])),
        q(rnd.choice([b"17", b"250", b"3000", b"9", b"", b"65000"])),
        q(rnd.choice([b"1.5", b"2", b"0.25", b"-1.5", b"", b"12.125"])),
        q(rnd.choice([b"100000", b"-5", b"7", b"", b"123456789"])),
        q(rnd.choice([b"a", b"b, c", b'say "hi"', b"", b" spaced ", b"d\te"]), 0.6),
        q(rnd.choice([b"x", b'He said ""no""', b"a,b", b""]), 0.5),
    ]
    if i > 2000 and rnd.random() < 0.001:
        c[9] = b'"two\nlines, ""quoted"""'    # a line end inside quotes
    if i > 2000 and rnd.random() < 0.001:
        c[9] = b'""'
    return c
i = 0
marks = [k * chunk for k in range(1, 9)]
k = 0
while len(b) < 8 * chunk + 5000:
    i += 1
    c = cells(i)
    end = rnd.choice(ends)
    if k < len(marks) and len(b) > marks[k] - 300:
        # A note that puts a chosen byte at offset m, the next chunk's first
        # byte: the closing quote, an opening quote after blanks, each quote
        # of a doubled pair, the LF of a CRLF, a blank after the closing
        # quote, a line end inside the quotes, a bare CR.
        m = marks[k]
        pad = m - len(b) - len(d.join(c[:9]) + d)
        x = b"x" * (pad - 3)
        note, end = [(b'"' + x + b'xx"', b"\n"), (b" " * pad + b'"opened"', b"\n"),
                     (b'"' + x + b'xx""tail"', b"\n"), (b'"' + x + b'x""tail"', b"\n"),
                     (b'"' + x + b'"', b"\r\n"), (b'"' + x + b'x" ', b"\n"),
                     (b'"' + x + b'xx\r\nin quotes"', b"\r\n"), (b'"' + x + b'x"', b"\r")][k % 8]
        c[9] = note
        k += 1
    b.extend(d.join(c) + end)
if mode != "ok":
    lines = b.split(b"\n")
    at = len(lines) * 9 // 10
    bad = {"midquote": b'9%s1%s11%s2.5%s1%s1%s1%s1%sab"c%sx' % ((d,) * 9),
           "after": b'9%s1%s11%s2.5%s1%s1%s1%s1%s"ab"c%sx' % ((d,) * 9),
           "blankafter": b'9%s1%s11%s2.5%s1%s1%s1%s1%s"ab" c%sx' % ((d,) * 9)}
    if mode == "unterminated":
        b.extend(b'9%s1%s11%s2.5%s1%s1%s1%s1%sa%s"open' % ((d,) * 9))
    else:
        lines.insert(at, bad[mode])
        b = bytearray(b"\n".join(lines))
        before = b"\n".join(lines[:at]) + b"\n"   # its line: after every line end
        print(1 + before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n"))
open(out, "wb").write(bytes(b))
PY
}

gen_quoted "$Q/mix.csv" ok
[ "$(wc -c <"$Q/mix.csv")" -gt 4194304 ] || bad "quotes: mix.csv under 4 MB"
QD="--strata h --ids psu --weights w"
for t in 1 2; do
  # shellcheck disable=SC2086
  SURVSTAT_THREADS=$t parser_same "quotes typed $t" estimate "$Q/mix.csv" $QD \
    --mean y8,y16,dec,big --total y8 --prop cat --format csv
  # shellcheck disable=SC2086
  SURVSTAT_THREADS=$t parser_same "quotes doubles $t" estimate "$Q/mix.csv" $QD \
    --ratio y16/big --mean w --by cat --format csv
  # shellcheck disable=SC2086
  SURVSTAT_THREADS=$t parser_same "quotes na $t" estimate "$Q/mix.csv" $QD \
    --mean y8,y16,dec --na 12,250,0.25 --format csv
  # shellcheck disable=SC2086
  SURVSTAT_THREADS=$t parser_same "quotes describe $t" describe "$Q/mix.csv" $QD --format csv
done
# Cells kept as text (weight -o writes every column as read).
SURVSTAT_PARSER=libcsv "$BIN" weight "$Q/mix.csv" $QD --trim-weights 1,80 --weight-name w2 \
  -o "$Q/kept1.csv" >"$TMP/out1" 2>"$TMP/err1"
s1=$?
"$BIN" weight "$Q/mix.csv" $QD --trim-weights 1,80 --weight-name w2 -o "$Q/kept2.csv" \
  >"$TMP/out2" 2>"$TMP/err2"
s2=$?
if [ $s1 -eq 0 ] && [ $s2 -eq 0 ] && cmp -s "$Q/kept1.csv" "$Q/kept2.csv" &&
  cmp -s "$TMP/out1" "$TMP/out2" && grep -q 'He said' "$Q/kept2.csv"; then ok; else
  bad "quotes kept text: exit $s1/$s2 $(cmp "$Q/kept1.csv" "$Q/kept2.csv" 2>&1) $(head -c 200 "$TMP/err2")"; fi
# A tab delimiter: blanks around a quoted field are then spaces only.
gen_quoted "$Q/tab.tsv" ok tab
for t in 1 2; do
  # shellcheck disable=SC2086
  SURVSTAT_THREADS=$t parser_same "quotes tab $t" estimate "$Q/tab.tsv" $QD --delimiter tab \
    --mean y8,dec --prop cat --format csv
done
# Malformed lines: the same error, on the same line, from both.
for m in midquote after blankafter unterminated; do
  gen_quoted "$Q/$m.csv" $m >"$Q/$m.line"
  for t in 1 2; do
    # shellcheck disable=SC2086
    SURVSTAT_THREADS=$t parser_same "quotes $m $t" estimate "$Q/$m.csv" $QD --mean y8
  done
done
line=$(cat "$Q/midquote.line")
# shellcheck disable=SC2086
expect_error quotes-midquote 1 "midquote.csv:" -- estimate "$Q/midquote.csv" $QD --mean y8
if grep -q "midquote.csv:$line: malformed CSV" "$TMP/err"; then ok; else
  bad "quotes midquote: expected line $line: $(head -c 200 "$TMP/err")"; fi
# shellcheck disable=SC2086
expect_error quotes-unterminated 1 "unterminated quoted field" -- \
  estimate "$Q/unterminated.csv" $QD --mean y8
