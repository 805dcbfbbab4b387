/* gw_logfmt.h - KrakenD's log line formats (spec §4.1): telemetry/logging options, the
 * go-logging pattern engine behind `default`, `logstash` and `custom` formats (verbs, printf
 * modifiers, Go time layouts), the syslog framing, and Go's time layouts. Pure: the caller hands
 * in the record, its time and the local UTC offset. */
#ifndef GW_LOGFMT_H
#define GW_LOGFMT_H

#include "cmn_buf.h"
#include "cmn_err.h"
#include "gw_tel.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GW_LOGGING_NAMESPACE "github_com/devopsfaith/krakend-gologging"

/* go-logging's patterns (krakend-gologging DefaultPattern and LogstashPattern). */
#define GW_LOG_PATTERN_DEFAULT                                                                     \
    " %{time:2006/01/02 - 15:04:05.000} %{color}\xe2\x96\xb6 %{level}%{color:reset} %{message}"
#define GW_LOG_PATTERN_LOGSTASH                                                                    \
    "{\"@timestamp\":\"%{time:2006-01-02T15:04:05.000+00:00}\", \"@version\": 1, \"level\": "      \
    "\"%{level}\", \"message\": \"%{message}\", \"module\": \"%{module}\"}"
#define GW_LOG_PATTERN_SYSLOG "%{level} > %{message}"

/* go-logging's levels, in its order (CRITICAL is 0). */
enum gw_log_level {
    GW_LOG_CRITICAL = 0,
    GW_LOG_ERROR,
    GW_LOG_WARNING,
    GW_LOG_NOTICE,
    GW_LOG_INFO,
    GW_LOG_DEBUG,
};

const char *gw_log_level_name(enum gw_log_level l);
/* Case-insensitive "CRITICAL" ... "DEBUG"; false otherwise (FATAL is not a level). */
bool gw_log_level_parse(const char *s, enum gw_log_level *out);

/* One log record. Strings are borrowed for the call. */
struct gw_log_record {
    enum gw_log_level level;
    const char *module;  /* "KRAKEND" */
    const char *message; /* the logger's arguments joined by spaces */
    size_t message_len;
    uint64_t id; /* go-logging's sequence number, from 1 */
    int pid;
    const char *program; /* basename of argv[0] */
    int64_t unix_ns;
    int utc_offset_s; /* the local zone's offset at that time */
    const char *zone; /* its abbreviation ("CET"), for MST in layouts */
    const char *file; /* caller's source file and line, function: "???" / 0 when unknown */
    int line;
    const char *func; /* "package.Function" */
};

struct gw_logfmt;

/* Compiles a go-logging pattern. NULL with err when it has no verb at all ("logger: invalid log
 * format: ...") or an unknown one ("logger: unknown variable: x"): KrakenD panics at startup on
 * those; the caller decides. Owned (gw_logfmt_free). */
struct gw_logfmt *gw_logfmt_compile(const char *pattern, struct cmn_err *err);
void gw_logfmt_free(struct gw_logfmt *f);

/* Appends the record rendered by the pattern (no newline). False when out's cap was reached. */
bool gw_logfmt_format(const struct gw_logfmt *f, const struct gw_log_record *r,
                      struct cmn_buf *out);

/* A whole stdout line as Go's log.Logger writes it: prefix, the pattern, "\n" (not doubled
 * when the text already ends with one). */
bool gw_logfmt_line(const struct gw_logfmt *f, const char *prefix, const struct gw_log_record *r,
                    struct cmn_buf *out);

/* Go's time.Format(layout) of unix_ns in the zone (offset, abbreviation; NULL: none), by
 * common/go's cmn_go_time_format. Appends to out. */
bool gw_log_time_format(const char *layout, int64_t unix_ns, int utc_offset_s, const char *zone,
                        struct cmn_buf *out);

/* extra_config "telemetry/logging" (§4.1.1). */
enum gw_log_format { GW_LOG_FMT_DEFAULT = 0, GW_LOG_FMT_LOGSTASH, GW_LOG_FMT_CUSTOM };

struct gw_logging_config {
    bool level_ok; /* a valid level: otherwise KrakenD falls back to its basic logger */
    enum gw_log_level level;
    bool to_stdout, to_syslog;
    int syslog_facility; /* code: local0 = 16 ... local7 = 23 (local3 by default) */
    int syslog_severity; /* fixed from the configured level (debug 7 ... critical 2) */
    char *prefix;        /* "" when format is logstash or custom */
    char *module;        /* telemetry/logstash's "module": the prefix as configured (before
                          * the format clears it), "KRAKEND" when there is none */
    enum gw_log_format format;
    char *pattern; /* the go-logging pattern the stdout lines use */
    struct gw_tel_strs warnings;
};

/* Parses the block (NULL: absent, false). KrakenD's silent fallbacks apply and a warning says
 * so; an invalid custom_format is an error (err set, false), as it panics KrakenD. */
bool gw_logging_config_parse(const json_t *block, struct gw_logging_config *out,
                             struct cmn_err *err);
void gw_logging_config_free(struct gw_logging_config *c);

/* Go's log/syslog frame for the local daemon: "<PRI>Jan _2 15:04:05 tag[pid]: msg" plus "\n"
 * when msg does not end with one. tag "" means the program name (Go uses os.Args[0]). */
bool gw_syslog_frame(int facility, int severity, int64_t unix_ns, int utc_offset_s, const char *tag,
                     const char *program, int pid, const char *msg, size_t n, struct cmn_buf *out);

#endif
