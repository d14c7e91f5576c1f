/* ss_formula: R model formulas (`y ~ x + factor(g) + x:g`, `a*b`, `-1`,
 * `+0`, `I(age^2)`, `log(income)`) and the model matrix they make from a
 * table, as R's terms() and model.matrix() with treatment contrasts.
 *
 * Terms: `a*b` is a + b + a:b; `-1` or `+0` drops the intercept, `- TERM`
 * drops a term; terms are ordered by their order (main effects, then
 * two-way interactions, ...), within an order as they first appear; the
 * variables of an interaction are put in the order they first appear in
 * the formula (R's term labels).  A variable is a factor when written
 * `factor(VAR)` or when its column holds any value that is not a number;
 * its levels are R's order (numbers ascending, else byte order), the first
 * (or --ref's) the reference.  A factor in a term is coded by contrasts
 * (every level but the reference) when the term without it is empty or
 * within a term before it, else by one indicator per level; without an
 * intercept the first factor of the first term that has one takes one
 * indicator per level: R's model.matrix.  Column names are R's: `x`, `stypeH`,
 * `factor(g)2`, `x:stypeH`.
 *
 * Numeric expressions: `I(EXPR)`, `log(EXPR)`, `exp(EXPR)` and
 * `sqrt(EXPR)`, EXPR made of numeric columns, numbers, + - * / ^ (R's
 * precedence: ^ first and to the right, then unary minus, then * /, then
 * + -), parentheses and those functions.  Their label is R's deparse of
 * the call (`I(age^2)`, `I(a * b)`, `I(a/b)`, `log(x + 1)`, numbers to 15
 * significant digits as R prints them: `I(x * 1e+05)`).
 *
 * The model matrix is kept compact: per term, the column each row's value
 * is in (a factor's level combination; none for a reference level) and
 * the value (the product of the term's numeric variables); every row has
 * at most one nonzero per term (ss_model_matrix_nz).
 *
 * Ownership: ss_formula and ss_model_matrix own their strings and arrays;
 * their _free functions accept NULL members and half-built objects. */
#ifndef SS_FORMULA_H
#define SS_FORMULA_H

#include <stddef.h>
#include <stdint.h>

#include "ss_error.h"
#include "ss_table.h"

#define SS_FORMULA_MAX_ORDER 8
/* The most coefficients a model matrix has: X'WX, its factor and the
 * variance are p x p (time p^3), the scores rows x p. */
#define SS_FORMULA_MAX_COEF 1000

struct ss_formula_expr;

typedef struct ss_formula_var {
    char *label;      /* as in names: "x", "factor(x)", "I(x^2)" */
    char *column;     /* the column it reads; NULL for an expression */
    int force_factor; /* written factor(VAR) */
    struct ss_formula_expr *expr; /* I(), log(), exp(), sqrt(): numeric */
    char **cols;      /* every column it reads (column, or the
                       * expression's, each once) */
    size_t ncols;
} ss_formula_var;

typedef struct ss_formula_term {
    size_t nvar;
    size_t var[SS_FORMULA_MAX_ORDER]; /* indices into vars, ascending */
    char *label;                      /* R's term label "x:stype" */
} ss_formula_term;

typedef struct ss_formula {
    char *response;   /* the response column */
    ss_formula_var *vars;
    size_t nvars;
    ss_formula_term *terms;
    size_t nterms;
    int intercept;
    int labels_numeric; /* a labelled column of numbers is a number (its
                         * codes: a score, as drivers' items), not a factor */
} ss_formula;

/* Parse text into f.  A formula that does not parse is a usage error whose
 * message shows the formula with a caret at the place. */
int ss_formula_parse(const char *text, ss_formula *f, ss_error *err);
void ss_formula_free(ss_formula *f);

/* The index of the term whose label matches label (the variables in any
 * order: `stype:x` is `x:stype`; blanks ignored: `I(x ^ 2)` is
 * `I(x^2)`), or -1. */
long ss_formula_find_term(const ss_formula *f, const char *label);

/* A reference level chosen for a variable (--ref VAR=LEVEL): var is the
 * column or the label "factor(VAR)". */
typedef struct ss_formula_ref {
    const char *var;
    const char *level;
} ss_formula_ref;

/* One term's columns of the model matrix. */
typedef struct ss_model_block {
    size_t first, ncol; /* its columns first .. first + ncol - 1 */
    int32_t *col;      /* m: the column of row k's value, -1 when the row is
                        * 0 in every column of the term (a reference
                        * level); NULL: always first (no factor) */
    double *val;       /* m: that value (the product of the term's numeric
                        * variables); NULL: 1 (factors alone) */
} ss_model_block;

typedef struct ss_model_matrix {
    const char *response; /* the outcome's name (the formula's) */
    const unsigned char *mask; /* the subset's rows (NULL: all), not owned */
    size_t m, p;       /* rows used, columns */
    size_t *rows;      /* m: the table rows used */
    double *y;         /* m */
    char **name;       /* p: R's coefficient names */
    size_t *term;      /* p: the term of each column (SIZE_MAX: intercept) */
    int intercept;     /* column 0 is the intercept */
    size_t nblock;     /* one per term, in column order */
    ss_model_block *block;
} ss_model_matrix;

/* The nonzero entries of row k of mm (at most 1 + nblock): their columns,
 * ascending, in col and their values in val.  Returns how many. */
static inline size_t ss_model_matrix_nz(const ss_model_matrix *mm, size_t k, int32_t *col,
                                        double *val)
{
    size_t nz = 0;
    if (mm->intercept) {
        col[0] = 0;
        val[0] = 1;
        nz = 1;
    }
    for (size_t b = 0; b < mm->nblock; b++) {
        const ss_model_block *bl = &mm->block[b];
        int32_t c = bl->col ? bl->col[k] : (int32_t)bl->first;
        if (c < 0)
            continue;
        col[nz] = c;
        val[nz] = bl->val ? bl->val[k] : 1;
        nz++;
    }
    return nz;
}

/* Row k of mm as p numbers. */
void ss_model_matrix_row(const ss_model_matrix *mm, size_t k, double *x);

/* The model matrix of f over the rows of t where mask is set (NULL: all)
 * and the response and every variable of the model are present (R's
 * na.omit).  The response column must have been read as numbers, the
 * others as categories (level codes with their values).  Errors, exit 1,
 * naming the term: an expression's column holding text, an expression
 * whose value is not a finite number on a row used (log or sqrt of a
 * value out of their domain, naming the row and column; division by 0,
 * overflow), an empty factor level among the rows used, a --ref level
 * that is not in the data. */
int ss_model_matrix_build(const ss_formula *f, const ss_table *t, const unsigned char *mask,
                          const ss_formula_ref *refs, size_t nrefs, ss_model_matrix *mm,
                          ss_error *err);
void ss_model_matrix_free(ss_model_matrix *mm);

#endif
