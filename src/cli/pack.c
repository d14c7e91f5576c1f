/* The report pack of survstat run (ss_pack.h).  The sections' tables are
 * read back from the csv files the run wrote (so the workbook's numbers
 * are those of the csv to the bit); the Methods section comes from the
 * design read again with the run's design and weighting options. */
#include "ss_pack.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ss_cli.h"
#include "ss_writer.h"
#include "survstat.h"

/* ---- result csv files back into grids ---- */

/* The columns that hold numbers in the files survstat writes. */
static int numeric_column(const char *name)
{
    static const char *const num[] = {"estimate", "se",      "ci_low",  "ci_high", "df",
                                      "deff",     "n",       "n_eff",   "cv",      "t",
                                      "p_value",  "p_holm",  "conf_level", "value", NULL};
    for (size_t i = 0; num[i]; i++)
        if (!strcmp(name, num[i]))
            return 1;
    return 0;
}

/* One record of a csv file as survstat writes it (RFC 4180 quoting);
 * fields point into *buf.  Returns the field count, 0 at the end, -1 when
 * out of memory or malformed. */
static int csv_record(FILE *fp, char **buf, size_t *cap, char ***fields, size_t *fcap)
{
    size_t n = 0, nf = 0;
    int c, quoted = 0, any = 0;
    size_t start = 0;
    for (;;) {
        c = getc(fp);
        if (c == EOF && !any)
            return 0;
        any = 1;
        if (n + 2 > *cap) {
            size_t nc = *cap ? 2 * *cap : 1024;
            char *b = realloc(*buf, nc);
            if (!b)
                return -1;
            *buf = b;
            *cap = nc;
        }
        if (quoted) {
            if (c == EOF)
                return -1;
            if (c == '"') {
                int d = getc(fp);
                if (d == '"') {
                    (*buf)[n++] = '"';
                    continue;
                }
                ungetc(d, fp);
                quoted = 0;
                continue;
            }
            (*buf)[n++] = (char)c;
            continue;
        }
        if (c == '"') {
            quoted = 1;
            continue;
        }
        if (c == ',' || c == '\n' || c == EOF) {
            (*buf)[n++] = '\0';
            if (nf == *fcap) {
                size_t nc = *fcap ? 2 * *fcap : 32;
                char **f = realloc(*fields, nc * sizeof *f);
                if (!f)
                    return -1;
                *fields = f;
                *fcap = nc;
            }
            (*fields)[nf++] = (char *)(uintptr_t)start; /* an offset until the end */
            start = n;
            if (c != ',')
                break;
            continue;
        }
        if (c != '\r')
            (*buf)[n++] = (char)c;
    }
    for (size_t k = 0; k < nf; k++)
        (*fields)[k] = *buf + (uintptr_t)(*fields)[k];
    return (int)nf;
}

static int read_grid(const char *path, ss_grid *g)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return -1;
    char *buf = NULL, **f = NULL;
    size_t cap = 0, fcap = 0;
    int rc = -1;
    int nf = csv_record(fp, &buf, &cap, &f, &fcap);
    if (nf > 0) {
        int *isnum = calloc((size_t)nf, sizeof *isnum);
        int model = 0; /* a model's rows: statistic is its t */
        for (int k = 0; k < nf; k++)
            model |= !strcmp(f[k], "term");
        for (int k = 0; isnum && k < nf; k++)
            isnum[k] = numeric_column(f[k]) || (model && !strcmp(f[k], "statistic"));
        rc = isnum && ss_grid_init(g, (size_t)nf, (const char *const *)f, isnum) == 0 ? 0 : -1;
        free(isnum);
    }
    while (rc == 0) {
        int m = csv_record(fp, &buf, &cap, &f, &fcap);
        if (m == 0)
            break;
        if (m > 1 && (!strcmp(f[0], "test") || (!strcmp(f[0], "wave") && !strcmp(f[1], "test"))) &&
            g->nrow > 0)
            break; /* a model's --test block follows its coefficients: the
                    * report shows the coefficients (the csv keeps both) */
        if (m < 0 || (size_t)m != g->ncol) {
            rc = -1;
            break;
        }
        ss_cell *row = ss_grid_add_row(g);
        if (!row) {
            rc = -1;
            break;
        }
        for (size_t k = 0; k < g->ncol && rc == 0; k++) {
            if (!g->is_number[k]) {
                rc = ss_grid_set_text(g, row, k, f[k]);
            } else if (f[k][0]) {
                char *end;
                row[k].num = strtod(f[k], &end);
                /* not a number after all (a test's statistic name): text */
                if (*end)
                    rc = -1;
            }
        }
    }
    free(buf);
    free(f);
    fclose(fp);
    return rc;
}

