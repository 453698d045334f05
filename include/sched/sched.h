/*
 * <sched/sched.h>: the scheduler: preemption, yielding, sleeping, waking.
 *
 * Policy: fair share by virtual runtime with prompt wakeups. The run queue
 * (<sched/runqueue.h>, which states the rules) is sorted by the CPU time
 * each task has used; the one that has had least runs, for a time slice of
 * SCHED_SLICE_MS at most. A task woken from sleep is placed at most
 * SCHED_WAKEUP_CREDIT_MS behind the others and, when that puts it behind
 * a CPU-bound running task (one that has used a whole slice since it last
 * slept) by more than SCHED_WAKEUP_GRAN_US, preempts it at once instead of
 * waiting for its slice to end. CPU-bound tasks share the CPU equally;
 * nobody starves (the leftmost always runs next). One CPU; locks are
 * written so SMP could follow.
 *
 * Where preemption can happen. A task loses the CPU
 *   - on return from any interrupt (irq_exit_hook, after EOI, outermost
 *     interrupt only) when a reschedule is pending (slice over, a woken
 *     task is owed the CPU, or the idle task is running and someone woke
 *     up) and preempt_count() == 0;
 *   - at preempt_enable() when the count drops to 0 and a reschedule is
 *     pending;
 *   - when it sleeps, yields or exits (schedule()).
 * It never loses it while preempt_count() > 0 (preempt_disable, any held
 * spinlock) or with interrupts off. That is the whole list: code that must
 * not be preempted in the middle (the seed's "module code with a use count
 * of 0 ... as long as that function does not sleep") must disable
 * preemption, because everything else can be preempted anywhere.
 *
 * Rules, asserted: no sleeping with preemption disabled, with interrupts
 * off, or in an interrupt handler (sched_might_sleep()).
 */
#ifndef SCHED_SCHED_H
#define SCHED_SCHED_H

#include <stdbool.h>
#include <stdint.h>
#include <sched/current.h>

#define SCHED_SLICE_MS 10
/* A woken task is placed at most this far behind min_vruntime. */
#define SCHED_WAKEUP_CREDIT_MS 5
/* ...and preempts the running task when behind it by more than this. */
#define SCHED_WAKEUP_GRAN_US 250

/* Why a task sleeps, which decides who may wake or report it. */
enum sleep_kind {
	SLEEP_NONE,
	SLEEP_BLOCKED,          /* mutex, completion, wait_event: watched */
	SLEEP_IDLE,             /* waiting for work (console, reaper): fine */
	SLEEP_FREEZABLE,        /* sleep_ms, freezable waits: freezer kicks */
};

/* This CPU's nesting of preempt_disable (and spinlocks) and its pending
 * reschedule (<kernel/cpu.h>). A task always switches out at count 1
 * (sched_lock held), so the count is the same for every task that comes
 * in: it stays with the CPU. */
#define sched_need_resched this_cpu_read(need_resched)

static inline void sched_set_need_resched(bool on)
{
	this_cpu_write(need_resched, on);
}

static inline void preempt_disable(void)
{
	this_cpu_inc(preempt_count);
	__asm__ volatile("" ::: "memory");
}

/*
 * Drop one level; at 0, take a pending reschedule (if interrupts are on
 * and we are not in an IRQ handler). Context: any. Return: none.
 */
void preempt_enable(void);
/* Drop one level without rescheduling (used by the scheduler itself). */
static inline void preempt_enable_no_resched(void)
{
	__asm__ volatile("" ::: "memory");
	this_cpu_dec(preempt_count);
}

static inline int preempt_count(void)
{
	return this_cpu_read(preempt_count);
}

void sched_assert_fail(const char *what, const char *file, int line)
	__attribute__((noreturn));
#define assert_preempt_disabled()                                          \
	do {                                                               \
		if (preempt_count() <= 0)                                  \
			sched_assert_fail("preemption disabled",           \
					  __FILE__, __LINE__);             \
	} while (0)
/* Assert that the caller may sleep: task context, preemption enabled,
 * interrupts on. Every sleeping primitive starts with this. */
#define sched_might_sleep() sched_check_sleep(__FILE__, __LINE__)
/* Context: any. Return: only if the rule holds; else panics. */
void sched_check_sleep(const char *file, int line);

