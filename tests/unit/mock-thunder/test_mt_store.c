/* test_mt_store.c - permission derivation, sanitising, services' validation and codes, store
 * loading (shape and references), bootstrap and seed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mt_store.h"

#define NOW 1800000000

static json_t *J(const char *s)
{
    json_t *v = json_loads(s, 0, NULL);
    assert_non_null(v);
    return v;
}

static void perm_derivation(void **state)
{
    char *p;

    (void)state;
    p = mt_perm_derive(NULL, "booking-api", ':', "item");
    assert_string_equal(p, "booking-api:item");
    free(p);
    p = mt_perm_derive("booking-api:item", "booking-api", ':', "read");
    assert_string_equal(p, "booking-api:item:read");
    free(p);
    p = mt_perm_derive(NULL, "", '.', "read"); /* no server handle: the handle alone */
    assert_string_equal(p, "read");
    free(p);
    p = mt_perm_derive("a/b", "x", '/', "c");
    assert_string_equal(p, "a/b/c");
    free(p);
}

static void sanitize(void **state)
{
    char *s = mt_sanitize("  A & B <x>\t'q' \"d\"\x01 ");

    (void)state;
    assert_string_equal(s, "A &amp; B &lt;x&gt;&#39;q&#39; &#34;d&#34;"); /* tab dropped too */
    free(s);
}

/* A store with the bootstrap entities and the guide's server, resource and action. */
static void guide_store(struct mt_store *s, char rs[64], char res[64])
{
    json_t *out = NULL, *b;
    struct cmn_err err = {0};

    mt_store_init(s);
    assert_true(mt_store_bootstrap(s, "https://localhost:8090", "admin", "secret", NOW, &err));
    b = J("{\"name\":\"Items API\",\"handle\":\"booking-api\",\"identifier\":\"https://api\","
          "\"ouId\":\"" MT_ID_DEFAULT_OU "\"}");
    assert_int_equal(mt_rs_create(s, b, &out), MT_E_OK);
    snprintf(rs, 64, "%s", json_string_value(json_object_get(out, "id")));
    json_decref(b);
    json_decref(out);
    b = J("{\"name\":\"Items\",\"handle\":\"item\"}");
    assert_int_equal(mt_res_create(s, rs, b, &out), MT_E_OK);
    assert_string_equal(json_string_value(json_object_get(out, "permission")), "booking-api:item");
    snprintf(res, 64, "%s", json_string_value(json_object_get(out, "id")));
    json_decref(b);
    json_decref(out);
    b = J("{\"name\":\"Read\",\"handle\":\"read\",\"description\":\"d\"}");
    assert_int_equal(mt_act_create(s, rs, res, b, &out), MT_E_OK);
    assert_string_equal(json_string_value(json_object_get(out, "permission")),
                        "booking-api:item:read");
    assert_null(json_object_get(out, "_rsId")); /* internal members never leave the store */
    json_decref(b);
    json_decref(out);
}

