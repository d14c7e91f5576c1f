/* libFuzzer harness: the CSV ingest (ss_table_read).  The first byte picks
 * the options (delimiter, every column as categories with their text, an
 * --na code, GB18030), the rest is the file.  Columns "a" and "b" are asked
 * for as numbers and categories when the mode reads named columns. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "ss_table.h"

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
    ss_request req[] = {{"a", SS_NEED_NUMBER}, {"b", SS_NEED_CATEGORY}, {"a", SS_NEED_CATEGORY}};
    size_t nreq = ro.all_columns ? 0 : (mode >> 6) & 1 ? 3 : 1;
    ss_table t;
    ss_error err;
    ss_error_clear(&err);
    if (ss_table_read(&t, path, &ro, req, nreq, &err) == SS_OK) {
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
