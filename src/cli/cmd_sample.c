/* survstat sample: draw a stratified (PPS, two-stage) sample from a frame.
 * The algorithms are in src/design/select.c (ss_select.h). */
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ss_cli.h"
#include "ss_commands.h"
#include "ss_number.h"
#include "ss_select.h"
#include "ss_writer.h"

const char cmd_sample_usage[] =
    "usage: survstat sample FRAME.csv --n N --seed N [-o SAMPLE.csv] [--strata COL]\n"
    "                       [--alloc A] [--method M] [--size COL] [--stage2 COL --n2 M]\n"
    "\n"
    "Draws a sample from a frame (one row per first-stage unit) and writes the\n"
    "selected rows with their inclusion probability, fpc and weight, ready for\n"
    "'survstat estimate --fpc fpc --weights weight' (add --pps brewer after a PPS\n"
    "method).  Random numbers: GSL's mt19937 seeded with --seed.\n"
    "\n"
    "options:\n"
    "  --n N                  units to draw (with --alloc FILE: their sum if omitted)\n"
    "  --strata COL           draw within each stratum\n"
    "  --alloc A              proportional (default; to the total --size when given),\n"
    "                         equal, neyman:VAR (N_h times the SD of VAR), power:Q\n"
    "                         (N_h or total size to the power Q), or FILE.csv with\n"
    "                         columns stratum,n; rounded by largest remainder\n"
    "  --min-per-stratum K    at least K units per stratum (default 2)\n"
    "  --method M             srs (default), sys (systematic, random start),\n"
    "                         pps-sys (systematic PPS on a random start), pps-brewer\n"
    "                         (Brewer's draw-by-draw method); PPS units whose\n"
    "                         probability reaches 1 are taken with certainty\n"
    "  --size COL             the measure of size of each unit (> 0) for PPS\n"
    "  --stage2 COL --n2 M    a second stage: COL holds each unit's number of\n"
    "                         second-stage units (households listed); M of them are\n"
    "                         drawn systematically in each selected unit (all if\n"
    "                         fewer), one output row each with its line 'unit2'\n"
    "  --seed N               the random seed (required)\n"
    "  --draws R              R independent samples (seeds N, N+1, ...), stacked\n"
    "                         with a column 'draw' (1..R): for simulation studies\n"
    "  -o FILE                the sample (CSV), written whole or not at all\n"
    "                         (default: standard output)\n"
    "\n"
    "output columns after the frame's: prob, fpc, weight; with --stage2:\n"
    "unit2, prob1, prob2, prob, fpc1, fpc2, weight (fpc = the stage's inclusion\n"
    "probability, prob = their product, weight = 1 / prob).\n"
    "\n"
    "example:\n"
    "  survstat sample datasets/frame_communities.csv --strata district --n 24"
    " --method pps-sys --size households --stage2 households --n2 2 --seed 2010\n";

enum {
    OPT_N = SS_OPT_FIRST_COMMAND,
    OPT_ALLOC,
    OPT_METHOD,
    OPT_SIZE,
    OPT_STAGE2,
    OPT_N2,
    OPT_MIN,
    OPT_DRAWS,
};

static const struct option own_options[] = {
    {"n", required_argument, NULL, OPT_N},
    {"alloc", required_argument, NULL, OPT_ALLOC},
    {"method", required_argument, NULL, OPT_METHOD},
    {"size", required_argument, NULL, OPT_SIZE},
    {"stage2", required_argument, NULL, OPT_STAGE2},
    {"n2", required_argument, NULL, OPT_N2},
    {"min-per-stratum", required_argument, NULL, OPT_MIN},
    {"draws", required_argument, NULL, OPT_DRAWS},
    {NULL, 0, NULL, 0},
};

typedef enum { M_SRS, M_SYS, M_PPS_SYS, M_PPS_BREWER } sample_method;

typedef struct sample_args {
    const char *file, *size, *stage2;
    size_t n, n2, minper, draws;
    int n_set;
    sample_method method;
    ss_alloc_spec alloc;
} sample_args;

