/* survstat plan: sample sizes for a target precision, and their allocation
 * to strata (the formulas are in the usage text and docs/plan.md). */
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ss_cli.h"
#include "ss_commands.h"
#include "ss_number.h"
#include "ss_select.h"
#include "ss_writer.h"

const char cmd_plan_usage[] =
    "usage: survstat plan (--moe E | --cv C) [--p P] [--level L]\n"
    "                     [--deff D | --deff-from RESULT.csv] [--rr R | --rates-from RATES.csv]\n"
    "                     [--N N | --frame FILE [--strata COL] [--size COL]]\n"
    "                     [--domains] [--alloc A] [--min-per-stratum K] [--n2 M]\n"
    "\n"
    "The sample size for a proportion P (default 0.5) estimated with margin of\n"
    "error E at level L (default 0.95), or with coefficient of variation C:\n"
    "  n_srs  = z^2 P (1 - P) / E^2, z = the normal quantile 1 - (1 - L)/2,\n"
    "           or (1 - P) / (P C^2) for a CV\n"
    "  n_deff = n_srs * deff\n"
    "  n_fpc  = n_deff / (1 + n_deff / N)      (with N; else n_deff)\n"
    "  n_complete = ceiling(n_fpc), n = ceiling(n_complete / rr): the units to draw\n"
    "deff from --deff or the mean of the deff column of a result file's rows\n"
    "with an empty domain (or of all its rows when it has only domain rows;\n"
    "its 'STRATA=h' rows per stratum with --domains); rr from --rr or\n"
    "the RR3 row of 'survstat rates' output (its domain rows likewise).\n"
    "\n"
    "options:\n"
    "  --N N                  population size (the fpc)\n"
    "  --frame FILE           a frame: N = its rows, or the sum of --size COL,\n"
    "                         per stratum with --strata COL\n"
    "  --domains              every stratum a domain with its own target (rows per\n"
    "                         stratum and their total); else one target for the\n"
    "                         whole population, allocated to the strata by --alloc\n"
    "                         (proportional, equal, power:Q, as in 'sample'; default\n"
    "                         proportional, at least --min-per-stratum, default 2)\n"
    "  --n2 M                 units per cluster: adds n_psu = ceiling(n / M), the\n"
    "                         clusters to draw ('sample --alloc' reads it)\n"
    "  --format FMT, -o FILE  as in 'estimate'\n"
    "\n"
    "output columns: stratum, N, p, moe, cv, level, deff, rr, n_srs, n_deff,\n"
    "n_fpc, n_complete, n, n_psu (a stratum empty: the whole population).\n"
    "\n"
    "example:\n"
    "  survstat plan --moe 0.03 --deff 1.8 --rr 0.7 --frame datasets/frame_communities.csv"
    " --strata district --size households --n2 10\n";

enum {
    OPT_MOE = SS_OPT_FIRST_COMMAND,
    OPT_CV,
    OPT_P,
    OPT_LEVEL,
    OPT_DEFF,
    OPT_DEFF_FROM,
    OPT_RR,
    OPT_RATES_FROM,
    OPT_N,
    OPT_FRAME,
    OPT_SIZE,
    OPT_DOMAINS,
    OPT_ALLOC,
    OPT_MIN,
    OPT_N2,
};

static const struct option own_options[] = {
    {"moe", required_argument, NULL, OPT_MOE},
    {"cv", required_argument, NULL, OPT_CV},
    {"p", required_argument, NULL, OPT_P},
    {"level", required_argument, NULL, OPT_LEVEL},
    {"deff", required_argument, NULL, OPT_DEFF},
    {"deff-from", required_argument, NULL, OPT_DEFF_FROM},
    {"rr", required_argument, NULL, OPT_RR},
    {"rates-from", required_argument, NULL, OPT_RATES_FROM},
    {"N", required_argument, NULL, OPT_N},
    {"frame", required_argument, NULL, OPT_FRAME},
    {"size", required_argument, NULL, OPT_SIZE},
    {"domains", no_argument, NULL, OPT_DOMAINS},
    {"alloc", required_argument, NULL, OPT_ALLOC},
    {"min-per-stratum", required_argument, NULL, OPT_MIN},
    {"n2", required_argument, NULL, OPT_N2},
    {NULL, 0, NULL, 0},
};

typedef struct plan_args {
    double moe, cv, p, level, deff, rr, N, n2, minper;
    const char *deff_from, *rates_from, *frame, *size;
    int domains, alloc_set;
    ss_alloc_spec alloc;
} plan_args;

