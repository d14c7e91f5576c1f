/* readstat_in: SPSS, Stata and SAS files into a column table, through
 * ReadStat (layer io).
 *
 * The file's variables are its columns.  A requested column is read as the
 * CSV route reads it (table.c): a number column as doubles, the values the
 * file holds (what R parsed from the CSV it was written from, to the bit);
 * a category column dictionary-coded from the texts a CSV file would hold
 * (numbers in their shortest round-trip form, ss_table_number_text;
 * strings trimmed of blanks).  Values the file declares missing (SPSS
 * user-missing values and ranges, system missing, Stata's .a-.z, SAS
 * special missing) are missing.  Columns not requested are skipped by
 * ReadStat (READSTAT_HANDLER_SKIP_VARIABLE) and cost nothing per row.
 *
 * The file's value labels and variable labels go into the columns, its
 * missing-value declarations into missing_decl (for describe --codebook);
 * ss_table_finish then does what the CSV route does after its rows: level
 * values, --na, labels. */
#include "ss_table.h"

#include <iconv.h>
#include <malloc.h>
#include <math.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ss_dl.h"
#include "ss_mem.h"
#include "ss_number.h"

/* ReadStat, loaded on the first read (ss_dl.h). */
static const ss_dl_readstat *rs;

/* A value-label set of the file, by its name. */
typedef struct label_set {
    char *name;
    ss_value_label *v;
    size_t n;
} label_set;

enum { SMALL_CODES = 4096 };

/* How on_value stores a present double of a column (the file's numbers
 * are doubles in a .sav): KIND_SLOW sends every cell through the general
 * path (text kept, declared missing values to check, strings, Stata's
 * integer types). */
enum { KIND_SLOW, KIND_U8, KIND_PACKED, KIND_NUM, KIND_CODE };

typedef struct rs_reader {
    ss_table *t;
    const ss_read_options *opt;
    const ss_request *req;
    size_t nreq;
    ss_error *err;
    int failed;
    char message[200];     /* ReadStat's last error message */

    size_t cap_rows;
    size_t next_col;       /* keep_text: the column the next cell is of */
    long nrow_file;        /* from the metadata, -1 when unknown */
    unsigned *want;        /* per column: SS_NEED_NUMBER or SS_NEED_CATEGORY */
    char **set_name;       /* per column: its value-label set, or NULL */
    int32_t **small;       /* per category column: code of the integer v < SMALL_CODES */
    ss_keymap *big;        /* per category column: other numbers by their bits, */
    int32_t **big_code;    /* to an index into big_code[i]: their codes */
    size_t *big_cap;
    unsigned char *kind;   /* per column: how on_value stores a present number */
    char *ranges;          /* per column: it declares missing values */
    size_t ncap;

    label_set *sets;
    size_t nsets;
} rs_reader;

