/* gw_jsonschema_uri.c - URI references for $id/$ref (RFC 3986 §5.2 resolution, fragments
 * percent-decoded) and JSON pointer escaping (RFC 6901). */
#include "gw_jsonschema_int.h"

#include <string.h>

struct uri {
    const char *scheme;
    size_t scheme_n;
    bool has_auth;
    const char *auth;
    size_t auth_n;
    const char *path;
    size_t path_n;
    bool has_query;
    const char *query;
    size_t query_n;
    bool has_frag;
    const char *frag;
    size_t frag_n;
};

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int hexv(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* RFC 3986 appendix B split, refusing control characters and bad %-escapes as Go's url.Parse. */
static bool uri_parse(const char *s, struct uri *u)
{
    size_t n = strlen(s), i = 0, k;

    memset(u, 0, sizeof(*u));
    for (k = 0; k < n; k++) {
        unsigned char c = (unsigned char)s[k];
        if (c < 0x20 || c == 0x7f)
            return false;
        if (c == '%' && (k + 2 >= n || hexv(s[k + 1]) < 0 || hexv(s[k + 2]) < 0))
            return false;
    }
    /* scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
    if (n && is_alpha(s[0])) {
        for (k = 1; k < n && (is_alpha(s[k]) || (s[k] >= '0' && s[k] <= '9') || s[k] == '+' ||
                              s[k] == '-' || s[k] == '.');
             k++)
            ;
        if (k < n && s[k] == ':') {
            u->scheme = s;
            u->scheme_n = k;
            i = k + 1;
        }
    }
    if (s[i] == '/' && s[i + 1] == '/') { /* s is NUL-terminated */
        u->has_auth = true;
        i += 2;
        u->auth = s + i;
        while (i < n && s[i] != '/' && s[i] != '?' && s[i] != '#')
            i++;
        u->auth_n = (size_t)(s + i - u->auth);
    }
    u->path = s + i;
    while (i < n && s[i] != '?' && s[i] != '#')
        i++;
    u->path_n = (size_t)(s + i - u->path);
    if (i < n && s[i] == '?') {
        u->has_query = true;
        u->query = s + ++i;
        while (i < n && s[i] != '#')
            i++;
        u->query_n = (size_t)(s + i - u->query);
    }
    if (i < n && s[i] == '#') {
        u->has_frag = true;
        u->frag = s + i + 1;
        u->frag_n = n - i - 1;
    }
    /* a relative reference's first segment may not hold a colon (RFC 3986 §4.2) */
    if (!u->scheme && !u->has_auth) {
        for (k = 0; k < u->path_n && u->path[k] != '/'; k++)
            if (u->path[k] == ':')
                return false;
    }
    return true;
}

/* RFC 3986 §5.2.4 remove_dot_segments, into out (room for n + 1). */
static size_t remove_dots(const char *in, size_t n, char *out)
{
    size_t i = 0, w = 0;

    while (i < n) {
        if (n - i >= 3 && !memcmp(in + i, "../", 3)) {
            i += 3;
        } else if (n - i >= 2 && !memcmp(in + i, "./", 2)) {
            i += 2;
        } else if ((n - i >= 3 && !memcmp(in + i, "/./", 3)) ||
                   (n - i == 2 && !memcmp(in + i, "/.", 2))) {
            i += 2;
            if (i == n) {
                out[w++] = '/';
            }
        } else if ((n - i >= 4 && !memcmp(in + i, "/../", 4)) ||
                   (n - i == 3 && !memcmp(in + i, "/..", 3))) {
            i += 3;
            while (w > 0 && out[w - 1] != '/')
                w--;
            if (w > 0)
                w--;
            if (i == n)
                out[w++] = '/';
        } else if ((n - i == 1 && in[i] == '.') || (n - i == 2 && !memcmp(in + i, "..", 2))) {
            i = n;
        } else {
            if (in[i] == '/')
                out[w++] = in[i++];
            while (i < n && in[i] != '/')
                out[w++] = in[i++];
        }
    }
    out[w] = '\0';
    return w;
}

