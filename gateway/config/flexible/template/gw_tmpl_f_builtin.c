/* gw_tmpl_f_builtin.c - Go text/template's built-in functions (eq ne lt le gt ge, index, len,
 * not, print printf println, html js urlquery) and KrakenD's marshal and include. */
#include "gw_tmpl_fns.h"

#include "cmn_go_url.h"

#include <stdio.h>
#include <string.h>

/* ---- comparisons (Go's basicKind rules) ---- */

enum bkind { BK_INVALID, BK_BOOL, BK_INT, BK_UINT, BK_FLOAT, BK_STRING };

static enum bkind basic_kind(const struct tv *v)
{
    switch (v->kind) {
    case TV_BOOL:
        return BK_BOOL;
    case TV_INT:
        return v->type == GT_UINT8 ? BK_UINT : BK_INT;
    case TV_FLOAT:
        return BK_FLOAT;
    case TV_STRING:
        return BK_STRING;
    default:
        return BK_INVALID;
    }
}

static bool str_eq(const struct tv *a, const struct tv *b)
{
    return a->u.s.n == b->u.s.n && memcmp(a->u.s.p, b->u.s.p, a->u.s.n) == 0;
}

static int str_cmp(const struct tv *a, const struct tv *b)
{
    size_t n = a->u.s.n < b->u.s.n ? a->u.s.n : b->u.s.n;
    int c = memcmp(a->u.s.p, b->u.s.p, n);

    if (c)
        return c;
    return a->u.s.n < b->u.s.n ? -1 : a->u.s.n > b->u.s.n;
}

/* one == comparison; -1 on error (set) */
static int eq1(struct texec *x, const struct tv *a, const struct tv *b)
{
    enum bkind k1 = basic_kind(a), k2 = basic_kind(b);

    if (k1 != k2) {
        if ((k1 == BK_INT && k2 == BK_UINT) || (k1 == BK_UINT && k2 == BK_INT))
            return a->u.i == b->u.i;
        if (!tv_is_nilish(a) && !tv_is_nilish(b)) {
            tfn_fail(x, "incompatible types for comparison: %s and %s", tv_type_name(a),
                     tv_type_name(b));
            return -1;
        }
        return 0;
    }
    switch (k1) {
    case BK_BOOL:
        return a->u.b == b->u.b;
    case BK_INT:
    case BK_UINT:
        return a->u.i == b->u.i;
    case BK_FLOAT:
        return a->u.f == b->u.f;
    case BK_STRING:
        return str_eq(a, b);
    default:
        break;
    }
    /* lists, maps and nil */
    if (tv_is_nilish(a) || tv_is_nilish(b))
        return tv_is_nilish(a) && tv_is_nilish(b);
    if (a->kind != b->kind) {
        tfn_fail(x, "non-comparable types %s: %s", tv_type_name(a), tv_type_name(b));
        return -1;
    }
    tfn_fail(x, "non-comparable type %s", tv_type_name(b));
    return -1;
}

TFN_DECL(tfb_eq)
{
    if (n < 2)
        return tfn_fail(x, "missing argument for comparison");
    for (size_t i = 1; i < n; i++) {
        int r = eq1(x, a[0], a[i]);
        if (r < 0)
            return NULL;
        if (r)
            return tv_bool(true);
    }
    return tv_bool(false);
}

TFN_DECL(tfb_ne)
{
    int r;

    (void)n;
    r = eq1(x, a[0], a[1]);
    return r < 0 ? NULL : tv_bool(!r);
}

/* a < b; -1 on error */
static int lt1(struct texec *x, const struct tv *a, const struct tv *b)
{
    enum bkind k1 = basic_kind(a), k2 = basic_kind(b);

    if (k1 == BK_INVALID || k2 == BK_INVALID) {
        tfn_fail(x, "invalid type for comparison");
        return -1;
    }
    if (k1 != k2) {
        if (k1 == BK_INT && k2 == BK_UINT)
            return a->u.i < 0 || a->u.i < b->u.i;
        if (k1 == BK_UINT && k2 == BK_INT)
            return b->u.i >= 0 && a->u.i < b->u.i;
        tfn_fail(x, "incompatible types for comparison: %s and %s", tv_type_name(a),
                 tv_type_name(b));
        return -1;
    }
    switch (k1) {
    case BK_BOOL:
        tfn_fail(x, "invalid type for comparison");
        return -1;
    case BK_FLOAT:
        return a->u.f < b->u.f;
    case BK_STRING:
        return str_cmp(a, b) < 0;
    default:
        return a->u.i < b->u.i;
    }
}

static int le1(struct texec *x, const struct tv *a, const struct tv *b)
{
    int r = lt1(x, a, b);

    if (r != 0)
        return r;
    return eq1(x, a, b);
}

TFN_DECL(tfb_lt)
{
    int r;

    (void)n;
    r = lt1(x, a[0], a[1]);
    return r < 0 ? NULL : tv_bool(r);
}

TFN_DECL(tfb_le)
{
    int r;

    (void)n;
    r = le1(x, a[0], a[1]);
    return r < 0 ? NULL : tv_bool(r);
}

