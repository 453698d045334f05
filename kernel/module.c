/*
 * kernel/module.c: the module loader, the module list, references.
 *
 * Interface (<kernel/module.h>): module_load, module_load_image,
 * module_unload, module_find, module_of_addr, module_for_each, the
 * reference calls (module_get, try_module_get, module_put, module_enter,
 * module_leave, module_inc_use, module_dec_use) and the gdb hooks.
 *
 * Loading, step by step (module_load_image):
 *   1. elf_parse: validate every header, offset, size and index;
 *   2. elf_layout: place text, rodata, data+bss in page-aligned regions;
 *   3. modmem_alloc: a fresh range of the module area, zeroed, writable;
 *   4. elf_copy + elf_relocate: symbols resolve to "__this_module", then
 *      the kernel's export table, then live modules' exports (recording a
 *      dependency on each module used);
 *   5. read the metadata sections (.modinfo, .modhook.*, .modparams,
 *      .kexports*), checking every pointer in them points into the module;
 *   6. set parameters; make text and rodata read-only;
 *   7. COMING: init, then register (each under a fault catch); LIVE.
 * A failure at any step unwinds everything before it, in reverse.
 *
 * LOCK: the module list and every [L] field are guarded by disabling
 * interrupts (one CPU, no scheduler yet). When sched/ lands this becomes
 * `module_mutex` (held across load and unload, like Linux's module_mutex)
 * plus interrupts off only for refs; the places are marked "LOCK".
 */
#include <kernel/module.h>
#include <kernel/arch.h>
#include <kernel/boot.h>
#include <kernel/elf.h>
#include <kernel/init.h>
#include <kernel/ksyms.h>
#include <kernel/parse.h>
#include <kernel/trap.h>
#include <drivers/pit.h>
#include <mm/pmm.h>

extern const struct kexport __kexports_start[], __kexports_end[];

static struct module *modules;          /* [L] newest first */
unsigned module_loads, module_unloads;  /* [L] */

static int simple_unload(struct module *mod, char *err, size_t errlen);
static const struct module_unload_ops unload_simple = {
	.name = "simple", .unload = simple_unload,
};

/* ---- the list and lookups -------------------------------------------- */

const char *module_state_name(enum module_state st)
{
	static const char *const names[] = {
		"loading", "coming", "live", "going", "gone" };

	return (unsigned)st < 5 ? names[st] : "?";
}

const char *module_name(const struct module *mod)
{
	return mod ? mod->name : "kernel";
}

static struct module *find_locked(const char *name)
{
	for (struct module *m = modules; m; m = m->next)
		if (!strcmp(m->name, name))
			return m;
	return NULL;
}

struct module *module_find(const char *name)
{
	uint32_t f = irq_save();        /* LOCK */
	struct module *m = find_locked(name);

	irq_restore(f);
	return m;
}

static bool in_module(const struct module *m, uintptr_t addr)
{
	return m->mem.base && addr >= m->mem.base &&
	       addr - m->mem.base < m->mem.pages * PAGE_SIZE;
}

struct module *module_of_addr(uintptr_t addr)
{
	uint32_t f = irq_save();        /* LOCK */
	struct module *m;

	for (m = modules; m; m = m->next)
		if (in_module(m, addr))
			break;
	irq_restore(f);
	return m;
}

void module_for_each(void (*fn)(struct module *mod, void *arg), void *arg)
{
	uint32_t f = irq_save();        /* LOCK */

	for (struct module *m = modules; m; m = m->next)
		fn(m, arg);
	irq_restore(f);
}

const char *module_info_get(const char *info, size_t size, const char *key)
{
	size_t klen = strlen(key);

	for (size_t off = 0; off < size; off += strlen(info + off) + 1)
		if (!strncmp(info + off, key, klen) && info[off + klen] == '=')
			return info + off + klen + 1;
	return NULL;
}

/* ---- references ------------------------------------------------------ */

void module_get(struct module *mod)
{
	uint32_t f;

	if (!mod)
		return;
	f = irq_save();
	assert(mod->state != MODULE_GONE);
	mod->refs++;
	irq_restore(f);
}

