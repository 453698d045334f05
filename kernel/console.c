/*
 * kernel/console.c: console output fan-out and the input ring.
 *
 * Output goes to every sink the drivers added (the serial line, the VGA
 * screen) under one interrupt disable, so bytes from different contexts
 * never interleave mid-call.
 * Input is a single-producer (IRQ) single-consumer (the shell) ring; the
 * producer runs with interrupts off, the consumer disables them to take.
 */
#include <kernel/console.h>
#include <kernel/arch.h>
#include <kernel/lib/errno.h>

#define RING_SIZE 1024          /* power of two */

static char ring[RING_SIZE];
static unsigned head, tail;     /* [irq] head: producer, tail: consumer */
static unsigned dropped;

static void halt_wait(void)
{
	__asm__ volatile("sti; hlt; cli");
}

static const struct console_waiter halt_waiter = { halt_wait, NULL };
static const struct console_waiter *waiter = &halt_waiter;

static void (*sinks[CONSOLE_SINKS_MAX])(char c);        /* [irq] */
static unsigned nsinks;                                  /* [irq] */

int console_add_sink(void (*putc)(char c))
{
	uint32_t f = irq_save();
	int err = -ENOSPC;

	if (nsinks < CONSOLE_SINKS_MAX) {
		sinks[nsinks++] = putc;
		err = 0;
	}
	irq_restore(f);
	return err;
}

static void putc_irqoff(char c)
{
	for (unsigned i = 0; i < nsinks; i++)
		sinks[i](c);
}

void console_putc(char c)
{
	uint32_t f = irq_save();

	putc_irqoff(c);
	irq_restore(f);
}

void console_write(const char *s, size_t n)
{
	uint32_t f = irq_save();

	while (n--)
		putc_irqoff(*s++);
	irq_restore(f);
}

void console_input(char c)
{
	if (head - tail == RING_SIZE) {
		dropped++;
		return;
	}
	ring[head++ % RING_SIZE] = c;
	if (waiter->wake)
		waiter->wake();
}

bool console_poll(char *c)
{
	uint32_t f = irq_save();
	bool got = head != tail;

	if (got)
		*c = ring[tail++ % RING_SIZE];
	irq_restore(f);
	return got;
}

char console_getc(void)
{
	char c;

	/*
	 * Check and wait with interrupts off: an IRQ between the check and
	 * the wait would otherwise leave us asleep beside a full ring.
	 * Both waiters re-enable interrupts atomically with going to sleep.
	 */
	for (;;) {
		uint32_t f = irq_save();

		if (head != tail) {
			c = ring[tail++ % RING_SIZE];
			irq_restore(f);
			return c;
		}
		waiter->wait();
		irq_restore(f);
	}
}

unsigned console_dropped(void)
{
	return dropped;
}

void console_set_waiter(const struct console_waiter *w)
{
	waiter = w ? w : &halt_waiter;
}