static int rs_fail(rs_reader *r, long row, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int rs_fail(rs_reader *r, long row, const char *fmt, ...)
{
    if (!r->failed) { /* the first error stands */
        char msg[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        ss_error_set(r->err, SS_EDATA, r->t->file, row, "%s", msg);
    }
    r->failed = 1;
    return READSTAT_HANDLER_ABORT;
}

static int on_metadata(readstat_metadata_t *m, void *ctx)
{
    rs_reader *r = ctx;
    r->nrow_file = rs->readstat_get_row_count(m);
    return READSTAT_HANDLER_OK;
}

/* What the requests ask of the column called name (as ss_table_requests
 * will merge them): number, packed number (SS_NEED_PACKED alone: one
 * byte a value while the values are integers 0 to 254, then two bytes,
 * then doubles, each step converting the rows read) or category storage,
 * 0 when not loaded. */
static unsigned wanted(const rs_reader *r, const char *name)
{
    unsigned need = 0;
    if (r->opt->all_columns && !r->opt->keep_text)
        need = SS_NEED_CATEGORY;
    for (size_t k = 0; k < r->nreq; k++)
        if (strcmp(r->req[k].name, name) == 0)
            need |= r->req[k].need & ~(unsigned)(SS_NEED_DESIGN | SS_NEED_TEXT);
    if (need & SS_NEED_CATEGORY)
        return SS_NEED_CATEGORY;
    if (need == SS_NEED_PACKED)
        return SS_NEED_PACKED;
    return need ? SS_NEED_NUMBER : 0;
}

/* The missing-value declarations of v as text ("9", "97 thru 99"). */
static char *missing_text(readstat_variable_t *v)
{
    int n = rs->readstat_variable_get_missing_ranges_count(v);
    if (n <= 0)
        return NULL;
    char buf[1024] = "";
    size_t len = 0;
    for (int i = 0; i < n && len < sizeof buf - 100; i++) {
        readstat_value_t lo = rs->readstat_variable_get_missing_range_lo(v, i);
        readstat_value_t hi = rs->readstat_variable_get_missing_range_hi(v, i);
        char a[64], b[64];
        if (rs->readstat_value_type_class(lo) == READSTAT_TYPE_CLASS_STRING) {
            const char *x = rs->readstat_string_value(lo), *y = rs->readstat_string_value(hi);
            snprintf(a, sizeof a, "'%s'", x ? x : "");
            snprintf(b, sizeof b, "'%s'", y ? y : "");
        } else {
            double x = rs->readstat_double_value(lo), y = rs->readstat_double_value(hi);
            if (isinf(x))
                snprintf(a, sizeof a, "lowest");
            else
                ss_table_number_text(x, a, sizeof a);
            if (isinf(y))
                snprintf(b, sizeof b, "highest");
            else
                ss_table_number_text(y, b, sizeof b);
        }
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s%s%s", i ? ", " : "", a,
                                strcmp(a, b) ? " thru " : "", strcmp(a, b) ? b : "");
    }
    return strdup(buf);
}

/* The array at pp (a pointer to a pointer) reallocated to cap elements of
 * size bytes: 0, or -1 when out of memory (the array as it was). */
static int grow(void *pp, size_t cap, size_t size)
{
    void *p, *q;
    memcpy(&p, pp, sizeof p);
    if (!(q = realloc(p, cap * size)))
        return -1;
    memcpy(pp, &q, sizeof q);
    return 0;
}

static int on_variable(int index, readstat_variable_t *v, const char *val_labels, void *ctx)
{
    rs_reader *r = ctx;
    ss_table *t = r->t;
    if (index < 0 || (size_t)index != t->ncol)
        return rs_fail(r, 0, "variables out of order in the file");
    if (t->ncol == r->ncap) {
        size_t cap = r->ncap ? 2 * r->ncap : 64;
        if (grow(&t->col, cap, sizeof *t->col) || grow(&r->want, cap, sizeof *r->want) ||
            grow(&r->set_name, cap, sizeof *r->set_name) ||
            grow(&r->small, cap, sizeof *r->small) || grow(&r->ranges, cap, 1) ||
            grow(&r->big, cap, sizeof *r->big) || grow(&r->big_code, cap, sizeof *r->big_code) ||
            grow(&r->big_cap, cap, sizeof *r->big_cap) || grow(&r->kind, cap, 1))
            return rs_fail(r, 0, "out of memory");
        r->ncap = cap;
    }
    size_t i = t->ncol++;
    ss_column *c = &t->col[i];
    memset(c, 0, sizeof *c);
    r->set_name[i] = NULL;
    r->small[i] = NULL;
    memset(&r->big[i], 0, sizeof r->big[i]);
    r->big_code[i] = NULL;
    r->big_cap[i] = 0;
    r->kind[i] = KIND_SLOW;
    r->want[i] = 0;
    const char *name = rs->readstat_variable_get_name(v);
    const char *label = rs->readstat_variable_get_label(v);
    c->name = strdup(name ? name : "");
    if (!c->name)
        return rs_fail(r, 0, "out of memory");
    c->binary = 1;
    if (label && *label && !(c->label = strdup(label)))
        return rs_fail(r, 0, "out of memory");
    c->missing_decl = missing_text(v);
    r->ranges[i] = rs->readstat_variable_get_missing_ranges_count(v) > 0;
    if (val_labels && *val_labels && !(r->set_name[i] = strdup(val_labels)))
        return rs_fail(r, 0, "out of memory");
    for (size_t j = 0; j < i; j++)
        if (strcmp(t->col[j].name, c->name) == 0)
            return rs_fail(r, 0, "duplicate column name '%s'", c->name);
    r->want[i] = wanted(r, c->name);
    if (!r->want[i] && !r->opt->keep_text)
        return READSTAT_HANDLER_SKIP_VARIABLE;
    if (r->want[i] == SS_NEED_CATEGORY && ss_dict_init(&c->levels) != 0)
        return rs_fail(r, 0, "out of memory");
    if (!r->opt->keep_text && !(r->ranges[i] && !r->opt->user_missing_values))
        r->kind[i] = r->want[i] == SS_NEED_NUMBER     ? KIND_NUM
                     : r->want[i] == SS_NEED_CATEGORY ? KIND_CODE
                     : r->want[i] == SS_NEED_PACKED   ? KIND_U8
                                                      : KIND_SLOW;
    return READSTAT_HANDLER_OK;
}

/* Room for row in every loaded column. */
static int grow_rows(rs_reader *r, size_t row)
{
    if (row < r->cap_rows)
        return 0;
    size_t cap = r->cap_rows ? 2 * r->cap_rows : 4096;
    if (r->cap_rows == 0 && r->nrow_file > 0)
        cap = (size_t)r->nrow_file;
    while (cap <= row)
        cap *= 2;
    for (size_t i = 0; i < r->t->ncol; i++) {
        ss_column *c = &r->t->col[i];
        if (r->want[i] == SS_NEED_NUMBER) {
            double *p = realloc(c->num, cap * sizeof *p);
            if (!p)
                return -1;
            for (size_t k = r->cap_rows; k < cap; k++)
                p[k] = NAN;
            c->num = p;
        } else if (r->want[i] == SS_NEED_CATEGORY) {
            int32_t *p = realloc(c->code, cap * sizeof *p);
            if (!p)
                return -1;
            c->code = p;
        } else if (r->want[i] == SS_NEED_PACKED && (c->u8 || !c->packed)) {
            uint8_t *p = realloc(c->u8, cap * sizeof *p);
            if (!p)
                return -1;
            memset(p + r->cap_rows, SS_U8_NA, cap - r->cap_rows);
            c->u8 = p;
        } else if (r->want[i] == SS_NEED_PACKED) {
            int16_t *p = realloc(c->packed, cap * sizeof *p);
            if (!p)
                return -1;
            for (size_t k = r->cap_rows; k < cap; k++)
                p[k] = SS_PACKED_NA;
            c->packed = p;
        }
    }
    if (r->opt->keep_text) {
        size_t *p = realloc(r->t->row_text, cap * sizeof *p);
        if (!p)
            return -1;
        r->t->row_text = p;
    }
    r->cap_rows = cap;
    return 0;
}

/* keep_text: the cell as a CSV file would hold it (a number in its
 * shortest form, a code rather than its label, missing empty).  The
 * formats give a row's cells in column order, row after row. */
static double value_double(readstat_value_t value);

static int keep_text(rs_reader *r, size_t i, size_t row, readstat_value_t value)
{
    ss_table *t = r->t;
    if (i != r->next_col || row + (i != 0) != t->nrow)
        return rs_fail(r, 0, "cells out of order in the file: cannot keep its rows");
    r->next_col = i + 1 == t->ncol ? 0 : i + 1;
    if (i == 0)
        t->row_text[row] = t->text_len;
    char buf[40];
    const char *s = "";
    if (rs->readstat_value_is_system_missing(value) || rs->readstat_value_is_tagged_missing(value)) {
        s = ""; /* a user-missing code is written as it is, as in a CSV file */
    } else if (rs->readstat_value_type_class(value) == READSTAT_TYPE_CLASS_STRING) {
        s = rs->readstat_string_value(value);
        s = s ? s : "";
    } else {
        ss_table_number_text(value_double(value), buf, sizeof buf);
        s = buf;
    }
    return ss_table_keep_cell(t, s, strlen(s)) != 0 ? rs_fail(r, 0, "out of memory") : 0;
}

/* The level code of the text s[0..len) in column i, trimmed of blanks. */
static int32_t text_code(ss_column *c, const char *s, size_t len)
{
    while (len > 0 && (*s == ' ' || *s == '\t'))
        s++, len--;
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    return ss_dict_intern(&c->levels, s, len);
}

/* The level code of the number v in category column i: its text (the
 * CSV route's) looked up once per distinct value, then the code from
 * small (integers 0 .. SMALL_CODES - 1) or from big (other values, by
 * their bits: the same bits give the same text). */
__attribute__((noinline)) static int32_t number_code(rs_reader *r, size_t i, double v)
{
    ss_column *c = &r->t->col[i];
    int small = v >= 0 && v < SMALL_CODES && v == trunc(v);
    if (small && r->small[i] && r->small[i][(int)v] >= 0)
        return r->small[i][(int)v];
    uint64_t bits = 0;
    int64_t at = -1;
    if (!small) {
        memcpy(&bits, &v, sizeof bits);
        int added = 0;
        if ((!r->big[i].cap && ss_keymap_init(&r->big[i], 64) != 0) ||
            (at = ss_keymap_get(&r->big[i], bits, &added)) < 0)
            return -1;
        if (!added)
            return r->big_code[i][at];
        if ((size_t)at >= r->big_cap[i]) {
            size_t cap = r->big_cap[i] ? 2 * r->big_cap[i] : 64;
            int32_t *p = realloc(r->big_code[i], cap * sizeof *p);
            if (!p)
                return -1;
            r->big_code[i] = p;
            r->big_cap[i] = cap;
        }
    }
    char buf[40];
    ss_table_number_text(v, buf, sizeof buf);
    int32_t code = ss_dict_intern(&c->levels, buf, strlen(buf));
    if (small && code >= 0) {
        if (!r->small[i]) {
            r->small[i] = malloc(SMALL_CODES * sizeof **r->small);
            if (!r->small[i])
                return code;
            for (int k = 0; k < SMALL_CODES; k++)
                r->small[i][k] = -1;
        }
        r->small[i][(int)v] = code;
    }
    if (at >= 0)
        r->big_code[i][at] = code;
    return code;
}

static double value_double(readstat_value_t value)
{
    switch (value.type) {
    case READSTAT_TYPE_INT8:
        return value.v.i8_value;
    case READSTAT_TYPE_INT16:
        return value.v.i16_value;
    case READSTAT_TYPE_INT32:
        return value.v.i32_value;
    case READSTAT_TYPE_FLOAT:
        return value.v.float_value;
    default:
        return value.v.double_value;
    }
}

/* v in two bytes (ss_table.h, SS_PACKED_NA), when it is one of the values
 * a short decimal packs to, to the bit: 0 and the code, else -1. */
static int pack(double v, int16_t *out)
{
    if (v == (int)v && v > -8192 && v < 8192 && (v != 0 || !signbit(v))) { /* most codes */
        *out = (int16_t)((int)v * 4);
        return 0;
    }
    double scale = 1;
    for (int k = 0; k < 4; k++, scale *= 10) {
        double m = nearbyint(v * scale);
        if (!(fabs(m) < 8192))
            return -1;
        int16_t p = (int16_t)((int)m * 4 + k);
        double back = ss_packed_value[(uint16_t)p];
        if (back == v && signbit(back) == signbit(v) && p != SS_PACKED_NA) {
            *out = p;
            return 0;
        }
    }
    return -1;
}

/* Row k of number column i of r, as a double. */
static double cell_num(const rs_reader *r, size_t i, size_t k)
{
    const ss_column *c = &r->t->col[i];
    return c->u8 ? ss_u8_value[c->u8[k]] : c->packed ? ss_packed_value[(uint16_t)c->packed[k]] : c->num[k];
}

/* A one-byte value as a packed one (an integer v packs to v * 4). */
static inline int16_t u8_packed(uint8_t v)
{
    return v == SS_U8_NA ? SS_PACKED_NA : (int16_t)(v * 4);
}

/* A one-byte column (integers 0 to 254) with a value it cannot hold: two
 * bytes from now on. */
static int unbyte(rs_reader *r, size_t i)
{
    ss_column *c = &r->t->col[i];
    int16_t *packed = malloc((r->cap_rows ? r->cap_rows : 1) * sizeof *packed);
    if (!packed)
        return -1;
    for (size_t k = 0; k < r->cap_rows; k++)
        packed[k] = u8_packed(c->u8[k]);
    free(c->u8);
    c->u8 = NULL;
    c->packed = packed;
    if (r->kind[i] != KIND_SLOW)
        r->kind[i] = KIND_PACKED;
    return 0;
}

/* A packed column with a value that does not pack: doubles from now on. */
static int unpack(rs_reader *r, size_t i)
{
    ss_column *c = &r->t->col[i];
    double *num = malloc((r->cap_rows ? r->cap_rows : 1) * sizeof *num);
    if (!num)
        return -1;
    for (size_t k = 0; k < r->cap_rows; k++)
        num[k] = cell_num(r, i, k);
    free(c->packed);
    c->packed = NULL;
    c->num = num;
    r->want[i] = SS_NEED_NUMBER;
    if (r->kind[i] != KIND_SLOW)
        r->kind[i] = KIND_NUM;
    return 0;
}

/* Any cell (on_value's general path). */
__attribute__((noinline)) static int value_slow(int obs, readstat_variable_t *v, readstat_value_t value, rs_reader *r)
{
    ss_table *t = r->t;
    size_t i = (size_t)v->index;
    size_t row = (size_t)obs;
    if (obs < 0 || i >= t->ncol)
        return READSTAT_HANDLER_OK;
    if (row >= r->cap_rows && grow_rows(r, row) != 0)
        return rs_fail(r, 0, "out of memory");
    if (r->opt->keep_text && keep_text(r, i, row, value) != 0)
        return READSTAT_HANDLER_ABORT;
    if (row >= t->nrow)
        t->nrow = row + 1;
    ss_column *c = &t->col[i];
    if (!r->want[i])
        return READSTAT_HANDLER_OK;
    /* The value's fields are read directly: a call per cell is most of the
     * time a file of numbers takes. */
    int missing = value.is_system_missing || value.is_tagged_missing ||
                  (r->ranges[i] && !r->opt->user_missing_values &&
                   rs->readstat_value_is_defined_missing(value, v));
    int text = value.type == READSTAT_TYPE_STRING || value.type == READSTAT_TYPE_STRING_REF;
    if (r->want[i] == SS_NEED_CATEGORY) {
        int32_t code;
        if (missing)
            code = ss_dict_intern(&c->levels, "", 0);
        else if (text) {
            const char *s = rs->readstat_string_value(value);
            code = text_code(c, s ? s : "", s ? strlen(s) : 0);
        } else
            code = number_code(r, i, value_double(value));
        if (code < 0)
            return rs_fail(r, 0, "out of memory");
        c->code[row] = code;
        return READSTAT_HANDLER_OK;
    }
    double x = NAN;
    if (!missing && text) {
        const char *s = rs->readstat_string_value(value);
        size_t len = s ? strlen(s) : 0;
        while (len > 0 && (*s == ' ' || *s == '\t'))
            s++, len--;
        while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
            len--;
        if (len && !(len == 2 && s[0] == 'N' && s[1] == 'A') && ss_number_parse(s, len, &x) != 0) {
            char q[200];
            return rs_fail(r, 0, "column '%s' (row %d): invalid number '%s'", c->name, obs + 1,
                           ss_error_quote(s, len, q, sizeof q));
        }
    } else if (!missing) {
        x = value_double(value);
    }
    if (isnan(x))
        c->nmissing++;
    if (r->want[i] == SS_NEED_PACKED && c->u8) {
        if (isnan(x)) {
            c->u8[row] = SS_U8_NA;
            return READSTAT_HANDLER_OK;
        }
        if (x >= 0 && x < SS_U8_NA && x == (int)x && !signbit(x)) {
            c->u8[row] = (uint8_t)x;
            return READSTAT_HANDLER_OK;
        }
        if (unbyte(r, i) != 0)
            return rs_fail(r, 0, "out of memory");
    }
    if (r->want[i] == SS_NEED_PACKED) {
        int16_t p = SS_PACKED_NA;
        if (isnan(x) || pack(x, &p) == 0) {
            c->packed[row] = p;
            return READSTAT_HANDLER_OK;
        }
        if (unpack(r, i) != 0)
            return rs_fail(r, 0, "out of memory");
    }
    c->num[row] = x;
    return READSTAT_HANDLER_OK;
}

/* A present double of packed column i that is not an integer code. */
__attribute__((noinline)) static int packed_cell(int obs, readstat_variable_t *v,
                                                 readstat_value_t value, rs_reader *r)
{
    const size_t i = (size_t)v->index, row = (size_t)obs;
    int16_t p;
    if (pack(value.v.double_value, &p) != 0)
        return value_slow(obs, v, value, r);
    r->t->col[i].packed[row] = p;
    if (row >= r->t->nrow)
        r->t->nrow = row + 1;
    return READSTAT_HANDLER_OK;
}

/* A cell: the common ones (a present double, stored as its column's
 * storage holds it) here, in a few instructions and no call but the last,
 * the others by value_slow, which does the same for these. */
static int on_value(int obs, readstat_variable_t *v, readstat_value_t value, void *ctx)
{
    rs_reader *r = ctx;
    ss_table *t = r->t;
    const size_t i = (size_t)v->index, row = (size_t)obs;
    if (i < t->ncol && row < r->cap_rows && value.type == READSTAT_TYPE_DOUBLE &&
        !value.is_system_missing && !value.is_tagged_missing) {
        ss_column *c = &t->col[i];
        const double x = value.v.double_value;
        switch (r->kind[i]) {
        case KIND_U8:
            if (!(x >= 0 && x < SS_U8_NA && x == (int)x && !signbit(x)))
                break;
            c->u8[row] = (uint8_t)x;
            goto stored;
        case KIND_PACKED:
            /* pack's first case: an integer code */
            if (!(x == (int)x && x > -8192 && x < 8192 && (x != 0 || !signbit(x))))
                return packed_cell(obs, v, value, r);
            c->packed[row] = (int16_t)((int)x * 4);
            goto stored;
        case KIND_NUM:
            if (isnan(x))
                break;
            c->num[row] = x;
            goto stored;
        case KIND_CODE: {
            int32_t code;
            if (!(x >= 0 && x < SMALL_CODES && r->small[i] && (int)x == x &&
                  (code = r->small[i][(int)x]) >= 0))
                break; /* a number not seen yet, or not a small integer */
            c->code[row] = code;
            goto stored;
        }
        default:
            break;
        }
    }
    return value_slow(obs, v, value, r);
stored:
    if (row >= t->nrow)
        t->nrow = row + 1;
    return READSTAT_HANDLER_OK;
}

static int on_value_label(const char *set, readstat_value_t value, const char *label, void *ctx)
{
    rs_reader *r = ctx;
    if (rs->readstat_value_is_tagged_missing(value) || rs->readstat_value_is_system_missing(value))
        return READSTAT_HANDLER_OK; /* .a and the like: missing, not a level */
    label_set *s = NULL;
    for (size_t k = 0; k < r->nsets && !s; k++)
        if (strcmp(r->sets[k].name, set) == 0)
            s = &r->sets[k];
    if (!s) {
        label_set *p = realloc(r->sets, (r->nsets + 1) * sizeof *p);
        if (!p)
            return rs_fail(r, 0, "out of memory");
        r->sets = p;
        s = &p[r->nsets++];
        memset(s, 0, sizeof *s);
        if (!(s->name = strdup(set)))
            return rs_fail(r, 0, "out of memory");
    }
    ss_value_label *p = realloc(s->v, (s->n + 1) * sizeof *p);
    if (!p)
        return rs_fail(r, 0, "out of memory");
    s->v = p;
    char buf[40];
    if (rs->readstat_value_type_class(value) == READSTAT_TYPE_CLASS_STRING) {
        const char *k = rs->readstat_string_value(value);
        snprintf(buf, sizeof buf, "%s", k ? k : "");
    } else {
        ss_table_number_text(value_double(value), buf, sizeof buf);
    }
    p[s->n].code = strdup(buf);
    p[s->n].label = strdup(label ? label : "");
    p[s->n].num = NAN;
    if (!p[s->n].code || !p[s->n].label) {
        free(p[s->n].code);
        free(p[s->n].label);
        return rs_fail(r, 0, "out of memory");
    }
    s->n++;
    return READSTAT_HANDLER_OK;
}

static void on_error(const char *message, void *ctx)
{
    rs_reader *r = ctx;
    snprintf(r->message, sizeof r->message, "%s", message);
    size_t n = strlen(r->message);
    while (n > 0 && (r->message[n - 1] == '\n' || r->message[n - 1] == ' '))
        r->message[--n] = '\0';
}

static const char *format_name(int format)
{
    switch (format) {
    case SS_FORMAT_SAV:
        return "SPSS";
    case SS_FORMAT_POR:
        return "SPSS portable";
    case SS_FORMAT_DTA:
        return "Stata";
    case SS_FORMAT_SAS7BDAT:
        return "SAS";
    default:
        return "SAS transport";
    }
}

/* The file's labels into the columns (once the rows are read). */
static int attach_file_labels(rs_reader *r)
{
    ss_table *t = r->t;
    for (size_t i = 0; i < t->ncol; i++) {
        if (!r->set_name[i])
            continue;
        for (size_t k = 0; k < r->nsets; k++) {
            if (strcmp(r->sets[k].name, r->set_name[i]) != 0)
                continue;
            for (size_t j = 0; j < r->sets[k].n; j++)
                if (ss_table_add_value_label(&t->col[i], r->sets[k].v[j].code,
                                             r->sets[k].v[j].label) < 0)
                    return -1;
        }
    }
    return 0;
}

static void rs_free(rs_reader *r)
{
    for (size_t i = 0; i < r->t->ncol; i++) {
        free(r->set_name[i]);
        free(r->small[i]);
        if (r->big[i].cap)
            ss_keymap_free(&r->big[i]);
        free(r->big_code[i]);
    }
    free(r->set_name);
    free(r->small);
    free(r->big);
    free(r->big_code);
    free(r->big_cap);
    free(r->kind);
    free(r->ranges);
    free(r->want);
    for (size_t k = 0; k < r->nsets; k++) {
        for (size_t j = 0; j < r->sets[k].n; j++) {
            free(r->sets[k].v[j].code);
            free(r->sets[k].v[j].label);
        }
        free(r->sets[k].v);
        free(r->sets[k].name);
    }
    free(r->sets);
}

/* ---- the character set of a .sav --------------------------------------
 *
 * ReadStat 1.1.8 takes a .sav's character set from the code page of its
 * machine integer record (subtype 3) alone, through a table that names
 * code page 936 (GBK, what Chinese SPSS writes) "ISO-IR-58", which glibc's
 * iconv does not know: every GBK file failed with "File has an unsupported
 * character set".  It also ignores the character encoding record (subtype
 * 20, SPSS 16 and later, PSPP), the file's own statement of its encoding.
 * So survstat reads the dictionary's records itself (PSPP's documentation,
 * "System File Format") and hands ReadStat the encoding: the encoding
 * record's name when iconv knows it, else the code page's name for the
 * code pages below, else nothing (ReadStat's own table). */

static uint32_t sav_u32(const unsigned char *p, int swap)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return swap ? __builtin_bswap32(v) : v;
}

