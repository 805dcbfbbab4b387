/* mt_rs.c - resource servers, resources and actions (ThunderID v0.43 semantics, spec §4). */
#include "mt_store_int.h"

#include <stdlib.h>
#include <string.h>

#define DELIMITERS "._:-/"

static json_t *find_in(const json_t *arr, const char *id, const char *rs_id)
{
    json_t *e = mt_store_find(arr, "id", id);
    return e && strcmp(mt_str(e, "_rsId"), rs_id) == 0 ? e : NULL;
}

static bool rs_read_only(const json_t *rs)
{
    return json_is_true(json_object_get(rs, "isReadOnly"));
}

static char rs_delim(const json_t *rs)
{
    return mt_str(rs, "delimiter")[0];
}

/* Whether another server than `self` has o[key] == value. */
static bool rs_taken(const struct mt_store *s, const char *key, const char *value,
                     const json_t *self)
{
    json_t *o = value && *value ? mt_store_find(s->servers, key, value) : NULL;
    return o && o != self;
}

struct rs_input {
    char *name, *desc, *handle, *identifier, *type, *ou, *delim;
};

static void rs_input_free(struct rs_input *in)
{
    free(in->name);
    free(in->desc);
    free(in->handle);
    free(in->identifier);
    free(in->type);
    free(in->ou);
    free(in->delim);
}

static enum mt_e rs_read(const struct mt_store *s, const json_t *body, bool create,
                         const json_t *self, struct rs_input *in)
{
    const enum mt_e bad = MT_E_RES_INVALID_REQUEST;
    enum mt_e e;
    char delim;

    if (!json_is_object(body))
        return bad;
    if ((e = mt_body_str(body, "name", true, MT_NAME_MAX, true, bad, &in->name)) ||
        (e = mt_body_str(body, "description", false, MT_DESC_MAX, true, bad, &in->desc)) ||
        (e = mt_body_str(body, "handle", false, 1024, false, bad, &in->handle)) ||
        (e = mt_body_str(body, "identifier", false, 2048, false, bad, &in->identifier)) ||
        (e = mt_body_str(body, "type", false, 16, false, bad, &in->type)) ||
        (e = mt_body_str(body, "ouId", true, 64, false, bad, &in->ou)) ||
        (e = mt_body_str(body, "delimiter", false, 16, false, MT_E_RES_INVALID_DELIMITER,
                         &in->delim)))
        return e;
    if (in->type && strcmp(in->type, "API") && strcmp(in->type, "MCP") &&
        strcmp(in->type, "CUSTOM"))
        return bad;
    if (!mt_store_find(s->ous, "id", in->ou))
        return MT_E_RES_OU_NOT_FOUND;
    if (create && in->delim && (strlen(in->delim) != 1 || !strchr(DELIMITERS, in->delim[0])))
        return MT_E_RES_INVALID_DELIMITER;
    delim = self ? rs_delim(self) : in->delim ? in->delim[0] : ':';
    if (in->handle && *in->handle) {
        if (!mt_handle_valid(in->handle))
            return MT_E_RES_INVALID_HANDLE;
        if (strchr(in->handle, delim))
            return MT_E_RES_DELIMITER_IN_RS_HANDLE;
    }
    if (rs_taken(s, "name", in->name, self))
        return MT_E_RES_NAME_CONFLICT;
    if (rs_taken(s, "handle", in->handle, self))
        return MT_E_RES_HANDLE_CONFLICT;
    if (rs_taken(s, "identifier", in->identifier, self))
        return MT_E_RES_IDENTIFIER_CONFLICT;
    return MT_E_OK;
}

/* Builds the stored (= answered) object in the real server's field order. */
static json_t *rs_object(const char *id, const struct rs_input *in, const char *type,
                         const char *delim, bool read_only)
{
    json_t *o = json_pack("{s:s, s:s}", "id", id, "name", in->name);

    if (!o)
        return NULL;
    mt_set_opt(o, "description", in->desc);
    mt_set_opt(o, "handle", in->handle);
    mt_set_opt(o, "identifier", in->identifier);
    json_object_set_new(o, "type", json_string(type));
    json_object_set_new(o, "ouId", json_string(in->ou));
    json_object_set_new(o, "delimiter", json_string(delim));
    json_object_set_new(o, "isReadOnly", json_boolean(read_only));
    return o;
}

