/* gnuplot scripts of charts.  See ss_plot.h; the one door for text from
 * data or options into a script is ss_plot_quote. */
#include "ss_plot.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ss_number.h"
#include "ss_writer.h"

void ss_buf_init(ss_buf *b)
{
    memset(b, 0, sizeof *b);
}

void ss_buf_free(ss_buf *b)
{
    if (!b)
        return;
    free(b->s);
    ss_buf_init(b);
}

static int reserve(ss_buf *b, size_t more)
{
    if (b->failed)
        return -1;
    if (b->n + more + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < b->n + more + 1)
        cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s) {
        b->failed = 1;
        return -1;
    }
    b->s = s;
    b->cap = cap;
    return 0;
}

void ss_buf_printf(ss_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len < 0 || reserve(b, (size_t)len) != 0) {
        b->failed = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->n, (size_t)len + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)len;
}

size_t ss_plot_quote_as(ss_buf *b, const char *s, int format)
{
    size_t replaced = 0, len = strlen(s);
    if (reserve(b, 2 * len + 2) != 0)
        return 0;
    b->s[b->n++] = '\'';
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f) {
            b->s[b->n++] = ' ';
            replaced++;
        } else if (*p == '\'' || (*p == '%' && format)) {
            b->s[b->n++] = (char)*p;
            b->s[b->n++] = (char)*p;
        } else {
            b->s[b->n++] = (char)*p;
        }
    }
    b->s[b->n++] = '\'';
    b->s[b->n] = '\0';
    return replaced;
}

size_t ss_plot_quote(ss_buf *b, const char *s)
{
    return ss_plot_quote_as(b, s, 0);
}

int ss_plot_type_parse(const char *name, ss_plot_type *t)
{
    static const char *const names[] = {"bar", "likert", "trend", "ipa", "weights"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i]) == 0) {
            *t = (ss_plot_type)i;
            return 0;
        }
    return -1;
}

int ss_plot_term_for_path(const char *path, ss_plot_term *t)
{
    const char *dot = strrchr(path, '.');
    if (!dot || strchr(dot, '/'))
        return -1;
    if (strcasecmp(dot, ".png") == 0)
        *t = SS_TERM_PNG;
    else if (strcasecmp(dot, ".svg") == 0)
        *t = SS_TERM_SVG;
    else if (strcasecmp(dot, ".pdf") == 0)
        *t = SS_TERM_PDF;
    else
        return -1;
    return 0;
}

/* ---- shared pieces ------------------------------------------------------ */

/* Series styles that a colour-blind reader tells apart: Okabe and Ito's
 * colours (without the yellow, too pale on white), then Paul Tol's muted
 * ones: 16 colours; each series also has a marker (8) and a dash (4) of
 * its own, so that two series of the first 16 differ in colour and in
 * marker or dash, and any two lines in print (grey) still differ. */
static const char *const palette[] = {"#0072b2", "#d55e00", "#009e73", "#cc79a7",
                                      "#e69f00", "#56b4e9", "#000000", "#882255",
                                      "#117733", "#332288", "#999933", "#aa4499",
                                      "#44aa99", "#661100", "#6699cc", "#888888"};
#define NPALETTE (sizeof palette / sizeof palette[0])

typedef struct series_style {
    const char *color;
    int pt, dt;
} series_style;

static series_style style_of(size_t k)
{
    static const int pt[] = {7, 5, 9, 11, 13, 15, 6, 4};
    series_style st = {palette[k % NPALETTE], pt[k % 8], (int)((k + k / 8) % 4) + 1};
    return st;
}

/* Bars: estimates, and flagged estimates when only some are flagged
 * (Okabe-Ito blue and orange). */
#define BAR_COLOR "#0072b2"
#define FLAG_COLOR "#e69f00"
#define FLAG_TEXT "#a0522d"

/* The terminal, output, font and title.  title2, when not NULL, is a
 * second title line written by survstat itself. */
static void preamble(ss_buf *b, const ss_plot_options *o, int width, int height,
                     const char *title, const char *title2)
{
    char font[300];
    snprintf(font, sizeof font, "%s,11", o->font ? o->font : SS_PLOT_FONT);
    ss_buf_printf(b, "# survstat plot: a generated gnuplot script\n"
                     "reset\nset encoding utf8\n");
    if (o->term == SS_TERM_PNG)
        ss_buf_printf(b, "set terminal pngcairo size %d,%d noenhanced background rgb 'white' font ",
                      width, height);
    else if (o->term == SS_TERM_SVG)
        ss_buf_printf(b, "set terminal svg size %d,%d noenhanced background rgb 'white' font ",
                      width, height);
    else
        ss_buf_printf(b, "set terminal pdfcairo size %.4fin,%.4fin noenhanced fontscale 0.75 font ",
                      width / 96.0, height / 96.0);
    ss_plot_quote(b, font);
    ss_buf_printf(b, "\nset output ");
    ss_plot_quote(b, o->output ? o->output : "");
    ss_buf_printf(b, "\nset title ");
    ss_plot_quote(b, title);
    if (title2) {
        ss_buf_printf(b, " . \"\\n\" . ");
        ss_plot_quote(b, title2);
    }
    ss_buf_printf(b, " noenhanced\nset border 3\nset tics nomirror\n");
}

static void finish(ss_buf *b)
{
    ss_buf_printf(b, "unset output\n");
}

/* Proportions and their kin are drawn in percent. */
static double scale_of(const char *statistic)
{
    static const char *const pct[] = {"prop", "t2b", "b2b", "net"};
    for (size_t i = 0; i < sizeof pct / sizeof pct[0]; i++)
        if (strcmp(statistic, pct[i]) == 0)
            return 100;
    return 1;
}

/* A value with dec decimals (percent: v a fraction, one decimal). */
static void value_dec(char *buf, size_t size, double v, double scale, int dec)
{
    if (isnan(v))
        snprintf(buf, size, "NA");
    else if (scale == 100)
        snprintf(buf, size, "%.1f%%", v * scale);
    else
        snprintf(buf, size, "%.*f", dec, v);
}

/* Decimals that tell apart values spread over span: 1 for a span of 10
 * to 100, more for a narrower one (at most 4). */
static int decimals_for(double span)
{
    int d = span > 0 ? 2 - (int)floor(log10(span)) : 2;
    return d < 0 ? 0 : d > 4 ? 4 : d;
}

static void value_text(char *buf, size_t size, double v, double scale)
{
    if (isnan(v))
        snprintf(buf, size, "NA");
    else if (scale == 100)
        snprintf(buf, size, "%.1f%%", v * scale);
    else
        snprintf(buf, size, "%.4g", v);
}

/* Which of wave, variable, level and domain differ between rows, and the
 * by-variable when every domain is "VAR=value" of one VAR (labels then
 * show the value alone). */
typedef struct parts {
    int wave, variable, level, domain;
    char by[256];
} parts;

/* The keys of a domain "a=1;b=2" as "a, b"; -1 when a part has no '='. */
static int domain_keys(const char *d, char *out, size_t size)
{
    out[0] = '\0';
    for (const char *part = d; *part;) {
        const char *key;
        size_t klen;
        char value[512];
        part = ss_result_domain_part(part, &key, &klen, value, sizeof value);
        if (!part)
            return -1;
        size_t used = strlen(out);
        if (used + klen + 3 >= size)
            return -1;
        snprintf(out + used, size - used, "%s%.*s", used ? ", " : "", (int)klen, key);
    }
    return 0;
}

static void find_parts(const ss_result *r, const size_t *idx, size_t n, parts *p)
{
    memset(p, 0, sizeof *p);
    const ss_result_row *a = &r->row[idx[0]];
    for (size_t k = 1; k < n; k++) {
        const ss_result_row *x = &r->row[idx[k]];
        p->wave |= strcmp(x->wave, a->wave) != 0;
        p->variable |= strcmp(x->variable, a->variable) != 0;
        p->level |= strcmp(x->level, a->level) != 0;
        p->domain |= strcmp(x->domain, a->domain) != 0;
    }
    int first = 1;
    for (size_t k = 0; k < n; k++) {
        const char *d = r->row[idx[k]].domain;
        char keys[sizeof p->by];
        if (!d[0])
            continue;
        if (domain_keys(d, keys, sizeof keys) != 0 || (!first && strcmp(keys, p->by) != 0)) {
            p->by[0] = '\0';
            return;
        }
        memcpy(p->by, keys, sizeof keys);
        first = 0;
    }
}

/* A domain's values alone ("E, Yes") when the keys are those of p->by. */
static void domain_label(const char *d, const parts *p, char *buf, size_t size)
{
    if (!d[0]) {
        snprintf(buf, size, "all");
        return;
    }
    if (!p->by[0]) {
        snprintf(buf, size, "%s", d);
        return;
    }
    buf[0] = '\0';
    for (const char *part = d; part && *part;) {
        const char *key;
        size_t klen;
        char value[512];
        part = ss_result_domain_part(part, &key, &klen, value, sizeof value);
        if (!part)
            break;
        size_t used = strlen(buf);
        if (snprintf(buf + used, size - used, "%s%s", used ? ", " : "", value) >=
            (int)(size - used))
            break;
    }
}