static int iconv_knows(const char *name)
{
    iconv_t cd = iconv_open("UTF-8", name);
    if (cd == (iconv_t)-1)
        return 0;
    iconv_close(cd);
    return 1;
}

/* What the two-thread read needs of a .sav's dictionary (sav_encoding). */
typedef struct sav_dict {
    int complete;       /* the records were read to the dictionary's end */
    long units;         /* 8-byte units in a case: one per variable record */
    long data_start;    /* the offset of the data */
} sav_dict;

/* The encoding of the .sav (or .zsav) at path into buf; 0, or -1 when the
 * dictionary says none that ReadStat would not find by itself.  Fills
 * *dict when not NULL. */
static int sav_encoding(const char *path, char *buf, size_t size, sav_dict *dict)
{
    sav_dict own = {0};
    if (!dict)
        dict = &own;
    memset(dict, 0, sizeof *dict);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return -1;
    unsigned char h[176], r[16];
    int rc = -1, swap = 0, stated = 0;
    uint32_t code_page = 0;
    if (fread(h, 1, sizeof h, fp) != sizeof h || memcmp(h, "$FL", 3) != 0)
        goto done;
    uint32_t layout = sav_u32(h + 64, 0);
    swap = layout != 2 && layout != 3;
    /* the records up to the dictionary's end (type 999) */
    for (int guard = 0; guard < 1000000; guard++) {
        if (fread(r, 1, 4, fp) != 4)
            goto done;
        uint32_t type = sav_u32(r, swap);
        long skip = 0;
        if (type == 2) { /* variable */
            dict->units++;
            if (fread(r, 1, 12, fp) != 12)
                goto done;
            uint32_t has_label = sav_u32(r + 4, swap);
            int32_t nmiss = (int32_t)sav_u32(r + 8, swap);
            if (fseek(fp, 16, SEEK_CUR) != 0)
                goto done;
            if (has_label) {
                if (fread(r, 1, 4, fp) != 4)
                    goto done;
                skip = ((long)sav_u32(r, swap) + 3) / 4 * 4;
            }
            skip += 8L * (nmiss < 0 ? -nmiss : nmiss);
        } else if (type == 3) { /* value labels: count, then value, length, label */
            if (fread(r, 1, 4, fp) != 4)
                goto done;
            uint32_t n = sav_u32(r, swap);
            for (uint32_t k = 0; k < n; k++) {
                unsigned char v[9];
                if (fread(v, 1, 9, fp) != 9 || fseek(fp, (v[8] + 1 + 7) / 8 * 8 - 1, SEEK_CUR) != 0)
                    goto done;
            }
        } else if (type == 4) { /* the variables of those labels */
            if (fread(r, 1, 4, fp) != 4)
                goto done;
            skip = 4L * sav_u32(r, swap);
        } else if (type == 6) { /* documents: lines of 80 bytes */
            if (fread(r, 1, 4, fp) != 4)
                goto done;
            skip = 80L * sav_u32(r, swap);
        } else if (type == 7) {
            if (fread(r, 1, 12, fp) != 12)
                goto done;
            uint32_t sub = sav_u32(r, swap), sz = sav_u32(r + 4, swap), n = sav_u32(r + 8, swap);
            size_t len = (size_t)sz * n;
            if (sub == 3 && len == 32) {
                unsigned char m[32];
                if (fread(m, 1, 32, fp) != 32)
                    goto done;
                code_page = sav_u32(m + 28, swap);
            } else if (sub == 20 && !stated && len > 0 && len < size) {
                if (fread(buf, 1, len, fp) != len)
                    goto done;
                buf[len] = '\0';
                if (!stated && iconv_knows(buf))
                    rc = 0, stated = 1;
            } else {
                skip = (long)len;
            }
        } else if (type == 999) {
            if (fread(r, 1, 4, fp) != 4)
                goto done;
            dict->complete = 1;
            dict->data_start = ftell(fp);
            break;
        } else {
            goto done;
        }
        if (skip && fseek(fp, skip, SEEK_CUR) != 0)
            goto done;
    }
    {
        static const struct {
            uint32_t code;
            const char *name;
        } pages[] = {{936, "GBK"}, {54936, "GB18030"}, {949, "CP949"}, {950, "BIG5"}};
        for (size_t k = 0; k < sizeof pages / sizeof pages[0] && !stated; k++)
            if (code_page == pages[k].code) {
                snprintf(buf, size, "%s", pages[k].name);
                rc = 0;
            }
    }
done:
    fclose(fp);
    return rc;
}

