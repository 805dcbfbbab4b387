/* gw_lua_data.c - luaTable, luaList and luaNil over the gateway's JSON values, and the value
 * conversion KrakenD's decorators do (../shared/spec/krakend-config-transform.md §4.4-§4.5).
 *
 * A luaTable or luaList is a userdata pointing at a value inside a response (the response owns
 * it) or at one the script made (the session owns it until it is set somewhere: then it moves
 * there, as Go would share it). Values deleted or replaced by the script stay alive in the
 * session until it ends, so a userdata never points at freed memory. Scripts may nest values
 * without bound within a run; everything that walks them here is iterative, and the runs check
 * the depth of what they hand back (gw_lua_data_check). */
#include "gw_lua_int.h"

#include "cmn_buf.h"
#include "cmn_go_header.h"
#include "cmn_str.h"

#include <lauxlib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char K_UDMT[GW_LUA_UD_KINDS]; /* registry keys of the metatables */
static char K_OURS;                  /* registry key: metatable -> kind, for ours only */

/* ---- iterative walks over values ------------------------------------------------------------ */

struct walk {
    const struct gw_json **v;
    size_t *depth;
    size_t n, cap;
};

static bool walk_push(struct walk *w, const struct gw_json *v, size_t depth)
{
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 64;
        const struct gw_json **nv = realloc(w->v, cap * sizeof(*nv));
        size_t *nd;
        if (!nv)
            return false;
        w->v = nv;
        nd = realloc(w->depth, cap * sizeof(*nd));
        if (!nd)
            return false;
        w->depth = nd;
        w->cap = cap;
    }
    w->v[w->n] = v;
    w->depth[w->n++] = depth;
    return true;
}

static void walk_free(struct walk *w)
{
    free(w->v);
    free(w->depth);
}

size_t gw_lua_json_depth(const struct gw_json *root, size_t limit, const struct gw_json *find,
                         bool *found)
{
    struct walk w = {0};
    size_t max = 0;

    if (found)
        *found = false;
    if (!root || !walk_push(&w, root, 1))
        return root ? limit + 1 : 0;
    while (w.n > 0) {
        const struct gw_json *v = w.v[--w.n];
        size_t d = w.depth[w.n];
        if (d > max)
            max = d;
        if (v == find && found)
            *found = true;
        if (max > limit)
            break;
        for (size_t i = 0; i < v->n_items; i++) {
            if (!walk_push(&w, v->items[i], d + 1))
                goto fail;
        }
        for (size_t i = 0; i < v->n_members; i++) {
            if (!walk_push(&w, v->members[i].val, d + 1))
                goto fail;
        }
    }
    walk_free(&w);
    return max;
fail:
    walk_free(&w);
    return limit + 1;
}

size_t gw_lua_json_cost(const struct gw_json *root, size_t limit)
{
    struct walk w = {0};
    size_t cost = 0;

    if (!root)
        return 0;
    if (!walk_push(&w, root, 0))
        return limit + 1;
    while (w.n > 0 && cost <= limit) {
        const struct gw_json *v = w.v[--w.n];
        cost += 1 + v->len / 64;
        for (size_t i = 0; i < v->n_items; i++) {
            if (!walk_push(&w, v->items[i], 0))
                goto fail;
        }
        for (size_t i = 0; i < v->n_members; i++) {
            if (!walk_push(&w, v->members[i].val, 0))
                goto fail;
        }
    }
    walk_free(&w);
    return cost;
fail:
    walk_free(&w);
    return limit + 1;
}

void gw_lua_json_free(struct gw_json *root)
{
    struct walk w = {0};

    if (!root)
        return;
    if (!walk_push(&w, root, 0)) {
        walk_free(&w);
        return; /* leaked rather than freed recursively */
    }
    while (w.n > 0) {
        struct gw_json *v = (struct gw_json *)(uintptr_t)w.v[--w.n]; /* ours to free */
        bool ok = true;
        for (size_t i = 0; i < v->n_items && ok; i++)
            ok = walk_push(&w, v->items[i], 0);
        for (size_t i = 0; i < v->n_members && ok; i++)
            ok = walk_push(&w, v->members[i].val, 0);
        if (!ok)
            break; /* what is left leaks */
        v->n_items = 0;
        for (size_t i = 0; i < v->n_members; i++) {
            free(v->members[i].key);
            v->members[i].val = NULL;
        }
        v->n_members = 0;
        gw_json_destroy(v); /* no children left: not recursive */
    }
    walk_free(&w);
}

