/* gw_enc_rss.c - RSS 0.9x/1.0/2.0 as gofeed v1.2.1's rss.Parser reads it and its
 * DefaultRSSTranslator turns it into the universal feed (only what krakend-rss keeps). */
#include "gw_enc_feed.h"

#include <stdlib.h>
#include <string.h>

struct rss_item {
    const char *title, *link, *description, *content, *author, *pub_date, *guid;
    struct cmn_go_time pub_t;
    bool has_pub_t, has_guid;
    struct gw_json *links, *categories, *enclosures, *ext, *custom;
};

struct rss_chan {
    const char *title, *description, *language, *copyright, *editor, *webmaster;
    const char *pub_date, *last_build;
    bool has_image;
    const char *image_url, *image_title;
    struct gw_json *categories, *ext, *items;
};

struct ctx {
    struct feed_walk *w;
    struct feed_keep *keep;
};

static int oom(struct ctx *c)
{
    return cmn_err_set(c->w->err, GW_ENC_NOMEM, "out of memory");
}

/* ParseText on an entered node (it stays entered: DecodeElement skips goxpp's end handling). */
static int text(struct ctx *c, const struct feed_node *n, const char **out)
{
    char *s = gw_feed_parse_text(c->w, n);

    if (!s)
        return c->w->err->code;
    *out = gw_feed_keep(c->keep, s);
    return *out ? GW_ENC_OK : oom(c);
}

/* A copy of s that lives as long as the decode (NULL when out of memory). */
static const char *kept(struct ctx *c, const char *s)
{
    return gw_feed_keep(c->keep, strdup(s ? s : ""));
}

static int append_str(struct ctx *c, struct gw_json **list, const char *s)
{
    if (!*list && !(*list = gw_json_array()))
        return oom(c);
    return gw_json_array_append(*list, gw_json_string(s, strlen(s))) ? GW_ENC_OK : oom(c);
}

static int extension(struct ctx *c, const struct feed_node *n, struct gw_json **ext)
{
    if (!*ext && !(*ext = gw_json_object()))
        return oom(c);
    return gw_feed_parse_extension(c->w, n, *ext);
}

/* parseLink: the text, or the href attribute when the text is empty. */
static int link(struct ctx *c, const struct feed_node *n, const char **out)
{
    const char *href = gw_feed_attr(n, "href");
    int rc = text(c, n, out);

    if (rc == GW_ENC_OK && !(*out)[0] && href[0])
        *out = href;
    return rc;
}

/* parseEnclosure: attributes, then NextText (element content is an error). */
static int enclosure(struct ctx *c, const struct feed_node *n, struct rss_item *it)
{
    struct gw_json *e;

    if (n->n_kids) {
        return cmn_err_set(c->w->err, GW_ENC_FEED, "%s",
                           n->text_len ? "Event Text must be immediately followed by EndTag or "
                                         "Text but got StartTag"
                                       : "Parser must be on EndTag or Text to read text");
    }
    gw_feed_leave(c->w);
    e = gw_feed_enclosure(gw_feed_attr(n, "url"), gw_feed_attr(n, "length"),
                          gw_feed_attr(n, "type"));
    if (!it->enclosures && !(it->enclosures = gw_json_array())) {
        gw_json_destroy(e);
        return oom(c);
    }
    return gw_json_array_append(it->enclosures, e) ? GW_ENC_OK : oom(c);
}

