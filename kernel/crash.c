/*
 * kernel/crash.c: deliberate faults, for labs and for the tests that prove
 * the fault path reports and survives. Each prints its full report (cause,
 * registers, symbolized backtrace) and the shell comes back.
 *
 * Higher layers add kinds of their own (crash_add_kind): the scheduler's
 * two that break a lock rule on purpose (sched/lockrules.c) panic, as the
 * kernel must when its own locking is wrong.
 */
#include <kernel/crash.h>
#include <kernel/shell.h>
#include <kernel/lib/errno.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/lib/string.h>
#include <stdint.h>

/* noinline: each gets its own frame, so the backtrace names it. */
__attribute__((noinline)) void crash_null_read(void)
{
	volatile int *p = NULL;

	kprintf("crash: reading address 0 ...\n");
	(void)*p;
}

__attribute__((noinline)) void crash_rotext_write(void)
{
	volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)crash_null_read;

	kprintf("crash: writing to kernel text at %p ...\n", (void *)p);
	*p = 0xcc;
}

__attribute__((noinline)) void crash_divide(void)
{
	volatile int zero = 0;
	volatile int x = 1;

	kprintf("crash: dividing by zero ...\n");
	x = x / zero;
}

__attribute__((noinline)) void crash_invalid_op(void)
{
	kprintf("crash: executing ud2 ...\n");
	__asm__ volatile("ud2");
}

#define CRASH_KINDS 8

static struct {
	const char *name;
	void (*fn)(void);
	const char *what;
} kinds[CRASH_KINDS] = {
	{ "null", crash_null_read, "read from address 0 (page fault)" },
	{ "rotext", crash_rotext_write,
	  "write to read-only kernel text (page fault, CR0.WP)" },
	{ "div0", crash_divide, "divide by zero (divide error)" },
	{ "ud", crash_invalid_op, "invalid opcode" },
};
static unsigned nkinds = 4;             /* [boot] only grows */

void crash_add_kind(const char *name, void (*fn)(void), const char *what)
{
	assert(nkinds < CRASH_KINDS);
	kinds[nkinds].name = name;
	kinds[nkinds].fn = fn;
	kinds[nkinds].what = what;
	nkinds++;
}

static int cmd_crash(int argc, char **argv)
{
	for (unsigned i = 0; argc == 2 && i < nkinds; i++)
		if (!strcmp(argv[1], kinds[i].name)) {
			kinds[i].fn();
			return 0;
		}
	kprintf("usage: crash KIND, where KIND is one of:\n");
	for (unsigned i = 0; i < nkinds; i++)
		kprintf("  %-10s %s\n", kinds[i].name, kinds[i].what);
	return cmd_error(-EINVAL, "crash needs one KIND");
}
COMMAND(crash, "crash",
	"KIND (null|rotext|div0|ud|lockorder|sleeplock|lockup)",
	"fault on purpose: see the report (the lock rules stop the kernel)",
	cmd_crash);