/* ---- userdata ------------------------------------------------------------------------------- */

struct gw_lua_ud *gw_lua_push_ud(lua_State *L, enum gw_lua_ud_kind kind, struct gw_json *node,
                                 bool free_standing, void *ptr)
{
    struct gw_lua_session *s = gw_lua_current(L);
    struct gw_lua_ud *u = lua_newuserdata(L, sizeof(*u));

    *u = (struct gw_lua_ud){gw_lua_session_id(s), kind, node, free_standing, ptr};
    lua_pushlightuserdata(L, &K_UDMT[kind]);
    lua_rawget(L, LUA_REGISTRYINDEX);
    lua_setmetatable(L, -2);
    return u;
}

/* The userdata at idx if it is one of ours, of any kind, of the running session. Its bytes are
 * read only once its metatable says it is ours (newproxy() and io files are userdata too). */
static struct gw_lua_ud *our_ud(lua_State *L, int idx)
{
    struct gw_lua_ud *u;
    bool ours;

    if (lua_type(L, idx) != LUA_TUSERDATA || !lua_getmetatable(L, idx))
        return NULL;
    lua_pushlightuserdata(L, &K_OURS);
    lua_rawget(L, LUA_REGISTRYINDEX);
    lua_insert(L, -2);
    lua_rawget(L, -2);
    ours = lua_type(L, -1) == LUA_TNUMBER;
    lua_pop(L, 2);
    if (!ours)
        return NULL;
    u = lua_touserdata(L, idx);
    if (u->sid != gw_lua_session_id(gw_lua_current(L)))
        luaL_error(L, "lua: an object of another request was used");
    return u;
}

struct gw_lua_ud *gw_lua_check_ud(lua_State *L, int idx, enum gw_lua_ud_kind kind,
                                  const char *expected)
{
    struct gw_lua_ud *u = our_ud(L, idx);

    if (!u || u->kind != kind)
        luaL_error(L, "%s", expected);
    return u;
}

void gw_lua_set_methods(lua_State *L, enum gw_lua_ud_kind kind, const luaL_Reg *methods)
{
    lua_pushlightuserdata(L, &K_UDMT[kind]);
    lua_rawget(L, LUA_REGISTRYINDEX);
    lua_getfield(L, -1, "__index");
    for (; methods->name; methods++) {
        lua_pushcfunction(L, methods->func);
        lua_setfield(L, -2, methods->name);
    }
    lua_pop(L, 2);
}

/* ---- conversions ---------------------------------------------------------------------------- */

void gw_lua_number_text(double d, char *out, size_t size)
{
    /* gopher-lua's LNumber.String(): integral values as integers, others as Go's %v */
    if (isfinite(d) && d == floor(d) && fabs(d) < 9.2e18) {
        snprintf(out, size, "%lld", (long long)d);
        return;
    }
    if (isnan(d)) {
        snprintf(out, size, "NaN");
        return;
    }
    if (isinf(d)) {
        snprintf(out, size, d > 0 ? "+Inf" : "-Inf");
        return;
    }
    gw_json_format_float(d, out, size);
}

const char *gw_lua_arg_string(lua_State *L, int idx, size_t *len)
{
    char buf[64];

    if (lua_type(L, idx) == LUA_TNUMBER) {
        gw_lua_number_text(lua_tonumber(L, idx), buf, sizeof(buf));
        lua_pushstring(L, buf);
        lua_replace(L, idx);
    }
    return luaL_checklstring(L, idx, len);
}

void gw_lua_field_nul(char *s, size_t n)
{
    for (char *p = memchr(s, '\0', n); p; p = memchr(p, '\0', n - (size_t)(p - s)))
        *p = 0x7f;
}

const char *gw_lua_arg_field(lua_State *L, int idx)
{
    size_t n;
    const char *s = gw_lua_arg_string(L, idx, &n);
    char *c;

    if (!memchr(s, '\0', n))
        return s;
    c = lua_newuserdata(L, n + 1); /* on the stack, collected after the call */
    memcpy(c, s, n);
    c[n] = '\0';
    gw_lua_field_nul(c, n);
    return c;
}

/* Counts one more value (raising past the cap), then checks the allocation that follows. */
#define counted(L, expr) (count_one(L), nonnull(L, (expr)))

