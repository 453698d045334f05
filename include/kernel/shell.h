/*
 * <kernel/shell.h>: the console shell and its command table.
 *
 * Built-in commands are declared where they are implemented, with
 * COMMAND(...), and gathered by the linker. Loadable modules add commands at
 * run time with shell_register(); such a command records its owner module,
 * and the shell calls it through the module entry boundary.
 *
 * A command returns 0 or a negative error code. On error it prints one line
 * `error: <sentence> (ENAME)` itself, through cmd_error(), which returns the
 * code so `return cmd_error(-EBUSY, "...")` reads naturally.
 */
#ifndef KERNEL_SHELL_H
#define KERNEL_SHELL_H

#include <stdbool.h>

#define SHELL_MAX_ARGS 32
#define SHELL_LINE_MAX 256

struct module;

struct command {
	const char *name;
	const char *usage; /* arguments, e.g. "NAME [key=value...]" */
	const char *help;               /* one line */
	int (*fn)(int argc, char **argv);
	struct module *owner;           /* [const] NULL for built-ins */
	struct command *next;           /* [irq] run-time list */
};

#define COMMAND(id, cname, cusage, chelp, cfn)                             \
	static const struct command __cmd_##id                             \
	__attribute__((used, section(".commands"), aligned(4))) = {        \
		.name = cname, .usage = cusage, .help = chelp, .fn = cfn }

/* Print "error: <fmt> (ENAME)". Return: err. Context: task. */
int cmd_error(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Add a command at run time (modules). Return: 0, -EEXIST if the name is
 * taken, or -EINVAL if shell_register_check refuses it (the module
 * subsystem refuses a command with owner NULL whose code is a module's).
 * Context: task, may sleep.
 */
int shell_register(struct command *cmd);
/* Withdraw it: once this returns, no new call can start. Context: task. */
void shell_unregister(struct command *cmd);
/* Find a command by name (built-in or registered). */
const struct command *shell_find(const char *name);

/*
 * How the shell calls a command owned by a module (the module subsystem
 * sets both). The pin is taken in the same interrupts-off section that
 * finds the command, so no task can hold a module's command without a
 * reference on the module (a task preempted between finding and pinning
 * would be invisible to any quiesce: found by the stress test). Return:
 * false if the owner is going away. The invoke hook calls the pinned
 * command and drops the pin. Defaults: no pin, a plain call.
 */
extern bool (*shell_pin_hook)(const struct command *cmd);
/*
 * Called with true before and false after each command typed at the
 * prompt or run at boot (not those run by shell_exec from a task): fault
 * injection arms "the next command" here (mm/failalloc.c).
 * Context: the shell's task.
 */
extern void (*shell_command_hook)(bool begin);
/* Asked by shell_register before a command is added: non-zero refuses
 * it (the module subsystem refuses owner NULL for a module's command).
 * Context: task. */
extern int (*shell_register_check)(const struct command *cmd);
extern int (*shell_invoke_hook)(const struct command *cmd, int argc,
				char **argv);

/*
 * Parse and run one line as if typed. Return: the command's result, or an
 * error for a bad line. Context: task.
 */
int shell_exec(const char *line);
/* Run the interactive shell forever. Context: task. */
void shell_run(void) __attribute__((noreturn));
/* Print the banner and run the boot commands (run=), then return. */
void shell_boot_commands(const char *run);

/* Walk every command; fn returns false to stop. */
void shell_for_each(bool (*fn)(const struct command *cmd, void *arg),
		    void *arg);

#endif
