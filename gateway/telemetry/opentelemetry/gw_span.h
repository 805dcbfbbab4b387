/* gw_span.h - recorded spans in fixed-size records, and the per-thread buffer that hands them
 * to the exporter thread without locks.
 *
 * Each recording thread owns a gw_span_buf (gw_tel.h's slots): a pool of span records
 * (allocated once), a free stack only the owner touches, a ring of finished spans (owner ->
 * exporter) and a ring of released records (exporter -> owner), both single-producer
 * single-consumer. A span the owner started may end on another thread (a request answered by
 * the validator's thread): that thread hands it over through a small locked list instead. A
 * buffer made `shared` (the slot of threads beyond the owned ones) takes its lock for every
 * operation. When the pool is empty (the exporter is slow) a new span is not recorded and the
 * drop is counted; the request carries on with its trace context. */
#ifndef GW_SPAN_H
#define GW_SPAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define GW_SPAN_MAX_ATTRS 32
#define GW_SPAN_MAX_EVENTS 4
#define GW_SPAN_MAX_EVENT_ATTRS 2
#define GW_SPAN_MAX_LINKS 2
#define GW_SPAN_ARENA 1536

/* OTLP's numbers. */
enum gw_span_kind { GW_SPAN_INTERNAL = 1, GW_SPAN_SERVER = 2, GW_SPAN_CLIENT = 3 };
enum gw_span_status { GW_SPAN_UNSET = 0, GW_SPAN_OK = 1, GW_SPAN_ERROR = 2 };
enum gw_sattr_type { GW_SA_STR = 0, GW_SA_INT, GW_SA_BOOL, GW_SA_DOUBLE, GW_SA_STRS };

struct gw_span_attr {
    const char *key; /* static, or in the span's arena */
    uint8_t type;
    uint16_t n; /* GW_SA_STR: length; GW_SA_STRS: number of items */
    union {
        int64_t i;
        double d;
        bool b;
        const char *s; /* GW_SA_STRS: n items, each a 2-byte length, the bytes, a NUL */
    } v;
};

struct gw_span_event {
    const char *name;
    int64_t time_ns;
    uint8_t n_attrs;
    struct gw_span_attr attrs[GW_SPAN_MAX_EVENT_ATTRS];
};

struct gw_span_link {
    uint8_t trace_id[16], span_id[8];
    uint32_t flags;
};

/* The attributes a span of one endpoint or backend always carries (route, method, stage,
 * static attributes), resolved once at startup: a worker records a pointer, the exporter
 * encodes them once and reuses the bytes (gw_otlp.c). */
struct gw_span_tmpl {
    struct gw_span_attr *attrs;
    size_t n;
    bool has_statics; /* user-defined keys: the span may hold one key twice */
    char *arena;
};

/* Copies attrs (keys and string values). attrs may repeat a key: the last one wins, as
 * OpenTelemetry's attribute set. False on allocation failure. */
bool gw_span_tmpl_init(struct gw_span_tmpl *t, const struct gw_span_attr *attrs, size_t n,
                       bool has_statics);
void gw_span_tmpl_free(struct gw_span_tmpl *t);

struct gw_span {
    /* header: cleared on allocation (everything up to `attrs`) */
    uint8_t trace_id[16], span_id[8], parent_id[8];
    bool has_parent, parent_remote;
    uint8_t kind, status;
    uint16_t name_len;
    uint16_t tracestate_len;
    uint16_t n_attrs, n_events, n_links;
    uint32_t dropped_attrs, dropped_events, dropped_links;
    uint32_t arena_used;
    uint32_t idx;      /* record index in its buffer (kept) */
    uint16_t slot;     /* the buffer's slot (kept) */
    uint16_t tmpl_pos; /* the template's attributes come after this many of attrs[] */
    bool may_dup;      /* a key may appear twice: resolve (last wins) before encoding */
    const struct gw_span_tmpl *tmpl; /* borrowed, NULL when none */
    const char *name;                /* static or arena */
    const char *tracestate;          /* arena, NULL when none */
    const char *status_msg;          /* arena, NULL when none */
    int64_t start_ns, end_ns;        /* Unix nanoseconds */
    /* filled up to the counts above; never cleared */
    struct gw_span_attr attrs[GW_SPAN_MAX_ATTRS];
    struct gw_span_event events[GW_SPAN_MAX_EVENTS];
    struct gw_span_link links[GW_SPAN_MAX_LINKS];
    char arena[GW_SPAN_ARENA];
};

struct gw_span_buf;

/* A buffer of `capacity` span records (rounded up to a power of two, at most 1<<20) for slot
 * `slot`; shared: every operation takes the buffer's lock. Owned (gw_span_buf_destroy); NULL
 * on failure. */
struct gw_span_buf *gw_span_buf_new(unsigned capacity, unsigned slot, bool shared);
void gw_span_buf_destroy(struct gw_span_buf *b);

/* Owner side (any thread for a shared buffer). A zeroed record, or NULL when none is free (the
 * drop is counted). */
struct gw_span *gw_span_alloc(struct gw_span_buf *b);
/* Hands a finished span to the exporter; owner: the calling thread owns b (its slot is b's and
 * b is not shared). Any thread may finish a span. */
