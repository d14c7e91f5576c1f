/* survstat table: a weighted cross-table for reports (CLI.md "Tables";
 * docs/table.md); layer cli.  The numbers come from ss_xtab (stats), the
 * test of independence from ss_test_chisq; this file parses the options,
 * makes the --by layers (row masks) and writes the tidy rows (csv, json)
 * or the wide table (text, md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ss_cli.h"
#include "ss_commands.h"
#include "ss_test.h"
#include "ss_writer.h"
#include "ss_xtab.h"

const char cmd_table_usage[] =
    "usage: survstat table FILE [design options] --rows VAR|--mrset NAME=VARS [--cols VAR]\n"
    "       [--percent row|col|cell] [--count] [--by VARS] [--flags nchs|statcan|ons]\n"
    "       [--suppress] [--mark total|LEVEL]\n"
    "\n"
    "A weighted cross-table as a report prints it: each cell's population count\n"
    "(R's svytotal(~interaction(VAR, COLVAR))) and the chosen percentage with\n"
    "intervals (svyby + svymean, svyciprop), a total row and column, and the\n"
    "Rao-Scott F test of independence (as 'survstat test --chisq').  Rows missing\n"
    "VAR or COLVAR are left out and keep their PSUs.\n"
    "\n"
    "table options:\n"
    "  --rows VAR             the row variable (categories, in code order)\n"
    "  --cols VAR             the column variable (without it: a one-way table)\n"
    "  --percent P            row (default with --cols), col (default without) or\n"
    "                         cell percentages\n"
    "  --count                show the weighted counts in the wide table too (alone\n"
    "                         when --percent is not given)\n"
    "  --by VARS              one table per combination of their levels (layers)\n"
    "  --flags F              nchs (NCHS 2017: Px, Pc, Pdf, P0), statcan (E: CV\n"
    "                         16.6-33.3%, F: over 33.3% or n < 10), ons (u: CV >= 20%)\n"
    "  --suppress             blank (x) cells flagged Px or F, and a second cell\n"
    "                         where a row's or column's total would reveal one\n"
    "  --mark total           * where a percentage differs from the Total row's\n"
    "                         (column's): design-based t test at --level\n"
    "  --mark LEVEL           with --percent col: compare each column with LEVEL\n"
    "  --level 0.95           confidence level (and the marks' test level)\n"
    "  --df design|inf|N      df of the intervals and tests (default: the design's)\n"
    "  --ci-method M          logit (default), wald, beta, korn-graubard, likelihood,\n"
    "                         asin, xlogit or wilson\n"
    "  --wave LABEL           stamp every row with a wave label\n"
    "  --mrset NAME=VARS      in place of --rows: a multiple-response set (0/1 or\n"
    "                         answered/blank items): counts, % of cases, % of responses\n"
    "\n"
    "design options:\n"
    "  --weights COL          sampling weights (default 1, or from --fpc as R does)\n"
    "  --strata COL           stratum identifiers\n"
    "  --ids COL[,COL...]     cluster identifiers, one per stage (default: rows)\n"
    "  --fpc COL[,COL...]     per stage: population count (>= 1) or fraction (< 1)\n"
    "  --nest                 PSU ids repeat across strata\n"
    "  --lonely-psu RULE      fail (default), remove, adjust, average, certainty\n"
    SS_CLI_WEIGHT_HELP
    "replicates: --replicate T [--seed N] | --repweights RE --rep-type T (not --mrset)\n"
    "input options: --na CODES, -d C, --encoding ENC, --quiet (see 'survstat\n"
    "estimate --help')\n"
    "output:\n"
    "  --format FMT           text, csv, json or md (default: from -o, else text)\n"
    "  -o FILE                write FILE whole or not at all\n"
    "csv and json: tidy rows (statistic count, pct_row, pct_col or pct_cell;\n"
    "domain COLVAR=level; a column mark); text and md: the wide table.  See\n"
    "docs/table.md.\n"
    "\n"
    "examples:\n"
    "  survstat table datasets/apistrat.csv --strata stype --weights pw --fpc fpc"
    " --rows stype --cols awards --mark total\n"
    "  survstat table datasets/apiclus1.csv --ids dnum --weights pw --fpc fpc"
    " --rows sch.wide --cols awards --percent col --format csv\n"
    "  survstat table datasets/nhanes.csv --ids SDMVPSU --strata SDMVSTRA --weights WTMEC2YR"
    " --nest --rows race --cols agecat --flags nchs --suppress\n";

enum {
    OPT_ROWS = SS_OPT_FIRST_COMMAND,
    OPT_COLS,
    OPT_PERCENT,
    OPT_COUNT,
    OPT_BY,
    OPT_FLAGS,
    OPT_SUPPRESS,
    OPT_MARK,
    OPT_LEVEL,
    OPT_DF,
    OPT_CI_METHOD,
    OPT_WAVE,
    OPT_MRSET,
};

static const struct option own_options[] = {
    {"rows", required_argument, NULL, OPT_ROWS},
    {"cols", required_argument, NULL, OPT_COLS},
    {"percent", required_argument, NULL, OPT_PERCENT},
    {"count", no_argument, NULL, OPT_COUNT},
    {"by", required_argument, NULL, OPT_BY},
    {"flags", required_argument, NULL, OPT_FLAGS},
    {"suppress", no_argument, NULL, OPT_SUPPRESS},
    {"mark", required_argument, NULL, OPT_MARK},
    {"level", required_argument, NULL, OPT_LEVEL},
    {"df", required_argument, NULL, OPT_DF},
    {"ci-method", required_argument, NULL, OPT_CI_METHOD},
    {"wave", required_argument, NULL, OPT_WAVE},
    {"mrset", required_argument, NULL, OPT_MRSET},
    {NULL, 0, NULL, 0},
};

#define MAX_BY 8
#define MAX_ITEMS 256

typedef struct table_args {
    ss_cli cli;
    const char *file;
    const char *rows, *cols, *wave, *mark;
    const char *by[MAX_BY];
    size_t nby;
    int percent_set, count;
    ss_xtab_options o;
    const char *mr_name;            /* --mrset NAME=VARS */
    const char *mr_items[MAX_ITEMS];
    size_t nmr;
} table_args;

