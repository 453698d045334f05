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
 * What to do when the module is busy (--busy):
 *   fail      at the first check: refuse (EBUSY); when twophase's re-check
 *             (or a failed quiesce) finds it busy after unregister: call
 *             register again, so the module is back as it was;
 *   wait      wait (up to the timeout) for the count to drop, then start
 *             again at the first check; at the re-check, as fail;
 *   delayed   withdraw it now and free it when its last user has left
 *             (kernel/module/unloadd.c), at either check.
 *
 * Every result names what decided it (req->by, a set of detectors): the
 * check, scan or wait that found a user, or the mechanisms that acted on
 * the way to a safe free (`rmmod -v` and `race` print them).
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

enum unload_busy { BUSY_FAIL, BUSY_WAIT, BUSY_DELAYED, UNLOAD_NR_BUSY };

/*
 * What decided an unload, one bit each (names: unload_detector_names):
 *   use-count       the use count (or the core's references, refcount) was
 *                   not 0: at the first check or at twophase's re-check;
 *   eip             a task's EIP (the interrupted one, if preempted) was
 *                   in module text;
 *   stack-scan      a return address on a task's stack was in module text;
 *   entry-window    the core held references while no task was seen in
 *                   the module: a task between the boundary and the count;
 *   thread-stop     module threads were stopped (never frozen);
 *   thread-reap     the unload waited until module threads were reaped;
 *   callback-drain  the unload waited for callbacks in flight;
 *   caller-exempt   the caller is freezable and was not frozen;
 *   gate            the refcount gate closed at the first check;
 *   raw-entry       the module registered a notifier the core calls
 *                   without a reference: counting cannot prove it idle;
 *   freeze-failed   the freeze timed out or could not start;
 *   dependency      another module uses this one's symbols;
 *   hook-fault      a hook of the module faulted.
 */
enum unload_detector {
	UD_USE_COUNT = 1u << 0, UD_EIP = 1u << 1, UD_STACK_SCAN = 1u << 2,
	UD_ENTRY_WINDOW = 1u << 3, UD_THREAD_STOP = 1u << 4,
	UD_THREAD_REAP = 1u << 5, UD_CALLBACK_DRAIN = 1u << 6,
	UD_CALLER_EXEMPT = 1u << 7, UD_GATE = 1u << 8, UD_RAW_ENTRY = 1u << 9,
	UD_FREEZE_FAILED = 1u << 10, UD_DEPENDENCY = 1u << 11,
	UD_HOOK_FAULT = 1u << 12,
};

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
	unsigned by;                    /* enum unload_detector bits */
	uint64_t wait_until;            /* private: --busy=wait's deadline */
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
/* Parse "naive|eip|twophase|refcount" and "fail|wait|delayed".
 * Return: 0 or -EINVAL. */
int unload_parse_strategy(const char *s, enum unload_strategy *out);
int unload_parse_busy(const char *s, enum unload_busy *out);
const char *unload_busy_name(enum unload_busy b);
/* Write the names of the detectors in by, joined by '+' ("none" for 0).
 * Return: buf. Context: any. */
char *unload_detector_names(unsigned by, char *buf, size_t len);
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
/* Why unloadd's last try to free m failed ("" if it has not failed), for
 * a report of what is left behind. Context: any (a snapshot). */
const char *unload_delayed_why(const struct module *m);

#endif
