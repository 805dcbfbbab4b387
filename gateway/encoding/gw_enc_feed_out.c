/* gw_enc_feed_out.c - `encoding: "rss"`: gofeed's feed type detection, its universal Item,
 * Person, Image and extension structs, and the map krakend-rss returns. */
#include "gw_enc_feed.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool set_opt_str(struct gw_json *o, const char *key, const char *s)
{
    return !s || !s[0] || gw_feed_set_str(o, key, s);
}

/* Sets an owned optional member: NULL and empty lists/maps are omitted (omitempty). */
static bool set_opt(struct gw_json *o, const char *key, struct gw_json *v)
{
    if (!v)
        return true;
    if ((v->type == GW_JSON_ARRAY && v->n_items == 0) ||
        (v->type == GW_JSON_OBJECT && !v->is_struct && v->n_members == 0)) {
        gw_json_destroy(v);
        return true;
    }
    return gw_json_object_set(o, key, v);
}

struct gw_json *gw_feed_person(const char *name, const char *email)
{
    struct gw_json *p = gw_json_struct();

    if (p && set_opt_str(p, "name", name) && set_opt_str(p, "email", email))
        return p;
    gw_json_destroy(p);
    return NULL;
}

struct gw_json *gw_feed_person_from(const char *s)
{
    char *name, *address;
    struct gw_json *p = NULL;

    if (gw_feed_name_address(s, &name, &address))
        p = gw_feed_person(name, address);
    free(name);
    free(address);
    return p;
}

struct gw_json *gw_feed_image(const char *url, const char *title)
{
    struct gw_json *i = gw_json_struct();

    if (i && set_opt_str(i, "url", url) && set_opt_str(i, "title", title))
        return i;
    gw_json_destroy(i);
    return NULL;
}

struct gw_json *gw_feed_enclosure(const char *url, const char *length, const char *type)
{
    struct gw_json *e = gw_json_struct();

    if (e && set_opt_str(e, "url", url) && set_opt_str(e, "length", length) &&
        set_opt_str(e, "type", type))
        return e;
    gw_json_destroy(e);
    return NULL;
}

bool gw_feed_ext_values(const struct gw_json *ext, const char *prefix, const char *name,
                        struct gw_json *list)
{
    const struct gw_json *l = gw_json_object_get(gw_json_object_get(ext, prefix), name);

    for (size_t i = 0; l && i < l->n_items; i++) {
        const char *v = gw_feed_ext_value(l->items[i]);
        if (!gw_json_array_append(list, gw_json_string(v, strlen(v))))
            return false;
    }
    return true;
}

bool gw_feed_split_keywords(const char *s, struct gw_json *list)
{
    for (;;) {
        const char *c = strchr(s, ',');
        size_t n = c ? (size_t)(c - s) : strlen(s);
        if (!gw_json_array_append(list, gw_json_string(s, n)))
            return false;
        if (!c)
            return true;
        s = c + 1;
    }
}

struct gw_json *gw_feed_dc(const struct gw_json *ext)
{
    static const char *const FIELDS[] = {"title",       "creator",   "author",      "subject",
                                         "description", "publisher", "contributor", "date",
                                         "type",        "format",    "identifier",  "source",
                                         "language",    "relation",  "coverage",    "rights"};
    struct gw_json *dc;

    if (!gw_json_object_get(ext, "dc"))
        return NULL;
    dc = gw_json_struct();
    for (size_t i = 0; dc && i < sizeof(FIELDS) / sizeof(FIELDS[0]); i++) {
        struct gw_json *l = gw_json_array();
        if (!l || !gw_feed_ext_values(ext, "dc", FIELDS[i], l) || !set_opt(dc, FIELDS[i], l)) {
            gw_json_destroy(l);
            gw_json_destroy(dc);
            return NULL;
        }
    }
    return dc;
}

static const char *ext_attr(const struct gw_json *e, const char *name)
{
    const struct gw_json *a = e ? gw_json_object_get(gw_json_object_get(e, "attrs"), name) : NULL;

    return a && a->type == GW_JSON_STRING ? a->str : "";
}

struct gw_json *gw_feed_itunes_item(const struct gw_json *ext)
{
    static const char *const FIELDS[] = {
        "author",   "block",   "duration",   "explicit",          "keywords",
        "subtitle", "summary", "image",      "isClosedCaptioned", "episode",
        "season",   "order",   "episodeType"};
    struct gw_json *it;

