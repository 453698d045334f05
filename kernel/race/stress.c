/*
 * kernel/race/stress.c: the `stress` command: an unload torture test in the
 * style of rcutorture and locktorture (SPEC §8).
 *
 * Interface: the console command `stress [options]` (see `help stress`),
 * stress_fail, and the run's configuration and counters
 * (<kernel/race/stress.h>).
 *
 * A run, in order:
 *   1. parse the options; refuse a module of the list that is loaded
 *      already (its memory would not be the run's to account);
 *   2. take the memory baseline: frames outside the heap arena, heap
 *      bytes and allocations, module pages; and the detectors' counts:
 *      use-after-free reports, watchdog reports;
 *   3. print "# seed=N" and the configuration; arm the scheduling points;
 *      start the threads (kernel/race/stress_clients.c);
 *   4. every --interval print a stats line; stop at the duration, the
 *      cycle count, or the first failure;
 *   5. stop the threads and wait until they are reaped; unload what is
 *      still loaded with twophase (busy=wait), wait for unloadd to finish
 *      the delayed deletes and bury the ghosts;
 *   6. the verdict. FAILURE: a use-after-free report, a watchdog report, a
 *      deadlock caught by the watched unload, a caught fault, a broken
 *      invariant, or memory not back at the baseline. In seeded and pct
 *      mode a failure prints the decision trace.
 *
 * The negative control is --strategy=naive: it frees a self-counting
 * module while a client runs in its entry window, and the run fails,
 * with the use-after-free explained, within seconds.
 */
#include <kernel/race/stress.h>
#include <sched/task.h>
#include <kernel/module/memusage.h>
#include <kernel/arch.h>
#include <kernel/bench.h>
#include <kernel/lib/errno.h>
#include <kernel/lib/format.h>
#include <kernel/module/modmem.h>
#include <kernel/module/module.h>
#include <kernel/lib/parse.h>
#include <kernel/shell.h>
#include <kernel/lib/string.h>
#include <mm/heap.h>
#include <mm/pmm.h>
#include <mm/vmm.h>
#include <sched/mutex.h>
#include <sched/watchdog.h>

struct stress_cfg stress_cfg;
struct stress_stats stress_stats;
volatile bool stress_stop;
volatile bool stress_paused;

static struct mutex stress_mutex = MUTEX_INIT(stress_mutex, "stress");
static bool quiet;                      /* [stress_mutex] tests, bench */

#define say(...)                                                           \
	do {                                                               \
		if (!quiet)                                                \
			kprintf(__VA_ARGS__);                              \
	} while (0)

static unsigned uaf0, wd0;     /* the detectors' counts at the start */
static uint64_t start_ms, fail_ms;      /* pit_ms() at start, at failure */
static uint64_t start_tsc;              /* rdtsc() at start */

void stress_fail(const char *fmt, ...)
{
	va_list ap;
	uint32_t f = irq_save();
	bool first = !stress_stats.failure[0];

	if (first)
		stress_stats.failure[0] = '?';  /* claimed */
	irq_restore(f);
	if (first) {
		fail_ms = pit_ms();
		va_start(ap, fmt);
		kvsnprintf(stress_stats.failure, sizeof(stress_stats.failure),
			   fmt, ap);
		va_end(ap);
	}
	stress_stop = true;
}


void stress_check_detectors(void)
{
	if (modmem_uaf_reports() != uaf0)
		stress_fail("use-after-free: a task touched the memory of an "
			    "unloaded module (report above)");
	if (watchdog_report_count() != wd0)
		stress_fail("the watchdog reported a hung or stuck task "
			    "(report above)");
}

/* ---- options ------------------------------------------------------------ */

static const char *const sched_names[] = { "timer", "seeded", "pct" };
static const char *const perturb_names[] = { "off", "stutter", "random" };

static int pick(const char *v, const char *const *names, unsigned n,
		unsigned *out)
{
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(v, names[i])) {
			*out = i;
			return 0;
		}
	return -EINVAL;
}

static int parse_modules(const char *v, struct stress_cfg *c)
{
	c->nmodules = 0;
	while (*v) {
		const char *e = strchr(v, ',');
		size_t len = e ? (size_t)(e - v) : strlen(v);

		if (!len || len >= sizeof(c->modules[0]) ||
		    c->nmodules == STRESS_MAX_MODULES)
			return -EINVAL;
		memcpy(c->modules[c->nmodules], v, len);
		c->modules[c->nmodules++][len] = '\0';
		v += len + (e != NULL);
	}
	return c->nmodules ? 0 : -EINVAL;
}

static int parse_num(const char *v, unsigned lo, unsigned hi, unsigned *out)
{
	uint32_t n;

	if (parse_u32(v, &n) || n < lo || n > hi)
		return -EINVAL;
	*out = n;
	return 0;
}

