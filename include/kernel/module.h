/*
 * <kernel/module.h>: loadable modules. The only header a module includes.
 *
 * A module is one ELF32 relocatable object (build/modules/NAME.ko), built
 * from modules/NAME.c with -fno-pic -fno-common -DQUIESCE_MODULE and
 * linked with `ld -r`. It links only against exported symbols (the kernel
 * API below, whose entries are in kernel/module/exports.c, and other modules'
 * EXPORT_SYMBOLs). A minimal module:
 *
 *	#include <kernel/module.h>
 *
 *	MODULE_DESCRIPTION("says hello");
 *	MODULE_AUTHOR("a student");
 *	MODULE_LICENSE("GPL");
 *
 *	static int hello_init(void) { pr_info("hello"); return 0; }
 *	static void hello_cleanup(void) { pr_info("bye"); }
 *	MODULE_INIT(hello_init);
 *	MODULE_CLEANUP(hello_cleanup);
 *
 * The kernel's own view of a module (struct module, its states and locks)
 * is <kernel/module/module.h>; to a module, struct module is opaque.
 *
 * The four hooks (all optional) split start and stop in two, as the unload
 * protocol needs (seed: "module clean up must be split into two parts"):
 *	init        build structures; nothing visible yet. Return 0 or -E...;
 *	            on failure it must undo its own work.
 *	register    publish interfaces (commands, services, timers). Return
 *	            0 or -E...; on failure cleanup is called.
 *	unregister  withdraw interfaces only; structures stay.
 *	cleanup     destroy structures, release hardware.
 *
 * Metadata: MODULE_DESCRIPTION/AUTHOR/LICENSE/DEPENDS/COUNTING go into the
 * .modinfo section as "key=value" strings (`modinfo NAME` prints them).
 * Parameters: MODULE_PARAM_INT/BOOL/STR; `insmod NAME key=value` sets them
 * before init.
 *
 * Counting (who holds the use count while code runs in the module):
 *	boundary (default): the core takes a reference before it calls into
 *	    the module (command, service, timer) and drops it after return;
 *	self (MODULE_COUNTING("self")): the core does not; the module calls
 *	    MOD_INC_USE_COUNT on entry and MOD_DEC_USE_COUNT on exit, the
 *	    2002 way, with its two windows (entered-not-counted and
 *	    counted-down-not-left) that the race scenarios exploit.
 */
#ifndef KERNEL_MODULE_H
#define KERNEL_MODULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef QUIESCE_MODULE
/* Resolved by the loader to this module's struct module. */
extern struct module __this_module;
#define THIS_MODULE (&__this_module)
#else
#define THIS_MODULE ((struct module *)0)
#endif

/* The exported kernel API (see kernel/module/exports.c for the full list). */
#include <kernel/lib/errno.h>
#include <kernel/module/export.h>
#include <kernel/lib/format.h>
#include <kernel/panic.h>
#include <kernel/lib/parse.h>
#include <kernel/printk.h>
#include <kernel/module/service.h>
#include <kernel/shell.h>
#include <kernel/lib/string.h>
#include <kernel/module/timer.h>
#include <kernel/module/notifier.h>
#include <kernel/probe.h>
#include <drivers/pit.h>
#include <mm/heap.h>
#include <sched/completion.h>
#include <sched/kthread.h>
#include <sched/mutex.h>
#include <sched/reaper.h>
#include <sched/sched.h>

struct module;

/* ---- metadata ---------------------------------------------------------- */
#define MODULE_CAT_(a, b) a##b
#define MODULE_CAT(a, b) MODULE_CAT_(a, b)
#define MODULE_INFO(key, value)                                            \
	static const char MODULE_CAT(__modinfo_, __COUNTER__)[]            \
	__attribute__((used, section(".modinfo"), aligned(1))) =           \
		#key "=" value

#define MODULE_DESCRIPTION(s) MODULE_INFO(description, s)
#define MODULE_AUTHOR(s)      MODULE_INFO(author, s)
#define MODULE_LICENSE(s)     MODULE_INFO(license, s)
/* Modules that must be loaded first, comma separated: "mathlib,foo". */
#define MODULE_DEPENDS(s)     MODULE_INFO(depends, s)
/* "boundary" (default) or "self": see above. */
#define MODULE_COUNTING(s)    MODULE_INFO(counting, s)

