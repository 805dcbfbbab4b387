/* test_gw_enc_xml.c - `encoding: "xml"` decoding as mxj builds its map for krakend-xml, the XML
 * renderer of `output_encoding: "xml"`, CE's xml_1/xml_2 cases, and hostile XML. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gw_encoding.h"
#include "tu_shared.h"
#include "tu_file.h"

#define SPECS "conformance/krakend-ce/krakend-ce-specs/"

/* The XML body of CE's integration backend at /xml (our mock-backend serves the same bytes). */
static const char CE_XML[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                             "<user type=\"admin\">\n"
                             "  <name>Elliot</name>\n"
                             "  <social>\n"
                             "    <facebook>https://facebook.com</facebook>\n"
                             "    <twitter>https://twitter.com</twitter>\n"
                             "    <youtube>https://youtube.com</youtube>\n"
                             "  </social>\n"
                             "</user>";

/* Decodes and renders the result as JSON, or "ERR <code>: <msg>". Owned. */
static char *dec_lim(const char *xml, size_t n, bool coll, const struct gw_enc_limits *lim)
{
    struct cmn_err err = {0};
    char *copy = malloc(n ? n : 1); /* exact size, no NUL: as a backend body arrives */
    struct gw_json *v;
    char *out;

    assert_non_null(copy);
    memcpy(copy, xml, n);
    v = gw_enc_xml_decode(copy, n, coll, lim, &err);
    free(copy);

    if (!v) {
        assert_int_not_equal(err.code, GW_ENC_OK);
        out = malloc(strlen(err.msg) + 16);
        assert_non_null(out);
        snprintf(out, strlen(err.msg) + 16, "ERR %d: %s", err.code, err.msg);
        return out;
    }
    assert_int_equal(err.code, GW_ENC_OK);
    out = gw_json_render_str(v, NULL);
    gw_json_destroy(v);
    return out;
}

static void expect_dec(const char *xml, const char *want)
{
    char *got = dec_lim(xml, strlen(xml), false, NULL);

    assert_string_equal(got, want);
    free(got);
}

static struct gw_json *json(const char *s)
{
    struct cmn_err err = {0};
    struct gw_json *v = gw_json_parse(s, strlen(s), NULL, &err);

    assert_non_null(v);
    return v;
}

/* Renders the JSON text as XML: the body, or "ERR <code>". Owned. */
static char *render_xml(const struct gw_json *v, size_t cap)
{
    struct cmn_err err = {0};
    struct cmn_buf b;
    int rc;
    char *out;

    cmn_buf_init(&b, cap);
    rc = gw_enc_xml_render(v, &b, &err);
    if (rc != GW_ENC_OK) {
        assert_int_equal(b.len, 0); /* nothing is written on an error */
        cmn_buf_free(&b);
        out = malloc(32);
        assert_non_null(out);
        snprintf(out, 32, "ERR %d", rc);
        return out;
    }
    out = cmn_buf_take(&b, NULL);
    assert_non_null(out);
    return out;
}

static void expect_xml(const char *in_json, const char *want)
{
    struct gw_json *v = json(in_json);
    char *got = render_xml(v, 1 << 20);

    assert_string_equal(got, want);
    free(got);
    gw_json_destroy(v);
}

/* ---- decoding -------------------------------------------------------------------------------- */

static void ce_backend_body_decodes_to_strings_and_dash_attributes(void **state)
{
    (void)state;
    expect_dec(CE_XML,
               "{\"user\":{\"-type\":\"admin\",\"name\":\"Elliot\",\"social\":{\"facebook\":"
               "\"https://facebook.com\",\"twitter\":\"https://twitter.com\",\"youtube\":"
               "\"https://youtube.com\"}}}");
}

static void values_are_trimmed_strings_never_numbers(void **state)
{
    (void)state;
    expect_dec("<a><n> 1 </n><b>true</b><f>\t1.5e3\r\n</f></a>",
               "{\"a\":{\"b\":\"true\",\"f\":\"1.5e3\",\"n\":\"1\"}}");
    expect_dec("<a>  hi there \n</a>", "{\"a\":\"hi there\"}");
    /* empty elements, self-closing or with white space only */
    expect_dec("<r><a/><b></b><c>  \n </c></r>", "{\"r\":{\"a\":\"\",\"b\":\"\",\"c\":\"\"}}");
    expect_dec("<a/>", "{\"a\":\"\"}");
}

static void repeated_siblings_become_lists_in_document_order(void **state)
{
    (void)state;
    expect_dec("<a><i>2</i><j/><i>1</i><i><k>x</k></i></a>",
               "{\"a\":{\"i\":[\"2\",\"1\",{\"k\":\"x\"}],\"j\":\"\"}}");
    /* one child is never a list */
    expect_dec("<a><i>2</i></a>", "{\"a\":{\"i\":\"2\"}}");
}

static void attributes_and_text_keys(void **state)
{
    (void)state;
    expect_dec("<a x=\"1\" y=\"\">t</a>", "{\"a\":{\"#text\":\"t\",\"-x\":\"1\",\"-y\":\"\"}}");
    expect_dec("<a x=\"1\"/>", "{\"a\":{\"-x\":\"1\"}}");
    /* no attributes: the text seen before the first child wins */
    expect_dec("<a>x<b/>y</a>", "{\"a\":{\"#text\":\"x\",\"b\":\"\"}}");
    /* no text before the children: the last piece of text wins */
    expect_dec("<a><b/>y<c/>z</a>", "{\"a\":{\"#text\":\"z\",\"b\":\"\",\"c\":\"\"}}");
    /* with attributes every piece goes to #text: the last wins */
    expect_dec("<a k=\"v\">x<b/>y</a>", "{\"a\":{\"#text\":\"y\",\"-k\":\"v\",\"b\":\"\"}}");
    /* entity and character references in attribute values */
    expect_dec("<a k=\"&lt;&amp;&#x41;&quot;\"/>", "{\"a\":{\"-k\":\"\\u003c\\u0026A\\\"\"}}");
}

static void text_pieces_are_go_tokens(void **state)
{
    (void)state;
    /* a CDATA section is its own token, and so the last non-empty piece wins */
    expect_dec("<a>x <![CDATA[y]]> z</a>", "{\"a\":\"z\"}");
    expect_dec("<a><![CDATA[ <b> & ]]></a>", "{\"a\":\"\\u003cb\\u003e \\u0026\"}");
    expect_dec("<a>x<![CDATA[]]></a>", "{\"a\":\"x\"}");
    /* comments and processing instructions split text */
    expect_dec("<a>x<!--c-->y</a>", "{\"a\":\"y\"}");
    expect_dec("<a>x<?pi d?>y</a>", "{\"a\":\"y\"}");
    /* references do not: one token */
    expect_dec("<a>&lt;&amp;&#65;&#x42;&gt; c</a>", "{\"a\":\"\\u003c\\u0026AB\\u003e c\"}");
    /* line ends are normalised */
    expect_dec("<a>x\r\ny\rz</a>", "{\"a\":\"x\\ny\\nz\"}");
}

static void namespaces_keep_local_names(void **state)
{
    (void)state;
    expect_dec("<r xmlns=\"urn:d\" xmlns:p=\"urn:p\" p:x=\"1\"><p:b>t</p:b><b>u</b></r>",
               "{\"r\":{\"-p\":\"urn:p\",\"-x\":\"1\",\"-xmlns\":\"urn:d\",\"b\":[\"t\",\"u\"]}}");
    /* xml:lang is "-lang"; an undeclared prefix is dropped too */
    expect_dec("<r xml:lang=\"en\"><q:z>1</q:z></r>", "{\"r\":{\"-lang\":\"en\",\"z\":\"1\"}}");
}

static void only_the_first_root_is_read(void **state)
{
    (void)state;
    expect_dec("<a>1</a><b>2</b>", "{\"a\":\"1\"}");
    expect_dec("<a>1</a> trailing <<< & garbage", "{\"a\":\"1\"}");
}

static void prolog_is_skipped_as_go_does(void **state)
{
    (void)state;
    expect_dec("\xEF\xBB\xBF\n  <?xml version=\"1.0\" standalone=\"yes\"?>\n<!-- c -->\n<?pi x?>\n"
               "<!DOCTYPE a [ <!ELEMENT a (#PCDATA)> <!-- > --> ]>\n<a>v</a>",
               "{\"a\":\"v\"}");
    /* text before the root is read and dropped */
    expect_dec("junk &amp; text <a>v</a>", "{\"a\":\"v\"}");
}

static void declared_charsets_use_whatwg_decoders(void **state)
{
    (void)state;
    /* iso-8859-1 is windows-1252 to Go's x/net/html/charset: 0x80 is the euro sign */
    expect_dec("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>\xE9\x80</a>",
               "{\"a\":\"\xC3\xA9\xE2\x82\xAC\"}");
    expect_dec("<?xml version='1.0' encoding='windows-1252'?><a k=\"\x93q\x94\">\x85</a>",
               "{\"a\":{\"#text\":\"\xE2\x80\xA6\",\"-k\":\"\xE2\x80\x9Cq\xE2\x80\x9D\"}}");
    /* other labels go through iconv: KOI8-R 0xC1 is U+0430 */
    expect_dec("<?xml version=\"1.0\" encoding=\" koi8-r \"?><a>\xC1</a>", "{\"a\":\"\xD0\xB0\"}");
    expect_dec("<?xml version=\"1.0\" encoding=\"utf8\"?><a>\xC3\xA9</a>", "{\"a\":\"\xC3\xA9\"}");
}

static void collection_wraps_the_object(void **state)
{
    char *got = dec_lim("<a>1</a>", 8, true, NULL);

    (void)state;
    assert_string_equal(got, "{\"collection\":{\"a\":\"1\"}}");
    free(got);
}

static void errors_carry_krakends_text(void **state)
{
    (void)state;
    expect_dec("", "ERR 1: EOF");
    expect_dec("  \n\t", "ERR 1: EOF");
    expect_dec("<?xml version=\"1.0\"?>\n<!-- nothing -->\n", "ERR 1: EOF");
    expect_dec("<a><b>1</a>", "ERR 2: xml.Decoder.Token() - XML syntax error on line 1: element "
                              "<b> closed by </a>");
    expect_dec("\n\n<a>\n</b>", "ERR 2: xml.Decoder.Token() - XML syntax error on line 4: element "
                                "<a> closed by </b>");
    expect_dec("<a>&nbsp;</a>", "ERR 2: xml.Decoder.Token() - XML syntax error on line 1: invalid "
                                "character entity &nbsp;");
    expect_dec("<a><b>", "ERR 2: xml.Decoder.Token() - XML syntax error on line 1: unexpected EOF");
    expect_dec("<a>\xff</a>",
               "ERR 2: xml.Decoder.Token() - XML syntax error on line 1: invalid UTF-8");
    expect_dec("<?xml version=\"1.1\"?><a/>", "ERR 2: xml.Decoder.Token() - xml: unsupported "
                                              "version \"1.1\"; only version 1.0 is supported");
    expect_dec("<?xml version=\"1.0\" encoding=\"x-bogus\"?><a/>",
               "ERR 3: xml.Decoder.Token() - xml: opening charset \"x-bogus\": unsupported "
               "charset: \"x-bogus\"");
    expect_dec("</a>", "ERR 2: xml.Decoder.Token() - XML syntax error on line 1: unexpected end "
                       "element </a>");
    expect_dec("x &bogus; <a/>", "ERR 2: xml.Decoder.Token() - XML syntax error on line 1: "
                                 "invalid character entity &bogus;");
    expect_dec("<a>&#0;</a>", "ERR 2: xml.Decoder.Token() - XML syntax error on line 1: illegal "
                              "character code U+0000");
    expect_dec("<a>\x01</a>", "ERR 2: xml.Decoder.Token() - XML syntax error on line 1: illegal "
                              "character code U+0001");
    expect_dec("<a b/>", "ERR 2: xml.Decoder.Token() - XML syntax error on line 1: attribute name "
                         "without = in element");
    expect_dec("<a b=c/>", "ERR 2: xml.Decoder.Token() - XML syntax error on line 1: unquoted or "
                           "missing attribute value in element");
    expect_dec("<a>]]></a>", "ERR 2: xml.Decoder.Token() - XML syntax error on line 1: unescaped "
                             "]]> not in CDATA section");
    expect_dec("<!-- a -- b --><a/>", "ERR 2: xml.Decoder.Token() - XML syntax error on line 1: "
                                      "invalid sequence \"--\" not allowed in comments");
}

/* ---- hostile input -----------------------------------------------------------------------------
 */

static void no_dtd_no_entity_expansion(void **state)
{
    static const char *laughs =
        "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
        "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
        "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">"
        "<!ENTITY lol9 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">]>"
        "<lolz>&lol9;</lolz>";
    static const char *xxe = "<!DOCTYPE f [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><f>&x;</f>";
    static const char *inner = "<a><!DOCTYPE b [<!ENTITY e \"x\">]>&e;</a>";
    char *got;

    (void)state;
    got = dec_lim(laughs, strlen(laughs), false, NULL);
    assert_non_null(strstr(got, "invalid character entity &lol9;"));
    free(got);
    /* external entities: never resolved, never read */
    got = dec_lim(xxe, strlen(xxe), false, NULL);
    assert_non_null(strstr(got, "invalid character entity &x;"));
    assert_null(strstr(got, "root:"));
    free(got);
    /* an external DTD and parameter entities are skipped, not fetched */
    expect_dec("<!DOCTYPE f SYSTEM \"http://127.0.0.1:1/x.dtd\"><f>v</f>", "{\"f\":\"v\"}");
    expect_dec("<!DOCTYPE f [<!ENTITY % p SYSTEM \"file:///etc/passwd\"> %p;]><f/>",
               "{\"f\":\"\"}");
    /* a DOCTYPE inside the root is not a place for one */
    got = dec_lim(inner, strlen(inner), false, NULL);
    assert_int_equal(strncmp(got, "ERR 2:", 6), 0);
    free(got);
}

