/*
 * drivers/lapic.c: the local APIC (Intel SDM vol. 3A, chapter 11).
 *
 * Registers are 32-bit, 16-byte aligned, in one 4 KiB page that every CPU
 * maps at the same address and sees as its own APIC. sched/smp.c maps
 * it once (uncached); the APs share the page tables.
 *
 * The timer counts down from an initial count at the bus clock divided by
 * 16. Its rate is not known, so CPU 0 measures it against the PIT: count
 * for LAPIC_CALIBRATE_TICKS ticks, divide. Each AP then runs it periodic
 * at one interrupt per PIT tick (hz a second). Under QEMU the APIC timer
 * runs at a fixed 1 GHz virtual clock; on a PC, at the bus clock.
 *
 * The IPI path: write the destination to ICR high, then the command to
 * ICR low (the write sends), and wait for "delivery status" to clear, so
 * the next IPI from this CPU does not overwrite a pending one.
 */
#include <drivers/lapic.h>
#include <drivers/pit.h>
#include <kernel/arch.h>
#include <kernel/cpu.h>
#include <kernel/lib/errno.h>
#include <kernel/panic.h>
#include <kernel/printk.h>

#define LAPIC_ID        0x020
#define LAPIC_VERSION   0x030
#define LAPIC_TPR       0x080
#define LAPIC_EOI       0x0b0
#define LAPIC_SVR       0x0f0
#define LAPIC_ESR       0x280
#define LAPIC_ICR_LO    0x300
#define LAPIC_ICR_HI    0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3e0

#define SVR_ENABLE      0x100
#define LVT_MASKED      0x10000
#define LVT_PERIODIC    0x20000
#define LVT_EXTINT      0x700
#define LVT_NMI         0x400
#define TIMER_DIV_16    0x3
#define ICR_INIT        0x500
#define ICR_STARTUP     0x600
#define ICR_ASSERT      0x4000
#define ICR_LEVEL       0x8000
#define ICR_PENDING     0x1000

#define LAPIC_CALIBRATE_TICKS 4
#define ICR_WAIT_POLLS  1000000

static volatile uint32_t *regs;
static uint32_t per_tick;

static uint32_t rd(unsigned reg)
{
	return regs[reg / 4];
}

static void wr(unsigned reg, uint32_t v)
{
	regs[reg / 4] = v;
	(void)regs[LAPIC_ID / 4];       /* the write has landed */
}

uint8_t lapic_id(void)
{
	return regs ? rd(LAPIC_ID) >> 24 : 0;
}

void lapic_eoi(void)
{
	wr(LAPIC_EOI, 0);
}

uint32_t lapic_timer_per_tick(void)
{
	return per_tick;
}

static void icr_wait(void)
{
	for (unsigned i = 0; i < ICR_WAIT_POLLS; i++)
		if (!(rd(LAPIC_ICR_LO) & ICR_PENDING))
			return;
	panic("lapic: an IPI stayed pending (ICR %08lx)",
	      (unsigned long)rd(LAPIC_ICR_LO));
}

static void icr_send(uint8_t dest, uint32_t cmd)
{
	uint32_t f = irq_save_local();  /* the two writes are one command */

	icr_wait();
	wr(LAPIC_ICR_HI, (uint32_t)dest << 24);
	wr(LAPIC_ICR_LO, cmd);
	icr_wait();
	irq_restore_local(f);
}

void lapic_send_ipi(uint8_t dest, uint8_t vector)
{
	icr_send(dest, vector);
}

void lapic_send_init(uint8_t dest)
{
	icr_send(dest, ICR_INIT | ICR_ASSERT | ICR_LEVEL);
}

void lapic_send_startup(uint8_t dest, uint8_t page)
{
	icr_send(dest, ICR_STARTUP | page);
}

static void spurious(struct trap_frame *tf)
{
	/* No EOI for a spurious interrupt (SDM 11.9). */
}

/* Software-enable this CPU's APIC; clear its error state. */
static void enable_here(bool bsp)
{
	wr(LAPIC_SVR, SVR_ENABLE | VEC_LAPIC_SPURIOUS);
	wr(LAPIC_TPR, 0);
	/* CPU 0 keeps the PIC's wire on LINT0; the APs see no PIC. */
	wr(LAPIC_LVT_LINT0, bsp ? LVT_EXTINT : LVT_MASKED);
	wr(LAPIC_LVT_LINT1, bsp ? LVT_NMI : LVT_MASKED);
	wr(LAPIC_LVT_ERROR, LVT_MASKED);
	wr(LAPIC_ESR, 0);
	wr(LAPIC_ESR, 0);
	lapic_eoi();
}

/* How far the timer counts in LAPIC_CALIBRATE_TICKS PIT ticks. */
static uint32_t calibrate(void)
{
	uint64_t t0;
	uint32_t left;

	wr(LAPIC_TIMER_DIV, TIMER_DIV_16);
	wr(LAPIC_LVT_TIMER, LVT_MASKED | VEC_LAPIC_TIMER);
	t0 = ticks_read();
	while (ticks_read() == t0)
		cpu_relax();
	wr(LAPIC_TIMER_INIT, 0xffffffffu);
	while (ticks_read() < t0 + 1 + LAPIC_CALIBRATE_TICKS)
		cpu_relax();
	left = rd(LAPIC_TIMER_CUR);
	wr(LAPIC_TIMER_INIT, 0);
	return (0xffffffffu - left) / LAPIC_CALIBRATE_TICKS;
}

int lapic_init_bsp(volatile uint32_t *mapped)
{
	assert(irqs_enabled());
	if (!mapped)
		return -ENOMEM;
	regs = mapped;
	if (rd(LAPIC_VERSION) == 0xffffffffu) {
		regs = NULL;
		return -ENODEV;
	}
	trap_set_local_handler(VEC_LAPIC_SPURIOUS, spurious);
	enable_here(true);
	per_tick = calibrate();
	pr_info("lapic: APIC ID %u, version %02lx, timer %lu counts a tick",
		lapic_id(), (unsigned long)(rd(LAPIC_VERSION) & 0xff),
		(unsigned long)per_tick);
	return 0;
}

void lapic_init_ap(void)
{
	assert(regs && per_tick);
	enable_here(false);
	wr(LAPIC_TIMER_DIV, TIMER_DIV_16);
	wr(LAPIC_LVT_TIMER, LVT_PERIODIC | VEC_LAPIC_TIMER);
	wr(LAPIC_TIMER_INIT, per_tick);
}
