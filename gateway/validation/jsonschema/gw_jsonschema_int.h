/* gw_jsonschema_int.h - internals shared by the JSON Schema module's files (and its tests). */
#ifndef GW_JSONSCHEMA_INT_H
#define GW_JSONSCHEMA_INT_H

#include "gw_jsonschema.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- arena: every value, compiled node and evaluation record lives in one, freed at once ---- */

struct gw_jsonschema_chunk;

struct gw_jsonschema_arena {
    struct gw_jsonschema_chunk *chunks;
    char *cur;
    size_t left;
    size_t total; /* bytes taken from malloc */
    size_t cap;   /* at most this many */
};

void gw_jsonschema_arena_init(struct gw_jsonschema_arena *a, size_t cap);
void gw_jsonschema_arena_free(struct gw_jsonschema_arena *a);
/* n zeroed bytes, 16-aligned, owned by the arena; NULL past the cap or on allocation failure. */
void *gw_jsonschema_alloc(struct gw_jsonschema_arena *a, size_t n);
/* NUL-terminated copy of n bytes (may contain NUL) in the arena, or NULL. */
char *gw_jsonschema_strndup(struct gw_jsonschema_arena *a, const char *s, size_t n);

/* ---- JSON values (schema documents and request bodies) ---- */

enum gw_jsonschema_type {
    GW_JST_NULL = 0,
    GW_JST_BOOL,
    GW_JST_NUMBER,
    GW_JST_STRING,
    GW_JST_ARRAY,
    GW_JST_OBJECT,
};

/* A number's exact decimal value: 0.dig x 10^exp (no leading or trailing zero in dig); zero has
 * ndig 0. */
struct gw_jsonschema_num {
    const char *dig;
    uint32_t ndig;
    bool neg;
    int64_t exp;
};

struct gw_jsonschema_member;

struct gw_jsonschema_value {
    uint8_t type;
    bool b;
    uint32_t len;    /* string bytes, array items, object members */
    const char *str; /* string bytes (NUL-terminated, may hold NUL) or the number's lexeme */
    struct gw_jsonschema_num num;
    struct gw_jsonschema_value **items;
    struct gw_jsonschema_member *members; /* in document order, keys unique */
    uint32_t *order;                      /* member indices sorted by key bytes */
};

struct gw_jsonschema_member {
    const char *key;
    uint32_t klen;
    struct gw_jsonschema_value *val;
};

struct gw_jsonschema_parse_limits {
    size_t max_bytes;
    int max_depth;
    size_t max_nodes;
};

/* Parses n bytes as Go's json.Unmarshal does into the arena. Returns GW_JSONSCHEMA_OK with *out,
 * GW_JSONSCHEMA_BAD_BODY with Go's message in err->msg ("unexpected end of JSON input", "invalid
 * character 'x' looking for beginning of value", ...), GW_JSONSCHEMA_LIMIT or _NOMEM. */
enum gw_jsonschema_status gw_jsonschema_parse(struct gw_jsonschema_arena *a, const char *s,
                                              size_t n,
                                              const struct gw_jsonschema_parse_limits *lim,
                                              struct gw_jsonschema_value **out,
                                              struct cmn_err *err);
/* Converts a jansson value (integers and reals at their decimal value). Same statuses. */
enum gw_jsonschema_status gw_jsonschema_from_jansson(struct gw_jsonschema_arena *a, const json_t *j,
                                                     const struct gw_jsonschema_parse_limits *lim,
                                                     struct gw_jsonschema_value **out,
                                                     struct cmn_err *err);
/* Builds obj->order over its members; a key seen again keeps its first place and takes the last
 * value (a Go map assignment). false on allocation failure. */
bool gw_jsonschema_object_finish(struct gw_jsonschema_arena *a, struct gw_jsonschema_value *obj);
/* Deep copy into the arena, or NULL. */
struct gw_jsonschema_value *gw_jsonschema_value_copy(struct gw_jsonschema_arena *a,
                                                     const struct gw_jsonschema_value *v);
/* Borrowed member value of an object by key bytes, or NULL (also for non-objects). */
const struct gw_jsonschema_value *gw_jsonschema_get(const struct gw_jsonschema_value *obj,
                                                    const char *key, size_t klen);
const struct gw_jsonschema_value *gw_jsonschema_getz(const struct gw_jsonschema_value *obj,
                                                     const char *key);
/* Index of the member or -1. */
long gw_jsonschema_member_index(const struct gw_jsonschema_value *obj, const char *key,
                                size_t klen);
