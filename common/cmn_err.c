/* cmn_err.c - error records. */
#include "cmn_err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int cmn_err_set(struct cmn_err *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
    }
    return code;
}

void cmn_err_prefix(struct cmn_err *err, const char *fmt, ...)
{
    char out[CMN_ERR_MSG_MAX];
    size_t n, m;
    va_list ap;

    if (!err)
        return;
    va_start(ap, fmt);
    vsnprintf(out, sizeof(out), fmt, ap);
    va_end(ap);
    n = strlen(out);
    m = strnlen(err->msg, sizeof(err->msg) - 1);
    if (m > sizeof(out) - 1 - n)
        m = sizeof(out) - 1 - n;
    memcpy(out + n, err->msg, m);
    out[n + m] = '\0';
    memcpy(err->msg, out, sizeof(out));
}

void cmn_err_clear(struct cmn_err *err)
{
    if (err) {
        err->code = 0;
        err->msg[0] = '\0';
    }
}

void cmn_warnf(const struct cmn_warn *w, const char *fmt, ...)
{
    char msg[CMN_ERR_MSG_MAX];
    va_list ap;

    if (!w || !w->fn)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    w->fn(w->ctx, msg);
}
