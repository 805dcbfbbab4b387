/* gw_martian_mod.c - what each martian modifier does to the backend request and to its answer
 * (../shared/spec/krakend-config-transform.md §3.4), as google/martian at 25dcb96 and
 * krakend-martian's header.Id and static.Modifier do it. */
#include "gw_martian_int.h"

#include "cmn_file.h"
#include "cmn_go_url.h"
#include "cmn_go_values.h"
#include "cmn_rand.h"
#include "cmn_str.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int gw_mart_ref_request(const struct gw_mart_ref *r, struct gw_mart_req *req, struct cmn_err *err)
{
    return r->node && r->req ? gw_mart_request(r->node, req, err) : 0;
}

int gw_mart_ref_response(const struct gw_mart_ref *r, struct gw_mart_res *res, struct cmn_err *err)
{
    return r->node && r->res ? gw_mart_response(r->node, res, err) : 0;
}

static int nomem(struct cmn_err *err)
{
    cmn_err_set(err, 1, "out of memory");
    return -1;
}

static int need_url(struct gw_mart_req *req, struct cmn_err *err)
{
    if (gw_mart_url(req))
        return 0;
    return cmn_err_set(err, 1, "martian: the backend URL cannot be read"), -1;
}

static int replace(char **field, const char *v, struct cmn_err *err)
{
    char *c = strdup(v);

    if (!c)
        return nomem(err);
    free(*field);
    *field = c;
    return 0;
}

/* header.Copy: to = the first value of from ("" when absent). */
static int copy_header(struct gw_mart_req *req, struct gw_mart_res *res,
                       const struct gw_mart_node *n, struct cmn_err *err)
{
    char buf[32];
    char *v = strdup(gw_mart_hdr_get(req, res, n->from, buf, sizeof(buf)));
    int rc;

    if (!v)
        return nomem(err);
    rc = gw_mart_hdr_set(req, res, n->to, v, err);
    free(v);
    return rc;
}

/* url.Modifier: each part set when non-empty; Host stays (Go's Request.Host). */
static int url_modify(const struct gw_mart_node *n, struct gw_mart_req *req, struct cmn_err *err)
{
    if (need_url(req, err))
        return -1;
    if (n->scheme[0] && replace(&req->scheme, n->scheme, err))
        return -1;
    if (n->host[0] && replace(&req->host, n->host, err))
        return -1;
    if (n->path[0]) {
        struct cmn_buf b;
        cmn_buf_init(&b, 1024 * 1024);
        if (replace(&req->path, n->path, err) ||
            !cmn_go_path_escape(n->path, strlen(n->path), &b)) {
            cmn_buf_free(&b);
            return nomem(err);
        }
        free(req->raw_path);
        req->raw_path = cmn_buf_take(&b, NULL);
        if (!req->raw_path)
            return nomem(err);
    }
    if (n->query[0] && replace(&req->raw_query, n->query, err))
        return -1;
    req->url_dirty = true;
    return 0;
}

/* net.JoinHostPort. */
static void join_host_port(const char *host, const char *port, char *out, size_t size)
{
    snprintf(out, size, strchr(host, ':') ? "[%s]:%s" : "%s:%s", host, port);
}

/* port.Modifier. Go also writes a "Host" entry into the header map, which its client ignores:
 * the Host sent stays Request.Host. */
static int port_modify(const struct gw_mart_node *n, struct gw_mart_req *req, struct cmn_err *err)
{
    char host[512], hp[600], num[24];

    if (need_url(req, err))
        return -1;
    snprintf(host, sizeof(host), "%s", req->host);
    if (strchr(host, ':') && !gw_mart_split_host_port(req->host, host, sizeof(host), NULL, 0, err))
        return -1;
    if (n->remove) {
        snprintf(hp, sizeof(hp), "%s", host);
    } else if (n->default_for_scheme) {
        if (strcmp(req->scheme, "http") == 0)
            join_host_port(host, "80", hp, sizeof(hp));
        else if (strcmp(req->scheme, "https") == 0)
            join_host_port(host, "443", hp, sizeof(hp));
        else
            return 0;
    } else {
        snprintf(num, sizeof(num), "%lld", n->port);
        join_host_port(host, num, hp, sizeof(hp));
    }
    req->url_dirty = true;
    return replace(&req->host, hp, err);
}

static int query_modify(const struct gw_mart_node *n, struct gw_mart_req *req, struct cmn_err *err)
{
    struct cmn_go_values q;
    struct cmn_buf b;
    bool ok;

    if (need_url(req, err))
        return -1;
    cmn_go_values_init(&q, 4096);
    cmn_buf_init(&b, 1024 * 1024);
    ok = cmn_go_values_parse(&q, req->raw_query, strlen(req->raw_query)) &&
         cmn_go_values_set(&q, n->name, n->value) && cmn_go_values_encode(&q, &b);
    cmn_go_values_free(&q);
    if (ok) {
        free(req->raw_query);
        req->raw_query = cmn_buf_take(&b, NULL);
        ok = req->raw_query != NULL;
    }
    cmn_buf_free(&b);
    req->url_dirty = true;
    return ok ? 0 : nomem(err);
}

