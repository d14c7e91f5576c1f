#!/usr/bin/env bash
# make demo: the Qingdao satisfaction study end to end, on the synthetic data
# of datasets/ (datasets/generate.c; see README.md "Qingdao study").  Prints
# every command with its table and writes plots/report.md (the tables as
# Markdown, the charts embedded), the charts plots/*.png, the result files under
# plots/data/ and plots/run/, and the run's report pack of the 2009 wave as
# plots/report.html and plots/report.xlsx.
set -euo pipefail
cd "$(dirname "$0")/.."
S=./survstat
P=plots
D=$P/data
mkdir -p "$D"
rm -rf "$P/run" "$P/cycle"
REPORT=$P/report.md
HH="--ids community,hh_id --strata district --fpc fpc1,fpc2 --weights weight --na 9"
PHONE="--strata district --weights base_weight --rake datasets/population.csv --na 9"
ITEMS=purpose,practical,responsibility,frugality,discipline,efficiency
INDEX="satisfaction=$ITEMS"

md() { printf '%s\n' "$@" >>"$REPORT"; }
# show CMD...: print the command and its output, and put both in the report.
show() {
  printf '\n$ %s\n' "$*"
  local shown="$*"
  [ "$1" = show_rates ] && shown="survstat rates datasets/phone_dispositions.csv --disposition disposition --by district --format md"
  [ "$1" = show_codebook ] && shown="survstat describe datasets/household.sav --codebook --weights weight --format md"
  md '' '```console' "\$ ${shown#./}" '```' ''
  "$@" | tee -a "$REPORT"
}
# show_text CMD...: the same for output that is not Markdown (survstat run's
# list of files): fenced, so that it renders as written.
show_text() {
  printf '\n$ %s\n' "$*"
  md '' '```console' "\$ ${*#./}" '```' '' '```'
  "$@" | tee -a "$REPORT"
  md '```' ''
}
# chart NAME CAPTION PLOT-ARGS...: plots/NAME.png, embedded in the report.
chart() {
  local name=$1 caption=$2
  shift 2
  printf '\n$ %s plot %s -o %s\n' "$S" "$*" "$P/$name.png"
  $S plot "$@" -o "$P/$name.png"
  md '' "![$caption]($name.png)" ''
}

cat >"$REPORT" <<'EOF'
# Public satisfaction with the work style of government offices, Qingdao 2009

**Synthetic data.** The files in `datasets/` were made by `datasets/generate.c`
(`make datasets`) to look like the 2009 study; no number here describes real
people. Scale: 1 = very dissatisfied ... 5 = very satisfied, 9 = don't know
(missing). t2b = share answering 4 or 5; the index is the mean over the six
dimensions of 100·(x − 1)/4.
EOF

echo "== Main table: overall satisfaction by district"
md '' '## Main table: overall satisfaction by district' ''
md 'The answers of each district to the overall judgement (row percentages with'
md 'logit intervals); `*` where a district differs from the city (the Total'
md 'row) by a design-based test that counts the district in the city; cells the'
md 'NCHS 2017 standards suppress are blanked (`x`), with a second cell where a'
md 'row or column total would reveal one.'
# shellcheck disable=SC2086
show $S table datasets/household.sav $HH --rows district --cols overall --mark total \
  --flags nchs --suppress --format md
# shellcheck disable=SC2086
$S table datasets/household.sav $HH --rows district --cols overall --mark total --flags nchs \
  --suppress --format csv -o "$D/district_table.csv"

echo "== 1. Telephone survey: AAPOR response rates by district"
md '' '## 1. Telephone survey: AAPOR response rates by district' ''
md 'Every number dialled, with its final disposition (RR3 and CON2 take e, the'
md 'estimated share of eligible numbers among those of unknown eligibility).'
$S rates datasets/phone_dispositions.csv --disposition disposition --by district \
  --format csv -o "$D/rates.csv"
# the table keeps three of the 17 rates (all of them are in plots/data/rates.csv)
show_rates() {
  $S rates datasets/phone_dispositions.csv --disposition disposition --by district --format md |
    awk 'NR <= 2 || /\| (RR3|COOP1|CON2) +\|/'
}
show show_rates

