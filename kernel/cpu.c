/*
 * kernel/cpu.c: the per-CPU data (<kernel/cpu.h>).
 */
#include <kernel/cpu.h>

extern struct task idle_task;   /* sched/sched.c: CPU 0's idle task */

/* CPU 0's is valid from the first instruction of kmain: gdt_init loads
 * %fs with it before anything reads `current`. */
struct cpu cpus[MAX_CPUS] = {
	[0] = { .self = &cpus[0], .cur_task = &idle_task, .idle = &idle_task,
		.online = true },
};
unsigned cpu_count = 1;
volatile unsigned cpus_online = 1;
