/*
 * kernel/foundation_test.c: in-kernel suites for the foundation: faults,
 * the symbol table, the shell, and formatting on the real target.
 *
 *   fault   each kind of fault the kernel promises to catch really lands
 *           in a catch, with the right vector, address and error code,
 *           and the kernel goes on: NULL, read-only text (CR0.WP), divide
 *           by zero (the vmap area's faults are in mm/mm_test.c).
 *   ksyms   names, offsets and "?" for addresses outside kernel text.
 *   shell   shell_exec's errors, shell_find, run-time commands, and a
 *           command that faults.
 *   format  what only the i686 build can show: 32-bit long, %p, long long
 *           through a 32-bit va_list (host tests cover the rest).
 *
 * Each case arms its own expectation with ktest_expect_fault(); a fault it
 * does not expect fails the case through ktest's outer catch.
 */
#include <kernel/ktest.h>
#include <kernel/lib/errno.h>
#include <kernel/lib/format.h>
#include <kernel/ksyms.h>
#include <kernel/shell.h>
#include <kernel/lib/string.h>
#include <kernel/trap.h>

extern const char _text_end[];

/* ---- fault ------------------------------------------------------------ */

/* Write a text byte back unchanged: harmless if WP were ever off. */
static void rewrite_byte(void *arg)
{
	volatile uint8_t *p = arg;

	*p = *p;
}

static void divide_by_zero(void *arg)
{
	volatile int zero = 0, x = 1;

	x = x / zero;
}

/* Called through a pointer, so GCC cannot see a NULL arg and turn the
 * load into a trap instruction. */
static void read_byte(void *arg)
{
	(void)*(volatile uint8_t *)arg;
}

static void nothing(void *arg)
{
}

static void fault_null_read_is_caught(struct ktest *t)
{
	struct fault_info fi;

	KASSERT(t, ktest_expect_fault(read_byte, NULL, &fi));
	KEXPECT_EQ(t, fi.vector, VEC_PAGE);
	KEXPECT_EQ(t, fi.addr, 0);
	KEXPECT_EQ(t, fi.err & PF_PRESENT, 0);          /* not mapped */
	KEXPECT_EQ(t, fi.err & PF_WRITE, 0);            /* a read */
	KEXPECT(t, ksyms_in_kernel_text(fi.eip));
}

static void fault_write_to_kernel_text_is_caught(struct ktest *t)
{
	uint8_t *text = (uint8_t *)ksyms_address("kmain");
	struct fault_info fi;

	KASSERT(t, text != NULL);
	KASSERT(t, ktest_expect_fault(rewrite_byte, text, &fi));
	KEXPECT_EQ(t, fi.vector, VEC_PAGE);
	KEXPECT_EQ(t, fi.addr, (uintptr_t)text);
	KEXPECT_EQ(t, fi.err & (PF_PRESENT | PF_WRITE),
		   PF_PRESENT | PF_WRITE);              /* protection */
}

static void fault_divide_by_zero_is_caught(struct ktest *t)
{
	struct fault_info fi;

	KASSERT(t, ktest_expect_fault(divide_by_zero, NULL, &fi));
	KEXPECT_EQ(t, fi.vector, VEC_DIVIDE);
	KEXPECT(t, ksyms_in_kernel_text(fi.eip));
}

static void fault_count_grows_and_kernel_goes_on(struct ktest *t)
{
	unsigned before = fault_count;
	char buf[16];

	KEXPECT(t, ktest_expect_fault(read_byte, NULL, NULL));
	KEXPECT_EQ(t, fault_count, before + 1);
	KEXPECT(t, ktest_expect_fault(divide_by_zero, NULL, NULL));
	KEXPECT_EQ(t, fault_count, before + 2);
	/* the catch was disarmed: the next fault lands in a fresh one */
	KEXPECT(t, ktest_expect_fault(read_byte, NULL, NULL));
	KEXPECT_EQ(t, fault_count, before + 3);
	/* and ordinary work still runs */
	KEXPECT_EQ(t, ksnprintf(buf, sizeof(buf), "%d", 42), 2);
	KEXPECT_STREQ(t, buf, "42");
}

static void fault_expect_fault_without_fault_returns_false(struct ktest *t)
{
	unsigned before = fault_count;
	struct fault_info fi = { .vector = 99 };

	KEXPECT(t, !ktest_expect_fault(nothing, NULL, &fi));
	KEXPECT_EQ(t, fi.vector, 99);                   /* untouched */
	KEXPECT_EQ(t, fault_count, before);
	KEXPECT(t, *fault_catch_slot() != NULL);        /* ktest's own */
}

KTEST_SUITE(fault,
	KTEST_CASE(fault_null_read_is_caught),
	KTEST_CASE(fault_write_to_kernel_text_is_caught),
	KTEST_CASE(fault_divide_by_zero_is_caught),
	KTEST_CASE(fault_count_grows_and_kernel_goes_on),
	KTEST_CASE(fault_expect_fault_without_fault_returns_false));

