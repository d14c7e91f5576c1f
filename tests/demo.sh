#!/usr/bin/env bash
# make demo: example analyses on the files in datasets/ (R's survey package
# example data: California schools (api) and NHANES).
set -euo pipefail
cd "$(dirname "$0")/.."
S=./survstat
say() { printf '\n== %s\n$ %s\n' "$1" "${*:2}"; "${@:2}"; }
say "Design check of a two-stage cluster sample" \
  $S describe datasets/apiclus2.csv --ids dnum,snum --fpc fpc1,fpc2
say "Mean API score, one-stage cluster sample with fpc, with design effects" \
  $S estimate datasets/apiclus1.csv --ids dnum --weights pw --fpc fpc --mean api00,api99 --deff
say "Share of schools meeting their target, by school type (stratified sample)" \
  $S estimate datasets/apistrat.csv --strata stype --weights pw --fpc fpc --prop sch.wide --by stype
say "High cholesterol by race, NHANES (strata, nested PSUs, item missing data)" \
  $S estimate datasets/nhanes.csv --ids SDMVPSU --strata SDMVSTRA --weights WTMEC2YR --nest --mean HI_CHOL --by race --deff
say "Ratio of 2000 to 1999 scores, Markdown" \
  $S estimate datasets/apisrs.csv --weights pw --fpc fpc --ratio api00/api99 --format md