static int number_in(const char *arg, const char *opt, double lo, double hi, int open_lo,
                     double *out, ss_error *err)
{
    int rc = ss_cli_number(arg, opt, out, err);
    if (rc != SS_OK)
        return rc;
    if (*out < lo || *out > hi || (open_lo && *out == lo))
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "%s: '%s' is not in %s%g, %g]", opt, arg,
                            open_lo ? "(" : "[", lo, hi);
    return SS_OK;
}

static int option(void *ctx, int opt, const char *arg, ss_error *err)
{
    plan_args *a = ctx;
    switch (opt) {
    case OPT_MOE:
        return number_in(arg, "--moe", 0, 1, 1, &a->moe, err);
    case OPT_CV:
        return number_in(arg, "--cv", 0, 10, 1, &a->cv, err);
    case OPT_P: {
        int rc = number_in(arg, "--p", 0, 1, 1, &a->p, err);
        if (rc == SS_OK && a->p == 1)
            rc = ss_error_set(err, SS_EUSAGE, NULL, 0, "--p: '%s' is not in (0, 1)", arg);
        return rc;
    }
    case OPT_LEVEL:
        return ss_cli_level(arg, &a->level, err);
    case OPT_DEFF:
        return number_in(arg, "--deff", 0, 1e6, 1, &a->deff, err);
    case OPT_RR:
        return number_in(arg, "--rr", 0, 1, 1, &a->rr, err);
    case OPT_N:
        return number_in(arg, "--N", 1, 1e15, 0, &a->N, err);
    case OPT_N2:
        return number_in(arg, "--n2", 1, 1e9, 0, &a->n2, err);
    case OPT_MIN:
        return number_in(arg, "--min-per-stratum", 0, 1e9, 0, &a->minper, err);
    case OPT_DEFF_FROM:
        a->deff_from = arg;
        return SS_OK;
    case OPT_RATES_FROM:
        a->rates_from = arg;
        return SS_OK;
    case OPT_FRAME:
        a->frame = arg;
        return SS_OK;
    case OPT_SIZE:
        a->size = arg;
        return SS_OK;
    case OPT_DOMAINS:
        a->domains = 1;
        return SS_OK;
    case OPT_ALLOC:
        a->alloc_set = 1;
        return ss_alloc_parse(arg, &a->alloc, err);
    default:
        return SS_CLI_NOT_MINE;
    }
}

static int parse(ss_cli *cli, plan_args *a, int argc, char **argv, ss_error *err)
{
    int rc = ss_cli_parse(cli, argc, argv, own_options, option, a, err);
    if (rc != SS_OK)
        return rc;
    if (optind < argc)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "plan takes no FILE, got '%s'", argv[optind]);
    if ((a->moe > 0) == (a->cv > 0))
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "give one of --moe E and --cv C");
    if (a->deff > 0 && a->deff_from)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "give --deff or --deff-from, not both");
    if (a->rr > 0 && a->rates_from)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "give --rr or --rates-from, not both");
    if (a->N > 0 && a->frame)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "give --N or --frame, not both");
    if ((cli->design.strata || a->size || a->domains || a->alloc_set) && !a->frame)
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "--strata, --size, --domains and --alloc need --frame FILE");
    if (a->alloc_set && (a->alloc.kind == SS_ALLOC_NEYMAN || a->alloc.kind == SS_ALLOC_FILE))
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "plan --alloc takes proportional, equal or power:Q");
    const ss_design_spec *ds = &cli->design;
    if (ds->weights || ds->nids || ds->nfpc || ds->pps || ss_weight_any(&cli->weight))
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "plan takes --strata only of the design options");
    return SS_OK;
}

/* The mean of column col over the rows of path whose filter column equals
 * want (when filter) and whose domain is dom ("" for the whole
 * population, NULL for any); NaN when none. */
static int file_value(const char *path, const char *col, const char *filter, const char *want,
                      const char *dom, double *out, ss_error *err)
{
    ss_table t = {0};
    ss_read_options o = {0};
    o.delimiter = ',';
    o.all_columns = 1;
    ss_request req[2] = {{col, SS_NEED_NUMBER}, {filter ? filter : col, SS_NEED_CATEGORY}};
    int rc = ss_table_read(&t, path, &o, req, filter ? 2 : 1, err);
    *out = NAN;
    if (rc == SS_OK) {
        const ss_column *c = ss_table_find(&t, col), *f = filter ? ss_table_find(&t, filter) : NULL;
        const ss_column *d = ss_table_find(&t, "domain");
        double s = 0;
        size_t k = 0;
        for (size_t i = 0; i < t.nrow; i++) {
            const char *dv = d && d->code[i] >= 0 ? d->levels.str[d->code[i]] : "";
            const char *fv = f && f->code[i] >= 0 ? f->levels.str[f->code[i]] : "";
            if ((dom && strcmp(dv, dom) != 0) || (f && strcmp(fv, want) != 0) || isnan(c->num[i]))
                continue;
            s += c->num[i];
            k++;
        }
        if (k)
            *out = s / (double)k;
    }
    ss_table_free(&t);
    return rc;
}

