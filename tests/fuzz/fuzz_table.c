/* libFuzzer harness: the CSV ingest (ss_table_read).  The first byte picks
 * the options (delimiter, every column as categories with their text, an
 * --na code, GB18030), the rest is the file.  Columns "a" and "b" are asked
 * for as numbers and categories when the mode reads named columns, "a"
 * typed (SS_NEED_PACKED: in the narrowest storage, widened as values come)
 * or not.  Differential: the file is read again with every line through
 * libcsv (SURVSTAT_PARSER=libcsv) and "a" as doubles, and the two tables
 * (or errors) must be the same to the bit. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "ss_table.h"

static int has_numbers(const ss_column *c)
{
    return c->num || c->u8 || c->u16 || c->packed || c->i32;
}

static int same_tables(const ss_table *x, const ss_table *y)
{
    if (x->nrow != y->nrow || x->ncol != y->ncol)
        return 0;
    for (size_t r = 0; r < x->nrow; r++)
        if (ss_table_line(x, r) != ss_table_line(y, r))
            return 0;
    for (size_t c = 0; c < x->ncol; c++) {
        const ss_column *a = &x->col[c], *b = &y->col[c];
        if (strcmp(a->name, b->name) != 0 || a->nmissing != b->nmissing)
            return 0;
        if ((a->code != NULL) != (b->code != NULL) || a->levels.n != b->levels.n)
            return 0;
        for (size_t l = 0; l < a->levels.n; l++)
            if (a->levels.len[l] != b->levels.len[l] ||
                memcmp(a->levels.str[l], b->levels.str[l], a->levels.len[l]) != 0)
                return 0;
        for (size_t r = 0; r < x->nrow && a->code; r++)
            if (a->code[r] != b->code[r])
                return 0;
        if (has_numbers(a) != has_numbers(b))
            return 0;
        for (size_t r = 0; r < x->nrow && has_numbers(a); r++) {
            double u = ss_column_num(a, r), v = ss_column_num(b, r);
            if (memcmp(&u, &v, sizeof u) != 0 && !(isnan(u) && isnan(v)))
                return 0;
        }
    }
    /* keep_text: every row's cells, as read. */
    if ((x->text != NULL) != (y->text != NULL) || x->text_len != y->text_len ||
        (x->text && memcmp(x->text, y->text, x->text_len) != 0))
        return 0;
    for (size_t r = 0; r < x->nrow && x->text; r++)
        if (x->row_text[r] != y->row_text[r])
            return 0;
    return 1;
}

/* Whether the header (the first line of the file, fields split at delim,
 * blanks around them dropped, no quotes) has a field `name`. */
static int header_has(const uint8_t *d, size_t n, char delim, const char *name)
{
    size_t len = strlen(name), i = 0;
    while (i < n && d[i] != '\n' && d[i] != '\r') {
        size_t a = i;
        while (i < n && d[i] != (uint8_t)delim && d[i] != '\n' && d[i] != '\r')
            i++;
        size_t b = i;
        while (a < b && (d[a] == ' ' || d[a] == '\t'))
            a++;
        while (b > a && (d[b - 1] == ' ' || d[b - 1] == '\t'))
            b--;
        if (b - a == len && memcmp(d + a, name, len) == 0)
            return 1;
        if (i < n && d[i] == (uint8_t)delim)
            i++;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned mode = data[0];
    char path[64];
    int fd = fuzz_file(data + 1, size - 1, path, sizeof path);
    if (fd < 0)
        return 0;
    static const char *const na[] = {"-9", "missing"};
    static const char delims[] = {',', ';', '\t', '|'};
    ss_read_options ro = {0};
    ro.delimiter = delims[mode & 3];
    ro.all_columns = (mode >> 2) & 1;
    ro.keep_text = ro.all_columns && ((mode >> 3) & 1);
    ro.na = na;
    ro.nna = (mode >> 4) & 1 ? 2 : 0;
    ro.encoding = (mode >> 5) & 1 ? "GB18030" : NULL;
    const unsigned a_need = (mode >> 7) & 1 ? SS_NEED_PACKED : SS_NEED_NUMBER;
    ss_request req[6] = {{"a", a_need}, {"b", SS_NEED_CATEGORY}, {"a", SS_NEED_CATEGORY}};
    ss_request req2[6] = {{"a", SS_NEED_NUMBER}, {"b", SS_NEED_CATEGORY}, {"a", SS_NEED_CATEGORY}};
    size_t nreq = ro.all_columns ? 0 : (mode >> 6) & 1 ? 3 : 1;
    /* With the three requests, the header's columns c, d and e as "a"
     * (runs of typed columns side by side: fast_run's one-byte runs). */
    static const char *const more[] = {"c", "d", "e"};
    for (size_t k = 0, three = nreq == 3; three && k < 3; k++)
        if (header_has(data + 1, size - 1, ro.delimiter, more[k])) {
            req[nreq] = (ss_request){more[k], a_need};
            req2[nreq++] = (ss_request){more[k], SS_NEED_NUMBER};
        }
    ss_table t, t2;
    ss_error err, err2;
    ss_error_clear(&err);
    ss_error_clear(&err2);
    int rc = ss_table_read(&t, path, &ro, req, nreq, &err);
    setenv("SURVSTAT_PARSER", "libcsv", 1);
    int rc2 = ss_table_read(&t2, path, &ro, req2, nreq, &err2);
    unsetenv("SURVSTAT_PARSER");
    if (rc != rc2 || err.line != err2.line || strcmp(err.message, err2.message) != 0 ||
        (rc == SS_OK && !same_tables(&t, &t2)))
        __builtin_trap(); /* the two parsers, or packed and unpacked, differ */
    ss_table_free(&t2);
    if (rc == SS_OK) {
        for (size_t c = 0; c < t.ncol; c++) {
            ss_column *col = &t.col[c];
            if (col->need & SS_NEED_CATEGORY) {
                int32_t *order = malloc((col->levels.n + 1) * sizeof *order);
                if (order)
                    ss_column_level_order(col, order);
                free(order);
            }
        }
        for (size_t r = 0; r < t.nrow; r++)
            (void)ss_table_line(&t, r);
    }
    ss_table_free(&t);
    close(fd);
    return 0;
}
