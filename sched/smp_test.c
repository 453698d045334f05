/*
 * sched/smp_test.c: KTAP suite `smp`: the other CPUs are really there,
 * each with its own data, its own timer, running the code we send it; and
 * a page unmapped on one CPU is gone on all of them (TLB shootdown), which
 * the last case shows by switching the shootdown off and reading a freed
 * page from another CPU without a fault.
 *
 * With one CPU the cases that need two skip; make test runs the suite
 * with 1 and with 4 CPUs. The cases run on CPU 0 (pinned: tasks move
 * between CPUs) and send to the others.
 */
#include <drivers/smp_call.h>
#include <drivers/lapic.h>
#include <drivers/pit.h>
#include <kernel/arch.h>
#include <kernel/ktest.h>
#include <mm/tlb.h>
#include <mm/vmm.h>
#include <sched/stop_cpus.h>
#include <sched/task.h>
#include "test_wait.h"

#define MAGIC 0x51c0ffeeu

static void need_two(struct ktest *t)
{
	if (cpus_online < 2)
		ktest_skip(t, "needs 2 CPUs (boot with -smp 2 or more)");
}

static void smp_every_listed_cpu_is_online(struct ktest *t)
{
	pin_cpu0(current);
	KEXPECT_EQ(t, cpu_id(), 0u);
	KEXPECT_EQ(t, cpus_online, cpu_count);
	KEXPECT_EQ(t, lapic_id(), cpus[0].apic_id);
	for (unsigned i = 0; i < cpu_count; i++) {
		KEXPECT(t, cpus[i].online);
		KEXPECT_EQ(t, cpus[i].id, i);
		for (unsigned j = 0; j < i; j++)
			KEXPECT(t, cpus[i].apic_id != cpus[j].apic_id);
	}
	unpin(current);
}

struct whoami {
	unsigned id;
	uint8_t apic;
	struct task *task;
	struct cpu *self;
};

static void whoami(void *arg)
{
	struct whoami *w = arg;

	w->id = cpu_id();
	w->apic = lapic_id();
	w->task = current;
	w->self = this_cpu();
}

/* %fs points each CPU at its own struct cpu: the call sees the target's
 * ID, APIC and running task, not the caller's. */
static void smp_each_cpu_sees_its_own_data(struct ktest *t)
{
	pin_cpu0(current);
	for (unsigned i = 0; i < cpu_count; i++) {
		struct whoami w = { 0 };

		KASSERT_EQ(t, smp_call(i, whoami, &w), 0);
		KEXPECT_EQ(t, w.id, i);
		KEXPECT_EQ(t, w.apic, cpus[i].apic_id);
		KEXPECT(t, w.self == &cpus[i]);
		KEXPECT(t, i ? w.task != current : w.task == current);
	}
	unpin(current);
}

static bool all_ticked(const uint64_t *before)
{
	for (unsigned i = 1; i < cpu_count; i++)
		if (cpus[i].ticks < before[i] + 3)
			return false;
	return true;
}

/* Every AP's own timer interrupts it (3 ticks each; waited for, not
 * timed: a busy host may run a CPU's thread late). */
static void smp_local_timers_tick(struct ktest *t)
{
	uint64_t before[MAX_CPUS];

	need_two(t);
	for (unsigned i = 1; i < cpu_count; i++)
		before[i] = cpus[i].ticks;
	KEXPECT(t, WAIT_UNTIL(all_ticked(before), 5000));
}

static void slow_count(void *arg)
{
	volatile unsigned *n = arg;

	for (unsigned k = 0; k < 1000; k++) {
		*n = *n + 1;
		cpu_relax();
	}
}

