/* mb_api.c - /api/items request handling: methods, ids, JSON bodies, status codes. */
#include "mb_api.h"

#include "cmn_err.h"
#include "cmn_json.h"
#include "cmn_str.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREFIX "/api/items"
#define BODY_DEPTH_MAX 32
#define ID_DIGITS_MAX 19

/* The guide's "Try It Out" answer, sent for a POST /api/items without a body. */
static const char MB_API_SAMPLE_ITEM[] =
    "{\"id\": 10, \"name\": \"Widget\", \"description\": \"A test item\"}";

bool mb_api_owns(const char *path)
{
    size_t n = strlen(PREFIX);

    return strncmp(path, PREFIX, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

struct cmn_http_response *mb_api_error(unsigned status, const char *msg)
{
    json_t *o = json_pack("{s:s}", "error", msg);
    char *text = o ? json_dumps(o, 0) : NULL;
    struct cmn_http_response *r = NULL;

    if (text)
        r = cmn_http_response_text(status, "application/json", text, strlen(text));
    free(text);
    json_decref(o);
    return r;
}

/* Takes ownership of text (may be NULL: allocation failure). */
static struct cmn_http_response *json_answer(unsigned status, char *text)
{
    struct cmn_http_response *r;

    if (!text)
        return NULL;
    r = cmn_http_response_new(status);
    if (!r || !cmn_http_response_add_header(r, "Content-Type", "application/json")) {
        cmn_http_response_destroy(r);
        free(text);
        return NULL;
    }
    cmn_http_response_take_body(r, text, strlen(text));
    return r;
}

static struct cmn_http_response *method_not_allowed(const char *allow)
{
    struct cmn_http_response *r = mb_api_error(405, "method not allowed");

    if (r && !cmn_http_response_add_header(r, "Allow", allow)) {
        cmn_http_response_destroy(r);
        return NULL;
    }
    return r;
}

/* Maps a store status to an answer; text (owned, may be NULL) is the body on success. */
static struct cmn_http_response *store_answer(enum mb_items_status st, unsigned ok_status,
                                              char *text, const char *msg)
{
    switch (st) {
    case MB_ITEMS_OK:
        return json_answer(ok_status, text);
    case MB_ITEMS_NOT_FOUND:
        return mb_api_error(404, "item not found");
    case MB_ITEMS_FULL:
        return mb_api_error(507, msg);
    case MB_ITEMS_TOO_BIG:
        return mb_api_error(413, msg);
    case MB_ITEMS_NOMEM:
        break;
    }
    free(text);
    return NULL;
}

/* Parses the body as a JSON object; on failure *err_resp is the 400 to send. */
static json_t *body_object(const struct cmn_http_request *req, struct cmn_http_response **err_resp)
{
    struct cmn_err err = {0};
    json_t *v;
    char msg[CMN_ERR_MSG_MAX + 32];

    *err_resp = NULL;
    if (!req->body_len) {
        *err_resp = mb_api_error(400, "a JSON object body is required");
        return NULL;
    }
    v = cmn_json_loadb_strict(req->body, req->body_len, req->body_len, BODY_DEPTH_MAX, &err);
    if (!v) {
        snprintf(msg, sizeof(msg), "invalid JSON body: %s", err.msg);
        *err_resp = mb_api_error(400, msg);
        return NULL;
    }
    if (!json_is_object(v)) {
        json_decref(v);
        *err_resp = mb_api_error(400, "the body must be a JSON object");
        return NULL;
    }
    return v;
}

static bool is_get(const char *m)
{
    return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;
}

static struct cmn_http_response *collection(struct mb_items *items,
                                            const struct cmn_http_request *req)
{
    struct cmn_http_response *r = NULL;
    char msg[128] = "";
    char *text = NULL;
    json_t *fields;
    uint64_t id = 0;
    enum mb_items_status st;

    if (is_get(req->method)) {
        st = mb_items_list(items, &text);
        return store_answer(st, 200, text, msg);
    }
    if (strcmp(req->method, "POST") != 0)
        return method_not_allowed("GET, HEAD, POST");
    if (!req->body_len) /* the guide's sample answer, nothing stored */
        return cmn_http_response_text(200, "application/json", MB_API_SAMPLE_ITEM,
                                      strlen(MB_API_SAMPLE_ITEM));
    fields = body_object(req, &r);
    if (!fields)
        return r;
    st = mb_items_create(items, fields, &text, &id, msg);
    json_decref(fields);
    r = store_answer(st, 201, text, msg);
    if (r && st == MB_ITEMS_OK) {
        char loc[64];
        snprintf(loc, sizeof(loc), PREFIX "/%" PRIu64, id);
        if (!cmn_http_response_add_header(r, "Location", loc)) {
            cmn_http_response_destroy(r);
            r = NULL;
        }
    }
    return r;
}

/* Parses a decimal id of 1..19 digits; false for anything else. */
static bool parse_id(const char *s, uint64_t *id)
{
    return cmn_str_parse_digits(s, strlen(s), ID_DIGITS_MAX, id);
}

static struct cmn_http_response *one(struct mb_items *items, const struct cmn_http_request *req,
                                     const char *id_text)
{
    struct cmn_http_response *r = NULL;
    char msg[128] = "";
    char *text = NULL;
    json_t *fields;
    uint64_t id = 0;
    enum mb_items_status st;
    bool get = is_get(req->method);
    bool put = strcmp(req->method, "PUT") == 0;
    bool del = strcmp(req->method, "DELETE") == 0;

    if (!get && !put && !del)
        return method_not_allowed("GET, HEAD, PUT, DELETE");
    if (!parse_id(id_text, &id))
        return mb_api_error(404, "item not found");
    if (get) {
        st = mb_items_get(items, id, &text);
    } else if (del) {
        st = mb_items_delete(items, id, &text);
    } else {
        fields = body_object(req, &r);
        if (!fields)
            return r;
        st = mb_items_replace(items, id, fields, &text, msg);
        json_decref(fields);
    }
    return store_answer(st, 200, text, msg);
}

struct cmn_http_response *mb_api_handle(struct mb_items *items, const struct cmn_http_request *req)
{
    const char *rest = req->path + strlen(PREFIX);

    if (*rest == '\0')
        return collection(items, req);
    rest++; /* the '/' */
    if (*rest == '\0' || strchr(rest, '/'))
        return mb_api_error(404, "not found");
    return one(items, req, rest);
}
