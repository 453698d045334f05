/*
 * <sched/completion.h>: completions: "wait until this has happened".
 *
 * complete() lets one waiter through (or the next one to wait);
 * complete_all() lets every present and future waiter through. The reaper
 * and kthread_stop use them: "wait until the thread has exited".
 */
#ifndef SCHED_COMPLETION_H
#define SCHED_COMPLETION_H

#include <sched/waitqueue.h>

struct completion {
	unsigned done;                  /* [irq] passes available */
	struct wait_queue wq;
};

#define COMPLETION_ALL 0x40000000u
#define COMPLETION_INIT(c, n) { 0, WAIT_QUEUE_INIT((c).wq, n) }

/* Context: any. Return: none. */
void completion_init(struct completion *c, const char *name);
/* Context: any (IRQ too). */
void complete(struct completion *c);
void complete_all(struct completion *c);
/* Context: task, may sleep (a blocked sleep). */
void wait_for_completion(struct completion *c);
/* Return: 0, or -ETIMEDOUT. Context: task, may sleep. */
int wait_for_completion_timeout(struct completion *c, unsigned ms);
/* Take a pass if one is there, without sleeping. Return: true if taken. */
bool try_wait_for_completion(struct completion *c);
/* Return: true if complete_all ran or a pass is waiting. */
bool completion_done(const struct completion *c);

#endif
