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

static int value(char c, bool url)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == (url ? '-' : '+'))
        return 62;
    if (c == (url ? '_' : '/'))
        return 63;
    return -1;
}

/* Decodes n unpadded characters. */
static bool decode(const char *in, size_t n, unsigned char *out, size_t *out_len, bool url)
{
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;

    if (n % 4 == 1)
        return false;
    for (size_t i = 0; i < n; i++) {
        int v = value(in[i], url);
        if (v < 0)
            return false;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits & 0xff);
        }
    }
    /* Leftover bits must be zero: "QQ" and "QR" must not both decode to "A". */
    if (bits && (acc & ((1u << bits) - 1)))
        return false;
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