static char *repeat(const char *head, const char *unit, size_t times, const char *tail, size_t *len)
{
    size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
    char *b = malloc(hl + ul * times + tl + 1);

    assert_non_null(b);
    memcpy(b, head, hl);
    for (size_t i = 0; i < times; i++)
        memcpy(b + hl + i * ul, unit, ul);
    memcpy(b + hl + ul * times, tail, tl + 1);
    *len = hl + ul * times + tl;
    return b;
}

static void expect_limit(const char *xml, size_t n, const struct gw_enc_limits *lim)
{
    char *got = dec_lim(xml, n, false, lim);

    if (strncmp(got, "ERR 4:", 6) != 0)
        fail_msg("expected a limit error, got %.200s", got);
    free(got);
}

static void caps_refuse_deep_wide_and_huge_documents(void **state)
{
    struct gw_enc_limits lim = {0};
    size_t n;
    char *b;
    clock_t t0 = clock();

    (void)state;
    b = repeat("", "<a>", 100000, "", &n);
    expect_limit(b, n, NULL);
    free(b);
    /* 128 levels are fine, 129 are not */
    b = repeat("", "<a>", 128, "", &n);
    char *c = dec_lim(b, n, false, NULL);
    assert_null(strstr(c, "ERR 4"));
    free(c);
    free(b);
    /* attributes per tag (also bounds libxml2's pairwise duplicate check) */
    b = repeat("<a", " xmlns:p=\"u\"", 300, "/>", &n);
    expect_limit(b, n, NULL);
    free(b);
    b = repeat("<a", " x=\"1\"", 200000, "/>", &n);
    expect_limit(b, n, NULL);
    free(b);
    /* nodes */
    lim.max_nodes = 100;
    b = repeat("<a>", "<b/>", 200, "</a>", &n);
    expect_limit(b, n, &lim);
    free(b);
    /* value sizes */
    lim.max_nodes = 0;
    lim.max_value_len = 1000;
    b = repeat("<a x=\"", "y", 2000, "\"/>", &n);
    expect_limit(b, n, &lim);
    free(b);
    b = repeat("<a>", "y", 2000, "</a>", &n);
    expect_limit(b, n, &lim);
    free(b);
    b = repeat("<a><![CDATA[", "y", 2000, "]]></a>", &n);
    expect_limit(b, n, &lim);
    free(b);
    /* the body */
    lim.max_value_len = 0;
    lim.max_bytes = 10;
    expect_limit("<a>0123456789</a>", 17, &lim);
    /* a 20 MB attribute value is refused (libxml2's own text cap comes first) */
    b = repeat("<a x=\"", "y", 20u << 20, "\"/>", &n);
    c = dec_lim(b, n, false, NULL);
    assert_int_equal(strncmp(c, "ERR ", 4), 0);
    free(c);
    free(b);
    /* all of the above in well under the test's timeout */
    assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 30.0);
}

