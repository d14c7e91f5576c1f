# Labelled files: SPSS, Stata, SAS and gzip'd CSV in, value labels out,
# --na per variable, --labels, describe --codebook.  Sourced by
# tests/run_tests.sh.  The binary files of tests/data/labels/ and
# datasets/household.sav are written by R's haven (tests/ref/make_labelled.R,
# datasets/make_household_sav.R) from the CSV next to them, whose numbers
# read back as the same doubles: the estimates must agree to the bit.

L=$TMP/labels_cases
mkdir -p "$L"
LD=tests/data/labels
API="--strata stype --weights pw --fpc fpc"
HH="--ids community,hh_id --strata district --fpc fpc1,fpc2 --weights weight"

# expect_same NAME 'ARGS A' 'ARGS B': survstat ARGS A and survstat ARGS B
# (word-split) write the same CSV, byte for byte once the rows are sorted.
# (The variable labels a labelled file adds as the last columns,
# variable_label and by_label, are not compared: a CSV has none.)
no_label_columns() {
  python3 -c 'import csv, sys
r = csv.reader(sys.stdin); w = csv.writer(sys.stdout, lineterminator="\n")
h = next(r, None); keep = [i for i, c in enumerate(h or []) if c not in ("variable_label", "by_label")]
w.writerow([h[i] for i in keep]) if h else None
for row in r: w.writerow([row[i] for i in keep])'
}
expect_same() {
  local name=$1
  # shellcheck disable=SC2086
  "$BIN" $2 --format csv 2>"$TMP/err" | no_label_columns | sort >"$L/a"
  local s1=${PIPESTATUS[0]}
  # shellcheck disable=SC2086
  "$BIN" $3 --format csv 2>>"$TMP/err" | no_label_columns | sort >"$L/b"
  local s2=${PIPESTATUS[0]}
  if [ "$s1" -ne 0 ] || [ "$s2" -ne 0 ]; then
    bad "labels $name: exit $s1/$s2: $(cat "$TMP/err")"
  elif [ "$(wc -l <"$L/a")" -lt 2 ]; then
    bad "labels $name: no rows"
  elif ! cmp -s "$L/a" "$L/b"; then
    bad "labels $name: outputs differ: $(diff "$L/a" "$L/b" | head -4)"
  else
    ok
  fi
}

# expect_out NAME 'TEXT' -- ARGS: survstat ARGS succeeds and its stdout
# holds TEXT (a whole line when TEXT starts with ^).
expect_out() {
  local name=$1 want=$2
  shift 3
  run "$@"
  if [ "$status" -ne 0 ]; then
    bad "labels $name: exit $status: $(cat "$TMP/err")"
  elif [ "${want:0:1}" = "^" ] && ! grep -qxF -- "${want:1}" "$TMP/out"; then
    bad "labels $name: no line '${want:1}' in: $(head -20 "$TMP/out")"
  elif [ "${want:0:1}" != "^" ] && ! grep -qF -- "$want" "$TMP/out"; then
    bad "labels $name: '$want' not in: $(head -20 "$TMP/out")"
  else
    ok
  fi
}

# --- the same numbers from every format ---------------------------------
# SPSS: meals9's 9 is user-missing in the .sav, a --na code for the CSV.
expect_same sav-vs-csv \
  "estimate $LD/api.sav $API --mean api00,meals9,enroll --total enroll --prop stype_code --by stype_code --codes" \
  "estimate $LD/api.csv $API --mean api00,meals9,enroll --total enroll --prop stype_code --by stype_code --na meals9:9"
expect_same sav-vs-csv-quantile \
  "estimate $LD/api.sav $API --quantile api00 --ratio api00/enroll" \
  "estimate $LD/api.csv $API --quantile api00 --ratio api00/enroll"
# A .sav column read as one byte a value that meets 300 (two bytes), then
# 2.5 and 100000.25 (doubles), and a one-byte column with a --na code.
expect_same sav-widen-vs-csv \
  "estimate $LD/widen.sav --weights w --mean a,b --total a --quantile a --na b:9" \
  "estimate $LD/widen.csv --weights w --mean a,b --total a --quantile a --na b:9"
