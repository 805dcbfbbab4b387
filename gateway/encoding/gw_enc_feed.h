/* gw_enc_feed.h - internals of the rss decoder: the document tree, a walker that keeps goxpp's
 * namespace bookkeeping, and gofeed's shared helpers (text, entities, dates, names, extensions). */
#ifndef GW_ENC_FEED_H
#define GW_ENC_FEED_H

#include "gw_enc_int.h"

struct feed_attr {
    char *local;
    char *space; /* "xmlns" for a prefixed namespace declaration */
    char *value;
};

/* One element of the feed, as Go's decoder reports it. */
struct feed_node {
    char *name;  /* local name, as written */
    char *space; /* namespace URI, undeclared prefix or "" */
    struct feed_attr *attrs;
    size_t n_attrs;
    struct feed_node **kids;
    size_t n_kids, cap_kids;
    char *text; /* the element's own character data tokens, concatenated */
    size_t text_len, text_cap;
    size_t inner_start, inner_end; /* its raw inner XML in the document */
};

struct feed_doc {
    struct gw_xml_doc xml;
    struct feed_node *root;
    size_t body_off; /* offset of xml.text in the body (for goxpp's error offsets) */
};

/* Reads body into a tree (lenient: Go's non-strict decoder). GW_ENC_OK or an error, err set. */
int gw_feed_doc_load(const char *body, size_t len, const struct gw_enc_limits *lim,
                     struct feed_doc *d, struct cmn_err *err);
void gw_feed_doc_free(struct feed_doc *d);

/* goxpp's Spaces: namespace URI -> prefix as p.Spaces holds them while gofeed walks the tree.
 * gofeed reads text with DecodeElement, which leaves its element's declarations in scope for
 * what follows; the walker replays that. */
struct feed_spaces;

struct feed_walk {
    const struct feed_doc *d;
    const struct feed_spaces **stack;
    size_t depth, cap;
    struct feed_spaces *all; /* every declaration seen (owned list) */
    size_t n_decls;
    struct cmn_err *err;
};

void gw_feed_walk_init(struct feed_walk *w, const struct feed_doc *d, struct cmn_err *err);
void gw_feed_walk_free(struct feed_walk *w);
/* The walker reaches n's start tag (push), or its end tag (pop). false: out of memory/cap. */
bool gw_feed_enter(struct feed_walk *w, const struct feed_node *n);
void gw_feed_leave(struct feed_walk *w);
/* shared.IsExtension for n (entered). */
bool gw_feed_is_extension(const struct feed_walk *w, const struct feed_node *n);
/* The prefix Spaces maps uri to, or NULL. */
const char *gw_feed_space_prefix(const struct feed_walk *w, const char *uri);

/* p.Attribute(name): the first attribute with that local name, or "". */
const char *gw_feed_attr(const struct feed_node *n, const char *name);
/* ASCII case-insensitive name test (gofeed compares strings.ToLower(p.Name)). */
bool gw_feed_is(const struct feed_node *n, const char *lower_name);

/* shared.ParseText (RSS) on n: its raw inner XML, trimmed, CDATA stripped or entities decoded.
 * The walker is told n was read by DecodeElement. Owned string or NULL (err set). */
char *gw_feed_parse_text(struct feed_walk *w, const struct feed_node *n);
/* The raw inner XML of n (borrowed, not NUL-terminated). */
const char *gw_feed_inner(const struct feed_walk *w, const struct feed_node *n, size_t *len);

/* strings.TrimSpace, shared.DecodeEntities, shared.StripCDATA: appended to out. */
void gw_feed_trim_space(const char **s, size_t *n);
bool gw_feed_decode_entities(const char *s, size_t n, struct cmn_buf *out);
bool gw_feed_strip_cdata(const char *s, size_t n, struct cmn_buf *out);

/* shared.ParseNameAddress: owned *name and *address ("" when absent); false on OOM. */
bool gw_feed_name_address(const char *s, char **name, char **address);

