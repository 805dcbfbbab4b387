/* cmn_rand.h - cryptographically strong random bytes (GnuTLS's generator). */
#ifndef CMN_RAND_H
#define CMN_RAND_H

#include <stdbool.h>
#include <stddef.h>

bool cmn_rand_bytes(void *out, size_t n);
/* Writes n random base64url characters plus a NUL into out (room for n+1). */
bool cmn_rand_b64url(char *out, size_t n);
/* A random RFC 9562 version-7 UUID string (time-ordered), 36 characters + NUL. */
bool cmn_rand_uuid7(char out[37]);

#endif
