/* gw_enc_yaml.c - `output_encoding: "yaml"`: the bytes gin's YAML renderer gets from goccy/go-yaml
 * v1.19.2's Marshal: its encoder's columns and its AST printer's String() rules, replayed on an
 * array of lines (each line: indentation, "- " marks, then text) instead of re-split strings. */
#include "cmn_go_json.h"
#include "gw_enc_int.h"

#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK 65536

struct line {
    uint32_t indent; /* leading spaces */
    uint32_t ndash;  /* "- " marks after them */
    const char *pre; /* then pre[0..pre_len) and text[0..len) */
    uint32_t pre_len;
    const char *text;
    size_t len;
};

struct chunk {
    struct chunk *next;
    size_t used, size;
    char data[];
};

struct yml {
    struct line *lines;
    size_t n, cap, max_lines;
    struct chunk *chunks; /* arena: stable pointers for composed and quoted text */
    size_t arena_bytes, max_arena;
    struct cmn_err *err;
};

static int nomem(struct yml *y)
{
    return cmn_err_set(y->err, GW_ENC_NOMEM, "out of memory");
}

static int too_big(struct yml *y)
{
    return cmn_err_set(y->err, GW_ENC_LIMIT, "yaml: output too large");
}

/* Arena room for n bytes (NULL on failure, err set); s, when not NULL, is copied in. */
static char *arena(struct yml *y, const char *s, size_t n)
{
    struct chunk *c = y->chunks;
    char *p;

    if (y->arena_bytes + n > y->max_arena) {
        too_big(y);
        return NULL;
    }
    if (!c || c->size - c->used < n) {
        size_t size = n > ARENA_CHUNK ? n : ARENA_CHUNK;
        c = malloc(sizeof(*c) + size);
        if (!c) {
            nomem(y);
            return NULL;
        }
        c->next = y->chunks;
        c->used = 0;
        c->size = size;
        y->chunks = c;
    }
    p = c->data + c->used;
    if (n && s)
        memcpy(p, s, n);
    c->used += n;
    y->arena_bytes += n;
    return p;
}

static struct line *add_line(struct yml *y, const char *text, size_t len)
{
    struct line *l;

    if (y->n == y->max_lines) {
        too_big(y);
        return NULL;
    }
    if (y->n == y->cap) {
        size_t cap = y->cap ? y->cap * 2 : 64;
        struct line *nl = realloc(y->lines, cap * sizeof(*nl));
        if (!nl) {
            nomem(y);
            return NULL;
        }
        y->lines = nl;
        y->cap = cap;
    }
    l = &y->lines[y->n++];
    memset(l, 0, sizeof(*l));
    l->text = text;
    l->len = len;
    return l;
}

static size_t full_len(const struct line *l)
{
    return l->indent + 2 * (size_t)l->ndash + l->pre_len + l->len;
}

static size_t lead_spaces(const struct line *l)
{
    size_t k = 0;

    if (l->ndash)
        return l->indent;
    while (k < l->pre_len && l->pre[k] == ' ')
        k++;
    if (k == l->pre_len) {
        size_t t = 0;
        while (t < l->len && l->text[t] == ' ')
            t++;
        k += t;
    }
    return l->indent + k;
}

/* The line as one arena string in pre (indent and marks folded in). */
static bool flatten(struct yml *y, struct line *l)
{
    size_t n = full_len(l) - l->len, k = 0;
    char *buf = malloc(n ? n : 1), *p;

    if (!buf)
        return nomem(y), false;
    memset(buf, ' ', l->indent);
    k = l->indent;
    for (uint32_t i = 0; i < l->ndash; i++, k += 2)
        memcpy(buf + k, "- ", 2);
    if (l->pre_len)
        memcpy(buf + k, l->pre, l->pre_len);
    p = arena(y, buf, n);
    free(buf);
    if (!p)
        return false;
    l->indent = l->ndash = 0;
    l->pre = p;
    l->pre_len = (uint32_t)n;
    return true;
}

