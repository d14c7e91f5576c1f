/* libFuzzer harness: the gnuplot string quoting of survstat plot
 * (ss_plot_quote_as, src/report/plot.c), the one way data text reaches a gnuplot
 * script.
 *
 * The first byte picks the printf-format mode; the rest, up to a NUL, is the
 * text.  Checked, beyond the sanitizers: the result is one single-quoted
 * gnuplot string (it opens and closes with ', every inner ' is doubled, no
 * control byte), so it cannot end the command or reach backquotes, @macros
 * or system(); and unquoting it gives the text back with control bytes as
 * spaces (and, in format mode, '%' doubled). */
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "ss_plot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int format = data[0] & 1;
    char *s = malloc(size);
    if (!s)
        return 0;
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';
    ss_buf b;
    ss_buf_init(&b);
    ss_buf_printf(&b, "set title "); /* appending after text, as the scripts do */
    size_t start = b.n;
    size_t replaced = ss_plot_quote_as(&b, s, format);
    if (b.failed) {
        ss_buf_free(&b);
        free(s);
        return 0;
    }
    const char *q = b.s + start;
    size_t qn = b.n - start, len = strlen(s), k = 1, i = 0, nrep = 0;
    if (qn < 2 || q[0] != '\'' || q[qn - 1] != '\'' || strlen(b.s) != b.n)
        abort();
    for (; k + 1 < qn; k++, i++) {
        unsigned char c = (unsigned char)q[k];
        if (c < 0x20 || c == 0x7f)
            abort(); /* a control byte inside the string */
        if (c == '\'' || (format && c == '%')) {
            if (k + 2 >= qn || q[k + 1] != (char)c)
                abort(); /* a lone quote would end the string */
            k++;
        }
        if (i >= len)
            abort();
        unsigned char want = (unsigned char)s[i];
        if (want < 0x20 || want == 0x7f) {
            want = ' ';
            nrep++;
        }
        if (c != want)
            abort(); /* not the text given */
    }
    if (i != len || nrep != replaced)
        abort();
    ss_buf_free(&b);
    free(s);
    return 0;
}
