/* cmn_go_url.c - Go's percent-encoding rules. */
#include "cmn_go_url.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char HEX[] = "0123456789ABCDEF";

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool cmn_go_unescape(const char *s, size_t n, bool query, char *out, size_t *out_len)
{
    size_t w = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            int hi, lo;
            if (i + 2 >= n)
                return false;
            hi = hexval(s[i + 1]);
            lo = hexval(s[i + 2]);
            if (hi < 0 || lo < 0)
                return false;
            out[w++] = (char)(hi << 4 | lo);
            i += 2;
        } else if (query && s[i] == '+') {
            out[w++] = ' ';
        } else {
            out[w++] = s[i];
        }
    }
    out[w] = '\0';
    if (out_len)
        *out_len = w;
    return true;
}

/* Appends s[0, n), each byte kept when keep(c) and %XX otherwise ('+' for a space when
 * plus_space). */
static bool escape(const char *s, size_t n, bool (*keep)(unsigned char), bool plus_space,
                   struct cmn_buf *out)
{
    size_t start = 0;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char e[3] = {'%', HEX[c >> 4], HEX[c & 15]};
        if (keep(c))
            continue;
        if (cmn_buf_append(out, s + start, i - start) != CMN_BUF_OK)
            return false;
        if (plus_space && c == ' ') {
            if (cmn_buf_append(out, "+", 1) != CMN_BUF_OK)
                return false;
        } else if (cmn_buf_append(out, e, 3) != CMN_BUF_OK) {
            return false;
        }
        start = i + 1;
    }
    return cmn_buf_append(out, s + start, n - start) == CMN_BUF_OK;
}

static bool alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool query_keep(unsigned char c)
{
    return alnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

static bool path_keep(unsigned char c)
{
    return alnum(c) || (c && strchr("-_.~$&+,/:;=@", c));
}

static bool host_keep(unsigned char c)
{
    return alnum(c) || (c && strchr("-_.~!$&'()*+,;=:[]<>\"", c));
}

bool cmn_go_query_escape(const char *s, size_t n, struct cmn_buf *out)
{
    return escape(s, n, query_keep, true, out);
}

bool cmn_go_path_escape(const char *s, size_t n, struct cmn_buf *out)
{
    return escape(s, n, path_keep, false, out);
}

bool cmn_go_host_escape(const char *s, size_t n, struct cmn_buf *out)
{
    return escape(s, n, host_keep, false, out);
}

bool cmn_go_escaped_path(const char *raw, size_t n, struct cmn_buf *out)
{
    /* what may stand unescaped: ALPHA DIGIT "-_.~$&+,/:;=@" (Go's shouldEscape) and
     * "!$&'()*+,;=:@[]%" (validEncoded), as a 256-bit set */
    static const uint64_t raw_ok[4] = {0x2ffffff200000000u, 0x47fffffeafffffffu, 0, 0};
    bool valid = true, ok;
    size_t dn;
    char *dec;

    for (size_t i = 0; i < n && valid; i++) {
        unsigned char c = (unsigned char)raw[i];
        valid = (raw_ok[c >> 6] >> (c & 63)) & 1;
    }
    if (valid && !memchr(raw, '%', n)) /* nothing to decode: the raw form as it is */
        return cmn_buf_append(out, raw, n) == CMN_BUF_OK;
    dec = malloc(n + 1);
    if (!dec)
        return false;
    if (!cmn_go_unescape(raw, n, false, dec, &dn)) {
        free(dec);
        return false;
    }
    ok = valid ? cmn_buf_append(out, raw, n) == CMN_BUF_OK : cmn_go_path_escape(dec, dn, out);
    free(dec);
    return ok;
}
