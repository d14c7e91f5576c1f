#!/usr/bin/env Rscript
# Reference values for `survstat test`, computed independently with R's
# `survey` package (svyttest, svychisq).
#
# Run from the repository root:   Rscript tests/ref/make_test_refs.R
#
# Reads tests/ref/test_cases.txt (lines `name|datafile|arguments`, `#` =
# comment), and for every case writes tests/ref/NAME.test.expected.csv with
# the columns of survstat's test rows
#   test,variable,by,estimate,se,statistic,df1,df2,p_value
# numbers with 17 significant digits, missing = empty.
#
# The survstat arguments are parsed here and turned into svydesign() (and
# postStratify() for --poststrat), then
#   --ttest VAR --group COL   svyttest(VAR ~ COL, design)
#   --chisq ROW,COL [--chisq-stat S]   svychisq(~ROW + COL, design, statistic = S)
# The group of a t test is made a factor whose levels are in survstat's
# order (numeric when every value is a number, else by bytes), so R's
# "difference in mean" is the second level minus the first, as survstat
# reports it; for a 0/1 or 1/2 numeric group that is the same fit as R's
# svyttest on the raw column.  svychisq gets the raw columns.
#
# A case for which R fails is reported on stderr and its expected file is
# NOT written (any stale one is removed); the script then exits with 1.

suppressPackageStartupMessages(library(survey))

ref_dir  <- file.path("tests", "ref")
source(file.path(ref_dir, "weighting.R"))
data_dir <- "datasets"

split_list <- function(s) strsplit(s, ",", fixed = TRUE)[[1]]

parse_args <- function(argstring) {
  tok <- strsplit(trimws(argstring), "[[:space:]]+")[[1]]
  a <- list(weights = NULL, strata = NULL, ids = NULL, fpc = NULL, nest = FALSE,
            lonely = NULL, na = character(0), poststrat = NULL,
            rake = NULL, calibrate = NULL, calfun = "linear", bounds = c(-Inf, Inf),
            trim = NULL,
            ttest = NULL, group = NULL, chisq = NULL, stat = "F")
  with_value <- c("--weights", "--strata", "--ids", "--fpc", "--lonely-psu", "--na",
                  "--poststrat", "--rake", "--calibrate", "--calfun", "--bounds",
                  "--trim-weights", "--ttest", "--group", "--chisq", "--chisq-stat")
  i <- 1
  while (i <= length(tok)) {
    opt <- tok[i]
    val <- NULL
    if (opt %in% with_value) {
      if (i == length(tok)) stop("option ", opt, " needs a value")
      val <- tok[i + 1]
      i <- i + 2
    } else {
      i <- i + 1
    }
    switch(opt,
      "--weights"    = a$weights <- val,
      "--strata"     = a$strata  <- val,
      "--ids"        = a$ids     <- split_list(val),
      "--fpc"        = a$fpc     <- split_list(val),
      "--nest"       = a$nest    <- TRUE,
      "--lonely-psu" = a$lonely  <- val,
      "--na"         = a$na      <- split_list(val),
      "--poststrat"  = a$poststrat <- val,
      "--rake"       = a$rake    <- val,
      "--calibrate"  = a$calibrate <- val,
      "--calfun"     = a$calfun  <- val,
      "--bounds"     = a$bounds  <- as.numeric(split_list(val)),
      "--trim-weights" = a$trim  <- as.numeric(split_list(val)),
      "--ttest"      = a$ttest   <- val,
      "--group"      = a$group   <- val,
      "--chisq"      = a$chisq   <- split_list(val),
      "--chisq-stat" = a$stat    <- val,
      stop("unknown option ", opt))
  }
  if (is.null(a$ttest) == is.null(a$chisq)) stop("give --ttest or --chisq")
  a
}

fml <- function(vars) as.formula(paste("~", paste0("`", vars, "`", collapse = "+")))

# survstat's level order: numerically if every value is a number, else by
# C-locale (byte) string order.
sort_values <- function(v) {
  v <- unique(v)
  num <- suppressWarnings(as.numeric(v))
  v[if (all(!is.na(num))) order(num) else order(v, method = "radix")]
}

