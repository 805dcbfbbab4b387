/* gw_proxy.c - the endpoint pipeline as a state machine on the backend loop thread. */
#include "gw_proxy_int.h"

#include "cmn_clock.h"
#include "cmn_log.h"
#include "cmn_str.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- lifecycle ------------------------------------------------------------------------------- */

static void call_unlink(struct call *c)
{
    struct gw_proxy *px = c->px;

    if (c->prev)
        c->prev->next = c->next;
    else if (px->calls[c->loop] == c)
        px->calls[c->loop] = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
}

static void call_free(struct call *c)
{
    for (size_t i = 0; c->parts && i < c->n_parts; i++) {
        struct part *p = &c->parts[i];
        for (size_t a = 0; a < p->n_att; a++)
            attempt_cancel(&p->att[a]);
        gw_presp_destroy(p->resp);
        gw_perr_free(&p->err);
    }
    for (size_t i = 0; c->seq_data && i < c->n_parts; i++)
        gw_json_destroy(c->seq_data[i]);
    free(c->seq_data);
    if (c->pc)
        pipe_end(c);
    gw_perr_free(&c->pipe_err);
    gw_merge_free(&c->merge);
    gw_inreq_free(&c->in);
    free(c);
}

static void log_errors(const struct call *c, const struct gw_pipe_err *e)
{
    if (e->n == 0)
        return;
    if (!e->merged) {
        cmn_log_error("[ENDPOINT: %s] %s", c->ep->cfg->path, e->errs[0].msg ? e->errs[0].msg : "");
        return;
    }
    for (size_t i = 0; i < e->n; i++)
        cmn_log_error("[ENDPOINT: %s] Error #%zu: %s", c->ep->cfg->path, i,
                      e->errs[i].msg ? e->errs[i].msg : "");
}

/* Static data, the outcome to the caller, free. */
static void finalize(struct call *c, struct gw_presp *resp, const struct gw_pipe_err *err)
{
    struct gw_proxy_outcome o = {.err = *err};

    c->finalized = true;
    if (!c->pipe_err.msg) /* not when a pipe stage failed the call: nothing inside ran */
        gw_static_apply(c->ep->cfg->static_strategy, c->ep->static_data, &resp, err->n > 0);
    if (c->pc)
        pipe_after(c, &resp, err);
    log_errors(c, err);
    o.resp = resp;
    call_unlink(c);
    c->done(c->arg, &o);
    call_free(c); /* the errors live in the call */
}

static void finalize_merge(struct call *c)
{
    struct gw_presp *resp = gw_merge_result(&c->merge);
    struct gw_pipe_err e = {true, c->merge.errs, c->merge.n_errs};

    finalize(c, resp, &e);
}

/* ---- parts ------------------------------------------------------------------------------------
 */

static void start_part(struct call *c, size_t idx);

/* Lura's sequential placeholder value of {respN_a.b} from earlier responses. */
static bool seq_value(const struct call *c, size_t upto, const char *name, size_t nl,
                      struct cmn_buf *out)
{
    char path[512];
    size_t i = 4, n = 0;
    const struct gw_json *v;

    if (nl < 6 || (name[0] != 'r' && name[0] != 'R') || strncmp(name + 1, "esp", 3) != 0)
        return false;
    while (i < nl && isdigit((unsigned char)name[i]))
        n = n * 10 + (size_t)(name[i++] - '0');
    if (i == 4 || i >= nl || name[i] != '_' || n >= upto || !c->seq_data[n])
        return false;
    snprintf(path, sizeof(path), "%.*s", (int)(nl - i - 1), name + i + 1);
    v = c->seq_data[n];
    for (char *seg = path; v;) {
        char *dot = strchr(seg, '.');
        if (dot)
            *dot = '\0';
        if (v->type != GW_JSON_OBJECT)
            return false;
        v = gw_json_object_get(v, seg);
        if (!dot)
            break;
        seg = dot + 1;
    }
    return v && gw_json_param_text(v, out);
}

/* Collects {respN_x} values for backend idx's url_pattern. */
static size_t seq_params(const struct call *c, size_t idx, struct gw_seqparam *out, size_t max)
{
    const char *p = c->ep->cfg->backends[idx].url_pattern;
    size_t n = 0;

    if (!c->seq_data)
        return 0;
    while (n < max && (p = strchr(p, '{'))) {
        const char *close = strchr(p, '}');
        struct cmn_buf v;
        if (!close)
            break;
        cmn_buf_init(&v, 64 * 1024);
        if (seq_value(c, idx, p + 1, (size_t)(close - p - 1), &v)) {
            out[n].key = cmn_strndup(p + 1, (size_t)(close - p - 1));
            out[n].value = cmn_buf_take(&v, NULL);
            if (out[n].key && out[n].value)
                n++;
            else {
                free(out[n].key);
                free(out[n].value);
            }
        }
        cmn_buf_free(&v);
        p = close + 1;
    }
    return n;
}

