#!/usr/bin/env bash
# End-to-end tests of the survstat command line.
#   tests/run_tests.sh ./survstat
# Runs every R reference case (tests/ref/cases.txt), the error cases, the
# input cases and the examples of README.md and --help, and ends with the
# line "N passed, N failed".  Exit status 0 when nothing failed.
set -u
BIN=${1:-./survstat}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
export SURVSTAT=$BIN
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
export LC_ALL=C.UTF-8
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=99}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=99}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export TMP

pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# run NAME -- ARGS...: run survstat, keep stdout, stderr and status.
run() {
  "$BIN" "$@" >"$TMP/out" 2>"$TMP/err"
  status=$?
  if [ $status -eq 99 ]; then
    echo "sanitizer report:"; cat "$TMP/err"
  fi
  return 0
}

# expect_error NAME STATUS 'MESSAGE' -- ARGS...: runs survstat ARGS, expects
# the exit STATUS, exactly one line on stderr that contains MESSAGE (when
# STATUS is 1), and nothing on stdout.
expect_error() {
  local name=$1 want=$2 msg=$3
  shift 4
  run "$@"
  local lines
  lines=$(wc -l <"$TMP/err")
  if [ "$status" -ne "$want" ]; then
    bad "error $name: exit $status, want $want: $(cat "$TMP/err")"
  elif ! grep -qF -- "$msg" "$TMP/err"; then
    bad "error $name: stderr '$(cat "$TMP/err")' lacks '$msg'"
  elif [ "$want" -eq 1 ] && [ "$lines" -ne 1 ]; then
    bad "error $name: $lines lines on stderr: $(cat "$TMP/err")"
  elif [ -s "$TMP/out" ]; then
    bad "error $name: wrote to stdout"
  else
    ok
  fi
}

# parser_same NAME ARGS...: survstat ARGS through libcsv alone
# (SURVSTAT_PARSER=libcsv) and through its own splitting of lines without
# quotes: the same exit status, stdout and stderr.
parser_same() {  # NAME ARGS...
  local name=$1
  shift
  SURVSTAT_PARSER=libcsv "$BIN" "$@" >"$TMP/out1" 2>"$TMP/err1"
  local s1=$?
  "$BIN" "$@" >"$TMP/out2" 2>"$TMP/err2"
  local s2=$?
  if [ $s1 -ne $s2 ] || ! cmp -s "$TMP/out1" "$TMP/out2" || ! cmp -s "$TMP/err1" "$TMP/err2"; then
    bad "parser $name: libcsv exit $s1, plain exit $s2: $(diff "$TMP/out1" "$TMP/out2" | head -4) $(head -c 200 "$TMP/err1") / $(head -c 200 "$TMP/err2")"
  else
    ok
  fi
}

# expect_csv NAME 'EXPECTED CELLS' -- ARGS...: runs survstat ARGS --format csv
# and compares "statistic,variable,level,domain,estimate,se,n" of every row,
# numbers to 1e-12 relative.
expect_csv() {
  local name=$1 want=$2
  shift 3
  run "$@" --format csv
  if [ "$status" -ne 0 ]; then
    bad "input $name: exit $status: $(cat "$TMP/err")"
    return
  fi
  if python3 - "$TMP/out" "$want" <<'PY'; then ok; else bad "input $name"; fi
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
got = [[r[k] for k in ("statistic", "variable", "level", "domain", "estimate", "se", "n")] for r in rows]
want = [line.split("|") for line in sys.argv[2].strip().split("\n")]
def same(a, b):
    try:
        x, y = float(a), float(b)
    except ValueError:
        return a == b
    return abs(x - y) <= 1e-12 * max(abs(x), abs(y))
if len(got) != len(want) or not all(len(g) == len(w) and all(same(a, b) for a, b in zip(g, w)) for g, w in zip(got, want)):
    print("got: ", got)
    print("want:", want)
    sys.exit(1)
PY
}

# ref_check LABEL COMMAND DATA ARGS EXPECTED [TOOL]: runs survstat COMMAND
# datasets/DATA (DATA itself when it holds a /) ARGS --format csv and
# compares its output with the R reference EXPECTED (tests/tools/TOOL.py,
# refcmp by default: 1e-9 relative).
ref_check() {
  local label=$1 cmd=$2 data=$3 args=$4 expected=$5 tool=${6:-refcmp}
  case $data in */*) ;; *) data=datasets/$data ;; esac
  # shellcheck disable=SC2086
  run "$cmd" "$data" $args --format csv
  if [ "$status" -ne 0 ]; then
    bad "$label: exit $status: $(cat "$TMP/err")"
  elif python3 "tests/tools/$tool.py" "$TMP/out" "$expected" >"$TMP/cmp"; then
    ok
  else
    bad "$label"; head -5 "$TMP/cmp"
  fi
}

# ref_cases LABEL COMMAND CASES EXPECTED [TOOL]: ref_check for every line
# `name|data|args` of the file CASES (`#` a comment); in EXPECTED, @ stands
# for the case's name.
ref_cases() {
  local label=$1 cmd=$2 cases=$3 expected=$4 tool=${5:-refcmp} name data args
  while IFS='|' read -r name data args; do
    case $name in ''|'#'*) continue ;; esac
    ref_check "$label $name" "$cmd" "$data" "$args" "${expected//@/$name}" "$tool"
  done <"$cases"
}

# contains NAME FILE 'TEXT'...: every TEXT is a line fragment of FILE (the
# gnuplot scripts of plot.sh and charts.sh).
contains() {
  local name=$1 file=$2
  shift 2
  for t in "$@"; do
    if ! grep -qF -- "$t" "$file"; then
      bad "plot $name: lacks '$t'"; return
    fi
  done
  ok
}

# E2E_ONLY=NAME,NAME (file names under tests/e2e without .sh, or "ref",
# "examples") runs only those parts: a quick loop while working on one area.
only() { [ -z "${E2E_ONLY:-}" ] || [[ ",$E2E_ONLY," == *",$1,"* ]]; }

# --- 1. agreement with R's survey package --------------------------------
only ref && ref_cases ref estimate tests/ref/cases.txt "tests/ref/@.expected.csv"

# --- 1b. survstat test against R's svyttest and svychisq ------------------
only ref && ref_cases "test ref" test tests/ref/test_cases.txt "tests/ref/@.test.expected.csv" testcmp

# --- 2. the other case files ----------------------------------------------
for f in tests/e2e/*.sh; do
  only "$(basename "$f" .sh)" || continue
  # Each case file defines its cases with the helpers below.
  # shellcheck source=/dev/null
  . "$f"
done

# --- 3. examples in README.md and --help -----------------------------------
if only examples; then
python3 tests/tools/examples.py "$BIN" >"$TMP/ex" 2>&1
ex_status=$?
else : >"$TMP/ex"; ex_status=0; fi
ex_pass=$(grep -c '^ok ' "$TMP/ex")
ex_fail=$(grep -c '^FAIL' "$TMP/ex")
pass=$((pass + ex_pass))
fail=$((fail + ex_fail))
grep -A8 '^FAIL' "$TMP/ex"
if [ $ex_status -ne 0 ] && [ "$ex_fail" -eq 0 ]; then
  bad "examples: $(tail -3 "$TMP/ex")"
fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
