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

/* Return 0 and set *out when s[0..len) is a finite decimal number, else -1. */
int ss_number_parse(const char *s, size_t len, double *out);

/* Format x with 17 significant digits ("%.17g"); NaN gives "". */
void ss_number_format(double x, char *buf, size_t size);

#endif