/* ---- hooks ------------------------------------------------------------- */
#define MODULE_HOOK_(kind, type, fn)                                       \
	static type const __modhook_##kind                                 \
	__attribute__((used, section(".modhook." #kind), aligned(4))) = fn
typedef int (*module_start_fn)(void);
typedef void (*module_stop_fn)(void);
#define MODULE_INIT(fn)       MODULE_HOOK_(init, module_start_fn, fn)
#define MODULE_REGISTER(fn)   MODULE_HOOK_(register, module_start_fn, fn)
#define MODULE_UNREGISTER(fn) MODULE_HOOK_(unregister, module_stop_fn, fn)
#define MODULE_CLEANUP(fn)    MODULE_HOOK_(cleanup, module_stop_fn, fn)

/* ---- parameters -------------------------------------------------------- */
enum module_param_type { MODULE_PARAM_INT, MODULE_PARAM_BOOL,
			 MODULE_PARAM_STR };

struct module_param {
	const char *name;
	const char *desc;
	uint32_t type;                  /* enum module_param_type */
	void *ptr;                      /* int, bool, or char[size] */
	uint32_t size;
};

#define MODULE_PARAM_(var, t, sz, d)                                       \
	static const struct module_param __modparam_##var                  \
	__attribute__((used, section(".modparams"), aligned(4))) = {       \
		#var, d, t, &var, sz }
/* int var; "insmod m var=-3" (decimal or 0x hex). */
#define MODULE_PARAM_INT(var, desc) \
	MODULE_PARAM_(var, MODULE_PARAM_INT, sizeof(int), desc)
/* bool var; "var=1", "var=0", "var=true", "var=false". */
#define MODULE_PARAM_BOOL(var, desc) \
	MODULE_PARAM_(var, MODULE_PARAM_BOOL, sizeof(bool), desc)
/* char var[N]; a value longer than N-1 characters is refused (E2BIG). */
#define MODULE_PARAM_STR(var, desc) \
	MODULE_PARAM_(var, MODULE_PARAM_STR, sizeof(var), desc)

/* A console command owned by this module; shell_register() it in the
 * register hook and shell_unregister() it in unregister. */
#define MODULE_COMMAND(id, cname, cusage, chelp, cfn)                     \
	static struct command id = { .name = cname, .usage = cusage,       \
		.help = chelp, .fn = cfn, .owner = THIS_MODULE }

/* ---- kernel threads ------------------------------------------------------ */
/*
 * A thread owned by this module, started: the unload protocol knows it as
 * "the module's own thread" (never frozen; stopped and reaped before the
 * module is freed). It runs fn(arg); fn returns (or calls kthread_exit)
 * when kthread_should_stop(). Return: the task, or NULL.
 * The module should hold a reference (task_get) to kthread_stop it later.
 */
#define module_kthread_run(fn, arg, name) \
	kthread_run((fn), (arg), THIS_MODULE, (name))

/* ---- references -------------------------------------------------------- */
/*
 * Take a reference on mod (NULL: the kernel, a no-op). The module cannot be
 * unloaded while it is held. Caller must know mod is live (e.g. it already
 * holds a reference). Context: any.
 */
void module_get(struct module *mod);
/*
 * Take a reference unless mod is going away. Return: true if taken.
 * Context: any.
 */
bool try_module_get(struct module *mod);
/* Drop a reference. Context: any. */
void module_put(struct module *mod);
/* The core's side of boundary counting: enter() before calling into
 * owner, leave() after it returns. enter() is a no-op returning true for
 * the kernel and for self-counting modules. Return: false if owner is
 * going away (do not call). Context: any. */
bool module_enter(struct module *owner);
void module_leave(struct module *owner);
/* The core's brackets around a command or timer callback it runs. */
void module_callback_begin(struct module *mod);
void module_callback_end(struct module *mod);
/* In-module counting, the 2002 way. */
void module_inc_use(struct module *mod);
void module_dec_use(struct module *mod);
#define MOD_INC_USE_COUNT module_inc_use(THIS_MODULE)
#define MOD_DEC_USE_COUNT module_dec_use(THIS_MODULE)
/* Return: the module's name ("kernel" for NULL). Context: any. */
const char *module_name(const struct module *mod);


#endif
