/*
 * kernel/module/leftovers.c: what a module forgot to withdraw.
 *
 * After unregister (or a failed start) nothing may still point into the
 * module. A module that forgot a command, a service, a timer or a
 * notifier gets one warning per kind, naming it, and the core withdraws
 * it, so a student's slip becomes a message, not a use-after-free.
 * Registrations with owner NULL never get this far: the registry refuses
 * them (shell check hook, service.c, timer.c), since nothing could say
 * whose they are.
 */
#include <kernel/module/module.h>
#include "internal.h"

struct owned {
	const struct module *owner;
	const struct command *found;
};

static bool find_owned_command(const struct command *c, void *arg)
{
	struct owned *o = arg;

	if (c->owner != o->owner)
		return true;
	o->found = c;
	return false;
}

/* After unregister, nothing may still point into the module. A module
 * that forgot something gets a warning and the core withdraws it, so a
 * student's bug becomes a message, not a use-after-free. */
void module_withdraw_leftovers(struct module *m)
{
	struct owned o = { m, NULL };
	unsigned n;

	for (;;) {
		o.found = NULL;
		shell_for_each(find_owned_command, &o);
		if (!o.found)
			break;
		pr_warn("module %s: command '%s' still registered after "
			"unregister; withdrawn", m->name, o.found->name);
		shell_unregister((struct command *)o.found);
	}
	n = service_withdraw_owner(m);
	if (n)
		pr_warn("module %s: %u service(s) still registered after "
			"unregister; withdrawn", m->name, n);
	n = timer_withdraw_owner(m);
	if (n)
		pr_warn("module %s: %u timer(s) still pending after "
			"unregister; cancelled", m->name, n);
	n = notifier_withdraw_owned(m);
	if (n)
		pr_warn("module %s: %u notifier(s) still registered after "
			"unregister; taken off the chain", m->name, n);
}
