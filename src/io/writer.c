#include "ss_writer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ss_number.h"

int ss_grid_init(ss_grid *g, size_t ncol, const char *const *names,
                 const int *is_number)
{
    memset(g, 0, sizeof *g);
    g->name = calloc(ncol, sizeof *g->name);
    g->is_number = calloc(ncol, sizeof *g->is_number);
    if (!g->name || !g->is_number)
        return -1;
    g->ncol = ncol;
    for (size_t j = 0; j < ncol; j++) {
        g->name[j] = strdup(names[j]);
        if (!g->name[j])
            return -1;
        g->is_number[j] = is_number[j];
    }
    return 0;
}

void ss_grid_free(ss_grid *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->nrow * g->ncol; i++)
        free(g->cell[i].text);
    free(g->cell);
    for (size_t j = 0; j < g->ncol && g->name; j++)
        free(g->name[j]);
    free(g->name);
    free(g->is_number);
    memset(g, 0, sizeof *g);
}

ss_cell *ss_grid_add_row(ss_grid *g)
{
    if (g->nrow == g->cap) {
        size_t cap = g->cap ? 2 * g->cap : 64;
        ss_cell *c = realloc(g->cell, cap * g->ncol * sizeof *c);
        if (!c)
            return NULL;
        g->cell = c;
        g->cap = cap;
    }
    ss_cell *row = &g->cell[g->nrow * g->ncol];
    for (size_t j = 0; j < g->ncol; j++) {
        row[j].text = NULL;
        row[j].num = NAN;
    }
    g->nrow++;
    return row;
}

int ss_grid_set_text(ss_grid *g, ss_cell *row, size_t col, const char *s)
{
    (void)g;
    char *c = strdup(s ? s : "");
    if (!c)
        return -1;
    free(row[col].text);
    row[col].text = c;
    return 0;
}

static const char *const result_names[] = {
    "wave", "statistic", "variable", "level", "domain", "estimate", "se",
    "ci_low", "ci_high", "df", "deff", "n", "n_eff", "cv", "flag",
    "t", "p_value", "p_holm",
};
static const int result_is_number[] = {0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1};

int ss_grid_from_results(ss_grid *g, const ss_result *r)
{
    const char *names[24];
    int isnum[24];
    size_t nc = 15;
    for (size_t j = 0; j < nc; j++) {
        names[j] = result_names[j];
        isnum[j] = result_is_number[j];
    }
    if (r->waves) {
        names[nc] = "wave_from";
        isnum[nc++] = 0;
        names[nc] = "wave_to";
        isnum[nc++] = 0;
    }
    const size_t tcol = nc;
    if (r->tests)
        for (size_t j = 15; j < 18; j++) {
            names[nc] = result_names[j];
            isnum[nc++] = 1;
        }
    if (r->note_name) {
        names[nc] = r->note_name;
        isnum[nc++] = 0;
    }
    const size_t ncol_note = nc;
    const size_t ncol_conf = nc;
    if (!isnan(r->conf_level)) {
        names[nc] = "conf_level";
        isnum[nc++] = 1;
    }
    const size_t ncol_label = nc;
    if (r->labels) {
        names[nc] = "variable_label";
        isnum[nc++] = 0;
        names[nc] = "by_label";
        isnum[nc++] = 0;
    }
    if (ss_grid_init(g, nc, names, isnum) != 0)
        return -1;
    for (size_t i = 0; i < r->n; i++) {
        const ss_result_row *x = &r->row[i];
        ss_cell *c = ss_grid_add_row(g);
        if (!c)
            return -1;
        const char *texts[] = {x->wave, x->statistic, x->variable, x->level, x->domain};
        for (size_t j = 0; j < 5; j++)
            if (ss_grid_set_text(g, c, j, texts[j]) != 0)
                return -1;
        const double nums[] = {x->estimate, x->se, x->ci_low, x->ci_high, x->df,
                               x->deff, x->n, x->n_eff, x->cv};
        for (size_t j = 0; j < 9; j++)
            c[5 + j].num = nums[j];
        if (ss_grid_set_text(g, c, 14, x->flag) != 0)
            return -1;
        if (r->waves && (ss_grid_set_text(g, c, 15, x->wave_from ? x->wave_from : "") != 0 ||
                         ss_grid_set_text(g, c, 16, x->wave_to ? x->wave_to : "") != 0))
            return -1;
        if (r->tests) {
            c[tcol].num = x->t;
            c[tcol + 1].num = x->p_value;
            c[tcol + 2].num = x->p_holm;
        }
        if (r->note_name && ss_grid_set_text(g, c, ncol_note - 1, x->note ? x->note : "") != 0)
            return -1;
        if (!isnan(r->conf_level))
            c[ncol_conf].num = r->conf_level;
        if (r->labels &&
            (ss_grid_set_text(g, c, ncol_label, x->var_label ? x->var_label : "") != 0 ||
             ss_grid_set_text(g, c, ncol_label + 1, x->by_label ? x->by_label : "") != 0))
            return -1;
    }
    return 0;
}

int ss_format_parse(const char *name, ss_format *f)
{
    static const struct {
        const char *name;
        ss_format f;
    } t[] = {{"text", SS_FMT_TEXT}, {"csv", SS_FMT_CSV},   {"json", SS_FMT_JSON},
             {"md", SS_FMT_MD},     {"xlsx", SS_FMT_XLSX}, {"html", SS_FMT_HTML}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcmp(name, t[i].name) == 0) {
            *f = t[i].f;
            return 0;
        }
    return -1;
}

