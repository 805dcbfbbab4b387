/* cmn_go_value.c - fmt's %v of JSON-decoded values and Go's float64 conversions on amd64. */
#include "cmn_go_value.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 16

int64_t cmn_go_f64_to_i64(double x)
{
    if (x >= -9223372036854775808.0 && x < 9223372036854775808.0)
        return (int64_t)x;
    return INT64_MIN;
}

uint64_t cmn_go_f64_to_u64(double x)
{
    if (x < 9223372036854775808.0)
        return (uint64_t)cmn_go_f64_to_i64(x);
    return (uint64_t)cmn_go_f64_to_i64(x - 9223372036854775808.0) | 0x8000000000000000ULL;
}

void cmn_go_format_g(double x, char *out, size_t out_size)
{
    char tmp[40], digits[24];
    size_t nd = 0, o = 0;
    int exp = 0, p;
    const char *e;

#define PUT(c)                                                                                     \
    do {                                                                                           \
        if (o + 1 < out_size)                                                                      \
            out[o++] = (c);                                                                        \
    } while (0)
    if (out_size == 0)
        return;
    if (isnan(x) || isinf(x)) {
        snprintf(out, out_size, "%s", isnan(x) ? "NaN" : x > 0 ? "+Inf" : "-Inf");
        return;
    }
    if (x == 0) {
        snprintf(out, out_size, "%s", signbit(x) ? "-0" : "0");
        return;
    }
    /* the shortest %e that reads back as x (strconv's precision -1) */
    for (p = 1; p <= 17; p++) {
        snprintf(tmp, sizeof(tmp), "%.*e", p - 1, fabs(x));
        if (strtod(tmp, NULL) == fabs(x))
            break;
    }
    for (const char *c = tmp; *c && *c != 'e'; c++) {
        if (*c >= '0' && *c <= '9' && nd < sizeof(digits) - 1)
            digits[nd++] = *c;
    }
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    e = strchr(tmp, 'e');
    if (e)
        exp = (int)strtol(e + 1, NULL, 10);
    if (x < 0)
        PUT('-');
    if (exp < -4 || exp >= 6) {
        char ex[16];
        PUT(digits[0]);
        if (nd > 1) {
            PUT('.');
            for (size_t i = 1; i < nd; i++)
                PUT(digits[i]);
        }
        snprintf(ex, sizeof(ex), "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
        for (const char *c = ex; *c; c++)
            PUT(*c);
    } else if (exp < 0) {
        PUT('0');
        PUT('.');
        for (int i = 0; i < -exp - 1; i++)
            PUT('0');
        for (size_t i = 0; i < nd; i++)
            PUT(digits[i]);
    } else {
        size_t dp = (size_t)exp + 1;
        for (size_t i = 0; i < (nd > dp ? nd : dp); i++) {
            if (i == dp)
                PUT('.');
            PUT(i < nd ? digits[i] : '0');
        }
    }
    out[o] = '\0';
#undef PUT
}

static int cmp_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool put(struct cmn_buf *b, const char *s)
{
    return cmn_buf_append_str(b, s) == CMN_BUF_OK;
}

static bool sprint(struct cmn_buf *b, const json_t *v, int depth)
{
    char num[40];
    bool ok = true;

    if (depth > MAX_DEPTH)
        return put(b, "...");
    switch (json_typeof(v)) {
    case JSON_STRING:
        return cmn_buf_append(b, json_string_value(v), json_string_length(v)) == CMN_BUF_OK;
    case JSON_INTEGER:
    case JSON_REAL:
        cmn_go_format_g(json_number_value(v), num, sizeof(num));
        return put(b, num);
    case JSON_TRUE:
        return put(b, "true");
    case JSON_FALSE:
        return put(b, "false");
    case JSON_NULL:
        return put(b, "<nil>");
    case JSON_ARRAY:
        ok = put(b, "[");
        for (size_t i = 0; ok && i < json_array_size(v); i++)
            ok = (i == 0 || put(b, " ")) && sprint(b, json_array_get(v, i), depth + 1);
        return ok && put(b, "]");
    case JSON_OBJECT: {
        size_t n = json_object_size(v), i = 0;
        const char **keys = calloc(n ? n : 1, sizeof(*keys));
        const char *k;
        json_t *m;

        if (!keys)
            return false;
        json_object_foreach((json_t *)(uintptr_t)v, k, m) keys[i++] = k;
        qsort(keys, n, sizeof(*keys), cmp_keys); /* fmt prints maps sorted by key */
        ok = put(b, "map[");
        for (i = 0; ok && i < n; i++)
            ok = (i == 0 || put(b, " ")) && put(b, keys[i]) && put(b, ":") &&
                 sprint(b, json_object_get(v, keys[i]), depth + 1);
        free(keys);
        return ok && put(b, "]");
    }
    }
    return true;
}

bool cmn_go_sprint_v(struct cmn_buf *out, const json_t *v)
{
    return v ? sprint(out, v, 0) : put(out, "<nil>");
}
