/*
 * drivers/pic.c: the 8259A pair. IRQs 0-15 arrive on vectors 32-47, clear of
 * the CPU's exceptions. Lines start masked; drivers unmask their own.
 */
#include <drivers/pic.h>
#include <kernel/arch.h>
#include <kernel/trap.h>

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xa0
#define PIC2_DATA 0xa1
#define PIC_EOI   0x20

/* What the IRQ path in kernel/trap.c asks of us. */
/* What the IRQ path in kernel/trap.c asks of us. */
static const struct irq_controller pic_controller = { pic_spurious, pic_eoi };

void pic_init(void)
{
	outb(PIC1_CMD, 0x11); io_wait();        /* ICW1: init, ICW4 follows */
	outb(PIC2_CMD, 0x11); io_wait();
	outb(PIC1_DATA, PIC_VECTOR_BASE); io_wait();
	outb(PIC2_DATA, PIC_VECTOR_BASE + 8); io_wait();
	outb(PIC1_DATA, 4); io_wait();          /* slave on IRQ 2 */
	outb(PIC2_DATA, 2); io_wait();
	outb(PIC1_DATA, 0x01); io_wait();       /* 8086 mode */
	outb(PIC2_DATA, 0x01); io_wait();
	outb(PIC1_DATA, 0xff & ~(1 << 2));      /* all masked but the cascade */
	outb(PIC2_DATA, 0xff);
	trap_set_irq_controller(&pic_controller);
}

void pic_mask(unsigned irq)
{
	uint16_t port = irq < 8 ? PIC1_DATA : PIC2_DATA;

	outb(port, inb(port) | (1 << (irq & 7)));
}

void pic_unmask(unsigned irq)
{
	uint16_t port = irq < 8 ? PIC1_DATA : PIC2_DATA;

	outb(port, inb(port) & ~(1 << (irq & 7)));
}

void pic_eoi(unsigned irq)
{
	if (irq >= 8)
		outb(PIC2_CMD, PIC_EOI);
	outb(PIC1_CMD, PIC_EOI);
}

bool pic_spurious(unsigned irq)
{
	uint16_t cmd = irq == 7 ? PIC1_CMD : PIC2_CMD;

	if (irq != 7 && irq != 15)
		return false;
	outb(cmd, 0x0b); /* read the in-service register */
	if (inb(cmd) & 0x80)
		return false;
	if (irq == 15)                          /* the master did see IRQ 2 */
		outb(PIC1_CMD, PIC_EOI);
	return true;
}
