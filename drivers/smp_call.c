/*
 * drivers/smp_call.c: asking another CPU to run a function, by IPI. The
 * interface and the rules are in <drivers/smp_call.h>.
 *
 * Each CPU has a mailbox in its struct cpu: a lock (one caller at a time),
 * the function and argument, and a count of calls finished. The caller
 * fills the box, sends VEC_IPI_CALL, and spins until the count moves; the
 * target's handler runs the function and bumps the count. Every spin runs
 * this CPU's own box meanwhile (call_run), so CPUs that call each other
 * with interrupts off both make progress.
 */
#include <drivers/smp_call.h>
#include <drivers/lapic.h>
#include <kernel/arch.h>
#include <kernel/lib/errno.h>
#include <kernel/panic.h>

/* Run the call in this CPU's box, if there is one. Interrupts off. */
static void call_run(struct cpu *c)
{
	smp_call_fn fn = c->call_fn;

	if (!fn)
		return;
	fn(c->call_arg);
	c->call_fn = NULL;
	__atomic_add_fetch(&c->call_done, 1, __ATOMIC_RELEASE);
}

void smp_call_poll(void)
{
	uint32_t f = irq_save_local();

	call_run(this_cpu());
	irq_restore_local(f);
}

static void call_ipi(struct trap_frame *tf)
{
	struct cpu *c = this_cpu();

	c->ipis++;
	call_run(c);
	lapic_eoi();
}

int smp_call(unsigned cpu, smp_call_fn fn, void *arg)
{
	struct cpu *c = &cpus[cpu];
	uint32_t f, done;

	assert(cpu < MAX_CPUS && fn);
	f = irq_save_local();
	if (c == this_cpu()) {
		fn(arg);
		irq_restore_local(f);
		return 0;
	}
	if (!c->online) {
		irq_restore_local(f);
		return -ENODEV;
	}
	while (__atomic_exchange_n(&c->call_lock, 1, __ATOMIC_ACQUIRE)) {
		call_run(this_cpu());
		cpu_relax();
	}
	done = c->call_done;
	c->call_arg = arg;
	__atomic_store_n(&c->call_fn, fn, __ATOMIC_RELEASE);
	lapic_send_ipi(c->apic_id, VEC_IPI_CALL);
	while (__atomic_load_n(&c->call_done, __ATOMIC_ACQUIRE) == done) {
		call_run(this_cpu());
		cpu_relax();
	}
	__atomic_store_n(&c->call_lock, 0, __ATOMIC_RELEASE);
	irq_restore_local(f);
	return 0;
}

unsigned smp_call_others(smp_call_fn fn, void *arg)
{
	unsigned n = 0, me;
	uint32_t f = irq_save_local();

	me = cpu_id();
	for (unsigned i = 0; i < cpu_count; i++)
		if (i != me && cpus[i].online && !smp_call(i, fn, arg))
			n++;
	irq_restore_local(f);
	return n;
}

void smp_call_init(void)
{
	trap_set_local_handler(VEC_IPI_CALL, call_ipi);
	irqlock_spin_hook = smp_call_poll;
}