    if (!gw_json_object_get(ext, "itunes"))
        return NULL;
    it = gw_json_struct();
    for (size_t i = 0; it && i < sizeof(FIELDS) / sizeof(FIELDS[0]); i++) {
        const struct gw_json *e = gw_feed_ext_first(ext, "itunes", FIELDS[i]);
        const char *v =
            strcmp(FIELDS[i], "image") == 0 ? ext_attr(e, "href") : gw_feed_ext_value(e);
        if (!set_opt_str(it, FIELDS[i], v)) {
            gw_json_destroy(it);
            return NULL;
        }
    }
    return it;
}

void gw_feed_item_clear(struct feed_item *it)
{
    struct gw_json **owned[] = {&it->links,      &it->author,     &it->authors, &it->image,
                                &it->categories, &it->enclosures, &it->dc,      &it->itunes,
                                &it->extensions, &it->custom};

    for (size_t i = 0; i < sizeof(owned) / sizeof(owned[0]); i++) {
        gw_json_destroy(*owned[i]);
        *owned[i] = NULL;
    }
}

struct gw_json *gw_feed_item(struct feed_item *it)
{
    struct gw_json *o = gw_json_struct();
    bool ok = o != NULL;

    ok = ok && set_opt_str(o, "title", it->title);
    ok = ok && set_opt_str(o, "description", it->description);
    ok = ok && set_opt_str(o, "content", it->content);
    ok = ok && set_opt_str(o, "link", it->link);
    ok = ok && set_opt(o, "links", it->links);
    it->links = NULL;
    ok = ok && set_opt_str(o, "updated", it->updated);
    ok = ok &&
         (!it->updated_t || gw_feed_set_time(o, "updatedParsed", it->updated_t, it->updated_utc));
    ok = ok && set_opt_str(o, "published", it->published);
    ok = ok && (!it->published_t ||
                gw_feed_set_time(o, "publishedParsed", it->published_t, it->published_utc));
    ok = ok && set_opt(o, "author", it->author);
    it->author = NULL;
    ok = ok && set_opt(o, "authors", it->authors);
    it->authors = NULL;
    ok = ok && set_opt_str(o, "guid", it->guid);
    ok = ok && set_opt(o, "image", it->image);
    it->image = NULL;
    ok = ok && set_opt(o, "categories", it->categories);
    it->categories = NULL;
    ok = ok && set_opt(o, "enclosures", it->enclosures);
    it->enclosures = NULL;
    ok = ok && set_opt(o, "dcExt", it->dc);
    it->dc = NULL;
    ok = ok && set_opt(o, "itunesExt", it->itunes);
    it->itunes = NULL;
    ok = ok && set_opt(o, "extensions", it->extensions);
    it->extensions = NULL;
    ok = ok && set_opt(o, "custom", it->custom);
    it->custom = NULL;
    gw_feed_item_clear(it);
    if (ok)
        return o;
    gw_json_destroy(o);
    return NULL;
}

const char *gw_feed_keep(struct feed_keep *k, char *s)
{
    if (!s)
        return NULL;
    if (k->n == k->cap) {
        size_t cap = k->cap ? k->cap * 2 : 32;
        char **n = realloc(k->s, cap * sizeof(*n));
        if (!n) {
            free(s);
            return NULL;
        }
        k->s = n;
        k->cap = cap;
    }
    k->s[k->n++] = s;
    return s;
}

void gw_feed_keep_free(struct feed_keep *k)
{
    for (size_t i = 0; i < k->n; i++)
        free(k->s[i]);
    free(k->s);
    memset(k, 0, sizeof(*k));
}

/* ---- detection and the map ----------------------------------------------------------------- */

enum feed_type { FEED_UNKNOWN, FEED_RSS, FEED_ATOM, FEED_JSON };

/* DetectFeedType: white space and BOM bytes skipped, then '<' (the root element's local name) or
 * '{' (valid JSON). */
static enum feed_type detect(const char *b, size_t n, const struct gw_enc_limits *lim)
{
    size_t i = 0;
    struct gw_xml_doc doc;
    struct cmn_err err;
    enum feed_type t = FEED_UNKNOWN;

