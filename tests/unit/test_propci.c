/* Unit tests (cmocka) of the proportion intervals against R's svyciprop
 * (survey 4.1.1) on a small weighted sample, and of the NCHS rules.
 *
 * Data: y = 1,1,1,0,0,0,0,0,0,0 with weights 1,2,1,1,3,1,2,1,1,1, every
 * row its own PSU, no strata (R: svydesign(ids=~1, weights=~w)), df = 9. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include "ss_design.h"
#include "ss_estimate.h"
#include "ss_propci.h"

static int close_rel(double a, double b, double tol)
{
    return fabs(a - b) <= tol * fmax(fabs(a), fabs(b));
}

static const double w[10] = {1, 2, 1, 1, 3, 1, 2, 1, 1, 1};
static const double y[10] = {1, 1, 1, 0, 0, 0, 0, 0, 0, 0};

static void check(ss_ci_method method, double want_lo, double want_hi)
{
    ss_design d;
    memset(&d, 0, sizeof d);
    uint32_t stratum[10] = {0};
    uint32_t npsu[1] = {10};
    double popsize[1] = {INFINITY};
    d.n = 10;
    d.w = (double *)w;
    d.nstage = 1;
    d.stage[0].nunit = 10;
    d.stage[0].stratum = stratum;
    d.stage[0].nstrata = 1;
    d.stage[0].npsu = npsu;
    d.stage[0].popsize = popsize;
    ss_design_work *dw = ss_design_work_alloc(&d, 1);
    assert_non_null(dw);
    size_t rows[10];
    for (size_t i = 0; i < 10; i++)
        rows[i] = i;
    ss_prop_input in = {&d, dw, rows, y, 10, 4.0 / 14.0, 0.025683742884909069, 0.95, 9, 9};
    double z[10], lo, hi;
    ss_error err;
    assert_int_equal(ss_prop_ci(method, &in, z, &lo, &hi, &err), SS_OK);
    assert_true(close_rel(lo, want_lo, 1e-9));
    assert_true(close_rel(hi, want_hi, 1e-9));
    ss_design_work_free(dw);
}

static void test_methods(void **state)
{
    (void)state;
    check(SS_CI_LOGIT, 0.063404279257315385, 0.70268967554181416);
    check(SS_CI_LIKELIHOOD, 0.038867778795885814, 0.69705940529087007);
    check(SS_CI_ASIN, 0.026234728004047272, 0.67594901782536299);
    check(SS_CI_BETA, 0.044521396026217838, 0.68381005473189038);
    check(SS_CI_WALD, -0.07682237563287958, 0.64825094706145103);
    check(SS_CI_XLOGIT, 0.063404279257247023, 0.70268967554177064);
}

/* Korn-Graubard with the NCHS n_eff: p = 0.25, Var = 0.004, n = 10, df = 4
 * (R: qbeta on n* = min(p(1-p)/Var, n) (qt(.025, 9)/qt(.025, 4))^2). */
static void test_kg_and_flags(void **state)
{
    (void)state;
    double lo, hi;
    ss_prop_kg(0.25, 0.004, 10, 4, 0.95, &lo, &hi);
    assert_true(close_rel(lo, 0.022890594792940946, 1e-9));
    assert_true(close_rel(hi, 0.69104464432329227, 1e-9));
    char f[32];
    ss_prop_nchs(0.25, 0.004, 10, 4, f, sizeof f); /* n_eff 10 < 30; df 4 < 8 */
    assert_string_equal(f, "Px Pdf");
    /* p = 0.5, n = 1000, Var = p(1-p)/1000: W ~ 0.06, W/p < 1.3: shown. */
    ss_prop_nchs(0.5, 0.00025, 1000, 100, f, sizeof f);
    assert_string_equal(f, "");
    /* p = 0.995, n_eff = 1000: W ~ 0.01 < 0.05, but W/(1-p) > 1.3: Pc. */
    ss_prop_nchs(0.995, 0.995 * 0.005 / 1000, 1000, 100, f, sizeof f);
    assert_string_equal(f, "Pc");
    /* 0% in a domain of 50 rows with 20 df: W = 1 - 0.025^(1/n*) < 0.30. */
    ss_prop_nchs(0, 0, 50, 20, f, sizeof f);
    assert_string_equal(f, "P0");
    /* 100% in a domain of 12 rows: suppressed. */
    ss_prop_nchs(1, 0, 12, 20, f, sizeof f);
    assert_string_equal(f, "Px P0");
}

static void test_parse(void **state)
{
    (void)state;
    ss_ci_method m;
    assert_int_equal(ss_ci_method_parse("korn-graubard", &m), 0);
    assert_int_equal(m, SS_CI_BETA);
    assert_int_equal(ss_ci_method_parse("wilson", &m), 0);
    assert_int_equal(m, SS_CI_WILSON);
    assert_int_equal(ss_ci_method_parse("Logit", &m), -1);
}