#define USAGE "usage: stress [--duration=S | --cycles=N] [--strategy=S] " \
	"[--busy=P] [--clients=N] [--loaders=N] [--modules=a,b,...] "    \
	"[--seed=N] [--sched=timer|seeded|pct] "                           \
	"[--perturb=off|stutter|random] [--autounload] [--interval=S] "   \
	"[--raw-exec]"

static int parse_one(const char *a, struct stress_cfg *c)
{
	const char *v;
	char err[96];
	unsigned n;
	int opt;

	if ((v = parse_option(a, "duration"))) {
		if (parse_num(v, 1, 86400, &n))
			return cmd_error(-EINVAL, "--duration wants seconds, "
					 "1 to 86400");
		c->duration_ms = n * 1000;
		c->cycles = 0;
	} else if ((v = parse_option(a, "cycles"))) {
		if (parse_num(v, 1, 100000000, &c->cycles))
			return cmd_error(-EINVAL, "--cycles wants a count");
		c->duration_ms = 0;
	} else if ((opt = unload_parse_option(a, &c->strategy, &c->busy, err,
					      sizeof(err)))) {
		if (opt < 0)
			return cmd_error(opt, "%s", err);
	} else if ((v = parse_option(a, "clients"))) {
		if (parse_num(v, 0, STRESS_MAX_CLIENTS, &c->clients))
			return cmd_error(-EINVAL, "--clients wants 0 to %d",
					 STRESS_MAX_CLIENTS);
	} else if ((v = parse_option(a, "loaders"))) {
		if (parse_num(v, 1, STRESS_MAX_LOADERS, &c->loaders))
			return cmd_error(-EINVAL, "--loaders wants 1 to %d",
					 STRESS_MAX_LOADERS);
	} else if ((v = parse_option(a, "modules"))) {
		if (parse_modules(v, c))
			return cmd_error(-EINVAL, "--modules wants up to %d "
					 "names separated by commas",
					 STRESS_MAX_MODULES);
	} else if ((v = parse_option(a, "seed"))) {
		if (parse_u32(v, &c->seed))
			return cmd_error(-EINVAL, "--seed wants a number");
	} else if ((v = parse_option(a, "sched"))) {
		if (pick(v, sched_names, 3, &n))
			return cmd_error(-EINVAL, "unknown --sched '%s': use "
					 "timer, seeded or pct", v);
		c->sched = n;
	} else if ((v = parse_option(a, "perturb"))) {
		if (pick(v, perturb_names, 3, &n))
			return cmd_error(-EINVAL, "unknown --perturb '%s': use "
					 "off, stutter or random", v);
		c->perturb = n;
	} else if ((v = parse_option(a, "interval"))) {
		if (parse_num(v, 1, 3600, &n))
			return cmd_error(-EINVAL, "--interval wants seconds");
		c->interval_ms = n * 1000;
	} else if (!strcmp(a, "--autounload")) {
		c->autounload = true;
	} else if (!strcmp(a, "--raw-exec")) {
		c->raw_exec = true;
	} else {
		return cmd_error(-EINVAL, "unknown option '%s'; " USAGE, a);
	}
	return 0;
}

void stress_cfg_defaults(struct stress_cfg *c)
{
	*c = (struct stress_cfg){
		.duration_ms = 20000, .strategy = UNLOAD_TWOPHASE,
		.busy = BUSY_FAIL, .clients = 4, .loaders = 1, .seed = 1,
		.sched = STRESS_SCHED_TIMER, .perturb = STRESS_PERTURB_RANDOM,
		.interval_ms = 5000,
	};
	kstrlcpy(c->modules[0], "stress_self", sizeof(c->modules[0]));
	kstrlcpy(c->modules[1], "stress_thread", sizeof(c->modules[1]));
	kstrlcpy(c->modules[2], "stress_user", sizeof(c->modules[2]));
	c->nmodules = 3;
}

/* ---- the run ------------------------------------------------------------ */

/* leaked: frames above the baseline that are not module pages; during
 * the run that includes the threads' stacks, so it is final only at the
 * end, after everything is unloaded and reaped. */
static void print_stats(uint64_t t0, const struct mem_usage *base)
{
	const struct stress_stats *s = &stress_stats;
	unsigned long el = (unsigned long)(pit_ms() - t0) / 1000;
	struct mem_usage now;

	mem_usage_read(&now);

	if (stress_cfg.duration_ms)
		say("stress: %lu/%u s", el, stress_cfg.duration_ms / 1000);
	else
		say("stress: %u/%u cycles (%lu s)", s->unloads +
			s->autounloads, stress_cfg.cycles, el);
	say("  cycles %u/%u  refused %u  delayed %u  rereg %u  faults %u"
		"  leaked %ld  maxq %lu  maxunload %lu  calls %lu\n", s->loads,
		s->unloads,
		s->refusals, s->delayed, s->reregistered, s->faults,
		((long)now.frames - (long)base->frames) -
		((long)now.modpages - (long)base->modpages),
		(unsigned long)s->max_quiesce, (unsigned long)s->max_unload,
		(unsigned long)s->calls);
}

