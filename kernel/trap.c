/*
 * kernel/trap.c: where every interrupt and exception lands.
 *
 * IRQs: ignore spurious ones, run the line's handler with irq_depth
 * raised, acknowledge it to the interrupt controller (the PIC driver
 * installs itself with trap_set_irq_controller), then call the irq-exit hook
 * (the scheduler preempts there: after EOI, so the next tick can come while
 * another task runs). Exceptions: the fault path in kernel/fault.c.
 */
#include <kernel/trap.h>
#include <kernel/arch.h>
#include <kernel/panic.h>

void (*irq_exit_hook)(struct trap_frame *tf);

static irq_handler handlers[16];
static irq_handler local_handlers[NR_VECTORS - VEC_LOCAL0];
static const struct irq_controller *irq_ctl;

void trap_set_irq_controller(const struct irq_controller *ctl)
{
	irq_ctl = ctl;
}

void fault_handle(struct trap_frame *tf);

void irq_register(unsigned irq, irq_handler fn)
{
	assert(irq < 16);
	handlers[irq] = fn;
}

void trap_set_local_handler(unsigned vec, irq_handler fn)
{
	assert(vec >= VEC_LOCAL0 && vec < NR_VECTORS);
	local_handlers[vec - VEC_LOCAL0] = fn;
}

/* The local APIC's vectors: timer, IPIs, spurious. Each CPU has its own
 * APIC, so these arrive on every CPU; the PIC's only on CPU 0. Their
 * handlers run without the interrupt lock (a cross-CPU call must run
 * while its caller holds it) and take it themselves if they need it; the
 * irq-exit hook (preemption) runs with it. */
static void local_dispatch(struct trap_frame *tf)
{
	irq_handler fn = local_handlers[tf->vector - VEC_LOCAL0];

	this_cpu_inc(irq_nest);
	if (fn)
		fn(tf);
	this_cpu_dec(irq_nest);
	/* The hook only acts on a pending reschedule: do not take the lock
	 * for every timer tick of every CPU to learn there is none. */
	if (irq_depth == 0 && irq_exit_hook && this_cpu_read(need_resched)) {
		uint32_t f = irq_save();

		irq_exit_hook(tf);
		irq_restore(f);
	}
}

static void irq_dispatch(struct trap_frame *tf)
{
	unsigned irq = tf->vector - VEC_IRQ0;

	assert(irq_ctl); /* no IRQ is unmasked before the PIC is set up */
	if (irq_ctl->spurious(irq))
		return;
	this_cpu_inc(irq_nest);
	if (handlers[irq])
		handlers[irq](tf);
	this_cpu_dec(irq_nest);
	irq_ctl->eoi(irq);
	if (irq_depth == 0 && irq_exit_hook)
		irq_exit_hook(tf);
}

static void (*preempt_point)(struct trap_frame *tf);

void trap_set_preempt_point_handler(void (*fn)(struct trap_frame *tf))
{
	preempt_point = fn;
}

void trap_dispatch(struct trap_frame *tf)
{
	if (tf->vector >= VEC_LOCAL0 && tf->vector < NR_VECTORS) {
		local_dispatch(tf);
	} else if (tf->vector == VEC_PREEMPT_POINT) {
		if (preempt_point)      /* a trap gate: interrupts stay on */
			preempt_point(tf);
	} else {
		/* The PIC's IRQs and the exceptions touch shared data:
		 * under the interrupt lock, like an irq_save section
		 * (interrupts are off already: an interrupt gate). */
		if (irqlock_on)
			irqlock_enter();
		if (tf->vector >= VEC_IRQ0)
			irq_dispatch(tf);
		else
			fault_handle(tf);
		if (irqlock_on)
			irqlock_exit();
	}
}
