/* survstat rates: AAPOR outcome rates from call dispositions. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ss_aapor.h"
#include "ss_cli.h"
#include "ss_commands.h"
#include "ss_result.h"
#include "ss_writer.h"

const char cmd_rates_usage[] =
    "usage: survstat rates FILE --disposition COL [--weights COL] [--by COL]\n"
    "                      [--e auto|VALUE] [--wave LABEL] [--format FMT] [-o FILE]\n"
    "\n"
    "The AAPOR Standard Definitions outcome rates RR1-RR6, COOP1-COOP4, REF1-REF3,\n"
    "CON1-CON3 and e from one row per case with its final disposition code:\n"
    "1.1 complete (I), 1.2 partial (P), 2.1x refusal and break-off (R), 2.2x\n"
    "non-contact (NC), 2.3x other (O), 3.1x unknown if household (UH), other 3.x\n"
    "unknown other (UO), 4.x not eligible (NE).  e, the share of unknown cases\n"
    "taken as eligible, is (I+P+R+NC+O)/(I+P+R+NC+O+NE) unless --e gives it.\n"
    "With --weights the counts are sums of weights; with --by the rates are also\n"
    "given per domain (rows with domain empty are the whole file).\n"
    "\n"
    "options:\n"
    "  --disposition COL      the AAPOR code of each case\n"
    "  --weights COL          weighted rates\n"
    "  --by COL               rates per value of COL too\n"
    "  --e auto|VALUE         e for RR3, RR4, REF2, CON2 (default auto)\n"
    "  --wave LABEL           stamp every row with a wave label\n"
    "  --na [VARS:]CODES, --labels FILE, --codes, -d C, --encoding ENC, --format FMT,\n"
    "  -o FILE  as in 'estimate' (formats text, csv, json, md, xlsx, html)\n"
    "\n"
    "example:\n"
    "  survstat rates tests/data/dispositions.csv --disposition code --by district\n";

enum {
    OPT_DISPOSITION = SS_OPT_FIRST_COMMAND,
    OPT_BY,
    OPT_E,
    OPT_WAVE,
};

static const struct option own_options[] = {
    {"disposition", required_argument, NULL, OPT_DISPOSITION},
    {"by", required_argument, NULL, OPT_BY},
    {"e", required_argument, NULL, OPT_E},
    {"wave", required_argument, NULL, OPT_WAVE},
    {NULL, 0, NULL, 0},
};

typedef struct rates_args {
    const char *file, *disposition, *by, *wave;
    double e; /* < 0: auto */
} rates_args;

static int option(void *ctx, int opt, const char *arg, ss_error *err)
{
    rates_args *a = ctx;
    int rc = SS_OK;
    switch (opt) {
    case OPT_DISPOSITION:
        a->disposition = arg;
        break;
    case OPT_BY:
        a->by = arg;
        break;
    case OPT_WAVE:
        a->wave = arg;
        break;
    case OPT_E:
        if (strcmp(arg, "auto") == 0) {
            a->e = -1;
        } else {
            rc = ss_cli_number(arg, "--e", &a->e, err);
            if (rc == SS_OK && !(a->e >= 0 && a->e <= 1))
                rc = ss_error_set(err, SS_EUSAGE, NULL, 0,
                                  "--e: expected auto or a number from 0 to 1, got '%s'", arg);
        }
        break;
    default:
        return SS_CLI_NOT_MINE;
    }
    return rc;
}

static int parse(ss_cli *cli, rates_args *a, int argc, char **argv, ss_error *err)
{
    int rc = ss_cli_parse(cli, argc, argv, own_options, option, a, err);
    if (rc != SS_OK)
        return rc; /* < 0: reported */
    if (optind >= argc)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "no input FILE (try 'survstat rates --help')");
    if (argc - optind > 1)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "one input FILE expected, got '%s' too",
                            argv[optind + 1]);
    a->file = argv[optind];
    if (!a->disposition)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "--disposition COL is required");
    const ss_design_spec *ds = &cli->design;
    if (ds->strata || ds->nids || ds->nfpc || ss_weight_any(&cli->weight))
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "rates takes --weights only, no other design or weighting options");
    return SS_OK;
}

/* Append the 17 rows of one set of counts. */
static int add_rows(ss_grid *g, const rates_args *a, const char *domain, const double *count)
{
    double r[SS_AAPOR_NRATES];
    ss_aapor_rates(count, a->e, r);
    for (size_t k = 0; k < SS_AAPOR_NRATES; k++) {
        ss_cell *row = ss_grid_add_row(g);
        if (!row)
            return -1;
        size_t j = 0;
        if (a->wave && ss_grid_set_text(g, row, j++, a->wave) != 0)
            return -1;
        if (a->by && ss_grid_set_text(g, row, j++, domain) != 0)
            return -1;
        if (ss_grid_set_text(g, row, j++, ss_aapor_names[k]) != 0)
            return -1;
        row[j].num = r[k];
    }
    return 0;
}

