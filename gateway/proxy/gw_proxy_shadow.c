/* gw_proxy_shadow.c - what a shadow call needs of the client's request (Lura's CloneRequest):
 * its own deep copy, so that it outlives the client's answer, with the claims shared. */
#include "gw_proxy_int.h"

#include "cmn_str.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* The validator's claims, shared by the client's call and the shadow call: the last request
 * freed frees them. */
struct shared_claims {
    atomic_uint refs;
    void *ctx;
    gw_auth_claim_fn claim;
    void (*free)(void *ctx);
};

static const char *shared_claim(void *ctx, const char *name, char *buf, size_t buf_size)
{
    struct shared_claims *s = ctx;

    return s->claim(s->ctx, name, buf, buf_size);
}

static void shared_free(void *ctx)
{
    struct shared_claims *s = ctx;

    if (atomic_fetch_sub(&s->refs, 1) != 1)
        return;
    if (s->free)
        s->free(s->ctx);
    free(s);
}

static char *dup_or_empty(const char *s)
{
    return strdup(s ? s : "");
}

bool shadow_inreq_dup(struct gw_inreq *src, struct gw_inreq *dst)
{
    memset(dst, 0, sizeof(*dst));
    gw_hdrs_init(&dst->headers, src->headers.max);
    dst->method = dup_or_empty(src->method);
    dst->path = dup_or_empty(src->path);
    dst->raw_query = dup_or_empty(src->raw_query);
    dst->host = dup_or_empty(src->host);
    dst->client_ip = dup_or_empty(src->client_ip);
    if (!dst->method || !dst->path || !dst->raw_query || !dst->host || !dst->client_ip)
        goto fail;
    if (src->body_len && !(dst->body = cmn_strndup(src->body, src->body_len)))
        goto fail;
    dst->body_len = src->body_len;
    for (size_t i = 0; i < src->headers.n; i++) {
        if (!gw_hdrs_add(&dst->headers, src->headers.v[i].name, src->headers.v[i].value))
            goto fail;
    }
    if (src->n_params && !(dst->params = calloc(src->n_params, sizeof(*dst->params))))
        goto fail;
    for (size_t i = 0; i < src->n_params; i++) {
        dst->params[i].name = strdup(src->params[i].name);
        dst->params[i].value = strdup(src->params[i].value);
        dst->n_params++;
        if (!dst->params[i].name || !dst->params[i].value)
            goto fail;
    }
    if (src->claims_ctx && src->claim) {
        struct shared_claims *s;
        if (src->claims_free != shared_free) { /* first copy: wrap the client's claims */
            if (!(s = malloc(sizeof(*s))))
                goto fail;
            atomic_init(&s->refs, 1);
            s->ctx = src->claims_ctx;
            s->claim = src->claim;
            s->free = src->claims_free;
            src->claims_ctx = s;
            src->claim = shared_claim;
            src->claims_free = shared_free;
        }
        s = src->claims_ctx;
        atomic_fetch_add(&s->refs, 1);
        dst->claims_ctx = s;
        dst->claim = shared_claim;
        dst->claims_free = shared_free;
    }
    return true;
fail:
    gw_inreq_free(dst);
    return false;
}
