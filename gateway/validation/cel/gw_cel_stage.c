/* gw_cel_stage.c - validation/cel at its two places (spec §6.3-§6.5): an endpoint's checks run
 * as a proxy stage (pre before any backend, post on the merged outcome when the pipe had no
 * error), a backend's as a backend stage (pre before its HTTP call, post on its manipulated
 * response). A rejection is the error "request aborted by evaluator #<i>" (500, or the failing
 * backend); CEL never answers with a status of its own. */
#include "gw_cel_stage.h"

#include "cmn_buf.h"
#include "cmn_clock.h"
#include "cmn_go_url.h"
#include "cmn_log.h"
#include "gw_proxy_request.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NS "github.com/devopsfaith/krakend-cel"
/* Memory one phase's evaluation may take (values, maps of the request's headers). */
#define EVAL_ARENA_BYTES ((size_t)4 << 20)

/* One endpoint's or backend's checks. */
struct site {
    struct gw_cel_env *env;
    struct cmn_go_tzdb *tz;
    struct gw_cel_checks *checks;
    const struct gw_endpoint *ep;
    const struct gw_backend *b; /* NULL at endpoint level */
    char prefix[160];           /* "[ENDPOINT: /x][CEL]" */
};

static void site_free(void *ctx)
{
    struct site *s = ctx;

    if (!s)
        return;
    gw_cel_checks_destroy(s->checks);
    gw_cel_env_destroy(s->env);
    cmn_go_tzdb_destroy(s->tz);
    free(s);
}

/* Says at startup what KrakenD would (§6.3) and what this gateway does not apply. */
static void log_checks(const struct site *s, const char *where)
{
    const struct gw_cel_checks *c = s->checks;

    for (size_t i = 0; i < gw_cel_checks_exprs(c); i++) {
        const struct gw_cel_expr_info *x = gw_cel_checks_expr(c, i);
        /* KrakenD logs this at DEBUG; a check that silently never runs deserves a warning */
        if (x->phases == 0)
            cmn_log_warn("%s %s: expression %s is never evaluated: it mentions none of req, resp "
                         "and JWT, which is how KrakenD picks its phase",
                         s->prefix, where, x->expr);
        else if (x->status == GW_CEL_ERR_CHECK)
            cmn_log_warn("%s error parsing the expression %s: %u:%u: %s: check skipped, as "
                         "KrakenD does",
                         s->prefix, x->expr, x->diag.line, x->diag.column, x->diag.msg);
    }
    if (!s->b && gw_cel_checks_count(c, GW_CEL_PHASE_JWT) > 0 &&
        !json_object_get(s->ep->extra_config, gw_config_canonical_namespace("auth/validator")))
        cmn_log_warn("%s %s: %zu JWT expression(s) never evaluated: the JWT rejecter runs inside "
                     "auth/validator, which this endpoint does not have",
                     s->prefix, where, gw_cel_checks_count(c, GW_CEL_PHASE_JWT));
    cmn_log_debug("%s %zu preEvaluator(s) loaded", s->prefix,
                  gw_cel_checks_count(c, GW_CEL_PHASE_PRE));
    cmn_log_debug("%s %zu postEvaluator(s) loaded", s->prefix,
                  gw_cel_checks_count(c, GW_CEL_PHASE_POST));
}

/* The site for cfg (the value under the namespace), or NULL with *ok (false: out of memory). */
static struct site *site_new(const json_t *cfg, const struct gw_endpoint *ep,
                             const struct gw_backend *b, struct cmn_err *err, bool *ok)
{
    const char *where = b ? b->json_path : ep->json_path;
    struct gw_cel_options opt = {0};
    struct site *s = calloc(1, sizeof(*s));

    *ok = false;
    if (!s)
        goto nomem;
    s->ep = ep;
    s->b = b;
    snprintf(s->prefix, sizeof(s->prefix), "[%s: %s][CEL]", b ? "BACKEND" : "ENDPOINT",
             b ? b->url_pattern : ep->path);
    s->tz = cmn_go_tzdb_new_system(NULL);
    opt.tzdb = s->tz;
    s->env = gw_cel_env_new_krakend(&opt);
    if (!s->env || gw_cel_checks_new(s->env, cfg, b ? GW_CEL_LEVEL_BACKEND : GW_CEL_LEVEL_ENDPOINT,
                                     &s->checks, err) != 0)
        goto nomem;
    *ok = true;
    switch (gw_cel_checks_state(s->checks)) {
    case GW_CEL_ABSENT:
        cmn_log_warn("%s.extra_config.\"validation/cel\": not an array of {\"check_expr\": ...}: "
                     "ignored, as KrakenD does",
                     where);
        break;
    case GW_CEL_DROPPED:
        cmn_log_warn("%s Error parsing the definitions: %s", s->prefix,
                     gw_cel_checks_drop_reason(s->checks, GW_CEL_PHASE_PRE)
                         ? gw_cel_checks_drop_reason(s->checks, GW_CEL_PHASE_PRE)
                         : gw_cel_checks_drop_reason(s->checks, GW_CEL_PHASE_POST));
        cmn_log_warn("%s Falling back to the next %s proxy", s->prefix, b ? "backend" : "pipe");
        break;
    case GW_CEL_ACTIVE:
        log_checks(s, where);
        if (gw_cel_checks_count(s->checks, GW_CEL_PHASE_PRE) +
                gw_cel_checks_count(s->checks, GW_CEL_PHASE_POST) >
            0)
            return s;
        break;
    }
    site_free(s);
    return NULL;
nomem:
    site_free(s);
    cmn_err_set(err, 1, "%s: out of memory building validation/cel", where);
    return NULL;
}

