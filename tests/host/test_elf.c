// host-sources: kernel/module/elf.c kernel/module/elf_link.c kernel/lib/format.c
/*
 * tests/host/test_elf.c: the module loader's ELF checks, on the host.
 *
 * Base input: real modules (argv, default build/modules/{hello,counter,
 * mathuser}.ko). Each test damages a copy in one precise way and checks
 * the exact refusal; the sweeps (truncation at every offset, every bit of
 * the headers flipped) only demand that nothing crashes or reads out of
 * bounds: each buffer is malloc'd at its exact size, so ASan sees a
 * one-byte over-read.
 */
#include "host.h"
#include <kernel/module/elf.h>
#include <kernel/lib/errno.h>
#include <stdint.h>

#define LOAD_ADDR 0xd0000000u

struct blob {
	uint8_t *p;
	size_t n;
};

static struct blob base;                /* hello.ko */
static const char *paths[8];
static int npaths;

static struct blob read_file(const char *path)
{
	struct blob b = { 0 };
	FILE *f = fopen(path, "rb");

	if (!f) {
		fprintf(stderr, "test_elf: cannot open %s (build the modules "
			"first: make modules)\n", path);
		exit(2);
	}
	fseek(f, 0, SEEK_END);
	b.n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b.p = malloc(b.n);
	if (fread(b.p, 1, b.n, f) != b.n)
		exit(2);
	fclose(f);
	return b;
}

static struct blob copy(struct blob b, size_t n)
{
	struct blob c = { malloc(n ? n : 1), n };

	memcpy(c.p, b.p, n < b.n ? n : b.n);
	return c;
}

/* Pointers into a copy, for damaging it. */
static struct elf32_ehdr *ehdr(struct blob b)
{
	return (struct elf32_ehdr *)b.p;
}

static struct elf32_shdr *shdr(struct blob b, unsigned i)
{
	return (struct elf32_shdr *)(b.p + ehdr(b)->e_shoff) + i;
}

static unsigned find_sec(struct blob b, const char *name)
{
	struct elf32_shdr *str = shdr(b, ehdr(b)->e_shstrndx);

	for (unsigned i = 1; i < ehdr(b)->e_shnum; i++)
		if (!strcmp((char *)b.p + str->sh_offset + shdr(b, i)->sh_name,
			    name))
			return i;
	return 0;
}

static unsigned find_type(struct blob b, uint32_t type)
{
	for (unsigned i = 1; i < ehdr(b)->e_shnum; i++)
		if (shdr(b, i)->sh_type == type)
			return i;
	return 0;
}

static int resolve_any(void *ctx, const char *name, uint32_t *addr,
		       char *err, size_t len)
{
	*addr = 0x00100000u + (uint32_t)strlen(name);
	return 0;
}

static int resolve_none(void *ctx, const char *name, uint32_t *addr,
			char *err, size_t len)
{
	return -ENOENT;
}

/* Parse, lay out, copy and relocate; returns the first error. */
static int load(struct blob b, char *err, size_t len, elf_resolve_fn fn)
{
	struct elf_layout lay;
	struct elf_file ef;
	uint32_t *off;
	uint8_t *mem;
	int ret;

	err[0] = '\0';
	ret = elf_parse(&ef, b.p, b.n, err, len);
	if (ret)
		return ret;
	off = malloc(ef.shnum * sizeof(*off));
	ret = elf_layout(&ef, off, &lay, err, len);
	if (!ret) {
		mem = calloc(1, lay.total);
		elf_copy(&ef, off, mem);
		ret = elf_relocate(&ef, off, mem, LOAD_ADDR, fn, NULL, err,
				   len);
		free(mem);
	}
	free(off);
	return ret;
}

static int try_load(struct blob b, char *err)
{
	return load(b, err, 160, resolve_any);
}

TEST(elf_accepts_every_sample)
{
	char err[160];

	for (int i = 0; i < npaths; i++) {
		struct blob b = read_file(paths[i]);
		int ret = try_load(b, err);

		if (ret)
			fprintf(stderr, "  %s: %s\n", paths[i], err);
		CHECK_EQ(ret, 0);
		free(b.p);
	}
}

