/* gw_enc_prolog.c - what Go's xml.Decoder reads before the root element (text, comments, PIs,
 * the declaration and its charset, DOCTYPE), so that libxml2 is only ever given the root. */
#include "gw_enc_int.h"

#include "cmn_go_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
            l = cmn_go_utf8_decode((const unsigned char *)p->b + p->i, p->n - p->i, &cp);
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
