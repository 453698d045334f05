/*
 * kernel/module/module_meta.c: reading what a module declares about itself.
 *
 * After relocation the loader reads the module's own sections, in place
 * in module memory, and trusts none of them: every pointer found there
 * must point into the module (a string must end inside it, a hook must be
 * in its text, a parameter in its data).
 *   .modhook.{init,register,unregister,cleanup}  one function pointer each
 *   .modinfo      "key=value" strings: description, author, license,
 *                 depends (checked: each must be live), counting
 *   .modparams    struct module_param[]: set from insmod's key=value
 *   .kexports.*   struct kexport[]: copied to one array; a name the kernel
 *                 or another module already exports refuses the load
 * It also builds the module's symbol table (sorted by address) for
 * backtraces ("sym+0xoff [NAME]"), graves and gdb.
 *
 * Interface (internal.h): module_read_sections, module_set_params,
 * module_sym_resolve.
 */
#include <kernel/module/module.h>
#include "internal.h"
#include <kernel/arch.h>
#include <kernel/module/elf.h>
#include <kernel/ksyms.h>
#include <kernel/lib/parse.h>
#include <mm/pmm.h>

/* ---- reading the module's own sections ------------------------------- */

static uintptr_t mod_end(const struct module *m)
{
	return m->mem.base + m->mem.pages * PAGE_SIZE;
}

/* A pointer found in module data must be a string inside the module. */
static bool valid_string(const struct module *m, const char *s)
{
	uintptr_t p = (uintptr_t)s;

	return module_contains(m, p) &&
	       strnlen(s, mod_end(m) - p) < mod_end(m) - p;
}

static bool in_text(const struct module *m, uintptr_t p)
{
	return p >= m->text && p < m->text + m->text_size;
}

static bool in_data(const struct module *m, uintptr_t p, uint32_t size)
{
	return p >= m->data && size <= m->data_size &&
	       p - m->data <= m->data_size - size;
}

/* The address of a placed section's bytes, and its size. */
static void *placed(const struct module *m, const struct elf_file *ef,
		    const uint32_t *sec_off, uint32_t i, uint32_t *size)
{
	*size = elf_shdr(ef, i)->sh_size;
	if (sec_off[i] == ELF_NOT_LOADED)
		return NULL;
	return (void *)(m->mem.base + sec_off[i]);
}

/* The same for a section read as an array of structs with pointers: a
 * file may ask for alignment 1 and so place it at an odd address, and a
 * misaligned struct load is undefined behaviour (found by fuzz_load).
 * Return: NULL when not placed or not 4-byte aligned. */
static void *placed_table(const struct module *m, const struct elf_file *ef,
			  const uint32_t *sec_off, uint32_t i, uint32_t *size)
{
	void *p = placed(m, ef, sec_off, i, size);

	return (uintptr_t)p % sizeof(void *) ? NULL : p;
}

/* The sections the loader reads, found in one pass over the headers (a
 * small module has some thirty sections, most of them debug info). */
enum { HOOK_INIT, HOOK_REGISTER, HOOK_UNREGISTER, HOOK_CLEANUP, NHOOKS };

static const char *const hook_names[NHOOKS] = {
	"init", "register", "unregister", "cleanup" };

struct meta_sections {
	uint32_t hook[NHOOKS];          /* 0: absent */
	uint32_t modinfo, params;
	uint32_t nexports;              /* .kexports.* sections */
};

static void find_sections(const struct elf_file *ef, struct meta_sections *ms)
{
	memset(ms, 0, sizeof(*ms));
	for (uint32_t i = 1; i < ef->shnum; i++) {
		const char *name = elf_section_name(ef, i);

		/* Cheap first: almost every name fails at its 2nd byte. */
		if (name[0] != '.' || (name[1] != 'm' && name[1] != 'k'))
			continue;
		if (!strncmp(name, ".kexports", 9)) {
			ms->nexports++;
		} else if (!strncmp(name, ".modhook.", 9)) {
			for (int h = 0; h < NHOOKS; h++)
				if (!ms->hook[h] &&
				    !strcmp(name + 9, hook_names[h]))
					ms->hook[h] = i;
		} else if (!ms->modinfo && !strcmp(name, ".modinfo")) {
			ms->modinfo = i;
		} else if (!ms->params && !strcmp(name, ".modparams")) {
			ms->params = i;
		}
	}
}

