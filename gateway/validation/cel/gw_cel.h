/* gw_cel.h - CEL (Common Expression Language) for validation/cel: compile, type-check, evaluate. */
#ifndef GW_CEL_H
#define GW_CEL_H

#include "cmn_err.h"
#include "cmn_go_tz.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- values ---------------------------------------------------------------------------------
 * A CEL value is a small struct passed by value (24 bytes). Strings, bytes, lists and maps point
 * at memory they do not own: literals of a program, an evaluation arena, or the caller's data
 * (header values, jansson documents). Such data must outlive the evaluation that reads it. */
enum gw_cel_kind {
    GW_CEL_NULL = 0,
    GW_CEL_BOOL,
    GW_CEL_INT,
    GW_CEL_UINT,
    GW_CEL_DOUBLE,
    GW_CEL_STRING, /* UTF-8 (not checked for values the caller supplies), s/n */
    GW_CEL_BYTES,
    GW_CEL_LIST,
    GW_CEL_MAP,
    GW_CEL_TIMESTAMP, /* ts.sec since the Unix epoch, n = nanoseconds, ts.off = UTC offset (s) */
    GW_CEL_DURATION,  /* i = nanoseconds */
    GW_CEL_TYPE,      /* i = enum gw_cel_rtype */
    GW_CEL_ERROR,     /* s/n = message */
    GW_CEL_UNKNOWN,   /* i = id of the expression that read an unknown variable */
};

/* Runtime type values, as type() returns them. */
enum gw_cel_rtype {
    GW_CEL_RT_NULL = 0,
    GW_CEL_RT_BOOL,
    GW_CEL_RT_INT,
    GW_CEL_RT_UINT,
    GW_CEL_RT_DOUBLE,
    GW_CEL_RT_STRING,
    GW_CEL_RT_BYTES,
    GW_CEL_RT_LIST,
    GW_CEL_RT_MAP,
    GW_CEL_RT_TIMESTAMP,
    GW_CEL_RT_DURATION,
    GW_CEL_RT_TYPE,
};

struct gw_cel_val {
    uint8_t kind;  /* enum gw_cel_kind */
    uint8_t flags; /* private */
    uint16_t pad;
    uint32_t n; /* string/bytes/error length, timestamp nanoseconds */
    union {
        bool b;
        int64_t i;
        uint64_t u;
        double d;
        const char *s;
        struct {
            const void *a;
            const void *b;
        } p;
        struct {
            int64_t sec;
            int32_t off;
        } ts;
    } v;
};

/* Scalar constructors (no allocation; strings are borrowed). */
struct gw_cel_val gw_cel_null(void);
struct gw_cel_val gw_cel_bool(bool b);
struct gw_cel_val gw_cel_int(int64_t i);
struct gw_cel_val gw_cel_uint(uint64_t u);
struct gw_cel_val gw_cel_double(double d);
struct gw_cel_val gw_cel_string(const char *s, size_t n);
struct gw_cel_val gw_cel_bytes(const void *s, size_t n);
/* Timestamp of sec/nsec since the epoch, printed with the given UTC offset. */
struct gw_cel_val gw_cel_timestamp(int64_t sec, int32_t nsec, int32_t utc_offset);
struct gw_cel_val gw_cel_duration(int64_t nanos);

/* Size of a list or map value (0 for other kinds). */
size_t gw_cel_size(const struct gw_cel_val *v);

/* Renders a value as cel-go's %v does, for logs ("true", "42", "abc", "[1, 2]"). Writes at most
 * n bytes including the NUL; returns the length it wanted (like snprintf). */
size_t gw_cel_format(const struct gw_cel_val *v, char *buf, size_t n);

/* ---- evaluation arena -----------------------------------------------------------------------
 * Every allocation of an evaluation (activation, intermediate lists, strings, error messages)
 * comes from an arena owned by the caller: one per worker thread, reset between requests. */
struct gw_cel_arena;

/* New arena that refuses to hold more than max_bytes (0 = 8 MiB). Owned; NULL on failure. */
struct gw_cel_arena *gw_cel_arena_new(size_t max_bytes);
/* Forgets every allocation (keeps up to 64 KiB of memory for the next request). */
void gw_cel_arena_reset(struct gw_cel_arena *a);
void gw_cel_arena_destroy(struct gw_cel_arena *a);
/* Bytes currently handed out. */
size_t gw_cel_arena_used(const struct gw_cel_arena *a);

/* ---- builders (arena-allocated aggregates) -------------------------------------------------- */
/* A list of n values copied into the arena. 0 or -1 when the arena is full. */
int gw_cel_list_new(struct gw_cel_arena *a, const struct gw_cel_val *items, size_t n,
                    struct gw_cel_val *out);
