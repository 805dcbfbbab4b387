/* gw_jwks_fetch.c - builds and judges the libcurl transfer that downloads one JWKS. */
#include "gw_jwks_fetch.h"

#include "cmn_b64.h"
#include "cmn_log.h"
#include "cmn_str.h"
#include "gw_jwk.h"

#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define FP_MAX_CHARS 64 /* a 32-byte digest is 43-44 characters of base64 */
#define SYSTEM_CA_DIR "/etc/ssl/certs"

void gw_jwks_tls_free(struct gw_jwks_tls *t)
{
    if (!t)
        return;
    free(t->pins);
    free(t->local_ca);
    free(t->priority);
    memset(t, 0, sizeof(*t));
}

/* One jwk_fingerprints entry to curl's "sha256//<standard base64>" form appended to out. */
static enum gw_jwks_fetch_status add_pin(struct cmn_buf *out, const char *fp, size_t idx,
                                         struct cmn_err *err)
{
    char url[FP_MAX_CHARS + 1];
    unsigned char digest[FP_MAX_CHARS];
    char std[FP_MAX_CHARS + 1];
    size_t n = strlen(fp), dlen = 0;

    while (n > 0 && fp[n - 1] == '=')
        n--;
    if (n == 0 || n > FP_MAX_CHARS)
        goto bad;
    for (size_t i = 0; i < n; i++)
        url[i] = fp[i] == '+' ? '-' : fp[i] == '/' ? '_' : fp[i];
    url[n] = '\0';
    if (!cmn_b64url_decode(url, n, digest, &dlen) || dlen != 32)
        goto bad;
    cmn_b64_encode(digest, dlen, std);
    if (cmn_buf_printf(out, "%ssha256//%s", out->len ? ";" : "", std) != CMN_BUF_OK)
        return cmn_err_set(err, GW_JWKS_FETCH_NOMEM, "out of memory");
    return GW_JWKS_FETCH_OK;
bad:
    return cmn_err_set(err, GW_JWKS_FETCH_BAD_OPTION,
                       "jwk_fingerprints[%zu]: not the base64 of a SHA-256 digest", idx);
}

/* Adds "+name" to a priority string unless already there. */
static bool prio_add(struct cmn_buf *b, const char *name)
{
    char tok[64];

    if (!name || !*name)
        return true;
    snprintf(tok, sizeof(tok), ":+%s:", name);
    if (cmn_str_has_prefix(cmn_buf_str(b), tok + 1) || strstr(cmn_buf_str(b), tok))
        return true;
    return cmn_buf_printf(b, "+%s:", name) == CMN_BUF_OK;
}

/* IANA cipher suite numbers to a GnuTLS priority string. GnuTLS selects suites as the product
 * of key exchanges, ciphers and MACs, so the result allows the listed suites (and possibly
 * combinations of their parts); TLS 1.3 suites stay enabled as Go keeps them. */
static enum gw_jwks_fetch_status build_priority(char **out, const uint16_t *ids, size_t n,
                                                struct cmn_err *err)
{
    struct cmn_buf kx, ciph, mac;
    size_t known = 0;
    enum gw_jwks_fetch_status st = GW_JWKS_FETCH_OK;