/* Columns of text a label may take on a chart width pixels wide: about a
 * third of it at 8 pixels a column.  gnuplot makes room for the longest
 * tic label and, when it leaves no room for the plot, draws an empty chart
 * ("Terminal canvas area too small"): at 900 pixels a label of 95 columns
 * did so, one of 60 squeezed the bars into a third of the width. */
static size_t label_columns(int width)
{
    int c = width / 24;
    return (size_t)(c < 12 ? 12 : c);
}

/* s cut to at most cols columns (ss_display_width: a wide character takes
 * two), its last one an ellipsis, UTF-8 characters kept whole. */
static void shorten(char *s, size_t size, size_t cols)
{
    if (ss_display_width(s) <= cols)
        return;
    size_t used = 0, keep = 0;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; u[i];) {
        size_t len = u[i] < 0x80 ? 1 : u[i] >= 0xf0 ? 4 : u[i] >= 0xe0 ? 3 : u[i] >= 0xc0 ? 2 : 1;
        char ch[5] = {0};
        size_t k = 0;
        for (; k < len && u[i + k]; k++)
            ch[k] = (char)u[i + k];
        size_t w = ss_display_width(ch);
        if (used + w > cols - 1)
            break;
        used += w;
        i += k;
        keep = i;
    }
    if (keep + 4 > size)
        keep = size - 4; /* not reached: cols is far below size */
    memcpy(s + keep, "\xe2\x80\xa6", 4); /* U+2026 and the NUL */
}

static void label_of(const ss_result_row *x, const parts *p, int width, char *buf, size_t size)
{
    char dom[512];
    const char *v[4];
    size_t n = 0;
    if (p->variable)
        v[n++] = x->var_label ? x->var_label : x->variable;
    if (p->level)
        v[n++] = x->level;
    if (p->domain || n == 0) {
        domain_label(x->domain, p, dom, sizeof dom);
        v[n++] = dom;
    }
    if (p->wave)
        v[n++] = x->wave;
    buf[0] = '\0';
    for (size_t k = 0; k < n; k++) {
        size_t used = strlen(buf);
        snprintf(buf + used, size - used, "%s%s", k ? " | " : "", v[k]);
    }
    shorten(buf, size, label_columns(width));
}

/* "mean of api00", "prop of sch.wide = Yes" for a set of rows (the
 * variable by its label when it has one). */
static void what_of(const ss_result_row *a, const parts *p, char *buf, size_t size)
{
    const char *v = a->var_label ? a->var_label : a->variable;
    if (p->variable)
        snprintf(buf, size, "%s", a->statistic);
    else if (p->level || !a->level[0])
        snprintf(buf, size, "%s of %s", a->statistic, v);
    else
        snprintf(buf, size, "%s of %s = %s", a->statistic, v, a->level);
}

/* A chart's title from the data: the variable label alone when the rows
 * are of one labelled variable (the user's words, in the user's language,
 * not mixed with survstat's), else survstat's words and the names:
 * "t2b of overall by district". */
static void title_of(const ss_result_row *a, const parts *p, char *buf, size_t size)
{
    if (!p->variable && a->var_label) {
        if (!p->level && a->level[0])
            snprintf(buf, size, "%s: %s", a->var_label, a->level);
        else
            snprintf(buf, size, "%s", a->var_label);
        return;
    }
    char what[512];
    what_of(a, p, what, sizeof what);
    snprintf(buf, size, "%s%s%s", what, p->by[0] ? " by " : "", p->by);
}

/* The name of the domains' variables for an axis or key: their labels
 * (by_label) when the rows have them, else their names. */
static const char *by_name(const ss_result *r, const parts *p)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->row[i].by_label && r->row[i].domain[0])
            return r->row[i].by_label;
    return p->by;
}

/* Natural order of two labels: runs of digits compared as numbers
 * ("18-24" before "100+"), the rest byte by byte. */
static int natural_cmp(const char *a, const char *b)
{
    while (*a && *b) {
        if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
            while (*a == '0')
                a++;
            while (*b == '0')
                b++;
            size_t na = 0, nb = 0;
            while (a[na] >= '0' && a[na] <= '9')
                na++;
            while (b[nb] >= '0' && b[nb] <= '9')
                nb++;
            if (na != nb)
                return na < nb ? -1 : 1;
            int c = memcmp(a, b, na);
            if (c)
                return c;
            a += na;
            b += nb;
            continue;
        }
        if (*a != *b)
            return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
        a++;
        b++;
    }
    return (*a != 0) - (*b != 0);
}

int ss_plot_order_parse(const char *name, ss_plot_order *order)
{
    static const char *const names[] = {"data", "value", "label"};
    for (size_t i = 0; i < 3; i++)
        if (strcmp(name, names[i]) == 0) {
            *order = (ss_plot_order)(i + 1);
            return 0;
        }
    return -1;
}

static double finite_or(double v, double dflt)
{
    return isfinite(v) ? v : dflt;
}

static int clamp_size(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* The flags' meanings (NCHS 2017 and survstat's R). */
static const char *flag_meaning(const char *code)
{
    static const char *const m[][2] = {{"Px", "suppress"},
                                       {"Pc", "complement unreliable"},
                                       {"Pdf", "df < 8"},
                                       {"P0", "0% or 100%"},
                                       {"R", "relative SE > 30%"},
                                       {"CIx", "no interval"}};
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        if (strcmp(code, m[i][0]) == 0)
            return m[i][1];
    return NULL;
}

