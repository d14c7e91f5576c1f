# By-hand values of tests/e2e/trust_intervals.sh where R's svyciprop is
# wrong (R's qbeta and qt are right; the formulas are survstat's decisions).
# Run: Rscript tests/ref/make_intervals_refs.R
# case_5115: Korn-Graubard with SE 0 (n_eff undefined): n_eff = n, the
# domain's rows (the NCHS rule); n* = n (qt(.025, n - 1)/qt(.025, df))^2.
kg <- function(p, n, df) {
  ne <- n * (qt(0.025, n - 1) / qt(0.025, df))^2
  c(qbeta(0.025, ne * p, ne * (1 - p) + 1), qbeta(0.975, ne * p + 1, ne * (1 - p)))
}
cat(sprintf("%.17g|%.17g\n", kg(0.28274812709523989, 202, 11)[1], kg(0.28274812709523989, 202, 11)[2]))
cat(sprintf("%.17g|%.17g\n", kg(0.65399904571383449, 208, 11)[1], kg(0.65399904571383449, 208, 11)[2]))
