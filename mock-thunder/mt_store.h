/* mt_store.h - mock-thunder's entities (OUs, applications, resource servers, resources,
 * actions, roles) and the services that validate and change them. No IO: the caller locks,
 * persists and passes `now`. */
#ifndef MT_STORE_H
#define MT_STORE_H

#include "cmn_err.h"
#include "mt_apierr.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MT_MAX_PER_KIND 10000
#define MT_HANDLE_MAX 100
#define MT_NAME_MAX 256
#define MT_DESC_MAX 4096
#define MT_DEFAULT_VALIDITY 3600

/* Fixed ids of what bootstrap creates (the default OU, System RS and Administrator role are
 * ThunderID v1.0's declarative ids; the admin application is the mock's own). */
#define MT_ID_DEFAULT_OU "01900000-0000-7000-8000-000000000001"
#define MT_ID_SYSTEM_RS "01900000-0000-7000-8000-000000000020"
#define MT_ID_ADMIN_ROLE "01900000-0000-7000-8000-000000000050"
#define MT_ID_ADMIN_APP "01900000-0000-7000-8000-000000000070"

/* Each member is a JSON array of entity objects (owned). Applications keep a SHA-256 hash of
 * their secret, never the secret. */
struct mt_store {
    json_t *ous;
    json_t *apps;
    json_t *servers;
    json_t *resources;
    json_t *actions;
    json_t *roles;
    size_t max_per_kind;
};

void mt_store_init(struct mt_store *s);
void mt_store_free(struct mt_store *s);
/* The whole store as one JSON document (owned). */
json_t *mt_store_to_json(const struct mt_store *s);
/* Replaces the contents with doc after checking its shape and references; on failure the store
 * is unchanged and err names the offending entry ("resources[3].rsId: ..."). */
bool mt_store_from_json(struct mt_store *s, const json_t *doc, struct cmn_err *err);

/* Lookups: borrowed entity or NULL. */
json_t *mt_store_find(const json_t *arr, const char *key, const char *value);
json_t *mt_store_app_by_client(const struct mt_store *s, const char *client_id);

/* Permission of a resource or action: parent permission + delim + handle when there is a parent,
 * else rs_handle + delim + handle when the server has a handle, else the handle (v0.43).
 * Owned string, NULL on allocation failure. */
char *mt_perm_derive(const char *parent_perm, const char *rs_handle, char delim,
                     const char *handle);
/* Trims, drops control characters and HTML-escapes like ThunderID v0.43's SanitizeString.
 * Owned, NULL on allocation failure. */
char *mt_sanitize(const char *in);
/* SHA-256 of a client secret as lowercase hex (65 bytes with the NUL). */
void mt_secret_hash(const char *secret, char out[65]);
/* Whether permission p is defined on resource server rs_id (as a resource or action). */
bool mt_store_perm_on_server(const struct mt_store *s, const char *rs_id, const char *p);
/* The distinct permissions the application holds through its roles (owned array of strings). */
json_t *mt_store_app_permissions(const struct mt_store *s, const char *app_id);
/* Timestamps as the real server writes them: "2026-06-10T12:00:00Z". */
void mt_time_format(int64_t unix_s, char out[32]);

/* Pagination envelope around a slice of items (all borrowed; result owned):
 * {totalResults, startIndex, count, <key>: [...], links:[{href, rel}]}. */
json_t *mt_page(const json_t *items, const char *key, const char *base_path, long offset,
                long limit);

/* Services. Each returns MT_E_OK or the error to answer with; *out (owned) is the response body
 * where there is one. Bodies are the decoded request JSON (borrowed). */
enum mt_e mt_ou_list(const struct mt_store *s, const char *parent_id, json_t **out);
enum mt_e mt_ou_create(struct mt_store *s, const json_t *body, int64_t now, json_t **out);
enum mt_e mt_ou_get(const struct mt_store *s, const char *id, json_t **out);
enum mt_e mt_ou_get_path(const struct mt_store *s, const char *path, json_t **out);
enum mt_e mt_ou_update(struct mt_store *s, const char *id, const json_t *body, int64_t now,
                       json_t **out);
