/*
 * kernel/module/module_ref.c: the use count, and the boundary.
 *
 * Two disciplines share one counter (struct module.refs):
 *
 *  boundary counting (the default, what modern kernels do): code outside
 *  the module takes the reference before it calls in and drops it after
 *  the call returns: module_enter()/module_leave() around command calls
 *  (invoke_command below, installed as the shell's invoke hook), service
 *  calls (service_get/put) and timer callbacks. try_module_get() refuses
 *  a GOING module, so once unload has begun nothing new gets in.
 *
 *  in-module counting (MODULE_COUNTING("self"), the 2002 way): the core
 *  takes nothing; the module runs MOD_INC_USE_COUNT first thing and
 *  MOD_DEC_USE_COUNT last thing. Between entering the function and the
 *  increment, and between the decrement and the return, the module's code
 *  runs with the count at 0: the windows the seed describes, which the
 *  race scenarios exploit.
 *
 * Beside the use count, the core always keeps its own count of the
 * references it handed out (core_refs), for both disciplines: what the
 * `refcount` strategy checks. The gate: a going module refuses new
 * boundary entries when the core owns its count (boundary counting, as
 * 2.4's try_inc_mod_count did), or when the refcount strategy closed it
 * (gated). A going self-counting module is not gated otherwise: nothing
 * stopped a 2002 caller from walking in, which is the point of R8.
 *
 * Misuse is a module bug, not a kernel one (issue 16): a put without a
 * get, a MOD_DEC_USE_COUNT below zero, a module_get on a module that is
 * going away. Each is reported as one warning naming the module, the call
 * and its caller, and ignored, so the counts stay consistent (never
 * negative, never raised behind a closed gate) and the kernel goes on.
 *
 * Context: all of these may be called from any context; interrupts are
 * disabled around each change of the count (one CPU).
 */
#include <kernel/module/module.h>
#include <kernel/locking.h>
#include <kernel/arch.h>
#include <kernel/init.h>
#include <kernel/trap.h>
#include <kernel/module/unload.h>
#include <kernel/ksyms.h>
#include <kernel/probe.h>
#include <sched/task.h>

/* ---- references ------------------------------------------------------ */

unsigned module_gate_refusals;          /* [irq] since boot */

static bool gate_closed(const struct module *mod)
{
	if (mod->state == MODULE_GONE || mod->gated)
		return true;
	return mod->state == MODULE_GOING &&
	       mod->counting == MODULE_COUNT_BOUNDARY;
}

/* Take a core reference (and, in a boundary module, a use count).
 * Caller has interrupts off. */
static void get_irqoff(struct module *mod)
{
	assert_irqs_off();
	mod->core_refs++;
	if (mod->counting == MODULE_COUNT_BOUNDARY)
		mod->refs++;
}

/* A reference call used wrongly: one warning naming the module, the call
 * and where it came from. Context: any. */
static void ref_bug(const struct module *mod, const char *what,
		    uintptr_t from)
{
	char sym[96];

	ksyms_format(from, sym, sizeof(sym));
	pr_warn("module %s: %s (called from %s); ignored", mod->name, what,
		sym);
}

void module_get(struct module *mod)
{
	bool closed;
	uint32_t f;

	if (!mod)
		return;
	f = irq_save();
	/* "Caller must know mod is live": a get on a module whose gate is
	 * closed (its own unregister taking a reference, say) would raise
	 * a count the unload has already proven to be 0. */
	closed = gate_closed(mod);
	if (!closed)
		get_irqoff(mod);
	irq_restore(f);
	if (closed)
		ref_bug(mod, "module_get while the module is going (use "
			"try_module_get)",
			(uintptr_t)__builtin_return_address(0));
}

bool try_module_get(struct module *mod)
{
	bool ok = true;
	uint32_t f;

	if (!mod)
		return true;
	f = irq_save();
	if (gate_closed(mod)) {
		ok = false;
		module_gate_refusals++;
	} else {
		get_irqoff(mod);
	}
	irq_restore(f);
	return ok;
}

void module_put(struct module *mod)
{
	bool boundary, bad;
	uint32_t f;

	if (!mod)
		return;
	f = irq_save();
	boundary = mod->counting == MODULE_COUNT_BOUNDARY;
	bad = mod->core_refs <= 0 || (boundary && mod->refs <= 0);
	if (mod->core_refs > 0)
		mod->core_refs--;
	if (boundary && mod->refs > 0)
		mod->refs--;
	irq_restore(f);
	if (bad)
		ref_bug(mod, "module_put without a matching get",
			(uintptr_t)__builtin_return_address(0));
	probe("ref.put");
	module_ref_dropped(mod);
}

