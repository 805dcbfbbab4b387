/* gw_tmpl_f_enc.c - sprig's encodings and digests (b64enc/b64dec, b32enc/b32dec, sha1sum,
 * sha256sum, adler32sum) and its random values (uuidv4, randAlpha..., randBytes, randInt,
 * shuffle), drawing bytes from the host's random source. */
#include "gw_tmpl_fns.h"

#include <stdio.h>
#include <string.h>

/* ---- base64 / base32 (RFC 4648 standard alphabets, padded) ---- */

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char B32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

static bool app(struct texec *x, const void *s, size_t n)
{
    if (cmn_buf_append(&x->tmp, s, n) == CMN_BUF_OK)
        return true;
    texec_limitf(x, "encoded text exceeds %zu bytes", x->tmp.cap);
    return false;
}

TFN_DECL(tfe_b64enc)
{
    const unsigned char *s = (const unsigned char *)a[0]->u.s.p;
    size_t len = a[0]->u.s.n;

    (void)n;
    cmn_buf_reset(&x->tmp);
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16;
        char q[4];
        if (i + 1 < len)
            v |= (uint32_t)s[i + 1] << 8;
        if (i + 2 < len)
            v |= s[i + 2];
        q[0] = B64[v >> 18];
        q[1] = B64[(v >> 12) & 63];
        q[2] = i + 1 < len ? B64[(v >> 6) & 63] : '=';
        q[3] = i + 2 < len ? B64[v & 63] : '=';
        if (!app(x, q, 4))
            return NULL;
    }
    return texec_tmp_string(x);
}

static int b64val(char c)
{
    const char *p = c ? strchr(B64, c) : NULL;

    return p ? (int)(p - B64) : -1;
}

/* encoding/base64 StdEncoding.DecodeString: \r and \n are skipped; on error the text of Go's
 * CorruptInputError (the offset of the first bad byte) is the result, as sprig returns it. */
TFN_DECL(tfe_b64dec)
{
    const char *s = a[0]->u.s.p;
    size_t len = a[0]->u.s.n, i = 0;
    char errbuf[64];

    (void)n;
    cmn_buf_reset(&x->tmp);
    while (i < len) {
        int vals[4], k = 0, pad = 0;
        size_t pos[4];
        while (k < 4 && i < len) {
            char c = s[i];
            if (c == '\r' || c == '\n') {
                i++;
                continue;
            }
            pos[k] = i;
            if (c == '=') {
                if (k < 2)
                    goto corrupt_at_i;
                pad++;
                vals[k++] = 0;
                i++;
                continue;
            }
            if (pad || b64val(c) < 0)
                goto corrupt_at_i;
            vals[k++] = b64val(c);
            i++;
        }
        if (k == 0)
            break;
        if (k < 4) {
            i = len;
            if (k == 1)
                i = pos[0];
            goto corrupt_at_i;
        }
        {
            uint32_t v = (uint32_t)vals[0] << 18 | (uint32_t)vals[1] << 12 |
                         (uint32_t)vals[2] << 6 | (uint32_t)vals[3];
            unsigned char out[3] = {(unsigned char)(v >> 16), (unsigned char)(v >> 8),
                                    (unsigned char)v};
            if (!app(x, out, (size_t)(3 - pad)))
                return NULL;
        }
        if (pad) {
            while (i < len && (s[i] == '\r' || s[i] == '\n'))
                i++;
            if (i < len)
                goto corrupt_at_i;
            break;
        }
        (void)pos;
    }
    return texec_tmp_string(x);
corrupt_at_i:
    snprintf(errbuf, sizeof(errbuf), "illegal base64 data at input byte %zu", i);
    return tv_str_copy(x, errbuf, strlen(errbuf));
}