/* JSON equality as the drafts define it (1 and 1.0 are equal); adds the values visited to *work. */
bool gw_jsonschema_equal(const struct gw_jsonschema_value *a, const struct gw_jsonschema_value *b,
                         uint64_t *work);
/* Finds the first item of an array equal to an earlier one: 1 with *j < *i (smallest i, then
 * smallest j), 0 when all differ, -1 when the arena is exhausted. Scratch memory from a. */
int gw_jsonschema_first_duplicate(struct gw_jsonschema_arena *a,
                                  const struct gw_jsonschema_value *arr, uint32_t *j, uint32_t *i,
                                  uint64_t *work);
/* A hash equal values share. */
uint64_t gw_jsonschema_hash(const struct gw_jsonschema_value *v);
/* UTF-8 code points of n bytes (an invalid byte counts one, as Go's utf8.RuneCount). */
size_t gw_jsonschema_utf8_count(const char *s, size_t n);
/* Decodes one code point at s (n > 0 bytes left); -1 for an invalid byte; *size set (>= 1). */
int32_t gw_jsonschema_utf8_decode(const char *s, size_t n, size_t *size);

/* ---- exact decimal numbers ---- */

/* Fills out from a lexeme the JSON grammar accepts; digits point into the arena. false when the
 * exponent is beyond +-1e9 (out of range) or on allocation failure. */
bool gw_jsonschema_num_parse(struct gw_jsonschema_arena *a, const char *lex, size_t n,
                             struct gw_jsonschema_num *out);
int gw_jsonschema_num_cmp(const struct gw_jsonschema_num *a, const struct gw_jsonschema_num *b);
bool gw_jsonschema_num_is_int(const struct gw_jsonschema_num *a);
bool gw_jsonschema_num_is_zero(const struct gw_jsonschema_num *a);
/* a/b is an integer (b > 0): 1 yes, 0 no, -1 when the steps it takes would pass *budget (which
 * it decreases by the steps taken). */
int gw_jsonschema_num_multiple(const struct gw_jsonschema_num *a, const struct gw_jsonschema_num *b,
                               uint64_t *budget);
/* The value as an int64 if it is an integer within range. */
bool gw_jsonschema_num_to_i64(const struct gw_jsonschema_num *a, int64_t *out);
/* Nearest double (+-inf beyond range). */
double gw_jsonschema_num_double(const struct gw_jsonschema_num *a);

/* ---- text as Go prints it ---- */

/* strconv.FormatFloat(d, 'g', -1, 64): fmt's %v of a float64. out holds >= 32 bytes. */
void gw_jsonschema_fmt_go_float(double d, char *out, size_t out_size);
/* golang.org/x/text message.Printer(English) %v of a float64 ("1,234.5", "1×10⁰⁶"). */
void gw_jsonschema_fmt_text_float(struct cmn_buf *b, double d);
/* The same printer's %d ("1,000"). */
void gw_jsonschema_fmt_text_int(struct cmn_buf *b, int64_t v);
/* santhosh's quote(): strconv.Quote, then \" -> " and ' -> \', in single quotes. */
void gw_jsonschema_quote(struct cmn_buf *b, const char *s, size_t n);
/* encoding/json's quoteChar of one byte: 'x', '\n', '\''. */
void gw_jsonschema_quote_char(struct cmn_buf *b, unsigned char c);
/* fmt's %v of a primitive JSON value as the library displays it ("<nil>", 1.5, 'str'). */
void gw_jsonschema_display(struct cmn_buf *b, const struct gw_jsonschema_value *v);

/* ---- URIs and JSON pointers ---- */

/* Resolves ref against the absolute base (RFC 3986 §5.2), result without fragment in *uri and the
 * percent-decoded fragment in *frag ("" when there is none). false if ref cannot be parsed. */
bool gw_jsonschema_uri_resolve(struct gw_jsonschema_arena *a, const char *base, const char *ref,
                               char **uri, char **frag);
/* Appends the JSON pointer token escaped (~0, ~1). */
void gw_jsonschema_ptr_append(struct cmn_buf *b, const char *tok, size_t n);

/* ---- regular expressions (Go's RE2 syntax, run by PCRE2's DFA matcher) ---- */

struct gw_jsonschema_regex;
struct gw_jsonschema_matcher;

/* Compiles a pattern written for Go's regexp package; NULL with err->msg saying what is refused. */
struct gw_jsonschema_regex *gw_jsonschema_regex_compile(const char *pat, size_t n,
                                                        struct cmn_err *err);