static int has_flag(const char *flags, const char *code)
{
    size_t n = strlen(code);
    for (const char *p = flags; (p = strstr(p, code)) != NULL; p += n)
        if ((p == flags || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
            return 1;
    return 0;
}

/* Append each space-separated code of flags not yet in note. */
static void note_flags(char *note, size_t size, const char *flags)
{
    char copy[256];
    snprintf(copy, sizeof copy, "%s", flags);
    for (char *save = NULL, *c = strtok_r(copy, " ", &save); c; c = strtok_r(NULL, " ", &save)) {
        char item[160];
        const char *m = flag_meaning(c);
        snprintf(item, sizeof item, "%s%s%s", c, m ? " " : "", m ? m : "");
        if (strstr(note, item))
            continue;
        size_t used = strlen(note);
        snprintf(note + used, size - used, "%s%s", used ? "; " : "", item);
    }
}

/* ---- bar ---------------------------------------------------------------- */

/* ---- bar ---------------------------------------------------------------- */

/* The order of a chart's items (rows' indexes, or group keys): value and
 * label keys per item, sorted in place; stable (ties keep the file's
 * order). */
typedef struct order_item {
    size_t pos;      /* the item's place in the file's order */
    double value;    /* the estimate (NaN last) */
    const char *label;
    size_t payload;
} order_item;

static ss_plot_order sort_order;
static int cmp_item(const void *a, const void *b)
{
    const order_item *x = a, *y = b;
    if (sort_order == SS_ORDER_VALUE) {
        if (isnan(x->value) != isnan(y->value))
            return isnan(x->value) - isnan(y->value);
        if (!isnan(x->value) && x->value != y->value)
            return x->value > y->value ? -1 : 1;
    } else if (sort_order == SS_ORDER_LABEL) {
        int c = natural_cmp(x->label, y->label);
        if (c)
            return c;
    }
    return (x->pos > y->pos) - (x->pos < y->pos);
}

static void sort_items(order_item *it, size_t n, ss_plot_order order)
{
    sort_order = order;
    qsort(it, n, sizeof *it, cmp_item);
}

/* Pixels a label takes at the 11-point font (about 7.5 a column). */
static double text_px(const char *s)
{
    return 7.5 * (double)ss_display_width(s);
}

/* Where a value label that would start at x (data units) goes so that it
 * does not cross the reference line at ref: past the line when it would
 * cover it.  u: data units per pixel; w: the label's pixels. */
static double clear_of_line(double x, double w, double ref, double u, int have_ref)
{
    double left = x + 6 * u, right = left + w * u;
    if (have_ref && left - 3 * u < ref && right + 3 * u > ref)
        return ref + 2 * u;
    return x;
}

typedef struct bar_slot {
    size_t row;      /* the result row */
    double y;        /* its place on the y axis */
    int series;      /* plain: 0 bars, 1 flagged; grouped: the level */
    int suppressed;
} bar_slot;

static int bar_script(ss_buf *b, const ss_plot_options *o, const ss_result *r, ss_error *err)
{
    size_t *idx = calloc(r->n, sizeof *idx);
    bar_slot *slot = calloc(r->n, sizeof *slot);
    order_item *it = calloc(r->n, sizeof *it);
    const char **levels = calloc(r->n, sizeof *levels), **groups = calloc(r->n, sizeof *groups);
    if (!idx || !slot || !it || !levels || !groups) {
        free(idx), free(slot), free(it), free(levels), free(groups);
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    }
    int rc = SS_OK;
    int width = o->width ? o->width : 900;
    for (size_t i = 0; i < r->n; i++)
        idx[i] = i;
    parts p;
    find_parts(r, idx, r->n, &p);
    /* The levels of a proportion in several domains are drawn as groups,
     * one group per domain, the levels in their codes' order in each,
     * coloured by level: never interleaved. */
    int grouped = !p.variable && !p.wave && p.level && p.domain;
    /* The whole-population row is the reference line when the bars are
     * the domains of one estimate. */
    long whole = -1;
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (!grouped && !p.variable && !p.level && !p.wave && p.domain && !r->row[i].domain[0] &&
            whole < 0)
            whole = (long)i;
        else
            idx[n++] = i;
    }
    if (n == 0) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "no domain rows to draw as bars");
        goto done;
    }
    size_t nsup = 0;
    for (size_t k = 0; k < n; k++)
        nsup += o->suppress && has_flag(r->row[idx[k]].flag, "Px");
    ss_plot_order order = o->order;
    if (order == SS_ORDER_DEFAULT)
        order = grouped || p.level ? SS_ORDER_DATA : SS_ORDER_VALUE;
    if (nsup && order == SS_ORDER_VALUE) {
        if (o->order == SS_ORDER_VALUE) {
            rc = ss_error_set(err, SS_EUSAGE, NULL, 0,
                              "--order value would show where the %zu suppressed estimate%s "
                              "rank%s: use --order data or label with --suppress",
                              nsup, nsup > 1 ? "s" : "", nsup > 1 ? "" : "s");
            goto done;
        }
        order = SS_ORDER_DATA; /* the codes' order hides the ranking */
    }
    char label[1024], note[1024] = "";
    size_t nslot = 0, ngroup = 0, nlevel = 0;
    double ymax;
    if (grouped) {
        for (size_t k = 0; k < n; k++) {
            const ss_result_row *x = &r->row[idx[k]];
            size_t g = 0, l = 0;
            while (g < ngroup && strcmp(groups[g], x->domain) != 0)
                g++;
            if (g == ngroup)
                groups[ngroup++] = x->domain;
            while (l < nlevel && strcmp(levels[l], x->level) != 0)
                l++;
            if (l == nlevel)
                levels[nlevel++] = x->level;
        }
        /* The groups in order: by label, or by their first level's value. */
        char (*glabel)[256] = calloc(ngroup, sizeof *glabel);
        if (!glabel) {
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
            goto done;
        }
        for (size_t g = 0; g < ngroup; g++) {
            domain_label(groups[g], &p, glabel[g], sizeof glabel[g]);
            it[g] = (order_item){g, NAN, glabel[g], g};
            for (size_t k = 0; k < n; k++)
                if (strcmp(r->row[idx[k]].domain, groups[g]) == 0 &&
                    strcmp(r->row[idx[k]].level, levels[0]) == 0)
                    it[g].value = r->row[idx[k]].estimate;
        }
        sort_items(it, ngroup, order);
        double y = (double)(ngroup * (nlevel + 1)) - 1;
        ymax = y + 1;
        for (size_t gi = 0; gi < ngroup; gi++) {
            size_t g = it[gi].payload;
            for (size_t l = 0; l < nlevel; l++, y--)
                for (size_t k = 0; k < n; k++) {
                    const ss_result_row *x = &r->row[idx[k]];
                    if (strcmp(x->domain, groups[g]) == 0 && strcmp(x->level, levels[l]) == 0)
                        slot[nslot++] = (bar_slot){idx[k], y, (int)l,
                                                   o->suppress && has_flag(x->flag, "Px")};
                }
            y--; /* a gap between groups */
        }
        free(glabel);
    } else {
        char (*blabel)[256] = calloc(n, sizeof *blabel);
        if (!blabel) {
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
            goto done;
        }
        for (size_t k = 0; k < n; k++) {
            label_of(&r->row[idx[k]], &p, width, blabel[k], sizeof blabel[k]);
            it[k] = (order_item){k, r->row[idx[k]].estimate, blabel[k], idx[k]};
        }
        sort_items(it, n, order);
        free(blabel);
        for (size_t k = 0; k < n; k++) {
            const ss_result_row *x = &r->row[it[k].payload];
            slot[nslot++] = (bar_slot){it[k].payload, (double)(n - k), 0,
                                       o->suppress && has_flag(x->flag, "Px")};
        }
        ymax = (double)n;
    }
    /* Flagged bars are coloured only when some bars are not: a colour on
     * every bar says nothing. */
    size_t nflag = 0, ndrawn = 0;
    for (size_t k = 0; k < nslot; k++) {
        const ss_result_row *x = &r->row[slot[k].row];
        if (x->flag[0])
            note_flags(note, sizeof note, x->flag);
        if (slot[k].suppressed || isnan(x->estimate))
            continue;
        ndrawn++;
        nflag += x->flag[0] != 0;
    }
    int color_flags = !grouped && nflag > 0 && nflag < ndrawn;
    for (size_t k = 0; k < nslot && color_flags; k++)
        slot[k].series = r->row[slot[k].row].flag[0] != 0;
    const ss_result_row *a = &r->row[slot[0].row];
    double sc = scale_of(a->statistic);
    char title[1024], xlabel[700], what[600];
    title_of(a, &p, title, sizeof title);
    what_of(a, &p, what, sizeof what);
    snprintf(xlabel, sizeof xlabel, "%s%s (whiskers: confidence interval)", what,
             sc == 100 ? ", percent" : "");
    int height = o->height ? o->height : clamp_size(170 + (grouped ? 22 : 34) * (int)ymax, 360, 4000);
    preamble(b, o, width, height, o->title ? o->title : title, NULL);
    ss_buf_printf(b, "set xlabel ");
    ss_plot_quote(b, xlabel);
    ss_buf_printf(b, "\nset ylabel ");
    ss_plot_quote(b, by_name(r, &p));
    ss_buf_printf(b, "\nset grid xtics lc rgb '#dddddd'\n"
                     "set style textbox opaque noborder margins 1,1\n");
    /* The x range holds 0, every drawn interval and the value labels (the
     * suppressed estimates' values and intervals play no part). */
    double lo = 0, hi = 0;
    for (size_t k = 0; k < nslot; k++) {
        const ss_result_row *x = &r->row[slot[k].row];
        if (slot[k].suppressed)
            continue;
        lo = fmin(lo, finite_or(x->ci_low, finite_or(x->estimate, 0)) * sc);
        hi = fmax(hi, finite_or(x->ci_high, finite_or(x->estimate, 0)) * sc);
    }
    const ss_result_row *w = whole >= 0 ? &r->row[whole] : NULL;
    double ref = w ? w->estimate * sc : NAN;
    int have_ref = w && isfinite(ref);
    if (w) {
        lo = fmin(lo, finite_or(w->ci_low, finite_or(w->estimate, 0)) * sc);
        hi = fmax(hi, finite_or(w->ci_high, finite_or(w->estimate, 0)) * sc);
    }
    double span = hi - lo > 0 ? hi - lo : 1;
    double xmin = lo - (lo < 0 ? 0.15 * span : 0), xmax = hi + 0.22 * span;
    /* The plot's width in pixels: the chart less the y tic labels. */
    size_t tic_cols = 0;
    for (size_t k = 0; k < nslot; k++) {
        if (grouped)
            domain_label(r->row[slot[k].row].domain, &p, label, sizeof label);
        else
            label_of(&r->row[slot[k].row], &p, width, label, sizeof label);
        size_t c = ss_display_width(label);
        tic_cols = c > tic_cols ? c : tic_cols;
    }
    double plot_px = (double)width - 7.5 * (double)tic_cols - 110;
    plot_px = plot_px < 100 ? 100 : plot_px;
    /* Value labels: where they start; the range grows to hold them. */
    double *at = calloc(nslot, sizeof *at);
    char (*vtext)[320] = calloc(nslot, sizeof *vtext);
    if (!at || !vtext) {
        free(at);
        free(vtext);
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        goto done;
    }
    for (int pass = 0; pass < 2; pass++) {
        double u = (xmax - xmin) / plot_px, need = xmax;
        for (size_t k = 0; k < nslot; k++) {
            const ss_result_row *x = &r->row[slot[k].row];
            char v[64];
            value_text(v, sizeof v, x->estimate, sc);
            if (slot[k].suppressed)
                snprintf(vtext[k], sizeof vtext[k], "%s (suppressed)", x->flag);
            else
                snprintf(vtext[k], sizeof vtext[k], "%s%s%s", v, x->flag[0] ? "  " : "",
                         x->flag);
            double x0 = slot[k].suppressed ? fmax(xmin, 0)
                                           : finite_or(x->ci_high, finite_or(x->estimate, 0)) * sc;
            at[k] = clear_of_line(x0, text_px(vtext[k]), ref, u, have_ref);
            need = fmax(need, at[k] + (text_px(vtext[k]) + 16) * u);
        }
        if (need <= xmax)
            break;
        xmax = need;
    }
    ss_buf_printf(b, "set xrange [%.17g:%.17g]\nset yrange [%.17g:%.17g]\nset ytics (", xmin, xmax,
                  grouped ? -0.6 : 0.4, ymax + 0.6);
    if (grouped) {
        /* A tic at the middle of each group: the domain. */
        for (size_t gi = 0; gi < ngroup; gi++) {
            double top = -1, bottom = 1e300;
            const char *d = NULL;
            for (size_t k = 0; k < nslot; k++)
                if (strcmp(r->row[slot[k].row].domain, groups[it[gi].payload]) == 0) {
                    top = fmax(top, slot[k].y);
                    bottom = fmin(bottom, slot[k].y);
                    d = r->row[slot[k].row].domain;
                }
            if (!d)
                continue;
            domain_label(d, &p, label, sizeof label);
            shorten(label, sizeof label, label_columns(width));
            ss_buf_printf(b, "%s", gi ? ", " : "");
            ss_plot_quote_as(b, label, 1);
            ss_buf_printf(b, " %.17g", (top + bottom) / 2);
        }
    } else {
        for (size_t k = 0; k < nslot; k++) {
            label_of(&r->row[slot[k].row], &p, width, label, sizeof label);
            ss_buf_printf(b, "%s", k ? ", " : "");
            ss_plot_quote_as(b, label, 1);
            ss_buf_printf(b, " %.17g", slot[k].y);
        }
    }
    ss_buf_printf(b, ") scale 0\n");
    for (size_t k = 0; k < nslot; k++) {
        const ss_result_row *x = &r->row[slot[k].row];
        ss_buf_printf(b, "set label %zu ", k + 1);
        ss_plot_quote(b, vtext[k]);
        ss_buf_printf(b, " at %.17g,%.17g left offset char 0.6,0 boxed front tc rgb '%s'\n", at[k],
                      slot[k].y, x->flag[0] ? FLAG_TEXT : "#333333");
    }
    free(at);
    free(vtext);
    /* Under the plot: the key (the reference line, the colours) and a note
     * on the flags. */
    ss_buf key;
    ss_buf_init(&key);
    size_t nkey = 0;
    if (have_ref) {
        char v[64];
        value_text(v, sizeof v, w->estimate, sc);
        snprintf(label, sizeof label, "all: %s%s", v,
                 isfinite(w->ci_low) && isfinite(w->ci_high) ? " (shaded: its interval)" : "");
        if (isfinite(w->ci_low) && isfinite(w->ci_high))
            ss_buf_printf(b, "set object 1 rect from %.17g, graph 0 to %.17g, graph 1 behind "
                             "fc rgb '#ececec' fs solid 1.0 noborder\n",
                          w->ci_low * sc, w->ci_high * sc);
        ss_buf_printf(b, "set arrow 1 from %.17g, graph 0 to %.17g, graph 1 nohead dt 2 lw 1.5 "
                         "lc rgb '#555555' front\n",
                      ref, ref);
        ss_buf_printf(&key, ", \\\n     NaN with lines dt 2 lw 1.5 lc rgb '#555555' title ");
        ss_plot_quote(&key, label);
        nkey++;
    }
    if (color_flags) {
        ss_buf_printf(&key, ", \\\n     NaN with boxes fc rgb '%s' fs solid 0.85 noborder title "
                            "'flagged estimates'",
                      FLAG_COLOR);
        nkey++;
    }
    if (grouped)
        nkey += nlevel;
    char foot[1400] = "";
    if (note[0] && ndrawn && nflag == ndrawn)
        snprintf(foot, sizeof foot, "Every estimate is flagged: %.1000s", note);
    else if (note[0])
        snprintf(foot, sizeof foot, "Flags: %.1000s", note);
    /* The footnote on the last line, the key on the line above it. */
    double line = 18.0 / height;
    ss_buf_printf(b, "set bmargin %d\n", 4 + (nkey ? 2 : 0) + (foot[0] ? 1 : 0));
    if (nkey)
        ss_buf_printf(b, "set key at screen 0.5, screen %.6f center center horizontal Left "
                         "reverse noautotitle samplen 2 width 2\n",
                      (foot[0] ? 1.9 : 0.9) * line);
    else
        ss_buf_printf(b, "set key off\n");
    if (foot[0]) {
        ss_buf_printf(b, "set label %zu ", nslot + 1);
        ss_plot_quote(b, foot);
        ss_buf_printf(b, " at screen 0.01, screen %.6f left tc rgb '%s'\n", 0.6 * line, FLAG_TEXT);
    }
    /* Data: y, estimate, low, high; one block per colour. */
    size_t nblock = grouped ? nlevel : 2;
    const char *sep = "plot ";
    for (size_t f = 0; f < nblock; f++) {
        ss_buf_printf(b, "$B%zu << EOD\n", f);
        for (size_t k = 0; k < nslot; k++) {
            const ss_result_row *x = &r->row[slot[k].row];
            if ((size_t)slot[k].series != f || isnan(x->estimate) || slot[k].suppressed)
                continue;
            ss_buf_printf(b, "%.17g %.17g %.17g %.17g\n", slot[k].y, x->estimate * sc,
                          finite_or(x->ci_low, x->estimate) * sc,
                          finite_or(x->ci_high, x->estimate) * sc);
        }
        ss_buf_printf(b, "EOD\n");
    }
    for (size_t f = 0; f < nblock; f++) {
        size_t count = 0;
        for (size_t k = 0; k < nslot; k++)
            count += (size_t)slot[k].series == f && !isnan(r->row[slot[k].row].estimate) &&
                     !slot[k].suppressed;
        /* A block without rows would make gnuplot warn: plot the others. */
        if (!count)
            continue;
        const char *color = grouped ? style_of(f).color : f ? FLAG_COLOR : BAR_COLOR;
        ss_buf_printf(b, "%s$B%zu using ($2/2):1:(0):2:($1-%s):($1+%s) with boxxyerror "
                         "fc rgb '%s' fs solid 0.85 noborder title ",
                      sep, f, grouped ? "0.42" : "0.35", grouped ? "0.42" : "0.35", color);
        if (grouped)
            ss_plot_quote(b, levels[f]);
        else
            ss_buf_printf(b, "''");
        ss_buf_printf(b, ", \\\n     $B%zu using 2:1:3:4 with xerrorbars pt 7 ps 0.5 lw 1.5 "
                         "lc rgb '#222222' notitle",
                      f);
        sep = ", \\\n     ";
    }
    if (sep[0] == 'p')
        ss_buf_printf(b, "plot NaN notitle");
    if (key.failed)
        b->failed = 1;
    ss_buf_printf(b, "%s\n", key.s ? key.s : "");
    ss_buf_free(&key);
    finish(b);
