/* survstat weight: the input rows plus an adjusted weight column, with
 * diagnostics on stderr (CLI.md "Commands", "Weighting options"). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ss_cli.h"
#include "ss_commands.h"
#include "ss_number.h"
#include "ss_weight.h"
#include "ss_writer.h"

const char cmd_weight_usage[] =
    "usage: survstat weight FILE [design options] [weighting options]\n"
    "                       --weight-name NAME [-o OUT.csv]\n"
    "\n"
    "Writes the input rows (as csv) plus the column NAME holding the adjusted\n"
    "weights, and prints diagnostics on stderr: the totals before and after per\n"
    "margin or cell, the iterations, the worst margin's relative error, the\n"
    "weights' min, max and ratio, Kish's design effect 1 + CV^2 and effective n.\n"
    "\n"
    "options:\n"
    "  --weight-name NAME     the new column (must not exist yet)\n"
    "  --nonresponse VARS     weighting classes: within each class the weights\n"
    "                         of nonrespondents go to the respondents\n"
    "  --responded COL        1/0, yes/no or true/false; nonrespondents get 0\n"
    "design options: --weights COL (the base weights) and the others of 'estimate'\n"
    SS_CLI_WEIGHT_HELP
    SS_CLI_REPLICATE_HELP
    "  with --replicate or --repweights, the replicate weights (adjusted by the\n"
    "  weighting options, each on its own) follow NAME as rep1..repR; a full-\n"
    "  sample calibration that does not converge is an error, a replicate's keeps\n"
    "  its last iterate, with a warning naming it and its worst margin (as R's\n"
    "  calibrate on a replicate design)\n"
    "input options: --na [VARS:]CODES, --labels FILE, --codes, -d C, --encoding ENC, --quiet\n"
    "  -o FILE                write FILE whole or not at all (default: stdout)\n"
    "\n"
    "examples:\n"
    "  survstat weight datasets/apiclus1.csv --ids dnum --weights pw --fpc fpc"
    " --rake tests/ref/margins/rake_stype_schwide.csv --weight-name rakew\n"
    "  survstat weight datasets/apistrat.csv --weights pw --trim-weights 20,40"
    " --weight-name trimw\n";

enum {
    OPT_WEIGHT_NAME = SS_OPT_FIRST_COMMAND,
    OPT_NONRESPONSE,
    OPT_RESPONDED,
};

static const struct option own_options[] = {
    {"weight-name", required_argument, NULL, OPT_WEIGHT_NAME},
    {"nonresponse", required_argument, NULL, OPT_NONRESPONSE},
    {"responded", required_argument, NULL, OPT_RESPONDED},
    {NULL, 0, NULL, 0},
};

typedef struct weight_args {
    ss_cli *cli;
    const char **name;
} weight_args;

static int option(void *ctx, int opt, const char *arg, ss_error *err)
{
    weight_args *a = ctx;
    size_t n;
    int rc = SS_OK;
    switch (opt) {
    case OPT_WEIGHT_NAME:
        *a->name = arg;
        break;
    case OPT_NONRESPONSE:
        rc = ss_cli_split(a->cli, arg, ',', a->cli->weight.nonresponse, SS_MAX_CLASSES, &n,
                          "--nonresponse", err);
        a->cli->weight.nnonresponse = n;
        break;
    case OPT_RESPONDED:
        a->cli->weight.responded = arg;
        break;
    default:
        return SS_CLI_NOT_MINE;
    }
    return rc;
}

static int parse(ss_cli *cli, const char **name, const char **file, int argc, char **argv,
                 ss_error *err)
{
    weight_args a = {cli, name};
    int rc = ss_cli_parse(cli, argc, argv, own_options, option, &a, err);
    if (rc != SS_OK)
        return rc; /* < 0: reported */
    if (optind >= argc)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "no input FILE (try 'survstat weight --help')");
    if (argc - optind > 1)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "one input FILE expected, got '%s' too",
                            argv[optind + 1]);
    *file = argv[optind];
    if (!*name)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "--weight-name NAME is required");
    if (!ss_weight_any(&cli->weight) && cli->rep.make == SS_REP_NONE && !cli->rep.regex)
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "nothing to do: give --nonresponse, --poststrat, --rake, "
                            "--calibrate or --trim-weights (or --replicate)");
    return SS_OK;
}

/* The rows as read plus the weight (and, with replicates, the replicate
 * weights rep1..repR after it), as csv, written row by row from the
 * table's texts: no copy of the cells (the output of a 5-million-row file
 * takes a few times its size, not twenty). */
typedef struct weight_out {
    const ss_table *t;
    const ss_design *d;
    const char *name;
} weight_out;

static int write_rows(FILE *fp, void *ctx)
{
    const weight_out *o = ctx;
    const ss_table *t = o->t;
    const size_t nrep = o->d->rep ? o->d->rep->nrep : 0;
    char buf[64];
    for (size_t j = 0; j < t->ncol; j++) {
        ss_csv_field(fp, t->col[j].name);
        fputc(',', fp);
    }
    ss_csv_field(fp, o->name);
    for (size_t k = 0; k < nrep; k++)
        fprintf(fp, ",rep%zu", k + 1);
    fputc('\n', fp);
    for (size_t i = 0; i < t->nrow && !ferror(fp); i++) {
        const char *cell = ss_table_row_text(t, i);
        for (size_t j = 0; j < t->ncol; j++) {
            ss_csv_field(fp, cell);
            fputc(',', fp);
            cell += strlen(cell) + 1;
        }
        ss_number_format(o->d->w[i], buf, sizeof buf);
        fputs(buf, fp);
        for (size_t k = 0; k < nrep; k++) {
            ss_number_format(ss_replicates_weight(o->d->rep, o->d->w, k, i), buf, sizeof buf);
            fputc(',', fp);
            fputs(buf, fp);
        }
        fputc('\n', fp);
    }
    return ferror(fp) ? -1 : 0;
}

