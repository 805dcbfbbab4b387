/* gw_lua_vm.c - the VMs scripts run in and the sessions that run them.
 *
 * KrakenD makes a fresh gopher-lua state for every request. Making a LuaJIT state and opening
 * its libraries costs about 150,000 instructions, five proxied requests' worth, so each thread
 * keeps one VM instead and every session (one request's, or one backend call's, Lua) runs in a
 * fresh global environment of its own (gw_lua_sandbox.c): nothing a script sets survives the
 * session. A VM's memory is capped (GW_LUA_MEM_MAX), a run's instructions too
 * (GW_LUA_INSTRUCTIONS, counted by a hook the JIT would skip, so the JIT is off), and every
 * call into the VM is protected, so a script's error, loop or allocation ends that run only. */
#include "gw_lua_int.h"

#include "cmn_file.h"
#include "cmn_http_field.h"
#include "cmn_log.h"
#include "gw_lua_sandbox.h"

#include <lauxlib.h>
#include <luajit.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOOK_EVERY 1000 /* instructions between two looks at the budget */

long gw_lua_instructions = GW_LUA_INSTRUCTIONS;

struct vm_chunk {
    int fn;  /* the compiled chunk, or LUA_NOREF */
    int err; /* its compile error (a string), or LUA_NOREF */
};

struct gw_lua_vm {
    lua_State *L;
    size_t mem;
    unsigned long gen;
    struct vm_chunk (*chunks)[3]; /* per block id */
    size_t n_chunks;
    struct gw_lua_session *cur; /* the session running now */
    uint64_t next_sid;
    long ticks;     /* hook calls left in this run */
    bool exhausted; /* the run spent its budget: no pcall may catch that */
    bool oom;       /* an allocation was refused during this session */
    int globals;    /* the VM's own globals (restored after each run) */
    struct gw_lua_vm *next;
};

struct gw_lua_session {
    struct gw_lua_vm *vm;
    uint64_t sid;
    const struct gw_lua_block *b;
    struct gw_lua_target t;
    int env;
    struct gw_json **owned; /* roots the session owns: made by the script, or deleted */
    size_t n_owned, cap_owned;
    size_t nodes;
    char **kept;
    size_t n_kept, cap_kept;
    void **https; /* http_response answers */
    size_t n_https, cap_https;
    int custom; /* the string custom_error raised, or LUA_NOREF */
    unsigned custom_code;
    char *custom_msg, *custom_ct;
};

/* ---- the module-wide runtime ----------------------------------------------------------------- */

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static struct gw_lua_vm *g_vms; /* every VM, whichever thread made it */
static unsigned g_refs;
static atomic_ulong g_gen = 1;
static atomic_uint g_next_id;
static __thread struct gw_lua_vm *t_vm;
static __thread unsigned long t_gen;

static void vm_destroy(struct gw_lua_vm *vm)
{
    if (!vm)
        return;
    if (vm->L)
        lua_close(vm->L);
    free(vm->chunks);
    free(vm);
}

void gw_lua_runtime_ref(void)
{
    pthread_mutex_lock(&g_mu);
    g_refs++;
    pthread_mutex_unlock(&g_mu);
}

void gw_lua_runtime_unref(void)
{
    struct gw_lua_vm *vms = NULL;

    pthread_mutex_lock(&g_mu);
    if (g_refs > 0 && --g_refs == 0) {
        vms = g_vms;
        g_vms = NULL;
        atomic_fetch_add(&g_gen, 1);
        atomic_store(&g_next_id, 0);
    }
    pthread_mutex_unlock(&g_mu);
    while (vms) { /* every request is over: no thread runs in them any more */
        struct gw_lua_vm *n = vms->next;
        vm_destroy(vms);
        vms = n;
    }
}

unsigned gw_lua_next_block_id(void)
{
    return atomic_fetch_add(&g_next_id, 1);
}

/* ---- a VM ------------------------------------------------------------------------------------ */

static struct gw_lua_vm *vm_of(lua_State *L)
{
    void *ud = NULL;

    lua_getallocf(L, &ud);
    return ud;
}

static void *vm_alloc(void *ud, void *p, size_t osize, size_t nsize)
{
    struct gw_lua_vm *vm = ud;
    void *q;

    if (nsize == 0) {
        free(p);
        vm->mem -= osize;
        return NULL;
    }
    if (nsize > osize && vm->mem + (nsize - osize) > GW_LUA_MEM_MAX) {
        vm->oom = true;
        return NULL;
    }
    q = realloc(p, nsize);
    if (q)
        vm->mem = vm->mem - osize + nsize;
    return q;
}

