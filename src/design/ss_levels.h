/* ss_levels: the Taylor variances of the proportions of many levels of one
 * categorical column at once, in time linear in the rows (design layer).
 *
 * ss_design_vcov of the scores z_l = w (1[y = l] - c_l) of every level l
 * costs levels x rows: each level's scores touch every present row.  Here
 * one pass over the rows builds, for every unit of every stage (and every
 * stratum), the sparse vector of its levels' weight totals S (only the
 * levels present in the unit) and its weight total W; a unit's total of z_l
 * is then S_l - c_l W, and a unit without level l has -c_l W.  Each
 * stratum (and each group of a later stage) adds, per level present in it,
 * the sum over its units of (t - mean)^2 from its present units and a
 * closed form for the absent ones; the levels absent from a whole group
 * share its weight term c_l^2 Q(W).  Cost: the rows, plus per stage the
 * sum over units of their levels, plus levels x stages.
 *
 * Rounding: a present unit's total is formed as R's per-row scores sum,
 * (1 - c) S - c R with R the other levels' total summed (never W - S), so a
 * level near 1 or near 0 keeps its digits; where a level is present in at
 * least half of a group's units (or of the groups of a stage) the absent
 * ones are enumerated instead of subtracted.  The result agrees with
 * ss_design_vcov's to about 1e-13 relative, not to the bit. */
#ifndef SS_LEVELS_H
#define SS_LEVELS_H

#include <stddef.h>
#include <stdint.h>

#include "ss_design.h"
#include "ss_error.h"

typedef struct ss_levels_work ss_levels_work;

/* Workspace for designs like d (per-unit scratch, kept zero between
 * calls); NULL when out of memory. */
ss_levels_work *ss_levels_work_alloc(const ss_design *d);
void ss_levels_work_free(ss_levels_work *w);

/* The present rows are those of dr[0..nr) (NULL: rows 0..nr) whose code
 * is >= 0; lev_of[code] is a row's level in [0, nlev), or -1 for a present
 * row in no level.  For k < ncon and every level l, var[k * nlev + l] =
 * ss_design_vcov of the scores w_i (1[level of i = l] - con[k * nlev + l])
 * of the present rows (every other row scoring zero but keeping its unit),
 * with the design's lonely-PSU rule.
 *
 * Returns SS_OK, or -1 when the caller must use ss_design_vcov instead:
 * replicate designs, calibrated designs, a lonely PSU under --lonely-psu
 * fail (ss_design_vcov names it), or out of memory. */
int ss_levels_var(const ss_design *d, ss_levels_work *w, const size_t *dr, size_t nr,
                  const int32_t *code, const int32_t *lev_of, size_t nlev, size_t ncon,
                  const double *con, double *var);

#endif
