/*
 * kernel/race/race_scenarios.c: the race catalogue, R1 to R17.
 *
 * Each scenario loads one of the modules/race_*.c samples, holds tasks at
 * named probes (<kernel/race/race.h>) so that the race is open, runs the
 * unload with the chosen strategy in its own task ("rmmod", watched for
 * deadlock) and releases the held tasks; race_engine.c then settles and
 * measures. The expected matrix at the end is what
 * docs/race-catalogue.md explains, cell by cell.
 */
#include "internal.h"
#include <kernel/cpu.h>
#include <kernel/module/module.h>
#include <kernel/ksyms.h>
#include <kernel/lib/errno.h>
#include <kernel/race/race.h>
#include <kernel/shell.h>
#include <sched/sched.h>
#include <sched/task.h>

/* ---- modules, clients, the unload ------------------------------------- */

static int load(struct race_ctx *c, const char *name, const char *param)
{
	char err[200], buf[32];
	char *argv[1] = { buf };
	int ret;

	kstrlcpy(buf, param ? param : "", sizeof(buf));
	ret = module_load(name, param ? 1 : 0, argv, err, sizeof(err));
	if (ret) {
		kprintf("race: cannot load %s: %s (%s)\n", name, err,
			errno_name(ret));
		if (!c->harness_err)
			c->harness_err = ret;
	} else
		narrate(c->verbose, "insmod", "loaded %s%s%s", name,
			param ? " " : "", param ? param : "");
	if (!ret)
		c->module = name;
	return ret;
}

struct client {
	const char *service;
	uint32_t op;
	volatile bool done, refused;
	volatile bool ran_freed;        /* came back from a freed module */
	int result;
};

/* Take the client's service at the boundary; NULL (and the client is
 * done, refused) if the module is going away. */
static struct service *client_get(struct client *cl)
{
	struct service *svc = service_get(cl->service);

	if (!svc) {
		cl->refused = true;
		cl->done = true;
	}
	return svc;
}

/* A client of the race service: get it at the boundary, call one op. */
static int svc_client_fn(void *arg)
{
	struct client *cl = arg;
	struct service *svc = client_get(cl);
	uint32_t v = 0;

	if (!svc)
		return -ENODEV;
	cl->result = svc->ops->call(svc, cl->op, 0, &v);
	service_put(svc);
	cl->done = true;
	return 0;
}

/* R13: takes the service at the boundary, stops before any call (in
 * kernel code: nothing of it is in the module), then calls. */
static int got_client_fn(void *arg)
{
	struct client *cl = arg;
	struct service *svc = client_get(cl);
	uint32_t v = 0;

	if (!svc)
		return -ENODEV;
	probe("R13.got");
	cl->result = svc->ops->call(svc, 0, 0, &v);
	service_put(svc);
	cl->done = true;
	return 0;
}

/* R14: opens a handle (the module counts it), lets the service go, and
 * later closes through the handle, as a file's close reached a 2002
 * driver: through the ops it kept, not through the registry. */
static int open_client_fn(void *arg)
{
	struct client *cl = arg;
	struct service *svc = client_get(cl);
	const struct service_ops *ops;
	uint32_t v = 0;

	if (!svc)
		return -ENODEV;
	ops = svc->ops;
	cl->result = ops->call(svc, 14, 0, &v);         /* open */
	service_put(svc);
	probe("R14.opened");
	cl->result = ops->call(svc, 15, 0, &v);         /* close */
	cl->done = true;
	return 0;
}

/* R11, R12, R16, R17: an event through the chain: no reference anywhere.
 * It was inside race_notify all along (the scenario holds it there until
 * the unload is over): if the module is gone now, it ran the module's
 * freed code on its way back and nothing stopped it. */
static int notify_client_fn(void *arg)
{
	struct client *cl = arg;

	notify_event(cl->op, NULL);
	cl->ran_freed = !module_find("race_notify");
	cl->done = true;
	return 0;
}

