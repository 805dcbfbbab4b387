/* gw_proxy_int.h - the proxy's state, shared by the pipeline (gw_proxy.c) and the backend
 * chain each attempt runs through (gw_proxy_stage.c). Not for other modules. */
#ifndef GW_PROXY_INT_H
#define GW_PROXY_INT_H

#include "gw_proxy.h"
#include "gw_pstage.h"
#include "gw_sd.h"
#include "gw_stage.h"

#include <stdatomic.h>

#define MAX_CONCURRENT 16 /* concurrent_calls above this are capped */

/* The stages of one backend, outer to inner. */
struct backend_rt {
    struct gw_stage *stages;
    size_t n_stages;
};

/* Lura's sequentialBackendReplacement: a parameter for the backend at one position, read from
 * the response of an earlier one ({respN_x} placeholders, sequential_propagated_params). */
struct seq_repl {
    size_t source;          /* position of the source backend in the pipe */
    char *dest;             /* Lura's Params key: "Resp0_first.foo", "Resp0" */
    struct gw_strlist path; /* the name split on '.'; empty for the whole response */
    bool full;              /* the whole body of a no-op backend */
};

/* The backends one pipe runs (krakend-config-transform.md §6.3): the endpoint's backends that
 * are not shadows, or its shadow ones, each merged, static and flatmapped on its own. */
struct pipe_rt {
    size_t *bidx; /* the endpoint's index of the backend at each position */
    size_t n;
    bool merging, sequential;
    struct seq_repl **repl; /* per position, sequential pipes only */
    size_t *n_repl;
    int64_t timeout_ms; /* deadline from the call's start: the endpoint's, or the largest
                           shadow_timeout of a shadow pipe */
};

struct ep_rt {
    const struct gw_endpoint *cfg;
    struct gw_json *static_data;
    atomic_uint *rr;             /* round-robin position per backend */
    struct gw_sd_sub **sd;       /* per backend: its sd "dns" subscription or NULL; NULL when
                                    the endpoint has none */
    struct backend_rt *backends; /* per backend */
    struct gw_pstage *pstages;   /* proxy stages around the pipe, outer to inner */
    size_t n_pstages;
    struct pipe_rt main;         /* n == 0: every backend is a shadow (the route answers 500) */
    struct pipe_rt shadow;       /* n == 0: no shadow backends */
};

struct gw_proxy {
    const struct gw_config *cfg;
    struct gw_fetcher **fetchers; /* one per worker loop */
    size_t n_loops;
    struct ep_rt *eps;
    size_t n_eps;
    struct call **calls; /* per loop, touched by that loop's thread only */
    struct gw_sd *sd;    /* sd "dns" lookups; NULL when no backend has them */
};

struct part;

/* One attempt at a backend (concurrent_calls makes several per part). */
struct attempt {
    struct part *part;
    struct gw_fetch *fetch; /* the HTTP request in flight, or NULL */
    /* with stages only: */
    struct gw_outreq out;            /* the attempt's own request */
    struct gw_stage_call *sc;        /* one per stage of the backend */
    size_t n_entered;                /* stages whose `before` ran: `end` is owed to them */
    struct gw_stage_resume *waiting; /* a stage's GW_STAGE_WAIT, until it resumes */
    struct gw_stage_resume *spare;   /* the handle the next waiting stage would get */
    struct deferred *deferred;       /* an outcome reached inside attempt_start, posted */
    int64_t deadline_ms;
    /* the flags together: a call (MAX_CONCURRENT attempts per part) stays within the
     * allocator's 3 KiB size class for one backend */
    bool active; /* started and not finished */
    bool starting, failed_start;
};

struct part {
    struct call *call;
    size_t idx;  /* position in the pipe */
    size_t bidx; /* the endpoint's backend index */
    char *body;  /* a body the proxy made for this backend (GraphQL), borrowed by the attempts */
    struct attempt att[MAX_CONCURRENT];
    size_t n_att, att_pending;
    struct gw_presp *resp;
    struct gw_perr err;
    bool has_err;
    bool finished;
};