static int read_hook(struct module *m, const struct elf_file *ef,
		     const uint32_t *sec_off, uint32_t i, const char *kind,
		     void **hook, char *err, size_t len)
{
	uint32_t size;
	void **p;

	*hook = NULL;
	if (!i)
		return 0;
	p = placed_table(m, ef, sec_off, i, &size);
	if (!p || size != sizeof(void *) || !in_text(m, (uintptr_t)*p))
		return ksnprintf(err, len, "the %s hook is not a function of "
				 "the module", kind), -ENOEXEC;
	*hook = *p;
	return 0;
}

/* (Here, not in module.c, so the fuzzer's build of this file is whole.) */
const char *module_info_get(const char *info, size_t size, const char *key)
{
	size_t klen = strlen(key);

	for (size_t off = 0; off < size; off += strlen(info + off) + 1)
		if (!strncmp(info + off, key, klen) && info[off + klen] == '=')
			return info + off + klen + 1;
	return NULL;
}

static int read_modinfo(struct module *m, const struct elf_file *ef,
			const uint32_t *sec_off, uint32_t i, char *err,
			size_t len)
{
	const char *info, *counting, *deps;
	uint32_t size;

	if (!i)
		return 0;
	info = placed(m, ef, sec_off, i, &size);
	if (!info || (size && info[size - 1]))
		return ksnprintf(err, len, "the .modinfo section is not a "
				 "list of strings"), -ENOEXEC;
	m->modinfo = info;
	m->modinfo_size = size;
	counting = module_info_get(info, size, "counting");
	if (counting && !strcmp(counting, "self"))
		m->counting = MODULE_COUNT_SELF;
	else if (counting && strcmp(counting, "boundary"))
		return ksnprintf(err, len, "counting '%s' is neither "
				 "'boundary' nor 'self'", counting), -EINVAL;
	deps = module_info_get(info, size, "depends");
	while (deps && *deps) {
		char dep[MODULE_NAME_MAX];
		size_t n = strchr(deps, ',') ? (size_t)(strchr(deps, ',') -
							deps) : strlen(deps);
		struct module *d;

		kstrlcpy(dep, deps, n + 1 < sizeof(dep) ? n + 1 : sizeof(dep));
		deps += n + (deps[n] == ',');
		d = module_find(dep);
		if (!d || d->state != MODULE_LIVE)
			return ksnprintf(err, len, "depends on module '%s', "
					 "which is not loaded; insmod %s first",
					 dep, dep), -ENOENT;
		uint32_t f = irq_save();
		int ret = module_add_use_irqoff(m, d);

		irq_restore(f);
		if (ret)
			return ret;
	}
	return 0;
}

static int read_params(struct module *m, const struct elf_file *ef,
		       const uint32_t *sec_off, uint32_t i, char *err,
		       size_t len)
{
	const struct module_param *p;
	uint32_t size;

	if (!i)
		return 0;
	p = placed_table(m, ef, sec_off, i, &size);
	if (!p || size % sizeof(*p))
		goto bad;
	for (uint32_t k = 0; k < size / sizeof(*p); k++)
		if (!valid_string(m, p[k].name) ||
		    !valid_string(m, p[k].desc) ||
		    p[k].type > MODULE_PARAM_STR || p[k].size == 0 ||
		    !in_data(m, (uintptr_t)p[k].ptr, p[k].size))
			goto bad;
	m->params = p;
	m->nparams = size / sizeof(*p);
	return 0;
bad:
	ksnprintf(err, len, "the .modparams section is malformed");
	return -ENOEXEC;
}