static int option(void *ctx, int opt, const char *arg, ss_error *err)
{
    table_args *a = ctx;
    int rc = SS_OK;
    switch (opt) {
    case OPT_ROWS:
        a->rows = arg;
        break;
    case OPT_COLS:
        a->cols = arg;
        break;
    case OPT_PERCENT:
        a->percent_set = 1;
        if (strcmp(arg, "row") == 0)
            a->o.pct = SS_XTAB_ROW;
        else if (strcmp(arg, "col") == 0)
            a->o.pct = SS_XTAB_COL;
        else if (strcmp(arg, "cell") == 0)
            a->o.pct = SS_XTAB_CELL;
        else
            rc = ss_error_set(err, SS_EUSAGE, NULL, 0,
                              "--percent: expected row, col or cell, got '%s'", arg);
        break;
    case OPT_COUNT:
        a->count = 1;
        break;
    case OPT_BY:
        rc = ss_cli_split(&a->cli, arg, ',', a->by, MAX_BY, &a->nby, "--by", err);
        break;
    case OPT_FLAGS:
        if (strcmp(arg, "nchs") == 0)
            a->o.flags = SS_XTAB_FLAGS_NCHS;
        else if (strcmp(arg, "statcan") == 0)
            a->o.flags = SS_XTAB_FLAGS_STATCAN;
        else if (strcmp(arg, "ons") == 0)
            a->o.flags = SS_XTAB_FLAGS_ONS;
        else
            rc = ss_error_set(err, SS_EUSAGE, NULL, 0,
                              "--flags: expected nchs, statcan or ons, got '%s'", arg);
        break;
    case OPT_SUPPRESS:
        a->o.suppress = 1;
        break;
    case OPT_MARK:
        a->mark = arg;
        a->o.mark = strcmp(arg, "total") == 0 ? SS_XTAB_MARK_TOTAL : SS_XTAB_MARK_REF;
        break;
    case OPT_LEVEL:
        rc = ss_cli_level(arg, &a->o.level, err);
        break;
    case OPT_DF:
        rc = ss_cli_df(arg, &a->o.df_mode, &a->o.df_fixed, err);
        break;
    case OPT_CI_METHOD:
        if (ss_ci_method_parse(arg, &a->o.ci_method) != 0)
            rc = ss_error_set(err, SS_EUSAGE, NULL, 0,
                              "--ci-method: expected logit, wald, beta, korn-graubard,"
                              " likelihood, asin, xlogit or wilson, got '%s'", arg);
        break;
    case OPT_WAVE:
        a->wave = arg;
        break;
    case OPT_MRSET: {
        const char *parts[2];
        size_t k;
        rc = ss_cli_split(&a->cli, arg, '=', parts, 2, &k, "--mrset", err);
        if (rc == SS_OK && k != 2)
            rc = ss_error_set(err, SS_EUSAGE, NULL, 0,
                              "--mrset: expected NAME=VAR,VAR,..., got '%s'", arg);
        if (rc == SS_OK)
            rc = ss_cli_split(&a->cli, parts[1], ',', a->mr_items, MAX_ITEMS, &a->nmr, "--mrset",
                              err);
        a->mr_name = parts[0];
        break;
    }
    default:
        return SS_CLI_NOT_MINE;
    }
    return rc;
}

static int parse_args(table_args *a, int argc, char **argv, ss_error *err)
{
    int rc = ss_cli_parse_file(&a->cli, argc, argv, own_options, option, a, &a->file, err);
    if (rc != SS_OK)
        return rc;
    if (a->mr_name) {
        if (a->rows)
            return ss_error_set(err, SS_EUSAGE, NULL, 0,
                                "give --rows or --mrset, not both (the set's items are its rows)");
        if (a->percent_set || a->count || a->mark || a->o.flags || a->o.suppress)
            return ss_error_set(err, SS_EUSAGE, NULL, 0,
                                "--mrset gives counts, %% of cases and %% of responses: --percent, "
                                "--count, --mark, --flags and --suppress do not apply");
        for (size_t i = 0; i < a->nmr; i++)
            if ((a->cols && strcmp(a->mr_items[i], a->cols) == 0))
                return ss_error_set(err, SS_EUSAGE, NULL, 0,
                                    "--mrset: '%s' is also --cols", a->mr_items[i]);
        a->rows = a->mr_name; /* the variable of its rows */
        return SS_OK;
    }
    if (!a->rows)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "no table: give --rows VAR (and --cols VAR)");
    if (a->cols && strcmp(a->cols, a->rows) == 0)
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "--rows and --cols: expected two different variables, got '%s' twice",
                            a->rows);
    for (size_t i = 0; i < a->nby; i++)
        if (strcmp(a->by[i], a->rows) == 0 || (a->cols && strcmp(a->by[i], a->cols) == 0))
            return ss_error_set(err, SS_EUSAGE, NULL, 0,
                                "--by: '%s' is already the table's rows or columns", a->by[i]);
    if (!a->percent_set)
        a->o.pct = a->cols ? SS_XTAB_ROW : SS_XTAB_COL;
    if (!a->cols && a->o.pct == SS_XTAB_ROW)
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "--percent row needs --cols COLVAR (a one-way table has col and "
                            "cell percentages)");
    if (a->mark && !a->cols)
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "--mark needs --cols COLVAR (it compares cells with the totals)");
    if (a->mark && a->o.pct == SS_XTAB_CELL)
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "--mark needs --percent row or col (cell percentages have no "
                            "total to compare with)");
    if (a->o.mark == SS_XTAB_MARK_REF && a->o.pct != SS_XTAB_COL)
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "--mark %s compares columns: it needs --percent col", a->mark);
    if (a->o.suppress && a->o.flags == SS_XTAB_FLAGS_NONE)
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "--suppress needs --flags nchs|statcan|ons (the flags decide)");
    if (ss_cli_df_check(a->o.df_mode, a->o.df_fixed, a->o.level, err) != SS_OK)
        return SS_EUSAGE;
    a->o.suppress_counts = a->count && !a->percent_set;
    return SS_OK;
}

/* ---- layers ---------------------------------------------------------- */

typedef struct layers {
    size_t n;            /* layers */
    size_t *key;         /* per row: its layer's key, SIZE_MAX when a by is missing */
    size_t *keys;        /* per layer: its key, ascending */
    char **label;        /* per layer: "by1=a;by2=b" */
} layers;

static void layers_free(layers *l)
{
    for (size_t i = 0; i < l->n && l->label; i++)
        free(l->label[i]);
    free(l->label);
    free(l->key);
    free(l->keys);
}

static int cmp_size(const void *x, const void *y)
{
    size_t a = *(const size_t *)x, b = *(const size_t *)y;
    return a < b ? -1 : a > b;
}

