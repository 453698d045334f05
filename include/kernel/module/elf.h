/*
 * <kernel/module/elf.h>: reading an ELF32 relocatable object (a .ko) safely.
 *
 * The module loader's pure half: it never trusts the file. Everything here
 * works on a byte buffer and plain integers (no paging, no heap, no locks),
 * so the same code is compiled into the host tests and the fuzzer.
 *
 *   elf_parse()     validate the header, every section header, the string
 *                   tables, the symbol table and every relocation entry;
 *   elf_layout()    place the SHF_ALLOC sections in three page-aligned
 *                   regions: text (r-x), rodata (r--), data + bss (rw-);
 *   elf_copy()      copy section bytes into the placed image;
 *   elf_relocate()  resolve symbols and apply R_386_32, R_386_PC32 and
 *                   R_386_PLT32 (the only types -fno-pic code needs);
 *   elf_symbol(), elf_section(), elf_section_name(), elf_find_section():
 *                   read validated entries by index.
 *
 * Errors: a negative code from <kernel/lib/errno.h> (-ENOEXEC for a malformed
 * or unsupported file, -ENOENT for an unknown symbol, -E2BIG for a module
 * too large) and one sentence in the caller's buffer, e.g.
 * "unsupported relocation R_386_GOTPC in .text+0x7; compile with -fno-pic".
 */
#ifndef KERNEL_ELF_H
#define KERNEL_ELF_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

/* ---- the on-disk structures (ELF32, little-endian) -------------------- */
struct elf32_ehdr {
	uint8_t  e_ident[16];
	uint16_t e_type, e_machine;
	uint32_t e_version, e_entry, e_phoff, e_shoff, e_flags;
	uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum,
		 e_shstrndx;
};

struct elf32_shdr {
	uint32_t sh_name, sh_type, sh_flags, sh_addr, sh_offset, sh_size,
		 sh_link, sh_info, sh_addralign, sh_entsize;
};

struct elf32_sym {
	uint32_t st_name, st_value, st_size;
	uint8_t  st_info, st_other;
	uint16_t st_shndx;
};

struct elf32_rel {
	uint32_t r_offset, r_info;
};

#define ET_REL 1
#define EM_386 3

#define SHT_NULL     0
#define SHT_PROGBITS 1
#define SHT_SYMTAB   2
#define SHT_STRTAB   3
#define SHT_RELA     4
#define SHT_NOTE     7
#define SHT_NOBITS   8
#define SHT_REL      9
#define SHT_INIT_ARRAY    14
#define SHT_FINI_ARRAY    15
#define SHT_PREINIT_ARRAY 16

#define SHF_WRITE     0x1
#define SHF_ALLOC     0x2
#define SHF_EXECINSTR 0x4

#define SHN_UNDEF     0
#define SHN_LORESERVE 0xff00
#define SHN_ABS       0xfff1
#define SHN_COMMON    0xfff2

#define STB_LOCAL  0
#define STB_GLOBAL 1
#define STB_WEAK   2
#define STT_NOTYPE  0
#define STT_OBJECT  1
#define STT_FUNC    2
#define STT_SECTION 3
#define STT_FILE    4
#define STT_COMMON  5
#define STT_TLS     6
#define ELF32_ST_BIND(i) ((i) >> 4)
#define ELF32_ST_TYPE(i) ((i) & 0xf)
#define ELF32_R_SYM(i)   ((i) >> 8)
#define ELF32_R_TYPE(i)  ((uint8_t)(i))

#define R_386_NONE  0
#define R_386_32    1
#define R_386_PC32  2
#define R_386_PLT32 4

/* Limits that keep every size computation far from overflow. */
#define ELF_MAX_SECTIONS 512
#define ELF_MAX_IMAGE    (4u << 20)     /* placed module: 4 MiB */
#define ELF_PAGE         4096u

/* Where a section goes in the placed image. */
enum elf_region { ELF_TEXT, ELF_RODATA, ELF_DATA, ELF_NREGIONS };
#define ELF_NOT_LOADED 0xffffffffu

