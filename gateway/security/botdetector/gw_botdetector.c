/* gw_botdetector.c - security/bot-detector: the config decoded as Go's encoding/json decodes
 * it into krakend-botdetector's Config, the detector (allow, deny, patterns, empty User-Agent),
 * its optional verdict cache and the 403 stage. */
#include "gw_botdetector.h"

#include "cmn_go_re.h"
#include "cmn_log.h"
#include "gw_bot_lru.h"
#include "gw_gojson.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct str {
    char *s;
    size_t len;
};

struct strlist {
    struct str *v;
    size_t n;
};

struct gw_botdetector {
    struct strlist allow, deny; /* sorted for binary search */
    struct cmn_go_re **patterns;
    size_t npatterns;
    bool empty_is_bot;
    struct gw_bot_lru *cache; /* NULL: cache_size 0 */
};

/* krakend-botdetector's Config as decoded, before the detector is built. */
struct config {
    struct strlist deny, allow, patterns;
    long long cache_size;
    bool empty_is_bot;
};

static void strlist_free(struct strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].s);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

static void config_free(struct config *c)
{
    strlist_free(&c->deny);
    strlist_free(&c->allow);
    strlist_free(&c->patterns);
}

/* ---- Go's encoding/json into the Config struct ---- */

static const char *go_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "object";
    case JSON_ARRAY:
        return "array";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "bool";
    case JSON_NULL:
        break;
    }
    return "null";
}

static void type_error(struct cmn_err *err, const char *value, const char *field, const char *type)
{
    if (err->code)
        return; /* Go reports the first mismatch and keeps decoding */
    cmn_err_set(err, GW_BOT_NOT_INSTALLED,
                "json: cannot unmarshal %s into Go struct field Config.%s of type %s", value, field,
                type);
}

static bool decode_strings(const json_t *v, const char *field, struct strlist *out,
                           struct cmn_err *err)
{
    size_t i;
    json_t *item;

    strlist_free(out); /* a later key of the same field replaces it, as in Go */
    if (json_is_null(v))
        return true;
    if (!json_is_array(v)) {
        type_error(err, go_kind(v), field, "[]string");
        return true;
    }
    out->v = calloc(json_array_size(v) + 1, sizeof(*out->v));
    if (!out->v)
        return false;
    json_array_foreach((json_t *)(uintptr_t)v, i, item)
    {
        struct str *s = &out->v[out->n];
        if (json_is_string(item)) {
            s->len = json_string_length(item);
            s->s = malloc(s->len + 1);
            if (!s->s)
                return false;
            memcpy(s->s, json_string_value(item), s->len + 1);
        } else {
            if (!json_is_null(item)) /* null leaves the element "" */
                type_error(err, go_kind(item), field, "string");
            s->s = calloc(1, 1);
            if (!s->s)
                return false;
        }
        out->n++;
    }
    return true;
}

static void decode_int(const json_t *v, long long *out, struct cmn_err *err)
{
    double d;
    char text[64];

    if (json_is_null(v))
        return;
    if (!json_is_number(v)) {
        type_error(err, go_kind(v), "cache_size", "int");
        return;
    }
    d = json_number_value(v); /* KrakenD reads JSON numbers as float64 */
    if (d == floor(d) && fabs(d) < 1e21 && d >= -9223372036854775808.0 &&
        d < 9223372036854775808.0) {
        *out = (long long)d;
        return;
    }
    memcpy(text, "number ", 7); /* KrakenD re-encoded the value with json.Marshal */
    gw_json_format_float(d, text + 7, sizeof(text) - 7);
    type_error(err, text, "cache_size", "int");
}

/* Go matches JSON keys to fields ignoring case (U+017F and U+212A fold to s and k). */
static bool key_is(const char *key, const char *field)
{
    const unsigned char *k = (const unsigned char *)key;

    for (; *field; field++) {
        unsigned char c = *k;
        if (c == 0xC5 && k[1] == 0xBF) {
            c = 's';
            k += 2;
        } else if (c == 0xE2 && k[1] == 0x84 && k[2] == 0xAA) {
            c = 'k';
            k += 3;
        } else {
            if (c >= 'A' && c <= 'Z')
                c = (unsigned char)(c + 32);
            k++;
        }
        if (c != (unsigned char)*field)
            return false;
    }
    return *k == '\0';
}

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Decodes v into c. false only on allocation failure; a Go decode error sets err. */
static bool decode(const json_t *v, struct config *c, struct cmn_err *err)
{
    const char **keys = NULL;
    size_t n = 0;
    const char *key;
    json_t *val;
    bool ok = true;

    if (json_is_null(v))
        return true;
    if (!json_is_object(v)) {
        cmn_err_set(err, GW_BOT_NOT_INSTALLED,
                    "json: cannot unmarshal %s into Go value of type botdetector.Config",
                    go_kind(v));
        return true;
    }
    /* json.Marshal writes a map with sorted keys; the decoder then applies them in order */
    keys = calloc(json_object_size(v) + 1, sizeof(*keys));
    if (!keys)
        return false;
    json_object_foreach((json_t *)(uintptr_t)v, key, val) keys[n++] = key;
    qsort(keys, n, sizeof(*keys), cmp_cstr);
    for (size_t i = 0; ok && i < n; i++) {
        val = json_object_get(v, keys[i]);
        if (key_is(keys[i], "deny"))
            ok = decode_strings(val, "deny", &c->deny, err);
        else if (key_is(keys[i], "allow"))
            ok = decode_strings(val, "allow", &c->allow, err);
        else if (key_is(keys[i], "patterns"))
            ok = decode_strings(val, "patterns", &c->patterns, err);
        else if (key_is(keys[i], "cache_size"))
            decode_int(val, &c->cache_size, err);
        else if (key_is(keys[i], "empty_user_agent_is_bot")) {
            if (json_is_boolean(val))
                c->empty_is_bot = json_is_true(val);
            else if (!json_is_null(val))
                type_error(err, go_kind(val), "empty_user_agent_is_bot", "bool");
        }
    }
    free(keys);
    return ok;
}

