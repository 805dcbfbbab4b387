/* cmn_json.c - strict JSON loading, and the line of a value in the text. */
#include "cmn_json.h"

#include "cmn_log.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

int cmn_json_depth(json_t *v)
{
    int max = 0;

    if (json_is_object(v)) {
        const char *k;
        json_t *m;
        json_object_foreach(v, k, m)
        {
            int d = cmn_json_depth(m);
            if (d > max)
                max = d;
        }
        return max + 1;
    }
    if (json_is_array(v)) {
        size_t i;
        json_t *m;
        json_array_foreach(v, i, m)
        {
            int d = cmn_json_depth(m);
            if (d > max)
                max = d;
        }
        return max + 1;
    }
    return 0;
}

/* Counts the bracket depth of raw text without recursion, so an attacker's "[[[[..." is refused
 * before jansson's recursive parser sees it. Strings are skipped. */
static int raw_depth(const char *s, size_t n)
{
    int depth = 0;
    int max = 0;
    bool in_str = false;

    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = false;
        } else if (c == '"') {
            in_str = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max)
                max = depth;
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
    return max;
}

json_t *cmn_json_loadb_strict(const char *data, size_t n, size_t max_bytes, int max_depth,
                              struct cmn_err *err)
{
    json_error_t je;
    json_t *v;

    if (n > max_bytes) {
        cmn_err_set(err, 1, "JSON document of %zu bytes is over the limit of %zu", n, max_bytes);
        return NULL;
    }
    if (raw_depth(data, n) > max_depth) {
        cmn_err_set(err, 1, "JSON nesting deeper than %d levels", max_depth);
        return NULL;
    }
    v = json_loadb(data, n, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
    if (!v) {
        cmn_err_set(err, 1, "invalid JSON at line %d, column %d: %s", je.line, je.column, je.text);
        return NULL;
    }
    return v;
}

char *cmn_json_dumps_compact(const json_t *v, bool sort)
{
    return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | (sort ? JSON_SORT_KEYS : 0));
}

size_t cmn_json_warn_unknown(const json_t *obj, const char *const *known, size_t n,
                             const char *path)
{
    const char *key;
    json_t *v;
    size_t named = 0;

    if (!json_is_object(obj))
        return 0;
    json_object_foreach((json_t *)(uintptr_t)obj, key, v)
    {
        bool ok = key[0] && strchr("@$_#", key[0]);
        for (size_t i = 0; !ok && i < n; i++)
            ok = strcmp(key, known[i]) == 0;
        if (!ok) {
            cmn_log_warn("%s.%s: unknown option, ignored (as KrakenD does)", path, key);
            named++;
        }
    }
    return named;
}

const char *cmn_json_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

/* ---- line numbers ---- */

#define SCAN_PATH_MAX CMN_JSON_PATH_MAX
#define SCAN_DEPTH_MAX CMN_JSON_SCAN_DEPTH

struct scan_frame {
    bool obj;
    size_t idx;
    size_t base; /* length of the container's own path */
};

static void set_child_path(char *path, size_t *plen, const struct scan_frame *f, const char *key,
                           size_t klen)
{
    size_t n = f->base;
    int w;

    if (f->obj) {
        if (n > 0 && n + 1 < SCAN_PATH_MAX)
            path[n++] = '.';
        if (n + klen >= SCAN_PATH_MAX)
            klen = SCAN_PATH_MAX - 1 - n;
        memcpy(path + n, key, klen);
        n += klen;
    } else {
        w = snprintf(path + n, SCAN_PATH_MAX - n, "[%zu]", f->idx);
        if (w > 0)
            n += (size_t)w < SCAN_PATH_MAX - n ? (size_t)w : SCAN_PATH_MAX - 1 - n;
    }
    path[n] = '\0';
    *plen = n;
}

void cmn_json_scan_lines(const char *t, size_t len, cmn_json_line_cb cb, void *ud)
{
    struct scan_frame st[SCAN_DEPTH_MAX + 1];
    char path[SCAN_PATH_MAX] = "";
    size_t plen = 0, depth = 0, p = 0;
    int line = 1;
    bool want_key = false;

    while (p < len) {
        char ch = t[p];
        if (ch == '\n' || ch == ' ' || ch == '\t' || ch == '\r') {
            line += ch == '\n';
            p++;
            continue;
        }
        if (ch == ':') {
            p++;
            continue;
        }
        if (ch == ',') {
            p++;
            if (depth && st[depth - 1].obj) {
                want_key = true;
            } else if (depth) {
                st[depth - 1].idx++;
                set_child_path(path, &plen, &st[depth - 1], NULL, 0);
            }
            continue;
        }
        if (ch == '}' || ch == ']') {
            p++;
            want_key = false;
            if (depth)
                depth--;
            continue;
        }
        if (ch == '"') {
            size_t s0 = ++p;
            while (p < len && t[p] != '"')
                p += t[p] == '\\' ? 2 : 1;
            if (want_key && depth) {
                set_child_path(path, &plen, &st[depth - 1], t + s0, (p < len ? p : len) - s0);
                want_key = false;
                p++;
                continue;
            }
            if (cb(path, plen, line, ud))
                return;
            p++;
            continue;
        }
        if (cb(path, plen, line, ud))
            return;
        if (ch == '{' || ch == '[') {
            p++;
            if (depth >= SCAN_DEPTH_MAX)
                return;
            st[depth].obj = ch == '{';
            st[depth].idx = 0;
            st[depth].base = plen;
            depth++;
            if (ch == '{')
                want_key = true;
            else
                set_child_path(path, &plen, &st[depth - 1], NULL, 0);
            continue;
        }
        /* a literal; always advance, so that text that is not JSON cannot stall the scan */
        p++;
        while (p < len && !memchr(",}] \t\r\n", t[p], 7))
            p++;
    }
}
