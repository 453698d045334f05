/*
 * kernel/syscmds.c: console commands of the core: dmesg, echo.
 * (mem is in mm/mm_cmds.c, poweroff and reboot in drivers/poweroff.c.)
 */
#include <kernel/shell.h>
#include <kernel/console.h>
#include <kernel/lib/errno.h>
#include <kernel/ktest.h>
#include <kernel/printk.h>
#include <kernel/lib/string.h>

static int cmd_dmesg(int argc, char **argv)
{
	dmesg_dump();
	return 0;
}
COMMAND(dmesg, "dmesg", "", "print the kernel log", cmd_dmesg);

static int cmd_echo(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		kprintf("%s%s", argv[i], i + 1 < argc ? " " : "");
	kprintf("\n");
	return 0;
}
COMMAND(echo, "echo", "[WORDS...]", "print the words (for scripts and labs)",
	cmd_echo);
