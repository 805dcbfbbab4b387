/* gw_cel_lex.h - CEL tokens and literal decoding, shared by the lexer and the parser. */
#ifndef GW_CEL_LEX_H
#define GW_CEL_LEX_H

#include "gw_cel_int.h"

enum cel_tok {
    T_EOF = 0,
    T_ERROR,
    T_UNTERMINATED,
    T_IDENT,
    T_ESCIDENT,
    T_INT,
    T_UINT,
    T_DOUBLE,
    T_STRING,
    T_BYTES,
    T_TRUE,
    T_FALSE,
    T_NULL,
    T_IN,
    T_EQ,
    T_NE,
    T_LT,
    T_LE,
    T_GE,
    T_GT,
    T_AND,
    T_OR,
    T_LBRACKET,
    T_RBRACKET,
    T_LBRACE,
    T_RBRACE,
    T_LPAREN,
    T_RPAREN,
    T_DOT,
    T_COMMA,
    T_MINUS,
    T_NOT,
    T_QUESTION,
    T_COLON,
    T_PLUS,
    T_STAR,
    T_SLASH,
    T_PERCENT,
};

struct cel_token {
    uint8_t type; /* enum cel_tok */
    uint32_t pos, len;
};

/* The token starting at or after byte offset at of s[0..n) (whitespace and comments skipped). */
void cel_lex(const char *s, size_t n, size_t at, struct cel_token *t);

/* Literal values of tokens: 0, or -1 when out of range / malformed. */
int cel_lit_int(const char *s, size_t len, bool negative, int64_t *out);
int cel_lit_uint(const char *s, size_t len, uint64_t *out);
int cel_lit_double(const char *s, size_t len, bool negative, double *out);
/* Unquotes and unescapes a string or bytes token into the arena (cel-go's unescape rules). */
int cel_lit_string(struct gw_cel_arena *a, const char *tok, size_t len, bool bytes,
                   struct gw_cel_val *out, const char **msg);

#endif
