/*
 * sched/semaphore.c: counting semaphores (<sched/semaphore.h>).
 */
#include <sched/semaphore.h>
#include <kernel/arch.h>

void sema_init(struct semaphore *s, int count, const char *name)
{
	s->count = count;
	wait_queue_init(&s->wq, name);
}

bool down_trylock(struct semaphore *s)
{
	uint32_t f = irq_save();
	bool got = s->count > 0;

	if (got)
		s->count--;
	irq_restore(f);
	return got;
}

void down(struct semaphore *s)
{
	wait_event(s->wq, down_trylock(s));
}

int down_timeout(struct semaphore *s, unsigned ms)
{
	return wait_event_timeout(s->wq, down_trylock(s), ms);
}

void up(struct semaphore *s)
{
	uint32_t f = irq_save();

	s->count++;
	irq_restore(f);
	wake_up_one(&s->wq);
}
