/* survstat describe: the columns of a file and a check of the design. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ss_cli.h"
#include "ss_replicate.h"
#include "ss_commands.h"
#include "ss_design.h"
#include "ss_writer.h"

const char cmd_describe_usage[] =
    "usage: survstat describe FILE [design options] [input options] [--format FMT] [-o FILE]\n"
    "(--format text, csv, json, md, xlsx: a sheet each for columns and design,\n"
    "html: one page)\n"
    "\n"
    "Lists every column (type, present and missing counts, distinct values, min,\n"
    "max) and checks the design: strata, PSUs per stratum, lonely PSUs (strata\n"
    "with one PSU), weight sum, min, max and Kish's effective sample size\n"
    "(sum w)^2 / sum w^2.  Design, weighting and input options are those of\n"
    "'estimate'; with weighting options the weight summary is of the adjusted\n"
    "weights.\n"
    "In csv the two tables follow each other, separated by an empty line; in\n"
    "json they are the members \"columns\" and \"design\" of one object.\n"
    "\n"
    "A column with a variable label (from an SPSS, Stata or SAS file) shows it\n"
    "in a last column, label.\n"
    "\n"
    "  --codebook   instead: every variable with its type, variable label and\n"
    "               missing-value declarations, and for a categorical one (text,\n"
    "               value labels, or at most 20 distinct numbers) every level with\n"
    "               its code, label, unweighted n and, with --weights, weighted\n"
    "               count and percent (else the percent of the unweighted n);\n"
    "               the rows missing are counted in a level '(missing)'.\n"
    "\n"
    "examples:\n"
    "  survstat describe datasets/apistrat.csv --strata stype --weights pw --fpc fpc\n"
    "  survstat describe datasets/household.sav --codebook --weights weight\n";

enum { OPT_CODEBOOK = SS_OPT_FIRST_COMMAND };

static const struct option own_options[] = {{"codebook", no_argument, NULL, OPT_CODEBOOK},
                                            {NULL, 0, NULL, 0}};

static int option(void *ctx, int opt, const char *arg, ss_error *err)
{
    (void)arg;
    (void)err;
    if (opt != OPT_CODEBOOK)
        return SS_CLI_NOT_MINE;
    *(int *)ctx = 1;
    return SS_OK;
}

/* A categorical column for the codebook: text, value labels, or few
 * distinct numbers. */
enum { CODEBOOK_MAX_NUMBERS = 20 };

static int codebook_row(ss_grid *g, const ss_column *c, const char *type, const char *code,
                        const char *label, double n, double wn, double pct)
{
    ss_cell *row = ss_grid_add_row(g);
    if (!row || ss_grid_set_text(g, row, 0, c->name) || ss_grid_set_text(g, row, 1, type) ||
        ss_grid_set_text(g, row, 2, c->label ? c->label : "") ||
        ss_grid_set_text(g, row, 3, c->missing_decl ? c->missing_decl : "") ||
        ss_grid_set_text(g, row, 4, code) || ss_grid_set_text(g, row, 5, label ? label : ""))
        return -1;
    row[6].num = n;
    row[7].num = wn;
    row[8].num = pct;
    return 0;
}

/* Level l of c2 (the file read with its user-missing values as values) is
 * a declared-missing code: rows hold it there, none in c. */
static int declared_missing(const ss_column *c, const ss_column *c2, size_t l)
{
    if (!c2 || !c2->level_count[l])
        return 0;
    int32_t k = ss_dict_find(&c->levels, c2->levels.str[l], c2->levels.len[l]);
    return k < 0 || c->level_count[k] == 0;
}

/* t2: the file read again with its user-missing values as values, or
 * NULL: its declared-missing codes get their counts. */
