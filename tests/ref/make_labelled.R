# Test files for tests/e2e/labels.sh, written with haven from the shipped
# data (run from the repository root: Rscript tests/ref/make_labelled.R).
# Each file holds the numbers read.csv gives for its CSV, so the estimates
# from it must equal those from the CSV to the bit.
#   api.sav   apistrat with a labelled numeric code (stype as 1/2/3) and
#             user-missing 9 in a copy of meals (meals9), labels on stype
#   api_a.csv / api_a.dta  apistrat's numbers, growth with NA where the
#             .dta has Stata's .a (tagged missing); api_a_v8.dta the same
#             in Stata 8's format
#   api.xpt   apistrat's numeric columns (names cut to 8 characters)
#   api.zsav  api.sav compressed (zlib)
#   api.sas7bdat  api.xpt's columns as a SAS data set
# A GBK-encoded .sav is not written here: haven's write_sav always writes
# UTF-8 (it has no encoding argument); tests/data/labels/make_spss.py writes
# the GBK files and the portable file with GNU PSPP.
suppressMessages(library(haven))
o <- "tests/data/labels"
# A CSV whose numbers read back as the very doubles (17 significant digits).
write_exact <- function(df, path) {
  for (v in names(df)) if (is.numeric(df[[v]]))
    df[[v]] <- ifelse(is.na(df[[v]]), "", sprintf("%.17g", df[[v]]))
  write.csv(df, path, row.names = FALSE, na = "")
}
dir.create(o, showWarnings = FALSE)
d <- read.csv("datasets/apistrat.csv", stringsAsFactors = FALSE)
s <- data.frame(snum = d$snum, stype = d$stype, api00 = d$api00, api99 = d$api99,
                enroll = d$enroll, meals = d$meals, pw = d$pw, fpc = d$fpc)
# the CSV route: meals9 holds 9 where the .sav declares it user-missing
s$meals9 <- ifelse(d$snum %% 5 == 0, 9, d$meals)
s$stype_code <- match(d$stype, c("E", "M", "H"))
write_exact(s, file.path(o, "api.csv"))
sav <- s
sav$stype_code <- labelled(s$stype_code, c(Elementary = 1, Middle = 2, High = 3),
                           label = "School type")
sav$meals9 <- labelled_spss(s$meals9, c("no answer" = 9), na_values = 9,
                            label = "Meals, 9 = no answer")
sav$api00 <- labelled(s$api00, label = "API in 2000")
write_sav(sav, file.path(o, "api.sav"))
# Stata: growth with .a where the CSV has NA
a <- data.frame(snum = d$snum, stype = d$stype, api00 = d$api00, growth = d$growth,
                pw = d$pw, fpc = d$fpc)
a$growth[d$snum %% 4 == 0] <- NA
write_exact(a, file.path(o, "api_a.csv"))
dta <- a
dta$growth <- ifelse(d$snum %% 4 == 0, tagged_na("a"), a$growth)
write_dta(dta, file.path(o, "api_a.dta"), version = 14)
write_dta(dta, file.path(o, "api_a_v8.dta"), version = 8) # the old binary format
# SAS transport
write_xpt(s[, c("snum", "api00", "api99", "enroll", "meals", "pw", "fpc", "stype_code")],
          file.path(o, "api.xpt"), version = 8)
# SPSS compressed (.zsav) and SAS (.sas7bdat; haven's write_sas, deprecated
# but still writing) of the same numbers
write_sav(sav, file.path(o, "api.zsav"), compress = "zsav")
suppressWarnings(write_sas(s[, c("snum", "api00", "api99", "enroll", "meals", "pw", "fpc",
                                 "stype_code")], file.path(o, "api.sas7bdat")))
