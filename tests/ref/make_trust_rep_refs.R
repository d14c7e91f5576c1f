# R references for tests/e2e/trust_replicates.sh (issue 18: replicate
# designs).  Data: tests/ref/trustrep/case_*.csv (the repro cases of the
# randomized comparison); writes tests/ref/trustrep/*.expected.csv in
# survstat's csv columns.  Each domain's df is R's degf of the subset
# design (degf(subset(...)) on a svrep design is the rank of the subset's
# replicate analysis weights minus 1), over the domain's rows where the
# variable is present, as survstat counts the domain.
suppressMessages(library(survey))
dir <- "tests/ref/trustrep"
rd <- function(name, na) {
  d <- read.csv(file.path(dir, paste0(name, ".csv")), encoding = "UTF-8")
  for (v in c("income", "age", "q1", "q2", "q3")) d[[v]][d[[v]] %in% na] <- NA
  d
}
row <- function(stat, var, lev, dom, est, se, ci, df)
  data.frame(statistic = stat, variable = var, level = lev, domain = dom,
             estimate = as.numeric(est), se = as.numeric(se), ci_low = as.numeric(ci[1]),
             ci_high = as.numeric(ci[2]), df = df)
g17 <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))
out <- function(rows, name) {
  x <- do.call(rbind, rows)
  for (k in c("estimate", "se", "ci_low", "ci_high", "df")) x[[k]] <- g17(x[[k]])
  write.csv(x, file.path(dir, paste0(name, ".expected.csv")), row.names = FALSE,
            fileEncoding = "UTF-8")
}
tq <- function(level, df) if (df > 0) qt(1 - (1 - level) / 2, df) else NA
wald <- function(est, se, df, level = 0.95) as.numeric(est) + c(-1, 1) * tq(level, df) * as.numeric(se)

# case 1017: Korn-Graubard intervals of q2 in each grp under JKn: df of the domain
d <- rd("case_1017", 9)
options(survey.lonely.psu = "adjust")
r <- as.svrepdesign(svydesign(ids = ~1, strata = ~st, weights = ~w, fpc = ~fpc1, data = d),
                    type = "JKn")
rows <- list()
for (g in sort(unique(d$grp))) for (l in sort(unique(na.omit(d$q2)))) {
  s <- subset(r, grp == g & !is.na(q2))
  ci <- svyciprop(~I(q2 == l), s, method = "beta")
  rows[[length(rows) + 1]] <- row("prop", "q2", l, paste0("grp=", g), ci, SE(ci),
                                  attr(ci, "ci"), degf(s))
}
out(rows, "case_1017")

# case 1218: --domain-df means under JKn with clusters (a one-PSU domain: df 0, no interval)
d <- rd("case_1218", 9)
options(survey.lonely.psu = "remove")
r <- as.svrepdesign(svydesign(ids = ~psu, strata = ~st, weights = ~w, nest = TRUE, data = d),
                    type = "JKn")
rows <- list()
for (v in c("q1", "income")) for (g in sort(unique(d$region))) {
  s <- r[d$region == g & !is.na(d[[v]]), ]
  m <- svymean(as.formula(paste0("~", v)), s)
  rows[[length(rows) + 1]] <- row("mean", v, "", paste0("region=", g), coef(m), SE(m),
                                  wald(coef(m), SE(m), degf(s)), degf(s))
}
out(rows, "case_1218")

# case 1309: degf is the rank of the analysis weights W (297 - 1), not of
# the replicate factors (298 - 1): a lonely stratum under JKn, adjust
d <- rd("case_1309", 9)
options(survey.lonely.psu = "adjust")
r <- as.svrepdesign(svydesign(ids = ~1, strata = ~st, weights = ~w, data = d), type = "JKn")
m <- svymean(~q1, r, na.rm = TRUE)
out(list(row("mean", "q1", "", "", coef(m), SE(m), wald(coef(m), SE(m), degf(r)), degf(r))),
    "case_1309")

