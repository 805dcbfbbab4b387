/* gw_httpsecure_int.h - the built security/http config shared by its two sources. Private. */
#ifndef GW_HTTPSECURE_INT_H
#define GW_HTTPSECURE_INT_H

#include "gw_httpsecure.h"
#include "cmn_go_re.h"

struct gw_hsec_host {
    char *ascii_lower;    /* the entry lower-cased, when it is all ASCII (fast path); else NULL */
    struct cmn_go_re *re; /* ^entry$ as a Go regexp, or the entry as an EqualFold literal */
};

struct gw_hsec_pair {
    char *name; /* canonical header name */
    char *value;
};

struct gw_httpsecure {
    struct gw_hsec_host *hosts;
    size_t n_hosts;
    bool hosts_regex;
    char **proxy_headers; /* host_proxy_headers, canonical */
    size_t n_proxy_headers;
    struct gw_hsec_pair *ssl_proxy; /* ssl_proxy_headers */
    size_t n_ssl_proxy;
    int64_t sts_seconds;
    bool sts_subdomains, force_sts, dev, ssl_redirect;
    bool nosniff, xss;
    char *frame;    /* X-Frame-Options value or NULL */
    char *csp;      /* with $NONCE turned into 'nonce-%[1]s' */
    bool nonce;     /* csp goes through fmt.Sprintf */
    char *referrer; /* or NULL */
    char *ssl_host; /* or NULL */
    char hsts[64];  /* the Strict-Transport-Security value */
    size_t frame_len, csp_len, referrer_len, hsts_len;
    /* The fixed fields, checked and laid out once (cmn_http_line): a value the field rule
     * refuses has no line (name NULL) and goes the ordinary way, where the writer leaves it
     * out; so does a CSP with a nonce. */
    struct cmn_http_line sts_line, frame_line, nosniff_line, xss_line, csp_line, referrer_line;
};

#endif