/* A map from n keys (int, uint, bool or string, no duplicates) and values. -1 on a full arena,
 * -2 on a bad or repeated key. */
int gw_cel_map_new(struct gw_cel_arena *a, const struct gw_cel_val *keys,
                   const struct gw_cel_val *vals, size_t n, struct gw_cel_val *out);

/* Ordered name/value pairs (header lines, query parameters, path parameters). Borrowed. */
struct gw_cel_kv {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
};
/* map(string, list(string)): pairs grouped by exact name, names in order of first appearance,
 * values in order. map(string, string) when as_lists is false (a repeated name: last wins).
 * At most 4096 pairs (-1 beyond, or when the arena is full). */
int gw_cel_map_from_kv(struct gw_cel_arena *a, const struct gw_cel_kv *kv, size_t n, bool as_lists,
                       struct gw_cel_val *out);

/* Host documents (JSON trees) read in place: nothing is converted until an expression reads it.
 * The ops are called during evaluation from any thread; they must not allocate or block. */
enum gw_cel_host_type {
    GW_CEL_HOST_NULL,
    GW_CEL_HOST_BOOL,
    GW_CEL_HOST_NUMBER,
    GW_CEL_HOST_STRING,
    GW_CEL_HOST_ARRAY,
    GW_CEL_HOST_OBJECT,
};
struct gw_cel_host_ops {
    enum gw_cel_host_type (*type)(const void *node);
    bool (*boolean)(const void *node);
    /* A number: *d always; text and len the lexeme as received when the host kept it, else NULL. */
    void (*number)(const void *node, double *d, const char **text, size_t *len);
    /* Optional (may be NULL): true with *i when the number is an exact integer. */
    bool (*integer)(const void *node, int64_t *i);
    void (*string)(const void *node, const char **s, size_t *len);
    size_t (*size)(const void *node); /* array length or object member count */
    const void *(*at)(const void *node, size_t i);
    const void *(*get)(const void *node, const char *key, size_t klen); /* NULL when absent */
    /* Object iteration: *it = NULL to start; false at the end. */
    bool (*next)(const void *node, void **it, const char **key, size_t *klen, const void **val);
};
/* How JSON numbers become CEL values. */
enum gw_cel_numbers {
    GW_CEL_NUMBERS_DOUBLE, /* Go float64: JWT claims (encoding/json into interface{}) */
    GW_CEL_NUMBERS_TEXT,   /* Go json.Number, a string to CEL: backend data (Lura UseNumber) */
};
/* A host node as a CEL value (objects become maps, arrays lists). In TEXT mode a number whose
 * host keeps no lexeme is printed with Go's float64 formatting into the evaluation arena (a
 * top-level number has no arena: pass objects or arrays, as resp_data and JWT are). */
struct gw_cel_val gw_cel_host(const struct gw_cel_host_ops *ops, const void *node,
                              enum gw_cel_numbers mode);
/* A jansson document read in place (borrowed: keep it alive while evaluating). In TEXT mode
 * integers print as decimals, reals with Go's formatting: jansson keeps no lexeme. */
struct gw_cel_val gw_cel_json(const json_t *j, enum gw_cel_numbers mode);

/* ---- environments and programs -------------------------------------------------------------- */
struct gw_cel_options {
    size_t max_expr_codepoints; /* 0 = 100000 (cel-go's limit) */
    uint32_t max_nodes;         /* AST nodes, 0 = 16384 */
    uint32_t max_depth;         /* AST depth and parser nesting, 0 = 250, at most 1000 */
    uint64_t max_iterations;    /* comprehension steps per evaluation, 0 = 100000 */
    size_t max_string_bytes;    /* largest string/bytes/list an evaluation builds, 0 = 1 MiB */
    bool backtick_idents;       /* `a-b` field syntax (off in KrakenD's cel-go environment) */
    /* Named zones for getHours('Europe/Paris') and friends (cmn_go_tz.h; borrowed, may be NULL:
     * named zones are then errors). Fixed offsets ("+02:00") and "UTC" need none. */
    struct cmn_go_tzdb *tzdb;
};

struct gw_cel_env;
/* An environment with the standard library and no variables. Owned; NULL on failure. */
struct gw_cel_env *gw_cel_env_new(const struct gw_cel_options *opt);
/* Declares a variable: type is "bool", "int", "uint", "double", "string", "bytes", "null_type",
 * "dyn", "timestamp", "duration", "list(T)" or "map(K, V)". Returns its slot (>= 0) or -1. */
int gw_cel_env_declare(struct gw_cel_env *env, const char *name, const char *type,
                       struct cmn_err *err);
