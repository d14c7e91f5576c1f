#!/bin/sh
# Times replicate designs on a generated file of 100,000 rows in 100 strata
# of 20 PSUs (2,000 PSUs): a 2,000-replicate JKn, a 500-replicate bootstrap,
# and a 100-replicate bootstrap raked on each replicate.
# Usage: tests/tools/bench_replicates.sh [./survstat]
set -e
BIN=${1:-./survstat}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
python3 - "$DIR/big.csv" "$DIR/margins.csv" <<'PY'
import random, sys
random.seed(5)
with open(sys.argv[1], "w") as f:
    f.write("stratum,psu,w,y,g\n")
    for i in range(100000):
        h, p = i % 100, (i // 100) % 20
        f.write(f"{h},{h}-{p},{1 + (i % 7)},{random.gauss(50 + h % 5, 10):.4f},{i % 3}\n")
with open(sys.argv[2], "w") as f:
    f.write("variable,level,total\ng,0,140000\ng,1,130000\ng,2,130000\n")
PY
t() {
  label=$1; shift
  s=$(date +%s.%N)
  "$BIN" estimate "$DIR/big.csv" --strata stratum --ids psu --weights w "$@" >/dev/null
  e=$(date +%s.%N)
  printf '%-44s %6.2f s\n' "$label" "$(echo "$e - $s" | bc)"
}
t "Taylor (no replicates), mean + prop" --mean y --prop g
t "jkn, 2000 replicates, mean + prop" --replicate jkn --mean y --prop g
t "jkn, 2000 replicates, mean by g" --replicate jkn --mean y --by g
t "bootstrap:500, mean + prop" --replicate bootstrap:500 --seed 1 --mean y --prop g
t "bootstrap:100, raked on each, mean" --replicate bootstrap:100 --seed 1 --rake "$DIR/margins.csv" --mean y
