/* mt_role.c - roles, their permissions and assignments (spec §5), plus the guide's
 * POST /applications/{id}/roles convenience. */
#include "mt_store_int.h"

#include <stdlib.h>
#include <string.h>

#define MT_MAX_ROLE_PERMS 1000
#define MT_MAX_ASSIGNMENTS 1000

static bool type_valid(const char *t)
{
    return !strcmp(t, "user") || !strcmp(t, "group") || !strcmp(t, "app") || !strcmp(t, "agent");
}

/* The answered form of a role; with_assignments adds them when there are any. */
static json_t *role_out(const struct mt_store *s, const json_t *r, bool with_assignments)
{
    json_t *o = json_pack("{s:s, s:s}", "id", mt_str(r, "id"), "name", mt_str(r, "name"));
    json_t *ou = mt_store_find(s->ous, "id", mt_str(r, "ouId"));
    json_t *as = json_object_get(r, "assignments");

    if (!o)
        return NULL;
    mt_set_opt(o, "description", cmn_json_str(r, "description"));
    json_object_set_new(o, "ouId", json_string(mt_str(r, "ouId")));
    mt_set_opt(o, "ouHandle", ou ? mt_str(ou, "handle") : NULL);
    json_object_set(o, "permissions", json_object_get(r, "permissions"));
    if (with_assignments && json_array_size(as))
        json_object_set(o, "assignments", as);
    return o;
}

/* Validates [{resourceServerId, permissions:[...]}] (NULL or null allowed) into *out (owned
 * copy, or JSON null). */
static enum mt_e read_permissions(const struct mt_store *s, const json_t *p, json_t **out)
{
    size_t i, j, total = 0;
    json_t *g, *v;

    *out = NULL;
    if (!p || json_is_null(p)) {
        *out = json_null();
        return MT_E_OK;
    }
    if (!json_is_array(p))
        return MT_E_ROL_INVALID_REQUEST;
    json_array_foreach(p, i, g)
    {
        const char *rs = cmn_json_str(g, "resourceServerId");
        json_t *perms = json_object_get(g, "permissions");
        if (!json_is_object(g) || !rs || !json_is_array(perms))
            return MT_E_ROL_INVALID_REQUEST;
        if (!*rs || !mt_store_find(s->servers, "id", rs))
            return MT_E_ROL_INVALID_PERMISSIONS;
        json_array_foreach(perms, j, v)
        {
            if (!json_is_string(v))
                return MT_E_ROL_INVALID_REQUEST;
            if (++total > MT_MAX_ROLE_PERMS)
                return MT_E_LIMIT;
            if (!mt_store_perm_on_server(s, rs, json_string_value(v)))
                return MT_E_ROL_INVALID_PERMISSIONS;
        }
    }
    *out = json_array();
    json_array_foreach(p, i, g)
    {
        json_array_append_new(*out, json_pack("{s:s, s:O}", "resourceServerId",
                                              mt_str(g, "resourceServerId"), "permissions",
                                              json_object_get(g, "permissions")));
    }
    return MT_E_OK;
}

/* Validates an assignments array; with check_ids every id must name an existing application
 * (the mock has no users, groups or agents). */
static enum mt_e read_assignments(const struct mt_store *s, const json_t *a, bool check_ids)
{
    size_t i;
    json_t *e;

    if (!json_is_array(a))
        return MT_E_ROL_INVALID_REQUEST;
    if (json_array_size(a) > MT_MAX_ASSIGNMENTS)
        return MT_E_LIMIT;
    json_array_foreach(a, i, e)
    {
        const char *id = cmn_json_str(e, "id"), *type = cmn_json_str(e, "type");
        if (!id || !type)
            return MT_E_ROL_INVALID_REQUEST;
        if (!type_valid(type))
            return MT_E_ROL_INVALID_ASSIGNEE_TYPE;
        if (check_ids && (strcmp(type, "app") || !mt_store_find(s->apps, "id", id)))
            return MT_E_ROL_INVALID_ASSIGNMENT_ID;
    }
    return MT_E_OK;
}

static bool assigned(const json_t *r, const char *id, const char *type)
{
    size_t i;
    json_t *e;

    json_array_foreach(json_object_get(r, "assignments"), i, e)
    {
        if (!strcmp(mt_str(e, "id"), id) && !strcmp(mt_str(e, "type"), type))
            return true;
    }
    return false;
}