static int codebook_grid(ss_grid *g, const ss_table *t, const ss_table *t2, const ss_design *d,
                         int weighted)
{
    static const char *const names[] = {"variable", "type", "variable_label", "missing_values",
                                        "code", "label", "n", "weighted_n", "percent"};
    static const int isnum[] = {0, 0, 0, 0, 0, 0, 1, 1, 1};
    if (ss_grid_init(g, 9, names, isnum) != 0)
        return -1;
    for (size_t j = 0; j < t->ncol; j++) {
        const ss_column *c = &t->col[j];
        const ss_column *c2 = t2 && c->missing_decl ? ss_table_find(t2, c->name) : NULL;
        size_t nl = c->levels.n, distinct = 0;
        for (size_t l = 0; l < nl; l++)
            distinct += c->level_count[l] > 0;
        const char *type = c->numeric && distinct ? "numeric" : distinct ? "categorical" : "empty";
        int categorical = !c->numeric || c->nvlabel || distinct <= CODEBOOK_MAX_NUMBERS;
        double *wsum = calloc(nl + 1, sizeof *wsum);
        int32_t *order = malloc((nl ? nl : 1) * sizeof *order);
        if (!wsum || !order) {
            free(wsum);
            free(order);
            return -1;
        }
        double wall = 0, wmiss = 0;
        for (size_t i = 0; i < t->nrow && i < d->n; i++) {
            if (c->code[i] >= 0)
                wsum[c->code[i]] += d->w[i], wall += d->w[i];
            else
                wmiss += d->w[i];
        }
        double present = (double)(t->nrow - c->nmissing);
        double total = weighted ? wall : present;
        int bad = codebook_row(g, c, type, "", "", present, weighted ? wall : NAN, NAN);
        if (categorical) {
            size_t k = ss_column_level_order(c, order);
            size_t v = 0; /* value labels in code order, merged with the levels */
            for (size_t l = 0; l <= k && !bad; l++) {
                /* labelled codes no row holds, before this level */
                while (v < c->nvlabel &&
                       (l == k || (c->numeric ? c->vlabel[v].num < c->level_num[order[l]]
                                              : strcmp(c->vlabel[v].code,
                                                       c->levels.str[order[l]]) < 0))) {
                    const char *lab = c->vlabel[v].label;
                    int32_t k2 = c2 ? ss_dict_find(&c2->levels, c->vlabel[v].code,
                                                   strlen(c->vlabel[v].code))
                                    : -1;
                    if (k2 >= 0 && declared_missing(c, c2, (size_t)k2)) {
                        v++; /* counted below, with the missing rows */
                        continue;
                    }
                    int32_t k1 = ss_dict_find(&c->levels, c->vlabel[v].code,
                                              strlen(c->vlabel[v].code));
                    if (k1 < 0 || !c->level_count[k1])
                        bad |= codebook_row(g, c, type, c->vlabel[v].code, lab, 0,
                                            weighted ? 0 : NAN, 0);
                    v++;
                }
                if (l == k)
                    break;
                int32_t o = order[l];
                while (v < c->nvlabel && strcmp(c->vlabel[v].code, c->levels.str[o]) == 0)
                    v++;
                double n = (double)c->level_count[o];
                double share = weighted ? wsum[o] : n;
                bad |= codebook_row(g, c, type, c->levels.str[o], ss_column_code_label(c, o), n,
                                    weighted ? wsum[o] : NAN,
                                    total > 0 ? 100 * share / total : NAN);
            }
        }
        double nmiss = (double)c->nmissing;
        if (c2) { /* declared-missing codes, each with its rows */
            int32_t *o2 = malloc((c2->levels.n ? c2->levels.n : 1) * sizeof *o2);
            double *w2 = calloc(c2->levels.n + 1, sizeof *w2);
            bad |= !o2 || !w2;
            size_t k2 = bad ? 0 : ss_column_level_order(c2, o2);
            for (size_t i = 0; !bad && i < t2->nrow && i < d->n; i++)
                if (c2->code[i] >= 0)
                    w2[c2->code[i]] += d->w[i];
            for (size_t l = 0; l < k2 && !bad; l++) {
                if (!declared_missing(c, c2, (size_t)o2[l]))
                    continue;
                double n = (double)c2->level_count[o2[l]];
                nmiss -= n;
                wmiss -= w2[o2[l]];
                bad |= codebook_row(g, c, type, c2->levels.str[o2[l]],
                                    ss_column_code_label(c2, o2[l]), n,
                                    weighted ? w2[o2[l]] : NAN, NAN);
            }
            free(o2);
            free(w2);
        }
        if (!bad && nmiss > 0)
            bad |= codebook_row(g, c, type, "(missing)", "", nmiss,
                                weighted ? wmiss : NAN, NAN);
        free(wsum);
        free(order);
        if (bad)
            return -1;
    }
    return 0;
}

