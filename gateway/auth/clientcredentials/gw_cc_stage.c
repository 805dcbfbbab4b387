/* gw_cc_stage.c - auth/client-credentials as a backend stage: the token of the backend's source
 * on every request, Authorization replaced (never the client's own), the call waiting while the
 * token is fetched and failing with oauth2's error as Go's http.Client reports it. */
#include "gw_clientcredentials.h"

#include "cmn_buf.h"
#include "cmn_go_json.h"
#include "cmn_http_field.h"
#include "cmn_log.h"
#include "gw_cc_curl.h"
#include "gw_cc_source.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* A call waiting for the token: shared by the stage call (until `end`) and the source (until
 * done ran). */
struct cc_wait {
    struct gw_cc_waiter w; /* first: done() gets back to the struct from it */
    atomic_int refs;
    struct gw_stage_resume *resume;
    char *prefix; /* Go's url.Error start: `Get "http://backend/x": ` */
    char *value;  /* the Authorization value the fetch brought */
};

static void wait_unref(struct cc_wait *cw)
{
    if (atomic_fetch_sub(&cw->refs, 1) != 1)
        return;
    free(cw->prefix);
    free(cw->value);
    free(cw);
}

/* `Get "<url>": ` : the method as net/http's urlErrorOp writes it, the URL as %q. Owned. */
static char *url_error_prefix(const char *method, const char *url)
{
    struct cmn_buf b;
    char *out;

    cmn_buf_init(&b, 64 * 1024);
    if (!method || !*method)
        method = "GET";
    cmn_buf_append(&b, method, 1);
    for (const char *p = method + 1; *p; p++) {
        char c = (char)tolower((unsigned char)*p);
        cmn_buf_append(&b, &c, 1);
    }
    cmn_buf_append_str(&b, " ");
    cmn_go_quote(&b, url ? url : "", url ? strlen(url) : 0);
    cmn_buf_append_str(&b, ": ");
    out = cmn_buf_take(&b, NULL);
    cmn_buf_free(&b);
    return out;
}

static void set_err(struct gw_perr *e, const char *prefix, const char *why)
{
    struct cmn_buf m;

    cmn_buf_init(&m, 64 * 1024);
    if (cmn_buf_printf(&m, "%s%s", prefix ? prefix : "", why) == CMN_BUF_OK)
        gw_perr_set(e, cmn_buf_str(&m));
    else
        gw_perr_set(e, why);
    cmn_buf_free(&m);
}

/* On the source's thread. */
static void on_done(struct gw_cc_waiter *w, const char *value, const char *error)
{
    struct cc_wait *cw = (struct cc_wait *)w;
    struct gw_perr e = {0};

    if (value && (cw->value = strdup(value))) {
        gw_stage_resume(cw->resume, GW_STAGE_AGAIN, NULL, NULL);
    } else {
        set_err(&e, cw->prefix, error ? error : "out of memory");
        gw_stage_resume(cw->resume, GW_STAGE_FAIL, &e, NULL);
        gw_perr_free(&e);
    }
    wait_unref(cw);
}

/* oauth2's Transport: Authorization set on the request (the client's, if input_headers let it
 * through, is replaced); a value that is no valid header field fails the call, as net/http does. */
static enum gw_stage_verdict attach(struct gw_stage_call *call, const char *value,
                                    struct gw_perr *err)
{
    if (!cmn_http_field_value_ok_str(value)) {
        char *prefix = url_error_prefix(call->out->method, call->out->url);
        set_err(err, prefix, "net/http: invalid header field value for \"Authorization\"");
        free(prefix);
        return GW_STAGE_FAIL;
    }
    if (!gw_hdrs_set(&call->out->headers, "Authorization", value)) {
        gw_perr_set(err, "out of memory");
        return GW_STAGE_FAIL;
    }
    return GW_STAGE_NEXT;
}

static enum gw_stage_verdict http_request(void *ctx, struct gw_stage_call *call,
                                          struct gw_fetch_result **res, struct gw_perr *err)
{
    struct gw_cc_source *src = ctx;
    struct cc_wait *cw = call->state;
    char *value = NULL, *prefix;
    enum gw_stage_verdict v;