static int whole(const char *arg, const char *opt, size_t *out, size_t min, ss_error *err)
{
    double v;
    if (ss_number_parse(arg, strlen(arg), &v) != 0 || v != floor(v) || v < (double)min ||
        v > 1e15)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "%s: expected a whole number >= %zu, got '%s'",
                            opt, min, arg);
    *out = (size_t)v;
    return SS_OK;
}

static int option(void *ctx, int opt, const char *arg, ss_error *err)
{
    sample_args *a = ctx;
    switch (opt) {
    case OPT_N:
        a->n_set = 1;
        return whole(arg, "--n", &a->n, 1, err);
    case OPT_N2:
        return whole(arg, "--n2", &a->n2, 1, err);
    case OPT_MIN:
        return whole(arg, "--min-per-stratum", &a->minper, 0, err);
    case OPT_DRAWS:
        return whole(arg, "--draws", &a->draws, 1, err);
    case OPT_ALLOC:
        return ss_alloc_parse(arg, &a->alloc, err);
    case OPT_SIZE:
        a->size = arg;
        return SS_OK;
    case OPT_STAGE2:
        a->stage2 = arg;
        return SS_OK;
    case OPT_METHOD: {
        static const char *const names[] = {"srs", "sys", "pps-sys", "pps-brewer"};
        for (size_t i = 0; i < 4; i++)
            if (strcmp(arg, names[i]) == 0) {
                a->method = (sample_method)i;
                return SS_OK;
            }
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "--method: unknown method '%s' (srs, sys, pps-sys, pps-brewer)", arg);
    }
    default:
        return SS_CLI_NOT_MINE;
    }
}

static int parse(ss_cli *cli, sample_args *a, int argc, char **argv, ss_error *err)
{
    int rc = ss_cli_parse(cli, argc, argv, own_options, option, a, err);
    if (rc != SS_OK)
        return rc;
    if (optind >= argc)
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "no FRAME file (try 'survstat sample --help')");
    if (argc - optind > 1)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "one FRAME file expected, got '%s' too",
                            argv[optind + 1]);
    a->file = argv[optind];
    if (!a->n_set && a->alloc.kind != SS_ALLOC_FILE)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "--n N is required");
    if (!cli->rep.seed_set)
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "--seed N is required (the draw must be reproducible)");
    if ((a->method == M_PPS_SYS || a->method == M_PPS_BREWER) && !a->size)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "--method %s needs --size COL",
                            a->method == M_PPS_SYS ? "pps-sys" : "pps-brewer");
    if (!a->stage2 != !a->n2)
        return ss_error_set(err, SS_EUSAGE, NULL, 0, "--stage2 COL and --n2 M go together");
    const ss_design_spec *ds = &cli->design;
    if (ds->weights || ds->nids || ds->nfpc || ds->pps || ss_weight_any(&cli->weight) ||
        cli->rep.make != SS_REP_NONE)
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "sample takes --strata only of the design options");
    return SS_OK;
}

typedef struct drawn {
    const ss_table *t;
    const sample_args *a;
    size_t ndraw, cap; /* output rows */
    size_t *drawno;   /* per output row: its draw (--draws) */
    size_t *row;      /* per output row: the frame row */
    size_t *line2;    /* per output row: the second-stage line (stage 2) */
    double *p1, *p2;  /* per frame row / output row */
} drawn;

static const char *const added1[] = {"prob", "fpc", "weight"};
static const char *const added2[] = {"unit2", "prob1", "prob2", "prob", "fpc1", "fpc2", "weight"};

