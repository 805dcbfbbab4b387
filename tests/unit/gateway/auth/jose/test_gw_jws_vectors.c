/* test_gw_jws_vectors.c - Wycheproof and RFC 7515/7520/8037 vectors through the JWS layer. */
#include "cmn_b64.h"
#include "gw_jwk_int.h"
#include "gw_jws.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tu_file.h"
#include "tu_shared.h"

static bool hex_decode(const char *s, unsigned char *out, size_t *out_len)
{
    size_t n = strlen(s);

    if (n % 2)
        return false;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        if (sscanf(s + 2 * i, "%2x", &v) != 1)
            return false;
        out[i] = (unsigned char)v;
    }
    *out_len = n / 2;
    return true;
}

/* Runs one vector; returns true when our verdict equals the expected one. */
static bool run_case(json_t *c, int *accepted)
{
    const char *alg_name = json_string_value(json_object_get(c, "jws_alg"));
    const char *msg_hex = json_string_value(json_object_get(c, "msg_hex"));
    const char *sig_b64 = json_string_value(json_object_get(c, "sig_b64u"));
    const char *expect = json_string_value(json_object_get(c, "jws_expect"));
    enum gw_jose_alg alg = gw_jose_alg_from_name(alg_name);
    struct cmn_err err = {0};
    struct gw_jwk *key = gw_jwk_from_json(json_object_get(c, "jwk"), &err);
    unsigned char *msg = malloc(strlen(msg_hex) / 2 + 1);
    unsigned char *sig = malloc(cmn_b64_decoded_max(strlen(sig_b64)) + 1);
    size_t msg_len = 0, sig_len = 0;
    bool ok = false;

    assert_non_null(msg);
    assert_non_null(sig);
    assert_int_not_equal(alg, GW_ALG_INVALID);
    assert_true(hex_decode(msg_hex, msg, &msg_len));
    if (key && cmn_b64url_decode(sig_b64, strlen(sig_b64), sig, &sig_len))
        ok = gw_jws_verify(alg, key, msg, msg_len, sig, sig_len, &err) == GW_JWS_OK;
    *accepted = ok;
    gw_jwk_destroy(key);
    free(msg);
    free(sig);
    return ok == (strcmp(expect, "accept") == 0);
}

static void test_wycheproof_jws_flat(void **state)
{
    size_t len, n = 0, accepted_n = 0, failures = 0;
    char *data = tu_shared_read("vectors/wycheproof/jws_flat.jsonl", &len);
    char *line, *next;

    (void)state;
    assert_non_null(data);
    for (line = data; line && *line; line = next) {
        json_error_t je;
        json_t *c;
        int accepted;
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (!*line)
            continue;
        c = json_loads(line, 0, &je);
        assert_non_null(c);
        if (!run_case(c, &accepted)) {
            failures++;
            print_message("MISMATCH %s tcId %lld %s: expected %s\n",
                          json_string_value(json_object_get(c, "source")),
                          json_integer_value(json_object_get(c, "tcId")),
                          json_string_value(json_object_get(c, "comment")),
                          json_string_value(json_object_get(c, "jws_expect")));
        }
        accepted_n += (size_t)accepted;
        n++;
        json_decref(c);
    }
    free(data);
    print_message("wycheproof: %zu cases, %zu accepted, %zu mismatches\n", n, accepted_n, failures);
    assert_int_equal(n, 4477);
    assert_int_equal(failures, 0);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest shared[] = {
        cmocka_unit_test(test_wycheproof_jws_flat),
    };
    return tu_run(argc, argv, NULL, 0, shared, TU_COUNT(shared));
}