static int column_grid(ss_grid *g, const ss_table *t)
{
    static const char *const names[] = {"column", "type", "present", "missing", "distinct",
                                        "min", "max", "label"};
    static const int isnum[] = {0, 0, 1, 1, 1, 1, 1, 0};
    int labels = 0;
    for (size_t j = 0; j < t->ncol; j++)
        labels |= t->col[j].label != NULL;
    if (ss_grid_init(g, labels ? 8 : 7, names, isnum) != 0)
        return -1;
    for (size_t j = 0; j < t->ncol; j++) {
        const ss_column *c = &t->col[j];
        ss_cell *row = ss_grid_add_row(g);
        if (!row)
            return -1;
        size_t distinct = 0;
        double lo = INFINITY, hi = -INFINITY;
        for (size_t l = 0; l < c->levels.n; l++) {
            if (!c->level_count[l])
                continue;
            distinct++;
            if (c->level_num[l] < lo)
                lo = c->level_num[l];
            if (c->level_num[l] > hi)
                hi = c->level_num[l];
        }
        int numeric = c->numeric && distinct > 0;
        if (ss_grid_set_text(g, row, 0, c->name) != 0 ||
            ss_grid_set_text(g, row, 1, numeric ? "numeric" : distinct ? "categorical" : "empty") != 0)
            return -1;
        row[2].num = (double)(t->nrow - c->nmissing);
        row[3].num = (double)c->nmissing;
        row[4].num = (double)distinct;
        if (numeric) {
            row[5].num = lo;
            row[6].num = hi;
        }
        if (labels && ss_grid_set_text(g, row, 7, c->label ? c->label : "") != 0)
            return -1;
    }
    return 0;
}

static int add_item(ss_grid *g, const char *item, double num, const char *text)
{
    ss_cell *row = ss_grid_add_row(g);
    if (!row)
        return -1;
    if (!text) { /* a number: 7 digits in text and md, 17 in csv and json */
        row[1].num = num;
        return ss_grid_set_text(g, row, 0, item) ? -1 : 0;
    }
    return ss_grid_set_text(g, row, 0, item) || ss_grid_set_text(g, row, 1, text) ? -1 : 0;
}

