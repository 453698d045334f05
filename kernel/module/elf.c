/*
 * kernel/module/elf.c: validating an ELF32 .ko (placing and relocating it
 * is kernel/module/elf_link.c).
 *
 * The rule of this file: no byte of the file is used before it has been
 * checked against the file's size, and no index before it has been checked
 * against its table. elf_parse() checks everything once, up front, so the
 * later passes (layout, copy, relocate) can read entries without fear.
 * Every size sum is done in 64 bits, so a header saying "4 GiB at offset
 * 4 GiB" cannot wrap round into the buffer.
 *
 * Tables are read in place: elf_parse refuses a table that is not 4-byte
 * aligned (a hostile file may put one at an odd offset, and an unaligned
 * struct load is undefined behaviour in C), so every later read is one
 * load, not a copy. That matters: a small module has a few hundred
 * entries, and the loader reads them several times.
 *
 * Pure logic (see <kernel/module/elf.h>): compiled into the host tests and the
 * fuzzer with ASan and UBSan.
 */
#include <kernel/module/elf.h>
#include <kernel/lib/errno.h>
#include <kernel/lib/format.h>
#include <kernel/lib/string.h>

static const char elf_magic[4] = { 0x7f, 'E', 'L', 'F' };

int elf_fail(char *err, size_t len, int code, const char *fmt, ...)
{
	va_list ap;

	if (err && len) {
		va_start(ap, fmt);
		kvsnprintf(err, len, fmt, ap);
		va_end(ap);
	}
	return code;
}

/* True if [off, off + size) lies inside a buffer of total bytes. */
static bool inside(uint64_t off, uint64_t size, uint64_t total)
{
	return off <= total && size <= total - off;
}

static bool power_of_two_or_zero(uint32_t x)
{
	return (x & (x - 1)) == 0;
}

/* True if the table at offset off of the image may be read in place. */
static bool aligned4(const struct elf_file *ef, uint32_t off)
{
	return ((uintptr_t)ef->img + off) % 4 == 0;
}

const char *elf_reloc_name(uint32_t type)
{
	static const char *const names[] = {
		"R_386_NONE", "R_386_32", "R_386_PC32", "R_386_GOT32",
		"R_386_PLT32", "R_386_COPY", "R_386_GLOB_DAT",
		"R_386_JMP_SLOT", "R_386_RELATIVE", "R_386_GOTOFF",
		"R_386_GOTPC", "R_386_32PLT",
	};

	if (type < sizeof(names) / sizeof(names[0]))
		return names[type];
	switch (type) {
	case 20: return "R_386_16";
	case 21: return "R_386_PC16";
	case 22: return "R_386_8";
	case 23: return "R_386_PC8";
	case 43: return "R_386_GOT32X";
	}
	if (type >= 14 && type <= 42)
		return "R_386_TLS_*";
	return "R_386_?";
}

/* The relocation types that need a GOT or PLT: position-independent code. */
static bool reloc_is_pic(uint32_t type)
{
	return type == 3 || (type >= 5 && type <= 11) || type == 43;
}

const char *elf_section_name(const struct elf_file *ef, uint32_t i)
{
	uint32_t name = ef->sh[i].sh_name;

	return name < ef->shstrsz ? ef->shstrtab + name : "";
}

int elf_section(const struct elf_file *ef, uint32_t i, struct elf32_shdr *out)
{
	if (i >= ef->shnum)
		return -EINVAL;
	*out = ef->sh[i];
	return 0;
}

int elf_symbol(const struct elf_file *ef, uint32_t i, struct elf32_sym *out,
	       const char **name)
{
	if (i >= ef->nsyms)
		return -EINVAL;
	*out = ef->syms[i];
	if (name)
		*name = ef->strtab + out->st_name;
	return 0;
}

uint32_t elf_find_section(const struct elf_file *ef, const char *name)
{
	for (uint32_t i = 1; i < ef->shnum; i++)
		if (!strcmp(elf_section_name(ef, i), name))
			return i;
	return 0;
}

/* ---- elf_parse: every check, once ------------------------------------ */

