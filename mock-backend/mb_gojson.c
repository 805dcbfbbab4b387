/* mb_gojson.c - Go encoding/json string escaping and a small sticky-error writer. */
#include "mb_gojson.h"

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

size_t mb_utf8_seq_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];

    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
    if (c >= 0xe0 && c <= 0xef) {
        unsigned char lo = 0x80, hi = 0xbf;
        if (c == 0xe0)
            lo = 0xa0; /* overlong */
        if (c == 0xed)
            hi = 0x9f; /* surrogates */
        if (n < 3 || s[1] < lo || s[1] > hi || (s[2] & 0xc0) != 0x80)
            return 0;
        return 3;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        unsigned char lo = 0x80, hi = 0xbf;
        if (c == 0xf0)
            lo = 0x90; /* overlong */
        if (c == 0xf4)
            hi = 0x8f; /* above U+10FFFF */
        if (n < 4 || s[1] < lo || s[1] > hi || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
            return 0;
        return 4;
    }
    return 0;
}

bool mb_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    while (i < n) {
        size_t l = mb_utf8_seq_len(p + i, n - i);
        if (!l)
            return false;
        i += l;
    }
    return true;
}

/* Escape for one ASCII byte, or NULL if it is written as is. */
static const char *ascii_escape(unsigned char c, bool html, char tmp[8])
{
    static const char hex[] = "0123456789abcdef";

    switch (c) {
    case '"':
        return "\\\"";
    case '\\':
        return "\\\\";
    case '\b':
        return "\\b";
    case '\f':
        return "\\f";
    case '\n':
        return "\\n";
    case '\r':
        return "\\r";
    case '\t':
        return "\\t";
    default:
        break;
    }
    if (c < 0x20 || (html && (c == '<' || c == '>' || c == '&'))) {
        tmp[0] = '\\';
        tmp[1] = 'u';
        tmp[2] = '0';
        tmp[3] = '0';
        tmp[4] = hex[c >> 4];
        tmp[5] = hex[c & 15];
        tmp[6] = '\0';
        return tmp;
    }
    return NULL;
}

void mb_jw_str(struct mb_jw *w, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, start = 0;
    char tmp[8];

    put(w, "\"", 1);
    while (i < n) {
        const char *esc = NULL;
        size_t adv = 1;
        if (p[i] < 0x80) {
            esc = ascii_escape(p[i], w->escape_html, tmp);
        } else {
            adv = mb_utf8_seq_len(p + i, n - i);
            if (!adv) {
                esc = "\\ufffd";
                adv = 1;
            } else if (adv == 3 && p[i] == 0xe2 && p[i + 1] == 0x80 &&
                       (p[i + 2] == 0xa8 || p[i + 2] == 0xa9)) {
                esc = p[i + 2] == 0xa8 ? "\\u2028" : "\\u2029";
            }
        }
        if (esc) {
            put(w, p + start, i - start);
            put(w, esc, strlen(esc));
            start = i + adv;
        }
        i += adv;
    }
    put(w, p + start, n - start);
    put(w, "\"", 1);
}

void mb_jw_cstr(struct mb_jw *w, const char *s)
{
    mb_jw_str(w, s, strlen(s));
}
