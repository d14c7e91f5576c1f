/* ss_resultfile: reading back the result files that estimate, drivers and
 * combine write (csv with the columns of CLI.md), for combine, trend and
 * plot. */
#ifndef SS_RESULTFILE_H
#define SS_RESULTFILE_H

#include "ss_error.h"
#include "ss_result.h"
#include "ss_table.h"

/* Append the rows of the result file path to out.  The columns statistic,
 * variable, level, domain, estimate and se are required; the others of
 * CLI.md are read when present (else empty).  Errors name the file and
 * line. */
int ss_result_read(ss_result *out, const char *path, const ss_read_options *ro,
                   ss_error *err);

/* The row of r with the key (statistic, variable, level, domain) of k, or
 * -1. */
long ss_result_find(const ss_result *r, const ss_result_row *k);

#endif