/* ---- request variables ----------------------------------------------------------------------- */

/* What one pre phase reads, built for the evaluation and freed after it. */
struct req_scratch {
    struct gw_hdrs hdrs;
    struct gw_cel_kv *kv; /* params, then headers, then query */
    char *names;          /* capitalised parameter names */
    char *query;          /* decoded query pairs, NUL-separated */
    struct cmn_buf qbuf;
};

static void scratch_free(struct req_scratch *r)
{
    gw_hdrs_free(&r->hdrs);
    free(r->kv);
    free(r->names);
    free(r->query);
    cmn_buf_free(&r->qbuf);
}

/* Lura's path parameters, first letter upper-cased ({id} -> Id). */
static bool bind_params(struct req_scratch *r, const struct gw_inreq *in, struct gw_cel_kv *kv)
{
    size_t total = 0;
    char *p;

    for (size_t i = 0; i < in->n_params; i++)
        total += strlen(in->params[i].name) + 1;
    p = r->names = malloc(total + 1);
    if (!p)
        return false;
    for (size_t i = 0; i < in->n_params; i++) {
        size_t n = strlen(in->params[i].name);
        memcpy(p, in->params[i].name, n + 1);
        p[0] = (char)toupper((unsigned char)p[0]);
        kv[i] = (struct gw_cel_kv){p, n, in->params[i].value, strlen(in->params[i].value)};
        p += n + 1;
    }
    return true;
}

/* Splits an encoded query ("a=1&b=2", as Values.Encode writes it) into decoded pairs. */
static size_t bind_query(struct req_scratch *r, const char *q, size_t n, struct gw_cel_kv *kv,
                         size_t max)
{
    size_t count = 0;
    const char *end = q + n;
    char *o;

    o = r->query = malloc(2 * n + 2);
    if (!o)
        return 0;
    while (q < end && count < max) {
        const char *amp = memchr(q, '&', (size_t)(end - q));
        size_t l = amp ? (size_t)(amp - q) : (size_t)(end - q);
        const char *eq = memchr(q, '=', l);
        size_t kl = eq ? (size_t)(eq - q) : l, klen, vlen;
        char *k = o, *v;
        if (l && cmn_go_unescape(q, kl, true, k, &klen)) {
            v = k + klen + 1;
            if (cmn_go_unescape(eq ? eq + 1 : "", eq ? l - kl - 1 : 0, true, v, &vlen)) {
                kv[count++] = (struct gw_cel_kv){k, klen, v, vlen};
                o = v + vlen + 1;
            }
        }
        q += l + 1;
    }
    return count;
}

/* The path of an absolute URL ("http://h:1/p?q" -> "/p"). */
static void url_path(const char *url, const char **p, size_t *n)
{
    const char *s = strstr(url, "://");
    const char *q;

    s = s ? strchr(s + 3, '/') : url;
    if (!s) {
        *p = "";
        *n = 0;
        return;
    }
    q = strchr(s, '?');
    *p = s;
    *n = q ? (size_t)(q - s) : strlen(s);
}

static size_t format_now(char out[GW_CEL_NOW_MAX])
{
    int64_t ms = cmn_clock_unix_ms();
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    long off = 0;

    if (localtime_r(&t, &tm))
        off = tm.tm_gmtoff;
    return gw_cel_format_now(ms / 1000, (int32_t)(ms % 1000) * 1000000, (int32_t)off, out);
}

