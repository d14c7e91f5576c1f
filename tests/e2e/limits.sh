# Messages of the model, table, subset and sample options that had no test
# of their own: each a usage error with one line on stderr and nothing
# written.  Sourced by tests/run_tests.sh, which defines expect_error.

LM_A="datasets/apistrat.csv --strata stype --weights pw --fpc fpc"
LM_T=""
for _ in $(seq 65); do LM_T="$LM_T --test meals"; done
# shellcheck disable=SC2086
expect_error model-too-many-tests 2 "survstat model: --test: at most 64 tests" -- \
  model $LM_A --formula 'api00 ~ meals' $LM_T
# shellcheck disable=SC2086
expect_error model-interaction-order 2 "--formula: an interaction of more than 8 variables" -- \
  model $LM_A --formula 'api00 ~ a:b:c:d:e:f:g:h:i'
# shellcheck disable=SC2086
expect_error table-rows-and-mrset 2 "give --rows or --mrset, not both (the set's items are its rows)" -- \
  table $LM_A --rows stype --mrset 'm=awards,sch.wide'
# shellcheck disable=SC2086
expect_error subset-two-columns 2 "--subset: a comparison of two columns is not supported: compare a column with a number or a quoted string" -- \
  estimate $LM_A --mean api00 --subset 'api00 > api99'
printf 'id,size,draw\n1,5,1\n2,6,1\n3,7,1\n' >"$TMP/lm_frame.csv"
expect_error sample-draw-column 2 "column 'draw' is already in $TMP/lm_frame.csv: rename it (sample adds it)" -- \
  sample "$TMP/lm_frame.csv" --n 2 --seed 1 --draws 2 -o "$TMP/lm_sample.csv"
if [ ! -e "$TMP/lm_sample.csv" ]; then ok; else bad "sample-draw-column: the output was written"; fi

# Data errors of the readers and of PPS designs: exit 1, one line.
head -c 2000 datasets/apiclus1.csv | gzip -c | head -c 300 >"$TMP/lm_trunc.csv.gz"
expect_error gzip-truncated 1 "$TMP/lm_trunc.csv.gz: gzip data: unexpected end of data (a truncated or damaged .gz file)" -- \
  estimate "$TMP/lm_trunc.csv.gz" --weights pw --mean api00
printf 'p,y\n0.5,1\n,2\n0.5,3\n' >"$TMP/lm_pps.csv"
expect_error pps-missing-probability 1 "$TMP/lm_pps.csv:3: column 'p': missing inclusion probability" -- \
  estimate "$TMP/lm_pps.csv" --pps brewer --fpc p --mean y
awk -F, 'NR == 1 || ($1 != 1 && $2 != 1)' tests/data/election_joint.csv >"$TMP/lm_joint.csv"
expect_error pps-joint-missing-psu 1 "$TMP/lm_joint.csv: PSU '1' (column 'id') is not in the file: give its joint probabilities with the other PSUs of its stratum" -- \
  estimate tests/data/election_pps.csv --ids id --pps ht --joint-probs "$TMP/lm_joint.csv" --fpc p --mean Bush

# The formula's limits (64 variables, 256 terms), a NUL in a --subset
# string, and table's --by with more level combinations than a size_t
# counts (five columns of 10,000 levels each: 10^20).
LM_V=$(for i in $(seq 65); do printf 'v%d+' "$i"; done)
# shellcheck disable=SC2086
expect_error formula-variables 2 "--formula: more than 64 variables at character 259" -- \
  model $LM_A --formula "api00 ~ ${LM_V%+}"
# shellcheck disable=SC2086
expect_error formula-terms 2 "--formula: more than 256 terms at character 42" -- \
  model $LM_A --formula 'api00 ~ a*b*c*d*e*f*g*h + i*j*k*l*m*n*o*p'
# shellcheck disable=SC2086
expect_error subset-nul 2 "--subset: a string cannot hold a NUL byte" -- \
  estimate $LM_A --mean api00 --subset 'stype == "a\0b"'
awk 'BEGIN { print "b1,b2,b3,b4,b5,y,z"
             for (i = 0; i < 10000; i++) print i "," i "," i "," i "," i "," i % 5 + 1 "," i % 3 + 1 }' \
  >"$TMP/lm_by.csv"
expect_error table-by-combinations 2 "$TMP/lm_by.csv: --by: too many combinations of levels" -- \
  table "$TMP/lm_by.csv" --rows y --cols z --by b1,b2,b3,b4,b5
# A Likert chart of a labelled answer with 22 levels (at most 21 drawn).
awk 'BEGIN { print "w,x"; for (i = 0; i < 220; i++) printf "1,%c%c\n", 97 + i % 22, 97 + i % 22 }' \
  >"$TMP/lm_lk.csv"
run estimate "$TMP/lm_lk.csv" --weights w --prop x --format csv
cp "$TMP/out" "$TMP/lm_lk_res.csv"
expect_error likert-levels 2 "$TMP/lm_lk_res.csv: a likert chart draws at most 21 levels on its scale" -- \
  plot "$TMP/lm_lk_res.csv" --type likert -o "$TMP/lm_lk.png"
if [ ! -e "$TMP/lm_lk.png" ]; then ok; else bad "likert-levels: the chart was written"; fi
# A model of more than 1,000 coefficients (a factor of 1,999 levels): one
# line at once, not minutes of p^3 work and gigabytes of scores.
awk 'BEGIN { print "w,y,x,f"; for (i = 0; i < 4000; i++) print 1 + i % 7 "," i % 13 "," i % 5 ",L" i % 1999 }' \
  >"$TMP/lm_coef.csv"
expect_error model-coefficients 1 "$TMP/lm_coef.csv: term 'f': 1998 coefficients, which with the 2 before it pass the 1000 a model takes: merge levels or leave the term out" -- \
  model "$TMP/lm_coef.csv" --weights w --formula 'y ~ x + f'