expect_same zsav-vs-csv \
  "estimate $LD/api.zsav $API --mean api00,meals9 --by stype_code --codes" \
  "estimate $LD/api.csv $API --mean api00,meals9 --by stype_code --na meals9:9"
expect_same sas7bdat-vs-csv \
  "estimate $LD/api.sas7bdat --strata stype_code --weights pw --fpc fpc --mean api00,enroll,meals --by stype_code" \
  "estimate $LD/api.csv --strata stype_code --weights pw --fpc fpc --mean api00,enroll,meals --by stype_code"
# Stata: growth's .a is missing, as the CSV's empty cells.
expect_same dta-vs-csv \
  "estimate $LD/api_a.dta $API --mean growth,api00 --total growth --by stype" \
  "estimate $LD/api_a.csv $API --mean growth,api00 --total growth --by stype"
expect_same dta8-vs-csv \
  "estimate $LD/api_a_v8.dta $API --mean growth,api00 --by stype" \
  "estimate $LD/api_a.csv $API --mean growth,api00 --by stype"
# SAS transport.
expect_same xpt-vs-csv \
  "estimate $LD/api.xpt --strata stype_code --weights pw --fpc fpc --mean api00,enroll,meals --by stype_code" \
  "estimate $LD/api.csv --strata stype_code --weights pw --fpc fpc --mean api00,enroll,meals --by stype_code"
# The Qingdao sample: district and sex are codes with labels in the .sav,
# texts in the CSV; the labels are those texts, so the rows are the same.
expect_same household-sav \
  "estimate datasets/household.sav $HH --mean overall --t2b overall,purpose --scale 1:5 --prop sex --by district" \
  "estimate datasets/household.csv $HH --mean overall --t2b overall,purpose --scale 1:5 --prop sex --by district --na 9"
expect_same household-index \
  "estimate datasets/household.sav $HH --index s=purpose,practical,responsibility --scale 很不满意:很满意 --by sex" \
  "estimate datasets/household.csv $HH --index s=purpose,practical,responsibility --scale 1:5 --by sex --na 9"
expect_same household-test \
  "test datasets/household.sav $HH --chisq purpose,overall" \
  "test datasets/household.csv $HH --chisq purpose,overall --na 9"
# gzip: a .gz file, and gzip data on standard input.
gzip -c $LD/api.csv >"$L/api.csv.gz"
expect_same gzip-file \
  "estimate $L/api.csv.gz $API --mean api00,enroll --by stype" \
  "estimate $LD/api.csv $API --mean api00,enroll --by stype"
"$BIN" estimate - $API --mean api00 --format csv <"$L/api.csv.gz" >"$L/gz_stdin" 2>"$TMP/err"
"$BIN" estimate $LD/api.csv $API --mean api00 --format csv >"$L/plain" 2>>"$TMP/err"
if cmp -s "$L/gz_stdin" "$L/plain" && [ -s "$L/plain" ]; then ok; else bad "labels gzip-stdin: $(cat "$TMP/err")"; fi
# A margins file may name a level by its label (district is a code in the
# .sav): the raking converges to the same weights, up to rounding.
"$BIN" estimate datasets/household.sav $HH --rake datasets/population.csv --mean overall --format csv >"$L/r1" 2>"$TMP/err"
"$BIN" estimate datasets/household.csv $HH --na 9 --rake datasets/population.csv --mean overall --format csv >"$L/r2" 2>>"$TMP/err"
if python3 - "$L/r1" "$L/r2" <<'PY'; then ok; else bad "labels rake-by-label: $(cat "$TMP/err")"; fi
import csv, sys
a, b = (list(csv.DictReader(open(f, encoding="utf-8"))) for f in sys.argv[1:3])
assert len(a) == len(b) == 1
for k in ("estimate", "se"):
    x, y = float(a[0][k]), float(b[0][k])
    assert abs(x - y) <= 1e-12 * abs(y), (k, x, y)
PY

