/* gw_gojson.c - JSON tree keeping number lexemes, a Go-compatible parser and json.Marshal renderer.
 */
#include "gw_gojson.h"

#include "cmn_go_float.h"
#include "cmn_go_json.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- values -------------------------------------------------------------------------------- */

static struct gw_json *new_value(enum gw_json_type t)
{
    struct gw_json *v = calloc(1, sizeof(*v));

    if (v)
        v->type = t;
    return v;
}

struct gw_json *gw_json_null(void)
{
    return new_value(GW_JSON_NULL);
}

struct gw_json *gw_json_bool(bool b)
{
    struct gw_json *v = new_value(GW_JSON_BOOL);

    if (v)
        v->boolean = b;
    return v;
}

static struct gw_json *new_text(enum gw_json_type t, const char *s, size_t len)
{
    struct gw_json *v = new_value(t);

    if (!v)
        return NULL;
    v->str = malloc(len + 1);
    if (!v->str) {
        free(v);
        return NULL;
    }
    if (len)
        memcpy(v->str, s, len);
    v->str[len] = '\0';
    v->len = len;
    return v;
}

struct gw_json *gw_json_number(const char *lexeme)
{
    return new_text(GW_JSON_NUMBER, lexeme, strlen(lexeme));
}

struct gw_json *gw_json_string(const char *s, size_t len)
{
    return new_text(GW_JSON_STRING, s, len);
}

struct gw_json *gw_json_array(void)
{
    return new_value(GW_JSON_ARRAY);
}

struct gw_json *gw_json_object(void)
{
    return new_value(GW_JSON_OBJECT);
}

struct gw_json *gw_json_struct(void)
{
    struct gw_json *v = new_value(GW_JSON_OBJECT);

    if (v)
        v->is_struct = true;
    return v;
}

void gw_json_destroy(struct gw_json *v)
{
    if (!v)
        return;
    free(v->str);
    for (size_t i = 0; i < v->n_items; i++)
        gw_json_destroy(v->items[i]);
    free(v->items);
    for (size_t i = 0; i < v->n_members; i++) {
        free(v->members[i].key);
        gw_json_destroy(v->members[i].val);
    }
    free(v->members);
    free(v);
}

struct gw_json *gw_json_copy(const struct gw_json *v)
{
    struct gw_json *c;

    if (!v)
        return NULL;
    if (v->type == GW_JSON_NUMBER || v->type == GW_JSON_STRING)
        return new_text(v->type, v->str, v->len);
    c = new_value(v->type);
    if (!c)
        return NULL;
    c->boolean = v->boolean;
    c->is_struct = v->is_struct;
    for (size_t i = 0; i < v->n_items; i++) {
        if (!gw_json_array_append(c, gw_json_copy(v->items[i])))
            goto fail;
    }
    if (v->n_members) {
        c->members = calloc(v->n_members, sizeof(*c->members));
        if (!c->members)
            goto fail;
        c->cap_members = v->n_members;
        for (size_t i = 0; i < v->n_members; i++) {
            c->members[i].key = strdup(v->members[i].key);
            c->members[i].val = gw_json_copy(v->members[i].val);
            c->n_members++;
            if (!c->members[i].key || !c->members[i].val)
                goto fail;
        }
    }
    return c;
fail:
    gw_json_destroy(c);
    return NULL;
}

bool gw_json_array_append(struct gw_json *arr, struct gw_json *item)
{
    if (!item)
        return false;
    if (arr->n_items == arr->cap_items) {
        size_t cap = arr->cap_items ? arr->cap_items * 2 : 4;
        struct gw_json **n = realloc(arr->items, cap * sizeof(*n));
        if (!n) {
            gw_json_destroy(item);
            return false;
        }
        arr->items = n;
        arr->cap_items = cap;
    }
    arr->items[arr->n_items++] = item;
    return true;
}

