/*
 * <kernel/printk.h>: the kernel log and console output.
 *
 * printk(level, ...) appends a timestamped line to the dmesg ring and, when
 * level <= the console log level (cmdline `loglevel=`, default LOG_INFO),
 * prints it on the console as "[    1.234] message".
 * kprintf(...) writes straight to the console: command output, KTAP.
 *
 * Context: any (task, IRQ, panic). Output is serialised by disabling
 * interrupts, so a line from an IRQ never lands inside another line's bytes.
 */
#ifndef KERNEL_PRINTK_H
#define KERNEL_PRINTK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

enum log_level {
	LOG_EMERG, LOG_ALERT, LOG_CRIT, LOG_ERR,
	LOG_WARN, LOG_NOTICE, LOG_INFO, LOG_DEBUG,
};

extern int console_loglevel;

void printk(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * One line of a narrated timeline, "  tick T     WHO      what", when on:
 * how `rmmod -v`, `race run` and the stress test tell a student who is
 * where. Context: task.
 */
void narrate(bool on, const char *who, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * A listener that sees every narrated line (who, and the text without the
 * tick), after it is printed: `race run --events` turns them into events.
 * One at a time; NULL for none. Context: set from a task; called in the
 * narrating task.
 */
typedef void (*narrate_listener)(const char *who, const char *line);
void narrate_listen(narrate_listener fn);

/* Where printk's time stamps come from: the timer driver, once it runs.
 * Context: boot. */
void printk_set_clock(uint64_t (*ticks_fn)(void), unsigned hz);
/* Milliseconds by that clock since boot (0 before the timer runs).
 * Context: any. */
uint64_t printk_clock_ms(void);

#define pr_emerg(...) printk(LOG_EMERG, __VA_ARGS__)
#define pr_err(...)   printk(LOG_ERR, __VA_ARGS__)
#define pr_warn(...)  printk(LOG_WARN, __VA_ARGS__)
#define pr_info(...)  printk(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) printk(LOG_DEBUG, __VA_ARGS__)

/* Print the dmesg ring to the console. Context: task. */
void dmesg_dump(void);
/* Copy the newest len bytes of the log into buf. Return: bytes copied. */
size_t dmesg_tail(char *buf, size_t len);

#endif
