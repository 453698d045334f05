// fuzz-sources: kernel/module/elf.c kernel/module/elf_link.c kernel/lib/format.c kernel/module/module_meta.c kernel/lib/parse.c kernel/lib/string.c
// fuzz-flags: -m32 -D_GNU_SOURCE -include tests/fuzz/fuzz_host.h
/*
 * tests/fuzz/fuzz_modinfo.c: libFuzzer target for what a module says
 * about itself: the .modinfo strings (counting, depends, and what
 * modinfo prints) and insmod's key=value parameters.
 *
 * An ELF mutation almost never lands in .modinfo with something a parser
 * would find interesting, so this target keeps a valid module
 * (tests/fuzz/template_mod.c, built into the fuzzer) and lets the input
 * rewrite its .modinfo section in place, then sets parameters from the
 * rest of the input:
 *
 *   input = MODINFO_BYTES [ "\n--\n" PARAMETER_WORDS ]
 *
 * The section keeps its size (the rest is zero-filled), so the loader's
 * own check decides whether the bytes are "a list of strings". Then the
 * shared pipeline of tests/fuzz/fuzz_loader.h runs: relocation, every
 * section read (depends is looked up, counting must be boundary or
 * self), parameters set (int, bool and string, with their range and
 * length checks), modinfo read back.
 *
 *	make fuzz FUZZ_TARGETS=fuzz_modinfo
 */
#include "fuzz_loader.h"

static const uint8_t template_ko[] = {
#include "fuzz_template.inc"
};
static uint8_t *image;
static uint32_t info_off, info_size;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct elf_file ef;
	char err[160];
	uint32_t i;

	if (elf_parse(&ef, template_ko, sizeof(template_ko), err,
		      sizeof(err)) ||
	    !(i = elf_find_section(&ef, ".modinfo"))) {
		fprintf(stderr, "fuzz_modinfo: bad template: %s\n", err);
		abort();
	}
	info_off = elf_shdr(&ef, i)->sh_offset;
	info_size = elf_shdr(&ef, i)->sh_size;
	image = malloc(sizeof(template_ko));
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char sep[] = "\n--\n";
	char pbuf[256], *argv[16];
	size_t info = size, n;
	int argc = 0;

	const uint8_t *at = memmem(data, size, sep, 4);

	if (at)
		info = (size_t)(at - data);
	memcpy(image, template_ko, sizeof(template_ko));
	memset(image + info_off, 0, info_size);
	memcpy(image + info_off, data, info < info_size ? info : info_size);
	if (info < size) {
		n = size - info - 4;
		if (n >= sizeof(pbuf))
			n = sizeof(pbuf) - 1;
		memcpy(pbuf, data + info + 4, n);
		pbuf[n] = '\0';
		argc = parse_args(pbuf, argv, 16);
		if (argc < 0)
			argc = 0;
	}
	fuzz_load_image(image, sizeof(template_ko), argc, argv);
	return 0;
}
