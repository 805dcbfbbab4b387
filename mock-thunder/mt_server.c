/* mt_server.c - start-up (data directory, keys, TLS certificate, bootstrap, seed), the public
 * endpoints (token, JWKS, discovery, introspection, health) and the HTTP glue. */
#include "mt_server.h"

#include "cmn_clock.h"
#include "cmn_json.h"
#include "cmn_log.h"
#include "cmn_str.h"
#include "mt_persist.h"
#include "mt_token.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SEED_MAX (16 * 1024 * 1024)
#define PEM_FILE_MAX (1024 * 1024)

bool mt_server_save_store(struct mt_server *s)
{
    struct cmn_err err = {0};
    json_t *doc;
    bool ok;

    if (!s->data_dir)
        return true;
    doc = mt_store_to_json(&s->store);
    ok = doc && mt_persist_write_json(s->data_dir, MT_FILE_STORE, doc, &err);
    json_decref(doc);
    if (!ok)
        cmn_log_error("cannot save the store: %s", err.msg);
    return ok;
}

bool mt_server_save_keys(struct mt_server *s)
{
    struct cmn_err err = {0};
    json_t *doc;
    bool ok;

    if (!s->data_dir)
        return true;
    doc = mt_keyring_to_json(&s->keys);
    ok = doc && mt_persist_write_json(s->data_dir, MT_FILE_KEYS, doc, &err);
    json_decref(doc);
    if (!ok)
        cmn_log_error("cannot save the signing keys: %s", err.msg);
    return ok;
}

/* ---- public endpoints ---- */

static json_t *discovery(const char *iss)
{
    char u[9][600];
    static const char *const paths[] = {
        "/oauth2/authorize",    "/oauth2/token",      "/oauth2/userinfo", "/oauth2/jwks",
        "/oauth2/dcr/register", "/oauth2/introspect", "/oauth2/par",      "/oauth2/bc-authorize"};
    for (size_t i = 0; i < 8; i++)
        snprintf(u[i], sizeof(u[i]), "%s%s", iss, paths[i]);
    return json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[s], s:[s,s,s,s,s], s:[s], "
        "s:[s,s,s,s,s], s:[s,s,s,s], s:[s,s], s:b, s:[s,s], s:[s], s:[s], s:b}",
        "issuer", iss, "authorization_endpoint", u[0], "token_endpoint", u[1], "userinfo_endpoint",
        u[2], "jwks_uri", u[3], "registration_endpoint", u[4], "introspection_endpoint", u[5],
        "pushed_authorization_request_endpoint", u[6], "backchannel_authentication_endpoint", u[7],
        "backchannel_token_delivery_modes_supported", "poll", "scopes_supported", "openid",
        "profile", "email", "phone", "address", "response_types_supported", "code",
        "grant_types_supported", "authorization_code", "client_credentials", "refresh_token",
        "urn:ietf:params:oauth:grant-type:token-exchange", "urn:openid:params:grant-type:ciba",
        "token_endpoint_auth_methods_supported", "client_secret_basic", "client_secret_post",
        "private_key_jwt", "none", "code_challenge_methods_supported", "S256", "plain",
        "authorization_response_iss_parameter_supported", 1, "dpop_signing_alg_values_supported",
        "RS256", "ES256", "subject_types_supported", "public",
        "id_token_signing_alg_values_supported", "RS256", "claims_parameter_supported", 1);
}

static void oauth(struct mt_server *s, const struct cmn_http_request *req, int64_t now, bool token,
                  struct mt_reply *out)
{
    struct mt_oauth_ctx c = {&s->store, &s->keys, s->issuer, s->strict_client_auth, now};
    struct mt_oauth_req r = {cmn_http_request_header(req, "Authorization"),
                             cmn_http_request_header(req, "Content-Type"), req->body,
                             req->body_len};
    struct mt_oauth_reply rep = {0};

    if (token)
        mt_oauth_token(&c, &r, &rep);
    else
        mt_oauth_introspect(&c, &r, &rep);
    out->status = rep.status;
    out->json = rep.body;
    out->no_store = true;
    if (rep.www_basic)
        out->www_auth = "Basic";
}

