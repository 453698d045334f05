/*
 * sched/task.c: the task table, task memory, and looking at a task's stack.
 *
 * Interface in <sched/task.h>. Tasks live on one list (task_list) from
 * task_alloc until the reaper marks them DEAD; the struct itself lives
 * until its last reference goes (task_put), so a pointer held across a
 * sleep (kthread_stop, reaper_wait, ps) never dangles.
 *
 * A new task's stack is built to look like a task that called
 * sched_switch() from sched_task_entry(): the first switch to it "returns"
 * there (boot/switch.asm documents the frame).
 */
#include <sched/task.h>
#include <mm/failalloc.h>
#include <sched/sched.h>
#include "internal.h"
#include <kernel/arch.h>
#include <kernel/backtrace.h>
#include <kernel/lib/errno.h>
#include <kernel/lib/format.h>
#include <kernel/ksyms.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/lib/string.h>
#include <kernel/trap.h>
#include <mm/heap.h>
#include <mm/vmm.h>

static int next_id = 1;                 /* [S] 0 is the idle task */
static unsigned ntasks;                 /* [S] tasks in task_list */
static const char *(*owner_name_fn)(struct module *m);
static struct module *(*owner_of_fn)(uintptr_t addr);
static void (*owner_get_fn)(struct module *m),
    (*owner_put_fn)(struct module *m);

static const char *const state_names[] = {
	[TASK_NEW] = "new",             [TASK_RUNNABLE] = "runnable",
	[TASK_RUNNING] = "running",     [TASK_SLEEPING] = "sleeping",
	[TASK_FROZEN] = "frozen",       [TASK_ZOMBIE] = "zombie",
	[TASK_DEAD] = "dead",
};

const char *task_state_name(enum task_state s)
{
	return (unsigned)s <= TASK_DEAD ? state_names[s] : "?";
}

void task_set_owner_name_fn(const char *(*fn)(struct module *m))
{
	owner_name_fn = fn;
}

void task_set_owner_ref_fns(void (*get)(struct module *m),
			    void (*put)(struct module *m))
{
	owner_get_fn = get;
	owner_put_fn = put;
}

void task_set_owner_of_fn(struct module *(*fn)(uintptr_t addr))
{
	owner_of_fn = fn;
}

void task_owner_put(struct task *t)
{
	if (t->owner && owner_put_fn)
		owner_put_fn(t->owner);
}

const char *task_owner_name(struct module *m, char *buf, size_t len)
{
	if (!m)
		return "-";
	if (owner_name_fn)
		return owner_name_fn(m);
	ksnprintf(buf, len, "module@%p", (void *)m);
	return buf;
}

/* Link a task into the table. Caller holds sched_lock. */
static void table_add_locked(struct task *t)
{
	assert_held(&sched_lock);
	t->id = next_id++;
	list_add_tail(&t->all_node, &task_list);
	ntasks++;
}

/* Fault injection's question "whose allocation is this?" (mm/failalloc.c):
 * the current task's scope word. Context: any. */
static uint32_t *current_failalloc_scope(int *id)
{
	*id = current->id;
	return &current->failalloc_scope;
}

void task_table_init(void);
void task_table_init(void)
{
	list_add_tail(&idle_task.all_node, &task_list);
	ntasks++;
	failalloc_current_scope = current_failalloc_scope;
}

struct task *task_alloc(const char *name, int (*fn)(void *), void *arg,
			struct module *owner)
{
	struct task *t = kzalloc(sizeof(*t));
	uintptr_t *sp;
	uint32_t f;

	if (!t)
		return NULL;
	t->stack = vmap_alloc(KSTACK_PAGES);
	if (!t->stack)
		goto free_struct;
	t->stack_size = KSTACK_SIZE;
	kstrlcpy(t->name, name, sizeof(t->name));
	t->fn = fn;
	t->arg = arg;
	if (!owner && owner_of_fn && (owner = owner_of_fn((uintptr_t)fn))) {
		char buf[24];

		/* A module bug (issue 16): its thread would be invisible to
		 * every unload. It is the module's thread from now on. */
		pr_warn("module %s: thread '%s' started with owner NULL; it "
			"runs the module's code, so it is the module's thread "
			"(use module_kthread_run)",
			task_owner_name(owner, buf, sizeof(buf)), name);
	}
	t->owner = owner;
	t->failalloc_scope = current->failalloc_scope; /* mm/failalloc.c */
	if (owner && owner_get_fn)
		owner_get_fn(owner); /* dropped by the reaper: task_owner_put */
	t->freezable = true;
	t->state = TASK_NEW;
	t->refs = 1;                    /* the task's own, dropped at reap */
	/* It starts inside the switch's irq_save section, like a task
	 * coming back from sched_switch (sched_task_entry leaves it). */
	t->irqlock_depth = 1;
	/* Inherited, as in Linux: what a pinned task starts runs where it
	 * runs (the race scenarios pin their whole cast this way). */
	t->cpus_allowed = current->idle ? ~0u : current->cpus_allowed;
	rq_entity_init(&t->rq);
	list_node_init(&t->zombie_node);
	list_node_init(&t->timer_node);

