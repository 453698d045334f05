/*
 * sched/watchdog.c: report hung tasks and scheduling stalls.
 *
 * What is checked, and why, is in <sched/watchdog.h>. The hung-task check
 * runs in the "watchdog" thread every limit/4 ms; it is not freezable, so
 * a freeze that deadlocks (race R2: the unloader waits for a thread it
 * froze) is still reported. The stall check runs in every CPU's timer
 * tick (CPU 0's PIT, each AP's local timer), each CPU looking at itself:
 * when no switch happens there, no thread can run there to notice.
 *
 * A report prints once per sleep (t->hung_reported) or once per stall;
 * watchdog_report_count() lets tests and race scenarios see it happened.
 */
#include <sched/watchdog.h>
#include <sched/kthread.h>
#include <sched/sched.h>
#include <sched/waitqueue.h>
#include "internal.h"
#include <drivers/pit.h>
#include <kernel/boot.h>
#include <kernel/lib/errno.h>
#include <kernel/init.h>
#include <kernel/ksyms.h>
#include <kernel/lib/parse.h>
#include <kernel/printk.h>
#include <kernel/trap.h>
#include <kernel/backtrace.h>
#include <mm/heap.h>


static volatile unsigned limit_ms = WATCHDOG_DEFAULT_MS;
static volatile unsigned reports;
static volatile int last_reported_id = -1;
/* [irq] per CPU: the last_switch_tick last reported */
static uint64_t stall_reported_at[MAX_CPUS];
static struct wait_queue wd_wq = WAIT_QUEUE_INIT(wd_wq, "watchdog");

unsigned watchdog_report_count(void)
{
	return reports;
}

int watchdog_last_reported_id(void)
{
	return last_reported_id;
}

static volatile bool rearm;     /* [a] the limit changed */

void watchdog_set_limit_ms(unsigned ms)
{
	limit_ms = ms ? ms : 1;
	rearm = true;                   /* re-arm the check period now */
	wake_up(&wd_wq);
}

unsigned watchdog_limit_ms(void)
{
	return limit_ms;
}

/* Is t hung now? If so, claim the report (once per sleep). */
static bool claim_hung(struct task *t, uint64_t limit_ticks)
{
	uint32_t f = spin_lock_irqsave(&sched_lock);
	bool hung = t->state == TASK_SLEEPING &&
		    t->sleep_kind == SLEEP_BLOCKED && !t->hung_reported &&
		    ticks - t->sleep_since > limit_ticks;

	if (hung)
		t->hung_reported = true;
	spin_unlock_irqrestore(&sched_lock, f);
	return hung;
}

unsigned watchdog_check_now(void)
{
	uint64_t limit_ticks = ms_to_ticks(limit_ms);
	unsigned n, found = 0;
	struct task **snap = task_snapshot_all(&n);

	if (!snap)
		return 0;
	for (unsigned i = 0; i < n; i++) {
		struct task *t = snap[i];

		if (!claim_hung(t, limit_ticks))
			continue;
		kprintf("watchdog: task '%s' (id %d) blocked for more than "
			"%u ms waiting on '%s'\n", t->name, t->id, limit_ms,
			t->wait_what ? t->wait_what : "?");
		task_print_backtrace(t, "    ");
		last_reported_id = t->id;
		reports++;
		found++;
	}
	task_snapshot_free(snap, n);
	return found;
}

static int watchdog_fn(void *arg)
{
	for (;;) {
		unsigned period = limit_ms / 4;

		/* A wakeup alone would not do: the wait keeps the deadline it
		 * started with. The flag ends it, so a new limit applies at
		 * once. */
		wait_event_idle_timeout(wd_wq, rearm, period ? period : 1);
		rearm = false;
		watchdog_check_now();
	}
	return 0;
}

/* Stall check of this CPU, from its tick with IRQs off. */
static void watchdog_tick(struct trap_frame *tf)
{
	uint64_t last = sched_last_switch_tick();
	unsigned cpu = cpu_id(), waiting;

	/* This CPU's switches: an idle CPU is no stall, nor a task that
	 * keeps its CPU because every queued task may only run elsewhere
	 * (counted last: it walks the queue). */
	if (!sched_running || !sched_nr_runnable() || current->idle ||
	    last == stall_reported_at[cpu] ||
	    ticks - last <= ms_to_ticks(limit_ms))
		return;
	waiting = sched_nr_runnable_here();
	if (!waiting)
		return;
	stall_reported_at[cpu] = last;
	kprintf("watchdog: no context switch on CPU %u for more than %u ms: "
		"task '%s' (id %d) keeps the CPU (preempt count %d), %u "
		"tasks wait for it\n", cpu, limit_ms, current->name,
		current->id, preempt_count(), waiting);
	backtrace_print(tf->eip, tf->ebp, "    ");
	last_reported_id = current->id;
	reports++;
}

static int watchdog_init(void)
{
	struct task *t;
	char val[16];
	uint32_t ms;

	if (!boot_arg("hung_ms", val, sizeof(val)) && !parse_u32(val, &ms))
		watchdog_set_limit_ms(ms);
	t = kthread_create(watchdog_fn, NULL, NULL, "watchdog");
	if (!t)
		return -ENOMEM;
	t->freezable = false;
	t->system = true;
	kthread_start(t);
	pit_add_tick_hook(watchdog_tick);
	smp_add_local_tick_hook(watchdog_tick);
	return 0;
}
INITCALL(watchdog_init, INIT_SUBSYS);
