/*
 * <kernel/module.h>: loadable modules. The only header a module includes.
 *
 * A module is one ELF32 relocatable object (build/modules/NAME.ko), built
 * from modules/NAME.c with -fno-pic -fno-common -DQUIESCE_MODULE and
 * linked with `ld -r`. It links only against exported symbols (the kernel
 * API below, whose entries are in kernel/exports.c, and other modules'
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

/* The exported kernel API (see kernel/exports.c for the full list). */
#include <kernel/errno.h>
#include <kernel/export.h>
#include <kernel/format.h>
#include <kernel/panic.h>
#include <kernel/parse.h>
#include <kernel/printk.h>
#include <kernel/service.h>
#include <kernel/shell.h>
#include <kernel/string.h>
#include <kernel/timer.h>
#include <kernel/race.h>
#include <drivers/pit.h>
#include <mm/heap.h>
#include <sched/completion.h>
#include <sched/kthread.h>
#include <sched/mutex.h>
#include <sched/reaper.h>
#include <sched/sched.h>
#include <sched/task.h>

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

/* Everything below is the kernel's view; modules see struct module as an
 * opaque type. */
#ifndef QUIESCE_MODULE
#include <kernel/modmem.h>

#define MODULE_NAME_MAX 32

/*
 * Lifecycle of a module (states, [L] in struct module):
 *
 *  (file) -insmod-> LOADING -init ok-> COMING -register ok-> LIVE
 *                     |                  |                    |
 *              bad file/symbol    init or register     rmmod: refs 0,
 *                     |           failed (unwound)       no users
 *                     v                  v                    v
 *               (freed, no          GONE  <--cleanup--  GOING
 *                code ran)        (a grave)          (unregister)
 *
 *   LOADING  memory placed and relocated; no module code has run.
 *   COMING   init/register running; try_module_get() succeeds (init may
 *            hand out references) but rmmod refuses.
 *   LIVE     interfaces published; callers come and go.
 *   GOING    unregister/cleanup running; try_module_get() fails, so no
 *            new caller enters through the boundary.
 *   GONE     memory unmapped and quarantined (kernel/modmem.c); the
 *            struct is freed, the grave keeps the name and symbols.
 *
 * Lock legend:
 *   [L]     module_mutex (load, unload) and interrupts off for the list
 *           (readers in any context; module.c, "LOCK").
 *   [irq]   changed with interrupts off (counted from any context).
 *   [const] set while LOADING, then read-only.
 */
enum module_state { MODULE_LOADING, MODULE_COMING, MODULE_LIVE,
		    MODULE_GOING, MODULE_GONE };
enum module_counting { MODULE_COUNT_BOUNDARY, MODULE_COUNT_SELF };

/* A symbol of a loaded module, for backtraces and gdb. */
struct module_sym {
	uint32_t addr, size;
	const char *name;               /* into module->strings */
};

/*
 * Where an insmod's cycles went, step by step (rdtsc at each boundary;
 * `bench` reports them):
 *   validate  elf_parse: every header, offset, size and index;
 *   layout    elf_layout, the struct, module memory mapped, bytes copied;
 *   relocate  relocations, the module's own sections, its symbol table,
 *             parameters, text and rodata made read-only;
 *   init      the init and register hooks.
 */
struct module_load_times {
	uint64_t validate, layout, relocate, init;
};

/* A placed section, for gdb's add-symbol-file. */
struct module_section {
	const char *name;               /* into module->strings */
	uint32_t addr;
};

/* "user uses used": an edge in the dependency graph. */
struct module_use {
	struct module *user, *used;
	struct module_use *next_in_user;        /* [L] user->uses */
	struct module_use *next_in_used;        /* [L] used->users */
};

