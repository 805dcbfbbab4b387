/* fuzz_template.c - libFuzzer target: any bytes as a Go template (parse, then execute on a
 * small fixed settings object with tight caps) must end in output or a clean error: no crash,
 * leak, hang or unbounded memory. */
#include "gw_tmpl.h"
#include "cmn_go_tz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *fuzz_env(void *ctx, const char *name)
{
    (void)ctx;
    return strcmp(name, "FOO") == 0 ? "bar" : NULL;
}

static bool fuzz_include(void *ctx, const char *name, size_t n, struct cmn_buf *out)
{
    (void)ctx;
    if (n == 0 || name[0] != 'p')
        return false;
    return cmn_buf_append_str(out, "\"partial\": {{ not rendered }}") == CMN_BUF_OK;
}

static bool fuzz_random(void *ctx, void *buf, size_t n)
{
    (void)ctx;
    memset(buf, 0x42, n);
    return true;
}

/* Knows one zone, "Fuzz/Zone" (+09 "FZT" from its POSIX footer, no transitions), so dateInZone's
 * named-zone path runs without reading files; other names are unknown. */
static int fuzz_zone(void *ctx, const char *name, unsigned char **data, size_t *len)
{
    static const unsigned char v1[] = {'T', 'Z', 'i', 'f', '2', 0, 0, 0, 0,   0,   0,   0, 0, 0,
                                       0,   0,   0,   0,   0,   0, 0, 0, 0,   0,   0,   0, 0, 0,
                                       0,   0,   0,   0,   0,   0, 0, 0, 0,   0,   0,   1, 0, 0,
                                       0,   4,   0,   0,   0,   0, 0, 0, 'U', 'T', 'C', 0};
    static const char footer[] = "\nFZT-9\n";

    (void)ctx;
    if (strcmp(name, "Fuzz/Zone") != 0)
        return -1;
    /* the same block twice (v1 then v2, UTC at offset 0), then the footer that gives +09 */
    *len = 2 * sizeof(v1) + sizeof(footer) - 1;
    *data = malloc(*len);
    if (!*data)
        return -1;
    memcpy(*data, v1, sizeof(v1));
    memcpy(*data + sizeof(v1), v1, sizeof(v1));
    memcpy(*data + 2 * sizeof(v1), footer, sizeof(footer) - 1);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char settings[] =
        "{\"service\":{\"port\":8080,\"name\":\"fuzz\",\"hosts\":[\"http://a\",\"http://b\"],"
        "\"debug\":false,\"n\":null},\"endpoints\":{\"list\":[{\"path\":\"/a\",\"cache\":1.5},"
        "{\"path\":\"/b\",\"auth\":true}]},\"my-settings\":{\"x\":[[],{}]}}";
    const struct gw_tmpl_limits lim = {
        .max_source = 64 * 1024,
        .max_nodes = 100000,
        .max_nesting = 50,
        .max_output = 64 * 1024,
        .max_memory = 32 * 1024 * 1024,
        .max_steps = 200000,
        .max_depth = 20,
        .max_value_depth = 50,
    };
    static struct cmn_clock_manual clock;
    static struct cmn_go_tzdb *zones;
    struct gw_tmpl_host host = {NULL, fuzz_env, fuzz_include, fuzz_random, &clock.clock, NULL};
    struct gw_tmpl_set *s = gw_tmpl_set_new(&lim);
    struct cmn_err err;
    struct cmn_buf out;
    json_t *j;

    if (!s)
        return 0;
    if (!zones)
        zones = cmn_go_tzdb_new(fuzz_zone, NULL, NULL, 0);
    host.zones = zones;
    /* a fixed instant: the date functions run, and a crash reproduces */
    cmn_clock_manual_init(&clock, 1000, 1700000000123);
    j = json_loads(settings, JSON_DECODE_INT_AS_REAL, NULL);
    cmn_buf_init(&out, 128 * 1024);
    if (gw_tmpl_parse(s, "krakend.tmpl", (const char *)data, size, &err) == GW_TMPL_OK)
        (void)gw_tmpl_execute(s, "krakend.tmpl", j, &host, &out, &err);
    cmn_buf_free(&out);
    json_decref(j);
    gw_tmpl_set_destroy(s);
    return 0;
}
