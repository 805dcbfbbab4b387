/* mt_ou.c - organization units (spec §7): a tree of handles under which everything lives. */
#include "mt_store_int.h"

#include <stdlib.h>
#include <string.h>

#define MT_OU_DEPTH_MAX 32

static json_t *ou_out(const json_t *o)
{
    json_t *c = mt_public_copy(o);
    json_object_del(c, "isReadOnly");
    return c;
}

static json_t *ou_list_item(const json_t *o)
{
    json_t *c = json_pack("{s:s, s:s, s:s}", "id", mt_str(o, "id"), "handle", mt_str(o, "handle"),
                          "name", mt_str(o, "name"));
    mt_set_opt(c, "description", cmn_json_str(o, "description"));
    json_object_set_new(c, "isReadOnly",
                        json_boolean(json_is_true(json_object_get(o, "isReadOnly"))));
    json_object_set_new(c, "createdAt", json_string(mt_str(o, "createdAt")));
    json_object_set_new(c, "updatedAt", json_string(mt_str(o, "updatedAt")));
    return c;
}

static bool same_parent(const json_t *o, const char *parent)
{
    const char *p = cmn_json_str(o, "parent");
    return parent ? p && !strcmp(p, parent) : !p;
}

enum mt_e mt_ou_list(const struct mt_store *s, const char *parent_id, json_t **out)
{
    size_t i;
    json_t *o;

    if (parent_id && !mt_store_find(s->ous, "id", parent_id))
        return MT_E_OU_NOT_FOUND;
    *out = json_array();
    json_array_foreach(s->ous, i, o)
    {
        if (same_parent(o, parent_id))
            json_array_append_new(*out, ou_list_item(o));
    }
    return MT_E_OK;
}

struct ou_input {
    char *handle, *name, *desc, *parent;
};

static void ou_input_free(struct ou_input *in)
{
    free(in->handle);
    free(in->name);
    free(in->desc);
    free(in->parent);
}

/* Whether making `parent` the parent of `self` would close a loop. */
static bool creates_cycle(const struct mt_store *s, const char *self, const char *parent)
{
    for (int depth = 0; parent && depth < MT_OU_DEPTH_MAX * 4; depth++) {
        json_t *p;
        if (!strcmp(parent, self))
            return true;
        p = mt_store_find(s->ous, "id", parent);
        parent = p ? cmn_json_str(p, "parent") : NULL;
    }
    return parent != NULL;
}

static enum mt_e ou_read(const struct mt_store *s, const json_t *body, const json_t *self,
                         struct ou_input *in)
{
    const enum mt_e bad = MT_E_OU_INVALID_REQUEST;
    size_t i;
    json_t *o;
    enum mt_e e;

    if (!json_is_object(body))
        return bad;
    if ((e = mt_body_str(body, "handle", true, MT_HANDLE_MAX, false, bad, &in->handle)) ||
        (e = mt_body_str(body, "name", true, MT_NAME_MAX, true, bad, &in->name)) ||
        (e = mt_body_str(body, "description", false, MT_DESC_MAX, true, bad, &in->desc)) ||
        (e = mt_body_str(body, "parent", false, 64, false, bad, &in->parent)))
        return e;
    if (strchr(in->handle, '/') || !mt_handle_valid(in->handle))
        return bad;
    if (in->parent && !*in->parent) {
        free(in->parent);
        in->parent = NULL;
    }
    if (in->parent && !mt_store_find(s->ous, "id", in->parent))
        return MT_E_OU_PARENT_NOT_FOUND;
    if (self && creates_cycle(s, mt_str(self, "id"), in->parent))
        return MT_E_OU_CIRCULAR;
    json_array_foreach(s->ous, i, o)
    {
        if (o == self || !same_parent(o, in->parent))
            continue;
        if (!strcmp(mt_str(o, "name"), in->name))
            return MT_E_OU_NAME_CONFLICT;
        if (!strcmp(mt_str(o, "handle"), in->handle))
            return MT_E_OU_HANDLE_CONFLICT;
    }
    return MT_E_OK;
}

