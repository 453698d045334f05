/*
 * drivers/pit.c: the 8254 programmable interval timer, the kernel's clock.
 */
#include <drivers/pit.h>
#include <drivers/pic.h>
#include <kernel/arch.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/trap.h>

#define PIT_FREQ 1193182u
#define PIT_CH0  0x40
#define PIT_CMD  0x43

volatile uint64_t ticks;
unsigned hz = 100;

static tick_hook hooks[8];
static unsigned nhooks;

static void pit_irq(struct trap_frame *tf)
{
	ticks++;
	for (unsigned i = 0; i < nhooks; i++)
		hooks[i](tf);
}

void pit_add_tick_hook(tick_hook fn)
{
	assert(nhooks < sizeof(hooks) / sizeof(hooks[0]));
	hooks[nhooks++] = fn;
}

void pit_init(unsigned hz_wanted)
{
	unsigned div;

	if (hz_wanted < 19)
		hz_wanted = 19;
	if (hz_wanted > 10000)
		hz_wanted = 10000;
	hz = hz_wanted;
	div = PIT_FREQ / hz;
	outb(PIT_CMD, 0x36);            /* channel 0, lo/hi, mode 3 */
	outb(PIT_CH0, div & 0xff);
	outb(PIT_CH0, div >> 8);
	irq_register(0, pit_irq);
	pic_unmask(0);
	printk_set_clock(ticks_read, hz);
}

uint64_t ticks_read(void)
{
	uint32_t f = irq_save();
	uint64_t t = ticks;

	irq_restore(f);
	return t;
}

uint64_t pit_ms(void)
{
	return ticks_read() * 1000 / hz;
}

uint64_t ms_to_ticks(uint64_t ms)
{
	return (ms * hz + 999) / 1000;
}
