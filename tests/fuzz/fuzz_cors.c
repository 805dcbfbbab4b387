/* fuzz_cors.c - libFuzzer target: security/cors reading untrusted Origin, method and
 * Access-Control-Request-* values must answer without a crash, leak or unbounded work.
 * Input: one config selector byte, then newline-separated fields: method, Origin,
 * Access-Control-Request-Method, Access-Control-Request-Private-Network, then
 * Access-Control-Request-Headers lines. */
#include "cmn_http.h"
#include "cmn_log.h"
#include "gw_cors.h"
#include "gw_hdrs.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FIELDS 24

static const char *const configs[] = {
    "{}",
    "{\"allow_origins\":[\"*\"],\"allow_methods\":[\"POST\",\"GET\"],"
    "\"allow_headers\":[\"Origin\",\"Authorization\",\"Content-Type\"],"
    "\"expose_headers\":[\"Content-Length\"],\"max_age\":\"12h\"}",
    "{\"allow_origins\":[\"https://*.example.com\",\"http://a.test\",\"x*y*z\"],"
    "\"allow_headers\":[\"a\",\"b\",\"c\"],\"allow_credentials\":true,"
    "\"allow_private_network\":true,\"options_passthrough\":true,\"debug\":true}",
};

static const char *const names[] = {"Origin", "Access-Control-Request-Method",
                                    "Access-Control-Request-Private-Network"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct gw_cors *cors[3];
    struct cmn_http_kv kv[MAX_FIELDS];
    const char *fields[MAX_FIELDS];
    struct cmn_http_request r;
    struct cmn_http_response *answer = NULL;
    struct gw_hdrs out;
    size_t n = 0;
    char *copy, *p;
    struct gw_cors *c;

    if (!cors[0]) {
        cmn_log_init("FUZZ", CMN_LOG_DEBUG, -1); /* the debug trace is formatted, not written */
        for (int i = 0; i < 3; i++) {
            json_t *v = json_loads(configs[i], 0, NULL);
            struct cmn_err err;
            gw_cors_new(v, "fuzz", &cors[i], &err);
            json_decref(v);
        }
    }
    if (size < 1)
        return 0;
    c = cors[data[0] % 3];
    copy = malloc(size);
    if (!copy)
        return 0;
    memcpy(copy, data + 1, size - 1);
    copy[size - 1] = '\0';
    for (p = copy; n < MAX_FIELDS;) {
        char *nl = strchr(p, '\n');
        fields[n++] = p;
        if (!nl)
            break;
        *nl = '\0';
        p = nl + 1;
    }
    memset(&r, 0, sizeof(r));
    r.method = fields[0];
    r.target = r.path = "/";
    r.query = "";
    r.headers = kv;
    for (size_t i = 1; i < n; i++) {
        kv[r.n_headers].name =
            (char *)(uintptr_t)(i <= 3 ? names[i - 1] : "Access-Control-Request-Headers");
        kv[r.n_headers].value = (char *)(uintptr_t)fields[i];
        r.n_headers++;
    }
    gw_hdrs_init(&out, 0);
    gw_cors_handle(c, &r, NULL, &out, &answer);
    cmn_http_response_destroy(answer);
    gw_hdrs_free(&out);
    if (n > 1)
        gw_cors_origin_allowed(c, fields[1], strlen(fields[1]));
    if (n > 4)
        gw_cors_headers_accepted(c, fields + 4, n - 4);
    free(copy);
    return 0;
}