enum mt_e mt_ou_delete(struct mt_store *s, const char *id);

enum mt_e mt_rs_list(const struct mt_store *s, json_t **out);
enum mt_e mt_rs_create(struct mt_store *s, const json_t *body, json_t **out);
enum mt_e mt_rs_get(const struct mt_store *s, const char *id, json_t **out);
enum mt_e mt_rs_update(struct mt_store *s, const char *id, const json_t *body, json_t **out);
enum mt_e mt_rs_delete(struct mt_store *s, const char *id);
/* parent_id NULL lists top-level resources. */
enum mt_e mt_res_list(const struct mt_store *s, const char *rs_id, const char *parent_id,
                      json_t **out);
enum mt_e mt_res_create(struct mt_store *s, const char *rs_id, const json_t *body, json_t **out);
enum mt_e mt_res_get(const struct mt_store *s, const char *rs_id, const char *id, json_t **out);
enum mt_e mt_res_update(struct mt_store *s, const char *rs_id, const char *id, const json_t *body,
                        json_t **out);
enum mt_e mt_res_delete(struct mt_store *s, const char *rs_id, const char *id);
/* res_id NULL: actions directly on the server. */
enum mt_e mt_act_list(const struct mt_store *s, const char *rs_id, const char *res_id,
                      json_t **out);
enum mt_e mt_act_create(struct mt_store *s, const char *rs_id, const char *res_id,
                        const json_t *body, json_t **out);
enum mt_e mt_act_get(const struct mt_store *s, const char *rs_id, const char *res_id,
                     const char *id, json_t **out);
enum mt_e mt_act_update(struct mt_store *s, const char *rs_id, const char *res_id, const char *id,
                        const json_t *body, json_t **out);
enum mt_e mt_act_delete(struct mt_store *s, const char *rs_id, const char *res_id, const char *id);

enum mt_e mt_role_list(const struct mt_store *s, json_t **out);
enum mt_e mt_role_create(struct mt_store *s, const json_t *body, json_t **out);
enum mt_e mt_role_get(const struct mt_store *s, const char *id, json_t **out);
enum mt_e mt_role_update(struct mt_store *s, const char *id, const json_t *body, json_t **out);
enum mt_e mt_role_delete(struct mt_store *s, const char *id);
/* type NULL: all types. */
enum mt_e mt_role_assignments(const struct mt_store *s, const char *id, const char *type,
                              bool display, json_t **out);
enum mt_e mt_role_assign(struct mt_store *s, const char *id, const json_t *body, bool add);
/* Guide compatibility: {"roles":[...]} assigns each role to the application. */
enum mt_e mt_app_assign_roles(struct mt_store *s, const char *app_id, const json_t *body);

enum mt_e mt_app_list(const struct mt_store *s, json_t **out);
/* The response carries the client secret: the only time it is shown. */
enum mt_e mt_app_create(struct mt_store *s, const json_t *body, json_t **out);
enum mt_e mt_app_get(const struct mt_store *s, const char *id, json_t **out);
enum mt_e mt_app_update(struct mt_store *s, const char *id, const json_t *body, json_t **out);
enum mt_e mt_app_delete(struct mt_store *s, const char *id);

/* First start, and every start after: the default OU, the System resource server (identifier
 * issuer + "/mcp", permission `system` and `system:<x>:view`), the Administrator role and the
 * admin application with the given credentials (created, or updated in place).
 * Returns false with err set if, e.g., another application already uses that client id. */
bool mt_store_bootstrap(struct mt_store *s, const char *issuer, const char *admin_client_id,
                        const char *admin_client_secret, int64_t now, struct cmn_err *err);

/* Applies a seed document (see docs/mock-thunder.md); entities that already exist by name are
 * kept. Returns false with err naming the entry on the first error. */
bool mt_store_seed(struct mt_store *s, const json_t *seed, int64_t now, struct cmn_err *err);

#endif