/* Answers the public paths; false when the path belongs to the management API. */
static bool public_route(struct mt_server *s, const struct cmn_http_request *req, int64_t now,
                         struct mt_reply *out)
{
    const char *p = req->path;
    bool get = !strcmp(req->method, "GET") || !strcmp(req->method, "HEAD");
    bool post = !strcmp(req->method, "POST");
    int kind = !strcmp(p, "/health/liveness") || !strcmp(p, "/health/readiness") ? 1
               : !strcmp(p, "/oauth2/jwks")                                      ? 2
               : !strcmp(p, "/.well-known/openid-configuration") ||
                       !strcmp(p, "/.well-known/oauth-authorization-server")
                   ? 3
               : !strcmp(p, "/oauth2/token")      ? 4
               : !strcmp(p, "/oauth2/introspect") ? 5
                                                  : 0;

    if (!kind) {
        if (!cmn_str_has_prefix(p, "/oauth2/") && !cmn_str_has_prefix(p, "/health/") &&
            !cmn_str_has_prefix(p, "/.well-known/"))
            return false;
        out->status = 404;
        out->text = "404 page not found\n";
        return true;
    }
    if (kind <= 3 ? !get : !post) {
        out->status = 405;
        out->text = "Method Not Allowed\n";
        out->allow = kind <= 3 ? "GET" : "POST";
        return true;
    }
    out->status = 200;
    switch (kind) {
    case 1:
        out->json = json_pack("{s:s}", "status", "UP");
        break;
    case 2:
        out->json = mt_keyring_jwks(&s->keys);
        break;
    case 3:
        out->json = discovery(s->issuer);
        break;
    default:
        oauth(s, req, now, kind == 4, out);
    }
    return true;
}

static struct cmn_http_response *to_response(struct mt_reply *r)
{
    struct cmn_http_response *resp;

    if (r->json) {
        char *s = json_dumps(r->json, JSON_COMPACT);
        size_t n = s ? strlen(s) : 0;
        char *b = s ? realloc(s, n + 2) : NULL;
        if (!b) {
            free(s);
            return NULL;
        }
        b[n] = '\n';
        b[n + 1] = '\0';
        resp = cmn_http_response_new(r->status);
        if (!resp) {
            free(b);
            return NULL;
        }
        cmn_http_response_take_body(resp, b, n + 1);
        cmn_http_response_add_header(resp, "Content-Type", "application/json");
    } else if (r->status == 204) {
        resp = cmn_http_response_new(204);
    } else {
        const char *t = r->text ? r->text : "";
        resp = cmn_http_response_text(r->status, "text/plain; charset=utf-8", t, strlen(t));
        if (resp)
            cmn_http_response_add_header(resp, "X-Content-Type-Options", "nosniff");
    }
    if (!resp)
        return NULL;
    if (r->allow)
        cmn_http_response_add_header(resp, "Allow", r->allow);
    if (r->www_auth)
        cmn_http_response_add_header(resp, "WWW-Authenticate", r->www_auth);
    if (r->no_store) {
        cmn_http_response_add_header(resp, "Cache-Control", "no-store");
        cmn_http_response_add_header(resp, "Pragma", "no-cache");
    }
    return resp;
}

static void handle(void *ctx, struct cmn_http_exchange *ex, const struct cmn_http_request *req)
{
    struct mt_server *s = ctx;
    struct mt_reply out = {0};
    int64_t now = cmn_clock_unix();

    pthread_mutex_lock(&s->lock);
    if (!public_route(s, req, now, &out))
        mt_api_handle(s, req, now, &out);
    pthread_mutex_unlock(&s->lock);
    cmn_http_exchange_respond(ex, to_response(&out));
    json_decref(out.json);
}

/* ---- start-up ---- */

