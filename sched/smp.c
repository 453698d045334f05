/*
 * sched/smp.c: starting the application processors, each with an idle
 * task of its own, and the `cpus` command.
 *
 * Start-up of AP i, on CPU 0 with interrupts on:
 *   1. the trampoline's argument words get the page directory, the top of
 *      the AP's boot stack, i, and ap_main;
 *   2. INIT, 10 ms, STARTUP, 1 ms, STARTUP (a CPU that took the first
 *      STARTUP ignores the second);
 *   3. wait up to AP_ONLINE_MS for ap_main to set cpus[i].online; if it
 *      does not, the CPU is reported and left out (it may still be
 *      running the trampoline: we never reuse the page while it could).
 * ap_main loads the real GDT (and with it %fs: its struct cpu), the IDT,
 * enables its local APIC and timer, and halts until the scheduler runs;
 * then it runs its idle task's loop (sched/placement.c) and takes tasks
 * when an IPI or its tick says there is work.
 *
 * The PIC's interrupts keep going to CPU 0 only (<drivers/lapic.h>); an
 * AP sees its timer and IPIs.
 */
#include <drivers/smp_call.h>
#include <drivers/lapic.h>
#include <drivers/madt.h>
#include <drivers/pit.h>
#include <kernel/arch.h>
#include <kernel/init.h>
#include <kernel/lib/errno.h>
#include <kernel/lib/format.h>
#include <kernel/lib/string.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/shell.h>
#include <mm/pmm.h>
#include <mm/vmm.h>
#include <sched/list.h>
#include <sched/stop_cpus.h>
#include <sched/task.h>
#include "internal.h"

#define AP_TRAMP_ADDR   0x8000u         /* boot/trampoline.asm */
#define AP_STACK_SIZE   16384
#define AP_ONLINE_MS    200

struct ap_tramp_args {
	uint32_t cr3, stack, cpu, entry;
};

extern const char ap_tramp_start[], ap_tramp_end[], ap_tramp_args[];

static struct task ap_idle[MAX_CPUS];
static uint8_t ap_stack[MAX_CPUS][AP_STACK_SIZE] __attribute__((aligned(16)));

/* ---- the local timer ---------------------------------------------------- */

static tick_hook local_hooks[2];        /* [boot] */
static unsigned nlocal_hooks;

void smp_add_local_tick_hook(tick_hook fn)
{
	assert(nlocal_hooks < sizeof(local_hooks) / sizeof(local_hooks[0]));
	local_hooks[nlocal_hooks++] = fn;
}

static void local_tick(struct trap_frame *tf)
{
	this_cpu()->ticks++;
	lapic_eoi();
	if (!sched_running)
		return;
	sched_local_tick();
	for (unsigned i = 0; i < nlocal_hooks; i++)
		local_hooks[i](tf);
}

/* Another CPU queued work for us: the irq-exit hook reschedules. */
static void resched_ipi(struct trap_frame *tf)
{
	this_cpu()->ipis++;
	lapic_eoi();
}

/* ---- application processors --------------------------------------------- */

static void ap_idle_init(unsigned i)
{
	struct task *t = &ap_idle[i];

	memset(t, 0, sizeof(*t));
	ksnprintf(t->name, sizeof(t->name), "idle%u", i);
	t->state = TASK_RUNNING;
	t->stack = ap_stack[i];
	t->stack_size = AP_STACK_SIZE;
	t->system = true;
	t->idle = true;
	t->cpu = i;
	t->refs = 1;
	list_node_init(&t->rq.node);
	list_node_init(&t->all_node);
	list_node_init(&t->zombie_node);
	list_node_init(&t->timer_node);
}

