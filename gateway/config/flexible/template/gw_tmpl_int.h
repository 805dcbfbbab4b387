/* gw_tmpl_int.h - internals shared by the template engine's files: tokens, parse nodes, values,
 * the execution state and the function table. Nothing here is visible outside the module. */
#ifndef GW_TMPL_INT_H
#define GW_TMPL_INT_H

#include "gw_tmpl.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- arenas: every node and every value lives in one, freed all at once ---- */

struct tarena_chunk;
struct tarena {
    struct tarena_chunk *head;
    size_t used; /* bytes handed out, counted against cap */
    size_t cap;
};

void tarena_init(struct tarena *a, size_t cap);
void tarena_free(struct tarena *a);
/* n bytes aligned for any type, or NULL when the cap is reached or malloc fails. */
void *tarena_alloc(struct tarena *a, size_t n);
/* A copy of n bytes plus a NUL in the arena, or NULL. */
char *tarena_strdup(struct tarena *a, const char *s, size_t n);

/* ---- UTF-8 and the few Unicode classes Go's functions use (gw_tmpl_utf8.c) ---- */

/* Decodes one rune of s[0..n) (n > 0) into *r; returns its length. Invalid bytes decode as
 * U+FFFD of length 1, as Go's utf8.DecodeRuneInString. */
size_t tutf8_decode(const char *s, size_t n, uint32_t *r);
/* Encodes r (invalid code points as U+FFFD) into out (4 bytes); returns the length. */
size_t tutf8_encode(uint32_t r, char *out);
size_t tutf8_count(const char *s, size_t n);
bool tutf8_valid(const char *s, size_t n);
bool tuni_is_letter(uint32_t r);
bool tuni_is_digit(uint32_t r);
bool tuni_is_space(uint32_t r); /* unicode.IsSpace */
bool tuni_is_print(uint32_t r); /* unicode.IsPrint, approximated outside Latin-1 */
uint32_t tuni_to_upper(uint32_t r);
uint32_t tuni_to_lower(uint32_t r);
uint32_t tuni_to_title(uint32_t r);

/* ---- lexer (gw_tmpl_lex.c) ---- */

enum tok_type {
    TK_ERROR,
    TK_BOOL,
    TK_CHAR, /* a printable ASCII character: ',' and the like */
    TK_CHAR_CONSTANT,
    TK_COMPLEX,
    TK_ASSIGN,  /* = */
    TK_DECLARE, /* := */
    TK_EOF,
    TK_FIELD,
    TK_IDENTIFIER,
    TK_LEFT_DELIM,
    TK_LEFT_PAREN,
    TK_NUMBER,
    TK_PIPE,
    TK_RAW_STRING,
    TK_RIGHT_DELIM,
    TK_RIGHT_PAREN,
    TK_SPACE,
    TK_STRING,
    TK_TEXT,
    TK_VARIABLE,
    /* keywords */
    TK_KEYWORD,
    TK_BLOCK,
    TK_BREAK,
    TK_CONTINUE,
    TK_DOT,
    TK_DEFINE,
    TK_ELSE,
    TK_END,
    TK_IF,
    TK_NIL,
    TK_RANGE,
    TK_TEMPLATE,
    TK_WITH,
};

struct tok {
    enum tok_type type;
    size_t pos;      /* byte offset of the token in the source */
    const char *val; /* the token's bytes (an error message for TK_ERROR) */
    size_t len;
    int line;
};

struct tlexer {
    const char *input;
    size_t len;
    size_t pos, start;
    bool at_eof;
    int paren_depth;
    int line, start_line;
    bool inside_action;
    struct tok item;
    char errbuf[128];
};

void tlex_init(struct tlexer *l, const char *input, size_t len);
struct tok tlex_next(struct tlexer *l);
bool tlex_is_alnum(uint32_t r);

/* ---- parse tree (gw_tmpl_parse.c, gw_tmpl_node.c) ---- */

/* One parsed source (a template file): the text every node points into. */
struct tsrc {
    char *name; /* ParseName in Go's error messages */
    char *text;
    size_t len;
    struct tarena arena; /* the nodes of this source */
};

enum node_type {
    NT_TEXT,
    NT_ACTION,
    NT_IF,
    NT_RANGE,
    NT_WITH,
    NT_TEMPLATE,
    NT_BREAK,
    NT_CONTINUE,
    NT_LIST,
    NT_PIPE,
    NT_COMMAND,
    NT_FIELD,
    NT_CHAIN,
    NT_VARIABLE,
    NT_IDENT,
    NT_DOT,
    NT_NIL,
    NT_BOOL,
    NT_NUMBER,
    NT_STRING,
    NT_END,  /* parser only */
    NT_ELSE, /* parser only */
};

struct tstr {
    const char *p;
    size_t n;
};