/* ---- Methods ---- */

static int item(ss_grid *g, const char *name, const char *text, double num)
{
    ss_cell *row = ss_grid_add_row(g);
    if (!row || ss_grid_set_text(g, row, 0, name) != 0)
        return -1;
    if (text)
        return ss_grid_set_text(g, row, 1, text);
    row[1].num = num;
    return 0;
}

static int itemf(ss_grid *g, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int itemf(ss_grid *g, const char *name, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return item(g, name, buf, NAN);
}

/* The rates of a rates table's overall rows (no domain) worth a sentence. */
static void rates_sentence(const ss_grid *r, char *out, size_t size)
{
    long jr = ss_grid_column(r, "rate"), jv = ss_grid_column(r, "value"),
         jd = ss_grid_column(r, "domain");
    out[0] = '\0';
    if (jr < 0 || jv < 0)
        return;
    size_t k = 0;
    static const char *const want[] = {"RR1", "RR3", "COOP1", "REF1", "CON1", NULL};
    for (size_t w = 0; want[w]; w++)
        for (size_t i = 0; i < r->nrow; i++) {
            const ss_cell *c = &r->cell[i * r->ncol];
            if (jd >= 0 && c[jd].text && c[jd].text[0])
                continue;
            if (c[jr].text && !strcmp(c[jr].text, want[w]) && !isnan(c[jv].num) && k < size) {
                k += (size_t)snprintf(out + k, size - k, "%s%s %.1f%%", k ? ", " : "", want[w],
                                      100 * c[jv].num);
                break;
            }
        }
}

static void table_n(const ss_grid *g, char *line, size_t size);

static int methods_grid(const ss_pack *p, ss_grid *g, const ss_grid *const *tables,
                        double conf_level, char *msg, size_t msgsize)
{
    static const char *const names[] = {"item", "value"};
    static const int isnum[] = {0, 0};
    if (ss_grid_init(g, 2, names, isnum) != 0)
        return -1;
    ss_cli c;
    ss_cli_init(&c, "run");
    c.pack_weights = 1; /* as estimate: the shared read's weights serve */
    ss_error err;
    ss_error_clear(&err);
    ss_table t = {0};
    ss_design d = {0};
    ss_weight_report rep = {0};
    int saved_optind = optind;
    static const struct option none[] = {{NULL, 0, NULL, 0}};
    int rc = ss_cli_parse(&c, p->design_argc, p->design_argv, none, NULL, NULL, &err);
    optind = saved_optind;
    if (rc == SS_OK) {
        c.quiet = 1;
        rc = ss_cli_load(&c, p->data, NULL, 0, &t, &d, &rep, &err);
    }
    if (rc != SS_OK) {
        snprintf(msg, msgsize, "%s", err.message[0] ? err.message : "cannot read the design");
        ss_weight_report_free(&rep);
        ss_design_free(&d);
        ss_table_free(&t);
        ss_cli_free(&c);
        return 1;
    }
    int bad = 0;
    bad |= itemf(g, "data", "%s (wave %s), from the spec %s", p->data, p->wave, p->spec);
    bad |= item(g, "rows", NULL, (double)t.nrow);
    const ss_design_spec *ds = &c.design;
    char ids[512] = "", fpc[512] = "";
    for (size_t i = 0; i < ds->nids; i++)
        snprintf(ids + strlen(ids), sizeof ids - strlen(ids), "%s%s", i ? ", " : "", ds->ids[i]);
    for (size_t i = 0; i < ds->nfpc; i++)
        snprintf(fpc + strlen(fpc), sizeof fpc - strlen(fpc), "%s%s", i ? ", " : "", ds->fpc[i]);
    bad |= itemf(g, "design",
                 "%s%s%s; %s%s%s; finite population correction: %s; weights: %s%s. Variances by "
                 "Taylor linearization with the meaning of R's survey package (svydesign)",
                 ds->strata ? "strata: " : "no strata", ds->strata ? ds->strata : "",
                 "", ds->nids ? "clusters by stage: " : "no clusters (every row a PSU)",
                 ds->nids ? ids : "", ds->nest ? " (nested in strata)" : "",
                 ds->nfpc ? fpc : "none", ds->weights ? ds->weights : "none (every row 1)",
                 d.weights_from_fpc ? " (from the fpc)" : "");
    {
        bad |= item(g, "strata", NULL, (double)d.stage[0].nstrata);
        bad |= item(g, "PSUs", NULL, (double)d.stage[0].nunit);
    }
    bad |= item(g, "design df (PSUs minus strata)", isnan(d.df) ? "none" : NULL, d.df);
    /* the sample sizes of the sections: the n of their whole-population rows */
    for (size_t k = 0; k < p->nsec; k++) {
        const ss_grid *tb = tables[k];
        long jn = tb ? ss_grid_column(tb, "n") : -1, jv = tb ? ss_grid_column(tb, "variable") : -1,
             jd = tb ? ss_grid_column(tb, "domain") : -1, js = tb ? ss_grid_column(tb, "statistic") : -1;
        if (jn < 0 || jv < 0 || !tb->is_number[jn] || !strcmp(p->sec[k].type, "drivers"))
            continue;
        char line[1024] = "";
        size_t o = 0;
        int whole = 0;
        if (!strcmp(p->sec[k].type, "table")) {
            char name[300];
            table_n(tb, line, sizeof line);
            snprintf(name, sizeof name, "sample size (n) [table %s]", p->sec[k].name);
            if (line[0])
                bad |= item(g, name, line, NAN);
            continue;
        }
        for (size_t i = 0; i < tb->nrow && !whole; i++)
            whole = jd < 0 || !tb->cell[i * tb->ncol + (size_t)jd].text ||
                    !tb->cell[i * tb->ncol + (size_t)jd].text[0];
        /* only domains: the n of each domain of the first variable */
        for (size_t i = 0; !whole && i < tb->nrow && o + 64 < sizeof line; i++) {
            const ss_cell *cl = &tb->cell[i * tb->ncol];
            const ss_cell *first = tb->cell;
            if (!cl[jv].text || !first[jv].text || strcmp(cl[jv].text, first[jv].text) != 0 ||
                (js >= 0 && strcmp(cl[js].text ? cl[js].text : "",
                                   first[js].text ? first[js].text : "") != 0))
                continue;
            if (i > 0 && !strcmp(tb->cell[(i - 1) * tb->ncol + (size_t)jd].text, cl[jd].text))
                continue; /* levels of a proportion: once per domain */
            o += (size_t)snprintf(line + o, sizeof line - o, "%s%s%s %.0f", o ? ", " : "",
                                  o ? "" : "by domain: ", cl[jd].text, cl[jn].num);
        }
        for (size_t i = 0; whole && i < tb->nrow && o + 64 < sizeof line; i++) {
            const ss_cell *cl = &tb->cell[i * tb->ncol];
            if (jd >= 0 && cl[jd].text && cl[jd].text[0])
                continue;
            if (i > 0 && js >= 0) { /* once per variable */
                const ss_cell *pv = &tb->cell[(i - 1) * tb->ncol];
                if (pv[jv].text && cl[jv].text && !strcmp(pv[jv].text, cl[jv].text) &&
                    (jd < 0 || !pv[jd].text || !pv[jd].text[0]))
                    continue;
            }
            o += (size_t)snprintf(line + o, sizeof line - o, "%s%s %.0f", o ? ", " : "",
                                  cl[jv].text ? cl[jv].text : "", cl[jn].num);
        }
        if (o) {
            char name[300];
            snprintf(name, sizeof name, "sample size (n) [%s %s]", p->sec[k].type,
                     p->sec[k].name);
            bad |= item(g, name, line, NAN);
        }
    }
    /* weighting */
    const ss_weight_spec *w = &c.weight;
    if (ss_weight_any(w)) {
        bad |= itemf(g, "weighting", "%s%s%s%s%s%s%s", w->poststrat ? "post-stratified to " : "",
                     w->poststrat ? w->poststrat : "", w->rake ? "raked to the margins of " : "",
                     w->rake ? w->rake : "", w->calibrate ? "calibrated to " : "",
                     w->calibrate ? w->calibrate : "", w->trim ? "; weights trimmed" : "");
        if (rep.iterations)
            bad |= itemf(g, "weighting iterations", "%d; worst margin %s, relative error %.3g",
                         rep.iterations, rep.worst_label, rep.worst);
        for (size_t i = 0; i < rep.nm; i++) {
            char name[300];
            snprintf(name, sizeof name, "margin %s", rep.m[i].label);
            bad |= itemf(g, name, "target %.10g; before %.10g; after %.10g", rep.m[i].target,
                         rep.m[i].before, rep.m[i].after);
        }
        if (rep.trimmed)
            bad |= itemf(g, "weights trimmed", "%zu", rep.trimmed);
    } else {
        bad |= item(g, "weighting", "none (the design weights)", NAN);
    }
    double s = 0, s2 = 0, lo = INFINITY, hi = 0;
    size_t npos = 0;
    for (size_t i = 0; i < d.n; i++) {
        s += d.w[i];
        s2 += d.w[i] * d.w[i];
        if (d.w[i] > 0) {
            npos++;
            lo = fmin(lo, d.w[i]);
            hi = fmax(hi, d.w[i]);
        }
    }
    if (s > 0) {
        bad |= itemf(g, "weights", "sum %.10g, min %.7g, max %.7g, max/min %.4g", s, lo, hi,
                     hi / lo);
        bad |= item(g, "Kish design effect (1 + CV^2 of the weights)", NULL,
                    (double)npos * s2 / (s * s));
        bad |= item(g, "Kish effective n", NULL, s * s / s2);
    }
    /* AAPOR */
    for (size_t k = 0; k < p->nsec; k++)
        if (!strcmp(p->sec[k].type, "rates") && tables[k]) {
            char line[512];
            rates_sentence(tables[k], line, sizeof line);
            char name[300];
            snprintf(name, sizeof name, "AAPOR response rates [rates %s]", p->sec[k].name);
            bad |= item(g, name, line[0] ? line : "see its table", NAN);
        }
    if (!isnan(conf_level))
        bad |= itemf(g, "confidence level", "%.10g%%", 100 * conf_level);
    bad |= itemf(g, "software", "survstat %s", SURVSTAT_VERSION);
    ss_weight_report_free(&rep);
    ss_design_free(&d);
    ss_table_free(&t);
    ss_cli_free(&c);
    return bad ? -1 : 0;
}

/* ---- the two files ---- */

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    size_t cap = 65536, n = 0;
    unsigned char *b = malloc(cap);
    while (b) {
        size_t got = fread(b + n, 1, cap - n, fp);
        n += got;
        if (n < cap)
            break;
        unsigned char *nb = realloc(b, 2 * cap);
        if (!nb) {
            free(b);
            b = NULL;
            break;
        }
        b = nb;
        cap *= 2;
    }
    if (ferror(fp)) {
        free(b);
        b = NULL;
    }
    fclose(fp);
    *len = n;
    return b;
}

