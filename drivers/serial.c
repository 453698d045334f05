/*
 * drivers/serial.c: COM1, the Quiesce console's main line.
 *
 * Output has two modes:
 *   - polled, until serial_enable_irq(): each byte waits for the
 *     transmitter (bounded: SERIAL_WAIT polls), as the first boot lines
 *     need;
 *   - interrupt driven after it: the console sink only copies the byte
 *     into a transmit ring (TX_RING bytes) and switches the "transmitter
 *     empty" interrupt on; IRQ 4 moves up to 16 bytes (the FIFO) from the
 *     ring to the UART each time the FIFO runs dry, and switches that
 *     interrupt off when the ring is empty.
 * So printing a line keeps interrupts off for a memory copy, not for the
 * 22 ms a 256-byte line takes at a real 115200 baud. The console waits,
 * interrupts on, for room (struct console_buffer); a writer with
 * interrupts off that finds the ring full pushes the oldest byte out by
 * polling. serial_flush() empties the ring by polling: a panic, poweroff
 * and reboot call it (through console_flush) before the machine stops.
 * Bytes leave in the order they were written, in either mode.
 *
 * Input: IRQ 4 reads every byte waiting in the receive buffer and hands
 * it to console_input().
 */
#include <drivers/serial.h>
#include <drivers/pic.h>
#include <kernel/arch.h>
#include <kernel/console.h>
#include <kernel/trap.h>

#define COM1 0x3f8
#define REG_DATA 0
#define REG_IER  1      /* interrupt enable */
#define REG_IIR  2      /* interrupt identification (read) */
#define REG_FCR  2      /* FIFO control (write) */
#define REG_LCR  3      /* line control */
#define REG_MCR  4      /* modem control */
#define REG_LSR  5      /* line status */
#define REG_SCR  7      /* scratch */
#define IER_RX   0x01
#define IER_TX   0x02   /* transmitter holding register empty */
#define IIR_NONE 0x01   /* no interrupt pending */
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY  0x20
#define FIFO_BYTES 16

static bool present;
#define SERIAL_WAIT 100000           /* LSR polls for one byte */
#define SERIAL_DEAD_AFTER 16         /* bytes missed in a row */

/*
 * The transmit ring. Lock: interrupts off (one CPU): the sink runs with
 * them off, the IRQ handler by nature. head - tail <= TX_RING always.
 */
#define TX_RING 4096                 /* power of two */
static char tx_ring[TX_RING];
static uint32_t tx_head, tx_tail;    /* [irq] bytes written, bytes sent */
static bool irq_mode;                /* [boot] ring and IRQ 4 in use */
static bool tx_irq_on;               /* [irq] IER_TX set */
static uint32_t sink_io;             /* [irq] UART accesses, not in IRQ 4 */

static void assert_ring(void)
{
	if (tx_head - tx_tail > TX_RING)
		for (;;)        /* a broken ring: stop rather than print junk */
			hlt();
}

/* One byte out, polled and bounded. Return: false if the UART is gone. */
static bool put_polled(char c)
{
	static unsigned missed;
	unsigned n = 0;

	while (!(inb(COM1 + REG_LSR) & LSR_THR_EMPTY))
		if (++n > SERIAL_WAIT) {
			sink_io += n;
			if (++missed >= SERIAL_DEAD_AFTER)
				present = false;
			return false;
		}
	missed = 0;
	outb(COM1 + REG_DATA, (uint8_t)c);
	sink_io += n + 2;
	return true;
}

/* Empty the ring by polling. Context: interrupts off. */
static void drain_polled(void)
{
	while (present && tx_head != tx_tail)
		if (put_polled(tx_ring[tx_tail % TX_RING]))
			tx_tail++;
		else if (!present)
			tx_tail = tx_head;      /* nobody will read them */
}

static void queue(char c)
{
	if (tx_head - tx_tail == TX_RING) {     /* full: make room, polled */
		if (put_polled(tx_ring[tx_tail % TX_RING]) || !present)
			tx_tail++;
	}
	tx_ring[tx_head++ % TX_RING] = c;
	assert_ring();
	if (!tx_irq_on) {
		tx_irq_on = true;
		sink_io++;
		outb(COM1 + REG_IER, IER_RX | IER_TX);
	}
}

/* The console's sink: "\n" goes out as "\r\n" on the line. */
static void serial_console_putc(char c)
{
	if (c == '\n')
		serial_putc('\r');
	serial_putc(c);
}

void serial_putc(char c)
{
	if (!present)
		return;
	if (irq_mode)
		queue(c);
	else
		put_polled(c);
}

static unsigned tx_room(void)
{
	return irq_mode && present ? TX_RING - (tx_head - tx_tail) : TX_RING;
}

void serial_flush(void)
{
	uint32_t f = irq_save();

	drain_polled();
	irq_restore(f);
}

static const struct console_buffer tx_buffer = {
	.size = TX_RING, .room = tx_room, .flush = serial_flush,
};

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

/* The FIFO is empty: refill it from the ring, or stop the TX interrupt. */
static void tx_refill(void)
{
	if (tx_head == tx_tail) {
		tx_irq_on = false;
		outb(COM1 + REG_IER, IER_RX);
		return;
	}
	for (unsigned i = 0; i < FIFO_BYTES && tx_head != tx_tail; i++)
		outb(COM1 + REG_DATA, (uint8_t)tx_ring[tx_tail++ % TX_RING]);
}

/*
 * Until the UART says nothing is pending (bounded: the PIC's IRQ 4 is
 * edge triggered, so a cause left pending would never interrupt again).
 */
static void serial_irq(struct trap_frame *tf)
{
	for (unsigned i = 0; i < 64; i++) {
		uint8_t lsr;

		if (inb(COM1 + REG_IIR) & IIR_NONE)
			break;
		while ((lsr = inb(COM1 + REG_LSR)) & LSR_DATA_READY)
			console_input((char)inb(COM1 + REG_DATA));
		if (tx_irq_on && (lsr & LSR_THR_EMPTY))
			tx_refill();
	}
}

void serial_enable_irq(void)
{
	if (!present)
		return;
	irq_register(4, serial_irq);
	outb(COM1 + REG_IER, IER_RX);
	irq_mode = true;
	console_set_buffer(&tx_buffer);
	pic_unmask(4);
}

unsigned serial_tx_pending(void)
{
	uint32_t f = irq_save();
	unsigned n = tx_head - tx_tail;

	irq_restore(f);
	return n;
}

unsigned serial_sink_io(void)
{
	return sink_io;
}