static int design_grid(ss_grid *g, const ss_table *t, const ss_design *d)
{
    static const char *const names[] = {"check", "value"};
    static const int isnum[] = {0, 0};
    if (ss_grid_init(g, 2, names, isnum) != 0)
        return -1;
    double sw = 0, sw2 = 0, lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < d->n; i++) {
        sw += d->w[i];
        sw2 += d->w[i] * d->w[i];
        lo = d->w[i] < lo ? d->w[i] : lo;
        hi = d->w[i] > hi ? d->w[i] : hi;
    }
    int bad = 0;
    bad |= add_item(g, "rows", (double)t->nrow, NULL);
    for (size_t s = 0; s < d->nstage || (s == 0); s++) {
        const ss_stage *st = &d->stage[s];
        char item[64];
        if (s == 0) {
            bad |= add_item(g, "strata", (double)st->nstrata, NULL);
            bad |= add_item(g, "psus", (double)st->nunit, NULL);
        } else {
            snprintf(item, sizeof item, "stage %zu units", s + 1);
            bad |= add_item(g, item, (double)st->nunit, NULL);
        }
        uint32_t mn = UINT32_MAX, mx = 0;
        size_t lonely = 0;
        char list[1024] = "";
        size_t o = 0;
        for (size_t h = 0; h < st->nstrata; h++) {
            uint32_t k = st->npsu[h];
            if (k == 0)
                continue;
            mn = k < mn ? k : mn;
            mx = k > mx ? k : mx;
            /* A lonely unit matters unless the stratum is a census. */
            if (k == 1 && !(st->popsize[h] == 1)) {
                lonely++;
                char lab[256];
                ss_design_stratum_label(d, s + 1, h, lab, sizeof lab);
                if (o + strlen(lab) + 8 < sizeof list)
                    o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", o ? ", " : "", lab);
                else if (o + 4 < sizeof list && list[o - 1] != '.')
                    o += (size_t)snprintf(list + o, sizeof list - o, "...");
            }
        }
        snprintf(item, sizeof item, s == 0 ? "psus per stratum (min)" : "stage %zu units per unit (min)", s + 1);
        bad |= add_item(g, item, mn == UINT32_MAX ? 0 : mn, NULL);
        snprintf(item, sizeof item, s == 0 ? "psus per stratum (max)" : "stage %zu units per unit (max)", s + 1);
        bad |= add_item(g, item, mx, NULL);
        snprintf(item, sizeof item, s == 0 ? "lonely psus" : "stage %zu lonely units", s + 1);
        bad |= add_item(g, item, (double)lonely, NULL);
        if (lonely) {
            snprintf(item, sizeof item, s == 0 ? "lonely strata" : "stage %zu lonely in", s + 1);
            bad |= add_item(g, item, 0, list);
        }
    }
    bad |= add_item(g, "design df", d->df, isnan(d->df) ? "none" : NULL);
    if (d->rep) { /* the df above is then the replicates' (R's degf) */
        bad |= add_item(g, "replicates", (double)d->rep->nrep, NULL);
        bad |= add_item(g, "replicate scale", d->rep->scale, NULL);
    }
    bad |= add_item(g, "weight sum", sw, NULL);
    bad |= add_item(g, "weight min", lo, NULL);
    bad |= add_item(g, "weight max", hi, NULL);
    bad |= add_item(g, "weight max/min", lo > 0 ? hi / lo : INFINITY, NULL);
    bad |= add_item(g, "kish effective n", sw2 > 0 ? sw * sw / sw2 : 0, NULL);
    bad |= add_item(g, "kish design effect", sw > 0 ? (double)d->n * sw2 / (sw * sw) : NAN, NULL);
    if (d->weights_from_fpc)
        bad |= add_item(g, "weights", 0, "from the fpc");
    return bad ? -1 : 0;
}