static const char *heading(const ss_pack_section *s, char *buf, size_t size)
{
    static const struct {
        const char *type, *what;
    } t[] = {{"estimate", "Estimates"}, {"drivers", "Key drivers"}, {"rates", "AAPOR rates"},
             {"chart", "Chart"},        {"trend", "Change over the waves"},
             {"table", "Table"}};
    const char *what = s->type;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (!strcmp(s->type, t[i].type))
            what = t[i].what;
    snprintf(buf, size, "%s: %s", what, s->name);
    return buf;
}

/* ---- a [table] section laid out wide ----------------------------------
 *
 * The run keeps a table section's tidy rows (NAME.csv, survstat table's
 * csv); the page shows them as survstat table's html does: per --by layer
 * and statistic (the percentages, else the counts) the rows' levels down,
 * the columns' levels across under the column variable, Total last, each
 * cell "47.4 (43.1-51.8)* Px" ("x" suppressed, "-" an empty domain).  A
 * domain is a column of a layer when its last part VAR=level follows a
 * domain that is itself present (the layer's Total column). */

typedef struct str_set {
    char **v;
    size_t n;
} str_set;

/* The index of x in s, added when new; -1 out of memory. */
static long str_set_add(str_set *s, const char *x)
{
    for (size_t k = 0; k < s->n; k++)
        if (!strcmp(s->v[k], x))
            return (long)k;
    char **v = realloc(s->v, (s->n + 1) * sizeof *v);
    if (!v)
        return -1;
    s->v = v;
    if (!(v[s->n] = strdup(x)))
        return -1;
    return (long)s->n++;
}

