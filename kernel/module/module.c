/*
 * kernel/module/module.c: the module list, linking, load and unload.
 *
 * Interface (<kernel/module.h>): module_load, module_load_image,
 * module_unload, module_find, module_of_addr, module_for_each,
 * kexport_lookup and the gdb hooks. The module's own sections are read
 * in module_meta.c; references and the boundary are in module_ref.c.
 *
 * Loading, step by step (module_load_image):
 *   1. elf_parse: validate every header, offset, size and index;
 *   2. elf_layout: place text, rodata, data+bss in page-aligned regions;
 *   3. modmem_alloc: a fresh range of the module area, zeroed, writable,
 *      and elf_copy: the sections' bytes into it;
 *   4. elf_relocate: symbols resolve to "__this_module", then
 *      the kernel's export table, then live modules' exports (recording a
 *      dependency on each module used);
 *   5. read the metadata sections (.modinfo, .modhook.*, .modparams,
 *      .kexports*), checking every pointer in them points into the module;
 *   6. set parameters; make text and rodata read-only;
 *   7. COMING: init, then register (each under a fault catch); LIVE.
 * A failure at any step unwinds everything before it, in reverse.
 * The cycles of each step go to m->load_times (validate: 1; layout: 2-3;
 * relocate: 4-6; init: 7).
 *
 * Locks (<kernel/locking.h>): module_mutex is held across every load and
 * unload (like Linux's module_mutex), so they never interleave. The list
 * is [module_mutex, irq]: also changed with interrupts off, because the
 * fault handler and backtraces walk it from any context; the functions
 * that walk or change it with interrupts off end in _irqoff.
 */
#include <kernel/module/module.h>
#include "internal.h"
#include <kernel/arch.h>
#include <kernel/locking.h>
#include <kernel/boot.h>
#include <kernel/module/elf.h>
#include <kernel/init.h>
#include <kernel/ksyms.h>
#include <kernel/lib/parse.h>
#include <kernel/trap.h>
#include <kernel/module/unload.h>
#include <drivers/pit.h>
#include <mm/pmm.h>
#include <sched/task.h>

extern const struct kexport __kexports_start[], __kexports_end[];

static struct module *modules;  /* [module_mutex, irq] newest first */
#define MODULE_LOCK_WAIT_MS 5000        /* insmod waits for the lock */
struct mutex module_mutex = MUTEX_INIT(module_mutex, "module_mutex");
unsigned module_loads, module_unloads;  /* [module_mutex] */


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

static struct module *find_irqoff(const char *name)
{
	assert_irqs_off();
	for (struct module *m = modules; m; m = m->next)
		if (!strcmp(m->name, name))
			return m;
	return NULL;
}

struct module *module_find(const char *name)
{
	uint32_t f = irq_save();
	struct module *m = find_irqoff(name);

	irq_restore(f);
	return m;
}

bool module_contains(const struct module *m, uintptr_t addr)
{
	return m->mem.base && addr >= m->mem.base &&
	       addr - m->mem.base < m->mem.pages * PAGE_SIZE;
}

struct module *module_of_addr(uintptr_t addr)
{
	uint32_t f = irq_save();
	struct module *m;

	for (m = modules; m; m = m->next)
		if (module_contains(m, addr))
			break;
	irq_restore(f);
	return m;
}