echo "== 2. Telephone weights raked to the population margins"
md '' '## 2. Telephone weights raked to the population margins' ''
md 'The base weights (adults / completed interviews per district) raked to'
md '`datasets/population.csv` (district, sex, age group): the phone sample has'
md 'too many women and older people.'
printf '\n$ %s weight datasets/phone.csv %s --weight-name rake_weight -o %s\n' "$S" "$PHONE" "$D/phone_raked.csv"
# shellcheck disable=SC2086
$S weight datasets/phone.csv $PHONE --weight-name rake_weight -o "$D/phone_raked.csv" 2>"$D/raking.txt"
cat "$D/raking.txt"
md '' '```' "$(cat "$D/raking.txt")" '```'
# shellcheck disable=SC2086
chart phone_weights "Raked telephone weights" datasets/phone.csv --type weights --weights base_weight \
  $PHONE

echo "== 3. Household survey by district, NCHS flags"
md '' '## 3. Household survey: overall satisfaction by district' ''
md 'Two-stage sample (68 communities in 12 districts, 1,534 households), t2b of'
md 'the overall judgement with the NCHS presentation flags.'
md 'The file is SPSS (`datasets/household.sav`, written by'
md '`datasets/make_household_sav.R`), with Chinese value labels and 9 = 不知道'
md 'declared user-missing: tables and charts show the labels. Its codebook, for'
md 'the overall judgement:'
show_codebook() {
  $S describe datasets/household.sav --codebook --weights weight --format md |
    awk 'NR <= 4 || /^\| overall /'
}
show show_codebook
# shellcheck disable=SC2086
show $S estimate datasets/household.sav $HH --scale 1:5 --t2b overall --by district --flags nchs --format md --percent
# shellcheck disable=SC2086
{ $S estimate datasets/household.sav $HH --scale 1:5 --t2b overall --flags nchs --format csv
  $S estimate datasets/household.sav $HH --scale 1:5 --t2b overall --by district --flags nchs \
    --format csv | tail -n +2; } >"$D/district_t2b.csv"
chart district_bar "Overall satisfaction (t2b) by district" "$D/district_t2b.csv" --type bar \
  --statistic t2b --title "总体满意度：满意（前两项）的比例，分区市"
chart district_bar_suppressed "The same, suppressed estimates hidden" "$D/district_t2b.csv" --type bar \
  --statistic t2b --suppress

echo "== 4. The six dimensions: t2b and the satisfaction index"
md '' '## 4. The six dimensions: t2b and the satisfaction index' ''
# shellcheck disable=SC2086
show $S estimate datasets/household.sav $HH --scale 1:5 --t2b "overall,$ITEMS" --index "$INDEX" --format md --percent
# shellcheck disable=SC2086
$S estimate datasets/household.sav $HH --prop "$ITEMS" --format csv -o "$D/items_prop.csv"
chart items_likert "Answers to the six dimensions" "$D/items_prop.csv" --type likert --scale 1:5 \
  --title "作风评价：六个方面"

echo "== 5. Key drivers of overall satisfaction"
md '' '## 5. Key drivers of overall satisfaction' ''
md 'Importance = the design-based regression coefficient of `overall` on the six'
md 'items; performance = the item mean; quadrants against their means.'
# shellcheck disable=SC2086
$S drivers datasets/household.sav $HH --outcome overall --items "$ITEMS" --format csv -o "$D/drivers.csv"
# shellcheck disable=SC2086
show $S drivers datasets/household.sav $HH --outcome overall --items "$ITEMS" --format md --percent
chart drivers_ipa "Importance-performance" "$D/drivers.csv" --type ipa --title "Key drivers"

echo "== 6. Household and telephone samples combined"
md '' '## 6. Household and telephone samples combined' ''
md 'The two samples are independent: the composite weighs each by the inverse'
md 'of its variance (the telephone estimates use the raked weights, with the'
md 'raking in their SEs).'
# shellcheck disable=SC2086
$S estimate datasets/household.sav $HH --scale 1:5 --t2b overall --index "$INDEX" --wave household \
  --format csv -o "$D/household_est.csv"