bool try_module_get(struct module *mod)
{
	bool ok = true;
	uint32_t f;

	if (!mod)
		return true;
	f = irq_save();
	if (mod->state == MODULE_GOING || mod->state == MODULE_GONE)
		ok = false;
	else
		mod->refs++;
	irq_restore(f);
	return ok;
}

void module_put(struct module *mod)
{
	uint32_t f;

	if (!mod)
		return;
	f = irq_save();
	assert(mod->refs > 0);
	mod->refs--;
	irq_restore(f);
}

bool module_enter(struct module *owner)
{
	if (!owner || owner->counting == MODULE_COUNT_SELF)
		return true;
	return try_module_get(owner);
}

void module_leave(struct module *owner)
{
	if (owner && owner->counting == MODULE_COUNT_BOUNDARY)
		module_put(owner);
}

/* The 2002 discipline: the module counts itself, and nothing checks that
 * it is going; that is the point (and the bug) of it. */
void module_inc_use(struct module *mod)
{
	uint32_t f = irq_save();

	mod->refs++;
	irq_restore(f);
}

void module_dec_use(struct module *mod)
{
	module_put(mod);
}

/* ---- gdb hooks: noinline, so scripts/gdb_modules.py can break here --- */

__attribute__((noinline)) void module_loaded_hook(struct module *mod)
{
	__asm__ volatile("" : : "r"(mod) : "memory");
}

__attribute__((noinline)) void module_unloaded_hook(struct module *mod)
{
	__asm__ volatile("" : : "r"(mod) : "memory");
}

/* ---- the export table and symbol resolution -------------------------- */