static int write_both(ss_cli *c, const ss_grid *cols, const ss_grid *des, ss_error *err)
{
    if (!des) { /* the codebook alone */
        ss_format f = ss_cli_format(c);
        ss_output out;
        int rc = ss_output_open(&out, c->output, err);
        if (rc != SS_OK)
            return rc;
        if (f == SS_FMT_MD)
            fputs("## Codebook\n\n", out.fp);
        int bad;
        if (f == SS_FMT_XLSX || f == SS_FMT_HTML) {
            char buf[8192];
            const char *about[16];
            ss_cli_about(c, NAN, buf, sizeof buf, about);
            ss_write_opts o = {c->percent, "survstat describe --codebook", about, NULL};
            const ss_sheet sheets[] = {{"codebook", cols}};
            bad = ss_sheets_write(out.fp, f, sheets, 1, &o);
        } else {
            bad = ss_grid_write(out.fp, cols, f);
        }
        if (bad || ferror(out.fp)) {
            ss_output_abort(&out);
            return ss_error_set(err, SS_EDATA, NULL, 0, "write error on %s",
                                c->output ? c->output : "standard output");
        }
        return ss_output_commit(&out, err);
    }
    ss_format f = ss_cli_format(c);
    ss_output out;
    int rc = ss_output_open(&out, c->output, err);
    if (rc != SS_OK)
        return rc;
    FILE *fp = out.fp;
    int bad = 0;
    char buf[8192];
    const char *about[16];
    ss_cli_about(c, NAN, buf, sizeof buf, about);
    ss_write_opts o = {c->percent, "survstat describe", about, NULL};
    const ss_sheet sheets[] = {{"columns", cols}, {"design", des}};
    switch (f) {
    case SS_FMT_XLSX:
    case SS_FMT_HTML:
        bad |= ss_sheets_write(fp, f, sheets, 2, &o);
        break;
    case SS_FMT_JSON:
        fputs("{\"columns\": ", fp);
        bad |= ss_grid_write(fp, cols, f);
        fputs(", \"design\": ", fp);
        bad |= ss_grid_write(fp, des, f);
        fputs("}\n", fp);
        break;
    case SS_FMT_MD:
        fputs("## Columns\n\n", fp);
        bad |= ss_grid_write(fp, cols, f);
        fputs("\n## Design\n\n", fp);
        bad |= ss_grid_write(fp, des, f);
        break;
    case SS_FMT_CSV:
        bad |= ss_grid_write(fp, cols, f);
        fputs("\n", fp);
        bad |= ss_grid_write(fp, des, f);
        break;
    default:
        fputs("columns\n\n", fp);
        bad |= ss_grid_write(fp, cols, f);
        fputs("\ndesign\n\n", fp);
        bad |= ss_grid_write(fp, des, f);
        break;
    }
    if (bad || ferror(fp)) {
        ss_output_abort(&out);
        return ss_error_set(err, SS_EDATA, NULL, 0, "write error on %s",
                            c->output ? c->output : "standard output");
    }
    return ss_output_commit(&out, err);
}

int cmd_describe(int argc, char **argv)
{
    ss_cli cli;
    ss_cli_init(&cli, "describe");
    ss_error err;
    ss_error_clear(&err);
    int codebook = 0;
    int rc = ss_cli_parse(&cli, argc, argv, own_options, option, &codebook, &err);
    if (rc == SS_CLI_BAD_OPTION) {
        ss_cli_free(&cli);
        return 2;
    }
    if (rc == SS_OK && optind != argc - 1)
        rc = ss_error_set(&err, SS_EUSAGE, NULL, 0,
                          optind >= argc ? "no input FILE (try 'survstat describe --help')"
                                         : "one input FILE expected");
    ss_table t = {0};
    ss_design d = {0};
    ss_grid cols = {0}, des = {0};
    if (rc == SS_OK) {
        cli.read.all_columns = 1;
        rc = ss_cli_load(&cli, argv[optind], NULL, 0, &t, &d, NULL, &err);
    }
    ss_table t2 = {0};
    int have_t2 = 0;
    if (rc == SS_OK && codebook) {
        int decl = 0;
        for (size_t j = 0; j < t.ncol; j++)
            decl |= t.col[j].missing_decl != NULL;
        if (decl) { /* again, the user-missing values as values */
            ss_read_options ro = cli.read;
            ro.user_missing_values = 1;
            ro.nna = 0;
            ro.progress = NULL;
            rc = ss_table_read(&t2, argv[optind], &ro, NULL, 0, &err);
            have_t2 = 1;
        }
    }
    if (rc == SS_OK && codebook) {
        if (codebook_grid(&cols, &t, have_t2 ? &t2 : NULL, &d, cli.design.weights != NULL) != 0)
            rc = ss_error_set(&err, SS_EDATA, NULL, 0, "out of memory");
        else
            rc = write_both(&cli, &cols, NULL, &err);
    } else if (rc == SS_OK) {
        if (column_grid(&cols, &t) != 0 || design_grid(&des, &t, &d) != 0)
            rc = ss_error_set(&err, SS_EDATA, NULL, 0, "out of memory");
        else
            rc = write_both(&cli, &cols, &des, &err);
    }
    if (rc != SS_OK)
        ss_error_print(&err, "describe");
    ss_grid_free(&cols);
    ss_grid_free(&des);
    ss_design_free(&d);
    ss_table_free(&t2);
    ss_table_free(&t);
    ss_cli_free(&cli);
    return rc;
}
