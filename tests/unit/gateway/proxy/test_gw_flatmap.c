/* test_gw_flatmap.c - proxy.flatmap_filter's tree (krakend-config-transform.md §6.1): each row
 * is an input document, operations and the document KrakenD's flatmap leaves. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_flatmap.h"
#include "gw_proxy_response.h"

/* "move a.b c.d|del x y|append s d|other": operations separated by '|', args by ' '. */
static void ops_parse(const char *text, struct gw_flatmap *fm)
{
    char buf[1024], *save = NULL;

    memset(fm, 0, sizeof(*fm));
    snprintf(buf, sizeof(buf), "%s", text);
    fm->ops = calloc(16, sizeof(*fm->ops));
    assert_non_null(fm->ops);
    for (char *op = strtok_r(buf, "|", &save); op; op = strtok_r(NULL, "|", &save)) {
        struct gw_flatmap_op *o = &fm->ops[fm->n_ops++];
        char *s2 = NULL, *kind = strtok_r(op, " ", &s2);
        o->kind = strcmp(kind, "move") == 0     ? GW_FLATMAP_MOVE
                  : strcmp(kind, "del") == 0    ? GW_FLATMAP_DEL
                  : strcmp(kind, "append") == 0 ? GW_FLATMAP_APPEND
                                                : GW_FLATMAP_OTHER;
        o->args = calloc(8, sizeof(*o->args));
        assert_non_null(o->args);
        for (char *a = strtok_r(NULL, " ", &s2); a; a = strtok_r(NULL, " ", &s2)) {
            struct gw_strlist *p = &o->args[o->n_args++];
            char *s3 = NULL;
            p->items = calloc(16, sizeof(char *));
            assert_non_null(p->items);
            /* strings.Split keeps empty segments: split by hand */
            for (char *seg = a;; seg = s3 + 1) {
                s3 = strchr(seg, '.');
                p->items[p->n++] = s3 ? strndup(seg, (size_t)(s3 - seg)) : strdup(seg);
                if (!s3)
                    break;
            }
        }
    }
}

static void ops_free(struct gw_flatmap *fm)
{
    for (size_t i = 0; i < fm->n_ops; i++) {
        for (size_t k = 0; k < fm->ops[i].n_args; k++) {
            for (size_t s = 0; s < fm->ops[i].args[k].n; s++)
                free(fm->ops[i].args[k].items[s]);
            free(fm->ops[i].args[k].items);
        }
        free(fm->ops[i].args);
    }
    free(fm->ops);
}

struct row {
    const char *name, *in, *ops, *out;
};