void gw_span_finish(struct gw_span_buf *b, struct gw_span *s, bool owner);

/* Exporter side (one thread). Takes up to max finished spans (borrowed until released). */
size_t gw_span_buf_drain(struct gw_span_buf *b, struct gw_span **out, size_t max);
void gw_span_buf_release(struct gw_span_buf *b, struct gw_span *s);

/* Finished spans the exporter has not taken yet (a snapshot, from any thread). */
size_t gw_span_buf_pending(const struct gw_span_buf *b);

/* Spans not recorded because the pool was empty. */
uint64_t gw_span_buf_dropped(const struct gw_span_buf *b);

/* ---- building a span (worker side) ---- */

/* Copies n bytes and a NUL into the arena; NULL when it is full. Every string of a span is
 * NUL-terminated (the encoders hand them to protobuf-c as C strings). */
static inline const char *gw_span_copy(struct gw_span *s, const char *v, size_t n)
{
    char *p;

    if (n >= GW_SPAN_ARENA - s->arena_used)
        return NULL;
    p = s->arena + s->arena_used;
    if (n)
        memcpy(p, v, n);
    p[n] = '\0';
    s->arena_used += (uint32_t)n + 1;
    return p;
}

/* gw_span_add_*: append without looking for the key (the caller knows it is new);
 * gw_span_set_*: replace the value of an existing key, else append (OpenTelemetry keeps the
 * last value of a key). An attribute that does not fit is dropped and counted. Keys are
 * borrowed (static); values of _str are copied, of _static borrowed forever. */
void gw_span_add_static(struct gw_span *s, const char *key, const char *v);
/* Replace-or-append of a value borrowed for as long as the span lives (configuration text). */
void gw_span_set_static(struct gw_span *s, const char *key, const char *v, size_t n);
void gw_span_set_str(struct gw_span *s, const char *key, const char *v, size_t n);
void gw_span_set_int(struct gw_span *s, const char *key, int64_t v);
void gw_span_set_bool(struct gw_span *s, const char *key, bool v);
/* A string-array attribute whose key is copied too (header attributes). */
void gw_span_set_strs(struct gw_span *s, const char *key, size_t key_len, const char *const *vals,
                      const size_t *lens, size_t n);
void gw_span_add_event(struct gw_span *s, const char *name, int64_t time_ns,
                       const struct gw_span_attr *attrs, size_t n_attrs);
void gw_span_add_link(struct gw_span *s, const uint8_t trace_id[16], const uint8_t span_id[8],
                      uint32_t flags);
void gw_span_set_status(struct gw_span *s, enum gw_span_status st, const char *msg, size_t n);

/* The appends are inline: a request records some sixty attributes on its five spans. */
static inline struct gw_span_attr *gw_span_append(struct gw_span *s, const char *key)
{
    if (s->n_attrs == GW_SPAN_MAX_ATTRS) {
        s->dropped_attrs++;
        return NULL;
    }
    s->attrs[s->n_attrs].key = key;
    return &s->attrs[s->n_attrs++];
}

static inline void gw_span_add_static_n(struct gw_span *s, const char *key, const char *v, size_t n)
{
    struct gw_span_attr *a = n <= UINT16_MAX ? gw_span_append(s, key) : NULL;

    if (a) {
        a->type = GW_SA_STR;
        a->n = (uint16_t)n;
        a->v.s = v;
    }
}

static inline void gw_span_add_str(struct gw_span *s, const char *key, const char *v, size_t n)
{
    const char *c = n <= UINT16_MAX ? gw_span_copy(s, v, n) : NULL;

    if (c)
        gw_span_add_static_n(s, key, c, n);
    else
        s->dropped_attrs++;
}

static inline void gw_span_add_int(struct gw_span *s, const char *key, int64_t v)
{
    struct gw_span_attr *a = gw_span_append(s, key);

    if (a) {
        a->type = GW_SA_INT;
        a->v.i = v;
    }
}

static inline void gw_span_add_bool(struct gw_span *s, const char *key, bool v)
{
    struct gw_span_attr *a = gw_span_append(s, key);

    if (a) {
        a->type = GW_SA_BOOL;
        a->v.b = v;
    }
}

static inline void gw_span_add_double(struct gw_span *s, const char *key, double v)
{
    struct gw_span_attr *a = gw_span_append(s, key);

    if (a) {
        a->type = GW_SA_DOUBLE;
        a->v.d = v;
    }
}

/* Attaches t's attributes at the current position (after the attributes added so far). */
static inline void gw_span_use_tmpl(struct gw_span *s, const struct gw_span_tmpl *t)
{
    s->tmpl = t;
    s->tmpl_pos = s->n_attrs;
    s->may_dup = s->may_dup || t->has_statics;
}

/* The span's attributes in recording order with repeated keys resolved (the last value wins):
 * pointers into the span and its template, at most cap. Returns how many. */
size_t gw_span_attrs(const struct gw_span *s, const struct gw_span_attr **out, size_t cap);
#define GW_SPAN_MAX_ALL_ATTRS 96

/* Item i of a GW_SA_STRS attribute. */
void gw_span_strs_item(const struct gw_span_attr *a, size_t i, const char **v, size_t *n);

#endif
