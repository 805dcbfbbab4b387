/* gw_jsonschema_format.c - the `format` checks KrakenD's library knows (dates and times per
 * RFC 3339, durations, e-mail, host names, IP addresses, URIs as Go's url.Parse reads them, JSON
 * pointers, UUIDs, regexes, semver); unknown formats are not checked. */
#include "gw_jsonschema_int.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    enum gw_jsonschema_format f;
} FORMATS[] = {
    {"date-time", GW_JSF_DATE_TIME},
    {"date", GW_JSF_DATE},
    {"time", GW_JSF_TIME},
    {"duration", GW_JSF_DURATION},
    {"period", GW_JSF_PERIOD},
    {"email", GW_JSF_EMAIL},
    {"hostname", GW_JSF_HOSTNAME},
    {"ipv4", GW_JSF_IPV4},
    {"ipv6", GW_JSF_IPV6},
    {"uri", GW_JSF_URI},
    {"uri-reference", GW_JSF_URI_REFERENCE},
    {"iri", GW_JSF_IRI},
    {"iri-reference", GW_JSF_IRI_REFERENCE},
    {"uri-template", GW_JSF_URI_TEMPLATE},
    {"json-pointer", GW_JSF_JSON_POINTER},
    {"relative-json-pointer", GW_JSF_RELATIVE_JSON_POINTER},
    {"uuid", GW_JSF_UUID},
    {"regex", GW_JSF_REGEX},
    {"semver", GW_JSF_SEMVER},
};

enum gw_jsonschema_format gw_jsonschema_format_lookup(const char *name, size_t n)
{
    for (size_t k = 0; k < sizeof(FORMATS) / sizeof(FORMATS[0]); k++)
        if (strlen(FORMATS[k].name) == n && !memcmp(FORMATS[k].name, name, n))
            return FORMATS[k].f;
    return GW_JSF_NONE;
}

static bool bad(struct cmn_buf *why, const char *reason)
{
    if (why)
        cmn_buf_append_str(why, reason);
    return false;
}

