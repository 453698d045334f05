/*
 * <kernel/module/unload.h>: unloading a module, four ways.
 *
 * The strategies (SPEC §5), chosen per unload so they can be compared on
 * the same races:
 *   naive     check the use count, cleanup, free: the 2002 single-phase
 *             unload (unregister and cleanup run back to back);
 *   eip       check the count, freeze every freezable task (the caller and
 *             the module's threads too, if they are freezable), look only
 *             at the EIP of each frozen task, cleanup, free, thaw;
 *   twophase  the seed's protocol (kernel/module/unload.c has it step by step);
 *   refcount  the modern way: the core's references at every boundary, a
 *             gate that refuses new ones, module threads that drop theirs
 *             in core exit code.
 *
 * What to do when the module is busy (--busy): fail (EBUSY), wait (up to
 * the timeout, for the count to drop), delayed (withdraw it now, free it
 * when its last user has left), reregister (twophase's re-check: call
 * register again; the default at that step).
 */
#ifndef KERNEL_UNLOAD_H
#define KERNEL_UNLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct module;

/* How long a bounded wait of the protocol lasts unless the request says. */
#define UNLOAD_TIMEOUT_MS 2000

enum unload_strategy {
	UNLOAD_NAIVE, UNLOAD_EIP, UNLOAD_TWOPHASE, UNLOAD_REFCOUNT,
	UNLOAD_NR_STRATEGIES
};

enum unload_busy { BUSY_FAIL, BUSY_WAIT, BUSY_DELAYED, BUSY_REREGISTER,
		   UNLOAD_NR_BUSY };

/* What became of the module. */
enum unload_outcome {
	UNLOAD_FREED,           /* gone: cleanup ran, memory freed */
	UNLOAD_REFUSED,         /* nothing done: busy, used, or not there */
	UNLOAD_DELAYED,         /* withdrawn; freed when the last user leaves */
	UNLOAD_REREGISTERED,    /* someone got in: register called again */
	UNLOAD_FAILED,          /* a hook faulted: stays loaded, going */
};

struct unload_req {
	/* in */
	enum unload_strategy strategy;
	enum unload_busy busy;
	bool verbose;                   /* narrate every step */
	unsigned timeout_ms;            /* bound on every wait; 0: 2000 */
	/* out */
	enum unload_outcome outcome;
	int err;                        /* 0 or a negative code */
	char msg[200];                  /* why, in a sentence */
	uint64_t quiesce_cycles;        /* TSC cycles in the quiesce */
	unsigned found_inside;          /* tasks the scan found in the module */
	int entry_refs;                 /* references held in entry windows */
};

/*
 * Unload the module called name with req's strategy and busy policy; the
 * result is in req. Return: req->err. Context: task, may sleep; takes
 * module_mutex. The running task is "the caller" the protocol never
 * freezes (unless the strategy is eip and the caller is freezable: R1).
 */
int unload_module(const char *name, struct unload_req *req);

/*
 * The same, run by a new task "rmmod" (freezable if freezable_caller),
 * while the calling task waits up to watch_ms. If the unload makes no
 * progress in that time it is a deadlock: the tasks involved are printed
 * with backtraces, any freeze is thawed to break it, and we wait again.
 * *deadlocked tells whether that happened. Return: req->err, or -EDEADLK
 * after a deadlock. Context: task, may sleep.
 */
int unload_module_watched(const char *name, struct unload_req *req,
			  bool freezable_caller, unsigned watch_ms,
			  bool *deadlocked);

/* The two halves of unload_module_watched, for a caller (the race
 * scenarios) that acts while the unload runs: start it; poll it; wait for
 * it with the deadlock watch. unload_wait consumes the job. */
struct unload_job;
struct unload_job *unload_start(const char *name, const struct unload_req *req,
				bool freezable_caller);
bool unload_done(struct unload_job *job);
struct task *unload_job_task(struct unload_job *job);
int unload_wait(struct unload_job *job, struct unload_req *req,
		unsigned watch_ms, bool *deadlocked);

/* Fill req with the defaults: twophase, busy fail, 2000 ms. */
void unload_req_init(struct unload_req *req);

const char *unload_strategy_name(enum unload_strategy s);
const char *unload_outcome_name(enum unload_outcome o);
/* Parse "naive|eip|twophase|refcount" and "fail|wait|delayed|reregister".
 * Return: 0 or -EINVAL. */
int unload_parse_strategy(const char *s, enum unload_strategy *out);
int unload_parse_busy(const char *s, enum unload_busy *out);
const char *unload_busy_name(enum unload_busy b);
/*
 * One word of a command line that may set an unload option: --strategy=S
 * or --busy=P (rmmod, race and stress all use this).
 * Return: 1 if it set one, 0 if the word is no unload option, -EINVAL with
 * a sentence in err if its value is unknown. Context: any.
 */
int unload_parse_option(const char *word, enum unload_strategy *strategy,
			enum unload_busy *busy, char *err, size_t errlen);

/* A count of mod dropped (use count, core reference, callback, thread):
 * wakes unloads waiting on it and the delayed-delete worker. Context: any. */
void module_ref_dropped(struct module *mod);

/* Modules marked for delayed delete and not yet freed. */
unsigned unload_delayed_pending(void);

#endif