    *out = NULL;
    cmn_buf_init(&kx, 4096);
    cmn_buf_init(&ciph, 4096);
    cmn_buf_init(&mac, 4096);
    /* Go's TLS 1.3 suites are always on, whatever cipher_suites says. */
    if (!prio_add(&ciph, "AES-128-GCM") || !prio_add(&ciph, "AES-256-GCM") ||
        !prio_add(&ciph, "CHACHA20-POLY1305") || !prio_add(&mac, "AEAD"))
        goto nomem;
    for (size_t i = 0; i < n; i++) {
        bool found = false;
        unsigned char id[2];
        gnutls_kx_algorithm_t k;
        gnutls_cipher_algorithm_t c;
        gnutls_mac_algorithm_t m;
        gnutls_protocol_t minv;

        for (size_t j = 0; gnutls_cipher_suite_info(j, id, &k, &c, &m, &minv); j++) {
            if (((unsigned)id[0] << 8 | id[1]) != ids[i])
                continue;
            found = true;
            if ((k && !prio_add(&kx, gnutls_kx_get_name(k))) ||
                !prio_add(&ciph, gnutls_cipher_get_name(c)) ||
                !prio_add(&mac, gnutls_mac_get_name(m)))
                goto nomem;
            break;
        }
        if (found)
            known++;
        else
            cmn_log_warn("[JWK] cipher_suites: suite %u is not supported here, ignored",
                         (unsigned)ids[i]);
    }
    if (known == 0) {
        cmn_log_warn("[JWK] cipher_suites: no usable suite listed, using the default suites");
        goto out;
    }
    {
        struct cmn_buf p;
        cmn_buf_init(&p, 16384);
        if (cmn_buf_printf(&p,
                           "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-KX-ALL:"
                           "-CIPHER-ALL:-MAC-ALL:%s%s%s",
                           cmn_buf_str(&kx), cmn_buf_str(&ciph), cmn_buf_str(&mac)) != CMN_BUF_OK) {
            cmn_buf_free(&p);
            goto nomem;
        }
        p.data[p.len - 1] = '\0'; /* the trailing ':' */
        *out = cmn_buf_take(&p, NULL);
        if (!*out)
            goto nomem;
    }
    goto out;
nomem:
    st = cmn_err_set(err, GW_JWKS_FETCH_NOMEM, "out of memory");
out:
    cmn_buf_free(&kx);
    cmn_buf_free(&ciph);
    cmn_buf_free(&mac);
    return st;
}

enum gw_jwks_fetch_status gw_jwks_tls_init(struct gw_jwks_tls *t, bool insecure,
                                           const char *const *fingerprints, size_t n_fingerprints,
                                           const char *local_ca, const uint16_t *cipher_suites,
                                           size_t n_cipher_suites, struct cmn_err *err)
{
    struct cmn_buf pins;
    enum gw_jwks_fetch_status st = GW_JWKS_FETCH_OK;

    memset(t, 0, sizeof(*t));
    t->insecure = insecure;
    cmn_buf_init(&pins, 4096);
    if (n_fingerprints > GW_JWKS_MAX_FINGERPRINTS) {
        st = cmn_err_set(err, GW_JWKS_FETCH_BAD_OPTION, "jwk_fingerprints: more than %d entries",
                         GW_JWKS_MAX_FINGERPRINTS);
        goto out;
    }
    if (n_cipher_suites > GW_JWKS_MAX_CIPHER_SUITES) {
        st = cmn_err_set(err, GW_JWKS_FETCH_BAD_OPTION, "cipher_suites: more than %d entries",
                         GW_JWKS_MAX_CIPHER_SUITES);
        goto out;
    }
    for (size_t i = 0; i < n_fingerprints; i++) {
        st = add_pin(&pins, fingerprints[i] ? fingerprints[i] : "", i, err);
        if (st != GW_JWKS_FETCH_OK)
            goto out;
    }
    if (pins.len) {
        t->pins = cmn_buf_take(&pins, NULL);
        if (!t->pins) {
            st = cmn_err_set(err, GW_JWKS_FETCH_NOMEM, "out of memory");
            goto out;
        }
    }
    if (local_ca && *local_ca) {
        struct stat sb;
        if (access(local_ca, R_OK) != 0 || stat(local_ca, &sb) != 0 || !S_ISREG(sb.st_mode)) {
            st = cmn_err_set(err, GW_JWKS_FETCH_BAD_OPTION,
                             "jwk_local_ca: cannot read the file '%s'", local_ca);
            goto out;
        }
        t->local_ca = strdup(local_ca);
        if (!t->local_ca) {
            st = cmn_err_set(err, GW_JWKS_FETCH_NOMEM, "out of memory");
            goto out;
        }
    }
    if (n_cipher_suites) {
        const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
        st = build_priority(&t->priority, cipher_suites, n_cipher_suites, err);
        /* Checked with 7.88: its GnuTLS backend ignores CURLOPT_SSL_CIPHER_LIST. */
        if (st == GW_JWKS_FETCH_OK && v && v->ssl_version &&
            strncmp(v->ssl_version, "GnuTLS", 6) == 0 && v->version_num < 0x080000)
            cmn_log_warn("[JWK] cipher_suites: libcurl %s with %s does not apply cipher lists; "
                         "the JWKS client uses TLS 1.2+ with GnuTLS's default suites",
                         v->version, v->ssl_version);
    }
out:
    cmn_buf_free(&pins);
    if (st != GW_JWKS_FETCH_OK)
        gw_jwks_tls_free(t);
    return st;
}