static void part_finished(struct part *p)
{
    struct call *c = p->call;
    struct gw_presp *resp = p->has_err ? NULL : p->resp;

    p->finished = true;
    if (resp)
        p->resp = NULL;
    if (!c->merging) { /* single backend: no merge layer */
        struct gw_pipe_err e = {false, &p->err, p->has_err ? 1 : 0};
        if (!c->starting)
            finalize(c, resp, &e);
        else
            p->resp = resp; /* finalised once start_call returns */
        return;
    }
    if (!c->sequential) {
        gw_merge_add(&c->merge, resp, p->has_err ? &p->err : NULL);
        if (c->merge.pending == 0 && !c->starting)
            finalize_merge(c);
        return;
    }
    if (!resp) {
        if (p->idx == 0) {
            struct gw_pipe_err e = {false, &p->err, 1};
            finalize(c, NULL, &e);
            return;
        }
        gw_merge_add(&c->merge, NULL, &p->err);
        finalize_merge(c);
        return;
    }
    bool complete = resp->complete;
    if (complete && resp->data)
        c->seq_data[p->idx] = gw_json_copy(resp->data);
    gw_merge_add(&c->merge, resp, NULL);
    if (!complete || p->idx + 1 == c->n_parts) {
        finalize_merge(c);
        return;
    }
    start_part(c, p->idx + 1);
}

void attempt_finished(struct attempt *a, struct gw_presp *resp, struct gw_perr *err, bool has_err)
{
    struct part *p = a->part;

    p->att_pending--;
    if (!has_err && resp) {
        gw_presp_destroy(p->resp);
        p->resp = resp;
        if (resp->complete) {
            p->has_err = false;
            gw_perr_free(&p->err);
            for (size_t i = 0; i < p->n_att; i++) /* the first complete answer wins */
                attempt_cancel(&p->att[i]);
            p->att_pending = 0;
        }
    } else {
        gw_presp_destroy(resp);
        gw_perr_free(&p->err);
        p->err = *err;
        memset(err, 0, sizeof(*err));
        p->has_err = true;
    }
    if (p->att_pending == 0)
        part_finished(p);
}

static const char *pick_host(struct call *c, size_t idx)
{
    const struct gw_backend *b = &c->ep->cfg->backends[idx];
    unsigned n;

    if (b->hosts.n == 0)
        return "";
    if (b->hosts.n == 1)
        return b->hosts.items[0];
    n = atomic_fetch_add(&c->ep->rr[idx], 1);
    return b->hosts.items[n % b->hosts.n];
}

static void start_part(struct call *c, size_t idx)
{
    struct part *p = &c->parts[idx];
    const struct gw_backend *b = &c->ep->cfg->backends[idx];
    struct gw_seqparam seq[32];
    size_t n_seq = c->sequential ? seq_params(c, idx, seq, 32) : 0;
    struct gw_outreq out;
    struct cmn_err err = {0};
    int64_t deadline = c->deadline_ms;
    size_t conc = b->concurrent_calls ? b->concurrent_calls : c->ep->cfg->concurrent_calls;

    if (conc == 0)
        conc = 1;
    if (conc > MAX_CONCURRENT)
        conc = MAX_CONCURRENT;
    if (c->merging && c->merge_deadline_ms < deadline)
        deadline = c->merge_deadline_ms;
    if (conc > 1) {
        int64_t cd = cmn_clock_mono_ms() + c->ep->cfg->timeout_ms * 75 / 100;
        if (cd < deadline)
            deadline = cd;
    }
    bool built = gw_request_build(c->ep->cfg, b, pick_host(c, idx), &c->in, seq, n_seq, &out, &err);
    for (size_t i = 0; i < n_seq; i++) {
        free(seq[i].key);
        free(seq[i].value);
    }
    if (!built) {
        gw_perr_set(&p->err, err.msg);
        p->has_err = true;
        part_finished(p);
        return;
    }
    p->n_att = conc;
    p->att_pending = conc;
    for (size_t i = 0; i < conc; i++)
        p->att[i].part = p;
    for (size_t i = 0; i < conc && !p->finished; i++) {
        bool last = i + 1 == conc; /* the last attempt takes the request instead of a copy */
        if (!attempt_start(&p->att[i], &out, last, deadline)) {
            p->att_pending--;
            gw_perr_set(&p->err, "cannot start the backend request");
            p->has_err = true;
        }
    }
    gw_outreq_free(&out);
    if (p->att_pending == 0 && !p->finished)
        part_finished(p);
}

static void start_call(void *arg)
{
    struct call *c = arg;
    const struct gw_endpoint *ep = c->ep->cfg;

    c->start_ms = cmn_clock_mono_ms();
    c->deadline_ms = c->start_ms + ep->timeout_ms;
    c->merge_deadline_ms = c->start_ms + ep->timeout_ms * 85 / 100;
    c->next = c->px->calls[c->loop];
    if (c->next)
        c->next->prev = c;
    c->px->calls[c->loop] = c;
    if (c->ep->n_pipes && !pipe_before(c)) {
        struct gw_pipe_err e = {false, &c->pipe_err, 1};
        finalize(c, NULL, &e);
        return;
    }
    if (c->sequential) {
        start_part(c, 0);
        return;
    }
    c->starting = true;
    for (size_t i = 0; i < c->n_parts; i++)
        start_part(c, i);
    c->starting = false;
    if (!c->merging && c->parts[0].finished) {
        struct part *p = &c->parts[0];
        struct gw_presp *resp = p->resp;
        struct gw_pipe_err e = {false, &p->err, p->has_err ? 1 : 0};
        p->resp = NULL;
        finalize(c, resp, &e);
    } else if (c->merging && c->merge.pending == 0) {
        finalize_merge(c);
    }
}

