/*
 * <kernel/bench.h>: benchmarks, counted in TSC cycles.
 *
 * Under `make bench` QEMU runs with -icount shift=0,sleep=off: the TSC then
 * advances with executed instructions, not with host time, and every figure
 * is exact and repeats run after run. On real hardware or plain QEMU the
 * figures are real cycles, and vary.
 *
 * A subsystem adds its own figures where its code is:
 *
 *	static void bench_kmalloc(void)
 *	{
 *		uint64_t t0 = rdtsc();
 *		for (...) kfree(kmalloc(64));
 *		bench_report("kmalloc_kfree_64", rdtsc() - t0, N);
 *	}
 *	BENCH(kmalloc, bench_kmalloc);
 *
 * `bench` runs them all and prints a table row and one JSON line per
 * figure: {"name": "kmalloc_kfree_64", "cycles": 312, "n": 1000}, where
 * cycles is per operation (total / n, rounded down).
 *
 * A benchmark that cannot measure (a module file missing, a load that
 * fails) says so with bench_fail() and returns: the command prints
 * {"bench": "kmalloc", "error": "..."} and ends with an `error:` line, and
 * scripts/bench.py fails naming it. A benchmark that returns without a
 * figure and without saying why counts as failed too: a missing figure is
 * never silent.
 * Context: benchmarks run in the shell task and may sleep.
 */
#ifndef KERNEL_BENCH_H
#define KERNEL_BENCH_H

#include <stdint.h>

struct bench {
	const char *name;
	void (*run)(void);
};

#define BENCH(id, fn)                                                      \
	static const struct bench __bench_##id                             \
	__attribute__((used, section(".benches." #id), aligned(4))) =      \
		{ #id, fn }

/* Report total cycles over n operations. Context: task. */
void bench_report(const char *name, uint64_t total_cycles, uint32_t n);
/* The running benchmark failed: why, in a sentence. It should return
 * soon after; figures it reported before stand. Context: task. */
void bench_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