/* ---- the detector ---- */

static int cmp_str(const void *a, const void *b)
{
    const struct str *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->s, y->s, n);

    if (c)
        return c;
    return x->len < y->len ? -1 : x->len > y->len;
}

struct key {
    const char *s;
    size_t len;
};

static int cmp_key(const void *a, const void *b)
{
    const struct key *k = a;
    const struct str *e = b;
    size_t n = k->len < e->len ? k->len : e->len;
    int c = memcmp(k->s, e->s, n);

    if (c)
        return c;
    return k->len < e->len ? -1 : k->len > e->len;
}

static bool contains(const struct strlist *l, const char *s, size_t len)
{
    struct key k = {s, len};

    return l->n && bsearch(&k, l->v, l->n, sizeof(*l->v), cmp_key) != NULL;
}

void gw_botdetector_destroy(struct gw_botdetector *d)
{
    if (!d)
        return;
    strlist_free(&d->allow);
    strlist_free(&d->deny);
    for (size_t i = 0; i < d->npatterns; i++)
        cmn_go_re_destroy(d->patterns[i]);
    free(d->patterns);
    gw_bot_lru_destroy(d->cache);
    free(d);
}

/* KrakenD's WARNING for a detector it leaves out, and ours: which setting, and that requests
 * go unchecked. */
static enum gw_bot_status not_installed(const struct gw_bot_params *p, const char *krakend_msg,
                                        struct cmn_err *err)
{
    cmn_log_warn("%s %s", p->log_prefix, krakend_msg);
    cmn_log_warn("%s: the bot detector is NOT installed, as KrakenD leaves it out: requests are "
                 "not checked for bots",
                 err->msg);
    return GW_BOT_NOT_INSTALLED;
}

/* Builds the detector (krakend-botdetector New): patterns first, then the cache. */
static enum gw_bot_status build(struct config *c, const struct gw_bot_params *p,
                                struct gw_botdetector *d, struct cmn_err *err)
{
    d->patterns = calloc(c->patterns.n + 1, sizeof(*d->patterns));
    if (!d->patterns)
        return GW_BOT_NOMEM;
    for (size_t i = 0; i < c->patterns.n; i++) {
        struct cmn_err rerr = {0};
        d->patterns[i] = cmn_go_re_compile(c->patterns.v[i].s, c->patterns.v[i].len, 0, &rerr);
        if (d->patterns[i]) {
            d->npatterns++;
            continue;
        }
        if (rerr.code == CMN_GO_RE_NOMEM)
            return GW_BOT_NOMEM;
        cmn_err_set(err, GW_BOT_NOT_INSTALLED, "%s.patterns[%zu] \"%s\": %s", p->path, i,
                    c->patterns.v[i].s, rerr.msg);
        if (rerr.code == CMN_GO_RE_UNSUPPORTED) {
            /* Go would run it: a detector without it would let through what KrakenD stops */
            err->code = GW_BOT_INVALID;
            return GW_BOT_INVALID;
        }
        char msg[CMN_ERR_MSG_MAX + 64];
        snprintf(msg, sizeof(msg), "Unable to create the bot detector: %s", rerr.msg);
        return not_installed(p, msg, err);
    }
    if (c->cache_size < 0) {
        cmn_err_set(err, GW_BOT_NOT_INSTALLED, "%s.cache_size: %lld: must provide a positive size",
                    p->path, c->cache_size);
        return not_installed(p, "Unable to create the bot detector: must provide a positive size",
                             err);
    }
    if (c->cache_size > GW_BOT_CACHE_MAX) {
        cmn_log_warn("%s.cache_size: %lld is above this gateway's cap; %d entries are kept",
                     p->path, c->cache_size, GW_BOT_CACHE_MAX);
        c->cache_size = GW_BOT_CACHE_MAX;
    }
    if (c->cache_size > 0) {
        d->cache = gw_bot_lru_new((size_t)c->cache_size, GW_BOT_CACHE_KEY_MAX, GW_BOT_CACHE_BYTES,
                                  p->seed);
        if (!d->cache)
            return GW_BOT_NOMEM;
    }
    return GW_BOT_OK;
}