/* KrakenD's validation/cel environment (spec §6.4): the variables below, in slot order. */
enum gw_cel_krakend_var {
    GW_CEL_VAR_NOW = 0,               /* string */
    GW_CEL_VAR_REQ_METHOD,            /* string */
    GW_CEL_VAR_REQ_PATH,              /* string */
    GW_CEL_VAR_REQ_PARAMS,            /* map(string, string) */
    GW_CEL_VAR_REQ_HEADERS,           /* map(string, list(string)) */
    GW_CEL_VAR_REQ_QUERYSTRING,       /* map(string, list(string)) */
    GW_CEL_VAR_RESP_COMPLETED,        /* bool */
    GW_CEL_VAR_RESP_METADATA_STATUS,  /* int */
    GW_CEL_VAR_RESP_METADATA_HEADERS, /* map(string, list(string)) */
    GW_CEL_VAR_RESP_DATA,             /* map(string, dyn) */
    GW_CEL_VAR_JWT,                   /* map(string, dyn) */
    GW_CEL_VAR_COUNT
};
struct gw_cel_env *gw_cel_env_new_krakend(const struct gw_cel_options *opt);
void gw_cel_env_destroy(struct gw_cel_env *env);

enum gw_cel_status {
    GW_CEL_OK = 0,
    GW_CEL_ERR_PARSE,       /* syntax, literal or limit error */
    GW_CEL_ERR_CHECK,       /* type-check error */
    GW_CEL_ERR_UNSUPPORTED, /* protobuf message literals: nothing KrakenD exposes */
    GW_CEL_ERR_NOMEM,
};
/* Where and why a compilation failed: 1-based line and column (in code points). */
struct gw_cel_diag {
    unsigned line, column;
    char msg[320];
};

struct gw_cel_program;
#define GW_CEL_NO_CHECK 0x1 /* skip the type checker (evaluation is dynamic anyway) */
/* Parses, checks (unless GW_CEL_NO_CHECK) and plans expr[0..len) in env (borrowed: it must
 * outlive the program). *out is owned by the caller; diag (may be NULL) says what failed. */
enum gw_cel_status gw_cel_compile(const struct gw_cel_env *env, const char *expr, size_t len,
                                  unsigned flags, struct gw_cel_program **out,
                                  struct gw_cel_diag *diag);
void gw_cel_program_destroy(struct gw_cel_program *p);
/* A problem compile-time analysis found but CEL reports at run time (an invalid constant
 * regular expression), or NULL. Borrowed. */
const char *gw_cel_program_warning(const struct gw_cel_program *p);

/* ---- activations and evaluation ------------------------------------------------------------ */
struct gw_cel_activation;
/* An activation for env in arena a, all variables unbound (reading one is an error). Lives until
 * the arena is reset. NULL when the arena is full. */
struct gw_cel_activation *gw_cel_activation_new(struct gw_cel_arena *a,
                                                const struct gw_cel_env *env);
/* Binds a variable by slot or by name; -1 when unknown. */
int gw_cel_activation_set(struct gw_cel_activation *act, int slot, struct gw_cel_val v);
int gw_cel_activation_set_name(struct gw_cel_activation *act, const char *name,
                               struct gw_cel_val v);
/* Marks a variable as unknown (partial evaluation): reading it yields an unknown value. */
int gw_cel_activation_set_unknown(struct gw_cel_activation *act, int slot);
struct gw_cel_arena *gw_cel_activation_arena(struct gw_cel_activation *act);

/* Evaluates p against act. The result may be an error or unknown value; its memory lives in
 * act's arena or in p. Never fails otherwise: memory and iteration caps become error values. */
struct gw_cel_val gw_cel_eval(const struct gw_cel_program *p, struct gw_cel_activation *act);

/* ---- KrakenD validation/cel (spec §6) ------------------------------------------------------- */
/* The time as KrakenD passes `now`: Go's "2006-01-02T15:04:05.999Z07:00" (local time, up to 3
 * fraction digits with trailing zeros trimmed, Z for UTC). Returns the length written. */
#define GW_CEL_NOW_MAX 40
size_t gw_cel_format_now(int64_t unix_sec, int32_t nsec, int32_t utc_offset,
                         char out[GW_CEL_NOW_MAX]);

/* Request-phase variables (pre). Everything borrowed. */
struct gw_cel_req_vars {
    const char *method;
    size_t method_len;
    const char *path;
    size_t path_len;
    const struct gw_cel_kv *params; /* names exactly as KrakenD stores them ("Id", "JWT.sub") */
    size_t n_params;
    const struct gw_cel_kv *headers; /* the headers sent upstream, canonical names, in order */
    size_t n_headers;
    const struct gw_cel_kv *query; /* filtered query string pairs, in order */
    size_t n_query;
    const char *now; /* gw_cel_format_now() */
    size_t now_len;
};
/* Response-phase variables (post). */
struct gw_cel_resp_vars {
    bool completed;
    int64_t metadata_status; /* 0 unless the backend is no-op */
    const struct gw_cel_kv *metadata_headers;
    size_t n_metadata_headers;
    struct gw_cel_val data; /* a map: gw_cel_json()/gw_cel_host() in TEXT mode, or null = {} */
    const char *now;
    size_t now_len;
};
/* Bind the variables of one phase into act (an activation of gw_cel_env_new_krakend()). The
 * other phases' variables stay unbound, as in KrakenD. -1 when the arena is full. */