struct tnumber {
    bool is_int, is_uint, is_float;
    int64_t i;
    uint64_t u;
    double f;
};

struct node {
    enum node_type type;
    size_t pos;
    int line;
    const struct tsrc *src;
    union {
        struct tstr text; /* TEXT: the bytes; IDENT: the name */
        struct {
            struct node **v;
            size_t n, cap;
        } list;              /* LIST, COMMAND (arguments) */
        struct node *action; /* ACTION: its pipeline */
        struct {
            struct node *pipe, *list, *else_list;
        } branch; /* IF, RANGE, WITH */
        struct {
            struct tstr name;
            struct node *pipe; /* may be NULL */
        } tmpl;
        struct {
            struct node **decl; /* VARIABLE nodes */
            size_t ndecl, cap_decl;
            struct node **cmds; /* COMMAND nodes */
            size_t ncmds, cap_cmds;
            bool is_assign;
        } pipe;
        struct {
            struct tstr *ids; /* FIELD: names without dots; VARIABLE: "$x" then fields */
            size_t n;
            struct node *node; /* CHAIN: the term the fields apply to */
        } field;
        bool b; /* BOOL */
        struct {
            struct tnumber v;
            struct tstr text;
        } num; /* NUMBER (text as written) */
        struct {
            struct tstr quoted; /* as written */
            struct tstr text;   /* unquoted */
        } str;
    } u;
};

/* Appends Go's String() of a node (the text shown in `at <...>`) to out. */
void tnode_string(const struct node *n, struct cmn_buf *out);
/* Go's strconv.Unquote of a "..." or `...` token into a; false on bad syntax. */
bool tunquote(struct tarena *a, const char *s, size_t n, struct tstr *out);
/* Go's parse.newNumber: NULL on success, else an error message (static or in buf). */
const char *tparse_number(const char *s, size_t n, enum tok_type typ, struct tnumber *out,
                          char *buf, size_t bufsz);

/* A named template of the set. */
struct tdef {
    char *name;
    struct node *root; /* NT_LIST */
    const struct tsrc *src;
};

#define TMPL_MAX_HOST_FNS 16

struct gw_tmpl_set {
    struct gw_tmpl_limits lim;
    struct thostfn *host_fns; /* gw_tmpl_set_func: looked up before the built-ins */
    size_t nhost;
    struct tdef *defs; /* sorted by name */
    size_t ndefs, cap_defs;
    struct tsrc **srcs;
    size_t nsrcs, cap_srcs;
    size_t nodes;
};

/* A tree one parse produced: a name and its body (the top level, a define or a block). */
struct tparsed {
    struct tstr name;
    struct node *root;
};

/* Adds the trees of one parse to the set by Go's AddParseTree rule and takes ownership of src;
 * false (set unchanged) on allocation failure. */
bool tset_commit(struct gw_tmpl_set *s, struct tsrc *src, const struct tparsed *defs, size_t ndefs,
                 size_t nodes);
void tsrc_destroy(struct tsrc *src);
const struct tdef *tset_find(const struct gw_tmpl_set *s, const char *name, size_t n);
bool tnode_is_empty_tree(const struct node *n);

/* ---- values (gw_tmpl_value.c) ---- */

/* ---- times (gw_tmpl_f_date.c; Go's layouts are common/go's cmn_go_time) ---- */

/* An instant as Go's time.Time carries it: Unix seconds, nanoseconds, the zone's offset east of
 * UTC in seconds and its abbreviation ("UTC", "CET"; "" when it has none). */
struct tgotime {
    int64_t sec;
    int32_t nsec;
    int32_t off;
    const char *zone;
};
/* The local zone's offset and abbreviation at a Unix second (localtime_r, TZ). */
bool tgotime_local(int64_t sec, int32_t *off, char *zone, size_t zsz);
/* time.Time.Format with a Go layout ("2006-01-02T15:04:05Z07:00"), appended to out. */
bool tgotime_format(const struct tgotime *t, const char *layout, size_t n, struct cmn_buf *out);

enum tv_kind {
    TV_MISSING, /* Go's invalid reflect.Value: a missing map key, an untyped nil */
    TV_NIL,     /* a nil interface{} held by a container (JSON null) */
    TV_BOOL,
    TV_INT,
    TV_FLOAT,
    TV_STRING,
    TV_LIST,
    TV_MAP,
    TV_TIME, /* time.Time (sprig's now, dateModify) */
};

/* The Go type a value has, for %T, typeOf, kindOf and "wrong type" messages. */
enum tv_gotype {
    GT_NONE,
    GT_BOOL,
    GT_INT,
    GT_INT64,
    GT_UINT8, /* a byte of a string (index "abc" 0) */
    GT_FLOAT64,
    GT_STRING,
    GT_LIST,        /* []interface {} */
    GT_LIST_STRING, /* []string */
    GT_LIST_INT,    /* []int */
    GT_LIST_LIST,   /* [][]interface {} */
    GT_MAP,         /* map[string]interface {} */
    GT_MAP_STRING,  /* map[string]string */
    GT_TIME,        /* time.Time */
};

