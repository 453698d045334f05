/*
 * <kernel/module/notifier.h>: the event chain, a raw entry into modules.
 *
 * A notifier is a function the core calls when an event happens, the way
 * 2.4's notifier_chain_register worked: the core takes no reference on the
 * module behind the function, before or during the call. Nothing at the
 * boundary counts a task that is inside through this path; only a look
 * at the task itself (its EIP, its return addresses) can find it. That is
 * why the refcount strategy refuses to unload a module with a registered
 * notifier (raw-entry) and why twophase's scan exists (races R11, R12).
 *
 *	static int on_event(struct notifier *nb, uint32_t event, void *data);
 *	static struct notifier nb = NOTIFIER_INIT(on_event);
 *	notifier_register(&nb);         (in the module's register hook)
 *	notifier_unregister(&nb);       (in its unregister hook)
 *
 *	notify_event(11, NULL);         (the core: every notifier, in turn)
 *
 * Lock: the chain is changed and walked with interrupts off; the call
 * itself runs with interrupts on and may sleep, so a notifier unregistered
 * during a call still has that call running: the hazard on purpose.
 */
#ifndef KERNEL_MODULE_NOTIFIER_H
#define KERNEL_MODULE_NOTIFIER_H

#include <stdint.h>

struct module;

struct notifier {
	int (*call)(struct notifier *nb, uint32_t event, void *data);
	struct module *owner;           /* [const] counted, never pinned */
	struct notifier *next;          /* [irq] the chain */
};

#define NOTIFIER_INIT(fn) { .call = (fn), .owner = THIS_MODULE }

/* Add nb to the chain. Return: 0, -EEXIST if it is there already,
 * -EINVAL without a function. Context: task. */
int notifier_register(struct notifier *nb);
/* Take nb off the chain; a call already running goes on. Context: task. */
void notifier_unregister(struct notifier *nb);
/* Call every notifier with event, newest first, without any reference.
 * Return: how many were called. Context: task, may sleep. */
unsigned notify_event(uint32_t event, void *data);
/* Take off every notifier owned by mod (unload's leftovers). Return: how
 * many there were. Context: task. */
unsigned notifier_withdraw_owned(struct module *mod);

#endif
