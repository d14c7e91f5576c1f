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
source(file.path(ref_dir, "weighting.R"))
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
            ci_method = "logit", flags = FALSE, compare = FALSE,
            poststrat = NULL, rake = NULL, calibrate = NULL, calfun = "linear",
            bounds = c(-Inf, Inf), trim = NULL, maxit = 50, epsilon = 1e-7,
            probs = c(0.25, 0.5, 0.75), qrule = "math",
            outcome = NULL, items = NULL, performance = "mean", scale = NULL,
            na = character(0),
            tasks = list())          # estimates, in command-line order
  with_value <- c("--weights", "--strata", "--ids", "--fpc", "--lonely-psu",
                  "--mean", "--total", "--ratio", "--prop", "--by",
                  "--level", "--df", "--ci-method", "--flags",
                  "--poststrat", "--rake", "--calibrate", "--calfun", "--bounds",
                  "--trim-weights", "--max-iter", "--epsilon",
                  "--quantile", "--probs", "--qrule",
                  "--outcome", "--items", "--performance", "--scale", "--na",
                  "--t2b", "--b2b", "--net", "--index")
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
      "--ci-method"  = a$ci_method <- val,
      "--flags"      = a$flags   <- (val == "nchs"),
      "--compare"    = a$compare <- TRUE,
      "--poststrat"  = a$poststrat <- val,
      "--rake"       = a$rake    <- val,
      "--calibrate"  = a$calibrate <- val,
      "--calfun"     = a$calfun  <- val,
      "--bounds"     = a$bounds  <- as.numeric(split_list(val)),
      "--trim-weights" = a$trim  <- as.numeric(split_list(val)),
      "--max-iter"   = a$maxit   <- as.numeric(val),
      "--epsilon"    = a$epsilon <- as.numeric(val),
      "--outcome"    = a$outcome <- val,
      "--items"      = a$items   <- split_list(val),
      "--performance" = a$performance <- val,
      "--scale"      = a$scale   <- as.numeric(strsplit(val, ":", fixed = TRUE)[[1]]),
      "--na"         = a$na      <- split_list(val),
      "--probs"      = a$probs   <- as.numeric(split_list(val)),
      "--qrule"      = a$qrule   <- val,
      "--quantile"   = for (v in split_list(val))
                         a$tasks[[length(a$tasks) + 1]] <- list(stat = "quantile", var = v),
      "--mean"  = ,
      "--total" = ,
      "--prop"  = for (v in split_list(val))
                    # --total 'factor(X)': X's codes as levels, svytotal(~factor(X))
                    a$tasks[[length(a$tasks) + 1]] <-
                      list(stat = sub("^--", "", opt), var = sub("^factor\\((.*)\\)$", "\\1", v),
                           factor = grepl("^factor\\(.*\\)$", v)),
      # satisfaction measures: the design-based mean of a per-respondent
      # score (computed in run_case); t2b and b2b are proportions
      "--t2b" = ,
      "--b2b" = ,
      "--net" = for (v in split_list(val))
                  a$tasks[[length(a$tasks) + 1]] <-
                    list(stat = sub("^--", "", opt), var = v, items = v),
      "--index" = {
                  nv <- strsplit(val, "=", fixed = TRUE)[[1]]
                  a$tasks[[length(a$tasks) + 1]] <-
                    list(stat = "index", var = nv[1], items = split_list(nv[2]))
                },
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

