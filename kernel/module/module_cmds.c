/*
 * kernel/module/module_cmds.c: the console face of modules.
 *
 *   ls                      module files on the boot medium, with sizes
 *   insmod NAME [k=v...]    load NAME.ko with parameters
 *   rmmod [opts] NAME       unload with a strategy (kernel/module/unload.c)
 *   lsmod                   loaded modules: size, state, refs, users, address
 *   modinfo NAME            metadata, parameters, exports, sections
 *   peek ADDR               read a word (to watch the use-after-free detector)
 */
#include <kernel/module/module.h>
#include <kernel/boot.h>
#include <kernel/module/elf.h>
#include <kernel/lib/parse.h>
#include <kernel/module/unload.h>
#include <mm/pmm.h>

static int cmd_ls(int argc, char **argv)
{
	if (!boot_file_count)
		kprintf("no module files (the ISO carries "
			"build/modules/*.ko)\n");
	for (unsigned i = 0; i < boot_file_count; i++) {
		struct module *m = module_find(boot_files[i].name);

		kprintf("  %-20s %7lu bytes%s\n", boot_files[i].name,
			(unsigned long)boot_files[i].size,
			m ? "  (loaded)" : "");
	}
	return 0;
}
COMMAND(ls, "ls", "", "list the module files you can insmod", cmd_ls);

static int cmd_insmod(int argc, char **argv)
{
	char err[200];
	struct module *m;
	int ret;

	if (argc < 2)
		return cmd_error(-EINVAL, "usage: insmod NAME [key=value...]");
	ret = module_load(argv[1], argc - 2, argv + 2, err, sizeof(err));
	if (ret)
		return cmd_error(ret, "%s", err);
	m = module_find(argv[1]);
	kprintf("%s: loaded at %#lx (%lu pages) in %lu cycles\n", argv[1],
		(unsigned long)m->mem.base, (unsigned long)m->mem.pages,
		(unsigned long)m->load_cycles);
	return 0;
}
COMMAND(insmod, "insmod", "NAME [key=value...]",
	"load a module; parameters reach it", cmd_insmod);

static int cmd_rmmod(int argc, char **argv)
{
	struct unload_req req;
	const char *name = NULL;
	char err[96];
	bool deadlocked;
	int ret;

	unload_req_init(&req);
	for (int i = 1; i < argc; i++) {
		int opt = unload_parse_option(argv[i], &req.strategy,
					      &req.busy, err, sizeof(err));

		if (opt < 0)
			return cmd_error(opt, "%s", err);
		if (opt)
			continue;
		if (!strcmp(argv[i], "-v")) {
			req.verbose = true;
		} else if (argv[i][0] == '-' || name) {
			return cmd_error(-EINVAL, "usage: rmmod [--strategy=S] "
					 "[--busy=P] [-v] NAME");
		} else {
			name = argv[i];
		}
	}
	if (!name)
		return cmd_error(-EINVAL, "usage: rmmod [--strategy=S] "
				 "[--busy=P] [-v] NAME");
	/* Refcount never marks a module for delayed delete (a reference
	 * held means refused): say so rather than ignore the option. */
	if (req.strategy == UNLOAD_REFCOUNT && req.busy == BUSY_DELAYED)
		return cmd_error(-EINVAL, "--busy=delayed does not apply to "
				 "the refcount strategy (a module with "
				 "references is refused); use --busy=wait or "
				 "--strategy=twophase");
	/* The unload runs in its own task, watched: a strategy that
	 * deadlocks is reported and broken, and the prompt comes back. */
	ret = unload_module_watched(name, &req, false, 5000, &deadlocked);
	if (deadlocked)
		return cmd_error(
		    -EDEADLK, "the %s unload of '%s' deadlocked; %s",
		    unload_strategy_name(req.strategy), name, req.msg);
	if (ret)
		return cmd_error(ret, "%s", req.msg);
	if (req.outcome == UNLOAD_DELAYED)
		kprintf("%s: %s\n", name, req.msg);
	else
		kprintf("%s: unloaded (%s)\n", name,
			unload_strategy_name(req.strategy));
	return 0;
}
COMMAND(rmmod, "rmmod", "[--strategy=S] [--busy=P] [-v] NAME",
	"unload a module (strategies: naive eip twophase refcount)",
	cmd_rmmod);

static void print_module(struct module *m, void *arg)
{
	unsigned *n = arg;

	kprintf("%-14s %6lu  %-7s %4d  %08lx  ", m->name,
		(unsigned long)m->mem.pages * PAGE_SIZE,
		module_state_name(m->state), m->refs,
		(unsigned long)m->mem.base);
	for (struct module_use *u = m->uses; u; u = u->next_in_user)
		kprintf("%s%s", u == m->uses ? "uses " : ",", u->used->name);
	for (struct module_use *u = m->users; u; u = u->next_in_used)
		kprintf("%s%s", u == m->users ? (m->uses ? " used by " :
			"used by ") : ",", u->user->name);
	kprintf("\n");
	(*n)++;
}

