/* cmn_go_strings.h - Go's strings package where the gateway must cut text as KrakenD does:
 * strings.TrimSpace (a rate-limit client key taken from a header, the Vary names of a cached
 * response). */
#ifndef CMN_GO_STRINGS_H
#define CMN_GO_STRINGS_H

#include <stddef.h>

/* strings.TrimSpace over [*s, *s + *n): moves *s and shortens *n past leading and trailing
 * white space as unicode.IsSpace defines it: ASCII \t \n \v \f \r and space, U+0085, U+00A0,
 * U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F and U+3000. Invalid UTF-8 is no space. */
void cmn_go_trim_space(const char **s, size_t *n);

#endif
