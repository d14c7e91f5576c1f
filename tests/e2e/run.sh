# survstat run: a spec end to end, a rerun that adds a wave (and the trend),
# a failing wave that leaves the earlier outputs, and one case per message.
# Sourced by tests/run_tests.sh.

RN=$TMP/run_cases
mkdir -p "$RN"
O=$RN/out
run run tests/data/api.ini --out "$O"
if [ "$status" -eq 0 ] && [ -s "$O/2000/scores.csv" ] && [ -s "$O/2000/targets.csv" ] &&
   [ ! -e "$O/scores_change.csv" ]; then ok; else bad "run one wave: $(cat "$TMP/err"; ls -R "$O")"; fi
# The outputs are those of the commands themselves.
"$SURVSTAT" estimate datasets/apistrat.csv --strata stype --weights pw --fpc fpc --mean api00 \
  --by stype --flags nchs --wave 2000 --format csv >"$RN/direct.csv" 2>/dev/null
if cmp -s "$RN/direct.csv" "$O/2000/scores.csv"; then ok; else bad "run output differs from estimate's"; fi
# A second wave: its directory, and the trend over both.
run run tests/data/api.ini --out "$O" --data datasets/apisrs.csv --wave 2001
if [ "$status" -eq 0 ] && [ -s "$O/2001/scores.csv" ] && [ -s "$O/scores_change.csv" ] &&
   grep -q '^2001,mean,api00,,stype=E,.*,2000,2001,' "$O/scores_change.csv"; then ok; else
  bad "run second wave: $(cat "$TMP/err")"; fi
# A failing rerun of 2001 leaves 2001 as it was and no temporary directory.
cp "$O/2001/scores.csv" "$RN/before.csv"
run run tests/data/api.ini --out "$O" --data "$RN/missing.csv" --wave 2001
if [ "$status" -eq 1 ] && cmp -s "$RN/before.csv" "$O/2001/scores.csv" &&
   [ -z "$(ls -A "$O" | grep '^\.' | grep -vx '\.waves')" ] &&
   grep -q "tests/data/api.ini:1[0-9]: \[estimate scores\] failed; the earlier outputs are as they were" "$TMP/err"; then
  ok; else bad "run failure keeps outputs: $(cat "$TMP/err"; ls -A "$O")"; fi

printf '[run]\ndata = x.csv\nwave = 1\n[estimat scores]\nmean = y\n' >"$RN/badsec.ini"
expect_error run-unknown-section 1 "$RN/badsec.ini:4: unknown section [estimat]" -- run "$RN/badsec.ini"
printf '[run]\ndata = x.csv\nwave = 1\n[estimate scores]\nmean = y\nmeen = z\n' >"$RN/badkey.ini"
expect_error run-unknown-key 1 "$RN/badkey.ini:6: unknown key 'meen' in [estimate]" -- run "$RN/badkey.ini"
printf '[run]\ndata = x.csv\nwave = 1\n[design]\nnest = maybe\n' >"$RN/badflag.ini"
expect_error run-bad-yes-no 1 "$RN/badflag.ini:5: key 'nest': expected yes or no, got 'maybe'" -- run "$RN/badflag.ini"
printf '[run]\ndata = x.csv\nwave = 1\nthis is not ini\n' >"$RN/notini.ini"
expect_error run-not-ini 1 "$RN/notini.ini:4: not an INI line" -- run "$RN/notini.ini"
printf '[estimate]\nmean = y\n' >"$RN/noname.ini"
expect_error run-section-needs-name 1 "$RN/noname.ini:1: section [estimate] needs a name" -- run "$RN/noname.ini"
printf '[design x]\nweights = w\n' >"$RN/named.ini"
expect_error run-section-takes-no-name 1 "$RN/named.ini:1: section [design x] takes no name" -- run "$RN/named.ini"
printf '[estimate a]\nmean = y\n[drivers a]\noutcome = y\n' >"$RN/dup.ini"
expect_error run-duplicate-name 1 "$RN/dup.ini:3: the name 'a' is taken (line 1)" -- run "$RN/dup.ini"
printf '[estimate a]\nmean = y\n' >"$RN/nodata.ini"
expect_error run-no-data 2 "give the data and the wave" -- run "$RN/nodata.ini"
expect_error run-bad-wave 2 "wave '../x' cannot name a directory" -- run "$RN/nodata.ini" --data a.csv --wave ../x
expect_error run-no-spec 2 "no SPEC" -- run
expect_error run-missing-spec 1 "$RN/none.ini: cannot open" -- run "$RN/none.ini"
expect_error run-unknown-option 2 "option '--bogus' is unknown" -- run "$RN/nodata.ini" --bogus
printf '[run]\ndata = datasets/apisrs.csv\nwave = 1\nout = %s\n[trend t]\ninput = nothing\n' "$RN/o2" >"$RN/badtrend.ini"
expect_error run-trend-input 1 "$RN/badtrend.ini:5: [trend t]: input must name an estimate section" -- run "$RN/badtrend.ini"