/*
 * A validated file. Pointers point into the caller's buffer. elf_parse
 * checks that the section header table, the symbol table and every
 * relocation table are 4-byte aligned in memory (as ld writes them, and
 * as the boot loader and kmalloc place files), so they are read in place,
 * entry by entry, without copies.
 */
struct elf_file {
	const uint8_t *img;
	size_t size;
	uint32_t shnum;
	uint32_t shoff;
	const struct elf32_shdr *sh;    /* the section header table */
	const struct elf32_sym *syms;   /* the symbol table */
	const char *shstrtab;
	uint32_t shstrsz;
	uint32_t symtab;                /* section index of .symtab */
	uint32_t nsyms;
	const char *strtab;
	uint32_t strsz;
};

/* The placed image: three page-aligned regions, in this order. */
struct elf_layout {
	uint32_t off[ELF_NREGIONS];     /* byte offset of each region */
	uint32_t size[ELF_NREGIONS];    /* bytes used (data includes bss) */
	uint32_t total;                 /* bytes, a whole number of pages */
};

/*
 * Look a symbol up for relocation. Return: 0 with *addr set, or a negative
 * code (-ENOENT: unknown; the resolver may write its own sentence in err).
 */
typedef int (*elf_resolve_fn)(void *ctx, const char *name, uint32_t *addr,
			      char *err, size_t errlen);

/*
 * Validate the whole file. Return: 0 with *ef filled, or -ENOEXEC with a
 * sentence in err. Context: any; pure.
 */
int elf_parse(struct elf_file *ef, const void *img, size_t size, char *err,
	      size_t errlen);

/*
 * Place the SHF_ALLOC sections: sec_off[i] gets section i's offset in the
 * image, or ELF_NOT_LOADED. sec_off has ef->shnum entries.
 * Return: 0, -ENOEXEC (e.g. a writable and executable section) or -E2BIG.
 * Context: any; pure.
 */
/* Write a sentence to err (if any) and return code: how elf.c and
 * elf_link.c refuse a file. */
int elf_fail(char *err, size_t len, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

int elf_layout(const struct elf_file *ef, uint32_t *sec_off,
	       struct elf_layout *lay, char *err, size_t errlen);

/* Copy each placed PROGBITS section into mem (lay->total bytes, zeroed by
 * the caller, so bss is already zero). Context: any; pure. */
void elf_copy(const struct elf_file *ef, const uint32_t *sec_off,
	      uint8_t *mem);

/*
 * Apply every relocation that targets a placed section. mem is where the
 * image is written; load_addr is the address it runs at (they differ in
 * host tests). Return: 0, -ENOENT for an unresolved symbol, or -ENOEXEC.
 * Context: any (calls resolve).
 */
int elf_relocate(const struct elf_file *ef, const uint32_t *sec_off,
		 uint8_t *mem, uint32_t load_addr, elf_resolve_fn resolve,
		 void *ctx, char *err, size_t errlen);

/* Read validated entries (after a successful elf_parse).
 * Return: 0 or -EINVAL for a bad index. Context: any; pure. */
int elf_section(const struct elf_file *ef, uint32_t i, struct elf32_shdr *out);
int elf_symbol(const struct elf_file *ef, uint32_t i, struct elf32_sym *out,
	       const char **name);
/* Return: section i's header, in place. i must be < shnum.
 * Context: any; pure. */
static inline const struct elf32_shdr *elf_shdr(const struct elf_file *ef,
						uint32_t i)
{
	return &ef->sh[i];
}
/* Return: the section's name ("" if none). i must be < shnum.
 * Context: any; pure. */
const char *elf_section_name(const struct elf_file *ef, uint32_t i);
/* Return: the index of the first section called name, or 0 if none.
 * Context: any; pure. */
uint32_t elf_find_section(const struct elf_file *ef, const char *name);
/* Return: "R_386_GOTPC" for 10, "R_386_?" when unknown. Context: any. */
const char *elf_reloc_name(uint32_t type);

#endif
