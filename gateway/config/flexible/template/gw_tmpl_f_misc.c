/* gw_tmpl_f_misc.c - sprig's defaults (default empty coalesce all any ternary), conversions
 * (int int64 float64 atoi toDecimal), JSON, type reflection, env/expandenv, paths, duration and
 * fail; the math functions are in gw_tmpl_f_math.c. */
#include "gw_tmpl_fns.h"

#include "cmn_go_duration.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- defaults ---- */

TFN_DECL(tfm_default)
{
    (void)x;
    if (n < 2 || !tv_truth(a[1]))
        return a[0];
    return a[1];
}

TFN_DECL(tfm_empty)
{
    (void)x;
    (void)n;
    return tv_bool(!tv_truth(a[0]));
}

TFN_DECL(tfm_coalesce)
{
    (void)x;
    for (size_t i = 0; i < n; i++)
        if (tv_truth(a[i]))
            return a[i];
    return &tv_nil;
}

TFN_DECL(tfm_all)
{
    (void)x;
    for (size_t i = 0; i < n; i++)
        if (!tv_truth(a[i]))
            return tv_bool(false);
    return tv_bool(true);
}

TFN_DECL(tfm_any)
{
    (void)x;
    for (size_t i = 0; i < n; i++)
        if (tv_truth(a[i]))
            return tv_bool(true);
    return tv_bool(false);
}

TFN_DECL(tfm_ternary)
{
    (void)x;
    (void)n;
    return a[2]->u.b ? a[0] : a[1];
}

/* ---- conversions ---- */

TFN_DECL(tfm_int64)
{
    (void)n;
    return tv_int64(x, tcast_int64(a[0]));
}

TFN_DECL(tfm_int)
{
    (void)n;
    return tv_int(x, tcast_int64(a[0]));
}

TFN_DECL(tfm_float64)
{
    (void)n;
    return tv_float(x, tcast_float64(a[0]));
}

TFN_DECL(tfm_atoi)
{
    int64_t v;
    struct tstr s = a[0]->u.s;

    (void)n;
    if (!tgo_atoi(s.p, s.n, &v))
        v = 0;
    return tv_int(x, v);
}

TFN_DECL(tfm_to_decimal)
{
    int64_t v = 0;
    bool neg = false, ok = true;
    size_t i = 0;

    (void)n;
    cmn_buf_reset(&x->tmp);
    if (!tfmt_strval(x, &x->tmp, a[0]))
        return NULL;
    if (i < x->tmp.len && (x->tmp.data[i] == '+' || x->tmp.data[i] == '-'))
        neg = x->tmp.data[i++] == '-';
    if (i == x->tmp.len)
        ok = false;
    for (; ok && i < x->tmp.len; i++) {
        char c = x->tmp.data[i];
        if (c < '0' || c > '7' || v > (INT64_MAX - 7) / 8)
            ok = false;
        else
            v = v * 8 + (c - '0');
    }
    return tv_int64(x, ok ? (neg ? -v : v) : 0);
}

/* ---- JSON ---- */

static struct tv *to_json(struct texec *x, struct tv *v, enum tjson_mode mode, bool must)
{
    const char *why = NULL;
    int rc;

    cmn_buf_reset(&x->tmp);
    rc = tjson_marshal(x, &x->tmp, v, mode, &why);
    if (rc < 0)
        return NULL;
    if (rc == 0)
        return must ? tfn_fail(x, "%s", why) : tv_str_ref(x, "", 0);
    return texec_tmp_string(x);
}

TFN_DECL(tfm_to_json)
{
    (void)n;
    return to_json(x, a[0], TJSON_COMPACT, false);
}

TFN_DECL(tfm_must_to_json)
{
    (void)n;
    return to_json(x, a[0], TJSON_COMPACT, true);
}

TFN_DECL(tfm_to_pretty_json)
{
    (void)n;
    return to_json(x, a[0], TJSON_PRETTY, false);
}

TFN_DECL(tfm_must_to_pretty_json)
{
    (void)n;
    return to_json(x, a[0], TJSON_PRETTY, true);
}

TFN_DECL(tfm_to_raw_json)
{
    (void)n;
    /* toRawJson panics on an encoding error: it is an execution error too */
    return to_json(x, a[0], TJSON_RAW, true);
}

static struct tv *from_json(struct texec *x, struct tv *s, bool must)
{
    char why[256];
    struct tv *v = tjson_unmarshal(x, s->u.s.p, s->u.s.n, why, sizeof(why));