run_case <- function(args, datafile, weights_only = FALSE) {
  path <- file.path(data_dir, datafile)
  # Values as R computes with them ...
  dat <- read.csv(path, stringsAsFactors = FALSE, check.names = FALSE,
                  encoding = "UTF-8")
  # ... and the raw CSV text, used for level and domain labels ("race=1").
  txt <- read.csv(path, colClasses = "character", check.names = FALSE,
                  na.strings = character(0), encoding = "UTF-8")
  # --na codes are missing too
  for (col in names(dat)) if (length(args$na)) {
    na_rows <- txt[[col]] %in% args$na
    if (any(na_rows)) dat[[col]][na_rows] <- NA
  }
  is_missing <- function(col) is.na(dat[[col]]) | txt[[col]] == "" | txt[[col]] %in% args$na
  # --subset EXPR (make_subset_refs.R sets args$subset): R's condition on
  # the data; a row where it is NA is outside, as subset() drops it.  Every
  # analysis variable is then missing outside: the estimators' na.rm = TRUE
  # subsets the design to the rows present, the same [.survey.design2 call
  # as subset() (make_subset_refs.R checks that the two agree).  The
  # weighting sees every row (R calibrates before subsetting).
  keep <- rep(TRUE, nrow(dat))
  if (!is.null(args$subset)) {
    keep <- eval(parse(text = args$subset), dat)
    keep <- keep & !is.na(keep)
  }
  weigh_missing <- is_missing
  is_missing <- function(col) weigh_missing(col) | !keep
  if (!is.null(args$subset)) args$keep <- keep

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
  # (and for --total of a categorical column: the total of each level)
  for (tk in args$tasks) if (tk$stat == "prop" ||
                             (tk$stat == "total" && (isTRUE(tk$factor) || !is.numeric(dat[[tk$var]])))) {
    v <- tk$var
    lv <- sort_values(txt[[v]][!is_missing(v)])
    prop_levels[[v]] <- lv
    for (k in seq_along(lv)) {
      ind <- as.numeric(txt[[v]] == lv[k])
      ind[is_missing(v)] <- NA
      dat[[paste0(".ind.", v, ".", k)]] <- ind
    }
  }

  # Satisfaction scores on --scale LOW:HIGH (HIGH the satisfied end), one
  # column per task (NA when unanswered): t2b 1 in the top two codes, b2b
  # in the bottom two, net t2b - b2b, index the mean over the answered items
  # of 100 (x - LOW) / (HIGH - LOW).  The task then reads that column.
  for (k in seq_along(args$tasks)) {
    tk <- args$tasks[[k]]
    if (!(tk$stat %in% c("t2b", "b2b", "net", "index"))) next
    lo <- args$scale[1]; hi <- args$scale[2]; dir <- sign(hi - lo)
    X <- sapply(tk$items, function(v) ifelse(is_missing(v), NA_real_, dat[[v]]))
    X <- matrix(X, nrow = nrow(dat))
    top <- ((hi - X) * dir <= 1) + 0; bottom <- ((X - lo) * dir <= 1) + 0
    score <- switch(tk$stat, t2b = top[, 1], b2b = bottom[, 1],
                    net = top[, 1] - bottom[, 1],
                    index = rowMeans(100 * (X - lo) / (hi - lo), na.rm = TRUE))
    score[is.nan(score)] <- NA
    col <- paste0(".score.", k)
    dat[[col]] <- score
    txt[[col]] <- ifelse(is.na(score), "", "x")
    args$tasks[[k]]$col <- col
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

  design <- apply_weighting(design, args, txt, weigh_missing, sort_values)
  if (!is.null(args$subset))
    for (v in names(design$variables)) design$variables[[v]][!keep] <- NA

  if (weights_only) return(weights(design))
  if (!is.null(args$outcome)) return(drivers_rows(args, design, dat, txt, is_missing))

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
  add_row <- function(stat, var, level, domain, est, se, lo, hi, df, deff, n,
                      flag = "", t = NA_real_, p = NA_real_, p_holm = NA_real_) {
    r <- data.frame(
      statistic = stat, variable = var, level = level,
      domain = if (is.na(domain)) "" else domain,
      estimate = est, se = se, ci_low = lo, ci_high = hi,
      df = if (is.finite(df)) df else NA_real_,
      deff = if (args$deff) deff else NA_real_,
      n = n, stringsAsFactors = FALSE)
    # --flags nchs adds the flag column, --compare the test columns
    if (args$flags) r$flag <- flag
    if (args$compare) { r$t <- t; r$p_value <- p; r$p_holm <- p_holm }
    rows[[length(rows) + 1]] <<- r
  }
  # --flags nchs, written from the NCHS 2017 standard independently of the
  # C code: R on a mean/total/ratio with a relative SE over 30%; for a
  # proportion the Korn-Graubard interval on n_eff = p(1-p)/Var capped at
  # n, times (t_{n-1}/t_df)^2, with the domain's n and df.
  rse_flag <- function(est, se) if (args$flags && se / abs(est) > 0.30) "R" else ""
  nchs_flag <- function(p, se, n, df) {
    # svymean's sum of w x / sum(w) can miss 0 or 1 by an ulp
    if (abs(p) < 1e-12) p <- 0
    if (abs(p - 1) < 1e-12) p <- 1
    v <- se^2
    ne <- if (p > 0 && p < 1 && v > 0) p * (1 - p) / v else n
    # a domain without df (one PSU) has n* = 0: the interval [0, 1]
    ne <- if (df >= 1 && n >= 2) min(ne, n) * (qt(0.025, n - 1) / qt(0.025, df))^2 else 0
    lo <- if (p <= 0) 0 else qbeta(0.025, ne * p, ne * (1 - p) + 1)
    hi <- if (p >= 1) 1 else qbeta(0.975, ne * p + 1, ne * (1 - p))
    W <- hi - lo
    zero <- p <= 0 || p >= 1
    n_eff <- if (p > 0 && p < 1 && v > 0) min(p * (1 - p) / v, n) else n
    px <- if (zero) n_eff < 30 || W >= 0.30
          else n_eff < 30 || (W > 0.05 && (W >= 0.30 || W / p > 1.30))
    pc <- !px && !zero && W / (1 - p) > 1.30
    f <- c(if (px) "Px", if (pc) "Pc", if (!(df >= 8)) "Pdf", if (zero) "P0")
    paste(f, collapse = " ")
  }
  # --compare: every pair i < j of the domains of one svyby result (with
  # covmat = TRUE): the difference, its SE from vcov, t, two-sided p on the
  # design df, Holm over the pairs.  cols: which coefficients of r.
  add_contrasts <- function(stat, var, level, r, cols, present) {
    if (!args$compare) return(invisible())
    V <- vcov(r)
    est <- coef(r)
    doms <- as.character(r$.domain)
    ord <- match(domains, doms)
    ord <- ord[!is.na(ord)]
    out <- list()
    for (a in seq_along(ord)) for (b in seq_along(ord)) if (a < b) {
      i <- cols[ord[a]]; j <- cols[ord[b]]
      d <- unname(est[i] - est[j])
      se <- sqrt(V[i, i] + V[j, j] - 2 * V[i, j])
      tt <- d / se
      out[[length(out) + 1]] <- list(
        label = paste(doms[ord[a]], "-", doms[ord[b]]), d = d, se = se, t = tt,
        p = 2 * pt(-abs(tt), DF),
        n = count_n(present, doms[ord[a]]) + count_n(present, doms[ord[b]]))
    }
    if (!length(out)) return(invisible())
    ph <- p.adjust(sapply(out, `[[`, "p"), "holm")
    for (k in seq_along(out)) {
      o <- out[[k]]
      h <- tq(DF) * o$se
      add_row(stat, var, level, o$label, o$d, o$se, o$d - h, o$d + h, DF,
              NA_real_, o$n, t = o$t, p = o$p, p_holm = ph[k])
    }
  }
  # symmetric t interval for mean / total / ratio
  add_t_row <- function(stat, var, domain, est, se, deff, present) {
    df <- df_for(present, domain)
    h <- tq(df) * se
    add_row(stat, var, "", domain, est, se, est - h, est + h, df, deff,
            count_n(present, domain), flag = rse_flag(est, se))
  }

  for (tk in args$tasks) {
    if (tk$stat == "total" && (isTRUE(tk$factor) || !is.numeric(dat[[tk$var]]))) {
      # svytotal(~factor(VAR)): the total of each level's indicator
      present <- !is_missing(tk$var)
      for (k in seq_along(prop_levels[[tk$var]])) {
        ind <- fml(paste0(".ind.", tk$var, ".", k))
        lab <- prop_levels[[tk$var]][k]
        level_row <- function(domain, est, se, deff) {
          df <- df_for(present, domain)
          h <- tq(df) * se
          add_row("total", tk$var, lab, domain, est, se, est - h, est + h, df, deff,
                  count_n(present, domain), flag = rse_flag(est, se))
        }
        if (is.null(args$by)) {
          r <- svytotal(ind, design, na.rm = TRUE, deff = TRUE)
          level_row(NA, unname(coef(r)), unname(SE(r))[1], unname(deff(r))[1])
        } else {
          r <- svyby(ind, ~.domain, design, svytotal, na.rm = TRUE, deff = TRUE,
                     keep.var = TRUE)
          j <- match(domains, as.character(r$.domain))
          for (q in seq_along(domains)) if (!is.na(j[q]))
            level_row(domains[q], unname(coef(r))[j[q]], SE(r)[j[q]], deff(r)[j[q]])
        }
      }
    } else if (tk$stat %in% c("mean", "total", "net", "index")) {
      FUN <- if (tk$stat == "total") svytotal else svymean
      col <- if (is.null(tk$col)) tk$var else tk$col
      present <- !is_missing(col)
      if (is.null(args$by)) {
        r <- FUN(fml(col), design, na.rm = TRUE, deff = TRUE)
        add_t_row(tk$stat, tk$var, NA, unname(coef(r)), unname(SE(r))[1],
                  unname(deff(r))[1], present)
      } else {
        # (svyby's covmat fails with na.rm on missing values, so --compare
        # first subsets the design to the answered rows: the same domains)
        r <- svyby(fml(col), ~.domain,
                   if (args$compare) subset(design, present) else design, FUN,
                   na.rm = TRUE, deff = TRUE, keep.var = TRUE,
                   covmat = args$compare)
        j <- match(domains, as.character(r$.domain))
        for (k in seq_along(domains)) if (!is.na(j[k]))
          add_t_row(tk$stat, tk$var, domains[k], unname(coef(r))[j[k]],
                    SE(r)[j[k]], deff(r)[j[k]], present)
        add_contrasts(tk$stat, tk$var, "", r, seq_along(coef(r)), present)
      }

    } else if (tk$stat == "ratio") {
      present <- !is_missing(tk$num) & !is_missing(tk$den)
      if (is.null(args$by)) {
        r <- svyratio(fml(tk$num), fml(tk$den), design, na.rm = TRUE)
        add_t_row("ratio", tk$var, NA, as.vector(coef(r)), as.vector(SE(r)),
                  NA_real_, present)
      } else {
        r <- svyby(fml(tk$num), ~.domain, design, svyratio,
                   denominator = fml(tk$den), na.rm = TRUE,
                   covmat = args$compare)
        j <- match(domains, as.character(r$.domain))
        for (k in seq_along(domains)) if (!is.na(j[k]))
          add_t_row("ratio", tk$var, domains[k], unname(coef(r))[j[k]],
                    as.vector(SE(r))[j[k]], NA_real_, present)
        add_contrasts("ratio", tk$var, "", r, seq_along(coef(r)), present)
      }

    } else if (tk$stat %in% c("prop", "t2b", "b2b")) {
      # t2b and b2b: one "level" (empty), the score column its indicator
      measure <- tk$stat != "prop"
      v <- if (measure) tk$col else tk$var
      present <- !is_missing(v)
      # the design restricted to rows where V is not missing
      design_nm <- subset(design, present)
      lv <- if (measure) "" else prop_levels[[v]]
      # --ci-method: R's svyciprop method, or the Wilson score interval on
      # n_eff = p(1-p)/Var with the t quantile (not in R; its formula)
      rmethod <- switch(args$ci_method, wald = "mean", "korn-graubard" = "beta",
                        args$ci_method)
      prop_ci <- function(ind, des, df) {
        if (rmethod == "wilson") {
          m <- svymean(ind, des, na.rm = !is.null(args$subset))
          p <- unname(coef(m)); n <- p * (1 - p) / unname(vcov(m))[1]
          z <- qt(1 - (1 - args$level) / 2, df)
          cc <- (p + z^2 / (2 * n)) / (1 + z^2 / n)
          h <- z / (1 + z^2 / n) * sqrt(p * (1 - p) / n + z^2 / (4 * n^2))
          return(c(cc - h, cc + h))
        }
        ci <- attr(if (is.null(args$subset))
                     svyciprop(ind, des, method = rmethod, level = args$level, df = df)
                   else svyciprop(ind, des, method = rmethod, level = args$level, df = df,
                                  na.rm = TRUE), "ci")
        c(ci[[1]], ci[[2]])
      }
      # (under --subset, design_nm of a calibrated design keeps the rows
      # outside with weight zero and NA values: na.rm drops them)
      # svyciprop "beta" takes its df from the (domain) design itself
      ci_df <- function(d) if (rmethod == "beta" && is.null(args$df))
        domain_degf(present, d) else df_for(present, d)
      for (k in seq_along(lv)) {
        ind <- fml(if (measure) v else paste0(".ind.", v, ".", k))
        if (is.null(args$by)) {
          m  <- svymean(ind, design_nm, deff = TRUE, na.rm = !is.null(args$subset))
          df <- ci_df(NA)
          ci <- prop_ci(ind, design_nm, df_for(present, NA))
          add_row(tk$stat, tk$var, lv[k], NA, unname(coef(m)), unname(SE(m))[1],
                  ci[1], ci[2], df, unname(deff(m))[1],
                  count_n(present, NA),
                  flag = nchs_flag(unname(coef(m)), unname(SE(m))[1],
                                   count_n(present, NA), domain_degf(present, NA)))
        } else {
          m <- svyby(ind, ~.domain, design_nm, svymean, deff = TRUE, na.rm = !is.null(args$subset),
                     keep.var = TRUE, covmat = args$compare)
          jm <- match(domains, as.character(m$.domain))
          if (!args$domain_df && rmethod == "logit") {
            ci <- if (is.null(args$subset))
                    svyby(ind, ~.domain, design_nm, svyciprop, vartype = "ci",
                          method = "logit", level = args$level, df = DF)
                  else svyby(ind, ~.domain, design_nm, svyciprop, vartype = "ci",
                             method = "logit", level = args$level, df = DF, na.rm = TRUE)
            jc <- match(domains, as.character(ci$.domain))
          }
          for (d in seq_along(domains)) if (!is.na(jm[d])) {
            df <- ci_df(domains[d])
            if (args$domain_df || rmethod != "logit") {
              # svyciprop on the domain subset (exactly what svyby does
              # internally), with the domain's df where asked
              sub <- subset(design_nm, !is.na(.domain) & .domain == domains[d])
              cc  <- prop_ci(ind, sub, df_for(present, domains[d]))
              lo <- cc[1]; hi <- cc[2]
            } else {
              lo <- ci$ci_l[jc[d]]; hi <- ci$ci_u[jc[d]]
            }
            est <- unname(coef(m))[jm[d]]; se <- SE(m)[jm[d]]
            add_row(tk$stat, tk$var, lv[k], domains[d], est, se, lo, hi, df,
                    deff(m)[jm[d]], count_n(present, domains[d]),
                    flag = nchs_flag(est, se, count_n(present, domains[d]),
                                     domain_degf(present, domains[d])))
          }
          add_contrasts(tk$stat, tk$var, lv[k], m, seq_along(coef(m)), present)
        }
      }

    } else if (tk$stat == "quantile") {
      # svyquantile (interval.type "mean": Woodruff) with survstat's df
      # passed explicitly: R's default df = degf(design) would be the df of
      # the rows left after na.rm and, under svyby, of the domain alone.
      # A domain is svyquantile on its subset, which is what svyby does.
      v <- tk$var
      present <- !is_missing(v)
      quantile_rows <- function(des, domain) {
        df <- df_for(present, domain)
        n <- count_n(present, domain)
        lab <- vapply(args$probs, format, "", digits = 15)
        if (n == 0) {  # a domain without answers: R would stop, survstat gives NaN
          for (k in seq_along(args$probs))
            add_row("quantile", v, lab[k], domain, NA_real_, NA_real_, NA_real_,
                    NA_real_, NA_real_, NA_real_, 0)
          return(invisible())
        }
        # columns: quantile, lower, upper, se (by position: hf4 names them oddly)
        r <- svyquantile(fml(v), des, quantiles = args$probs, alpha = 1 - args$level,
                         qrule = args$qrule, df = df, na.rm = TRUE, ci = TRUE)[[1]]
        for (k in seq_along(args$probs))
          add_row("quantile", v, lab[k], domain, r[k, 1], r[k, 4],
                  r[k, 2], r[k, 3], df, NA_real_, n)
      }
      if (is.null(args$by)) {
        quantile_rows(design, NA)
      } else {
        for (d in domains)
          quantile_rows(subset(design, !is.na(.domain) & .domain == d), d)
      }
    }
  }
  do.call(rbind, rows)
}

# ---------------------------------------------------------------------------
# survstat drivers: svyglm of the outcome on the items (complete cases), the
# weighted correlations (cov.wt), and the items' design-based means or t2b.
# ---------------------------------------------------------------------------

drivers_rows <- function(args, design, dat, txt, is_missing) {
  vars <- c(args$outcome, args$items)
  cc <- Reduce(`&`, lapply(vars, function(v) !is_missing(v)))
  f <- as.formula(paste0("`", args$outcome, "` ~ ", paste0("`", args$items, "`", collapse = "+")))
  # A replicate design is fitted whole: svyglm drops the incomplete rows
  # itself (na.action), after counting degf (svyglm.svyrep.design).
  # (--subset on a replicate design: svyglm on subset(design, EXPR), whose
  # degf is counted on the subset's rows)
  m <- if (inherits(design, "svyrep.design"))
         svyglm(f, if (is.null(args$keep)) design else subset(design, args$keep))
       else svyglm(f, subset(design, cc))
  ci <- confint(m)
  b <- coef(m); se <- SE(m)
  rows <- data.frame(statistic = c("coef", rep("importance", length(args$items))),
                     variable = c("(Intercept)", args$items), level = "", domain = "",
                     estimate = unname(b), se = unname(se), ci_low = unname(ci[, 1]),
                     ci_high = unname(ci[, 2]), df = m$df.residual, n = sum(cc),
                     stringsAsFactors = FALSE)
  w <- weights(design, "sampling")[cc]
  for (v in args$items) {
    r <- cov.wt(cbind(dat[[v]][cc], dat[[args$outcome]][cc]), wt = w / sum(w),
                cor = TRUE)$cor[1, 2]
    rows <- rbind(rows, data.frame(statistic = "correlation", variable = v, level = "",
                                   domain = "", estimate = r, se = NA, ci_low = NA,
                                   ci_high = NA, df = NA, n = sum(cc)))
  }
  DF <- degf(design)
  for (v in args$items) {
    present <- !is_missing(v)
    if (args$performance == "t2b") {
      lo <- args$scale[1]; hi <- args$scale[2]; dir <- sign(hi - lo)
      design$variables$.t2b <- as.numeric((hi - dat[[v]]) * dir <= 1)
      sub <- subset(design, present)
      p <- svymean(~.t2b, sub)
      ci <- attr(svyciprop(~.t2b, sub, method = "logit", df = DF), "ci")
      lo_ci <- ci[[1]]; hi_ci <- ci[[2]]
    } else {
      p <- svymean(fml(v), design, na.rm = TRUE)
      h <- qt(0.975, DF) * SE(p)
      lo_ci <- coef(p) - h; hi_ci <- coef(p) + h
    }
    rows <- rbind(rows, data.frame(statistic = "performance", variable = v,
                                   level = args$performance, domain = "",
                                   estimate = unname(coef(p)), se = unname(SE(p))[1],
                                   ci_low = unname(lo_ci), ci_high = unname(hi_ci), df = DF,
                                   n = sum(present)))
  }
  imp <- rows$estimate[rows$statistic == "importance"]
  perf <- rows$estimate[rows$statistic == "performance"]
  q <- ifelse(imp >= mean(imp), ifelse(perf >= mean(perf), "keep up", "concentrate here"),
              ifelse(perf >= mean(perf), "possible overkill", "low priority"))
  rows$quadrant <- ""
  rows$quadrant[rows$statistic == "importance"] <- q
  rows$quadrant[rows$statistic == "performance"] <- q
  rows
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
  cols <- c(cols, intersect(c("flag", "t", "p_value", "p_holm", "quadrant"), names(res)))
  cols <- intersect(cols, names(res))
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

nrows <- function(res) sprintf("%3d rows ", nrow(res))
failed <- for_each_case(file.path(ref_dir, "cases.txt"),
                        function(name) file.path(ref_dir, paste0(name, ".expected.csv")),
                        function(argstring, datafile) run_case(parse_args(argstring), datafile),
                        write_expected, nrows, warnings = "list")
# survstat drivers cases (tests/ref/drivers_cases.txt).
failed <- c(failed, for_each_case(
  file.path(ref_dir, "drivers_cases.txt"),
  function(name) file.path(ref_dir, paste0(name, ".drivers.expected.csv")),
  function(argstring, datafile) run_case(parse_args(argstring), datafile),
  write_expected, nrows))

# The weights after the weighting options (tests/ref/weight_cases.txt).
failed <- c(failed, for_each_case(
  file.path(ref_dir, "weight_cases.txt"),
  function(name) file.path(ref_dir, paste0(name, ".weights.csv")),
  function(argstring, datafile) run_case(parse_args(argstring), datafile, weights_only = TRUE),
  function(w, out) writeLines(c("weight", num_field(unname(w))), out),
  function(w) sprintf("%3d weights ", length(w))))

if (length(failed)) {
  message("R could not compute: ", paste(failed, collapse = ", "))
  quit(status = 1)
}

# ---------------------------------------------------------------------------
# survstat trend: the change between the waves of tests/data/wave_*.csv
# (written by survstat estimate --wave), computed here with R's pt and
# p.adjust: consecutive waves, and every wave against --base 2009.
# ---------------------------------------------------------------------------
trend_ref <- function(files, base = NULL) {
  w <- lapply(files, function(f) read.csv(f, colClasses = "character"))
  labels <- sapply(w, function(x) x$wave[1])
  o <- order(as.numeric(labels)); w <- w[o]; labels <- labels[o]
  key <- function(x) paste(x$statistic, x$variable, x$level, x$domain, sep = "\r")
  pairs <- if (is.null(base)) lapply(seq_along(w)[-1], function(k) c(k - 1, k)) else {
    b <- match(base, labels)
    lapply(setdiff(seq_along(w), b), function(k) if (k < b) c(k, b) else c(b, k))
  }
  rows <- list()
  for (pr in pairs) {
    a <- w[[pr[1]]]; b <- w[[pr[2]]]
    ka <- key(a); kb <- key(b)
    for (k in union(ka, kb)) {
      x <- a[match(k, ka), ]; y <- b[match(k, kb), ]
      src <- if (k %in% ka) x else y
      r <- data.frame(statistic = src$statistic, variable = src$variable,
                      level = src$level, domain = src$domain, estimate = NA, se = NA,
                      ci_low = NA, ci_high = NA, df = NA, n = NA, t = NA, p_value = NA,
                      flag = "", stringsAsFactors = FALSE)
      if (!(k %in% ka)) r$flag <- paste("missing in", labels[pr[1]])
      else if (!(k %in% kb)) r$flag <- paste("missing in", labels[pr[2]])
      else {
        v1 <- as.numeric(x$se)^2; v2 <- as.numeric(y$se)^2
        d1 <- as.numeric(x$df); d2 <- as.numeric(y$df)
        df <- (v1 + v2)^2 / (v1^2 / d1 + v2^2 / d2)
        r$estimate <- as.numeric(y$estimate) - as.numeric(x$estimate)
        r$se <- sqrt(v1 + v2); r$df <- df
        r$ci_low <- r$estimate - qt(0.975, df) * r$se
        r$ci_high <- r$estimate + qt(0.975, df) * r$se
        r$n <- as.numeric(x$n) + as.numeric(y$n)
        r$t <- r$estimate / r$se
        r$p_value <- 2 * pt(-abs(r$t), df)
      }
      rows[[length(rows) + 1]] <- r
    }
  }
  res <- do.call(rbind, rows)
  res$p_holm <- NA
  ok <- !is.na(res$p_value)
  res$p_holm[ok] <- p.adjust(res$p_value[ok], "holm")
  res
}
tfiles <- file.path("tests", "data", c("wave_2008.csv", "wave_2009.csv", "wave_2010.csv"))
write_trend <- function(res, file) {
  cols <- c("statistic", "variable", "level", "domain", "estimate", "se", "ci_low",
            "ci_high", "df", "n", "t", "p_value", "p_holm", "flag")
  out <- lapply(cols, function(cn) {
    x <- res[[cn]]
    if (is.numeric(x) || all(is.na(x))) num_field(as.numeric(x)) else csv_field(x)
  })
  writeLines(c(paste(cols, collapse = ","), do.call(paste, c(out, sep = ","))), file,
             useBytes = TRUE)
}
write_trend(trend_ref(tfiles[1:2]), file.path(ref_dir, "trend_2008_2009.expected.csv"))
write_trend(trend_ref(tfiles[2:3]), file.path(ref_dir, "trend_2009_2010.expected.csv"))
cat("ok      trend references\n")
