/*
 * check.h - the unit-test harness: one header, no framework.
 *
 * A test program is a main() that calls TEST blocks.  Each check that fails
 * prints where and why; each test prints one line:
 *
 *     ok <suite>: <test>
 *     not ok <suite>: <test>  (file:line: expression)
 *
 * tests/run.sh counts those lines over every program it runs, so the
 * format is the contract.  A program exits 1 if any test failed.
 *
 *     int main(void) {
 *         TEST("json", "parses integers") {
 *             CHECK(parse("1") == 1);
 *         }
 *         return check_done();
 *     }
 */
#ifndef MCPOS_CHECK_H
#define MCPOS_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failed_tests;
static int check_current_failed;

static inline void check_begin(void) { check_current_failed = 0; }

static inline int check_end(const char *suite, const char *name)
{
	if (check_current_failed) {
		check_failed_tests++;
		printf("not ok %s: %s\n", suite, name);
	} else {
		printf("ok %s: %s\n", suite, name);
	}
	fflush(stdout);
	return 0;
}

/* TEST(suite, name) { body }  — the body runs exactly once. */
#define TEST(suite, name) \
	for (int check_once_ = (check_begin(), 1); check_once_; \
	     check_once_ = check_end((suite), (name)))

#define CHECK(expr) do { \
	if (!(expr)) { \
		check_current_failed = 1; \
		printf("#   %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #expr); \
	} \
} while (0)

/* CHECK_EQ for integers: prints both values. */
#define CHECK_EQ(a, b) do { \
	long long check_a_ = (long long)(a), check_b_ = (long long)(b); \
	if (check_a_ != check_b_) { \
		check_current_failed = 1; \
		printf("#   %s:%d: %s == %s failed: %lld != %lld\n", __FILE__, \
		       __LINE__, #a, #b, check_a_, check_b_); \
	} \
} while (0)

#define CHECK_STR(a, b) do { \
	const char *check_a_ = (a), *check_b_ = (b); \
	if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_) != 0) { \
		check_current_failed = 1; \
		printf("#   %s:%d: %s == %s failed: \"%s\" != \"%s\"\n", __FILE__, \
		       __LINE__, #a, #b, check_a_ ? check_a_ : "(null)", \
		       check_b_ ? check_b_ : "(null)"); \
	} \
} while (0)

static inline int check_done(void) { return check_failed_tests ? 1 : 0; }

#endif
