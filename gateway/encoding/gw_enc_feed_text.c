/* gw_enc_feed_text.c - gofeed's text helpers: ParseText over the raw inner XML, DecodeEntities
 * (html.UnescapeString), StripCDATA, ParseNameAddress and ParseDate's layout lists. */
#include "gw_enc_feed.h"

#include "cmn_str.h"

#include <stdlib.h>
#include <string.h>

void gw_feed_trim_space(const char **s, size_t *n)
{
    size_t l;

    while (*n && (l = gw_enc_space_len((const unsigned char *)*s, *n)) > 0)
        *s += l, *n -= l;
    while (*n && (l = gw_enc_space_len_back((const unsigned char *)*s, *n)) > 0)
        *n -= l;
}

static bool alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* A named character reference: name may end with ';'. Go's html package knows HTML5's table;
 * this is HTML 4's (libxml2) plus the upper-case legacy names (docs/encodings.md). */
static uint32_t named(const char *name, size_t n)
{
    static const char *const upper[][2] = {{"AMP", "&"},   {"LT", "<"},      {"GT", ">"},
                                           {"QUOT", "\""}, {"COPY", "\xA9"}, {"REG", "\xAE"}};
    bool semi = n && name[n - 1] == ';';
    size_t bl = semi ? n - 1 : n;
    uint32_t cp;

    for (size_t i = 0; i < 6; i++) {
        if (strlen(upper[i][0]) == bl && memcmp(upper[i][0], name, bl) == 0)
            return (unsigned char)upper[i][1][0];
    }
    cp = gw_enc_html_entity(name, bl);
    if (semi || cp == 0)
        return cp;
    /* without ';' only HTML's legacy names count: Latin-1 ones, amp, lt, gt, quot */
    if (cp > 0xFF || (bl == 4 && memcmp(name, "apos", 4) == 0))
        return 0;
    return cp;
}

/* html's unescapeEntity at s[0] == '&' (not in an attribute); returns the bytes consumed. */
static size_t unescape_entity(const char *s, size_t n, struct cmn_buf *out, bool *ok)
{
    size_t i = 1;

    if (n <= 1)
        return *ok = !cmn_buf_append(out, "&", 1), 1;
    if (s[1] == '#') {
        bool hex = false;
        uint32_t x = 0; /* Go accumulates in an int32: let it wrap the same way */
        if (n <= 3)
            return *ok = !cmn_buf_append(out, "&", 1), 1;
        i = 2;
        if (s[i] == 'x' || s[i] == 'X')
            hex = true, i++;
        while (i < n) {
            char c = s[i++];
            if (c >= '0' && c <= '9')
                x = x * (hex ? 16u : 10u) + (uint32_t)(c - '0');
            else if (hex && c >= 'a' && c <= 'f')
                x = x * 16u + (uint32_t)(c - 'a' + 10);
            else if (hex && c >= 'A' && c <= 'F')
                x = x * 16u + (uint32_t)(c - 'A' + 10);
            else {
                if (c != ';')
                    i--;
                break;
            }
        }
        if (i <= 3)
            return *ok = !cmn_buf_append(out, "&", 1), 1;
        int32_t r = (int32_t)x;
        if (r >= 0x80 && r <= 0x9F)
            r = (int32_t)gw_enc_cp1252_high((unsigned char)r);
        else if (r <= 0 || (r >= 0xD800 && r <= 0xDFFF) || r > 0x10FFFF)
            r = 0xFFFD;
        *ok = gw_enc_put_utf8(out, (uint32_t)r);
        return i;
    }
    while (i < n) {
        char c = s[i++];
        if (alnum(c))
            continue;
        if (c != ';')
            i--;
        break;
    }
    const char *name = s + 1;
    size_t nl = i - 1;
    uint32_t cp = nl ? named(name, nl) : 0;
    if (cp)
        return *ok = gw_enc_put_utf8(out, cp), i;
    /* the longest legacy name (6 bytes) that prefixes it */
    for (size_t j = nl - 1 > 6 ? 6 : nl - 1; nl > 1 && j > 1; j--) {
        if ((cp = named(name, j)) != 0 && name[j - 1] != ';')
            return *ok = gw_enc_put_utf8(out, cp), j + 1;
    }
    *ok = !cmn_buf_append(out, s, i);
    return i;
}

