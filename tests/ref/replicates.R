# The replicate options of the reference cases, shared by make_rep_refs.R
# and make_reptest_refs.R (source()d at the top level): rep_strip() takes
# them out of a case's arguments into REP, and svydesign() is wrapped so
# that they turn the design into as.svrepdesign() or svrepdesign(
# combined.weights = TRUE).  Every estimator after that is R's svyrep method.

REP <- list(mse = FALSE)

# argstring less the replicate options: those in opts take a value, --mse
# none; they go to REP.
rep_strip <- function(argstring, opts) {
  tok <- strsplit(trimws(argstring), "[[:space:]]+")[[1]]
  keep <- character(0)
  REP <<- list(mse = FALSE)
  i <- 1
  while (i <= length(tok)) {
    t <- tok[i]
    if (t %in% opts) {
      REP[[sub("^--", "", t)]] <<- tok[i + 1]
      i <- i + 2
    } else if (t == "--mse") {
      REP$mse <<- TRUE
      i <- i + 1
    } else {
      keep <- c(keep, t)
      i <- i + 1
    }
  }
  paste(keep, collapse = " ")
}

rtype <- function(s) {
  if (startsWith(s, "fay:")) return(list(type = "Fay", rho = as.numeric(sub("fay:", "", s))))
  list(type = switch(s, jk1 = "JK1", jkn = "JKn", brr = "BRR", bootstrap = "bootstrap",
                     other = "other", sdr = "successive-difference", acs = "ACS",
                     jk2 = "JK2", stop("unknown type ", s)), rho = 0)
}

svydesign <- function(...) {
  cl <- match.call()
  cl[[1]] <- quote(survey::svydesign)
  d <- eval(cl, parent.frame())
  if (!is.null(REP$replicate)) {
    t <- rtype(REP$replicate)
    return(suppressWarnings(as.svrepdesign(d, type = t$type, fay.rho = t$rho,
                                           mse = REP$mse)))
  }
  if (!is.null(REP$repweights)) {
    t <- rtype(REP[["rep-type"]])
    v <- d$variables
    cols <- grep(REP$repweights, names(v))
    args <- list(
      variables = v, repweights = v[, cols], weights = weights(d), type = t$type,
      rho = if (t$type == "Fay") t$rho else NULL, combined.weights = TRUE,
      scale = if (is.null(REP[["rep-scale"]])) NULL else as.numeric(REP[["rep-scale"]]),
      rscales = if (t$type == "JKn") rep(1, length(cols)) else NULL, mse = REP$mse)
    # type "ACS": R turns mse on itself when mse= is not given (--rep-type acs)
    if (t$type == "ACS" && !REP$mse) args$mse <- NULL
    return(suppressMessages(suppressWarnings(do.call(svrepdesign, args))))
  }
  d
}

# parse (make_refs.R's parse_args) less the replicate options, which go to REP.
rep_parse_args <- function(parse) {
  force(parse)
  function(argstring)
    parse(rep_strip(argstring, c("--replicate", "--repweights", "--rep-type", "--rep-scale",
                                 "--seed")))
}

# Every case of tests/ref/CASES (`name|datafile|arguments`) through
# make_refs.R's run_case() and the global parse_args, into
# tests/ref/NAME.expected.csv; the names of the cases that failed.
rep_estimate_cases <- function(cases)
  for_each_case(file.path(ref_dir, cases),
                function(name) file.path(ref_dir, paste0(name, ".expected.csv")),
                function(argstring, datafile) run_case(parse_args(argstring), datafile),
                write_expected, function(res) sprintf("%3d rows ", nrow(res)),
                warnings = "muffle")
