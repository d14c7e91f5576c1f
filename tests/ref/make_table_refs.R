#!/usr/bin/env Rscript
# Reference values for `survstat table`, computed with R's survey package.
#
# Run from the repository root:   Rscript tests/ref/make_table_refs.R
#
# Reads tests/ref/table_cases.txt (`name|datafile|arguments`; datafile under
# datasets/ or a path with a /) and writes tests/ref/NAME.table.expected.csv
# with the columns statistic,variable,level,domain,estimate,se,ci_low,
# ci_high,n,mark, one row per cell of the table (the total row: level empty;
# the total column: no COLVAR= in domain), as survstat table --format csv.
# Where survstat's row has no number (an empty domain) the cell is empty.
#
#   count     svytotal(~interaction(r, c)) on the design subset to the rows
#             where both are present (and the --by layer); margins by
#             svytotal(~r), svytotal(~c), and the table's total
#   pct       svymean of the column's indicator on the design subset to the
#             percentage's domain (svyby(~c, ~r, svymean) does just that),
#             the interval svyciprop(method = M, df = degf(design)) (beta:
#             the domain's own degf, as survstat estimate); at 0% or 100%
#             survstat's one-sided exact binomial bound, by hand (R's
#             svyciprop interval there is where its IRLS stopped)
#   mark      svyratio(~N1 + N2, ~D1 + D2, covmat = TRUE): the cell's and the
#             total's (or the reference column's) percentages as ratios of
#             totals with their joint covariance on the same design, then
#             svycontrast(N1/D1 - N2/D2); * where 2 pt(-|t|, degf) < 1 - level
#   test      svychisq(~r + c, subset(design, layer), statistic = "F"):
#             written to NAME.table.chisq.txt as "F df1 df2 p" with 4
#             significant digits, the way the text output prints it.

suppressPackageStartupMessages(library(survey))

ref_dir <- file.path("tests", "ref")

order_values <- function(v) {
  num <- suppressWarnings(as.numeric(v))
  if (all(!is.na(num))) order(num) else order(v, method = "radix")
}
sort_values <- function(v) { v <- unique(v); v[order_values(v)] }

parse_args <- function(s) {
  tok <- strsplit(trimws(s), "[[:space:]]+")[[1]]
  a <- list(level = 0.95, ci = "logit", percent = NULL, mark = NULL, nest = FALSE,
            lonely = "fail", na = character(0))
  i <- 1
  while (i <= length(tok)) {
    t <- tok[i]
    if (t == "--nest") { a$nest <- TRUE; i <- i + 1; next }
    v <- tok[i + 1]
    key <- sub("^--", "", t)
    if (key == "ids" || key == "fpc" || key == "by") v <- strsplit(v, ",")[[1]]
    if (key == "na") v <- strsplit(v, ",")[[1]]
    if (key == "level") v <- as.numeric(v)
    if (key == "ci-method") key <- "ci"
    if (key == "lonely-psu") key <- "lonely"
    a[[key]] <- v
    i <- i + 2
  }
  if (is.null(a$percent)) a$percent <- if (is.null(a$cols)) "col" else "row"
  a
}