done:
    free(idx);
    free(slot);
    free(it);
    free(levels);
    free(groups);
    return rc;
}

/* ---- likert ------------------------------------------------------------- */

#define MAX_LEVELS 21

typedef struct likert_bar {
    size_t first;                 /* a row of the bar, for its label */
    double share[MAX_LEVELS];     /* by code, LOW first */
} likert_bar;

static int same_bar(const ss_result_row *x, const ss_result_row *y)
{
    return strcmp(x->variable, y->variable) == 0 && strcmp(x->domain, y->domain) == 0 &&
           strcmp(x->wave, y->wave) == 0;
}

/* A color from red (t = 0) through light grey (0.5) to blue (1). */
static void diverging(double t, char *buf, size_t size)
{
    static const double c[3][3] = {{178, 24, 43}, {224, 224, 224}, {33, 102, 172}};
    int s = t < 0.5 ? 0 : 1;
    double u = t < 0.5 ? t / 0.5 : (t - 0.5) / 0.5;
    int rgb[3];
    for (int k = 0; k < 3; k++)
        rgb[k] = (int)lround(c[s][k] + u * (c[s + 1][k] - c[s][k]));
    snprintf(buf, size, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
}

/* Levels that are labels (estimate on a labelled column): the scale is
 * their order in the file, which is the code order of the scale (a level
 * first seen in a later bar goes after the one before it there).  *n
 * labels into names; 0 when every level is a number, -1 when there are
 * too many. */
static int likert_labels(const ss_result *r, const char **names, int *n)
{
    int any = 0;
    *n = 0;
    for (size_t i = 0; i < r->n; i++) {
        double v;
        any |= ss_number_parse(r->row[i].level, strlen(r->row[i].level), &v) != 0;
    }
    if (!any)
        return 0;
    int prev = -1;
    for (size_t i = 0; i < r->n; i++) {
        if (i > 0 && !same_bar(&r->row[i - 1], &r->row[i]))
            prev = -1;
        int k = 0;
        while (k < *n && strcmp(names[k], r->row[i].level) != 0)
            k++;
        if (k == *n) {
            if (*n == MAX_LEVELS)
                return -1;
            memmove(names + prev + 2, names + prev + 1, (size_t)(*n - prev - 1) * sizeof *names);
            names[prev + 1] = r->row[i].level;
            (*n)++;
            k = prev + 1;
        }
        prev = k;
    }
    return 1;
}

/* Labels that mean no answer on the scale: don't know, refused, no answer
 * (English and Chinese), compared without case. */
static int dont_know(const char *label)
{
    static const char *const words[] = {"don't know", "dont know", "don’t know", "dk",
                                        "refused", "no answer", "not applicable", "n/a",
                                        "不知道", "说不清", "说不清楚", "不清楚", "拒答",
                                        "拒绝回答", "无法回答", "不适用", "不好说"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcasecmp(label, words[i]) == 0)
            return 1;
    return 0;
}

static int likert_script(ss_buf *b, const ss_plot_options *o, const ss_result *r, ss_error *err)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->row[i].statistic, "prop") != 0)
            return ss_error_set(err, SS_EDATA, NULL, 0,
                                "a likert chart draws prop rows (estimate --prop), not '%s' of "
                                "'%s'",
                                r->row[i].statistic, r->row[i].variable);
    double low = o->low, high = o->high;
    const char *names[MAX_LEVELS], *off[MAX_LEVELS];
    int nnames = 0, noff = 0, labelled = likert_labels(r, names, &nnames);
    if (labelled < 0)
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "a likert chart draws at most %d levels on its scale", MAX_LEVELS);
    if (labelled) {
        /* Answers off the scale: labels such as "don't know", and with
         * --scale the labels past its number of codes (in code order,
         * such codes come last: 9 = don't know). */
        int keep = 0;
        for (int k = 0; k < nnames; k++)
            if (dont_know(names[k]))
                off[noff++] = names[k];
            else
                names[keep++] = names[k];
        nnames = keep;
        double want = fabs(o->high - o->low) + 1;
        while (o->scale_set && nnames > want && nnames > 0)
            off[noff++] = names[--nnames];
        if (nnames < 2)
            return ss_error_set(err, SS_EDATA, NULL, 0,
                                "a likert chart needs 2 or more answers on its scale; the rows "
                                "hold %d",
                                nnames);
    }
    if (labelled && o->scale_set && o->low > o->high) /* 5:1: the labels' order reversed */
        for (int k = 0; k < nnames / 2; k++) {
            const char *x = names[k];
            names[k] = names[nnames - 1 - k];
            names[nnames - 1 - k] = x;
        }
    if (labelled) {
        low = 1;
        high = nnames;
    } else if (!o->scale_set) {
        low = INFINITY;
        high = -INFINITY;
        for (size_t i = 0; i < r->n; i++) { /* every level a number (likert_labels) */
            double v;
            ss_number_parse(r->row[i].level, strlen(r->row[i].level), &v);
            low = fmin(low, v);
            high = fmax(high, v);
        }
    }
    int dir = high >= low ? 1 : -1;
    double span = fabs(high - low);
    if (span < 1 || span + 1 > MAX_LEVELS || span != floor(span) || low != floor(low))
        return ss_error_set(err, SS_EUSAGE, NULL, 0,
                            "the scale %g:%g must have 2 to %d whole-number codes", low, high,
                            MAX_LEVELS);
    int nlev = (int)span + 1;
    likert_bar *bars = calloc(r->n, sizeof *bars);
    double *offshare = calloc(r->n, sizeof *offshare);
    double *nmin = calloc(r->n, sizeof *nmin);
    if (!bars || !offshare || !nmin) {
        free(bars);
        free(offshare);
        free(nmin);
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    }
    size_t nb = 0;
    for (size_t i = 0; i < r->n; i++) {
        const ss_result_row *x = &r->row[i];
        double v;
        int code = -1, is_off = 0;
        for (int k = 0; k < nnames && labelled; k++)
            if (strcmp(names[k], x->level) == 0)
                code = k;
        for (int k = 0; k < noff && labelled; k++)
            is_off |= strcmp(off[k], x->level) == 0;
        if (!labelled && ss_number_parse(x->level, strlen(x->level), &v) == 0 && v == floor(v)) {
            if ((v - low) * dir >= 0 && (v - low) * dir <= span)
                code = (int)((v - low) * dir);
            else if ((v - low) * dir < -1 || (v - low) * dir > span + 1) {
                /* A code not next to the scale (9 on 1:5): an answer off
                 * it, such as don't know. */
                is_off = 1;
                int k = 0;
                while (k < noff && strcmp(off[k], x->level) != 0)
                    k++;
                if (k == noff && noff < MAX_LEVELS)
                    off[noff++] = x->level;
            }
        }
        if (code < 0 && !is_off) {
            free(bars);
            free(offshare);
            free(nmin);
            return ss_error_set(err, SS_EDATA, NULL, 0,
                                "level '%s' of '%s' is not a code on the scale %g:%g",
                                x->level, x->variable, low, high);
        }
        size_t k = 0;
        while (k < nb && !same_bar(&r->row[bars[k].first], x))
            k++;
        if (k == nb) {
            bars[nb].first = i;
            nmin[nb++] = NAN;
        }
        if (is_off)
            offshare[k] += finite_or(x->estimate, 0);
        else
            bars[k].share[code] = finite_or(x->estimate, 0);
        if (isfinite(x->n))
            nmin[k] = isnan(nmin[k]) ? x->n : fmax(nmin[k], x->n);
    }
    /* The bars' order: the file's, by the share at the high end, or by
     * label. */
    parts p;
    size_t *firsts = malloc(nb * sizeof *firsts);
    order_item *it = calloc(nb, sizeof *it);
    char (*blabel)[256] = calloc(nb, sizeof *blabel);
    likert_bar *sorted = calloc(nb, sizeof *sorted);
    double *soff = calloc(nb, sizeof *soff);
    if (!firsts || !it || !blabel || !sorted || !soff) {
        free(firsts), free(it), free(blabel), free(sorted), free(soff);
        free(bars), free(offshare), free(nmin);
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    }
    for (size_t k = 0; k < nb; k++)
        firsts[k] = bars[k].first;
    find_parts(r, firsts, nb, &p);
    p.level = 0;
    if (!p.wave && !p.domain)
        p.variable = 1;
    int width = o->width ? o->width : 900;
    for (size_t k = 0; k < nb; k++) {
        double top = 0;
        for (int c = 0; c < nlev; c++)
            if (2 * c > nlev - 1)
                top += bars[k].share[c];
        label_of(&r->row[bars[k].first], &p, width, blabel[k], sizeof blabel[k]);
        it[k] = (order_item){k, top, blabel[k], k};
    }
    sort_items(it, nb, o->order == SS_ORDER_DEFAULT ? SS_ORDER_DATA : o->order);
    for (size_t k = 0; k < nb; k++) {
        sorted[k] = bars[it[k].payload];
        soff[k] = offshare[it[k].payload];
    }
    memcpy(bars, sorted, nb * sizeof *bars);
    memcpy(offshare, soff, nb * sizeof *offshare);
    free(sorted);
    free(soff);
    free(firsts);
    char title[512];
    const ss_result_row *a = &r->row[bars[0].first];
    if (!p.variable && a->var_label)
        snprintf(title, sizeof title, "%s", a->var_label);
    else if (labelled)
        snprintf(title, sizeof title, "%s … %s", names[0], names[nnames - 1]);
    else
        snprintf(title, sizeof title, "Answers on the scale %g to %g%s%s", low, high,
                 p.by[0] ? " by " : "", p.by);
    /* Segments: codes below the middle go left of zero, outward from it;
     * a middle code (odd count) is split across zero. */
    int mid2 = nlev - 1; /* twice the middle code's index */
    double (*x0s)[MAX_LEVELS] = calloc(nb, sizeof *x0s);
    if (!x0s) {
        free(it), free(blabel), free(bars), free(offshare), free(nmin);
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    }
    double left = 0, right = 0;
    for (size_t k = 0; k < nb; k++)
        for (int c = 0; c < nlev; c++) {
            const double *s = bars[k].share;
            double x0;
            if (2 * c == mid2) {
                x0 = -s[c] / 2;
            } else if (2 * c < mid2) {
                x0 = (mid2 % 2 == 0) ? -s[mid2 / 2] / 2 : 0;
                for (int d = c; 2 * d < mid2; d++)
                    x0 -= s[d];
            } else {
                x0 = (mid2 % 2 == 0) ? s[mid2 / 2] / 2 : 0;
                for (int d = c - 1; 2 * d > mid2; d--)
                    x0 += s[d];
            }
            x0s[k][c] = x0;
            left = fmin(left, 100 * x0);
            right = fmax(right, 100 * (x0 + s[c]));
        }
    /* The range fits the bars to the next 10 points, with room for a small
     * end segment's label outside the bar; tics every 10 points (20 past a
     * span of 100). */
    double step = right - left > 100 ? 20 : 10;
    double xlo = -10 * ceil((-left + 7) / 10), xhi = 10 * ceil((right + 7) / 10);
    int height = o->height ? o->height : clamp_size(230 + 44 * (int)nb, 340, 4000);
    preamble(b, o, width, height, o->title ? o->title : title, NULL);
    ss_buf_printf(b, "set xlabel 'percent of answers (left: the low end of the scale, right: "
                     "the high end)'\n"
                     "set grid xtics lc rgb '#dddddd'\nset xrange [%g:%g]\nset xtics (",
                  xlo, xhi);
    const double t0 = step * ceil(xlo / step - 1e-9);
    for (double t = t0; t <= xhi + 1e-9; t += step) {
        char tic[16];
        snprintf(tic, sizeof tic, "%g%%", fabs(t));
        ss_buf_printf(b, "%s", t > t0 ? ", " : "");
        ss_plot_quote_as(b, tic, 1);
        ss_buf_printf(b, " %g", t);
    }
    ss_buf_printf(b, ")\nset yrange [0.4:%zu.6]\nset ytics (", nb);
    for (size_t k = 0; k < nb; k++) {
        ss_buf_printf(b, "%s", k ? ", " : "");
        ss_plot_quote_as(b, blabel[k], 1);
        ss_buf_printf(b, " %zu", nb - k);
    }
    ss_buf_printf(b, ") scale 0\nset arrow 1 from 0, graph 0 to 0, graph 1 nohead lc rgb '#444444' front\n");
    /* Shares of 6% or more in their segment; a smaller one at an end of
     * the bar beside it, outside; the others (inside a bar) unprinted,
     * which a note says. */
    int nlabel = 1, hidden = 0;
    ss_buf labels;
    ss_buf_init(&labels);
    for (int c = 0; c < nlev; c++) {
        ss_buf_printf(b, "$L%d << EOD\n", c);
        for (size_t k = 0; k < nb; k++) {
            const double *s = bars[k].share;
            double x0 = x0s[k][c], x1 = x0 + s[c];
            ss_buf_printf(b, "%zu %.17g %.17g\n", nb - k, 100 * x0, 100 * x1);
            int outer_left = 1, outer_right = 1; /* c is the outermost segment drawn */
            for (int d = 0; d < c; d++)
                outer_left &= !(s[d] > 0);
            for (int d = c + 1; d < nlev; d++)
                outer_right &= !(s[d] > 0);
            char pct[32];
            snprintf(pct, sizeof pct, "%.0f%%", 100 * s[c]);
            if (s[c] >= 0.06) {
                ss_buf_printf(&labels, "set label %d ", nlabel++);
                ss_plot_quote(&labels, pct);
                ss_buf_printf(&labels, " at %.17g,%zu center front tc rgb '%s'\n",
                              50 * (x0 + x1), nb - k,
                              fabs(2.0 * c / (nlev - 1) - 1) > 0.6 ? "white" : "black");
            } else if (s[c] >= 0.005 && 2 * c < mid2 && outer_left && x0 < 0) {
                ss_buf_printf(&labels, "set label %d ", nlabel++);
                ss_plot_quote(&labels, pct);
                ss_buf_printf(&labels, " at %.17g,%zu right offset char -0.3,0 front "
                                       "tc rgb '#333333'\n",
                              100 * x0, nb - k);
            } else if (s[c] >= 0.005 && 2 * c > mid2 && outer_right) {
                ss_buf_printf(&labels, "set label %d ", nlabel++);
                ss_plot_quote(&labels, pct);
                ss_buf_printf(&labels, " at %.17g,%zu left offset char 0.3,0 front "
                                       "tc rgb '#333333'\n",
                              100 * x1, nb - k);
            } else if (s[c] > 0) {
                hidden = 1;
            }
        }
        ss_buf_printf(b, "EOD\n");
    }
    if (labels.failed)
        b->failed = 1;
    ss_buf_printf(b, "%s", labels.s ? labels.s : "");
    ss_buf_free(&labels);
    /* Notes under the key: the answers off the scale, with their share;
     * the shares not printed. */
    char notes[2][1200] = {"", ""};
    int nnote = 0;
    if (noff) {
        double lo = INFINITY, hi = -INFINITY;
        for (size_t k = 0; k < nb; k++) {
            lo = fmin(lo, offshare[k]);
            hi = fmax(hi, offshare[k]);
        }
        char names_off[600] = "";
        for (int k = 0; k < noff; k++) {
            size_t used = strlen(names_off);
            snprintf(names_off + used, sizeof names_off - used, "%s%s", k ? ", " : "", off[k]);
        }
        if (fabs(hi - lo) < 0.0005)
            snprintf(notes[nnote++], sizeof notes[0],
                     "Not drawn: %s, %.1f%% of the answers.", names_off, 100 * hi);
        else
            snprintf(notes[nnote++], sizeof notes[0],
                     "Not drawn: %s, %.1f%% to %.1f%% of each item's answers.", names_off,
                     100 * lo, 100 * hi);
    } else {
        double nlo = INFINITY, nhi = -INFINITY;
        for (size_t k = 0; k < nb; k++)
            if (isfinite(nmin[k])) {
                nlo = fmin(nlo, nmin[k]);
                nhi = fmax(nhi, nmin[k]);
            }
        if (isfinite(nlo) && nlo != nhi)
            snprintf(notes[nnote++], sizeof notes[0],
                     "Shares of the answers on the scale: missing answers (don't know) are not "
                     "counted; n = %.0f to %.0f.", nlo, nhi);
        else if (isfinite(nlo))
            snprintf(notes[nnote++], sizeof notes[0],
                     "Shares of the answers on the scale: missing answers (don't know) are not "
                     "counted; n = %.0f.", nlo);
    }
    if (hidden)
        snprintf(notes[nnote++], sizeof notes[0], "Shares under 6%% inside a bar are not printed.");
    double line = 18.0 / height;
    ss_buf_printf(b, "set bmargin %d\nset key at screen 0.5, screen %.6f center center "
                     "horizontal Left reverse samplen 2 width 1\n",
                  5 + nnote, (0.9 + nnote) * line);
    for (int k = 0; k < nnote; k++) {
        ss_buf_printf(b, "set label %d ", nlabel++);
        ss_plot_quote(b, notes[k]);
        ss_buf_printf(b, " at screen 0.01, screen %.6f left tc rgb '#555555'\n",
                      (nnote - 1 - k + 0.6) * line);
    }
    ss_buf_printf(b, "plot ");
    for (int c = 0; c < nlev; c++) {
        char color[16], code[64];
        diverging(nlev > 1 ? (double)c / (nlev - 1) : 0.5, color, sizeof color);
        if (labelled)
            snprintf(code, sizeof code, "%s", names[c]);
        else
            snprintf(code, sizeof code, "%g", low + dir * c);
        ss_buf_printf(b, "%s$L%d using (($2+$3)/2):1:2:3:($1-0.36):($1+0.36) with boxxyerror "
                         "fc rgb '%s' fs solid 1.0 border lc rgb 'white' title ",
                      c ? ", \\\n     " : "", c, color);
        ss_plot_quote(b, code);
    }
    ss_buf_printf(b, "\n");
    finish(b);
    free(x0s);
    free(it);
    free(blabel);
    free(bars);
    free(offshare);
    free(nmin);
    return SS_OK;
}