TFN_DECL(tfe_b32enc)
{
    const unsigned char *s = (const unsigned char *)a[0]->u.s.p;
    size_t len = a[0]->u.s.n;

    (void)n;
    cmn_buf_reset(&x->tmp);
    for (size_t i = 0; i < len; i += 5) {
        unsigned char blk[5] = {0};
        size_t take = len - i < 5 ? len - i : 5, chars;
        char q[8];
        uint64_t v = 0;
        memcpy(blk, s + i, take);
        for (int k = 0; k < 5; k++)
            v = v << 8 | blk[k];
        chars = (take * 8 + 4) / 5;
        for (int k = 0; k < 8; k++)
            q[k] = (size_t)k < chars ? B32[(v >> (35 - 5 * k)) & 31] : '=';
        if (!app(x, q, 8))
            return NULL;
    }
    return texec_tmp_string(x);
}

TFN_DECL(tfe_b32dec)
{
    const char *s = a[0]->u.s.p;
    size_t len = a[0]->u.s.n, i = 0;
    char errbuf[64];

    (void)n;
    cmn_buf_reset(&x->tmp);
    while (i < len) {
        uint64_t v = 0;
        int k = 0, data = 0;
        size_t start = i;
        while (k < 8 && i < len) {
            char c = s[i];
            const char *p;
            if (c == '\r' || c == '\n') {
                i++;
                continue;
            }
            if (c == '=') {
                if (k < 2)
                    goto corrupt;
                v <<= 5;
                k++;
                i++;
                continue;
            }
            p = strchr(B32, c);
            if (!c || !p || data != k)
                goto corrupt;
            v = v << 5 | (uint64_t)(p - B32);
            data++;
            k++;
            i++;
        }
        if (k == 0)
            break;
        if (k < 8 || data == 1 || data == 3 || data == 6) {
            i = k < 8 ? len : start;
            goto corrupt;
        }
        {
            static const int bytes_for[9] = {0, 0, 1, 0, 2, 3, 0, 4, 5};
            unsigned char out[5];
            for (int b = 0; b < 5; b++)
                out[b] = (unsigned char)(v >> (32 - 8 * b));
            if (!app(x, out, (size_t)bytes_for[data]))
                return NULL;
            if (data < 8) {
                if (i < len)
                    goto corrupt;
                break;
            }
        }
    }
    return texec_tmp_string(x);
corrupt:
    snprintf(errbuf, sizeof(errbuf), "illegal base32 data at input byte %zu", i);
    return tv_str_copy(x, errbuf, strlen(errbuf));
}

/* ---- digests ---- */

static uint32_t rol(uint32_t v, int k)
{
    return (v << k) | (v >> (32 - k));
}

static uint32_t ror(uint32_t v, int k)
{
    return (v >> k) | (v << (32 - k));
}

/* Feeds len bytes plus FIPS 180-4 padding to block(), 64 bytes at a time. */
static void md_blocks(const unsigned char *s, size_t len, void *st,
                      void (*block)(void *st, const unsigned char *b))
{
    unsigned char tail[128];
    size_t full = len / 64 * 64, rest = len - full, tl;
    uint64_t bits = (uint64_t)len * 8;

    for (size_t i = 0; i < full; i += 64)
        block(st, s + i);
    memset(tail, 0, sizeof(tail));
    memcpy(tail, s + full, rest);
    tail[rest] = 0x80;
    tl = rest + 1 + 8 <= 64 ? 64 : 128;
    for (int k = 0; k < 8; k++)
        tail[tl - 1 - k] = (unsigned char)(bits >> (8 * k));
    for (size_t i = 0; i < tl; i += 64)
        block(st, tail + i);
}

