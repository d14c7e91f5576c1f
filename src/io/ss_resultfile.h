/* ss_resultfile: reading back the result files that estimate, drivers and
 * combine write (csv with the columns of CLI.md), for combine, trend and
 * plot. */
#ifndef SS_RESULTFILE_H
#define SS_RESULTFILE_H

#include "ss_dict.h"
#include "ss_error.h"
#include "ss_result.h"
#include "ss_table.h"

/* Append the rows of the result file path to out (each row keeps its line
 * in the file).  The columns statistic, variable, level, domain, estimate
 * and se are required; the others of CLI.md are read when present (else
 * empty); variable_label and by_label too (then out->labels is set).  A negative se, a df that is not positive, and two rows with the
 * same wave, statistic, variable, level and domain are errors.  Errors name
 * the file and line. */
int ss_result_read(ss_result *out, const char *path, const ss_read_options *ro,
                   ss_error *err);

/* Each row's var_label and by_label from the variable labels of t's
 * columns (SPSS variable labels, --labels); r->labels is set when a row
 * has one.  0, or -1 when out of memory. */
int ss_result_add_labels(ss_result *r, const ss_table *t);

/* A hash index of rows of a result table by their key (statistic,
 * variable, level, domain; and wave when with_wave), so that finding the
 * row of a key costs O(1): combine and trend match 100,000 rows in a
 * fraction of a second.  The index points into r, which must outlive it
 * and not grow. */
typedef struct ss_result_index {
    const ss_result *r;
    size_t from, to;   /* the rows indexed: r->row[from .. to) */
    ss_dict keys;      /* the keys, coded in the order of the rows */
    size_t *row;       /* per key code: its row number in r */
    int with_wave;
} ss_result_index;

/* Index r->row[from .. to).  0; -1 when out of memory; or 1 when two rows
 * have the same key: *dup is then the later of the two and *first the
 * earlier (row numbers of r). */
int ss_result_index_build(ss_result_index *ix, const ss_result *r, size_t from, size_t to,
                          int with_wave, size_t *first, size_t *dup);
void ss_result_index_free(ss_result_index *ix);

/* The row of the index with the key of k, or -1. */
long ss_result_index_find(const ss_result_index *ix, const ss_result_row *k);

/* "mean 'api00' level 'x' domain 'stype=E'": a row's key for a message. */
const char *ss_result_key_text(const ss_result_row *x, char *buf, size_t size);

#endif
