/*
 * kernel/main.c: from the boot loader to the `quiesce> ` prompt.
 *
 * The order matters, and each step says why it comes where it does:
 *   1. serial first, so everything after it can report a failure;
 *   2. GDT and IDT, so a fault from here on gets a report, not a reset;
 *   3. copy what the boot loader handed over, before low RAM is reused;
 *   4. frames, paging (NULL and the boot stack guard now fault), heap;
 *   5. the PIC, the timer, the keyboard; interrupts on;
 *   6. init calls, level by level (scheduler, kthreads, modules...);
 *   7. the banner, the boot commands (run="..."), then the shell.
 */
#include <kernel/boot.h>
#include <kernel/console.h>
#include <kernel/init.h>
#include <kernel/multiboot.h>
#include <kernel/panic.h>
#include <kernel/parse.h>
#include <kernel/printk.h>
#include <kernel/shell.h>
#include <kernel/trap.h>
#include <kernel/arch.h>
#include <drivers/kbd.h>
#include <drivers/pic.h>
#include <drivers/pit.h>
#include <drivers/serial.h>
#include <drivers/vga.h>
#include <mm/heap.h>
#include <mm/pmm.h>
#include <mm/vmm.h>

extern const struct initcall __initcalls_start[], __initcalls_end[];
extern char _kernel_start[], _kernel_end[];

uint64_t boot_tsc_start, boot_tsc_prompt;
static char run_cmds[BOOT_CMDLINE_MAX];

static unsigned arg_u32(const char *key, unsigned dflt)
{
	char val[16];
	uint32_t v;

	if (boot_arg(key, val, sizeof(val)) || parse_u32(val, &v))
		return dflt;
	return v;
}

static void run_initcalls(void)
{
	for (const struct initcall *c = __initcalls_start; c < __initcalls_end;
	     c++) {
		int err = c->fn();

		if (err)
			pr_err("init: %s failed (%d)", c->name, err);
	}
}

/*
 * The first task: the scheduler runs it as the shell task. Without a
 * scheduler, kmain calls it directly.
 */
void kernel_shell_main(void)
{
	kprintf("\nQuiesce: a teaching kernel for safe module unloading.\n"
		"Type 'help' for commands. Under QEMU, Ctrl-A X quits.\n");
	boot_tsc_prompt = rdtsc();
	shell_boot_commands(run_cmds);
	shell_run();
}

/* The scheduler overrides this: it starts the idle and shell tasks. */
__attribute__((weak, noreturn)) void sched_start(void (*first)(void))
{
	first();
	for (;;)
		hlt();
}

void kmain(uint32_t magic, const struct multiboot_info *mbi)
{
	boot_tsc_start = rdtsc();
	serial_init();
	gdt_init();
	idt_init();
	if (magic != MULTIBOOT_BOOTLOADER_MAGIC)
		panic("not booted by a multiboot loader (magic %08lx)",
		      (unsigned long)magic);
	boot_info_copy(mbi);
	console_loglevel = arg_u32("loglevel", LOG_INFO);
	if (boot_arg("run", run_cmds, sizeof(run_cmds)))
		run_cmds[0] = '\0';

	pmm_init(mbi);
	vmm_init();
	heap_init();
	vga_init();
	pic_init();
	pit_init(arg_u32("hz", 1000));
	serial_enable_irq();
	kbd_init();
	sti();

	pr_info("quiesce: %lu KiB kernel at %p, %lu MiB RAM, %u boot modules, "
		"HZ=%u", (unsigned long)((_kernel_end - _kernel_start) >> 10),
		_kernel_start, (unsigned long)(pmm_total() >> 8),
		boot_file_count, hz);
	pr_info("cmdline: %s", boot_cmdline);
	run_initcalls();
	sched_start(kernel_shell_main);
}