/* Fills rv from the endpoint's request (out NULL) or a backend's request (out). */
/* What one backend call adds to Lura's request Params: the sequential proxy's Resp<N>_ keys. */
struct seq_vars {
    const struct gw_seqparam *v;
    size_t n;
};

static bool request_vars(const struct site *s, const struct gw_inreq *in,
                         const struct gw_outreq *out, const struct seq_vars *seq,
                         struct req_scratch *r, struct gw_cel_req_vars *rv)
{
    const struct gw_hdrs *h = out ? &out->headers : &r->hdrs;
    const char *query = "";
    size_t qlen = 0, nq, np = in->n_params + seq->n;

    gw_hdrs_init(&r->hdrs, GW_MAX_HEADERS);
    cmn_buf_init(&r->qbuf, 64 * 1024);
    if (!out && !gw_request_headers(s->ep, NULL, in, &r->hdrs))
        return false;
    if (out) {
        const char *qm = strchr(out->url, '?');
        if (qm) {
            query = qm + 1;
            qlen = strlen(query);
        }
        url_path(out->url, &rv->path, &rv->path_len);
        rv->method = out->method;
    } else {
        if (!gw_query_encode(in->raw_query ? in->raw_query : "", &s->ep->input_query_strings, NULL,
                             &r->qbuf))
            return false;
        query = r->qbuf.data ? r->qbuf.data : "";
        qlen = r->qbuf.len;
        rv->path = in->path;
        rv->path_len = strlen(in->path);
        rv->method = in->method;
    }
    rv->method_len = strlen(rv->method);
    r->kv = malloc((np + h->n + GW_MAX_QUERY_PARAMS + 1) * sizeof(*r->kv));
    if (!r->kv || !bind_params(r, in, r->kv))
        return false;
    for (size_t i = 0; i < seq->n; i++) /* keys as Lura stores them ("Resp0_foo") */
        r->kv[in->n_params + i] = (struct gw_cel_kv){seq->v[i].key, strlen(seq->v[i].key),
                                                     seq->v[i].value, strlen(seq->v[i].value)};
    rv->params = r->kv;
    rv->n_params = np;
    rv->headers = r->kv + np;
    rv->n_headers = h->n;
    for (size_t i = 0; i < h->n; i++)
        r->kv[np + i] = (struct gw_cel_kv){h->v[i].name, strlen(h->v[i].name), h->v[i].value,
                                           strlen(h->v[i].value)};
    nq = bind_query(r, query, qlen, r->kv + np + h->n, GW_MAX_QUERY_PARAMS);
    if (!r->query)
        return false;
    rv->query = r->kv + np + h->n;
    rv->n_query = nq;
    return true;
}

/* ---- evaluation ------------------------------------------------------------------------------ */

static void log_verdict(const struct site *s, const char *phase, const struct gw_cel_verdict *v)
{
    if (v->kind == GW_CEL_FAILED)
        cmn_log_info("%s[%s] Evaluator #%d failed: %.*s", s->prefix, phase, v->index,
                     (int)v->result.n, v->result.v.s ? v->result.v.s : "");
    else
        cmn_log_info("%s[%s] Evaluator #%d result: false", s->prefix, phase, v->index);
}

/* Runs the pre phase: NULL when it passed, else the error message (static or in msg). */
static const char *run_pre(const struct site *s, const struct gw_inreq *in,
                           const struct gw_outreq *out, const struct seq_vars *seq, char *msg,
                           size_t msg_size)
{
    struct req_scratch r = {0};
    struct gw_cel_req_vars rv = {0};
    struct gw_cel_arena *a = NULL;
    struct gw_cel_activation *act;
    struct gw_cel_verdict v;
    char now[GW_CEL_NOW_MAX];
    const char *res = "validation/cel: out of memory";

    if (gw_cel_checks_count(s->checks, GW_CEL_PHASE_PRE) == 0)
        return NULL;
    if (!request_vars(s, in, out, seq, &r, &rv))
        goto out;
    rv.now = now;
    rv.now_len = format_now(now);
    a = gw_cel_arena_new(EVAL_ARENA_BYTES);
    act = a ? gw_cel_activation_new(a, s->env) : NULL;
    if (!act || gw_cel_bind_request(act, &rv) != 0)
        goto out;
    res = NULL;
    if (gw_cel_checks_eval(s->checks, GW_CEL_PHASE_PRE, act, &v) != 0) {
        log_verdict(s, "pre", &v);
        snprintf(msg, msg_size, "%s", v.message);
        res = msg;
    }
out:
    gw_cel_arena_destroy(a);
    scratch_free(&r);
    return res;
}

