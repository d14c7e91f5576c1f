/* ss_xtab: a weighted cross-table of two categorical columns (or a
 * one-way table of one) for reports: every cell's estimated population
 * count, its row, column or cell percentage with an interval, quality
 * flags, suppression, and marks where a cell's percentage differs from
 * the total's (layer stats).
 *
 * Everything is linear in the cells' totals T_ab = sum w 1{row a, col b}
 * over the present rows (in the mask, both columns answered): the design
 * variance V of the p = rows x cols cell totals is computed once
 * (ss_design_vcov_cells, a pass over the rows), and every statistic's
 * variance is a quadratic form in V:
 *   count     N = u'T                         Var = u'Vu
 *   percent   P = u'T / v'T (u the numerator's cells, v the domain's)
 *             linearized score w (1_u - P 1_v) / v'T
 *             Var = (u - P v)' V (u - P v) / (v'T)^2
 *   logit     R's svyciprop(method = "logit"): the coefficient b of the
 *             quasibinomial fit (ss_prop_logit_sums), its score
 *             (y - mu) w g, Var(b) = g^2 (u - mu v)' V (u - mu v)
 *   mark      the difference of a cell's percentage and the total's (or
 *             the reference column's): the two linearized scores
 *             subtracted on the same design (the domain is part of the
 *             whole, so the covariance is counted), t on the design df.
 * These are R's svytotal(~interaction(r, c)), svyby(~c, ~r, svymean) and
 * svyciprop on the domain, to rounding.  Rows outside the mask (a --by
 * layer, a --subset) score zero but keep their PSUs (domain estimation).
 *
 * Ownership: ss_xtab owns its arrays; ss_xtab_free accepts a zeroed or
 * half-built one. */
#ifndef SS_XTAB_H
#define SS_XTAB_H

#include <stddef.h>
#include <stdint.h>

#include "ss_design.h"
#include "ss_error.h"
#include "ss_estimate.h"
#include "ss_propci.h"
#include "ss_table.h"

typedef enum { SS_XTAB_ROW, SS_XTAB_COL, SS_XTAB_CELL } ss_xtab_pct;

typedef enum {
    SS_XTAB_FLAGS_NONE,
    SS_XTAB_FLAGS_NCHS,    /* NCHS 2017 (ss_prop_nchs); counts: R when CV > 30% */
    SS_XTAB_FLAGS_STATCAN, /* E: 16.6% <= CV <= 33.3%; F: CV > 33.3% or n < 10 */
    SS_XTAB_FLAGS_ONS,     /* u: CV >= 20% */
} ss_xtab_flags;

typedef enum { SS_XTAB_MARK_NONE, SS_XTAB_MARK_TOTAL, SS_XTAB_MARK_REF } ss_xtab_mark;

typedef struct ss_xtab_options {
    ss_xtab_pct pct;
    double level;
    ss_df_mode df_mode;
    double df_fixed;
    ss_ci_method ci_method;
    ss_xtab_flags flags;
    ss_xtab_mark mark;
    int32_t mark_ref;      /* SS_XTAB_MARK_REF: the column variable's code */
    int suppress;          /* --suppress (needs flags) */
    int suppress_counts;   /* flags and suppression judge the counts (no
                            * percentage shown) */
} ss_xtab_options;

/* Why a cell is blank under --suppress. */
enum { SS_XTAB_SHOWN, SS_XTAB_PRIMARY, SS_XTAB_COMPLEMENT };

typedef struct ss_xtab_cell {
    double count, count_se, count_lo, count_hi, count_cv;
    double pct, pct_se, pct_lo, pct_hi, pct_cv;
    double n;              /* rows in the cell */
    double n_dom;          /* rows in the percentage's domain */
    double n_eff;          /* the percentage's effective n, at most n_dom */
    int noci;              /* the percentage's interval failed (flag CIx) */
    int mark;              /* differs from the total / reference */
    double mark_p;         /* the p-value of that test (NaN: none made) */
    char cflag[24];        /* the count's flags */
    char pflag[24];        /* the percentage's flags */
    int suppressed;        /* SS_XTAB_* */
} ss_xtab_cell;

typedef struct ss_xtab {
    size_t nr, nc;         /* body rows and columns (nc = 0: one-way) */
    int32_t *rcode;        /* nr: the row variable's code of each row */
    int32_t *ccode;        /* nc */
    ss_xtab_cell *cell;    /* (nr + 1) x (nc + 1), row-major; index nr is
                            * the total row, nc the total column */
    double df;             /* of the intervals and the marks' tests */
    size_t n;              /* present rows */
    size_t nmarked, nprimary, ncomplement;
} ss_xtab;

/* The cell at body row a (nr: total row) and column b (nc: total). */
static inline ss_xtab_cell *ss_xtab_at(const ss_xtab *x, size_t a, size_t b)
{
    return &x->cell[a * (x->nc + 1) + b];
}

/* The table of r by c (c NULL: one-way) over the rows where mask is set
 * (NULL: every row).  Levels are every level of each column, in
 * ss_column_level_order, so layers share a shape; an empty cell counts 0.
 * Replicate designs are refused (SS_EUSAGE).  Fails as ss_design_vcov
 * does (a lonely PSU). */
int ss_xtab_compute(const ss_design *d, const ss_column *r, const ss_column *c,
                    const unsigned char *mask, const ss_xtab_options *o, ss_xtab *x,
                    ss_error *err);
void ss_xtab_free(ss_xtab *x);

/* A multiple-response set over the rows of mask (NULL: all): the items
 * items[0..k) are 0/1 or answered/blank columns (read as categories): an
 * item is chosen where its value is present and is not the number 0.  A
 * case is a row with at least one item chosen (and c answered, when
 * given).  Per item l and column level b (b = nc: every column):
 *   count      T_lb = sum w y_l over the cases
 *   cases      P = T_lb / C_b, C_b = sum w over the cases: the percent of
 *              cases, a proportion with its --ci-method interval
 *   responses  P = T_lb / sum_j T_jb: the percent of responses, a ratio of
 *              totals with a Wald interval
 * Variances as for the table (one ss_design_vcov of the items' and the
 * cases' totals per column).  out gets k x (nc + 1) x 3 entries, index
 * ((l * (nc + 1) + b) * 3 + {0 count, 1 cases, 2 responses}); ccode the
 * column levels (NULL for a one-way set); the caller frees both. */
typedef struct ss_xtab_mr {
    double est, se, lo, hi, n;
    int noci;
} ss_xtab_mr;

int ss_xtab_mrset(const ss_design *d, const ss_column *const *items, size_t k,
                  const ss_column *c, const unsigned char *mask, const ss_xtab_options *o,
                  ss_xtab_mr **out, size_t *nc_out, int32_t **ccode_out, size_t *ncases,
                  ss_error *err);

#endif
