/* ss_replicate: replicate-weight designs (R's as.svrepdesign and
 * svrepdesign) and their variance (R's svrVar).
 *
 * Replicates made from a design (--replicate) are factors per stage-1 PSU:
 * replicate r weighs row i by w_i f[r][psu_i], as R's compressed
 * repweights, so a linear statistic needs one pass over the rows (totals
 * per PSU) and then R x PSUs multiply-adds.  Supplied replicate columns
 * (--repweights) and replicates reweighted by post-stratification,
 * calibration or trimming are per-row weights (nrep x n).
 *
 *   jk1         one replicate per PSU, deleted; factor n/(n-1) for the
 *               others; scale fpc (n-1)/n (R's jk1weights)
 *   jkn         one replicate per PSU, deleted within its stratum; rscale
 *               fpc_h (n_h-1)/n_h; a census stratum adds no replicate
 *   brr, fay    R's brrweights on R's hadamard(): factors 2-rho and rho,
 *               scale 1/(R (1-rho)^2); needs two PSUs in every stratum
 *   sdr, acs    supplied only (R's "successive-difference" and "ACS"):
 *               scale 4/R, rscales 1; acs turns --mse on
 *   jk2         supplied only (R's "JK2"): scale 1, rscales 1
 *   bootstrap   R's bootweights: PSUs resampled with replacement within
 *               strata (without, from a population of N_h copies, under an
 *               fpc); scale nbar/((nbar-1)(R-1)), nbar the harmonic mean of
 *               the PSUs per stratum; GSL's mt19937 seeded by --seed
 *   subbootstrap R's subbootweights (Rao-Wu-Yue rescaled bootstrap): n_h - 1
 *               PSUs drawn with replacement in each stratum, factor
 *               count n_h/(n_h-1); scale 1/(R-1); no fpc
 *
 * PPS designs (R's as.svrepdesign on svydesign(pps=...)): a --pps brewer
 * design is R's survey.design2 whose fpc are the probabilities, so R
 * allows subbootstrap, brr and fay on it (their weights ignore the fpc),
 * and jk1, jkn and bootstrap only when the stage-1 probability is one per
 * stratum (then N_h = n_h / p_h); hr, ht and yg designs (R's class "pps")
 * have no replicates in R (the CLI refuses them).
 *
 * Variance of an estimate theta with replicate estimates theta_r:
 *   v = scale sum_r rscales_r (theta_r - c)^2, c the mean of theta_r over
 *   replicates with rscales_r > 0, or theta itself under --mse; replicates
 *   whose estimate is NaN (a domain with no weight left) are dropped.
 * The df is R's degf: the rank of the replicate weights minus 1.
 *
 * Ownership: ss_replicates owns its arrays; ss_replicates_free accepts
 * NULL and a half-built object. */
#ifndef SS_REPLICATE_H
#define SS_REPLICATE_H

#include <stddef.h>
#include <stdint.h>

#include "ss_design.h"
#include "ss_error.h"
#include "ss_table.h"
#include "ss_weight.h"

typedef enum {
    SS_REP_NONE,
    SS_REP_JK1,
    SS_REP_JKN,
    SS_REP_BRR,
    SS_REP_FAY,
    SS_REP_BOOTSTRAP,
    SS_REP_OTHER,
    SS_REP_SDR,  /* supplied: successive difference, scale 4/R */
    SS_REP_ACS,  /* supplied: the same with --mse (R's type "ACS") */
    SS_REP_JK2,  /* supplied: R's JK2, scale 1 */
    SS_REP_SUBBOOTSTRAP,
} ss_rep_type;

typedef struct ss_rep_spec {
    ss_rep_type make;        /* --replicate: the type to make, or NONE */
    double rho;              /* fay:RHO */
    size_t boot_reps;        /* bootstrap:R, subbootstrap:R */
    unsigned long seed;
    int seed_set;
    const char *regex;       /* --repweights */
    ss_rep_type supplied;    /* --rep-type */
    double supplied_rho;
    double scale;            /* --rep-scale */
    int scale_set;
    int mse;                 /* --mse */
} ss_rep_spec;

/* Parse "jk1", "jkn", "brr", "fay:RHO", "bootstrap:R", "subbootstrap:R"
 * (bootstrap alone when supplied, for --rep-type, which also takes "other",
 * "sdr", "acs" and "jk2" but not subbootstrap: R's svrepdesign has no such
 * type, its replicates are supplied as "bootstrap"). */