/* ---- rendering ---------------------------------------------------------------------------------
 */

static void renders_the_root_rules(void **state)
{
    (void)state;
    expect_xml("{}", "<doc/>");
    expect_xml("{\"a\":\"1\",\"b\":\"2\"}", "<doc><a>1</a><b>2</b></doc>");
    expect_xml("{\"a\":{\"b\":\"1\"}}", "<a><b>1</b></a>");
    /* a list of objects under the only key: several root elements */
    expect_xml("{\"collection\":[{\"i\":1},{\"i\":2}]}",
               "<collection><i>1</i></collection><collection><i>2</i></collection>");
    /* a list holding anything else: <doc> */
    expect_xml("{\"collection\":[1,2]}",
               "<doc><collection>1</collection><collection>2</collection></doc>");
    expect_xml("{\"a\":[[1]]}", "<doc><a>1</a></doc>");
    expect_xml("{\"a\":[]}", "<a/>");
    /* a nil map */
    char *got = render_xml(NULL, 64);
    assert_string_equal(got, "<doc/>");
    free(got);
}

static void renders_empty_values_self_closing(void **state)
{
    (void)state;
    expect_xml("{\"a\":\"\",\"b\":null,\"c\":{},\"d\":[],\"e\":0,\"f\":false}",
               "<doc><a/><b/><c/><d/><e>0</e><f>false</f></doc>");
}

