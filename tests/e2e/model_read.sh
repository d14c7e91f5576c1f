# How `survstat model` reads its columns.  Sourced by tests/run_tests.sh.
#
# A term column is read as numbers first (SS_NEED_AUTO, src/io/input.c)
# and again as a category when it holds text; standard input cannot be
# read twice, so there every term column is a category from the start:
# both must give the same output, here for a column whose text comes only
# in its last rows (in the second half of a two-thread read), a numeric
# column with '-0' and '09', a log() of it, and with one thread.  A later
# stage's ids without an fpc are read for presence only (SS_NEED_PRESENT):
# a missing id and an id that is not UTF-8 give the errors and lines of the
# category read (the same stage with an fpc, where its ids are coded).  A
# factor of 300 levels (more coefficients than the 256 a pass once held on
# its stack) fits.

R=$TMP/model_read
mkdir -p "$R"
python3 - "$R" <<'PY'
import random, sys
d = sys.argv[1]
rnd = random.Random(7)
n = 120000
with open(d + "/late.csv", "w", encoding="latin-1") as f:
    f.write("psu,hh,hhm,hhu,N1,N2,w,y,x,g,neg\n")
    for i in range(n):
        psu, hh = i // 1000, i // 3
        g = "%d.5" % rnd.randrange(5) if i < n - 10 else "zz"
        hhm = "" if i == 100001 else str(hh)
        hhu = "\xff%d" % hh if i == 110000 else str(hh)
        neg = "-0" if i % 7 == 0 else ("09" if i % 11 == 0 else str(i % 5))
        f.write("%d,%d,%s,%s,1000,%d,%.3f,%.3f,%.4f,%s,%s\n" % (
            psu, hh, hhm, hhu, 40000, rnd.uniform(1, 5), rnd.gauss(0, 1) + i % 3,
            rnd.gauss(0, 1), g, neg))
with open(d + "/f300.csv", "w") as f:
    f.write("psu,w,y,x,g\n")
    for i in range(6000):
        f.write("%d,%.3f,%.3f,%.4f,L%d\n" % (i // 10, rnd.uniform(1, 5), rnd.gauss(0, 1),
                                             rnd.gauss(0, 1), i % 300))
PY

# text only in the last rows: the file (read again) and stdin (categories)
for form in 'y ~ x + neg' 'y ~ x + log(w) + neg' 'y ~ x + g'; do
  run model "$R/late.csv" --ids psu --weights w --formula "$form" --format csv
  cp "$TMP/out" "$R/file.out"; st1=$status
  "$BIN" model - --ids psu --weights w --formula "$form" --format csv <"$R/late.csv" \
    >"$R/stdin.out" 2>"$R/stdin.err"; st2=$?
  SURVSTAT_THREADS=1 "$BIN" model "$R/late.csv" --ids psu --weights w --formula "$form" \
    --format csv >"$R/one.out" 2>&1; st3=$?
  if [ "$st1" -eq 0 ] && [ "$st2" -eq 0 ] && [ "$st3" -eq 0 ] && [ -s "$R/file.out" ] &&
     cmp -s "$R/file.out" "$R/stdin.out" && cmp -s "$R/file.out" "$R/one.out"; then ok
  else bad "model_read '$form': file, stdin and one thread differ ($st1 $st2 $st3)"; fi
done
# the text column is a factor, its levels named as R names them
run model "$R/late.csv" --ids psu --weights w --formula 'y ~ x + g' --format csv
if [ "$status" -eq 0 ] && grep -q '^,gaussian,gzz,' "$TMP/out"; then ok
else bad "model_read: text late in a column is not a factor: $(head -c 300 "$TMP/err")"; fi
# arithmetic on it names the text, as before
expect_error model_read_text_log 1 "term 'log(g)': column 'g' holds text ('zz'), not numbers" -- \
  model "$R/late.csv" --ids psu --weights w --formula 'y ~ x + log(g)' --format csv
# a gzip'd file is read again too
gzip -c "$R/late.csv" >"$R/late.csv.gz"
run model "$R/late.csv.gz" --ids psu --weights w --formula 'y ~ x + g' --format csv
cp "$TMP/out" "$R/gz.out"; st1=$status
run model "$R/late.csv" --ids psu --weights w --formula 'y ~ x + g' --format csv
if [ "$st1" -eq 0 ] && [ -s "$R/gz.out" ] && cmp -s "$TMP/out" "$R/gz.out"; then ok
else bad "model_read: the .gz file differs from the plain one"; fi

# later-stage ids read for presence: the errors of the coded read
expect_error model_read_missing_id 1 "late.csv:100003: column 'hhm': missing value in a design column" -- \
  model "$R/late.csv" --ids psu,hhm --weights w --formula 'y ~ x' --format csv
expect_error model_read_missing_id_fpc 1 "late.csv:100003: column 'hhm': missing value in a design column" -- \
  model "$R/late.csv" --ids psu,hhm --fpc N1,N2 --weights w --formula 'y ~ x' --format csv
expect_error model_read_missing_id_one 1 "<stdin>:100003: column 'hhm': missing value in a design column" -- \
  model - --ids psu,hhm --weights w --formula 'y ~ x' --format csv <"$R/late.csv"
expect_error model_read_utf8_id 1 "late.csv:110002: column 'hhu': value '" -- \
  model "$R/late.csv" --ids psu,hhu --weights w --formula 'y ~ x' --format csv
if grep -q "is not valid UTF-8" "$TMP/err"; then ok; else bad "model_read utf8: $(cat "$TMP/err")"; fi
expect_error model_read_utf8_id_fpc 1 "late.csv:110002: column 'hhu': value '" -- \
  model "$R/late.csv" --ids psu,hhu --fpc N1,N2 --weights w --formula 'y ~ x' --format csv
# an id column also read as a term: numbers, and the design still checks it
run model "$R/late.csv" --ids psu,hh --weights w --formula 'y ~ x + hh' --format csv
if [ "$status" -eq 0 ] && grep -q '^,gaussian,hh,' "$TMP/out"; then ok
else bad "model_read: an id column as a term: $(cat "$TMP/err")"; fi
run model "$R/late.csv" --ids psu,hh --weights w --formula 'y ~ x' --format csv
cp "$TMP/out" "$R/two.out"
run model "$R/late.csv" --ids psu --weights w --formula 'y ~ x' --format csv
if [ "$status" -eq 0 ] && cmp -s "$TMP/out" "$R/two.out"; then ok
else bad "model_read: a second stage without an fpc changed the fit"; fi

# 300 levels: 301 coefficients
run model "$R/f300.csv" --ids psu --weights w --formula 'y ~ x + g' --format csv
if [ "$status" -eq 0 ] && [ "$(grep -c ',gaussian,gL' "$TMP/out")" = 299 ]; then ok
else bad "model_read: a factor of 300 levels: status $status $(head -c 300 "$TMP/err")"; fi
