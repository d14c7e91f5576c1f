/* Unit tests (cmocka): number parsing, the dictionary, the design
 * variance on a small stratified cluster sample worked by hand, and the
 * reasons of errors (ss_error_tag) that callers test instead of their
 * messages. */
#include <math.h>
#include <stdio.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ss_design.h"
#include "ss_dict.h"
#include "ss_number.h"
#include "ss_table.h"

static int close_rel(double a, double b, double tol)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    return fabs(a - b) <= tol * fmax(fabs(a), fabs(b));
}

static void test_number_parse(void **state)
{
    (void)state;
    double v;
    assert_int_equal(ss_number_parse("12", 2, &v), 0);
    assert_true(v == 12.0);
    assert_int_equal(ss_number_parse(" -3.25 ", 7, &v), 0);
    assert_true(v == -3.25);
    assert_int_equal(ss_number_parse("1e5", 3, &v), 0);
    assert_true(v == 1e5);
    assert_int_equal(ss_number_parse("0.1", 3, &v), 0);
    assert_true(v == 0.1);
    assert_int_equal(ss_number_parse(".5", 2, &v), 0);
    assert_true(v == 0.5);
    /* Beyond the fast path: strtod gives the correctly rounded value. */
    const char *long_digits = "3.14159265358979323846264338327950288";
    assert_int_equal(ss_number_parse(long_digits, strlen(long_digits), &v), 0);
    assert_true(v == 3.14159265358979323846264338327950288);
    assert_int_equal(ss_number_parse("1.9099999666213989", 18, &v), 0);
    assert_true(v == 1.9099999666213989);
    assert_int_equal(ss_number_parse("inf", 3, &v), -1);
    assert_int_equal(ss_number_parse("nan", 3, &v), -1);
    assert_int_equal(ss_number_parse("0x10", 4, &v), -1);
    assert_int_equal(ss_number_parse("1,5", 3, &v), -1);
    assert_int_equal(ss_number_parse("", 0, &v), -1);
    assert_int_equal(ss_number_parse("-", 1, &v), -1);
    assert_int_equal(ss_number_parse("1e", 2, &v), -1);
    assert_int_equal(ss_number_parse("1e400", 5, &v), -1);
    /* The inline fast path agrees with strtod where it answers, and leaves
     * the rest (signs, blanks, exponents, over 15 characters) alone. */
    static const char *const shorts[] = {"5.", "-.5", "-0", "0.000000000001", "999999999999999",
                                         "1234567.9012345", "-1.5", "124.6", "3.6"};
    for (size_t k = 0; k < sizeof shorts / sizeof shorts[0]; k++) {
        assert_int_equal(ss_number_parse_short(shorts[k], strlen(shorts[k]), &v), 0);
        assert_true(v == strtod(shorts[k], NULL));
        assert_true(signbit(v) == signbit(strtod(shorts[k], NULL)));
    }
    static const char *const longs[] = {"+1", " 1", "1 ", "1e5", "1234567890123456", ".", "-",
                                        "1.2.3", "--1", "1-"};
    for (size_t k = 0; k < sizeof longs / sizeof longs[0]; k++)
        assert_int_equal(ss_number_parse_short(longs[k], strlen(longs[k]), &v), -1);
    assert_int_equal(ss_number_parse("1234567890123456", 16, &v), 0);
    assert_true(v == 1234567890123456.0);
}

/* Display columns: CJK, kana, Hangul, fullwidth forms and emoji two;
 * combining marks and zero-width characters none. */
static void test_display_width(void **state)
{
    (void)state;
    assert_int_equal(ss_display_width(""), 0);
    assert_int_equal(ss_display_width("abc"), 3);
    assert_int_equal(ss_display_width("很满意"), 6);
    assert_int_equal(ss_display_width("市南区 (A)"), 10);
    assert_int_equal(ss_display_width("（全角）"), 8);   /* fullwidth parentheses */
    assert_int_equal(ss_display_width("、。「」"), 8);   /* CJK punctuation */
    assert_int_equal(ss_display_width("カタカナ한국"), 12);
    assert_int_equal(ss_display_width("e\xcc\x81"), 1);  /* e + combining acute */
    assert_int_equal(ss_display_width("a\xe2\x80\x8bb"), 2); /* zero-width space */
    assert_int_equal(ss_display_width("\xef\xbb\xbfx"), 1);  /* byte-order mark */
    assert_int_equal(ss_display_width("\xf0\x9f\x98\x80"), 2); /* emoji */
    assert_int_equal(ss_display_width("\xc3\xa9t\xc3\xa9"), 3); /* été */
}

static void test_dict(void **state)
{
    (void)state;
    ss_dict d;
    assert_int_equal(ss_dict_init(&d), 0);
    char key[32];
    for (int i = 0; i < 1000; i++) {
        int n = snprintf(key, sizeof key, "k%d", i);
        assert_int_equal(ss_dict_intern(&d, key, (size_t)n), i);
    }
    assert_int_equal(ss_dict_intern(&d, "k17", 3), 17);
    assert_int_equal(ss_dict_find(&d, "k999", 4), 999);
    assert_int_equal(ss_dict_find(&d, "nope", 4), -1);
    assert_string_equal(d.str[42], "k42");
    ss_dict_free(&d);
    ss_dict_free(NULL);
}

