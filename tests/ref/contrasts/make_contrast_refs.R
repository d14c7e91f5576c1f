#!/usr/bin/env Rscript
# Reference values for tests/e2e/trust_contrasts.sh (issue 18, items 2 and 3,
# and the shared repro cases 1081, 1055, 1288, 1292, 5095 and 5034), computed
# with R 4.2.2 and survey 4.1.1.
#
# Run from the repository root:   Rscript tests/ref/contrasts/make_contrast_refs.R
#
# The data are the repro cases' data.csv files, copied here as case_NNNN.csv.
# Each reference is written out explicitly below (not through make_refs.R's
# argument parser): the design, svyby(covmat = TRUE) on the design subset to
# the rows where the variables are present (as an R user must when values
# are missing), and for every pair of domains i < j (in survstat's domain
# order, by bytes) the difference, sqrt(V_ii + V_jj - 2 V_ij), its t interval
# on the design df, t, the two-sided p and p.adjust(method = "holm") over the
# pairs of one estimate (which leaves a NaN p out of m).  A domain row holds
# estimate, se and n only (its interval is tested elsewhere).  Numbers are
# written with %.17g; NA and NaN as an empty cell, Inf as Inf.
#
#   holm_nan      (case 1081, Taylor): a pair of two 0% domains has p NaN;
#                 Holm counts the other two pairs only
#   se0           (case 1055): pairs whose SE is exactly 0: t = +-Inf, p = 0
#                 (R's rounding of 1 - 1 to 1e-17 is taken as the 0 it is)
#   average_5095  (case 5095) and average_1292 (case 1292): --lonely-psu
#                 average; R's joint covariance averages the lonely strata
#                 over every stratum of the design, not those of the pair
#   wald_singular (case 5034): 4 PSUs, 4 interaction cells: R's svychisq
#                 solves a singular system and reports F = -1.6e13, p = 1;
#                 the reference is the Wald statistic through MASS::ginv on
#                 the rank of the covariance (3), computed here by hand from
#                 svychisq's own code (Y, Jcb, V)
#   census_F      (case 1288, one stratum taken whole): svychisq's F is Inf,
#                 its df and p NaN; census_Chisq: X2 with p = 0 (X2 / 0)
#   census_ttest  (case 1288): svyttest with SE 0: t = Inf, p = 0

suppressPackageStartupMessages({
  library(survey)
  library(MASS)
})

dir <- file.path("tests", "ref", "contrasts")
options(survey.adjust.domain.lonely = FALSE)

num_field <- function(x) ifelse(is.na(x), "", sprintf("%.17g", x))
csv_field <- function(s) {
  s[is.na(s)] <- ""
  q <- grepl("[\",\r\n]", s)
  s[q] <- paste0("\"", gsub("\"", "\"\"", s[q], fixed = TRUE), "\"")
  s
}
write_rows <- function(res, cols, file) {
  out <- lapply(cols, function(cn) {
    x <- res[[cn]]
    if (is.numeric(x)) num_field(x) else csv_field(x)
  })
  writeLines(c(paste(cols, collapse = ","), do.call(paste, c(out, sep = ","))),
             file.path(dir, file), useBytes = TRUE)
  cat("ok     ", file, "\n")
}
est_cols <- c("statistic", "variable", "level", "domain", "estimate", "se", "ci_low",
              "ci_high", "df", "n", "t", "p_value", "p_holm")

read_case <- function(name, na) {
  path <- file.path(dir, paste0(name, ".csv"))
  dat <- read.csv(path, stringsAsFactors = FALSE, encoding = "UTF-8",
                  na.strings = c("", "NA", na))
  dat
}

# The rows of one svyby result: its domains, then every pair i < j.
# dom: the domain labels of the rows of r (survstat's "grp=x").
rows_of <- function(stat, var, level, r, dom, n, DF) {
  est <- unname(coef(r)); se <- unname(SE(r)); V <- unname(vcov(r))
  o <- order(dom, method = "radix")
  res <- data.frame(statistic = stat, variable = var, level = level, domain = dom[o],
                    estimate = est[o], se = se[o], ci_low = NA_real_, ci_high = NA_real_,
                    df = NA_real_, n = n[o], t = NA_real_, p_value = NA_real_,
                    p_holm = NA_real_, stringsAsFactors = FALSE)
  pairs <- list()
  for (a in seq_along(o)) for (b in seq_along(o)) if (a < b) {
    i <- o[a]; j <- o[b]
    d <- est[i] - est[j]
    s <- sqrt(V[i, i] + V[j, j] - 2 * V[i, j])
    # A proportion that is 1 on every row of a domain has scores exactly 0
    # (survstat: y - ybar = 1 - 1); R's svymean leaves rounding there (an
    # SE of 8.7e-18 in se0, so t = 1.1e17 instead of Inf): such an SE is 0.
    if (stat == "prop" && s < 1e-15) s <- 0
    tt <- d / s
    h <- qt(0.975, DF) * s
    pairs[[length(pairs) + 1]] <- data.frame(
      statistic = stat, variable = var, level = level,
      domain = paste(dom[i], "-", dom[j]), estimate = d, se = s, ci_low = d - h,
      ci_high = d + h, df = DF, n = n[i] + n[j], t = tt, p_value = 2 * pt(-abs(tt), DF),
      p_holm = NA_real_, stringsAsFactors = FALSE)
  }
  pr <- do.call(rbind, pairs)
  pr$p_holm <- p.adjust(pr$p_value, "holm")
  rbind(res, pr)
}