/* ---- ksyms ------------------------------------------------------------- */

/* Its own frame, so its return address lies in the caller. */
static __attribute__((noinline)) uintptr_t my_return_address(void)
{
	return (uintptr_t)__builtin_return_address(0);
}

static void ksyms_lookup_finds_kmain(struct ktest *t)
{
	uintptr_t a = ksyms_address("kmain");
	struct ksym s;

	KASSERT(t, a != 0);
	KEXPECT(t, ksyms_in_kernel_text(a));
	KASSERT(t, ksyms_lookup(a, &s));
	KEXPECT_STREQ(t, s.name, "kmain");
	KEXPECT_EQ(t, s.off, 0);
	KEXPECT(t, s.owner == NULL);
	KASSERT(t, ksyms_lookup(a + 3, &s));
	KEXPECT_STREQ(t, s.name, "kmain");
	KEXPECT_EQ(t, s.off, 3);
}

static void ksyms_address_of_unknown_name_is_zero(struct ktest *t)
{
	KEXPECT_EQ(t, ksyms_address("no_such_symbol_anywhere"), 0);
	KEXPECT_EQ(t, ksyms_address(""), 0);
	KEXPECT_EQ(t, ksyms_address("kmai"), 0);        /* no prefixes */
}

static void ksyms_format_inside_a_function(struct ktest *t)
{
	uintptr_t a = ksyms_address("kmain");
	char buf[64];

	KASSERT(t, a != 0);
	ksyms_format(a, buf, sizeof(buf));
	KEXPECT_STREQ(t, buf, "kmain+0x0");
	ksyms_format(a + 0x10, buf, sizeof(buf));
	KEXPECT_STREQ(t, buf, "kmain+0x10");
}

static void ksyms_format_ret_names_the_call_site(struct ktest *t)
{
	uintptr_t ra = my_return_address();
	const char *me = "ksyms_format_ret_names_the_call_site+0x";
	char buf[96];

	ksyms_format_ret(ra, buf, sizeof(buf));
	KEXPECT(t, !strncmp(buf, me, strlen(me)));
	if (strncmp(buf, me, strlen(me)))
		ktest_diag(t, "got %s", buf);
}

static void ksyms_outside_text_is_unknown(struct ktest *t)
{
	static int data_object;
	struct ksym s;
	char buf[32];

	KEXPECT(t, !ksyms_lookup((uintptr_t)&data_object, &s));
	KEXPECT(t, s.name == NULL);
	ksyms_format((uintptr_t)&data_object, buf, sizeof(buf));
	KEXPECT_STREQ(t, buf, "?");
	ksyms_format(0, buf, sizeof(buf));
	KEXPECT_STREQ(t, buf, "?");
	/* the table knows only starts: text's end must not resolve */
	ksyms_format((uintptr_t)_text_end, buf, sizeof(buf));
	KEXPECT_STREQ(t, buf, "?");
	KEXPECT(t, ksyms_lookup((uintptr_t)_text_end - 1, &s));
}

static void ksyms_format_truncates_safely(struct ktest *t)
{
	uintptr_t a = ksyms_address("kmain");
	char buf[8];

	memset(buf, 'X', sizeof(buf));
	ksyms_format(a + 0x10, buf, 6);
	KEXPECT_STREQ(t, buf, "kmain");
	KEXPECT_EQ(t, buf[6], 'X');
}

KTEST_SUITE(ksyms,
	KTEST_CASE(ksyms_lookup_finds_kmain),
	KTEST_CASE(ksyms_address_of_unknown_name_is_zero),
	KTEST_CASE(ksyms_format_inside_a_function),
	KTEST_CASE(ksyms_format_ret_names_the_call_site),
	KTEST_CASE(ksyms_outside_text_is_unknown),
	KTEST_CASE(ksyms_format_truncates_safely));

/* ---- shell ------------------------------------------------------------- */

static int probe_argc;
static char probe_arg1[16];

static int cmd_probe(int argc, char **argv)
{
	probe_argc = argc;
	kstrlcpy(probe_arg1, argc > 1 ? argv[1] : "", sizeof(probe_arg1));
	return argc == 3 ? 0 : -EINVAL;
}

static int cmd_fault(int argc, char **argv)
{
	volatile int *volatile p = NULL;       /* opaque: a real load */

	return *p;
}

static struct command probe_cmd = {
	.name = "ktest_probe", .usage = "A B", .help = "shell suite probe",
	.fn = cmd_probe,
};

static void shell_exec_unknown_command_is_enoent(struct ktest *t)
{
	KEXPECT_EQ(t, shell_exec("no_such_command_xyz"), -ENOENT);
	KEXPECT_EQ(t, shell_exec("  no_such_command_xyz  a b"), -ENOENT);
}

