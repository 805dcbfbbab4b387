/* gw_enc_sax.c - the XML reader: Go xml.Decoder's prolog handling, then libxml2 SAX2 on the root
 * element alone (no DTD ever reaches libxml2: no entity expansion, no external loads). */
#include "gw_enc_int.h"

#include <libxml/HTMLparser.h>
#include <libxml/entities.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Distinct entity names handed to libxml2 in lenient mode. */
#define MAX_LENIENT_ENTITIES 512
/* Attributes (namespace declarations included) of one start tag. libxml2 2.9 checks a tag's
 * attributes for duplicates pairwise before any callback: this cap, enforced by a linear
 * pre-scan, keeps that cost bounded (256^2/2 comparisons per tag). */
#define MAX_ATTRS 256

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void init_libxml(void)
{
    xmlInitParser();
}

void gw_enc_global_init(void)
{
    pthread_once(&init_once, init_libxml);
}

void gw_enc_limits_resolve(const struct gw_enc_limits *lim, struct gw_enc_limits *out)
{
    static const struct gw_enc_limits none = {0, 0, 0, 0};

    if (!lim)
        lim = &none;
    out->max_bytes = lim->max_bytes ? lim->max_bytes : GW_ENC_DEF_MAX_BYTES;
    out->max_depth = lim->max_depth > 0 ? lim->max_depth : GW_ENC_DEF_MAX_DEPTH;
    out->max_nodes = lim->max_nodes ? lim->max_nodes : GW_ENC_DEF_MAX_NODES;
    out->max_value_len = lim->max_value_len ? lim->max_value_len : GW_ENC_DEF_MAX_VALUE;
}

/* ---- prolog: what Go's decoder reads before the first start element -------------------------- */

struct prolog {
    const char *b;
    size_t n, i;
    unsigned line;
    bool utf8; /* bytes are UTF-8 (no other charset declared yet) */
    struct cmn_err *err;
};

static int syntax(struct prolog *p, const char *msg)
{
    return cmn_err_set(p->err, GW_ENC_SYNTAX, "XML syntax error on line %u: %s", p->line, msg);
}

static bool in_char_range(uint32_t r)
{
    return r == 0x09 || r == 0x0A || r == 0x0D || (r >= 0x20 && r <= 0xD7FF) ||
           (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF);
}

/* Advances to the byte after the first occurrence of end (counting lines); false at EOF. */
static bool skip_past(struct prolog *p, const char *end)
{
    size_t el = strlen(end);

    while (p->i < p->n) {
        if (p->n - p->i >= el && memcmp(p->b + p->i, end, el) == 0) {
            p->i += el;
            return true;
        }
        if (p->b[p->i] == '\n')
            p->line++;
        p->i++;
    }
    return false;
}

/* An entity reference in prolog text: Go's five names or a numeric reference. */
static int prolog_entity(struct prolog *p)
{
    size_t s = p->i + 1, e = s;
    char msg[96];

    while (e < p->n && e - s < 32 && p->b[e] != ';' && p->b[e] != '<' && p->b[e] != '&' &&
           p->b[e] != ' ' && p->b[e] != '\n')
        e++;
    if (e < p->n && p->b[e] == ';') {
        const char *nm = p->b + s;
        size_t l = e - s;
        static const char *const five[] = {"lt", "gt", "amp", "apos", "quot"};
        for (size_t k = 0; k < 5; k++) {
            if (strlen(five[k]) == l && memcmp(five[k], nm, l) == 0) {
                p->i = e + 1;
                return GW_ENC_OK;
            }
        }
        if (l >= 2 && nm[0] == '#') {
            bool hex = nm[1] == 'x';
            size_t k = hex ? 2 : 1;
            uint32_t v = 0;
            bool any = false;
            for (; k < l; k++) {
                char c = nm[k];
                int d = c >= '0' && c <= '9'          ? c - '0'
                        : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
                        : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                      : -1;
                if (d < 0 || v > 0x10FFFF)
                    break;
                v = v * (hex ? 16u : 10u) + (uint32_t)d;
                any = true;
            }
            if (k == l && any && v <= 0x10FFFF) {
                if (!in_char_range(v) && !(v >= 0xD800 && v <= 0xDFFF)) {
                    snprintf(msg, sizeof(msg), "illegal character code U+%04X", (unsigned)v);
                    return syntax(p, msg);
                }
                p->i = e + 1;
                return GW_ENC_OK;
            }
        }
        snprintf(msg, sizeof(msg), "invalid character entity &%.*s;", (int)l, nm);
        return syntax(p, msg);
    }
    snprintf(msg, sizeof(msg), "invalid character entity &%.*s (no semicolon)", (int)(e - s),
             p->b + s);
    return syntax(p, msg);
}

