/*
 * sched/sched.c: the scheduler: switching, preemption, sleeping, waking.
 *
 * Interface and the list of preemption points in <sched/sched.h>; the
 * task lifecycle in <sched/task.h>. This file owns the transitions
 * RUNNABLE <-> RUNNING <-> SLEEPING and RUNNING -> ZOMBIE; the freezer owns
 * FROZEN, the reaper ZOMBIE -> DEAD.
 *
 * How a switch works. Every switch happens in sched_schedule_locked(), with
 * sched_lock held and interrupts off. The task going out saves its
 * registers on its own stack (sched_switch, boot/switch.asm); the task
 * coming in returns from its own earlier call of sched_switch, still
 * holding sched_lock, and releases it. A brand-new task "returns" into
 * sched_task_entry, which releases the lock the same way. So the lock, and
 * the preempt count of 1 it carries, is handed from task to task.
 *
 * Time: the timer tick (pit_add_tick_hook) charges the running task's
 * slice, expires timed sleeps (timer_list: only tasks with a deadline,
 * kept sorted by deadline, so a tick looks at the head only; the insert
 * at sleep time pays the O(timed sleepers)) and asks for a reschedule; the
 * reschedule is
 * taken on the way out of the interrupt (irq_exit_hook), when allowed.
 *
 * Policy: fair share by virtual runtime, with prompt wakeups (the rules in
 * <sched/runqueue.h>, the story in docs/scheduling.md). Every switch and
 * every tick charges the running task the TSC cycles it used
 * (sched_charge): its CPU time and its vruntime. The run queue is sorted
 * by vruntime and the scheduler takes the leftmost. A task that becomes
 * runnable (new, woken, thawed) is placed at most a credit behind
 * min_vruntime (sched_enqueue_locked, sched/fair.c). Only a wakeup from
 * sleep may preempt (sched_wake_preempt_locked, sched/fair.c), and only a
 * CPU-bound task: when the woken task is
 * behind it by more than a granule, need_resched is set, and the switch
 * happens at the next preemption point (the end of the interrupt that
 * woke it, or the waker's spin_unlock_irqrestore()).
 */
#include <sched/sched.h>
#include <kernel/locking.h>
#include <sched/freezer.h>
#include <sched/kthread.h>
#include <sched/reaper.h>
#include <sched/waitqueue.h>
#include "internal.h"
#include <drivers/lapic.h>
#include <drivers/pit.h>
#include <kernel/arch.h>
#include <kernel/backtrace.h>
#include <kernel/console.h>
#include <kernel/lib/errno.h>
#include <kernel/init.h>
#include <kernel/ksyms.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/lib/string.h>
#include <kernel/trap.h>

extern char boot_stack_bottom[];
extern void (*irq_exit_hook)(struct trap_frame *tf);

struct spinlock sched_lock = SPINLOCK_INIT("sched_lock");
struct list_node task_list = LIST_HEAD_INIT(task_list);
static struct list_node timer_list = LIST_HEAD_INIT(timer_list);
struct runqueue sched_runqueue;
bool sched_running;

/* The boot stack's task. Statically set up so `current` is valid from
 * the first instruction of kmain (fault catches use current). */
struct task idle_task = {
	.id = 0,
	.name = "idle",
	.state = TASK_RUNNING,
	.stack = boot_stack_bottom,
	.stack_size = 16384,
	.freezable = false,
	.system = true,
	.idle = true,
	.refs = 1,
	.rq = { .node = { &idle_task.rq.node, &idle_task.rq.node } },
	.zombie_node = { &idle_task.zombie_node, &idle_task.zombie_node },
	.timer_node = { &idle_task.timer_node, &idle_task.timer_node },
};

unsigned sched_slice_ticks = 1;         /* set from hz at init */
static unsigned next_slice = 1;         /* [S] the next one picked gets */
static uint64_t switch_count;           /* [S] */
static uint64_t idle_ticks;             /* [irq] */

void task_table_init(void);

/* ---- rule checks ----------------------------------------------------- */

void sched_assert_fail(const char *what, const char *file, int line)
{
	panic("scheduling rule broken: %s required at %s:%d (task '%s', "
	      "preempt count %d, irqs %s)", what, file, line, current->name,
	      preempt_count(), irqs_enabled() ? "on" : "off");
}

void sched_check_sleep(const char *file, int line)
{
	if (irq_depth)
		sched_assert_fail("task context (not an IRQ handler)", file,
				  line);
	if (preempt_count())
		sched_assert_fail("preemption enabled to sleep", file, line);
	if (!irqs_enabled())
		sched_assert_fail("interrupts on to sleep", file, line);
	if (current->idle && sched_running)
		sched_assert_fail("a task other than idle to sleep", file,
				  line);
}