TFN_DECL(tfb_gt)
{
    int r;

    (void)n;
    r = le1(x, a[0], a[1]);
    return r < 0 ? NULL : tv_bool(!r);
}

TFN_DECL(tfb_ge)
{
    int r;

    (void)n;
    r = lt1(x, a[0], a[1]);
    return r < 0 ? NULL : tv_bool(!r);
}

TFN_DECL(tfb_not)
{
    (void)x;
    (void)n;
    return tv_bool(!tv_truth(a[0]));
}

/* ---- index and len ---- */

TFN_DECL(tfb_index)
{
    struct tv *item = a[0];

    if (tv_is_nilish(item))
        return tfn_fail(x, "index of untyped nil");
    for (size_t i = 1; i < n; i++) {
        struct tv *ix = a[i];
        switch (item->kind) {
        case TV_LIST:
        case TV_STRING: {
            size_t len = item->kind == TV_LIST ? item->u.l.n : item->u.s.n;
            int64_t k;
            if (tv_is_nilish(ix))
                return tfn_fail(x, "cannot index slice/array with nil");
            if (ix->kind != TV_INT)
                return tfn_fail(x, "cannot index slice/array with type %s", tv_type_name(ix));
            k = ix->u.i;
            if (k < 0 || (uint64_t)k > len)
                return tfn_fail(x, "index out of range: %lld", (long long)k);
            if ((uint64_t)k == len)
                return tfn_fail(x, "reflect: %s index out of range",
                                item->kind == TV_LIST ? "slice" : "string");
            if (item->kind == TV_LIST) {
                item = item->u.l.v[k];
            } else {
                struct tv *b = tv_int(x, (unsigned char)item->u.s.p[k]);
                if (!b)
                    return NULL;
                b->type = GT_UINT8;
                item = b;
            }
            break;
        }
        case TV_MAP: {
            struct tv *v;
            if (tv_is_nilish(ix))
                return tfn_fail(x, "value is nil; should be of type string");
            if (ix->kind != TV_STRING)
                return tfn_fail(x, "value has type %s; should be string", tv_type_name(ix));
            v = tv_map_get(item->u.m, ix->u.s.p, ix->u.s.n);
            if (!v)
                v = item->type == GT_MAP_STRING ? tv_str_ref(x, "", 0) : &tv_nil;
            if (!v)
                return NULL;
            item = v;
            break;
        }
        case TV_MISSING:
        case TV_NIL:
            return tfn_fail(x, "index of nil pointer");
        default:
            return tfn_fail(x, "can't index item of type %s", tv_type_name(item));
        }
    }
    return item;
}

TFN_DECL(tfb_len)
{
    (void)n;
    switch (a[0]->kind) {
    case TV_MISSING:
        return tfn_fail(x, "reflect: call of reflect.Value.Type on zero Value");
    case TV_NIL:
        return tfn_fail(x, "len of nil pointer");
    case TV_STRING:
        return tv_int(x, (int64_t)a[0]->u.s.n);
    case TV_LIST:
        return tv_int(x, (int64_t)a[0]->u.l.n);
    case TV_MAP:
        return tv_int(x, (int64_t)a[0]->u.m->n);
    default:
        return tfn_fail(x, "len of type %s", tv_type_name(a[0]));
    }
}

/* ---- printing ---- */

TFN_DECL(tfb_print)
{
    cmn_buf_reset(&x->tmp);
    if (!tfmt_sprint(x, &x->tmp, a, n, false))
        return NULL;
    return texec_tmp_string(x);
}

TFN_DECL(tfb_println)
{
    cmn_buf_reset(&x->tmp);
    if (!tfmt_sprint(x, &x->tmp, a, n, true))
        return NULL;
    return texec_tmp_string(x);
}

TFN_DECL(tfb_printf)
{
    cmn_buf_reset(&x->tmp);
    if (!tfmt_sprintf(x, &x->tmp, a[0]->u.s.p, a[0]->u.s.n, a + 1, n - 1))
        return NULL;
    return texec_tmp_string(x);
}

/* Go's evalArgs: one string as is; otherwise nil arguments print "<no value>" and the rest as
 * fmt.Sprint does. The text is left in x->tmp. */
static bool eval_args(struct texec *x, struct tv **a, size_t n)
{
    struct tv nov = {.kind = TV_STRING, .type = GT_STRING, .u.s = {"<no value>", 10}};
    struct tv *tmp[16], **args = tmp;

    cmn_buf_reset(&x->tmp);
    if (n == 1 && a[0]->kind == TV_STRING)
        return cmn_buf_append(&x->tmp, a[0]->u.s.p, a[0]->u.s.n) == CMN_BUF_OK ||
               texec_limitf(x, "text exceeds %zu bytes", x->tmp.cap);
    if (n > 16) {
        args = texec_alloc(x, n * sizeof(*args));
        if (!args)
            return false;
    }
    for (size_t i = 0; i < n; i++)
        args[i] = tv_is_nilish(a[i]) ? &nov : a[i];
    return tfmt_sprint(x, &x->tmp, args, n, false);
}

