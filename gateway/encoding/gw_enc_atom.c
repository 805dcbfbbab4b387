/* gw_enc_atom.c - Atom 0.3/1.0 as gofeed v1.2.1's atom.Parser reads it and its
 * DefaultAtomTranslator turns it into the universal feed (only what krakend-rss keeps). */
#include "gw_enc_feed.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct ctx {
    struct feed_walk *w;
    struct feed_keep *keep;
};

struct alink {
    const char *href, *rel, *type, *length;
};

struct entry {
    const char *title, *id, *updated, *summary, *published, *content, *rights;
    struct cmn_go_time upd_t, pub_t;
    bool has_upd_t, has_pub_t, has_content;
    struct gw_json *authors, *terms, *ext;
    struct alink *links;
    size_t n_links, cap_links;
};

static int oom(struct ctx *c)
{
    return cmn_err_set(c->w->err, GW_ENC_NOMEM, "out of memory");
}

/* The value of the last attribute with that local name (encoding/xml's unmarshalling). */
static const char *attr_last(const struct feed_node *n, const char *name)
{
    const char *v = "";

    for (size_t i = 0; i < n->n_attrs; i++) {
        if (strcmp(n->attrs[i].local, name) == 0)
            v = n->attrs[i].value;
    }
    return v;
}

static bool has_ci(const char *s, const char *sub)
{
    size_t k = strlen(sub);

    for (; *s; s++) {
        if (strncasecmp(s, sub, k) == 0)
            return true;
    }
    return false;
}

/* base64.StdEncoding.DecodeString: padded, '\r' and '\n' ignored, anything else an error. */
static bool base64_std(const char *s, size_t n, struct cmn_buf *out)
{
    uint32_t acc = 0;
    int bits = 0, quad = 0, pad = 0;

    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int v;
        if (c == '\r' || c == '\n')
            continue;
        if (c == '=') {
            pad++;
            quad++;
            continue;
        }
        if (pad)
            return false;
        if (c >= 'A' && c <= 'Z')
            v = c - 'A';
        else if (c >= 'a' && c <= 'z')
            v = c - 'a' + 26;
        else if (c >= '0' && c <= '9')
            v = c - '0' + 52;
        else if (c == '+')
            v = 62;
        else if (c == '/')
            v = 63;
        else
            return false;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        quad++;
        if (bits >= 8) {
            unsigned char b = (unsigned char)(acc >> (bits - 8));
            bits -= 8;
            if (cmn_buf_append(out, &b, 1))
                return false;
        }
    }
    return quad % 4 == 0 && pad <= 2 && (pad == 0 || bits < 6);
}

static bool is_void(const char *t, size_t n)
{
    static const char *const V[] = {"area",  "base", "br",   "col",   "embed",  "hr",    "img",
                                    "input", "link", "meta", "param", "source", "track", "wbr"};

    for (size_t i = 0; i < sizeof(V) / sizeof(V[0]); i++) {
        if (strlen(V[i]) == n && strncasecmp(V[i], t, n) == 0)
            return true;
    }
    return false;
}

/* stripWrappingDiv, without goquery: when the content's only top-level element is a <div>, its
 * inner HTML as written (goquery re-serialises it: docs/encodings.md). */
static void strip_wrapping_div(const char **s, size_t *n)
{
    const char *t = *s, *inner = NULL, *inner_end = NULL;
    size_t len = *n, tops = 0;
    int depth = 0;
    bool top_is_div = false;

    for (size_t i = 0; i < len; i++) {
        size_t j, nl;
        bool end, self;
        if (t[i] != '<')
            continue;
        if (len - i >= 4 && memcmp(t + i, "<!--", 4) == 0) {
            const char *e = memmem(t + i + 4, len - i - 4, "-->", 3); /* t is a slice */
            if (!e)
                return;
            i = (size_t)(e - t) + 2;
            continue;
        }
        end = i + 1 < len && t[i + 1] == '/';
        j = i + 1 + end;
        nl = 0;
        while (j + nl < len && ((t[j + nl] | 32) >= 'a' && (t[j + nl] | 32) <= 'z'))
            nl++;
        if (nl == 0)
            continue;
        const char *gt = memchr(t + j, '>', len - j);
        if (!gt)
            return;
        self = gt > t + j && gt[-1] == '/';
        if (end) {
            if (depth > 0 && --depth == 0 && top_is_div && tops == 1)
                inner_end = t + i;
        } else if (!self && !is_void(t + j, nl)) {
            if (depth++ == 0) {
                tops++;
                top_is_div = nl == 3 && strncasecmp(t + j, "div", 3) == 0;
                inner = gt + 1;
            }
        } else if (depth == 0) {
            tops++;
            top_is_div = false;
        }
        i = (size_t)(gt - t);
    }
    if (tops == 1 && top_is_div && inner && inner_end && inner <= inner_end) {
        *s = inner;
        *n = (size_t)(inner_end - inner);
    }
}

