/* ss_table: CSV ingest (libcsv) into a column table.
 *
 * Only the columns an analysis asks for are converted; the others are parsed
 * and skipped, so a broken label column the analysis does not use does no
 * harm.  A column asked for as a category is dictionary-coded (one int32 per
 * row, -1 = missing) and its distinct levels are parsed as numbers once; a
 * column asked for only as a number is converted cell by cell (NaN =
 * missing), or, asked for as SS_NEED_PACKED, kept in the narrowest storage
 * its values fit (ss_column.store: one byte a cell for codes 0 .. 254, two
 * for larger integers or short decimals, four for other integers, else a
 * double), widened in place when a value does not fit.  Empty cells, "NA"
 * and the --na codes are missing.
 *
 * The ingest counts physical lines itself (libcsv keeps none), strips a
 * UTF-8 byte-order mark, accepts CRLF, converts GB18030/GBK with iconv, and
 * refuses NUL bytes, gzip data, ragged rows, unterminated quotes, duplicate
 * column names and files without data rows, naming the file and line.
 *
 * Chunks without a quote character are split into fields by survstat with
 * libcsv's rules for unquoted fields (SURVSTAT_PARSER=libcsv: all by
 * libcsv).  A large regular file is parsed by two threads, one half each,
 * writing into the same column arrays; the table (codes, values, line
 * numbers, the first error) is the same as with one (table.c, "two
 * threads").
 *
 * Ownership: the table owns its columns, names and dictionaries;
 * ss_table_free releases everything and accepts a half-built table. */
#ifndef SS_TABLE_H
#define SS_TABLE_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "ss_dict.h"
#include "ss_error.h"

/* Limits, beyond which a file is refused with an error naming the line:
 * columns in the header (Excel's column count) and bytes in one field. */
#define SS_TABLE_MAX_COLUMNS 16384
#define SS_TABLE_MAX_FIELD (1u << 24)

enum {
    SS_NEED_NUMBER = 1,   /* values as doubles in num */
    SS_NEED_CATEGORY = 2, /* values as level codes in code */
    SS_NEED_PACKED = 4,   /* numbers, read with ss_column_num only: in the
                           * narrowest storage that holds them (store) */
    SS_NEED_TEXT = 8,     /* nothing but the cells' texts (keep_text) */
    SS_NEED_DESIGN = 16,  /* a design column (ids, strata, fpc, weights,
                           * replicate weights): never made missing by
                           * --na; merged with other needs, it stays */
    SS_NEED_AUTO = 32,    /* numbers if every cell is one, else a category
                           * (ss_table_read, input.c): the column comes as
                           * SS_NEED_PACKED (numeric set) or as
                           * SS_NEED_CATEGORY, as a category whenever the
                           * file is not a re-readable CSV file, --labels is
                           * given or another request of it wants one */
    SS_NEED_PRESENT = 64, /* only whether each cell is there (the ids of a
                           * stage the variance does not use): nothing is
                           * kept per row, nmissing counts the missing cells
                           * and first_missing is the row of the first; a
                           * cell that is not UTF-8 is the error a category
                           * gives.  Merged with another need, that need */
};

/* The --na codes that apply to one column (ss_column.na). */
typedef struct ss_na_codes {
    size_t n;
    char **text;
    size_t *len;
    double *num;        /* the code as a number, NaN when it is not one */
} ss_na_codes;

/* A value label: the code (its canonical text, and its value when it is a
 * number) and the label, UTF-8. */
typedef struct ss_value_label {
    char *code;
    double num;         /* NaN for a text code */
    char *label;
} ss_value_label;

/* How a column read as SS_NEED_PACKED holds its numbers (ss_column.store):
 * the narrowest of these that holds every value read so far, chosen as
 * the values arrive.  A value the storage cannot hold widens the column
 * in place (the rows read so far are converted; the file is not read
 * again), to the first storage in this order that holds them all: U8,
 * U16, PACKED, I32, DOUBLE.  Whatever the storage, ss_column_num gives
 * the double the cell parses to, to the bit (-0 is a double's alone). */
enum {
    SS_STORE_DOUBLE = 0, /* num: doubles, NaN missing (every other column) */
    SS_STORE_U8,         /* u8: integers 0 .. 254, SS_U8_NA missing */
    SS_STORE_U16,        /* u16: integers 0 .. 65534, SS_U16_NA missing */
    SS_STORE_PACKED,     /* packed: short decimals (below), SS_PACKED_NA */
    SS_STORE_I32,        /* i32: integers of int32, SS_I32_NA missing */
    SS_STORE_KINDS
};
#define SS_U8_NA UINT8_MAX
#define SS_U16_NA UINT16_MAX
#define SS_I32_NA INT32_MIN

/* A packed number: m * 4 + k for the value m / 10^k, |m| < 8192, k < 4
 * (a cell written with at most 4 digits, 3 of them after the point: Likert
 * codes, ages, weights like 124.6); SS_PACKED_NA is missing.  The value is
 * the double the cell parses to, to the bit. */
