/* test_gw_logship.c - telemetry/logstash records (the spec's §4.2 example byte for byte),
 * telemetry/gelf messages, UDP chunks (decompressed back) and TCP frames. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include "gw_logship.h"
#include "tu_shared.h"

#define SPEC "spec/krakend-telemetry-validation.md"
#define T_2018 1526464967000000000LL /* 2018-05-16T10:02:47Z */

static void logstash_matches_spec_example(void **state)
{
    char *spec = tu_shared_read(SPEC, NULL), *want, *p, *e;
    struct cmn_buf b;

    (void)state;
    assert_non_null(spec);
    p = strstr(spec, "Example:\n  `{\"@timestamp\"");
    assert_non_null(p);
    p = strchr(p, '`') + 1;
    e = strchr(p, '`');
    want = strndup(p, (size_t)(e - p));
    cmn_buf_init(&b, 4096);
    assert_true(gw_logstash_format(GW_LOG_INFO, "KRAKEND", "gw-1", T_2018, 0,
                                   "Starting the KrakenD instance", 29, NULL, 0, &b));
    assert_string_equal(cmn_buf_str(&b), want);
    cmn_buf_free(&b);
    free(want);
    free(spec);
}

static void logstash_fields_escaping_and_levels(void **state)
{
    struct cmn_buf b, msg;
    struct gw_ls_field extra[] = {{"zeta", GW_LS_INT, NULL, 42, false, 0},
                                  {"abc", GW_LS_STR, "<x&y>", 0, false, 0},
                                  {"message", GW_LS_STR, "never", 0, false, 0},
                                  {"ok", GW_LS_BOOL, NULL, 0, true, 0},
                                  {"ratio", GW_LS_FLOAT, NULL, 0, false, 0.5}};
    struct gw_ls_field args[] = {{NULL, GW_LS_STR, "backend", 0, false, 0},
                                 {NULL, GW_LS_INT, NULL, -3, false, 0},
                                 {NULL, GW_LS_BOOL, NULL, 0, false, 0},
                                 {NULL, GW_LS_FLOAT, NULL, 0, false, 1.5}};

    (void)state;
    cmn_buf_init(&msg, 256);
    cmn_buf_append_str(&msg, "[ENDPOINT: /x]");
    for (size_t i = 0; i < 4; i++)
        assert_true(gw_logstash_append_arg(&msg, &args[i]));
    assert_string_equal(cmn_buf_str(&msg), "[ENDPOINT: /x] backend -3 false 1.500000");
    cmn_buf_init(&b, 4096);
    /* +02:00, microseconds; NOTICE is INFO for KrakenD's logger; extras sorted among the keys */
    assert_true(gw_logstash_format(GW_LOG_NOTICE, "API", NULL, T_2018 + 123456789, 7200,
                                   cmn_buf_str(&msg), msg.len, extra, 5, &b));
    assert_string_equal(cmn_buf_str(&b),
                        "{\"@timestamp\":\"2018-05-16T12:02:47.123456+02:00\",\"@version\":1,"
                        "\"abc\":\"\\u003cx\\u0026y\\u003e\",\"host\":\"localhost\",\"level\":"
                        "\"INFO\",\"message\":\"[ENDPOINT: /x] backend -3 false 1.500000\","
                        "\"module\":\"API\",\"ok\":true,\"ratio\":0.5,\"zeta\":42}");
    cmn_buf_free(&b);
    cmn_buf_free(&msg);
}

static char *gunzip(const uint8_t *in, size_t n, size_t *out_len)
{
    z_stream z;
    char *out = malloc(1 << 20);

    memset(&z, 0, sizeof(z));
    assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)n;
    z.next_out = (Bytef *)out;
    z.avail_out = 1 << 20;
    assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
    *out_len = z.total_out;
    inflateEnd(&z);
    return out;
}

static void gelf_message_fields(void **state)
{
    struct cmn_buf b;
    json_t *doc;

    (void)state;
    cmn_buf_init(&b, 4096);
    assert_true(gw_gelf_message("gw-1", "krakend", "  one line <x>\n", 15, 1714557600123456789LL,
                                "/src/gw_proxy.c", 88, &b));
    assert_string_equal(cmn_buf_str(&b),
                        "{\"version\":\"1.1\",\"host\":\"gw-1\",\"short_message\":\"one line "
                        "\\u003cx\\u003e\",\"timestamp\":1714557600.1234567,\"level\":6,"
                        "\"facility\":\"krakend\",\"_file\":\"/src/gw_proxy.c\",\"_line\":88}");
    cmn_buf_reset(&b);
    /* several lines: the first is the short message, the whole text the full one */
    assert_true(gw_gelf_message("h", "", "first\nsecond", 12, 1000000000LL, NULL, 0, &b));
    doc = json_loads(cmn_buf_str(&b), 0, NULL);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "short_message")), "first");
    assert_string_equal(json_string_value(json_object_get(doc, "full_message")), "first\nsecond");
    assert_null(json_object_get(doc, "facility"));
    assert_string_equal(json_string_value(json_object_get(doc, "_file")), "???");
    json_decref(doc);
    cmn_buf_free(&b);
}

