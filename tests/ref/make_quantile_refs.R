# R's qbeta and qt at parameters where GSL's inverses fail or lose digits;
# prints the C initializers of tests/unit/test_propci.c (test_qbeta_hard,
# test_qt_hard).  Run: Rscript tests/ref/make_quantile_refs.R
b <- rbind(
  c(0.975, 9.94591, 1024.04),         # GSL: NaN (issue 18, nhanes (0,19])
  c(0.025, 8.94591, 1025.04),
  c(0.975, 1.5, 2e6), c(0.025, 3e5, 7e5 + 1), c(0.975, 1e6, 1e6),
  c(0.5, 1.2e6, 1.2e6 + 1),            # GSL's pbeta: NaN at the mean
  c(0.975, 4e7, 6e7), c(0.025, 0.001, 50), c(0.975, 0.5, 0.5),
  c(1e-10, 2, 3), c(1 - 1e-10, 2, 3), c(0.025, 1e-3, 1e3),
  c(0.975, 26.5, 1093.5), c(0.025, 1119.5, 1), c(0.05, 0.005, 0.5),
  c(0.975, 3e10, 7e10),
  c(0.975, 6.916769306, 111321.3579), c(0.005, 7.535472457, 162980.1899), # GSL's pbeta: 4e-10 off
  c(0.025, 0.5, 2e10), c(0.025, 10, 1e10), c(0.975, 2, 9.97e9),  # a small, b huge:
  c(0.975, 3, 9.9e9), c(0.95, 0.259682, 9.04361e10),            # 1 - x never formed
  c(0.025, 0.0557206, 1.31794e11))
for (i in seq_len(nrow(b)))
  cat(sprintf("        {%.17g, %.17g, %.17g, %.17g},\n", b[i, 1], b[i, 2], b[i, 3],
              qbeta(b[i, 1], b[i, 2], b[i, 3])))
# (not qt(0.9999999995, 0.1): R's own value is 8e-7 off there, pt() of it
# gives 4.99999958e-10)
t <- rbind(c(0.975, 0.01), c(0.975, 0.05), c(0.999999999999, 7.3),
           c(0.999999999999, 30), c(0.025, 0.2), c(0.975, 1), c(0.975, 16), c(0.995, 1e9),
           c(0.9995, 0.5), c(0.75, 0.001), c(0.000001, 2.5))
for (i in seq_len(nrow(t)))
  cat(sprintf("        {%.17g, %.17g, %.17g},\n", t[i, 1], t[i, 2], qt(t[i, 1], t[i, 2])))
cat(sprintf("    /* qt(0.975, 1e-10) = %g */\n", qt(0.975, 1e-10)))