/* Character data before the root: checked as Go checks any text, then ignored (mxj skips it). */
static int prolog_text(struct prolog *p)
{
    char msg[64];

    while (p->i < p->n && p->b[p->i] != '<') {
        unsigned char c = (unsigned char)p->b[p->i];
        uint32_t cp = c;
        size_t l = 1;

        if (c == '&') {
            int rc = prolog_entity(p);
            if (rc)
                return rc;
            continue;
        }
        if (c == ']' && p->n - p->i >= 3 && memcmp(p->b + p->i, "]]>", 3) == 0)
            return syntax(p, "unescaped ]]> not in CDATA section");
        if (p->utf8 && c >= 0x80) {
            l = gw_enc_utf8_next((const unsigned char *)p->b + p->i, p->n - p->i, &cp);
            if (l == 0)
                return syntax(p, "invalid UTF-8");
        }
        if (!in_char_range(cp) && !(cp >= 0x80 && !p->utf8)) {
            snprintf(msg, sizeof(msg), "illegal character code U+%04X", (unsigned)cp);
            return syntax(p, msg);
        }
        if (c == '\n')
            p->line++;
        p->i += l;
    }
    return GW_ENC_OK;
}

/* Go's procInst(param, s): the quoted value after `param=`, or "". */
static size_t decl_param(const char *s, size_t n, const char *param, const char **val)
{
    size_t pl = strlen(param);

    for (size_t i = 0; i + pl + 1 < n; i++) {
        if (memcmp(s + i, param, pl) != 0 || s[i + pl] != '=')
            continue;
        char q = s[i + pl + 1];
        if (q != '"' && q != '\'')
            continue;
        const char *v = s + i + pl + 2;
        const char *e = memchr(v, q, n - (size_t)(v - s));
        if (!e)
            return 0;
        *val = v;
        return (size_t)(e - v);
    }
    return 0;
}

/* <?target ...?>; the declaration's version and encoding are acted on as Go does. */
static int prolog_pi(struct prolog *p, const char **enc, size_t *enc_len)
{
    size_t start = p->i + 2, t = start;
    const char *v = NULL;
    size_t vl;

    while (t < p->n && p->b[t] != ' ' && p->b[t] != '\t' && p->b[t] != '\n' && p->b[t] != '\r' &&
           p->b[t] != '?')
        t++;
    if (t == start)
        return syntax(p, "expected target name after <?");
    p->i = t;
    if (!skip_past(p, "?>"))
        return syntax(p, "unexpected EOF");
    if (t - start != 3 || memcmp(p->b + start, "xml", 3) != 0)
        return GW_ENC_OK;
    const char *body = p->b + t;
    size_t bl = p->i - 2 - t;
    vl = decl_param(body, bl, "version", &v);
    if (vl && !(vl == 3 && memcmp(v, "1.0", 3) == 0))
        return cmn_err_set(p->err, GW_ENC_SYNTAX,
                           "xml: unsupported version \"%.*s\"; only version 1.0 is supported",
                           (int)vl, v);
    if (!*enc) {
        vl = decl_param(body, bl, "encoding", &v);
        if (vl) {
            *enc = v;
            *enc_len = vl;
        }
    }
    return GW_ENC_OK;
}

