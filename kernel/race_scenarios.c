/*
 * kernel/race_scenarios.c: the race catalogue, R1 to R10, replayed.
 *
 * Each scenario loads one of the modules/race_*.c samples, holds tasks at
 * named race points (<kernel/race.h>) so that the race is open, runs the
 * unload with the chosen strategy in its own task ("rmmod", watched for
 * deadlock), releases the held tasks, lets everything settle, and then
 * measures what happened. Nothing is decided from the scenario's name:
 *
 *   uaf       the module area's use-after-free detector fired
 *             (modmem_uaf_reports() went up);
 *   deadlock  the unload's bounded wait caught it (unload_wait);
 *   leak      frames or heap not back to the baseline once the module is
 *             gone and every task of the scenario has been reaped;
 *   otherwise what the unload said: freed (safe), refused, delayed,
 *             reregistered.
 *
 * The seed drives only noise: a few background tasks and small pauses
 * between steps. The outcome must not depend on it (race matrix checks
 * that over many seeds), because the holds, not the timing, open the race.
 *
 * Context: scenarios run in the shell task (never frozen); they take
 * module_mutex only through the load and unload calls.
 */
#include <kernel/module.h>
#include <kernel/errno.h>
#include <kernel/ksyms.h>
#include <kernel/memusage.h>
#include <kernel/modmem.h>
#include <kernel/parse.h>
#include <kernel/race.h>
#include <kernel/race_scenarios.h>
#include <kernel/shell.h>
#include <kernel/unload.h>
#include <sched/freezer.h>

#define WATCH_MS 500            /* no progress this long: a deadlock */
#define ARRIVE_MS 1000          /* a held task must arrive within this */

struct race_ctx {
	enum unload_strategy strategy;
	enum unload_busy busy;
	uint32_t seed, rng;
	bool verbose;
	struct unload_req req;
	bool deadlocked;
	bool unloaded;                  /* an unload ran to its end */
	unsigned uaf0;
	struct mem_usage base;          /* memory before the scenario */
	const char *module;             /* the module under test */
	struct task *noise[3];
	unsigned nnoise;
	int harness_err;                /* the scenario itself went wrong */
};

/* ---- narration --------------------------------------------------------- */

static void say(struct race_ctx *c, const char *who, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void say(struct race_ctx *c, const char *who, const char *fmt, ...)
{
	va_list ap;

	if (!c->verbose)
		return;
	va_start(ap, fmt);
	ktimeline(who, fmt, ap);
	va_end(ap);
}

/* err: the cause when there is one (ENOMEM from a failed allocation),
 * else -EIO. The console's `race run` ends with it. */
static void harness_fail_err(struct race_ctx *c, const char *what, int err)
{
	kprintf("race: harness: %s\n", what);
	if (!c->harness_err || c->harness_err == -EIO)
		c->harness_err = err;
}

static void harness_fail(struct race_ctx *c, const char *what)
{
	harness_fail_err(c, what, -EIO);
}

static int last_harness_err;    /* of the last race_run_one, for cmd_race */

/* ---- noise from the seed -------------------------------------------- */

static uint32_t rnd(struct race_ctx *c)
{
	c->rng ^= c->rng << 13;
	c->rng ^= c->rng >> 17;
	c->rng ^= c->rng << 5;
	return c->rng;
}

static void jitter(struct race_ctx *c)
{
	unsigned ms = rnd(c) % 3;

	if (ms)
		sleep_ms(ms);
	else
		sched_yield();
}

static int noise_fn(void *arg)
{
	uint32_t period = (uint32_t)(uintptr_t)arg;

	while (!kthread_should_stop()) {
		if (period)
			sleep_ms(period);
		else
			sched_yield();
	}
	return 0;
}

static void noise_start(struct race_ctx *c)
{
	c->nnoise = rnd(c) % 4;
	for (unsigned i = 0; i < c->nnoise; i++) {
		c->noise[i] = kthread_run(noise_fn,
					  (void *)(uintptr_t)(rnd(c) % 4), NULL,
					  "noise");
		if (c->noise[i])
			task_get(c->noise[i]);
	}
}

static void noise_stop(struct race_ctx *c)
{
	for (unsigned i = 0; i < c->nnoise; i++)
		if (c->noise[i]) {
			kthread_stop(c->noise[i]);
			task_put(c->noise[i]);
		}
	c->nnoise = 0;
}

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
		say(c, "insmod", "loaded %s%s%s", name, param ? " " : "",
		    param ? param : "");
	if (!ret)
		c->module = name;
	return ret;
}

