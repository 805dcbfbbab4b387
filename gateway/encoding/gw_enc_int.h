/* gw_enc_int.h - internals shared by the encoding module's files (not for other modules). */
#ifndef GW_ENC_INT_H
#define GW_ENC_INT_H

#include "cmn_go_time.h"
#include "gw_encoding.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Test builds reach file-local helpers through this (STYLE.md: curl's UNITTEST). */
#ifdef GW_ENC_TESTING
#define GW_ENC_STATIC
#else
#define GW_ENC_STATIC static
#endif

#define GW_ENC_DEF_MAX_BYTES (32u * 1024 * 1024)
#define GW_ENC_DEF_MAX_DEPTH 128
#define GW_ENC_DEF_MAX_NODES 4000000u
#define GW_ENC_DEF_MAX_VALUE (8u * 1024 * 1024)
/* Nesting of trees handed to the renderers (the JSON decoder stops at 128). */
#define GW_ENC_RENDER_MAX_DEPTH 512

/* Copies lim (may be NULL) into *out with defaults for zero fields. */
void gw_enc_limits_resolve(const struct gw_enc_limits *lim, struct gw_enc_limits *out);

/* Appends the UTF-8 encoding of code point cp (U+FFFD for invalid ones: utf8.EncodeRune). */
bool gw_enc_put_utf8(struct cmn_buf *b, uint32_t cp);

/* Length of a Go unicode.IsSpace rune at s[0..n) / ending at s[n], 0 if there is none. */
size_t gw_enc_space_len(const unsigned char *s, size_t n);
size_t gw_enc_space_len_back(const unsigned char *s, size_t n);

/* ---- charsets (gw_enc_charset.c) ------------------------------------------------------------ */

enum gw_enc_charset {
    GW_CS_UTF8 = 0,
    GW_CS_WINDOWS_1252, /* WHATWG: also ascii, latin1, iso-8859-1 ... */
    GW_CS_ICONV,        /* converted by glibc's iconv under the name it gives */
    GW_CS_UNKNOWN,
};

/* Maps an XML declaration's encoding label as golang.org/x/net/html/charset does (WHATWG labels,
 * trimmed, case-insensitive). *iconv_name is set for GW_CS_ICONV. */
enum gw_enc_charset gw_enc_charset_lookup(const char *label, size_t n, const char **iconv_name);

/* Transcodes s[0..n) to UTF-8 into out (invalid input becomes U+FFFD, as x/text decoders do).
 * false when out's cap is reached or iconv is unavailable. */
bool gw_enc_transcode(enum gw_enc_charset cs, const char *iconv_name, const char *s, size_t n,
                      struct cmn_buf *out);

/* windows-1252's 0x80..0x9F (also html.UnescapeString's numeric-reference replacement). */
uint32_t gw_enc_cp1252_high(unsigned char c);

/* ---- the XML reader: Go-style prolog + libxml2 SAX2 (gw_enc_sax.c) --------------------------- */

struct gw_xml_attr {
    const char *local; /* local name; "xmlns" for a default namespace declaration */
    const char *space; /* namespace URI, an undeclared prefix, "xmlns" for declarations, or "" */
    const char *value;
    size_t value_len;
};

struct gw_xml_start {
    const char *local;
    const char *space; /* URI (default namespace included), undeclared prefix, or "" */
    const struct gw_xml_attr *attrs;
    size_t n_attrs;
    size_t inner_start; /* offset in the document (gw_xml_doc.text) after the start tag */
};

/* Receivers of the reader's events; a non-zero return (an enum gw_enc_status, err set) stops. */
struct gw_xml_sink {
    int (*start)(void *ud, const struct gw_xml_start *s, struct cmn_err *err);
    int (*end)(void *ud, size_t inner_end, struct cmn_err *err);
    /* One Go xml.CharData token: the text between two pieces of markup, or one CDATA section. */
    int (*text)(void *ud, const char *s, size_t n, bool cdata, struct cmn_err *err);
};

/* A document ready for libxml2: UTF-8 text from the root element's '<' on. */
struct gw_xml_doc {
    char *owned;      /* transcoded copy, or NULL when text points into the caller's body */
    const char *text; /* the root element and what follows */
    size_t len;
    unsigned line0; /* line of text[0] in the original body (for error messages) */
};

/* Reads the prolog the way Go's xml.Decoder does (text, comments, PIs, the declaration and its
 * charset, DOCTYPE: all skipped, never interpreted) and prepares the rest. GW_ENC_OK or an error
 * status with err set ("EOF" when there is no element). */
int gw_xml_doc_open(const char *body, size_t len, const struct gw_enc_limits *lim,
                    struct gw_xml_doc *doc, struct cmn_err *err);
void gw_xml_doc_close(struct gw_xml_doc *doc);

/* Parses the root element of doc with libxml2 (no DTD, no entity expansion, no network) and
 * reports its events to sink; stops at the root's end. lenient: RSS's non-strict Go decoder
 * (libxml2 recovery, HTML entities, unknown entities kept as text). */
int gw_xml_doc_parse(const struct gw_xml_doc *doc, bool lenient, const struct gw_enc_limits *lim,
                     const struct gw_xml_sink *sink, void *ud, struct cmn_err *err);

/* Code point of an HTML 4 named entity (Go's xml.HTMLEntity set), 0 when unknown. */
uint32_t gw_enc_html_entity(const char *name, size_t n);

/* ---- YAML scalars (gw_enc_yaml_scalar.c) ------------------------------------------------------
 */

/* goccy/go-yaml's token.IsNeedQuoted. */
bool gw_yaml_need_quote(const char *s, size_t n);

#endif