static void sha1_block(void *stp, const unsigned char *b)
{
    uint32_t *h = stp, w[80], A = h[0], B = h[1], C = h[2], D = h[3], E = h[4];

    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)b[4 * i] << 24 | (uint32_t)b[4 * i + 1] << 16 |
               (uint32_t)b[4 * i + 2] << 8 | b[4 * i + 3];
    for (int i = 16; i < 80; i++)
        w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    for (int i = 0; i < 80; i++) {
        uint32_t f, k, t;
        if (i < 20) {
            f = (B & C) | (~B & D);
            k = 0x5A827999;
        } else if (i < 40) {
            f = B ^ C ^ D;
            k = 0x6ED9EBA1;
        } else if (i < 60) {
            f = (B & C) | (B & D) | (C & D);
            k = 0x8F1BBCDC;
        } else {
            f = B ^ C ^ D;
            k = 0xCA62C1D6;
        }
        t = rol(A, 5) + f + E + k + w[i];
        E = D;
        D = C;
        C = rol(B, 30);
        B = A;
        A = t;
    }
    h[0] += A;
    h[1] += B;
    h[2] += C;
    h[3] += D;
    h[4] += E;
}

static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static void sha256_block(void *stp, const unsigned char *b)
{
    uint32_t *h = stp, w[64], v[8];

    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)b[4 * i] << 24 | (uint32_t)b[4 * i + 1] << 16 |
               (uint32_t)b[4 * i + 2] << 8 | b[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    memcpy(v, h, sizeof(v));
    for (int i = 0; i < 64; i++) {
        uint32_t S1 = ror(v[4], 6) ^ ror(v[4], 11) ^ ror(v[4], 25);
        uint32_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
        uint32_t t1 = v[7] + S1 + ch + K256[i] + w[i];
        uint32_t S0 = ror(v[0], 2) ^ ror(v[0], 13) ^ ror(v[0], 22);
        uint32_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
        uint32_t t2 = S0 + maj;
        memmove(v + 1, v, 7 * sizeof(*v));
        v[4] += t1;
        v[0] = t1 + t2;
    }
    for (int i = 0; i < 8; i++)
        h[i] += v[i];
}

static struct tv *hex_words(struct texec *x, const uint32_t *h, int words)
{
    char out[80];

    for (int i = 0; i < words; i++)
        snprintf(out + 8 * i, 9, "%08x", (unsigned)h[i]);
    return tv_str_copy(x, out, (size_t)words * 8);
}

TFN_DECL(tfe_sha1sum)
{
    uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};

    (void)n;
    md_blocks((const unsigned char *)a[0]->u.s.p, a[0]->u.s.n, h, sha1_block);
    return hex_words(x, h, 5);
}

TFN_DECL(tfe_sha256sum)
{
    uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

    (void)n;
    md_blocks((const unsigned char *)a[0]->u.s.p, a[0]->u.s.n, h, sha256_block);
    return hex_words(x, h, 8);
}

TFN_DECL(tfe_adler32sum)
{
    const unsigned char *s = (const unsigned char *)a[0]->u.s.p;
    uint32_t s1 = 1, s2 = 0;
    char out[16];

    (void)n;
    for (size_t i = 0; i < a[0]->u.s.n; i++) {
        s1 = (s1 + s[i]) % 65521;
        s2 = (s2 + s1) % 65521;
    }
    snprintf(out, sizeof(out), "%u", (unsigned)(s2 << 16 | s1));
    return tv_str_copy(x, out, strlen(out));
}

/* ---- random ---- */

static bool rnd(struct texec *x, void *buf, size_t n)
{
    if (!x->host->random || !x->host->random(x->host->ctx, buf, n)) {
        tfn_fail(x, "no random source available");
        return false;
    }
    return true;
}

/* A uniform random number below bound (> 0). */
static bool rnd_below(struct texec *x, uint64_t bound, uint64_t *out)
{
    uint64_t lim = UINT64_MAX - UINT64_MAX % bound, v;

    do {
        if (!rnd(x, &v, sizeof(v)))
            return false;
    } while (v >= lim);
    *out = v % bound;
    return true;
}

