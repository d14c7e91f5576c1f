# Reference values for `survstat model` (tests/e2e/model.sh): R's svyglm
# coefficients, SEs, t, p and intervals (confint: survey's Wald interval
# on the residual df, written out), regTermTest Wald F tests, as csv
# files in survstat's layout: tests/ref/model/NAME.expected.csv.  The
# survstat arguments of each case are in tests/ref/model_cases.txt.
# Also writes tests/data/household_t2b.csv (the Qingdao household file
# with t2b = overall in 4:5, the outcome of the logistic case).
# Run from the repository root: Rscript tests/ref/make_model_refs.R
suppressMessages(library(survey))
options(survey.lonely.psu = "fail")
dir.create("tests/ref/model", showWarnings = FALSE)

fmt <- function(x) ifelse(is.na(x), "", sprintf("%.17g", x))
q <- function(s) ifelse(grepl("[,\"]", s), paste0("\"", gsub("\"", "\"\"", s), "\""), s)

write_ref <- function(name, fit, model, tests = character(0), eform = FALSE, level = 0.95) {
  s <- summary(fit)$coefficients
  df <- fit$df.residual
  ci <- confint(fit, level = level, ddf = df)
  est <- s[, 1]; se <- s[, 2]
  if (eform) {
    est <- exp(est); se <- est * s[, 2]; ci <- exp(ci)
  }
  lines <- "wave,model,term,estimate,se,statistic,df,p_value,ci_low,ci_high"
  lines <- c(lines, paste(",", model, ",", q(rownames(s)), ",", fmt(est), ",", fmt(se), ",",
                          fmt(s[, 3]), ",", fmt(df), ",", fmt(s[, 4]), ",", fmt(ci[, 1]), ",",
                          fmt(ci[, 2]), sep = ""))
  if (length(tests)) {
    lines <- c(lines, "test,variable,by,estimate,se,statistic,df1,df2,p_value")
    for (t in tests) {
      tt <- regTermTest(fit, as.formula(paste("~", gsub(",", "+", t))))
      lines <- c(lines, paste("wald,", q(t), ",,,,", fmt(tt$Ftest), ",", fmt(tt$df), ",",
                              fmt(tt$ddf), ",", fmt(tt$p), sep = ""))
    }
  }
  writeLines(lines, file.path("tests/ref/model", paste0(name, ".expected.csv")))
}

strat <- read.csv("datasets/apistrat.csv")
clus1 <- read.csv("datasets/apiclus1.csv")
nh <- read.csv("datasets/nhanes.csv")
dstrat <- svydesign(ids = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = strat)
dclus1 <- svydesign(ids = ~dnum, weights = ~pw, fpc = ~fpc, data = clus1)
rclus1 <- as.svrepdesign(dclus1, type = "JK1")
dnh <- svydesign(ids = ~SDMVPSU, strata = ~SDMVSTRA, weights = ~WTMEC2YR, nest = TRUE, data = nh)

write_ref("strat_lin", svyglm(api00 ~ ell + meals + stype + ell:stype, dstrat), "gaussian",
          c("stype", "ell:stype", "meals,stype"))
write_ref("strat_lin_level90", svyglm(api00 ~ ell + meals + stype, dstrat), "gaussian",
          level = 0.9)
write_ref("strat_noint", svyglm(api00 ~ stype + ell - 1, dstrat), "gaussian", "stype")
# without an intercept only the first factor is coded by indicators, the
# others by contrasts (R's model.matrix)
write_ref("strat_noint2", svyglm(api00 ~ stype + sch.wide + ell - 1, dstrat), "gaussian",
          c("stype", "sch.wide"))
write_ref("nhanes_noint_logit", svyglm(HI_CHOL ~ agecat + factor(race) + RIAGENDR - 1, dnh,
                                       family = quasibinomial), "binomial", "factor(race)")
write_ref("strat_pois", svyglm(enroll ~ api00 + stype, dstrat, family = quasipoisson),
          "poisson", "stype", eform = TRUE)
