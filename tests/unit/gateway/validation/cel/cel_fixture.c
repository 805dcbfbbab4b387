/* cel_fixture.c - fixed activations for the CEL unit tables. */
#include "cel_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KV(n, v)                                                                                   \
    {                                                                                              \
        n, sizeof(n) - 1, v, sizeof(v) - 1                                                         \
    }

/* A request to /cel/req-resp/30 as the gateway would send it upstream. */
static const struct gw_cel_kv PARAMS[] = {KV("Id", "30"), KV("Nick", "mike"),
                                          KV("Resp0_message", "pong")};
static const struct gw_cel_kv HEADERS[] = {
    KV("X-Header", "something"), KV("X-Forwarded-For", "::1"),     KV("X-User-Id", "u1"),
    KV("Accept", "text/html"),   KV("Accept", "application/json"),
};
static const struct gw_cel_kv QUERY[] = {KV("foo", "bar"), KV("y", "1"), KV("y", "2"),
                                         KV("x", "10"), KV("foo[]", "bar")};
static const char NOW[] = "2024-03-06T10:15:30.5+01:00"; /* a Wednesday */

static const char DATA[] = "{\"github\": {\"company\": \"acme\", \"followers\": 3},"
                           " \"sequence2\": {\"message\": \"pong\"}, \"Id\": 42,"
                           " \"price\": 9.5, \"tags\": [\"a\", \"b\"], \"none\": null}";
static const char CLAIMS[] = "{\"sub\": \"1234567890qwertyuio\", \"user_id\": \"u\","
                             " \"roles\": [\"role_a\", \"role_b\"], \"enabled_days\": [1, 2, 3],"
                             " \"exp\": 2051882755, \"admin\": false}";

struct fx *fx_new(void)
{
    struct fx *f = calloc(1, sizeof(*f));
    struct gw_cel_options opt = {0};

    if (!f)
        return NULL;
    f->tz = cmn_go_tzdb_new_system(NULL);
    opt.tzdb = f->tz;
    f->env = gw_cel_env_new_krakend(&opt);
    f->arena = gw_cel_arena_new(0);
    f->data = json_loads(DATA, 0, NULL);
    f->claims = json_loads(CLAIMS, 0, NULL);
    if (!f->env || !f->arena || !f->data || !f->claims) {
        fx_free(f);
        return NULL;
    }
    return f;
}

void fx_free(struct fx *f)
{
    if (!f)
        return;
    gw_cel_env_destroy(f->env);
    gw_cel_arena_destroy(f->arena);
    cmn_go_tzdb_destroy(f->tz);
    json_decref(f->data);
    json_decref(f->claims);
    free(f);
}

struct gw_cel_activation *fx_activation(struct fx *f, enum fx_phase ph)
{
    struct gw_cel_activation *act;
    struct gw_cel_req_vars rq = {
        "GET", 3, "/cel/req-resp/30", 16, PARAMS, 3, HEADERS, 5, QUERY, 5, NOW, sizeof(NOW) - 1,
    };
    struct gw_cel_resp_vars rs = {
        .completed = true,
        .data = gw_cel_json(f->data, GW_CEL_NUMBERS_TEXT),
        .now = NOW,
        .now_len = sizeof(NOW) - 1,
    };

    gw_cel_arena_reset(f->arena);
    act = gw_cel_activation_new(f->arena, f->env);
    if (!act)
        return NULL;
    if (ph == FX_REQ && gw_cel_bind_request(act, &rq) != 0)
        return NULL;
    if (ph == FX_RESP && gw_cel_bind_response(act, &rs) != 0)
        return NULL;
    if (ph == FX_JWT && gw_cel_bind_jwt(act, f->claims, NOW, sizeof(NOW) - 1) != 0)
        return NULL;
    return act;
}

void fx_eval(struct fx *f, const char *expr, enum fx_phase ph, char *out, size_t n)
{
    struct gw_cel_program *p = NULL;
    struct gw_cel_diag d;
    struct gw_cel_activation *act;
    struct gw_cel_val v;

    if (gw_cel_compile(f->env, expr, strlen(expr), 0, &p, &d) != GW_CEL_OK) {
        snprintf(out, n, "?%u:%u: %s", d.line, d.column, d.msg);
        return;
    }
    act = fx_activation(f, ph);
    if (!act) {
        snprintf(out, n, "?activation");
    } else {
        v = gw_cel_eval(p, act);
        if (v.kind == GW_CEL_ERROR) {
            out[0] = '!';
            gw_cel_format(&v, out + 1, n - 1);
        } else {
            gw_cel_format(&v, out, n);
        }
    }
    gw_cel_program_destroy(p);
}
