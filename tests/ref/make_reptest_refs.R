#!/usr/bin/env Rscript
# Reference values for `survstat test` and `survstat drivers` on replicate
# designs (--replicate, --repweights), computed with R's `survey` package.
#
# Run from the repository root:   Rscript tests/ref/make_reptest_refs.R
# (after make_rep_refs.R, which writes datasets/scd.csv, apiclus1_rep.csv
# and apistrat_pairs.csv).
#
# First writes datasets/apistrat_boot.csv: apistrat plus 50 bootstrap
# replicate weights boot1..boot50 from R's as.svrepdesign(type =
# "bootstrap") (R's random numbers cannot be reproduced in C, so the
# bootstrap is tested through --repweights with R's own replicates).  Then
# reads tests/ref/reptest_cases.txt (`name|test or drivers|datafile|
# arguments`) and writes tests/ref/NAME.test.expected.csv or
# tests/ref/NAME.drivers.expected.csv.  The design is made by
# make_test_refs.R's or make_refs.R's run_case(), whose svydesign() is
# wrapped (as in make_rep_refs.R) to become as.svrepdesign() or
# svrepdesign(combined.weights = TRUE); weighting options then go through
# weighting.R on the replicate design (postStratify / calibrate redo every
# replicate), and:
#   --ttest  svyttest(VAR ~ COL, design): svyglm.svyrep.design, df = degf - 1
#   --chisq  svychisq.svyrep.design(statistic = F, Chisq, Wald, adjWald)
#   drivers  svyglm(outcome ~ items, design) on the whole replicate design
#            (its df.residual = degf(design) + 1 - coefficients, counted
#            before the incomplete rows are dropped), confint(), cov.wt
#            correlations with the sampling weights, svymean / svyciprop
#            performance with df = degf(design).

suppressPackageStartupMessages(library(survey))
ref_dir <- file.path("tests", "ref")

# ---- data -----------------------------------------------------------------
strat <- read.csv(file.path("datasets", "apistrat.csv"), check.names = FALSE,
                  colClasses = "character")
sd0 <- survey::svydesign(ids = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc,
                         data = read.csv(file.path("datasets", "apistrat.csv")))
set.seed(20261129)
bd <- as.svrepdesign(sd0, type = "bootstrap", replicates = 50, compress = FALSE)
bw <- weights(bd, "analysis")
bwt <- as.data.frame(matrix(sprintf("%.17g", bw), nrow = nrow(bw),
                            dimnames = list(NULL, paste0("boot", seq_len(ncol(bw))))))
write.csv(cbind(strat, bwt), file.path("datasets", "apistrat_boot.csv"), row.names = FALSE,
          quote = FALSE, na = "")

# ---- the two case runners, each in its own environment -------------------
load_part <- function(file, end_pattern) {
  src <- readLines(file.path(ref_dir, file))
  env <- new.env()
  eval(parse(text = src[1:(grep(end_pattern, src)[1] - 1)]), envir = env)
  env
}
T_ENV <- load_part("make_test_refs.R", "^failed <- for_each_case")
E_ENV <- load_part("make_refs.R", "^# Main")

# ---- the replicate options (tests/ref/replicates.R), stripped before the
# runners parse the rest
source(file.path(ref_dir, "replicates.R"))
strip_rep <- function(argstring)
  rep_strip(argstring, c("--replicate", "--repweights", "--rep-type", "--rep-scale", "--wave"))

# test rows with the wave column first when --wave is given, as survstat
write_test <- function(res, file) {
  cols <- c("test", "variable", "by", "estimate", "se", "statistic", "df1", "df2", "p_value")
  if (!is.null(REP$wave)) {
    res <- cbind(wave = REP$wave, res, stringsAsFactors = FALSE)
    cols <- c("wave", cols)
  }
  out <- lapply(cols, function(cn) {
    x <- res[[cn]]
    if (is.numeric(x)) T_ENV$num_field(x) else T_ENV$csv_field(x)
  })
  writeLines(c(paste(cols, collapse = ","), do.call(paste, c(out, sep = ","))), file,
             useBytes = TRUE)
}

# ---- main -----------------------------------------------------------------
cases <- readLines(file.path(ref_dir, "reptest_cases.txt"), encoding = "UTF-8")
cases <- cases[!grepl("^[[:space:]]*(#|$)", cases)]
failed <- character(0)
for (line in cases) {
  f <- trimws(strsplit(line, "|", fixed = TRUE)[[1]])
  name <- f[1]; kind <- f[2]; datafile <- f[3]; argstring <- strip_rep(f[4])
  out <- file.path(ref_dir, paste0(name, ".", kind, ".expected.csv"))
  warns <- character(0)
  res <- withCallingHandlers(
    tryCatch(if (kind == "test") T_ENV$run_case(T_ENV$parse_args(argstring), datafile)
             else E_ENV$run_case(E_ENV$parse_args(argstring), datafile),
             error = function(e) e),
    warning = function(w) {
      warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning")
    })
  if (inherits(res, "error")) {
    message(sprintf("FAILED  %-24s R error: %s", name, conditionMessage(res)))
    if (file.exists(out)) file.remove(out)
    failed <- c(failed, name)
    next
  }
  if (kind == "test") write_test(res, out) else E_ENV$write_expected(res, out)
  cat(sprintf("ok      %-24s -> %s\n", name, out))
  for (w in unique(warns)) cat(sprintf("        warning: %s\n", w))
}
if (length(failed)) {
  message("R could not compute: ", paste(failed, collapse = ", "))
  quit(status = 1)
}
