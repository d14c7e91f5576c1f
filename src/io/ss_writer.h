/* ss_writer: text, csv, json, md, html and xlsx writers over one grid of
 * cells, and outputs that are written whole or not at all.
 *
 * A grid is a header of named columns, each text or number, and rows of
 * cells; a NaN number is missing (an empty csv cell, json null).  Numbers
 * are written with 17 significant digits in csv and json, 7 in text and md
 * (which are for reading: there an se, ci_low or ci_high below 1e-12 times
 * its row's estimate and a cv below 1e-12 show as 0, and columns empty in
 * every row are dropped).  A text column's cell left without text but given
 * a number is written as that number.  The grid owns copies of all its
 * strings. */
#ifndef SS_WRITER_H
#define SS_WRITER_H

#include <stdio.h>
#include <sys/types.h>

#include "ss_error.h"
#include "ss_result.h"

typedef enum { SS_FMT_TEXT, SS_FMT_CSV, SS_FMT_JSON, SS_FMT_MD, SS_FMT_XLSX, SS_FMT_HTML } ss_format;

typedef struct ss_cell {
    char *text;   /* text columns */
    double num;   /* number columns */
} ss_cell;

typedef struct ss_grid {
    size_t ncol, nrow, cap;
    char **name;
    int *is_number;
    ss_cell *cell;   /* nrow x ncol */
} ss_grid;

int ss_grid_init(ss_grid *g, size_t ncol, const char *const *names,
                 const int *is_number);
void ss_grid_free(ss_grid *g);
/* Append an empty row (texts "", numbers NaN); returns its cells or NULL. */
ss_cell *ss_grid_add_row(ss_grid *g);
int ss_grid_set_text(ss_grid *g, ss_cell *row, size_t col, const char *s);

/* The result rows as a grid with the CLI.md columns. */
int ss_grid_from_results(ss_grid *g, const ss_result *r);

/* "text", "csv", "json", "md", "xlsx", "html": 0, else -1. */
int ss_format_parse(const char *name, ss_format *f);
/* The format an output path implies (.csv .json .md .txt .xlsx .html), else dflt. */
ss_format ss_format_for_path(const char *path, ss_format dflt);
/* The format a path's extension names: 1 with *f set; 0 when the file name
 * has no extension (or there is no path); -1 when it has one that names no
 * format (.tsv), with *ext pointing at it. */
int ss_format_of_path(const char *path, ss_format *f, const char **ext);

/* How an output is shown beyond its cells.
 *   percent: proportions (rows whose 'statistic' is prop, t2b, b2b or net)
 *     with their se, ci_low and ci_high in percent (text, md, html; xlsx
 *     through a percent number format on the unchanged value).
 *   title: the html page's heading and title, the workbook's title.
 *   about: key, value, key, value, ..., NULL: the xlsx "about" sheet, the
 *     html page's closing list (command line, design, date, version).
 * Text and md with percent, and html always, round numbers for people
 * (ss_grid_display_text); csv, json and xlsx keep every digit.  A numeric
 * column conf_level whose value is the same in every row is shown in text,
 * md and html as a footnote instead of a column. */
typedef struct ss_write_opts {
    int percent;
    const char *title;
    const char *const *about;
    const char *sheet;      /* the xlsx sheet of a single grid ("results") */
} ss_write_opts;

int ss_grid_write_opts(FILE *fp, const ss_grid *g, ss_format f, const ss_write_opts *o);
/* The same for every format but xlsx (writer.c; -1 with EINVAL for xlsx). */
int ss_grid_write_plain(FILE *fp, const ss_grid *g, ss_format f, const ss_write_opts *o);

/* Several grids in one output: xlsx a sheet each (then "about"), html a
 * section each on one page, the other formats each grid in turn (text and
 * md under its name).  A sheet of laid-out blocks (grid NULL) is written in
 * xlsx and html only (its blocks one under another, merged cells merged). */
typedef struct ss_layout ss_layout;
typedef struct ss_sheet {
    const char *name;
    const ss_grid *grid;      /* the rows, or NULL when the sheet is laid out */
    const ss_layout *blocks;  /* else nblocks laid-out tables, one under another */
    size_t nblocks;
} ss_sheet;
int ss_sheets_write(FILE *fp, ss_format f, const ss_sheet *s, size_t n, const ss_write_opts *o);

/* Does row i hold a proportion (statistic prop, t2b, b2b, net)? */
int ss_grid_percent_row(const ss_grid *g, size_t i);
/* The column named name, or -1. */
long ss_grid_column(const ss_grid *g, const char *name);
/* The value of a numeric column conf_level when it is the same in every
 * row (NaN when there is none or it varies). */
double ss_grid_conf_level(const ss_grid *g);

/* Pieces of one self-contained html page (inline CSS, no scripts): the
 * report pack of survstat run composes them.  Text is escaped. */
void ss_html_begin(FILE *fp, const char *title);
void ss_html_heading(FILE *fp, int level, const char *text);
void ss_html_paragraph(FILE *fp, const char *text);
void ss_html_grid(FILE *fp, const ss_grid *g, const ss_write_opts *o);
/* An image embedded as a data: URI (mime "image/svg+xml", "image/png"). */
void ss_html_image(FILE *fp, const unsigned char *data, size_t len, const char *mime,
                   const char *alt);
