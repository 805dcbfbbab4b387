/* fuzz_revoker_feed.c - libFuzzer target for auth/revoker's HTTP feed, the one part of it that
 * reads strangers' bytes (its port is open like KrakenD's RPC port): the request body of
 * POST /add and POST /check. The first byte picks the path and the method; the rest is the
 * body. Whatever comes in, an element added through /add must be reported by /check. */
#include "gw_revoker.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct gw_revoker *revoker(void)
{
    static struct gw_revoker *r;
    struct gw_revoker_config c;
    struct cmn_err err;
    json_t *ns;

    if (r)
        return r;
    ns = json_loads("{\"N\":10000,\"P\":0.001,\"hash_name\":\"optimal\",\"TTL\":3600,"
                    "\"token_keys\":[\"jti\"],\"port\":1}",
                    0, NULL);
    if (ns && gw_revoker_config_parse(ns, "fuzz", &c, NULL, &err) == GW_REV_OK) {
        r = gw_revoker_new(&c, NULL, &err);
        gw_revoker_config_free(&c);
    }
    json_decref(ns);
    return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const paths[] = {"/add", "/check", "/", "/add?x"};
    struct gw_revoker *r = revoker();
    struct cmn_buf out;
    unsigned st;

    if (!r || size < 1 || size > (1 << 20))
        return 0;
    cmn_buf_init(&out, 4 << 20);
    st = gw_revoker_feed(r, (data[0] & 4) ? "GET" : "POST", paths[data[0] & 3],
                         (const char *)data + 1, size - 1, &out);
    if (st != 200 && st != 400 && st != 404 && st != 405)
        __builtin_trap();
    if (st == 200 && (data[0] & 3) == 0) {
        /* what was just added is there */
        cmn_buf_reset(&out);
        if (gw_revoker_feed(r, "POST", "/check", (const char *)data + 1, size - 1, &out) != 200 ||
            strstr(cmn_buf_str(&out), "false"))
            __builtin_trap();
    }
    cmn_buf_free(&out);
    return 0;
}
