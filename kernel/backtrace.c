/*
 * kernel/backtrace.c: printing backtraces, and knowing where stacks are.
 */
#include <kernel/backtrace.h>
#include <kernel/ksyms.h>
#include <kernel/printk.h>
#include <kernel/arch.h>

extern char boot_stack_bottom[], boot_stack_top[];

static stack_bounds_fn task_bounds;

void backtrace_set_bounds_fn(stack_bounds_fn fn)
{
	task_bounds = fn;
}

bool stack_bounds(uintptr_t addr, uintptr_t *lo, uintptr_t *hi)
{
	if (addr >= (uintptr_t)boot_stack_bottom &&
	    addr < (uintptr_t)boot_stack_top) {
		*lo = (uintptr_t)boot_stack_bottom;
		*hi = (uintptr_t)boot_stack_top;
		return true;
	}
	return task_bounds && task_bounds(addr, lo, hi);
}

void backtrace_print(uintptr_t eip, uintptr_t ebp, const char *indent)
{
	uintptr_t ret[BACKTRACE_MAX], lo, hi;
	unsigned n = 0;
	char sym[96];

	ksyms_format(eip, sym, sizeof(sym));
	kprintf("%s#0  %08lx %s\n", indent, (unsigned long)eip, sym);
	if (stack_bounds(ebp, &lo, &hi))
		n = stack_walk(ebp, lo, hi, ret, BACKTRACE_MAX);
	for (unsigned i = 0; i < n; i++) {
		/* A return address may point just past a noreturn call, into
		 * the next function: name the call site instead. */
		ksyms_format_ret(ret[i], sym, sizeof(sym));
		kprintf("%s#%-2u %08lx %s\n", indent, i + 1,
			(unsigned long)ret[i], sym);
	}
}

void backtrace_here(const char *indent)
{
	backtrace_print((uintptr_t)__builtin_return_address(0),
			((uintptr_t *)read_ebp())[0], indent);
}