int ss_format_of_path(const char *path, ss_format *f, const char **ext)
{
    static const struct {
        const char *ext;
        ss_format f;
    } t[] = {{".csv", SS_FMT_CSV},   {".json", SS_FMT_JSON}, {".md", SS_FMT_MD},
             {".txt", SS_FMT_TEXT},  {".xlsx", SS_FMT_XLSX}, {".html", SS_FMT_HTML}};
    if (!path)
        return 0;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    /* "-", "out", ".hidden": no extension */
    if (!dot || dot == base || dot[1] == '\0')
        return 0;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcmp(dot, t[i].ext) == 0) {
            *f = t[i].f;
            return 1;
        }
    if (ext)
        *ext = dot;
    return -1;
}

ss_format ss_format_for_path(const char *path, ss_format dflt)
{
    ss_format f;
    return ss_format_of_path(path, &f, NULL) == 1 ? f : dflt;
}

/* ---- cell text ---- */

static void number_text(double x, int digits, char *buf, size_t size)
{
    if (digits >= 17 || isnan(x) || isinf(x))
        ss_number_format(x, buf, size);
    else
        snprintf(buf, size, "%.*g", digits, x);
}

/* A cell as text; a number set in a text column (text NULL, num not NaN:
 * describe's values) is written as a number too. */
static const char *cell_text(const ss_grid *g, const ss_cell *c, size_t j,
                             int digits, char *buf, size_t size)
{
    if (g->is_number[j] || (!c[j].text && !isnan(c[j].num))) {
        number_text(c[j].num, digits, buf, size);
        return buf;
    }
    return c[j].text ? c[j].text : "";
}

/* ---- numbers for people (text, md, html) ----
 *
 * Text and md show 7 significant digits (as R's print) and no rounding
 * noise: an se, ci_low or ci_high smaller than 1e-12 times its row's
 * estimate, and a cv below 1e-12, are shown as 0 (an SE of 4.4e-16 in a
 * domain whose values are all equal is 0 in exact arithmetic).  csv and
 * json keep 17 digits and the values as computed.
 *
 * Report display (html always, text and md with --percent) rounds as a
 * printed table does: an estimate to 4 significant digits (a percent to one
 * decimal), its interval to the same decimals and its se to one more; df,
 * n and n_eff as whole numbers (a fractional df with one decimal), deff
 * with 2 decimals, cv with 3, t and test statistics with 2, p values with
 * 3 and below 0.001 as "<0.001"; any other number to 4 significant
 * digits. */
#define PEOPLE_DIGITS 7
#define PEOPLE_ZERO 1e-12

enum { ROLE_PLAIN, ROLE_OF_ESTIMATE, ROLE_RELATIVE };
enum { SHOW_OTHER, SHOW_EST, SHOW_SE, SHOW_CI, SHOW_DF, SHOW_COUNT, SHOW_DEFF, SHOW_CV,
       SHOW_P, SHOW_STAT, SHOW_CONF };

typedef struct people {
    int *role;         /* per column */
    int *show;         /* per column: SHOW_... */
    size_t estimate;   /* the estimate column, or ncol */
    int report;        /* rounded for people */
    int percent;       /* proportions in percent */
} people;

long ss_grid_column(const ss_grid *g, const char *name)
{
    for (size_t j = 0; j < g->ncol; j++)
        if (strcmp(g->name[j], name) == 0)
            return (long)j;
    return -1;
}

int ss_grid_percent_row(const ss_grid *g, size_t i)
{
    long j = ss_grid_column(g, "statistic");
    if (j < 0 || g->is_number[j] || ss_grid_column(g, "estimate") < 0)
        return 0;
    const char *t = g->cell[i * g->ncol + (size_t)j].text;
    return t && (!strcmp(t, "prop") || !strcmp(t, "t2b") || !strcmp(t, "b2b") ||
                 !strcmp(t, "net"));
}

double ss_grid_conf_level(const ss_grid *g)
{
    long j = ss_grid_column(g, "conf_level");
    if (j < 0 || !g->is_number[j] || g->nrow == 0)
        return NAN;
    double v = g->cell[(size_t)j].num;
    for (size_t i = 1; i < g->nrow; i++) {
        double x = g->cell[i * g->ncol + (size_t)j].num;
        if (!(x == v))
            return NAN;
    }
    return v;
}

static int show_of(const char *n)
{
    static const struct {
        const char *name;
        int show;
    } t[] = {{"estimate", SHOW_EST}, {"se", SHOW_SE},     {"ci_low", SHOW_CI},
             {"ci_high", SHOW_CI},   {"df", SHOW_DF},     {"df1", SHOW_DF},
             {"df2", SHOW_DF},       {"n", SHOW_COUNT},   {"n_eff", SHOW_COUNT},
             {"deff", SHOW_DEFF},    {"cv", SHOW_CV},     {"p_value", SHOW_P},
             {"p_holm", SHOW_P},     {"t", SHOW_STAT},    {"statistic", SHOW_STAT},
             {"conf_level", SHOW_CONF}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcmp(n, t[i].name) == 0)
            return t[i].show;
    return SHOW_OTHER;
}

static int people_init(people *p, const ss_grid *g, int report, int percent)
{
    p->role = calloc(g->ncol ? g->ncol : 1, sizeof *p->role);
    p->show = calloc(g->ncol ? g->ncol : 1, sizeof *p->show);
    if (!p->role || !p->show) {
        free(p->role);
        free(p->show);
        return -1;
    }
    p->report = report || percent;
    p->percent = percent;
    p->estimate = g->ncol;
    for (size_t j = 0; j < g->ncol; j++)
        if (g->is_number[j] && strcmp(g->name[j], "estimate") == 0)
            p->estimate = j;
    for (size_t j = 0; j < g->ncol; j++) {
        if (!g->is_number[j])
            continue;
        const char *n = g->name[j];
        p->show[j] = show_of(n);
        if (p->estimate < g->ncol &&
            (strcmp(n, "se") == 0 || strcmp(n, "ci_low") == 0 || strcmp(n, "ci_high") == 0))
            p->role[j] = ROLE_OF_ESTIMATE;
        else if (strcmp(n, "cv") == 0)
            p->role[j] = ROLE_RELATIVE;
    }
    return 0;
}

