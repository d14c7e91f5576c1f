# The passes of survstat model's IRLS in their two forms (src/stats/model.c):
# pass_fast (every term numeric or of factors alone: a row's numbers and
# factor columns, their products kept apart and put in place at the end)
# and pass_rows (any model: a row's entries added one by one to X'WX),
# which SURVSTAT_MODEL_PASS=rows forces.  Both add the same products in the
# same order, so every model of tests/ref/model_cases.txt (but the ordinal
# ones, which have no IRLS) gives the same output to the byte, and so do a
# model without intercept of factors alone, a factor-by-factor interaction,
# one thread against two on 140,000 rows (the passes, and
# the scores of the variance: two chunks of 65,536 rows on two threads and
# a last one), and models of 7 and of 9 numeric
# terms.  Sourced by tests/run_tests.sh.

MP=$TMP/model_pass
mkdir -p "$MP"
while IFS='|' read -r name data args; do
  case $name in ''|'#'*) continue ;; esac
  case $args in *ordinal*) continue ;; esac
  case $data in */*) ;; *) data=datasets/$data ;; esac
  # shellcheck disable=SC2086
  "$SURVSTAT" model "$data" $args --format csv >"$MP/fast.csv" 2>"$MP/fast.err"
  s1=$?
  # shellcheck disable=SC2086
  SURVSTAT_MODEL_PASS=rows "$SURVSTAT" model "$data" $args --format csv >"$MP/rows.csv" 2>"$MP/rows.err"
  s2=$?
  if [ "$s1" -eq 0 ] && [ "$s2" -eq 0 ] && [ -s "$MP/fast.csv" ] && cmp -s "$MP/fast.csv" "$MP/rows.csv"
  then ok; else bad "model pass forms differ on $name: $(cat "$MP/fast.err" "$MP/rows.err"; diff "$MP/fast.csv" "$MP/rows.csv" | head -4)"; fi
done < tests/ref/model_cases.txt

python3 - "$MP" <<'PY'
import random, sys
rnd = random.Random(11)
with open(sys.argv[1] + "/big.csv", "w") as f:
    f.write("st,psu,w,a,b,c,x,z,y\n")
    for i in range(140000):
        a, b, c = rnd.randrange(4), "LMH"[rnd.randrange(3)], rnd.randrange(7)
        x, z = rnd.gauss(0, 1), rnd.uniform(0, 3)
        eta = -0.5 + 0.3 * a - 0.2 * (b == "H") + 0.1 * c + 0.4 * x - 0.3 * z
        f.write("%d,%d,%.6f,%d,%s,%d,%.5f,%.4f,%d\n" % (i // 28000, i // 350, rnd.uniform(50, 150), a, b,
                c, x, z, rnd.random() < 1 / (1 + 2.718281828 ** -eta)))
PY
D="$MP/big.csv --strata st --ids psu --weights w --format csv"
for spec in \
  "--formula y~factor(a)+b+x+z --family binomial" \
  "--formula y~factor(a)*b+x --family binomial" \
  "--formula y~factor(a)+b+factor(c)-1 --family poisson" \
  "--formula x~z+I(z^2)+b" \
  "--formula y~factor(a)+factor(a):b+x --family binomial --subset c>1"; do
  # shellcheck disable=SC2086
  "$SURVSTAT" model $D $spec >"$MP/f2.csv" 2>"$MP/e" &&
    SURVSTAT_MODEL_PASS=rows "$SURVSTAT" model $D $spec >"$MP/r2.csv" 2>>"$MP/e" &&
    SURVSTAT_THREADS=1 "$SURVSTAT" model $D $spec >"$MP/f1.csv" 2>>"$MP/e"
  if [ "$?" -eq 0 ] && [ -s "$MP/f2.csv" ] && cmp -s "$MP/f2.csv" "$MP/r2.csv" &&
     cmp -s "$MP/f2.csv" "$MP/f1.csv"
  then ok; else bad "model pass forms or threads differ ($spec): $(cat "$MP/e"; diff "$MP/f2.csv" "$MP/r2.csv" | head -4)"; fi
done

# More numeric terms than fast_rows is inlined for (U > 8: the sums in
# memory), exactly 7 (U = 8), and without an intercept.
for f in 'api00~ell+meals+mobility+api99+enroll+pcttest+growth+full+emer+stype' \
         'api00~ell+meals+mobility+api99+enroll+pcttest+growth+stype' \
         'api00~ell+meals+mobility+api99+enroll+pcttest+growth+stype+sch.wide-1'; do
  S2="datasets/apistrat.csv --strata stype --weights pw --fpc fpc --format csv --formula $f"
  # shellcheck disable=SC2086
  "$SURVSTAT" model $S2 >"$MP/f3.csv" 2>"$MP/e" &&
    SURVSTAT_MODEL_PASS=rows "$SURVSTAT" model $S2 >"$MP/r3.csv" 2>>"$MP/e"
  if [ "$?" -eq 0 ] && [ "$(wc -l <"$MP/f3.csv")" -gt 8 ] && cmp -s "$MP/f3.csv" "$MP/r3.csv"
  then ok; else bad "model pass forms differ ($f): $(cat "$MP/e")"; fi
done
