/* cel_textproto.c - protobuf text format (the subset the cel-spec simple tests use): fields,
 * nested messages with {} or <>, [type urls], C-style string escapes, # comments. */
#include "cel_textproto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TP_MAX_DEPTH 64

struct tp {
    const char *s;
    size_t n, i;
    char *err;
    size_t errlen;
    unsigned line;
};

static void tp_error(struct tp *t, const char *what)
{
    if (!t->err[0])
        snprintf(t->err, t->errlen, "line %u: %s", t->line, what);
}

static void skip(struct tp *t)
{
    while (t->i < t->n) {
        char c = t->s[t->i];
        if (c == '\n')
            t->line++;
        if (c == '#') {
            while (t->i < t->n && t->s[t->i] != '\n')
                t->i++;
        } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            t->i++;
        } else {
            break;
        }
    }
}

static bool is_word(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-' || c == '+';
}

static size_t put_utf8(char *o, unsigned long c)
{
    if (c < 0x80) {
        o[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (char)(0xC0 | (c >> 6));
        o[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        o[0] = (char)(0xE0 | (c >> 12));
        o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        o[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (c >> 18));
    o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    o[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

static int hexv(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
        return (c | 0x20) - 'a' + 10;
    return -1;
}

/* Decodes one escape at s[i] == '\\' into o; returns the new i. */
static size_t tp_escape(const char *s, size_t n, size_t i, char *o, size_t *olen)
{
    static const char SIMPLE[] = "a\ab\bf\fn\nr\rt\tv\v\\\\''\"\"??";
    char c = s[i + 1];
    unsigned long v = 0;
    size_t k = i + 2, digits = 0, maxd;

    for (const char *p = SIMPLE; *p; p += 2) {
        if (*p == c) {
            o[0] = p[1];
            *olen = 1;
            return i + 2;
        }
    }
    if (c >= '0' && c <= '7') {
        for (k = i + 1; k < n && digits < 3 && s[k] >= '0' && s[k] <= '7'; k++, digits++)
            v = v * 8 + (unsigned long)(s[k] - '0');
        o[0] = (char)v;
        *olen = 1;
        return k;
    }
    maxd = c == 'x' ? 2 : (c == 'u' ? 4 : (c == 'U' ? 8 : 0));
    for (; k < n && digits < maxd && hexv(s[k]) >= 0; k++, digits++)
        v = v * 16 + (unsigned long)hexv(s[k]);
    if (c == 'x') {
        o[0] = (char)v;
        *olen = 1;
    } else if (maxd) {
        *olen = put_utf8(o, v);
    } else {
        o[0] = c;
        *olen = 1;
    }
    return k;
}

/* One or more adjacent quoted strings. */
static bool tp_string(struct tp *t, struct tp_node *node)
{
    char *buf = malloc(t->n - t->i + 1);
    size_t len = 0;

    if (!buf)
        return false;
    while (t->i < t->n && (t->s[t->i] == '"' || t->s[t->i] == '\'')) {
        char q = t->s[t->i++];
        while (t->i < t->n && t->s[t->i] != q) {
            if (t->s[t->i] == '\\' && t->i + 1 < t->n) {
                size_t olen;
                t->i = tp_escape(t->s, t->n, t->i, buf + len, &olen);
                len += olen;
            } else {
                buf[len++] = t->s[t->i++];
            }
        }
        if (t->i >= t->n) {
            free(buf);
            tp_error(t, "unterminated string");
            return false;
        }
        t->i++;
        skip(t);
    }
    buf[len] = '\0';
    node->text = buf;
    node->len = len;
    node->is_string = true;
    return true;
}

static bool add_kid(struct tp_node *msg, struct tp_node *kid)
{
    if (msg->n == msg->cap) {
        size_t cap = msg->cap ? msg->cap * 2 : 8;
        struct tp_node **k = realloc(msg->kids, cap * sizeof(*k));
        if (!k)
            return false;
        msg->kids = k;
        msg->cap = cap;
    }
    msg->kids[msg->n++] = kid;
    return true;
}

static bool tp_fields(struct tp *t, struct tp_node *msg, char close, int depth);

static bool tp_value(struct tp *t, struct tp_node *f, int depth)
{
    char c = t->i < t->n ? t->s[t->i] : '\0';
    size_t start;

    if (c == '{' || c == '<') {
        t->i++;
        f->is_msg = true;
        return tp_fields(t, f, c == '{' ? '}' : '>', depth + 1);
    }
    if (c == '"' || c == '\'')
        return tp_string(t, f);
    start = t->i;
    while (t->i < t->n && is_word(t->s[t->i]))
        t->i++;
    if (t->i == start) {
        tp_error(t, "expected a value");
        return false;
    }
    f->len = t->i - start;
    f->text = strndup(t->s + start, f->len);
    return f->text != NULL;
}

static bool tp_field(struct tp *t, struct tp_node *msg, int depth)
{
    struct tp_node *f = calloc(1, sizeof(*f));
    size_t start = t->i;

    if (!f || !add_kid(msg, f)) {
        free(f);
        return false;
    }
    if (t->s[t->i] == '[') {
        while (t->i < t->n && t->s[t->i] != ']')
            t->i++;
        t->i++;
    } else {
        while (t->i < t->n && is_word(t->s[t->i]))
            t->i++;
    }
    if (t->i == start || t->i > t->n) {
        tp_error(t, "expected a field name");
        return false;
    }
    f->name = strndup(t->s + start, t->i - start);
    skip(t);
    if (t->i < t->n && t->s[t->i] == ':') {
        t->i++;
        skip(t);
    }
    if (!f->name || !tp_value(t, f, depth))
        return false;
    skip(t);
    if (t->i < t->n && (t->s[t->i] == ',' || t->s[t->i] == ';'))
        t->i++;
    return true;
}

static bool tp_fields(struct tp *t, struct tp_node *msg, char close, int depth)
{
    if (depth > TP_MAX_DEPTH) {
        tp_error(t, "nesting too deep");
        return false;
    }
    for (;;) {
        skip(t);
        if (t->i >= t->n) {
            if (close)
                tp_error(t, "missing closing brace");
            return !close;
        }
        if (t->s[t->i] == close) {
            t->i++;
            return true;
        }
        if (!tp_field(t, msg, depth))
            return false;
    }
}

struct tp_node *tp_parse(const char *s, size_t n, char *err, size_t errlen)
{
    struct tp t = {s, n, 0, err, errlen, 1};
    struct tp_node *root = calloc(1, sizeof(*root));

    err[0] = '\0';
    if (!root)
        return NULL;
    root->is_msg = true;
    if (!tp_fields(&t, root, '\0', 0)) {
        tp_free(root);
        return NULL;
    }
    return root;
}

void tp_free(struct tp_node *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n; i++)
        tp_free(n->kids[i]);
    free(n->kids);
    free(n->name);
    free(n->text);
    free(n);
}

const struct tp_node *tp_get(const struct tp_node *msg, const char *name)
{
    for (size_t i = 0; msg && i < msg->n; i++)
        if (strcmp(msg->kids[i]->name, name) == 0)
            return msg->kids[i];
    return NULL;
}

const char *tp_text(const struct tp_node *msg, const char *name, const char *def)
{
    const struct tp_node *f = tp_get(msg, name);
    return f && f->text ? f->text : def;
}

bool tp_contains(const struct tp_node *msg, const char *name)
{
    for (size_t i = 0; msg && i < msg->n; i++)
        if (strcmp(msg->kids[i]->name, name) == 0 || tp_contains(msg->kids[i], name))
            return true;
    return false;
}
