/*
 * sched/completion.c: completions (<sched/completion.h>).
 *
 * `done` counts passes; complete_all sets it so high that it never runs
 * out. Waiting is a blocked sleep whose condition takes a pass.
 */
#include <sched/completion.h>
#include <kernel/arch.h>

void completion_init(struct completion *c, const char *name)
{
	c->done = 0;
	wait_queue_init(&c->wq, name);
}

void complete(struct completion *c)
{
	uint32_t f = irq_save();

	if (c->done < COMPLETION_ALL)
		c->done++;
	irq_restore(f);
	wake_up_one(&c->wq);
}

void complete_all(struct completion *c)
{
	uint32_t f = irq_save();

	c->done = COMPLETION_ALL;
	irq_restore(f);
	wake_up(&c->wq);
}

bool try_wait_for_completion(struct completion *c)
{
	uint32_t f = irq_save();
	bool got = c->done > 0;

	if (got && c->done != COMPLETION_ALL)
		c->done--;
	irq_restore(f);
	return got;
}

void wait_for_completion(struct completion *c)
{
	wait_event(c->wq, try_wait_for_completion(c));
}

int wait_for_completion_timeout(struct completion *c, unsigned ms)
{
	return wait_event_timeout(c->wq, try_wait_for_completion(c), ms);
}

bool completion_done(const struct completion *c)
{
	return c->done > 0;
}