static size_t on_body(char *p, size_t sz, size_t nm, void *ud)
{
    struct gw_jwks_fetch *f = ud;

    if (cmn_buf_append(&f->body, p, sz * nm) != CMN_BUF_OK) {
        f->too_big = true;
        return 0; /* aborts the transfer */
    }
    return sz * nm;
}

/* Where the system's CAs live, so that jwk_local_ca adds to them instead of replacing them
 * (curl's GnuTLS backend loads CURLOPT_CAINFO and CURLOPT_CAPATH both). */
static const char *system_ca_dir(void)
{
    const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
    struct stat sb;

    if (v && v->capath && stat(v->capath, &sb) == 0 && S_ISDIR(sb.st_mode))
        return v->capath;
    if (stat(SYSTEM_CA_DIR, &sb) == 0 && S_ISDIR(sb.st_mode))
        return SYSTEM_CA_DIR;
    return NULL;
}

static bool set_tls(CURL *e, const struct gw_jwks_tls *tls)
{
    bool ok = curl_easy_setopt(e, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2) == CURLE_OK;

    if (tls->insecure) {
        ok = ok && curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L) == CURLE_OK;
        ok = ok && curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L) == CURLE_OK;
    } else {
        ok = ok && curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L) == CURLE_OK;
        ok = ok && curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L) == CURLE_OK;
    }
    if (tls->pins)
        ok = ok && curl_easy_setopt(e, CURLOPT_PINNEDPUBLICKEY, tls->pins) == CURLE_OK;
    if (tls->local_ca) {
        const char *dir = system_ca_dir();
        ok = ok && curl_easy_setopt(e, CURLOPT_CAINFO, tls->local_ca) == CURLE_OK;
        if (dir)
            ok = ok && curl_easy_setopt(e, CURLOPT_CAPATH, dir) == CURLE_OK;
    }
    if (tls->priority)
        ok = ok && curl_easy_setopt(e, CURLOPT_SSL_CIPHER_LIST, tls->priority) == CURLE_OK;
    return ok;
}

struct gw_jwks_fetch *gw_jwks_fetch_new(const char *url, const struct gw_jwks_tls *tls,
                                        const struct gw_jwks_fetch_limits *lim, void *owner,
                                        struct cmn_err *err)
{
    struct gw_jwks_fetch *f = NULL;
    bool https = url && strncasecmp(url, "https://", 8) == 0;
    bool http = url && strncasecmp(url, "http://", 7) == 0;
    const char *protos = tls->insecure ? "http,https" : "https";
    bool ok;

