/*
 * kernel/module/elf_link.c: placing and relocating a checked ELF32 .ko.
 *
 * Everything here runs after elf_parse() (kernel/module/elf.c) has checked
 * every header, offset, size and index, so entries are read without
 * further bounds checks; what can still be wrong is what only linking
 * sees (an undefined symbol, a relocation that points outside its
 * section's placed bytes), and that is refused with a sentence.
 *
 * Pure logic (see <kernel/module/elf.h>): compiled into the host tests and
 * the fuzzer with ASan and UBSan.
 */
#include <kernel/module/elf.h>
#include <kernel/lib/errno.h>
#include <kernel/lib/format.h>
#include <kernel/lib/string.h>

/* ---- elf_layout ------------------------------------------------------ */

static int region_of(const struct elf32_shdr *sh)
{
	if (sh->sh_flags & SHF_EXECINSTR)
		return ELF_TEXT;
	if (sh->sh_flags & SHF_WRITE)
		return ELF_DATA;
	return ELF_RODATA;
}

int elf_layout(const struct elf_file *ef, uint32_t *sec_off,
	       struct elf_layout *lay, char *err, size_t errlen)
{
	uint64_t cursor[ELF_NREGIONS] = { 0 }, total = 0;

	memset(lay, 0, sizeof(*lay));
	/* Data first, bss after it: two passes over the writable region. */
	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t i = 0; i < ef->shnum; i++) {
			const struct elf32_shdr *sh = &ef->sh[i];
			bool nobits;
			int r;

			if (pass == 0)
				sec_off[i] = ELF_NOT_LOADED;
			if (!(sh->sh_flags & SHF_ALLOC))
				continue;
			nobits = sh->sh_type == SHT_NOBITS;
			if (nobits != (pass == 1))
				continue;
			if ((sh->sh_flags & SHF_WRITE) &&
			    (sh->sh_flags & SHF_EXECINSTR))
				return elf_fail(err, errlen, -ENOEXEC,
					    "section %s is writable and "
					    "executable",
					    elf_section_name(ef, i));
			r = region_of(sh);
			if (sh->sh_addralign > 1)
				cursor[r] = (cursor[r] + sh->sh_addralign - 1) &
					    ~(uint64_t)(sh->sh_addralign - 1);
			sec_off[i] = (uint32_t)cursor[r];
			cursor[r] += sh->sh_size;
			if (cursor[r] > ELF_MAX_IMAGE)
				return elf_fail(err, errlen, -E2BIG,
						"the module "
						"is larger than %u bytes",
						ELF_MAX_IMAGE);
		}
	}
	for (int r = 0; r < ELF_NREGIONS; r++) {
		lay->off[r] = (uint32_t)total;
		lay->size[r] = (uint32_t)cursor[r];
		total += (cursor[r] + ELF_PAGE - 1) & ~(uint64_t)(ELF_PAGE - 1);
	}
	if (total == 0)
		return elf_fail(err, errlen, -ENOEXEC, "the module has no code "
			    "or data");
	if (total > ELF_MAX_IMAGE)
		return elf_fail(err, errlen, -E2BIG,
				"the module is larger than "
				"%u bytes",
				ELF_MAX_IMAGE);
	lay->total = (uint32_t)total;
	/* Region offsets were relative to their region until now. */
	for (uint32_t i = 0; i < ef->shnum; i++)
		if (sec_off[i] != ELF_NOT_LOADED)
			sec_off[i] += lay->off[region_of(&ef->sh[i])];
	return 0;
}

void elf_copy(const struct elf_file *ef, const uint32_t *sec_off,
	      uint8_t *mem)
{
	for (uint32_t i = 0; i < ef->shnum; i++) {
		const struct elf32_shdr *sh = &ef->sh[i];

		if (sec_off[i] != ELF_NOT_LOADED && sh->sh_type == SHT_PROGBITS)
			memcpy(mem + sec_off[i], ef->img + sh->sh_offset,
			       sh->sh_size);
	}
}

/* ---- elf_relocate ---------------------------------------------------- */

static int symbol_value(const struct elf_file *ef, uint32_t symi,
			const uint32_t *sec_off, uint32_t load_addr,
			elf_resolve_fn resolve, void *ctx, uint32_t *val,
			char *err, size_t len)
{
/* LAB(loader) BEGIN: the value of symbol symi (defined, absolute, imported) */
	const struct elf32_sym *sym = &ef->syms[symi];
	const char *name;
	int ret;

	if (symi == 0) {
		*val = 0;
		return 0;
	}
	if (sym->st_shndx == SHN_ABS) {
		*val = sym->st_value;
		return 0;
	}
	if (sym->st_shndx != SHN_UNDEF) {
		/* elf_parse checked: the section is loaded (SHF_ALLOC) */
		*val = load_addr + sec_off[sym->st_shndx] + sym->st_value;
		return 0;
	}
	name = ef->strtab + sym->st_name;
	ret = resolve(ctx, name, val, err, len);
	if (ret == -ENOENT && ELF32_ST_BIND(sym->st_info) == STB_WEAK) {
		*val = 0;       /* an unresolved weak reference is NULL */
		return 0;
	}
	if (ret == -ENOENT && err && len && !err[0])
		return elf_fail(err, len, -ENOENT, "unknown symbol '%s'", name);
	return ret;
/* LAB(loader) STUB
	return elf_fail(err, len, -ENOSYS, "resolving symbols is not "
			"written yet (lab 3)");
   LAB(loader) END */
}

int elf_relocate(const struct elf_file *ef, const uint32_t *sec_off,
		 uint8_t *mem, uint32_t load_addr, elf_resolve_fn resolve,
		 void *ctx, char *err, size_t errlen)
{
	uint32_t s, word, place;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	for (uint32_t i = 1; i < ef->shnum; i++) {
		const struct elf32_shdr *sh = &ef->sh[i];
		const struct elf32_rel *r;
		uint32_t base;

		if (sh->sh_type != SHT_REL ||
		    sec_off[sh->sh_info] == ELF_NOT_LOADED)
			continue;
		r = (const struct elf32_rel *)(ef->img + sh->sh_offset);
		base = sec_off[sh->sh_info];
		for (uint32_t k = 0; k < sh->sh_size / sizeof(*r); k++) {
			uint8_t *loc;

			if (ELF32_R_TYPE(r[k].r_info) == R_386_NONE)
				continue;
			ret = symbol_value(ef, ELF32_R_SYM(r[k].r_info),
					   sec_off, load_addr, resolve, ctx,
					   &s, err, errlen);
			if (ret)
				return ret;
			loc = mem + base + r[k].r_offset;
			place = load_addr + base + r[k].r_offset;
/* LAB(loader) BEGIN: apply one relocation: the word at loc, S, P */
			/* REL: the addend is the word in place, which may be
			 * unaligned: the builtin copies it with one load
			 * (plain memcpy is a call in a freestanding build). */
			__builtin_memcpy(&word, loc, 4);
			if (ELF32_R_TYPE(r[k].r_info) == R_386_32)
				word += s;
			else    /* PC32, PLT32: no PLT in a module, call S */
				word += s - place;
			__builtin_memcpy(loc, &word, 4);
/* LAB(loader) STUB
			(void)word; (void)place; (void)loc;
			return elf_fail(err, errlen, -ENOSYS, "applying "
					"relocations is not written yet "
					"(lab 3)");
   LAB(loader) END */
		}
	}
	return 0;
}