/* ---- SPSS portable files ------------------------------------------------
 *
 * A portable file is lines of 80 characters; its first 200 are a vanity
 * header, the next 256 the translation table: the character of the file
 * standing at each position of the portable character set.  PSPP (and
 * SPSS) fill the positions of characters they do not use with '0' and
 * repeat the digits at positions 175-184 (by the PSPP documentation the
 * extended area); ReadStat 1.1.8 lets a later position of a byte win, so
 * in PSPP's files '1'...'9' decode as other characters and no file reads
 * ("Error parsing double string").  survstat hands ReadStat the file from
 * memory with the table made unambiguous: each byte keeps its first
 * position from 64 on (the digits, letters, blank and punctuation), its
 * other positions get a byte that occurs nowhere in the file.  Lines are
 * padded to 80 characters first (as a reader must read them). */

typedef struct mem_io {
    unsigned char *buf;
    size_t len, pos;
} mem_io;

static int mem_open(const char *path, void *ctx)
{
    (void)path;
    ((mem_io *)ctx)->pos = 0;
    return 0;
}

static int mem_close(void *ctx)
{
    (void)ctx;
    return 0;
}

static readstat_off_t mem_seek(readstat_off_t off, readstat_io_flags_t whence, void *ctx)
{
    mem_io *m = ctx;
    readstat_off_t base = whence == READSTAT_SEEK_SET   ? 0
                          : whence == READSTAT_SEEK_CUR ? (readstat_off_t)m->pos
                                                        : (readstat_off_t)m->len;
    if (base + off < 0 || base + off > (readstat_off_t)m->len)
        return -1;
    m->pos = (size_t)(base + off);
    return (readstat_off_t)m->pos;
}

