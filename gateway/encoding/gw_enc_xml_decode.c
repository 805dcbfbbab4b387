/* gw_enc_xml_decode.c - `encoding: "xml"`: XML to a Go map exactly as mxj's xmlToMapParser
 * builds it for krakend-xml (no casting, "-" attribute prefix, "#text", lists for repeats). */
#include "gw_enc_int.h"

#include "cmn_str.h"

#include <stdlib.h>
#include <string.h>

/* One open element: mxj's `n` (the element's own text, n[skey]) and `na` (attributes and
 * children). Members are kept in arrival order with a hash index, and sorted once at the end,
 * so an element with many distinct children costs n log n, not n^2. */
struct member {
    char *key;
    struct gw_json *val;
};

struct frame {
    char *key;
    struct member *m;
    size_t n, cap;
    uint32_t *idx; /* open addressing: member index + 1, 0 = empty */
    size_t idx_cap;
    char *text; /* n[skey] */
    size_t text_len;
    bool has_text;
};

struct builder {
    struct frame *st;
    size_t depth, cap;
    struct gw_json *root; /* {root-name: value} once the root ends */
};

static uint32_t hash_key(const char *s)
{
    uint32_t h = 2166136261u;

    while (*s)
        h = (h ^ (unsigned char)*s++) * 16777619u;
    return h;
}

static bool reindex(struct frame *f, size_t cap)
{
    uint32_t *idx = calloc(cap, sizeof(*idx));

    if (!idx)
        return false;
    free(f->idx);
    f->idx = idx;
    f->idx_cap = cap;
    for (size_t i = 0; i < f->n; i++) {
        size_t h = hash_key(f->m[i].key) & (cap - 1);
        while (idx[h])
            h = (h + 1) & (cap - 1);
        idx[h] = (uint32_t)(i + 1);
    }
    return true;
}

/* Index of key in f, or -1. */
static long find(const struct frame *f, const char *key)
{
    if (f->idx_cap == 0) {
        for (size_t i = 0; i < f->n; i++) {
            if (strcmp(f->m[i].key, key) == 0)
                return (long)i;
        }
        return -1;
    }
    for (size_t h = hash_key(key) & (f->idx_cap - 1); f->idx[h]; h = (h + 1) & (f->idx_cap - 1)) {
        if (strcmp(f->m[f->idx[h] - 1].key, key) == 0)
            return (long)f->idx[h] - 1;
    }
    return -1;
}

/* Appends a new member (key copied, val owned); false on allocation failure (val destroyed). */
static bool append(struct frame *f, const char *key, struct gw_json *val)
{
    if (!val)
        return false;
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 4;
        struct member *m = realloc(f->m, cap * sizeof(*m));
        if (!m)
            goto fail;
        f->m = m;
        f->cap = cap;
    }
    f->m[f->n].key = strdup(key);
    if (!f->m[f->n].key)
        goto fail;
    f->m[f->n].val = val;
    f->n++;
    if (f->n >= 8 && f->n * 2 > f->idx_cap)
        return reindex(f, f->idx_cap ? f->idx_cap * 4 : 32);
    if (f->idx_cap) {
        size_t h = hash_key(key) & (f->idx_cap - 1);
        while (f->idx[h])
            h = (h + 1) & (f->idx_cap - 1);
        f->idx[h] = (uint32_t)f->n;
    }
    return true;
fail:
    gw_json_destroy(val);
    return false;
}

/* na[key] = val (attributes, "#text"): a later value replaces an earlier one. */
static bool set(struct frame *f, const char *key, struct gw_json *val)
{
    long at = val ? find(f, key) : -1;

    if (at < 0)
        return append(f, key, val);
    gw_json_destroy(f->m[at].val);
    f->m[at].val = val;
    return true;
}

/* A child element: a second one of the same name turns the value into a list. */
static bool add_child(struct frame *f, const char *key, struct gw_json *val)
{
    long at = val ? find(f, key) : -1;
    struct gw_json *arr;

    if (at < 0)
        return append(f, key, val);
    if (f->m[at].val->type == GW_JSON_ARRAY)
        return gw_json_array_append(f->m[at].val, val);
    arr = gw_json_array();
    if (!arr || !gw_json_array_append(arr, f->m[at].val)) {
        gw_json_destroy(arr);
        gw_json_destroy(val);
        return false;
    }
    f->m[at].val = arr;
    return gw_json_array_append(arr, val);
}

static int cmp_member(const void *a, const void *b)
{
    return strcmp(((const struct member *)a)->key, ((const struct member *)b)->key);
}

static void frame_free(struct frame *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->m[i].key);
        gw_json_destroy(f->m[i].val);
    }
    free(f->m);
    free(f->idx);
    free(f->text);
    free(f->key);
    memset(f, 0, sizeof(*f));
}

/* The members become a Go map (sorted by key); f is emptied. */
static struct gw_json *take_map(struct frame *f)
{
    struct gw_json *o = gw_json_object();