uintptr_t kexport_lookup(const char *name)
{
	const struct kexport *lo = __kexports_start, *hi = __kexports_end;

	/* Sorted by name (linker.ld SORT; checked in module_setup). */
	while (lo < hi) {
		const struct kexport *mid = lo + (hi - lo) / 2;
		int c = strcmp(name, mid->name);

		if (!c)
			return (uintptr_t)mid->addr;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

/* Return: the module other than self exporting name (any state), *addr
 * its address. */
static struct module *module_export_locked(const char *name, uintptr_t *addr,
					   const struct module *self)
{
	for (struct module *m = modules; m; m = m->next)
		for (uint32_t i = 0; m != self && i < m->nexports; i++)
			if (!strcmp(m->exports[i].name, name)) {
				*addr = (uintptr_t)m->exports[i].addr;
				return m;
			}
	return NULL;
}

static int add_use(struct module *user, struct module *used)
{
	struct module_use *u;

	for (u = user->uses; u; u = u->next_in_user)
		if (u->used == used)
			return 0;
	u = kmalloc(sizeof(*u));
	if (!u)
		return -ENOMEM;
	*u = (struct module_use){ user, used, user->uses, used->users };
	user->uses = u;         /* LOCK: held by the caller */
	used->users = u;
	return 0;
}

static void drop_uses(struct module *user)
{
	uint32_t f = irq_save();        /* LOCK */

	while (user->uses) {
		struct module_use *u = user->uses, **pp;

		for (pp = &u->used->users; *pp != u; pp = &(*pp)->next_in_used)
			;
		*pp = u->next_in_used;
		user->uses = u->next_in_user;
		kfree(u);
	}
	irq_restore(f);
}

static int resolve(void *ctx, const char *name, uint32_t *addr, char *err,
		   size_t len)
{
	struct module *mod = ctx, *owner;
	uintptr_t a;
	uint32_t f;
	int ret = 0;

	if (!strcmp(name, "__this_module")) {
		*addr = (uintptr_t)mod;
		return 0;
	}
	a = kexport_lookup(name);
	if (a) {
		*addr = a;
		return 0;
	}
	f = irq_save();                 /* LOCK */
	owner = module_export_locked(name, &a, mod);
	if (!owner)
		ret = -ENOENT;
	else if (owner->state != MODULE_LIVE)
		ret = -EBUSY;
	else
		ret = add_use(mod, owner);
	irq_restore(f);
	if (ret == -EBUSY)
		ksnprintf(err, len, "symbol '%s' belongs to module '%s', "
			  "which is %s", name, owner->name,
			  module_state_name(owner->state));
	*addr = a;
	return ret;
}

/* ---- reading the module's own sections ------------------------------- */

static uintptr_t mod_end(const struct module *m)
{
	return m->mem.base + m->mem.pages * PAGE_SIZE;
}

/* A pointer found in module data must be a string inside the module. */
static bool valid_string(const struct module *m, const char *s)
{
	uintptr_t p = (uintptr_t)s;

	return in_module(m, p) && strnlen(s, mod_end(m) - p) < mod_end(m) - p;
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
		int ret = add_use(m, d);

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
				    !in_module(m, (uintptr_t)e[k].addr))
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

static bool live_resolver(uintptr_t addr, struct ksym *out)
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

static int set_params(struct module *m, int argc, char **argv, char *err,
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

/* ---- calling into the module ----------------------------------------- */

/* Run a start hook (or a stop hook, start == NULL) under a fault catch:
 * a fault in module code fails the step instead of killing insmod. */
static int call_hook(struct module *m, module_start_fn start,
		     module_stop_fn stop)
{
	struct fault_catch fc;
	volatile int ret = 0;

	if (!start && !stop)
		return 0;
	if (fault_catch_enter(&fc, false) == 0) {
		if (start)
			ret = start();
		else
			stop();
		fault_catch_leave(&fc);
		return ret;
	}
	pr_err("module %s: a hook faulted", m->name);
	return -EFAULT;
}

/* ---- load ------------------------------------------------------------ */

static void free_tables(struct module *m)
{
	kfree(m->syms);
	kfree(m->sections);
	kfree(m->strings);
	kfree((void *)m->exports);
	m->syms = NULL;
	m->sections = NULL;
	m->strings = NULL;
	m->exports = NULL;
	m->nexports = 0;
}

static void unlink_module(struct module *m)
{
	uint32_t f = irq_save();        /* LOCK */

	for (struct module **pp = &modules; *pp; pp = &(*pp)->next)
		if (*pp == m) {
			*pp = m->next;
			break;
		}
	irq_restore(f);
}

/* Free a module whose code may have run: the range goes to a grave. */
static void bury(struct module *m)
{
	uint32_t f = irq_save();

	m->state = MODULE_GONE;
	irq_restore(f);
	module_unloaded_hook(m);
	drop_uses(m);
	unlink_module(m);
	modmem_free(&m->mem, m->name, m->syms, m->nsyms);
	free_tables(m);
	kfree(m);
}

/* Steps 3 to 6 of the load: place, relocate, read, set. */
static int place(struct module *m, const struct elf_file *ef,
		 uint32_t *sec_off, const struct elf_layout *lay, int argc,
		 char **argv, char *msg, size_t len)
{
	int ret;

	ret = modmem_alloc(&m->mem, lay->total / PAGE_SIZE);
	if (ret)
		return ksnprintf(msg, len, "no room for %lu pages of module "
				 "memory", (unsigned long)lay->total /
				 PAGE_SIZE), ret;
	m->text = m->mem.base + lay->off[ELF_TEXT];
	m->text_size = lay->size[ELF_TEXT];
	m->rodata = m->mem.base + lay->off[ELF_RODATA];
	m->rodata_size = lay->size[ELF_RODATA];
	m->data = m->mem.base + lay->off[ELF_DATA];
	m->data_size = lay->size[ELF_DATA];
	elf_copy(ef, sec_off, (uint8_t *)m->mem.base);
	ret = elf_relocate(ef, sec_off, (uint8_t *)m->mem.base, m->mem.base,
			   resolve, m, msg, len);
	if (!ret)
		ret = read_hook(m, ef, sec_off, "init", (void **)&m->init,
				msg, len);
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
	if (!ret)
		ret = set_params(m, argc, argv, msg, len);
	if (ret)
		return ret;
	modmem_protect_ro(&m->mem, m->text, lay->off[ELF_DATA] -
			  lay->off[ELF_TEXT]);
	return 0;
}

static void withdraw_leftovers(struct module *m);

/* Step 7: init, register. On failure the module is buried. */
static int start(struct module *m, char *msg, size_t len)
{
	uint32_t f;
	int ret;

	module_loaded_hook(m);
	f = irq_save();
	m->state = MODULE_COMING;
	irq_restore(f);
	ret = call_hook(m, m->init, NULL);
	if (ret) {
		ksnprintf(msg, len, "init failed; the module was unloaded");
		goto bury_module;
	}
	ret = call_hook(m, m->reg, NULL);
	if (ret) {
		ksnprintf(msg, len, "register failed; cleanup ran and the "
			  "module was unloaded");
		goto cleanup_module;
	}
	f = irq_save();
	m->state = MODULE_LIVE;
	module_loads++;
	irq_restore(f);
	return 0;

cleanup_module:
	call_hook(m, NULL, m->cleanup);
bury_module:
	if (m->refs)    /* bad module code, not a kernel bug: say so */
		pr_warn("module %s: freed with refcount %d after a failed "
			"start", m->name, m->refs);
	withdraw_leftovers(m);
	bury(m);
	return ret;
}

int module_load_image(const char *name, const void *img, size_t size,
		      int argc, char **argv, char *err, size_t errlen)
{
	uint64_t t0 = rdtsc();
	struct elf_layout lay;
	struct elf_file ef;
	struct module *m;
	uint32_t *sec_off, f;
	char msg[160] = "";
	int ret;

	if (strlen(name) >= MODULE_NAME_MAX) {
		ret = -ENAMETOOLONG;
		ksnprintf(msg, sizeof(msg), "the name is longer than %u "
			  "characters", MODULE_NAME_MAX - 1);
		goto out;
	}
	ret = elf_parse(&ef, img, size, msg, sizeof(msg));
	if (ret)
		goto out;
	sec_off = kmalloc(ef.shnum * sizeof(*sec_off));
	ret = -ENOMEM;
	if (!sec_off)
		goto out;
	ret = elf_layout(&ef, sec_off, &lay, msg, sizeof(msg));
	if (ret)
		goto free_sec_off;
	m = kzalloc(sizeof(*m));
	ret = -ENOMEM;
	if (!m)
		goto free_sec_off;
	kstrlcpy(m->name, name, sizeof(m->name));
	m->state = MODULE_LOADING;
	m->unload = &unload_simple;
	m->load_tick = ticks_read();
	f = irq_save();                 /* LOCK: check and insert at once */
	ret = find_locked(name) ? -EEXIST : 0;
	if (!ret) {
		m->next = modules;
		modules = m;
	}
	irq_restore(f);
	if (ret) {
		ksnprintf(msg, sizeof(msg), "module '%s' is already loaded",
			  name);
		goto free_module;
	}
	ret = place(m, &ef, sec_off, &lay, argc, argv, msg, sizeof(msg));
	if (ret)
		goto unplace;
	kfree(sec_off);
	ret = start(m, msg, sizeof(msg));
	if (!ret)
		m->load_cycles = rdtsc() - t0;
	goto out;

unplace:        /* no module code has run: no grave needed */
	drop_uses(m);
	unlink_module(m);
	modmem_release(&m->mem);
	free_tables(m);
free_module:
	kfree(m);
free_sec_off:
	kfree(sec_off);
out:
	if (ret)
		ksnprintf(err, errlen, "%s.ko: %s", name, msg);
	return ret;
}

int module_load(const char *name, int argc, char **argv, char *err,
		size_t errlen)
{
	const struct boot_file *bf = boot_file_find(name);

	if (!bf) {
		ksnprintf(err, errlen, "%s.ko: no such module file; 'ls' "
			  "lists them", name);
		return -ENOENT;
	}
	return module_load_image(name, bf->data, bf->size, argc, argv, err,
				 errlen);
}

/* ---- unload ---------------------------------------------------------- */

struct owned {
	const struct module *owner;
	const struct command *found;
};

static bool find_owned_command(const struct command *c, void *arg)
{
	struct owned *o = arg;

	if (c->owner != o->owner)
		return true;
	o->found = c;
	return false;
}

/* After unregister, nothing may still point into the module. A module
 * that forgot something gets a warning and the core withdraws it, so a
 * student's bug becomes a message, not a use-after-free. */
static void withdraw_leftovers(struct module *m)
{
	struct owned o = { m, NULL };
	unsigned n;

	for (;;) {
		o.found = NULL;
		shell_for_each(find_owned_command, &o);
		if (!o.found)
			break;
		pr_warn("module %s: command '%s' still registered after "
			"unregister; withdrawn", m->name, o.found->name);
		shell_unregister((struct command *)o.found);
	}
	n = service_withdraw_owner(m);
	if (n)
		pr_warn("module %s: %u service(s) still registered after "
			"unregister; withdrawn", m->name, n);
	n = timer_withdraw_owner(m);
	if (n)
		pr_warn("module %s: %u timer(s) still pending after "
			"unregister; cancelled", m->name, n);
}

/* The simple unload: count checked by the caller, GOING set; now
 * unregister, cleanup, free. The two-phase protocol replaces this. */
static int simple_unload(struct module *m, char *err, size_t errlen)
{
	int ret = call_hook(m, NULL, m->unreg);

	withdraw_leftovers(m);
	if (!ret)
		ret = call_hook(m, NULL, m->cleanup);
	if (ret) {
		/* Freeing code that just faulted could only make it worse:
		 * the module stays, GOING, and its memory stays mapped. */
		ksnprintf(err, errlen, "module '%s' faulted while stopping; "
			  "it stays loaded (going)", m->name);
		return ret;
	}
	bury(m);
	module_unloads++;
	return 0;
}

int module_unload(const char *name, char *err, size_t errlen)
{
	uint32_t f = irq_save();        /* LOCK */
	struct module *m = find_locked(name);
	int ret = 0;

	if (!m) {
		ksnprintf(err, errlen, "module '%s' is not loaded; 'lsmod' "
			  "lists loaded modules", name);
		ret = -ENOENT;
	} else if (m->state != MODULE_LIVE) {
		ksnprintf(err, errlen, "module '%s' is %s", name,
			  module_state_name(m->state));
		ret = -EBUSY;
	} else if (m->users) {
		ksnprintf(err, errlen, "module '%s' is used by module '%s'; "
			  "unload that first", name, m->users->user->name);
		ret = -EBUSY;
	} else if (m->refs) {
		ksnprintf(err, errlen, "module '%s' is in use (refcount %d)",
			  name, m->refs);
		ret = -EBUSY;
	} else {
		m->state = MODULE_GOING;
	}
	irq_restore(f);
	if (ret)
		return ret;
	return m->unload->unload(m, err, errlen);
}

/* ---- boundary counting for commands ---------------------------------- */

static int invoke_command(const struct command *cmd, int argc, char **argv)
{
	struct fault_catch fc;
	volatile int ret;

	if (!cmd->owner)
		return cmd->fn(argc, argv);
	if (!module_enter(cmd->owner))
		return cmd_error(-ENOENT, "command '%s' belongs to module "
				 "'%s', which is going away", cmd->name,
				 cmd->owner->name);
	if (fault_catch_enter(&fc, false) == 0) {
		ret = cmd->fn(argc, argv);
		fault_catch_leave(&fc);
	} else {
		ret = cmd_error(-EFAULT, "command '%s' of module '%s' faulted",
				cmd->name, cmd->owner->name);
	}
	module_leave(cmd->owner);
	return ret;
}

static int module_setup(void)
{
	for (const struct kexport *e = __kexports_start;
	     e + 1 < __kexports_end; e++)
		assert(strcmp(e->name, (e + 1)->name) < 0);
	shell_invoke_hook = invoke_command;
	ksyms_add_resolver(live_resolver);
	return 0;
}
INITCALL(module_setup, INIT_LATE);