static void str_set_free(str_set *s)
{
    for (size_t k = 0; k < s->n; k++)
        free(s->v[k]);
    free(s->v);
}

static const char *grid_str(const ss_grid *g, size_t i, long j)
{
    const char *t = j >= 0 ? g->cell[i * g->ncol + (size_t)j].text : NULL;
    return t ? t : "";
}

static double grid_num(const ss_grid *g, size_t i, long j)
{
    return j >= 0 ? g->cell[i * g->ncol + (size_t)j].num : NAN;
}

/* Domain d as layer (its first *layer_len bytes) and column level (into
 * val, the variable into key): 1, or 0 when d is a layer's Total column. */
static int domain_column(const char *d, const str_set *domains, size_t *layer_len, char *key,
                         size_t ksize, char *val, size_t vsize)
{
    const char *p = d, *last = NULL, *k = NULL;
    size_t kl = 0;
    while (*p) {
        const char *start = p;
        p = ss_result_domain_part(p, &k, &kl, val, vsize);
        if (!p)
            return 0;
        last = start;
    }
    if (!last)
        return 0;
    size_t plen = last > d ? (size_t)(last - d - 1) : 0;
    for (size_t j = 0; j < domains->n; j++)
        if (strlen(domains->v[j]) == plen && !strncmp(domains->v[j], d, plen)) {
            *layer_len = plen;
            snprintf(key, ksize, "%.*s", (int)kl, k);
            return 1;
        }
    return 0;
}

