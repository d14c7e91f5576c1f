#include "ss_table.h"

#include <csv.h>
#include <zlib.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ss_mem.h"
#include "ss_number.h"

#define CHUNK (1u << 20)

/* Bytes loaded as a word put the first one lowest (digits4, the level
 * cache); elsewhere those fast cases are not taken. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define LITTLE_ENDIAN_WORDS 1
#else
#define LITTLE_ENDIAN_WORDS 0
#endif

/* Parser state shared by the libcsv callbacks. */
typedef struct reader {
    ss_table *t;
    const ss_read_options *opt;
    const ss_request *req;
    size_t nreq;
    ss_error *err;
    int failed;

    long lines_done;    /* physical lines completed so far */
    int pending_cr;     /* the last event was a CR: a LF after it is CRLF */
    long record_line;   /* line where the current record began */
    size_t field;       /* fields seen in the current record */
    int in_header;

    char **names;       /* header names while reading the header */
    size_t nnames, names_cap;

    int *slot;          /* per field position: column index or -1 */
    size_t nslots;
    size_t cap_rows;    /* rows allocated in every loaded column */
    int keep_text;      /* opt->keep_text */
    int quotes;         /* the current chunk may end a quoted field */

    /* Category columns: the code of each level that is a small decimal
     * integer written canonically (no sign, no leading zero), indexed by
     * its value, -1 = not seen yet; NULL per column until needed. */
    int32_t **direct;
    size_t *direct_cap;

    /* Two threads: the columns are shared, so they must not move (fixed);
     * cap_rows is then this thread's share.  The main thread's reader has
     * its second thread in h, the second thread's reader sets overflow when
     * its part does not fit (then its part is parsed again by the main
     * thread). */
    int fixed;
    int overflow;
    struct half *h;

    /* Typed columns (SS_NEED_PACKED): their arrays, shared by the two
     * threads; this thread's rows start at row `base` of them. */
    struct stores *stores;
    size_t base;
    int libcsv_only;    /* SURVSTAT_PARSER=libcsv: no fast_lines (tests) */

    struct fslot *fs;   /* fast_lines: per field position, what it does */
    char *unq;          /* a quoted field without its doubled quotes */
    size_t unq_cap;
} reader;

/* What fast_lines does with a field of a data row, by its position. */
enum {
    OP_SKIP,                                          /* a column not read */
    OP_U8, OP_U16, OP_PACKED, OP_I32, OP_DOUBLE,      /* typed, by storage */
    OP_CATEGORY,                                      /* level codes */
    OP_NUMBER,                                        /* doubles */
    OP_FIELD,                                         /* data_field */
    OP_END,                                           /* past the columns */
    OP_SKIPS,        /* a column not read, then `run` more before the last */
    OP_U8S,          /* OP_U8, then `run` more before the last (no --na) */
    OP_NA = 16 /* with a typed or number op: the column has --na codes */
};

/* A field position in fast_lines: its OP_*, and the array that fast_run
 * stores its cells into (the column's current one). */
/* A level of up to 8 bytes met before (its bytes as a little-endian word,
 * the rest zero) and its code: fast_run's cache of a category column's
 * texts, looked up first, LEVEL_CACHE entries by a hash of the word (an
 * entry is replaced by a newer level with the same hash), filled by
 * fast_field and by fast_run's finds by value. */
enum { LEVEL_CACHE_BITS = 10, LEVEL_CACHE = 1 << LEVEL_CACHE_BITS };
typedef struct level_cache {
    uint64_t key;
    int32_t code; /* -1: empty */
} level_cache;

static inline unsigned level_slot(uint64_t key)
{
    return (unsigned)((key * UINT64_C(0x9e3779b97f4a7c15)) >> (64 - LEVEL_CACHE_BITS));
}

typedef struct fslot {
    void *dst;
    level_cache *cache;    /* OP_CATEGORY: texts met before */
    const int32_t *direct; /* OP_CATEGORY: reader.direct of the column */
    size_t ndirect;
    const ss_na_codes *na; /* a number column's --na codes (its cells that
                            * are one of them go to data_field) */
    unsigned op;
    unsigned run;          /* OP_SKIPS, OP_U8S: the fields right after this
                            * one of the same op (OP_SKIP, OP_U8), the row's
                            * last field not among them (each ends at a
                            * delimiter); OP_U8S: at most U8_RUN */
} fslot;

static unsigned store_op(int store)
{
    switch (store) {
    case SS_STORE_U8:
        return OP_U8;
    case SS_STORE_U16:
        return OP_U16;
    case SS_STORE_PACKED:
        return OP_PACKED;
    case SS_STORE_I32:
        return OP_I32;
    default:
        return OP_DOUBLE;
    }
}

static int half_give_up(reader *r);
static void ops_runs(reader *r);
static size_t line_end(const char *s, size_t len);
static void dst_set(reader *r, size_t j);
static struct stores *stores_new(size_t ncol);

static int fail(reader *r, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(reader *r, long line, const char *fmt, ...)
{
    if (!r->failed && r->err) {
        va_list ap;
        va_start(ap, fmt);
        r->err->code = SS_EDATA;
        snprintf(r->err->file, sizeof r->err->file, "%s", r->t->file ? r->t->file : "");
        r->err->line = line;
        vsnprintf(r->err->message, sizeof r->err->message, fmt, ap);
        va_end(ap);
        ss_error_nomem_detail(r->err);
        r->err->reason = SS_WHY_NONE;
        r->err->subject[0] = '\0';
    }
    r->failed = 1;
    return -1;
}

static void trim(const char **s, size_t *len)
{
    while (*len > 0 && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*len)--;
    }
    while (*len > 0 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
        (*len)--;
}

/* Empty, "NA", or one of the column's --na codes (na may be NULL). */
static int is_na_text(const ss_na_codes *na, const char *s, size_t len)
{
    if (len == 0 || (len == 2 && s[0] == 'N' && s[1] == 'A'))
        return 1;
    if (na)
        for (size_t k = 0; k < na->n; k++)
            if (na->len[k] == len && memcmp(na->text[k], s, len) == 0)
                return 1;
    return 0;
}

static inline int is_na_number(const ss_na_codes *na, double v)
{
    if (na)
        for (size_t k = 0; k < na->n; k++)
            if (na->num[k] == v)
                return 1;
    return 0;
}

static int utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned c = p[i];
        size_t k;
        unsigned min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            k = 1, min = 0x80, c &= 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            k = 2, min = 0x800, c &= 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            k = 3, min = 0x10000, c &= 0x07;
        } else {
            return 0;
        }
        for (size_t j = 1; j <= k; j++) {
            if (i + j >= len || (p[i + j] & 0xc0) != 0x80)
                return 0;
            c = (c << 6) | (p[i + j] & 0x3f);
        }
        if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
            return 0;
        i += k + 1;
    }
    return 1;
}

/* ---- category codes ---- */

enum { DIRECT_MAX = 1 << 20 };

/* The value of s[0..len) when it is a decimal integer below DIRECT_MAX
 * written canonically (so that no other text has that value), else -1. */
static inline __attribute__((always_inline)) long small_int(const char *s, size_t len)
{
    if (len == 0 || len > 7 || (s[0] == '0' && len > 1))
        return -1;
    long v = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (d > 9)
            return -1;
        v = v * 10 + (long)d;
    }
    return v < DIRECT_MAX ? v : -1;
}

/* category_code for a level not found by value. */
static __attribute__((noinline)) int32_t category_new(reader *r, size_t i, ss_dict *d,
                                                      const char *s, size_t len, long v)
{
    if (v < 0)
        return ss_dict_intern(d, s, len);
    size_t cap = r->direct_cap[i];
    int32_t code = ss_dict_intern(d, s, len);
    if (code < 0)
        return code;
    if ((size_t)v >= cap) {
        size_t ncap = cap ? cap : 256;
        while (ncap <= (size_t)v)
            ncap *= 2;
        int32_t *p = realloc(r->direct[i], ncap * sizeof *p);
        if (!p)
            return code; /* the dictionary alone still answers */
        for (size_t k = cap; k < ncap; k++)
            p[k] = -1;
        r->direct[i] = p;
        r->direct_cap[i] = ncap;
        if (r->fs) { /* fast_run looks codes up there */
            r->fs[i].direct = p;
            r->fs[i].ndirect = ncap;
        }
    }
    r->direct[i][v] = code;
    return code;
}

/* The level code of s[0..len) in column i (added when new), -1 when out
 * of memory.  Ids and small codes are looked up by value, not hashed. */
static inline int32_t category_code(reader *r, size_t i, ss_dict *d, const char *s, size_t len)
{
    long v = small_int(s, len);
    if (v >= 0 && (size_t)v < r->direct_cap[i] && r->direct[i][v] >= 0)
        return r->direct[i][v];
    return category_new(r, i, d, s, len, v);
}

static int direct_init(reader *r, size_t ncol)
{
    r->direct = calloc(ncol ? ncol : 1, sizeof *r->direct);
    r->direct_cap = calloc(ncol ? ncol : 1, sizeof *r->direct_cap);
    return r->direct && r->direct_cap ? 0 : -1;
}

static void direct_free(reader *r, size_t ncol)
{
    if (r->direct)
        for (size_t i = 0; i < ncol; i++)
            free(r->direct[i]);
    free(r->direct);
    free(r->direct_cap);
    r->direct = NULL;
    r->direct_cap = NULL;
}

/* ---- header ---- */

static int header_field(reader *r, const char *s, size_t len)
{
    trim(&s, &len);
    if (r->nnames == SS_TABLE_MAX_COLUMNS)
        return fail(r, 1, "more than %d columns", SS_TABLE_MAX_COLUMNS);
    if (r->nnames == r->names_cap) {
        size_t cap = r->names_cap ? 2 * r->names_cap : 32;
        char **n = realloc(r->names, cap * sizeof *n);
        if (!n)
            return fail(r, 1, "out of memory");
        r->names = n;
        r->names_cap = cap;
    }
    char *copy = malloc(len + 1);
    if (!copy)
        return fail(r, 1, "out of memory");
    memcpy(copy, s, len);
    copy[len] = '\0';
    r->names[r->nnames++] = copy;
    return 0;
}

static int finish_header(reader *r)
{
    ss_table *t = r->t;
    char q[200];
    for (size_t i = 0; i < r->nnames; i++) {
        if (!utf8_valid(r->names[i], strlen(r->names[i])))
            return fail(r, r->record_line,
                        "column name '%s' is not valid UTF-8 "
                        "(for a GBK export use --encoding gb18030)",
                        ss_error_quote(r->names[i], strlen(r->names[i]), q, sizeof q));
        for (size_t j = 0; j < i; j++)
            if (r->names[i][0] && strcmp(r->names[i], r->names[j]) == 0)
                return fail(r, r->record_line, "duplicate column name '%s'",
                            ss_error_quote(r->names[i], strlen(r->names[i]), q, sizeof q));
    }
    t->ncol = r->nnames;
    t->col = calloc(t->ncol ? t->ncol : 1, sizeof *t->col);
    r->slot = malloc((t->ncol ? t->ncol : 1) * sizeof *r->slot);
    if (!t->col || !r->slot || direct_init(r, t->ncol) != 0)
        return fail(r, 1, "out of memory");
    r->nslots = t->ncol;
    for (size_t i = 0; i < t->ncol; i++) {
        t->col[i].name = r->names[i];
        r->names[i] = NULL;
    }
    r->nnames = 0;
    if (ss_table_requests(t, r->opt, r->req, r->nreq, r->err) != SS_OK) {
        r->failed = 1;
        return -1;
    }
    for (size_t i = 0; i < t->ncol; i++) {
        ss_column *c = &t->col[i];
        /* Typed only when nothing else reads the column. */
        if ((c->need & SS_NEED_PRESENT) && c->need != SS_NEED_PRESENT)
            c->need &= ~(unsigned)SS_NEED_PRESENT;
        if ((c->need & SS_NEED_PACKED) && c->need != SS_NEED_PACKED)
            c->need = (c->need & ~(unsigned)SS_NEED_PACKED) | SS_NEED_NUMBER;
        if (c->need == SS_NEED_PACKED) {
            c->store = SS_STORE_U8; /* the narrowest, until a value is wider */
            if (!r->stores && !(r->stores = stores_new(t->ncol)))
                return fail(r, 1, "out of memory");
        }
        r->slot[i] = c->need ? (int)i : -1;
        if (c->need & SS_NEED_CATEGORY) {
            /* A column wanted both ways is coded, then its levels parsed. */
            if (ss_dict_init(&c->levels) != 0)
                return fail(r, 1, "out of memory");
        }
    }
    return 0;
}

/* ---- requests and --na ---- */

/* s[0..len) without blanks at its ends, as a new string. */
static char *trimmed_copy(const char *s, size_t len)
{
    trim(&s, &len);
    char *c = malloc(len + 1);
    if (c) {
        memcpy(c, s, len);
        c[len] = '\0';
    }
    return c;
}

/* Is name one of the comma-separated names of list[0..len). */
static int in_list(const char *list, size_t len, const char *name)
{
    const char *end = list + len;
    while (list <= end) {
        const char *e = memchr(list, ',', (size_t)(end - list));
        if (!e)
            e = end;
        const char *s = list;
        size_t n = (size_t)(e - s);
        trim(&s, &n);
        if (n == strlen(name) && memcmp(s, name, n) == 0)
            return 1;
        list = e + 1;
    }
    return 0;
}

static void na_free(ss_na_codes *na)
{
    if (!na)
        return;
    for (size_t k = 0; k < na->n; k++)
        free(na->text[k]);
    free(na->text);
    free(na->len);
    free(na->num);
    free(na);
}

/* Adds the comma-separated codes of s[0..len) to c's --na codes. */
static int na_add(ss_column *c, const char *s, size_t len)
{
    if (!c->na && !(c->na = calloc(1, sizeof *c->na)))
        return -1;
    ss_na_codes *na = c->na;
    const char *end = s + len;
    while (s <= end) {
        const char *e = memchr(s, ',', (size_t)(end - s));
        if (!e)
            e = end;
        char **text = realloc(na->text, (na->n + 1) * sizeof *text);
        if (text)
            na->text = text;
        size_t *ln = realloc(na->len, (na->n + 1) * sizeof *ln);
        if (ln)
            na->len = ln;
        double *num = realloc(na->num, (na->n + 1) * sizeof *num);
        if (num)
            na->num = num;
        if (!text || !ln || !num || !(text[na->n] = trimmed_copy(s, (size_t)(e - s))))
            return -1;
        double v;
        ln[na->n] = strlen(text[na->n]);
        num[na->n] = ss_number_parse(text[na->n], ln[na->n], &v) == 0 ? v : NAN;
        na->n++;
        s = e + 1;
    }
    return 0;
}

int ss_table_requests(ss_table *t, const ss_read_options *opt, const ss_request *req,
                      size_t nreq, ss_error *err)
{
    char q[200];
    for (size_t i = 0; i < t->ncol; i++) {
        t->col[i].numeric = 1;
        t->col[i].show_codes = opt->codes;
        if (opt->all_columns)
            t->col[i].need = opt->keep_text ? SS_NEED_TEXT : SS_NEED_CATEGORY;
    }
    for (size_t k = 0; k < nreq; k++) {
        ss_column *c = ss_table_find(t, req[k].name);
        if (!c)
            return ss_error_tag(err,
                                ss_error_set(err, SS_EDATA, t->file, 0, "no column '%s'",
                                             ss_error_quote(req[k].name, strlen(req[k].name), q,
                                                            sizeof q)),
                                SS_WHY_NO_COLUMN, req[k].name);
        c->need |= req[k].need;
    }
    /* --na: its codes go to the analysis columns, or to the named ones. */
    for (size_t k = 0; k < opt->nna; k++) {
        const char *a = opt->na[k], *colon = strchr(a, ':');
        const char *codes = colon ? colon + 1 : a;
        if (colon) { /* every name must be a column */
            const char *s = a;
            while (s <= colon) {
                const char *e = memchr(s, ',', (size_t)(colon - s));
                if (!e)
                    e = colon;
                size_t n = (size_t)(e - s);
                trim(&s, &n);
                int found = 0;
                for (size_t i = 0; i < t->ncol && !found; i++)
                    found = strlen(t->col[i].name) == n && memcmp(t->col[i].name, s, n) == 0;
                if (!found)
                    return ss_error_set(err, SS_EUSAGE, t->file, 0,
                                        "--na: no column '%s' (give VARS:CODES with columns "
                                        "of the file)",
                                        ss_error_quote(s, n, q, sizeof q));
                s = e + 1;
            }
        }
        for (size_t i = 0; i < t->ncol; i++) {
            ss_column *c = &t->col[i];
            if (!c->need || (c->need & SS_NEED_DESIGN) ||
                (colon && !in_list(a, (size_t)(colon - a), c->name)))
                continue;
            if (na_add(c, codes, strlen(codes)) != 0)
                return ss_error_set(err, SS_EDATA, t->file, 0, "out of memory");
        }
    }
    for (size_t i = 0; i < t->ncol; i++) {
        ss_column *c = &t->col[i];
        c->need &= ~(unsigned)SS_NEED_DESIGN;
        if (c->need != SS_NEED_TEXT) /* a requested column: as requested */
            c->need &= ~(unsigned)SS_NEED_TEXT;
    }
    return SS_OK;
}

