/*
 * kernel/race/stress_clients.c: the threads of a stress run.
 *
 * Interface (<kernel/race/stress.h>): stress_threads_start,
 * stress_threads_join.
 *
 *   stressc<i>  clients: call into a module of the run through one entry
 *               path drawn at random: its console command by shell_exec
 *               (as typed), the same command found in the command table
 *               and called through the shell's invoke hook, or its
 *               service (service_call: get, call, put). A command of
 *               stress_user calls stress_self through an export: the
 *               cross-module path. Timers and module threads run by
 *               themselves once a module is loaded. Every call is under a
 *               fault catch, so a caught fault is counted and the client
 *               goes on (the use-after-free report is printed by the
 *               fault handler).
 *   stressl<i>  loaders: draw a module; unload it with the run's strategy
 *               and busy policy (in its own watched task, so a deadlock is
 *               caught and broken); when it is not loaded, load it.
 *   stressau    --autounload: every 100 ms try to unload every module of
 *               the run with busy=fail, as an auto-unload daemon unloads
 *               whatever is idle. In seeded/pct mode the passes run in
 *               the loader, every 8th round, instead.
 *
 * Each loop passes a scheduling point ("client.loop", "loader.loop"), so
 * in seeded/pct mode a thread with nothing to do still hands the baton on.
 *
 * Lock: the thread table is written by the orchestrating task only, before
 * the threads start and after they are reaped.
 */
#include <kernel/race/stress.h>
#include <kernel/probe.h>
#include <kernel/arch.h>
#include <kernel/lib/errno.h>
#include <kernel/lib/format.h>
#include <kernel/ksyms.h>
#include <kernel/module/module.h>
#include <kernel/module/service.h>
#include <kernel/shell.h>
#include <kernel/lib/string.h>
#include <kernel/trap.h>
#include <sched/kthread.h>
#include <sched/reaper.h>
#include <sched/task.h>

#define MAX_THREADS (STRESS_MAX_CLIENTS + STRESS_MAX_LOADERS + 1)
#define WATCH_MS 4000

static int thread_ids[MAX_THREADS];
static unsigned nthreads;

static const char *pick_module(void)
{
	return stress_cfg.modules[stress_rand() % stress_cfg.nmodules];
}

static void pause_if_stuttering(void)
{
	while (stress_paused && !stress_stop)
		sleep_ms(10);
}

/* ---- clients --------------------------------------------------------- */

static void client_caught(const struct fault_catch *fc)
{
	char sym[96];

	stress_stats.faults++;
	ksyms_format(fc->info.eip, sym, sizeof(sym));
	stress_fail("client '%s' faulted at %s (%s)", current->name, sym,
		    modmem_in_grave(fc->info.eip) ||
		    modmem_in_grave(fc->info.addr) ?
		    "use-after-free of module memory" : "a fault");
}

/*
 * Find a command and pin its owner in one critical section, as
 * service_get() does for a service. shell_find() alone hands back a
 * pointer into the module's memory with nothing held: a task preempted
 * between the lookup and the boundary's module_enter() holds no reference
 * and has no return address in the module, so no quiesce can see it, and
 * the module can be freed under it. shell_exec() had that window and now
 * pins as we do (docs/stress.md, "A race the stress test found");
 * --raw-exec reopens it on the command-table path, to show it.
 * Return: the command, its owner pinned, or NULL.
 */
static __attribute__((noinline)) const struct command *
find_pinned(const char *name, struct module **owner)
{
	uint32_t f = irq_save();
	const struct command *cmd = shell_find(name);
	bool ok = cmd && try_module_get(cmd->owner);

	*owner = ok ? cmd->owner : NULL;
	irq_restore(f);
	return ok ? cmd : NULL;
}

/* As typed at the prompt: the shell finds and pins the command itself. */
static void call_exec(const char *name)
{
	char line[48];

	ksnprintf(line, sizeof(line), "%s", name);
	if (shell_find(name))           /* not there: exec would say so */
		shell_exec(line);
}

/* The command table, bracketed the way the shell's invoke hook does; the
 * owner is read once, while the module is pinned, so a fault inside does
 * not leave the references behind. */
static void call_table(const char *name, struct fault_catch *fc)
{
	char arg0[32], *argv[2] = { arg0, NULL };
	const struct command *cmd;
	struct module *owner;

	if (stress_cfg.raw_exec) {
		cmd = shell_find(name);
		if (!cmd)
			return;
		/* The window, as a point: a seed can land here. */
		probe("shell.found");
		owner = cmd->owner;     /* a freed command faults here */
		if (!module_enter(owner))
			return;
	} else if (!(cmd = find_pinned(name, &owner))) {
		return;
	}
	module_callback_begin(owner);
	kstrlcpy(arg0, name, sizeof(arg0));
	if (fault_catch_enter(fc, false) == 0) {
		cmd->fn(1, argv);
		fault_catch_leave(fc);
	} else {
		client_caught(fc);
	}
	module_callback_end(owner);
	module_leave(owner);
}

/* The service registry: get (pins the owner), call, put. */
static void call_service(const char *name, struct fault_catch *fc)
{
	struct service *svc = service_get(name);
	struct module *owner;
	uint32_t result;

	if (!svc)
		return;
	owner = svc->owner;
	if (fault_catch_enter(fc, false) == 0) {
		svc->ops->call(svc, 1, 1, &result);
		fault_catch_leave(fc);
	} else {
		client_caught(fc);
	}
	module_leave(owner);    /* service_put without reading svc again */
}