/* Index of key, or -(insertion point)-1 for sorted maps; linear for structs. */
static long find_member(const struct gw_json *obj, const char *key)
{
    if (obj->is_struct) {
        for (size_t i = 0; i < obj->n_members; i++) {
            if (strcmp(obj->members[i].key, key) == 0)
                return (long)i;
        }
        return -(long)obj->n_members - 1;
    }
    size_t lo = 0, hi = obj->n_members;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(obj->members[mid].key, key);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -(long)lo - 1;
}

bool gw_json_object_set(struct gw_json *obj, const char *key, struct gw_json *val)
{
    long at;
    size_t pos;
    char *k;

    if (!val)
        return false;
    at = find_member(obj, key);
    if (at >= 0) {
        gw_json_destroy(obj->members[at].val);
        obj->members[at].val = val;
        return true;
    }
    pos = (size_t)(-at - 1);
    if (obj->n_members == obj->cap_members) {
        size_t cap = obj->cap_members ? obj->cap_members * 2 : 4;
        struct gw_json_member *m = realloc(obj->members, cap * sizeof(*m));
        if (!m)
            goto fail;
        obj->members = m;
        obj->cap_members = cap;
    }
    k = strdup(key);
    if (!k)
        goto fail;
    memmove(&obj->members[pos + 1], &obj->members[pos],
            (obj->n_members - pos) * sizeof(*obj->members));
    obj->members[pos].key = k;
    obj->members[pos].val = val;
    obj->n_members++;
    return true;
fail:
    gw_json_destroy(val);
    return false;
}

struct gw_json *gw_json_object_get(const struct gw_json *obj, const char *key)
{
    long at;

    if (!obj || obj->type != GW_JSON_OBJECT)
        return NULL;
    at = find_member(obj, key);
    return at >= 0 ? obj->members[at].val : NULL;
}

struct gw_json *gw_json_object_take(struct gw_json *obj, const char *key)
{
    long at;
    struct gw_json *v;

    if (!obj || obj->type != GW_JSON_OBJECT)
        return NULL;
    at = find_member(obj, key);
    if (at < 0)
        return NULL;
    v = obj->members[at].val;
    free(obj->members[at].key);
    memmove(&obj->members[at], &obj->members[at + 1],
            (obj->n_members - (size_t)at - 1) * sizeof(*obj->members));
    obj->n_members--;
    return v;
}

bool gw_json_object_del(struct gw_json *obj, const char *key)
{
    struct gw_json *v = gw_json_object_take(obj, key);

    gw_json_destroy(v);
    return v != NULL;
}

/* ---- parser -------------------------------------------------------------------------------- */

struct parser {
    const char *s;
    size_t n, i;
    int depth, max_depth;
    size_t nodes, max_nodes;
    struct cmn_err *err;
    bool failed;
};