static void budget_hook(lua_State *L, lua_Debug *ar)
{
    struct gw_lua_vm *vm = vm_of(L);

    (void)ar;
    if (--vm->ticks >= 0)
        return;
    vm->exhausted = true;
    /* lua_pushfstring knows %d but not %ld */
    luaL_error(L, "lua: the script ran more than %d instructions and was stopped",
               (int)gw_lua_instructions);
}

static int vm_init_protected(lua_State *L)
{
    struct gw_lua_vm *vm = lua_touserdata(L, 1);

    gw_lua_sandbox_init(L);
    lua_pushvalue(L, LUA_GLOBALSINDEX);
    vm->globals = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}

static struct gw_lua_vm *vm_new(void)
{
    struct gw_lua_vm *vm = calloc(1, sizeof(*vm));

    if (!vm)
        return NULL;
    vm->L = lua_newstate(vm_alloc, vm);
    if (!vm->L) {
        free(vm);
        return NULL;
    }
    /* the count hook never fires inside compiled traces: the interpreter only (fast enough for
     * per-request scripts, which a fresh environment would keep cold anyway) */
    luaJIT_setmode(vm->L, 0, LUAJIT_MODE_ENGINE | LUAJIT_MODE_OFF);
    lua_sethook(vm->L, budget_hook, LUA_MASKCOUNT, HOOK_EVERY);
    vm->ticks = gw_lua_instructions / HOOK_EVERY;
    if (lua_cpcall(vm->L, vm_init_protected, vm) != 0) {
        cmn_log_error("[Lua] cannot set a VM up: %s",
                      lua_type(vm->L, -1) == LUA_TSTRING ? lua_tostring(vm->L, -1) : "?");
        vm_destroy(vm);
        return NULL;
    }
    return vm;
}

/* The calling thread's VM (made on first use). */
static struct gw_lua_vm *vm_get(void)
{
    unsigned long gen = atomic_load(&g_gen);
    struct gw_lua_vm *vm;

    if (t_vm && t_gen == gen)
        return t_vm;
    vm = vm_new();
    if (!vm)
        return NULL;
    pthread_mutex_lock(&g_mu);
    if (atomic_load(&g_gen) != gen || g_refs == 0) { /* the runtime went meanwhile */
        pthread_mutex_unlock(&g_mu);
        vm_destroy(vm);
        return NULL;
    }
    vm->gen = gen;
    vm->next = g_vms;
    g_vms = vm;
    pthread_mutex_unlock(&g_mu);
    t_vm = vm;
    t_gen = gen;
    return vm;
}

/* ---- chunks --------------------------------------------------------------------------------- */

static const char *const CHUNK_NAME[] = {"=sources", "=pre", "=post"};

/* A block's slot in the VM's chunk cache (grown on first use). NULL: no memory. */
static struct vm_chunk *chunk_slot(struct gw_lua_vm *vm, unsigned id, enum gw_lua_chunk w)
{
    if (id >= vm->n_chunks) {
        size_t n = id + 16;
        struct vm_chunk(*c)[3] = realloc(vm->chunks, n * sizeof(*c));
        if (!c)
            return NULL;
        for (size_t i = vm->n_chunks; i < n; i++) {
            for (int k = 0; k < 3; k++)
                c[i][k] = (struct vm_chunk){LUA_NOREF, LUA_NOREF};
        }
        vm->chunks = c;
        vm->n_chunks = n;
    }
    return &vm->chunks[id][w];
}

/* The sources joined by "\n" as KrakenD runs them; live: read now. Owned, or NULL after
 * raising (the error has no position: KrakenD's ErrUnknownSource). */