static void people_free(people *p)
{
    free(p->role);
    free(p->show);
}

/* Decimals that give x sig significant digits (0 to 9). */
static int sig_decimals(double x, int sig)
{
    if (!isfinite(x) || x == 0)
        return sig - 1;
    int d = sig - 1 - (int)floor(log10(fabs(x)));
    return d < 0 ? 0 : d > 9 ? 9 : d;
}

static const char *fixed(double x, int d, char *buf, size_t size)
{
    snprintf(buf, size, "%.*f", d, x);
    /* no "-0.0" */
    if (buf[0] == '-' && strspn(buf + 1, "0.") == strlen(buf + 1))
        memmove(buf, buf + 1, strlen(buf));
    return buf;
}

/* A number of a report (see above); row i of g. */
static const char *report_number(const ss_grid *g, const people *p, const ss_cell *c, size_t i,
                                 size_t j, char *buf, size_t size)
{
    double x = c[j].num;
    if (isnan(x))
        return "";
    if (isinf(x))
        return x > 0 ? "Inf" : "-Inf";
    int show = p->show[j];
    int in_row = show == SHOW_EST || show == SHOW_SE || show == SHOW_CI;
    int pct = in_row && p->percent && ss_grid_percent_row(g, i);
    /* the row's scale: its estimate, or its se when larger (a change near
     * 0 between waves is as precise as its se) */
    double est = p->estimate < g->ncol ? fabs(c[p->estimate].num) : NAN;
    for (size_t k = 0; k < g->ncol; k++)
        if (p->show[k] == SHOW_SE && g->is_number[k] && c[k].num > est)
            est = c[k].num;
    if (pct) {
        x *= 100;
        est *= 100;
    }
    switch (show) {
    case SHOW_EST:
    case SHOW_CI:
    case SHOW_SE: {
        int d = pct ? 1 : isfinite(est) && est != 0 ? sig_decimals(est, 4) : sig_decimals(x, 4);
        if (show == SHOW_SE)
            d = d < 9 ? d + 1 : d;
        return fixed(x, d, buf, size);
    }
    case SHOW_DF:
        return fixed(x, x == floor(x) ? 0 : 1, buf, size);
    case SHOW_COUNT:
        return fixed(x, 0, buf, size);
    case SHOW_DEFF:
        return fixed(x, 2, buf, size);
    case SHOW_CV:
        return fixed(x, 3, buf, size);
    case SHOW_STAT:
        return fixed(x, 2, buf, size);
    case SHOW_P:
        if (x < 0.001) {
            snprintf(buf, size, "<0.001");
            return buf;
        }
        return fixed(x, 3, buf, size);
    default:
        if (x == floor(x) && fabs(x) < 1e15)
            return fixed(x, 0, buf, size);
        return fixed(x, sig_decimals(x, 4), buf, size);
    }
}

static const char *people_text(const ss_grid *g, const people *p, const ss_cell *c, size_t j,
                               char *buf, size_t size)
{
    if (p->report && (g->is_number[j] || (!c[j].text && !isnan(c[j].num)))) {
        size_t i = (size_t)(c - g->cell) / (g->ncol ? g->ncol : 1);
        return report_number(g, p, c, i, j, buf, size);
    }
    if (g->is_number[j] && p->role[j] != ROLE_PLAIN) {
        double x = c[j].num;
        double ref = p->role[j] == ROLE_RELATIVE ? 1 : fabs(c[p->estimate].num);
        if (isfinite(x) && isfinite(ref) && fabs(x) < PEOPLE_ZERO * ref) {
            snprintf(buf, size, "0");
            return buf;
        }
    }
    return cell_text(g, c, j, PEOPLE_DIGITS, buf, size);
}

/* The footnote of text, md and html: the confidence level (when the
 * conf_level column holds one value), and that proportions are in
 * percent.  "" when there is nothing to say. */
static const char *footnote(const ss_grid *g, const people *p, char *buf, size_t size)
{
    buf[0] = '\0';
    double cl = ss_grid_conf_level(g);
    int pct = 0;
    for (size_t i = 0; p->percent && i < g->nrow && !pct; i++)
        pct = ss_grid_percent_row(g, i);
    size_t k = 0;
    if (!isnan(cl))
        k += (size_t)snprintf(buf, size, "Confidence level: %.10g%%.", 100 * cl);
    if (pct && k < size)
        snprintf(buf + k, size - k, "%sProportions, t2b, b2b and net (estimate, se, interval) "
                 "in percent.", k ? " " : "");
    return buf;
}

/* Is column j shown in text, md and html at all (a conf_level that is the
 * same in every row goes to the footnote; variable_label and by_label are
 * for charts)? */
static int column_kept(const ss_grid *g, size_t j)
{
    if (!g->is_number[j] &&
        (strcmp(g->name[j], "variable_label") == 0 || strcmp(g->name[j], "by_label") == 0))
        return 0; /* for charts: the tables show the variables by name */
    return !(g->is_number[j] && strcmp(g->name[j], "conf_level") == 0 &&
             !isnan(ss_grid_conf_level(g)));
}

/* ---- csv ---- */

void ss_csv_field(FILE *fp, const char *s)
{
    size_t len = strlen(s);
    int quote = len > 0 && (s[0] == ' ' || s[len - 1] == ' ');
    for (size_t i = 0; i < len && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (!quote) {
        fputs(s, fp);
        return;
    }
    fputc('"', fp);
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            fputc('"', fp);
        fputc(s[i], fp);
    }
    fputc('"', fp);
}