struct tv;
struct tmember {
    const char *k;
    size_t kn;
    struct tv *v;
};
/* A map is a reference (Go semantics: set/unset/merge change it for every holder). Members are
 * kept sorted by key bytes, the order Go's fmt and range use. */
struct tmap {
    struct tmember *m;
    size_t n, cap;
};

struct tv {
    uint8_t kind;
    uint8_t type;
    union {
        bool b;
        int64_t i;
        double f;
        struct tstr s;
        struct {
            struct tv **v;
            size_t n;
        } l; /* lists are immutable: slices share items */
        struct tmap *m;
        struct tgotime t; /* zone in the execution's arena */
    } u;
};

extern struct tv tv_missing;
extern struct tv tv_nil;
extern struct tv tv_true;
extern struct tv tv_false;

struct texec;

struct tv *tv_bool(bool b);
struct tv *tv_int(struct texec *x, int64_t i);
struct tv *tv_int64(struct texec *x, int64_t i);
struct tv *tv_float(struct texec *x, double f);
/* A string value that borrows p (which must outlive the execution) or copies it. */
struct tv *tv_str_ref(struct texec *x, const char *p, size_t n);
struct tv *tv_str_copy(struct texec *x, const char *p, size_t n);
/* A list value of n items (items copied from v when v is not NULL, else zeroed to fill). */
struct tv *tv_list(struct texec *x, uint8_t gotype, struct tv **v, size_t n);
struct tv *tv_map_new(struct texec *x, uint8_t gotype);
/* A time.Time value (the zone name is copied). */
struct tv *tv_time(struct texec *x, const struct tgotime *t);
/* Sets a member (replacing), copying the key; false on memory cap. */
bool tv_map_set(struct texec *x, struct tmap *m, const char *k, size_t kn, struct tv *v);
struct tv *tv_map_get(const struct tmap *m, const char *k, size_t kn);
bool tv_map_del(struct tmap *m, const char *k, size_t kn);

bool tv_is_nilish(const struct tv *v); /* MISSING or NIL */
/* Go's truth (if, with, and, or, not): false for nil, false, 0, "", empty list/map. */
bool tv_truth(const struct tv *v);
/* Go's type name (%T): "int", "[]interface {}", "<nil>", ... */
const char *tv_type_name(const struct tv *v);
const char *tv_gotype_name(uint8_t t);
/* reflect.Kind name (sprig kindOf): "int", "slice", "map", "invalid", ... */
const char *tv_kind_name(const struct tv *v);
/* The Go type name of a container's elements ("interface {}" for []interface{}). */
const char *tv_elem_type_name(const struct tv *container);
bool tv_elem_boxed(const struct tv *container);
/* reflect.DeepEqual (types must match; NaN differs from itself). */
bool tv_deep_equal(const struct tv *a, const struct tv *b, int depth);
/* Converts a jansson value: numbers become float64. NULL on memory cap. */
struct tv *tv_from_json(struct texec *x, const json_t *j, int depth);

/* ---- Go formatting (gw_tmpl_fmt.c) ---- */

/* Go strconv.FormatFloat(f, fmt, prec, 64) for fmt in 'e','E','f','g','G' (prec -1: shortest). */
void tfmt_float(double f, char fmt, int prec, char *out, size_t outsz);
/* fmt.Sprint / Sprintln / Sprintf into out. false when the output cap is reached (x->err). */
bool tfmt_sprint(struct texec *x, struct cmn_buf *out, struct tv **a, size_t n, bool ln);
bool tfmt_sprintf(struct texec *x, struct cmn_buf *out, const char *f, size_t fn, struct tv **a,
                  size_t n);
/* Go %v of one value, as the template prints an action's value (MISSING prints <no value>). */
bool tfmt_value(struct texec *x, struct cmn_buf *out, const struct tv *v);
/* strconv.Quote (%q) of n bytes. */
bool tfmt_quote(struct cmn_buf *out, const char *s, size_t n, char q);
/* The same with quote character q; ascii_only: strconv.QuoteToASCII (%+q). */
bool tfmt_quote_ex(struct cmn_buf *b, const char *s, size_t n, char q, bool ascii_only);
/* sprig's strval: strings as is, anything else fmt %v. */
bool tfmt_strval(struct texec *x, struct cmn_buf *out, const struct tv *v);

/* ---- JSON (gw_tmpl_json.c) ---- */

enum tjson_mode { TJSON_COMPACT, TJSON_RAW, TJSON_PRETTY };
/* encoding/json Marshal of v (MarshalIndent "", "  " for PRETTY; no HTML escaping for RAW).
 * Returns 1 on success, 0 when Go would fail (NaN, Inf: *why set), -1 on the output cap. */
