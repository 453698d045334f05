/*
 * kernel/module/exports.c: the kernel API exported to modules, in one place.
 *
 * A module links only against symbols listed with EXPORT_SYMBOL (here, or
 * beside the definition in newer subsystems); the loader refuses any other
 * with "unknown symbol". Declarations are in <kernel/module.h> and the
 * headers it includes. Keeping the foundation's exports in one file makes
 * the ABI easy to read: this is everything a module can call.
 *
 */
#include <kernel/module/module.h>
#include <kernel/lib/parse.h>
#include <drivers/pit.h>

/* console and log */
EXPORT_SYMBOL(printk);
EXPORT_SYMBOL(kprintf);
EXPORT_SYMBOL(ksnprintf);
EXPORT_SYMBOL(kvsnprintf);
EXPORT_SYMBOL(panic);
EXPORT_SYMBOL(errno_name);

/* memory */
EXPORT_SYMBOL(kmalloc);
EXPORT_SYMBOL(kzalloc);
EXPORT_SYMBOL(kfree);
EXPORT_SYMBOL(kstrdup);

/* strings (GCC also emits calls to the mem* functions itself) */
EXPORT_SYMBOL(memcpy);
EXPORT_SYMBOL(memmove);
EXPORT_SYMBOL(memset);
EXPORT_SYMBOL(memcmp);
EXPORT_SYMBOL(strlen);
EXPORT_SYMBOL(strnlen);
EXPORT_SYMBOL(strcmp);
EXPORT_SYMBOL(strncmp);
EXPORT_SYMBOL(strchr);
EXPORT_SYMBOL(strrchr);
EXPORT_SYMBOL(kstrlcpy);
EXPORT_SYMBOL(parse_u32);

/* the shell: module commands */
EXPORT_SYMBOL(cmd_error);
EXPORT_SYMBOL(shell_register);
EXPORT_SYMBOL(shell_unregister);

/* time */
EXPORT_SYMBOL(ticks_read);
EXPORT_SYMBOL(pit_ms);

/* entry paths: services and timers */
EXPORT_SYMBOL(service_register);
EXPORT_SYMBOL(service_unregister);
EXPORT_SYMBOL(service_get);
EXPORT_SYMBOL(service_put);
EXPORT_SYMBOL(service_call);
EXPORT_SYMBOL(timer_add);
EXPORT_SYMBOL(timer_del);

/* kernel threads, sleeping, synchronisation */
EXPORT_SYMBOL(kthread_create);
EXPORT_SYMBOL(kthread_run);
EXPORT_SYMBOL(kthread_start);
EXPORT_SYMBOL(kthread_stop);
EXPORT_SYMBOL(kthread_stop_timeout);
EXPORT_SYMBOL(kthread_should_stop);
EXPORT_SYMBOL(kthread_exit);
EXPORT_SYMBOL(task_get);
EXPORT_SYMBOL(task_put);
EXPORT_SYMBOL(reaper_add_exit_hook);
EXPORT_SYMBOL(sleep_ms);
EXPORT_SYMBOL(sched_yield);
EXPORT_SYMBOL(try_to_freeze);
EXPORT_SYMBOL(mutex_init);
EXPORT_SYMBOL(mutex_lock);
EXPORT_SYMBOL(mutex_unlock);
EXPORT_SYMBOL(completion_init);
EXPORT_SYMBOL(complete);
EXPORT_SYMBOL(complete_all);
EXPORT_SYMBOL(wait_for_completion);
EXPORT_SYMBOL(wait_for_completion_timeout);

/* probes, for the race and stress modules (<kernel/probe.h>) */
EXPORT_SYMBOL(probe);
EXPORT_SYMBOL(probe_spin_state);

/* the event chain: raw entry, no reference (<kernel/module/notifier.h>) */
EXPORT_SYMBOL(notifier_register);
EXPORT_SYMBOL(notifier_unregister);
EXPORT_SYMBOL(notify_event);

/* references */
EXPORT_SYMBOL(module_get);
EXPORT_SYMBOL(try_module_get);
EXPORT_SYMBOL(module_put);
EXPORT_SYMBOL(module_inc_use);
EXPORT_SYMBOL(module_dec_use);
EXPORT_SYMBOL(module_name);
