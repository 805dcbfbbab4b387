/* test_cmn_go.c - the Go rules of common/go, each checked against what Go itself does (the
 * cases are Go's documented behaviour: time.ParseDuration, textproto.CanonicalMIMEHeaderKey,
 * json.Marshal's string escaping, net/url's escaping). */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmn_buf.h"
#include "cmn_go_duration.h"
#include "cmn_go_fmt.h"
#include "cmn_go_header.h"
#include "cmn_go_json.h"
#include "cmn_go_net.h"
#include "cmn_go_strings.h"
#include "cmn_go_url.h"
#include "cmn_go_value.h"

#include <arpa/inet.h>
#include <jansson.h>

static void durations(void **state)
{
    static const struct {
        const char *in;
        bool ok;
        int64_t ns;
    } cases[] = {
        {"0", true, 0},
        {"5s", true, 5000000000},
        {"30m", true, 1800000000000},
        {"-1.5h", true, -5400000000000},
        {"1h2m3.5s", true, 3723500000000},
        {".5s", true, 500000000},
        {"1.s", true, 1000000000},
        {"1us", true, 1000},
        {"1\xc2\xb5s", true, 1000},
        {"1\xce\xbcs", true, 1000},
        {"300ms", true, 300000000},
        {"+2ns", true, 2},
        {"2562047h47m16.854775807s", true, INT64_MAX},
        {"-2562047h47m16.854775808s", true, INT64_MIN},
        {"2562047h47m16.854775808s", false, 0},
        {"9223372036854775808ns", false, 0},
        {"", false, 0},
        {"1", false, 0},
        {"s", false, 0},
        {".s", false, 0},
        {"1d", false, 0},
        {"1 s", false, 0},
        {"-", false, 0},
        {"3000000h", false, 0},
    };
    int64_t ns;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ns = 42;
        if (cmn_go_parse_duration(cases[i].in, &ns) != cases[i].ok)
            fail_msg("\"%s\": want %s", cases[i].in, cases[i].ok ? "ok" : "an error");
        if (cases[i].ok && ns != cases[i].ns)
            fail_msg("\"%s\": %lld, want %lld", cases[i].in, (long long)ns, (long long)cases[i].ns);
        ns = 42;
        if (cmn_go_parse_duration_n(cases[i].in, strlen(cases[i].in), &ns) != cases[i].ok ||
            (cases[i].ok && ns != cases[i].ns))
            fail_msg("_n \"%s\": wrong", cases[i].in);
    }
    /* with a length: the bytes after it are not read, a NUL inside is an unknown unit */
    assert_true(cmn_go_parse_duration_n("1s5m", 2, &ns));
    assert_int_equal(ns, 1000000000);
    assert_false(cmn_go_parse_duration_n("1s\0"
                                         "5m",
                                         5, &ns));
    assert_false(cmn_go_parse_duration_n("0\0", 2, &ns));
    assert_true(cmn_go_parse_duration_n("-0", 2, &ns));
    assert_false(cmn_go_parse_duration_n("5s", 0, &ns));
    assert_false(cmn_go_parse_duration(NULL, &ns));
}

static void canonical_headers(void **state)
{
    static const char *const cases[][2] = {
        {"x-user-id", "X-User-Id"},
        {"CONTENT-TYPE", "Content-Type"},
        {"www-authenticate", "Www-Authenticate"},
        {"a", "A"},
        {"x--y", "X--Y"},
        {"-x", "-X"},
        {"x_y", "X_y"},
        {"X Y", "X Y"}, /* not a token: unchanged */
        {"x\xc3\xa9", "x\xc3\xa9"},
        {"", ""},
    };
    char out[64];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cmn_go_canonical_header(cases[i][0], out, sizeof(out));
        assert_string_equal(out, cases[i][1]);
    }
    cmn_go_canonical_header("content-type", out, 5); /* cut, still terminated */
    assert_string_equal(out, "Cont");
}

/* Every byte at the start of a word and inside one, against textproto's rule spelled out: a
 * letter is upper case at a word's start and lower case inside, a token byte stays, any other
 * byte leaves the whole name as it was. */
