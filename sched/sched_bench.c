/*
 * sched/sched_bench.c: the scheduler's figures for `bench` (see
 * <kernel/bench.h>): context switch, kthread create+exit+reap,
 * freeze+thaw of 1, 16 and 64 idle tasks in both freezer modes, and the
 * latencies the policy exists for: wakeup latency with 0, 1 and 4
 * CPU-bound tasks running, and the shell's echo of one typed character
 * with 4 of them.
 */
#include <kernel/arch.h>
#include <kernel/bench.h>
#include <kernel/console.h>
#include <kernel/lib/format.h>
#include <kernel/lib/line.h>
#include <kernel/panic.h>
#include <drivers/pit.h>
#include <mm/heap.h>
#include <sched/freezer.h>
#include <sched/kthread.h>
#include <sched/reaper.h>
#include <sched/sched.h>
#include <sched/waitqueue.h>

static int yield_fn(void *arg)
{
	while (!kthread_should_stop())
		sched_yield();
	return 0;
}

static void bench_context_switch(void)
{
	enum { N = 2000 };
	struct task *y = kthread_run(yield_fn, NULL, NULL, "bench-yield");
	uint64_t s0, c0, cycles;

	assert(y);
	sched_yield();
	s0 = sched_switch_count();
	c0 = rdtsc();
	for (unsigned i = 0; i < N; i++)
		sched_yield();
	cycles = rdtsc() - c0;
	bench_report("context_switch", cycles,
		     (uint32_t)(sched_switch_count() - s0));
	kthread_stop(y);
}
BENCH(sched_switch, bench_context_switch);

static int exit_fn(void *arg)
{
	return 0;
}

static void bench_kthread_cycle(void)
{
	enum { N = 100 };
	uint64_t c0 = 0;

	for (int round = 0; round < 2; round++) {
		c0 = rdtsc();
		for (int i = 0; i < N; i++) {
			struct task *t = kthread_create(exit_fn, NULL, NULL,
							"bench-exit");

			assert(t);
			task_get(t);
			kthread_start(t);
			reaper_wait(t, 1000);
			task_put(t);
		}
	}
	bench_report("kthread_create_exit_reap", rdtsc() - c0, N);
}
BENCH(sched_kthread, bench_kthread_cycle);

/* Idle tasks: each sleeps in a freezable wait until stopped. */
static int idle_fn(void *arg)
{
	while (!kthread_should_stop()) {
		try_to_freeze();
		sleep_ms(100000);
	}
	return 0;
}

static void freeze_thaw(unsigned ntasks, enum freeze_mode mode,
			const char *name)
{
	enum { N = 20 };
	struct task *t[64];
	uint64_t c0 = 0;
	char fig[48];

	assert(ntasks <= 64);
	for (unsigned i = 0; i < ntasks; i++) {
		t[i] = kthread_run(idle_fn, NULL, NULL, "bench-idle");
		assert(t[i]);
		task_get(t[i]);
	}
	sleep_ms(2);                    /* all of them asleep */
	for (int round = 0; round < 2; round++) {
		c0 = rdtsc();
		for (int i = 0; i < N; i++) {
			int err = freezer_freeze(mode, NULL, 1000);

			assert(err == 0);
			freezer_thaw();
		}
	}
	ksnprintf(fig, sizeof(fig), "freeze_thaw_%u_tasks_%s", ntasks, name);
	bench_report(fig, rdtsc() - c0, N);
	for (unsigned i = 0; i < ntasks; i++) {
		kthread_stop(t[i]);
		task_put(t[i]);
	}
}

static void bench_freezer(void)
{
	static const unsigned sizes[] = { 1, 16, 64 };

	for (unsigned i = 0; i < 3; i++)
		freeze_thaw(sizes[i], FREEZE_PREEMPTIVE, "preemptive");
	for (unsigned i = 0; i < 3; i++)
		freeze_thaw(sizes[i], FREEZE_COOPERATIVE, "cooperative");
}
BENCH(sched_freezer, bench_freezer);

/* ---- latency under load ---------------------------------------------- */

/*
 * Both latencies are driven from the timer interrupt, as a device would
 * wake a task: a tick hook notes the TSC and wakes (or types) every
 * LAT_PERIOD ticks, the woken task notes the TSC when it runs. Under
 * -icount the interrupt comes at the same instruction every run, so the
 * figures repeat exactly. The CPU-bound tasks are `spawn busy`'s: they
 * spin, and never sleep.
 */
enum { LAT_N = 20, LAT_WARMUP = 2, LAT_PERIOD = 3, MAX_BUSY = 4 };

/* What the tick hook does every LAT_PERIOD ticks, `left` times. */
static void (*volatile lat_fn)(void);   /* [irq] NULL: nothing */
static volatile unsigned lat_left;      /* [irq] calls to make */
static unsigned lat_wait;               /* [irq] ticks to the next */

static void lat_tick(struct trap_frame *tf)
{
	if (!lat_left || --lat_wait)
		return;
	lat_wait = LAT_PERIOD;
	lat_left--;
	lat_fn();
}

