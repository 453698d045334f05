/*
 * <kernel/arch.h>: the few x86 instructions C needs, as inline functions.
 *
 * Port I/O, interrupt flag, control registers, the TSC, and TLB flushes.
 * Nothing here takes a lock or sleeps.
 */
#ifndef KERNEL_ARCH_H
#define KERNEL_ARCH_H

#include <stdint.h>
#include <stdbool.h>

#define EFLAGS_IF 0x200u

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline void io_wait(void)
{
	outb(0x80, 0);
}

static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void hlt(void) { __asm__ volatile("hlt" ::: "memory"); }
static inline void cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }
/* A compiler barrier: no memory access moves across it. */
static inline void barrier(void) { __asm__ volatile("" ::: "memory"); }

static inline uint32_t read_eflags(void)
{
	uint32_t f;
	__asm__ volatile("pushfl; popl %0" : "=r"(f) : : "memory");
	return f;
}

static inline bool irqs_enabled(void)
{
	return read_eflags() & EFLAGS_IF;
}

/*
 * The global interrupt lock (kernel/irqlock.c). On one CPU, turning
 * interrupts off is how the kernel keeps its data to itself. With more
 * CPUs that is not enough: another CPU runs on. So once a second CPU
 * starts (irqlock_on), "interrupts off" means "interrupts off on this CPU
 * and the global interrupt lock held", and every irq_save section is
 * excluded from every other CPU's. Code runs in parallel where it runs
 * with interrupts on: tasks' own code, modules, the shell's parsing.
 */
extern bool irqlock_on;
void irqlock_enter(void);
void irqlock_exit(void);
/* This CPU's nesting of irq_save sections (0: it does not hold the lock).
 * Context: any. */
unsigned irqlock_depth(void);
/* Go to depth (taking or dropping the lock): a fault catch or a test
 * abort jumping out of irq_save sections. Context: interrupts off. */
void irqlock_set_depth(unsigned depth);
/* A task switch: this CPU's depth becomes the next task's; returns the
 * one the outgoing task leaves with. Context: the scheduler. */
unsigned irqlock_switch(unsigned next_depth);
/* With interrupts off (in an irq_save section or not), wait for an
 * interrupt: the lock is dropped while halted. Context: idle loops. */
void irq_wait_interrupt(void);
/* Run while waiting for the lock: the cross-CPU calls (drivers/smp_call.c
 * installs it). */
extern void (*irqlock_spin_hook)(void);
/* TSC cycles a CPU may wait for the lock before it panics, naming the
 * holder (a lockup). 2^36 (about 25 s at 2.7 GHz); `crash lockup` lowers
 * it to show the report. */
extern volatile uint64_t irqlock_lockup_cycles;

/* Save the interrupt flag and disable interrupts (and, with more than one
 * CPU, take the interrupt lock); irq_restore undoes it. Nest freely.
 * Context: any. */
static inline uint32_t irq_save(void)
{
	uint32_t f = read_eflags();
	cli();
#ifndef HOST_TEST
	if (irqlock_on)
		irqlock_enter();
#endif
	return f;
}

static inline void irq_restore(uint32_t flags)
{
#ifndef HOST_TEST
	if (irqlock_on)
		irqlock_exit();
#endif
	if (flags & EFLAGS_IF)
		sti();
}

/* Interrupts off on this CPU only, no lock: for this CPU's own data and
 * its local APIC. Context: any. */
static inline uint32_t irq_save_local(void)
{
	uint32_t f = read_eflags();
	cli();
	return f;
}

static inline void irq_restore_local(uint32_t flags)
{
	if (flags & EFLAGS_IF)
		sti();
}

static inline uint32_t read_cr0(void)
{
	uint32_t v;
	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline void write_cr0(uint32_t v)
{
	__asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static inline uint32_t read_cr2(void)
{
	uint32_t v;
	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline uint32_t read_cr3(void)
{
	uint32_t v;
	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void write_cr3(uint32_t v)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

static inline void invlpg(uintptr_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline uintptr_t read_ebp(void)
{
	uintptr_t v;
	__asm__ volatile("mov %%ebp, %0" : "=r"(v));
	return v;
}

#endif