static void write_csv(FILE *fp, const ss_grid *g)
{
    char buf[64];
    for (size_t j = 0; j < g->ncol; j++) {
        if (j)
            fputc(',', fp);
        ss_csv_field(fp, g->name[j]);
    }
    fputc('\n', fp);
    for (size_t i = 0; i < g->nrow; i++) {
        const ss_cell *c = &g->cell[i * g->ncol];
        for (size_t j = 0; j < g->ncol; j++) {
            if (j)
                fputc(',', fp);
            ss_csv_field(fp, cell_text(g, c, j, 17, buf, sizeof buf));
        }
        fputc('\n', fp);
    }
}

/* ---- json ---- */

static void json_string(FILE *fp, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    fputc('"', fp);
    while (*p) {
        unsigned c = *p;
        if (c == '"' || c == '\\') {
            fputc('\\', fp);
            fputc((int)c, fp);
            p++;
        } else if (c < 0x20) {
            fprintf(fp, "\\u%04x", c);
            p++;
        } else if (c < 0x80) {
            fputc((int)c, fp);
            p++;
        } else {
            /* Copy a valid UTF-8 sequence; replace a broken one. */
            size_t k = (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : 0;
            size_t j = 1;
            while (k && j <= k && (p[j] & 0xc0) == 0x80)
                j++;
            if (k && j == k + 1) {
                fwrite(p, 1, k + 1, fp);
                p += k + 1;
            } else {
                fputs("\\ufffd", fp);
                p++;
            }
        }
    }
    fputc('"', fp);
}

static void write_json(FILE *fp, const ss_grid *g)
{
    char buf[64];
    fputs("[", fp);
    for (size_t i = 0; i < g->nrow; i++) {
        const ss_cell *c = &g->cell[i * g->ncol];
        fputs(i ? ",\n {" : "\n {", fp);
        for (size_t j = 0; j < g->ncol; j++) {
            if (j)
                fputs(", ", fp);
            json_string(fp, g->name[j]);
            fputs(": ", fp);
            if (g->is_number[j]) {
                /* JSON has no Inf: an infinite statistic (SE 0) is the
                 * string R writes for it; a missing number is null. */
                if (isinf(c[j].num)) {
                    fputs(c[j].num > 0 ? "\"Inf\"" : "\"-Inf\"", fp);
                } else if (isnan(c[j].num)) {
                    fputs("null", fp);
                } else {
                    ss_number_format(c[j].num, buf, sizeof buf);
                    fputs(buf, fp);
                }
            } else {
                json_string(fp, cell_text(g, c, j, 17, buf, sizeof buf));
            }
        }
        fputs("}", fp);
    }
    fputs(g->nrow ? "\n]\n" : "]\n", fp);
}

/* ---- text and md ---- */

/* Display width of UTF-8 text as a terminal shows it (wcwidth's rules,
 * after Unicode's East Asian Width): wide and fullwidth characters (CJK
 * ideographs and punctuation, kana, Hangul, fullwidth forms, emoji) take
 * two columns; combining marks, zero-width spaces and joiners, variation
 * selectors and the byte-order mark none; everything else one. */
static int cp_wide(unsigned cp)
{
    return (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0x303e) ||
           (cp >= 0x3041 && cp <= 0x33ff) || (cp >= 0x3400 && cp <= 0x4dbf) ||
           (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xa000 && cp <= 0xa4cf) ||
           (cp >= 0xa960 && cp <= 0xa97f) || (cp >= 0xac00 && cp <= 0xd7a3) ||
           (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe10 && cp <= 0xfe19) ||
           (cp >= 0xfe30 && cp <= 0xfe6f) || (cp >= 0xff00 && cp <= 0xff60) ||
           (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1f64f) ||
           (cp >= 0x1f900 && cp <= 0x1f9ff) || (cp >= 0x20000 && cp <= 0x3fffd);
}

static int cp_zero(unsigned cp)
{
    return (cp >= 0x0300 && cp <= 0x036f) || (cp >= 0x0483 && cp <= 0x0489) ||
           (cp >= 0x1ab0 && cp <= 0x1aff) || (cp >= 0x1dc0 && cp <= 0x1dff) ||
           (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2060 && cp <= 0x2064) ||
           (cp >= 0x20d0 && cp <= 0x20ff) || (cp >= 0x302a && cp <= 0x302d) ||
           (cp >= 0x3099 && cp <= 0x309a) || (cp >= 0xfe00 && cp <= 0xfe0f) ||
           (cp >= 0xfe20 && cp <= 0xfe2f) || cp == 0xfeff;
}

size_t ss_display_width(const char *s)
{
    size_t w = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p;
        size_t k = (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : 0;
        unsigned cp = k == 0 ? c : c & (0x3f >> k);
        size_t j = 1;
        for (; j <= k && p[j]; j++)
            cp = (cp << 6) | (p[j] & 0x3f);
        p += j;
        w += cp_zero(cp) ? 0 : cp_wide(cp) ? 2 : 1;
    }
    return w;
}

static void pad(FILE *fp, size_t n)
{
    while (n--)
        fputc(' ', fp);
}

/* A cell as a text or md table shows it: a newline, CR or tab (or any
 * other control byte) would break the row, so they are written as \n, \r,
 * \t and \xNN; md also escapes '|' (a column separator there).  Returns
 * t itself when nothing needs escaping, else the text in *buf (grown as
 * needed; NULL when out of memory). */
static const char *shown(const char *t, int md, char **buf, size_t *cap)
{
    size_t extra = 0, len = 0;
    for (const unsigned char *q = (const unsigned char *)t; *q; q++, len++)
        extra += *q < 0x20 || *q == 0x7f ? 3 : md && *q == '|' ? 1 : 0;
    if (extra == 0)
        return t;
    if (len + extra + 1 > *cap) {
        char *b = realloc(*buf, len + extra + 1);
        if (!b)
            return NULL;
        *buf = b;
        *cap = len + extra + 1;
    }
    char *o = *buf;
    for (const unsigned char *q = (const unsigned char *)t; *q; q++) {
        const char *named = *q == '\n' ? "\\n" : *q == '\r' ? "\\r" : *q == '\t' ? "\\t" : NULL;
        if (named) {
            memcpy(o, named, 2);
            o += 2;
        } else if (*q < 0x20 || *q == 0x7f) {
            o += snprintf(o, 5, "\\x%02x", *q);
        } else {
            if (md && *q == '|')
                *o++ = '\\';
            *o++ = (char)*q;
        }
    }
    *o = '\0';
    return *buf;
}

static void write_aligned(FILE *fp, const ss_grid *g, int md, int percent)
{
    char buf[64], *esc = NULL;
    size_t esc_cap = 0;
    size_t *width = calloc(g->ncol, sizeof *width);
    int *show = calloc(g->ncol, sizeof *show);
    people pp = {0};
    if (!width || !show || people_init(&pp, g, 0, percent) != 0) {
        free(width);
        free(show);
        errno = ENOMEM;
        fputs("", fp);
        return;
    }
    for (size_t j = 0; j < g->ncol; j++) {
        const char *name = shown(g->name[j], md, &esc, &esc_cap);
        width[j] = ss_display_width(name ? name : "");
        for (size_t i = 0; i < g->nrow; i++) {
            const char *t = people_text(g, &pp, &g->cell[i * g->ncol], j, buf, sizeof buf);
            if (*t)
                show[j] = 1;
            t = shown(t, md, &esc, &esc_cap);
            size_t w = ss_display_width(t ? t : "");
            if (w > width[j])
                width[j] = w;
        }
        if (g->nrow == 0)
            show[j] = 1;
        if (!column_kept(g, j))
            show[j] = 0;
    }
    size_t last = 0;
    for (size_t j = 0; j < g->ncol; j++)
        if (show[j])
            last = j;
    const char *sep = md ? " | " : "  ";
    for (int line = 0; line < 2 + (int)g->nrow; line++) {
        int first = 1;
        if (md)
            fputs("| ", fp);
        for (size_t j = 0; j < g->ncol; j++) {
            if (!show[j])
                continue;
            if (!first)
                fputs(sep, fp);
            first = 0;
            if (line == 1) {
                if (!md) {
                    for (size_t k = 0; k < width[j]; k++)
                        fputc('-', fp);
                } else {
                    for (size_t k = 0; k < width[j]; k++)
                        fputc(k + 1 == width[j] && g->is_number[j] ? ':' : '-', fp);
                }
                continue;
            }
            const char *t = line == 0 ? g->name[j]
                                      : people_text(g, &pp, &g->cell[(size_t)(line - 2) * g->ncol],
                                                    j, buf, sizeof buf);
            t = shown(t, md, &esc, &esc_cap);
            if (!t) {
                errno = ENOMEM;
                fputs("", fp);
                break;
            }
            size_t w = ss_display_width(t);
            size_t fill = width[j] > w ? width[j] - w : 0;
            if (g->is_number[j] && line > 0) {
                pad(fp, fill);
                fputs(t, fp);
            } else {
                fputs(t, fp);
                if (md || j < last)
                    pad(fp, fill);
            }
        }
        fputs(md ? " |\n" : "\n", fp);
    }
    char note[256];
    if (*footnote(g, &pp, note, sizeof note))
        fprintf(fp, md ? "\n%s\n" : "%s\n", note);
    free(esc);
    free(width);
    free(show);
    people_free(&pp);
}

int ss_grid_write(FILE *fp, const ss_grid *g, ss_format f)
{
    return ss_grid_write_plain(fp, g, f, NULL);
}

int ss_grid_write_plain(FILE *fp, const ss_grid *g, ss_format f, const ss_write_opts *o)
{
    static const ss_write_opts none = {0};
    if (!o)
        o = &none;
    switch (f) {
    case SS_FMT_XLSX:
        errno = EINVAL; /* ss_grid_write_opts (output.c) writes workbooks */
        return -1;
    case SS_FMT_HTML:
        ss_html_begin(fp, o->title ? o->title : "survstat");
        if (o->title)
            ss_html_heading(fp, 1, o->title);
        ss_html_grid(fp, g, o);
        ss_html_about(fp, o->about);
        ss_html_end(fp);
        break;
    case SS_FMT_CSV:
        write_csv(fp, g);
        break;
    case SS_FMT_JSON:
        write_json(fp, g);
        break;
    case SS_FMT_MD:
        write_aligned(fp, g, 1, o->percent);
        break;
    default:
        write_aligned(fp, g, 0, o->percent);
        break;
    }
    return ferror(fp) ? -1 : 0;
}

/* ---- html ---- */

void ss_html_text(FILE *fp, const char *t)
{
    for (const unsigned char *q = (const unsigned char *)t; *q; q++) {
        switch (*q) {
        case '&':
            fputs("&amp;", fp);
            break;
        case '<':
            fputs("&lt;", fp);
            break;
        case '>':
            fputs("&gt;", fp);
            break;
        case '"':
            fputs("&quot;", fp);
            break;
        default:
            /* control bytes would make the page invalid */
            if (*q < 0x20 && *q != '\n' && *q != '\t')
                fprintf(fp, "\\x%02x", *q);
            else
                fputc(*q, fp);
        }
    }
}

void ss_html_begin(FILE *fp, const char *title)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>", fp);
    ss_html_text(fp, title);
    fputs("</title>\n<style>\n"
          "body{font-family:\"Noto Sans\",\"WenQuanYi Zen Hei\",\"Microsoft YaHei\",Arial,"
          "sans-serif;margin:2em auto;max-width:72em;padding:0 1em;color:#1a1a1a;"
          "line-height:1.4}\n"
          "h1{font-size:1.6em;border-bottom:2px solid #1f4e79;padding-bottom:.2em}\n"
          "h2{font-size:1.25em;color:#1f4e79;margin-top:1.6em}\n"
          "table{border-collapse:collapse;margin:.6em 0;font-size:.92em}\n"
          "th,td{padding:.25em .7em;border-bottom:1px solid #d0d7de;text-align:left;"
          "vertical-align:top}\n"
          "thead th{border-bottom:2px solid #1f4e79;background:#f3f6f9}\n"
          "td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}\n"
          "tbody tr:nth-child(even){background:#fafbfc}\n"
          "p.note{font-size:.88em;color:#444;margin:.3em 0}\n"
          "table.wide{margin-top:1.2em}\n"
          "table.wide caption{text-align:left;font-weight:bold;padding:.3em 0;white-space:nowrap}\n"
          "table.wide thead th{text-align:center;vertical-align:bottom;border-left:1px solid #d0d7de}\n"
          "table.wide thead tr:first-child th:first-child{text-align:left;border-left:0}\n"
          "table.wide tbody th{text-align:left;font-weight:normal;white-space:nowrap}\n"
          "table.wide td{white-space:nowrap;border-left:1px solid #eef1f4}\n"
          "table.wide tr.total th,table.wide tr.total td{font-weight:bold;"
          "border-top:2px solid #1f4e79}\n"
          "div.figure{margin:1em 0}div.figure img{max-width:100%;height:auto}\n"
          "p.caption{font-size:.9em;color:#444;margin:.2em 0}\n"
          "dl.about{font-size:.85em;color:#444;display:grid;grid-template-columns:max-content "
          "auto;gap:.2em 1em;border-top:1px solid #d0d7de;padding-top:.8em;margin-top:2em}\n"
          "dl.about dt{font-weight:bold}dl.about dd{margin:0;word-break:break-all}\n"
          "@media print{body{max-width:none;margin:0}}\n"
          "</style>\n</head>\n<body>\n",
          fp);
}

