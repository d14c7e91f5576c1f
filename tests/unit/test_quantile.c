/* Unit tests (cmocka) of the design-based quantiles: an unweighted sample
 * worked by hand, and a weighted one against R's svyquantile (survey
 * 4.1.1).  Every row is its own PSU, one stratum, no fpc (R:
 * svydesign(ids = ~1, weights = ~w)). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ss_design.h"
#include "ss_quantile.h"

static int close_rel(double a, double b, double tol)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    return fabs(a - b) <= tol * fmax(fabs(a), fabs(b));
}

#define NMAX 16

/* A sample of n rows, each its own PSU in one stratum, sampled with
 * replacement; the design borrows w. */
typedef struct srs {
    ss_design d;
    uint32_t stratum[NMAX];
    uint32_t npsu[1];
    double popsize[1];
    size_t rows[NMAX];
    ss_design_work *dw;
} srs;

static void srs_init(srs *s, const double *w, size_t n)
{
    memset(s, 0, sizeof *s);
    s->npsu[0] = (uint32_t)n;
    s->popsize[0] = INFINITY;
    s->d.n = n;
    s->d.w = (double *)w;
    s->d.nstage = 1;
    s->d.stage[0].nunit = n;
    s->d.stage[0].stratum = s->stratum;
    s->d.stage[0].nstrata = 1;
    s->d.stage[0].npsu = s->npsu;
    s->d.stage[0].popsize = s->popsize;
    for (size_t i = 0; i < n; i++)
        s->rows[i] = i;
    s->dw = ss_design_work_alloc(&s->d, 1);
    assert_non_null(s->dw);
}

static ss_quantile_out run(srs *s, const double *y, size_t m, double p, ss_qrule rule,
                           double df)
{
    double z[NMAX];
    ss_quantile_out q;
    ss_error err;
    assert_int_equal(ss_quantile_estimate(&s->d, s->dw, s->rows, y, m, p, rule, 0.95, df, z,
                                          &q, &err),
                     SS_OK);
    return q;
}

static void test_parse(void **state)
{
    (void)state;
    ss_qrule r;
    assert_int_equal(ss_qrule_parse("math", &r), 0);
    assert_int_equal(r, SS_QRULE_MATH);
    assert_int_equal(ss_qrule_parse("shahvaish", &r), 0);
    assert_int_equal(r, SS_QRULE_SHAHVAISH);
    assert_int_equal(ss_qrule_parse("hf7", &r), 0);
    assert_int_equal(r, SS_QRULE_HF7);
    assert_int_equal(ss_qrule_parse("hf10", &r), -1);
    assert_int_equal(ss_qrule_parse("Math", &r), -1);
}

/* y = 3 1 4 1 5 9 2 6, weight 1: sorted 1 1 2 3 4 5 6 9, F steps of 1/8.
 *   p = 0.5: math 3 (F(3) = 4/8 exactly), school (3 + 4)/2, hf7 3.5
 *   p = 0.3: math 2 (the first with F >= 0.3), hf7 2 + 0.1 (h = 7 * 0.3)
 *   p = 0.25: school (1 + 2)/2
 * Woodruff for math at 0.5: p^ = F(3) = 1/2, Var = p^(1 - p^)/(n - 1) =
 * 1/28, with the normal quantile z: p^ -+ z/sqrt(28) = 0.1296, 0.8704,
 * whose quantiles are 1 and 6, so SE = (6 - 1)/(2 z). */