    if (!o)
        return NULL;
    qsort(f->m, f->n, sizeof(*f->m), cmp_member);
    o->members = (struct gw_json_member *)malloc(f->n * sizeof(*o->members));
    if (!o->members) {
        gw_json_destroy(o);
        return NULL;
    }
    for (size_t i = 0; i < f->n; i++) {
        o->members[i].key = f->m[i].key;
        o->members[i].val = f->m[i].val;
    }
    o->n_members = o->cap_members = f->n;
    f->n = 0;
    return o;
}

static int nomem(struct cmn_err *err)
{
    return cmn_err_set(err, GW_ENC_NOMEM, "out of memory");
}

static int on_start(void *ud, const struct gw_xml_start *s, struct cmn_err *err)
{
    struct builder *b = ud;
    struct frame *f;
    char key[512];

    if (b->depth == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        struct frame *st = realloc(b->st, cap * sizeof(*st));
        if (!st)
            return nomem(err);
        b->st = st;
        b->cap = cap;
    }
    f = &b->st[b->depth++];
    memset(f, 0, sizeof(*f));
    f->key = strdup(s->local);
    if (!f->key)
        return nomem(err);
    for (size_t i = 0; i < s->n_attrs; i++) {
        const struct gw_xml_attr *a = &s->attrs[i];
        char *k = key;
        size_t kl = strlen(a->local);
        if (kl + 2 > sizeof(key) && !(k = malloc(kl + 2)))
            return nomem(err);
        k[0] = '-';
        memcpy(k + 1, a->local, kl + 1);
        bool ok = set(f, k, gw_json_string(a->value, a->value_len));
        if (k != key)
            free(k);
        if (!ok)
            return nomem(err);
    }
    return GW_ENC_OK;
}

static bool is_trim(char c)
{
    return c == '\t' || c == '\r' || c == '\b' || c == '\n' || c == ' ';
}

static int on_text(void *ud, const char *s, size_t n, bool cdata, struct cmn_err *err)
{
    struct builder *b = ud;
    struct frame *f = &b->st[b->depth - 1];

    (void)cdata;
    while (n && is_trim(s[0]))
        s++, n--;
    while (n && is_trim(s[n - 1]))
        n--;
    if (n == 0)
        return GW_ENC_OK;
    if (f->n > 0)
        return set(f, "#text", gw_json_string(s, n)) ? GW_ENC_OK : nomem(err);
    free(f->text);
    f->text = cmn_strndup(s, n);
    if (!f->text)
        return nomem(err);
    f->text_len = n;
    f->has_text = true;
    return GW_ENC_OK;
}

static int on_end(void *ud, size_t inner_end, struct cmn_err *err)
{
    struct builder *b = ud;
    struct frame *f = &b->st[b->depth - 1];
    struct gw_json *val;
    char *key = f->key;
    bool ok;

    (void)inner_end;
    if (f->has_text && f->n > 0 && !set(f, "#text", gw_json_string(f->text, f->text_len)))
        return nomem(err);
    if (f->n > 0)
        val = take_map(f);
    else if (f->has_text)
        val = gw_json_string(f->text, f->text_len);
    else
        val = gw_json_string("", 0); /* empty element */
    f->key = NULL;
    frame_free(f);
    b->depth--;
    if (!val) {
        free(key);
        return nomem(err);
    }
    if (b->depth > 0) {
        ok = add_child(&b->st[b->depth - 1], key, val);
    } else {
        b->root = gw_json_object();
        ok = b->root && gw_json_object_set(b->root, key, val);
        if (!b->root)
            gw_json_destroy(val);
    }
    free(key);
    return ok ? GW_ENC_OK : nomem(err);
}

struct gw_json *gw_enc_xml_decode(const char *body, size_t len, bool is_collection,
                                  const struct gw_enc_limits *lim, struct cmn_err *err)
{
    static const struct gw_xml_sink sink = {on_start, on_end, on_text};
    struct builder b = {0};
    struct gw_xml_doc doc;
    struct gw_json *out = NULL;
    struct cmn_err local;
    int rc;

    if (!err)
        err = &local;
    cmn_err_clear(err);
    rc = gw_xml_doc_open(body ? body : "", body ? len : 0, lim, &doc, err);
    if (rc == GW_ENC_OK)
        rc = gw_xml_doc_parse(&doc, false, lim, &sink, &b, err);
    gw_xml_doc_close(&doc);
    /* mxj wraps every decoder error but io.EOF */
    if (rc == GW_ENC_SYNTAX || rc == GW_ENC_CHARSET)
        cmn_err_prefix(err, "xml.Decoder.Token() - ");
    if (rc == GW_ENC_OK && !b.root)
        rc = cmn_err_set(err, GW_ENC_EOF, "EOF");
    if (rc == GW_ENC_OK) {
        out = b.root;
        b.root = NULL;
        if (is_collection) {
            struct gw_json *c = gw_json_object();
            if (!c || !gw_json_object_set(c, "collection", out)) {
                if (!c)
                    gw_json_destroy(out);
                gw_json_destroy(c);
                out = NULL;
                nomem(err);
            } else {
                out = c;
            }
        }
    }
    for (size_t i = 0; i < b.depth; i++)
        frame_free(&b.st[i]);
    free(b.st);
    gw_json_destroy(b.root);
    return out;
}
