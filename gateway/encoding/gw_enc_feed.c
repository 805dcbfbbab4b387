/* gw_enc_feed.c - the rss decoder's document tree, goxpp's namespace map as gofeed sees it while
 * walking, and gofeed's extension elements (shared.ParseExtension). */
#include "gw_enc_feed.h"

#include "cmn_str.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Namespace declarations remembered for goxpp's Spaces: a lookup walks them, so the cap bounds
 * the cost per element. */
#define MAX_NS_DECLS 256

/* ---- the tree ----------------------------------------------------------------------------- */

struct loader {
    struct feed_node **stack;
    size_t depth, cap;
    struct feed_node *root;
    size_t max_value;
};

static void node_free(struct feed_node *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n_kids; i++)
        node_free(n->kids[i]);
    for (size_t i = 0; i < n->n_attrs; i++) {
        free(n->attrs[i].local);
        free(n->attrs[i].space);
        free(n->attrs[i].value);
    }
    free(n->attrs);
    free(n->kids);
    free(n->text);
    free(n->name);
    free(n->space);
    free(n);
}

static int nomem(struct cmn_err *err)
{
    return cmn_err_set(err, GW_ENC_NOMEM, "out of memory");
}

static struct feed_node *node_new(const struct gw_xml_start *s)
{
    struct feed_node *n = calloc(1, sizeof(*n));

    if (!n)
        return NULL;
    n->name = strdup(s->local);
    n->space = strdup(s->space);
    n->attrs = calloc(s->n_attrs ? s->n_attrs : 1, sizeof(*n->attrs));
    if (!n->name || !n->space || !n->attrs) {
        node_free(n);
        return NULL;
    }
    for (size_t i = 0; i < s->n_attrs; i++, n->n_attrs++) {
        struct feed_attr *a = &n->attrs[i];
        a->local = strdup(s->attrs[i].local);
        a->space = strdup(s->attrs[i].space);
        a->value = cmn_strndup(s->attrs[i].value, s->attrs[i].value_len);
        if (!a->local || !a->space || !a->value) {
            n->n_attrs++;
            node_free(n);
            return NULL;
        }
    }
    n->inner_start = n->inner_end = s->inner_start;
    return n;
}

static bool add_kid(struct feed_node *p, struct feed_node *k)
{
    if (p->n_kids == p->cap_kids) {
        size_t cap = p->cap_kids ? p->cap_kids * 2 : 4;
        struct feed_node **kids = realloc(p->kids, cap * sizeof(*kids));
        if (!kids)
            return false;
        p->kids = kids;
        p->cap_kids = cap;
    }
    p->kids[p->n_kids++] = k;
    return true;
}

static int on_start(void *ud, const struct gw_xml_start *s, struct cmn_err *err)
{
    struct loader *l = ud;
    struct feed_node *n = node_new(s);

    if (!n)
        return nomem(err);
    if (l->depth == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        struct feed_node **st = realloc(l->stack, cap * sizeof(*st));
        if (!st) {
            node_free(n);
            return nomem(err);
        }
        l->stack = st;
        l->cap = cap;
    }
    if (l->depth == 0) {
        l->root = n;
    } else if (!add_kid(l->stack[l->depth - 1], n)) {
        node_free(n);
        return nomem(err);
    }
    l->stack[l->depth++] = n;
    return GW_ENC_OK;
}

static int on_text(void *ud, const char *s, size_t n, bool cdata, struct cmn_err *err)
{
    struct loader *l = ud;
    struct feed_node *e = l->stack[l->depth - 1];

    (void)cdata;
    if (e->text_len + n > l->max_value)
        return cmn_err_set(err, GW_ENC_LIMIT, "rss: text longer than %zu bytes", l->max_value);
    if (e->text_len + n + 1 > e->text_cap) {
        size_t cap = e->text_cap ? e->text_cap : 32;
        while (cap < e->text_len + n + 1)
            cap *= 2;
        char *t = realloc(e->text, cap);
        if (!t)
            return nomem(err);
        e->text = t;
        e->text_cap = cap;
    }
    memcpy(e->text + e->text_len, s, n);
    e->text_len += n;
    e->text[e->text_len] = '\0';
    return GW_ENC_OK;
}

static int on_end(void *ud, size_t inner_end, struct cmn_err *err)
{
    struct loader *l = ud;
    struct feed_node *e = l->stack[--l->depth];

    (void)err;
    e->inner_end = inner_end < e->inner_start ? e->inner_start : inner_end;
    return GW_ENC_OK;
}

int gw_feed_doc_load(const char *body, size_t len, const struct gw_enc_limits *lim,
                     struct feed_doc *d, struct cmn_err *err)
{
    static const struct gw_xml_sink sink = {on_start, on_end, on_text};
    struct gw_enc_limits l;
    struct loader ld = {0};
    int rc;