/* ---- labels ---- */

const char *ss_column_code_label(const ss_column *col, int32_t l)
{
    return col->level_label && l >= 0 && (size_t)l < col->levels.n ? col->level_label[l] : NULL;
}

int32_t ss_column_label_code(const ss_column *col, const char *s, size_t len)
{
    if (!(col->need & SS_NEED_CATEGORY))
        return -1;
    int32_t k = ss_dict_find(&col->levels, s, len);
    if (k >= 0 && col->level_count[k] > 0)
        return k;
    double v;
    if (col->numeric && ss_number_parse(s, len, &v) == 0) /* "5.0" for 5 */
        for (size_t l = 0; l < col->levels.n; l++)
            if (col->level_count[l] > 0 && col->level_num[l] == v)
                return (int32_t)l;
    int32_t found = -1;
    if (col->level_label)
        for (size_t l = 0; l < col->levels.n; l++) {
            const char *lab = col->level_label[l];
            if (col->level_count[l] > 0 && lab && strlen(lab) == len && memcmp(lab, s, len) == 0) {
                if (found >= 0)
                    return -2;
                found = (int32_t)l;
            }
        }
    return found;
}

const char *ss_column_label_value(const ss_column *col, const char *s)
{
    const char *found = NULL;
    for (size_t k = 0; k < col->nvlabel; k++)
        if (strcmp(col->vlabel[k].label, s) == 0) {
            if (found)
                return NULL;
            found = col->vlabel[k].code;
        }
    return found;
}

/* The value label of level l of c, or NULL: by value in a column of
 * numbers, else by text. */
static const ss_value_label *find_vlabel(const ss_column *c, size_t l)
{
    for (size_t k = 0; k < c->nvlabel; k++) {
        const ss_value_label *v = &c->vlabel[k];
        if (c->numeric && !isnan(c->level_num[l]) ? v->num == c->level_num[l]
                                                   : strcmp(v->code, c->levels.str[l]) == 0)
            return v;
    }
    return NULL;
}

/* Per level of every category column with value labels: its label. */
static int attach_labels(ss_table *t)
{
    for (size_t i = 0; i < t->ncol; i++) {
        ss_column *c = &t->col[i];
        free(c->level_label);
        c->level_label = NULL;
        if (!c->nvlabel || !(c->need & SS_NEED_CATEGORY))
            continue;
        c->level_label = calloc(c->levels.n ? c->levels.n : 1, sizeof *c->level_label);
        if (!c->level_label)
            return -1;
        for (size_t l = 0; l < c->levels.n; l++) {
            const ss_value_label *v = find_vlabel(c, l);
            c->level_label[l] = v ? v->label : NULL;
        }
    }
    return 0;
}

/* Value labels sorted by code: by value, texts after numbers. */
static int cmp_vlabel(const void *a, const void *b)
{
    const ss_value_label *x = a, *y = b;
    if (!isnan(x->num) && !isnan(y->num))
        return x->num < y->num ? -1 : x->num > y->num;
    if (isnan(x->num) != isnan(y->num))
        return isnan(x->num) ? 1 : -1;
    return strcmp(x->code, y->code);
}

/* Adds a value label to c (copies); 1 when c has one for that code. */
static int add_vlabel(ss_column *c, const char *code, const char *label)
{
    double v;
    double num = ss_number_parse(code, strlen(code), &v) == 0 ? v : NAN;
    for (size_t k = 0; k < c->nvlabel; k++)
        if (isnan(num) ? strcmp(c->vlabel[k].code, code) == 0 : c->vlabel[k].num == num)
            return 1;
    ss_value_label *p = realloc(c->vlabel, (c->nvlabel + 1) * sizeof *p);
    if (!p)
        return -1;
    c->vlabel = p;
    char buf[40];
    if (!isnan(num))
        ss_table_number_text(num, buf, sizeof buf);
    p[c->nvlabel].code = strdup(isnan(num) ? code : buf);
    p[c->nvlabel].label = strdup(label);
    p[c->nvlabel].num = num;
    if (!p[c->nvlabel].code || !p[c->nvlabel].label) {
        free(p[c->nvlabel].code);
        free(p[c->nvlabel].label);
        return -1;
    }
    c->nvlabel++;
    return 0;
}

int ss_table_add_value_label(ss_column *c, const char *code, const char *label)
{
    int rc = add_vlabel(c, code, label);
    if (rc == 0)
        qsort(c->vlabel, c->nvlabel, sizeof *c->vlabel, cmp_vlabel);
    return rc;
}

int ss_table_read_labels(ss_table *t, const char *path, const ss_read_options *opt,
                         ss_error *err)
{
    ss_table lt = {0};
    ss_read_options o = {0};
    o.delimiter = ',';
    o.encoding = opt->encoding;
    static const ss_request req[] = {{"variable", SS_NEED_CATEGORY},
                                     {"value", SS_NEED_CATEGORY},
                                     {"label", SS_NEED_CATEGORY}};
    int format;
    int rc = ss_table_read_text(&lt, path, &o, req, 3, &format, err);
    if (rc == SS_TABLE_NOT_TEXT)
        rc = ss_error_set(err, SS_EDATA, path, 0,
                          "a labels file is a CSV file (variable,value,label), not a "
                          "statistical package's file");
    if (rc == SS_OK) {
        const ss_column *vc = ss_table_find(&lt, "variable"), *kc = ss_table_find(&lt, "value"),
                        *lc = ss_table_find(&lt, "label");
        char q[200];
        for (size_t i = 0; i < lt.nrow && rc == SS_OK; i++) {
            long line = ss_table_line(&lt, i);
            const char *var = vc->code[i] >= 0 ? vc->levels.str[vc->code[i]] : "";
            const char *val = kc->code[i] >= 0 ? kc->levels.str[kc->code[i]] : "";
            const char *lab = lc->code[i] >= 0 ? lc->levels.str[lc->code[i]] : "";
            ss_column *c = ss_table_find(t, var);
            if (!c)
                rc = ss_error_set(err, SS_EDATA, lt.file, line,
                                  "variable '%s' is not a column of %s: check the name", 
                                  ss_error_quote(var, strlen(var), q, sizeof q), t->file);
            else if (!*val || !*lab)
                rc = ss_error_set(err, SS_EDATA, lt.file, line,
                                  "variable '%s': a value and its label must not be empty",
                                  c->name);
            else {
                int a = add_vlabel(c, val, lab);
                if (a < 0)
                    rc = ss_error_set(err, SS_EDATA, lt.file, line, "out of memory");
                else if (a > 0)
                    rc = ss_error_set(err, SS_EDATA, lt.file, line,
                                      "variable '%s': value '%s' is labelled twice, keep one",
                                      c->name, ss_error_quote(val, strlen(val), q, sizeof q));
            }
        }
        for (size_t i = 0; i < t->ncol; i++)
            if (t->col[i].nvlabel)
                qsort(t->col[i].vlabel, t->col[i].nvlabel, sizeof *t->col[i].vlabel, cmp_vlabel);
    }
    ss_table_free(&lt);
    return rc;
}

/* ---- data ---- */

/* ---- typed columns ----
 *
 * A column asked for as SS_NEED_PACKED alone starts as one byte a cell
 * (SS_STORE_U8).  A value its storage cannot hold widens it in place: to
 * the first storage of U8, U16, PACKED, I32, DOUBLE that holds the value
 * and every row read so far, those rows converted into the new array.  A
 * column's array of each storage is shared by the two threads (each writes
 * its own rows, the second from row `base`), made for every row when the
 * first thread needs it, under a lock; each thread widens its own view of
 * the column, so the halves may end in different storages, and are joined
 * in the first that holds both (typed_merge).  One thread frees an array
 * it leaves at once; with two, the arrays left go after the join. */

typedef struct stores {
    pthread_mutex_t lock;
    size_t cap;                   /* rows in every array */
    void *(*arr)[SS_STORE_KINDS]; /* per column, per storage: its array */
    size_t ncol;
} stores;

static const size_t store_bytes[SS_STORE_KINDS] = {
    [SS_STORE_DOUBLE] = sizeof(double), [SS_STORE_U8] = sizeof(uint8_t),
    [SS_STORE_U16] = sizeof(uint16_t), [SS_STORE_PACKED] = sizeof(int16_t),
    [SS_STORE_I32] = sizeof(int32_t)};

/* Widening tries these in turn. */
static const int store_order[SS_STORE_KINDS] = {SS_STORE_U8, SS_STORE_U16, SS_STORE_PACKED,
                                                SS_STORE_I32, SS_STORE_DOUBLE};

/* The array that holds c's numbers. */
static void *store_array(const ss_column *c)
{
    switch (c->store) {
    case SS_STORE_U8:
        return c->u8;
    case SS_STORE_U16:
        return c->u16;
    case SS_STORE_PACKED:
        return c->packed;
    case SS_STORE_I32:
        return c->i32;
    default:
        return c->num;
    }
}

/* c's numbers are now in array p, of storage kind. */
static void store_set(ss_column *c, int kind, void *p)
{
    c->u8 = NULL;
    c->u16 = NULL;
    c->packed = NULL;
    c->i32 = NULL;
    c->num = NULL;
    c->store = kind;
    switch (kind) {
    case SS_STORE_U8:
        c->u8 = p;
        break;
    case SS_STORE_U16:
        c->u16 = p;
        break;
    case SS_STORE_PACKED:
        c->packed = p;
        break;
    case SS_STORE_I32:
        c->i32 = p;
        break;
    default:
        c->num = p;
    }
}

/* v's packed code (m * 4 + k for m / 10^k, as ss_number_short_value
 * divides, to the bit): 0, or -1 when there is none (|m| >= 8192, k > 3,
 * or -0, whose sign a code would lose). */
static int packed_code(double v, int16_t *code)
{
    double a = fabs(v);
    if (!(a < 8192) || (v == 0 && signbit(v)))
        return -1;
    for (unsigned k = 0; k < 4; k++) {
        double m = nearbyint(a * ss_number_pow10[k]);
        if (m < 8192 && ss_number_short_value((uint64_t)m, k, v < 0) == v) {
            *code = (int16_t)((v < 0 ? -(int)m : (int)m) * 4 + (int)k);
            return 0;
        }
    }
    return -1;
}

/* Can storage kind hold v (NaN: missing, held by every storage)? */
static int store_holds(int kind, double v)
{
    if (isnan(v) || kind == SS_STORE_DOUBLE)
        return 1;
    int16_t code;
    if (kind == SS_STORE_PACKED)
        return packed_code(v, &code) == 0;
    if (v != floor(v) || (v == 0 && signbit(v)))
        return 0;
    switch (kind) {
    case SS_STORE_U8:
        return v >= 0 && v < SS_U8_NA;
    case SS_STORE_U16:
        return v >= 0 && v < SS_U16_NA;
    default:
        return v > SS_I32_NA && v <= INT32_MAX;
    }
}

/* Row `row` of c := v, which c's storage holds. */
static void store_put(ss_column *c, size_t row, double v)
{
    switch (c->store) {
    case SS_STORE_U8:
        c->u8[row] = isnan(v) ? SS_U8_NA : (uint8_t)v;
        break;
    case SS_STORE_U16:
        c->u16[row] = isnan(v) ? SS_U16_NA : (uint16_t)v;
        break;
    case SS_STORE_PACKED:
        if (isnan(v) || packed_code(v, &c->packed[row]) != 0)
            c->packed[row] = SS_PACKED_NA;
        break;
    case SS_STORE_I32:
        c->i32[row] = isnan(v) ? SS_I32_NA : (int32_t)v;
        break;
    default:
        c->num[row] = v;
    }
}

/* Does storage kind hold rows [0, n) of c: at once when it holds every
 * value of c's storage, else row by row. */
static int store_holds_rows(int kind, const ss_column *c, size_t n)
{
    if (kind == c->store || kind == SS_STORE_DOUBLE || c->store == SS_STORE_U8 ||
        (kind == SS_STORE_I32 && c->store == SS_STORE_U16))
        return 1;
    for (size_t i = 0; i < n; i++)
        if (!store_holds(kind, ss_column_num(c, i)))
            return 0;
    return 1;
}

static stores *stores_new(size_t ncol)
{
    stores *sh = calloc(1, sizeof *sh);
    if (!sh)
        return NULL;
    sh->arr = calloc(ncol ? ncol : 1, sizeof *sh->arr);
    if (!sh->arr || pthread_mutex_init(&sh->lock, NULL) != 0) {
        free(sh->arr);
        free(sh);
        return NULL;
    }
    sh->ncol = ncol;
    return sh;
}

/* Frees every array that t's columns do not hold, and sh. */
static void stores_free(stores *sh, ss_table *t)
{
    if (!sh)
        return;
    for (size_t i = 0; i < sh->ncol; i++)
        for (int k = 0; k < SS_STORE_KINDS; k++)
            if (sh->arr[i][k] != store_array(&t->col[i]))
                free(sh->arr[i][k]);
    pthread_mutex_destroy(&sh->lock);
    free(sh->arr);
    free(sh);
}

/* Column i's arrays but the one of storage keep go (one thread). */
static void stores_drop(stores *sh, size_t i, int keep)
{
    for (int k = 0; k < SS_STORE_KINDS; k++)
        if (k != keep) {
            free(sh->arr[i][k]);
            sh->arr[i][k] = NULL;
        }
}

/* The second thread's part is dropped: the typed columns' arrays that
 * the main thread does not use go. */
static void stores_main_only(reader *r)
{
    for (size_t i = 0; r->stores && i < r->t->ncol; i++)
        if (r->t->col[i].need & SS_NEED_PACKED)
            stores_drop(r->stores, i, r->t->col[i].store);
}

/* Room for cap rows in typed column i (one thread: arrays of other
 * storages, left by the second thread, go). */
static int stores_resize(reader *r, size_t i, size_t cap)
{
    stores *sh = r->stores;
    ss_column *c = &r->t->col[i];
    stores_drop(sh, i, c->store);
    void *p = ss_mem_array(sh->arr[i][c->store], cap, "rows", 1, NULL, store_bytes[c->store]);
    if (!p)
        return -1;
    sh->arr[i][c->store] = p;
    store_set(c, c->store, p);
    return 0;
}

/* Column i's array of storage kind, made for sh->cap rows by the first
 * thread that asks; NULL when out of memory. */
static void *stores_array(stores *sh, size_t i, int kind)
{
    pthread_mutex_lock(&sh->lock);
    void *p = sh->arr[i][kind];
    if (!p)
        p = sh->arr[i][kind] =
            ss_mem_array(NULL, sh->cap ? sh->cap : 1, "rows", 1, NULL, store_bytes[kind]);
    pthread_mutex_unlock(&sh->lock);
    return p;
}

/* Rows [0, n) of c, this thread's view of column i (from row base of the
 * shared arrays), converted to storage kind, where it reads on; -1 when
 * out of memory. */