# --mrset NAME=VARS: per item and column (and the Total column) the count
# svytotal(~y), the percent of cases svymean(~y) with svyciprop on the
# design subset to the cases of the column (rows with an item chosen), and
# the percent of responses svyratio(~y, ~responses) with a Wald interval.
run_mrset <- function(a, dat, txt, design, DF, miss) {
  parts <- strsplit(a$mrset, "=", fixed = TRUE)[[1]]
  name <- parts[1]; items <- strsplit(parts[2], ",")[[1]]
  ch <- sapply(items, function(v) !miss(v) & txt[[v]] != "0")
  cvar <- if (is.null(a$cols)) NULL else txt[[a$cols]]
  clev <- if (is.null(cvar)) character(0) else sort_values(cvar[!miss(a$cols)])
  case <- rowSums(ch) > 0 & (if (is.null(cvar)) TRUE else !miss(a$cols))
  design$variables$.nresp <- rowSums(ch)
  alpha <- 1 - a$level; tq <- qt(1 - alpha / 2, DF)
  rmethod <- switch(a$ci, wald = "mean", "korn-graubard" = "beta", a$ci)
  out <- list()
  add <- function(stat, item, dom, est, se, lo, hi, n)
    out[[length(out) + 1]] <<- data.frame(statistic = stat, variable = name, level = item,
      domain = dom, estimate = fmt(est), se = fmt(se), ci_low = fmt(lo), ci_high = fmt(hi),
      n = fmt(n), mark = "", stringsAsFactors = FALSE)
  js <- if (length(clev)) c(seq_along(clev), NA) else NA
  for (stat in c("count", "pct_cases", "pct_responses"))
    for (l in seq_along(items)) for (j in js) {
      inb <- case & (if (is.na(j)) TRUE else cvar == clev[j])
      dom <- if (is.na(j)) "" else paste0(a$cols, "=", clev[j])
      design$variables$.y <- as.numeric(ch[, l])
      sd <- subset(design, inb)
      if (stat == "count") {
        m <- svytotal(~.y, sd); e <- unname(coef(m)); se <- unname(SE(m))[1]
        add(stat, items[l], dom, e, se, e - tq * se, e + tq * se, sum(ch[inb, l]))
      } else if (stat == "pct_cases") {
        m <- svymean(~.y, sd); p <- unname(coef(m)); se <- unname(SE(m))[1]
        ci <- attr(svyciprop(~.y, sd, method = rmethod, level = a$level, df = DF), "ci")
        add(stat, items[l], dom, p, se, ci[[1]], ci[[2]], sum(inb))
      } else {
        r <- svyratio(~.y, ~.nresp, sd); p <- unname(coef(r)); se <- unname(SE(r))[1]
        add(stat, items[l], dom, p, se, p - tq * se, p + tq * se, sum(inb))
      }
    }
  do.call(rbind, out)
}

fmt <- function(x) ifelse(is.na(x), "", formatC(x, digits = 17, format = "g"))

