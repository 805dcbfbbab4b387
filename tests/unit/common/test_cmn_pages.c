/* test_cmn_pages.c - the kernel-backed tables: zeroed, writable, and resident only where
 * written (the claim the rate limiter's store and the revoker's filters rely on). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmn_pages.h"

/* resident bytes of the process (VmRSS), or -1 */
static long rss_bytes(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;

    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    fclose(f);
    return kib < 0 ? -1 : kib * 1024;
}

static void test_zeroed_and_writable(void **state)
{
    (void)state;
    size_t n = 3 * 4096 + 17;
    unsigned char *p = cmn_pages_alloc(n);

    assert_non_null(p);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(p[i], 0);
    memset(p, 0xa5, n);
    assert_int_equal(p[n - 1], 0xa5);
    cmn_pages_free(p, n);
    /* 0 bytes still gives a pointer that can be freed; NULL frees nothing */
    p = cmn_pages_alloc(0);
    assert_non_null(p);
    cmn_pages_free(p, 0);
    cmn_pages_free(NULL, 12);
}

/* 256 MiB reserved, one page in 4096 written: the RSS grows by about what was written, far
 * below the table (a calloc that zeroes up front would make it grow by the whole table). */
static void test_resident_only_where_written(void **state)
{
    (void)state;
    const size_t n = (size_t)256 << 20, page = (size_t)sysconf(_SC_PAGESIZE);
    long before, after;
    unsigned char *p;

    before = rss_bytes();
    if (before < 0)
        skip();
    p = cmn_pages_alloc(n);
    assert_non_null(p);
    for (size_t off = 0; off < n; off += page * 4096)
        p[off] = 1;
    after = rss_bytes();
    printf("# 256 MiB table, %zu pages written: RSS +%ld bytes\n", n / (page * 4096),
           after - before);
    assert_true(after - before < (long)(16 << 20));
    cmn_pages_free(p, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zeroed_and_writable),
        cmocka_unit_test(test_resident_only_where_written),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