TEST(elf_relocates_correctly)
{
	struct elf32_sym sym;
	struct elf_layout lay;
	struct elf_file ef;
	uint32_t off[ELF_MAX_SECTIONS], word, hook, text = 0;
	const char *name;
	char err[160];
	uint8_t *mem;

	CHECK_EQ(elf_parse(&ef, base.p, base.n, err, sizeof(err)), 0);
	CHECK_EQ(elf_layout(&ef, off, &lay, err, sizeof(err)), 0);
	CHECK_EQ(lay.total % ELF_PAGE, 0);
	CHECK_EQ(lay.off[ELF_TEXT], 0);
	mem = calloc(1, lay.total);
	elf_copy(&ef, off, mem);
	CHECK_EQ(elf_relocate(&ef, off, mem, LOAD_ADDR, resolve_any, NULL, err,
			      sizeof(err)), 0);
	/* .modhook.init holds &hello_init: an R_386_32 to a local symbol */
	hook = elf_find_section(&ef, ".modhook.init");
	CHECK(hook != 0);
	for (uint32_t i = 1; i < ef.nsyms; i++) {
		elf_symbol(&ef, i, &sym, &name);
		if (!strcmp(name, "hello_init"))
			text = LOAD_ADDR + off[sym.st_shndx] + sym.st_value;
	}
	CHECK(text != 0);
	memcpy(&word, mem + off[hook], 4);
	CHECK_EQ(word, text);
	/* placed sections are aligned and inside the image */
	for (uint32_t i = 0; i < ef.shnum; i++) {
		struct elf32_shdr sh;

		elf_section(&ef, i, &sh);
		if (off[i] == ELF_NOT_LOADED)
			continue;
		CHECK(sh.sh_addralign <= 1 || off[i] % sh.sh_addralign == 0);
		CHECK(off[i] + sh.sh_size <= lay.total);
	}
	free(mem);
}

TEST(elf_truncated_at_every_offset)
{
	char err[160];

	for (size_t n = 0; n < base.n; n++) {
		struct blob c = copy(base, n);

		CHECK(try_load(c, err) < 0);
		free(c.p);
	}
}

/* Flip every bit of the ELF header and the section headers: never a
 * crash, never an out-of-bounds read (whatever the verdict). */
TEST(elf_bitflips_never_crash)
{
	char err[160];
	size_t shoff = ehdr(base)->e_shoff;
	size_t regions[2][2] = { { 0, sizeof(struct elf32_ehdr) },
				 { shoff, base.n } };
	unsigned accepted = 0, refused = 0;

	for (int r = 0; r < 2; r++)
		for (size_t i = regions[r][0]; i < regions[r][1]; i++)
			for (int bit = 0; bit < 8; bit++) {
				struct blob c = copy(base, base.n);

				c.p[i] ^= 1u << bit;
				if (try_load(c, err))
					refused++;
				else
					accepted++;
				free(c.p);
			}
	printf("# bitflips: %u refused, %u harmless\n", refused, accepted);
	CHECK(refused > 0);
}

#define EXPECT_REFUSED(c, code, text)                                     \
	do {                                                              \
		char __e[160];                                            \
		CHECK_EQ(try_load(c, __e), code);                         \
		if (!strstr(__e, text)) {                                 \
			fprintf(stderr, "  message: \"%s\" lacks \"%s\"\n",\
				__e, text);                               \
			host_failed_checks++;                             \
		}                                                         \
		free(c.p);                                                \
	} while (0)

