/* gw_lua_int.h - the Lua modules' shared parts (not for other modules): a block's options
 * (gw_lua_config.c), the per-thread VMs and the sessions scripts run in (gw_lua_vm.c, sandbox
 * in gw_lua_sandbox.c), the data objects (gw_lua_data.c), the request/response/ctx objects
 * (gw_lua_api_*.c), http_response (gw_lua_http.c) and the error mapping (gw_lua_error.c). */
#ifndef GW_LUA_INT_H
#define GW_LUA_INT_H

#include "cmn_err.h"
#include "gw_config.h"
#include "gw_gojson.h"
#include "gw_message.h"
#include "gw_proxy_request.h"
#include "gw_proxy_response.h"

#include <jansson.h>
#include <lauxlib.h>
#include <lua.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- limits (docs/modifiers.md "Lua: bounds") --------------------------------------------- */

#define GW_LUA_MEM_MAX (64u * 1024 * 1024) /* bytes one thread's VM may hold */
#define GW_LUA_INSTRUCTIONS 50000000L /* VM instructions one run (sources, pre, post) may use */
#define GW_LUA_SOURCE_MAX (4u * 1024 * 1024) /* bytes of one source file */
#define GW_LUA_NODES_MAX 1000000u /* data values (and 64-byte units of text) a session may create  \
                                   */
#define GW_LUA_DEPTH_MAX 64       /* nesting of a Lua table turned into data */
#define GW_LUA_HTTP_BODY_MAX (16u * 1024 * 1024) /* http_response body */

/* The instruction budget runs use (GW_LUA_INSTRUCTIONS); tests and fuzz targets lower it. */
extern long gw_lua_instructions;

/* ---- options (gw_lua_config.c) -------------------------------------------------------------- */

enum gw_lua_level {
    GW_LUA_SERVICE = 0, /* modifier/lua-endpoint in the service's extra_config */
    GW_LUA_ENDPOINT,    /* modifier/lua-endpoint in an endpoint */
    GW_LUA_PROXY,       /* modifier/lua-proxy */
    GW_LUA_BACKEND,     /* modifier/lua-backend */
};

struct gw_lua_source {
    char *path; /* as configured (relative to the working directory) */
    char *text; /* read at start (NULL with live, or when unreadable) */
    size_t len;
    size_t lines; /* lines after trimming leading and trailing newlines (KrakenD's source map) */
};

/* One configured Lua block (immutable after gw_lua_block_new). */
struct gw_lua_block {
    unsigned id; /* dense, for the VMs' chunk caches */
    enum gw_lua_level level;
    char *log_prefix; /* "[ENDPOINT: /x][Lua]" */
    struct gw_lua_source *sources;
    size_t n_sources;
    char *pre, *post;
    size_t pre_len, post_len;
    bool live, open_libs, skip_next;
    const char *missing; /* a source unreadable at start (static mode): every run fails */
    bool counted;        /* holds a reference on the runtime (gw_lua_runtime_ref) */
};

/* Reads the namespace value ns (borrowed) of a block at `level`. Returns NULL with err clear
 * when there is no Lua there (the namespace is not an object, or an md5 does not match: logged
 * at DEBUG as KrakenD does), or NULL with err set to refuse the configuration. where: the
 * endpoint path or backend url_pattern for log lines (NULL at service level). */
struct gw_lua_block *gw_lua_block_new(const json_t *ns, enum gw_lua_level level, const char *where,
                                      struct cmn_err *err);
void gw_lua_block_destroy(struct gw_lua_block *b);

/* ---- errors (gw_lua_error.c) ----------------------------------------------------------------- */

/* What a failed run reports. */
struct gw_lua_error {
    unsigned status;    /* custom_error's code (100-999), 0 = a plain error */
    char *msg;          /* owned */
    char *content_type; /* custom_error's third argument, owned, may be NULL */
};

void gw_lua_error_free(struct gw_lua_error *e);
/* The error as a proxy error (status errors carry their code and content type). Moves e. */
void gw_lua_error_to_perr(struct gw_lua_error *e, struct gw_perr *out);

enum gw_lua_chunk { GW_LUA_SOURCES = 0, GW_LUA_PRE, GW_LUA_POST };

/* Builds the message of a Lua error raised while running `which` of block b: a position
 * "chunk:LINE: " in front of raw is replaced by KrakenD's " (<file>:L<n>)" suffix (files of the
 * sources by their base name, "pre-script"/"post-script" for the inline code). Owned. */
char *gw_lua_error_text(const struct gw_lua_block *b, enum gw_lua_chunk which, const char *raw,
                        size_t len);

/* ---- sessions (gw_lua_vm.c) ------------------------------------------------------------------ */

enum gw_lua_target_kind { GW_LUA_T_CTX = 0, GW_LUA_T_PROXY, GW_LUA_T_BACKEND };