/* Append "VAR=value" (after a ';' when s is not empty) to s (size bytes),
 * the value as shown (its label unless --codes) and quoted as estimate
 * quotes domain values. */
static void domain_append(char *s, size_t size, const char *var, const ss_column *col,
                          int32_t code)
{
    const char *v = ss_column_level_name(col, code);
    size_t o = strlen(s), vl = strlen(v);
    char *q = malloc(2 * vl + 3);
    if (!q)
        return;
    q[ss_result_domain_value(v, vl, q)] = '\0';
    snprintf(s + o, size - o, "%s%s=%s", o ? ";" : "", var, q);
    free(q);
}

/* The combinations of the --by columns' levels present in the rows, in
 * the columns' level orders (the first --by varies slowest). */
static int make_layers(const ss_table *t, const char *const *by, size_t nby, layers *l,
                       ss_error *err)
{
    memset(l, 0, sizeof *l);
    const ss_column *col[MAX_BY];
    int32_t *pos[MAX_BY] = {0}, *ord[MAX_BY] = {0};
    size_t nlev[MAX_BY], radix = 1;
    int rc = SS_OK;
    for (size_t j = 0; j < nby; j++) {
        col[j] = ss_table_find(t, by[j]);
        size_t nl = col[j]->levels.n;
        ord[j] = malloc((nl ? nl : 1) * sizeof *ord[j]);
        pos[j] = malloc((nl ? nl : 1) * sizeof *pos[j]);
        if (!ord[j] || !pos[j])
            goto nomem;
        nlev[j] = ss_column_level_order(col[j], ord[j]);
        for (size_t k = 0; k < nl; k++)
            pos[j][k] = -1;
        for (size_t k = 0; k < nlev[j]; k++)
            pos[j][ord[j][k]] = (int32_t)k;
        if (nlev[j] > 0 && radix > SIZE_MAX / 2 / nlev[j]) {
            rc = ss_error_set(err, SS_EUSAGE, NULL, 0, "--by: too many combinations of levels");
            goto out;
        }
        radix *= nlev[j] ? nlev[j] : 1;
    }
    l->key = malloc((t->nrow ? t->nrow : 1) * sizeof *l->key);
    size_t *sorted = malloc((t->nrow ? t->nrow : 1) * sizeof *sorted);
    if (!l->key || !sorted) {
        free(sorted);
        goto nomem;
    }
    size_t ns = 0;
    for (size_t i = 0; i < t->nrow; i++) {
        size_t k = 0;
        for (size_t j = 0; j < nby && k != SIZE_MAX; j++) {
            int32_t cd = col[j]->code[i];
            int32_t p = cd >= 0 ? pos[j][cd] : -1;
            k = p < 0 ? SIZE_MAX : k * nlev[j] + (size_t)p;
        }
        l->key[i] = k;
        if (k != SIZE_MAX)
            sorted[ns++] = k;
    }
    qsort(sorted, ns, sizeof *sorted, cmp_size);
    l->keys = malloc((ns ? ns : 1) * sizeof *l->keys);
    if (!l->keys) {
        free(sorted);
        goto nomem;
    }
    for (size_t i = 0; i < ns; i++)
        if (i == 0 || sorted[i] != sorted[i - 1])
            l->keys[l->n++] = sorted[i];
    free(sorted);
    l->label = calloc(l->n ? l->n : 1, sizeof *l->label);
    if (!l->label)
        goto nomem;
    for (size_t L = 0; L < l->n; L++) {
        size_t k = l->keys[L], idx[MAX_BY];
        for (size_t j = nby; j-- > 0;) {
            idx[j] = k % nlev[j];
            k /= nlev[j];
        }
        size_t len = 1;
        for (size_t j = 0; j < nby; j++)
            len += strlen(by[j]) + 2 * strlen(ss_column_level_name(col[j], ord[j][idx[j]])) + 4;
        char *s = malloc(len);
        if (!s)
            goto nomem;
        s[0] = '\0';
        for (size_t j = 0; j < nby; j++)
            domain_append(s, len, by[j], col[j], ord[j][idx[j]]);
        l->label[L] = s;
    }
    goto out;
nomem:
    rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
out:
    for (size_t j = 0; j < nby; j++) {
        free(pos[j]);
        free(ord[j]);
    }
    return rc;
}

/* ---- one layer's table and its test ------------------------------------ */

typedef struct layer_out {
    ss_xtab x;
    ss_xtab_mr *mr;       /* --mrset: ss_xtab_mrset's entries */
    size_t mr_nc, ncases;
    int32_t *mr_ccode;
    char *label;          /* the layer's domain part ("" without --by) */
    int tested;           /* chisq filled */
    ss_test_out chisq;
    char why[1100];        /* why no test, when not tested */
} layer_out;

/* The Rao-Scott F test on the rows of mask (NULL: all): the columns with
 * their codes cleared outside it (missing rows of svychisq are a domain);
 * under --subset (rows keep[i] != 0) on the subset design, as survstat
 * test --chisq --subset and R's svychisq on subset(design, EXPR). */
static void layer_test(const ss_design *d, const unsigned char *keep, const ss_column *r,
                       const ss_column *c, const unsigned char *mask, layer_out *lo)
{
    ss_error err;
    ss_error_clear(&err);
    ss_column rm = *r, cm = *c;
    int32_t *rc_ = NULL, *cc_ = NULL;
    if (mask) {
        rc_ = malloc((d->n ? d->n : 1) * sizeof *rc_);
        cc_ = malloc((d->n ? d->n : 1) * sizeof *cc_);
        if (!rc_ || !cc_) {
            snprintf(lo->why, sizeof lo->why, "out of memory");
            free(rc_);
            free(cc_);
            return;
        }
        for (size_t i = 0; i < d->n; i++) {
            rc_[i] = mask[i] ? r->code[i] : -1;
            cc_[i] = mask[i] ? c->code[i] : -1;
        }
        rm.code = rc_;
        cm.code = cc_;
    }
    if (ss_test_chisq_in(d, keep, &rm, &cm, SS_CHISQ_F, &lo->chisq, &err) == SS_OK)
        lo->tested = 1;
    else
        snprintf(lo->why, sizeof lo->why, "%s", err.message);
    free(rc_);
    free(cc_);
}

/* ---- tidy rows -------------------------------------------------------- */

static const char *pct_name(ss_xtab_pct p)
{
    return p == SS_XTAB_ROW ? "pct_row" : p == SS_XTAB_COL ? "pct_col" : "pct_cell";
}

