/* fuzz_xml.c - libFuzzer target: `encoding: "xml"` decoding must refuse any input cleanly, and
 * whatever it accepts must render as XML and YAML and decode again (no crash, leak or hang). */
#include "gw_encoding.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* small caps keep each run fast; the defaults are exercised by the unit tests */
    static const struct gw_enc_limits lim = {1 << 20, 64, 20000, 1 << 16};
    struct cmn_err err;
    struct cmn_buf out;
    struct gw_json *v = gw_enc_xml_decode((const char *)data, size, size & 1, &lim, &err);
    struct gw_json *again;

    if (!v) {
        if (err.code == GW_ENC_OK)
            __builtin_trap(); /* a failure always says why */
        return 0;
    }
    cmn_buf_init(&out, 4u << 20);
    /* decoded attributes are strings: the XML renderer has nothing to refuse */
    if (gw_enc_xml_render(v, &out, &err) == GW_ENC_RENDER)
        __builtin_trap();
    again = gw_enc_xml_decode(out.data ? out.data : "", out.len, false, NULL, &err);
    gw_json_destroy(again);
    cmn_buf_reset(&out);
    (void)gw_enc_yaml_render(v, &out, &err);
    cmn_buf_free(&out);
    gw_json_destroy(v);
    return 0;
}
