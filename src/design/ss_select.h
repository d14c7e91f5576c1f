/* ss_select: drawing a sample from a frame, and allocating it to strata.
 *
 * Allocation (ss_select_allocate): each stratum h gets n * a_h / sum(a),
 * with a_h its measure (proportional: N_h units; equal: 1; Neyman: N_h S_h;
 * power Q: N_h^Q), at least min(K, N_h) and at most N_h: strata whose share
 * falls outside are fixed at the bound and the rest shared again among the
 * others, until none does; the shares are then rounded by largest
 * remainder (floors first, then one more unit to the strata with the
 * largest fractional parts, ties to the first stratum).
 *
 * Probabilities proportional to size (ss_select_pps_probs): pi_i =
 * m x_i / X over the units not yet certain, m the units left to draw; a
 * unit whose pi_i reaches 1 is a certainty unit (pi = 1), taken out, and
 * the others computed again, until no new one appears.
 *
 * Selection, in a frame's order, with GSL's generator r:
 * - ss_select_srs: simple random sampling without replacement (Knuth's
 *   selection sampling, algorithm S): every n-subset equally likely.
 * - ss_select_systematic: the units laid along [0, n) by their
 *   probabilities pi (summing to n), one random start u in [0, 1) and the
 *   points u, u+1, ..., u+n-1: the unit whose segment holds a point is
 *   drawn.  Unit i is drawn with probability pi_i; with equal pi = n/N this
 *   is systematic sampling with interval N/n.
 * - ss_select_brewer: Brewer's draw-by-draw method (1975; Tille 2006,
 *   sec. 7.3): draw j = 1..n takes a unit k not yet drawn with probability
 *   proportional to pi_k (n - A - pi_k) / (n - A - pi_k (n - j + 1)), A the
 *   sum of pi over the units drawn; unit i is drawn with probability pi_i
 *   (all pi < 1, summing to n).
 * out receives the drawn units' indices in increasing order. */
#ifndef SS_SELECT_H
#define SS_SELECT_H

#include <gsl/gsl_rng.h>
#include <stddef.h>

#include <stdint.h>

#include "ss_error.h"
#include "ss_table.h"

/* nh[0..H) from the measures a (>= 0), the stratum sizes cap and the
 * minimum per stratum; errors when n exceeds the frame or cannot give
 * every stratum its minimum. */
int ss_select_allocate(const double *a, const size_t *cap, size_t H, size_t n, size_t minper,
                       size_t *nh, ss_error *err);

/* pi[0..N) for n draws proportional to the sizes x (> 0); returns the
 * number of certainty units (pi = 1).  Needs n <= N. */
size_t ss_select_pps_probs(const double *x, size_t N, size_t n, double *pi);

int ss_select_srs(gsl_rng *r, size_t N, size_t n, size_t *out);
/* pi sums to n (a rounding difference is scaled away). */
void ss_select_systematic(gsl_rng *r, const double *pi, size_t N, size_t n, size_t *out);
/* pi: every value < 1, summing to n; work holds N doubles. */
void ss_select_brewer(gsl_rng *r, const double *pi, size_t N, size_t n, double *work,
                      size_t *out);

#endif

/* ---- allocation over a frame's strata (survstat sample and plan) ---- */

typedef enum {
    SS_ALLOC_PROPORTIONAL, /* a_h = N_h, or the stratum's total size */
    SS_ALLOC_EQUAL,        /* a_h = 1 */
    SS_ALLOC_NEYMAN,       /* a_h = N_h S_h, S_h the SD of var in the frame */
    SS_ALLOC_POWER,        /* a_h = (N_h, or total size)^q */
    SS_ALLOC_FILE,         /* n_h from file: columns stratum, n */
} ss_alloc_kind;

typedef struct ss_alloc_spec {
    ss_alloc_kind kind;
    const char *var;   /* neyman */
    double q;          /* power */
    const char *file;  /* file */
} ss_alloc_spec;

/* Parse proportional|equal|neyman:VAR|power:Q|FILE (a usage error names
 * --alloc). */
int ss_alloc_parse(const char *arg, ss_alloc_spec *a, ss_error *err);

/* A frame's strata: H strata in order of first appearance, stratum[i] per
 * row, N[h] units, size[h] their total --size (N[h] without sizes). */
typedef struct ss_frame_strata {
    size_t H;
    uint32_t *stratum;
    size_t *N;
    double *size;
    char **label;      /* per stratum ("" without --strata) */
} ss_frame_strata;

int ss_frame_strata_build(ss_frame_strata *fs, const ss_table *t, const char *strata,
                          const double *size, ss_error *err);
void ss_frame_strata_free(ss_frame_strata *fs);

/* nh[0..H) for n units by the allocation a, at most cap[h] (NULL: the
 * strata's units N) each (n may be 0 with a file: its sum is used,
 * returned in *n).  Needs the frame's table for neyman. */
int ss_frame_allocate(const ss_frame_strata *fs, const ss_table *t, const ss_alloc_spec *a,
                      const size_t *cap, size_t *n, size_t minper, size_t *nh, ss_error *err);
