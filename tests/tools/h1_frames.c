/* h1_frames.c - how the gateway's request reader (cmn_h1) frames a byte stream, for the
 * differential check against Node's llhttp (tests/tools/llhttp_frames.js): one line per
 * request it reads (where it ends, method, target, body length, keep-alive), then how the
 * stream ends: "ok" (everything read), "incomplete" (a request cut short) or "error". Output
 * stops after a request that does not keep the connection: a server closes there.
 *
 * Usage: h1_frames FILE... (each file's lines follow a "== FILE" line) */
#include "cmn_buf.h"
#include "cmn_h1.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT (1 << 20)

static bool skip_field(void *ctx, const char *n, size_t nl, const char *v, size_t vl)
{
    (void)ctx;
    (void)n;
    (void)nl;
    (void)v;
    (void)vl;
    return true;
}

static void frame(const char *in, size_t n)
{
    struct cmn_h1_reader r;
    size_t pos = 0, body = 0;
    char method[64] = "", target[256] = "";
    bool keep = true, in_msg = false;

    cmn_h1_reader_init(&r, 1 << 20);
    for (;;) {
        struct cmn_h1_out out;
        size_t used = 0;
        enum cmn_h1_event ev = cmn_h1_read(&r, in + pos, n - pos, &used, skip_field, NULL, &out);
        if (ev == CMN_H1_HEAD) {
            snprintf(method, sizeof(method), "%.*s", (int)out.req.method.len,
                     in + pos + out.req.method.off);
            snprintf(target, sizeof(target), "%.*s", (int)out.req.target.len,
                     in + pos + out.req.target.off);
            keep = out.req.keep_alive;
            body = 0;
            in_msg = true;
        } else if (ev == CMN_H1_DATA) {
            body += out.data_len;
        } else if (ev == CMN_H1_END) {
            printf("MSG end=%zu method=%s target=%s body=%zu keep=%d\n", pos + used, method, target,
                   body, keep);
            in_msg = false;
            if (!keep) {
                printf("END closed\n");
                return;
            }
        } else if (ev == CMN_H1_FAIL) {
            printf("END error\n");
            return;
        }
        pos += used;
        if (ev == CMN_H1_MORE)
            break;
    }
    /* what is left is a request begun (or CR/LF before one, which Go skips) */
    bool begun = in_msg;
    for (size_t i = pos; i < n && !begun; i++)
        begun = in[i] != '\r' && in[i] != '\n';
    printf("END %s\n", begun ? "incomplete" : "ok");
}

int main(int argc, char **argv)
{
    static char in[MAX_INPUT];

    if (argc < 2) {
        fprintf(stderr, "usage: h1_frames FILE...\n");
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        size_t n;
        if (!f) {
            fprintf(stderr, "h1_frames: cannot open %s\n", argv[i]);
            return 2;
        }
        n = fread(in, 1, sizeof(in), f);
        fclose(f);
        printf("== %s\n", argv[i]);
        frame(in, n);
    }
    return 0;
}