static int compute(const ss_table *t, const rates_args *a, const char *weights, ss_grid *g,
                   ss_error *err)
{
    const ss_column *dc = ss_table_find(t, a->disposition);
    const ss_column *wc = weights ? ss_table_find(t, weights) : NULL;
    const ss_column *bc = a->by ? ss_table_find(t, a->by) : NULL;
    size_t nd = bc ? bc->levels.n : 0;
    double *count = calloc((nd + 1) * SS_AAPOR_NCLASS, sizeof *count);
    int32_t *cls = malloc((dc->levels.n ? dc->levels.n : 1) * sizeof *cls);
    if (!count || !cls) {
        free(count);
        free(cls);
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    }
    for (size_t l = 0; l < dc->levels.n; l++)
        cls[l] = ss_aapor_classify(dc->levels.str[l]);
    int rc = SS_OK;
    for (size_t i = 0; i < t->nrow && rc == SS_OK; i++) {
        long line = ss_table_line(t, i);
        int32_t k = dc->code[i];
        char q[200];
        if (k < 0) {
            rc = ss_error_set(err, SS_EDATA, t->file, line, "column '%s': missing disposition",
                              dc->name);
            break;
        }
        if (cls[k] < 0) {
            rc = ss_error_set(err, SS_EDATA, t->file, line,
                              "column '%s': '%s' is not an AAPOR disposition code "
                              "(1.1, 1.2, 2.1x, 2.2x, 2.3x, 3.x, 4.x)",
                              dc->name, ss_error_quote(dc->levels.str[k], dc->levels.len[k], q,
                                                       sizeof q));
            break;
        }
        double w = 1;
        if (wc) {
            w = wc->num[i];
            if (isnan(w) || w < 0) {
                rc = ss_error_set(err, SS_EDATA, t->file, line,
                                  isnan(w) ? "column '%s': missing weight"
                                           : "column '%s': negative weight",
                                  wc->name);
                break;
            }
        }
        count[cls[k]] += w;
        if (bc) {
            if (bc->code[i] < 0) {
                rc = ss_error_set(err, SS_EDATA, t->file, line,
                                  "column '%s': missing value in a --by column", bc->name);
                break;
            }
            count[(size_t)(bc->code[i] + 1) * SS_AAPOR_NCLASS + (size_t)cls[k]] += w;
        }
    }
    if (rc == SS_OK && add_rows(g, a, "", count) != 0)
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    if (rc == SS_OK && bc) {
        int32_t *order = malloc((nd ? nd : 1) * sizeof *order);
        if (!order) {
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        } else {
            size_t no = ss_column_level_order(bc, order);
            for (size_t d = 0; d < no && rc == SS_OK; d++) {
                /* VAR=value, the value quoted as in estimate's domains */
                const char *shown = ss_column_level_name(bc, order[d]);
                size_t nl = strlen(bc->name), vl = strlen(shown);
                char *label = malloc(nl + 2 * vl + 4);
                if (label) {
                    memcpy(label, bc->name, nl);
                    label[nl] = '=';
                    size_t o = ss_result_domain_value(shown, vl,
                                                      label + nl + 1);
                    label[nl + 1 + o] = '\0';
                }
                if (!label ||
                    add_rows(g, a, label, count + (size_t)(order[d] + 1) * SS_AAPOR_NCLASS) != 0)
                    rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
                free(label);
            }
            free(order);
        }
    }
    free(count);
    free(cls);
    return rc;
}

int cmd_rates(int argc, char **argv)
{
    ss_cli cli;
    ss_cli_init(&cli, "rates");
    ss_error err;
    ss_error_clear(&err);
    rates_args a = {0};
    a.e = -1;
    int rc = parse(&cli, &a, argc, argv, &err);
    if (rc < 0) {
        ss_cli_free(&cli);
        return 2;
    }
    ss_table t = {0};
    ss_grid g = {0};
    if (rc == SS_OK) {
        ss_request req[3];
        size_t k = 0;
        req[k++] = (ss_request){a.disposition, SS_NEED_CATEGORY};
        if (cli.design.weights)
            req[k++] = (ss_request){cli.design.weights, SS_NEED_NUMBER};
        if (a.by)
            req[k++] = (ss_request){a.by, SS_NEED_CATEGORY};
        rc = ss_table_read(&t, a.file, &cli.read, req, k, &err);
    }
    if (rc == SS_OK) {
        const char *names[4];
        int isnum[4] = {0};
        size_t n = 0;
        if (a.wave)
            names[n++] = "wave";
        if (a.by)
            names[n++] = "domain";
        names[n++] = "rate";
        isnum[n] = 1;
        names[n++] = "value";
        if (ss_grid_init(&g, n, names, isnum) != 0)
            rc = ss_error_set(&err, SS_EDATA, NULL, 0, "out of memory");
    }
    if (rc == SS_OK)
        rc = compute(&t, &a, cli.design.weights, &g, &err);
    if (rc == SS_OK)
        rc = ss_cli_write(&cli, &g, &err);
    if (rc != SS_OK)
        ss_error_print(&err, "rates");
    ss_grid_free(&g);
    ss_table_free(&t);
    ss_cli_free(&cli);
    return rc;
}
