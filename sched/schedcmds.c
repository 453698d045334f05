/*
 * sched/schedcmds.c: console commands for tasks and the freezer:
 *   ps [-v]            the task table with the scheduler's view of each
 *                      task (-v: with backtraces)
 *   freeze [--mode=cooperative|preemptive] [--timeout=MS]
 *   thaw
 *   spawn busy|sleeper|yielder|spinner    demo threads for labs
 *   kill ID            stop a kthread (kthread_stop, bounded)
 */
#include <sched/freezer.h>
#include <sched/kthread.h>
#include <sched/sched.h>
#include <sched/watchdog.h>
#include <drivers/pit.h>
#include <kernel/arch.h>
#include <kernel/lib/errno.h>
#include <kernel/lib/format.h>
#include <kernel/ksyms.h>
#include <kernel/lib/parse.h>
#include <kernel/printk.h>
#include <kernel/shell.h>
#include <kernel/lib/string.h>
#include <mm/heap.h>

#define KILL_TIMEOUT_MS 2000
#define FREEZE_TIMEOUT_MS 1000

/* The policy's view: vruntime against min_vruntime, in ms with one
 * decimal ("-" for the idle task, which is never queued). */
static void fmt_vrun(char *buf, size_t len, struct task *t,
		     const struct sched_stat *st)
{
	int64_t v = st->vruntime_us;
	uint64_t a = v < 0 ? (uint64_t)-v : (uint64_t)v;

	if (t->id == 0)
		kstrlcpy(buf, "-", len);
	else
		ksnprintf(buf, len, "%c%lu.%lu", v < 0 ? '-' : '+',
			  (unsigned long)(a / 1000),
			  (unsigned long)(a % 1000 / 100));
}

static void ps_line(struct task *t, bool verbose)
{
	char sym[96], own[32], state[24], vrun[16], cpu[8] = "-";
	struct sched_stat st;

	if (t->state == TASK_RUNNING)
		ksnprintf(cpu, sizeof(cpu), "%d", t->cpu);
	/* A task running on another CPU has no saved stack to read. */
	if (t->state == TASK_RUNNING && t != current)
		ksnprintf(sym, sizeof(sym), "(running on CPU %d)", t->cpu);
	else
		ksyms_format(task_where(t), sym, sizeof(sym));
	kstrlcpy(state, task_state_name(t->state), sizeof(state));
	if (t->state == TASK_FROZEN)
		kstrlcpy(state, t->frozen_from == TASK_SLEEPING ?
			 "frozen(sleep)" : "frozen(run)", sizeof(state));
	sched_task_stat(t, &st);
	fmt_vrun(vrun, sizeof(vrun), t, &st);
	kprintf("%4d %-12s %-13s %3s %-8s %c %8s %8lu %6lu %5lu %s\n",
		t->id, t->name, state, cpu,
		task_owner_name(t->owner, own, sizeof(own)),
		t->freezable ? ' ' : 'N', vrun,
		(unsigned long)(st.cpu_us / 1000), (unsigned long)st.slices,
		(unsigned long)st.wake_preempts, t->state >= TASK_ZOMBIE ?
		"-" : t == current ? "(this command)" : sym);
	if (verbose && t->state < TASK_ZOMBIE) {
		if (t->state == TASK_SLEEPING && t->wait_what)
			kprintf("       waiting on '%s' for %lu ms\n",
				t->wait_what,
				(unsigned long)(ticks_read() - t->sleep_since)
					* 1000 / hz);
		if (t->state == TASK_RUNNING && t != current)
			kprintf("       (its stack is in use on CPU %d)\n",
				t->cpu);
		else
			task_print_backtrace(t, "       ");
	}
}

static int cmd_ps(int argc, char **argv)
{
	bool verbose = argc == 2 && !strcmp(argv[1], "-v");
	struct task **snap;
	unsigned n;

	if (argc > 2 || (argc == 2 && !verbose))
		return cmd_error(-EINVAL, "usage: ps [-v]");
	snap = task_snapshot_all(&n);
	if (!snap)
		return cmd_error(-ENOMEM, "no memory for the task list");
	kprintf("  ID NAME         STATE         CPU OWNER    F VRUN(ms)  "
		"CPU(ms) SLICES WAKEP WHERE\n");
	for (unsigned i = 0; i < n; i++)
		ps_line(snap[i], verbose);
	task_snapshot_free(snap, n);
	kprintf("%u tasks, %u runnable, %lu context switches; F: N = never "
		"frozen%s\n", n, sched_nr_runnable(),
		(unsigned long)sched_switch_count(),
		freezer_active() ? "; a freeze is active" : "");
	kprintf("CPU: the CPU a running task is on (%u online). ",
		cpus_online);
	kprintf("VRUN: virtual runtime ahead (+) of or behind (-) the "
		"queue's floor; the lowest runs next.\nSLICES: %u ms slices "
		"used up; WAKEP: wakeups that preempted the running task "
		"(a woken task\nis placed at most %u ms behind the floor).\n",
		SCHED_SLICE_MS, SCHED_WAKEUP_CREDIT_MS);
	return 0;
}
COMMAND(ps, "ps", "[-v]",
	"list tasks: id, name, state, owner, scheduler state, where "
	"(-v: backtraces)", cmd_ps);

