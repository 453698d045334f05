/*
 * <kernel/trap.h>: interrupts, exceptions, and surviving faults.
 *
 * Every vector enters through boot/isr.asm, which saves a struct trap_frame
 * and calls trap_dispatch(): IRQs go to registered handlers, exceptions to
 * the fault path (kernel/fault.c).
 *
 * Surviving a fault. A fault in kernel code is reported (registers, the
 * decoded error code, a symbolized backtrace, and what any fault explainer
 * adds, e.g. "use-after-free: module 'hello'"), then recovered from:
 *   1. if the running context armed a fault catch, execution resumes at
 *      the catch (like longjmp) with the fault's details in it;
 *   2. else, when there is a scheduler, the faulting task is killed and
 *      the kernel goes on (the scheduler's fault_task_ops);
 *   3. else the kernel panics.
 */
#ifndef KERNEL_TRAP_H
#define KERNEL_TRAP_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <kernel/cpu.h>

/* The stack after boot/isr.asm's pushes, lowest address first. */
struct trap_frame {
	uint32_t gs, fs, es, ds;
	uint32_t edi, esi, ebp, esp_dummy, ebx, edx, ecx, eax;
	uint32_t vector, err;
	uint32_t eip, cs, eflags;
	/* useresp, ss: only on a privilege change, which never happens here */
};

#define VEC_DIVIDE      0
#define VEC_INVALID_OP  6
#define VEC_DOUBLE      8
#define VEC_GP         13
#define VEC_PAGE       14
#define VEC_IRQ0       32
/* 48-63: the local APIC's own interrupts (<drivers/lapic.h>). */
#define VEC_LOCAL0     48
#define NR_VECTORS     64
/*
 * `int $0x81` is a preemption point on purpose: code executes it to be
 * stopped exactly there, with a trap frame whose EIP is the next
 * instruction, as if the timer had preempted it. The race scenarios put
 * these inside module code. EAX carries an argument for the handler.
 * Without a handler installed it does nothing.
 */
#define VEC_PREEMPT_POINT 0x81

/* Page fault error code bits. */
#define PF_PRESENT 0x1
#define PF_WRITE   0x2
#define PF_USER    0x4
#define PF_FETCH   0x10

typedef void (*irq_handler)(struct trap_frame *tf);

/* Context: boot. */
void idt_init(void);
void gdt_init(void);
/* The double-fault task must run on the page tables in force: paging
 * calls this once they are on. Context: boot. */
void gdt_set_df_cr3(uint32_t cr3);
/*
 * The interrupt controller, as the IRQ path needs it: is this IRQ a
 * spurious one (then no handler runs and no EOI is sent), and the end of
 * interrupt. The PIC driver installs it. Context: boot.
 */
struct irq_controller {
	bool (*spurious)(unsigned irq);
	void (*eoi)(unsigned irq);
};
void trap_set_irq_controller(const struct irq_controller *ctl);

/* Install handler for IRQ line irq (0-15). Context: boot or task. */
void irq_register(unsigned irq, irq_handler fn);
/* Install the handler of VEC_PREEMPT_POINT. It runs with interrupts on
 * and may sleep. Context: boot. */
void trap_set_preempt_point_handler(void (*fn)(struct trap_frame *tf));
/* Called by boot/isr.asm. */
void trap_dispatch(struct trap_frame *tf);
/* Nesting depth of interrupt handlers now running on this CPU (0: task
 * context). */
#define irq_depth this_cpu_read(irq_nest)
/* Install the handler of local APIC vector vec (VEC_LOCAL0..63). It runs
 * with irq_depth raised; the APIC's EOI is its own business. Context:
 * boot. */
void trap_set_local_handler(unsigned vec, irq_handler fn);

/* ---- non-local return, for fault catches and test aborts ------------ */
struct kjmp_buf {
	uint32_t ebx, esi, edi, ebp, esp, eip, eflags;
};
int ksetjmp(struct kjmp_buf *jb) __attribute__((returns_twice));
void klongjmp(struct kjmp_buf *jb, int val) __attribute__((noreturn));

/* ---- fault catches ------------------------------------------------- */
struct fault_info {
	unsigned vector;
	uint32_t err;
	uintptr_t eip;
	uintptr_t addr;         /* CR2 for page faults */
};

struct fault_catch {
	struct kjmp_buf jb;
	struct fault_info info;
	struct fault_catch *prev;
	bool quiet;             /* record only, print no report */
	int preempt_count;      /* restored when a fault lands here */
	unsigned at_depth;      /* catches only faults at this irq_depth */
	unsigned lock_depth;    /* irqlock_depth(), restored with the count */
};

/*
 * Arm a catch: evaluates to 0 now, and to 1 when a fault later lands in
 * it (fc->info says which). Disarm with fault_catch_leave() on the normal
 * path; the fault path disarms it itself. Catches nest. Context: task.
 *
 *	struct fault_catch fc;
 *	if (fault_catch_enter(&fc, true) == 0) {
 *		risky();
 *		fault_catch_leave(&fc);
 *	} else {
 *		... fc.info.addr ...
 *	}
 */
#define fault_catch_enter(fc, q) \
	(fault_catch_push((fc), (q)), ksetjmp(&(fc)->jb))
void fault_catch_push(struct fault_catch *fc, bool quiet);
void fault_catch_leave(struct fault_catch *fc);

/*
 * Where the current context keeps its innermost catch: one global slot
 * until the scheduler installs a per-task slot, so a catch armed by one
 * task never catches another task's fault.
 */
struct fault_catch **fault_catch_slot(void);

/*
 * What the fault path needs of the scheduler, which installs it at boot
 * (sched/sched.c). Until then: one global catch slot, a preemption count
 * of 0, and no task to kill (an uncaught fault panics).
 *   catch_slot    the current task's innermost catch;
 *   kill_current  end the current task after an uncaught fault; returns
 *                 only when there is no task to blame (the caller panics);
 *   preempt_count / set_preempt_count  a catch restores the count it saw
 *                 (code that faulted holding a spinlock never drops it).
 */
struct fault_task_ops {
	struct fault_catch **(*catch_slot)(void);
	void (*kill_current)(struct trap_frame *tf,
			     const struct fault_info *fi);
	int (*preempt_count)(void);
	void (*set_preempt_count)(int count);
};
/* Context: boot. */
void fault_set_task_ops(const struct fault_task_ops *ops);

/*
 * A fault explainer looks at a fault and, if it knows the address, writes
 * one line explaining it (e.g. the module area's use-after-free detector).
 * Return: true if it explained the fault. Context: fault handler, irqs off.
 */
typedef bool (*fault_explainer)(const struct trap_frame *tf, uintptr_t addr,
				char *buf, size_t len);
void fault_add_explainer(fault_explainer fn);


/* Exception names and decoded page-fault causes, for reports. */
const char *trap_name(unsigned vector);
/* Print the full report of a fault (registers, cause, backtrace). */
void fault_report(struct trap_frame *tf, const struct fault_info *fi);
/* Faults reported since boot. */
extern unsigned fault_count;

#endif
