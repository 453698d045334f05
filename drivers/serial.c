/*
 * drivers/serial.c: COM1, the Quiesce console's main line.
 *
 * Output: polled, byte by byte, never dropped. Input: IRQ 4 reads every byte
 * waiting in the receive buffer and hands it to console_input().
 */
#include <drivers/serial.h>
#include <drivers/pic.h>
#include <kernel/arch.h>
#include <kernel/console.h>
#include <kernel/trap.h>

#define COM1 0x3f8
#define REG_DATA 0
#define REG_IER  1      /* interrupt enable */
#define REG_FCR  2      /* FIFO control */
#define REG_LCR  3      /* line control */
#define REG_MCR  4      /* modem control */
#define REG_LSR  5      /* line status */
#define REG_SCR  7      /* scratch */
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY  0x20

static bool present;
#define SERIAL_WAIT 100000           /* LSR polls for one byte */
#define SERIAL_DEAD_AFTER 16         /* bytes missed in a row */

/* The console's sink: "\n" goes out as "\r\n" on the line. */
static void serial_console_putc(char c)
{
	if (c == '\n')
		serial_putc('\r');
	serial_putc(c);
}

bool serial_init(void)
{
	outb(COM1 + REG_SCR, 0x5a);
	if (inb(COM1 + REG_SCR) != 0x5a)
		return false;
	outb(COM1 + REG_IER, 0x00);
	outb(COM1 + REG_LCR, 0x80);     /* DLAB: set the divisor */
	outb(COM1 + REG_DATA, 1);       /* 115200 / 1 */
	outb(COM1 + REG_IER, 0);
	outb(COM1 + REG_LCR, 0x03);     /* 8 bits, no parity, 1 stop */
	outb(COM1 + REG_FCR, 0xc7);     /* FIFOs on, cleared, 14-byte trigger */
	outb(COM1 + REG_MCR, 0x0b);     /* DTR, RTS, OUT2 (IRQ gate) */
	present = true;
	console_add_sink(serial_console_putc);
	return true;
}

/*
 * Polled output, bounded: a UART that stops taking bytes (gone, or a
 * broken emulation) costs SERIAL_WAIT polls per byte, never a hang; after
 * SERIAL_DEAD_AFTER bytes in a row it is given up, and the VGA mirror
 * carries on alone.
 */
void serial_putc(char c)
{
	static unsigned missed;
	unsigned n = 0;

	if (!present)
		return;
	while (!(inb(COM1 + REG_LSR) & LSR_THR_EMPTY))
		if (++n > SERIAL_WAIT) {
			if (++missed >= SERIAL_DEAD_AFTER)
				present = false;
			return;
		}
	missed = 0;
	outb(COM1 + REG_DATA, (uint8_t)c);
}

static void serial_irq(struct trap_frame *tf)
{
	while (inb(COM1 + REG_LSR) & LSR_DATA_READY)
		console_input((char)inb(COM1 + REG_DATA));
}

void serial_enable_irq(void)
{
	if (!present)
		return;
	irq_register(4, serial_irq);
	outb(COM1 + REG_IER, 0x01);     /* received data available */
	pic_unmask(4);
}
