/*
 * kernel/fault.c: CPU exceptions: report, then survive when we can.
 *
 * The order of recovery is in <kernel/trap.h>: a fault catch armed by the
 * running context, else kill the running task (scheduler), else panic. A
 * catch only catches at the interrupt depth it was armed at: a fault in an
 * IRQ handler is caught only by a catch the handler armed (an IPI that
 * probes memory for a test), never by the interrupted task's. An uncaught
 * fault inside an IRQ handler, or a fault while reporting a fault, panics:
 * there is no task to blame, or the reporter itself is broken. The nesting
 * count of reports is per CPU: two CPUs may fault at once.
 */
#include <kernel/trap.h>
#include <kernel/arch.h>
#include <kernel/backtrace.h>
#include <kernel/ksyms.h>
#include <kernel/panic.h>
#include <kernel/printk.h>

unsigned fault_count;

static struct fault_catch *global_slot;
/* This CPU's nesting of fault_handle. */
#define reporting (this_cpu()->fault_nesting)

#define MAX_EXPLAINERS 4
static fault_explainer explainers[MAX_EXPLAINERS];
static unsigned nexplainers;

static const char *const names[32] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow",
	"bound range exceeded", "invalid opcode", "device not available",
	"double fault", "coprocessor segment overrun", "invalid TSS",
	"segment not present", "stack-segment fault",
	"general protection fault", "page fault", "reserved",
	"x87 floating-point error", "alignment check", "machine check",
	"SIMD floating-point error", "virtualization exception",
	"control protection exception",
};

const char *trap_name(unsigned vector)
{
	if (vector < 32 && names[vector])
		return names[vector];
	return vector < 32 ? "reserved exception" : "interrupt";
}

static struct fault_catch **global_catch_slot(void)
{
	return &global_slot;
}

static int no_preempt_count(void)
{
	return 0;
}

static void no_task_to_kill(struct trap_frame *tf, const struct fault_info *fi)
{
}

static void set_no_preempt_count(int count)
{
}

static const struct fault_task_ops no_tasks = {
	global_catch_slot, no_task_to_kill, no_preempt_count,
	set_no_preempt_count,
};
static const struct fault_task_ops *task_ops = &no_tasks;

void fault_set_task_ops(const struct fault_task_ops *ops)
{
	task_ops = ops;
}

struct fault_catch **fault_catch_slot(void)
{
	return task_ops->catch_slot();
}

void fault_catch_push(struct fault_catch *fc, bool quiet)
{
	struct fault_catch **slot = fault_catch_slot();

	fc->quiet = quiet;
	fc->preempt_count = task_ops->preempt_count();
	fc->at_depth = irq_depth;
	fc->lock_depth = this_cpu_read(irqlock_depth);  /* irqlock_depth() */
	fc->prev = *slot;
	fc->info = (struct fault_info){ 0 };
	*slot = fc;
}

void fault_catch_leave(struct fault_catch *fc)
{
	struct fault_catch **slot = fault_catch_slot();

	assert(*slot == fc);    /* catches are left in LIFO order */
	*slot = fc->prev;
}

void fault_add_explainer(fault_explainer fn)
{
	assert(nexplainers < MAX_EXPLAINERS);
	explainers[nexplainers++] = fn;
}

static void describe_page_fault(const struct fault_info *fi)
{
	uint32_t e = fi->err;
	/* Without PAE the CPU never sets the fetch bit: a fault at the
	 * faulting instruction's own address is a fetch all the same. */
	const char *access = (e & PF_FETCH) || fi->addr == fi->eip ?
			     "instruction fetch" : e & PF_WRITE ? "write" :
			     "read";

	kprintf("page fault: %s at %08lx: %s\n", access,
		(unsigned long)fi->addr,
		e & PF_PRESENT ? "page is present but the access is not "
				 "allowed (protection violation)"
			       : "page is not mapped");
}

void fault_report(struct trap_frame *tf, const struct fault_info *fi)
{
	char sym[96], line[256];
	uint32_t esp = (uint32_t)(tf + 1);      /* ring 0: no SS:ESP pushed */

	kprintf("\n");
	if (fi->vector == VEC_PAGE)
		describe_page_fault(fi);
	else
		kprintf("%s (vector %u, error code %#lx)\n",
			trap_name(fi->vector), fi->vector,
			(unsigned long)fi->err);
	for (unsigned i = 0; i < nexplainers; i++)
		if (explainers[i](tf, fi->addr, line, sizeof(line))) {
			kprintf("%s\n", line);
			break;
		}
	ksyms_format(tf->eip, sym, sizeof(sym));
	kprintf("  EIP=%08lx %s  EFLAGS=%08lx  err=%#lx\n",
		(unsigned long)tf->eip, sym, (unsigned long)tf->eflags,
		(unsigned long)tf->err);
	kprintf("  EAX=%08lx EBX=%08lx ECX=%08lx EDX=%08lx\n",
		(unsigned long)tf->eax, (unsigned long)tf->ebx,
		(unsigned long)tf->ecx, (unsigned long)tf->edx);
	kprintf("  ESI=%08lx EDI=%08lx EBP=%08lx ESP=%08lx\n",
		(unsigned long)tf->esi, (unsigned long)tf->edi,
		(unsigned long)tf->ebp, (unsigned long)esp);
	kprintf("  CR0=%08lx CR2=%08lx CR3=%08lx CS=%04lx DS=%04lx\n",
		(unsigned long)read_cr0(), (unsigned long)read_cr2(),
		(unsigned long)read_cr3(), (unsigned long)tf->cs,
		(unsigned long)tf->ds);
	kprintf("  backtrace:\n");
	backtrace_print(tf->eip, tf->ebp, "    ");
}

void fault_handle(struct trap_frame *tf)
{
	struct fault_info fi = {
		.vector = tf->vector, .err = tf->err, .eip = tf->eip,
		.addr = tf->vector == VEC_PAGE ? read_cr2() : 0,
	};
	struct fault_catch **slot, *fc;

	fault_count++;
	if (reporting++) {
		kprintf("\n%s at %08lx while handling a fault\n",
			trap_name(fi.vector), (unsigned long)fi.eip);
		panic_frame(tf, "fault in the fault handler");
	}
	slot = fault_catch_slot();
	fc = *slot;
	if (fc && fc->at_depth == irq_depth) {
		*slot = fc->prev;
		fc->info = fi;
		if (!fc->quiet)
			fault_report(tf, &fi);
		reporting--;
		/* Code that faulted with preemption disabled (a spinlock
		 * held) will never enable it again: undo that here, or the
		 * catching context could never sleep. */
		task_ops->set_preempt_count(fc->preempt_count);
		irqlock_set_depth(fc->lock_depth);
		klongjmp(&fc->jb, 1);
	}
	fault_report(tf, &fi);
	if (irq_depth == 0) {
		reporting--;
		task_ops->kill_current(tf,
				       &fi); /* returns only without a task */
		reporting++;
	}
	panic_frame(tf, "unrecoverable %s in %s", trap_name(fi.vector),
		    irq_depth ? "an interrupt handler" : "kernel code");
}