static int item_child(struct ctx *c, const struct feed_node *k, struct rss_item *it)
{
    const char *s;
    int rc;

    if (gw_feed_is_extension(c->w, k))
        return extension(c, k, &it->ext);
    if (gw_feed_is(k, "title"))
        return text(c, k, &it->title);
    if (gw_feed_is(k, "description"))
        return text(c, k, &it->description);
    if (gw_feed_is(k, "encoded")) {
        const char *p = gw_feed_space_prefix(c->w, k->space);
        if (p && strcmp(p, "content") == 0)
            return text(c, k, &it->content);
        /* not content:encoded: gofeed reads on inside it and meets its end tag as the item's */
        return gw_feed_expect_error(c->w, "item", k, true);
    }
    if (gw_feed_is(k, "link")) {
        if ((rc = link(c, k, &s)) == GW_ENC_OK) {
            it->link = s;
            rc = append_str(c, &it->links, s);
        }
        return rc;
    }
    if (gw_feed_is(k, "author"))
        return text(c, k, &it->author);
    if (gw_feed_is(k, "comments") || gw_feed_is(k, "source"))
        return text(c, k, &s);
    if (gw_feed_is(k, "pubdate")) {
        if ((rc = text(c, k, &it->pub_date)) == GW_ENC_OK)
            it->has_pub_t = gw_feed_parse_date(it->pub_date, &it->pub_t);
        return rc;
    }
    if (gw_feed_is(k, "enclosure"))
        return enclosure(c, k, it);
    if (gw_feed_is(k, "guid")) {
        it->has_guid = true;
        return text(c, k, &it->guid);
    }
    if (gw_feed_is(k, "category")) {
        if ((rc = text(c, k, &s)) == GW_ENC_OK)
            rc = append_str(c, &it->categories, s);
        return rc;
    }
    /* anything else: Custom[name] = its text */
    if ((rc = text(c, k, &s)) != GW_ENC_OK)
        return rc;
    if (!it->custom && !(it->custom = gw_json_object()))
        return oom(c);
    return gw_feed_set_str(it->custom, k->name, s) ? GW_ENC_OK : oom(c);
}

/* firstEntry of a Dublin Core field ("" when absent; NULL when the field is nil). */
static const char *dc_first(const struct gw_json *ext, const char *name)
{
    const struct gw_json *e = gw_feed_ext_first(ext, "dc", name);

    return e ? gw_feed_ext_value(e) : NULL;
}

static const char *or_dc(const char *v, const struct gw_json *ext, const char *name)
{
    const char *d;

    if (v && v[0])
        return v;
    d = dc_first(ext, name);
    return d ? d : "";
}

/* translateItemAuthor / translateFeedAuthor's chain after the RSS field(s). */
static struct gw_json *author_from(const char *const *fields, size_t n, const struct gw_json *ext)
{
    const char *d;

    for (size_t i = 0; i < n; i++) {
        if (fields[i] && fields[i][0])
            return gw_feed_person_from(fields[i]);
    }
    if ((d = dc_first(ext, "author")) != NULL || (d = dc_first(ext, "creator")) != NULL)
        return gw_feed_person_from(d);
    d = gw_feed_ext_value(gw_feed_ext_first(ext, "itunes", "author"));
    return d[0] ? gw_feed_person_from(d) : NULL;
}

static const char *itunes_image(const struct gw_json *ext)
{
    const struct gw_json *ie = gw_feed_ext_first(ext, "itunes", "image");
    const struct gw_json *h =
        ie ? gw_json_object_get(gw_json_object_get(ie, "attrs"), "href") : NULL;

    return h && h->type == GW_JSON_STRING ? h->str : "";
}

