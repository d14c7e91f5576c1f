#!/usr/bin/env Rscript
# Reference values for replicate designs made from PPS designs (survstat
# --pps brewer --replicate ...), computed with R's `survey` package:
# as.svrepdesign() on svydesign(fpc = ~p, pps = "brewer").
#
# Run from the repository root:   Rscript tests/ref/make_ppsrep_refs.R
# (after make_pps_refs.R, which writes tests/data/election_pps.csv and
# tests/data/pps_clus2.csv).
#
# What R allows (survey 4.1.1 and 4.5 alike): a Brewer design is a
# survey.design2 whose fpc are the probabilities (R's as.fpc makes the
# population size n_h / p_i per row), so as.svrepdesign takes
#   "subbootstrap"    always (subbootweights ignores the fpc)
#   "BRR", "Fay"      with strata of two PSUs (the fpc dropped, with a warning)
#   "JK1", "JKn", "bootstrap"  only when the probability is one per stratum
#                     ("More than one fpc value given", "More distinct fpc
#                     values than strata", "More than one fpc in stratum")
#   "mrbbootstrap"    (not in survstat)
# and every hr, ht and yg design (class "pps") fails ("incorrect number of
# dimensions": as.svrepdesign.default reads design$fpc as a matrix).
#
# First writes tests/data/election_pps_rep.csv: R's election_pps with an id
# 1..40, `half` (the counties above and below the median probability),
# `pair` (20 strata of two counties, for BRR and Fay), `pc` (a probability
# of 0.1 for every county) and `pc2` (0.1 in one half, 0.2 in the other),
# `winner` and `kerrywin`.
#
# Then reads tests/ref/ppsrep_cases.txt (`name|data file|arguments`) and
# writes tests/ref/ppsrep/NAME.expected.csv through make_refs.R's run_case
# (survstat estimate), make_test_refs.R's run_case (survstat test: --ttest,
# --chisq), make_table_refs.R's run_case (survstat table: --rows; its
# Rao-Scott test is the --chisq case's) or svyglm + regTermTest (survstat
# model: --formula, as make_model_refs.R's write_ref), the design made by
# the svydesign() below.
#
# Subbootstrap: R's random numbers cannot be drawn in C, so survstat's own
# replicate weights (tests/ref/ppsrep/NAME.weights.csv, written by
# tests/ref/ppsrep_weights.py with survstat weight) are put in place of
# R's: as.svrepdesign(type = "subbootstrap") makes the design, its
# repweights become survstat's factors (replicate weight / weight), and
# this script first checks that they are R's construction for those draws
# (subbootweights: in each stratum of n_h PSUs, n_h - 1 draws with
# replacement, factor count n_h / (n_h - 1), one factor per PSU).
# tests/e2e/cycle.sh checks that survstat still makes these weights.

suppressPackageStartupMessages(library(survey))
ref_dir <- file.path("tests", "ref")
out_dir <- file.path(ref_dir, "ppsrep")
dir.create(out_dir, showWarnings = FALSE)

# ---- data -----------------------------------------------------------------
data(election)
e <- election_pps
# the probabilities as make_pps_refs.R wrote them (exact in 15 or 17 digits)
p_text <- read.csv(file.path("tests", "data", "election_pps.csv"), colClasses = "character")$p
stopifnot(all(as.numeric(p_text) == e$p))
out <- data.frame(id = seq_len(nrow(e)), County = as.character(e$County), Bush = e$Bush,
                  Kerry = e$Kerry, votes = e$votes, p = p_text,
                  half = ifelse(e$p > median(e$p), "high", "low"),
                  pair = (seq_len(nrow(e)) - 1) %/% 2 + 1, pc = 0.1,
                  pc2 = ifelse(e$p > median(e$p), 0.1, 0.2),
                  winner = ifelse(e$Bush > e$Kerry, "Bush", "Kerry"),
                  kerrywin = as.numeric(e$Kerry > e$Bush))