static bool name_taken(const struct mt_store *s, const char *name, const char *ou,
                       const json_t *self)
{
    size_t i;
    json_t *r;

    json_array_foreach(s->roles, i, r)
    {
        if (r != self && !strcmp(mt_str(r, "name"), name) && !strcmp(mt_str(r, "ouId"), ou))
            return true;
    }
    return false;
}

struct role_input {
    char *name, *desc, *ou;
    json_t *perms;
};

static enum mt_e role_read(const struct mt_store *s, const json_t *body, const json_t *self,
                           struct role_input *in)
{
    const enum mt_e bad = MT_E_ROL_INVALID_REQUEST;
    enum mt_e e;

    if (!json_is_object(body))
        return bad;
    if ((e = mt_body_str(body, "name", true, MT_NAME_MAX, true, bad, &in->name)) ||
        (e = mt_body_str(body, "description", false, MT_DESC_MAX, true, bad, &in->desc)) ||
        (e = mt_body_str(body, "ouId", true, 64, false, bad, &in->ou)))
        return e;
    if (!mt_store_find(s->ous, "id", in->ou))
        return MT_E_ROL_OU_NOT_FOUND;
    if ((e = read_permissions(s, json_object_get(body, "permissions"), &in->perms)))
        return e;
    return name_taken(s, in->name, in->ou, self) ? MT_E_ROL_NAME_CONFLICT : MT_E_OK;
}

static void role_input_free(struct role_input *in)
{
    free(in->name);
    free(in->desc);
    free(in->ou);
    json_decref(in->perms);
}

enum mt_e mt_role_list(const struct mt_store *s, json_t **out)
{
    size_t i;
    json_t *r;

    *out = json_array();
    json_array_foreach(s->roles, i, r)
    {
        json_t *o = role_out(s, r, false);
        json_object_del(o, "permissions");
        json_object_set(o, "isReadOnly",
                        json_boolean(json_is_true(json_object_get(r, "isReadOnly"))));
        json_array_append_new(*out, o);
    }
    return MT_E_OK;
}

enum mt_e mt_role_create(struct mt_store *s, const json_t *body, json_t **out)
{
    struct role_input in = {0};
    json_t *as, *r;
    char id[37];
    enum mt_e e = role_read(s, body, NULL, &in);

    if (e)
        goto out;
    as = json_object_get(body, "assignments");
    if (as && !json_is_null(as) && (e = read_assignments(s, as, true)))
        goto out;
    if (!mt_store_has_room(s, s->roles)) {
        e = MT_E_LIMIT;
        goto out;
    }
    if (!mt_new_id(id)) {
        e = MT_E_INTERNAL;
        goto out;
    }
    r = json_pack("{s:s, s:s}", "id", id, "name", in.name);
    mt_set_opt(r, "description", in.desc);
    json_object_set_new(r, "ouId", json_string(in.ou));
    json_object_set(r, "permissions", in.perms);
    json_object_set_new(r, "assignments", json_array());
    json_object_set_new(r, "isReadOnly", json_false());
    if (json_is_array(as))
        json_array_extend(json_object_get(r, "assignments"), as);
    json_array_append_new(s->roles, r);
    *out = role_out(s, r, true);
out:
    role_input_free(&in);
    return e;
}

enum mt_e mt_role_get(const struct mt_store *s, const char *id, json_t **out)
{
    json_t *r = mt_store_find(s->roles, "id", id);

    if (!r)
        return MT_E_ROL_NOT_FOUND;
    *out = role_out(s, r, false);
    return MT_E_OK;
}

enum mt_e mt_role_update(struct mt_store *s, const char *id, const json_t *body, json_t **out)
{
    struct role_input in = {0};
    json_t *r = mt_store_find(s->roles, "id", id);
    enum mt_e e = MT_E_OK;

    if (!r)
        return MT_E_ROL_NOT_FOUND;
    if (json_is_true(json_object_get(r, "isReadOnly")))
        return MT_E_ROL_IMMUTABLE;
    if ((e = role_read(s, body, r, &in)))
        goto out;
    json_object_set_new(r, "name", json_string(in.name));
    if (in.desc && *in.desc)
        json_object_set_new(r, "description", json_string(in.desc));
    else
        json_object_del(r, "description");
    json_object_set_new(r, "ouId", json_string(in.ou));
    json_object_set(r, "permissions", in.perms);
    *out = role_out(s, r, false);
out:
    role_input_free(&in);
    return e;
}

enum mt_e mt_role_delete(struct mt_store *s, const char *id)
{
    json_t *r = mt_store_find(s->roles, "id", id);