static int check_header(struct elf_file *ef, const struct elf32_ehdr *eh,
			char *err, size_t len)
{
	if (memcmp(eh->e_ident, elf_magic, 4))
		return elf_fail(err, len, -ENOEXEC,
				"not an ELF file (bad magic)");
	if (eh->e_ident[4] != 1 || eh->e_ident[5] != 1 || eh->e_ident[6] != 1)
		return elf_fail(err, len, -ENOEXEC,
				"not a 32-bit little-endian "
				"ELF version 1 file");
	if (eh->e_type != ET_REL)
		return elf_fail(err, len, -ENOEXEC, "ELF type %u is not a "
			    "relocatable object (ET_REL); link with ld -r",
			    eh->e_type);
	if (eh->e_machine != EM_386)
		return elf_fail(err, len, -ENOEXEC, "machine %u is not i386",
			    eh->e_machine);
	if (eh->e_version != 1)
		return elf_fail(err, len, -ENOEXEC, "ELF version %lu is not 1",
			    (unsigned long)eh->e_version);
	if (eh->e_shentsize != sizeof(struct elf32_shdr))
		return elf_fail(err, len, -ENOEXEC, "section header size %u is "
			    "not %u", eh->e_shentsize,
			    (unsigned)sizeof(struct elf32_shdr));
	if (eh->e_shnum < 2 || eh->e_shnum > ELF_MAX_SECTIONS)
		return elf_fail(err, len, -ENOEXEC,
				"%u sections (expected 2 to "
				"%u)",
				eh->e_shnum, ELF_MAX_SECTIONS);
	if (!inside(eh->e_shoff, (uint64_t)eh->e_shnum * 40, ef->size))
		return elf_fail(err, len, -ENOEXEC, "the section header table "
			    "(offset %lu, %u entries) lies outside the "
			    "%lu-byte file", (unsigned long)eh->e_shoff,
			    eh->e_shnum, (unsigned long)ef->size);
	if (!aligned4(ef, eh->e_shoff))
		return elf_fail(err, len, -ENOEXEC, "the section header table "
			    "(offset %lu) is not 4-byte aligned",
			    (unsigned long)eh->e_shoff);
	if (eh->e_shstrndx == 0 || eh->e_shstrndx >= eh->e_shnum)
		return elf_fail(err, len, -ENOEXEC,
				"section name table index %u "
				"is out of range",
				eh->e_shstrndx);
	ef->shnum = eh->e_shnum;
	ef->shoff = eh->e_shoff;
	ef->sh = (const struct elf32_shdr *)(ef->img + eh->e_shoff);
	return 0;
}

/* A string table: inside the file and NUL-terminated. */
static int check_strtab(const struct elf_file *ef, uint32_t i,
			const char **tab, uint32_t *size, char *err, size_t len)
{
	const struct elf32_shdr *sh = &ef->sh[i];

	if (sh->sh_type != SHT_STRTAB || sh->sh_size == 0 ||
	    ef->img[sh->sh_offset + sh->sh_size - 1] != '\0')
		return elf_fail(err, len, -ENOEXEC, "section %lu is not a "
			    "NUL-terminated string table", (unsigned long)i);
	*tab = (const char *)ef->img + sh->sh_offset;
	*size = sh->sh_size;
	return 0;
}

static int check_section(struct elf_file *ef, uint32_t i, char *err,
			 size_t len)
{
	const struct elf32_shdr *sh = &ef->sh[i];

	if (sh->sh_type != SHT_NOBITS && sh->sh_type != SHT_NULL &&
	    !inside(sh->sh_offset, sh->sh_size, ef->size))
		return elf_fail(err, len, -ENOEXEC, "section %lu (offset %lu, "
			    "size %lu) lies outside the %lu-byte file",
			    (unsigned long)i, (unsigned long)sh->sh_offset,
			    (unsigned long)sh->sh_size,
			    (unsigned long)ef->size);
	if (!(sh->sh_flags & SHF_ALLOC))
		return 0;
	if (!power_of_two_or_zero(sh->sh_addralign) ||
	    sh->sh_addralign > ELF_PAGE)
		return elf_fail(err, len, -ENOEXEC, "section %lu has alignment "
			    "%lu (expected a power of two up to %u)",
			    (unsigned long)i, (unsigned long)sh->sh_addralign,
			    ELF_PAGE);
	if (sh->sh_size > ELF_MAX_IMAGE)
		return elf_fail(err, len, -E2BIG, "section %lu is %lu bytes "
			    "(at most %u)", (unsigned long)i,
			    (unsigned long)sh->sh_size, ELF_MAX_IMAGE);
	return 0;
}