static void canonical_headers_every_byte(void **state)
{
    static const char tchars[] = "!#$%&'*+-.^_`|~";
    char in[8], out[8], want[8];

    (void)state;
    for (unsigned b = 1; b < 256; b++) {
        bool letter = (b | 0x20) >= 'a' && (b | 0x20) <= 'z';
        bool token = letter || (b >= '0' && b <= '9') || (b && strchr(tchars, (int)b));
        for (int word_start = 0; word_start < 2; word_start++) {
            snprintf(in, sizeof(in), word_start ? "a-%c" : "ab%c", (char)b);
            if (!token)
                snprintf(want, sizeof(want), "%s", in);
            else
                snprintf(want, sizeof(want), word_start ? "A-%c" : "Ab%c",
                         letter ? (char)(word_start ? b & ~0x20u : b | 0x20u) : (char)b);
            cmn_go_canonical_header(in, out, sizeof(out));
            if (strcmp(out, want) != 0)
                fail_msg("byte 0x%02x: \"%s\" -> \"%s\", want \"%s\"", b, in, out, want);
        }
    }
}

static char *json(const char *s, size_t n, bool html)
{
    struct cmn_buf b;

    cmn_buf_init(&b, 1024);
    assert_true(cmn_go_json_string(&b, s, n, html));
    return cmn_buf_take(&b, NULL);
}

static void json_strings(void **state)
{
    char *t;

    (void)state;
    t = json("plain", 5, true);
    assert_string_equal(t, "\"plain\"");
    free(t);
    t = json("q\"b\\\b\f\n\r\t\x01\x1f", 11, true);
    assert_string_equal(t, "\"q\\\"b\\\\\\b\\f\\n\\r\\t\\u0001\\u001f\"");
    free(t);
    t = json("<a&b>", 5, true);
    assert_string_equal(t, "\"\\u003ca\\u0026b\\u003e\"");
    free(t);
    t = json("<a&b>", 5, false);
    assert_string_equal(t, "\"<a&b>\"");
    free(t);
    /* U+2028, U+2029 escaped; valid multibyte kept; each invalid byte one \ufffd */
    t = json("\xe2\x80\xa8\xe2\x80\xa9\xc3\xa9\xf0\x9f\x98\x80", 12, true);
    assert_string_equal(t, "\"\\u2028\\u2029\xc3\xa9\xf0\x9f\x98\x80\"");
    free(t);
    t = json("a\xff\xe2\x82z\xed\xa0\x80\xc0\xaf", 10, true);
    assert_string_equal(t, "\"a\\ufffd\\ufffd\\ufffdz\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\"");
    free(t);
    t = json("n\0l", 3, true);
    assert_string_equal(t, "\"n\\u0000l\"");
    free(t);
}

static void utf8(void **state)
{
    uint32_t r;

    (void)state;
    assert_int_equal(cmn_go_utf8_decode((const unsigned char *)"A", 1, &r), 1);
    assert_int_equal(r, 'A');
    assert_int_equal(cmn_go_utf8_decode((const unsigned char *)"\xc3\xa9", 2, &r), 2);
    assert_int_equal(r, 0xe9);
    assert_int_equal(cmn_go_utf8_decode((const unsigned char *)"\xf4\x8f\xbf\xbf", 4, &r), 4);
    assert_int_equal(r, 0x10ffff);
    assert_int_equal(cmn_go_utf8_decode((const unsigned char *)"\xf4\x90\x80\x80", 4, &r), 0);
    assert_int_equal(cmn_go_utf8_decode((const unsigned char *)"\xed\xa0\x80", 3, &r), 0);
    assert_int_equal(cmn_go_utf8_decode((const unsigned char *)"\xe0\x80\xaf", 3, &r), 0);
    assert_int_equal(cmn_go_utf8_decode((const unsigned char *)"\xc3", 1, &r), 0);
}

static char *escaped(bool (*fn)(const char *, size_t, struct cmn_buf *), const char *s)
{
    struct cmn_buf b;

    cmn_buf_init(&b, 1024);
    if (!fn(s, strlen(s), &b)) {
        cmn_buf_free(&b);
        return NULL;
    }
    return cmn_buf_take(&b, NULL);
}

