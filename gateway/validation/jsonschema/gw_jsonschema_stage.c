/* gw_jsonschema_stage.c - validation/json-schema at endpoint level (spec §5.2-§5.3): every
 * request's body, whatever the method, is validated before any backend is called; a failure is
 * a 400 whose body (with router.return_error_msg) is the library's cause lines. */
#include "gw_jsonschema_stage.h"

#include "gw_jsonschema.h"

#include "cmn_buf.h"
#include "cmn_log.h"

#include <stdlib.h>
#include <string.h>

#define NS "github.com/devopsfaith/krakend-jsonschema"
#define MAX_ERROR_TEXT ((size_t)64 << 10)

static void js_free(void *ctx)
{
    gw_jsonschema_destroy(ctx);
}

static enum gw_stage_verdict js_before(void *ctx, struct gw_pstage_call *call, struct gw_perr *err)
{
    struct cmn_buf text;
    enum gw_jsonschema_status st;

    cmn_buf_init(&text, MAX_ERROR_TEXT);
    st = gw_jsonschema_validate(ctx, call->in->body, call->in->body_len, GW_JSONSCHEMA_ALL_ERRORS,
                                &text);
    if (st == GW_JSONSCHEMA_OK) {
        cmn_buf_free(&text);
        return GW_STAGE_NEXT;
    }
    if (st == GW_JSONSCHEMA_NOMEM) { /* ours, not the client's: a plain 500 */
        gw_perr_set(err, "validation/json-schema: out of memory");
    } else {
        /* Lura answers the error's StatusCode(): 400 for an empty, malformed or invalid body,
         * and for one past our caps (KrakenD has none; we fail closed) */
        gw_perr_set(err, cmn_buf_str(&text));
        err->kind = GW_PERR_STATUS;
        err->status = 400;
    }
    cmn_buf_free(&text);
    return GW_STAGE_FAIL;
}

/* A schema that does not compile leaves the endpoint without validation (fail-open), logged at
 * ERROR with KrakenD's text (no space after the colon). */
static bool js_build(void *ctx, const struct gw_config *cfg, const struct gw_endpoint *ep,
                     struct gw_pstage *st, struct cmn_err *err)
{
    const json_t *v = ep->extra_config ? json_object_get(ep->extra_config, NS) : NULL;
    struct cmn_err cerr = {0};
    struct gw_jsonschema *s;

    (void)ctx;
    (void)cfg;
    if (!v)
        return true;
    s = gw_jsonschema_compile(v, NULL, &cerr);
    if (!s) {
        if (cerr.code == GW_JSONSCHEMA_NOMEM) {
            cmn_err_set(err, 1, "%s: out of memory compiling validation/json-schema",
                        ep->json_path);
            return false;
        }
        cmn_log_error("[ENDPOINT: %s][JSONSchema] Parsing the definition:%s (%s.extra_config."
                      "\"validation/json-schema\": the endpoint runs without validation, as "
                      "KrakenD does)",
                      ep->path, cerr.msg, ep->json_path);
        return true;
    }
    cmn_log_debug("[ENDPOINT: %s][JSONSchema] Validator enabled", ep->path);
    *st = (struct gw_pstage){"validation/json-schema", s, js_before, NULL, NULL, js_free};
    return true;
}

const struct gw_pstage_factory gw_jsonschema_factory = {"validation/json-schema", NULL, js_build};