write_ref("clus1_lin", svyglm(api00 ~ ell * meals + comp.imp, dclus1), "gaussian",
          c("ell:meals", "comp.imp"))
clus1m <- clus1
clus1m$stype <- relevel(factor(clus1m$stype), ref = "M")
write_ref("clus1_ref", svyglm(api00 ~ ell + stype, svydesign(ids = ~dnum, weights = ~pw,
                                                             fpc = ~fpc, data = clus1m)),
          "gaussian")
write_ref("clus1_jk1_lin", svyglm(api00 ~ ell + meals + stype, rclus1), "gaussian", "stype")
write_ref("clus1_jk1_pois", svyglm(enroll ~ ell + stype, rclus1, family = quasipoisson),
          "poisson", "stype", eform = TRUE)
clus1$awards01 <- as.numeric(clus1$awards == "Yes")
write.csv(clus1, "tests/data/apiclus1_awards.csv", row.names = FALSE)
dclus1b <- svydesign(ids = ~dnum, weights = ~pw, fpc = ~fpc, data = clus1)
write_ref("clus1_jk1_logit", svyglm(awards01 ~ ell + meals, as.svrepdesign(dclus1b, type = "JK1"),
                                    family = quasibinomial), "binomial", "ell,meals")
write_ref("clus1_ps_logit", svyglm(awards01 ~ ell + meals,
                                   postStratify(dclus1b, ~stype,
                                                data.frame(stype = c("E", "H", "M"),
                                                           Freq = c(4421, 755, 1018))),
                                   family = quasibinomial), "binomial")
write_ref("nhanes_logit", svyglm(HI_CHOL ~ RIAGENDR + factor(race) + agecat, dnh,
                                 family = quasibinomial), "binomial", "factor(race)")
write_ref("nhanes_logit_or", svyglm(HI_CHOL ~ RIAGENDR + factor(race) + agecat, dnh,
                                    family = quasibinomial), "binomial", eform = TRUE)

# The Qingdao household sample: 9 is "don't know" (--na 9); factor levels in
# byte order, as survstat orders text (R's sort() would use the locale).
hh <- read.csv("datasets/household.csv", encoding = "UTF-8")
hh$overall[hh$overall == 9] <- NA
bytes <- function(x) factor(x, levels = sort(unique(x), method = "radix"))
hh$district <- bytes(hh$district)
hh$sex <- bytes(hh$sex)
hh$age_group <- bytes(hh$age_group)
hh$t2b <- as.numeric(hh$overall >= 4)
out <- read.csv("datasets/household.csv", encoding = "UTF-8", colClasses = "character")
out$t2b <- ifelse(is.na(hh$t2b), "", as.character(hh$t2b))
write.csv(out, "tests/data/household_t2b.csv", row.names = FALSE, quote = FALSE,
          fileEncoding = "UTF-8")
dhh <- svydesign(ids = ~community + hh_id, strata = ~district, fpc = ~fpc1 + fpc2,
                 weights = ~weight, data = hh)
write_ref("qd_lin", svyglm(overall ~ district + sex + age_group, dhh), "gaussian",
          c("district", "age_group"))
write_ref("qd_t2b", svyglm(t2b ~ district + sex + age_group, dhh, family = quasibinomial),
          "binomial", "district", eform = TRUE)

