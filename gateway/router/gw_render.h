/* gw_render.h - what the client receives (§2.1, §3.5-§3.8): the endpoint handler's headers,
 * status and output encodings, and the router's own answers (404/405, redirects, the path
 * parameter check, /__health, /__echo/, /__debug/). Pure: builds cmn_http_response values. */
#ifndef GW_RENDER_H
#define GW_RENDER_H

#include "cmn_http.h"
#include "gw_config.h"
#include "gw_message.h"
#include "gw_proxy_response.h"

#include <stdbool.h>
#include <stdint.h>

struct gw_render_opts {
    bool return_error_msg;
    bool hide_version_header;
    const struct gw_json *error_body_404; /* router.error_body, NULL when unset */
    const struct gw_json *error_body_405;
};

/* The endpoint handler: X-Krakend, X-Krakend-Completed, Cache-Control, error status or the
 * output encoding. resp may be NULL; err->n == 0 means no error. accept is the request's first
 * Accept field, read by `negotiate` only (NULL: none). Owned response or NULL. */
struct cmn_http_response *gw_render_endpoint(const struct gw_endpoint *ep,
                                             const struct gw_render_opts *o,
                                             const struct gw_presp *resp,
                                             const struct gw_pipe_err *err, const char *accept);

/* X-Krakend as the router's answers carry it ("Version undefined" with hide_version_header);
 * o may be NULL. A line with static storage. */
const struct cmn_http_line *gw_render_version_line(const struct gw_render_opts *o);

/* gin 404 / 405 through CE's handlers (X-Krakend headers, optional error_body). allow may be
 * NULL for the 404. */
struct cmn_http_response *gw_render_not_found(const struct gw_render_opts *o);
struct cmn_http_response *gw_render_not_allowed(const struct gw_render_opts *o, const char *allow);

/* Go's http.Redirect (gin's redirects, security/http's SSL redirect): Location with non-ASCII
 * bytes as %xx, Content-Type for GET and HEAD, and for GET a small HTML body naming the URL. */
struct cmn_http_response *gw_render_redirect(const char *method, unsigned status,
                                             const char *location);

/* The path-parameter checker's 400 ("error: encoded url params"). */
struct cmn_http_response *gw_render_bad_param(const char *msg);

/* /__health: {"agents":{},"now":"<Go time.Now().String()>","status":"ok"}. now_text is the
 * formatted time (see gw_render_go_now). */
struct cmn_http_response *gw_render_health(const char *now_text);
/* Go's time.Now().String() with the monotonic reading since process start. */
void gw_render_go_now(int64_t unix_ns, int64_t mono_ns_since_start, char *out, size_t out_size);

/* /__debug/: {"message":"pong"}. */
struct cmn_http_response *gw_render_debug(void);

/* /__echo/: the request as JSON (struct field order of Lura's echo handler). */
struct cmn_http_response *gw_render_echo(const struct cmn_http_request *req,
                                         const struct gw_inreq *in);

#endif