int gw_cel_bind_request(struct gw_cel_activation *act, const struct gw_cel_req_vars *rv);
int gw_cel_bind_response(struct gw_cel_activation *act, const struct gw_cel_resp_vars *rv);
/* JWT phase: claims is the verified payload object (numbers become doubles). */
int gw_cel_bind_jwt(struct gw_cel_activation *act, const json_t *claims, const char *now,
                    size_t now_len);

enum gw_cel_phase {
    GW_CEL_PHASE_PRE = 0, /* expressions mentioning "req" */
    GW_CEL_PHASE_POST,    /* "resp" */
    GW_CEL_PHASE_JWT,     /* "JWT" (endpoint level only) */
    GW_CEL_PHASE_COUNT
};
enum gw_cel_level { GW_CEL_LEVEL_ENDPOINT, GW_CEL_LEVEL_BACKEND };
/* What became of the pre/post component of one endpoint or backend (spec §6.3). */
enum gw_cel_state {
    GW_CEL_ABSENT = 0, /* no validation/cel, or a value Go's decoder refuses: nothing runs */
    GW_CEL_ACTIVE,     /* the phases below run (possibly with zero checks) */
    GW_CEL_DROPPED,    /* a parse error in a pre/post expression: fail-open, log WARNING */
};
/* What became of one configured expression. */
struct gw_cel_expr_info {
    const char *expr;              /* borrowed from the checks */
    unsigned phases;               /* bit (1 << phase) for each phase the text selects */
    int index[GW_CEL_PHASE_COUNT]; /* 0-based evaluator number in each phase, -1 if none */
    enum gw_cel_status status;     /* OK, or why it was skipped (CHECK) / dropped the lot (PARSE) */
    struct gw_cel_diag diag;
};

struct gw_cel_checks;
/* Compiles the value of a validation/cel key (the array of {"check_expr": ...}) as KrakenD
 * does: classification by substring, parse errors drop the component (or disable the JWT
 * rejecter), type-check errors skip one expression. cfg may be NULL (ABSENT). env is a
 * gw_cel_env_new_krakend() environment (borrowed). *out is owned; -1 only on allocation
 * failure (err set). */
int gw_cel_checks_new(const struct gw_cel_env *env, const json_t *cfg, enum gw_cel_level level,
                      struct gw_cel_checks **out, struct cmn_err *err);
void gw_cel_checks_destroy(struct gw_cel_checks *c);
enum gw_cel_state gw_cel_checks_state(const struct gw_cel_checks *c);
/* JWT rejecter: true when it exists (endpoint level, no parse error in a JWT expression). */
bool gw_cel_checks_jwt_enabled(const struct gw_cel_checks *c);
/* The parse error that dropped the component or disabled the rejecter ("error parsing the
 * expression ..."), or NULL. Borrowed. */
const char *gw_cel_checks_drop_reason(const struct gw_cel_checks *c, enum gw_cel_phase ph);
size_t gw_cel_checks_count(const struct gw_cel_checks *c, enum gw_cel_phase ph);
size_t gw_cel_checks_exprs(const struct gw_cel_checks *c);
const struct gw_cel_expr_info *gw_cel_checks_expr(const struct gw_cel_checks *c, size_t i);

/* The outcome of running one phase. */
enum gw_cel_verdict_kind {
    GW_CEL_PASSED = 0, /* every check returned true (or the phase has none) */
    GW_CEL_FALSE,      /* check #index returned false, a non-bool value or an unknown */
    GW_CEL_FAILED,     /* check #index ended in an error */
};
struct gw_cel_verdict {
    enum gw_cel_verdict_kind kind;
    int index;                /* 0-based within the phase, -1 when passed */
    struct gw_cel_val result; /* the offending result (valid until the arena is reset) */
    char message[64];         /* "request aborted by evaluator #<i>" */
};
/* Runs the checks of phase ph in order, stopping at the first that is not boolean true.
 * Returns 0 when passed, 1 when rejected (see v). A phase of a DROPPED/ABSENT component, or the
 * JWT phase of a disabled rejecter, always passes. */
int gw_cel_checks_eval(const struct gw_cel_checks *c, enum gw_cel_phase ph,
                       struct gw_cel_activation *act, struct gw_cel_verdict *v);

#endif