# survstat weight: the .sav's rows as a CSV file holds them (codes, not
# labels; the user-missing 9 as 9), and the same raked weights.
"$BIN" weight datasets/household.sav $HH --rake datasets/population.csv --weight-name w2 -o "$L/w1.csv" 2>"$TMP/err"
"$BIN" weight datasets/household.csv $HH --na 9 --rake datasets/population.csv --weight-name w2 -o "$L/w2.csv" 2>>"$TMP/err"
if python3 - "$L/w1.csv" "$L/w2.csv" <<'PY'; then ok; else bad "labels weight-sav: $(cat "$TMP/err")"; fi
import csv, sys
a, b = (list(csv.DictReader(open(f, encoding="utf-8"))) for f in sys.argv[1:3])
assert len(a) == len(b) == 1534
assert a[0]["district"] == "1" and a[0]["frugality"] == "9" and a[0]["weight"] == b[0]["weight"], a[0]
for x, y in zip(a, b):
    assert x["overall"] == y["overall"] and x["hh_id"] == y["hh_id"]
    assert abs(float(x["w2"]) - float(y["w2"])) <= 1e-12 * float(y["w2"])
PY

# --- labels in the output -------------------------------------------------
expect_out sav-level-label "prop,overall,很满意,sex=男," -- \
  estimate datasets/household.sav $HH --prop overall --by sex --format csv
expect_out sav-codes "prop,overall,5,sex=1," -- \
  estimate datasets/household.sav $HH --prop overall --by sex --codes --format csv
expect_out sav-domain-label ",mean,api00,,stype_code=Elementary," -- \
  estimate $LD/api.sav $API --mean api00 --by stype_code --format csv
# levels in the code order of the scale, not alphabetically
"$BIN" estimate datasets/household.sav $HH --prop overall --format csv 2>/dev/null |
  cut -d, -f4 | tail -n +2 | tr '\n' ' ' >"$L/order"
if [ "$(cat "$L/order")" = "很不满意 不太满意 一般 比较满意 很满意 " ]; then ok; else
  bad "labels code-order: $(cat "$L/order")"; fi
# --labels for a CSV file
printf 'variable,value,label\nstype_code,1,Elementary\nstype_code,2,Middle\nstype_code,3,High\n' >"$L/lab.csv"
expect_out csv-labels ",prop,stype_code,High,stype=M," -- \
  estimate $LD/api.csv $API --prop stype_code --by stype --labels "$L/lab.csv" --format csv
expect_same csv-labels-as-sav \
  "estimate $LD/api.csv $API --mean api00 --by stype_code --labels $L/lab.csv" \
  "estimate $LD/api.sav $API --mean api00 --by stype_code"
printf 'variable,value,label\nstype_code,1,E\nnosuch,1,x\n' >"$L/lab_bad1.csv"
expect_error labels-unknown-variable 1 "$L/lab_bad1.csv:3: variable 'nosuch' is not a column of $LD/api.csv" -- \
  estimate $LD/api.csv --mean api00 --labels "$L/lab_bad1.csv"
printf 'variable,value,label\nstype_code,1,E\nstype_code,2,M\nstype_code,1.0,x\n' >"$L/lab_bad2.csv"
expect_error labels-repeated-value 1 "$L/lab_bad2.csv:4: variable 'stype_code': value '1' is labelled twice" -- \
  estimate $LD/api.csv --mean api00 --labels "$L/lab_bad2.csv"
printf 'variable,value,label\nstype_code,,E\n' >"$L/lab_bad3.csv"
expect_error labels-empty 1 "$L/lab_bad3.csv:2: variable 'stype_code': a value and its label must not be empty" -- \
  estimate $LD/api.csv --mean api00 --labels "$L/lab_bad3.csv"
expect_error labels-not-csv 1 "$LD/api.sav: a labels file is a CSV file (variable,value,label), not a statistical package's file" -- \
  estimate $LD/api.csv --mean api00 --labels "$LD/api.sav"
expect_error scale-bad-label 2 "--scale: 'xx' is not a code, nor the label of exactly one numeric code of 'overall'" -- \
  estimate datasets/household.sav $HH --t2b overall --scale 很不满意:xx