static int write_sample(FILE *fp, void *ctx)
{
    const drawn *s = ctx;
    const ss_table *t = s->t;
    const int two = s->a->stage2 != NULL;
    const char *const *names = two ? added2 : added1;
    size_t nadd = two ? 7 : 3;
    for (size_t j = 0; j < t->ncol; j++) {
        ss_csv_field(fp, t->col[j].name);
        fputc(',', fp);
    }
    if (s->a->draws)
        fputs("draw,", fp);
    for (size_t k = 0; k < nadd; k++)
        fprintf(fp, "%s%s", names[k], k + 1 < nadd ? "," : "\n");
    char buf[64];
    for (size_t q = 0; q < s->ndraw && !ferror(fp); q++) {
        size_t i = s->row[q];
        const char *cell = ss_table_row_text(t, i);
        for (size_t j = 0; j < t->ncol; j++) {
            ss_csv_field(fp, cell);
            fputc(',', fp);
            cell += strlen(cell) + 1;
        }
        if (s->a->draws)
            fprintf(fp, "%zu,", s->drawno[q]);
        double p1 = s->p1[i], p2 = two ? s->p2[q] : 1;
        double v[7];
        size_t k = 0;
        if (two) {
            v[k++] = (double)s->line2[q];
            v[k++] = p1;
            v[k++] = p2;
        }
        v[k++] = p1 * p2;
        v[k++] = p1;
        if (two)
            v[k++] = p2;
        v[k++] = 1 / (p1 * p2);
        for (size_t x = 0; x < k; x++) {
            ss_number_format(v[x], buf, sizeof buf);
            fprintf(fp, "%s%s", buf, x + 1 < k ? "," : "\n");
        }
    }
    return ferror(fp) ? -1 : 0;
}

/* Positive sizes, and whole positive second-stage counts. */
static int read_positive(const ss_table *t, const char *name, int integer, double *out,
                         ss_error *err)
{
    const ss_column *c = ss_table_find(t, name);
    for (size_t i = 0; i < t->nrow; i++) {
        double v = c->num[i];
        if (isnan(v))
            return ss_error_set(err, SS_EDATA, t->file, ss_table_line(t, i),
                                "column '%s': missing %s", name,
                                integer ? "second-stage count" : "size");
        if (!(v > 0) || (integer && v != floor(v)))
            return ss_error_set(err, SS_EDATA, t->file, ss_table_line(t, i),
                                "column '%s': %s '%.15g' must be %s", name,
                                integer ? "second-stage count" : "size", v,
                                integer ? "a whole number > 0" : "> 0");
        out[i] = v;
    }
    return SS_OK;
}

/* Draw stratum h's nh units among its rows idx[0..N): sel[i] = 1 and p1[row]. */
static int draw_stratum(gsl_rng *r, const sample_args *a, const size_t *idx, size_t N, size_t nh,
                        const double *size, uint8_t *sel, double *p1)
{
    double *pi = malloc((N ? N : 1) * sizeof *pi);
    double *work = malloc((N ? N : 1) * sizeof *work);
    size_t *out = malloc((N ? N : 1) * sizeof *out);
    size_t *rest = malloc((N ? N : 1) * sizeof *rest);
    if (!pi || !work || !out || !rest) {
        free(pi);
        free(work);
        free(out);
        free(rest);
        return -1;
    }
    size_t got = nh;
    if (a->method == M_SRS || a->method == M_SYS) {
        for (size_t k = 0; k < N; k++)
            pi[k] = (double)nh / (double)N;
        if (a->method == M_SRS)
            ss_select_srs(r, N, nh, out);
        else
            ss_select_systematic(r, pi, N, nh, out);
    } else {
        for (size_t k = 0; k < N; k++)
            work[k] = size[idx[k]];
        size_t certain = ss_select_pps_probs(work, N, nh, pi);
        if (a->method == M_PPS_SYS) {
            ss_select_systematic(r, pi, N, nh, out);
        } else {
            /* the certainty units, then Brewer among the others */
            size_t m = 0, c = 0;
            double *pr = malloc((N ? N : 1) * sizeof *pr);
            size_t *o2 = malloc((N ? N : 1) * sizeof *o2);
            if (!pr || !o2) {
                free(pr);
                free(o2);
                free(pi);
                free(work);
                free(out);
                free(rest);
                return -1;
            }
            for (size_t k = 0; k < N; k++) {
                if (pi[k] == 1)
                    out[c++] = k;
                else {
                    rest[m] = k;
                    pr[m++] = pi[k];
                }
            }
            ss_select_brewer(r, pr, m, nh - certain, work, o2);
            for (size_t k = 0; k < nh - certain; k++)
                out[c++] = rest[o2[k]];
            got = c;
            free(pr);
            free(o2);
        }
    }
    for (size_t k = 0; k < got; k++)
        sel[idx[out[k]]] = 1;
    for (size_t k = 0; k < N; k++)
        p1[idx[k]] = pi[k];
    free(pi);
    free(work);
    free(out);
    free(rest);
    return 0;
}