/* ---- trend -------------------------------------------------------------- */

typedef struct wave_pos {
    const char *label;
    double num;
} wave_pos;

static int cmp_wave_pos(const void *a, const void *b)
{
    const wave_pos *x = a, *y = b;
    if (!isnan(x->num) && !isnan(y->num))
        return (x->num > y->num) - (x->num < y->num);
    return strcmp(x->label, y->label);
}

static int trend_script(ss_buf *b, const ss_plot_options *o, const ss_result *r, ss_error *err)
{
    wave_pos *w = calloc(r->n, sizeof *w);
    size_t *series = calloc(r->n, sizeof *series), *first = calloc(r->n, sizeof *first);
    if (!w || !series || !first) {
        free(w);
        free(series);
        free(first);
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    }
    size_t nw = 0, ns = 0;
    int numeric = 1;
    for (size_t i = 0; i < r->n; i++) {
        const ss_result_row *x = &r->row[i];
        size_t k = 0;
        while (k < nw && strcmp(w[k].label, x->wave) != 0)
            k++;
        if (k == nw) {
            w[nw].label = x->wave;
            if (ss_number_parse(x->wave, strlen(x->wave), &w[nw].num) != 0) {
                w[nw].num = NAN;
                numeric = 0;
            }
            nw++;
        }
        size_t s = 0;
        while (s < ns && !(strcmp(r->row[first[s]].variable, x->variable) == 0 &&
                           strcmp(r->row[first[s]].level, x->level) == 0 &&
                           strcmp(r->row[first[s]].domain, x->domain) == 0))
            s++;
        if (s == ns)
            first[ns++] = i;
        series[i] = s;
        for (size_t j = 0; j < i; j++)
            if (series[j] == s && strcmp(r->row[j].wave, x->wave) == 0) {
                free(w);
                free(series);
                free(first);
                return ss_error_set(err, SS_EDATA, NULL, 0,
                                    "wave '%s' holds '%s %s%s%s%s%s' twice (two files of one wave?)",
                                    x->wave, x->statistic, x->variable, x->level[0] ? " " : "",
                                    x->level, x->domain[0] ? " " : "", x->domain);
            }
    }
    if (!numeric)
        for (size_t k = 0; k < nw; k++)
            w[k].num = NAN;
    qsort(w, nw, sizeof *w, cmp_wave_pos);
    if (!numeric)
        for (size_t k = 0; k < nw; k++)
            w[k].num = (double)(k + 1);
    const ss_result_row *a = &r->row[0];
    double sc = scale_of(a->statistic);
    parts p;
    find_parts(r, first, ns, &p);
    p.wave = 0;
    int width = o->width ? o->width : 900, height = o->height ? o->height : 560;
    char what[512], title[1024], ylabel[600];
    char (*name)[256] = calloc(ns, sizeof *name);
    double *last = calloc(ns, sizeof *last), *pos = calloc(ns, sizeof *pos);
    size_t *ord = calloc(ns, sizeof *ord);
    int rc = SS_OK;
    if (!name || !last || !pos || !ord) {
        rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
        goto done;
    }
    /* A line's variable label from any of its waves (an older wave may
     * have been read from a file without labels). */
    for (size_t s = 0; s < ns; s++) {
        ss_result_row x = r->row[first[s]];
        for (size_t i = 0; i < r->n && !x.var_label; i++)
            if (series[i] == s)
                x.var_label = r->row[i].var_label;
        label_of(&x, &p, width, name[s], sizeof name[s]);
    }
    /* --highlight: the line whose label, level, domain value or variable
     * is LEVEL. */
    long hl = ns == 1 ? 0 : -1;
    if (o->highlight) {
        for (size_t s = 0; s < ns && hl < 0; s++) {
            const ss_result_row *x = &r->row[first[s]];
            char dom[512];
            domain_label(x->domain, &p, dom, sizeof dom);
            if (strcmp(name[s], o->highlight) == 0 || strcmp(x->level, o->highlight) == 0 ||
                strcmp(dom, o->highlight) == 0 || strcmp(x->domain, o->highlight) == 0 ||
                strcmp(x->variable, o->highlight) == 0 ||
                (x->var_label && strcmp(x->var_label, o->highlight) == 0))
                hl = (long)s;
        }
        if (hl < 0) {
            char list[600] = "";
            for (size_t s = 0; s < ns; s++) {
                size_t used = strlen(list);
                if (used + strlen(name[s]) + 8 >= sizeof list) {
                    snprintf(list + used, sizeof list - used, ", ...");
                    break;
                }
                snprintf(list + used, sizeof list - used, "%s'%s'", s ? ", " : "", name[s]);
            }
            rc = ss_error_set(err, SS_EUSAGE, NULL, 0, "--highlight: no line is '%s' (the lines: %s)",
                              o->highlight, list);
            goto done;
        }
    }
    for (size_t i = 0; i < r->n && !a->var_label; i++)
        if (r->row[i].var_label && strcmp(r->row[i].variable, a->variable) == 0)
            a = &r->row[i];
    what_of(a, &p, what, sizeof what);
    title_of(a, &p, title, sizeof title);
    snprintf(ylabel, sizeof ylabel, "%s%s", what, sc == 100 ? ", percent" : "");
    char band[600] = "";
    if (hl >= 0 && ns > 1)
        snprintf(band, sizeof band, "band: the confidence interval of %s", name[hl]);
    else if (hl >= 0)
        snprintf(band, sizeof band, "band: confidence interval");
    preamble(b, o, width, height, o->title ? o->title : title, band[0] ? band : NULL);
    ss_buf_printf(b, "set ylabel ");
    ss_plot_quote(b, ylabel);
    ss_buf_printf(b, "\nset xlabel 'wave'\nset grid ytics lc rgb '#dddddd'\nset xtics (");
    for (size_t k = 0; k < nw; k++) {
        ss_buf_printf(b, "%s", k ? ", " : "");
        ss_plot_quote_as(b, w[k].label, 1);
        ss_buf_printf(b, " %.17g", w[k].num);
    }
    ss_buf_printf(b, ")\n");
    /* The y range: every estimate, and the band drawn. */
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < r->n; i++) {
        const ss_result_row *x = &r->row[i];
        if (isnan(x->estimate))
            continue;
        int banded = (long)series[i] == hl;
        lo = fmin(lo, (banded ? finite_or(x->ci_low, x->estimate) : x->estimate) * sc);
        hi = fmax(hi, (banded ? finite_or(x->ci_high, x->estimate) : x->estimate) * sc);
    }
    if (!isfinite(lo)) {
        lo = 0;
        hi = 1;
    }
    double yspan = hi - lo > 0 ? hi - lo : fmax(fabs(hi), 1) * 0.1;
    double ylo = lo - 0.08 * yspan, yhi = hi + 0.08 * yspan;
    ss_buf_printf(b, "set yrange [%.17g:%.17g]\n", ylo, yhi);
    for (size_t s = 0; s < ns; s++) {
        ss_buf_printf(b, "$S%zu << EOD\n", s);
        last[s] = NAN;
        for (size_t k = 0; k < nw; k++)
            for (size_t i = 0; i < r->n; i++) {
                const ss_result_row *x = &r->row[i];
                if (series[i] != s || strcmp(x->wave, w[k].label) != 0 || isnan(x->estimate))
                    continue;
                last[s] = x->estimate * sc;
                ss_buf_printf(b, "%.17g %.17g %.17g %.17g\n", w[k].num, x->estimate * sc,
                              finite_or(x->ci_low, x->estimate) * sc,
                              finite_or(x->ci_high, x->estimate) * sc);
            }
        ss_buf_printf(b, "EOD\n");
    }
    /* Few lines: each labelled at its end with its name and last value,
     * the values of the earlier waves beside their points, no key; more
     * lines: a key with each line's last value.  Labels of one wave are
     * spread to stay 4.5% of the height apart. */
    int direct = ns > 1 && ns <= 8;
    int dec = decimals_for(hi - lo);
    int nlabel = 1;
    double gap = (yhi - ylo) * 26.0 / height;
    size_t name_cols = 0;
    for (size_t k = 0; k < nw && (direct || ns == 1); k++) {
        size_t m = 0;
        for (size_t s = 0; s < ns; s++) {
            pos[s] = NAN;
            for (size_t i = 0; i < r->n; i++)
                if (series[i] == s && strcmp(r->row[i].wave, w[k].label) == 0 &&
                    !isnan(r->row[i].estimate))
                    pos[s] = r->row[i].estimate * sc;
            if (!isnan(pos[s]))
                ord[m++] = s;
        }
        for (size_t u = 1; u < m; u++) /* by value, insertion sort */
            for (size_t v = u; v > 0 && pos[ord[v - 1]] > pos[ord[v]]; v--) {
                size_t t = ord[v];
                ord[v] = ord[v - 1];
                ord[v - 1] = t;
            }
        double *at = malloc((m ? m : 1) * sizeof *at);
        if (!at) {
            rc = ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
            goto done;
        }
        for (size_t u = 0; u < m; u++)
            at[u] = u && pos[ord[u]] < at[u - 1] + gap ? at[u - 1] + gap : pos[ord[u]];
        if (m && at[m - 1] > yhi - gap / 2) { /* pushed past the top: move all down */
            at[m - 1] = yhi - gap / 2;
            for (size_t u = m - 1; u > 0; u--)
                at[u - 1] = fmin(at[u - 1], at[u] - gap);
        }
        int end = k == nw - 1;
        for (size_t u = 0; u < m; u++) {
            size_t s = ord[u];
            char v[64], text[400];
            value_dec(v, sizeof v, pos[s] / sc, sc, dec);
            if (end && direct) {
                snprintf(text, sizeof text, "%s  %s", name[s], v);
                size_t c = ss_display_width(text);
                name_cols = c > name_cols ? c : name_cols;
            } else {
                snprintf(text, sizeof text, "%s", v);
            }
            ss_buf_printf(b, "set label %d ", nlabel++);
            ss_plot_quote(b, text);
            ss_buf_printf(b, " at %.17g,%.17g %s offset char %s,0 front tc rgb '%s'\n", w[k].num,
                          at[u], end ? "left" : "right", end ? "1" : "-1",
                          style_of(s).color);
        }
        free(at);
    }
    /* The x range: room left of the first wave for its values (about 60
     * pixels of a plot as wide as the chart less its margins). */
    double xspan = nw > 1 ? w[nw - 1].num - w[0].num : 1;
    double rm_px = direct ? 7.5 * (double)(name_cols + 3) : ns == 1 ? 70 : 200;
    double plot_px = fmax((double)width - 80 - rm_px, 100);
    double pad = 0.06 * xspan, lpad = pad;
    if (direct || ns == 1)
        lpad = fmax(pad, (xspan + 2 * pad) * 60 / (plot_px - 60));
    ss_buf_printf(b, "set xrange [%.17g:%.17g]\n", w[0].num - lpad, w[nw - 1].num + pad);
    if (direct) {
        ss_buf_printf(b, "set key off\nset rmargin %zu\n", name_cols + 3);
    } else if (ns == 1) {
        ss_buf_printf(b, "set key off\nset rmargin 9\n");
    } else {
        ss_buf_printf(b, "set key outside right top vertical Left reverse");
        const char *by = by_name(r, &p);
        if (p.domain && by[0]) {
            ss_buf_printf(b, " title ");
            ss_plot_quote(b, by);
        }
        ss_buf_printf(b, "\n");
    }
    /* The band first, so that it covers no line; then the lines, the
     * highlighted one last (on top) and thicker. */
    ss_buf_printf(b, "plot ");
    if (hl >= 0)
        ss_buf_printf(b, "$S%ld using 1:3:4 with filledcurves fc rgb '%s' "
                         "fs transparent solid 0.18 noborder notitle, \\\n     ",
                      hl, style_of((size_t)hl).color);
    /* The key's order: by the last value, highest first (as the lines
     * end); the highlighted line drawn again last, on top. */
    for (size_t s = 0; s < ns; s++)
        ord[s] = s;
    for (size_t u = 1; u < ns && !direct && ns > 1; u++)
        for (size_t v = u; v > 0 && !(last[ord[v - 1]] >= last[ord[v]]) && !isnan(last[ord[v]]);
             v--) {
            size_t t = ord[v];
            ord[v] = ord[v - 1];
            ord[v - 1] = t;
        }
    for (size_t t = 0; t <= ns; t++) {
        size_t s = t < ns ? ord[t] : (size_t)hl;
        if (t == ns && (hl < 0 || ns == 1))
            break;
        series_style st = style_of(s);
        int strong = hl < 0 || (long)s == hl;
        ss_buf_printf(b, "%s$S%zu using 1:2 with linespoints lw %s dt %d pt %d ps %s lc rgb '%s' title ",
                      t ? ", \\\n     " : "", s, !strong ? "1.5" : hl >= 0 && ns > 1 ? "3.5" : "2",
                      st.dt, st.pt, strong ? "1.2" : "0.9", st.color);
        if (direct || ns == 1 || t == ns) {
            ss_buf_printf(b, "''");
        } else {
            char v[64], text[400];
            value_dec(v, sizeof v, last[s] / sc, sc, dec);
            snprintf(text, sizeof text, "%s  %s", name[s], v);
            ss_plot_quote(b, text);
        }
    }
    ss_buf_printf(b, "\n");
    finish(b);
