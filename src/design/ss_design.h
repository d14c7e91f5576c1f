/* ss_design: a survey design (the meaning of R's svydesign) and its
 * Taylor-linearization variance (R's svyrecvar, multistage and onestrat).
 *
 * Stage 1 units are PSUs within strata; a unit at stage s > 1 is nested in
 * its parent unit, which is also its stratum (as R's svydesign makes later
 * stages' strata).  Without --ids every row is its own PSU.  Later stages
 * enter the variance only when an fpc is given, each weighted by the
 * sampling fractions above it; a stage without an fpc column is sampled
 * with replacement (population Inf).
 *
 * Variance of a linearized total: the caller lists the rows that are
 * present (in the domain, with the variable answered) and their scores;
 * every other row scores zero but keeps its PSU in the design, which is how
 * R's subsetting of a design behaves.  The design owns its arrays; a
 * ss_design_work belongs to one caller at a time. */
#ifndef SS_DESIGN_H
#define SS_DESIGN_H

#include <stddef.h>
#include <stdint.h>

#include "ss_error.h"
#include "ss_table.h"

#define SS_MAX_STAGES 8

/* Positive weights must lie in this range (else a data error): the squares
 * of weighted scores then neither overflow nor underflow to 0. */
#define SS_DESIGN_WEIGHT_MIN 1e-150
#define SS_DESIGN_WEIGHT_MAX 1e150

typedef enum {
    SS_LONELY_FAIL,
    SS_LONELY_REMOVE,
    SS_LONELY_ADJUST,
    SS_LONELY_AVERAGE,
    SS_LONELY_CERTAINTY,
} ss_lonely;

/* --pps (ss_pps.h): none, or the variance of a PPS first stage. */
typedef enum { SS_PPS_NONE, SS_PPS_BREWER, SS_PPS_HR, SS_PPS_HT, SS_PPS_YG } ss_pps_method;

typedef struct ss_design_spec {
    const char *weights;              /* NULL: 1, or from the fpc */
    const char *strata;               /* NULL: one stratum */
    const char *ids[SS_MAX_STAGES];   /* cluster columns per stage */
    size_t nids;                      /* 0: every row is a PSU */
    const char *fpc[SS_MAX_STAGES];   /* population count or fraction */
    size_t nfpc;
    int nest;
    ss_lonely lonely;
    ss_pps_method pps;                /* --pps: the fpc are probabilities */
    const char *joint_probs;          /* --joint-probs FILE (ht, yg) */
} ss_design_spec;

typedef struct ss_stage {
    uint32_t *unit;      /* per row: unit index at this stage (NULL: row) */
    size_t nunit;
    uint32_t *stratum;   /* per unit: stratum index at this stage */
    size_t nstrata;
    uint32_t *npsu;      /* per stratum: units sampled (R's sampsize) */
    double *popsize;     /* per stratum: population count, or INFINITY */
    uint32_t *parent;    /* per stratum (stage > 1): the unit above it */
    const ss_column *id_col; /* the --ids column of this stage, or NULL */
    uint32_t *first_row; /* per unit: a row of it, for labels */
    double *pi;          /* --pps: per unit, its inclusion probability (NULL
                          * without --pps or an fpc for this stage) */
    double *fsum;        /* --pps brewer: per stratum, sum of 1 - pi */
} ss_stage;

/* A calibration of the weights, kept for the variance (an entry of R's
 * design$postStrata).  Before the design variance the scores x are
 * replaced, calibration after calibration, by their residuals:
 *   cells (post-strata): x_i - neww_i sum_h(x oldw / neww) / sum_h oldw
 *   greg (calibrate):    (b - A beta) gw with b = x / gw, A = mm sqrt(w0),
 *                        beta the least-squares fit (R's qr.resid), and
 *                        gw = g sqrt(w0), w0 the weights before. */
typedef enum { SS_CAL_CELLS, SS_CAL_GREG } ss_cal_kind;

typedef struct ss_cal {
    ss_cal_kind kind;
    uint32_t *cell;       /* cells: per row, its post-stratum */
    size_t ncell;
    double *oldw, *neww;  /* cells: weights before and after */
    size_t p;             /* greg: columns of the model */
    double *qr, *tau;     /* greg: GSL's QR of A (n x p) */
    double *gw;           /* greg: per row */
} ss_cal;

typedef struct ss_design {
    size_t n;
    double *w;             /* sampling weights */
    size_t nstage;         /* stages entering the variance */
    ss_stage stage[SS_MAX_STAGES];
    const ss_column *strata_col;  /* for labels in messages, may be NULL */
    int32_t *stratum_code;        /* per stage-1 stratum: its level code */
    ss_lonely lonely;
    int has_fpc;
    int weights_from_fpc;
    double df;             /* PSUs minus strata, rows with weight > 0 */
    ss_pps_method pps;     /* --pps (ss_pps.h) */
    struct ss_pps_joint *joint; /* hr, ht, yg: the D matrices (ss_pps.h) */
    ss_cal *cal;           /* calibrations, in the order applied */
    size_t ncal;
    struct ss_replicates *rep; /* replicate weights (ss_replicate.h), or NULL:
                                * then the variance is theirs, not Taylor's */
    void (*rep_free)(struct ss_replicates *); /* frees rep: set by whoever
                                * attaches it (replicate.c), so that the
                                * design needs nothing from above */
} ss_design;