/* Watch the detectors and the clock until the run ends. */
static void run_until_done(uint64_t t0, const struct mem_usage *base)
{
	uint64_t next = t0 + stress_cfg.interval_ms;

	while (!stress_stop) {
		uint64_t now;

		sleep_ms(20);
		now = pit_ms();
		stress_check_detectors();
		if (now - t0 >= 5000 && !stress_stats.loads)
			stress_fail("no module of the run could be loaded in "
				    "5 s (%s)", stress_stats.load_error);
		if (stress_cfg.duration_ms &&
		    now - t0 >= stress_cfg.duration_ms)
			stress_stop = true;
		if (stress_cfg.perturb == STRESS_PERTURB_STUTTER &&
		    stress_cfg.sched == STRESS_SCHED_TIMER)
			stress_paused = (now - t0) % 3000 >= 2500;
		if (now >= next) {
			print_stats(t0, base);
			next += stress_cfg.interval_ms;
		}
	}
	stress_paused = false;
}

/* Unload every module of the run, in any order dependencies allow. */
static void unload_all(void)
{
	for (unsigned round = 0; round < 2 * STRESS_MAX_MODULES; round++) {
		bool left = false;

		for (unsigned i = 0; i < stress_cfg.nmodules; i++) {
			struct unload_req r;
			bool dl;

			unload_req_init(&r);
			r.busy = BUSY_WAIT;
			if (unload_module_watched(stress_cfg.modules[i], &r,
						  false, 4000, &dl) != -ENOENT)
				left = true;
		}
		if (!left)
			return;
		/* A module marked for delayed delete refuses until unloadd
		 * has freed it, and so does the one it uses: wait for it. */
		for (unsigned ms = 0; ms < 2000 && unload_delayed_pending();
		     ms += 10)
			sleep_ms(10);
		sleep_ms(10);
	}
}

/* Wait (bounded) for unloadd's delayed deletes and ghosts, then compare. */
static bool settle(const struct mem_usage *base, struct mem_usage *now)
{
	for (unsigned ms = 0; ms < 3000; ms += 20) {
		mem_usage_read(now);
		if (!unload_delayed_pending() && mem_usage_same(base, now))
			return true;
		sleep_ms(20);
	}
	return false;
}

static bool module_loaded_already(void)
{
	for (unsigned i = 0; i < stress_cfg.nmodules; i++)
		if (module_find(stress_cfg.modules[i])) {
			cmd_error(-EBUSY, "module '%s' is loaded; unload it "
				  "before a stress run", stress_cfg.modules[i]);
			return true;
		}
	return false;
}

/* After a leak: what is left of the run's modules, and why. */
static void say_leftovers(void)
{
	for (unsigned i = 0; i < stress_cfg.nmodules; i++) {
		struct module *m = module_find(stress_cfg.modules[i]);

		if (m)
			say("# still there: %s %s, use count %d, core "
			    "references %d, callbacks %u, threads %u%s\n",
			    m->name, module_state_name(m->state), m->refs,
			    m->core_refs, m->callbacks, m->kthreads,
			    m->delayed ? ", marked for delayed delete" : "");
		if (m && unload_delayed_why(m)[0])
			say("# unloadd's last try at %s: %s\n", m->name,
			    unload_delayed_why(m));
	}
}

static int verdict(uint64_t t0, const struct mem_usage *base)
{
	struct mem_usage now;

	if (!settle(base, &now)) {
		/* Reported even after an earlier failure: a naive run leaves
		 * the references of the callers that faulted behind. */
		say("# leak: frames %ld, heap %ld bytes in %ld allocations, "
		    "module pages %ld away from the baseline after everything "
		    "was unloaded\n", (long)now.frames - (long)base->frames,
		    (long)now.heap_bytes - (long)base->heap_bytes,
		    (long)now.heap_allocs - (long)base->heap_allocs,
		    (long)now.modpages - (long)base->modpages);
		say_leftovers();
		stress_fail("leak: memory is not back at the baseline after "
			    "everything was unloaded");
	}
	print_stats(t0, base);
	say("stress: memory: frames %lu (baseline %lu), heap %lu bytes "
		"in %lu allocations (baseline %lu in %lu), delayed deletes "
		"pending %u\n", (unsigned long)now.frames,
		(unsigned long)base->frames, (unsigned long)now.heap_bytes,
		(unsigned long)now.heap_allocs,
		(unsigned long)base->heap_bytes,
		(unsigned long)base->heap_allocs, unload_delayed_pending());
	if (pit_ms() > start_ms)        /* to read maxq and maxunload */
		say("# tsc: %lu cycles per ms over the run\n",
		    (unsigned long)((rdtsc() - start_tsc) /
				    (pit_ms() - start_ms)));
	if (stress_cfg.sched != STRESS_SCHED_TIMER)
		say("# decisions=%lu trace=%08lx\n", stress_sched_decisions(),
		    (unsigned long)stress_sched_trace_hash());
	if (!stress_stats.failure[0]) {
		say("stress: SUCCESS\n");
		return 0;
	}
	if (stress_cfg.sched != STRESS_SCHED_TIMER && !quiet)
		stress_sched_print_trace();
	say("# failed %lu ms into the run\n",
	    (unsigned long)(fail_ms - start_ms));
	say("stress: FAILURE (%s)\n", stress_stats.failure);
	return -EIO;
}

