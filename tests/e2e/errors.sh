# Error cases: one per user-facing message.  Sourced by tests/run_tests.sh,
# which defines expect_error.

E=$TMP/err_cases
mkdir -p "$E"
printf 'w,y\n1,2\n1,3\n' >"$E/good.csv"

# Malformed CSV.
printf 'w,y\n1,"2\n1,3\n' >"$E/unterminated.csv"
expect_error unterminated-quote 1 "survstat estimate: $E/unterminated.csv:2: unterminated quoted field" -- \
  estimate "$E/unterminated.csv" --mean y
printf 'w,y\n1,2\n1,3,4\n1,5\n' >"$E/ragged.csv"
expect_error ragged-row 1 "$E/ragged.csv:3: expected 2 fields, found 3" -- estimate "$E/ragged.csv" --mean y
printf 'w,y\n1,2\n1,2"x"\n' >"$E/stray.csv"
expect_error stray-quote 1 "$E/stray.csv:3: malformed CSV: a quote inside an unquoted field" -- \
  estimate "$E/stray.csv" --mean y
: >"$E/empty.csv"
expect_error empty-file 1 "$E/empty.csv: empty file" -- estimate "$E/empty.csv" --mean y
printf 'w,y\n' >"$E/header.csv"
expect_error header-only 1 "$E/header.csv: no data rows (header only)" -- estimate "$E/header.csv" --mean y
printf 'w,y\n1,2\n1,\0003\n' >"$E/nul.csv"
expect_error nul-byte 1 "$E/nul.csv:3: NUL byte in the file" -- estimate "$E/nul.csv" --mean y
printf 'w,y,w\n1,2,3\n' >"$E/dup.csv"
expect_error duplicate-column 1 "$E/dup.csv:1: duplicate column name 'w'" -- estimate "$E/dup.csv" --mean y
expect_error missing-file 1 "$E/nonexistent.csv: cannot open: No such file or directory" -- \
  estimate "$E/nonexistent.csv" --mean y

# Bad values.
printf 'w,y\n1,2\nabc,3\n' >"$E/badweight.csv"
expect_error non-numeric-weight 1 "survstat estimate: $E/badweight.csv:3: column 'w': invalid number 'abc'" -- \
  estimate "$E/badweight.csv" --weights w --mean y
printf 'w,y\n1,2\n-1,3\n' >"$E/negweight.csv"
expect_error negative-weight 1 "$E/negweight.csv:3: column 'w': negative weight '-1'" -- \
  estimate "$E/negweight.csv" --weights w --mean y
printf 'w,y\n1,2\n,3\n' >"$E/misweight.csv"
expect_error missing-weight 1 "$E/misweight.csv:3: column 'w': missing weight" -- \
  estimate "$E/misweight.csv" --weights w --mean y
printf 'w,y\n0,2\n0,3\n' >"$E/zeroweight.csv"
expect_error all-zero-weights 1 "$E/zeroweight.csv: column 'w': all weights are zero" -- \
  estimate "$E/zeroweight.csv" --weights w --mean y
printf 'w,y\n1,2\n1,inf\n' >"$E/inf.csv"
expect_error inf-text 1 "$E/inf.csv:3: column 'y': invalid number 'inf'" -- estimate "$E/inf.csv" --mean y
printf 'w,y\n1,nan\n1,3\n' >"$E/nan.csv"
expect_error nan-text 1 "$E/nan.csv:2: column 'y': invalid number 'nan'" -- estimate "$E/nan.csv" --mean y
printf 'w,y,g\n1,2,a\n1,3,b\n' >"$E/catmean.csv"
expect_error text-in-mean 1 "$E/catmean.csv:2: column 'g': invalid number 'a'" -- \
  estimate "$E/catmean.csv" --mean g --prop g
expect_error unknown-column 1 "$E/good.csv: no column 'nosuch'" -- estimate "$E/good.csv" --mean nosuch
expect_error unknown-weight-column 1 "$E/good.csv: no column 'wt'" -- estimate "$E/good.csv" --weights wt --mean y
printf 'w,y\n1,2\n1,3\n\xff\xfe,4\n' >"$E/badutf8.csv"
expect_error invalid-utf8-used 1 "$E/badutf8.csv:4: column 'w': value '" -- \
  estimate "$E/badutf8.csv" --prop w

# Designs.
printf 's,p,y\na,1,2\na,2,3\nb,1,4\nb,2,5\n' >"$E/nest.csv"
expect_error psu-not-nested 1 "$E/nest.csv:4: column 'p': PSU '1' is in strata 'a' and 'b' (use --nest" -- \
  estimate "$E/nest.csv" --strata s --ids p --mean y
printf 's,y\na,2\na,3\nb,4\n' >"$E/lonely.csv"
expect_error lonely-psu 1 "survstat estimate: stratum 'b' has only one PSU at stage 1 (see --lonely-psu)" -- \
  estimate "$E/lonely.csv" --strata s --mean y
printf 'y,f\n1,10\n2,0.5\n' >"$E/fpcsmall.csv"
expect_error fpc-mixed 1 "$E/fpcsmall.csv:3: column 'f': fpc '0.5' is below 1 where other values are population counts" -- \
  estimate "$E/fpcsmall.csv" --fpc f --mean y
printf 'y,f\n1,10\n2,12\n' >"$E/fpcvary.csv"
expect_error fpc-varies 1 "$E/fpcvary.csv:3: column 'f': fpc varies within stratum '1' at stage 1 ('10' and '12')" -- \
  estimate "$E/fpcvary.csv" --fpc f --mean y