/* <!DOCTYPE ...> and other directives: skipped with Go's quote and nesting rules, never read. */
static int prolog_directive(struct prolog *p)
{
    int depth = 0;
    char quote = 0;

    p->i += 2;
    while (p->i < p->n) {
        char c = p->b[p->i];
        if (c == '\n')
            p->line++;
        if (quote) {
            if (c == quote)
                quote = 0;
        } else if (c == '\'' || c == '"') {
            quote = c;
        } else if (c == '>') {
            if (depth == 0) {
                p->i++;
                return GW_ENC_OK;
            }
            depth--;
        } else if (c == '<') {
            if (p->n - p->i >= 4 && memcmp(p->b + p->i, "<!--", 4) == 0) {
                p->i += 4;
                if (!skip_past(p, "-->"))
                    return syntax(p, "unexpected EOF");
                continue;
            }
            depth++;
        }
        p->i++;
    }
    return syntax(p, "unexpected EOF");
}

static int prolog_comment(struct prolog *p)
{
    p->i += 4;
    while (p->i + 1 < p->n) {
        if (p->b[p->i] == '-' && p->b[p->i + 1] == '-') {
            if (p->i + 2 < p->n && p->b[p->i + 2] == '>') {
                p->i += 3;
                return GW_ENC_OK;
            }
            return syntax(p, "invalid sequence \"--\" not allowed in comments");
        }
        if (p->b[p->i] == '\n')
            p->line++;
        p->i++;
    }
    return syntax(p, "unexpected EOF");
}

/* An end tag before any start tag: Go's "unexpected end element </name>". */
static int prolog_end_tag(struct prolog *p)
{
    size_t s = p->i + 2, e = s;
    char msg[160];

    while (e < p->n && e - s < 100 && p->b[e] != '>' && p->b[e] != ' ' && p->b[e] != '\t' &&
           p->b[e] != '\r' && p->b[e] != '\n')
        e++;
    snprintf(msg, sizeof(msg), "unexpected end element </%.*s>", (int)(e - s), p->b + s);
    return syntax(p, msg);
}

static bool name_start(unsigned char c)
{
    return !(c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '>' || c == '/' || c == '<' ||
             c == '=' || c == '"' || c == '\'' || c == '\0');
}

/* Finds the root element; *enc is the declaration's encoding label (not NUL-terminated). */
static int scan_prolog(struct prolog *p, const char **enc, size_t *enc_len)
{
    int rc;

    while (p->i < p->n) {
        const char *s = p->b + p->i;
        size_t left = p->n - p->i;

        if (s[0] != '<') {
            if ((rc = prolog_text(p)))
                return rc;
            continue;
        }
        if (left >= 2 && s[1] == '?')
            rc = prolog_pi(p, enc, enc_len);
        else if (left >= 4 && memcmp(s, "<!--", 4) == 0)
            rc = prolog_comment(p);
        else if (left >= 9 && memcmp(s, "<![CDATA[", 9) == 0)
            rc = (p->i += 9, skip_past(p, "]]>") ? GW_ENC_OK : syntax(p, "unexpected EOF"));
        else if (left >= 2 && s[1] == '!')
            rc = prolog_directive(p);
        else if (left >= 2 && s[1] == '/')
            rc = prolog_end_tag(p);
        else if (left >= 2 && name_start((unsigned char)s[1]))
            return GW_ENC_OK;
        else
            rc = syntax(p, left < 2 ? "unexpected EOF" : "expected element name after <");
        if (rc)
            return rc;
        if (*enc && p->utf8) {
            const char *in;
            p->utf8 = gw_enc_charset_lookup(*enc, *enc_len, &in) == GW_CS_UTF8;
        }
    }
    return cmn_err_set(p->err, GW_ENC_EOF, "EOF");
}

int gw_xml_doc_open(const char *body, size_t len, const struct gw_enc_limits *lim,
                    struct gw_xml_doc *doc, struct cmn_err *err)
{
    struct gw_enc_limits l;
    struct prolog p = {body, len, 0, 1, true, err};
    const char *enc = NULL, *iconv_name = NULL;
    size_t enc_len = 0;
    enum gw_enc_charset cs = GW_CS_UTF8;
    struct cmn_buf out;
    int rc;

