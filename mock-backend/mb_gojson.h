/* mb_gojson.h - a JSON writer that produces the bytes Go's encoding/json would (CE's backend). */
#ifndef MB_GOJSON_H
#define MB_GOJSON_H

#include "cmn_buf.h"

#include <stdbool.h>
#include <stddef.h>

/* Appends into a capped buffer. Errors are sticky: once an append fails, `failed` stays set
 * and later calls do nothing, so callers check once at the end. */
struct mb_jw {
    struct cmn_buf *buf; /* borrowed */
    bool escape_html;    /* Go's json.Encoder default: <, > and & become \u003c... */
    bool failed;
};

void mb_jw_init(struct mb_jw *w, struct cmn_buf *buf, bool escape_html);
/* Raw bytes, unchanged (punctuation, numbers). */
void mb_jw_raw(struct mb_jw *w, const char *s);
/* A JSON string from n bytes, escaped as Go does: \" \\ \b \f \n \r \t, other control bytes
 * as \u00XX (lower-case hex), U+2028/U+2029 escaped, each invalid UTF-8 byte as \ufffd. */
void mb_jw_str(struct mb_jw *w, const char *s, size_t n);
void mb_jw_cstr(struct mb_jw *w, const char *s);
void mb_jw_int(struct mb_jw *w, long long v);

/* True if all n bytes are valid UTF-8. */
bool mb_utf8_valid(const char *s, size_t n);

#endif