int ss_rep_parse(const char *arg, int supplied, ss_rep_type *type, double *rho,
                 size_t *reps, ss_error *err);

/* Why replicates made from a design cannot measure a variance (the CLI
 * warns): a census at stage 1 makes no replicate (R's drop.replicates:
 * every variance 0, degf NaN where R says -1); a bootstrap whose strata
 * all have one PSU repeats the full sample in every replicate (scale
 * NaN where R's is 1/0: every SE empty, as R's NaN). */
enum { SS_REP_NOVAR_NONE, SS_REP_NOVAR_CENSUS, SS_REP_NOVAR_LONELY };

/* Replicates whose calibration did not converge and kept its last
 * iterate (R's calibrate on a replicate design warns and goes on). */
typedef struct ss_rep_unconverged {
    size_t count;
    size_t first;      /* 0-based: the first such replicate */
    char message[1024]; /* its calibration's message (the worst margin) */
} ss_rep_unconverged;

typedef struct ss_replicates {
    ss_rep_type type;
    int no_variance;     /* SS_REP_NOVAR_* */
    ss_rep_unconverged unconv; /* after ss_replicates_reweight */
    size_t nrep;
    double scale;
    double *rscales;     /* nrep */
    int mse;
    double degf;
    size_t n;            /* rows */
    size_t npsu;
    const uint32_t *psu; /* per row: its stage-1 PSU (the design's) */
    double *factor;      /* nrep x npsu, or NULL */
    double *w;           /* nrep x n per-row weights, or NULL */
    /* Supplied replicates not adjusted: the table's columns themselves
     * (nrep, read with ss_column_num; the table outlives the design), in
     * place of w until an adjustment copies them into w. */
    const ss_column **col;
    /* Made replicates adjusted on cells (ss_replicates_reweight): row i of
     * replicate k weighs x = w0[i] factor[k][psu_i] g[k][cell[i]] (0 when
     * not finite), then trimmed when trim is set: x after the passes
     * trim_add[trim_off[k] .. trim_off[k+1]) (ss_weight_trim_one). */
    double *w0;          /* n: the full-sample weights before adjustment */
    uint32_t *cell;      /* n */
    size_t ncell;
    double *g;           /* nrep x ncell */
    const ss_weight_spec *trim;
    size_t *trim_off;    /* nrep + 1 */
    double *trim_add;
    /* The (PSU, cell) pairs that hold rows, in PSU order: row i is in pair
     * pair[i]; PSU p's pairs are psu_pair[p] .. psu_pair[p+1]. */
    uint32_t *pair;      /* n */
    size_t npair;
    size_t *psu_pair;    /* npsu + 1 */
    uint32_t *pair_cell; /* npair */
    /* factor[k] as alpha[k] everywhere but at the PSUs sp_psu[sp_off[k] ..
     * sp_off[k+1]), whose factors are sp_f (JKn: 1 but in one stratum). */
    double *alpha;       /* nrep */
    size_t *sp_off;      /* nrep + 1 */
    uint32_t *sp_psu;
    double *sp_f;
} ss_replicates;

void ss_replicates_free(ss_replicates *r);

/* Make replicates from the design (--replicate). */
int ss_replicates_make(ss_replicates **out, const ss_design *d, const ss_rep_spec *spec,
                       ss_error *err);

/* Names of the columns of file whose names match spec->regex (POSIX
 * extended), in file order, appended to req as numbers. */
int ss_replicates_columns(const char *file, char delimiter, const ss_rep_spec *spec,
                          char ***names, size_t *nnames, ss_error *err);

/* Replicates from supplied columns (combined weights, R's svrepdesign). */
int ss_replicates_supplied(ss_replicates **out, const ss_table *t, char *const *names,
                           size_t nnames, const ss_rep_spec *spec, ss_error *err);

/* Per-row replicate weights: every replicate weight w0_i f[r][psu_i]
 * (or the supplied w[r][i]) is passed to adjust(ctx, w, outside, err),
 * which changes it in place (post-stratification, raking ... on each);
 * outside marks the rows outside the replicate (weight 0 where the full
 * sample's is not), which trimming leaves at 0. */
