/*
 * <kernel/cpu.h>: per-CPU data, and finding this CPU's.
 *
 * Every CPU has a struct cpu. Its GDT holds one data segment per CPU whose
 * base is that CPU's struct cpu, and each CPU loads its own into %fs once,
 * at start-up (gdt_init, gdt_load_ap); nothing else writes %fs (the trap
 * entry saves and restores it, but never reloads it). So `%fs:0` is this
 * CPU's struct cpu, one instruction, with no table lookup and no lock.
 *
 * Invariants:
 *  - cpus[0] is the boot CPU (BSP); cpus[1..] the application processors
 *    in MADT order; cpu->id is the index in cpus[].
 *  - A field read through this_cpu() is this CPU's only while the reader
 *    cannot move to another CPU: with preemption or interrupts off, or for
 *    the fields that travel with the task (cur_task, read by `current`).
 *  - The fields marked [own] are written only by their own CPU; [any] by
 *    any CPU with atomics; [boot] once, before the CPU is marked online.
 */
#ifndef KERNEL_CPU_H
#define KERNEL_CPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAX_CPUS 8

struct task;
struct trap_frame;

/* A function another CPU runs for us in an IPI (drivers/smp_call.c). */
typedef void (*smp_call_fn)(void *arg);

struct cpu {
	struct cpu *self;               /* [boot] %fs:0 */
	struct task *cur_task;          /* [own] read as `current` */
	volatile int preempt_count;     /* [own] preempt_disable nesting */
	volatile uint32_t need_resched; /* [own] a reschedule is pending
					 * (any CPU may set it, under
					 * sched_lock) */
	volatile unsigned irq_nest;     /* [own] IRQ handlers running */
	unsigned fault_nesting;         /* [own] fault reports running */
	unsigned irqlock_depth;         /* [own] irq_save nesting, lock held */
	volatile uint64_t last_switch_tick; /* [own] for the stall check */
	uint64_t run_start;             /* [own] TSC when its running task
					 * was last charged (sched_charge) */
	unsigned id;                    /* [boot] index in cpus[] */
	uint8_t apic_id;                /* [boot] its local APIC's ID */
	volatile bool online;           /* [boot] running kernel code */
	struct task *idle;              /* [boot] its idle task */

	/* Statistics, for `cpus`. */
	volatile uint64_t ticks;        /* [own] local timer interrupts */
	volatile uint64_t ipis;         /* [own] IPIs handled */
	volatile uint64_t idle_halts;   /* [own] times the idle loop halted */
	volatile uint64_t irqlock_spins;/* [own] waits for the irq lock */

	/* The call mailbox (drivers/smp_call.c): one call at a time per target,
	 * its caller holding call_lock. */
	volatile uint32_t call_lock;    /* [any] 1: a caller owns the box */
	volatile smp_call_fn call_fn;   /* [any] NULL: empty */
	void *volatile call_arg;        /* [any] */
	volatile uint32_t call_done;    /* [any] count of finished calls */
};

extern struct cpu cpus[MAX_CPUS];
/* CPUs found in the MADT (at least 1) and CPUs running. [boot] */
extern unsigned cpu_count;
extern volatile unsigned cpus_online;

/*
 * this_cpu_read/write/inc/dec/dec_and_test(f): one instruction on this
 * CPU's 32-bit field f (%fs-relative). No pointer is kept, so nothing
 * goes stale if the task moves to another CPU between two of them; on one
 * CPU they cost what a global variable did. Each is a compiler barrier.
 */
#define cpu_off(f) offsetof(struct cpu, f)
#ifdef HOST_TEST
/* Host unit tests: one CPU, a plain variable. */
__attribute__((weak)) struct cpu host_cpu;
static inline struct cpu *this_cpu(void)
{
	return &host_cpu;
}
#define this_cpu_read(f) (host_cpu.f)
#define this_cpu_write(f, v) ((void)(host_cpu.f = (v)))
#define this_cpu_inc(f) ((void)host_cpu.f++)
#define this_cpu_dec(f) ((void)host_cpu.f--)
#define this_cpu_dec_and_test(f) (--host_cpu.f == 0)
#else
static inline struct cpu *this_cpu(void)
{
	struct cpu *c;

	__asm__ volatile("movl %%fs:0, %0" : "=r"(c));
	return c;
}
#define this_cpu_read(f)                                                   \
	({                                                                 \
		uint32_t __v;                                              \
		__asm__ volatile("movl %%fs:%c1, %0" : "=r"(__v)           \
				 : "i"(cpu_off(f)) : "memory");            \
		(__typeof__(((struct cpu *)0)->f))__v;                     \
	})
#define this_cpu_write(f, v)                                               \
	__asm__ volatile("movl %0, %%fs:%c1" : : "ri"((uint32_t)(v)),      \
			 "i"(cpu_off(f)) : "memory")
#define this_cpu_inc(f)                                                    \
	__asm__ volatile("incl %%fs:%c0" : : "i"(cpu_off(f)) : "memory")
#define this_cpu_dec(f)                                                    \
	__asm__ volatile("decl %%fs:%c0" : : "i"(cpu_off(f)) : "memory")
/* Decrement f; true when it reached 0 (the flag of the decl itself: no
 * second read). */
#define this_cpu_dec_and_test(f)                                           \
	({                                                                 \
		bool __z;                                                  \
		__asm__ volatile("decl %%fs:%c1" : "=@ccz"(__z)            \
				 : "i"(cpu_off(f)) : "memory");            \
		__z;                                                       \
	})
#endif

/* This CPU's index. Context: any (stable with preemption off). */
static inline unsigned cpu_id(void)
{
	return this_cpu()->id;
}

/* Context: boot, on CPU 0, before anything reads `current`. */
void cpu_init_boot(void);
/* The GDT's per-CPU segment: install CPU i's (kernel/gdt.c). Context:
 * boot. Return: the selector for %fs. */
uint16_t gdt_add_percpu(unsigned i, struct cpu *c);
/* Load the GDT, TSS and %fs on an application processor. Context: the
 * AP's first C code, interrupts off. */
void gdt_load_ap(unsigned i);
/* Load the IDT on an application processor. Context: as gdt_load_ap. */
void idt_load(void);

#endif
