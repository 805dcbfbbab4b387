/* mb_gohttp.c - Go net/http request semantics for the CE-compatible routes. */
#include "mb_gohttp.h"

#include "cmn_http.h"
#include "cmn_str.h"
#include "cmn_go_header.h"
#include "cmn_go_json.h"
#include "cmn_go_url.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- multi-valued map ------------------------------------------------------------------ */

void mb_mmap_init(struct mb_mmap *m, size_t max_pairs)
{
    memset(m, 0, sizeof(*m));
    m->max_pairs = max_pairs;
}

static void mvals_free(struct mb_mvals *e)
{
    for (size_t i = 0; i < e->n; i++)
        free(e->vals[i]);
    free(e->vals);
    free(e->key);
}

void mb_mmap_free(struct mb_mmap *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++)
        mvals_free(&m->e[i]);
    free(m->e);
    memset(m, 0, sizeof(*m));
}

static struct mb_mvals *find(const struct mb_mmap *m, const char *key, size_t klen)
{
    for (size_t i = 0; i < m->n; i++) {
        if (strlen(m->e[i].key) == klen && memcmp(m->e[i].key, key, klen) == 0)
            return &m->e[i];
    }
    return NULL;
}

static bool grow(void **arr, size_t *cap, size_t need, size_t elem)
{
    size_t nc;
    void *p;

    if (need <= *cap)
        return true;
    nc = *cap ? *cap * 2 : 4;
    while (nc < need)
        nc *= 2;
    p = realloc(*arr, nc * elem);
    if (!p)
        return false;
    *arr = p;
    *cap = nc;
    return true;
}

bool mb_mmap_add(struct mb_mmap *m, const char *key, size_t klen, const char *val, size_t vlen)
{
    struct mb_mvals *e;
    char *v;

    if (m->pairs >= m->max_pairs)
        return false;
    e = find(m, key, klen);
    if (!e) {
        void *arr = m->e;
        if (!grow(&arr, &m->cap, m->n + 1, sizeof(*m->e)))
            return false;
        m->e = arr;
        e = &m->e[m->n];
        memset(e, 0, sizeof(*e));
        e->key = cmn_strndup(key, klen);
        if (!e->key)
            return false;
        m->n++;
    }
    void *vals = e->vals;
    if (!grow(&vals, &e->cap, e->n + 1, sizeof(*e->vals)))
        return false;
    e->vals = vals;
    v = cmn_strndup(val, vlen);
    if (!v)
        return false;
    e->vals[e->n++] = v;
    m->pairs++;
    return true;
}

const struct mb_mvals *mb_mmap_get(const struct mb_mmap *m, const char *key)
{
    return find(m, key, strlen(key));
}

void mb_mmap_del(struct mb_mmap *m, const char *key)
{
    struct mb_mvals *e = find(m, key, strlen(key));
    size_t i;

    if (!e)
        return;
    i = (size_t)(e - m->e);
    m->pairs -= e->n;
    mvals_free(e);
    memmove(&m->e[i], &m->e[i + 1], (m->n - i - 1) * sizeof(*m->e));
    m->n--;
}

static int cmp_key(const void *a, const void *b)
{
    return strcmp(((const struct mb_mvals *)a)->key, ((const struct mb_mvals *)b)->key);
}

void mb_mmap_sort(struct mb_mmap *m)
{
    if (m->n > 1)
        qsort(m->e, m->n, sizeof(*m->e), cmp_key);
}

void mb_jw_mmap(struct mb_jw *w, const struct mb_mmap *m)
{
    mb_jw_raw(w, "{");
    for (size_t i = 0; i < m->n; i++) {
        if (i)
            mb_jw_raw(w, ",");
        mb_jw_cstr(w, m->e[i].key);
        mb_jw_raw(w, ":[");
        for (size_t j = 0; j < m->e[i].n; j++) {
            if (j)
                mb_jw_raw(w, ",");
            mb_jw_cstr(w, m->e[i].vals[j]);
        }
        mb_jw_raw(w, "]");
    }
    mb_jw_raw(w, "}");
}

/* ---- headers ----------------------------------------------------------------------------- */

char *mb_go_canonical_key(const char *name)
{
    size_t n = strlen(name) + 1;
    char *out = malloc(n);

    if (out)
        cmn_go_canonical_header(name, out, n);
    return out;
}

bool mb_go_header_map(const struct cmn_http_request *req, struct mb_mmap *out)
{
    const struct mb_mvals *p;

    for (size_t i = 0; i < req->n_headers; i++) {
        char *k = mb_go_canonical_key(req->headers[i].name);
        bool ok = k && mb_mmap_add(out, k, strlen(k), req->headers[i].value,
                                   strlen(req->headers[i].value));
        free(k);
        if (!ok)
            return false;
    }
    mb_mmap_del(out, "Host");
    if (mb_mmap_get(out, "Transfer-Encoding")) {
        mb_mmap_del(out, "Transfer-Encoding");
        mb_mmap_del(out, "Content-Length");
    }
    p = mb_mmap_get(out, "Pragma");
    if (p && p->n && strcmp(p->vals[0], "no-cache") == 0 && !mb_mmap_get(out, "Cache-Control"))
        return mb_mmap_add(out, "Cache-Control", 13, "no-cache", 8);
    return true;
}

