/* ss_pps: sampling with probability proportional to size, without
 * replacement, at the first stage (the meaning of R's svydesign(pps=...)).
 *
 * --fpc holds inclusion probabilities (fractions in (0, 1]), constant
 * within a unit but free to vary within a stratum.  The weights, when not
 * given, are 1 / the product of the stages' probabilities.
 *
 * brewer  Brewer's approximation (R's pps="brewer"): within a stratum of n
 *         units with totals t_i, sum_i (1 - pi_i) n/(n-1) (t_i - tbar)^2;
 *         later stages enter as in R's multistage, each unit's variance
 *         weighted by the inclusion probability above it.  Every stage with
 *         an fpc uses this formula (with equal probabilities it is the
 *         usual without-replacement one).
 * hr      Hartley-Rao (R's pps=HR(), sum(p^2)/n estimated by the mean of
 *         the stratum's probabilities p2bar): the Horvitz-Thompson form
 *         t' D t with D_ii = 1 - pi_i and, for i != j in one stratum,
 *         D_ij = 1 - (n - pi_i - pi_j + p2bar)/(n - 1) (0 when
 *         pi_i + pi_j = 1).
 * ht, yg  Horvitz-Thompson and Yates-Grundy with the joint probabilities
 *         pi_ij of --joint-probs (R's ppsmat(), variance="HT"/"YG"):
 *         D_ij = (pi_ij - pi_i pi_j)/pi_ij, entries below
 *         SS_PPS_JOINT_TOLERANCE in size set to 0 as R's ppsmat does;
 *         HT = sum_ij D_ij t_i t_j, YG = HT - sum_j t_j^2 sum_i D_ij
 *         = -1/2 sum_ij D_ij (t_i - t_j)^2.
 * hr, ht and yg are one-stage designs (as in R).  Units in different
 * strata are selected independently (D_ij = 0).  D is held densely per
 * stratum (n_h^2 numbers). */
#ifndef SS_PPS_H
#define SS_PPS_H

#include <stddef.h>

#include "ss_error.h"
#include "ss_table.h"

/* R's ppsmat(tolerance = 0.0001): |D_ij| below it counts as 0. */
#define SS_PPS_JOINT_TOLERANCE 1e-4

struct ss_design;
struct ss_design_spec;
struct ss_stage;

/* The joint-probability matrices of a hr, ht or yg design (owned by it). */
typedef struct ss_pps_joint ss_pps_joint;

/* After the units of d are built: check the spec's PPS options, read the
 * inclusion probabilities of every --fpc stage into stage[s].pi, and for
 * hr/ht/yg build d->joint (reading --joint-probs).  Errors name the file,
 * line and column. */
int ss_pps_build(struct ss_design *d, const ss_table *t, const struct ss_design_spec *spec,
                 ss_error *err);

void ss_pps_joint_free(ss_pps_joint *j);

/* The stage-1 population size of every stratum of a Brewer design as R's
 * as.fpc makes it from probabilities, popsize[h] = n_h / p, when the
 * units of each stratum share one probability p: returns the number of
 * strata, or the first stratum whose probabilities vary (R's
 * as.svrepdesign then refuses jk1, jkn and bootstrap). */
size_t ss_pps_stratum_popsize(const struct ss_design *d, double *popsize);

/* Brewer's variance of stratum h at stage s, from the totals tot (nunit x
 * p) of the touched units units[0..k), into contrib (p x p, only the
 * diagonal when diag).  Returns as design.c's one_stratum: 0, or for a
 * stratum with one unit -1 under --lonely-psu fail and 1 under average. */
int ss_pps_brewer_stratum(const struct ss_design *d, size_t s, size_t h, const double *tot,
                          const size_t *units, size_t k, size_t p, int diag, double *mean,
                          double *contrib);

/* V (p x p, added to) = the hr/ht/yg variance from the stage-1 totals tot
 * (nunit x p) of the touched units units[0..k). */
int ss_pps_joint_vcov(const struct ss_design *d, const double *tot, const size_t *units,
                      size_t k, size_t p, int diag, double *V, ss_error *err);

#endif