static void validation_codes(void **state)
{
    struct mt_store s;
    char rs[64], res[64];
    json_t *out = NULL, *b;
    static const struct {
        const char *body;
        enum mt_e want;
    } cases[] = {
        {"[]", MT_E_RES_INVALID_REQUEST},
        {"{\"ouId\":\"" MT_ID_DEFAULT_OU "\"}", MT_E_RES_INVALID_REQUEST},
        {"{\"name\":\"  \",\"ouId\":\"" MT_ID_DEFAULT_OU "\"}", MT_E_RES_INVALID_REQUEST},
        {"{\"name\":true,\"ouId\":\"" MT_ID_DEFAULT_OU "\"}", MT_E_RES_INVALID_REQUEST},
        {"{\"name\":\"n\",\"ouId\":\"x\"}", MT_E_RES_OU_NOT_FOUND},
        {"{\"name\":\"n\",\"ouId\":\"" MT_ID_DEFAULT_OU "\",\"delimiter\":\"::\"}",
         MT_E_RES_INVALID_DELIMITER},
        {"{\"name\":\"n\",\"ouId\":\"" MT_ID_DEFAULT_OU "\",\"delimiter\":\"a\"}",
         MT_E_RES_INVALID_DELIMITER},
        {"{\"name\":\"n\",\"ouId\":\"" MT_ID_DEFAULT_OU "\",\"handle\":\"h h\"}",
         MT_E_RES_INVALID_HANDLE},
        {"{\"name\":\"n\",\"ouId\":\"" MT_ID_DEFAULT_OU
         "\",\"handle\":\"a.b\",\"delimiter\":\".\"}",
         MT_E_RES_DELIMITER_IN_RS_HANDLE},
        {"{\"name\":\"Items API\",\"ouId\":\"" MT_ID_DEFAULT_OU "\"}", MT_E_RES_NAME_CONFLICT},
        {"{\"name\":\"n\",\"ouId\":\"" MT_ID_DEFAULT_OU "\",\"identifier\":\"https://api\"}",
         MT_E_RES_IDENTIFIER_CONFLICT},
        {"{\"name\":\"n\",\"ouId\":\"" MT_ID_DEFAULT_OU "\",\"type\":\"WEB\"}",
         MT_E_RES_INVALID_REQUEST},
    };

    (void)state;
    guide_store(&s, rs, res);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        b = J(cases[i].body);
        out = NULL;
        assert_int_equal(mt_rs_create(&s, b, &out), cases[i].want);
        assert_null(out);
        json_decref(b);
    }
    assert_int_equal(json_array_size(s.servers), 2);
    assert_int_equal(mt_apierr_get(MT_E_RES_NAME_CONFLICT)->status, 409);
    assert_int_equal(mt_apierr_get(MT_E_APP_NAME_EXISTS)->status, 400);
    assert_int_equal(mt_apierr_get(MT_E_RES_RS_NOT_FOUND)->status, 404);
    assert_int_equal(mt_rs_delete(&s, rs), MT_E_RES_CANNOT_DELETE);
    assert_int_equal(mt_res_delete(&s, rs, res), MT_E_RES_CANNOT_DELETE);
    assert_int_equal(mt_rs_delete(&s, MT_ID_SYSTEM_RS), MT_E_RES_IMMUTABLE_RS);
    mt_store_free(&s);
}

static void handle_change_recomputes(void **state)
{
    struct mt_store s;
    char rs[64], res[64];
    json_t *out = NULL, *b;

    (void)state;
    guide_store(&s, rs, res);
    b = J("{\"name\":\"Items API\",\"handle\":\"items\",\"ouId\":\"" MT_ID_DEFAULT_OU "\"}");
    assert_int_equal(mt_rs_update(&s, rs, b, &out), MT_E_OK);
    json_decref(out);
    json_decref(b);
    assert_true(mt_store_perm_on_server(&s, rs, "items:item:read"));
    assert_false(mt_store_perm_on_server(&s, rs, "booking-api:item:read"));
    mt_store_free(&s);
}

