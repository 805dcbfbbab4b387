/* mt_seed.c - what exists before anyone calls the API: the bootstrap entities (default OU,
 * System resource server, Administrator role, admin application) and the --seed document. */
#include "mt_store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEED_DEPTH_MAX 8

static const char *const system_children[] = {"ou", "user", "usertype", "group"};

static void add_fixed(json_t *arr, json_t *o)
{
    if (o && !mt_store_find(arr, "id", mt_str(o, "id")))
        json_array_append(arr, o);
    json_decref(o);
}

static void fixed_id(char out[37], unsigned n)
{
    snprintf(out, 37, "01900000-0000-7000-8000-%012x", n);
}

static void bootstrap_system(struct mt_store *s, const char *issuer, const char *ts)
{
    char ident[600], id[37], rid[37];
    json_t *rs;

    add_fixed(s->ous, json_pack("{s:s, s:s, s:s, s:s, s:n, s:b, s:s, s:s}", "id", MT_ID_DEFAULT_OU,
                                "handle", "default", "name", "Default", "description",
                                "Default organization unit", "parent", "isReadOnly", 1, "createdAt",
                                ts, "updatedAt", ts));
    snprintf(ident, sizeof(ident), "%s/mcp", issuer);
    rs = mt_store_find(s->servers, "id", MT_ID_SYSTEM_RS);
    if (!rs) {
        rs = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "id", MT_ID_SYSTEM_RS, "name",
                       "System", "description", "System resource server", "identifier", ident,
                       "type", "CUSTOM", "ouId", MT_ID_DEFAULT_OU, "delimiter", ":", "isReadOnly",
                       1);
        json_array_append_new(s->servers, rs);
    } else if (strcmp(mt_str(rs, "identifier"), ident) &&
               !mt_store_find(s->servers, "identifier", ident)) {
        json_object_set_new(rs, "identifier", json_string(ident)); /* the issuer moved */
    }
    fixed_id(id, 0x21);
    add_fixed(s->resources, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", id, "name", "System",
                                      "handle", "system", "description", "System administration",
                                      "permission", "system", "_rsId", MT_ID_SYSTEM_RS));
    for (unsigned i = 0; i < 4; i++) {
        char perm[64], aperm[80];
        snprintf(perm, sizeof(perm), "system:%s", system_children[i]);
        snprintf(aperm, sizeof(aperm), "%s:view", perm);
        fixed_id(rid, 0x22 + i);
        add_fixed(s->resources,
                  json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", rid, "name", system_children[i],
                            "handle", system_children[i], "parent", id, "permission", perm, "_rsId",
                            MT_ID_SYSTEM_RS));
        char aid[37];
        fixed_id(aid, 0x26 + i);
        add_fixed(s->actions, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", aid, "name", "View",
                                        "handle", "view", "permission", aperm, "_rsId",
                                        MT_ID_SYSTEM_RS, "_resourceId", rid));
    }
    add_fixed(s->roles,
              json_pack("{s:s, s:s, s:s, s:s, s:[{s:s, s:[s]}], s:[], s:b}", "id", MT_ID_ADMIN_ROLE,
                        "name", "Administrator", "description", "Full access to the management API",
                        "ouId", MT_ID_DEFAULT_OU, "permissions", "resourceServerId",
                        MT_ID_SYSTEM_RS, "permissions", "system", "assignments", "isReadOnly", 1));
}