    memset(d, 0, sizeof(*d));
    gw_enc_limits_resolve(lim, &l);
    ld.max_value = l.max_value_len;
    rc = gw_xml_doc_open(body, len, lim, &d->xml, err);
    if (rc == GW_ENC_OK) {
        d->body_off = d->xml.owned ? 0 : (size_t)(d->xml.text - body);
        rc = gw_xml_doc_parse(&d->xml, true, lim, &sink, &ld, err);
    }
    free(ld.stack);
    if (rc == GW_ENC_OK && !ld.root)
        rc = cmn_err_set(err, GW_ENC_EOF, "EOF");
    d->root = ld.root;
    if (rc != GW_ENC_OK)
        gw_feed_doc_free(d);
    return rc;
}

void gw_feed_doc_free(struct feed_doc *d)
{
    if (!d)
        return;
    node_free(d->root);
    gw_xml_doc_close(&d->xml);
    memset(d, 0, sizeof(*d));
}

const char *gw_feed_attr(const struct feed_node *n, const char *name)
{
    for (size_t i = 0; i < n->n_attrs; i++) {
        if (strcmp(n->attrs[i].local, name) == 0)
            return n->attrs[i].value;
    }
    return "";
}

bool gw_feed_is(const struct feed_node *n, const char *lower_name)
{
    return strcasecmp(n->name, lower_name) == 0;
}

const char *gw_feed_inner(const struct feed_walk *w, const struct feed_node *n, size_t *len)
{
    size_t s = n->inner_start, e = n->inner_end;

    if (e > w->d->xml.len)
        e = w->d->xml.len;
    if (s > e)
        s = e;
    *len = e - s;
    return w->d->xml.text + s;
}

/* ---- goxpp's Spaces ------------------------------------------------------------------------ */

struct feed_spaces {
    const struct feed_spaces *parent; /* the map this one was copied from */
    char *uri;
    char *prefix;
    struct feed_spaces *next_all;
};

void gw_feed_walk_init(struct feed_walk *w, const struct feed_doc *d, struct cmn_err *err)
{
    memset(w, 0, sizeof(*w));
    w->d = d;
    w->err = err;
}

void gw_feed_walk_free(struct feed_walk *w)
{
    while (w->all) {
        struct feed_spaces *s = w->all;
        w->all = s->next_all;
        free(s->uri);
        free(s->prefix);
        free(s);
    }
    free(w->stack);
    memset(w, 0, sizeof(*w));
}

static char *trimmed_dup(const char *s, bool lower)
{
    size_t n = strlen(s);
    char *t;

    gw_feed_trim_space(&s, &n);
    t = cmn_strndup(s, n);
    if (t && lower) {
        for (size_t i = 0; i < n; i++) {
            if (t[i] >= 'A' && t[i] <= 'Z')
                t[i] = (char)(t[i] + 32);
        }
    }
    return t;
}

bool gw_feed_enter(struct feed_walk *w, const struct feed_node *n)
{
    const struct feed_spaces *top = w->depth ? w->stack[w->depth - 1] : NULL;

    /* trackNamespaces: a copy of the current map plus this element's declarations */
    for (size_t i = 0; i < n->n_attrs; i++) {
        const struct feed_attr *a = &n->attrs[i];
        bool prefixed = strcmp(a->space, "xmlns") == 0;
        struct feed_spaces *s;
        if (!prefixed && strcmp(a->local, "xmlns") != 0)
            continue;
        if (w->n_decls == MAX_NS_DECLS) {
            cmn_err_set(w->err, GW_ENC_LIMIT, "rss: more than %d namespace declarations",
                        MAX_NS_DECLS);
            return false;
        }
        s = calloc(1, sizeof(*s));
        if (!s || !(s->uri = trimmed_dup(a->value, false)) ||
            !(s->prefix = prefixed ? trimmed_dup(a->local, true) : strdup(""))) {
            if (s) {
                free(s->uri);
                free(s);
            }
            nomem(w->err);
            return false;
        }
        s->parent = top;
        s->next_all = w->all;
        w->all = s;
        w->n_decls++;
        top = s;
    }
    if (w->depth == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 32;
        const struct feed_spaces **st = realloc(w->stack, cap * sizeof(*st));
        if (!st) {
            nomem(w->err);
            return false;
        }
        w->stack = st;
        w->cap = cap;
    }
    w->stack[w->depth++] = top;
    return true;
}

void gw_feed_leave(struct feed_walk *w)
{
    if (w->depth > 0)
        w->depth--;
}

const char *gw_feed_space_prefix(const struct feed_walk *w, const char *uri)
{
    for (const struct feed_spaces *s = w->depth ? w->stack[w->depth - 1] : NULL; s; s = s->parent) {
        if (strcmp(s->uri, uri) == 0)
            return s->prefix;
    }
    return NULL;
}

