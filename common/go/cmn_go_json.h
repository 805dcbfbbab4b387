/* cmn_go_json.h - the bytes of a JSON string as Go's encoding/json writes them, Go's UTF-8
 * rules (unicode/utf8) and strconv.Quote: one escaper for the gateway's renderer and the mock
 * backend's writer alike, one UTF-8 reader for every module that counts or checks runes. */
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

/* utf8.EncodeRune: writes rune as 1 to 4 bytes into out and returns the length; a surrogate or
 * a value above U+10FFFF is written as U+FFFD, as Go does. */
size_t cmn_go_utf8_encode(uint32_t rune, char out[4]);

/* utf8.RuneCount: the runes of s[0, n), each byte that starts no valid sequence counting one. */
size_t cmn_go_utf8_count(const char *s, size_t n);

/* utf8.Valid: whether s[0, n) is valid UTF-8 throughout. */
bool cmn_go_utf8_valid(const char *s, size_t n);

/* unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. Refused:
 * controls, format characters, separators other than U+0020, surrogates, private use and
 * noncharacters. Unassigned code points, which Go also refuses, count as printable here (their
 * table would follow the Unicode version; nothing this project prints depends on them). */
bool cmn_go_is_print(uint32_t rune);

/* Appends s[0, n) as a quoted JSON string the way json.Marshal writes it: \" \\ \b \f \n \r
 * \t, other control bytes as \u00XX (lower-case hex), U+2028 and U+2029 escaped, each byte of
 * invalid UTF-8 as \ufffd; with html (json.Marshal's default) also < > & as \u003c \u003e
 * \u0026. False when the buffer refuses the bytes (its cap, or memory). */
bool cmn_go_json_string(struct cmn_buf *out, const char *s, size_t n, bool html);

/* strconv.Quote, as error messages print a value with %q: the string in double quotes, " and \
 * escaped, \a \b \f \n \r \t \v for those controls, \xNN for other bytes below 0x20, DEL and
 * invalid UTF-8, \uNNNN or \UNNNNNNNN for runes cmn_go_is_print refuses (U+00A0, U+200B,
 * U+2028...); other runes kept as they are. False when the buffer refuses. */
bool cmn_go_quote(struct cmn_buf *out, const char *s, size_t n);

#endif
