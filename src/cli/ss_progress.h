/* ss_progress: a progress bar on stderr for work that takes over a second.
 *
 * The command layer decides whether to show one (stderr is a terminal and
 * no --quiet); the work reports fractions through ss_progress_update, which
 * draws nothing during the first second and redraws at most ten times a
 * second.  ss_progress_done erases the bar if one was drawn. */
#ifndef SS_PROGRESS_H
#define SS_PROGRESS_H

typedef struct ss_progress {
    const char *label;
    double start;  /* seconds (CLOCK_MONOTONIC) */
    double drawn;  /* when last drawn, 0 = never */
} ss_progress;

void ss_progress_init(ss_progress *p, const char *label);

/* fraction in [0, 1]; p is an ss_progress (void * to serve as a callback). */
void ss_progress_update(void *p, double fraction);

void ss_progress_done(ss_progress *p);

#endif