/* A table section's rows used (the n of each layer's total cell):
 * "1498 rows", or "sex=男 730, sex=女 768" by layer. */
static void table_n(const ss_grid *g, char *line, size_t size)
{
    long cs = ss_grid_column(g, "statistic"), cl = ss_grid_column(g, "level"),
         cd = ss_grid_column(g, "domain"), cn = ss_grid_column(g, "n");
    str_set domains = {0};
    size_t o = 0;
    line[0] = '\0';
    if (cs < 0 || cl < 0 || cd < 0 || cn < 0)
        return;
    for (size_t i = 0; i < g->nrow; i++)
        if (str_set_add(&domains, grid_str(g, i, cd)) < 0)
            break;
    for (size_t i = 0; i < g->nrow && o + 64 < size; i++) {
        const char *d = grid_str(g, i, cd);
        size_t ll;
        char key[256], val[1024];
        if (strcmp(grid_str(g, i, cs), "count") != 0 || *grid_str(g, i, cl) ||
            domain_column(d, &domains, &ll, key, sizeof key, val, sizeof val))
            continue;
        o += (size_t)snprintf(line + o, size - o, "%s%s%s%.0f%s", o ? ", " : "", d, *d ? " " : "",
                              grid_num(g, i, cn), *d ? "" : " rows");
    }
    str_set_free(&domains);
}

static const char *stat_words(const char *st)
{
    static const char *const w[][2] = {{"pct_row", "row percentages"},
                                       {"pct_col", "column percentages"},
                                       {"pct_cell", "cell percentages"},
                                       {"pct_cases", "percent of cases"},
                                       {"pct_responses", "percent of responses"},
                                       {"count", "weighted counts"}};
    for (size_t k = 0; k < sizeof w / sizeof w[0]; k++)
        if (!strcmp(st, w[k][0]))
            return w[k][1];
    return st;
}