void ss_html_heading(FILE *fp, int level, const char *text)
{
    level = level < 1 ? 1 : level > 4 ? 4 : level;
    fprintf(fp, "<h%d>", level);
    ss_html_text(fp, text);
    fprintf(fp, "</h%d>\n", level);
}

void ss_html_paragraph(FILE *fp, const char *text)
{
    fputs("<p>", fp);
    ss_html_text(fp, text);
    fputs("</p>\n", fp);
}

void ss_html_grid(FILE *fp, const ss_grid *g, const ss_write_opts *o)
{
    char buf[64];
    people pp = {0};
    if (people_init(&pp, g, 1, o && o->percent) != 0) {
        errno = ENOMEM;
        return;
    }
    /* columns empty in every row are left out, as in text */
    int *keep = calloc(g->ncol ? g->ncol : 1, sizeof *keep);
    if (!keep) {
        people_free(&pp);
        return;
    }
    for (size_t j = 0; j < g->ncol; j++) {
        keep[j] = g->nrow == 0;
        for (size_t i = 0; i < g->nrow && !keep[j]; i++)
            keep[j] = *people_text(g, &pp, &g->cell[i * g->ncol], j, buf, sizeof buf) != '\0';
        keep[j] = keep[j] && column_kept(g, j);
    }
    fputs("<table>\n<thead><tr>", fp);
    for (size_t j = 0; j < g->ncol; j++) {
        if (!keep[j])
            continue;
        fputs(g->is_number[j] ? "<th class=\"num\">" : "<th>", fp);
        ss_html_text(fp, g->name[j]);
        fputs("</th>", fp);
    }
    fputs("</tr></thead>\n<tbody>\n", fp);
    for (size_t i = 0; i < g->nrow; i++) {
        const ss_cell *c = &g->cell[i * g->ncol];
        fputs("<tr>", fp);
        for (size_t j = 0; j < g->ncol; j++) {
            if (!keep[j])
                continue;
            /* a number in a text column (Methods' values) aligns as its
             * column, not right among left-aligned texts */
            fputs(g->is_number[j] ? "<td class=\"num\">" : "<td>", fp);
            ss_html_text(fp, people_text(g, &pp, c, j, buf, sizeof buf));
            fputs("</td>", fp);
        }
        fputs("</tr>\n", fp);
    }
    fputs("</tbody>\n</table>\n", fp);
    char note[256];
    if (*footnote(g, &pp, note, sizeof note)) {
        fputs("<p class=\"note\">", fp);
        ss_html_text(fp, note);
        fputs("</p>\n", fp);
    }
    free(keep);
    people_free(&pp);
}

