/*
 * kernel/race/stress_trace.c: the seeded stress scheduler's decisions.
 *
 * Interface (<kernel/race/stress.h>): stress_sched_print_trace,
 * stress_sched_decisions, stress_sched_trace_hash; stress_sched.c records
 * (internal.h). Every decision (who decided, at which point, who got the
 * baton) goes into a ring of the last TRACE_LEN, printed on a failure,
 * and into a hash of all of them, which is how a replay is compared.
 *
 * Lock: interrupts off (one CPU), as the baton it records.
 */
#include <kernel/race/stress.h>
#include <kernel/locking.h>
#include <kernel/lib/string.h>
#include <kernel/printk.h>
#include "internal.h"

#define TRACE_LEN 48

struct decision {
	unsigned long step;
	char who[16];
	char point[20];                 /* a copy: module strings go away */
	char next[16];
};

static unsigned long steps;                     /* [irq] decisions taken */
static uint32_t trace_hash;                     /* [irq] of every decision */
static struct decision trace[TRACE_LEN];        /* [irq] a ring */

void stress_trace_reset(void)
{
	steps = 0;
	trace_hash = 2166136261u;       /* FNV-1a's offset basis */
}

/* FNV-1a over s and its terminating NUL (so "ab","c" != "a","bc"). */
static uint32_t hash_str(uint32_t h, const char *s)
{
	do {
		h ^= (uint8_t)*s;
		h *= 16777619u;
	} while (*s++);
	return h;
}

void stress_trace_record_irqoff(const char *who, const char *point,
				const char *next)
{
	struct decision *d = &trace[steps % TRACE_LEN];

	assert_irqs_off();
	/* Keep the trace as it was at the first failure: what led to it. */
	if (stress_stats.failure[0])
		return;
	d->step = steps++;
	kstrlcpy(d->who, who, sizeof(d->who));
	kstrlcpy(d->point, point, sizeof(d->point));
	kstrlcpy(d->next, next, sizeof(d->next));
	/* The ring keeps the last TRACE_LEN; the hash, all of them, as
	 * recorded (the same truncated names). */
	trace_hash = hash_str(hash_str(hash_str(trace_hash, d->who),
				       d->point), d->next);
}

void stress_sched_print_trace(void)
{
	unsigned long first = steps > TRACE_LEN ? steps - TRACE_LEN : 0;

	kprintf("# decision trace up to the failure (last %lu of %lu, oldest "
		"first):\n", steps - first, steps);
	for (unsigned long s = first; s < steps; s++) {
		const struct decision *d = &trace[s % TRACE_LEN];

		kprintf("#   %6lu %-10s at %-16s -> %s\n", d->step, d->who,
			d->point, d->next);
	}
}

unsigned long stress_sched_decisions(void)
{
	return steps;
}

uint32_t stress_sched_trace_hash(void)
{
	return trace_hash;
}