void ss_html_about(FILE *fp, const char *const *about);
void ss_html_end(FILE *fp);

/* A table laid out for people (survstat table's wide table in xlsx and
 * html): a rectangle of nrow x ncol cells whose first nhead rows are the
 * header; a cell may span rows and columns (merged cells: the top-left cell
 * holds the content and the spans, the others are SS_LAY_COVERED).  Number
 * cells keep their value (xlsx stores it with every digit, in a percent or
 * count number format) and a text as html shows it.  Rows flagged total
 * print as the table's total row.  Ownership: the layout owns its
 * strings; ss_layout_free accepts a zeroed or half-built layout. */
typedef enum {
    SS_LAY_EMPTY,
    SS_LAY_TEXT,
    SS_LAY_NUMBER,   /* general */
    SS_LAY_PERCENT,  /* a fraction, shown in percent */
    SS_LAY_COUNT,    /* a weighted count, shown without decimals */
    SS_LAY_COVERED   /* inside another cell's span */
} ss_lay_kind;

typedef struct ss_lay_cell {
    char *text;                /* TEXT: the text; numbers: the html text */
    double num;
    unsigned char kind;        /* ss_lay_kind */
    unsigned rowspan, colspan; /* 1 unless merged */
} ss_lay_cell;

struct ss_layout {
    char *title;
    size_t nrow, ncol, nhead;
    ss_lay_cell *cell;         /* nrow x ncol */
    unsigned char *total;      /* nrow: the row is a total row */
    char **note;               /* footnotes under the table */
    size_t nnote;
};

int ss_layout_init(ss_layout *l, size_t nrow, size_t ncol, size_t nhead, const char *title);
void ss_layout_free(ss_layout *l);
ss_lay_cell *ss_layout_at(const ss_layout *l, size_t i, size_t j);
int ss_layout_text(ss_layout *l, size_t i, size_t j, const char *s);
/* A number of kind SS_LAY_NUMBER, _PERCENT or _COUNT; shown: its html
 * text (NULL: formatted by kind). */
int ss_layout_number(ss_layout *l, size_t i, size_t j, double x, ss_lay_kind kind,
                     const char *shown);
/* Merge rows x cols cells from (i, j): they become covered. */
void ss_layout_span(ss_layout *l, size_t i, size_t j, size_t rows, size_t cols);
int ss_layout_note(ss_layout *l, const char *s);
/* A cross-table's layout of nbody body rows under its header: the corner
 * (the rows' variable) merged down the header rows; colvar's name merged
 * over the nc levels (none when nc is 0), each level's name over its sub
 * columns; "Total" (sub columns wide) last; with sub > 1 a header row of
 * the sub columns' names sub_names[0..sub).  0, or -1 out of memory. */
int ss_layout_crosstab(ss_layout *l, const char *title, const char *corner, const char *colvar,
                       const char *const *levels, size_t nc, size_t sub,
                       const char *const *sub_names, size_t nbody);
/* A laid-out table as an html table (caption, header, body, notes). */
void ss_html_layout(FILE *fp, const ss_layout *l);
/* Text escaped for html. */
void ss_html_text(FILE *fp, const char *t);

/* xlsx (src/io/xlsx.c, libxlsxwriter): the sheets and the about sheet
 * written to fp; 0, or -1 with errno set (ELIBACC: libxlsxwriter cannot
 * be loaded; a caller that wants the message calls ss_dl_xlsxwriter_load
 * first). */
int ss_xlsx_write(FILE *fp, const ss_sheet *s, size_t n, const ss_write_opts *o);

/* Write g; returns 0, or -1 on a write error (errno set). */
/* Columns that UTF-8 text takes on a terminal (East Asian wide
 * characters count two), for aligning text. */
size_t ss_display_width(const char *s);

int ss_grid_write(FILE *fp, const ss_grid *g, ss_format f);

/* One csv field, quoted when it holds a comma, quote, CR or LF or starts or
 * ends with a space (the csv writer's rule, for writers of their own). */
void ss_csv_field(FILE *fp, const char *s);

/* An output file: written to a temporary file beside it and renamed on
 * commit, so the path holds the whole output or its old contents.  A NULL
 * path or "-" is standard output. */
typedef struct ss_output {
    FILE *fp;
    char *path;
    char *tmp;
} ss_output;

/* While an output is open, SIGINT, SIGTERM, SIGHUP and SIGQUIT remove its
 * temporary file before the process dies of the signal. */
int ss_output_open(ss_output *o, const char *path, ss_error *err);
int ss_output_commit(ss_output *o, ss_error *err);
void ss_output_abort(ss_output *o);

/* A directory of outputs not yet committed (survstat run's wave), removed
 * with its files by those signals.  The string must live until released;
 * -1 when too many are registered. */
int ss_output_protect_dir(char *dir);
void ss_output_release_dir(char *dir);
/* A process group (gnuplot's) those signals kill first; 0 for none. */
void ss_output_protect_child(pid_t group);
/* A file those signals unlink (survstat run's lock file). */
int ss_output_protect_file(char *file);
void ss_output_release_file(char *file);

#endif
