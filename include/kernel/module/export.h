/*
 * <kernel/module/export.h>: the explicit table of symbols modules may link to.
 *
 * A module links only against what someone exported. EXPORT_SYMBOL(sym)
 * puts one { name, address } entry in a section named ".kexports.sym":
 *   - in the kernel, the linker gathers them between __kexports_start and
 *     __kexports_end, sorted by name (linker.ld: SORT), so the loader can
 *     binary-search them;
 *   - in a module, the loader finds every ".kexports*" section after
 *     relocation, and other modules can then link against those entries.
 * Exporting a name that is already exported (by the kernel or a loaded
 * module) refuses the load (EEXIST).
 */
#ifndef KERNEL_EXPORT_H
#define KERNEL_EXPORT_H

struct kexport {
	const char *name;
	const void *addr;
};

#define EXPORT_SYMBOL(sym)                                                 \
	static const struct kexport __kexport_##sym                        \
	__attribute__((used, section(".kexports." #sym), aligned(4))) = {  \
		#sym, (const void *)&sym }

#endif
