/*
 * <drivers/smp_call.h>: asking the other CPUs to run code.
 *
 * The CPUs are started by sched/smp.c (the MADT, INIT-STARTUP-STARTUP,
 * boot/trampoline.asm). smp_call(cpu, fn, arg) runs fn(arg) on that CPU
 * in an IPI handler (interrupts off there) and waits for it to finish. A
 * caller waiting for its call to finish runs calls made to its own CPU,
 * so two CPUs calling each other with interrupts off do not deadlock.
 */
#ifndef DRIVERS_SMP_CALL_H
#define DRIVERS_SMP_CALL_H

#include <kernel/cpu.h>

/* Run fn(arg) on CPU cpu and wait until it has returned. On this CPU: a
 * plain call, interrupts off. fn must not sleep or fault. Context: any
 * but an NMI; may spin while the target has interrupts off. Return: 0, or
 * -ENODEV if that CPU is not online. */
int smp_call(unsigned cpu, smp_call_fn fn, void *arg);
/* smp_call on every online CPU but this one. Context: as smp_call.
 * Return: the number of CPUs that ran it. */
unsigned smp_call_others(smp_call_fn fn, void *arg);
/* Run any call waiting for this CPU (the IPI handler's work), for code
 * that spins with interrupts off. Context: any. */
void smp_call_poll(void);
/* Install the call IPI's handler. Context: boot, before any AP starts. */
void smp_call_init(void);

#endif