/* ---- run queue and timers (sched_lock held) -------------------------- */

bool sched_dequeue_locked(struct task *t)
{
	assert_held(&sched_lock);
	return rq_remove(&sched_runqueue, &t->rq);
}

void sched_timer_cancel_locked(struct task *t)
{
	assert_held(&sched_lock);
	if (list_linked(&t->timer_node))
		list_del_init(&t->timer_node);
	t->wake_tick = 0;
}

/* Keep timer_list sorted by wake_tick; equal deadlines stay FIFO.
 * Caller holds sched_lock. */
static void timer_insert_locked(struct task *t)
{
	struct list_node *n;

	assert_held(&sched_lock);
	for (n = timer_list.prev; n != &timer_list; n = n->prev)
		if (list_entry(n, struct task, timer_node)->wake_tick <=
		    t->wake_tick)
			break;
	list_insert_between(&t->timer_node, n, n->next);
}

bool sched_wake_locked(struct task *t)
{
	assert_held(&sched_lock);
	if (t->state == TASK_SLEEPING) {
		sched_timer_cancel_locked(t);
		t->exec_at_wake = t->sum_exec;
		if (t == current) {
			t->state = TASK_RUNNING;
		} else {
			sched_enqueue_locked(t);
			sched_wake_preempt_locked(t);
		}
		return true;
	}
	if (t->state == TASK_FROZEN && t->frozen_from == TASK_SLEEPING) {
		/* Keep the wakeup for the thaw. */
		sched_timer_cancel_locked(t);
		t->frozen_from = TASK_RUNNABLE;
		return true;
	}
	return false;
}

bool wake_up_task(struct task *t)
{
	uint32_t f = spin_lock_irqsave(&sched_lock);
	bool woke = sched_wake_locked(t);

	spin_unlock_irqrestore(&sched_lock, f);
	return woke;
}

void sched_start_task(struct task *t)
{
	uint32_t f = spin_lock_irqsave(&sched_lock);

	assert(t->state == TASK_NEW);
	t->started = true;
	/* Placed like a wakeup, but no preemption: a creator commonly
	 * takes its reference on the new task right after starting it. */
	sched_enqueue_locked(t);
	spin_unlock_irqrestore(&sched_lock, f);
}

/* ---- the switch ------------------------------------------------------ */

/* The leftmost task: the one that has had the least CPU. One CPU: no
 * affinity, no stop (sched_pick_next_smp_locked does the rest). */
static struct task *pick_next_locked(void)
{
	struct rq_entity *e = rq_pop(&sched_runqueue);

	return e ? list_entry(e, struct task, rq) : this_cpu()->idle;
}

void sched_schedule_locked(void)
{
	struct task *prev = current, *next;
	bool requeued;

	/* assert_held, inline: this runs at every switch. */
	assert(sched_lock.locked && sched_lock.owner == prev);
	assert(!irqs_enabled() && preempt_count() == 1);
	sched_charge(prev, rdtsc());
	requeued = prev->state == TASK_RUNNING && !prev->idle &&
		   !(prev->freeze_pending && freezer_preempted_locked(prev));
	if (requeued) {
		prev->state = TASK_RUNNABLE;
		rq_insert(&sched_runqueue, &prev->rq);
	}
	sched_set_need_resched(false);  /* answered here */
	/* More than one CPU: affinity, the stop, and kicks to idle CPUs,
	 * all behind one test (sched/placement.c). */
	next = irqlock_on ? sched_pick_next_smp_locked(prev, requeued)
			  : pick_next_locked();
	if (next == prev) {
		prev->state = TASK_RUNNING;
		prev->slice = sched_slice_ticks;
		next_slice = sched_slice_ticks;
		return;
	}
	if (prev->idle)
		prev->state = TASK_RUNNABLE;    /* idle waits off the queue */
	next->state = TASK_RUNNING;
	next->slice = next_slice;
	next_slice = sched_slice_ticks;
	next->switches++;
	prev->switched_out_at = switch_count;
	switch_count++;
	this_cpu()->last_switch_tick = ticks;
	this_cpu_write(cur_task, next);
	sched_lock.owner = next;        /* the lock travels with the CPU */
	/* So does the interrupt lock: prev leaves with its depth, next
	 * comes back to its own (a new task: 1, from this very switch). */
	if (irqlock_on) {               /* more than one CPU */
		next->cpu = cpu_id();
		prev->irqlock_depth = irqlock_switch(next->irqlock_depth);
	}
	sched_switch(&prev->esp, next->esp);
	/* We are prev again, maybe much later, still holding sched_lock. */
}