    memset(doc, 0, sizeof(*doc));
    gw_enc_limits_resolve(lim, &l);
    if (len > l.max_bytes)
        return cmn_err_set(err, GW_ENC_LIMIT, "xml: body larger than %zu bytes", l.max_bytes);
    if ((rc = scan_prolog(&p, &enc, &enc_len)))
        return rc;
    if (enc && !((enc_len == 5 && strncasecmp(enc, "utf-8", 5) == 0))) {
        cs = gw_enc_charset_lookup(enc, enc_len, &iconv_name);
        if (cs == GW_CS_UNKNOWN)
            return cmn_err_set(err, GW_ENC_CHARSET,
                               "xml: opening charset \"%.*s\": unsupported charset: \"%.*s\"",
                               (int)enc_len, enc, (int)enc_len, enc);
    }
    doc->line0 = p.line;
    if (cs == GW_CS_UTF8) {
        doc->text = body + p.i;
        doc->len = len - p.i;
        return GW_ENC_OK;
    }
    cmn_buf_init(&out, l.max_bytes);
    if (!gw_enc_transcode(cs, iconv_name, body + p.i, len - p.i, &out)) {
        cmn_buf_free(&out);
        return cmn_err_set(err, GW_ENC_LIMIT, "xml: charset \"%.*s\": cannot decode the body",
                           (int)enc_len, enc);
    }
    doc->owned = cmn_buf_take(&out, &doc->len);
    if (!doc->owned)
        return cmn_err_set(err, GW_ENC_NOMEM, "out of memory");
    doc->text = doc->owned;
    return GW_ENC_OK;
}

void gw_xml_doc_close(struct gw_xml_doc *doc)
{
    if (!doc)
        return;
    free(doc->owned);
    memset(doc, 0, sizeof(*doc));
}

/* ---- libxml2 ----------------------------------------------------------------------------- */

struct run {
    xmlParserCtxtPtr ctxt;
    const struct gw_xml_doc *doc;
    const struct gw_xml_sink *sink;
    void *ud;
    struct cmn_err *err;
    struct gw_enc_limits lim;
    bool lenient;
    int status; /* first sink or limit error */
    bool done;  /* the root element ended */
    int depth;
    size_t nodes;
    struct cmn_buf text; /* pending character data: one Go CharData token */
    struct gw_xml_attr *attrs;
    size_t cap_attrs;
    xmlEntityPtr ents[MAX_LENIENT_ENTITIES];
    size_t n_ents;
    /* the first fatal libxml2 error */
    bool have_error;
    int xml_code, xml_line, xml_int1;
    bool xml_at_eof;
    char xml_msg[200], xml_str1[100], xml_str2[100];
};

static size_t cur_off(const struct run *r)
{
    const xmlParserInput *in = r->ctxt->input;
    size_t off = (size_t)in->consumed + (size_t)(in->cur - in->base);

    return off > r->doc->len ? r->doc->len : off;
}

static void stop(struct run *r, int status)
{
    if (!r->status)
        r->status = status;
    xmlStopParser(r->ctxt);
}

static bool count_nodes(struct run *r, size_t k)
{
    r->nodes += k;
    if (r->nodes <= r->lim.max_nodes)
        return true;
    cmn_err_set(r->err, GW_ENC_LIMIT, "xml: more than %zu nodes", r->lim.max_nodes);
    stop(r, GW_ENC_LIMIT);
    return false;
}

static void flush_text(struct run *r)
{
    int rc;

    if (r->status || r->text.len == 0)
        return;
    if (!count_nodes(r, 1))
        return;
    rc = r->sink->text(r->ud, r->text.data, r->text.len, false, r->err);
    cmn_buf_reset(&r->text);
    if (rc)
        stop(r, rc);
}

static bool active(const struct run *r)
{
    return !r->status && !r->done && r->depth > 0;
}

