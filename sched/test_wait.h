/*
 * sched/test_wait.h: what the scheduler's KTAP suites (sched_test.c,
 * kthread_test.c) share for waiting. Context: a test task.
 */
#ifndef SCHED_TEST_WAIT_H
#define SCHED_TEST_WAIT_H

#include <drivers/pit.h>
#include <kernel/arch.h>
#include <sched/sched.h>

/* Run t on CPU 0 only, or anywhere again: for a case that needs two
 * tasks to share one CPU (who runs while the other spins), as on a
 * uniprocessor. */
static inline void pin_cpu0(struct task *t)
{
	sched_set_cpus(t, 1u);
}

static inline void unpin(struct task *t)
{
	sched_set_cpus(t, ~0u);
}

/* Spin (not sleep) for ms milliseconds of timer ticks. */
static inline void spin_ms(unsigned ms)
{
	uint64_t end = ticks_read() + ms_to_ticks(ms);

	while (ticks_read() < end)
		cpu_relax();
}

/* Sleep a tick at a time until cond holds; false after ms of trying.
 * Tests wait for the state they need, not for a time that suffices when
 * the machine is idle: the suites pass with CPU-bound tasks running. */
#define WAIT_UNTIL(cond, ms)                                               \
	({                                                                 \
		uint64_t __end = ticks_read() + ms_to_ticks(ms);           \
		bool __ok;                                                 \
		while (!(__ok = (cond)) && ticks_read() < __end)           \
			sleep_ms(1);                                       \
		__ok;                                                      \
	})

#endif
