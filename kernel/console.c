/*
 * kernel/console.c: console output fan-out and the input ring.
 *
 * Output goes to every sink the drivers added (the serial line, the VGA
 * screen) under one interrupt disable, so bytes from different contexts
 * never interleave mid-call. A sink may buffer (the serial line keeps a
 * transmit ring its interrupt drains): console_write then waits, with
 * interrupts on if the caller had them on, until the buffer has room for
 * the whole write, so the interrupts-off stretch is one memory copy, not
 * the time the line takes to leave the UART. console_flush() empties it,
 * polled, for a panic or a power-off.
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
	irq_wait_interrupt();
}

static const struct console_waiter halt_waiter = { halt_wait, NULL };
static const struct console_waiter *waiter = &halt_waiter;

static void (*sinks[CONSOLE_SINKS_MAX])(char c);        /* [irq] */
static const struct console_buffer *buffer;              /* [boot] */
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

void console_set_buffer(const struct console_buffer *b)
{
	buffer = b;
}

/*
 * Wait, interrupts on, until the buffering sink can take n bytes (or half
 * its size, for a longer write); bounded: no progress in WAIT_STUCK
 * wake-ups and the sink is flushed by polling. Caller: interrupts off, flags f saved
 * with them on; the wait halts until the next interrupt, the sink's
 * transmit interrupt or the tick, each of which makes progress.
 */
#define WAIT_STUCK 100          /* wake-ups without progress, then poll */

static void wait_room(size_t n)
{
	size_t want = n < buffer->size / 2 ? n : buffer->size / 2;
	unsigned last = buffer->room(), stuck = 0;

	while (buffer->room() < want) {
		irq_wait_interrupt();     /* the lock dropped meanwhile */
		if (buffer->room() > last) {
			last = buffer->room();
			stuck = 0;
		} else if (++stuck == WAIT_STUCK) {
			/* The transmit interrupt stopped (a broken UART, or an
			 * emulation without it): empty the ring by polling,
			 * which gives a dead UART up, rather than hang. */
			buffer->flush();
			stuck = 0;
		}
	}
}

void console_write(const char *s, size_t n)
{
	uint32_t f = irq_save();

	if (buffer && (f & EFLAGS_IF))
		wait_room(n);
	while (n--)
		putc_irqoff(*s++);
	irq_restore(f);
}

void console_flush(void)
{
	uint32_t f = irq_save();

	if (buffer)
		buffer->flush();
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
