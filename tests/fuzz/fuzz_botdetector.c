/* fuzz_botdetector.c - libFuzzer target: a Go pattern from the input goes into a bot detector
 * (with a small cache) that then judges a capped User-Agent, twice (the second time from the
 * cache) and through the middleware. Nothing may crash, leak or run without bound. The pattern
 * engine alone has its own target (fuzz_go_regexp).
 * Input: pattern, a newline, then the User-Agent (both capped at 4 KiB). */
#include "cmn_go_re.h"
#include "cmn_http.h"
#include "cmn_log.h"
#include "gw_botdetector.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CAP 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool quiet;
    const char *in = (const char *)data;
    const char *nl = memchr(in, '\n', size);
    size_t plen = nl ? (size_t)(nl - in) : size;
    const char *ua = nl ? nl + 1 : "";
    size_t ulen = nl ? size - plen - 1 : 0;
    struct gw_bot_params p = {"fuzz", GW_BOT_SERVICE_PREFIX, {1, 2}};
    struct gw_botdetector *d = NULL;
    struct cmn_err err;
    json_t *pat, *cfg;

    if (!quiet) {
        cmn_log_init("FUZZ", CMN_LOG_DEBUG, -1);
        quiet = true;
    }
    if (plen > CAP)
        plen = CAP;
    if (ulen > CAP)
        ulen = CAP;
    /* JSON strings cannot hold invalid UTF-8: the detector sees what jansson accepts */
    pat = json_stringn(in, plen);
    if (!pat)
        return 0;
    cfg = json_pack("{s:[o], s:i, s:[s], s:b}", "patterns", pat, "cache_size", 2, "deny", "x",
                    "empty_user_agent_is_bot", 1);
    if (cfg && gw_botdetector_new(cfg, &p, &d, &err) == GW_BOT_OK && d) {
        char *u = malloc(ulen + 1);
        if (u) {
            struct cmn_http_kv kv = {(char *)(uintptr_t) "User-Agent", u};
            struct cmn_http_request r = {.method = "GET", .target = "/", .path = "/", .query = ""};
            struct cmn_http_response *answer = NULL;
            memcpy(u, ua, ulen);
            u[ulen] = '\0';
            gw_botdetector_is_bot(d, ua, ulen);
            gw_botdetector_is_bot(d, ua, ulen); /* from the cache */
            r.headers = &kv;
            r.n_headers = 1;
            gw_botdetector_handle(d, &r, &answer);
            cmn_http_response_destroy(answer);
            free(u);
        }
        gw_botdetector_destroy(d);
    }
    json_decref(cfg);
    cmn_go_re_thread_release();
    return 0;
}