	/* The frame sched_switch pops: edi esi ebx ebp, then the return
	 * address; above it a zero "return address" that ends backtraces. */
	sp = (uintptr_t *)((char *)t->stack + t->stack_size);
	*--sp = 0;
	*--sp = (uintptr_t)sched_task_entry;
	*--sp = 0;                      /* ebp: the end of the frame chain */
	*--sp = 0;                      /* ebx */
	*--sp = 0;                      /* esi */
	*--sp = 0;                      /* edi */
	t->esp = (uintptr_t)sp;

	f = spin_lock_irqsave(&sched_lock);
	table_add_locked(t);
	freezer_new_task_locked(t);
	spin_unlock_irqrestore(&sched_lock, f);
	return t;

free_struct:
	kfree(t);
	return NULL;
}

void task_free_stack(struct task *t)
{
	void *stack = t->stack;
	uint32_t f = spin_lock_irqsave(&sched_lock);

	assert(t->state == TASK_ZOMBIE && t != current);
	t->stack = NULL;
	spin_unlock_irqrestore(&sched_lock, f);
	vmap_free(stack, KSTACK_PAGES);
}

/* Take a DEAD task out of the table (the reaper). */
void task_unlink(struct task *t);
void task_unlink(struct task *t)
{
	uint32_t f = spin_lock_irqsave(&sched_lock);

	assert(t->state == TASK_ZOMBIE && !t->stack);
	list_del_init(&t->all_node);
	ntasks--;
	t->state = TASK_DEAD;
	spin_unlock_irqrestore(&sched_lock, f);
}

void task_get(struct task *t)
{
	uint32_t f = spin_lock_irqsave(&sched_lock);

	assert(t->refs > 0);
	t->refs++;
	spin_unlock_irqrestore(&sched_lock, f);
}

void task_put(struct task *t)
{
	uint32_t f = spin_lock_irqsave(&sched_lock);
	bool last;

	assert(t->refs > 0);
	last = --t->refs == 0;
	spin_unlock_irqrestore(&sched_lock, f);
	if (!last)
		return;
	/* Only the reaper drops the task's own reference, after DEAD. */
	assert(t->state == TASK_DEAD && !t->idle);
	kfree(t);
}

struct task *task_find(int id)
{
	struct task *found = NULL;
	struct list_node *n;
	uint32_t f = spin_lock_irqsave(&sched_lock);

	list_for_each(n, &task_list) {
		struct task *t = list_entry(n, struct task, all_node);

		if (t->id == id) {
			found = t;
			t->refs++;
			break;
		}
	}
	spin_unlock_irqrestore(&sched_lock, f);
	return found;
}

void task_for_each(bool (*fn)(struct task *t, void *arg), void *arg)
{
	struct list_node *n, *next;
	uint32_t f = spin_lock_irqsave(&sched_lock);

	list_for_each_safe(n, next, &task_list)
		if (!fn(list_entry(n, struct task, all_node), arg))
			break;
	spin_unlock_irqrestore(&sched_lock, f);
}

struct task **task_snapshot_all(unsigned *n)
{
	for (;;) {
		unsigned want = task_count() + 4, k = 0;
		struct task **out = kmalloc(want * sizeof(*out));
		struct list_node *node;
		uint32_t f;

		if (!out)
			return NULL;
		f = spin_lock_irqsave(&sched_lock);
		if (ntasks > want) {    /* tasks were created meanwhile */
			spin_unlock_irqrestore(&sched_lock, f);
			kfree(out);
			continue;
		}
		list_for_each(node, &task_list) {
			struct task *t =
			    list_entry(node, struct task, all_node);

			t->refs++;
			out[k++] = t;
		}
		spin_unlock_irqrestore(&sched_lock, f);
		assert(k <= want);
		*n = k;
		return out;
	}
}