/* line = line[k:] (Go's slicing of the printed line). */
static bool drop(struct yml *y, struct line *l, size_t k)
{
    if (k <= l->indent) {
        l->indent -= (uint32_t)k;
        return true;
    }
    if (l->ndash && !flatten(y, l))
        return false;
    k -= l->indent;
    l->indent = 0;
    if (k <= l->pre_len) {
        l->pre += k;
        l->pre_len -= (uint32_t)k;
        return true;
    }
    k -= l->pre_len;
    l->pre_len = 0;
    l->text += k;
    l->len -= k;
    return true;
}

/* strings.TrimLeft(line, " ") */
static void trim_left(struct yml *y, struct line *l)
{
    (void)drop(y, l, lead_spaces(l));
}

/* SequenceNode.blockStyleString's rewriting of one item's lines [a, b). */
static bool seq_item(struct yml *y, size_t a, size_t b, uint32_t sp, bool multi_string)
{
    struct line *l0 = &y->lines[a];
    size_t diff = lead_spaces(l0);

    for (size_t i = a + 1; i < b; i++) {
        struct line *l = &y->lines[i];
        /* a multi-line string's lines already carry the item's indentation: TrimPrefix */
        if (multi_string && lead_spaces(l) >= (size_t)sp + 2 && !drop(y, l, (size_t)sp + 2))
            return false;
        if (full_len(l) <= diff) {
            memset(l, 0, sizeof(*l)); /* white space only: an empty line */
            continue;
        }
        if (!drop(y, l, diff))
            return false;
        l->indent += sp + 2;
    }
    trim_left(y, l0);
    l0->ndash++;
    l0->indent = sp;
    return true;
}

/* goccy's DetectLineBreakCharacter. */
static const char *line_break(const char *s, size_t n)
{
    size_t nc = 0, rc = 0, rnc = 0;

    for (size_t i = 0; i < n; i++) {
        nc += s[i] == '\n';
        rc += s[i] == '\r';
        rnc += s[i] == '\r' && i + 1 < n && s[i + 1] == '\n';
    }
    if (nc == rnc && rc == rnc)
        return "\r\n";
    return rc > nc ? "\r" : "\n";
}

static bool contains(const char *s, size_t n, const char *sub)
{
    size_t k = strlen(sub);

    for (size_t i = 0; i + k <= n; i++) {
        if (memcmp(s + i, sub, k) == 0)
            return true;
    }
    return false;
}

static bool ends_with(const char *s, size_t n, const char *suf, size_t k)
{
    return n >= k && memcmp(s + n - k, suf, k) == 0;
}

/* StringNode.String() of a plain string holding a line break at column col: a literal block
 * (header, then every line indented by col-1+2, then goccy's two TrimSuffix calls). */
static int literal(struct yml *y, const char *s, size_t n, const char *lbc, uint32_t col)
{
    size_t bl = strlen(lbc), ind = (size_t)col - 1 + 2, len = 0;
    char suf[2 + 4096], *block, *p;
    const char *header;
    struct cmn_buf b;

    if (ends_with(s, n, lbc, bl) && n >= 2 * bl && ends_with(s, n - bl, lbc, bl))
        header = "|+";
    else if (ends_with(s, n, lbc, bl))
        header = "|";
    else
        header = "|-";
    cmn_buf_init(&b, y->max_arena);
    if (cmn_buf_append_str(&b, header) || cmn_buf_append_str(&b, lbc))
        goto fail;
    for (size_t i = 0, start = 0; i <= n; i++) {
        if (i < n && !(i + bl <= n && memcmp(s + i, lbc, bl) == 0))
            continue;
        for (size_t k = 0; k < ind; k++) {
            if (cmn_buf_append(&b, " ", 1))
                goto fail;
        }
        if (cmn_buf_append(&b, s + start, i - start))
            goto fail;
        if (i < n && cmn_buf_append_str(&b, lbc))
            goto fail;
        start = i + bl;
        i += bl - 1;
    }
    len = b.len;
    block = b.data;
    /* TrimSuffix(lbc + indent + space), then TrimSuffix(indent + space) */
    if (ind + bl < sizeof(suf)) {
        memcpy(suf, lbc, bl);
        memset(suf + bl, ' ', ind);
        if (ends_with(block, len, suf, bl + ind))
            len -= bl + ind;
        if (ends_with(block, len, suf + bl, ind))
            len -= ind;
    }
    p = arena(y, block, len);
    cmn_buf_free(&b);
    if (!p)
        return y->err->code;
    /* the printer's later steps split on "\n" only */
    for (size_t i = 0, start = 0; i <= len; i++) {
        if (i < len && p[i] != '\n')
            continue;
        if (!add_line(y, p + start, i - start))
            return y->err->code;
        start = i + 1;
    }
    return GW_ENC_OK;
fail:
    cmn_buf_free(&b);
    return b.len >= b.cap ? too_big(y) : nomem(y);
}

