/*
 * kernel/module_meta.c: reading what a module declares about itself.
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
 * Interface (module_priv.h): module_read_sections, module_set_params,
 * module_sym_resolve.
 */
#include <kernel/module.h>
#include "module_priv.h"
#include <kernel/arch.h>
#include <kernel/elf.h>
#include <kernel/ksyms.h>
#include <kernel/parse.h>
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

	return module_contains(m, p) && strnlen(s, mod_end(m) - p) < mod_end(m) - p;
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
	struct elf32_shdr sh;

	elf_section(ef, i, &sh);
	*size = sh.sh_size;
	if (sec_off[i] == ELF_NOT_LOADED)
		return NULL;
	return (void *)(m->mem.base + sec_off[i]);
}

static int read_hook(struct module *m, const struct elf_file *ef,
		     const uint32_t *sec_off, const char *kind, void **hook,
		     char *err, size_t len)
{
	char sec[24];
	uint32_t i, size;
	void **p;

	ksnprintf(sec, sizeof(sec), ".modhook.%s", kind);
	i = elf_find_section(ef, sec);
	*hook = NULL;
	if (!i)
		return 0;
	p = placed(m, ef, sec_off, i, &size);
	if (!p || size != sizeof(void *) || !in_text(m, (uintptr_t)*p))
		return ksnprintf(err, len, "the %s hook is not a function of "
				 "the module", kind), -ENOEXEC;
	*hook = *p;
	return 0;
}

static int read_modinfo(struct module *m, const struct elf_file *ef,
			const uint32_t *sec_off, char *err, size_t len)
{
	uint32_t i = elf_find_section(ef, ".modinfo"), size;
	const char *info, *counting, *deps;

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
		uint32_t f = irq_save();        /* LOCK */
		int ret = module_add_use_locked(m, d);

		irq_restore(f);
		if (ret)
			return ret;
	}
	return 0;
}

static int read_params(struct module *m, const struct elf_file *ef,
		       const uint32_t *sec_off, char *err, size_t len)
{
	uint32_t i = elf_find_section(ef, ".modparams"), size;
	const struct module_param *p;

	if (!i)
		return 0;
	p = placed(m, ef, sec_off, i, &size);
	if (!p || size % sizeof(*p))
		goto bad;
	for (uint32_t k = 0; k < size / sizeof(*p); k++)
		if (!valid_string(m, p[k].name) ||
		    !valid_string(m, p[k].desc) || p[k].type > MODULE_PARAM_STR || p[k].size == 0 ||
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
			const uint32_t *sec_off, char *err, size_t len)
{
	struct kexport *out = NULL;
	uint32_t n = 0, size;
	uintptr_t a;

	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t i = 1; i < ef->shnum; i++) {
			const struct kexport *e;

			if (strncmp(elf_section_name(ef, i), ".kexports", 9))
				continue;
			e = placed(m, ef, sec_off, i, &size);
			if (!e || size % sizeof(*e))
				goto bad;
			for (uint32_t k = 0; k < size / sizeof(*e); k++) {
				if (pass == 0) {
					n++;
					continue;
				}
				if (!valid_string(m, e[k].name) ||
				    !module_contains(m, (uintptr_t)e[k].addr))
					goto bad;
				out[m->nexports++] = e[k];
			}
		}
		if (pass == 0 && n == 0)
			return 0;
		if (pass == 0 && !(out = kmalloc(n * sizeof(*out))))
			return -ENOMEM;
		if (pass == 0)
			m->exports = out;
	}
	for (uint32_t k = 0; k < m->nexports; k++) {
		const char *name = m->exports[k].name;
		struct module *other = NULL;
		uint32_t f;

		for (uint32_t j = 0; j < k; j++)
			if (!strcmp(m->exports[j].name, name))
				other = m;
		f = irq_save();         /* LOCK */
		if (!other && !kexport_lookup(name))
			other = module_export_locked(name, &a, m);
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

static int build_symbols(struct module *m, const struct elf_file *ef,
			 const uint32_t *sec_off)
{
	uint32_t nsyms = 0, nsecs = 0, bytes = 0, used = 0;
	struct elf32_sym s;
	const char *name;

	for (uint32_t i = 1; i < ef->nsyms; i++) {
		elf_symbol(ef, i, &s, &name);
		if (keep_symbol(&s, name, sec_off)) {
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
		struct module_sym *ms;
		uint32_t k;

		elf_symbol(ef, i, &s, &name);
		if (!keep_symbol(&s, name, sec_off))
			continue;
		/* insertion sort by address: O(n^2), fine for small modules */
		k = m->nsyms++;
		ms = m->syms;
		while (k > 0 && ms[k - 1].addr > m->mem.base +
		       sec_off[s.st_shndx] + s.st_value) {
			ms[k] = ms[k - 1];
			k--;
		}
		ms[k] = (struct module_sym){ m->mem.base + sec_off[s.st_shndx] +
			s.st_value, s.st_size, m->strings + used };
		memcpy(m->strings + used, name, strlen(name) + 1);
		used += strlen(name) + 1;
	}
	for (uint32_t i = 1; i < ef->shnum; i++) {
		if (sec_off[i] == ELF_NOT_LOADED)
			continue;
		name = elf_section_name(ef, i);
		m->sections[m->nsections++] = (struct module_section){
			m->strings + used, m->mem.base + sec_off[i] };
		memcpy(m->strings + used, name, strlen(name) + 1);
		used += strlen(name) + 1;
	}
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
	int ret;

	ret = read_hook(m, ef, sec_off, "init", (void **)&m->init, msg, len);
	if (!ret)
		ret = read_hook(m, ef, sec_off, "register", (void **)&m->reg,
				msg, len);
	if (!ret)
		ret = read_hook(m, ef, sec_off, "unregister",
				(void **)&m->unreg, msg, len);
	if (!ret)
		ret = read_hook(m, ef, sec_off, "cleanup",
				(void **)&m->cleanup, msg, len);
	if (!ret)
		ret = read_modinfo(m, ef, sec_off, msg, len);
	if (!ret)
		ret = read_params(m, ef, sec_off, msg, len);
	if (!ret)
		ret = read_exports(m, ef, sec_off, msg, len);
	if (!ret && (ret = build_symbols(m, ef, sec_off)))
		ksnprintf(msg, len, "out of memory for the symbol table");
	return ret;
}