done:
    free(name);
    free(last);
    free(pos);
    free(ord);
    free(w);
    free(series);
    free(first);
    return rc;
}

/* ---- ipa ---------------------------------------------------------------- */

static int ipa_script(ss_buf *b, const ss_plot_options *o, const ss_result *r, ss_error *err)
{
    size_t *imp = malloc(r->n * sizeof *imp), *perf = malloc(r->n * sizeof *perf);
    if (!imp || !perf) {
        free(imp);
        free(perf);
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    }
    size_t n = 0;
    double mi = 0, mp = 0;
    const char *plevel = "mean";
    for (size_t i = 0; i < r->n; i++) {
        if (strcmp(r->row[i].statistic, "importance") != 0)
            continue;
        for (size_t j = 0; j < r->n; j++)
            if (strcmp(r->row[j].statistic, "performance") == 0 &&
                strcmp(r->row[j].variable, r->row[i].variable) == 0 &&
                strcmp(r->row[j].domain, r->row[i].domain) == 0 &&
                strcmp(r->row[j].wave, r->row[i].wave) == 0 && isfinite(r->row[i].estimate) &&
                isfinite(r->row[j].estimate)) {
                imp[n] = i;
                perf[n++] = j;
                mi += r->row[i].estimate;
                mp += r->row[j].estimate;
                plevel = r->row[j].level;
                break;
            }
    }
    if (n == 0) {
        free(imp);
        free(perf);
        return ss_error_set(err, SS_EDATA, NULL, 0,
                            "no item with both an importance and a performance row: --type ipa "
                            "draws the result of survstat drivers");
    }
    mi /= (double)n;
    mp /= (double)n;
    char xlabel[300];
    snprintf(xlabel, sizeof xlabel, "performance (%s)", plevel);
    preamble(b, o, o->width ? o->width : 900, o->height ? o->height : 650,
             o->title ? o->title : "Importance and performance",
             "lines: the means over the items; whiskers: confidence intervals");
    ss_buf_printf(b, "set xlabel ");
    ss_plot_quote(b, xlabel);
    ss_buf_printf(b, "\nset ylabel 'importance (regression coefficient)'\nset key off\n"
                     "set offsets graph 0.12, graph 0.12, graph 0.1, graph 0.1\n"
                     "set arrow 1 from %.17g, graph 0 to %.17g, graph 1 nohead dt 2 lc rgb '#777777'\n"
                     "set arrow 2 from graph 0, first %.17g to graph 1, first %.17g nohead dt 2 "
                     "lc rgb '#777777'\n"
                     "set label 1 'concentrate here' at graph 0.02, graph 0.97 left tc rgb '#c44e52'\n"
                     "set label 2 'keep up' at graph 0.98, graph 0.97 right tc rgb '#55a868'\n"
                     "set label 3 'low priority' at graph 0.02, graph 0.03 left tc rgb '#777777'\n"
                     "set label 4 'possible overkill' at graph 0.98, graph 0.03 right "
                     "tc rgb '#777777'\n",
                  mp, mp, mi, mi);
    for (size_t k = 0; k < n; k++) {
        char item[1024];
        snprintf(item, sizeof item, "%s", r->row[imp[k]].variable);
        shorten(item, sizeof item, label_columns(o->width ? o->width : 900));
        ss_buf_printf(b, "set label %zu ", k + 5);
        ss_plot_quote(b, item);
        ss_buf_printf(b, " at %.17g,%.17g left offset char 0.8,char 0.6 front\n",
                      r->row[perf[k]].estimate, r->row[imp[k]].estimate);
    }
    ss_buf_printf(b, "$P << EOD\n");
    for (size_t k = 0; k < n; k++) {
        const ss_result_row *x = &r->row[perf[k]], *y = &r->row[imp[k]];
        ss_buf_printf(b, "%.17g %.17g %.17g %.17g %.17g %.17g\n", x->estimate, y->estimate,
                      finite_or(x->ci_low, x->estimate), finite_or(x->ci_high, x->estimate),
                      finite_or(y->ci_low, y->estimate), finite_or(y->ci_high, y->estimate));
    }
    ss_buf_printf(b, "EOD\nplot $P using 1:2:3:4:5:6 with xyerrorbars pt 0 lw 1 lc rgb '#bbbbbb', \\\n"
                     "     $P using 1:2 with points pt 7 ps 1.6 lc rgb '#4c72b0'\n");
    finish(b);
    free(imp);
    free(perf);
    return SS_OK;
}