static const struct row ROWS[] = {
    /* CE's flatmap_1: a collection renamed, an inner key dropped, another renamed per item */
    {"ce_flatmap_1",
     "{\"collection\":[{\"i\":0,\"path\":\"/collection/2\"},{\"i\":1,\"path\":\"/collection/2\"}]}",
     "move collection paths|del paths.*.i|move paths.*.path paths.*.url",
     "{\"paths\":[{\"url\":\"/collection/2\"},{\"url\":\"/collection/2\"}]}"},
    /* labels are not renumbered: after a.1 goes, a.2 still names 30 and a.1 nothing */
    {"del_keeps_labels", "{\"a\":[10,20,30]}", "del a.1|del a.1", "{\"a\":[10,30]}"},
    {"del_old_label", "{\"a\":[10,20,30]}", "del a.1|del a.2", "{\"a\":[10]}"},
    {"del_missing", "{\"a\":1}", "del b.c x", "{\"a\":1}"},
    {"del_several_args", "{\"a\":1,\"b\":2,\"c\":3}", "del a c", "{\"b\":2}"},
    /* `*` as the last segment removes every child: the parent renders null */
    {"del_star_last", "{\"a\":{\"x\":1,\"y\":2},\"b\":1}", "del a.*", "{\"a\":null,\"b\":1}"},
    {"del_star_inner", "{\"a\":[{\"x\":1,\"y\":2},{\"x\":3}]}", "del a.*.x",
     "{\"a\":[{\"y\":2},null]}"},
    /* the root that lost every key is null data */
    {"del_all", "{\"a\":1}", "del a", "null"},
    /* empty objects and lists are leaves and survive */
    {"empty_leaves", "{\"a\":{},\"b\":[],\"c\":null}", "other x", "{\"a\":{},\"b\":[],\"c\":null}"},
    {"numbers_verbatim", "{\"a\":1.10,\"b\":12345678901234567890}", "del z",
     "{\"a\":1.10,\"b\":12345678901234567890}"},
    /* same length: rename in place, the other destination segments ignored */
    {"move_rename", "{\"a\":{\"b\":1,\"x\":2}}", "move a.b c.d", "{\"a\":{\"d\":1,\"x\":2}}"},
    {"move_rename_top", "{\"a\":1}", "move a b", "{\"b\":1}"},
    /* a rename onto an existing sibling: the moved value wins (our pick; Go is random) */
    {"move_rename_collision", "{\"a\":1,\"b\":2}", "move b a", "{\"a\":2}"},
    {"move_rename_collision_rev", "{\"a\":1,\"b\":2}", "move a b", "{\"b\":1}"},
    /* the last source segment is literal: `*` there matches a key named "*" only */
    {"move_star_last_literal", "{\"a\":{\"x\":1,\"*\":2}}", "move a.* a.y",
     "{\"a\":{\"x\":1,\"y\":2}}"},
    /* shorter: promoted from the root; the emptied parent renders null until deleted */
    {"move_promote", "{\"id\":1,\"zone\":{\"state\":\"NY\",\"zip\":\"10001\"}}",
     "move zone.state shipping_state|move zone.zip shipping_zip",
     "{\"id\":1,\"shipping_state\":\"NY\",\"shipping_zip\":\"10001\",\"zone\":null}"},
    {"move_promote_then_del", "{\"id\":1,\"zone\":{\"state\":\"NY\",\"zip\":\"10001\"}}",
     "move zone.state shipping_state|move zone.zip shipping_zip|del zone",
     "{\"id\":1,\"shipping_state\":\"NY\",\"shipping_zip\":\"10001\"}"},
    /* a destination step that does not exist stops the walk: attached where it stopped */
    {"move_promote_missing_step", "{\"x\":{\"a\":{\"b\":1}}}", "move x.a.b y.c",
     "{\"c\":1,\"x\":{\"a\":null}}"},
    /* `*` in the destination takes the candidate's own label */
    {"move_promote_star", "{\"x\":[{\"y\":{\"a\":1}},{\"y\":{\"a\":2}}]}", "move x.*.y.a x.*.a",
     "{\"x\":[{\"a\":1,\"y\":null},{\"a\":2,\"y\":null}]}"},
    /* promoted last, so it wins over an existing key of that name */
    {"move_promote_wins", "{\"a\":{\"b\":1},\"b\":2}", "move a.b b", "{\"a\":null,\"b\":1}"},
    /* longer: embedded below the candidate; the first source-length-1 segments ignored */
    {"move_embed", "{\"x\":{\"a\":1}}", "move x.a y.b.c", "{\"x\":{\"b\":{\"c\":1}}}"},
    {"move_embed_top", "{\"a\":1}", "move a b.c", "{\"b\":{\"c\":1}}"},
    {"move_embed_existing", "{\"a\":1,\"b\":{\"z\":0}}", "move a b.c", "{\"b\":{\"c\":1,\"z\":0}}"},
    {"move_missing", "{\"a\":1}", "move x.y z", "{\"a\":1}"},
    /* append: dst's items then src's, src deleted */
    {"append", "{\"a\":[1,2],\"b\":[3]}", "append a b", "{\"b\":[3,1,2]}"},
    {"append_not_lists", "{\"a\":1,\"b\":[3]}", "append a b|append b c", "{\"a\":1,\"b\":[3]}"},
    {"append_star", "{\"x\":[{\"l\":1},{\"l\":2}],\"d\":[0]}", "append x.*.l d",
     "{\"d\":[0,1,2],\"x\":[null,null]}"},
    /* dst's node is flattened over again: after a deletion, label "2" still names the old
     * third item, which the first appended item is merged into, and a new "1" comes last */
    {"append_after_del",
     "{\"s\":[{\"k\":\"s0\"}],\"d\":[{\"k\":\"d0\"},{\"k\":\"d1\"},{\"k\":\"d2\"}]}",
     "del d.1|append s d", "{\"d\":[{\"k\":\"d0\"},{\"k\":\"s0\"},{\"k\":\"d2\"}]}"},
    /* the education example of KrakenD's docs: DST items come first (the docs print them last) */
    {"append_docs_order",
     "{\"kindergarten\":[{\"name\":\"Lil'\"},{\"name\":\"Bright\"}],"
     "\"schools\":[{\"name\":\"Brookside\"},{\"name\":\"Oak\"}]}",
     "append kindergarten schools",
     "{\"schools\":[{\"name\":\"Brookside\"},{\"name\":\"Oak\"},{\"name\":\"Lil'\"},"
     "{\"name\":\"Bright\"}]}"},
};

