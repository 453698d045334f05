/*
 * kernel/syscmds.c: console commands about the machine itself:
 * mem, dmesg, poweroff, reboot, echo.
 */
#include <kernel/shell.h>
#include <kernel/console.h>
#include <kernel/errno.h>
#include <kernel/ktest.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <drivers/poweroff.h>
#include <mm/heap.h>
#include <mm/pmm.h>
#include <mm/vmm.h>

static int cmd_mem(int argc, char **argv)
{
	struct heap_stats st;

	heap_stats(&st);
	kprintf("frames: %lu used, %lu free, %lu total (4 KiB each)\n",
		(unsigned long)pmm_used(), (unsigned long)pmm_free_count(),
		(unsigned long)pmm_total());
	kprintf("heap:   %lu bytes in %lu allocations, %lu bytes free, "
		"%lu bytes mapped\n", (unsigned long)st.bytes_in_use,
		(unsigned long)st.allocations, (unsigned long)st.free_bytes,
		(unsigned long)st.arena_bytes);
	kprintf("vmap:   %lu pages (stacks and their guard pages)\n",
		(unsigned long)vmap_used_pages());
	return 0;
}
COMMAND(mem, "mem", "", "show frames and heap in use (for leak checks)",
	cmd_mem);

static int cmd_dmesg(int argc, char **argv)
{
	dmesg_dump();
	return 0;
}
COMMAND(dmesg, "dmesg", "", "print the kernel log", cmd_dmesg);

static int cmd_poweroff(int argc, char **argv)
{
	bool ok = ktest_total_failed == 0;

	kprintf("poweroff: %u test cases run, %u failed; exiting with %s\n",
		ktest_total_run, ktest_total_failed,
		ok ? "success (QEMU status 33)" : "failure (QEMU status 35)");
	poweroff(ok);
}
COMMAND(poweroff, "poweroff", "",
	"power off (QEMU exits 33 if every test passed, else 35)",
	cmd_poweroff);

static int cmd_reboot(int argc, char **argv)
{
	kprintf("rebooting\n");
	reboot();
}
COMMAND(reboot, "reboot", "", "reset the machine", cmd_reboot);

static int cmd_echo(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		kprintf("%s%s", argv[i], i + 1 < argc ? " " : "");
	kprintf("\n");
	return 0;
}
COMMAND(echo, "echo", "[WORDS...]", "print the words (for scripts and labs)",
	cmd_echo);
