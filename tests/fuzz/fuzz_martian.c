/* fuzz_martian.c - libFuzzer target: modifier/martian's configuration parser, then whatever it
 * accepted run on a request and its answer (with a Range, cookies and a port for the filters):
 * any input is refused or run cleanly (no crash, leak or hang). Seeds: tests/data/fuzz/martian. */
#include "gw_martian_int.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run(const struct gw_mart_tree *t)
{
    struct gw_outreq o = {0}, snap_o = {0};
    struct gw_mart_req req, snap;
    struct gw_fetch_result r = {0};
    struct cmn_err err = {0};

    o.method = strdup("POST");
    o.url = strdup("http://b.example:8080/p%20q/r?x=1&y=2");
    gw_hdrs_init(&o.headers, 64);
    gw_hdrs_add(&o.headers, "X-A", "1");
    gw_hdrs_add(&o.headers, "Cookie", "s=1; t=\"2\"");
    gw_hdrs_add(&o.headers, "Range", "bytes=0-1,3-");
    o.body = "body";
    o.body_len = 4;
    o.content_length = true;
    gw_mart_req_init(&req, &o);
    memset(&snap, 0, sizeof(snap));
    if (gw_mart_ref_request(&t->root, &req, &err) == 0 && gw_mart_req_finish(&req, &err) &&
        gw_mart_req_snapshot(&req, &snap_o, &snap)) {
        struct gw_mart_res res = {&r, &snap};
        r.status = 200;
        gw_hdrs_init(&r.headers, 64);
        gw_hdrs_add(&r.headers, "Set-Cookie", "s=1; Path=/");
        gw_hdrs_add(&r.headers, "Content-Length", "5");
        r.body = strdup("hello");
        r.body_len = 5;
        gw_mart_ref_response(&t->root, &res, &err);
    }
    gw_fetch_result_free(&r);
    gw_mart_req_free(&req);
    gw_mart_req_free(&snap);
    gw_outreq_free(&o);
    gw_outreq_free(&snap_o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *v = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
    struct gw_mart_tree *t = NULL;
    struct cmn_err err = {0};

    if (!v)
        return 0;
    if (gw_mart_parse(v, &t, &err) == GW_MART_OK)
        run(t);
    gw_mart_tree_free(t);
    json_decref(v);
    return 0;
}
