/* gw_martian_int.h - martian's parts (not for other modules): the modifier tree parsed from the
 * configuration (gw_martian_parse.c), the request and response as martian sees them
 * (gw_martian_msg.c), what each modifier, filter and group does to them (gw_martian_mod.c,
 * gw_martian_filter.c). ../shared/spec/krakend-config-transform.md §3. */
#ifndef GW_MARTIAN_INT_H
#define GW_MARTIAN_INT_H

#include "cmn_buf.h"
#include "cmn_err.h"
#include "gw_message.h"

#include <jansson.h>

struct cmn_go_re;
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GW_MART_DEPTH_MAX 32                 /* filters and groups nested in one another */
#define GW_MART_NODES_MAX 4096               /* modifiers in one backend's tree */
#define GW_MART_FILE_MAX (32u * 1024 * 1024) /* static.Modifier: bytes served from one file */

enum gw_mart_kind {
    /* modifiers */
    GW_MART_HEADER_SET = 0, /* header.Modifier */
    GW_MART_HEADER_APPEND,  /* header.Append */
    GW_MART_HEADER_DELETE,  /* header.Blacklist */
    GW_MART_HEADER_COPY,    /* header.Copy */
    GW_MART_HEADER_ID,      /* header.Id (KrakenD's) */
    GW_MART_HEADER_VERIFY,  /* header.Verifier: records failures nobody reads */
    GW_MART_URL,            /* url.Modifier */
    GW_MART_PORT,           /* port.Modifier */
    GW_MART_QUERY,          /* querystring.Modifier */
    GW_MART_COOKIE,         /* cookie.Modifier */
    GW_MART_BODY,           /* body.Modifier */
    GW_MART_STASH,          /* stash.Modifier */
    GW_MART_STATUS,         /* status.Modifier */
    GW_MART_STATIC,         /* static.Modifier (KrakenD's) */
    /* filters */
    GW_MART_F_HEADER,       /* header.Filter */
    GW_MART_F_HEADER_REGEX, /* header.RegexFilter */
    GW_MART_F_QUERY,        /* querystring.Filter */
    GW_MART_F_URL,          /* url.Filter */
    GW_MART_F_URL_REGEX,    /* url.RegexFilter */
    GW_MART_F_COOKIE,       /* cookie.Filter */
    GW_MART_F_PORT,         /* port.Filter */
    /* groups */
    GW_MART_FIFO,     /* fifo.Group */
    GW_MART_PRIORITY, /* priority.Group */
};

struct gw_mart_node;

/* What parse.Result holds: a node, attached in the request and/or the response direction. */
struct gw_mart_ref {
    struct gw_mart_node *node; /* NULL: nothing (a noop) */
    bool req, res;
};

struct gw_mart_node {
    enum gw_mart_kind kind;
    char *name, *value; /* header name/value, cookie name/value, query name/value */
    char *from, *to;    /* header.Copy */
    char **names;       /* header.Blacklist */
    size_t n_names;
    char *scheme, *host, *path, *query; /* url.Modifier / url.Filter */
    long long port;                     /* port.Modifier, port.Filter */
    bool default_for_scheme, remove;    /* port.Modifier */
    char *cookie; /* cookie.Modifier: the Cookie pair ("n=v") and Set-Cookie line, built once */
    char *set_cookie;
    char *body; /* body.Modifier */
    size_t body_len;
    char *content_type;
    char *boundary; /* body.Modifier: its multipart/byteranges boundary (random, per modifier) */
    int status;     /* status.Modifier */
    char *root;     /* static.Modifier: rootPath, cleaned */
    char **map_from, **map_to; /* static.Modifier: explicitPaths */
    size_t n_map;
    struct cmn_go_re *re;         /* regex filters */
    struct gw_mart_ref then, els; /* filters */
    struct gw_mart_ref *items;    /* groups: fifo in order; priority sorted (run order) */
    size_t n_items;
    bool aggregate; /* fifo.Group aggregateErrors */
};

/* The parsed namespace of one backend. */
struct gw_mart_tree {
    struct gw_mart_ref root;
    struct gw_mart_node **all; /* every node, for freeing */
    size_t n_all, cap_all;
    bool needs_request; /* the response side reads the request (filters, stash, Range) */
};

enum gw_mart_parse_status {
    GW_MART_OK = 0,
    GW_MART_CONFIG,  /* martian's own error: KrakenD logs it and runs the backend without */
    GW_MART_REFUSED, /* a header that can never be sent: the gateway refuses the config */
    GW_MART_NOMEM,
};

/* Parses the namespace's value (borrowed) as krakend-martian's ConfigGetter and martian's
 * parse.FromJSON do. GW_MART_OK with *out owned (gw_mart_tree_free), else err set. */
enum gw_mart_parse_status gw_mart_parse(const json_t *ns, struct gw_mart_tree **out,
                                        struct cmn_err *err);
void gw_mart_tree_free(struct gw_mart_tree *t);

/* ---- the messages (gw_martian_msg.c) -------------------------------------------------------- */

