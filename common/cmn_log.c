/* cmn_log.c - single-write log lines. */
#include "cmn_log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_BYTES 8192

static char g_prefix[64] = "";
static enum cmn_log_level g_level = CMN_LOG_DEBUG;
static int g_fd = 1;
static struct cmn_log_sink g_sink; /* line NULL: the default line */

static const char *const NAMES[] = {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL", "NONE"};

void cmn_log_init(const char *prefix, enum cmn_log_level min_level, int fd)
{
    snprintf(g_prefix, sizeof(g_prefix), "%s", prefix ? prefix : "");
    g_level = min_level;
    g_fd = fd;
}

void cmn_log_set_sink(const struct cmn_log_sink *sink, enum cmn_log_level min_level)
{
    if (sink)
        g_sink = *sink;
    else
        memset(&g_sink, 0, sizeof(g_sink));
    g_level = min_level;
}

bool cmn_log_enabled(enum cmn_log_level level)
{
    return level >= g_level && level < CMN_LOG_NONE;
}

bool cmn_log_level_parse(const char *s, enum cmn_log_level *out)
{
    for (int i = 0; i <= CMN_LOG_NONE; i++) {
        if (strcasecmp(s, NAMES[i]) == 0) {
            *out = (enum cmn_log_level)i;
            return true;
        }
    }
    if (strcasecmp(s, "WARN") == 0) {
        *out = CMN_LOG_WARNING;
        return true;
    }
    return false;
}

static void write_all(const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(g_fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        p += w;
        n -= (size_t)w;
    }
}

/* Finishes a line of len bytes in line[] (truncating if needed) and writes it. */
static void emit(char *line, int len)
{
    size_t n = len < 0 ? 0 : (size_t)len;

    if (n > LINE_MAX_BYTES - 2)
        n = LINE_MAX_BYTES - 2;
    line[n++] = '\n';
    write_all(line, n);
}

void cmn_log(enum cmn_log_level level, const char *fmt, ...)
{
    char line[LINE_MAX_BYTES];
    struct tm tm;
    time_t now;
    int n;
    va_list ap;

    if (!cmn_log_enabled(level))
        return;
    if (g_sink.line) {
        va_start(ap, fmt);
        n = vsnprintf(line, sizeof(line), fmt, ap);
        va_end(ap);
        if (n < 0)
            n = 0;
        g_sink.line(g_sink.ctx, level, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
        return;
    }
    now = time(NULL);
    localtime_r(&now, &tm);
    n = (int)strftime(line, sizeof(line), "%Y/%m/%d %H:%M:%S ", &tm);
    n += snprintf(line + n, sizeof(line) - (size_t)n, "%s%s%s: ", g_prefix, g_prefix[0] ? " " : "",
                  NAMES[level]);
    va_start(ap, fmt);
    n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    va_end(ap);
    emit(line, n);
}

void cmn_log_raw(const char *fmt, ...)
{
    char line[LINE_MAX_BYTES];
    int n;
    va_list ap;

    va_start(ap, fmt);
    n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (g_sink.raw) {
        if (n < 0)
            n = 0;
        g_sink.raw(g_sink.ctx, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
        return;
    }
    emit(line, n);
}
