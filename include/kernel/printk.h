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
 * One line of a narrated timeline, "  tick T     WHO      what", as the
 * unload (-v) and the race scenarios print them. Context: task.
 */
void ktimeline(const char *who, const char *fmt, va_list ap);

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
