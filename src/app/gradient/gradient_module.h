/*
 * gradient_module: the gradient cultivation's registration with the kernel
 * (app_module_gradient, app/app_module.h) and the state it keeps per
 * process.
 */
#ifndef TB_APP_GRADIENT_GRADIENT_MODULE_H
#define TB_APP_GRADIENT_GRADIENT_MODULE_H

#include "app/app.h"
#include "app/app_cache.h"

/* The gradient's process state (app_module_state(app, APP_MOD_GRADIENT)). */
struct app_gradient_state {
	int notice_days; /* working days of a public notice (公示): 5, or TECHBRIDGE_NOTICE_DAYS */
	struct app_cache
	        all_figures;      /* "all enterprises" statistics by year: a minute old at most */
	struct app_cache answers; /* whole statistics answers by year, until a title changes */
};
/* The state of ctx's process. */
struct app_gradient_state *app_gradient_state(const struct app_ctx *ctx);

#endif
