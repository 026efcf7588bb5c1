/*
 * app_module: what a module registers with the kernel of app/. Each module
 * defines one `const struct app_module app_module_<name>` in
 * app/<name>/<name>_module.c and is listed by one line in
 * app/app_modules.def; the kernel calls its hooks in list order. A module
 * leaves NULL (or 0) what it has nothing for.
 *
 * The kernel never names a module: module state lives in app->mods[], indexed
 * by the module's id from the list, and everything else is reached through
 * the hooks below.
 */
#ifndef TB_APP_APP_MODULE_H
#define TB_APP_APP_MODULE_H

#include "app/app.h"
#include "lib/fields.h"

struct jw;

/* The modules' ids, in list order: APP_MOD_GRADIENT, ... */
enum app_module_id {
#define APP_MODULE(ID, name) APP_MOD_##ID,
#include "app/app_modules.def"
#undef APP_MODULE
	APP_MODULES
};

/*
 * A kind of row `techbridge import KIND` loads (see app_import.h): its
 * columns, and how one checked row is written. Rows are applied inside the
 * import's transaction and savepoint; apply reports a refused row through d.
 */
struct app_import_kind {
	const char *name;           /* "listings": the CLI's kind name */
	const char *entity;         /* audit entity of its batches */
	const char *const *ignored; /* columns accepted and ignored, NULL-terminated */
	const struct field_def *(*fields)(size_t *n);
	enum err (*apply)(struct app_ctx *ctx, const struct field_val *v, bool *created,
	                  struct err_detail *d);
	/* after each audited batch, in its transaction; NULL for nothing */
	enum err (*batch_done)(struct app_ctx *ctx);
};

/*
 * A kind of record `techbridge export KIND` writes (CSV, JSON Lines, XLSX):
 * its columns, its filters, one page of it at a time, and one record's
 * cells and JSON.
 */
struct app_export_kind {
	const char *name;
	const struct field_def *filters; /* accepted as --NAME VALUE; may be NULL */
	size_t nfilters;
	int ncols;
	const char *(*col)(int c);
	size_t item_size;
	/* filter[i] is the value of filters[i], or NULL */
	enum err (*page)(struct app_ctx *ctx, const char *const *filter, const struct page_req *pr,
	                 struct page *out);
	/* cell c of item as text: a string it holds, or tmp (n bytes) filled */
	const char *(*cell)(const void *item, int c, char *tmp, size_t n);
	void (*json)(const void *item, struct buf *out);
};

struct app_module {
	const char *name;
	/* process start and end: *state is kept in app->mods[id] */
	enum err (*init)(struct app *app, void **state, struct err_detail *d);
	void (*free)(void *state);
	const struct app_import_kind *imports;
	int nimports;
	const struct app_export_kind *exports;
	int nexports;
	/* demonstration data, once the kernel's organisations and users exist */
	enum err (*demo)(struct app_ctx *ctx);
	/*
	 * The signed-in actor's to-do items for the home page, appended to out
	 * as JSON objects ({"kind", "count", "overdue", "link"}); NULL for none.
	 */
	enum err (*todo)(struct app_ctx *ctx, struct jw *out);
};

/* The registered modules, in list order. */
extern const struct app_module *const app_modules[APP_MODULES];

/* The state module `id` keeps in the process (what its init returned). */
void *app_module_state(const struct app *app, enum app_module_id id);

/* Start every module's state (in list order); on failure those started are freed. */
enum err app_modules_init(struct app *app, struct err_detail *d);
void app_modules_free(struct app *app);

/* Import and export kinds of the kernel and every module, by name; NULL if none. */
const struct app_import_kind *app_import_kind_find(const char *name);
const struct app_export_kind *app_export_kind_find(const char *name);
/* Their names, "a|b|c", for usage messages. */
void app_import_kind_names(struct buf *out);
void app_export_kind_names(struct buf *out);

#endif
