/* gw_tracecontext.c - traceparent/tracestate/baggage parsing and formatting (W3C Trace Context
 * Level 1, W3C Baggage), with OpenTelemetry Go's acceptance rules. */
#include "gw_tracecontext.h"

#include <string.h>

static const char HEX[] = "0123456789abcdef";

void gw_hex_encode(const uint8_t *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = HEX[b[i] >> 4];
        out[2 * i + 1] = HEX[b[i] & 15];
    }
    out[2 * n] = '\0';
}

/* Lower-case hex digit values, 0xff for anything else (Go refuses upper case here): every
 * request with a traceparent runs through this table. */
static const uint8_t HEXVAL[256] = {
    ['0'] = 1, ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,  ['6'] = 7,  ['7'] = 8,
    ['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
};

static int hexval(char c)
{
    return (int)HEXVAL[(unsigned char)c] - 1; /* -1: not a lower-case hex digit */
}

/* One '-'-separated part of exactly 2*nbytes hex characters; advances *p past its '-'. */
static bool part(const char **p, const char *end, uint8_t *dst, size_t nbytes, bool last)
{
    const char *s = *p;
    size_t len = 2 * nbytes;

    unsigned bad = 0;

    if ((size_t)(end - s) < len)
        return false;
    for (size_t i = 0; i < nbytes; i++) {
        unsigned hi = HEXVAL[(unsigned char)s[2 * i]], lo = HEXVAL[(unsigned char)s[2 * i + 1]];
        bad |= (hi - 1) | (lo - 1); /* a 0 entry wraps around to all ones */
        dst[i] = (uint8_t)((hi - 1) << 4 | (lo - 1));
    }
    if (bad > 15)
        return false;
    s += len;
    if (s < end) {
        if (*s != '-')
            return false; /* the part is longer than it should be */
        s++;
    } else if (!last) {
        return false;
    }
    *p = s;
    return true;
}

static bool all_zero(const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return false;
    return true;
}

bool gw_trace_ctx_valid(const struct gw_trace_ctx *c)
{
    return c && !all_zero(c->trace_id, 16) && !all_zero(c->span_id, 8);
}

bool gw_traceparent_parse(const char *s, size_t n, struct gw_trace_ctx *out)
{
    const char *p = s, *end = s + n;
    uint8_t ver, flags, tid[16], sid[8];

    if (!s || n < GW_TRACEPARENT_LEN)
        return false;
    if (!part(&p, end, &ver, 1, false) || ver == 0xff)
        return false;
    if (!part(&p, end, tid, 16, false) || !part(&p, end, sid, 8, false))
        return false;
    /* the flags: exactly two hex characters, then the end or (later versions) "-..." */
    if (end - p < 2 || hexval(p[0]) < 0 || hexval(p[1]) < 0)
        return false;
    flags = (uint8_t)(hexval(p[0]) << 4 | hexval(p[1]));
    p += 2;
    if (p < end && *p != '-')
        return false;
    /* version 00: nothing after the flags and no flag beyond 02 (OpenTelemetry Go's check) */
    if (ver == 0 && (p != end || flags > 2))
        return false;
    if (all_zero(tid, 16) || all_zero(sid, 8))
        return false;
    /* not the whole struct: its tracestate buffer is 513 bytes */
    out->tracestate_len = 0;
    out->tracestate[0] = '\0';
    memcpy(out->trace_id, tid, 16);
    memcpy(out->span_id, sid, 8);
    out->flags = flags & GW_TRACE_FLAG_SAMPLED;
    out->remote = true;
    return true;
}

/* Two hex characters per byte in one load (every propagated request writes 24 bytes). */
static void hex2(const uint8_t *b, size_t n, char *out)
{
    static const char T[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
                            "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
                            "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
                            "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
                            "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
                            "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
                            "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
                            "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

    for (size_t i = 0; i < n; i++)
        memcpy(out + 2 * i, T + 2 * b[i], 2);
}

size_t gw_traceparent_format(const struct gw_trace_ctx *c, char out[GW_TRACEPARENT_LEN + 1])
{
    if (!gw_trace_ctx_valid(c)) {
        out[0] = '\0';
        return 0;
    }
    memcpy(out, "00-", 3);
    hex2(c->trace_id, 16, out + 3);
    out[35] = '-';
    hex2(c->span_id, 8, out + 36);
    out[52] = '-';
    out[53] = '0';
    out[54] = (c->flags & GW_TRACE_FLAG_SAMPLED) ? '1' : '0';
    out[55] = '\0';
    return GW_TRACEPARENT_LEN;
}

static bool lcalpha(char c)
{
    return c >= 'a' && c <= 'z';
}

static bool keychar(char c)
{
    return lcalpha(c) || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '*' || c == '/';
}

/* simple-key = lcalpha 0*255 keychar; multi-tenant = (lcalpha/DIGIT) 0*240 keychar "@" lcalpha
 * 0*13 keychar. */
static bool ts_key(const char *k, size_t n)
{
    const char *at = memchr(k, '@', n);

    if (n == 0)
        return false;
    if (!at) {
        if (n > 256 || !lcalpha(k[0]))
            return false;
        for (size_t i = 1; i < n; i++)
            if (!keychar(k[i]))
                return false;
        return true;
    }
    {
        size_t tn = (size_t)(at - k), sn = n - tn - 1;
        if (tn == 0 || tn > 241 || sn == 0 || sn > 14)
            return false;
        if (!lcalpha(k[0]) && !(k[0] >= '0' && k[0] <= '9'))
            return false;
        for (size_t i = 1; i < tn; i++)
            if (!keychar(k[i]))
                return false;
        if (!lcalpha(at[1]))
            return false;
        for (size_t i = 2; i <= sn; i++)
            if (!keychar(at[i]))
                return false;
    }
    return true;
}

static bool nblk(char c)
{
    return (c >= 0x21 && c <= 0x2b) || (c >= 0x2d && c <= 0x3c) || (c >= 0x3e && c <= 0x7e);
}

/* value = 0*255(chr) nblk-chr, chr = SP / nblk-chr */
static bool ts_value(const char *v, size_t n)
{
    if (n == 0 || n > 256 || !nblk(v[n - 1]))
        return false;
    for (size_t i = 0; i < n; i++)
        if (v[i] != ' ' && !nblk(v[i]))
            return false;
    return true;
}

bool gw_tracestate_parse(const char *s, size_t n, struct gw_trace_ctx *c)
{
    struct {
        const char *k;
        size_t kl;
    } keys[GW_TRACESTATE_MAX_MEMBERS];
    size_t nk = 0, out = 0, i = 0;

    c->tracestate_len = 0;
    c->tracestate[0] = '\0';
    if (!s)
        return true;
    while (i < n) {
        const char *m = s + i, *eq, *k, *v;
        size_t ml = 0, kl, vl;

        while (i + ml < n && s[i + ml] != ',')
            ml++;
        i += ml + 1;
        if (ml == 0)
            continue; /* empty list members are allowed */
        eq = memchr(m, '=', ml);
        if (!eq)
            goto invalid;
        /* OWS before the key and after the value */
        k = m;
        kl = (size_t)(eq - m);
        while (kl && (*k == ' ' || *k == '\t'))
            k++, kl--;
        v = eq + 1;
        vl = ml - (size_t)(eq - m) - 1;
        while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
            vl--;
        if (!ts_key(k, kl) || !ts_value(v, vl) || nk == GW_TRACESTATE_MAX_MEMBERS)
            goto invalid;
        for (size_t j = 0; j < nk; j++)
            if (keys[j].kl == kl && memcmp(keys[j].k, k, kl) == 0)
                goto invalid;
        keys[nk].k = k;
        keys[nk++].kl = kl;
        if (out + (out ? 1 : 0) + kl + 1 + vl > GW_TRACESTATE_MAX_LEN)
            goto invalid;
        if (out)
            c->tracestate[out++] = ',';
        memcpy(c->tracestate + out, k, kl);
        out += kl;
        c->tracestate[out++] = '=';
        memcpy(c->tracestate + out, v, vl);
        out += vl;
    }
    c->tracestate[out] = '\0';
    c->tracestate_len = (uint16_t)out;
    return true;
invalid:
    c->tracestate_len = 0;
    c->tracestate[0] = '\0';
    return false;
}

static bool tchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* baggage-octet = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E */
static bool boctet(unsigned char c)
{
    return c == 0x21 || (c >= 0x23 && c <= 0x2b) || (c >= 0x2d && c <= 0x3a) ||
           (c >= 0x3c && c <= 0x5b) || (c >= 0x5d && c <= 0x7e);
}

static bool xdigit(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool ows(char c)
{
    return c == ' ' || c == '\t';
}

/* "key = value" or a property "key[=value]" with OWS around; value may be empty. */
static bool kv(const char *s, size_t n, bool need_value)
{
    size_t i = 0, ks, ke;

    while (i < n && ows(s[i]))
        i++;
    ks = i;
    while (i < n && tchar((unsigned char)s[i]))
        i++;
    ke = i;
    if (ke == ks)
        return false;
    while (i < n && ows(s[i]))
        i++;
    if (i == n)
        return !need_value;
    if (s[i] != '=')
        return false;
    i++;
    while (i < n && ows(s[i]))
        i++;
    while (n > i && ows(s[n - 1]))
        n--;
    for (; i < n; i++) {
        if (s[i] == '%') {
            if (i + 2 >= n || !xdigit(s[i + 1]) || !xdigit(s[i + 2]))
                return false;
            i += 2;
        } else if (!boctet((unsigned char)s[i])) {
            return false;
        }
    }
    return true;
}

bool gw_baggage_valid(const char *s, size_t n, size_t *trim_start, size_t *trim_len)
{
    size_t a = 0, b = n, members = 0, i;

    if (!s || n > GW_BAGGAGE_MAX_LEN)
        return false;
    while (a < b && ows(s[a]))
        a++;
    while (b > a && ows(s[b - 1]))
        b--;
    if (a == b)
        return false;
    for (i = a; i <= b;) {
        size_t e = i;
        const char *semi;
        while (e < b && s[e] != ',')
            e++;
        if (++members > GW_BAGGAGE_MAX_MEMBERS)
            return false;
        semi = memchr(s + i, ';', e - i);
        if (!kv(s + i, (semi ? (size_t)(semi - s) : e) - i, true))
            return false;
        while (semi) {
            const char *next = memchr(semi + 1, ';', (size_t)(s + e - semi - 1));
            size_t pl = (size_t)((next ? next : s + e) - semi - 1);
            if (!kv(semi + 1, pl, false))
                return false;
            semi = next;
        }
        i = e + 1;
    }
    *trim_start = a;
    *trim_len = b - a;
    return true;
}