static int add_tidy(const table_args *a, const ss_column *r, const ss_column *c,
                    const layer_out *lo, ss_grid *g)
{
    const ss_xtab *x = &lo->x;
    for (int stat = 0; stat < 2; stat++)
        for (size_t i = 0; i <= x->nr; i++)
            for (size_t j = 0; j <= x->nc; j++) {
                const ss_xtab_cell *cl = ss_xtab_at(x, i, j);
                ss_cell *row = ss_grid_add_row(g);
                if (!row)
                    return -1;
                char dom[4096] = "";
                snprintf(dom, sizeof dom, "%s", lo->label);
                if (j < x->nc)
                    domain_append(dom, sizeof dom, a->cols, c, x->ccode[j]);
                char flag[64];
                snprintf(flag, sizeof flag, "%s", stat == 0 ? cl->cflag : cl->pflag);
                if (cl->suppressed == SS_XTAB_COMPLEMENT)
                    snprintf(flag + strlen(flag), sizeof flag - strlen(flag), "%sC",
                             *flag ? " " : "");
                if (ss_grid_set_text(g, row, 0, a->wave ? a->wave : "") != 0 ||
                    ss_grid_set_text(g, row, 1, stat == 0 ? "count" : pct_name(a->o.pct)) != 0 ||
                    ss_grid_set_text(g, row, 2, a->rows) != 0 ||
                    ss_grid_set_text(g, row, 3, i < x->nr ? ss_column_level_name(r, x->rcode[i]) : "") !=
                        0 ||
                    ss_grid_set_text(g, row, 4, dom) != 0 ||
                    ss_grid_set_text(g, row, 14, flag) != 0 ||
                    ss_grid_set_text(g, row, 15, cl->mark && stat == 1 && !cl->suppressed ? "*"
                                                                                        : "") != 0)
                    return -1;
                int blank = cl->suppressed != SS_XTAB_SHOWN;
                row[9].num = isinf(x->df) ? NAN : x->df;
                if (stat == 0) {
                    row[11].num = cl->n;
                    if (!blank) {
                        row[5].num = cl->count;
                        row[6].num = cl->count_se;
                        row[7].num = cl->count_lo;
                        row[8].num = cl->count_hi;
                        row[13].num = cl->count_cv;
                    }
                } else {
                    row[11].num = cl->n_dom;
                    if (!blank) {
                        row[5].num = cl->pct;
                        row[6].num = cl->pct_se;
                        row[7].num = cl->pct_lo;
                        row[8].num = cl->pct_hi;
                        row[12].num = cl->n_eff;
                        row[13].num = cl->pct_cv;
                    }
                }
            }
    return 0;
}

/* --mrset: count, pct_cases and pct_responses rows per item and column. */
static int add_tidy_mr(const table_args *a, const ss_column *c, const layer_out *lo, ss_grid *g)
{
    static const char *const stat[] = {"count", "pct_cases", "pct_responses"};
    const size_t nb = lo->mr_nc + 1;
    for (size_t s = 0; s < 3; s++)
        for (size_t l = 0; l < a->nmr; l++)
            for (size_t b = 0; b < nb; b++) {
                const ss_xtab_mr *e = &lo->mr[(l * nb + b) * 3 + s];
                ss_cell *row = ss_grid_add_row(g);
                if (!row)
                    return -1;
                char dom[4096];
                snprintf(dom, sizeof dom, "%s", lo->label);
                if (b < lo->mr_nc)
                    domain_append(dom, sizeof dom, a->cols, c, lo->mr_ccode[b]);
                if (ss_grid_set_text(g, row, 0, a->wave ? a->wave : "") != 0 ||
                    ss_grid_set_text(g, row, 1, stat[s]) != 0 ||
                    ss_grid_set_text(g, row, 2, a->mr_name) != 0 ||
                    ss_grid_set_text(g, row, 3, a->mr_items[l]) != 0 ||
                    ss_grid_set_text(g, row, 4, dom) != 0 ||
                    ss_grid_set_text(g, row, 14, e->noci ? "CIx" : "") != 0)
                    return -1;
                double df = isinf(lo->x.df) ? NAN : lo->x.df;
                row[5].num = e->est;
                row[6].num = e->se;
                row[7].num = e->lo;
                row[8].num = e->hi;
                row[9].num = df;
                row[11].num = e->n;
                row[13].num = e->est != 0 ? e->se / fabs(e->est) : NAN;
            }
    return 0;
}

/* ---- the wide table (text, md) ---------------------------------------- */

typedef struct wide_ctx {
    const table_args *a;
    const ss_column *r, *c;
    layer_out *lo;
    size_t nlayer;
    ss_format fmt;
} wide_ctx;

static void fmt_pct(char *buf, size_t size, const ss_xtab_cell *cl, int mark)
{
    if (cl->suppressed) {
        snprintf(buf, size, "x");
        return;
    }
    if (isnan(cl->pct)) {
        snprintf(buf, size, "-");
        return;
    }
    if (isnan(cl->pct_lo) || cl->pct_lo == cl->pct_hi)
        snprintf(buf, size, "%.1f", 100 * cl->pct);
    else
        snprintf(buf, size, "%.1f (%.1f-%.1f)", 100 * cl->pct, 100 * cl->pct_lo,
                 100 * cl->pct_hi);
    if (mark && cl->mark)
        snprintf(buf + strlen(buf), size - strlen(buf), "*");
    if (cl->pflag[0])
        snprintf(buf + strlen(buf), size - strlen(buf), " %s", cl->pflag);
}

static void fmt_count(char *buf, size_t size, const ss_xtab_cell *cl, int flags)
{
    if (cl->suppressed) {
        snprintf(buf, size, "x");
        return;
    }
    snprintf(buf, size, "%.0f (%.0f-%.0f)", cl->count, cl->count_lo, cl->count_hi);
    if (flags && cl->cflag[0])
        snprintf(buf + strlen(buf), size - strlen(buf), " %s", cl->cflag);
}

#define CELL_MAX 160

/* The cells (nrow x ncol, CELL_MAX bytes each, the first row the header)
 * as an aligned text table (the first column left, the others right) or a
 * md table; width is scratch of ncol. */
