/*
 * <mm/failalloc.h>: fault injection for the kernel's allocators.
 *
 * Every allocation the kernel makes goes through one of three doors:
 * kmalloc (the heap), pmm_alloc (physical frames) and vmap_alloc (a range
 * of the vmap area, for stacks). Each door asks failalloc_check() first;
 * when an injection is armed and the allocating task is in its scope, the
 * door may be told to fail, and returns NULL (or 0) exactly as it would
 * when memory is really exhausted. Callers cannot tell the difference,
 * which is the point: every error path that "cannot happen" in a test
 * run can be made to happen, one allocation at a time.
 *
 * What fails (struct failalloc_spec):
 *   nth=N        the Nth allocation seen in scope, and only that one
 *   p=0.05       every allocation with probability p (a seeded generator,
 *                splitmix64: the same seed fails the same allocations of
 *                the same run)
 *   kind=heap,frame,vmap   which doors count (default: all three)
 *
 * Where (the scope): a task and every task it creates while the
 * injection is armed (a command that starts a kernel thread or an unload
 * task takes its children along), and nothing else: the reaper, the
 * watchdog and every other thread allocate normally. The scope is a word
 * in struct task, copied from creator to child by task_alloc; sched
 * answers "the current task's word" through failalloc_current_scope,
 * since mm may not look at tasks.
 *
 * When: the console arms the next command typed (`failalloc nth=3`, then
 * `insmod hello`: the shell's command hook arms it when the command
 * starts, and disarms it with a report line when it ends), or a task by
 * id (`--task=ID`) until `failalloc off`; the boot option
 * `failalloc=nth:3,kind:heap` arms the first command run at boot.
 *
 * Lifecycle: OFF --arm_next--> PENDING --command_begin--> ARMED
 *            OFF --arm_task-----------------------------> ARMED
 *            ARMED --disarm (or command_end)--> OFF, with a report
 *
 * Allocations from interrupt handlers never fail: the interrupted task is
 * not the one allocating.
 * Lock: interrupts off around the state (one CPU).
 */
#ifndef MM_FAILALLOC_H
#define MM_FAILALLOC_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum failalloc_kind {
	FAILALLOC_HEAP,         /* kmalloc, kzalloc, kstrdup */
	FAILALLOC_FRAME,        /* pmm_alloc */
	FAILALLOC_VMAP,         /* vmap_alloc (its frames count as frames) */
	FAILALLOC_KINDS
};
#define FAILALLOC_ALL ((1u << FAILALLOC_KINDS) - 1)

struct failalloc_spec {
	uint32_t nth;           /* fail the nth allocation (1-based); 0: no */
	uint32_t ppm;           /* or fail with this probability, per 10^6 */
	uint64_t seed;          /* of the generator for ppm */
	unsigned kinds;         /* bit per enum failalloc_kind */
};

/* What an armed injection saw, for the report and the sweep. */
struct failalloc_report {
	uint32_t seen;          /* allocations in scope */
	uint32_t failed;        /* of those, failed on purpose */
	enum failalloc_kind first_kind;
	size_t first_size;      /* bytes (heap) or pages (vmap), 1 (frame) */
	uintptr_t first_site;   /* the caller of the allocator */
	uintptr_t first_site2;  /* and its caller */
	int first_task;         /* id of the task that was refused */
};

/* The return address of the caller's caller, through the frame pointers
 * (every kernel and module function keeps one): for reports only. */
#define FAILALLOC_CALLER2() __extension__({                                  \
	const uintptr_t *fp_ = __builtin_frame_address(0);                 \
	fp_ = (const uintptr_t *)fp_[0];                                   \
	fp_ ? fp_[1] : 0; })

/* Nonzero while an injection is armed: the doors' fast path. [a] */
extern volatile bool failalloc_armed;

bool failalloc_should_fail(enum failalloc_kind kind, size_t size,
			   uintptr_t site, uintptr_t site2);

/*
 * The doors' question: should this allocation fail? site is the caller
 * of the allocator (for the report). Return: true to fail it.
 * Context: any; never sleeps; false from interrupt handlers.
 */
static inline bool failalloc_check(enum failalloc_kind kind, size_t size,
				   uintptr_t site, uintptr_t site2)
{
	return failalloc_armed && failalloc_should_fail(kind, size, site,
							site2);
}

/*
 * Parse "nth=3 kind=heap,frame" or "p=0.01 seed=7" (the boot option's
 * form uses ':' and ',': "nth:3,kind:heap"). Return: 0, or -EINVAL with
 * a sentence in err.
 */
int failalloc_parse(const char *text, struct failalloc_spec *spec,
		    char *err, size_t len);
/* Format spec as the console would take it. */
void failalloc_format(const struct failalloc_spec *spec, char *buf,
		      size_t len);

/* Arm spec for the task whose scope word is root_scope, and the tasks it
 * creates from now on, until failalloc_disarm. Replaces any armed
 * injection. Context: task. */
void failalloc_arm(const struct failalloc_spec *spec, uint32_t *root_scope);
/* Arm spec for the next console command (see shell_command_hook). */
void failalloc_arm_next(const struct failalloc_spec *spec);
/* Disarm; *rep (may be NULL) gets what the injection saw.
 * Return: true if something was armed or pending. */
bool failalloc_disarm(struct failalloc_report *rep);
/* Return: true while armed; *spec (may be NULL) gets the spec, *rep the
 * counts so far. */
bool failalloc_status(struct failalloc_spec *spec,
		      struct failalloc_report *rep, bool *pending);

/*
 * Set by sched at boot: the current task's scope word, and its id in *id
 * (for the report). Context: any; never sleeps.
 */
extern uint32_t *(*failalloc_current_scope)(int *id);

/* Print "failalloc: ... seen N, failed M, first: ..." for rep. */
void failalloc_print_report(const struct failalloc_report *rep);
#endif
