/*
 * kernel/module/module_test.c: KTAP suite `module`: the loader end to end, on
 * the sample modules the ISO carries.
 *
 * Every case measures memory before and after (frames, heap bytes and
 * allocations, module pages) and demands the same numbers: a load that
 * fails, or a load and unload, leaves nothing behind. The graves of
 * unloaded modules are static (kernel/module/modmem.c), so they do not count.
 */
#include <kernel/module/module.h>
#include <kernel/arch.h>
#include <kernel/boot.h>
#include <kernel/ksyms.h>
#include <kernel/ktest.h>
#include <kernel/module/memusage.h>
#include <mm/pmm.h>

#define KEXPECT_MEM_AT(t, before)                                              \
	do {                                                                   \
		struct mem_usage __now;                                        \
		mem_usage_read(&__now);                                        \
		KEXPECT_EQ(t, __now.frames, (before).frames);                  \
		KEXPECT_EQ(t, __now.modpages, (before).modpages);              \
		KEXPECT_EQ(t, __now.heap_bytes, (before).heap_bytes);          \
		KEXPECT_EQ(t, __now.heap_allocs, (before).heap_allocs);        \
	} while (0)

static char err[200];

static void need(struct ktest *t, const char *name)
{
	ktest_need_file(t, name);
}

static int load(const char *name)
{
	return module_load(name, 0, NULL, err, sizeof(err));
}

static int unload(const char *name)
{
	return module_unload(name, err, sizeof(err));
}

/* Load and unload name `rounds` times; report the cycles insmod took. */
static void cycle(struct ktest *t, const char *name, unsigned rounds)
{
	uint64_t total = 0, first = 0, best = ~0ull;
	struct module *m;

	for (unsigned i = 0; i < rounds; i++) {
		KASSERT_EQ(t, load(name), 0);
		m = module_find(name);
		KASSERT(t, m && m->state == MODULE_LIVE);
		if (!i)
			first = m->load_cycles;
		total += m->load_cycles;
		if (m->load_cycles < best)
			best = m->load_cycles;
		KASSERT_EQ(t, unload(name), 0);
	}
	ktest_diag(t, "insmod %s: %lu cycles first, %lu average, %lu best "
		   "(TSC, %u loads)", name, (unsigned long)first,
		   (unsigned long)(total / rounds), (unsigned long)best,
		   rounds);
}