void task_snapshot_free(struct task **tasks, unsigned n)
{
	task_snapshot_put(tasks, n);
	kfree(tasks);
}

void task_snapshot_put(struct task **tasks, unsigned n)
{
	unsigned nlast = 0;
	uint32_t f = spin_lock_irqsave(&sched_lock);

	for (unsigned i = 0; i < n; i++) {
		struct task *t = tasks[i];

		assert(t->refs > 0);
		if (--t->refs == 0)
			tasks[nlast++] = t;     /* nlast <= i: seen already */
	}
	spin_unlock_irqrestore(&sched_lock, f);
	/* As task_put: the last reference goes only after the reaper's. */
	for (unsigned i = 0; i < nlast; i++) {
		assert(tasks[i]->state == TASK_DEAD && !tasks[i]->idle);
		kfree(tasks[i]);
	}
}

unsigned task_count(void)
{
	return ntasks;
}

bool task_stack_bounds(uintptr_t addr, uintptr_t *lo, uintptr_t *hi)
{
	struct list_node *n;
	bool found = false;
	uint32_t f = irq_save();

	/* No sched_lock: this runs in fault and panic paths, maybe with the
	 * lock held. With IRQs off, one CPU cannot see the list change. */
	list_for_each(n, &task_list) {
		struct task *t = list_entry(n, struct task, all_node);
		uintptr_t base = (uintptr_t)t->stack;

		if (base && addr >= base && addr < base + t->stack_size) {
			*lo = base;
			*hi = base + t->stack_size;
			found = true;
			break;
		}
	}
	irq_restore(f);
	return found;
}

unsigned task_backtrace(struct task *t, uintptr_t *out, unsigned max)
{
	uintptr_t ebp, lo, hi;

	if (t == current) {
		ebp = read_ebp();
		if (!stack_bounds(ebp, &lo, &hi))
			return 0;
		return stack_walk(ebp, lo, hi, out, max);
	}
	if (!t->stack && !t->idle)
		return 0;
	/* The saved frame: esp+12 holds the ebp pushed by sched_switch,
	 * esp+16 the return address into the scheduler (the saved EIP). */
	ebp = t->esp + 12;
	if (t->stack) {         /* its own stack: no search of the list */
		lo = (uintptr_t)t->stack;
		hi = lo + t->stack_size;
	} else if (!stack_bounds(ebp, &lo, &hi)) {
		return 0;
	}
	return stack_walk(ebp, lo, hi, out, max);
}

uintptr_t task_where(struct task *t)
{
	uintptr_t pcs[BACKTRACE_MAX];
	unsigned n;

	if (t != current && t->preempt_tf)
		return t->preempt_tf->eip;
	if (t != current && t->fn && !t->switches)
		return (uintptr_t)t->fn;        /* has not run yet */
	n = task_backtrace(t, pcs, BACKTRACE_MAX);
	for (unsigned i = 0; i < n; i++)
		if (!sched_is_core_fn(pcs[i] - 1))
			return pcs[i];
	return n ? pcs[0] : 0;
}

bool task_runs_in_range(struct task *t, uintptr_t lo, uintptr_t hi)
{
	uintptr_t pcs[BACKTRACE_MAX];
	unsigned n = task_backtrace(t, pcs, BACKTRACE_MAX);

	if (t != current && t->preempt_tf && t->preempt_tf->eip >= lo &&
	    t->preempt_tf->eip < hi)
		return true;
	/* A return address may sit one past a call that ends the range. */
	for (unsigned i = 0; i < n; i++)
		if (pcs[i] - 1 >= lo && pcs[i] - 1 < hi)
			return true;
	return false;
}

void task_print_backtrace(struct task *t, const char *indent)
{
	uintptr_t pcs[BACKTRACE_MAX];
	unsigned n = task_backtrace(t, pcs, BACKTRACE_MAX);
	char sym[96];

	if (!n)
		kprintf("%s(no stack)\n", indent);
	for (unsigned i = 0; i < n; i++) {
		ksyms_format_ret(pcs[i], sym, sizeof(sym));
		kprintf("%s#%-2u %08lx %s\n", indent, i, (unsigned long)pcs[i],
			sym);
	}
}
