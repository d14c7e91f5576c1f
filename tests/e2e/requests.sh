# Means, totals and proportions as work items (src/stats/estimate.c):
# means and totals of numbers are streamed together (mean_group: one pass
# for the sums, one for the scores of the columns without missing values,
# a column with missing values on its own rows), and the requests run as
# items (a group of means, or a request, over a range of domains), on two
# threads when there is work enough.  Sourced by tests/run_tests.sh.

# 1. One thread against two, the items cut as two threads cut them
# (SURVSTAT_ESTIMATE_WORK=0: two threads whatever the work): the same
# stdout, stderr and status.  Domains split into ranges (--by), one domain
# (the means split into two groups), missing values in some columns of a
# group (HI_CHOL, the household items under --na 9), two stages, PPS,
# --subset, --domain-df, --deff, the lonely-PSU error (first in request
# and domain order).
items_same() {  # NAME ARGS...
  local name=$1
  shift
  SURVSTAT_THREADS=1 "$BIN" "$@" >"$TMP/rq1" 2>"$TMP/rqe1"
  local s1=$?
  SURVSTAT_THREADS=2 SURVSTAT_ESTIMATE_WORK=0 "$BIN" "$@" >"$TMP/rq2" 2>"$TMP/rqe2"
  local s2=$?
  if [ $s1 -ne $s2 ] || ! cmp -s "$TMP/rq1" "$TMP/rq2" || ! cmp -s "$TMP/rqe1" "$TMP/rqe2"; then
    bad "items $name: 1 thread exit $s1, 2 threads exit $s2: $(diff "$TMP/rq1" "$TMP/rq2" | head -4) $(head -c 300 "$TMP/rqe1") / $(head -c 300 "$TMP/rqe2")"
  else
    ok
  fi
}
STRAT="--strata stype --weights pw --fpc fpc"
MANY=api00,api99,enroll,ell,meals,avg.ed,full,acs.k3
items_same strat-by estimate datasets/apistrat.csv $STRAT --mean $MANY --total enroll \
  --prop awards --by stype,awards --deff --format csv
items_same strat-one-domain estimate datasets/apistrat.csv $STRAT --mean $MANY --total api00 \
  --format csv
items_same strat-ddf estimate datasets/apistrat.csv $STRAT --mean $MANY --by cname --domain-df \
  --format csv
items_same strat-subset estimate datasets/apistrat.csv $STRAT --mean $MANY --prop awards \
  --subset "api00 > 600" --by stype --format csv
items_same nhanes estimate datasets/nhanes.csv --strata SDMVSTRA --ids SDMVPSU --nest \
  --weights WTMEC2YR --mean HI_CHOL,RIAGENDR,race --total HI_CHOL --prop agecat --by race \
  --flags nchs --deff --format csv
HH="--strata district --ids community,hh_id --fpc fpc1,fpc2 --weights weight --na 9"
items_same household estimate datasets/household.csv $HH \
  --mean overall,purpose,practical,responsibility,frugality,discipline,efficiency \
  --prop age_group,sex --by district --format csv
items_same levels estimate tests/data/levels.csv --strata st2 --ids psu,hh --fpc fpc1,fpc2 \
  --weights w --nest --mean w,fpc2 --prop y,skew --by region,sex --format csv
items_same pps-yg estimate tests/data/election_pps.csv --ids id --pps yg \
  --joint-probs tests/data/election_joint.csv --fpc p --mean Bush,Kerry,Nader,votes \
  --total Kerry,votes --by half --deff --format csv
items_same pps-brewer estimate tests/data/election_pps.csv --pps brewer --fpc p \
  --mean Bush,Kerry,Nader,votes --total votes --prop winner --by half --format csv
items_same lonely estimate datasets/apistrat.csv --strata cname --weights pw \
  --mean api00,api99,enroll --prop awards --by stype --format csv
items_same lonely-average estimate datasets/apistrat.csv --strata cname --weights pw \
  --lonely-psu average --mean api00,api99,enroll,ell --by stype --format csv
expect_error items-lonely 1 "stratum 'Solano' has only one PSU at stage 1" -- \
  estimate datasets/apistrat.csv --strata cname --weights pw --mean api00,api99,enroll --by stype
# The second request of a group fails (api00's rows touch the lonely
# strata), the first does not (api99 is missing in every county of one
# school): the first error in request order is the second's.
awk -F, 'BEGIN {OFS = ","} NR == FNR {n[$8]++; next} FNR > 1 && n[$8] == 1 {$13 = "NA"} {print}' \
  datasets/apistrat.csv datasets/apistrat.csv >"$TMP/rq_lonely.csv"
items_same lonely-second estimate "$TMP/rq_lonely.csv" --strata cname --weights pw \
  --mean api99,api00,enroll --by stype --format csv
run estimate "$TMP/rq_lonely.csv" --strata cname --weights pw --mean api99 --format csv
if [ "$status" -eq 0 ] && grep -q '^,mean,api99,' "$TMP/out"; then ok; else
  bad "items lonely-second: api99 alone: exit $status $(head -c 300 "$TMP/err")"; fi
expect_error items-lonely-second 1 "stratum 'Solano' has only one PSU at stage 1" -- \
  estimate "$TMP/rq_lonely.csv" --strata cname --weights pw --mean api99,api00,enroll --by stype

# No domain at all (every --by value missing): no item, the header alone.
printf 's,w,y,g\n1,1,2,\n1,2,3,\n2,1,4,\n2,1,5,\n' >"$TMP/rq_nodomain.csv"
for t in 1 2; do
  SURVSTAT_THREADS=$t SURVSTAT_ESTIMATE_WORK=0 run estimate "$TMP/rq_nodomain.csv" --strata s \
    --weights w --mean y,w --prop s --by g --format csv
  if [ "$status" -eq 0 ] && [ "$(wc -l <"$TMP/out")" -eq 1 ]; then ok; else
    bad "items no-domain ($t threads): exit $status, $(head -c 300 "$TMP/out") $(head -c 300 "$TMP/err")"; fi
done

# 2. The means of a group are those of the per-row path to the bit:
# --compare keeps every row's scores and so reads each estimate on its own
# (mean_rows); its estimate rows (the contrasts left out, the first 15
# columns) must be those without it.
group_same() {  # NAME ARGS...
  local name=$1
  shift
  run "$@" --format csv
  cut -d, -f1-15 "$TMP/out" >"$TMP/rq_grouped"
  run "$@" --compare --format csv
  cut -d, -f1-15 "$TMP/out" | grep -v ' - ' >"$TMP/rq_perrow"
  if [ "$status" -eq 0 ] && [ -s "$TMP/rq_grouped" ] && cmp -s "$TMP/rq_grouped" "$TMP/rq_perrow"; then
    ok
  else
    bad "group $name: $(diff "$TMP/rq_grouped" "$TMP/rq_perrow" | head -5) $(head -c 300 "$TMP/err")"
  fi
}
group_same strat estimate datasets/apistrat.csv $STRAT --mean $MANY --total enroll,api00 \
  --by awards --deff
group_same clus2 estimate datasets/apiclus2.csv --ids dnum,snum --fpc fpc1,fpc2 --weights pw \
  --mean $MANY --total enroll --by sch.wide --domain-df
group_same household estimate datasets/household.csv $HH \
  --mean overall,purpose,practical,responsibility,frugality,discipline,efficiency \
  --total efficiency,overall --by sex --deff
group_same nhanes estimate datasets/nhanes.csv --strata SDMVSTRA --ids SDMVPSU --nest \
  --weights WTMEC2YR --mean HI_CHOL,RIAGENDR,race,HI_CHOL --total race --by agecat