# a spec's [input] labels = FILE, and lists with blanks after the commas
cat >"$L/spec.ini" <<EOF
[input]
labels = $L/lab.csv
[design]
strata = stype
weights = pw
fpc = fpc
[estimate m]
mean = api00, enroll
by = stype_code
EOF
"$BIN" run "$L/spec.ini" --data $LD/api.csv --wave 1 --out "$L/run" >/dev/null 2>"$TMP/err"
if grep -q ',mean,enroll,,stype_code=Middle,' "$L/run/1/m.csv" 2>/dev/null; then ok; else
  bad "labels spec-labels: $(cat "$TMP/err") $(cat "$L/run/1/m.csv" 2>/dev/null | head -3)"; fi
"$BIN" estimate $LD/api.csv $API --mean "api00, enroll" --by "stype " --format csv >"$L/b1" 2>"$TMP/err"
"$BIN" estimate $LD/api.csv $API --mean api00,enroll --by stype --format csv >"$L/b2" 2>>"$TMP/err"
if [ -s "$L/b1" ] && cmp -s "$L/b1" "$L/b2"; then ok; else bad "labels blanks-after-commas: $(cat "$TMP/err")"; fi

# --- --na: analysis variables only, or the named ones ---------------------
# A PSU numbered 9 stays a PSU; y's 9 is missing.  By hand: y = 2, 3, 4 in
# PSUs 1, 2, 9 (9's other row unanswered): mean 3; the scores (y - 3)/3
# give PSU totals -1/3, 0, 1/3 and Var = 3/2 * 2/9 = 1/3.
printf 'psu,y,z\n1,2,1\n2,3,9\n9,9,5\n9,4,9\n' >"$L/na.csv"
expect_csv na-not-design "mean|y|||3|0.57735026918962573|3
mean|z|||3|1.7320508075688772|2" -- estimate "$L/na.csv" --ids psu --mean y,z --na 9
# with VARS: z keeps its 9s (mean of 1, 9, 5, 9 = 6)
expect_csv na-vars "mean|y|||3|0.57735026918962573|3
mean|z|||6|1.8874586088176875|4" -- estimate "$L/na.csv" --ids psu --mean y,z --na y:9
expect_error na-unknown-variable 2 "--na: no column 'nosuch'" -- \
  estimate "$L/na.csv" --mean y --na nosuch:9
# repeatable: y's 9 by one --na, z's by another
expect_csv na-repeat "mean|y|||3|0.57735026918962573|3
mean|z|||3|1.7320508075688772|2" -- estimate "$L/na.csv" --ids psu --mean y,z --na y:9 --na "z: 9"

# --- describe --------------------------------------------------------------
expect_out describe-label-column "overall,numeric,1498,36,5,1,5,总体满意度" -- \
  describe datasets/household.sav --format csv
# The codebook's counts against the CSV counted by hand (python).
"$BIN" describe datasets/household.sav --codebook --weights weight --format csv >"$L/cb.csv" 2>"$TMP/err"
if python3 - "$L/cb.csv" <<'PY'; then ok; else bad "labels codebook: $(cat "$TMP/err")"; fi
import csv, sys
from collections import defaultdict
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
data = list(csv.DictReader(open("datasets/household.csv", encoding="utf-8")))
labels = {"1": "很不满意", "2": "不太满意", "3": "一般", "4": "比较满意", "5": "很满意"}
n, w = defaultdict(int), defaultdict(float)
for r in data:
    n[r["overall"]] += 1
    w[r["overall"]] += float(r["weight"])
wall = sum(w[c] for c in labels)
got = [r for r in rows if r["variable"] == "overall"]
assert got[0]["code"] == "" and got[0]["variable_label"] == "总体满意度", got[0]
assert got[0]["missing_values"] == "9"
assert [r["code"] for r in got[1:]] == ["1", "2", "3", "4", "5", "9"], got
for r in got[1:6]:
    c = r["code"]
    assert r["label"] == labels[c] and int(r["n"]) == n[c], r
    assert abs(float(r["weighted_n"]) - w[c]) <= 1e-9 * w[c], (r, w[c])
    assert abs(float(r["percent"]) - 100 * w[c] / wall) <= 1e-9, r
