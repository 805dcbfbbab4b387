/* test_cmn_go_tz.c - named time zones in common/go: TZif data built here byte by byte (so the
 * rules are checked without the system's tzdata), POSIX footers north and south of the
 * equator, truncated and hostile data, the cache (hits, misses, caps, unsafe names, threads),
 * and, where /usr/share/zoneinfo exists, Go's documented LoadLocation examples. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmn_go_time.h"
#include "cmn_go_tz.h"

/* ---- building TZif data ---- */

struct tzb {
    unsigned char d[4096];
    size_t n;
};

static void put32(struct tzb *b, uint32_t v)
{
    for (int i = 3; i >= 0; i--)
        b->d[b->n++] = (unsigned char)(v >> (8 * i));
}

static void put64(struct tzb *b, int64_t v)
{
    put32(b, (uint32_t)((uint64_t)v >> 32));
    put32(b, (uint32_t)v);
}

struct ttype {
    int32_t off;
    uint8_t dst, abbr;
};

static void header(struct tzb *b, char version, uint32_t ntx, uint32_t ntypes, uint32_t nchars)
{
    memcpy(b->d + b->n, "TZif", 4);
    b->n += 4;
    b->d[b->n++] = (unsigned char)version;
    memset(b->d + b->n, 0, 15);
    b->n += 15;
    put32(b, 0); /* isut */
    put32(b, 0); /* isstd */
    put32(b, 0); /* leap */
    put32(b, ntx);
    put32(b, ntypes);
    put32(b, nchars);
}

/* A zone: transitions tx[i] to types txi[i], types, abbreviation chars, footer (NULL: none,
 * version 1 data with 32-bit times). */
static void build(struct tzb *b, const int64_t *tx, const uint8_t *txi, uint32_t ntx,
                  const struct ttype *ty, uint32_t ntypes, const char *chars, uint32_t nchars,
                  const char *footer)
{
    bool v2 = footer != NULL;

    b->n = 0;
    if (v2) { /* a minimal version 1 block first, as zic writes for readers of old data */
        header(b, '2', 0, 1, 4);
        put32(b, 0);
        b->d[b->n++] = 0;
        b->d[b->n++] = 0;
        memcpy(b->d + b->n, "UTC", 4);
        b->n += 4;
    }
    header(b, v2 ? '2' : '\0', ntx, ntypes, nchars);
    for (uint32_t i = 0; i < ntx; i++) {
        if (v2)
            put64(b, tx[i]);
        else
            put32(b, (uint32_t)tx[i]);
    }
    for (uint32_t i = 0; i < ntx; i++)
        b->d[b->n++] = txi[i];
    for (uint32_t i = 0; i < ntypes; i++) {
        put32(b, (uint32_t)ty[i].off);
        b->d[b->n++] = ty[i].dst;
        b->d[b->n++] = ty[i].abbr;
    }
    memcpy(b->d + b->n, chars, nchars);
    b->n += nchars;
    if (v2) {
        b->d[b->n++] = '\n';
        memcpy(b->d + b->n, footer, strlen(footer));
        b->n += strlen(footer);
        b->d[b->n++] = '\n';
    }
}

static int64_t utc(int64_t y, int m, int d, int h, int mi, int s)
{
    return cmn_go_days_from_civil(y, m, d) * 86400 + h * 3600 + mi * 60 + s;
}

static void expect_zone(const struct cmn_go_tz *z, int64_t t, int32_t off, const char *abbr)
{
    char a[CMN_GO_ZONE_MAX];
    int32_t got = cmn_go_tz_lookup(z, t, a);

    if (got != off || strcmp(a, abbr) != 0)
        fail_msg("at %lld: %d %s, want %d %s", (long long)t, (int)got, a, (int)off, abbr);
}

/* A Berlin-like zone: LMT, then CET/CEST transitions, then the footer's EU rule. */
static struct cmn_go_tz *berlin(struct tzb *b, const char *footer)
{
    static const int64_t tx[] = {-2422054408LL, 0, 100, 1000};
    static const uint8_t txi[] = {1, 2, 1, 1};
    static const struct ttype ty[] = {{3208, 0, 0}, {3600, 0, 4}, {7200, 1, 8}};

    build(b, tx, txi, 4, ty, 3, "LMT\0CET\0CEST", 13, footer);
    return cmn_go_tz_parse(b->d, b->n);
}