static int cmd_lsmod(int argc, char **argv)
{
	unsigned n = 0;

	kprintf("%-14s %6s  %-7s %4s  %-8s  %s\n", "module", "size", "state",
		"refs", "address", "dependencies");
	module_for_each(print_module, &n);
	if (!n)
		kprintf("(no modules loaded; 'ls' lists files, 'insmod NAME' "
			"loads one)\n");
	return 0;
}
COMMAND(lsmod, "lsmod", "", "list loaded modules", cmd_lsmod);

/* modinfo of a file that is not loaded: read the section from the file. */
static int info_from_file(const char *name, const char **info, uint32_t *size)
{
	const struct boot_file *bf = boot_file_find(name);
	struct elf32_shdr sh;
	struct elf_file ef;
	char err[160];
	uint32_t i;
	int ret;

	if (!bf)
		return cmd_error(-ENOENT, "%s.ko: no such module file; 'ls' "
				 "lists them", name);
	ret = elf_parse(&ef, bf->data, bf->size, err, sizeof(err));
	if (ret)
		return cmd_error(ret, "%s.ko: %s", name, err);
	i = elf_find_section(&ef, ".modinfo");
	*info = NULL;
	*size = 0;
	if (!i)
		return 0;
	elf_section(&ef, i, &sh);
	if (sh.sh_type != SHT_PROGBITS || !sh.sh_size ||
	    bf->data[sh.sh_offset + sh.sh_size - 1])
		return cmd_error(-ENOEXEC, "%s.ko: the .modinfo section is "
				 "not a list of strings", name);
	*info = (const char *)bf->data + sh.sh_offset;
	*size = sh.sh_size;
	return 0;
}

static void print_live(const struct module *m)
{
	static const char *const types[] = { "int", "bool", "string" };

	kprintf("state:       %s, refcount %d, counting %s\n",
		module_state_name(m->state), m->refs,
		m->counting == MODULE_COUNT_SELF ? "self (in-module)"
						 : "boundary");
	kprintf("memory:      %#lx, %lu pages: text %lu, rodata %lu, "
		"data+bss %lu bytes\n", (unsigned long)m->mem.base,
		(unsigned long)m->mem.pages, (unsigned long)m->text_size,
		(unsigned long)m->rodata_size, (unsigned long)m->data_size);
	kprintf("hooks:       %s%s%s%s\n", m->init ? "init " : "",
		m->reg ? "register " : "", m->unreg ? "unregister " : "",
		m->cleanup ? "cleanup" : "");
	for (uint32_t i = 0; i < m->nparams; i++)
		kprintf("parameter:   %s (%s): %s\n", m->params[i].name,
			types[m->params[i].type], m->params[i].desc);
	for (uint32_t i = 0; i < m->nexports; i++)
		kprintf("exports:     %s\n", m->exports[i].name);
}

static int cmd_modinfo(int argc, char **argv)
{
	struct module *m;
	const char *info;
	uint32_t size;
	int ret;

	if (argc != 2)
		return cmd_error(-EINVAL, "usage: modinfo NAME");
	m = module_find(argv[1]);
	if (m) {
		info = m->modinfo;
		size = m->modinfo_size;
	} else if ((ret = info_from_file(argv[1], &info, &size))) {
		return ret;
	}
	kprintf("name:        %s\n", argv[1]);
	for (uint32_t off = 0; info && off < size;
	     off += strlen(info + off) + 1) {
		const char *eq = strchr(info + off, '=');

		if (eq)
			kprintf("%.*s:%*s%s\n", (int)(eq - info - off),
				info + off, (int)(12 - (eq - info - off)), "",
				eq + 1);
	}
	if (m)
		print_live(m);
	else
		kprintf("state:       not loaded\n");
	return 0;
}
COMMAND(modinfo, "modinfo", "NAME", "show a module's metadata",
	cmd_modinfo);

static int cmd_peek(int argc, char **argv)
{
	uint32_t addr;

	if (argc != 2 || parse_u32(argv[1], &addr) || addr % 4)
		return cmd_error(-EINVAL, "usage: peek ADDR (a multiple of 4)");
	kprintf("%08lx: %08lx\n", (unsigned long)addr,
		(unsigned long)*(volatile uint32_t *)addr);
	return 0;
}
COMMAND(peek, "peek", "ADDR",
	"read a word of memory (faults are caught and explained)", cmd_peek);