/* The AP's first C code (from boot/trampoline.asm), interrupts off. */
__attribute__((noreturn)) void ap_main(unsigned i)
{
	struct cpu *c;

	gdt_load_ap(i);
	idt_load();
	c = this_cpu();
	assert(c == &cpus[i]);
	lapic_init_ap();
	assert(lapic_id() == c->apic_id);
	__atomic_add_fetch(&cpus_online, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
	while (!sched_running) {
		c->idle_halts++;
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	}
	c->run_start = rdtsc();         /* its first charge starts now */
	sched_idle_loop();
}

static void wait_ticks(uint64_t n)
{
	uint64_t t0 = ticks_read();

	while (ticks_read() < t0 + n)
		cpu_relax();
}

static bool ap_start(unsigned i)
{
	struct cpu *c = &cpus[i];
	struct ap_tramp_args *a = (struct ap_tramp_args *)(AP_TRAMP_ADDR +
		(ap_tramp_args - ap_tramp_start));
	uint64_t t0;

	ap_idle_init(i);
	c->self = c;
	c->id = i;
	c->idle = &ap_idle[i];
	c->cur_task = c->idle;
	a->cr3 = read_cr3();
	a->stack = (uintptr_t)ap_stack[i] + AP_STACK_SIZE;
	a->cpu = i;
	a->entry = (uint32_t)ap_main;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	lapic_send_init(c->apic_id);
	wait_ticks(ms_to_ticks(10));
	for (int k = 0; k < 2 && !c->online; k++) {
		lapic_send_startup(c->apic_id, AP_TRAMP_ADDR >> 12);
		wait_ticks(ms_to_ticks(1));
	}
	t0 = pit_ms();
	while (!__atomic_load_n(&c->online, __ATOMIC_ACQUIRE) &&
	       pit_ms() - t0 < AP_ONLINE_MS)
		cpu_relax();
	return c->online;
}

static int smp_init(void)
{
	struct madt_info m;
	uint8_t me;
	unsigned next = 1;

	if (madt_read(&m))
		pr_info("smp: no MADT: one CPU");
	if (m.ncpus < 2)
		return 0;       /* nothing to start: the PIT does it all */
	if (lapic_init_bsp(vmm_map_device(m.lapic_phys, PAGE_SIZE))) {
		pr_info("smp: no local APIC: one CPU");
		return 0;
	}
	me = lapic_id();
	cpus[0].apic_id = me;
	trap_set_local_handler(VEC_LAPIC_TIMER, local_tick);
	trap_set_local_handler(VEC_IPI_RESCHED, resched_ipi);
	smp_call_init();
	memcpy((void *)AP_TRAMP_ADDR, ap_tramp_start,
	       ap_tramp_end - ap_tramp_start);
	if (m.ncpus > 1) {
		/* From now on irq_save takes the interrupt lock. Flipped
		 * with interrupts off, outside every irq_save section, and
		 * before any task has switched: every depth is 0. */
		uint32_t f = irq_save_local();

		assert(!sched_running && irqlock_depth() == 0);
		irqlock_on = true;
		irq_restore_local(f);
	}
	for (unsigned k = 0; k < m.ncpus; k++) {
		if (m.apic_ids[k] == me)
			continue;
		cpus[next].apic_id = m.apic_ids[k];
		if (!ap_start(next)) {
			pr_warn("smp: the CPU with APIC ID %u did not start; "
				"going on without it", m.apic_ids[k]);
			break;  /* it may still run the trampoline page */
		}
		next++;
	}
	cpu_count = next;
	if (m.skipped)
		pr_info("smp: %u more CPUs are not used (at most %u)",
			m.skipped, MAX_CPUS);
	pr_info("smp: %u CPU%s online (APIC IDs from the MADT; %u I/O APIC%s "
		"listed, not used: the PIC's IRQs go to CPU 0)", cpus_online,
		cpus_online == 1 ? "" : "s", m.nioapics,
		m.nioapics == 1 ? "" : "s");
	return 0;
}
INITCALL(smp_init, INIT_CORE);

static int cmd_cpus(int argc, char **argv)
{
	kprintf("CPU  APIC  STATE    TICKS       IPIS      HALTS     "
		"RUNNING\n");
	for (unsigned i = 0; i < cpu_count; i++) {
		struct cpu *c = &cpus[i];

		kprintf("%-4u %-5u %-8s %-11llu %-9llu %-9llu %s\n", i,
			c->apic_id, c->online ? "online" : "offline",
			(unsigned long long)(i ? c->ticks : ticks_read()),
			(unsigned long long)c->ipis,
			(unsigned long long)c->idle_halts, c->cur_task->name);
	}
	kprintf("%u of %u CPU%s online; TICKS on CPU 0 are the PIT's",
		cpus_online, cpu_count, cpu_count == 1 ? "" : "s");
	if (lapic_timer_per_tick())
		kprintf(", on the others their local APIC timer's (%lu "
			"counts a tick)",
			(unsigned long)lapic_timer_per_tick());
	kprintf("\n");
	if (cpu_count > 1) {
		uint64_t spins = 0;

		for (unsigned i = 0; i < cpu_count; i++)
			spins += cpus[i].irqlock_spins;
		kprintf("interrupt lock: %llu waits for another CPU; other "
			"CPUs stopped for a stack scan %llu times, %llu "
			"cycles each on average\n",
			(unsigned long long)spins,
			(unsigned long long)stop_stats.stops,
			(unsigned long long)(stop_stats.stops ?
				stop_stats.cycles / stop_stats.stops : 0));
	}
	return 0;
}
COMMAND(cpus, "cpus", "", "list the CPUs: APIC ID, state, timer ticks, "
	"IPIs handled, the task running", cmd_cpus);
