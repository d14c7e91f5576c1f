#!/usr/bin/env Rscript
# Reference values for survstat's replicate designs (--replicate,
# --repweights), computed with R's `survey` package.
#
# Run from the repository root:   Rscript tests/ref/make_rep_refs.R
#
# First writes the data these cases use: datasets/scd.csv (R's scd, for BRR
# and Fay), datasets/apistrat_pairs.csv (apistrat in 100 pairs) and datasets/apiclus1_rep.csv (apiclus1 plus R's own JK1
# replicate weights rep1..rep15, for --repweights).  Then reads tests/ref/rep_cases.txt
# (`name|datafile|arguments`, as cases.txt) and writes
# tests/ref/NAME.expected.csv with make_refs.R's run_case(): the design
# options become svydesign(), and here svydesign() is wrapped so that the
# replicate options turn it into as.svrepdesign() or svrepdesign(
# combined.weights = TRUE).  Every estimator after that is R's svyrep method.

suppressPackageStartupMessages(library(survey))

# make_refs.R's functions (everything before its main part)
src <- readLines(file.path("tests", "ref", "make_refs.R"))
eval(parse(text = src[1:(grep("^# Main", src) - 2)]))

# ---- data -----------------------------------------------------------------
data(scd)
# ?scd: svydesign(data = scd, prob = ~1, id = ~ambulance, strata = ~ESA,
# nest = TRUE, fpc = ~rep(5, 6)): weight 1 (column one), fpc 5 (column fpc5)
write.csv(cbind(scd, one = 1, fpc5 = 5), file.path("datasets", "scd.csv"), row.names = FALSE)
data(api)
d1 <- survey::svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
r1 <- as.svrepdesign(d1, type = "JK1", compress = FALSE)
rw <- weights(r1, "analysis")
colnames(rw) <- paste0("rep", seq_len(ncol(rw)))
clus1 <- read.csv(file.path("datasets", "apiclus1.csv"), check.names = FALSE,
                  colClasses = "character")
rwt <- as.data.frame(matrix(sprintf("%.17g", rw), nrow = nrow(rw),
                            dimnames = list(NULL, colnames(rw))))
write.csv(cbind(clus1, rwt), file.path("datasets", "apiclus1_rep.csv"), row.names = FALSE,
          quote = FALSE, na = "")

# apistrat with its schools paired into 100 strata: R's hadamard(100) is a
# Paley matrix of order 104 (BRR beyond the precooked sizes)
strat <- read.csv(file.path("datasets", "apistrat.csv"), check.names = FALSE,
                  colClasses = "character")
strat$pair <- (seq_len(nrow(strat)) - 1) %/% 2 + 1
strat$sat <- 1 + as.numeric(strat$snum) %% 5       # a 1..5 answer scale
strat$sat2 <- 1 + (as.numeric(strat$snum) %/% 5) %% 5
write.csv(strat, file.path("datasets", "apistrat_pairs.csv"), row.names = FALSE,
          quote = FALSE, na = "")

# ---- the replicate options (tests/ref/replicates.R) ---------------------
source(file.path("tests", "ref", "replicates.R"))
parse_args <- rep_parse_args(parse_args)

# ---- main -----------------------------------------------------------------
failed <- rep_estimate_cases("rep_cases.txt")

# Satisfaction measures under JKn (--scale 1:5): t2b is the proportion in
# 4..5 with svyciprop's logit interval, net the mean of t2b - b2b, index the
# mean over the answered items of 100 (x - 1) / 4.
dat <- read.csv(file.path("datasets", "apistrat_pairs.csv"))
rd <- as.svrepdesign(survey::svydesign(ids = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc,
                                       data = dat), type = "JKn")
rd <- update(rd, t2b = as.numeric(sat >= 4), net = (sat >= 4) - (sat <= 2),
             idx = 100 * ((sat - 1) / 4 + (sat2 - 1) / 4) / 2)
DF <- degf(rd)
q <- qt(0.975, DF)
p <- svyciprop(~t2b, rd, method = "logit", df = DF)
m_net <- svymean(~net, rd); m_idx <- svymean(~idx, rd)
res <- data.frame(
  statistic = c("t2b", "net", "index"), variable = c("sat", "sat", "both"), level = "",
  domain = "", estimate = c(coef(p), coef(m_net), coef(m_idx)),
  se = c(SE(p), SE(m_net), SE(m_idx)),
  ci_low = c(attr(p, "ci")[1], coef(m_net) - q * SE(m_net), coef(m_idx) - q * SE(m_idx)),
  ci_high = c(attr(p, "ci")[2], coef(m_net) + q * SE(m_net), coef(m_idx) + q * SE(m_idx)),
  df = DF, deff = NA, n = nrow(dat), stringsAsFactors = FALSE)
write_expected(res, file.path(ref_dir, "rep_measures_jkn.expected.csv"))
cat("ok      rep_measures_jkn\n")
if (length(failed)) quit(status = 1)
