/* survstat.h: what a program embedding survstat may call (libsurvstat.a).
 *
 * survstat's library is everything under src/ but the command layer
 * (src/cli/).  A program reads a file into a column table, builds a design
 * from it, runs estimators into result rows and writes them:
 *
 *     ss_table t;  ss_design d;  ss_result res;  ss_error err;
 *     ss_request req[...];      -- the columns: ss_design_requests,
 *                                  ss_estimate_requests
 *     ss_table_read(&t, "survey.csv", &read_options, req, nreq, &err);
 *     ss_design_build(&d, &t, &spec, &err);
 *     ss_estimate_run(&t, &d, requests, nrequests, &options, &res, &err);
 *     ss_grid_from_results(&grid, &res);  ss_grid_write(stdout, &grid, SS_FMT_CSV);
 *
 * Each call returns SS_OK (0) or an error code with err filled (file, line,
 * column, message; ss_error_print writes it); nothing is printed on the
 * way.  Every _free accepts a zeroed or half-built object.  Call
 * gsl_set_error_handler_off() once first: GSL's default handler aborts.
 *
 * The layers, lowest first (a header here includes those it needs):
 *   io      ss_error.h, ss_mem.h, ss_number.h, ss_dict.h, ss_table.h,
 *           ss_subset.h (R's subset() conditions over a table),
 *           ss_result.h, ss_resultfile.h, ss_writer.h
 *   design  ss_design.h (Taylor designs), ss_replicate.h (replicate
 *           designs), ss_weight.h (post-stratification, raking,
 *           calibration, trimming), ss_levels.h (many-level proportions),
 *           ss_pps.h (PPS without replacement), ss_select.h (sample selection)
 *   stats   ss_dist.h, ss_propci.h, ss_quantile.h, ss_estimate.h
 *           (means, totals, proportions, ratios, quantiles, satisfaction
 *           measures), ss_test.h (t and Rao-Scott tests), ss_xtab.h
 *           (cross-tables: counts, percentages, marks, suppression), ss_repfit.h,
 *           ss_formula.h, ss_model.h (svyglm and svyolr models),
 *           ss_aapor.h (AAPOR outcome rates)
 *   report  ss_plot.h (gnuplot scripts of charts)
 * Compile with -I for include/ and each src/LAYER folder, link
 * build/libsurvstat.a with GSL, libcsv, inih, Rmath, libm and pthreads
 * (the Makefile's LDLIBS). */
#ifndef SURVSTAT_H
#define SURVSTAT_H

#define SURVSTAT_VERSION "0.1.0"

#include "ss_error.h"
#include "ss_mem.h"
#include "ss_number.h"
#include "ss_dict.h"
#include "ss_table.h"
#include "ss_subset.h"
#include "ss_result.h"
#include "ss_resultfile.h"
#include "ss_writer.h"

#include "ss_design.h"
#include "ss_replicate.h"
#include "ss_weight.h"
#include "ss_levels.h"
#include "ss_pps.h"
#include "ss_select.h"

#include "ss_dist.h"
#include "ss_propci.h"
#include "ss_quantile.h"
#include "ss_estimate.h"
#include "ss_test.h"
#include "ss_xtab.h"
#include "ss_formula.h"
#include "ss_model.h"
#include "ss_repfit.h"
#include "ss_aapor.h"

#include "ss_plot.h"

#endif