bool mt_store_bootstrap(struct mt_store *s, const char *issuer, const char *admin_client_id,
                        const char *admin_client_secret, int64_t now, struct cmn_err *err)
{
    char ts[32], hash[65];
    json_t *app, *other, *role, *body, *cfg;

    mt_time_format(now, ts);
    bootstrap_system(s, issuer, ts);
    other = mt_store_app_by_client(s, admin_client_id);
    app = mt_store_find(s->apps, "id", MT_ID_ADMIN_APP);
    if (other && other != app)
        return cmn_err_set(err, 1,
                           "admin client id \"%s\" is already used by application %s (\"%s\")",
                           admin_client_id, mt_str(other, "id"), mt_str(other, "name")),
               false;
    mt_secret_hash(admin_client_secret, hash);
    if (!app) {
        json_t *out = NULL;
        enum mt_e e;
        body = json_pack("{s:s, s:s, s:s, s:s, s:[{s:s, s:{s:s, s:s, s:[s], s:s}}]}", "name",
                         "mock-thunder admin", "description",
                         "Management client created by mock-thunder (not in the real product)",
                         "ouId", MT_ID_DEFAULT_OU, "template", "m2m", "inboundAuthConfig", "type",
                         "oauth2", "config", "clientId", admin_client_id, "clientSecret",
                         admin_client_secret, "grantTypes", "client_credentials",
                         "tokenEndpointAuthMethod", "client_secret_basic");
        e = mt_app_create(s, body, &out);
        json_decref(body);
        json_decref(out);
        if (e)
            return cmn_err_set(err, 1, "cannot create the admin application: %s",
                               mt_apierr_get(e)->code),
                   false;
        app = mt_store_app_by_client(s, admin_client_id);
        json_object_set_new(app, "id", json_string(MT_ID_ADMIN_APP));
    }
    json_object_set_new(app, "clientId", json_string(admin_client_id));
    json_object_set_new(app, "_secretHash", json_string(hash));
    cfg = json_object_get(json_array_get(json_object_get(app, "inboundAuthConfig"), 0), "config");
    json_object_set_new(cfg, "clientId", json_string(admin_client_id));
    role = mt_store_find(s->roles, "id", MT_ID_ADMIN_ROLE);
    body = json_pack("{s:[s]}", "roles", MT_ID_ADMIN_ROLE);
    if (role && mt_app_assign_roles(s, MT_ID_ADMIN_APP, body) != MT_E_OK) {
        json_decref(body);
        return cmn_err_set(err, 1, "cannot assign the Administrator role"), false;
    }
    json_decref(body);
    return true;
}

/* ---- --seed ---- */

static const char *seed_err(enum mt_e e)
{
    const struct mt_apierr *a = mt_apierr_get(e);
    return a->description;
}

/* The id of the OU named by a handle path ("default" when absent). */
static const char *seed_ou(const struct mt_store *s, const json_t *o, struct cmn_err *err,
                           const char *where)
{
    const char *path = cmn_json_str(o, "ou");
    json_t *ou = NULL;
    const char *id;

    if (!path)
        return MT_ID_DEFAULT_OU;
    if (mt_ou_get_path(s, path, &ou) != MT_E_OK) {
        cmn_err_set(err, 1, "%s.ou: no organization unit \"%s\"", where, path);
        return NULL;
    }
    id = mt_str(mt_store_find(s->ous, "id", mt_str(ou, "id")), "id");
    json_decref(ou);
    return id;
}

/* Creates (or finds) one resource or action by handle under its parent; *id_out borrowed. */
static bool seed_item(struct mt_store *s, const char *rs_id, const char *parent, bool action,
                      const json_t *item, const char *where, struct cmn_err *err,
                      const char **id_out)
{
    json_t *arr = action ? s->actions : s->resources, *e, *body, *out = NULL;
    const char *pkey = action ? "_resourceId" : "parent";
    const char *handle = cmn_json_str(item, "handle");
    size_t i;
    enum mt_e rc;

    json_array_foreach(arr, i, e)
    {
        const char *p = cmn_json_str(e, pkey);
        if (!strcmp(mt_str(e, "_rsId"), rs_id) && handle && !strcmp(mt_str(e, "handle"), handle) &&
            (parent ? p && !strcmp(p, parent) : !p)) {
            *id_out = mt_str(e, "id");
            return true;
        }
    }
    body = json_deep_copy(item);
    json_object_del(body, "resources");
    json_object_del(body, "actions");
    if (!action && parent)
        json_object_set_new(body, "parent", json_string(parent));
    rc = action ? mt_act_create(s, rs_id, parent, body, &out) : mt_res_create(s, rs_id, body, &out);
    json_decref(body);
    if (rc) {
        json_decref(out);
        return cmn_err_set(err, 1, "%s: %s", where, seed_err(rc)), false;
    }
    *id_out = mt_str(mt_store_find(arr, "id", mt_str(out, "id")), "id");
    json_decref(out);
    return true;
}

static bool seed_children(struct mt_store *s, const char *rs_id, const char *parent,
                          const json_t *node, const char *where, int depth, struct cmn_err *err)
{
    static const char *const keys[] = {"resources", "actions"};
    char w[512];
    size_t i;
    json_t *c;
    const char *id;

    if (depth > SEED_DEPTH_MAX)
        return cmn_err_set(err, 1, "%s: nested deeper than %d", where, SEED_DEPTH_MAX), false;
    for (int k = 0; k < 2; k++) {
        json_t *arr = json_object_get(node, keys[k]);
        if (arr && !json_is_array(arr))
            return cmn_err_set(err, 1, "%s.%s: not an array", where, keys[k]), false;
        json_array_foreach(arr, i, c)
        {
            if (snprintf(w, sizeof(w), "%s.%s[%zu]", where, keys[k], i) >= (int)sizeof(w))
                return cmn_err_set(err, 1, "%s: nested too deep to name", where), false;
            if (!seed_item(s, rs_id, parent, k == 1, c, w, err, &id))
                return false;
            if (k == 0 && !seed_children(s, rs_id, id, c, w, depth + 1, err))
                return false;
        }
    }
    return true;
}