    (void)res;
    if (cw) /* resumed (GW_STAGE_AGAIN): the token the fetch brought */
        return attach(call, cw->value, err);
    if (gw_cc_source_acquire(src, NULL, &value) == GW_CC_READY) { /* the common case */
        v = attach(call, value, err);
        free(value);
        return v;
    }
    prefix = url_error_prefix(call->out->method, call->out->url);
    cw = calloc(1, sizeof(*cw));
    if (!prefix || !cw) {
        free(prefix);
        free(cw);
        gw_perr_set(err, "out of memory");
        return GW_STAGE_FAIL;
    }
    cw->prefix = prefix;
    cw->w.done = on_done;
    cw->w.deadline_ms = call->deadline_ms;
    cw->resume = call->resume;
    atomic_init(&cw->refs, 2);
    switch (gw_cc_source_acquire(src, &cw->w, &value)) {
    case GW_CC_READY: /* it came meanwhile */
        v = attach(call, value, err);
        free(value);
        free(prefix);
        free(cw);
        return v;
    case GW_CC_WAIT:
        call->state = cw;
        return GW_STAGE_WAIT;
    default:
        free(prefix);
        free(cw);
        gw_perr_set(err, "out of memory");
        return GW_STAGE_FAIL;
    }
}

static void end(void *ctx, struct gw_stage_call *call)
{
    (void)ctx;
    if (call->state)
        wait_unref(call->state);
    call->state = NULL;
}

static void stage_free(void *ctx)
{
    gw_cc_source_destroy(ctx); /* waits until every waiting call was resumed */
}

static void warn_unknown(const json_t *ns, const char *bpath)
{
    static const char *const known[] = {"client_id", "client_secret",   "token_url",
                                        "scopes",    "endpoint_params", "is_disabled"};
    const char *k;
    json_t *v;

    json_object_foreach((json_t *)(uintptr_t)ns, k, v)
    {
        bool ok = *k == '@';
        for (size_t i = 0; i < sizeof(known) / sizeof(known[0]) && !ok; i++)
            ok = strcmp(k, known[i]) == 0;
        if (!ok)
            cmn_log_warn("%s.extra_config.auth/client-credentials: \"%s\" is not an option "
                         "KrakenD reads: ignored (extra form fields go in endpoint_params)",
                         bpath, k);
    }
}

static bool build(void *ctx, const struct gw_config *cfg, const struct gw_endpoint *ep,
                  const struct gw_backend *b, struct gw_stage *st, struct cmn_err *err)
{
    json_t *ns = b->extra_config ? json_object_get(b->extra_config, GW_CC_NAMESPACE) : NULL;
    struct gw_cc_config cc;
    struct gw_cc_transport t;
    struct gw_cc_source *src;
    struct cmn_err e = {0};

    (void)ctx;
    (void)cfg;
    (void)ep;
    if (!ns)
        return true;
    if (!json_is_object(ns)) { /* configGetter's type check: not a map, no OAuth2 client */
        cmn_log_warn("%s.extra_config.auth/client-credentials is not an object: ignored, as "
                     "KrakenD does",
                     b->json_path);
        return true;
    }
    warn_unknown(ns, b->json_path);
    if (!gw_cc_config_parse(ns, &cc, &e)) {
        gw_cc_config_free(&cc);
        return cmn_err_set(err, 1, "%s.extra_config.auth/client-credentials: %s", b->json_path,
                           e.msg),
               false;
    }
    if (cc.disabled) {
        gw_cc_config_free(&cc);
        return true;
    }
    if (!cc.token_url[0])
        cmn_log_warn("%s.extra_config.auth/client-credentials has no token_url: every call to "
                     "this backend fails, as in KrakenD",
                     b->json_path);
    if (!gw_cc_curl_transport(&t, getenv("SSL_CERT_FILE"), getenv("SSL_CERT_DIR"), err)) {
        gw_cc_config_free(&cc);
        return false;
    }
    src = gw_cc_source_new(&cc, &t, NULL, err);
    if (!src) {
        t.destroy(t.ctx);
        gw_cc_config_free(&cc);
        return false;
    }
    st->name = "auth/client-credentials";
    st->ctx = src;
    st->http_request = http_request;
    st->end = end;
    st->free = stage_free;
    return true;
}

const struct gw_stage_factory gw_clientcredentials_factory = {"auth/client-credentials", NULL,
                                                              build};
