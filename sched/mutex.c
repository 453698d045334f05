/*
 * sched/mutex.c: sleeping mutexes with an owner (<sched/mutex.h>).
 *
 * The owner field is the lock; it changes with interrupts off (one CPU).
 * mutex_lock waits in a blocked sleep on the mutex's wait queue until
 * mutex_trylock succeeds inside the wait condition. Unlock wakes the
 * oldest waiter; a newcomer may take the mutex first (no handoff): simple,
 * and no worse than Linux's optimistic spinning for teaching purposes.
 */
#include <sched/mutex.h>
#include <sched/sched.h>
#include <kernel/arch.h>
#include <kernel/panic.h>
#include <sched/task.h>

void mutex_init(struct mutex *m, const char *name)
{
	m->owner = NULL;
	wait_queue_init(&m->wq, name);
}

/* Inline in mutex_lock's wait condition too, not a call each time. */
static inline __attribute__((always_inline)) bool take(struct mutex *m)
{
	uint32_t f = irq_save();
	bool got = !m->owner;

	if (got)
		m->owner = current;
	irq_restore(f);
	return got;
}

bool mutex_trylock(struct mutex *m)
{
	return take(m);
}

static void check_no_recursion(struct mutex *m)
{
	if (m->owner == current)
		panic("mutex '%s': task '%s' locks it again (recursion "
		      "deadlocks)", m->wq.name, current->name);
}

void mutex_lock(struct mutex *m)
{
	sched_might_sleep();
	check_no_recursion(m);
	wait_event(m->wq, take(m));
}

int mutex_lock_timeout(struct mutex *m, unsigned ms)
{
	sched_might_sleep();
	check_no_recursion(m);
	return wait_event_timeout(m->wq, take(m), ms);
}

void mutex_unlock(struct mutex *m)
{
	uint32_t f = irq_save();

	if (m->owner != current)
		panic("mutex '%s': unlocked by '%s', owner is '%s'",
		      m->wq.name, current->name,
		      m->owner ? m->owner->name : "nobody");
	m->owner = NULL;
	irq_restore(f);
	wake_up_one(&m->wq);
}

bool mutex_is_mine(const struct mutex *m)
{
	return m->owner == current;
}
