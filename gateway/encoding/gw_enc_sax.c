/* gw_enc_sax.c - the XML reader's libxml2 side: SAX2 on the root element alone, as Go tokens
 * (no DTD ever reaches libxml2: no entity expansion, no external loads; see gw_enc_prolog.c). */
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
    else if (r->xml_code == XML_ERR_INVALID_CHAR &&
             (r->xml_int1 > 0 || strncmp(r->xml_msg, "xmlParseCharRef", 15) == 0))
        snprintf(msg, sizeof(msg), "illegal character code U+%04X", (unsigned)r->xml_int1);
    else if (r->xml_code == XML_ERR_ATTRIBUTE_WITHOUT_VALUE)
        snprintf(msg, sizeof(msg), "attribute name without = in element");
    else if (r->xml_code == XML_ERR_ATTRIBUTE_NOT_STARTED)
        snprintf(msg, sizeof(msg), "unquoted or missing attribute value in element");
    else if (r->xml_code == XML_ERR_MISPLACED_CDATA_END)
        snprintf(msg, sizeof(msg), "unescaped ]]> not in CDATA section");
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