/* header.Id: a random version 4 UUID, unless the header has a value. */
static int id_modify(const struct gw_mart_node *n, struct gw_mart_req *req, struct cmn_err *err)
{
    unsigned char u[16];
    char s[37];
    const char *v = gw_hdrs_get(&req->o->headers, n->name);

    if (v && v[0])
        return 0;
    if (!cmn_rand_bytes(u, sizeof(u)))
        return cmn_err_set(err, 1, "martian: no random bytes for header.Id"), -1;
    u[6] = (unsigned char)((u[6] & 0x0f) | 0x40);
    u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);
    snprintf(s, sizeof(s), "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
             u[14], u[15]);
    return gw_hdrs_set(&req->o->headers, n->name, s) ? 0 : nomem(err);
}

static int body_request(const struct gw_mart_node *n, struct gw_mart_req *req, struct cmn_err *err)
{
    char *b = malloc(n->body_len + 1);

    if (!b)
        return nomem(err);
    if (n->body_len)
        memcpy(b, n->body, n->body_len);
    b[n->body_len] = '\0';
    free(req->body);
    req->body = b;
    req->body_len = n->body_len;
    if (!gw_hdrs_set(&req->o->headers, "Content-Type", n->content_type))
        return nomem(err);
    gw_hdrs_del(&req->o->headers, "Content-Encoding");
    req->cl = (long long)n->body_len;
    req->cl_dirty = true;
    return 0;
}

static int set_response_body(struct gw_fetch_result *r, const char *data, size_t len,
                             struct cmn_err *err)
{
    char *b = malloc(len + 1);

    if (!b)
        return nomem(err);
    if (len)
        memcpy(b, data, len);
    b[len] = '\0';
    free(r->body);
    r->body = b;
    r->body_len = len;
    return 0;
}

static const char *request_header(struct gw_mart_res *res, const char *name)
{
    const char *v = res->req ? gw_hdrs_get(&res->req->o->headers, name) : NULL;

    return v ? v : "";
}

static int body_response(const struct gw_mart_node *n, struct gw_mart_res *res, struct cmn_err *err)
{
    const char *range = request_header(res, "Range");

    if (!gw_hdrs_set(&res->r->headers, "Content-Type", n->content_type))
        return nomem(err);
    gw_hdrs_del(&res->r->headers, "Content-Encoding");
    if (!range[0])
        return set_response_body(res->r, n->body, n->body_len, err);
    return gw_mart_range(res->r, range, n->body ? n->body : "", n->body_len, n->content_type,
                         n->boundary, err);
}

/* static.Modifier's answer: the file at rootPath + the request's path (or its mapping). */
static int static_response(const struct gw_mart_node *n, struct gw_mart_res *res,
                           struct cmn_err *err)
{
    struct cmn_buf rp, fp;
    const char *req_path = res->req && gw_mart_url(res->req) ? res->req->path : "/";
    const char *range = request_header(res, "Range");
    char *data = NULL;
    size_t len = 0;
    int sys = 0, rc = 0;
    enum cmn_file_status st;

    cmn_buf_init(&rp, 64 * 1024);
    cmn_buf_init(&fp, 64 * 1024);
    gw_mart_clean_path(req_path, &rp);
    const char *mapped = NULL;
    for (size_t i = 0; i < n->n_map; i++) {
        if (strcmp(n->map_from[i], cmn_buf_str(&rp)) == 0)
            mapped = n->map_to[i];
    }
    { /* filepath.Join(root, path): joined, then cleaned */
        struct cmn_buf j;
        cmn_buf_init(&j, 64 * 1024);
        cmn_buf_printf(&j, "%s/%s", n->root, mapped ? mapped : cmn_buf_str(&rp));
        gw_mart_clean_path(cmn_buf_str(&j), &fp);
        cmn_buf_free(&j);
    }
    st = cmn_file_read(cmn_buf_str(&fp), GW_MART_FILE_MAX, 0, &data, &len, &sys);
    switch (st) {
    case CMN_FILE_OK:
        break;
    case CMN_FILE_MISSING:
        res->r->status = 404;
        goto out;
    case CMN_FILE_OPEN:
        res->r->status = sys == EACCES || sys == EPERM ? 401 : 500;
        cmn_err_set(err, 1, "open %s: %s", cmn_buf_str(&fp), strerror(sys));
        rc = -1;
        goto out;
    case CMN_FILE_NOT_REGULAR:
        res->r->status = 500;
        cmn_err_set(err, 1, "read %s: is a directory", cmn_buf_str(&fp));
        rc = -1;
        goto out;
    case CMN_FILE_TOO_BIG:
        res->r->status = 500;
        cmn_err_set(err, 1, "read %s: larger than %u bytes", cmn_buf_str(&fp), GW_MART_FILE_MAX);
        rc = -1;
        goto out;
    default:
        res->r->status = 500;
        cmn_err_set(err, 1, "read %s: %s", cmn_buf_str(&fp), sys ? strerror(sys) : "error");
        rc = -1;
        goto out;
    }
    const char *ct = gw_mart_mime_type(cmn_buf_str(&fp));
    if (!gw_hdrs_set(&res->r->headers, "Content-Type", ct)) {
        rc = nomem(err);
        goto out;
    }
    if (!range[0]) {
        free(res->r->body);
        res->r->body = data;
        res->r->body_len = len;
        data = NULL;
    } else {
        unsigned char rnd[30];
        char boundary[61];
        if (!cmn_rand_bytes(rnd, sizeof(rnd))) {
            rc = nomem(err);
            goto out;
        }
        for (size_t i = 0; i < sizeof(rnd); i++)
            snprintf(boundary + 2 * i, 3, "%02x", rnd[i]);
        rc = gw_mart_range(res->r, range, data, len, ct, boundary, err);
    }
out:
    free(data);
    cmn_buf_free(&rp);
    cmn_buf_free(&fp);
    return rc;
}