static int translate_item(struct ctx *c, struct rss_item *it, struct gw_json *items)
{
    struct feed_item fi;
    struct cmn_go_time dct;
    const char *kw, *img = itunes_image(it->ext);
    const struct gw_json *dcd = gw_feed_ext_first(it->ext, "dc", "date");
    struct gw_json *o;

    memset(&fi, 0, sizeof(fi));
    /* the gw_json parts move to fi now: gw_feed_item_clear frees them on any failure */
    fi.links = it->links;
    fi.categories = it->categories;
    fi.enclosures = it->enclosures;
    fi.custom = it->custom;
    it->links = it->categories = it->enclosures = it->custom = NULL;
    fi.title = or_dc(it->title, it->ext, "title");
    fi.description = or_dc(it->description, it->ext, "description");
    fi.content = it->content;
    fi.link = it->link;
    fi.published = or_dc(it->pub_date, it->ext, "date");
    if (it->has_pub_t) {
        fi.published_t = &it->pub_t;
        fi.published_utc = true;
    } else if (dcd && gw_feed_parse_date(gw_feed_ext_value(dcd), &dct)) {
        fi.published_t = &dct; /* not converted to UTC */
    }
    fi.author = author_from(&it->author, 1, it->ext);
    if (fi.author && (!(fi.authors = gw_json_array()) ||
                      !gw_json_array_append(fi.authors, gw_json_copy(fi.author))))
        goto nomem;
    fi.guid = it->has_guid ? it->guid : NULL;
    if (img[0] && !(fi.image = gw_feed_image(img, "")))
        goto nomem;
    if (!fi.categories && !(fi.categories = gw_json_array()))
        goto nomem;
    kw = gw_feed_ext_value(gw_feed_ext_first(it->ext, "itunes", "keywords"));
    if ((kw[0] && !gw_feed_split_keywords(kw, fi.categories)) ||
        !gw_feed_ext_values(it->ext, "dc", "subject", fi.categories))
        goto nomem;
    fi.dc = gw_feed_dc(it->ext);
    fi.itunes = gw_feed_itunes_item(it->ext);
    fi.extensions = it->ext;
    it->ext = NULL;
    o = gw_feed_item(&fi);
    return o && gw_json_array_append(items, o) ? GW_ENC_OK : oom(c);
nomem:
    gw_feed_item_clear(&fi);
    return oom(c);
}

static void item_free(struct rss_item *it)
{
    gw_json_destroy(it->links);
    gw_json_destroy(it->categories);
    gw_json_destroy(it->enclosures);
    gw_json_destroy(it->ext);
    gw_json_destroy(it->custom);
}

/* parseItem on an entered <item>; the translated item is appended to items. */
static int parse_item(struct ctx *c, const struct feed_node *n, struct gw_json *items)
{
    struct rss_item it;
    int rc = GW_ENC_OK;

    memset(&it, 0, sizeof(it));
    for (size_t i = 0; i < n->n_kids && !rc; i++) {
        if (!gw_feed_enter(c->w, n->kids[i]))
            rc = c->w->err->code;
        else
            rc = item_child(c, n->kids[i], &it);
    }
    if (!rc) {
        gw_feed_leave(c->w);
        rc = translate_item(c, &it, items);
    }
    item_free(&it);
    return rc;
}

/* Elements read for their children's text only (image, textInput, skipHours, skipDays). */
static int text_children(struct ctx *c, const struct feed_node *n, const char *const *names,
                         const char **vals)
{
    int rc = GW_ENC_OK;

    for (size_t i = 0; i < n->n_kids && !rc; i++) {
        const struct feed_node *k = n->kids[i];
        size_t j;
        if (!gw_feed_enter(c->w, k))
            return c->w->err->code;
        for (j = 0; names[j] && !gw_feed_is(k, names[j]); j++)
            ;
        if (names[j]) {
            const char *s;
            rc = text(c, k, &s);
            if (vals)
                vals[j] = s;
        } else {
            gw_feed_leave(c->w); /* Skip() */
        }
    }
    if (!rc)
        gw_feed_leave(c->w);
    return rc;
}

static int parse_image(struct ctx *c, const struct feed_node *n, struct rss_chan *ch)
{
    static const char *const names[] = {"url",    "title",       "link", "width",
                                        "height", "description", NULL};
    const char *vals[7] = {"", "", "", "", "", "", ""};
    int rc = text_children(c, n, names, vals);

    ch->has_image = true;
    ch->image_url = vals[0];
    ch->image_title = vals[1];
    return rc;
}

