/* gw_cb_config.c - qos/circuit-breaker from JSON, as krakend-circuitbreaker v3.0.0's
 * ConfigGetter reads it (§6.2), and the startup line (§6.6). */
#include "gw_circuitbreaker.h"

#include "cmn_go_value.h"
#include "cmn_log.h"
#include "cmn_str.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECOND_NS 1000000000LL
#define DEFAULT_TIMEOUT_NS (60 * SECOND_NS) /* gobreaker's defaultTimeout */
#define MAX_DURATION_S 9223372036LL         /* the largest whole seconds a Go Duration holds */

enum { O_NAME, O_INTERVAL, O_TIMEOUT, O_MAX_ERRORS, O_LOG_STATUS_CHANGE, O_COUNT };

static const char *const option_names[O_COUNT] = {"name", "interval", "timeout", "max_errors",
                                                  "log_status_change"};

/* time.Duration(n) * time.Second: Go's multiplication wraps. */
static int64_t seconds_ns(int64_t n)
{
    return (int64_t)((uint64_t)n * (uint64_t)SECOND_NS);
}

/* interval, timeout, max_errors: JSON numbers, truncated; anything else is ignored. */
static int64_t read_int(const json_t *v, const char *path, const char *name,
                        const struct cmn_warn *w)
{
    double x;
    int64_t n;

    if (!json_is_number(v)) {
        cmn_warnf(w, "%s.%s: not a number (seconds); ignored (KrakenD ignores it too)", path, name);
        return 0;
    }
    x = json_number_value(v);
    n = cmn_go_f64_to_i64(x); /* Go's int(float64) */
    if (x != floor(x))
        cmn_warnf(w, "%s.%s: %g truncated to %" PRId64, path, name, x, n);
    if (strcmp(name, "max_errors") != 0 && (n > MAX_DURATION_S || n < -MAX_DURATION_S))
        cmn_warnf(w,
                  "%s.%s: %" PRId64 " seconds overflow Go's Duration (wraps to %" PRId64
                  "ns, as in KrakenD)",
                  path, name, n, seconds_ns(n));
    return n;
}

static bool read_option(struct gw_cb_config *c, int which, const json_t *v, const char *path,
                        const struct cmn_warn *w)
{
    switch (which) {
    case O_NAME:
        if (!json_is_string(v)) {
            cmn_warnf(w, "%s.name: not a string; ignored", path);
            break;
        }
        free(c->name);
        c->name = cmn_strndup(json_string_value(v), json_string_length(v));
        return c->name != NULL;
    case O_INTERVAL:
        c->interval_s = read_int(v, path, "interval", w);
        break;
    case O_TIMEOUT:
        c->timeout_s = read_int(v, path, "timeout", w);
        break;
    case O_MAX_ERRORS:
        c->max_errors = read_int(v, path, "max_errors", w);
        break;
    case O_LOG_STATUS_CHANGE:
        if (!json_is_boolean(v))
            cmn_warnf(w, "%s.log_status_change: not a boolean; read as false", path);
        c->log_status_change = json_is_true(v);
        break;
    }
    return true;
}

/* Settings as NewCircuitBreaker hands them to gobreaker. */
static void derive(struct gw_cb_config *c, const char *path, const struct cmn_warn *w)
{
    int64_t interval = seconds_ns(c->interval_s), timeout = seconds_ns(c->timeout_s);

    c->interval_ns = interval > 0 ? interval : 0;
    c->timeout_ns = timeout > 0 ? timeout : DEFAULT_TIMEOUT_NS;
    c->trip_above = (uint32_t)(uint64_t)c->max_errors; /* uint32(int): low 32 bits */
    if (c->timeout_s <= 0)
        cmn_warnf(w, "%s.timeout: %" PRId64 " means 60 seconds (gobreaker's default)", path,
                  c->timeout_s);
    if ((int64_t)c->trip_above != c->max_errors)
        cmn_warnf(w,
                  "%s.max_errors: %" PRId64 " is read as uint32 %" PRIu32
                  " (the breaker opens after more consecutive failures than that)",
                  path, c->max_errors, c->trip_above);
}

enum gw_cb_cfg_status gw_cb_config_parse(const json_t *ns, const char *path,
                                         struct gw_cb_config *out, const struct cmn_warn *warnings,
                                         struct cmn_err *err)
{
    const char *k;
    json_t *v;

    memset(out, 0, sizeof(*out));
    out->name = cmn_strndup("", 0);
    if (!out->name)
        goto nomem;
    out->timeout_ns = DEFAULT_TIMEOUT_NS;
    if (!ns)
        return GW_CB_CFG_ABSENT;
    if (!json_is_object(ns)) {
        cmn_warnf(warnings, "%s: not an object; no circuit breaker (as in KrakenD)", path);
        return GW_CB_CFG_ABSENT;
    }
    json_object_foreach((json_t *)(uintptr_t)ns, k, v)
    {
        int i;

        for (i = 0; i < O_COUNT && strcmp(option_names[i], k) != 0; i++)
            ;
        if (i < O_COUNT) {
            if (!read_option(out, i, v, path, warnings))
                goto nomem;
        } else if (!k[0] || !strchr("@$_#", k[0])) {
            cmn_warnf(warnings, "%s.%s: unknown option; ignored", path, k);
        }
    }
    /* krakend-circuitbreaker installs nothing when every field has its zero value */
    if (!out->name[0] && !out->interval_s && !out->timeout_s && !out->max_errors &&
        !out->log_status_change) {
        cmn_warnf(warnings, "%s: every field is zero; no circuit breaker (as in KrakenD)", path);
        return GW_CB_CFG_ABSENT;
    }
    derive(out, path, warnings);
    out->on = true;
    return GW_CB_CFG_OK;
nomem:
    gw_cb_config_free(out);
    return cmn_err_set(err, GW_CB_CFG_NOMEM, "%s: out of memory", path);
}

void gw_cb_config_free(struct gw_cb_config *c)
{
    if (!c)
        return;
    free(c->name);
    memset(c, 0, sizeof(*c));
}

void gw_cb_log_startup(const struct gw_cb_config *c, const char *url_pattern)
{
    if (c && c->on)
        cmn_log_debug("[BACKEND: %s][CB] Creating the circuit breaker named '%s'", url_pattern,
                      c->name ? c->name : "");
}
