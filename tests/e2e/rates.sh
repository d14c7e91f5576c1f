# survstat rates: every AAPOR rate against the Standard Definitions'
# formulas computed here from the counts, weighted and not, by domain; and
# one case per message.  Sourced by tests/run_tests.sh.

R=$TMP/rates_cases
mkdir -p "$R"

# check_rates OUT.csv DATA.csv [WEIGHTCOL] [E]: recompute every rate.
check_rates() {
  python3 - "$@" <<'PY'
import csv, sys
out, data = sys.argv[1], sys.argv[2]
wcol = sys.argv[3] if len(sys.argv) > 3 and sys.argv[3] else None
e_fixed = float(sys.argv[4]) if len(sys.argv) > 4 else None
def cls(c):
    if c == "1.1": return "I"
    if c == "1.2": return "P"
    if c.startswith("2.1"): return "R"
    if c.startswith("2.2"): return "NC"
    if c.startswith("2.3"): return "O"
    if c.startswith("3.1"): return "UH"
    if c.startswith("3."): return "UO"
    return "NE"
counts = {}
for r in csv.DictReader(open(data, encoding="utf-8")):
    w = float(r[wcol]) if wcol else 1.0
    for dom in ("", "district=" + r["district"]):
        c = counts.setdefault(dom, dict.fromkeys(["I", "P", "R", "NC", "O", "UH", "UO", "NE"], 0.0))
        c[cls(r["code"])] += w
def rates(c):
    I, P, R, NC, O, U, NE = c["I"], c["P"], c["R"], c["NC"], c["O"], c["UH"] + c["UO"], c["NE"]
    e = e_fixed if e_fixed is not None else (I + P + R + NC + O) / (I + P + R + NC + O + NE)
    all_, alle, known = I + P + R + NC + O + U, I + P + R + NC + O + e * U, I + P + R + NC + O
    return {"RR1": I / all_, "RR2": (I + P) / all_, "RR3": I / alle, "RR4": (I + P) / alle,
            "RR5": I / known, "RR6": (I + P) / known, "COOP1": I / (I + P + R + O),
            "COOP2": (I + P) / (I + P + R + O), "COOP3": I / (I + P + R),
            "COOP4": (I + P) / (I + P + R), "REF1": R / all_, "REF2": R / alle, "REF3": R / known,
            "CON1": (I + P + R + O) / all_, "CON2": (I + P + R + O) / alle,
            "CON3": (I + P + R + O) / known, "e": e}
got = list(csv.DictReader(open(out, encoding="utf-8")))
want = {(d, k): v for d, c in counts.items() for k, v in rates(c).items()}
if len(got) != len(want):
    sys.exit(f"{len(got)} rows, want {len(want)}")
for r in got:
    w = want[(r.get("domain", ""), r["rate"])]
    if abs(float(r["value"]) - w) > 1e-12 * abs(w):
        sys.exit(f"{r}: want {w!r}")
PY
}

D=tests/data/dispositions.csv
run rates "$D" --disposition code --by district --format csv
if [ "$status" -eq 0 ] && out=$(check_rates "$TMP/out" "$D" 2>&1); then ok; else bad "rates unweighted: $out $(cat "$TMP/err")"; fi
run rates "$D" --disposition code --by district --weights w --format csv
if [ "$status" -eq 0 ] && out=$(check_rates "$TMP/out" "$D" w 2>&1); then ok; else bad "rates weighted: $out $(cat "$TMP/err")"; fi
run rates "$D" --disposition code --by district --e 0.5 --format csv
if [ "$status" -eq 0 ] && out=$(check_rates "$TMP/out" "$D" "" 0.5 2>&1); then ok; else bad "rates e=0.5: $out $(cat "$TMP/err")"; fi
run rates "$D" --disposition code --wave 2009 --format csv
if [ "$status" -eq 0 ] && [ "$(head -2 "$TMP/out")" = "wave,rate,value
2009,RR1,0.39130434782608697" ]; then ok; else bad "rates --wave: $(head -3 "$TMP/out") $(cat "$TMP/err")"; fi

printf 'code\n1.1\n5.1\n' >"$R/bad_code.csv"
expect_error rates-bad-code 1 "$R/bad_code.csv:3: column 'code': '5.1' is not an AAPOR disposition code" -- \
  rates "$R/bad_code.csv" --disposition code
printf 'code\n1.1\n\n' >"$R/gap.csv"
printf 'code,g\n1.1,a\nNA,b\n' >"$R/gap.csv"
expect_error rates-missing-code 1 "$R/gap.csv:3: column 'code': missing disposition" -- \
  rates "$R/gap.csv" --disposition code
printf 'code,w\n1.1,1\n2.11,-1\n' >"$R/negw.csv"
expect_error rates-negative-weight 1 "$R/negw.csv:3: column 'w': negative weight" -- \
  rates "$R/negw.csv" --disposition code --weights w
printf 'code,w\n1.1,1\n2.11,\n' >"$R/now.csv"
expect_error rates-missing-weight 1 "$R/now.csv:3: column 'w': missing weight" -- \
  rates "$R/now.csv" --disposition code --weights w
printf 'code,g\n1.1,a\n2.11,\n' >"$R/noby.csv"
expect_error rates-missing-by 1 "$R/noby.csv:3: column 'g': missing value in a --by column" -- \
  rates "$R/noby.csv" --disposition code --by g
expect_error rates-no-disposition 2 "--disposition COL is required" -- rates "$D"
expect_error rates-bad-e 2 "--e: expected auto or a number from 0 to 1, got '2'" -- \
  rates "$D" --disposition code --e 2
expect_error rates-design 2 "rates takes --weights only, no other design or weighting options" -- \
  rates "$D" --disposition code --strata district
