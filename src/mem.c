#include "ss_mem.h"

#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define HINT_MIN (4u << 20)

void ss_mem_hint(void *p, size_t bytes)
{
#ifdef MADV_HUGEPAGE
    if (!p || bytes < HINT_MIN)
        return;
    uintptr_t a = ((uintptr_t)p + 4095) & ~(uintptr_t)4095;
    uintptr_t e = ((uintptr_t)p + bytes) & ~(uintptr_t)4095;
    if (e > a)
        (void)madvise((void *)a, e - a, MADV_HUGEPAGE);
#else
    (void)p;
    (void)bytes;
#endif
}

void *ss_mem_alloc(size_t bytes)
{
    void *p = malloc(bytes ? bytes : 1);
    ss_mem_hint(p, bytes);
    return p;
}

void *ss_mem_realloc(void *p, size_t bytes)
{
    void *q = realloc(p, bytes ? bytes : 1);
    ss_mem_hint(q, bytes);
    return q;
}

/* Arrays under 32 MB (glibc's largest mmap threshold) come from the heap;
 * the heap starts with 64 MB of room, advised before anything touches it,
 * so a run of up to a few hundred thousand rows takes its arrays from huge
 * pages (a fourth of the time of a 200,000-row estimate went to 4 KB page
 * faults).  Larger arrays are mmap'd and hinted one by one. */
#define HEAP_ROOM (64u << 20)

void ss_mem_init(void)
{
#if defined(M_MMAP_THRESHOLD) && defined(MADV_HUGEPAGE)
    if (!mallopt(M_MMAP_THRESHOLD, 32 << 20) || !mallopt(M_TOP_PAD, HEAP_ROOM) ||
        !mallopt(M_TRIM_THRESHOLD, 2 * HEAP_ROOM))
        return;
    void *p = malloc(1u << 18); /* more than the heap has at start: it grows */
    if (!p)
        return;
    uintptr_t a = ((uintptr_t)p + 2 * 4096) & ~(uintptr_t)4095;
    uintptr_t e = (uintptr_t)sbrk(0) & ~(uintptr_t)4095;
    if (e > a && e - a <= 2 * (uintptr_t)HEAP_ROOM)
        (void)madvise((void *)a, e - a, MADV_HUGEPAGE);
    free(p);
#endif
}

int ss_thread_count(void)
{
    const char *e = getenv("SURVSTAT_THREADS");
    if (e && *e)
        return strtol(e, NULL, 10) >= 2 ? 2 : 1;
    return sysconf(_SC_NPROCESSORS_ONLN) >= 2 ? 2 : 1;
}
