/* cmn_buf.h - a growable byte buffer with a hard cap fixed at init (after curl's dynbuf). */
#ifndef CMN_BUF_H
#define CMN_BUF_H

#include <stdbool.h>
#include <stddef.h>

enum cmn_buf_status {
    CMN_BUF_OK = 0,
    CMN_BUF_TOO_BIG, /* the append would pass the cap; the buffer is unchanged */
    CMN_BUF_NOMEM,
};

struct cmn_buf {
    char *data; /* owned; always NUL-terminated when non-NULL */
    size_t len;
    size_t alloc;
    size_t cap; /* maximum len */
};

void cmn_buf_init(struct cmn_buf *b, size_t cap);
/* Frees the contents; b may be NULL. The buffer can be reused after cmn_buf_init. */
void cmn_buf_free(struct cmn_buf *b);
/* Empties the buffer, keeping its memory. */
void cmn_buf_reset(struct cmn_buf *b);
enum cmn_buf_status cmn_buf_append(struct cmn_buf *b, const void *data, size_t len);
enum cmn_buf_status cmn_buf_append_str(struct cmn_buf *b, const char *s);
enum cmn_buf_status cmn_buf_printf(struct cmn_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends n bytes of s escaped as Go's html.EscapeString does (& ' < > " become &amp; &#39;
 * &lt; &gt; &#34;): the one escaping the gateway and both mocks need for Go-identical bodies. */
enum cmn_buf_status cmn_buf_append_html(struct cmn_buf *b, const char *s, size_t n);
/* Returns the data (owned by the caller; "" for an empty buffer, NULL on allocation failure)
 * and leaves the buffer empty. */
char *cmn_buf_take(struct cmn_buf *b, size_t *len);
/* Room for n more bytes after len, for a writer that fills them itself and then adds what it
 * wrote to len (and stores the NUL if it wants one); NULL when the cap or memory says no. */
char *cmn_buf_room(struct cmn_buf *b, size_t n);
/* Borrowed view: "" for an empty buffer. */
const char *cmn_buf_str(const struct cmn_buf *b);

/* A writer that remembers failure: appends after the first refusal (cap or memory) are
 * skipped and `bad` stays set, so a long renderer checks once at the end. */
struct cmn_bufw {
    struct cmn_buf *b;
    bool bad;
};
void cmn_bufw_append(struct cmn_bufw *w, const void *data, size_t len);
void cmn_bufw_str(struct cmn_bufw *w, const char *s);
/* printf-style, at most 1023 bytes at a time (more sets `bad`). */
void cmn_bufw_printf(struct cmn_bufw *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