# shellcheck disable=SC2086
show $S estimate datasets/phone.csv $PHONE --scale 1:5 --t2b overall --index "$INDEX" --wave phone \
  --format csv -o "$D/phone_est.csv"
show $S combine "$D/household_est.csv" "$D/phone_est.csv" --format md --percent

echo "== 7. Trends 2008 -> 2009 (survstat run on both waves)"
md '' '## 7. Trends 2008 → 2009' ''
md 'The analysis of `datasets/qingdao.ini`, run on each wave of the household'
md 'survey; the change with its independent-samples SE and Holm-adjusted p.'
show_text $S run datasets/qingdao.ini --data datasets/household_2008.csv --wave 2008 --out "$P/run"
show_text $S run datasets/qingdao.ini --out "$P/run"
# the run's report pack of the last wave, beside this report
cp "$P/run/2009/report.html" "$P/report.html"
cp "$P/run/2009/report.xlsx" "$P/report.xlsx"
md 'Each run also writes `DIR/WAVE/report.html` (one page: the Methods, every'
md 'table and the charts) and `DIR/WAVE/report.xlsx` (a sheet per section); the'
md "2009 wave's are [report.html](report.html) and [report.xlsx](report.xlsx)."
show $S trend "$P/run/2008/dimensions.csv" "$P/run/2009/dimensions.csv" --format md --percent
show $S trend "$P/run/2008/index.csv" "$P/run/2009/index.csv" --format md --percent
# survstat run draws each [trend] table's chart
md '' "![The index by district, 2008-2009](run/districts_change.png)" ''
chart trend "t2b 2008-2009" "$P/run/2008/dimensions.csv" "$P/run/2009/dimensions.csv" --type trend \
  --statistic t2b --title "满意（前两项）的比例，2008-2009"
chart trend_districts "The index by district, Laoshan highlighted" "$P/run/2008/districts.csv" \
  "$P/run/2009/districts.csv" --type trend --highlight 崂山区

echo "== 8. Questionnaires of service users (no probability sample)"
md '' '## 8. Questionnaires of service users' ''
md '77 paper questionnaires handed out at service counters: no design, every'
md 'answer weighs 1, and survstat warns that the intervals assume simple random'
md 'sampling:'
printf '\n$ %s estimate datasets/questionnaire.csv --na 9 --scale 1:5 --t2b overall --index %s --format md --percent\n' \
  "$S" "$INDEX"
$S estimate datasets/questionnaire.csv --na 9 --scale 1:5 --t2b overall --index "$INDEX" --format md --percent \
  2>"$D/questionnaire_warning.txt" >"$D/questionnaire.md"
cat "$D/questionnaire_warning.txt" "$D/questionnaire.md"
md '```' "$(cat "$D/questionnaire_warning.txt")" '```' '' "$(cat "$D/questionnaire.md")"

echo "== 9. The next wave: plan and draw the 2010 household sample"
md '' '## 9. The next wave: the 2010 household sample' ''
md 'Planned from this wave (`datasets/cycle2010.ini`): the design effects of the'
md 't2b by district, the telephone survey'"'"'s response rate (RR3), a margin of'
md 'error of 3 points; allocated to the districts by households; then drawn from'
md 'the frame `datasets/frame_communities.csv` (`datasets/make_frame.py`):'
md 'communities by systematic PPS within districts, 10 households systematically'
md 'in each.'
show $S run datasets/cycle2010.ini --out "$P/cycle" --quiet
show $S plan --moe 0.03 --deff-from "$P/cycle/2009/deff2009.csv" --rates-from "$P/cycle/2009/response2009.csv" \
  --frame datasets/frame_communities.csv --strata district --size households --n2 10 --format md
printf '\n$ head -4 %s\n' "$P/cycle/2009/sample2010.csv"
head -4 "$P/cycle/2009/sample2010.csv"
md '' 'The first rows of the sample (`plots/cycle/2009/sample2010.csv`):' '' '```' \
  "$(head -4 "$P/cycle/2009/sample2010.csv")" '```'

printf '\nreport: %s\n' "$REPORT"