bool gw_proxy_run(struct gw_proxy *px, size_t loop, size_t ep_index, struct gw_inreq *in,
                  gw_proxy_done_fn done, void *arg)
{
    const struct gw_endpoint *ep =
        ep_index < px->n_eps && loop < px->n_loops ? px->eps[ep_index].cfg : NULL;
    struct call *c = ep ? calloc(1, sizeof(*c) + (ep->n_backends ? ep->n_backends : 1) *
                                                     sizeof(struct part))
                        : NULL;

    if (!c)
        goto fail;
    c->px = px;
    c->loop = loop;
    c->ep = &px->eps[ep_index];
    c->in = *in;
    memset(in, 0, sizeof(*in));
    c->done = done;
    c->arg = arg;
    c->n_parts = ep->n_backends;
    c->merging = ep->n_backends > 1;
    c->sequential = c->merging && ep->sequential;
    c->parts = c->part_mem;
    c->seq_data = c->sequential ? calloc(c->n_parts, sizeof(*c->seq_data)) : NULL;
    if ((c->sequential && !c->seq_data) || c->n_parts == 0)
        goto fail_call;
    for (size_t i = 0; i < c->n_parts; i++) {
        c->parts[i].call = c;
        c->parts[i].idx = i;
    }
    gw_merge_init(&c->merge, c->n_parts);
    if (gw_loop_on_thread(gw_fetcher_loop(px->fetchers[loop]))) {
        start_call(c);
        return true;
    }
    if (!gw_loop_post(gw_fetcher_loop(px->fetchers[loop]), start_call, c))
        goto fail_call;
    return true;
fail_call:
    call_free(c);
    return false;
fail:
    free(c);
    gw_inreq_free(in);
    return false;
}

void gw_proxy_cancel_all(struct gw_proxy *px, size_t loop)
{
    while (loop < px->n_loops && px->calls[loop]) {
        struct call *c = px->calls[loop];
        struct gw_proxy_outcome o = {.cancelled = true};
        call_unlink(c);
        c->done(c->arg, &o);
        call_free(c);
    }
}

struct gw_proxy *gw_proxy_new(const struct gw_config *cfg, struct gw_fetcher *const *fetchers,
                              size_t n_loops, const struct gw_stage_factory *const *stages,
                              size_t n_stages, const struct gw_pipe_factory *const *pipes,
                              size_t n_pipes, struct cmn_err *err)
{
    struct gw_proxy *px = calloc(1, sizeof(*px));

    if (!px)
        goto nomem;
    px->cfg = cfg;
    px->n_loops = n_loops;
    px->fetchers = calloc(n_loops ? n_loops : 1, sizeof(*px->fetchers));
    px->calls = calloc(n_loops ? n_loops : 1, sizeof(*px->calls));
    if (!px->fetchers || !px->calls)
        goto nomem;
    for (size_t i = 0; i < n_loops; i++)
        px->fetchers[i] = fetchers[i];
    px->eps = calloc(cfg->n_endpoints ? cfg->n_endpoints : 1, sizeof(*px->eps));
    if (!px->eps)
        goto nomem;
    px->n_eps = cfg->n_endpoints;
    for (size_t i = 0; i < cfg->n_endpoints; i++) {
        const struct gw_endpoint *ep = &cfg->endpoints[i];
        px->eps[i].cfg = ep;
        px->eps[i].rr = calloc(ep->n_backends ? ep->n_backends : 1, sizeof(atomic_uint));
        if (!px->eps[i].rr)
            goto nomem;
        for (size_t b = 0; b < ep->n_backends; b++)
            atomic_init(&px->eps[i].rr[b], (unsigned)rand());
        if (ep->static_strategy != GW_STATIC_NONE && ep->static_data) {
            px->eps[i].static_data = gw_json_from_jansson(ep->static_data);
            if (!px->eps[i].static_data)
                goto nomem;
        }
    }
    if (!proxy_stages_build(px, stages, n_stages, err) || !proxy_pipes_build(px, pipes, n_pipes, err))
        goto fail;
    return px;
nomem:
    cmn_err_set(err, 1, "out of memory");
fail:
    gw_proxy_destroy(px);
    return NULL;
}

void gw_proxy_destroy(struct gw_proxy *px)
{
    if (!px)
        return;
    proxy_stages_free(px);
    proxy_pipes_free(px);
    for (size_t i = 0; px->eps && i < px->n_eps; i++) {
        free(px->eps[i].rr);
        gw_json_destroy(px->eps[i].static_data);
    }
    free(px->eps);
    free(px->fetchers);
    free(px->calls);
    free(px);
}
