/* tu_lua.h - running Lua blocks in a test: a block from JSON text, a session over a request
 * (and a response), the outcome as text. */
#ifndef TU_LUA_H
#define TU_LUA_H

#include "gw_lua_int.h"

#include <stdbool.h>

struct tu_lua {
    struct gw_lua_block *b;
    struct gw_inreq in;
    struct gw_outreq out;
    struct gw_endpoint ep;
    struct gw_backend be;
    struct gw_presp *resp;
    const struct gw_seqparam *seq; /* backend: the sequential merge's params (borrowed) */
    size_t n_seq;
    struct gw_lua_session *s;
    struct gw_lua_error err;
    bool ok;
};

/* A block of level from the namespace's JSON value; fails the test when it does not build. */
struct gw_lua_block *tu_lua_block(const char *json, enum gw_lua_level level);
/* A request GET /p?q with headers "A: 1" pairs (NULL-terminated list of name, value). */
void tu_lua_request(struct gw_inreq *in, const char *method, const char *path, const char *query,
                    const char *const *headers, const char *body);
/* Opens a session of kind over t's request and runs pre (and post on t->resp when post). */
bool tu_lua_run(struct tu_lua *t, enum gw_lua_target_kind kind, bool post);
/* Frees everything; err->msg stays readable until then. */
void tu_lua_free(struct tu_lua *t);
/* The response data rendered as JSON (owned by t, valid until tu_lua_free). */
const char *tu_lua_data(struct tu_lua *t);

#endif
