/* gw_logship.c - krakend-logstash's JSON records and go-gelf's messages, chunks and frames. */
#include "gw_logship.h"

#include "cmn_go_float.h"
#include "cmn_go_json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* ---- telemetry/logstash ---- */

bool gw_logstash_append_arg(struct cmn_buf *msg, const struct gw_ls_field *a)
{
    char num[64];

    switch (a->type) {
    case GW_LS_STR:
        return cmn_buf_append(msg, " ", 1) == CMN_BUF_OK &&
               cmn_buf_append_str(msg, a->s ? a->s : "") == CMN_BUF_OK;
    case GW_LS_INT:
        return cmn_buf_printf(msg, " %lld", (long long)a->i) == CMN_BUF_OK;
    case GW_LS_BOOL:
        return cmn_buf_append_str(msg, a->b ? " true" : " false") == CMN_BUF_OK;
    case GW_LS_FLOAT:
        /* Go's %f: NaN and +Inf rather than C's nan and inf */
        if (isnan(a->d))
            snprintf(num, sizeof(num), " NaN");
        else if (isinf(a->d))
            snprintf(num, sizeof(num), " %sInf", a->d > 0 ? "+" : "-");
        else
            snprintf(num, sizeof(num), " %f", a->d);
        return cmn_buf_append_str(msg, num) == CMN_BUF_OK;
    }
    return false;
}

static void jstr(struct cmn_buf *b, const char *s, size_t n)
{
    cmn_go_json_string(b, s ? s : "", s ? n : 0, true);
}

static int field_cmp(const void *a, const void *b)
{
    return strcmp((*(const struct gw_ls_field *const *)a)->key,
                  (*(const struct gw_ls_field *const *)b)->key);
}

static void extra_value(struct cmn_buf *b, const struct gw_ls_field *f)
{
    char num[CMN_GO_FLOAT_MAX];

    switch (f->type) {
    case GW_LS_STR:
        jstr(b, f->s, f->s ? strlen(f->s) : 0);
        break;
    case GW_LS_INT:
        cmn_buf_printf(b, "%lld", (long long)f->i);
        break;
    case GW_LS_BOOL:
        cmn_buf_append_str(b, f->b ? "true" : "false");
        break;
    case GW_LS_FLOAT:
        cmn_go_json_float(f->d, num);
        cmn_buf_append_str(b, num);
        break;
    }
}

bool gw_logstash_format(enum gw_log_level level, const char *module, const char *host,
                        int64_t unix_ns, int utc_offset_s, const char *msg, size_t n,
                        const struct gw_ls_field *extra, size_t n_extra, struct cmn_buf *out)
{
    /* the record's own keys, already in byte order; extras are merged in between */
    static const char *const base[] = {"@timestamp", "@version", "host",
                                       "level",      "message",  "module"};
    static const char *const LS[] = {"CRITICAL", "ERROR", "WARNING", "INFO", "INFO", "DEBUG"};
    const struct gw_ls_field *sorted[64];
    const char *lv = LS[(unsigned)level < 6 ? level : 0];
    size_t ne = 0, e = 0;
    bool first = true, ok;

    for (size_t i = 0; i < n_extra && ne < 64; i++) {
        bool mine = false;
        for (size_t j = 0; j < 6 && !mine; j++)
            mine = strcmp(base[j], extra[i].key) == 0; /* the record's keys win */
        if (!mine)
            sorted[ne++] = &extra[i];
    }
    if (ne > 1)
        qsort(sorted, ne, sizeof(sorted[0]), field_cmp);
    size_t start = out->len;
    struct cmn_buf *o = out;
    cmn_buf_append(o, "{", 1);
    for (size_t k = 0; k <= 6; k++) {
        /* extras that sort before this base key (all remaining ones after the last) */
        while (e < ne && (k == 6 || strcmp(sorted[e]->key, base[k]) < 0)) {
            if (!first)
                cmn_buf_append(o, ",", 1);
            first = false;
            jstr(o, sorted[e]->key, strlen(sorted[e]->key));
            cmn_buf_append(o, ":", 1);
            extra_value(o, sorted[e++]);
        }
        if (k == 6)
            break;
        if (!first)
            cmn_buf_append(o, ",", 1);
        first = false;
        cmn_buf_append(o, "\"", 1);
        cmn_buf_append_str(o, base[k]);
        cmn_buf_append(o, "\":", 2);
        switch (k) {
        case 0:
            cmn_buf_append(o, "\"", 1);
            gw_log_time_format("2006-01-02T15:04:05.000000-07:00", unix_ns, utc_offset_s, NULL, o);
            cmn_buf_append(o, "\"", 1);
            break;
        case 1:
            cmn_buf_append(o, "1", 1);
            break;
        case 2:
            jstr(o, host ? host : "localhost", host ? strlen(host) : 9);
            break;
        case 3:
            jstr(o, lv, strlen(lv));
            break;
        case 4:
            jstr(o, msg, n);
            break;
        default:
            jstr(o, module ? module : "KRAKEND", module ? strlen(module) : 7);
            break;
        }
    }
    /* written straight into out; a short write (the cap) is undone */
    ok = cmn_buf_append(o, "}", 1) == CMN_BUF_OK && o->len < o->cap;
    if (!ok && o->data) {
        o->len = start;
        o->data[start] = '\0';
    }
    return ok;
}

