/* test_gw_process.c - process collector values from /proc text handed in by a fake reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "gw_process.h"

struct fake {
    const char *stat, *limits, *procstat, *netstat;
    long fds;
};

static long fake_read(void *ctx, const char *name, char *buf, size_t cap)
{
    const struct fake *f = ctx;
    const char *t = strcmp(name, GW_PROC_SELF_STAT) == 0      ? f->stat
                    : strcmp(name, GW_PROC_SELF_LIMITS) == 0  ? f->limits
                    : strcmp(name, GW_PROC_STAT) == 0         ? f->procstat
                    : strcmp(name, GW_PROC_SELF_NETSTAT) == 0 ? f->netstat
                                                              : NULL;
    size_t n;

    if (!t)
        return -1;
    n = strlen(t) < cap ? strlen(t) : cap;
    memcpy(buf, t, n);
    return (long)n;
}

static long fake_fds(void *ctx)
{
    return ((const struct fake *)ctx)->fds;
}

/* A command name with spaces and a parenthesis, as the kernel allows. */
static const char STAT[] =
    "4242 (gate way) x) S 1 4242 4242 0 -1 4194560 1000 0 0 0 150 75 0 0 20 0 8 0 12345 "
    "104857600 2560 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
static const char LIMITS[] =
    "Limit                     Soft Limit           Hard Limit           Units     \n"
    "Max cpu time              unlimited            unlimited            seconds   \n"
    "Max open files            1024                 1048576              files     \n"
    "Max address space         unlimited            unlimited            bytes     \n";
static const char PROCSTAT[] = "cpu  1 2 3 4\nintr 5\nbtime 1714550000\nprocesses 9\n";
static const char NETSTAT[] = "TcpExt: SyncookiesSent\nTcpExt: 0\n"
                              "IpExt: InNoRoutes InTruncatedPkts InOctets OutOctets\n"
                              "IpExt: 0 0 123456 654321\n";

static void parses_every_group(void **state)
{
    struct fake f = {STAT, LIMITS, PROCSTAT, NETSTAT, 12};
    struct gw_process_reader r = {fake_read, fake_fds, 4096, &f};
    struct gw_process_stats s;

    (void)state;
    assert_true(gw_process_collect(&r, &s));
    assert_true(s.have_stat && s.have_fds && s.have_limits && s.have_net);
    assert_true(s.cpu_seconds == 2.25); /* (150 + 75) / 100 */
    assert_true(s.vsize == 104857600.0);
    assert_true(s.rss == 2560.0 * 4096);
    assert_true(s.start_time == 1714550000 + 123.45); /* btime + 12345 / 100 */
    assert_true(s.open_fds == 12);
    assert_true(s.max_fds == 1024);
    assert_true(s.max_vsize == 18446744073709551615.0);
    assert_true(s.rx_bytes == 123456 && s.tx_bytes == 654321);
}

static void unreadable_groups_are_absent(void **state)
{
    struct fake f = {"garbage", NULL, PROCSTAT, "nothing", -1};
    struct gw_process_reader r = {fake_read, fake_fds, 4096, &f};
    struct gw_process_stats s;

    (void)state;
    assert_false(gw_process_collect(&r, &s));
    assert_false(s.have_stat || s.have_fds || s.have_limits || s.have_net);
    f.stat = "1 (x) S 1";
    assert_false(gw_process_collect(&r, &s)); /* too few fields */
}

static void real_proc_reader_works_here(void **state)
{
    struct gw_process_stats s;

    (void)state;
    if (!gw_process_collect(gw_process_proc_reader(), &s)) {
        skip(); /* no /proc (not Linux, or a restricted sandbox) */
        return;
    }
    assert_true(s.have_stat);
    assert_true(s.rss > 0 && s.vsize >= s.rss && s.start_time > 1e9);
    assert_true(s.have_fds && s.open_fds >= 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_every_group),
        cmocka_unit_test(unreadable_groups_are_absent),
        cmocka_unit_test(real_proc_reader_works_here),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
