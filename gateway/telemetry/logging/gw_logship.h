/* gw_logship.h - the log formats that leave the line format behind: telemetry/logstash's JSON
 * records (spec §4.2) and telemetry/gelf's GELF 1.1 messages, UDP chunks and TCP frames
 * (§4.3). Pure formatters: the caller gives the time, host name and random message ids, and
 * does the sending (gw_log_io.c has the socket writes). */
#ifndef GW_LOGSHIP_H
#define GW_LOGSHIP_H

#include "gw_logfmt.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GW_LOGSTASH_NAMESPACE "github_com/devopsfaith/krakend-logstash"
#define GW_GELF_NAMESPACE "github_com/devopsfaith/krakend-gelf"
#define GW_GELF_CHUNK 1420 /* go-gelf's ChunkSize */
#define GW_GELF_MAX_CHUNKS 128

/* ---- telemetry/logstash ---- */

enum gw_ls_type { GW_LS_STR = 0, GW_LS_INT, GW_LS_BOOL, GW_LS_FLOAT };

/* An extra field of the record (krakend-logstash merges map arguments into the object). */
struct gw_ls_field {
    const char *key;
    enum gw_ls_type type;
    const char *s;
    int64_t i;
    bool b;
    double d;
};

/* krakend-logstash's argument rules for the message: a string is appended after a space, an
 * int as " %d", a bool as " true"/" false", a float64 as " %f" (6 decimals). */
bool gw_logstash_append_arg(struct cmn_buf *msg, const struct gw_ls_field *arg);

/* One record: compact JSON, keys sorted, <>& escaped as Go does: "@timestamp" (local time with
 * microseconds and the real offset), "@version" 1, "host", "level" (NOTICE counts as INFO:
 * KrakenD's logger has no notice), "message", "module", plus the extra fields (which never
 * replace those six). Appends to out (no newline: it becomes go-logging's message). */
bool gw_logstash_format(enum gw_log_level level, const char *module, const char *host,
                        int64_t unix_ns, int utc_offset_s, const char *msg, size_t n,
                        const struct gw_ls_field *extra, size_t n_extra, struct cmn_buf *out);

/* ---- telemetry/gelf ---- */

struct gw_gelf_config {
    char *address; /* "host:port" */
    bool tcp;
    struct gw_tel_strs warnings;
};

/* false with err when block is not an object or has no address ("missing addr to send gelf
 * logs"): then there is no GELF writer. */
bool gw_gelf_config_parse(const json_t *block, struct gw_gelf_config *out, struct cmn_err *err);
void gw_gelf_config_free(struct gw_gelf_config *c);

/* The GELF 1.1 JSON of one written line, as go-gelf builds it: the text trimmed, its first line
 * as short_message and the whole text as full_message when it has several lines, timestamp in
 * float seconds, level 6 always, facility (the program's base name), _file and _line. */
bool gw_gelf_message(const char *host, const char *facility, const char *text, size_t n,
                     int64_t unix_ns, const char *file, int line, struct cmn_buf *out);

/* UDP: the message gzip-compressed (fastest level), sent whole when it fits GW_GELF_CHUNK
 * bytes, else in chunks of GW_GELF_CHUNK - 12 bytes behind a 12-byte header (0x1e 0x0f, the
 * 8-byte message id, sequence number, count). More than 128 chunks is an error, as in go-gelf.
 * datagrams: owned buffers (gw_gelf_datagrams_free). */
struct gw_gelf_datagrams {
    uint8_t **d;
    size_t *len;
    size_t n;
};
bool gw_gelf_udp(const char *json, size_t n, const uint8_t msg_id[8], struct gw_gelf_datagrams *out,
                 struct cmn_err *err);
void gw_gelf_datagrams_free(struct gw_gelf_datagrams *d);

/* TCP: the JSON followed by a NUL byte. */
bool gw_gelf_tcp(const char *json, size_t n, struct cmn_buf *out);

/* ---- sending (gw_log_io.c: the only IO of gw_logging) ---- */

/* Writes one frame to a connected datagram or stream socket (the caller's syslog or GELF
 * socket). False on a short write or an error (errno kept). */
bool gw_log_send(int fd, const void *frame, size_t n);

#endif
