/*
 * <kernel/mutant.h>: switches that break one safety mechanism on purpose.
 *
 * Mutation testing for the unload protocol (`make mutants`): a build with
 * MUTANT=name turns one mechanism off, and the race catalogue must notice
 * (some cell of the matrix changes). A mechanism whose removal changes
 * nothing is a mechanism no test proves. Normal builds define every
 * switch as 0, so the compiler drops the mutated branch entirely.
 *
 *   no-stack-scan      the scan ignores return addresses
 *   no-eip-check       the scan ignores the EIP of a stopped task
 *   no-entry-window    the scan ignores the core's references
 *   no-recheck         step 4 ignores the use count
 *   no-thread-reap     step 3 does not wait for module threads' reap
 *   no-callback-drain  step 3 does not wait for callbacks in flight
 *   freeze-caller      the quiesce freezes the task doing the unload too
 *   freeze-module-threads  the quiesce freezes before it stops the
 *                      module's threads (which then cannot stop)
 *   no-gate            refcount does not close the gate at its check
 *   early-thread-put   a module thread drops its count when it exits,
 *                      before the reaper ran its exit hooks
 *   no-raw-entry       refcount unloads a module with raw notifiers
 *   no-shootdown       an unmap drops the translations of its own CPU
 *                      only (no TLB shootdown IPI)
 *   scan-sleeping-only the freeze and the scan see only the tasks that
 *                      are off their CPU: a task running elsewhere is
 *                      neither IPI'd into the freezer nor stopped for the
 *                      scan, and the scan skips it (a careless SMP port)
 *
 * In a mutant build the asserts that restate what the protocol proves
 * (mutant_assert) are off: the point is to see the consequence in the
 * matrix (a use-after-free caught, a deadlock reported), not a panic.
 */
#ifndef KERNEL_MUTANT_H
#define KERNEL_MUTANT_H

#include <kernel/panic.h>

#ifndef MUTANT_NO_STACK_SCAN
#define MUTANT_NO_STACK_SCAN 0
#endif
#ifndef MUTANT_NO_EIP_CHECK
#define MUTANT_NO_EIP_CHECK 0
#endif
#ifndef MUTANT_NO_ENTRY_WINDOW
#define MUTANT_NO_ENTRY_WINDOW 0
#endif
#ifndef MUTANT_NO_RECHECK
#define MUTANT_NO_RECHECK 0
#endif
#ifndef MUTANT_NO_THREAD_REAP
#define MUTANT_NO_THREAD_REAP 0
#endif
#ifndef MUTANT_NO_CALLBACK_DRAIN
#define MUTANT_NO_CALLBACK_DRAIN 0
#endif
#ifndef MUTANT_FREEZE_CALLER
#define MUTANT_FREEZE_CALLER 0
#endif
#ifndef MUTANT_FREEZE_MODULE_THREADS
#define MUTANT_FREEZE_MODULE_THREADS 0
#endif
#ifndef MUTANT_NO_GATE
#define MUTANT_NO_GATE 0
#endif
#ifndef MUTANT_EARLY_THREAD_PUT
#define MUTANT_EARLY_THREAD_PUT 0
#endif
#ifndef MUTANT_NO_RAW_ENTRY
#define MUTANT_NO_RAW_ENTRY 0
#endif
#ifndef MUTANT_NO_SHOOTDOWN
#define MUTANT_NO_SHOOTDOWN 0
#endif
#ifndef MUTANT_SCAN_SLEEPING_ONLY
#define MUTANT_SCAN_SLEEPING_ONLY 0
#endif

#define MUTANT_ANY                                                         \
	(MUTANT_NO_STACK_SCAN || MUTANT_NO_EIP_CHECK ||                    \
	 MUTANT_NO_ENTRY_WINDOW || MUTANT_NO_RECHECK ||                    \
	 MUTANT_NO_THREAD_REAP || MUTANT_NO_CALLBACK_DRAIN ||              \
	 MUTANT_FREEZE_CALLER || MUTANT_FREEZE_MODULE_THREADS ||           \
	 MUTANT_NO_GATE || MUTANT_EARLY_THREAD_PUT || MUTANT_NO_RAW_ENTRY || \
	 MUTANT_NO_SHOOTDOWN || MUTANT_SCAN_SLEEPING_ONLY)

/* An assert of something the protocol guarantees: off in mutant builds. */
#define mutant_assert(cond)                                                \
	do {                                                               \
		if (!MUTANT_ANY)                                           \
			assert(cond);                                      \
	} while (0)

#endif
