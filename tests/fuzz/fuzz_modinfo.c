// fuzz-sources: kernel/module/elf.c kernel/module/elf_link.c kernel/lib/format.c kernel/module/module_meta.c kernel/lib/parse.c kernel/lib/string.c
// fuzz-flags: -m32 -D_GNU_SOURCE -include tests/fuzz/fuzz_host.h
/*
 * tests/fuzz/fuzz_modinfo.c: libFuzzer target for what a module says
 * about itself: the .modinfo strings (counting, depends, and what
 * modinfo prints) and insmod's key=value parameters.
 *
 * An ELF mutation almost never lands in .modinfo with something a parser
 * would find interesting, so this target keeps a valid module
 * (tests/fuzz/template_mod.c, built into the fuzzer), placed and
 * relocated once in the simulated module area (tests/fuzz/fuzz_loader.h),
 * and lets each input rewrite its .modinfo bytes there, in module memory,
 * where the kernel reads them, then set parameters from the rest:
 *
 *   input = MODINFO_BYTES [ "\n--\n" PARAMETER_WORDS ]
 *
 * The section keeps its size (the rest is zero-filled), so the loader's
 * own check decides whether the bytes are "a list of strings". Per input:
 * module_read_sections (hooks, .modinfo: counting must be boundary or
 * self, each depends must be a live module; .modparams, .kexports, the
 * symbol table), module_set_params (int, bool and string, with their
 * range and length checks), the tables read back; the module's data is
 * restored between inputs. Placing and relocating once keeps an input
 * cheap: fuzz_load runs that part on every input.
 *
 *	make fuzz FUZZ_TARGETS=fuzz_modinfo
 */
#include "fuzz_loader.h"

static const uint8_t template_ko[] = {
#include "fuzz_template.inc"
};
static struct elf_file ef;
static uint32_t *off;
static struct module *mod;
static uint8_t *info;                   /* .modinfo, in module memory */
static uint32_t info_size;
static uint8_t *data_copy;              /* the data region as relocated */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct elf_layout lay;
	char err[160];
	uint32_t i;

	mod = calloc(1, sizeof(*mod));
	strcpy(mod->name, "template");
	if (elf_parse(&ef, template_ko, sizeof(template_ko), err,
		      sizeof(err)) ||
	    !(i = elf_find_section(&ef, ".modinfo")))
		goto bad;
	off = malloc(ef.shnum * sizeof(*off));
	if (elf_layout(&ef, off, &lay, err, sizeof(err)) ||
	    area_alloc(&mod->mem, lay.total / PAGE_SIZE))
		goto bad;
	loading = mod;
	mod->text = mod->mem.base + lay.off[ELF_TEXT];
	mod->text_size = lay.size[ELF_TEXT];
	mod->rodata = mod->mem.base + lay.off[ELF_RODATA];
	mod->rodata_size = lay.size[ELF_RODATA];
	mod->data = mod->mem.base + lay.off[ELF_DATA];
	mod->data_size = lay.size[ELF_DATA];
	elf_copy(&ef, off, (uint8_t *)mod->mem.base);
	if (elf_relocate(&ef, off, (uint8_t *)mod->mem.base, mod->mem.base,
			 resolve, mod, err, sizeof(err)))
		goto bad;
	info = (uint8_t *)mod->mem.base + off[i];
	info_size = elf_shdr(&ef, i)->sh_size;
	data_copy = malloc(mod->data_size + 1);
	memcpy(data_copy, (void *)mod->data, mod->data_size);
	return 0;
bad:
	fprintf(stderr, "fuzz_modinfo: bad template: %s\n", err);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char sep[] = "\n--\n";
	const uint8_t *at = memmem(data, size, sep, 4);
	size_t n = at ? (size_t)(at - data) : size;
	char pbuf[256], *argv[16], err[160] = "";
	int argc = 0;

	if (verbose < 0)
		verbose = getenv("FUZZ_LOAD_VERBOSE") != NULL;
	mathlib_live = size % 2 == 0;
	memset(info, 0, info_size);
	memcpy(info, data, n < info_size ? n : info_size);
	memcpy((void *)mod->data, data_copy, mod->data_size);
	if (at) {
		n = size - n - 4;
		if (n >= sizeof(pbuf))
			n = sizeof(pbuf) - 1;
		memcpy(pbuf, at + 4, n);
		pbuf[n] = '\0';
		argc = parse_args(pbuf, argv, 16);
		if (argc < 0)
			argc = 0;
	}
	if (!module_read_sections(mod, &ef, off, err, sizeof(err)) &&
	    !module_set_params(mod, argc, argv, err, sizeof(err)))
		read_back(mod);
	assert(irqs_enabled());
	if (verbose)
		fprintf(stderr, "fuzz_load: %s\n", err[0] ? err : "loaded");
	free_tables(mod);
	return 0;
}