static int store_convert(reader *r, ss_column *c, size_t i, size_t base, size_t n, int kind)
{
    char *a = stores_array(r->stores, i, kind);
    if (!a)
        return -1;
    ss_column old = *c;
    store_set(c, kind, a + base * store_bytes[kind]);
    for (size_t k = 0; k < n; k++)
        store_put(c, k, ss_column_num(&old, k));
    if (!r->fixed) /* one thread: no one else reads the old array */
        stores_drop(r->stores, i, kind);
    return 0;
}

/* The first storage (of store_order) that holds v, rows [0, n) of c and
 * rows [0, nd) of d (NaN and nd = 0: nothing more): a double at last. */
static int store_for(double v, const ss_column *c, size_t n, const ss_column *d, size_t nd)
{
    for (size_t k = 0; k + 1 < SS_STORE_KINDS; k++) {
        int kind = store_order[k];
        if (store_holds(kind, v) && store_holds_rows(kind, c, n) &&
            (nd == 0 || store_holds_rows(kind, d, nd)))
            return kind;
    }
    return SS_STORE_DOUBLE;
}

/* Typed column i of this thread (c), rows [0, n) read, meets v, which its
 * storage cannot hold: widened to the first storage that holds them all. */
static int widen(reader *r, ss_column *c, size_t i, size_t n, double v)
{
    if (store_convert(r, c, i, r->base, n, store_for(v, c, n, NULL, 0)) != 0)
        return fail(r, r->record_line, "out of memory");
    if (r->fs && r->fs[i].op != OP_FIELD) { /* fast_lines stores in the new array */
        r->fs[i].op = store_op(c->store) | (r->fs[i].op & OP_NA);
        dst_set(r, i);
        ops_runs(r);
    }
    return 0;
}

/* The second thread's n2 rows of typed column i (its view d, from row
 * base) joined onto the main thread's n1: both in the first storage that
 * holds the two, the second's rows moved to row n1; the other arrays go. */
static int typed_merge(reader *r, size_t i, size_t n1, const ss_column *d, size_t base,
                       size_t n2)
{
    ss_column *c = &r->t->col[i];
    const int kind = d->store == c->store ? c->store : store_for(NAN, c, n1, d, n2);
    /* The main rows first: [0, n1) is below the second's rows (n1 <= base). */
    if (kind != c->store && store_convert(r, c, i, 0, n1, kind) != 0)
        return -1;
    const size_t b = store_bytes[kind];
    char *a = store_array(c);
    if (d->store == kind) {
        if (n1 != base)
            memmove(a + n1 * b, a + base * b, n2 * b);
    } else {
        ss_column to = *c;
        store_set(&to, kind, a + n1 * b);
        for (size_t k = 0; k < n2; k++)
            store_put(&to, k, ss_column_num(d, k));
    }
    stores_drop(r->stores, i, kind);
    return 0;
}

/* Room for exactly cap rows in every loaded column: -1 when out of memory
 * (then some columns may have the new size, cap_rows the old). */
static int resize_rows(reader *r, size_t cap)
{
    ss_table *t = r->t;
    for (size_t i = 0; i < t->ncol; i++) {
        ss_column *c = &t->col[i];
        if (c->need & SS_NEED_CATEGORY) {
            int32_t *p = ss_mem_array(c->code, cap, "rows", 1, NULL, sizeof *p);
            if (!p)
                return -1;
            c->code = p;
        } else if (c->need & SS_NEED_NUMBER) {
            double *p = ss_mem_array(c->num, cap, "rows", 1, NULL, sizeof *p);
            if (!p)
                return -1;
            c->num = p;
        } else if (c->need & SS_NEED_PACKED) {
            if (stores_resize(r, i, cap) != 0)
                return -1;
        }
    }
    if (r->stores)
        r->stores->cap = cap;
    if (r->keep_text) {
        size_t *p = ss_mem_realloc(t->row_text, cap * sizeof *p);
        if (!p)
            return -1;
        t->row_text = p;
    }
    r->cap_rows = cap;
    for (size_t j = 0; r->fs && j < r->nslots; j++)
        dst_set(r, j);
    return 0;
}

/* keep_text: s[0..len) and a NUL after the texts held (a block growing by
 * half, as the file's size is not known ahead). */
int ss_table_keep_cell(ss_table *t, const char *s, size_t len)
{
    if (t->text_len + len + 1 > t->text_cap) {
        size_t cap = t->text_cap ? t->text_cap + t->text_cap / 2 : 1 << 16;
        if (cap < t->text_len + len + 1)
            cap = t->text_len + len + 1;
        char *p = ss_mem_realloc(t->text, cap);
        if (!p)
            return -1;
        t->text = p;
        t->text_cap = cap;
    }
    memcpy(t->text + t->text_len, s, len);
    t->text[t->text_len + len] = '\0';
    t->text_len += len + 1;
    return 0;
}

/* Room for cap rows in every loaded column (cap >= the rows held). */
static int reserve_rows(reader *r, size_t cap)
{
    if (cap <= r->cap_rows)
        return 0;
    return resize_rows(r, cap) != 0 ? fail(r, r->record_line, "out of memory") : 0;
}

static int grow_columns(reader *r)
{
    if (r->fixed) {
        if (!r->h) { /* the second thread: its part does not fit */
            r->overflow = 1;
            r->failed = 1;
            return -1;
        }
        if (half_give_up(r) != 0)
            return -1;
        if (r->t->nrow < r->cap_rows)
            return 0;
    }
    return reserve_rows(r, r->cap_rows ? 2 * r->cap_rows : 4096);
}

/* Space, tab or below (a cheap test before trimming). */
static int maybe_blank(char c)
{
    return (unsigned char)c <= ' ';
}

/* A number column's cell that is not a number: 1 when it is an NA text,
 * else 0 and the error. */
static int missing_text(reader *r, const ss_column *c, const char *s, size_t len)
{
    if (is_na_text(c->na, s, len))
        return 1;
    char q[200];
    int first = !r->failed && r->err; /* fail keeps the first error only */
    fail(r, r->record_line, "column '%s': invalid number '%s'", c->name,
         ss_error_quote(s, len, q, sizeof q));
    if (first)
        ss_error_tag(r->err, SS_EDATA, SS_WHY_BAD_NUMBER, c->name);
    return 0;
}

/* The digits of s[0..len) as an integer below `below` (a cell its
 * integer storage holds as written, "007" too), or -1. */
static inline long digits_below(const char *s, size_t len, long below)
{
    long v = 0;
    for (size_t k = 0; k < len; k++) {
        unsigned d = (unsigned)(unsigned char)s[k] - '0';
        if (d > 9)
            return -1;
        v = v * 10 + (long)d;
    }
    return len > 0 && v < below ? v : -1;
}

/* Typed column i's cell through its value (missing and bad cells as in
 * data_field), widening the column when the value needs it. */
static __attribute__((noinline)) void typed_value(reader *r, size_t i, ss_column *c, size_t row,
                                                  const char *s, size_t len)
{
    double v;
    if (ss_number_parse_short(s, len, &v) == 0 || ss_number_parse(s, len, &v) == 0) {
        if (c->na && is_na_number(c->na, v))
            v = NAN;
    } else if (missing_text(r, c, s, len)) {
        v = NAN;
    } else {
        return; /* not a number: failed */
    }
    c->nmissing += isnan(v);
    if (!store_holds(c->store, v) && widen(r, c, i, row, v) != 0)
        return;
    store_put(c, row, v);
}

/* Typed column i's cell (c: this thread's view): the cells its storage
 * holds as written at once, any other through typed_value. */
static inline void typed_field(reader *r, size_t i, ss_column *c, size_t row, const char *s,
                               size_t len)
{
    if (len > 0 && !c->na) {
        uint64_t mant;
        unsigned frac;
        long v;
        double x;
        switch (c->store) {
        case SS_STORE_U8:
            if (len <= 3 && (v = digits_below(s, len, SS_U8_NA)) >= 0) {
                c->u8[row] = (uint8_t)v;
                return;
            }
            break;
        case SS_STORE_U16:
            if (len <= 5 && (v = digits_below(s, len, SS_U16_NA)) >= 0) {
                c->u16[row] = (uint16_t)v;
                return;
            }
            break;
        case SS_STORE_I32:
            if (len <= 9 && (v = digits_below(s, len, INT32_MAX)) >= 0) {
                c->i32[row] = (int32_t)v;
                return;
            }
            break;
        case SS_STORE_PACKED:
            /* m / 10^k as written: the double ss_number_parse_short gives. */
            if (ss_number_short_parts(s, len, &mant, &frac) == 0 && mant < 8192 && frac < 4 &&
                !(mant == 0 && s[0] == '-')) {
                int m = s[0] == '-' ? -(int)mant : (int)mant;
                c->packed[row] = (int16_t)(m * 4 + (int)frac);
                return;
            }
            break;
        default:
            if (ss_number_parse_short(s, len, &x) == 0) {
                c->num[row] = x;
                return;
            }
        }
    }
    typed_value(r, i, c, row, s, len);
}

/* A cell of an SS_NEED_PRESENT column (trimmed): missing as a category's
 * level would be (an NA text, or a --na number), else checked for UTF-8. */
static __attribute__((noinline)) void present_field(reader *r, ss_column *c, size_t row,
                                                    const char *s, size_t len)
{
    double v;
    if (is_na_text(c->na, s, len) ||
        (c->na && ss_number_parse(s, len, &v) == 0 && is_na_number(c->na, v))) {
        if (c->nmissing++ == 0)
            c->first_missing = row;
        return;
    }
    if (c->bad_text || utf8_valid(s, len))
        return;
    c->bad_text = malloc(len ? len : 1);
    if (!c->bad_text) {
        fail(r, r->record_line, "out of memory");
        return;
    }
    memcpy(c->bad_text, s, len);
    c->bad_len = len;
    c->bad_row = row;
}

/* Field s[0..len) of column i of the current row (trimmed: without
 * blanks at its ends already). */
static inline __attribute__((always_inline)) void data_field(reader *r, size_t i, const char *s,
                                                             size_t len, int trimmed)
{
    ss_column *c = &r->t->col[i];
    size_t row = r->t->nrow;
    if (r->keep_text) { /* the cell as read, untrimmed; every column is loaded */
        if (i == 0)
            r->t->row_text[row] = r->t->text_len;
        if (ss_table_keep_cell(r->t, s, len) != 0) {
            fail(r, r->record_line, "out of memory");
            return;
        }
        if (c->need == SS_NEED_TEXT)
            return;
    }
    if (!trimmed && len > 0 && (maybe_blank(s[0]) || maybe_blank(s[len - 1])))
        trim(&s, &len);
    if (c->need == SS_NEED_PRESENT) {
        /* plain ASCII that is not "NA": present, nothing to keep */
        int plain = len > 0 && !(len == 2 && s[0] == 'N' && s[1] == 'A') && !c->na;
        for (size_t k = 0; plain && k < len; k++)
            plain = (unsigned char)s[k] < 0x80;
        if (!plain)
            present_field(r, c, row, s, len);
        return;
    }
    if (c->need & SS_NEED_CATEGORY) {
        int32_t code = category_code(r, i, &c->levels, s, len);
        if (code < 0) {
            fail(r, r->record_line, "out of memory");
            return;
        }
        c->code[row] = code;
        return;
    }
    if (c->need & SS_NEED_PACKED) {
        typed_field(r, i, c, row, s, len);
        return;
    }
    double v;
    if (ss_number_parse_short(s, len, &v) == 0 || ss_number_parse(s, len, &v) == 0) {
        if (c->na && is_na_number(c->na, v)) {
            v = NAN;
            c->nmissing++;
        }
        c->num[row] = v;
    } else if (missing_text(r, c, s, len)) {
        c->num[row] = NAN;
        c->nmissing++;
    }
}

/* Room for n entries in the line-break arrays. */
static int reserve_breaks(ss_table *t, size_t n)
{
    size_t *br = realloc(t->break_row, n * sizeof *br);
    if (br)
        t->break_row = br;
    long *bs = realloc(t->break_shift, n * sizeof *bs);
    if (bs)
        t->break_shift = bs;
    return br && bs ? 0 : -1;
}

static long count_newlines(const char *s, size_t len)
{
    long n = 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] == '\n' || (s[i] == '\r' && (i + 1 == len || s[i + 1] != '\n')))
            n++;
    return n;
}

/* The first field of a record begins: its line, and for a data row room
 * for it and its place in the line-break arrays.  -1 when failed. */
static int record_begin(reader *r)
{
    r->record_line = r->lines_done + 1;
    if (r->in_header)
        return 0;
    ss_table *t = r->t;
    if (t->nrow == r->cap_rows && grow_columns(r) != 0)
        return -1;
    long shift = t->nbreak ? t->break_shift[t->nbreak - 1] : 0;
    long expect = (long)t->nrow + 2 + shift;
    if (r->record_line != expect) {
        if (reserve_breaks(t, t->nbreak + 1) != 0)
            return fail(r, r->record_line, "out of memory");
        t->break_row[t->nbreak] = t->nrow;
        t->break_shift[t->nbreak] = r->record_line - (long)t->nrow - 2;
        t->nbreak++;
    }
    return 0;
}

/* Field r->field of the record is too long. */
static int too_long(reader *r)
{
    return fail(r, r->record_line, "field %zu is longer than %u bytes", r->field + 1,
                SS_TABLE_MAX_FIELD);
}

/* The next field of the record, str[0..len): from libcsv, or (plain) from
 * fast_lines, blanks trimmed. */
static inline __attribute__((always_inline)) void next_field(reader *r, const char *str,
                                                             size_t len, int plain)
{
    if (r->failed)
        return;
    r->pending_cr = 0;
    if (r->field == 0 && record_begin(r) != 0)
        return;
    if (len > SS_TABLE_MAX_FIELD) { /* (a whole gzip'd file is split as one buffer) */
        too_long(r);
        return;
    }
    if (r->in_header)
        header_field(r, str, len);
    else if (r->field < r->nslots && r->slot[r->field] >= 0)
        data_field(r, (size_t)r->slot[r->field], str, len, plain);
    if (!plain && r->quotes) /* only a quoted field holds a newline */
        for (size_t i = 0; i < len; i++) /* fields are short: no memchr calls */
            if (str[i] == '\n' || str[i] == '\r') {
                r->lines_done += count_newlines(str, len);
                break;
            }
    r->field++;
}

static void on_field(void *s, size_t len, void *data)
{
    next_field(data, s ? s : "", len, 0);
}

static void end_record(reader *r)
{
    ss_table *t = r->t;
    if (r->in_header) {
        r->in_header = 0;
        finish_header(r);
    } else {
        if (r->field != t->ncol) {
            fail(r, r->record_line, "expected %zu fields, found %zu", t->ncol, r->field);
            return;
        }
        t->nrow++;
    }
    r->field = 0;
}

static void on_record(int c, void *data)
{
    reader *r = data;
    if (r->failed)
        return;
    if (r->field > 0)
        end_record(r);
    if (r->failed)
        return;
    if (c == '\r') {
        r->lines_done++;
        r->pending_cr = 1;
    } else if (c == '\n') {
        if (!r->pending_cr)
            r->lines_done++;
        r->pending_cr = 0;
    }
}

/* ---- after the last row ---- */

/* A number written as an integer without sign or leading zero ("9", "-12"):
 * the only spelling of its value, so it needs no canonical form. */
static int plain_integer(const char *s, size_t len)
{
    size_t i = len > 0 && s[0] == '-';
    if (i == len || (s[i] == '0' && len > i + 1) || (i && s[i] == '0'))
        return 0;
    for (; i < len; i++)
        if ((unsigned)(s[i] - '0') > 9)
            return 0;
    return 1;
}

/* The shortest text that reads back as v ("9" for 09, 9.0, +9 and 9e0);
 * an integer in plain digits ("1000000000000000" for 1e15), the spelling a
 * plain integer level already has. */
