#!/usr/bin/env Rscript
# Population margins of R's apipop (the population the api samples were
# drawn from), written for survstat's --poststrat, --rake and --calibrate.
# Run from the repository root: Rscript tests/ref/margins/make_margins.R
suppressPackageStartupMessages(library(survey))
data(api)
dir <- file.path("tests", "ref", "margins")
w <- function(df, f) write.csv(df, file.path(dir, f), row.names = FALSE, quote = FALSE)
tab <- function(v) { t <- table(apipop[[v]]); data.frame(variable = v, level = names(t), total = as.vector(t)) }
# post-strata: stype; stype x sch.wide
w(setNames(as.data.frame(table(apipop$stype)), c("stype", "total")), "stype_cells.csv")
w(setNames(as.data.frame(table(apipop$stype, apipop$sch.wide)), c("stype", "sch.wide", "total")),
  "stype_schwide_cells.csv")
# raking margins: stype and sch.wide; stype, sch.wide and awards
w(rbind(tab("stype"), tab("sch.wide")), "rake_stype_schwide.csv")
w(rbind(tab("stype"), tab("sch.wide"), tab("awards")), "rake_three.csv")
# calibration: stype and the total of api99 (R's calibrate(dclus1, ~stype+api99))
w(rbind(tab("stype"), data.frame(variable = "api99", level = "", total = sum(apipop$api99))),
  "cal_stype_api99.csv")
