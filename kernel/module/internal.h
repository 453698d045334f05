/*
 * kernel/module/internal.h: what the module loader's files share, and nobody
 * else needs (kernel/module/module.c, module_meta.c, module_ref.c).
 */
#ifndef KERNEL_MODULE_PRIV_H
#define KERNEL_MODULE_PRIV_H

#include <kernel/module/elf.h>
#include <kernel/ksyms.h>
#include <kernel/module/module.h>

/* True if addr lies in m's mapped memory. */
bool module_contains(const struct module *m, uintptr_t addr);
/* The module other than self that exports name (any state), with *addr
 * set; NULL if none. Caller holds the module list lock. */
struct module *module_export_locked(const char *name, uintptr_t *addr,
				    const struct module *self);
/* Record that user uses used. Return: 0 or -ENOMEM. Caller holds the
 * lock. */
int module_add_use_locked(struct module *user, struct module *used);

/* Read hooks, .modinfo, .modparams, exports, and build the symbol table.
 * Return: 0 or an error with a sentence in msg. */
int module_read_sections(struct module *m, const struct elf_file *ef,
			 const uint32_t *sec_off, char *msg, size_t len);
/* Apply insmod's key=value words. Return: 0 or an error (msg). */
int module_set_params(struct module *m, int argc, char **argv, char *msg,
		      size_t len);
/* ksyms resolver for live modules: "sym+0xoff [NAME]". */
bool module_sym_resolve(uintptr_t addr, struct ksym *out);

/* Run a start hook (or a stop hook, start == NULL) under a fault catch.
 * Return: the hook's result, -EFAULT if it faulted. Context: task. */
int module_call_hook(struct module *m, module_start_fn start,
		     module_stop_fn stop);
/* Withdraw whatever the module left registered after unregister. */
void module_withdraw_leftovers(struct module *m);
/* Free a module whose code may have run: GONE, memory unmapped and
 * quarantined, unlinked; the struct goes when nothing refers to it. */
void module_bury(struct module *m);
/* The struct's last step (kernel/module/unload.c): freed now, or kept as a ghost
 * until its threads are reaped and its references dropped. */
void unload_release_struct(struct module *m);
/* Held across every load and unload. */
extern struct mutex module_mutex;

#endif