/* smp_call returns only once the call has run to its end. */
static void smp_call_waits_for_the_target(struct ktest *t)
{
	need_two(t);
	pin_cpu0(current);
	for (unsigned i = 1; i < cpu_count; i++) {
		volatile unsigned n = 0;
		uint64_t ipis = cpus[i].ipis;

		KASSERT_EQ(t, smp_call(i, slow_count, (void *)&n), 0);
		KEXPECT_EQ(t, n, 1000u);
		KEXPECT(t, cpus[i].ipis > ipis);
	}
	unpin(current);
}

struct probe {
	volatile uint32_t *p;
	uint32_t seen;
	bool faulted;
	struct fault_info fi;
};

static void read_page(void *arg)
{
	struct probe *pr = arg;

	pr->seen = *pr->p;
}

/* Another CPU reads the page, under a fault catch of its own. */
static void probe_page(void *arg)
{
	struct probe *pr = arg;

	pr->faulted = ktest_expect_fault(read_page, pr, &pr->fi);
}

/* A page every other CPU has read (so it is in their TLBs), then freed:
 * with the shootdown on, each of them faults at the address. */
static void smp_freed_page_faults_on_every_cpu(struct ktest *t)
{
	uint32_t *page;
	uint64_t shots = tlb_shootdowns;

	need_two(t);
	KASSERT(t, tlb_shootdown_enabled);
	pin_cpu0(current);
	page = vmap_alloc(1);
	KASSERT(t, page);
	*page = MAGIC;
	for (unsigned i = 1; i < cpu_count; i++) {
		struct probe pr = { .p = page };

		KASSERT_EQ(t, smp_call(i, probe_page, &pr), 0);
		KEXPECT(t, !pr.faulted && pr.seen == MAGIC);
	}
	vmap_free(page, 1);
	KEXPECT(t, tlb_shootdowns > shots);
	for (unsigned i = 1; i < cpu_count; i++) {
		struct probe pr = { .p = page };

		KASSERT_EQ(t, smp_call(i, probe_page, &pr), 0);
		KEXPECT(t, pr.faulted);
		KEXPECT_EQ(t, pr.fi.vector, VEC_PAGE);
		KEXPECT_EQ(t, pr.fi.addr, (uintptr_t)page);
	}
	unpin(current);
}

static void flush_all(void *arg)
{
	write_cr3(read_cr3());
}

/* The same with the shootdown switched off: CPU 0 faults at the freed
 * page, another CPU still reads it through its stale TLB entry. The other
 * CPUs are stopped meanwhile (idle, halted): a busy task there could push
 * the entry out of CPU 1's TLB and hide the stale read. */
static void smp_without_shootdown_a_stale_tlb_reads_freed_memory(
	struct ktest *t)
{
	struct probe here = { 0 }, there = { 0 };
	uint32_t *page;
	bool primed;

	need_two(t);
	pin_cpu0(current);
	page = vmap_alloc(1);
	KASSERT(t, page);
	*page = MAGIC;
	here.p = there.p = page;
	KASSERT_EQ(t, sched_stop_others(5000), 0);
	smp_call(1, probe_page, &there);
	primed = !there.faulted && there.seen == MAGIC;
	tlb_shootdown_enabled = false;
	vmap_free(page, 1);
	tlb_shootdown_enabled = true;
	there.seen = 0;
	smp_call(1, probe_page, &there);
	probe_page(&here);
	smp_call_others(flush_all, NULL);       /* no stale entry stays */
	sched_resume_others();
	unpin(current);
	KEXPECT(t, primed);
	KEXPECT(t, here.faulted);
	KEXPECT(t, !there.faulted);
	KEXPECT_EQ(t, there.seen, MAGIC);
}

KTEST_SUITE(smp,
	KTEST_CASE(smp_every_listed_cpu_is_online),
	KTEST_CASE(smp_each_cpu_sees_its_own_data),
	KTEST_CASE(smp_local_timers_tick),
	KTEST_CASE(smp_call_waits_for_the_target),
	KTEST_CASE(smp_freed_page_faults_on_every_cpu),
	KTEST_CASE(smp_without_shootdown_a_stale_tlb_reads_freed_memory));
