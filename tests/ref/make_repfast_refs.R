#!/usr/bin/env Rscript
# Reference values for replicate designs whose every replicate is
# post-stratified, raked, calibrated or trimmed again (survstat does these
# on cell totals, see ss_weight_cells in src/design/ss_weight.h), computed
# with R's `survey` package: postStratify, calibrate and trimWeights on the
# svrep design.
#
# Run from the repository root:   Rscript tests/ref/make_repfast_refs.R
#
# Reads tests/ref/repfast_cases.txt (`name|datafile|arguments`, as
# rep_cases.txt) and writes tests/ref/NAME.expected.csv with the machinery
# of make_rep_refs.R (everything before its main part, which also writes the
# data sets these cases use).

suppressPackageStartupMessages(library(survey))
src <- readLines(file.path("tests", "ref", "make_rep_refs.R"))
eval(parse(text = src[1:(grep("^# ---- main", src) - 1)]))

failed <- for_each_case(file.path(ref_dir, "repfast_cases.txt"),
                        function(name) file.path(ref_dir, paste0(name, ".expected.csv")),
                        function(argstring, datafile) run_case(parse_args(argstring), datafile),
                        write_expected, rows = function(res) sprintf("%3d rows ", nrow(res)),
                        width = 24, warnings = "muffle")
if (length(failed)) quit(status = 1)