/* html.UnescapeString */
static bool unescape(const char *s, size_t n, struct cmn_buf *out)
{
    bool ok = true;
    size_t i = 0;

    while (i < n && ok) {
        const char *amp = memchr(s + i, '&', n - i);
        size_t run = amp ? (size_t)(amp - (s + i)) : n - i;
        if (cmn_buf_append(out, s + i, run))
            return false;
        i += run;
        if (amp)
            i += unescape_entity(s + i, n - i, out, &ok);
    }
    return ok;
}

bool gw_feed_decode_entities(const char *s, size_t n, struct cmn_buf *out)
{
    while (n > 0) {
        const char *amp = memchr(s, '&', n), *semi;
        if (!amp)
            return !cmn_buf_append(out, s, n);
        if (cmn_buf_append(out, s, (size_t)(amp - s)))
            return false;
        n -= (size_t)(amp - s);
        s = amp;
        if (n == 1)
            return !cmn_buf_append(out, s, 1);
        semi = memchr(s, ';', n);
        /* no ';' or a space before it: not an entity, the rest is written as it is */
        if (!semi || memchr(s + 1, ' ', (size_t)(semi - s - 1)))
            return !cmn_buf_append(out, s, n);
        if (!unescape(s, (size_t)(semi - s) + 1, out))
            return false;
        n -= (size_t)(semi - s) + 1;
        s = semi + 1;
    }
    return true;
}

static long index_at(const char *s, size_t n, const char *sub, size_t from)
{
    size_t k = strlen(sub);

    for (size_t i = from; i + k <= n; i++) {
        if (memcmp(s + i, sub, k) == 0)
            return (long)i;
    }
    return -1;
}

bool gw_feed_strip_cdata(const char *s, size_t n, struct cmn_buf *out)
{
    size_t curr = 0;

    while (curr < n) {
        long start = index_at(s, n, "<![CDATA[", curr), end;
        if (start < 0)
            return gw_feed_decode_entities(s + curr, n - curr, out);
        end = index_at(s, n, "]]>", (size_t)start);
        if (end < 0)
            return gw_feed_decode_entities(s + curr, n - curr, out);
        if (cmn_buf_append(out, s + start + 9, (size_t)(end - start - 9)))
            return false;
        /* gofeed adds the absolute end to curr: text between sections is lost, and a later
         * section may be skipped (kept as gofeed has it) */
        curr = curr + (size_t)end + 3;
    }
    return true;
}

char *gw_feed_parse_text(struct feed_walk *w, const struct feed_node *n)
{
    struct cmn_buf b;
    size_t len;
    const char *s = gw_feed_inner(w, n, &len);
    bool ok;
    char *out;

    gw_feed_trim_space(&s, &len);
    cmn_buf_init(&b, len + 16);
    if (index_at(s, len, "<![CDATA[", 0) >= 0)
        ok = gw_feed_strip_cdata(s, len, &b);
    else
        ok = gw_feed_decode_entities(s, len, &b);
    out = ok ? cmn_buf_take(&b, NULL) : NULL;
    cmn_buf_free(&b);
    if (!out)
        cmn_err_set(w->err, GW_ENC_NOMEM, "out of memory");
    return out;
}

/* ---- names and addresses (gofeed's four regular expressions) -------------------------------- */

static bool re_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; /* RE2's \s */
}

static bool set_pair(const char *s, size_t nl_off, size_t nl, size_t al_off, size_t al, char **name,
                     char **address)
{
    *name = cmn_strndup(s + nl_off, nl);
    *address = cmn_strndup(s + al_off, al);
    return *name && *address;
}

