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
 */
#include <kernel/trap.h>
#include <kernel/arch.h>
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

static uint64_t gdt[5];
static struct tss main_tss, df_tss;
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

static void df_task(void)
{
	char sym[96];

	for (;;) {
		ksyms_format(main_tss.eip, sym, sizeof(sym));
		pr_emerg(
		    "double fault: the CPU could not deliver an exception, "
		    "most likely a kernel stack overflow into a guard page");
		pr_emerg("  EIP=%08x %s ESP=%08x EBP=%08x CR2=%08x",
			 main_tss.eip, sym, main_tss.esp, main_tss.ebp,
			 read_cr2());
		backtrace_print(main_tss.eip, main_tss.ebp, "  ");
		panic("double fault");
	}
}

struct gdt_ptr {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

void gdt_init(void)
{
	struct gdt_ptr p = { sizeof(gdt) - 1, (uint32_t)gdt };

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
	df_tss.ds = df_tss.es = df_tss.fs = df_tss.gs = df_tss.ss = SEL_KDATA;
	df_tss.iomap = sizeof(struct tss);
	main_tss.iomap = sizeof(struct tss);

	__asm__ volatile(
		"lgdt %0\n\t"
		"ljmp $0x08, $1f\n"
		"1:\n\t"
		"mov $0x10, %%ax\n\t"
		"mov %%ax, %%ds\n\t"
		"mov %%ax, %%es\n\t"
		"mov %%ax, %%fs\n\t"
		"mov %%ax, %%gs\n\t"
		"mov %%ax, %%ss\n\t"
		"mov $0x18, %%ax\n\t"
		"ltr %%ax"
		: : "m"(p) : "eax", "memory");
}

/* The double-fault task must run on the page tables in force: call after
 * paging is enabled. */
void gdt_set_df_cr3(uint32_t cr3)
{
	df_tss.cr3 = cr3;
}