/* encodeString: plain, double-quoted (strconv.Quote) or a literal block. */
static int string_node(struct yml *y, const char *s, size_t n, uint32_t col)
{
    const char *lbc;

    if (gw_yaml_need_quote(s, n)) {
        struct cmn_buf q;
        char *p;
        cmn_buf_init(&q, y->max_arena);
        if (!cmn_go_quote(&q, s, n)) {
            cmn_buf_free(&q);
            return too_big(y);
        }
        size_t ql = q.len;
        p = arena(y, q.data, ql);
        cmn_buf_free(&q);
        return p && add_line(y, p, ql) ? GW_ENC_OK : y->err->code;
    }
    lbc = line_break(s, n);
    if (contains(s, n, lbc))
        return literal(y, s, n, lbc, col);
    return add_line(y, s, n) ? GW_ENC_OK : y->err->code;
}

static int node(struct yml *y, const struct gw_json *v, uint32_t col, int depth);

static bool is_block(const struct gw_json *v)
{
    return (v->type == GW_JSON_OBJECT && v->n_members > 0) ||
           (v->type == GW_JSON_ARRAY && v->n_items > 0);
}

/* l = l + sep + f (f's indentation and marks are dropped: it only ever follows a key). */
static bool join_line(struct yml *y, struct line *l, const char *sep, const struct line *f)
{
    size_t sl = strlen(sep), fl = f ? f->pre_len : 0;
    size_t n = l->pre_len + l->len + sl + fl;
    char *t = arena(y, NULL, n);

    if (!t)
        return false;
    if (l->pre_len)
        memcpy(t, l->pre, l->pre_len);
    if (l->len)
        memcpy(t + l->pre_len, l->text, l->len);
    memcpy(t + l->pre_len + l->len, sep, sl);
    if (fl)
        memcpy(t + n - fl, f->pre, fl);
    l->pre = t;
    l->pre_len = (uint32_t)n;
    l->text = f ? f->text : NULL;
    l->len = f ? f->len : 0;
    return true;
}

/* MappingValueNode.String(): "key: scalar", "key: {}" / "key: []", or "key:" and the block. */
static int entry(struct yml *y, const char *key, const struct gw_json *v, uint32_t col, int depth)
{
    size_t k0 = y->n, kl, v0;
    int rc;

    if ((rc = string_node(y, key, strlen(key), col)))
        return rc;
    y->lines[k0].indent += col - 1;
    kl = y->n - 1;
    if (is_block(v)) {
        if (!join_line(y, &y->lines[kl], ":", NULL))
            return y->err->code;
        return node(y, v, v->type == GW_JSON_OBJECT ? col + 2 : col, depth + 1);
    }
    v0 = y->n;
    if ((rc = node(y, v, col, depth + 1)))
        return rc;
    /* the key's last line, ": " and the value's first line become one line */
    if (!join_line(y, &y->lines[kl], ": ", &y->lines[v0]))
        return y->err->code;
    memmove(&y->lines[v0], &y->lines[v0 + 1], (y->n - v0 - 1) * sizeof(*y->lines));
    y->n--;
    return GW_ENC_OK;
}

