/*
 * unit: a minimal table-driven test harness. A test file defines cases as
 * functions, lists them in UNIT_MAIN, and uses CHECK / CHECK_STR / CHECK_INT;
 * a failed check prints file:line and marks the case failed. Output is TAP.
 */
#ifndef TB_TESTS_UNIT_H
#define TB_TESTS_UNIT_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int unit_failed_checks;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
			unit_failed_checks++;                                                      \
		}                                                                                  \
	} while (0)

#define CHECK_STR(got, want)                                                                       \
	do {                                                                                       \
		const char *g_ = (got), *w_ = (want);                                              \
		if (!g_ || !w_ ? g_ != w_ : strcmp(g_, w_) != 0) {                                 \
			fprintf(stderr, "  %s:%d: %s is \"%s\", want \"%s\"\n", __FILE__,          \
			        __LINE__, #got, g_ ? g_ : "(null)", w_ ? w_ : "(null)");           \
			unit_failed_checks++;                                                      \
		}                                                                                  \
	} while (0)

#define CHECK_INT(got, want)                                                                       \
	do {                                                                                       \
		long long g_ = (long long)(got), w_ = (long long)(want);                           \
		if (g_ != w_) {                                                                    \
			fprintf(stderr, "  %s:%d: %s is %lld, want %lld\n", __FILE__, __LINE__,    \
			        #got, g_, w_);                                                     \
			unit_failed_checks++;                                                      \
		}                                                                                  \
	} while (0)

struct unit_case {
	const char *name;
	void (*fn)(void);
};

static inline int unit_run(const struct unit_case *cases, int n)
{
	int failed = 0;
	printf("1..%d\n", n);
	for (int i = 0; i < n; i++) {
		int before = unit_failed_checks;
		cases[i].fn();
		bool ok = unit_failed_checks == before;
		printf("%s %d - %s\n", ok ? "ok" : "not ok", i + 1, cases[i].name);
		failed += !ok;
	}
	return failed ? 1 : 0;
}

#define UNIT_CASE(f)                                                                               \
	{                                                                                          \
#f, f                                                                              \
	}
#define UNIT_MAIN(...)                                                                             \
	int main(void)                                                                             \
	{                                                                                          \
		static const struct unit_case cases_[] = {__VA_ARGS__};                            \
		return unit_run(cases_, (int)(sizeof cases_ / sizeof cases_[0]));                  \
	}

#endif
