/* cmn_hn_tls_suites.c - Go's TLS 1.0-1.2 cipher suites for the native engine's TLS: which ones
 * GnuTLS has, Go's order of preference among those a client offers, and the GnuTLS priority
 * tokens that allow exactly the chosen ones. Pure logic, no session. */
#include "cmn_hn_tls.h"

#include <stdio.h>
#include <string.h>

/* The suites Go's crypto/tls implements, in Go's preference order (cipherSuitesPreferenceOrder,
 * Go 1.25, AES hardware), with what GnuTLS calls their parts. The RC4 suites have no GnuTLS
 * counterpart (NULL kx). */
static const struct suite {
    uint16_t id;
    const char *go_name;
    const char *kx, *cipher, *mac;
} SUITES[] = {
    {0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA", "AES-128-GCM", "AEAD"},
    {0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA", "AES-128-GCM", "AEAD"},
    {0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA", "AES-256-GCM", "AEAD"},
    {0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA", "AES-256-GCM", "AEAD"},
    {0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA", "CHACHA20-POLY1305",
     "AEAD"},
    {0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA", "CHACHA20-POLY1305",
     "AEAD"},
    {0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA", "AES-128-CBC", "SHA1"},
    {0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA", "AES-128-CBC", "SHA1"},
    {0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA", "AES-256-CBC", "SHA1"},
    {0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA", "AES-256-CBC", "SHA1"},
    {0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256", "RSA", "AES-128-GCM", "AEAD"},
    {0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384", "RSA", "AES-256-GCM", "AEAD"},
    {0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA", "RSA", "AES-128-CBC", "SHA1"},
    {0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", "RSA", "AES-256-CBC", "SHA1"},
    {0xc012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "ECDHE-RSA", "3DES-CBC", "SHA1"},
    {0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "RSA", "3DES-CBC", "SHA1"},
    {0xc023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "ECDHE-ECDSA", "AES-128-CBC", "SHA256"},
    {0xc027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "ECDHE-RSA", "AES-128-CBC", "SHA256"},
    {0x003c, "TLS_RSA_WITH_AES_128_CBC_SHA256", "RSA", "AES-128-CBC", "SHA256"},
    {0xc007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", NULL, NULL, NULL},
    {0xc011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA", NULL, NULL, NULL},
    {0x0005, "TLS_RSA_WITH_RC4_128_SHA", NULL, NULL, NULL},
};
#define N_SUITES (sizeof(SUITES) / sizeof(SUITES[0]))

static const struct suite *suite_of(uint16_t id)
{
    for (size_t i = 0; i < N_SUITES; i++) {
        if (SUITES[i].id == id)
            return &SUITES[i];
    }
    return NULL;
}

bool cmn_http_tls_suite_usable(uint16_t id, const char **name)
{
    const struct suite *s = suite_of(id);

    if (name)
        *name = s ? s->go_name : NULL;
    return s && s->kx;
}

static bool has(const uint16_t *v, size_t n, uint16_t id)
{
    for (size_t i = 0; i < n; i++) {
        if (v[i] == id)
            return true;
    }
    return false;
}

static bool is_chacha(const struct suite *s)
{
    return s->cipher && strcmp(s->cipher, "CHACHA20-POLY1305") == 0;
}

/* Go's aesgcmPreferred: the client's first AEAD suite Go knows is AES-GCM (else Go prefers
 * ChaCha20-Poly1305, cipherSuitesPreferenceOrderNoAES). */
static bool aes_preferred(const uint16_t *offered, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct suite *s = suite_of(offered[i]);
        if (s && s->mac && strcmp(s->mac, "AEAD") == 0)
            return !is_chacha(s);
    }
    return false;
}

bool cmn_hn_tls_hello_suites(const unsigned char *msg, size_t len, uint16_t *out, size_t max,
                             size_t *n)
{
    size_t at = 2 + 32, sid, cs;

    *n = 0;
    /* ClientHello (RFC 8446 §4.1.2): legacy_version, random, session id <0..32>, suites
     * <2..2^16-2> */
    if (len < at + 1)
        return false;
    sid = msg[at];
    if (sid > 32 || len < at + 1 + sid + 2)
        return false;
    at += 1 + sid;
    cs = (size_t)msg[at] << 8 | msg[at + 1];
    at += 2;
    if (cs < 2 || cs % 2 || len < at + cs)
        return false;
    for (size_t i = 0; i < cs && *n < max; i += 2)
        out[(*n)++] = (uint16_t)(msg[at + i] << 8 | msg[at + i + 1]);
    return true;
}

/* Would the GnuTLS priorities for chosen[0, n) also allow a suite the client offered that is
 * not allowed? GnuTLS combines every listed key exchange, cipher and MAC. */
static bool leaks(const struct suite *const *chosen, size_t n, const uint16_t *allowed,
                  size_t n_allowed, const uint16_t *offered, size_t n_offered)
{
    for (size_t i = 0; i < N_SUITES; i++) {
        const struct suite *s = &SUITES[i];
        bool kx = false, cipher = false, mac = false;
        if (!s->kx || has(allowed, n_allowed, s->id) || !has(offered, n_offered, s->id))
            continue;
        for (size_t j = 0; j < n; j++) {
            kx = kx || strcmp(chosen[j]->kx, s->kx) == 0;
            cipher = cipher || strcmp(chosen[j]->cipher, s->cipher) == 0;
            mac = mac || strcmp(chosen[j]->mac, s->mac) == 0;
        }
        if (kx && cipher && mac)
            return true;
    }
    return false;
}

size_t cmn_hn_tls_pick_suites(const uint16_t *allowed, size_t n_allowed, const uint16_t *offered,
                              size_t n_offered, uint16_t *out, size_t max)
{
    const struct suite *chosen[N_SUITES];
    size_t n = 0;
    bool aes = aes_preferred(offered, n_offered);

    /* Go's order, with the ChaCha20 suites moved ahead of AES-GCM when the client prefers
     * them; a suite is kept when it adds no unlisted combination the client could get */
    for (int pass = 0; pass < 3; pass++) {
        for (size_t i = 0; i < N_SUITES && n < max; i++) {
            const struct suite *s = &SUITES[i];
            bool aead = s->mac && strcmp(s->mac, "AEAD") == 0 && strncmp(s->kx, "ECDHE", 5) == 0;
            int want = aes ? (aead ? 0 : 2) : (aead && is_chacha(s) ? 0 : aead ? 1 : 2);
            if (want != pass || !s->kx || !has(allowed, n_allowed, s->id) ||
                !has(offered, n_offered, s->id))
                continue;
            chosen[n] = s;
            if (leaks(chosen, n + 1, allowed, n_allowed, offered, n_offered))
                continue;
            out[n++] = s->id;
        }
    }
    return n;
}

/* Appends ":+token" unless the string has it already. */
static void add_token(struct cmn_buf *b, const char *token)
{
    char t[64];
    size_t n;
    const char *at;

    snprintf(t, sizeof(t), ":+%s", token);
    n = strlen(t);
    at = strstr(cmn_buf_str(b), t);
    if (at && (at[n] == ':' || at[n] == '\0'))
        return;
    cmn_buf_append_str(b, t);
}

void cmn_hn_tls_suite_tokens(const uint16_t *ids, size_t n, struct cmn_buf *b)
{
    /* ciphers first, in the order given, then key exchanges, then MACs */
    for (int part = 0; part < 3; part++) {
        for (size_t i = 0; i < n; i++) {
            const struct suite *s = suite_of(ids[i]);
            if (s && s->kx)
                add_token(b, part == 0 ? s->cipher : part == 1 ? s->kx : s->mac);
        }
    }
}

void cmn_hn_tls_token(struct cmn_buf *b, const char *token)
{
    add_token(b, token);
}
