/* survstat test: design-based two-group t test and tests of independence
 * (CLI.md "test"; R's svyttest and svychisq). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ss_cli.h"
#include "ss_commands.h"
#include "ss_test.h"
#include "ss_writer.h"

const char cmd_test_usage[] =
    "usage: survstat test FILE [design options] --ttest VAR --group COL\n"
    "       survstat test FILE [design options] --chisq ROWVAR,COLVAR [--chisq-stat S]\n"
    "\n"
    "Design-based tests (Taylor or replicate weights), as R's survey package.\n"
    "\n"
    "--ttest is svyttest(VAR ~ COL): the difference in the mean of VAR between\n"
    "the two levels of COL (second minus first; levels ordered numerically when\n"
    "all are numbers, else by bytes), its SE, t, df = PSUs minus strata among\n"
    "the rows used, minus 1, and the two-sided p-value.\n"
    "\n"
    "--chisq is svychisq(~ROWVAR+COLVAR): a test that the two are independent,\n"
    "with K = (r-1)(c-1) for r rows, c columns, nu = PSUs minus strata of the\n"
    "design, and D the matrix of Rao-Scott design effects.  --chisq-stat:\n"
    "  F        (default) F = X2 / tr(D) on d0 and d0 nu df, d0 = tr(D)^2/tr(D^2)\n"
    "  Chisq    statistic = Pearson's X2 of the weighted table scaled to the\n"
    "           number of rows, df1 = K, p from X2 / mean(diag(D)) on K df\n"
    "  Wald     the Wald statistic of the interaction / K, on K and nu df\n"
    "  adjWald  the Wald statistic (nu - K + 1) / (K nu), on K and nu - K + 1 df\n"
    "Wald with a covariance of rank r < K: a generalised inverse, r df.\n"
    "SE 0: statistic Inf or -Inf (json \"Inf\", \"-Inf\"), p = 0.\n"
    "\n"
    "Replicates redo each test on each replicate (R's svrepdesign\n"
    "methods): df = degf - 1 (t), nu = degf.\n"
    "\n"
    "Rows missing a test variable are left out (R's na.rm), their PSUs kept.\n"
    "Columns: test (ttest, chisq-F, -Chisq, -Wald, -adjWald), variable (VAR or\n"
    "ROWVAR), by (COL or COLVAR), estimate and se (t test), statistic, df1,\n"
    "df2 (F tests), p_value.\n"
    "\n"
    "design options:\n"
    "  --weights COL          sampling weights (default 1, or from --fpc as R does)\n"
    "  --strata COL           stratum identifiers\n"
    "  --ids COL[,COL...]     cluster identifiers, one per stage (default: rows)\n"
    "  --fpc COL[,COL...]     per stage: population count (>= 1) or fraction (< 1)\n"
    "  --nest                 PSU ids repeat across strata\n"
    "  --lonely-psu RULE      fail (default), remove, adjust, average, certainty\n"
    SS_CLI_SUBSET_HELP
    SS_CLI_WEIGHT_HELP
    "replicates: --replicate T [--seed N] | --repweights RE --rep-type T\n"
    "  [--rep-scale S] [--mse]; see 'survstat weight --help'\n"
    "input options:\n"
    "  --na [VARS:]CODES      missing codes (9; q1:9), not in design columns\n"
    "  --labels F, --codes    labels of a CSV; show codes, not labels\n"
    "  -d C, --encoding ENC   field separator ('tab'); encoding (e.g. gb18030)\n"
    SS_CLI_QUIET_HELP
    "tests (give one):\n"
    "  --ttest VAR --group COL  two-group t test of the mean of VAR\n"
    "  --chisq ROWVAR,COLVAR  test of independence of two categorical variables\n"
    "  --chisq-stat S         F (default), Chisq, Wald or adjWald\n"
    "options:\n"
    SS_CLI_OUTPUT_HELP
    "  -o FILE                write FILE whole or not at all\n"
    "  --wave LABEL           stamp the row with a wave (a first column)\n"
    "\n"
    "examples:\n"
    "  survstat test datasets/apistrat.csv --strata stype --weights pw --fpc fpc"
    " --ttest api00 --group comp.imp\n"
    "  survstat test datasets/apiclus1.csv --ids dnum --weights pw --fpc fpc"
    " --chisq sch.wide,comp.imp\n"
    "  survstat test datasets/nhanes.csv --ids SDMVPSU --strata SDMVSTRA --weights WTMEC2YR"
    " --nest --chisq race,agecat --chisq-stat adjWald\n"
    "  survstat test datasets/apiclus1.csv --ids dnum --weights pw --replicate jk1"
    " --chisq stype,awards\n";

enum {
    OPT_TTEST = SS_OPT_FIRST_COMMAND,
    OPT_GROUP,
    OPT_CHISQ,
    OPT_CHISQ_STAT,
    OPT_WAVE,
};

static const struct option own_options[] = {
    {"ttest", required_argument, NULL, OPT_TTEST},
    {"group", required_argument, NULL, OPT_GROUP},
    {"chisq", required_argument, NULL, OPT_CHISQ},
    {"chisq-stat", required_argument, NULL, OPT_CHISQ_STAT},
    {"wave", required_argument, NULL, OPT_WAVE},
    {NULL, 0, NULL, 0},
};

typedef struct test_args {
    ss_cli cli;
    const char *file;
    const char *ttest, *group;
    const char *wave;
    const char *chisq[2];
    int have_chisq, stat_set;
    ss_chisq_stat stat;
} test_args;

static int option(void *ctx, int opt, const char *arg, ss_error *err)
{
    test_args *a = ctx;
    size_t n;
    int rc = SS_OK;
    switch (opt) {
    case OPT_TTEST:
        a->ttest = arg;
        break;
    case OPT_GROUP:
        a->group = arg;
        break;
    case OPT_CHISQ: {
        const char *items[3];
        rc = ss_cli_split(&a->cli, arg, ',', items, 3, &n, "--chisq", err);
        if (rc == SS_OK && n != 2)
            rc = ss_error_set(err, SS_EUSAGE, NULL, 0,
                              "--chisq: expected two variables ROWVAR,COLVAR, got '%s'",
                              arg);
        else if (ss_error_is(err, SS_WHY_TOO_MANY, NULL))
            rc = ss_error_set(err, SS_EUSAGE, NULL, 0,
                              "--chisq: expected two variables ROWVAR,COLVAR, got '%s'",
                              arg);
        if (rc == SS_OK && strcmp(items[0], items[1]) == 0)
            rc = ss_error_set(err, SS_EUSAGE, NULL, 0,
                              "--chisq: expected two different variables, got '%s'", arg);
        if (rc == SS_OK) {
            a->chisq[0] = items[0];
            a->chisq[1] = items[1];
            a->have_chisq = 1;
        }
        break;
    }
    case OPT_WAVE:
        a->wave = arg;
        break;
    case OPT_CHISQ_STAT:
        if (ss_chisq_stat_parse(arg, &a->stat) != 0)
            rc = ss_error_set(err, SS_EUSAGE, NULL, 0,
                              "--chisq-stat: expected F, Chisq, Wald or adjWald, got '%s'",
                              arg);
        a->stat_set = 1;
        break;
    default:
        return SS_CLI_NOT_MINE;
    }
    return rc;
}

static int parse_args(test_args *a, int argc, char **argv, ss_error *err)
{
    int rc = ss_cli_parse_file(&a->cli, argc, argv, own_options, option, a, &a->file, err);
    if (rc != SS_OK)
        return rc;
    if (!a->ttest && !a->have_chisq)
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "nothing to test: give --ttest VAR --group COL or"
                            " --chisq ROWVAR,COLVAR");
    if (a->ttest && a->have_chisq)
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "give --ttest or --chisq, not both (one test per run)");
    if (a->ttest && !a->group)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "--ttest needs --group COL");
    if (a->group && !a->ttest)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "--group goes with --ttest VAR");
    if (a->stat_set && !a->have_chisq)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "--chisq-stat goes with --chisq");
    return SS_OK;
}

static int to_grid(const test_args *a, const ss_test_out *o, ss_grid *g, ss_error *err)
{
    static const char *const names[] = {"wave", "test", "variable", "by", "estimate", "se",
                                        "statistic", "df1", "df2", "p_value"};
    static const int isnum[] = {0, 0, 0, 0, 1, 1, 1, 1, 1, 1};
    size_t off = a->wave ? 1 : 0; /* the wave column only with --wave */
    char test[32];
    if (a->ttest)
        snprintf(test, sizeof test, "ttest");
    else
        snprintf(test, sizeof test, "chisq-%s", ss_chisq_stat_name(a->stat));
    ss_cell *row = NULL;
    if (ss_grid_init(g, 9 + off, names + 1 - off, isnum + 1 - off) != 0 ||
        !(row = ss_grid_add_row(g)) || (a->wave && ss_grid_set_text(g, row, 0, a->wave) != 0) ||
        ss_grid_set_text(g, row, off, test) != 0 ||
        ss_grid_set_text(g, row, off + 1, a->ttest ? a->ttest : a->chisq[0]) != 0 ||
        ss_grid_set_text(g, row, off + 2, a->ttest ? a->group : a->chisq[1]) != 0)
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    row += off;
    row[3].num = o->estimate;
    row[4].num = o->se;
    row[5].num = o->statistic;
    row[6].num = o->df1;
    row[7].num = o->df2;
    row[8].num = o->p_value;
    return SS_OK;
}

