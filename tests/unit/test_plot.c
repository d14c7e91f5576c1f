/* Unit tests (cmocka) of the gnuplot scripts: the quoting function every
 * string from data or options goes through, and scripts built from hostile
 * labels (no text outside quotes, no line broken by a label). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ss_plot.h"
#include "ss_result.h"

static char *quoted(const char *s, int format, size_t *replaced)
{
    ss_buf b;
    ss_buf_init(&b);
    size_t r = ss_plot_quote_as(&b, s, format);
    if (replaced)
        *replaced = r;
    assert_false(b.failed);
    return b.s;
}

static void check_quote(const char *in, int format, const char *want, size_t want_replaced)
{
    size_t r;
    char *got = quoted(in, format, &r);
    assert_string_equal(got, want);
    assert_int_equal(r, want_replaced);
    free(got);
}

static void test_quote(void **state)
{
    (void)state;
    check_quote("plain", 0, "'plain'", 0);
    check_quote("", 0, "''", 0);
    /* A quote is doubled: the string cannot be closed from inside. */
    check_quote("it's", 0, "'it''s'", 0);
    check_quote("'); system(\"touch X\"); print('", 0,
                "'''); system(\"touch X\"); print('''", 0);
    /* Backquotes, @macros and backslashes are inert in single quotes. */
    check_quote("`touch X` @m \\n \\'", 0, "'`touch X` @m \\n \\'''", 0);
    /* Control characters would end the command: spaces instead. */
    check_quote("a\nb\r\tc\x7f", 0, "'a b  c '", 4);
    /* UTF-8 passes unchanged. */
    check_quote("市南区 满意度", 0, "'市南区 满意度'", 0);
    /* Tic labels are printf formats for gnuplot: % doubled. */
    check_quote("50% %s", 1, "'50%% %%s'", 0);
    check_quote("50% %s", 0, "'50% %s'", 0);
}

static void test_names(void **state)
{
    (void)state;
    ss_plot_type t;
    assert_int_equal(ss_plot_type_parse("likert", &t), 0);
    assert_int_equal(t, SS_PLOT_LIKERT);
    assert_int_equal(ss_plot_type_parse("pie", &t), -1);
    ss_plot_term term;
    assert_int_equal(ss_plot_term_for_path("a/b.PNG", &term), 0);
    assert_int_equal(term, SS_TERM_PNG);
    assert_int_equal(ss_plot_term_for_path("b.svg", &term), 0);
    assert_int_equal(term, SS_TERM_SVG);
    assert_int_equal(ss_plot_term_for_path("b.pdf", &term), 0);
    assert_int_equal(term, SS_TERM_PDF);
    assert_int_equal(ss_plot_term_for_path("b.jpg", &term), -1);
    assert_int_equal(ss_plot_term_for_path("dir.png/b", &term), -1);
}

/* Every line of the script, with its single-quoted strings removed, holds
 * none of the hostile text; no string spans two lines. */
static void assert_safe(const char *script)
{
    const char *p = script;
    while (*p) {
        const char *end = strchr(p, '\n');
        assert_non_null(end);
        char rest[8192];
        size_t n = 0;
        int inside = 0;
        for (const char *c = p; c < end; c++) {
            if (*c == '\'') {
                if (inside && c[1] == '\'') {
                    c++;
                    continue;
                }
                inside = !inside;
            } else if (!inside && n + 1 < sizeof rest) {
                rest[n++] = *c;
            }
        }
        rest[n] = '\0';
        assert_false(inside);
        assert_null(strstr(rest, "system"));
        assert_null(strstr(rest, "`"));
        assert_null(strstr(rest, "@"));
        assert_null(strstr(rest, "PWNED"));
        p = end + 1;
    }
}

static const char *const hostile[] = {
    "x='); system(\"touch PWNED\"); print('",
    "x=`touch PWNED`",
    "x=a\nsystem(\"touch PWNED\")\nEOD",
    "x=@m %s \"; system(\"touch PWNED\") #",
};

static void test_hostile_scripts(void **state)
{
    (void)state;
    ss_result r;
    ss_result_init(&r);
    for (size_t i = 0; i < 4; i++) {
        char level[8];
        snprintf(level, sizeof level, "%zu", i + 1);
        ss_result_row *x = ss_result_add(&r, "prop", "q`touch PWNED`", level, hostile[i]);
        assert_non_null(x);
        assert_int_equal(ss_result_set_str(&x->wave, "1@m"), 0);
        assert_int_equal(ss_result_set_str(&x->flag, i ? "" : "Px'`touch PWNED`"), 0);
        x->estimate = 0.1 * (double)(i + 1);
        x->ci_low = x->estimate - 0.05;
        x->ci_high = x->estimate + 0.05;
    }
    const ss_plot_type types[] = {SS_PLOT_BAR, SS_PLOT_LIKERT, SS_PLOT_TREND};
    for (size_t k = 0; k < 3; k++) {
        ss_plot_options o = {0};
        o.type = types[k];
        o.output = "out'`touch PWNED`.png";
        o.title = "t'); system(\"touch PWNED\")\n`touch PWNED` @m";
        o.font = "F'`touch PWNED`";
        ss_buf b;
        ss_buf_init(&b);
        ss_error err;
        ss_error_clear(&err);
        assert_int_equal(ss_plot_script(&b, &o, &r, &err), SS_OK);
        assert_false(b.failed);
        assert_safe(b.s);
        assert_non_null(strstr(b.s, "set output 'out''`touch PWNED`.png'\n"));
        assert_non_null(strstr(b.s, "set title 't''); system(\"touch PWNED\") `touch PWNED` @m'"));
        ss_buf_free(&b);
    }
    ss_result_free(&r);
}

static void test_weights_script(void **state)
{
    (void)state;
    const double w[] = {1, 2, 3, 4};
    ss_plot_options o = {0};
    o.type = SS_PLOT_WEIGHTS;
    o.output = "w.png";
    ss_buf b;
    ss_buf_init(&b);
    ss_error err;
    ss_error_clear(&err);
    assert_int_equal(ss_plot_weights_script(&b, &o, w, 4, "w`x`", &err), SS_OK);
    /* Kish: (1+2+3+4)^2 / (1+4+9+16) = 100/30. */
    assert_non_null(strstr(b.s, "Kish effective n = 3.3 (deff 1.200)"));
    assert_non_null(strstr(b.s, "set title 'Weights: w`x`'"));
    assert_safe(b.s);
    ss_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quote),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_hostile_scripts),
        cmocka_unit_test(test_weights_script),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
