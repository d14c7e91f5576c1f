#!/usr/bin/env Rscript
# Negative replicate weights (datasets/acs_pums_negative.csv, ACS-shaped, with
# about 2% of PWGTP1..PWGTP80 negative as real PUMS files allow), computed by
# hand in base R, without the survey package: a replicate estimate is the
# statistic computed with that replicate's weights as they are.
#
# R's survey package does so for svymean, svytotal, svyratio and
# svyquantile (tests/ref/acs_cases.txt), but its svyciprop(method =
# "logit") and svyglm refit each replicate with glm.fit, which leaves out
# every row whose weight is not positive (`good <- weights > 0`): a
# different estimator, not the replicate method.  So the logit intervals
# here are expit(b +- t SE), b = logit(p), SE^2 = 4/80 sum (logit(p_r) - b)^2
# (--rep-type acs: successive differences with mse), p_r the replicate
# proportions with every weight; where some p_r lies outside [0, 1] its
# logit does not exist and the interval is left empty (survstat flags CIx).
#
# Run from the repository root: Rscript tests/ref/make_negative_refs.R

d <- read.csv("datasets/acs_pums_negative.csv")
d <- d[!is.na(d$ESR), ]
w <- d$PWGTP
W <- as.matrix(d[, grep("^PWGTP[0-9]+$", names(d))])
t <- qt(0.975, 79)
f <- function(x) if (is.na(x)) "" else trimws(formatC(x, digits = 17, format = "g"))
out <- "statistic,variable,level,domain,estimate,se,ci_low,ci_high"
for (l in sort(unique(d$ESR))) {
  y <- as.numeric(d$ESR == l)
  p <- sum(w * y) / sum(w)
  pr <- colSums(W * y) / colSums(W)
  se <- sqrt(4 / 80 * sum((pr - p)^2))
  lo <- hi <- NA
  if (all(pr >= 0 & pr <= 1)) {
    b <- qlogis(p)
    seb <- sqrt(4 / 80 * sum((qlogis(pr) - b)^2))
    lo <- plogis(b - t * seb)
    hi <- plogis(b + t * seb)
  }
  out <- c(out, paste("prop", "ESR", l, "", f(p), f(se), f(lo), f(hi), sep = ","))
}
writeLines(out, "tests/ref/negative_logit.expected.csv")

# The linear model PINCP ~ AGEP + factor(SEX) with the same replicates:
# weighted least squares on the full-sample weights and on each replicate's
# weights as they are, SE^2 = 4/80 sum (b_r - b)^2, t on 79 + 1 - 3 = 77
# df (R's svyglm: degf + 1 - ncoef), and the Wald test of factor(SEX) (one
# coefficient: F = t^2).  R's svyglm refits with glm.fit, which leaves out
# the rows whose replicate weight is negative, and so gives other SEs.
d <- read.csv("datasets/acs_pums_negative.csv")
d <- d[!is.na(d$PINCP), ]
X <- model.matrix(~ AGEP + factor(SEX), d)
y <- d$PINCP
W <- as.matrix(d[, grep("^PWGTP[0-9]+$", names(d))])
wls <- function(w) drop(solve(crossprod(X, w * X), crossprod(X, w * y)))
b <- wls(d$PWGTP)
B <- apply(W, 2, wls)
se <- sqrt(4 / 80 * rowSums((B - b)^2))
df <- 77
tt <- b / se
p <- 2 * pt(-abs(tt), df)
q <- qt(0.975, df)
terms <- c("(Intercept)", "AGEP", "factor(SEX)2")
out <- "wave,model,term,estimate,se,statistic,df,p_value,ci_low,ci_high"
for (k in 1:3)
  out <- c(out, paste("", "gaussian", terms[k], f(b[k]), f(se[k]), f(tt[k]), df, f(p[k]),
                      f(b[k] - q * se[k]), f(b[k] + q * se[k]), sep = ","))
out <- c(out, "test,variable,by,estimate,se,statistic,df1,df2,p_value",
         paste("wald", "factor(SEX)", "", "", "", f(tt[3]^2), 1, df,
               f(pf(tt[3]^2, 1, df, lower.tail = FALSE)), sep = ","))
writeLines(out, "tests/ref/model/acs_negative_lin.expected.csv")
