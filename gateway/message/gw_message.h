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
};

void gw_inreq_free(struct gw_inreq *r);

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
