/* ss_number: text to double in the C locale, all of the text or nothing.
 *
 * Plain decimals ("12", "-3.25", "1e5") with at most 19 significant digits
 * take an exact fast path (Clinger: an integer mantissa below 2^53 scaled by
 * an exactly representable power of ten); anything else goes to strtod.
 * Leading and trailing blanks are allowed; "inf", "nan", hex floats and
 * trailing garbage are not numbers. */
#ifndef SS_NUMBER_H
#define SS_NUMBER_H

#include <stddef.h>
#include <stdint.h>

/* Return 0 and set *out when s[0..len) is a finite decimal number, else -1. */
int ss_number_parse(const char *s, size_t len, double *out);

/* 10^0 .. 10^22, each exact in a double. */
extern const double ss_number_pow10[23];

/* The common cell, inline: -?d*(.d*)? with a digit, in at most 15
 * characters: its digits as one integer *mant (below 10^15 < 2^53) and
 * how many of them follow the point, *frac.  0, or -1 for anything else. */
static inline int ss_number_short_parts(const char *s, size_t len, uint64_t *mant,
                                        unsigned *frac)
{
    if (len == 0 || len > 15)
        return -1;
    size_t i = s[0] == '-', dot = len, nd = 0;
    uint64_t m = 0;
    for (; i < len; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d <= 9) {
            m = m * 10 + d;
            nd++;
        } else if (s[i] == '.' && dot == len) {
            dot = i;
        } else {
            return -1;
        }
    }
    if (nd == 0)
        return -1;
    *mant = m;
    *frac = dot < len ? (unsigned)(len - 1 - dot) : 0;
    return 0;
}

/* The value of those parts: the mantissa divided by an exact power of ten,
 * correctly rounded, negated when neg. */
static inline double ss_number_short_value(uint64_t mant, unsigned frac, int neg)
{
    double v = (double)mant;
    if (frac > 0)
        v /= ss_number_pow10[frac];
    return neg ? -v : v;
}

/* The common cell's value, the one ss_number_parse gives.  Returns -1 (and
 * leaves the rest to ss_number_parse) for any other text. */
static inline int ss_number_parse_short(const char *s, size_t len, double *out)
{
    uint64_t mant;
    unsigned frac;
    if (ss_number_short_parts(s, len, &mant, &frac) != 0)
        return -1;
    *out = ss_number_short_value(mant, frac, s[0] == '-');
    return 0;
}

/* Format x with 17 significant digits ("%.17g"); NaN gives "". */
void ss_number_format(double x, char *buf, size_t size);

#endif
