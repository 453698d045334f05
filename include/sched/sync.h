/*
 * <sched/sync.h>: every synchronisation primitive, one include.
 *
 *   <sched/spinlock.h>    spinlocks (IRQ-safe, no sleeping inside)
 *   <sched/mutex.h>       sleeping mutexes with an owner
 *   <sched/waitqueue.h>   wait queues, wait_event*()
 *   <sched/completion.h>  completions
 *   <sched/semaphore.h>   counting semaphores
 */
#ifndef SCHED_SYNC_H
#define SCHED_SYNC_H

#include <sched/spinlock.h>
#include <sched/mutex.h>
#include <sched/waitqueue.h>
#include <sched/completion.h>
#include <sched/semaphore.h>

#endif