/* ---- telemetry/gelf ---- */

bool gw_gelf_config_parse(const json_t *block, struct gw_gelf_config *out, struct cmn_err *err)
{
    const char *key;
    json_t *v;

    memset(out, 0, sizeof(*out));
    if (!json_is_object(block)) {
        cmn_err_set(err, 1, "getting the extra config for the krakend-gelf module");
        return false;
    }
    json_object_foreach((json_t *)(uintptr_t)block, key, v)
    {
        char w[256];
        if (strcmp(key, "address") == 0 && json_is_string(v)) {
            free(out->address);
            out->address = strdup(json_string_value(v));
        } else if (strcmp(key, "enable_tcp") == 0 && json_is_boolean(v)) {
            out->tcp = json_is_true(v);
        } else {
            bool known = strcmp(key, "address") == 0 || strcmp(key, "enable_tcp") == 0;
            snprintf(w, sizeof(w), "extra_config.telemetry/gelf.%s: %s", key,
                     known ? "wrong type (KrakenD CE crashes on this): ignored"
                           : "unknown key, ignored (KrakenD CE does not read it)");
            gw_tel_strs_add(&out->warnings, w);
        }
    }
    if (!out->address || !*out->address) {
        cmn_err_set(err, 1, "missing addr to send gelf logs");
        gw_gelf_config_free(out);
        return false;
    }
    return true;
}

void gw_gelf_config_free(struct gw_gelf_config *c)
{
    if (!c)
        return;
    free(c->address);
    gw_tel_strs_free(&c->warnings);
    memset(c, 0, sizeof(*c));
}

static bool space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