static bool digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool hex(char c)
{
    return digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* n decimal digits at s into *v */
static bool num(const char *s, size_t n, int *v)
{
    *v = 0;
    for (size_t k = 0; k < n; k++) {
        if (!digit(s[k]))
            return false;
        *v = *v * 10 + (s[k] - '0');
    }
    return true;
}

/* RFC 3339 full-date: YYYY-MM-DD with the real number of days per month (as time.Parse). */
static bool check_date(const char *s, size_t n, struct cmn_buf *why)
{
    static const int DAYS[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, d, max;

    if (n != 10 || s[4] != '-' || s[7] != '-' || !num(s, 4, &y) || !num(s + 5, 2, &m) ||
        !num(s + 8, 2, &d))
        return bad(why, "not in the form YYYY-MM-DD");
    if (m < 1 || m > 12)
        return bad(why, "month out of range");
    max = DAYS[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
    if (d < 1 || d > max)
        return bad(why, "day out of range");
    return true;
}

/* RFC 3339 full-time, leap seconds only at 23:59:60 UTC. */
static bool check_time(const char *s, size_t n, struct cmn_buf *why)
{
    int h, m, sec, zh, zm, hm;
    size_t i = 8;

    if (n < 9)
        return bad(why, "less than 9 characters long");
    if (s[2] != ':' || s[5] != ':')
        return bad(why, "missing colon in correct place");
    if (!num(s, 2, &h) || !num(s + 3, 2, &m) || !num(s + 6, 2, &sec))
        return bad(why, "invalid hour/min/sec");
    if (h > 23 || m > 59 || sec > 60)
        return bad(why, "hour/min/sec out of range");
    if (s[i] == '.') {
        size_t start = ++i;
        while (i < n && digit(s[i]))
            i++;
        if (i == start)
            return bad(why, "no digits in second fraction");
    }
    if (n - i == 1 && (s[i] == 'z' || s[i] == 'Z')) {
        zh = zm = 0;
    } else {
        if (n - i != 6)
            return bad(why, "offset must be 6 characters long");
        if (s[i] != '+' && s[i] != '-')
            return bad(why, "offset must begin with plus/minus");
        if (s[i + 3] != ':')
            return bad(why, "missing colon in offset in correct place");
        if (!num(s + i + 1, 2, &zh) || !num(s + i + 4, 2, &zm))
            return bad(why, "invalid hour/min in offset");
        if (zh > 23 || zm > 59)
            return bad(why, "hour/min in offset out of range");
        if (s[i] == '+') {
            zh = -zh;
            zm = -zm;
        }
    }
    hm = (h * 60 + m) + zh * 60 + zm;
    hm = ((hm % 1440) + 1440) % 1440;
    if (sec == 60 && hm != 23 * 60 + 59)
        return bad(why, "invalid leap second");
    return true;
}

static bool check_date_time(const char *s, size_t n, struct cmn_buf *why)
{
    if (n < 20)
        return bad(why, "less than 20 characters long");
    if (s[10] != 't' && s[10] != 'T')
        return bad(why, "11th character must be t or T");
    if (!check_date(s, 10, NULL))
        return bad(why, "invalid date element");
    if (!check_time(s + 11, n - 11, NULL))
        return bad(why, "invalid time element");
    return true;
}

/* ISO 8601 duration as RFC 3339 appendix A: PnW, or P[nY][nM][nD][T[nH][nM][nS]]. */
static bool check_duration(const char *s, size_t n, struct cmn_buf *why)
{
    const char *units = "YMD";
    size_t i = 1, start;
    bool time_part = false, any;
    const char *u;

    if (n == 0 || s[0] != 'P')
        return bad(why, "must start with P");
    if (n == 1)
        return bad(why, "nothing after P");
    if (s[n - 1] == 'W') {
        for (size_t k = 1; k + 1 < n; k++)
            if (!digit(s[k]))
                return bad(why, "invalid week");
        return n > 2 ? true : bad(why, "no number in week");
    }
    while (i < n) {
        if (s[i] == 'T') {
            if (time_part)
                return bad(why, "more than one T");
            time_part = true;
            units = "HMS";
            i++;
            if (i == n)
                return bad(why, "no time elements");
            continue;
        }
        start = i;
        while (i < n && digit(s[i]))
            i++;
        if (i == start)
            return bad(why, "missing number");
        if (i == n)
            return bad(why, "missing unit");
        u = strchr(units, s[i]);
        if (!u || s[i] == '\0') {
            any = strchr(time_part ? "HMS" : "YMD", s[i]) && s[i];
            return bad(why, any ? "unit out of order" : "invalid unit");
        }
        units = u + 1;
        i++;
    }
    return true;
}

static bool check_period(const char *s, size_t n, struct cmn_buf *why)
{
    const char *slash = memchr(s, '/', n);
    size_t a, b;

    if (!slash)
        return bad(why, "missing slash");
    a = (size_t)(slash - s);
    b = n - a - 1;
    if (a && s[0] == 'P') {
        if (!check_duration(s, a, NULL))
            return bad(why, "invalid start duration");
        return check_date_time(slash + 1, b, NULL) ? true : bad(why, "invalid end date-time");
    }
    if (!check_date_time(s, a, NULL))
        return bad(why, "invalid start date-time");
    if (b && slash[1] == 'P')
        return check_duration(slash + 1, b, NULL) ? true : bad(why, "invalid end duration");
    return check_date_time(slash + 1, b, NULL) ? true : bad(why, "invalid end date-time");
}

static bool check_ipv4(const char *s, size_t n, struct cmn_buf *why)
{
    size_t i = 0, start;
    int groups = 0, v;

    for (;;) {
        start = i;
        while (i < n && s[i] != '.')
            i++;
        if (++groups > 4)
            return bad(why, "expected four decimals");
        if (i - start > 1 && s[start] == '0')
            return bad(why, "leading zeros");
        if (i == start || i - start > 3 || !num(s + start, i - start, &v))
            return bad(why, "invalid decimal");
        if (v > 255)
            return bad(why, "decimal must be between 0 and 255");
        if (i == n)
            break;
        i++;
        if (i == n)
            return bad(why, "expected four decimals");
    }
    return groups == 4 ? true : bad(why, "expected four decimals");
}

/* IPv6 text as netip.ParseAddr accepts it (no zone). */
static bool check_ipv6(const char *s, size_t n, struct cmn_buf *why)
{
    size_t i = 0, start;
    int groups = 0, k;
    bool ellipsis = false;

    if (!memchr(s, ':', n))
        return bad(why, "missing colon");
    if (memchr(s, '%', n))
        return bad(why, "zone id is not a part of ipv6 address");
    if (n >= 2 && s[0] == ':' && s[1] == ':') {
        ellipsis = true;
        i = 2;
        if (i == n)
            return true;
    }
    while (i < n) {
        start = i;
        for (k = 0; i < n && hex(s[i]); k++)
            i++;
        if (i < n && s[i] == '.') { /* trailing IPv4 */
            if (groups > 6 || !check_ipv4(s + start, n - start, NULL))
                return bad(why, "invalid embedded ipv4 address");
            groups += 2;
            i = n;
            break;
        }
        if (k == 0 || k > 4)
            return bad(why, "each colon-separated field must have at least one digit");
        groups++;
        if (i == n)
            break;
        if (s[i] != ':')
            return bad(why, "unexpected character");
        i++;
        if (i < n && s[i] == ':') {
            if (ellipsis)
                return bad(why, "multiple :: in address");
            ellipsis = true;
            i++;
            if (i == n)
                break;
        } else if (i == n) {
            return bad(why, "colon must be followed by more characters");
        }
    }
    if (groups > 8 || (!ellipsis && groups != 8) || (ellipsis && groups > 7))
        return bad(why, ellipsis ? "address string too long" : "address string too short");
    return true;
}

static bool check_hostname(const char *s, size_t n, struct cmn_buf *why)
{
    size_t i = 0, start;

    if (n && s[n - 1] == '.')
        n--;
    if (n > 253)
        return bad(why, "more than 253 characters long");
    for (;;) {
        start = i;
        while (i < n && s[i] != '.')
            i++;
        if (i - start < 1 || i - start > 63)
            return bad(why, "label must be 1 to 63 characters long");
        if (s[start] == '-')
            return bad(why, "label starts with hyphen");
        if (s[i - 1] == '-')
            return bad(why, "label ends with hyphen");
        for (size_t k = start; k < i; k++)
            if (!alpha(s[k]) && !digit(s[k]) && s[k] != '-')
                return bad(why, "invalid character");
        if (i == n)
            return true;
        i++;
    }
}

static bool check_email(const char *s, size_t n, struct cmn_buf *why)
{
    const char *at = NULL;
    size_t local_n;

    if (n > 254)
        return bad(why, "more than 255 characters long");
    for (size_t k = n; k > 0; k--)
        if (s[k - 1] == '@') {
            at = s + k - 1;
            break;
        }
    if (!at)
        return bad(why, "missing @");
    local_n = (size_t)(at - s);
    if (local_n > 64)
        return bad(why, "local part more than 64 characters long");
    if (local_n > 1 && s[0] == '"') {
        for (size_t k = 1; k + 1 < local_n; k++)
            if (s[k] == '\\' || s[k] == '"')
                return bad(why, "backslash and quote are not allowed within quoted local part");
    } else {
        if (local_n && s[0] == '.')
            return bad(why, "starts with dot");
        if (local_n && s[local_n - 1] == '.')
            return bad(why, "ends with dot");
        for (size_t k = 0; k < local_n; k++) {
            if (k + 1 < local_n && s[k] == '.' && s[k + 1] == '.')
                return bad(why, "consecutive dots");
            if (!alpha(s[k]) && !digit(s[k]) && !strchr(".!#$%&'*+-/=?^_`{|}~", s[k]))
                return bad(why, "invalid character");
        }
    }
    s = at + 1;
    n -= local_n + 1;
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
        if (n >= 7 && !memcmp(s + 1, "IPv6:", 5))
            return check_ipv6(s + 6, n - 7, NULL) ? true : bad(why, "invalid ipv6 address");
        return check_ipv4(s + 1, n - 2, NULL) ? true : bad(why, "invalid ipv4 address");
    }
    return check_hostname(s, n, NULL) ? true : bad(why, "invalid domain");
}

static bool escapes_ok(const char *s, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (s[k] == '%' && (k + 2 >= n || !hex(s[k + 1]) || !hex(s[k + 2])))
            return false;
    return true;
}

static bool port_ok(const char *p, size_t n)
{
    if (n == 0)
        return true;
    if (p[0] != ':')
        return false;
    for (size_t k = 1; k < n; k++)
        if (!digit(p[k]))
            return false;
    return true;
}

/* url.Parse's parseAuthority, then the library's own check that a host with a colon is a
 * bracketed IPv6 address. */
static bool check_authority(const char *s, size_t n, struct cmn_buf *why)
{
    const char *host = s, *close, *colon = NULL;
    size_t hn = n, k;

    for (k = n; k > 0; k--) {
        if (s[k - 1] == '@') {
            host = s + k;
            hn = n - k;
            break;
        }
    }
    if (hn && host[0] == '[') {
        for (close = NULL, k = hn; k > 0 && !close; k--)
            if (host[k - 1] == ']')
                close = host + k - 1;
        if (!close)
            return bad(why, "missing ']' in host");
        if (!port_ok(close + 1, (size_t)(host + hn - close - 1)))
            return bad(why, "invalid port after host");
        if (memchr(host + 1, ':', (size_t)(close - host - 1)) &&
            !check_ipv6(host + 1, (size_t)(close - host - 1), NULL))
            return bad(why, "invalid ipv6 address");
    } else {
        for (k = hn; k > 0 && !colon; k--)
            if (host[k - 1] == ':')
                colon = host + k - 1;
        if (colon && !port_ok(colon, (size_t)(host + hn - colon)))
            return bad(why, "invalid port");
        if (colon && memchr(host, ':', (size_t)(colon - host)))
            return bad(why, "ipv6 address not enclosed in brackets");
        for (k = 0; k < hn; k++) {
            unsigned char c = (unsigned char)host[k];
            if (c < 0x80 && !alpha((char)c) && !digit((char)c) &&
                !strchr("-._~!$&'()*+,;=:[]<>\"%", c))
                return bad(why, "invalid character in host name");
        }
    }
    if (!escapes_ok(host, hn))
        return bad(why, "invalid URL escape");
    for (k = 0; host != s && k < (size_t)(host - s - 1); k++)
        if (!alpha(s[k]) && !digit(s[k]) && !strchr("-._:~!$&'()*+,;=%@", s[k]))
            return bad(why, "invalid userinfo");
    return true;
}

/* Go's url.Parse acceptance (as the library checks uri, uri-reference and uri-template); abs
 * requires a scheme. */
static bool check_url(const char *s, size_t n, bool abs, struct cmn_buf *why)
{
    size_t i = 0, k, end;
    bool scheme = false;

    for (k = 0; k < n; k++)
        if ((unsigned char)s[k] < 0x20 || s[k] == 0x7f)
            return bad(why, "invalid control character in URL");
    for (k = 0; k < n && s[k] != '#'; k++)
        ;
    if (k < n && !escapes_ok(s + k + 1, n - k - 1))
        return bad(why, "invalid URL escape");
    n = k;
    for (k = 0; k < n; k++) {
        if (alpha(s[k]) || (k > 0 && (digit(s[k]) || strchr("+-.", s[k]))))
            continue;
        if (s[k] == ':') {
            if (k == 0)
                return bad(why, "missing protocol scheme");
            scheme = true;
            i = k + 1;
        }
        break;
    }
    if (abs && !scheme)
        return bad(why, "relative url");
    for (k = i; k < n && s[k] != '?'; k++)
        ;
    n = k;
    if (i >= n || s[i] != '/') {
        if (scheme)
            return true; /* opaque: not looked into */
        for (k = i; k < n && s[k] != '/'; k++)
            if (s[k] == ':')
                return bad(why, "first path segment in URL cannot contain colon");
    } else if (n - i >= 2 && s[i + 1] == '/' && (scheme || n - i < 3 || s[i + 2] != '/')) {
        for (end = i + 2; end < n && s[end] != '/'; end++)
            ;
        if (!check_authority(s + i + 2, end - i - 2, why))
            return false;
        i = end;
    }
    return escapes_ok(s + i, n - i) ? true : bad(why, "invalid URL escape");
}

static bool check_json_pointer(const char *s, size_t n, struct cmn_buf *why)
{
    if (n == 0)
        return true;
    if (s[0] != '/')
        return bad(why, "not starting with /");
    for (size_t k = 0; k < n; k++)
        if (s[k] == '~' && (k + 1 >= n || (s[k + 1] != '0' && s[k + 1] != '1')))
            return bad(why, "~ must be followed by 0 or 1");
    return true;
}

static bool check_rel_pointer(const char *s, size_t n, struct cmn_buf *why)
{
    size_t k = 0;

    while (k < n && digit(s[k]))
        k++;
    if (k == 0)
        return bad(why, "must start with non-negative integer");
    if (k > 1 && s[0] == '0')
        return bad(why, "starts with zero");
    if (n - k == 1 && s[k] == '#')
        return true;
    return check_json_pointer(s + k, n - k, why);
}

static bool check_uuid(const char *s, size_t n, struct cmn_buf *why)
{
    static const size_t LEN[5] = {8, 4, 4, 4, 12};
    size_t i = 0, g, start;

    for (g = 0; g < 5; g++) {
        start = i;
        while (i < n && s[i] != '-')
            i++;
        if (i - start != LEN[g])
            return bad(why, "element has the wrong length");
        for (size_t k = start; k < i; k++)
            if (!hex(s[k]))
                return bad(why, "non-hex character");
        if (g < 4 && (i >= n || s[i] != '-'))
            return bad(why, "must have 5 elements");
        i++;
    }
    return i - 1 == n ? true : bad(why, "must have 5 elements");
}

static bool semver_ids(const char *s, size_t n, bool pre, struct cmn_buf *why)
{
    size_t i = 0, start;
    bool digits_only;

    for (;;) {
        start = i;
        digits_only = true;
        while (i < n && s[i] != '.') {
            if (!digit(s[i]) && !alpha(s[i]) && s[i] != '-')
                return bad(why, "invalid character in identifier");
            digits_only &= digit(s[i]);
            i++;
        }
        if (i == start)
            return bad(why, "identifier is empty");
        if (pre && digits_only && i - start > 1 && s[start] == '0')
            return bad(why, "pre-release numeric identifier starts with zero");
        if (i == n)
            return true;
        i++;
    }
}

static bool check_semver(const char *s, size_t n, struct cmn_buf *why)
{
    const char *plus = memchr(s, '+', n), *dash;
    size_t i = 0, start;
    int parts = 0;

    if (plus) {
        if (!semver_ids(plus + 1, n - (size_t)(plus - s) - 1, false, why))
            return false;
        n = (size_t)(plus - s);
    }
    dash = memchr(s, '-', n);
    if (dash) {
        if (!semver_ids(dash + 1, n - (size_t)(dash - s) - 1, true, why))
            return false;
        n = (size_t)(dash - s);
    }
    for (;;) {
        start = i;
        while (i < n && s[i] != '.') {
            if (!digit(s[i]))
                return bad(why, "version contains non-digit");
            i++;
        }
        if (i == start)
            return bad(why, "version is empty");
        if (i - start > 1 && s[start] == '0')
            return bad(why, "version starts with zero");
        parts++;
        if (i == n)
            break;
        i++;
    }
    return parts == 3 ? true : bad(why, "versionCore must have 3 numbers separated by dot");
}

bool gw_jsonschema_format_check(enum gw_jsonschema_format f, const struct gw_jsonschema_value *v,
                                struct cmn_buf *why)
{
    const char *s = v->str;
    size_t n = v->len;

    if (v->type != GW_JST_STRING)
        return true;
    switch (f) {
    case GW_JSF_DATE_TIME:
        return check_date_time(s, n, why);
    case GW_JSF_DATE:
        return check_date(s, n, why);
    case GW_JSF_TIME:
        return check_time(s, n, why);
    case GW_JSF_DURATION:
        return check_duration(s, n, why);
    case GW_JSF_PERIOD:
        return check_period(s, n, why);
    case GW_JSF_EMAIL:
        return check_email(s, n, why);
    case GW_JSF_HOSTNAME:
        return check_hostname(s, n, why);
    case GW_JSF_IPV4:
        return check_ipv4(s, n, why);
    case GW_JSF_IPV6:
        return check_ipv6(s, n, why);
    case GW_JSF_URI:
    case GW_JSF_IRI:
        return check_url(s, n, true, why);
    case GW_JSF_URI_REFERENCE:
    case GW_JSF_IRI_REFERENCE:
        if (memchr(s, '\\', n))
            return bad(why, "contains \\");
        return check_url(s, n, false, why);
    case GW_JSF_URI_TEMPLATE:
        return check_url(s, n, false, why);
    case GW_JSF_JSON_POINTER:
        return check_json_pointer(s, n, why);
    case GW_JSF_RELATIVE_JSON_POINTER:
        return check_rel_pointer(s, n, why);
    case GW_JSF_UUID:
        return check_uuid(s, n, why);
    case GW_JSF_REGEX:
        return gw_jsonschema_regex_valid(s, n) ? true : bad(why, "invalid regular expression");
    case GW_JSF_SEMVER:
        return check_semver(s, n, why);
    default:
        return true;
    }
}