/* text/template's HTMLEscape: html.EscapeString's five characters, and NUL as U+FFFD. */
static bool html_escape(struct cmn_buf *out, const char *s, size_t n)
{
    size_t start = 0;

    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != '\0')
            continue;
        if (cmn_buf_append_html(out, s + start, i - start) != CMN_BUF_OK ||
            (i < n && cmn_buf_append(out, "\xEF\xBF\xBD", 3) != CMN_BUF_OK))
            return false;
        start = i + 1;
    }
    return true;
}

/* text/template's JSEscape: \ ' " as backslash escapes, < > & = and control bytes as \uXXXX
 * (upper-case hex), runes that are not printable as \uXXXX, the rest as is. */
static bool js_escape(struct cmn_buf *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    bool ok = true;

    for (size_t i = 0; ok && i < n;) {
        unsigned char c = (unsigned char)s[i];
        const char *e = NULL;
        char u[16];
        if (c < 0x80) {
            switch (c) {
            case '\\':
                e = "\\\\";
                break;
            case '\'':
                e = "\\'";
                break;
            case '"':
                e = "\\\"";
                break;
            case '<':
                e = "\\u003C";
                break;
            case '>':
                e = "\\u003E";
                break;
            case '&':
                e = "\\u0026";
                break;
            case '=':
                e = "\\u003D";
                break;
            default:
                if (c < ' ') {
                    snprintf(u, sizeof(u), "\\u00%c%c", hex[c >> 4], hex[c & 15]);
                    e = u;
                }
            }
            ok = e ? cmn_buf_append_str(out, e) == CMN_BUF_OK
                   : cmn_buf_append(out, s + i, 1) == CMN_BUF_OK;
            i++;
        } else {
            uint32_t r;
            size_t w = tutf8_decode(s + i, n - i, &r);
            if (tuni_is_print(r)) {
                ok = cmn_buf_append(out, s + i, w) == CMN_BUF_OK;
            } else {
                int k = 0;
                u[k++] = '\\';
                u[k++] = 'u';
                for (int sh = r > 0xFFFF ? 20 : 12; sh >= 0; sh -= 4)
                    u[k++] = hex[(r >> sh) & 15];
                ok = cmn_buf_append(out, u, (size_t)k) == CMN_BUF_OK;
            }
            i += w;
        }
    }
    return ok;
}

enum escape_mode { ESC_HTML, ESC_JS, ESC_URLQUERY };

/* The escaped text of the arguments (gathered in x->tmp by eval_args) as a new string. */
static struct tv *escape_tmp(struct texec *x, enum escape_mode mode)
{
    struct cmn_buf out;
    struct tv *v = NULL;
    const char *s = x->tmp.data ? x->tmp.data : "";
    size_t n = x->tmp.len;
    bool ok;

    cmn_buf_init(&out, x->lim->max_output);
    switch (mode) {
    case ESC_HTML:
        ok = html_escape(&out, s, n);
        break;
    case ESC_JS:
        ok = js_escape(&out, s, n);
        break;
    default: /* url.QueryEscape, as common/go has it */
        ok = cmn_go_query_escape(s, n, &out);
    }
    if (!ok)
        texec_limitf(x, "escaped text exceeds %zu bytes", x->lim->max_output);
    else
        v = tv_str_copy(x, out.data ? out.data : "", out.len);
    cmn_buf_free(&out);
    return v;
}

TFN_DECL(tfb_html)
{
    return eval_args(x, a, n) ? escape_tmp(x, ESC_HTML) : NULL;
}

TFN_DECL(tfb_js)
{
    return eval_args(x, a, n) ? escape_tmp(x, ESC_JS) : NULL;
}

TFN_DECL(tfb_urlquery)
{
    return eval_args(x, a, n) ? escape_tmp(x, ESC_URLQUERY) : NULL;
}

/* ---- KrakenD ---- */

TFN_DECL(tfb_marshal)
{
    const char *why = NULL;
    int rc;

    (void)n;
    cmn_buf_reset(&x->tmp);
    rc = tjson_marshal(x, &x->tmp, a[0], TJSON_COMPACT, &why);
    if (rc < 0)
        return NULL;
    if (rc == 0)
        return tv_str_ref(x, "", 0); /* KrakenD ignores the error */
    return texec_tmp_string(x);
}

TFN_DECL(tfb_include)
{
    struct tv *name = a[0];

    (void)n;
    if (name->kind != TV_STRING)
        return tfn_fail(x, "interface conversion: interface {} is %s, not string",
                        tv_is_nilish(name) ? "nil" : tv_type_name(name));
    cmn_buf_reset(&x->tmp);
    if (!x->host->include || !x->host->include(x->host->ctx, name->u.s.p, name->u.s.n, &x->tmp))
        return tv_str_ref(x, "", 0); /* an unreadable partial is "" in KrakenD */
    if (x->tmp.len > x->lim->max_output)
        return texec_limitf(x, "partial larger than %zu bytes", x->lim->max_output);
    return texec_tmp_string(x);
}
