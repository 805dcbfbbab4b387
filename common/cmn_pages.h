/* cmn_pages.h - large zeroed tables straight from the kernel: their memory counts only once
 * a page is written, whatever the process's allocator does with calloc (mimalloc may zero a
 * whole block up front). For tables sized by configuration and touched as traffic comes: the
 * rate limiter's client store, the revoker's bloom filters. */
#ifndef CMN_PAGES_H
#define CMN_PAGES_H

#include <stddef.h>

/* n zeroed bytes (rounded up to whole pages), or NULL. Owned: cmn_pages_free(p, n). */
void *cmn_pages_alloc(size_t n);
/* Returns what cmn_pages_alloc(n) gave (same n); p may be NULL. */
void cmn_pages_free(void *p, size_t n);

#endif