static int stress_run(void)
{
	struct mem_usage base;
	uint64_t t0;
	int err;

	stress_stats = (struct stress_stats){ 0 };
	stress_stop = false;
	stress_paused = false;
	mem_usage_read(&base);
	uaf0 = modmem_uaf_reports();
	wd0 = watchdog_report_count();
	say("# seed=%lu\n", (unsigned long)stress_cfg.seed);
	say("# stress: strategy=%s busy=%s sched=%s perturb=%s clients=%u "
	    "loaders=%u%s%s ",
	    unload_strategy_name(stress_cfg.strategy),
	    unload_busy_name(stress_cfg.busy), sched_names[stress_cfg.sched],
	    perturb_names[stress_cfg.perturb], stress_cfg.clients,
	    stress_cfg.loaders, stress_cfg.autounload ? " autounload" : "",
	    stress_cfg.raw_exec ? " raw-exec" : "");
	if (stress_cfg.duration_ms)
		say("duration=%u s", stress_cfg.duration_ms / 1000);
	else
		say("cycles=%u", stress_cfg.cycles);
	say(" modules=");
	for (unsigned i = 0; i < stress_cfg.nmodules; i++)
		say("%s%s", i ? "," : "", stress_cfg.modules[i]);
	say("\n");
	stress_sched_start(&stress_cfg);
	t0 = start_ms = pit_ms();
	start_tsc = rdtsc();
	err = stress_threads_start();
	if (err) {
		stress_sched_stop();
		return cmd_error(err, "could not start the stress threads");
	}
	run_until_done(t0, &base);
	/* Seeded: the threads leave one by one, passing the baton on; then
	 * disarming releases any thread still waiting for it. */
	stress_threads_join(3 * 4000 + 2000);
	stress_sched_stop();
	if (stress_threads_join(10000))
		stress_fail("invariant: a stress thread did not exit");
	unload_all();
	stress_check_detectors();
	return verdict(t0, &base);
}

int stress_run_cfg(const struct stress_cfg *cfg, bool be_quiet)
{
	uint32_t allowed;
	int err;

	if (!mutex_trylock(&stress_mutex))
		return cmd_error(-EBUSY, "a stress run is in progress");
	stress_cfg = *cfg;
	quiet = be_quiet;
	err = -EINVAL;
	if (stress_cfg.sched != STRESS_SCHED_TIMER &&
	    stress_cfg.loaders > 1) {
		cmd_error(err, "seeded and pct mode run one loader (two would "
			  "race for module_mutex outside the baton)");
		goto unlock;
	}
	err = -EBUSY;
	if (module_loaded_already())
		goto unlock;
	/* A seeded or pct run is a replay: its cast (inheriting the pin)
	 * shares one CPU, where the baton decides who runs. A timer run
	 * uses every CPU: clients, loaders and unloads truly in parallel. */
	allowed = current->cpus_allowed;
	if (stress_cfg.sched != STRESS_SCHED_TIMER)
		sched_set_cpus(current, 1u << cpu_id());
	err = stress_run();
	sched_set_cpus(current, allowed);
unlock:
	quiet = false;
	mutex_unlock(&stress_mutex);
	return err;
}

static int cmd_stress(int argc, char **argv)
{
	struct stress_cfg cfg;
	int err;

	stress_cfg_defaults(&cfg);
	for (int i = 1; i < argc; i++)
		if ((err = parse_one(argv[i], &cfg)))
			return err;
	return stress_run_cfg(&cfg, false);
}
COMMAND(stress, "stress", "[--duration=S | --cycles=N] [--strategy=S] "
	"[--busy=P] [--clients=N] [--loaders=N] [--modules=a,b,...] "
	"[--seed=N] [--sched=timer|seeded|pct] "
	"[--perturb=off|stutter|random] [--autounload] [--interval=S] "
	"[--raw-exec]",
	"unload torture test: clients, loaders, perturbation; a verdict",
	cmd_stress);