static void count_one(lua_State *L)
{
    gw_lua_session_count(L, gw_lua_current(L), 1);
}

static struct gw_json *nonnull(lua_State *L, struct gw_json *v)
{
    if (!v)
        luaL_error(L, "not enough memory");
    return v;
}

static struct gw_json *number_node(lua_State *L, double d, bool integral_as_int)
{
    char buf[64];

    if (!isfinite(d)) /* json.Marshal refuses NaN and Inf: they render null here */
        return counted(L, gw_json_null());
    if (integral_as_int && d == floor(d) && fabs(d) < 9.2e18)
        snprintf(buf, sizeof(buf), "%lld", (long long)d);
    else
        gw_json_format_float(d, buf, sizeof(buf));
    return counted(L, gw_json_number(buf));
}

/* A map key as gopher-lua's LValue.String() writes it. */
static const char *key_text(lua_State *L, int idx, char *buf, size_t size)
{
    switch (lua_type(L, idx)) {
    case LUA_TSTRING:
        return lua_tostring(L, idx);
    case LUA_TNUMBER:
        gw_lua_number_text(lua_tonumber(L, idx), buf, size);
        return buf;
    case LUA_TBOOLEAN:
        return lua_toboolean(L, idx) ? "true" : "false";
    default:
        snprintf(buf, size, "%s: %p", lua_typename(L, lua_type(L, idx)), lua_topointer(L, idx));
        return buf;
    }
}

/* Go's strconv.Atoi. */
static bool go_atoi(const char *s, long long *out)
{
    const char *p = s;
    long long v = 0;
    bool neg = false;

    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    if (!*p)
        return false;
    for (; *p; p++) {
        if (*p < '0' || *p > '9' || v > (9223372036854775807LL - (*p - '0')) / 10)
            return false;
        v = v * 10 + (*p - '0');
    }
    *out = neg ? -v : v;
    return true;
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;

    return x < y ? -1 : x > y;
}

/* Nested tables: all keys integers -> a list ordered by key (an empty table: null, Go's nil
 * slice); else the object stays. Takes obj. */
static struct gw_json *maybe_list(lua_State *L, struct gw_json *obj)
{
    long long *keys;
    struct gw_json *arr;

    if (obj->n_members == 0) {
        gw_json_destroy(obj);
        return nonnull(L, gw_json_null()); /* replaces a counted value */
    }
    keys = malloc(obj->n_members * sizeof(*keys));
    if (!keys) {
        gw_lua_json_free(obj);
        luaL_error(L, "not enough memory");
    }
    for (size_t i = 0; i < obj->n_members; i++) {
        if (!go_atoi(obj->members[i].key, &keys[i])) {
            free(keys);
            return obj;
        }
    }
    /* sort the keys, then take each key's value (keys are distinct as text, maybe not as
     * numbers: "1" and "01"; Go keeps one of them for a duplicate number) */
    size_t n = obj->n_members; /* taking members shrinks the object */
    qsort(keys, n, sizeof(*keys), cmp_ll);
    arr = gw_json_array();
    for (size_t i = 0; arr && i < n; i++) {
        char kb[32];
        struct gw_json *v;
        if (i > 0 && keys[i] == keys[i - 1])
            continue;
        snprintf(kb, sizeof(kb), "%lld", keys[i]);
        v = gw_json_object_take(obj, kb);
        if (!v) { /* "01" style: find it by its number */
            for (size_t m = 0; m < obj->n_members && !v; m++) {
                long long k;
                if (go_atoi(obj->members[m].key, &k) && k == keys[i])
                    v = gw_json_object_take(obj, obj->members[m].key);
            }
        }
        if (v && !gw_json_array_append(arr, v)) {
            gw_lua_json_free(arr);
            arr = NULL;
        }
    }
    free(keys);
    gw_lua_json_free(obj);
    if (!arr)
        luaL_error(L, "not enough memory");
    return arr;
}

static struct gw_json *table_to_value(lua_State *L, int idx, int depth, bool nested,
                                      const struct gw_json *target);
static struct gw_json *ud_value(lua_State *L, struct gw_lua_ud *u, const struct gw_json *target);

/* One value of a Lua table (ParseToTable's cases); NULL = not stored. */
static struct gw_json *member_value(lua_State *L, int idx, int depth, const struct gw_json *target)
{
    struct gw_lua_ud *u;

