/*
 * <kernel/init.h>: init calls, run once by kmain in level order.
 *
 * A subsystem registers its own start-up instead of being added to a list
 * in kmain: INITCALL(sched_setup, INIT_CORE). Levels run after memory and
 * interrupts are up and before the shell starts; within a level, in link
 * order. An init call returns 0 or a negative error (which is logged).
 */
#ifndef KERNEL_INIT_H
#define KERNEL_INIT_H

#define INIT_CORE   1   /* scheduler, sync */
#define INIT_SUBSYS 2   /* kthreads, reaper, freezer, watchdog, timers */
#define INIT_LATE   3   /* module loader, services, race scenarios */

struct initcall {
	int (*fn)(void);
	const char *name;
};

#define INITCALL__(fn, level)                                              \
	static const struct initcall __initcall_##fn                       \
	__attribute__((used, section(".initcall." #level),                 \
		       aligned(4))) = { fn, #fn }
#define INITCALL_(fn, level) INITCALL__(fn, level)
#define INITCALL(fn, level) INITCALL_(fn, level)

#endif