static void on_characters(void *ctx, const xmlChar *ch, int len)
{
    struct run *r = ctx;

    if (!active(r) || len <= 0)
        return;
    if (cmn_buf_append(&r->text, ch, (size_t)len) != CMN_BUF_OK) {
        cmn_err_set(r->err, GW_ENC_LIMIT, "xml: text longer than %zu bytes", r->lim.max_value_len);
        stop(r, GW_ENC_LIMIT);
    }
}

static void on_cdata(void *ctx, const xmlChar *ch, int len)
{
    struct run *r = ctx;
    int rc;

    if (!active(r))
        return;
    flush_text(r);
    if (r->status || !count_nodes(r, 1))
        return;
    if ((size_t)len > r->lim.max_value_len) {
        cmn_err_set(r->err, GW_ENC_LIMIT, "xml: text longer than %zu bytes", r->lim.max_value_len);
        stop(r, GW_ENC_LIMIT);
        return;
    }
    rc = r->sink->text(r->ud, (const char *)ch, len > 0 ? (size_t)len : 0, true, r->err);
    if (rc)
        stop(r, rc);
}

/* Comments and processing instructions end a CharData token in Go. */
static void on_comment(void *ctx, const xmlChar *value)
{
    (void)value;
    flush_text(ctx);
}

static void on_pi(void *ctx, const xmlChar *target, const xmlChar *data)
{
    (void)target;
    (void)data;
    flush_text(ctx);
}

static const char *space_of(const xmlChar *uri, const xmlChar *prefix)
{
    if (uri)
        return (const char *)uri;
    return prefix ? (const char *)prefix : "";
}

static bool grow_attrs(struct run *r, size_t n)
{
    struct gw_xml_attr *a;

    if (n <= r->cap_attrs)
        return true;
    a = realloc(r->attrs, n * sizeof(*a));
    if (!a)
        return false;
    r->attrs = a;
    r->cap_attrs = n;
    return true;
}

static void on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
                     int nb_ns, const xmlChar **ns, int nb_attrs, int nb_defaulted,
                     const xmlChar **attrs)
{
    struct run *r = ctx;
    struct gw_xml_start s;
    size_t n = 0, off;
    int rc;

    (void)nb_defaulted;
    if (r->status || r->done)
        return;
    flush_text(r);
    if (r->status)
        return;
    if (++r->depth > r->lim.max_depth) {
        cmn_err_set(r->err, GW_ENC_LIMIT, "xml: nesting deeper than %d", r->lim.max_depth);
        stop(r, GW_ENC_LIMIT);
        return;
    }
    if (!count_nodes(r, 1 + (size_t)nb_ns + (size_t)nb_attrs))
        return;
    if ((size_t)nb_ns + (size_t)nb_attrs > MAX_ATTRS) {
        cmn_err_set(r->err, GW_ENC_LIMIT, "xml: more than %d attributes", MAX_ATTRS);
        stop(r, GW_ENC_LIMIT);
        return;
    }
    if (!grow_attrs(r, (size_t)nb_ns + (size_t)nb_attrs + 1)) {
        cmn_err_set(r->err, GW_ENC_NOMEM, "out of memory");
        stop(r, GW_ENC_NOMEM);
        return;
    }
    /* Go lists xmlns declarations among the attributes: xmlns:p -> {xmlns, p}, xmlns -> xmlns */
    for (int i = 0; i < nb_ns; i++, n++) {
        const xmlChar *p = ns[2 * i], *u = ns[2 * i + 1];
        r->attrs[n].local = p ? (const char *)p : "xmlns";
        r->attrs[n].space = p ? "xmlns" : "";
        r->attrs[n].value = u ? (const char *)u : "";
        r->attrs[n].value_len = u ? strlen((const char *)u) : 0;
    }
    for (int i = 0; i < nb_attrs; i++, n++) {
        const xmlChar **a = attrs + 5 * i;
        size_t vl = (size_t)(a[4] - a[3]);
        if (vl > r->lim.max_value_len) {
            cmn_err_set(r->err, GW_ENC_LIMIT, "xml: attribute longer than %zu bytes",
                        r->lim.max_value_len);
            stop(r, GW_ENC_LIMIT);
            return;
        }
        r->attrs[n].local = (const char *)a[0];
        r->attrs[n].space = a[1] || a[2] ? space_of(a[2], a[1]) : "";
        r->attrs[n].value = (const char *)a[3];
        r->attrs[n].value_len = vl;
    }
    off = cur_off(r);
    s.local = (const char *)localname;
    s.space = space_of(uri, prefix);
    s.attrs = r->attrs;
    s.n_attrs = n;
    /* libxml2 calls us with the input on the tag's '>' or "/>" */
    s.inner_start = off < r->doc->len && r->doc->text[off] == '>' ? off + 1 : off;
    rc = r->sink->start(r->ud, &s, r->err);
    if (rc)
        stop(r, rc);
}

