/* cmn_go_json.c - Go's JSON string escaping, UTF-8 rules and strconv.Quote. */
#include "cmn_go_json.h"

#include <string.h>

size_t cmn_go_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if (s[0] >= 0xC2 && s[0] <= 0xDF && n >= 2 && (s[1] & 0xC0) == 0x80) {
        *cp = ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
        return 2;
    }
    if (s[0] >= 0xE0 && s[0] <= 0xEF && n >= 3 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80) {
        *cp = ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
        if (*cp < 0x800 || (*cp >= 0xD800 && *cp <= 0xDFFF))
            return 0;
        return 3;
    }
    if (s[0] >= 0xF0 && s[0] <= 0xF4 && n >= 4 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80 &&
        (s[3] & 0xC0) == 0x80) {
        *cp = ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
              ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
        if (*cp < 0x10000 || *cp > 0x10FFFF)
            return 0;
        return 4;
    }
    return 0;
}

size_t cmn_go_utf8_encode(uint32_t r, char out[4])
{
    if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
        r = 0xFFFD;
    if (r < 0x80) {
        out[0] = (char)r;
        return 1;
    }
    if (r < 0x800) {
        out[0] = (char)(0xC0 | (r >> 6));
        out[1] = (char)(0x80 | (r & 0x3F));
        return 2;
    }
    if (r < 0x10000) {
        out[0] = (char)(0xE0 | (r >> 12));
        out[1] = (char)(0x80 | ((r >> 6) & 0x3F));
        out[2] = (char)(0x80 | (r & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (r >> 18));
    out[1] = (char)(0x80 | ((r >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((r >> 6) & 0x3F));
    out[3] = (char)(0x80 | (r & 0x3F));
    return 4;
}

size_t cmn_go_utf8_count(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, count = 0;
    uint32_t r;

    while (i < n) {
        size_t l = p[i] < 0x80 ? 1 : cmn_go_utf8_decode(p + i, n - i, &r);
        i += l ? l : 1;
        count++;
    }
    return count;
}

bool cmn_go_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    uint32_t r;

    while (i < n) {
        size_t l = p[i] < 0x80 ? 1 : cmn_go_utf8_decode(p + i, n - i, &r);
        if (!l)
            return false;
        i += l;
    }
    return true;
}

/* Code points unicode.IsPrint refuses, by range (see the header for what is left out). */
static const struct {
    uint32_t lo, hi;
} NONPRINT[] = {
    {0x00, 0x1f},       {0x7f, 0xa0},       {0xad, 0xad},       {0x600, 0x605},
    {0x61c, 0x61c},     {0x6dd, 0x6dd},     {0x70f, 0x70f},     {0x890, 0x891},
    {0x8e2, 0x8e2},     {0x1680, 0x1680},   {0x180e, 0x180e},   {0x2000, 0x200f},
    {0x2028, 0x202f},   {0x205f, 0x2064},   {0x2066, 0x206f},   {0x3000, 0x3000},
    {0xd800, 0xf8ff},   {0xfeff, 0xfeff},   {0xfff9, 0xfffb},   {0xfffe, 0xffff},
    {0x110bd, 0x110bd}, {0x110cd, 0x110cd}, {0x13430, 0x1343f}, {0x1bca0, 0x1bca3},
    {0x1d173, 0x1d17a}, {0xe0001, 0xe0001}, {0xe0020, 0xe007f}, {0xf0000, 0x10ffff},
};

bool cmn_go_is_print(uint32_t r)
{
    if (r >= 0x20 && r < 0x7f)
        return true;
    for (size_t i = 0; i < sizeof(NONPRINT) / sizeof(NONPRINT[0]); i++) {
        if (r >= NONPRINT[i].lo && r <= NONPRINT[i].hi)
            return false;
    }
    return r <= 0x10ffff;
}

static bool put(struct cmn_buf *o, const char *s, size_t n)
{
    return cmn_buf_append(o, s, n) == CMN_BUF_OK;
}

/* ASCII bytes written as they are. */
static bool plain(unsigned char c, bool html)
{
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\' &&
           !(html && (c == '<' || c == '>' || c == '&'));
}

bool cmn_go_json_string(struct cmn_buf *o, const char *s, size_t n, bool html)
{
    static const char hex[] = "0123456789abcdef";
    size_t start = 0, i = 0;

    if (!put(o, "\"", 1))
        return false;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        char u[7];
        size_t adv = 1;

        if (c < 0x80) {
            if (plain(c, html)) {
                i++;
                continue;
            }
            switch (c) {
            case '"':
                esc = "\\\"";
                break;
            case '\\':
                esc = "\\\\";
                break;
            case '\b':
                esc = "\\b";
                break;
            case '\f':
                esc = "\\f";
                break;
            case '\n':
                esc = "\\n";
                break;
            case '\r':
                esc = "\\r";
                break;
            case '\t':
                esc = "\\t";
                break;
            default:
                u[0] = '\\';
                u[1] = 'u';
                u[2] = '0';
                u[3] = '0';
                u[4] = hex[c >> 4];
                u[5] = hex[c & 0xF];
                u[6] = '\0';
                esc = u;
            }
        } else {
            uint32_t cp;
            size_t l = cmn_go_utf8_decode((const unsigned char *)s + i, n - i, &cp);
            if (l == 0) {
                esc = "\\ufffd";
            } else if (cp == 0x2028 || cp == 0x2029) {
                esc = cp == 0x2028 ? "\\u2028" : "\\u2029";
                adv = l;
            } else {
                i += l;
                continue;
            }
        }
        if (!put(o, s + start, i - start) || !put(o, esc, strlen(esc)))
            return false;
        i += adv;
        start = i;
    }
    return put(o, s + start, n - start) && put(o, "\"", 1);
}

bool cmn_go_quote(struct cmn_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    static const char *const named[14] = {[7] = "\\a",  [8] = "\\b",  [9] = "\\t", [10] = "\\n",
                                          [11] = "\\v", [12] = "\\f", [13] = "\\r"};
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    uint32_t r;

    if (!put(b, "\"", 1))
        return false;
    while (i < n) {
        unsigned char c = p[i];
        size_t l = cmn_go_utf8_decode(p + i, n - i, &r);
        char e[10];
        bool ok;
        if (c == '"' || c == '\\') {
            e[0] = '\\';
            e[1] = (char)c;
            ok = put(b, e, 2);
        } else if (c >= 0x20 && c < 0x7f) {
            ok = put(b, (const char *)p + i, 1);
        } else if (c < 14 && named[c]) {
            ok = put(b, named[c], 2);
        } else if (c < 0x80 || !l) { /* other controls, DEL, invalid bytes */
            char x[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
            ok = put(b, x, 4);
            l = 1;
        } else if (cmn_go_is_print(r)) {
            ok = put(b, (const char *)p + i, l);
        } else { /* strconv: \u for the BMP, \U beyond */
            int digits = r < 0x10000 ? 4 : 8;
            e[0] = '\\';
            e[1] = r < 0x10000 ? 'u' : 'U';
            for (int k = 0; k < digits; k++)
                e[2 + k] = hex[(r >> (4 * (digits - 1 - k))) & 15];
            ok = put(b, e, (size_t)digits + 2);
        }
        if (!ok)
            return false;
        i += l;
    }
    return put(b, "\"", 1);
}
