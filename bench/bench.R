# The R side of `make bench` (bench/bench.py runs it and times it end to end).
#
#   Rscript bench/bench.R taylor FILE      ten means, q1 by region, sat by region
#   Rscript bench/bench.R boot:R FILE      R bootstrap replicates, ten means
#   Rscript bench/bench.R jkn FILE         JKn replicates (one per PSU), ten means
#   Rscript bench/bench.R jknrake FILE MARGINS
#                                          JKn replicates raked to the margins of
#                                          region and sat (calibrate(calfun =
#                                          "raking") on the replicate design), ten means
#
# The design is the one survstat is given: svydesign(ids = ~psu,
# strata = ~stratum, weights = ~w).  Results go to stdout as csv
# (statistic, variable, level, domain, estimate, se) so that bench.py can
# check that both programs computed the same numbers; the seconds spent
# after the packages were loaded go to stderr as "R_INSESSION <s>".
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
d$sat <- factor(d$sat)
des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, data = d)

rows <- function(statistic, variable, level, domain, est, se)
  data.frame(statistic, variable, level, domain, estimate = unname(est), se = unname(se))

if (what == "taylor") {
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
