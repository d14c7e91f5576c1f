#include "ss_mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

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