void module_for_each(void (*fn)(struct module *mod, void *arg), void *arg)
{
	uint32_t f = irq_save();

	for (struct module *m = modules; m; m = m->next)
		fn(m, arg);
	irq_restore(f);
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
struct module *module_export_irqoff(const char *name, uintptr_t *addr,
				    const struct module *self)
{
	assert_irqs_off();
	for (struct module *m = modules; m; m = m->next)
		for (uint32_t i = 0; m != self && i < m->nexports; i++)
			if (!strcmp(m->exports[i].name, name)) {
				*addr = (uintptr_t)m->exports[i].addr;
				return m;
			}
	return NULL;
}

int module_add_use_irqoff(struct module *user, struct module *used)
{
	struct module_use *u;

	assert_irqs_off();
	assert(mutex_is_mine(&module_mutex));
	for (u = user->uses; u; u = u->next_in_user)
		if (u->used == used)
			return 0;
	u = kmalloc(sizeof(*u));
	if (!u)
		return -ENOMEM;
	*u = (struct module_use){ user, used, user->uses, used->users };
	user->uses = u;
	used->users = u;
	return 0;
}

static void drop_uses(struct module *user)
{
	uint32_t f = irq_save();

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
	f = irq_save();
	owner = module_export_irqoff(name, &a, mod);
	if (!owner)
		ret = -ENOENT;
	else if (owner->state != MODULE_LIVE)
		ret = -EBUSY;
	else
		ret = module_add_use_irqoff(mod, owner);
	irq_restore(f);
	if (ret == -EBUSY)
		ksnprintf(err, len, "symbol '%s' belongs to module '%s', "
			  "which is %s", name, owner->name,
			  module_state_name(owner->state));
	*addr = a;
	return ret;
}

/* ---- calling into the module ----------------------------------------- */

/* Run a start hook (or a stop hook, start == NULL) under a fault catch:
 * a fault in module code fails the step instead of killing insmod. */
int module_call_hook(struct module *m, module_start_fn start,
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
	uint32_t f = irq_save();

	for (struct module **pp = &modules; *pp; pp = &(*pp)->next)
		if (*pp == m) {
			*pp = m->next;
			break;
		}
	irq_restore(f);
}

/* Free a module whose code may have run: the range goes to a grave. */
void module_bury(struct module *m)
{
	uint32_t f = irq_save();

	m->state = MODULE_GONE;
	irq_restore(f);
	/* Dead from here: a fault in its range is a use-after-free, on
	 * whatever list the module still is (modmem_bury). */
	modmem_bury(&m->mem, m->name, m->syms, m->nsyms);
	module_unloaded_hook(m);
	drop_uses(m);
	unlink_module(m);
	modmem_free(&m->mem);
	free_tables(m);
	unload_release_struct(m);
}

/* Step 3 of the load: module memory, and the sections' bytes in it. */
static int place(struct module *m, const struct elf_file *ef,
		 const uint32_t *sec_off, const struct elf_layout *lay,
		 char *msg, size_t len)
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
	return 0;
}

/* Steps 4 to 6: relocate, read, set, protect. */
static int link_module(struct module *m, const struct elf_file *ef,
		       const uint32_t *sec_off, const struct elf_layout *lay,
		       int argc, char **argv, char *msg, size_t len)
{
	int ret;

	ret = elf_relocate(ef, sec_off, (uint8_t *)m->mem.base, m->mem.base,
			   resolve, m, msg, len);
	if (!ret)
		ret = module_read_sections(m, ef, sec_off, msg, len);
	if (!ret)
		ret = module_set_params(m, argc, argv, msg, len);
	if (ret)
		return ret;
	modmem_protect_ro(&m->mem, m->text, lay->off[ELF_DATA] -
			  lay->off[ELF_TEXT]);
	return 0;
}

/*
 * A start failed: nothing the module published may stay, and none of its
 * threads may outlive its memory (issue 16: a thread started before the
 * failure ran on in freed code). Withdraw what it left, stop and reap its
 * threads, then cleanup (only after register: a failed init undid its own
 * work) and free. A thread that ignores the stop keeps the module: it
 * stays withdrawn (going) and unloadd frees it when the thread exits.
 * Return: true if the module was freed.
 */
static bool unwind_start(struct module *m, bool registered, char *msg,
			 size_t len)
{
	struct unload_req r;
	uint32_t f = irq_save();

	m->state = MODULE_GOING;
	irq_restore(f);
	module_withdraw_leftovers(m);
	unload_req_init(&r);
	if (quiesce_module_threads(m, &r)) {
		if (!registered)
			m->cleanup = NULL;      /* init undid its own work */
		unloadd_add(m);
		ksnprintf(msg, len, "%s failed; %s, so the module stays "
			  "loaded (going) until it exits",
			  registered ? "register" : "init", r.msg);
		return false;
	}
	if (registered)
		module_call_hook(m, NULL, m->cleanup);
	ksnprintf(msg, len, registered ? "register failed; cleanup ran and "
		  "the module was unloaded" : "init failed; the module was "
		  "unloaded");
	if (m->refs)    /* bad module code, not a kernel bug: say so */
		pr_warn("module %s: freed with refcount %d after a failed "
			"start", m->name, m->refs);
	module_bury(m);
	return true;
}

