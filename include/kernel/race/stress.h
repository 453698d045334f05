/*
 * <kernel/race/stress.h>: the unload torture test (SPEC §8), and its scheduling
 * points.
 *
 * `stress` runs, for a duration or a number of unload cycles: client
 * threads calling into the loaded modules through every entry path,
 * loader threads loading and unloading them with one strategy and busy
 * policy, an optional auto-unload daemon, and perturbation that forces
 * preemption at named points, inside module code too. It ends with
 * `stress: SUCCESS` or `stress: FAILURE (reason)`.
 *
 * The files, one mechanism each:
 *   kernel/race/stress.c          the command: options, orchestration, stats
 *                            line, verdict, memory baseline;
 *   kernel/race/stress_clients.c  the client, loader and auto-unload threads;
 *   kernel/race/stress_sched.c    the scheduling points: the PRNG, perturbation
 *                            (timer mode), and the baton that makes every
 *                            decision come from the seed (seeded, pct).
 *
 * Scheduling points are probes (<kernel/probe.h>): kernel code on the
 * unload path marks probe("ref.get") and so on (one line each, in
 * module_ref.c, unload.c, quiesce.c, reaper.c); stress modules call
 * probe() at their entry, in their body and before they return; the
 * stress scheduler subscribes to all of them. When no stress run is
 * active a point costs a call and a branch. A point never sleeps in an
 * interrupt handler, with interrupts off or with preemption disabled: there it
 * does nothing.
 *
 * Lock legend for struct stress_stats: [a] updated with interrupts off
 * or by one writer (one CPU), read without a lock.
 */
#ifndef KERNEL_STRESS_H
#define KERNEL_STRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <kernel/module/unload.h>

#define STRESS_MAX_MODULES 12
#define STRESS_MAX_CLIENTS 16
#define STRESS_MAX_LOADERS 4

enum stress_sched_mode { STRESS_SCHED_TIMER, STRESS_SCHED_SEEDED,
			 STRESS_SCHED_PCT };
enum stress_perturb { STRESS_PERTURB_OFF, STRESS_PERTURB_STUTTER,
		      STRESS_PERTURB_RANDOM };

struct stress_cfg {
	unsigned duration_ms;           /* 0: run for cycles */
	unsigned cycles;                /* 0: run for duration */
	enum unload_strategy strategy;
	enum unload_busy busy;
	unsigned clients, loaders;
	char modules[STRESS_MAX_MODULES][32];
	unsigned nmodules;
	uint32_t seed;
	enum stress_sched_mode sched;
	enum stress_perturb perturb;
	bool autounload;
	bool raw_exec;                  /* commands found without a pin */
	unsigned interval_ms;
};

struct stress_stats {
	volatile unsigned loads, unloads;       /* [a] successful */
	volatile unsigned load_fails;           /* [a] EEXIST, deps... */
	volatile unsigned refusals;             /* [a] unload refused */
	volatile unsigned delayed;              /* [a] delayed deletes */
	volatile unsigned reregistered;         /* [a] */
	volatile unsigned faults;               /* [a] caught in clients */
	volatile unsigned deadlocks;            /* [a] caught by the watch */
	volatile unsigned autounloads;          /* [a] by the daemon */
	volatile uint32_t calls;                /* [a] client calls done */
	volatile uint64_t max_quiesce;          /* [a] cycles, step 3 */
	volatile uint64_t max_unload;           /* [a] cycles, a whole
						 * unload that freed */
	char failure[160];                      /* first failure, or "" */
	char load_error[120];                   /* a load's, while none
						 * has succeeded */
};

/* The run in progress (kernel/race/stress.c). */
extern struct stress_cfg stress_cfg;
extern struct stress_stats stress_stats;
/* Set to end the run: the threads finish their step and exit. [a] */
extern volatile bool stress_stop;
/* Set while the stutter pauses the workload. [a] */
extern volatile bool stress_paused;

/* Fill cfg with the defaults: 20 s, twophase, busy fail, 4 clients, 1
 * loader, seed 1, timer mode, random perturbation, the three stress_*
 * modules, a stats line every 5 s. Context: any. */
void stress_cfg_defaults(struct stress_cfg *cfg);
/*
 * Run a stress test with cfg (what the command does after parsing); quiet
 * prints nothing but fault reports and errors (tests, bench). The counters
 * stay in stress_stats. Return: 0 on SUCCESS, -EIO on FAILURE, -EBUSY if a
 * run is in progress or a module of the run is loaded, -EINVAL.
 * Context: task, sleeps for the whole run.
 */
int stress_run_cfg(const struct stress_cfg *cfg, bool quiet);

/* Record the first failure (later ones are counted, not kept) and stop
 * the run. Context: task. */
void stress_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Fail the run if a use-after-free or watchdog report appeared since it
 * began. Context: task. */
void stress_check_detectors(void);

/* ---- the threads (kernel/race/stress_clients.c) ----------------------------
 */
/* Start the clients, loaders and daemon. Return: 0 or -ENOMEM (then
 * nothing is left running). Context: task. */
int stress_threads_start(void);
/* Wait until every thread started has exited and been reaped.
 * Return: 0, or -ETIMEDOUT. Context: task, may sleep. */
int stress_threads_join(unsigned timeout_ms);

/* ---- scheduling points (kernel/race/stress_sched.c) ------------------------
 */
/* Arm the points for a run with cfg's mode and seed; disarm them.
 * Context: task. */
void stress_sched_start(const struct stress_cfg *cfg);
void stress_sched_stop(void);
/* Seeded and pct mode: wait until expected threads have joined, then give
 * the baton to the first holder. Context: task. */
void stress_sched_go(unsigned expected);
/* A random number from the run's generator. In seeded and pct mode only
 * the baton holder may call it, so the sequence is the seed's.
 * Context: any. */
uint32_t stress_rand(void);
/* Seeded and pct mode: the calling thread takes part in the baton (it
 * runs only when chosen at a point); leave gives the baton on for good.
 * No-ops in timer mode. Context: task. */
void stress_sched_join(void);
void stress_sched_leave(void);
/* The loader runs an unload in another task (unload_module_watched):
 * that task's points decide for the loader meanwhile. Context: task. */
void stress_sched_delegate(bool on);
/* Print the last decisions, oldest first. Context: task. */
void stress_sched_print_trace(void);
/* Decisions taken so far. */
unsigned long stress_sched_decisions(void);
/* A hash of every decision of the run so far, in order: who decided, at
 * which point, who got the baton. Two runs with the same hash took the
 * same decisions (up to a 32-bit collision). Context: any. */
uint32_t stress_sched_trace_hash(void);

#endif
