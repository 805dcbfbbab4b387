/* fuzz_sd_srv.c - libFuzzer target for sd "dns": a DNS answer from whoever answers the
 * gateway's SRV questions (the network between it and its resolver), read into SRV records
 * and turned into host URLs. Every host built must be "http://<domain name>:<port>". */
#include "gw_sd.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct gw_srv srvs[GW_SD_MAX_RECORDS];
    struct gw_sd_hosts h;
    struct cmn_err err = {0};
    size_t n = 0;

    if (gw_sd_srv_parse(data, size, srvs, GW_SD_MAX_RECORDS, &n, &err) != GW_SD_OK)
        return 0;
    if (!gw_sd_instances(srvs, n, NULL, &h))
        return 0;
    for (size_t i = 0; i < h.n; i++) {
        const char *p = h.items[i];
        if (strncmp(p, "http://", 7) != 0)
            abort();
        for (p += 7; *p; p++)
            if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-:", *p))
                abort(); /* nothing a URL or a Host header must not carry */
    }
    gw_sd_hosts_free(&h);
    return 0;
}