/* The backend request as Go's http.Request holds it while martian runs. */
struct gw_mart_req {
    struct gw_outreq *o;
    /* the URL, parsed on first use (Go's URL fields) */
    bool parsed, url_dirty;
    char *scheme, *host, *path, *raw_path, *raw_query;
    char *req_host; /* Request.Host: the original URL's host until something sets it */
    bool host_dirty;
    long long cl; /* Request.ContentLength (Go's, as Lura set it) */
    bool cl_dirty;
    char *te;   /* Request.TransferEncoding (one value) or NULL */
    bool skip;  /* static.Modifier: no round trip */
    char *body; /* body.Modifier's body, owned (o->body points here) */
    size_t body_len;
};

/* A response and the request it answers. */
struct gw_mart_res {
    struct gw_fetch_result *r;
    struct gw_mart_req *req;
};

/* Sets req up over o (borrowed; changed in place by the modifiers). */
void gw_mart_req_init(struct gw_mart_req *req, struct gw_outreq *o);
/* Puts what the modifiers changed back into o: the URL, Host, Content-Length. false with err
 * set (Go's transport error text) when the request can no longer be sent. */
bool gw_mart_req_finish(struct gw_mart_req *req, struct cmn_err *err);
void gw_mart_req_free(struct gw_mart_req *req);
/* A copy that stays valid after o was handed to the backend client (the response side reads
 * the request). false: no memory. */
bool gw_mart_req_snapshot(const struct gw_mart_req *req, struct gw_outreq *copy,
                          struct gw_mart_req *snap);

/* URL fields (parsed on first use); false: no memory. */
bool gw_mart_url(struct gw_mart_req *req);
/* URL.String(): scheme://host + escaped path + ?query, into out. */
bool gw_mart_url_string(struct gw_mart_req *req, struct cmn_buf *out);

/* proxyutil.Header over the request (res false) or the response: Host, Content-Length and
 * Transfer-Encoding live outside the header list, as in Go. 0 or -1 with err set. */
int gw_mart_hdr_set(struct gw_mart_req *req, struct gw_mart_res *res, const char *name,
                    const char *value, struct cmn_err *err);
int gw_mart_hdr_add(struct gw_mart_req *req, struct gw_mart_res *res, const char *name,
                    const char *value, struct cmn_err *err);
void gw_mart_hdr_del(struct gw_mart_req *req, struct gw_mart_res *res, const char *name);
/* Get: the first value ("" when none), into buf (size >= 32) or borrowed. */
const char *gw_mart_hdr_get(struct gw_mart_req *req, struct gw_mart_res *res, const char *name,
                            char *buf, size_t size);
/* All: whether the header exists, and each value through fn (return true to stop). */
bool gw_mart_hdr_any(struct gw_mart_req *req, struct gw_mart_res *res, const char *name,
                     bool (*fn)(const char *v, void *arg), void *arg);

/* Go's cookies: Request.AddCookie, Request.Cookies(), Response.Cookies() as matchers need. */
bool gw_mart_add_cookie(struct gw_mart_req *req, const char *pair);
bool gw_mart_has_cookie(const struct gw_hdrs *h, bool response, const char *name,
                        const char *value);
/* http.Cookie.String() for the cookie.Modifier's fields (owned, "" for an invalid name). */
char *gw_mart_cookie_string(const char *name, const char *value, const char *path,
                            const char *domain, int64_t expires_unix, bool has_expires,
                            long long max_age, bool secure, bool http_only);
/* "name=value" as Request.AddCookie writes it (owned). */
char *gw_mart_cookie_pair(const char *name, const char *value);

/* net.SplitHostPort: the port part into *port (NULL when none is needed: fills host only).
 * false with err set to Go's text ("address x: missing port in address"). */
bool gw_mart_split_host_port(const char *hostport, char *host, size_t host_size, char *port,
                             size_t port_size, struct cmn_err *err);

/* A body's Range answer (body.Modifier, static.Modifier): status, body and headers of r from
 * data as martian builds them. 0, or -1 with err set (a malformed number). */
int gw_mart_range(struct gw_fetch_result *r, const char *range, const char *data, size_t len,
                  const char *content_type, const char *boundary, struct cmn_err *err);
/* Go's path.Clean, appended to out. */
void gw_mart_clean_path(const char *in, struct cmn_buf *out);
/* Go's mime.TypeByExtension for the built-in table ("" when unknown). */
const char *gw_mart_mime_type(const char *path);

/* ---- running (gw_martian_mod.c, gw_martian_filter.c) ----------------------------------------- */

/* A node's request (resp. response) side; 0, or -1 with err set (the backend call fails). */
int gw_mart_request(const struct gw_mart_node *n, struct gw_mart_req *req, struct cmn_err *err);
int gw_mart_response(const struct gw_mart_node *n, struct gw_mart_res *res, struct cmn_err *err);
/* A reference in one direction (noop when not attached there). */
int gw_mart_ref_request(const struct gw_mart_ref *r, struct gw_mart_req *req, struct cmn_err *err);
int gw_mart_ref_response(const struct gw_mart_ref *r, struct gw_mart_res *res, struct cmn_err *err);
/* Filters and groups (gw_martian_filter.c). */
int gw_mart_filter_request(const struct gw_mart_node *n, struct gw_mart_req *req,
                           struct cmn_err *err);
int gw_mart_filter_response(const struct gw_mart_node *n, struct gw_mart_res *res,
                            struct cmn_err *err);

#endif
