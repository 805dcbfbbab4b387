/* gw_proxy_request.c - backend request building: headers (§2.2), query (§2.3), URL and body. */
#include "gw_proxy_request.h"

#include "cmn_go_header.h"
#include "cmn_go_json.h"
#include "cmn_go_url.h"
#include "cmn_http_field.h"

#include "cmn_str.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UA_VALUE "KrakenD Version " GW_VERSION

/* ---- query strings ------------------------------------------------------------------------- */

struct qpair {
    char *key;
    char *value;
    size_t order;
};

static int qpair_cmp(const void *a, const void *b)
{
    const struct qpair *x = a, *y = b;
    int c = strcmp(x->key, y->key);

    if (c)
        return c;
    return x->order < y->order ? -1 : (x->order > y->order);
}

static bool list_has(const struct gw_strlist *l, const char *s)
{
    for (size_t i = 0; l && i < l->n; i++) {
        if (strcmp(l->items[i], s) == 0)
            return true;
    }
    return false;
}

static bool key_allowed(const struct gw_strlist *keys, const struct gw_strlist *bkeys,
                        const char *k)
{
    if (!keys || !(list_has(keys, "*") || list_has(keys, k)))
        return false;
    if (bkeys && bkeys->set && bkeys->n > 0 && !list_has(bkeys, "*") && !list_has(bkeys, k))
        return false;
    return true;
}

bool gw_query_encode(const char *raw_query, const struct gw_strlist *keys,
                     const struct gw_strlist *bkeys, struct cmn_buf *out)
{
    struct qpair pairs[GW_MAX_QUERY_PARAMS];
    size_t np = 0, n = strlen(raw_query);
    const char *p = raw_query;
    bool ok = true;

    if (!keys || keys->n == 0)
        return true;
    while (p < raw_query + n && np < GW_MAX_QUERY_PARAMS) {
        const char *amp = strchr(p, '&');
        size_t l = amp ? (size_t)(amp - p) : strlen(p);
        const char *eq = memchr(p, '=', l);
        size_t kl = eq ? (size_t)(eq - p) : l;
        char *k = malloc(kl + 1), *v = malloc(l + 1);
        if (!k || !v) {
            free(k);
            free(v);
            ok = false;
            break;
        }
        /* Go 1.17+: a piece with ';' is an error and skipped; bad escapes too. */
        if (l == 0 || memchr(p, ';', l) || !cmn_go_unescape(p, kl, true, k, NULL) ||
            !cmn_go_unescape(eq ? eq + 1 : "", eq ? l - kl - 1 : 0, true, v, NULL) ||
            !key_allowed(keys, bkeys, k)) {
            free(k);
            free(v);
        } else {
            pairs[np].key = k;
            pairs[np].value = v;
            pairs[np].order = np;
            np++;
        }
        if (!amp)
            break;
        p = amp + 1;
    }
    qsort(pairs, np, sizeof(pairs[0]), qpair_cmp);
    for (size_t i = 0; i < np && ok; i++) {
        ok = (i == 0 || cmn_buf_append(out, "&", 1) == CMN_BUF_OK) &&
             cmn_go_query_escape(pairs[i].key, strlen(pairs[i].key), out) &&
             cmn_buf_append(out, "=", 1) == CMN_BUF_OK &&
             cmn_go_query_escape(pairs[i].value, strlen(pairs[i].value), out);
    }
    for (size_t i = 0; i < np; i++) {
        free(pairs[i].key);
        free(pairs[i].value);
    }
    return ok;
}

/* ---- path ---------------------------------------------------------------------------------- */

/* Lura compares placeholder names after upper-casing their first letter ({id} ~ {Id}). */
static bool name_eq(const char *a, size_t al, const char *b)
{
    size_t bl = strlen(b);

    if (al != bl || al == 0)
        return false;
    return toupper((unsigned char)a[0]) == toupper((unsigned char)b[0]) &&
           memcmp(a + 1, b + 1, al - 1) == 0;
}

static bool resolve(const char *name, size_t nl, const struct gw_inreq *in,
                    const struct gw_seqparam *seq, size_t n_seq, struct cmn_buf *out)
{
    for (size_t i = 0; i < in->n_params; i++) {
        if (name_eq(name, nl, in->params[i].name))
            return cmn_buf_append_str(out, in->params[i].value) == CMN_BUF_OK;
    }
    for (size_t i = 0; i < n_seq; i++) {
        if (name_eq(name, nl, seq[i].key))
            return cmn_buf_append_str(out, seq[i].value) == CMN_BUF_OK;
    }
    if (nl > 4 && memcmp(name, "JWT.", 4) == 0 && in->claim) {
        char claim[256], buf[4096];
        const char *v;
        snprintf(claim, sizeof(claim), "%.*s", (int)(nl - 4), name + 4);
        v = in->claim(in->claims_ctx, claim, buf, sizeof(buf));
        if (v)
            return cmn_buf_append_str(out, v) == CMN_BUF_OK;
    }
    return false;
}

