/* gw_cel_ctype.c - checker types: shared primitives, construction, printing, declaration specs. */
#include "gw_cel_ctype.h"

#include <stdio.h>
#include <string.h>

static const struct cel_ctype PRIMS[] = {
    [CK_DYN] = {CK_DYN, 0, NULL, NULL},       [CK_ERROR] = {CK_ERROR, 0, NULL, NULL},
    [CK_NULL] = {CK_NULL, 0, NULL, NULL},     [CK_BOOL] = {CK_BOOL, 0, NULL, NULL},
    [CK_INT] = {CK_INT, 0, NULL, NULL},       [CK_UINT] = {CK_UINT, 0, NULL, NULL},
    [CK_DOUBLE] = {CK_DOUBLE, 0, NULL, NULL}, [CK_STRING] = {CK_STRING, 0, NULL, NULL},
    [CK_BYTES] = {CK_BYTES, 0, NULL, NULL},   [CK_TS] = {CK_TS, 0, NULL, NULL},
    [CK_DUR] = {CK_DUR, 0, NULL, NULL},       [CK_TYPE] = {CK_TYPE, 0, NULL, NULL},
};

const struct cel_ctype *cel_ck_prim(enum cel_ck k)
{
    return &PRIMS[k];
}

const struct cel_ctype *cel_ck_new(struct gw_cel_arena *a, enum cel_ck k, const struct cel_ctype *x,
                                   const struct cel_ctype *y)
{
    struct cel_ctype *t = cel_alloc(a, sizeof(*t));

    if (t) {
        t->kind = (uint8_t)k;
        t->a = x;
        t->b = y;
    }
    return t;
}

static const char *const NAMES[] = {
    [CK_DYN] = "dyn",
    [CK_ERROR] = "!error!",
    [CK_NULL] = "null_type",
    [CK_BOOL] = "bool",
    [CK_INT] = "int",
    [CK_UINT] = "uint",
    [CK_DOUBLE] = "double",
    [CK_STRING] = "string",
    [CK_BYTES] = "bytes",
    [CK_TS] = "google.protobuf.Timestamp",
    [CK_DUR] = "google.protobuf.Duration",
};

static size_t cat(char *out, size_t n, size_t at, const char *s)
{
    size_t len = strlen(s);

    if (at < n) {
        size_t room = n - at - 1;
        memcpy(out + at, s, len < room ? len : room);
        out[at + (len < room ? len : room)] = '\0';
    }
    return at + len;
}

static size_t fmt(const struct cel_ctype *t, char *out, size_t n, size_t at, int depth)
{
    char buf[32];

    if (!t || depth > 16)
        return cat(out, n, at, "?");
    switch (t->kind) {
    case CK_LIST:
        at = cat(out, n, at, "list(");
        at = fmt(t->a, out, n, at, depth + 1);
        return cat(out, n, at, ")");
    case CK_MAP:
        at = cat(out, n, at, "map(");
        at = fmt(t->a, out, n, at, depth + 1);
        at = cat(out, n, at, ", ");
        at = fmt(t->b, out, n, at, depth + 1);
        return cat(out, n, at, ")");
    case CK_TYPE:
        if (!t->a)
            return cat(out, n, at, "type");
        at = cat(out, n, at, "type(");
        at = fmt(t->a, out, n, at, depth + 1);
        return cat(out, n, at, ")");
    case CK_PARAM:
        snprintf(buf, sizeof(buf), "_var%u", t->param);
        return cat(out, n, at, buf);
    default:
        return cat(out, n, at, NAMES[t->kind]);
    }
}

size_t cel_ck_format(const struct cel_ctype *t, char *out, size_t n)
{
    if (n)
        out[0] = '\0';
    return fmt(t, out, n, 0, 0);
}

/* ---- declaration specs ---------------------------------------------------------------------- */

struct spec {
    const char *s;
    size_t n, i;
    struct gw_cel_arena *a;
};

static void spec_space(struct spec *sp)
{
    while (sp->i < sp->n && sp->s[sp->i] == ' ')
        sp->i++;
}

static bool spec_word(struct spec *sp, const char *w)
{
    size_t len = strlen(w);

    spec_space(sp);
    if (sp->n - sp->i < len || memcmp(sp->s + sp->i, w, len) != 0)
        return false;
    sp->i += len;
    return true;
}

static const struct cel_ctype *spec_type(struct spec *sp, int depth)
{
    static const struct {
        const char *name;
        enum cel_ck k;
    } PRIM_NAMES[] = {
        {"bool", CK_BOOL},      {"int", CK_INT},
        {"uint", CK_UINT},      {"double", CK_DOUBLE},
        {"string", CK_STRING},  {"bytes", CK_BYTES},
        {"null_type", CK_NULL}, {"dyn", CK_DYN},
        {"timestamp", CK_TS},   {"google.protobuf.Timestamp", CK_TS},
        {"duration", CK_DUR},   {"google.protobuf.Duration", CK_DUR},
    };
    const struct cel_ctype *x, *y;

    if (depth > 16)
        return NULL;
    if (spec_word(sp, "list(")) {
        x = spec_type(sp, depth + 1);
        return x && spec_word(sp, ")") ? cel_ck_new(sp->a, CK_LIST, x, NULL) : NULL;
    }
    if (spec_word(sp, "map(")) {
        x = spec_type(sp, depth + 1);
        if (!x || !spec_word(sp, ","))
            return NULL;
        y = spec_type(sp, depth + 1);
        return y && spec_word(sp, ")") ? cel_ck_new(sp->a, CK_MAP, x, y) : NULL;
    }
    for (size_t k = 0; k < sizeof(PRIM_NAMES) / sizeof(PRIM_NAMES[0]); k++) {
        size_t save = sp->i;
        if (spec_word(sp, PRIM_NAMES[k].name)) {
            char c = sp->i < sp->n ? sp->s[sp->i] : '\0';
            if (c == '\0' || c == ',' || c == ')' || c == ' ')
                return cel_ck_prim(PRIM_NAMES[k].k);
        }
        sp->i = save;
    }
    return NULL;
}

const void *cel_ctype_parse(struct gw_cel_arena *a, const char *s, size_t len)
{
    struct spec sp = {s, len, 0, a};
    const struct cel_ctype *t = spec_type(&sp, 0);

    spec_space(&sp);
    return t && sp.i == sp.n ? t : NULL;
}