void ss_table_number_text(double v, char *buf, size_t size)
{
    if (v == 0)
        v = 0; /* -0 is 0 */
    if (v == trunc(v)) {
        snprintf(buf, size, "%.0f", v);
        return;
    }
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(buf, size, "%.*g", digits, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

/* In a column of numbers, levels equal as numbers (9, 09, 9.0, +9, 9e0)
 * are one level, written in its canonical form ("9": the shortest text
 * that reads back as the value), as R reads such a column as numbers: a
 * level written otherwise is mapped to its canonical text, added to the
 * dictionary when absent (then *remap, level_num and level_count grow).
 * A column holding any text that is not a number is left as written, as R
 * leaves a character column.  Only levels that are not plain integers are
 * looked at, once per level after the read: the rows pay nothing unless a
 * level is rewritten, and then one pass maps their codes (with the missing
 * codes, in finish_category). */
static int canonical_levels(ss_column *c, int32_t **remap)
{
    const size_t nl = c->levels.n;
    if (!c->numeric)
        return 0;
    for (size_t l = 0; l < nl; l++) {
        /* Past 2^53 a double no longer tells integers apart: such a code
         * is kept as written rather than merged with a different one. */
        if ((*remap)[l] < 0 || isnan(c->level_num[l]) || !(fabs(c->level_num[l]) < 0x1p53) ||
            plain_integer(c->levels.str[l], c->levels.len[l]))
            continue;
        char buf[40];
        ss_table_number_text(c->level_num[l], buf, sizeof buf);
        size_t blen = strlen(buf);
        if (blen == c->levels.len[l] && memcmp(buf, c->levels.str[l], blen) == 0)
            continue; /* canonical already ("1.5") */
        size_t before = c->levels.n;
        int32_t k = ss_dict_intern(&c->levels, buf, blen);
        if (k < 0)
            return -1;
        if (c->levels.n > before) { /* a new level: the canonical text */
            size_t n = c->levels.n;
            double *num = realloc(c->level_num, n * sizeof *num);
            if (num)
                c->level_num = num;
            size_t *count = realloc(c->level_count, n * sizeof *count);
            if (count)
                c->level_count = count;
            int32_t *rm = realloc(*remap, n * sizeof *rm);
            if (rm)
                *remap = rm;
            if (!num || !count || !rm)
                return -1;
            c->level_num[k] = c->level_num[l];
            c->level_count[k] = 0;
            (*remap)[k] = k;
        }
        (*remap)[l] = k;
    }
    return 0;
}

static int finish_category(reader *r, ss_column *c)
{
    ss_table *t = r->t;
    size_t nl = c->levels.n;
    c->level_num = malloc((nl ? nl : 1) * sizeof *c->level_num);
    c->level_count = calloc(nl ? nl : 1, sizeof *c->level_count);
    int32_t *remap = malloc((nl ? nl : 1) * sizeof *remap);
    if (!c->level_num || !c->level_count || !remap) {
        free(remap);
        return fail(r, 0, "out of memory");
    }
    for (size_t l = 0; l < nl; l++) {
        const char *s = c->levels.str[l];
        size_t len = c->levels.len[l];
        double v;
        remap[l] = (int32_t)l;
        if (is_na_text(c->na, s, len)) {
            remap[l] = -1;
            c->level_num[l] = NAN;
        } else if (ss_number_parse(s, len, &v) == 0) {
            c->level_num[l] = v;
            if (c->na && is_na_number(c->na, v))
                remap[l] = -1;
        } else {
            c->level_num[l] = NAN;
            c->numeric = 0;
        }
    }
    if (canonical_levels(c, &remap) != 0) {
        free(remap);
        return fail(r, 0, "out of memory");
    }
    nl = c->levels.n;
    int identity = 1;
    for (size_t l = 0; l < nl; l++)
        identity &= remap[l] == (int32_t)l;
    if (identity) { /* no missing codes: count, nothing to rewrite */
        for (size_t i = 0; i < t->nrow; i++)
            c->level_count[c->code[i]]++;
    } else {
        for (size_t i = 0; i < t->nrow; i++) {
            int32_t k = remap[c->code[i]];
            c->code[i] = k;
            if (k < 0)
                c->nmissing++;
            else
                c->level_count[k]++;
        }
    }
    free(remap);
    for (size_t l = 0; l < nl; l++)
        if (c->level_count[l] && !utf8_valid(c->levels.str[l], c->levels.len[l])) {
            char q[200];
            size_t i = 0;
            while (c->code[i] != (int32_t)l)
                i++;
            return fail(r, ss_table_line(t, i),
                        "column '%s': value '%s' is not valid UTF-8 "
                        "(for a GBK export use --encoding gb18030)",
                        c->name, ss_error_quote(c->levels.str[l], c->levels.len[l], q, sizeof q));
        }
    if (c->need & SS_NEED_NUMBER) {
        c->num = malloc((t->nrow ? t->nrow : 1) * sizeof *c->num);
        if (!c->num)
            return fail(r, 0, "out of memory");
        for (size_t i = 0; i < t->nrow; i++) {
            int32_t k = c->code[i];
            if (k >= 0 && isnan(c->level_num[k])) {
                char q[200];
                int first = !r->failed && r->err;
                fail(r, ss_table_line(t, i), "column '%s': invalid number '%s'", c->name,
                     ss_error_quote(c->levels.str[k], c->levels.len[k], q, sizeof q));
                if (first)
                    ss_error_tag(r->err, SS_EDATA, SS_WHY_BAD_NUMBER, c->name);
                return -1;
            }
            c->num[i] = k >= 0 ? c->level_num[k] : NAN;
        }
    }
    return 0;
}

static int finish(reader *r);

/* --labels, then every category column's level labels. */
static int finish_labels(ss_table *t, const ss_read_options *opt, ss_error *err)
{
    if (opt->labels) {
        int rc = ss_table_read_labels(t, opt->labels, opt, err);
        if (rc != SS_OK)
            return rc;
    }
    if (attach_labels(t) != 0)
        return ss_error_set(err, SS_EDATA, t->file, 0, "out of memory");
    return SS_OK;
}

int ss_table_finish(ss_table *t, const ss_read_options *opt, ss_error *err)
{
    reader r = {0};
    r.t = t;
    r.opt = opt;
    r.err = err;
    if (t->nrow == 0)
        return ss_error_set(err, SS_EDATA, t->file, 0, "no data rows");
    for (size_t i = 0; i < t->ncol; i++) { /* --na on numbers read as such */
        ss_column *c = &t->col[i];
        if (c->packed && !c->num)
            c->store = SS_STORE_PACKED;
        if (c->num && c->na && !(c->need & SS_NEED_CATEGORY))
            for (size_t k = 0; k < t->nrow; k++)
                if (is_na_number(c->na, c->num[k])) {
                    c->num[k] = NAN;
                    c->nmissing++;
                }
        /* --na on one-byte columns of a ReadStat file (the CSV reader has
         * made its --na cells missing as it stored them: none left here) */
        if (c->u8 && c->store == SS_STORE_U8 && c->na)
            for (size_t k = 0; k < t->nrow; k++)
                if (c->u8[k] != SS_U8_NA && is_na_number(c->na, ss_u8_value[c->u8[k]])) {
                    c->u8[k] = SS_U8_NA;
                    c->nmissing++;
                }
        if (c->packed && c->na)
            for (size_t k = 0; k < t->nrow; k++)
                if (c->packed[k] != SS_PACKED_NA &&
                    is_na_number(c->na, ss_packed_value[(uint16_t)c->packed[k]])) {
                    c->packed[k] = SS_PACKED_NA;
                    c->nmissing++;
                }
    }
    if (finish(&r) != 0)
        return err && err->code ? err->code : SS_EDATA;
    return finish_labels(t, opt, err);
}

static int finish(reader *r)
{
    ss_table *t = r->t;
    for (size_t i = 0; i < t->ncol; i++) {
        ss_column *c = &t->col[i];
        if (c->need & SS_NEED_CATEGORY) {
            if (finish_category(r, c) != 0)
                return -1;
        } else if (c->need & (SS_NEED_NUMBER | SS_NEED_PACKED)) {
            c->numeric = 1;
        } else if (c->need == SS_NEED_PRESENT && c->bad_text) {
            char q[200];
            c->numeric = 0;
            return fail(r, ss_table_line(t, c->bad_row),
                        "column '%s': value '%s' is not valid UTF-8 "
                        "(for a GBK export use --encoding gb18030)",
                        c->name, ss_error_quote(c->bad_text, c->bad_len, q, sizeof q));
        } else {
            c->numeric = 0; /* SS_NEED_TEXT: not looked at */
        }
    }
    return 0;
}

/* ---- input ---- */

/* libcsv's state between rows (its ROW_NOT_BEGUN). */
enum { ROW_NOT_BEGUN = 0 };

#define LIBCSV_BLOCK ((size_t)64 << 10)

static int libcsv_part(reader *r, struct csv_parser *p, const char *buf, size_t len)
{
    /* libcsv grows its field buffer by a fixed block (128 bytes): a long
     * quoted field costs a realloc per block, quadratic where realloc
     * copies (ASan's always does; 3 MB took over a minute).  A block of at
     * least 64 KiB, and as large as the buffer already is, doubles it from
     * one chunk to the next: a few dozen reallocs for 16 MiB. */
    size_t have = csv_get_buffer_size(p);
    csv_set_blk_size(p, have > LIBCSV_BLOCK ? have : LIBCSV_BLOCK);
    size_t done = csv_parse(p, buf, len, on_field, on_record, r);
    if (r->failed)
        return -1;
    if (done != len) {
        long line = r->field > 0 ? r->record_line : r->lines_done + 1;
        return fail(r, line,
                    "malformed CSV: a quote inside an unquoted field or after a closing quote");
    }
    return 0;
}

/* Fields of one-byte columns that fast_run takes 16 bytes at a time. */
enum { U8_RUN = 8 };

/* The runs of r->fs (again after an op changed): fields not read, which
 * fast_run passes by their stops alone, and fields of one-byte columns,
 * which it takes at once when each is one digit. */
static void ops_runs(reader *r)
{
    fslot *fs = r->fs;
    for (size_t j = 0; j < r->nslots; j++) {
        fs[j].op = fs[j].op == OP_SKIPS ? OP_SKIP : fs[j].op == OP_U8S ? OP_U8 : fs[j].op;
        fs[j].run = 0;
    }
    for (size_t j = r->nslots; j-- > 0;) {
        const unsigned op = fs[j].op;
        if ((op != OP_SKIP && op != OP_U8) || j + 2 >= r->nslots ||
            (fs[j + 1].op != op && fs[j + 1].op != (op == OP_SKIP ? OP_SKIPS : OP_U8S)))
            continue;
        fs[j].run = fs[j + 1].run + 1;
        fs[j].op = op == OP_SKIP ? OP_SKIPS : OP_U8S;
        if (op == OP_U8 && fs[j].run > U8_RUN)
            fs[j].run = U8_RUN;
    }
}

/* ---- survstat's own splitter ----
 *
 * fast_lines splits complete lines as libcsv splits them (csv_parse with
 * CSV_STRICT and CSV_REPALL_NL, its state between rows at the start): a
 * field ends at the delimiter, a record at every CR or LF; spaces and tabs
 * (unless one is the delimiter) around a field are dropped; a CR or LF
 * before any field of its row, blanks aside, is a record of no fields; a
 * field whose first byte after blanks is the quote is quoted: it ends at
 * the quote followed, after blanks, by the delimiter or a line end, a
 * doubled quote inside standing for one.  It hands the callbacks pointers
 * into the buffer (libcsv copies every byte through its state machine)
 * and leaves to libcsv, from the start of the field on, a field it does
 * not take: a quoted one holding a line end (it goes on over the next
 * lines), a quote inside an unquoted field, or anything but blanks between
 * a closing quote and the delimiter (libcsv's errors). */

/* r->fs: per field position, what data_field would do with it; a field
 * past the columns (op[nslots]) is only counted. */
static int ops_init(reader *r)
{
    r->fs = calloc(r->nslots + 1, sizeof *r->fs);
    if (!r->fs)
        return fail(r, r->record_line, "out of memory");
    for (size_t j = 0; j < r->nslots; j++) {
        const ss_column *c = r->slot[j] >= 0 ? &r->t->col[r->slot[j]] : NULL;
        if (!c)
            r->fs[j].op = OP_SKIP;
        else if (r->keep_text)
            r->fs[j].op = OP_FIELD;
        else if (c->need & SS_NEED_CATEGORY)
            r->fs[j].op = OP_CATEGORY;
        else if (c->need == SS_NEED_PACKED)
            r->fs[j].op = store_op(c->store);
        else if (c->need == SS_NEED_NUMBER)
            r->fs[j].op = OP_NUMBER;
        else
            r->fs[j].op = OP_FIELD;
    }
    r->fs[r->nslots].op = OP_END;
    for (size_t j = 0; j < r->nslots; j++)
        if (r->fs[j].op == OP_CATEGORY) {
            if (!(r->fs[j].cache = malloc(LEVEL_CACHE * sizeof *r->fs[j].cache)))
                return fail(r, r->record_line, "out of memory");
            for (unsigned k = 0; k < LEVEL_CACHE; k++)
                r->fs[j].cache[k] = (level_cache){.key = 0, .code = -1};
        }
    for (size_t j = 0; j < r->nslots; j++)
        if (r->slot[j] >= 0 && r->fs[j].op != OP_CATEGORY && r->fs[j].op != OP_FIELD &&
            (r->fs[j].na = r->t->col[r->slot[j]].na)) /* (codes: at the end) */
            r->fs[j].op |= OP_NA;
    for (size_t j = 0; j < r->nslots; j++)
        dst_set(r, j);
    ops_runs(r);
    return 0;
}

static void fslots_free(reader *r)
{
    for (size_t j = 0; r->fs && j < r->nslots; j++)
        free(r->fs[j].cache);
    free(r->fs);
    r->fs = NULL;
}

/* r->fs[j].dst: the array of field j's column that fast_run stores into. */
static void dst_set(reader *r, size_t j)
{
    const ss_column *c = &r->t->col[j];
    switch (r->fs[j].op & ~(unsigned)OP_NA) {
    case OP_CATEGORY:
        r->fs[j].dst = c->code;
        r->fs[j].direct = r->direct[j];
        r->fs[j].ndirect = r->direct_cap[j];
        break;
    case OP_NUMBER:
        r->fs[j].dst = c->num;
        break;
    case OP_U8: case OP_U8S: case OP_U16: case OP_PACKED: case OP_I32: case OP_DOUBLE:
        r->fs[j].dst = store_array(c);
        break;
    default:
        r->fs[j].dst = NULL;
    }
}

/* The digits of s[0..len), 1 to most of them, as an integer below `below`,
 * else `below` (a cell an integer storage holds as written). */
static inline __attribute__((always_inline)) uint32_t digits_in(const char *s, size_t len,
                                                              size_t most, uint32_t below)
{
    if (len - 1 >= most)
        return below;
    uint32_t v = 0;
    for (size_t k = 0; k < len; k++) {
        uint32_t d = (uint32_t)(unsigned char)s[k] - '0';
        if (d > 9)
            return below;
        v = v * 10 + d;
    }
    return v < below ? v : below;
}

/* digits_in for a one-byte column (1 to 3 digits below 255): 255 for
 * anything else.  One digit (a code, a Likert answer) takes one test. */
static inline __attribute__((always_inline)) uint32_t digits3(const char *s, size_t len)
{
    const uint32_t d0 = (uint32_t)(unsigned char)s[0] - '0'; /* (s[len] is a stop) */
    if (len == 1)
        return d0 <= 9 ? d0 : SS_U8_NA;
    if (len - 2 > 1)
        return SS_U8_NA;
    const uint32_t d1 = (uint32_t)(unsigned char)s[1] - '0';
    if (d0 > 9 || d1 > 9)
        return SS_U8_NA;
    if (len == 2)
        return d0 * 10 + d1;
    const uint32_t d2 = (uint32_t)(unsigned char)s[2] - '0', v = d0 * 100 + d1 * 10 + d2;
    return d2 <= 9 && v < SS_U8_NA ? v : SS_U8_NA;
}

/* digits_in for a cell of 1 to 4 digits with 4 bytes readable at s,
 * without a branch per digit: the digits as the high bytes of a word
 * (little-endian: the first the lowest of them), each checked to be 0..9,
 * then combined in pairs.  Anything else gives 65535 (SS_U16_NA). */
static inline __attribute__((always_inline)) uint32_t digits4_word(uint32_t w, size_t len)
{
    const unsigned sh = 32 - 8 * (unsigned)len;
    w <<= sh;                                 /* leading zero bytes */
    uint32_t d = w - (UINT32_C(0x30303030) << sh);
    if ((d | (d + UINT32_C(0x76767676))) & UINT32_C(0x80808080))
        return SS_U16_NA;                     /* a byte not a digit */
    d = d * 10 + (d >> 8);                    /* bytes 0 and 2: pairs */
    return (d & 0xff) * 100 + ((d >> 16) & 0xff);
}

static inline __attribute__((always_inline)) uint32_t digits4(const char *s, size_t len)
{
    if (len - 1 >= 4)
        return SS_U16_NA;
    uint32_t w;
    memcpy(&w, s, 4);
    return digits4_word(w, len);
}

/* The packed code (m * 4 + k for m / 10^k, as OP_PACKED stores it) of a
 * cell of 1 to 4 digits with at most one point among them, 8 bytes
 * readable at s, without a branch per byte: the point found in the word
 * (the lowest byte equal to '.'), the bytes above it moved down over it,
 * then digits4's word.  -1 for any other cell (a sign, leading zeros past
 * 4 digits, m of 8,192 or more, ...), which the general case decides. */
static inline __attribute__((always_inline)) int32_t packed4(const char *s, size_t len)
{
    if (len - 1 >= 5)
        return -1;
    uint64_t w;
    memcpy(&w, s, 8);
    w &= ~UINT64_C(0) >> (64 - 8 * (unsigned)len);
    const uint64_t t = w ^ UINT64_C(0x2e2e2e2e2e2e2e2e);
    const uint64_t z = (t - UINT64_C(0x0101010101010101)) & ~t & UINT64_C(0x8080808080808080);
    unsigned nd = (unsigned)len, frac = 0;
    if (z) {
        const unsigned p = (unsigned)__builtin_ctzll(z) >> 3;
        const uint64_t low = (UINT64_C(1) << (8 * p)) - 1;
        w = (w & low) | ((w >> 8) & ~low);
        nd--;
        frac = nd - p;
    }
    if (nd - 1 >= 4 || frac >= 4)
        return -1;
    const uint32_t m = digits4_word((uint32_t)w, nd);
    return m < 8192 ? (int32_t)(m * 4 + frac) : -1;
}

/* A field data_field takes in full (a cell the fast cases do not hold,
 * blanks, --na, errors); a typed column may have widened. */
static __attribute__((noinline)) int field_slow(reader *r, size_t j, const char *s, size_t len)
{
    data_field(r, j, s, len, 0);
    return r->failed ? -1 : 0;
}

/* Field s[0..len) (blanks around it not dropped yet) of column j, row
 * `row`, as data_field stores it: the common cells here, the others in
 * field_slow.  -1 when failed. */
static inline __attribute__((always_inline)) int fast_field(reader *r, ss_column *col,
                                                            const fslot *fs, size_t j,
                                                            const char *s, size_t len,
                                                            size_t row)
{
    ss_column *c = &col[j];
    uint32_t v;
    double x;
    if (fs[j].op & OP_NA)
        return field_slow(r, j, s, len);
    switch (fs[j].op) {
    case OP_SKIP:
    case OP_SKIPS:
    case OP_END:
        return 0;
    case OP_U8:
    case OP_U8S:
        if ((v = digits_in(s, len, 3, SS_U8_NA)) < SS_U8_NA) {
            c->u8[row] = (uint8_t)v;
            return 0;
        }
        break;
    case OP_U16:
        if ((v = digits_in(s, len, 5, SS_U16_NA)) < SS_U16_NA) {
            c->u16[row] = (uint16_t)v;
            return 0;
        }
        break;
    case OP_I32:
        if ((v = digits_in(s, len, 9, INT32_MAX)) < INT32_MAX) {
            c->i32[row] = (int32_t)v;
            return 0;
        }
        break;
    case OP_PACKED: {
        uint64_t mant;
        unsigned frac;
        /* m / 10^k as written: the double ss_number_parse_short gives. */
        if (ss_number_short_parts(s, len, &mant, &frac) == 0 && mant < 8192 && frac < 4 &&
            !(mant == 0 && s[0] == '-')) {
            int m = s[0] == '-' ? -(int)mant : (int)mant;
            c->packed[row] = (int16_t)(m * 4 + (int)frac);
            return 0;
        }
        break;
    }
    case OP_DOUBLE:
        if (ss_number_parse_short(s, len, &x) == 0) {
            c->num[row] = x;
            return 0;
        }
        break;
    case OP_NUMBER:
        if (ss_number_parse_short(s, len, &x) == 0) {
            c->num[row] = x;
            return 0;
        }
        break;
    case OP_CATEGORY: {
        if (len > 0 && (maybe_blank(s[0]) || maybe_blank(s[len - 1])))
            break;
        int32_t code = category_code(r, j, &c->levels, s, len);
        if (code < 0)
            return fail(r, r->record_line, "out of memory");
        c->code[row] = code;
        if (len - 1 < 8) { /* for fast_run: this text's code */
            uint64_t key = 0;
            memcpy(&key, s, len);
            level_cache *e = &fs[j].cache[level_slot(key)];
            e->key = key;
            e->code = code;
        }
        return 0;
    }
    default:
        break;
    }
    return field_slow(r, j, s, len);
}

/* The stops of s[0..len) (delimiter, quote, CR, LF), 64 bytes at a time:
 * bits holds those of the block at blk not taken yet. */
typedef struct stops {
    const char *s;
    size_t len, blk;
    uint64_t bits;
    unsigned char delim, quote;
} stops;

/* The stops (delim, quote, CR, LF) of the 64 bytes at p (fewer when n is
 * less) as bits. */
static inline __attribute__((always_inline)) uint64_t stops_bits(const char *p, size_t n,
                                                                 unsigned char delim,
                                                                 unsigned char quote)
{
    char tail[64];
    if (n < 64) {
        memset(tail, 0, sizeof tail);
        memcpy(tail, p, n);
        p = tail;
    }
    uint64_t m = 0;
#ifdef __SSE2__
    const __m128i d = _mm_set1_epi8((char)delim), q = _mm_set1_epi8((char)quote),
                  lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
    for (unsigned k = 0; k < 4; k++) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
        __m128i e = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, d), _mm_cmpeq_epi8(x, q)),
                                 _mm_or_si128(_mm_cmpeq_epi8(x, lf), _mm_cmpeq_epi8(x, cr)));
        m |= (uint64_t)(unsigned)_mm_movemask_epi8(e) << (16 * k);
    }
