/* gw_message.h - the messages that cross the gateway, shared by the router, the proxy and the
 * backend client: the incoming request, one backend request, and what a backend answered. */
#ifndef GW_MESSAGE_H
#define GW_MESSAGE_H

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
 * pipe and backend stages of the same request, such as the telemetry's trace context. */
#define GW_INREQ_VALUES 4

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
    struct {
        const void *key; /* the address of something the module owns: unique, never NULL */
        void *value;     /* borrowed: the setter keeps it alive until the request is answered */
    } values[GW_INREQ_VALUES];
    size_t n_values;
};

void gw_inreq_free(struct gw_inreq *r);
/* Sets the value under key (replacing one set before); false when GW_INREQ_VALUES keys are
 * already in use. Values are read on the request's own threads (the proxy's loop), which the
 * router hands the request to, so no lock is needed. */
bool gw_inreq_set_value(struct gw_inreq *r, const void *key, void *value);
/* The value under key, or NULL. */
void *gw_inreq_value(const struct gw_inreq *r, const void *key);

/* One request to a backend (owned strings). */
struct gw_outreq {
    char *method;
    char *url;
    struct gw_hdrs headers; /* to send, without Host/Content-Length/Transfer-Encoding */
    const char *body;       /* borrowed from the inreq */
    size_t body_len;
    bool content_length; /* Content-Length was forwarded: send it instead of chunking */
    bool accept_gzip;    /* no Accept-Encoding forwarded: ask for gzip and decode it */
};

void gw_outreq_free(struct gw_outreq *o);
/* A copy of src into *dst (the body stays borrowed); false on allocation failure (dst empty). */
bool gw_outreq_copy(struct gw_outreq *dst, const struct gw_outreq *src);

/* gin's ClientIP with all proxies trusted, from the first X-Forwarded-For and X-Real-IP values
 * (NULL when absent): the left-most IP of X-Forwarded-For when every entry parses as an IP, else
 * X-Real-IP likewise, else remote_ip. Writes into out. */
void gw_client_ip_of(const char *xff, const char *x_real_ip, const char *remote_ip, char *out,
                     size_t out_size);

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