static bool load_keys(struct mt_server *s, int64_t now, struct cmn_err *err)
{
    json_t *doc = NULL;
    enum mt_persist_status st = MT_PERSIST_MISSING;
    struct mt_key *k;

    if (s->data_dir)
        st = mt_persist_read_json(s->data_dir, MT_FILE_KEYS, &doc, err);
    if (st == MT_PERSIST_ERROR)
        return false;
    if (st == MT_PERSIST_OK) {
        bool ok = mt_keyring_from_json(&s->keys, doc, err);
        json_decref(doc);
        if (!ok)
            cmn_err_prefix(err, "%s/%s: ", s->data_dir, MT_FILE_KEYS);
        return ok;
    }
    if (!(k = mt_key_generate("mock-thunder signing key", now, err)))
        return false;
    s->keys.keys[s->keys.n++] = k;
    cmn_log_info("created signing key %s", mt_key_kid(k));
    return mt_server_save_keys(s) || (cmn_err_set(err, 1, "cannot save the signing keys"), false);
}

static bool load_store(struct mt_server *s, struct cmn_err *err)
{
    json_t *doc = NULL;
    enum mt_persist_status st;
    bool ok;

    if (!s->data_dir)
        return true;
    st = mt_persist_read_json(s->data_dir, MT_FILE_STORE, &doc, err);
    if (st == MT_PERSIST_MISSING)
        return true;
    if (st == MT_PERSIST_ERROR)
        return false;
    ok = mt_store_from_json(&s->store, doc, err);
    json_decref(doc);
    if (!ok)
        cmn_err_prefix(err, "%s/%s: ", s->data_dir, MT_FILE_STORE);
    return ok;
}

static char *read_text(const char *path, size_t cap, struct cmn_err *err)
{
    char *data = NULL;
    size_t len;
    /* "dir/name" joining: "" + "/" + "etc/x" is "/etc/x", "." + "/" + "x" is "./x". */
    enum mt_persist_status st = path[0] == '/' ? mt_persist_read("", path + 1, &data, &len, err)
                                               : mt_persist_read(".", path, &data, &len, err);
    if (st == MT_PERSIST_MISSING)
        cmn_err_set(err, 1, "%s: no such file", path);
    if (st == MT_PERSIST_OK && (len > cap || strlen(data) != len)) {
        cmn_err_set(err, 1, "%s: not a text file of at most %zu bytes", path, cap);
        st = MT_PERSIST_ERROR;
    }
    if (st != MT_PERSIST_OK) {
        free(data);
        return NULL;
    }
    return data;
}

/* The host part of an http(s) URL (brackets of an IPv6 literal removed) into out. */
static void url_host(const char *url, char *out, size_t size)
{
    const char *h = strstr(url, "://");
    size_t n;

    h = h ? h + 3 : url;
    if (*h == '[') {
        n = strcspn(++h, "]");
    } else {
        n = strcspn(h, ":/");
    }
    if (n >= size)
        n = size - 1;
    memcpy(out, h, n);
    out[n] = '\0';
}

static bool load_tls(struct mt_server *s, const struct mt_config *cfg, int64_t now,
                     struct cmn_err *err)
{
    const char *names[MT_MAX_HOSTNAMES + 4];
    char host[256];
    size_t n = 0;
    bool have = false;

    if (cfg->http)
        return true;
    if (cfg->cert_file) {
        s->tls_cert_pem = read_text(cfg->cert_file, PEM_FILE_MAX, err);
        s->tls_key_pem = s->tls_cert_pem ? read_text(cfg->key_file, PEM_FILE_MAX, err) : NULL;
        return s->tls_key_pem != NULL;
    }
    names[n++] = "localhost";
    names[n++] = "127.0.0.1";
    names[n++] = "::1";
    if (cfg->issuer) {
        url_host(cfg->issuer, host, sizeof(host));
        names[n++] = host;
    }
    for (size_t i = 0; i < cfg->n_hostnames; i++)
        names[n++] = cfg->hostnames[i];
    if (s->data_dir) {
        struct cmn_err ignore = {0};
        char *c = NULL, *k = NULL;
        size_t cl, kl;
        if (mt_persist_read(s->data_dir, MT_FILE_TLS_CERT, &c, &cl, &ignore) == MT_PERSIST_OK &&
            mt_persist_read(s->data_dir, MT_FILE_TLS_KEY, &k, &kl, &ignore) == MT_PERSIST_OK &&
            mt_tls_covers(c, names, n, now)) {
            s->tls_cert_pem = c;
            s->tls_key_pem = k;
            return true;
        }
        if (c)
            cmn_log_warn("%s/%s does not cover every host name or has expired: replacing it",
                         s->data_dir, MT_FILE_TLS_CERT);
        free(c);
        free(k);
    }
    if (!mt_tls_generate(names, n, now, &s->tls_cert_pem, &s->tls_key_pem, err))
        return false;
    if (s->data_dir) {
        have = mt_persist_write(s->data_dir, MT_FILE_TLS_KEY, s->tls_key_pem,
                                strlen(s->tls_key_pem), err) &&
               mt_persist_write(s->data_dir, MT_FILE_TLS_CERT, s->tls_cert_pem,
                                strlen(s->tls_cert_pem), err);
        if (!have)
            return false;
        cmn_log_info("created TLS certificate %s/%s", s->data_dir, MT_FILE_TLS_CERT);
    }
    return true;
}