static void tzif_and_footer_rules(void **state)
{
    struct tzb b;
    struct cmn_go_tz *z = berlin(&b, "CET-1CEST,M3.5.0,M10.5.0/3");

    (void)state;
    assert_non_null(z);
    expect_zone(z, -2422054409LL, 3208, "LMT"); /* before the first transition: Go's first zone */
    expect_zone(z, -2422054408LL, 3600, "CET");
    expect_zone(z, 50, 7200, "CEST");
    expect_zone(z, 500, 3600, "CET");
    /* after the last transition: the footer. EU rule: last Sunday of March 01:00Z, of October
     * 01:00Z */
    expect_zone(z, utc(2024, 1, 15, 12, 0, 0), 3600, "CET");
    expect_zone(z, utc(2024, 3, 31, 0, 59, 59), 3600, "CET");
    expect_zone(z, utc(2024, 3, 31, 1, 0, 0), 7200, "CEST");
    expect_zone(z, utc(2024, 10, 27, 0, 59, 59), 7200, "CEST");
    expect_zone(z, utc(2024, 10, 27, 1, 0, 0), 3600, "CET");
    expect_zone(z, utc(2100, 7, 1, 0, 0, 0), 7200, "CEST");
    expect_zone(z, utc(2038, 3, 28, 1, 0, 0), 7200, "CEST"); /* past 2^31 */
    assert_int_equal(cmn_go_tz_lookup(z, 0, NULL), 7200);
    /* the ends of time: the footer's rule without overflow (UBSan watches) */
    expect_zone(z, INT64_MAX, 3600, "CET");
    expect_zone(z, INT64_MIN, 3208, "LMT");
    cmn_go_tz_destroy(z);
    /* without a footer the last transition's zone lasts for ever (version 1 data) */
    {
        static const int64_t tx[] = {-100, 100};
        static const uint8_t txi[] = {1, 0};
        static const struct ttype ty[] = {{-18000, 0, 0}, {-14400, 1, 4}};
        build(&b, tx, txi, 2, ty, 2, "EST\0EDT", 8, NULL);
        z = cmn_go_tz_parse(b.d, b.n);
        assert_non_null(z);
        expect_zone(z, -1000, -18000, "EST"); /* type 0 is not used first: Go's first zone */
        expect_zone(z, 0, -14400, "EDT");
        expect_zone(z, 1000000000, -18000, "EST");
        cmn_go_tz_destroy(z);
    }
    cmn_go_tz_destroy(NULL);
}

