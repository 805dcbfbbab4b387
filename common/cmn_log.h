/* cmn_log.h - line logging in Go's `log` format: "2006/01/02 15:04:05 PREFIX LEVEL: message".
 * Each line goes out with a single write(2), so lines from several threads never interleave
 * and reach a file or pipe as they happen. */
#ifndef CMN_LOG_H
#define CMN_LOG_H

#include <stdbool.h>

enum cmn_log_level {
    CMN_LOG_DEBUG = 0,
    CMN_LOG_INFO,
    CMN_LOG_WARNING,
    CMN_LOG_ERROR,
    CMN_LOG_CRITICAL,
    CMN_LOG_NONE,
};

/* prefix: e.g. "KRAKEND" (copied, at most 63 bytes); fd: where lines go (1 = stdout). */
void cmn_log_init(const char *prefix, enum cmn_log_level min_level, int fd);
bool cmn_log_enabled(enum cmn_log_level level);
/* Parses "DEBUG", "info", "WARNING", "WARN", "ERROR", "CRITICAL"; returns false if unknown. */
bool cmn_log_level_parse(const char *s, enum cmn_log_level *out);

void cmn_log(enum cmn_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Writes a line as given (a newline is added), without time or prefix: access logs. */
void cmn_log_raw(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define cmn_log_debug(...) cmn_log(CMN_LOG_DEBUG, __VA_ARGS__)
#define cmn_log_info(...) cmn_log(CMN_LOG_INFO, __VA_ARGS__)
#define cmn_log_warn(...) cmn_log(CMN_LOG_WARNING, __VA_ARGS__)
#define cmn_log_error(...) cmn_log(CMN_LOG_ERROR, __VA_ARGS__)

#endif