static void skip_ws(struct parser *p)
{
    while (p->i < p->n &&
           (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' || p->s[p->i] == '\r'))
        p->i++;
}

static struct gw_json *fail(struct parser *p, const char *what)
{
    if (!p->failed) {
        p->failed = true;
        if (p->i >= p->n)
            cmn_err_set(p->err, 1, "unexpected end of JSON input");
        else
            cmn_err_set(p->err, 1, "invalid character '%c' %s", p->s[p->i], what);
    }
    return NULL;
}

static struct gw_json *parse_value(struct parser *p);

static bool put_utf8(struct cmn_buf *b, uint32_t cp)
{
    char u[4];
    size_t n;

    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return cmn_buf_append(b, u, n) == CMN_BUF_OK;
}

static int hex4(const char *s)
{
    int v = 0;

    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= c - '0';
        else if (c >= 'a' && c <= 'f')
            v |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v |= c - 'A' + 10;
        else
            return -1;
    }
    return v;
}

/* Parses a string starting at the opening quote into b. */
static bool parse_string_into(struct parser *p, struct cmn_buf *b)
{
    p->i++; /* opening quote */
    while (p->i < p->n) {
        unsigned char c = (unsigned char)p->s[p->i];
        if (c == '"') {
            p->i++;
            return true;
        }
        if (c < 0x20) {
            fail(p, "in string literal");
            return false;
        }
        if (c < 0x80 && c != '\\') { /* a run of plain ASCII goes in with one append */
            size_t j = p->i + 1;
            while (j < p->n && (unsigned char)p->s[j] >= 0x20 && (unsigned char)p->s[j] < 0x80 &&
                   p->s[j] != '"' && p->s[j] != '\\')
                j++;
            if (cmn_buf_append(b, p->s + p->i, j - p->i) != CMN_BUF_OK)
                return false;
            p->i = j;
            continue;
        }
        if (c == '\\') {
            char e;
            if (p->i + 1 >= p->n)
                break;
            e = p->s[p->i + 1];
            p->i += 2;
            const char *simple = strchr("\"\\/bfnrt", e);
            if (e && simple) {
                static const char map[] = "\"\\/\b\f\n\r\t";
                char o = map[simple - "\"\\/bfnrt"];
                if (cmn_buf_append(b, &o, 1) != CMN_BUF_OK)
                    return false;
                continue;
            }
            if (e != 'u' || p->i + 4 > p->n || hex4(p->s + p->i) < 0) {
                p->i--;
                fail(p, "in string escape code");
                return false;
            }
            uint32_t cp = (uint32_t)hex4(p->s + p->i);
            p->i += 4;
            if (cp >= 0xD800 && cp < 0xDC00) {
                int lo = -1;
                if (p->i + 6 <= p->n && p->s[p->i] == '\\' && p->s[p->i + 1] == 'u')
                    lo = hex4(p->s + p->i + 2);
                if (lo >= 0xDC00 && lo < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
                    p->i += 6;
                } else {
                    cp = 0xFFFD;
                }
            } else if (cp >= 0xDC00 && cp < 0xE000) {
                cp = 0xFFFD;
            }
            if (!put_utf8(b, cp))
                return false;
            continue;
        }
        uint32_t cp;
        size_t l = cmn_go_utf8_decode((const unsigned char *)p->s + p->i, p->n - p->i, &cp);
        if (l == 0) {
            if (!put_utf8(b, 0xFFFD))
                return false;
            p->i++;
            continue;
        }
        if (cmn_buf_append(b, p->s + p->i, l) != CMN_BUF_OK)
            return false;
        p->i += l;
    }
    fail(p, "");
    return false;
}

/* Length of the string literal at p->i when it is plain printable ASCII without escapes (the
 * usual case: no temporary buffer needed), or -1. */
static ptrdiff_t plain_string_len(const struct parser *p)
{
    for (size_t j = p->i + 1; j < p->n; j++) {
        unsigned char c = (unsigned char)p->s[j];
        if (c == '"')
            return (ptrdiff_t)(j - p->i - 1);
        if (c < 0x20 || c >= 0x80 || c == '\\')
            return -1;
    }
    return -1;
}

static struct gw_json *parse_string(struct parser *p)
{
    struct cmn_buf b;
    struct gw_json *v = NULL;
    ptrdiff_t plain = plain_string_len(p);

    if (plain >= 0) {
        v = gw_json_string(p->s + p->i + 1, (size_t)plain);
        p->i += (size_t)plain + 2;
        return v;
    }
    cmn_buf_init(&b, p->n + 16);
    if (parse_string_into(p, &b))
        v = gw_json_string(cmn_buf_str(&b), b.len);
    cmn_buf_free(&b);
    return v;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static struct gw_json *parse_number(struct parser *p)
{
    size_t start = p->i;

    if (p->s[p->i] == '-')
        p->i++;
    if (p->i >= p->n)
        return fail(p, "");
    if (p->s[p->i] == '0') {
        p->i++;
    } else if (is_digit(p->s[p->i])) {
        while (p->i < p->n && is_digit(p->s[p->i]))
            p->i++;
    } else {
        return fail(p, "in numeric literal");
    }
    if (p->i < p->n && p->s[p->i] == '.') {
        p->i++;
        if (p->i >= p->n || !is_digit(p->s[p->i]))
            return fail(p, "after decimal point in numeric literal");
        while (p->i < p->n && is_digit(p->s[p->i]))
            p->i++;
    }
    if (p->i < p->n && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
        p->i++;
        if (p->i < p->n && (p->s[p->i] == '+' || p->s[p->i] == '-'))
            p->i++;
        if (p->i >= p->n || !is_digit(p->s[p->i]))
            return fail(p, "in exponent of numeric literal");
        while (p->i < p->n && is_digit(p->s[p->i]))
            p->i++;
    }
    return new_text(GW_JSON_NUMBER, p->s + start, p->i - start);
}

/* Orders (key, document position) pairs: equal keys keep document order. */
static int member_cmp(const void *a, const void *b)
{
    const struct gw_json_member *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    uintptr_t px = (uintptr_t)x->val, py = (uintptr_t)y->val;

    if (c)
        return c;
    return px < py ? -1 : (px > py ? 1 : 0);
}

/* Sorts members by key and keeps the last of duplicate keys (Go map semantics). On allocation
 * failure the members stay in document order (lookups degrade, nothing is lost). */
static void normalise_members(struct gw_json *o)
{
    size_t n = o->n_members, w = 0;
    struct gw_json_member *tmp;

    if (n < 2)
        return;
    if (n <= 16) {
        /* a stable insertion sort in place, then the last of equal keys kept */
        struct gw_json_member *m = o->members;
        for (size_t i = 1; i < n; i++) {
            struct gw_json_member cur = m[i];
            size_t j = i;
            for (; j > 0 && strcmp(m[j - 1].key, cur.key) > 0; j--)
                m[j] = m[j - 1];
            m[j] = cur;
        }
        for (size_t i = 0; i < n; i++) {
            if (i + 1 < n && strcmp(m[i].key, m[i + 1].key) == 0) {
                free(m[i].key);
                gw_json_destroy(m[i].val);
                continue;
            }
            m[w++] = m[i];
        }
        o->n_members = w;
        return;
    }
    tmp = malloc(n * sizeof(*tmp));
    if (!tmp)
        return;
    for (size_t i = 0; i < n; i++) {
        tmp[i].key = o->members[i].key;
        tmp[i].val = (struct gw_json *)(uintptr_t)(i + 1); /* document position */
    }
    qsort(tmp, n, sizeof(*tmp), member_cmp);
    for (size_t i = 0; i < n; i++) {
        size_t pos = (size_t)(uintptr_t)tmp[i].val - 1;
        if (i + 1 < n && strcmp(tmp[i].key, tmp[i + 1].key) == 0) {
            free(o->members[pos].key);
            gw_json_destroy(o->members[pos].val);
            continue;
        }
        tmp[w].key = o->members[pos].key;
        tmp[w].val = o->members[pos].val;
        w++;
    }
    memcpy(o->members, tmp, w * sizeof(*tmp));
    o->n_members = w;
    free(tmp);
}

static struct gw_json *parse_object(struct parser *p)
{
    struct gw_json *o = gw_json_object();
    struct cmn_buf key;

    if (!o)
        return NULL;
    cmn_buf_init(&key, p->n + 16);
    p->i++;
    skip_ws(p);
    if (p->i < p->n && p->s[p->i] == '}') {
        p->i++;
        goto done;
    }
    for (;;) {
        skip_ws(p);
        if (p->i >= p->n || p->s[p->i] != '"') {
            fail(p, "looking for beginning of object key string");
            goto err;
        }
        ptrdiff_t plain = plain_string_len(p);
        cmn_buf_reset(&key);
        if (plain >= 0) {
            if (cmn_buf_append(&key, p->s + p->i + 1, (size_t)plain) != CMN_BUF_OK)
                goto err;
            p->i += (size_t)plain + 2;
        } else if (!parse_string_into(p, &key)) {
            goto err;
        }
        skip_ws(p);
        if (p->i >= p->n || p->s[p->i] != ':') {
            fail(p, "after object key");
            goto err;
        }
        p->i++;
        struct gw_json *v = parse_value(p);
        if (!v)
            goto err;
        if (o->n_members == o->cap_members) {
            size_t cap = o->cap_members ? o->cap_members * 2 : 4;
            struct gw_json_member *m = realloc(o->members, cap * sizeof(*m));
            if (!m) {
                gw_json_destroy(v);
                goto err;
            }
            o->members = m;
            o->cap_members = cap;
        }
        o->members[o->n_members].key = strdup(cmn_buf_str(&key));
        o->members[o->n_members].val = v;
        o->n_members++;
        if (!o->members[o->n_members - 1].key)
            goto err;
        skip_ws(p);
        if (p->i < p->n && p->s[p->i] == ',') {
            p->i++;
            continue;
        }
        if (p->i < p->n && p->s[p->i] == '}') {
            p->i++;
            break;
        }
        fail(p, "after object key:value pair");
        goto err;
    }
done:
    normalise_members(o);
    cmn_buf_free(&key);
    return o;
err:
    if (!p->failed) {
        p->failed = true;
        cmn_err_set(p->err, 2, "out of memory");
    }
    cmn_buf_free(&key);
    gw_json_destroy(o);
    return NULL;
}

static struct gw_json *parse_array(struct parser *p)
{
    struct gw_json *a = gw_json_array();

    if (!a)
        return NULL;
    p->i++;
    skip_ws(p);
    if (p->i < p->n && p->s[p->i] == ']') {
        p->i++;
        return a;
    }
    for (;;) {
        struct gw_json *v = parse_value(p);
        if (!v || !gw_json_array_append(a, v))
            goto err;
        skip_ws(p);
        if (p->i < p->n && p->s[p->i] == ',') {
            p->i++;
            continue;
        }
        if (p->i < p->n && p->s[p->i] == ']') {
            p->i++;
            return a;
        }
        fail(p, "after array element");
        goto err;
    }
err:
    gw_json_destroy(a);
    return NULL;
}

static bool match_word(struct parser *p, const char *w)
{
    size_t l = strlen(w);

    if (p->n - p->i >= l && memcmp(p->s + p->i, w, l) == 0) {
        p->i += l;
        return true;
    }
    return false;
}

static struct gw_json *parse_value(struct parser *p)
{
    struct gw_json *v = NULL;

    skip_ws(p);
    if (p->i >= p->n)
        return fail(p, "");
    if (++p->nodes > p->max_nodes) {
        p->failed = true;
        cmn_err_set(p->err, 1, "JSON document has too many values (max %zu)", p->max_nodes);
        return NULL;
    }
    switch (p->s[p->i]) {
    case '{':
    case '[':
        if (++p->depth > p->max_depth) {
            p->failed = true;
            cmn_err_set(p->err, 1, "exceeded max depth");
            return NULL;
        }
        v = p->s[p->i] == '{' ? parse_object(p) : parse_array(p);
        p->depth--;
        return v;
    case '"':
        return parse_string(p);
    case 't':
        return match_word(p, "true") ? gw_json_bool(true) : fail(p, "in literal true");
    case 'f':
        return match_word(p, "false") ? gw_json_bool(false) : fail(p, "in literal false");
    case 'n':
        return match_word(p, "null") ? gw_json_null() : fail(p, "in literal null");
    default:
        if (p->s[p->i] == '-' || is_digit(p->s[p->i]))
            return parse_number(p);
        return fail(p, "looking for beginning of value");
    }
}

struct gw_json *gw_json_parse(const char *data, size_t n, const struct gw_json_limits *lim,
                              struct cmn_err *err)
{
    struct parser p = {.s = data, .n = n, .err = err};
    struct gw_json *v;

    p.max_depth = lim && lim->max_depth ? lim->max_depth : 64;
    p.max_nodes = lim && lim->max_nodes ? lim->max_nodes : 1000000;
    skip_ws(&p);
    if (p.i >= n) {
        cmn_err_set(err, 1, "EOF");
        return NULL;
    }
    v = parse_value(&p);
    if (!v && !p.failed)
        cmn_err_set(err, 2, "out of memory");
    return v;
}

/* ---- renderer ------------------------------------------------------------------------------ */

static bool put(struct cmn_buf *o, const char *s, size_t n)
{
    return cmn_buf_append(o, s, n) == CMN_BUF_OK;
}

static bool plain_byte(unsigned char c)
{
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&';
}

/* lead (0: none), "s" and trail (0: none) with one append when s needs no escaping (the usual
 * case: most keys and values); false means it was not done, nothing was written. */
static bool put_plain_quoted(char lead, const char *s, size_t n, char trail, struct cmn_buf *o,
                             bool *ok)
{
    char tmp[256];
    size_t k = 0;

    if (n > sizeof(tmp) - 4)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!plain_byte((unsigned char)s[i]))
            return false;
    }
    if (lead)
        tmp[k++] = lead;
    tmp[k++] = '"';
    memcpy(tmp + k, s, n);
    k += n;
    tmp[k++] = '"';
    if (trail)
        tmp[k++] = trail;
    *ok = put(o, tmp, k);
    return true;
}