int ss_plot_script(ss_buf *b, const ss_plot_options *o, const ss_result *r, ss_error *err)
{
    if (r->n == 0)
        return ss_error_set(err, SS_EDATA, NULL, 0, "no rows to draw");
    switch (o->type) {
    case SS_PLOT_BAR:
        return bar_script(b, o, r, err);
    case SS_PLOT_LIKERT:
        return likert_script(b, o, r, err);
    case SS_PLOT_TREND:
        return trend_script(b, o, r, err);
    case SS_PLOT_IPA:
        return ipa_script(b, o, r, err);
    case SS_PLOT_WEIGHTS:
        break;
    }
    return ss_error_set(err, SS_EUSAGE, NULL, 0, "--type weights draws a data file");
}

/* ---- weights ------------------------------------------------------------ */

int ss_plot_weights_script(ss_buf *b, const ss_plot_options *o, const double *w, size_t n,
                           const char *column, ss_error *err)
{
    if (n == 0)
        return ss_error_set(err, SS_EDATA, NULL, 0, "no weights to draw");
    double lo = w[0], hi = w[0], s = 0, s2 = 0;
    for (size_t i = 0; i < n; i++) {
        lo = fmin(lo, w[i]);
        hi = fmax(hi, w[i]);
        s += w[i];
        s2 += w[i] * w[i];
    }
    size_t nbin = (size_t)ceil(sqrt((double)n));
    nbin = nbin < 5 ? 5 : nbin > 50 ? 50 : nbin;
    double wmin = lo, wmax = hi, width = (hi - lo) / (double)nbin;
    if (!(width > 0)) {
        nbin = 1;
        width = lo != 0 ? fabs(lo) * 0.1 : 1;
        lo -= width / 2;
    }
    size_t *count = calloc(nbin, sizeof *count);
    if (!count)
        return ss_error_set(err, SS_EDATA, NULL, 0, "out of memory");
    for (size_t i = 0; i < n; i++) {
        size_t k = (size_t)((w[i] - lo) / width);
        count[k < nbin ? k : nbin - 1]++;
    }
    char title[1600], stats[400];
    if (o->weight_note)
        snprintf(title, sizeof title, "%s weights: %s %s",
                 strstr(o->weight_note, "raked") || strstr(o->weight_note, "calibrated") ||
                         strstr(o->weight_note, "post-stratified")
                     ? "Calibrated"
                     : "Adjusted",
                 column, o->weight_note);
    else
        snprintf(title, sizeof title, "Weights: %s", column);
    snprintf(stats, sizeof stats,
             "n = %zu, sum = %.6g, min = %.4g, max = %.4g, max/min = %.3g, "
             "Kish effective n = %.1f (deff %.3f)",
             n, s, wmin, wmax, wmin > 0 ? wmax / wmin : NAN, s2 > 0 ? s * s / s2 : 0,
             s2 > 0 ? (double)n * s2 / (s * s) : NAN);
    preamble(b, o, o->width ? o->width : 900, o->height ? o->height : 560,
             o->title ? o->title : title, stats);
    char xlabel[400];
    snprintf(xlabel, sizeof xlabel, o->weight_note ? "adjusted weight (from %s)" : "weight (%s)",
             column);
    ss_buf_printf(b, "set xlabel ");
    ss_plot_quote(b, xlabel);
    ss_buf_printf(b, "\nset ylabel 'rows'\nset key off\nset grid ytics lc rgb '#dddddd'\n"
                     "set yrange [0:*]\nset offsets graph 0.03, graph 0.03, graph 0.08, 0\n"
                     "set arrow 1 from %.17g, graph 0 to %.17g, graph 1 nohead dt 2 lw 1.5 lc rgb '#c44e52' front\n"
                     "set label 1 'mean' at %.17g, graph 1 left offset char 0.4,char -0.8 "
                     "tc rgb '#c44e52'\n$H << EOD\n",
                  s / (double)n, s / (double)n, s / (double)n);
    for (size_t k = 0; k < nbin; k++)
        ss_buf_printf(b, "%.17g %zu\n", lo + ((double)k + 0.5) * width, count[k]);
    ss_buf_printf(b, "EOD\nset boxwidth %.17g absolute\n"
                     "plot $H using 1:2 with boxes fc rgb '#4c72b0' fs solid 0.85 "
                     "border lc rgb 'white'\n",
                  width);
    finish(b);
    free(count);
    return SS_OK;
}
