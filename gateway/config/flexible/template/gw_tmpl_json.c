/* gw_tmpl_json.c - Go's encoding/json for template values: Marshal (sorted keys, HTML-safe
 * escaping from common/go, float64 in JSON style), MarshalIndent, the
 * no-HTML-escaping encoder of toRawJson, and Unmarshal into interface{} (through jansson). */
#include "gw_tmpl_int.h"

#include "cmn_go_json.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

struct jw {
    struct texec *x;
    struct cmn_buf *out;
    enum tjson_mode mode;
    bool ok;         /* false: output cap */
    const char *why; /* set: Go would fail */
};

static void put(struct jw *j, const char *s, size_t n)
{
    if (j->ok && cmn_buf_append(j->out, s, n) != CMN_BUF_OK)
        j->ok = false;
}

static void puts_(struct jw *j, const char *s)
{
    put(j, s, strlen(s));
}

/* Go's string encoding is common/go's (one escaper for the whole project); RAW is the encoder
 * with SetEscapeHTML(false) that toRawJson uses. */
static void emit_string(struct jw *j, const char *s, size_t n)
{
    if (j->ok && !cmn_go_json_string(j->out, s, n, j->mode != TJSON_RAW))
        j->ok = false;
}

static void json_float(struct jw *j, double f)
{
    char buf[64];
    double a = fabs(f);
    size_t n;

    if (isnan(f) || isinf(f)) {
        j->why = isnan(f)
                     ? "json: unsupported value: NaN"
                     : (f > 0 ? "json: unsupported value: +Inf" : "json: unsupported value: -Inf");
        return;
    }
    if (a != 0 && (a < 1e-6 || a >= 1e21)) {
        tfmt_float(f, 'e', -1, buf, sizeof(buf));
        n = strlen(buf);
        /* Go writes e-07 as e-7 */
        if (n >= 4 && buf[n - 4] == 'e' && buf[n - 3] == '-' && buf[n - 2] == '0') {
            buf[n - 2] = buf[n - 1];
            buf[n - 1] = '\0';
        }
    } else {
        tfmt_float(f, 'f', -1, buf, sizeof(buf));
    }
    puts_(j, buf);
}

static void newline(struct jw *j, int depth)
{
    put(j, "\n", 1);
    for (int i = 0; i < depth; i++)
        put(j, "  ", 2);
}

static void json_value(struct jw *j, const struct tv *v, int depth)
{
    char buf[32];

    if (!j->ok || j->why)
        return;
    if (depth > j->x->lim->max_value_depth) {
        j->why = "json: unsupported value: encountered a cycle via map[string]interface {}";
        return;
    }
    switch (v->kind) {
    case TV_MISSING:
    case TV_NIL:
        puts_(j, "null");
        return;
    case TV_BOOL:
        puts_(j, v->u.b ? "true" : "false");
        return;
    case TV_INT:
        snprintf(buf, sizeof(buf), "%lld", (long long)v->u.i);
        puts_(j, buf);
        return;
    case TV_FLOAT:
        json_float(j, v->u.f);
        return;
    case TV_STRING:
        emit_string(j, v->u.s.p, v->u.s.n);
        return;
    case TV_LIST:
        put(j, "[", 1);
        for (size_t i = 0; i < v->u.l.n; i++) {
            if (i)
                put(j, ",", 1);
            if (j->mode == TJSON_PRETTY)
                newline(j, depth + 1);
            json_value(j, v->u.l.v[i], depth + 1);
        }
        if (j->mode == TJSON_PRETTY && v->u.l.n)
            newline(j, depth);
        put(j, "]", 1);
        return;
    case TV_TIME: {
        /* Time.MarshalJSON: RFC 3339 with nanoseconds, quoted */
        static const char L[] = "\"2006-01-02T15:04:05.999999999Z07:00\"";
        if (j->ok && !tgotime_format(&v->u.t, L, sizeof(L) - 1, j->out))
            j->ok = false;
        return;
    }
    case TV_MAP:
        put(j, "{", 1);
        for (size_t i = 0; i < v->u.m->n; i++) {
            if (i)
                put(j, ",", 1);
            if (j->mode == TJSON_PRETTY)
                newline(j, depth + 1);
            emit_string(j, v->u.m->m[i].k, v->u.m->m[i].kn);
            put(j, j->mode == TJSON_PRETTY ? ": " : ":", j->mode == TJSON_PRETTY ? 2 : 1);
            json_value(j, v->u.m->m[i].v, depth + 1);
        }
        if (j->mode == TJSON_PRETTY && v->u.m->n)
            newline(j, depth);
        put(j, "}", 1);
        return;
    }
}

int tjson_marshal(struct texec *x, struct cmn_buf *out, const struct tv *v, enum tjson_mode mode,
                  const char **why)
{
    struct jw j = {x, out, mode, true, NULL};
    size_t before = out->len;

    json_value(&j, v, 0);
    if (j.why) {
        if (out->data) {
            out->len = before;
            out->data[before] = '\0';
        }
        *why = j.why;
        return 0;
    }
    if (!j.ok) {
        texec_limitf(x, "JSON text exceeds %zu bytes", out->cap);
        return -1;
    }
    return 1;
}

struct tv *tjson_unmarshal(struct texec *x, const char *s, size_t n, char *why, size_t whysz)
{
    json_error_t je;
    json_t *j = json_loadb(s, n, JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL | JSON_ALLOW_NUL, &je);
    struct tv *v;

    if (!j) {
        snprintf(why, whysz, "%s at line %d column %d", je.text, je.line, je.column);
        return NULL;
    }
    why[0] = '\0';
    v = tv_from_json(x, j, x->lim->max_value_depth);
    json_decref(j);
    return v; /* NULL: a cap was reached (x->failed) */
}
