/*
 * modules/race_notify.c: a notifier on the event chain, for races R11, R12,
 * R16 and R17.
 *
 * The core calls a notifier without taking any reference on its module
 * (<kernel/module/notifier.h>): a task inside this module through the
 * event chain is counted nowhere. Only a look at the task itself can find
 * it, and each of these two events leaves exactly one look that can:
 *
 *   R11  event 11: sleeps in a kernel function called from here. Its EIP
 *        is in the scheduler; one return address is in this module: only
 *        the stack scan sees it.
 *   R12  event 12: stopped at an instruction of this module, as if
 *        preempted. Its EIP is here, every return address is in the core:
 *        only the EIP check sees it.
 *
 * Two more are for a multiprocessor, the caller on another CPU than the
 * unload:
 *
 *   R16  event 16: *running* here (PROBE_SPIN), neither asleep nor
 *        preempted: nothing of it is saved anywhere until its CPU is
 *        made to stop it (the freeze's IPI, the stop for the scan).
 *   R17  event 17: as R11, asleep in the kernel under a return address
 *        here, after touching this module's code and data: its CPU keeps
 *        their translations in its TLB while it sleeps.
 *
 * Any other event just counts. From the console: `notify 11`.
 */
#include <kernel/module.h>

MODULE_DESCRIPTION("a notifier the core calls without a reference, for "
		   "races R11, R12, R16 and R17");
MODULE_AUTHOR("Quiesce");
MODULE_LICENSE("GPL");

static volatile unsigned events;

static __attribute__((noinline)) int on_event(struct notifier *nb,
					      uint32_t event, void *data)
{
	if (event == 11)
		probe("R11.asleep");            /* asleep in the kernel */
	else if (event == 12)
		PROBE_PREEMPT("R12.preempted"); /* stopped right here */
	else if (event == 16)
		PROBE_SPIN("R16.running");      /* running right here */
	events++;
	if (event == 17)
		probe("R17.asleep");            /* asleep, pages in its TLB */
	return 0;
}

static struct notifier race_nb = NOTIFIER_INIT(on_event);

static int race_notify_register(void)
{
	return notifier_register(&race_nb);
}

static void race_notify_unregister(void)
{
	notifier_unregister(&race_nb);
}

MODULE_REGISTER(race_notify_register);
MODULE_UNREGISTER(race_notify_unregister);