/* parseAtomText: the raw inner XML, then CDATA, entities, a wrapping div or base64 by type. */
static int atom_text(struct ctx *c, const struct feed_node *n, const char **out)
{
    const char *type = attr_last(n, "type"), *mode = attr_last(n, "mode"), *s;
    size_t len;
    struct cmn_buf b;
    bool ok = true;
    char *r;

    s = gw_feed_inner(c->w, n, &len);
    gw_feed_trim_space(&s, &len);
    cmn_buf_init(&b, len + 16);
    if (memmem(s, len, "<![CDATA[", 9)) {
        ok = gw_feed_strip_cdata(s, len, &b);
    } else if (strcasecmp(type, "text") == 0 || strncasecmp(type, "text/", 5) == 0 ||
               (!type[0] && !mode[0])) {
        ok = gw_feed_decode_entities(s, len, &b);
    } else if (has_ci(type, "xhtml")) {
        strip_wrapping_div(&s, &len);
        ok = !cmn_buf_append(&b, s, len);
    } else if (strcasecmp(type, "html") == 0) {
        strip_wrapping_div(&s, &len);
        ok = gw_feed_decode_entities(s, len, &b);
    } else if (!base64_std(s, len, &b)) {
        cmn_buf_reset(&b);
        ok = !cmn_buf_append(&b, s, len);
    }
    r = ok ? cmn_buf_take(&b, NULL) : NULL;
    cmn_buf_free(&b);
    *out = gw_feed_keep(c->keep, r);
    return *out ? GW_ENC_OK : oom(c);
}

static int dated(struct ctx *c, const struct feed_node *n, const char **s, struct cmn_go_time *t,
                 bool *has)
{
    int rc = atom_text(c, n, s);

    if (rc == GW_ENC_OK)
        *has = gw_feed_parse_date(*s, t);
    return rc;
}

/* parsePerson: name, email and uri|url|homepage; a gofeed Person {name, email} is kept. */
static int person(struct ctx *c, const struct feed_node *n, struct gw_json **list)
{
    const char *name = "", *email = "", *s;
    int rc = GW_ENC_OK;

    for (size_t i = 0; i < n->n_kids && !rc; i++) {
        const struct feed_node *k = n->kids[i];
        if (!gw_feed_enter(c->w, k))
            return c->w->err->code;
        if (gw_feed_is(k, "name"))
            rc = atom_text(c, k, &name);
        else if (gw_feed_is(k, "email"))
            rc = atom_text(c, k, &email);
        else if (gw_feed_is(k, "uri") || gw_feed_is(k, "url") || gw_feed_is(k, "homepage"))
            rc = atom_text(c, k, &s);
        else
            gw_feed_leave(c->w);
    }
    if (rc)
        return rc;
    gw_feed_leave(c->w);
    if (!list)
        return GW_ENC_OK;
    if (!*list && !(*list = gw_json_array()))
        return oom(c);
    return gw_json_array_append(*list, gw_feed_person(name, email)) ? GW_ENC_OK : oom(c);
}

static int add_link(struct ctx *c, const struct feed_node *n, struct entry *e)
{
    struct alink *l;

    gw_feed_leave(c->w); /* Skip() */
    if (!e)
        return GW_ENC_OK;
    if (e->n_links == e->cap_links) {
        size_t cap = e->cap_links ? e->cap_links * 2 : 4;
        struct alink *nl = realloc(e->links, cap * sizeof(*nl));
        if (!nl)
            return oom(c);
        e->links = nl;
        e->cap_links = cap;
    }
    l = &e->links[e->n_links++];
    l->href = gw_feed_attr(n, "href");
    l->type = gw_feed_attr(n, "type");
    l->length = gw_feed_attr(n, "length");
    l->rel = gw_feed_attr(n, "rel");
    if (!l->rel[0])
        l->rel = "alternate";
    return GW_ENC_OK;
}