static void url(void **state)
{
    char out[64], *t;
    size_t n;

    (void)state;
    assert_true(cmn_go_unescape("a%20b+c", 7, false, out, &n));
    assert_string_equal(out, "a b+c");
    assert_true(cmn_go_unescape("a%20b+c", 7, true, out, &n));
    assert_string_equal(out, "a b c");
    assert_true(cmn_go_unescape("%00x", 4, false, out, &n));
    assert_int_equal(n, 2);
    assert_false(cmn_go_unescape("%zz", 3, false, out, &n));
    assert_false(cmn_go_unescape("ab%4", 4, false, out, &n));
    assert_false(cmn_go_unescape("%", 1, false, out, &n));
    t = escaped(cmn_go_query_escape, "a b&c=d/\xc3\xa9~-_.");
    assert_string_equal(t, "a+b%26c%3Dd%2F%C3%A9~-_.");
    free(t);
    t = escaped(cmn_go_path_escape, "/a b/c?d#e;f=g@h$&+,:~");
    assert_string_equal(t, "/a%20b/c%3Fd%23e;f=g@h$&+,:~");
    free(t);
    /* EscapedPath: a valid raw form is kept as sent, another is escaped again */
    t = escaped(cmn_go_escaped_path, "/a%20b/%7E!'()*");
    assert_string_equal(t, "/a%20b/%7E!'()*");
    free(t);
    t = escaped(cmn_go_escaped_path, "/a b/\xc3\xa9");
    assert_string_equal(t, "/a%20b/%C3%A9");
    free(t);
    t = escaped(cmn_go_escaped_path, "/x%00y z");
    assert_string_equal(t, "/x%00y%20z");
    free(t);
    assert_null(escaped(cmn_go_escaped_path, "/bad%zz"));
    /* a host as url.URL.String writes it: sub-delims, ':' '[' ']' '<' '>' '"' stay */
    t = escaped(cmn_go_host_escape, "[::1]:80!$&'()*+,;=<>\"-_.~");
    assert_string_equal(t, "[::1]:80!$&'()*+,;=<>\"-_.~");
    free(t);
    t = escaped(cmn_go_host_escape, "a b/c@d%e?\xc3\xbc");
    assert_string_equal(t, "a%20b%2Fc%40d%25e%3F%C3%BC");
    free(t);
}

/* fmt.Sprintf(format, "N") as Go prints it, errors included (what a CSP with $NONCE and a
 * stray '%' turns into in unrolled/secure). */
