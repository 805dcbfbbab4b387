/* fuzz_h1_request.c - libFuzzer target for the server's request reader (cmn_h1): a byte stream
 * of pipelined requests is read whole and again split at points the input chooses, and the two
 * readings must agree event for event (heads, fields, body bytes, ends, refusals); every span
 * must lie inside the bytes handed in. The first input byte picks the split pattern. */
#include "cmn_buf.h"
#include "cmn_h1.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_HEAD 2048 /* small, so that 431 paths are reached */
#define MAX_FIELDS 16

struct fields {
    struct cmn_buf *t;
    size_t n;
};

static bool on_field(void *ctx, const char *n, size_t nl, const char *v, size_t vl)
{
    struct fields *f = ctx;

    if (f->n++ == MAX_FIELDS)
        return false;
    cmn_buf_printf(f->t, "[%.*s=%.*s]", (int)nl, n, (int)vl, v);
    return true;
}

static void span(struct cmn_buf *t, const char *base, size_t len, struct cmn_h1_span s)
{
    if (s.off > len || s.len > len - s.off)
        abort(); /* a span outside the bytes handed in */
    cmn_buf_printf(t, "|%.*s", (int)s.len, base + s.off);
}

/* Next piece length from a small generator: 1..64 bytes, or 1 byte at a time. */
static size_t next_piece(uint32_t *st, unsigned mode)
{
    if (mode == 0)
        return 1;
    *st = *st * 1103515245u + 12345u;
    return 1 + (*st >> 16) % (mode < 128 ? 7 : 64);
}

static char *transcript(const uint8_t *in, size_t n, unsigned mode)
{
    struct cmn_buf t, held;
    struct cmn_h1_reader r;
    uint32_t st = mode;
    size_t fed = 0;
    bool failed = false;

    cmn_buf_init(&t, 1 << 24);
    cmn_buf_init(&held, 1 << 24);
    cmn_h1_reader_init(&r, MAX_HEAD);
    while (!failed && fed < n) {
        size_t take = mode == 255 ? n - fed : next_piece(&st, mode);
        if (take > n - fed)
            take = n - fed;
        cmn_buf_append(&held, in + fed, take);
        fed += take;
        size_t pos = 0;
        for (;;) {
            struct cmn_h1_out out;
            struct fields f = {&t, 0};
            size_t used = 0, avail = held.len - pos;
            const char *base = held.data + pos;
            enum cmn_h1_event ev = cmn_h1_read(&r, base, avail, &used, on_field, &f, &out);
            if (used > avail)
                abort();
            if (ev == CMN_H1_HEAD) {
                const struct cmn_h1_request *q = &out.req;
                cmn_buf_printf(&t, "\nHEAD");
                span(&t, base, avail, q->method);
                span(&t, base, avail, q->target);
                span(&t, base, avail, q->path);
                span(&t, base, avail, q->query);
                span(&t, base, avail, q->authority);
                span(&t, base, avail, q->host);
                cmn_buf_printf(&t, "|%d%d%d%d%d%d%d|%llu", q->form, q->minor, q->keep_alive,
                               q->chunked, q->expect_continue, q->expect_failed, q->has_body,
                               (unsigned long long)q->length);
                if (q->method.off + q->method.len > used)
                    abort(); /* the head is consumed with its event */
            } else if (ev == CMN_H1_DATA) {
                if (out.data < base || out.data + out.data_len > base + used)
                    abort();
                cmn_buf_append(&t, out.data, out.data_len); /* consecutive pieces concatenate */
            } else if (ev == CMN_H1_END) {
                cmn_buf_printf(&t, "\nEND");
            } else if (ev == CMN_H1_FAIL) {
                cmn_buf_printf(&t, "\nFAIL %d", out.fail.error);
                failed = true;
            }
            pos += used;
            if (ev == CMN_H1_MORE || ev == CMN_H1_FAIL)
                break;
        }
        memmove(held.data, held.data + pos, held.len - pos);
        held.len -= pos;
    }
    cmn_buf_free(&held);
    return cmn_buf_take(&t, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *whole, *split;

    if (size < 1 || size > 64 * 1024)
        return 0;
    whole = transcript(data + 1, size - 1, 255);
    split = transcript(data + 1, size - 1, data[0] == 255 ? 254 : data[0]);
    if (!whole || !split || strcmp(whole, split) != 0) {
        fprintf(stderr, "whole:\n%s\nsplit (mode %u):\n%s\n", whole ? whole : "(null)", data[0],
                split ? split : "(null)");
        abort();
    }
    free(whole);
    free(split);
    return 0;
}
