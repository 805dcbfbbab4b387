/* cmn_b64.h - base64 and base64url (RFC 4648) with strict decoding. */
#ifndef CMN_B64_H
#define CMN_B64_H

#include <stdbool.h>
#include <stddef.h>

/* Length of the encoding of n bytes: unpadded base64url, or padded standard base64. */
size_t cmn_b64url_encoded_len(size_t n);
size_t cmn_b64_encoded_len(size_t n);

/* Encodes n bytes into out (room for the encoded length + 1); returns the length written,
 * NUL-terminated. base64url is unpadded (RFC 7515 §2); base64 is padded. */
size_t cmn_b64url_encode(const void *in, size_t n, char *out);
size_t cmn_b64_encode(const void *in, size_t n, char *out);

/* Strict base64url decoding as JWS requires (RFC 7515 §2, RFC 4648 §5): alphabet A-Z a-z 0-9 - _
 * only, no padding, no whitespace, length mod 4 != 1, and the unused low bits of the last
 * character must be zero (one string, one value). out needs room for n*3/4 bytes.
 * Returns true and sets *out_len on success. */
bool cmn_b64url_decode(const char *in, size_t n, unsigned char *out, size_t *out_len);

/* Standard base64 with '=' padding required to a multiple of 4 (HTTP Basic, PEM bodies,
 * x5c); strict in the same way. */
bool cmn_b64_decode(const char *in, size_t n, unsigned char *out, size_t *out_len);

/* Upper bound of the decoded size of n characters. */
size_t cmn_b64_decoded_max(size_t n);

#endif