/* Footers alone (a zone without transitions gets one at the beginning of time, as in Go). */
static void posix_footers(void **state)
{
    const struct { /* not static: some times are computed */
        const char *footer;
        int64_t t;
        int32_t off;
        const char *abbr;
    } c[] = {
        /* Sydney: daylight time across the new year */
        {"AEST-10AEDT,M10.1.0,M4.1.0/3", 1704067200, 39600, "AEDT"}, /* 2024-01-01 */
        {"AEST-10AEDT,M10.1.0,M4.1.0/3", 1719792000, 36000, "AEST"}, /* 2024-07-01 */
        {"AEST-10AEDT,M10.1.0,M4.1.0/3", 1728143999, 36000, "AEST"}, /* 2024-10-05T15:59:59Z */
        {"AEST-10AEDT,M10.1.0,M4.1.0/3", 1728144000, 39600, "AEDT"}, /* 2024-10-05T16:00:00Z */
        {"AEST-10AEDT,M10.1.0,M4.1.0/3", 1712419199, 39600, "AEDT"}, /* 2024-04-06T15:59:59Z */
        {"AEST-10AEDT,M10.1.0,M4.1.0/3", 1712419200, 36000, "AEST"},
        /* quoted names, no DST, minutes */
        {"<-03>3", 1719792000, -10800, "-03"},
        {"<+0545>-5:45", 1719792000, 20700, "+0545"},
        /* tzcode's default rule: second Sunday of March to first Sunday of November, 02:00 */
        {"EST5EDT", 1710054000, -14400, "EDT"}, /* 2024-03-10T07:00Z */
        {"EST5EDT", 1710053999, -18000, "EST"},
        {"EST5EDT", 1730613600, -18000, "EST"}, /* 2024-11-03T06:00Z */
        /* Julian (no Feb 29) and zero-based days, an explicit DST offset */
        {"XST3XDT2,J60/2,J300/2", utc(2024, 3, 1, 5, 0, 0), -7200, "XDT"},
        {"XST3XDT2,J60/2,J300/2", utc(2024, 2, 29, 12, 0, 0), -10800, "XST"},
        {"XST3XDT,59,300", utc(2023, 3, 1, 5, 0, 0), -7200, "XDT"},
        {"XST3XDT,59,300", utc(2023, 2, 28, 12, 0, 0), -10800, "XST"},
        /* a rule time past midnight and a negative one (tzcode allows both) */
        {"IST-2IDT,M3.4.4/26,M10.5.0", utc(2024, 3, 28, 23, 59, 59), 7200, "IST"},
        {"IST-2IDT,M3.4.4/26,M10.5.0", utc(2024, 3, 29, 0, 0, 0), 10800, "IDT"},
        {"<-01>1<+00>,M3.5.0/0,M10.5.0/1", utc(2024, 7, 1, 0, 0, 0), 0, "+00"},
        {"<-02>2<-01>,M3.5.0/-1,M10.5.0/0", utc(2024, 3, 31, 0, 59, 59), -7200, "-02"},
        {"<-02>2<-01>,M3.5.0/-1,M10.5.0/0", utc(2024, 3, 31, 1, 0, 0), -3600, "-01"},
        /* footers Go cannot use are ignored: the last zone stays */
        {"A1", 1719792000, 3600, "ONE"},
        {"EST5EDT,M3", 1719792000, 3600, "ONE"},
        {"EST5EDT,M3.2.0,M11.1.0,", 1719792000, 3600, "ONE"},
        {"EST5EDT,M13.1.0,M11.1.0", 1719792000, 3600, "ONE"},
    };
    static const struct ttype one[] = {{3600, 0, 0}};

    (void)state;
    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        struct tzb b;
        struct cmn_go_tz *z;
        build(&b, NULL, NULL, 0, one, 1, "ONE", 4, c[i].footer);
        z = cmn_go_tz_parse(b.d, b.n);
        assert_non_null(z);
        char a[CMN_GO_ZONE_MAX];
        int32_t off = cmn_go_tz_lookup(z, c[i].t, a);
        if (off != c[i].off || strcmp(a, c[i].abbr) != 0)
            fail_msg("%s at %lld: %d %s, want %d %s", c[i].footer, (long long)c[i].t, (int)off, a,
                     (int)c[i].off, c[i].abbr);
        cmn_go_tz_destroy(z);
    }
}

/* Every prefix of valid data, and bytes flipped in it: a zone or NULL, never a crash or a
 * read past the data (ASan watches). */
static void hostile_tzif(void **state)
{
    struct tzb b;
    struct cmn_go_tz *z = berlin(&b, "CET-1CEST,M3.5.0,M10.5.0/3");

    (void)state;
    cmn_go_tz_destroy(z);
    for (size_t n = 0; n < b.n; n++) {
        unsigned char *copy = malloc(n ? n : 1);
        memcpy(copy, b.d, n);
        z = cmn_go_tz_parse(copy, n);
        if (z)
            (void)cmn_go_tz_lookup(z, 1719792000, NULL);
        cmn_go_tz_destroy(z);
        free(copy);
    }
    for (size_t i = 0; i < b.n; i++) {
        struct tzb m = b;
        m.d[i] ^= 0xA5;
        unsigned char *copy = malloc(m.n);
        memcpy(copy, m.d, m.n);
        z = cmn_go_tz_parse(copy, m.n);
        if (z) {
            char a[CMN_GO_ZONE_MAX];
            (void)cmn_go_tz_lookup(z, -5000000000LL, a);
            (void)cmn_go_tz_lookup(z, 50, a);
            (void)cmn_go_tz_lookup(z, 5000000000LL, a);
        }
        cmn_go_tz_destroy(z);
        free(copy);
    }
    assert_null(cmn_go_tz_parse((const unsigned char *)"TZif", 4));
}

/* ---- the cache ---- */

struct fake {
    int loads;
    pthread_mutex_t lock;
};

/* Knows "Test/Berlin" and "Test/Other" (a fixed +01); counts its loads. */
static int fake_loader(void *ctx, const char *name, unsigned char **data, size_t *len)
{
    struct fake *f = ctx;
    struct tzb b;
    static const struct ttype one[] = {{3600, 0, 0}};

    pthread_mutex_lock(&f->lock);
    f->loads++;
    pthread_mutex_unlock(&f->lock);
    if (strcmp(name, "Test/Berlin") == 0) {
        cmn_go_tz_destroy(berlin(&b, "CET-1CEST,M3.5.0,M10.5.0/3"));
    } else if (strcmp(name, "Test/Other") == 0) {
        build(&b, NULL, NULL, 0, one, 1, "ONE", 4, "<+01>-1");
    } else {
        return -1;
    }
    *data = malloc(b.n);
    memcpy(*data, b.d, b.n);
    *len = b.n;
    return 0;
}

