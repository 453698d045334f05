/*
 * kernel/module/timer.c: one-shot timers (see <kernel/module/timer.h>).
 *
 * Interface: timer_add, timer_del, timer_withdraw_owner. A timer whose
 * callback lies in a module but whose owner is NULL is refused. The
 * pending list is unsorted (O(n) per tick; there are a handful of timers). The tick
 * hook takes each expired timer off the list, then calls it through the
 * module boundary: a reference is held for the call, and a going
 * module's timer is dropped instead of called.
 */
#include <kernel/module/timer.h>
#include <kernel/locking.h>
#include <kernel/module/module.h>
#include <kernel/arch.h>
#include <kernel/init.h>
#include <kernel/ksyms.h>
#include <kernel/trap.h>
#include <drivers/pit.h>

static struct timer *pending;           /* [irq] */

static void unlink_irqoff(struct timer *t)
{
	assert_irqs_off();
	for (struct timer **pp = &pending; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	t->pending = false;
}

/* A timer with no owner whose callback is a module's: the tick would call
 * it without a reference, and after the unload into freed memory. */
static bool owner_missing(const struct timer *t)
{
	struct module *m;
	char sym[96];

	if (t->owner)
		return false;
	m = module_of_addr((uintptr_t)t->fn);
	if (!m)
		m = module_of_addr((uintptr_t)t);
	if (!m)
		return false;
	ksyms_format((uintptr_t)t->fn, sym, sizeof(sym));
	pr_warn("module %s: timer %s registered with owner NULL; refused "
		"(TIMER_INIT sets THIS_MODULE)", m->name, sym);
	return true;
}

int timer_add(struct timer *t, uint32_t ms)
{
	uint64_t delay = ms_to_ticks(ms);
	uint32_t f;

	if (owner_missing(t))
		return -EINVAL;
	f = irq_save();

	if (t->pending)
		unlink_irqoff(t);
	t->expires = ticks + (delay ? delay : 1);
	t->pending = true;
	t->next = pending;
	pending = t;
	irq_restore(f);
	return 0;
}

bool timer_del(struct timer *t)
{
	uint32_t f = irq_save();
	bool was = t->pending;

	if (was)
		unlink_irqoff(t);
	irq_restore(f);
	return was;
}

unsigned timer_withdraw_owner(struct module *owner)
{
	uint32_t f = irq_save();
	unsigned n = 0;

	for (struct timer *t = pending, *next; t; t = next) {
		next = t->next;
		if (t->owner == owner) {
			unlink_irqoff(t);
			n++;
		}
	}
	irq_restore(f);
	return n;
}

/* Context: the timer IRQ, interrupts off. */
static void timer_tick(struct trap_frame *tf)
{
	struct timer *t;

	for (;;) {
		for (t = pending; t && t->expires > ticks; t = t->next)
			;
		if (!t)
			return;
		unlink_irqoff(t);
		if (!module_enter(t->owner))
			continue;       /* going: the module withdraws it */
		if (t->owner)
			module_callback_begin(t->owner);
		t->fn(t);
		if (t->owner)
			module_callback_end(t->owner);
		module_leave(t->owner);
	}
}

static int timer_setup(void)
{
	pit_add_tick_hook(timer_tick);
	return 0;
}
INITCALL(timer_setup, INIT_SUBSYS);
