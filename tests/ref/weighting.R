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

# The cases of the file cases (lines `name|datafile|arguments`, `#` a
# comment), shared by make_refs.R, make_test_refs.R and make_rep_refs.R:
# compute(argstring, datafile) gives the result, write(res, out) writes it to
# out_file(name) and an "ok" line follows, with rows(res) ("%3d rows ") when
# given.  Warnings pass through ("pass"), are dropped ("muffle") or listed
# under the case ("list").  A case that fails in R is reported on stderr and
# its stale file removed; the names of those are returned.
for_each_case <- function(cases, out_file, compute, write, rows = NULL, width = 20,
                          warnings = "pass") {
  lines <- readLines(cases, encoding = "UTF-8")
  lines <- lines[!grepl("^[[:space:]]*(#|$)", lines)]
  failed <- character(0)
  for (line in lines) {
    f <- strsplit(line, "|", fixed = TRUE)[[1]]
    name <- trimws(f[1]); datafile <- trimws(f[2]); argstring <- trimws(f[3])
    out <- out_file(name)
    warns <- character(0)
    run <- function() tryCatch(compute(argstring, datafile), error = function(e) e)
    res <- if (warnings == "pass") run() else
      withCallingHandlers(run(), warning = function(w) {
        warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning")
      })
    if (inherits(res, "error")) {
      message(sprintf(paste0("FAILED  %-", width, "s R error: %s"), name,
                      conditionMessage(res)))
      if (file.exists(out)) file.remove(out)
      failed <- c(failed, name)
      next
    }
    write(res, out)
    cat(sprintf(paste0("ok      %-", width, "s %s-> %s\n"), name,
                if (is.null(rows)) "" else rows(res), out))
    if (warnings == "list") for (w in unique(warns)) cat(sprintf("        warning: %s\n", w))
  }
  failed
}