/* ss_qbeta and ss_qt against R's qbeta and qt where GSL's inverses fail
 * (NaN) or lose digits; the values from tests/ref/make_quantile_refs.R. */
static void test_qbeta_hard(void **state)
{
    (void)state;
    static const double t[][4] = {
        {0.97499999999999998, 9.9459099999999996, 1024.04, 0.016406178024979123},
        {0.025000000000000001, 8.9459099999999996, 1025.04, 0.0039562508897126288},
        {0.97499999999999998, 1.5, 2000000, 2.3370978779690449e-06},
        {0.025000000000000001, 300000, 700001, 0.2991019119335821},
        {0.97499999999999998, 1000000, 1000000, 0.50069295166605055},
        {0.5, 1200000, 1200001, 0.49999979166669561},
        {0.97499999999999998, 40000000, 60000000, 0.40009602012713685},
        {0.025000000000000001, 0.001, 50, 0},
        {0.97499999999999998, 0.5, 0.5, 0.99845866686656404},
        {1e-10, 2, 3, 4.0824940158083298e-06},
        {0.99999999989999999, 2, 3, 0.99970757683872491},
        {0.025000000000000001, 0.001, 1000, 0},
        {0.97499999999999998, 26.5, 1093.5, 0.033332858984225444},
        {0.025000000000000001, 1119.5, 1, 0.99671030952563122},
        {0.050000000000000003, 0.0050000000000000001, 0.5, 2.4689644003900876e-260},
        {0.97499999999999998, 6.916769306, 111321.3579, 0.00011627367950405146},
        {0.0050000000000000001, 7.535472457, 162980.1899, 1.4230907873201231e-05},
        /* a small, b huge (a rare level with a huge effective n): the
         * complement 1 - x must never be formed */
        {0.025000000000000001, 0.5, 20000000000, 2.4551727929688002e-14},
        {0.025000000000000001, 10, 10000000000, 4.7953886928247201e-10},
        {0.97499999999999998, 2, 9970000000, 5.5884086149474898e-10},
        {0.97499999999999998, 3, 9900000000, 7.2976643074323499e-10},
        {0.94999999999999996, 0.25968200000000002, 90436100000, 1.3741266191107803e-11},
        {0.025000000000000001, 0.055720600000000002, 131794000000, 7.8911555443882526e-41},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        double x = ss_qbeta(t[i][0], t[i][1], t[i][2]);
        if (t[i][3] == 0) /* R underflows to 0; the true quantile is below 1e-300 */
            assert_true(x >= 0 && x < 1e-300);
        else if (!close_rel(x, t[i][3], 1e-11))
            fail_msg("qbeta(%.17g, %.17g, %.17g) = %.17g, R %.17g", t[i][0], t[i][1], t[i][2],
                     x, t[i][3]);
    }
    /* a + b past 1e10 (R: qbeta(0.975, 3e10, 7e10)). */
    double x = ss_qbeta(0.975, 3e10, 7e10);
    assert_true(close_rel(x, 0.30000284026143953, 1e-12));
    assert_true(ss_qbeta(0.5, 0, 3) == 0 && ss_qbeta(0.5, 3, 0) == 1);
}

static void test_qt_hard(void **state)
{
    (void)state;
    static const double t[][3] = {
        {0.97499999999999998, 0.01, 6.3641819283995872e+128},
        {0.97499999999999998, 0.050000000000000003, 1.1958337585474908e+25},
        {0.99999999999900002, 7.2999999999999998, 91.095142865474813},
        {0.99999999999900002, 30, 11.397227795416011},
        {0.025000000000000001, 0.20000000000000001, -768848.47970124753},
        {0.97499999999999998, 1, 12.706204736174694},
        {0.97499999999999998, 16, 2.1199052992212541},
        {0.995, 1000000000, 2.5758293084654476},
        {0.99950000000000006, 0.5, 411396.46252640733},
        {9.9999999999999995e-07, 2.5, -220.17342917823751},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        double q = ss_qt(t[i][0], t[i][1]);
        if (!close_rel(q, t[i][2], 1e-10))
            fail_msg("qt(%.17g, %.17g) = %.17g, R %.17g", t[i][0], t[i][1], q, t[i][2]);
    }
    /* R: qt(0.975, 1e-10) = Inf, and qt(0.75, 0.001) = 1.7e299 (so close
     * to the largest double that survstat's route through x = df/(df+t^2)
     * underflows: Inf) */
    assert_true(isinf(ss_qt(0.975, 1e-10)) && ss_qt(0.975, 1e-10) > 0);
    assert_true(ss_qt(0.75, 0.001) > 1e299);
    assert_true(isnan(ss_qt(0.975, 0)));
}

int main(void)
{
    gsl_set_error_handler_off(); /* as survstat's main */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_methods),
        cmocka_unit_test(test_kg_and_flags),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_qbeta_hard),
        cmocka_unit_test(test_qt_hard),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