bool gw_feed_is_extension(const struct feed_walk *w, const struct feed_node *n)
{
    char *space = trimmed_dup(n->space, false);
    const char *prefix;
    bool ext;

    if (!space)
        return n->space[0] != '\0';
    prefix = gw_feed_space_prefix(w, space);
    free(space);
    if (!prefix)
        return n->space[0] != '\0';
    ext = !(prefix[0] == '\0' || strcmp(prefix, "rss") == 0 || strcmp(prefix, "rdf") == 0 ||
            strcmp(prefix, "content") == 0);
    return ext;
}

int gw_feed_expect_error(struct feed_walk *w, const char *want, const struct feed_node *got,
                         bool got_end)
{
    size_t off = got ? (got_end ? got->inner_end : got->inner_start) : w->d->xml.len;
    const char *t = w->d->xml.text;

    /* goxpp names the decoder's input offset: just past the tag it stands on */
    if (got && got_end) {
        while (off < w->d->xml.len && t[off] != '>')
            off++;
        if (off < w->d->xml.len)
            off++;
    }
    return cmn_err_set(w->err, GW_ENC_FEED,
                       "Expected Space:* Name:%s Event:EndTag but got Space: Name:%s Event:%s at "
                       "offset: %zu",
                       want, got ? got->name : "", got_end ? "EndTag" : "StartTag",
                       off + w->d->body_off);
}

/* ---- extensions ---------------------------------------------------------------------------- */

/* gofeed's canonical prefixes (from feedparser) for well-known extension namespaces. */
static const char *const CANONICAL[][2] = {
    {"http://webns.net/mvcb/", "admin"},
    {"http://purl.org/rss/1.0/modules/aggregation/", "ag"},
    {"http://purl.org/rss/1.0/modules/annotate/", "annotate"},
    {"http://media.tangent.org/rss/1.0/", "audio"},
    {"http://backend.userland.com/blogChannelModule", "blogChannel"},
    {"http://creativecommons.org/ns#license", "cc"},
    {"http://web.resource.org/cc/", "cc"},
    {"http://cyber.law.harvard.edu/rss/creativeCommonsRssModule.html", "creativeCommons"},
    {"http://backend.userland.com/creativeCommonsRssModule", "creativeCommons"},
    {"http://purl.org/rss/1.0/modules/company", "co"},
    {"http://purl.org/rss/1.0/modules/content/", "content"},
    {"http://my.theinfo.org/changed/1.0/rss/", "cp"},
    {"http://purl.org/dc/elements/1.1/", "dc"},
    {"http://purl.org/dc/terms/", "dcterms"},
    {"http://purl.org/rss/1.0/modules/email/", "email"},
    {"http://purl.org/rss/1.0/modules/event/", "ev"},
    {"http://rssnamespace.org/feedburner/ext/1.0", "feedburner"},
    {"http://freshmeat.net/rss/fm/", "fm"},
    {"http://xmlns.com/foaf/0.1/", "foaf"},
    {"http://www.w3.org/2003/01/geo/wgs84_pos#", "geo"},
    {"http://www.georss.org/georss", "georss"},
    {"http://www.opengis.net/gml", "gml"},
    {"http://postneo.com/icbm/", "icbm"},
    {"http://purl.org/rss/1.0/modules/image/", "image"},
    {"http://www.itunes.com/DTDs/PodCast-1.0.dtd", "itunes"},
    {"http://example.com/DTDs/PodCast-1.0.dtd", "itunes"},
    {"http://purl.org/rss/1.0/modules/link/", "l"},
    {"http://search.yahoo.com/mrss", "media"},
    {"http://search.yahoo.com/mrss/", "media"},
    {"http://madskills.com/public/xml/rss/module/pingback/", "pingback"},
    {"http://prismstandard.org/namespaces/1.2/basic/", "prism"},
    {"http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdf"},
    {"http://www.w3.org/2000/01/rdf-schema#", "rdfs"},
    {"http://purl.org/rss/1.0/modules/reference/", "ref"},
    {"http://purl.org/rss/1.0/modules/richequiv/", "reqv"},
    {"http://purl.org/rss/1.0/modules/search/", "search"},
    {"http://purl.org/rss/1.0/modules/slash/", "slash"},
    {"http://schemas.xmlsoap.org/soap/envelope/", "soap"},
    {"http://purl.org/rss/1.0/modules/servicestatus/", "ss"},
    {"http://hacks.benhammersley.com/rss/streaming/", "str"},
    {"http://purl.org/rss/1.0/modules/subscription/", "sub"},
    {"http://purl.org/rss/1.0/modules/syndication/", "sy"},
    {"http://schemas.pocketsoap.com/rss/myDescModule/", "szf"},
    {"http://purl.org/rss/1.0/modules/taxonomy/", "taxo"},
    {"http://purl.org/rss/1.0/modules/threading/", "thr"},
    {"http://purl.org/rss/1.0/modules/textinput/", "ti"},
    {"http://madskills.com/public/xml/rss/module/trackback/", "trackback"},
    {"http://wellformedweb.org/commentAPI/", "wfw"},
    {"http://purl.org/rss/1.0/modules/wiki/", "wiki"},
    {"http://www.w3.org/1999/xhtml", "xhtml"},
    {"http://www.w3.org/1999/xlink", "xlink"},
    {"http://www.w3.org/XML/1998/namespace", "xml"},
    {"http://podlove.org/simple-chapters", "psc"},
};