# ---- ordinal (svyolr) ----
# R's svyolr maximizes with optim's BFGS (reltol 1e-8) and takes the SEs
# from optim's finite-difference Hessian, so its numbers are those of the
# optimum to about 1e-5.  The references are that optimum exactly: Newton
# steps from svyolr's estimate with the analytic gradient and Hessian
# (below, in R), then svyolr's own variance (svyrecvar of the scores times
# the inverse Hessian; replicate designs: svrVar of the refits).  Each case
# also writes R's svyolr(control = list(reltol = 1e-16, ndeps = 1e-6)) as
# NAME.svyolr.csv, which survstat matches to 1e-6 (tests/e2e/model.sh).
# With svyolr's defaults (reltol 1e-8, ndeps 1e-3) R's estimates are about
# 1e-5 and its SEs up to 4e-4 (clus1_ordinal) off the optimum's.
olr_newton <- function(x, y, q, wt, theta) {
  n <- nrow(x); pc <- ncol(x); P <- pc + q
  Y1 <- outer(y, 1:q, "==") * 1
  Y2 <- outer(y - 1, 1:q, "==") * 1
  for (it in 1:100) {
    beta <- theta[seq_len(pc)]; zeta <- theta[pc + 1:q]
    eta <- drop(x %*% beta)
    zf <- c(-Inf, zeta, Inf)
    a <- zf[y + 1] - eta; b <- zf[y] - eta
    Fa <- plogis(a); Fb <- plogis(b); fa <- dlogis(a); fb <- dlogis(b)
    dfa <- fa * (1 - 2 * Fa); dfb <- fb * (1 - 2 * Fb)
    pr <- Fa - Fb
    U <- cbind(-x, Y1); V <- cbind(-x, Y2)
    G <- (fa * U - fb * V) / pr
    grad <- colSums(wt * G)
    H <- crossprod(U, (wt * dfa / pr) * U) - crossprod(V, (wt * dfb / pr) * V) -
      crossprod(G, wt * G)
    step <- solve(-H, grad)
    theta <- theta + step
    if (max(abs(step) / (1 + abs(theta))) < 1e-14) break
  }
  list(theta = theta, G = G, H = -H)
}

write_olr <- function(name, formula, design, data, eform = FALSE, tests = character(0),
                      level = 0.95) {
  mf <- model.frame(formula, data, na.action = na.omit)
  nao <- attr(mf, "na.action")
  x <- model.matrix(attr(mf, "terms"), mf)[, -1, drop = FALSE]
  yf <- model.response(mf)
  y <- as.integer(yf); q <- nlevels(yf) - 1
  des <- if (length(nao)) design[-nao, ] else design
  f0 <- svyolr(formula, design, control = list(reltol = 1e-16, maxit = 10000,
                                              ndeps = rep(1e-6, ncol(x) + q)))
  if (inherits(design, "svyrep.design")) {
    wt <- weights(des, "sampling")
    if (length(wt) != nrow(x)) wt <- wt[-nao]
    full <- olr_newton(x, y, q, wt / mean(wt), c(coef(f0)[seq_len(ncol(x))], f0$zeta))
    rw <- weights(des, "analysis")
    if (nrow(rw) != nrow(x)) rw <- rw[-nao, ]
    betas <- t(apply(rw, 2, function(w) olr_newton(x, y, q, w / mean(wt), full$theta)$theta))
    V <- svrVar(betas, des$scale, des$rscales, mse = des$mse, coef = full$theta)
    df <- degf(design) - ncol(x)
  } else {
    wt <- weights(des)
    full <- olr_newton(x, y, q, wt / mean(wt), c(coef(f0)[seq_len(ncol(x))], f0$zeta))
    inf <- (-(wt / mean(wt)) * full$G) %*% solve(full$H)
    V <- svyrecvar(inf, des$cluster, des$strata, des$fpc, postStrata = des$postStrata)
    df <- degf(des) - ncol(x)
  }
  th <- full$theta
  se <- sqrt(diag(V))
  names(th) <- c(colnames(x), paste(levels(yf)[-q - 1], levels(yf)[-1], sep = "|"))
  tq <- qt(1 - (1 - level) / 2, df)
  lo <- th - tq * se; hi <- th + tq * se
  est <- th; se2 <- se
  if (eform) {
    s <- seq_len(ncol(x))
    est[s] <- exp(th[s]); se2[s] <- est[s] * se[s]; lo[s] <- exp(lo[s]); hi[s] <- exp(hi[s])
  }
  lines <- "wave,model,term,estimate,se,statistic,df,p_value,ci_low,ci_high"
  lines <- c(lines, paste(",ordinal,", q(names(th)), ",", fmt(est), ",", fmt(se2), ",",
                          fmt(th / se), ",", fmt(df), ",", fmt(2 * pt(-abs(th / se), df)), ",",
                          fmt(lo), ",", fmt(hi), sep = ""))
  if (length(tests)) {
    lines <- c(lines, "test,variable,by,estimate,se,statistic,df1,df2,p_value")
    assign_ <- attr(model.matrix(attr(mf, "terms"), mf), "assign")[-1]
    labs <- attr(attr(mf, "terms"), "term.labels")
    for (t in tests) {
      idx <- which(assign_ %in% match(strsplit(t, ",")[[1]], labs))
      b <- th[idx]; F <- drop(b %*% solve(V[idx, idx], b)) / length(idx)
      lines <- c(lines, paste("wald,", q(t), ",,,,", fmt(F), ",", length(idx), ",", fmt(df),
                              ",", fmt(pf(F, length(idx), df, lower.tail = FALSE)), sep = ""))
    }
  }
  writeLines(lines, file.path("tests/ref/model", paste0(name, ".expected.csv")))
  # R's own svyolr, for the looser comparison
  r <- coef(f0)
  writeLines(c("term,estimate,se", paste(q(names(th)), ",", fmt(r), ",", fmt(SE(f0)), sep = "")),
             file.path("tests/ref/model", paste0(name, ".svyolr.csv")))
}

