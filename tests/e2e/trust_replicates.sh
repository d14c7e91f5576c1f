# Replicate designs (issue 18): the domain's degf (R's degf of the subset
# design, the rank of its replicate analysis weights) for beta/Korn-Graubard
# intervals, --domain-df and contrasts; degf from the rank of the analysis
# weights (not of the replicate factors); a stage-1 census and a bootstrap
# of one-PSU strata; a replicate whose calibration does not converge.
# R references: tests/ref/make_trust_rep_refs.R on tests/ref/trustrep/.
# Sourced by tests/run_tests.sh.

TR=tests/ref/trustrep

# trust_ref NAME EXPECTED ARGS...: survstat ARGS --format csv against the R file
trust_ref() {
  local name=$1 expected=$2
  shift 2
  run "$@" --format csv
  if [ "$status" -ne 0 ]; then
    bad "trust-rep $name: exit $status: $(cat "$TMP/err")"
  elif python3 tests/tools/refcmp.py "$TMP/out" "$expected" >"$TMP/cmp"; then
    ok
  else
    bad "trust-rep $name"; head -5 "$TMP/cmp"
  fi
}

# Korn-Graubard intervals in a domain of a JKn design: df = the domain's
# degf (42, 44, 58), not the design's (143).
trust_ref kg-domain-df $TR/case_1017.expected.csv \
  estimate $TR/case_1017.csv --weights w --strata st --fpc fpc1 --lonely-psu adjust --na 9 \
  --replicate jkn --prop q2 --by grp --ci-method korn-graubard
# --domain-df under JKn with clusters: a domain inside one PSU has df 0 and no interval.
trust_ref domain-df-jkn $TR/case_1218.expected.csv \
  estimate $TR/case_1218.csv --weights w --strata st --ids psu --nest --lonely-psu remove \
  --na 9 --replicate jkn --mean q1,income --by region --domain-df
# degf = rank(W) - 1 = 296 (the factors have rank 298: R's qr at tol 1e-5
# drops the lonely stratum's replicate once weighted).
trust_ref degf-rank-w $TR/case_1309.expected.csv \
  estimate $TR/case_1309.csv --weights w --strata st --lonely-psu adjust --na 9 \
  --replicate jkn --mean q1
# ratio and total with --domain-df under JK1 at level 0.9
trust_ref domain-df-jk1-ratio $TR/case_5024.expected.csv \
  estimate $TR/case_5024.csv --weights w --strata st --lonely-psu average --na 9,99 \
  --replicate jk1 --ratio income/q2 --total age --by region --domain-df --level 0.9
# contrasts with --domain-df: df of the two domains' rows
trust_ref compare-domain-df $TR/compare_jk1_domain_df.expected.csv \
  estimate datasets/apiclus1.csv --ids dnum --weights pw --fpc fpc --replicate jk1 \
  --mean api00 --by stype --compare --domain-df
