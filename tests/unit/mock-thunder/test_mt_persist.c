/* test_mt_persist.c - the data directory (atomic writes, reads that name the file, the lock,
 * leftovers of a killed writer) and what goes in it: the keyring (save, load, rotation) and
 * the TLS certificate check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mt_keys.h"
#include "mt_persist.h"

#define NOW 1800000000

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/mt-persist.XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void write_read(void **state)
{
    struct cmn_err err = {0};
    char *data;
    size_t len;
    json_t *v;
    FILE *f;
    char p[128];

    (void)state;
    assert_int_equal(mt_persist_read(dir, "x.json", &data, &len, &err), MT_PERSIST_MISSING);
    assert_true(mt_persist_write(dir, "x.json", "{\"a\":1}", 7, &err));
    assert_true(mt_persist_write(dir, "x.json", "{\"a\":2}", 7, &err)); /* replaces */
    assert_int_equal(mt_persist_read_json(dir, "x.json", &v, &err), MT_PERSIST_OK);
    assert_int_equal(json_integer_value(json_object_get(v, "a")), 2);
    json_decref(v);
    snprintf(p, sizeof(p), "%s/x.json", dir);
    f = fopen(p, "w");
    fputs("{\"a\":", f);
    fclose(f);
    assert_int_equal(mt_persist_read_json(dir, "x.json", &v, &err), MT_PERSIST_ERROR);
    assert_non_null(strstr(err.msg, "/x.json: invalid JSON"));
}

static void nested_mkdir_and_lock(void **state)
{
    struct cmn_err err = {0};
    char sub[128];
    int a, b;

    (void)state;
    snprintf(sub, sizeof(sub), "%s/one/two", dir);
    assert_true(mt_persist_mkdir(sub, &err));
    assert_true(mt_persist_mkdir(sub, &err)); /* existing is fine */
    a = mt_persist_lock(sub, &err);
    assert_true(a >= 0);
    b = mt_persist_lock(sub, &err);
    assert_int_equal(b, -1);
    assert_non_null(strstr(err.msg, "in use by another mock-thunder"));
    close(a);
    b = mt_persist_lock(sub, &err);
    assert_true(b >= 0);
    close(b);
}

static void leftovers_removed(void **state)
{
    struct cmn_err err = {0};
    char p[128], *data;
    size_t len;
    FILE *f;

    (void)state;
    assert_true(mt_persist_write(dir, MT_FILE_STORE, "{}", 2, &err));
    snprintf(p, sizeof(p), "%s/%s.tmp.4242", dir, MT_FILE_STORE);
    f = fopen(p, "w");
    fputs("{\"half", f);
    fclose(f);
    mt_persist_clean(dir);
    assert_int_equal(access(p, F_OK), -1);
    assert_int_equal(mt_persist_read(dir, MT_FILE_STORE, &data, &len, &err), MT_PERSIST_OK);
    assert_string_equal(data, "{}");
    free(data);
}

static void keyring_save_load_rotate(void **state)
{
    struct cmn_err err = {0};
    struct mt_keyring r, l;
    json_t *doc, *jwks, *retired = json_array();
    char first[MT_KID_LEN + 1], second[MT_KID_LEN + 1], kid[MT_KID_LEN + 1];
    unsigned char *sig;
    size_t sig_len;

    (void)state;
    mt_keyring_init(&r);
    r.keys[r.n++] = mt_key_generate("k1", NOW, &err);
    assert_non_null(r.keys[0]);
    snprintf(first, sizeof(first), "%s", mt_key_kid(r.keys[0]));
    assert_int_equal(strlen(first), MT_KID_LEN);
    assert_true(mt_keyring_sign(&r, "data", 4, kid, &sig, &sig_len));
    assert_int_equal(sig_len, 256);
    assert_string_equal(kid, first);

    doc = mt_keyring_to_json(&r);
    mt_keyring_init(&l);
    assert_true(mt_keyring_from_json(&l, doc, &err));
    assert_string_equal(mt_key_kid(l.keys[0]), first);
    assert_true(mt_keyring_verify(&l, first, "data", 4, sig, sig_len)); /* same key loaded */
    assert_false(mt_keyring_verify(&l, first, "Data", 4, sig, sig_len));
    mt_keyring_free(&l);
    json_object_set_new(
        json_array_get(json_object_get(doc, "keys"), 0), "cert",
        json_string("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"));
    assert_false(mt_keyring_from_json(&l, doc, &err));
    assert_non_null(strstr(err.msg, "keys[0]: "));
    json_decref(doc);

    assert_true(mt_keyring_rotate(&r, "k2", NOW, retired, &err));
    snprintf(second, sizeof(second), "%s", mt_key_kid(r.keys[0]));
    jwks = mt_keyring_jwks(&r);
    assert_int_equal(json_array_size(json_object_get(jwks, "keys")), 2);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(json_object_get(jwks, "keys"), 1), "kid")),
        first);
    json_decref(jwks);
    assert_int_equal(json_array_size(retired), 0);
    assert_true(mt_keyring_verify(&r, first, "data", 4, sig, sig_len)); /* still published */
    assert_true(mt_keyring_rotate(&r, "k3", NOW, retired, &err));
    assert_int_equal(r.n, 2);
    assert_string_equal(json_string_value(json_array_get(retired, 0)), first);
    assert_string_equal(mt_key_kid(r.keys[1]), second);
    assert_false(mt_keyring_verify(&r, first, "data", 4, sig, sig_len)); /* retired */
    free(sig);
    json_decref(retired);
    mt_keyring_free(&r);
}

static void tls_certificate(void **state)
{
    struct cmn_err err = {0};
    const char *names[] = {"localhost", "127.0.0.1", "::1", "idp.example"};
    const char *more[] = {"localhost", "other.example"};
    char *cert, *key;

    (void)state;
    assert_true(mt_tls_generate(names, 4, NOW, &cert, &key, &err));
    assert_true(mt_tls_covers(cert, names, 4, NOW));
    assert_false(mt_tls_covers(cert, more, 2, NOW));
    assert_false(mt_tls_covers(cert, names, 4, NOW + 20LL * 365 * 86400)); /* expired */
    assert_null(mt_key_load(key, "not a certificate", &err));
    free(cert);
    free(key);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(write_read),        cmocka_unit_test(nested_mkdir_and_lock),
        cmocka_unit_test(leftovers_removed), cmocka_unit_test(keyring_save_load_rotate),
        cmocka_unit_test(tls_certificate),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
