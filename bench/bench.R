# The R side of `make bench` (bench/bench.py runs it under R's survey 4.5,
# R_LIBS=BENCH_RLIB, and times it end to end).
#
#   Rscript bench/bench.R taylor FILE      ten means, q1 by region, sat by region
#   Rscript bench/bench.R boot:R FILE      R bootstrap replicates, ten means
#   Rscript bench/bench.R jkn FILE         JKn replicates (one per PSU), ten means
#   Rscript bench/bench.R jknrake FILE MARGINS
#                                          JKn replicates raked to the margins of
#                                          region and sat (calibrate(calfun =
#                                          "raking") on the replicate design), ten means
#   Rscript bench/bench.R acs FILE         an ACS PUMS-shaped person file (bench/gen_acs.c):
#                                          svrepdesign(type = "successive-difference",
#                                          mse = TRUE) on PWGTP1..PWGTP80; the mean of
#                                          PINCP by ST, the proportions of ESR, the
#                                          total of SEX (of its levels when it is text)
#   Rscript bench/bench.R table FILE       bench/gen_people.c's file, two stages
#                                          (psu, hh): the row percentages of answer by
#                                          area and those of the whole table (the
#                                          cells of survstat table --rows area --cols
#                                          answer)
#   Rscript bench/bench.R model FILE       the same file: svyglm(employed ~ age + sex +
#                                          factor(edu) + hhsize + urban + income,
#                                          quasibinomial)
#
# The design of gen.c's files is the one survstat is given: svydesign(ids =
# ~psu, strata = ~stratum, weights = ~w); of gen_people.c's, ids = ~psu + hh.
# Results go to stdout as csv (statistic, variable, level, domain,
# estimate, se) so that bench.py can check that both programs computed the
# same numbers; the seconds spent after the packages were loaded go to
# stderr as "R_INSESSION <s>".
args <- commandArgs(trailingOnly = TRUE)
what <- args[1]
file <- args[2]
suppressPackageStartupMessages({
  library(data.table)
  library(survey)
})
t0 <- proc.time()[["elapsed"]]
items <- paste0("q", 1:10)
ten <- reformulate(items)

d <- fread(file, showProgress = FALSE)
setDF(d)

rows <- function(statistic, variable, level, domain, est, se)
  data.frame(statistic, variable, level, domain, estimate = unname(est), se = unname(se))

# The levels of a factor's coefficients: "factor(ESR)3" -> "3".
lev_of <- function(x, prefix) sub(prefix, "", names(x), fixed = TRUE)

if (what == "acs") {
  rdes <- svrepdesign(data = d, type = "successive-difference", mse = TRUE,
                      repweights = "PWGTP[0-9]+", weights = ~PWGTP)
  by <- svyby(~PINCP, ~ST, rdes, svymean, na.rm = TRUE)
  esr <- svymean(~factor(ESR), rdes, na.rm = TRUE)
  # survstat's --total SEX: the total of every level when SEX holds text, the
  # total of the numbers when it holds numbers (as R's svytotal(~SEX))
  if (is.numeric(d$SEX)) {
    sex <- svytotal(~SEX, rdes, na.rm = TRUE)
    sex_rows <- rows("total", "SEX", "", "", coef(sex), SE(sex))
  } else {
    sex <- svytotal(~factor(SEX), rdes, na.rm = TRUE)
    sex_rows <- rows("total", "SEX", lev_of(coef(sex), "factor(SEX)"), "", coef(sex), SE(sex))
  }
  out <- rbind(
    rows("mean", "PINCP", "", paste0("ST=", by$ST), coef(by), SE(by)),
    rows("prop", "ESR", lev_of(coef(esr), "factor(ESR)"), "", coef(esr), SE(esr)),
    sex_rows)
} else if (what %in% c("table", "model")) {
  des <- svydesign(ids = ~psu + hh, strata = ~stratum, weights = ~w, data = d)
  if (what == "table") {
    # survstat table's cells: pct_row of answer within each area (domains of
    # the rows answered; the variance keeps every PSU) and the Total row
    sub <- subset(des, !is.na(answer))
    by <- svyby(~factor(answer), ~area, sub, svymean)
    tot <- svymean(~factor(answer), sub)
    lv <- lev_of(coef(tot), "factor(answer)")
    out <- rbind(
      do.call(rbind, lapply(lv, function(l) {
        k <- paste0("factor(answer)", l)
        rows("pct_row", "area", by$area, paste0("answer=", l), by[[k]], by[[paste0("se.", k)]])
      })),
      rows("pct_row", "area", "", paste0("answer=", lv), coef(tot), SE(tot)))
  } else {
    m <- svyglm(employed ~ age + sex + factor(edu) + hhsize + urban + income, design = des,
                family = quasibinomial())
    out <- rows("coef", "employed", names(coef(m)), "", coef(m), SE(m))
  }
} else if (what == "taylor") {
  d$sat <- factor(d$sat)
  des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, data = d)
  m <- svymean(ten, des)
  by1 <- svyby(~q1, ~region, des, svymean)
  by2 <- svyby(~sat, ~region, des, svymean)
  # survstat's order: domains sorted by bytes (r1, r10, r11, ..., r2, ...)
  lv <- levels(d$sat)
  out <- rbind(
    rows("mean", items, "", "", coef(m), SE(m)),
    rows("mean", "q1", "", paste0("region=", by1$region), coef(by1), SE(by1)),
    do.call(rbind, lapply(seq_along(lv), function(k)
      rows("prop", "sat", lv[k], paste0("region=", by2$region),
           by2[[paste0("sat", lv[k])]], by2[[paste0("se.sat", lv[k])]]))))
} else {
  d$sat <- factor(d$sat)
  des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, data = d)
  if (startsWith(what, "boot:")) {
    set.seed(1)
    rdes <- as.svrepdesign(des, type = "bootstrap",
                           replicates = as.integer(sub("boot:", "", what)))
  } else {
    rdes <- as.svrepdesign(des, type = "JKn")
  }
  if (what == "jknrake") {
    # survstat's margins file: variable, level, total; R's population is the
    # model.matrix(~region + sat) totals (intercept, levels but the first)
    mg <- read.csv(args[3], colClasses = c("character", "character", "numeric"))
    rdes <- update(rdes, region = factor(region, levels = sort(unique(region))),
                   sat = factor(sat))
    reg <- mg[mg$variable == "region", ]
    sat <- mg[mg$variable == "sat", ]
    lr <- levels(rdes$variables$region)
    ls <- levels(rdes$variables$sat)
    pop <- c(sum(reg$total), reg$total[match(lr[-1], reg$level)],
             sat$total[match(ls[-1], sat$level)])
    rdes <- calibrate(rdes, ~region + sat, pop, calfun = "raking")
  }
  m <- svymean(ten, rdes)
  out <- rows("mean", items, "", "", coef(m), SE(m))
}
t1 <- proc.time()[["elapsed"]]
write.csv(out, stdout(), row.names = FALSE)
cat(sprintf("R_INSESSION %.3f\n", t1 - t0), file = stderr())
