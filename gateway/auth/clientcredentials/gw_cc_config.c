/* gw_cc_config.c - krakend-oauth2-clientcredentials' configGetter: exact keys, strict types. */
#include "gw_cc_config.h"

#include <stdlib.h>
#include <string.h>

static bool panic(struct cmn_err *err, const char *key, const char *type)
{
    cmn_err_set(err, 1, "%s is not %s (KrakenD panics at startup on it)", key, type);
    return false;
}

static bool get_str(const json_t *ns, const char *key, char **out, struct cmn_err *err)
{
    json_t *v = json_object_get(ns, key);

    if (!v)
        return true;
    if (!json_is_string(v))
        return panic(err, key, "a string");
    if (!(*out = strdup(json_string_value(v))))
        return cmn_err_set(err, 1, "out of memory"), false;
    return true;
}

/* strings.Split(s, ","): "" gives one empty scope, "a,,b" three. */
static bool split_scopes(struct gw_cc_config *c, const char *s, struct cmn_err *err)
{
    size_t n = 1;

    for (const char *p = s; *p; p++)
        n += *p == ',';
    if (n > GW_CC_MAX_PARAMS)
        return cmn_err_set(err, 1, "scopes: more than %d", GW_CC_MAX_PARAMS), false;
    if (!(c->scopes = calloc(n, sizeof(char *))))
        return cmn_err_set(err, 1, "out of memory"), false;
    for (const char *p = s;; p++) {
        const char *comma = strchr(p, ',');
        size_t l = comma ? (size_t)(comma - p) : strlen(p);
        if (!(c->scopes[c->n_scopes] = strndup(p, l)))
            return cmn_err_set(err, 1, "out of memory"), false;
        c->n_scopes++;
        if (!comma)
            return true;
        p = comma;
    }
}

static int param_cmp(const void *a, const void *b)
{
    return strcmp(((const struct gw_cc_param *)a)->key, ((const struct gw_cc_param *)b)->key);
}

static bool get_params(const json_t *ns, struct gw_cc_config *c, struct cmn_err *err)
{
    json_t *v = json_object_get(ns, "endpoint_params"), *vs, *item;
    const char *k;
    size_t i;

    if (!v)
        return true;
    if (!json_is_object(v))
        return panic(err, "endpoint_params", "an object");
    if (json_object_size(v) > GW_CC_MAX_PARAMS)
        return cmn_err_set(err, 1, "endpoint_params: more than %d keys", GW_CC_MAX_PARAMS), false;
    if (!(c->params = calloc(json_object_size(v) + 1, sizeof(*c->params))))
        return cmn_err_set(err, 1, "out of memory"), false;
    json_object_foreach(v, k, vs)
    {
        struct gw_cc_param *p = &c->params[c->n_params];
        if (!json_is_array(vs))
            return panic(err, "an endpoint_params value", "a list of strings");
        if (json_array_size(vs) > GW_CC_MAX_PARAMS)
            return cmn_err_set(err, 1, "endpoint_params.%s: more than %d values", k,
                               GW_CC_MAX_PARAMS),
                   false;
        if (!(p->key = strdup(k)) || !(p->values = calloc(json_array_size(vs) + 1, sizeof(char *))))
            return cmn_err_set(err, 1, "out of memory"), false;
        c->n_params++;
        json_array_foreach(vs, i, item)
        {
            if (!json_is_string(item))
                return panic(err, "an endpoint_params value", "a list of strings");
            if (!(p->values[i] = strdup(json_string_value(item))))
                return cmn_err_set(err, 1, "out of memory"), false;
            p->n_values = i + 1;
        }
    }
    qsort(c->params, c->n_params, sizeof(*c->params), param_cmp);
    return true;
}

bool gw_cc_config_parse(const json_t *ns, struct gw_cc_config *c, struct cmn_err *err)
{
    json_t *v = json_object_get(ns, "is_disabled");
    char *scopes = NULL;
    bool ok;

    memset(c, 0, sizeof(*c));
    if (v && !json_is_boolean(v))
        return panic(err, "is_disabled", "a bool");
    c->disabled = json_is_true(v);
    ok = get_str(ns, "client_id", &c->client_id, err) &&
         get_str(ns, "client_secret", &c->client_secret, err) &&
         get_str(ns, "token_url", &c->token_url, err) && get_str(ns, "scopes", &scopes, err) &&
         split_scopes(c, scopes ? scopes : "", err) && get_params(ns, c, err);
    free(scopes);
    if (!ok)
        return false;
    if (!c->client_id && !(c->client_id = strdup("")))
        return cmn_err_set(err, 1, "out of memory"), false;
    if (!c->client_secret && !(c->client_secret = strdup("")))
        return cmn_err_set(err, 1, "out of memory"), false;
    if (!c->token_url && !(c->token_url = strdup("")))
        return cmn_err_set(err, 1, "out of memory"), false;
    return true;
}

void gw_cc_config_free(struct gw_cc_config *c)
{
    free(c->client_id);
    free(c->client_secret);
    free(c->token_url);
    for (size_t i = 0; i < c->n_scopes; i++)
        free(c->scopes[i]);
    free(c->scopes);
    for (size_t i = 0; i < c->n_params; i++) {
        for (size_t k = 0; k < c->params[i].n_values; k++)
            free(c->params[i].values[k]);
        free(c->params[i].values);
        free(c->params[i].key);
    }
    free(c->params);
    memset(c, 0, sizeof(*c));
}
