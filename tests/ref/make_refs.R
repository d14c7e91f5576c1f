#!/usr/bin/env Rscript
# Reference values for survstat, computed independently with R's `survey`
# package.
#
# Run from the repository root:   Rscript tests/ref/make_refs.R
#
# Reads tests/ref/cases.txt (lines `name|datafile|arguments`, `#` = comment),
# and for every case writes tests/ref/NAME.expected.csv with the columns
#   statistic,variable,level,domain,estimate,se,ci_low,ci_high,df,deff,n
# one row per estimate, numbers with 17 significant digits, missing = empty.
#
# The data are read back from datasets/*.csv (written by export_data.R), so R
# and survstat see exactly the same values.  The survstat argument string is
# parsed here and turned into svydesign()/svymean()/svytotal()/svyratio()/
# svyciprop()/svyby() calls; see the contract summarised in tests/ref/README.md.
#
# A case for which R fails is reported on stderr and its expected file is NOT
# written (any stale one is removed); the script then exits with status 1.

suppressPackageStartupMessages(library(survey))

ref_dir  <- file.path("tests", "ref")
data_dir <- "datasets"

# ---------------------------------------------------------------------------
# Argument parsing (survstat syntax)
# ---------------------------------------------------------------------------

split_list <- function(s) strsplit(s, ",", fixed = TRUE)[[1]]

parse_args <- function(argstring) {
  tok <- strsplit(trimws(argstring), "[[:space:]]+")[[1]]
  a <- list(weights = NULL, strata = NULL, ids = NULL, fpc = NULL,
            nest = FALSE, lonely = NULL, by = NULL, level = 0.95,
            df = NULL, domain_df = FALSE, deff = FALSE,
            tasks = list())          # estimates, in command-line order
  with_value <- c("--weights", "--strata", "--ids", "--fpc", "--lonely-psu",
                  "--mean", "--total", "--ratio", "--prop", "--by",
                  "--level", "--df")
  i <- 1
  while (i <= length(tok)) {
    opt <- tok[i]
    if (opt %in% with_value) {
      if (i == length(tok)) stop("option ", opt, " needs a value")
      val <- tok[i + 1]
      i <- i + 2
    } else {
      val <- NULL
      i <- i + 1
    }
    switch(opt,
      "--weights"    = a$weights <- val,
      "--strata"     = a$strata  <- val,
      "--ids"        = a$ids     <- split_list(val),
      "--fpc"        = a$fpc     <- split_list(val),
      "--nest"       = a$nest    <- TRUE,
      "--lonely-psu" = a$lonely  <- val,
      "--by"         = a$by      <- split_list(val),
      "--level"      = a$level   <- as.numeric(val),
      "--df"         = a$df      <- if (tolower(val) == "inf") Inf else as.numeric(val),
      "--domain-df"  = a$domain_df <- TRUE,
      "--deff"       = a$deff    <- TRUE,
      "--mean"  = ,
      "--total" = ,
      "--prop"  = for (v in split_list(val))
                    a$tasks[[length(a$tasks) + 1]] <-
                      list(stat = sub("^--", "", opt), var = v),
      "--ratio" = for (v in split_list(val)) {
                    nd <- strsplit(v, "/", fixed = TRUE)[[1]]
                    if (length(nd) != 2) stop("bad --ratio ", v)
                    a$tasks[[length(a$tasks) + 1]] <-
                      list(stat = "ratio", var = v, num = nd[1], den = nd[2])
                  },
      stop("unknown option ", opt))
  }
  a
}

fml <- function(vars) {
  # ~A+B with back-quoted names (column names such as sch.wide are fine as
  # they are, but quoting keeps any name safe)
  as.formula(paste("~", paste0("`", vars, "`", collapse = "+")))
}

# Sort order of levels/domain values: numerically if every value is a number,
# else by C-locale (byte) string order.
order_values <- function(v) {
  num <- suppressWarnings(as.numeric(v))
  if (all(!is.na(num))) order(num) else order(v, method = "radix")
}
sort_values <- function(v) { v <- unique(v); v[order_values(v)] }

# ---------------------------------------------------------------------------
# One case
# ---------------------------------------------------------------------------

