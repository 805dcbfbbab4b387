/* gw_enc_xml_render.c - `output_encoding: "xml"`: a Go map as XML, as krakend-xml's renderer gets
 * it from mxj's Map.Xml() with XMLEscapeChars(true): no declaration, no indentation. */
#include "gw_enc_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct render {
    struct cmn_buf *out;
    struct cmn_err *err;
    int depth;
};

static int fail(struct render *r, enum cmn_buf_status st)
{
    if (st == CMN_BUF_NOMEM)
        return cmn_err_set(r->err, GW_ENC_NOMEM, "out of memory");
    return cmn_err_set(r->err, GW_ENC_LIMIT, "xml: output larger than %zu bytes", r->out->cap);
}

#define PUT(r, s, n)                                                                               \
    do {                                                                                           \
        enum cmn_buf_status st_ = cmn_buf_append((r)->out, (s), (n));                              \
        if (st_ != CMN_BUF_OK)                                                                     \
            return fail((r), st_);                                                                 \
    } while (0)
#define PUTS(r, s) PUT(r, s, strlen(s))

static int put_str(struct render *r, const char *s)
{
    enum cmn_buf_status st = cmn_buf_append_str(r->out, s);

    return st == CMN_BUF_OK ? GW_ENC_OK : fail(r, st);
}

/* mxj's escapeChars: & < > " ' (numbers and booleans are never escaped). */
static int put_escaped(struct render *r, const char *s, size_t n)
{
    size_t from = 0;

    for (size_t i = 0; i < n; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&apos;";
            break;
        default:
            continue;
        }
        PUT(r, s + from, i - from);
        PUTS(r, rep);
        from = i + 1;
    }
    PUT(r, s + from, n - from);
    return GW_ENC_OK;
}

/* Go's fmt %v of a decoded JSON value (used for a non-string "#text"): not escaped. */
static int put_go_v(struct render *r, const struct gw_json *v, int depth)
{
    int rc;

    if (depth > GW_ENC_RENDER_MAX_DEPTH)
        return cmn_err_set(r->err, GW_ENC_LIMIT, "xml: nesting deeper than %d",
                           GW_ENC_RENDER_MAX_DEPTH);
    switch (v->type) {
    case GW_JSON_NULL:
        PUTS(r, "<nil>");
        return GW_ENC_OK;
    case GW_JSON_BOOL:
        PUTS(r, v->boolean ? "true" : "false");
        return GW_ENC_OK;
    case GW_JSON_NUMBER:
    case GW_JSON_STRING:
        PUT(r, v->str, v->len);
        return GW_ENC_OK;
    case GW_JSON_ARRAY:
        PUTS(r, "[");
        for (size_t i = 0; i < v->n_items; i++) {
            if (i)
                PUTS(r, " ");
            if ((rc = put_go_v(r, v->items[i], depth + 1)))
                return rc;
        }
        PUTS(r, "]");
        return GW_ENC_OK;
    case GW_JSON_OBJECT:
        PUTS(r, "map[");
        for (size_t i = 0; i < v->n_members; i++) {
            if (i)
                PUTS(r, " ");
            PUTS(r, v->members[i].key);
            PUTS(r, ":");
            if ((rc = put_go_v(r, v->members[i].val, depth + 1)))
                return rc;
        }
        PUTS(r, "]");
        return GW_ENC_OK;
    }
    return GW_ENC_OK;
}

static bool is_attr_key(const char *k)
{
    return k[0] == '-' && k[1] != '\0';
}

static const char *type_name(const struct gw_json *v)
{
    switch (v->type) {
    case GW_JSON_NULL:
        return "<nil>";
    case GW_JSON_ARRAY:
        return "[]interface {}";
    case GW_JSON_OBJECT:
        return "map[string]interface {}";
    default:
        return "string";
    }
}

struct kv {
    const char *key;
    const struct gw_json *val;
};

static int cmp_kv(const void *a, const void *b)
{
    return strcmp(((const struct kv *)a)->key, ((const struct kv *)b)->key);
}

/* Members of obj sorted by key (a struct's members are in field order: mxj sorts them all). */
static struct kv *sorted_members(const struct gw_json *obj)
{
    struct kv *kv = malloc((obj->n_members ? obj->n_members : 1) * sizeof(*kv));

    if (!kv)
        return NULL;
    for (size_t i = 0; i < obj->n_members; i++) {
        kv[i].key = obj->members[i].key;
        kv[i].val = obj->members[i].val;
    }
    if (obj->is_struct)
        qsort(kv, obj->n_members, sizeof(*kv), cmp_kv);
    return kv;
}

static int element(struct render *r, const char *key, const struct gw_json *v);

/* ` name="value"`: strings escaped, numbers and booleans as %v prints them. */
static int attribute(struct render *r, const char *name, const struct gw_json *a)
{
    int rc = GW_ENC_OK;

    PUTS(r, " ");
    PUTS(r, name);
    PUTS(r, "=\"");
    if (a->type == GW_JSON_BOOL)
        PUTS(r, a->boolean ? "true" : "false");
    else if (a->type == GW_JSON_NUMBER)
        PUT(r, a->str, a->len);
    else
        rc = put_escaped(r, a->str, a->len);
    if (rc)
        return rc;
    PUTS(r, "\"");
    return GW_ENC_OK;
}