printf 'y,f\n1,1.5\n2,1.5\n' >"$E/fpc100.csv"
expect_error fpc-over-100 1 "$E/fpc100.csv:2: column 'f': fpc '1.5' implies more than 100% sampling in stratum '1' at stage 1 (2 sampled)" -- \
  estimate "$E/fpc100.csv" --fpc f --mean y
printf 'y,f\n1,-0.5\n2,-0.5\n' >"$E/fpcneg.csv"
expect_error fpc-nonpositive 1 "$E/fpcneg.csv:2: column 'f': fpc '-0.5' is not a sampling fraction in (0, 1]" -- \
  estimate "$E/fpcneg.csv" --fpc f --mean y
printf 'p,y\n1,2\n,3\n' >"$E/misid.csv"
expect_error missing-id 1 "$E/misid.csv:3: column 'p': missing value in a design column" -- \
  estimate "$E/misid.csv" --ids p --mean y
printf 'p,y\n1,2\n1,3\n' >"$E/onepsu.csv"
expect_error one-psu 1 "$E/onepsu.csv: the design has only one primary sampling unit" -- \
  estimate "$E/onepsu.csv" --ids p --mean y
printf 'p,q,y,N\n1,1,2,10\n2,1,3,10\n' >"$E/twostage.csv"
expect_error weights-from-fpc 2 "weights cannot be computed from the fpc: stage 2 has no fpc" -- \
  estimate "$E/twostage.csv" --ids p,q --fpc N --mean y
expect_error fpc-too-many 2 "--fpc names 2 columns but the design has 1 stage" -- \
  estimate "$E/twostage.csv" --ids p --fpc N,N --mean y

# Output.
expect_error unwritable-output 1 "survstat estimate: /nonexistent-dir/out.csv: cannot write: No such file or directory" -- \
  estimate "$E/good.csv" --mean y -o /nonexistent-dir/out.csv
if [ -w /dev/full ]; then
  expect_error full-disk 1 "write error" -- estimate "$E/good.csv" --mean y -o /dev/full
fi
printf 'old\n' >"$E/keep.csv"
run estimate "$E/badweight.csv" --weights w --mean y -o "$E/keep.csv"
if [ "$(cat "$E/keep.csv")" = old ] && [ -z "$(ls "$E" | grep '\.tmp\.')" ]; then ok; else bad "failed run touched -o"; fi

# Usage.
expect_error no-file 2 "no input FILE" -- estimate --mean y
expect_error nothing-to-estimate 2 "nothing to estimate" -- estimate "$E/good.csv"
expect_error unknown-option 2 "option '--frobnicate' is unknown or needs a value" -- \
  estimate "$E/good.csv" --mean y --frobnicate
expect_error unknown-command 2 "survstat: unknown command 'estimat'" -- estimat "$E/good.csv"
expect_error bad-level 2 "--level: expected a number between 0 and 1, got '95'" -- \
  estimate "$E/good.csv" --mean y --level 95
expect_error bad-df 2 "--df: expected design, inf or a positive number, got '-3'" -- \
  estimate "$E/good.csv" --mean y --df -3
expect_error bad-ratio 2 "--ratio: expected NUM/DEN, got 'y'" -- estimate "$E/good.csv" --ratio y
expect_error bad-lonely 2 "--lonely-psu: unknown rule 'drop'" -- estimate "$E/good.csv" --mean y --lonely-psu drop
expect_error bad-format 2 "--format: unknown format 'xml'" -- estimate "$E/good.csv" --mean y --format xml
expect_error bad-delimiter 2 "--delimiter: expected one character or 'tab', got 'ab'" -- \
  estimate "$E/good.csv" --mean y -d ab
expect_error bad-encoding 2 "--encoding: unknown encoding 'klingon'" -- estimate "$E/good.csv" --mean y --encoding klingon
expect_error empty-list-item 2 "--mean: empty item in 'y,'" -- estimate "$E/good.csv" --mean y,
expect_error two-files 2 "one input FILE expected" -- estimate "$E/good.csv" "$E/good.csv" --mean y
expect_error describe-no-file 2 "no input FILE" -- describe

# A lonely unit at a later stage names the unit above it.
printf 'p,q,y,N\n1,1,2,10\n1,2,3,10\n2,1,3,10\n' >"$E/lonely2.csv"
expect_error lonely-stage-2 1 "survstat estimate: stratum 'p=2' has only one PSU at stage 2 (see --lonely-psu)" -- \
  estimate "$E/lonely2.csv" --ids p,q --fpc N --weights N --mean y
expect_error output-is-directory 1 "survstat estimate: $E: cannot write: Is a directory" -- \
  estimate "$E/good.csv" --mean y -o "$E"
expect_error too-many-by 2 "--by: more than 16 items" -- \
  estimate "$E/good.csv" --mean y --by y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y,y
"$BIN" estimate "$E/good.csv" --mean y >/dev/full 2>"$TMP/err"
if [ $? -eq 1 ] && grep -q "write error on standard output" "$TMP/err"; then ok; else bad "stdout full: $(cat "$TMP/err")"; fi

# --total 'factor(X)' reads X as categorical; another estimate reading X as
# numbers in the same call is a usage error (the R reference case is
# nhanes_factor_total in tests/ref/cases.txt).
expect_error total-factor-mixed 2 "--total factor(race): another estimate of this call reads 'race' as numbers; run them in two calls" -- \
  estimate datasets/nhanes.csv --ids SDMVPSU --strata SDMVSTRA --weights WTMEC2YR --nest --total 'factor(race)' --mean race
