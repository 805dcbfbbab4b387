/* cmn_go_fmt.h - Go's fmt.Sprintf for a format and one string argument: what unrolled/secure
 * does to a Content-Security-Policy holding a nonce (security/http), verbs and errors as Go
 * prints them. */
#ifndef CMN_GO_FMT_H
#define CMN_GO_FMT_H

#include "cmn_buf.h"

#include <stdbool.h>

/* fmt.Sprintf(format, arg), appended to out. Covered: %% and the verbs s v q x X (flags
 * "+-# 0", width, precision, the index [1]), Go's %!v(MISSING), %!v(BADINDEX), %!(NOVERB),
 * %!(EXTRA string=...) and %!c(string=...) for any other verb. arg is ASCII (a nonce): %q and
 * %.Ns need no UTF-8 rules. False when the buffer refuses. */
bool cmn_go_sprintf_str(const char *format, const char *arg, struct cmn_buf *out);

#endif