bool gw_feed_name_address(const char *s, char **name, char **address)
{
    size_t n = strlen(s);
    const char *at = memchr(s, '@', n);
    size_t a = at ? (size_t)(at - s) : n;

    *name = *address = NULL;
    if (at && a > 0 && n > 0 && s[n - 1] == ')') {
        /* ^([^@]+@[^\s]+)\s+\(([^@]+)\)$ : "address (Name)" */
        size_t b = a + 1, w;
        while (b < n && !re_space(s[b]))
            b++;
        w = b;
        while (w < n && re_space(s[w]))
            w++;
        if (b > a + 1 && w > b && w < n && s[w] == '(' && w + 1 < n - 1 &&
            !memchr(s + w + 1, '@', n - 1 - (w + 1)))
            return set_pair(s, w + 1, n - 1 - (w + 1), 0, b, name, address);
        /* ^([^@]+)\s+\(([^@]+@[^)]+)\)$ : "Name (address)", the name as greedy as it gets */
        if (a + 1 < n - 1 && !memchr(s + a + 1, ')', n - 1 - (a + 1))) {
            for (size_t m = a; m-- > 2;) {
                if (s[m] == '(' && m + 1 < a && re_space(s[m - 1]))
                    return set_pair(s, 0, m - 1, m + 1, n - 1 - (m + 1), name, address);
            }
        }
    }
    if (n && !at && !memchr(s, '(', n) && !memchr(s, ')', n))
        return set_pair(s, 0, n, 0, 0, name, address); /* ^([^@()]+)$ */
    if (at && a > 0 && a + 1 < n && !memchr(s + a + 1, '@', n - a - 1) && !memchr(s, '(', n) &&
        !memchr(s, ')', n))
        return set_pair(s, 0, 0, 0, n, name, address); /* ^([^@()]+@[^@()]+)$ */
    return set_pair(s, 0, 0, 0, 0, name, address);
}

/* ---- dates -------------------------------------------------------------------------------- */

