/*
 * sched/reaper.c: the reaper thread: zombies -> DEAD.
 *
 * Interface and the four steps of a reap in <sched/reaper.h>.
 *
 * Lifecycle of an exiting task, and who does what:
 *
 *   RUNNING --sched_exit--> ZOMBIE (on `zombies`; task_exit_wq woken)
 *                             |  the task switches away for good: its
 *                             |  stack is no longer in use
 *                             v  reaper thread:
 *                           hooks run (each under a fault catch: a hook
 *                           that touches freed module memory is reported
 *                           and the reaper goes on: race R3's evidence)
 *                             |
 *                           stack freed, DEAD, out of the table,
 *                           reaped_wq woken (reaper_wait returns)
 *                             |
 *                           task_put: struct freed with the last ref
 *
 * One CPU: a zombie on the list has already switched away by the time the
 * reaper runs (the reaper cannot run before it does). On SMP the reaper
 * would also have to wait until the zombie is off its CPU.
 *
 * The reaper is not freezable: unload waits for reaps, maybe during a
 * freeze, and a frozen reaper would turn that wait into a deadlock.
 */
#include <kernel/probe.h>
#include <kernel/mutant.h>
#include <sched/reaper.h>
#include <sched/kthread.h>
#include <sched/sched.h>
#include <sched/waitqueue.h>
#include "internal.h"
#include <kernel/lib/errno.h>
#include <kernel/init.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/trap.h>
#include <mm/heap.h>

struct task_exit_hook {
	task_exit_fn fn;
	void *arg;
	struct task_exit_hook *next;
};

extern struct wait_queue task_exit_wq;
void task_unlink(struct task *t);

static struct list_node zombies = LIST_HEAD_INIT(zombies);   /* [S] */
static unsigned nzombies;                                   /* [S] */
static unsigned reaping;        /* [a] taken, reap not finished yet */
static struct wait_queue reaper_wq = WAIT_QUEUE_INIT(reaper_wq, "zombies");
static struct wait_queue reaped_wq = WAIT_QUEUE_INIT(reaped_wq, "reaped");
static unsigned long reaped;
static struct task *reaper_task;

int reaper_add_exit_hook(struct task *t, task_exit_fn fn, void *arg)
{
	struct task_exit_hook *h = kmalloc(sizeof(*h)), **pp;
	uint32_t f;

	if (!h)
		return -ENOMEM;
	h->fn = fn;
	h->arg = arg;
	h->next = NULL;
	f = spin_lock_irqsave(&sched_lock);
	if (t->state == TASK_ZOMBIE || t->state == TASK_DEAD) {
		spin_unlock_irqrestore(&sched_lock, f);
		kfree(h);
		return -ESRCH;
	}
	for (pp = &t->exit_hooks; *pp; pp = &(*pp)->next)
		;
	*pp = h;                        /* oldest first */
	spin_unlock_irqrestore(&sched_lock, f);
	return 0;
}

void reaper_enqueue_irqoff(struct task *t)
{
	assert(!irqs_enabled() && t->state == TASK_ZOMBIE);
	if (MUTANT_EARLY_THREAD_PUT)
		task_owner_put(t);      /* before the exit hooks: R3 */
	spin_lock(&sched_lock);
	list_add_tail(&t->zombie_node, &zombies);
	nzombies++;
	spin_unlock(&sched_lock);
	wake_up(&reaper_wq);
	wake_up(&task_exit_wq);
	/* The reap before the exit waiters: they usually wait for it
	 * (kthread_stop, then reaper_wait; the unload protocol's reap
	 * check), and the zombie's stack and module reference go with it. */
	spin_lock(&sched_lock);
	if (reaper_task)
		sched_run_first_locked(reaper_task);
	spin_unlock(&sched_lock);
}

