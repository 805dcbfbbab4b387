/* gw_jose_json.c - strict JSON for token headers and claims: a fast path for plain JSON, with
 * jansson for everything else.
 *
 * jansson's lexer reads one character at a time through a callback and costs about 4 us for a
 * typical 200-byte claims set, eight times what building the same values costs. Tokens carry
 * plain JSON, so a small parser builds those values directly. It accepts only a subset of what
 * jansson accepts and gives up (returns NULL) on the first thing outside it: then the caller
 * runs jansson on the same bytes, which decides, and words any error, exactly as before. The
 * subset: objects and arrays; strings of printable ASCII with the escapes \" \\ \/ \b \f \n \r
 * \t (never \u, never a byte outside 0x20-0x7f); integers of at most 18 digits without a
 * fraction or exponent (jansson's integers, exactly); true, false, null; JSON whitespace. A
 * duplicate member name gives up too (jansson refuses it with JSON_REJECT_DUPLICATES). */
#include "gw_jose_json.h"

#include "cmn_json.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define INT_DIGITS_MAX 18 /* below 2^63: no overflow, as jansson's strtoll would see it */
#define STACK_STR 256

struct parser {
    const char *s, *end;
    int depth, max_depth;
};

static json_t *value(struct parser *p);

static void skip_ws(struct parser *p)
{
    while (p->s < p->end && (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' || *p->s == '\r'))
        p->s++;
}

static int unescape(char c)
{
    switch (c) {
    case '"':
    case '\\':
    case '/':
        return c;
    case 'b':
        return '\b';
    case 'f':
        return '\f';
    case 'n':
        return '\n';
    case 'r':
        return '\r';
    case 't':
        return '\t';
    default:
        return -1; /* \u and anything else: jansson's business */
    }
}

/* A decoded string: s points into the text (nothing to decode) or into small or heap. */
struct str {
    const char *s;
    size_t n;
    char *heap;
    char small[STACK_STR];
};

static void str_free(struct str *t)
{
    free(t->heap);
    t->heap = NULL;
}

/* A string at p->s (on its opening quote) into *out (str_free it); false when the string is
 * outside the subset. */
static bool string(struct parser *p, struct str *out)
{
    const char *start = ++p->s, *q = start;
    char *buf;
    size_t o;

    out->heap = NULL;
    while (q < p->end && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20 &&
           (unsigned char)*q < 0x80)
        q++;
    if (q >= p->end)
        return false;
    if (*q == '"') { /* the usual case: nothing to decode */
        out->s = start;
        out->n = (size_t)(q - start);
        p->s = q + 1;
        return true;
    }
    if (*q != '\\')
        return false;
    /* Escapes: the decoded string is no longer than the rest of the text. */
    if ((size_t)(p->end - start) <= sizeof(out->small))
        buf = out->small;
    else if (!(buf = out->heap = malloc((size_t)(p->end - start))))
        return false;
    o = (size_t)(q - start);
    memcpy(buf, start, o);
    while (q < p->end) {
        unsigned char c = (unsigned char)*q;
        if (c == '"') {
            out->s = buf;
            out->n = o;
            p->s = q + 1;
            return true;
        }
        if (c == '\\') {
            int e = q + 1 < p->end ? unescape(q[1]) : -1;
            if (e < 0)
                break;
            buf[o++] = (char)e;
            q += 2;
            continue;
        }
        if (c < 0x20 || c >= 0x80)
            break;
        buf[o++] = (char)c;
        q++;
    }
    str_free(out);
    return false;
}

static json_t *number(struct parser *p)
{
    const char *q = p->s;
    bool neg = false;
    long long v = 0;
    int digits = 0;

    if (*q == '-') {
        neg = true;
        q++;
    }
    if (q >= p->end || *q < '0' || *q > '9')
        return NULL;
    if (*q == '0' && q + 1 < p->end && q[1] >= '0' && q[1] <= '9')
        return NULL; /* a leading zero: invalid JSON */
    while (q < p->end && *q >= '0' && *q <= '9') {
        if (++digits > INT_DIGITS_MAX)
            return NULL;
        v = v * 10 + (*q - '0');
        q++;
    }
    if (q < p->end && (*q == '.' || *q == 'e' || *q == 'E'))
        return NULL; /* a real: jansson's strtod decides */
    p->s = q;
    return json_integer(neg ? -v : v);
}

static json_t *literal(struct parser *p, const char *word, size_t n, json_t *v)
{
    if ((size_t)(p->end - p->s) < n || memcmp(p->s, word, n) != 0)
        return NULL;
    p->s += n;
    return v;
}

/* After a member or element: true on ',' (consumed) with more to come, false on the closer
 * (consumed, *done set) or on anything else (*done clear: give up). */
static bool next_item(struct parser *p, char closer, bool *done)
{
    skip_ws(p);
    *done = false;
    if (p->s < p->end && *p->s == ',') {
        p->s++;
        skip_ws(p);
        return true;
    }
    if (p->s < p->end && *p->s == closer) {
        p->s++;
        *done = true;
    }
    return false;
}

static json_t *object(struct parser *p)
{
    json_t *obj = json_object();
    bool done = false;

    if (!obj)
        return NULL;
    p->s++;
    skip_ws(p);
    if (p->s < p->end && *p->s == '}') {
        p->s++;
        return obj;
    }
    for (;;) {
        struct str name;
        json_t *v;
        if (p->s >= p->end || *p->s != '"' || !string(p, &name))
            break;
        skip_ws(p);
        v = NULL;
        if (p->s < p->end && *p->s == ':') {
            p->s++;
            skip_ws(p);
            v = value(p);
        }
        if (!v) {
            str_free(&name);
            break;
        }
        /* A name seen before: jansson refuses the document (JSON_REJECT_DUPLICATES). */
        if (json_object_getn(obj, name.s, name.n)) {
            json_decref(v);
            str_free(&name);
            break;
        }
        /* takes v's reference, also when it fails */
        if (json_object_setn_new_nocheck(obj, name.s, name.n, v) != 0) {
            str_free(&name);
            break;
        }
        str_free(&name);
        if (!next_item(p, '}', &done)) {
            if (done)
                return obj;
            break;
        }
    }
    json_decref(obj);
    return NULL;
}

static json_t *array(struct parser *p)
{
    json_t *arr = json_array();
    bool done = false;

    if (!arr)
        return NULL;
    p->s++;
    skip_ws(p);
    if (p->s < p->end && *p->s == ']') {
        p->s++;
        return arr;
    }
    for (;;) {
        json_t *v = value(p);
        if (!v || json_array_append_new(arr, v) != 0)
            break;
        if (!next_item(p, ']', &done)) {
            if (done)
                return arr;
            break;
        }
    }
    json_decref(arr);
    return NULL;
}

static json_t *value(struct parser *p)
{
    json_t *v = NULL;

    if (p->s >= p->end)
        return NULL;
    switch (*p->s) {
    case '{':
    case '[':
        if (++p->depth > p->max_depth)
            return NULL;
        v = *p->s == '{' ? object(p) : array(p);
        p->depth--;
        return v;
    case '"': {
        struct str t;
        if (!string(p, &t))
            return NULL;
        v = json_stringn_nocheck(t.s, t.n);
        str_free(&t);
        return v;
    }
    case 't':
        return literal(p, "true", 4, json_true());
    case 'f':
        return literal(p, "false", 5, json_false());
    case 'n':
        return literal(p, "null", 4, json_null());
    default:
        return number(p);
    }
}

json_t *gw_jose_json_fast(const char *data, size_t n, int max_depth)
{
    struct parser p = {data, data + n, 0, max_depth};
    json_t *v;

    if (!data)
        return NULL;
    skip_ws(&p);
    if (p.s >= p.end || *p.s != '{')
        return NULL;
    v = value(&p);
    if (!v)
        return NULL;
    skip_ws(&p);
    if (p.s != p.end) {
        json_decref(v);
        return NULL;
    }
    return v;
}

json_t *gw_jose_json_load(const char *data, size_t n, size_t max_bytes, int max_depth,
                          struct cmn_err *err)
{
    json_t *v = n <= max_bytes ? gw_jose_json_fast(data, n, max_depth) : NULL;

    return v ? v : cmn_json_loadb_strict(data, n, max_bytes, max_depth, err);
}
