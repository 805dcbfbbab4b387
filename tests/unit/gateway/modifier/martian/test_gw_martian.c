/* test_gw_martian.c - martian's modifiers, filters and groups as KrakenD registers them
 * (../shared/spec/krakend-config-transform.md §3): what the configuration parser accepts and
 * refuses (with martian's and encoding/json's texts), what each one does to a backend request
 * and to its answer. Expected values are what google/martian at 25dcb96 produces for the same
 * input (read from its code). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gw_config.h"
#include "gw_martian.h"
#include "gw_martian_int.h"

#include "cmn_buf.h"
#include "gw_proxy_request.h"

static struct gw_mart_tree *parse_ok(const char *json)
{
    json_error_t je;
    json_t *v = json_loads(json, 0, &je);
    struct gw_mart_tree *t = NULL;
    struct cmn_err err = {0};

    if (!v)
        fail_msg("bad test JSON: %s", je.text);
    if (gw_mart_parse(v, &t, &err) != GW_MART_OK)
        fail_msg("%s\nrefused: %s", json, err.msg);
    json_decref(v);
    return t;
}

/* ---- parsing -------------------------------------------------------------------------------- */

static void parse_errors(void **state)
{
    static const struct {
        const char *json;
        enum gw_mart_parse_status st;
        const char *msg;
    } cases[] = {
        {"[]", GW_MART_CONFIG, "casting the extra config for the martian module"},
        {"{}", GW_MART_CONFIG, "parse: expected one modifier, received 0: "},
        {"{\"@comment\": \"x\", \"header.Modifier\": {}}", GW_MART_CONFIG,
         "parse: expected one modifier, received 2: , @comment, header.Modifier"},
        {"{\"skip.RoundTrip\": {}}", GW_MART_CONFIG, "parse: unknown modifier: skip.RoundTrip"},
        {"{\"log.Logger\": {}}", GW_MART_CONFIG, "parse: unknown modifier: log.Logger"},
        {"{\"header.Modifier\": {\"name\": \"a\", \"value\": 1}}", GW_MART_CONFIG,
         "json: cannot unmarshal number 1 into Go struct field modifierJSON.value of type "
         "string"},
        {"{\"header.Modifier\": \"x\"}", GW_MART_CONFIG,
         "json: cannot unmarshal string into Go value of type header.modifierJSON"},
        {"{\"header.Modifier\": {\"name\": \"a\", \"scope\": [\"both\"]}}", GW_MART_CONFIG,
         "parse: invalid scope: both not in [\"request\", \"response\"]"},
        {"{\"header.Id\": {\"scope\": [\"response\"]}}", GW_MART_CONFIG,
         "parse: invalid scope \"response\" for modifier"},
        {"{\"status.Modifier\": {\"statusCode\": 200, \"scope\": [\"request\"]}}", GW_MART_CONFIG,
         "parse: invalid scope \"request\" for modifier"},
        {"{\"port.Modifier\": {}}", GW_MART_CONFIG,
         "Must specify only one of port, defaultForScheme or remove"},
        {"{\"port.Modifier\": {\"port\": 1, \"remove\": true}}", GW_MART_CONFIG,
         "Must specify only one of port, defaultForScheme or remove"},
        {"{\"port.Modifier\": {\"port\": 1.5}}", GW_MART_CONFIG,
         "json: cannot unmarshal number 1.5 into Go struct field modifierJSON.port of type int"},
        {"{\"stash.Modifier\": {\"headerName\": \"x\", \"scope\": [\"response\"]}}", GW_MART_CONFIG,
         "to write header on a response, specify scope as both request and response"},
        {"{\"body.Modifier\": {\"body\": \"not base64!\"}}", GW_MART_CONFIG,
         "illegal base64 data at input byte 3"},
        {"{\"header.Filter\": {\"name\": \"a\"}}", GW_MART_CONFIG, "unexpected end of JSON input"},
        {"{\"header.Filter\": {\"name\": \"a\", \"modifier\": {\"header.Modifier\": {}}, "
         "\"else\": null}}",
         GW_MART_CONFIG, "parse: expected one modifier, received 0: "},
        {"{\"fifo.Group\": {\"modifiers\": [{\"nope\": {}}]}}", GW_MART_CONFIG,
         "parse: unknown modifier: nope"},
        {"{\"url.Verifier\": {}}", GW_MART_CONFIG, "url.Verifier is not supported"},
        {"{\"url.RegexFilter\": {\"regex\": \"a(\", \"modifier\": {\"header.Modifier\": {}}}}",
         GW_MART_CONFIG, "error parsing regexp: missing closing ): `a(`"},
        {"{\"header.RegexFilter\": {\"regex\": \"(?=x)\", \"header\": \"a\", "
         "\"modifier\": {\"header.Modifier\": {}}}}",
         GW_MART_CONFIG, "error parsing regexp"},
        {"{\"cookie.Modifier\": {\"name\": \"a\", \"expires\": \"yesterday\"}}", GW_MART_CONFIG,
         "parsing time"},
        /* headers no client could send: the gateway refuses the configuration */
        {"{\"header.Modifier\": {\"name\": \"X-A\", \"value\": \"a\\r\\nInjected: 1\"}}",
         GW_MART_REFUSED, "header.Modifier: the value of header X-A is not a valid header value"},
        {"{\"header.Modifier\": {\"name\": \"X-A\", \"value\": \"a\\rb\"}}", GW_MART_REFUSED,
         "header.Modifier: the value of header X-A is not a valid header value"},
        {"{\"header.Modifier\": {\"name\": \"X-A\", \"value\": \"a\\nb\"}}", GW_MART_REFUSED,
         "header.Modifier: the value of header X-A is not a valid header value"},
        {"{\"header.Modifier\": {\"name\": \"X-A\", \"value\": \"a\\u0000b\"}}", GW_MART_REFUSED,
         "header.modifierJSON: the value field holds a NUL byte"},
        {"{\"header.Id\": {\"header\": \"X-\\u0000Id\"}}", GW_MART_REFUSED,
         "the header field holds a NUL byte"},
        {"{\"header.Id\": {\"header\": \"X-\\nId\"}}", GW_MART_REFUSED,
         "header.Id: invalid header name"},
        {"{\"header.Append\": {\"name\": \"Bad Name\", \"value\": \"v\"}}", GW_MART_REFUSED,
         "header.Append: invalid header name \"Bad Name\""},
        {"{\"header.Modifier\": {\"name\": \"content-length\", \"value\": \"ten\"}}",
         GW_MART_REFUSED, "Content-Length \"ten\" is not an integer"},
        {"{\"body.Modifier\": {\"contentType\": \"a\\nb\"}}", GW_MART_REFUSED,
         "body.Modifier: the value of header Content-Type"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        /* NUL allowed here: the parser must refuse it whoever loaded the JSON */
        json_t *v = json_loads(cases[i].json, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
        struct gw_mart_tree *t = NULL;
        struct cmn_err err = {0};
        enum gw_mart_parse_status st;
        assert_non_null(v);
        st = gw_mart_parse(v, &t, &err);
        json_decref(v);
        if (st != cases[i].st || !strstr(err.msg, cases[i].msg))
            fail_msg("%s\n got %d: %s\nwant %d: %s", cases[i].json, st, err.msg, cases[i].st,
                     cases[i].msg);
        assert_null(t);
    }
}

static void parse_accepts_what_go_accepts(void **state)
{
    struct gw_mart_tree *t;

    (void)state;
    /* field names match without regard to case; unknown fields are ignored */
    t = parse_ok("{\"header.Modifier\": {\"NAME\": \"x-a\", \"Value\": \"1\", \"other\": 2}}");
    assert_string_equal(t->root.node->name, "X-A");
    assert_string_equal(t->root.node->value, "1");
    assert_true(t->root.req && t->root.res);
    gw_mart_tree_free(t);
    /* scope: absent = every direction the modifier has; [] = none */
    t = parse_ok("{\"header.Modifier\": {\"name\": \"a\", \"scope\": []}}");
    assert_false(t->root.req || t->root.res);
    gw_mart_tree_free(t);
    t = parse_ok("{\"querystring.Modifier\": {\"name\": \"a\"}}");
    assert_true(t->root.req && !t->root.res);
    gw_mart_tree_free(t);
    t = parse_ok("{\"status.Modifier\": {\"statusCode\": 201}}");
    assert_true(!t->root.req && t->root.res);
    gw_mart_tree_free(t);
    /* every name KrakenD CE registers parses */
    t = parse_ok(
        "{\"fifo.Group\": {\"aggregateErrors\": true, \"modifiers\": ["
        "{\"header.Modifier\": {\"name\": \"a\"}}, {\"header.Append\": {\"name\": \"a\"}},"
        "{\"header.Blacklist\": {\"names\": [\"a\"]}}, {\"header.Copy\": {\"from\": \"a\", \"to\": "
        "\"b\"}},"
        "{\"header.Id\": {}}, {\"header.Verifier\": {\"name\": \"a\"}},"
        "{\"url.Modifier\": {\"host\": \"h\"}}, {\"port.Modifier\": {\"remove\": true}},"
        "{\"querystring.Modifier\": {\"name\": \"a\"}}, {\"cookie.Modifier\": {\"name\": \"c\"}},"
        "{\"body.Modifier\": {\"body\": \"aGk=\"}}, {\"stash.Modifier\": {\"headerName\": \"s\"}},"
        "{\"status.Modifier\": {\"statusCode\": 200}}, {\"static.Modifier\": {\"rootPath\": "
        "\"/tmp\"}},"
        "{\"header.Filter\": {\"name\": \"a\", \"modifier\": {\"header.Id\": {}}}},"
        "{\"header.RegexFilter\": {\"header\": \"a\", \"regex\": \"x\", \"modifier\": "
        "{\"header.Id\": {}}}},"
        "{\"querystring.Filter\": {\"name\": \"a\", \"modifier\": {\"header.Id\": {}}}},"
        "{\"url.Filter\": {\"host\": \"a\", \"modifier\": {\"header.Id\": {}}}},"
        "{\"url.RegexFilter\": {\"regex\": \"a\", \"modifier\": {\"header.Id\": {}}}},"
        "{\"cookie.Filter\": {\"name\": \"a\", \"modifier\": {\"header.Id\": {}}}},"
        "{\"port.Filter\": {\"port\": 80, \"modifier\": {\"header.Id\": {}}}},"
        "{\"priority.Group\": {\"modifiers\": [{\"priority\": 1, \"modifier\": {\"header.Id\": "
        "{}}}]}}"
        "]}}");
    assert_int_equal(t->root.node->n_items, 22);
    gw_mart_tree_free(t);
}

static void nesting_is_capped(void **state)
{
    struct cmn_buf json;
    json_t *v;
    struct gw_mart_tree *t = NULL;
    struct cmn_err err = {0};

    (void)state;
    cmn_buf_init(&json, 8192);
    for (int i = 0; i < 40; i++)
        cmn_buf_append_str(&json, "{\"fifo.Group\": {\"modifiers\": [");
    cmn_buf_append_str(&json, "{\"header.Id\": {}}");
    for (int i = 0; i < 40; i++)
        cmn_buf_append_str(&json, "]}}");
    v = json_loads(cmn_buf_str(&json), 0, NULL);
    cmn_buf_free(&json);
    assert_int_equal(gw_mart_parse(v, &t, &err), GW_MART_CONFIG);
    assert_non_null(strstr(err.msg, "nested deeper"));
    json_decref(v);
}

/* ---- the request side ----------------------------------------------------------------------- */

struct req_case {
    const char *cfg;
    const char *url;    /* after the modifiers */
    const char *host;   /* Host sent: NULL = the URL's */
    const char *header; /* "Name: value" expected, or "!Name" expected absent; NULL = none */
    const char *err;    /* expected error, NULL = none */
};

static void run_request(const struct req_case *c)
{
    struct gw_mart_tree *t = parse_ok(c->cfg);
    struct gw_outreq o = {0};
    struct gw_mart_req req;
    struct cmn_err err = {0};
    int rc;

    o.method = strdup("POST");
    o.url = strdup("http://backend.example:8080/a%20b/c?z=1&a=2");
    gw_hdrs_init(&o.headers, 64);
    gw_hdrs_add(&o.headers, "X-Existing", "one");
    gw_hdrs_add(&o.headers, "Cookie", "c1=v1");
    o.body = "hello";
    o.body_len = 5;
    o.content_length = true;
    gw_mart_req_init(&req, &o);
    rc = gw_mart_ref_request(&t->root, &req, &err);
    if (rc == 0 && !gw_mart_req_finish(&req, &err))
        rc = -1;
    if (c->err) {
        if (rc == 0 || !strstr(err.msg, c->err))
            fail_msg("%s\n got: %s\nwant error: %s", c->cfg, rc ? err.msg : "(none)", c->err);
    } else {
        if (rc != 0)
            fail_msg("%s\nfailed: %s", c->cfg, err.msg);
        if (c->url && strcmp(o.url, c->url) != 0)
            fail_msg("%s\n url %s\nwant %s", c->cfg, o.url, c->url);
        if ((c->host == NULL) != (o.host == NULL) || (c->host && strcmp(c->host, o.host) != 0))
            fail_msg("%s\n host %s\nwant %s", c->cfg, o.host ? o.host : "(url's)",
                     c->host ? c->host : "(url's)");
        if (c->header && c->header[0] == '!') {
            if (gw_hdrs_get(&o.headers, c->header + 1))
                fail_msg("%s\n%s should be absent", c->cfg, c->header + 1);
        } else if (c->header) {
            char name[128];
            const char *colon = strchr(c->header, ':');
            snprintf(name, sizeof(name), "%.*s", (int)(colon - c->header), c->header);
            /* every value of the header, joined by ", " */
            char got[1024] = "";
            size_t used = 0;
            for (size_t i = 0; i < o.headers.n; i++) {
                if (strcmp(o.headers.v[i].name, name) == 0)
                    used += (size_t)snprintf(got + used, sizeof(got) - used, "%s%s",
                                             used ? ", " : "", o.headers.v[i].value);
                if (used >= sizeof(got))
                    fail_msg("%s\n %s: values longer than the test's buffer", c->cfg, name);
            }
            if (strcmp(got, colon + 2) != 0)
                fail_msg("%s\n %s: %s\nwant %s", c->cfg, name, got, c->header);
        }
    }
    gw_mart_req_free(&req);
    gw_outreq_free(&o);
    gw_mart_tree_free(t);
}

#define BASE "http://backend.example:8080/a%20b/c?z=1&a=2"
#define HM(n, v) "{\"header.Modifier\": {\"name\": \"" n "\", \"value\": \"" v "\"}}"
#define HA(n, v) "{\"header.Append\": {\"name\": \"" n "\", \"value\": \"" v "\"}}"

static void modifiers_on_the_request(void **state)
{
    static const struct req_case cases[] = {
        {HM("x-new", "v"), BASE, NULL, "X-New: v", NULL},
        {HM("x-existing", "replaced"), BASE, NULL, "X-Existing: replaced", NULL},
        /* Host is Request.Host: what is sent changes, not where */
        {HM("host", "other.example"), BASE, "other.example", NULL, NULL},
        {HA("X-Existing", "two"), BASE, NULL, "X-Existing: one, two", NULL},
        {HA("Host", "h"), NULL, NULL, NULL, "proxyutil: illegal header multiple: Host"},
        {"{\"header.Blacklist\": {\"names\": [\"x-existing\", \"Host\"]}}", BASE, NULL,
         "!X-Existing", NULL},
        {"{\"header.Copy\": {\"from\": \"X-Existing\", \"to\": \"x-copy\"}}", BASE, NULL,
         "X-Copy: one", NULL},
        {"{\"header.Copy\": {\"from\": \"X-None\", \"to\": \"x-copy\"}}", BASE, NULL,
         "X-Copy: ", NULL},
        {"{\"header.Copy\": {\"from\": \"Host\", \"to\": \"x-host\"}}", BASE, NULL,
         "X-Host: backend.example:8080", NULL},
        {"{\"header.Id\": {\"header\": \"x-existing\"}}", BASE, NULL, "X-Existing: one", NULL},
        /* url.Modifier: each non-empty part; the Host sent stays the original one */
        {"{\"url.Modifier\": {\"scheme\": \"https\", \"host\": \"new.example:9000\", "
         "\"path\": \"/x y\", \"query\": \"q=1\"}}",
         "https://new.example:9000/x%20y?q=1", "backend.example:8080", NULL, NULL},
        {"{\"url.Modifier\": {\"path\": \"/only\"}}", "http://backend.example:8080/only?z=1&a=2",
         NULL, NULL, NULL},
        {"{\"port.Modifier\": {\"port\": 9999}}", "http://backend.example:9999/a%20b/c?z=1&a=2",
         "backend.example:8080", NULL, NULL},
        {"{\"port.Modifier\": {\"remove\": true}}", "http://backend.example/a%20b/c?z=1&a=2",
         "backend.example:8080", NULL, NULL},
        {"{\"port.Modifier\": {\"defaultForScheme\": true}}",
         "http://backend.example:80/a%20b/c?z=1&a=2", "backend.example:8080", NULL, NULL},
        /* querystring.Modifier re-encodes the whole query, keys sorted */
        {"{\"querystring.Modifier\": {\"name\": \"b\", \"value\": \"x y\"}}",
         "http://backend.example:8080/a%20b/c?a=2&b=x+y&z=1", NULL, NULL, NULL},
        {"{\"cookie.Modifier\": {\"name\": \"n\", \"value\": \"v w\"}}", BASE, NULL,
         "Cookie: c1=v1; n=\"v w\"", NULL},
        {"{\"body.Modifier\": {\"body\": \"aGk=\", \"contentType\": \"text/plain\"}}", BASE, NULL,
         "Content-Type: text/plain", NULL},
        {"{\"stash.Modifier\": {\"headerName\": \"x-stash\"}}", BASE, NULL, "X-Stash: " BASE, NULL},
        {"{\"header.Modifier\": {\"name\": \"X-Resp\", \"value\": \"1\", \"scope\": "
         "[\"response\"]}}",
         BASE, NULL, "!X-Resp", NULL},
        /* a declared length that is not the body's: Go's client refuses to send it */
        {HM("Content-Length", "3"), NULL, NULL, NULL, "http: ContentLength=3 with Body length 5"},
        {HM("Content-Length", "5"), BASE, NULL, NULL, NULL},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        run_request(&cases[i]);
}

#define HIT(yes) "{\"header.Modifier\": {\"name\": \"X-Hit\", \"value\": \"" yes "\"}}"

static void filters_on_the_request(void **state)
{
    static const struct req_case cases[] = {
        {"{\"header.Filter\": {\"name\": \"x-existing\", \"value\": \"one\", \"modifier\": " HIT(
             "yes") ", \"else\": " HIT("no") "}}",
         BASE, NULL, "X-Hit: yes", NULL},
        /* an empty value matches only an empty header value, not "the header is there" */
        {"{\"header.Filter\": {\"name\": \"X-Existing\", \"modifier\": " HIT(
             "yes") ", \"else\": " HIT("no") "}}",
         BASE, NULL, "X-Hit: no", NULL},
        {"{\"header.Filter\": {\"name\": \"Host\", \"value\": \"backend.example:8080\", "
         "\"modifier\": " HIT("yes") "}}",
         BASE, NULL, "X-Hit: yes", NULL},
        {"{\"header.RegexFilter\": {\"header\": \"x-existing\", \"regex\": \"^o\", "
         "\"modifier\": " HIT("yes") "}}",
         BASE, NULL, "X-Hit: yes", NULL},
        {"{\"header.RegexFilter\": {\"header\": \"X-None\", \"regex\": \".*\", \"modifier\": " HIT(
             "yes") "}}",
         BASE, NULL, "!X-Hit", NULL},
        {"{\"querystring.Filter\": {\"name\": \"a\", \"modifier\": " HIT("yes") "}}", BASE, NULL,
         "X-Hit: yes", NULL},
        {"{\"querystring.Filter\": {\"name\": \"a\", \"value\": \"3\", \"modifier\": " HIT(
             "yes") ", \"else\": " HIT("no") "}}",
         BASE, NULL, "X-Hit: no", NULL},
        {"{\"url.Filter\": {\"host\": \"*.example:8080\", \"path\": \"/a b/c\", \"modifier\": " HIT(
             "yes") "}}",
         BASE, NULL, "X-Hit: yes", NULL},
        {"{\"url.Filter\": {\"scheme\": \"https\", \"modifier\": " HIT("yes") ", \"else\": " HIT(
             "no") "}}",
         BASE, NULL, "X-Hit: no", NULL},
        /* url.RegexFilter sees the whole URL, query included */
        {"{\"url.RegexFilter\": {\"regex\": \"z=1\", \"modifier\": " HIT("yes") "}}", BASE, NULL,
         "X-Hit: yes", NULL},
        {"{\"cookie.Filter\": {\"name\": \"c1\", \"value\": \"v1\", \"modifier\": " HIT("yes") "}}",
         BASE, NULL, "X-Hit: yes", NULL},
        {"{\"cookie.Filter\": {\"name\": \"c1\", \"value\": \"v2\", \"modifier\": " HIT(
             "yes") ", \"else\": " HIT("no") "}}",
         BASE, NULL, "X-Hit: no", NULL},
        {"{\"port.Filter\": {\"port\": 8080, \"modifier\": " HIT("yes") "}}", BASE, NULL,
         "X-Hit: yes", NULL},
        {"{\"port.Filter\": {\"port\": 80, \"modifier\": " HIT("yes") "}}", BASE, NULL, "!X-Hit",
         NULL},
        /* fifo: in order; aggregateErrors runs every member and joins the errors */
        {"{\"fifo.Group\": {\"modifiers\": [" HA("X-O", "1") "," HA("X-O", "2") "]}}", BASE, NULL,
         "X-O: 1, 2", NULL},
        {"{\"fifo.Group\": {\"aggregateErrors\": true, \"modifiers\": [" HA("Host", "a") "," HA(
             "X-O", "1") "," HA("Host", "b") "]}}",
         NULL, NULL, NULL,
         "proxyutil: illegal header multiple: Host\nproxyutil: illegal header multiple: Host"},
        /* priority: higher first; equal priorities, the later one first */
        {"{\"priority.Group\": {\"modifiers\": [{\"priority\": 1, \"modifier\": " HA(
             "X-O", "a") "}, {\"priority\": 5, \"modifier\": " HA("X-O",
                                                                  "b") "}, {\"priority\": 5, "
                                                                       "\"modifier\": " HA(
                                                                           "X-O", "c") "}]}}",
         BASE, NULL, "X-O: c, b, a", NULL},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        run_request(&cases[i]);
}

static void header_id_is_a_uuid(void **state)
{
    struct gw_mart_tree *t = parse_ok("{\"header.Id\": {}}");
    struct gw_outreq o = {0};
    struct gw_mart_req req;
    struct cmn_err err = {0};
    const char *v;

    (void)state;
    o.method = strdup("GET");
    o.url = strdup("http://b/");
    gw_hdrs_init(&o.headers, 8);
    gw_mart_req_init(&req, &o);
    assert_int_equal(gw_mart_ref_request(&t->root, &req, &err), 0);
    v = gw_hdrs_get(&o.headers, "X-Krakend-Id");
    assert_non_null(v);
    assert_int_equal(strlen(v), 36);
    assert_int_equal(v[14], '4'); /* version 4 */
    assert_non_null(strchr("89ab", v[19]));
    gw_mart_req_free(&req);
    gw_outreq_free(&o);
    gw_mart_tree_free(t);
}

/* ---- the response side ---------------------------------------------------------------------- */

struct res_case {
    const char *cfg;
    const char *range; /* the request's Range header, or NULL */
    long status;
    const char *header; /* "Name: value", or NULL */
    const char *body;   /* NULL: unchanged */
    const char *err;
};

static void run_response(const struct res_case *c, const char *url)
{
    struct gw_mart_tree *t = parse_ok(c->cfg);
    struct gw_outreq o = {0}, snap_o = {0};
    struct gw_mart_req req, snap;
    struct gw_fetch_result r = {0};
    struct gw_mart_res res;
    struct cmn_err err = {0};
    int rc;

    o.method = strdup("GET");
    o.url = strdup(url ? url : BASE);
    gw_hdrs_init(&o.headers, 64);
    gw_hdrs_add(&o.headers, "X-Existing", "one");
    if (c->range)
        gw_hdrs_add(&o.headers, "Range", c->range);
    gw_mart_req_init(&req, &o);
    assert_int_equal(gw_mart_ref_request(&t->root, &req, &err), 0);
    assert_true(gw_mart_req_finish(&req, &err));
    assert_true(gw_mart_req_snapshot(&req, &snap_o, &snap));
    r.status = 200;
    gw_hdrs_init(&r.headers, 64);
    gw_hdrs_add(&r.headers, "Content-Type", "application/json");
    gw_hdrs_add(&r.headers, "Set-Cookie", "s=1; Path=/");
    r.body = strdup("{\"a\":1}");
    r.body_len = 7;
    res = (struct gw_mart_res){&r, &snap};
    rc = gw_mart_ref_response(&t->root, &res, &err);
    if (c->err) {
        if (rc == 0 || !strstr(err.msg, c->err))
            fail_msg("%s\n got %s\nwant error %s", c->cfg, rc ? err.msg : "(none)", c->err);
    } else {
        if (rc)
            fail_msg("%s\nfailed: %s", c->cfg, err.msg);
        if (r.status != c->status)
            fail_msg("%s\n status %ld want %ld", c->cfg, r.status, c->status);
        if (c->body && (r.body_len != strlen(c->body) || memcmp(r.body, c->body, r.body_len)))
            fail_msg("%s\n body %.*s\nwant %s", c->cfg, (int)r.body_len, r.body, c->body);
        if (c->header) {
            char name[128];
            const char *colon = strchr(c->header, ':');
            snprintf(name, sizeof(name), "%.*s", (int)(colon - c->header), c->header);
            const char *got = NULL;
            for (size_t i = 0; i < r.headers.n; i++) { /* the last value of the name */
                if (strcmp(r.headers.v[i].name, name) == 0)
                    got = r.headers.v[i].value;
            }
            if (!got || strcmp(got, colon + 2) != 0)
                fail_msg("%s\n %s: %s\nwant %s", c->cfg, name, got ? got : "(absent)", c->header);
        }
    }
    gw_fetch_result_free(&r);
    gw_mart_req_free(&req);
    gw_mart_req_free(&snap);
    gw_outreq_free(&o);
    gw_outreq_free(&snap_o);
    gw_mart_tree_free(t);
}

#define BODY_HELLO "{\"body.Modifier\": {\"body\": \"aGVsbG8=\", \"contentType\": \"text/plain\"}}"

static void modifiers_on_the_response(void **state)
{
    static const struct res_case cases[] = {
        {HM("X-R", "1"), NULL, 200, "X-R: 1", NULL, NULL},
        {"{\"status.Modifier\": {\"statusCode\": 404}}", NULL, 404, NULL, NULL, NULL},
        {BODY_HELLO, NULL, 200, "Content-Type: text/plain", "hello", NULL},
        {BODY_HELLO, "bytes=1-3", 206, "Content-Range: bytes 1-3/5", "ell", NULL},
        {BODY_HELLO, "bytes=3-", 206, "Content-Range: bytes 3-4/5", "lo", NULL},
        {BODY_HELLO, "bytes=3-1", 416, NULL, NULL, NULL},
        {BODY_HELLO, "bytes=-2", 0, NULL, NULL, "strconv.Atoi: parsing \"\": invalid syntax"},
        {"{\"cookie.Modifier\": {\"name\": \"n\", \"value\": \"v\", \"path\": \"/p\", "
         "\"domain\": \".example.com\", \"expires\": \"2015-10-21T07:28:00Z\", \"maxAge\": 60, "
         "\"httpOnly\": true, \"secure\": true}}",
         NULL, 200,
         "Set-Cookie: n=v; Path=/p; Domain=example.com; Expires=Wed, 21 Oct 2015 07:28:00 GMT; "
         "Max-Age=60; HttpOnly; Secure",
         NULL, NULL},
        {"{\"cookie.Modifier\": {\"name\": \"bad name\", \"value\": \"v\"}}", NULL, 200,
         "Set-Cookie: ", NULL, NULL},
        {"{\"cookie.Filter\": {\"name\": \"s\", \"value\": \"1\", \"modifier\": " HIT("yes") "}}",
         NULL, 200, "X-Hit: yes", NULL, NULL},
        {"{\"header.Filter\": {\"name\": \"content-type\", \"value\": \"application/json\", "
         "\"modifier\": " HIT("yes") "}}",
         NULL, 200, "X-Hit: yes", NULL, NULL},
        /* header.RegexFilter reads the request's header on the response side too */
        {"{\"header.RegexFilter\": {\"header\": \"X-Existing\", \"regex\": \"one\", "
         "\"modifier\": " HIT("yes") "}}",
         NULL, 200, "X-Hit: yes", NULL, NULL},
        {"{\"stash.Modifier\": {\"headerName\": \"X-Stash\"}}", NULL, 200, "X-Stash: " BASE, NULL,
         NULL},
        {"{\"url.Filter\": {\"host\": \"backend.example:8080\", \"modifier\": " HIT("yes") "}}",
         NULL, 200, "X-Hit: yes", NULL, NULL},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        run_response(&cases[i], NULL);
}

static void port_filter_on_a_response_without_port(void **state)
{
    /* martian's response side splits the host even without a port, and fails */
    static const struct res_case c = {
        "{\"port.Filter\": {\"port\": 8080, \"modifier\": " HIT("yes") "}}",
        NULL,
        0,
        NULL,
        NULL,
        "address backend.example: missing port in address"};

    (void)state;
    run_response(&c, "http://backend.example/x");
}

static void multipart_ranges(void **state)
{
    struct gw_fetch_result r = {0};
    struct cmn_err err = {0};
    static const char want[] = "--B\r\nContent-Range: bytes 0-0/5\r\nContent-Type: text/plain\r\n"
                               "\r\nh\r\n--B\r\nContent-Range: bytes 2-3/5\r\nContent-Type: "
                               "text/plain\r\n\r\nll\r\n--B--\r\n";

    (void)state;
    gw_hdrs_init(&r.headers, 8);
    assert_int_equal(gw_mart_range(&r, "Bytes=0-0, 2-3", "hello", 5, "text/plain", "B", &err), 0);
    assert_int_equal(r.status, 206);
    assert_int_equal(r.body_len, sizeof(want) - 1);
    assert_memory_equal(r.body, want, sizeof(want) - 1);
    assert_string_equal(gw_hdrs_get(&r.headers, "Content-Type"),
                        "multipart/byteranges; boundary=B");
    gw_fetch_result_free(&r);
    /* a piece longer than any number (fuzz_martian_msg found it overflowing a buffer) */
    char longr[400] = "bytes=0-";
    memset(longr + 8, '9', 300);
    longr[308] = '-';
    memset(&r, 0, sizeof(r));
    gw_hdrs_init(&r.headers, 8);
    assert_int_equal(gw_mart_range(&r, longr, "hello", 5, "text/plain", "B", &err), -1);
    assert_non_null(strstr(err.msg, "value out of range"));
    gw_fetch_result_free(&r);
}

static void static_files(void **state)
{
    char dir[] = "/tmp/gw_mart_XXXXXX", path[128], cfg[512];
    FILE *f;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/a b", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof(path), "%s/a b/c", dir);
    f = fopen(path, "w");
    fputs("content", f);
    fclose(f);
    snprintf(path, sizeof(path), "%s/x.json", dir);
    f = fopen(path, "w");
    fputs("{}", f);
    fclose(f);
    /* the request's (decoded) path under rootPath; unknown types get an empty Content-Type */
    snprintf(cfg, sizeof(cfg), "{\"static.Modifier\": {\"rootPath\": \"%s/./\"}}", dir);
    struct res_case c1 = {cfg, NULL, 200, "Content-Type: ", "content", NULL};
    run_response(&c1, NULL);
    struct res_case c2 = {cfg, "bytes=0-2", 206, "Content-Range: bytes 0-2/7", "con", NULL};
    run_response(&c2, NULL);
    /* explicitPaths map a request path to a file */
    snprintf(cfg, sizeof(cfg),
             "{\"static.Modifier\": {\"rootPath\": \"%s\", \"explicitPaths\": "
             "{\"/a b/c\": \"/x.json\"}}}",
             dir);
    struct res_case c3 = {cfg, NULL, 200, "Content-Type: application/json", "{}", NULL};
    run_response(&c3, NULL);
    /* a missing file is a 404 (which Lura then refuses) */
    snprintf(cfg, sizeof(cfg), "{\"static.Modifier\": {\"rootPath\": \"%s/none\"}}", dir);
    struct res_case c4 = {cfg, NULL, 404, NULL, NULL, NULL};
    run_response(&c4, NULL);
    /* ".." cannot leave the root: the path is cleaned first */
    snprintf(cfg, sizeof(cfg), "{\"static.Modifier\": {\"rootPath\": \"%s/a b\"}}", dir);
    struct res_case c5 = {cfg, NULL, 404, NULL, NULL, NULL};
    run_response(&c5, "http://b/../../x.json");
    snprintf(path, sizeof(path), "rm -rf '%s'", dir);
    assert_int_equal(system(path), 0);
}

static void clean_paths(void **state)
{
    static const char *const cases[][2] = {
        {"", "."},         {"/", "/"},        {"a/b/../c", "a/c"},    {"/../a", "/a"},
        {"../a", "../a"},  {"a/../..", ".."}, {"//a//b/", "/a/b"},    {"./a/.", "a"},
        {"/a/b/..", "/a"}, {"a/..", "."},     {"../../x", "../../x"}, {"/a/./b/../../c", "/c"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct cmn_buf b;
        cmn_buf_init(&b, 1024);
        gw_mart_clean_path(cases[i][0], &b);
        if (strcmp(cmn_buf_str(&b), cases[i][1]) != 0)
            fail_msg("Clean(%s) = %s, want %s", cases[i][0], cmn_buf_str(&b), cases[i][1]);
        cmn_buf_free(&b);
    }
}

static void split_host_port(void **state)
{
    static const struct {
        const char *in, *host, *port, *err;
    } cases[] = {
        {"h:80", "h", "80", NULL},
        {"[::1]:443", "::1", "443", NULL},
        {"h", NULL, NULL, "address h: missing port in address"},
        {"a:b:c", NULL, NULL, "address a:b:c: too many colons in address"},
        {"[::1", NULL, NULL, "address [::1: missing ']' in address"},
        {"[::1]", NULL, NULL, "address [::1]: missing port in address"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char h[64], p[16];
        struct cmn_err err = {0};
        bool ok = gw_mart_split_host_port(cases[i].in, h, sizeof(h), p, sizeof(p), &err);
        if (cases[i].err) {
            assert_false(ok);
            assert_string_equal(err.msg, cases[i].err);
        } else {
            assert_true(ok);
            assert_string_equal(h, cases[i].host);
            assert_string_equal(p, cases[i].port);
        }
    }
}

/* ---- the stage ------------------------------------------------------------------------------ */

/* What the response side leaves for a no-op client passes the one field rule: a value with a line
 * break (here planted in the backend's answer and copied by header.Copy) is dropped with its copy,
 * the rest stays. */
static void stage_drops_invalid_response_fields(void **state)
{
    struct gw_endpoint ep = {0};
    struct gw_backend b = {0};
    struct gw_stage st = {0};
    struct gw_outreq o = {0};
    struct gw_fetch_result r = {0}, *answer = NULL;
    struct gw_stage_call call = {0};
    struct gw_perr perr = {0};
    struct cmn_err err = {0};
    char ep_path[] = "endpoints[0]", pattern[] = "/x";

    (void)state;
    ep.json_path = ep_path;
    b.url_pattern = pattern;
    b.extra_config =
        json_pack("{s:{s:{s:s,s:s}}}", GW_NS_MARTIAN, "header.Copy", "from", "X-A", "to", "X-B");
    assert_true(gw_martian_factory.build(NULL, NULL, &ep, &b, &st, &err));
    assert_non_null(st.http_response);
    o.method = strdup("GET");
    o.url = strdup(BASE);
    gw_hdrs_init(&o.headers, 64);
    call.ep = &ep;
    call.backend = &b;
    call.out = &o;
    assert_int_equal(st.http_request(st.ctx, &call, &answer, &perr), GW_STAGE_NEXT);
    r.status = 200;
    gw_hdrs_init(&r.headers, 64);
    gw_hdrs_add(&r.headers, "Content-Type", "application/json");
    gw_hdrs_add(&r.headers, "X-A", "a\r\nX-Evil: 1");
    gw_hdrs_add(&r.headers, "X-Ok", "fine");
    st.http_response(st.ctx, &call, &r);
    assert_null(r.error);
    assert_null(gw_hdrs_get(&r.headers, "X-A"));
    assert_null(gw_hdrs_get(&r.headers, "X-B"));
    assert_string_equal(gw_hdrs_get(&r.headers, "X-Ok"), "fine");
    assert_string_equal(gw_hdrs_get(&r.headers, "Content-Type"), "application/json");
    st.end(st.ctx, &call);
    st.free(st.ctx);
    gw_fetch_result_free(&r);
    gw_outreq_free(&o);
    json_decref(b.extra_config);
}

/* A Host of its own (header.Modifier "Host", url.Modifier) is a field like the others: one with
 * a line break or a NUL is never sent (Go's "http: invalid Host header"). */
static void an_invalid_host_is_not_sent(void **state)
{
    static const char *const bad[] = {"h\r\nX-Evil: 1", "h\nx", "h\rx", "h\x7fx"};
    struct gw_outreq o = {0};
    struct cmn_err e = {0};

    (void)state;
    o.method = strdup("GET");
    o.url = strdup(BASE);
    gw_hdrs_init(&o.headers, 8);
    o.host = strdup("tenant.example:8080");
    assert_true(gw_outreq_fields_ok(&o, &e));
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        free(o.host);
        o.host = strdup(bad[i]);
        assert_false(gw_outreq_fields_ok(&o, &e));
        assert_string_equal(e.msg, "Get \"" BASE "\": http: invalid Host header");
        cmn_err_clear(&e);
    }
    gw_outreq_free(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_errors),
        cmocka_unit_test(parse_accepts_what_go_accepts),
        cmocka_unit_test(nesting_is_capped),
        cmocka_unit_test(modifiers_on_the_request),
        cmocka_unit_test(filters_on_the_request),
        cmocka_unit_test(header_id_is_a_uuid),
        cmocka_unit_test(modifiers_on_the_response),
        cmocka_unit_test(port_filter_on_a_response_without_port),
        cmocka_unit_test(multipart_ranges),
        cmocka_unit_test(static_files),
        cmocka_unit_test(clean_paths),
        cmocka_unit_test(split_host_port),
        cmocka_unit_test(stage_drops_invalid_response_fields),
        cmocka_unit_test(an_invalid_host_is_not_sent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