/* Append a calibration (the design takes ownership of its arrays). */
int ss_design_add_cal(ss_design *d, const ss_cal *c);

/* Columns a design needs, added to req (which must hold 3 + 2 *
 * SS_MAX_STAGES entries), the weights first; returns how many were added. */
size_t ss_design_requests(const ss_design_spec *spec, ss_request *req);

/* Build the design from the table.  Errors (missing or negative weights,
 * PSUs in two strata without --nest, bad fpc) name the file and line. */
int ss_design_build(ss_design *d, const ss_table *t, const ss_design_spec *spec,
                    ss_error *err);
void ss_design_free(ss_design *d);

typedef struct ss_design_work ss_design_work;

/* Workspace for up to p scores at once. */
ss_design_work *ss_design_work_alloc(const ss_design *d, size_t p);
void ss_design_work_free(ss_design_work *w);

/* V (p x p, row-major) = the variance of the estimated totals of the p
 * scores z (m x p, row-major) of the present rows rows[0..m).  Fails only
 * for a lonely PSU under --lonely-psu fail, naming the stratum, and for a
 * replicate design (whose estimators re-evaluate on each replicate). */
int ss_design_vcov(const ss_design *d, ss_design_work *w, const size_t *rows,
                   const double *z, size_t m, size_t p, double *V,
                   ss_error *err);

/* The same in pieces, for callers that make the scores as they go rather
 * than hold them all: ss_design_vcov_add the present rows chunk by chunk
 * (in the order ss_design_vcov would get them, for the same result to the
 * bit), then ss_design_vcov_end.  Only for designs without calibrations or
 * replicates (ss_design_vcov rewrites every row's score for those). */
void ss_design_vcov_add(const ss_design *d, ss_design_work *w, const size_t *rows,
                        const double *z, size_t m, size_t p);
int ss_design_vcov_end(const ss_design *d, ss_design_work *w, size_t p, double *V,
                       ss_error *err);
/* on: ss_design_vcov and ss_design_vcov_end fill only V's diagonal (the
 * rest is 0), each entry the same to the bit as in the whole V, at a cost of
 * p per unit instead of p * p (the variances of many proportions); off:
 * the whole V again. */
void ss_design_work_diag(ss_design_work *w, int on);

/* V (p x p) = ss_design_vcov of the m x p indicator scores a[q] e_cell[q]
 * of the present rows rows[0..m) (a table's cells), in time linear in the
 * rows plus the square of the cells a stratum touches: each unit's total
 * is a sparse vector (at most its rows' cells) and a stratum adds
 * sum t t' - nh mean mean'.  For one-stage designs without calibrations
 * or replicates; returns -1 for others (the caller then uses
 * ss_design_vcov), else SS_OK or an error as ss_design_vcov. */
int ss_design_vcov_cells(const ss_design *d, const size_t *rows, const size_t *cell,
                         const double *a, size_t m, size_t p, double *V, ss_error *err);

/* --lonely-psu average (R's onestage): a stage-1 stratum with one PSU takes
 * the average variance of the others, the sum over the strata with more
 * than one PSU (or a census) scaled by strata / those strata.  By default
 * the strata counted are those the present rows touch, as R's svyrecvar
 * on a design subset to a domain.  After ss_design_work_average_over the
 * variances of w count the stage-1 strata of the rows rows[0..m) instead
 * (R's svyby(covmat = TRUE), whose joint covariance of the domains runs
 * over every row of the design they come from); m = 0 restores the
 * default.  Nothing changes for a calibrated design (its variance counts
 * every row already) or under another lonely-PSU rule. */
void ss_design_work_average_over(const ss_design *d, ss_design_work *w, const size_t *rows,
                                 size_t m);

/* The rows R's glm sees when svyglm or svyciprop fits a model on a domain
 * of m rows: R's subset of a calibrated or PPS design keeps every row of
 * the design (weight zero outside the domain), of another design only the
 * m; glm's prior weights are the weights over their mean on these rows,
 * and its starting values, so where its IRLS stops, depend on that mean. */
size_t ss_design_glm_rows(const ss_design *d, size_t m);

/* PSUs minus strata among the given rows (the domain's own df). */
double ss_design_domain_df(const ss_design *d, ss_design_work *w,
                           const size_t *rows, size_t m);
/* The same in pieces: ss_design_df_add chunk by chunk, then
 * ss_design_df_end (independent of a ss_design_vcov_add in progress). */
void ss_design_df_add(const ss_design *d, ss_design_work *w, const size_t *rows, size_t m);
double ss_design_df_end(ss_design_work *w);

/* The label of stratum h at stage s (1-based), for messages and describe. */
const char *ss_design_stratum_label(const ss_design *d, size_t s, size_t h,
                                    char *buf, size_t size);

#endif
