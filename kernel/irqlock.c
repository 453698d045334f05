/*
 * kernel/irqlock.c: the global interrupt lock, as <kernel/arch.h> states
 * it: with more than one CPU, every irq_save section of every CPU is
 * excluded from every other's. It is how Linux 2.0 to 2.2 first ran on
 * several CPUs (cli() took a global_irq_lock), and it makes every place
 * that relied on "interrupts off" for mutual exclusion on one CPU correct
 * on many at once, unchanged (docs/smp.md lists them). Its price: those
 * sections do not run in parallel. Finer locks can replace it piece by
 * piece; the checker in sched/spinlock.c keeps the nesting honest.
 *
 * Invariants (asserted):
 *  - the lock is held by at most one CPU (holder), with a depth per CPU:
 *    depth > 0 exactly on the holder, and only with its interrupts off;
 *  - a task switch keeps the lock on the CPU: both tasks are inside an
 *    irq_save section; the scheduler swaps the depths (irqlock_switch);
 *  - a CPU waiting for the lock runs the cross-CPU calls sent to it
 *    (irqlock_spin_hook): the holder may be waiting for exactly that
 *    (a TLB shootdown from inside an irq_save section).
 *
 * With one CPU irqlock_on stays false and irq_save is cli alone.
 */
#include <kernel/arch.h>
#include <kernel/cpu.h>
#include <kernel/ksyms.h>
#include <kernel/panic.h>

#define NO_CPU 0xffffffffu

bool irqlock_on;
/* About 25 s at 2.7 GHz: a big heap grow holds the lock for seconds with
 * 4 busy CPUs on a 2-core host; QEMU's TSC runs at the host's rate. */
volatile uint64_t irqlock_lockup_cycles = 1ull << 36;
void (*irqlock_spin_hook)(void);

static volatile uint32_t word;          /* 0: free */
static volatile unsigned holder = NO_CPU;
static volatile uintptr_t holder_ip;    /* where the holder took it */

static void lockup(struct cpu *c, uint64_t waited)
{
	char sym[96];

	ksyms_format(holder_ip, sym, sizeof(sym));
	panic("CPU %u waited %llu M cycles for the interrupt lock, held by "
	      "CPU %u since %s", c->id, (unsigned long long)(waited >> 20),
	      holder, sym);
}

static void acquire(struct cpu *c, uintptr_t ip)
{
	uint64_t t0 = 0;

	while (__atomic_exchange_n(&word, 1, __ATOMIC_ACQUIRE)) {
		if (!t0) {
			t0 = rdtsc();
			c->irqlock_spins++;
		}
		do {
			if (irqlock_spin_hook)
				irqlock_spin_hook();
			cpu_relax();
			if (rdtsc() - t0 > irqlock_lockup_cycles)
				lockup(c, rdtsc() - t0);
		} while (word);
	}
	holder = c->id;
	holder_ip = ip;
}

static void release(struct cpu *c)
{
	assert(holder == c->id);
	holder = NO_CPU;
	__atomic_store_n(&word, 0, __ATOMIC_RELEASE);
}

void irqlock_enter(void)
{
	struct cpu *c = this_cpu();

	assert(!irqs_enabled());
	if (c->irqlock_depth++ == 0)
		acquire(c, (uintptr_t)__builtin_return_address(0));
}

void irqlock_exit(void)
{
	struct cpu *c = this_cpu();

	assert(c->irqlock_depth > 0 && holder == c->id);
	if (--c->irqlock_depth == 0)
		release(c);
}

unsigned irqlock_depth(void)
{
	return this_cpu()->irqlock_depth;
}

void irqlock_set_depth(unsigned depth)
{
	struct cpu *c = this_cpu();

	if (!irqlock_on)
		return;
	assert(!irqs_enabled());
	if (c->irqlock_depth && !depth)
		release(c);
	else if (!c->irqlock_depth && depth)
		acquire(c, (uintptr_t)__builtin_return_address(0));
	c->irqlock_depth = depth;
}

unsigned irqlock_switch(unsigned next_depth)
{
	struct cpu *c = this_cpu();
	unsigned prev = c->irqlock_depth;

	if (irqlock_on)
		assert(prev > 0 && next_depth > 0 && holder == c->id);
	c->irqlock_depth = next_depth;
	return prev;
}

void irq_wait_interrupt(void)
{
	struct cpu *c = this_cpu();
	unsigned depth = c->irqlock_depth;

	assert(!irqs_enabled());
	if (depth) {
		c->irqlock_depth = 0;
		release(c);
	}
	__asm__ volatile("sti; hlt; cli" ::: "memory");
	if (depth) {
		acquire(c, (uintptr_t)__builtin_return_address(0));
		c->irqlock_depth = depth;
	}
}
