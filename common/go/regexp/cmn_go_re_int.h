/* cmn_go_re_int.h - the parse tree shared by the Go-syntax parser, the PCRE2 emitter and the
 * Unicode name table of cmn_go_re. Private to common/go/regexp (and its unit test). */
#ifndef CMN_GO_RE_INT_H
#define CMN_GO_RE_INT_H

#include "cmn_go_json.h"
#include "cmn_go_re.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GRE_MAX_RUNE 0x10FFFFu
/* Memory for one parse; a 64 KiB pattern needs far less. */
#define GRE_ARENA_CAP ((size_t)64 << 20)
/* Our own messages quote at most this much of a pattern. */
#define GRE_QUOTE_MAX 200
#define GRE_QUOTE(n, s)                                                                            \
    (int)((n) < GRE_QUOTE_MAX ? (n) : GRE_QUOTE_MAX), (s), ((n) > GRE_QUOTE_MAX ? "..." : "")

enum gre_op {
    GRE_EMPTY = 1,  /* matches the empty string */
    GRE_LIT,        /* runes[0..nrunes) in sequence */
    GRE_CLASS,      /* one character of cls */
    GRE_ANY,        /* any character */
    GRE_ANY_NOT_NL, /* any character but \n */
    GRE_BOL,        /* (?m)^ */
    GRE_EOL,        /* (?m)$ */
    GRE_BOT,        /* ^ and \A */
    GRE_EOT,        /* $ and \z */
    GRE_WB,         /* \b (ASCII) */
    GRE_NWB,        /* \B */
    GRE_CAP,        /* capturing group: emitted as a plain group, counted for Go's limits */
    GRE_STAR,
    GRE_PLUS,
    GRE_QUEST,
    GRE_REPEAT, /* {min,max}; max -1 = unbounded */
    GRE_CONCAT,
    GRE_ALT,
};

/* Parse flags, as Go's syntax.Flags that matter here. */
#define GRE_F_FOLD 0x1u      /* (?i) */
#define GRE_F_ONELINE 0x2u   /* not (?m): ^ $ are text anchors */
#define GRE_F_DOTNL 0x4u     /* (?s) */
#define GRE_F_NONGREEDY 0x8u /* (?U), or a repetition operator followed by '?' */

/* A Unicode class name: \p{Greek}. */
struct gre_prop {
    uint16_t id; /* index into the name table (cmn_go_re_unicode.c) */
    bool neg;
};

struct gre_class {
    bool neg;    /* [^...] */
    bool fold;   /* PCRE2 must fold the ranges (literal ranges of a (?i) class) */
    uint32_t *r; /* pairs lo, hi */
    size_t nr, cap_r;
    struct gre_prop *p;
    size_t np, cap_p;
};

struct gre_node {
    enum gre_op op;
    unsigned flags; /* GRE_F_FOLD for GRE_LIT, GRE_F_NONGREEDY for repetitions */
    int min, max;
    uint32_t *runes;
    size_t nrunes, cap_runes;
    struct gre_class *cls;
    struct gre_node **sub;
    size_t nsub, cap_sub;
    int height;   /* Go's parse-tree height */
    int64_t size; /* Go's compiled-size estimate */
};

/* Go's error texts (regexp/syntax ErrorCode). */
#define ERR_CHAR_RANGE "invalid character class range"
#define ERR_ESCAPE "invalid escape sequence"
#define ERR_NAMED_CAPTURE "invalid named capture"
#define ERR_PERL_OP "invalid or unsupported Perl syntax"
#define ERR_REPEAT_OP "invalid nested repetition operator"
#define ERR_REPEAT_SIZE "invalid repeat count"
#define ERR_UTF8 "invalid UTF-8"
#define ERR_BRACKET "missing closing ]"
#define ERR_PAREN "missing closing )"
#define ERR_REPEAT_ARG "missing argument to repetition operator"
#define ERR_BACKSLASH "trailing backslash at end of expression"
#define ERR_UNEXPECTED_PAREN "unexpected )"
#define ERR_DEPTH "expression nests too deeply"
#define ERR_LARGE "expression too large"

/* Bump allocator for one parse: everything is released at once. */
struct gre_arena {
    struct gre_chunk *head;
    size_t used_total;
    size_t cap_total;
};

/* An empty arena that refuses to grow past cap bytes. */
static inline void gre_arena_init(struct gre_arena *a, size_t cap)
{
    a->head = NULL;
    a->used_total = 0;
    a->cap_total = cap;
}
/* Zeroed, 16-byte aligned memory or NULL when the cap is reached or malloc fails. */
void *cmn_gre_arena_alloc(struct gre_arena *a, size_t n);
void cmn_gre_arena_free(struct gre_arena *a);

/* Parses a Go pattern into a tree allocated from a. Returns the root or NULL with err set
 * (code CMN_GO_RE_SYNTAX / CMN_GO_RE_UNSUPPORTED / CMN_GO_RE_NOMEM). */
struct gre_node *cmn_gre_parse(const char *pattern, size_t n, struct gre_arena *a,
                               struct cmn_err *err);

