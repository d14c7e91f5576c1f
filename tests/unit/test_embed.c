/* A program embedding survstat through its one public header and
 * libsurvstat.a: the stratified mean of R's apistrat read, designed and
 * estimated as survstat estimate does, against R's svymean (the values of
 * tests/ref/strat_mean.expected.csv). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include "survstat.h"

static int close_rel(double a, double b, double tol)
{
    return fabs(a - b) <= tol * fmax(fabs(a), fabs(b));
}

static void test_embed_strat_mean(void **state)
{
    (void)state;
    gsl_set_error_handler_off();
    ss_design_spec spec = {.weights = "pw", .strata = "stype", .fpc = {"fpc"}, .nfpc = 1};
    ss_estimate_request er = {.stat = SS_STAT_MEAN, .var = "api00"};
    ss_estimate_options o = {.level = 0.95, .df_mode = SS_DF_DESIGN, .deff = 1};
    ss_request req[64];
    size_t nreq = ss_design_requests(&spec, req);
    nreq += ss_estimate_requests(&er, 1, &o, req + nreq);
    ss_read_options ro = {.delimiter = ','};
    ss_table t = {0};
    ss_design d = {0};
    ss_result res;
    ss_result_init(&res);
    ss_error err;
    ss_error_clear(&err);
    assert_int_equal(ss_table_read(&t, "datasets/apistrat.csv", &ro, req, nreq, &err), SS_OK);
    assert_int_equal(ss_design_build(&d, &t, &spec, &err), SS_OK);
    assert_int_equal(ss_estimate_run(&t, &d, &er, 1, &o, &res, &err), SS_OK);
    assert_int_equal(res.n, 1);
    /* R: svymean(~api00, svydesign(~1, strata = ~stype, weights = ~pw,
     * fpc = ~fpc, data = apistrat), deff = TRUE) */
    assert_true(close_rel(res.row[0].estimate, 662.28736315932076, 1e-12));
    assert_true(close_rel(res.row[0].se, 9.4089408027845796, 1e-9));
    assert_true(close_rel(res.row[0].deff, 1.2044572685377168, 1e-9));
    assert_true(res.row[0].df == 197);
    /* An error comes back filled, nothing printed. */
    ss_table t2 = {0};
    assert_int_not_equal(ss_table_read(&t2, "datasets/no_such_file.csv", &ro, req, nreq, &err),
                         SS_OK);
    assert_true(err.code != SS_OK && (strstr(err.file, "no_such_file.csv") || strstr(err.message, "no_such_file.csv")));
    ss_table_free(&t2);
    ss_result_free(&res);
    ss_design_free(&d);
    ss_table_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_embed_strat_mean),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