static void sprintf_str(void **state)
{
    static const char *const t[][2] = {
        {"%[1]s", "N"},
        {"a%%b %[1]s", "a%b N"},
        {"%s", "N"},
        {"%s %s", "N %!s(MISSING)"},
        {"%[1]s %s", "N %!s(MISSING)"},
        {"%[1]s%[1]s", "NN"},
        {"%[2]s", "%!s(BADINDEX)"},
        {"%d", "%!d(string=N)"},
        {"%v", "N"},
        {"%q", "\"N\""},
        {"%x", "4e"},
        {"%X", "4E"},
        {"%5s|", "    N|"},
        {"%-3s|", "N  |"},
        {"%.0s|", "|"},
        {"100%7Efoo", "100%!E(string=N)foo"},
        {"tail %", "tail %!(NOVERB)%!(EXTRA string=N)"},
        {"%[1]s %", "N %!(NOVERB)"},
        {"plain", "plain%!(EXTRA string=N)"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        struct cmn_buf b;
        cmn_buf_init(&b, 4096);
        assert_true(cmn_go_sprintf_str(t[i][0], "N", &b));
        if (strcmp(cmn_buf_str(&b), t[i][1]) != 0)
            fail_msg("%s -> %s", t[i][0], cmn_buf_str(&b));
        cmn_buf_free(&b);
    }
}

static void quote(void **state)
{
    struct cmn_buf b;

    (void)state;
    cmn_buf_init(&b, 256);
    assert_true(cmn_go_quote(&b, "a\"b\\c\r\n\t\x01\x7f\xc3\xa9\xff", 13));
    assert_string_equal(cmn_buf_str(&b), "\"a\\\"b\\\\c\\r\\n\\t\\x01\\x7f\xc3\xa9\\xff\"");
    cmn_buf_free(&b);
    /* runes unicode.IsPrint refuses: U+0085, U+00A0, U+200B, U+E000 (private), U+F0000 */
    cmn_buf_init(&b, 256);
    assert_true(cmn_go_quote(
        &b, "\xc2\x85\xc2\xa0\xe2\x80\x8b\xee\x80\x80\xf3\xb0\x80\x80\xe2\x82\xac", 17));
    assert_string_equal(cmn_buf_str(&b), "\"\\u0085\\u00a0\\u200b\\ue000\\U000f0000\xe2\x82\xac\"");
    cmn_buf_free(&b);
}

/* utf8.EncodeRune, RuneCount, Valid and unicode.IsPrint. */
static void utf8_rules(void **state)
{
    char out[4];

    (void)state;
    assert_int_equal(cmn_go_utf8_encode('A', out), 1);
    assert_int_equal(cmn_go_utf8_encode(0xE9, out), 2);
    assert_memory_equal(out, "\xc3\xa9", 2);
    assert_int_equal(cmn_go_utf8_encode(0x20AC, out), 3);
    assert_memory_equal(out, "\xe2\x82\xac", 3);
    assert_int_equal(cmn_go_utf8_encode(0x1F600, out), 4);
    assert_memory_equal(out, "\xf0\x9f\x98\x80", 4);
    /* surrogates and values past U+10FFFF become U+FFFD */
    assert_int_equal(cmn_go_utf8_encode(0xD800, out), 3);
    assert_memory_equal(out, "\xef\xbf\xbd", 3);
    assert_int_equal(cmn_go_utf8_encode(0x110000, out), 3);
    assert_memory_equal(out, "\xef\xbf\xbd", 3);
    /* each byte that starts no valid sequence counts one */
    assert_int_equal(cmn_go_utf8_count("a\xc3\xa9\xe2\x82\xac", 6), 3);
    assert_int_equal(cmn_go_utf8_count("\xe2\x82", 2), 2);
    assert_int_equal(cmn_go_utf8_count("\xff\xfe", 2), 2);
    assert_int_equal(cmn_go_utf8_count("", 0), 0);
    assert_true(cmn_go_utf8_valid("a\xc3\xa9\xf0\x9f\x98\x80", 7));
    assert_true(cmn_go_utf8_valid("", 0));
    assert_false(cmn_go_utf8_valid("a\xe2\x82", 3));
    assert_false(cmn_go_utf8_valid("\xed\xa0\x80", 3)); /* a surrogate */
    assert_false(cmn_go_utf8_valid("\xc0\xaf", 2));     /* overlong */
    assert_true(cmn_go_is_print(' '));
    assert_true(cmn_go_is_print(0xE9));
    assert_false(cmn_go_is_print('\n'));
    assert_false(cmn_go_is_print(0xA0));
    assert_false(cmn_go_is_print(0x2028));
    assert_false(cmn_go_is_print(0xFEFF));
    assert_false(cmn_go_is_print(0x110000));
}

/* Go's Duration.String() on the values of Go's own time tests (durationTests), the extremes of
 * int64 included, and the unit boundaries. */
static void go_duration_string(void **state)
{
    static const struct {
        int64_t ns;
        const char *want;
    } cases[] = {
        {0, "0s"},
        {1, "1ns"},
        {999, "999ns"},
        {1000, "1\xc2\xb5s"},
        {1100, "1.1\xc2\xb5s"},
        {999999, "999.999\xc2\xb5s"},
        {2200000, "2.2ms"},
        {1234567, "1.234567ms"},
        {999999999, "999.999999ms"},
        {1000000000, "1s"},
        {2500000000LL, "2.5s"},
        {3300000000LL, "3.3s"},
        {59999999999LL, "59.999999999s"},
        {60000000000LL, "1m0s"},
        {95000000000LL, "1m35s"},
        {245000000000LL, "4m5s"},
        {245001000000LL, "4m5.001s"},
        {18367001000000LL, "5h6m7.001s"},
        {480000000001LL, "8m0.000000001s"},
        {86400000000000LL, "24h0m0s"},
        {-5, "-5ns"},
        {-61000000000LL, "-1m1s"},
        {INT64_MAX, "2562047h47m16.854775807s"},
        {INT64_MIN, "-2562047h47m16.854775808s"},
    };
    char a[64];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cmn_go_format_duration(cases[i].ns, a, sizeof(a));
        assert_string_equal(a, cases[i].want);
    }
    cmn_go_format_duration(1234567, a, 4);
    assert_string_equal(a, "1.2");
}