static enum cmn_go_tz_status look(struct cmn_go_tzdb *db, const char *name, int64_t t, int32_t *off,
                                  char *abbr)
{
    return cmn_go_tzdb_lookup(db, name, strlen(name), t, off, abbr);
}

static void cache_hits_misses_and_caps(void **state)
{
    struct fake f = {0, PTHREAD_MUTEX_INITIALIZER};
    struct cmn_go_tzdb *db = cmn_go_tzdb_new(fake_loader, &f, NULL, 1);
    int32_t off = 0;
    char abbr[CMN_GO_ZONE_MAX], name[32];

    (void)state;
    assert_int_equal(look(db, "Test/Berlin", 1719792000, &off, abbr), CMN_GO_TZ_OK);
    assert_int_equal(off, 7200);
    assert_string_equal(abbr, "CEST");
    assert_int_equal(look(db, "Test/Berlin", 1704067200, &off, NULL), CMN_GO_TZ_OK);
    assert_int_equal(off, 3600);
    assert_int_equal(f.loads, 1); /* cached */
    /* the cache holds one zone: another is loaded for each lookup, and still right */
    assert_int_equal(look(db, "Test/Other", 0, &off, abbr), CMN_GO_TZ_OK);
    assert_int_equal(look(db, "Test/Other", 0, &off, abbr), CMN_GO_TZ_OK);
    assert_int_equal(off, 3600);
    assert_string_equal(abbr, "+01");
    assert_int_equal(f.loads, 3);
    /* misses are remembered: one load per unknown name */
    assert_int_equal(look(db, "Nowhere/Zone", 0, &off, abbr), CMN_GO_TZ_UNKNOWN);
    assert_int_equal(look(db, "Nowhere/Zone", 0, &off, abbr), CMN_GO_TZ_UNKNOWN);
    assert_int_equal(f.loads, 4);
    /* ... in a ring: a flood of unknown names never crowds out a real one */
    for (int i = 0; i < 200; i++) {
        snprintf(name, sizeof(name), "Bogus/N%d", i);
        assert_int_equal(look(db, name, 0, &off, abbr), CMN_GO_TZ_UNKNOWN);
    }
    assert_int_equal(look(db, "Test/Berlin", 0, &off, abbr), CMN_GO_TZ_OK);
    /* "" and "UTC" are UTC without a load; unsafe names never reach the loader */
    f.loads = 0;
    assert_int_equal(look(db, "", 5, &off, abbr), CMN_GO_TZ_OK);
    assert_int_equal(off, 0);
    assert_string_equal(abbr, "UTC");
    assert_int_equal(look(db, "UTC", 5, &off, abbr), CMN_GO_TZ_OK);
    static const char *const unsafe[] = {"../etc/passwd",  "/etc/localtime", "a//b", "a/.b",
                                         "Europe/../../x", ".hidden",        "a b",  "a\\b"};
    for (size_t i = 0; i < sizeof(unsafe) / sizeof(unsafe[0]); i++)
        assert_int_equal(look(db, unsafe[i], 0, &off, abbr), CMN_GO_TZ_UNKNOWN);
    assert_int_equal(cmn_go_tzdb_lookup(db, "Test/Berlin\0x", 13, 0, &off, abbr),
                     CMN_GO_TZ_UNKNOWN);
    memset(name, 'a', sizeof(name));
    char longname[200];
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    assert_int_equal(look(db, longname, 0, &off, abbr), CMN_GO_TZ_UNKNOWN);
    assert_int_equal(f.loads, 0);
    cmn_go_tzdb_destroy(db);
    cmn_go_tzdb_destroy(NULL);
    assert_int_equal(cmn_go_tzdb_lookup(NULL, "Test/Berlin", 11, 0, &off, abbr), CMN_GO_TZ_UNKNOWN);
}

struct hammer_arg {
    struct cmn_go_tzdb *db;
    int errors;
};

static void *hammer(void *p)
{
    struct hammer_arg *a = p;

    for (int i = 0; i < 5000; i++) {
        int32_t off = 0;
        const char *name = (i % 3 == 0) ? "Test/Other" : (i % 3 == 1) ? "Test/Berlin" : "X/Y";
        enum cmn_go_tz_status st = look(a->db, name, 1719792000, &off, NULL);
        if ((i % 3 == 2) != (st == CMN_GO_TZ_UNKNOWN) ||
            (st == CMN_GO_TZ_OK && off != 3600 && off != 7200))
            a->errors++;
    }
    return NULL;
}