#else
    for (unsigned k = 0; k < 64; k++) {
        unsigned char c = (unsigned char)p[k];
        m |= (uint64_t)(c == delim || c == quote || c == '\n' || c == '\r') << k;
    }
#endif
    return n < 64 ? m & ((UINT64_C(1) << n) - 1) : m;
}

/* The stops of the 64 bytes at `at` (fewer at the end) as bits. */
static inline uint64_t stops_block(const stops *st, size_t at)
{
    return stops_bits(st->s + at, st->len - at, st->delim, st->quote);
}

/* The next stop, or len when there is none. */
static inline __attribute__((always_inline)) size_t stops_next(stops *st)
{
    while (st->bits == 0) {
        if (st->blk + 64 >= st->len)
            return st->len;
        st->blk += 64;
        st->bits = stops_block(st, st->blk);
    }
    size_t e = st->blk + (size_t)__builtin_ctzll(st->bits);
    st->bits &= st->bits - 1;
    return e;
}

/* The stops before position at are taken. */
static inline void stops_seek(stops *st, size_t at)
{
    if (at >= st->blk + 64) {
        if (at >= st->len) { /* (the block too: else stops_next would load
                              * the one after blk, which may hold at - 1) */
            st->blk = at & ~(size_t)63;
            st->bits = 0;
            return;
        }
        st->blk = at & ~(size_t)63;
        st->bits = stops_block(st, st->blk);
    }
    st->bits &= ~UINT64_C(0) << (at - st->blk);
}

static inline int is_line_end(unsigned char c)
{
    return c == '\n' || c == '\r';
}

/* Bytes s[0..len) of only spaces and tabs. */
static int all_blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t')
            return 0;
    return 1;
}

/* The short way through the stops from the field starting at *fp, field
 * *jp of its row: a delimiter or line end after a field that its column's
 * fast case stores, rows that begin and end as most do (no blank line
 * before, room for them, as many fields as columns).  It takes every stop
 * it handles and returns at the first it does not (a quote, a cell for
 * field_slow, a new category level, a row of another length, the end),
 * that stop not taken, the state as split_lines keeps it.  No calls: its
 * state stays in registers. */
/* fast_run's one- and two-byte cells: 0 when the cell is not one it
 * stores (na: or one of the column's --na codes). */
static inline __attribute__((always_inline)) int put_u8(const fslot *fj, const char *fq,
                                                        size_t n, size_t row, int na)
{
    uint32_t v = digits3(fq, n);
    if (v >= SS_U8_NA || (na && is_na_number(fj->na, v)))
        return 0;
    ((uint8_t *)fj->dst)[row] = (uint8_t)v;
    return 1;
}

static inline __attribute__((always_inline)) int put_u16(const fslot *fj, const char *fq,
                                                         size_t n, const char *end, size_t row,
                                                         int na)
{
    uint32_t v = LITTLE_ENDIAN_WORDS && end - fq >= 4 ? digits4(fq, n)
                                                      : digits_in(fq, n, 5, SS_U16_NA);
    if (v >= SS_U16_NA || (na && is_na_number(fj->na, v)))
        return 0;
    ((uint16_t *)fj->dst)[row] = (uint16_t)v;
    return 1;
}

/* fast_run's blocks: while no stop is left in *bits, the next block of
 * 64 bytes (*bp); 0 when the block at *bp is the last. */
static inline __attribute__((always_inline)) int stops_fill(const char **bp, uint64_t *bits,
                                                            const char *end, unsigned char delim,
                                                            unsigned char quote)
{
    while (*bits == 0) {
        if (end - *bp <= 64)
            return 0;
        *bp += 64;
        *bits = stops_bits(*bp, (size_t)(end - *bp), delim, quote);
    }
    return 1;
}

static inline __attribute__((always_inline)) void fast_run_in(reader *r, stops *st, size_t *fp,
                                                              size_t *jp, const unsigned char delim,
                                                              const unsigned char quote)
{
    const char *const s = st->s, *const end = s + st->len;
    const fslot *const fs = r->fs, *const last = fs + r->nslots - 1;
    const char *bp = s + st->blk, *fq = s + *fp; /* the block, the field */
    const fslot *fj = fs + *jp;                   /* the field's column */
    size_t row = r->t->nrow;
    uint64_t bits = st->bits;
    for (;;) {
        if (!stops_fill(&bp, &bits, end, delim, quote))
            goto out;
        const char *const e = bp + (unsigned)__builtin_ctzll(bits);
        const unsigned char c = (unsigned char)*e;
        const size_t n = (size_t)(e - fq);
        if (c != delim) {
            if (!is_line_end(c) || fj != last || fj == fs)
                goto out;
        } else if (fj == fs) { /* a row begins (record_begin's usual case) */
            ss_table *t = r->t;
            row = t->nrow;
            long line = r->lines_done + 1;
            long shift = t->nbreak ? t->break_shift[t->nbreak - 1] : 0;
            if (row == r->cap_rows || line != (long)row + 2 + shift)
                goto out;
            r->record_line = line;
            r->pending_cr = 0;
        }
        uint32_t v;
        double x;
        const unsigned op = fj->op;
        /* (the common ones first: no jump through a table) */
        if (op == OP_U8 ? !put_u8(fj, fq, n, row, 0)
                        : op == OP_U16 ? !put_u16(fj, fq, n, end, row, 0) : 0)
            goto out;
        if (op > OP_U16) {
            /* (the op itself: the cases with --na codes apart) */
            const int na = op >= OP_NA;
            switch (op) {
            case OP_U8 | OP_NA:
                if (!put_u8(fj, fq, n, row, 1))
                    goto out;
                break;
            case OP_U16 | OP_NA:
                if (!put_u16(fj, fq, n, end, row, 1))
                    goto out;
                break;
            case OP_I32:
            case OP_I32 | OP_NA:
                if ((v = digits_in(fq, n, 9, INT32_MAX)) >= INT32_MAX ||
                    (na && is_na_number(fj->na, v)))
                    goto out;
                ((int32_t *)fj->dst)[row] = (int32_t)v;
                break;
            case OP_PACKED: {
                int32_t pc;
                if (LITTLE_ENDIAN_WORDS && end - fq >= 8 && (pc = packed4(fq, n)) >= 0) {
                    ((int16_t *)fj->dst)[row] = (int16_t)pc;
                    break;
                }
            }
                /* fall through */
            case OP_PACKED | OP_NA: {
                uint64_t mant;
                unsigned frac;
                if (ss_number_short_parts(fq, n, &mant, &frac) != 0 || mant >= 8192 ||
                    frac >= 4 || (mant == 0 && fq[0] == '-') ||
                    (na && is_na_number(fj->na, ss_number_short_value(mant, frac,
                                                                          fq[0] == '-'))))
                    goto out;
                int m = fq[0] == '-' ? -(int)mant : (int)mant;
                ((int16_t *)fj->dst)[row] = (int16_t)(m * 4 + (int)frac);
                break;
            }
            case OP_DOUBLE:
            case OP_NUMBER:
            case OP_DOUBLE | OP_NA:
            case OP_NUMBER | OP_NA:
                if (ss_number_parse_short(fq, n, &x) != 0 || (na && is_na_number(fj->na, x)))
                    goto out;
                ((double *)fj->dst)[row] = x;
                break;
            case OP_CATEGORY: {
                /* A text of up to 8 bytes met before (no NUL in a text:
                 * the word tells the length), from the cache. */
                int32_t code;
                uint64_t key = 0;
                level_cache *hit = NULL;
                if (LITTLE_ENDIAN_WORDS && n - 1 < 8 && end - fq >= 8) {
                    memcpy(&key, fq, 8);
                    key &= ~UINT64_C(0) >> (64 - 8 * n);
                    hit = &fj->cache[level_slot(key)];
                    if (hit->key == key && (code = hit->code) >= 0) {
                        ((int32_t *)fj->dst)[row] = code;
                        break;
                    }
                }
                /* A level met before, written as a small canonical integer
                 * (up to 4 digits: four bytes at once), by its value; then
                 * in the cache. */
                long k = LITTLE_ENDIAN_WORDS && n - 1 < 4 && end - fq >= 4
                             ? (fq[0] != '0' || n == 1) && (v = digits4(fq, n)) < SS_U16_NA
                                   ? (long)v
                                   : -1
                             : small_int(fq, n);
                if (k < 0 || (size_t)k >= fj->ndirect || (code = fj->direct[k]) < 0)
                    goto out;
                if (hit) {
                    hit->key = key;
                    hit->code = code;
                }
                ((int32_t *)fj->dst)[row] = code;
                break;
            }
            case OP_U8S:
                if (!put_u8(fj, fq, n, row, 0))
                    goto out;
#ifdef __SSE2__
                if (end - e > 16) {
                    /* The fields after it: one digit and the delimiter
                     * each, 16 bytes at once; the first that is not, and
                     * the ones after it, go round the loop. */
                    const unsigned m = fj->run;
                    const char *const f = e + 1;
                    const __m128i xv = _mm_loadu_si128((const __m128i *)(const void *)f);
                    const __m128i dg = _mm_sub_epi8(xv, _mm_set1_epi8('0'));
                    const unsigned isd = (unsigned)_mm_movemask_epi8(
                        _mm_cmpeq_epi8(_mm_min_epu8(dg, _mm_set1_epi8(9)), dg));
                    const unsigned isc = (unsigned)_mm_movemask_epi8(
                        _mm_cmpeq_epi8(xv, _mm_set1_epi8((char)delim)));
                    const unsigned all = 1u << (2 * m);
                    const unsigned k = (unsigned)__builtin_ctz(
                                           (((isd ^ 0x5555u) | (isc ^ 0xaaaau)) & (all - 1)) | all) /
                                       2;
                    /* (unrolled: the k stores alone) */
                    const fslot *const g = fj + 1;
#define U8_CELL(i) ((uint8_t *)g[i].dst)[row] = (uint8_t)(f[2 * (i)] - '0')
                    switch (k) {
                    case 8: U8_CELL(7); /* fall through */
                    case 7: U8_CELL(6); /* fall through */
                    case 6: U8_CELL(5); /* fall through */
                    case 5: U8_CELL(4); /* fall through */
                    case 4: U8_CELL(3); /* fall through */
                    case 3: U8_CELL(2); /* fall through */
                    case 2: U8_CELL(1); /* fall through */
                    case 1: U8_CELL(0); /* fall through */
                    default: break;
                    }
#undef U8_CELL
                    fj = g + k;
                    fq = f + 2 * k;
                    if (fq - bp >= 64) { /* (fq < end: a line end is last) */
                        bp += 64;
                        bits = stops_bits(bp, (size_t)(end - bp), delim, quote);
                    }
                    bits &= ~UINT64_C(0) << (fq - bp);
                    continue;
                }
#endif
                break;
            case OP_SKIPS: {
                /* The fields after it not read (c is the delimiter): each
                 * is passed when its stop is the delimiter; at another
                 * stop the loop above goes on from that field. */
                unsigned more = fj->run;
                bits &= bits - 1;
                fq = e + 1;
                fj++;
                do {
                    if (!stops_fill(&bp, &bits, end, delim, quote))
                        goto out;
                    const char *const e2 = bp + (unsigned)__builtin_ctzll(bits);
                    if ((unsigned char)*e2 != delim)
                        break;
                    bits &= bits - 1;
                    fq = e2 + 1;
                    fj++;
                } while (--more > 0);
                continue;
            }
            default: /* OP_FIELD, OP_END */
                goto out;
            }
        }
        bits &= bits - 1;
        fq = e + 1;
        fj++;
        if (c != delim) { /* the row ends: end_record and on_record */
            r->t->nrow = row + 1;
            r->lines_done++;
            r->pending_cr = c == '\r';
            fj = fs;
        }
    }
out:
    st->blk = (size_t)(bp - s);
    st->bits = bits;
    *fp = (size_t)(fq - s);
    *jp = (size_t)(fj - fs);
}

