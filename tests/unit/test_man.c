/*
 * test_man: the manual page (cli/cmd_man.c). The checked-in docs/techbridge.1
 * must be what `techbridge man` prints today, every command and flag of the
 * command table (export's run-time flags included) must be in it, and no text
 * taken from the table may turn into a roff request. Run from the repository
 * root, as tests/run does.
 */
#include "cli/cli.h"
#include "lib/buf.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

static char *page(void)
{
	struct buf b = BUF_INIT;
	cli_man_page(&b);
	return buf_take(&b);
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	return buf_take(&b);
}

static void checked_in_page_is_current(void)
{
	char *got = page(), *want = read_all("docs/techbridge.1");
	CHECK(want != NULL);
	if (want && strcmp(got, want))
		fputs("  docs/techbridge.1 is stale: regenerate with `make man`\n", stderr);
	CHECK(want && !strcmp(got, want));
	free(got);
	free(want);
}

/* "--listen" as the page writes it: "\-\-listen". */
static void roff_dashes(const char *s, char *out, size_t n)
{
	size_t k = 0;
	for (; *s && k + 3 < n; s++) {
		if (*s == '-')
			out[k++] = '\\';
		out[k++] = *s;
	}
	out[k] = '\0';
}

/* The text of command `name`'s subsection, up to the next one (a pointer into p). */
static const char *section_of(const char *p, const char *name, size_t *len)
{
	char head[96];
	snprintf(head, sizeof head, ".SS \"%s\"\n", name);
	const char *s = strstr(p, head);
	if (!s)
		return NULL;
	const char *next = strstr(s + strlen(head), ".SS ");
	const char *end = next ? next : strstr(s, ".SH ENVIRONMENT");
	*len = end ? (size_t)(end - s) : strlen(s);
	return s;
}

static bool in_section(const char *sec, size_t len, const char *text)
{
	char *copy = strndup(sec, len);
	bool found = strstr(copy, text) != NULL;
	free(copy);
	return found;
}

static void every_command_and_flag_is_documented(void)
{
	char *p = page();
	int n;
	const struct cli_cmd *cmds = cli_command_table(&n);
	CHECK(n > 10);
	for (int i = 0; i < n; i++) {
		size_t len = 0;
		const char *sec = section_of(p, cmds[i].name, &len);
		if (!sec) {
			fprintf(stderr, "  no section for command %s\n", cmds[i].name);
			CHECK(sec != NULL);
			continue;
		}
		const struct cli_flag *fl =
		        cmds[i].fn == cmd_export ? cli_export_flags() : cmds[i].flags;
		for (; fl->name; fl++) {
			char want[96];
			char dashed[64];
			roff_dashes(fl->name, dashed, sizeof dashed);
			snprintf(want, sizeof want, ".TP\n\\fB%s\\fR", dashed);
			if (!in_section(sec, len, want))
				fprintf(stderr, "  %s: flag %s not listed\n", cmds[i].name,
				        fl->name);
			CHECK(in_section(sec, len, want));
		}
	}
	free(p);
}

/* export's flags come from the export kinds: the kernel's and the gradient's filters. */
static void export_shows_its_run_time_flags(void)
{
	char *p = page();
	size_t len = 0;
	const char *sec = section_of(p, "export", &len);
	CHECK(sec != NULL);
	if (sec) {
		CHECK(in_section(sec, len, "\\fB\\-\\-format\\fR \\fIFMT\\fR"));
		CHECK(in_section(sec, len, "\\fB\\-\\-region\\fR \\fIVALUE\\fR"));
		CHECK(in_section(sec, len, "\\fB\\-\\-tier\\fR \\fIVALUE\\fR"));
	}
	free(p);
}

/* Every line that starts a request is one of the macros the generator writes. */
static void no_stray_requests(void)
{
	static const char *const known[] = {".\\\" ", ".TH ", ".nh",  ".SH ", ".SS ", ".PP", ".TP",
	                                    ".B ",    ".BR ", ".BI ", ".I ",  ".IR ", ".br", NULL};
	char *p = page();
	for (char *line = p; line && *line;) {
		char *nl = strchr(line, '\n');
		if (*line == '.' || *line == '\'') {
			bool ok = false;
			for (int i = 0; known[i] && !ok; i++)
				ok = !strncmp(line, known[i], strlen(known[i]));
			if (!ok)
				fprintf(stderr, "  stray request: %.*s\n",
				        (int)(nl ? nl - line : (long)strlen(line)), line);
			CHECK(ok);
		}
		line = nl ? nl + 1 : NULL;
	}
	CHECK(strstr(p, ".TH TECHBRIDGE 1 ") == strstr(p, ".TH "));
	free(p);
}

UNIT_MAIN(UNIT_CASE(checked_in_page_is_current), UNIT_CASE(every_command_and_flag_is_documented),
          UNIT_CASE(export_shows_its_run_time_flags), UNIT_CASE(no_stray_requests))
