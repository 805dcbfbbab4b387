/* cmn_go_header.h - Go's textproto.CanonicalMIMEHeaderKey, the one spelling of header names the
 * gateway keys, compares and sends ("x-user-id" -> "X-User-Id"). */
#ifndef CMN_GO_HEADER_H
#define CMN_GO_HEADER_H

#include <stddef.h>

/* Writes the canonical form of name into out (NUL-terminated, cut at out_size - 1 bytes): the
 * first letter and each letter after '-' upper case, the others lower case. A name with a byte
 * that is no token character is copied unchanged, as Go does. */
void cmn_go_canonical_header(const char *name, char *out, size_t out_size);

#endif
