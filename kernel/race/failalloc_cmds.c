/*
 * kernel/race/failalloc_cmds.c: the `failalloc` console command, and the
 * systematic sweep that fails each allocation of an operation in turn.
 *
 *   failalloc                          what is armed, and the counts
 *   failalloc nth=N [kind=K]           fail the Nth allocation of the next
 *   failalloc p=P [seed=S] [kind=K]    command (or of task ID and its
 *            ... [--task=ID]           children, with --task)
 *   failalloc off                      disarm
 *   failalloc sweep [--setup=CMDS] [--undo=CMDS] [--max=N]
 *                   [--random=P] OPERATION
 *
 * The sweep, for N = 1, 2, ...: run the setup commands, arm nth=N for
 * this task and its children, run OPERATION as if typed, disarm, run the
 * undo commands, wait for the reaper and unloadd, then check that frames,
 * heap, module pages, vmap pages, tasks and the module list are what they
 * were before the sweep. It stops at the first N that the operation did
 * not reach: that run was the operation unfailed, and must succeed. Each
 * attempt must end in success or in ENOMEM, with no fault, no
 * use-after-free report, no watchdog report and nothing leaked.
 * In CMDS (';' between commands) and OPERATION, %t is the newest task
 * created since the attempt began (a spawned thread to kill).
 *
 * With --random=P, attempt N fails each allocation with probability P
 * from seed N instead (--max attempts, 20 by default): several failures
 * in one operation, so the error paths of error paths run too.
 *
 * The console output between "failalloc: [N] nth=N" (or seed=N) and
 * "failalloc: [N] ret=..." is the operation's own: tests/e2e_failalloc.py
 * checks it holds exactly one `error: ... (ENOMEM)` line when ret=ENOMEM
 * and none when ret=0.
 */
#include <mm/failalloc.h>
#include <kernel/lib/errno.h>
#include <kernel/lib/format.h>
#include <kernel/lib/parse.h>
#include <kernel/lib/string.h>
#include <kernel/module/memusage.h>
#include <kernel/module/modmem.h>
#include <kernel/module/module.h>
#include <kernel/module/unload.h>
#include <kernel/printk.h>
#include <kernel/shell.h>
#include <kernel/trap.h>
#include <mm/vmm.h>
#include <sched/reaper.h>
#include <sched/sched.h>
#include <sched/task.h>
#include <sched/watchdog.h>

#define SWEEP_MAX_DEFAULT 2000
#define SETTLE_MS 3000
#define FINGERPRINT_MAX 512

/* Everything an attempt must give back. */
struct baseline {
	struct mem_usage mem;
	uint32_t vmap_pages;
	unsigned tasks;
	char modules[FINGERPRINT_MAX];  /* "name:state:refs:core_refs;" */
};

struct sweep {
	const char *op, *setup, *undo;
	uint32_t max;
	uint32_t ppm;                   /* --random=P: p, per 10^6; 0: nth */
	unsigned failed;                /* allocations failed in all */
	unsigned points, enomem, succeeded, bad, leaks, faults;
	int expected;                   /* what the warm-up run returned */
	int newest_before;              /* %t: tasks with a larger id */
};

static void fingerprint_one(struct module *m, void *arg)
{
	char *buf = arg;
	size_t n = strlen(buf);

	ksnprintf(buf + n, FINGERPRINT_MAX - n, "%s:%s:%d:%d%s;", m->name,
		  module_state_name(m->state), m->refs, m->core_refs,
		  m->delayed ? ":delayed" : "");
}

static void read_baseline(struct baseline *b)
{
	mem_usage_read(&b->mem);
	b->vmap_pages = vmap_used_pages();
	b->tasks = task_count();
	b->modules[0] = '\0';
	module_for_each(fingerprint_one, b->modules);
}

static bool same_baseline(const struct baseline *a, const struct baseline *b)
{
	return mem_usage_same(&a->mem, &b->mem) &&
	       a->vmap_pages == b->vmap_pages && a->tasks == b->tasks &&
	       !strcmp(a->modules, b->modules);
}