/* The text of one cell (grid row i, or none: -1). */
static void wide_text(const ss_grid *g, long i, int count, char *buf, size_t size)
{
    long e = ss_grid_column(g, "estimate"), lo = ss_grid_column(g, "ci_low"),
         hi = ss_grid_column(g, "ci_high"), n = ss_grid_column(g, "n");
    if (i < 0) {
        snprintf(buf, size, "-");
        return;
    }
    double x = grid_num(g, (size_t)i, e), a = grid_num(g, (size_t)i, lo),
           b = grid_num(g, (size_t)i, hi);
    const char *mark = grid_str(g, (size_t)i, ss_grid_column(g, "mark"));
    const char *flag = grid_str(g, (size_t)i, ss_grid_column(g, "flag"));
    if (isnan(x)) {
        snprintf(buf, size, "%s", grid_num(g, (size_t)i, n) > 0 ? "x" : "-");
        return;
    }
    double f = count ? 1 : 100;
    int d = count ? 0 : 1;
    if (isnan(a) || a == b)
        snprintf(buf, size, "%.*f", d, f * x);
    else
        snprintf(buf, size, "%.*f (%.*f-%.*f)", d, f * x, d, f * a, d, f * b);
    snprintf(buf + strlen(buf), size - strlen(buf), "%s%s%s", mark, *flag ? " " : "", flag);
}

/* g (a table section's rows) as blocks; 0, 1 when g is not of that
 * shape, -1 out of memory. */
static int pack_wide(const ss_grid *g, ss_layout **out, size_t *nout)
{
    long cs = ss_grid_column(g, "statistic"), cv = ss_grid_column(g, "variable"),
         cl = ss_grid_column(g, "level"), cd = ss_grid_column(g, "domain");
    *out = NULL;
    *nout = 0;
    if (cs < 0 || cv < 0 || cl < 0 || cd < 0 || ss_grid_column(g, "estimate") < 0 || g->nrow == 0)
        return 1;
    str_set stats = {0}, domains = {0}, layers = {0}, cols = {0}, rows = {0};
    int rc = 0, pct = 0, total_row = 0;
    char key[256] = "", k2[256], val[1024];
    for (size_t i = 0; i < g->nrow && rc == 0; i++) {
        const char *st = grid_str(g, i, cs);
        pct |= !strncmp(st, "pct_", 4);
        if (str_set_add(&stats, st) < 0 || str_set_add(&domains, grid_str(g, i, cd)) < 0)
            rc = -1;
    }
    long *at = NULL;
    size_t nl = 0, nc = 0, nr = 0, ns = stats.n;
    /* the layers, columns and rows, in the order of the rows */
    for (size_t i = 0; i < g->nrow && rc == 0; i++) {
        const char *d = grid_str(g, i, cd), *lev = grid_str(g, i, cl);
        size_t ll = strlen(d);
        if (domain_column(d, &domains, &ll, k2, sizeof k2, val, sizeof val)) {
            if (!*key)
                snprintf(key, sizeof key, "%s", k2);
            rc = str_set_add(&cols, val) < 0 ? -1 : 0;
        }
        char *layer = strndup(d, ll);
        if (!layer || str_set_add(&layers, layer) < 0)
            rc = -1;
        free(layer);
        if (rc == 0 && *lev && str_set_add(&rows, lev) < 0)
            rc = -1;
        total_row |= !*lev;
    }
    nl = layers.n, nc = cols.n, nr = rows.n + (size_t)total_row;
    if (rc == 0 && !(at = malloc(ns * nl * nr * (nc + 1) * sizeof *at + 1)))
        rc = -1;
    for (size_t k = 0; rc == 0 && k < ns * nl * nr * (nc + 1); k++)
        at[k] = -1;
    for (size_t i = 0; i < g->nrow && rc == 0; i++) {
        const char *d = grid_str(g, i, cd), *lev = grid_str(g, i, cl);
        size_t ll = strlen(d), c = nc;
        if (domain_column(d, &domains, &ll, k2, sizeof k2, val, sizeof val))
            c = (size_t)str_set_add(&cols, val);
        char *layer = strndup(d, ll);
        long L = layer ? str_set_add(&layers, layer) : -1;
        free(layer);
        size_t r = *lev ? (size_t)str_set_add(&rows, lev) : nr - 1;
        long s = str_set_add(&stats, grid_str(g, i, cs));
        if (L < 0 || s < 0)
            rc = -1;
        else
            at[(((size_t)s * nl + (size_t)L) * nr + r) * (nc + 1) + c] = (long)i;
    }
    ss_layout *b = rc == 0 ? calloc(nl * ns + 1, sizeof *b) : NULL;
    if (rc == 0 && !b)
        rc = -1;
    double level = grid_num(g, 0, ss_grid_column(g, "conf_level"));
    size_t n = 0;
    for (size_t L = 0; L < nl && rc == 0; L++)
        for (size_t s = 0; s < ns && rc == 0; s++) {
            int count = !strcmp(stats.v[s], "count");
            if (pct ? strncmp(stats.v[s], "pct_", 4) != 0 : !count)
                continue;
            char title[2048], ci[64] = "";
            if (!isnan(level))
                snprintf(ci, sizeof ci, " with %g%% confidence intervals", 100 * level);
            snprintf(title, sizeof title, "%s%s%s%s%s%s: %s%s", grid_str(g, 0, cv),
                     nc ? " by " : "", nc ? key : "", *layers.v[L] ? " (" : "", layers.v[L],
                     *layers.v[L] ? ")" : "", stat_words(stats.v[s]), ci);
            ss_layout *l = &b[n++];
            rc = ss_layout_crosstab(l, title, grid_str(g, 0, cv), key,
                                    (const char *const *)cols.v, nc, 1, NULL, nr);
            for (size_t r = 0; r < nr && rc == 0; r++) {
                char buf[256];
                l->total[l->nhead + r] = total_row && r + 1 == nr;
                rc = ss_layout_text(l, l->nhead + r, 0, r < rows.n ? rows.v[r] : "Total");
                for (size_t c = 0; c <= nc && rc == 0; c++) {
                    wide_text(g, at[((s * nl + L) * nr + r) * (nc + 1) + c], count, buf,
                              sizeof buf);
                    rc = ss_layout_text(l, l->nhead + r, 1 + c, buf);
                }
            }
        }
    free(at);
    str_set_free(&stats);
    str_set_free(&domains);
    str_set_free(&layers);
    str_set_free(&cols);
    str_set_free(&rows);
    *out = b;
    *nout = n;
    return rc;
}