static int cmd_freeze(int argc, char **argv)
{
	enum freeze_mode mode = FREEZE_COOPERATIVE;
	uint32_t timeout = FREEZE_TIMEOUT_MS;
	const char *v;
	int err;

	for (int i = 1; i < argc; i++) {
		if ((v = parse_option(argv[i], "mode")) &&
		    !strcmp(v, "cooperative"))
			mode = FREEZE_COOPERATIVE;
		else if (v && !strcmp(v, "preemptive"))
			mode = FREEZE_PREEMPTIVE;
		else if ((v = parse_option(argv[i], "timeout")) &&
			 !parse_u32(v, &timeout))
			;
		else
			return cmd_error(-EINVAL, "usage: freeze "
					 "[--mode=cooperative|preemptive] "
					 "[--timeout=MS]");
	}
	err = freezer_freeze(mode, NULL, timeout);
	if (err == -EBUSY)
		return cmd_error(err, "a freeze is already active; 'thaw' "
				 "ends it");
	if (err == -ETIMEDOUT)
		return cmd_error(err, "some tasks refused to freeze within "
				 "%lu ms (listed above); all were thawed",
				 (unsigned long)timeout);
	if (err)
		return cmd_error(err, "the freeze failed");
	kprintf("froze %u task%s (%s); the shell and tasks marked N keep "
		"running; 'thaw' resumes them\n", freezer_frozen_count(),
		freezer_frozen_count() == 1 ? "" : "s",
		mode == FREEZE_PREEMPTIVE ? "preemptive" : "cooperative");
	return 0;
}
COMMAND(freeze, "freeze", "[--mode=cooperative|preemptive] [--timeout=MS]",
	"freeze every freezable task but the shell", cmd_freeze);

static int cmd_thaw(int argc, char **argv)
{
	unsigned n;

	if (!freezer_active())
		return cmd_error(-EALREADY, "nothing is frozen");
	n = freezer_thaw();
	kprintf("thawed %u task%s\n", n, n == 1 ? "" : "s");
	return 0;
}
COMMAND(thaw, "thaw", "", "resume the tasks the last freeze stopped",
	cmd_thaw);

/* ---- demo threads ---------------------------------------------------- */

static int spawn_busy(void *arg)
{
	volatile unsigned long spins = 0;

	/* Never sleeps: only the timer tick takes the CPU away from it. */
	while (!kthread_should_stop()) {
		if ((++spins & 0xffff) == 0)
			try_to_freeze();
	}
	return 0;
}

static int spawn_spinner(void *arg)
{
	/* No freeze point: a cooperative freeze times out on it, a
	 * preemptive one stops it wherever the tick left it. */
	while (!kthread_should_stop())
		cpu_relax();
	return 0;
}

static int spawn_sleeper(void *arg)
{
	while (!kthread_should_stop())
		sleep_ms(500);
	return 0;
}

static int spawn_yielder(void *arg)
{
	while (!kthread_should_stop()) {
		sched_yield();
		try_to_freeze();
	}
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(void *);
	const char *what;
} kinds[] = {
	{ "busy", spawn_busy, "spins; preempted by the timer" },
	{ "sleeper", spawn_sleeper, "sleeps 500 ms at a time" },
	{ "yielder", spawn_yielder, "yields the CPU in a loop" },
	{ "spinner", spawn_spinner,
	  "spins with no freeze point: refuses a cooperative freeze" },
};

static int cmd_spawn(int argc, char **argv)
{
	for (unsigned i = 0; argc == 2 && i < sizeof(kinds) / sizeof(kinds[0]);
	     i++) {
		struct task *t;

		if (strcmp(argv[1], kinds[i].name))
			continue;
		t = kthread_run(kinds[i].fn, NULL, NULL, kinds[i].name);
		if (!t)
			return cmd_error(-ENOMEM, "no memory for a new task");
		kprintf("spawned task '%s' (id %d): %s; 'kill %d' stops it\n",
			t->name, t->id, kinds[i].what, t->id);
		return 0;
	}
	return cmd_error(-EINVAL, "usage: spawn busy|sleeper|yielder|spinner");
}
COMMAND(spawn, "spawn", "busy|sleeper|yielder|spinner",
	"start a demo kernel thread", cmd_spawn);

static int cmd_kill(int argc, char **argv)
{
	struct task *t;
	uint32_t id;
	int code;

	if (argc != 2 || parse_u32(argv[1], &id))
		return cmd_error(-EINVAL, "usage: kill ID (see 'ps')");
	t = task_find((int)id);
	if (!t)
		return cmd_error(-ESRCH, "no task with id %lu",
				 (unsigned long)id);
	if (t->system || t == current || t->state >= TASK_ZOMBIE) {
		code = t->state >= TASK_ZOMBIE ? -ESRCH : -EPERM;
		kprintf("error: task '%s' (id %d) %s (%s)\n", t->name, t->id,
			code == -ESRCH ? "has already exited" :
			"is a core task and cannot be killed",
			errno_name(code));
		task_put(t);
		return code;
	}
	code = kthread_stop_timeout(t, KILL_TIMEOUT_MS);
	if (code == -ETIMEDOUT) {
		kprintf("error: task '%s' (id %d) did not stop within %u ms: "
			"it may be frozen, or never check "
			"kthread_should_stop (ETIMEDOUT)\n", t->name, t->id,
			KILL_TIMEOUT_MS);
		task_put(t);
		return -ETIMEDOUT;
	}
	kprintf("task '%s' (id %d) stopped with exit code %d\n", t->name,
		t->id, code);
	task_put(t);
	return 0;
}
COMMAND(kill, "kill", "ID", "stop a kernel thread and wait for its exit",
	cmd_kill);
