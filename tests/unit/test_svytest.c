/* Unit tests (cmocka) of ss_test: the Rao-Scott design effects under
 * simple random sampling, Pearson's X^2, and a t test worked by hand. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_cdf.h>

#include "ss_design.h"
#include "ss_dict.h"
#include "ss_test.h"

static int close_rel(double a, double b, double tol)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    return fabs(a - b) <= tol * fmax(fabs(a), fabs(b));
}

static void test_stat_names(void **state)
{
    (void)state;
    static const char *const names[] = {"F", "Chisq", "Wald", "adjWald"};
    for (size_t i = 0; i < 4; i++) {
        ss_chisq_stat s;
        assert_int_equal(ss_chisq_stat_parse(names[i], &s), 0);
        assert_string_equal(ss_chisq_stat_name(s), names[i]);
    }
    ss_chisq_stat s;
    assert_int_equal(ss_chisq_stat_parse("f", &s), -1);
    assert_int_equal(ss_chisq_stat_parse("lincom", &s), -1);
}

/* Under simple random sampling V = (D - p p') / N, and Delta is exactly
 * the identity (C' 1 = 0): tr(Delta) = tr(Delta^2) = (r-1)(c-1). */
static void test_rao_scott_srs(void **state)
{
    (void)state;
    const size_t nr = 3, nc = 4, K0 = nr * nc;
    double p[12], V[144], sum = 0;
    for (size_t k = 0; k < K0; k++)
        sum += p[k] = (double)(k % 5 + 1);
    for (size_t k = 0; k < K0; k++)
        p[k] /= sum;
    const double N = 250;
    for (size_t k = 0; k < K0; k++)
        for (size_t l = 0; l < K0; l++)
            V[k * K0 + l] = ((k == l ? p[k] : 0) - p[k] * p[l]) / N;
    double tr1, tr2;
    ss_error err;
    assert_int_equal(ss_test_rao_scott(nr, nc, p, V, N, &tr1, &tr2, &err), SS_OK);
    assert_true(close_rel(tr1, 6.0, 1e-12));
    assert_true(close_rel(tr2, 6.0, 1e-12));
    /* Twice the SRS variance: every design effect is 2. */
    for (size_t k = 0; k < K0 * K0; k++)
        V[k] *= 2;
    assert_int_equal(ss_test_rao_scott(nr, nc, p, V, N, &tr1, &tr2, &err), SS_OK);
    assert_true(close_rel(tr1, 12.0, 1e-12));
    assert_true(close_rel(tr2, 24.0, 1e-12));
}

/* Table (cells i + 2 j) 10 30 / 20 40, rows 30 70, columns 40 60:
 * X^2 = 4 (1/12 + 1/28 + 1/18 + 1/42); scaling the table to N = 200
 * doubles it. */
static void test_pearson(void **state)
{
    (void)state;
    const double t[4] = {10, 30, 20, 40};
    double want = 4 * (1.0 / 12 + 1.0 / 28 + 1.0 / 18 + 1.0 / 42);
    assert_true(close_rel(ss_test_pearson(2, 2, t, 100), want, 1e-14));
    assert_true(close_rel(ss_test_pearson(2, 2, t, 200), 2 * want, 1e-14));
}

/* Four rows, each its own PSU, one stratum, weights 1: group a has
 * y = 1, 3 (mean 2), group b y = 2, 6 (mean 4).  The influence values
 * are +-(y - mean_g) / 2: 0.5, -0.5, -1, 1, so Var = 4/3 * 2.5 = 10/3;
 * df = 4 PSUs - 1 stratum - 1 = 2 (R's svyttest gives the same). */
static void test_ttest(void **state)
{
    (void)state;
    ss_design d;
    memset(&d, 0, sizeof d);
    double w[4] = {1, 1, 1, 1};
    uint32_t stratum[4] = {0, 0, 0, 0};
    uint32_t npsu[1] = {4};
    double popsize[1] = {INFINITY};
    d.n = 4;
    d.w = w;
    d.nstage = 1;
    d.stage[0].nunit = 4;
    d.stage[0].stratum = stratum;
    d.stage[0].nstrata = 1;
    d.stage[0].npsu = npsu;
    d.stage[0].popsize = popsize;

    /* The group column lists "b" first: the order is by bytes. */
    double yv[4] = {2, 1, 6, 3};
    int32_t code[4] = {0, 1, 0, 1};
    double level_num[2] = {NAN, NAN};
    size_t level_count[2] = {2, 2};
    ss_column y, g;
    memset(&y, 0, sizeof y);
    memset(&g, 0, sizeof g);
    y.name = "y";
    y.num = yv;
    y.numeric = 1;
    g.name = "g";
    g.code = code;
    g.level_num = level_num;
    g.level_count = level_count;
    assert_int_equal(ss_dict_init(&g.levels), 0);
    assert_int_equal(ss_dict_intern(&g.levels, "b", 1), 0);
    assert_int_equal(ss_dict_intern(&g.levels, "a", 1), 1);

    ss_test_out o;
    ss_error err;
    assert_int_equal(ss_test_ttest(&d, &y, &g, &o, &err), SS_OK);
    assert_true(close_rel(o.estimate, 2.0, 1e-15));
    assert_true(close_rel(o.se, sqrt(10.0 / 3), 1e-15));
    assert_true(close_rel(o.statistic, 2 / sqrt(10.0 / 3), 1e-15));
    assert_true(o.df1 == 2);
    assert_true(isnan(o.df2));
    assert_true(close_rel(o.p_value, 2 * gsl_cdf_tdist_Q(2 / sqrt(10.0 / 3), 2), 1e-15));
    assert_int_equal(o.n, 4);

    /* A missing y leaves its row out but keeps its PSU: b has y = 2
     * only, a keeps 1, 3 (both means 2); z = 0, 0.5, (0), -0.5, so
     * Var = 4/3 * 0.5; df = 3 PSUs with rows - 1 stratum - 1. */
    yv[2] = NAN;
    assert_int_equal(ss_test_ttest(&d, &y, &g, &o, &err), SS_OK);
    assert_true(fabs(o.estimate) < 1e-15);
    assert_true(close_rel(o.se, sqrt(2.0 / 3), 1e-15));
    assert_true(o.df1 == 1);
    assert_int_equal(o.n, 3);

    /* One group left: an error naming the column. */
    yv[0] = NAN;
    assert_int_equal(ss_test_ttest(&d, &y, &g, &o, &err), SS_EDATA);
    assert_non_null(strstr(err.message, "column 'g'"));
    assert_non_null(strstr(err.message, "found 1"));
    ss_dict_free(&g.levels);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stat_names),
        cmocka_unit_test(test_rao_scott_srs),
        cmocka_unit_test(test_pearson),
        cmocka_unit_test(test_ttest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
