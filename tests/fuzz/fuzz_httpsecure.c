/* fuzz_httpsecure.c - libFuzzer target: security/http reading an untrusted request target,
 * Host and proxy headers (host check, literal and regexp, the SSL redirect's URL and Go's
 * http.Redirect body, the CSP nonce) must answer without a crash, leak or unbounded work.
 * Input: one config selector byte, then newline-separated fields: method, target, Host,
 * X-Forwarded-Host, X-Forwarded-Proto. */
#include "cmn_go_re.h"
#include "cmn_http.h"
#include "cmn_log.h"
#include "gw_hdrs.h"
#include "gw_httpsecure.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define N_CONFIGS 3

static const char *const configs[N_CONFIGS] = {
    "{\"ssl_redirect\":true,\"ssl_host\":\"secure.test\",\"frame_deny\":true}",
    "{\"allowed_hosts\":[\"api.test\",\"\\u212aey.test\"],\"host_proxy_headers\":"
    "[\"X-Forwarded-Host\"],\"ssl_redirect\":true,\"ssl_proxy_headers\":"
    "{\"X-Forwarded-Proto\":\"https\"},\"sts_seconds\":60,"
    "\"content_security_policy\":\"script-src $NONCE %s 100%\"}",
    "{\"allowed_hosts_are_regex\":true,\"allowed_hosts\":[\"[a-z]+\\\\.test(:[0-9]+)?\","
    "\"(?i)api|x\"],\"content_type_nosniff\":true}",
};

static const char *const names[] = {"Host", "X-Forwarded-Host", "X-Forwarded-Proto"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct gw_httpsecure *hs[N_CONFIGS];
    static const unsigned char nonce[GW_HSEC_NONCE_BYTES] = {1, 2, 3};
    char get[] = "GET", root[] = "/";
    char *fields[5] = {get, root, NULL, NULL, NULL};
    struct cmn_http_kv kv[3];
    struct cmn_http_request r;
    struct cmn_http_response *answer = NULL;
    struct gw_hdrs out;
    size_t n = 0;
    char *copy, *p, *q, authority[256];

    if (!hs[0]) {
        cmn_log_init("FUZZ", CMN_LOG_DEBUG, -1);
        for (int i = 0; i < N_CONFIGS; i++) {
            json_t *v = json_loads(configs[i], 0, NULL);
            struct cmn_err err;
            gw_httpsecure_new(v, "fuzz", &hs[i], &err);
            json_decref(v);
        }
    }
    if (size < 1)
        return 0;
    copy = malloc(size);
    if (!copy)
        return 0;
    memcpy(copy, data + 1, size - 1);
    copy[size - 1] = '\0';
    for (p = copy; n < 5;) {
        char *nl = strchr(p, '\n');
        fields[n++] = p;
        if (!nl)
            break;
        *nl = '\0';
        p = nl + 1;
    }
    memset(&r, 0, sizeof(r));
    r.method = fields[0];
    r.target = fields[1];
    /* as the server splits it: path before '?', query after; absolute form's host */
    q = strchr(fields[1], '?');
    r.has_query = q != NULL;
    r.query = q ? q + 1 : "";
    if (q)
        *q = '\0';
    r.path = fields[1];
    if (strncasecmp(r.path, "https://", 8) == 0 || strncasecmp(r.path, "http://", 7) == 0) {
        const char *host = strstr(r.path, "//") + 2;
        const char *slash = strchr(host, '/');
        size_t hl = slash ? (size_t)(slash - host) : strlen(host);
        if (hl >= sizeof(authority))
            hl = sizeof(authority) - 1;
        memcpy(authority, host, hl);
        authority[hl] = '\0';
        r.authority = authority;
        r.path = slash ? slash : "/";
    }
    r.headers = kv;
    for (size_t i = 2; i < n; i++) {
        kv[r.n_headers].name = (char *)(uintptr_t)names[i - 2];
        kv[r.n_headers].value = (char *)(uintptr_t)fields[i];
        r.n_headers++;
    }
    r.tls = data[0] & 0x80;
    gw_hdrs_init(&out, 0);
    gw_httpsecure_handle(hs[data[0] % N_CONFIGS], &r, nonce, &out, &answer);
    cmn_http_response_destroy(answer);
    gw_hdrs_free(&out);
    free(copy);
    cmn_go_re_thread_release();
    return 0;
}
