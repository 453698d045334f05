/*
 * kernel/shell.c: the `quiesce> ` prompt.
 *
 * Reads a line with the line editor, splits it into words, finds the
 * command (built-in table from the linker, then commands registered at run
 * time) and runs it under a fault catch: a command that faults prints the
 * full report and the prompt comes back. Nothing typed can panic the
 * kernel; an unknown or malformed line gets an `error:` sentence.
 *
 * Lock: the run-time command list is changed and walked with interrupts
 * off (one CPU); a module's command is called through shell_invoke_hook,
 * which the module subsystem uses to pin the module for the call.
 */
#include <kernel/shell.h>
#include <kernel/locking.h>
#include <kernel/console.h>
#include <kernel/lib/errno.h>
#include <kernel/lib/format.h>
#include <kernel/lib/line.h>
#include <kernel/lib/parse.h>
#include <kernel/printk.h>
#include <kernel/probe.h>
#include <kernel/lib/string.h>
#include <kernel/trap.h>
#include <kernel/arch.h>

#define PROMPT "quiesce> "

extern const struct command __commands_start[], __commands_end[];

static struct command *dynamic;         /* [irq] registered commands */
static struct line_editor editor;

static int plain_invoke(const struct command *cmd, int argc, char **argv)
{
	return cmd->fn(argc, argv);
}

int (*shell_invoke_hook)(const struct command *cmd, int argc,
			 char **argv) = plain_invoke;
bool (*shell_pin_hook)(const struct command *cmd);
void (*shell_command_hook)(bool begin);
int (*shell_register_check)(const struct command *cmd);

/* Built-in commands first, then registered ones. */
static const struct command *lookup_irqoff(const char *name)
{
	const struct command *c;

	assert_irqs_off();
	for (c = __commands_start; c < __commands_end; c++)
		if (!strcmp(c->name, name))
			return c;
	for (c = dynamic; c; c = c->next)
		if (!strcmp(c->name, name))
			break;
	return c;
}

/* Find name and, for a module's command, pin its owner in the same
 * interrupts-off section. *going is set if the owner refused the pin. */
static __attribute__((noinline)) const struct command *
find_pinned(const char *name, bool *going)
{
/* LAB(racehunt) BEGIN: find the command and pin its owner, atomically */
	uint32_t f = irq_save();
	const struct command *c = lookup_irqoff(name);

	*going = false;
	if (c && c->owner && shell_pin_hook && !shell_pin_hook(c)) {
		*going = true;
		c = NULL;
	}
	irq_restore(f);
	return c;
/* LAB(racehunt) STUB
	uint32_t f = irq_save();
	const struct command *c = lookup_irqoff(name);

	irq_restore(f);
	probe("shell.found");
	*going = false;
	f = irq_save();
	if (c && c->owner && shell_pin_hook && !shell_pin_hook(c)) {
		*going = true;
		c = NULL;
	}
	irq_restore(f);
	return c;
   LAB(racehunt) END */
}

int cmd_error(int err, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kprintf("error: %s (%s)\n", msg, errno_name(err));
	return err;
}

const struct command *shell_find(const char *name)
{
	uint32_t f = irq_save();
	const struct command *c = lookup_irqoff(name);

	irq_restore(f);
	return c;
}

int shell_register(struct command *cmd)
{
	uint32_t f;

	if (shell_register_check && shell_register_check(cmd))
		return -EINVAL;
	if (shell_find(cmd->name))
		return -EEXIST;
	f = irq_save();
	cmd->next = dynamic;
	dynamic = cmd;
	irq_restore(f);
	return 0;
}

void shell_unregister(struct command *cmd)
{
	uint32_t f = irq_save();

	for (struct command **pp = &dynamic; *pp; pp = &(*pp)->next)
		if (*pp == cmd) {
			*pp = cmd->next;
			break;
		}
	irq_restore(f);
}