# svyby(~var, ~by, FUN, covmat = TRUE) on the rows where present.
by_rows <- function(design, dat, stat, var, level, formula, by, present, FUN, ...) {
  sub <- subset(design, present)
  r <- svyby(formula, by, sub, FUN, covmat = TRUE, ...)
  key <- as.character(r[[1]])
  bycol <- all.vars(by)[1]
  n <- sapply(key, function(k) sum(present & dat[[bycol]] %in% k))
  rows_of(stat, var, level, r, paste0(bycol, "=", key), n, degf(design))
}

# Proportions of every level of v by `by`: indicators on the answered rows.
prop_rows <- function(design, dat, v, by) {
  present <- !is.na(dat[[v]])
  lv <- sort(unique(as.character(dat[[v]][present])), method = "radix")
  out <- list()
  for (l in lv) {
    design$variables$.ind <- as.numeric(as.character(dat[[v]]) == l)
    out[[l]] <- by_rows(design, dat, "prop", v, l, ~.ind, by, present, svymean)
  }
  do.call(rbind, out)
}

# ---- holm_nan (case 1081 without its replicates) ---------------------------
options(survey.lonely.psu = "average")
dat <- read_case("case_1081", "9")
des <- svydesign(ids = ~psu, strata = ~st, weights = ~w, fpc = ~fpc1, data = dat)
write_rows(prop_rows(des, dat, "q2", ~grp), est_cols, "holm_nan.expected.csv")

# ---- se0 (case 1055) -------------------------------------------------------
dat <- read_case("case_1055", c("9", "99"))
des <- svydesign(ids = ~psu, strata = ~st, fpc = ~fpc1, data = dat)
write_rows(prop_rows(des, dat, "region", ~region), est_cols, "se0.expected.csv")

# ---- average_5095 (case 5095): totals, a ratio and an index ----------------
dat <- read_case("case_5095", "9")
des <- svydesign(ids = ~psu, strata = ~st, weights = ~w, fpc = ~fpc1, data = dat)
res <- list()
for (v in c("age", "q1"))
  res[[v]] <- by_rows(des, dat, "total", v, "", as.formula(paste0("~", v)), ~grp,
                      !is.na(dat[[v]]), svytotal)
res$ratio <- by_rows(des, dat, "ratio", "income/q2", "", ~income, ~grp,
                     !is.na(dat$income) & !is.na(dat$q2), svyratio, denominator = ~q2)
# --index idx1=q2,q3 --scale 5:1: the mean over the answered items of
# 100 (x - 5) / (1 - 5)
X <- cbind(dat$q2, dat$q3)
des$variables$.idx <- rowMeans(100 * (X - 5) / (1 - 5), na.rm = TRUE)
des$variables$.idx[is.nan(des$variables$.idx)] <- NA
res$index <- by_rows(des, dat, "index", "idx1", "", ~.idx, ~grp,
                     !is.na(des$variables$.idx), svymean)
write_rows(do.call(rbind, res), est_cols, "average_5095.expected.csv")

# ---- average_1292 (case 1292): two --by variables --------------------------
dat <- read_case("case_1292", c("9", "99"))
dat$.dom <- paste0("region=", dat$region, ";grp=", dat$grp)
des <- svydesign(ids = ~psu, strata = ~st, weights = ~w, data = dat)
present <- !is.na(dat$age)
r <- svyby(~age, ~.dom, subset(des, present), svytotal, covmat = TRUE)
key <- as.character(r$.dom)
n <- sapply(key, function(k) sum(present & dat$.dom == k))
write_rows(rows_of("total", "age", "", r, key, n, degf(des)), est_cols,
           "average_1292.expected.csv")

# ---- tests -----------------------------------------------------------------
test_cols <- c("test", "variable", "by", "estimate", "se", "statistic", "df1", "df2",
               "p_value")
test_row <- function(test, v, by, est, se, stat, df1, df2, p)
  data.frame(test = test, variable = v, by = by, estimate = est, se = se, statistic = stat,
             df1 = df1, df2 = df2, p_value = p, stringsAsFactors = FALSE)

