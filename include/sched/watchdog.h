/*
 * <sched/watchdog.h>: the hung-task and stall detector.
 *
 * Two checks, so a deadlock in a race demo is reported, never a silent
 * hang:
 *   hung task: a task in a blocked sleep (mutex, completion, wait_event;
 *     not an idle or freezable sleep) for longer than the limit. The
 *     watchdog thread prints it with its backtrace and what it waits for,
 *     once per sleep.
 *   stall: runnable tasks exist but no context switch happened for longer
 *     than the limit (someone spins with preemption off). Checked from the
 *     timer tick (the watchdog thread cannot run then); prints the running
 *     task and its backtrace, once per stall.
 * Each report increments watchdog_report_count().
 */
#ifndef SCHED_WATCHDOG_H
#define SCHED_WATCHDOG_H

#include <stdint.h>

#define WATCHDOG_DEFAULT_MS 5000

/* Reports since boot, and the id of the task in the last one (-1: none).
 * Context: any. */
unsigned watchdog_report_count(void);
int watchdog_last_reported_id(void);
/* Set / get the limit for both checks, in ms (boot arg hung_ms=).
 * Context: any. */
void watchdog_set_limit_ms(unsigned ms);
unsigned watchdog_limit_ms(void);
/* Run the hung-task check now (normally every limit/4 ms). Return: the
 * number of new reports. Context: task. */
unsigned watchdog_check_now(void);

#endif