run_case <- function(name, datafile, argstring) {
  a <- parse_args(argstring)
  path <- if (grepl("/", datafile)) datafile else file.path("datasets", datafile)
  dat <- read.csv(path, stringsAsFactors = FALSE, check.names = FALSE, encoding = "UTF-8")
  txt <- read.csv(path, colClasses = "character", check.names = FALSE,
                  na.strings = character(0), encoding = "UTF-8")
  miss <- function(v) txt[[v]] == "" | txt[[v]] == "NA" | txt[[v]] %in% a$na
  options(survey.lonely.psu = a$lonely, survey.adjust.domain.lonely = FALSE)
  fml <- function(v) as.formula(paste("~", paste0("`", v, "`", collapse = "+")))
  design <- svydesign(ids = if (is.null(a$ids)) ~1 else fml(a$ids),
                      strata = if (is.null(a$strata)) NULL else fml(a$strata),
                      fpc = if (is.null(a$fpc)) NULL else fml(a$fpc),
                      weights = if (is.null(a$weights)) NULL else fml(a$weights),
                      nest = a$nest, data = dat,
                      pps = if (identical(a$pps, "brewer")) "brewer" else FALSE)
  # --replicate jk1|jkn: R's as.svrepdesign (every estimate re-evaluated on
  # each replicate, svrVar)
  if (!is.null(a$replicate))
    design <- as.svrepdesign(design, type = switch(a$replicate, jk1 = "JK1", jkn = "JKn"))
  DF <- degf(design)
  if (!is.null(a$mrset)) {
    res <- run_mrset(a, dat, txt, design, DF, miss)
    write.csv(res, file.path(ref_dir, paste0(name, ".table.expected.csv")), row.names = FALSE,
              na = "", fileEncoding = "UTF-8")
    return(invisible())
  }
  level <- a$level
  alpha <- 1 - level
  rv <- txt[[a$rows]]
  cvar <- if (is.null(a$cols)) NULL else txt[[a$cols]]
  rlev <- sort_values(rv[!miss(a$rows)])
  clev <- if (is.null(cvar)) character(0) else sort_values(cvar[!miss(a$cols)])
  nr <- length(rlev); nc <- length(clev)
  rmethod <- switch(a$ci, wald = "mean", "korn-graubard" = "beta", a$ci)

  layers <- list(list(label = "", inl = rep(TRUE, nrow(dat))))
  if (!is.null(a$by)) {
    b <- a$by[1]
    lv <- sort_values(txt[[b]][!miss(b)])
    layers <- lapply(lv, function(l) list(label = paste0(b, "=", l),
                                          inl = !miss(b) & txt[[b]] == l))
  }
  out <- list()
  chisq <- character(0)
  add <- function(stat, level_, domain, est, se, lo, hi, n, mark = "") {
    out[[length(out) + 1]] <<- data.frame(statistic = stat, variable = a$rows, level = level_,
      domain = domain, estimate = fmt(est), se = fmt(se), ci_low = fmt(lo), ci_high = fmt(hi),
      n = fmt(n), mark = mark, stringsAsFactors = FALSE)
  }
  pname <- paste0("pct_", a$percent)
  for (L in layers) {
    present <- L$inl & !miss(a$rows) & (if (is.null(cvar)) TRUE else !miss(a$cols))
    # indicators of row level i (NA: all) and column level j (NA: all)
    ind <- function(i, j) as.numeric(present & (if (is.na(i)) TRUE else rv == rlev[i]) &
                                        (if (is.na(j)) TRUE else cvar == clev[j]))
    dom <- function(j) {
      if (is.na(j) || nc == 0) return(L$label)
      d <- paste0(a$cols, "=", clev[j])
      if (L$label == "") d else paste0(L$label, ";", d)
    }
    design$variables$.rf <- factor(ifelse(present, rv, NA), levels = rlev)
    if (nc > 0) design$variables$.cf <- factor(ifelse(present, cvar, NA), levels = clev)
    sub <- subset(design, present)
    js <- if (nc > 0) c(seq_len(nc), NA) else NA
    # counts: svytotal of the interaction, of the margins, of the whole
    tq <- qt(1 - alpha / 2, DF)
    if (nc > 0) {
      ti <- svytotal(~interaction(.rf, .cf, drop = FALSE), sub)
      tc <- svytotal(~.cf, sub)
    }
    tr <- svytotal(~.rf, sub)
    design$variables$.one <- as.numeric(present)
    tt <- svytotal(~.one, design)
    for (i in c(seq_len(nr), NA)) for (j in js) {
      if (!is.na(i) && !is.na(j)) { k <- i + nr * (j - 1); e <- coef(ti)[k]; s <- SE(ti)[k] }
      else if (!is.na(i)) { e <- coef(tr)[i]; s <- SE(tr)[i] }
      else if (!is.na(j)) { e <- coef(tc)[j]; s <- SE(tc)[j] }
      else { e <- coef(tt)[1]; s <- SE(tt)[1] }
      e <- unname(e); s <- unname(s)
      add("count", if (is.na(i)) "" else rlev[i], dom(j), e, s, e - tq * s, e + tq * s,
          sum(ind(i, j)))
    }
    # percentages: the domain of cell (i, j) and its numerator
    den <- function(i, j) switch(a$percent, row = c(i, NA), col = c(NA, j), cell = c(NA, NA))
    pct <- function(i, j) {
      dd <- den(i, j)
      dm <- ind(dd[1], dd[2]) == 1
      if (!any(dm)) return(NULL)
      y <- ind(i, j)
      if (identical(is.na(c(i, j)), is.na(dd)) && all(y == ind(dd[1], dd[2])))
        return(list(est = 1, se = 0, lo = 1, hi = 1, n = sum(dm)))
      design$variables$.y <- y
      sd <- subset(design, dm)
      m <- svymean(~.y, sd)
      p <- unname(coef(m)); se <- unname(SE(m))[1]; n <- sum(dm)
      if (p <= 1e-12 || p >= 1 - 1e-12) {
        u <- 1 - (alpha / 2)^(1 / n)
        lo <- if (p <= 0.5) 0 else 1 - u; hi <- if (p <= 0.5) u else 1
      } else {
        df <- if (rmethod == "beta") degf(design[which(dm), ]) else DF
        ci <- attr(svyciprop(~.y, sd, method = rmethod, level = level, df = df), "ci")
        lo <- ci[[1]]; hi <- ci[[2]]
      }
      list(est = p, se = se, lo = lo, hi = hi, n = n)
    }
    # the mark's test: two ratios with their joint covariance
    mark_of <- function(i, j, i2, j2) {
      d1 <- den(i, j); d2 <- den(i2, j2)
      design$variables$.n1 <- ind(i, j); design$variables$.d1 <- ind(d1[1], d1[2])
      design$variables$.n2 <- ind(i2, j2); design$variables$.d2 <- ind(d2[1], d2[2])
      if (sum(design$variables$.d1) == 0 || sum(design$variables$.d2) == 0) return("")
      r <- svyratio(~.n1 + .n2, ~.d1 + .d2, design, covmat = TRUE)
      cf <- coef(r)
      nm <- names(cf)
      w <- rep(0, length(cf))
      w[nm == ".n1/.d1"] <- 1
      w[nm == ".n2/.d2"] <- -1
      ct <- svycontrast(r, w)
      est <- unname(coef(ct)); se <- unname(SE(ct))
      pv <- if (se > 0) 2 * pt(-abs(est / se), DF) else if (est != 0) 0 else 1
      if (pv < alpha) "*" else ""
    }
    ref <- if (!is.null(a$mark) && a$mark != "total") match(a$mark, clev) else NA
    for (i in c(seq_len(nr), NA)) for (j in js) {
      r <- pct(i, j)
      mk <- ""
      if (!is.null(a$mark) && !is.na(i) && !is.na(j)) {
        if (a$mark == "total" && a$percent == "row") mk <- mark_of(i, j, NA, j)
        else if (a$mark == "total" && a$percent == "col") mk <- mark_of(i, j, i, NA)
        else if (a$mark != "total" && j != ref) mk <- mark_of(i, j, i, ref)
      }
      if (is.null(r))
        add(pname, if (is.na(i)) "" else rlev[i], dom(j), NA, NA, NA, NA, 0, mk)
      else
        add(pname, if (is.na(i)) "" else rlev[i], dom(j), r$est, r$se, r$lo, r$hi, r$n, mk)
    }
    if (nc > 0) {
      design$variables$.rf <- factor(ifelse(L$inl & !miss(a$rows), rv, NA))
      design$variables$.cf <- factor(ifelse(L$inl & !miss(a$cols), cvar, NA))
      ld <- subset(design, L$inl)
      x <- tryCatch(svychisq(~.rf + .cf, ld, statistic = "F"), error = function(e) NULL)
      # svychisq's denominator df is d0 degf(design); on a subset R counts
      # the layer's PSUs, survstat keeps the whole design's (as for --by
      # and --subset everywhere, CLI.md): d0 DF, and p from it.
      if (!is.null(x)) {
        df2 <- unname(x$parameter[2]) / degf(ld) * DF
        pv <- pf(unname(x$statistic), unname(x$parameter[1]), df2, lower.tail = FALSE)
      }
      chisq <- c(chisq, if (is.null(x)) "NA" else
                 sprintf("%.4g %.4g %.4g %.4g", unname(x$statistic),
                         unname(x$parameter[1]), df2, pv))
    }
  }
  res <- do.call(rbind, out)
  write.csv(res, file.path(ref_dir, paste0(name, ".table.expected.csv")), row.names = FALSE,
            na = "", fileEncoding = "UTF-8")
  if (length(chisq))
    writeLines(chisq, file.path(ref_dir, paste0(name, ".table.chisq.txt")))
}

lines <- readLines(file.path(ref_dir, "table_cases.txt"), encoding = "UTF-8")
only <- commandArgs(TRUE)
for (ln in lines) {
  if (ln == "" || startsWith(ln, "#")) next
  if (length(only) && !(strsplit(ln, "|", fixed = TRUE)[[1]][1] %in% only)) next
  f <- strsplit(ln, "|", fixed = TRUE)[[1]]
  cat(f[1], "\n")
  run_case(f[1], f[2], f[3])
}