/*
 * A loadable section must be code or data. The two other kinds a modern
 * gcc adds get a sentence that says what to change: constructors
 * (.init_array: the loader runs MODULE_INIT, nothing else) and the CET
 * property note (-fcf-protection, on by default in Ubuntu's gcc). Runs
 * after the section name table is checked, so the refusal names it.
 */
static int check_loadable_type(const struct elf_file *ef, uint32_t i,
			       char *err, size_t len)
{
	const struct elf32_shdr *sh = &ef->sh[i];
	const char *name = elf_section_name(ef, i);

	if (!(sh->sh_flags & SHF_ALLOC) || sh->sh_type == SHT_PROGBITS ||
	    sh->sh_type == SHT_NOBITS)
		return 0;
	if (sh->sh_type == SHT_INIT_ARRAY || sh->sh_type == SHT_FINI_ARRAY ||
	    sh->sh_type == SHT_PREINIT_ARRAY)
		return elf_fail(err, len, -ENOEXEC, "section '%s' holds "
			    "constructors, which the loader never runs; use "
			    "MODULE_INIT instead of __attribute__((constructor))",
			    name);
	if (sh->sh_type == SHT_NOTE)
		return elf_fail(err, len, -ENOEXEC, "section '%s' is a "
			    "loadable note (a CET property note); compile "
			    "with -fcf-protection=none", name);
	return elf_fail(err, len, -ENOEXEC, "loadable section '%s' (%lu) "
		    "has unsupported type %lu; only code and data "
		    "(PROGBITS, NOBITS) can be loaded", name, (unsigned long)i,
		    (unsigned long)sh->sh_type);
}

/* Symbol i: its name in the string table, its section in range. */
static int check_symbol(const struct elf_file *ef, uint32_t i, char *err,
			size_t len)
{
	const struct elf32_sym *sym = &ef->syms[i];
	const char *name;

	if (sym->st_name >= ef->strsz)
		return elf_fail(err, len, -ENOEXEC,
				"symbol %lu: name offset out "
				"of range",
				(unsigned long)i);
	name = ef->strtab + sym->st_name;
	if (sym->st_shndx == SHN_COMMON ||
	    ELF32_ST_TYPE(sym->st_info) == STT_COMMON)
		return elf_fail(err, len, -ENOEXEC, "symbol '%s' is COMMON; "
			    "compile with -fno-common", name);
	if (ELF32_ST_TYPE(sym->st_info) == STT_TLS)
		return elf_fail(err, len, -ENOEXEC,
				"symbol '%s' is thread-local; "
				"the kernel has no TLS",
				name);
	if (sym->st_shndx == SHN_UNDEF || sym->st_shndx == SHN_ABS)
		return 0;
	if (sym->st_shndx >= ef->shnum)
		return elf_fail(err, len, -ENOEXEC, "symbol '%s' is in section "
			    "%u, out of range", name, sym->st_shndx);
	if ((ef->sh[sym->st_shndx].sh_flags & SHF_ALLOC) &&
	    sym->st_value > ef->sh[sym->st_shndx].sh_size)
		return elf_fail(err, len, -ENOEXEC, "symbol '%s' lies past the "
			    "end of its section", name);
	return 0;
}

