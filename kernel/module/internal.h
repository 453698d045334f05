/*
 * kernel/module/internal.h: what the files of the module subsystem share,
 * and nobody outside it needs.
 */
#ifndef KERNEL_MODULE_INTERNAL_H
#define KERNEL_MODULE_INTERNAL_H

#include <kernel/module/elf.h>
#include <kernel/ksyms.h>
#include <kernel/module/module.h>
#include <kernel/module/unload.h>
#include <sched/waitqueue.h>

/* True if addr lies in m's mapped memory. */
bool module_contains(const struct module *m, uintptr_t addr);
/* The module other than self that exports name (any state), with *addr
 * set; NULL if none. Caller has interrupts off (the module list). */
struct module *module_export_irqoff(const char *name, uintptr_t *addr,
				    const struct module *self);
/* Record that user uses used. Return: 0 or -ENOMEM. Caller holds
 * module_mutex, interrupts off. */
int module_add_use_irqoff(struct module *user, struct module *used);

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
/* The struct's last step (kernel/module/unloadd.c): freed now, or kept as a
 * ghost until its threads are reaped and its references dropped. */
void unload_release_struct(struct module *m);
/* Held across every load and unload. */
extern struct mutex module_mutex;


/* ---- the unload protocol (unload.c, quiesce.c, unloadd.c) ------------- */

/* Woken whenever a count of any module drops (module_ref_dropped). */
extern struct wait_queue unload_wq;


/*
 * Step 3 of the two-phase protocol: make sure nothing executes module
 * code. Never freezes the caller or the module's threads; stops those
 * threads and waits until each is reaped; waits for callbacks in flight;
 * freezes the rest (preemptively: freezing is preemption), scans every
 * task's EIP and return addresses and the boundary's entry windows;
 * thaws. Return: 0 if the module is quiet, -EBUSY if a task is inside
 * (req->found_inside says how many), -ETIMEDOUT if a bounded wait ran
 * out; req->msg says why. Context: task, module_mutex held.
 */
int quiesce_module(struct module *m, struct unload_req *r);

/* Part a alone: stop the module's threads, wait until reaped. */
int quiesce_module_threads(struct module *m, struct unload_req *r);

/* The EIP a frozen or sleeping task would resume at: the interrupted
 * instruction if it was preempted, else its saved EIP (in the scheduler,
 * for a task that went to sleep). What the eip strategy looks at. */
uintptr_t quiesce_saved_eip(struct task *t);

/* Step 5: cleanup, then free. Return: 0, or -EFAULT if cleanup faulted
 * (the module stays GOING). Context: task, module_mutex held, m GOING. */
int unload_finish(struct module *m, struct unload_req *r);
/* Put m on the delayed list and kick unloadd. Context: task,
 * module_mutex held, m GOING. */
void unloadd_add(struct module *m);

#endif
