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
for dev in /dev/stdout /proc/self/fd/1; do
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
# libcsv grew a field 128 bytes at a time: quadratic where realloc copies
# (as ASan's does).  A realloc that always copies shows it on any build:
# 17 MiB took over a minute, now a fraction of a second.
python3 -c 'import sys; open(sys.argv[1], "w").write("y,t\n1,\"" + "x" * (17 << 20) + "\"\n2,b\n")' "$TF/long.csv"
if [ "${SURVSTAT_ASAN:-}" = 1 ]; then
  pre=""
else
  printf '%s\n' '#define _GNU_SOURCE' '#include <malloc.h>' '#include <stdlib.h>' '#include <string.h>' \
    'void *realloc(void *p, size_t n) {' '  if (!p) return malloc(n);' '  if (!n) { free(p); return NULL; }' \
    '  void *q = malloc(n);' '  if (!q) return NULL;' '  size_t o = malloc_usable_size(p);' \
    '  memcpy(q, p, o < n ? o : n);' '  free(p);' '  return q;' '}' >"$TF/copyrealloc.c"
  ${CC:-cc} -O2 -shared -fPIC -o "$TF/copyrealloc.so" "$TF/copyrealloc.c" || bad "cannot build the realloc shim"
  pre="$TF/copyrealloc.so"
fi
SECONDS=0
LD_PRELOAD=$pre timeout 30 "$BIN" estimate "$TF/long.csv" --mean y >/dev/null 2>"$TMP/err"
st=$?
if [ $st -eq 1 ] && grep -q "field 2 is longer than 16777216 bytes" "$TMP/err" && [ $SECONDS -le 15 ]; then
  ok; else bad "17 MiB field with a copying realloc: exit $st after $SECONDS s: $(cat "$TMP/err")"; fi
rm -f "$TF/long.csv"