/* The keys krakend-botdetector's Config has (Go matches them in any case). */
static bool known_key(const char *key)
{
    static const char *const known[] = {"deny", "allow", "patterns", "cache_size",
                                        "empty_user_agent_is_bot"};

    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (key_is(key, known[i]))
            return true;
    }
    return key[0] && strchr("@$_#", key[0]);
}

static void warn_unknown(const json_t *v, const char *path)
{
    const char *key;
    json_t *val;

    if (!json_is_object(v))
        return;
    json_object_foreach((json_t *)(uintptr_t)v, key, val)
    {
        if (!known_key(key))
            cmn_log_warn("%s.%s: unknown option, ignored (as KrakenD does)", path, key);
    }
}

enum gw_bot_status gw_botdetector_new(const json_t *v, const struct gw_bot_params *p,
                                      struct gw_botdetector **out, struct cmn_err *err)
{
    struct config c = {0};
    struct gw_botdetector *d = NULL;
    enum gw_bot_status st = GW_BOT_OK;
    struct cmn_err derr = {0};

    *out = NULL;
    cmn_err_clear(err);
    if (!v)
        return GW_BOT_OK;
    warn_unknown(v, p->path);
    if (!decode(v, &c, &derr)) {
        st = GW_BOT_NOMEM;
        goto out;
    }
    if (derr.code) {
        cmn_err_set(err, GW_BOT_NOT_INSTALLED, "%s: %s", p->path, derr.msg);
        st = not_installed(p, derr.msg, err);
        goto out;
    }
    d = calloc(1, sizeof(*d));
    if (!d) {
        st = GW_BOT_NOMEM;
        goto out;
    }
    d->empty_is_bot = c.empty_is_bot;
    st = build(&c, p, d, err);
    if (st != GW_BOT_OK)
        goto out;
    d->allow = c.allow;
    d->deny = c.deny;
    c.allow.v = c.deny.v = NULL;
    c.allow.n = c.deny.n = 0;
    if (d->allow.n)
        qsort(d->allow.v, d->allow.n, sizeof(*d->allow.v), cmp_str);
    if (d->deny.n)
        qsort(d->deny.v, d->deny.n, sizeof(*d->deny.v), cmp_str);
    cmn_log_debug("%s The bot detector has been registered successfully", p->log_prefix);
    *out = d;
    d = NULL;
out:
    if (st == GW_BOT_NOMEM)
        cmn_err_set(err, GW_BOT_NOMEM, "%s: out of memory", p->path);
    config_free(&c);
    gw_botdetector_destroy(d);
    return st;
}

/* Detector.IsBot. *unsure: a pattern could not be evaluated (the verdict is not cached). */
static bool detect(struct gw_botdetector *d, const char *ua, size_t len, bool *unsure)
{
    if (len == 0)
        return d->empty_is_bot;
    if (contains(&d->allow, ua, len))
        return false;
    if (contains(&d->deny, ua, len))
        return true;
    for (size_t i = 0; i < d->npatterns; i++) {
        enum cmn_go_re_match m = cmn_go_re_match(d->patterns[i], ua, len);
        if (m == CMN_GO_RE_MATCH)
            return true;
        if (m != CMN_GO_RE_NOMATCH) {
            /* RE2 always answers; here the engines gave up (a subject over 1 MiB, no memory,
             * or both matchers out of budget): let the request through, as KrakenD does
             * whenever its detector cannot work, and say so */
            *unsure = true;
            cmn_log_warn("%s pattern %zu could not be evaluated on a User-Agent of %zu bytes",
                         GW_BOT_SERVICE_PREFIX, i, len);
        }
    }
    return false;
}

bool gw_botdetector_is_bot(struct gw_botdetector *d, const char *ua, size_t len)
{
    bool bot, unsure = false;

    if (!ua)
        ua = "", len = 0;
    if (d->cache && gw_bot_lru_get(d->cache, ua, len, &bot))
        return bot;
    bot = detect(d, ua, len, &unsure);
    if (d->cache && !unsure)
        (void)gw_bot_lru_add(d->cache, ua, len, bot); /* a failed add only costs a recompute */
    return bot;
}

enum gw_mw_verdict gw_botdetector_handle(struct gw_botdetector *d, const struct cmn_http_request *r,
                                         struct cmn_http_response **answer)
{
    const char *ua = cmn_http_request_header(r, "User-Agent");

    *answer = NULL;
    if (!gw_botdetector_is_bot(d, ua, ua ? strlen(ua) : 0))
        return GW_MW_NEXT;
    /* the endpoint-level detector logs with the service prefix too (krakend-botdetector) */
    cmn_log_error("%s bot rejected", GW_BOT_SERVICE_PREFIX);
    *answer = cmn_http_response_new(403); /* empty: no Content-Type, no X-Krakend */
    return GW_MW_ANSWER;
}

bool gw_botdetector_cached(struct gw_botdetector *d, const char *ua, size_t len, bool *bot)
{
    return d->cache && gw_bot_lru_get(d->cache, ua, len, bot);
}