static char *sources_text(lua_State *L, const struct gw_lua_block *b, size_t *len)
{
    size_t total = 0, at = 0;
    char *out, **texts = NULL;
    size_t *lens = NULL;
    const char *bad = NULL;

    if (!b->live) {
        for (size_t i = 0; i < b->n_sources; i++)
            total += b->sources[i].len + 1;
    } else {
        texts = calloc(b->n_sources, sizeof(*texts));
        lens = calloc(b->n_sources, sizeof(*lens));
        if (!texts || !lens)
            goto nomem;
        for (size_t i = 0; i < b->n_sources && !bad; i++) {
            if (cmn_file_read(b->sources[i].path, GW_LUA_SOURCE_MAX, 0, &texts[i], &lens[i],
                              NULL) != CMN_FILE_OK)
                bad = b->sources[i].path;
            total += lens[i] + 1;
        }
    }
    out = bad ? NULL : malloc(total + 1);
    for (size_t i = 0; out && i < b->n_sources; i++) {
        const char *t = b->live ? texts[i] : b->sources[i].text;
        size_t l = b->live ? lens[i] : b->sources[i].len;
        if (i)
            out[at++] = '\n';
        memcpy(out + at, t, l);
        at += l;
    }
    for (size_t i = 0; texts && i < b->n_sources; i++)
        free(texts[i]);
    free(texts);
    free(lens);
    if (bad) {
        lua_pushfstring(L, "lua: unable to load required source %s", bad);
        lua_error(L);
    }
    if (!out)
        goto nomem;
    out[at] = '\0';
    *len = at;
    return out;
nomem:
    free(texts);
    free(lens);
    lua_pushliteral(L, "not enough memory");
    lua_error(L);
    return NULL;
}

/* Pushes chunk w of the session's block, compiled (cached per VM unless live); raises its
 * compile error. Pushes nothing and returns false when there is nothing to run. */
static bool push_chunk(lua_State *L, struct gw_lua_session *s, enum gw_lua_chunk w)
{
    const struct gw_lua_block *b = s->b;
    struct vm_chunk *slot;
    const char *text;
    char *joined = NULL;
    size_t len;
    int rc;

    if (w == GW_LUA_SOURCES) {
        if (b->n_sources == 0)
            return false;
        if (b->missing) {
            lua_pushfstring(L, "lua: unable to load required source %s", b->missing);
            lua_error(L);
        }
    }
    slot = b->live && w == GW_LUA_SOURCES ? NULL : chunk_slot(s->vm, b->id, w);
    if (slot && slot->fn != LUA_NOREF) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, slot->fn);
        return true;
    }
    if (slot && slot->err != LUA_NOREF) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, slot->err);
        lua_error(L);
    }
    if (!slot && !(b->live && w == GW_LUA_SOURCES)) {
        lua_pushliteral(L, "not enough memory");
        lua_error(L);
    }
    if (w == GW_LUA_SOURCES) {
        joined = sources_text(L, b, &len);
        text = joined;
    } else {
        text = w == GW_LUA_PRE ? b->pre : b->post;
        len = w == GW_LUA_PRE ? b->pre_len : b->post_len;
    }
    /* text only: LuaJIT would load bytecode, which it does not verify */
    rc = luaL_loadbufferx(L, text, len, CHUNK_NAME[w], "t");
    free(joined);
    if (slot) {
        lua_pushvalue(L, -1);
        if (rc == 0)
            slot->fn = luaL_ref(L, LUA_REGISTRYINDEX);
        else
            slot->err = luaL_ref(L, LUA_REGISTRYINDEX);
    }
    if (rc != 0)
        lua_error(L);
    return true;
}

/* ---- sessions ------------------------------------------------------------------------------- */

struct run_args {
    struct gw_lua_session *s;
    enum gw_lua_chunk which;
};

static int run_protected(lua_State *L)
{
    struct run_args *a = lua_touserdata(L, 1);
    struct gw_lua_session *s = a->s;

    lua_settop(L, 0);
    lua_rawgeti(L, LUA_REGISTRYINDEX, s->env);
    if (!push_chunk(L, s, a->which))
        return 0;
    lua_pushvalue(L, 1);
    lua_setfenv(L, 2);
    lua_pushvalue(L, 1);
    lua_replace(L, LUA_GLOBALSINDEX); /* loadstring, getfenv(0), coroutines: the session's */
    lua_call(L, 0, 0);
    return 0;
}

static void restore_globals(struct gw_lua_vm *vm)
{
    lua_rawgeti(vm->L, LUA_REGISTRYINDEX, vm->globals);
    lua_replace(vm->L, LUA_GLOBALSINDEX);
}