static bool seed_servers(struct mt_store *s, const json_t *arr, struct cmn_err *err)
{
    char w[64];
    size_t i;
    json_t *r, *body, *out, *have;
    const char *ou, *id;

    json_array_foreach(arr, i, r)
    {
        snprintf(w, sizeof(w), "resourceServers[%zu]", i);
        if (!(ou = seed_ou(s, r, err, w)))
            return false;
        have = mt_store_find(s->servers, "name", cmn_json_str(r, "name"));
        if (!have) {
            enum mt_e rc;
            body = json_deep_copy(r);
            json_object_set_new(body, "ouId", json_string(ou));
            out = NULL;
            rc = mt_rs_create(s, body, &out);
            json_decref(body);
            if (rc)
                return json_decref(out), cmn_err_set(err, 1, "%s: %s", w, seed_err(rc)), false;
            have = mt_store_find(s->servers, "id", mt_str(out, "id"));
            json_decref(out);
        }
        id = mt_str(have, "id");
        if (!seed_children(s, id, NULL, r, w, 0, err))
            return false;
    }
    return true;
}

/* Groups permission strings by the server that defines them: [{resourceServerId, permissions}]. */
static json_t *group_permissions(const struct mt_store *s, const json_t *perms, const char *w,
                                 struct cmn_err *err)
{
    json_t *groups = json_array(), *p, *g;
    size_t i, j;

    json_array_foreach(perms, i, p)
    {
        const char *rs = NULL;
        json_array_foreach(s->servers, j, g)
        {
            if (json_is_string(p) &&
                mt_store_perm_on_server(s, mt_str(g, "id"), json_string_value(p))) {
                rs = mt_str(g, "id");
                break;
            }
        }
        if (!rs) {
            cmn_err_set(err, 1, "%s.permissions[%zu]: no resource server defines it", w, i);
            json_decref(groups);
            return NULL;
        }
        g = mt_store_find(groups, "resourceServerId", rs);
        if (!g) {
            g = json_pack("{s:s, s:[]}", "resourceServerId", rs, "permissions");
            json_array_append_new(groups, g);
        }
        json_array_append(json_object_get(g, "permissions"), p);
    }
    return groups;
}

static bool seed_roles(struct mt_store *s, const json_t *arr, struct cmn_err *err)
{
    char w[64];
    size_t i;
    json_t *r, *body, *out, *perms;
    const char *ou;
    enum mt_e rc;

    json_array_foreach(arr, i, r)
    {
        snprintf(w, sizeof(w), "roles[%zu]", i);
        if (!(ou = seed_ou(s, r, err, w)))
            return false;
        if (mt_store_find(s->roles, "name", cmn_json_str(r, "name")))
            continue;
        perms = json_object_get(r, "permissions");
        if (perms && !json_is_array(perms))
            return cmn_err_set(err, 1, "%s.permissions: not an array", w), false;
        if (!(perms = group_permissions(s, perms, w, err)))
            return false;
        body =
            json_pack("{s:O?, s:O?, s:s, s:o}", "name", json_object_get(r, "name"), "description",
                      json_object_get(r, "description"), "ouId", ou, "permissions", perms);
        out = NULL;
        rc = mt_role_create(s, body, &out);
        json_decref(body);
        json_decref(out);
        if (rc)
            return cmn_err_set(err, 1, "%s: %s", w, seed_err(rc)), false;
    }
    return true;
}

static bool seed_app_roles(struct mt_store *s, const char *app_id, const json_t *roles,
                           const char *w, struct cmn_err *err)
{
    json_t *ids = json_array(), *v, *body;
    size_t i;
    enum mt_e rc;

    json_array_foreach(roles, i, v)
    {
        json_t *r = mt_store_find(s->roles, "name", json_string_value(v));
        if (!r)
            r = mt_store_find(s->roles, "id", json_string_value(v));
        if (!r) {
            json_decref(ids);
            return cmn_err_set(err, 1, "%s.roles[%zu]: no such role", w, i), false;
        }
        json_array_append_new(ids, json_string(mt_str(r, "id")));
    }
    if (!json_array_size(ids))
        return json_decref(ids), true;
    body = json_pack("{s:o}", "roles", ids);
    rc = mt_app_assign_roles(s, app_id, body);
    json_decref(body);
    return rc ? cmn_err_set(err, 1, "%s.roles: %s", w, seed_err(rc)), false : true;
}

