/*
 * kernel/ktest.c: running test suites and printing KTAP.
 *
 * Each case runs under two non-local exits: t->abort (KASSERT, skip) and a
 * quiet fault catch (an unexpected fault becomes a failed case with the
 * fault's details, and the next case runs). A fault a case expects is
 * caught by ktest_expect_fault()'s own, inner catch.
 */
#include <kernel/ktest.h>
#include <kernel/arch.h>
#include <kernel/boot.h>
#include <kernel/lib/errno.h>
#include <kernel/lib/format.h>
#include <kernel/ksyms.h>
#include <kernel/lib/parse.h>
#include <kernel/printk.h>
#include <kernel/shell.h>
#include <kernel/lib/string.h>

extern const struct ktest_suite __ktest_suites_start[], __ktest_suites_end[];

unsigned ktest_total_run, ktest_total_failed;

void ktest_diag(struct ktest *t, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kprintf("    # %s\n", msg);
}

void ktest_fail(struct ktest *t, bool fatal, const char *file, int line,
		const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kprintf("    # %s: %s:%d: expected %s\n", t->name, file, line, msg);
	t->failed = true;
	if (fatal)
		klongjmp(&t->abort, 1);
}

void ktest_skip(struct ktest *t, const char *reason)
{
	t->skipped = true;
	kstrlcpy(t->skip_reason, reason, sizeof(t->skip_reason));
	klongjmp(&t->abort, 1);
}

const struct boot_file *ktest_need_file(struct ktest *t, const char *name)
{
	const struct boot_file *bf = boot_file_find(name);

	if (!bf) {
		kprintf("    # %s: %s.ko is not on the boot medium (every "
			"built module should be)\n", t->name, name);
		t->failed = true;
		klongjmp(&t->abort, 1);
	}
	return bf;
}

bool ktest_expect_fault(void (*fn)(void *), void *arg,
			struct fault_info *fi)
{
	struct fault_catch fc;

	if (fault_catch_enter(&fc, true) == 0) {
		fn(arg);
		fault_catch_leave(&fc);
		return false;
	}
	if (fi)
		*fi = fc.info;
	return true;
}

static void run_case(const struct ktest_case *c, unsigned idx)
{
	struct ktest t = { .name = c->name };
	struct fault_catch fc;
	char sym[96];

	if (ksetjmp(&t.abort) == 0) {
		if (fault_catch_enter(&fc, true) == 0) {
			c->run(&t);
			fault_catch_leave(&fc);
		} else {
			ksyms_format(fc.info.eip, sym, sizeof(sym));
			kprintf("    # %s: unexpected %s at EIP %08lx %s, "
				"address %08lx\n", c->name,
				trap_name(fc.info.vector),
				(unsigned long)fc.info.eip, sym,
				(unsigned long)fc.info.addr);
			t.failed = true;
		}
	} else {
		/* KASSERT or skip: our fault catch is still armed, and
		 * we may have jumped out of irq_save sections. */
		uint32_t f = irq_save_local();

		irqlock_set_depth(0);
		irq_restore_local(f);
		fault_catch_leave(&fc);
	}
	ktest_total_run++;
	if (t.skipped && !t.failed) {
		kprintf("    ok %u %s # SKIP %s\n", idx, c->name,
			t.skip_reason);
		return;
	}
	if (t.failed)
		ktest_total_failed++;
	kprintf("    %sok %u %s\n", t.failed ? "not " : "", idx, c->name);
}

static bool matches(const struct ktest_suite *s, const char *pattern)
{
	return !strcmp(pattern, "all") || glob_match(pattern, s->name);
}

int ktest_run(const char *pattern)
{
	unsigned nsuites = 0, idx = 0, failed_before = ktest_total_failed;
	const struct ktest_suite *s;
	uint64_t t0 = printk_clock_ms();

	for (s = __ktest_suites_start; s < __ktest_suites_end; s++)
		nsuites += matches(s, pattern);
	kprintf("KTAP version 1\n1..%u\n", nsuites);
	for (s = __ktest_suites_start; s < __ktest_suites_end; s++) {
		unsigned before = ktest_total_failed;

		if (!matches(s, pattern))
			continue;
		kprintf("    KTAP version 1\n    # Subtest: %s\n    1..%u\n",
			s->name, s->ncases);
		for (unsigned i = 0; i < s->ncases; i++)
			run_case(&s->cases[i], i + 1);
		kprintf("%sok %u %s\n",
			ktest_total_failed != before ? "not " : "", ++idx,
			s->name);
	}
	/* The kernel's clock: under -icount it counts instructions, so a
	 * harness can compare runs whatever the host's load. */
	kprintf("# test %s: %llu ms by the kernel's clock\n", pattern,
		(unsigned long long)(printk_clock_ms() - t0));
	return ktest_total_failed - failed_before;
}

static int cmd_test(int argc, char **argv)
{
	const struct ktest_suite *s;
	unsigned n = 0;

	if (argc > 2)
		return cmd_error(-EINVAL, "usage: test [SUITE|all|list]");
	if (argc == 2 && !strcmp(argv[1], "list")) {
		for (s = __ktest_suites_start; s < __ktest_suites_end; s++)
			kprintf("  %-20s %u cases\n", s->name, s->ncases);
		return 0;
	}
	for (s = __ktest_suites_start; s < __ktest_suites_end; s++)
		n += matches(s, argc == 2 ? argv[1] : "all");
	if (!n)
		return cmd_error(-ENOENT, "no test suite matches '%s'; "
				 "'test list' shows them", argv[1]);
	n = ktest_run(argc == 2 ? argv[1] : "all");
	if (n)
		return cmd_error(-EIO, "%u test case%s failed", n,
				 n == 1 ? "" : "s");
	return 0;
}
COMMAND(test, "test", "[SUITE|all|list]",
	"run in-kernel test suites, printing KTAP", cmd_test);
