/*
 * kernel/module/unloadd.c: delayed delete, and the ghosts of freed modules.
 *
 * Delayed delete (--busy=delayed, or a re-check that found a user when
 * register cannot run again): the module is withdrawn and GOING, and goes
 * on the delayed list. It is never freed from the module's own code (the
 * task that drops the last count is still in the module's epilogue: race
 * R5). The `unloadd` worker does it: when a count drops (and every 20 ms
 * while anything is delayed, for a task that left without touching a
 * count) it takes module_mutex, quiesces the module again (step 3) and
 * frees it (step 5) if nothing is inside.
 *
 *      GOING (delayed) --unloadd: counts 0, quiesce ok--> GONE (freed)
 *            ^                          |
 *            +------ still in use ------+
 *
 * Ghosts: a buried module's struct outlives its memory while a zombie
 * thread or a stale reference still points at it (only the naive
 * strategies leave those). It becomes a ghost, freed by unloadd when
 * nothing refers to it, so a broken strategy shows up as a caught
 * use-after-free of module memory, never as a corrupted kernel heap.
 *
 * Lock legend: [module_mutex] the delayed list; [irq] the ghost list
 * (counts that decide a ghost's fate change with interrupts off); [a] a
 * word read and written whole.
 */
#include <kernel/module/module.h>
#include "internal.h"
#include <kernel/arch.h>
#include <kernel/init.h>
#include <kernel/lib/errno.h>
#include <kernel/lib/string.h>
#include <sched/task.h>

static struct wait_queue unloadd_wq = WAIT_QUEUE_INIT(unloadd_wq, "unloadd");
static volatile bool unloadd_kicked;    /* [a] work may be there */
static struct module *delayed_list;     /* [module_mutex] via next_ghost */
static struct module *ghosts;           /* [irq] via next_ghost */
static volatile unsigned ndelayed;      /* [module_mutex] to change, [a] */
/* unloadd's last failed try: the module's name (not a pointer: the module
 * may be freed by another path since) and the reason. [module_mutex] */
static char why_name[MODULE_NAME_MAX], why[160];

/* Wake the worker. The flag, not the wakeup, ends its wait. Context: any. */
static void unloadd_kick(void)
{
	unloadd_kicked = true;
	wake_up(&unloadd_wq);
}

void unloadd_add(struct module *m)
{
	assert(mutex_is_mine(&module_mutex));
	assert(m->state == MODULE_GOING && !m->delayed);
	m->delayed = true;
	m->next_ghost = delayed_list;
	delayed_list = m;
	ndelayed++;
	unloadd_kick();
}

void module_ref_dropped(struct module *mod)
{
	wake_up(&unload_wq);
	if (mod->delayed || mod->ghost)
		unloadd_kick();
}

const char *unload_delayed_why(const struct module *m)
{
	return m->delayed && !strcmp(why_name, m->name) ? why : "";
}

unsigned unload_delayed_pending(void)
{
	return ndelayed;
}

/* ---- ghosts ---------------------------------------------------------- */

static bool ghost_free(const struct module *m)
{
	return !m->kthreads && !m->core_refs && !m->callbacks;
}

void unload_release_struct(struct module *m)
{
	uint32_t f = irq_save();

	if (ghost_free(m)) {
		irq_restore(f);
		kfree(m);
		return;
	}
	m->ghost = true;
	m->next_ghost = ghosts;
	ghosts = m;
	irq_restore(f);
	pr_warn("module %s: freed while %u thread(s) and %d reference(s) "
		"still point at it; its struct waits for them", m->name,
		m->kthreads, m->core_refs);
}

/* Free the ghosts nothing refers to any more. Context: unloadd. */
static void bury_ghosts(void)
{
	for (;;) {
		struct module *m = NULL, **pp;
		uint32_t f = irq_save();

		for (pp = &ghosts; *pp; pp = &(*pp)->next_ghost)
			if (ghost_free(*pp)) {
				m = *pp;
				*pp = m->next_ghost;
				break;
			}
		irq_restore(f);
		if (!m)
			return;
		kfree(m);
	}
}

/* ---- delayed delete: the unloadd worker ---------------------------- */

/* Try to finish one delayed module. Caller holds module_mutex. */
static bool try_delayed(struct module *m)
{
	struct unload_req r;
	char name[sizeof(m->name)];

	unload_req_init(&r);
	if (m->refs || m->core_refs)
		return false;
	/* unload_finish may free m, or make it a ghost (next_ghost reused):
	 * nothing of m is read after it. */
	kstrlcpy(name, m->name, sizeof(name));
	if (quiesce_module(m, &r) || unload_finish(m, &r)) {
		kstrlcpy(why_name, name, sizeof(why_name));
		kstrlcpy(why, r.msg[0] ? r.msg : "the re-check failed",
			 sizeof(why));
		return false;
	}
	if (!strcmp(why_name, name))
		why_name[0] = '\0';
	pr_info("module %s: delayed delete done", name);
	return true;
}

static void run_delayed(void)
{
	struct module **pp;

	mutex_lock(&module_mutex);
	pp = &delayed_list;
	while (*pp) {
		struct module *m = *pp, *next = m->next_ghost;

		if (try_delayed(m)) {   /* m may be gone: read next before */
			*pp = next;
			ndelayed--;
		} else {
			pp = &m->next_ghost;
		}
	}
	mutex_unlock(&module_mutex);
}

static int unloadd_fn(void *arg)
{
	for (;;) {
		/* A count dropping kicks us. While modules wait for delayed
		 * delete, a 20 ms period also catches a task that left one
		 * without touching a count (the scan saw it inside); with
		 * nothing delayed we sleep until kicked. */
		wait_event_idle_timeout(unloadd_wq, unloadd_kicked,
					ndelayed ? 20 : WAIT_FOREVER);
		unloadd_kicked = false;
		if (ndelayed)
			run_delayed();
		if (ghosts)
			bury_ghosts();
	}
	return 0;
}

static int unload_setup(void)
{
	struct task *t = kthread_run(unloadd_fn, NULL, NULL, "unloadd");

	if (!t)
		return -ENOMEM;
	t->freezable = false;
	t->system = true;
	return 0;
}
INITCALL(unload_setup, INIT_LATE);