void shell_for_each(bool (*fn)(const struct command *cmd, void *arg),
		    void *arg)
{
	const struct command *c;

	for (c = __commands_start; c < __commands_end; c++)
		if (!fn(c, arg))
			return;
	/* Module commands: the list may change while fn prints; we walk a
	 * snapshot of names by restarting from the head each time. */
	for (unsigned i = 0;; i++) {
		uint32_t f = irq_save();
		unsigned j = 0;

		for (c = dynamic; c && j < i; c = c->next)
			j++;
		irq_restore(f);
		if (!c || !fn(c, arg))
			return;
	}
}

int shell_exec(const char *text)
{
	char line[SHELL_LINE_MAX];
	char *argv[SHELL_MAX_ARGS + 1];
	const struct command *cmd;
	struct fault_catch fc;
	bool going;
	int argc, ret;

	if (strlen(text) >= sizeof(line))
		return cmd_error(-E2BIG,
				 "the line is longer than %u characters",
				 SHELL_LINE_MAX - 1);
	kstrlcpy(line, text, sizeof(line));
	argc = parse_args(line, argv, SHELL_MAX_ARGS);
	if (argc == -EINVAL)
		return cmd_error(argc, "a quote is not closed");
	if (argc < 0)
		return cmd_error(argc, "too many words (at most %u)",
				 SHELL_MAX_ARGS);
	if (argc == 0)
		return 0;
	argv[argc] = NULL;
	cmd = find_pinned(argv[0], &going);
	if (going)
		return cmd_error(-ENOENT,
				 "command '%s' belongs to a module that "
				 "is going away",
				 argv[0]);
	if (!cmd)
		return cmd_error(-ENOENT, "unknown command '%s'; type 'help' "
				 "for the list", argv[0]);
	if (fault_catch_enter(&fc, false) == 0) {
		ret = shell_invoke_hook(cmd, argc, argv);
		fault_catch_leave(&fc);
	} else {
		ret = cmd_error(-EFAULT, "command '%s' faulted (%s at %08lx); "
				"the shell recovered", argv[0],
				trap_name(fc.info.vector),
				(unsigned long)fc.info.eip);
	}
	return ret;
}

static void echo(const char *s, size_t n)
{
	console_write(s, n);
}

void shell_boot_commands(const char *run)
{
	char cmd[SHELL_LINE_MAX];
	const char *p = run;

	while (p && next_command(&p, cmd, sizeof(cmd))) {
		kprintf(PROMPT "%s\n", cmd);
		if (shell_command_hook)
			shell_command_hook(true);
		shell_exec(cmd);
		if (shell_command_hook)
			shell_command_hook(false);
	}
}

void shell_run(void)
{
	line_init(&editor);
	for (;;) {
		enum line_event ev = LINE_NONE;

		kprintf(PROMPT);
		while (ev == LINE_NONE) {
			ev = line_feed(&editor, console_getc());
			echo(editor.out, editor.out_len);
		}
		if (ev == LINE_DONE) {
			line_history_add(&editor, editor.buf);
			if (shell_command_hook)
				shell_command_hook(true);
			shell_exec(editor.buf);
			if (shell_command_hook)
				shell_command_hook(false);
		}
	}
}

static bool help_one(const struct command *c, void *arg)
{
	const char *only = arg;
	char head[160];

	if (only && strcmp(only, c->name))
		return true;
	ksnprintf(head, sizeof(head), "%s %s", c->name,
		  c->usage ? c->usage : "");
	/* A long usage gets its own line rather than being cut. */
	if (strlen(head) > 34)
		kprintf("  %s\n  %-34s %s%s\n", head, "", c->help,
			c->owner ? " (module)" : "");
	else
		kprintf("  %-34s %s%s\n", head, c->help,
			c->owner ? " (module)" : "");
	return true;
}

static int cmd_help(int argc, char **argv)
{
	if (argc > 1 && !shell_find(argv[1]))
		return cmd_error(-ENOENT, "no command named '%s'", argv[1]);
	if (argc == 1)
		kprintf("Commands (Ctrl-A X quits QEMU):\n");
	shell_for_each(help_one, argc > 1 ? argv[1] : NULL);
	return 0;
}
COMMAND(help, "help", "[COMMAND]", "list the commands, or describe one",
	cmd_help);