# wald_singular (case 5034): svychisq.survey.design's Wald code, with
# MASS::ginv in place of solve and the rank of V in place of (nr-1)(nc-1).
options(survey.lonely.psu = "fail")
dat <- read_case("case_5034", c("9", "99"))
des <- svydesign(ids = ~psu, fpc = ~fpc1, data = dat)
dd <- subset(des, !is.na(sex) & !is.na(q2))
v <- dd$variables
nr <- length(unique(v$sex)); nc <- length(unique(v$q2))
mf1 <- expand.grid(rows = 1:nr, cols = 1:nc)
dd$variables$mm <- model.matrix(~interaction(factor(sex), factor(q2)) - 1, v)
dd$variables$mr <- model.matrix(~factor(sex) - 1, v)
dd$variables$mc <- model.matrix(~factor(q2) - 1, v)
dd$variables$one <- 1
cells <- svytotal(~mm + mr + mc + one, dd)
k0 <- nr * nc
Jcb <- cbind(diag(k0),
             -outer(mf1$rows, 1:nr, "==") * rep(cells[k0 + nr + 1:nc] / cells[k0 + nr + nc + 1],
                                               each = nr),
             -outer(mf1$cols, 1:nc, "==") * cells[k0 + 1:nr] / cells[k0 + nr + nc + 1],
             as.vector(outer(cells[k0 + 1:nr], cells[k0 + nr + 1:nc]) /
                         cells[k0 + nr + nc + 1]^2))
Y <- cells[1:k0] - as.vector(outer(cells[k0 + 1:nr], cells[k0 + nr + 1:nc])) /
  cells[k0 + nr + nc + 1]
V <- Jcb %*% attr(cells, "var") %*% t(Jcb)
use <- as.vector(matrix(1:k0, nrow = nr, ncol = nc)[-1, -1])
Vu <- V[use, use]
# the rank as survstat counts it: eigenvalues of the correlation matrix
# above sqrt(eps) times the largest (MASS::ginv's tolerance)
ev <- eigen(cov2cor(Vu), symmetric = TRUE, only.values = TRUE)$values
rk <- sum(ev > sqrt(.Machine$double.eps) * max(ev))
stopifnot(rk == 3, rk == sum(svd(Vu)$d > sqrt(.Machine$double.eps) * svd(Vu)$d[1]))
W <- drop(Y[use] %*% ginv(Vu) %*% Y[use])
nu <- degf(des)
r_svychisq <- svychisq(~sex + q2, des, statistic = "Wald")$statistic
stopifnot(r_svychisq < 0)   # R's own answer: a negative Wald statistic
write_rows(rbind(test_row("chisq-Wald", "sex", "q2", NA, NA, W / rk, rk, nu,
                          pf(W / rk, rk, nu, lower.tail = FALSE))),
           test_cols, "wald_singular.test.expected.csv")
adj <- W * (nu - rk + 1) / (rk * nu)
write_rows(rbind(test_row("chisq-adjWald", "sex", "q2", NA, NA, adj, rk, nu - rk + 1,
                          pf(adj, rk, nu - rk + 1, lower.tail = FALSE))),
           test_cols, "wald_singular_adj.test.expected.csv")

# census_F and census_ttest (case 1288): one stratum, every unit taken.
options(survey.lonely.psu = "average")
dat <- read_case("case_1288", c("9", "99"))
des <- svydesign(ids = ~1, strata = ~st, weights = ~w, fpc = ~fpc1, data = dat)
r <- svychisq(~region + q1, des, statistic = "F")
write_rows(test_row("chisq-F", "region", "q1", NA, NA, unname(r$statistic),
                    unname(r$parameter[1]), unname(r$parameter[2]), unname(r$p.value)),
           test_cols, "census_F.test.expected.csv")
r <- svychisq(~sex + q1, des, statistic = "Chisq")
write_rows(test_row("chisq-Chisq", "sex", "q1", NA, NA, unname(r$statistic),
                    unname(r$parameter[1]), NA, unname(r$p.value)),
           test_cols, "census_Chisq.test.expected.csv")
dat$.g <- factor(dat$sex, levels = sort(unique(dat$sex[!is.na(dat$sex) & !is.na(dat$age)]),
                                        method = "radix"))
des <- svydesign(ids = ~1, strata = ~st, weights = ~w, fpc = ~fpc1, data = dat)
r <- svyttest(age ~ .g, des)
se <- unname(SE(svyglm(age ~ .g, des))[2])
write_rows(test_row("ttest", "age", "sex", unname(r$estimate), se, unname(r$statistic),
                    unname(r$parameter), NA, unname(r$p.value)),
           test_cols, "census_ttest.test.expected.csv")