static ssize_t mem_read(void *buf, size_t n, void *ctx)
{
    mem_io *m = ctx;
    size_t k = m->len - m->pos < n ? m->len - m->pos : n;
    memcpy(buf, m->buf + m->pos, k);
    m->pos += k;
    return (ssize_t)k;
}

static readstat_error_t mem_update(long file_size, readstat_progress_handler progress,
                                   void *user_ctx, void *io_ctx)
{
    (void)file_size, (void)progress, (void)user_ctx, (void)io_ctx;
    return READSTAT_OK;
}

/* The portable file at path into m, its lines padded to 80 characters
 * and its translation table unambiguous; 0, or -1 (errno set). */
static int por_load(const char *path, mem_io *m)
/* (-2: a byte of the text that the table does not name) */
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return -1;
    size_t cap = 1 << 16, n = 0, col = 0;
    unsigned char *out = malloc(cap);
    int c, rc = 0;
    while (out && (c = getc(fp)) != EOF) {
        if (n + 82 > cap) {
            unsigned char *b = realloc(out, cap *= 2);
            if (!b) {
                free(out);
                out = NULL;
                break;
            }
            out = b;
        }
        if (c == '\r')
            continue;
        if (c == '\n') {
            for (; col < 80; col++)
                out[n++] = ' ';
            out[n++] = '\n';
            col = 0;
            continue;
        }
        out[n++] = (unsigned char)c;
        col++;
    }
    if (ferror(fp) || !out)
        rc = -1;
    fclose(fp);
    if (rc != 0) {
        free(out);
        return -1;
    }
    m->buf = out;
    m->len = n;
    m->pos = 0;
    if (n < 456 + 456 / 80)
        return 0; /* too short: ReadStat says what is wrong */
    /* the table: logical positions 200..455, one '\n' per 80 */
    unsigned char used[256] = {0};
    for (size_t i = 0; i < n; i++)
        used[out[i]] = 1;
    int filler = -1;
    for (int b = 1; b < 256 && filler < 0; b++)
        if (!used[b] && b != '\n' && b != '\r')
            filler = b;
    if (filler < 0)
        return 0;
    size_t at[256];
    int first[256];
    for (int b = 0; b < 256; b++)
        first[b] = -1;
    for (int pass = 0; pass < 2; pass++) /* from 64 on, then 0..63 */
        for (int i = pass ? 0 : 64; i < (pass ? 64 : 256); i++) {
            size_t q = 200 + (size_t)i;
            at[i] = q + q / 80;
            unsigned char b = out[at[i]];
            if (first[b] < 0)
                first[b] = i;
        }
    for (int i = 0; i < 256; i++)
        if (first[out[at[i]]] != i)
            out[at[i]] = (unsigned char)filler;
    /* A byte the table does not name would be dropped from its text:
     * non-ASCII text (PSPP writes UTF-8 bytes as they are, Chinese SPSS
     * its code page) cannot come through ReadStat's portable reader. */
    for (size_t i = at[255] + 1; i < n; i++)
        if (out[i] != '\n' && first[out[i]] < 0)
            return -2;
    return 0;
}

