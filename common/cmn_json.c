/* cmn_json.c - strict JSON loading. */
#include "cmn_json.h"

#include "cmn_log.h"

#include <stdint.h>
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
