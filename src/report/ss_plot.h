/* ss_plot: charts of result rows as gnuplot scripts (built as text first,
 * so they are testable without gnuplot; cmd_plot pipes them to gnuplot).
 *
 * Safety: gnuplot strings can run commands (system("..."), backquotes in
 * double-quoted strings, @macros).  Every string that comes from data or
 * options (titles, labels, levels, paths, the font name) reaches a script
 * only through ss_plot_quote, which writes a single-quoted gnuplot string:
 * gnuplot expands neither backquotes, nor @macros, nor backslash escapes
 * there, a quote is written doubled (''), and control characters (a
 * newline would end the command) become spaces.  Data blocks hold only
 * numbers written by printf; the terminals are noenhanced, so ^ _ { } @
 * in labels print as themselves.
 *
 * Ownership: an ss_buf owns its text; ss_buf_free accepts a zeroed buffer. */
#ifndef SS_PLOT_H
#define SS_PLOT_H

#include <stddef.h>

#include "ss_error.h"
#include "ss_result.h"

/* The font the scripts name: Debian's fonts-wqy-zenhei, which has the
 * Chinese glyphs; fontconfig falls back for anything missing. */
#define SS_PLOT_FONT "WenQuanYi Zen Hei"

typedef struct ss_buf {
    char *s;      /* NUL-terminated text, NULL while empty */
    size_t n, cap;
    int failed;   /* an allocation failed: the text is incomplete */
} ss_buf;

void ss_buf_init(ss_buf *b);
void ss_buf_free(ss_buf *b);
void ss_buf_printf(ss_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Append s as a single-quoted gnuplot string ('it''s'); control bytes
 * (0x00-0x1f, 0x7f) become spaces.  Returns how many bytes were replaced. */
size_t ss_plot_quote(ss_buf *b, const char *s);
/* The same; with format set, '%' is doubled too, for text that gnuplot
 * reads as a printf format (the labels of set xtics (...)). */
size_t ss_plot_quote_as(ss_buf *b, const char *s, int format);

typedef enum { SS_PLOT_BAR, SS_PLOT_LIKERT, SS_PLOT_TREND, SS_PLOT_IPA, SS_PLOT_WEIGHTS } ss_plot_type;
typedef enum { SS_TERM_PNG, SS_TERM_SVG, SS_TERM_PDF } ss_plot_term;

/* "bar", "likert", "trend", "ipa", "weights": 0, else -1. */
int ss_plot_type_parse(const char *name, ss_plot_type *t);
/* The terminal of a path's extension (.png .svg .pdf, any case): 0, else -1. */
int ss_plot_term_for_path(const char *path, ss_plot_term *t);

/* The order of bars (and of a likert chart's items): the rows' order in the
 * file (the codes' order of a labelled or ordinal variable), by estimate
 * (largest first), or by label text (numbers in a label compared as
 * numbers).  DEFAULT: the codes' order for the levels of one variable,
 * else by estimate (bar) or the file's order (likert). */
typedef enum { SS_ORDER_DEFAULT, SS_ORDER_DATA, SS_ORDER_VALUE, SS_ORDER_LABEL } ss_plot_order;

/* "data", "value", "label": 0, else -1. */
int ss_plot_order_parse(const char *name, ss_plot_order *order);

typedef struct ss_plot_options {
    ss_plot_type type;
    ss_plot_term term;
    const char *output;   /* the file the script writes */
    const char *title;    /* NULL: a title from the data */
    int width, height;    /* pixels (pdf: at 96 per inch); 0: by the chart */
    const char *font;     /* NULL: SS_PLOT_FONT */
    int scale_set;        /* likert: --scale LOW:HIGH given */
    double low, high;
    int suppress;         /* bar: draw no bar for estimates flagged Px (an
                           * empty slot with the flag; the bars in the
                           * codes' order, so no ranking shows) */
    ss_plot_order order;  /* bar, likert */
    const char *highlight; /* trend: the line drawn with its band, NULL: none
                            * (one line has its band anyway) */
    const char *weight_note; /* weights: what was done to the weights
                              * ("raked to M.csv"), NULL: nothing */
} ss_plot_options;

/* The script of a bar, likert, trend or ipa chart of the rows of r (the
 * caller has selected them).  SS_OK, or SS_EDATA / SS_EUSAGE with err
 * filled (no file named: the caller knows the files). */
int ss_plot_script(ss_buf *b, const ss_plot_options *o, const ss_result *r, ss_error *err);

/* The script of a histogram of the weights w[0..n) of the column named
 * column, with n, the sum and Kish's effective n = (sum w)^2 / sum w^2 in
 * the title. */
int ss_plot_weights_script(ss_buf *b, const ss_plot_options *o, const double *w, size_t n,
                           const char *column, ss_error *err);

#endif