TEST(elf_rejects_bad_headers)
{
	struct blob c;

	c = copy(base, base.n); c.p[0] = 0;
	EXPECT_REFUSED(c, -ENOEXEC, "bad magic");
	c = copy(base, base.n); c.p[4] = 2;
	EXPECT_REFUSED(c, -ENOEXEC, "32-bit");
	c = copy(base, base.n); ehdr(c)->e_type = 2;
	EXPECT_REFUSED(c, -ENOEXEC, "not a relocatable");
	c = copy(base, base.n); ehdr(c)->e_machine = 62;
	EXPECT_REFUSED(c, -ENOEXEC, "not i386");
	c = copy(base, base.n); ehdr(c)->e_shentsize = 64;
	EXPECT_REFUSED(c, -ENOEXEC, "section header size");
	c = copy(base, base.n); ehdr(c)->e_shnum = 0;
	EXPECT_REFUSED(c, -ENOEXEC, "sections");
	c = copy(base, base.n); ehdr(c)->e_shnum = 0xffff;
	EXPECT_REFUSED(c, -ENOEXEC, "sections");
	c = copy(base, base.n); ehdr(c)->e_shoff = 0xfffffff0u;
	EXPECT_REFUSED(c, -ENOEXEC, "lies outside");
	c = copy(base, base.n); ehdr(c)->e_shstrndx = ehdr(c)->e_shnum;
	EXPECT_REFUSED(c, -ENOEXEC, "out of range");
	c = copy(base, 20);
	EXPECT_REFUSED(c, -ENOEXEC, "too short");
}

TEST(elf_rejects_bad_sections)
{
	struct blob c;
	unsigned i;

	/* offset + size wraps round 2^32 */
	c = copy(base, base.n); i = find_sec(c, ".text");
	shdr(c, i)->sh_offset = 0xfffffff0u; shdr(c, i)->sh_size = 0x20;
	EXPECT_REFUSED(c, -ENOEXEC, "lies outside");
	c = copy(base, base.n); i = find_sec(c, ".text");
	shdr(c, i)->sh_size = base.n;
	EXPECT_REFUSED(c, -ENOEXEC, "lies outside");
	c = copy(base, base.n); i = find_sec(c, ".bss");
	shdr(c, i)->sh_size = 0x7fffffff;       /* NOBITS: no file bytes */
	EXPECT_REFUSED(c, -E2BIG, "bytes");
	c = copy(base, base.n); i = find_sec(c, ".text");
	shdr(c, i)->sh_addralign = 3;
	EXPECT_REFUSED(c, -ENOEXEC, "alignment");
	c = copy(base, base.n); i = find_sec(c, ".data");
	shdr(c, i)->sh_flags |= SHF_EXECINSTR;
	EXPECT_REFUSED(c, -ENOEXEC, "writable and executable");
	c = copy(base, base.n); i = ehdr(c)->e_shstrndx;
	c.p[shdr(c, i)->sh_offset + shdr(c, i)->sh_size - 1] = 'x';
	EXPECT_REFUSED(c, -ENOEXEC, "NUL-terminated");
	c = copy(base, base.n); i = find_type(c, SHT_SYMTAB);
	c.p[shdr(c, shdr(c, i)->sh_link)->sh_offset +
	    shdr(c, shdr(c, i)->sh_link)->sh_size - 1] = 'x';
	EXPECT_REFUSED(c, -ENOEXEC, "NUL-terminated");
	c = copy(base, base.n); i = find_type(c, SHT_SYMTAB);
	shdr(c, i)->sh_type = SHT_PROGBITS;
	EXPECT_REFUSED(c, -ENOEXEC, "no symbol table");
	c = copy(base, base.n); i = find_type(c, SHT_SYMTAB);
	shdr(c, i)->sh_link = 999;
	EXPECT_REFUSED(c, -ENOEXEC, "out of range");
	c = copy(base, base.n); i = find_sec(c, ".text");
	shdr(c, i)->sh_type = 14;               /* INIT_ARRAY */
	EXPECT_REFUSED(c, -ENOEXEC, "section '.text' holds constructors");
	c = copy(base, base.n); i = find_sec(c, ".text");
	shdr(c, i)->sh_type = 7;                /* NOTE: a CET note */
	EXPECT_REFUSED(c, -ENOEXEC, "compile with -fcf-protection=none");
	c = copy(base, base.n); i = find_sec(c, ".text");
	shdr(c, i)->sh_type = 6;                /* DYNAMIC */
	EXPECT_REFUSED(c, -ENOEXEC, "loadable section '.text'");
}

static struct elf32_sym *sym_at(struct blob b, unsigned k)
{
	unsigned i = find_type(b, SHT_SYMTAB);

	return (struct elf32_sym *)(b.p + shdr(b, i)->sh_offset) + k;
}

