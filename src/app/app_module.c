/* app_module: the registered modules, their state and their import and export kinds. */
#include "app/app_module.h"

#include "lib/buf.h"

#include <string.h>

#define APP_MODULE(ID, name) extern const struct app_module app_module_##name;
#include "app/app_modules.def"
#undef APP_MODULE

/*
 * Indexed by the same ids as app->mods[], both from app_modules.def, so a module's descriptor
 * and its state share one index.
 */
const struct app_module *const app_modules[APP_MODULES] = {
#define APP_MODULE(ID, name) [APP_MOD_##ID] = &app_module_##name,
#include "app/app_modules.def"
#undef APP_MODULE
};
_Static_assert((int)APP_MODULES <= (int)APP_MODULES_MAX, "struct app keeps every module's state");

/* The kernel's own kinds (app_import.c, app_export.c). */
extern const struct app_import_kind app_import_kernel_kinds[];
extern const int app_import_kernel_nkinds;
extern const struct app_export_kind app_export_kernel_kinds[];
extern const int app_export_kernel_nkinds;

void *app_module_state(const struct app *app, enum app_module_id id)
{
	return app->mods[id];
}

/*
 * On failure the modules already started are freed here, so app_open has only the store to
 * close.
 */
enum err app_modules_init(struct app *app, struct err_detail *d)
{
	for (int i = 0; i < APP_MODULES; i++) {
		if (!app_modules[i]->init)
			continue;
		enum err e = app_modules[i]->init(app, &app->mods[i], d);
		if (e) {
			app_modules_free(app);
			return e;
		}
	}
	return ERR_OK;
}

/*
 * In reverse list order: a module may use the modules listed before it (tools/checkdeps), so
 * it ends before them.
 */
void app_modules_free(struct app *app)
{
	for (int i = APP_MODULES - 1; i >= 0; i--) {
		if (app_modules[i]->free && app->mods[i])
			app_modules[i]->free(app->mods[i]);
		app->mods[i] = NULL;
	}
}

/*
 * The kernel's kinds are searched first, then the modules' in list order: a module cannot
 * shadow a kernel kind by reusing its name.
 */
const struct app_import_kind *app_import_kind_find(const char *name)
{
	for (int k = 0; k < app_import_kernel_nkinds; k++)
		if (!strcmp(app_import_kernel_kinds[k].name, name))
			return &app_import_kernel_kinds[k];
	for (int i = 0; i < APP_MODULES; i++)
		for (int k = 0; k < app_modules[i]->nimports; k++)
			if (!strcmp(app_modules[i]->imports[k].name, name))
				return &app_modules[i]->imports[k];
	return NULL;
}

const struct app_export_kind *app_export_kind_find(const char *name)
{
	for (int k = 0; k < app_export_kernel_nkinds; k++)
		if (!strcmp(app_export_kernel_kinds[k].name, name))
			return &app_export_kernel_kinds[k];
	for (int i = 0; i < APP_MODULES; i++)
		for (int k = 0; k < app_modules[i]->nexports; k++)
			if (!strcmp(app_modules[i]->exports[k].name, name))
				return &app_modules[i]->exports[k];
	return NULL;
}

void app_import_kind_names(struct buf *out)
{
	for (int k = 0; k < app_import_kernel_nkinds; k++)
		buf_printf(out, "%s%s", out->len ? "|" : "", app_import_kernel_kinds[k].name);
	for (int i = 0; i < APP_MODULES; i++)
		for (int k = 0; k < app_modules[i]->nimports; k++)
			buf_printf(out, "%s%s", out->len ? "|" : "",
			           app_modules[i]->imports[k].name);
}

void app_export_kind_names(struct buf *out)
{
	for (int k = 0; k < app_export_kernel_nkinds; k++)
		buf_printf(out, "%s%s", out->len ? "|" : "", app_export_kernel_kinds[k].name);
	for (int i = 0; i < APP_MODULES; i++)
		for (int k = 0; k < app_modules[i]->nexports; k++)
			buf_printf(out, "%s%s", out->len ? "|" : "",
			           app_modules[i]->exports[k].name);
}
