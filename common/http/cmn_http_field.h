/* cmn_http_field.h - the one rule for every header field the programs write or accept: names
 * are RFC 9110 tokens, values carry no control byte but HTAB (no CR, LF, NUL, DEL). The
 * gateway applies it to what it sends to backends (claims, client and config headers alike),
 * to what it answers clients, and to config values that become headers; its HTTP/1.1 parser
 * applies it to what it reads. */
#ifndef CMN_HTTP_FIELD_H
#define CMN_HTTP_FIELD_H

#include "cmn_str.h"

#include <stdbool.h>
#include <stddef.h>

/* RFC 9110 §5.1, §5.6.2: a field name is a non-empty token. */
static inline bool cmn_http_field_name_ok(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!cmn_str_is_tchar((unsigned char)s[i]))
            return false;
    }
    return true;
}

/* RFC 9110 §5.5: field-value = *field-content; VCHAR, obs-text, SP and HTAB only (Go's
 * httpguts.ValidHeaderFieldValue). Checked sixteen or eight bytes at a time: tokens make values
 * long and every request carries one. */
bool cmn_http_field_value_ok(const char *s, size_t n);

/* The same for NUL-terminated strings. */
static inline bool cmn_http_field_name_ok_str(const char *s)
{
    return cmn_http_field_name_ok(s, __builtin_strlen(s));
}
static inline bool cmn_http_field_value_ok_str(const char *s)
{
    return cmn_http_field_value_ok(s, __builtin_strlen(s));
}

#endif
