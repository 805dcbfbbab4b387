/* gw_gojson.h - JSON values as Go's encoding/json sees them: numbers keep their text, objects are
 * Go maps (rendered with keys sorted by bytes) or structs (rendered in field order), and the
 * renderer escapes exactly as json.Marshal does (HTML-safe, U+2028/2029, invalid UTF-8). */
#ifndef GW_GOJSON_H
#define GW_GOJSON_H

#include "cmn_buf.h"
#include "cmn_err.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum gw_json_type {
    GW_JSON_NULL = 0,
    GW_JSON_BOOL,
    GW_JSON_NUMBER, /* str holds the lexeme exactly as received ("1.10", "1e3") */
    GW_JSON_STRING, /* str/len hold UTF-8 bytes (may contain NUL) */
    GW_JSON_ARRAY,
    GW_JSON_OBJECT,
};

struct gw_json;

struct gw_json_member {
    char *key; /* NUL-terminated; keys with NUL bytes are cut there */
    struct gw_json *val;
};

struct gw_json {
    enum gw_json_type type;
    bool boolean;
    bool is_struct; /* object rendered in insertion order (Go struct), not sorted */
    char *str;
    size_t len;
    struct gw_json **items; /* array */
    size_t n_items, cap_items;
    struct gw_json_member *members; /* object: sorted by key unless is_struct */
    size_t n_members, cap_members;
};

/* Limits for parsing untrusted bodies. */
struct gw_json_limits {
    int max_depth;    /* nesting; 0 = 64 */
    size_t max_nodes; /* values in the document; 0 = 1,000,000 */
};

/* Constructors: owned values (NULL on allocation failure). */
struct gw_json *gw_json_null(void);
struct gw_json *gw_json_bool(bool b);
struct gw_json *gw_json_number(const char *lexeme);
struct gw_json *gw_json_string(const char *s, size_t len);
struct gw_json *gw_json_array(void);
struct gw_json *gw_json_object(void);
/* An object that renders its members in insertion order (Go struct). */
struct gw_json *gw_json_struct(void);
void gw_json_destroy(struct gw_json *v);
/* Deep copy (owned) or NULL. */
struct gw_json *gw_json_copy(const struct gw_json *v);

/* Appends to an array, taking ownership of item (destroyed on failure). */
bool gw_json_array_append(struct gw_json *arr, struct gw_json *item);
/* Sets a member, replacing (and destroying) an existing value; takes ownership of val. */
bool gw_json_object_set(struct gw_json *obj, const char *key, struct gw_json *val);
/* Borrowed member value or NULL. */
struct gw_json *gw_json_object_get(const struct gw_json *obj, const char *key);
/* Removes and returns the member value (owned by the caller) or NULL. */
struct gw_json *gw_json_object_take(struct gw_json *obj, const char *key);
/* Removes and destroys a member; false if absent. */
bool gw_json_object_del(struct gw_json *obj, const char *key);

/* Parses the first JSON value of data[0..n) as Go's json.Decoder does (trailing bytes are
 * ignored; duplicate keys: last wins; invalid UTF-8 in strings becomes U+FFFD). Returns an
 * owned value or NULL with err->msg set (e.g. "unexpected end of JSON input"). */
struct gw_json *gw_json_parse(const char *data, size_t n, const struct gw_json_limits *lim,
                              struct cmn_err *err);

/* Convenience: owned NUL-terminated rendering (NULL on failure); *len set if len. */
char *gw_json_render_str(const struct gw_json *v, size_t *len);

/* Converts a jansson value from the configuration: numbers become Go float64s printed as
 * encoding/json prints them (42, 1.5, 1e+21). Owned or NULL. */
struct gw_json *gw_json_from_jansson(const json_t *v);

/* Go's strconv/json formatting of a float64 into out (at least 32 bytes). */
void gw_json_format_float(double f, char *out, size_t out_size);

/* Text of a value as KrakenD puts it into a URL parameter ({resp0_x}): strings as is, numbers
 * verbatim, bools, arrays joined with ',' (%v), objects as Go's map[k:v ...]. Appends to out. */
bool gw_json_param_text(const struct gw_json *v, struct cmn_buf *out);

#endif