static void write_cells(FILE *fp, const char *cells, size_t nrow, size_t ncol, size_t *width,
                        int md)
{
    for (size_t i = 0; i < nrow; i++)
        for (size_t j = 0; j < ncol; j++) {
            size_t wd = ss_display_width(cells + (i * ncol + j) * CELL_MAX);
            if (wd > width[j])
                width[j] = wd;
        }
    for (size_t i = 0; i < nrow; i++) {
        for (size_t j = 0; j < ncol; j++) {
            const char *str = cells + (i * ncol + j) * CELL_MAX;
            size_t pad = width[j] - ss_display_width(str);
            if (md)
                fprintf(fp, "| %s ", str);
            else if (j == 0)
                fprintf(fp, "%s%*s", str, (int)pad, "");
            else
                fprintf(fp, "  %*s%s", (int)pad, "", str);
        }
        fputs(md ? "|\n" : "\n", fp);
        if (md && i == 0) {
            for (size_t j = 0; j < ncol; j++)
                fputs(j == 0 ? "|---" : "|---:", fp);
            fputs("|\n", fp);
        }
    }
}

/* One block: the corner, the column levels (ccode[0..nc) of COLVAR) and
 * Total across, then nrow rows whose cells fill(ctx, i, j, buf) writes
 * (j = 0 the row's label, j = 1..nc + 1 its cells). */
static int write_block(FILE *fp, const wide_ctx *w, const char *corner, const int32_t *ccode,
                       size_t nc, size_t nrow, void (*fill)(const void *, size_t, size_t, char *),
                       const void *ctx)
{
    const size_t ncol = nc + 2, nr = nrow + 1;
    char *cells = calloc(ncol * nr, CELL_MAX);
    size_t *width = calloc(ncol, sizeof *width);
    if (!cells || !width) {
        free(cells);
        free(width);
        return -1;
    }
    snprintf(cells, CELL_MAX, "%s", corner);
    for (size_t j = 0; j < nc; j++)
        snprintf(cells + (j + 1) * CELL_MAX, CELL_MAX, "%s", ss_column_level_name(w->c, ccode[j]));
    snprintf(cells + (ncol - 1) * CELL_MAX, CELL_MAX, "Total");
    for (size_t i = 0; i < nrow; i++)
        for (size_t j = 0; j < ncol; j++)
            fill(ctx, i, j, cells + ((i + 1) * ncol + j) * CELL_MAX);
    write_cells(fp, cells, nr, ncol, width, w->fmt == SS_FMT_MD);
    free(cells);
    free(width);
    return 0;
}

typedef struct fill_ctx {
    const wide_ctx *w;
    const layer_out *lo;
    int counts;   /* the table: counts, else percentages */
    size_t stat;  /* --mrset: 1 % of cases, 2 % of responses */
} fill_ctx;

/* A cell of the table (the rows, then Total). */
static void fill_table(const void *ctx, size_t i, size_t j, char *buf)
{
    const fill_ctx *f = ctx;
    const ss_xtab *x = &f->lo->x;
    if (j == 0) {
        snprintf(buf, CELL_MAX, "%s", i < x->nr ? ss_column_level_name(f->w->r, x->rcode[i]) : "Total");
        return;
    }
    const ss_xtab_cell *cl = ss_xtab_at(x, i, j - 1);
    if (f->counts)
        fmt_count(buf, CELL_MAX, cl, f->w->a->o.suppress_counts);
    else
        fmt_pct(buf, CELL_MAX, cl, 1);
}

/* A cell of a --mrset block (the items). */
static void fill_mr(const void *ctx, size_t l, size_t j, char *buf)
{
    const fill_ctx *f = ctx;
    const layer_out *lo = f->lo;
    if (j == 0) {
        snprintf(buf, CELL_MAX, "%s", f->w->a->mr_items[l]);
        return;
    }
    const ss_xtab_mr *e = &lo->mr[(l * (lo->mr_nc + 1) + j - 1) * 3 + f->stat];
    if (isnan(e->est))
        snprintf(buf, CELL_MAX, "-");
    else if (isnan(e->lo))
        snprintf(buf, CELL_MAX, "%.1f", 100 * e->est);
    else
        snprintf(buf, CELL_MAX, "%.1f (%.1f-%.1f)", 100 * e->est, 100 * e->lo, 100 * e->hi);
}

static const char *pct_words(ss_xtab_pct p)
{
    return p == SS_XTAB_ROW ? "row percentages" : p == SS_XTAB_COL ? "column percentages"
                                                                     : "cell percentages";
}

static const char *method_name(ss_ci_method m)
{
    static const char *const names[] = {"logit", "wald", "Korn-Graubard", "likelihood",
                                        "asin", "xlogit", "Wilson"};
    return names[m];
}

static void footnotes(FILE *fp, const wide_ctx *w, const layer_out *lo)
{
    const table_args *a = w->a;
    const ss_xtab *x = &lo->x;
    const char *sep = w->fmt == SS_FMT_MD ? "\n" : "";
    if (w->fmt != SS_FMT_MD)
        fputc('\n', fp); /* the notes apart from the table */
    char df[32];
    if (isinf(x->df))
        snprintf(df, sizeof df, "normal");
    else
        snprintf(df, sizeof df, "%g df", x->df);
    if (a->o.mark == SS_XTAB_MARK_TOTAL)
        fprintf(fp, "%s%s* differs from the Total %s at the %g level (design-based t test of the "
                    "difference, the %s counted in the total; %s)\n",
                sep, *sep ? "\\" : "", a->o.pct == SS_XTAB_ROW ? "row" : "column", 1 - a->o.level,
                a->o.pct == SS_XTAB_ROW ? "row" : "column", df);
    else if (a->o.mark == SS_XTAB_MARK_REF)
        fprintf(fp, "%s%s* differs from the column %s=%s at the %g level (design-based t test of "
                    "the difference; %s)\n",
                sep, *sep ? "\\" : "", a->cols, a->mark, 1 - a->o.level, df);
    if (a->o.flags == SS_XTAB_FLAGS_NCHS)
        fprintf(fp, "%sFlags (NCHS 2017 standards for proportions): Px suppress (effective n < 30 "
                    "or the Korn-Graubard interval too wide), Pc the complement is unreliable, "
                    "Pdf df < 8, P0 an estimate of 0%% or 100%%; counts: R relative SE over "
                    "30%%\n", sep);
    else if (a->o.flags == SS_XTAB_FLAGS_STATCAN)
        fprintf(fp, "%sFlags (Statistics Canada): E use with caution (CV 16.6%% to 33.3%%), F too "
                    "unreliable to be published (CV over 33.3%% or fewer than 10 rows)\n", sep);
    else if (a->o.flags == SS_XTAB_FLAGS_ONS)
        fprintf(fp, "%sFlags (ONS): u low reliability (CV 20%% or more)\n", sep);
    if (a->o.suppress)
        fprintf(fp, "%sx suppressed: %zu cell(s) flagged %s, %zu more so that no suppressed "
                    "cell can be derived from its row's or column's total\n",
                sep, x->nprimary, a->o.flags == SS_XTAB_FLAGS_NCHS ? "Px" : "F", x->ncomplement);
    if (a->cols) {
        if (lo->tested)
            fprintf(fp, "%sRao-Scott test of independence: F = %.4g on %.4g and %.4g df, "
                        "p = %.4g\n", sep, lo->chisq.statistic, lo->chisq.df1, lo->chisq.df2,
                    lo->chisq.p_value);
        else
            fprintf(fp, "%sRao-Scott test of independence: not available (%s)\n", sep, lo->why);
    }
    fprintf(fp, "%s%zu rows\n", sep, x->n);
}