# the user-missing 9: its rows and weights, no percent
assert got[6]["label"] == "不知道" and int(got[6]["n"]) == n["9"] and got[6]["percent"] == "", got[6]
assert abs(float(got[6]["weighted_n"]) - w["9"]) <= 1e-9 * w["9"]
PY
expect_out codebook-md "| sex " -- describe datasets/household.sav --codebook --format md
expect_out codebook-json '"label": "很满意"' -- describe datasets/household.sav --codebook --format json
expect_out codebook-text "很不满意" -- describe datasets/household.sav --codebook
# a CSV's --na codes are missing rows: counted in (missing)
expect_out codebook-csv-missing "^meals9,numeric,,,(missing),,42,," -- \
  describe $LD/api.csv --codebook --na meals9:9 --format csv

# --- charts ----------------------------------------------------------------
"$BIN" estimate datasets/household.sav $HH --prop overall,purpose --format csv -o "$L/lk.csv" 2>/dev/null
run plot "$L/lk.csv" --type likert --script -
if [ "$status" -eq 0 ] &&
   [ "$(grep -o "white' title '[^']*'" "$TMP/out" | tr '\n' ' ')" = "white' title '很不满意' white' title '不太满意' white' title '一般' white' title '比较满意' white' title '很满意' " ]; then
  ok
else
  bad "labels likert-legend: $(grep -o "white' title '[^']*'" "$TMP/out" | tr '\n' ' ') $(cat "$TMP/err")"
fi

# --- errors ----------------------------------------------------------------
head -c 3000 $LD/api.sav >"$L/trunc.sav"
expect_error truncated-sav 1 "$L/trunc.sav: cannot read the SPSS file:" -- estimate "$L/trunc.sav" --mean api00
head -c 6000 $LD/api_a.dta >"$L/trunc.dta"
expect_error truncated-dta 1 "$L/trunc.dta: cannot read the Stata file:" -- estimate "$L/trunc.dta" --mean api00
printf '<stata_dta><header>garbage' >"$L/bad.dta"
expect_error corrupt-dta 1 "$L/bad.dta: cannot read the Stata file:" -- estimate "$L/bad.dta" --mean api00
printf '\000\001\002binary\000' >"$L/junk.bin"
expect_error unknown-binary 1 "not a text CSV file (survstat reads CSV, gzip'd CSV, SPSS .sav/.zsav/.por, Stata .dta, SAS .sas7bdat/.xpt)" -- \
  estimate "$L/junk.bin" --mean y
head -c 2000 "$L/api.csv.gz" >"$L/trunc.csv.gz"
expect_error truncated-gzip 1 "$L/trunc.csv.gz: gzip data: unexpected end of data" -- \
  estimate "$L/trunc.csv.gz" --mean api00
expect_error sav-no-column 1 "$LD/api.sav: no column 'nosuch'" -- estimate $LD/api.sav --mean nosuch
# line numbers of a gzip'd CSV are those of the CSV
printf 'y\n1\n2\nbad\n' | gzip -c >"$L/badline.csv.gz"
expect_error gzip-line 1 "$L/badline.csv.gz:4: column 'y': invalid number 'bad'" -- \
  estimate "$L/badline.csv.gz" --mean y

# --- the .sav against R ------------------------------------------------------
# Every R reference case on the household sample (tests/ref/cases.txt, R's
# survey on household.csv with 9 missing) from datasets/household.sav, whose
# 9 is user-missing: no --na needed, and the district and sex labels are the
# CSV's texts, so the same rows come out.
while IFS='|' read -r name data args; do
  case $name in qd_*) ;; *) continue ;; esac
  [ "$data" = household.csv ] || continue
  ref_check "labels sav-ref $name" estimate household.sav "${args/--na 9 /}" "tests/ref/$name.expected.csv"
done <tests/ref/cases.txt

# --subset takes a labelled column's labels where they name one level: the
# same rows, so the same bytes, as its codes.
HA=(datasets/household.sav --strata district --ids community --weights weight --mean overall --format csv)
a=$("$BIN" estimate "${HA[@]}" --subset 'district == "崂山区" | district %in% c("黄岛区")' 2>&1)
b=$("$BIN" estimate "${HA[@]}" --subset 'district == 5 | district %in% c(7)' 2>&1)
if [ -n "$a" ] && [ "$a" = "$b" ] && grep -q '^,mean,overall' <<<"$a"; then ok
else bad "subset by label = by code: '$a' vs '$b'"; fi
printf 'variable,value,label\nstype_code,1,E\nstype_code,2,E\nstype_code,3,H\n' >"$L/lab_twice.csv"
expect_error subset-ambiguous-label 2 "'E' is the label of several levels of 'stype_code': give the code" -- \
  estimate $LD/api.csv --mean api00 --labels "$L/lab_twice.csv" --subset 'stype_code == "E"'