static void call_one(const char *name)
{
	struct fault_catch fc;
	/* The sample modules' commands print; only their services (and
	 * their timers and threads, which need no caller) are called. */
	unsigned paths = strncmp(name, "stress_", 7) ? 1 : 3;

	switch (paths == 1 ? 2 : stress_rand() % 3) {
	case 0:
		call_exec(name);
		break;
	case 1:
		call_table(name, &fc);
		break;
	default:
		call_service(name, &fc);
		break;
	}
}

static int client_fn(void *arg)
{
	stress_sched_join();
	while (!stress_stop) {
		struct fault_catch fc;

		probe("client.loop");
		pause_if_stuttering();
		if (stress_stop)
			break;
		if (fault_catch_enter(&fc, false) == 0) {
			call_one(pick_module());
			fault_catch_leave(&fc);
		} else {
			client_caught(&fc);
		}
		stress_check_detectors();
		stress_stats.calls++;
	}
	stress_sched_leave();
	return 0;
}

/* ---- loaders ---------------------------------------------------------- */

static void count_outcome(const struct unload_req *r)
{
	if (r->quiesce_cycles > stress_stats.max_quiesce)
		stress_stats.max_quiesce = r->quiesce_cycles;
	switch (r->outcome) {
	case UNLOAD_FREED:
		stress_stats.unloads++;
		break;
	case UNLOAD_DELAYED:
		stress_stats.delayed++;
		break;
	case UNLOAD_REREGISTERED:
		stress_stats.reregistered++;
		break;
	case UNLOAD_FAILED:
		stress_fail("the unload failed: %s", r->msg);
		break;
	default:
		stress_stats.refusals++;
		break;
	}
}

/*
 * Unload name with the run's strategy (busy: the run's, or fail).
 * Return: the unload's error; -ENOENT when it was not loaded.
 */
static int unload_one(const char *name, bool daemon)
{
	struct unload_req r;
	bool deadlocked;
	uint64_t t0;
	int err;

	unload_req_init(&r);
	r.strategy = stress_cfg.strategy;
	r.busy = daemon ? BUSY_FAIL : stress_cfg.busy;
	r.timeout_ms = 1000;
	stress_sched_delegate(true);
	t0 = rdtsc();
	err = unload_module_watched(name, &r, false, WATCH_MS, &deadlocked);
	t0 = rdtsc() - t0;
	stress_sched_delegate(false);
	if (r.outcome == UNLOAD_FREED && t0 > stress_stats.max_unload)
		stress_stats.max_unload = t0;
	if (deadlocked) {
		stress_stats.deadlocks++;
		stress_fail("the %s unload of '%s' deadlocked (%s)",
			    unload_strategy_name(r.strategy), name, r.msg);
		return err;
	}
	if (err == -ENOENT)
		return err;
	count_outcome(&r);
	if (daemon && r.outcome == UNLOAD_FREED)
		stress_stats.autounloads++;
	return err;
}

static void load_one(const char *name)
{
	char err[160];

	if (module_load(name, 0, NULL, err, sizeof(err))) {
		stress_stats.load_fails++;
		if (!stress_stats.loads)
			kstrlcpy(stress_stats.load_error, err,
				 sizeof(stress_stats.load_error));
	}
	else
		stress_stats.loads++;
}

/* One pass of the auto-unload daemon: whatever is idle goes. */
static void autounload_pass(void)
{
	for (unsigned i = 0; i < stress_cfg.nmodules && !stress_stop; i++)
		unload_one(stress_cfg.modules[i], true);
}

static int loader_fn(void *arg)
{
	unsigned round = 0;

	stress_sched_join();
	while (!stress_stop) {
		const char *name;

		probe("loader.loop");
		/* Seeded: the daemon's passes run here, in the one thread
		 * that unloads, so no two unloads race for module_mutex
		 * outside the baton. */
		if (stress_cfg.autounload && arg == NULL &&
		    stress_cfg.sched != STRESS_SCHED_TIMER && ++round % 8 == 0)
			autounload_pass();
		pause_if_stuttering();
		if (stress_stop)
			break;
		name = pick_module();
		if (unload_one(name, false) == -ENOENT)
			load_one(name);
		if (stress_cfg.cycles && stress_stats.unloads +
		    stress_stats.autounloads >= stress_cfg.cycles)
			stress_stop = true;
	}
	stress_sched_leave();
	return 0;
}

static int autounload_fn(void *arg)
{
	stress_sched_join();
	while (!stress_stop) {
		probe("autounload");
		sleep_ms(100);
		autounload_pass();
	}
	stress_sched_leave();
	return 0;
}

/* ---- start and join ---------------------------------------------------- */

static int spawn(int (*fn)(void *), const char *fmt, unsigned i)
{
	char name[16];
	struct task *t;

	ksnprintf(name, sizeof(name), fmt, i);
	t = kthread_run(fn, (void *)(uintptr_t)i, NULL, name);
	if (!t)
		return -ENOMEM;
	thread_ids[nthreads++] = t->id;
	return 0;
}

int stress_threads_start(void)
{
	int err = 0;

	nthreads = 0;
	for (unsigned i = 0; i < stress_cfg.clients && !err; i++)
		err = spawn(client_fn, "stressc%u", i);
	for (unsigned i = 0; i < stress_cfg.loaders && !err; i++)
		err = spawn(loader_fn, "stressl%u", i);
	if (stress_cfg.autounload && !err &&
	    stress_cfg.sched == STRESS_SCHED_TIMER)
		err = spawn(autounload_fn, "stressau", 0);
	if (err) {
		stress_stop = true;
		stress_sched_stop();
		stress_threads_join(5000);
		return err;
	}
	stress_sched_go(nthreads);
	return 0;
}

int stress_threads_join(unsigned timeout_ms)
{
	int err = 0;

	for (unsigned i = 0; i < nthreads; i++)
		if (reaper_wait_id(thread_ids[i], timeout_ms))
			err = -ETIMEDOUT;
	return err;
}