write_olr("qd_ordinal", factor(overall) ~ district + sex + age_group, dhh, hh,
          tests = c("district", "age_group"))
write_olr("qd_ordinal_or", factor(overall) ~ sex + age_group, dhh, hh, eform = TRUE)
clus1$band <- findInterval(clus1$api00, c(600, 700, 800)) + 1
write.csv(clus1, "tests/data/apiclus1_awards.csv", row.names = FALSE)
dband <- svydesign(ids = ~dnum, weights = ~pw, fpc = ~fpc, data = clus1)
write_olr("clus1_ordinal", factor(band) ~ ell + meals, dband, clus1, tests = "ell")
write_olr("clus1_jk1_ordinal", factor(band) ~ ell + meals,
          as.svrepdesign(dband, type = "JK1"), clus1)

# ---- survstat drivers on the model code: a text item (a factor, one
# importance row per level but the first), and a logistic model of the
# outcome's top two codes (--outcome-t2b), with t and p ----
# The rows every drivers case shares after its importance rows: the
# weighted correlation of each numeric item with the outcome (cov.wt over
# the rows used), each item's svymean as its performance, the quadrants of
# the importance rows imp (a logical over rows), and the file.
finish_drivers <- function(name, rows, imp, design, data, outcome, items, cc) {
  num_items <- items[sapply(items, function(v) is.numeric(data[[v]]))]
  w <- weights(design, "sampling")[cc]
  for (v in num_items) {
    r <- cov.wt(cbind(data[[v]][cc], outcome[cc]), wt = w / sum(w), cor = TRUE)$cor[1, 2]
    rows <- rbind(rows, data.frame(statistic = "correlation", variable = v, level = "",
                                   domain = "", estimate = r, se = NA, ci_low = NA,
                                   ci_high = NA, df = NA, n = sum(cc), t = NA, p_value = NA))
  }
  DF <- degf(design)
  for (v in num_items) {
    p <- svymean(as.formula(paste("~", v)), design, na.rm = TRUE)
    h <- qt(0.975, DF) * as.numeric(SE(p))
    rows <- rbind(rows, data.frame(statistic = "performance", variable = v, level = "mean",
                                   domain = "", estimate = unname(coef(p)),
                                   se = as.numeric(SE(p)), ci_low = unname(coef(p)) - h,
                                   ci_high = unname(coef(p)) + h, df = DF,
                                   n = sum(!is.na(data[[v]])), t = NA, p_value = NA))
  }
  imp <- c(imp, rep(FALSE, nrow(rows) - length(imp)))
  ie <- rows$estimate[imp]
  perf <- rows$estimate[rows$statistic == "performance"]
  qd <- ifelse(ie >= mean(ie), ifelse(perf >= mean(perf), "keep up", "concentrate here"),
               ifelse(perf >= mean(perf), "possible overkill", "low priority"))
  rows$quadrant <- ""
  rows$quadrant[imp] <- qd
  rows$quadrant[rows$statistic == "performance"] <- qd
  cols <- c("statistic", "variable", "level", "domain", "estimate", "se", "ci_low",
            "ci_high", "df", "n", "t", "p_value", "quadrant")
  out <- sapply(cols, function(cn) {
    x <- rows[[cn]]
    if (is.numeric(x)) fmt(x) else q(x)
  })
  writeLines(c(paste(cols, collapse = ","), apply(out, 1, paste, collapse = ",")),
             file.path("tests/ref/model", paste0(name, ".drivers.expected.csv")))
}

