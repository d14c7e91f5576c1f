# survstat table: its numbers against R (tests/ref/table_cases.txt, written
# by tests/ref/make_table_refs.R), the test of independence under the
# table, the flag rules, suppression, the wide text and md output, and one
# case per message.  Sourced by tests/run_tests.sh (helpers expect_error,
# ref_check, run, ok, bad).

TB=$TMP/table_cases
mkdir -p "$TB"
STRAT="--strata stype --weights pw --fpc fpc"
API=datasets/apistrat.csv
HHD="--ids community,hh_id --strata district --fpc fpc1,fpc2 --weights weight --na 9"

# 1. every cell's count, percentage, interval and mark against R (1e-9).
while IFS='|' read -r name data args; do
  case $name in ''|'#'*) continue ;; esac
  ref_check "table ref $name" table "$data" "$args" "tests/ref/$name.table.expected.csv"
done <tests/ref/table_cases.txt

# 2. the Rao-Scott F test under each (layer's) table against R's svychisq,
# as printed (4 significant digits); "NA" where R fails and survstat says
# "not available" (a layer with one level).
while IFS='|' read -r name data args; do
  case $name in ''|'#'*) continue ;; esac
  [ -f "tests/ref/$name.table.chisq.txt" ] || continue
  case $data in */*) ;; *) data=datasets/$data ;; esac
  # shellcheck disable=SC2086
  run table "$data" $args --format text
  if [ "$status" -ne 0 ]; then
    bad "table chisq $name: exit $status: $(cat "$TMP/err")"
    continue
  fi
  if python3 - "$TMP/out" "tests/ref/$name.table.chisq.txt" <<'PY'; then ok; else bad "table chisq $name"; fi
import re, sys
got = []
for line in open(sys.argv[1], encoding="utf-8"):
    if line.startswith("Rao-Scott test of independence: not available"):
        got.append("NA")
    else:
        m = re.match(r"Rao-Scott test of independence: F = (\S+) on (\S+) and (\S+) df, p = (\S+)$", line.strip())
        if m:
            got.append(" ".join(m.groups()))
want = [l.strip() for l in open(sys.argv[2])]
if got != want:
    print("got ", got); print("want", want); sys.exit(1)
PY
done <tests/ref/table_cases.txt

# 3. --flags nchs: the same flags as survstat estimate --prop --by --flags
# nchs (whose rules are checked against R's KG intervals) on every body
# cell of a row-percentage table; the estimates agree too.
run table datasets/nhanes.csv --ids SDMVPSU --strata SDMVSTRA --weights WTMEC2YR --nest \
  --rows race --cols agecat --flags nchs --format csv
cp "$TMP/out" "$TB/nchs_table.csv"
run estimate datasets/nhanes.csv --ids SDMVPSU --strata SDMVSTRA --weights WTMEC2YR --nest \
  --prop agecat --by race --flags nchs --format csv
cp "$TMP/out" "$TB/nchs_est.csv"
if python3 - "$TB/nchs_table.csv" "$TB/nchs_est.csv" <<'PY'; then ok; else bad "table nchs flags = estimate's"; fi
import csv, sys
tab = {(r["level"], r["domain"]): r for r in csv.DictReader(open(sys.argv[1])) if r["statistic"] == "pct_row"}
est = list(csv.DictReader(open(sys.argv[2])))
n = 0
for e in est:
    key = (e["domain"].split("=")[1], "agecat=" + e["level"])
    t = tab[key]
    assert t["flag"] == e["flag"], (key, t["flag"], e["flag"])
    assert abs(float(t["estimate"]) - float(e["estimate"])) < 1e-12, key
    n += 1
assert n == 16, n
PY

# 4. --flags statcan and ons: the rules on every row of the output (CV of
# the estimate shown; StatCan's n is the cell's rows).
for scheme in statcan ons; do
  run table datasets/apiclus1.csv --ids dnum --weights pw --fpc fpc --rows stype --cols awards \
    --flags $scheme --percent col --format csv
  if python3 - "$TMP/out" $scheme <<'PY'; then ok; else bad "table flags $scheme rules"; fi
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
scheme = sys.argv[2]
cell_n = {(r["level"], r["domain"]): float(r["n"]) for r in rows if r["statistic"] == "count"}
seen = set()
for r in rows:
    cv = float(r["cv"]) if r["cv"] else float("nan")
    n = cell_n[(r["level"], r["domain"])]
    if scheme == "statcan":
        want = "F" if n < 10 or cv > 0.333 else "E" if cv >= 0.166 else ""
    else:
        want = "u" if cv >= 0.20 else ""
    if r["statistic"] == "count" and scheme == "ons":
        pass
    assert r["flag"] == want, (r["statistic"], r["level"], r["domain"], cv, n, r["flag"], want)
    seen.add(want)
assert len(seen) > 1, seen  # the case shows flags and their absence
PY
done

# 5. --suppress: every cell flagged to suppress is blank, and no row or
# column (totals too) that shows its total blanks exactly one body cell;
# the complementary cells carry the flag C.  The household table blanks
# cells in both ways.
run table datasets/household.csv $HHD --rows district --cols overall --flags nchs --suppress \
  --format csv
if python3 - "$TMP/out" <<'PY'; then ok; else bad "table suppress rule"; fi
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["statistic"] == "pct_row"]
blank = {(r["level"], r["domain"]): r["estimate"] == "" for r in rows}
prim = comp = 0
for r in rows:
    f = r["flag"].split()
    if "Px" in f:
        assert r["estimate"] == "", r
        prim += 1
    if "C" in f:
        assert r["estimate"] == "" and "Px" not in f, r
        comp += 1
    if r["estimate"] == "":
        assert "Px" in f or "C" in f, r
levels = sorted({r["level"] for r in rows}, key=lambda s: (s == "", s))
doms = sorted({r["domain"] for r in rows}, key=lambda s: (s == "", s))
for lv in levels:   # rows: body columns, total column ""
    if not blank[(lv, "")]:
        assert sum(blank[(lv, d)] for d in doms if d) != 1, lv
for d in doms:      # columns: body rows, total row ""
    if not blank[("", d)]:
        assert sum(blank[(lv, d)] for lv in levels if lv) != 1, d
assert prim > 0 and comp > 0, (prim, comp)
PY
# the counts of a suppressed cell are blank too
if python3 - "$TMP/out" <<'PY'; then ok; else bad "table suppress counts"; fi
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
pct = {(r["level"], r["domain"]): r["estimate"] == "" for r in rows if r["statistic"] == "pct_row"}
for r in rows:
    if r["statistic"] == "count":
        assert (r["estimate"] == "") == pct[(r["level"], r["domain"])], r
PY

# 6. the wide table: text and md, a cell as a report prints it, the
# footnotes of the marks and the test, levels in code order.
run table $API $STRAT --rows stype --cols awards --mark total
if grep -qF "E      27.0 (19.2-36.5)*  73.0 (63.5-80.8)*  100.0" "$TMP/out" &&
   grep -qF "Total   36.1 (29.6-43.1)   63.9 (56.9-70.4)  100.0" "$TMP/out" &&
   grep -qF "* differs from the Total row at the 0.05 level" "$TMP/out" &&
   grep -qF "Rao-Scott test of independence: F = 14.17 on 1.885 and 371.4 df, p = 2.082e-06" "$TMP/out" &&
   head -1 "$TMP/out" | grep -qF "stype by awards: row percentages with 95% confidence intervals (logit)"; then
  ok
else
  bad "table text layout"; cat "$TMP/out"
fi
run table $API $STRAT --rows stype --cols awards --mark total --count --percent row --format md
if grep -qF "| E | 27.0 (19.2-36.5)* | 73.0 (63.5-80.8)* | 100.0 |" "$TMP/out" &&
   grep -qF "|---|---:|---:|---:|" "$TMP/out" &&
   grep -qF "**stype by awards: weighted counts with 95% confidence intervals**" "$TMP/out" &&
   grep -qF "| E | 1194 (809-1578) | 3227 (2843-3612) | 4421 (4421-4421) |" "$TMP/out"; then
  ok
else
  bad "table md layout"; cat "$TMP/out"
fi
# --count alone: the counts' table only
run table $API $STRAT --rows stype --cols awards --count
if grep -qF "weighted counts" "$TMP/out" && ! grep -qF "row percentages" "$TMP/out"; then ok; else
  bad "table --count alone"; cat "$TMP/out"; fi
# levels in code order: numbers by value (household's overall 1..5)
run table datasets/household.csv $HHD --rows district --cols overall
if sed -n 2p "$TMP/out" | grep -qE '^district +1 +2 +3 +4 +5 +Total$'; then ok; else
  bad "table level order"; sed -n 2p "$TMP/out"; fi
# --by layers: one table each, domain names the layer first
run table datasets/apiclus2.csv --ids dnum,snum --fpc fpc1,fpc2 --weights pw --rows stype \
  --cols awards --by sch.wide --format csv
if grep -q '^,count,stype,E,sch.wide=No;awards=No,' "$TMP/out" &&
   grep -q '^,pct_row,stype,,sch.wide=Yes,' "$TMP/out"; then ok; else bad "table --by domains"; fi
# json: the same rows, with the mark column
run table $API $STRAT --rows stype --cols awards --mark total --format json
if python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert len(r)==24 and r[12]["mark"]=="*" and r[12]["statistic"]=="pct_row", r[12]' "$TMP/out"; then
  ok; else bad "table json"; fi
# the flags' footnote and letters in the wide table
run table datasets/apiclus1.csv --ids dnum --weights pw --fpc fpc --rows stype --cols awards \
  --flags statcan
if grep -qF "Flags (Statistics Canada): E use with caution" "$TMP/out" && grep -q ' F ' "$TMP/out"; then
  ok; else bad "table statcan footnote"; cat "$TMP/out"; fi
# --wave stamps every row
run table $API $STRAT --rows stype --wave w1 --format csv
if [ "$(grep -c '^w1,' "$TMP/out")" -eq 8 ]; then ok; else bad "table --wave"; fi

# 7. messages, one case each.
# shellcheck disable=SC2086
{
expect_error table-no-file 2 "survstat table: no input FILE" -- table
expect_error table-no-rows 2 "survstat table: no table: give --rows VAR (and --cols VAR)" -- \
  table $API $STRAT --cols awards
expect_error table-unknown-column 1 "column 'nope'" -- table $API $STRAT --rows nope --cols awards
expect_error table-same 2 "--rows and --cols: expected two different variables, got 'stype' twice" -- \
  table $API $STRAT --rows stype --cols stype
expect_error table-by-same 2 "--by: 'awards' is already the table's rows or columns" -- \
  table $API $STRAT --rows stype --cols awards --by awards
expect_error table-percent 2 "--percent: expected row, col or cell, got 'rows'" -- \
  table $API $STRAT --rows stype --cols awards --percent rows
expect_error table-percent-row-oneway 2 "--percent row needs --cols COLVAR" -- \
  table $API $STRAT --rows stype --percent row
expect_error table-mark-oneway 2 "--mark needs --cols COLVAR" -- table $API $STRAT --rows stype --mark total
expect_error table-mark-cell 2 "--mark needs --percent row or col" -- \
  table $API $STRAT --rows stype --cols awards --percent cell --mark total
expect_error table-mark-ref-row 2 "--mark Yes compares columns: it needs --percent col" -- \
  table $API $STRAT --rows stype --cols awards --mark Yes
expect_error table-mark-level 2 "--mark: column 'awards' has no level 'Maybe'" -- \
  table $API $STRAT --rows stype --cols awards --percent col --mark Maybe
expect_error table-suppress 2 "--suppress needs --flags nchs|statcan|ons" -- \
  table $API $STRAT --rows stype --cols awards --suppress
expect_error table-flags 2 "--flags: expected nchs, statcan or ons, got 'who'" -- \
  table $API $STRAT --rows stype --cols awards --flags who
expect_error table-ci-method 2 "--ci-method: expected logit, wald" -- \
  table $API $STRAT --rows stype --cols awards --ci-method exact
expect_error table-df 2 "--df: expected design, inf or a positive number, got '-3'" -- \
  table $API $STRAT --rows stype --cols awards --df -3
expect_error table-df-tiny 2 "--df: 1e-300 makes the t quantile at level 0.95 infinite" -- \
  table $API $STRAT --rows stype --cols awards --df 1e-300
expect_error table-two-files 2 "one input FILE expected, got 'x.csv' too" -- \
  table $API x.csv --rows stype
expect_error table-mrset-replicate 2 "--mrset does not take replicate designs yet" -- \
  table tests/data/mrset.csv --strata stratum --ids psu --weights w --replicate jkn --mrset info=a,b
expect_error table-lonely 1 "survstat table: " -- \
  table $API --strata cname --weights pw --rows stype --cols awards
expect_error table-bad-option 2 "option '--colls' is unknown" -- table $API --rows stype --colls awards
}
run table $API --rows stype
if grep -qF "survstat table: warning: $API: no design given" "$TMP/err"; then ok; else
  bad "table no-design warning: $(cat "$TMP/err")"; fi

# 8. [table NAME] in a run spec: the tidy rows of survstat table, with the
# wave, into DIR/WAVE/NAME.csv.
cat >"$TB/spec.ini" <<'INI'
[run]
data = datasets/apistrat.csv
wave = 2000

[design]
strata = stype
weights = pw
fpc = fpc

[estimate scores]
mean = api00

[table awards]
rows = stype
cols = awards
mark = total
flags = nchs
suppress = yes
INI
run run "$TB/spec.ini" --out "$TB/runout"
run table $API $STRAT --rows stype --cols awards --mark total --flags nchs --suppress --wave 2000 \
  --format csv
if [ -f "$TB/runout/2000/awards.csv" ] && cmp -s "$TMP/out" "$TB/runout/2000/awards.csv"; then ok; else
  bad "run [table NAME]"; fi
printf '[run]\ndata = datasets/apistrat.csv\n[table t]\nrows = stype\ncolumns = awards\n' >"$TB/badkey.ini"
expect_error run-table-key 1 "unknown key 'columns' in [table]" -- run "$TB/badkey.ini" --out "$TB/runout2"

# 9. --mrset: the wide table's two blocks, and its messages.
run table tests/data/mrset.csv --strata stratum --ids psu --weights w --mrset info=a,b,c,media \
  --cols region
if grep -qF "info by region: percent of cases with 95% confidence intervals (logit)" "$TMP/out" &&
   grep -qF "info by region: percent of responses with 95% confidence intervals (Wald)" "$TMP/out" &&
   grep -qF "194 cases (rows with at least one item chosen)" "$TMP/out" &&
   grep -qE '^a +62\.3 \(49\.0-74\.0\)' "$TMP/out"; then ok; else bad "table --mrset text"; cat "$TMP/out"; fi
# shellcheck disable=SC2086
{
expect_error table-mrset-rows 2 "give --rows or --mrset, not both" -- \
  table tests/data/mrset.csv --rows region --mrset info=a,b
expect_error table-mrset-mark 2 "--mrset gives counts, % of cases and % of responses: --percent, --count, --mark, --flags and --suppress do not apply" -- \
  table tests/data/mrset.csv --mrset info=a,b --cols region --mark total
expect_error table-mrset-form 2 "--mrset: expected NAME=VAR,VAR,..., got 'a,b'" -- \
  table tests/data/mrset.csv --mrset a,b
expect_error table-mrset-cols 2 "--mrset: 'region' is also --cols" -- \
  table tests/data/mrset.csv --mrset info=a,region --cols region
expect_error table-mrset-unknown 1 "column 'zz'" -- table tests/data/mrset.csv --mrset info=a,zz
}

# --subset: the table's row percentages and test are those of estimate
# --prop ... --by and test --chisq on the same subset (each checked against
# R's subset(design, EXPR) in tests/e2e/subset.sh).
SUBA=(datasets/apistrat.csv --strata stype --weights pw --fpc fpc --subset 'api00 > 600')
"$BIN" table "${SUBA[@]}" --rows awards --cols sch.wide --format csv >"$TMP/tsub.csv" 2>"$TMP/err"
"$BIN" estimate "${SUBA[@]}" --prop sch.wide --by awards --format csv >"$TMP/esub.csv" 2>>"$TMP/err"
out=$(python3 - "$TMP/tsub.csv" "$TMP/esub.csv" <<'PY'
import csv, sys
t = {(r["level"], r["domain"]): r for r in csv.DictReader(open(sys.argv[1])) if r["statistic"] == "pct_row"}
n = 0
for r in csv.DictReader(open(sys.argv[2])):
    x = t[(r["domain"].split("=", 1)[1], "sch.wide=" + r["level"])]
    for k in ("estimate", "se", "ci_low", "ci_high"):
        a, b = float(x[k]), float(r[k])
        if abs(a - b) > 1e-12 * max(abs(a), abs(b), 1e-300):
            print("differs", k, a, b); sys.exit(1)
    n += 1
print("ok", n)
PY
)
if [ "$out" = "ok 4" ]; then ok; else bad "table --subset pct_row = estimate --by: $out $(cat "$TMP/err")"; fi
f_table=$("$BIN" table "${SUBA[@]}" --rows awards --cols sch.wide | grep -o 'F = [0-9.]* on 1 and [0-9]* df')
f_test=$("$BIN" test "${SUBA[@]}" --chisq awards,sch.wide --format csv | awk -F, 'NR == 2 { printf "F = %.2f on %s and %s df", $6, $7, $8 }')
if [ -n "$f_table" ] && [ "$f_table" = "$f_test" ]; then ok
else bad "table --subset test = test --chisq --subset: '$f_table' vs '$f_test'"; fi
