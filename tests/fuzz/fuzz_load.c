// fuzz-sources: kernel/module/elf.c kernel/module/elf_link.c kernel/lib/format.c kernel/module/module_meta.c kernel/lib/parse.c kernel/lib/string.c
// fuzz-flags: -m32 -D_GNU_SOURCE -include tests/fuzz/fuzz_host.h
/*
 * tests/fuzz/fuzz_load.c: libFuzzer target for the module loader's layout,
 * relocation and section reading, against a simulated module area
 * (tests/fuzz/fuzz_loader.h says what runs).
 *
 * Each input is a .ko image, optionally followed by "\nPARAMS\n" and
 * insmod's key=value words. Seeded from the built modules (build/modules).
 *
 *	make fuzz FUZZ_TARGETS=fuzz_load
 */
#include "fuzz_loader.h"

/* "a=1 b=x" from the input's tail, split at blanks into argv. */
static int params_from(const uint8_t *data, size_t size, char *buf,
		       size_t len, char **argv, int max)
{
	static const char mark[] = "\nPARAMS\n";
	const uint8_t *p = NULL;
	size_t n;

	p = memmem(data, size, mark, sizeof(mark) - 1);
	if (p)
		p += sizeof(mark) - 1;
	if (!p)
		return 0;
	n = size - (size_t)(p - data);
	if (n >= len)
		n = len - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	n = (size_t)parse_args(buf, argv, max);
	return (int)n < 0 ? 0 : (int)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char pbuf[256], *argv[16];
	int argc = params_from(data, size, pbuf, sizeof(pbuf), argv, 16);

	fuzz_load_image(data, size, argc, argv);
	return 0;
}
