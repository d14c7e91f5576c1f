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

#include "ss_design.h"
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_methods),
        cmocka_unit_test(test_kg_and_flags),
        cmocka_unit_test(test_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
