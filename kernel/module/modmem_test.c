/*
 * kernel/module/modmem_test.c: KTAP suite `modmem`: module memory really goes
 * away. After an unload, touching the module's text or data faults, and
 * the detector names the module, the tick and the symbol.
 */
#include <kernel/module/module.h>
#include <kernel/boot.h>
#include <kernel/ktest.h>
#include <mm/pmm.h>

static char err[200];

struct victim {
	uintptr_t text, data, end;      /* a function, a data word, past all */
	uintptr_t base;
};

/* Load name, remember addresses inside it, unload it. */
static void load_and_free(struct ktest *t, const char *name,
			  struct victim *v)
{
	int saved = console_loglevel;
	struct module *m;

	ktest_need_file(t, name);
	console_loglevel = LOG_WARN;
	KASSERT_EQ(t, module_load(name, 0, NULL, err, sizeof(err)), 0);
	m = module_find(name);
	v->text = (uintptr_t)(m->init ? (void *)m->init : (void *)m->reg);
	v->data = m->data;
	v->base = m->mem.base;
	v->end = m->mem.base + m->mem.pages * PAGE_SIZE;
	KASSERT_EQ(t, module_unload(name, err, sizeof(err)), 0);
	console_loglevel = saved;
}

static void call_it(void *fn)
{
	((void (*)(void))fn)();
}

static void read_it(void *p)
{
	(void)*(volatile uint32_t *)p;
}

static void write_it(void *p)
{
	*(volatile uint32_t *)p = 0xdead;
}

static void expect_uaf(struct ktest *t, void (*fn)(void *), uintptr_t addr,
		       const char *name, const char *access, const char *sym)
{
	struct fault_info fi;
	char line[200], head[64];

	KASSERT(t, ktest_expect_fault(fn, (void *)addr, &fi));
	KEXPECT_EQ(t, fi.vector, VEC_PAGE);
	KEXPECT_EQ(t, fi.addr, addr);
	KEXPECT(t, !(fi.err & PF_PRESENT));     /* unmapped, not protected */
	KASSERT(t, modmem_explain(fi.addr, fi.eip, fi.err, line,
				  sizeof(line)));
	ktest_diag(t, "%s", line);
	ksnprintf(head, sizeof(head), "use-after-free: module '%s' (unloaded "
		  "at tick ", name);
	KEXPECT(t, !strncmp(line, head, strlen(head)));
	KEXPECT(t, strstr(line, access));
	KEXPECT(t, strstr(line, sym));
}

static void modmem_freed_text_faults_and_is_explained(struct ktest *t)
{
	struct victim v;

	load_and_free(t, "hello", &v);
	expect_uaf(t, call_it, v.text, "hello", ": exec at",
		   "EIP=0xd");
	expect_uaf(t, call_it, v.text, "hello", "hello_init+0x0 [hello, "
		   "unloaded]", "hello_init");
	expect_uaf(t, read_it, v.text, "hello", ": read at", "hello_init");
}

static void modmem_freed_data_faults_and_is_explained(struct ktest *t)
{
	struct victim v;

	load_and_free(t, "counter", &v);
	expect_uaf(t, read_it, v.data, "counter", ": read at", "[counter, "
		   "unloaded]");
	expect_uaf(t, write_it, v.data, "counter", ": write at",
		   "EIP=0x");
}

static void modmem_text_and_rodata_are_read_only(struct ktest *t)
{
	struct fault_info fi;
	struct module *m;

	ktest_need_file(t, "shout");
	KASSERT_EQ(t, module_load("shout", 0, NULL, err, sizeof(err)), 0);
	m = module_find("shout");
	KEXPECT(t, ktest_expect_fault(write_it, (void *)m->text, &fi));
	KEXPECT_EQ(t, fi.err & (PF_PRESENT | PF_WRITE), PF_PRESENT | PF_WRITE);
	KEXPECT(t, ktest_expect_fault(write_it, (void *)m->rodata, &fi));
	KEXPECT(t, !ktest_expect_fault(write_it, (void *)m->data, &fi));
	/* the guard page after the module */
	KEXPECT(t, ktest_expect_fault(read_it, (void *)(m->mem.base +
				       m->mem.pages * PAGE_SIZE), &fi));
	KEXPECT_EQ(t, module_unload("shout", err, sizeof(err)), 0);
}

/* A dead module's code, run before its pages go (another CPU, after the
 * cleanup), faults at the freed state it reads: its range is a grave from
 * modmem_bury on, so that fault is a use-after-free too. The code here:
 * mov eax, [0]; ret. */
static void modmem_a_fault_in_a_buried_range_is_a_uaf(struct ktest *t)
{
	static const uint8_t code[] = { 0xa1, 0, 0, 0, 0, 0xc3 };
	uint32_t frames = pmm_used();
	struct modmem mm = { 0 };
	struct fault_info fi;
	char line[200];

	KASSERT_EQ(t, modmem_alloc(&mm, 1), 0);
	memcpy((void *)mm.base, code, sizeof(code));
	modmem_bury(&mm, "buried", NULL, 0);
	KASSERT(t, ktest_expect_fault(call_it, (void *)mm.base, &fi));
	KEXPECT_EQ(t, fi.addr, 0);
	KEXPECT_EQ(t, fi.eip, mm.base);
	KEXPECT(t, modmem_explain(fi.addr, fi.eip, fi.err, line,
				  sizeof(line)));
	ktest_diag(t, "%s", line);
	KEXPECT(t, strstr(line, "use-after-free: module 'buried'"));
	modmem_free(&mm);
	KEXPECT_EQ(t, pmm_used(), frames);
}

/* No range comes back while it is in quarantine. */
static void modmem_quarantine_keeps_ranges(struct ktest *t)
{
	uintptr_t bases[MODMEM_QUARANTINE];
	uint32_t frames = pmm_used();
	struct victim v;

	for (unsigned i = 0; i < MODMEM_QUARANTINE; i++) {
		load_and_free(t, "hello", &v);
		bases[i] = v.base;
		for (unsigned j = 0; j < i; j++)
			KEXPECT(t, bases[j] != v.base);
		KEXPECT(t, modmem_in_grave(v.base));
	}
	for (unsigned i = 0; i < MODMEM_QUARANTINE; i++)
		KEXPECT(t, modmem_in_grave(bases[i]));
	KEXPECT_EQ(t, pmm_used(), frames);
	KEXPECT_EQ(t, modmem_graves(), MODMEM_QUARANTINE);
}

KTEST_SUITE(modmem,
	KTEST_CASE(modmem_freed_text_faults_and_is_explained),
	KTEST_CASE(modmem_freed_data_faults_and_is_explained),
	KTEST_CASE(modmem_a_fault_in_a_buried_range_is_a_uaf),
	KTEST_CASE(modmem_text_and_rodata_are_read_only),
	KTEST_CASE(modmem_quarantine_keeps_ranges));
