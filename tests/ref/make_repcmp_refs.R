#!/usr/bin/env Rscript
# Reference values for survstat's replicate designs with --compare,
# --ci-method likelihood and --trim-weights, computed with R's `survey`
# package where R computes them and by hand in R where it does not.
#
# Run from the repository root (after make_rep_refs.R, which writes the data
# sets these cases read):   Rscript tests/ref/make_repcmp_refs.R
#
# Reads tests/ref/repcmp_cases.txt (`name|datafile|arguments`, as cases.txt)
# and writes tests/ref/repcmp/NAME.expected.csv with make_refs.R's
# run_case(), the design turned into a replicate design by make_rep_refs.R's
# svydesign() wrapper.  Three pieces differ from R's own functions:
#
# --compare   R itself: svyby(..., covmat = TRUE) on the svrep design, the
#             variance of a difference V_ii + V_jj - 2 V_ij (svycontrast).
#
# --ci-method likelihood
#             R's svyciprop(method = "likelihood") gives NA on a svrep
#             design: summary.svrepglm's dispersion is
#             sum(pweights * presid^2) / sum(pweights) with Pearson residuals
#             that already carry the (unnormalised) prior weights, so it is
#             about n (183 on apiclus1), the deviance profile never reaches
#             the cut-off and approx() returns NA.  lik_rep() below computes
#             the interval the Taylor case uses (confint.svyglm's
#             Rao-Scott-rescaled profile) by hand: the working binomial
#             deviance with the weights normalised to mean 1, the dispersion
#             svyvar of the Pearson residuals, lambda = V / naive.cov with V
#             the replicate variance of the logit coefficient (vcov of
#             svyglm on the svrep design: svrVar of the replicate refits),
#             MASS's profile steps, spline() and approx() as
#             survey:::confint_profile.
#
# --trim-weights
#             R's trimWeights.svyrep.design (survey 4.1.1) does not trim
#             each replicate: it sets design$prob <- 1/pw (the untrimmed
#             weights, and a field svrep designs do not use), and its
#             replicate line `rwnew[!outside] + t(t(!outside) + ...)` mixes a
#             vector with a matrix; it is also not strict (one pass).
#             trim_replicates() below trims the full-sample weights and then
#             every replicate column by hand with trimWeights(strict = TRUE)'s
#             algorithm, a replicate's zero weights (rows outside that
#             replicate: a deleted PSU) left at zero and out of the
#             redistribution, and builds svrepdesign(combined.weights = TRUE)
#             on the result with the design's scale, rscales, mse and degf
#             (the rank of the trimmed replicate weights would add df that
#             the design does not have).

suppressPackageStartupMessages(library(survey))

# make_refs.R's functions (everything before its main part)
src <- readLines(file.path("tests", "ref", "make_refs.R"))
eval(parse(text = src[1:(grep("^# Main", src) - 2)]))
# make_rep_refs.R's replicate options (its parse_args and svydesign wrappers)
src <- readLines(file.path("tests", "ref", "make_rep_refs.R"))
eval(parse(text = src[grep("^# ---- the replicate options", src):
                        (grep("^# ---- main", src) - 1)]))

