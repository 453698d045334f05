/*
 * mm/mm_cmds.c: `mem`, what memory is in use, for leak checks by hand.
 */
#include <kernel/printk.h>
#include <kernel/shell.h>
#include <mm/heap.h>
#include <mm/pmm.h>
#include <mm/vmm.h>

static int cmd_mem(int argc, char **argv)
{
	struct heap_stats st;

	heap_stats(&st);
	kprintf("frames: %lu used, %lu free, %lu total (4 KiB each)\n",
		(unsigned long)pmm_used(), (unsigned long)pmm_free_count(),
		(unsigned long)pmm_total());
	kprintf("heap:   %lu bytes in %lu allocations, %lu bytes free, "
		"%lu bytes mapped\n", (unsigned long)st.bytes_in_use,
		(unsigned long)st.allocations, (unsigned long)st.free_bytes,
		(unsigned long)st.arena_bytes);
	kprintf("vmap:   %lu pages (stacks and their guard pages)\n",
		(unsigned long)vmap_used_pages());
	return 0;
}
COMMAND(mem, "mem", "", "show frames and heap in use (for leak checks)",
	cmd_mem);