void schedule(void)
{
	uint32_t f;

	if (preempt_count())
		sched_assert_fail("preempt count 0 in schedule()", __FILE__,
				  __LINE__);
	f = spin_lock_irqsave(&sched_lock);
	sched_schedule_locked();
	spin_unlock_irqrestore(&sched_lock, f);
}

void sched_yield(void)
{
	uint32_t f;

	sched_might_sleep();
	f = spin_lock_irqsave(&sched_lock);
	/* Behind the next task in line, and no further: a yield does not
	 * cost a full round of CPU-bound tasks' slices. */
	rq_place_yield(&sched_runqueue, &current->rq);
	next_slice = 1;         /* lent for a tick: see <sched/sched.h> */
	sched_schedule_locked();
	spin_unlock_irqrestore(&sched_lock, f);
}

void preempt_enable(void)
{
	assert(preempt_count() > 0);
	if (this_cpu_dec_and_test(preempt_count) && sched_need_resched &&
	    irqs_enabled() && sched_running && !irq_depth &&
	    current->state == TASK_RUNNING)
		schedule();
}

void sched_task_entry(void)
{
	struct task *t;

	spin_unlock(&sched_lock);       /* taken by whoever switched to us */
	irq_restore(EFLAGS_IF);         /* and the switch's irq_save */
	t = current;
	if (t->should_stop)             /* stopped before it ever ran */
		kthread_exit(-EINTR);
	try_to_freeze();
	kthread_exit(t->fn(t->arg));
}

/* Preempt on the way out of an interrupt: the irq_exit_hook. */
static void sched_irq_exit(struct trap_frame *tf)
{
	struct task *t = current;
	struct trap_frame *outer;

	if (!sched_need_resched || preempt_count() || !sched_running)
		return;
	/* Sleeps are entered with IRQs off, so an interrupted task is
	 * always RUNNING. */
	assert(t->state == TASK_RUNNING);
	/* Put back the frame it had: a task held at a PROBE_PREEMPT has
	 * its module frame there, and a preemption on its way to sleep in
	 * the hold must not leave it looking as if it slept in the kernel
	 * (the EIP check would miss it: R4 under eip, 1 seed in 20 with
	 * busy tasks running). */
	outer = t->preempt_tf;
	t->preempt_tf = tf;
	spin_lock(&sched_lock);
	sched_schedule_locked();
	spin_unlock(&sched_lock);
	t->preempt_tf = outer;
}

/* ---- sleeping -------------------------------------------------------- */

uint64_t sched_deadline(unsigned ms)
{
	if (ms == WAIT_FOREVER)
		return 0;
	return ticks_read() + ms_to_ticks(ms) + 1;
}

int sched_sleep_irqoff(enum sleep_kind kind, uint64_t deadline,
		       const char *what)
{
	struct task *t = current;
	int ret;

	assert_irqs_off();
	if (preempt_count())
		sched_assert_fail("preempt count 0 to sleep", __FILE__,
				  __LINE__);
	if (deadline && ticks >= deadline)
		return -ETIMEDOUT;
	/*
	 * A freezable sleep must not begin while a freeze is pending: the
	 * freezer kicked the sleepers when it started, and a task that was
	 * runnable then (say, just thawed from the previous freeze) would
	 * sleep through this one and refuse it. Return, as if kicked, so
	 * the caller's loop reaches try_to_freeze().
	 */
	if (kind == SLEEP_FREEZABLE && t->freeze_pending && !t->frozen)
		return 0;
	spin_lock(&sched_lock);
	t->state = TASK_SLEEPING;
	t->sleep_kind = kind;
	t->sleep_since = ticks;
	t->wait_what = what;
	t->timed_out = false;
	t->hung_reported = false;
	if (deadline) {
		t->wake_tick = deadline;
		timer_insert_locked(t);
	}
	sched_schedule_locked();
	sched_timer_cancel_locked(t);
	t->sleep_kind = SLEEP_NONE;
	t->wait_what = NULL;
	ret = t->timed_out ? -ETIMEDOUT : 0;
	spin_unlock(&sched_lock);
	return ret;
}

void sleep_ms(unsigned ms)
{
	uint64_t deadline = sched_deadline(ms);

	sched_might_sleep();
	for (;;) {
		uint32_t f;
		int err;

		try_to_freeze();
		if (kthread_should_stop())
			return;
		f = irq_save();
		err = sched_sleep_irqoff(SLEEP_FREEZABLE, deadline, "sleep");
		irq_restore(f);
		if (err)
			break;
	}
	try_to_freeze();
}

/* ---- exit ------------------------------------------------------------ */

