/* test_gw_router.c - gin matching, priorities, trailing-slash and fixed-path redirects, 405. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "gw_router.h"

static struct gw_router R;
static const struct gw_route_opts ALL = {true, true, true};

static int setup(void **state)
{
    struct cmn_err err = {0};

    (void)state;
    gw_router_init(&R);
    assert_true(gw_router_add(&R, "GET", "/__health", 1, 0, &err));
    assert_true(gw_router_add(&R, "GET", "/__debug/*param", 2, 0, &err));
    assert_true(gw_router_add(&R, "POST", "/__debug/*param", 2, 0, &err));
    assert_true(gw_router_add(&R, "GET", "/static", 0, 1, &err));
    assert_true(gw_router_add(&R, "GET", "/crash", 0, 2, &err));
    assert_true(gw_router_add(&R, "GET", "/users/{id}", 0, 3, &err));
    assert_true(gw_router_add(&R, "GET", "/users/me", 0, 4, &err));
    assert_true(gw_router_add(&R, "PUT", "/users/{id}", 0, 5, &err));
    assert_true(gw_router_add(&R, "GET", "/a/{x}/b/{y}", 0, 6, &err));
    assert_true(gw_router_add(&R, "GET", "/slash/", 0, 7, &err));
    assert_true(gw_router_add(&R, "DELETE", "/static", 0, 8, &err));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    gw_router_free(&R);
    return 0;
}

static void route(const char *m, const char *p, struct gw_route_result *res)
{
    gw_router_route(&R, m, p, &ALL, res);
}

static void matches_params_and_prefers_static(void **state)
{
    struct gw_route_result r;

    (void)state;
    route("GET", "/users/42", &r);
    assert_int_equal(r.outcome, GW_ROUTE_FOUND);
    assert_int_equal(r.match.index, 3);
    assert_int_equal(r.match.n_params, 1);
    assert_string_equal(r.match.params[0].name, "id");
    assert_string_equal(r.match.params[0].value, "42");
    gw_route_result_free(&r);
    route("GET", "/users/me", &r);
    assert_int_equal(r.match.index, 4);
    gw_route_result_free(&r);
    route("GET", "/a/1/b/2", &r);
    assert_int_equal(r.match.index, 6);
    assert_string_equal(r.match.params[1].value, "2");
    gw_route_result_free(&r);
    route("GET", "/__debug/x/y", &r);
    assert_int_equal(r.match.kind, 2);
    assert_string_equal(r.match.params[0].value, "/x/y");
    gw_route_result_free(&r);
    route("GET", "/__debug/", &r);
    assert_int_equal(r.outcome, GW_ROUTE_FOUND);
    assert_string_equal(r.match.params[0].value, "/");
    gw_route_result_free(&r);
}

static void empty_params_do_not_match(void **state)
{
    struct gw_route_result r;

    (void)state;
    route("GET", "/users/", &r);
    assert_int_equal(r.outcome, GW_ROUTE_NOT_FOUND);
    route("GET", "/a//b/2", &r);
    assert_int_equal(r.outcome, GW_ROUTE_NOT_FOUND);
}

static void trailing_slash_redirects(void **state)
{
    struct gw_route_result r;

    (void)state;
    route("GET", "/static/", &r);
    assert_int_equal(r.outcome, GW_ROUTE_REDIRECT);
    assert_int_equal(r.redirect_status, 301);
    assert_string_equal(r.redirect_path, "/static");
    route("PUT", "/users/7/", &r);
    assert_int_equal(r.redirect_status, 307);
    assert_string_equal(r.redirect_path, "/users/7");
    route("GET", "/slash", &r);
    assert_string_equal(r.redirect_path, "/slash/");
    route("GET", "/__debug", &r);
    assert_int_equal(r.outcome, GW_ROUTE_REDIRECT);
    assert_string_equal(r.redirect_path, "/__debug/");
}

static void fixed_path_redirects(void **state)
{
    struct gw_route_result r;

    (void)state;
    route("GET", "/StAtic", &r);
    assert_int_equal(r.outcome, GW_ROUTE_REDIRECT);
    assert_string_equal(r.redirect_path, "/static");
    route("GET", "/USERS/AbC", &r);
    assert_string_equal(r.redirect_path, "/users/AbC"); /* param text kept */
    route("GET", "//static/../crash/", &r);
    assert_string_equal(r.redirect_path, "/crash");
    struct gw_route_opts no_fix = {true, false, true};
    gw_router_route(&R, "GET", "/StAtic", &no_fix, &r);
    assert_int_equal(r.outcome, GW_ROUTE_NOT_FOUND);
}

static void method_not_allowed_lists_methods_in_tree_order(void **state)
{
    struct gw_route_result r;
    struct gw_route_opts no405 = {true, true, false};

    (void)state;
    route("POST", "/static", &r);
    assert_int_equal(r.outcome, GW_ROUTE_NOT_ALLOWED);
    assert_string_equal(r.allow, "GET, DELETE");
    route("HEAD", "/crash", &r);
    assert_int_equal(r.outcome, GW_ROUTE_NOT_ALLOWED);
    assert_string_equal(r.allow, "GET");
    route("PATCH", "/users/1", &r);
    assert_string_equal(r.allow, "GET, PUT");
    gw_router_route(&R, "POST", "/static", &no405, &r);
    assert_int_equal(r.outcome, GW_ROUTE_NOT_FOUND);
    route("GET", "/nothing", &r);
    assert_int_equal(r.outcome, GW_ROUTE_NOT_FOUND);
    route("GET", "/", &r);
    assert_int_equal(r.outcome, GW_ROUTE_NOT_FOUND);
}

static void duplicates_refused(void **state)
{
    struct cmn_err err = {0};

    (void)state;
    assert_false(gw_router_add(&R, "GET", "/users/{other}", 0, 9, &err));
    assert_non_null(strstr(err.msg, "conflicts"));
    assert_true(gw_router_add(&R, "POST", "/users/{other}", 0, 9, &err));
}

static void clean_path_like_gin(void **state)
{
    static const char *cases[][2] = {
        {"", "/"},       {"/a//b", "/a/b"}, {"/a/./b/", "/a/b/"},      {"/a/b/..", "/a"},
        {"/../a", "/a"}, {"a/b", "/a/b"},   {"/a/../../b/c/", "/b/c/"}};
    char out[64];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        gw_router_clean_path(cases[i][0], out, sizeof(out));
        assert_string_equal(out, cases[i][1]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(matches_params_and_prefers_static),
        cmocka_unit_test(empty_params_do_not_match),
        cmocka_unit_test(trailing_slash_redirects),
        cmocka_unit_test(fixed_path_redirects),
        cmocka_unit_test(method_not_allowed_lists_methods_in_tree_order),
        cmocka_unit_test(duplicates_refused),
        cmocka_unit_test(clean_path_like_gin),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