struct kv {
    const char *key;
    const struct gw_json *val;
};

static int node(struct yml *y, const struct gw_json *v, uint32_t col, int depth)
{
    int rc = GW_ENC_OK;

    if (depth > GW_ENC_RENDER_MAX_DEPTH)
        return cmn_err_set(y->err, GW_ENC_LIMIT, "yaml: nesting deeper than %d",
                           GW_ENC_RENDER_MAX_DEPTH);
    switch (v->type) {
    case GW_JSON_NULL:
        return add_line(y, "null", 4) ? GW_ENC_OK : y->err->code;
    case GW_JSON_BOOL:
        return add_line(y, v->boolean ? "true" : "false", v->boolean ? 4 : 5) ? GW_ENC_OK
                                                                              : y->err->code;
    case GW_JSON_NUMBER: /* json.Number is a Go string to the encoder */
    case GW_JSON_STRING:
        return string_node(y, v->str, v->len, col);
    case GW_JSON_OBJECT:
        if (v->n_members == 0)
            return add_line(y, "{}", 2) ? GW_ENC_OK : y->err->code;
        /* a Go map's keys are sorted (gw_json keeps them so); a struct keeps field order */
        for (size_t i = 0; i < v->n_members && !rc; i++)
            rc = entry(y, v->members[i].key, v->members[i].val, col, depth);
        return rc;
    case GW_JSON_ARRAY:
        if (v->n_items == 0)
            return add_line(y, "[]", 2) ? GW_ENC_OK : y->err->code;
        for (size_t i = 0; i < v->n_items && !rc; i++) {
            const struct gw_json *it = v->items[i];
            size_t a = y->n;
            if ((rc = node(y, it, col, depth + 1)))
                break;
            bool str = it->type == GW_JSON_STRING || it->type == GW_JSON_NUMBER;
            if (!seq_item(y, a, y->n, col - 1, str && y->n - a > 1))
                rc = y->err->code;
        }
        return rc;
    }
    return GW_ENC_OK;
}

static int write_lines(struct yml *y, struct cmn_buf *out)
{
    static const char spaces[] = "                                                                ";

    for (size_t i = 0; i < y->n; i++) {
        const struct line *l = &y->lines[i];
        size_t ind = l->indent;
        while (ind > 0) {
            size_t k = ind < sizeof(spaces) - 1 ? ind : sizeof(spaces) - 1;
            if (cmn_buf_append(out, spaces, k))
                return too_big(y);
            ind -= k;
        }
        for (uint32_t d = 0; d < l->ndash; d++) {
            if (cmn_buf_append(out, "- ", 2))
                return too_big(y);
        }
        if (cmn_buf_append(out, l->pre, l->pre_len) || cmn_buf_append(out, l->text, l->len) ||
            cmn_buf_append(out, "\n", 1))
            return too_big(y);
    }
    return GW_ENC_OK;
}

int gw_enc_yaml_render(const struct gw_json *data, struct cmn_buf *out, struct cmn_err *err)
{
    static const struct gw_json empty = {.type = GW_JSON_OBJECT};
    struct yml y;
    size_t room = out->cap > out->len ? out->cap - out->len : 0;
    size_t before = out->len;
    struct cmn_err local;
    int rc;

    if (!err)
        err = &local;
    cmn_err_clear(err);
    memset(&y, 0, sizeof(y));
    y.err = err;
    y.max_lines = room / 2 + 1; /* every line costs at least its "\n" */
    y.max_arena = room + 4096;
    /* a nil map or a nil response: "{}" */
    rc = node(&y, data ? data : &empty, 1, 0);
    if (rc == GW_ENC_OK)
        rc = write_lines(&y, out);
    if (rc != GW_ENC_OK) {
        out->len = before;
        if (out->data)
            out->data[before] = '\0';
    }
    while (y.chunks) {
        struct chunk *c = y.chunks;
        y.chunks = c->next;
        free(c);
    }
    free(y.lines);
    return rc;
}