# table on the .sav: levels and domains by their labels, in code order, with
# the numbers of the CSV route (--na 9 there); --codes shows the codes.
TH=(--ids community,hh_id --strata district --fpc fpc1,fpc2 --weights weight --rows district --cols overall)
"$BIN" table datasets/household.sav "${TH[@]}" --format csv >"$TMP/tsav.csv" 2>"$TMP/err"
"$BIN" table datasets/household.csv "${TH[@]}" --na 9 --format csv >"$TMP/tcsv.csv" 2>>"$TMP/err"
out=$(python3 - "$TMP/tsav.csv" "$TMP/tcsv.csv" <<'PY'
import csv, sys
code = {"很不满意": "1", "不太满意": "2", "一般": "3", "比较满意": "4", "很满意": "5"}
def key(r, mapped):
    d = r["domain"]
    if mapped and d.startswith("overall="):
        d = "overall=" + code[d[8:]]
    return (r["statistic"], r["level"], d)
sav = list(csv.DictReader(open(sys.argv[1])))
ref = {key(r, False): r for r in csv.DictReader(open(sys.argv[2]))}
cols = [r["domain"] for r in sav if r["level"] == "市南区" and r["statistic"] == "pct_row"]
if cols != ["overall=" + k for k in code] + [""]:
    print("order", cols); sys.exit(1)
for r in sav:
    x = ref[key(r, True)]
    # the same to 1e-12: the margins add the districts in another order
    # (code order against the CSV's byte order of their names)
    for k in ("estimate", "se", "ci_low", "ci_high", "n"):
        a, b = float(r[k] or "nan"), float(x[k] or "nan")
        if not (a == b or abs(a - b) <= 1e-12 * max(abs(a), abs(b))):
            print("differs", key(r, True), k, r[k], x[k]); sys.exit(1)
print("ok", len(sav))
PY
)
if [[ $out == "ok "* ]]; then ok; else bad "table .sav = csv with labels: $out $(cat "$TMP/err")"; fi
out=$("$BIN" table datasets/household.sav "${TH[@]}" --codes --format csv | sed -n 2p | cut -d, -f4,5)
if [ "$out" = "1,overall=1" ]; then ok; else bad "table --codes: '$out'"; fi

# model on the .sav: a labelled column is a factor whose levels are its
# labels in code order; with the CSV route's reference levels (--ref by
# label) the coefficients are the CSV's (R: haven::as_factor).
MH=(--ids community,hh_id --strata district --fpc fpc1,fpc2 --weights weight --formula overall~district+sex)
"$BIN" model datasets/household.sav "${MH[@]}" --ref district=即墨市 --ref sex=女 --format csv >"$TMP/msav.csv" 2>"$TMP/err"
"$BIN" model datasets/household.csv "${MH[@]}" --na 9 --format csv >"$TMP/mcsv.csv" 2>>"$TMP/err"
out=$(python3 - "$TMP/msav.csv" "$TMP/mcsv.csv" <<'PY'
import csv, sys
a = {r["term"]: r for r in csv.DictReader(open(sys.argv[1]))}
b = {r["term"]: r for r in csv.DictReader(open(sys.argv[2]))}
if sorted(a) != sorted(b) or "district市南区" not in a or "sex男" not in a:
    print("terms", sorted(a), sorted(b)); sys.exit(1)
for t in a:
    for k in ("estimate", "se", "p_value"):
        x, y = float(a[t][k]), float(b[t][k])
        if abs(x - y) > 1e-9 * max(abs(x), abs(y)):
            print(t, k, x, y); sys.exit(1)
print("ok", len(a))
PY
)
if [ "$out" = "ok 13" ]; then ok; else bad "model .sav factors = csv: $out $(cat "$TMP/err")"; fi
