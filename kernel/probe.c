/*
 * kernel/probe.c: named places and their subscribers (see <kernel/probe.h>).
 *
 * The table only grows, at boot (each subscriber's initcall), so probe()
 * reads it without a lock: a subscriber is published by storing its
 * pointer before raising nsubs.
 */
#include <kernel/probe.h>
#include <kernel/arch.h>
#include <kernel/init.h>
#include <kernel/lib/errno.h>
#include <kernel/panic.h>
#include <kernel/trap.h>

static probe_fn subs[PROBE_SUBSCRIBERS_MAX];
static volatile unsigned nsubs;         /* [irq] only grows */
static volatile unsigned armed;         /* [irq] probe_arm() - disarm() */
static struct probe_spin spin = { .go = 1 };    /* PROBE_SPIN's */

void probe_arm(void)
{
	uint32_t f = irq_save();

	armed++;
	irq_restore(f);
}

void probe_disarm(void)
{
	uint32_t f = irq_save();

	assert(armed > 0);
	armed--;
	irq_restore(f);
}

int probe_subscribe(probe_fn fn)
{
	uint32_t f = irq_save();
	int err = -ENOSPC;

	assert(fn);
	if (nsubs < PROBE_SUBSCRIBERS_MAX) {
		subs[nsubs] = fn;
		barrier();
		nsubs++;
		err = 0;
	}
	irq_restore(f);
	return err;
}

static void fire(const char *name, struct trap_frame *tf)
{
	unsigned n = nsubs;

	for (unsigned i = 0; i < n; i++)
		subs[i](name, tf);
}

__attribute__((noinline)) void probe(const char *name)
{
	if (armed)
		fire(name, NULL);
}

struct probe_spin *probe_spin_state(void)
{
	return &spin;
}

void probe_spin_hold(bool hold)
{
	if (hold)
		spin.spinning = 0;
	spin.go = !hold;
}

/* int $0x81: EAX holds the name (PROBE_PREEMPT). */
static void probe_trap(struct trap_frame *tf)
{
	if (armed)
		fire((const char *)tf->eax, tf);
}

static int probe_init(void)
{
	trap_set_preempt_point_handler(probe_trap);
	return 0;
}
INITCALL(probe_init, INIT_CORE);