#define SS_PACKED_NA INT16_MIN
extern double *ss_packed_value; /* by the code's bits (65,536): its value */
extern double ss_u8_value[256];       /* by the byte: its value, NaN for SS_U8_NA */

typedef struct ss_column {
    char *name;
    unsigned need;      /* SS_NEED_* bits; 0 = not loaded */
    size_t nmissing;
    double *num;        /* nrow values, NaN = missing (SS_NEED_NUMBER) */
    /* SS_NEED_PACKED alone: the values in one of these, by store, in
     * place of num (read them with ss_column_num). */
    int store;          /* SS_STORE_*: which array holds the numbers */
    uint8_t *u8;
    uint16_t *u16;
    int16_t *packed;
    int32_t *i32;
    int32_t *code;      /* nrow codes, -1 = missing (SS_NEED_CATEGORY) */
    ss_dict levels;     /* level texts (SS_NEED_CATEGORY) */
    double *level_num;  /* per level: its value, NaN when not a number */
    size_t *level_count; /* per level: rows that hold it (0 for NA codes) */
    int numeric;        /* every present value is a number */
    size_t first_missing; /* SS_NEED_PRESENT: the first missing cell's row
                           * (when nmissing > 0) */
    char *bad_text;     /* SS_NEED_PRESENT: the first cell that is not
                         * UTF-8 (bad_len bytes, at row bad_row), or NULL */
    size_t bad_len, bad_row;
    ss_na_codes *na;    /* the --na codes of this column, or NULL */
    /* Labels, from the file (SPSS, Stata, SAS) or from --labels. */
    char *label;        /* the variable label, or NULL */
    ss_value_label *vlabel; /* the value labels, in code order */
    size_t nvlabel;
    const char **level_label; /* per level: its label, or NULL (category
                               * columns with value labels) */
    char *missing_decl; /* the file's missing-value declarations, as text
                         * ("9", "97 thru 99", ".a"), or NULL */
    int show_codes;     /* --codes: ss_column_level_name gives the code */
    int binary;         /* read from a statistical package's file */
} ss_column;

/* Row i of a column read as numbers (SS_NEED_NUMBER or SS_NEED_PACKED),
 * NaN when missing. */
static inline double ss_column_num(const ss_column *c, size_t i)
{
    switch (c->store) {
    case SS_STORE_U8:
        return ss_u8_value[c->u8[i]];
    case SS_STORE_U16:
        return c->u16[i] == SS_U16_NA ? NAN : (double)c->u16[i];
    case SS_STORE_PACKED:
        return ss_packed_value[(uint16_t)c->packed[i]];
    case SS_STORE_I32:
        return c->i32[i] == SS_I32_NA ? NAN : (double)c->i32[i];
    default:
        return c->num[i];
    }
}

typedef struct ss_table {
    char *file;         /* the name used in messages */
    size_t nrow;
    size_t ncol;
    ss_column *col;
    /* Physical line of data row r is r + 2 + shift, where shift changes at
     * rows that follow embedded newlines or blank lines. */
    size_t nbreak;
    size_t *break_row;
    long *break_shift;
    /* keep_text: every row's cells as read (untrimmed, unquoted), each
     * ended by a NUL, row after row in one block; row r's first cell is at
     * text + row_text[r] (ss_table_row_text).  About the file's size: no
     * copy per cell. */
    char *text;
    size_t text_len, text_cap;
    size_t *row_text;
    int borrowed;       /* lent by another owner: ss_table_free leaves it */
} ss_table;

typedef struct ss_read_options {
    char delimiter;         /* ',' unless -d */
    const char *encoding;   /* NULL or "utf-8", else converted with iconv */
    const char *const *na;  /* extra missing codes */
    size_t nna;
    int all_columns;        /* load every column: as a category (describe),
                             * or with keep_text as text alone (SS_NEED_TEXT)
                             * unless requested otherwise */
    int keep_text;          /* with all_columns: keep every cell's text */
    /* Called now and then with the fraction of the file read, or NULL. */
    void (*progress)(void *ctx, double fraction);
    void *progress_ctx;
    const char *labels;     /* --labels FILE (variable,value,label), or NULL */
    int codes;              /* --codes: levels shown by their codes */
    int user_missing_values; /* SPSS user-missing values read as values
                              * (describe --codebook counts them) */
} ss_read_options;

typedef struct ss_request {
    const char *name;
    unsigned need;
} ss_request;