static int write_wide(FILE *fp, void *ctx)
{
    const wide_ctx *w = ctx;
    const table_args *a = w->a;
    int md = w->fmt == SS_FMT_MD;
    int show_pct = a->percent_set || !a->count;
    for (size_t L = 0; L < w->nlayer; L++) {
        const layer_out *lo = &w->lo[L];
        char title[1024];
        snprintf(title, sizeof title, "%s%s%s%s%s", a->wave ? a->wave : "", a->wave ? ": " : "",
                 a->rows, a->cols ? " by " : "", a->cols ? a->cols : "");
        if (*lo->label)
            snprintf(title + strlen(title), sizeof title - strlen(title), " (%s)", lo->label);
        if (L > 0)
            fputc('\n', fp);
        if (a->mr_name) {
            for (size_t st = 1; st <= 2; st++) {
                fprintf(fp, "%s%s%s: %s with %g%% confidence intervals (%s)%s\n",
                        st == 2 ? "\n" : "", md ? "**" : "", title,
                        st == 1 ? "percent of cases" : "percent of responses", 100 * a->o.level,
                        st == 1 ? method_name(a->o.ci_method) : "Wald", md ? "**" : "");
                fill_ctx f = {w, lo, 0, st};
                if (write_block(fp, w, a->mr_name, lo->mr_ccode, lo->mr_nc, a->nmr, fill_mr,
                                &f) != 0)
                    return -1;
            }
            fprintf(fp, "\n%zu cases (rows with at least one item chosen)\n", lo->ncases);
            continue;
        }
        if (show_pct) {
            fprintf(fp, "%s%s: %s with %g%% confidence intervals (%s)%s\n", md ? "**" : "",
                    title, pct_words(a->o.pct), 100 * a->o.level, method_name(a->o.ci_method),
                    md ? "**\n" : "");
            fill_ctx f = {w, lo, 0, 0};
            if (write_block(fp, w, a->rows, lo->x.ccode, lo->x.nc, lo->x.nr + 1, fill_table,
                            &f) != 0)
                return -1;
        }
        if (a->count) {
            fprintf(fp, "%s%s%s: weighted counts with %g%% confidence intervals%s\n",
                    show_pct ? "\n" : "", md ? "**" : "", title, 100 * a->o.level,
                    md ? "**\n" : "");
            fill_ctx f = {w, lo, 1, 0};
            if (write_block(fp, w, a->rows, lo->x.ccode, lo->x.nc, lo->x.nr + 1, fill_table,
                            &f) != 0)
                return -1;
        }
        footnotes(fp, w, lo);
    }
    return ferror(fp) ? -1 : 0;
}

/* ---- the wide table laid out (xlsx, html) ------------------------------
 *
 * The blocks of write_wide as ss_layout tables: the rows' levels down, the
 * columns' levels across under COLVAR's name (merged over them), then
 * Total; the footnotes under each layer's last block.  In html a cell
 * holds what the text table shows ("47.4 (43.1-51.8)* Px"); in xlsx each
 * level spans sub-columns holding the numbers themselves (the estimate,
 * its interval, in percent or count formats, and a text column of the
 * mark and flags when there are any), so a cell's numbers are the csv's. */

/* One value of a block: the estimate, its interval, its mark and flags. */
typedef struct wide_val {
    double est, lo, hi;
    char note[64];
    int blank; /* suppressed */
} wide_val;

static void val_of(const fill_ctx *f, size_t i, size_t j, wide_val *v)
{
    memset(v, 0, sizeof *v);
    if (f->w->a->mr_name) {
        const layer_out *lo = f->lo;
        const ss_xtab_mr *e = &lo->mr[(i * (lo->mr_nc + 1) + j) * 3 + f->stat];
        v->est = e->est;
        v->lo = e->lo;
        v->hi = e->hi;
        if (e->noci)
            snprintf(v->note, sizeof v->note, "CIx");
        return;
    }
    const ss_xtab_cell *cl = ss_xtab_at(&f->lo->x, i, j);
    v->blank = cl->suppressed != SS_XTAB_SHOWN;
    if (f->counts) {
        v->est = cl->count;
        v->lo = cl->count_lo;
        v->hi = cl->count_hi;
        if (f->w->a->o.suppress_counts)
            snprintf(v->note, sizeof v->note, "%s", cl->cflag);
    } else {
        v->est = cl->pct;
        v->lo = cl->pct_lo;
        v->hi = cl->pct_hi;
        snprintf(v->note, sizeof v->note, "%s%s%s", cl->mark ? "*" : "",
                 cl->mark && cl->pflag[0] ? " " : "", cl->pflag);
    }
}

/* Does any cell of the block carry a mark or a flag (the xlsx block then
 * has a column "flag" per level)? */
static int block_notes(const fill_ctx *f, size_t nrow, size_t nc)
{
    for (size_t i = 0; i < nrow; i++)
        for (size_t j = 0; j <= nc; j++) {
            wide_val v;
            val_of(f, i, j, &v);
            if (v.note[0])
                return 1;
        }
    return 0;
}

/* The block of nrow rows (the last the total row, unless mrset) over nc
 * column levels ccode: numeric for xlsx, else the text table's cells. */