/* Incompressible text of n bytes (so the gzip output stays large). */
static char *noise(size_t n)
{
    char *s = malloc(n + 1);
    uint32_t x = 12345;

    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        s[i] = (char)('!' + (x >> 16) % 90);
        if (s[i] == '"' || s[i] == '\\')
            s[i] = 'a';
    }
    s[n] = '\0';
    return s;
}

static void gelf_udp_chunks_and_tcp(void **state)
{
    const uint8_t id[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    struct gw_gelf_datagrams d;
    struct cmn_err err = {0};
    struct cmn_buf json, tcp;
    char *text = noise(5000), *back;
    uint8_t *joined;
    size_t jl = 0, bl;

    (void)state;
    cmn_buf_init(&json, 1 << 20);
    assert_true(gw_gelf_message("h", "krakend", text, 5000, 1, NULL, 0, &json));
    assert_true(gw_gelf_udp(json.data, json.len, id, &d, &err));
    assert_true(d.n >= 3);
    joined = malloc(d.n * GW_GELF_CHUNK);
    for (size_t i = 0; i < d.n; i++) {
        assert_true(d.len[i] <= GW_GELF_CHUNK);
        assert_int_equal(d.d[i][0], 0x1e);
        assert_int_equal(d.d[i][1], 0x0f);
        assert_memory_equal(d.d[i] + 2, id, 8);
        assert_int_equal(d.d[i][10], i);
        assert_int_equal(d.d[i][11], d.n);
        if (i + 1 < d.n)
            assert_int_equal(d.len[i], GW_GELF_CHUNK);
        memcpy(joined + jl, d.d[i] + 12, d.len[i] - 12);
        jl += d.len[i] - 12;
    }
    back = gunzip(joined, jl, &bl);
    assert_int_equal(bl, json.len);
    assert_memory_equal(back, json.data, bl);
    free(back);
    free(joined);
    gw_gelf_datagrams_free(&d);
    /* a small message: one gzip datagram without a chunk header */
    cmn_buf_reset(&json);
    assert_true(gw_gelf_message("h", "krakend", "hi", 2, 1, NULL, 0, &json));
    assert_true(gw_gelf_udp(json.data, json.len, id, &d, &err));
    assert_int_equal(d.n, 1);
    assert_int_equal(d.d[0][0], 0x1f);
    assert_int_equal(d.d[0][1], 0x8b);
    gw_gelf_datagrams_free(&d);
    /* TCP: JSON and a NUL */
    cmn_buf_init(&tcp, 4096);
    assert_true(gw_gelf_tcp(json.data, json.len, &tcp));
    assert_int_equal(tcp.len, json.len + 1);
    assert_int_equal(tcp.data[json.len], '\0');
    cmn_buf_free(&tcp);
    free(text);
    /* more than 128 chunks is refused, as go-gelf does */
    text = noise(400000);
    cmn_buf_reset(&json);
    assert_true(gw_gelf_message("h", "krakend", text, 400000, 1, NULL, 0, &json));
    assert_false(gw_gelf_udp(json.data, json.len, id, &d, &err));
    assert_non_null(strstr(err.msg, "msg too large, would need"));
    free(text);
    cmn_buf_free(&json);
}

static void gelf_config(void **state)
{
    struct gw_gelf_config c;
    struct cmn_err err = {0};
    json_t *j = json_loads("{\"address\":\"graylog:12201\",\"enable_tcp\":true}", 0, NULL);

    (void)state;
    assert_true(gw_gelf_config_parse(j, &c, &err));
    assert_string_equal(c.address, "graylog:12201");
    assert_true(c.tcp);
    gw_gelf_config_free(&c);
    json_decref(j);
    j = json_loads("{\"enable_tcp\":1}", 0, NULL);
    assert_false(gw_gelf_config_parse(j, &c, &err));
    assert_string_equal(err.msg, "missing addr to send gelf logs");
    json_decref(j);
}

static void sends_whole_frames(void **state)
{
    int sv[2];
    char got[64];

    (void)state;
    assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
    assert_true(gw_log_send(sv[0], "<159>frame\n", 11));
    assert_int_equal(recv(sv[1], got, sizeof(got), 0), 11);
    assert_memory_equal(got, "<159>frame\n", 11);
    close(sv[1]);
    assert_false(gw_log_send(sv[0], "x", 1));
    close(sv[0]);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest shared[] = {
        cmocka_unit_test(logstash_matches_spec_example),
    };
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(logstash_fields_escaping_and_levels),
        cmocka_unit_test(gelf_message_fields),
        cmocka_unit_test(gelf_udp_chunks_and_tcp),
        cmocka_unit_test(gelf_config),
        cmocka_unit_test(sends_whole_frames),
    };
    return tu_run(argc, argv, tests, TU_COUNT(tests), shared, TU_COUNT(shared));
}
