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

static const char *const NAMES[] = {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL", "NONE"};

void cmn_log_init(const char *prefix, enum cmn_log_level min_level, int fd)
{
    snprintf(g_prefix, sizeof(g_prefix), "%s", prefix ? prefix : "");
    g_level = min_level;
    g_fd = fd;
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
    emit(line, n);
}