    switch (lua_type(L, idx)) {
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        gw_lua_session_count(L, gw_lua_current(L), len / 64);
        return counted(L, gw_json_string(s, len));
    }
    case LUA_TBOOLEAN:
        return counted(L, gw_json_bool(lua_toboolean(L, idx)));
    case LUA_TNUMBER:
        return number_node(L, lua_tonumber(L, idx), true);
    case LUA_TTABLE:
        return table_to_value(L, idx, depth + 1, true, target);
    case LUA_TUSERDATA:
        u = our_ud(L, idx);
        if (u && u->kind == GW_LUA_UD_NIL)
            return counted(L, gw_json_null());
        if (u && (u->kind == GW_LUA_UD_TABLE || u->kind == GW_LUA_UD_LIST))
            return ud_value(L, u, target);
        return NULL;
    default:
        return NULL;
    }
}

static struct gw_json *table_to_value(lua_State *L, int idx, int depth, bool nested,
                                      const struct gw_json *target)
{
    struct gw_lua_session *s = gw_lua_current(L);
    struct gw_json *obj;

    if (depth > GW_LUA_DEPTH_MAX)
        luaL_error(L, "lua: a table nested deeper than %d levels (or a table inside itself)",
                   GW_LUA_DEPTH_MAX);
    luaL_checkstack(L, 4, "table too deep");
    idx = idx < 0 ? lua_gettop(L) + idx + 1 : idx;
    obj = counted(L, gw_json_object());
    gw_lua_session_own(L, s, obj); /* while it is built: an error leaves it to the session */
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        char kb[96];
        struct gw_json *v;
        const char *k = key_text(L, -2, kb, sizeof(kb));
        v = member_value(L, lua_gettop(L), depth, target);
        if (v && !gw_json_object_set(obj, k, v))
            luaL_error(L, "not enough memory");
        lua_pop(L, 1);
    }
    gw_lua_session_disown(s, obj);
    return nested ? maybe_list(L, obj) : obj;
}

/* A luaTable/luaList value to store into target: a free-standing one moves there (unless that
 * would put it inside itself: then, as any other, it is copied). */
static struct gw_json *ud_value(lua_State *L, struct gw_lua_ud *u, const struct gw_json *target)
{
    struct gw_lua_session *s = gw_lua_current(L);
    bool inside = false;
    struct gw_json *c;

    if (u->free_standing) {
        if (u->node != target)
            gw_lua_json_depth(u->node, SIZE_MAX - 1, target, &inside);
        if (u->node != target && !inside && gw_lua_session_disown(s, u->node)) {
            u->free_standing = false; /* it lives where it is set from now on */
            return u->node;
        }
    }
    if (gw_lua_json_depth(u->node, GW_BACKEND_JSON_DEPTH, NULL, NULL) > GW_BACKEND_JSON_DEPTH)
        luaL_error(L, "lua: a value nested deeper than %d levels", GW_BACKEND_JSON_DEPTH);
    gw_lua_session_count(L, s, gw_lua_json_cost(u->node, GW_LUA_NODES_MAX));
    c = gw_json_copy(u->node); /* Go would share it: here the value is copied */
    return nonnull(L, c);
}

struct gw_json *gw_lua_to_value(lua_State *L, int idx, const struct gw_json *target, bool *skip)
{
    struct gw_lua_ud *u;

    *skip = false;
    switch (lua_type(L, idx)) {
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        gw_lua_session_count(L, gw_lua_current(L), len / 64);
        return counted(L, gw_json_string(s, len));
    }
    case LUA_TNUMBER:
        return number_node(L, lua_tonumber(L, idx), false); /* Go's float64 */
    case LUA_TBOOLEAN:
        return counted(L, gw_json_bool(lua_toboolean(L, idx)));
    case LUA_TTABLE:
        return table_to_value(L, idx, 0, false, target); /* top level: always an object */
    case LUA_TUSERDATA:
        u = our_ud(L, idx);
        if (!u)
            break;
        if (u->kind == GW_LUA_UD_NIL)
            return counted(L, gw_json_null());
        if (u->kind == GW_LUA_UD_TABLE || u->kind == GW_LUA_UD_LIST)
            return ud_value(L, u, target);
        break;
    default:
        break;
    }
    *skip = true;
    return NULL;
}

