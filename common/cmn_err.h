/* cmn_err.h - a caller-provided error record: a code from the caller's domain and a message; and
 * where a parser reports the warnings that do not stop it. */
#ifndef CMN_ERR_H
#define CMN_ERR_H

#include <stddef.h>

#define CMN_ERR_MSG_MAX 512

struct cmn_err {
    int code;                   /* the domain's status enum value; 0 = OK */
    char msg[CMN_ERR_MSG_MAX];  /* human-readable, NUL-terminated, may be truncated */
};

/* Sets code and a printf-formatted message; err may be NULL. Returns code, so callers can
 * write `return cmn_err_set(err, X_BAD, "...")`. */
int cmn_err_set(struct cmn_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefixes the current message with a printf-formatted context ("endpoints[2]: " + msg). */
void cmn_err_prefix(struct cmn_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void cmn_err_clear(struct cmn_err *err);

/* Where a configuration parser sends what it accepts but wants said (an option read and not
 * applied, a value KrakenD bends): fn gets each message, formatted; the caller decides whether
 * it becomes a log line or a test's assertion. */
struct cmn_warn {
    void (*fn)(void *ctx, const char *msg);
    void *ctx;
};

/* Formats a message (at most CMN_ERR_MSG_MAX bytes) and hands it to w->fn; w or w->fn NULL:
 * nothing happens. */
void cmn_warnf(const struct cmn_warn *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