/* LAB(reaper) BEGIN: run a zombie's exit hooks, each under a fault catch */
/* One hook under a fault catch. The volatile copy survives the longjmp. */
static void run_hook(struct task *t, struct task_exit_hook *h)
{
	struct task *volatile vt = t;
	struct fault_catch fc;

	if (fault_catch_enter(&fc, false) == 0) {
		h->fn(t, h->arg);
		fault_catch_leave(&fc);
	} else {
		pr_err("reaper: an exit hook of task '%s' (id %d) faulted; "
		       "reaping goes on", vt->name, vt->id);
	}
}

static void run_hooks(struct task *t)
{
	struct task_exit_hook *h;

	while ((h = t->exit_hooks)) {
		t->exit_hooks = h->next;
		run_hook(t, h);
		kfree(h);
	}
}
/* LAB(reaper) STUB
   LAB(reaper) END */

static void reap(struct task *t)
{
	probe("reaper.reap");         /* race R3 holds a task here */
/* LAB(reaper) BEGIN: the exit hooks first */
	run_hooks(t);
/* LAB(reaper) STUB
   LAB(reaper) END */
/* LAB(refcount) BEGIN: a module thread's reference, dropped here */
	if (!MUTANT_EARLY_THREAD_PUT)
		task_owner_put(t);      /* the module's threads drop their
					 * reference in core code, last */
/* LAB(refcount) STUB
   LAB(refcount) END */
/* LAB(reaper) BEGIN: free the stack, unlink, wake the waiters, drop */
	task_free_stack(t);
	task_unlink(t);
	reaped++;
	wake_up(&reaped_wq);
	task_put(t);                    /* the task's own reference */
/* LAB(reaper) STUB
   LAB(reaper) END */
}

static struct task *take_zombie(void)
{
	struct task *t = NULL;
	uint32_t f = spin_lock_irqsave(&sched_lock);

	if (!list_empty(&zombies)) {
		t = list_entry(zombies.next, struct task, zombie_node);
		list_del_init(&t->zombie_node);
		nzombies--;
		reaping++;
	}
	spin_unlock_irqrestore(&sched_lock, f);
	return t;
}

static int reaper_fn(void *arg)
{
	for (;;) {
		struct task *t;

		wait_event_idle(reaper_wq, !list_empty(&zombies));
		while ((t = take_zombie())) {
			reap(t);
			/* Pending until its memory is back: with more CPUs
			 * a test may look while the reap runs elsewhere. */
			__atomic_sub_fetch(&reaping, 1, __ATOMIC_RELEASE);
		}
	}
	return 0;
}

int reaper_wait(struct task *t, unsigned timeout_ms)
{
/* LAB(reaper) BEGIN: wait until t is DEAD, bounded */
	return wait_event_timeout(reaped_wq, t->state == TASK_DEAD,
				  timeout_ms);
/* LAB(reaper) STUB
	(void)reaped_wq;
	return -ENOSYS;
   LAB(reaper) END */
}

/* LAB(reaper) BEGIN: wait until no task has this id */
static bool id_in_table(int id)
{
	struct list_node *n;

	list_for_each(n, &task_list)
		if (list_entry(n, struct task, all_node)->id == id)
			return true;
	return false;
}

int reaper_wait_id(int id, unsigned timeout_ms)
{
	/* The condition runs with IRQs off: the table cannot change. */
	return wait_event_timeout(reaped_wq, !id_in_table(id), timeout_ms);
}
/* LAB(reaper) STUB
int reaper_wait_id(int id, unsigned timeout_ms)
{
	return -ENOSYS;
}
   LAB(reaper) END */

unsigned long reaper_reaped_count(void)
{
	return reaped;
}

unsigned reaper_pending(void)
{
	return nzombies + __atomic_load_n(&reaping, __ATOMIC_ACQUIRE);
}

static int reaper_init(void)
{
	reaper_task = kthread_create(reaper_fn, NULL, NULL, "reaper");
	if (!reaper_task)
		return -ENOMEM;
	reaper_task->freezable = false;
	reaper_task->system = true;
	kthread_start(reaper_task);
	return 0;
}
INITCALL(reaper_init, INIT_SUBSYS);