/* What --seed created, by kind, with the names of the applications, resource servers and roles,
 * and that the rest was there already (a second start with the same seed creates nothing). */
static void log_seed(const struct mt_store *st, const char *file, const size_t *before)
{
    const json_t *const arrays[] = {st->ous, st->servers, st->resources, st->actions, st->roles,
                                    st->apps};
    static const char *const kinds[] = {"organization unit(s)", "resource server(s)",
                                        "resource(s)", "action(s)", "role(s)", "application(s)"};
    char line[1024];
    size_t w = 0, created = 0;

    for (size_t k = 0; k < 6; k++) {
        size_t n = json_array_size(arrays[k]);
        int m;
        if (n <= before[k])
            continue;
        created += n - before[k];
        m = snprintf(line + w, sizeof(line) - w, "%s%zu %s", w ? ", " : "", n - before[k],
                     kinds[k]);
        if (m < 0 || (size_t)m >= sizeof(line) - w)
            break;
        w += (size_t)m;
        /* servers, roles and applications by name */
        if (k == 1 || k >= 4) {
            for (size_t i = before[k]; i < n && w + 4 < sizeof(line); i++) {
                const char *name = cmn_json_str(json_array_get(arrays[k], i), "name");
                m = snprintf(line + w, sizeof(line) - w, "%s\"%s\"%s", i == before[k] ? " (" : ", ",
                             name ? name : "?", i + 1 == n ? ")" : "");
                if (m < 0 || (size_t)m >= sizeof(line) - w)
                    break;
                w += (size_t)m;
            }
        }
    }
    if (created)
        cmn_log_info("seed %s: created %s", file, line);
    else
        cmn_log_info("seed %s: nothing to create, every entity it names exists already", file);
}

static bool apply_seed(struct mt_server *s, const char *file, int64_t now, struct cmn_err *err)
{
    char *text = read_text(file, SEED_MAX, err);
    struct cmn_err jerr = {0};
    size_t before[6] = {json_array_size(s->store.ous),       json_array_size(s->store.servers),
                        json_array_size(s->store.resources), json_array_size(s->store.actions),
                        json_array_size(s->store.roles),     json_array_size(s->store.apps)};
    json_t *doc;
    bool ok;

    if (!text)
        return false;
    doc = cmn_json_loadb_strict(text, strlen(text), SEED_MAX, 32, &jerr);
    free(text);
    if (!doc)
        return cmn_err_set(err, 1, "%s: %s", file, jerr.msg), false;
    ok = mt_store_seed(&s->store, doc, now, err);
    json_decref(doc);
    if (!ok)
        cmn_err_prefix(err, "%s: ", file);
    else
        log_seed(&s->store, file, before);
    return ok;
}

static unsigned server_port(const struct mt_server *s)
{
    return s->http ? cmn_http_server_port(s->http) : 0;
}

