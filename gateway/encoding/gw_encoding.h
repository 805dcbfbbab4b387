/* gw_encoding.h - KrakenD CE's extra encodings over the gateway's Go-JSON tree: the backend
 * decoders `encoding: "xml"` (krakend-xml / clbanning/mxj) and `encoding: "rss"` (krakend-rss /
 * mmcdole/gofeed), the renderers `output_encoding: "xml"` and `"yaml"` (goccy/go-yaml as gin uses
 * it) and the `negotiate` renderer's Accept choice (gin's NegotiateFormat). Pure: bytes in, a
 * struct gw_json or bytes out; no IO. Spec: krakend-config-transform.md §5, docs/encodings.md. */
#ifndef GW_ENCODING_H
#define GW_ENCODING_H

#include "cmn_buf.h"
#include "cmn_err.h"
#include "gw_gojson.h"

#include <stdbool.h>
#include <stddef.h>

/* Status codes (cmn_err.code) of the decoders and renderers. */
enum gw_enc_status {
    GW_ENC_OK = 0,
    GW_ENC_EOF,      /* empty body / no element: KrakenD's "EOF" */
    GW_ENC_SYNTAX,   /* malformed XML ("xml.Decoder.Token() - XML syntax error on line N: ...") */
    GW_ENC_CHARSET,  /* the declared charset is unknown or unsupported */
    GW_ENC_LIMIT,    /* a cap of struct gw_enc_limits was reached */
    GW_ENC_NOT_FEED, /* rss: "Failed to detect feed type" */
    GW_ENC_FEED,     /* rss: the feed's structure was refused (gofeed's error text) */
    GW_ENC_UNSUPPORTED, /* rss: JSON Feed (see docs/encodings.md) */
    GW_ENC_RENDER,      /* xml rendering refused the data (KrakenD then sends an empty body) */
    GW_ENC_NOMEM,
};

/* Caps for decoding untrusted backend bodies; a zero field takes its default. */
struct gw_enc_limits {
    size_t max_bytes;     /* body size; 0 = 32 MiB */
    int max_depth;        /* element nesting; 0 = 128 */
    size_t max_nodes;     /* elements + attributes + text pieces; 0 = 4,000,000 (as JSON) */
    size_t max_value_len; /* one text or attribute value; 0 = 8 MiB */
};

/* Content-Type values KrakenD sends. The XML renderer's own (data present) has no charset;
 * gin's XML of a nil response (no data at all, not an error) has one. */
#define GW_ENC_XML_CT "application/xml"
#define GW_ENC_XML_NIL_CT "application/xml; charset=utf-8"
#define GW_ENC_YAML_CT "application/yaml; charset=utf-8"
#define GW_ENC_JSON_CT "application/json; charset=utf-8"

/* Initialises libxml2 once for a threaded process. Optional: the decoders call it themselves
 * (pthread_once); calling it from main before starting threads is cheaper. */
void gw_enc_global_init(void);

/* `encoding: "xml"`: body[0..len) decoded as krakend-xml does with mxj (attributes as "-name",
 * "#text", repeated elements as lists, strings only, first root element only). is_collection
 * wraps the result as {"collection": <result>}. Returns an owned object, or NULL with err set
 * (err->code an enum gw_enc_status, err->msg KrakenD's text where it is known). lim may be NULL. */
struct gw_json *gw_enc_xml_decode(const char *body, size_t len, bool is_collection,
                                  const struct gw_enc_limits *lim, struct cmn_err *err);

/* `encoding: "rss"`: RSS (0.9x, 1.0, 2.0) or Atom decoded as krakend-rss does with gofeed: the
 * object {items, author, categories, custom, copyright, description, type, language, title,
 * published, updated[, img_url]}. Items are Go structs (gw_json is_struct, gofeed's field order
 * and omitempty). Owned object or NULL with err set. lim may be NULL. */
struct gw_json *gw_enc_rss_decode(const char *body, size_t len, const struct gw_enc_limits *lim,
                                  struct cmn_err *err);

/* `output_encoding: "xml"`: data rendered as krakend-xml's mxj renderer does (root element
 * rules, sorted keys, "-attr" attributes, "#text", escaping) appended to out. data NULL is an
 * empty (nil) map: "<doc/>". GW_ENC_OK, GW_ENC_RENDER (an attribute value that is not a scalar:
 * KrakenD sends status 200, Content-Type GW_ENC_XML_CT and an empty body; out is left as it
 * was), GW_ENC_LIMIT (out's cap or nesting), GW_ENC_NOMEM. */
int gw_enc_xml_render(const struct gw_json *data, struct cmn_buf *out, struct cmn_err *err);

/* `output_encoding: "yaml"` (and negotiate's YAML): data rendered as gin's YAML renderer does
 * with goccy/go-yaml v1.19.2, appended to out (ends with "\n"). data NULL (nil map or nil
 * response) renders "{}\n". GW_ENC_OK, GW_ENC_LIMIT, GW_ENC_NOMEM. */
int gw_enc_yaml_render(const struct gw_json *data, struct cmn_buf *out, struct cmn_err *err);

/* negotiate: gin's NegotiateFormat over the offers json, text/plain, xml, x-yaml. */
enum gw_enc_format {
    GW_ENC_FMT_JSON = 0, /* lura's JSON renderer */
    GW_ENC_FMT_XML,      /* gw_enc_xml_render */
    GW_ENC_FMT_YAML,     /* gw_enc_yaml_render (text/plain and application/x-yaml) */
};

/* The renderer negotiate picks for the request's Accept header (accept[0..len); NULL or empty =
 * no header). gin reads Header.Get("Accept"): pass the FIRST Accept field line only. */
enum gw_enc_format gw_enc_negotiate(const char *accept, size_t len);

#endif