    for (; i < n; i++) {
        unsigned char c = (unsigned char)b[i];
        if (!(c == ' ' || c == '\r' || c == '\n' || c == '\t' || c == 0xFE || c == 0xFF ||
              c == 0x00 || c == 0xEF || c == 0xBB || c == 0xBF))
            break;
    }
    if (i == n)
        return FEED_UNKNOWN;
    if (b[i] == '{') {
        struct gw_json *j = gw_json_parse(b + i, n - i, NULL, &err);
        t = j ? FEED_JSON : FEED_UNKNOWN;
        gw_json_destroy(j);
        return t;
    }
    if (b[i] != '<' || gw_xml_doc_open(b + i, n - i, lim, &doc, &err) != GW_ENC_OK)
        return FEED_UNKNOWN;
    /* the root's name: "<" [prefix ":"] local */
    size_t s = 1, e = 1, colon = 0;
    while (e < doc.len && e < 256 && !strchr(" \t\r\n/>", doc.text[e]))
        colon = doc.text[e] == ':' ? e : colon, e++;
    if (colon)
        s = colon + 1;
    if (e - s == 3 &&
        (strncasecmp(doc.text + s, "rss", 3) == 0 || strncasecmp(doc.text + s, "rdf", 3) == 0))
        t = FEED_RSS;
    else if (e - s == 4 && strncasecmp(doc.text + s, "feed", 4) == 0)
        t = FEED_ATOM;
    gw_xml_doc_close(&doc);
    return t;
}

static bool set_str_member(struct gw_json *m, const char *key, const char *s)
{
    return gw_feed_set_str(m, key, s ? s : "");
}

/* krakend-rss's map: a Go map[string]interface{} of the universal Feed's fields. */
static struct gw_json *top_map(struct feed_top *t)
{
    struct gw_json *m = gw_json_object();
    bool ok = m != NULL;

    ok = ok && gw_json_object_set(m, "items", t->items);
    t->items = NULL;
    ok = ok && gw_json_object_set(m, "author", t->author ? t->author : gw_json_null());
    t->author = NULL;
    ok = ok && gw_json_object_set(m, "categories", t->categories ? t->categories : gw_json_null());
    t->categories = NULL;
    ok = ok && gw_json_object_set(m, "custom", gw_json_null()); /* never set for RSS or Atom */
    ok = ok && set_str_member(m, "copyright", t->copyright);
    ok = ok && set_str_member(m, "description", t->description);
    ok = ok && set_str_member(m, "type", t->type);
    ok = ok && set_str_member(m, "language", t->language);
    ok = ok && set_str_member(m, "title", t->title);
    ok = ok && set_str_member(m, "published", t->published);
    ok = ok && set_str_member(m, "updated", t->updated);
    if (t->has_image)
        ok = ok && set_str_member(m, "img_url", t->image_url);
    if (ok)
        return m;
    gw_json_destroy(m);
    return NULL;
}

struct gw_json *gw_enc_rss_decode(const char *body, size_t len, const struct gw_enc_limits *lim,
                                  struct cmn_err *err)
{
    struct feed_doc d;
    struct feed_walk w;
    struct feed_keep keep = {0};
    struct feed_top top;
    struct gw_json *out = NULL;
    enum feed_type type;
    struct cmn_err local;
    int rc;

    if (!err)
        err = &local;
    cmn_err_clear(err);
    if (!body)
        body = "", len = 0;
    type = detect(body, len, lim);
    if (type == FEED_UNKNOWN) {
        cmn_err_set(err, GW_ENC_NOT_FEED, "Failed to detect feed type");
        return NULL;
    }
    if (type == FEED_JSON) {
        cmn_err_set(err, GW_ENC_UNSUPPORTED, "rss: JSON Feed documents are not supported");
        return NULL;
    }
    if (gw_feed_doc_load(body, len, lim, &d, err) != GW_ENC_OK)
        return NULL;
    memset(&top, 0, sizeof(top));
    gw_feed_walk_init(&w, &d, err);
    if (!gw_feed_enter(&w, d.root))
        rc = err->code;
    else if (type == FEED_RSS)
        rc = gw_feed_rss(&w, &top, &keep);
    else
        rc = gw_feed_atom(&w, &top, &keep);
    if (rc == GW_ENC_OK) {
        out = top_map(&top);
        if (!out)
            cmn_err_set(err, GW_ENC_NOMEM, "out of memory");
    }
    gw_json_destroy(top.items);
    gw_json_destroy(top.author);
    gw_json_destroy(top.categories);
    gw_feed_walk_free(&w);
    gw_feed_keep_free(&keep);
    gw_feed_doc_free(&d);
    return out;
}
