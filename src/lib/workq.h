/*
 * workq: a small pool of threads with a bounded queue, for work that must
 * not run on the HTTP request workers (password hashing: about 70 ms and
 * 64 MiB each). A slot is reserved before the work exists, so a caller can
 * refuse at once when the queue is full instead of doing anything it would
 * have to undo.
 */
#ifndef TB_LIB_WORKQ_H
#define TB_LIB_WORKQ_H

#include <stdbool.h>

struct workq;

/* Start `threads` threads taking at most `slots` jobs (running and waiting) at a time. */
struct workq *workq_new(int threads, int slots);
/*
 * Take no more reservations and wait until every job reserved or queued is
 * done (a stopping server: its deferred requests are all answered).
 */
void workq_drain(struct workq *q);
/* Finish every job already reserved or queued, then stop the threads and free. */
void workq_free(struct workq *q);

/* Reserve a slot; false (nothing reserved) when all are taken. */
bool workq_reserve(struct workq *q);
/* Give back a reserved slot that will not be used. */
void workq_release(struct workq *q);
/*
 * Queue work(arg) on a reserved slot; a pool thread runs it and then
 * done(done_arg) (if not NULL), after which the slot is free again.
 */
void workq_submit(struct workq *q, void (*work)(void *arg), void *arg, void (*done)(void *done_arg),
                  void *done_arg);

#endif
