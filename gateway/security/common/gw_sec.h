/* gw_sec.h - what the security modules (CORS, HTTP security, bot detector) read of a request,
 * how they write to the response, and where each of them runs in the pipeline (KrakenD §1).
 *
 * The modules are sans-IO: the server adapts its own request to struct gw_sec_request (borrowed
 * strings, a header lookup callback) and its response to struct gw_sec_response (two callbacks),
 * calls a module and acts on the struct gw_sec_answer it gets back. */
#ifndef GW_SEC_H
#define GW_SEC_H

#include "cmn_buf.h"
#include "cmn_log.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A request as Go's net/http shows it to a handler. Every string is borrowed for the call. */
struct gw_sec_request {
    const char *method; /* as received, case-sensitive ("GET"); never NULL */
    const char *host;   /* Go's r.Host: the authority of an absolute-form target, else the Host
                         * header (HTTP/2: :authority); "" when there is none */
    const char *path;   /* raw path before '?', as received ("/a%20b"); "*" for OPTIONS * */
    const char *query;  /* raw query after '?', "" when there is none */
    bool has_query;     /* a '?' was present, even with nothing after it */
    const char *scheme; /* scheme of an absolute-form target ("https"), "" for origin form */
    bool tls;           /* the connection is TLS */
    /* The i-th line (0-based, in arrival order) of the header named `name`, which the modules
     * always pass in Go's canonical form ("Access-Control-Request-Headers"); the adapter
     * compares names case-insensitively. NULL past the last line. The string is borrowed until
     * the request is answered. */
    const char *(*header)(void *ctx, const char *name, size_t i);
    void *ctx;
};

/* First line of a header (Go's Header.Get), NULL when absent. */
static inline const char *gw_sec_header(const struct gw_sec_request *r, const char *name)
{
    return r->header(r->ctx, name, 0);
}

/* Go's Header.Get: the first line, "" when absent. */
static inline const char *gw_sec_header_get(const struct gw_sec_request *r, const char *name)
{
    const char *v = r->header(r->ctx, name, 0);

    return v ? v : "";
}

/* The response being built. Both callbacks copy name and value and return false only when
 * they cannot allocate. `add` appends a line (Go's Header.Add); `set` replaces every line of
 * that name with this one (Header.Set). Names come in canonical form. */
struct gw_sec_response {
    bool (*add)(void *ctx, const char *name, const char *value);
    bool (*set)(void *ctx, const char *name, const char *value);
    void *ctx;
};

enum gw_sec_action {
    GW_SEC_CONTINUE = 0, /* go on with the next stage; headers written stay on the response */
    GW_SEC_ANSWER,       /* answer now with status and body; nothing after this stage runs */
    GW_SEC_CLOSE,        /* close the connection without answering (Go's handler panicked) */
    GW_SEC_FAIL,         /* a response callback could not allocate: answer 500 */
};

/* A module's verdict. The headers of an immediate answer were already written through the
 * struct gw_sec_response; the server adds only what Go adds to any answer (Date, and
 * Content-Length when the status allows a body), never Content-Type or X-Krakend. */
struct gw_sec_answer {
    enum gw_sec_action action;
    unsigned status;
    const char *body; /* borrowed: a static string or buf's data; NULL when empty */
    size_t body_len;
    struct cmn_buf buf; /* owns the body when it had to be built */
};

void gw_sec_answer_init(struct gw_sec_answer *a);
/* Frees what the answer owns; a may be NULL. The answer can be reused after init. */
void gw_sec_answer_free(struct gw_sec_answer *a);

/* Where the modules send log lines: level and message (the text after "LEVEL: " in KrakenD's
 * log, e.g. "[SERVICE: Gin][Botdetector] bot rejected"). fn may be NULL: nothing is logged. */
struct gw_sec_log {
    void (*fn)(void *ctx, enum cmn_log_level level, const char *msg);
    void *ctx;
};

void gw_sec_log_emit(const struct gw_sec_log *log, enum cmn_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Our own configuration warnings: an option read but not applied, a wrong type KrakenD
 * ignores silently, a value beyond one of this gateway's caps. Each names the JSON path. */
#define GW_SEC_MAX_WARNINGS 32
struct gw_sec_warnings {
    char *msg[GW_SEC_MAX_WARNINGS]; /* owned */
    size_t n;
    size_t dropped; /* warnings past the cap (or that could not be allocated) */
};

/* Appends a formatted warning; w may be NULL (ignored). */
void gw_sec_warn(struct gw_sec_warnings *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Frees the messages; w may be NULL. */
void gw_sec_warnings_free(struct gw_sec_warnings *w);

/* ---- where each module runs (KrakenD CE §1) ---- */

/* What the router did with a request that got past CORS. */
enum gw_sec_route {
    GW_SEC_ROUTE_ENDPOINT = 0, /* a configured endpoint */
    GW_SEC_ROUTE_DEBUG,        /* /__debug/ */
    GW_SEC_ROUTE_ECHO,         /* /__echo/ */
    GW_SEC_ROUTE_AUTO_OPTIONS, /* an OPTIONS route registered by router.auto_options */
    GW_SEC_ROUTE_HEALTH,       /* /__health (or router.health_path) */
    GW_SEC_ROUTE_NOT_FOUND,    /* gin's 404 chain */
    GW_SEC_ROUTE_NOT_ALLOWED,  /* gin's 405 chain */
    GW_SEC_ROUTE_REDIRECT,     /* gin's trailing-slash / fixed-path redirect */
};

enum gw_sec_stage {
    GW_SEC_STAGE_CORS = 0,     /* wraps the whole handler: before routing */
    GW_SEC_STAGE_HTTPSECURE,   /* engine middleware #4 (after access log, recovery, params) */
    GW_SEC_STAGE_BOT_SERVICE,  /* engine middleware #6 */
    GW_SEC_STAGE_BOT_ENDPOINT, /* outermost handler of one endpoint, before auth/validator */
};

/* Whether a stage runs for a request the router sent to `route`. CORS runs for every request
 * (it sits in front of the router); the engine middlewares skip /__health, which gin binds
 * before they are registered, and gin's redirects, which run no middleware at all; the
 * endpoint-level bot detector runs only for its endpoint. */
bool gw_sec_stage_runs(enum gw_sec_stage stage, enum gw_sec_route route);

/* ---- small Go semantics the modules share ---- */

/* Go's utf8.DecodeRuneInString: the rune at s[0..n) (n > 0) and its width; an invalid byte
 * is (U+FFFD, 1) with *ok false. */
uint32_t gw_sec_utf8_decode(const char *s, size_t n, size_t *width, bool *ok);

/* Go's http.CanonicalHeaderKey of s into a new string (owned; NULL on allocation failure):
 * "content-type" -> "Content-Type"; returned unchanged when s holds a byte that is not a
 * token character. */
char *gw_sec_canonical_header(const char *s);

#endif
