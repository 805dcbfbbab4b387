/* fuzz_rss.c - libFuzzer target: `encoding: "rss"` (RSS and Atom) must refuse any input cleanly,
 * and what it accepts must render as JSON, XML and YAML (no crash, leak or hang). */
#include "gw_encoding.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct gw_enc_limits lim = {1 << 20, 64, 20000, 1 << 16};
    struct cmn_err err;
    struct cmn_buf out;
    struct gw_json *v = gw_enc_rss_decode((const char *)data, size, &lim, &err);
    char *json;

    if (!v) {
        if (err.code == GW_ENC_OK)
            __builtin_trap();
        return 0;
    }
    json = gw_json_render_str(v, NULL);
    free(json);
    cmn_buf_init(&out, 4u << 20);
    (void)gw_enc_xml_render(v, &out, &err);
    cmn_buf_reset(&out);
    (void)gw_enc_yaml_render(v, &out, &err);
    cmn_buf_free(&out);
    gw_json_destroy(v);
    return 0;
}