    if (!https && !(http && tls->insecure)) {
        cmn_err_set(err, GW_JWKS_FETCH_BAD_OPTION,
                    "JWK URL must be https:// (or http:// with "
                    "disable_jwk_security)");
        return NULL;
    }
    f = calloc(1, sizeof(*f));
    if (!f || !(f->easy = curl_easy_init())) {
        cmn_err_set(err, GW_JWKS_FETCH_NOMEM, "out of memory");
        free(f);
        return NULL;
    }
    cmn_buf_init(&f->body, GW_JWKS_MAX_BYTES);
    f->owner = owner;
    ok = curl_easy_setopt(f->easy, CURLOPT_URL, url) == CURLE_OK;
    ok = ok && curl_easy_setopt(f->easy, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
    ok = ok && curl_easy_setopt(f->easy, CURLOPT_PROTOCOLS_STR, protos) == CURLE_OK;
    ok = ok && curl_easy_setopt(f->easy, CURLOPT_REDIR_PROTOCOLS_STR, protos) == CURLE_OK;
    ok = ok && curl_easy_setopt(f->easy, CURLOPT_FOLLOWLOCATION, 1L) == CURLE_OK;
    ok = ok && curl_easy_setopt(f->easy, CURLOPT_MAXREDIRS, 3L) == CURLE_OK;
    ok = ok &&
         curl_easy_setopt(f->easy, CURLOPT_CONNECTTIMEOUT_MS, lim->connect_timeout_ms) == CURLE_OK;
    ok = ok && curl_easy_setopt(f->easy, CURLOPT_TIMEOUT_MS, lim->timeout_ms) == CURLE_OK;
    ok = ok && curl_easy_setopt(f->easy, CURLOPT_MAXFILESIZE_LARGE,
                                (curl_off_t)GW_JWKS_MAX_BYTES) == CURLE_OK;
    ok = ok && curl_easy_setopt(f->easy, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK;
    ok = ok && curl_easy_setopt(f->easy, CURLOPT_WRITEDATA, f) == CURLE_OK;
    ok = ok && curl_easy_setopt(f->easy, CURLOPT_ERRORBUFFER, f->errbuf) == CURLE_OK;
    ok = ok && curl_easy_setopt(f->easy, CURLOPT_PRIVATE, f) == CURLE_OK;
    ok = ok &&
         curl_easy_setopt(f->easy, CURLOPT_USERAGENT, "KrakenD Version " GW_VERSION) == CURLE_OK;
    ok = ok && set_tls(f->easy, tls);
    if (!ok) {
        cmn_err_set(err, GW_JWKS_FETCH_BAD_OPTION, "libcurl refused an option for %s", url);
        gw_jwks_fetch_destroy(f);
        return NULL;
    }
    return f;
}

void gw_jwks_fetch_destroy(struct gw_jwks_fetch *f)
{
    if (!f)
        return;
    if (f->easy)
        curl_easy_cleanup(f->easy);
    cmn_buf_free(&f->body);
    free(f);
}

static bool ct_is(const char *v, const char *type)
{
    size_t n = strlen(type);

    return strncasecmp(v, type, n) == 0 && (v[n] == '\0' || v[n] == ';' || v[n] == ' ');
}

bool gw_jwks_content_type_ok(const char *content_type)
{
    if (!content_type)
        return false;
    while (*content_type == ' ' || *content_type == '\t')
        content_type++;
    return ct_is(content_type, "application/json") ||
           ct_is(content_type, "application/jwk-set+json");
}

enum gw_jwks_fetch_status gw_jwks_fetch_finish(struct gw_jwks_fetch *f, CURLcode rc,
                                               struct gw_jwks_fetch_result *res,
                                               struct cmn_err *err)
{
    char *ct = NULL;

    memset(res, 0, sizeof(*res));
    curl_easy_getinfo(f->easy, CURLINFO_RESPONSE_CODE, &res->http_status);
    if (f->too_big || rc == CURLE_FILESIZE_EXCEEDED)
        return cmn_err_set(err, GW_JWKS_FETCH_TRANSPORT, "the JWKS is larger than %d bytes",
                           GW_JWKS_MAX_BYTES);
    if (rc != CURLE_OK)
        return cmn_err_set(err, GW_JWKS_FETCH_TRANSPORT, "%s",
                           f->errbuf[0] ? f->errbuf : curl_easy_strerror(rc));
    if (res->http_status < 200 || res->http_status > 299)
        return cmn_err_set(err, GW_JWKS_FETCH_HTTP, "unexpected HTTP status %ld", res->http_status);
    curl_easy_getinfo(f->easy, CURLINFO_CONTENT_TYPE, &ct);
    res->content_type = ct;
    res->content_type_ok = gw_jwks_content_type_ok(ct);
    res->body = cmn_buf_str(&f->body);
    res->body_len = f->body.len;
    return GW_JWKS_FETCH_OK;
}