/* Room for k more output rows. */
static int grow(drawn *s, size_t k)
{
    if (s->ndraw + k <= s->cap)
        return 0;
    size_t cap = (s->ndraw + k) * 2;
    size_t *r = realloc(s->row, cap * sizeof *r);
    if (r)
        s->row = r;
    size_t *l = r ? realloc(s->line2, cap * sizeof *l) : NULL;
    if (l)
        s->line2 = l;
    size_t *d = l ? realloc(s->drawno, cap * sizeof *d) : NULL;
    if (d)
        s->drawno = d;
    double *p = d ? realloc(s->p2, cap * sizeof *p) : NULL;
    if (!p)
        return -1;
    s->p2 = p;
    s->cap = cap;
    return 0;
}

/* One draw with r, its rows appended to s as draw number no. */
static int draw(const ss_table *t, const ss_cli *cli, const sample_args *a, gsl_rng *r,
                size_t no, drawn *s, ss_error *err)
{
    const size_t n = t->nrow;
    double *size = NULL, *m2 = NULL;
    int rc = SS_OK;
    ss_frame_strata fs = {0};
    size_t *nh = NULL, *idx = NULL;
    uint8_t *sel = calloc(n ? n : 1, 1);
    if (!s->p1)
        s->p1 = calloc(n ? n : 1, sizeof *s->p1);
    if (!sel || !s->p1) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        goto done;
    }
    if (a->size) {
        size = malloc((n ? n : 1) * sizeof *size);
        if (!size || (rc = read_positive(t, a->size, 0, size, err)) != SS_OK) {
            if (!size)
                rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
            goto done;
        }
    }
    if (a->stage2) {
        m2 = malloc((n ? n : 1) * sizeof *m2);
        if (!m2 || (rc = read_positive(t, a->stage2, 1, m2, err)) != SS_OK) {
            if (!m2)
                rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
            goto done;
        }
    }
    if ((rc = ss_frame_strata_build(&fs, t, cli->design.strata, size, err)) != SS_OK)
        goto done;
    nh = calloc(fs.H ? fs.H : 1, sizeof *nh);
    idx = malloc((n ? n : 1) * sizeof *idx);
    if (!nh || !idx) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        goto done;
    }
    size_t ntot = a->n_set ? a->n : 0;
    if ((rc = ss_frame_allocate(&fs, t, &a->alloc, NULL, &ntot, a->minper, nh, err)) != SS_OK)
        goto done;
    for (size_t h = 0; h < fs.H && rc == SS_OK; h++) {
        size_t N = 0;
        for (size_t i = 0; i < n; i++)
            if (fs.stratum[i] == h)
                idx[N++] = i;
        if (draw_stratum(r, a, idx, N, nh[h], size, sel, s->p1) != 0)
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    }
    if (rc != SS_OK)
        goto done;
    /* the output rows: every selected unit, or its second-stage lines */
    size_t rows = 0;
    for (size_t i = 0; i < n; i++)
        if (sel[i])
            rows += a->stage2 ? (m2[i] < (double)a->n2 ? (size_t)m2[i] : a->n2) : 1;
    if (grow(s, rows) != 0) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n && rc == SS_OK; i++) {
        if (!sel[i])
            continue;
        if (!a->stage2) {
            s->drawno[s->ndraw] = no;
            s->row[s->ndraw++] = i;
            continue;
        }
        size_t M = (size_t)m2[i], k = M < a->n2 ? M : a->n2;
        double *pi = malloc(M * sizeof *pi);
        size_t *out = malloc(M * sizeof *out);
        if (!pi || !out) {
            free(pi);
            free(out);
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
            break;
        }
        for (size_t l = 0; l < M; l++)
            pi[l] = (double)k / (double)M;
        ss_select_systematic(r, pi, M, k, out);
        for (size_t l = 0; l < k; l++) {
            s->drawno[s->ndraw] = no;
            s->row[s->ndraw] = i;
            s->line2[s->ndraw] = out[l] + 1;
            s->p2[s->ndraw++] = (double)k / (double)M;
        }
        free(pi);
        free(out);
    }