void ss_html_image(FILE *fp, const unsigned char *data, size_t len, const char *mime,
                   const char *alt)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    /* (div and p, not figure: xmllint's HTML parser, which the tests use,
     * knows HTML 4 only) */
    fputs("<div class=\"figure\"><img alt=\"", fp);
    ss_html_text(fp, alt);
    fprintf(fp, "\" src=\"data:%s;base64,", mime);
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned)data[i] << 16;
        if (i + 1 < len)
            v |= (unsigned)data[i + 1] << 8;
        if (i + 2 < len)
            v |= data[i + 2];
        fputc(b64[(v >> 18) & 63], fp);
        fputc(b64[(v >> 12) & 63], fp);
        fputc(i + 1 < len ? b64[(v >> 6) & 63] : '=', fp);
        fputc(i + 2 < len ? b64[v & 63] : '=', fp);
    }
    fputs("\"><p class=\"caption\">", fp);
    ss_html_text(fp, alt);
    fputs("</p></div>\n", fp);
}

void ss_html_about(FILE *fp, const char *const *about)
{
    if (!about || !about[0])
        return;
    fputs("<dl class=\"about\">\n", fp);
    for (size_t k = 0; about[k] && about[k + 1]; k += 2) {
        fputs("<dt>", fp);
        ss_html_text(fp, about[k]);
        fputs("</dt><dd>", fp);
        ss_html_text(fp, about[k + 1]);
        fputs("</dd>\n", fp);
    }
    fputs("</dl>\n", fp);
}