/* The error of a failed run, from the error value on top of L's stack. */
static void take_error(struct gw_lua_session *s, enum gw_lua_chunk which, struct gw_lua_error *err)
{
    lua_State *L = s->vm->L;
    size_t len = 0;
    const char *raw;
    char buf[64];

    memset(err, 0, sizeof(*err));
    if (s->custom != LUA_NOREF) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, s->custom);
        bool same = lua_rawequal(L, -1, -2);
        lua_pop(L, 1);
        if (same) { /* custom_error's own text, without position or source (KrakenD's) */
            err->msg = strdup(s->custom_msg ? s->custom_msg : "");
            err->status = s->custom_code;
            /* the content type reaches the client as a header: one that breaks the field rule
             * is dropped here rather than left to the writer (Go would send it with its line
             * breaks turned into spaces) */
            if (s->custom_ct && !cmn_http_field_value_ok_str(s->custom_ct))
                cmn_log_warn("[Lua] custom_error: the content type is not a valid header value: "
                             "answered without it");
            else
                err->content_type = s->custom_ct ? strdup(s->custom_ct) : NULL;
            return;
        }
    }
    if (lua_type(L, -1) == LUA_TSTRING) {
        raw = lua_tolstring(L, -1, &len);
    } else {
        snprintf(buf, sizeof(buf), "(error object is a %s value)",
                 lua_typename(L, lua_type(L, -1)));
        raw = buf;
        len = strlen(buf);
    }
    err->msg = gw_lua_error_text(s->b, which, raw, len);
}

static bool run(struct gw_lua_session *s, enum gw_lua_chunk which, struct gw_lua_error *err)
{
    struct gw_lua_vm *vm = s->vm;
    struct run_args a = {s, which};
    struct gw_lua_session *prev = vm->cur;
    const struct gw_lua_block *b = s->b;
    int rc;

    /* nothing to run: an empty chunk, or no sources (KrakenD runs an empty pre or post as a
     * chunk that does nothing; skipping it changes nothing anyone can see) */
    if ((which == GW_LUA_SOURCES && b->n_sources == 0) ||
        (which == GW_LUA_PRE && b->pre_len == 0) || (which == GW_LUA_POST && b->post_len == 0))
        return true;
    vm->cur = s;
    vm->ticks = gw_lua_instructions / HOOK_EVERY;
    vm->exhausted = false;
    rc = lua_cpcall(vm->L, run_protected, &a);
    restore_globals(vm);
    vm->cur = prev;
    if (rc != 0) {
        take_error(s, which, err);
        lua_settop(vm->L, 0);
        if (!err->msg)
            err->msg = strdup("not enough memory");
        return false;
    }
    lua_settop(vm->L, 0);
    return true;
}

static int open_protected(lua_State *L)
{
    struct gw_lua_session *s = lua_touserdata(L, 1);

    gw_lua_sandbox_env(L, s->b->open_libs);
    s->env = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}

struct gw_lua_session *gw_lua_session_open(const struct gw_lua_block *b,
                                           const struct gw_lua_target *t, struct gw_lua_error *err)
{
    struct gw_lua_vm *vm = vm_get();
    struct gw_lua_session *s;

    memset(err, 0, sizeof(*err));
    s = vm ? calloc(1, sizeof(*s)) : NULL;
    if (!s) {
        err->msg = strdup("lua: no VM for this thread (out of memory)");
        return NULL;
    }
    s->vm = vm;
    s->sid = ++vm->next_sid;
    s->b = b;
    s->t = *t;
    s->env = LUA_NOREF;
    s->custom = LUA_NOREF;
    if (lua_cpcall(vm->L, open_protected, s) != 0) {
        lua_settop(vm->L, 0);
        err->msg = strdup("not enough memory");
        gw_lua_session_close(s);
        return NULL;
    }
    if (!run(s, GW_LUA_SOURCES, err)) {
        gw_lua_session_close(s);
        return NULL;
    }
    return s;
}

bool gw_lua_session_run(struct gw_lua_session *s, enum gw_lua_chunk which, struct gw_lua_error *err)
{
    memset(err, 0, sizeof(*err));
    return run(s, which, err);
}

bool gw_lua_session_response(struct gw_lua_session *s, struct gw_presp *resp)
{
    if (!resp->data) {
        resp->data = gw_json_object();
        if (!resp->data)
            return false;
    }
    s->t.resp = resp;
    return true;
}

void gw_lua_session_close(struct gw_lua_session *s)
{
    struct gw_lua_vm *vm;

    if (!s)
        return;
    vm = s->vm;
    luaL_unref(vm->L, LUA_REGISTRYINDEX, s->env);
    luaL_unref(vm->L, LUA_REGISTRYINDEX, s->custom);
    for (size_t i = 0; i < s->n_owned; i++)
        gw_lua_json_free(s->owned[i]);
    free(s->owned);
    for (size_t i = 0; i < s->n_kept; i++)
        free(s->kept[i]);
    free(s->kept);
    for (size_t i = 0; i < s->n_https; i++)
        gw_lua_http_free(s->https[i]);
    free(s->https);
    free(s->custom_msg);
    free(s->custom_ct);
    free(s);
    if (vm->oom) { /* give back what the failed allocations left behind at once */
        vm->oom = false;
        lua_gc(vm->L, LUA_GCCOLLECT, 0);
    }
}

