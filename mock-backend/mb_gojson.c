/* mb_gojson.c - Go encoding/json string escaping and a small sticky-error writer. */
#include "mb_gojson.h"

#include "cmn_go_json.h"

#include <stdio.h>
#include <string.h>

void mb_jw_init(struct mb_jw *w, struct cmn_buf *buf, bool escape_html)
{
    w->buf = buf;
    w->escape_html = escape_html;
    w->failed = false;
}

static void put(struct mb_jw *w, const void *p, size_t n)
{
    if (w->failed)
        return;
    if (cmn_buf_append(w->buf, p, n) != CMN_BUF_OK)
        w->failed = true;
}

void mb_jw_raw(struct mb_jw *w, const char *s)
{
    put(w, s, strlen(s));
}

void mb_jw_int(struct mb_jw *w, long long v)
{
    char tmp[32];
    int n = snprintf(tmp, sizeof(tmp), "%lld", v);

    put(w, tmp, (size_t)n);
}

bool mb_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    uint32_t r;

    while (i < n) {
        size_t l = cmn_go_utf8_decode(p + i, n - i, &r);
        if (!l)
            return false;
        i += l;
    }
    return true;
}

void mb_jw_str(struct mb_jw *w, const char *s, size_t n)
{
    if (!w->failed && !cmn_go_json_string(w->buf, s, n, w->escape_html))
        w->failed = true;
}

void mb_jw_cstr(struct mb_jw *w, const char *s)
{
    mb_jw_str(w, s, strlen(s));
}