void gw_jsonschema_regex_free(struct gw_jsonschema_regex *re);
/* The pattern as written (borrowed). */
const char *gw_jsonschema_regex_source(const struct gw_jsonschema_regex *re, size_t *n);
/* Per-validation match state (PCRE2 match data and workspace); owned, free with _free. */
struct gw_jsonschema_matcher *gw_jsonschema_matcher_new(void);
void gw_jsonschema_matcher_free(struct gw_jsonschema_matcher *m);
/* Unanchored search: 1 found, 0 not found, -1 a PCRE2 limit was reached. */
int gw_jsonschema_regex_search(const struct gw_jsonschema_regex *re,
                               struct gw_jsonschema_matcher *m, const char *s, size_t n);
/* The `regex` format: whether pat compiles. */
bool gw_jsonschema_regex_valid(const char *pat, size_t n);

/* ---- formats ---- */

enum gw_jsonschema_format {
    GW_JSF_NONE = 0,
    GW_JSF_DATE_TIME,
    GW_JSF_DATE,
    GW_JSF_TIME,
    GW_JSF_DURATION,
    GW_JSF_PERIOD,
    GW_JSF_EMAIL,
    GW_JSF_HOSTNAME,
    GW_JSF_IPV4,
    GW_JSF_IPV6,
    GW_JSF_URI,
    GW_JSF_URI_REFERENCE,
    GW_JSF_IRI,
    GW_JSF_IRI_REFERENCE,
    GW_JSF_URI_TEMPLATE,
    GW_JSF_JSON_POINTER,
    GW_JSF_RELATIVE_JSON_POINTER,
    GW_JSF_UUID,
    GW_JSF_REGEX,
    GW_JSF_SEMVER,
};

/* The format KrakenD's library knows by this name, or GW_JSF_NONE (unknown formats are ignored). */
enum gw_jsonschema_format gw_jsonschema_format_lookup(const char *name, size_t n);
/* true when v (any JSON value; only strings are checked) is valid; otherwise false with the
 * reason appended to reason. */
bool gw_jsonschema_format_check(enum gw_jsonschema_format f, const struct gw_jsonschema_value *v,
                                struct cmn_buf *reason);

/* ---- dialects ---- */

enum gw_jsonschema_vocab {
    GW_JSV_CORE = 1 << 0,
    GW_JSV_APPLICATOR = 1 << 1,
    GW_JSV_UNEVALUATED = 1 << 2,
    GW_JSV_VALIDATION = 1 << 3,
    GW_JSV_METADATA = 1 << 4,
    GW_JSV_FORMAT_ANNOTATION = 1 << 5,
    GW_JSV_FORMAT_ASSERTION = 1 << 6,
    GW_JSV_CONTENT = 1 << 7,
    GW_JSV_FORMAT = 1 << 8, /* 2019-09's single format vocabulary */
    GW_JSV_ALL = 0x1ff,
};

struct gw_jsonschema_dialect {
    int draft;       /* 4, 6, 7, 2019, 2020 */
    unsigned vocabs; /* GW_JSV_* enabled (drafts before 2019 have them all) */
};

/* The draft a metaschema URI names (http or https, empty fragment allowed), or 0. */
int gw_jsonschema_draft_from_uri(const char *uri);
/* Vocabularies a draft enables when its metaschema is the standard one. */
unsigned gw_jsonschema_default_vocabs(int draft);

/* Structural check of v as a schema of the dialect (what validating against the draft's
 * metaschema checks). Returns true when valid; otherwise false with the JSON pointer of the
 * offending value (relative to v) in where and the reason in why. *work is charged. */
bool gw_jsonschema_check(const struct gw_jsonschema_value *v, struct gw_jsonschema_dialect d,
                         struct cmn_buf *where, struct cmn_buf *why, uint64_t *work);

/* ---- compiled schemas ---- */

struct gw_jsonschema_node;

struct gw_jsonschema_anchor {
    const char *name;
    const struct gw_jsonschema_value *node;
    bool dynamic;
    struct gw_jsonschema_node *compiled;
};

struct gw_jsonschema_resource {
    const char *uri; /* absolute, without fragment */
    const struct gw_jsonschema_value *node;
    struct gw_jsonschema_dialect dialect;
    struct gw_jsonschema_anchor *anchors;
    size_t n_anchors, cap_anchors;
    bool recursive_anchor;
    bool used; /* some node of it is compiled: its dynamic anchors must be too */
    struct gw_jsonschema_node *compiled;
};

