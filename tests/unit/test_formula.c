/* Unit tests (cmocka): R's formula rules (term expansion and order, term
 * labels, the intercept) and the model matrix's coding of factors. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ss_formula.h"

/* The term labels of f joined by ' ', "1 " first with an intercept. */
static void labels(const ss_formula *f, char *buf, size_t size)
{
    size_t len = (size_t)snprintf(buf, size, "%s", f->intercept ? "1" : "0");
    for (size_t k = 0; k < f->nterms; k++)
        len += (size_t)snprintf(buf + len, size - len, " %s", f->terms[k].label);
}

static void expect_terms(const char *text, const char *want)
{
    ss_formula f;
    ss_error err;
    ss_error_clear(&err);
    assert_int_equal(ss_formula_parse(text, &f, &err), SS_OK);
    char buf[512];
    labels(&f, buf, sizeof buf);
    if (strcmp(buf, want) != 0)
        fail_msg("%s: got '%s', want '%s'", text, buf, want);
    ss_formula_free(&f);
}

static void test_terms(void **state)
{
    (void)state;
    expect_terms("y ~ x", "1 x");
    /* expressions, labelled as R's deparse writes them */
    expect_terms("y ~ I(age^2) + log(income)", "1 I(age^2) log(income)");
    expect_terms("y ~ I(a+b) + I(a-b) + I(a*b) + I(a/b) + I(-a) + I(+a)",
                 "1 I(a + b) I(a - b) I(a * b) I(a/b) I(-a) I(+a)");
    expect_terms("y ~ I((a+b)^2) + I(-a^2) + I(a^-1) + I(a^2^2) + I((a)) + I(a - -b)",
                 "1 I((a + b)^2) I(-a^2) I(a^-1) I(a^2^2) I((a)) I(a - -b)");
    expect_terms("y ~ I(a*100000) + I(a*123456) + I(a*0.1) + I(a*1e-5) + I(2.50*a) + I(a*1e15)",
                 "1 I(a * 1e+05) I(a * 123456) I(a * 0.1) I(a * 1e-05) I(2.5 * a) I(a * 1e+15)");
    expect_terms("y ~ I(a*0.001) + I(a*1234.5678) + I(.5*a) + I(log(a)^2) + sqrt(exp(a))",
                 "1 I(a * 0.001) I(a * 1234.5678) I(0.5 * a) I(log(a)^2) sqrt(exp(a))");
    expect_terms("y ~ log(a + 1):b + b + log( a+1 )", "1 b log(a + 1) log(a + 1):b");
    expect_terms("y ~ I(`odd name` * 2) + I(a)", "1 I(`odd name` * 2) I(a)");
    expect_terms("y ~ a*b", "1 a b a:b");
    expect_terms("y ~ a:b + a", "1 a a:b");
    expect_terms("y ~ x + stype + stype:x", "1 x stype x:stype");
    expect_terms("y ~ a*b*c", "1 a b c a:b a:c b:c a:b:c");
    expect_terms("y ~ a*b - a:b", "1 a b");
    expect_terms("y ~ x - 1", "0 x");
    expect_terms("y ~ 0 + x", "0 x");
    expect_terms("y ~ x + 0 + 1", "1 x");
    expect_terms("y ~ (a + b):c", "1 a:c b:c");
    expect_terms("y ~ factor(g) + g", "1 factor(g) g");
    expect_terms("y ~ `odd name` + x", "1 odd name x");
    expect_terms("y ~ x + x", "1 x");
}

static void expect_usage(const char *text, const char *msg)
{
    ss_formula f;
    ss_error err;
    ss_error_clear(&err);
    assert_int_equal(ss_formula_parse(text, &f, &err), SS_EUSAGE);
    if (!strstr(err.message, msg))
        fail_msg("%s: '%s' lacks '%s'", text, err.message, msg);
    ss_formula_free(&f);
}

static void test_errors(void **state)
{
    (void)state;
    expect_usage("y ~", "expected a variable name at character 4");
    expect_usage("y x", "expected '~' after the outcome at character 3 (marked ^): 'y ^x'");
    expect_usage("y ~ x +", "expected a variable name at character 8");
    expect_usage("y ~ poly(x, 2)",
                 "only factor(), I(), log(), exp() and sqrt() may be called in a formula at"
                 " character 5 (marked ^): 'y ~ ^poly(x, 2)'");
    expect_usage("y ~ I(poly(x))", "only factor(), I(), log(), exp() and sqrt() may be called"
                                   " in a formula at character 7");
    expect_usage("y ~ log(x, 2)", "one argument expected at character 10");
    expect_usage("y ~ I(x^)", "expected a number, a column or '(' at character 9");
    expect_usage("y ~ I(2x)", "expected a number at character 7");
    expect_usage("y ~ I((x + 1)", "expected ')' at character 14");
    expect_usage("y ~ 2", "a number other than 0 or 1 is not a term");
    expect_usage("y ~ 0", "has no terms and no intercept");
}

