/* test_gw_audit.c - audit's rule table (krakend-audit v0.9.3's 52 rules in its order, with its
 * severities, then gw.1.1-gw.1.5), the severity filter, ignoring, and a few conditions on
 * parsed configurations (the e2e table tests/data/cli/audit_* covers the CLI). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "gw_audit.h"

static const char *const KRAKEND_IDS[] = {
    "1.1.1", "1.1.2", "1.2.1", "2.1.1", "2.1.2", "2.1.3", "2.1.7", "2.1.8", "2.1.9", "2.2.1",
    "2.2.2", "2.2.3", "2.2.4", "2.2.5", "2.3.1", "3.1.1", "3.1.2", "3.1.3", "3.3.1", "3.3.2",
    "3.3.3", "3.3.4", "4.1.1", "4.1.2", "4.1.3", "4.2.1", "4.3.1", "5.1.1", "5.1.2", "5.1.3",
    "5.1.4", "5.1.5", "5.1.6", "5.1.7", "5.2.1", "5.2.2", "5.2.3", "6.1.1", "7.1.1", "7.1.2",
    "7.1.3", "7.1.4", "7.1.5", "7.1.6", "7.1.7", "7.1.8", "7.1.9", "7.2.1", "7.2.2", "7.2.3",
    "7.2.4", "7.3.1"};
#define N_KRAKEND (sizeof(KRAKEND_IDS) / sizeof(KRAKEND_IDS[0]))

static void table(void **state)
{
    const char *id, *sev, *msg;

    (void)state;
    assert_int_equal(gw_audit_rule_count(), N_KRAKEND + 5);
    for (size_t i = 0; i < N_KRAKEND; i++) {
        assert_true(gw_audit_rule_info(i, &id, &sev, &msg));
        assert_string_equal(id, KRAKEND_IDS[i]);
        assert_true(strcmp(sev, "CRITICAL") == 0 || strcmp(sev, "HIGH") == 0 ||
                    strcmp(sev, "MEDIUM") == 0 || strcmp(sev, "LOW") == 0);
        assert_true(strlen(msg) > 10);
    }
    assert_true(gw_audit_rule_info(N_KRAKEND, &id, &sev, &msg));
    assert_string_equal(id, "gw.1.1");
    assert_string_equal(sev, "CRITICAL");
    assert_false(gw_audit_rule_info(N_KRAKEND + 5, &id, &sev, &msg));
    /* spot checks of KrakenD's severities */
    assert_true(gw_audit_rule_info(5, &id, &sev, &msg));
    assert_string_equal(sev, "CRITICAL"); /* 2.1.3 */
    assert_true(gw_audit_rule_info(8, &id, &sev, &msg));
    assert_string_equal(sev, "LOW"); /* 2.1.9 */
}

static void severities(void **state)
{
    const char *bad;
    size_t n;

    (void)state;
    assert_int_equal(gw_audit_severities("CRITICAL,HIGH,MEDIUM,LOW", &bad, &n), GW_AUDIT_ALL);
    assert_null(bad);
    assert_int_equal(gw_audit_severities("HIGH", &bad, &n), GW_AUDIT_HIGH);
    /* exact names only, as KrakenD compares them; the first unknown one is named */
    assert_int_equal(gw_audit_severities("high,LOW", &bad, &n), GW_AUDIT_LOW);
    assert_non_null(bad);
    assert_int_equal(n, 4);
    assert_memory_equal(bad, "high", 4);
}

static struct gw_config *parse(const char *json)
{
    struct cmn_err err;
    char *const env[] = {NULL};
    struct gw_config *c = gw_config_parse(json, strlen(json), "krakend.json", env, &err);

    if (!c)
        fail_msg("%s", err.msg);
    return c;
}

static bool fired(const struct gw_audit_result *r, const char *id)
{
    for (size_t i = 0; i < r->n; i++) {
        if (strcmp(r->items[i].rule, id) == 0)
            return true;
    }
    return false;
}

static void conditions(void **state)
{
    struct gw_config *c;
    struct gw_audit_result r;
    struct cmn_err err;
    const char *ignore[] = {"2.1.2"};

    (void)state;
    c = parse("{\"version\": 3, \"host\": [\"http://h\"], \"timeout\": \"4s\","
              "\"endpoints\": [{\"endpoint\": \"/a\", \"input_headers\": [\"Authorization\"],"
              " \"backend\": [{\"url_pattern\": \"/\", \"input_headers\": [\"X-Id\"]}]},"
              " {\"endpoint\": \"/b\", \"backend\": [{\"url_pattern\": \"/\"}, {\"url_pattern\": "
              "\"/c\"}]}]}");
    assert_true(gw_audit_run(c, ignore, 1, GW_AUDIT_ALL, &r, &err));
    assert_false(fired(&r, "2.1.2")); /* ignored */
    assert_true(fired(&r, "1.2.1"));
    assert_true(fired(&r, "3.3.1"));  /* 4 s > 3 s */
    assert_false(fired(&r, "3.3.2")); /* not > 5 s */
    assert_false(fired(&r, "5.2.2")); /* /b has two backends */
    /* the backend filters Authorization out: our gw.1.2 does not fire */
    assert_false(fired(&r, "gw.1.2"));
    gw_audit_result_free(&r);
    /* severities filter */
    assert_true(gw_audit_run(c, NULL, 0, GW_AUDIT_CRITICAL, &r, &err));
    assert_int_equal(r.n, 0);
    gw_audit_result_free(&r);
    gw_config_destroy(c);

    c = parse("{\"version\": 3, \"host\": [\"http://h\"], \"endpoints\": [{\"endpoint\": \"/a\","
              " \"input_headers\": [\"*\"], \"backend\": [{\"url_pattern\": \"/\"}]}]}");
    assert_true(gw_audit_run(c, NULL, 0, GW_AUDIT_ALL, &r, &err));
    assert_true(fired(&r, "gw.1.2"));
    assert_true(fired(&r, "2.2.3"));
    gw_audit_result_free(&r);
    gw_config_destroy(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table),
        cmocka_unit_test(severities),
        cmocka_unit_test(conditions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