static int chan_child(struct ctx *c, const struct feed_node *k, struct rss_chan *ch)
{
    static const char *const ti[] = {"title", "description", "name", "link", NULL};
    static const char *const hours[] = {"hour", NULL}, *const days[] = {"day", NULL};
    static const char *const plain[] = {"generator", "docs", "ttl", "rating", NULL};
    const char *s;
    int rc;

    if (gw_feed_is_extension(c->w, k))
        return extension(c, k, &ch->ext);
    if (gw_feed_is(k, "title"))
        return text(c, k, &ch->title);
    if (gw_feed_is(k, "description"))
        return text(c, k, &ch->description);
    if (gw_feed_is(k, "link"))
        return link(c, k, &s);
    if (gw_feed_is(k, "language"))
        return text(c, k, &ch->language);
    if (gw_feed_is(k, "copyright"))
        return text(c, k, &ch->copyright);
    if (gw_feed_is(k, "managingeditor"))
        return text(c, k, &ch->editor);
    if (gw_feed_is(k, "webmaster"))
        return text(c, k, &ch->webmaster);
    if (gw_feed_is(k, "pubdate"))
        return text(c, k, &ch->pub_date);
    if (gw_feed_is(k, "lastbuilddate"))
        return text(c, k, &ch->last_build);
    for (size_t i = 0; plain[i]; i++) {
        if (gw_feed_is(k, plain[i]))
            return text(c, k, &s);
    }
    if (gw_feed_is(k, "skiphours"))
        return text_children(c, k, hours, NULL);
    if (gw_feed_is(k, "skipdays"))
        return text_children(c, k, days, NULL);
    if (gw_feed_is(k, "item"))
        return parse_item(c, k, ch->items);
    if (gw_feed_is(k, "cloud")) {
        if (k->n_kids) /* NextTag lands on the child, not on </cloud> */
            return gw_feed_expect_error(c->w, "cloud", k->kids[0], false);
        gw_feed_leave(c->w);
        return GW_ENC_OK;
    }
    if (gw_feed_is(k, "category")) {
        if ((rc = text(c, k, &s)) == GW_ENC_OK)
            rc = append_str(c, &ch->categories, s);
        return rc;
    }
    if (gw_feed_is(k, "image"))
        return parse_image(c, k, ch);
    if (gw_feed_is(k, "textinput"))
        return text_children(c, k, ti, NULL);
    gw_feed_leave(c->w); /* Skip() */
    return GW_ENC_OK;
}

static void chan_free(struct rss_chan *ch)
{
    gw_json_destroy(ch->categories);
    gw_json_destroy(ch->ext);
    gw_json_destroy(ch->items);
    memset(ch, 0, sizeof(*ch));
}

static int parse_channel(struct ctx *c, const struct feed_node *n, struct rss_chan *ch)
{
    int rc = GW_ENC_OK;

    chan_free(ch); /* a later channel replaces an earlier one */
    if (!(ch->items = gw_json_array()))
        return oom(c);
    for (size_t i = 0; i < n->n_kids && !rc; i++) {
        if (!gw_feed_enter(c->w, n->kids[i]))
            rc = c->w->err->code;
        else
            rc = chan_child(c, n->kids[i], ch);
    }
    if (!rc)
        gw_feed_leave(c->w);
    return rc;
}