/* json.Marshal's escaping (HTML-safe), with the usual plain string in one append. */
static bool render_string(const char *s, size_t n, struct cmn_buf *o)
{
    bool ok;

    if (put_plain_quoted(0, s, n, 0, o, &ok))
        return ok;
    return cmn_go_json_string(o, s, n, true);
}

/* Renders compactly as json.Marshal does into out. false when out's cap is reached. */
static bool json_render(const struct gw_json *v, struct cmn_buf *o)
{
    if (!v)
        return put(o, "null", 4);
    switch (v->type) {
    case GW_JSON_NULL:
        return put(o, "null", 4);
    case GW_JSON_BOOL:
        return v->boolean ? put(o, "true", 4) : put(o, "false", 5);
    case GW_JSON_NUMBER:
        return put(o, v->str, v->len);
    case GW_JSON_STRING:
        return render_string(v->str, v->len, o);
    case GW_JSON_ARRAY:
        if (!put(o, "[", 1))
            return false;
        for (size_t i = 0; i < v->n_items; i++) {
            if ((i && !put(o, ",", 1)) || !json_render(v->items[i], o))
                return false;
        }
        return put(o, "]", 1);
    case GW_JSON_OBJECT:
        if (!put(o, "{", 1))
            return false;
        for (size_t i = 0; i < v->n_members; i++) {
            const char *key = v->members[i].key;
            size_t kl = strlen(key);
            bool ok;
            if (put_plain_quoted(i ? ',' : 0, key, kl, ':', o, &ok)) { /* ,"key": at once */
                if (!ok)
                    return false;
            } else if ((i && !put(o, ",", 1)) || !render_string(key, kl, o) || !put(o, ":", 1)) {
                return false;
            }
            if (!json_render(v->members[i].val, o))
                return false;
        }
        return put(o, "}", 1);
    }
    return false;
}

