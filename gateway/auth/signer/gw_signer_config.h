/* gw_signer_config.h - the auth/signer options (krakend-jose SignerConfig) decoded as Go's
 * json.Unmarshal decodes them: keys matched case-insensitively, null leaves a default, a value of
 * the wrong type is an error (which makes KrakenD answer 401 on the endpoint). */
#ifndef GW_SIGNER_CONFIG_H
#define GW_SIGNER_CONFIG_H

#include "cmn_err.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GW_SIGNER_MAX_LIST 256

struct gw_signer_config {
    char *alg, *kid, *typ;
    char *jwk_url, *jwk_local_path, *jwk_local_ca, *secret_url;
    bool full, disable_jwk_security, has_cypher_key;
    char **keys_to_sign;
    size_t n_keys_to_sign;
    char **fingerprints;
    size_t n_fingerprints;
    uint16_t *cipher_suites;
    size_t n_cipher_suites;
};

/* Decodes ns into c (zeroed first; free with gw_signer_config_free also on failure). false with
 * err set ("json: cannot unmarshal number into Go struct field SignerConfig.alg of type
 * string"). */
bool gw_signer_config_parse(const json_t *ns, struct gw_signer_config *c, struct cmn_err *err);
void gw_signer_config_free(struct gw_signer_config *c);

#endif
