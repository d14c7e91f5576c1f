# Weighting of a reference design, shared by make_refs.R and make_test_refs.R:
# post-stratification, then calibration (--rake or --calibrate), then
# trimming, as survstat applies them.  txt holds the columns as text,
# is_missing(col) the missing rows, sort_values survstat's level order.
apply_weighting <- function(design, args, txt, is_missing, sort_values) {
  fml <- function(vars) as.formula(paste("~", paste0("`", vars, "`", collapse = "+")))
  if (!is.null(args$poststrat)) {
    cells <- read.csv(args$poststrat, colClasses = "character", check.names = FALSE)
    vars <- setdiff(names(cells), "total")
    pop <- data.frame(lapply(vars, function(v) cells[[v]]), stringsAsFactors = FALSE)
    names(pop) <- paste0(".ps.", vars)
    pop$Freq <- as.numeric(cells$total)
    for (v in vars) design$variables[[paste0(".ps.", v)]] <- txt[[v]]
    design <- postStratify(design, fml(paste0(".ps.", vars)), pop)
  }
  mfile <- if (!is.null(args$rake)) args$rake else args$calibrate
  if (!is.null(mfile)) {
    mg <- read.csv(mfile, colClasses = "character", check.names = FALSE)
    vars <- unique(mg$variable)
    terms <- character(0); pop <- numeric(0); N <- NA
    for (v in vars) {
      rows <- mg[mg$variable == v, ]
      if (all(rows$level == "")) {       # a numeric total
        terms <- c(terms, v); pop <- c(pop, as.numeric(rows$total))
      } else {                           # a factor, levels in survstat's order
        lv <- sort_values(txt[[v]][!is_missing(v)])
        nm <- paste0(".cal.", v)
        design$variables[[nm]] <- factor(txt[[v]], levels = lv)
        terms <- c(terms, nm)
        tot <- as.numeric(rows$total[match(lv, rows$level)])
        if (is.na(N)) N <- sum(tot)
        pop <- c(pop, tot[-1])
      }
    }
    if (!is.na(N)) pop <- c(N, pop)
    f <- as.formula(paste("~", paste0("`", terms, "`", collapse = "+"),
                          if (is.na(N)) "- 1" else ""))
    calfun <- if (!is.null(args$rake)) "raking" else args$calfun
    maxit <- if (is.null(args$maxit)) 50 else args$maxit
    epsilon <- if (is.null(args$epsilon)) 1e-7 else args$epsilon
    design <- calibrate(design, f, unname(pop), calfun = calfun,
                        bounds = args$bounds, maxit = maxit, epsilon = epsilon)
  }
  if (!is.null(args$trim))
    design <- trimWeights(design, lower = args$trim[1], upper = args$trim[2],
                          strict = TRUE)
  design
}
