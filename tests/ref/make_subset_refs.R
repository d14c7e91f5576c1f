#!/usr/bin/env Rscript
# Reference values for --subset EXPR (and --total of a categorical column),
# computed with R's `survey` package.
#
# Run from the repository root:   Rscript tests/ref/make_subset_refs.R
#
# Reads tests/ref/subset_cases.txt (TAB-separated: name, command, data file,
# EXPR or '-', the other arguments) and writes
# tests/ref/subset/NAME.expected.csv for every case:
#   - estimate and drivers: make_refs.R's run_case() with args$subset = EXPR
#     (every analysis variable missing outside the subset, so that each
#     estimator's na.rm = TRUE subsets the design: R's [.survey.design2 /
#     [.svyrep.design, the call subset() makes; the df stays degf() of the
#     whole design), and the replicate options of make_rep_refs.R;
#   - test: make_test_refs.R's run_case() on subset(design, EXPR).
# Then checks, on several designs, that the estimates of that route equal
# svymean / svytotal / svyby on subset(design, EXPR) itself (to 1e-12).

suppressPackageStartupMessages(library(survey))
ref_dir <- file.path("tests", "ref")
out_dir <- file.path(ref_dir, "subset")
dir.create(out_dir, showWarnings = FALSE)

upto <- function(file, pattern) {
  src <- readLines(file.path(ref_dir, file))
  src[1:(grep(pattern, src)[1] - 1)]
}
# make_refs.R (estimate, drivers) and make_test_refs.R (test), each in an
# environment of its own, with the replicate options of make_rep_refs.R.
est <- new.env()
eval(parse(text = upto("make_refs.R", "^# Main")), envir = est)
sys.source(file.path(ref_dir, "replicates.R"), envir = est)
est$base_parse_args <- est$parse_args
environment(est$base_parse_args) <- est
est$parse_args <- function(argstring)
  est$base_parse_args(est$rep_strip(argstring, c("--replicate", "--repweights", "--rep-type",
                                                 "--rep-scale", "--seed")))
tst <- new.env()
eval(parse(text = upto("make_test_refs.R", "^failed <- for_each_case")), envir = tst)
sys.source(file.path(ref_dir, "replicates.R"), envir = tst)
tst$base_parse_args <- tst$parse_args
tst$parse_args <- function(argstring)
  tst$base_parse_args(tst$rep_strip(argstring, c("--replicate", "--repweights", "--rep-type",
                                                 "--rep-scale", "--seed")))

lines <- readLines(file.path(ref_dir, "subset_cases.txt"), encoding = "UTF-8")
lines <- lines[!grepl("^[[:space:]]*(#|$)", lines)]
failed <- character(0)
for (line in lines) {
  f <- strsplit(line, "\t", fixed = TRUE)[[1]]
  name <- f[1]; cmd <- f[2]; datafile <- f[3]; expr <- f[4]; argstring <- f[5]
  out <- file.path(out_dir, paste0(name, ".expected.csv"))
  res <- tryCatch(suppressWarnings({
    if (cmd == "test") {
      a <- tst$parse_args(argstring)
      if (expr != "-") a$subset <- expr
      r <- tst$run_case(a, datafile)
      tst$write_rows(r, out)
    } else {
      a <- est$parse_args(argstring)
      if (expr != "-") a$subset <- expr
      r <- est$run_case(a, datafile)
      est$write_expected(r, out)
    }
    r
  }), error = function(e) e)
  if (inherits(res, "error")) {
    message(sprintf("FAILED  %-26s R error: %s", name, conditionMessage(res)))
    if (file.exists(out)) file.remove(out)
    failed <- c(failed, name)
    next
  }
  cat(sprintf("ok      %-26s %3d rows -> %s\n", name, nrow(res), out))
}
if (length(failed)) {
  message("R could not compute: ", paste(failed, collapse = ", "))
  quit(status = 1)
}

# ---- the route above against subset() itself ----------------------------
check <- function(label, a, b) {
  if (!isTRUE(all.equal(unname(a), unname(b), tolerance = 1e-12)))
    stop(label, ": subset() and the missing-outside route differ: ",
         paste(format(a, digits = 17), collapse = " "), " vs ",
         paste(format(b, digits = 17), collapse = " "))
}
both <- function(label, design, keep, fun, ...) {
  sub <- subset(design, keep)
  na <- design
  for (v in names(na$variables)) na$variables[[v]][!keep] <- NA
  x <- fun(sub, ...); y <- fun(na, ...)
  check(paste(label, "estimate"), coef(x), coef(y))
  check(paste(label, "SE"), SE(x), SE(y))
}
options(survey.adjust.domain.lonely = FALSE)
strat <- read.csv(file.path("datasets", "apistrat.csv"), stringsAsFactors = FALSE)
clus1 <- read.csv(file.path("datasets", "apiclus1.csv"), stringsAsFactors = FALSE)
ds <- svydesign(ids = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = strat)
k <- strat$api00 > 600
both("strat mean", ds, k, function(d) svymean(~api00, d, na.rm = TRUE))
both("strat total", ds, k, function(d) svytotal(~enroll, d, na.rm = TRUE))
both("strat by", ds, k, function(d) svyby(~api00, ~awards, d, svymean, na.rm = TRUE))
options(survey.lonely.psu = "average")
dl <- svydesign(ids = ~1, strata = ~cname, weights = ~pw, data = strat)
both("lonely average", dl, strat$api00 > 650, function(d) svymean(~api00, d, na.rm = TRUE))
options(survey.lonely.psu = "adjust")
both("lonely adjust", dl, strat$api00 > 650, function(d) svytotal(~enroll, d, na.rm = TRUE))
options(survey.lonely.psu = "fail")
dc <- svydesign(ids = ~dnum, weights = ~pw, fpc = ~fpc, data = clus1)
dr <- rake(dc, list(~stype, ~sch.wide),
           list(data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018)),
                data.frame(sch.wide = c("No", "Yes"), Freq = c(1072, 5122))))
both("raked mean", dr, clus1$api99 > 600, function(d) svymean(~api00, d, na.rm = TRUE))
rj <- as.svrepdesign(dc, type = "JK1")
both("jk1 mean", rj, clus1$stype != "E", function(d) svymean(~api00, d, na.rm = TRUE))
both("jk1 by", rj, clus1$stype != "E",
     function(d) svyby(~enroll, ~awards, d, svytotal, na.rm = TRUE))
cat("ok      subset() agrees with the missing-outside route\n")