/* net.ParseIP / ParseCIDR / IPNet.Contains as Go 1.25 answers them (gin's trusted proxies). */
static bool in_net(const char *cidr, const char *ip)
{
    struct cmn_go_ipnet n;
    struct cmn_go_ip a;

    assert_true(cmn_go_parse_cidr(cidr, strlen(cidr), &n));
    assert_true(cmn_go_parse_ip(ip, strlen(ip), &a));
    return cmn_go_ipnet_contains(&n, &a);
}

static void domain_names(void **state)
{
    static const char *const good[] = {
        ".",     "a",           "localhost", "localhost.", "_api._tcp.example.com",
        "a-b.c", "x1.example.", "1.2.3.a"};
    static const char *const bad[] = {"",     "127.0.0.1", "127.0.0.1.", "a..b",       "a-.b",
                                      "-a.b", "a.-b",      "..",         "a b",        "a/b",
                                      "a:80", "http://a",  "a\\.b",      "\xc3\xa9.fr"};
    char long_label[70], long_name[300];

    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        assert_true(cmn_go_is_domain_name(good[i], strlen(good[i])));
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(cmn_go_is_domain_name(bad[i], strlen(bad[i])));
    memset(long_label, 'a', 63);
    memcpy(long_label + 63, ".b", 3);
    assert_true(cmn_go_is_domain_name(long_label, strlen(long_label)));
    long_label[63] = 'a';
    memcpy(long_label + 64, ".b", 3);
    assert_false(cmn_go_is_domain_name(long_label, strlen(long_label)));
    /* 253 bytes is the longest name; 254 only with the final dot */
    for (size_t i = 0; i < 253; i++)
        long_name[i] = i % 2 ? '.' : 'a';
    long_name[253] = 0;
    assert_true(cmn_go_is_domain_name(long_name, 253));
    long_name[253] = 'a';
    assert_false(cmn_go_is_domain_name(long_name, 254));
    long_name[253] = '.';
    long_name[252] = 'a';
    assert_true(cmn_go_is_domain_name(long_name, 254));
}

static uint32_t lcg(uint32_t *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return *seed >> 8;
}

/* The IPv4 parser against glibc's inet_pton, whose AF_INET form is Go's: short strings drawn
 * mostly from digits and dots, now and then another byte, and every field value around the
 * limits with and without a leading zero. */
static void ipv4_like_inet_pton(void **state)
{
    static const char usual[] = "0123456789...", odd[] = " x:-";
    char s[24];
    uint8_t ours[4], theirs[4];
    uint32_t seed = 12345;
    unsigned valid = 0;

    (void)state;
    for (int k = 0; k < 200000; k++) {
        size_t n = 1 + lcg(&seed) % 18;
        for (size_t i = 0; i < n; i++) {
            uint32_t r = lcg(&seed);
            s[i] = r % 16 ? usual[(r >> 4) % 13] : odd[(r >> 4) % 4];
        }
        s[n] = '\0';
        bool a = cmn_go_parse_ipv4(s, n, ours), b = inet_pton(AF_INET, s, theirs) == 1;
        if (a != b || (a && memcmp(ours, theirs, 4) != 0))
            fail_msg("\"%s\": ours %d, inet_pton %d", s, a, b);
        valid += a;
    }
    assert_true(valid > 100); /* the draw reaches valid addresses too */
    for (unsigned v = 0; v < 1000; v++) {
        for (int lead = 0; lead < 2; lead++) {
            snprintf(s, sizeof(s), lead ? "1.0%u.3.4" : "1.%u.3.4", v);
            bool a = cmn_go_parse_ipv4(s, strlen(s), ours), b = inet_pton(AF_INET, s, theirs) == 1;
            if (a != b || (a && memcmp(ours, theirs, 4) != 0))
                fail_msg("\"%s\": ours %d, inet_pton %d", s, a, b);
        }
    }
    assert_false(cmn_go_parse_ipv4("1.2.3.4", 6, ours)); /* the length bounds the text */
    assert_true(cmn_go_parse_ipv4("1.2.3.45", 7, ours) && ours[3] == 4);
}