enum mt_e mt_rs_list(const struct mt_store *s, json_t **out)
{
    *out = json_deep_copy(s->servers);
    return *out ? MT_E_OK : MT_E_INTERNAL;
}

enum mt_e mt_rs_create(struct mt_store *s, const json_t *body, json_t **out)
{
    struct rs_input in = {0};
    char id[37];
    enum mt_e e = rs_read(s, body, true, NULL, &in);
    json_t *o;

    if (e)
        goto out;
    if (!mt_store_has_room(s, s->servers)) {
        e = MT_E_LIMIT;
        goto out;
    }
    if (!mt_new_id(id) ||
        !(o = rs_object(id, &in, in.type ? in.type : "CUSTOM", in.delim ? in.delim : ":", false))) {
        e = MT_E_INTERNAL;
        goto out;
    }
    json_array_append_new(s->servers, o);
    *out = json_deep_copy(o);
out:
    rs_input_free(&in);
    return e;
}

enum mt_e mt_rs_get(const struct mt_store *s, const char *id, json_t **out)
{
    json_t *rs = mt_store_find(s->servers, "id", id);

    if (!rs)
        return MT_E_RES_RS_NOT_FOUND;
    *out = json_deep_copy(rs);
    return MT_E_OK;
}

/* Recomputes the permissions of every resource and action of a server (after a handle change),
 * top-down: a resource's parent always precedes it in creation order, but a few passes make the
 * order irrelevant. */
static void recompute_permissions(struct mt_store *s, const char *rs_id)
{
    json_t *rs = mt_store_find(s->servers, "id", rs_id);
    size_t i, pass, n = json_array_size(s->resources);
    json_t *e;

    for (pass = 0; pass <= n && pass < 64; pass++)
        json_array_foreach(s->resources, i, e)
        {
            json_t *parent;
            char *p;
            if (strcmp(mt_str(e, "_rsId"), rs_id) != 0)
                continue;
            parent = mt_store_find(s->resources, "id", cmn_json_str(e, "parent"));
            p = mt_perm_derive(parent ? mt_str(parent, "permission") : NULL, mt_str(rs, "handle"),
                               rs_delim(rs), mt_str(e, "handle"));
            if (p)
                json_object_set_new(e, "permission", json_string(p));
            free(p);
        }
    json_array_foreach(s->actions, i, e)
    {
        json_t *res;
        char *p;
        if (strcmp(mt_str(e, "_rsId"), rs_id) != 0)
            continue;
        res = mt_store_find(s->resources, "id", cmn_json_str(e, "_resourceId"));
        p = mt_perm_derive(res ? mt_str(res, "permission") : NULL, mt_str(rs, "handle"),
                           rs_delim(rs), mt_str(e, "handle"));
        if (p)
            json_object_set_new(e, "permission", json_string(p));
        free(p);
    }
}

enum mt_e mt_rs_update(struct mt_store *s, const char *id, const json_t *body, json_t **out)
{
    struct rs_input in = {0};
    json_t *rs = mt_store_find(s->servers, "id", id);
    json_t *o = NULL;
    enum mt_e e = MT_E_OK;
    bool handle_changed;
    char delim[2];

    if (!rs) {
        e = MT_E_RES_RS_NOT_FOUND;
        goto out;
    }
    if (rs_read_only(rs)) {
        e = MT_E_RES_IMMUTABLE_RS;
        goto out;
    }
    if ((e = rs_read(s, body, false, rs, &in)))
        goto out;
    delim[0] = rs_delim(rs);
    delim[1] = '\0';
    handle_changed = strcmp(mt_str(rs, "handle"), in.handle ? in.handle : "") != 0;
    if (!(o = rs_object(id, &in, in.type ? in.type : mt_str(rs, "type"), delim, false))) {
        e = MT_E_INTERNAL;
        goto out;
    }
    json_object_clear(rs);
    json_object_update(rs, o);
    if (handle_changed)
        recompute_permissions(s, id);
    *out = json_deep_copy(rs);
out:
    json_decref(o);
    rs_input_free(&in);
    return e;
}

