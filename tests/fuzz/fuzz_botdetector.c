/* fuzz_botdetector.c - libFuzzer target: a Go pattern from the input is parsed, translated,
 * compiled and matched against a capped User-Agent, alone and inside a bot detector with a
 * small cache. Nothing may crash, leak or run without bound.
 * Input: pattern, a newline, then the User-Agent (both capped at 4 KiB). */
#include "gw_botdetector.h"
#include "gw_re2.h"

#include <jansson.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CAP 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    const char *nl = memchr(in, '\n', size);
    size_t plen = nl ? (size_t)(nl - in) : size;
    const char *ua = nl ? nl + 1 : "";
    size_t ulen = nl ? size - plen - 1 : 0;
    struct cmn_err err;
    struct cmn_buf out;
    struct gw_re2 *re;

    if (plen > CAP)
        plen = CAP;
    if (ulen > CAP)
        ulen = CAP;
    cmn_buf_init(&out, 1 << 24);
    gw_re2_translate(in, plen, &out, &err);
    cmn_buf_free(&out);
    re = gw_re2_compile(in, plen, &err);
    if (re) {
        gw_re2_match(re, ua, ulen);
        gw_re2_destroy(re);
    }
    /* the same pattern inside a detector (JSON strings cannot hold NUL or invalid UTF-8: the
     * detector sees what jansson accepts) */
    {
        json_t *pat = json_stringn(in, plen);
        if (pat) {
            json_t *cfg = json_pack("{s:[o], s:i, s:[s], s:b}", "patterns", pat, "cache_size", 2,
                                    "deny", "x", "empty_user_agent_is_bot", 1);
            struct gw_bot_params p = {"fuzz", GW_BOT_SERVICE_PREFIX, {NULL, NULL}, {1, 2}};
            struct gw_botdetector *d = NULL;
            if (cfg && gw_botdetector_new(cfg, &p, &d, NULL, &err) == GW_BOT_OK && d) {
                gw_botdetector_is_bot(d, ua, ulen);
                gw_botdetector_is_bot(d, ua, ulen); /* from the cache */
                gw_botdetector_destroy(d);
            }
            json_decref(cfg);
        }
    }
    return 0;
}