# One read of the data for all the estimate and drivers sections of a wave:
# from a FIFO, which can be read only once, a spec with three sections gives
# what the three commands give on the file (a second read would wait for a
# writer that never comes: timeout).
printf '[design]\nstrata = stype\nweights = pw\nfpc = fpc\n[estimate scores]\nmean = api00,api99\n[estimate awards]\nprop = awards\nby = stype\n[drivers keys]\noutcome = api00\nitems = meals,ell\n' >"$RN/shared.ini"
rm -f "$RN/fifo.csv"
mkfifo "$RN/fifo.csv"
cat datasets/apistrat.csv >"$RN/fifo.csv" &
feeder=$!
SD="--strata stype --weights pw --fpc fpc --wave 1"
timeout 60 "$SURVSTAT" run "$RN/shared.ini" --data "$RN/fifo.csv" --wave 1 --out "$RN/shared" >/dev/null 2>"$TMP/err"
status=$?
kill "$feeder" 2>/dev/null # still waiting for a reader if run failed early
wait "$feeder" 2>/dev/null
# shellcheck disable=SC2086
{ "$SURVSTAT" estimate datasets/apistrat.csv $SD --mean api00,api99 -o "$RN/s1.csv" &&
  "$SURVSTAT" estimate datasets/apistrat.csv $SD --prop awards --by stype -o "$RN/s2.csv" &&
  "$SURVSTAT" drivers datasets/apistrat.csv $SD --outcome api00 --items meals,ell -o "$RN/s3.csv"; } 2>/dev/null
if [ "$status" -eq 0 ] && cmp -s "$RN/s1.csv" "$RN/shared/1/scores.csv" &&
   cmp -s "$RN/s2.csv" "$RN/shared/1/awards.csv" && cmp -s "$RN/s3.csv" "$RN/shared/1/keys.csv"; then
  ok; else bad "run reads the data once: exit $status: $(cat "$TMP/err")"; fi
# When the shared read fails (one section reads a text column as numbers),
# every section reads the file itself: the first succeeds, the second fails
# with the message 'estimate' gives alone.
printf '[design]\nweights = pw\n[estimate good]\nmean = api00\n[estimate bad]\nmean = sname\n' >"$RN/sharebad.ini"
run estimate datasets/apistrat.csv --weights pw --mean sname
alone=$(head -1 "$TMP/err")
run run "$RN/sharebad.ini" --data datasets/apistrat.csv --wave 1 --out "$RN/sharebad"
if [ "$status" -eq 1 ] && [ -n "$alone" ] && grep -qF -- "$alone" "$TMP/err" &&
   grep -q "\[estimate bad\] failed" "$TMP/err" && ! grep -q "good\] failed" "$TMP/err" &&
   [ "$(grep -c . "$TMP/err")" -eq 2 ]; then
  ok; else bad "run shared read fails: exit $status: $(cat "$TMP/err") (alone: $alone)"; fi