static void renders_sorted_keys_attributes_and_text(void **state)
{
    (void)state;
    expect_xml("{\"a\":{\"-z\":\"1\",\"-b\":true,\"-n\":3.50,\"#text\":\"t\"}}",
               "<a b=\"true\" n=\"3.50\" z=\"1\">t</a>");
    expect_xml("{\"a\":{\"z\":1,\"B\":2,\"#text\":\"t\",\"-x\":\"y\",\"m\":[\"p\",\"q\"]}}",
               "<a x=\"y\">t<B>2</B><m>p</m><m>q</m><z>1</z></a>");
    /* only attributes: self-closing */
    expect_xml("{\"a\":{\"-k\":\"v\"}}", "<a k=\"v\"/>");
    /* "-" alone is an element; names are not validated */
    expect_xml("{\"a\":{\"-\":\"x\"}}", "<a><->x</-></a>");
    expect_xml("{\"bad key\":1}", "<bad key>1</bad key>");
    /* a #text that is not a string prints with Go's %v, unescaped */
    expect_xml("{\"a\":{\"#text\":{\"k\":[1,\"<x>\",null,true]},\"-i\":\"1\"}}",
               "<a i=\"1\">map[k:[1 <x> <nil> true]]</a>");
    expect_xml("{\"a\":{\"#text\":\"\"}}", "<a></a>");
}

