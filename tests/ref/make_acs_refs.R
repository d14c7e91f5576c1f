#!/usr/bin/env Rscript
# Reference values for --rep-type acs, computed with R's survey 4.5 (not
# Debian's 4.1): survey 4.1 has type = "ACS" but treats it exactly as
# "successive-difference" (mse from the option, FALSE by default); since 4.5
# (NEWS: 'svrepdesign(type="ACS") now uses mse=TRUE unless mse=FALSE is
# explicitly given') it turns mse on, which is what --rep-type acs does.
# (--rep-type sdr with and without --mse is checked against 4.1 in
# rep_cases.txt.)
#
# Run from the repository root, with survey 4.5 installed in a library of
# its own (../shared/reference/README.md):
#   R_LIBS=/work/rlib45 Rscript tests/ref/make_acs_refs.R
#
# Data: datasets/acs_pums.csv, 400 rows of `build/bench/gen_acs 400 7` (the
# ACS PUMS person-file shape: PWGTP and 80 successive-difference replicate
# weights PWGTP1..PWGTP80).  Reads tests/ref/acs_cases.txt (`name|datafile|
# arguments`, as rep_cases.txt) and writes tests/ref/NAME.expected.csv with
# make_refs.R's run_case() and the replicate options of replicates.R
# (svrepdesign(type = "ACS") without mse=, so that R chooses).

suppressPackageStartupMessages(library(survey))
if (packageVersion("survey") < "4.5")
  stop("make_acs_refs.R needs survey 4.5 (R_LIBS=... with survey 4.5), found ",
       packageVersion("survey"))

src <- readLines(file.path("tests", "ref", "make_refs.R"))
eval(parse(text = src[1:(grep("^# Main", src) - 2)]))
source(file.path("tests", "ref", "replicates.R"))
parse_args <- rep_parse_args(parse_args)

failed <- rep_estimate_cases("acs_cases.txt")
if (length(failed)) quit(status = 1)
