/*
 * kernel/bench.c: the `bench` command and the figures of the foundation.
 *
 * Each benchmark warms up first (one untimed round), so the figure is the
 * steady state, not the first-touch cost of a page or a cache line.
 */
#include <kernel/bench.h>
#include <kernel/arch.h>
#include <kernel/lib/errno.h>
#include <kernel/lib/parse.h>
#include <kernel/printk.h>
#include <kernel/shell.h>
#include <kernel/lib/string.h>

extern const struct bench __benches_start[], __benches_end[];
extern uint64_t boot_tsc_start, boot_tsc_prompt;

void bench_report(const char *name, uint64_t total, uint32_t n)
{
	uint64_t per = n ? total / n : total;

	kprintf("  %-40s %12llu cycles  (n=%lu)\n", name,
		(unsigned long long)per, (unsigned long)n);
	kprintf("{\"name\": \"%s\", \"cycles\": %llu, \"n\": %lu}\n", name,
		(unsigned long long)per, (unsigned long)n);
}

static void bench_boot(void)
{
	bench_report("boot_kernel_entry_to_prompt",
		     boot_tsc_prompt - boot_tsc_start, 1);
}
BENCH(boot, bench_boot);

static int cmd_bench(int argc, char **argv)
{
	const char *pattern = argc > 1 ? argv[1] : "*";
	unsigned n = 0;

	kprintf("benchmark                                        "
		"per operation\n");
	for (const struct bench *b = __benches_start; b < __benches_end; b++)
		if (glob_match(pattern, b->name)) {
			b->run();
			n++;
		}
	if (!n)
		return cmd_error(-ENOENT, "no benchmark matches '%s'", pattern);
	return 0;
}
COMMAND(bench, "bench", "[PATTERN]",
	"run benchmarks: cycles per operation, and JSON lines", cmd_bench);