write.csv(out, file.path("tests", "data", "election_pps_rep.csv"), row.names = FALSE,
          quote = TRUE)

# ---- the case runners, each in its own environment ------------------------
# make_reptest_refs.R's load_part() and write_test() (its test rows), taken
# from that file without running it
for (ex in parse(file.path(ref_dir, "make_reptest_refs.R")))
  if (is.call(ex) && identical(ex[[1]], as.name("<-")) &&
      as.character(ex[[2]]) %in% c("load_part", "write_test"))
    eval(ex)
T_ENV <- load_part("make_test_refs.R", "^failed <- for_each_case")
E_ENV <- load_part("make_refs.R", "^# Main")
M_ENV <- load_part("make_model_refs.R", "^strat <- read.csv")
TB_ENV <- load_part("make_table_refs.R", "^lines <- readLines")
TB_ENV$ref_dir <- tempdir()   # its run_case writes NAME.table.expected.csv there
E_ENV$data_dir <- "."
T_ENV$data_dir <- "."

# ---- the design: --pps, --replicate, --seed, --mse (and the model's
# --formula, --family, --test) taken out into REP by replicates.R's
# rep_strip(); its svydesign() is replaced below
source(file.path(ref_dir, "replicates.R"))
take_opts <- function(argstring)
  rep_strip(argstring, c("--pps", "--replicate", "--seed", "--formula", "--family", "--test"))

# survstat's subbootstrap factors for case CASE, checked against R's
# construction (subbootweights) on the design's stage-1 strata and PSUs.
survstat_factors <- function(d, R) {
  f <- file.path(out_dir, paste0(CASE, ".weights.csv"))
  if (!file.exists(f))
    stop(f, " is missing: run python3 tests/ref/ppsrep_weights.py ./survstat ", out_dir)
  w <- read.csv(f)
  fac <- as.matrix(w[, -1]) / w$w
  stopifnot(ncol(fac) == R, nrow(fac) == nrow(d$variables))
  psu <- d$cluster[, 1]; st <- d$strata[, 1]
  for (h in unique(st)) {
    rows <- st == h
    n <- length(unique(psu[rows]))
    first <- !duplicated(psu[rows])
    of <- match(psu[rows], psu[rows][first])   # each row's PSU among the stratum's
    per_psu <- fac[rows, , drop = FALSE][first, , drop = FALSE]
    cnt <- per_psu * (n - 1) / n
    # one factor per PSU, whole counts, n_h - 1 draws
    stopifnot(all(abs(fac[rows, , drop = FALSE] - per_psu[of, , drop = FALSE]) <
                  1e-12 * max(fac)))
    stopifnot(all(abs(cnt - round(cnt)) < 1e-9), all(cnt >= 0))
    stopifnot(all(abs(colSums(round(cnt)) - (n - 1)) == 0))
    # R's subbootstratum: table(draws) * n / (n - 1)
    fac[rows, ] <- (round(cnt) * n / (n - 1))[of, , drop = FALSE]
  }
  fac
}

svydesign <- function(...) {
  cl <- match.call()
  cl[[1]] <- quote(survey::svydesign)
  if (identical(REP$pps, "brewer")) cl$pps <- "brewer"
  d <- eval(cl, parent.frame())
  if (is.null(REP$replicate)) return(d)
  r <- REP$replicate
  if (startsWith(r, "subbootstrap:")) {
    R <- as.numeric(sub("subbootstrap:", "", r))
    rd <- as.svrepdesign(d, type = "subbootstrap", replicates = R, compress = FALSE,
                         mse = REP$mse)
    rd$repweights <- survstat_factors(d, R)
    rd$degf <- degf(rd)
    return(rd)
  }
  if (startsWith(r, "fay:"))
    return(as.svrepdesign(d, type = "Fay", fay.rho = as.numeric(sub("fay:", "", r)),
                          mse = REP$mse))
  as.svrepdesign(d, type = switch(r, jk1 = "JK1", jkn = "JKn", brr = "BRR"), mse = REP$mse)
}

