/* main: global flags and dispatch to the command table. */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* overridable at build time (-DTB_VERSION=...) */
#ifndef TB_VERSION
#define TB_VERSION "0.1.0"
#endif

/* The command list comes from the command table, like each command's --help */
static void usage(FILE *f)
{
	fputs("usage: techbridge [--db URL] COMMAND [ARGS]\n\n"
	      "techbridge: research results into industry through SMEs: gradient cultivation,\n"
	      "pilot platforms, technology market, contracts, directories.\n\n"
	      "--db URL  a SQLite file (path or sqlite:PATH; default ./techbridge.db) or\n"
	      "          postgres://... ; also TECHBRIDGE_DB. A new database is migrated.\n"
	      "--audit-key FILE     the audit signing key (techbridge audit keygen FILE); also\n"
	      "                     TECHBRIDGE_AUDIT_KEY. Default: DB.auditkey beside a SQLite\n"
	      "                     database when that file exists.\n"
	      "--audit-pubkey FILE  trusted audit public keys for audit verify (FILE.pub of\n"
	      "                     keygen); also TECHBRIDGE_AUDIT_PUBKEY.\n"
	      "--data-key FILE      the key personal data is encrypted with (techbridge data\n"
	      "                     keygen FILE); also TECHBRIDGE_DATA_KEY. None: stored as "
	      "given.\n\n"
	      "commands:\n",
	      f);
	int n;
	const struct cli_cmd *cmds = cli_command_table(&n);
	for (int i = 0; i < n; i++)
		fprintf(f, "  %-14s %s\n", cmds[i].name, cmds[i].help);
	fputs("\n'techbridge COMMAND --help' describes a command.\n", f);
}

/*
 * Global flags come before the command (techbridge --db URL COMMAND ...);
 * everything after the command belongs to it
 */
int main(int argc, char **argv)
{
	cli_db_url = getenv("TECHBRIDGE_DB");
	cli_audit_key = getenv("TECHBRIDGE_AUDIT_KEY");
	cli_audit_pubkey = getenv("TECHBRIDGE_AUDIT_PUBKEY");
	cli_data_key = getenv("TECHBRIDGE_DATA_KEY");
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(argv[i], "--version")) {
			printf("techbridge %s\n", TB_VERSION);
			return 0;
		}
		if (!strcmp(argv[i], "--db") && i + 1 < argc) {
			cli_db_url = argv[++i];
		} else if (!strncmp(argv[i], "--db=", 5)) {
			cli_db_url = argv[i] + 5;
		} else if (!strcmp(argv[i], "--audit-key") && i + 1 < argc) {
			cli_audit_key = argv[++i];
		} else if (!strncmp(argv[i], "--audit-key=", 12)) {
			cli_audit_key = argv[i] + 12;
		} else if (!strcmp(argv[i], "--data-key") && i + 1 < argc) {
			cli_data_key = argv[++i];
		} else if (!strncmp(argv[i], "--data-key=", 11)) {
			cli_data_key = argv[i] + 11;
		} else if (!strcmp(argv[i], "--audit-pubkey") && i + 1 < argc) {
			cli_audit_pubkey = argv[++i];
		} else if (!strncmp(argv[i], "--audit-pubkey=", 15)) {
			cli_audit_pubkey = argv[i] + 15;
		} else {
			fprintf(stderr, "techbridge: unknown flag %s\n", argv[i]);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	/* --db beats TECHBRIDGE_DB, which beats the default file in the current directory */
	if (!cli_db_url || !*cli_db_url)
		cli_db_url = "techbridge.db";
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const struct cli_cmd *cmd = NULL;
	/* the longest name first ("audit checkpoint export", then "user add"), so a
	   group name alone never shadows its commands */
	if (i + 2 < argc) {
		char three[96];
		snprintf(three, sizeof three, "%s %s %s", argv[i], argv[i + 1], argv[i + 2]);
		if ((cmd = cli_find(three)))
			i += 2;
	}
	if (!cmd && i + 1 < argc) {
		char two[64];
		snprintf(two, sizeof two, "%s %s", argv[i], argv[i + 1]);
		if ((cmd = cli_find(two)))
			i++;
	}
	if (!cmd)
		cmd = cli_find(argv[i]);
	/*
	 * a group name alone ("techbridge user") lists the group's commands instead of failing bare
	 */
	if (!cmd) {
		bool group = false;
		int n;
		const struct cli_cmd *cmds = cli_command_table(&n);
		for (int k = 0; k < n; k++)
			if (!strncmp(cmds[k].name, argv[i], strlen(argv[i])) &&
			    cmds[k].name[strlen(argv[i])] == ' ') {
				if (!group)
					fprintf(stderr, "techbridge %s: one of:\n", argv[i]);
				group = true;
				fprintf(stderr, "  %-14s %s\n", cmds[k].name, cmds[k].help);
			}
		if (!group)
			fprintf(stderr, "techbridge: unknown command %s (see --help)\n", argv[i]);
		return EXIT_USAGE;
	}
	return cmd->fn(argc - i - 1, argv + i + 1);
}
