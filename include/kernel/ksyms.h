/*
 * <kernel/ksyms.h>: addresses to names, for backtraces and reports.
 *
 * The kernel's own text symbols come from a table built into the image by a
 * second link pass (scripts/gensyms). Other code that owns text, i.e. the
 * module loader, adds a resolver so a module's frames print as
 * "sym+0xoff [NAME]", even after the module is gone.
 */
#ifndef KERNEL_KSYMS_H
#define KERNEL_KSYMS_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

struct ksym {
	const char *name;       /* NULL: unknown address */
	uintptr_t off;          /* addr - symbol start */
	const char *owner;      /* NULL for the kernel, else a module name */
	const char *note;       /* e.g. "unloaded", or NULL */
};

/* Return: true if addr falls in a known symbol. Context: any. */
bool ksyms_lookup(uintptr_t addr, struct ksym *out);
/* "name+0xoff", "name+0xoff [mod]", or "?" when unknown. Context: any. */
void ksyms_format(uintptr_t addr, char *buf, size_t len);
/* The same for a return address: names the call site (addr - 1). */
void ksyms_format_ret(uintptr_t addr, char *buf, size_t len);
/* Start address of the kernel text symbol name, or 0. Context: any. */
uintptr_t ksyms_address(const char *name);
/* True if addr is in the kernel's own text. */
bool ksyms_in_kernel_text(uintptr_t addr);

typedef bool (*ksyms_resolver)(uintptr_t addr, struct ksym *out);
/* Add a resolver tried for addresses outside kernel text. Context: boot. */
void ksyms_add_resolver(ksyms_resolver fn);

#endif