/* DefaultRSSTranslator's feed-level fields. */
static int translate(struct ctx *c, struct rss_chan *ch, struct feed_top *top)
{
    const char *const authors[] = {ch->editor, ch->webmaster};
    const struct gw_json *ext = ch->ext, *cats;
    struct gw_json *list = ch->categories;
    const char *kw, *itimg;

    /* copies: the channel's extensions are freed before the map is built */
    top->type = "rss";
    top->title = kept(c, or_dc(ch->title, ext, "title"));
    top->description = ch->description;
    top->published = ch->pub_date;
    top->updated = kept(c, or_dc(ch->last_build, ext, "date"));
    top->language = kept(c, or_dc(ch->language, ext, "language"));
    top->copyright = kept(c, or_dc(ch->copyright, ext, "rights"));
    top->author = author_from(authors, 2, ext);
    itimg = itunes_image(ext);
    if (ch->has_image) {
        top->has_image = true;
        top->image_url = ch->image_url;
    } else if (itimg[0]) {
        top->has_image = true;
        top->image_url = kept(c, itimg);
    }
    if (!top->title || !top->updated || !top->language || !top->copyright ||
        (top->has_image && !top->image_url))
        return oom(c);
    if (!list && !(list = gw_json_array()))
        return oom(c);
    ch->categories = NULL;
    kw = gw_feed_ext_value(gw_feed_ext_first(ext, "itunes", "keywords"));
    if (kw[0] && !gw_feed_split_keywords(kw, list))
        goto nomem;
    cats = gw_json_object_get(gw_json_object_get(ext, "itunes"), "category");
    for (size_t i = 0; cats && i < cats->n_items; i++) {
        const struct gw_json *cat = cats->items[i], *t, *sub;
        t = gw_json_object_get(gw_json_object_get(cat, "attrs"), "text");
        if (!gw_json_array_append(list, gw_json_string(t ? t->str : "", t ? t->len : 0)))
            goto nomem;
        sub = gw_json_object_get(gw_json_object_get(cat, "children"), "category");
        if (sub && sub->n_items) {
            t = gw_json_object_get(gw_json_object_get(sub->items[0], "attrs"), "text");
            if (!gw_json_array_append(list, gw_json_string(t ? t->str : "", t ? t->len : 0)))
                goto nomem;
        }
    }
    if (!gw_feed_ext_values(ext, "dc", "subject", list))
        goto nomem;
    if (list->n_items)
        top->categories = list;
    else
        gw_json_destroy(list);
    return GW_ENC_OK;
nomem:
    gw_json_destroy(list);
    return oom(c);
}

int gw_feed_rss(struct feed_walk *w, struct feed_top *top, struct feed_keep *keep)
{
    struct ctx c = {w, keep};
    const struct feed_node *root = w->d->root;
    struct rss_chan ch, root_image = {0};
    struct gw_json *root_items = gw_json_array();
    bool have_chan = false;
    int rc = root_items ? GW_ENC_OK : oom(&c);

    memset(&ch, 0, sizeof(ch));
    for (size_t i = 0; i < root->n_kids && !rc; i++) {
        const struct feed_node *k = root->kids[i];
        if (!gw_feed_enter(w, k)) {
            rc = w->err->code;
        } else if (gw_feed_is_extension(w, k)) {
            gw_feed_leave(w); /* extensions at the root are skipped */
        } else if (gw_feed_is(k, "channel")) {
            rc = parse_channel(&c, k, &ch);
            have_chan = true;
        } else if (gw_feed_is(k, "item")) {
            rc = parse_item(&c, k, root_items);
        } else if (gw_feed_is(k, "textinput")) {
            static const char *const ti[] = {"title", "description", "name", "link", NULL};
            rc = text_children(&c, k, ti, NULL);
        } else if (gw_feed_is(k, "image")) {
            rc = parse_image(&c, k, &root_image);
        } else {
            gw_feed_leave(w);
        }
    }
    if (!rc && !have_chan && !(ch.items = gw_json_array()))
        rc = oom(&c);
    /* items found at the root (RSS 1.0) follow the channel's; a root image wins */
    for (size_t i = 0; !rc && i < root_items->n_items; i++) {
        if (!gw_json_array_append(ch.items, root_items->items[i]))
            rc = oom(&c);
        root_items->items[i] = NULL;
    }
    /* moved items are NULL in root_items; the rest (after an error) go with it */
    if (!rc && root_image.has_image) {
        ch.has_image = true;
        ch.image_url = root_image.image_url;
        ch.image_title = root_image.image_title;
    }
    if (!rc)
        rc = translate(&c, &ch, top);
    if (!rc) {
        top->items = ch.items;
        ch.items = NULL;
    }
    gw_json_destroy(root_items);
    chan_free(&ch);
    return rc;
}