static void module_load_unload_each_sample_1000_times(struct ktest *t)
{
	static const char *const samples[] = {
		"hello", "shout", "counter", "ticker", "mathlib" };
	int saved = console_loglevel;
	struct mem_usage before;

	mem_usage_read(&before);
	console_loglevel = LOG_WARN;    /* hello greets 1000 times: dmesg */
	for (unsigned i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
		need(t, samples[i]);
	need(t, "mathuser");
	for (unsigned i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
		cycle(t, samples[i], 1000);
	KASSERT_EQ(t, load("mathlib"), 0);
	cycle(t, "mathuser", 1000);
	KEXPECT_EQ(t, unload("mathlib"), 0);
	console_loglevel = saved;
	KEXPECT_MEM_AT(t, before);
	KEXPECT_EQ(t, modmem_graves(), MODMEM_QUARANTINE);
}

/* Load name, expect code and a message that starts with head and ends
 * with tail, and memory exactly as before. */
static void expect_refusal(struct ktest *t, const char *name, int code,
			   const char *head, const char *tail)
{
	struct mem_usage before;
	size_t n = strlen(err), k = strlen(tail);

	if (!boot_file_find(name)) {
		ktest_diag(t, "%s.ko not on the boot medium", name);
		t->failed = true;
		return;
	}
	mem_usage_read(&before);
	KEXPECT_EQ(t, load(name), code);
	n = strlen(err);
	if (strncmp(err, head, strlen(head)) || n < k ||
	    strcmp(err + n - k, tail)) {
		ktest_diag(t, "got: %s", err);
		ktest_diag(t, "expected: %s...%s", head, tail);
		t->failed = true;
	}
	KEXPECT(t, module_find(name) == NULL);
	KEXPECT_MEM_AT(t, before);
}

static void module_load_rejects_each_bad_sample(struct ktest *t)
{
	const struct boot_file *hello = ktest_need_file(t, "hello");
	int saved = console_loglevel;
	uint32_t shoff = 0;
	uint16_t shnum = 0;
	char msg[160];

	console_loglevel = LOG_WARN;
	expect_refusal(t, "bad_init", -EIO,
		       "bad_init.ko: init failed; the module was unloaded", "");
	console_loglevel = saved;
	expect_refusal(t, "bad_unknown", -ENOENT,
		       "bad_unknown.ko: unknown symbol 'no_such_function'", "");
	expect_refusal(t, "bad_reloc", -ENOEXEC,
		       "bad_reloc.ko: unsupported relocation R_386_GOTPC in "
		       ".text+0x", "; compile with -fno-pic");
	expect_refusal(t, "bad_common", -ENOEXEC,
		       "bad_common.ko: symbol 'bad_common_counter' is COMMON; "
		       "compile with -fno-common", "");
	expect_refusal(t, "bad_ctor", -ENOEXEC,
		       "bad_ctor.ko: section '.init_array' holds constructors",
		       "; use MODULE_INIT instead of "
		       "__attribute__((constructor))");
	expect_refusal(t, "bad_cet", -ENOEXEC,
		       "bad_cet.ko: section '.note.gnu.property' is a "
		       "loadable note", "; compile with -fcf-protection=none");
	/* The damaged copies of hello.ko (Makefile, scripts/bitflip). */
	memcpy(&shoff, hello->data + 0x20, 4);
	memcpy(&shnum, hello->data + 0x30, 2);
	ksnprintf(msg, sizeof(msg), "bad_truncated.ko: the section header "
		  "table (offset %lu, %u entries) lies outside the 700-byte "
		  "file", (unsigned long)shoff, shnum);
	expect_refusal(t, "bad_truncated", -ENOEXEC, msg, "");
	ksnprintf(msg, sizeof(msg), "bad_bitflip.ko: the section header "
		  "table (offset %lu, %u entries) lies outside the %lu-byte "
		  "file", (unsigned long)(shoff ^ 0x40000000u), shnum,
		  (unsigned long)hello->size);
	expect_refusal(t, "bad_bitflip", -ENOEXEC, msg, "");
	KEXPECT_EQ(t, load("no_such_module"), -ENOENT);
	KEXPECT_STREQ(t, err, "no_such_module.ko: no such module file; 'ls' "
		      "lists them");
}

/* Every truncation of hello.ko from a heap copy: refused, nothing kept. */
static void module_load_rejects_truncated_images(struct ktest *t)
{
	const struct boot_file *bf = ktest_need_file(t, "hello");
	struct mem_usage before;
	uint8_t *copy;

	copy = kmalloc(bf->size);
	KASSERT(t, copy);
	memcpy(copy, bf->data, bf->size);
	mem_usage_read(&before);
	for (size_t n = 0; n < bf->size; n += 7)
		KEXPECT_EQ(t, module_load_image("trunc", copy, n, 0, NULL, err,
						 sizeof(err)), -ENOEXEC);
	KEXPECT_MEM_AT(t, before);
	kfree(copy);
}

static void module_load_rejects_bad_parameters(struct ktest *t)
{
	char a1[] = "times=abc", a2[] = "colour=red", a3[] = "who",
	     a4[] = "who=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	char *v1[] = { a1 }, *v2[] = { a2 }, *v3[] = { a3 }, *v4[] = { a4 };
	struct mem_usage before;

	need(t, "hello");
	mem_usage_read(&before);
	KEXPECT_EQ(t, module_load("hello", 1, v1, err, sizeof(err)), -EINVAL);
	KEXPECT_STREQ(t, err, "hello.ko: parameter 'times': 'abc' is not a "
		      "number");
	KEXPECT_EQ(t, module_load("hello", 1, v2, err, sizeof(err)), -EINVAL);
	KEXPECT_STREQ(t, err, "hello.ko: unknown parameter 'colour'; "
		      "'modinfo hello' lists them");
	KEXPECT_EQ(t, module_load("hello", 1, v3, err, sizeof(err)), -EINVAL);
	KEXPECT_STREQ(t, err, "hello.ko: 'who' is not key=value");
	KEXPECT_EQ(t, module_load("hello", 1, v4, err, sizeof(err)), -E2BIG);
	KEXPECT_MEM_AT(t, before);
}

static void module_parameters_reach_the_module(struct ktest *t)
{
	char a1[] = "who=ktest", a2[] = "times=2", tail[160];
	char *argv[] = { a1, a2 };
	int saved = console_loglevel;
	size_t n;

	need(t, "hello");
	console_loglevel = LOG_WARN;
	KASSERT_EQ(t, module_load("hello", 2, argv, err, sizeof(err)), 0);
	console_loglevel = saved;
	n = dmesg_tail(tail, sizeof(tail) - 1);
	tail[n] = '\0';
	KEXPECT(t, strstr(tail, "hello, ktest"));
	console_loglevel = LOG_WARN;
	KEXPECT_EQ(t, unload("hello"), 0);
	console_loglevel = saved;
}

static void module_load_refuses_a_second_copy(struct ktest *t)
{
	need(t, "shout");
	KASSERT_EQ(t, load("shout"), 0);
	KEXPECT_EQ(t, load("shout"), -EEXIST);
	KEXPECT_STREQ(t, err, "shout.ko: module 'shout' is already loaded");
	KEXPECT_EQ(t, unload("shout"), 0);
	KEXPECT_EQ(t, unload("shout"), -ENOENT);
}

static void module_unload_refuses_the_wrong_order(struct ktest *t)
{
	struct mem_usage before;
	struct module *lib;

	need(t, "mathlib");
	need(t, "mathuser");
	mem_usage_read(&before);
	KEXPECT_EQ(t, load("mathuser"), -ENOENT);
	KEXPECT_STREQ(t, err, "mathuser.ko: unknown symbol 'mathlib_gcd'");
	KASSERT_EQ(t, load("mathlib"), 0);
	KASSERT_EQ(t, load("mathuser"), 0);
	lib = module_find("mathlib");
	KEXPECT(t, lib->users && lib->users->user == module_find("mathuser"));
	KEXPECT_EQ(t, unload("mathlib"), -EBUSY);
	KEXPECT_STREQ(t, err, "module 'mathlib' is used by module 'mathuser'; "
		      "unload that first");
	KEXPECT_EQ(t, shell_exec("gcd 84 36"), 0);
	KEXPECT_EQ(t, unload("mathuser"), 0);
	KEXPECT_EQ(t, unload("mathlib"), 0);
	KEXPECT_MEM_AT(t, before);
}

static void module_load_refuses_a_duplicate_export(struct ktest *t)
{
	need(t, "mathlib");
	need(t, "bad_dupexport");
	KASSERT_EQ(t, load("mathlib"), 0);
	KEXPECT_EQ(t, load("bad_dupexport"), -EEXIST);
	KEXPECT_STREQ(t, err, "bad_dupexport.ko: symbol 'mathlib_gcd' is "
		      "already exported by mathlib");
	KEXPECT_EQ(t, unload("mathlib"), 0);
}

static void module_unload_refuses_while_referenced(struct ktest *t)
{
	struct service *svc;
	uint32_t v = 0;

	need(t, "counter");
	KASSERT_EQ(t, load("counter"), 0);
	KEXPECT_EQ(t, service_call("counter", 1, 5, &v), 0);
	KEXPECT_EQ(t, v, 5);
	svc = service_get("counter");
	KASSERT(t, svc);
	KEXPECT_EQ(t, module_find("counter")->refs, 1);
	KEXPECT_EQ(t, unload("counter"), -EBUSY);
	KEXPECT_STREQ(t, err, "module 'counter' is in use (refcount 1)");
	service_put(svc);
	KEXPECT_EQ(t, unload("counter"), 0);
	KEXPECT(t, service_get("counter") == NULL);
}

static void module_try_get_fails_when_going(struct ktest *t)
{
	struct module *m;

	need(t, "shout");
	KASSERT_EQ(t, load("shout"), 0);
	m = module_find("shout");
	KEXPECT(t, try_module_get(m));
	KEXPECT_EQ(t, m->refs, 1);
	module_put(m);
	m->state = MODULE_GOING;        /* as unload would */
	KEXPECT(t, !try_module_get(m));
	KEXPECT(t, !module_enter(m));
	KEXPECT_EQ(t, shell_exec("shout x"), -ENOENT);
	m->state = MODULE_LIVE;
	KEXPECT_EQ(t, shell_exec("shout boundary"), 0);
	KEXPECT_EQ(t, m->refs, 0);
	KEXPECT_EQ(t, unload("shout"), 0);
}

static void module_self_counting_takes_no_boundary_ref(struct ktest *t)
{
	struct module *m;

	need(t, "ticker");
	KASSERT_EQ(t, load("ticker"), 0);
	m = module_find("ticker");
	KEXPECT_EQ(t, m->counting, MODULE_COUNT_SELF);
	KEXPECT(t, module_enter(m));
	KEXPECT_EQ(t, m->refs, 0);      /* the 2002 window: in, count 0 */
	module_leave(m);
	KEXPECT_EQ(t, shell_exec("ticker"), 0);
	KEXPECT_EQ(t, m->refs, 0);
	KEXPECT_EQ(t, unload("ticker"), 0);
}

static void module_frames_are_named_in_backtraces(struct ktest *t)
{
	char sym[96];
	struct module *m;
	uintptr_t text;

	need(t, "hello");
	KASSERT_EQ(t, load("hello"), 0);
	m = module_find("hello");
	text = m->text;
	ksyms_format((uintptr_t)m->init + 3, sym, sizeof(sym));
	KEXPECT_STREQ(t, sym, "hello_init+0x3 [hello]");
	KEXPECT(t, module_of_addr((uintptr_t)m->init) == m);
	KEXPECT_EQ(t, unload("hello"), 0);
	ksyms_format(text, sym, sizeof(sym));      /* from its grave */
	KEXPECT(t, strstr(sym, "[hello, unloaded]"));
}

KTEST_SUITE(module,
	KTEST_CASE(module_load_rejects_each_bad_sample),
	KTEST_CASE(module_load_rejects_truncated_images),
	KTEST_CASE(module_load_rejects_bad_parameters),
	KTEST_CASE(module_parameters_reach_the_module),
	KTEST_CASE(module_load_refuses_a_second_copy),
	KTEST_CASE(module_unload_refuses_the_wrong_order),
	KTEST_CASE(module_load_refuses_a_duplicate_export),
	KTEST_CASE(module_unload_refuses_while_referenced),
	KTEST_CASE(module_try_get_fails_when_going),
	KTEST_CASE(module_self_counting_takes_no_boundary_ref),
	KTEST_CASE(module_frames_are_named_in_backtraces),
	KTEST_CASE(module_load_unload_each_sample_1000_times));
