/* ss_mem: large per-row arrays, and how many threads to use.
 *
 * On this kind of machine (a VM whose host backs memory on first touch) a
 * 4 KB page fault costs microseconds, so arrays of millions of rows are
 * asked to use transparent huge pages.  The memory comes from malloc and
 * is released with free. */
#ifndef SS_MEM_H
#define SS_MEM_H

#include <stddef.h>

/* Advise the kernel to back p[0..bytes) with huge pages (a hint; arrays
 * under 4 MB are left alone). */
void ss_mem_hint(void *p, size_t bytes);

/* Once, first thing in main: serve arrays from a heap on huge pages. */
void ss_mem_init(void);

/* malloc and realloc that give the hint. */
void *ss_mem_alloc(size_t bytes);
void *ss_mem_realloc(void *p, size_t bytes);

/* Threads for work split in two (parsing, replicates, estimates): 2 on a
 * machine with two or more CPUs, else 1; SURVSTAT_THREADS=1 forces one.
 * Results are the same whatever the count. */
int ss_thread_count(void);

#endif