/* A parser with survstat's handlers, reading the file as encoding enc
 * (NULL: as the file says); NULL when out of memory. */
static readstat_parser_t *new_parser(const char *enc)
{
    readstat_parser_t *p = rs->readstat_parser_init();
    if (!p)
        return NULL;
    rs->readstat_set_metadata_handler(p, on_metadata);
    rs->readstat_set_variable_handler(p, on_variable);
    rs->readstat_set_value_handler(p, on_value);
    rs->readstat_set_value_label_handler(p, on_value_label);
    rs->readstat_set_error_handler(p, on_error);
    if (enc)
        rs->readstat_set_file_character_encoding(p, enc);
    return p;
}

static void reader_init(rs_reader *r, ss_table *t, const ss_read_options *opt,
                        const ss_request *req, size_t nreq, ss_error *err)
{
    memset(r, 0, sizeof *r);
    r->t = t;
    r->opt = opt;
    r->req = req;
    r->nreq = nreq;
    r->err = err;
    r->nrow_file = -1;
}

/* ---- two threads ----
 *
 * A large .sav (bytecode-compressed or not) is read by two ReadStat
 * parsers at once, each into a table of its own: the first on the file
 * for rows [0, h], the second on a file made of the dictionary and the
 * data from row h on (half_io: survstat finds where row h starts by
 * walking the compression's command bytes, sav_find_row, which costs a
 * small part of what ReadStat's own skipping of rows would).  Row h, read
 * by both, must be the same in both, or the split was wrong.  The second
 * half is then joined onto the first: its level codes mapped into the
 * first half's dictionaries (new levels in order of first appearance: the
 * codes one parser gives), its numbers in the storage that holds both
 * halves (one byte, two, or doubles, as one parser would have widened).
 * Should anything go wrong in either half (an error, a row count that is
 * not the header's, a row h that differs), both are dropped and the file
 * is read again by one parser, which gives the errors and row numbers a
 * single read gives.  SURVSTAT_THREADS=1 forces one parser. */

enum { HALF_MIN_ROWS = 100000 };

/* The second parser's file: the file's bytes [0, dict_end), then block
 * (block_len bytes: the command block row h starts in, its commands
 * before row h made padding, 0, and the raw values of the others), then
 * the file from rest on. */
typedef struct half_io {
    int fd;
    long dict_end, rest, size, pos;
    unsigned char block[72];
    long block_len;
} half_io;

static int half_open(const char *path, void *ctx)
{
    (void)path;
    half_io *io = ctx;
    io->pos = 0;
    return io->fd;
}

static readstat_off_t half_seek(readstat_off_t off, readstat_io_flags_t whence, void *ctx)
{
    half_io *io = ctx;
    readstat_off_t base = whence == READSTAT_SEEK_SET   ? 0
                          : whence == READSTAT_SEEK_CUR ? io->pos
                                                        : io->size;
    if (base + off < 0 || base + off > io->size)
        return -1;
    io->pos = (long)(base + off);
    return io->pos;
}

static ssize_t half_read(void *buf, size_t n, void *ctx)
{
    half_io *io = ctx;
    char *out = buf;
    size_t done = 0;
    while (done < n && io->pos < io->size) {
        long p = io->pos, want = (long)(n - done);
        ssize_t got;
        if (p < io->dict_end) {
            got = pread(io->fd, out + done, (size_t)(want < io->dict_end - p ? want : io->dict_end - p), p);
        } else if (p < io->dict_end + io->block_len) {
            long k = p - io->dict_end, m = io->block_len - k < want ? io->block_len - k : want;
            memcpy(out + done, io->block + k, (size_t)m);
            got = m;
        } else {
            got = pread(io->fd, out + done, (size_t)want, io->rest + (p - io->dict_end - io->block_len));
        }
        if (got < 0)
            return done ? (ssize_t)done : -1;
        if (got == 0)
            break;
        done += (size_t)got;
        io->pos += (long)got;
    }
    return (ssize_t)done;
}

/* The high bit of each byte of x that is zero, the other bits clear. */
static uint64_t zero_bytes(uint64_t x)
{
    const uint64_t low7 = 0x7f7f7f7f7f7f7f7fu;
    return ~(((x & low7) + low7) | x) & ~low7;
}

/* The count of the bytes of m that are 0x80 (zero_bytes' marks). */
static unsigned count_marks(uint64_t m)
{
    return (unsigned)(((m >> 7) * 0x0101010101010101u) >> 56);
}

/* Where row h of the .sav's data (from start, units 8-byte units a row)
 * begins, into io's block and rest: 0, or -1. */
static int sav_find_row(half_io *io, int compressed, long start, long units, long h)
{
    io->dict_end = start;
    io->block_len = 0;
    if (!compressed) {
        io->rest = start + h * units * 8;
        return 0;
    }
    enum { WINDOW = 1 << 20 };
    unsigned char *w = malloc(WINDOW);
    long wpos = start, wlen = 0, pos = start, seen = 0;
    const long target = h * units;
    int rc = -1;
    while (w) {
        if (pos + 72 > wpos + wlen) {
            ssize_t got = pread(io->fd, w, WINDOW, pos);
            if (got < 8)
                break;
            wpos = pos;
            wlen = (long)got;
        }
        const unsigned char *b = w + (pos - wpos);
        long raw = pos + 8;
        uint64_t x;
        memcpy(&x, b, sizeof x);
        if (seen + 8 < target && !zero_bytes(x ^ 0xfcfcfcfcfcfcfcfcu)) {
            /* the whole block before row h, no end in it: its values and
             * raw values counted at once (no 0 counts nothing, each 253
             * has eight raw bytes) */
            seen += 8 - (long)count_marks(zero_bytes(x));
            pos = raw + 8 * (long)count_marks(zero_bytes(x ^ 0xfdfdfdfdfdfdfdfdu));
            continue;
        }
        for (int k = 0; k < 8; k++) {
            if (b[k] == 0)
                continue;
            if (b[k] == 252)
                goto out; /* the data end before row h */
            if (seen == target) {
                long m = 0;
                for (int j = k; j < 8; j++)
                    m += b[j] == 253;
                if (raw + 8 * m > wpos + wlen)
                    goto out;
                memset(io->block, 0, 8);
                memcpy(io->block, b + k, (size_t)(8 - k));
                memcpy(io->block + 8, w + (raw - wpos), (size_t)(8 * m));
                io->block_len = 8 + 8 * m;
                io->rest = raw + 8 * m;
                rc = 0;
                goto out;
            }
            seen++;
            raw += 8 * (b[k] == 253);
        }
        pos = raw;
    }
out:
    free(w);
    return rc;
}