static __attribute__((noinline)) void fast_run_comma(reader *r, stops *st, size_t *fp,
                                                     size_t *jp)
{
    fast_run_in(r, st, fp, jp, ',', '"');
}

static __attribute__((noinline)) void fast_run_any(reader *r, stops *st, size_t *fp, size_t *jp)
{
    fast_run_in(r, st, fp, jp, st->delim, st->quote);
}

/* fast_run_in, with the common delimiter and quote as constants. */
static void fast_run(reader *r, stops *st, size_t *fp, size_t *jp)
{
    if (*jp >= r->nslots) /* a row with more fields than columns */
        return;
    if (st->delim == ',' && st->quote == '"')
        fast_run_comma(r, st, fp, jp);
    else
        fast_run_any(r, st, fp, jp);
}

/* libcsv's states between fields (its FIELD_NOT_BEGUN). */
enum { FIELD_NOT_BEGUN = 1 };

/* A quoted field: its opening quote is the stop e, blanks or nothing
 * between the field's start f and it.  Sets *a, *n to its text (doubled
 * quotes made single) and returns the stop after it (the delimiter or a
 * line end, past blanks), or (size_t)-1 for a field left to libcsv: a
 * quote inside an unquoted field, a line end inside the quotes, anything
 * but blanks after the closing quote (libcsv's errors, or a field that goes
 * on over the next lines). */
static __attribute__((noinline)) size_t quoted_field(reader *r, stops *st, size_t f, size_t e,
                                                     const char **a, size_t *n)
{
    const char *s = st->s;
    const unsigned char delim = st->delim, quote = st->quote;
    if (!all_blank(s + f, e - f))
        return (size_t)-1; /* a quote inside an unquoted field */
    size_t q, doubled = 0;
    for (;;) {
        q = stops_next(st);
        if (q == st->len)
            return (size_t)-1;
        unsigned char cq = (unsigned char)s[q];
        if (cq == delim)
            continue;
        if (cq != quote)
            return (size_t)-1; /* a line end inside the quotes */
        if ((unsigned char)s[q + 1] != quote) /* (s[len - 1] is a line end) */
            break;
        doubled++;
        (void)stops_next(st); /* the second quote of the pair */
    }
    size_t end = q + 1;
    while ((s[end] == ' ' || s[end] == '\t') && (unsigned char)s[end] != delim)
        end++;
    unsigned char c = (unsigned char)s[end];
    if (c != delim && !is_line_end(c))
        return (size_t)-1;
    stops_seek(st, end + 1);
    *a = s + e + 1;
    *n = q - e - 1;
    if (doubled) { /* "" stands for " */
        if (*n > r->unq_cap) {
            char *b = realloc(r->unq, *n);
            if (!b) {
                fail(r, r->record_line, "out of memory");
                return (size_t)-1;
            }
            r->unq = b;
            r->unq_cap = *n;
        }
        size_t k = 0;
        for (size_t i = 0; i < *n; i++) {
            r->unq[k++] = (*a)[i];
            i += (unsigned char)(*a)[i] == quote;
        }
        *a = r->unq;
        *n = k;
    }
    return end;
}

/* A field fast_lines gives next_field (the header, kept texts): trimmed
 * unless quoted, as libcsv hands it over. */
static __attribute__((noinline)) int generic_field(reader *r, size_t j, const char *a,
                                                   size_t n, int quoted)
{
    if (!quoted)
        trim(&a, &n);
    r->field = j;
    next_field(r, a, n, !quoted);
    return r->failed ? -1 : 0;
}

/* A data row begins in fast_lines. */
static __attribute__((noinline)) int fast_row(reader *r)
{
    r->pending_cr = 0;
    r->field = 0;
    return record_begin(r);
}

/* How fast_lines hands the fields over: to next_field (the header, and
 * every row when the cells are kept as text), or to fast_field, checking
 * their length when the lines are longer than a field may be. */
enum { SPLIT_GENERIC, SPLIT_FAST, SPLIT_FAST_LONG };

static inline __attribute__((always_inline)) size_t split_lines(reader *r,
                                                                struct csv_parser *p,
                                                                const char *s, size_t len,
                                                                int *handoff, const int mode)
{
    stops st = {.s = s, .len = len, .delim = (unsigned char)csv_get_delim(p),
                .quote = (unsigned char)csv_get_quote(p)};
    st.bits = stops_block(&st, 0);
    const unsigned char delim = st.delim, quote = st.quote;
    size_t f = 0, j = 0, row, nslots = r->nslots;
    ss_column *col = r->t->col;
    const fslot *fs = r->fs;
    for (;;) {
        if (mode == SPLIT_FAST)
            fast_run(r, &st, &f, &j);
        size_t e = stops_next(&st);
        if (e == len)
            return len;
        unsigned char c = (unsigned char)s[e];
        const char *a = s + f;
        size_t n = e - f;
        int quoted = 0;
        if (__builtin_expect(c != delim, 0)) {
            if (c == quote) {
                stops q = st; /* (st itself stays in registers) */
                e = quoted_field(r, &q, f, e, &a, &n);
                st = q;
                if (e == (size_t)-1) {
                    if (r->failed)
                        return len;
                    r->field = j;
                    p->pstate = j > 0 ? FIELD_NOT_BEGUN : ROW_NOT_BEGUN;
                    *handoff = 1;
                    return f;
                }
                c = (unsigned char)s[e];
                quoted = 1;
            } else if (j == 0 && all_blank(a, n)) { /* a line of no fields */
                on_record(c, r);
                if (r->failed)
                    return len;
                f = e + 1;
                continue;
            }
        }
        if (mode == SPLIT_GENERIC) {
            if (generic_field(r, j, a, n, quoted) != 0)
                return len;
        } else {
            if (j == 0 && fast_row(r) != 0)
                return len;
            row = r->t->nrow; /* (fast_run may have read rows) */
            col = r->t->col;
            if (mode == SPLIT_FAST_LONG && n > SS_TABLE_MAX_FIELD) {
                r->field = j;
                too_long(r);
                return len;
            }
            if (fast_field(r, col, fs, j < nslots ? j : nslots, a, n, row) != 0)
                return len;
        }
        j++;
        f = e + 1;
        if (c != delim) {
            r->field = j;
            on_record(c, r);
            if (r->failed)
                return len;
            j = 0;
            if (mode == SPLIT_GENERIC && !r->in_header && !r->keep_text)
                return f; /* the data rows after the header */
        }
    }
}

/* Complete lines s[0..len) (the last byte a CR or LF), libcsv's state
 * between rows: split as libcsv splits them (above).  Returns the bytes
 * done: len, the end of the header, or (*handoff set) where the field left
 * to libcsv starts, p's state then libcsv's after the fields before it;
 * r->failed on an error. */
static size_t fast_lines(reader *r, struct csv_parser *p, const char *s, size_t len,
                         int *handoff)
{
    r->quotes = 0; /* no field here holds a line end */
    *handoff = 0;
    if (r->in_header || r->keep_text)
        return split_lines(r, p, s, len, handoff, SPLIT_GENERIC);
    if (!r->fs && ops_init(r) != 0)
        return len;
    if (len > SS_TABLE_MAX_FIELD) {
        /* (a whole gzip'd file) the lines in the first SS_TABLE_MAX_FIELD
         * bytes, where no field is too long; or a longer line alone */
        size_t cut = SS_TABLE_MAX_FIELD;
        while (cut > 0 && !is_line_end((unsigned char)s[cut - 1]))
            cut--;
        if (cut == 0) {
            cut = SS_TABLE_MAX_FIELD + line_end(s + SS_TABLE_MAX_FIELD, len - SS_TABLE_MAX_FIELD);
            return split_lines(r, p, s, cut + 1, handoff, SPLIT_FAST_LONG);
        }
        len = cut;
    }
    return split_lines(r, p, s, len, handoff, SPLIT_FAST);
}

/* The first CR or LF of s[0..len), or len. */
static size_t line_end(const char *s, size_t len)
{
    size_t i = 0;
#ifdef __SSE2__
    const __m128i lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
    for (; i + 16 <= len; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        unsigned m = (unsigned)_mm_movemask_epi8(
            _mm_or_si128(_mm_cmpeq_epi8(x, lf), _mm_cmpeq_epi8(x, cr)));
        if (m)
            return i + (unsigned)__builtin_ctz(m);
    }
#endif
    for (; i < len; i++)
        if (is_line_end((unsigned char)s[i]))
            return i;
    return len;
}

struct source;
static long source_line0(const struct source *src);

/* buf[0..len): a chunk of src, or (src NULL) the whole input. */
static int parse_buffer(reader *r, struct csv_parser *p, const char *buf,
                        size_t len, const struct source *src)
{
    const char *nul = memchr(buf, '\0', len);
    if (nul) {
        long line = (src ? source_line0(src) : 0) + 1;
        for (const char *q = buf; q < nul; q++)
            line += *q == '\n';
        return fail(r, line, "NUL byte in the file: not a text CSV file (survstat reads CSV, "
                             "gzip'd CSV, SPSS .sav/.zsav/.por, Stata .dta, SAS .sas7bdat/.xpt)");
    }
    const char quote = (char)csv_get_quote(p);
    const unsigned char delim = (unsigned char)csv_get_delim(p);
    if (r->libcsv_only || delim == (unsigned char)quote || is_line_end(delim)) {
        /* (a delimiter that is the quote or a line end: libcsv's rules) */
        r->quotes = p->quoted || memchr(buf, quote, len) != NULL;
        return libcsv_part(r, p, buf, len);
    }
    /* The complete lines are split by fast_lines, but for the fields it
     * leaves to libcsv (with the rest of their line, and the lines a quoted
     * field goes on over); the partial line at the end goes to libcsv, and
     * the next chunk's libcsv call ends it. */
    size_t last = len; /* after the last line end */
    while (last > 0 && !is_line_end((unsigned char)buf[last - 1]))
        last--;
    size_t pos = 0;
    while (pos < len) {
        if (p->pstate == ROW_NOT_BEGUN) {
            if (pos >= last) {
                r->quotes = 0;
                return libcsv_part(r, p, buf + pos, len - pos);
            }
            int handoff;
            pos += fast_lines(r, p, buf + pos, last - pos, &handoff);
            if (r->failed)
                return -1;
            if (!handoff)
                continue;
        }
        /* libcsv to the end of the line (a quoted field may hold line
         * ends: the row then goes on over the next lines). */
        size_t end = pos + line_end(buf + pos, len - pos);
        end += end < len;
        r->quotes = 1;
        if (libcsv_part(r, p, buf + pos, end - pos) != 0)
            return -1;
        pos = end;
    }
    return 0;
}

static int read_all(FILE *fp, char **out, size_t *outlen)
{
    size_t cap = CHUNK, len = 0;
    char *buf = malloc(cap);
    if (!buf)
        return -1;
    for (;;) {
        if (len == cap) {
            char *b = realloc(buf, cap * 2);
            if (!b) {
                free(buf);
                return -1;
            }
            buf = b;
            cap *= 2;
        }
        size_t n = fread(buf + len, 1, cap - len, fp);
        len += n;
        if (n == 0)
            break;
    }
    if (ferror(fp)) {
        free(buf);
        return -1;
    }
    *out = buf;
    *outlen = len;
    return 0;
}

/* Replaces *buf (gzip data, one member or more) by what it holds. */
static int gunzip(reader *r, char **buf, size_t *len)
{
    z_stream z = {0};
    if (inflateInit2(&z, 15 + 32) != Z_OK)
        return fail(r, 0, "out of memory");
    size_t cap = *len * 4 + CHUNK, out = 0;
    char *o = malloc(cap);
    int zr = Z_OK;
    z.next_in = (unsigned char *)*buf;
    z.avail_in = (uInt)(*len > UINT32_MAX ? UINT32_MAX : *len);
    size_t left = *len - z.avail_in;
    while (o) {
        if (out == cap) {
            char *n = realloc(o, cap * 2);
            if (!n) {
                free(o);
                o = NULL;
                break;
            }
            o = n;
            cap *= 2;
        }
        size_t room = cap - out > UINT32_MAX ? UINT32_MAX : cap - out;
        z.next_out = (unsigned char *)o + out;
        z.avail_out = (uInt)room;
        zr = inflate(&z, Z_NO_FLUSH);
        out += room - z.avail_out;
        if (z.avail_in == 0 && left > 0) {
            z.avail_in = (uInt)(left > UINT32_MAX ? UINT32_MAX : left);
            left -= z.avail_in;
        }
        if (zr == Z_STREAM_END) {
            if (z.avail_in == 0 && left == 0)
                break;
            inflateReset(&z); /* another member follows (cat a.gz b.gz) */
            zr = Z_OK;
        } else if (zr != Z_OK && zr != Z_BUF_ERROR) {
            break;
        } else if (zr == Z_BUF_ERROR && z.avail_in == 0) {
            break; /* the data ends inside a member */
        }
    }
    inflateEnd(&z);
    if (!o)
        return fail(r, 0, "out of memory");
    if (zr != Z_STREAM_END) {
        free(o);
        return fail(r, 0, "gzip data: %s (a truncated or damaged .gz file)",
                    zr == Z_BUF_ERROR ? "unexpected end of data" : z.msg ? z.msg : "corrupt");
    }
    free(*buf);
    *buf = o;
    *len = out;
    return 0;
}

