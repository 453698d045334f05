/*
 * <sched/semaphore.h>: counting semaphores.
 *
 * down() takes one unit, sleeping while there is none; up() returns one
 * and wakes the oldest waiter. Unlike a mutex, there is no owner: any task
 * (or an IRQ, for up) may call either.
 */
#ifndef SCHED_SEMAPHORE_H
#define SCHED_SEMAPHORE_H

#include <stdbool.h>
#include <sched/waitqueue.h>

struct semaphore {
	int count;                      /* [irq] units available */
	struct wait_queue wq;
};

#define SEMAPHORE_INIT(s, n, name) { (n), WAIT_QUEUE_INIT((s).wq, name) }

/* Context: any (not while in use). Return: none. */
void sema_init(struct semaphore *s, int count, const char *name);
/* Context: task, may sleep. */
void down(struct semaphore *s);
/* Return: 0, or -ETIMEDOUT. Context: task, may sleep. */
int down_timeout(struct semaphore *s, unsigned ms);
/* Return: true if a unit was taken. Context: any. */
bool down_trylock(struct semaphore *s);
/* Context: any (IRQ too). */
void up(struct semaphore *s);

#endif
