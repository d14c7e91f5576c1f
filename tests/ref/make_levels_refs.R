#!/usr/bin/env Rscript
# R references of tests/e2e/prop_levels.sh: --prop over many levels (300
# levels of y, and skew: one level in 99.8% of the rows, 60 rare ones) on
# tests/data/levels.csv (tests/data/gen_levels.py), a stratified two-stage
# sample with missing cells.  Run from the repository root:
#   Rscript tests/ref/make_levels_refs.R
# Writes tests/ref/levels/NAME.expected.csv (refcmp's columns) per case:
#   two_stage  --strata st2 --ids psu,hh --fpc fpc1,fpc2 --weights w --nest
#              --prop y,skew --by region --deff
#   average    --strata st --ids psu,hh --fpc fpc1,fpc2 --weights w --nest
#              --lonely-psu average --prop y,skew --by region
#   rake       the two_stage design raked to tests/data/levels_margins.csv
#              (region, sex) --prop y,skew --deff
#   poststrat  the two_stage design post-stratified by region
#              (tests/data/levels_cells.csv) --prop y --by sex
# Every 30th level and the most frequent one: svymean of the indicator on
# the design subset to the rows answering (and the domain), its SE (and the
# most frequent level's deff), and svyciprop's logit interval on the full
# design's df (degf), as survstat's default; every level's n.
suppressPackageStartupMessages(library(survey))
options(survey.adjust.domain.lonely = FALSE)

d <- read.csv("tests/data/levels.csv", stringsAsFactors = FALSE, na.strings = "")
out_dir <- file.path("tests", "ref", "levels")
dir.create(out_dir, showWarnings = FALSE)

num <- function(x) ifelse(is.na(x), "", sprintf("%.17g", x))

# Rows of every level of vars, by the domains of by (NULL: none).  A
# two-stage svymean of one indicator takes R 0.7 s here, and svymean of the
# 300-level factor did not end in minutes: the numbers are R's for every
# 30th level and the most frequent one (estimate, SE, the logit interval of
# svyciprop, and the most frequent level's deff); the other levels' rows
# hold only n, and refcmp skips their empty cells.
prop_rows <- function(des, vars, by = NULL, deff = FALSE) {
  df <- degf(des)
  out <- character(0)
  for (v in vars) {
    lv <- sort(unique(d[[v]][!is.na(d[[v]])]))
    top <- names(which.max(table(d[[v]])))
    doms <- if (is.null(by)) list("") else as.list(sort(unique(d[[by]])))
    for (dm in doms) {
      keep <- !is.na(des$variables[[v]])
      if (!is.null(by)) keep <- keep & des$variables[[by]] == dm
      sub <- subset(des, keep)
      n <- sum(keep)
      for (j in seq_along(lv)) {
        k <- lv[j]
        p <- se <- de <- NA
        ci <- c(NA, NA)
        if (j %% 30 == 1 || k == top) {
          sub$variables$.ind <- as.numeric(!is.na(sub$variables[[v]]) & sub$variables[[v]] == k)
          m <- svymean(~.ind, sub, deff = deff && k == top)
          p <- unname(coef(m)); se <- unname(SE(m))
          if (deff && k == top) de <- unname(deff(m))
          if (p > 0 && p < 1)
            ci <- unname(attr(svyciprop(~.ind, sub, method = "logit", df = df), "ci"))
        }
        out <- c(out, paste("prop", v, k, if (is.null(by)) "" else paste0(by, "=", dm),
                            num(p), num(se), num(ci[1]), num(ci[2]), num(df), num(de), n,
                            sep = ","))
      }
      message(sprintf("%s %s done", v, dm))
    }
  }
  out
}

write_case <- function(name, rows) {
  f <- file.path(out_dir, paste0(name, ".expected.csv"))
  writeLines(c("statistic,variable,level,domain,estimate,se,ci_low,ci_high,df,deff,n", rows), f)
  cat(sprintf("ok  %-10s %5d rows -> %s\n", name, length(rows), f))
}

two <- svydesign(ids = ~psu + hh, strata = ~st2, fpc = ~fpc1 + fpc2, weights = ~w,
                 nest = TRUE, data = d)
options(survey.lonely.psu = "fail")
write_case("two_stage", prop_rows(two, c("y", "skew"), "region", deff = TRUE))

options(survey.lonely.psu = "average")
avg <- svydesign(ids = ~psu + hh, strata = ~st, fpc = ~fpc1 + fpc2, weights = ~w,
                 nest = TRUE, data = d)
write_case("average", prop_rows(avg, c("y", "skew"), "region"))

options(survey.lonely.psu = "fail")
mg <- read.csv("tests/data/levels_margins.csv", stringsAsFactors = FALSE)
two$variables$region <- factor(two$variables$region, levels = c("R1", "R2", "R3", "R4"))
two$variables$sex <- factor(two$variables$sex, levels = c("F", "M"))
pop <- c(sum(mg$total[mg$variable == "region"]), mg$total[mg$variable == "region"][-1],
         mg$total[mg$variable == "sex"][-1])
raked <- calibrate(two, ~region + sex, pop, calfun = "raking", maxit = 50, epsilon = 1e-7)
raked$variables$region <- as.character(raked$variables$region)
write_case("rake", prop_rows(raked, c("y", "skew"), deff = TRUE))

cells <- read.csv("tests/data/levels_cells.csv", stringsAsFactors = FALSE)
ps <- postStratify(two, ~region, data.frame(region = factor(cells$region, levels = levels(two$variables$region)),
                                           Freq = cells$total))
ps$variables$sex <- as.character(ps$variables$sex)
write_case("poststrat", prop_rows(ps, "y", "sex"))
