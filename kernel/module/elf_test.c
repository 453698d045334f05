/*
 * kernel/module/elf_test.c: KTAP suite `elf`: the loader's ELF checks on the
 * real boot files, inside the kernel (the host tests do the heavy
 * damage; this proves the kernel build of elf.c agrees).
 */
#include <kernel/module/elf.h>
#include <kernel/boot.h>
#include <kernel/lib/errno.h>
#include <kernel/ktest.h>
#include <kernel/lib/string.h>
#include <mm/heap.h>

/* The samples the ELF checks themselves refuse (the other bad_ ones
 * are well-formed files that fail later: init, symbols, exports). */
static bool bad(const char *name)
{
	return !strcmp(name, "bad_truncated") || !strcmp(name, "bad_bitflip") ||
	       !strcmp(name, "bad_reloc") || !strcmp(name, "bad_common") ||
	       !strcmp(name, "bad_ctor") || !strcmp(name, "bad_cet");
}

static void elf_parse_accepts_good_files(struct ktest *t)
{
	struct elf_layout lay;
	struct elf_file ef;
	uint32_t *off;
	char err[160];
	unsigned n = 0;

	for (unsigned i = 0; i < boot_file_count; i++) {
		const struct boot_file *bf = &boot_files[i];

		if (bad(bf->name))
			continue;
		KEXPECT_EQ(t, elf_parse(&ef, bf->data, bf->size, err,
					sizeof(err)), 0);
		off = kmalloc(ef.shnum * sizeof(*off));
		KASSERT(t, off);
		KEXPECT_EQ(t, elf_layout(&ef, off, &lay, err, sizeof(err)), 0);
		KEXPECT(t, lay.total > 0 && lay.total % ELF_PAGE == 0);
		kfree(off);
		n++;
	}
	KEXPECT(t, n > 0);             /* module files on the medium */
}

static void elf_parse_refuses_damaged_files(struct ktest *t)
{
	struct elf_file ef;
	char err[160];
	unsigned n = 0;

	for (unsigned i = 0; i < boot_file_count; i++) {
		if (!bad(boot_files[i].name))
			continue;
		KEXPECT_EQ(t, elf_parse(&ef, boot_files[i].data,
					boot_files[i].size, err,
					sizeof(err)), -ENOEXEC);
		n++;
	}
	KEXPECT(t, n > 0);             /* damaged files on the medium */
}

static void elf_parse_refuses_every_truncation(struct ktest *t)
{
	const struct boot_file *bf = ktest_need_file(t, "hello");
	struct elf_file ef;
	char err[160];

	for (size_t n = 0; n < bf->size; n++)
		KEXPECT_EQ(t, elf_parse(&ef, bf->data, n, err, sizeof(err)),
			   -ENOEXEC);
}

KTEST_SUITE(elf,
	KTEST_CASE(elf_parse_accepts_good_files),
	KTEST_CASE(elf_parse_refuses_damaged_files),
	KTEST_CASE(elf_parse_refuses_every_truncation));
