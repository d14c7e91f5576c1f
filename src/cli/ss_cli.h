/* ss_cli: what the commands share: the input and design options of
 * CLI.md, list splitting, and the output step.
 *
 * The lists that options produce point into copies held by ss_cli, which
 * owns them until ss_cli_free. */
#ifndef SS_CLI_H
#define SS_CLI_H

#include <getopt.h>
#include <stddef.h>

#include "ss_design.h"
#include "ss_error.h"
#include "ss_estimate.h"
#include "ss_replicate.h"
#include "ss_subset.h"
#include "ss_table.h"
#include "ss_weight.h"
#include "ss_writer.h"

enum {
    SS_OPT_WEIGHTS = 1000,
    SS_OPT_STRATA,
    SS_OPT_IDS,
    SS_OPT_FPC,
    SS_OPT_NEST,
    SS_OPT_LONELY,
    SS_OPT_NA,
    SS_OPT_LABELS,
    SS_OPT_CODES,
    SS_OPT_ENCODING,
    SS_OPT_FORMAT,
    SS_OPT_HELP,
    SS_OPT_POSTSTRAT,
    SS_OPT_RAKE,
    SS_OPT_CALIBRATE,
    SS_OPT_CALFUN,
    SS_OPT_BOUNDS,
    SS_OPT_TRIM,
    SS_OPT_MAX_ITER,
    SS_OPT_EPSILON,
    SS_OPT_RAKE_CAP,
    SS_OPT_QUIET,
    SS_OPT_REPLICATE,
    SS_OPT_SEED,
    SS_OPT_REPWEIGHTS,
    SS_OPT_REP_TYPE,
    SS_OPT_REP_SCALE,
    SS_OPT_MSE,
    SS_OPT_SUBSET,
    SS_OPT_PPS,
    SS_OPT_JOINT_PROBS,
    SS_OPT_PERCENT,
    SS_OPT_FIRST_COMMAND, /* commands number their own options from here */
};

typedef struct ss_cli {
    const char *cmd;
    ss_design_spec design;
    ss_read_options read;
    const char *output;      /* -o, NULL for stdout */
    ss_format format;
    int format_set;
    char **owned;            /* copies that lists point into */
    size_t nowned, owned_cap;
    const char **na;
    size_t nna;
    ss_weight_spec weight;   /* the weighting options */
    ss_weight_plan plan;     /* their files, once loaded */
    ss_rep_spec rep;         /* --replicate, --repweights and theirs */
    int rep_type_set;
    int calfun_set, bounds_set;
    int quiet;               /* --quiet: no progress bar */
    ss_subset *subset;       /* --subset EXPR, parsed; NULL when none */
    unsigned char *subset_rows; /* after ss_cli_load: per row 1 in the
                              * subset, 0 outside; NULL without --subset */
    size_t subset_n;         /* rows in the subset */
    int percent;             /* --percent: proportions in percent */
    const char *cmdline;     /* the command line as given (the about sheet) */
    int pack_weights;        /* the command leaves the weights to the design:
                              * without weighting or replicates they may be
                              * read packed (SS_NEED_PACKED) */
} ss_cli;

/* The getopt_long entries of the input, design and output options, ended
 * by a zero entry; a command copies them after its own. */
extern const struct option ss_cli_options[];
#define SS_CLI_SHORT "d:o:h"

void ss_cli_init(ss_cli *c, const char *cmd);
void ss_cli_free(ss_cli *c);

/* Handle one option; returns 1 if it was one of the shared options, 0 if
 * not, or -1 with err filled (a usage error). */
int ss_cli_option(ss_cli *c, int opt, const char *arg, ss_error *err);

/* A command's own options: fn handles one (opt, its argument) and returns
 * SS_OK, an error code with err filled, or SS_CLI_NOT_MINE to leave it to
 * the shared options. */
#define SS_CLI_NOT_MINE (-1)
typedef int (*ss_cli_option_fn)(void *ctx, int opt, const char *arg, ss_error *err);

/* getopt_long over argv with the command's own options, then the shared
 * ones (ss_cli_options): fn (NULL when own is empty) sees every option
 * first, so a command may give a shared option its own meaning;
 * ss_cli_option gets the ones fn leaves.
 * Stops at the first error.  Returns SS_OK with optind at the first
 * operand, an error code with err filled, or SS_CLI_BAD_OPTION once an
 * unknown option or a missing value has been reported on stderr (exit 2). */
#define SS_CLI_BAD_OPTION (-2)
int ss_cli_parse(ss_cli *c, int argc, char **argv, const struct option *own,
                 ss_cli_option_fn fn, void *ctx, ss_error *err);

/* ss_cli_parse, then exactly one operand, the input FILE, into *file.
 * SS_EUSAGE with err clear when ss_cli_parse has reported already. */
int ss_cli_parse_file(ss_cli *c, int argc, char **argv, const struct option *own,
                      ss_cli_option_fn fn, void *ctx, const char **file, ss_error *err);

/* Split "a,b,c" at sep into at most max items; items point into a copy
 * that c owns.  Empty items are a usage error naming the option. */
int ss_cli_split(ss_cli *c, const char *arg, char sep, const char **items,
                 size_t max, size_t *n, const char *option, ss_error *err);

/* Parse a finite number for an option, or fail with a usage error. */
/* NAME of an item "factor(NAME)" (R's way to take a column of numeric
 * codes as categorical), in storage c owns; NULL for any other item. */
