/* fuzz_h1_response.c - libFuzzer target for the backend client's response reader (gw_h1_parse
 * on cmn_h1): an answer is read whole and again split at points the input chooses (the peer's
 * close included), and both readings must end the same: status, framing flags, fields, body,
 * bytes used and error. The first input byte picks the split pattern and whether the request
 * was HEAD. */
#include "gw_h1_parse.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct result {
    enum gw_h1_pstatus st;
    size_t used;
    long status;
    bool keep_alive, gzip;
    struct cmn_buf text; /* fields and body */
    const char *error;
};

static void run(const uint8_t *in, size_t n, unsigned mode, bool head, struct result *o)
{
    struct gw_h1_parser p;
    struct gw_hdrs h;
    struct cmn_buf body;
    uint32_t st = mode;
    size_t from = 0;

    memset(o, 0, sizeof(*o));
    gw_hdrs_init(&h, 64);
    cmn_buf_init(&body, 256 * 1024);
    gw_h1_parser_init(&p, head, &h, &body);
    o->st = GW_H1_MORE;
    while (o->st == GW_H1_MORE && from < n) {
        size_t take = n - from, used = 0;
        if (mode != 255) {
            st = st * 1103515245u + 12345u;
            take = 1 + (st >> 16) % (mode < 128 ? 5 : 97);
            if (take > n - from)
                take = n - from;
        }
        o->st = gw_h1_parse(&p, (const char *)in + from, take, &used);
        if (used > take || (o->st == GW_H1_MORE && used != take))
            abort();
        o->used = from + used;
        from += take;
    }
    if (o->st == GW_H1_MORE)
        o->st = gw_h1_parse_eof(&p);
    o->status = p.status;
    o->keep_alive = p.keep_alive;
    o->gzip = p.gzip;
    o->error = p.error;
    cmn_buf_init(&o->text, 1 << 22);
    for (size_t i = 0; i < h.n; i++)
        cmn_buf_printf(&o->text, "%s: %s\n", h.v[i].name, h.v[i].value);
    cmn_buf_append(&o->text, body.data ? body.data : "", body.len);
    gw_h1_parser_free(&p);
    gw_hdrs_free(&h);
    cmn_buf_free(&body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct result a, b;
    bool head;

    if (size < 1 || size > 128 * 1024)
        return 0;
    head = (data[0] & 1) != 0;
    run(data + 1, size - 1, 255, head, &a);
    run(data + 1, size - 1, data[0] >> 1, head, &b);
    bool same =
        a.st == b.st && (a.error == b.error || (a.error && b.error && !strcmp(a.error, b.error)));
    if (same && a.st != GW_H1_ERROR && a.st != GW_H1_TOO_BIG)
        same =
            a.used == b.used && a.status == b.status && a.keep_alive == b.keep_alive &&
            a.gzip == b.gzip && a.text.len == b.text.len &&
            memcmp(a.text.data ? a.text.data : "", b.text.data ? b.text.data : "", a.text.len) == 0;
    if (!same) {
        fprintf(stderr, "whole: st %d used %zu error %s\nsplit: st %d used %zu error %s\n", a.st,
                a.used, a.error ? a.error : "-", b.st, b.used, b.error ? b.error : "-");
        abort();
    }
    cmn_buf_free(&a.text);
    cmn_buf_free(&b.text);
    return 0;
}