static int write_html(FILE *fp, void *ctx);
static int write_xlsx(FILE *fp, void *ctx);

typedef struct pack_doc {
    const ss_pack *p;
    const ss_grid *methods;
    const ss_grid *const *tables;
    const char *const *about;
    const char *title;
} pack_doc;

static int write_html(FILE *fp, void *ctx)
{
    const pack_doc *doc = ctx;
    const ss_pack *p = doc->p;
    ss_write_opts o = {p->percent, doc->title, NULL, NULL};
    ss_html_begin(fp, doc->title);
    ss_html_heading(fp, 1, doc->title);
    ss_html_heading(fp, 2, "Methods");
    ss_html_grid(fp, doc->methods, &o);
    for (size_t k = 0; k < p->nsec; k++) {
        char h[512];
        const ss_pack_section *s = &p->sec[k];
        if (!doc->tables[k] && !s->svg)
            continue;
        ss_html_heading(fp, 2, heading(s, h, sizeof h));
        ss_layout *wide = NULL;
        size_t nwide = 0;
        int shown = 0;
        if (doc->tables[k] && !strcmp(s->type, "table") &&
            pack_wide(doc->tables[k], &wide, &nwide) == 0 && nwide > 0) {
            for (size_t w = 0; w < nwide; w++)
                ss_html_layout(fp, &wide[w]);
            ss_html_paragraph(fp, "* differs from the Total (or the reference column) at the "
                                  "table's level; flags and x (suppressed) as in survstat table. "
                                  "Every row with its standard error is in the workbook.");
            shown = 1;
        }
        for (size_t w = 0; w < nwide; w++)
            ss_layout_free(&wide[w]);
        free(wide);
        if (doc->tables[k] && !shown)
            ss_html_grid(fp, doc->tables[k], &o);
        if (s->svg) {
            size_t len = 0;
            unsigned char *svg = slurp(s->svg, &len);
            if (!svg)
                return -1;
            ss_html_image(fp, svg, len, "image/svg+xml", s->name);
            free(svg);
        }
    }
    ss_html_about(fp, doc->about);
    ss_html_end(fp);
    return ferror(fp) ? -1 : 0;
}

static int write_xlsx(FILE *fp, void *ctx)
{
    const pack_doc *doc = ctx;
    const ss_pack *p = doc->p;
    ss_sheet *sheets = calloc(p->nsec + 1, sizeof *sheets);
    if (!sheets)
        return -1;
    size_t n = 0;
    sheets[n++] = (ss_sheet){"methods", doc->methods};
    for (size_t k = 0; k < p->nsec; k++)
        if (doc->tables[k])
            sheets[n++] = (ss_sheet){p->sec[k].name, doc->tables[k]};
    ss_write_opts o = {p->percent, doc->title, doc->about, NULL};
    int rc = ss_xlsx_write(fp, sheets, n, &o);
    free(sheets);
    return rc;
}