bool gw_gelf_message(const char *host, const char *facility, const char *text, size_t n,
                     int64_t unix_ns, const char *file, int line, struct cmn_buf *out)
{
    const char *p = text, *nl;
    size_t len = n, short_len;
    char ts[CMN_GO_FLOAT_MAX];
    struct cmn_buf b;
    bool ok;

    while (len && space(*p))
        p++, len--;
    while (len && space(p[len - 1]))
        len--;
    /* short_message: the first line when a newline comes after the first byte */
    nl = len ? memchr(p + 1, '\n', len - 1) : NULL;
    short_len = nl ? (size_t)(nl - p) : len;
    cmn_go_json_float((double)unix_ns / 1e9, ts);
    cmn_buf_init(&b, 1 << 22);
    cmn_buf_append_str(&b, "{\"version\":\"1.1\",\"host\":");
    jstr(&b, host, host ? strlen(host) : 0);
    cmn_buf_append_str(&b, ",\"short_message\":");
    jstr(&b, p, short_len);
    if (nl) {
        cmn_buf_append_str(&b, ",\"full_message\":");
        jstr(&b, p, len);
    }
    cmn_buf_printf(&b, ",\"timestamp\":%s,\"level\":6", ts);
    if (facility && *facility) {
        cmn_buf_append_str(&b, ",\"facility\":");
        jstr(&b, facility, strlen(facility));
    }
    cmn_buf_append_str(&b, ",\"_file\":");
    jstr(&b, file ? file : "???", file ? strlen(file) : 3);
    cmn_buf_printf(&b, ",\"_line\":%d}", file ? line : 0);
    ok = b.data && b.len < b.cap && cmn_buf_append(out, b.data, b.len) == CMN_BUF_OK;
    cmn_buf_free(&b);
    return ok;
}

/* gzip at the fastest level, as go-gelf's UDP writer compresses. */
static uint8_t *gz(const char *in, size_t n, size_t *out_len)
{
    z_stream z;
    uLong cap = compressBound((uLong)n) + 32;
    uint8_t *out = malloc(cap);

    if (!out)
        return NULL;
    memset(&z, 0, sizeof(z));
    if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        free(out);
        return NULL;
    }
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
        deflateEnd(&z);
        free(out);
        return NULL;
    }
    *out_len = z.total_out;
    deflateEnd(&z);
    return out;
}

void gw_gelf_datagrams_free(struct gw_gelf_datagrams *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        free(d->d[i]);
    free(d->d);
    free(d->len);
    memset(d, 0, sizeof(*d));
}

bool gw_gelf_udp(const char *json, size_t n, const uint8_t msg_id[8], struct gw_gelf_datagrams *out,
                 struct cmn_err *err)
{
    const size_t data = GW_GELF_CHUNK - 12;
    size_t zl = 0, chunks;
    uint8_t *z = gz(json, n, &zl);

    memset(out, 0, sizeof(*out));
    if (!z) {
        cmn_err_set(err, 2, "gelf: compression failed");
        return false;
    }
    /* go-gelf: one datagram up to ChunkSize; else len/data + 1 chunks (an exact multiple of
     * the chunk data length therefore ends with an empty chunk, as go-gelf sends it) */
    chunks = zl <= GW_GELF_CHUNK ? 1 : zl / data + 1;
    if (chunks > GW_GELF_MAX_CHUNKS) {
        cmn_err_set(err, 1, "msg too large, would need %zu chunks", chunks);
        free(z);
        return false;
    }
    out->d = calloc(chunks, sizeof(*out->d));
    out->len = calloc(chunks, sizeof(*out->len));
    if (!out->d || !out->len)
        goto nomem;
    if (chunks == 1) {
        out->d[0] = z;
        out->len[0] = zl;
        out->n = 1;
        return true;
    }
    for (size_t i = 0; i < chunks; i++) {
        size_t off = i * data, l = zl - off < data ? zl - off : data;
        uint8_t *c = malloc(12 + l + 1);
        if (!c)
            goto nomem;
        c[0] = 0x1e;
        c[1] = 0x0f;
        memcpy(c + 2, msg_id, 8);
        c[10] = (uint8_t)i;
        c[11] = (uint8_t)chunks;
        if (l)
            memcpy(c + 12, z + off, l);
        out->d[i] = c;
        out->len[i] = 12 + l;
        out->n++;
    }
    free(z);
    return true;
nomem:
    free(z);
    gw_gelf_datagrams_free(out);
    cmn_err_set(err, 2, "gelf: out of memory");
    return false;
}

bool gw_gelf_tcp(const char *json, size_t n, struct cmn_buf *out)
{
    return cmn_buf_append(out, json, n) == CMN_BUF_OK && cmn_buf_append(out, "\0", 1) == CMN_BUF_OK;
}