void sched_exit(int code)
{
	struct task *t = current;

	assert(!t->idle);
	(void)irq_save();               /* never restored: we do not return */
	if (preempt_count()) {
		pr_warn("sched: task '%s' exits with preempt count %d; reset",
			t->name, preempt_count());
		this_cpu_write(preempt_count, 0);
	}
	spin_lock(&sched_lock);
	t->exit_code = code;
	t->state = TASK_ZOMBIE;
	t->fault_catch = NULL;
	sched_timer_cancel_locked(t);
	spin_unlock(&sched_lock);
	reaper_enqueue_irqoff(t);       /* wakes the reaper and exit waiters */
	spin_lock(&sched_lock);
	sched_schedule_locked();
	panic("zombie task '%s' ran again", t->name);
}

/* ---- the tick -------------------------------------------------------- */

static void sched_tick(struct trap_frame *tf)
{
	struct task *t = current;
	uint64_t now = ticks, tsc = rdtsc();

	if (!sched_running)
		return;
	if (t->idle) {
		idle_ticks++;
	} else if (t->slice && --t->slice == 0) {
		sched_set_need_resched(true);
		t->nr_slices++;
	}
	spin_lock(&sched_lock);
	sched_clock_clamp_locked(tsc);
	if (cpu_id() == 0)
		sched_clock_tick_locked(tsc);
	sched_charge(t, tsc);
	rq_advance_min(&sched_runqueue, t->idle ? NULL : &t->rq);
	while (cpu_id() == 0 && !list_empty(&timer_list)) {
		struct task *s = list_entry(timer_list.next, struct task,
					    timer_node);

		if (now < s->wake_tick)
			break;          /* sorted: nobody behind is due */
		s->timed_out = true;
		sched_timer_cancel_locked(s);
		sched_wake_locked(s);
	}
	if (t->idle && rq_len(&sched_runqueue))
		sched_set_need_resched(true);
	spin_unlock(&sched_lock);
}

void sched_local_tick(void)
{
	uint32_t f = irq_save();

	sched_tick(NULL);
	irq_restore(f);
}

uint64_t sched_switch_count(void)
{
	return switch_count;
}

uint64_t sched_idle_ticks(void)
{
	return idle_ticks;
}

uint64_t sched_last_switch_tick(void)
{
	return this_cpu()->last_switch_tick;
}

unsigned sched_nr_runnable(void)
{
	return rq_len(&sched_runqueue);
}

/* ---- hooks into the foundation -------------------------------------- */

static struct fault_catch **task_catch_slot(void)
{
	return &current->fault_catch;
}

static int get_preempt_count(void)
{
	return preempt_count();
}

static void set_preempt_count(int count)
{
	this_cpu_write(preempt_count, count);
}

/* An uncaught fault in a task ends the task; the kernel goes on. */
static void kill_faulting_task(struct trap_frame *tf,
			       const struct fault_info *fi)
{
	struct task *t = current;

	if (t->idle || !sched_running)
		return;         /* no task to blame: the caller panics */
	kprintf("killed task '%s' (id %d) after the fault above\n", t->name,
		t->id);
	/* whatever it held is abandoned */
	this_cpu_write(preempt_count, 0);
	t->preempt_tf = NULL;
	kthread_exit(-EFAULT);
}

static struct wait_queue console_wq = WAIT_QUEUE_INIT(console_wq, "console");

/* console_getc calls this with IRQs off and a checked-empty ring. */
static void console_sleep(void)
{
	struct wait_entry we;

	if (!sched_running || current->idle) {
		irq_wait_interrupt();
		return;
	}
	wq_add(&console_wq, &we);
	sched_sleep_irqoff(SLEEP_IDLE, 0, "console input");
	wq_remove(&console_wq, &we);
}

static void console_wake(void)
{
	wake_up(&console_wq);
}

static const struct console_waiter sched_console_waiter = {
	console_sleep, console_wake,
};

static const struct fault_task_ops sched_fault_ops = {
	task_catch_slot, kill_faulting_task, get_preempt_count,
	set_preempt_count,
};

static int sched_init(void)
{
	rq_init(&sched_runqueue);
	task_table_init();
	sched_slice_ticks = (SCHED_SLICE_MS * hz + 999) / 1000;
	if (!sched_slice_ticks)
		sched_slice_ticks = 1;
	next_slice = sched_slice_ticks;
	idle_task.slice = sched_slice_ticks;
	backtrace_set_bounds_fn(task_stack_bounds);
	fault_set_task_ops(&sched_fault_ops);
	pit_add_tick_hook(sched_tick);
	irq_exit_hook = sched_irq_exit;
	return 0;
}
INITCALL(sched_init, INIT_CORE);

void sched_start(struct task *first)
{
	console_set_waiter(&sched_console_waiter);
	cli();
	sched_running = true;
	sti();
	kthread_start(first);
	/* The boot stack is the idle task from here on. */
	sched_idle_loop();
}
