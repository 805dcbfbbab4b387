/* gw_logging_config.c - extra_config "telemetry/logging" as krakend-gologging reads it, and
 * Go's log/syslog frame for the local daemon. */
#include "gw_logfmt.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LOCAL3 19

static void warn(struct gw_logging_config *c, const char *key, const char *why)
{
    char buf[256];

    snprintf(buf, sizeof(buf), "extra_config.telemetry/logging.%s: %s", key, why);
    gw_tel_strs_add(&c->warnings, buf);
}

static int facility(const char *s)
{
    char name[8];

    if (strlen(s) != 6)
        return LOCAL3;
    for (int i = 0; i < 6; i++)
        name[i] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] + 32 : s[i]);
    name[6] = '\0';
    if (strncmp(name, "local", 5) == 0 && name[5] >= '0' && name[5] <= '7')
        return 16 + (name[5] - '0');
    return LOCAL3;
}

/* krakend-gologging's parseSyslogSeverity: from the configured level, not per record. */
static int severity(const char *level)
{
    static const struct {
        const char *l;
        int s;
    } m[] = {{"fatal", 0},   {"critical", 2}, {"error", 3},
             {"warning", 4}, {"info", 6},     {"debug", 7}};

    for (size_t i = 0; level && i < sizeof(m) / sizeof(m[0]); i++)
        if (strcasecmp(level, m[i].l) == 0)
            return m[i].s;
    return 2;
}

static bool flag(struct gw_logging_config *c, const json_t *v, const char *key)
{
    if (!json_is_boolean(v)) {
        /* KrakenD: `v.(bool)` panics at startup */
        warn(c, key, "not a bool (KrakenD CE crashes on this): false used");
        return false;
    }
    return json_is_true(v);
}

bool gw_logging_config_parse(const json_t *block, struct gw_logging_config *out,
                             struct cmn_err *err)
{
    const char *level = NULL, *format = "", *custom = "", *key;
    json_t *v;
    struct gw_logfmt *f;

    memset(out, 0, sizeof(*out));
    out->syslog_facility = LOCAL3;
    if (!json_is_object(block)) {
        cmn_err_set(err, 1, "extra_config.telemetry/logging: absent or not an object");
        return false;
    }
    json_object_foreach((json_t *)(uintptr_t)block, key, v)
    {
        if (strcmp(key, "stdout") == 0)
            out->to_stdout = flag(out, v, key);
        else if (strcmp(key, "syslog") == 0)
            out->to_syslog = flag(out, v, key);
        else if (strcmp(key, "syslog_facility") == 0 && json_is_string(v)) {
            out->syslog_facility = facility(json_string_value(v));
            if (out->syslog_facility == LOCAL3 && strcasecmp(json_string_value(v), "local3"))
                warn(out, key, "not local0..local7: local3 used");
        } else if (strcmp(key, "level") == 0 && json_is_string(v))
            level = json_string_value(v);
        else if (strcmp(key, "prefix") == 0 && json_is_string(v))
            out->prefix = strdup(json_string_value(v));
        else if (strcmp(key, "format") == 0 && json_is_string(v))
            format = json_string_value(v);
        else if (strcmp(key, "custom_format") == 0 && json_is_string(v))
            custom = json_string_value(v);
        else if (strcmp(key, "syslog_facility") == 0 || strcmp(key, "level") == 0 ||
                 strcmp(key, "prefix") == 0 || strcmp(key, "format") == 0 ||
                 strcmp(key, "custom_format") == 0)
            warn(out, key, "not a string: ignored");
        else
            warn(out, key, "unknown key, ignored (KrakenD CE does not read it)");
    }
    out->level_ok = gw_log_level_parse(level, &out->level);
    if (!out->level_ok)
        warn(out, "level",
             "missing or not one of CRITICAL ERROR WARNING NOTICE INFO DEBUG: "
             "KrakenD falls back to its basic logger (\"logger: invalid log "
             "level\")");
    out->syslog_severity = severity(level);
    if (strcmp(format, "logstash") == 0) {
        out->format = GW_LOG_FMT_LOGSTASH;
        out->pattern = strdup(GW_LOG_PATTERN_LOGSTASH);
    } else if (strcmp(format, "custom") == 0) {
        out->format = GW_LOG_FMT_CUSTOM;
        out->pattern = strdup(custom);
    } else {
        if (*format && strcmp(format, "default") != 0)
            warn(out, "format", "unknown: the default format is used");
        out->pattern = strdup(GW_LOG_PATTERN_DEFAULT);
    }
    /* telemetry/logstash takes the prefix out of the block before go-logging reads it */
    out->module = strdup(out->prefix && out->prefix[0] ? out->prefix : "KRAKEND");
    /* logstash and custom formats drop the prefix */
    if (out->format != GW_LOG_FMT_DEFAULT) {
        free(out->prefix);
        out->prefix = NULL;
    }
    if (!out->prefix)
        out->prefix = strdup("");
    if (!out->pattern || !out->prefix || !out->module) {
        cmn_err_set(err, 2, "telemetry/logging: out of memory");
        gw_logging_config_free(out);
        return false;
    }
    /* an invalid pattern panics KrakenD at startup */
    f = gw_logfmt_compile(out->pattern, err);
    if (!f) {
        cmn_err_prefix(err, "extra_config.telemetry/logging.custom_format: ");
        gw_logging_config_free(out);
        return false;
    }
    gw_logfmt_free(f);
    return true;
}

void gw_logging_config_free(struct gw_logging_config *c)
{
    if (!c)
        return;
    free(c->prefix);
    free(c->module);
    free(c->pattern);
    gw_tel_strs_free(&c->warnings);
    memset(c, 0, sizeof(*c));
}

bool gw_syslog_frame(int facility_code, int sev, int64_t unix_ns, int utc_offset_s, const char *tag,
                     const char *argv0, int pid, const char *msg, size_t n, struct cmn_buf *out)
{
    bool ok;

    ok = cmn_buf_printf(out, "<%d>", (facility_code << 3) | (sev & 7)) == CMN_BUF_OK &&
         gw_log_time_format("Jan _2 15:04:05", unix_ns, utc_offset_s, NULL, out) &&
         cmn_buf_printf(out, " %s[%d]: ", tag && *tag ? tag : (argv0 ? argv0 : ""), pid) ==
             CMN_BUF_OK &&
         cmn_buf_append(out, msg, n) == CMN_BUF_OK;
    if (ok && (n == 0 || msg[n - 1] != '\n'))
        ok = cmn_buf_append(out, "\n", 1) == CMN_BUF_OK;
    return ok;
}