struct module {
	char name[MODULE_NAME_MAX];     /* [const] */
	enum module_state state;        /* [L] */
	/*
	 * Two counts, because the strategies compare two disciplines:
	 * refs is the seed's use count: raised by MOD_INC_USE_COUNT in a
	 * self-counting module, by the core around each call in a boundary
	 * one. core_refs is what a modern core keeps: one reference for
	 * every call in flight and every service held, whatever the module
	 * does. In a boundary module the two are equal.
	 */
	int refs;                       /* [irq] the use count (lsmod) */
	int core_refs;                  /* [irq] the core's references */
	bool gated;                     /* [irq] refuse new references */
	unsigned callbacks;             /* [irq] commands/timers running */
	enum module_counting counting;  /* [const] */
	struct module *next;            /* [L] the module list */

	struct modmem mem;              /* [const] its range in the area */
	uint32_t text, text_size;       /* [const] regions: address, bytes */
	uint32_t rodata, rodata_size;
	uint32_t data, data_size;       /* data and bss */

	module_start_fn init, reg;      /* [const] hooks, NULL if absent */
	module_stop_fn unreg, cleanup;
	const struct module_param *params;      /* [const] in module rodata */
	uint32_t nparams;
	const struct kexport *exports;  /* [const] in module memory */
	uint32_t nexports;
	const char *modinfo;            /* [const] "k=v\0k=v\0" in rodata */
	uint32_t modinfo_size;

	struct module_sym *syms;        /* [const] sorted by address */
	uint32_t nsyms;
	struct module_section *sections;        /* [const] for gdb */
	uint32_t nsections;
	char *strings;                  /* [const] names of both */

	struct module_use *uses;        /* [L] modules whose symbols we use */
	struct module_use *users;       /* [L] modules using ours */
	bool delayed;                   /* [L] marked for delayed delete */
	bool ghost;                     /* [L] buried, struct still referenced */
	struct module *next_ghost;      /* [L] kernel/unload.c's lists */
	uint64_t unload_tick;           /* [L] when it was buried */
	unsigned kthreads;              /* [L] live tasks with owner == this;
					 * kept by sched/kthread.c (later) */
	uint64_t load_cycles;           /* [const] TSC cycles insmod took */
	struct module_load_times load_times;    /* [const] its steps */
	uint64_t load_tick;             /* [const] */
	uint64_t load_switch;           /* [const] sched_switch_count() before
					 * any of its code could run */
};

/*
 * Load the boot file NAME.ko with "key=value" parameters.
 * Return: 0, or a negative error with one sentence in err (beginning with
 * "NAME.ko: "). On error nothing remains: memory, references and
 * dependencies are as before. Context: task (init runs here).
 */
int module_load(const char *name, int argc, char **argv, char *err,
		size_t errlen);
/* The same from an image in memory (tests feed damaged copies). */
int module_load_image(const char *name, const void *img, size_t size,
		      int argc, char **argv, char *err, size_t errlen);
/*
 * Unload a live module: refuse if it is in use (EBUSY, naming users or
 * the count), else unregister, cleanup, free. Return: 0 or an error with
 * a sentence in err. Context: task.
 */
int module_unload(const char *name, char *err, size_t errlen);
/* Return: the module called name (any state), or NULL. Context: any;
 * the pointer is stable only while the caller keeps it from unloading. */
struct module *module_find(const char *name);
/* Return: the module whose memory holds addr, or NULL. Context: any. */
struct module *module_of_addr(uintptr_t addr);
/* Walk the module list under the lock; fn must not sleep. Context: any. */
void module_for_each(void (*fn)(struct module *mod, void *arg), void *arg);
/* Return: the value of "key=" in a .modinfo blob, or NULL.
 * Context: any; pure. */
const char *module_info_get(const char *info, size_t size, const char *key);
/* Return: "loading", "coming", "live", "going", "gone". Context: any. */
const char *module_state_name(enum module_state st);
/* Look a symbol up in the kernel export table (binary search).
 * Return: its address, or 0. Context: any. */
uintptr_t kexport_lookup(const char *name);
/* Modules loaded since boot; unloaded since boot. [L] */
extern unsigned module_loads, module_unloads;

/* gdb breaks here (scripts/gdb_modules.py): after a module is placed and
 * relocated, before init runs; and just before its memory is freed. */
void module_loaded_hook(struct module *mod);
void module_unloaded_hook(struct module *mod);
#endif /* !QUIESCE_MODULE */

#endif