static void roles_and_permissions(void **state)
{
    struct mt_store s;
    char rs[64], res[64], body[512];
    json_t *out = NULL, *b, *held, *app = NULL;
    const char *app_id, *role_id;

    (void)state;
    guide_store(&s, rs, res);
    snprintf(body, sizeof(body),
             "{\"name\":\"R\",\"ouId\":\"" MT_ID_DEFAULT_OU "\",\"permissions\":[{"
             "\"resourceServerId\":\"%s\",\"permissions\":[\"booking-api:item:write\"]}]}",
             rs);
    b = J(body);
    assert_int_equal(mt_role_create(&s, b, &out), MT_E_ROL_INVALID_PERMISSIONS);
    json_decref(b);
    snprintf(body, sizeof(body),
             "{\"name\":\"R\",\"ouId\":\"" MT_ID_DEFAULT_OU "\",\"permissions\":[{"
             "\"resourceServerId\":\"%s\",\"permissions\":[\"booking-api:item:read\"]}]}",
             rs);
    b = J(body);
    assert_int_equal(mt_role_create(&s, b, &out), MT_E_OK);
    assert_int_equal(mt_role_create(&s, b, &app), MT_E_ROL_NAME_CONFLICT);
    json_decref(b);
    role_id = json_string_value(json_object_get(out, "id"));
    b = J("{\"name\":\"svc\",\"ouId\":\"" MT_ID_DEFAULT_OU "\",\"inboundAuthConfig\":[{\"type\":"
          "\"oauth2\",\"config\":{\"grantTypes\":[\"client_credentials\"]}}]}");
    assert_int_equal(mt_app_create(&s, b, &app), MT_E_OK);
    json_decref(b);
    app_id = json_string_value(json_object_get(app, "id"));
    assert_int_equal(strlen(json_string_value(json_object_get(app, "clientId"))), 22);
    snprintf(body, sizeof(body), "{\"roles\":[\"%s\",\"nope\"]}", role_id);
    b = J(body);
    assert_int_equal(mt_app_assign_roles(&s, app_id, b), MT_E_ROL_INVALID_ASSIGNMENT_ID);
    json_decref(b);
    held = mt_store_app_permissions(&s, app_id);
    assert_int_equal(json_array_size(held), 0); /* the failed call changed nothing */
    json_decref(held);
    snprintf(body, sizeof(body), "{\"roles\":[\"%s\"]}", role_id);
    b = J(body);
    assert_int_equal(mt_app_assign_roles(&s, app_id, b), MT_E_OK);
    assert_int_equal(mt_app_assign_roles(&s, app_id, b), MT_E_OK); /* idempotent */
    json_decref(b);
    held = mt_store_app_permissions(&s, app_id);
    assert_int_equal(json_array_size(held), 1);
    assert_string_equal(json_string_value(json_array_get(held, 0)), "booking-api:item:read");
    json_decref(held);
    assert_int_equal(mt_role_delete(&s, role_id), MT_E_ROL_CANNOT_DELETE);
    assert_int_equal(mt_app_delete(&s, app_id), MT_E_OK);
    assert_int_equal(mt_role_delete(&s, role_id), MT_E_OK); /* the app's assignment went with it */
    json_decref(out);
    json_decref(app);
    mt_store_free(&s);
}

static void load_validation(void **state)
{
    struct mt_store s, t;
    struct cmn_err err = {0};
    char rs[64], res[64];
    json_t *doc, *bad;

    (void)state;
    guide_store(&s, rs, res);
    doc = mt_store_to_json(&s);
    mt_store_init(&t);
    assert_true(mt_store_from_json(&t, doc, &err));
    assert_true(json_equal(t.actions, s.actions));

    bad = json_deep_copy(doc);
    json_object_set_new(json_array_get(json_object_get(bad, "resources"), 0), "_rsId",
                        json_string("gone"));
    assert_false(mt_store_from_json(&t, bad, &err));
    assert_string_equal(err.msg, "resources[0]._rsId: refers to nothing");
    json_decref(bad);

    bad = json_deep_copy(doc);
    json_object_set_new(bad, "roles", json_string("x"));
    assert_false(mt_store_from_json(&t, bad, &err));
    assert_string_equal(err.msg, "roles: not an array");
    json_decref(bad);

    bad = json_deep_copy(doc);
    json_array_append_new(
        json_object_get(bad, "organizationUnits"),
        json_deep_copy(json_array_get(json_object_get(bad, "organizationUnits"), 0)));
    assert_false(mt_store_from_json(&t, bad, &err));
    assert_string_equal(err.msg, "organizationUnits[1].id: duplicate id");
    json_decref(bad);

    bad = json_pack("{s:i}", "version", 2);
    assert_false(mt_store_from_json(&t, bad, &err));
    json_decref(bad);
    assert_true(json_equal(t.actions, s.actions)); /* failures left the store as it was */
    json_decref(doc);
    mt_store_free(&t);
    mt_store_free(&s);
}