/* Runs the post phase on resp (may be NULL: no data). */
static const char *run_post(const struct site *s, const struct gw_presp *resp, char *msg,
                            size_t msg_size)
{
    struct gw_cel_resp_vars rv = {0};
    struct gw_cel_kv *kv = NULL;
    struct gw_cel_arena *a = NULL;
    struct gw_cel_activation *act;
    struct gw_cel_verdict v;
    char now[GW_CEL_NOW_MAX];
    const char *res = "validation/cel: out of memory";

    if (gw_cel_checks_count(s->checks, GW_CEL_PHASE_POST) == 0)
        return NULL;
    if (resp) {
        /* Metadata is only filled by no-op backends: 0 and {} otherwise, as in KrakenD */
        rv.completed = resp->complete;
        rv.metadata_status = resp->status;
        kv = malloc((resp->headers.n + 1) * sizeof(*kv));
        if (!kv)
            goto out;
        for (size_t i = 0; i < resp->headers.n; i++) {
            const struct gw_hdr *h = &resp->headers.v[i];
            kv[i] = (struct gw_cel_kv){h->name, strlen(h->name), h->value, strlen(h->value)};
        }
        rv.metadata_headers = kv;
        rv.n_metadata_headers = resp->headers.n;
        rv.data = gw_cel_gojson(resp->data);
    } else {
        rv.data = gw_cel_gojson(NULL);
    }
    rv.now = now;
    rv.now_len = format_now(now);
    a = gw_cel_arena_new(EVAL_ARENA_BYTES);
    act = a ? gw_cel_activation_new(a, s->env) : NULL;
    if (!act || gw_cel_bind_response(act, &rv) != 0)
        goto out;
    res = NULL;
    if (gw_cel_checks_eval(s->checks, GW_CEL_PHASE_POST, act, &v) != 0) {
        log_verdict(s, "post", &v);
        snprintf(msg, msg_size, "%s", v.message);
        res = msg;
    }
out:
    gw_cel_arena_destroy(a);
    free(kv);
    return res;
}

/* ---- endpoint: proxy stage ------------------------------------------------------------------- */

static enum gw_stage_verdict ep_before(void *ctx, struct gw_pstage_call *call, struct gw_perr *err)
{
    char msg[96];
    const struct seq_vars none = {NULL, 0};
    const char *fail = run_pre(ctx, call->in, NULL, &none, msg, sizeof(msg));

    if (!fail)
        return GW_STAGE_NEXT;
    gw_perr_set(err, fail);
    return GW_STAGE_FAIL;
}

/* Post checks run only when the inner pipe returned no error (a partial merge is returned as
 * it is, spec §6.5). */
static void ep_after(void *ctx, struct gw_pstage_call *call, struct gw_presp **resp,
                     const struct gw_pipe_err *err, struct gw_perr *fail)
{
    char msg[96];
    const char *bad;

    (void)call;
    if (err->n > 0)
        return;
    bad = run_post(ctx, *resp, msg, sizeof(msg));
    if (bad)
        gw_perr_set(fail, bad);
}

static bool ep_build(void *ctx, const struct gw_config *cfg, const struct gw_endpoint *ep,
                     struct gw_pstage *st, struct cmn_err *err)
{
    const json_t *v = ep->extra_config ? json_object_get(ep->extra_config, NS) : NULL;
    struct site *s;
    bool ok;

    (void)ctx;
    (void)cfg;
    if (!v)
        return true;
    s = site_new(v, ep, NULL, err, &ok);
    if (!s)
        return ok;
    *st = (struct gw_pstage){"validation/cel", s, ep_before, ep_after, NULL, site_free};
    return true;
}

const struct gw_pstage_factory gw_cel_endpoint_factory = {"validation/cel", NULL, ep_build};

/* ---- backend: backend stage ------------------------------------------------------------------ */

static enum gw_stage_verdict be_before(void *ctx, struct gw_stage_call *call, struct gw_perr *err)
{
    char msg[96];
    const struct seq_vars seq = {call->seq_params, call->n_seq_params};
    const char *fail = run_pre(ctx, call->in, call->out, &seq, msg, sizeof(msg));

    if (!fail)
        return GW_STAGE_NEXT;
    gw_perr_set(err, fail);
    return GW_STAGE_FAIL;
}