typedef struct half_job {
    rs_reader r;
    ss_table t;
    ss_error err;
    const char *path, *enc;
    half_io *io;
    long limit;
    int compressed;     /* where to start: sav_find_row's arguments */
    long data_start, units, h, file_size;
    readstat_error_t e;
} half_job;

/* The first limit rows of the .sav at path (io NULL) or of io's file. */
static readstat_error_t parse_sav_rows(rs_reader *r, const char *path, const char *enc,
                                       half_io *io, long limit)
{
    readstat_parser_t *p = new_parser(enc);
    if (!p)
        return READSTAT_ERROR_MALLOC;
    if (io) {
        rs->readstat_set_open_handler(p, half_open);
        rs->readstat_set_close_handler(p, mem_close);
        rs->readstat_set_seek_handler(p, half_seek);
        rs->readstat_set_read_handler(p, half_read);
        rs->readstat_set_update_handler(p, mem_update);
        rs->readstat_set_io_ctx(p, io);
    }
    rs->readstat_set_row_limit(p, limit);
    readstat_error_t e = rs->readstat_parse_sav(p, path, r);
    rs->readstat_parser_free(p);
    return e;
}

static void *half_run(void *arg)
{
    half_job *b = arg;
    half_io *io = b->io;
    if (sav_find_row(io, b->compressed, b->data_start, b->units, b->h) != 0) {
        b->e = READSTAT_ERROR_SEEK;
        return NULL;
    }
    io->size = io->dict_end + io->block_len + (b->file_size - io->rest);
    b->e = parse_sav_rows(&b->r, b->path, b->enc, io, b->limit);
    return NULL;
}

/* Row ka of a and row kb of b hold the same in every loaded column. */
static int same_row(const rs_reader *a, size_t ka, const rs_reader *b, size_t kb)
{
    for (size_t i = 0; i < a->t->ncol; i++) {
        const ss_column *c = &a->t->col[i], *d = &b->t->col[i];
        if (!a->want[i] != !b->want[i])
            return 0;
        if (!a->want[i])
            continue;
        if (a->want[i] == SS_NEED_CATEGORY) {
            if (b->want[i] != SS_NEED_CATEGORY ||
                strcmp(c->levels.str[c->code[ka]], d->levels.str[d->code[kb]]) != 0)
                return 0;
            continue;
        }
        double x = cell_num(a, i, ka), y = cell_num(b, i, kb);
        if (memcmp(&x, &y, sizeof x) != 0 && !(isnan(x) && isnan(y)))
            return 0;
    }
    return 1;
}

/* Column i's numbers: 0 one byte, 1 two bytes, 2 doubles. */
static int store_rank(const rs_reader *r, size_t i)
{
    const ss_column *c = &r->t->col[i];
    return c->u8 ? 0 : c->packed ? 1 : 2;
}

/* The rows of b joined onto those of a (half a's rows all read). */
static int join_halves(rs_reader *a, rs_reader *b)
{
    ss_table *t = a->t;
    const ss_table *u = b->t;
    const size_t n1 = t->nrow, n2 = u->nrow, n = n1 + n2;
    for (size_t i = 0; i < t->ncol; i++) {
        ss_column *c = &t->col[i];
        const ss_column *d = &u->col[i];
        if (!a->want[i])
            continue;
        c->nmissing += d->nmissing;
        if (a->want[i] == SS_NEED_CATEGORY) {
            int32_t *map = malloc((d->levels.n ? d->levels.n : 1) * sizeof *map);
            int32_t *code = map ? realloc(c->code, n * sizeof *code) : NULL;
            if (!code) {
                free(map);
                return -1;
            }
            c->code = code;
            for (size_t l = 0; l < d->levels.n; l++)
                if ((map[l] = ss_dict_intern(&c->levels, d->levels.str[l], d->levels.len[l])) < 0) {
                    free(map);
                    return -1;
                }
            for (size_t k = 0; k < n2; k++)
                code[n1 + k] = map[d->code[k]];
            free(map);
            continue;
        }
        /* numbers: both halves in the wider storage (as unbyte, unpack) */
        const int ra = store_rank(a, i), rb = store_rank(b, i);
        if (ra == 0 && rb >= 1 && unbyte(a, i) != 0)
            return -1;
        if (ra <= 1 && rb == 2 && unpack(a, i) != 0)
            return -1;
        switch (ra > rb ? ra : rb) {
        case 0: {
            uint8_t *p = realloc(c->u8, n * sizeof *p);
            if (!p)
                return -1;
            c->u8 = p;
            memcpy(p + n1, d->u8, n2 * sizeof *p);
            break;
        }
        case 1: {
            int16_t *p = realloc(c->packed, n * sizeof *p);
            if (!p)
                return -1;
            c->packed = p;
            for (size_t k = 0; k < n2; k++)
                p[n1 + k] = rb == 1 ? d->packed[k] : u8_packed(d->u8[k]);
            break;
        }
        default: {
            double *p = realloc(c->num, n * sizeof *p);
            if (!p)
                return -1;
            c->num = p;
            for (size_t k = 0; k < n2; k++)
                p[n1 + k] = cell_num(b, i, k);
            break;
        }
        }
    }
    t->nrow = n;
    a->cap_rows = n;
    a->nrow_file = (long)n;
    return 0;
}

/* The .sav at path (dictionary as sav_encoding read it) read by two
 * parsers into r (whose table is empty): 0, or -1 with r and its table as
 * they were (then read it with one). */
static int two_halves(rs_reader *r, const char *path, const char *enc, const sav_dict *dict)
{
    if (r->opt->keep_text || !dict->complete || dict->units <= 0 || ss_thread_count() < 2)
        return -1;
    unsigned char hd[84];
    FILE *fp = fopen(path, "rb");
    size_t got = fp ? fread(hd, 1, sizeof hd, fp) : 0;
    if (fp)
        fclose(fp);
    if (got != sizeof hd || memcmp(hd, "$FL2", 4) != 0)
        return -1;
    const int swap = sav_u32(hd + 64, 0) != 2 && sav_u32(hd + 64, 0) != 3;
    const int32_t case_size = (int32_t)sav_u32(hd + 68, swap);
    const uint32_t compression = sav_u32(hd + 72, swap);
    const long n = (int32_t)sav_u32(hd + 80, swap);
    if (n < HALF_MIN_ROWS || compression > 1 || (case_size != -1 && case_size != dict->units))
        return -1;
    const long h = n / 2;
    half_io io = {.fd = open(path, O_RDONLY)};
    struct stat st;
    if (io.fd < 0)
        return -1;
    if (fstat(io.fd, &st) != 0) {
        close(io.fd);
        return -1;
    }
    half_job *b = calloc(1, sizeof *b);
    if (!b || !(b->t.file = strdup(path))) {
        free(b);
        close(io.fd);
        return -1;
    }
    reader_init(&b->r, &b->t, r->opt, r->req, r->nreq, &b->err);
    b->path = path;
    b->enc = enc;
    b->io = &io;
    b->limit = n - h;
    b->compressed = compression == 1;
    b->data_start = dict->data_start;
    b->units = dict->units;
    b->h = h;
    b->file_size = (long)st.st_size;
    ss_error *err = r->err, mine = {0};
    r->err = &mine; /* a failure here is the one-parser read's to report */
    /* The second thread's arrays come from the main heap, as the first's
     * (ss_mem_init: one arena): its room is on huge pages, where a thread's
     * own arena took a 4 KB page fault per page first touched (it made the
     * second half half again as slow). */
    pthread_t tid;
    int ok = pthread_create(&tid, NULL, half_run, b) == 0;
    if (ok) {
        readstat_error_t e = parse_sav_rows(r, path, enc, NULL, h + 1);
        pthread_join(tid, NULL);
        ok = e == READSTAT_OK && b->e == READSTAT_OK && !r->failed && !b->r.failed &&
             r->t->nrow == (size_t)h + 1 && b->t.nrow == (size_t)(n - h) &&
             r->t->ncol == b->t.ncol && same_row(r, (size_t)h, &b->r, 0);
    }
    if (ok) { /* row h is the second half's */
        for (size_t i = 0; i < r->t->ncol; i++)
            if (r->want[i] && r->want[i] != SS_NEED_CATEGORY && isnan(cell_num(r, i, (size_t)h)))
                r->t->col[i].nmissing--;
        r->t->nrow = (size_t)h;
        ok = join_halves(r, &b->r) == 0;
    }
    close(io.fd);
    rs_free(&b->r);
    ss_table_free(&b->t);
    free(b);
    r->err = err;
    if (ok)
        return 0;
    ss_table *t = r->t;
    rs_free(r);
    ss_table_free(t);
    memset(t, 0, sizeof *t);
    t->file = strdup(path);
    reader_init(r, t, r->opt, r->req, r->nreq, err);
    return -1;
}