/* ---- what API functions use ----------------------------------------------------------------- */

struct gw_lua_session *gw_lua_current(lua_State *L)
{
    return vm_of(L)->cur;
}

uint64_t gw_lua_session_id(const struct gw_lua_session *s)
{
    return s->sid;
}

bool gw_lua_session_open_libs(const struct gw_lua_session *s)
{
    return s->b->open_libs;
}

bool gw_lua_session_made_data(const struct gw_lua_session *s)
{
    return s->nodes > 0;
}

bool gw_lua_session_exhausted(const struct gw_lua_session *s)
{
    return s->vm->exhausted;
}

struct gw_lua_target *gw_lua_session_target(struct gw_lua_session *s)
{
    return &s->t;
}

void gw_lua_session_count(lua_State *L, struct gw_lua_session *s, size_t n)
{
    s->nodes += n;
    if (s->nodes > GW_LUA_NODES_MAX)
        luaL_error(L, "lua: the script made more than %d data values", (int)GW_LUA_NODES_MAX);
}

void gw_lua_session_own(lua_State *L, struct gw_lua_session *s, struct gw_json *v)
{
    if (s->n_owned == s->cap_owned) {
        size_t cap = s->cap_owned ? s->cap_owned * 2 : 8;
        struct gw_json **o = realloc(s->owned, cap * sizeof(*o));
        if (!o) {
            gw_lua_json_free(v);
            luaL_error(L, "not enough memory");
        }
        s->owned = o;
        s->cap_owned = cap;
    }
    s->owned[s->n_owned++] = v;
}

bool gw_lua_session_disown(struct gw_lua_session *s, const struct gw_json *v)
{
    for (size_t i = s->n_owned; i-- > 0;) {
        if (s->owned[i] == v) {
            s->owned[i] = s->owned[--s->n_owned];
            return true;
        }
    }
    return false;
}

const char *gw_lua_session_keep(lua_State *L, struct gw_lua_session *s, const char *p, size_t n)
{
    char *c;

    if (s->n_kept == s->cap_kept) {
        size_t cap = s->cap_kept ? s->cap_kept * 2 : 4;
        char **k = realloc(s->kept, cap * sizeof(*k));
        if (!k)
            luaL_error(L, "not enough memory");
        s->kept = k;
        s->cap_kept = cap;
    }
    c = malloc(n + 1);
    if (!c)
        luaL_error(L, "not enough memory");
    memcpy(c, p, n);
    c[n] = '\0';
    s->kept[s->n_kept++] = c;
    return c;
}

void gw_lua_session_keep_http(lua_State *L, struct gw_lua_session *s, void *answer)
{
    if (s->n_https == s->cap_https) {
        size_t cap = s->cap_https ? s->cap_https * 2 : 2;
        void **h = realloc(s->https, cap * sizeof(*h));
        if (!h) {
            gw_lua_http_free(answer);
            luaL_error(L, "not enough memory");
        }
        s->https = h;
        s->cap_https = cap;
    }
    s->https[s->n_https++] = answer;
}

int gw_lua_raise_custom(lua_State *L, const char *msg, size_t len, int code, const char *ct)
{
    struct gw_lua_session *s = gw_lua_current(L);

    luaL_where(L, 1);
    lua_pushlstring(L, msg, len);
    lua_concat(L, 2);
    luaL_unref(L, LUA_REGISTRYINDEX, s->custom);
    lua_pushvalue(L, -1);
    s->custom = luaL_ref(L, LUA_REGISTRYINDEX);
    /* code -1 (no code given) is KrakenD's plain error; codes Go cannot write answer 500 */
    s->custom_code = code == -1 ? 0 : code >= 100 && code <= 999 ? (unsigned)code : 500;
    free(s->custom_msg);
    free(s->custom_ct);
    s->custom_msg = strndup(msg, len);
    s->custom_ct = ct ? strdup(ct) : NULL;
    if (!s->custom_msg || (ct && !s->custom_ct)) {
        luaL_unref(L, LUA_REGISTRYINDEX, s->custom);
        s->custom = LUA_NOREF;
        lua_pushliteral(L, "not enough memory");
    }
    return lua_error(L);
}
