/* cmn_go_json.h - the bytes of a JSON string as Go's encoding/json writes them, and Go's UTF-8
 * decoding: one escaper for the gateway's renderer and the mock backend's writer alike. */
#ifndef CMN_GO_JSON_H
#define CMN_GO_JSON_H

#include "cmn_buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Go's utf8.DecodeRune for s[0, n) (n >= 1): the length of the valid sequence there (1 to 4)
 * and its code point in *rune, or 0 when the bytes are not one (overlong forms, surrogates,
 * code points above U+10FFFF, cut sequences). */
size_t cmn_go_utf8_decode(const unsigned char *s, size_t n, uint32_t *rune);

/* Appends s[0, n) as a quoted JSON string the way json.Marshal writes it: \" \\ \b \f \n \r
 * \t, other control bytes as \u00XX (lower-case hex), U+2028 and U+2029 escaped, each byte of
 * invalid UTF-8 as \ufffd; with html (json.Marshal's default) also < > & as \u003c \u003e
 * \u0026. False when the buffer refuses the bytes (its cap, or memory). */
bool cmn_go_json_string(struct cmn_buf *out, const char *s, size_t n, bool html);

/* strconv.Quote, as error messages print a value with %q: the string in double quotes, " and \
 * escaped, \a \b \f \n \r \t \v for those controls, \xNN for other bytes below 0x20, DEL and
 * invalid UTF-8; valid multibyte sequences kept as they are. False when the buffer refuses. */
bool cmn_go_quote(struct cmn_buf *out, const char *s, size_t n);

#endif