struct gw_jsonschema_strs {
    const char **s;
    uint32_t *len;
    uint32_t n;
};

struct gw_jsonschema_prop {
    const char *key;
    uint32_t klen;
    struct gw_jsonschema_node *s;
};

struct gw_jsonschema_pprop {
    const struct gw_jsonschema_regex *re;
    struct gw_jsonschema_node *s;
};

struct gw_jsonschema_dep {
    const char *key;
    uint32_t klen;
    struct gw_jsonschema_strs req; /* when s is NULL */
    struct gw_jsonschema_node *s;
};

enum gw_jsonschema_bool_schema { GW_JSB_OBJECT = 0, GW_JSB_TRUE, GW_JSB_FALSE };

/* One schema, compiled. Absent integer keywords are -1, absent schemas NULL. */
struct gw_jsonschema_node {
    const struct gw_jsonschema_value *src;
    const struct gw_jsonschema_resource *res;
    int draft;
    uint8_t boolean;
    uint8_t types; /* 1 << GW_JST_* plus GW_JS_INTEGER_BIT */
    const struct gw_jsonschema_value *const_v;
    const struct gw_jsonschema_value *enum_v;
    uint8_t enum_types;
    const struct gw_jsonschema_num *minimum, *maximum, *xminimum, *xmaximum, *multiple_of;
    int64_t min_length, max_length, min_items, max_items, min_props, max_props;
    int64_t min_contains, max_contains;
    bool unique_items;
    const struct gw_jsonschema_regex *pattern;
    struct gw_jsonschema_prop *props; /* sorted by key */
    uint32_t n_props;
    struct gw_jsonschema_pprop *pprops;
    uint32_t n_pprops;
    struct gw_jsonschema_node *additional_props;
    uint8_t additional_props_bool; /* GW_JSB_TRUE/_FALSE: the keyword is a literal boolean */
    struct gw_jsonschema_strs required;
    struct gw_jsonschema_dep *deps, *dep_required, *dep_schemas;
    uint32_t n_deps, n_dep_required, n_dep_schemas;
    struct gw_jsonschema_node *property_names;
    struct gw_jsonschema_node **prefix; /* 2020 prefixItems, earlier drafts' array `items` */
    uint32_t n_prefix;
    struct gw_jsonschema_node *items; /* the rest (2020 `items`, earlier single-schema `items`) */
    struct gw_jsonschema_node *additional_items; /* drafts before 2020, after array `items` */
    uint8_t additional_items_bool;
    bool items_all; /* earlier drafts' single-schema `items` */
    struct gw_jsonschema_node *contains;
    struct gw_jsonschema_node *not_s;
    struct gw_jsonschema_node **all_of, **any_of, **one_of;
    uint32_t n_all_of, n_any_of, n_one_of;
    struct gw_jsonschema_node *if_s, *then_s, *else_s;
    struct gw_jsonschema_node *ref, *recursive_ref, *dynamic_ref;
    const char *dynamic_ref_anchor; /* the anchor the $dynamicRef names, or NULL */
    const char *dynamic_anchor;     /* this schema's own $dynamicAnchor */
    bool recursive_anchor;
    struct gw_jsonschema_node *uneval_props, *uneval_items;
    enum gw_jsonschema_format format;
    struct gw_jsonschema_dialect meta; /* draft > 0: a built-in metaschema */
};

#define GW_JS_INTEGER_BIT (1u << 7)

struct gw_jsonschema {
    struct gw_jsonschema_arena arena;
    struct gw_jsonschema_node *root;
    struct gw_jsonschema_limits lim;
    struct gw_jsonschema_regex **regexes;
    size_t n_regexes, cap_regexes;
    int root_draft;
};

/* Fills the defaults into a copy of the caller's limits. */
void gw_jsonschema_limits_fill(struct gw_jsonschema_limits *l,
                               const struct gw_jsonschema_limits *in);
/* Compiles a schema already in value form (deep-copied; the caller keeps doc). */
struct gw_jsonschema *gw_jsonschema_compile_value(const struct gw_jsonschema_value *doc,
                                                  const struct gw_jsonschema_options *opt,
                                                  struct cmn_err *err);
/* Validates a value already parsed (tests); same results as gw_jsonschema_validate. */
enum gw_jsonschema_status gw_jsonschema_validate_value(const struct gw_jsonschema *s,
                                                       const struct gw_jsonschema_value *v,
                                                       enum gw_jsonschema_output mode,
                                                       struct cmn_buf *text);

/* ---- the compiler (gw_jsonschema_scan.c finds resources, gw_jsonschema_compile.c compiles) ----
 */