enum mt_e mt_rs_delete(struct mt_store *s, const char *id)
{
    json_t *rs = mt_store_find(s->servers, "id", id);

    if (!rs)
        return MT_E_RES_RS_NOT_FOUND;
    if (rs_read_only(rs))
        return MT_E_RES_IMMUTABLE_RS;
    if (mt_store_find(s->resources, "_rsId", id) || mt_store_find(s->actions, "_rsId", id))
        return MT_E_RES_CANNOT_DELETE;
    mt_store_remove(s->servers, id);
    return MT_E_OK;
}

/* ---- resources ---- */

static enum mt_e writable_rs(const struct mt_store *s, const char *rs_id, json_t **rs)
{
    *rs = mt_store_find(s->servers, "id", rs_id);
    if (!*rs)
        return MT_E_RES_RS_NOT_FOUND;
    return rs_read_only(*rs) ? MT_E_RES_IMMUTABLE_RS : MT_E_OK;
}

enum mt_e mt_res_list(const struct mt_store *s, const char *rs_id, const char *parent_id,
                      json_t **out)
{
    size_t i;
    json_t *e;

    if (!mt_store_find(s->servers, "id", rs_id))
        return MT_E_RES_RS_NOT_FOUND;
    *out = json_array();
    json_array_foreach(s->resources, i, e)
    {
        const char *p = cmn_json_str(e, "parent");
        if (strcmp(mt_str(e, "_rsId"), rs_id) != 0)
            continue;
        if (parent_id ? (p && strcmp(p, parent_id) == 0) : !p)
            json_array_append_new(*out, mt_public_copy(e));
    }
    return MT_E_OK;
}

/* Whether a sibling (same server, same parent key value) other than self has the handle. */
static bool sibling_handle_taken(const json_t *arr, const char *rs_id, const char *parent_key,
                                 const char *parent, const char *handle)
{
    size_t i;
    json_t *e;

    json_array_foreach(arr, i, e)
    {
        const char *p = cmn_json_str(e, parent_key);
        if (strcmp(mt_str(e, "_rsId"), rs_id) == 0 && (parent ? p && strcmp(p, parent) == 0 : !p) &&
            strcmp(mt_str(e, "handle"), handle) == 0)
            return true;
    }
    return false;
}

struct item_input {
    char *name, *desc, *handle, *parent;
};

static void item_input_free(struct item_input *in)
{
    free(in->name);
    free(in->desc);
    free(in->handle);
    free(in->parent);
}

/* Reads name/description (and, on create, handle and parent) of a resource or action. */
static enum mt_e item_read(const json_t *body, bool create, bool with_parent, char delim,
                           struct item_input *in)
{
    const enum mt_e bad = MT_E_RES_INVALID_REQUEST;
    enum mt_e e;

    if (!json_is_object(body))
        return bad;
    if ((e = mt_body_str(body, "name", true, MT_NAME_MAX, true, bad, &in->name)) ||
        (e = mt_body_str(body, "description", false, MT_DESC_MAX, true, bad, &in->desc)))
        return e;
    if (!create)
        return MT_E_OK;
    if ((e = mt_body_str(body, "handle", true, 1024, false, bad, &in->handle)) ||
        (with_parent && (e = mt_body_str(body, "parent", false, 64, false, bad, &in->parent))))
        return e;
    if (in->parent && !*in->parent) {
        free(in->parent);
        in->parent = NULL;
    }
    if (!mt_handle_valid(in->handle))
        return MT_E_RES_INVALID_HANDLE;
    if (strchr(in->handle, delim))
        return MT_E_RES_DELIMITER_IN_HANDLE;
    return MT_E_OK;
}

