/* test_gw_sd.c - sd/dnssrv's sans-IO half: SRV records read from DNS answers built here byte
 * by byte, and Lura's resolve rules (priority, weight order, compacted weights). */
#include "gw_sd.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* A DNS answer under construction. */
struct msg {
    unsigned char b[2048];
    size_t n;
    unsigned an;
};

static void put8(struct msg *m, unsigned v)
{
    m->b[m->n++] = (unsigned char)v;
}
static void put16(struct msg *m, unsigned v)
{
    put8(m, v >> 8);
    put8(m, v & 0xff);
}

static void put_name(struct msg *m, const char *name)
{
    while (*name) {
        const char *dot = strchr(name, '.');
        size_t l = dot ? (size_t)(dot - name) : strlen(name);
        put8(m, (unsigned)l);
        memcpy(m->b + m->n, name, l);
        m->n += l;
        name += l + (dot ? 1 : 0);
    }
    put8(m, 0);
}

/* Header (rcode) and the question for _api._tcp.test SRV. */
static void start(struct msg *m, unsigned rcode)
{
    memset(m, 0, sizeof(*m));
    put16(m, 0x1234);
    put16(m, 0x8580 | rcode);
    put16(m, 1); /* QDCOUNT */
    put16(m, 0); /* ANCOUNT, set by finish() */
    put16(m, 0);
    put16(m, 0);
    put_name(m, "_api._tcp.test");
    put16(m, 33);
    put16(m, 1);
}

static void srv(struct msg *m, unsigned type, unsigned prio, unsigned weight, unsigned port,
                const char *target)
{
    size_t len_at;

    put16(m, 0xC00C); /* the question's name */
    put16(m, type);
    put16(m, 1);
    put16(m, 0);
    put16(m, 60);
    len_at = m->n;
    put16(m, 0);
    if (type == 33) {
        put16(m, prio);
        put16(m, weight);
        put16(m, port);
        put_name(m, target);
    } else {
        put_name(m, target);
    }
    m->b[len_at] = (unsigned char)((m->n - len_at - 2) >> 8);
    m->b[len_at + 1] = (unsigned char)(m->n - len_at - 2);
    m->an++;
}

static void finish(struct msg *m)
{
    m->b[6] = (unsigned char)(m->an >> 8);
    m->b[7] = (unsigned char)m->an;
}

static void parses_records(void **state)
{
    struct msg m;
    struct gw_srv out[8];
    size_t n;
    struct cmn_err err = {0};

    (void)state;
    start(&m, 0);
    srv(&m, 5, 0, 0, 0, "alias.test"); /* a CNAME on the way is skipped */
    srv(&m, 33, 10, 5, 8080, "a.example.com");
    srv(&m, 33, 20, 1, 8081, "b.example.com");
    srv(&m, 33, 0, 0, 0, ""); /* the root: "service not available" */
    finish(&m);
    assert_int_equal(gw_sd_srv_parse(m.b, m.n, out, 8, &n, &err), GW_SD_OK);
    assert_int_equal(n, 2);
    assert_string_equal(out[0].target, "a.example.com");
    assert_int_equal(out[0].priority, 10);
    assert_int_equal(out[0].weight, 5);
    assert_int_equal(out[0].port, 8080);
    assert_string_equal(out[1].target, "b.example.com");
    /* max caps what is kept */
    assert_int_equal(gw_sd_srv_parse(m.b, m.n, out, 1, &n, &err), GW_SD_OK);
    assert_int_equal(n, 1);
}

