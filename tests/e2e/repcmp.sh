# Replicate designs with --compare, --ci-method likelihood and --trim-weights:
# R reference cases (tests/ref/repcmp_cases.txt, made by make_repcmp_refs.R:
# R's svyby(covmat = TRUE) for the contrasts, by-hand R for the likelihood
# interval and for trimming every replicate).  Sourced by tests/run_tests.sh.

while IFS='|' read -r name data args; do
  case $name in ''|'#'*) continue ;; esac
  # shellcheck disable=SC2086
  run estimate "datasets/$data" $args --format csv
  if [ "$status" -ne 0 ]; then
    bad "repcmp ref $name: exit $status: $(cat "$TMP/err")"
  elif python3 tests/tools/refcmp.py "$TMP/out" "tests/ref/repcmp/$name.expected.csv" >"$TMP/cmp"; then
    ok
  else
    bad "repcmp ref $name"; head -5 "$TMP/cmp"
  fi
done < tests/ref/repcmp_cases.txt