static void shell_find_builtin_commands(struct ktest *t)
{
	const struct command *c = shell_find("help");

	KASSERT(t, c != NULL);
	KEXPECT_STREQ(t, c->name, "help");
	KEXPECT(t, c->fn != NULL && c->owner == NULL);
	KEXPECT(t, shell_find("test") != NULL);
	KEXPECT(t, shell_find("hel") == NULL);          /* no prefixes */
	KEXPECT(t, shell_find("helpx") == NULL);
	KEXPECT(t, shell_find("") == NULL);
}

static void shell_exec_bad_lines(struct ktest *t)
{
	char line[SHELL_LINE_MAX + 8];
	unsigned n = 0;

	KEXPECT_EQ(t, shell_exec(""), 0);
	KEXPECT_EQ(t, shell_exec("   \t "), 0);
	KEXPECT_EQ(t, shell_exec("echo \"unclosed"), -EINVAL);
	/* one word more than SHELL_MAX_ARGS */
	for (unsigned i = 0; i <= SHELL_MAX_ARGS; i++)
		n += ksnprintf(line + n, sizeof(line) - n, "e ");
	KEXPECT_EQ(t, shell_exec(line), -E2BIG);
	/* a line of exactly SHELL_LINE_MAX characters is too long */
	memset(line, 'x', SHELL_LINE_MAX);
	line[SHELL_LINE_MAX] = '\0';
	KEXPECT_EQ(t, shell_exec(line), -E2BIG);
}

static void shell_register_runs_and_unregisters(struct ktest *t)
{
	KASSERT_EQ(t, shell_register(&probe_cmd), 0);
	KEXPECT(t, shell_find("ktest_probe") == &probe_cmd);
	KEXPECT_EQ(t, shell_register(&probe_cmd), -EEXIST);
	KEXPECT_EQ(t, shell_exec("ktest_probe 'one two' x"), 0);
	KEXPECT_EQ(t, probe_argc, 3);
	KEXPECT_STREQ(t, probe_arg1, "one two");
	KEXPECT_EQ(t, shell_exec("ktest_probe"), -EINVAL);
	shell_unregister(&probe_cmd);
	KEXPECT(t, shell_find("ktest_probe") == NULL);
	KEXPECT_EQ(t, shell_exec("ktest_probe a b"), -ENOENT);
}

static void shell_register_rejects_builtin_names(struct ktest *t)
{
	struct command dup = { .name = "help", .help = "x", .fn = cmd_probe };

	KEXPECT_EQ(t, shell_register(&dup), -EEXIST);
	KEXPECT(t, shell_find("help") != &dup);
}

static void shell_exec_recovers_from_faulting_command(struct ktest *t)
{
	struct command faulty = { .name = "ktest_fault", .help = "faults",
				  .fn = cmd_fault };
	unsigned before = fault_count;
	int ret;

	KASSERT_EQ(t, shell_register(&faulty), 0);
	ret = shell_exec("ktest_fault");
	shell_unregister(&faulty);
	KEXPECT_EQ(t, ret, -EFAULT);
	KEXPECT_EQ(t, fault_count, before + 1);
	KEXPECT_EQ(t, shell_exec("echo the shell recovered"), 0);
}

KTEST_SUITE(shell,
	KTEST_CASE(shell_exec_unknown_command_is_enoent),
	KTEST_CASE(shell_find_builtin_commands),
	KTEST_CASE(shell_exec_bad_lines),
	KTEST_CASE(shell_register_runs_and_unregisters),
	KTEST_CASE(shell_register_rejects_builtin_names),
	KTEST_CASE(shell_exec_recovers_from_faulting_command));

/* ---- format ------------------------------------------------------------ */

static void format_i686_widths(struct ktest *t)
{
	char buf[32];

	ksnprintf(buf, sizeof(buf), "%p", (void *)0xc0001000u);
	KEXPECT_STREQ(t, buf, "0xc0001000");
	ksnprintf(buf, sizeof(buf), "%lx %ld", 0xffffffffUL, -1L);
	KEXPECT_STREQ(t, buf, "ffffffff -1");
	ksnprintf(buf, sizeof(buf), "%zu", (size_t)4000000000u);
	KEXPECT_STREQ(t, buf, "4000000000");
}

static void format_long_long_on_a_32_bit_stack(struct ktest *t)
{
	char buf[48];

	ksnprintf(buf, sizeof(buf), "%d %llx %d", 1, 0x123456789abcdefULL, 2);
	KEXPECT_STREQ(t, buf, "1 123456789abcdef 2");
	ksnprintf(buf, sizeof(buf), "%lld", -9000000000LL);
	KEXPECT_STREQ(t, buf, "-9000000000");
}

KTEST_SUITE(format,
	KTEST_CASE(format_i686_widths),
	KTEST_CASE(format_long_long_on_a_32_bit_stack));