/* A client typing a module's command. */
static int cmd_client_fn(void *arg)
{
	struct client *cl = arg;

	cl->result = shell_exec(cl->service);
	cl->done = true;
	return 0;
}

static struct task *client_start(struct race_ctx *c, int (*fn)(void *),
				 struct client *cl, const char *name)
{
	struct task *t = kthread_create(fn, cl, NULL, name);

	if (!t) {
		race_harness_fail_err(c, "cannot start a client (no memory "
				      "for a task)", -ENOMEM);
		return NULL;
	}
	task_get(t);
	if (c->client_cpu >= 0)
		sched_set_cpus(t, 1u << c->client_cpu);
	kthread_start(t);
	return t;
}

/* Wait for a client to end (normally, or killed by a caught fault). */
static void client_finish(struct race_ctx *c, struct task *t,
			  struct client *cl)
{
	if (!t)
		return;
	if (reaper_wait(t, 2000))
		race_harness_fail(c, "a client did not finish");
	else if (cl->refused)
		narrate(c->verbose, t->name,
			"was refused at the boundary: the service is "
			"going away");
	else if (cl->done && cl->ran_freed) {
		narrate(c->verbose, t->name,
			"returned normally from the module, which was freed "
			"while it was inside: it ran freed code through the "
			"stale TLB entries of CPU %d, and nothing faulted",
			c->client_cpu);
		c->ran_freed = true;
	} else if (cl->done)
		narrate(c->verbose, t->name,
			"returned from the module normally");
	else
		narrate(c->verbose, t->name, "was killed by the fault above");
	task_put(t);
}

/* Where a held task stopped. On another CPU it may still be on its way
 * out when it is reported held: its saved context is read only once it is
 * off its CPU (a switch happens under the interrupt lock, so under
 * irq_save the task is either running or wholly switched out). */
static uintptr_t held_where(struct task *t)
{
	for (unsigned ms = 0; ms < ARRIVE_MS; ms++) {
		uint32_t f = irq_save();
		uintptr_t where = t->state == TASK_RUNNING ? 0 : task_where(t);

		irq_restore(f);
		if (where)
			return where;
		sleep_ms(1);
	}
	return 0;
}

/* Hold the next task at point; wait until it is there. */
static struct task *hold(struct race_ctx *c, const char *point)
{
	struct task *who = NULL;
	char sym[96];

	if (race_wait(point, ARRIVE_MS, &who)) {
		race_harness_fail(c, "nobody arrived at a race point");
		return NULL;
	}
	struct module *m = c->module ? module_find(c->module) : NULL;

	if (c->spin) {
		/* Running: nothing of it is saved to read, not even where. */
		narrate(c->verbose, who->name, "is running in %s at %s, on "
			"CPU %d (not asleep, not preempted); use count %d",
			c->module, point, c->client_cpu, m ? m->refs : 0);
		return who;
	}
	ksyms_format(held_where(who), sym, sizeof(sym));
	narrate(c->verbose, who->name, "is held at %s, at %s; use count %d",
		point, sym, m ? m->refs : 0);
	return who;
}

static struct unload_job *unload_begin(struct race_ctx *c, const char *name,
				       bool freezable_caller)
{
	struct unload_job *j;

	unload_req_init(&c->req);
	c->req.strategy = c->strategy;
	c->req.busy = c->busy;
	c->req.verbose = c->verbose;
	c->req.timeout_ms = 1000;
	narrate(c->verbose, "driver", "rmmod %s --strategy=%s (from a %s task)",
		name, unload_strategy_name(c->strategy),
		freezable_caller ? "freezable user" : "kernel");
	j = unload_start(name, &c->req, freezable_caller);
	if (!j)
		race_harness_fail_err(c, "cannot start the unload (no memory "
				      "for its task)", -ENOMEM);
	return j;
}

