/* gw_jsonschema_json.c - the request body parser: one JSON value read as Go's json.Unmarshal
 * reads it (its syntax error messages, U+FFFD for bad UTF-8, the last of repeated keys). */
#include "gw_jsonschema_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* UTF-8 encoding of a code point into out (4 bytes room); its length. */
static size_t utf8_put(char *out, uint32_t c)
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xc0 | (c >> 6));
        out[1] = (char)(0x80 | (c & 0x3f));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xe0 | (c >> 12));
        out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
        out[2] = (char)(0x80 | (c & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (c >> 18));
    out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
    out[3] = (char)(0x80 | (c & 0x3f));
    return 4;
}

/* ---- the parser ---- */

struct parser {
    const unsigned char *s;
    size_t n, i;
    struct gw_jsonschema_arena *a;
    const struct gw_jsonschema_parse_limits *lim;
    size_t nodes;
    int depth;
    struct cmn_err *err;
    enum gw_jsonschema_status st;
    struct gw_jsonschema_member *stack; /* items and members of the open containers */
    size_t sp, scap;
    char *sbuf; /* string unescape scratch */
    size_t scap2;
};

static bool fail_eof(struct parser *p)
{
    if (p->st == GW_JSONSCHEMA_OK)
        p->st = (enum gw_jsonschema_status)cmn_err_set(p->err, GW_JSONSCHEMA_BAD_BODY,
                                                       "unexpected end of JSON input");
    return false;
}

/* encoding/json's SyntaxError text for byte c in the given context. */
static bool fail_char(struct parser *p, const char *context)
{
    struct cmn_buf q;

    if (p->i >= p->n)
        return fail_eof(p);
    cmn_buf_init(&q, 64);
    gw_jsonschema_quote_char(&q, p->s[p->i]);
    p->st = (enum gw_jsonschema_status)cmn_err_set(
        p->err, GW_JSONSCHEMA_BAD_BODY, "invalid character %s %s", cmn_buf_str(&q), context);
    cmn_buf_free(&q);
    return false;
}

static bool fail_st(struct parser *p, enum gw_jsonschema_status st, const char *msg)
{
    p->st = (enum gw_jsonschema_status)cmn_err_set(p->err, (int)st, "%s", msg);
    return false;
}

