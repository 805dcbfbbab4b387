/* gw_signer_config.c - krakend-jose's SignerConfig from the auth/signer namespace, decoded with
 * Go's encoding/json rules (krakend-telemetry-validation.md §7.2). */
#include "gw_signer_config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* encoding/json matches a key to a field exactly, else ignoring case. Borrowed or NULL. */
static json_t *field(const json_t *obj, const char *name)
{
    const char *k;
    json_t *v, *found = json_object_get(obj, name);

    if (found)
        return found;
    json_object_foreach((json_t *)(uintptr_t)obj, k, v)
    {
        if (strcasecmp(k, name) == 0)
            found = v; /* the last one wins, as decoding overwrites the field */
    }
    return found;
}

static const char *type_name(const json_t *v)
{
    return json_is_object(v)    ? "object"
           : json_is_array(v)   ? "array"
           : json_is_string(v)  ? "string"
           : json_is_boolean(v) ? "bool"
                                : "number";
}

static bool type_err(struct cmn_err *err, const json_t *v, const char *name, const char *go_type)
{
    cmn_err_set(err, 1, "json: cannot unmarshal %s into Go struct field SignerConfig.%s of type %s",
                type_name(v), name, go_type);
    return false;
}

static bool get_str(const json_t *ns, const char *name, char **out, struct cmn_err *err)
{
    json_t *v = field(ns, name);

    if (!v || json_is_null(v))
        return true;
    if (!json_is_string(v))
        return type_err(err, v, name, "string");
    if (!(*out = strdup(json_string_value(v))))
        return cmn_err_set(err, 1, "out of memory"), false;
    return true;
}

static bool get_bool(const json_t *ns, const char *name, bool *out, struct cmn_err *err)
{
    json_t *v = field(ns, name);

    if (!v || json_is_null(v))
        return true;
    if (!json_is_boolean(v))
        return type_err(err, v, name, "bool");
    *out = json_is_true(v);
    return true;
}

static bool get_strs(const json_t *ns, const char *name, char ***out, size_t *n,
                     struct cmn_err *err)
{
    json_t *v = field(ns, name), *item;
    size_t i;

    if (!v || json_is_null(v))
        return true;
    if (!json_is_array(v))
        return type_err(err, v, name, "[]string");
    if (json_array_size(v) > GW_SIGNER_MAX_LIST)
        return cmn_err_set(err, 1, "%s: more than %d entries", name, GW_SIGNER_MAX_LIST), false;
    *out = calloc(json_array_size(v) + 1, sizeof(char *));
    if (!*out)
        return cmn_err_set(err, 1, "out of memory"), false;
    json_array_foreach(v, i, item)
    {
        if (!json_is_string(item))
            return type_err(err, item, name, "string");
        if (!((*out)[i] = strdup(json_string_value(item))))
            return cmn_err_set(err, 1, "out of memory"), false;
        *n = i + 1;
    }
    return true;
}

static bool get_suites(const json_t *ns, struct gw_signer_config *c, struct cmn_err *err)
{
    json_t *v = field(ns, "cipher_suites"), *item;
    size_t i;

    if (!v || json_is_null(v))
        return true;
    if (!json_is_array(v))
        return type_err(err, v, "cipher_suites", "[]uint16");
    if (json_array_size(v) > GW_SIGNER_MAX_LIST)
        return cmn_err_set(err, 1, "cipher_suites: more than %d entries", GW_SIGNER_MAX_LIST),
               false;
    c->cipher_suites = calloc(json_array_size(v) + 1, sizeof(uint16_t));
    if (!c->cipher_suites)
        return cmn_err_set(err, 1, "out of memory"), false;
    json_array_foreach(v, i, item)
    {
        double d = json_number_value(item);
        if (!json_is_number(item))
            return type_err(err, item, "cipher_suites", "uint16");
        if (d < 0 || d > 65535 || floor(d) != d)
            return cmn_err_set(err, 1,
                               "json: cannot unmarshal number %g into Go struct field "
                               "SignerConfig.cipher_suites of type uint16",
                               d),
                   false;
        c->cipher_suites[i] = (uint16_t)d;
        c->n_cipher_suites = i + 1;
    }
    return true;
}

bool gw_signer_config_parse(const json_t *ns, struct gw_signer_config *c, struct cmn_err *err)
{
    json_t *ck;

    memset(c, 0, sizeof(*c));
    if (json_is_null(ns))
        return true;
    if (!json_is_object(ns))
        return cmn_err_set(err, 1,
                           "json: cannot unmarshal %s into Go value of type jose.SignerConfig",
                           type_name(ns)),
               false;
    if (!get_str(ns, "alg", &c->alg, err) || !get_str(ns, "kid", &c->kid, err) ||
        !get_str(ns, "typ", &c->typ, err) || !get_str(ns, "jwk_url", &c->jwk_url, err) ||
        !get_str(ns, "jwk_local_path", &c->jwk_local_path, err) ||
        !get_str(ns, "jwk_local_ca", &c->jwk_local_ca, err) ||
        !get_str(ns, "secret_url", &c->secret_url, err) || !get_bool(ns, "full", &c->full, err) ||
        !get_bool(ns, "disable_jwk_security", &c->disable_jwk_security, err) ||
        !get_strs(ns, "keys_to_sign", &c->keys_to_sign, &c->n_keys_to_sign, err) ||
        !get_strs(ns, "jwk_fingerprints", &c->fingerprints, &c->n_fingerprints, err) ||
        !get_suites(ns, c, err))
        return false;
    /* cypher_key is a []byte: a base64 string in JSON */
    ck = field(ns, "cypher_key");
    if (ck && !json_is_null(ck)) {
        if (!json_is_string(ck))
            return type_err(err, ck, "cypher_key", "[]uint8");
        c->has_cypher_key = json_string_length(ck) > 0;
    }
    return true;
}

void gw_signer_config_free(struct gw_signer_config *c)
{
    free(c->alg);
    free(c->kid);
    free(c->typ);
    free(c->jwk_url);
    free(c->jwk_local_path);
    free(c->jwk_local_ca);
    free(c->secret_url);
    for (size_t i = 0; c->keys_to_sign && c->keys_to_sign[i]; i++)
        free(c->keys_to_sign[i]);
    free(c->keys_to_sign);
    for (size_t i = 0; c->fingerprints && c->fingerprints[i]; i++)
        free(c->fingerprints[i]);
    free(c->fingerprints);
    free(c->cipher_suites);
    memset(c, 0, sizeof(*c));
}
