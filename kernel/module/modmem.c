/*
 * kernel/module/modmem.c: module memory and the use-after-free detector.
 *
 * See <kernel/module/modmem.h> for the layout of one module's range. Interface:
 *   modmem_alloc / modmem_protect_ro / modmem_bury / modmem_free /
 *   modmem_release,
 *   modmem_explain (also installed as a fault explainer),
 *   a ksyms resolver that names addresses in graves "sym [NAME, unloaded]".
 *
 * Lifecycle of a range:
 *
 *   free --modmem_alloc--> mapped --modmem_bury--> grave, still mapped
 *                            |          --modmem_free--> grave --evicted--> free
 *                            |                                  (17th free)
 *                            +---modmem_release (load failed early)--> free
 *
 * The grave comes first: from the moment a module is dead, a fault in its
 * range is a use-after-free, its code run after its cleanup on another
 * CPU included, before and after its pages go.
 *
 * While a range is mapped or in a grave its pages stay set in the area's
 * bitmap, so no other load can get them; on top of that the bitmap is
 * next-fit (<mm/vrange.h>), so an evicted range is reused only after the
 * allocator has gone round the whole 128 MiB area.
 */
#include <kernel/module/modmem.h>
#include <kernel/module/module.h>
#include <kernel/arch.h>
#include <kernel/backtrace.h>
#include <kernel/lib/errno.h>
#include <kernel/lib/format.h>
#include <kernel/init.h>
#include <kernel/ksyms.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/lib/string.h>
#include <kernel/trap.h>
#include <drivers/pit.h>
#include <mm/pmm.h>
#include <mm/vmm.h>
#include <mm/vrange.h>

#define AREA_PAGES ((MODAREA_END - MODAREA_BASE) / PAGE_SIZE)

struct grave_sym {
	uint32_t addr, size;
	uint16_t name;                  /* offset in strs */
};

struct grave {
	bool used;
	char name[MODULE_NAME_MAX];
	uintptr_t base;
	uint32_t pages;                 /* guard included */
	uint64_t tick;                  /* when it was unloaded */
	uintptr_t unload_bt[MODMEM_UNLOAD_BT];
	unsigned unload_depth;
	struct grave_sym syms[MODMEM_GRAVE_SYMS];
	uint32_t nsyms;
	char strs[MODMEM_GRAVE_STRS];
};

static uint32_t area_bits[AREA_PAGES / 32];
static struct vrange area;              /* [irq] */
static struct grave graves[MODMEM_QUARANTINE];  /* [irq] */
static unsigned grave_next;             /* [irq] the oldest grave */
static uint32_t mapped_pages;           /* [irq] */

static void unmap_pages(uintptr_t base, uint32_t pages)
{
	size_t n = vmm_unmap_free(base, pages);

	assert(n == pages);
}

int modmem_alloc(struct modmem *mm, uint32_t pages)
{
	uintptr_t base, pa;
	uint32_t f, i;

	f = irq_save();
	base = vrange_alloc(&area, pages + 1);  /* + the guard page */
	irq_restore(f);
	if (!base)
		return -ENOSPC;
	for (i = 0; i < pages; i++) {
		pa = pmm_alloc();
		if (!pa)
			goto unmap_frames;
		assert(vmm_map(base + i * PAGE_SIZE, pa, PTE_WRITE) == 0);
		memset((void *)(base + i * PAGE_SIZE), 0, PAGE_SIZE);
	}
	f = irq_save();
	mapped_pages += pages;
	irq_restore(f);
	mm->base = base;
	mm->pages = pages;
	mm->buried = false;
	return 0;

unmap_frames:
	unmap_pages(base, i);
	f = irq_save();
	vrange_free(&area, base, pages + 1);
	irq_restore(f);
	return -ENOMEM;
}

void modmem_protect_ro(struct modmem *mm, uintptr_t addr, uint32_t bytes)
{
	assert(addr >= mm->base && addr % PAGE_SIZE == 0);
	assert(addr + bytes <= mm->base + mm->pages * PAGE_SIZE);
	for (uintptr_t va = addr; va < addr + bytes; va += PAGE_SIZE)
		assert(vmm_protect(va, 0) == 0);
}

void modmem_release(struct modmem *mm)
{
	uint32_t f;

	if (!mm->base)
		return;
	unmap_pages(mm->base, mm->pages);
	f = irq_save();
	mapped_pages -= mm->pages;
	vrange_free(&area, mm->base, mm->pages + 1);
	irq_restore(f);
	mm->base = 0;
}

/* Copy as many symbols as fit; names are truncated to what is left. */
static void grave_copy_syms(struct grave *g, const struct module_sym *syms,
			    uint32_t nsyms)
{
	uint32_t used = 0;

	g->nsyms = 0;
	for (uint32_t i = 0; i < nsyms && g->nsyms < MODMEM_GRAVE_SYMS; i++) {
		size_t n = strlen(syms[i].name) + 1;

		if (used + n > sizeof(g->strs))
			break;
		memcpy(g->strs + used, syms[i].name, n);
		g->syms[g->nsyms++] = (struct grave_sym){
			syms[i].addr, syms[i].size, (uint16_t)used };
		used += n;
	}
}