/* Offset of the "</" that closed the element, found back from the input position. */
static size_t inner_end_of(const struct run *r)
{
    size_t off = cur_off(r), p = off;
    const char *t = r->doc->text;

    while (p > 0 && off - p < 4096) {
        p--;
        if (t[p] == '<')
            return p + 1 < off && t[p + 1] == '/' ? p : off;
        if (t[p] == '/' && p + 1 < off && t[p + 1] == '>')
            return p; /* <a/>: nothing inside */
    }
    return off;
}

static void on_end(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
    struct run *r = ctx;
    int rc;

    (void)localname;
    (void)prefix;
    (void)uri;
    if (r->status || r->done || r->depth == 0)
        return;
    flush_text(r);
    if (r->status)
        return;
    rc = r->sink->end(r->ud, inner_end_of(r), r->err);
    if (rc) {
        stop(r, rc);
        return;
    }
    if (--r->depth == 0) {
        r->done = true; /* mxj reads the first root element only: the rest is never parsed */
        xmlStopParser(r->ctxt);
    }
}

/* Lenient mode (RSS): Go's non-strict decoder knows HTML's entities and keeps unknown ones. */
static xmlEntityPtr on_get_entity(void *ctx, const xmlChar *name)
{
    struct run *r = ctx;
    struct cmn_buf c;
    xmlEntityPtr e;
    size_t nl;
    uint32_t cp;

    if (!r->lenient || !name)
        return NULL;
    for (size_t i = 0; i < r->n_ents; i++) {
        if (xmlStrEqual(r->ents[i]->name, name))
            return r->ents[i];
    }
    if (r->n_ents == MAX_LENIENT_ENTITIES)
        return NULL;
    nl = strlen((const char *)name);
    cmn_buf_init(&c, nl + 8);
    cp = gw_enc_html_entity((const char *)name, nl);
    if (cp ? !gw_enc_put_utf8(&c, cp)
           : (cmn_buf_append(&c, "&", 1) || cmn_buf_append(&c, name, nl) ||
              cmn_buf_append(&c, ";", 1))) {
        cmn_buf_free(&c);
        return NULL;
    }
    e = calloc(1, sizeof(*e));
    if (!e) {
        cmn_buf_free(&c);
        return NULL;
    }
    e->type = XML_ENTITY_DECL;
    e->etype = XML_INTERNAL_PREDEFINED_ENTITY;
    e->name = xmlStrdup(name);
    e->content = xmlStrndup((const xmlChar *)cmn_buf_str(&c), (int)c.len);
    e->orig = NULL;
    e->length = (int)c.len;
    cmn_buf_free(&c);
    if (!e->name || !e->content) {
        xmlFree((xmlChar *)(uintptr_t)e->name);
        xmlFree(e->content);
        free(e);
        return NULL;
    }
    r->ents[r->n_ents++] = e;
    return e;
}

static void copy_str(char *dst, size_t n, const char *s)
{
    snprintf(dst, n, "%s", s ? s : "");
}

static bool bad_characters(const xmlError *e)
{
    return e->code == XML_ERR_INVALID_CHAR || e->code == XML_ERR_INVALID_ENCODING ||
           (e->message && strncmp(e->message, "Input is not proper UTF-8", 25) == 0);
}

