/*
 * <kernel/probe.h>: named places in the code that a higher layer may watch.
 *
 * A probe marks a place where the unload races are decided: a reference
 * taken or dropped, the use count re-checked, a zombie reaped, a module
 * entered. The code that has the place does not know who is watching;
 * the watchers live in higher layers and subscribe from there:
 *
 *   the race catalogue (kernel/race/race.c) holds one task at a named
 *       probe until its scenario lets it go;
 *   the stress scheduler (kernel/race/stress_sched.c) decides at each
 *       probe which stress thread runs next.
 *
 * So sched/ and the module subsystem name places, never the harness.
 * Two kinds of probe, one name space:
 *
 *   probe("reaper.reap")         in kernel code: a call. A subscriber that
 *       sleeps leaves the task asleep inside probe(): its EIP is in the
 *       scheduler, its return addresses lead back to the caller.
 *
 *   PROBE_PREEMPT("R4.entered")  in module code: `int $0x81`. Subscribers
 *       get the trap frame, so a subscriber that holds the task can make
 *       it look exactly like a task the timer preempted at that module
 *       instruction (its EIP inside the module).
 *
 *   PROBE_SPIN("R16.running")    in module code: a probe() call, then the
 *       task keeps *running* the caller's own instructions (a load, a
 *       test, a pause, a jump) until `go` is set: a task executing module
 *       code at a known place, on whichever CPU it is. Once in its loop
 *       it sets `spinning` (a store of its own), so a subscriber can wait
 *       until it is past probe()'s return, wholly in the caller. The
 *       words are read through a pointer taken first: not one
 *       instruction of the spin is outside the caller. `go` is set
 *       (spinners go on) except while a subscriber holds it clear.
 *
 * Names are "place.what", lower case: reaper.reap, quiesce.reap,
 * quiesce.callbacks, quiesce.freeze, unload.wait_users, unload.checked,
 * unload.recheck, unload.free, ref.get, ref.put, ref.inc, ref.dec,
 * module.entry, module.exit, module.thread, and each race's own "Rn.*".
 *
 * Cost while no subscriber has armed the probes: a call, one load and a
 * branch. Subscribers are called in the order they subscribed, with
 * interrupts as the caller had them.
 */
#ifndef KERNEL_PROBE_H
#define KERNEL_PROBE_H
#include <stdbool.h>

struct trap_frame;

#define PROBE_SUBSCRIBERS_MAX 4

/* tf: the trap frame for PROBE_PREEMPT, NULL for probe(). */
typedef void (*probe_fn)(const char *name, struct trap_frame *tf);

/* Return: 0, or -ENOSPC when PROBE_SUBSCRIBERS_MAX are subscribed.
 * Context: boot or task. */
int probe_subscribe(probe_fn fn);

/*
 * A subscriber arms probes while it wants to see them (a race point
 * armed, a stress run going) and disarms them after; the calls nest.
 * While nobody has them armed, probe() returns after one load and a
 * branch. Context: any.
 */
void probe_arm(void);
void probe_disarm(void);

/* Mark a place. Context: any; may sleep when a subscriber sleeps (the
 * race catalogue's only do so in task context, interrupts on). */
void probe(const char *name);

/* A probe that looks like a preemption at this instruction. */
#define PROBE_PREEMPT(name) \
	__asm__ volatile("int $0x81" : : "a"(name) : "memory")
/* PROBE_SPIN's words. probe_spin_hold(true) clears both (the next
 * spinner spins), (false) sets go (spinners go on). Context: any. */
struct probe_spin {
	volatile unsigned go, spinning;
};
struct probe_spin *probe_spin_state(void);
void probe_spin_hold(bool hold);
/* A probe that keeps running here until go is set. */
#define PROBE_SPIN(name)                                                   \
	do {                                                               \
		struct probe_spin *s_ = probe_spin_state();                \
		probe(name);                                               \
		s_->spinning = 1;                                          \
		while (!s_->go)                                            \
			__asm__ volatile("pause");                         \
	} while (0)

#endif