/* The index of the first function symbol (defined in a section). */
static unsigned defined_global(struct blob b)
{
	unsigned i = find_type(b, SHT_SYMTAB);
	unsigned n = shdr(b, i)->sh_size / sizeof(struct elf32_sym);

	for (unsigned k = 1; k < n; k++)
		if (sym_at(b, k)->st_shndx != SHN_UNDEF &&
		    ELF32_ST_TYPE(sym_at(b, k)->st_info) == STT_FUNC)
			return k;
	return 0;
}

TEST(elf_rejects_bad_symbols)
{
	struct blob c;
	unsigned k;

	c = copy(base, base.n); k = defined_global(c);
	CHECK(k != 0);
	sym_at(c, k)->st_shndx = 400;
	EXPECT_REFUSED(c, -ENOEXEC, "out of range");
	c = copy(base, base.n); k = defined_global(c);
	sym_at(c, k)->st_name = 0xffffff00u;
	EXPECT_REFUSED(c, -ENOEXEC, "name offset");
	c = copy(base, base.n); k = defined_global(c);
	sym_at(c, k)->st_shndx = SHN_COMMON;
	EXPECT_REFUSED(c, -ENOEXEC, "compile with -fno-common");
	c = copy(base, base.n); k = defined_global(c);
	sym_at(c, k)->st_value = 0x7fffffff;
	EXPECT_REFUSED(c, -ENOEXEC, "past the end");
	c = copy(base, base.n); k = defined_global(c);
	sym_at(c, k)->st_info = (STB_GLOBAL << 4) | STT_TLS;
	EXPECT_REFUSED(c, -ENOEXEC, "thread-local");
}

static struct elf32_rel *rel_text(struct blob b, unsigned k)
{
	unsigned i = find_sec(b, ".rel.text");

	return (struct elf32_rel *)(b.p + shdr(b, i)->sh_offset) + k;
}

TEST(elf_rejects_bad_relocations)
{
	struct blob c;
	unsigned i;

	c = copy(base, base.n);
	rel_text(c, 0)->r_info = (rel_text(c, 0)->r_info & ~0xffu) | 10;
	EXPECT_REFUSED(c, -ENOEXEC, "R_386_GOTPC in .text+0x");
	c = copy(base, base.n);
	rel_text(c, 0)->r_info = (rel_text(c, 0)->r_info & ~0xffu) | 10;
	EXPECT_REFUSED(c, -ENOEXEC, "compile with -fno-pic");
	c = copy(base, base.n);
	rel_text(c, 0)->r_info = (rel_text(c, 0)->r_info & ~0xffu) | 43;
	EXPECT_REFUSED(c, -ENOEXEC, "R_386_GOT32X");
	c = copy(base, base.n);
	rel_text(c, 0)->r_info = (rel_text(c, 0)->r_info & ~0xffu) | 20;
	EXPECT_REFUSED(c, -ENOEXEC, "unsupported relocation R_386_16");
	c = copy(base, base.n);
	rel_text(c, 0)->r_info = (rel_text(c, 0)->r_info & ~0xffu) | 99;
	EXPECT_REFUSED(c, -ENOEXEC, "type 99");
	c = copy(base, base.n);
	rel_text(c, 0)->r_info = (0xffffffu << 8) | R_386_32;
	EXPECT_REFUSED(c, -ENOEXEC, "out of range");
	c = copy(base, base.n); i = find_sec(c, ".text");
	rel_text(c, 0)->r_offset = shdr(c, i)->sh_size - 3;
	EXPECT_REFUSED(c, -ENOEXEC, "outside the section");
	c = copy(base, base.n);
	rel_text(c, 0)->r_offset = 0xfffffffeu;
	EXPECT_REFUSED(c, -ENOEXEC, "outside the section");
	c = copy(base, base.n); i = find_sec(c, ".rel.text");
	shdr(c, i)->sh_info = 999;
	EXPECT_REFUSED(c, -ENOEXEC, "out of range");
	c = copy(base, base.n); i = find_sec(c, ".rel.text");
	shdr(c, i)->sh_info = find_sec(c, ".bss");
	EXPECT_REFUSED(c, -ENOEXEC, "bss");
	c = copy(base, base.n); i = find_sec(c, ".rel.text");
	shdr(c, i)->sh_entsize = 12;
	EXPECT_REFUSED(c, -ENOEXEC, "entry size");
	c = copy(base, base.n); i = find_sec(c, ".rel.text");
	shdr(c, i)->sh_type = SHT_RELA;
	EXPECT_REFUSED(c, -ENOEXEC, "RELA");
	c = copy(base, base.n); i = find_sec(c, ".rel.text");
	shdr(c, i)->sh_link = 1;
	EXPECT_REFUSED(c, -ENOEXEC, "symbol table");
}