done:
    ss_frame_strata_free(&fs);
    free(nh);
    free(idx);
    free(sel);
    free(size);
    free(m2);
    return rc;
}

int cmd_sample(int argc, char **argv)
{
    ss_cli cli;
    ss_cli_init(&cli, "sample");
    ss_error err;
    ss_error_clear(&err);
    sample_args a = {0};
    a.minper = 2;
    a.alloc.kind = SS_ALLOC_PROPORTIONAL;
    int rc = parse(&cli, &a, argc, argv, &err);
    if (rc < 0) {
        ss_cli_free(&cli);
        return 2;
    }
    ss_table t = {0};
    drawn s = {0};
    if (rc == SS_OK) {
        ss_request req[4];
        size_t k = 0;
        if (cli.design.strata)
            req[k++] = (ss_request){cli.design.strata, SS_NEED_CATEGORY};
        if (a.size)
            req[k++] = (ss_request){a.size, SS_NEED_NUMBER};
        if (a.stage2)
            req[k++] = (ss_request){a.stage2, SS_NEED_NUMBER};
        if (a.alloc.kind == SS_ALLOC_NEYMAN)
            req[k++] = (ss_request){a.alloc.var, SS_NEED_NUMBER};
        cli.read.all_columns = 1;
        cli.read.keep_text = 1;
        rc = ss_table_read(&t, a.file, &cli.read, req, k, &err);
    }
    const char *const *names = a.stage2 ? added2 : added1;
    if (rc == SS_OK && a.draws && ss_table_find(&t, "draw"))
        rc = ss_error_set(&err, SS_EUSAGE, NULL, 0,
                          "column 'draw' is already in %s: rename it (sample adds it)", a.file);
    for (size_t k = 0; rc == SS_OK && k < (a.stage2 ? 7u : 3u); k++)
        if (ss_table_find(&t, names[k]))
            rc = ss_error_set(&err, SS_EUSAGE, NULL, 0,
                              "column '%s' is already in %s: rename it (sample adds it)",
                              names[k], a.file);
    if (rc == SS_OK) {
        s.t = &t;
        s.a = &a;
        /* draw k of --draws R uses the seed + k - 1 */
        gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
        if (!r)
            rc = ss_error_set(&err, SS_EDATA, NULL, 0, "out of memory");
        for (size_t k = 1; rc == SS_OK && k <= (a.draws ? a.draws : 1); k++) {
            gsl_rng_set(r, cli.rep.seed + k - 1);
            rc = draw(&t, &cli, &a, r, k, &s, &err);
        }
        if (r)
            gsl_rng_free(r);
    }
    if (rc == SS_OK)
        rc = ss_cli_write_with(&cli, write_sample, &s, &err);
    if (rc != SS_OK)
        ss_error_print(&err, "sample");
    free(s.row);
    free(s.drawno);
    free(s.line2);
    free(s.p1);
    free(s.p2);
    ss_table_free(&t);
    ss_cli_free(&cli);
    return rc;
}
