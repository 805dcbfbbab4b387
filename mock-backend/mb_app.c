/* mb_app.c - fault headers and route dispatch for mock-backend. */
#include "mb_app.h"

#include "cmn_http_field.h"
#include "cmn_str.h"
#include "mb_api.h"
#include "mb_ce.h"
#include "mb_echo.h"
#include "mb_files.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "Name: value" with a valid field name and value. */
static bool header_fault_ok(const char *v)
{
    const char *colon = strchr(v, ':'), *val;

    if (!colon || colon - v >= 128 || !cmn_http_field_name_ok(v, (size_t)(colon - v)))
        return false;
    for (val = colon + 1; *val == ' ' || *val == '\t'; val++)
        ;
    return cmn_http_field_value_ok_str(val);
}

/* Every X-Mock-Header line: a header the answer gets (Cache-Control, ETag ...). */
static bool parse_headers(const struct cmn_http_request *req, struct mb_faults *f, char msg[128])
{
    for (size_t i = 0; i < req->n_headers; i++) {
        if (!cmn_str_eq_nocase(req->headers[i].name, "X-Mock-Header"))
            continue;
        if (f->n_headers >= MB_FAULT_HEADERS_MAX || !header_fault_ok(req->headers[i].value)) {
            snprintf(msg, 128, "X-Mock-Header must be \"Name: value\", at most %d of them",
                     MB_FAULT_HEADERS_MAX);
            return false;
        }
        f->headers[f->n_headers++] = req->headers[i].value;
    }
    return true;
}

bool mb_faults_parse(const struct cmn_http_request *req, struct mb_faults *f, char msg[128])
{
    const char *v;
    long long n;

    memset(f, 0, sizeof(*f));
    v = cmn_http_request_header(req, "X-Mock-Delay-Ms");
    if (v) {
        if (!cmn_parse_ll(v, 0, MB_FAULT_DELAY_MAX_MS, &n) || v[0] == '+' || v[0] == ' ') {
            snprintf(msg, 128, "X-Mock-Delay-Ms must be an integer from 0 to %u",
                     MB_FAULT_DELAY_MAX_MS);
            return false;
        }
        f->delay_ms = (unsigned)n;
    }
    v = cmn_http_request_header(req, "X-Mock-Status");
    if (v) {
        if (!cmn_parse_ll(v, 200, 999, &n) || v[0] == '+' || v[0] == ' ') {
            snprintf(msg, 128, "X-Mock-Status must be an integer from 200 to 999");
            return false;
        }
        f->status = (unsigned)n;
    }
    v = cmn_http_request_header(req, "X-Mock-Close");
    if (v) {
        if (strcmp(v, "1") == 0 || cmn_str_eq_nocase(v, "true")) {
            f->close = true;
        } else if (!(strcmp(v, "0") == 0 || cmn_str_eq_nocase(v, "false"))) {
            snprintf(msg, 128, "X-Mock-Close must be 1 or 0");
            return false;
        }
    }
    f->body = cmn_http_request_header(req, "X-Mock-Body");
    f->content_type = cmn_http_request_header(req, "X-Mock-Content-Type");
    return parse_headers(req, f, msg);
}

int mb_app_init(struct mb_app *app, const struct mb_app_opts *opts, struct cmn_err *err)
{
    memset(app, 0, sizeof(*app));
    app->items = mb_items_new(&opts->items);
    if (!app->items)
        return cmn_err_set(err, 1, "out of memory");
    app->ce_delay_ms = opts->ce_delay_ms ? opts->ce_delay_ms : MB_CE_DELAY_DEFAULT_MS;
    app->files_dir = opts->files_dir;
    return 0;
}

void mb_app_free(struct mb_app *app)
{
    if (!app)
        return;
    mb_items_destroy(app->items);
    app->items = NULL;
}

/* Replaces every Content-Type of r by one with value ct. */
static bool set_content_type(struct cmn_http_response *r, const char *ct)
{
    cmn_http_response_del_header(r, "Content-Type");
    return cmn_http_response_add_header(r, "Content-Type", ct);
}

static bool apply_faults(struct cmn_http_response *r, const struct mb_faults *f)
{
    if (f->status)
        r->status = f->status;
    if (f->body && !cmn_http_response_set_body(r, f->body, strlen(f->body)))
        return false;
    if (f->content_type && !set_content_type(r, f->content_type))
        return false;
    for (size_t i = 0; i < f->n_headers; i++) {
        const char *colon = strchr(f->headers[i], ':'), *val = colon + 1;
        char name[128];

        while (*val == ' ' || *val == '\t')
            val++;
        snprintf(name, sizeof(name), "%.*s", (int)(colon - f->headers[i]), f->headers[i]);
        if (!cmn_http_response_add_header(r, name, val))
            return false;
    }
    if (f->close)
        r->abort = true;
    return true;
}

void mb_app_handle(struct mb_app *app, const struct cmn_http_request *req, struct mb_reply *out)
{
    struct mb_faults f;
    char msg[128];
    unsigned route_delay = 0;

    out->resp = NULL;
    out->delay_ms = 0;
    if (!mb_faults_parse(req, &f, msg)) {
        out->resp = mb_api_error(400, msg);
        return;
    }
    if (mb_api_owns(req->path))
        out->resp = mb_api_handle(app->items, req);
    else if (mb_echo_owns(req->path))
        out->resp = mb_echo_handle(req);
    else if (mb_files_owns(req->path))
        out->resp = mb_files_handle(app->files_dir, req, &route_delay);
    else
        out->resp = mb_ce_handle(req, app->ce_delay_ms, &route_delay);
    if (out->resp && !apply_faults(out->resp, &f)) {
        cmn_http_response_destroy(out->resp);
        out->resp = NULL;
    }
    out->delay_ms = f.delay_ms + route_delay;
}
