# The Qingdao study data (datasets/generate.c): regenerating gives the
# committed files byte for byte, and the files have the design the README
# describes.  Sourced by tests/run_tests.sh.

G=$TMP/qingdao
mkdir -p "$G"
QD_FILES="household.csv household_2008.csv phone.csv phone_2008.csv phone_dispositions.csv
          questionnaire.csv population.csv population_cells.csv"
if make -s --no-print-directory build/generate >"$TMP/err" 2>&1 && build/generate "$G"; then
  for f in $QD_FILES; do
    if cmp -s "$G/$f" "datasets/$f"; then ok; else bad "datasets: regenerated $f differs"; fi
  done
else
  bad "datasets: the generator did not build or run: $(cat "$TMP/err")"
fi

# The design, counted from the committed files.
if python3 - <<'PY'; then ok; else bad "datasets: design structure"; fi
import csv, collections, sys
def rows(f): return list(csv.DictReader(open("datasets/" + f, encoding="utf-8")))
DISTRICTS = "市南区 市北区 四方区 李沧区 崂山区 城阳区 黄岛区 胶州市 即墨市 平度市 莱西市 胶南市".split()
ITEMS = "overall purpose practical responsibility frugality discipline efficiency".split()
AGES = {"18-34", "35-49", "50-64", "65+"}
problems = []
def check(cond, msg):
    if not cond: problems.append(msg)
for f in ("household.csv", "household_2008.csv"):
    h = rows(f)
    check(len(h) == 1534, f"{f}: {len(h)} households")
    comm = collections.defaultdict(list)
    for r in h: comm[r["community"]].append(r)
    check(len(comm) == 68, f"{f}: {len(comm)} communities")
    check(len({r["hh_id"] for r in h}) == 1534, f"{f}: hh_id not unique")
    per = collections.Counter()
    for name, rs in comm.items():
        check(len({r["district"] for r in rs}) == 1, f"{f}: {name} in two districts")
        check(len({r["fpc2"] for r in rs}) == 1, f"{f}: {name}: fpc2 varies")
        per[rs[0]["district"]] += 1
    check(sorted(per) == sorted(DISTRICTS), f"{f}: districts {sorted(per)}")
    check(min(per.values()) >= 2, f"{f}: a district with fewer than 2 communities")
    for name, rs in comm.items():
        r = rs[0]
        w = float(r["fpc1"]) / per[r["district"]] * float(r["fpc2"]) / len(rs)
        check(all(abs(float(x["weight"]) / w - 1) < 1e-9 for x in rs), f"{f}: {name}: weight")
        check(int(r["fpc2"]) >= len(rs), f"{f}: {name}: fpc2 below the sample")
    for r in h:
        check(r["sex"] in ("男", "女") and r["age_group"] in AGES, f"{f}: sex or age {r}")
        check(all(r[i] in "123459" and len(r[i]) == 1 for i in ITEMS), f"{f}: item code {r}")
    for i in ITEMS:
        dk = sum(r[i] == "9" for r in h) / len(h)
        check(0.005 < dk < 0.10, f"{f}: {i}: don't know share {dk}")
pop = rows("population.csv")
totals = collections.defaultdict(float)
for r in pop: totals[r["variable"]] += float(r["total"])
check(len(set(totals.values())) == 1 and set(totals) == {"district", "sex", "age_group"},
      f"population.csv: margins {dict(totals)}")
cells = rows("population_cells.csv")
check(sum(float(r["total"]) for r in cells) == totals["district"], "population_cells.csv: total")
disp = rows("phone_dispositions.csv")
completes = collections.Counter(r["district"] for r in disp if r["disposition"] == "1.1")
for f in ("phone.csv", "phone_2008.csv"):
    p = rows(f)
    check(len(p) == 2400, f"{f}: {len(p)} interviews")
    n = collections.Counter(r["district"] for r in p)
    check(sorted(n) == sorted(DISTRICTS), f"{f}: districts")
    if f == "phone.csv":
        check(n == completes, f"{f}: interviews per district differ from the 1.1 dispositions")
    for r in pop:
        if r["variable"] == "district":
            w = {float(x["base_weight"]) for x in p if x["district"] == r["level"]}
            check(len(w) == 1 and abs(w.pop() * n[r["level"]] / float(r["total"]) - 1) < 1e-9,
                  f"{f}: base_weight in {r['level']}")
    # skewed against the population: more 65+ than its share
    old = sum(r["age_group"] == "65+" for r in p) / len(p)
    share = float(next(r["total"] for r in pop if r["level"] == "65+")) / totals["age_group"]
    check(old > share * 1.3, f"{f}: 65+ {old} not over-represented")
check(sum(completes.values()) == 2400, "phone_dispositions.csv: completes")
check({r["disposition"] for r in disp} >= {"1.1", "1.2", "2.11", "2.12", "2.21", "2.22", "3.11",
                                           "4.31"}, "phone_dispositions.csv: codes")
check(len(rows("questionnaire.csv")) == 77, "questionnaire.csv: rows")
for p in problems[:10]: print(p)
sys.exit(1 if problems else 0)
PY

# The questionnaires are no probability sample: the SRS warning.
run estimate datasets/questionnaire.csv --na 9 --scale 1:5 --t2b overall
if [ "$status" -eq 0 ] && grep -q "assume simple random sampling" "$TMP/err"; then ok
else bad "datasets: questionnaire without the SRS warning: $(cat "$TMP/err")"; fi

# The run spec of the demo runs both waves and finds the trend.
run run datasets/qingdao.ini --data datasets/household_2008.csv --wave 2008 --out "$G/run"
run run datasets/qingdao.ini --out "$G/run"
if [ "$status" -eq 0 ] && [ "$(grep -c '^2009,t2b' "$G/run/dimensions_change.csv")" -eq 7 ]; then ok
else bad "datasets: qingdao.ini: $(cat "$TMP/err")"; fi