static json_t *item_object(const char *id, const struct item_input *in, const char *parent_key,
                           const char *parent, const char *perm, const char *rs_id)
{
    json_t *o = json_pack("{s:s, s:s, s:s}", "id", id, "name", in->name, "handle", in->handle);

    if (!o)
        return NULL;
    mt_set_opt(o, "description", in->desc);
    if (parent && strcmp(parent_key, "parent") == 0)
        json_object_set_new(o, "parent", json_string(parent));
    json_object_set_new(o, "permission", json_string(perm));
    json_object_set_new(o, "_rsId", json_string(rs_id));
    if (parent && strcmp(parent_key, "_resourceId") == 0)
        json_object_set_new(o, "_resourceId", json_string(parent));
    return o;
}

enum mt_e mt_res_create(struct mt_store *s, const char *rs_id, const json_t *body, json_t **out)
{
    struct item_input in = {0};
    json_t *rs, *parent = NULL, *o;
    char id[37], *perm = NULL;
    enum mt_e e = writable_rs(s, rs_id, &rs);

    if (e || (e = item_read(body, true, true, rs_delim(rs), &in)))
        goto out;
    if (in.parent && !(parent = find_in(s->resources, in.parent, rs_id))) {
        e = MT_E_RES_PARENT_NOT_FOUND;
        goto out;
    }
    if (sibling_handle_taken(s->resources, rs_id, "parent", in.parent, in.handle)) {
        e = MT_E_RES_HANDLE_CONFLICT;
        goto out;
    }
    if (!mt_store_has_room(s, s->resources)) {
        e = MT_E_LIMIT;
        goto out;
    }
    perm = mt_perm_derive(parent ? mt_str(parent, "permission") : NULL, mt_str(rs, "handle"),
                          rs_delim(rs), in.handle);
    if (!perm || !mt_new_id(id) || !(o = item_object(id, &in, "parent", in.parent, perm, rs_id))) {
        e = MT_E_INTERNAL;
        goto out;
    }
    json_array_append_new(s->resources, o);
    *out = mt_public_copy(o);
out:
    free(perm);
    item_input_free(&in);
    return e;
}

enum mt_e mt_res_get(const struct mt_store *s, const char *rs_id, const char *id, json_t **out)
{
    json_t *r;

    if (!mt_store_find(s->servers, "id", rs_id))
        return MT_E_RES_RS_NOT_FOUND;
    if (!(r = find_in(s->resources, id, rs_id)))
        return MT_E_RES_RESOURCE_NOT_FOUND;
    *out = mt_public_copy(r);
    return MT_E_OK;
}

/* Updates name and description of an item (resource or action). */
static enum mt_e item_update(json_t *item, const json_t *body, char delim, json_t **out)
{
    struct item_input in = {0};
    enum mt_e e = item_read(body, false, false, delim, &in);

    if (!e) {
        json_object_set_new(item, "name", json_string(in.name));
        if (in.desc && *in.desc)
            json_object_set_new(item, "description", json_string(in.desc));
        else
            json_object_del(item, "description");
        *out = mt_public_copy(item);
    }
    item_input_free(&in);
    return e;
}

enum mt_e mt_res_update(struct mt_store *s, const char *rs_id, const char *id, const json_t *body,
                        json_t **out)
{
    json_t *rs, *r;
    enum mt_e e = writable_rs(s, rs_id, &rs);

    if (e)
        return e;
    if (!(r = find_in(s->resources, id, rs_id)))
        return MT_E_RES_RESOURCE_NOT_FOUND;
    return item_update(r, body, rs_delim(rs), out);
}

enum mt_e mt_res_delete(struct mt_store *s, const char *rs_id, const char *id)
{
    json_t *rs;
    enum mt_e e = writable_rs(s, rs_id, &rs);

    if (e)
        return e;
    if (!find_in(s->resources, id, rs_id))
        return MT_E_RES_RESOURCE_NOT_FOUND;
    if (mt_store_find(s->resources, "parent", id) || mt_store_find(s->actions, "_resourceId", id))
        return MT_E_RES_CANNOT_DELETE;
    mt_store_remove(s->resources, id);
    return MT_E_OK;
}

/* ---- actions ---- */