static void test_find_term(void **state)
{
    (void)state;
    ss_formula f;
    ss_error err;
    assert_int_equal(ss_formula_parse("y ~ x * stype", &f, &err), SS_OK);
    assert_int_equal(ss_formula_find_term(&f, "stype:x"), 2);
    assert_int_equal(ss_formula_find_term(&f, "x:stype"), 2);
    assert_int_equal(ss_formula_find_term(&f, "stype"), 1);
    assert_int_equal(ss_formula_find_term(&f, "z"), -1);
    ss_formula_free(&f);
}

/* A table by hand: y numbers, x numbers (as categories with values) and
 * g text with levels b, a, c in file order. */
static void test_matrix(void **state)
{
    (void)state;
    ss_column col[3];
    memset(col, 0, sizeof col);
    double y[4] = {1, 2, 3, 4};
    int32_t xcode[4] = {0, 1, 2, -1}, gcode[4] = {0, 1, 2, 0};
    double xnum[3] = {10, 20, 30}, gnum[3] = {NAN, NAN, NAN};
    size_t xcount[3] = {1, 1, 1}, gcount[3] = {2, 1, 1};
    col[0].name = "y";
    col[0].need = SS_NEED_NUMBER;
    col[0].num = y;
    col[0].numeric = 1;
    col[1].name = "x";
    col[1].need = SS_NEED_CATEGORY;
    col[1].code = xcode;
    col[1].level_num = xnum;
    col[1].level_count = xcount;
    col[1].numeric = 1;
    ss_dict_init(&col[1].levels);
    ss_dict_intern(&col[1].levels, "10", 2);
    ss_dict_intern(&col[1].levels, "20", 2);
    ss_dict_intern(&col[1].levels, "30", 2);
    col[2].name = "g";
    col[2].need = SS_NEED_CATEGORY;
    col[2].code = gcode;
    col[2].level_num = gnum;
    col[2].level_count = gcount;
    ss_dict_init(&col[2].levels);
    ss_dict_intern(&col[2].levels, "b", 1);
    ss_dict_intern(&col[2].levels, "a", 1);
    ss_dict_intern(&col[2].levels, "c", 1);
    ss_table t = {0};
    t.file = "t.csv";
    t.nrow = 4;
    t.ncol = 3;
    t.col = col;
    ss_formula f;
    ss_error err;
    ss_model_matrix mm;
    assert_int_equal(ss_formula_parse("y ~ x * g", &f, &err), SS_OK);
    assert_int_equal(ss_model_matrix_build(&f, &t, NULL, NULL, 0, &mm, &err), SS_OK);
    /* the row without x is out; g's reference is a (byte order) */
    assert_int_equal(mm.m, 3);
    assert_int_equal(mm.p, 6);
    const char *names[] = {"(Intercept)", "x", "gb", "gc", "x:gb", "x:gc"};
    for (size_t c = 0; c < 6; c++)
        assert_string_equal(mm.name[c], names[c]);
    /* row 2 (x 30, g c) */
    const double want[6] = {1, 30, 0, 1, 0, 30};
    double x[6];
    ss_model_matrix_row(&mm, 2, x);
    for (size_t c = 0; c < 6; c++)
        assert_true(x[c] == want[c]);
    ss_model_matrix_free(&mm);
    /* --ref g=c; without the intercept the first factor has every level */
    ss_formula_ref ref = {"g", "c"};
    ss_formula_free(&f);
    assert_int_equal(ss_formula_parse("y ~ g - 1", &f, &err), SS_OK);
    assert_int_equal(ss_model_matrix_build(&f, &t, NULL, &ref, 1, &mm, &err), SS_OK);
    assert_int_equal(mm.p, 3);
    assert_string_equal(mm.name[0], "gc");
    assert_string_equal(mm.name[1], "ga");
    assert_string_equal(mm.name[2], "gb");
    ss_model_matrix_free(&mm);
    ss_formula_free(&f);
    ss_dict_free(&col[1].levels);
    ss_dict_free(&col[2].levels);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_terms),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_find_term),
        cmocka_unit_test(test_matrix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