typedef struct target {
    double deff, rr, N;
} target;

/* deff and rr for domain dom ("" the whole population), falling back to
 * the whole population's. */
static int inputs(const plan_args *a, const char *dom, target *g, ss_error *err)
{
    g->deff = a->deff > 0 ? a->deff : 1;
    g->rr = a->rr > 0 ? a->rr : 1;
    int rc = SS_OK;
    double v;
    if (a->deff_from) {
        rc = file_value(a->deff_from, "deff", NULL, NULL, dom, &v, err);
        if (rc == SS_OK && isnan(v) && *dom)
            rc = file_value(a->deff_from, "deff", NULL, NULL, "", &v, err);
        if (rc == SS_OK && isnan(v)) /* only domain rows: their mean */
            rc = file_value(a->deff_from, "deff", NULL, NULL, NULL, &v, err);
        if (rc == SS_OK && !(v > 0))
            return ss_error_set(err, SS_EDATA, a->deff_from, 0,
                                "column 'deff': no positive design effect%s%s%s",
                                *dom ? " for domain '" : "", dom, *dom ? "'" : "");
        g->deff = v;
    }
    if (rc == SS_OK && a->rates_from) {
        rc = file_value(a->rates_from, "value", "rate", "RR3", dom, &v, err);
        if (rc == SS_OK && isnan(v) && *dom)
            rc = file_value(a->rates_from, "value", "rate", "RR3", "", &v, err);
        if (rc == SS_OK && !(v > 0 && v <= 1))
            return ss_error_set(err, SS_EDATA, a->rates_from, 0,
                                "no RR3 row in (0, 1]%s%s%s (survstat rates output expected)",
                                *dom ? " for domain '" : "", dom, *dom ? "'" : "");
        g->rr = v;
    }
    return rc;
}

enum { C_STRATUM, C_N, C_P, C_MOE, C_CV, C_LEVEL, C_DEFF, C_RR, C_SRS, C_DEFFN, C_FPC, C_COMPLETE,
       C_DRAW, C_PSU, C_NCOL };

static void fill(ss_cell *row, const plan_args *a, const target *g)
{
    double z = gsl_cdf_ugaussian_Pinv(1 - (1 - a->level) / 2);
    double n0 = a->moe > 0 ? z * z * a->p * (1 - a->p) / (a->moe * a->moe)
                           : (1 - a->p) / (a->p * a->cv * a->cv);
    double nd = n0 * g->deff;
    double nf = g->N > 0 ? nd / (1 + nd / g->N) : nd;
    double complete = ceil(nf - 1e-9);
    double draw = ceil(complete / g->rr - 1e-9);
    if (g->N > 0 && draw > g->N)
        draw = g->N;
    row[C_N].num = g->N > 0 ? g->N : NAN;
    row[C_P].num = a->p;
    row[C_MOE].num = a->moe > 0 ? a->moe : NAN;
    row[C_CV].num = a->cv > 0 ? a->cv : NAN;
    row[C_LEVEL].num = a->level;
    row[C_DEFF].num = g->deff;
    row[C_RR].num = g->rr;
    row[C_SRS].num = n0;
    row[C_DEFFN].num = nd;
    row[C_FPC].num = nf;
    row[C_COMPLETE].num = complete;
    row[C_DRAW].num = draw;
    row[C_PSU].num = a->n2 > 0 ? ceil(draw / a->n2) : NAN;
}

