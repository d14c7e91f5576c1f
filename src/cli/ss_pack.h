/* ss_pack: the report pack of survstat run: DIR/WAVE/report.html (one
 * self-contained page: inline CSS, the charts as SVG data, no scripts) and
 * DIR/WAVE/report.xlsx (a sheet per section), each opening with a Methods
 * section generated from the run: the data and the design (strata, PSUs,
 * df), the sample sizes, the weighting with its diagnostics (margins,
 * iterations, Kish design effect), the AAPOR rates of a [rates] section,
 * the confidence level and the survstat version. */
#ifndef SS_PACK_H
#define SS_PACK_H

#include <stddef.h>

typedef struct ss_pack_section {
    const char *type, *name; /* "estimate", "overall" */
    const char *csv;         /* its result table, or NULL */
    const char *svg;         /* its chart, or NULL */
} ss_pack_section;

typedef struct ss_pack {
    const char *spec, *data, *wave;
    int design_argc;         /* "report" DATA and the [input], [design] and */
    char **design_argv;      /* [weighting] options, as survstat describe's */
    const ss_pack_section *sec;
    size_t nsec;
    int percent;             /* proportions in percent ([run] percent) */
    const char *html, *xlsx; /* the files to write */
} ss_pack;

/* The Methods table: the design read again with the run's options (in
 * survstat run's shared read, ss_cli_share_begin, so that the data file
 * is read once), the sections' tables for their sample sizes and rates.
 * 0, or 1 with the message printed on stderr. */
struct ss_grid;
int ss_pack_methods(const ss_pack *p, struct ss_grid *methods);

/* Write both files; 0, or 1 with the message printed on stderr. */
int ss_pack_write(const ss_pack *p, const struct ss_grid *methods);

#endif
