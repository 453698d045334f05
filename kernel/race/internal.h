/*
 * kernel/race/internal.h: what the files of the race catalogue share.
 *
 *   race_engine.c     one run: noise from the seed, settling, measuring
 *   race_scenarios.c  R1..R17
 *   race_expected.c   the expected matrix
 *   race_cmds.c       `race list | run | matrix`
 *   stress_sched.c    the stress test's baton, recording its decisions in
 *   stress_trace.c    the ring and hash of decisions
 *   race_events.c     `race run --events`: the run as "@ev" lines
 *   race_evtext.c     an event's kind and text (pure; host-tested)
 */
#ifndef KERNEL_RACE_INTERNAL_H
#define KERNEL_RACE_INTERNAL_H

#include <kernel/module/memusage.h>
#include <kernel/module/unload.h>
#include <kernel/race/race_scenarios.h>

#define WATCH_MS 500            /* no progress this long: a deadlock */
#define ARRIVE_MS 1000          /* a held task must arrive within this */

/* One run of one scenario. Owned by the shell task that runs it. */
struct race_ctx {
	enum unload_strategy strategy;
	enum unload_busy busy;
	uint32_t seed, rng;
	bool verbose;
	struct unload_req req;
	bool deadlocked;
	bool unloaded;                  /* an unload ran to its end */
	unsigned uaf0;                  /* use-after-free reports before */
	unsigned gate0;                 /* gate refusals before */
	unsigned tasks0;                /* tasks in the table before */
	struct mem_usage base;          /* memory before the scenario */
	const char *module;             /* the module under test */
	struct task *noise[3];
	unsigned nnoise;
	int harness_err;                /* the scenario itself went wrong */
	int client_cpu;                 /* clients run here; -1: ours */
	bool spin;                      /* clients spin at their point */
	bool ran_freed;                 /* a client returned normally from
					 * a module freed under it */
};

struct scenario {
	const char *id, *name, *what;
	void (*run)(struct race_ctx *c);
	const char *modules[2];         /* unloaded at the end if left */
	unsigned cpus;                  /* needs at least this many CPUs */
};

#define RACE_MAX_SCENARIOS 32
extern const struct scenario race_table[];
extern const unsigned race_ntable;

/* The scenario called id ("R6") or name ("eip-not-enough"), or NULL. */
const struct scenario *race_find(const char *id);
/* The scenario went wrong itself (not the unload): its run says "error". */
void race_harness_fail(struct race_ctx *c, const char *what);
/* The same with the cause (ENOMEM from a failed allocation; -EIO is the
 * default): `race run` ends with it (race_last_harness_err, set by
 * race_run_one), so a scenario that could not be played says why. */
void race_harness_fail_err(struct race_ctx *c, const char *what, int err);
extern int race_last_harness_err;
/* A pause of 0-2 ms (or a yield) drawn from the seed. Context: task. */
void race_jitter(struct race_ctx *c);

/* The stress scheduler's decision record (stress_trace.c): reset at the
 * start of a run; record one decision. Context: interrupts off. */
void stress_trace_reset(void);
void stress_trace_record_irqoff(const char *who, const char *point,
				const char *next);
/* ---- race_events.c ---------------------------------------------------- */
/* Print the next runs as events too (`race run --events`), or stop.
 * Context: the shell task, between runs. */
void race_events_enable(bool on);
bool race_events_enabled(void);
/* A run's first and last event ("@ev - begin ...", "@ev - end ..."); no-ops
 * while events are off. Context: the task running the scenario. */
void race_events_begin(const char *id, const char *name,
		       enum unload_strategy s, enum unload_busy b,
		       uint32_t seed);
void race_events_end(const struct race_result *r);

/* ---- race_evtext.c ---------------------------------------------------- */
/* The kind of a narrated line ("hold", "freeze", ...; "step" if none
 * fits), from how it starts after its leading blanks. Context: any. */
const char *race_event_kind(const char *line);
/* line without its leading blanks, task ids, addresses, offsets inside
 * functions and the time a wait has left, blanks collapsed, into out
 * (len bytes, always terminated). Context: any. */
void race_event_clean(const char *line, char *out, size_t len);

#endif