int ss_table_sniff(const unsigned char *b, size_t n)
{
    static const unsigned char sas[] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                        0x00, 0x00, 0x00, 0x00, 0xc2, 0xea, 0x81, 0x60,
                                        0xb3, 0x14, 0x11, 0xcf, 0xbd, 0x92, 0x08, 0x00,
                                        0x09, 0xc7, 0x31, 0x8c, 0x18, 0x1f, 0x10, 0x11};
    if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b)
        return SS_FORMAT_GZIP;
    if (n >= 4 && (memcmp(b, "$FL2", 4) == 0 || memcmp(b, "$FL3", 4) == 0))
        return SS_FORMAT_SAV;
    if (n >= 11 && memcmp(b, "<stata_dta>", 11) == 0)
        return SS_FORMAT_DTA;
    /* Stata 8-12: its format (104-115), byte order (1, 2), type 1. */
    if (n >= 4 && b[0] >= 104 && b[0] <= 115 && (b[1] == 1 || b[1] == 2) && b[2] == 1 &&
        b[3] == 0)
        return SS_FORMAT_DTA;
    if (n >= sizeof sas && memcmp(b, sas, sizeof sas) == 0)
        return SS_FORMAT_SAS7BDAT;
    if (n >= 80 && (memcmp(b, "HEADER RECORD*******LIBRARY HEADER RECORD!!!!!!!", 48) == 0 ||
                    memcmp(b, "HEADER RECORD*******LIBV8   HEADER RECORD!!!!!!!", 48) == 0))
        return SS_FORMAT_XPT;
    for (size_t i = 0; i + 8 <= n && i < 1024; i++) /* after 200 + 256 bytes, with line ends */
        if (b[i] == 'S' && memcmp(b + i, "SPSSPORT", 8) == 0 && i >= 400)
            return SS_FORMAT_POR;
    if (memchr(b, 0, n))
        return SS_FORMAT_BINARY;
    return SS_FORMAT_CSV;
}

static int convert_encoding(reader *r, const char *enc, char **buf, size_t *len)
{
    iconv_t cd = iconv_open("UTF-8", enc);
    if (cd == (iconv_t)-1)
        return fail(r, 0, "unknown encoding '%s'", enc);
    size_t cap = *len * 2 + 16, outleft = cap;
    char *out = malloc(cap);
    if (!out) {
        iconv_close(cd);
        return fail(r, 0, "out of memory");
    }
    char *in = *buf, *o = out;
    size_t inleft = *len;
    while (inleft > 0) {
        if (iconv(cd, &in, &inleft, &o, &outleft) == (size_t)-1) {
            if (errno == E2BIG) {
                size_t used = (size_t)(o - out);
                cap *= 2;
                char *n = realloc(out, cap);
                if (!n) {
                    free(out);
                    iconv_close(cd);
                    return fail(r, 0, "out of memory");
                }
                out = n;
                o = out + used;
                outleft = cap - used;
                continue;
            }
            long line = 1;
            for (char *q = *buf; q < in; q++)
                line += *q == '\n';
            free(out);
            iconv_close(cd);
            return fail(r, line, "invalid %s byte sequence", enc);
        }
    }
    iconv_close(cd);
    free(*buf);
    *buf = out;
    *len = (size_t)(o - out);
    return 0;
}

static int is_utf8_name(const char *enc)
{
    return !enc || strcasecmp(enc, "utf-8") == 0 || strcasecmp(enc, "utf8") == 0;
}

/* Line ends in s[0..len), sixteen bytes at a time where SSE2 is there:
 * with crs 0, the '\n' bytes; with crs 1, the newlines a parser sees,
 * '\n', '\r' and CRLF once each, prev being the byte before s (a '\n'
 * right after a '\r' is not counted). */
static size_t count_ends(const char *s, size_t len, int crs, char prev)
{
    size_t n = 0, i = 0;
#ifdef __SSE2__
    const __m128i lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
    if (crs && len > 0) {
        n += s[0] == '\r' || (s[0] == '\n' && prev != '\r');
        i = 1;
    }
    while (i + 16 <= len) {
        /* Bytes counted per lane, at most 255 blocks before summing. */
        __m128i acc = _mm_setzero_si128();
        size_t stop = i + 16 * 255 < len ? i + 16 * 255 : len;
        for (; i + 16 <= stop; i += 16) {
            __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
            __m128i m = _mm_cmpeq_epi8(a, lf);
            if (crs) {
                __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(s + i - 1));
                m = _mm_or_si128(_mm_cmpeq_epi8(a, cr),
                                 _mm_andnot_si128(_mm_cmpeq_epi8(b, cr), m));
            }
            acc = _mm_sub_epi8(acc, m);
        }
        __m128i sum = _mm_sad_epu8(acc, _mm_setzero_si128());
        n += (size_t)_mm_cvtsi128_si32(sum) + (size_t)_mm_extract_epi16(sum, 4);
    }
#endif
    for (; i < len; i++) {
        char c = s[i], b = i ? s[i - 1] : prev;
        n += c == '\n' ? !crs || b != '\r' : crs && c == '\r';
    }
    return n;
}

static long count_lf(const char *s, size_t len)
{
    return (long)count_ends(s, len, 0, 0);
}

/* Chunks of the input: a stream (fp), or bytes [pos, end) of a regular
 * file read with pread, so that two threads can read one file. */
typedef struct source {
    FILE *fp;
    int fd;
    off_t pos, end;
    char *buf;
    long line0;      /* '\n' bytes before the current chunk (for messages),
                      * counted on a stream; from a file: before byte start */
    off_t start, at; /* a file: where the source and the current chunk begin */
    size_t total;    /* bytes parsed */
    int first;       /* the next chunk is the start of the file */
} source;

/* The '\n' bytes before src's current chunk (for a message): from a file
 * counted only when asked. */
static long source_line0(const source *src)
{
    if (src->fp)
        return src->line0;
    long n = src->line0;
    char *b = malloc(CHUNK);
    for (off_t from = src->start; b && from < src->at;) {
        size_t want = src->at - from < CHUNK ? (size_t)(src->at - from) : CHUNK;
        ssize_t got = pread(src->fd, b, want, from);
        if (got <= 0)
            break;
        n += count_lf(b, (size_t)got);
        from += got;
    }
    free(b);
    return n;
}

/* Parse the next chunk: 1 when one was parsed, 0 at the end, -1 failed. */
/* "UTF-16LE" or "UTF-16BE" when b, the start of a file, looks like UTF-16
 * text: a byte-order mark (*bom set), or every other byte NUL (the ASCII
 * of a CSV in UTF-16); NULL otherwise. */
static const char *utf16_guess(const char *b, size_t n, int *bom)
{
    const unsigned char *u = (const unsigned char *)b;
    *bom = n >= 2 && ((u[0] == 0xff && u[1] == 0xfe) || (u[0] == 0xfe && u[1] == 0xff));
    if (*bom)
        return u[0] == 0xff ? "UTF-16LE" : "UTF-16BE";
    size_t le = 0, be = 0, pairs = n / 2 < 4096 ? n / 2 : 4096;
    for (size_t i = 0; i < pairs; i++) {
        le += u[2 * i] != 0 && u[2 * i + 1] == 0;
        be += u[2 * i] == 0 && u[2 * i + 1] != 0;
    }
    if (pairs >= 2 && 2 * le >= pairs && 10 * be <= le)
        return "UTF-16LE";
    if (pairs >= 2 && 2 * be >= pairs && 10 * le <= be)
        return "UTF-16BE";
    return NULL;
}

/* A file read as UTF-8 that is UTF-16: say so (else its first NUL byte
 * would call it "not a text CSV file"). */
static int refuse_utf16(reader *r, const char *b, size_t n)
{
    int bom;
    const char *enc = utf16_guess(b, n, &bom);
    if (!enc)
        return 0;
    return fail(r, 0, "the file looks like %s text (%s): give --encoding %s, or save it as UTF-8",
                enc, bom ? "it starts with a UTF-16 byte-order mark" : "NUL bytes between its characters",
                enc);
}

/* The encoding to give iconv for a UTF-16 file: "UTF-16" without a
 * byte-order mark is taken as the byte order its NUL bytes show (iconv
 * would assume one); an explicit UTF-16LE or UTF-16BE that the bytes
 * contradict is an error that names the other.  Returns enc, the guess,
 * or NULL after fail(). */
static const char *utf16_encoding(reader *r, const char *enc, const char *b, size_t n)
{
    char norm[16];
    size_t k = 0;
    for (const char *q = enc; *q && k + 1 < sizeof norm; q++)
        if (*q != '-' && *q != '_')
            norm[k++] = (char)toupper((unsigned char)*q);
    norm[k] = '\0';
    if (strlen(enc) > 12 || strncmp(norm, "UTF16", 5) != 0 ||
        (norm[5] && strcmp(norm + 5, "LE") != 0 && strcmp(norm + 5, "BE") != 0))
        return enc;
    int bom;
    const char *guess = utf16_guess(b, n, &bom);
    if (!guess)
        return enc;
    if (!norm[5])
        return bom ? enc : guess;
    if (strcmp(norm + 5, guess + 6) != 0) {
        fail(r, 0, "--encoding %s: the file looks like %s text (%s): give --encoding %s", enc,
             guess, bom ? "its byte-order mark" : "the places of its NUL bytes", guess);
        return NULL;
    }
    return enc;
}

static int parse_chunk(reader *r, struct csv_parser *p, source *src)
{
    size_t n;
    if (src->fp) {
        n = fread(src->buf, 1, CHUNK, src->fp);
        if (n == 0)
            return ferror(src->fp) ? fail(r, 0, "read error: %s", strerror(errno)) : 0;
    } else {
        if (src->pos >= src->end)
            return 0;
        size_t want = src->end - src->pos < CHUNK ? (size_t)(src->end - src->pos) : CHUNK;
        ssize_t got = pread(src->fd, src->buf, want, src->pos);
        if (got < 0)
            return fail(r, 0, "read error: %s", strerror(errno));
        if (got == 0) {
            src->end = src->pos;
            return 0;
        }
        n = (size_t)got;
        src->at = src->pos;
        src->pos += got;
    }
    size_t skip = 0;
    if (src->first) {
        src->first = 0;
        if (n >= 2 && (unsigned char)src->buf[0] == 0x1f && (unsigned char)src->buf[1] == 0x8b)
            return fail(r, 0, "gzip-compressed data: decompress it first (gunzip)");
        if (n >= 3 && memcmp(src->buf, "\xef\xbb\xbf", 3) == 0)
            skip = 3;
        else if (refuse_utf16(r, src->buf, n) != 0)
            return -1;
    }
    src->total += n - skip;
    if (parse_buffer(r, p, src->buf + skip, n - skip, src) != 0)
        return -1;
    if (src->fp)
        src->line0 += count_lf(src->buf + skip, n - skip);
    return 1;
}

static void parser_init(struct csv_parser *p, const ss_read_options *opt)
{
    csv_init(p, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL | CSV_APPEND_NULL);
    csv_set_delim(p, (unsigned char)(opt->delimiter ? opt->delimiter : ','));
}

/* The end of the input: an open quote is an error. */
static void parse_end(reader *r, struct csv_parser *p)
{
    if (!r->failed && csv_fini(p, on_field, on_record, r) != 0 && !r->failed) {
        long line = r->field > 0 ? r->record_line : r->lines_done + 1;
        fail(r, line, "unterminated quoted field");
    }
}

/* ---- two threads ----
 *
 * A large regular file is read in two halves at once.  The main thread
 * parses the header and the first chunk, starts a second thread on the
 * rest of the file from just after a newline near its middle, and parses
 * the first half.  Both write into the same column arrays, sized before
 * for every row the rest of the file can hold (a row takes at least one
 * byte per column): the second thread from row `base`, the rows so far
 * plus the line ends in the first half, which its rows cannot outnumber.
 * In a file without blank lines or newlines inside quotes that is where
 * one thread would put them, and nothing is copied.  The second thread
 * has dictionaries of its own and numbers lines as if its part followed a
 * one-line header.
 *
 * Its part is kept only when the main thread's parser ended its half
 * exactly between records (a newline inside a quoted field fails this, and
 * the main thread then parses the rest itself, over it).  It is then
 * joined on: moved down when the first half had fewer rows than line ends,
 * its level codes mapped into the main dictionaries (new levels in order
 * of first appearance, the codes one thread would give), its line breaks
 * shifted.  So the table is the same whatever the thread count.
 * SURVSTAT_THREADS=1 forces one thread. */

enum { THREAD_MIN_BYTES = 4u << 20, SPLIT_WINDOW = 1u << 16 };

typedef struct half {
    reader r;
    ss_table t;         /* its columns point into the main table's */
    ss_error err;
    source src;
    struct csv_parser p;
    size_t base;        /* the main table's row for its first row */
    size_t cap_all;     /* rows allocated in the shared columns */
    pthread_t tid;
    int running;
    int dropped;        /* its part is parsed again by the main thread */
    atomic_size_t done; /* bytes parsed, for the progress bar */
    atomic_int stop;    /* set by the main thread: give up */
} half;

static void half_free(half *h)
{
    for (size_t i = 0; i < h->t.ncol; i++) { /* borrowed from the main table */
        h->t.col[i].name = NULL;
        store_set(&h->t.col[i], SS_STORE_DOUBLE, NULL);
        h->t.col[i].code = NULL;
        h->t.col[i].na = NULL;
    }
    h->t.file = NULL;
    direct_free(&h->r, h->t.ncol);
    fslots_free(&h->r);
    free(h->r.unq);
    ss_table_free(&h->t);
    csv_free(&h->p);
    free(h->src.buf);
}

/* Wait for the second thread (stopping it first when stop is set). */
static void half_join(half *h, int stop)
{
    if (!h->running)
        return;
    if (stop)
        atomic_store(&h->stop, 1);
    pthread_join(h->tid, NULL);
    h->running = 0;
}

/* The main thread has filled its share of the columns (which the line
 * ends of its half should not allow): drop the second thread's part, and
 * the whole columns are the main thread's again. */
static int half_give_up(reader *r)
{
    half *h = r->h;
    half_join(h, 1);
    h->dropped = 1;
    r->fixed = 0;
    r->cap_rows = h->cap_all;
    stores_main_only(r);
    return 0;
}

/* Line ends in bytes [from, to) of fd, as count_ends counts them. */
static int count_file_ends(int fd, off_t from, off_t to, char *buf, size_t *ends)
{
    char prev = 0;
    if (from > 0 && pread(fd, &prev, 1, from - 1) != 1)
        return -1;
    *ends = 0;
    while (from < to) {
        size_t want = to - from < CHUNK ? (size_t)(to - from) : CHUNK;
        ssize_t got = pread(fd, buf, want, from);
        if (got <= 0)
            return -1;
        *ends += count_ends(buf, (size_t)got, 1, prev);
        prev = buf[got - 1];
        from += got;
    }
    return 0;
}

/* Set up the second thread for bytes [split, size) of fd, the main thread
 * being at byte from: size the shared columns, find its first row. */
static int half_init(half *h, reader *r1, int fd, off_t from, off_t split, off_t size)
{
    memset(h, 0, sizeof *h);
    ss_table *t = r1->t;
    parser_init(&h->p, r1->opt);
    h->src.buf = malloc(CHUNK);
    size_t ends;
    if (!h->src.buf || count_file_ends(fd, from, split, h->src.buf, &ends) != 0)
        return -1;
    size_t ncol = t->ncol ? t->ncol : 1;
    size_t most1 = (size_t)(split - from) / ncol + 1; /* rows [from, split) can hold */
    h->base = t->nrow + (ends < most1 ? ends : most1);
    /* The second half's rows: at most a row per ncol bytes, and with rows
     * like the first half's about as many per byte as there, with a margin
     * (a second half that holds more overflows and is read again by the
     * main thread).  Rows allocated but never written cost no memory, but
     * on huge pages every column's unwritten tail near its end does. */
    size_t most2 = (size_t)(size - split) / ncol + 4;
    double per = (double)ends / (double)(split - from);
    size_t like1 = (size_t)((double)(size - split) * per * 1.03) + 1024;
    h->cap_all = h->base + (like1 < most2 ? like1 : most2);
    if (r1->cap_rows < h->cap_all && resize_rows(r1, h->cap_all) != 0)
        return -1;
    h->t.file = t->file;
    h->t.col = calloc(ncol, sizeof *h->t.col);
    if (!h->t.col)
        return -1;
    h->t.ncol = t->ncol;
    if (direct_init(&h->r, t->ncol) != 0)
        return -1;
    for (size_t i = 0; i < t->ncol; i++) {
        ss_column *c = &t->col[i], *d = &h->t.col[i];
        d->name = c->name;
        d->need = c->need;
        d->na = c->na;
        if (c->need & SS_NEED_PACKED)
            store_set(d, c->store, (char *)store_array(c) + h->base * store_bytes[c->store]);
        else
            d->num = c->num ? c->num + h->base : NULL;
        d->code = c->code ? c->code + h->base : NULL;
        if ((c->need & SS_NEED_CATEGORY) && ss_dict_init(&d->levels) != 0)
            return -1;
    }
    h->r.t = &h->t;
    h->r.opt = r1->opt;
    h->r.err = &h->err;
    h->r.lines_done = 1; /* the part starts on "line 2" */
    h->r.slot = r1->slot;
    h->r.nslots = r1->nslots;
    h->r.libcsv_only = r1->libcsv_only;
    h->r.stores = r1->stores;
    h->r.base = h->base;
    h->r.cap_rows = h->cap_all - h->base;
    h->r.fixed = 1;
    h->src.fd = fd;
    h->src.pos = h->src.start = split;
    h->src.end = size;
    h->src.line0 = 1;
    return 0;
}