static void refuses_answers(void **state)
{
    struct msg m;
    struct gw_srv out[4];
    size_t n;
    struct cmn_err err = {0};

    (void)state;
    start(&m, 3);
    finish(&m);
    assert_int_equal(gw_sd_srv_parse(m.b, m.n, out, 4, &n, &err), GW_SD_RCODE);
    start(&m, 0);
    finish(&m);
    assert_int_equal(gw_sd_srv_parse(m.b, m.n, out, 4, &n, &err), GW_SD_EMPTY);
    /* one name Go's resolver refuses spoils the answer */
    start(&m, 0);
    srv(&m, 33, 1, 1, 80, "good.test");
    srv(&m, 33, 1, 1, 80, "127.0.0.1");
    finish(&m);
    assert_int_equal(gw_sd_srv_parse(m.b, m.n, out, 4, &n, &err), GW_SD_NAME);
    start(&m, 0);
    srv(&m, 33, 1, 1, 80, "a b.test");
    finish(&m);
    assert_int_equal(gw_sd_srv_parse(m.b, m.n, out, 4, &n, &err), GW_SD_NAME);
    /* truncated anywhere: malformed, never a read past the end */
    start(&m, 0);
    srv(&m, 33, 1, 1, 80, "good.test");
    finish(&m);
    for (size_t cut = 0; cut < m.n; cut++) {
        enum gw_sd_status st = gw_sd_srv_parse(m.b, cut, out, 4, &n, &err);
        assert_true(st == GW_SD_MALFORMED || st == GW_SD_EMPTY);
    }
    /* a compression pointer pointing at itself */
    start(&m, 0);
    put16(&m, 0xC00C);
    put16(&m, 33);
    put16(&m, 1);
    put16(&m, 0);
    put16(&m, 60);
    put16(&m, 8);
    put16(&m, 1);
    put16(&m, 1);
    put16(&m, 80);
    put16(&m, 0xC000 | (unsigned)(m.n));
    m.an = 1;
    finish(&m);
    assert_int_equal(gw_sd_srv_parse(m.b, m.n, out, 4, &n, &err), GW_SD_MALFORMED);
}

static struct gw_srv rec(unsigned prio, unsigned weight, unsigned port, const char *target)
{
    struct gw_srv s = {(uint16_t)prio, (uint16_t)weight, (uint16_t)port, {0}};
    snprintf(s.target, sizeof(s.target), "%s", target);
    return s;
}

static void lura_resolve(void **state)
{
    struct gw_srv s[4];
    struct gw_sd_hosts h;

    (void)state;
    /* lowest priority only; heavier first; weights 2 and 6 compact to 1 and 3 */
    s[0] = rec(10, 2, 80, "a.test");
    s[1] = rec(5, 6, 81, "b.test");
    s[2] = rec(5, 2, 82, "c.test");
    assert_true(gw_sd_instances(s, 3, "https", &h));
    assert_int_equal(h.n, 4);
    assert_string_equal(h.items[0], "https://b.test:81");
    assert_string_equal(h.items[1], "https://b.test:81");
    assert_string_equal(h.items[2], "https://b.test:81");
    assert_string_equal(h.items[3], "https://c.test:82");
    gw_sd_hosts_free(&h);
    /* equal weights: by target, then port; weight 0 everywhere: no instance (Lura) */
    s[0] = rec(1, 0, 90, "z.test");
    s[1] = rec(1, 0, 80, "z.test");
    assert_true(gw_sd_instances(s, 2, NULL, &h));
    assert_int_equal(h.n, 0);
    s[0] = rec(1, 7, 90, "z.test");
    s[1] = rec(1, 7, 80, "z.test");
    s[2] = rec(1, 7, 80, "a.test");
    assert_true(gw_sd_instances(s, 3, "", &h));
    assert_int_equal(h.n, 3);
    assert_string_equal(h.items[0], "http://a.test:80");
    assert_string_equal(h.items[1], "http://z.test:80");
    assert_string_equal(h.items[2], "http://z.test:90");
    gw_sd_hosts_free(&h);
    /* weights over 100 in total are scaled to 100 first: 300 and 100 -> 75 and 25 -> 3 and 1 */
    s[0] = rec(1, 100, 80, "a.test");
    s[1] = rec(1, 300, 80, "b.test");
    assert_true(gw_sd_instances(s, 2, NULL, &h));
    assert_int_equal(h.n, 4);
    assert_string_equal(h.items[0], "http://b.test:80");
    assert_string_equal(h.items[3], "http://a.test:80");
    gw_sd_hosts_free(&h);
    /* scaled weights that round to 0 drop their record: 1 of 1000 */
    s[0] = rec(1, 999, 80, "a.test");
    s[1] = rec(1, 1, 80, "b.test");
    assert_true(gw_sd_instances(s, 2, NULL, &h));
    assert_int_equal(h.n, 1);
    assert_string_equal(h.items[0], "http://a.test:80");
    gw_sd_hosts_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_records),
        cmocka_unit_test(refuses_answers),
        cmocka_unit_test(lura_resolve),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