struct client {
	const char *service;
	uint32_t op;
	volatile bool done, refused;
	int result;
};

/* A client of the race service: get it at the boundary, call one op. */
static int svc_client_fn(void *arg)
{
	struct client *cl = arg;
	struct service *svc = service_get(cl->service);
	uint32_t v = 0;

	if (!svc) {
		cl->refused = true;
		cl->done = true;
		return -ENODEV;
	}
	cl->result = svc->ops->call(svc, cl->op, 0, &v);
	service_put(svc);
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
		harness_fail_err(c, "cannot start a client (no memory for a "
				 "task)", -ENOMEM);
		return NULL;
	}
	task_get(t);
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
		harness_fail(c, "a client did not finish");
	else if (cl->refused)
		say(c, t->name, "was refused at the boundary: the service is "
		    "going away");
	else if (cl->done)
		say(c, t->name, "returned from the module normally");
	else
		say(c, t->name, "was killed by the fault above");
	task_put(t);
}

/* Hold the next task at point; wait until it is there. */
static struct task *hold(struct race_ctx *c, const char *point)
{
	struct task *who = NULL;
	char sym[96];

	if (race_wait(point, ARRIVE_MS, &who)) {
		harness_fail(c, "nobody arrived at a race point");
		return NULL;
	}
	struct module *m = c->module ? module_find(c->module) : NULL;

	ksyms_format(task_where(who), sym, sizeof(sym));
	say(c, who->name, "is held at %s, at %s; use count %d", point, sym,
	    m ? m->refs : 0);
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
	say(c, "driver", "rmmod %s --strategy=%s (from a %s task)", name,
	    unload_strategy_name(c->strategy),
	    freezable_caller ? "freezable user" : "kernel");
	j = unload_start(name, &c->req, freezable_caller);
	if (!j)
		harness_fail_err(c, "cannot start the unload (no memory for "
				 "its task)", -ENOMEM);
	return j;
}

