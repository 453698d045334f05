/*
 * drivers/serial_test.c: the serial console's transmit ring, in KTAP.
 *
 * What the ring is for: a task that prints keeps interrupts off only to
 * copy its line, not while the UART sends it (at a real 115200 baud, a
 * 200-byte line is 17 ms: 17 lost ticks at HZ=1000). QEMU's UART sends
 * at once, so time would not show the difference; work does: the UART
 * register accesses made outside IRQ 4's handler (serial_sink_io), all
 * of them with interrupts off. Polled, a line costs at least two per
 * byte; through the ring, at most one (switching the TX interrupt on).
 */
#include <drivers/pit.h>
#include <drivers/serial.h>
#include <kernel/arch.h>
#include <kernel/ktest.h>
#include <kernel/printk.h>

#define LINE 200
#define FLOOD_LINES 40          /* 8 KB: twice the ring */

/* Wait (interrupts on) until IRQ 4 has sent what the ring holds. */
static bool ring_empty(void)
{
	for (unsigned i = 0; i < 100000 && serial_tx_pending(); i++)
		__asm__ volatile("sti; hlt" ::: "memory");
	return serial_tx_pending() == 0;
}

static void long_line(unsigned i)
{
	char s[LINE + 1];

	for (unsigned j = 0; j < LINE; j++)
		s[j] = 'a' + (i + j) % 26;
	s[LINE] = '\0';
	kprintf("# %s\n", s);
}

static void serial_long_line_costs_no_uart_work_with_irqs_off(
	struct ktest *t)
{
	unsigned io;

	KASSERT(t, irqs_enabled());
	KASSERT(t, ring_empty());
	io = serial_sink_io();
	long_line(0);
	io = serial_sink_io() - io;
	ktest_diag(t, "%u UART accesses with interrupts off for a %u-byte "
		   "line (polled: %u or more)", io, LINE + 4, 2 * (LINE + 4));
	KEXPECT(t, io <= 1);
	KEXPECT(t, ring_empty());
}

static void serial_flood_waits_for_room_with_irqs_on(struct ktest *t)
{
	uint64_t t0 = ticks_read();
	unsigned io;

	KASSERT(t, ring_empty());
	io = serial_sink_io();
	for (unsigned i = 0; i < FLOOD_LINES; i++)
		long_line(i);
	io = serial_sink_io() - io;
	ktest_diag(t, "%u lines of %u bytes: %u UART accesses with "
		   "interrupts off, %lu ticks", FLOOD_LINES, LINE + 4, io,
		   (unsigned long)(ticks_read() - t0));
	KEXPECT(t, io <= FLOOD_LINES);
	KEXPECT(t, ring_empty());
}

KTEST_SUITE(serial,
	KTEST_CASE(serial_long_line_costs_no_uart_work_with_irqs_off),
	KTEST_CASE(serial_flood_waits_for_room_with_irqs_on));