static void test_by_hand(void **state)
{
    (void)state;
    static const double w[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    static const double y[8] = {3, 1, 4, 1, 5, 9, 2, 6};
    srs s;
    srs_init(&s, w, 8);
    ss_quantile_out q = run(&s, y, 8, 0.5, SS_QRULE_MATH, INFINITY);
    const double z = 1.959963984540054;
    assert_true(q.estimate == 3);
    assert_true(q.ci_low == 1);
    assert_true(q.ci_high == 6);
    assert_true(close_rel(q.se, 5 / (2 * z), 1e-12));
    assert_true(close_rel(q.se, 1.2755336423116352, 1e-12)); /* R */
    assert_true(run(&s, y, 8, 0.5, SS_QRULE_SCHOOL, INFINITY).estimate == 3.5);
    assert_true(close_rel(run(&s, y, 8, 0.5, SS_QRULE_HF7, INFINITY).estimate, 3.5, 1e-15));
    assert_true(run(&s, y, 8, 0.3, SS_QRULE_MATH, INFINITY).estimate == 2);
    assert_true(close_rel(run(&s, y, 8, 0.3, SS_QRULE_HF7, INFINITY).estimate, 2.1, 1e-14));
    assert_true(run(&s, y, 8, 0.25, SS_QRULE_SCHOOL, INFINITY).estimate == 1.5);
    /* df <= 0: no interval, no SE, the estimate stands. */
    q = run(&s, y, 8, 0.5, SS_QRULE_MATH, 0);
    assert_true(q.estimate == 3 && isnan(q.se) && isnan(q.ci_low) && isnan(q.ci_high));
    ss_design_work_free(s.dw);
}

/* Sixteen rows, one with weight zero (left out of the quantile, a PSU of
 * the variance), quantile 0.5 with df = 14 = degf(design).  R:
 *   d <- data.frame(y = c(12,7,3,15,7,9,20,1,11,5,18,9,14,9,6,13),
 *                   w = c(1,2,1.5,1,3,1,0.5,2,1,1,2.5,0,1,2,1,1.5))
 *   svyquantile(~y, svydesign(ids = ~1, weights = ~w, data = d), 0.5,
 *               qrule = RULE, df = 14)
 * columns: estimate, se, ci_low, ci_high. */
static void test_weighted_vs_r(void **state)
{
    (void)state;
    static const double w[16] = {1, 2, 1.5, 1, 3, 1, 0.5, 2, 1, 1, 2.5, 0, 1, 2, 1, 1.5};
    static const double y[16] = {12, 7, 3, 15, 7, 9, 20, 1, 11, 5, 18, 9, 14, 9, 6, 13};
    static const struct {
        ss_qrule rule;
        double est, se, lo, hi;
    } want[] = {
        {SS_QRULE_MATH, 9, 2.5643575796992173, 7, 18},
        {SS_QRULE_SCHOOL, 9, 2.5643575796992173, 7, 18},
        {SS_QRULE_HF3, 9, 2.5643575796992173, 7, 18},
        {SS_QRULE_HF4, 8, 2.4142259505453274, 3.0960004261929015, 13.451999786903551},
        {SS_QRULE_HF5, 9, 2.4808371631714792, 7, 17.641733044923914},
        {SS_QRULE_HF6, 8.5000000000000018, 2.4690947221486303, 3.2572731631518308,
         13.848636145696814},
        {SS_QRULE_HF7, 9, 2.6735588209679819, 7, 18.468426737154694},
        {SS_QRULE_HF8, 8.8999999999999986, 2.3181367372618031, 3.9855068615821811,
         13.929324491286835},
        {SS_QRULE_HF9, 8.928571428571427, 2.3022464230631892, 4.0621630403643234,
         13.937818001348941},
        {SS_QRULE_SHAHVAISH, 9, 2.5643575796992173, 7, 18},
    };
    srs s;
    srs_init(&s, w, 16);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        ss_quantile_out q = run(&s, y, 16, 0.5, want[i].rule, 14);
        assert_true(close_rel(q.estimate, want[i].est, 1e-12));
        assert_true(close_rel(q.se, want[i].se, 1e-9));
        assert_true(close_rel(q.ci_low, want[i].lo, 1e-12));
        assert_true(close_rel(q.ci_high, want[i].hi, 1e-12));
    }
    ss_design_work_free(s.dw);
}

/* No rows, or no weight: every output NaN. */
static void test_empty(void **state)
{
    (void)state;
    static const double w[3] = {0, 0, 0};
    static const double y[3] = {1, 2, 3};
    srs s;
    srs_init(&s, w, 3);
    ss_quantile_out q = run(&s, y, 0, 0.5, SS_QRULE_MATH, 2);
    assert_true(isnan(q.estimate) && isnan(q.se) && isnan(q.ci_low) && isnan(q.ci_high));
    q = run(&s, y, 3, 0.5, SS_QRULE_HF7, 2);
    assert_true(isnan(q.estimate) && isnan(q.se) && isnan(q.ci_low) && isnan(q.ci_high));
    ss_design_work_free(s.dw);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_by_hand),
        cmocka_unit_test(test_weighted_vs_r),
        cmocka_unit_test(test_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