static void unload_end(struct race_ctx *c, struct unload_job *j)
{
	if (!j)
		return;
	unload_wait(j, &c->req, WATCH_MS, &c->deadlocked);
	c->unloaded = true;
	say(c, "rmmod", "%s: %s", unload_outcome_name(c->req.outcome),
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

/* R2: the module's thread is working; unregister will stop it. */
static void r2_frozen_module_thread(struct race_ctx *c)
{
	if (load(c, "race_thread", "mode=loop"))
		return;
	jitter(c);
	unload_end(c, unload_begin(c, "race_thread", false));
}

/* R3: the module's thread has exited; the reaper is held before the reap
 * that will run the thread's exit hook, module code. */
static void r3_zombie_reaper(struct race_ctx *c)
{
	struct unload_job *j;

	race_arm("reaper.before_reap", NULL);
	if (load(c, "race_thread", "mode=exit"))
		return;
	if (!hold(c, "reaper.before_reap"))
		return;
	race_watch("unload.wait_reap");
	j = unload_begin(c, "race_thread", false);
	until_done_or(c, j, "unload.wait_reap");
	say(c, "driver", "releases the reaper");
	race_release("reaper.before_reap");
	unload_end(c, j);
}

/* R4, R5, R6, R7: a client is held inside an operation; then unload. */
static void client_inside(struct race_ctx *c, uint32_t op, const char *point)
{
	struct client cl = { .service = "race", .op = op };
	struct task *t;

	if (load(c, "race_svc", NULL))
		return;
	race_arm(point, NULL);
	t = client_start(c, svc_client_fn, &cl, "client");
	if (hold(c, point)) {
		struct unload_job *j;

		jitter(c);
		/* With --busy=wait the unload waits for the client to leave:
		 * let it go then, as it would have gone by itself. */
		race_watch("unload.wait_users");
		j = unload_begin(c, "race_svc", false);
		until_done_or(c, j, "unload.wait_users");
		if (race_reached("unload.wait_users")) {
			say(c, "driver", "releases the client: the unload "
			    "waits for it");
			race_release(point);
		}
		unload_end(c, j);
	}
	say(c, "driver", "releases the client");
	race_release(point);
	client_finish(c, t, &cl);
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

/* R8: the unloader is held just after its first check; a client enters
 * and counts itself; then the unloader goes on. */
static void r8_reentry_during_unregister(struct race_ctx *c)
{
	struct client cl = { .service = "race", .op = 8 };
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
	race_arm("R8.inside", NULL);
	t = client_start(c, svc_client_fn, &cl, "client");
	for (unsigned ms = 0; ms < ARRIVE_MS && !cl.done &&
	     !race_reached("R8.inside"); ms++)
		sleep_ms(1);
	if (race_reached("R8.inside"))
		hold(c, "R8.inside");
	say(c, "driver", "releases the unloader");
	race_release("unload.checked");
	unload_end(c, j);
	say(c, "driver", "releases the client");
	race_release("R8.inside");
	client_finish(c, t, &cl);
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
		race_watch("unload.wait_callbacks");
		j = unload_begin(c, "race_cmd", false);
		until_done_or(c, j, "unload.wait_callbacks");
		say(c, "driver", "releases the callback");
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

struct scenario {
	const char *id, *name, *what;
	void (*run)(struct race_ctx *c);
	const char *modules[2];         /* unloaded at the end if left */
};

static const struct scenario scenarios[] = {
	{ "R1", "frozen-caller", "the quiesce freezes the task running rmmod",
	  r1_frozen_caller, { "race_svc" } },
	{ "R2", "frozen-module-thread", "the module's thread is frozen, "
	  "then waited for", r2_frozen_module_thread, { "race_thread" } },
	{ "R3", "zombie-reaper", "the reap of a module thread runs after "
	  "the module is freed", r3_zombie_reaper, { "race_thread" } },
	{ "R4", "entered-not-counted", "a task is in the module before its "
	  "MOD_INC_USE_COUNT", r4_entered_not_counted, { "race_svc" } },
	{ "R5", "counted-down-not-left", "a task is in the module after its "
	  "MOD_DEC_USE_COUNT", r5_counted_down_not_left, { "race_svc" } },
	{ "R6", "eip-not-enough", "EIP in the kernel, a return address in "
	  "the module", r6_eip_not_enough, { "race_svc" } },
	{ "R7", "preempted-zero-count", "code with count 0 that 'never "
	  "sleeps' is preempted", r7_preempted_zero_count, { "race_svc" } },
	{ "R8", "reentry-during-unregister", "the count rises after the "
	  "first check", r8_reentry_during_unregister, { "race_svc" } },
	{ "R9", "callback-in-flight", "a command callback runs while it is "
	  "withdrawn", r9_callback_in_flight, { "race_cmd" } },
	{ "R10", "dependent-module", "a module still used by another's "
	  "imports", r10_dependent_module, { "mathuser", "mathlib" } },
};
#define NSCENARIOS (sizeof(scenarios) / sizeof(scenarios[0]))

/* ---- settling and measuring ------------------------------------------ */

/* Release everything, unload what is left, wait for the reaper and the
 * unload worker. Return: true if memory came back to the baseline. */
static bool settle(struct race_ctx *c, const struct scenario *s)
{
	struct mem_usage now;

	race_reset();
	if (freezer_active())
		freezer_thaw();
	noise_stop(c);
	for (unsigned i = 0; i < 2 && s->modules[i]; i++) {
		struct unload_req r;
		struct module *m = module_find(s->modules[i]);

		if (!m || m->delayed)
			continue;
		unload_req_init(&r);
		if (unload_module(s->modules[i], &r))
			kprintf("race: %s stays loaded after the scenario: %s\n",
				s->modules[i], r.msg);
	}
	/* A task killed by a use-after-free dies holding what it held (a
	 * reference, a count): after a uaf the outcome is known and memory
	 * is not expected back, so do not wait for it. */
	if (modmem_uaf_reports() != c->uaf0)
		return false;
	for (unsigned n = 0; n < 1000; n++) {
		/* Below the baseline is fine: an earlier scenario's leftovers
		 * (a zombie, a ghost) may be freed meanwhile. */
		mem_usage_read(&now);
		if (mem_usage_within(&now, &c->base) &&
		    !unload_delayed_pending())
			return true;
		sleep_ms(2);
	}
	kprintf("race: memory not back: %lu frames (was %lu), %lu heap bytes "
		"(was %lu)\n", (unsigned long)now.frames,
		(unsigned long)c->base.frames, (unsigned long)now.heap_bytes,
		(unsigned long)c->base.heap_bytes);
	return false;
}

static const char *outcome(struct race_ctx *c, bool clean)
{
	if (modmem_uaf_reports() != c->uaf0)
		return "uaf";
	if (c->deadlocked)
		return "deadlock";
	if (!clean)
		return "leak";
	if (!c->unloaded)
		return "error";
	switch (c->req.outcome) {
	case UNLOAD_FREED:
		return "safe";
	case UNLOAD_REFUSED:
		return "refused";
	case UNLOAD_DELAYED:
		return "delayed";
	case UNLOAD_REREGISTERED:
		return "reregistered";
	default:
		return "leak";
	}
}

static const struct scenario *find_scenario(const char *id)
{
	for (unsigned i = 0; i < NSCENARIOS; i++)
		if (!strcmp(scenarios[i].id, id) ||
		    !strcmp(scenarios[i].name, id))
			return &scenarios[i];
	return NULL;
}

const char *race_run_one(const char *id, enum unload_strategy strategy,
			 enum unload_busy busy, uint32_t seed, bool verbose)
{
	const struct scenario *s = find_scenario(id);
	struct race_ctx c = { .strategy = strategy, .busy = busy,
			      .seed = seed, .rng = seed * 2654435761u + 1,
			      .verbose = verbose };
	const char *o;
	bool clean;

	if (!s)
		return NULL;
	if (verbose)
		kprintf("race %s %s: %s\n  strategy %s, seed %lu\n", s->id,
			s->name, s->what, unload_strategy_name(strategy),
			(unsigned long)seed);
	c.uaf0 = modmem_uaf_reports();
	mem_usage_read(&c.base);
	noise_start(&c);
	s->run(&c);
	clean = settle(&c, s);
	o = c.harness_err ? "error" : outcome(&c, clean);
	last_harness_err = c.harness_err;
	kprintf("race: %s %s strategy=%s outcome=%s\n", s->id, s->name,
		unload_strategy_name(strategy), o);
	return o;
}

/* ---- console ----------------------------------------------------------- */

static int race_list(void)
{
	for (unsigned i = 0; i < NSCENARIOS; i++)
		kprintf("  %-4s %-26s %s\n", scenarios[i].id, scenarios[i].name,
			scenarios[i].what);
	return 0;
}

/* The expected outcome of each scenario under each strategy, as
 * docs/race-catalogue.md explains it. Used only to mark mismatches in the
 * printed matrix (and by the tests): the outcomes themselves are measured. */
static const char *const expected[NSCENARIOS][UNLOAD_NR_STRATEGIES] = {
	{ "safe", "deadlock", "safe", "safe" },
	{ "safe", "deadlock", "safe", "safe" },
	{ "uaf", "uaf", "safe", "safe" },
	{ "uaf", "refused", "reregistered", "refused" },
	{ "uaf", "refused", "reregistered", "refused" },
	{ "uaf", "uaf", "reregistered", "refused" },
	{ "uaf", "refused", "reregistered", "refused" },
	{ "uaf", "uaf", "reregistered", "safe" },
	{ "uaf", "uaf", "safe", "refused" },
	{ "refused", "refused", "refused", "refused" },
};

const char *race_expected(unsigned scenario, enum unload_strategy s)
{
	return scenario < NSCENARIOS ? expected[scenario][s] : NULL;
}

const char *race_scenario_id(unsigned i)
{
	return i < NSCENARIOS ? scenarios[i].id : NULL;
}

unsigned race_scenario_count(void)
{
	return NSCENARIOS;
}

static int race_matrix(uint32_t seeds, uint32_t seed0)
{
	char got[NSCENARIOS][UNLOAD_NR_STRATEGIES][14];
	unsigned mismatches = 0, unstable = 0;
	int saved = console_loglevel;
	uint64_t t0;

	kprintf("race matrix: %u scenarios x %u strategies x %lu seed(s) "
		"(quiet; 'race run' narrates one)\n", (unsigned)NSCENARIOS,
		UNLOAD_NR_STRATEGIES, (unsigned long)seeds);
	console_loglevel = LOG_ERR;
	t0 = ticks_read();
	for (uint32_t n = 0; n < seeds; n++)
		for (unsigned i = 0; i < NSCENARIOS; i++)
			for (unsigned s = 0; s < UNLOAD_NR_STRATEGIES; s++) {
				const char *o = race_run_one(scenarios[i].id,
					s, BUSY_FAIL, seed0 + n, false);

				if (n == 0)
					kstrlcpy(got[i][s], o, sizeof(got[i][s]));
				else if (strcmp(got[i][s], o))
					unstable++;
			}
	console_loglevel = saved;
	kprintf("\nrace matrix: %lu runs in %lu ms of emulated time\n",
		(unsigned long)(seeds * NSCENARIOS * UNLOAD_NR_STRATEGIES),
		(unsigned long)((ticks_read() - t0) * 1000 / hz));
	kprintf("%-30s %-13s %-13s %-13s %-13s\n", "scenario", "naive", "eip",
		"twophase", "refcount");
	for (unsigned i = 0; i < NSCENARIOS; i++) {
		char name[40];

		ksnprintf(name, sizeof(name), "%s %s", scenarios[i].id,
			  scenarios[i].name);
		kprintf("%-30s", name);
		for (unsigned s = 0; s < UNLOAD_NR_STRATEGIES; s++) {
			bool ok = !strcmp(got[i][s], expected[i][s]);

			mismatches += !ok;
			kprintf(" %-12s%s", got[i][s], ok ? " " : "!");
		}
		kprintf("\n");
	}
	kprintf("race matrix: %u cell(s) differ from docs/race-catalogue.md "
		"(marked !), %u changed across seeds\n", mismatches, unstable);
	return mismatches || unstable ? -EIO : 0;
}

static int cmd_race(int argc, char **argv)
{
	enum unload_strategy strategy = UNLOAD_TWOPHASE;
	enum unload_busy busy = BUSY_FAIL;
	uint32_t seed = 1, seeds = 1;
	const char *v;

	if (argc < 2)
		return cmd_error(-EINVAL, "usage: race list | race run SCENARIO "
				 "[--strategy=S] [--busy=P] [--seed=N] | race "
				 "matrix [--seeds=N]");
	for (int i = 2; i < argc; i++) {
		if ((v = parse_option(argv[i], "strategy"))) {
			if (unload_parse_strategy(v, &strategy))
				return cmd_error(-EINVAL, "unknown strategy "
						 "'%s'", v);
		} else if ((v = parse_option(argv[i], "busy"))) {
			if (unload_parse_busy(v, &busy))
				return cmd_error(-EINVAL, "unknown busy policy "
						 "'%s'", v);
		} else if ((v = parse_option(argv[i], "seed"))) {
			if (parse_u32(v, &seed))
				return cmd_error(-EINVAL, "bad seed '%s'", v);
		} else if ((v = parse_option(argv[i], "seeds"))) {
			if (parse_u32(v, &seeds) || !seeds || seeds > 100)
				return cmd_error(-EINVAL, "--seeds takes 1 to "
						 "100");
		} else if (i != 2 || strcmp(argv[1], "run")) {
			return cmd_error(-EINVAL, "unexpected '%s'", argv[i]);
		}
	}
	if (!strcmp(argv[1], "list"))
		return race_list();
	if (!strcmp(argv[1], "matrix"))
		return race_matrix(seeds, seed) ?
			cmd_error(-EIO, "the matrix is not as documented") : 0;
	if (strcmp(argv[1], "run") || argc < 3)
		return cmd_error(-EINVAL, "usage: race run SCENARIO "
				 "[--strategy=S] [--busy=P] [--seed=N]");
	if (!find_scenario(argv[2]))
		return cmd_error(-ENOENT, "no scenario '%s'; 'race list' shows "
				 "them", argv[2]);
	if (!strcmp(race_run_one(argv[2], strategy, busy, seed, true),
		    "error"))
		return cmd_error(last_harness_err, "scenario %s could not be "
				 "played to its end (above); nothing was "
				 "learned about the strategy", argv[2]);
	return 0;
}
COMMAND(race, "race", "list | run SCENARIO [--strategy=S] [--seed=N] | matrix",
	"replay the unload races R1-R10 under a strategy", cmd_race);