    if (v)
        return v;
    if (x->failed)
        return NULL;
    return must ? tfn_fail(x, "%s", why) : &tv_nil;
}

TFN_DECL(tfm_from_json)
{
    (void)n;
    return from_json(x, a[0], false);
}

TFN_DECL(tfm_must_from_json)
{
    (void)n;
    return from_json(x, a[0], true);
}

/* ---- reflection ---- */

TFN_DECL(tfm_type_of)
{
    (void)n;
    return tv_str_ref(x, tv_type_name(a[0]), strlen(tv_type_name(a[0])));
}

static bool streq(const struct tv *s, const char *c)
{
    return s->u.s.n == strlen(c) && memcmp(s->u.s.p, c, s->u.s.n) == 0;
}

TFN_DECL(tfm_type_is)
{
    (void)x;
    (void)n;
    return tv_bool(streq(a[0], tv_type_name(a[1])));
}

TFN_DECL(tfm_type_is_like)
{
    const char *t = tv_type_name(a[1]);

    (void)x;
    (void)n;
    return tv_bool(streq(a[0], t) || (t[0] == '*' && streq(a[0], t + 1)));
}

TFN_DECL(tfm_kind_of)
{
    (void)n;
    return tv_str_ref(x, tv_kind_name(a[0]), strlen(tv_kind_name(a[0])));
}

TFN_DECL(tfm_kind_is)
{
    (void)x;
    (void)n;
    return tv_bool(streq(a[0], tv_kind_name(a[1])));
}

TFN_DECL(tfm_deep_equal)
{
    (void)n;
    return tv_bool(tv_deep_equal(a[0], a[1], x->lim->max_value_depth));
}

/* ---- environment ---- */

static const char *getenv_n(struct texec *x, const char *name, size_t n)
{
    char buf[1024];

    if (!x->host->getenv || n >= sizeof(buf) || memchr(name, '\0', n))
        return NULL;
    memcpy(buf, name, n);
    buf[n] = '\0';
    return x->host->getenv(x->host->ctx, buf);
}

TFN_DECL(tfm_env)
{
    const char *v = getenv_n(x, a[0]->u.s.p, a[0]->u.s.n);

    (void)n;
    return v ? tv_str_copy(x, v, strlen(v)) : tv_str_ref(x, "", 0);
}

static bool is_shell_special(char c)
{
    return c == '*' || c == '#' || c == '$' || c == '@' || c == '!' || c == '?' || c == '-' ||
           (c >= '0' && c <= '9');
}