static void check_row(const struct row *r)
{
    struct gw_json_limits lim = {64, 0};
    struct cmn_err err = {0};
    struct gw_json *data = gw_json_parse(r->in, strlen(r->in), &lim, &err);
    struct gw_flatmap fm;
    char *out;

    assert_non_null(data);
    ops_parse(r->ops, &fm);
    assert_true(gw_flatmap_apply(&fm, &data));
    out = gw_json_render_str(data, NULL);
    if (strcmp(out, r->out) != 0)
        fail_msg("%s: got %s, want %s", r->name, out, r->out);
    free(out);
    gw_json_destroy(data);
    ops_free(&fm);
}

static void test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(ROWS) / sizeof(ROWS[0]); i++)
        check_row(&ROWS[i]);
}

/* Go structs (the error_* details) are leaves: no path reaches inside, their order stays. */
static void test_struct_is_leaf(void **state)
{
    struct gw_json *data = gw_json_object(), *s = gw_json_struct();
    struct gw_flatmap fm;
    char *out;

    (void)state;
    assert_true(gw_json_object_set(s, "z", gw_json_number("1")));
    assert_true(gw_json_object_set(s, "a", gw_json_number("2")));
    assert_true(gw_json_object_set(data, "error_x", s));
    ops_parse("move error_x.z code|del error_x.a", &fm);
    assert_true(gw_flatmap_apply(&fm, &data));
    out = gw_json_render_str(data, NULL);
    assert_string_equal(out, "{\"error_x\":{\"z\":1,\"a\":2}}");
    free(out);
    gw_json_destroy(data);
    ops_free(&fm);
}

/* NULL data (Go's nil map) is left alone; no operations leave the data as it is. */
static void test_nil_and_noop(void **state)
{
    struct gw_json *data = NULL;
    struct gw_flatmap fm;

    (void)state;
    ops_parse("del a", &fm);
    assert_true(gw_flatmap_apply(&fm, &data));
    assert_null(data);
    ops_free(&fm);
}

/* A backend with flatmap_filter: target first, then the ops instead of allow/deny/mapping, then
 * group (Lura's flatmapFormatter). */
static void test_backend_formatter(void **state)
{
    static char s_target[] = "t", s_group[] = "g", s_allow[] = "zzz", s_map_from[] = "b",
                s_map_to[] = "c";
    char *allow[] = {s_allow};
    struct gw_kv mapping[] = {{s_map_from, s_map_to}};
    struct gw_backend b;
    struct gw_fetch_result r;
    struct gw_presp *p = NULL;
    struct gw_perr e = {0};
    char *t;
    const char body[] = "{\"t\":{\"a\":1,\"b\":2}}";

    (void)state;
    memset(&b, 0, sizeof(b));
    b.url_pattern = (char *)(uintptr_t) "/x";
    b.method = (char *)(uintptr_t) "GET";
    b.target = s_target;
    b.group = s_group;
    b.allow = (struct gw_strlist){allow, 1, true};
    b.mapping = mapping;
    b.n_mapping = 1;
    ops_parse("move a x", &b.flatmap);
    memset(&r, 0, sizeof(r));
    gw_hdrs_init(&r.headers, 0);
    r.status = 200;
    r.body = strdup(body);
    r.body_len = strlen(body);
    assert_true(gw_presp_from_fetch(&b, &r, &p, &e));
    t = gw_json_render_str(p->data, NULL);
    assert_string_equal(t, "{\"g\":{\"b\":2,\"x\":1}}");
    free(t);
    gw_presp_destroy(p);
    gw_fetch_result_free(&r);
    ops_free(&b.flatmap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_struct_is_leaf),
        cmocka_unit_test(test_nil_and_noop),
        cmocka_unit_test(test_backend_formatter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