static int check_symbols(struct elf_file *ef, char *err, size_t len)
{
	const struct elf32_shdr *sh;
	uint32_t symtab = 0;
	int ret;

	for (uint32_t i = 1; i < ef->shnum; i++) {
		if (ef->sh[i].sh_type != SHT_SYMTAB)
			continue;
		if (symtab)
			return elf_fail(err, len, -ENOEXEC, "more than one "
				    "symbol table");
		symtab = i;
	}
	if (!symtab)
		return elf_fail(err, len, -ENOEXEC, "no symbol table (was the "
			    "module stripped?)");
	sh = &ef->sh[symtab];
	if (sh->sh_entsize != sizeof(struct elf32_sym) ||
	    sh->sh_size % sizeof(struct elf32_sym) || sh->sh_size == 0)
		return elf_fail(err, len, -ENOEXEC,
				"symbol table entry size %lu "
				"or size %lu is wrong",
				(unsigned long)sh->sh_entsize,
				(unsigned long)sh->sh_size);
	if (!aligned4(ef, sh->sh_offset))
		return elf_fail(err, len, -ENOEXEC, "the symbol table (offset "
			    "%lu) is not 4-byte aligned",
			    (unsigned long)sh->sh_offset);
	if (sh->sh_link == 0 || sh->sh_link >= ef->shnum)
		return elf_fail(err, len, -ENOEXEC, "symbol table names string "
			    "table %lu, out of range",
			    (unsigned long)sh->sh_link);
	ret = check_strtab(ef, sh->sh_link, &ef->strtab, &ef->strsz, err, len);
	if (ret)
		return ret;
	ef->symtab = symtab;
	ef->nsyms = sh->sh_size / sizeof(struct elf32_sym);
	ef->syms = (const struct elf32_sym *)(ef->img + sh->sh_offset);
	for (uint32_t i = 1; i < ef->nsyms; i++) {
		ret = check_symbol(ef, i, err, len);
		if (ret)
			return ret;
	}
	return 0;
}

/* Relocation ri of section rsec, which applies to section tsec. */
static int check_one_rel(const struct elf_file *ef, uint32_t ri,
			 uint32_t tsec, const struct elf32_rel *r, char *err,
			 size_t len)
{
	const struct elf32_shdr *target = &ef->sh[tsec];
	uint32_t type = ELF32_R_TYPE(r->r_info);
	uint32_t symi = ELF32_R_SYM(r->r_info);
	const struct elf32_sym *sym;

	if (symi >= ef->nsyms)
		return elf_fail(err, len, -ENOEXEC,
				"relocation %lu in %s names "
				"symbol %lu, out of range",
				(unsigned long)ri, elf_section_name(ef, tsec),
				(unsigned long)symi);
	if (target->sh_size < 4 || r->r_offset > target->sh_size - 4)
		return elf_fail(err, len, -ENOEXEC, "relocation %lu at %s+%#lx "
			    "lies outside the section", (unsigned long)ri,
			    elf_section_name(ef, tsec),
			    (unsigned long)r->r_offset);
	if (!(target->sh_flags & SHF_ALLOC))
		return 0;       /* debug info: validated, never applied */
	if (reloc_is_pic(type))
		return elf_fail(err, len, -ENOEXEC, "unsupported relocation %s "
			    "in %s+%#lx; compile with -fno-pic",
			    elf_reloc_name(type), elf_section_name(ef, tsec),
			    (unsigned long)r->r_offset);
	if (type != R_386_32 && type != R_386_PC32 && type != R_386_PLT32 &&
	    type != R_386_NONE)
		return elf_fail(err, len, -ENOEXEC, "unsupported relocation %s "
			    "(type %lu) in %s+%#lx", elf_reloc_name(type),
			    (unsigned long)type, elf_section_name(ef, tsec),
			    (unsigned long)r->r_offset);
	sym = &ef->syms[symi];
	if (symi == 0 || sym->st_shndx == SHN_UNDEF ||
	    sym->st_shndx == SHN_ABS)
		return 0;
	if (!(ef->sh[sym->st_shndx].sh_flags & SHF_ALLOC))
		return elf_fail(err, len, -ENOEXEC,
				"relocation %lu in %s refers "
				"to a section that is not loaded",
				(unsigned long)ri, elf_section_name(ef, tsec));
	return 0;
}