int gw_mart_request(const struct gw_mart_node *n, struct gw_mart_req *req, struct cmn_err *err)
{
    struct cmn_buf b;
    int rc;

    switch (n->kind) {
    case GW_MART_HEADER_SET:
        return gw_mart_hdr_set(req, NULL, n->name, n->value, err);
    case GW_MART_HEADER_APPEND:
        return gw_mart_hdr_add(req, NULL, n->name, n->value, err);
    case GW_MART_HEADER_DELETE:
        for (size_t i = 0; i < n->n_names; i++)
            gw_mart_hdr_del(req, NULL, n->names[i]);
        return 0;
    case GW_MART_HEADER_COPY:
        return copy_header(req, NULL, n, err);
    case GW_MART_HEADER_ID:
        return id_modify(n, req, err);
    case GW_MART_HEADER_VERIFY:
        return 0; /* records failures that KrakenD never reads */
    case GW_MART_URL:
        return url_modify(n, req, err);
    case GW_MART_PORT:
        return port_modify(n, req, err);
    case GW_MART_QUERY:
        return query_modify(n, req, err);
    case GW_MART_COOKIE:
        return gw_mart_add_cookie(req, n->cookie) ? 0 : nomem(err);
    case GW_MART_BODY:
        return body_request(n, req, err);
    case GW_MART_STASH:
        cmn_buf_init(&b, 1024 * 1024);
        rc = gw_mart_url_string(req, &b) && gw_hdrs_set(&req->o->headers, n->name, cmn_buf_str(&b))
                 ? 0
                 : nomem(err);
        cmn_buf_free(&b);
        return rc;
    case GW_MART_STATIC:
        req->skip = true; /* KrakenD's: no round trip, and https downgraded to http */
        if (need_url(req, err))
            return -1;
        if (strcmp(req->scheme, "https") == 0) {
            req->url_dirty = true;
            return replace(&req->scheme, "http", err);
        }
        return 0;
    case GW_MART_STATUS:
        return 0;
    default:
        return gw_mart_filter_request(n, req, err);
    }
}

int gw_mart_response(const struct gw_mart_node *n, struct gw_mart_res *res, struct cmn_err *err)
{
    const char *v;

    switch (n->kind) {
    case GW_MART_HEADER_SET:
        return gw_mart_hdr_set(NULL, res, n->name, n->value, err);
    case GW_MART_HEADER_APPEND:
        return gw_mart_hdr_add(NULL, res, n->name, n->value, err);
    case GW_MART_HEADER_DELETE:
        for (size_t i = 0; i < n->n_names; i++)
            gw_mart_hdr_del(NULL, res, n->names[i]);
        return 0;
    case GW_MART_HEADER_COPY:
        return copy_header(NULL, res, n, err);
    case GW_MART_COOKIE:
        return gw_hdrs_add(&res->r->headers, "Set-Cookie", n->set_cookie) ? 0 : nomem(err);
    case GW_MART_BODY:
        return body_response(n, res, err);
    case GW_MART_STASH: /* the request's header, as the request side wrote it */
        v = request_header(res, n->name);
        return gw_hdrs_set(&res->r->headers, n->name, v) ? 0 : nomem(err);
    case GW_MART_STATUS:
        res->r->status = n->status;
        return 0;
    case GW_MART_STATIC:
        return static_response(n, res, err);
    case GW_MART_HEADER_VERIFY:
    case GW_MART_HEADER_ID:
    case GW_MART_URL:
    case GW_MART_PORT:
    case GW_MART_QUERY:
        return 0;
    default:
        return gw_mart_filter_response(n, res, err);
    }
}
