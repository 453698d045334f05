/*
 * <sched/task.h>: tasks, the task table, and looking at other tasks.
 *
 * A task is a kernel thread of control with its own kernel stack (a
 * vmap_alloc() range with an unmapped guard page below it, so an overflow
 * faults instead of corrupting a neighbour). Quiesce has no user space:
 * every task is a kernel task. The boot stack becomes the idle task.
 *
 * Lifecycle (sched/sched.c, sched/kthread.c, sched/reaper.c):
 *
 *                 kthread_start
 *   kthread_create ---> NEW --------------> RUNNABLE <-------------+
 *                                            |    ^                |
 *                        schedule() picks it |    | preempted by   |
 *                                            v    | the tick, yield |
 *                                          RUNNING                 |
 *                    sleep_ms, wait_event, |     | return, exit,   |
 *                    mutex_lock, ...       |     | killed by fault |
 *                                          v     v                 |
 *                                   SLEEPING     ZOMBIE            |
 *                                      |           | reaper: hooks,|
 *                                      |           v stack freed   |
 *                                      |         DEAD (struct kept |
 *                                      |         until last put)   |
 *                                      +---------------------------+
 *                                        wake_up_task, timeout
 *
 *   FROZEN: entered from RUNNABLE or SLEEPING (preemptive freeze) or from
 *   RUNNING at try_to_freeze (cooperative). Thaw returns the task to
 *   RUNNABLE, or to SLEEPING if it slept and no wakeup came meanwhile (a
 *   wakeup during the freeze is kept: the task thaws RUNNABLE).
 *
 * Lock legend for struct task fields:
 * (the vocabulary is <kernel/locking.h>; [S] is short for [sched_lock],
 * which is taken with interrupts off)
 *   [S] sched_lock                   [const] set at creation, then fixed
 *   [own] only the task itself       [r] the reaper (after ZOMBIE)
 *   [a] one aligned word, read without a lock
 */
#ifndef SCHED_TASK_H
#define SCHED_TASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sched/list.h>
#include <sched/current.h>
#include <sched/runqueue.h>
#include <sched/sched.h>

struct module;
struct fault_catch;
struct trap_frame;

enum task_state {
	TASK_NEW,               /* created, never run (kthread_create) */
	TASK_RUNNABLE,          /* on the run queue */
	TASK_RUNNING,           /* this is `current` */
	TASK_SLEEPING,          /* waiting for a wakeup or a timeout */
	TASK_FROZEN,            /* stopped by the freezer until thaw */
	TASK_ZOMBIE,            /* exited; waits for the reaper */
	TASK_DEAD,              /* reaped: no stack, struct kept by refs */
};

/* Why a sleeping task sleeps: the watchdog and the freezer care. */

#define TASK_NAME_MAX 24
#define KSTACK_PAGES 4
#define KSTACK_SIZE (KSTACK_PAGES * 4096u)

struct task_exit_hook;

struct task {
	int id;                         /* [const] unique, never reused */
	char name[TASK_NAME_MAX];       /* [const] */
	enum task_state state;          /* [S] */
	uintptr_t esp;                  /* [S] saved stack pointer, off CPU */
	void *stack;                    /* [const] lowest usable address */
	size_t stack_size;              /* [const] bytes */
	struct module *owner;           /* [const] NULL for the core */
	bool freezable;                 /* [const] false: never frozen */
	bool system; /* [const] core task: `kill` refuses it */
	bool idle;                      /* [const] a CPU's idle task */
	int cpu;                        /* [S] the CPU it runs or last ran on */
	uint32_t cpus_allowed;          /* [S] bit i: may run on CPU i */
	unsigned irqlock_depth;         /* [S] its irq_save nesting while
					 * switched out (kernel/irqlock.c) */
	struct fault_catch *fault_catch;/* [own] innermost armed catch */
	int exit_code;                  /* [S] valid from ZOMBIE on */

