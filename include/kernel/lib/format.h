/*
 * <kernel/lib/format.h>: printf-style formatting, with no I/O of its own.
 *
 * Conversions: %d %i %u %x %X %o %p %s %c %%; flags '-' '0' ' ' '+' '#';
 * a width and a precision (either may be '*'); length modifiers hh h l ll z.
 * %p prints 0x followed by 8 hex digits. A NULL %s prints "(null)".
 * Pure logic: compiled into the kernel and into the host tests.
 */
#ifndef KERNEL_FORMAT_H
#define KERNEL_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

/* A sink receives each output character in order. */
typedef void (*format_sink)(char c, void *arg);

/* Return: the number of characters produced. Context: any. */
int kformat(format_sink sink, void *arg, const char *fmt, va_list ap);

/*
 * Format into buf (always NUL-terminated when size > 0).
 * Return: the length the full output would have had.
 * Context: any.
 */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