TFN_DECL(tfe_uuidv4)
{
    unsigned char b[16];
    char out[40];

    (void)a;
    (void)n;
    if (!rnd(x, b, sizeof(b)))
        return NULL;
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
    snprintf(out, sizeof(out),
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
    return tv_str_copy(x, out, 36);
}

static struct tv *rand_from(struct texec *x, int64_t count, const char *set)
{
    size_t sn = strlen(set);

    if (count <= 0)
        return tv_str_ref(x, "", 0);
    if ((uint64_t)count > x->lim->max_output)
        return texec_limitf(x, "%lld random characters exceed the output cap", (long long)count);
    cmn_buf_reset(&x->tmp);
    for (int64_t i = 0; i < count; i++) {
        uint64_t k;
        if (!rnd_below(x, sn, &k) || !app(x, set + k, 1))
            return NULL;
    }
    return texec_tmp_string(x);
}

#define LETTERS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
#define DIGITS "0123456789"

TFN_DECL(tfe_rand_alpha)
{
    (void)n;
    return rand_from(x, a[0]->u.i, LETTERS);
}

TFN_DECL(tfe_rand_alnum)
{
    (void)n;
    return rand_from(x, a[0]->u.i, DIGITS LETTERS);
}

TFN_DECL(tfe_rand_numeric)
{
    (void)n;
    return rand_from(x, a[0]->u.i, DIGITS);
}

TFN_DECL(tfe_rand_ascii)
{
    char set[96];

    (void)n;
    for (int i = 0; i < 95; i++)
        set[i] = (char)(32 + i);
    set[95] = '\0';
    return rand_from(x, a[0]->u.i, set);
}

TFN_DECL(tfe_rand_bytes)
{
    int64_t count = a[0]->u.i;
    unsigned char buf[256];
    struct tv s = {.kind = TV_STRING, .type = GT_STRING}, *sp = &s;
    char *raw;

    (void)n;
    if (count < 0)
        return tfn_fail(x, "runtime error: makeslice: len out of range");
    if ((uint64_t)count > x->lim->max_output / 2)
        return texec_limitf(x, "%lld random bytes exceed the output cap", (long long)count);
    raw = texec_alloc(x, (size_t)count + 1);
    if (!raw)
        return NULL;
    for (int64_t i = 0; i < count; i += (int64_t)sizeof(buf)) {
        size_t k = (size_t)(count - i) < sizeof(buf) ? (size_t)(count - i) : sizeof(buf);
        if (!rnd(x, buf, k))
            return NULL;
        memcpy(raw + i, buf, k);
    }
    s.u.s.p = raw;
    s.u.s.n = (size_t)count;
    return tfe_b64enc(x, &sp, 1);
}

TFN_DECL(tfe_rand_int)
{
    int64_t lo = a[0]->u.i, hi = a[1]->u.i;
    uint64_t k;

    (void)n;
    /* Go computes max-min with wrapping: a difference past int64 is negative there too */
    if (hi <= lo || (uint64_t)hi - (uint64_t)lo > (uint64_t)INT64_MAX)
        return tfn_fail(x, "invalid argument to Intn");
    if (!rnd_below(x, (uint64_t)hi - (uint64_t)lo, &k))
        return NULL;
    return tv_int(x, (int64_t)((uint64_t)lo + k));
}

/* xstrings.Shuffle: the runes in random order */
TFN_DECL(tfe_shuffle)
{
    struct tstr s = a[0]->u.s;
    size_t count = tutf8_count(s.p, s.n), i = 0, k = 0;
    struct tstr *runes;

    (void)n;
    if (count < 2)
        return a[0];
    runes = texec_alloc(x, count * sizeof(*runes));
    if (!runes)
        return NULL;
    while (i < s.n) {
        uint32_t r;
        size_t w = tutf8_decode(s.p + i, s.n - i, &r);
        runes[k++] = (struct tstr){s.p + i, w};
        i += w;
    }
    for (size_t j = count - 1; j > 0; j--) {
        uint64_t pick;
        struct tstr t;
        if (!rnd_below(x, j + 1, &pick))
            return NULL;
        t = runes[j];
        runes[j] = runes[pick];
        runes[pick] = t;
    }
    cmn_buf_reset(&x->tmp);
    for (size_t j = 0; j < count; j++)
        if (!app(x, runes[j].p, runes[j].n))
            return NULL;
    return texec_tmp_string(x);
}