	int (*fn)(void *);              /* [const] thread function */
	void *arg;                      /* [const] */

	struct rq_entity rq;            /* [S] run queue link, vruntime */
	struct list_node all_node;      /* [S] task table */
	struct list_node zombie_node;   /* [S] reaper's list */
	struct list_node timer_node;    /* [S] timed sleepers (wake_tick) */

	enum sleep_kind sleep_kind;     /* [S] while SLEEPING */
	uint64_t sleep_since;           /* [S] tick the sleep began */
	uint64_t wake_tick;             /* [S] timeout tick, 0: none */
	bool timed_out;                 /* [S] the last sleep timed out */
	const char *wait_what;          /* [S] what it waits for, for reports */
	bool hung_reported;             /* [S] watchdog reported this sleep */

	/* Freezer (sched/freezer.c). */
	bool freeze_pending;            /* [S] asked to freeze */
	bool frozen;                    /* [S] frozen by the freezer */
	enum task_state frozen_from;    /* [S] state to return to on thaw */

	/* Preemption bookkeeping, and what the fair-share policy uses
	 * (<sched/runqueue.h>; `ps` shows it). */
	struct trap_frame *preempt_tf;  /* [S] frame it was preempted in */
	unsigned slice;                 /* [S] ticks left in its time slice */
	uint64_t sum_exec;              /* [S] CPU cycles used, in total */
	uint64_t exec_at_wake;          /* [S] sum_exec when last woken */
	uint32_t nr_slices;             /* [S] slices used up to the end */
	uint32_t nr_wake_preempts;      /* [S] wakeups that preempted */
	uint64_t switches;              /* [S] times it was switched in */
	uint64_t switched_out_at;       /* [S] sched_switch_count() when it
					 * last left the CPU */

	/* Kernel threads (sched/kthread.c). */
	volatile bool should_stop;      /* [a] kthread_stop asked */
	bool stop_ignored;              /* [a] a bounded kthread_stop gave up
					 * on it: it ignores stop requests */
	bool started;                   /* [S] left TASK_NEW */

	/* Exit and reaping (sched/reaper.c). */
	struct task_exit_hook *exit_hooks;      /* [S] run by the reaper */
	unsigned refs;                  /* [S] struct lifetime (task_get/put) */

	/* Fault injection (mm/failalloc.c): in scope when equal to the
	 * armed generation; copied from the creator at task_alloc. */
	uint32_t failalloc_scope;       /* [irq off] */
};

static inline struct task *sched_current(void)
{
	return current;
}

/*
 * Allocate a task: struct, stack (KSTACK_PAGES with a guard page), an id,
 * and an initial stack frame that starts fn(arg) the first time it is
 * switched to. The task is in the table, in state NEW, with one reference
 * (dropped by the reaper). Return: the task, or NULL if out of memory.
 * Context: task, may allocate (never sleeps).
 */
struct task *task_alloc(const char *name, int (*fn)(void *), void *arg,
			struct module *owner);
/* Free a task's stack (the reaper, once it is a zombie). Context: task. */
void task_free_stack(struct task *t);


/*
 * Find a live task by id and take a reference. Return: the task (caller
 * must task_put), or NULL. Context: any task context.
 */
struct task *task_find(int id);

/*
 * Call fn(t, arg) for every task in the table, under sched_lock with IRQs
 * off: fn must be short and must not sleep or print much (use
 * task_snapshot for that). fn returns false to stop.
 * Context: task or IRQ.
 */
void task_for_each(bool (*fn)(struct task *t, void *arg), void *arg);

/*
 * Take a reference on every task in the table, in table order, for a
 * caller that will look at them slowly (printing, stack walks); there is
 * no cap: the array is allocated to fit. Release with task_snapshot_free.
 * Return: the array, *n its length; NULL if out of memory.
 * Context: task.
 */