write_drivers <- function(name, fit, design, data, outcome, items, cc, n) {
  s <- summary(fit)$coefficients
  ci <- confint(fit)
  terms <- rownames(s)
  var <- level <- character(length(terms))
  for (k in seq_along(terms)) {
    it <- items[startsWith(terms[k], items)]
    var[k] <- if (k == 1) "(Intercept)" else it[1]
    level[k] <- if (k == 1) "" else substring(terms[k], nchar(it[1]) + 1)
  }
  rows <- data.frame(statistic = c("coef", rep("importance", length(terms) - 1)),
                     variable = var, level = level, domain = "", estimate = s[, 1],
                     se = s[, 2], ci_low = ci[, 1], ci_high = ci[, 2],
                     df = fit$df.residual, n = n, t = s[, 3], p_value = s[, 4],
                     stringsAsFactors = FALSE, row.names = NULL, check.names = FALSE)
  rownames(rows) <- NULL
  finish_drivers(name, rows, rows$statistic == "importance" & rows$level == "", design, data,
                 outcome, items, cc)
}

write_drivers("drv_cat", svyglm(api00 ~ ell + meals + stype, dclus1), dclus1, clus1,
              clus1$api00, c("ell", "meals", "stype"), rep(TRUE, nrow(clus1)), nrow(clus1))
hh2 <- read.csv("datasets/household.csv", encoding = "UTF-8")
for (v in c("overall", "purpose", "practical", "frugality")) hh2[[v]][hh2[[v]] == 9] <- NA
hh2$t2b <- as.numeric(hh2$overall >= 4)
dhh2 <- svydesign(ids = ~community + hh_id, strata = ~district, fpc = ~fpc1 + fpc2,
                  weights = ~weight, data = hh2)
cc <- complete.cases(hh2[, c("overall", "purpose", "practical", "frugality")])
# svyglm on the whole design (its na.action), as survstat model: the
# prior weights' mean, hence R's IRLS path, counts every row
write_drivers("drv_t2b", svyglm(t2b ~ purpose + practical + frugality, dhh2,
                                family = quasibinomial),
              dhh2, hh2, hh2$t2b, c("purpose", "practical", "frugality"), cc, sum(cc))

