/* cmn_log.h - line logging in Go's `log` format: "2006/01/02 15:04:05 PREFIX LEVEL: message".
 * Each line goes out with a single write(2), so lines from several threads never interleave
 * and reach a file or pipe as they happen. A sink (telemetry/logging's formats, syslog, GELF)
 * may take over how records look and where they go: one logging path either way. */
#ifndef CMN_LOG_H
#define CMN_LOG_H

#include <stdbool.h>
#include <stddef.h>

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

/* Where records go instead of the default line. `line` gets each record that passes the level
 * (its message formatted, no time or prefix: the sink adds its own); `raw` each cmn_log_raw
 * text (the access log; several lines may come at once, each ending in a newline but the
 * last). Both are called from any thread and must write each record at once. */
struct cmn_log_sink {
    void (*line)(void *ctx, enum cmn_log_level level, const char *msg, size_t len);
    void (*raw)(void *ctx, const char *text, size_t len);
    void *ctx;
};

/* Installs sink (copied; NULL: back to the default line) and the level below which records
 * are dropped. Call before the threads that log start, or after they stopped. */
void cmn_log_set_sink(const struct cmn_log_sink *sink, enum cmn_log_level min_level);

#define cmn_log_debug(...) cmn_log(CMN_LOG_DEBUG, __VA_ARGS__)
#define cmn_log_info(...) cmn_log(CMN_LOG_INFO, __VA_ARGS__)
#define cmn_log_warn(...) cmn_log(CMN_LOG_WARNING, __VA_ARGS__)
#define cmn_log_error(...) cmn_log(CMN_LOG_ERROR, __VA_ARGS__)

#endif
