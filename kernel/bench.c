/*
 * kernel/bench.c: the `bench` command and the figures of the foundation.
 *
 * Each benchmark warms up first (one untimed round), so the figure is the
 * steady state, not the first-touch cost of a page or a cache line.
 * A benchmark fails by bench_fail(), or by reporting no figure at all;
 * the command then ends with an error naming every failed benchmark.
 */
#include <kernel/bench.h>
#include <kernel/arch.h>
#include <kernel/lib/errno.h>
#include <kernel/lib/parse.h>
#include <kernel/printk.h>
#include <kernel/shell.h>
#include <kernel/lib/format.h>
#include <kernel/lib/string.h>

extern const struct bench __benches_start[], __benches_end[];
extern uint64_t boot_tsc_start, boot_tsc_prompt;

static const struct bench *running;     /* [shell] the benchmark running */
static unsigned figures;                /* [shell] it has reported so far */
static bool failed;                     /* [shell] it called bench_fail */

void bench_report(const char *name, uint64_t total, uint32_t n)
{
	uint64_t per = n ? total / n : total;

	figures++;
	kprintf("  %-40s %12llu cycles  (n=%lu)\n", name,
		(unsigned long long)per, (unsigned long)n);
	kprintf("{\"name\": \"%s\", \"cycles\": %llu, \"n\": %lu}\n", name,
		(unsigned long long)per, (unsigned long)n);
}

void bench_fail(const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Keep the JSON line valid whatever the message holds. */
	for (char *c = msg; *c; c++)
		if (*c == '"' || *c == '\\' || *c < ' ')
			*c = '\'';
	failed = true;
	kprintf("  %-40s FAILED: %s\n", running ? running->name : "?", msg);
	kprintf("{\"bench\": \"%s\", \"error\": \"%s\"}\n",
		running ? running->name : "?", msg);
}

/* Run b. Return: true if it reported a figure and did not fail. */
static bool run_one(const struct bench *b)
{
	running = b;
	figures = 0;
	failed = false;
	b->run();
	if (!figures && !failed)
		bench_fail("returned without a figure");
	running = NULL;
	return !failed;
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
	char names[120] = "";
	unsigned n = 0, nfailed = 0;
	size_t len;

	kprintf("benchmark                                        "
		"per operation\n");
	for (const struct bench *b = __benches_start; b < __benches_end; b++)
		if (glob_match(pattern, b->name)) {
			n++;
			if (run_one(b))
				continue;
			len = strlen(names);
			ksnprintf(names + len, sizeof(names) - len, "%s%s",
				  nfailed++ ? ", " : "", b->name);
		}
	if (!n)
		return cmd_error(-ENOENT, "no benchmark matches '%s'", pattern);
	if (nfailed)
		return cmd_error(-EIO, "%u benchmark%s failed (%s); their "
				 "figures are missing", nfailed,
				 nfailed == 1 ? "" : "s", names);
	return 0;
}
COMMAND(bench, "bench", "[PATTERN]",
	"run benchmarks: cycles per operation, and JSON lines", cmd_bench);