char *gw_request_path(const char *pattern, const struct gw_inreq *in, const struct gw_seqparam *seq,
                      size_t n_seq)
{
    struct cmn_buf b;
    const char *p = pattern;

    cmn_buf_init(&b, 64 * 1024);
    while (*p) {
        const char *open = strchr(p, '{');
        const char *close = open ? strchr(open + 1, '}') : NULL;
        if (!open || !close) {
            if (cmn_buf_append_str(&b, p) != CMN_BUF_OK)
                goto fail;
            break;
        }
        if (cmn_buf_append(&b, p, (size_t)(open - p)) != CMN_BUF_OK)
            goto fail;
        size_t save = b.len;
        if (!resolve(open + 1, (size_t)(close - open - 1), in, seq, n_seq, &b)) {
            /* unresolved placeholders stay in the URL, as in KrakenD */
            b.len = save;
            if (cmn_buf_append(&b, open, (size_t)(close - open + 1)) != CMN_BUF_OK)
                goto fail;
        }
        p = close + 1;
    }
    return cmn_buf_take(&b, NULL);
fail:
    cmn_buf_free(&b);
    return NULL;
}

/* Appends a raw query, escaping only what cannot travel in a request line. */
static bool append_raw_query(const char *q, size_t n, struct cmn_buf *out)
{
    static const char hex[] = "0123456789ABCDEF";

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)q[i];
        if (c <= 0x20 || c >= 0x7f || c == '#') {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            if (cmn_buf_append(out, e, 3) != CMN_BUF_OK)
                return false;
        } else if (cmn_buf_append(out, &q[i], 1) != CMN_BUF_OK) {
            return false;
        }
    }
    return true;
}

/* ---- headers ------------------------------------------------------------------------------- */

/* Connection-level fields are not passed on. Expect is (when listed): Go's transport writes it
 * and waits for the 100 as expect_continue_timeout says; the server already answered 417 to
 * any other expectation. */
static bool is_hop_by_hop(const char *name)
{
    switch (*name | 0x20) {
    case 'c':
        return cmn_str_eq_nocase(name, "Connection");
    case 'h':
        return cmn_str_eq_nocase(name, "Host");
    case 'k':
        return cmn_str_eq_nocase(name, "Keep-Alive");
    case 'p':
        return cmn_str_eq_nocase(name, "Proxy-Connection");
    case 't':
        return cmn_str_eq_nocase(name, "Transfer-Encoding") || cmn_str_eq_nocase(name, "Te") ||
               cmn_str_eq_nocase(name, "Trailer");
    case 'u':
        return cmn_str_eq_nocase(name, "Upgrade");
    default:
        return false;
    }
}

bool gw_request_headers(const struct gw_endpoint *ep, const struct gw_backend *b,
                        const struct gw_inreq *in, struct gw_hdrs *out)
{
    static char content_type[] = "Content-Type";
    static char *default_list[] = {content_type};
    const struct gw_strlist def = {default_list, 1, true};
    const struct gw_strlist *want = ep->input_headers.n ? &ep->input_headers : &def;
    bool all = list_has(want, "*");
    bool filter =
        b && b->input_headers.set && b->input_headers.n > 0 && !list_has(&b->input_headers, "*");
    struct gw_hdrs tmp_list, *tmp = out;

    /* Without a backend-level filter the list is built in place (out starts empty). */
    if (filter) {
        gw_hdrs_init(&tmp_list, GW_MAX_HEADERS);
        tmp = &tmp_list;
    }
    for (size_t i = 0; i < in->headers.n; i++) {
        const struct gw_hdr *h = &in->headers.v[i];
        bool listed = all;
        for (size_t j = 0; !listed && j < want->n; j++)
            listed = cmn_str_eq_nocase(want->items[j], h->name);
        if (!listed || is_hop_by_hop(h->name))
            continue;
        if (!gw_hdrs_add(tmp, h->name, h->value))
            goto fail;
    }
    if (!gw_hdrs_set(tmp, "X-Forwarded-For", in->client_ip ? in->client_ip : "") ||
        !gw_hdrs_set(tmp, "X-Forwarded-Host", in->host ? in->host : ""))
        goto fail;
    if (!gw_hdrs_get(tmp, "User-Agent")) {
        if (!gw_hdrs_add(tmp, "User-Agent", UA_VALUE))
            goto fail;
    } else if (!gw_hdrs_set(tmp, "X-Forwarded-Via", UA_VALUE)) {
        goto fail;
    }
    /* Backend-level input_headers keep only the listed names (also X-Forwarded-*). */
    if (filter) {
        for (size_t i = 0; i < tmp->n; i++) {
            bool keep = false;
            for (size_t j = 0; !keep && j < b->input_headers.n; j++)
                keep = cmn_str_eq_nocase(b->input_headers.items[j], tmp->v[i].name);
            if (keep && !gw_hdrs_add(out, tmp->v[i].name, tmp->v[i].value))
                goto fail;
        }
        gw_hdrs_free(&tmp_list);
    }
    return true;
fail:
    if (filter)
        gw_hdrs_free(&tmp_list);
    return false;
}

