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
T_ENV <- load_part("make_test_refs.R", "^cases <- readLines")
E_ENV <- load_part("make_refs.R", "^# Main")

# ---- the replicate options (stripped before the runners parse the rest) --
REP <- list()
strip_rep <- function(argstring) {
  tok <- strsplit(trimws(argstring), "[[:space:]]+")[[1]]
  keep <- character(0)
  REP <<- list(mse = FALSE)
  i <- 1
  while (i <= length(tok)) {
    t <- tok[i]
    if (t %in% c("--replicate", "--repweights", "--rep-type", "--rep-scale", "--wave")) {
      REP[[sub("^--", "", t)]] <<- tok[i + 1]
      i <- i + 2
    } else if (t == "--mse") {
      REP$mse <<- TRUE
      i <- i + 1
    } else {
      keep <- c(keep, t)
      i <- i + 1
    }
  }
  paste(keep, collapse = " ")
}
rtype <- function(s) {
  if (startsWith(s, "fay:")) return(list(type = "Fay", rho = as.numeric(sub("fay:", "", s))))
  list(type = switch(s, jk1 = "JK1", jkn = "JKn", brr = "BRR", bootstrap = "bootstrap",
                     other = "other", stop("unknown type ", s)), rho = 0)
}
svydesign <- function(...) {
  cl <- match.call()
  cl[[1]] <- quote(survey::svydesign)
  d <- eval(cl, parent.frame())
  if (!is.null(REP$replicate)) {
    t <- rtype(REP$replicate)
    return(suppressWarnings(as.svrepdesign(d, type = t$type, fay.rho = t$rho,
                                           mse = REP$mse)))
  }
  if (!is.null(REP$repweights)) {
    t <- rtype(REP[["rep-type"]])
    v <- d$variables
    cols <- grep(REP$repweights, names(v))
    return(suppressWarnings(svrepdesign(
      variables = v, repweights = v[, cols], weights = weights(d), type = t$type,
      rho = if (t$type == "Fay") t$rho else NULL, combined.weights = TRUE,
      scale = if (is.null(REP[["rep-scale"]])) NULL else as.numeric(REP[["rep-scale"]]),
      rscales = if (t$type == "JKn") rep(1, length(cols)) else NULL, mse = REP$mse)))
  }
  stop("not a replicate case")
}

# drivers on the whole replicate design: svyglm drops the incomplete rows
# itself (na.action), after counting degf (svyglm.svyrep.design).
E_ENV$drivers_rows <- function(args, design, dat, txt, is_missing) {
  vars <- c(args$outcome, args$items)
  cc <- Reduce(`&`, lapply(vars, function(v) !is_missing(v)))
  f <- as.formula(paste0("`", args$outcome, "` ~ ", paste0("`", args$items, "`", collapse = "+")))
  m <- svyglm(f, design)
  ci <- confint(m)
  b <- coef(m); se <- SE(m)
  rows <- data.frame(statistic = c("coef", rep("importance", length(args$items))),
                     variable = c("(Intercept)", args$items), level = "", domain = "",
                     estimate = unname(b), se = unname(se), ci_low = unname(ci[, 1]),
                     ci_high = unname(ci[, 2]), df = m$df.residual, n = sum(cc),
                     stringsAsFactors = FALSE)
  w <- weights(design, "sampling")[cc]
  for (v in args$items) {
    r <- cov.wt(cbind(dat[[v]][cc], dat[[args$outcome]][cc]), wt = w / sum(w),
                cor = TRUE)$cor[1, 2]
    rows <- rbind(rows, data.frame(statistic = "correlation", variable = v, level = "",
                                   domain = "", estimate = r, se = NA, ci_low = NA,
                                   ci_high = NA, df = NA, n = sum(cc)))
  }
  DF <- degf(design)
  for (v in args$items) {
    present <- !is_missing(v)
    if (args$performance == "t2b") {
      lo <- args$scale[1]; hi <- args$scale[2]; dir <- sign(hi - lo)
      design$variables$.t2b <- as.numeric((hi - dat[[v]]) * dir <= 1)
      sub <- subset(design, present)
      p <- svymean(~.t2b, sub)
      ci <- attr(svyciprop(~.t2b, sub, method = "logit", df = DF), "ci")
      lo_ci <- ci[[1]]; hi_ci <- ci[[2]]
    } else {
      p <- svymean(fml(v), design, na.rm = TRUE)
      h <- qt(0.975, DF) * SE(p)
      lo_ci <- coef(p) - h; hi_ci <- coef(p) + h
    }
    rows <- rbind(rows, data.frame(statistic = "performance", variable = v,
                                   level = args$performance, domain = "",
                                   estimate = unname(coef(p)), se = unname(SE(p))[1],
                                   ci_low = unname(lo_ci), ci_high = unname(hi_ci), df = DF,
                                   n = sum(present)))
  }
  imp <- rows$estimate[rows$statistic == "importance"]
  perf <- rows$estimate[rows$statistic == "performance"]
  q <- ifelse(imp >= mean(imp), ifelse(perf >= mean(perf), "keep up", "concentrate here"),
              ifelse(perf >= mean(perf), "possible overkill", "low priority"))
  rows$quadrant <- ""
  rows$quadrant[rows$statistic == "importance"] <- q
  rows$quadrant[rows$statistic == "performance"] <- q
  rows
}
environment(E_ENV$drivers_rows) <- E_ENV

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