/* Wait (bounded) for zombies, delayed deletes and ghosts to go. */
static bool settle(const struct baseline *want, struct baseline *now)
{
	for (unsigned ms = 0;; ms += 10) {
		read_baseline(now);
		if (!reaper_pending() && !unload_delayed_pending() &&
		    same_baseline(want, now))
			return true;
		if (ms >= SETTLE_MS)
			return false;
		sleep_ms(10);
	}
}

static bool newest_task(struct task *t, void *arg)
{
	int *id = arg;

	if (t->id > *id && t->state < TASK_ZOMBIE)
		*id = t->id;
	return true;
}

static int max_task_id(void)
{
	int id = 0;

	task_for_each(newest_task, &id);
	return id;
}

/* Copy cmd into out with %t replaced. Return: false if %t has no task. */
static bool expand(const struct sweep *sw, const char *cmd, char *out,
		   size_t len)
{
	int id = sw->newest_before;
	size_t n = 0;

	for (; *cmd && n + 12 < len; cmd++) {
		if (cmd[0] != '%' || cmd[1] != 't') {
			out[n++] = *cmd;
			continue;
		}
		task_for_each(newest_task, &id);
		if (id == sw->newest_before)
			return false;
		n += ksnprintf(out + n, len - n, "%d", id);
		cmd++;
	}
	out[n] = '\0';
	return true;
}

/* Run "a; b; c" as typed, ignoring errors (setup and undo). */
static void run_commands(const struct sweep *sw, const char *cmds)
{
	char one[SHELL_LINE_MAX], line[SHELL_LINE_MAX];
	const char *p = cmds;

	while (p && next_command(&p, one, sizeof(one)))
		if (expand(sw, one, line, sizeof(line))) {
			kprintf("failalloc: > %s\n", line);
			shell_exec(line);
		}
}

static void say_diff(unsigned n, const struct baseline *want,
		     const struct baseline *now)
{
	kprintf("failalloc: [%u] LEAK: frames %lu (baseline %lu), module "
		"pages %lu (%lu), heap %lu bytes in %lu (%lu in %lu), vmap "
		"pages %lu (%lu), tasks %u (%u)\n", n,
		(unsigned long)now->mem.frames,
		(unsigned long)want->mem.frames,
		(unsigned long)now->mem.modpages,
		(unsigned long)want->mem.modpages,
		(unsigned long)now->mem.heap_bytes,
		(unsigned long)now->mem.heap_allocs,
		(unsigned long)want->mem.heap_bytes,
		(unsigned long)want->mem.heap_allocs,
		(unsigned long)now->vmap_pages,
		(unsigned long)want->vmap_pages, now->tasks, want->tasks);
	if (strcmp(now->modules, want->modules))
		kprintf("failalloc: [%u] module list '%s', was '%s'\n", n,
			now->modules, want->modules);
}

/* One attempt with the nth allocation failing. Return: true if the
 * operation ran to its end without reaching the nth allocation. */
