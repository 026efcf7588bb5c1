/* app_import_pipe: a CSV import on two threads (see app_import_csv in app_import.h). */
#include "app/app_import.h"
#include "lib/csv.h"

#include <pthread.h>

/*
 * The ring of prepared rows between the reader thread (parses and checks:
 * most of the work) and the calling thread (writes them in order).
 */
enum { RING = 512 };

struct pipeline {
	bool (*row_done)(void *arg, enum err e, const struct err_detail *d);
	void *arg;
	pthread_mutex_t mu;
	pthread_cond_t not_empty, not_full;
	struct import_row *rows[RING];
	long count, head, tail; /* head: next to fill; tail: next to apply */
	bool done, stop, reader_waits, writer_waits;
	enum err read_err;
	struct err_detail read_d;
	struct csv *csv;
	const struct importer *imp;
};

/* Rows change hands in batches: one lock round trip per batch, not per row. */
enum { BATCH = 64 };

/*
 * The reader checks rows outside the lock: the slots from head to head + room are its own
 * until it publishes them by moving head. The end of the input (ERR_NOT_FOUND from csv_next)
 * is not an error; a CSV that cannot be framed is, and ends the reading.
 */
static void *reader(void *arg)
{
	struct pipeline *p = arg;
	const char **fields;
	int n;
	enum err e = ERR_OK;
	while (!e) {
		pthread_mutex_lock(&p->mu);
		while (p->count == RING && !p->stop) {
			p->reader_waits = true;
			pthread_cond_wait(&p->not_full, &p->mu);
		}
		p->reader_waits = false;
		long room = RING - p->count, head = p->head;
		bool stop = p->stop;
		pthread_mutex_unlock(&p->mu);
		if (stop)
			break;
		long k = 0; /* slots head .. head+room are the reader's until published */
		while (k < room && k < BATCH && !(e = csv_next(p->csv, &fields, &n, &p->read_d)))
			app_import_prepare(p->imp, p->csv->line, fields, n,
			                   p->rows[(head + k++) % RING]);
		pthread_mutex_lock(&p->mu);
		p->head += k;
		p->count += k;
		if (p->writer_waits)
			pthread_cond_signal(&p->not_empty);
		pthread_mutex_unlock(&p->mu);
	}
	pthread_mutex_lock(&p->mu);
	p->read_err = e == ERR_NOT_FOUND ? ERR_OK : e;
	p->done = true;
	pthread_cond_signal(&p->not_empty);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* Apply rows in order as the reader delivers them, until the end or a failed import. */
static void write_rows(struct importer *imp, struct pipeline *p)
{
	bool go_on = true;
	while (go_on) {
		pthread_mutex_lock(&p->mu);
		while (p->count == 0 && !p->done) {
			p->writer_waits = true;
			pthread_cond_wait(&p->not_empty, &p->mu);
		}
		p->writer_waits = false;
		long avail = p->count, tail = p->tail;
		pthread_mutex_unlock(&p->mu);
		if (!avail)
			return;
		long k = 0;
		while (go_on && k < avail) {
			struct err_detail d;
			enum err e = app_import_apply(imp, p->rows[(tail + k++) % RING], &d);
			/*
			 * row_done decides whether the import goes on; a stop also wakes a reader
			 * waiting for room, so it can end
			 */
			go_on = p->row_done(p->arg, e, &d);
		}
		pthread_mutex_lock(&p->mu);
		p->tail += k;
		p->count -= k;
		if (!go_on)
			p->stop = true;
		if (p->reader_waits || !go_on)
			pthread_cond_signal(&p->not_full);
		pthread_mutex_unlock(&p->mu);
	}
}

/*
 * The writes stay on the calling thread, which owns the connection and its transaction; the
 * reader thread only parses and checks. The ring's rows are allocated once and reused for the
 * whole file.
 */
enum err app_import_csv(struct importer *imp, struct csv *csv,
                        bool (*row_done)(void *arg, enum err e, const struct err_detail *d),
                        void *arg, struct err_detail *read_d)
{
	struct pipeline p = {.row_done = row_done, .arg = arg, .csv = csv, .imp = imp};
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.not_empty, NULL);
	pthread_cond_init(&p.not_full, NULL);
	for (int i = 0; i < RING; i++)
		p.rows[i] = import_row_new();
	pthread_t th;
	enum err e = ERR_OK;
	if (pthread_create(&th, NULL, reader, &p) != 0) {
		e = err_set(read_d, ERR_INTERNAL, "", "cannot start the reader thread");
	} else {
		write_rows(imp, &p);
		pthread_join(th, NULL);
		if ((e = p.read_err))
			*read_d = p.read_d;
	}
	for (int i = 0; i < RING; i++)
		import_row_free(p.rows[i]);
	pthread_cond_destroy(&p.not_full);
	pthread_cond_destroy(&p.not_empty);
	pthread_mutex_destroy(&p.mu);
	return e;
}