static void put(struct cmn_buf *b, const char *s, size_t n)
{
    cmn_buf_append(b, s, n);
}

/* Percent-decodes n bytes into the arena; NULL when malformed. */
static char *pct_decode(struct gw_jsonschema_arena *a, const char *s, size_t n)
{
    char *out = gw_jsonschema_alloc(a, n + 1);
    size_t w = 0;

    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            if (i + 2 >= n || hexv(s[i + 1]) < 0 || hexv(s[i + 2]) < 0)
                return NULL;
            out[w++] = (char)(hexv(s[i + 1]) * 16 + hexv(s[i + 2]));
            i += 2;
        } else {
            out[w++] = s[i];
        }
    }
    out[w] = '\0';
    return out;
}

bool gw_jsonschema_uri_resolve(struct gw_jsonschema_arena *a, const char *base, const char *ref,
                               char **uri, char **frag)
{
    struct uri b, r;
    struct cmn_buf out, merged;
    char *dots = NULL;
    bool ok = false;
    size_t k, last;

    *uri = *frag = NULL;
    if (!uri_parse(ref, &r) || !uri_parse(base, &b))
        return false;
    cmn_buf_init(&out, 1u << 20);
    cmn_buf_init(&merged, 1u << 20);
    if (r.scheme) {
        b = r;
    } else {
        if (r.has_auth) {
            b.has_auth = true;
            b.auth = r.auth;
            b.auth_n = r.auth_n;
            b.path = r.path;
            b.path_n = r.path_n;
            b.has_query = r.has_query;
            b.query = r.query;
            b.query_n = r.query_n;
        } else if (r.path_n == 0) {
            if (r.has_query) {
                b.has_query = true;
                b.query = r.query;
                b.query_n = r.query_n;
            }
        } else {
            if (r.path[0] == '/') {
                put(&merged, r.path, r.path_n);
            } else {
                /* RFC 3986 §5.2.3 merge */
                if (b.has_auth && b.path_n == 0) {
                    put(&merged, "/", 1);
                } else {
                    for (last = 0, k = 0; k < b.path_n; k++)
                        if (b.path[k] == '/')
                            last = k + 1;
                    put(&merged, b.path, last);
                }
                put(&merged, r.path, r.path_n);
            }
            b.path = cmn_buf_str(&merged);
            b.path_n = merged.len;
            b.has_query = r.has_query;
            b.query = r.query;
            b.query_n = r.query_n;
        }
    }
    for (k = 0; k < b.scheme_n; k++) {
        char c = b.scheme[k];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32); /* schemes compare case-insensitively (§6.2.2.1) */
        put(&out, &c, 1);
    }
    if (b.scheme)
        put(&out, ":", 1);
    if (b.has_auth) {
        put(&out, "//", 2);
        put(&out, b.auth, b.auth_n);
    }
    dots = gw_jsonschema_alloc(a, b.path_n + 2);
    if (!dots)
        goto out;
    if (b.path_n && (b.path[0] == '/' || b.has_auth))
        put(&out, dots, remove_dots(b.path, b.path_n, dots));
    else
        put(&out, b.path, b.path_n);
    if (b.has_query) {
        put(&out, "?", 1);
        put(&out, b.query, b.query_n);
    }
    *uri = gw_jsonschema_strndup(a, cmn_buf_str(&out), out.len);
    *frag = r.has_frag ? pct_decode(a, r.frag, r.frag_n) : gw_jsonschema_strndup(a, "", 0);
    ok = *uri && *frag;
out:
    cmn_buf_free(&out);
    cmn_buf_free(&merged);
    return ok;
}

void gw_jsonschema_ptr_append(struct cmn_buf *b, const char *tok, size_t n)
{
    cmn_buf_append(b, "/", 1);
    for (size_t i = 0; i < n; i++) {
        if (tok[i] == '~')
            cmn_buf_append(b, "~0", 2);
        else if (tok[i] == '/')
            cmn_buf_append(b, "~1", 2);
        else
            cmn_buf_append(b, tok + i, 1);
    }
}
