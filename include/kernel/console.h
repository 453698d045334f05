/*
 * <kernel/console.h>: the console: one output stream mirrored to COM1 and
 * the VGA screen, one input ring fed by the serial and keyboard IRQs.
 */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Where output goes: each driver that can show text (the serial line, the
 * VGA screen) adds itself once it is set up. A sink is called with
 * interrupts off, one byte at a time, and must not sleep.
 */
#define CONSOLE_SINKS_MAX 4
/* Return: 0, or -ENOSPC. Context: boot. */
int console_add_sink(void (*putc)(char c));

/*
 * Context: any. Bytes go to every sink, in the order they were added,
 * all of one call under one interrupt disable. A caller with interrupts
 * on may wait (interrupts on) for the serial transmit ring to have room.
 */
void console_putc(char c);
void console_write(const char *s, size_t n);

/*
 * A sink that buffers (the serial transmit ring) says how much room it
 * has and how to empty itself by polling. One such sink at most.
 */
struct console_buffer {
	unsigned size;                  /* bytes it can hold */
	unsigned (*room)(void);         /* free bytes now; interrupts off */
	void (*flush)(void);            /* polled, bounded; interrupts off */
};
/* Context: boot. */
void console_set_buffer(const struct console_buffer *b);
/*
 * Write out whatever a sink still holds, polled: a panic, a power-off or
 * a reset calls it before the machine stops. Context: any.
 */
void console_flush(void);

/* Queue one received byte. Context: IRQ (interrupts off). Drops when full. */
void console_input(char c);
/* Take one byte if there is one. Context: any. */
bool console_poll(char *c);
/*
 * Wait for a byte. Context: task, may sleep; with no scheduler it halts
 * until an interrupt.
 */
char console_getc(void);
/* Return: bytes dropped because the input ring was full. */
unsigned console_dropped(void);

/*
 * How a reader waits for input. The scheduler installs a sleeping wait;
 * before it does, the default halts the CPU with interrupts on.
 */
struct console_waiter {
	void (*wait)(void);     /* sleep until console_input() runs */
	void (*wake)(void);     /* called from console_input() */
};
void console_set_waiter(const struct console_waiter *w);

#endif