void gw_lua_push_value(lua_State *L, struct gw_json *v)
{
    switch (v->type) {
    case GW_JSON_STRING:
        lua_pushlstring(L, v->str, v->len);
        break;
    case GW_JSON_NUMBER:
        lua_pushnumber(L, strtod(v->str, NULL));
        break;
    case GW_JSON_BOOL:
        lua_pushboolean(L, v->boolean);
        break;
    case GW_JSON_ARRAY:
        gw_lua_push_ud(L, GW_LUA_UD_LIST, v, false, NULL);
        break;
    case GW_JSON_OBJECT:
        gw_lua_push_ud(L, GW_LUA_UD_TABLE, v, false, NULL);
        break;
    default:
        gw_lua_push_ud(L, GW_LUA_UD_NIL, NULL, false, NULL);
    }
}

/* A new value the session owns, pushed as a free-standing luaTable/luaList. */
static void push_owned(lua_State *L, enum gw_lua_ud_kind kind, struct gw_json *v)
{
    struct gw_lua_session *s = gw_lua_current(L);

    gw_lua_session_own(L, s, v);
    gw_lua_push_ud(L, kind, v, true, NULL);
}

/* ---- luaTable ------------------------------------------------------------------------------- */

static struct gw_lua_ud *check_table(lua_State *L)
{
    return gw_lua_check_ud(L, 1, GW_LUA_UD_TABLE, "response expected");
}

int gw_lua_table_new(lua_State *L)
{
    push_owned(L, GW_LUA_UD_TABLE, counted(L, gw_json_object()));
    return 1;
}

static int table_get(lua_State *L)
{
    struct gw_lua_ud *u;
    struct gw_json *v;

    if (lua_gettop(L) != 2)
        return luaL_error(L, "need arguments");
    u = check_table(L);
    v = gw_json_object_get(u->node, gw_lua_arg_string(L, 2, NULL));
    if (!v)
        return 0;
    gw_lua_push_value(L, v);
    return 1;
}

/* Replaced or deleted values stay alive (a userdata may point into them) until the end. */
static void retire(lua_State *L, struct gw_json *old)
{
    if (old)
        gw_lua_session_own(L, gw_lua_current(L), old);
}

static int table_set(lua_State *L)
{
    struct gw_lua_ud *u;
    const char *k;
    struct gw_json *v;
    bool skip;

    if (lua_gettop(L) != 3)
        return luaL_error(L, "need arguments");
    u = check_table(L);
    k = gw_lua_arg_string(L, 2, NULL);
    v = gw_lua_to_value(L, 3, u->node, &skip);
    if (skip)
        return 0;
    retire(L, gw_json_object_take(u->node, k));
    if (!gw_json_object_set(u->node, k, v))
        return luaL_error(L, "not enough memory");
    return 0;
}

static int table_len(lua_State *L)
{
    lua_pushnumber(L, (lua_Number)check_table(L)->node->n_members);
    return 1;
}

static int table_del(lua_State *L)
{
    struct gw_lua_ud *u;

    if (lua_gettop(L) != 2)
        return luaL_error(L, "need arguments");
    u = check_table(L);
    retire(L, gw_json_object_take(u->node, gw_lua_arg_string(L, 2, NULL)));
    return 0;
}

