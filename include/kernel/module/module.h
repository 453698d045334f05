/*
 * <kernel/module/module.h>: the kernel's view of a loaded module.
 *
 * struct module with its lifecycle and lock legend, and the loader's entry
 * points. Modules never include this: to them struct module is opaque and
 * <kernel/module.h> is the whole API.
 */
#ifndef KERNEL_MODULE_MODULE_H
#define KERNEL_MODULE_MODULE_H

#include <kernel/module.h>
#include <kernel/module/modmem.h>

#define MODULE_NAME_MAX 32

/*
 * Lifecycle of a module (states, [module_mutex, irq] in struct module):
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
 *   GONE     memory unmapped and quarantined (kernel/module/modmem.c); the
 *            struct is freed, the grave keeps the name and symbols.
 *
 * Lock legend (the vocabulary is <kernel/locking.h>):
 *   [module_mutex, irq]  changed by a load or an unload (module_mutex) with
 *           interrupts off, so the fault handler, backtraces and the
 *           shell may read the list in any context with interrupts off;
 *   [module_mutex]  changed and read only under module_mutex;
 *   [irq]   changed with interrupts off (counted from any context);
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
	struct module_use *next_in_user;  /* [module_mutex, irq] user->uses */
	struct module_use *next_in_used;  /* [module_mutex, irq] used->users */
};

struct module {
	char name[MODULE_NAME_MAX];     /* [const] */
	enum module_state state;        /* [module_mutex, irq] */
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
	unsigned raw_entries;           /* [irq] notifiers registered now */
	enum module_counting counting;  /* [const] */
	struct module *next;            /* [module_mutex, irq] the list */

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

	struct module_use *uses;        /* [module_mutex, irq] we use theirs */
	struct module_use *users;       /* [module_mutex, irq] they use ours */
	bool delayed;                   /* [module_mutex] on the delayed list */
	bool thread_stuck;              /* [module_mutex] a thread of it
					 * ignored kthread_stop: it stays
					 * (delayed) until the thread exits */
	bool ghost;                     /* [irq] buried, struct still in use */
	struct module *next_ghost;      /* unloadd.c's lists: [module_mutex]
					 * the delayed list, [irq] ghosts */
	uint64_t unload_tick;           /* [module_mutex] when it was buried */
	unsigned kthreads;              /* [irq] live tasks with owner == this,
					 * kept by module_ref.c's thread_get/put
					 * (sched calls them at create and after
					 * the reap) */
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
/* Boundary entries refused because the module was going away or its
 * gate was closed, since boot. [irq] */
extern unsigned module_gate_refusals;
/* Modules loaded since boot; unloaded since boot. [module_mutex] */
extern unsigned module_loads, module_unloads;

/* gdb breaks here (scripts/gdb_modules.py): after a module is placed and
 * relocated, before init runs; and just before its memory is freed. */
void module_loaded_hook(struct module *mod);
void module_unloaded_hook(struct module *mod);
#endif
