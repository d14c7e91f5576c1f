/* libFuzzer harness: reading result files back (ss_result_read, as
 * combine, trend and plot do), then looking every row up by its key. */
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
    if (ss_result_read(&res, path, &ro, &err) == SS_OK)
        for (size_t i = 0; i < res.n && i < 64; i++)
            (void)ss_result_find(&res, &res.row[i]);
    ss_result_free(&res);
    close(fd);
    return 0;
}
