/* gw_cc_config.h - the auth/client-credentials options of a backend
 * (krakend-telemetry-validation.md §9.1), read as krakend-oauth2-clientcredentials reads them:
 * Go type assertions that panic on a wrong type (refused here with the JSON path). */
#ifndef GW_CC_CONFIG_H
#define GW_CC_CONFIG_H

#include "cmn_err.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define GW_CC_NAMESPACE "github.com/devopsfaith/krakend-oauth2-clientcredentials"
#define GW_CC_MAX_PARAMS 64 /* endpoint_params keys, and values per key */

struct gw_cc_param {
    char *key;
    char **values;
    size_t n_values;
};

struct gw_cc_config {
    bool disabled;
    char *client_id, *client_secret, *token_url;
    char **scopes; /* `scopes` split on ',' without trimming: always at least one (maybe "") */
    size_t n_scopes;
    struct gw_cc_param *params; /* endpoint_params, sorted by key */
    size_t n_params;
};

/* Reads ns (borrowed; an object) into c (zeroed first). false with err set when a value has a
 * type KrakenD's type assertions panic on ("client_id is not a string ..."); free c either way. */
bool gw_cc_config_parse(const json_t *ns, struct gw_cc_config *c, struct cmn_err *err);
void gw_cc_config_free(struct gw_cc_config *c);

#endif