void ss_html_end(FILE *fp)
{
    fputs("</body>\n</html>\n", fp);
}



/* ---- atomic output ---- */

/* What an interrupted run must not leave behind: the temporary files being
 * written and the directories registered by ss_output_protect_dir.  The
 * signal handler reads only these pointers and calls only async-signal-safe
 * functions: unlink, open, unlinkat, rmdir, and the getdents64 system call
 * to list a directory (readdir allocates, so it is not safe there). */
#define MAX_PENDING 16
static char *volatile pending_file[MAX_PENDING];
static char *volatile pending_dir[MAX_PENDING];
static volatile sig_atomic_t handlers_set;
static volatile pid_t child_group; /* a process group to end with us */

static void remove_dir_now(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        char buf[4096];
        long n;
        while ((n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
            for (long off = 0; off < n;) {
                struct {
                    unsigned long long ino;
                    long long off;
                    unsigned short reclen;
                    unsigned char type;
                    char name[];
                } *e = (void *)(buf + off);
                if (strcmp(e->name, ".") != 0 && strcmp(e->name, "..") != 0)
                    unlinkat(fd, e->name, 0);
                off += e->reclen;
            }
        }
        close(fd);
    }
    rmdir(dir);
}

static void on_signal(int sig)
{
    if (child_group > 0)
        kill(-child_group, SIGKILL);
    for (int i = 0; i < MAX_PENDING; i++) {
        char *f = pending_file[i];
        if (f)
            unlink(f);
    }
    for (int i = 0; i < MAX_PENDING; i++) {
        char *d = pending_dir[i];
        if (d)
            remove_dir_now(d);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static void set_handlers(void)
{
    if (handlers_set)
        return;
    handlers_set = 1;
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction sa, old;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        for (size_t k = 0; k < sizeof sigs / sizeof sigs[0]; k++)
            sigaddset(&sa.sa_mask, sigs[k]);
        /* A signal the caller ignores (nohup) stays ignored. */
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        sigaction(sigs[i], &sa, NULL);
    }
}

static int pending_add(char *volatile *list, char *path)
{
    set_handlers();
    for (int i = 0; i < MAX_PENDING; i++)
        if (!list[i]) {
            list[i] = path;
            return 0;
        }
    return -1;
}

static void pending_remove(char *volatile *list, const char *path)
{
    for (int i = 0; i < MAX_PENDING; i++)
        if (list[i] == path)
            list[i] = NULL;
}

int ss_output_protect_dir(char *dir)
{
    return pending_add(pending_dir, dir);
}

void ss_output_release_dir(char *dir)
{
    pending_remove(pending_dir, dir);
}

void ss_output_protect_child(pid_t group)
{
    set_handlers();
    child_group = group;
}

int ss_output_protect_file(char *file)
{
    return pending_add(pending_file, file);
}

void ss_output_release_file(char *file)
{
    pending_remove(pending_file, file);
}

/* The descriptor a path names when it is one of the process's own
 * (/dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N, /proc/PID/fd/N
 * with our PID), else -1.  Such a path is written through the descriptor
 * itself: reopening it would truncate a file the shell opened for
 * appending, and renaming over it would replace the file the shell's
 * descriptor no longer sees. */
static int own_descriptor(const char *path)
{
    if (strcmp(path, "/dev/stdout") == 0)
        return 1;
    if (strcmp(path, "/dev/stderr") == 0)
        return 2;
    const char *rest = NULL;
    char self[64];
    snprintf(self, sizeof self, "/proc/%ld/fd/", (long)getpid());
    if (strncmp(path, "/dev/fd/", 8) == 0)
        rest = path + 8;
    else if (strncmp(path, "/proc/self/fd/", 14) == 0)
        rest = path + 14;
    else if (strncmp(path, self, strlen(self)) == 0)
        rest = path + strlen(self);
    if (!rest || *rest < '0' || *rest > '9')
        return -1;
    char *end;
    long fd = strtol(rest, &end, 10);
    return *end == '\0' && fd <= 1 << 20 ? (int)fd : -1;
}

/* Write o->fp in place, through a descriptor of ours or a device or FIFO:
 * no temporary file, and its errors still surface on commit. */
static int open_in_place(ss_output *o, const char *path, int fd, ss_error *err)
{
    if (fd >= 0) {
        int d = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        o->fp = d >= 0 ? fdopen(d, "w") : NULL;
        if (d >= 0 && !o->fp)
            close(d);
    } else {
        o->fp = fopen(path, "we");
    }
    if (!o->fp)
        return ss_error_set(err, SS_EDATA, path, 0, "cannot write: %s", strerror(errno));
    o->path = strdup(path);
    if (!o->path) {
        fclose(o->fp);
        o->fp = NULL;
        return ss_error_set(err, SS_EDATA, path, 0, "out of memory");
    }
    return SS_OK;
}

/* May the user write over st?  access(W_OK) answers for others, but root
 * may write anything: a file without any write bit (chmod a-w) was marked
 * read-only on purpose, and renaming a new file over it would undo that. */
static int writable(const char *path, const struct stat *st)
{
    return (st->st_mode & 0222) != 0 && access(path, W_OK) == 0;
}

int ss_output_open(ss_output *o, const char *path, ss_error *err)
{
    memset(o, 0, sizeof *o);
    /* Past a file-size limit (ulimit -f) a write fails with EFBIG, reported
     * like a full disk, instead of SIGXFSZ killing the process with its
     * temporary file left behind. */
    signal(SIGXFSZ, SIG_IGN);
    if (!path || strcmp(path, "-") == 0) {
        o->fp = stdout;
        return SS_OK;
    }
    int own = own_descriptor(path);
    if (own >= 0)
        return open_in_place(o, path, own, err);
    /* A symbolic link is followed: the file it names is replaced and the
     * link stays.  A device or FIFO (/dev/full, /dev/null) is written in
     * place, never turned into a regular file. */
    struct stat st, lst;
    int exists = stat(path, &st) == 0;
    int link = lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode);
    if (!exists && link)
        return ss_error_set(err, SS_EDATA, path, 0,
                            "a symbolic link to nothing: write to its target or remove it");
    if (exists && S_ISDIR(st.st_mode))
        return ss_error_set(err, SS_EDATA, path, 0, "cannot write: Is a directory");
    if (exists && !S_ISREG(st.st_mode))
        return open_in_place(o, path, -1, err);
    /* Another name of our standard output or error (/dev/./stdout, a link
     * to /dev/stdout while it goes to a file): written through it, so
     * what the shell appended around it stays. */
    for (int fd = 1; exists && fd <= 2; fd++) {
        struct stat fs;
        if (fstat(fd, &fs) == 0 && fs.st_dev == st.st_dev && fs.st_ino == st.st_ino)
            return open_in_place(o, path, fd, err);
    }
    if (exists && !writable(path, &st))
        return ss_error_set(err, SS_EDATA, path, 0, "not writable (chmod u+w it or choose another -o)");
    o->path = link ? realpath(path, NULL) : strdup(path);
    size_t len = o->path ? strlen(o->path) + 32 : 0;
    o->tmp = o->path ? malloc(len) : NULL;
    if (!o->path || !o->tmp) {
        int e = errno;
        ss_output_abort(o);
        return ss_error_set(err, SS_EDATA, path, 0, "cannot write: %s",
                            e == ENOMEM ? "out of memory" : strerror(e));
    }
    /* The temporary file lives in the same directory, so rename is atomic. */
    snprintf(o->tmp, len, "%s.tmp.XXXXXX", o->path);
    int fd = mkstemp(o->tmp);
    if (fd >= 0)
        fcntl(fd, F_SETFD, FD_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        free(o->tmp);
        o->tmp = NULL;
        ss_output_abort(o);
        return ss_error_set(err, SS_EDATA, path, 0, "cannot write: %s", strerror(e));
    }
    if (pending_add(pending_file, o->tmp) != 0) {
        close(fd);
        ss_output_abort(o);
        return ss_error_set(err, SS_EDATA, path, 0, "more than %d outputs open at once",
                            MAX_PENDING);
    }
    /* mkstemp makes 0600: a new file gets what open(2) would give it
     * (0666 less the umask), a replaced one keeps its mode (and, where
     * allowed, as for root, its owner and group). */
    mode_t mode;
    if (exists) {
        mode = st.st_mode & 0777;
        if (fchown(fd, st.st_uid, st.st_gid) != 0 && fchown(fd, (uid_t)-1, st.st_gid) != 0) {
            /* not allowed: the new file is the user's (as sed -i's) */
        }
    } else {
        mode_t mask = umask(0);
        umask(mask);
        mode = 0666 & ~mask;
    }
    if (fchmod(fd, mode) != 0) {
        int e = errno;
        close(fd);
        ss_output_abort(o);
        return ss_error_set(err, SS_EDATA, path, 0, "cannot write: %s", strerror(e));
    }
    o->fp = fdopen(fd, "w");
    if (!o->fp) {
        int e = errno;
        close(fd);
        ss_output_abort(o);
        return ss_error_set(err, SS_EDATA, path, 0, "cannot write: %s", strerror(e));
    }
    return SS_OK;
}