/* Step 7: init, register. On failure the module is unwound. */
static int start(struct module *m, char *msg, size_t len)
{
	uint32_t f;
	int ret;

	module_loaded_hook(m);
	f = irq_save();
	m->state = MODULE_COMING;
	irq_restore(f);
	ret = module_call_hook(m, m->init, NULL);
	if (ret) {
		unwind_start(m, false, msg, len);
		return ret;
	}
	ret = module_call_hook(m, m->reg, NULL);
	if (ret) {
		unwind_start(m, true, msg, len);
		return ret;
	}
	f = irq_save();
	m->state = MODULE_LIVE;
	module_loads++;
	irq_restore(f);
	return 0;
}

static int load_image_locked(const char *name, const void *img, size_t size,
			     int argc, char **argv, char *err, size_t errlen)
{
	struct module_load_times times;
	uint64_t t0 = rdtsc(), t1, t2;
	struct elf_layout lay;
	struct elf_file ef;
	struct module *m;
	uint32_t *sec_off, f;
	char msg[160] = "";
	int ret;

	assert(mutex_is_mine(&module_mutex));
	if (strlen(name) >= MODULE_NAME_MAX) {
		ret = -ENAMETOOLONG;
		ksnprintf(msg, sizeof(msg), "the name is longer than %u "
			  "characters", MODULE_NAME_MAX - 1);
		goto out;
	}
	ret = elf_parse(&ef, img, size, msg, sizeof(msg));
	if (ret)
		goto out;
	t1 = rdtsc();
	times.validate = t1 - t0;
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
	m->load_tick = ticks_read();
	m->load_switch = sched_switch_count();
	f = irq_save();                 /* check and insert at once */
	ret = find_irqoff(name) ? -EEXIST : 0;
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
	ret = place(m, &ef, sec_off, &lay, msg, sizeof(msg));
	if (ret)
		goto unplace;
	t2 = rdtsc();
	times.layout = t2 - t1;
	ret = link_module(m, &ef, sec_off, &lay, argc, argv, msg, sizeof(msg));
	if (ret)
		goto unplace;
	kfree(sec_off);
	t1 = rdtsc();
	times.relocate = t1 - t2;
	ret = start(m, msg, sizeof(msg));
	if (!ret) {
		t2 = rdtsc();
		times.init = t2 - t1;
		m->load_times = times;
		m->load_cycles = t2 - t0;
	}
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
		ksnprintf(err, errlen, "%s.ko: %s", name, msg[0] ? msg :
			  "not enough memory for the loader's tables");
	return ret;
}

int module_load_image(const char *name, const void *img, size_t size,
		      int argc, char **argv, char *err, size_t errlen)
{
	int ret;

	/* Never hang the console behind a load or unload that is stuck
	 * (a module hook that never returns): say who holds the lock. */
	if (mutex_lock_timeout(&module_mutex, MODULE_LOCK_WAIT_MS)) {
		struct task *holder = module_mutex.owner;

		ksnprintf(err, errlen, "%s.ko: the module lock has been held "
			  "for %u ms by task '%s'; a load or unload is stuck",
			  name, MODULE_LOCK_WAIT_MS,
			  holder ? holder->name : "?");
		return -EBUSY;
	}
	ret = load_image_locked(name, img, size, argc, argv, err, errlen);
	mutex_unlock(&module_mutex);
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

int module_unload(const char *name, char *err, size_t errlen)
{
	struct unload_req req;
	int ret;

	unload_req_init(&req);
	ret = unload_module(name, &req);
	kstrlcpy(err, req.msg, errlen);
	return ret;
}

static int module_setup(void)
{
	for (const struct kexport *e = __kexports_start;
	     e + 1 < __kexports_end; e++)
		assert(strcmp(e->name, (e + 1)->name) < 0);
	ksyms_add_resolver(module_sym_resolve);
	return 0;
}
INITCALL(module_setup, INIT_LATE);