int tjson_marshal(struct texec *x, struct cmn_buf *out, const struct tv *v, enum tjson_mode mode,
                  const char **why);
/* json.Unmarshal into interface{}; NULL with *why on a syntax error. */
struct tv *tjson_unmarshal(struct texec *x, const char *s, size_t n, char *why, size_t whysz);

/* ---- execution (gw_tmpl_exec.c, gw_tmpl_call.c) ---- */

struct tvar {
    const char *name;
    size_t nlen;
    struct tv *v;
    bool boxed;
};

struct texec {
    const struct gw_tmpl_set *set;
    const struct gw_tmpl_limits *lim;
    const struct gw_tmpl_host *host;
    const struct tdef *tmpl; /* the template being executed ("executing %q") */
    const struct node *node; /* the node errors are reported at */
    struct tvar *vars;
    size_t nvars, cap_vars;
    int depth;
    int nest;
    uint64_t steps;
    struct cmn_buf *out;
    size_t out_start;
    struct tarena arena;
    struct cmn_buf tmp; /* scratch for functions (reset by each user) */
    struct cmn_err *err;
    bool failed;
    int status;
    char fnerr[400]; /* a function's error text, wrapped as "error calling NAME: ..." */
    bool fnfailed;
};

/* Records an execution error at x->node with Go's prefix; returns NULL for convenience. */
void *texec_errorf(struct texec *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Records a limit error (no Go prefix but the location). */
void *texec_limitf(struct texec *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A function reports its own failure; the caller adds "error calling NAME: ". */
void *tfn_fail(struct texec *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Memory cap failure inside a function or the executor. */
void *texec_nomem(struct texec *x);
/* Allocates from the execution's arena, failing the execution at the cap. */
void *texec_alloc(struct texec *x, size_t n);
/* Counts one evaluation step; false when the step cap is reached. */
bool texec_step(struct texec *x);
/* Takes the scratch buffer's contents as a new string value. */
struct tv *texec_tmp_string(struct texec *x);

/* ---- functions (gw_tmpl_funcs.c and the gw_tmpl_f_*.c files) ---- */

enum tparam {
    TP_NONE,   /* no variadic part */
    TP_ANY,    /* interface{}: missing and null both arrive as tv_nil */
    TP_VALUE,  /* reflect.Value: missing arrives as tv_missing */
    TP_STRING, /* string */
    TP_INT,    /* int */
    TP_FLOAT,  /* float64 */
    TP_BOOL,   /* bool */
    TP_MAP,    /* map[string]interface{} (nil map arrives as tv_nil) */
};

enum tfn_special {
    TFN_PLAIN,
    TFN_AND,
    TFN_OR,
    TFN_CALL,
    TFN_UNSUPPORTED,
    TFN_HOST, /* gw_tmpl_set_func: hostfn with its argument as JSON */
};

/* A function: returns its value, or NULL after tfn_fail (or a memory/output failure). */
typedef struct tv *(*tfunc)(struct texec *x, struct tv **a, size_t n);

struct tfn {
    const char *name;
    tfunc fn;
    uint8_t nfixed;
    uint8_t fixed[4];
    uint8_t variadic; /* enum tparam; TP_NONE when not variadic */
    uint8_t special;
};

/* A gw_tmpl_set_func function: the entry (special TFN_HOST) first, so a struct tfn found by
 * tfn_find leads back to it. */
struct thostfn {
    struct tfn f;
    gw_tmpl_hostfn fn;
    void *ctx;
};

/* The set's own functions first, then the built-ins; NULL when neither has the name. */
const struct tfn *tfn_find(const struct gw_tmpl_set *s, const char *name, size_t n);

/* Function groups (each file defines its functions; gw_tmpl_funcs.c lists them). */
#define TFN_UNUSED __attribute__((unused))
#define TFN_DECL(f)                                                                                \
    struct tv *f(struct texec *x TFN_UNUSED, struct tv **a TFN_UNUSED, size_t n TFN_UNUSED)

/* helpers the function files share (gw_tmpl_funcs.c) */
bool tfn_is_list(const struct tv *v);
/* cast.ToInt64 / ToFloat64 as sprig uses them (strings parsed, errors give 0). */
int64_t tcast_int64(const struct tv *v);
double tcast_float64(const struct tv *v);
/* Go's int64(f) on amd64 (NaN and out-of-range give INT64_MIN). */
int64_t tgo_f2i(double f);
/* The reflect kind name sprig puts in "Cannot ... on type X" messages. */
const char *tfn_kind_for_msg(const struct tv *v);
/* Fails with Go's nil-dereference panic text (reflect.TypeOf(nil).Kind()). */
void *tfn_nil_deref(struct texec *x);

#endif
