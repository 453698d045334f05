/*
 * <kernel/ktest.h>: in-kernel test suites, reported as KTAP version 1.
 *
 * A suite is an array of cases gathered by the linker:
 *
 *	static void format_pads(struct ktest *t)
 *	{
 *		KEXPECT_EQ(t, ksnprintf(buf, 8, "%3d", 7), 3);
 *	}
 *	KTEST_SUITE(format, KTEST_CASE(format_pads), ...);
 *
 * `test all` runs every suite, `test NAME` (or a glob) some of them. Each
 * case runs under a fault catch: a fault fails the case and the run goes
 * on. KASSERT ends the case at once; KEXPECT records a failure and goes on.
 * Output:
 *	KTAP version 1
 *	1..2
 *	    KTAP version 1
 *	    # Subtest: format
 *	    1..1
 *	    ok 1 format_pads
 *	ok 1 format
 * Context: cases run in the shell's task: they may sleep.
 */
#ifndef KERNEL_KTEST_H
#define KERNEL_KTEST_H

#include <kernel/trap.h>
#include <stdbool.h>
#include <stdint.h>

struct ktest {
	const char *name;
	bool failed;
	bool skipped;
	char skip_reason[96];
	struct kjmp_buf abort;
};

struct ktest_case {
	const char *name;
	void (*run)(struct ktest *t);
};

struct ktest_suite {
	const char *name;
	const struct ktest_case *cases;
	unsigned ncases;
};

#define KTEST_CASE(fn) { #fn, fn }

#define KTEST_SUITE(sname, ...)                                            \
	static const struct ktest_case __ktest_cases_##sname[] = {         \
		__VA_ARGS__ };                                             \
	static const struct ktest_suite __ktest_suite_##sname              \
	__attribute__((used, section(".ktest_suites." #sname),             \
		       aligned(4))) = {                                    \
		#sname, __ktest_cases_##sname,                             \
		sizeof(__ktest_cases_##sname) /                            \
			sizeof(__ktest_cases_##sname[0]) }

void ktest_fail(struct ktest *t, bool fatal, const char *file, int line,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#define KEXPECT(t, cond)                                                  \
	do {                                                              \
		if (!(cond))                                              \
			ktest_fail(t, false, __FILE__, __LINE__, "%s",    \
				   #cond);                                \
	} while (0)

#define KASSERT(t, cond)                                                  \
	do {                                                              \
		if (!(cond))                                              \
			ktest_fail(t, true, __FILE__, __LINE__, "%s",     \
				   #cond);                                \
	} while (0)

#define KEXPECT_EQ(t, a, b)                                               \
	do {                                                              \
		long long __a = (long long)(a), __b = (long long)(b);     \
		if (__a != __b)                                           \
			ktest_fail(t, false, __FILE__, __LINE__,          \
				   "%s == %s: %lld != %lld", #a, #b,      \
				   __a, __b);                             \
	} while (0)

#define KASSERT_EQ(t, a, b)                                               \
	do {                                                              \
		long long __a = (long long)(a), __b = (long long)(b);     \
		if (__a != __b)                                           \
			ktest_fail(t, true, __FILE__, __LINE__,           \
				   "%s == %s: %lld != %lld", #a, #b,      \
				   __a, __b);                             \
	} while (0)

#define KEXPECT_STREQ(t, a, b)                                            \
	do {                                                              \
		const char *__a = (a), *__b = (b);                        \
		if (strcmp(__a, __b))                                     \
			ktest_fail(t, false, __FILE__, __LINE__,          \
				   "%s == %s: \"%s\" != \"%s\"", #a, #b,  \
				   __a, __b);                             \
	} while (0)

/* Print a diagnostic line "# ..." at the case's indentation. */
void ktest_diag(struct ktest *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Skip the rest of the case with a reason. Does not return. */
void ktest_skip(struct ktest *t, const char *reason)
	__attribute__((noreturn));
/*
 * The boot file NAME.ko a case needs. The ISO (and make bench's direct
 * boot) carry every module that was built, so a missing one is a broken
 * medium: the case fails, saying which file, and does not return. Never a
 * skip: a skipped case counts as passing, and would hide the loss.
 * Return: the file. Context: task.
 */
const struct boot_file *ktest_need_file(struct ktest *t, const char *name);

/*
 * Run fn(arg) expecting it to fault. Return: true if it faulted, with the
 * details in *fi (if not NULL); false if it returned normally. No report is
 * printed for the expected fault. Context: task.
 */
bool ktest_expect_fault(void (*fn)(void *), void *arg,
			struct fault_info *fi);

/* Run the suites whose names match pattern ("all" = every suite).
 * Return: the number of failed cases. */
int ktest_run(const char *pattern);
/* Cases run and failed since boot (poweroff's exit status uses these). */
extern unsigned ktest_total_run, ktest_total_failed;

#endif
