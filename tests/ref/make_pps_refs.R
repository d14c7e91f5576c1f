#!/usr/bin/env Rscript
# Reference values for PPS designs (survstat --pps brewer|hr|ht|yg), computed
# with R's `survey` package: svydesign(fpc = ~p, pps = "brewer"), pps = HR(),
# pps = ppsmat(joint) and ppsmat(joint) with variance = "YG".
#
# Run from the repository root:   Rscript tests/ref/make_pps_refs.R
#
# Writes the data first: tests/data/election_pps.csv (R's election_pps, with
# an id column 1..40 and a made-up stratum `half`, the counties above and
# below the median probability, for the stratified cases, also as numbers in
# `halfno`: R's HR() fails on character strata) and the joint
# inclusion probabilities tests/data/election_joint.csv (election_jointprob)
# and tests/data/election_jointhr.csv (election_jointHR) as id1,id2,p rows,
# and tests/data/pps_clus2.csv (below).
# Then, for every line of tests/ref/pps_cases.txt (`name|datafile|arguments`,
# as cases.txt), the machinery of make_refs.R with the design built with the
# PPS method of the arguments' --pps (and --joint-probs) writes
# tests/ref/NAME.expected.csv.

suppressPackageStartupMessages(library(survey))
src <- readLines(file.path("tests", "ref", "make_refs.R"))
eval(parse(text = src[1:(grep("^# Main", src) - 2)]))

num <- function(x) {
  s <- sprintf("%.15g", x)
  bad <- as.numeric(s) != x
  s[bad] <- sprintf("%.17g", x[bad])
  s
}

data(election)
e <- election_pps
out <- data.frame(id = seq_len(nrow(e)), County = as.character(e$County),
                  TotPrecincts = e$TotPrecincts, Bush = e$Bush, Kerry = e$Kerry,
                  Nader = e$Nader, votes = e$votes, p = num(e$p), wt = num(e$wt),
                  half = ifelse(e$p > median(e$p), "high", "low"),
                  halfno = ifelse(e$p > median(e$p), 1, 2),
                  winner = ifelse(e$Bush > e$Kerry, "Bush", "Kerry"))
write.csv(out, file.path("tests", "data", "election_pps.csv"), row.names = FALSE, quote = TRUE)
stopifnot(all(read.csv(file.path("tests", "data", "election_pps.csv"))$p == e$p))

# A two-stage PPS sample for Brewer's multistage variance: apiclus2's
# districts with made-up first-stage probabilities (varying, constant within
# a district) and its schools' sampling fractions as the second stage.
data(api)
c2 <- apiclus2
dn <- sort(unique(c2$dnum))
p1 <- setNames(0.02 + 0.9 * ((seq_along(dn) * 7) %% 11) / 11, dn)
c2out <- data.frame(dnum = c2$dnum, snum = c2$snum, stype = as.character(c2$stype),
                    api00 = c2$api00, enroll = c2$enroll,
                    p1 = num(p1[as.character(c2$dnum)]),
                    p2 = num(ave(c2$snum, c2$dnum, FUN = length) / c2$fpc2))
write.csv(c2out, file.path("tests", "data", "pps_clus2.csv"), row.names = FALSE, quote = FALSE)

write_joint <- function(m, file) {
  n <- nrow(m)
  ij <- expand.grid(id2 = seq_len(n), id1 = seq_len(n))
  d <- data.frame(id1 = ij$id1, id2 = ij$id2, p = num(m[cbind(ij$id1, ij$id2)]))
  write.csv(d, file, row.names = FALSE, quote = FALSE)
  back <- read.csv(file)
  stopifnot(all(back$p == m[cbind(back$id1, back$id2)]))
}
write_joint(election_jointprob, file.path("tests", "data", "election_joint.csv"))
write_joint(election_jointHR, file.path("tests", "data", "election_jointhr.csv"))

# --pps and --joint-probs are taken out of the arguments here; the design
# is made by this svydesign, found before survey's by run_case.
pps_method <- NULL
pps_joint <- NULL
svydesign <- function(ids, strata, weights, fpc, nest, data) {
  if (is.null(pps_method))
    return(survey::svydesign(ids = ids, strata = strata, weights = weights, fpc = fpc,
                             nest = nest, data = data))
  if (pps_method == "brewer")
    return(survey::svydesign(ids = ids, strata = strata, weights = weights, fpc = fpc,
                             nest = nest, data = data, pps = "brewer"))
  if (pps_method == "hr")
    return(survey::svydesign(ids = ids, strata = strata, weights = weights, fpc = fpc,
                             nest = nest, data = data, pps = HR()))
  j <- read.csv(pps_joint, colClasses = c("character", "character", "numeric"))
  idcol <- all.vars(ids)[1]
  key <- as.character(data[[idcol]])
  m <- matrix(NA_real_, length(key), length(key))
  m[cbind(match(j$id1, key), match(j$id2, key))] <- j$p
  survey::svydesign(ids = ids, strata = strata, weights = weights, fpc = fpc, nest = nest,
                    data = data, pps = ppsmat(m),
                    variance = if (pps_method == "yg") "YG" else "HT")
}

pps_args <- function(argstring) {
  tok <- strsplit(trimws(argstring), "[[:space:]]+")[[1]]
  k <- match("--pps", tok)
  pps_method <<- if (is.na(k)) NULL else tok[k + 1]
  keep <- if (is.na(k)) rep(TRUE, length(tok)) else !(seq_along(tok) %in% c(k, k + 1))
  k <- match("--joint-probs", tok)
  pps_joint <<- if (is.na(k)) NULL else tok[k + 1]
  if (!is.na(k)) keep[c(k, k + 1)] <- FALSE
  parse_args(paste(tok[keep], collapse = " "))
}

data_dir <- "."   # the cases name their data by its path from the root
# R's svytotal.pps (hr, ht, yg; not brewer, a survey.design2) leaves the
# 1/n out of the SRS variance of its deff: vsrs = svyvar * N^2 where
# svytotal.survey.design2 has svyvar * N^2 (N - n)/(N n).  survstat uses the
# latter for every design, so R's deff of a total is scaled here by
# n N / (N - n) (N the sum of the weights, n the rows of positive weight).
fix_total_deff <- function(res, datafile) {
  force(res)   # runs pps_args, which sets pps_method
  if (is.null(pps_method) || pps_method == "brewer" || !("deff" %in% names(res))) return(res)
  d <- read.csv(datafile)
  N <- sum(1 / d$p); n <- nrow(d)
  tot <- res$statistic == "total" & !is.na(res$deff)
  res$deff[tot] <- res$deff[tot] * n * N / (N - n)
  res
}

failed <- for_each_case(file.path(ref_dir, "pps_cases.txt"),
                        function(name) file.path(ref_dir, paste0(name, ".expected.csv")),
                        function(argstring, datafile)
                          fix_total_deff(run_case(pps_args(argstring), datafile), datafile),
                        write_expected, function(res) sprintf("%3d rows ", nrow(res)),
                        warnings = "list")
if (length(failed)) quit(status = 1)
