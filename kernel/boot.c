/*
 * kernel/boot.c: copy the multiboot command line and module list.
 */
#include <kernel/boot.h>
#include <kernel/multiboot.h>
#include <kernel/lib/parse.h>
#include <kernel/lib/string.h>
#include <kernel/printk.h>

char boot_cmdline[BOOT_CMDLINE_MAX];
struct boot_file boot_files[BOOT_MAX_MODULES];
unsigned boot_file_count;

/* "/modules/hello.ko" or "hello.ko" -> "hello" */
static void module_name(const char *cmdline, char *out, size_t len)
{
	const char *start = cmdline, *end;
	size_t n;

	for (end = cmdline; *end && *end != ' '; end++)
		if (*end == '/')
			start = end + 1;
	n = end - start;
	if (n > 3 && !strncmp(end - 3, ".ko", 3))
		n -= 3;
	if (n >= len)
		n = len - 1;
	memcpy(out, start, n);
	out[n] = '\0';
}

void boot_info_copy(const struct multiboot_info *mbi)
{
	if (mbi->flags & MB_INFO_CMDLINE)
		kstrlcpy(boot_cmdline, (const char *)mbi->cmdline,
			 sizeof(boot_cmdline));
	if (!(mbi->flags & MB_INFO_MODS))
		return;
	const struct multiboot_mod *mod = (const void *)mbi->mods_addr;

	for (uint32_t i = 0; i < mbi->mods_count; i++) {
		struct boot_file *f = &boot_files[boot_file_count];

		if (boot_file_count == BOOT_MAX_MODULES)
			break;
		module_name(mod[i].cmdline ? (const char *)mod[i].cmdline : "?",
			    f->name, sizeof(f->name));
		f->data = (const uint8_t *)mod[i].start;
		f->size = mod[i].end - mod[i].start;
		boot_file_count++;
	}
}

unsigned boot_files_keep_inside(uintptr_t lo, uintptr_t hi)
{
	unsigned kept = 0, dropped = 0;

	for (unsigned i = 0; i < boot_file_count; i++) {
		const struct boot_file *f = &boot_files[i];
		uintptr_t start = (uintptr_t)f->data;

		if (start >= lo && start < hi && f->size <= hi - start) {
			boot_files[kept++] = *f;
			continue;
		}
		pr_warn("boot: module file '%s' lies at %#lx-%#lx, outside the "
			"%lu MiB the kernel maps; it is left out", f->name,
			(unsigned long)start, (unsigned long)(start + f->size),
			(unsigned long)(hi >> 20));
		dropped++;
	}
	boot_file_count = kept;
	return dropped;
}

const struct boot_file *boot_file_find(const char *name)
{
	for (unsigned i = 0; i < boot_file_count; i++)
		if (!strcmp(boot_files[i].name, name))
			return &boot_files[i];
	return NULL;
}

int boot_arg(const char *key, char *val, size_t len)
{
	return cmdline_lookup(boot_cmdline, key, val, len);
}
