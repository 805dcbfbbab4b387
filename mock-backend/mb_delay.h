/* mb_delay.h - holds answers until their due time on one timer thread, so a delayed request
 * costs a heap slot and a suspended connection, never a thread. */
#ifndef MB_DELAY_H
#define MB_DELAY_H

#include "cmn_err.h"
#include "cmn_http.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Called once per scheduled answer, on the timer thread (or the flushing thread); takes
 * ownership of resp. In the server this is cmn_http_exchange_respond. */
typedef void (*mb_delay_fire_fn)(void *ctx, void *token, struct cmn_http_response *resp);

struct mb_delay;

/* Starts the timer thread. max_pending caps held answers. Owned, or NULL with err set. */
struct mb_delay *mb_delay_new(size_t max_pending, mb_delay_fire_fn fire, void *ctx,
                              struct cmn_err *err);
enum mb_delay_status {
    MB_DELAY_OK = 0,
    MB_DELAY_FULL,    /* max_pending answers are already held */
    MB_DELAY_CLOSING, /* a flush began: answer now instead */
};

/* The due time of an answer held delay_ms from now (cmn_clock_mono_ms() time). Now is rounded
 * up to the next whole millisecond: truncating it would let the answer leave up to 1 ms before
 * delay_ms had passed, and "after 200 ms" be 199.4 ms. */
int64_t mb_delay_due_ms(int64_t delay_ms);

/* Schedules resp for token at due_ms (cmn_clock_mono_ms() time). On MB_DELAY_OK resp is
 * owned by the timer; otherwise nothing is taken. */
enum mb_delay_status mb_delay_add(struct mb_delay *d, void *token, struct cmn_http_response *resp,
                                  int64_t due_ms);
size_t mb_delay_pending(struct mb_delay *d);
/* Fires every held answer now, in due order, and refuses new ones (shutdown). */
void mb_delay_flush(struct mb_delay *d);
/* Flushes, stops the thread and frees; d may be NULL. */
void mb_delay_destroy(struct mb_delay *d);

#endif
