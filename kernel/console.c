/*
 * kernel/console.c: console output fan-out and the input ring.
 *
 * Output goes to the serial line and the VGA screen under one interrupt
 * disable, so bytes from different contexts never interleave mid-call.
 * Input is a single-producer (IRQ) single-consumer (the shell) ring; the
 * producer runs with interrupts off, the consumer disables them to take.
 */
#include <kernel/console.h>
#include <kernel/arch.h>
#include <drivers/serial.h>
#include <drivers/vga.h>

#define RING_SIZE 1024          /* power of two */

static char ring[RING_SIZE];
static unsigned head, tail;     /* [irq off] head: producer, tail: consumer */
static unsigned dropped;

static void halt_wait(void)
{
	__asm__ volatile("sti; hlt; cli");
}

static const struct console_waiter halt_waiter = { halt_wait, NULL };
static const struct console_waiter *waiter = &halt_waiter;

static void putc_locked(char c)
{
	if (c == '\n')
		serial_putc('\r');
	serial_putc(c);
	vga_putc(c);
}

void console_putc(char c)
{
	uint32_t f = irq_save();

	putc_locked(c);
	irq_restore(f);
}

void console_write(const char *s, size_t n)
{
	uint32_t f = irq_save();

	while (n--)
		putc_locked(*s++);
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