/* What the API objects of a session act on (all borrowed; valid while the session is open). */
struct gw_lua_target {
    enum gw_lua_target_kind kind;
    struct gw_inreq *in;           /* ctx and proxy: the request (changeable) */
    struct gw_outreq *out;         /* backend: the request to send (changeable) */
    const struct gw_inreq *client; /* backend: the client's request (params, query) */
    /* backend: Lura's Params the sequential merge added ("Resp0_first.foo", "Resp0") */
    const struct gw_seqparam *seq_params;
    size_t n_seq_params;
    const struct gw_endpoint *ep;  /* may be NULL at service level */
    const struct gw_backend *backend;
    int64_t deadline_ms;   /* http_response's time limit (mono ms; 0: 60 s) */
    struct gw_presp *resp; /* post: the response (set by gw_lua_session_response) */
    const char *raw_path;  /* ctx: the path as received (url()) */
    /* set by the script where KrakenD keeps a value that changes nothing (kept strings) */
    const char *url_set, *path_set, *query_set;
    struct gw_json *params; /* proxy/backend: request:params() (first letters upper-cased) */
};

struct gw_lua_session;

/* Opens a session of block b on the calling thread's VM and runs the sources (KrakenD's
 * WithConfig). NULL with *err set when that fails (err->msg owned). t is copied. */
struct gw_lua_session *gw_lua_session_open(const struct gw_lua_block *b,
                                           const struct gw_lua_target *t, struct gw_lua_error *err);
/* Runs pre or post (also when empty). false with *err set on failure. Same thread as open. */
bool gw_lua_session_run(struct gw_lua_session *s, enum gw_lua_chunk which,
                        struct gw_lua_error *err);
/* Gives post its `response`: a NULL data becomes {} (as KrakenD does even without post). */
bool gw_lua_session_response(struct gw_lua_session *s, struct gw_presp *resp);
/* Closes the session (NULL accepted): everything it created is freed. Same thread as open. */
void gw_lua_session_close(struct gw_lua_session *s);

/* Module-wide: blocks hold a reference while they exist; the last one going frees every VM. */
void gw_lua_runtime_ref(void);
void gw_lua_runtime_unref(void);
unsigned gw_lua_next_block_id(void);

/* ---- inside a run: what the API functions reach (gw_lua_vm.c) -------------------------------- */

struct gw_lua_vm;

/* The session running on L (never NULL inside an API call). */
struct gw_lua_session *gw_lua_current(lua_State *L);
uint64_t gw_lua_session_id(const struct gw_lua_session *s);
bool gw_lua_session_open_libs(const struct gw_lua_session *s);
/* Whether the session made data values (only those can nest a response past the parser's
 * depth: an untouched response needs no check). */
bool gw_lua_session_made_data(const struct gw_lua_session *s);
/* The running session spent its instruction budget (nothing may catch that error). */
bool gw_lua_session_exhausted(const struct gw_lua_session *s);
struct gw_lua_target *gw_lua_session_target(struct gw_lua_session *s);
/* Takes v (a root the session owns until it is attached somewhere); Lua error on the cap. */
void gw_lua_session_own(lua_State *L, struct gw_lua_session *s, struct gw_json *v);
/* Gives up ownership of v (it was attached into another value). true when it was owned. */
bool gw_lua_session_disown(struct gw_lua_session *s, const struct gw_json *v);
/* Counts n new data values against GW_LUA_NODES_MAX (Lua error past it). */
void gw_lua_session_count(lua_State *L, struct gw_lua_session *s, size_t n);
/* Keeps a string alive for the session (a body set on a backend request); owned. */
const char *gw_lua_session_keep(lua_State *L, struct gw_lua_session *s, const char *p, size_t n);
/* Keeps an http_response answer until the session ends (freed with gw_lua_http_free); on
 * failure frees it and raises. */
void gw_lua_session_keep_http(lua_State *L, struct gw_lua_session *s, void *answer);
/* Records custom_error's details and raises the error (does not return). */
int gw_lua_raise_custom(lua_State *L, const char *msg, size_t len, int code, const char *ct);

/* ---- the data objects (gw_lua_data.c) -------------------------------------------------------- */

enum gw_lua_ud_kind {
    GW_LUA_UD_TABLE = 0, /* luaTable: a JSON object */
    GW_LUA_UD_LIST,      /* luaList: a JSON array */
    GW_LUA_UD_NIL,       /* luaNil */
    GW_LUA_UD_CTX,
    GW_LUA_UD_REQUEST,
    GW_LUA_UD_RESPONSE,
    GW_LUA_UD_HTTP,
    GW_LUA_UD_KINDS,
};

/* Every userdata the API hands out. */
struct gw_lua_ud {
    uint64_t sid; /* the session it belongs to: any other session refuses it */
    enum gw_lua_ud_kind kind;
    struct gw_json *node; /* table/list: the value (owned by a response, or by the session) */
    bool free_standing;   /* table/list made by the script and not attached anywhere yet */
    void *ptr;            /* http: its answer */
};

/* Registers the metatables of every kind (at VM creation). */
void gw_lua_data_init(lua_State *L);
/* Pushes a new userdata of kind over node/ptr for the running session. */
struct gw_lua_ud *gw_lua_push_ud(lua_State *L, enum gw_lua_ud_kind kind, struct gw_json *node,
                                 bool free_standing, void *ptr);