/* Fills handle/name/description/parent of o from in. */
static void ou_apply(json_t *o, const struct ou_input *in)
{
    json_object_set_new(o, "handle", json_string(in->handle));
    json_object_set_new(o, "name", json_string(in->name));
    if (in->desc && *in->desc)
        json_object_set_new(o, "description", json_string(in->desc));
    else
        json_object_del(o, "description");
    json_object_set_new(o, "parent", in->parent ? json_string(in->parent) : json_null());
}

enum mt_e mt_ou_create(struct mt_store *s, const json_t *body, int64_t now, json_t **out)
{
    struct ou_input in = {0};
    char id[37], ts[32];
    json_t *o;
    enum mt_e e = ou_read(s, body, NULL, &in);

    if (e)
        goto out;
    if (!mt_store_has_room(s, s->ous)) {
        e = MT_E_LIMIT;
        goto out;
    }
    if (!mt_new_id(id) || !(o = json_pack("{s:s}", "id", id))) {
        e = MT_E_INTERNAL;
        goto out;
    }
    ou_apply(o, &in);
    mt_time_format(now, ts);
    json_object_set_new(o, "isReadOnly", json_false());
    json_object_set_new(o, "createdAt", json_string(ts));
    json_object_set_new(o, "updatedAt", json_string(ts));
    json_array_append_new(s->ous, o);
    *out = ou_out(o);
out:
    ou_input_free(&in);
    return e;
}

enum mt_e mt_ou_get(const struct mt_store *s, const char *id, json_t **out)
{
    json_t *o = mt_store_find(s->ous, "id", id);

    if (!o)
        return MT_E_OU_NOT_FOUND;
    *out = ou_out(o);
    return MT_E_OK;
}

enum mt_e mt_ou_get_path(const struct mt_store *s, const char *path, json_t **out)
{
    const char *parent = NULL, *p = path;
    json_t *cur = NULL;
    int depth = 0;

    while (*p) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        size_t i;
        json_t *o;
        if (n && ++depth <= MT_OU_DEPTH_MAX) {
            cur = NULL;
            json_array_foreach(s->ous, i, o)
            {
                const char *h = mt_str(o, "handle");
                if (same_parent(o, parent) && strlen(h) == n && !strncmp(h, p, n)) {
                    cur = o;
                    break;
                }
            }
            if (!cur)
                return MT_E_OU_INVALID_HANDLE_PATH;
            parent = mt_str(cur, "id");
        }
        p += n + (slash ? 1 : 0);
    }
    if (!cur)
        return MT_E_OU_INVALID_HANDLE_PATH;
    *out = ou_out(cur);
    return MT_E_OK;
}

enum mt_e mt_ou_update(struct mt_store *s, const char *id, const json_t *body, int64_t now,
                       json_t **out)
{
    struct ou_input in = {0};
    json_t *o = mt_store_find(s->ous, "id", id);
    char ts[32];
    enum mt_e e;

    if (!o)
        return MT_E_OU_NOT_FOUND;
    if (json_is_true(json_object_get(o, "isReadOnly")))
        return MT_E_OU_IMMUTABLE;
    if (!(e = ou_read(s, body, o, &in))) {
        ou_apply(o, &in);
        mt_time_format(now, ts);
        json_object_set_new(o, "updatedAt", json_string(ts));
        *out = ou_out(o);
    }
    ou_input_free(&in);
    return e;
}

enum mt_e mt_ou_delete(struct mt_store *s, const char *id)
{
    json_t *o = mt_store_find(s->ous, "id", id);

    if (!o)
        return MT_E_OU_NOT_FOUND;
    if (json_is_true(json_object_get(o, "isReadOnly")))
        return MT_E_OU_IMMUTABLE;
    if (mt_store_find(s->ous, "parent", id) || mt_store_find(s->apps, "ouId", id) ||
        mt_store_find(s->servers, "ouId", id) || mt_store_find(s->roles, "ouId", id))
        return MT_E_OU_CANNOT_DELETE;
    mt_store_remove(s->ous, id);
    return MT_E_OK;
}