static void unload_end(struct race_ctx *c, struct unload_job *j)
{
	if (!j)
		return;
	unload_wait(j, &c->req, WATCH_MS, &c->deadlocked);
	c->unloaded = true;
	narrate(c->verbose, "rmmod", "%s: %s",
		unload_outcome_name(c->req.outcome),
		c->req.msg[0] ? c->req.msg : "done");
}

/* Wait until the unload is over or has reached point (watched). */
static void until_done_or(struct race_ctx *c, struct unload_job *j,
			  const char *point)
{
	for (unsigned ms = 0; j && ms < ARRIVE_MS; ms++) {
		if (unload_done(j) || race_reached(point))
			return;
		sleep_ms(1);
	}
}

/* ---- the scenarios ------------------------------------------------------ */

/* R1: the unload runs from a freezable task, as a user's rmmod does. */
static void r1_frozen_caller(struct race_ctx *c)
{
	if (load(c, "race_svc", NULL))
		return;
	unload_end(c, unload_begin(c, "race_svc", true));
}

/* race_thread's thread is working (param: how unregister treats it);
 * unload. R2 and R15. */
static void thread_working(struct race_ctx *c, const char *param)
{
	if (load(c, "race_thread", param))
		return;
	race_jitter(c);
	unload_end(c, unload_begin(c, "race_thread", false));
}

/* R2: the module's thread is working; unregister will stop it. */
static void r2_frozen_module_thread(struct race_ctx *c)
{
	thread_working(c, "mode=loop");
}

/* R3: the module's thread has exited; the reaper is held before the reap
 * that will run the thread's exit hook, module code. */
static void r3_zombie_reaper(struct race_ctx *c)
{
	struct unload_job *j;

	race_arm("reaper.reap", NULL);
	if (load(c, "race_thread", "mode=exit"))
		return;
	if (!hold(c, "reaper.reap"))
		return;
	race_watch("quiesce.reap");
	j = unload_begin(c, "race_thread", false);
	until_done_or(c, j, "quiesce.reap");
	narrate(c->verbose, "driver", "releases the reaper");
	race_release("reaper.reap");
	unload_end(c, j);
}

/* A client (fn) of module mod is held at point; then unload mod. */
static void client_held(struct race_ctx *c, const char *mod,
			int (*fn)(void *), struct client *cl,
			const char *point)
{
	struct task *t;

	if (load(c, mod, NULL))
		return;
	if (c->spin)
		race_spin(point);
	else
		race_arm(point, NULL);
	t = client_start(c, fn, cl, "client");
	if (hold(c, point)) {
		struct unload_job *j;

		race_jitter(c);
		/* With --busy=wait the unload waits for the client to leave:
		 * let it go then, as it would have gone by itself. */
		race_watch("unload.wait_users");
		j = unload_begin(c, mod, false);
		until_done_or(c, j, "unload.wait_users");
		if (race_reached("unload.wait_users")) {
			narrate(c->verbose, "driver",
				"releases the client: the unload "
				"waits for it");
			race_release(point);
		}
		unload_end(c, j);
	}
	narrate(c->verbose, "driver", "releases the client");
	race_release(point);
	client_finish(c, t, cl);
}

/* R4, R5, R6, R7: a client is held inside an operation; then unload. */
static void client_inside(struct race_ctx *c, uint32_t op, const char *point)
{
	struct client cl = { .service = "race", .op = op };

	client_held(c, "race_svc", svc_client_fn, &cl, point);
}

static void r4_entered_not_counted(struct race_ctx *c)
{
	client_inside(c, 4, "R4.entered");
}

static void r5_counted_down_not_left(struct race_ctx *c)
{
	client_inside(c, 5, "R5.counted_down");
}

static void r6_eip_not_enough(struct race_ctx *c)
{
	client_inside(c, 6, "R6.sleeping");
}

