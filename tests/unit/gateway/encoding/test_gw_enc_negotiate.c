/* test_gw_enc_negotiate.c - `output_encoding: "negotiate"`: gin's Accept parsing and
 * NegotiateFormat over lura's offers, with the consequences krakend-config-transform.md §5.5
 * lists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "gw_encoding.h"
#include "tu_shared.h"
#include "tu_file.h"

#define SPECS "conformance/krakend-ce/krakend-ce-specs/"

static void expect_fmt(const char *accept, enum gw_enc_format want)
{
    enum gw_enc_format got = gw_enc_negotiate(accept, accept ? strlen(accept) : 0);

    if (got != want)
        fail_msg("Accept [%s]: got %d, want %d", accept ? accept : "(none)", got, want);
}

static void no_header_or_no_values_is_json(void **state)
{
    (void)state;
    expect_fmt(NULL, GW_ENC_FMT_JSON);
    expect_fmt("", GW_ENC_FMT_JSON);
    expect_fmt(" , ,", GW_ENC_FMT_JSON);
    expect_fmt(" ;q=1", GW_ENC_FMT_JSON); /* cut at ';' then trimmed away */
}

static void ce_negotitate_cases(void **state)
{
    (void)state;
    expect_fmt("application/json; charset=utf-8", GW_ENC_FMT_JSON); /* negotitate_json */
    expect_fmt("text/plain", GW_ENC_FMT_YAML);                      /* negotitate_plain */
}

/* negotitate_json end to end: CE's XML backend body, decoded, negotiated, rendered as JSON. */
static void ce_negotitate_json_body(void **state)
{
    static const char XML[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<user type=\"admin\">\n"
                              "  <name>Elliot</name>\n  <social>\n"
                              "    <facebook>https://facebook.com</facebook>\n"
                              "    <twitter>https://twitter.com</twitter>\n"
                              "    <youtube>https://youtube.com</youtube>\n  </social>\n</user>";
    static const char ACCEPT[] = "application/json; charset=utf-8";
    struct cmn_err err = {0};
    struct gw_json *v = gw_enc_xml_decode(XML, strlen(XML), false, NULL, &err);
    char *got, *text;
    json_t *spec, *out;

    (void)state;
    assert_non_null(v);
    assert_int_equal(gw_enc_negotiate(ACCEPT, strlen(ACCEPT)), GW_ENC_FMT_JSON);
    got = gw_json_render_str(v, NULL);
    gw_json_destroy(v);
    text = tu_shared_read(SPECS "negotitate_json.json", NULL);
    if (!text) {
        free(got);
        skip(); /* the krakend-ce specs are not beside this checkout */
    }
    spec = json_loads(text, 0, NULL);
    free(text);
    out = json_object_get(spec, "out");
    assert_string_equal(got, json_string_value(json_object_get(out, "body")));
    assert_string_equal(GW_ENC_JSON_CT,
                        json_string_value(json_array_get(
                            json_object_get(json_object_get(out, "header"), "content-type"), 0)));
    json_decref(spec);
    free(got);
}

static void offers_and_their_renderers(void **state)
{
    (void)state;
    expect_fmt("application/xml", GW_ENC_FMT_XML);
    expect_fmt("application/x-yaml", GW_ENC_FMT_YAML);
    /* gin's YAML type is application/x-yaml: application/yaml matches nothing */
    expect_fmt("application/yaml", GW_ENC_FMT_JSON);
    expect_fmt("text/xml", GW_ENC_FMT_JSON);
    expect_fmt("application/jsonx", GW_ENC_FMT_JSON);
}

static void wildcards_and_prefixes(void **state)
{
    (void)state;
    expect_fmt("*/*", GW_ENC_FMT_JSON);
    expect_fmt("*", GW_ENC_FMT_JSON);
    expect_fmt("application/*", GW_ENC_FMT_JSON);
    expect_fmt("text/*", GW_ENC_FMT_YAML);
    /* an accepted value that is a prefix of an offer picks it */
    expect_fmt("app", GW_ENC_FMT_JSON);
    expect_fmt("text", GW_ENC_FMT_YAML);
    expect_fmt("application/x", GW_ENC_FMT_XML);
    expect_fmt("application/x-", GW_ENC_FMT_YAML);
}

static void header_order_wins_q_values_ignored(void **state)
{
    (void)state;
    expect_fmt("application/xml;q=0.1, application/json", GW_ENC_FMT_XML);
    expect_fmt("text/plain;q=0, application/json", GW_ENC_FMT_YAML);
    expect_fmt("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", GW_ENC_FMT_XML);
    expect_fmt("image/png, text/html, */*", GW_ENC_FMT_JSON);
    /* a value starting with ';' is kept whole and matches nothing */
    expect_fmt(";q=1, text/plain", GW_ENC_FMT_YAML);
    /* Go's TrimSpace also trims Unicode spaces */
    expect_fmt("\xC2\xA0 application/xml\xE3\x80\x80", GW_ENC_FMT_XML);
    expect_fmt("\tapplication/xml\r\n", GW_ENC_FMT_XML);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest own[] = {
        cmocka_unit_test(no_header_or_no_values_is_json),
        cmocka_unit_test(ce_negotitate_cases),
        cmocka_unit_test(offers_and_their_renderers),
        cmocka_unit_test(wildcards_and_prefixes),
        cmocka_unit_test(header_order_wins_q_values_ignored),
    };
    const struct CMUnitTest shared[] = {
        cmocka_unit_test(ce_negotitate_json_body),
    };
    return tu_run(argc, argv, own, TU_COUNT(own), shared, TU_COUNT(shared));
}
