/* gw_message.h - the messages that cross the gateway, shared by the router, the proxy and the
 * backend client: the incoming request, one backend request, and what a backend answered. */
#ifndef GW_MESSAGE_H
#define GW_MESSAGE_H

#include "cmn_go_net.h"
#include "gw_hdrs.h"

#include <stdbool.h>
#include <stddef.h>

/* Looks a claim up as text for a {JWT.<name>} placeholder: writes it into buf (NUL-terminated)
 * and returns buf, or returns NULL when the claim is absent (the placeholder then stays). */
typedef const char *(*gw_auth_claim_fn)(void *claims_ctx, const char *name, char *buf,
                                        size_t buf_size);

/* A named path parameter of the incoming request. */
struct gw_reqparam {
    char *name;
    char *value;
};

/* Request-scoped values (Go's context.WithValue): what a router middleware hands to the proxy's
 * stages (gw_pstage.h) and backend stages of the same request, such as the telemetry's trace
 * context. Allocated by the first gw_inreq_set_value: a request no module tags carries only a
 * NULL pointer (the proxy's per-call allocation stays in its allocator size class). */
#define GW_INREQ_VALUES 4
struct gw_inreq_values;

/* The incoming request as the proxy sees it (owned strings). */
struct gw_inreq {
    char *method;
    char *path;             /* decoded URL path */
    char *raw_query;        /* after '?', "" when none */
    struct gw_hdrs headers; /* canonical names, arrival order, Host excluded */
    char *host;             /* Host header */
    char *client_ip;        /* gin's ClientIP */
    char *body;
    size_t body_len;
    struct gw_reqparam *params;
    size_t n_params;
    char *strs;       /* when set: the one block method, path, raw_query, host, client_ip and body
                       * live in (freed at once); else each is its own allocation */
    void *claims_ctx; /* from the auth step, may be NULL; freed with the request */
    gw_auth_claim_fn claim;
    void (*claims_free)(void *claims_ctx);
    struct gw_inreq_values *values; /* NULL until a value is set; freed with the request */
};

void gw_inreq_free(struct gw_inreq *r);
/* Sets the value under key (the address of something the module owns: unique, never NULL;
 * value borrowed: the setter keeps it alive until the request is answered), replacing one set
 * before; false when GW_INREQ_VALUES keys are already in use or memory ran out. Values are read
 * on the request's own threads (the proxy's loop), which the router hands the request to, so no
 * lock is needed. */
bool gw_inreq_set_value(struct gw_inreq *r, const void *key, void *value);
/* The value under key, or NULL. */
void *gw_inreq_value(const struct gw_inreq *r, const void *key);
/* Gives method, path, raw_query, host, client_ip and body each its own allocation (when they
 * share r->strs), so that one of them can be replaced (free the old, set a malloc'ed new one).
 * false on allocation failure (r unchanged). */
bool gw_inreq_own_strings(struct gw_inreq *r);

/* One request to a backend (owned strings). */
struct gw_outreq {
    char *method;
    char *url;
    struct gw_hdrs headers; /* to send, without Host/Content-Length/Transfer-Encoding */
    const char *body;       /* borrowed from the inreq */
    size_t body_len;
    bool content_length; /* Content-Length was forwarded: send it instead of chunking */
    bool accept_gzip;    /* no Accept-Encoding forwarded: ask for gzip and decode it */
    char *host;          /* the Host to send (Go's Request.Host), NULL: the URL's (martian) */
};

void gw_outreq_free(struct gw_outreq *o);
/* A copy of src into *dst (the body stays borrowed); false on allocation failure (dst empty). */
bool gw_outreq_copy(struct gw_outreq *dst, const struct gw_outreq *src);

/* gin's client-IP settings: router forwarded_by_client_ip, remote_ip_headers, trusted_proxies. */
struct gw_client_ip_rules {
    bool forwarded;             /* forwarded_by_client_ip (gin's default: true) */
    const char *const *headers; /* canonical names, in order (gin's default: X-Forwarded-For,
                                 * X-Real-Ip) */
    size_t n_headers;
    const struct cmn_go_ipnet *trusted; /* trusted proxies (gin's default: 0.0.0.0/0, ::/0) */
    size_t n_trusted;
};

/* The i-th field of a request as received (name as sent, value); false past the last. */
typedef bool (*gw_field_at_fn)(const void *ctx, size_t i, const char **name, const char **value);

/* gin's Context.ClientIP: when the peer (remote_ip) is a trusted proxy and `forwarded` is on,
 * the first header of the list whose values, joined with commas and walked from the right,
 * yield an IP: the first item that is not a trusted proxy, or the left-most one (an item that
 * is no IP rejects the header); else the peer. "" when the peer is no IP. Writes into out;
 * reads the fields through field_at (ctx is its argument). */
void gw_client_ip(const struct gw_client_ip_rules *r, const char *remote_ip,
                  gw_field_at_fn field_at, const void *ctx, char *out, size_t out_size);

/* gin's defaults: every proxy trusted, X-Forwarded-For then X-Real-Ip. Static storage. */
const struct gw_client_ip_rules *gw_client_ip_defaults(void);

/* What the HTTP client brought back from one backend call (owned fields). */
struct gw_fetch_result {
    long status;            /* 0 when the transport failed */
    struct gw_hdrs headers; /* response headers, canonical names */
    char *body;
    size_t body_len;
    char *url;   /* the URL of the final hop */
    char *error; /* transport error ("context deadline exceeded", ...) or NULL */
};

void gw_fetch_result_free(struct gw_fetch_result *r);

#endif