/* The header of relocation section i (SHT_REL). */
static int check_rel_section(const struct elf_file *ef, uint32_t i,
			     char *err, size_t len)
{
	const struct elf32_shdr *sh = &ef->sh[i], *target;

	if (sh->sh_entsize != sizeof(struct elf32_rel) ||
	    sh->sh_size % sizeof(struct elf32_rel))
		return elf_fail(err, len, -ENOEXEC,
				"relocation section %lu has "
				"a bad entry size",
				(unsigned long)i);
	if (!aligned4(ef, sh->sh_offset))
		return elf_fail(err, len, -ENOEXEC, "relocation section %lu "
			    "(offset %lu) is not 4-byte aligned",
			    (unsigned long)i, (unsigned long)sh->sh_offset);
	if (sh->sh_link != ef->symtab)
		return elf_fail(err, len, -ENOEXEC,
				"relocation section %lu does "
				"not use the symbol table",
				(unsigned long)i);
	if (sh->sh_info == 0 || sh->sh_info >= ef->shnum)
		return elf_fail(err, len, -ENOEXEC, "relocation section %lu "
			    "targets section %lu, out of range",
			    (unsigned long)i, (unsigned long)sh->sh_info);
	target = &ef->sh[sh->sh_info];
	if ((target->sh_flags & SHF_ALLOC) && target->sh_type == SHT_NOBITS)
		return elf_fail(err, len, -ENOEXEC, "relocations target a bss "
			    "section");
	return 0;
}

/*
 * Relocations of a section that is not loaded (debug info: most of a
 * small module's relocations) are only bounds-checked, never applied: the
 * quick loop does just that. Return: the index of the first bad one, for
 * check_one_rel to explain, or n.
 */
static uint32_t check_debug_rels(const struct elf_file *ef, uint32_t tsec,
				 const struct elf32_rel *r, uint32_t n)
{
	uint32_t size = ef->sh[tsec].sh_size, k;

	if (size < 4)
		return 0;
	for (k = 0; k < n; k++)
		if (ELF32_R_SYM(r[k].r_info) >= ef->nsyms ||
		    r[k].r_offset > size - 4)
			break;
	return k;
}

static int check_relocs(const struct elf_file *ef, char *err, size_t len)
{
	const struct elf32_rel *r;
	uint32_t n, k;
	int ret;

	for (uint32_t i = 1; i < ef->shnum; i++) {
		const struct elf32_shdr *sh = &ef->sh[i];

		if (sh->sh_type == SHT_RELA)
			return elf_fail(err, len, -ENOEXEC,
					"section %lu has RELA "
					"relocations, which i386 does not use",
					(unsigned long)i);
		if (sh->sh_type != SHT_REL)
			continue;
		ret = check_rel_section(ef, i, err, len);
		if (ret)
			return ret;
		r = (const struct elf32_rel *)(ef->img + sh->sh_offset);
		n = sh->sh_size / sizeof(*r);
		if (!(ef->sh[sh->sh_info].sh_flags & SHF_ALLOC))
			k = check_debug_rels(ef, sh->sh_info, r, n);
		else
			k = 0;
		for (; k < n; k++) {
			ret = check_one_rel(ef, k, sh->sh_info, &r[k], err,
					    len);
			if (ret)
				return ret;
		}
	}
	return 0;
}

int elf_parse(struct elf_file *ef, const void *img, size_t size, char *err,
	      size_t errlen)
{
	struct elf32_ehdr eh;
	int ret;

	*ef = (struct elf_file){ .img = img, .size = size };
	if (size < sizeof(eh))
		return elf_fail(err, errlen, -ENOEXEC, "the file is %lu bytes, "
			    "too short for an ELF header", (unsigned long)size);
	memcpy(&eh, img, sizeof(eh));
	ret = check_header(ef, &eh, err, errlen);
	if (ret)
		return ret;
	if (ef->sh[0].sh_type != SHT_NULL)
		return elf_fail(err, errlen, -ENOEXEC, "section 0 is not null");
	for (uint32_t i = 1; i < ef->shnum; i++) {
		ret = check_section(ef, i, err, errlen);
		if (ret)
			return ret;
	}
	ret = check_strtab(ef, eh.e_shstrndx, &ef->shstrtab, &ef->shstrsz,
			   err, errlen);
	if (ret)
		return ret;
	for (uint32_t i = 1; i < ef->shnum; i++) {
		ret = check_loadable_type(ef, i, err, errlen);
		if (ret)
			return ret;
	}
	ret = check_symbols(ef, err, errlen);
	if (ret)
		return ret;
	return check_relocs(ef, err, errlen);
}