/*
 * Give up the CPU. The current task stays runnable if its state is still
 * RUNNING (a yield), else (SLEEPING, FROZEN, ZOMBIE) it waits to be woken.
 * Context: task, preempt_count() == 0; interrupts may be off (they are
 * restored as they were when the task runs again).
 */
void schedule(void);
/*
 * Let the next task in line run: the current task goes behind the
 * leftmost runnable task (its vruntime is raised to that task's, if
 * lower), so among tasks that keep yielding each gets a turn. The task
 * that runs gets a one-tick slice: a yield lends the CPU, it does not
 * give a CPU-bound task a whole slice (vruntime keeps the shares fair).
 * Context: task, may sleep. Return: none.
 */
void sched_yield(void);
/* Let t run only on the CPUs in mask (bit i: CPU i; a CPU that is not
 * online is never used). A running t moves at once: its CPU is kicked, or
 * the caller reschedules. For tests and demonstrations that need two tasks
 * on one CPU, or one on a given CPU. Context: task; may schedule. */
void sched_set_cpus(struct task *t, uint32_t mask);

/*
 * Sleep for at least ms milliseconds (to the next tick boundary after
 * ms: accurate within one tick). Freezable: the freezer may stop the task
 * inside, and the remaining time is slept after thaw. A kthread asked to
 * stop (kthread_should_stop) returns early.
 * Context: task, may sleep.
 */
void sleep_ms(unsigned ms);

/*
 * Wake t if it sleeps. A frozen task keeps the wakeup for its thaw.
 * Return: true if t was woken (or will be at thaw). Context: any (IRQ too).
 */
bool wake_up_task(struct task *t);

/*
 * The primitive under every sleep: mark current SLEEPING (of kind, waiting
 * for what), schedule, return when woken or at tick deadline (0: none).
 * Caller: interrupts off (so the wakeup it arranged cannot be lost between
 * its condition check and this), preempt_count() == 0, already queued
 * where its waker will find it. Return: 0 if woken, -ETIMEDOUT.
 */
int sched_sleep_irqoff(enum sleep_kind kind, uint64_t deadline,
		       const char *what);

/*
 * Start a task created by task_alloc (NEW -> RUNNABLE).
 * Context: any (IRQs off inside). Return: none.
 */
void sched_start_task(struct task *t);

/*
 * Start scheduling with first as the first task; the boot stack becomes
 * the idle task. Context: boot (kmain, interrupts on). Never returns.
 */
void sched_start(struct task *first) __attribute__((noreturn));

/*
 * Count function name as part of the scheduler when deciding where a
 * stopped task "is" (ps, the eip strategy): a higher layer's probe
 * subscriber that holds tasks adds its own frames. At most 8.
 * Context: boot (an initcall).
 */
void sched_add_core_fn(const char *name);

/*
 * The last thing an exiting task does: become a zombie, hand itself to
 * the reaper, schedule away forever. Context: task, never returns.
 */
void sched_exit(int code) __attribute__((noreturn));

/* Context switches since boot, and ticks the idle task ran.
 * Context: any. Return: the counts. */
uint64_t sched_switch_count(void);
uint64_t sched_idle_ticks(void);
/* Return: the tick of the last context switch (the watchdog's progress
 * check). Context: any. */
uint64_t sched_last_switch_tick(void);  /* this CPU's */
/* Return: tasks on the run queue now. Context: any. */
unsigned sched_nr_runnable(void);

/* What the policy knows about one task, for ps and tests. */
struct sched_stat {
	int64_t vruntime_us;            /* vruntime - min_vruntime */
	uint64_t cpu_us;                /* CPU time used, in total */
	uint32_t slices;                /* slices used up to the end */
	uint32_t wake_preempts;         /* wakeups that preempted */
};
/*
 * Read t's policy state (a consistent copy, taken under sched_lock; the
 * running task is charged up to now first). Times are in microseconds by
 * the tick's measure of the TSC (0 until two ticks have run).
 * Context: any. Return: none.
 */
void sched_task_stat(struct task *t, struct sched_stat *st);
/* Return: the CPU cycles t has used, charged up to now. Context: any. */
uint64_t sched_task_cycles(struct task *t);
/* Return: TSC cycles per tick as measured so far (0: not yet).
 * Context: any. */
uint64_t sched_cycles_per_tick(void);

/* Low level: switch stacks (boot/switch.asm). Context: sched_lock held,
 * IRQs off; only sched_schedule_locked calls it. */
void sched_switch(uintptr_t *save_esp, uintptr_t next_esp);

#endif
