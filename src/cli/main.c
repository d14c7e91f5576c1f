/* survstat: survey statistics from the command line.  main dispatches to
 * the subcommand named by the first argument (Miller's verb table). */
#include <csv.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_version.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ss_cli.h"
#include "ss_commands.h"
#include "ss_mem.h"
#include "survstat.h"

#ifndef SS_GSL_VERSION
#define SS_GSL_VERSION ""
#endif
#ifndef SS_INIH_VERSION
#define SS_INIH_VERSION ""
#endif
#ifndef SS_RMATH_VERSION
#define SS_RMATH_VERSION ""
#endif

static const ss_command commands[] = {
    {"estimate", "design-based estimates with SE, CI, df, deff, n", cmd_estimate,
     cmd_estimate_usage},
    {"test", "design-based t test and tests of independence (Rao-Scott, Wald)", cmd_test,
     cmd_test_usage},
    {"table", "a weighted cross-table for reports: counts, percentages, marks, flags",
     cmd_table, cmd_table_usage},
    {"describe", "columns, types, missing counts and a design check", cmd_describe,
     cmd_describe_usage},
    {"model", "survey regression: linear, logistic, Poisson (R's svyglm)", cmd_model,
     cmd_model_usage},
    {"drivers", "key drivers: importance, performance and their quadrants", cmd_drivers,
     cmd_drivers_usage},
    {"plot", "charts through gnuplot: bars, Likert, trends, IPA, weights", cmd_plot,
     cmd_plot_usage},
    {"run", "a whole analysis from a spec file, wave after wave", cmd_run, cmd_run_usage},
    {"trend", "the change between waves, with t tests", cmd_trend, cmd_trend_usage},
    {"combine", "a composite estimate from independent samples", cmd_combine,
     cmd_combine_usage},
    {"rates", "AAPOR response, cooperation, refusal and contact rates", cmd_rates,
     cmd_rates_usage},
    {"weight", "the rows plus adjusted weights (nonresponse, post-strata, raking,"
               " calibration, trimming)", cmd_weight, cmd_weight_usage},
    {"sample", "draw a stratified, PPS or two-stage sample from a frame", cmd_sample,
     cmd_sample_usage},
    {"plan", "sample sizes for a target precision, and their allocation", cmd_plan,
     cmd_plan_usage},
};

/* Help lines every command with design options shares, printed after its
 * own usage (a C string literal holds at most 4095 characters, which the
 * longest usages reach). */
static void more_help(const char *name, FILE *fp)
{
    static const char *const subset[] = {"estimate", "test", "table", "model", "drivers", NULL};
    static const char *const pps[] = {"estimate", "test",     "table", "model",
                                      "drivers",  "describe", NULL};
    int has_subset = 0, has_pps = 0;
    for (size_t i = 0; subset[i]; i++)
        has_subset |= strcmp(name, subset[i]) == 0;
    for (size_t i = 0; pps[i]; i++)
        has_pps |= strcmp(name, pps[i]) == 0;
    if (has_subset || has_pps)
        fputs("\nsubpopulations and PPS designs (docs/options.md):\n", fp);
    if (has_subset)
        fputs("  --subset EXPR          the rows where EXPR is TRUE (R's subset(design, EXPR)):\n"
              "                         == != < <= > >=, %in% c(...), is.na(), !, &, |; the\n"
              "                         variance keeps every stratum and PSU\n",
              fp);
    if (has_pps)
        fputs("  --pps brewer|hr|ht|yg  PPS without replacement at the first stage, --fpc\n"
              "                         holding the inclusion probabilities (R's pps=)\n"
              "  --joint-probs FILE     id1,id2,p: joint inclusion probabilities (ht, yg)\n",
              fp);
}

static void usage(FILE *fp)
{
    fputs("usage: survstat COMMAND FILE [options]\n"
          "       survstat COMMAND --help | survstat --help | survstat --version\n\n"
          "Survey statistics that agree with R's survey package.\n\ncommands:\n",
          fp);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(fp, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fputs("\nexit status: 0 success, 1 data or analysis error, 2 usage error\n"
          "'survstat COMMAND --help' describes each command.\n",
          fp);
}

static int finish(int rc)
{
    /* Output errors at exit are errors too (a full disk, a closed pipe);
     * a command that failed has said why already. */
    if ((fflush(stdout) != 0 || ferror(stdout)) && rc == 0) {
        fputs("survstat: write error on standard output\n", stderr);
        return rc ? rc : 1;
    }
    return rc;
}

int main(int argc, char **argv)
{
    ss_mem_init();
    gsl_set_error_handler_off();
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        usage(stdout);
        return finish(0);
    }
    if (strcmp(name, "--version") == 0) {
        /* The libraries as built against (run-time GSL as linked). */
        printf("survstat %s\n", SURVSTAT_VERSION);
        printf("GSL %s (built with %s), libcsv %d.%d.%d, inih %s, R nmath (libRmath) %s\n",
               gsl_version, SS_GSL_VERSION, CSV_MAJOR, CSV_MINOR, CSV_RELEASE,
               SS_INIH_VERSION[0] ? SS_INIH_VERSION : "unknown",
               SS_RMATH_VERSION[0] ? SS_RMATH_VERSION : "unknown");
        return finish(0);
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(name, commands[i].name) == 0) {
            for (int k = 2; k < argc; k++) {
                if (strcmp(argv[k], "--") == 0)
                    break;
                if (strcmp(argv[k], "--help") == 0 || strcmp(argv[k], "-h") == 0) {
                    fputs(commands[i].usage, stdout);
                    more_help(name, stdout);
                    return finish(0);
                }
            }
            return finish(commands[i].run(argc - 1, argv + 1));
        }
    fprintf(stderr, "survstat: unknown command '%s'\n", name);
    usage(stderr);
    return 2;
}