static int lay_block(ss_layout *l, const fill_ctx *f, const char *title, const char *corner,
                     const int32_t *ccode, size_t nc, size_t nrow, int numeric,
                     void (*fill)(const void *, size_t, size_t, char *))
{
    const wide_ctx *w = f->w;
    const int mr = w->a->mr_name != NULL;
    const size_t sub = numeric ? 3 + (size_t)block_notes(f, nrow, nc) : 1;
    const char *names[] = {f->counts ? "count" : "%", "CI low", "CI high", "flag"};
    const char **lev = calloc(nc + 1, sizeof *lev);
    if (!lev)
        return -1;
    for (size_t b = 0; b < nc; b++)
        lev[b] = ss_column_level_name(w->c, ccode[b]);
    int rc = ss_layout_crosstab(l, title, corner, w->a->cols, lev, nc, sub, names, nrow);
    free(lev);
    if (rc != 0)
        return -1;
    const size_t nhead = l->nhead;
    ss_lay_kind kind = f->counts ? SS_LAY_COUNT : SS_LAY_PERCENT;
    for (size_t i = 0; i < nrow && rc == 0; i++) {
        size_t r = nhead + i;
        char buf[CELL_MAX];
        l->total[r] = !mr && i + 1 == nrow;
        fill(f, i, 0, buf);
        rc |= ss_layout_text(l, r, 0, buf);
        for (size_t b = 0; b <= nc && rc == 0; b++) {
            size_t j = 1 + b * sub;
            if (!numeric) {
                fill(f, i, b + 1, buf);
                rc |= ss_layout_text(l, r, j, buf);
                continue;
            }
            wide_val v;
            val_of(f, i, b, &v);
            if (v.blank)
                rc |= ss_layout_text(l, r, j, "x");
            else if (isnan(v.est))
                rc |= ss_layout_text(l, r, j, "-");
            else
                rc |= ss_layout_number(l, r, j, v.est, kind, NULL) |
                      ss_layout_number(l, r, j + 1, v.lo, kind, NULL) |
                      ss_layout_number(l, r, j + 2, v.hi, kind, NULL);
            if (sub > 3)
                rc |= ss_layout_text(l, r, j + 3, v.note);
        }
    }
    return rc ? -1 : 0;
}

/* The footnotes of a layer (those of the text table) into l. */
static int lay_notes(ss_layout *l, const wide_ctx *w, const layer_out *lo)
{
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    if (!m)
        return -1;
    wide_ctx tw = *w;
    tw.fmt = SS_FMT_TEXT;
    if (w->a->mr_name)
        fprintf(m, "%zu cases (rows with at least one item chosen)\n", lo->ncases);
    else
        footnotes(m, &tw, lo);
    if (fclose(m) != 0) {
        free(text);
        return -1;
    }
    int rc = 0;
    for (char *p = text, *e; p && *p && rc == 0; p = e ? e + 1 : NULL) {
        e = strchr(p, '\n');
        if (e)
            *e = '\0';
        if (*p)
            rc = ss_layout_note(l, p);
    }
    free(text);
    return rc;
}

/* Every block of every layer, as write_wide prints them. */
static int lay_all(const wide_ctx *w, int numeric, ss_layout **out, size_t *nout)
{
    const table_args *a = w->a;
    int show_pct = a->percent_set || !a->count;
    size_t per = a->mr_name ? 2 : (size_t)show_pct + (size_t)(a->count != 0);
    ss_layout *b = calloc(w->nlayer * per + 1, sizeof *b);
    if (!b)
        return -1;
    size_t n = 0;
    int rc = 0;
    for (size_t L = 0; L < w->nlayer && rc == 0; L++) {
        const layer_out *lo = &w->lo[L];
        char head[1024], title[1400];
        snprintf(head, sizeof head, "%s%s%s%s%s", a->wave ? a->wave : "", a->wave ? ": " : "",
                 a->mr_name ? a->mr_name : a->rows, a->cols ? " by " : "",
                 a->cols ? a->cols : "");
        if (*lo->label)
            snprintf(head + strlen(head), sizeof head - strlen(head), " (%s)", lo->label);
        if (a->mr_name) {
            for (size_t st = 1; st <= 2 && rc == 0; st++) {
                snprintf(title, sizeof title, "%s: %s with %g%% confidence intervals (%s)", head,
                         st == 1 ? "percent of cases" : "percent of responses", 100 * a->o.level,
                         st == 1 ? method_name(a->o.ci_method) : "Wald");
                fill_ctx f = {w, lo, 0, st};
                rc = lay_block(&b[n++], &f, title, a->mr_name, lo->mr_ccode, lo->mr_nc, a->nmr,
                               numeric, fill_mr);
            }
        } else {
            for (int counts = 0; counts <= 1 && rc == 0; counts++) {
                if ((!counts && !show_pct) || (counts && !a->count))
                    continue;
                if (counts)
                    snprintf(title, sizeof title,
                             "%s: weighted counts with %g%% confidence intervals", head,
                             100 * a->o.level);
                else
                    snprintf(title, sizeof title, "%s: %s with %g%% confidence intervals (%s)",
                             head, pct_words(a->o.pct), 100 * a->o.level,
                             method_name(a->o.ci_method));
                fill_ctx f = {w, lo, counts, 0};
                rc = lay_block(&b[n++], &f, title, a->rows, lo->x.ccode, lo->x.nc, lo->x.nr + 1,
                               numeric, fill_table);
            }
        }
        if (rc == 0 && n > 0)
            rc = lay_notes(&b[n - 1], w, lo);
    }
    *out = b;
    *nout = n;
    return rc;
}

/* ---- main ------------------------------------------------------------- */