static void renders_escapes_and_numbers_verbatim(void **state)
{
    (void)state;
    expect_xml("{\"a\":\"<&>\\\"' \\u00e9\"}", "<a>&lt;&amp;&gt;&quot;&apos; \xC3\xA9</a>");
    expect_xml("{\"a\":{\"-x\":\"\\\"<&\"}}", "<a x=\"&quot;&lt;&amp;\"/>");
    expect_xml("{\"n\":1.10,\"m\":-0,\"e\":1E+3}", "<doc><e>1E+3</e><m>-0</m><n>1.10</n></doc>");
}

static void render_refuses_non_scalar_attributes_writing_nothing(void **state)
{
    static const char *bad[] = {"{\"a\":{\"-x\":{\"y\":1}}}", "{\"a\":{\"-x\":null}}",
                                "{\"a\":{\"-x\":[\"1\"]}}", "{\"r\":[{\"k\":{\"-x\":[]}}]}"};

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct gw_json *v = json(bad[i]);
        char *got = render_xml(v, 1 << 20);
        assert_string_equal(got, "ERR 8");
        free(got);
        gw_json_destroy(v);
    }
}

static void render_respects_the_output_cap(void **state)
{
    struct gw_json *v = json("{\"a\":\"0123456789012345678901234567890123456789\"}");
    char *got = render_xml(v, 16);

    (void)state;
    assert_string_equal(got, "ERR 4");
    free(got);
    gw_json_destroy(v);
}

