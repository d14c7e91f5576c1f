/* libFuzzer harness: reading result files back (ss_result_read, as
 * combine, trend and plot do), then indexing the rows by their key
 * (ss_result_index_build, as combine and trend do) and looking rows up. */
#include "fuzz_util.h"
#include "ss_resultfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = fuzz_file(data, size, path, sizeof path);
    if (fd < 0)
        return 0;
    ss_read_options ro = {0};
    ro.delimiter = ',';
    ss_result res;
    ss_result_init(&res);
    ss_error err;
    ss_error_clear(&err);
    if (ss_result_read(&res, path, &ro, &err) == SS_OK) {
        ss_result_index ix;
        size_t first, dup;
        if (ss_result_index_build(&ix, &res, 0, res.n, 1, &first, &dup) == 0) {
            for (size_t i = 0; i < res.n && i < 64; i++)
                if (ss_result_index_find(&ix, &res.row[i]) != (long)i)
                    __builtin_trap(); /* a row not found under its own key */
            ss_result_index_free(&ix);
        }
    }
    ss_result_free(&res);
    close(fd);
    return 0;
}