static void log_start(const struct mt_server *s, const struct mt_config *cfg)
{
    cmn_log_info("mock-thunder listening on %s:%u (%s)", cfg->bind ? cfg->bind : "*",
                 server_port(s), cfg->http ? "http" : "https");
    cmn_log_info("issuer %s", s->issuer);
    cmn_log_info("data: %s", s->data_dir ? s->data_dir : "in memory (--ephemeral)");
    if (!cfg->http && !cfg->cert_file && s->data_dir)
        cmn_log_info("TLS certificate: %s/%s", s->data_dir, MT_FILE_TLS_CERT);
    cmn_log_info("admin client id: %s%s", cfg->admin_client_id,
                 cfg->admin_from_defaults ? " (default)" : "");
    if (cfg->admin_from_defaults)
        cmn_log_info("admin client secret: %s (default)", cfg->admin_client_secret);
    cmn_log_info("client authentication: %s", s->strict_client_auth
                                                  ? "strict (registered method only)"
                                                  : "lenient (Basic or form body)");
}

/* Everything after the port is known: issuer, bootstrap, seed, first save. */
static bool finish_start(struct mt_server *s, const struct mt_config *cfg, int64_t now,
                         struct cmn_err *err)
{
    char iss[600];

    if (cfg->issuer)
        cmn_strlcpy(iss, cfg->issuer, sizeof(iss));
    else
        snprintf(iss, sizeof(iss), "%s://localhost:%u", cfg->http ? "http" : "https",
                 server_port(s));
    if (!(s->issuer = cmn_strndup(iss, strlen(iss))))
        return false;
    if (!mt_store_bootstrap(&s->store, s->issuer, cfg->admin_client_id, cfg->admin_client_secret,
                            now, err))
        return false;
    if (cfg->seed_file && !apply_seed(s, cfg->seed_file, now, err))
        return false;
    if (!mt_server_save_store(s))
        return cmn_err_set(err, 1, "cannot save %s/%s", s->data_dir, MT_FILE_STORE), false;
    return true;
}

struct mt_server *mt_server_start(const struct mt_config *cfg, struct cmn_err *err)
{
    struct mt_server *s = calloc(1, sizeof(*s));
    struct cmn_http_server_opts o = {0};
    int64_t now = cmn_clock_unix();
    bool locked = false;

    if (!s)
        return NULL;
    pthread_mutex_init(&s->lock, NULL);
    mt_store_init(&s->store);
    mt_keyring_init(&s->keys);
    s->lock_fd = -1;
    s->strict_client_auth = cfg->strict_client_auth;
    if (cfg->data_dir) {
        s->data_dir = cmn_strndup(cfg->data_dir, strlen(cfg->data_dir));
        if (!mt_persist_mkdir(s->data_dir, err) ||
            (s->lock_fd = mt_persist_lock(s->data_dir, err)) < 0)
            goto fail;
        mt_persist_clean(s->data_dir);
    }
    if (!load_store(s, err) || !load_keys(s, now, err) || !load_tls(s, cfg, now, err))
        goto fail;
    o.bind = cfg->bind;
    o.port = cfg->port;
    o.threads = 2;
    o.max_body = 1024 * 1024;
    o.tls_cert_pem = s->tls_cert_pem;
    o.tls_key_pem = s->tls_key_pem;
    o.access_log = cmn_log_enabled(CMN_LOG_DEBUG);
    o.handler = handle;
    o.ctx = s;
    /* Requests wait on the lock until bootstrap has run. */
    pthread_mutex_lock(&s->lock);
    locked = true;
    if (!(s->http = cmn_http_server_start(&o, err)) || !finish_start(s, cfg, now, err))
        goto fail;
    pthread_mutex_unlock(&s->lock);
    log_start(s, cfg);
    return s;
fail:
    if (!err->code)
        cmn_err_set(err, 1, "out of memory");
    if (locked)
        pthread_mutex_unlock(&s->lock);
    mt_server_stop(s);
    return NULL;
}

void mt_server_stop(struct mt_server *s)
{
    if (!s)
        return;
    if (s->http)
        cmn_http_server_stop(s->http, 2000);
    mt_store_free(&s->store);
    mt_keyring_free(&s->keys);
    free(s->issuer);
    free(s->data_dir);
    free(s->tls_cert_pem);
    free(s->tls_key_pem);
    if (s->lock_fd >= 0)
        close(s->lock_fd);
    pthread_mutex_destroy(&s->lock);
    free(s);
}
