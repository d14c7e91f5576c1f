# The source layers (README "Source layout"), checked on the objects of
# the build that made the binary under test.  Sourced by tests/run_tests.sh.

# The checker itself: an upward call and a circle are each found.
L=$TMP/layers
for l in io design stats report cli; do mkdir -p "$L/up/$l" "$L/circle/$l"; done
printf 'int a_low(void); int a_low(void) { return 1; }\n' >"$L/low.c"
printf 'int a_low(void); int b_high(void); int b_high(void) { return a_low(); }\n' >"$L/high.c"
printf 'int b_high(void); int a_low(void); int a_low(void) { return b_high(); }\n' >"$L/lowup.c"
cc -c -o "$L/up/io/low.o" "$L/lowup.c" && cc -c -o "$L/up/stats/high.o" "$L/high.c"
printf 'int f2(void); int f1(void); int f1(void) { return f2(); }\n' >"$L/c1.c"
printf 'int f1(void); int f2(void); int f2(void) { return f1() + 1; }\n' >"$L/c2.c"
cc -c -o "$L/circle/stats/one.o" "$L/c1.c" && cc -c -o "$L/circle/stats/two.o" "$L/c2.c"
out=$(python3 tests/tools/check_layers.py "$L/up" 2>&1)
if [ $? -eq 1 ] && grep -q "io/low calls up into stats/high: b_high" <<<"$out"; then ok
else bad "layers: an upward call not found: $out"; fi
out=$(python3 tests/tools/check_layers.py "$L/circle" 2>&1)
if [ $? -eq 1 ] && grep -q "a circle between stats/one, stats/two" <<<"$out"; then ok
else bad "layers: a circle not found: $out"; fi

# The tree: the objects beside the binary under test (build/ for
# ./survstat, build/asan/ for ./survstat-asan).
case $BIN in *-asan) LB=build/asan ;; *) LB=build ;; esac
if [ -d "$LB/io" ]; then
  out=$(python3 tests/tools/check_layers.py "$LB" 2>&1)
  if [ $? -eq 0 ]; then ok; else bad "layers: $out"; fi
fi
