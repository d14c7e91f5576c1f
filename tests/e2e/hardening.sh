# Hardening (issue 10): limits, overflow, atomic outputs, full disks,
# signals, determinism and the inputs the fuzzers found.  Sourced by
# tests/run_tests.sh.
H=$TMP/hardening
mkdir -p "$H"

# --- limits with clear errors ----------------------------------------------
python3 - "$H" <<'PY'
import sys
d = sys.argv[1]
def write(name, rows):
    with open(f"{d}/{name}", "w") as f:
        f.write("\n".join(rows) + "\n")
# 16385 columns: one more than the limit; 16384 are read.
write("wide.csv", [",".join(f"c{i}" for i in range(16385)), ",".join("1" for _ in range(16385))])
write("wide_ok.csv", [",".join(f"c{i}" for i in range(16384))] +
      [",".join(str(r) for _ in range(16384)) for r in range(3)])
# a field of 17 MiB (a 3 MB one is read: input.sh)
write("long.csv", ["y,t", '1,"' + "x" * (17 << 20) + '"', "2,b"])
# 100000 domains, 100000 PSUs
write("manydom.csv", ["psu,w,y,dom"] + [f"{i},1.5,{i % 7},{i}" for i in range(100000)])
# a stratum per row
write("stratum_per_row.csv", ["st,psu,w,y"] + [f"s{i},{i},1,{i % 3}" for i in range(1000)])
# weights far from 1
write("tiny_w.csv", ["w,y", "1e-300,1", "1,2", "1,3"])
write("huge_w.csv", ["w,y", "1e300,1", "1,2", "1,3"])
write("overflow.csv", ["w,y", "1e149,1e200", "1e149,2", "1e149,3"])
write("big_ok.csv", ["w,y", "1e149,1", "1e149,2", "1e149,3"])
# raking to 250 levels: more calibration columns than the limit
write("rake250.csv", ["g,w,y"] + [f"{i % 250},1,{i % 3}" for i in range(500)])
write("rake250_margins.csv", ["variable,level,total"] + [f"g,{l},4" for l in range(250)])
PY
expect_error too-many-columns 1 "wide.csv:1: more than 16384 columns" -- estimate "$H/wide.csv" --mean c1
run estimate "$H/wide_ok.csv" --mean c16383 --format csv
if [ "$status" -eq 0 ] && grep -q '^,mean,c16383,,,1,' "$TMP/out"; then ok; else bad "16384 columns: exit $status: $(cat "$TMP/err")"; fi
# Under ASan too: libcsv's field buffer doubles (it grew 128 bytes at a
# time, quadratic where realloc copies, as ASan's does; trust_files.sh
# counts the reallocs).
expect_error field-too-long 1 "long.csv:2: field 2 is longer than 16777216 bytes" -- estimate "$H/long.csv" --mean y

# 100000 domains and PSUs: linear, so well under the timeout even with ASan.
timeout 120 "$BIN" estimate "$H/manydom.csv" --ids psu --weights w --mean y --by dom --format csv \
  >"$TMP/out" 2>"$TMP/err"
st=$?
if [ $st -eq 0 ] && [ "$(wc -l <"$TMP/out")" -eq 100001 ]; then ok; else bad "100000 domains: exit $st: $(head -3 "$TMP/err")"; fi
expect_error stratum-per-row 1 "survstat estimate: stratum 's0' has only one PSU at stage 1 (see --lonely-psu)" -- \
  estimate "$H/stratum_per_row.csv" --strata st --ids psu --weights w --mean y

expect_error tiny-weight 1 "tiny_w.csv:2: column 'w': weight '1e-300' is outside [1e-150, 1e+150]: rescale the weights" -- \
  estimate "$H/tiny_w.csv" --weights w --mean y
expect_error huge-weight 1 "huge_w.csv:2: column 'w': weight '1e+300' is outside [1e-150, 1e+150]: rescale the weights" -- \
  estimate "$H/huge_w.csv" --weights w --total y
expect_error overflow-inf 1 "survstat estimate: result row 1 (total y): column 'estimate' overflows to Inf (weights or values too large for double precision): rescale them" -- \
  estimate "$H/overflow.csv" --weights w --total y
run estimate "$H/big_ok.csv" --weights w --total y --format csv
if [ "$status" -eq 0 ] && grep -q '^,total,y,,,6.0000000000000001e+149,' "$TMP/out"; then ok; else bad "weights 1e149: $(cat "$TMP/out" "$TMP/err")"; fi

