#include "ss_mem.h"

#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* Arrays of ALIGN_MIN bytes or more start at a huge page's boundary and
 * take whole huge pages when that rounds them up by at most an eighth
 * (more would add to the peak memory of a run of mid-sized arrays): a page
 * of 4 KB at either end of an array costs a fault each (here some 10 us:
 * the first touch of an 8 MB array in 4 KB pages took 20 ms, in huge pages
 * 1 ms). */
#define HUGE_PAGE ((size_t)2 << 20)
#define ALIGN_MIN ((size_t)1 << 20)

void *ss_mem_alloc(size_t bytes)
{
#ifdef MADV_HUGEPAGE
    size_t whole = bytes <= SIZE_MAX - HUGE_PAGE ? (bytes + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1) : 0;
    void *a = NULL;
    if (bytes >= ALIGN_MIN && whole && whole - bytes <= bytes / 8 &&
        posix_memalign(&a, HUGE_PAGE, whole) == 0) {
        (void)madvise(a, whole, MADV_HUGEPAGE);
        return a;
    }
#endif
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

/* The last failed request, for the message (one per thread: the parser
 * runs on two). */
static _Thread_local char failure[256];

/* 1234567 -> "1,234,567" */
static void grouped(size_t v, char *buf, size_t size)
{
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%zu", v), o = 0;
    for (int i = 0; i < n && (size_t)o + 2 < size; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
}

void *ss_mem_array(void *p, size_t n1, const char *what1, size_t n2, const char *what2,
                   size_t size)
{
    double want = (double)n1 * (double)n2 * (double)size;
    void *q = NULL;
    if (want < (double)SIZE_MAX / 2) {
        size_t bytes = n1 * n2 * size;
        q = p ? ss_mem_realloc(p, bytes) : ss_mem_alloc(bytes);
    }
    if (!q) {
        static const char *const unit[] = {"bytes", "KB", "MB", "GB", "TB", "PB", "EB"};
        size_t u = 0;
        double v = want;
        while (v >= 1000 && u + 1 < sizeof unit / sizeof unit[0]) {
            v /= 1000;
            u++;
        }
        char a[32], b[32];
        grouped(n1, a, sizeof a);
        grouped(n2, b, sizeof b);
        if (what2)
            snprintf(failure, sizeof failure, " for %s %s x %s %s (%.3g %s)", a, what1, b, what2,
                     v, unit[u]);
        else
            snprintf(failure, sizeof failure, " for %s %s (%.3g %s)", a, what1, v, unit[u]);
    }
    return q;
}

const char *ss_mem_failure(void)
{
    static _Thread_local char taken[256];
    memcpy(taken, failure, sizeof taken);
    failure[0] = '\0';
    return taken;
}

/* Arrays under 32 MB (glibc's largest mmap threshold) come from the heap;
 * the heap starts with 64 MB of room, advised before anything touches it,
 * so a run of up to a few hundred thousand rows takes its arrays from huge
 * pages (a fourth of the time of a 200,000-row estimate went to 4 KB page
 * faults).  Larger arrays are mmap'd and hinted one by one.  The heap below
 * its first huge page's boundary would be in 4 KB pages: a block that is
 * never touched keeps it, so what comes after starts on the boundary.
 * Every thread allocates from this heap (one arena): a thread's own arena
 * would take a 4 KB fault on every page it first touches. */
#define HEAP_ROOM (64u << 20)

static void *below_boundary; /* the block below the heap's first huge page */

void ss_mem_init(void)
{
#if defined(M_MMAP_THRESHOLD) && defined(MADV_HUGEPAGE)
    if (!mallopt(M_MMAP_THRESHOLD, 32 << 20) || !mallopt(M_TOP_PAD, HEAP_ROOM) ||
        !mallopt(M_TRIM_THRESHOLD, 2 * HEAP_ROOM))
        return;
#ifdef M_ARENA_MAX
    (void)mallopt(M_ARENA_MAX, 1);
#endif
    void *p = malloc(1u << 18); /* more than the heap has at start: it grows */
    if (!p)
        return;
    uintptr_t a = ((uintptr_t)p + 2 * 4096) & ~(uintptr_t)4095;
    uintptr_t e = (uintptr_t)sbrk(0) & ~(uintptr_t)4095;
    int advised = e > a && e - a <= 2 * (uintptr_t)HEAP_ROOM &&
                  madvise((void *)a, e - a, MADV_HUGEPAGE) == 0;
    free(p);
    /* p is the top of the heap again: a block from p to just before the
     * boundary (its successor's header is the one 4 KB page touched) */
    uintptr_t b = ((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
    if (advised && b - (uintptr_t)p > 4096 && b < e)
        below_boundary = malloc(b - (uintptr_t)p - 32);
#endif
}

int ss_thread_count(void)
{
    const char *e = getenv("SURVSTAT_THREADS");
    if (e && *e)
        return strtol(e, NULL, 10) >= 2 ? 2 : 1;
    return sysconf(_SC_NPROCESSORS_ONLN) >= 2 ? 2 : 1;
}
