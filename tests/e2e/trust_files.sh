# Files and processes (issue 18, items 11 to 14 and 18): output modes,
# read-only files, links and devices, file-size limits, survstat run's
# section names, locks and leftovers, charts that gnuplot leaves truncated
# or never finishes, long labels, and libcsv's growth of a long field.
# Sourced by tests/run_tests.sh.
TF=$TMP/trust_files
rm -rf "$TF"
mkdir -p "$TF"
EST="estimate datasets/apisrs.csv --weights pw --mean api00"

# --- modes: a new output is 0666 less the umask, a replaced one keeps its
# mode, a read-only one is refused (item 12) -----------------------------------
(umask 027 && "$BIN" $EST -o "$TF/new.csv" 2>"$TMP/err")
m=$(stat -c %a "$TF/new.csv" 2>/dev/null)
if [ "$m" = 640 ]; then ok; else bad "umask 027: new output has mode $m, want 640: $(cat "$TMP/err")"; fi
(umask 0 && "$BIN" $EST -o "$TF/new0.csv" 2>/dev/null)
m=$(stat -c %a "$TF/new0.csv" 2>/dev/null)
if [ "$m" = 666 ]; then ok; else bad "umask 0: new output has mode $m, want 666"; fi
printf 'old\n' >"$TF/kept.csv"
chmod 604 "$TF/kept.csv"
run $EST -o "$TF/kept.csv"
m=$(stat -c %a "$TF/kept.csv")
if [ "$status" -eq 0 ] && [ "$m" = 604 ] && grep -q api00 "$TF/kept.csv"; then ok; else bad "replaced output has mode $m, want 604: $(cat "$TMP/err")"; fi
# A file without write bits was marked read-only: refused even for root
# (who may write anything), and left as it was.
printf 'old\n' >"$TF/ro.csv"
chmod 444 "$TF/ro.csv"
expect_error output-read-only 1 "$TF/ro.csv: not writable (chmod u+w it or choose another -o)" -- $EST -o "$TF/ro.csv"
if [ "$(cat "$TF/ro.csv")" = old ] && [ "$(stat -c %a "$TF/ro.csv")" = 444 ]; then ok; else bad "read-only output changed"; fi
# Another user's file in a directory anyone may write: access(W_OK) says no.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
  NB=$(mktemp -d) # $TMP is private to root
  chmod 777 "$NB"
  printf 'old\n' >"$NB/root.csv"
  chmod 644 "$NB/root.csv"
  setpriv --reuid=65534 --regid=65534 --clear-groups "$BIN" $EST -o "$NB/root.csv" >/dev/null 2>"$TMP/err"
  st=$?
  if [ $st -eq 1 ] && [ "$(cat "$NB/root.csv")" = old ] && grep -q "root.csv: not writable" "$TMP/err"; then
    ok; else bad "another user's file: exit $st: $(cat "$TMP/err")"; fi
  rm -rf "$NB"
fi

# --- links and what is not a regular file (item 12) ----------------------------
# -o through a symbolic link writes the file it names; the link stays.
printf 'old\n' >"$TF/target.csv"
ln -s target.csv "$TF/link.csv"
run $EST -o "$TF/link.csv"
if [ "$status" -eq 0 ] && [ -L "$TF/link.csv" ] && grep -q api00 "$TF/target.csv"; then ok; else bad "-o through a link: $(ls -l "$TF"; cat "$TMP/err")"; fi
ln -s nowhere.csv "$TF/dangling.csv"
expect_error output-dangling-link 1 "$TF/dangling.csv: a symbolic link to nothing: write to its target or remove it" -- $EST -o "$TF/dangling.csv"
if [ -L "$TF/dangling.csv" ] && [ ! -e "$TF/nowhere.csv" ]; then ok; else bad "a dangling link was replaced"; fi
# /dev/stdout and /proc/self/fd/1 on a file opened for appending: written
# through the descriptor, so nothing is truncated or renamed over.
ln -sf /dev/stdout "$TF/to_stdout.csv"
for dev in /dev/stdout /proc/self/fd/1 /dev/./stdout "$TF/to_stdout.csv"; do
  printf 'first\n' >"$TF/append.txt"
  ino=$(stat -c %i "$TF/append.txt")
  "$BIN" $EST --format csv -o "$dev" >>"$TF/append.txt" 2>"$TMP/err"
  st=$?
  if [ $st -eq 0 ] && [ "$(head -1 "$TF/append.txt")" = first ] && grep -q '^,mean,api00' "$TF/append.txt" &&
     [ "$(stat -c %i "$TF/append.txt")" = "$ino" ]; then ok; else bad "-o $dev appending: exit $st: $(cat "$TMP/err" "$TF/append.txt")"; fi