static void net_addresses(void **state)
{
    static const char *const good[] = {
        "1.2.3.4",     "0.0.0.0",         "255.255.255.255", "::1",          "::",
        "2001:db8::1", "::ffff:10.1.2.3", "::10.1.2.3",      "fe80::1:2:3:4"};
    static const char *const bad[] = {
        "",         "1.2.3",    "1.2.3.4.5",       "01.2.3.4", "256.1.1.1",
        "1.2.3.4 ", " 1.2.3.4", "fe80::1%eth0",    "[::1]",    "1:2:3:4:5:6:7:8:9",
        "12345::",  "1.2.3.-1", "::ffff:01.2.3.4", "a.b.c.d",  "1.2.3.4/8"};
    static const char *const bad_cidr[] = {"10.0.0.0",    "10.0.0.0/33", "10.0.0.0/",
                                           "10.0.0.0/-1", "10.0.0.0/+8", "::/129",
                                           "10.0.0.0/8 ", "x/8",         "10.0.0.0/8/8"};
    struct cmn_go_ip ip;
    struct cmn_go_ipnet n;
    (void)state;

    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        assert_true(cmn_go_parse_ip(good[i], strlen(good[i]), &ip));
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (cmn_go_parse_ip(bad[i], strlen(bad[i]), &ip))
            fail_msg("ParseIP(%s) should fail", bad[i]);
    }
    for (size_t i = 0; i < sizeof(bad_cidr) / sizeof(bad_cidr[0]); i++) {
        if (cmn_go_parse_cidr(bad_cidr[i], strlen(bad_cidr[i]), &n))
            fail_msg("ParseCIDR(%s) should fail", bad_cidr[i]);
    }
    assert_true(cmn_go_parse_ip("::ffff:10.1.2.3", 15, &ip));
    assert_int_equal(ip.len, 4);                            /* To4 folds the mapped form */
    assert_true(cmn_go_parse_cidr("10.0.0.0/008", 12, &n)); /* dtoi takes leading zeros */
    assert_true(in_net("10.0.0.0/8", "10.255.0.1"));
    assert_false(in_net("10.0.0.0/8", "11.0.0.1"));
    assert_true(in_net("10.9.9.9/8", "10.0.0.1")); /* the address is masked */
    assert_true(in_net("0.0.0.0/0", "203.0.113.9"));
    assert_false(in_net("0.0.0.0/0", "::1")); /* families never mix */
    assert_false(in_net("::/0", "1.2.3.4"));
    assert_true(in_net("::/0", "2001:db8::7"));
    assert_true(in_net("10.0.0.0/8", "::ffff:10.0.0.1"));
    assert_true(in_net("::ffff:10.0.0.0/104", "10.3.4.5")); /* a mapped network is IPv4 */
    assert_false(in_net("::ffff:10.0.0.0/104", "11.3.4.5"));
    assert_true(in_net("::ffff:0:0/96", "192.0.2.1")); /* ... and /96 of it is all IPv4 */
    assert_true(in_net("::1/128", "::1"));
    assert_false(in_net("::1/128", "::2"));
    assert_true(in_net("2001:db8::/32", "2001:db8:ffff::1"));
}

static void check_trim(const char *in, const char *want)
{
    const char *s = in;
    size_t n = strlen(in);

    cmn_go_trim_space(&s, &n);
    assert_int_equal(n, strlen(want));
    assert_memory_equal(s, want, n);
    assert_true(s >= in && s + n <= in + strlen(in));
}

/* strings.TrimSpace: ASCII white space and unicode.IsSpace's runes on both ends; other runes,
 * inner spaces and invalid UTF-8 stay. */
