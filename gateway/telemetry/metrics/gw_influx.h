/* gw_influx.h - extra_config "telemetry/influx" (krakend-influx, spec §4.5): its options and
 * the InfluxDB 1.x line protocol body pushed every ttl from the telemetry/metrics snapshot.
 * Pure: the caller POSTs the body to gw_influx_write_url with basic auth. */
#ifndef GW_INFLUX_H
#define GW_INFLUX_H

#include "cmn_buf.h"
#include "cmn_err.h"
#include "gw_tel.h"
#include "gw_stats.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define GW_INFLUX_NAMESPACE "github_com/letgoapp/krakend-influx"

struct gw_influx_config {
    char *address; /* required: the server's URL */
    char *username, *password;
    char *db;        /* "krakend" by default */
    int64_t ttl_ns;  /* push period, 1m by default */
    int buffer_size; /* KrakenD reads only a Go int here: a JSON number leaves it 0 */
    struct gw_tel_strs warnings;
};

/* false with err ("address is required", "...ttl...") when KrakenD would run without it. */
bool gw_influx_config_parse(const json_t *block, struct gw_influx_config *out, struct cmn_err *err);
void gw_influx_config_free(struct gw_influx_config *c);
/* "<address>/write?db=<db>&precision=s"; owned or NULL. */
char *gw_influx_write_url(const struct gw_influx_config *c);

/* The push state: the previous totals that the "count" fields are deltas of. */
struct gw_influx;
struct gw_influx *gw_influx_new(void);
void gw_influx_destroy(struct gw_influx *s);

/* Appends one push's points (one line each, "\n"-terminated, precision seconds, the snapshot's
 * time). *skipped is set when KrakenD skips the tick (no counter and no gauge). False on
 * allocation failure or when out's cap is reached. */
bool gw_influx_body(struct gw_influx *s, const struct gw_stats_snapshot *snap, const char *hostname,
                    struct cmn_buf *out, bool *skipped);

#endif