static bool is_alnum_(char c)
{
    return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* os.ExpandEnv: $VAR and ${VAR}; bad syntax is eaten, a lone $ kept */
TFN_DECL(tfm_expandenv)
{
    const char *s = a[0]->u.s.p;
    size_t len = a[0]->u.s.n, i = 0;

    (void)n;
    cmn_buf_reset(&x->tmp);
    while (i < len) {
        size_t j = i;
        while (j < len && s[j] != '$')
            j++;
        if (cmn_buf_append(&x->tmp, s + i, j - i) != CMN_BUF_OK)
            return texec_limitf(x, "expanded text exceeds the cap");
        if (j >= len)
            break;
        if (j + 1 >= len) {
            (void)cmn_buf_append(&x->tmp, "$", 1);
            break;
        }
        {
            const char *r = s + j + 1;
            size_t rn = len - j - 1, name_off = 0, name_len = 0, wlen = 0;
            if (r[0] == '{') {
                if (rn > 2 && is_shell_special(r[1]) && r[2] == '}') {
                    name_off = 1;
                    name_len = 1;
                    wlen = 3;
                } else {
                    size_t k = 1;
                    while (k < rn && r[k] != '}') {
                        if (r[k] == '{') {
                            k = rn;
                            break;
                        }
                        k++;
                    }
                    if (k >= rn) {
                        wlen = 1; /* bad syntax: only "{" is eaten */
                    } else if (k == 1) {
                        wlen = 2; /* "${}" */
                    } else {
                        name_off = 1;
                        name_len = k - 1;
                        wlen = k + 1;
                    }
                }
            } else if (is_shell_special(r[0])) {
                name_len = 1;
                wlen = 1;
            } else {
                while (wlen < rn && is_alnum_(r[wlen]))
                    wlen++;
                name_len = wlen;
            }
            if (name_len == 0 && wlen == 0) {
                (void)cmn_buf_append(&x->tmp, "$", 1);
            } else if (name_len > 0) {
                const char *v = getenv_n(x, r + name_off, name_len);
                if (v && cmn_buf_append_str(&x->tmp, v) != CMN_BUF_OK)
                    return texec_limitf(x, "expanded text exceeds the cap");
            }
            i = j + 1 + wlen;
        }
    }
    return texec_tmp_string(x);
}

/* ---- paths (Go's path package; filepath is the same on Linux) ---- */

/* path.Clean into x->tmp */
static bool path_clean(struct texec *x, const char *p, size_t n)
{
    bool rooted = n > 0 && p[0] == '/';
    size_t r = 0, dotdot;
    struct cmn_buf *b = &x->tmp;

    cmn_buf_reset(b);
    if (n == 0)
        return cmn_buf_append(b, ".", 1) == CMN_BUF_OK;
    if (rooted) {
        (void)cmn_buf_append(b, "/", 1);
        r = 1;
    }
    dotdot = b->len;
    while (r < n) {
        if (p[r] == '/') {
            r++;
        } else if (p[r] == '.' && (r + 1 == n || p[r + 1] == '/')) {
            r++;
        } else if (p[r] == '.' && p[r + 1] == '.' && (r + 2 == n || p[r + 2] == '/')) {
            r += 2;
            if (b->len > dotdot) {
                size_t w = b->len - 1;
                while (w > dotdot && b->data[w] != '/')
                    w--;
                b->len = w;
                b->data[w] = '\0';
            } else if (!rooted) {
                if (b->len > 0)
                    (void)cmn_buf_append(b, "/", 1);
                (void)cmn_buf_append(b, "..", 2);
                dotdot = b->len;
            }
        } else {
            if ((rooted && b->len != 1) || (!rooted && b->len != 0))
                (void)cmn_buf_append(b, "/", 1);
            while (r < n && p[r] != '/')
                if (cmn_buf_append(b, p + r++, 1) != CMN_BUF_OK)
                    return false;
        }
    }
    if (b->len == 0)
        (void)cmn_buf_append(b, ".", 1);
    return true;
}

TFN_DECL(tfm_clean)
{
    (void)n;
    if (!path_clean(x, a[0]->u.s.p, a[0]->u.s.n))
        return texec_limitf(x, "path exceeds the cap");
    return texec_tmp_string(x);
}

TFN_DECL(tfm_base)
{
    const char *p = a[0]->u.s.p;
    size_t e = a[0]->u.s.n, b;

    (void)n;
    if (e == 0)
        return tv_str_ref(x, ".", 1);
    while (e > 0 && p[e - 1] == '/')
        e--;
    if (e == 0)
        return tv_str_ref(x, "/", 1);
    b = e;
    while (b > 0 && p[b - 1] != '/')
        b--;
    return tv_str_ref(x, p + b, e - b);
}

TFN_DECL(tfm_dir)
{
    const char *p = a[0]->u.s.p;
    size_t k = a[0]->u.s.n;

    (void)n;
    while (k > 0 && p[k - 1] != '/')
        k--;
    if (!path_clean(x, p, k))
        return texec_limitf(x, "path exceeds the cap");
    return texec_tmp_string(x);
}

TFN_DECL(tfm_ext)
{
    const char *p = a[0]->u.s.p;
    size_t len = a[0]->u.s.n;

    (void)n;
    for (size_t i = len; i > 0 && p[i - 1] != '/'; i--)
        if (p[i - 1] == '.')
            return tv_str_ref(x, p + i - 1, len - i + 1);
    return tv_str_ref(x, "", 0);
}

TFN_DECL(tfm_is_abs)
{
    (void)x;
    (void)n;
    return tv_bool(a[0]->u.s.n > 0 && a[0]->u.s.p[0] == '/');
}

/* ---- misc ---- */

TFN_DECL(tfm_fail)
{
    (void)n;
    return tfn_fail(x, "%.*s", (int)(a[0]->u.s.n > 300 ? 300 : a[0]->u.s.n), a[0]->u.s.p);
}

/* sprig's duration: time.Duration(seconds * time.Second).String(), Go's int64 wrapping kept. */
TFN_DECL(tfm_duration)
{
    int64_t secs = 0;
    char buf[64];

    (void)n;
    if (a[0]->kind == TV_STRING) {
        if (!tgo_atoi(a[0]->u.s.p, a[0]->u.s.n, &secs))
            secs = 0;
    } else if (a[0]->type == GT_INT64) {
        secs = a[0]->u.i;
    }
    cmn_go_format_duration((int64_t)((uint64_t)secs * 1000000000u), buf, sizeof(buf));
    return tv_str_copy(x, buf, strlen(buf));
}
