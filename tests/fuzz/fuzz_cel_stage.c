/* fuzz_cel_stage.c - libFuzzer target for validation/cel's endpoint stage on stranger data: the
 * input is split into a raw query string, a path parameter and a header value, which the stage
 * turns into req_querystring, req_params and req_headers and evaluates checks against. */
#include "gw_cel_stage.h"

#include "cmn_log.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char CONFIG[] =
    "{\"version\": 3, \"endpoints\": [{\"endpoint\": \"/e/{id}\", \"input_headers\": [\"*\"], "
    "\"input_query_strings\": [\"*\"], \"extra_config\": {\"validation/cel\": ["
    "{\"check_expr\": \"size(req_querystring) >= 0 && req_querystring.all(k, "
    "size(req_querystring[k]) > 0 && k.size() >= 0)\"},"
    "{\"check_expr\": \"!('x' in req_headers) || req_headers['X-Data'].exists(v, "
    "v.matches('^[a-z]+$') || v.contains(req_params.Id))\"},"
    "{\"check_expr\": \"int(req_params.Id) >= 0 || req_path.startsWith('/e/')\"}]}, "
    "\"backend\": [{\"host\": [\"http://backend.example:8080\"], \"url_pattern\": \"/b\"}]}]}";

struct world {
    struct gw_config *cfg;
    struct gw_pstage st;
};

static struct world *world(void)
{
    static struct world w;
    char *env[] = {NULL};
    struct cmn_err err = {0};

    if (w.cfg)
        return &w;
    cmn_log_init("fuzz", CMN_LOG_NONE, 2);
    w.cfg = gw_config_parse(CONFIG, sizeof(CONFIG) - 1, "fuzz.json", env, &err);
    if (!w.cfg || !gw_cel_endpoint_factory.build(NULL, w.cfg, &w.cfg->endpoints[0], &w.st, &err) ||
        !w.st.before)
        abort();
    return &w;
}

/* The next '\n'-terminated piece of data as an owned string; header values keep no CR/LF/NUL,
 * as the server's parser guarantees. */
static char *piece(const uint8_t **p, const uint8_t *end, bool field)
{
    const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
    size_t n = nl ? (size_t)(nl - *p) : (size_t)(end - *p);
    char *s = malloc(n + 1);

    if (!s)
        abort();
    memcpy(s, *p, n);
    s[n] = '\0';
    for (size_t i = 0; field && i < n; i++) {
        if (s[i] == '\r' || s[i] == '\0')
            s[i] = ' ';
    }
    *p += nl ? n + 1 : n;
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct world *w = world();
    const uint8_t *p = data, *end = data + size;
    struct gw_inreq in;
    struct gw_pstage_call call;
    struct gw_perr err = {0};

    memset(&in, 0, sizeof(in));
    gw_hdrs_init(&in.headers, 0);
    in.method = strdup("GET");
    in.raw_query = piece(&p, end, false);
    in.params = calloc(1, sizeof(*in.params));
    if (!in.method || !in.params)
        abort();
    in.params[0].name = strdup("id");
    in.params[0].value = piece(&p, end, false);
    in.n_params = 1;
    in.path = strdup("/e/x");
    while (p < end) {
        char *v = piece(&p, end, true);
        gw_hdrs_add(&in.headers, "X-Data", v);
        free(v);
    }
    call = (struct gw_pstage_call){&w->cfg->endpoints[0], &in, 0, 0, 0, NULL};
    w->st.before(w->st.ctx, &call, &err);
    gw_perr_free(&err);
    gw_inreq_free(&in);
    return 0;
}
