/* cmn_pages.c - anonymous private mappings for large zeroed tables. */
#include "cmn_pages.h"

#include <sys/mman.h>

void *cmn_pages_alloc(size_t n)
{
    void *p;

    if (n == 0)
        n = 1;
    p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void cmn_pages_free(void *p, size_t n)
{
    if (p)
        munmap(p, n ? n : 1);
}
