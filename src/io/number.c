#include "ss_number.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const double ss_number_pow10[23] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

static int is_blank(char c) { return c == ' ' || c == '\t'; }

int ss_number_parse(const char *s, size_t len, double *out)
{
    if (ss_number_parse_short(s, len, out) == 0)
        return 0;
    while (len > 0 && is_blank(s[0])) {
        s++;
        len--;
    }
    while (len > 0 && is_blank(s[len - 1]))
        len--;
    if (len == 0)
        return -1;

    /* Validate the grammar [+-]?(d+(.d*)?|.d+)([eE][+-]?d+)? and gather the
     * mantissa on the way. */
    size_t i = 0;
    int neg = 0;
    if (s[i] == '+' || s[i] == '-') {
        neg = s[i] == '-';
        i++;
    }
    uint64_t mant = 0;
    int ndig = 0;      /* significant digits kept in mant */
    int dropped = 0;   /* nonzero digits that did not fit */
    int scale = 0;     /* decimal exponent adjustment */
    size_t digits = 0; /* digits seen at all */
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
        if (ndig < 19) {
            mant = mant * 10 + (uint64_t)(s[i] - '0');
            if (mant)
                ndig++;
        } else {
            scale++;
            dropped |= s[i] != '0';
        }
    }
    if (i < len && s[i] == '.') {
        i++;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
            if (ndig < 19) {
                mant = mant * 10 + (uint64_t)(s[i] - '0');
                if (mant)
                    ndig++;
                scale--;
            } else {
                dropped |= s[i] != '0';
            }
        }
    }
    if (digits == 0)
        return -1;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        int eneg = 0;
        if (i < len && (s[i] == '+' || s[i] == '-')) {
            eneg = s[i] == '-';
            i++;
        }
        if (i >= len || s[i] < '0' || s[i] > '9')
            return -1;
        long e = 0;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
            if (e < 100000)
                e = e * 10 + (s[i] - '0');
        scale += (int)(eneg ? -e : e);
    }
    if (i != len)
        return -1;

    if (!dropped && mant <= (UINT64_C(1) << 53) && scale >= -22 && scale <= 22) {
        double v = (double)mant;
        v = scale < 0 ? v / ss_number_pow10[-scale] : v * ss_number_pow10[scale];
        *out = neg ? -v : v;
        return 0;
    }

    /* Slow path: strtod on a NUL-terminated copy (the C locale is never
     * changed by survstat, so '.' is the decimal point). */
    char small[64];
    char *buf = len < sizeof small ? small : malloc(len + 1);
    if (!buf)
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    double v = strtod(buf, &end);
    int ok = end == buf + len && isfinite(v);
    if (buf != small)
        free(buf);
    if (!ok)
        return -1;
    *out = v;
    return 0;
}

void ss_number_format(double x, char *buf, size_t size)
{
    if (isnan(x))
        buf[0] = '\0';
    else if (isinf(x))
        snprintf(buf, size, "%s", x > 0 ? "Inf" : "-Inf");
    else
        snprintf(buf, size, "%.17g", x);
}
