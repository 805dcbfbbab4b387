/* fuzz_cors.c - libFuzzer target: security/cors reading untrusted Origin, method and
 * Access-Control-Request-* values must answer without a crash, leak or unbounded work.
 * Input: one config selector byte, then newline-separated fields: method, Origin,
 * Access-Control-Request-Method, Access-Control-Request-Private-Network, then
 * Access-Control-Request-Headers lines. */
#include "gw_cors.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

struct req {
    const char *fields[MAX_FIELDS];
    size_t n;
};

static const char *header(void *ctx, const char *name, size_t i)
{
    const struct req *r = ctx;
    size_t first;

    if (strcasecmp(name, "Origin") == 0)
        return i == 0 && r->n > 1 ? r->fields[1] : NULL;
    if (strcasecmp(name, "Access-Control-Request-Method") == 0)
        return i == 0 && r->n > 2 ? r->fields[2] : NULL;
    if (strcasecmp(name, "Access-Control-Request-Private-Network") == 0)
        return i == 0 && r->n > 3 ? r->fields[3] : NULL;
    if (strcasecmp(name, "Access-Control-Request-Headers") == 0) {
        first = 4 + i;
        return first < r->n ? r->fields[first] : NULL;
    }
    return NULL;
}

static bool sink(void *ctx, const char *name, const char *value)
{
    (void)ctx;
    (void)name;
    (void)value;
    return true;
}

static void log_sink(void *ctx, enum cmn_log_level level, const char *msg)
{
    (void)ctx;
    (void)level;
    (void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct gw_cors *cors[3];
    struct req r = {{0}, 0};
    char *copy, *p;
    struct gw_sec_request view = {0};
    struct gw_sec_response out = {sink, sink, NULL};
    struct gw_sec_log log = {log_sink, NULL};
    struct gw_sec_answer ans;
    struct gw_cors *c;

    if (!cors[0]) {
        for (int i = 0; i < 3; i++) {
            json_t *v = json_loads(configs[i], 0, NULL);
            struct cmn_err err;
            gw_cors_new(v, "fuzz", &cors[i], NULL, &err);
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
    for (p = copy; r.n < MAX_FIELDS;) {
        char *nl = strchr(p, '\n');
        r.fields[r.n++] = p;
        if (!nl)
            break;
        *nl = '\0';
        p = nl + 1;
    }
    view.method = r.fields[0];
    view.host = "";
    view.path = "/";
    view.query = "";
    view.scheme = "";
    view.header = header;
    view.ctx = &r;
    gw_sec_answer_init(&ans);
    gw_cors_handle(c, &view, &out, &log, NULL, &ans);
    gw_sec_answer_free(&ans);
    if (r.n > 1)
        gw_cors_origin_allowed(c, r.fields[1], strlen(r.fields[1]));
    if (r.n > 4)
        gw_cors_headers_accepted(c, r.fields + 4, r.n - 4);
    free(copy);
    return 0;
}
