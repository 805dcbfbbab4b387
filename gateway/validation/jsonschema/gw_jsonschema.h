/* gw_jsonschema.h - JSON Schema validator behind `validation/json-schema` (drafts 4, 6, 7, 2019-09,
 * 2020-12), answering with the error text KrakenD's library (santhosh-tekuri/jsonschema v6) gives.
 */
#ifndef GW_JSONSCHEMA_H
#define GW_JSONSCHEMA_H

#include "cmn_buf.h"
#include "cmn_err.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum gw_jsonschema_status {
    GW_JSONSCHEMA_OK = 0,
    GW_JSONSCHEMA_INVALID,  /* the body does not validate: text holds the cause lines */
    GW_JSONSCHEMA_BAD_BODY, /* empty body or not JSON: text is the message KrakenD gives */
    GW_JSONSCHEMA_LIMIT,    /* a cap was reached (size, depth, work, memory): fail closed */
    GW_JSONSCHEMA_SCHEMA,   /* compile error (cmn_err) */
    GW_JSONSCHEMA_NOMEM,
};

/* Caps fixed when the validator is compiled; 0 selects the default shown. */
struct gw_jsonschema_limits {
    size_t max_schema_nodes;   /* JSON values in the schema and its loaded documents: 100000 */
    int max_depth;             /* nesting of schema and of body JSON: 128 */
    size_t max_instance_bytes; /* body size: 4 MiB */
    size_t max_instance_nodes; /* JSON values in the body: 1000000 */
    size_t max_memory;         /* bytes one validation may allocate (parse + evaluation): 128 MiB */
    uint64_t max_work;         /* evaluation steps of one validation (~0.1 us each): 2000000 */
    int max_eval_depth;        /* nested schema evaluations (applicators, references): 1024 */
    size_t max_errors;         /* error entries kept for the text: 256 */
};

/* Drafts by their year-ish number, as KrakenD's library numbers them. */
enum gw_jsonschema_draft {
    GW_JSONSCHEMA_DRAFT_DEFAULT = 0, /* 2020-12, the library default for a schema without $schema */
    GW_JSONSCHEMA_DRAFT4 = 4,
    GW_JSONSCHEMA_DRAFT6 = 6,
    GW_JSONSCHEMA_DRAFT7 = 7,
    GW_JSONSCHEMA_DRAFT2019 = 2019,
    GW_JSONSCHEMA_DRAFT2020 = 2020,
};

struct gw_jsonschema_options {
    struct gw_jsonschema_limits limits;
    enum gw_jsonschema_draft default_draft; /* draft of a schema without $schema */
    bool assert_format;                     /* `format` asserts in every draft (off: as KrakenD) */
    /* Loads a document other than the root by its absolute URI (no fragment): owned malloc'd
     * bytes (*len set) or NULL when unknown. Only tests set it (the suite's remotes/ served from
     * local files); the gateway leaves it NULL, so nothing outside the schema is resolved. */
    char *(*load)(void *ctx, const char *uri, size_t *len);
    void *load_ctx;
};

enum gw_jsonschema_output {
    GW_JSONSCHEMA_ALL_ERRORS = 0, /* every failing keyword, as KrakenD answers */
    GW_JSONSCHEMA_FIRST_ERROR,    /* each schema stops at its first failing keyword */
};

struct gw_jsonschema;

/* Compiles the schema found under the endpoint's `validation/json-schema` key (any JSON value;
 * jansson numbers are taken at their decimal value). opt may be NULL (defaults). Returns an owned,
 * immutable validator (gw_jsonschema_destroy), safe to share between threads, or NULL with
 * err->code GW_JSONSCHEMA_SCHEMA / GW_JSONSCHEMA_LIMIT / GW_JSONSCHEMA_NOMEM and err->msg naming
 * the JSON pointer of the offending keyword (err may be NULL). Nothing is fetched: a reference outside the schema
 * (other than to a draft metaschema, known built in) is a compile error. */
struct gw_jsonschema *gw_jsonschema_compile(const json_t *schema,
                                            const struct gw_jsonschema_options *opt,
                                            struct cmn_err *err);

/* The same from JSON text (n bytes): the numbers keep their exact decimal value. */
struct gw_jsonschema *gw_jsonschema_compile_text(const char *text, size_t n,
                                                 const struct gw_jsonschema_options *opt,
                                                 struct cmn_err *err);

/* Frees a validator; s may be NULL. */
void gw_jsonschema_destroy(struct gw_jsonschema *s);

/* Validates a request body (n bytes, parsed as Go's json.Unmarshal does: the whole body is one
 * value, invalid UTF-8 becomes U+FFFD, a repeated key keeps its last value). Returns
 * GW_JSONSCHEMA_OK, or another status with the message appended to text (caller-owned, its cap
 * applies): for INVALID the cause lines of the library's error, e.g.
 * "- at '': missing property 'a'", lines separated by '\n' and nested causes indented by two
 * spaces; for BAD_BODY "could not validate an empty body" or the JSON error; for LIMIT a line
 * naming the cap. text may be NULL when only the verdict is wanted. Reentrant: all state of a
 * call lives in the call. */
enum gw_jsonschema_status gw_jsonschema_validate(const struct gw_jsonschema *s, const char *body,
                                                 size_t n, enum gw_jsonschema_output mode,
                                                 struct cmn_buf *text);

/* The draft the root schema was compiled under (after $schema). */
enum gw_jsonschema_draft gw_jsonschema_draft_of(const struct gw_jsonschema *s);

#endif
