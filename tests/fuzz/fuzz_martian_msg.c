/* fuzz_martian_msg.c - libFuzzer target: what martian reads from clients and backends: a Range
 * header (body.Modifier, static.Modifier), Cookie and Set-Cookie lines (cookie.Filter), a
 * host:port (port.Modifier/Filter), paths (static.Modifier) and a Content-Length value. The
 * input is split at NUL bytes into those strings. */
#include "gw_martian_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1), *parts[4] = {"", "", "", ""};
    struct gw_fetch_result r = {0};
    struct cmn_err err;
    struct gw_hdrs h;
    struct cmn_buf b;
    char host[256], port[64];
    size_t n = 0;

    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    for (char *p = s; n < 4; n++) { /* NUL-separated pieces */
        parts[n] = p;
        p += strlen(p);
        if (p >= s + size)
            break;
        p++;
    }
    gw_hdrs_init(&r.headers, 16);
    gw_mart_range(&r, parts[0], "0123456789", 10, "text/plain", "B", &err);
    gw_fetch_result_free(&r);
    gw_hdrs_init(&h, 16);
    gw_hdrs_add(&h, "Cookie", parts[1]);
    gw_hdrs_add(&h, "Set-Cookie", parts[1]);
    gw_mart_has_cookie(&h, false, "s", "");
    gw_mart_has_cookie(&h, true, "s", "1");
    gw_hdrs_free(&h);
    gw_mart_split_host_port(parts[2], host, sizeof(host), port, sizeof(port), &err);
    cmn_buf_init(&b, 1024 * 1024);
    gw_mart_clean_path(parts[3], &b);
    gw_mart_mime_type(cmn_buf_str(&b));
    cmn_buf_free(&b);
    free(gw_mart_cookie_pair(parts[1], parts[2]));
    free(gw_mart_cookie_string(parts[1], parts[2], parts[3], parts[0], 0, true, 1, true, true));
    free(s);
    return 0;
}