static int add_term(struct ctx *c, const struct feed_node *n, struct gw_json **terms)
{
    const char *t = gw_feed_attr(n, "term");

    gw_feed_leave(c->w); /* Skip() */
    if (!*terms && !(*terms = gw_json_array()))
        return oom(c);
    return gw_json_array_append(*terms, gw_json_string(t, strlen(t))) ? GW_ENC_OK : oom(c);
}

static int extension(struct ctx *c, const struct feed_node *n, struct gw_json **ext)
{
    if (!*ext && !(*ext = gw_json_object()))
        return oom(c);
    return gw_feed_parse_extension(c->w, n, *ext);
}

/* Children shared by <feed>, <entry> and <source>; e receives what the translator uses. */
static int common_child(struct ctx *c, const struct feed_node *k, struct entry *e, bool *done)
{
    *done = true;
    if (gw_feed_is_extension(c->w, k))
        return extension(c, k, &e->ext);
    if (gw_feed_is(k, "title"))
        return atom_text(c, k, &e->title);
    if (gw_feed_is(k, "id"))
        return atom_text(c, k, &e->id);
    if (gw_feed_is(k, "updated") || gw_feed_is(k, "modified"))
        return dated(c, k, &e->updated, &e->upd_t, &e->has_upd_t);
    if (gw_feed_is(k, "rights") || gw_feed_is(k, "copyright"))
        return atom_text(c, k, &e->rights);
    if (gw_feed_is(k, "contributor"))
        return person(c, k, NULL);
    if (gw_feed_is(k, "author"))
        return person(c, k, &e->authors);
    if (gw_feed_is(k, "category"))
        return add_term(c, k, &e->terms);
    if (gw_feed_is(k, "link"))
        return add_link(c, k, e);
    *done = false;
    return GW_ENC_OK;
}

static void entry_free(struct entry *e)
{
    gw_json_destroy(e->authors);
    gw_json_destroy(e->terms);
    gw_json_destroy(e->ext);
    free(e->links);
}

/* parseSource: read for its structure only (gofeed's Item has no source). */
static int source(struct ctx *c, const struct feed_node *n)
{
    struct entry e;
    int rc = GW_ENC_OK;
    const char *s;

    memset(&e, 0, sizeof(e));
    for (size_t i = 0; i < n->n_kids && !rc; i++) {
        const struct feed_node *k = n->kids[i];
        bool done;
        if (!gw_feed_enter(c->w, k)) {
            rc = c->w->err->code;
            break;
        }
        rc = common_child(c, k, &e, &done);
        if (done || rc)
            continue;
        if (gw_feed_is(k, "subtitle") || gw_feed_is(k, "tagline") || gw_feed_is(k, "icon") ||
            gw_feed_is(k, "logo") || gw_feed_is(k, "generator"))
            rc = atom_text(c, k, &s);
        else
            gw_feed_leave(c->w);
    }
    if (!rc)
        gw_feed_leave(c->w);
    entry_free(&e);
    return rc;
}

static const char *first_rel(const struct entry *e, const char *rel)
{
    for (size_t i = 0; i < e->n_links; i++) {
        if (strcmp(e->links[i].rel, rel) == 0)
            return e->links[i].href;
    }
    return "";
}

