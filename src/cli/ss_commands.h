/* ss_commands: the subcommands, each in its own cmd_NAME.c, dispatched
 * from the table in main.c.  run returns the exit status (0, 1 data
 * error, 2 usage error). */
#ifndef SS_COMMANDS_H
#define SS_COMMANDS_H

#include <getopt.h>

typedef struct ss_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
    const char *usage;
} ss_command;

int cmd_estimate(int argc, char **argv);
int cmd_describe(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_weight(int argc, char **argv);
int cmd_rates(int argc, char **argv);
int cmd_combine(int argc, char **argv);
int cmd_drivers(int argc, char **argv);
int cmd_trend(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_table(int argc, char **argv);
int cmd_sample(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_model(int argc, char **argv);
extern const char cmd_run_usage[];
extern const char cmd_plot_usage[];
extern const char cmd_trend_usage[];
extern const char cmd_drivers_usage[];
extern const char cmd_combine_usage[];
extern const char cmd_rates_usage[];
extern const char cmd_weight_usage[];
extern const char cmd_estimate_usage[];
extern const char cmd_describe_usage[];
extern const char cmd_test_usage[];
extern const char cmd_table_usage[];
extern const char cmd_sample_usage[];
extern const char cmd_plan_usage[];
extern const char cmd_model_usage[];

/* Under ss_cli_parse (ss_cli.h), which the commands call; defined in
 * cli.c.  The getopt_long table of the command's own options followed by
 * the shared ones (ss_cli_options).  Returns a malloc'd array. */
struct option *ss_command_options(const struct option *own);

/* Report an unknown option or a missing argument, return 2. */
int ss_command_bad_option(const char *cmd, int argc, char **argv);

#endif