    if (!r)
        return MT_E_ROL_NOT_FOUND;
    if (json_is_true(json_object_get(r, "isReadOnly")))
        return MT_E_ROL_IMMUTABLE;
    if (json_array_size(json_object_get(r, "assignments")))
        return MT_E_ROL_CANNOT_DELETE;
    mt_store_remove(s->roles, id);
    return MT_E_OK;
}

enum mt_e mt_role_assignments(const struct mt_store *s, const char *id, const char *type,
                              bool display, json_t **out)
{
    json_t *r = mt_store_find(s->roles, "id", id);
    size_t i;
    json_t *a;

    if (!r)
        return MT_E_ROL_NOT_FOUND;
    if (type && !type_valid(type))
        return MT_E_ROL_INVALID_ASSIGNEE_TYPE;
    *out = json_array();
    json_array_foreach(json_object_get(r, "assignments"), i, a)
    {
        json_t *o, *app;
        if (type && strcmp(mt_str(a, "type"), type))
            continue;
        o = json_pack("{s:s, s:s}", "id", mt_str(a, "id"), "type", mt_str(a, "type"));
        app = mt_store_find(s->apps, "id", mt_str(a, "id"));
        if (display && app)
            json_object_set_new(o, "display", json_string(mt_str(app, "name")));
        json_array_append_new(*out, o);
    }
    return MT_E_OK;
}

static void remove_assignment(json_t *r, const char *id, const char *type)
{
    json_t *as = json_object_get(r, "assignments");
    size_t i;
    json_t *e;

    json_array_foreach(as, i, e)
    {
        if (!strcmp(mt_str(e, "id"), id) && !strcmp(mt_str(e, "type"), type)) {
            json_array_remove(as, i);
            return;
        }
    }
}

enum mt_e mt_role_assign(struct mt_store *s, const char *id, const json_t *body, bool add)
{
    json_t *r = mt_store_find(s->roles, "id", id);
    json_t *as = json_object_get(body, "assignments");
    size_t i;
    json_t *e;
    enum mt_e err;

    if (!r)
        return MT_E_ROL_NOT_FOUND;
    if (!json_is_object(body) || (as && !json_is_array(as) && !json_is_null(as)))
        return MT_E_ROL_INVALID_REQUEST;
    if (!json_array_size(as))
        return MT_E_ROL_EMPTY_ASSIGNMENTS;
    if ((err = read_assignments(s, as, add)))
        return err;
    if (add && json_array_size(json_object_get(r, "assignments")) + json_array_size(as) >
                   MT_MAX_ASSIGNMENTS)
        return MT_E_LIMIT;
    json_array_foreach(as, i, e)
    {
        const char *aid = mt_str(e, "id"), *type = mt_str(e, "type");
        if (!add)
            remove_assignment(r, aid, type);
        else if (!assigned(r, aid, type))
            json_array_append_new(json_object_get(r, "assignments"),
                                  json_pack("{s:s, s:s}", "id", aid, "type", type));
    }
    return MT_E_OK;
}

enum mt_e mt_app_assign_roles(struct mt_store *s, const char *app_id, const json_t *body)
{
    json_t *roles = json_object_get(body, "roles");
    size_t i;
    json_t *v;

    if (!mt_store_find(s->apps, "id", app_id))
        return MT_E_APP_NOT_FOUND;
    if (!json_is_object(body) || (roles && !json_is_array(roles) && !json_is_null(roles)))
        return MT_E_ROL_INVALID_REQUEST;
    if (!json_array_size(roles))
        return MT_E_ROL_EMPTY_ASSIGNMENTS;
    if (json_array_size(roles) > MT_MAX_ASSIGNMENTS)
        return MT_E_LIMIT;
    json_array_foreach(roles, i, v)
    {
        if (!json_is_string(v))
            return MT_E_ROL_INVALID_REQUEST;
        if (!mt_store_find(s->roles, "id", json_string_value(v)))
            return MT_E_ROL_INVALID_ASSIGNMENT_ID;
    }
    json_array_foreach(roles, i, v)
    {
        json_t *r = mt_store_find(s->roles, "id", json_string_value(v));
        json_t *as = json_object_get(r, "assignments");
        if (assigned(r, app_id, "app"))
            continue;
        if (json_array_size(as) >= MT_MAX_ASSIGNMENTS)
            return MT_E_LIMIT;
        json_array_append_new(as, json_pack("{s:s, s:s}", "id", app_id, "type", "app"));
    }
    return MT_E_OK;
}