static int cmp_key(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int table_keys(lua_State *L)
{
    struct gw_lua_ud *u = check_table(L);
    const struct gw_json *o = u->node;
    const char **keys = malloc((o->n_members ? o->n_members : 1) * sizeof(*keys));
    struct gw_json *list;

    if (!keys)
        return luaL_error(L, "not enough memory");
    for (size_t i = 0; i < o->n_members; i++)
        keys[i] = o->members[i].key;
    qsort(keys, o->n_members, sizeof(*keys), cmp_key); /* Go: sort.Strings */
    list = gw_json_array();
    for (size_t i = 0; list && i < o->n_members; i++) {
        if (!gw_json_array_append(list, gw_json_string(keys[i], strlen(keys[i])))) {
            gw_json_destroy(list);
            list = NULL;
        }
    }
    free(keys);
    if (!list)
        return luaL_error(L, "not enough memory");
    gw_lua_session_count(L, gw_lua_current(L), o->n_members + 1);
    push_owned(L, GW_LUA_UD_LIST, list);
    return 1;
}

static int table_key_exists(lua_State *L)
{
    struct gw_lua_ud *u;

    if (lua_gettop(L) != 2)
        return luaL_error(L, "need arguments");
    u = check_table(L);
    lua_pushboolean(L, gw_json_object_get(u->node, gw_lua_arg_string(L, 2, NULL)) != NULL);
    return 1;
}

/* ---- luaList -------------------------------------------------------------------------------- */

static struct gw_lua_ud *check_list(lua_State *L)
{
    return gw_lua_check_ud(L, 1, GW_LUA_UD_LIST, "response expected");
}

/* Go's int(float64) for an index: NaN and out-of-range values count as negative. */
static long long index_of(lua_State *L, int idx)
{
    double d = luaL_checknumber(L, idx);

    if (isnan(d) || d <= -9.2e18 || d >= 9.2e18)
        return -1;
    return (long long)d;
}

int gw_lua_list_new(lua_State *L)
{
    push_owned(L, GW_LUA_UD_LIST, counted(L, gw_json_array()));
    return 1;
}

static int list_len(lua_State *L)
{
    lua_pushnumber(L, (lua_Number)check_list(L)->node->n_items);
    return 1;
}

static int list_get(lua_State *L)
{
    struct gw_lua_ud *u;
    long long i;

    if (lua_gettop(L) != 2)
        return luaL_error(L, "need arguments");
    u = check_list(L);
    i = index_of(L, 2);
    if (i < 0 || (size_t)i >= u->node->n_items)
        return 0;
    gw_lua_push_value(L, u->node->items[i]);
    return 1;
}

static int list_set(lua_State *L)
{
    struct gw_lua_ud *u;
    struct gw_json *v, *arr;
    long long i;
    bool skip;

    if (lua_gettop(L) != 3)
        return luaL_error(L, "need arguments");
    u = check_list(L);
    arr = u->node;
    i = index_of(L, 2);
    if (i < 0)
        return 0;
    if ((size_t)i >= arr->n_items) {
        /* the list grows with nulls up to i (KrakenD's panic when i == len is an append) */
        if ((size_t)i - arr->n_items >= GW_LUA_NODES_MAX)
            return luaL_error(L, "lua: list index %f is too far past the end", (double)i);
        gw_lua_session_count(L, gw_lua_current(L), (size_t)i + 1 - arr->n_items);
        while (arr->n_items <= (size_t)i) {
            if (!gw_json_array_append(arr, gw_json_null()))
                return luaL_error(L, "not enough memory");
        }
    }
    v = gw_lua_to_value(L, 3, arr, &skip);
    if (skip)
        return 0;
    retire(L, arr->items[i]);
    arr->items[i] = v;
    return 0;
}

static int list_del(lua_State *L)
{
    struct gw_lua_ud *u;
    struct gw_json *arr;
    long long i;

    if (lua_gettop(L) != 2)
        return luaL_error(L, "need arguments");
    u = check_list(L);
    arr = u->node;
    i = index_of(L, 2);
    if (i < 0 || (size_t)i >= arr->n_items)
        return 0;
    retire(L, arr->items[i]);
    memmove(&arr->items[i], &arr->items[i + 1],
            (arr->n_items - (size_t)i - 1) * sizeof(*arr->items));
    arr->n_items--;
    return 0;
}

int gw_lua_nil_new(lua_State *L)
{
    gw_lua_push_ud(L, GW_LUA_UD_NIL, NULL, false, NULL);
    return 1;
}

/* ---- header and parameter tables ------------------------------------------------------------ */

void gw_lua_push_string_map(lua_State *L, const char *const *keys, const char *const *vals,
                            size_t n)
{
    struct gw_json *o = counted(L, gw_json_object());

    gw_lua_session_own(L, gw_lua_current(L), o);
    gw_lua_session_count(L, gw_lua_current(L), n);
    for (size_t i = 0; i < n; i++) {
        if (!gw_json_object_set(o, keys[i], gw_json_string(vals[i], strlen(vals[i]))))
            luaL_error(L, "not enough memory");
    }
    gw_lua_push_ud(L, GW_LUA_UD_TABLE, o, true, NULL);
}

void gw_lua_push_hdrs_table(lua_State *L, const struct gw_hdrs *h)
{
    struct gw_json *o = counted(L, gw_json_object());

    gw_lua_session_own(L, gw_lua_current(L), o);
    gw_lua_session_count(L, gw_lua_current(L), 2 * h->n);
    for (size_t i = 0; i < h->n; i++) {
        struct gw_json *list = gw_json_object_get(o, h->v[i].name);
        if (!list) {
            list = gw_json_array();
            if (!gw_json_object_set(o, h->v[i].name, list))
                luaL_error(L, "not enough memory");
        }
        if (!gw_json_array_append(list, gw_json_string(h->v[i].value, strlen(h->v[i].value))))
            luaL_error(L, "not enough memory");
    }
    gw_lua_push_ud(L, GW_LUA_UD_TABLE, o, true, NULL);
}

void gw_lua_push_hdr_list(lua_State *L, const struct gw_hdrs *h, const char *name, bool exact)
{
    struct gw_json *list = counted(L, gw_json_array());

    gw_lua_session_own(L, gw_lua_current(L), list);
    for (size_t i = 0; i < h->n; i++) {
        bool same = exact ? strcmp(h->v[i].name, name) == 0 : cmn_str_eq_nocase(h->v[i].name, name);
        if (!same)
            continue;
        gw_lua_session_count(L, gw_lua_current(L), 1);
        if (!gw_json_array_append(list, gw_json_string(h->v[i].value, strlen(h->v[i].value))))
            luaL_error(L, "not enough memory");
    }
    gw_lua_push_ud(L, GW_LUA_UD_LIST, list, true, NULL);
}

/* fmt.Sprintf("%s", item) for what a list can hold. */
static void sprint_s(const struct gw_json *v, struct cmn_buf *b)
{
    switch (v->type) {
    case GW_JSON_STRING:
        cmn_buf_append(b, v->str, v->len);
        break;
    case GW_JSON_NUMBER:
        cmn_buf_append_str(b, v->str); /* json.Number is a string type: its text */
        break;
    case GW_JSON_BOOL:
        cmn_buf_printf(b, "%%!s(bool=%s)", v->boolean ? "true" : "false");
        break;
    case GW_JSON_NULL:
        cmn_buf_append_str(b, "%!s(<nil>)");
        break;
    default: /* maps and slices: Go prints their elements; the text is never a valid field */
        cmn_buf_append_str(b, v->type == GW_JSON_ARRAY ? "[...]" : "map[...]");
    }
}

void gw_lua_set_hdr_list(lua_State *L, int idx, struct gw_hdrs *h, const char *name)
{
    struct gw_lua_ud *u = lua_type(L, idx) == LUA_TUSERDATA ? our_ud(L, idx) : NULL;
    struct cmn_buf b;

    if (!u || u->kind != GW_LUA_UD_LIST)
        luaL_error(L, "invalid header value, must be a luaList");
    gw_hdrs_del(h, name);
    cmn_buf_init(&b, 1024 * 1024);
    for (size_t i = 0; i < u->node->n_items; i++) {
        cmn_buf_reset(&b);
        sprint_s(u->node->items[i], &b);
        if (b.len)
            gw_lua_field_nul(b.data, b.len); /* a JSON string's \u0000 */
        if (!gw_hdrs_add(h, name, cmn_buf_str(&b))) {
            cmn_buf_free(&b);
            luaL_error(L, "lua: too many header values");
        }
    }
    cmn_buf_free(&b);
}

/* ---- setup ---------------------------------------------------------------------------------- */

void gw_lua_data_init(lua_State *L)
{
    static const luaL_Reg table_methods[] = {
        {"get", table_get}, {"set", table_set},   {"len", table_len},
        {"del", table_del}, {"keys", table_keys}, {"keyExists", table_key_exists},
        {NULL, NULL},
    };
    static const luaL_Reg list_methods[] = {
        {"get", list_get}, {"set", list_set}, {"len", list_len}, {"del", list_del}, {NULL, NULL},
    };

    lua_pushlightuserdata(L, &K_OURS);
    lua_createtable(L, 0, GW_LUA_UD_KINDS);
    for (int k = 0; k < GW_LUA_UD_KINDS; k++) {
        lua_pushlightuserdata(L, &K_UDMT[k]);
        lua_createtable(L, 0, 2);
        lua_newtable(L);
        lua_setfield(L, -2, "__index");
        lua_pushboolean(L, 0);
        lua_setfield(L, -2, "__metatable");
        lua_pushvalue(L, -1);
        lua_pushinteger(L, k);
        lua_rawset(L, -5); /* ours[mt] = k */
        lua_rawset(L, LUA_REGISTRYINDEX);
    }
    lua_rawset(L, LUA_REGISTRYINDEX);
    gw_lua_set_methods(L, GW_LUA_UD_TABLE, table_methods);
    gw_lua_set_methods(L, GW_LUA_UD_LIST, list_methods);
}