/* Each entry of opt->na is one --na argument, "CODES" or "VARS:CODES"
 * (comma-separated lists, blanks after the commas allowed): CODES apply to
 * every requested column that is not a design column (SS_NEED_DESIGN), or
 * to the columns VARS alone; a name in VARS that is not a column is an
 * error.
 *
 * path may be CSV, gzip'd CSV (a .gz file or gzip data on standard input,
 * read through zlib), or a file of SPSS (.sav, .zsav, .por), Stata (.dta)
 * or SAS (.sas7bdat, .xpt), recognised by its first bytes and read through
 * ReadStat (readstat_in.c); then the table also holds the file's labels
 * and missing-value declarations.
 *
 * Read path ("-" is standard input) into t.  Every requested name must be a
 * column (requests may repeat a name; their needs are merged: a column asked
 * for SS_NEED_PACKED and anything else is read as SS_NEED_NUMBER).  The
 * file is read once, whatever its numbers (a stream as well as a file).
 * Returns SS_OK or SS_EDATA with err filled; t is then ready for
 * ss_table_free. */
int ss_table_read(ss_table *t, const char *path, const ss_read_options *opt,
                  const ss_request *req, size_t nreq, ss_error *err);

void ss_table_free(ss_table *t);

/* The column called name, or NULL. */
ss_column *ss_table_find(const ss_table *t, const char *name);

/* keep_text: row's first cell; its cells follow, each after the NUL that
 * ends the one before (t->ncol of them). */
static inline const char *ss_table_row_text(const ss_table *t, size_t row)
{
    return t->text + t->row_text[row];
}

/* The physical line (1-based) where data row `row` starts. */
long ss_table_line(const ss_table *t, size_t row);

/* Levels of a category column in presentation order: by value when every
 * level is a number, else by bytes (C locale).  order must hold
 * col->levels.n entries; returns the count of non-missing levels written. */
size_t ss_column_level_order(const ss_column *col, int32_t *order);

/* How level l is shown: its label when it has one (and not show_codes),
 * else its code. */
static inline const char *ss_column_level_name(const ss_column *col, int32_t l)
{
    return col->level_label && col->level_label[l] && !col->show_codes
               ? col->level_label[l]
               : col->levels.str[l];
}

/* The label of level l of a category column, or NULL. */
const char *ss_column_code_label(const ss_column *col, int32_t l);

/* The level that s[0..len) names in a category column: a level's code, or
 * else the label of exactly one level.  Returns the level, -1 when none,
 * -2 when s is the label of several levels (ambiguous). */
int32_t ss_column_label_code(const ss_column *col, const char *s, size_t len);

/* The value label whose label is s (for a code that no row holds): its
 * code's text, NULL when none or several. */
const char *ss_column_label_value(const ss_column *col, const char *s);

/* ---- for the readers of other formats (readstat_in.c) ----
 *
 * A reader fills t: file, nrow, ncol, col[i].name and need for every
 * column (merged from the requests with ss_table_requests), num for number
 * columns (NaN = missing), code and levels for category columns (texts as
 * the CSV route would hold them: numbers in ss_table_number_text's form),
 * labels; then ss_table_finish parses the levels, applies --na and
 * attaches the labels, as for a CSV file. */
int ss_table_requests(ss_table *t, const ss_read_options *opt, const ss_request *req,
                      size_t nreq, ss_error *err);
int ss_table_finish(ss_table *t, const ss_read_options *opt, ss_error *err);

/* Adds a value label to c (copied; code as a number is kept in its
 * canonical text); 1 when c has a label for that code already, -1 when out
 * of memory. */
int ss_table_add_value_label(ss_column *c, const char *code, const char *label);

/* keep_text: appends s[0..len) and a NUL to t's cell texts; -1 when out
 * of memory. */
int ss_table_keep_cell(ss_table *t, const char *s, size_t len);

/* The text a CSV file written by R holds for v, as a level: the shortest
 * that reads back as v; integers in plain digits.  buf: 40 bytes. */
void ss_table_number_text(double v, char *buf, size_t size);

/* The text reader alone (table.c): CSV, or gzip'd CSV.  A file that is
 * not text returns SS_TABLE_NOT_TEXT with *format what ss_table_sniff
 * found (t then empty); ss_table_read (input.c) gives such a file to
 * ss_readstat_read. */
#define SS_TABLE_NOT_TEXT 100
int ss_table_read_text(ss_table *t, const char *path, const ss_read_options *opt,
                       const ss_request *req, size_t nreq, int *format, ss_error *err);

/* Reads a statistical package's file (readstat_in.c).  format is what
 * ss_table_sniff returned. */
int ss_readstat_read(ss_table *t, const char *path, int format, const ss_read_options *opt,
                     const ss_request *req, size_t nreq, ss_error *err);

enum { SS_FORMAT_CSV, SS_FORMAT_GZIP, SS_FORMAT_SAV, SS_FORMAT_POR, SS_FORMAT_DTA,
       SS_FORMAT_SAS7BDAT, SS_FORMAT_XPT, SS_FORMAT_BINARY };

/* The format of a file by its first n bytes: SS_FORMAT_BINARY for other
 * binary data (a NUL byte in the first bytes). */
int ss_table_sniff(const unsigned char *b, size_t n);

/* Reads a --labels file (variable,value,label) into t's columns: an
 * unknown variable or a repeated value is an error naming the line. */
int ss_table_read_labels(ss_table *t, const char *path, const ss_read_options *opt,
                         ss_error *err);

#endif