struct task **task_snapshot_all(unsigned *n);
void task_snapshot_free(struct task **tasks, unsigned n);
/* Drop the references of a snapshot and keep the array, its contents
 * undefined: all under one lock (the unload's scan drops one for every
 * task; a lock round trip each was a third of its cost over naive). */
void task_snapshot_put(struct task **tasks, unsigned n);

/* Number of tasks in the table (zombies included, DEAD excluded). */
unsigned task_count(void);

/*
 * The saved EIP of a task that is not running, then every return address
 * on its stack, through frame pointers, bounds-checked (stack_walk). A task
 * preempted by an interrupt has the interrupted EIP on its stack in the
 * trap stub's frame: the walk includes it, so code that was running when
 * the timer fired is found, not only the callers of schedule().
 * For current, the walk starts at the caller of task_backtrace.
 * Return: the number of addresses stored (0 for a task with no stack).
 * Context: any; the task must not run meanwhile (it is not current, and
 * on one CPU it cannot run while we look, unless we sleep).
 */
unsigned task_backtrace(struct task *t, uintptr_t *out, unsigned max);

/*
 * Where a task "is", for ps and reports: the interrupted EIP if it was
 * preempted, its function if it never ran, else the first return address
 * outside the scheduler (the function that chose to sleep or yield).
 * Context: as task_backtrace. Return: the address, 0 when unknown.
 */
uintptr_t task_where(struct task *t);

/*
 * Does t execute in [lo, hi), or will it return there? Looks at the
 * interrupted EIP of a preempted task and at every return address on its
 * stack, not only the EIP (the seed: "Simply looking at the EIP after
 * freeze is not enough"). Context: as task_backtrace; t must not run
 * meanwhile (frozen, or asleep and we do not sleep). Return: true if any
 * address lies in the range.
 */
bool task_runs_in_range(struct task *t, uintptr_t lo, uintptr_t hi);

/* Print a task's backtrace, one frame a line, each line prefixed.
 * Context: as task_backtrace. Return: none. */
void task_print_backtrace(struct task *t, const char *indent);

/* Return: "runnable", "sleeping", ... Context: any. */
const char *task_state_name(enum task_state s);

/* The bounds of the task stack holding addr (backtrace_set_bounds_fn).
 * Context: any, even with sched_lock held. Return: false if none. */
bool task_stack_bounds(uintptr_t addr, uintptr_t *lo, uintptr_t *hi);

/*
 * How ps names a task's owner module: the module subsystem installs a
 * function returning the module's name. Default: "-" for the core, else
 * "module@ADDR". Context: any.
 */
void task_set_owner_name_fn(const char *(*fn)(struct module *m));
const char *task_owner_name(struct module *m, char *buf, size_t len);
/*
 * The owner module's thread count: get is called when a task is created
 * with an owner, put when the reaper has finished with it (after its exit
 * hooks: the last code that may touch the module). The module subsystem
 * installs both. Context: boot.
 */
void task_set_owner_ref_fns(void (*get)(struct module *m),
			    void (*put)(struct module *m));
/*
 * Who owns code at an address (the module subsystem installs it): a
 * thread created with owner NULL whose function lies in a module is that
 * module's thread, with a warning; otherwise no unload could find it.
 */
void task_set_owner_of_fn(struct module *(*fn)(uintptr_t addr));
/* Drop t's reference on its owner. Context: the reaper. */
void task_owner_put(struct task *t);

/* A set of tasks, e.g. the freezer's exempt set (a module's threads). */
#define TASK_SET_MAX 16
struct task_set {
	unsigned n;
	struct task *tasks[TASK_SET_MAX];
};
/* Return: true if t is in set (set may be NULL). Context: any. */
bool task_set_contains(const struct task_set *set, const struct task *t);
/* Add t (once). Context: any. Return: 0, or -ENOSPC when full. */
int task_set_add(struct task_set *set, struct task *t);

#endif