/* What a sequential pipe keeps of a complete response for the backends after it. */
struct seq_part {
    struct gw_json *data; /* a copy, NULL for nil data */
    char *body;           /* no-op backends: the body (the "Resp0" whole-response form) */
    size_t body_len;
    bool done, has_body;
};

struct call {
    struct gw_proxy *px;
    size_t loop;
    struct ep_rt *ep;
    const struct pipe_rt *pipe;
    bool shadow; /* a shadow pipe's call: its outcome is discarded, its errors not logged */
    struct gw_inreq in;
    gw_proxy_done_fn done;
    void *arg;
    int64_t start_ms, deadline_ms, merge_deadline_ms;
    struct part *parts;
    size_t n_parts;
    bool sequential, merging, starting, finalized;
    struct gw_merge merge;
    struct seq_part *seq;       /* per position, sequential pipes only */
    struct gw_seqparam *params; /* Lura's request Params the sequential merge set so far */
    size_t n_params, cap_params;
    struct gw_pstage_call *psc; /* one per proxy stage of the endpoint */
    size_t n_pentered;          /* proxy stages whose `before` ran: `end` is owed to them */
    struct gw_perr perr;        /* the error a proxy stage made the outcome */
    struct call *prev, *next;
    struct part part_mem[]; /* parts points here: one allocation per call */
};

/* gw_proxy_stage.c: starts attempt a with request out (taken when take, else copied); false
 * when it could not start (nothing was called). The outcome reaches attempt_finished. */
bool attempt_start(struct attempt *a, struct gw_outreq *out, bool take, int64_t deadline_ms);
/* Stops an attempt that is still running: no outcome is reported. */
void attempt_cancel(struct attempt *a);

/* gw_proxy.c: an attempt ended with resp (owned, may be NULL) or err (moved when has_err). */
void attempt_finished(struct attempt *a, struct gw_presp *resp, struct gw_perr *err, bool has_err);

/* gw_proxy_pstage.c: the proxy stages' `before`, outer to inner. true: go on with the pipe;
 * false: a stage failed or skipped, and *resp and *err hold the outcome to finalise with (the
 * stages outside it still get `after`, from index *from down). */
bool pstages_before(struct call *c, struct gw_presp **resp, struct gw_pipe_err *err,
                    size_t *from);
/* `after` of the proxy stages [0, from), inner to outer, on the outcome (*resp, *err); a stage
 * that fails replaces it with c->perr. */
void pstages_after(struct call *c, size_t from, struct gw_presp **resp, struct gw_pipe_err *err);
/* `end` of every proxy stage that entered; frees c->psc. */
void pstages_end(struct call *c);
bool proxy_pstages_build(struct gw_proxy *px, const struct gw_pstage_factory *const *f, size_t n,
                         struct cmn_err *err);
void proxy_pstages_free(struct gw_proxy *px);

/* gw_proxy_seq.c: the replacements of a sequential pipe (built once per endpoint), and, per
 * call, the parameters they give the backend at position pos (added to c->params) and what a
 * complete response leaves for the later ones. */
bool seq_plan_build(struct pipe_rt *pipe, const struct gw_endpoint *ep, struct cmn_err *err);
void seq_plan_free(struct pipe_rt *pipe);
bool seq_compute(struct call *c, size_t pos);
void seq_record(struct call *c, size_t pos, const struct gw_presp *resp);
void seq_call_free(struct call *c);

/* gw_proxy_shadow.c: a deep copy of the client's request for a shadow call; the two share the
 * claims (the last one freed frees them). false on allocation failure (dst empty). */
bool shadow_inreq_dup(struct gw_inreq *src, struct gw_inreq *dst);

/* Builds and frees the stages of every backend from the factories. */
bool proxy_stages_build(struct gw_proxy *px, const struct gw_stage_factory *const *f, size_t n,
                        struct cmn_err *err);
void proxy_stages_free(struct gw_proxy *px);

#endif