/* Exports: copied into one array (there is one section per symbol). */
static int read_exports(struct module *m, const struct elf_file *ef,
			const uint32_t *sec_off, uint32_t nsections,
			char *err, size_t len)
{
	struct kexport *out;
	uint32_t n = 0, size;
	uintptr_t a;

	if (!nsections)
		return 0;
	/* Usually one symbol a section; the sizes are checked below. */
	for (uint32_t i = 1; i < ef->shnum; i++)
		if (!strncmp(elf_section_name(ef, i), ".kexports", 9))
			n += elf_shdr(ef, i)->sh_size / sizeof(*out);
	out = kmalloc(n * sizeof(*out) + 1);
	if (!out)
		return -ENOMEM;
	m->exports = out;
	for (uint32_t i = 1; i < ef->shnum; i++) {
		const struct kexport *e;

		if (strncmp(elf_section_name(ef, i), ".kexports", 9))
			continue;
		e = placed_table(m, ef, sec_off, i, &size);
		if (!e || size % sizeof(*e))
			goto bad;
		for (uint32_t k = 0; k < size / sizeof(*e); k++) {
			if (!valid_string(m, e[k].name) ||
			    !module_contains(m, (uintptr_t)e[k].addr))
				goto bad;
			out[m->nexports++] = e[k];
		}
	}
	for (uint32_t k = 0; k < m->nexports; k++) {
		const char *name = m->exports[k].name;
		struct module *other = NULL;
		uint32_t f;

		for (uint32_t j = 0; j < k; j++)
			if (!strcmp(m->exports[j].name, name))
				other = m;
		f = irq_save();
		if (!other && !kexport_lookup(name))
			other = module_export_irqoff(name, &a, m);
		irq_restore(f);
		if (other || kexport_lookup(name))
			return ksnprintf(err, len, "symbol '%s' is already "
					 "exported by %s", name,
					 other ? other->name : "the kernel"),
			       -EEXIST;
	}
	return 0;
bad:
	ksnprintf(err, len, "an export table entry points outside the "
		  "module");
	return -ENOEXEC;
}

/* ---- the module's symbol table (backtraces, graves, gdb) ------------- */

static bool keep_symbol(const struct elf32_sym *s, const char *name,
			const uint32_t *sec_off)
{
	uint8_t t = ELF32_ST_TYPE(s->st_info);

	return name[0] && (t == STT_FUNC || t == STT_OBJECT ||
			   t == STT_NOTYPE) &&
	       s->st_shndx != SHN_UNDEF && s->st_shndx < SHN_LORESERVE &&
	       sec_off[s->st_shndx] != ELF_NOT_LOADED;
}

/* Append name to m->strings. Return: the copy. */
static const char *add_string(struct module *m, uint32_t *used,
			      const char *name)
{
	char *copy = m->strings + *used;
	size_t n = strlen(name) + 1;

	memcpy(copy, name, n);
	*used += n;
	return copy;
}

static int build_symbols(struct module *m, const struct elf_file *ef,
			 const uint32_t *sec_off)
{
	uint32_t nsyms = 0, nsecs = 0, bytes = 0, used = 0;
	const struct elf32_sym *s;
	const char *name;

	/* First count, to allocate exactly (the tables live as long as
	 * the module). */
	for (uint32_t i = 1; i < ef->nsyms; i++) {
		s = &ef->syms[i];
		name = ef->strtab + s->st_name;
		if (keep_symbol(s, name, sec_off)) {
			nsyms++;
			bytes += strlen(name) + 1;
		}
	}
	for (uint32_t i = 1; i < ef->shnum; i++)
		if (sec_off[i] != ELF_NOT_LOADED) {
			nsecs++;
			bytes += strlen(elf_section_name(ef, i)) + 1;
		}
	m->syms = kmalloc(nsyms * sizeof(*m->syms) + 1);
	m->sections = kmalloc(nsecs * sizeof(*m->sections) + 1);
	m->strings = kmalloc(bytes + 1);
	if (!m->syms || !m->sections || !m->strings)
		return -ENOMEM;         /* the caller frees all three */
	for (uint32_t i = 1; i < ef->nsyms; i++) {
		struct module_sym *ms = m->syms;
		uint32_t k, addr;

		s = &ef->syms[i];
		name = ef->strtab + s->st_name;
		if (!keep_symbol(s, name, sec_off))
			continue;
		/* insertion sort by address: O(n^2), fine for small modules */
		addr = m->mem.base + sec_off[s->st_shndx] + s->st_value;
		for (k = m->nsyms++; k > 0 && ms[k - 1].addr > addr; k--)
			ms[k] = ms[k - 1];
		ms[k] = (struct module_sym){ addr, s->st_size,
					     add_string(m, &used, name) };
	}
	for (uint32_t i = 1; i < ef->shnum; i++)
		if (sec_off[i] != ELF_NOT_LOADED)
			m->sections[m->nsections++] = (struct module_section){
				add_string(m, &used, elf_section_name(ef, i)),
				m->mem.base + sec_off[i] };
	return 0;
}

