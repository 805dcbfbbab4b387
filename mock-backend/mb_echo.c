/* mb_echo.c - the request echo tests use to see what a gateway forwarded. */
#include "mb_echo.h"

#include "cmn_b64.h"
#include "cmn_buf.h"
#include "mb_gohttp.h"
#include "mb_gojson.h"

#include <stdlib.h>
#include <string.h>

#define PREFIX "/__echo"
#define MAX_PAIRS 10000
#define MAX_OUT (32u * 1024 * 1024)

bool mb_echo_owns(const char *path)
{
    size_t n = strlen(PREFIX);

    return strncmp(path, PREFIX, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static void member(struct mb_jw *w, const char *name, const char *value)
{
    mb_jw_raw(w, ",");
    mb_jw_cstr(w, name);
    mb_jw_raw(w, ":");
    mb_jw_cstr(w, value);
}

/* "body" always (invalid UTF-8 shown as U+FFFD); "body_base64" too when the body is not
 * valid UTF-8, so binary bodies can be checked exactly. */
static bool body_members(struct mb_jw *w, const struct cmn_http_request *req)
{
    const char *body = req->body ? req->body : "";
    char *b64;

    mb_jw_raw(w, "\"body\":");
    mb_jw_str(w, body, req->body_len);
    if (mb_utf8_valid(body, req->body_len))
        return true;
    b64 = malloc(cmn_b64_encoded_len(req->body_len) + 1);
    if (!b64)
        return false;
    cmn_b64_encode(body, req->body_len, b64);
    member(w, "body_base64", b64);
    free(b64);
    return true;
}

static void raw_headers(struct mb_jw *w, const struct cmn_http_request *req)
{
    mb_jw_raw(w, ",\"raw_headers\":[");
    for (size_t i = 0; i < req->n_headers; i++) {
        mb_jw_raw(w, i ? ",[" : "[");
        mb_jw_cstr(w, req->headers[i].name);
        mb_jw_raw(w, ",");
        mb_jw_cstr(w, req->headers[i].value);
        mb_jw_raw(w, "]");
    }
    mb_jw_raw(w, "]");
}

struct cmn_http_response *mb_echo_handle(const struct cmn_http_request *req)
{
    struct mb_mmap hdr, q;
    struct cmn_buf b;
    struct mb_jw w;
    struct cmn_http_response *r = NULL;
    size_t len;
    char *text;

    mb_mmap_init(&hdr, MAX_PAIRS);
    mb_mmap_init(&q, MAX_PAIRS);
    cmn_buf_init(&b, MAX_OUT);
    for (size_t i = 0; i < req->n_headers; i++) {
        char *k = mb_go_canonical_key(req->headers[i].name);
        bool ok = k && mb_mmap_add(&hdr, k, strlen(k), req->headers[i].value,
                                   strlen(req->headers[i].value));
        free(k);
        if (!ok)
            goto out;
    }
    if (!mb_go_parse_query(req->query, &q, false))
        goto out;
    mb_mmap_sort(&hdr);
    mb_mmap_sort(&q);
    mb_jw_init(&w, &b, false);
    mb_jw_raw(&w, "{");
    if (!body_members(&w, req))
        goto out;
    mb_jw_raw(&w, ",\"headers\":");
    mb_jw_mmap(&w, &hdr);
    member(&w, "method", req->method);
    member(&w, "path", req->path);
    mb_jw_raw(&w, ",\"query\":");
    mb_jw_mmap(&w, &q);
    raw_headers(&w, req);
    member(&w, "raw_query", req->query);
    member(&w, "remote_addr", req->remote_ip ? req->remote_ip : "");
    member(&w, "target", req->target);
    member(&w, "version", req->version ? req->version : "");
    mb_jw_raw(&w, "}\n");
    if (w.failed)
        goto out;
    text = cmn_buf_take(&b, &len);
    r = text ? cmn_http_response_new(200) : NULL;
    if (!r) {
        free(text);
        goto out;
    }
    cmn_http_response_take_body(r, text, len);
    if (!cmn_http_response_add_header(r, "Content-Type", "application/json")) {
        cmn_http_response_destroy(r);
        r = NULL;
    }
out:
    mb_mmap_free(&hdr);
    mb_mmap_free(&q);
    cmn_buf_free(&b);
    return r;
}