run_case <- function(args, datafile) {
  path <- file.path(data_dir, datafile)
  dat <- read.csv(path, stringsAsFactors = FALSE, check.names = FALSE)
  txt <- read.csv(path, colClasses = "character", check.names = FALSE,
                  na.strings = character(0))
  for (col in names(dat)) if (length(args$na)) {
    na_rows <- txt[[col]] %in% args$na
    if (any(na_rows)) dat[[col]][na_rows] <- NA
  }
  is_missing <- function(col) is.na(dat[[col]]) | txt[[col]] == "" | txt[[col]] %in% args$na
  # --subset EXPR (make_subset_refs.R sets args$subset): the design is
  # subset(design, EXPR) after the weighting, R's own subset.
  keep <- rep(TRUE, nrow(dat))
  if (!is.null(args$subset)) {
    keep <- eval(parse(text = args$subset), dat)
    keep <- keep & !is.na(keep)
  }
  dat$.keep <- keep
  options(survey.lonely.psu = if (is.null(args$lonely)) "fail" else args$lonely,
          survey.adjust.domain.lonely = FALSE)

  # A stage without an fpc column is sampled with replacement in survstat.
  if (!is.null(args$fpc) && !is.null(args$ids) && length(args$fpc) < length(args$ids)) {
    for (s in (length(args$fpc) + 1):length(args$ids)) {
      dat[[paste0(".fpc.inf.", s)]] <- Inf
      args$fpc <- c(args$fpc, paste0(".fpc.inf.", s))
    }
  }
  # The t test's group: a factor in survstat's level order, over the rows
  # where both variables are present.
  if (!is.null(args$ttest)) {
    g <- args$group
    ok <- !is_missing(g) & !is_missing(args$ttest) & keep
    gv <- ifelse(is_missing(g), NA, txt[[g]])
    dat$.group <- factor(gv, levels = sort_values(gv[ok]))
  }
  design <- svydesign(
    ids     = if (is.null(args$ids)) ~1 else fml(args$ids),
    strata  = if (is.null(args$strata)) NULL else fml(args$strata),
    weights = if (is.null(args$weights)) NULL else fml(args$weights),
    fpc     = if (is.null(args$fpc)) NULL else fml(args$fpc),
    nest    = args$nest,
    data    = dat)
  design <- apply_weighting(design, args, txt, is_missing, sort_values)
  if (!is.null(args$subset)) design <- subset(design, .keep)

  if (!is.null(args$ttest)) {
    f <- as.formula(paste0("`", args$ttest, "` ~ .group"))
    r <- svyttest(f, design)
    se <- unname(SE(svyglm(f, design))[2])   # the fit svyttest makes
    return(data.frame(test = "ttest", variable = args$ttest, by = args$group,
                      estimate = unname(r$estimate), se = se,
                      statistic = unname(r$statistic), df1 = unname(r$parameter),
                      df2 = NA_real_, p_value = unname(r$p.value),
                      stringsAsFactors = FALSE))
  }
  if (length(args$chisq) != 2) stop("--chisq needs two variables")
  r <- svychisq(fml(args$chisq), design, statistic = args$stat)
  par <- unname(r$parameter)
  data.frame(test = paste0("chisq-", args$stat), variable = args$chisq[1],
             by = args$chisq[2], estimate = NA_real_, se = NA_real_,
             statistic = unname(r$statistic), df1 = par[1],
             df2 = if (length(par) > 1) par[2] else NA_real_,
             p_value = unname(r$p.value), stringsAsFactors = FALSE)
}

num_field <- function(x) ifelse(is.na(x), "", sprintf("%.17g", x))
csv_field <- function(s) {
  s <- as.character(s)
  q <- grepl("[\",\n\r]", s)
  s[q] <- paste0("\"", gsub("\"", "\"\"", s[q], fixed = TRUE), "\"")
  s
}
write_rows <- function(res, file) {
  cols <- c("test", "variable", "by", "estimate", "se", "statistic", "df1", "df2",
            "p_value")
  out <- lapply(cols, function(cn) {
    x <- res[[cn]]
    if (is.numeric(x)) num_field(x) else csv_field(x)
  })
  writeLines(c(paste(cols, collapse = ","), do.call(paste, c(out, sep = ","))), file,
             useBytes = TRUE)
}

failed <- for_each_case(file.path(ref_dir, "test_cases.txt"),
                        function(name) file.path(ref_dir, paste0(name, ".test.expected.csv")),
                        function(argstring, datafile) run_case(parse_args(argstring), datafile),
                        write_rows, width = 24)
if (length(failed)) {
  message("R could not compute: ", paste(failed, collapse = ", "))
  quit(status = 1)
}
