# survstat test and survstat drivers under replicate designs: the R
# reference cases (tests/ref/reptest_cases.txt, made by
# make_reptest_refs.R: svyttest, svychisq, svyglm on svrep designs) and the
# bootstrap's properties.  Sourced by tests/run_tests.sh.

while IFS='|' read -r name kind data args; do
  case $name in ''|'#'*) continue ;; esac
  if [ "$kind" = test ]; then cmp=testcmp; else cmp=refcmp; fi
  ref_check "reptest ref $name" "$kind" "$data" "$args" "tests/ref/$name.$kind.expected.csv" $cmp
done < tests/ref/reptest_cases.txt

# drivers --wave stamps every row (refcmp.py does not look at the wave)
run drivers datasets/apiclus1.csv --ids dnum --weights pw --fpc fpc --replicate jk1 \
  --outcome api00 --items ell,meals --wave 2024 --format csv
if [ "$status" -eq 0 ] && [ "$(head -1 "$TMP/out" | cut -d, -f1)" = wave ] &&
  [ "$(grep -c '^2024,' "$TMP/out")" = 7 ] && [ "$(wc -l <"$TMP/out")" = 8 ]; then
  ok
else
  bad "drivers --replicate --wave: $(cat "$TMP/out" "$TMP/err")"
fi

# Bootstrap replicates made here (R's random numbers cannot be reproduced):
# the same seed gives the same test, another seed another; the SE of the
# t test and of a coefficient is near the Taylor SE on nhanes (8,591 rows).
NH="datasets/nhanes.csv --ids SDMVPSU --strata SDMVSTRA --weights WTMEC2YR --nest"
col() { cut -d, -f"$1" "$TMP/out" | sed -n "${2}p"; }
# shellcheck disable=SC2086
{
run test $NH --replicate bootstrap:100 --seed 3 --ttest HI_CHOL --group RIAGENDR --format csv
a=$(col 5 2)
run test $NH --replicate bootstrap:100 --seed 3 --ttest HI_CHOL --group RIAGENDR --format csv
b=$(col 5 2)
run test $NH --replicate bootstrap:100 --seed 4 --ttest HI_CHOL --group RIAGENDR --format csv
c=$(col 5 2); df=$(col 7 2)
run test $NH --ttest HI_CHOL --group RIAGENDR --format csv
t=$(col 5 2)
run drivers $NH --replicate bootstrap:100 --seed 3 --outcome HI_CHOL --items RIAGENDR,race --format csv
bd=$(col 6 3)
run drivers $NH --outcome HI_CHOL --items RIAGENDR,race --format csv
td=$(col 6 3)
}
if [ -n "$a" ] && [ "$a" = "$b" ] && [ "$a" != "$c" ]; then ok; else bad "bootstrap t test: seeds 3, 3, 4 gave se '$a' '$b' '$c'"; fi
# df: R's degf (the rank of the replicate weights less 1: 16 for this seed)
# less 1 for the t test
if [ "$df" = 15 ]; then ok; else bad "bootstrap:100 t test df '$df', want 15 (degf 16 - 1)"; fi
if python3 -c "import sys; a,t,b,u=map(float,'$a $t $bd $td'.split()); sys.exit(not (0.6 < a/t < 1.4 and 0.6 < b/u < 1.4))"; then
  ok
else
  bad "bootstrap SEs far from Taylor's: t test $a vs $t, RIAGENDR $bd vs $td"
fi
run test $NH --replicate bootstrap:100 --seed 3 --chisq race,agecat --chisq-stat Wald --format csv
if [ "$status" -eq 0 ] && [ "$(col 7 2)" = 9 ] && [ "$(col 8 2)" = 16 ]; then
  ok
else
  bad "bootstrap chisq Wald df: $(cat "$TMP/out" "$TMP/err")"
fi