# ---- trimming every replicate ------------------------------------------------
# trimWeights(strict = TRUE) on a vector of weights: clamp to [lo, hi], spread
# what was cut off (or added) equally over the weights inside, repeat until
# none is outside.  keep_zero: zero weights stay zero and take no share.
trim_strict <- function(w, lo, hi, keep_zero) {
  for (it in 1:1000) {
    act <- if (keep_zero) w != 0 else rep(TRUE, length(w))
    out <- act & (w < lo | w > hi)
    if (!any(out)) return(w)
    nw <- w
    nw[act] <- pmax(lo, pmin(w[act], hi))
    inside <- act & !out
    nw[inside] <- nw[inside] + sum(w - nw) / sum(inside)
    w <- nw
  }
  stop("trimming did not converge")
}
trim_replicates <- function(design, lo, hi) {
  w <- trim_strict(weights(design, "sampling"), lo, hi, keep_zero = FALSE)
  rw <- weights(design, "analysis")
  rw <- apply(rw, 2, trim_strict, lo = lo, hi = hi, keep_zero = TRUE)
  out <- svrepdesign(variables = design$variables, repweights = rw, weights = w,
                     type = "other", combined.weights = TRUE, scale = design$scale,
                     rscales = design$rscales, mse = design$mse)
  out$degf <- degf(design)   # the design's df: trimming adds none
  out
}
base_apply_weighting <- apply_weighting
apply_weighting <- function(design, args, txt, is_missing, sort_values) {
  if (!inherits(design, "svyrep.design") || is.null(args$trim))
    return(base_apply_weighting(design, args, txt, is_missing, sort_values))
  bounds <- args$trim
  args$trim <- NULL
  design <- base_apply_weighting(design, args, txt, is_missing, sort_values)
  trim_replicates(design, bounds[1], bounds[2])
}

# ---- the likelihood interval on a replicate design, by hand -------------------
lik_rep <- function(formula, design, level, df) {
  y <- design$variables[[as.character(formula[[2]])]]
  m <- eval(bquote(svyglm(.(formula[[2]]) ~ 1, design, family = quasibinomial)))
  b <- unname(coef(m))
  V <- unname(vcov(m)[1, 1])                    # svrVar of the replicate refits
  w <- weights(design, "sampling")
  pw <- w / mean(w)
  n <- length(y)
  dev <- function(beta) {
    mu <- plogis(beta)
    2 * sum(pw * ifelse(y == 1, -log(mu), -log(1 - mu)))
  }
  mu <- plogis(b)
  naive <- m$naive.cov[1, 1]                    # glm's unscaled covariance
  lambda <- V / naive
  a <- (1 - level) / 2
  alpha <- pnorm((if (is.finite(df)) qt(a, df) else qnorm(a)) * sqrt(lambda)) / 2
  r <- (y - mu) / sqrt(mu * (1 - mu))           # Pearson residuals
  nz <- sum(w != 0)
  disp <- sum(w * (r - sum(w * r) / sum(w))^2) / sum(w) * nz / (nz - 1)
  zmax <- sqrt(qf(alpha, 1, n - 1, lower.tail = FALSE))
  del <- zmax / 5
  se <- sqrt(V)
  bs <- b; zs <- 0
  for (sgn in c(-1, 1)) {
    step <- 0; z <- 0
    while ((step <- step + 1) < 10 && abs(z) < zmax) {
      bi <- b + sgn * step * del * se
      zz <- max((dev(bi) - dev(b)) / disp, 0)
      z <- sgn * sqrt(zz)
      bs <- c(bs, bi); zs <- c(zs, z)
    }
  }
  o <- order(zs)
  sp <- spline(x = bs[o], y = zs[o])
  cut <- c(qnorm(2 * alpha), qnorm(2 * alpha, lower.tail = FALSE))
  ci <- plogis(approx(sp$y, sp$x, xout = cut)$y)
  structure(mean(y * w) / mean(w), ci = ci)
}
svyciprop <- function(formula, design, method = "logit", level = 0.95,
                      df = degf(design), ...) {
  if (method == "likelihood" && inherits(design, "svyrep.design"))
    return(lik_rep(formula, design, level, df))
  survey::svyciprop(formula, design, method = method, level = level, df = df, ...)
}

# ---- main -----------------------------------------------------------------
out_dir <- file.path(ref_dir, "repcmp")
dir.create(out_dir, showWarnings = FALSE)
failed <- for_each_case(file.path(ref_dir, "repcmp_cases.txt"),
                        function(name) file.path(out_dir, paste0(name, ".expected.csv")),
                        function(argstring, datafile) run_case(parse_args(argstring), datafile),
                        write_expected, rows = function(res) sprintf("%3d rows ", nrow(res)),
                        width = 24, warnings = "muffle")
if (length(failed)) quit(status = 1)
