# By-hand values of tests/e2e/trust_intervals.sh where R's svyciprop is
# wrong (R's qbeta and qt are right; the formulas are survstat's decisions).
# Run: Rscript tests/ref/make_intervals_refs.R
# case_5115: Korn-Graubard with SE 0 (n_eff undefined): n_eff = n, the
# domain's rows (the NCHS rule); n* = n (qt(.025, n - 1)/qt(.025, df))^2.
kg <- function(p, n, df) {
  ne <- n * (qt(0.025, n - 1) / qt(0.025, df))^2
  c(qbeta(0.025, ne * p, ne * (1 - p) + 1), qbeta(0.975, ne * p + 1, ne * (1 - p)))
}
cat(sprintf("%.17g|%.17g\n", kg(0.28274812709523989, 202, 11)[1], kg(0.28274812709523989, 202, 11)[2]))
cat(sprintf("%.17g|%.17g\n", kg(0.65399904571383449, 208, 11)[1], kg(0.65399904571383449, 208, 11)[2]))

# case_1121 under Taylor (the likelihood interval; survstat refused the whole
# command with "the likelihood profile is not monotone"): R's
# svyciprop(method = "likelihood", df = degf(full design)) in each domain;
# R's NA where its profile does not reach the cut-off; rows where R stops
# (0%: survstat's exact bound instead) get estimate NA and are not compared.
suppressPackageStartupMessages(library(survey))
options(survey.lonely.psu = "adjust")
d <- read.csv("tests/data/repro/case_1121.csv", stringsAsFactors = FALSE)
d$q1[d$q1 == 9] <- NA
d <- d[!is.na(d$q1), ]
des <- svydesign(ids = ~psu, strata = ~st, weights = ~w, data = d)
out <- "tests/ref/repro/case_1121_lik.expected.csv"
cat("statistic,variable,level,domain,estimate,ci_low,ci_high\n", file = out)
for (k in sort(unique(d$q1))) {
  d2 <- des; d2$variables$ind <- as.numeric(d$q1 == k)
  for (s in c("女", "男")) for (r in sort(unique(d$region))) {
    sub <- subset(d2, sex == s & region == r)
    if (nrow(sub) == 0) next
    p <- tryCatch(svyciprop(~ind, sub, method = "likelihood", df = degf(des)), error = function(e) NULL)
    if (is.null(p)) { cat(sprintf("prop,q1,%d,sex=%s;region=%s,NA,NA,NA\n", k, s, r), file = out, append = TRUE); next }
    ci <- attr(p, "ci")
    cat(sprintf("prop,q1,%d,sex=%s;region=%s,%.17g,%.17g,%.17g\n", k, s, r, unname(coef(p)), ci[1], ci[2]),
        file = out, append = TRUE)
  }
}

# case_5006: survstat's logit intervals were 4.5e-9 from R's.  Not the IRLS:
# R's confint.svyglm makes the Wald t interval through a normal one,
# tlevel = 1 - 2 pnorm(qt(0.05, df)), then qnorm((1 - tlevel)/2); at df = 1
# pnorm(qt(0.05, 1)) = 1.4e-10 and 1 - tlevel keeps only 6 digits (at level
# 0.999 it is 0, qnorm(0) = -Inf and R's interval is [0, 1]).  The
# reference: R's own svyglm fit with the exact t, expit(b -+ qt(0.95, 1) SE(b)).
options(survey.lonely.psu = "certainty")
d <- read.csv("tests/data/repro/case_5006.csv", stringsAsFactors = FALSE)
out <- "tests/ref/repro/case_5006_exact.expected.csv"
cat("statistic,variable,level,domain,estimate,ci_low,ci_high\n", file = out)
for (v in c("q2", "region")) {
  dn <- d[!is.na(d[[v]]) & d[[v]] != "" & d[[v]] != 9, ]
  des <- svydesign(ids = ~psu + ssu, weights = ~w, data = dn)
  for (k in sort(unique(dn[[v]]))) for (s in c("女", "男")) {
    des$variables$ind <- as.numeric(dn[[v]] == k)
    sub <- subset(des, sex == s)
    p <- coef(svymean(~ind, sub))
    if (p == 0 || p == 1) next
    m <- svyglm(ind ~ 1, sub, family = quasibinomial)
    ci <- plogis(coef(m) + c(-1, 1) * qt(0.95, degf(des)) * SE(m))
    cat(sprintf("prop,%s,%s,sex=%s,%.17g,%.17g,%.17g\n", v, k, s, p, ci[1], ci[2]),
        file = out, append = TRUE)
  }
}