char *gw_json_render_str(const struct gw_json *v, size_t *len)
{
    struct cmn_buf b;
    char *s;
    size_t l;

    cmn_buf_init(&b, SIZE_MAX / 2);
    if (!json_render(v, &b)) {
        cmn_buf_free(&b);
        return NULL;
    }
    s = cmn_buf_take(&b, &l);
    if (len)
        *len = l;
    return s;
}

/* ---- Go float formatting ------------------------------------------------------------------- */

void gw_json_format_float(double f, char *out, size_t out_size)
{
    char text[CMN_GO_FLOAT_MAX];

    cmn_go_json_float(f, text); /* common/go holds the rule */
    snprintf(out, out_size, "%s", text);
}

struct gw_json *gw_json_from_jansson(const json_t *v)
{
    char num[CMN_GO_FLOAT_MAX];
    struct gw_json *r = NULL;
    const char *key;
    json_t *item;
    size_t i;

    switch (json_typeof(v)) {
    case JSON_NULL:
        return gw_json_null();
    case JSON_TRUE:
        return gw_json_bool(true);
    case JSON_FALSE:
        return gw_json_bool(false);
    case JSON_INTEGER:
        gw_json_format_float((double)json_integer_value(v), num, sizeof(num));
        return gw_json_number(num);
    case JSON_REAL:
        gw_json_format_float(json_real_value(v), num, sizeof(num));
        return gw_json_number(num);
    case JSON_STRING:
        return gw_json_string(json_string_value(v), json_string_length(v));
    case JSON_ARRAY:
        r = gw_json_array();
        if (!r)
            return NULL;
        json_array_foreach((json_t *)(uintptr_t)v, i, item)
        {
            if (!gw_json_array_append(r, gw_json_from_jansson(item)))
                goto fail;
        }
        return r;
    case JSON_OBJECT:
        r = gw_json_object();
        if (!r)
            return NULL;
        json_object_foreach((json_t *)(uintptr_t)v, key, item)
        {
            if (!gw_json_object_set(r, key, gw_json_from_jansson(item)))
                goto fail;
        }
        return r;
    }
fail:
    gw_json_destroy(r);
    return NULL;
}