bool module_enter(struct module *owner)
{
	return try_module_get(owner);
}

void module_leave(struct module *owner)
{
	module_put(owner);
}

/* The 2002 discipline: the module counts itself, and nothing checks that
 * it is going; that is the point (and the bug) of it. */
void module_inc_use(struct module *mod)
{
	probe("ref.inc");
	uint32_t f = irq_save();

	mod->refs++;
	irq_restore(f);
}

void module_dec_use(struct module *mod)
{
	uint32_t f = irq_save();
	bool bad = mod->refs <= 0;

	if (!bad)
		mod->refs--;
	irq_restore(f);
	if (bad)
		ref_bug(mod, "MOD_DEC_USE_COUNT without a matching "
			"MOD_INC_USE_COUNT",
			(uintptr_t)__builtin_return_address(0));
	probe("ref.dec");
	module_ref_dropped(mod);
}

/* ---- boundary counting for commands ---------------------------------- */

static int invoke_command(const struct command *cmd, int argc, char **argv)
{
	struct module *owner = cmd->owner;
	struct fault_catch fc;
	char name[24];
	volatile int ret;

	if (!owner)
		return cmd->fn(argc, argv);
	/* The shell pinned the owner when it found the command (pin_command
	 * below): the reference we drop at the end. The command struct lives in
	 * the module's memory: after the call it may be gone (that is race R9),
	 * so copy what we need now. The struct module itself outlives our
	 * reference. */
	kstrlcpy(name, cmd->name, sizeof(name));
	module_callback_begin(owner);
	if (fault_catch_enter(&fc, false) == 0) {
		ret = cmd->fn(argc, argv);
		fault_catch_leave(&fc);
	} else {
		ret = cmd_error(-EFAULT, "command '%s' of module '%s' faulted",
				name, owner->name);
	}
	module_callback_end(owner);
	module_leave(owner);
	return ret;
}
/* ---- callbacks in flight ---------------------------------------------- */

/* The core brackets every command and timer callback it dispatches, so
 * the unload protocol can wait for the ones already running after
 * unregister has stopped new ones (race R9). */
void module_callback_begin(struct module *mod)
{
	uint32_t f = irq_save();

	mod->callbacks++;
	irq_restore(f);
	probe("ref.get");
}

void module_callback_end(struct module *mod)
{
	uint32_t f = irq_save();

	assert(mod->callbacks > 0);
	mod->callbacks--;
	irq_restore(f);
	module_ref_dropped(mod);
}

/* ---- the module's own threads ------------------------------------------ */

/* sched calls these when a task owned by mod is created and when the
 * reaper has finished with it: the count the unload waits on. */
static void thread_get(struct module *mod)
{
	uint32_t f = irq_save();

	mod->kthreads++;
	irq_restore(f);
}

static void thread_put(struct module *mod)
{
	uint32_t f = irq_save();

	assert(mod->kthreads > 0);
	mod->kthreads--;
	irq_restore(f);
	module_ref_dropped(mod);
}

static const char *owner_name(struct module *mod)
{
	return mod->name;
}

/* Called by the shell with interrupts off, in the section that found
 * the command. */
static bool pin_command(const struct command *cmd)
{
	return module_enter(cmd->owner);
}

/* A thread created with owner NULL whose code is a module's. */
static struct module *owner_of(uintptr_t addr)
{
	struct module *m = module_of_addr(addr);

	return m && m->state != MODULE_GONE ? m : NULL;
}

/* The shell asks before it adds a command: one with no owner whose code
 * lies in a module could never be withdrawn nor counted. */
static int check_command(const struct command *cmd)
{
	struct module *m;

	if (cmd->owner)
		return 0;
	m = module_of_addr((uintptr_t)cmd->fn);
	if (!m)
		m = module_of_addr((uintptr_t)cmd);
	if (!m)
		return 0;
	pr_warn("module %s: command '%s' registered with owner NULL; "
		"refused (MODULE_COMMAND sets THIS_MODULE)", m->name,
		cmd->name);
	return -EINVAL;
}

static int module_ref_setup(void)
{
	task_set_owner_of_fn(owner_of);
	shell_register_check = check_command;
	task_set_owner_ref_fns(thread_get, thread_put);
	task_set_owner_name_fn(owner_name);
	shell_pin_hook = pin_command;
	shell_invoke_hook = invoke_command;
	return 0;
}
INITCALL(module_ref_setup, INIT_LATE);
