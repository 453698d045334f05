/*
 * kernel/crash.c: deliberate faults, for labs and for the tests that prove
 * the fault path reports and survives. Each prints its full report (cause,
 * registers, symbolized backtrace) and the shell comes back.
 *
 * Two more break a lock rule on purpose, to show (and test) that the rule
 * is checked: those panic, and the kernel stops, as it must when its own
 * locking is wrong (docs/smp.md, "Locking").
 */
#include <kernel/shell.h>
#include <kernel/lib/errno.h>
#include <kernel/printk.h>
#include <kernel/lib/string.h>
#include <kernel/cpu.h>
#include <sched/sched.h>
#include <sched/spinlock.h>
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

static struct spinlock crash_lock = SPINLOCK_INIT("crash");

/* The one lock order: the interrupt lock first (irq_save), then a
 * spinlock. This takes the spinlock alone, interrupts on. */
__attribute__((noinline)) void crash_lock_order(void)
{
	if (cpus_online < 2) {
		kprintf("crash: one CPU: there is no interrupt lock to take "
			"first, so no order to break (boot with SMP=2)\n");
		return;
	}
	kprintf("crash: taking spinlock 'crash' without irq_save ...\n");
	spin_lock(&crash_lock);
	spin_unlock(&crash_lock);
}

/* No sleep with a spinlock held. */
__attribute__((noinline)) void crash_sleep_locked(void)
{
	uint32_t f = spin_lock_irqsave(&crash_lock);

	kprintf("crash: sleeping 1 ms holding spinlock 'crash' ...\n");
	sleep_ms(1);
	spin_unlock_irqrestore(&crash_lock, f);
}

static const struct {
	const char *name;
	void (*fn)(void);
	const char *what;
} kinds[] = {
	{ "null", crash_null_read, "read from address 0 (page fault)" },
	{ "rotext", crash_rotext_write,
	  "write to read-only kernel text (page fault, CR0.WP)" },
	{ "div0", crash_divide, "divide by zero (divide error)" },
	{ "ud", crash_invalid_op, "invalid opcode" },
	{ "lockorder", crash_lock_order, "a spinlock without the interrupt "
	  "lock first (2+ CPUs; panics)" },
	{ "sleeplock", crash_sleep_locked, "sleep holding a spinlock "
	  "(panics)" },
};

static int cmd_crash(int argc, char **argv)
{
	for (unsigned i = 0; argc == 2 && i < sizeof(kinds) / sizeof(kinds[0]);
	     i++)
		if (!strcmp(argv[1], kinds[i].name)) {
			kinds[i].fn();
			return 0;
		}
	kprintf("usage: crash KIND, where KIND is one of:\n");
	for (unsigned i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		kprintf("  %-10s %s\n", kinds[i].name, kinds[i].what);
	return cmd_error(-EINVAL, "crash needs one KIND");
}
COMMAND(crash, "crash", "null|rotext|div0|ud|lockorder|sleeplock",
	"fault on purpose: see the report, watch the kernel survive (the "
	"two lock rules panic)",
	cmd_crash);