static void skip_ws(struct parser *p)
{
    while (p->i < p->n &&
           (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\r' || p->s[p->i] == '\n'))
        p->i++;
}

static struct gw_jsonschema_value *new_value(struct parser *p, uint8_t type)
{
    struct gw_jsonschema_value *v;

    if (++p->nodes > p->lim->max_nodes) {
        fail_st(p, GW_JSONSCHEMA_LIMIT, "jsonschema: too many JSON values");
        return NULL;
    }
    v = gw_jsonschema_alloc(p->a, sizeof(*v));
    if (!v) {
        fail_st(p, p->a->total >= p->a->cap ? GW_JSONSCHEMA_LIMIT : GW_JSONSCHEMA_NOMEM,
                "jsonschema: out of memory for the JSON value");
        return NULL;
    }
    v->type = type;
    return v;
}

static bool push(struct parser *p, const char *key, uint32_t klen, struct gw_jsonschema_value *v)
{
    struct gw_jsonschema_member *ns;
    size_t ncap;

    if (p->sp == p->scap) {
        ncap = p->scap ? p->scap * 2 : 64;
        ns = realloc(p->stack, ncap * sizeof(*ns));
        if (!ns)
            return fail_st(p, GW_JSONSCHEMA_NOMEM, "jsonschema: out of memory");
        p->stack = ns;
        p->scap = ncap;
    }
    p->stack[p->sp].key = key;
    p->stack[p->sp].klen = klen;
    p->stack[p->sp].val = v;
    p->sp++;
    return true;
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Four hex digits at p->i (already checked by the scanner), or -1. */
static int32_t hex4(const unsigned char *s)
{
    int32_t v = 0;

    for (int k = 0; k < 4; k++)
        v = (v << 4) | hexval(s[k]);
    return v;
}

/* Scans a string starting after its opening quote: validates like Go's scanner, then decodes like
 * Go's unquote (bad UTF-8 and lone surrogates become U+FFFD). Result in the arena. */
static bool parse_string(struct parser *p, const char **out, uint32_t *out_len)
{
    size_t start = p->i, end, w = 0, k, size;
    bool plain = true;
    unsigned char c;
    int32_t r, r2;
    char *nb;

    for (;;) {
        if (p->i >= p->n)
            return fail_eof(p);
        c = p->s[p->i];
        if (c == '"')
            break;
        if (c < 0x20)
            return fail_char(p, "in string literal");
        if (c == '\\') {
            plain = false;
            p->i++;
            if (p->i >= p->n)
                return fail_eof(p);
            c = p->s[p->i];
            if (c == 'u') {
                for (k = 0; k < 4; k++) {
                    p->i++;
                    if (p->i >= p->n)
                        return fail_eof(p);
                    if (hexval(p->s[p->i]) < 0)
                        return fail_char(p, "in \\u hexadecimal character escape");
                }
            } else if (!strchr("bfnrt\\/\"", c) || c == 0) {
                return fail_char(p, "in string escape code");
            }
        } else if (c >= 0x80) {
            plain = false;
        }
        p->i++;
    }
    end = p->i;
    p->i++; /* closing quote */
    if ((uint64_t)(end - start) > UINT32_MAX / 4)
        return fail_st(p, GW_JSONSCHEMA_LIMIT, "jsonschema: string too long");
    if (plain) {
        *out = gw_jsonschema_strndup(p->a, (const char *)p->s + start, end - start);
        *out_len = (uint32_t)(end - start);
        return *out ? true : fail_st(p, GW_JSONSCHEMA_LIMIT, "jsonschema: out of memory");
    }
    /* decoded text is at most 3 bytes per input byte (a bad byte becomes U+FFFD) */
    if (p->scap2 < (end - start) * 3 + 4) {
        nb = realloc(p->sbuf, (end - start) * 3 + 4);
        if (!nb)
            return fail_st(p, GW_JSONSCHEMA_NOMEM, "jsonschema: out of memory");
        p->sbuf = nb;
        p->scap2 = (end - start) * 3 + 4;
    }
    for (k = start; k < end;) {
        c = p->s[k];
        if (c == '\\') {
            c = p->s[k + 1];
            k += 2;
            switch (c) {
            case 'b':
                p->sbuf[w++] = '\b';
                break;
            case 'f':
                p->sbuf[w++] = '\f';
                break;
            case 'n':
                p->sbuf[w++] = '\n';
                break;
            case 'r':
                p->sbuf[w++] = '\r';
                break;
            case 't':
                p->sbuf[w++] = '\t';
                break;
            case 'u':
                r = hex4(p->s + k);
                k += 4;
                if (r >= 0xd800 && r < 0xe000) {
                    r2 = -1;
                    if (r < 0xdc00 && k + 6 <= end && p->s[k] == '\\' && p->s[k + 1] == 'u')
                        r2 = hex4(p->s + k + 2);
                    if (r2 >= 0xdc00 && r2 < 0xe000) {
                        r = 0x10000 + ((r - 0xd800) << 10) + (r2 - 0xdc00);
                        k += 6;
                    } else {
                        r = 0xfffd;
                    }
                }
                w += utf8_put(p->sbuf + w, (uint32_t)r);
                break;
            default:
                p->sbuf[w++] = (char)c;
                break;
            }
        } else if (c < 0x80) {
            p->sbuf[w++] = (char)c;
            k++;
        } else {
            r = gw_jsonschema_utf8_decode((const char *)p->s + k, end - k, &size);
            if (r < 0) {
                w += utf8_put(p->sbuf + w, 0xfffd);
                k++;
            } else {
                memcpy(p->sbuf + w, p->s + k, size);
                w += size;
                k += size;
            }
        }
    }
    *out = gw_jsonschema_strndup(p->a, p->sbuf, w);
    *out_len = (uint32_t)w;
    return *out ? true : fail_st(p, GW_JSONSCHEMA_LIMIT, "jsonschema: out of memory");
}

static bool digits(struct parser *p)
{
    while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
        p->i++;
    return true;
}

/* Go's number states: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
static bool parse_number(struct parser *p, struct gw_jsonschema_value *v)
{
    size_t start = p->i;

    if (p->s[p->i] == '-') {
        p->i++;
        if (p->i >= p->n)
            return fail_eof(p);
        if (p->s[p->i] < '0' || p->s[p->i] > '9')
            return fail_char(p, "in numeric literal");
    }
    if (p->s[p->i] == '0')
        p->i++;
    else
        digits(p);
    if (p->i < p->n && p->s[p->i] == '.') {
        p->i++;
        if (p->i >= p->n)
            return fail_eof(p);
        if (p->s[p->i] < '0' || p->s[p->i] > '9')
            return fail_char(p, "after decimal point in numeric literal");
        digits(p);
    }
    if (p->i < p->n && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
        p->i++;
        if (p->i < p->n && (p->s[p->i] == '+' || p->s[p->i] == '-'))
            p->i++;
        if (p->i >= p->n)
            return fail_eof(p);
        if (p->s[p->i] < '0' || p->s[p->i] > '9')
            return fail_char(p, "in exponent of numeric literal");
        digits(p);
    }
    v->str = gw_jsonschema_strndup(p->a, (const char *)p->s + start, p->i - start);
    if (!v->str || !gw_jsonschema_num_parse(p->a, v->str, p->i - start, &v->num))
        return fail_st(p, v->str ? GW_JSONSCHEMA_LIMIT : GW_JSONSCHEMA_NOMEM,
                       "jsonschema: number out of range");
    v->len = (uint32_t)(p->i - start);
    return true;
}

static bool parse_literal(struct parser *p, const char *word)
{
    char context[48];

    p->i++; /* first letter matched by the caller */
    for (size_t k = 1; word[k]; k++, p->i++) {
        if (p->i >= p->n)
            return fail_eof(p);
        if (p->s[p->i] != (unsigned char)word[k]) {
            snprintf(context, sizeof(context), "in literal %s (expecting '%c')", word, word[k]);
            return fail_char(p, context);
        }
    }
    return true;
}

static struct gw_jsonschema_value *parse_value(struct parser *p);

static bool parse_container(struct parser *p, struct gw_jsonschema_value *v, bool object)
{
    size_t base = p->sp, k;
    const char *key = NULL;
    uint32_t klen = 0;
    struct gw_jsonschema_value *item;
    char close = object ? '}' : ']';

    if (++p->depth > p->lim->max_depth)
        return fail_st(p, GW_JSONSCHEMA_LIMIT, "jsonschema: JSON nested too deep");
    p->i++;
    skip_ws(p);
    if (p->i < p->n && p->s[p->i] == close) {
        p->i++;
        p->depth--;
        return true;
    }
    for (;;) {
        if (object) {
            if (p->i >= p->n)
                return fail_eof(p);
            if (p->s[p->i] != '"')
                return fail_char(p, "looking for beginning of object key string");
            p->i++;
            if (!parse_string(p, &key, &klen))
                return false;
            skip_ws(p);
            if (p->i >= p->n)
                return fail_eof(p);
            if (p->s[p->i] != ':')
                return fail_char(p, "after object key");
            p->i++;
        }
        item = parse_value(p);
        if (!item || !push(p, key, klen, item))
            return false;
        skip_ws(p);
        if (p->i >= p->n)
            return fail_eof(p);
        if (p->s[p->i] == ',') {
            p->i++;
            skip_ws(p);
            continue;
        }
        if (p->s[p->i] == close)
            break;
        return fail_char(p, object ? "after object key:value pair" : "after array element");
    }
    p->i++;
    p->depth--;
    v->len = (uint32_t)(p->sp - base);
    if (object) {
        v->members = gw_jsonschema_alloc(p->a, v->len * sizeof(*v->members));
        if (!v->members)
            return fail_st(p, GW_JSONSCHEMA_LIMIT, "jsonschema: out of memory");
        memcpy(v->members, p->stack + base, v->len * sizeof(*v->members));
        if (!gw_jsonschema_object_finish(p->a, v))
            return fail_st(p, GW_JSONSCHEMA_LIMIT, "jsonschema: out of memory");
    } else {
        v->items = gw_jsonschema_alloc(p->a, v->len * sizeof(*v->items));
        if (!v->items)
            return fail_st(p, GW_JSONSCHEMA_LIMIT, "jsonschema: out of memory");
        for (k = 0; k < v->len; k++)
            v->items[k] = p->stack[base + k].val;
    }
    p->sp = base;
    return true;
}

static struct gw_jsonschema_value *parse_value(struct parser *p)
{
    struct gw_jsonschema_value *v;
    unsigned char c;
    bool ok;

    skip_ws(p);
    if (p->i >= p->n) {
        fail_eof(p);
        return NULL;
    }
    c = p->s[p->i];
    switch (c) {
    case '{':
    case '[':
        v = new_value(p, c == '{' ? GW_JST_OBJECT : GW_JST_ARRAY);
        ok = v && parse_container(p, v, c == '{');
        break;
    case '"':
        v = new_value(p, GW_JST_STRING);
        p->i++;
        ok = v && parse_string(p, &v->str, &v->len);
        break;
    case 't':
    case 'f':
        v = new_value(p, GW_JST_BOOL);
        ok = v && parse_literal(p, c == 't' ? "true" : "false");
        if (ok)
            v->b = c == 't';
        break;
    case 'n':
        v = new_value(p, GW_JST_NULL);
        ok = v && parse_literal(p, "null");
        break;
    default:
        if (c == '-' || (c >= '0' && c <= '9')) {
            v = new_value(p, GW_JST_NUMBER);
            ok = v && parse_number(p, v);
        } else {
            fail_char(p, "looking for beginning of value");
            v = NULL;
            ok = false;
        }
        break;
    }
    return ok ? v : NULL;
}

enum gw_jsonschema_status gw_jsonschema_parse(struct gw_jsonschema_arena *a, const char *s,
                                              size_t n,
                                              const struct gw_jsonschema_parse_limits *lim,
                                              struct gw_jsonschema_value **out, struct cmn_err *err)
{
    struct parser p = {0};
    struct gw_jsonschema_value *v = NULL;

    *out = NULL;
    if (n > lim->max_bytes)
        return (enum gw_jsonschema_status)cmn_err_set(
            err, GW_JSONSCHEMA_LIMIT, "jsonschema: body larger than %zu bytes", lim->max_bytes);
    p.s = (const unsigned char *)s;
    p.n = n;
    p.a = a;
    p.lim = lim;
    p.err = err;
    p.st = GW_JSONSCHEMA_OK;
    v = parse_value(&p);
    if (v) {
        skip_ws(&p);
        if (p.i < p.n) {
            fail_char(&p, "after top-level value");
            v = NULL;
        }
    }
    free(p.stack);
    free(p.sbuf);
    if (!v)
        return p.st != GW_JSONSCHEMA_OK ? p.st : GW_JSONSCHEMA_NOMEM;
    *out = v;
    return GW_JSONSCHEMA_OK;
}
