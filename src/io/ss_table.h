/* ss_table: CSV ingest (libcsv) into a column table.
 *
 * Only the columns an analysis asks for are converted; the others are parsed
 * and skipped, so a broken label column the analysis does not use does no
 * harm.  A column asked for as a category is dictionary-coded (one int32 per
 * row, -1 = missing) and its distinct levels are parsed as numbers once; a
 * column asked for only as a number is converted cell by cell (NaN =
 * missing), or packed in two bytes a cell (SS_NEED_PACKED).  Empty cells,
 * "NA" and the --na codes are missing.
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
    SS_NEED_PACKED = 4,   /* numbers, read with ss_column_num only: packed
                           * in two bytes when every value allows it */
    SS_NEED_TEXT = 8,     /* nothing but the cells' texts (keep_text) */
};

/* A packed number: m * 4 + k for the value m / 10^k, |m| < 8192, k < 4
 * (a cell written with at most 4 digits, 3 of them after the point: Likert
 * codes, ages, weights like 124.6); SS_PACKED_NA is missing.  The value is
 * the double the cell parses to, to the bit. */
#define SS_PACKED_NA INT16_MIN
extern double ss_packed_value[65536]; /* by the code's bits: its value */

typedef struct ss_column {
    char *name;
    unsigned need;      /* SS_NEED_* bits; 0 = not loaded */
    size_t nmissing;
    double *num;        /* nrow values, NaN = missing (SS_NEED_NUMBER) */
    int16_t *packed;    /* SS_NEED_PACKED alone, every value small: these
                         * in place of num (ss_column_num) */
    int32_t *code;      /* nrow codes, -1 = missing (SS_NEED_CATEGORY) */
    ss_dict levels;     /* level texts (SS_NEED_CATEGORY) */
    double *level_num;  /* per level: its value, NaN when not a number */
    size_t *level_count; /* per level: rows that hold it (0 for NA codes) */
    int numeric;        /* every present value is a number */
} ss_column;

/* Row i of a column read as numbers (SS_NEED_NUMBER or SS_NEED_PACKED),
 * NaN when missing. */
static inline double ss_column_num(const ss_column *c, size_t i)
{
    return c->num ? c->num[i] : ss_packed_value[(uint16_t)c->packed[i]];
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
} ss_read_options;

typedef struct ss_request {
    const char *name;
    unsigned need;
} ss_request;

/* Read path ("-" is standard input) into t.  Every requested name must be a
 * column (requests may repeat a name; their needs are merged: a column asked
 * for SS_NEED_PACKED and anything else is read as SS_NEED_NUMBER).  A packed
 * column of a regular UTF-8 file holding a value that does not pack makes
 * the file be read again with it unpacked (standard input and converted
 * encodings are never packed).  Returns SS_OK or SS_EDATA with err filled;
 * t is then ready for ss_table_free. */
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

#endif