/* url.Error's Op: the method with Go's capitalisation ("Post"). */
static void go_op(const char *method, char *op, size_t size)
{
    cmn_strlcpy(op, method, size);
    for (size_t k = 1; op[k]; k++)
        op[k] = (char)(op[k] >= 'A' && op[k] <= 'Z' ? op[k] + 32 : op[k]);
}

/* Every field the backend would receive passes the one field rule (cmn_http_field.h); a request
 * that needs one that does not is refused with Go's transport error, whatever the field's source
 * (a client header, a propagated claim, the configuration). No value is printed: it may be a
 * secret, and it is what an attacker chose. */
bool gw_outreq_fields_ok(const struct gw_outreq *o, struct cmn_err *err)
{
    char op[16];
    struct cmn_buf q;

    /* a Host of its own (martian) is a field too: Go's transport refuses an invalid one */
    if (o->host && !cmn_http_field_value_ok(o->host, strlen(o->host))) {
        go_op(o->method, op, sizeof(op));
        cmn_err_set(err, 1, "%s \"%s\": http: invalid Host header", op, o->url);
        return false;
    }
    for (size_t i = 0; i < o->headers.n; i++) {
        const struct gw_hdr *h = &o->headers.v[i];
        bool name_ok = cmn_http_field_name_ok(h->name, strlen(h->name));
        if (name_ok && cmn_http_field_value_ok(h->value, strlen(h->value)))
            continue;
        go_op(o->method, op, sizeof(op));
        cmn_buf_init(&q, 256);
        cmn_go_quote(&q, h->name, strlen(h->name));
        if (!name_ok)
            cmn_err_set(err, 1, "%s \"%s\": net/http: invalid header field name %s", op, o->url,
                        cmn_buf_str(&q));
        else
            cmn_err_set(err, 1, "%s \"%s\": net/http: invalid header field value for %s", op,
                        o->url, cmn_buf_str(&q));
        cmn_buf_free(&q);
        return false;
    }
    return true;
}

bool gw_request_build(const struct gw_endpoint *ep, const struct gw_backend *b, const char *host,
                      const struct gw_inreq *in, const struct gw_seqparam *seq, size_t n_seq,
                      struct gw_outreq *out, struct cmn_err *err)
{
    struct cmn_buf url;
    char *path = NULL;
    const char *q, *hash;
    size_t plen;

    memset(out, 0, sizeof(*out));
    gw_hdrs_init(&out->headers, GW_MAX_HEADERS);
    cmn_buf_init(&url, 64 * 1024);
    out->method = strdup(b->method && b->method[0] ? b->method : ep->method);
    path = gw_request_path(b->url_pattern, in, seq, n_seq);
    if (!out->method || !path)
        goto nomem;
    hash = strchr(path, '#');
    plen = hash ? (size_t)(hash - path) : strlen(path);
    q = memchr(path, '?', plen);
    if (cmn_buf_append_str(&url, host) != CMN_BUF_OK)
        goto nomem;
    if (!cmn_go_escaped_path(path, q ? (size_t)(q - path) : plen, &url)) {
        cmn_err_set(err, 1, "parse \"%s%s\": invalid URL escape", host, path);
        goto fail;
    }
    size_t before_query = url.len;
    if (q && !append_raw_query(q, plen - (size_t)(q - path), &url))
        goto nomem;
    bool has_raw_query = url.len > before_query + 1;
    if (!has_raw_query)
        url.len = before_query, url.data[url.len] = '\0';
    size_t mark = url.len;
    if (cmn_buf_append(&url, has_raw_query ? "&" : "?", 1) != CMN_BUF_OK ||
        !gw_query_encode(in->raw_query ? in->raw_query : "", &ep->input_query_strings,
                         &b->input_query_strings, &url))
        goto nomem;
    if (url.len == mark + 1) { /* no client parameter survived */
        url.len = mark;
        url.data[mark] = '\0';
    }
    out->url = cmn_buf_take(&url, NULL);
    if (!out->url || !gw_request_headers(ep, b, in, &out->headers))
        goto nomem;
    out->content_length = gw_hdrs_get(&out->headers, "Content-Length") != NULL;
    gw_hdrs_del(&out->headers, "Content-Length");
    out->accept_gzip = gw_hdrs_get(&out->headers, "Accept-Encoding") == NULL;
    out->body = in->body;
    out->body_len = in->body_len;
    if (!gw_outreq_fields_ok(out, err))
        goto fail;
    free(path);
    return true;
nomem:
    cmn_err_set(err, 2, "out of memory");
fail:
    free(path);
    cmn_buf_free(&url);
    gw_outreq_free(out);
    return false;
}