static void bootstrap_is_idempotent(void **state)
{
    struct mt_store s;
    struct cmn_err err = {0};
    json_t *app;
    char h[65];

    (void)state;
    mt_store_init(&s);
    assert_true(mt_store_bootstrap(&s, "https://a:1", "admin", "one", NOW, &err));
    assert_true(mt_store_bootstrap(&s, "https://b:2", "admin2", "two", NOW, &err));
    assert_int_equal(json_array_size(s.apps), 1);
    assert_int_equal(json_array_size(s.roles), 1);
    assert_int_equal(json_array_size(s.ous), 1);
    app = mt_store_app_by_client(&s, "admin2");
    assert_non_null(app);
    mt_secret_hash("two", h);
    assert_string_equal(json_string_value(json_object_get(app, "_secretHash")), h);
    assert_string_equal(json_string_value(json_object_get(
                            mt_store_find(s.servers, "id", MT_ID_SYSTEM_RS), "identifier")),
                        "https://b:2/mcp");
    json_t *perms = mt_store_app_permissions(&s, MT_ID_ADMIN_APP);
    assert_string_equal(json_string_value(json_array_get(perms, 0)), "system");
    json_decref(perms);
    mt_store_free(&s);
}

static void seed(void **state)
{
    struct mt_store s;
    struct cmn_err err = {0};
    json_t *doc, *app, *held;

    (void)state;
    mt_store_init(&s);
    assert_true(mt_store_bootstrap(&s, "https://localhost:8090", "admin", "x", NOW, &err));
    doc = J("{\"resourceServers\":[{\"name\":\"Items API\",\"handle\":\"booking-api\","
            "\"identifier\":\"https://api\",\"resources\":[{\"name\":\"Items\",\"handle\":\"item\","
            "\"actions\":[{\"name\":\"Read\",\"handle\":\"read\"}]}]}],"
            "\"roles\":[{\"name\":\"Reader\",\"permissions\":[\"booking-api:item:read\"]}],"
            "\"applications\":[{\"name\":\"svc\",\"clientId\":\"svc\",\"clientSecret\":\"s\","
            "\"roles\":[\"Reader\"]}]}");
    assert_true(mt_store_seed(&s, doc, NOW, &err));
    assert_true(mt_store_seed(&s, doc, NOW, &err)); /* a second run changes nothing */
    json_decref(doc);
    assert_int_equal(json_array_size(s.apps), 2);
    assert_int_equal(json_array_size(s.roles), 2);
    app = mt_store_app_by_client(&s, "svc");
    held = mt_store_app_permissions(&s, json_string_value(json_object_get(app, "id")));
    assert_string_equal(json_string_value(json_array_get(held, 0)), "booking-api:item:read");
    json_decref(held);
    doc = J("{\"roles\":[{\"name\":\"Bad\",\"permissions\":[\"nope:x\"]}]}");
    assert_false(mt_store_seed(&s, doc, NOW, &err));
    assert_string_equal(err.msg, "roles[0].permissions[0]: no resource server defines it");
    json_decref(doc);
    mt_store_free(&s);
}

static void pagination(void **state)
{
    json_t *items = json_array(), *p;

    (void)state;
    for (int i = 0; i < 5; i++)
        json_array_append_new(items, json_integer(i));
    p = mt_page(items, "x", "/roles", 4, 2);
    assert_int_equal(json_integer_value(json_object_get(p, "startIndex")), 5);
    assert_int_equal(json_integer_value(json_object_get(p, "count")), 1);
    assert_int_equal(json_array_size(json_object_get(p, "links")), 2); /* first, prev */
    json_decref(p);
    p = mt_page(items, "x", "/roles", 10, 30);
    assert_int_equal(json_integer_value(json_object_get(p, "count")), 0);
    json_decref(p);
    json_decref(items);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(perm_derivation),
        cmocka_unit_test(sanitize),
        cmocka_unit_test(validation_codes),
        cmocka_unit_test(handle_change_recomputes),
        cmocka_unit_test(roles_and_permissions),
        cmocka_unit_test(load_validation),
        cmocka_unit_test(bootstrap_is_idempotent),
        cmocka_unit_test(seed),
        cmocka_unit_test(pagination),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