const char *ss_cli_factor_name(ss_cli *c, const char *item);
int ss_cli_number(const char *arg, const char *option, double *out, ss_error *err);

/* --level: a confidence level strictly between 0 and 1. */
int ss_cli_level(const char *arg, double *level, ss_error *err);

/* --df design|inf|N into *mode (and *fixed for N > 0), or a usage error. */
int ss_cli_df(const char *arg, ss_df_mode *mode, double *fixed, ss_error *err);
/* A fixed df whose t quantile at level overflows is a usage error. */
int ss_cli_df_check(ss_df_mode mode, double fixed, double level, ss_error *err);

/* survstat run reads a wave's data file once for all its sections.  After
 * ss_cli_share_begin, a first pass of the commands under
 * ss_cli_share_collect(1) only records what each ss_cli_load would read
 * (the loads fail, and the pass runs with stderr silenced); then the first
 * ss_cli_load of that file reads it once with all those columns and every
 * load lends its commands that table (ss_table.borrowed).  A shared read
 * that fails leaves each command to read the file itself, with its own
 * errors.  ss_cli_share_end frees the table. */
void ss_cli_share_begin(void);
void ss_cli_share_collect(int on);
void ss_cli_share_end(void);

/* Read FILE with the columns the design, the weighting, --subset and
 * req[0..nreq) need, build the design and apply the weighting options (rep
 * may be NULL).  --subset is evaluated on the table as read (so the
 * weighting is computed on the whole sample, as R calibrates before
 * subsetting) into c->subset_rows; a subset without rows is an error.  A read that lasts over a second draws a progress bar on stderr
 * when stderr is a terminal and --quiet was not given.  t and d are then the caller's to free. */
int ss_cli_load(ss_cli *c, const char *file, const ss_request *req, size_t nreq,
                ss_table *t, ss_design *d, ss_weight_report *rep, ss_error *err);

/* The replicate options' lines of --help. */
#define SS_CLI_REPLICATE_HELP \
    "replicate weights (R's as.svrepdesign, svrepdesign; every weighting is redone\n" \
    "on each replicate; trimming leaves the rows outside a replicate at zero):\n" \
    "  --replicate jk1|jkn|brr|fay:RHO|bootstrap:R|subbootstrap:R\n" \
    "                         make replicates from the design (--pps brewer: see\n" \
    "                         docs/pps.md)\n" \
    "  --seed N               bootstrap and subbootstrap random numbers (GSL mt19937)\n" \
    "  --repweights REGEX     replicate weight columns in the file (combined)\n" \
    "  --rep-type jk1|jkn|jk2|brr|fay:RHO|bootstrap|sdr|acs|other  their type\n" \
    "                         (sdr: successive difference, scale 4/R; acs: the\n" \
    "                         same with --mse, the ACS and CPS weights)\n" \
    "  --rep-scale S          their scale; --mse  center on the estimate\n"

/* The weighting options' lines of --help. */
/* The --quiet line of --help. */
/* The --subset line of --help. */
#define SS_CLI_SUBSET_HELP \
    "  --subset EXPR          estimate for the rows where EXPR is TRUE (R's subset)\n"

#define SS_CLI_QUIET_HELP \
    "  --quiet                no progress bar (shown on a terminal for long reads)\n"

#define SS_CLI_WEIGHT_HELP \
    "weighting options (applied in this order; SEs account for the calibration):\n" \
    "  --poststrat CELLS.csv  post-stratify: the cell variables, then total\n" \
    "  --rake MARGINS.csv     rake to margins (variable,level,total), R's raking\n" \
    "  --calibrate MARGINS.csv  calibrate; an empty level: a numeric total\n" \
    "  --calfun F             linear (default), raking or logit\n" \
    "  --bounds L,U           bounds on the ratio new/old weight\n" \
    "  --rake-cap C           with --rake: cap weights at C times their mean in\n" \
    "                         every iteration (ANES)\n" \
    "  --trim-weights LOW,HIGH  trim and spread the excess (R's trimWeights)\n" \
    "  --max-iter N, --epsilon E  for the iterative methods (50, 1e-7)\n"


/* The output format: --format, else the -o extension, else text. */
ss_format ss_cli_format(const ss_cli *c);

/* The about list of an xlsx or html output (key, value, ..., NULL): the
 * command line, the design, the confidence level (conf_level, NaN for
 * none), the date (UTC) and the survstat version.  The strings live in buf
 * (size bytes); items holds at least 13 pointers. */
void ss_cli_about(const ss_cli *c, double conf_level, char *buf, size_t size,
                  const char **items);

/* The lines of --help on the output options. */
#define SS_CLI_OUTPUT_HELP \
    "  --format FMT           text, csv, json, md, xlsx, html; --percent: in percent\n"

/* Write g to -o (atomically) or stdout in the chosen format. */
int ss_cli_write(ss_cli *c, const ss_grid *g, ss_error *err);
/* Sheets (xlsx; html a section each) with the about sheet, after the
 * checks of ss_cli_write on g (the rows among them). */
int ss_cli_write_sheets(ss_cli *c, const ss_grid *g, const ss_sheet *s, size_t n, ss_error *err);
/* The same for output that is not a grid: write(fp, ctx) writes it all and
 * returns 0, or -1 on a write error (errno set). */
int ss_cli_write_with(ss_cli *c, int (*write)(FILE *fp, void *ctx), void *ctx, ss_error *err);

#endif