static int plan(const plan_args *a, const ss_cli *cli, ss_grid *g, ss_error *err)
{
    static const char *const names[C_NCOL] = {"stratum", "N", "p", "moe", "cv", "level",
                                              "deff", "rr", "n_srs", "n_deff", "n_fpc",
                                              "n_complete", "n", "n_psu"};
    int isnum[C_NCOL];
    for (size_t j = 0; j < C_NCOL; j++)
        isnum[j] = j != C_STRATUM;
    if (ss_grid_init(g, C_NCOL, names, isnum) != 0)
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    ss_table t = {0};
    ss_frame_strata fs = {0};
    double *size = NULL;
    size_t *nh = NULL;
    int rc = SS_OK;
    target whole;
    if ((rc = inputs(a, "", &whole, err)) != SS_OK)
        return rc;
    whole.N = a->N;
    if (a->frame) {
        ss_request req[2];
        size_t k = 0;
        if (cli->design.strata)
            req[k++] = (ss_request){cli->design.strata, SS_NEED_CATEGORY};
        if (a->size)
            req[k++] = (ss_request){a->size, SS_NEED_NUMBER};
        rc = ss_table_read(&t, a->frame, &cli->read, req, k, err);
        if (rc == SS_OK && a->size) {
            const ss_column *c = ss_table_find(&t, a->size);
            size = malloc((t.nrow ? t.nrow : 1) * sizeof *size);
            if (!size)
                rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
            for (size_t i = 0; i < t.nrow && rc == SS_OK; i++) {
                size[i] = c->num[i];
                if (!(size[i] > 0))
                    rc = ss_error_set(err, SS_EDATA, t.file, ss_table_line(&t, i),
                                      "column '%s': size '%.15g' must be > 0", c->name, size[i]);
            }
        }
        if (rc == SS_OK)
            rc = ss_frame_strata_build(&fs, &t, cli->design.strata, size, err);
        if (rc == SS_OK) {
            whole.N = 0;
            for (size_t h = 0; h < fs.H; h++)
                whole.N += fs.size[h];
        }
    }
    if (rc == SS_OK && !a->domains) {
        ss_cell *row = ss_grid_add_row(g);
        if (!row)
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        else
            fill(row, a, &whole);
        /* the allocation of the units to draw (clusters with --n2) */
        if (rc == SS_OK && a->frame && cli->design.strata) {
            nh = calloc(fs.H ? fs.H : 1, sizeof *nh);
            size_t total = (size_t)(a->n2 > 0 ? row[C_PSU].num : row[C_DRAW].num);
            /* at most the frame's units: clusters (rows) with --n2, else
             * the total size (households) */
            size_t *cap = malloc((fs.H ? fs.H : 1) * sizeof *cap);
            if (!nh || !cap) {
                rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
            } else {
                for (size_t h = 0; h < fs.H; h++)
                    cap[h] = a->n2 > 0 ? fs.N[h] : (size_t)fs.size[h];
                rc = ss_frame_allocate(&fs, &t, &a->alloc, cap, &total, (size_t)a->minper, nh,
                                       err);
            }
            for (size_t h = 0; h < fs.H && rc == SS_OK; h++) {
                ss_cell *r = ss_grid_add_row(g);
                if (!r || ss_grid_set_text(g, r, C_STRATUM, fs.label[h]) != 0) {
                    rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
                    break;
                }
                r[C_N].num = fs.size[h];
                if (a->n2 > 0) {
                    r[C_PSU].num = (double)nh[h];
                    r[C_DRAW].num = (double)nh[h] * a->n2;
                } else {
                    r[C_DRAW].num = (double)nh[h];
                }
            }
            free(cap);
        }
    }
    if (rc == SS_OK && a->domains) {
        double sum[C_NCOL] = {0};
        for (size_t h = 0; h < fs.H && rc == SS_OK; h++) {
            char dom[1200];
            snprintf(dom, sizeof dom, "%s=%s", cli->design.strata ? cli->design.strata : "",
                     fs.label[h]);
            target tg;
            if ((rc = inputs(a, cli->design.strata ? dom : "", &tg, err)) != SS_OK)
                break;
            tg.N = fs.size[h];
            ss_cell *r = ss_grid_add_row(g);
            if (!r || ss_grid_set_text(g, r, C_STRATUM, fs.label[h]) != 0) {
                rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
                break;
            }
            fill(r, a, &tg);
            for (size_t j = C_COMPLETE; j < C_NCOL; j++)
                sum[j] += r[j].num;
        }
        ss_cell *r = rc == SS_OK ? ss_grid_add_row(g) : NULL;
        if (rc == SS_OK && !r)
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        if (r) {
            r[C_N].num = whole.N;
            for (size_t j = C_COMPLETE; j < C_NCOL; j++)
                r[j].num = sum[j];
        }
    }
    ss_frame_strata_free(&fs);
    ss_table_free(&t);
    free(size);
    free(nh);
    return rc;
}

int cmd_plan(int argc, char **argv)
{
    ss_cli cli;
    ss_cli_init(&cli, "plan");
    ss_error err;
    ss_error_clear(&err);
    plan_args a = {0};
    a.p = 0.5;
    a.level = 0.95;
    a.minper = 2;
    a.alloc.kind = SS_ALLOC_PROPORTIONAL;
    int rc = parse(&cli, &a, argc, argv, &err);
    if (rc < 0) {
        ss_cli_free(&cli);
        return 2;
    }
    ss_grid g = {0};
    if (rc == SS_OK)
        rc = plan(&a, &cli, &g, &err);
    if (rc == SS_OK)
        rc = ss_cli_write(&cli, &g, &err);
    if (rc != SS_OK)
        ss_error_print(&err, "plan");
    ss_grid_free(&g);
    ss_cli_free(&cli);
    return rc;
}
