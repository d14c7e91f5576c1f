# --prop over many levels (issue 18 item 15): from 64 levels on, a streamed
# proportion takes its variances from sparse per-unit level totals in one
# pass over the rows (src/levels.c) instead of blocks of levels
# (ss_design_vcov_add, levels x rows).  Sourced by tests/run_tests.sh.
#
# tests/data/levels.csv (tests/data/gen_levels.py, seeded): 300 levels of y
# and skew (99.8% one level, 60 rare ones), a stratified two-stage sample
# with fpc, three lonely PSUs in st (none in st2), weights with 12 decimals
# and missing cells.

LV=tests/data/levels.csv
LV2="--strata st2 --ids psu,hh --fpc fpc1,fpc2 --weights w --nest"
LV1="--strata st --ids psu,hh --fpc fpc1,fpc2 --weights w --nest"

# 1. R's survey package (tests/ref/make_levels_refs.R) to 1e-9: estimate,
# SE, logit interval and df of every 30th level and the most frequent one
# (its deff too; R needs 0.7 s a level here), n of every level.  The raked and the
# post-stratified designs take the per-level path (a calibrated design's
# scores become residuals over every row): R checks that they stay right.
ref_check "levels two_stage" estimate "$LV" "$LV2 --prop y,skew --by region --deff" \
  tests/ref/levels/two_stage.expected.csv
ref_check "levels average" estimate "$LV" "$LV1 --lonely-psu average --prop y,skew --by region" \
  tests/ref/levels/average.expected.csv
# Raked, and post-stratified by sex: every number at 1e-9, the logit
# intervals too.  R's subset of a calibrated design keeps every row at
# weight 0 outside the domain, so glm's prior weights are the weights over
# their mean on all the rows (ss_design_glm_rows); that mean sets glm's
# starting values and so where its IRLS stops.  Taken over the present rows
# instead, the interval of L181 in sex=F was 8.8037856e-05 against R's
# 8.8037847e-05 (1.1e-7), and of L211 raked 6.7e-9 off.
ref_check "levels rake" estimate "$LV" "$LV2 --rake tests/data/levels_margins.csv --prop y,skew --deff" \
  tests/ref/levels/rake.expected.csv
ref_check "levels poststrat" estimate "$LV" "$LV2 --poststrat tests/data/levels_cells.csv --prop y --by sex" \
  tests/ref/levels/poststrat.expected.csv

# 2. The one-pass path against the block path (SURVSTAT_PROP_LEVELS=100000
# keeps every proportion on it) and the per-row path (--compare makes the
# per-row scores): every cell equal, numbers to 1e-12 relative (the two
# round differently; the largest difference seen is 8e-13, an n_eff of a
# level in 6 of 8,376 single-row PSUs, where the exact value agrees with the
# one-pass path to 2e-16 and with the block path to 2.4e-13).
levels_cmp() {  # NAME A.csv B.csv
  if python3 - "$2" "$3" <<'PY'; then ok; else bad "levels $1: one pass against the block path"; fi
import csv, sys
a = list(csv.reader(open(sys.argv[1], encoding="utf-8")))
b = list(csv.reader(open(sys.argv[2], encoding="utf-8")))
if len(a) != len(b) or len(a) < 2:
    sys.exit("rows: %d against %d" % (len(a), len(b)))
bad = 0
for r, s in zip(a, b):
    for x, y in zip(r, s):
        if x == y:
            continue
        try:
            fx, fy = float(x), float(y)
            same = abs(fx - fy) <= 1e-12 * max(abs(fx), abs(fy))
        except ValueError:
            same = False
        if not same:
            bad += 1
            if bad < 5:
                print(r[:5], repr(x), repr(y))
sys.exit(1 if bad else 0)
PY
}
levels_same() {  # NAME ARGS...: the one pass (forced) against the block path
  local name=$1
  shift
  SURVSTAT_PROP_LEVELS=1 run estimate "$@" --format csv
  [ "$status" -eq 0 ] || { bad "levels $name: exit $status: $(head -c 300 "$TMP/err")"; return; }
  cp "$TMP/out" "$TMP/onepass"
  SURVSTAT_PROP_LEVELS=100000 run estimate "$@" --format csv
  cp "$TMP/out" "$TMP/blocks"
  levels_cmp "$name" "$TMP/onepass" "$TMP/blocks"
  # y's 300 levels take the one pass by default (skew's 61 do not).
  run estimate "$@" --format csv
  if [ "$status" -eq 0 ] && [ "$(awk -F, '$3 == "y"' "$TMP/out")" = "$(awk -F, '$3 == "y"' "$TMP/onepass")" ] &&
    awk -F, '$3 == "y"' "$TMP/out" | grep -q .; then ok; else
    bad "levels $name: y's default path is not the one pass"; fi
}
levels_same two-stage "$LV" $LV2 --prop y,skew --by region --deff --flags nchs
levels_same two-stage-ddf "$LV" $LV2 --prop y,skew --by region,sex --domain-df --ci-method beta
levels_same first-stage-fpc "$LV" --strata st2 --ids psu,hh --fpc fpc1 --weights w --nest --prop y,skew \
  --by region --ci-method wald
