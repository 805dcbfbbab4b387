/* gw_tmpl_parse_int.h - the parser's state and the token, error, node and variable helpers the
 * grammar (gw_tmpl_parse.c) builds on (gw_tmpl_ptok.c). */
#ifndef GW_TMPL_PARSE_INT_H
#define GW_TMPL_PARSE_INT_H

#include "gw_tmpl_int.h"

struct parser {
    struct gw_tmpl_set *set;
    struct tsrc *src;
    struct tarena *a;
    struct tlexer lex;
    struct tok token[3];
    int peek_count;
    struct tstr *vars;
    size_t nvars, cap_vars, vars_base;
    int action_line;
    int range_depth;
    int paren_depth;
    int nest;
    size_t nodes;
    struct tstr tree_name; /* the template being parsed (top level, define or block) */
    struct tparsed *defs;
    size_t ndefs, cap_defs;
    struct cmn_err *err;
    int status;
    bool failed;
};

void tp_perrorf_at(struct parser *p, size_t pos, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void tp_limit(struct parser *p, const char *what);
void tp_tok_string(const struct tok *t, char *out, size_t sz);
void tp_node_str(const struct node *n, char *out, size_t sz);
struct tok tp_next(struct parser *p);
void tp_backup(struct parser *p);
void tp_backup2(struct parser *p, struct tok t1);
void tp_backup3(struct parser *p, struct tok t2, struct tok t1);
struct tok tp_peek(struct parser *p);
struct tok tp_next_non_space(struct parser *p);
struct tok tp_peek_non_space(struct parser *p);
void tp_unexpected(struct parser *p, const struct tok *t, const char *context);
bool tp_expect(struct parser *p, enum tok_type want, const char *context, struct tok *out);
struct node *tp_new_node(struct parser *p, enum node_type type, size_t pos, int line);
bool tp_grow_append(struct parser *p, struct node ***v, size_t *n, size_t *cap, struct node *item);
bool tp_list_append(struct parser *p, struct node *list, struct node *item);
struct tstr *tp_split_ids(struct parser *p, const char *s, size_t n, size_t *count);
struct node *tp_new_ident_node(struct parser *p, enum node_type type, size_t pos, int line,
                               const char *s, size_t n);
bool tp_push_var(struct parser *p, const char *s, size_t n);
struct node *tp_use_var(struct parser *p, const struct tok *t);

/* An error at the current token (Go's Tree.errorf). */
#define perrorf(p, ...) tp_perrorf_at((p), (p)->token[0].pos, (p)->token[0].line, __VA_ARGS__)

#endif