void modmem_bury(struct modmem *mm, const char *name,
		 const struct module_sym *syms, uint32_t nsyms)
{
	uintptr_t lo, hi, ebp = read_ebp();
	struct grave *g;
	uint32_t f;

	assert(mm->base && !mm->buried);
	f = irq_save();
	g = &graves[grave_next];
	grave_next = (grave_next + 1) % MODMEM_QUARANTINE;
	if (g->used)    /* evict the oldest: its range may be reused now */
		vrange_free(&area, g->base, g->pages);
	g->used = true;
	kstrlcpy(g->name, name, sizeof(g->name));
	g->base = mm->base;
	g->pages = mm->pages + 1;
	g->tick = ticks_read();
	g->unload_depth = 0;
	if (stack_bounds(ebp, &lo, &hi))
		g->unload_depth = stack_walk(ebp, lo, hi, g->unload_bt,
					     MODMEM_UNLOAD_BT);
	grave_copy_syms(g, syms, nsyms);
	mm->buried = true;
	irq_restore(f);
}

void modmem_free(struct modmem *mm)
{
	uint32_t f;

	assert(mm->base && mm->buried);
	unmap_pages(mm->base, mm->pages);
	f = irq_save();
	mapped_pages -= mm->pages;
	irq_restore(f);
	mm->base = 0;
	mm->buried = false;
}

static struct grave *grave_of(uintptr_t addr)
{
	for (unsigned i = 0; i < MODMEM_QUARANTINE; i++) {
		struct grave *g = &graves[i];

		if (g->used && addr >= g->base &&
		    addr - g->base < (uintptr_t)g->pages * PAGE_SIZE)
			return g;
	}
	return NULL;
}

bool modmem_in_grave(uintptr_t addr)
{
	uint32_t f = irq_save();
	bool in = grave_of(addr) != NULL;

	irq_restore(f);
	return in;
}

/* The grave's symbol at or below addr. Symbols are sorted by address. */
static bool grave_sym(const struct grave *g, uintptr_t addr,
		      struct ksym *out)
{
	const struct grave_sym *best = NULL;

	for (uint32_t i = 0; i < g->nsyms; i++)
		if (g->syms[i].addr <= addr)
			best = &g->syms[i];
	if (!best)
		return false;
	out->name = g->strs + best->name;
	out->off = addr - best->addr;
	out->owner = g->name;
	out->note = "unloaded";
	return true;
}

static bool grave_resolver(uintptr_t addr, struct ksym *out)
{
	struct grave *g = grave_of(addr);

	return g && grave_sym(g, addr, out);
}

bool modmem_explain(uintptr_t addr, uintptr_t eip, uint32_t pf_err,
		    char *buf, size_t len)
{
	/* Without NX, a fetch reports as a read: addr == eip tells. */
	const char *access = (pf_err & PF_FETCH) || addr == eip ? "exec"
			   : pf_err & PF_WRITE ? "write" : "read";
	char where[64], at[64];
	struct grave *g;
	uint32_t f = irq_save();

	g = grave_of(addr);
	if (!g)
		g = grave_of(eip);
	if (g) {
		ksyms_format(eip, where, sizeof(where));
		ksyms_format(addr, at, sizeof(at));
		ksnprintf(buf, len, "use-after-free: module '%s' (unloaded at "
			  "tick %lu) EIP=%#lx %s: %s at %#lx %s", g->name,
			  (unsigned long)g->tick, (unsigned long)eip, where,
			  access, (unsigned long)addr, at);
	}
	irq_restore(f);
	return g != NULL;
}

static unsigned uaf_reports;    /* use-after-free faults explained */

/* The fault explainer: the line, then the backtrace of the unload. */
static bool explainer(const struct trap_frame *tf, uintptr_t addr, char *buf,
		      size_t len)
{
	char sym[96];
	struct grave *g;

	if (tf->vector != VEC_PAGE)
		return false;
	if (!modmem_explain(addr, tf->eip, tf->err, buf, len)) {
		if (addr < MODAREA_BASE || addr >= MODAREA_END)
			return false;
		ksnprintf(buf, len, "module area: %#lx is in no module (a "
			  "guard page, or a range evicted from quarantine)",
			  (unsigned long)addr);
		return true;
	}
	uaf_reports++;
	kprintf("%s\n", buf);
	g = grave_of(addr) ? grave_of(addr) : grave_of(tf->eip);
	kprintf("  the module was unloaded here:\n");
	for (unsigned i = 0; i < g->unload_depth; i++) {
		ksyms_format_ret(g->unload_bt[i], sym, sizeof(sym));
		kprintf("    #%-2u %08lx %s\n", i,
			(unsigned long)g->unload_bt[i], sym);
	}
	ksnprintf(buf, len, "  (its memory is unmapped and the range "
		  "quarantined; the access above is a bug)");
	return true;
}

unsigned modmem_uaf_reports(void)
{
	return uaf_reports;
}

uint32_t modmem_mapped_pages(void)
{
	return mapped_pages;
}

unsigned modmem_graves(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < MODMEM_QUARANTINE; i++)
		n += graves[i].used;
	return n;
}

static int modmem_setup(void)
{
	vrange_init(&area, MODAREA_BASE, AREA_PAGES, area_bits);
	fault_add_explainer(explainer);
	ksyms_add_resolver(grave_resolver);
	return 0;
}
INITCALL(modmem_setup, INIT_LATE);
