/* ss_weight: weighting adjustments applied to a design before estimation
 * (CLI.md "Weighting options"), in this order:
 *   1. nonresponse adjustment by weighting classes (survstat weight);
 *   2. post-stratification to cell totals (R's postStratify);
 *   3. raking or calibration to margins (R's calibrate: linear, raking,
 *      logit, with bounds), or raking with a cap on the weights inside
 *      every iteration (--rake-cap, as ANES raking; beyond R);
 *   4. trimming (R's trimWeights(strict = TRUE)).
 *
 * Post-stratification and calibration leave on the design what the
 * variance needs (R's design$postStrata): before the design variance, the
 * scores are replaced by their residuals from the calibration model, so
 * SEs account for the adjustment as R's do.  Trimming changes the weights
 * only, as R's trimWeights.
 *
 * Margins files (--rake, --calibrate) have the columns variable, level,
 * total: one block of rows per variable; an empty level gives the
 * population total of a numeric variable.  A post-stratification file has
 * the post-stratum variables, then total. */
#ifndef SS_WEIGHT_H
#define SS_WEIGHT_H

#include <stddef.h>
#include <stdint.h>

#include "ss_design.h"
#include "ss_error.h"
#include "ss_table.h"

typedef enum { SS_CALFUN_LINEAR, SS_CALFUN_RAKING, SS_CALFUN_LOGIT } ss_calfun;

#define SS_MAX_CLASSES 16
/* At most this many calibration model columns (the levels of the margins'
 * variables plus numeric totals and the intercept). */
#define SS_WEIGHT_MAX_COLUMNS 200

typedef struct ss_weight_spec {
    const char *poststrat;   /* CELLS.csv */
    const char *rake;        /* MARGINS.csv, raking (calibrate's "raking") */
    const char *calibrate;   /* MARGINS.csv with calfun */
    ss_calfun calfun;        /* for --calibrate (default linear) */
    double lower, upper;     /* --bounds on g (default -Inf, Inf) */
    int trim;                /* --trim-weights LOW,HIGH */
    double trim_low, trim_high;
    double rake_cap;         /* --rake-cap: cap times the mean weight, 0 = none */
    int max_iter;            /* default 50 */
    double epsilon;          /* default 1e-7 (R's calibrate) */
    const char *nonresponse[SS_MAX_CLASSES]; /* class variables */
    size_t nnonresponse;
    const char *responded;   /* 1/0, yes/no, true/false */
} ss_weight_spec;

void ss_weight_spec_init(ss_weight_spec *s);

/* Is any adjustment asked for? */
int ss_weight_any(const ss_weight_spec *s);

/* One target of a margins file, or one cell of a post-stratification file. */
typedef struct ss_target {
    char *variable;   /* margins: the variable */
    char *level;      /* margins: the level, NULL for a numeric total;
                       * cells: the values joined by \x1f */
    double total;
    long line;
} ss_target;

typedef struct ss_weight_plan {
    const ss_weight_spec *spec;
    /* post-stratification */
    char *cells_file;
    size_t ncellvar;
    char **cellvar;
    ss_target *cell;
    size_t ncell;
    /* raking / calibration */
    char *margins_file;
    ss_target *margin;
    size_t nmargin;
} ss_weight_plan;

/* Read the files the spec names (before the data, which must then hold the
 * columns they use).  Errors name the file and line. */
int ss_weight_load(ss_weight_plan *p, const ss_weight_spec *spec, const ss_read_options *ro,
                   ss_error *err);
void ss_weight_plan_free(ss_weight_plan *p);

/* Once the data are read: a level of the margins or cells file that is
 * not a code of its variable but the label of exactly one of its levels
 * becomes that level's code.  -1 when out of memory. */
int ss_weight_plan_relabel(ss_weight_plan *p, const ss_table *t);

/* Columns the plan needs from the data, added to req; returns the count
 * (at most 2 * SS_MAX_CLASSES + 2 + the margins' variables). */
size_t ss_weight_requests(const ss_weight_plan *p, ss_request *req);
size_t ss_weight_max_requests(const ss_weight_plan *p);

/* What the adjustments did, for `survstat weight`'s diagnostics. */
typedef struct ss_weight_margin {
    char *label;      /* "stype=E", "api99", "cell stype=E" */
    double target, before, after;
} ss_weight_margin;

typedef struct ss_weight_report {
    int iterations;          /* of the iterative method, 0 when none */
    double worst;            /* the worst margin's relative error after */
    char worst_label[256];
    ss_weight_margin *m;
    size_t nm, cap;
    size_t trimmed;          /* weights trimmed */
    size_t nonrespondents;   /* rows given weight 0 */
} ss_weight_report;

void ss_weight_report_free(ss_weight_report *r);

/* Apply the plan to the design's weights, and record the calibration for
 * the variance.  rep may be NULL. */
int ss_weight_apply(ss_design *d, const ss_table *t, const ss_weight_plan *p,
                    ss_weight_report *rep, ss_error *err);

/* As ss_weight_apply for a replicate's weights: no report, no
 * calibration recorded (a replicate design's variance needs none), and
 * trimming leaves the rows outside the replicate as they are (outside,
 * ss_weight_trim). */
int ss_weight_reapply(ss_design *d, const ss_table *t, const ss_weight_plan *p,
                      const unsigned char *outside, ss_error *err);

/* Trimming (--trim-weights) of w[0..n) in place; adds (NULL, or room for
 * SS_WEIGHT_TRIM_PASSES) gets what each pass added to the weights inside
 * the bounds, *npass (may be NULL) the passes, *ntrimmed (may be NULL) the
 * weights outside at first.  outside (NULL: none; for a replicate's
 * weights): rows outside the replicate (a deleted PSU: weight 0 where the
 * full sample's is not), left at 0 and given no share of what is trimmed,
 * else a lower bound would put the deleted PSU back; a row whose full-sample
 * weight is 0 too is trimmed as in the full sample.
 * ss_weight_trim_one(s, adds, npass, v, outside) is then the trimmed value
 * of a replicate weight that was v, bit for bit. */
#define SS_WEIGHT_TRIM_PASSES 1000
int ss_weight_trim(const ss_weight_spec *s, double *w, size_t n, const unsigned char *outside,
                   double *adds, size_t *npass, size_t *ntrimmed, ss_error *err);
double ss_weight_trim_one(const ss_weight_spec *s, const double *adds, size_t npass, double v,
                          int outside);

/* The adjustments but trimming, on cells: nonresponse classes,
 * post-stratification, raking and calibration to categorical margins
 * multiply every weight by a factor that depends only on the row's cell of
 * the cross-classification of the variables they use, and is a function
 * of the cells' total weights.  So a replicate is adjusted on its cell
 * totals W (one per cell) instead of its rows: g[c] is the factor of cell c
 * (0 where W[c] is 0).  ss_weight_cells_alloc gives NULL (and SS_OK) when
 * the plan is not cell-wise: numeric margins, --rake-cap.  The object
 * borrows t and p; ss_weight_cells_apply may run in several threads at once. */
typedef struct ss_weight_cells ss_weight_cells;
int ss_weight_cells_alloc(ss_weight_cells **out, const ss_table *t, const ss_weight_plan *p,
                          ss_error *err);
void ss_weight_cells_free(ss_weight_cells *c);
size_t ss_weight_cells_count(const ss_weight_cells *c);
const uint32_t *ss_weight_cells_of_rows(const ss_weight_cells *c); /* n rows */
int ss_weight_cells_apply(const ss_weight_cells *c, const double *W, double *g, ss_error *err);

#endif