typedef int (*ss_rep_adjust)(void *ctx, double *w, const unsigned char *outside, ss_error *err);
int ss_replicates_adjust(ss_replicates *r, const double *w0, ss_rep_adjust adjust,
                         void *ctx, ss_error *err);

/* Count R's degf again on the current (adjusted) weights, as R's
 * postStratify and linear calibrate do on a replicate design. */
void ss_replicates_recount_degf(ss_replicates *r);

/* R's degf of the design restricted to rows[0..m) (NULL: rows 0..m), as
 * degf(subset(design, ...)) on a replicate design: the rank of the
 * replicate analysis weights of those rows minus 1 (w: the full-sample
 * weights).  Counted when (PSUs or rows that hold weight) x replicates x
 * the smaller of the two < 4e8; beyond that, and when out of memory, the
 * fallback, never more than those PSUs or rows minus 1. */
double ss_replicates_rows_df(const ss_replicates *r, const double *w, const size_t *rows,
                             size_t m, double fallback);
/* The same for the rows i < n with keep[i] != 0 (--subset); fallback when
 * keep is NULL or out of memory. */
double ss_replicates_mask_df(const ss_replicates *r, const double *w, const unsigned char *keep,
                             size_t n, double fallback);

/* A copy of replicates not yet adjusted (NULL when out of memory or
 * already adjusted); psu is shared with r. */
ss_replicates *ss_replicates_dup(const ss_replicates *r);

/* Every replicate adjusted as the full sample was (ss_weight_apply):
 * with cells (ss_weight_cells_alloc), on each replicate's cell totals, and
 * for made replicates without storing per-row weights; without, through
 * adjust on per-row weights.  spec gives the trimming.  Replicates are
 * shared between two threads (SURVSTAT_THREADS=1: one); every replicate's
 * result is the same whatever the thread count, and an error names the
 * first replicate that fails. */
int ss_replicates_reweight(ss_replicates *r, const double *w0, const ss_weight_cells *cells,
                           const ss_weight_spec *spec, ss_rep_adjust adjust, void *ctx,
                           ss_error *err);

/* The weight of row i in replicate k, given the full-sample weights w. */
double ss_replicates_weight(const ss_replicates *r, const double *w, size_t k, size_t i);

typedef struct ss_rep_work ss_rep_work;
ss_rep_work *ss_rep_work_alloc(const ss_replicates *r);
void ss_rep_work_free(ss_rep_work *w);

/* The replicate estimates theta[k] = A_k / B_k (B_k = 1 when b is NULL
 * and ratio is 0; b NULL and ratio 1 means b_i = 1), where A_k = sum over
 * the present rows of w_i^(k) a_i. */
void ss_rep_thetas(const ss_replicates *r, ss_rep_work *wk, const double *w,
                   const size_t *rows, const double *a, const double *b, int ratio,
                   size_t m, double *theta);

/* Per-row replicates (supplied, or adjusted row by row): whether
 * ss_rep_thetas_levels applies. */
int ss_rep_per_row(const ss_replicates *r);

/* Every level at once, for per-row replicates: over the present rows
 * rows[0..m), whose level is lev[j] (0 .. nlev-1, or -1 for none),
 * A[l * nrep + k] = the sum of w_i^(k) over the rows of level l and, when B
 * is not NULL, B[k] = the sum over all m rows, each summed in row order (the
 * same doubles as ss_rep_thetas with a 0/1 indicator).  One pass over the
 * rows in blocks, the replicates split between two threads. */
void ss_rep_thetas_levels(const ss_replicates *r, const size_t *rows, const int32_t *lev,
                          size_t nlev, size_t m, double *A, double *B);

/* R's svrVar of the replicate estimates theta[0..nrep) around coef. */
int ss_rep_variance(const ss_replicates *r, const double *theta, double coef, double *var,
                    ss_error *err);

/* R's hadamard(n): a 0/1 matrix with more than n rows, (size x size),
 * row-major, malloc'd; NULL when out of memory. */
unsigned char *ss_hadamard(size_t n, size_t *size);

extern const size_t ss_hadamard_nsizes;
extern const size_t ss_hadamard_sizes[];
extern const char *const ss_hadamard_list[];
extern const size_t ss_paley_nprimes;
extern const unsigned ss_paley_primes[];

#endif
