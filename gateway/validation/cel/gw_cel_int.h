/* gw_cel_int.h - internals shared by the CEL module's files: arena, aggregates, AST, planning. */
#ifndef GW_CEL_INT_H
#define GW_CEL_INT_H

#include "gw_cel.h"

#include "cmn_go_re.h"

#include <stdarg.h>

/* ---- arena ---------------------------------------------------------------------------------- */
struct gw_cel_chunk {
    struct gw_cel_chunk *next;
    size_t size, used;
    unsigned char data[];
};
struct gw_cel_arena {
    struct gw_cel_chunk *head;
    size_t total; /* bytes handed out since the last reset */
    size_t cap;
};
/* 16-byte aligned, zeroed memory or NULL past the cap. */
void *cel_alloc(struct gw_cel_arena *a, size_t n);
char *cel_strdup(struct gw_cel_arena *a, const char *s, size_t n);
void cel_arena_init(struct gw_cel_arena *a, size_t cap);
void cel_arena_free(struct gw_cel_arena *a);

/* ---- aggregates ----------------------------------------------------------------------------- */
#define VF_HOST 0x01    /* list/map: p.a = host ops, p.b = node */
#define VF_NUMTEXT 0x02 /* host numbers are strings (json.Number) */

struct gw_cel_list {
    size_t n;
    const struct gw_cel_val *items;
};
struct gw_cel_map {
    size_t n;
    const struct gw_cel_val *keys;
    const struct gw_cel_val *vals;
    const uint32_t *index; /* open addressing over entry numbers + 1, NULL for small maps */
    uint32_t mask;
};

/* Uniform access to native and host lists and maps. Element/key conversion of host data may
 * format a number into the arena (TEXT mode, no lexeme); failures give an error value. */
size_t cel_len(const struct gw_cel_val *v);
struct gw_cel_val cel_list_at(struct gw_cel_arena *a, const struct gw_cel_val *l, size_t i);
/* Map lookup with CEL's numeric key rules: true and *out when found. */
bool cel_map_find(struct gw_cel_arena *a, const struct gw_cel_val *m, const struct gw_cel_val *key,
                  struct gw_cel_val *out);
/* Map iteration: *it = NULL to start; false at the end. */
bool cel_map_next(struct gw_cel_arena *a, const struct gw_cel_val *m, void **it,
                  struct gw_cel_val *key, struct gw_cel_val *val);
struct gw_cel_val cel_host_value(struct gw_cel_arena *a, const struct gw_cel_host_ops *ops,
                                 const void *node, unsigned flags);