static bool attempt(struct sweep *sw, uint32_t n, const struct baseline *base)
{
	struct failalloc_spec spec = { .nth = n, .kinds = FAILALLOC_ALL };
	unsigned faults = fault_count, uaf = modmem_uaf_reports();
	unsigned wd = watchdog_report_count();
	struct failalloc_report rep;
	struct baseline now;
	char line[SHELL_LINE_MAX];
	bool ok = true, reached;
	int ret;

	sw->newest_before = max_task_id();
	run_commands(sw, sw->setup);
	if (!expand(sw, sw->op, line, sizeof(line)))
		kstrlcpy(line, sw->op, sizeof(line));
	if (sw->ppm) {                  /* --random: seed n, not the nth */
		spec = (struct failalloc_spec){ .ppm = sw->ppm, .seed = n,
						.kinds = FAILALLOC_ALL };
		kprintf("failalloc: [%lu] seed=%lu\n", (unsigned long)n,
			(unsigned long)n);
	} else {
		kprintf("failalloc: [%lu] nth=%lu\n", (unsigned long)n,
			(unsigned long)n);
	}
	failalloc_arm(&spec, &current->failalloc_scope);
	ret = shell_exec(line);
	failalloc_disarm(&rep);
	reached = rep.failed > 0;
	sw->failed += rep.failed;
	kprintf("failalloc: [%lu] ret=%s injected=%s seen=%lu\n",
		(unsigned long)n, ret ? errno_name(ret) : "0",
		reached ? "yes" : "no", (unsigned long)rep.seen);
	if (reached)
		failalloc_print_report(&rep);
	run_commands(sw, sw->undo);
	if (!settle(base, &now)) {
		say_diff(n, base, &now);
		sw->leaks++;
		ok = false;
	}
	if (fault_count != faults || modmem_uaf_reports() != uaf ||
	    watchdog_report_count() != wd) {
		kprintf("failalloc: [%lu] FAULT: %u fault(s), %u use-after-"
			"free report(s), %u watchdog report(s) (above)\n",
			(unsigned long)n, fault_count - faults,
			modmem_uaf_reports() - uaf,
			watchdog_report_count() - wd);
		sw->faults++;
		ok = false;
	}
	if (ret != sw->expected && !(reached && ret == -ENOMEM)) {
		kprintf("failalloc: [%lu] BAD RESULT: %s (%s %s)\n",
			(unsigned long)n, ret ? errno_name(ret) : "0",
			reached ? "an allocation failed, so ENOMEM or the "
			"unfailed result was due:" : "nothing failed, so the "
			"unfailed result was due:", sw->expected ?
			errno_name(sw->expected) : "0");
		sw->bad++;
		ok = false;
	}
	if (reached) {
		sw->points++;
		if (ret == -ENOMEM && sw->expected != -ENOMEM)
			sw->enomem++;
		else if (ret == sw->expected)
			sw->succeeded++;
	}
	kprintf("failalloc: [%lu] %s\n", (unsigned long)n,
		ok ? "ok" : "FAILED");
	return !reached && !sw->ppm;
}

/* The sweep's last line, which tests/e2e_failalloc.py reads. */
static void say_summary(const struct sweep *sw, bool done)
{
	const char *unfailed = sw->expected ? errno_name(sw->expected) :
			       "success";

	if (sw->ppm) {
		kprintf("failalloc: random sweep '%s' p=%lu.%06lu: %lu runs, "
			"%u allocations failed in all; runs: %u ENOMEM, %u "
			"ended as unfailed (%s); %u bad results, %u leaks, "
			"%u faults\n",
			sw->op, (unsigned long)(sw->ppm / 1000000),
			(unsigned long)(sw->ppm % 1000000),
			(unsigned long)sw->max, sw->failed, sw->enomem,
			sw->succeeded, unfailed, sw->bad, sw->leaks,
			sw->faults);
		return;
	}
	kprintf("failalloc: sweep '%s': %u injection points tried: %u "
		"ENOMEM, %u ended as unfailed (%s); %u bad results, %u leaks, "
		"%u faults%s\n", sw->op, sw->points, sw->enomem, sw->succeeded,
		unfailed, sw->bad, sw->leaks, sw->faults,
		done ? "" : "; stopped at --max before the unfailed run");
}

static int sweep(struct sweep *sw)
{
	char line[SHELL_LINE_MAX];
	struct baseline base, now;
	bool done = false;
	uint32_t n;

	kprintf("failalloc: sweep '%s' (setup '%s', undo '%s')\n", sw->op,
		sw->setup ? sw->setup : "", sw->undo ? sw->undo : "");
	/* A warm-up run first: anything created once, on first use, is
	 * part of the baseline, not a leak. */
	kprintf("failalloc: warm-up\n");
	sw->newest_before = max_task_id();
	run_commands(sw, sw->setup);
	if (!expand(sw, sw->op, line, sizeof(line)))
		kstrlcpy(line, sw->op, sizeof(line));
	sw->expected = shell_exec(line);
	run_commands(sw, sw->undo);
	settle(&base, &now);
	read_baseline(&base);
	for (n = 1; n <= sw->max && !done; n++)
		done = attempt(sw, n, &base);
	done = done || sw->ppm;
	say_summary(sw, done);
	if (!done)
		return cmd_error(-E2BIG, "the operation still allocated "
				 "after %lu points; raise --max",
				 (unsigned long)sw->max);
	if (sw->bad || sw->leaks || sw->faults)
		return cmd_error(-EIO, "the sweep of '%s' found %u bad "
				 "result(s), %u leak(s), %u fault(s)", sw->op,
				 sw->bad, sw->leaks, sw->faults);
	return 0;
}

