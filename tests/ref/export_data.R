#!/usr/bin/env Rscript
# Export the example data sets shipped with R's `survey` package to CSV so that
# survstat (C) and the reference script make_refs.R read exactly the same values.
#
# Run from the repository root:  Rscript tests/ref/export_data.R
# Writes datasets/{apisrs,apistrat,apiclus1,apiclus2,nhanes}.csv
suppressPackageStartupMessages(library(survey))

# write.table writes doubles with 15 significant digits.  That is exact for the
# short decimals (weights, fpc, ...), but `avg.ed` in the api data holds
# single-precision values widened to double (e.g. 1.909999966621400036), which
# need 17 digits.  So each double is written with 15 significant digits when
# that reads back to the same double, else with 17.  Every column is verified to
# round-trip through the CSV unchanged.
options(digits = 15)

num_text <- function(x) {
  s <- rep(NA_character_, length(x))
  ok <- !is.na(x)
  s[ok] <- sprintf("%.15g", x[ok])
  bad <- ok & as.numeric(ifelse(ok, s, "0")) != x
  bad[is.na(bad)] <- FALSE
  s[bad] <- sprintf("%.17g", x[bad])
  s
}

data(api)      # apisrs, apistrat, apiclus1, apiclus2 (and apipop, not exported)
data(nhanes)   # nhanes

outdir <- "datasets"
dir.create(outdir, showWarnings = FALSE, recursive = TRUE)

sets <- list(apisrs = apisrs, apistrat = apistrat, apiclus1 = apiclus1,
             apiclus2 = apiclus2, nhanes = nhanes)

for (nm in names(sets)) {
  x <- sets[[nm]]
  # apiclus2$fpc2 is a 1-d array; make every column a plain vector.
  for (v in names(x)) if (is.array(x[[v]])) x[[v]] <- as.vector(x[[v]])
  f <- file.path(outdir, paste0(nm, ".csv"))
  # Text (character/factor) columns are quoted as write.csv does by default;
  # numbers are written unquoted.
  text_cols <- which(!vapply(x, is.numeric, logical(1)))
  out <- x
  for (v in names(x)) if (is.double(x[[v]])) out[[v]] <- num_text(x[[v]])
  write.csv(out, f, row.names = FALSE, na = "", fileEncoding = "UTF-8",
            quote = if (length(text_cols)) unname(text_cols) else FALSE)

  # Round-trip check: read back and compare every column with the original
  # (factors compared as their labels).
  y <- read.csv(f, stringsAsFactors = FALSE, check.names = FALSE,
                encoding = "UTF-8")
  yc <- read.csv(f, colClasses = "character", check.names = FALSE,
                 encoding = "UTF-8", na.strings = character(0))
  stopifnot(identical(names(y), names(x)), nrow(y) == nrow(x))
  for (v in names(x)) {
    a <- x[[v]]; b <- y[[v]]
    if (is.factor(a)) a <- as.character(a)
    if (is.numeric(a)) {
      ok <- identical(is.na(a), is.na(b)) && all(a[!is.na(a)] == b[!is.na(b)])
    } else {
      # Text columns: compare the text as read without type conversion
      # (read.csv would turn digit-only codes such as `cds` into numbers).
      a[is.na(a)] <- ""; b <- yc[[v]]
      ok <- identical(a, b)
    }
    if (!ok) stop(sprintf("column %s of %s does not round-trip", v, nm))
  }
  cat(sprintf("%-9s %5d rows %3d columns -> %s (round-trip OK)\n",
              nm, nrow(x), ncol(x), f))
}