static int translate_entry(struct ctx *c, struct entry *e, struct gw_json *items)
{
    struct feed_item fi;
    struct gw_json *o;

    memset(&fi, 0, sizeof(fi));
    fi.title = e->title;
    fi.description = e->summary;
    fi.content = e->has_content ? e->content : NULL;
    fi.link = first_rel(e, "alternate");
    for (size_t i = 0; i < e->n_links; i++) {
        const char *rel = e->links[i].rel, *h = e->links[i].href;
        if (strcmp(rel, "alternate") && strcmp(rel, "self"))
            continue;
        if ((!fi.links && !(fi.links = gw_json_array())) ||
            !gw_json_array_append(fi.links, gw_json_string(h, strlen(h))))
            goto nomem;
    }
    fi.updated = e->updated;
    fi.updated_t = e->has_upd_t ? &e->upd_t : NULL;
    fi.updated_utc = fi.published_utc = true;
    fi.published = e->published && e->published[0] ? e->published : e->updated;
    fi.published_t = e->has_pub_t ? &e->pub_t : fi.updated_t;
    if (e->authors && e->authors->n_items && !(fi.author = gw_json_copy(e->authors->items[0])))
        goto nomem;
    fi.authors = e->authors;
    e->authors = NULL;
    fi.guid = e->id;
    fi.categories = e->terms;
    e->terms = NULL;
    for (size_t i = 0; i < e->n_links; i++) {
        const struct alink *l = &e->links[i];
        if (strcmp(l->rel, "enclosure"))
            continue;
        if ((!fi.enclosures && !(fi.enclosures = gw_json_array())) ||
            !gw_json_array_append(fi.enclosures, gw_feed_enclosure(l->href, l->length, l->type)))
            goto nomem;
    }
    fi.extensions = e->ext;
    e->ext = NULL;
    o = gw_feed_item(&fi);
    return o && gw_json_array_append(items, o) ? GW_ENC_OK : oom(c);
nomem:
    gw_feed_item_clear(&fi);
    return oom(c);
}

static int parse_entry(struct ctx *c, const struct feed_node *n, struct gw_json *items)
{
    struct entry e;
    int rc = GW_ENC_OK;

    memset(&e, 0, sizeof(e));
    for (size_t i = 0; i < n->n_kids && !rc; i++) {
        const struct feed_node *k = n->kids[i];
        bool done;
        if (!gw_feed_enter(c->w, k)) {
            rc = c->w->err->code;
            break;
        }
        rc = common_child(c, k, &e, &done);
        if (done || rc)
            continue;
        if (gw_feed_is(k, "summary"))
            rc = atom_text(c, k, &e.summary);
        else if (gw_feed_is(k, "source"))
            rc = source(c, k);
        else if (gw_feed_is(k, "published") || gw_feed_is(k, "issued"))
            rc = dated(c, k, &e.published, &e.pub_t, &e.has_pub_t);
        else if (gw_feed_is(k, "content")) {
            rc = atom_text(c, k, &e.content);
            e.has_content = true;
        } else
            gw_feed_leave(c->w);
    }
    if (!rc) {
        gw_feed_leave(c->w);
        rc = translate_entry(c, &e, items);
    }
    entry_free(&e);
    return rc;
}

int gw_feed_atom(struct feed_walk *w, struct feed_top *top, struct feed_keep *keep)
{
    struct ctx c = {w, keep};
    const struct feed_node *root = w->d->root;
    struct entry f;
    const char *subtitle = "", *logo = "", *s;
    int rc = GW_ENC_OK;

    memset(&f, 0, sizeof(f));
    top->items = gw_json_array();
    if (!top->items)
        return oom(&c);
    for (size_t i = 0; i < root->n_kids && !rc; i++) {
        const struct feed_node *k = root->kids[i];
        bool done;
        if (!gw_feed_enter(w, k)) {
            rc = w->err->code;
            break;
        }
        rc = common_child(&c, k, &f, &done);
        if (done || rc)
            continue;
        if (gw_feed_is(k, "subtitle") || gw_feed_is(k, "tagline"))
            rc = atom_text(&c, k, &subtitle);
        else if (gw_feed_is(k, "logo"))
            rc = atom_text(&c, k, &logo);
        else if (gw_feed_is(k, "icon") || gw_feed_is(k, "generator"))
            rc = atom_text(&c, k, &s);
        else if (gw_feed_is(k, "entry"))
            rc = parse_entry(&c, k, top->items);
        else
            gw_feed_leave(w);
    }
    if (!rc) {
        top->type = "atom";
        top->title = f.title;
        top->description = subtitle;
        top->updated = f.updated;
        top->language = gw_feed_attr(root, "lang");
        top->copyright = f.rights;
        if (f.authors && f.authors->n_items && !(top->author = gw_json_copy(f.authors->items[0])))
            rc = oom(&c);
        if (logo[0]) {
            top->has_image = true;
            top->image_url = logo;
        }
        top->categories = f.terms;
        f.terms = NULL;
    }
    entry_free(&f);
    return rc;
}
