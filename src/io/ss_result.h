/* ss_result: the result table that estimators fill and writers print.
 *
 * Every row has the columns of CLI.md (wave, statistic, variable, level,
 * domain, estimate, se, ci_low, ci_high, df, deff, n, n_eff, cv, flag);
 * a missing number is NaN.  With --compare the rows of the contrasts
 * between domains also carry t, p_value and the Holm-adjusted p_holm, and
 * the table has those three columns more (tests is set).  The table owns
 * the strings of its rows. */
#ifndef SS_RESULT_H
#define SS_RESULT_H

#include <stddef.h>

typedef struct ss_result_row {
    char *wave, *statistic, *variable, *level, *domain;
    double estimate, se, ci_low, ci_high, df, deff, n, n_eff, cv;
    char *flag;
    double t, p_value, p_holm;
    char *note;  /* the extra text column note_name, NULL = empty */
    char *wave_from, *wave_to; /* trend rows, NULL = empty */
    char *var_label; /* the variable's label (SPSS variable label), NULL = none */
    char *by_label;  /* the labels of the domain's variables, joined by "; "
                      * (a variable without one by its name), NULL = none */
    long line;   /* the line of the result file it was read from, 0 = made */
} ss_result_row;

typedef struct ss_result {
    size_t n, cap;
    ss_result_row *row;
    int tests;   /* the t, p_value and p_holm columns are wanted */
    const char *note_name; /* a last text column (drivers: "quadrant") */
    int waves;   /* the wave_from and wave_to columns (trend) */
    double conf_level; /* the confidence level of the intervals: a
                        * column conf_level; NaN (the start) = none */
    int labels;  /* the columns variable_label and by_label, last (charts
                  * title themselves by them) */
} ss_result;

void ss_result_init(ss_result *r);
void ss_result_free(ss_result *r);

/* Append a row: strings are copied (NULL is ""), numbers start as NaN.
 * Returns the row, or NULL when out of memory. */
ss_result_row *ss_result_add(ss_result *r, const char *statistic,
                             const char *variable, const char *level,
                             const char *domain);

/* Append the rows of src to dst (their strings move with them); src is
 * left empty.  0, or -1 when out of memory (then nothing moved). */
int ss_result_move(ss_result *dst, ss_result *src);

/* Replace a string field of a row (a copy is kept). 0 or -1. */
int ss_result_set_str(char **field, const char *value);

/* Domain labels ("VAR=value;VAR=value"): a value holding ';', '=' or a
 * double quote is written in double quotes, each quote inside doubled
 * (g="a;h=b", q="say ""hi"""), so that two domains never print the same
 * label.  ss_result_domain_value writes value[0..len) so into out (which
 * holds 2 len + 3 bytes) and returns the bytes written, without a NUL. */
size_t ss_result_domain_value(const char *value, size_t len, char *out);

/* One part "VAR=value" of a domain label at p: *key and *klen its
 * variable, value (size bytes, NUL-ended) its value unquoted.  Returns
 * the start of the next part ("" at the end), or NULL when p is not such a
 * part (no '=', an unclosed quote, text after a closing quote). */
const char *ss_result_domain_part(const char *p, const char **key, size_t *klen, char *value,
                                  size_t size);

#endif