static bool seed_apps(struct mt_store *s, const json_t *arr, struct cmn_err *err)
{
    char w[64], hash[65];
    size_t i;
    json_t *a, *have, *body, *out;
    const char *ou, *secret;
    enum mt_e rc;

    json_array_foreach(arr, i, a)
    {
        snprintf(w, sizeof(w), "applications[%zu]", i);
        if (!(ou = seed_ou(s, a, err, w)))
            return false;
        have = mt_store_find(s->apps, "name", cmn_json_str(a, "name"));
        secret = cmn_json_str(a, "clientSecret");
        if (have) {
            if (secret && json_object_get(have, "_secretHash")) {
                mt_secret_hash(secret, hash);
                json_object_set_new(have, "_secretHash", json_string(hash));
            }
        } else {
            json_t *gt = json_object_get(a, "grantTypes");
            json_t *vp = json_object_get(a, "validityPeriod");
            const char *method = cmn_json_str(a, "tokenEndpointAuthMethod");
            json_t *cfg =
                json_pack("{s:O?, s:O?, s:o, s:s}", "clientId", json_object_get(a, "clientId"),
                          "clientSecret", json_object_get(a, "clientSecret"), "grantTypes",
                          gt ? json_incref(gt) : json_pack("[s]", "client_credentials"),
                          "tokenEndpointAuthMethod", method ? method : "client_secret_basic");
            if (cfg && vp)
                json_object_set_new(cfg, "token",
                                    json_pack("{s:{s:O}}", "accessToken", "validityPeriod", vp));
            body = json_pack("{s:O?, s:O?, s:s, s:s, s:[{s:s, s:o}]}", "name",
                             json_object_get(a, "name"), "description",
                             json_object_get(a, "description"), "ouId", ou, "template", "m2m",
                             "inboundAuthConfig", "type", "oauth2", "config", cfg);
            out = NULL;
            rc = mt_app_create(s, body, &out);
            json_decref(body);
            if (rc)
                return json_decref(out), cmn_err_set(err, 1, "%s: %s", w, seed_err(rc)), false;
            have = mt_store_find(s->apps, "id", mt_str(out, "id"));
            json_decref(out);
        }
        if (json_object_get(a, "roles") && !json_is_array(json_object_get(a, "roles")))
            return cmn_err_set(err, 1, "%s.roles: not an array", w), false;
        if (!seed_app_roles(s, mt_str(have, "id"), json_object_get(a, "roles"), w, err))
            return false;
    }
    return true;
}

static bool seed_ous(struct mt_store *s, const json_t *arr, int64_t now, struct cmn_err *err)
{
    char w[64];
    size_t i;
    json_t *o, *body, *out;
    enum mt_e rc;

    json_array_foreach(arr, i, o)
    {
        const char *parent = NULL;
        snprintf(w, sizeof(w), "organizationUnits[%zu]", i);
        if (cmn_json_str(o, "parent")) {
            json_t *p = NULL;
            if (mt_ou_get_path(s, cmn_json_str(o, "parent"), &p))
                return cmn_err_set(err, 1, "%s.parent: no such handle path", w), false;
            parent = mt_str(mt_store_find(s->ous, "id", mt_str(p, "id")), "id");
            json_decref(p);
        }
        body = json_pack("{s:O?, s:O?, s:O?, s:s?}", "handle", json_object_get(o, "handle"), "name",
                         json_object_get(o, "name"), "description",
                         json_object_get(o, "description"), "parent", parent);
        out = NULL;
        rc = mt_ou_create(s, body, now, &out);
        json_decref(body);
        json_decref(out);
        if (rc && rc != MT_E_OU_HANDLE_CONFLICT && rc != MT_E_OU_NAME_CONFLICT)
            return cmn_err_set(err, 1, "%s: %s", w, seed_err(rc)), false;
    }
    return true;
}

bool mt_store_seed(struct mt_store *s, const json_t *seed, int64_t now, struct cmn_err *err)
{
    static const char *const keys[] = {"organizationUnits", "resourceServers", "roles",
                                       "applications"};

    if (!json_is_object(seed))
        return cmn_err_set(err, 1, "the seed is not a JSON object"), false;
    for (int k = 0; k < 4; k++) {
        json_t *v = json_object_get(seed, keys[k]);
        if (v && !json_is_array(v))
            return cmn_err_set(err, 1, "%s: not an array", keys[k]), false;
    }
    return seed_ous(s, json_object_get(seed, keys[0]), now, err) &&
           seed_servers(s, json_object_get(seed, keys[1]), err) &&
           seed_roles(s, json_object_get(seed, keys[2]), err) &&
           seed_apps(s, json_object_get(seed, keys[3]), err);
}