/* shared.ParseDate: gofeed's layout lists with Go's time.Parse. */
bool gw_feed_parse_date(const char *s, struct cmn_go_time *t);

/* shared.ParseExtension: n parsed as an extension element into ext (a Go map prefix -> name ->
 * list of Extension structs). GW_ENC_OK or an error. */
int gw_feed_parse_extension(struct feed_walk *w, const struct feed_node *n, struct gw_json *ext);
/* The first extension named name under prefix in ext, or NULL; its "value" or "" (borrowed). */
const struct gw_json *gw_feed_ext_first(const struct gw_json *ext, const char *prefix,
                                        const char *name);
const char *gw_feed_ext_value(const struct gw_json *e);

/* gw_json helpers for the output. */
bool gw_feed_set_str(struct gw_json *obj, const char *key, const char *s);
/* A Go time as json.Marshal writes it (RFC 3339, nanoseconds trimmed). */
bool gw_feed_set_time(struct gw_json *obj, const char *key, const struct cmn_go_time *t, bool utc);

/* ---- gofeed's universal Feed, as KrakenD puts it in its map (gw_enc_feed_out.c) ------------ */

/* A gofeed.Item being assembled: strings borrowed, gw_json members owned (NULL = nil). */
struct feed_item {
    const char *title, *description, *content, *link;
    struct gw_json *links;
    const char *updated;
    const struct cmn_go_time *updated_t;
    const char *published;
    const struct cmn_go_time *published_t;
    bool published_utc, updated_utc;
    struct gw_json *author, *authors;
    const char *guid;
    struct gw_json *image, *categories, *enclosures, *dc, *itunes, *extensions, *custom;
};

/* The Item struct in gofeed's field order with omitempty; consumes it's gw_json members. */
struct gw_json *gw_feed_item(struct feed_item *it);
void gw_feed_item_clear(struct feed_item *it);
/* gofeed.Person / Image / Enclosure structs (empty fields omitted). */
struct gw_json *gw_feed_person(const char *name, const char *email);
struct gw_json *gw_feed_image(const char *url, const char *title);
struct gw_json *gw_feed_enclosure(const char *url, const char *length, const char *type);
/* ParseNameAddress(s) as a Person (never NULL unless out of memory). */
struct gw_json *gw_feed_person_from(const char *s);
/* ext.DublinCoreExtension / ITunesItemExtension of an item's extensions, or NULL. */
struct gw_json *gw_feed_dc(const struct gw_json *ext);
struct gw_json *gw_feed_itunes_item(const struct gw_json *ext);
/* Values of every extension prefix:name as strings appended to list (parseTextArrayExtension). */
bool gw_feed_ext_values(const struct gw_json *ext, const char *prefix, const char *name,
                        struct gw_json *list);
/* Appends strings.Split(s, ",") to list. */
bool gw_feed_split_keywords(const char *s, struct gw_json *list);

/* What krakend-rss copies out of the universal Feed. */
struct feed_top {
    const char *type, *title, *description, *copyright, *language, *published, *updated;
    struct gw_json *author;     /* Person or NULL */
    struct gw_json *categories; /* []string or NULL */
    bool has_image;
    const char *image_url;
    struct gw_json *items; /* never NULL: gofeed's translators start from []*Item{} */
};

/* gofeed's parsers: fill top from d (walker on d's root, entered). Strings in top stay valid
 * while *keep (owned by the caller, freed with gw_feed_keep_free) lives. */
struct feed_keep {
    char **s;
    size_t n, cap;
};
const char *gw_feed_keep(struct feed_keep *k, char *s);
void gw_feed_keep_free(struct feed_keep *k);
int gw_feed_rss(struct feed_walk *w, struct feed_top *top, struct feed_keep *keep);
int gw_feed_atom(struct feed_walk *w, struct feed_top *top, struct feed_keep *keep);

/* goxpp's error for an Expect that fails ("Expected ... at offset: N"). Returns GW_ENC_FEED. */
int gw_feed_expect_error(struct feed_walk *w, const char *want, const struct feed_node *got,
                         bool got_end);

#endif
