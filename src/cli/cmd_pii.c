/* cmd_pii: the data key and the encryption of personal data already stored (docs/SECURITY.md). */
#include "cli/cli.h"

#include "app/app_pii.h"

#include <stdio.h>

int cmd_data_keygen(int argc, char **argv)
{
	CLI_PARSE("data keygen", npos == 1);
	struct err_detail d = {0};
	char id[SEAL_KEY_ID_HEX];
	enum err e = app_data_keygen(pos[0], id, &d);
	if (e)
		return cli_fail(e, &d, "data keygen");
	printf("data key %s written to %s (mode 0600): keep it outside the database and back it "
	       "up; give it to every command with --data-key %s\n",
	       id, pos[0], pos[0]);
	return 0;
}

/* The migration to encrypted storage: run once after configuring a key; again is harmless. */
int cmd_data_encrypt(int argc, char **argv)
{
	CLI_PARSE("data encrypt", npos == 0);
	struct app app;
	struct app_ctx ctx;
	if (!cli_open(&app, &ctx))
		return EXIT_OTHER;
	struct data_encrypt_stats st;
	enum err e = app_data_encrypt(&ctx, &st);
	int rc = e ? cli_fail(e, &ctx.err, "data encrypt") : 0;
	if (!e)
		printf("personal data: %ld values encrypted now, %ld were encrypted already (data "
		       "key "
		       "%s)\n",
		       st.encrypted, st.already, app_data_key_id(&app));
	cli_close_checkpoint(&app, &ctx);
	return rc;
}