/* The userdata at idx when it is of kind and belongs to the running session; else raises
 * `expected` (KrakenD's "response expected", ...). */
struct gw_lua_ud *gw_lua_check_ud(lua_State *L, int idx, enum gw_lua_ud_kind kind,
                                  const char *expected);
/* Pushes a data value as KrakenD's get does (strings, numbers, booleans, luaTable/luaList over
 * node, luaNil). */
void gw_lua_push_value(lua_State *L, struct gw_json *v);
/* The Lua value at idx as data to store into target, as KrakenD's set does (top: a Lua table
 * becomes an object; nested tables with integer keys become lists). *skip set (and NULL
 * returned) when the value is ignored (functions, nil, other userdata). Owned; takes over a
 * free-standing table/list unless target is inside it. */
struct gw_json *gw_lua_to_value(lua_State *L, int idx, const struct gw_json *target, bool *skip);
/* Depth of v (1 for a scalar), walking at most to limit+1; with find, whether find is inside.
 * Iterative: scripts can nest values past any recursion's reach. */
size_t gw_lua_json_depth(const struct gw_json *v, size_t limit, const struct gw_json *find,
                         bool *found);
/* What copying v costs against GW_LUA_NODES_MAX (values, plus a unit per 64 bytes of text),
 * counted up to limit+1. */
size_t gw_lua_json_cost(const struct gw_json *v, size_t limit);
/* Frees v without recursion. */
void gw_lua_json_free(struct gw_json *v);
/* A new luaTable (free-standing, session-owned) built from string pairs or string lists. */
void gw_lua_push_string_map(lua_State *L, const char *const *keys, const char *const *vals,
                            size_t n);
void gw_lua_push_hdrs_table(lua_State *L, const struct gw_hdrs *h);
void gw_lua_push_hdr_list(lua_State *L, const struct gw_hdrs *h, const char *name, bool exact);
/* headerList(k, list): the values of a luaList as KrakenD formats them with %s. Fills h with the
 * values under name (replacing). Raises "invalid header value, must be a luaList". */
void gw_lua_set_hdr_list(lua_State *L, int idx, struct gw_hdrs *h, const char *name);
/* KrakenD's Arg(n).String(): strings, and numbers as Lua prints them; else a Lua error. */
const char *gw_lua_arg_string(lua_State *L, int idx, size_t *len);
/* gw_lua_arg_string for a header name or value the script writes. Headers are C strings, which
 * cannot hold a NUL byte: one becomes DEL (0x7f), which the one field rule (cmn_http_field)
 * refuses where Go refuses the NUL, instead of cutting the field short. The copy (only when
 * there is a NUL) lives on the Lua stack until the C function returns. */
const char *gw_lua_arg_field(lua_State *L, int idx);
/* The same in place, for text the module built itself (a luaList's items). */
void gw_lua_field_nul(char *s, size_t n);
/* Go's %v of a Lua number as a map key / Go's fmt of numbers (integral: no exponent). */
void gw_lua_number_text(double d, char *out, size_t size);

/* ---- the request, response and ctx objects (gw_lua_api_*.c) ---------------------------------- */

void gw_lua_api_ctx_init(lua_State *L);   /* ctx methods */
void gw_lua_api_proxy_init(lua_State *L); /* request and response methods */
void gw_lua_http_init(lua_State *L);      /* http_response methods */
int gw_lua_ctx_load(lua_State *L);
int gw_lua_request_load(lua_State *L);
int gw_lua_response_load(lua_State *L);
int gw_lua_http_new(lua_State *L);
/* Frees an http_response's answer (session close). */
void gw_lua_http_free(void *answer);

/* luaTable.new(), luaList.new(), luaNil.new() (gw_lua_data.c). */
int gw_lua_table_new(lua_State *L);
int gw_lua_list_new(lua_State *L);
int gw_lua_nil_new(lua_State *L);

/* Shared by the ctx and request objects (gw_lua_api_ctx.c). */
void gw_lua_replace_field(lua_State *L, struct gw_inreq *r, char **field, const char *s, size_t n);
void gw_lua_inreq_set_param(lua_State *L, struct gw_inreq *r, const char *k, const char *v);
int gw_lua_req_headers(lua_State *L, struct gw_hdrs *h);
int gw_lua_req_header_list(lua_State *L, struct gw_hdrs *h);
int gw_lua_inreq_body(lua_State *L, struct gw_inreq *r);
/* url.Values over raw: v set: Set(k, v) and Encode; k only: Get(k); neither: Encode. The
 * result goes into out (room bytes, gw_lua_query_room). */
bool gw_lua_query_op(const char *raw, const char *k, const char *v, char *out, size_t room);
size_t gw_lua_query_room(const char *raw, size_t extra);

/* Registers methods into the metatable's method table of kind (gw_lua_data.c). */
void gw_lua_set_methods(lua_State *L, enum gw_lua_ud_kind kind, const luaL_Reg *methods);

#endif
