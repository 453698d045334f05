/*
 * kernel/module_ref.c: the use count, and the boundary.
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
 * Context: all of these may be called from any context; interrupts are
 * disabled around each change of the count (one CPU).
 */
#include <kernel/module.h>
#include <kernel/arch.h>
#include <kernel/init.h>
#include <kernel/trap.h>

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
static int module_ref_setup(void)
{
	shell_invoke_hook = invoke_command;
	return 0;
}
INITCALL(module_ref_setup, INIT_LATE);