static void r7_preempted_zero_count(struct race_ctx *c)
{
	client_inside(c, 7, "R7.preempted");
}

/*
 * The unloader is held just after its first check; a client (fn) of
 * race_svc runs until it reaches point (or ends); then the unloader goes
 * on, and the client after it. R8 and R14.
 */
static void client_after_check(struct race_ctx *c, int (*fn)(void *),
			       struct client *cl, const char *point)
{
	struct unload_job *j;
	struct task *t;

	if (load(c, "race_svc", NULL))
		return;
	race_arm("unload.checked", NULL);
	j = unload_begin(c, "race_svc", false);
	if (!hold(c, "unload.checked")) {
		race_reset();
		unload_end(c, j);
		return;
	}
	race_arm(point, NULL);
	t = client_start(c, fn, cl, "client");
	for (unsigned ms = 0; ms < ARRIVE_MS && !cl->done &&
	     !race_reached(point); ms++)
		sleep_ms(1);
	if (race_reached(point))
		hold(c, point);
	narrate(c->verbose, "driver", "releases the unloader");
	race_release("unload.checked");
	unload_end(c, j);
	narrate(c->verbose, "driver", "releases the client");
	race_release(point);
	client_finish(c, t, cl);
}

/* R8: a client enters, counts itself and sleeps in the kernel. */
static void r8_reentry_during_unregister(struct race_ctx *c)
{
	struct client cl = { .service = "race", .op = 8 };

	client_after_check(c, svc_client_fn, &cl, "R8.inside");
}

/* R9: a command callback is asleep mid-call when the unload starts. */
static void r9_callback_in_flight(struct race_ctx *c)
{
	struct client cl = { .service = "racecmd" };
	struct unload_job *j;
	struct task *t;

	if (load(c, "race_cmd", NULL))
		return;
	race_arm("R9.callback", NULL);
	t = client_start(c, cmd_client_fn, &cl, "client");
	if (hold(c, "R9.callback")) {
		race_watch("quiesce.callbacks");
		j = unload_begin(c, "race_cmd", false);
		until_done_or(c, j, "quiesce.callbacks");
		narrate(c->verbose, "driver", "releases the callback");
		race_release("R9.callback");
		unload_end(c, j);
	} else {
		race_release("R9.callback");
	}
	client_finish(c, t, &cl);
}

/* R10: mathuser imports mathlib's symbols; unload mathlib. */
static void r10_dependent_module(struct race_ctx *c)
{
	if (load(c, "mathlib", NULL) || load(c, "mathuser", NULL))
		return;
	unload_end(c, unload_begin(c, "mathlib", false));
}

/* R15: unregister left the module's thread running (a module bug). */
static void r15_thread_left_running(struct race_ctx *c)
{
	thread_working(c, "mode=forget");
}

/* R11: asleep in a kernel function called from a notifier. */
static void r11_notifier_asleep(struct race_ctx *c)
{
	struct client cl = { .op = 11 };

	client_held(c, "race_notify", notify_client_fn, &cl, "R11.asleep");
}

/* R12: stopped inside a notifier, as if preempted there. */
static void r12_notifier_preempted(struct race_ctx *c)
{
	struct client cl = { .op = 12 };

	client_held(c, "race_notify", notify_client_fn, &cl, "R12.preempted");
}

/* R13: a client holds the service but has not called it yet. */
static void r13_got_not_called(struct race_ctx *c)
{
	struct client cl = { .service = "race" };

	client_held(c, "race_svc", got_client_fn, &cl, "R13.got");
}

/* R14: a client opens a handle (the count is 1) and leaves the module;
 * later it closes through its handle. */
static void r14_opened_during_unregister(struct race_ctx *c)
{
	struct client cl = { .service = "race" };

	client_after_check(c, open_client_fn, &cl, "R14.opened");
}

