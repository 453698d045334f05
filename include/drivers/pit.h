/*
 * <drivers/pit.h>: the 8254 timer, channel 0 on IRQ 0, at HZ ticks a second.
 *
 * Every tick increments `ticks` and calls the tick hooks (the scheduler's
 * time slice, timers, the watchdog).
 */
#ifndef DRIVERS_PIT_H
#define DRIVERS_PIT_H

#include <stdint.h>

struct trap_frame;

extern volatile uint64_t ticks;
extern unsigned hz;

/* Context: boot. hz_wanted is clamped to 19..10000. */
void pit_init(unsigned hz_wanted);
/* The tick count, read whole (a 64-bit load is two on i686). Context: any. */
uint64_t ticks_read(void);
/* Milliseconds since boot, at tick resolution. Context: any. */
uint64_t pit_ms(void);
/* Convert milliseconds to ticks, rounding up. */
uint64_t ms_to_ticks(uint64_t ms);

/* Called from the timer IRQ with interrupts off, at most 8 hooks. */
typedef void (*tick_hook)(struct trap_frame *tf);
void pit_add_tick_hook(tick_hook fn);

#endif