static int write_file(const char *path, int (*fn)(FILE *, void *), void *ctx)
{
    ss_output out;
    ss_error err;
    ss_error_clear(&err);
    if (ss_output_open(&out, path, &err) != SS_OK) {
        ss_error_print(&err, "run");
        return 1;
    }
    if (fn(out.fp, ctx) != 0) {
        fprintf(stderr, "survstat run: %s: write error: %s\n", path, strerror(errno));
        ss_output_abort(&out);
        return 1;
    }
    if (ss_output_commit(&out, &err) != SS_OK) {
        ss_error_print(&err, "run");
        return 1;
    }
    return 0;
}

/* The sections' tables (tables[k] NULL-free grids, tp[k] NULL when the
 * section has none) and their common confidence level (NaN: none; -1:
 * they differ).  0, or 1 with the message printed. */
static int read_tables(const ss_pack *p, ss_grid *tables, const ss_grid **tp, double *conf)
{
    *conf = NAN;
    for (size_t k = 0; k < p->nsec; k++) {
        if (!p->sec[k].csv)
            continue;
        if (read_grid(p->sec[k].csv, &tables[k]) != 0) {
            fprintf(stderr, "survstat run: %s: cannot read it back for the report\n",
                    p->sec[k].csv);
            return 1;
        }
        tp[k] = &tables[k];
        double cl = ss_grid_conf_level(&tables[k]);
        if (!isnan(cl))
            *conf = isnan(*conf) || *conf == cl ? cl : -1;
    }
    return 0;
}

static void free_tables(const ss_pack *p, ss_grid *tables, const ss_grid **tp)
{
    for (size_t k = 0; tables && k < p->nsec; k++)
        ss_grid_free(&tables[k]);
    free(tables);
    free(tp);
}

int ss_pack_methods(const ss_pack *p, ss_grid *methods)
{
    ss_grid *tables = calloc(p->nsec + 1, sizeof *tables);
    const ss_grid **tp = calloc(p->nsec + 1, sizeof *tp);
    double conf;
    int rc = tables && tp ? read_tables(p, tables, tp, &conf) : -1;
    char msg[2048];
    if (rc == 0) {
        rc = methods_grid(p, methods, tp, conf < 0 ? NAN : conf, msg, sizeof msg);
        if (rc > 0)
            fprintf(stderr, "survstat run: the report's Methods: %s\n", msg);
    }
    if (rc < 0)
        fprintf(stderr, "survstat run: the report's Methods: out of memory\n");
    free_tables(p, tables, tp);
    return rc ? 1 : 0;
}

int ss_pack_write(const ss_pack *p, const ss_grid *methods)
{
    ss_grid *tables = calloc(p->nsec + 1, sizeof *tables);
    const ss_grid **tp = calloc(p->nsec + 1, sizeof *tp);
    if (!tables || !tp) {
        free_tables(p, tables, tp);
        fprintf(stderr, "survstat run: out of memory\n");
        return 1;
    }
    double conf;
    int rc = read_tables(p, tables, tp, &conf);
    char title[512], date[64] = "";
    snprintf(title, sizeof title, "Report: %s, wave %s", p->spec, p->wave);
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm))
        strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S UTC", &tm);
    char cmd[1024], level[64];
    snprintf(cmd, sizeof cmd, "survstat run %s --data %s --wave %s", p->spec, p->data, p->wave);
    if (conf > 0)
        snprintf(level, sizeof level, "%.10g%%", 100 * conf);
    else
        snprintf(level, sizeof level, "%s", conf < 0 ? "differs by section (see conf_level)"
                                                        : "none");
    const char *about[] = {"command",          cmd,  "confidence level", level, "date", date,
                           "survstat version", SURVSTAT_VERSION, NULL};
    pack_doc doc = {p, methods, tp, about, title};
    if (rc == 0)
        rc = write_file(p->html, write_html, &doc);
    if (rc == 0)
        rc = write_file(p->xlsx, write_xlsx, &doc);
    free_tables(p, tables, tp);
    return rc;
}
