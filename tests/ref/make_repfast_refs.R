#!/usr/bin/env Rscript
# Reference values for replicate designs whose every replicate is
# post-stratified, raked, calibrated or trimmed again (survstat does these
# on cell totals, see ss_weight_cells in include/ss_weight.h), computed
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

cases <- readLines(file.path(ref_dir, "repfast_cases.txt"), encoding = "UTF-8")
cases <- cases[!grepl("^[[:space:]]*(#|$)", cases)]
failed <- character(0)
for (line in cases) {
  f <- strsplit(line, "|", fixed = TRUE)[[1]]
  name <- trimws(f[1]); datafile <- trimws(f[2]); argstring <- trimws(f[3])
  out <- file.path(ref_dir, paste0(name, ".expected.csv"))
  res <- withCallingHandlers(
    tryCatch(run_case(parse_args(argstring), datafile), error = function(e) e),
    warning = function(w) invokeRestart("muffleWarning"))
  if (inherits(res, "error")) {
    message(sprintf("FAILED  %-24s R error: %s", name, conditionMessage(res)))
    if (file.exists(out)) file.remove(out)
    failed <- c(failed, name)
    next
  }
  write_expected(res, out)
  cat(sprintf("ok      %-24s %3d rows -> %s\n", name, nrow(res), out))
}
if (length(failed)) quit(status = 1)
