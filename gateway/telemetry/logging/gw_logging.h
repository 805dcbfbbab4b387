/* gw_logging.h - KrakenD's logger selection (spec krakend-telemetry-validation.md §4.1):
 * telemetry/gelf, telemetry/logstash, telemetry/logging or Lura's basic logger, installed as
 * common/cmn_log's sink so that every log call of the gateway takes the one path. */
#ifndef GW_LOGGING_H
#define GW_LOGGING_H

#include "cmn_err.h"
#include "gw_config.h"

#include <stdbool.h>

/* Builds the logger cfg asks for and installs it (before any other thread logs). What KrakenD
 * falls back from is logged once the logger is up, as KrakenD logs it. False with err only on
 * what makes KrakenD panic at startup (an invalid custom_format). */
bool gw_logging_setup(const struct gw_config *cfg, struct cmn_err *err);

/* `check`: what setup would refuse (false, err) or fall back from (warn). */
bool gw_logging_check(const struct gw_config *cfg, void (*warn)(void *ctx, const char *msg),
                      void *ctx, struct cmn_err *err);

/* Back to the default line and closes the sockets (after the threads that log stopped). */
void gw_logging_stop(void);

#endif