/* gofeed's ParseDate layouts (internal/shared/dateparser.go), tried in this order. */
static const char *const DATE_FORMATS[] = {"02 Jan 06 15:04 MST",
                                           "02 Jan 06 15:04 -0700",
                                           "2006-01-02T15:04:05Z07:00",
                                           "Mon Jan _2 15:04:05 MST 2006",
                                           "Mon Jan 02 15:04:05 -0700 2006",
                                           "Monday, 02-Jan-06 15:04:05 MST",
                                           "Mon, 02 Jan 2006 15:04:05 -0700",
                                           "Mon, 02 Jan 2006 15:04:05 MST",
                                           "Mon Jan _2 15:04:05 2006",
                                           "Mon, January 2 2006 15:04:05 -0700",
                                           "Mon, Jan 2 2006 15:04:05 -700",
                                           "Mon, Jan 2 2006 15:04:05 -0700",
                                           "Mon Jan 2 15:04 2006",
                                           "Mon Jan 02, 2006 3:04 pm",
                                           "Mon Jan 02 2006 15:04:05 -0700",
                                           "Mon Jan 02 2006 15:04:05 GMT-0700 (MST)",
                                           "Monday, January 2, 2006 03:04 PM",
                                           "Monday, January 2, 2006",
                                           "Monday, January 02, 2006",
                                           "Monday, 2 January 2006 15:04:05 -0700",
                                           "Monday, 2 Jan 2006 15:04:05 -0700",
                                           "Monday, 02 January 2006 15:04:05 -0700",
                                           "Monday, 02 January 2006 15:04:05",
                                           "Mon, 2 January 2006, 15:04 -0700",
                                           "Mon, 2 January 2006 15:04:05 -0700",
                                           "Mon, 2 January 2006",
                                           "Mon, 2 Jan 2006 3:04:05 PM -0700",
                                           "Mon, 2 Jan 2006 15:4:5 -0700 GMT",
                                           "Mon, 2, Jan 2006 15:4",
                                           "Mon, 2 Jan 2006, 15:04 -0700",
                                           "Mon, 2 Jan 2006 15:04 -0700",
                                           "Mon, 2 Jan 2006 15:04:05 UT",
                                           "Mon, 2 Jan 2006 15:04:05 -0700 MST",
                                           "Mon, 2 Jan 2006 15:04:05-0700",
                                           "Mon, 2 Jan 2006 15:04:05 -0700",
                                           "Mon, 2 Jan 2006 15:04:05",
                                           "Mon, 2 Jan 2006 15:04",
                                           "Mon,2 Jan 2006",
                                           "Mon, 2 Jan 2006",
                                           "Mon, 2 Jan 06 15:04:05 -0700",
                                           "Mon, 2006-01-02 15:04",
                                           "Mon, 02 January 2006",
                                           "Mon, 02 Jan 2006 15 -0700",
                                           "Mon, 02 Jan 2006 15:04 -0700",
                                           "Mon, 02 Jan 2006 15:04:05 Z",
                                           "Mon, 02 Jan 2006 15:04:05 UT",
                                           "Mon, 02 Jan 2006 15:04:05 MST-07:00",
                                           "Mon, 02 Jan 2006 15:04:05 MST -0700",
                                           "Mon, 02 Jan 2006 15:04:05 GMT-0700",
                                           "Mon,02 Jan 2006 15:04:05 -0700",
                                           "Mon, 02 Jan 2006 15:04:05 -0700",
                                           "Mon, 02 Jan 2006 15:04:05 -07:00",
                                           "Mon, 02 Jan 2006 15:04:05 --0700",
                                           "Mon 02 Jan 2006 15:04:05 -0700",
                                           "Mon, 02 Jan 2006 15:04:05 -07",
                                           "Mon, 02 Jan 2006 15:04:05 00",
                                           "Mon, 02 Jan 2006 15:04:05",
                                           "Mon, 02 Jan 2006 15:4:5 Z",
                                           "Mon, 02 Jan 2006",
                                           "January 2, 2006 3:04 PM",
                                           "January 2, 2006, 3:04 p.m.",
                                           "January 2, 2006 15:04:05",
                                           "January 2, 2006 03:04 PM",
                                           "January 2, 2006",
                                           "January 02, 2006 15:04",
                                           "January 02, 2006 03:04 PM",
                                           "January 02, 2006",
                                           "Jan 2, 2006 3:04:05 PM",
                                           "Jan 2, 2006",
                                           "Jan 02 2006 03:04:05PM",
                                           "Jan 02, 2006",
                                           "6/1/2 15:04",
                                           "6-1-2 15:04",
                                           "2 January 2006 15:04:05 -0700",
                                           "2 January 2006",
                                           "2 Jan 2006 15:04:05 Z",
                                           "2 Jan 2006 15:04:05 -0700",
                                           "2 Jan 2006",
                                           "2.1.2006 15:04:05",
                                           "2/1/2006",
                                           "2-1-2006",
                                           "2006 January 02",
                                           "2006-1-2T15:04:05Z",
                                           "2006-1-2 15:04:05",
                                           "2006-1-2",
                                           "2006-1-02T15:04:05Z",
                                           "2006-01-02T15:04Z",
                                           "2006-01-02T15:04-07:00",
                                           "2006-01-02T15:04:05Z",
                                           "2006-01-02T15:04:05-07:00:00",
                                           "2006-01-02T15:04:05:-0700",
                                           "2006-01-02T15:04:05-0700",
                                           "2006-01-02T15:04:05-07:00",
                                           "2006-01-02T15:04:05 -0700",
                                           "2006-01-02T15:04:05:00",
                                           "2006-01-02T15:04:05",
                                           "2006-01-02 at 15:04:05",
                                           "2006-01-02 15:04:05Z",
                                           "2006-01-02 15:04:05-0700",
                                           "2006-01-02 15:04:05-07:00",
                                           "2006-01-02 15:04:05 -0700",
                                           "2006-01-02 15:04",
                                           "2006-01-02 00:00:00.0 15:04:05.0 -0700",
                                           "2006/01/02",
                                           "2006-01-02",
                                           "15:04 02.01.2006 -0700",
                                           "1/2/2006 3:04:05 PM",
                                           "1/2/2006",
                                           "06/1/2 15:04",
                                           "06-1-2 15:04",
                                           "02 Monday, Jan 2006 15:04",
                                           "02 Jan 2006 15:04:05 UT",
                                           "02 Jan 2006 15:04:05 -0700",
                                           "02 Jan 2006 15:04:05",
                                           "02 Jan 2006",
                                           "02.01.2006 15:04:05",
                                           "02/01/2006 15:04:05",
                                           "02.01.2006 15:04",
                                           "02/01/2006 - 15:04",
                                           "02.01.2006 -0700",
                                           "02/01/2006",
                                           "02-01-2006",
                                           "01/02/2006 3:04 PM",
                                           "01/02/2006 - 15:04",
                                           "01/02/2006",
                                           "01-02-2006"};

