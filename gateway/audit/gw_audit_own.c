/* gw_audit_own.c - rules of this gateway (ids gw.*), run after KrakenD's: configurations that
 * look protected and are not, in ways KrakenD's audit does not look at. Each message names the
 * first place it fires and how many more there are. */
#include "gw_audit_int.h"

#include "gw_schema.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

bool gw_audit_list_has(const struct gw_strlist *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->items[i], s) == 0)
            return true;
    }
    return false;
}

/* "<first place>" or "<first place> (and N more)" into the message. */
struct places {
    char first[200];
    size_t n;
};

/* Records one more place: "A B" (a method and a path, or a place and a namespace). */
static void place(struct places *p, const char *a, const char *sep, const char *b)
{
    if (p->n++ == 0)
        snprintf(p->first, sizeof(p->first), "%s%s%s", a, sep, b);
}

static bool say(const struct places *p, char *msg, size_t msgsz, const char *what)
{
    if (p->n == 0)
        return false;
    if (p->n == 1)
        snprintf(msg, msgsz, "%s: %s.", p->first, what);
    else
        snprintf(msg, msgsz, "%s (and %zu more): %s.", p->first, p->n - 1, what);
    return true;
}

/* gw.1.1: a misspelt security namespace (the parser's ERROR lines) */
static bool misspelt_security(const struct gw_config *c, char *msg, size_t msgsz)
{
    if (c->errors.n == 0)
        return false;
    if (c->errors.n == 1)
        snprintf(msg, msgsz,
                 "Fix the misspelt security namespace, which KrakenD and this gateway ignore: %s",
                 c->errors.items[0]);
    else
        snprintf(msg, msgsz,
                 "Fix the %zu misspelt security namespaces, which KrakenD and this gateway ignore "
                 "(`check` lists them); the first: %s",
                 c->errors.n, c->errors.items[0]);
    return true;
}

/* Whether a backend gets the header: the endpoint passes it and the backend's own list (a
 * second filter when set) does too. */
static bool passes(const struct gw_strlist *l, const char *h)
{
    return gw_audit_list_has(l, "*") || gw_audit_list_has(l, h);
}

/* gw.1.2: the client's Authorization reaches a backend that nothing checked */
static bool unchecked_authorization(const struct gw_config *c, char *msg, size_t msgsz)
{
    struct places p = {"", 0};

    for (size_t i = 0; i < c->n_endpoints; i++) {
        const struct gw_endpoint *e = &c->endpoints[i];
        if (gw_audit_ns(e->extra_config, "auth/validator") ||
            !passes(&e->input_headers, "Authorization"))
            continue;
        for (size_t b = 0; b < e->n_backends; b++) {
            const struct gw_strlist *bl = &e->backends[b].input_headers;
            if (!bl->set || passes(bl, "Authorization")) {
                place(&p, e->method, " ", e->path);
                break;
            }
        }
    }
    return say(&p, msg, msgsz,
               "the backend receives the client's Authorization header while auth/validator is "
               "off, so it must check the credentials itself; validate them at the gateway or "
               "stop forwarding the header");
}

/* gw.1.3: keys fetched over plain HTTP */
static bool plain_jwks(const struct gw_config *c, char *msg, size_t msgsz)
{
    struct places p = {"", 0};

    for (size_t i = 0; i < c->n_endpoints; i++) {
        const json_t *v = gw_audit_ns(c->endpoints[i].extra_config, "auth/validator");
        const json_t *u = json_is_object(v) ? json_object_get(v, "jwk_url") : NULL;
        if (json_is_string(u) && strncmp(json_string_value(u), "http://", 7) == 0 &&
            json_is_true(json_object_get(v, "disable_jwk_security")))
            place(&p, c->endpoints[i].method, " ", c->endpoints[i].path);
    }
    return say(&p, msg, msgsz,
               "auth/validator fetches its keys over plain HTTP (disable_jwk_security), so "
               "anyone on the way can replace them and sign tokens it accepts; serve the JWKS "
               "over https");
}

/* gw.1.4: endpoint options of auth/validator at the service level, where they protect nothing */
static bool service_validator(const struct gw_config *c, char *msg, size_t msgsz)
{
    const json_t *v = gw_audit_ns(c->extra_config, "auth/validator");
    const char *k;
    json_t *m;

    json_object_foreach((json_t *)(uintptr_t)v, k, m)
    {
        if (strcmp(k, "shared_cache_duration") != 0 && *k != '@') {
            snprintf(msg, msgsz,
                     "The service's extra_config has auth/validator option \"%s\", which protects "
                     "no endpoint (only shared_cache_duration is read there): set the validator "
                     "in each endpoint.",
                     k);
            return true;
        }
    }
    return false;
}

/* gw.1.5: a security namespace this gateway does not apply at that level */
static void not_applied_in(const struct gw_schema *s, const json_t *ec, unsigned level,
                           const char *where, struct places *p)
{
    const char *k;
    json_t *m;

    json_object_foreach((json_t *)(uintptr_t)ec, k, m)
    {
        struct gw_schema_ns_info info;
        if (gw_schema_namespace(s, k, &info) && info.security &&
            !gw_config_namespace_applied(k, level))
            place(p, where, ": ", info.name);
    }
}

static bool security_not_applied(const struct gw_config *c, char *msg, size_t msgsz)
{
    struct gw_schema *s = gw_schema_builtin(NULL);
    struct places p = {"", 0};
    char where[300];

    if (!s)
        return false;
    not_applied_in(s, c->extra_config, GW_SCHEMA_SERVICE, "the service", &p);
    for (size_t i = 0; i < c->n_endpoints; i++) {
        const struct gw_endpoint *e = &c->endpoints[i];
        snprintf(where, sizeof(where), "%s %s", e->method, e->path);
        not_applied_in(s, e->extra_config, GW_SCHEMA_ENDPOINT, where, &p);
        for (size_t b = 0; b < e->n_backends; b++) {
            snprintf(where, sizeof(where), "%s %s, backend %s", e->method, e->path,
                     e->backends[b].url_pattern);
            not_applied_in(s, e->backends[b].extra_config, GW_SCHEMA_BACKEND, where, &p);
        }
    }
    gw_schema_destroy(s);
    return say(&p, msg, msgsz,
               "this security feature is configured but this gateway does not apply it there, "
               "so that protection is off (see the WARNING lines of check)");
}

static const struct gw_audit_rule OWN[] = {
    {"gw.1.1", "CRITICAL", "Fix the misspelt security namespace, which is ignored.", NULL,
     misspelt_security},
    {"gw.1.2", "HIGH",
     "The backend receives the client's Authorization header while auth/validator is off.", NULL,
     unchecked_authorization},
    {"gw.1.3", "HIGH", "auth/validator fetches its keys over plain HTTP.", NULL, plain_jwks},
    {"gw.1.4", "HIGH", "auth/validator options in the service's extra_config protect nothing.",
     NULL, service_validator},
    {"gw.1.5", "HIGH", "A security feature is configured that this gateway does not apply.", NULL,
     security_not_applied},
};

const struct gw_audit_rule *gw_audit_own_rules(size_t *n)
{
    *n = sizeof(OWN) / sizeof(OWN[0]);
    return OWN;
}