/* Debug info relocations are only bounds-checked (a quicker loop): still
 * every one of them. */
TEST(elf_rejects_bad_debug_relocations)
{
	struct blob c;
	struct elf32_rel *r;

	c = copy(base, base.n);
	r = (struct elf32_rel *)(c.p + shdr(c, find_sec(c,
		".rel.debug_info"))->sh_offset);
	r[3].r_offset = 0xfffffffeu;
	EXPECT_REFUSED(c, -ENOEXEC, "relocation 3 at .debug_info+0xfffffffe "
		       "lies outside the section");
	c = copy(base, base.n);
	r = (struct elf32_rel *)(c.p + shdr(c, find_sec(c,
		".rel.debug_info"))->sh_offset);
	r[5].r_info = (0xffffffu << 8) | R_386_32;
	EXPECT_REFUSED(c, -ENOEXEC, "relocation 5 in .debug_info names "
		       "symbol 16777215, out of range");
}

/* Tables are read in place: each must be 4-byte aligned. */
TEST(elf_rejects_unaligned_tables)
{
	struct blob c;

	c = copy(base, base.n); ehdr(c)->e_shoff -= 2;
	EXPECT_REFUSED(c, -ENOEXEC, "section header table (offset");
	c = copy(base, base.n); ehdr(c)->e_shoff -= 2;
	EXPECT_REFUSED(c, -ENOEXEC, "is not 4-byte aligned");
	c = copy(base, base.n);
	shdr(c, find_type(c, SHT_SYMTAB))->sh_offset += 2;
	EXPECT_REFUSED(c, -ENOEXEC, "symbol table (offset");
	c = copy(base, base.n);
	shdr(c, find_sec(c, ".rel.text"))->sh_offset += 1;
	EXPECT_REFUSED(c, -ENOEXEC, "is not 4-byte aligned");
}

TEST(elf_reports_unknown_symbol)
{
	char err[160];

	CHECK_EQ(load(base, err, sizeof(err), resolve_none), -ENOENT);
	CHECK(strstr(err, "unknown symbol '") == err);
}

TEST(elf_names_relocations)
{
	CHECK_STREQ(elf_reloc_name(1), "R_386_32");
	CHECK_STREQ(elf_reloc_name(10), "R_386_GOTPC");
	CHECK_STREQ(elf_reloc_name(9), "R_386_GOTOFF");
	CHECK_STREQ(elf_reloc_name(200), "R_386_?");
}

int main(int argc, char **argv)
{
	static const char *defaults[] = { "build/modules/hello.ko",
		"build/modules/counter.ko", "build/modules/mathuser.ko",
		"build/modules/ticker.ko" };

	for (int i = 1; i < argc && npaths < 8; i++)
		paths[npaths++] = argv[i];
	if (!npaths)
		for (unsigned i = 0; i < 4; i++)
			paths[npaths++] = defaults[i];
	base = read_file(paths[0]);
	RUN(elf_accepts_every_sample);
	RUN(elf_relocates_correctly);
	RUN(elf_truncated_at_every_offset);
	RUN(elf_bitflips_never_crash);
	RUN(elf_rejects_bad_headers);
	RUN(elf_rejects_bad_sections);
	RUN(elf_rejects_bad_symbols);
	RUN(elf_rejects_bad_relocations);
	RUN(elf_rejects_bad_debug_relocations);
	RUN(elf_rejects_unaligned_tables);
	RUN(elf_reports_unknown_symbol);
	RUN(elf_names_relocations);
	free(base.p);
	return host_done();
}
