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

/* An array of n1 x n2 elements of size bytes (realloc of p when p is not
 * NULL), for the arrays that grow with the data.  what1 and what2 name
 * the counts ("replicates", "rows"; what2 NULL for a vector).  A request
 * that fails (or whose size overflows) is remembered, and the next "out of
 * memory" error of the thread says which size made it: "out of memory for
 * 2,000 replicates x 10,000,000 rows (160 GB)" (ss_mem_failure). */
void *ss_mem_array(void *p, size_t n1, const char *what1, size_t n2, const char *what2,
                   size_t size);

/* The last failed ss_mem_array request of this thread as " for N1 WHAT1
 * x N2 WHAT2 (SIZE)", then forgotten; "" when there is none. */
const char *ss_mem_failure(void);

/* Threads for work split in two (parsing, replicates, estimates): 2 on a
 * machine with two or more CPUs, else 1; SURVSTAT_THREADS=1 forces one.
 * Results are the same whatever the count. */
int ss_thread_count(void);

#endif
