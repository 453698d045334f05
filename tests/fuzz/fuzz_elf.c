// fuzz-sources: kernel/module/elf.c kernel/module/elf_link.c kernel/lib/format.c
/*
 * tests/fuzz/fuzz_elf.c: libFuzzer target for the module loader's ELF code.
 *
 * Runs the loader's pure half on each input: elf_parse, then (if the file
 * passed) elf_layout, elf_copy and elf_relocate into a buffer of exactly
 * the size the layout asked for, with a resolver that knows a few names
 * and refuses the rest. ASan and UBSan turn any out-of-bounds access,
 * overflow or misaligned load into a crash. Seeded from build/modules/.
 *
 *	make fuzz             (FUZZ_TIME=600 seconds by default)
 *	make fuzz-smoke       (a brief run, part of make test)
 */
#include <kernel/module/elf.h>
#include <kernel/lib/errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int resolve(void *ctx, const char *name, uint32_t *addr, char *err,
		   size_t len)
{
	if (name[0] == 'k' || name[0] == 'p' || name[0] == '_') {
		*addr = 0x00100000u + (uint32_t)strlen(name);
		return 0;
	}
	return -ENOENT;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_layout lay;
	struct elf_file ef;
	uint32_t *off;
	uint8_t *mem;
	char err[160];

	if (elf_parse(&ef, data, size, err, sizeof(err)))
		return 0;
	off = malloc(ef.shnum * sizeof(*off));
	if (!elf_layout(&ef, off, &lay, err, sizeof(err))) {
		mem = calloc(1, lay.total);
		elf_copy(&ef, off, mem);
		elf_relocate(&ef, off, mem, 0xd0000000u, resolve, NULL, err,
			     sizeof(err));
		free(mem);
	}
	free(off);
	return 0;
}