static int map_element(struct render *r, const char *key, const struct gw_json *m)
{
    struct kv *kv = sorted_members(m);
    const struct gw_json *text = NULL;
    size_t n_attr = 0;
    int rc = GW_ENC_OK;

    if (!kv)
        return cmn_err_set(r->err, GW_ENC_NOMEM, "out of memory");
    /* attributes: "-name" keys, in key order; only scalars are allowed */
    for (size_t i = 0; i < m->n_members && !rc; i++) {
        const struct gw_json *a = kv[i].val;
        if (!is_attr_key(kv[i].key)) {
            if (strcmp(kv[i].key, "#text") == 0)
                text = a;
            continue;
        }
        n_attr++;
        if (a->type == GW_JSON_NULL || a->type == GW_JSON_ARRAY || a->type == GW_JSON_OBJECT) {
            rc = cmn_err_set(r->err, GW_ENC_RENDER, "invalid attribute value for: %s:<%s>",
                             kv[i].key, type_name(a));
            break;
        }
        rc = attribute(r, kv[i].key + 1, a);
    }
    if (rc)
        goto out;
    if (n_attr == m->n_members) { /* only attributes (or nothing) */
        rc = put_str(r, "/>");
        goto out;
    }
    if ((rc = put_str(r, ">")))
        goto out;
    if (text) /* the text comes before any child element */
        rc = text->type == GW_JSON_STRING ? put_escaped(r, text->str, text->len)
                                          : put_go_v(r, text, r->depth);
    for (size_t i = 0; i < m->n_members && !rc; i++) {
        if (is_attr_key(kv[i].key) || strcmp(kv[i].key, "#text") == 0)
            continue;
        rc = element(r, kv[i].key, kv[i].val);
    }
    if (!rc && !(rc = put_str(r, "</")) && !(rc = put_str(r, key)))
        rc = put_str(r, ">");
out:
    free(kv);
    return rc;
}

/* mxj's marshalMapToXmlIndent without indentation. */
static int element(struct render *r, const char *key, const struct gw_json *v)
{
    int rc = GW_ENC_OK;

    if (++r->depth > GW_ENC_RENDER_MAX_DEPTH) {
        r->depth--;
        return cmn_err_set(r->err, GW_ENC_LIMIT, "xml: nesting deeper than %d",
                           GW_ENC_RENDER_MAX_DEPTH);
    }
    if (v->type == GW_JSON_ARRAY) {
        /* a list repeats the element; an empty one is a single empty element */
        if (v->n_items == 0) {
            PUTS(r, "<");
            PUTS(r, key);
            PUTS(r, "/>");
        }
        for (size_t i = 0; i < v->n_items && !rc; i++)
            rc = element(r, key, v->items[i]);
        r->depth--;
        return rc;
    }
    PUTS(r, "<");
    PUTS(r, key);
    switch (v->type) {
    case GW_JSON_OBJECT:
        rc = map_element(r, key, v);
        break;
    case GW_JSON_NULL: /* nil is marshalled as "" */
        PUTS(r, "/>");
        break;
    case GW_JSON_STRING:
        if (v->len == 0) {
            PUTS(r, "/>");
            break;
        }
        PUTS(r, ">");
        if ((rc = put_escaped(r, v->str, v->len)))
            break;
        PUTS(r, "</");
        PUTS(r, key);
        PUTS(r, ">");
        break;
    default: /* json.Number and bool print with %v, never empty */
        PUTS(r, ">");
        if (v->type == GW_JSON_BOOL)
            PUTS(r, v->boolean ? "true" : "false");
        else
            PUT(r, v->str, v->len);
        PUTS(r, "</");
        PUTS(r, key);
        PUTS(r, ">");
        break;
    }
    r->depth--;
    return rc;
}

/* Map.Xml(): one key is the root unless its value is a list holding a non-map; otherwise <doc>. */
static int render_root(struct render *r, const struct gw_json *data)
{
    static const struct gw_json empty = {.type = GW_JSON_OBJECT};

    if (!data)
        data = &empty;
    if (data->type != GW_JSON_OBJECT)
        return element(r, "doc", data);
    if (data->n_members == 1) {
        const struct gw_json *v = data->members[0].val;
        bool all_maps = true;
        if (v->type == GW_JSON_ARRAY) {
            for (size_t i = 0; i < v->n_items; i++)
                all_maps = all_maps && v->items[i]->type == GW_JSON_OBJECT;
        }
        if (all_maps)
            return element(r, data->members[0].key, v);
    }
    return element(r, "doc", data);
}

int gw_enc_xml_render(const struct gw_json *data, struct cmn_buf *out, struct cmn_err *err)
{
    struct cmn_buf tmp;
    struct render r;
    struct cmn_err local;
    int rc;

    if (!err)
        err = &local;
    cmn_err_clear(err);
    /* rendered aside: on an error KrakenD writes nothing at all */
    cmn_buf_init(&tmp, out->cap >= out->len ? out->cap - out->len : 0);
    r.out = &tmp;
    r.err = err;
    r.depth = 0;
    rc = render_root(&r, data);
    if (rc == GW_ENC_OK && tmp.len) {
        enum cmn_buf_status st = cmn_buf_append(out, tmp.data, tmp.len);
        if (st != CMN_BUF_OK)
            rc = fail(&r, st);
    }
    cmn_buf_free(&tmp);
    return rc;
}
