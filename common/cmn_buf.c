/* cmn_buf.c - capped growable buffer. */
#include "cmn_buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cmn_buf_init(struct cmn_buf *b, size_t cap)
{
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    b->cap = cap;
}

void cmn_buf_free(struct cmn_buf *b)
{
    if (!b)
        return;
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
}

void cmn_buf_reset(struct cmn_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

static enum cmn_buf_status reserve(struct cmn_buf *b, size_t extra)
{
    size_t need;
    size_t n;
    char *p;

    /* the last size_t value is kept for the terminating NUL, so `need` never wraps */
    if (extra > b->cap || b->len > b->cap - extra || b->len + extra == SIZE_MAX)
        return CMN_BUF_TOO_BIG;
    need = b->len + extra + 1;
    if (need <= b->alloc)
        return CMN_BUF_OK;
    n = b->alloc ? b->alloc : 256; /* most buffers are small: one allocation, no growth */
    while (n < need)
        n = n > SIZE_MAX / 2 ? need : n * 2;
    if (b->cap < SIZE_MAX && n > b->cap + 1)
        n = b->cap + 1;
    p = realloc(b->data, n);
    if (!p)
        return CMN_BUF_NOMEM;
    b->data = p;
    b->alloc = n;
    return CMN_BUF_OK;
}

char *cmn_buf_room(struct cmn_buf *b, size_t n)
{
    return reserve(b, n) == CMN_BUF_OK ? b->data + b->len : NULL;
}

enum cmn_buf_status cmn_buf_append(struct cmn_buf *b, const void *data, size_t len)
{
    enum cmn_buf_status st;

    if (len > PTRDIFF_MAX) /* no object is that large; said here so the compiler sees it too */
        return CMN_BUF_TOO_BIG;
    st = reserve(b, len);
    if (st != CMN_BUF_OK)
        return st;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return CMN_BUF_OK;
}

enum cmn_buf_status cmn_buf_append_str(struct cmn_buf *b, const char *s)
{
    return cmn_buf_append(b, s, strlen(s));
}

enum cmn_buf_status cmn_buf_printf(struct cmn_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    enum cmn_buf_status st;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return CMN_BUF_NOMEM;
    st = reserve(b, (size_t)n);
    if (st != CMN_BUF_OK)
        return st;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return CMN_BUF_OK;
}

enum cmn_buf_status cmn_buf_append_html(struct cmn_buf *b, const char *s, size_t n)
{
    enum cmn_buf_status st = CMN_BUF_OK;

    for (size_t i = 0; i < n && st == CMN_BUF_OK; i++) {
        switch (s[i]) {
        case '&':
            st = cmn_buf_append_str(b, "&amp;");
            break;
        case '\'':
            st = cmn_buf_append_str(b, "&#39;");
            break;
        case '<':
            st = cmn_buf_append_str(b, "&lt;");
            break;
        case '>':
            st = cmn_buf_append_str(b, "&gt;");
            break;
        case '"':
            st = cmn_buf_append_str(b, "&#34;");
            break;
        default:
            st = cmn_buf_append(b, s + i, 1);
        }
    }
    return st;
}

char *cmn_buf_take(struct cmn_buf *b, size_t *len)
{
    char *p = b->data;

    if (len)
        *len = b->len;
    if (!p)
        p = calloc(1, 1);
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    return p;
}

const char *cmn_buf_str(const struct cmn_buf *b)
{
    return b->data ? b->data : "";
}

void cmn_bufw_append(struct cmn_bufw *w, const void *data, size_t len)
{
    if (!w->bad && cmn_buf_append(w->b, data, len) != CMN_BUF_OK)
        w->bad = true;
}

void cmn_bufw_str(struct cmn_bufw *w, const char *s)
{
    cmn_bufw_append(w, s, strlen(s));
}

void cmn_bufw_printf(struct cmn_bufw *w, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(buf))
        w->bad = true;
    else
        cmn_bufw_append(w, buf, (size_t)n);
}