static int cmd_sweep(int argc, char **argv)
{
	struct sweep sw = { .max = SWEEP_MAX_DEFAULT };
	const char *v;

	for (int i = 2; i < argc; i++) {
		if ((v = parse_option(argv[i], "setup")))
			sw.setup = v;
		else if ((v = parse_option(argv[i], "undo")))
			sw.undo = v;
		else if ((v = parse_option(argv[i], "random"))) {
			struct failalloc_spec s;
			char text[48], err[96];

			ksnprintf(text, sizeof(text), "p=%s", v);
			if (failalloc_parse(text, &s, err, sizeof(err)))
				return cmd_error(-EINVAL, "--random: %s", err);
			sw.ppm = s.ppm;
			if (sw.max == SWEEP_MAX_DEFAULT)
				sw.max = 20;
		} else if ((v = parse_option(argv[i], "max"))) {
			if (parse_u32(v, &sw.max) || !sw.max)
				return cmd_error(-EINVAL, "--max wants a "
						 "number above 0");
		} else if (!sw.op && argv[i][0] != '-')
			sw.op = argv[i];
		else
			return cmd_error(-EINVAL, "usage: failalloc sweep "
					 "[--setup=CMDS] [--undo=CMDS] "
					 "[--max=N] \"OPERATION\"");
	}
	if (!sw.op)
		return cmd_error(-EINVAL, "failalloc sweep needs an "
				 "operation, e.g. failalloc sweep --undo="
				 "\"rmmod hello\" \"insmod hello\"");
	if (failalloc_status(NULL, NULL, NULL))
		return cmd_error(-EBUSY, "an injection is armed; "
				 "'failalloc off' first");
	return sweep(&sw);
}

static int show_status(void)
{
	struct failalloc_spec spec;
	struct failalloc_report rep;
	bool pending, armed = failalloc_status(&spec, &rep, &pending);
	char text[64];

	if (!armed && !pending) {
		kprintf("failalloc: off\n");
		return 0;
	}
	failalloc_format(&spec, text, sizeof(text));
	kprintf("failalloc: %s %s\n", text, pending ?
		"armed for the next command" : "armed");
	if (armed)
		failalloc_print_report(&rep);
	return 0;
}

static int cmd_failalloc(int argc, char **argv)
{
	struct failalloc_spec spec;
	struct failalloc_report rep;
	char text[SHELL_LINE_MAX] = "", err[120];
	struct task *t = NULL;
	const char *v;
	uint32_t id;
	size_t n = 0;

	if (argc == 1)
		return show_status();
	if (!strcmp(argv[1], "sweep"))
		return cmd_sweep(argc, argv);
	if (!strcmp(argv[1], "off")) {
		if (!failalloc_disarm(&rep))
			return cmd_error(-EALREADY, "nothing was armed");
		kprintf("failalloc: off\n");
		failalloc_print_report(&rep);
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		if ((v = parse_option(argv[i], "task"))) {
			if (parse_u32(v, &id))
				return cmd_error(-EINVAL, "--task wants a "
						 "task id (see 'ps')");
			if (t)
				task_put(t);
			t = task_find((int)id);
			if (!t)
				return cmd_error(-ESRCH, "no task with id %lu",
						 (unsigned long)id);
			continue;
		}
		n += ksnprintf(text + n, sizeof(text) - n, "%s ", argv[i]);
	}
	if (failalloc_parse(text, &spec, err, sizeof(err))) {
		if (t)
			task_put(t);
		return cmd_error(-EINVAL, "%s", err);
	}
	failalloc_format(&spec, text, sizeof(text));
	if (t) {
		failalloc_arm(&spec, &t->failalloc_scope);
		kprintf("failalloc: %s armed for task '%s' (id %d) and the "
			"tasks it creates; 'failalloc off' ends it\n", text,
			t->name, t->id);
		task_put(t);
		return 0;
	}
	failalloc_arm_next(&spec);
	kprintf("failalloc: %s armed for the next command\n", text);
	return 0;
}
COMMAND(failalloc, "failalloc",
	"[nth=N | p=P [seed=S]] [kind=heap,frame,vmap] [--task=ID] | off | "
	"sweep ...",
	"fail allocations on purpose (fault injection)", cmd_failalloc);