# case 5024: ratio and total by region under JK1, --domain-df, level 0.9
d <- rd("case_5024", c(9, 99))
options(survey.lonely.psu = "average")
# (one stratum: R's JK1 refuses strata, so the design is given without)
r <- as.svrepdesign(svydesign(ids = ~1, weights = ~w, data = d), type = "JK1")
rows <- list()
for (g in sort(unique(d$region))) {
  s <- r[d$region == g & !is.na(d$income) & !is.na(d$q2), ]
  q <- svyratio(~income, ~q2, s)
  est <- coef(q); se <- SE(q)
  rows[[length(rows) + 1]] <- row("ratio", "income/q2", "", paste0("region=", g), est, se,
                                  wald(est, se, degf(s), 0.9), degf(s))
}
for (g in sort(unique(d$region))) {
  s <- r[d$region == g & !is.na(d$age), ]
  t <- svytotal(~age, s)
  rows[[length(rows) + 1]] <- row("total", "age", "", paste0("region=", g), coef(t), SE(t),
                                  wald(coef(t), SE(t), degf(s), 0.9), degf(s))
}
out(rows, "case_5024")

# contrasts with --domain-df under JK1 (apiclus1 by stype): svycontrast of
# svyby(covmat = TRUE), df = degf of the two domains' subset
data(api)
options(survey.lonely.psu = "fail")
r <- as.svrepdesign(svydesign(ids = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1),
                    type = "JK1")
b <- svyby(~api00, ~stype, r, svymean, covmat = TRUE)
lv <- as.character(b$stype)
rows <- list()
for (i in seq_along(lv)) {
  s <- r[apiclus1$stype == lv[i], ]
  rows[[length(rows) + 1]] <- row("mean", "api00", "", paste0("stype=", lv[i]), coef(b)[i],
                                  SE(b)[i], wald(coef(b)[i], SE(b)[i], degf(s)), degf(s))
}
for (i in 1:2) for (j in (i + 1):3) {
  w <- rep(0, 3); w[i] <- 1; w[j] <- -1
  k <- svycontrast(b, w)
  s <- r[apiclus1$stype %in% lv[c(i, j)], ]
  rows[[length(rows) + 1]] <- row("mean", "api00", "",
                                  paste0("stype=", lv[i], " - stype=", lv[j]), coef(k),
                                  SE(k), wald(coef(k), SE(k), degf(s)), degf(s))
}
out(rows, "compare_jk1_domain_df")

# case 1427: raking with bounds on JKn replicates; replicate 18's calibration
# does not converge: R warns and keeps its last iterate (grake's "Failed to
# converge"); the full sample and every replicate, without trimming (R's
# trimWeights.svyrep.design leaves the full-sample weights untrimmed, see
# README), written as survstat weight writes them.
d <- rd("case_1427", c(9, 99))
options(survey.lonely.psu = "adjust")
r <- as.svrepdesign(svydesign(ids = ~psu, strata = ~st, weights = ~w, fpc = ~fpc1, nest = TRUE,
                              data = d), type = "JKn")
mg <- read.csv(file.path(dir, "case_1427_margins.csv"), encoding = "UTF-8")
pop <- c("(Intercept)" = sum(mg$total), sex男 = mg$total[mg$level == "男"])
withCallingHandlers(
  rc <- calibrate(r, ~sex, pop, calfun = "raking", bounds = c(0.7, 1.6)),
  warning = function(w) { message("R: ", conditionMessage(w)); invokeRestart("muffleWarning") })
W <- weights(rc, "analysis")
x <- data.frame(wnew = weights(rc, "sampling"), W)
names(x) <- c("wnew", paste0("rep", seq_len(ncol(W))))
for (k in names(x)) x[[k]] <- g17(x[[k]])
write.csv(x, file.path(dir, "case_1427.weights.csv"), row.names = FALSE, quote = FALSE)

# Item 6 of issue 18: a lonely second-stage unit inside a first-stage unit
# taken whole.  case_5254's data with PSU p1_3 (one SSU) given a stage-2
# fpc fraction of 1 (its SSUs all taken), every PSU taken at stage 1
# (fpc1 = 1): under lonely.psu = "fail" R's onestrat returns 0 for a
# stratum whose sampling fraction is 1 before it looks for a lonely unit.
d <- rd("lonely_ssu_whole", c(9, 99))
options(survey.lonely.psu = "fail")
des <- svydesign(ids = ~psu + ssu, weights = ~w, fpc = ~fpc1 + fpc2, data = d)
m <- svymean(~income, des, na.rm = TRUE)
out(list(row("mean", "income", "", "", coef(m), SE(m), wald(coef(m), SE(m), degf(des)),
             degf(des))), "lonely_ssu_whole")