/* ---- parameter text ------------------------------------------------------------------------ */

/* Go's %v of a decoded JSON value (json.Number prints its text). */
static bool go_v(const struct gw_json *v, struct cmn_buf *o)
{
    switch (v->type) {
    case GW_JSON_NULL:
        return cmn_buf_append_str(o, "<nil>") == CMN_BUF_OK;
    case GW_JSON_BOOL:
        return cmn_buf_append_str(o, v->boolean ? "true" : "false") == CMN_BUF_OK;
    case GW_JSON_NUMBER:
    case GW_JSON_STRING:
        return cmn_buf_append(o, v->str, v->len) == CMN_BUF_OK;
    case GW_JSON_ARRAY:
        if (cmn_buf_append_str(o, "[") != CMN_BUF_OK)
            return false;
        for (size_t i = 0; i < v->n_items; i++) {
            if ((i && cmn_buf_append_str(o, " ") != CMN_BUF_OK) || !go_v(v->items[i], o))
                return false;
        }
        return cmn_buf_append_str(o, "]") == CMN_BUF_OK;
    case GW_JSON_OBJECT:
        if (cmn_buf_append_str(o, "map[") != CMN_BUF_OK)
            return false;
        for (size_t i = 0; i < v->n_members; i++) {
            if ((i && cmn_buf_append_str(o, " ") != CMN_BUF_OK) ||
                cmn_buf_printf(o, "%s:", v->members[i].key) != CMN_BUF_OK ||
                !go_v(v->members[i].val, o))
                return false;
        }
        return cmn_buf_append_str(o, "]") == CMN_BUF_OK;
    }
    return false;
}

bool gw_json_param_text(const struct gw_json *v, struct cmn_buf *o)
{
    if (v->type == GW_JSON_ARRAY) {
        for (size_t i = 0; i < v->n_items; i++) {
            if ((i && cmn_buf_append_str(o, ",") != CMN_BUF_OK) || !go_v(v->items[i], o))
                return false;
        }
        return true;
    }
    return go_v(v, o);
}