expect_error too-many-calibration-columns 1 "rake250_margins.csv: the margins make 251 calibration columns, more than 200: merge levels" -- \
  estimate "$H/rake250.csv" --weights w --rake "$H/rake250_margins.csv" --mean y

# --- outputs: whole or not at all -------------------------------------------
# Every command that writes, to a full disk through -o and through stdout:
# exit 1, one line, and /dev/full stays the device it is.
printf '[run]\ndata = %s\nwave = w1\nout = %s\n[design]\nweights = pw\n[estimate a]\nmean = api00\n' \
  "$ROOT/datasets/apisrs.csv" "$H/runout" >"$H/spec.ini"
full_cases=(
  "estimate datasets/apisrs.csv --weights pw --mean api00"
  "test datasets/apisrs.csv --weights pw --ttest api00 --group sch.wide"
  "describe datasets/apisrs.csv"
  "drivers datasets/apiclus1.csv --ids dnum --weights pw --fpc fpc --outcome api00 --items ell,meals"
  "weight datasets/apiclus1.csv --ids dnum --weights pw --fpc fpc --rake tests/ref/margins/rake_stype_schwide.csv --weight-name rw"
  "rates tests/data/dispositions.csv --disposition code --weights w"
  "trend tests/data/wave_2008.csv tests/data/wave_2009.csv"
  "combine tests/data/sample_a.csv tests/data/sample_b.csv"
)
if [ -c /dev/full ] && [ -w /dev/full ]; then
  for c in "${full_cases[@]}"; do
    # shellcheck disable=SC2086
    expect_error "full-o ${c%% *}" 1 "/dev/full: write error: No space left on device" -- $c -o /dev/full
    # shellcheck disable=SC2086
    "$BIN" $c >/dev/full 2>"$TMP/err"
    st=$?
    if [ $st -eq 1 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q "write error on standard output" "$TMP/err"; then
      ok
    else
      bad "full stdout ${c%% *}: exit $st: $(cat "$TMP/err")"
    fi
  done
  "$BIN" run "$H/spec.ini" >/dev/full 2>"$TMP/err"
  st=$?
  if [ $st -eq 1 ] && grep -q "write error on standard output" "$TMP/err"; then ok; else bad "full stdout run: exit $st: $(cat "$TMP/err")"; fi
  if [ -c /dev/full ]; then ok; else bad "/dev/full is no longer a character device"; fi
fi
# Every command replaces an existing output whole, leaving no temporary file.
for c in "${full_cases[@]}"; do
  printf 'old\n' >"$H/keep.csv"
  # shellcheck disable=SC2086
  run $c --format csv -o "$H/keep.csv"
  if [ "$status" -eq 0 ] && [ -s "$H/keep.csv" ] && [ "$(cat "$H/keep.csv")" != old ]; then ok; else bad "write ${c%% *}: exit $status $(cat "$TMP/err")"; fi
done
if [ -z "$(find "$H" -name '*.tmp.*')" ]; then ok; else bad "temporary files left: $(find "$H" -name '*.tmp.*')"; fi

# --- signals: an interrupted run leaves nothing behind ------------------------
# The input is a FIFO nobody writes to, so survstat blocks reading it.
sig_case() { # NAME SIGNAL DIR ARGS...: run in DIR until blocked, send SIGNAL
  local name=$1 sig=$2 dir=$3
  shift 3
  # A shell starts background jobs with SIGINT ignored (and survstat keeps
  # an ignored signal ignored, as nohup wants): reset it for the test.
  (cd "$dir" && exec python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])' "$BIN" "$@") >"$TMP/out" 2>"$TMP/err" &
  local pid=$! i
  for i in 1 2 3 4 5 6 7 8 9 10; do # until it has opened the FIFO
    [ -n "$(ls -l /proc/$pid/fd 2>/dev/null | grep -F "$dir/")" ] && break
    sleep 0.2
  done
  sleep 0.3
  kill "-$sig" "$pid"
  for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.3; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" # never hang the suite
  wait "$pid"
  status=$?
  if [ "$status" -lt 128 ]; then bad "signal $name: exit $status, not killed by SIG$sig"; return 1; fi
}
for sig in TERM INT; do
  D=$H/sig_$sig
  rm -rf "$D"; mkdir -p "$D"; mkfifo "$D/in.csv"
  sig_case "estimate $sig" "$sig" "$D" estimate in.csv --mean y -o out.csv &&
    if [ "$(ls -A "$D")" = in.csv ]; then ok; else bad "signal estimate $sig left: $(ls -A "$D")"; fi
  # survstat run: the wave directory is being built (a.csv is done) when
  # [rates r] blocks on its data; nothing of the wave may stay.
  rm -rf "$D"; mkdir -p "$D"; mkfifo "$D/d.csv"
  printf '[run]\ndata = %s\nwave = w1\nout = o\n[design]\nweights = pw\n[estimate a]\nmean = api00\n[rates r]\ndata = d.csv\ndisposition = code\n' \
    "$ROOT/datasets/apisrs.csv" >"$D/s.ini"
  sig_case "run $sig" "$sig" "$D" run s.ini &&
    if [ -d "$D/o" ] && [ -z "$(ls -A "$D/o")" ]; then ok; else bad "signal run $sig left: $(find "$D/o")"; fi