/* Call fn from the tick every LAT_PERIOD ticks, n times. */
static void lat_start(void (*fn)(void), unsigned n)
{
	static bool hooked;
	uint32_t f;

	if (!hooked) {
		pit_add_tick_hook(lat_tick);
		hooked = true;
	}
	f = irq_save();
	lat_fn = fn;
	lat_wait = LAT_PERIOD;
	lat_left = n;
	irq_restore(f);
}

static int busy_fn(void *arg)
{
	volatile unsigned long spins = 0;

	while (!kthread_should_stop())
		if ((++spins & 0xffff) == 0)
			try_to_freeze();
	return 0;
}

/* Start n spinners and let each use a few whole slices, as a spinner
 * that has been running a while has. */
static void busy_start(struct task **t, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		t[i] = kthread_run(busy_fn, NULL, NULL, "bench-busy");
		assert(t[i]);
		task_get(t[i]);
	}
	if (n)
		sleep_ms(n * 3 * SCHED_SLICE_MS);
}

static void busy_stop(struct task **t, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		kthread_stop(t[i]);
		task_put(t[i]);
	}
}

static struct wait_queue lat_wq = WAIT_QUEUE_INIT(lat_wq, "bench wakeup");
static volatile unsigned lat_seq;       /* [irq] wakeups sent */
static volatile uint64_t lat_t0;        /* [irq] TSC at the last wake_up */

static void lat_wake(void)
{
	lat_t0 = rdtsc();
	lat_seq++;
	wake_up(&lat_wq);
}

struct lat_result {
	uint64_t total;                 /* cycles over the measured wakeups */
	uint64_t worst;                 /* the longest one */
	unsigned n;
};

static void lat_add(struct lat_result *r, uint64_t cycles)
{
	r->total += cycles;
	if (cycles > r->worst)
		r->worst = cycles;
	r->n++;
}

/* The woken task: waits for each wakeup and charges its latency. */
static int lat_sleeper_fn(void *arg)
{
	struct lat_result *r = arg;
	unsigned seen = 0;

	while (seen < LAT_WARMUP + LAT_N) {
		wait_event_idle(lat_wq, lat_seq != seen);
		if (seen++ >= LAT_WARMUP)
			lat_add(r, rdtsc() - lat_t0);
	}
	return 0;
}

static void wakeup_latency(unsigned nbusy)
{
	struct task *busy[MAX_BUSY], *sleeper;
	struct lat_result r = { 0, 0, 0 };
	char fig[40];

	busy_start(busy, nbusy);
	lat_seq = 0;
	sleeper = kthread_create(lat_sleeper_fn, &r, NULL, "bench-sleeper");
	assert(sleeper);
	task_get(sleeper);
	kthread_start(sleeper);
	lat_start(lat_wake, LAT_WARMUP + LAT_N);
	reaper_wait(sleeper, 5000);
	task_put(sleeper);
	busy_stop(busy, nbusy);
	assert(r.n == LAT_N);
	ksnprintf(fig, sizeof(fig), "wakeup_latency_%u_busy", nbusy);
	bench_report(fig, r.total, r.n);
	ksnprintf(fig, sizeof(fig), "wakeup_latency_%u_busy_max", nbusy);
	bench_report(fig, r.worst, 1);
}

static void bench_wakeup_latency(void)
{
	static const unsigned nbusy[] = { 0, 1, 4 };

	for (unsigned i = 0; i < 3; i++)
		wakeup_latency(nbusy[i]);
}
BENCH(sched_wakeup, bench_wakeup_latency);

/* The typist: types one character from the interrupt, as the UART's
 * receive interrupt does (console_input); the last one is Ctrl-U. */
static volatile uint64_t typed_t0;      /* [irq] TSC at the last one */

static void type_one(void)
{
	typed_t0 = rdtsc();
	console_input(lat_left ? 'x' : 0x15);
}

/*
 * The shell's echo of one typed character, with 4 CPU-bound tasks: from
 * the byte's arrival (the interrupt) to its echo written to the console,
 * through the shell's own path: console_getc (asleep until the byte
 * comes), the line editor, console_write. This runs in the shell task,
 * as `bench` does; the last key is Ctrl-U, which erases the x's again.
 */
static void bench_echo_latency(void)
{
	struct line_editor *ed = kmalloc(sizeof(*ed));
	struct task *busy[MAX_BUSY];
	struct lat_result r = { 0, 0, 0 };
	char c;

	assert(ed);
	line_init(ed);
	while (console_poll(&c))
		;                       /* nothing typed ahead */
	busy_start(busy, MAX_BUSY);
	lat_start(type_one, LAT_WARMUP + LAT_N + 1);
	for (unsigned i = 0; i < LAT_WARMUP + LAT_N + 1; i++) {
		line_feed(ed, console_getc());
		console_write(ed->out, ed->out_len);
		if (i >= LAT_WARMUP && i < LAT_WARMUP + LAT_N)
			lat_add(&r, rdtsc() - typed_t0);
	}
	busy_stop(busy, MAX_BUSY);
	kfree(ed);
	bench_report("echo_latency_4_busy", r.total, r.n);
	bench_report("echo_latency_4_busy_max", r.worst, 1);
}
BENCH(sched_echo, bench_echo_latency);