static void cache_is_thread_safe(void **state)
{
    struct fake f = {0, PTHREAD_MUTEX_INITIALIZER};
    struct cmn_go_tzdb *db = cmn_go_tzdb_new(fake_loader, &f, NULL, 0);
    pthread_t th[4];
    struct hammer_arg args[4];

    (void)state;
    for (int i = 0; i < 4; i++) {
        args[i] = (struct hammer_arg){db, 0};
        assert_int_equal(pthread_create(&th[i], NULL, hammer, &args[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(args[i].errors, 0);
    }
    assert_int_equal(f.loads, 3); /* two zones and one miss, loaded once each */
    cmn_go_tzdb_destroy(db);
}

/* ---- the system's tzdata: Go's documented examples ---- */

static void system_zones(void **state)
{
    struct cmn_go_tzdb *db;
    int32_t off = 0;
    char abbr[CMN_GO_ZONE_MAX];

    (void)state;
    if (access("/usr/share/zoneinfo/Europe/Berlin", R_OK) != 0)
        skip(); /* no tzdata installed */
    db = cmn_go_tzdb_new_system(NULL);
    /* ExampleLoadLocation: 2018-08-30 12:00 UTC in Los Angeles is 05:00 PDT */
    assert_int_equal(look(db, "America/Los_Angeles", utc(2018, 8, 30, 12, 0, 0), &off, abbr),
                     CMN_GO_TZ_OK);
    assert_int_equal(off, -25200);
    assert_string_equal(abbr, "PDT");
    /* ExampleTime_Format: Shanghai is +08 */
    assert_int_equal(look(db, "Asia/Shanghai", 1424891199, &off, abbr), CMN_GO_TZ_OK);
    assert_int_equal(off, 28800);
    assert_string_equal(abbr, "CST");
    /* ExampleTime_AddDate: Zurich switched to CEST on 2023-03-26 */
    assert_int_equal(look(db, "Europe/Zurich", utc(2023, 3, 26, 12, 0, 0), &off, abbr),
                     CMN_GO_TZ_OK);
    assert_int_equal(off, 7200);
    assert_int_equal(look(db, "Europe/Zurich", utc(2023, 3, 25, 12, 0, 0), &off, abbr),
                     CMN_GO_TZ_OK);
    assert_int_equal(off, 3600);
    /* before the first transition: New York's local mean time, -4:56:02 */
    assert_int_equal(look(db, "America/New_York", utc(1870, 1, 1, 0, 0, 0), &off, abbr),
                     CMN_GO_TZ_OK);
    assert_int_equal(off, -17762);
    assert_string_equal(abbr, "LMT");
    /* far future through the footer, and the southern hemisphere */
    assert_int_equal(look(db, "Europe/Berlin", utc(2100, 7, 1, 0, 0, 0), &off, abbr), CMN_GO_TZ_OK);
    assert_int_equal(off, 7200);
    assert_string_equal(abbr, "CEST");
    assert_int_equal(look(db, "Australia/Sydney", utc(2024, 1, 1, 0, 0, 0), &off, abbr),
                     CMN_GO_TZ_OK);
    assert_int_equal(off, 39600);
    assert_int_equal(look(db, "Etc/GMT+3", 0, &off, abbr), CMN_GO_TZ_OK);
    assert_int_equal(off, -10800);
    assert_string_equal(abbr, "-03");
    assert_int_equal(look(db, "Nowhere/Zone", 0, &off, abbr), CMN_GO_TZ_UNKNOWN);
    assert_int_equal(look(db, "Europe", 0, &off, abbr), CMN_GO_TZ_UNKNOWN); /* a directory */
    cmn_go_tzdb_destroy(db);
    db = cmn_go_tzdb_new_system("/nonexistent");
    assert_int_equal(look(db, "Europe/Berlin", 0, &off, abbr), CMN_GO_TZ_UNKNOWN);
    assert_int_equal(look(db, "UTC", 0, &off, abbr), CMN_GO_TZ_OK);
    cmn_go_tzdb_destroy(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tzif_and_footer_rules), cmocka_unit_test(posix_footers),
        cmocka_unit_test(hostile_tzif),          cmocka_unit_test(cache_hits_misses_and_caps),
        cmocka_unit_test(cache_is_thread_safe),  cmocka_unit_test(system_zones),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