/*
 * R16, R17: the client runs on another CPU than the unload (the next
 * one: CPU 1, the engine runs these from CPU 0), so the notifier is
 * entered there; the rest as R11.
 */
static void notify_elsewhere(struct race_ctx *c, uint32_t op,
			     const char *point)
{
	struct client cl = { .op = op };

	c->client_cpu = (int)((cpu_id() + 1) % cpus_online);
	narrate(c->verbose, "driver", "the unload runs on CPU %u, the "
		"client on CPU %d", cpu_id(), c->client_cpu);
	client_held(c, "race_notify", notify_client_fn, &cl, point);
}

/* R16: running module code on another CPU while the unload looks. */
static void r16_running_elsewhere(struct race_ctx *c)
{
	c->spin = true;
	notify_elsewhere(c, 16, "R16.running");
}

/* R17: asleep under module code on another CPU, whose TLB still maps the
 * module's pages. */
static void r17_stale_tlb(struct race_ctx *c)
{
	notify_elsewhere(c, 17, "R17.asleep");
}

const struct scenario race_table[] = {
	{ "R1", "frozen-caller", "the quiesce freezes the task running rmmod",
	  r1_frozen_caller, { "race_svc" }, 1 },
	{ "R2", "frozen-module-thread", "the module's thread is frozen, "
	  "then waited for", r2_frozen_module_thread, { "race_thread" }, 1 },
	{ "R3", "zombie-reaper", "the reap of a module thread runs after "
	  "the module is freed", r3_zombie_reaper, { "race_thread" }, 1 },
	{ "R4", "entered-not-counted", "a task is in the module before its "
	  "MOD_INC_USE_COUNT", r4_entered_not_counted, { "race_svc" }, 1 },
	{ "R5", "counted-down-not-left", "a task is in the module after its "
	  "MOD_DEC_USE_COUNT", r5_counted_down_not_left, { "race_svc" }, 1 },
	{ "R6", "eip-not-enough", "EIP in the kernel, a return address in "
	  "the module", r6_eip_not_enough, { "race_svc" }, 1 },
	{ "R7", "preempted-zero-count", "code with count 0 that 'never "
	  "sleeps' is preempted", r7_preempted_zero_count, { "race_svc" }, 1 },
	{ "R8", "reentry-during-unregister", "the count rises after the "
	  "first check", r8_reentry_during_unregister, { "race_svc" }, 1 },
	{ "R9", "callback-in-flight", "a command callback runs while it is "
	  "withdrawn", r9_callback_in_flight, { "race_cmd" }, 1 },
	{ "R10", "dependent-module", "a module still used by another's "
	  "imports", r10_dependent_module, { "mathuser", "mathlib" }, 1 },
	{ "R11", "notifier-asleep", "asleep in the kernel, called from a "
	  "notifier: no count, no reference", r11_notifier_asleep,
	  { "race_notify" }, 1 },
	{ "R12", "notifier-preempted", "preempted in a notifier: only its "
	  "EIP is in the module", r12_notifier_preempted, { "race_notify" }, 1 },
	{ "R13", "got-not-called", "holds the service, has not called it: "
	  "nothing of it is in the module yet", r13_got_not_called,
	  { "race_svc" }, 1 },
	{ "R14", "opened-during-unregister", "opened a handle after the "
	  "first check, and left the module", r14_opened_during_unregister,
	  { "race_svc" }, 1 },
	{ "R15", "thread-left-running", "unregister forgot to stop the "
	  "module's thread", r15_thread_left_running, { "race_thread" }, 1 },
	{ "R16", "running-elsewhere", "running module code on another CPU "
	  "while the unload looks", r16_running_elsewhere,
	  { "race_notify" }, 2 },
	{ "R17", "stale-tlb", "asleep under module code on another CPU, "
	  "whose TLB maps the module", r17_stale_tlb, { "race_notify" }, 2 },
};
const unsigned race_ntable = sizeof(race_table) / sizeof(race_table[0]);
