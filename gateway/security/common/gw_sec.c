/* gw_sec.c - the answer record, log emission and the stage table shared by the security
 * modules. */
#include "gw_sec.h"

#include "gw_config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A log line never needs more: longer messages are cut (KrakenD's own lines are short; the
 * CORS debug trace caps what it quotes from the request). */
#define LOG_LINE_MAX 8192

void gw_sec_answer_init(struct gw_sec_answer *a)
{
    a->action = GW_SEC_CONTINUE;
    a->status = 0;
    a->body = NULL;
    a->body_len = 0;
    cmn_buf_init(&a->buf, 1 << 20);
}

void gw_sec_answer_free(struct gw_sec_answer *a)
{
    if (!a)
        return;
    cmn_buf_free(&a->buf);
    a->body = NULL;
    a->body_len = 0;
}

void gw_sec_log_emit(const struct gw_sec_log *log, enum cmn_log_level level, const char *fmt, ...)
{
    char line[LOG_LINE_MAX];
    va_list ap;

    if (!log || !log->fn)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    log->fn(log->ctx, level, line);
}

void gw_sec_warn(struct gw_sec_warnings *w, const char *fmt, ...)
{
    char line[LOG_LINE_MAX];
    va_list ap;
    int n;

    if (!w)
        return;
    if (w->n == GW_SEC_MAX_WARNINGS) {
        w->dropped++;
        return;
    }
    va_start(ap, fmt);
    n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n < 0 || !(w->msg[w->n] = strdup(line))) {
        w->dropped++;
        return;
    }
    w->n++;
}

void gw_sec_warnings_free(struct gw_sec_warnings *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->n; i++)
        free(w->msg[i]);
    w->n = 0;
    w->dropped = 0;
}

bool gw_sec_stage_runs(enum gw_sec_stage stage, enum gw_sec_route route)
{
    switch (stage) {
    case GW_SEC_STAGE_CORS:
        return true;
    case GW_SEC_STAGE_HTTPSECURE:
    case GW_SEC_STAGE_BOT_SERVICE:
        return route != GW_SEC_ROUTE_HEALTH && route != GW_SEC_ROUTE_REDIRECT;
    case GW_SEC_STAGE_BOT_ENDPOINT:
        return route == GW_SEC_ROUTE_ENDPOINT;
    }
    return false;
}

uint32_t gw_sec_utf8_decode(const char *str, size_t n, size_t *width, bool *ok)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned char c = s[0];
    uint32_t r;
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;

    *ok = true;
    *width = 1;
    if (c < 0x80)
        return c;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
        r = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        r = c & 0x0F;
        if (c == 0xE0)
            lo = 0xA0; /* no overlong forms */
        else if (c == 0xED)
            hi = 0x9F; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        r = c & 0x07;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F; /* nothing past U+10FFFF */
    } else {
        goto bad;
    }
    if (n < need + 1)
        goto bad;
    for (size_t i = 1; i <= need; i++) {
        unsigned char b = s[i];
        if (i == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF))
            goto bad;
        r = (r << 6) | (b & 0x3F);
    }
    *width = need + 1;
    return r;
bad:
    *ok = false;
    return 0xFFFD;
}

char *gw_sec_canonical_header(const char *s)
{
    size_t n = strlen(s);
    char *out = malloc(n + 1);

    if (out)
        gw_config_canonical_header(s, out, n + 1);
    return out;
}
