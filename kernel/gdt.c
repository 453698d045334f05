/*
 * kernel/gdt.c: the segment descriptors, and a task for double faults.
 *
 * Quiesce runs everything in ring 0 with flat 4 GiB segments (0x08 code,
 * 0x10 data). One more thing needs the GDT: a kernel stack overflow. When a
 * task runs off its stack into the guard page, the CPU cannot push the page
 * fault's frame, and raises a double fault; if that were handled on the same
 * stack the machine would triple fault and reset without a word. So vector 8
 * is a task gate: the CPU switches to df_tss, with a stack of its own, and
 * df_task() reports what the overflowing context was doing.
 *
 * With several CPUs the GDT also holds one data segment per CPU, based at
 * its struct cpu (%fs: <kernel/cpu.h>), and a TSS for each application
 * processor.
 */
#include <kernel/trap.h>
#include <kernel/arch.h>
#include <kernel/cpu.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/ksyms.h>
#include <kernel/backtrace.h>
#include <kernel/lib/string.h>
#include <stdint.h>

struct tss {
	uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
	uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint32_t es, cs, ss, ds, fs, gs, ldt;
	uint16_t trap, iomap;
} __attribute__((packed));

#define SEL_KCODE  0x08
#define SEL_KDATA  0x10
#define SEL_TSS    0x18
#define SEL_DFTSS  0x20
/* Entries 5..5+MAX_CPUS-1: each CPU's %fs (its struct cpu); after them,
 * the application processors' TSSes (an AP needs a task register of its
 * own: the double fault's task gate saves the CPU's state into it). */
#define GDT_PERCPU 5
#define GDT_APTSS  (GDT_PERCPU + MAX_CPUS)
#define SEL(i)     ((uint16_t)((i) * 8))

static uint64_t gdt[GDT_APTSS + MAX_CPUS - 1];
static struct tss main_tss, df_tss, ap_tss[MAX_CPUS - 1];
static uint8_t df_stack[8192] __attribute__((aligned(16)));

static uint64_t descriptor(uint32_t base, uint32_t limit, uint8_t access,
			   uint8_t flags)
{
	uint64_t d = limit & 0xffff;

	d |= (uint64_t)(base & 0xffffff) << 16;
	d |= (uint64_t)access << 40;
	d |= (uint64_t)((limit >> 16) & 0xf) << 48;
	d |= (uint64_t)(flags & 0xf) << 52;
	d |= (uint64_t)(base >> 24) << 56;
	return d;
}

/* The TSS the CPU saved the overflowing context into: the task gate's
 * back link names it. */
static struct tss *df_interrupted(void)
{
	unsigned e = df_tss.link / 8;

	if (e >= GDT_APTSS && e < GDT_APTSS + MAX_CPUS - 1)
		return &ap_tss[e - GDT_APTSS];
	return &main_tss;
}

static void df_task(void)
{
	char sym[96];

	for (;;) {
		struct tss *t = df_interrupted();

		ksyms_format(t->eip, sym, sizeof(sym));
		pr_emerg(
		    "double fault: the CPU could not deliver an exception, "
		    "most likely a kernel stack overflow into a guard page");
		pr_emerg("  EIP=%08x %s ESP=%08x EBP=%08x CR2=%08x",
			 t->eip, sym, t->esp, t->ebp, read_cr2());
		backtrace_print(t->eip, t->ebp, "  ");
		panic("double fault");
	}
}

struct gdt_ptr {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

static void gdt_load(unsigned i, uint16_t tss);

void gdt_init(void)
{
	gdt[0] = 0;
	gdt[1] = descriptor(0, 0xfffff, 0x9a, 0xc);     /* ring 0 code */
	gdt[2] = descriptor(0, 0xfffff, 0x92, 0xc);     /* ring 0 data */
	gdt[3] = descriptor((uint32_t)&main_tss, sizeof(struct tss) - 1,
			    0x89, 0);
	gdt[4] = descriptor((uint32_t)&df_tss, sizeof(struct tss) - 1,
			    0x89, 0);

	memset(&df_tss, 0, sizeof(df_tss));
	df_tss.eip = (uint32_t)df_task;
	df_tss.esp = (uint32_t)(df_stack + sizeof(df_stack));
	df_tss.eflags = 0x2;
	df_tss.cs = SEL_KCODE;
	df_tss.ds = df_tss.es = df_tss.gs = df_tss.ss = SEL_KDATA;
	/* One double-fault task for all CPUs: it sees CPU 0's data. Two CPUs
	 * overflowing at once would find it busy (a triple fault). */
	df_tss.fs = SEL(GDT_PERCPU);
	df_tss.iomap = sizeof(struct tss);
	main_tss.iomap = sizeof(struct tss);

	for (unsigned i = 0; i < MAX_CPUS; i++)
		gdt_add_percpu(i, &cpus[i]);
	for (unsigned i = 0; i + 1 < MAX_CPUS; i++) {
		ap_tss[i].iomap = sizeof(struct tss);
		gdt[GDT_APTSS + i] = descriptor((uint32_t)&ap_tss[i],
						sizeof(struct tss) - 1,
						0x89, 0);
	}
	gdt_load(0, SEL_TSS);
}

uint16_t gdt_add_percpu(unsigned i, struct cpu *c)
{
	assert(i < MAX_CPUS);
	gdt[GDT_PERCPU + i] = descriptor((uint32_t)c, sizeof(*c) - 1, 0x92,
					 0x4);
	return SEL(GDT_PERCPU + i);
}

/* Load the GDT, the segments, %fs = CPU i's struct cpu, and the TSS. */
static void gdt_load(unsigned i, uint16_t tss)
{
	struct gdt_ptr p = { sizeof(gdt) - 1, (uint32_t)gdt };
	uint16_t fs = SEL(GDT_PERCPU + i);

	__asm__ volatile(
		"lgdt %0\n\t"
		"ljmp $0x08, $1f\n"
		"1:\n\t"
		"mov $0x10, %%ax\n\t"
		"mov %%ax, %%ds\n\t"
		"mov %%ax, %%es\n\t"
		"mov %%ax, %%gs\n\t"
		"mov %%ax, %%ss\n\t"
		"mov %1, %%fs\n\t"
		"ltr %2"
		: : "m"(p), "r"(fs), "r"(tss) : "eax", "memory");
}

void gdt_load_ap(unsigned i)
{
	assert(i >= 1 && i < MAX_CPUS);
	gdt_load(i, SEL(GDT_APTSS + i - 1));
}

/* The double-fault task must run on the page tables in force: call after
 * paging is enabled. */
void gdt_set_df_cr3(uint32_t cr3)
{
	df_tss.cr3 = cr3;
}
