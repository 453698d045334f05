/*
 * kernel/race/race_events.c: `race run --events`: a run as events.
 *
 * With --events, each step of a run is also printed as one line that a
 * host script picks out of the console log (scripts/race_diagram.py draws
 * a sequence diagram from them, docs/race-catalogue.md shows them):
 *
 *   @ev TASK KIND TEXT
 *
 *   TASK  the lifeline: the task that acts (driver, client, rmmod, reaper,
 *         ...), "-" for the run itself;
 *   KIND  one word: begin, end (the run); load, unload, hold, release,
 *         return, refused, killed (the scenario); start, check,
 *         unregister, threads, stop-thread, reap-wait, callbacks, freeze,
 *         scan, scan-hit, entry-window, thaw, recheck, cleanup, decision,
 *         decided, result, step (the unload protocol); fault, deadlock
 *         (what went wrong, and the detector that caught it);
 *   TEXT  the narrated line without what changes from boot to boot: task
 *         ids, addresses, offsets inside functions, durations; ticks are
 *         never in it. So one race, strategy, busy policy and seed print
 *         the same events on every boot, byte for byte, whatever ran
 *         before (make test regenerates the diagrams and compares).
 *
 * Sources: every narrated line (narrate_listen(): the scenario's own
 * lines and the unload protocol's steps, so the protocol prints its
 * steps once for `rmmod -v`, `race run` and the events alike); a fault
 * explainer that notes which task faulted where (it explains nothing
 * itself, and comes before the module area's detector, which is added
 * later, at INIT_LATE); and the run's first and last line (race_engine.c).
 *
 * Interface (internal.h): race_events_enable, race_events_begin,
 * race_events_end.
 */
#include "internal.h"
#include <kernel/arch.h>
#include <kernel/init.h>
#include <kernel/ksyms.h>
#include <kernel/lib/format.h>
#include <kernel/lib/string.h>
#include <kernel/module/modmem.h>
#include <kernel/printk.h>
#include <kernel/trap.h>
#include <sched/task.h>

#define EV_LINE 200

#define EV_FAULTS 4

static volatile bool events_on;         /* [a] set by the shell task */

/* Faults noted, not printed yet. [irq]: written in the fault handler,
 * taken with interrupts off. */
static struct { char task[TASK_NAME_MAX], text[EV_LINE]; } faults[EV_FAULTS];
static unsigned nfaults;

/* One event line; TASK without blanks. Context: task or fault. */
static void emit(const char *task, const char *kind, const char *text)
{
	char who[TASK_NAME_MAX];
	size_t i;

	for (i = 0; task[i] && i + 1 < sizeof(who); i++)
		who[i] = task[i] == ' ' ? '_' : task[i];
	who[i] = '\0';
	kprintf("@ev %s %s %s\n", who[0] ? who : "?", kind, text);
}

/*
 * Print the faults noted so far. A fault is printed when the scenario
 * next tells how a task ended (return, refused, killed) or at the end of
 * the run, not when it happens: a thread of a freed module that wakes by
 * itself (R15) faults while the unloader prints its last steps, and
 * where its line fell among them would change from boot to boot. Its
 * place in the events is after what caused it (the free) either way.
 * Context: task.
 */
static void flush_faults(void)
{
	char task[TASK_NAME_MAX], text[EV_LINE];

	for (;;) {
		uint32_t f = irq_save();

		if (!nfaults) {
			irq_restore(f);
			return;
		}
		kstrlcpy(task, faults[0].task, sizeof(task));
		kstrlcpy(text, faults[0].text, sizeof(text));
		nfaults--;
		for (unsigned i = 0; i < nfaults; i++)
			faults[i] = faults[i + 1];
		irq_restore(f);
		emit(task, "fault", text);
	}
}

static void on_narrate(const char *who, const char *line)
{
	char text[EV_LINE];
	const char *kind;

	if (!events_on)
		return;
	while (*line == ' ')
		line++;
	kind = race_event_kind(line);
	if (!strcmp(kind, "return") || !strcmp(kind, "refused") ||
	    !strcmp(kind, "killed"))
		flush_faults();
	race_event_clean(line, text, sizeof(text));
	emit(who, kind, text);
}

/* Context: fault handler, interrupts off. */
static void note(const char *text)
{
	if (nfaults == EV_FAULTS)
		return;         /* a run has one fault, two at most */
	kstrlcpy(faults[nfaults].task, current->name, TASK_NAME_MAX);
	kstrlcpy(faults[nfaults].text, text, EV_LINE);
	nfaults++;
}

/*
 * A fault explainer that explains nothing: with events on it notes which
 * task faulted, where, and, if the address is in a freed module's range,
 * that the use-after-free detector caught it (flush_faults prints it).
 * Context: fault handler, interrupts off.
 */
static bool note_fault(const struct trap_frame *tf, uintptr_t addr,
		       char *buf, size_t len)
{
	char at[96], where[96], text[EV_LINE];
	bool uaf;
	const char *access;

	if (!events_on)
		return false;
	ksyms_format(tf->eip, where, sizeof(where));
	race_event_clean(where, at, sizeof(at));
	uaf = tf->vector == VEC_PAGE &&
	      (modmem_in_grave(addr) || modmem_in_grave(tf->eip));
	if (!uaf) {
		ksnprintf(text, sizeof(text), "%s in %s",
			  trap_name(tf->vector), at);
		note(text);
		return false;
	}
	access = (tf->err & PF_FETCH) || addr == tf->eip ? "exec" :
		 tf->err & PF_WRITE ? "write" : "read";
	if (addr == tf->eip) {
		ksnprintf(text, sizeof(text), "use-after-free: %s %s; "
			  "caught by uaf-detector", access, at);
	} else {
		ksyms_format(addr, where, sizeof(where));
		race_event_clean(where, buf, len);
		ksnprintf(text, sizeof(text), "use-after-free: %s %s from "
			  "%s; caught by uaf-detector", access, buf, at);
		buf[0] = '\0';
	}
	note(text);
	return false;
}

void race_events_enable(bool on)
{
	uint32_t f = irq_save();

	nfaults = 0;
	irq_restore(f);
	events_on = on;
	narrate_listen(on ? on_narrate : NULL);
}

bool race_events_enabled(void)
{
	return events_on;
}

void race_events_begin(const char *id, const char *name,
		       enum unload_strategy s, enum unload_busy b,
		       uint32_t seed)
{
	char text[EV_LINE];

	if (!events_on)
		return;
	ksnprintf(text, sizeof(text), "%s %s strategy=%s busy=%s seed=%lu",
		  id, name, unload_strategy_name(s), unload_busy_name(b),
		  (unsigned long)seed);
	emit("-", "begin", text);
}

void race_events_end(const struct race_result *r)
{
	char text[EV_LINE];

	if (!events_on)
		return;
	flush_faults();
	ksnprintf(text, sizeof(text), "outcome=%s by=%s", r->outcome, r->by);
	emit("-", "end", text);
}

static int race_events_init(void)
{
	fault_add_explainer(note_fault);
	return 0;
}
INITCALL(race_events_init, INIT_SUBSYS);
