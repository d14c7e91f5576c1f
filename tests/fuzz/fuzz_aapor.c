/* libFuzzer harness: AAPOR disposition codes.  The input is split at
 * newlines into codes, each classified as survstat rates does; the class
 * counts (and an e taken from the first 8 bytes) go through the rates. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "ss_aapor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    double e = -1;
    if (size >= sizeof e) {
        memcpy(&e, data, sizeof e);
        data += sizeof e;
        size -= sizeof e;
    }
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    double count[SS_AAPOR_NCLASS] = {0};
    char *save = NULL;
    for (char *code = strtok_r(s, "\n", &save); code; code = strtok_r(NULL, "\n", &save)) {
        int c = ss_aapor_classify(code);
        if (c < -1 || c >= SS_AAPOR_NCLASS)
            abort();
        if (c >= 0)
            count[c] += 1;
    }
    double rate[SS_AAPOR_NRATES];
    ss_aapor_rates(count, isfinite(e) ? e : -1, rate);
    free(s);
    return 0;
}