/* Two strata of two PSUs each (one row per PSU), no fpc: the variance of
 * a total is sum_h n_h/(n_h-1) sum_i (z_hi - zbar_h)^2, by hand:
 * stratum a: z = 1, 3 -> 2 * (1 + 1) = 4; stratum b: z = 2, 6 -> 2 * 8 = 16. */
static void test_design_variance(void **state)
{
    (void)state;
    ss_design d;
    memset(&d, 0, sizeof d);
    double w[4] = {1, 1, 1, 1};
    uint32_t stratum[4] = {0, 0, 1, 1};
    uint32_t npsu[2] = {2, 2};
    double popsize[2] = {INFINITY, INFINITY};
    d.n = 4;
    d.w = w;
    d.nstage = 1;
    d.stage[0].nunit = 4;
    d.stage[0].stratum = stratum;
    d.stage[0].nstrata = 2;
    d.stage[0].npsu = npsu;
    d.stage[0].popsize = popsize;
    ss_design_work *wk = ss_design_work_alloc(&d, 1);
    assert_non_null(wk);
    size_t rows[4] = {0, 1, 2, 3};
    double z[4] = {1, 3, 2, 6}, V;
    ss_error err;
    assert_int_equal(ss_design_vcov(&d, wk, rows, z, 4, 1, &V, &err), SS_OK);
    assert_true(close_rel(V, 20.0, 1e-15));
    /* A domain: only rows 0 and 2 present; absent PSUs count as zeros. */
    size_t dr[2] = {0, 2};
    double dz[2] = {1, 2};
    assert_int_equal(ss_design_vcov(&d, wk, dr, dz, 2, 1, &V, &err), SS_OK);
    /* a: z = 1, 0 -> 2 * 0.5 = 1; b: z = 2, 0 -> 2 * 2 = 4. */
    assert_true(close_rel(V, 5.0, 1e-15));
    /* With population sizes 4 per stratum, f = 1/2 halves the variance. */
    popsize[0] = popsize[1] = 4;
    assert_int_equal(ss_design_vcov(&d, wk, rows, z, 4, 1, &V, &err), SS_OK);
    assert_true(close_rel(V, 10.0, 1e-15));
    /* A lonely PSU under the default rule is an error naming the stratum. */
    npsu[1] = 1;
    stratum[3] = 1;
    d.stage[0].nunit = 3;
    size_t lr[3] = {0, 1, 2};
    assert_int_equal(ss_design_vcov(&d, wk, lr, z, 3, 1, &V, &err), SS_EDATA);
    assert_non_null(strstr(err.message, "has only one PSU at stage 1"));
    d.lonely = SS_LONELY_CERTAINTY;
    assert_int_equal(ss_design_vcov(&d, wk, lr, z, 3, 1, &V, &err), SS_OK);
    assert_true(close_rel(V, 2.0 * 0.0 + 2 * 2 * 0.5, 1e-15));
    ss_design_work_free(wk);
}

static void test_error_reason(void **state)
{
    (void)state;
    ss_error err;
    ss_error_clear(&err);
    assert_false(ss_error_is(&err, SS_WHY_NO_COLUMN, NULL));
    assert_int_equal(ss_error_tag(&err, ss_error_set(&err, SS_EUSAGE, NULL, 0, "x"),
                                  SS_WHY_TOO_MANY, "--chisq"),
                     SS_EUSAGE);
    assert_true(ss_error_is(&err, SS_WHY_TOO_MANY, NULL));
    assert_true(ss_error_is(&err, SS_WHY_TOO_MANY, "--chisq"));
    assert_false(ss_error_is(&err, SS_WHY_TOO_MANY, "--by"));
    ss_error_set(&err, SS_EDATA, NULL, 0, "another"); /* a new error: no reason */
    assert_false(ss_error_is(&err, SS_WHY_TOO_MANY, NULL));

    /* The table reader says which column is missing or not a number. */
    char path[] = "/tmp/survstat_unit_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs("a,b\n1,x\n2,3\n", f);
    fclose(f);
    ss_read_options opt;
    memset(&opt, 0, sizeof opt);
    opt.delimiter = ',';
    ss_table t;
    ss_request nocol[] = {{"a", SS_NEED_NUMBER}, {"c", SS_NEED_NUMBER}};
    memset(&t, 0, sizeof t);
    assert_int_equal(ss_table_read(&t, path, &opt, nocol, 2, &err), SS_EDATA);
    assert_true(ss_error_is(&err, SS_WHY_NO_COLUMN, "c"));
    ss_table_free(&t);
    ss_request badnum[] = {{"a", SS_NEED_NUMBER}, {"b", SS_NEED_NUMBER}};
    memset(&t, 0, sizeof t);
    assert_int_equal(ss_table_read(&t, path, &opt, badnum, 2, &err), SS_EDATA);
    assert_true(ss_error_is(&err, SS_WHY_BAD_NUMBER, "b"));
    assert_non_null(strstr(err.message, "column 'b': invalid number 'x'"));
    ss_table_free(&t);
    remove(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_number_parse),
        cmocka_unit_test(test_display_width),
        cmocka_unit_test(test_dict),
        cmocka_unit_test(test_design_variance),
        cmocka_unit_test(test_error_reason),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
