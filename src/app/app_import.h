/*
 * app_import: bulk loading of regions, industries and organisations from
 * rows of text (the CLI reads CSV or JSON Lines and hands over rows), and
 * of every kind a module registers (app/app_module.h). Each
 * row applies whole or not at all (a savepoint per row); a bad row is
 * reported with its line and skipped. Rows commit in batches, each batch
 * with one audit record carrying its line range, counts and a SHA-256 of
 * the rows it applied. Organisations are matched by credit code: an
 * existing one is updated with the columns the file has.
 */
#ifndef TB_APP_APP_IMPORT_H
#define TB_APP_APP_IMPORT_H

#include "app/app.h"
#include "app/app_module.h"
#include "lib/fields.h"

struct import_stats {
	long rows, created, updated, failed;
	long text_changed, text_rows; /* free-text characters cleaned, in how many applied rows */
};

struct importer;

/*
 * Start an import of `kind` (app_import_kind_find) by the ctx's actor
 * (administrators). `source` names the file in audit.
 */
enum err app_import_begin(struct app_ctx *ctx, const struct app_import_kind *kind,
                          const char *source, struct importer **out);
/* The kernel's organisations kind (the demo loads its enterprises through it). */
extern const struct app_import_kind *app_import_organisations;
/*
 * Declare the columns (the CSV header, or the keys of the first JSON line).
 * Unknown columns are ERR_INVALID naming the column.
 */
enum err app_import_columns(struct importer *imp, const char *const *names, int n,
                            struct err_detail *d);
/*
 * Apply one row of n values (NULL = absent, "" = empty) in column order.
 * ERR_OK when applied; another kind, with d filled (field and line), when
 * the row was skipped; ERR_DB / ERR_IO when the import itself failed.
 */
enum err app_import_row(struct importer *imp, long line, const char *const *values, int n,
                        struct err_detail *d);
/*
 * The same in two steps, so that checking rows (the costly part) can run on
 * another thread than writing them: app_import_prepare reads only what
 * app_import_begin and app_import_columns set up, so it may run concurrently
 * with app_import_apply of earlier rows. Rows are applied in line order.
 */
struct import_row;
struct import_row *import_row_new(void);
void import_row_free(struct import_row *row);
/* Check row text (copied into row) against the columns and the loaded codes. */
void app_import_prepare(const struct importer *imp, long line, const char *const *values, int n,
                        struct import_row *row);
/* Write a prepared row, or report why it was refused; returns as app_import_row. */
enum err app_import_apply(struct importer *imp, struct import_row *row, struct err_detail *d);

/*
 * Import the rows of csv (its header already given to app_import_columns) on
 * two threads: a reader checks rows (app_import_prepare) while the calling
 * thread applies them in line order. row_done(arg, ...) gets each row's
 * outcome, as app_import_apply returns it, and returns false to stop. A record
 * the CSV reader cannot frame ends the file: its error is returned, with
 * read_d filled (the rows before it are applied).
 */
struct csv;
enum err app_import_csv(struct importer *imp, struct csv *csv,
                        bool (*row_done)(void *arg, enum err e, const struct err_detail *d),
                        void *arg, struct err_detail *read_d);

/* Commit what is pending, report totals and free the importer. */
enum err app_import_end(struct importer *imp, struct import_stats *stats);
/* Give up: roll back the open batch and free the importer. */
void app_import_abort(struct importer *imp);

#endif