static void trim_space(void **state)
{
    (void)state;
    check_trim("  1.2.3.4\t", "1.2.3.4");
    check_trim("\n\v\f\r x \r\n", "x");
    check_trim("\xc2\xa0"
               "1.2.3.4"
               "\xe3\x80\x80",
               "1.2.3.4"); /* U+00A0 .. U+3000 */
    check_trim("\xc2\x85"
               "a"
               "\xe2\x80\xa8\xe2\x80\xa9",
               "a"); /* NEL, LS, PS */
    check_trim("\xe1\x9a\x80"
               "a"
               "\xe2\x80\x8a\xe2\x80\xaf\xe2\x81\x9f",
               "a");
    check_trim("\xe2\x80\x8b"
               "a",
               "\xe2\x80\x8b"
               "a"); /* U+200B is no space */
    check_trim("\xc2\xa1"
               "a",
               "\xc2\xa1"
               "a");
    check_trim("a b", "a b");
    check_trim("   ", "");
    check_trim("", "");
    check_trim("\xa0"
               "a"
               "\xa0",
               "\xa0"
               "a"
               "\xa0"); /* bare continuation bytes */
    check_trim("\xe3\x80"
               "a",
               "\xe3\x80"
               "a"); /* cut rune */
}

static void check_g(double x, const char *want)
{
    char out[40];

    cmn_go_format_g(x, out, sizeof(out));
    assert_string_equal(out, want);
}

static void check_v(const char *json, const char *want)
{
    json_error_t e;
    json_t *v = json_loads(json, JSON_DECODE_ANY, &e);
    struct cmn_buf b;

    assert_non_null(v);
    cmn_buf_init(&b, 1024);
    assert_true(cmn_go_sprint_v(&b, v));
    assert_string_equal(cmn_buf_str(&b), want);
    cmn_buf_free(&b);
    json_decref(v);
}

/* fmt's %v of float64s and of what encoding/json decodes into an interface{}; Go's float64
 * conversions as amd64 computes them. */
static void values(void **state)
{
    (void)state;
    check_g(1, "1");
    check_g(0.25, "0.25");
    check_g(123456, "123456");
    check_g(1000000, "1e+06");
    check_g(1234567, "1.234567e+06");
    check_g(0.0001, "0.0001");
    check_g(0.00001, "1e-05");
    check_g(-2.5, "-2.5");
    check_g(1e21, "1e+21");
    check_g(0.1 + 0.2, "0.30000000000000004");
    check_g(100, "100");
    check_v("\"ip\"", "ip");
    check_v("1000000", "1e+06");
    check_v("0.25", "0.25");
    check_v("null", "<nil>");
    check_v("true", "true");
    check_v("[\"ip\",2,[false]]", "[ip 2 [false]]");
    check_v("{\"b\":true,\"a\":1e-5}", "map[a:1e-05 b:true]");
    check_v("{}", "map[]");
    assert_int_equal(cmn_go_f64_to_i64(3.9), 3);
    assert_int_equal(cmn_go_f64_to_i64(-3.9), -3);
    assert_true(cmn_go_f64_to_i64(1e19) == INT64_MIN);
    assert_true(cmn_go_f64_to_i64(-1e19) == INT64_MIN);
    assert_true(cmn_go_f64_to_u64(-1) == UINT64_MAX);
    assert_true(cmn_go_f64_to_u64(3.7) == 3);
    assert_true(cmn_go_f64_to_u64(1e19) == 10000000000000000000ULL);
    assert_true(cmn_go_f64_to_u64(9223372036854775808.0) == 9223372036854775808ULL);
    assert_true(cmn_go_f64_to_u64(2e19) == 0x8000000000000000ULL); /* x - 2^63 overflows */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(durations),
        cmocka_unit_test(canonical_headers),
        cmocka_unit_test(canonical_headers_every_byte),
        cmocka_unit_test(json_strings),
        cmocka_unit_test(utf8),
        cmocka_unit_test(url),
        cmocka_unit_test(quote),
        cmocka_unit_test(sprintf_str),
        cmocka_unit_test(utf8_rules),
        cmocka_unit_test(ipv4_like_inet_pton),
        cmocka_unit_test(net_addresses),
        cmocka_unit_test(domain_names),
        cmocka_unit_test(trim_space),
        cmocka_unit_test(values),
        cmocka_unit_test(go_duration_string),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