/* ---- parser internals shared by cmn_go_re_parse.c and cmn_go_re_class.c ---- */

struct gre_frame {
    unsigned saved_flags; /* restored at the closing parenthesis */
    bool capture;
    struct gre_node **alts; /* finished alternatives */
    size_t nalts, cap_alts;
    struct gre_node **items; /* the concatenation being read */
    size_t nitems, cap_items;
};

struct gre_parser {
    const char *whole;
    size_t n;
    unsigned flags;
    struct gre_frame *frames; /* frames[0] is the top level */
    size_t depth, cap_frames;
    struct gre_arena *a;
    struct cmn_err *err;
};

/* Sets err to Go's "error parsing regexp: <code>: `<expr>`". */
void cmn_gre_fail(struct gre_parser *p, const char *code, const char *expr, size_t len);
void cmn_gre_nomem(struct gre_parser *p);
/* Grows an arena array of elem-sized items holding n to room for need (copying the n). */
bool cmn_gre_grow(struct gre_arena *a, void **arr, size_t n, size_t need, size_t *cap, size_t elem);
struct gre_node *cmn_gre_new_node(struct gre_parser *p, enum gre_op op);
/* Appends n to the current concatenation and checks Go's limits. */
bool cmn_gre_push_item(struct gre_parser *p, struct gre_node *n);
/* Go's nextRune: the rune at s (RuneError of width 0 at end), or an invalid-UTF-8 error. */
bool cmn_gre_next_rune(struct gre_parser *p, const char *s, const char *end, uint32_t *r,
                       size_t *w);
bool cmn_gre_check_utf8(struct gre_parser *p, const char *s, size_t n);

/* cmn_go_re_class.c: classes and escapes. Each returns the position after what it read, or NULL
 * with the error set. */
struct gre_class *cmn_gre_new_class(struct gre_parser *p);
bool cmn_gre_push_class(struct gre_parser *p, struct gre_class *cls);
/* \p{Name}, \pN, \P..., at t (which starts with "\p" or "\P"), added to cls. */
const char *cmn_gre_unicode_class(struct gre_parser *p, const char *t, const char *end,
                                  struct gre_class *cls);
/* Whether \c is a Perl class (\d \D \s \S \w \W). */
bool cmn_gre_perl_group(char c);
bool cmn_gre_add_perl_group(struct gre_parser *p, struct gre_class *cls, char c);
/* Go's parseEscape: a single-character escape at t. */
const char *cmn_gre_parse_escape(struct gre_parser *p, const char *t, const char *end, uint32_t *r);
/* Go's parseClass: [...] at t, pushed as an item. */
const char *cmn_gre_parse_class(struct gre_parser *p, const char *t, const char *end);

/* Appends the PCRE2 form of the tree to out. false on allocation failure or cap. */
bool cmn_gre_emit(const struct gre_node *root, struct cmn_buf *out);

/* ---- Unicode class names (cmn_go_re_unicode.c) ---- */

enum gre_fold_extra {
    GRE_FOLD_NONE = 0,
    GRE_FOLD_CASED,    /* Lu, Ll, Lt: folding adds most of another category: not supported */
    GRE_FOLD_YPOGEGR,  /* L, LC: + U+0345 */
    GRE_FOLD_IOTA,     /* M, Mn, Inherited: + U+0399 U+03B9 U+1FBE */
    GRE_FOLD_MU_UPPER, /* Common: + U+039C U+03BC */
    GRE_FOLD_MICRO,    /* Greek: + U+00B5 U+0345 */
};

enum gre_uclass_kind {
    GRE_UC_PCRE = 0, /* a PCRE2 \p{...} name */
    GRE_UC_ANY,      /* \p{Any} */
    GRE_UC_ASCII,    /* \p{ASCII}: a range, folded like Go's asciiFoldTable */
    GRE_UC_ASSIGNED, /* \p{Assigned} = \P{Cn} */
};

struct gre_uname {
    const char *go;   /* Go's name ("Greek", "Uppercase_Letter") */
    const char *pcre; /* PCRE2 property text inside \p{...} */
    enum gre_uclass_kind kind;
    enum gre_fold_extra fold;
};

/* Looks name[0..n) up as Go 1.25 does (case-insensitive, ignoring '_', '-' and ' '): the index
 * into the table, or -1. */
int cmn_gre_uname_lookup(const char *name, size_t n);
const struct gre_uname *cmn_gre_uname_get(int id);
size_t cmn_gre_uname_count(void);

/* Code points a fold extra adds (0-terminated list, at most 3). */
const uint32_t *cmn_gre_fold_extra_points(enum gre_fold_extra f);

/* Go's utf8.DecodeRune (cmn_go_utf8_decode): the rune at s[0..n) and its width; an invalid
 * byte is (0xFFFD, 1) with *ok false. n must be > 0. */
static inline uint32_t gre_utf8_decode(const unsigned char *s, size_t n, size_t *width, bool *ok)
{
    uint32_t r = 0xFFFD;
    size_t w = cmn_go_utf8_decode(s, n, &r);

    *ok = w != 0;
    *width = w ? w : 1;
    return w ? r : 0xFFFD;
}

#endif