int ss_output_commit(ss_output *o, ss_error *err)
{
    if (o->fp == stdout) {
        o->fp = NULL;
        if (fflush(stdout) != 0 || ferror(stdout))
            return ss_error_set(err, SS_EDATA, NULL, 0, "write error on standard output: %s",
                                strerror(errno));
        return SS_OK;
    }
    /* Flush, sync a regular file (a device or FIFO written in place has no
     * o->tmp), close: the first failure is the error reported. */
    int bad = ferror(o->fp) != 0;
    int e = bad ? EIO : 0;
    if (fflush(o->fp) != 0 || (o->tmp && fsync(fileno(o->fp)) != 0)) {
        bad = 1;
        e = errno;
    }
    if (fclose(o->fp) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    o->fp = NULL;
    if (!bad && o->tmp && rename(o->tmp, o->path) != 0) {
        bad = 1;
        e = errno;
    }
    if (bad) {
        char path[1024];
        snprintf(path, sizeof path, "%s", o->path);
        ss_output_abort(o);
        return ss_error_set(err, SS_EDATA, path, 0, "write error: %s", strerror(e));
    }
    pending_remove(pending_file, o->tmp);
    free(o->tmp);
    free(o->path);
    o->tmp = o->path = NULL;
    return SS_OK;
}

void ss_output_abort(ss_output *o)
{
    if (o->fp && o->fp != stdout)
        fclose(o->fp);
    if (o->tmp) {
        unlink(o->tmp);
        pending_remove(pending_file, o->tmp);
    }
    free(o->tmp);
    free(o->path);
    memset(o, 0, sizeof *o);
}