/* Resolves the server and (optional) resource an action path names. */
static enum mt_e action_scope(const struct mt_store *s, const char *rs_id, const char *res_id,
                              json_t **rs, json_t **res)
{
    *rs = mt_store_find(s->servers, "id", rs_id);
    *res = NULL;
    if (!*rs)
        return MT_E_RES_RS_NOT_FOUND;
    if (res_id && !(*res = find_in(s->resources, res_id, rs_id)))
        return MT_E_RES_RESOURCE_NOT_FOUND;
    return MT_E_OK;
}

static json_t *find_action(const struct mt_store *s, const char *rs_id, const char *res_id,
                           const char *id)
{
    json_t *a = find_in(s->actions, id, rs_id);
    const char *r = a ? cmn_json_str(a, "_resourceId") : NULL;

    if (!a || (res_id ? !r || strcmp(r, res_id) != 0 : r != NULL))
        return NULL;
    return a;
}

enum mt_e mt_act_list(const struct mt_store *s, const char *rs_id, const char *res_id, json_t **out)
{
    json_t *rs, *res, *e;
    enum mt_e err = action_scope(s, rs_id, res_id, &rs, &res);
    size_t i;

    if (err)
        return err;
    *out = json_array();
    json_array_foreach(s->actions, i, e)
    {
        if (find_action(s, rs_id, res_id, mt_str(e, "id")) == e)
            json_array_append_new(*out, mt_public_copy(e));
    }
    return MT_E_OK;
}

enum mt_e mt_act_create(struct mt_store *s, const char *rs_id, const char *res_id,
                        const json_t *body, json_t **out)
{
    struct item_input in = {0};
    json_t *rs, *res, *o;
    char id[37], *perm = NULL;
    enum mt_e e = action_scope(s, rs_id, res_id, &rs, &res);

    if (e || (e = writable_rs(s, rs_id, &rs)) ||
        (e = item_read(body, true, false, rs_delim(rs), &in)))
        goto out;
    if (sibling_handle_taken(s->actions, rs_id, "_resourceId", res_id, in.handle)) {
        e = MT_E_RES_HANDLE_CONFLICT;
        goto out;
    }
    if (!mt_store_has_room(s, s->actions)) {
        e = MT_E_LIMIT;
        goto out;
    }
    perm = mt_perm_derive(res ? mt_str(res, "permission") : NULL, mt_str(rs, "handle"),
                          rs_delim(rs), in.handle);
    if (!perm || !mt_new_id(id) ||
        !(o = item_object(id, &in, "_resourceId", res_id, perm, rs_id))) {
        e = MT_E_INTERNAL;
        goto out;
    }
    json_array_append_new(s->actions, o);
    *out = mt_public_copy(o);
out:
    free(perm);
    item_input_free(&in);
    return e;
}

enum mt_e mt_act_get(const struct mt_store *s, const char *rs_id, const char *res_id,
                     const char *id, json_t **out)
{
    json_t *rs, *res, *a;
    enum mt_e e = action_scope(s, rs_id, res_id, &rs, &res);

    if (e)
        return e;
    if (!(a = find_action(s, rs_id, res_id, id)))
        return MT_E_RES_ACTION_NOT_FOUND;
    *out = mt_public_copy(a);
    return MT_E_OK;
}

enum mt_e mt_act_update(struct mt_store *s, const char *rs_id, const char *res_id, const char *id,
                        const json_t *body, json_t **out)
{
    json_t *rs, *res, *a;
    enum mt_e e = action_scope(s, rs_id, res_id, &rs, &res);

    if (e || (e = writable_rs(s, rs_id, &rs)))
        return e;
    if (!(a = find_action(s, rs_id, res_id, id)))
        return MT_E_RES_ACTION_NOT_FOUND;
    return item_update(a, body, rs_delim(rs), out);
}

enum mt_e mt_act_delete(struct mt_store *s, const char *rs_id, const char *res_id, const char *id)
{
    json_t *rs, *res;
    enum mt_e e = action_scope(s, rs_id, res_id, &rs, &res);

    if (e || (e = writable_rs(s, rs_id, &rs)))
        return e;
    if (!find_action(s, rs_id, res_id, id))
        return MT_E_RES_ACTION_NOT_FOUND;
    mt_store_remove(s->actions, id);
    return MT_E_OK;
}
