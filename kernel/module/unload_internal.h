/*
 * kernel/module/unload_internal.h: shared by kernel/module/unload.c and kernel/module/quiesce.c.
 */
#ifndef KERNEL_UNLOAD_PRIV_H
#define KERNEL_UNLOAD_PRIV_H

#include <kernel/module/unload.h>
#include <sched/waitqueue.h>

struct module;

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

#endif