/* ---- CE cases (krakend-ce-specs read at run time) -------------------------------------------- */

/* The spec's expected body (owned), and its content type into ct when ct is not NULL. */
static char *spec_body_ct(const char *name, char *ct, size_t ct_size)
{
    char path[512];
    char *text;
    json_t *root, *body, *type;
    char *out = NULL;

    snprintf(path, sizeof(path), SPECS "%s.json", name);
    text = tu_shared_read(path, NULL);
    if (!text)
        return NULL;
    root = json_loads(text, 0, NULL);
    free(text);
    body = json_object_get(json_object_get(root, "out"), "body");
    type = json_array_get(
        json_object_get(json_object_get(json_object_get(root, "out"), "header"), "content-type"),
        0);
    if (json_is_string(body))
        out = strdup(json_string_value(body));
    if (ct && json_is_string(type))
        snprintf(ct, ct_size, "%s", json_string_value(type));
    json_decref(root);
    return out;
}

static char *spec_body(const char *name)
{
    return spec_body_ct(name, NULL, 0);
}

static void ce_xml_1_backend_xml_to_xml(void **state)
{
    char ct[64] = "";
    char *want = spec_body_ct("xml_1", ct, sizeof(ct));
    struct cmn_err err = {0};
    struct gw_json *v;
    char *got;

    (void)state;
    if (!want)
        skip(); /* the krakend-ce specs are not beside this checkout */
    v = gw_enc_xml_decode(CE_XML, strlen(CE_XML), false, NULL, &err);
    assert_non_null(v);
    got = render_xml(v, 1 << 20);
    assert_string_equal(got, want);
    assert_string_equal(ct, GW_ENC_XML_CT);
    free(got);
    free(want);
    gw_json_destroy(v);
}

static void ce_xml_2_json_backend_to_xml(void **state)
{
    char *want = spec_body("xml_2");
    /* lura's echo of the request that reached /param_forwarding/ after the redirect */
    struct gw_json *v =
        json("{\"path\":\"/param_forwarding/\",\"query\":{},\"foo\":42,\"headers\":{"
             "\"User-Agent\":[\"KrakenD Version 2.13.8\"],\"X-Forwarded-Host\":"
             "[\"localhost:8080\"],\"Accept-Encoding\":[\"gzip\"],\"Referer\":"
             "[\"http://127.0.0.1:8081/param_forwarding\"]}}");
    char *got = render_xml(v, 1 << 20);

    (void)state;
    gw_json_destroy(v);
    if (!want) {
        free(got);
        skip();
    }
    assert_string_equal(got, want);
    free(got);
    free(want);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest own[] = {
        cmocka_unit_test(ce_backend_body_decodes_to_strings_and_dash_attributes),
        cmocka_unit_test(values_are_trimmed_strings_never_numbers),
        cmocka_unit_test(repeated_siblings_become_lists_in_document_order),
        cmocka_unit_test(attributes_and_text_keys),
        cmocka_unit_test(text_pieces_are_go_tokens),
        cmocka_unit_test(namespaces_keep_local_names),
        cmocka_unit_test(only_the_first_root_is_read),
        cmocka_unit_test(prolog_is_skipped_as_go_does),
        cmocka_unit_test(declared_charsets_use_whatwg_decoders),
        cmocka_unit_test(collection_wraps_the_object),
        cmocka_unit_test(errors_carry_krakends_text),
        cmocka_unit_test(no_dtd_no_entity_expansion),
        cmocka_unit_test(caps_refuse_deep_wide_and_huge_documents),
        cmocka_unit_test(renders_the_root_rules),
        cmocka_unit_test(renders_empty_values_self_closing),
        cmocka_unit_test(renders_sorted_keys_attributes_and_text),
        cmocka_unit_test(renders_escapes_and_numbers_verbatim),
        cmocka_unit_test(render_refuses_non_scalar_attributes_writing_nothing),
        cmocka_unit_test(render_respects_the_output_cap),
    };
    const struct CMUnitTest shared[] = {
        cmocka_unit_test(ce_xml_1_backend_xml_to_xml),
        cmocka_unit_test(ce_xml_2_json_backend_to_xml),
    };
    return tu_run(argc, argv, own, TU_COUNT(own), shared, TU_COUNT(shared));
}