static void on_error(void *ctx, xmlErrorPtr e)
{
    struct run *r = ctx;
    size_t l;

    if (r->have_error || r->done || !e || e->level != XML_ERR_FATAL)
        return;
    /* Go's non-strict decoder recovers from markup errors but not from bad characters */
    if (r->lenient && !bad_characters(e))
        return;
    r->have_error = true;
    r->xml_code = e->code;
    r->xml_line = e->line;
    r->xml_int1 = e->int1;
    r->xml_at_eof = r->ctxt->input && r->ctxt->input->cur >= r->ctxt->input->end;
    copy_str(r->xml_msg, sizeof(r->xml_msg), e->message);
    l = strlen(r->xml_msg);
    while (l && (r->xml_msg[l - 1] == '\n' || r->xml_msg[l - 1] == ' '))
        r->xml_msg[--l] = '\0';
    copy_str(r->xml_str1, sizeof(r->xml_str1), e->str1);
    copy_str(r->xml_str2, sizeof(r->xml_str2), e->str2);
    if (r->lenient)
        xmlStopParser(r->ctxt);
}

static const char *local_part(const char *qname)
{
    const char *c = strrchr(qname, ':');

    return c ? c + 1 : qname;
}

/* The Go xml.SyntaxError text for the first fatal libxml2 error. */
static int syntax_error(struct run *r)
{
    unsigned line = (unsigned)(r->xml_line > 0 ? r->xml_line : 1) + r->doc->line0 - 1;
    char msg[320];

    if (r->have_error && r->xml_code == XML_ERR_TAG_NAME_MISMATCH)
        snprintf(msg, sizeof(msg), "element <%s> closed by </%s>", local_part(r->xml_str1),
                 local_part(r->xml_str2));
    else if (r->have_error && r->xml_code == XML_ERR_UNDECLARED_ENTITY)
        snprintf(msg, sizeof(msg), "invalid character entity &%s;", r->xml_str1);
    else if (!r->have_error || r->xml_at_eof || r->xml_code == XML_ERR_TAG_NOT_FINISHED ||
             r->xml_code == XML_ERR_DOCUMENT_END)
        snprintf(msg, sizeof(msg), "unexpected EOF");
    else if (r->xml_code == XML_ERR_INVALID_ENCODING ||
             strncmp(r->xml_msg, "Input is not proper UTF-8", 25) == 0)
        snprintf(msg, sizeof(msg), "invalid UTF-8");
    else if (r->xml_code == XML_ERR_INVALID_CHAR && r->xml_int1 > 0)
        snprintf(msg, sizeof(msg), "illegal character code U+%04X", (unsigned)r->xml_int1);
    else
        snprintf(msg, sizeof(msg), "%s", r->xml_msg);
    return cmn_err_set(r->err, GW_ENC_SYNTAX, "XML syntax error on line %u: %s", line, msg);
}

/* Pointer past the first `end` at or after p, or NULL. */
static const char *past(const char *p, const char *e, const char *end)
{
    size_t el = strlen(end);

    while (p && e - p >= (long)el) {
        p = memchr(p, end[0], (size_t)(e - p));
        if (!p || e - p < (long)el)
            return NULL;
        if (memcmp(p, end, el) == 0)
            return p + el;
        p++;
    }
    return NULL;
}

/* Counts the attributes ('=' outside quotes) of every start tag; false past MAX_ATTRS. Markup
 * that does not end stops the scan: libxml2 reports it. */
static bool attrs_bounded(const char *t, size_t n)
{
    const char *p = t, *e = t + n;

    while (p && (p = memchr(p, '<', (size_t)(e - p))) != NULL) {
        size_t left = (size_t)(e - p);
        if (left >= 4 && memcmp(p, "<!--", 4) == 0) {
            p = past(p + 4, e, "-->");
        } else if (left >= 9 && memcmp(p, "<![CDATA[", 9) == 0) {
            p = past(p + 9, e, "]]>");
        } else if (left >= 2 && p[1] == '?') {
            p = past(p + 2, e, "?>");
        } else if (left >= 2 && (p[1] == '/' || p[1] == '!')) {
            p = past(p + 2, e, ">");
        } else {
            size_t count = 0;
            char quote = 0;
            for (p++; p < e; p++) {
                if (quote) {
                    if (*p == quote)
                        quote = 0;
                } else if (*p == '"' || *p == '\'') {
                    quote = *p;
                } else if (*p == '=') {
                    if (++count > MAX_ATTRS)
                        return false;
                } else if (*p == '>' || *p == '<') {
                    break;
                }
            }
        }
    }
    return true;
}

