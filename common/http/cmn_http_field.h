/* cmn_http_field.h - the one rule for every header field the programs write or accept: names
 * are RFC 9110 tokens, values carry no control byte but HTAB (no CR, LF, NUL, DEL). The
 * gateway applies it to what it sends to backends (claims, client and config headers alike),
 * to what it answers clients, and to config values that become headers; its HTTP/1.1 parser
 * applies it to what it reads. */
#ifndef CMN_HTTP_FIELD_H
#define CMN_HTTP_FIELD_H

#include <stdbool.h>
#include <stddef.h>

/* 1 for the RFC 9110 tchar bytes: ALPHA / DIGIT / "!#$%&'*+-.^_`|~". */
extern const unsigned char cmn_http_tchar[256];

/* RFC 9110 §5.1, §5.6.2: a field name is a non-empty token. Inline, without a branch per byte:
 * every field of every request and answer goes through it. */
static inline bool cmn_http_field_name_ok(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    unsigned all = n > 0;

    for (size_t i = 0; i < n; i++)
        all &= cmn_http_tchar[p[i]];
    return all;
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