/* ---- values --------------------------------------------------------------------------------- */
struct gw_cel_val cel_err(struct gw_cel_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
struct gw_cel_val cel_err_static(const char *msg);
struct gw_cel_val cel_type_val(enum gw_cel_rtype t);
enum gw_cel_rtype cel_rtype_of(const struct gw_cel_val *v);
const char *cel_rtype_name(enum gw_cel_rtype t);
bool cel_is_err_or_unknown(const struct gw_cel_val *v);
/* Heterogeneous equality (never an error). depth guards recursion. */
bool cel_equal(struct gw_cel_arena *a, const struct gw_cel_val *x, const struct gw_cel_val *y,
               int depth);
/* Ordering: -1/0/1, or 2 for "no such overload", 3 for NaN operands. */
int cel_compare(const struct gw_cel_val *x, const struct gw_cel_val *y);
/* Go's strconv.FormatFloat(d, fmt, -1, 64) for fmt 'g' (%v) or 'f'; eprec 6 ('g', fmt's %g)
 * or 21 (encoding/json). Writes a NUL-terminated string, returns its length. */
size_t cel_format_double(double d, char fmt, int eprec, char *out, size_t n);
/* Builds a map checking keys: 0, -1 out of memory, -2 bad key type, -3 repeated key. */
int cel_map_build(struct gw_cel_arena *a, struct gw_cel_val *keys, struct gw_cel_val *vals,
                  size_t n, struct gw_cel_val *out);

/* ---- functions ------------------------------------------------------------------------------ */
enum cel_fn {
    FN_UNBOUND = 0, /* an unknown function: an error when called */
    FN_COND,
    FN_AND,
    FN_OR,
    FN_NOT,
    FN_NEG,
    FN_EQ,
    FN_NE,
    FN_LT,
    FN_LE,
    FN_GT,
    FN_GE,
    FN_ADD,
    FN_SUB,
    FN_MUL,
    FN_DIV,
    FN_MOD,
    FN_INDEX,
    FN_IN,
    FN_SIZE,
    FN_TYPE,
    FN_BOOL,
    FN_BYTES,
    FN_DOUBLE,
    FN_DURATION,
    FN_DYN,
    FN_INT,
    FN_STRING,
    FN_TIMESTAMP,
    FN_UINT,
    FN_CONTAINS,
    FN_ENDSWITH,
    FN_STARTSWITH,
    FN_MATCHES,
    FN_GETFULLYEAR,
    FN_GETMONTH,
    FN_GETDAYOFYEAR,
    FN_GETDAYOFMONTH,
    FN_GETDATE,
    FN_GETDAYOFWEEK,
    FN_GETHOURS,
    FN_GETMINUTES,
    FN_GETSECONDS,
    FN_GETMILLISECONDS,
    FN_COUNT
};
/* Function id of a call name ("_+_", "size", ...), FN_UNBOUND when none. */
enum cel_fn cel_fn_lookup(const char *name, size_t len);
const char *cel_fn_name(enum cel_fn fn);

/* ---- AST ------------------------------------------------------------------------------------ */
enum cel_node_kind {
    N_LIT,    /* u.lit */
    N_IDENT,  /* u.id */
    N_SELECT, /* u.sel; op = 1 for a has() presence test */
    N_CALL,   /* u.call; member = receiver style (args[0] is the target) */
    N_LIST,   /* u.agg */
    N_MAP,    /* u.agg, keys and values interleaved */
    N_STRUCT, /* a message literal: parsed, never supported */
    N_COMP,   /* u.comp; op = enum cel_comp */
};
enum cel_comp { C_ALL, C_EXISTS, C_EXISTS_ONE, C_MAP, C_MAP_FILTER, C_FILTER };
enum cel_res { R_NONE = 0, R_VAR, R_LOCAL, R_TYPE };

struct cel_node {
    uint8_t kind;
    uint8_t op;     /* fn (N_CALL), comp kind, presence flag */
    uint8_t member; /* N_CALL: receiver style; N_IDENT: leading dot */
    uint8_t res;    /* N_IDENT: enum cel_res after planning */
    uint32_t pos;   /* byte offset of the token that names the node */
    uint32_t id;
    uint32_t slot;     /* R_VAR slot, R_LOCAL depth, R_TYPE rtype, regex cache index + 1 */
    uint32_t depth;    /* height of the subtree (1 for a leaf) */
    const void *ctype; /* checker scratch */
    union {
        struct gw_cel_val lit;
        struct {
            const char *name;
            uint32_t len;
        } id;
        struct {
            struct cel_node *operand;
            const char *field;
            uint32_t len;
        } sel;
        struct {
            const char *name;
            uint32_t len;
            uint32_t nargs; /* including the target for member calls */
            struct cel_node **args;
        } call;
        struct {
            uint32_t n; /* elements, or entries (2n nodes) for maps */
            struct cel_node **items;
        } agg;
        struct {
            struct cel_node *range, *a, *b; /* a: predicate/transform; b: transform of map/3 */
            const char *var;
            uint32_t len;
        } comp;
    } u;
};

/* ---- environment and programs --------------------------------------------------------------- */
struct cel_var {
    char *name;
    size_t len;
    const void *ctype; /* checker type (struct cel_ctype), in the env's arena */
};
struct gw_cel_env {
    struct gw_cel_options opt;
    struct gw_cel_arena arena; /* declarations and their types */
    struct cel_var *vars;
    size_t n_vars, cap_vars;
};
int cel_env_find(const struct gw_cel_env *env, const char *name, size_t len);

struct gw_cel_program {
    const struct gw_cel_env *env;
    struct gw_cel_arena arena; /* nodes, literals, source copy */
    char *src;
    size_t src_len;
    struct cel_node *root;
    uint32_t n_nodes;
    uint32_t max_locals;      /* comprehension nesting */
    void *regex;              /* compiled constant patterns, by node slot - 1 (gw_cel_plan.c) */
    uint32_t n_regex;
    const char *warning;
};

/* Parser: fills p->root from p->src. GW_CEL_OK or an error with diag. */
enum gw_cel_status cel_parse(struct gw_cel_program *p, struct gw_cel_diag *diag);
/* Name resolution of identifiers and qualified names, locals, functions; regex constants. */
enum gw_cel_status cel_plan(struct gw_cel_program *p, struct gw_cel_diag *diag);
/* Literal lists and maps of constants become constants (after checking). */
enum gw_cel_status cel_fold(struct gw_cel_program *p);
/* Type checker (gw_cel_check.c). */
enum gw_cel_status cel_check(struct gw_cel_program *p, struct gw_cel_diag *diag);
/* Line/column of a byte offset of the source. */
void cel_diag_at(const struct gw_cel_program *p, uint32_t pos, struct gw_cel_diag *diag,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void cel_vdiag_at(const struct gw_cel_program *p, uint32_t pos, struct gw_cel_diag *diag,
                  const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

/* Runtime type of a type name ("int", "google.protobuf.Timestamp"), or -1. */
int cel_type_name(const char *s, size_t len);
/* Constant patterns compiled at plan time: NULL with *err when the pattern was refused. */
const struct cmn_go_re *cel_program_regex(const struct gw_cel_program *p, uint32_t slot,
                                          const char **err);
void cel_program_free_regex(struct gw_cel_program *p);

/* Checker types for declarations (gw_cel_ctype.c). */
const void *cel_ctype_parse(struct gw_cel_arena *a, const char *spec, size_t len);

/* ---- evaluation ----------------------------------------------------------------------------- */
struct gw_cel_activation {
    const struct gw_cel_env *env;
    struct gw_cel_arena *arena;
    struct gw_cel_val *vals;
    uint8_t *state; /* 0 unbound, 1 bound, 2 unknown */
};

struct cel_ectx {
    const struct gw_cel_program *p;
    struct gw_cel_activation *act;
    struct gw_cel_arena *a;
    struct gw_cel_val *locals;
    uint64_t iters_left;
    size_t max_string;
};
struct gw_cel_val cel_eval_node(struct cel_ectx *c, const struct cel_node *n);
/* Strict functions (every argument evaluated and neither error nor unknown). */
struct gw_cel_val cel_call(struct cel_ectx *c, const struct cel_node *n, struct gw_cel_val *args,
                           size_t nargs);
/* Conversions and type(): fn is FN_INT, FN_STRING, ... */
struct gw_cel_val cel_convert(struct cel_ectx *c, enum cel_fn fn, const struct gw_cel_val *x);
/* Arithmetic (FN_ADD .. FN_MOD, FN_NEG). */
struct gw_cel_val cel_arith(struct cel_ectx *c, enum cel_fn fn, const struct gw_cel_val *x,
                            const struct gw_cel_val *y);

/* ---- time (gw_cel_time.c) ------------------------------------------------------------------ */
#define CEL_TS_MIN (-62135596800LL) /* 0001-01-01T00:00:00Z */
#define CEL_TS_MAX 253402300799LL   /* 9999-12-31T23:59:59Z */
/* Go's time.Parse(time.RFC3339, s), then CEL's range check. 0, -1 (syntax) or -2 (range). */
int cel_ts_parse(const char *s, size_t n, struct gw_cel_val *out);
/* RFC3339Nano (max_frac > 3) or KrakenD's `now` layout with up to 3 fraction digits. Returns
 * the length it wanted, like snprintf. */
size_t cel_ts_format(const struct gw_cel_val *ts, int max_frac, char *out, size_t n);
/* Go's time.ParseDuration. 0 or -1. */
int cel_dur_parse(const char *s, size_t n, int64_t *nanos);
/* cel-go's string(duration): seconds with Go's 'f' formatting, then "s" ("1.5s"). */
size_t cel_dur_format(int64_t nanos, char *out, size_t n);
/* Timestamp accessors (FN_GETFULLYEAR...), tz may be NULL (UTC). */
struct gw_cel_val cel_ts_get(struct cel_ectx *c, enum cel_fn fn, const struct gw_cel_val *ts,
                             const struct gw_cel_val *tz);
struct gw_cel_val cel_dur_get(enum cel_fn fn, const struct gw_cel_val *d);

#endif