# ---- drivers --importance relweight: Johnson's relative weights of the
# items (numeric), from the weighted correlations (cov.wt), by eigen();
# SEs by svrVar of the replicate refits (JK1), or by linearization: the
# weights as a function of the weighted moment totals about the means,
# its gradient by Richardson's extrapolation (h = 1e-3 of each total's
# scale), svyrecvar of the scores.  Checked: the weights sum to the R2 of
# the weighted regression. ----
relw <- function(T, k) {
  T0 <- T[1]; Ta <- T[1 + 1:k]; Tab <- T[-(1:(1 + k))]
  C <- matrix(0, k, k); at <- 0
  for (a in 1:k) for (b in a:k) { at <- at + 1; C[a, b] <- C[b, a] <- Tab[at] / T0 - Ta[a] * Ta[b] / T0^2 }
  R <- cov2cor(C); p <- k - 1
  e <- eigen(R[1:p, 1:p], symmetric = TRUE)
  L <- e$vectors %*% diag(sqrt(e$values), p) %*% t(e$vectors)
  beta <- solve(L, R[1:p, k])
  drop((L^2) %*% beta^2)
}
moments <- function(V, w) {
  k <- ncol(V)
  c(sum(w), colSums(w * V), unlist(lapply(1:k, function(a) sapply(a:k, function(b) sum(w * V[, a] * V[, b])))))
}
write_relw <- function(name, design, data, outcome, items) {
  V0 <- as.matrix(data[, c(items, outcome)])
  cc <- complete.cases(V0)
  V0 <- V0[cc, , drop = FALSE]
  w <- weights(design, "sampling")[cc]
  centre <- colSums(w * V0) / sum(w)
  V <- sweep(V0, 2, centre)
  k <- ncol(V); p <- k - 1
  T <- moments(V, w)
  eps <- relw(T, k)
  f <- as.formula(paste(outcome, "~", paste(items, collapse = "+")))
  fit <- if (inherits(design, "svyrep.design")) svyglm(f, design) else svyglm(f, design)
  r2 <- 1 - sum(w * resid(fit, "response")^2) / sum(w * (V0[, k] - centre[k])^2)
  stopifnot(abs(sum(eps) - r2) < 1e-12)
  if (inherits(design, "svyrep.design")) {
    rw <- weights(design, "analysis")[cc, ]
    th <- t(apply(rw, 2, function(wk) relw(moments(V, wk), k)))
    Vm <- svrVar(th, design$scale, design$rscales, mse = design$mse, coef = eps)
    df <- degf(design)
  } else {
    scale <- numeric(length(T)); scale[1] <- T[1]
    diagpos <- cumsum(c(1, k:2))
    Tab <- T[-(1:(1 + k))]
    for (a in 1:k) scale[1 + a] <- sqrt(T[1] * Tab[diagpos[a]])
    at <- 0
    for (a in 1:k) for (b in a:k) { at <- at + 1; scale[1 + k + at] <- sqrt(Tab[diagpos[a]] * Tab[diagpos[b]]) }
    G <- sapply(seq_along(T), function(mi) {
      h <- 1e-3 * scale[mi]
      e <- sapply(c(1, -1, 2, -2), function(s) { Th <- T; Th[mi] <- Th[mi] + s * h; relw(Th, k) })
      (8 * (e[, 1] - e[, 2]) - (e[, 3] - e[, 4])) / (12 * h)
    })
    U <- cbind(1, V, do.call(cbind, lapply(1:k, function(a) sapply(a:k, function(b) V[, a] * V[, b]))))
    Z <- matrix(0, nrow(data), p)
    Z[cc, ] <- w * (U %*% t(G))
    des <- design[cc, ]
    Vm <- svyrecvar(Z[cc, , drop = FALSE], des$cluster, des$strata, des$fpc,
                    postStrata = des$postStrata)
    df <- degf(des)
  }
  se <- sqrt(diag(Vm))
  s <- summary(fit)$coefficients; ci <- confint(fit)
  tq <- qt(0.975, df)
  rows <- data.frame(statistic = c(rep("coef", nrow(s)), rep("importance", p), "r2"),
                     variable = c(rownames(s), items, outcome),
                     level = c(rep("", nrow(s)), rep("relweight", p), ""), domain = "",
                     estimate = c(s[, 1], eps, r2), se = c(s[, 2], se, NA),
                     ci_low = c(ci[, 1], eps - tq * se, NA), ci_high = c(ci[, 2], eps + tq * se, NA),
                     df = c(rep(fit$df.residual, nrow(s)), rep(df, p), NA),
                     t = c(s[, 3], eps / se, NA),
                     p_value = c(s[, 4], 2 * pt(-abs(eps / se), df), NA),
                     stringsAsFactors = FALSE, row.names = NULL)
  rows$n <- sum(cc)
  rows <- rows[, c(1:9, 12, 10, 11)]
  finish_drivers(name, rows, rows$level == "relweight", design, data, data[[outcome]], items,
                 cc)
}
write_relw("drv_rw", dclus1, clus1, "api00", c("ell", "meals", "mobility"))
write_relw("drv_rw_jk1", rclus1, clus1, "api00", c("ell", "meals", "mobility"))
write_relw("drv_rw_strat", dstrat, strat, "api00", c("ell", "meals", "avg.ed", "full"))