/* A weight that overflows to Inf is refused, as every result is. */
static int check_finite_weights(const ss_design *d, const char *name, ss_error *err)
{
    const size_t nrep = d->rep ? d->rep->nrep : 0;
    for (size_t i = 0; i < d->n; i++)
        for (size_t k = 0; k <= nrep; k++) {
            double x = k == 0 ? d->w[i] : ss_replicates_weight(d->rep, d->w, k - 1, i);
            if (isinf(x)) {
                char rn[24];
                snprintf(rn, sizeof rn, "rep%zu", k);
                return ss_error_set(err, SS_EDATA, NULL, 0,
                                    "result row %zu: column '%s' overflows to Inf (weights or "
                                    "values too large for double precision): rescale them",
                                    i + 1, k == 0 ? name : rn);
            }
        }
    return SS_OK;
}

static void diagnostics(const char *file, const ss_design *d, const ss_weight_report *rep)
{
    fprintf(stderr, "survstat weight: %s: %zu rows\n", file, d->n);
    if (rep->nm) {
        size_t width = 6; /* display columns, as the text writer aligns */
        for (size_t i = 0; i < rep->nm; i++)
            if (ss_display_width(rep->m[i].label) > width)
                width = ss_display_width(rep->m[i].label);
        fprintf(stderr, "  %-*s  %15s  %15s  %15s\n", (int)width, "margin", "target", "before",
                "after");
        for (size_t i = 0; i < rep->nm; i++) {
            const char *label = rep->m[i].label;
            size_t w = ss_display_width(label);
            fprintf(stderr, "  %s%*s  %15.7g  %15.7g  %15.7g\n", label, (int)(width - w), "",
                    rep->m[i].target, rep->m[i].before, rep->m[i].after);
        }
    }
    if (rep->worst_label[0])
        fprintf(stderr, "  iterations: %d; worst margin: %s, relative error %.3g\n",
                rep->iterations, rep->worst_label, rep->worst);
    if (rep->trimmed)
        fprintf(stderr, "  trimmed: %zu weights\n", rep->trimmed);
    if (rep->nonrespondents)
        fprintf(stderr, "  nonrespondents: %zu rows now weigh 0\n", rep->nonrespondents);
    double s = 0, s2 = 0, lo = INFINITY, hi = 0;
    size_t npos = 0;
    for (size_t i = 0; i < d->n; i++) {
        double w = d->w[i];
        s += w;
        s2 += w * w;
        if (w > 0) {
            npos++;
            lo = fmin(lo, w);
            hi = fmax(hi, w);
        }
    }
    double kish = (double)npos * s2 / (s * s);
    fprintf(stderr,
            "  weights: sum %.7g, min %.7g, max %.7g, ratio %.4g; Kish deff 1+CV^2 %.4g, "
            "effective n %.1f\n",
            s, lo, hi, hi / lo, kish, s * s / s2);
}

int cmd_weight(int argc, char **argv)
{
    ss_cli cli;
    ss_cli_init(&cli, "weight");
    ss_error err;
    ss_error_clear(&err);
    const char *name = NULL, *file = NULL;
    int rc = parse(&cli, &name, &file, argc, argv, &err);
    if (rc < 0) {
        ss_cli_free(&cli);
        return 2; /* reported by ss_command_bad_option */
    }
    ss_table t = {0};
    ss_design d = {0};
    ss_weight_report rep = {0};
    if (rc == SS_OK) {
        cli.read.all_columns = 1;
        cli.read.keep_text = 1;
        rc = ss_cli_load(&cli, file, NULL, 0, &t, &d, &rep, &err);
    }
    if (rc == SS_OK && ss_table_find(&t, name))
        rc = ss_error_set(&err, SS_EUSAGE, NULL, 0,
                          "--weight-name: column '%s' is already in %s", name, file);
    for (size_t k = 0; rc == SS_OK && d.rep && k < d.rep->nrep; k++) {
        char rn[24];
        snprintf(rn, sizeof rn, "rep%zu", k + 1);
        if (ss_table_find(&t, rn))
            rc = ss_error_set(&err, SS_EUSAGE, NULL, 0,
                              "--replicate: column '%s' is already in %s", rn, file);
    }
    if (rc == SS_OK)
        rc = check_finite_weights(&d, name, &err);
    if (rc == SS_OK) {
        weight_out wo = {&t, &d, name};
        rc = ss_cli_write_with(&cli, write_rows, &wo, &err);
    }
    if (rc == SS_OK)
        diagnostics(file, &d, &rep);
    else
        ss_error_print(&err, "weight");
    ss_weight_report_free(&rep);
    ss_design_free(&d);
    ss_table_free(&t);
    ss_cli_free(&cli);
    return rc;
}