int cmd_test(int argc, char **argv)
{
    test_args a;
    memset(&a, 0, sizeof a);
    ss_cli_init(&a.cli, "test");
    a.stat = SS_CHISQ_F;

    ss_error err;
    ss_error_clear(&err);
    ss_table t = {0};
    ss_design d = {0};
    ss_grid g = {0};
    ss_test_out o;

    int rc = parse_args(&a, argc, argv, &err);
    if (rc == SS_EUSAGE && err.code == SS_OK) {
        ss_cli_free(&a.cli);
        return 2; /* already reported by ss_command_bad_option */
    }
    if (rc == SS_OK) {
        ss_request req[2];
        if (a.ttest) {
            req[0] = (ss_request){a.ttest, SS_NEED_NUMBER};
            req[1] = (ss_request){a.group, SS_NEED_CATEGORY};
        } else {
            req[0] = (ss_request){a.chisq[0], SS_NEED_CATEGORY};
            req[1] = (ss_request){a.chisq[1], SS_NEED_CATEGORY};
        }
        rc = ss_cli_load(&a.cli, a.file, req, 2, &t, &d, NULL, &err);
    }
    if (rc == SS_OK) {
        if (a.ttest)
            rc = ss_test_ttest_in(&d, a.cli.subset_rows, ss_table_find(&t, a.ttest),
                                  ss_table_find(&t, a.group), &o, &err);
        else
            rc = ss_test_chisq_in(&d, a.cli.subset_rows, ss_table_find(&t, a.chisq[0]),
                                  ss_table_find(&t, a.chisq[1]), a.stat, &o, &err);
        if (rc != SS_OK && err.file[0] == '\0')
            snprintf(err.file, sizeof err.file, "%s", t.file);
    }
    if (rc == SS_OK)
        rc = to_grid(&a, &o, &g, &err);
    if (rc == SS_OK)
        rc = ss_cli_write(&a.cli, &g, &err);
    if (rc == SS_OK && a.have_chisq && o.rank > 0 && o.rank < (o.nlev1 - 1) * (o.nlev2 - 1))
        fprintf(stderr,
                "survstat test: warning: %s: the covariance of the %zu interaction cells has "
                "rank %zu (fewer PSUs than cells?): the Wald test uses its generalised inverse "
                "on %zu df\n",
                a.file, (o.nlev1 - 1) * (o.nlev2 - 1), o.rank, o.rank);
    if (rc == SS_OK && !a.cli.design.weights && !a.cli.design.strata && !a.cli.design.nids &&
        !a.cli.design.nfpc && !ss_weight_any(&a.cli.weight))
        fprintf(stderr,
                "survstat test: warning: %s: no design given: every row weighs 1 and the test "
                "assumes simple random sampling\n",
                a.file);
    if (rc != SS_OK)
        ss_error_print(&err, "test");
    ss_grid_free(&g);
    ss_design_free(&d);
    ss_table_free(&t);
    ss_cli_free(&a.cli);
    return rc;
}