static const char *prefix_for(const struct feed_walk *w, const char *space)
{
    const char *p;

    for (size_t i = 0; i < sizeof(CANONICAL) / sizeof(CANONICAL[0]); i++) {
        if (strcmp(CANONICAL[i][0], space) == 0)
            return CANONICAL[i][1];
    }
    p = gw_feed_space_prefix(w, space);
    return p ? p : space;
}

/* Go's map value for key in obj, created empty (object or array) when absent. */
static struct gw_json *get_or_add(struct gw_json *obj, const char *key, bool array)
{
    struct gw_json *v = gw_json_object_get(obj, key);

    if (v)
        return v;
    v = array ? gw_json_array() : gw_json_object();
    if (!v || !gw_json_object_set(obj, key, v))
        return NULL;
    return v;
}

/* parseExtensionElement: {name, value, attrs, children} (an ext.Extension struct). */
static struct gw_json *ext_element(struct feed_walk *w, const struct feed_node *n, int depth)
{
    struct gw_json *e = gw_json_struct(), *attrs = gw_json_object(), *kids = gw_json_object();
    const char *v = n->text ? n->text : "";
    size_t vl = n->text_len;
    bool ok = e && attrs && kids;

    gw_feed_trim_space(&v, &vl);
    ok = ok && gw_json_object_set(e, "name", gw_json_string(n->name, strlen(n->name)));
    ok = ok && gw_json_object_set(e, "value", gw_json_string(v, vl));
    for (size_t i = 0; ok && i < n->n_attrs; i++)
        ok = gw_json_object_set(attrs, n->attrs[i].local,
                                gw_json_string(n->attrs[i].value, strlen(n->attrs[i].value)));
    for (size_t i = 0; ok && i < n->n_kids; i++) {
        struct gw_json *list = get_or_add(kids, n->kids[i]->name, true);
        ok = list && gw_json_array_append(list, ext_element(w, n->kids[i], depth + 1));
    }
    if (!ok)
        goto fail;
    ok = gw_json_object_set(e, "attrs", attrs); /* takes attrs, even when it fails */
    attrs = NULL;
    if (!ok)
        goto fail;
    ok = gw_json_object_set(e, "children", kids);
    kids = NULL;
    if (ok)
        return e;
fail:
    gw_json_destroy(attrs);
    gw_json_destroy(kids);
    gw_json_destroy(e);
    return NULL;
}

int gw_feed_parse_extension(struct feed_walk *w, const struct feed_node *n, struct gw_json *ext)
{
    const char *prefix = prefix_for(w, n->space);
    struct gw_json *by_name = get_or_add(ext, prefix, false), *list;

    list = by_name ? get_or_add(by_name, n->name, true) : NULL;
    if (!list || !gw_json_array_append(list, ext_element(w, n, 0)))
        return nomem(w->err);
    gw_feed_leave(w); /* parsed with Next(): its end tag is processed */
    return GW_ENC_OK;
}

const struct gw_json *gw_feed_ext_first(const struct gw_json *ext, const char *prefix,
                                        const char *name)
{
    const struct gw_json *l = gw_json_object_get(gw_json_object_get(ext, prefix), name);

    return l && l->type == GW_JSON_ARRAY && l->n_items ? l->items[0] : NULL;
}

const char *gw_feed_ext_value(const struct gw_json *e)
{
    const struct gw_json *v = e ? gw_json_object_get(e, "value") : NULL;

    return v && v->type == GW_JSON_STRING ? v->str : "";
}

bool gw_feed_set_str(struct gw_json *obj, const char *key, const char *s)
{
    return gw_json_object_set(obj, key, gw_json_string(s, strlen(s)));
}

bool gw_feed_set_time(struct gw_json *obj, const char *key, const struct cmn_go_time *t, bool utc)
{
    char buf[CMN_GO_RFC3339_MAX];
    struct cmn_go_time u = *t;

    if (utc)
        u = cmn_go_time_unix(t->unix, t->nsec, 0, "UTC");
    cmn_go_time_rfc3339(&u, true, buf);
    return gw_feed_set_str(obj, key, buf);
}