done
# A FIFO stays a FIFO, and its reader gets the output.
mkfifo "$TF/fifo.csv"
timeout 20 cat "$TF/fifo.csv" >"$TF/from_fifo.csv" &
reader=$!
timeout 20 "$BIN" $EST --format csv -o "$TF/fifo.csv" 2>"$TMP/err"
st=$?
wait "$reader"
if [ $st -eq 0 ] && [ -p "$TF/fifo.csv" ] && grep -q '^,mean,api00' "$TF/from_fifo.csv"; then ok; else bad "-o FIFO: exit $st: $(cat "$TMP/err")"; fi
run $EST -o /dev/null
if [ "$status" -eq 0 ] && [ -c /dev/null ]; then ok; else bad "-o /dev/null: exit $status"; fi

# --- a file-size limit: EFBIG like any write error, nothing left (item 14) ----
(ulimit -f 1 && exec "$BIN" estimate datasets/apisrs.csv --weights pw --mean api00 --by cname --format csv \
  -o "$TF/big.csv") >/dev/null 2>"$TMP/err"
st=$?
if [ $st -eq 1 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q "big.csv: write error: File too large" "$TMP/err" &&
   [ -z "$(ls "$TF" | grep big)" ]; then ok; else bad "ulimit -f: exit $st: $(cat "$TMP/err"; ls "$TF")"; fi
(ulimit -f 1 && exec "$BIN" estimate datasets/apisrs.csv --weights pw --mean api00 --by cname --format csv) \
  >"$TF/big_stdout.csv" 2>"$TMP/err"
st=$?
if [ $st -eq 1 ] && grep -q "write error on standard output: File too large" "$TMP/err"; then ok; else bad "ulimit -f stdout: exit $st: $(cat "$TMP/err")"; fi

# --- a long quoted field is read in linear time (item 18) ----------------------
# libcsv grew a field 128 bytes at a time: 136,000 reallocs for 17 MiB,
# quadratic where realloc copies (ASan's does: over a minute for 3 MB).
# Counted with a realloc shim on a plain build; timed under ASan.
python3 -c 'import sys; open(sys.argv[1], "w").write("y,t\n1,\"" + "x" * (17 << 20) + "\"\n2,b\n")' "$TF/long.csv"
if [ "${SURVSTAT_ASAN:-}" = 1 ]; then
  SECONDS=0
  timeout 60 "$BIN" estimate "$TF/long.csv" --mean y >/dev/null 2>"$TMP/err"
  st=$?
  if [ $st -eq 1 ] && grep -q "field 2 is longer than 16777216 bytes" "$TMP/err" && [ $SECONDS -le 20 ]; then
    ok; else bad "17 MiB field under ASan: exit $st after $SECONDS s: $(cat "$TMP/err")"; fi
else
  printf '%s\n' '#define _GNU_SOURCE' '#include <dlfcn.h>' '#include <stdio.h>' '#include <stdlib.h>' \
    'static long n;' 'void *realloc(void *p, size_t s) {' \
    '  static void *(*real)(void *, size_t);' '  if (!real) real = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");' \
    '  n++;' '  return real(p, s);' '}' \
    '__attribute__((destructor)) static void done(void) {' '  const char *f = getenv("REALLOC_COUNT");' \
    '  FILE *fp = f ? fopen(f, "w") : NULL;' '  if (fp) { fprintf(fp, "%ld\n", n); fclose(fp); }' '}' >"$TF/countrealloc.c"
  if ${CC:-cc} -O2 -shared -fPIC -o "$TF/countrealloc.so" "$TF/countrealloc.c" -ldl; then
    timeout 60 env REALLOC_COUNT="$TF/reallocs" LD_PRELOAD="$TF/countrealloc.so" "$BIN" estimate "$TF/long.csv" --mean y >/dev/null 2>"$TMP/err"
    st=$?
    n=$(cat "$TF/reallocs" 2>/dev/null)
    if [ $st -eq 1 ] && grep -q "field 2 is longer than 16777216 bytes" "$TMP/err" && [ -n "$n" ] && [ "$n" -le 200 ]; then
      ok; else bad "17 MiB field: exit $st, ${n:-?} reallocs (at most 200): $(cat "$TMP/err")"; fi
  else
    bad "cannot build the realloc counter"
  fi
fi
rm -f "$TF/long.csv"

# --- survstat run: names, what a run may replace, locks, leftovers (item 11) ---
RF=$TF/run
mkdir -p "$RF"
runspec() { # FILE SECTIONS...: a spec on apisrs with the [design] weights and the sections given
  local f=$1
  shift
  { printf '[run]\ndata = %s\nwave = w1\n[design]\nweights = pw\n' "$ROOT/datasets/apisrs.csv"; printf '%b' "$@"; } >"$f"
}
# A section name that is not a plain file name: a usage error, nothing written
# (it wrote outside --out, and the file stayed after the run failed).
runspec "$RF/escape.ini" '[estimate ok]\nmean = api00\n[estimate ../../escape]\nmean = api00\n[estimate bad]\nmean = nosuch\n'
expect_error run-name-not-plain 2 "$RF/escape.ini:8: section name '../../escape' is not a plain file name (letters, digits, '_', '-', '.', not first)" -- \
  run "$RF/escape.ini" --out "$RF/o1"
if [ -z "$(find "$RF" -name 'escape*.csv')" ] && [ ! -e "$RF/o1" ]; then ok; else bad "run escape: $(find "$RF")"; fi
runspec "$RF/space.ini" '[estimate my scores]\nmean = api00\n'
expect_error run-name-space 2 "section name 'my scores' is not a plain file name" -- run "$RF/space.ini" --out "$RF/o1"
# Long names are not cut: two names alike in their first 60 bytes are two files.
long=$(printf 'n%.0s' $(seq 60))
runspec "$RF/long.ini" "[estimate ${long}_a]\\nmean = api00\\n[estimate ${long}_b]\\nprop = stype\\n"
run run "$RF/long.ini" --out "$RF/olong"
if [ "$status" -eq 0 ] && grep -q ',mean,api00' "$RF/olong/w1/${long}_a.csv" && ! grep -q ',prop,' "$RF/olong/w1/${long}_a.csv" &&
   grep -q ',prop,stype' "$RF/olong/w1/${long}_b.csv"; then ok; else bad "run long names: exit $status: $(cat "$TMP/err"; ls "$RF/olong/w1")"; fi
# A section with no keys would be skipped: an error.  Keys before any
# section, and a section given twice, too.
runspec "$RF/empty.ini" '[estimate a]\nmean = api00\n[estimate nothing]\n; its keys went elsewhere\n'
expect_error run-empty-section 1 "$RF/empty.ini:8: section [estimate nothing] has no keys: give its options or remove it" -- run "$RF/empty.ini" --out "$RF/o2"
printf 'mean = y\n[estimate a]\nmean = y\n' >"$RF/nosec.ini"
expect_error run-key-before-section 1 "$RF/nosec.ini:1: key 'mean' before any [section]" -- run "$RF/nosec.ini"
runspec "$RF/twice.ini" '[estimate a]\nmean = api00\n[design]\nstrata = stype\n'
expect_error run-section-twice 1 "$RF/twice.ini:8: section [design] is given twice (line 4): merge them" -- run "$RF/twice.ini" --out "$RF/o2"
if [ ! -e "$RF/o2" ]; then ok; else bad "a refused spec made $RF/o2"; fi
# DIR/WAVE must be a wave directory: a regular file there, or a directory
# holding what a run never writes, is refused and left alone.
runspec "$RF/ok.ini" '[estimate a]\nmean = api00\n'
mkdir -p "$RF/o3"
printf 'precious\n' >"$RF/o3/w1"
expect_error run-wave-is-file 1 "$RF/o3/w1: is not a directory survstat run wrote: move it away or choose another --out" -- run "$RF/ok.ini" --out "$RF/o3"
if [ "$(cat "$RF/o3/w1")" = precious ] && [ "$(ls -A "$RF/o3" | grep -vx "\.waves")" = w1 ]; then ok; else bad "run replaced a file: $(ls -A "$RF/o3" | grep -vx "\.waves")"; fi
mkdir -p "$RF/o4/w1"
printf 'notes\n' >"$RF/o4/w1/notes.txt"
expect_error run-wave-foreign 1 "$RF/o4/w1: holds 'notes.txt', which survstat run does not write: move it away or choose another --out" -- run "$RF/ok.ini" --out "$RF/o4"
if [ -f "$RF/o4/w1/notes.txt" ]; then ok; else bad "run removed a foreign directory"; fi
# A rerun replaces the wave and leaves no dot entry (no .w1.old.PID).
run run "$RF/ok.ini" --out "$RF/o5" --quiet
run run "$RF/ok.ini" --out "$RF/o5" --quiet
# (the wave's files: the section's table and the report pack)
if [ "$status" -eq 0 ] && [ "$(ls -A "$RF/o5" | grep -vx "\.waves")" = w1 ] &&
   [ "$(ls -A "$RF/o5/w1" | tr '\n' ' ')" = "a.csv report.html report.xlsx " ] &&
   [ "$(cat "$TMP/out")" = "$(printf '%s\n' "$RF/o5/w1/a.csv" "$RF/o5/w1/report.html" "$RF/o5/w1/report.xlsx")" ]; then ok; else bad "run --quiet rerun: exit $status: $(cat "$TMP/err"; ls -A "$RF/o5")"; fi
# Two runs on one DIR/WAVE: the second is refused with a clear message while
# the first (blocked on a FIFO) holds the lock; the first then finishes.
mkfifo "$RF/slow.csv"
runspec "$RF/lock.ini" '[estimate a]\nmean = api00\n[rates r]\ndata = '"$RF/slow.csv"'\ndisposition = code\n'
timeout 30 "$BIN" run "$RF/lock.ini" --out "$RF/o6" >"$RF/first.out" 2>"$RF/first.err" &
first=$!
for i in $(seq 50); do [ -n "$(ls -l /proc/$first/fd 2>/dev/null | grep -F slow.csv)" ] && break; sleep 0.1; done
timeout 10 "$BIN" run "$RF/lock.ini" --out "$RF/o6" >/dev/null 2>"$RF/second.err" # without a lock it would wait on the FIFO too
second=$?
cat tests/data/dispositions.csv >"$RF/slow.csv"
wait "$first"
st=$?
if [ "$second" -eq 1 ] && grep -qF "survstat run: another run is writing into $RF/o6: wait for it to end" "$RF/second.err" &&
   [ "$(wc -l <"$RF/second.err")" -eq 1 ] && [ $st -eq 0 ] && [ -s "$RF/o6/w1/r.csv" ] &&
   [ "$(ls -A "$RF/o6" | grep -vx "\.waves")" = w1 ]; then ok; else
  bad "concurrent runs: second $second: $(cat "$RF/second.err"); first $st: $(cat "$RF/first.err"); $(ls -A "$RF/o6" | grep -vx "\.waves")"; fi
# A trend that fails leaves the whole directory as it was: the new wave
# does not appear without its trend.
runspec "$RF/trend.ini" '[estimate a]\nmean = api00\n[trend a_change]\ninput = a\nstatistic = nosuch\n'
run run "$RF/trend.ini" --out "$RF/o7"
run run "$RF/trend.ini" --out "$RF/o7" --wave w2
if [ "$status" -eq 1 ] && grep -q "\[trend a_change\] failed; the earlier outputs are as they were" "$TMP/err" &&
   [ "$(ls -A "$RF/o7" | grep -vx "\.waves")" = w1 ]; then ok; else bad "run failing trend: exit $status: $(cat "$TMP/err"; ls -A "$RF/o7")"; fi

# --- charts: incomplete, hanging gnuplot, long labels (item 13) ----------------
alive() { # PID: runs (a zombie nobody reaps in a container does not count)
  [ -n "$1" ] && [ -r "/proc/$1/status" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}
PF=$TF/plot
mkdir -p "$PF"
CH="plot tests/data/wave_2008.csv --type bar --variable api00"
if command -v gnuplot >/dev/null; then
  run $CH -o "$PF/good.png"
  cp "$PF/good.png" "$PF/good.copy"
  # gnuplot on a full disk exits 0 with a truncated file: a fake gnuplot
  # that does so (the chart it names in 'set output', cut short).
  for ext in png svg pdf; do
    run $CH -o "$PF/full.$ext"
    cp "$PF/full.$ext" "$PF/full.$ext.copy"
    printf '#!/bin/sh\nout=$(sed -n "s/^set output '"'"'\\(.*\\)'"'"'$/\\1/p")\nhead -c 300 "%s" >"$out"\n' "$PF/full.$ext.copy" >"$PF/truncating.sh"
    chmod +x "$PF/truncating.sh"
    EXT=$(echo "$ext" | tr a-z A-Z)
    expect_error "plot-incomplete-$ext" 1 "$PF/full.$ext: gnuplot '$PF/truncating.sh' wrote an incomplete $EXT (is the disk full?); the old chart is kept" -- \
      $CH -o "$PF/full.$ext" --gnuplot "$PF/truncating.sh"
    if cmp -s "$PF/full.$ext" "$PF/full.$ext.copy" && [ -z "$(ls "$PF" | grep tmp)" ]; then ok; else bad "incomplete $ext replaced the chart: $(ls "$PF")"; fi
  done
  # A real full disk, where a small tmpfs can be mounted (root in CI).
  if mkdir -p "$PF/mnt" && mount -t tmpfs -o size=48k tmpfs "$PF/mnt" 2>/dev/null; then
    cp "$PF/good.png" "$PF/mnt/chart.png"
    head -c 20000 /dev/zero >"$PF/mnt/filler" # 8 KiB stay free: gnuplot writes part of the chart
    run $CH -o "$PF/mnt/chart.png" --width 2000 --height 2000
    if [ "$status" -eq 1 ] && grep -q "wrote an incomplete PNG (is the disk full?); the old chart is kept" "$TMP/err" &&
       cmp -s "$PF/mnt/chart.png" "$PF/good.png" && [ "$(ls "$PF/mnt")" = "chart.png
filler" ]; then ok; else bad "plot on a full tmpfs: exit $status: $(cat "$TMP/err"; ls "$PF/mnt")"; fi
    umount "$PF/mnt"
  fi
  # Long labels are shortened with an ellipsis (UTF-8 kept whole), not an
  # empty chart: the script names them so, and gnuplot draws the chart
  # without "canvas area too small".
  python3 - "$PF/long.csv" <<'PY'
import sys
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write("wave,statistic,variable,level,domain,estimate,se,ci_low,ci_high,df,deff,n,n_eff,cv,flag\n")
    f.write(",mean,y,,g=" + "x" * 100000 + ",1,0.1,0.8,1.2,10,,20,,,\n")
    f.write(",mean,y,,g=" + "青岛市" * 100 + ",2,0.1,1.8,2.2,10,,20,,,\n")
PY
  run plot "$PF/long.csv" --type bar --script -
  if [ "$status" -eq 0 ] && grep -qF "set ytics ('青岛市青岛市青岛市青岛市青岛市青岛市…' 2, 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…' 1)" "$TMP/out"; then
    ok; else bad "long labels: $(grep ytics "$TMP/out" | cut -c1-200)"; fi
  run plot "$PF/long.csv" --type bar -o "$PF/long.png"
  if [ "$status" -eq 0 ] && ! grep -q "too small" "$TMP/err" && [ "$(stat -c %s "$PF/long.png")" -gt 8000 ]; then
    ok; else bad "long labels chart: exit $status: $(cat "$TMP/err")"; fi
fi
# A gnuplot that hangs: stopped with its whole process group after
# --gnuplot-timeout, one error line, nothing written.
printf '#!/bin/sh\ncat >/dev/null\nsleep 300 &\necho $! >"%s"\nwait\n' "$PF/hang.pid" >"$PF/hang.sh"
chmod +x "$PF/hang.sh"
SECONDS=0
# (timeout: without --gnuplot-timeout it would wait for the sleep)
timeout 30 "$BIN" $CH -o "$PF/hang.png" --gnuplot "$PF/hang.sh" --gnuplot-timeout 1 >"$TMP/out" 2>"$TMP/err"
st=$?
sleeper=$(cat "$PF/hang.pid" 2>/dev/null)
if [ $st -eq 1 ] && [ $SECONDS -le 10 ] && [ "$(cat "$TMP/err")" = "survstat plot: gnuplot '$PF/hang.sh' did not finish in 1 s and was stopped (--gnuplot-timeout); no chart written" ] &&
   [ -n "$sleeper" ] && ! alive "$sleeper" && [ -z "$(ls "$PF" | grep hang.png)" ]; then
  ok; else bad "hanging gnuplot: exit $st after $SECONDS s: $(cat "$TMP/err"); sleeper $sleeper; $(ls "$PF")"; fi
[ -n "$sleeper" ] && kill "$sleeper" 2>/dev/null
expect_error plot-timeout-bad 2 "--gnuplot-timeout: expected seconds above 0 and at most 86400, got '0'" -- $CH -o "$PF/x.png" --gnuplot-timeout 0
# survstat killed while gnuplot runs: gnuplot's group dies with it.
for sig in TERM INT; do
  rm -f "$PF/hang.pid"
  python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])' "$BIN" $CH -o "$PF/sig.png" --gnuplot "$PF/hang.sh" >/dev/null 2>&1 &
  pid=$!
  for i in $(seq 50); do [ -s "$PF/hang.pid" ] && break; sleep 0.1; done
  kill "-$sig" "$pid"
  for i in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  wait "$pid"
  st=$?
  sleeper=$(cat "$PF/hang.pid" 2>/dev/null)
  sleep 0.2
  if [ $st -ge 128 ] && [ -n "$sleeper" ] && ! alive "$sleeper" && [ -z "$(ls "$PF" | grep sig.png)" ]; then
    ok; else bad "plot killed by SIG$sig: exit $st, gnuplot's child ${sleeper:-?} $(alive "$sleeper" && echo still runs); $(ls "$PF")"; fi
  [ -n "$sleeper" ] && kill "$sleeper" 2>/dev/null
done
# A trend table whose path is taken by a directory: refused before the new
# wave is put in place, so DIR (wave, .waves) is as it was.
runspec "$RF/trend2.ini" '[estimate a]\nmean = api00\n[trend chg]\ninput = a\nchart = no\n'
run run "$RF/trend2.ini" --out "$RF/o8"
mkdir -p "$RF/o8/chg.csv/x"
waves_before=$(cat "$RF/o8/.waves" 2>/dev/null)
run run "$RF/trend2.ini" --out "$RF/o8" --wave w2
if [ "$status" -eq 1 ] && grep -qF "o8/chg.csv: is not a file survstat run wrote" "$TMP/err" &&
   [ "$(wc -l <"$TMP/err")" -eq 1 ] && [ ! -e "$RF/o8/w2" ] &&
   [ "$(cat "$RF/o8/.waves" 2>/dev/null)" = "$waves_before" ]; then ok; else
  bad "run trend target taken: exit $status: $(cat "$TMP/err"; ls -A "$RF/o8")"; fi
# A run that fails into a new --out leaves no directory behind.
runspec "$RF/bad.ini" '[estimate a]\nmean = nosuchcolumn\n'
run run "$RF/bad.ini" --out "$RF/o9"
if [ "$status" -eq 1 ] && [ ! -e "$RF/o9" ]; then ok; else bad "run failed into a new DIR: exit $status: $(ls -A "$RF/o9" 2>&1)"; fi
