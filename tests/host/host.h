/*
 * tests/host/host.h: a tiny unit test harness for kernel logic on the host.
 *
 * Host tests compile the kernel's own pure-logic sources (named in the
 * test's "// host-sources:" line) with ASan and UBSan. The kernel's panic()
 * becomes an abort with the message, so a broken invariant fails the test.
 *
 *	TEST(parse_splits_words) { ... CHECK(x == 1); CHECK_EQ(a, b); }
 *	int main(void) { RUN(parse_splits_words); return host_done(); }
 *
 * Output: one "ok"/"not ok" line per test and a last line
 * "host: NAME: N passed, N failed".
 */
#ifndef TESTS_HOST_H
#define TESTS_HOST_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int host_failed_checks, host_passed, host_failed;
static const char *host_current;

__attribute__((noreturn, format(printf, 1, 2)))
void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "panic in %s: ", host_current ? host_current : "?");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

#define TEST(name) static void name(void)

#define CHECK(cond)                                                       \
	do {                                                              \
		if (!(cond)) {                                            \
			fprintf(stderr, "  %s:%d: CHECK(%s) failed\n",    \
				__FILE__, __LINE__, #cond);               \
			host_failed_checks++;                             \
		}                                                         \
	} while (0)

#define CHECK_EQ(a, b)                                                    \
	do {                                                              \
		long long __a = (long long)(a), __b = (long long)(b);     \
		if (__a != __b) {                                         \
			fprintf(stderr, "  %s:%d: %s == %s: %lld != %lld\n",\
				__FILE__, __LINE__, #a, #b, __a, __b);    \
			host_failed_checks++;                             \
		}                                                         \
	} while (0)

#define CHECK_STREQ(a, b)                                                 \
	do {                                                              \
		const char *__a = (a), *__b = (b);                        \
		if (strcmp(__a, __b)) {                                   \
			fprintf(stderr, "  %s:%d: %s == %s: \"%s\" != \"%s\"\n",\
				__FILE__, __LINE__, #a, #b, __a, __b);    \
			host_failed_checks++;                             \
		}                                                         \
	} while (0)

#define RUN(name)                                                         \
	do {                                                              \
		int __before = host_failed_checks;                        \
		host_current = #name;                                     \
		name();                                                   \
		if (host_failed_checks == __before) {                     \
			host_passed++;                                    \
			printf("ok %s\n", #name);                         \
		} else {                                                  \
			host_failed++;                                    \
			printf("not ok %s\n", #name);                     \
		}                                                         \
	} while (0)

static inline int host_done_named(const char *file)
{
	printf("host: %s: %d passed, %d failed\n", file, host_passed,
	       host_failed);
	return host_failed ? 1 : 0;
}
#define host_done() host_done_named(__FILE__)

#endif
