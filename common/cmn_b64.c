/* cmn_b64.c - base64 / base64url codecs. */
#include "cmn_b64.h"

#include <stdint.h>

static const char STD[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char URL[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t cmn_b64url_encoded_len(size_t n)
{
    return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
}

size_t cmn_b64_encoded_len(size_t n)
{
    return (n + 2) / 3 * 4;
}

static size_t encode(const unsigned char *in, size_t n, char *out, const char *alpha, bool pad)
{
    size_t o = 0;
    size_t i;

    for (i = 0; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = alpha[v >> 18 & 63];
        out[o++] = alpha[v >> 12 & 63];
        out[o++] = alpha[v >> 6 & 63];
        out[o++] = alpha[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        out[o++] = alpha[v >> 18 & 63];
        out[o++] = alpha[v >> 12 & 63];
        if (pad) {
            out[o++] = '=';
            out[o++] = '=';
        }
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[o++] = alpha[v >> 18 & 63];
        out[o++] = alpha[v >> 12 & 63];
        out[o++] = alpha[v >> 6 & 63];
        if (pad)
            out[o++] = '=';
    }
    out[o] = '\0';
    return o;
}

size_t cmn_b64url_encode(const void *in, size_t n, char *out)
{
    return encode(in, n, out, URL, false);
}

size_t cmn_b64_encode(const void *in, size_t n, char *out)
{
    return encode(in, n, out, STD, true);
}

size_t cmn_b64_decoded_max(size_t n)
{
    return n / 4 * 3 + 3;
}

/* Sextet of each byte; X (any value with bit 6 or 7 set) for bytes outside the alphabet. */
#define X 0xff
static const unsigned char DEC_STD[256] = {
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, 62, X, X, X, 63,
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61, X, X, X, X, X, X,
    X, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
    15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, X, X, X, X, X,
    X, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
    41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
};
static const unsigned char DEC_URL[256] = {
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, 62, X, X,
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61, X, X, X, X, X, X,
    X, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
    15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, X, X, X, X, 63,
    X, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
    41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
};
#undef X

/* Decodes n unpadded characters, four at a time through a table (a token's signature and
 * claims are most of the bytes the gateway decodes per request). */
static bool decode(const char *in, size_t n, unsigned char *out, size_t *out_len, bool url)
{
    const unsigned char *t = url ? DEC_URL : DEC_STD;
    const unsigned char *p = (const unsigned char *)in;
    size_t o = 0, i = 0;
    unsigned a, b, c, d;

    if (n % 4 == 1)
        return false;
    for (; i + 4 <= n; i += 4) {
        a = t[p[i]];
        b = t[p[i + 1]];
        c = t[p[i + 2]];
        d = t[p[i + 3]];
        if ((a | b | c | d) & 0xc0)
            return false;
        out[o++] = (unsigned char)(a << 2 | b >> 4);
        out[o++] = (unsigned char)(b << 4 | c >> 2);
        out[o++] = (unsigned char)(c << 6 | d);
    }
    /* Leftover bits must be zero: "QQ" and "QR" must not both decode to "A". */
    if (n - i == 2) {
        a = t[p[i]];
        b = t[p[i + 1]];
        if ((a | b) & 0xc0 || b & 0x0f)
            return false;
        out[o++] = (unsigned char)(a << 2 | b >> 4);
    } else if (n - i == 3) {
        a = t[p[i]];
        b = t[p[i + 1]];
        c = t[p[i + 2]];
        if ((a | b | c) & 0xc0 || c & 0x03)
            return false;
        out[o++] = (unsigned char)(a << 2 | b >> 4);
        out[o++] = (unsigned char)(b << 4 | c >> 2);
    }
    *out_len = o;
    return true;
}

bool cmn_b64url_decode(const char *in, size_t n, unsigned char *out, size_t *out_len)
{
    return decode(in, n, out, out_len, true);
}

bool cmn_b64_decode(const char *in, size_t n, unsigned char *out, size_t *out_len)
{
    size_t pad = 0;

    if (n % 4)
        return false;
    while (pad < 2 && n > pad && in[n - 1 - pad] == '=')
        pad++;
    return decode(in, n - pad, out, out_len, false);
}
