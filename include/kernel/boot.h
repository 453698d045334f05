/*
 * <kernel/boot.h>: what the boot loader handed over, copied into the
 * kernel before memory management takes over low RAM.
 *
 * Boot modules are the .ko files on the ISO (GRUB `module` lines) or on
 * QEMU's -initrd list. Their bytes stay where the loader put them; those
 * frames are reserved. A module's name is its file name without ".ko".
 */
#ifndef KERNEL_BOOT_H
#define KERNEL_BOOT_H

#include <stddef.h>
#include <stdint.h>

#define BOOT_MAX_MODULES 64
#define BOOT_NAME_MAX 32
#define BOOT_CMDLINE_MAX 1024

struct boot_file {
	char name[BOOT_NAME_MAX];
	const uint8_t *data;
	size_t size;
};

extern char boot_cmdline[BOOT_CMDLINE_MAX];
extern struct boot_file boot_files[BOOT_MAX_MODULES];
extern unsigned boot_file_count;

struct multiboot_info;
/* Context: boot, before pmm_init. */
void boot_info_copy(const struct multiboot_info *mbi);
/* Return: the boot file called name, or NULL. Context: any. */
const struct boot_file *boot_file_find(const char *name);
/*
 * Drop the boot files that do not lie wholly inside [lo, hi) (the RAM the
 * kernel maps: a file GRUB placed above it would fault when read), each
 * with a warning naming it. Return: how many were dropped. Context: boot.
 */
unsigned boot_files_keep_inside(uintptr_t lo, uintptr_t hi);
/* Look up key=value on the kernel command line. Return: 0 or -ENOENT. */
int boot_arg(const char *key, char *val, size_t len);

#endif