/* The file at path into r by one parser. */
static readstat_error_t parse_one(rs_reader *r, const char *path, int format, const char *enc)
{
    readstat_parser_t *p = new_parser(enc);
    if (!p) {
        rs_fail(r, 0, "out of memory");
        return READSTAT_ERROR_MALLOC;
    }
    readstat_error_t e;
    mem_io por = {0};
    switch (format) {
    case SS_FORMAT_SAV:
        e = rs->readstat_parse_sav(p, path, r);
        break;
    case SS_FORMAT_POR: {
        int loaded = por_load(path, &por);
        if (loaded != 0) {
            if (loaded == -2) {
                r->failed = 1;
                ss_error_set(r->err, SS_EDATA, path, 0,
                             "cannot read the SPSS portable file: it holds characters "
                             "outside the portable character set (non-ASCII text, as "
                             "Chinese labels), which its reader would drop: save the file "
                             "as .sav");
            }
            e = READSTAT_ERROR_OPEN;
            break;
        }
        rs->readstat_set_open_handler(p, mem_open);
        rs->readstat_set_close_handler(p, mem_close);
        rs->readstat_set_seek_handler(p, mem_seek);
        rs->readstat_set_read_handler(p, mem_read);
        rs->readstat_set_update_handler(p, mem_update);
        rs->readstat_set_io_ctx(p, &por);
        e = rs->readstat_parse_por(p, path, r);
        break;
    }
    case SS_FORMAT_DTA:
        e = rs->readstat_parse_dta(p, path, r);
        break;
    case SS_FORMAT_SAS7BDAT:
        e = rs->readstat_parse_sas7bdat(p, path, r);
        break;
    default:
        e = rs->readstat_parse_xport(p, path, r);
        break;
    }
    rs->readstat_parser_free(p);
    free(por.buf);
    return e;
}

int ss_readstat_read(ss_table *t, const char *path, int format, const ss_read_options *opt,
                     const ss_request *req, size_t nreq, ss_error *err)
{
    memset(t, 0, sizeof *t);
    if (!(rs = ss_dl_readstat_load(err)))
        return SS_EDATA;
    if (!(t->file = strdup(path)))
        return ss_error_set(err, SS_EDATA, path, 0, "out of memory");
    rs_reader r;
    reader_init(&r, t, opt, req, nreq, err);
    /* --encoding first (a file that states its encoding wrongly), else
     * for a .sav the one its dictionary states (sav_encoding) */
    char sav_enc[64];
    sav_dict dict = {0};
    const char *enc = opt->encoding;
    if (enc && format == SS_FORMAT_SAV)
        (void)sav_encoding(path, sav_enc, sizeof sav_enc, &dict);
    if (!enc && format == SS_FORMAT_SAV && sav_encoding(path, sav_enc, sizeof sav_enc, &dict) == 0)
        enc = sav_enc;
    readstat_error_t e = READSTAT_OK;
    if (format != SS_FORMAT_SAV || two_halves(&r, path, enc, &dict) != 0) {
        if (!t->file)
            return ss_error_set(err, SS_EDATA, path, 0, "out of memory");
        e = parse_one(&r, path, format, enc);
    }
    int rc = SS_OK;
    if (r.failed) {
        rc = err && err->code ? err->code : SS_EDATA;
    } else if (e != READSTAT_OK) {
        rc = ss_error_set(err, SS_EDATA, path, 0, "cannot read the %s file: %s%s%s",
                          format_name(format), rs->readstat_error_message(e),
                          r.message[0] ? ": " : "", r.message);
    } else if (r.nrow_file >= 0 && t->nrow < (size_t)r.nrow_file && t->nrow > 0) {
        rc = ss_error_set(err, SS_EDATA, path, 0,
                          "cannot read the %s file: %zu rows of the %ld it declares "
                          "(a truncated file?)",
                          format_name(format), t->nrow, r.nrow_file);
    }
    if (rc == SS_OK && t->ncol == 0)
        rc = ss_error_set(err, SS_EDATA, path, 0, "empty file (no variables)");
    if (rc == SS_OK && attach_file_labels(&r) != 0)
        rc = ss_error_set(err, SS_EDATA, path, 0, "out of memory");
    if (rc == SS_OK) {
        /* Needs as requested (with --na), then as stored. */
        for (size_t i = 0; i < t->ncol; i++)
            t->col[i].need = 0;
        rc = ss_table_requests(t, opt, req, nreq, err);
        for (size_t i = 0; i < t->ncol && rc == SS_OK; i++) {
            ss_column *c = &t->col[i];
            if (c->need & SS_NEED_CATEGORY)
                c->need &= ~(unsigned)SS_NEED_PACKED;
            else if ((c->need & SS_NEED_PACKED) && !c->packed && !c->u8)
                c->need = (c->need & ~(unsigned)SS_NEED_PACKED) | SS_NEED_NUMBER;
            else if ((c->need & SS_NEED_PACKED) && c->u8)
                c->store = SS_STORE_U8;
        }
    }
    if (rc == SS_OK && t->nrow > 0 && t->nrow < r.cap_rows) {
        for (size_t i = 0; i < t->ncol; i++) { /* the rows held, no more */
            ss_column *c = &t->col[i];
            if (c->num) {
                double *q = realloc(c->num, t->nrow * sizeof *q);
                if (q)
                    c->num = q;
            }
            if (c->code) {
                int32_t *q = realloc(c->code, t->nrow * sizeof *q);
                if (q)
                    c->code = q;
            }
            if (c->packed) {
                int16_t *q = realloc(c->packed, t->nrow * sizeof *q);
                if (q)
                    c->packed = q;
            }
            if (c->u8) {
                uint8_t *q = realloc(c->u8, t->nrow * sizeof *q);
                if (q)
                    c->u8 = q;
            }
        }
    }
    if (rc == SS_OK)
        rc = ss_table_finish(t, opt, err);
    rs_free(&r);
    return rc;
}