int cmd_table(int argc, char **argv)
{
    static table_args a;
    memset(&a, 0, sizeof a);
    ss_cli_init(&a.cli, "table");
    a.o.level = 0.95;
    a.o.ci_method = SS_CI_LOGIT;

    ss_error err;
    ss_error_clear(&err);
    ss_table t = {0};
    ss_design d = {0};
    ss_grid g = {0};
    layers ly = {0};
    layer_out *lo = NULL;
    size_t nlayer = 0;
    unsigned char *mask = NULL;

    int rc = parse_args(&a, argc, argv, &err);
    if (rc == SS_EUSAGE && err.code == SS_OK) {
        ss_cli_free(&a.cli);
        return 2;
    }
    if (rc == SS_OK) {
        ss_request req[2 + MAX_BY + MAX_ITEMS];
        size_t k = 0;
        if (a.mr_name)
            for (size_t i = 0; i < a.nmr; i++)
                req[k++] = (ss_request){a.mr_items[i], SS_NEED_CATEGORY};
        else
            req[k++] = (ss_request){a.rows, SS_NEED_CATEGORY};
        if (a.cols)
            req[k++] = (ss_request){a.cols, SS_NEED_CATEGORY};
        for (size_t i = 0; i < a.nby; i++)
            req[k++] = (ss_request){a.by[i], SS_NEED_CATEGORY};
        rc = ss_cli_load(&a.cli, a.file, req, k, &t, &d, NULL, &err);
    }
    const ss_column *r = NULL, *c = NULL;
    const ss_column *items[MAX_ITEMS];
    if (rc == SS_OK) {
        r = a.mr_name ? NULL : ss_table_find(&t, a.rows);
        for (size_t i = 0; a.mr_name && i < a.nmr; i++)
            items[i] = ss_table_find(&t, a.mr_items[i]);
        c = a.cols ? ss_table_find(&t, a.cols) : NULL;
        if (a.o.mark == SS_XTAB_MARK_REF) {
            /* a code, or the label of exactly one level */
            a.o.mark_ref = ss_column_label_code(c, a.mark, strlen(a.mark));
            if (a.o.mark_ref < 0 || c->level_count[a.o.mark_ref] == 0)
                rc = ss_error_set(&err, SS_EUSAGE, NULL, 0,
                                  "--mark: column '%s' has no level '%s' (give total or one "
                                  "of its levels)", a.cols, a.mark);
        }
    }
    if (rc == SS_OK && d.rep && a.mr_name)
        rc = ss_error_set(&err, SS_EUSAGE, NULL, 0,
                          "--mrset does not take replicate designs yet: use the Taylor design "
                          "(drop --replicate and --repweights)");
    if (rc == SS_OK && a.nby > 0)
        rc = make_layers(&t, a.by, a.nby, &ly, &err);
    if (rc == SS_OK) {
        nlayer = a.nby > 0 ? ly.n : 1;
        lo = calloc(nlayer ? nlayer : 1, sizeof *lo);
        if (a.nby > 0)
            mask = malloc(t.nrow ? t.nrow : 1);
        if (!lo || (a.nby > 0 && !mask))
            rc = ss_error_set(&err, SS_EDATA, NULL, 0, "out of memory");
    }
    /* The rows of --subset (R's subset(design, ...)): NULL = every row. */
    const unsigned char *subset = a.cli.subset_rows;
    if (rc == SS_OK && subset && !mask && !(mask = malloc(t.nrow ? t.nrow : 1)))
        rc = ss_error_set(&err, SS_EDATA, NULL, 0, "out of memory");
    for (size_t L = 0; rc == SS_OK && L < nlayer; L++) {
        if (mask)
            for (size_t i = 0; i < t.nrow; i++)
                mask[i] = (a.nby == 0 || ly.key[i] == ly.keys[L]) && (!subset || subset[i]);
        lo[L].label = a.nby > 0 ? ly.label[L] : "";
        if (a.mr_name) {
            rc = ss_xtab_mrset(&d, items, a.nmr, c, mask, &a.o, &lo[L].mr, &lo[L].mr_nc,
                               &lo[L].mr_ccode, &lo[L].ncases, &err);
            lo[L].x.df = a.o.df_mode == SS_DF_INF     ? INFINITY
                         : a.o.df_mode == SS_DF_FIXED ? a.o.df_fixed
                                                      : d.df;
            continue;
        }
        rc = ss_xtab_compute(&d, r, c, mask, &a.o, &lo[L].x, &err);
        if (rc == SS_OK && c)
            layer_test(&d, subset, r, c, mask, &lo[L]);
    }
    if (rc != SS_OK && err.file[0] == '\0' && t.file)
        snprintf(err.file, sizeof err.file, "%s", t.file);
    ss_format fmt = a.cli.format_set ? a.cli.format : ss_format_for_path(a.cli.output, SS_FMT_TEXT);
    /* csv and json: the tidy rows; xlsx and html: the wide table, then them. */
    if (rc == SS_OK && fmt != SS_FMT_TEXT && fmt != SS_FMT_MD) {
        static const char *const names[] = {"wave", "statistic", "variable", "level", "domain",
                                            "estimate", "se", "ci_low", "ci_high", "df", "deff",
                                            "n", "n_eff", "cv", "flag", "mark", "conf_level"};
        static const int isnum[] = {0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1};
        if (ss_grid_init(&g, 17, names, isnum) != 0)
            rc = ss_error_set(&err, SS_EDATA, NULL, 0, "out of memory");
        for (size_t L = 0; rc == SS_OK && L < nlayer; L++)
            if ((a.mr_name ? add_tidy_mr(&a, c, &lo[L], &g) : add_tidy(&a, r, c, &lo[L], &g)) != 0)
                rc = ss_error_set(&err, SS_EDATA, NULL, 0, "out of memory");
        for (size_t i = 0; rc == SS_OK && i < g.nrow; i++)
            g.cell[i * g.ncol + 16].num = a.o.level;
        if (rc == SS_OK && (fmt == SS_FMT_XLSX || fmt == SS_FMT_HTML)) {
            /* the wide table first, then the tidy rows */
            wide_ctx w = {&a, r, c, lo, nlayer, fmt};
            ss_layout *blocks = NULL;
            size_t nb = 0;
            if (lay_all(&w, fmt == SS_FMT_XLSX, &blocks, &nb) != 0)
                rc = ss_error_set(&err, SS_EDATA, NULL, 0, "out of memory");
            ss_sheet sheets[2] = {{"table", NULL, blocks, nb}, {"data", &g, NULL, 0}};
            if (rc == SS_OK)
                rc = ss_cli_write_sheets(&a.cli, &g, sheets, 2, &err);
            for (size_t k = 0; blocks && k < nb; k++)
                ss_layout_free(&blocks[k]);
            free(blocks);
        } else if (rc == SS_OK) {
            rc = ss_cli_write(&a.cli, &g, &err);
        }
    } else if (rc == SS_OK) {
        wide_ctx w = {&a, r, c, lo, nlayer, fmt};
        rc = ss_cli_write_with(&a.cli, write_wide, &w, &err);
    }
    if (rc == SS_OK && !a.cli.design.weights && !a.cli.design.strata && !a.cli.design.nids &&
        !a.cli.design.nfpc && !ss_weight_any(&a.cli.weight))
        fprintf(stderr,
                "survstat table: warning: %s: no design given: every row weighs 1 and the "
                "intervals assume simple random sampling\n",
                a.file);
    if (rc != SS_OK)
        ss_error_print(&err, "table");
    for (size_t L = 0; L < nlayer && lo; L++) {
        ss_xtab_free(&lo[L].x);
        free(lo[L].mr);
        free(lo[L].mr_ccode);
    }
    free(lo);
    free(mask);
    layers_free(&ly);
    ss_grid_free(&g);
    ss_design_free(&d);
    ss_table_free(&t);
    ss_cli_free(&a.cli);
    return rc;
}