# ---- --subset: svyglm on subset(design, EXPR) (the variance keeps every
# PSU; a replicate design's degf is the subset's) ----
write_ref("strat_sub", svyglm(api00 ~ ell + meals, subset(dstrat, stype != "E")), "gaussian",
          "meals")
write_ref("clus1_jk1_sub", svyglm(api00 ~ ell + meals, subset(rclus1, api99 > 600)),
          "gaussian", "ell,meals")
write_ref("nhanes_logit_sub", svyglm(HI_CHOL ~ RIAGENDR + agecat, subset(dnh, race == 1),
                                     family = quasibinomial), "binomial")

# ---- PPS designs (tests/data/election_pps.csv, written by make_pps_refs.R):
# Brewer's approximation and Yates-Grundy with the joint probabilities ----
ep <- read.csv("tests/data/election_pps.csv")
ep$kerrywin <- as.numeric(ep$winner == "Kerry")
write.csv(ep, "tests/data/election_pps_model.csv", row.names = FALSE)
dbrewer <- svydesign(ids = ~1, fpc = ~p, data = ep, pps = "brewer")
write_ref("pps_brewer_lin", svyglm(Kerry ~ Bush + votes, dbrewer), "gaussian", "Bush,votes")
write_ref("pps_brewer_logit", svyglm(kerrywin ~ half, dbrewer, family = quasibinomial),
          "binomial")
data(election)
dyg <- svydesign(ids = ~1, fpc = ~p, data = ep, pps = ppsmat(election_jointprob),
                 variance = "YG")
write_ref("pps_yg_lin", svyglm(Kerry ~ Bush, dyg), "gaussian")

# ---- numeric expressions in formulas: I() with + - * / ^ and parentheses,
# log(), exp(), sqrt(); the coefficient names are R's deparse of the call
# (I(ell^2), I(1e+05 * ell/api00)) ----
write_ref("strat_expr", svyglm(api00 ~ ell + I(ell^2) + log(enroll) + sqrt(meals) + stype,
                               dstrat), "gaussian", c("I(ell^2),log(enroll)", "sqrt(meals)"))
write_ref("strat_expr_pois", svyglm(enroll ~ log(api00) + I(-meals/10) + I(1e5*ell/api00),
                                    dstrat, family = quasipoisson), "poisson",
          "I(1e+05 * ell/api00)", eform = TRUE)
write_ref("clus1_expr_logit", svyglm(awards01 ~ I(ell/100) + I((api00 - 600)/100) +
                                       log(enroll):stype, dclus1b, family = quasibinomial),
          "binomial", "log(enroll):stype")
write_ref("clus1_jk1_expr", svyglm(api00 ~ I(ell * meals/100) + exp(mobility/100) + log(api99),
                                   rclus1), "gaussian", "exp(mobility/100)")
write_ref("strat_expr_sub", svyglm(api00 ~ log(meals + 1) + I((ell - 20)^2),
                                   subset(dstrat, stype != "E")), "gaussian",
          "log(meals + 1),I((ell - 20)^2)")
# ill-conditioned: a square far from 0 beside its variable (survstat centres
# numeric columns so that X'WX does not square the collinearity)
write_ref("strat_expr_far", svyglm(api00 ~ api99 + I((api99 + 5000)^2), dstrat), "gaussian")
write_ref("clus1_expr_far", svyglm(awards01 ~ api99 + I((api99 + 5000)^2), dclus1b,
                                   family = quasibinomial), "binomial")
