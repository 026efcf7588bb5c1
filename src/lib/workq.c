/* workq: a fixed pool of threads over a bounded FIFO of jobs. */
#include "lib/workq.h"

#include "lib/buf.h"

#include <pthread.h>
#include <stdlib.h>

struct job {
	void (*work)(void *);
	void (*done)(void *);
	void *arg, *done_arg;
	struct job *next;
};

struct workq {
	pthread_mutex_t mu;
	pthread_cond_t cv;   /* a job was queued, or stopping */
	pthread_cond_t idle; /* a slot was given back */
	struct job *head, *tail;
	int slots, used; /* used: reserved + queued + running */
	bool stopping;   /* the threads exit once the queue is empty */
	bool closed;     /* no more reservations */
	int nthreads;
	pthread_t *threads;
};

static void *worker(void *p)
{
	struct workq *q = p;
	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (!q->head && !q->stopping)
			pthread_cond_wait(&q->cv, &q->mu);
		if (!q->head)
			break; /* stopping and nothing left */
		struct job *j = q->head;
		q->head = j->next;
		if (!q->head)
			q->tail = NULL;
		pthread_mutex_unlock(&q->mu);
		j->work(j->arg);
		if (j->done)
			j->done(j->done_arg);
		free(j);
		pthread_mutex_lock(&q->mu);
		q->used--;
		pthread_cond_broadcast(&q->idle);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

struct workq *workq_new(int threads, int slots)
{
	struct workq *q = xcalloc(1, sizeof *q);
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	pthread_cond_init(&q->idle, NULL);
	q->slots = slots < threads ? threads : slots;
	q->threads = xcalloc((size_t)threads, sizeof *q->threads);
	for (int i = 0; i < threads; i++)
		if (pthread_create(&q->threads[q->nthreads], NULL, worker, q) == 0)
			q->nthreads++;
	return q;
}

void workq_drain(struct workq *q)
{
	pthread_mutex_lock(&q->mu);
	q->closed = true;
	while (q->used > 0 && q->nthreads > 0)
		pthread_cond_wait(&q->idle, &q->mu);
	pthread_mutex_unlock(&q->mu);
}

void workq_free(struct workq *q)
{
	if (!q)
		return;
	pthread_mutex_lock(&q->mu);
	while (q->used > 0 && q->nthreads > 0) /* reserved slots are submitted or released soon */
		pthread_cond_wait(&q->idle, &q->mu);
	q->stopping = true;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	for (int i = 0; i < q->nthreads; i++)
		pthread_join(q->threads[i], NULL);
	pthread_cond_destroy(&q->idle);
	pthread_cond_destroy(&q->cv);
	pthread_mutex_destroy(&q->mu);
	free(q->threads);
	free(q);
}

bool workq_reserve(struct workq *q)
{
	pthread_mutex_lock(&q->mu);
	bool ok = !q->closed && !q->stopping && q->nthreads > 0 && q->used < q->slots;
	if (ok)
		q->used++;
	pthread_mutex_unlock(&q->mu);
	return ok;
}

void workq_release(struct workq *q)
{
	pthread_mutex_lock(&q->mu);
	q->used--;
	pthread_cond_broadcast(&q->idle);
	pthread_mutex_unlock(&q->mu);
}

void workq_submit(struct workq *q, void (*work)(void *arg), void *arg, void (*done)(void *done_arg),
                  void *done_arg)
{
	struct job *j = xcalloc(1, sizeof *j);
	j->work = work;
	j->done = done;
	j->arg = arg;
	j->done_arg = done_arg;
	pthread_mutex_lock(&q->mu);
	if (q->tail)
		q->tail->next = j;
	else
		q->head = j;
	q->tail = j;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
}
