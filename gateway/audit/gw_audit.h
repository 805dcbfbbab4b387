/* gw_audit.h - `krakend audit` (krakend-audit v0.9.3, spec §2.3): KrakenD's rules with their ids,
 * severities and messages, in KrakenD's order, then this gateway's own rules (ids gw.*) for
 * configurations that are unsafe in ways only this gateway sees. */
#ifndef GW_AUDIT_H
#define GW_AUDIT_H

#include "cmn_err.h"
#include "gw_config.h"

#include <stdbool.h>
#include <stddef.h>

/* Severity bits for the -s filter. */
enum gw_audit_severity {
    GW_AUDIT_CRITICAL = 1,
    GW_AUDIT_HIGH = 2,
    GW_AUDIT_MEDIUM = 4,
    GW_AUDIT_LOW = 8,
    GW_AUDIT_ALL = 15,
};

struct gw_audit_rec {
    const char *rule;     /* "2.1.2", "gw.1.2"; static */
    const char *severity; /* "CRITICAL" "HIGH" "MEDIUM" "LOW"; static */
    char *message;        /* owned */
};

struct gw_audit_result {
    struct gw_audit_rec *items;
    size_t n;
};

/* Evaluates every rule whose id is not in ignore and whose severity is in severities, in table
 * order, on a parsed configuration; fills out (owned: gw_audit_result_free). False only when out
 * of memory. */
bool gw_audit_run(const struct gw_config *cfg, const char *const *ignore, size_t n_ignore,
                  unsigned severities, struct gw_audit_result *out, struct cmn_err *err);
void gw_audit_result_free(struct gw_audit_result *r);

/* "CRITICAL,HIGH" (spaces already removed) into bits. KrakenD compares names exactly and
 * silently matches nothing for an unknown one: so does this, with *unknown set to the first name
 * that is none of the four (NULL when all are known) so the caller can warn. */
unsigned gw_audit_severities(const char *list, const char **unknown, size_t *unknown_len);

/* The number of rules and the i-th rule's id, severity and message, for docs and tests. */
size_t gw_audit_rule_count(void);
bool gw_audit_rule_info(size_t i, const char **id, const char **severity, const char **message);

#endif
