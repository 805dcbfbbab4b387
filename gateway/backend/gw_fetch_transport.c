/* gw_fetch_transport.c - lura's backend transport settings (NewTransport, client_tls) as
 * libcurl options for the https and fallback hops. */
#include "gw_fetch_int.h"

#include <stdint.h>

/* CURLOPT_SSLVERSION for lura's versions; without client_tls, Go's client default (1.2-1.3). */
static long tls_versions(const struct gw_client_tls *t)
{
    static const long lo[] = {CURL_SSLVERSION_TLSv1_0, CURL_SSLVERSION_TLSv1_1,
                              CURL_SSLVERSION_TLSv1_2, CURL_SSLVERSION_TLSv1_3};
    static const long hi[] = {CURL_SSLVERSION_MAX_TLSv1_0, CURL_SSLVERSION_MAX_TLSv1_1,
                              CURL_SSLVERSION_MAX_TLSv1_2, CURL_SSLVERSION_MAX_TLSv1_3};
    unsigned a = t ? t->min_version : 0x0303, b = t ? t->max_version : 0x0304;

    a = a < 0x0301 ? 0x0301 : a > 0x0304 ? 0x0304 : a;
    b = b < 0x0301 ? 0x0301 : b > 0x0304 ? 0x0304 : b;
    return lo[a - 0x0301] | hi[b - 0x0301];
}

/* lura's NewTransport on libcurl: keep-alive probes, Happy Eyeballs, 100-continue, idle age,
 * and client_tls. */
void gw_fetch_transport_opts(CURL *e, const struct gw_fetcher_opts *o)
{
    const struct gw_client_tls *t = o->tls;
    int64_t ka = o->keep_alive_ms, fb = o->fallback_delay_ms;
    long ka_s = ka > 0 ? (long)((ka + 999) / 1000) : 15;

    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, ka >= 0 ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPIDLE, ka_s);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPINTVL, ka_s);
    /* the config takes a negative delay (Go: no fallback) as 0, Go's 300 ms */
    curl_easy_setopt(e, CURLOPT_HAPPY_EYEBALLS_TIMEOUT_MS, fb > 0 ? (long)fb : 300L);
    curl_easy_setopt(e, CURLOPT_EXPECT_100_TIMEOUT_MS, (long)o->expect_continue_timeout_ms);
    /* curl counts whole seconds of idleness, and has a limit of its own (118 s) where Go has
     * none */
    curl_easy_setopt(e, CURLOPT_MAXAGE_CONN,
                     o->idle_timeout_ms > 0 ? (long)((o->idle_timeout_ms + 999) / 1000) : 1L << 30);
    curl_easy_setopt(e, CURLOPT_SSLVERSION, tls_versions(t));
    if (!t)
        return;
    if (t->insecure) {
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    /* x509.SystemCertPool plus ca_certs: libcurl-gnutls reads its CA path (the system's) and
     * the CA file (ours) together; without the system pool only ours, even when it is empty */
    if (t->ca_file)
        curl_easy_setopt(e, CURLOPT_CAINFO, t->ca_file);
    if (!t->system_cas)
        curl_easy_setopt(e, CURLOPT_CAPATH, NULL);
    else if (!curl_version_info(CURLVERSION_NOW)->capath)
        curl_easy_setopt(e, CURLOPT_CAPATH, "/etc/ssl/certs");
    if (t->cert_file && t->key_file) {
        curl_easy_setopt(e, CURLOPT_SSLCERT, t->cert_file);
        curl_easy_setopt(e, CURLOPT_SSLKEY, t->key_file);
    }
}
