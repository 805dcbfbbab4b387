/* fuzz_config.c - libFuzzer target: krakend.json parsing, `check --lint` and the config layer's
 * string rules must refuse any input cleanly (no crash, leak or hang). */
#include "gw_config_int.h"
#include "cmn_go_duration.h"
#include "cmn_go_header.h"
#include "cmn_suggest.h"
#include "gw_schema.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char *const env[] = {"KRAKEND_PORT=9000", "KRAKEND_TIMEOUT=1s", NULL};
    struct cmn_err err;
    struct gw_config *cfg;
    char *s;
    int64_t ns;

    static struct gw_schema *schema;
    struct gw_lint_report rep;

    cfg = gw_config_parse((const char *)data, size, "fuzz.json", env, &err);
    gw_config_destroy(cfg);
    if (!schema)
        schema = gw_schema_builtin(&err);
    if (schema && gw_schema_lint(schema, (const char *)data, size, &rep, &err))
        gw_lint_report_free(&rep);

    s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    cmn_go_parse_duration(s, &ns);
    free(gw_cfg_clean_host(s));
    if (size < 4096) {
        char out[4096];
        cmn_go_canonical_header(s, out, sizeof(out));
    }
    gw_cfg_line_of(s, size, "endpoints[0].backend[0]");
    if (size < 300)
        (void)cmn_suggest(s, (const char *const[]){"auth/validator", "security/cors", "x"}, 3);
    free(s);
    return 0;
}