/* ---- query and path ------------------------------------------------------------------------ */

/* Decodes s[0..n) with '+' as space into a fresh string; NULL if malformed (or on OOM). */
static char *query_unescape(const char *s, size_t n, size_t *out_len)
{
    char *out = malloc(n + 1);

    if (!out)
        return NULL;
    if (!cmn_go_unescape(s, n, true, out, out_len)) {
        free(out);
        return NULL;
    }
    return out;
}

static bool add_pair(struct mb_mmap *out, const char *seg, size_t n, bool go_strict)
{
    const char *eq = memchr(seg, '=', n);
    size_t kn = eq ? (size_t)(eq - seg) : n;
    const char *v = eq ? eq + 1 : seg + n;
    size_t vn = eq ? n - kn - 1 : 0;
    size_t kl = 0, vl = 0;
    char *k = query_unescape(seg, kn, &kl);
    char *val = query_unescape(v, vn, &vl);
    bool ok = true;

    if (k && val)
        ok = mb_mmap_add(out, k, kl, val, vl);
    else if (!go_strict)
        ok = mb_mmap_add(out, k ? k : seg, k ? kl : kn, val ? val : v, val ? vl : vn);
    free(k);
    free(val);
    return ok;
}

bool mb_go_parse_query(const char *q, struct mb_mmap *out, bool go_strict)
{
    while (*q) {
        const char *amp = strchr(q, '&');
        size_t n = amp ? (size_t)(amp - q) : strlen(q);
        bool skip = n == 0 || (go_strict && memchr(q, ';', n) != NULL);
        if (!skip && !add_pair(out, q, n, go_strict))
            return false;
        q += n;
        if (*q == '&')
            q++;
    }
    return true;
}

bool mb_go_path_unescape(const char *raw, char **out)
{
    size_t n = strlen(raw), len = 0;
    char *p = malloc(n + 1);

    *out = NULL;
    if (!p)
        return false;
    if (!cmn_go_unescape(raw, n, false, p, &len) || strlen(p) != len) {
        free(p);
        return false;
    }
    *out = p;
    return true;
}

char *mb_go_clean_path(const char *p)
{
    size_t n = strlen(p);
    char *out = malloc(n + 3);
    size_t o = 1, i = 0;
    bool trailing = n > 0 && p[n - 1] == '/';

    if (!out)
        return NULL;
    out[0] = '/';
    while (i < n) {
        size_t j;
        while (i < n && p[i] == '/')
            i++;
        j = i;
        while (j < n && p[j] != '/')
            j++;
        if (j - i == 1 && p[i] == '.') {
            /* "." element: drop */
        } else if (j - i == 2 && p[i] == '.' && p[i + 1] == '.') {
            while (o > 1 && out[o - 1] != '/')
                o--;
            if (o > 1)
                o--; /* the slash before the removed element */
        } else if (j > i) {
            if (o > 1)
                out[o++] = '/';
            memcpy(out + o, p + i, j - i);
            o += j - i;
        }
        i = j;
    }
    if (trailing && o > 1)
        out[o++] = '/';
    out[o] = '\0';
    return out;
}

char *mb_go_escape_path(const char *p)
{
    struct cmn_buf b;

    cmn_buf_init(&b, strlen(p) * 3 + 1);
    if (!cmn_go_path_escape(p, strlen(p), &b)) {
        cmn_buf_free(&b);
        return NULL;
    }
    return cmn_buf_take(&b, NULL);
}

/* ---- IP, integers, status text ----------------------------------------------------------- */

bool mb_go_ip_is_loopback(const char *s)
{
    unsigned char a[16];
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    static const unsigned char one[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

    if (!s)
        return false;
    if (inet_pton(AF_INET, s, a) == 1)
        return a[0] == 127;
    if (inet_pton(AF_INET6, s, a) != 1)
        return false;
    if (memcmp(a, mapped, 12) == 0)
        return a[12] == 127;
    return memcmp(a, one, 16) == 0;
}

bool mb_go_atoi(const char *s, long long *out, struct cmn_buf *msg)
{
    const char *d = s;
    bool neg = false;
    unsigned long long v = 0;
    const char *why = NULL;

    if (*d == '+' || *d == '-')
        neg = *d++ == '-';
    if (!*d)
        why = "invalid syntax";
    /* As ParseUint then ParseInt: a uint64 overflow stops the scan, a syntax error anywhere
     * before it wins, and the int64 bound is checked last. */
    for (; !why && *d; d++) {
        unsigned dig = (unsigned)(*d - '0');
        if (*d < '0' || *d > '9')
            why = "invalid syntax";
        else if (v > (UINT64_MAX - dig) / 10)
            why = "value out of range";
        else
            v = v * 10 + dig;
    }
    if (!why && v > (unsigned long long)INT64_MAX + (neg ? 1 : 0))
        why = "value out of range";
    if (why) {
        if (msg) {
            cmn_buf_append_str(msg, "strconv.Atoi: parsing ");
            cmn_go_quote(msg, s, strlen(s));
            cmn_buf_printf(msg, ": %s", why);
        }
        return false;
    }
    *out = neg ? (long long)(0 - v) : (long long)v;
    return true;
}

const char *mb_go_status_text(int code)
{
    return code < 0 ? "" : cmn_http_reason((unsigned)code);
}