# survstat model: svyglm on the same design (make_refs.R's parser reads the
# design options; the formula, family and --test were taken out above)
run_model <- function(argstring, datafile, name) {
  a <- E_ENV$parse_args(argstring)
  dat <- read.csv(datafile)
  fml <- function(v) if (is.null(v)) NULL else as.formula(paste("~", paste(v, collapse = "+")))
  d <- svydesign(ids = if (is.null(a$ids)) ~1 else fml(a$ids), strata = fml(a$strata),
                 weights = fml(a$weights), fpc = fml(a$fpc), data = dat)
  family <- switch(if (is.null(REP$family)) "gaussian" else REP$family,
                   gaussian = gaussian(), binomial = quasibinomial(),
                   poisson = quasipoisson())
  fit <- svyglm(as.formula(REP$formula), d, family = family)
  old <- setwd(tempdir())
  on.exit(setwd(old))
  dir.create("tests/ref/model", recursive = TRUE, showWarnings = FALSE)
  M_ENV$write_ref(name, fit, if (is.null(REP$family)) "gaussian" else REP$family,
                  if (is.null(REP$test)) character(0) else REP$test)
  readLines(file.path("tests/ref/model", paste0(name, ".expected.csv")))
}

# ---- main -----------------------------------------------------------------
kind <- function(argstring)
  if (grepl("--formula", argstring)) "model" else
    if (grepl("--ttest|--chisq", argstring)) "test" else
      if (grepl("--rows", argstring)) "table" else "estimate"
failed <- for_each_case(
  file.path(ref_dir, "ppsrep_cases.txt"),
  function(name) {
    CASE <<- name   # for survstat_factors()
    file.path(out_dir, paste0(name, ".expected.csv"))
  },
  function(argstring, datafile) {
    k <- kind(argstring)
    args <- take_opts(argstring)
    res <- switch(k,
                  estimate = E_ENV$run_case(E_ENV$parse_args(args), datafile),
                  test = T_ENV$run_case(T_ENV$parse_args(args), datafile),
                  model = run_model(args, datafile, CASE),
                  table = TB_ENV$run_case(CASE, datafile, args))
    list(kind = k, res = res)
  },
  function(x, out) switch(x$kind, estimate = E_ENV$write_expected(x$res, out),
                          test = write_test(x$res, out), model = writeLines(x$res, out),
                          table = file.copy(file.path(TB_ENV$ref_dir,
                                                      paste0(CASE, ".table.expected.csv")),
                                            out, overwrite = TRUE)),
  width = 22, warnings = "list")

# What R refuses (survstat: a usage error naming the types allowed): every
# replicate type on hr, ht and yg designs, and jk1/jkn/bootstrap on a Brewer
# design whose probabilities vary within a stratum.
ep <- read.csv(file.path("tests", "data", "election_pps_rep.csv"))
refused <- list(
  hr = survey::svydesign(ids = ~id, fpc = ~p, data = ep, pps = HR()),
  ht = survey::svydesign(ids = ~id, fpc = ~p, data = ep, pps = ppsmat(election_jointprob)),
  yg = survey::svydesign(ids = ~id, fpc = ~p, data = ep, pps = ppsmat(election_jointprob),
                         variance = "YG"))
for (m in names(refused)) for (t in c("JK1", "bootstrap", "subbootstrap"))
  stopifnot(inherits(try(suppressWarnings(as.svrepdesign(refused[[m]], type = t)),
                         silent = TRUE), "try-error"))
db <- survey::svydesign(ids = ~1, fpc = ~p, data = ep, pps = "brewer")
for (t in c("JK1", "bootstrap"))
  stopifnot(inherits(try(as.svrepdesign(db, type = t), silent = TRUE), "try-error"))
cat("ok      R refuses hr/ht/yg replicates, and jk1/bootstrap on varying probabilities\n")

if (length(failed)) {
  message("R could not compute: ", paste(failed, collapse = ", "))
  quit(status = 1)
}
