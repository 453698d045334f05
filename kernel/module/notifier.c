/*
 * kernel/module/notifier.c: the event chain (see <kernel/module/notifier.h>).
 *
 * Each registered notifier counts on its owner (module->raw_entries), not
 * to pin it but so that an unload knows the module has an entry no count
 * can see. A call walks the chain one link at a time with interrupts off
 * to find the next notifier, and calls it with interrupts on.
 */
#include <kernel/module/module.h>
#include <kernel/module/notifier.h>
#include <kernel/arch.h>
#include <kernel/lib/errno.h>
#include <kernel/lib/parse.h>
#include <kernel/locking.h>
#include <kernel/printk.h>
#include <kernel/shell.h>

static struct notifier *chain;          /* [irq] newest first */

static void owner_count_irqoff(struct module *owner, int delta)
{
	assert_irqs_off();
	if (owner) {
		assert(delta > 0 || owner->raw_entries > 0);
		owner->raw_entries += delta;
	}
}

int notifier_register(struct notifier *nb)
{
	uint32_t f;

	if (!nb || !nb->call)
		return -EINVAL;
	f = irq_save();
	for (struct notifier *n = chain; n; n = n->next)
		if (n == nb) {
			irq_restore(f);
			return -EEXIST;
		}
	nb->next = chain;
	chain = nb;
	owner_count_irqoff(nb->owner, 1);
	irq_restore(f);
	return 0;
}

/* Unlink nb if it is on the chain. Return: true if it was. */
static bool unlink_irqoff(struct notifier *nb)
{
	assert_irqs_off();
	for (struct notifier **pp = &chain; *pp; pp = &(*pp)->next)
		if (*pp == nb) {
			*pp = nb->next;
			owner_count_irqoff(nb->owner, -1);
			return true;
		}
	return false;
}

void notifier_unregister(struct notifier *nb)
{
	uint32_t f = irq_save();

	unlink_irqoff(nb);
	irq_restore(f);
}

unsigned notifier_withdraw_owned(struct module *mod)
{
	unsigned n = 0;
	uint32_t f = irq_save();

	for (struct notifier *nb = chain, *next; nb; nb = next) {
		next = nb->next;
		if (nb->owner == mod && unlink_irqoff(nb))
			n++;
	}
	irq_restore(f);
	return n;
}

/* The notifier after prev on the chain now (the first if prev is NULL);
 * NULL if prev has left the chain meanwhile, or at the end. */
static struct notifier *next_after(struct notifier *prev)
{
	struct notifier *n;
	uint32_t f = irq_save();

	if (!prev) {
		n = chain;
	} else {
		for (n = chain; n && n != prev; n = n->next)
			;
		n = n ? n->next : NULL;
	}
	irq_restore(f);
	return n;
}

__attribute__((noinline)) unsigned notify_event(uint32_t event, void *data)
{
	unsigned called = 0;

	for (struct notifier *nb = next_after(NULL); nb;
	     nb = next_after(nb)) {
		nb->call(nb, event, data);      /* no reference: raw entry */
		called++;
	}
	return called;
}

static int cmd_notify(int argc, char **argv)
{
	uint32_t event;

	if (argc != 2 || parse_u32(argv[1], &event))
		return cmd_error(-EINVAL, "usage: notify EVENT (a number)");
	kprintf("notify: event %lu reached %u notifier(s)\n",
		(unsigned long)event, notify_event(event, NULL));
	return 0;
}
COMMAND(notify, "notify", "EVENT",
	"call every registered notifier with EVENT (no reference taken)",
	cmd_notify);
