/*
 * kernel/panic.c: the end of the line for a broken invariant.
 *
 * Prints the reason, the trap frame when there is one, a backtrace and the
 * tail of the log, then exits QEMU with the failure code (a test never waits
 * out its timeout because of a panic), or halts on real hardware.
 */
#include <kernel/panic.h>
#include <kernel/arch.h>
#include <kernel/backtrace.h>
#include <kernel/console.h>
#include <kernel/lib/format.h>
#include <kernel/printk.h>
#include <kernel/trap.h>

static int panicking;
static void (*machine_off)(bool success);

void panic_set_poweroff(void (*off)(bool success))
{
	machine_off = off;
}

/* Exit with the failure status where the machine can (QEMU exits 35),
 * else stop here for good. */
static __attribute__((noreturn)) void stop(void)
{
	console_flush();        /* the report may sit in the serial ring */
	if (machine_off)
		machine_off(false);
	for (;;)
		hlt();
}

static void vpanic(struct trap_frame *tf, const char *fmt, va_list ap)
{
	char msg[200];

	cli();
	/* With several CPUs another may hold the interrupt lock and never
	 * let go (a lockup panics too): print, flush and exit without it.
	 * The kernel is over; the other CPUs' sections stop excluding. */
	irqlock_on = false;
	if (panicking++) {      /* a panic while panicking: just stop */
		stop();
	}
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	kprintf("\n*** kernel panic: %s\n", msg);
	if (tf)
		backtrace_print(tf->eip, tf->ebp, "    ");
	else
		backtrace_print((uintptr_t)__builtin_return_address(0),
				read_ebp(), "    ");
	kprintf("*** end of panic; halting (QEMU exits with status 35)\n");
	stop();
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpanic(NULL, fmt, ap);
	va_end(ap);
	for (;;)
		;
}

void panic_frame(struct trap_frame *tf, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpanic(tf, fmt, ap);
	va_end(ap);
	for (;;)
		;
}