int gw_xml_doc_parse(const struct gw_xml_doc *doc, bool lenient, const struct gw_enc_limits *lim,
                     const struct gw_xml_sink *sink, void *ud, struct cmn_err *err)
{
    xmlSAXHandler sax;
    struct run r;
    int rc;

    gw_enc_global_init();
    memset(&r, 0, sizeof(r));
    r.doc = doc;
    r.sink = sink;
    r.ud = ud;
    r.err = err;
    r.lenient = lenient;
    gw_enc_limits_resolve(lim, &r.lim);
    if (doc->len > (size_t)INT32_MAX)
        return cmn_err_set(err, GW_ENC_LIMIT, "xml: body too large");
    if (!attrs_bounded(doc->text, doc->len))
        return cmn_err_set(err, GW_ENC_LIMIT, "xml: a start tag has more than %d attributes",
                           MAX_ATTRS);
    cmn_buf_init(&r.text, r.lim.max_value_len);

    memset(&sax, 0, sizeof(sax));
    sax.initialized = XML_SAX2_MAGIC;
    sax.startElementNs = on_start;
    sax.endElementNs = on_end;
    sax.characters = on_characters;
    sax.ignorableWhitespace = on_characters;
    sax.cdataBlock = on_cdata;
    sax.comment = on_comment;
    sax.processingInstruction = on_pi;
    sax.getEntity = on_get_entity;
    sax.serror = on_error;

    r.ctxt = xmlCreateMemoryParserCtxt(doc->text, (int)doc->len);
    if (!r.ctxt) {
        cmn_buf_free(&r.text);
        return cmn_err_set(err, GW_ENC_NOMEM, "out of memory");
    }
    /* Options first: xmlCtxtUseOptions edits the handler table it is given. No NOENT, no
     * DTDLOAD/DTDATTR/XINCLUDE, no HUGE (libxml2 keeps its own name and text caps). */
    xmlCtxtUseOptions(r.ctxt,
                      XML_PARSE_NONET | XML_PARSE_NOWARNING | (lenient ? XML_PARSE_RECOVER : 0));
    memcpy(r.ctxt->sax, &sax, sizeof(sax));
    r.ctxt->userData = &r;
    /* Substitution only concerns the five predefined entities, character references and, in
     * lenient mode, ours: no DTD ever reaches libxml2. Without it SAX2 hands "&#38;" for "&". */
    r.ctxt->replaceEntities = 1;
    r.ctxt->loadsubset = 0;
    r.ctxt->validate = 0;
    xmlSwitchEncoding(r.ctxt, XML_CHAR_ENCODING_UTF8);
    xmlParseDocument(r.ctxt);

    if (r.status)
        rc = r.status; /* err already set by the sink or the cap */
    else if (r.lenient && r.have_error)
        rc = syntax_error(&r);
    else if (r.done)
        rc = GW_ENC_OK;
    else
        rc = syntax_error(&r);
    xmlFreeParserCtxt(r.ctxt);
    for (size_t i = 0; i < r.n_ents; i++) {
        xmlFree((xmlChar *)(uintptr_t)r.ents[i]->name);
        xmlFree(r.ents[i]->content);
        free(r.ents[i]);
    }
    free(r.attrs);
    cmn_buf_free(&r.text);
    return rc;
}

uint32_t gw_enc_html_entity(const char *name, size_t n)
{
    char buf[40];
    const htmlEntityDesc *d;

    if (n == 0 || n >= sizeof(buf))
        return 0;
    memcpy(buf, name, n);
    buf[n] = '\0';
    d = htmlEntityLookup((const xmlChar *)buf);
    return d ? d->value : 0;
}