static void *half_run(void *arg)
{
    half *h = arg;
    int rc = 0;
    while (!atomic_load(&h->stop) && (rc = parse_chunk(&h->r, &h->p, &h->src)) > 0)
        atomic_store(&h->done, h->src.total);
    if (!atomic_load(&h->stop) && rc == 0)
        parse_end(&h->r, &h->p);
    return NULL;
}

/* Join the second part onto the main table; lines1 is the count of lines
 * before it. */
static int half_merge(reader *r, half *h, long lines1)
{
    ss_table *t = r->t;
    const ss_table *u = &h->t;
    const size_t n1 = t->nrow, n2 = u->nrow, base = h->base;
    for (size_t i = 0; i < t->ncol; i++) {
        ss_column *c = &t->col[i];
        const ss_column *d = &u->col[i];
        if (c->need == SS_NEED_PRESENT) {
            ss_column *dm = &h->t.col[i]; /* its first bad cell moves here */
            if (!c->nmissing && d->nmissing)
                c->first_missing = n1 + d->first_missing;
            if (!c->bad_text && d->bad_text) {
                c->bad_text = dm->bad_text;
                c->bad_len = dm->bad_len;
                c->bad_row = n1 + dm->bad_row;
                dm->bad_text = NULL;
            }
        }
        c->nmissing += d->nmissing;
        if (c->need & SS_NEED_CATEGORY) {
            int32_t *map = malloc((d->levels.n ? d->levels.n : 1) * sizeof *map);
            if (!map)
                return fail(r, 0, "out of memory");
            for (size_t l = 0; l < d->levels.n; l++)
                if ((map[l] = ss_dict_intern(&c->levels, d->levels.str[l], d->levels.len[l])) < 0) {
                    free(map);
                    return fail(r, 0, "out of memory");
                }
            /* In place, or down to row n1 <= base (forward is safe). */
            for (size_t k = 0; k < n2; k++)
                c->code[n1 + k] = map[c->code[base + k]];
            free(map);
        } else if ((c->need & SS_NEED_NUMBER) && n1 != base) {
            memmove(c->num + n1, c->num + base, n2 * sizeof *c->num);
        } else if ((c->need & SS_NEED_PACKED) && typed_merge(r, i, n1, d, base, n2) != 0) {
            return fail(r, 0, "out of memory");
        }
    }
    /* Row k of the half starts on its line k + 2 + shift, which is line
     * k + 2 + shift + lines1 - 1 of the file. */
    const long shift0 = lines1 - 1 - (long)n1;
    if (reserve_breaks(t, t->nbreak + u->nbreak + 1) != 0)
        return fail(r, 0, "out of memory");
    long cur = t->nbreak ? t->break_shift[t->nbreak - 1] : 0;
    if (shift0 != cur && !(u->nbreak && u->break_row[0] == 0)) {
        t->break_row[t->nbreak] = n1;
        t->break_shift[t->nbreak++] = shift0;
    }
    for (size_t j = 0; j < u->nbreak; j++) {
        t->break_row[t->nbreak] = n1 + u->break_row[j];
        t->break_shift[t->nbreak++] = shift0 + u->break_shift[j];
    }
    t->nrow = n1 + n2;
    return 0;
}

/* Where the second half starts: just after the first newline at or after
 * the middle of [from, size), or -1. */
static off_t split_point(int fd, off_t from, off_t size)
{
    off_t mid = from + (size - from) / 2;
    char *w = malloc(SPLIT_WINDOW);
    if (!w)
        return -1;
    ssize_t got = pread(fd, w, SPLIT_WINDOW, mid);
    const char *nl = got > 0 ? memchr(w, '\n', (size_t)got) : NULL;
    off_t at = nl ? mid + (nl - w) + 1 : -1;
    free(w);
    return at > from && at < size ? at : -1;
}

/* Rows that `bytes` more of the file will hold, by the rows per byte so
 * far, with a margin (columns still grow if it falls short). */
static size_t rows_for(const reader *r, size_t seen, off_t bytes)
{
    if (r->t->nrow < 16 || seen == 0)
        return 0;
    double per = (double)r->t->nrow / (double)seen;
    return (size_t)((double)bytes * per * 1.03) + 1024;
}

/* The packed values live on the heap, whose pages are huge (ss_mem_init),
 * rather than in 512 KB of static storage (128 faults of 4 KB pages, a
 * tenth of a small run's); the static array is the fallback. */
static double packed_static[65536];
double *ss_packed_value = packed_static;
double ss_u8_value[256];
static pthread_once_t packed_once = PTHREAD_ONCE_INIT;

/* The value of every packed code (as typed_field's cell parses) and of
 * every byte of SS_STORE_U8. */
static void packed_init(void)
{
    double *heap = malloc(65536 * sizeof *heap);
    if (heap)
        ss_packed_value = heap;
    for (unsigned u = 0; u < 256; u++)
        ss_u8_value[u] = u == SS_U8_NA ? NAN : (double)u;
    /* The codes of m >= 0, then those of -m: the same value negated (as
     * ss_number_short_value gives it), but for m = -8192. */
    for (unsigned u = 0; u < 32768; u++)
        ss_packed_value[u] = ss_number_short_value(u >> 2, u & 3, 0);
    ss_packed_value[(uint16_t)SS_PACKED_NA] = NAN;
    for (int p = SS_PACKED_NA + 1; p < 0; p++) {
        int k = p & 3, m = (p - k) / 4;
        ss_packed_value[(uint16_t)p] = -m * 4 + k < 32768
                                           ? -ss_packed_value[-m * 4 + k]
                                           : ss_number_short_value((uint64_t)-m, (unsigned)k, 1);
    }
}

int ss_table_read_text(ss_table *t, const char *path, const ss_read_options *opt,
                       const ss_request *req, size_t nreq, int *fmt, ss_error *err)
{
    pthread_once(&packed_once, packed_init);
    *fmt = SS_FORMAT_CSV;
    memset(t, 0, sizeof *t);
    const char *shown = strcmp(path, "-") == 0 ? "<stdin>" : path;
    t->file = strdup(shown);
    if (!t->file)
        return ss_error_set(err, SS_EDATA, shown, 0, "out of memory");

    reader r = {0};
    r.t = t;
    r.opt = opt;
    r.req = req;
    r.nreq = nreq;
    r.err = err;
    r.in_header = 1;
    r.keep_text = opt->keep_text;
    const char *parser = getenv("SURVSTAT_PARSER");
    r.libcsv_only = parser && strcmp(parser, "libcsv") == 0;
    FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!fp) {
        return ss_error_set(err, SS_EDATA, shown, 0, "cannot open: %s", strerror(errno));
    }

    struct stat sb;
    /* A file whose size says 0 may still have content (/proc files): it
     * is read as a stream, to its end, like a pipe. */
    int regular = fp != stdin && fstat(fileno(fp), &sb) == 0 && S_ISREG(sb.st_mode) &&
                  sb.st_size > 0;
    /* What the file is, by its first bytes (on a pipe, its first byte). */
    int format = SS_FORMAT_CSV;
    if (regular) {
        unsigned char head[1024];
        ssize_t got = pread(fileno(fp), head, sizeof head, 0);
        if (got > 0)
            format = ss_table_sniff(head, (size_t)got);
    } else {
        int ch = getc(fp);
        if (ch != EOF)
            ungetc(ch, fp);
        if (ch == 0x1f)
            format = SS_FORMAT_GZIP;
    }
    if (format != SS_FORMAT_CSV && format != SS_FORMAT_GZIP && format != SS_FORMAT_BINARY) {
        fclose(fp);
        free(t->file);
        t->file = NULL;
        *fmt = format; /* not text: ss_table_read hands it to ReadStat */
        return SS_TABLE_NOT_TEXT;
    }

    struct csv_parser p;
    parser_init(&p, opt);
    char *buf = NULL;
    size_t len = 0;
    int rc = 0;
    size_t total = 0;
    if (!is_utf8_name(opt->encoding) || format == SS_FORMAT_GZIP) {
        /* The whole file, uncompressed and converted, then parsed. */
        if (read_all(fp, &buf, &len) != 0)
            rc = fail(&r, 0, "read error: %s", strerror(errno));
        else if (len >= 2 && (unsigned char)buf[0] == 0x1f && (unsigned char)buf[1] == 0x8b)
            rc = gunzip(&r, &buf, &len);
        if (rc == 0 && !is_utf8_name(opt->encoding)) {
            const char *enc = utf16_encoding(&r, opt->encoding, buf, len);
            rc = enc ? convert_encoding(&r, enc, &buf, &len) : -1;
        } else if (rc == 0 && refuse_utf16(&r, buf, len) != 0) {
            rc = -1;
        }
        if (rc == 0) {
            size_t skip = len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
            total = len - skip;
            rc = parse_buffer(&r, &p, buf + skip, len - skip, NULL);
        }
        if (rc == 0)
            parse_end(&r, &p);
    } else {
        source src = {0};
        src.first = 1;
        src.buf = malloc(CHUNK);
        if (regular) {
            src.fd = fileno(fp);
            src.end = sb.st_size;
        } else {
            src.fp = fp;
        }
        const off_t size = regular ? sb.st_size : 0;
        int try_threads = regular && !opt->keep_text && size >= (off_t)THREAD_MIN_BYTES &&
                          ss_thread_count() > 1;
        half *h = NULL;
        int sized = 0;
        if (!src.buf)
            rc = fail(&r, 0, "out of memory");
        while (rc == 0) {
            rc = parse_chunk(&r, &p, &src);
            if (rc <= 0)
                break;
            rc = 0;
            if (opt->progress && size > 0)
                opt->progress(opt->progress_ctx,
                              (double)(src.total + (h ? atomic_load(&h->done) : 0)) / (double)size);
            if (sized || r.in_header || !regular)
                continue;
            /* After the header and the first chunk: perhaps start the
             * second thread, else size the columns for the rows to come. */
            sized = 1;
            off_t split = try_threads ? split_point(src.fd, src.pos, size) : -1;
            if (split > 0) {
                h = malloc(sizeof *h);
                if (!h || half_init(h, &r, src.fd, src.pos, split, size) != 0 ||
                    pthread_create(&h->tid, NULL, half_run, h) != 0) {
                    if (h)
                        half_free(h);
                    free(h);
                    h = NULL;
                } else {
                    h->running = 1;
                    r.h = h;
                    r.fixed = 1;
                    r.cap_rows = h->base;
                    src.end = split;
                }
            }
            if (!h && reserve_rows(&r, t->nrow + rows_for(&r, src.total, size - src.pos)) != 0)
                rc = -1;
        }
        if (h) {
            half_join(h, r.failed);
            if (r.fixed) {
                r.fixed = 0;
                r.cap_rows = h->cap_all;
            }
            r.h = NULL;
            if (!h->dropped && !h->r.overflow && !r.failed && p.pstate == 0 && r.field == 0) {
                /* The main half ended between records: the second stands. */
                total += h->src.total;
                if (h->r.failed) {
                    if (err)
                        *err = h->err;
                    if (err->line > 0)
                        err->line += r.lines_done - 1;
                    r.failed = 1;
                } else if (half_merge(&r, h, r.lines_done) == 0) {
                    r.lines_done += h->r.lines_done - 1;
                }
            } else if (!r.failed) {
                /* The split fell inside a quoted field: read on alone. */
                stores_main_only(&r);
                src.end = size;
                while ((rc = parse_chunk(&r, &p, &src)) > 0)
                    if (opt->progress)
                        opt->progress(opt->progress_ctx, (double)src.total / (double)size);
            }
            half_free(h);
            free(h);
        }
        total += src.total;
        buf = src.buf;
        if (rc == 0 && !r.failed)
            parse_end(&r, &p);
    }
    csv_free(&p);
    free(buf);
    if (fp != stdin)
        fclose(fp);

    if (!r.failed) {
        if (total == 0 || (r.in_header && r.nnames == 0))
            fail(&r, 0, "empty file");
        else if (t->nrow == 0)
            fail(&r, 0, "no data rows (header only)");
    }
    if (!r.failed && r.cap_rows > t->nrow + 4096)
        (void)resize_rows(&r, t->nrow); /* the rest was never touched */
    if (!r.failed)
        finish(&r);
    if (!r.failed && finish_labels(t, opt, err) != SS_OK)
        r.failed = 1;

    for (size_t i = 0; i < r.nnames; i++)
        free(r.names[i]);
    free(r.names);
    free(r.slot);
    fslots_free(&r);
    free(r.unq);
    direct_free(&r, t->ncol);
    stores_free(r.stores, t);
    return r.failed ? (err && err->code ? err->code : SS_EDATA) : SS_OK;
}

void ss_table_free(ss_table *t)
{
    if (!t)
        return;
    if (t->borrowed) {
        memset(t, 0, sizeof *t);
        return;
    }
    for (size_t i = 0; i < t->ncol; i++) {
        ss_column *c = &t->col[i];
        free(c->name);
        free(c->num);
        free(c->u8);
        free(c->u16);
        free(c->packed);
        free(c->i32);
        free(c->code);
        free(c->level_num);
        free(c->level_count);
        ss_dict_free(&c->levels);
        na_free(c->na);
        free(c->label);
        for (size_t k = 0; k < c->nvlabel; k++) {
            free(c->vlabel[k].code);
            free(c->vlabel[k].label);
        }
        free(c->vlabel);
        free(c->level_label);
        free(c->missing_decl);
        free(c->bad_text);
    }
    free(t->col);
    free(t->break_row);
    free(t->break_shift);
    free(t->text);
    free(t->row_text);
    free(t->file);
    memset(t, 0, sizeof *t);
}

ss_column *ss_table_find(const ss_table *t, const char *name)
{
    for (size_t i = 0; i < t->ncol; i++)
        if (strcmp(t->col[i].name, name) == 0)
            return &t->col[i];
    return NULL;
}

long ss_table_line(const ss_table *t, size_t row)
{
    size_t lo = 0, hi = t->nbreak;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t->break_row[mid] <= row)
            lo = mid + 1;
        else
            hi = mid;
    }
    long shift = lo ? t->break_shift[lo - 1] : 0;
    return (long)row + 2 + shift;
}

static _Thread_local const ss_column *sort_col; /* estimates sort in two threads */

static int cmp_level(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    const ss_column *c = sort_col;
    if (c->numeric) {
        double u = c->level_num[x], v = c->level_num[y];
        if (u != v)
            return u < v ? -1 : 1;
    }
    int s = strcmp(c->levels.str[x], c->levels.str[y]);
    return s;
}

size_t ss_column_level_order(const ss_column *col, int32_t *order)
{
    size_t k = 0;
    for (size_t l = 0; l < col->levels.n; l++)
        if (col->level_count[l] > 0)
            order[k++] = (int32_t)l;
    sort_col = col;
    qsort(order, k, sizeof *order, cmp_level);
    sort_col = NULL;
    return k;
}
