/* mbt_util.c - request builders and response accessors shared by the mock-backend tests. */
#include "mbt_util.h"

#include "cmn_str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *keep(struct mbt_req *t, char *s)
{
    t->owned[t->n_owned++] = s;
    return s;
}

void mbt_req_init(struct mbt_req *t, const char *method, const char *target,
                  const char *const *headers, const char *body)
{
    const char *q = strchr(target, '?');
    struct cmn_http_request *r = &t->req;

    memset(t, 0, sizeof(*t));
    r->method = method;
    r->target = target;
    r->path = q ? keep(t, cmn_strndup(target, (size_t)(q - target))) : target;
    r->query = q ? q + 1 : "";
    r->has_query = q != NULL;
    r->version = "HTTP/1.1";
    for (size_t i = 0; headers && headers[i] && i < MBT_MAX_HEADERS; i++) {
        const char *colon = strchr(headers[i], ':');
        const char *v = colon + 1;
        while (*v == ' ')
            v++;
        t->kv[i].name = keep(t, cmn_strndup(headers[i], (size_t)(colon - headers[i])));
        t->kv[i].value = keep(t, strdup(v));
        r->n_headers++;
    }
    r->headers = t->kv;
    r->body = body ? body : "";
    r->body_len = body ? strlen(body) : 0;
    r->has_body = body != NULL;
    r->remote_ip = "127.0.0.1";
    r->remote_port = 40000;
}

void mbt_req_free(struct mbt_req *t)
{
    for (size_t i = 0; i < t->n_owned; i++)
        free(t->owned[i]);
    t->n_owned = 0;
}

const char *mbt_resp_header(const struct cmn_http_response *r, const char *name)
{
    for (size_t i = 0; i < r->n_headers; i++) {
        if (cmn_str_eq_nocase(r->headers[i].name, name))
            return r->headers[i].value;
    }
    return NULL;
}

size_t mbt_resp_header_count(const struct cmn_http_response *r, const char *name)
{
    size_t n = 0;

    for (size_t i = 0; i < r->n_headers; i++)
        n += cmn_str_eq_nocase(r->headers[i].name, name);
    return n;
}

const char *mbt_body(const struct cmn_http_response *r)
{
    return r->body ? r->body : "";
}