bool module_sym_resolve(uintptr_t addr, struct ksym *out)
{
	struct module *m = module_of_addr(addr);
	const struct module_sym *best = NULL;

	if (!m)
		return false;
	for (uint32_t i = 0; i < m->nsyms; i++)
		if (m->syms[i].addr <= addr)
			best = &m->syms[i];
	if (!best)
		return false;
	out->name = best->name;
	out->off = addr - best->addr;
	out->owner = m->name;
	return true;
}

/* ---- parameters ------------------------------------------------------ */

static int parse_int(const char *s, int *out)
{
	uint32_t v;
	bool neg = s[0] == '-';

	if (parse_u32(s + neg, &v) || v > (neg ? 0x80000000u : 0x7fffffffu))
		return -EINVAL;
	*out = neg ? (int)(0u - v) : (int)v;
	return 0;
}

static int set_param(const struct module_param *p, const char *val,
		     char *err, size_t len)
{
	int v;

	switch (p->type) {
	case MODULE_PARAM_INT:
		if (parse_int(val, &v))
			break;
		*(int *)p->ptr = v;
		return 0;
	case MODULE_PARAM_BOOL:
		if (strcmp(val, "1") && strcmp(val, "0") &&
		    strcmp(val, "true") && strcmp(val, "false"))
			break;
		*(bool *)p->ptr = val[0] == '1' || val[0] == 't';
		return 0;
	default:
		if (strlen(val) >= p->size)
			return ksnprintf(err, len, "parameter '%s': the value "
					 "is longer than %lu characters",
					 p->name, (unsigned long)p->size - 1),
			       -E2BIG;
		kstrlcpy(p->ptr, val, p->size);
		return 0;
	}
	ksnprintf(err, len, "parameter '%s': '%s' is not %s", p->name, val,
		  p->type == MODULE_PARAM_INT ? "a number" : "0/1/true/false");
	return -EINVAL;
}

int module_set_params(struct module *m, int argc, char **argv, char *err,
		      size_t len)
{
	for (int a = 0; a < argc; a++) {
		const char *eq = strchr(argv[a], '=');
		const struct module_param *p = NULL;
		int ret;

		if (!eq)
			return ksnprintf(err, len, "'%s' is not key=value",
					 argv[a]), -EINVAL;
		for (uint32_t i = 0; i < m->nparams && !p; i++)
			if (!strncmp(m->params[i].name, argv[a],
				     eq - argv[a]) &&
			    !m->params[i].name[eq - argv[a]])
				p = &m->params[i];
		if (!p)
			return ksnprintf(err, len, "unknown parameter '%.*s'; "
					 "'modinfo %s' lists them",
					 (int)(eq - argv[a]), argv[a],
					 m->name), -EINVAL;
		ret = set_param(p, eq + 1, err, len);
		if (ret)
			return ret;
	}
	return 0;
}

int module_read_sections(struct module *m, const struct elf_file *ef,
			 const uint32_t *sec_off, char *msg, size_t len)
{
	void **hooks[NHOOKS] = { (void **)&m->init, (void **)&m->reg,
				 (void **)&m->unreg, (void **)&m->cleanup };
	struct meta_sections ms;
	int ret = 0;

	find_sections(ef, &ms);
	for (int h = 0; h < NHOOKS && !ret; h++)
		ret = read_hook(m, ef, sec_off, ms.hook[h], hook_names[h],
				hooks[h], msg, len);
	if (!ret)
		ret = read_modinfo(m, ef, sec_off, ms.modinfo, msg, len);
	if (!ret)
		ret = read_params(m, ef, sec_off, ms.params, msg, len);
	if (!ret)
		ret = read_exports(m, ef, sec_off, ms.nexports, msg, len);
	if (!ret && (ret = build_symbols(m, ef, sec_off)))
		ksnprintf(msg, len, "out of memory for the symbol table");
	return ret;
}
