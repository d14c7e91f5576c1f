#include "ss_progress.h"

#include <stdio.h>
#include <time.h>

#define DELAY 1.0   /* seconds before a bar appears */
#define REDRAW 0.1  /* seconds between redraws */
#define WIDTH 30

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void ss_progress_init(ss_progress *p, const char *label)
{
    p->label = label;
    p->start = now();
    p->drawn = 0;
}

void ss_progress_update(void *arg, double fraction)
{
    ss_progress *p = arg;
    double t = now();
    if (t - p->start < DELAY || (p->drawn && t - p->drawn < REDRAW))
        return;
    if (fraction < 0)
        fraction = 0;
    if (fraction > 1)
        fraction = 1;
    int full = (int)(fraction * WIDTH + 0.5);
    char bar[WIDTH + 1];
    for (int k = 0; k < WIDTH; k++)
        bar[k] = k < full ? '#' : '.';
    bar[WIDTH] = '\0';
    fprintf(stderr, "\r%s [%s] %3.0f%% %.0f s", p->label, bar, 100 * fraction, t - p->start);
    fflush(stderr);
    p->drawn = t;
}

void ss_progress_done(ss_progress *p)
{
    if (p->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    p->drawn = 0;
}