done

# --- determinism: the same input gives the same bytes -------------------------
for c in "${full_cases[@]}"; do
  for k in 1 2; do
    # shellcheck disable=SC2086
    "$BIN" $c --format csv >"$H/det$k.csv" 2>/dev/null
  done
  if [ -s "$H/det1.csv" ] && cmp -s "$H/det1.csv" "$H/det2.csv"; then ok; else bad "not deterministic: ${c%% *}"; fi
done
rm -rf "$H/runout"
for k in 1 2; do
  "$BIN" run "$H/spec.ini" >/dev/null 2>&1 && cp "$H/runout/w1/a.csv" "$H/run$k.csv"
done
if [ -s "$H/run1.csv" ] && cmp -s "$H/run1.csv" "$H/run2.csv"; then ok; else bad "run not deterministic"; fi

# --- what the fuzzers found (tests/fuzz/regress/HARNESS/) ----------------------
# Each kept input goes through the command that reads such a file: it must
# end in exit 0, 1 or 2, never a crash or a sanitizer report.
fuzz_replay() { # FILE SKIP ARGS-BEFORE-FILE...: survstat ARGS FILE (minus SKIP leading bytes)
  local f=$1 skip=$2
  shift 2
  tail -c +$((skip + 1)) "$f" >"$H/fuzz_input"
  run "$@" "$H/fuzz_input"
  case $status in 0|1|2) ok ;; *) bad "fuzz regression $f: exit $status: $(head -5 "$TMP/err")" ;; esac
}
for f in tests/fuzz/regress/table/*; do
  [ -f "$f" ] || continue
  fuzz_replay "$f" 1 describe
done
for f in tests/fuzz/regress/resultfile/*; do
  [ -f "$f" ] || continue
  fuzz_replay "$f" 0 combine "$ROOT/tests/data/sample_a.csv"
done
for f in tests/fuzz/regress/weight/*; do
  [ -f "$f" ] || continue
  fuzz_replay "$f" 1 estimate datasets/apisrs.csv --weights pw --mean api00 --rake
done
for f in tests/fuzz/regress/run/*; do
  [ -f "$f" ] || continue
  fuzz_replay "$f" 0 run --out "$H/fuzzrun"
done

# --- leaks are errors under ./survstat-asan ------------------------------------
# `make check` runs this suite with SURVSTAT_ASAN=1: prove that a leak under
# the suite's ASAN_OPTIONS would fail it (exit 99 and a LeakSanitizer report),
# with a one-line canary built like survstat-asan.
if [ "${SURVSTAT_ASAN:-}" = 1 ]; then
  printf '#include <stdlib.h>\nint main(void) { void *volatile p = malloc(64); p = 0; return p != 0; }\n' \
    >"$H/leak.c"
  if ${CC:-cc} -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -o "$H/leak" "$H/leak.c" 2>/dev/null; then
    "$H/leak" 2>"$H/leak.err"
    st=$?
    case $ASAN_OPTIONS in *detect_leaks=1*) lo=1 ;; *) lo=0 ;; esac
    if [ $st -eq 99 ] && [ $lo -eq 1 ] && grep -q "LeakSanitizer: detected memory leaks" "$H/leak.err"; then
      ok
    else
      bad "leak detection is off: canary exit $st, ASAN_OPTIONS=$ASAN_OPTIONS"
    fi
  else
    bad "leak canary: cannot build with -fsanitize=address"
  fi
fi

# A run spec line longer than inih's buffer is an error, not two lines.
printf '[run]\ndata = x.csv\nwave = w\n[estimate e]\nmean = %s\n' "$(printf 'a%.0s' $(seq 300))" >"$H/long.ini"
expect_error spec-line-too-long 1 "survstat run: $H/long.ini:5: line longer than 199 bytes" -- run "$H/long.ini" --out "$H/longout"