run_case <- function(args, datafile) {
  path <- file.path(data_dir, datafile)
  # Values as R computes with them ...
  dat <- read.csv(path, stringsAsFactors = FALSE, check.names = FALSE)
  # ... and the raw CSV text, used for level and domain labels ("race=1").
  txt <- read.csv(path, colClasses = "character", check.names = FALSE,
                  na.strings = character(0))
  is_missing <- function(col) is.na(dat[[col]]) | txt[[col]] == ""

  # survey.lonely.psu: R's default is "fail"
  options(survey.lonely.psu = if (is.null(args$lonely)) "fail" else args$lonely,
          survey.adjust.domain.lonely = FALSE)

  # Domain key: "B1=v1;B2=v2" from the CSV text, NA when any by value is
  # missing (such rows belong to no domain, as in svyby).  Using one combined
  # key column in svyby() is the same as ~B1+B2 (svyby forms the interaction).
  if (!is.null(args$by)) {
    parts <- lapply(args$by, function(b) paste0(b, "=", txt[[b]]))
    dom <- do.call(paste, c(parts, sep = ";"))
    miss <- Reduce(`|`, lapply(args$by, is_missing))
    dom[miss] <- NA
    dat$.domain <- dom
    # domains in order: by B1, then B2, ... each ordered by order_values()
    keys <- unique(txt[!miss, args$by, drop = FALSE])
    o <- do.call(order, lapply(args$by, function(b) {
      lv <- sort_values(keys[[b]]); match(keys[[b]], lv) }))
    keys <- keys[o, , drop = FALSE]
    domains <- do.call(paste, c(lapply(args$by, function(b)
      paste0(b, "=", keys[[b]])), sep = ";"))
  } else {
    domains <- character(0)
  }

  # 0/1 indicator columns for --prop (NA where the variable is missing)
  prop_levels <- list()
  for (tk in args$tasks) if (tk$stat == "prop") {
    v <- tk$var
    lv <- sort_values(txt[[v]][!is_missing(v)])
    prop_levels[[v]] <- lv
    for (k in seq_along(lv)) {
      ind <- as.numeric(txt[[v]] == lv[k])
      ind[is_missing(v)] <- NA
      dat[[paste0(".ind.", v, ".", k)]] <- ind
    }
  }

  # ---- the design --------------------------------------------------------
  # survstat samples a stage without an fpc column with replacement; R
  # needs an fpc for every stage, so those stages get a population of Inf.
  if (!is.null(args$fpc) && !is.null(args$ids) && length(args$fpc) < length(args$ids)) {
    for (s in (length(args$fpc) + 1):length(args$ids)) {
      dat[[paste0(".fpc.inf.", s)]] <- Inf
      args$fpc <- c(args$fpc, paste0(".fpc.inf.", s))
    }
  }
  design <- svydesign(
    ids     = if (is.null(args$ids)) ~1 else fml(args$ids),
    strata  = if (is.null(args$strata)) NULL else fml(args$strata),
    weights = if (is.null(args$weights)) NULL else fml(args$weights),
    fpc     = if (is.null(args$fpc)) NULL else fml(args$fpc),
    nest    = args$nest,
    data    = dat)

  # Degrees of freedom: whole design unless --df / --domain-df.
  DF <- if (!is.null(args$df)) args$df else degf(design)
  # per-domain df: PSUs minus strata among the rows of the domain where the
  # variable(s) are present
  domain_degf <- function(present, d) {
    idx <- present & (if (is.na(d)) TRUE else (!is.na(dat$.domain) & dat$.domain == d))
    degf(design[idx, ])
  }
  df_for <- function(present, d) {
    if (args$domain_df) domain_degf(present, d) else DF
  }
  count_n <- function(present, d) {
    if (is.na(d)) sum(present) else sum(present & !is.na(dat$.domain) & dat$.domain == d)
  }
  tq <- function(df) qt(1 - (1 - args$level) / 2, df)   # qt(., Inf) = qnorm

  rows <- list()
  add_row <- function(stat, var, level, domain, est, se, lo, hi, df, deff, n) {
    rows[[length(rows) + 1]] <<- data.frame(
      statistic = stat, variable = var, level = level,
      domain = if (is.na(domain)) "" else domain,
      estimate = est, se = se, ci_low = lo, ci_high = hi,
      df = if (is.finite(df)) df else NA_real_,
      deff = if (args$deff) deff else NA_real_,
      n = n, stringsAsFactors = FALSE)
  }
  # symmetric t interval for mean / total / ratio
  add_t_row <- function(stat, var, domain, est, se, deff, present) {
    df <- df_for(present, domain)
    h <- tq(df) * se
    add_row(stat, var, "", domain, est, se, est - h, est + h, df, deff,
            count_n(present, domain))
  }

  for (tk in args$tasks) {
    if (tk$stat %in% c("mean", "total")) {
      FUN <- if (tk$stat == "mean") svymean else svytotal
      present <- !is_missing(tk$var)
      if (is.null(args$by)) {
        r <- FUN(fml(tk$var), design, na.rm = TRUE, deff = TRUE)
        add_t_row(tk$stat, tk$var, NA, unname(coef(r)), unname(SE(r))[1],
                  unname(deff(r))[1], present)
      } else {
        r <- svyby(fml(tk$var), ~.domain, design, FUN, na.rm = TRUE,
                   deff = TRUE, keep.var = TRUE)
        j <- match(domains, as.character(r$.domain))
        for (k in seq_along(domains)) if (!is.na(j[k]))
          add_t_row(tk$stat, tk$var, domains[k], unname(coef(r))[j[k]],
                    SE(r)[j[k]], deff(r)[j[k]], present)
      }

    } else if (tk$stat == "ratio") {
      present <- !is_missing(tk$num) & !is_missing(tk$den)
      if (is.null(args$by)) {
        r <- svyratio(fml(tk$num), fml(tk$den), design, na.rm = TRUE)
        add_t_row("ratio", tk$var, NA, as.vector(coef(r)), as.vector(SE(r)),
                  NA_real_, present)
      } else {
        r <- svyby(fml(tk$num), ~.domain, design, svyratio,
                   denominator = fml(tk$den), na.rm = TRUE)
        j <- match(domains, as.character(r$.domain))
        for (k in seq_along(domains)) if (!is.na(j[k]))
          add_t_row("ratio", tk$var, domains[k], unname(coef(r))[j[k]],
                    as.vector(SE(r))[j[k]], NA_real_, present)
      }

    } else if (tk$stat == "prop") {
      v <- tk$var
      present <- !is_missing(v)
      # the design restricted to rows where V is not missing
      design_nm <- subset(design, present)
      lv <- prop_levels[[v]]
      for (k in seq_along(lv)) {
        ind <- fml(paste0(".ind.", v, ".", k))
        if (is.null(args$by)) {
          m  <- svymean(ind, design_nm, deff = TRUE)
          df <- df_for(present, NA)
          ci <- attr(svyciprop(ind, design_nm, method = "logit",
                               level = args$level, df = df), "ci")
          add_row("prop", v, lv[k], NA, unname(coef(m)), unname(SE(m))[1],
                  ci[[1]], ci[[2]], df, unname(deff(m))[1],
                  count_n(present, NA))
        } else {
          m <- svyby(ind, ~.domain, design_nm, svymean, deff = TRUE,
                     keep.var = TRUE)
          jm <- match(domains, as.character(m$.domain))
          if (!args$domain_df) {
            ci <- svyby(ind, ~.domain, design_nm, svyciprop, vartype = "ci",
                        method = "logit", level = args$level, df = DF)
            jc <- match(domains, as.character(ci$.domain))
          }
          for (d in seq_along(domains)) if (!is.na(jm[d])) {
            df <- df_for(present, domains[d])
            if (args$domain_df) {
              # a different df in every domain: svyciprop on the domain
              # subset (exactly what svyby does internally)
              sub <- subset(design_nm, !is.na(.domain) & .domain == domains[d])
              cc  <- attr(svyciprop(ind, sub, method = "logit",
                                    level = args$level, df = df), "ci")
              lo <- cc[[1]]; hi <- cc[[2]]
            } else {
              lo <- ci$ci_l[jc[d]]; hi <- ci$ci_u[jc[d]]
            }
            add_row("prop", v, lv[k], domains[d], unname(coef(m))[jm[d]],
                    SE(m)[jm[d]], lo, hi, df, deff(m)[jm[d]],
                    count_n(present, domains[d]))
          }
        }
      }
    }
  }
  do.call(rbind, rows)
}

# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------

csv_field <- function(s) {
  s[is.na(s)] <- ""
  q <- grepl("[\",\r\n]", s)
  s[q] <- paste0("\"", gsub("\"", "\"\"", s[q], fixed = TRUE), "\"")
  s
}
num_field <- function(x) ifelse(is.na(x), "", sprintf("%.17g", x))

write_expected <- function(res, file) {
  cols <- c("statistic", "variable", "level", "domain", "estimate", "se",
            "ci_low", "ci_high", "df", "deff", "n")
  out <- lapply(cols, function(cn) {
    x <- res[[cn]]
    if (is.numeric(x)) num_field(x) else csv_field(x)
  })
  lines <- c(paste(cols, collapse = ","), do.call(paste, c(out, sep = ",")))
  writeLines(lines, file, useBytes = TRUE)
}

# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

cases <- readLines(file.path(ref_dir, "cases.txt"), encoding = "UTF-8")
cases <- cases[!grepl("^[[:space:]]*(#|$)", cases)]
failed <- character(0)
for (line in cases) {
  f <- strsplit(line, "|", fixed = TRUE)[[1]]
  name <- trimws(f[1]); datafile <- trimws(f[2]); argstring <- trimws(f[3])
  out <- file.path(ref_dir, paste0(name, ".expected.csv"))
  warns <- character(0)
  res <- withCallingHandlers(
    tryCatch(run_case(parse_args(argstring), datafile),
             error = function(e) e),
    warning = function(w) {
      warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning")
    })
  if (inherits(res, "error")) {
    message(sprintf("FAILED  %-20s R error: %s", name, conditionMessage(res)))
    if (file.exists(out)) file.remove(out)
    failed <- c(failed, name)
    next
  }
  write_expected(res, out)
  cat(sprintf("ok      %-20s %3d rows -> %s\n", name, nrow(res), out))
  for (w in unique(warns)) cat(sprintf("        warning: %s\n", w))
}
if (length(failed)) {
  message("R could not compute: ", paste(failed, collapse = ", "))
  quit(status = 1)
}
