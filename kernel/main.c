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
 *
 * It is the top layer (scripts/layers): the one file that may include
 * every other layer, because it starts each of them in order.
 */
#include <kernel/boot.h>
#include <kernel/console.h>
#include <kernel/init.h>
#include <kernel/multiboot.h>
#include <kernel/panic.h>
#include <kernel/lib/parse.h>
#include <kernel/printk.h>
#include <kernel/shell.h>
#include <kernel/trap.h>
#include <kernel/arch.h>
#include <drivers/acpi.h>
#include <drivers/fbcon.h>
#include <drivers/kbd.h>
#include <drivers/pic.h>
#include <drivers/pit.h>
#include <drivers/poweroff.h>
#include <drivers/serial.h>
#include <drivers/vga.h>
#include <mm/heap.h>
#include <mm/pmm.h>
#include <mm/vmm.h>
#include <sched/kthread.h>
#include <sched/reaper.h>
#include <sched/sched.h>
#include <sched/task.h>

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
 * The scheduler, sleeps and every bounded wait count timer ticks: a
 * machine whose PIT does not interrupt (none, or IRQ 0 routed elsewhere)
 * would hang at the first sleep with nothing said. Wait for one tick,
 * bounded by the TSC (the CPU check in boot/entry.asm guarantees one).
 */
#define TICK_CHECK_CYCLES (4ull << 30)  /* about a second or more */

static void check_timer_ticks(void)
{
	uint64_t t0 = ticks_read(), c0 = rdtsc();

	while (ticks_read() == t0) {
		if (rdtsc() - c0 > TICK_CHECK_CYCLES)
			panic("no timer: the PIT (IRQ 0) did not tick in %lu "
			      "M TSC cycles; the scheduler and every sleep "
			      "need it", (unsigned long)(TICK_CHECK_CYCLES >>
							 20));
		cpu_relax();
	}
}

/* The first task: the banner, the boot commands, then the prompt. */
static int shell_main(void *arg)
{
	kprintf("\nQuiesce: a teaching kernel for safe module unloading.\n"
		"Type 'help' for commands. Under QEMU, Ctrl-A X quits.\n");
	boot_tsc_prompt = rdtsc();
	shell_boot_commands(run_cmds);
	shell_run();
}

static int shell_respawn_fn(void *arg)
{
	shell_run();
}

static void shell_exit_hook(struct task *t, void *arg);

/*
 * The console's task. It is never frozen: it must stay able to report
 * (and break) a freeze that went wrong, e.g. a deadlocked unload. If it
 * dies (an uncaught fault), the console gets a new one.
 */
static struct task *shell_task(int (*fn)(void *))
{
	struct task *s = kthread_create(fn, NULL, NULL, "shell");

	if (!s)
		return NULL;
	s->system = true;
	s->freezable = false;
	reaper_add_exit_hook(s, shell_exit_hook, NULL);
	return s;
}

static void shell_exit_hook(struct task *t, void *arg)
{
	struct task *s = shell_task(shell_respawn_fn);

	if (!s)
		return;
	kprintf("sched: the shell task exited; starting a new one\n");
	kthread_start(s);
}

/*
 * The screen: VGA text (a BIOS), or, when GRUB set a graphics mode (UEFI
 * has no text mode), the framebuffer console. Context: boot, paging on.
 */
static void screen_init(const struct fbcon_mode *fbm)
{
	void *fb;

	if (!fbm) {
		vga_init();
		return;
	}
	fb = vmm_map_device(fbm->phys, (size_t)fbm->pitch * fbm->height);
	if (!fb || fbcon_init(fb, fbm)) {
		pr_warn("fbcon: cannot draw on the %lux%lux%u framebuffer at "
			"%llx; the screen stays blank, the serial console "
			"works", (unsigned long)fbm->width,
			(unsigned long)fbm->height, fbm->bpp,
			(unsigned long long)fbm->phys);
		return;
	}
	pr_info("fbcon: %lux%lux%u framebuffer at %llx: %ux%u characters",
		(unsigned long)fbm->width, (unsigned long)fbm->height,
		fbm->bpp, (unsigned long long)fbm->phys, fbcon_cols(),
		fbcon_rows());
}

void kmain(uint32_t magic, const struct multiboot_info *mbi)
{
	struct fbcon_mode fbm;
	bool have_fb;
	struct task *shell;

	boot_tsc_start = rdtsc();
	gdt_init();             /* first: %fs = CPU 0's data, for `current` */
	serial_init();
	panic_set_poweroff(poweroff_qemu_exit);
	idt_init();
	if (magic != MULTIBOOT_BOOTLOADER_MAGIC)
		panic("not booted by a multiboot loader (magic %08lx)",
		      (unsigned long)magic);
	boot_info_copy(mbi);
	have_fb = fbcon_mode_from_multiboot(mbi, &fbm);
	console_loglevel = arg_u32("loglevel", LOG_INFO);
	if (boot_arg("run", run_cmds, sizeof(run_cmds)))
		run_cmds[0] = '\0';

	acpi_init(mbi);         /* paging is still off: any address reads */
	pmm_init(mbi);
	boot_files_keep_inside(0x100000, PMM_MAX_BYTES);
	vmm_init();
	heap_init();
	screen_init(have_fb ? &fbm : NULL);
	pic_init();
	pit_init(arg_u32("hz", 1000));
	serial_enable_irq();
	kbd_init();
	sti();
	check_timer_ticks();

	pr_info("quiesce: %lu KiB kernel at %p, %lu MiB RAM, %u boot modules, "
		"HZ=%u", (unsigned long)((_kernel_end - _kernel_start) >> 10),
		_kernel_start, (unsigned long)(pmm_total() >> 8),
		boot_file_count, hz);
	if (pmm_ignored_bytes())
		pr_info("pmm: %lu MiB of RAM above the %u MiB cap is not used",
			(unsigned long)(pmm_ignored_bytes() >> 20),
			PMM_MAX_BYTES >> 20);
	acpi_report();
	pr_info("cmdline: %s", boot_cmdline);
	run_initcalls();
	shell = shell_task(shell_main);
	if (!shell)
		panic("cannot create the shell task");
	sched_start(shell);
}
