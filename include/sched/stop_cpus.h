/*
 * <sched/stop_cpus.h>: every other CPU idle while one task looks at the
 * others' stacks.
 *
 * A stack can only be read while its task is off every CPU: a running
 * task's saved stack pointer is stale, and its stack changes as we read.
 * On one CPU the reader is the only task running. With more, the reader
 * stops the others first: a stop_machine of our own, made of the
 * scheduler (sched/stop_cpus.c).
 */
#ifndef SCHED_STOP_CPUS_H
#define SCHED_STOP_CPUS_H

#include <stdbool.h>
#include <stdint.h>

/* Make every other CPU switch to its idle task and stay there until
 * sched_resume_others; only the caller runs meanwhile (interrupt
 * handlers still run). Context: task, may spin with interrupts on; not
 * nested. Return: 0, or -ETIMEDOUT after timeout_ms if a CPU did not come
 * (a task there kept preemption off), and then nothing is stopped. */
int sched_stop_others(unsigned timeout_ms);
void sched_resume_others(void);
/* Return: true if the caller has the other CPUs stopped (or there is one
 * CPU). Context: task. */
bool sched_stopper_is_me(void);

struct stop_stats {
	uint64_t stops;                 /* sched_stop_others that stopped */
	uint64_t cycles;                /* TSC cycles until all had stopped */
	uint64_t max_cycles;
};
extern struct stop_stats stop_stats;

#endif