struct gw_jsonschema_doc {
    const char *uri; /* retrieval URI */
    const struct gw_jsonschema_value *root;
};

/* What the scan learnt about one schema value. */
struct gw_jsonschema_info {
    const struct gw_jsonschema_value *node;
    struct gw_jsonschema_resource *res;
    struct gw_jsonschema_dialect dialect;
    const struct gw_jsonschema_info *parent; /* the JSON pointer of node is parent's + tok */
    const char *tok;
    uint32_t toklen;
    const struct gw_jsonschema_doc *doc;
    struct gw_jsonschema_node *compiled;
};

struct gw_jsonschema_reg {
    const char *uri;
    struct gw_jsonschema_resource *res;
};

struct gw_jsonschema_compiler {
    struct gw_jsonschema *out;
    struct gw_jsonschema_arena *a;      /* the validator's: what outlives the compilation */
    struct gw_jsonschema_arena scratch; /* infos and loaded documents' bookkeeping */
    const struct gw_jsonschema_options *opt;
    struct cmn_err *err;
    struct gw_jsonschema_doc **docs;
    size_t n_docs, cap_docs;
    struct gw_jsonschema_reg *reg; /* URI -> resource (one resource may have two URIs) */
    size_t n_reg, cap_reg;
    struct gw_jsonschema_info **tab; /* open addressing by node address */
    size_t tab_cap, tab_n;
    struct gw_jsonschema_info **queue; /* infos whose node awaits compilation */
    size_t q_head, q_n, q_cap;
    size_t nodes; /* JSON values loaded, against max_schema_nodes */
    uint64_t work;
    struct gw_jsonschema_node *meta[8]; /* built-in metaschema nodes */
    int meta_key[8];
    size_t n_meta;
};

/* Scan: loads (root: registers) a document and records its resources, anchors and dialects.
 * parent is the dialect a document without $schema takes. Returns the document or NULL with
 * c->err set. */
const struct gw_jsonschema_doc *gw_jsonschema_scan_doc(struct gw_jsonschema_compiler *c,
                                                       const char *uri,
                                                       const struct gw_jsonschema_value *root,
                                                       struct gw_jsonschema_dialect parent);
/* The info of a scanned value, or NULL. */
struct gw_jsonschema_info *gw_jsonschema_info_of(struct gw_jsonschema_compiler *c,
                                                 const struct gw_jsonschema_value *v);
/* Resolves a reference written in the schema `from` (kw names the keyword, for messages): the
 * target's info, or for a draft metaschema *meta set and NULL returned; NULL and c->err set when
 * unresolvable. *frag receives the decoded fragment. */
struct gw_jsonschema_info *gw_jsonschema_resolve(struct gw_jsonschema_compiler *c,
                                                 const struct gw_jsonschema_info *from,
                                                 const char *ref, const char *kw,
                                                 struct gw_jsonschema_dialect *meta,
                                                 const char **frag);
/* The compiled node of an info (created and queued for compilation on first use), or NULL. */
struct gw_jsonschema_node *gw_jsonschema_node_of(struct gw_jsonschema_compiler *c,
                                                 struct gw_jsonschema_info *inf);
/* The built-in node standing for a draft metaschema, or NULL. */
struct gw_jsonschema_node *gw_jsonschema_meta_node(struct gw_jsonschema_compiler *c,
                                                   struct gw_jsonschema_dialect d);
/* Sets c->err: "jsonschema: <doc>#<ptr>: <message>"; returns false. */
bool gw_jsonschema_compile_fail(struct gw_jsonschema_compiler *c, int code,
                                const struct gw_jsonschema_info *at, const char *kw,
                                const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* ---- validation errors ---- */

enum gw_jsonschema_err_kind {
    GW_JSE_LEAF = 0,
    GW_JSE_GROUP,     /* "validation failed" holding a schema's several errors */
    GW_JSE_REFERENCE, /* "validation failed" of a $ref-like keyword; hidden with one cause */
};

struct gw_jsonschema_error {
    uint8_t kind;
    const char *loc; /* JSON pointer of the instance value (loc_len bytes) */
    uint32_t loc_len;
    const char *msg;
    struct gw_jsonschema_error *causes, *last, *next;
    uint32_t n_causes;
};

/* Renders the errors (the library's causes of its top error) as its Error() text without the
 * first line; stops at the buffer's cap. */
void gw_jsonschema_error_render(struct cmn_buf *b, const struct gw_jsonschema_error *list);

#endif