for lp in adjust average certainty remove; do
  levels_same "lonely-$lp" "$LV" $LV1 --lonely-psu "$lp" --prop y,skew --by region --deff
done
levels_same three-stage "$LV" --strata st --ids psu,hh,sex --fpc fpc1,fpc2,fpc2 --weights w --nest \
  --lonely-psu adjust --prop y,skew --by region --deff
levels_same one-stage "$LV" --strata st --ids psu --weights w --nest --lonely-psu average \
  --prop y,skew --by region --ci-method xlogit
levels_same no-design "$LV" --prop y --by sex --ci-method wilson
levels_same rows-as-psus "$LV" --strata st --weights w --prop y,skew --deff --ci-method asin
awk -F, 'BEGIN {OFS = ","} NR > 1 && NR % 7 == 0 {$7 = 0} {print}' "$LV" >"$TMP/levels0.csv"
levels_same zero-weights "$TMP/levels0.csv" $LV2 --prop y,skew --by region --deff --flags nchs
# A lonely second-stage unit under average makes every SE NaN, on both.
levels_same lonely-stage3 "$LV" --strata st --ids psu,hh,sex --fpc fpc1,fpc2,fpc2 --weights w \
  --nest --lonely-psu average --prop y --by region
# The per-row path (--compare keeps each domain's scores) gives the same rows.
run estimate "$LV" $LV2 --prop y --by region --compare --format csv
cut -d, -f1-15 "$TMP/out" | grep -v ' - ' >"$TMP/perrow"
run estimate "$LV" $LV2 --prop y --by region --format csv
levels_cmp per-row "$TMP/out" "$TMP/perrow"

# 3. A lonely PSU under --lonely-psu fail: the same error as the block path
# (the one pass hands the design back to ss_design_vcov, which names it).
expect_error "levels lonely fail" 1 "stratum '28' has only one PSU at stage 1 (see --lonely-psu)" \
  -- estimate "$LV" $LV1 --prop y
SURVSTAT_PROP_LEVELS=100000 expect_error "levels lonely fail, blocks" 1 \
  "stratum '28' has only one PSU at stage 1 (see --lonely-psu)" -- estimate "$LV" $LV1 --prop y

# 4. Below 64 levels the block path stays, to the bit as the per-row path
# (tests/e2e/speed.sh, stream_same): forcing it off changes nothing.
run estimate "$LV" $LV2 --prop region,sex --by skew --format csv
cp "$TMP/out" "$TMP/few"
SURVSTAT_PROP_LEVELS=100000 run estimate "$LV" $LV2 --prop region,sex --by skew --format csv
if cmp -s "$TMP/out" "$TMP/few"; then ok; else bad "levels: few levels left the block path"; fi

# 5. The cost is linear in the rows: 4,000 levels on 203,000 rows
# (tests/data/gen_levels.py 4000 10 6) cost little more CPU than reading the
# file for a mean (0.20 s against 0.12 s here; the block path took 4.9 s).
# CPU time, not wall time: other work on the machine does not count.
python3 tests/data/gen_levels.py 4000 10 6 >"$TMP/levels4000.csv"
levels_cpu() {  # ARGS...: user + system seconds of survstat ARGS
  local TIMEFORMAT='%3U %3S'
  { time "$BIN" "$@" >/dev/null 2>&1; } 2>&1 | awk '{print $1 + $2}'
}
base_cpu=$(levels_cpu estimate "$TMP/levels4000.csv" $LV2 --mean w)
prop_cpu=$(levels_cpu estimate "$TMP/levels4000.csv" $LV2 --prop y)
if awk -v b="$base_cpu" -v p="$prop_cpu" 'BEGIN {exit !(p <= 4 * b + 1)}'; then ok; else
  bad "levels cost: 4,000 levels took $prop_cpu s of CPU, a mean $base_cpu s"; fi
rm -f "$TMP/levels4000.csv"
