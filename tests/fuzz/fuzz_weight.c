/* libFuzzer harness: the margins and population files of the weighting
 * (ss_weight_load: --rake / --calibrate margins, --poststrat cells).  The
 * first byte picks the file kind and the delimiter; the rest is the file. */
#include <string.h>

#include "fuzz_util.h"
#include "ss_weight.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned mode = data[0];
    char path[64];
    int fd = fuzz_file(data + 1, size - 1, path, sizeof path);
    if (fd < 0)
        return 0;
    ss_weight_spec spec;
    ss_weight_spec_init(&spec);
    switch (mode % 3) {
    case 0:
        spec.rake = path;
        break;
    case 1:
        spec.calibrate = path;
        break;
    default:
        spec.poststrat = path;
        break;
    }
    ss_read_options ro = {0};
    ro.delimiter = (mode >> 4) & 1 ? ';' : ',';
    ss_weight_plan plan;
    memset(&plan, 0, sizeof plan);
    ss_error err;
    ss_error_clear(&err);
    if (ss_weight_load(&plan, &spec, &ro, &err) == SS_OK) {
        size_t max = ss_weight_max_requests(&plan);
        ss_request req[512];
        if (max <= sizeof req / sizeof req[0])
            (void)ss_weight_requests(&plan, req);
    }
    ss_weight_plan_free(&plan);
    close(fd);
    return 0;
}