/* The backend's response after target/allow/deny/mapping/group: a rejection makes this backend
 * a failing one. */
static void be_after(void *ctx, struct gw_stage_call *call, struct gw_presp **resp,
                     struct gw_perr *err, bool *has_err)
{
    char msg[96];
    const char *bad;

    (void)call;
    if (*has_err)
        return;
    bad = run_post(ctx, *resp, msg, sizeof(msg));
    if (!bad)
        return;
    gw_presp_destroy(*resp);
    *resp = NULL;
    gw_perr_set(err, bad);
    *has_err = true;
}

static bool be_build(void *ctx, const struct gw_config *cfg, const struct gw_endpoint *ep,
                     const struct gw_backend *b, struct gw_stage *st, struct cmn_err *err)
{
    const json_t *v = b->extra_config ? json_object_get(b->extra_config, NS) : NULL;
    struct site *s;
    bool ok;

    (void)ctx;
    (void)cfg;
    if (!v)
        return true;
    s = site_new(v, ep, b, err, &ok);
    if (!s)
        return ok;
    *st = (struct gw_stage){"validation/cel", s, be_before, NULL, NULL, be_after, NULL, site_free};
    return true;
}

const struct gw_stage_factory gw_cel_backend_factory = {"validation/cel", NULL, be_build};

/* ---- endpoint: JWT rejecter ------------------------------------------------------------------ */

struct gw_cel_rejecter {
    struct site s;
};

struct gw_cel_rejecter *gw_cel_rejecter_new(const struct gw_endpoint *ep, struct cmn_err *err,
                                            bool *ok)
{
    const json_t *v = ep->extra_config ? json_object_get(ep->extra_config, NS) : NULL;
    struct gw_cel_options opt = {0};
    struct gw_cel_rejecter *r;

    *ok = true;
    if (!v)
        return NULL;
    r = calloc(1, sizeof(*r));
    if (!r)
        goto nomem;
    r->s.ep = ep;
    snprintf(r->s.prefix, sizeof(r->s.prefix), "[ENDPOINT: %s][CEL]", ep->path);
    r->s.tz = cmn_go_tzdb_new_system(NULL);
    opt.tzdb = r->s.tz;
    r->s.env = gw_cel_env_new_krakend(&opt);
    if (!r->s.env || gw_cel_checks_new(r->s.env, v, GW_CEL_LEVEL_ENDPOINT, &r->s.checks, err) != 0)
        goto nomem;
    if (gw_cel_checks_state(r->s.checks) != GW_CEL_ABSENT &&
        gw_cel_checks_count(r->s.checks, GW_CEL_PHASE_JWT) > 0 &&
        gw_cel_checks_jwt_enabled(r->s.checks))
        return r;
    if (gw_cel_checks_drop_reason(r->s.checks, GW_CEL_PHASE_JWT))
        cmn_log_debug("%s Error building the JWT rejecter: %s", r->s.prefix,
                      gw_cel_checks_drop_reason(r->s.checks, GW_CEL_PHASE_JWT));
    gw_cel_rejecter_destroy(r);
    return NULL;
nomem:
    gw_cel_rejecter_destroy(r);
    *ok = false;
    cmn_err_set(err, 1, "%s: out of memory building the validation/cel JWT rejecter",
                ep->json_path);
    return NULL;
}

bool gw_cel_rejecter_rejects(const struct gw_cel_rejecter *r, const json_t *claims)
{
    struct gw_cel_arena *a = gw_cel_arena_new(EVAL_ARENA_BYTES);
    struct gw_cel_activation *act = a ? gw_cel_activation_new(a, r->s.env) : NULL;
    struct gw_cel_verdict v;
    char now[GW_CEL_NOW_MAX];
    size_t now_len = format_now(now);
    bool rejected = true; /* out of memory: the token is not let through */

    if (act && gw_cel_bind_jwt(act, claims, now, now_len) == 0) {
        rejected = gw_cel_checks_eval(r->s.checks, GW_CEL_PHASE_JWT, act, &v) != 0;
        if (rejected)
            cmn_log_info("%s Rejecter #%d result: false", r->s.prefix, v.index);
    }
    gw_cel_arena_destroy(a);
    return rejected;
}

void gw_cel_rejecter_destroy(struct gw_cel_rejecter *r)
{
    if (!r)
        return;
    gw_cel_checks_destroy(r->s.checks);
    gw_cel_env_destroy(r->s.env);
    cmn_go_tzdb_destroy(r->s.tz);
    free(r);
}