/* Layouts with a zone name, then looked up with time.LoadLocation. */
static const char *const DATE_FORMATS_NAMED_ZONE[] = {"Mon, January 02, 2006, 15:04:05 MST",
                                                      "Mon, January 02, 2006 15:04:05 MST",
                                                      "Mon, Jan 2, 2006 15:04 MST",
                                                      "Mon, Jan 2 2006 15:04 MST",
                                                      "Mon, Jan 2, 2006 15:04:05 MST",
                                                      "Mon Jan 2 15:04:05 2006 MST",
                                                      "Mon, Jan 02,2006 15:04:05 MST",
                                                      "Monday, January 2, 2006 15:04:05 MST",
                                                      "Monday, 2 January 2006 15:04:05 MST",
                                                      "Monday, 2 Jan 2006 15:04:05 MST",
                                                      "Monday, 02 January 2006 15:04:05 MST",
                                                      "Mon, 2 January 2006 15:04 MST",
                                                      "Mon, 2 January 2006, 15:04:05 MST",
                                                      "Mon, 2 January 2006 15:04:05 MST",
                                                      "Mon, 2 Jan 2006 15:4:5 MST",
                                                      "Mon, 2 Jan 2006 15:04 MST",
                                                      "Mon, 2 Jan 2006 15:04:05MST",
                                                      "Mon, 2 Jan 2006 15:04:05 MST",
                                                      "Mon 2 Jan 2006 15:04:05 MST",
                                                      "mon,2 Jan 2006 15:04:05 MST",
                                                      "Mon, 2 Jan 15:04:05 MST",
                                                      "Mon, 2 Jan 06 15:04:05 MST",
                                                      "Mon,02 January 2006 14:04:05 MST",
                                                      "Mon, 02 Jan 2006 3:04:05 PM MST",
                                                      "Mon,02 Jan 2006 15:04 MST",
                                                      "Mon, 02 Jan 2006 15:04 MST",
                                                      "Mon, 02 Jan 2006, 15:04:05 MST",
                                                      "Mon, 02 Jan 2006 15:04:05MST",
                                                      "Mon, 02 Jan 2006 15:04:05 MST",
                                                      "Mon , 02 Jan 2006 15:04:05 MST",
                                                      "Mon, 02 Jan 06 15:04:05 MST",
                                                      "January 2, 2006 15:04:05 MST",
                                                      "January 02, 2006 15:04:05 MST",
                                                      "Jan 2, 2006 3:04:05 PM MST",
                                                      "Jan 2, 2006 15:04:05 MST",
                                                      "2 January 2006 15:04:05 MST",
                                                      "2 Jan 2006 15:04:05 MST",
                                                      "2006-01-02 15:04:05 MST",
                                                      "1/2/2006 3:04:05 PM MST",
                                                      "1/2/2006 15:04:05 MST",
                                                      "02 Jan 2006 15:04 MST",
                                                      "02 Jan 2006 15:04:05 MST",
                                                      "02/01/2006 15:04 MST",
                                                      "02-01-2006 15:04:05 MST",
                                                      "01/02/2006 15:04:05 MST"};

/* Zone names time.LoadLocation knows that are also abbreviations within their zone, with the
 * offset that abbreviation has there (tzdata; Go looks the name up in the loaded zone). */
static bool loadable_zone(const char *name, int32_t *offset)
{
    static const struct {
        const char *name;
        int32_t off;
    } Z[] = {{"GMT", 0},      {"UTC", 0},    {"UCT", 0},    {"EST", -18000}, {"MST", -25200},
             {"HST", -36000}, {"CET", 3600}, {"EET", 7200}, {"MET", 3600},   {"WET", 0}};

    for (size_t i = 0; i < sizeof(Z) / sizeof(Z[0]); i++) {
        if (strcmp(Z[i].name, name) == 0) {
            *offset = Z[i].off;
            return true;
        }
    }
    return false;
}

bool gw_feed_parse_date(const char *ds, struct cmn_go_time *t)
{
    const char *d = ds;
    size_t n = strlen(ds);
    int32_t off;

    gw_feed_trim_space(&d, &n);
    if (n == 0)
        return false;
    for (size_t i = 0; i < sizeof(DATE_FORMATS) / sizeof(DATE_FORMATS[0]); i++) {
        if (cmn_go_time_parse(DATE_FORMATS[i], d, n, NULL, t, NULL) == CMN_GO_TIME_OK)
            return true;
    }
    for (size_t i = 0; i < sizeof(DATE_FORMATS_NAMED_ZONE) / sizeof(DATE_FORMATS_NAMED_ZONE[0]);
         i++) {
        if (cmn_go_time_parse(DATE_FORMATS_NAMED_ZONE[i], d, n, NULL, t, NULL) != CMN_GO_TIME_OK)
            continue;
        /* parsed: a zone Go cannot load keeps offset 0; one it can gives its offset */
        if (t->zone[0] && loadable_zone(t->zone, &off) && t->offset == 0) {
            t->unix -= off;
            t->offset = off;
        }
        return true;
    }
    return false;
}
