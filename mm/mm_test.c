/*
 * mm/mm_test.c: the in-kernel `mm` suite: frames, vmap ranges and the heap
 * on the real page tables.
 *
 * Every case is a leak check: it reads the counters the `mem` command
 * prints (pmm_used, vmap_used_pages, heap_stats), does its work, undoes
 * it, and expects the counters back where they were. The pure allocator
 * logic is tested on the host (tests/host/test_heap.c, test_vrange.c);
 * this suite proves the glue: frames really mapped, zeroed, unmapped and
 * returned.
 */
#include <kernel/ktest.h>
#include <kernel/trap.h>
#include <kernel/lib/string.h>
#include <mm/heap.h>
#include <mm/pmm.h>
#include <mm/vmm.h>

/* ---- pmm --------------------------------------------------------------- */

static void pmm_alloc_free_restores_used(struct ktest *t)
{
	uint32_t before = pmm_used(), free_before = pmm_free_count();
	uintptr_t pa = pmm_alloc();

	KASSERT(t, pa != 0);
	KEXPECT_EQ(t, pa % PAGE_SIZE, 0);
	KEXPECT(t, pa < pmm_ram_top());
	KEXPECT_EQ(t, pmm_used(), before + 1);
	KEXPECT_EQ(t, pmm_free_count(), free_before - 1);
	pmm_free(pa);
	KEXPECT_EQ(t, pmm_used(), before);
	KEXPECT_EQ(t, pmm_free_count(), free_before);
}

static void pmm_frames_are_distinct(struct ktest *t)
{
	uintptr_t pa[64];
	uint32_t before = pmm_used();
	unsigned n, dups = 0;

	for (n = 0; n < 64; n++) {
		pa[n] = pmm_alloc();
		if (!pa[n])
			break;
		for (unsigned j = 0; j < n; j++)
			dups += pa[j] == pa[n];
	}
	KEXPECT_EQ(t, n, 64);
	KEXPECT_EQ(t, dups, 0);
	KEXPECT_EQ(t, pmm_used(), before + n);
	while (n--)
		pmm_free(pa[n]);
	KEXPECT_EQ(t, pmm_used(), before);
}

static void pmm_used_plus_free_is_total(struct ktest *t)
{
	KEXPECT_EQ(t, pmm_used() + pmm_free_count(), pmm_total());
}

/* ---- vmap -------------------------------------------------------------- */

/* Every page mapped writable and zeroed; the guard below unmapped. */
static bool vmap_range_ok(struct ktest *t, uint8_t *p, size_t npages)
{
	uint32_t pte;

	if (vmm_query((uintptr_t)p - PAGE_SIZE, NULL)) {
		ktest_diag(t, "guard page below %p is mapped", (void *)p);
		return false;
	}
	for (size_t i = 0; i < npages; i++) {
		uint8_t *pg = p + i * PAGE_SIZE;

		if (!vmm_query((uintptr_t)pg, &pte) || !(pte & PTE_WRITE)) {
			ktest_diag(t, "page %p not mapped writable",
				   (void *)pg);
			return false;
		}
		for (size_t j = 0; j < PAGE_SIZE; j++)
			if (pg[j]) {
				ktest_diag(t, "page %p not zeroed",
					   (void *)pg);
				return false;
			}
		memset(pg, 0xa5, PAGE_SIZE);    /* dirty it for the next user */
	}
	return true;
}

static void vmap_alloc_free_restores_counters(struct ktest *t)
{
	for (size_t n = 1; n <= 16; n++) {
		uint32_t frames = pmm_used(), pages = vmap_used_pages();
		uint8_t *p = vmap_alloc(n);

		KASSERT(t, p != NULL);
		KEXPECT_EQ(t, (uintptr_t)p % PAGE_SIZE, 0);
		KEXPECT(t, (uintptr_t)p >= VMAP_BASE + PAGE_SIZE &&
			   (uintptr_t)p + n * PAGE_SIZE <= VMAP_END);
		KEXPECT_EQ(t, pmm_used(), frames + n);
		KEXPECT_EQ(t, vmap_used_pages(), pages + n + 1);  /* + guard */
		KEXPECT(t, vmap_range_ok(t, p, n));
		vmap_free(p, n);
		KEXPECT_EQ(t, pmm_used(), frames);
		KEXPECT_EQ(t, vmap_used_pages(), pages);
		for (size_t i = 0; i < n; i++)
			KEXPECT(t, !vmm_query((uintptr_t)p + i * PAGE_SIZE,
					      NULL));
	}
}

static void vmap_neighbours_keep_their_guards(struct ktest *t)
{
	uint32_t frames = pmm_used(), pages = vmap_used_pages();
	uint8_t *a = vmap_alloc(1), *b = vmap_alloc(1);

	KASSERT(t, a != NULL && b != NULL);
	/* b's guard is not a's page, and neither overlaps the other */
	KEXPECT(t, b - PAGE_SIZE != a);
	KEXPECT(t, a - PAGE_SIZE != b);
	KEXPECT(t, !vmm_query((uintptr_t)b - PAGE_SIZE, NULL));
	KEXPECT(t, !vmm_query((uintptr_t)a - PAGE_SIZE, NULL));
	vmap_free(a, 1);
	vmap_free(b, 1);
	KEXPECT_EQ(t, pmm_used(), frames);
	KEXPECT_EQ(t, vmap_used_pages(), pages);
}

/* ---- kmalloc ------------------------------------------------------------ */

static const size_t sizes[] = {
	1, 2, 3, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 100, 127, 128, 255,
	256, 500, 512, 1000, 1024, 2000, 2048, 4000, 4080, 4096, 4097, 8192,
	10000, 65536,
};
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

static void kmalloc_kfree_restores_heap_stats(struct ktest *t)
{
	struct heap_stats before, mid, after;
	void *p[NSIZES];
	unsigned misaligned = 0, corrupt = 0;

	heap_stats(&before);
	for (unsigned i = 0; i < NSIZES; i++) {
		p[i] = kmalloc(sizes[i]);
		KASSERT(t, p[i] != NULL);
		misaligned += (uintptr_t)p[i] % 16 != 0;
		memset(p[i], (int)i + 1, sizes[i]);
	}
	heap_stats(&mid);
	KEXPECT_EQ(t, mid.allocations, before.allocations + NSIZES);
	KEXPECT(t, mid.bytes_in_use > before.bytes_in_use);
	/* every block still holds its own byte: no overlaps */
	for (unsigned i = 0; i < NSIZES; i++)
		for (size_t j = 0; j < sizes[i]; j++)
			corrupt += ((uint8_t *)p[i])[j] != (uint8_t)(i + 1);
	KEXPECT_EQ(t, misaligned, 0);
	KEXPECT_EQ(t, corrupt, 0);
	/* free in an order unlike the allocation's */
	for (unsigned i = 0; i < NSIZES; i += 2)
		kfree(p[i]);
	for (unsigned i = 1; i < NSIZES; i += 2)
		kfree(p[i]);
	heap_stats(&after);
	KEXPECT_EQ(t, after.bytes_in_use, before.bytes_in_use);
	KEXPECT_EQ(t, after.allocations, before.allocations);
}

static void kmalloc_many_small_restores_heap_stats(struct ktest *t)
{
	static void *p[512];
	struct heap_stats before, after;

	heap_stats(&before);
	for (unsigned round = 0; round < 4; round++) {
		for (unsigned i = 0; i < 512; i++) {
			p[i] = kmalloc(1 + (i * 37 + round) % 300);
			KASSERT(t, p[i] != NULL);
		}
		for (unsigned i = 0; i < 512; i++)
			kfree(p[(i * 5) % 512]);        /* 5 is odd: all */
	}
	heap_stats(&after);
	KEXPECT_EQ(t, after.bytes_in_use, before.bytes_in_use);
	KEXPECT_EQ(t, after.allocations, before.allocations);
}

static void kzalloc_zeroes(struct ktest *t)
{
	uint8_t *p = kmalloc(512), *q;
	unsigned nonzero = 0;

	KASSERT(t, p != NULL);
	memset(p, 0xee, 512);           /* leave dirt where kzalloc may land */
	kfree(p);
	q = kzalloc(512);
	KASSERT(t, q != NULL);
	for (unsigned i = 0; i < 512; i++)
		nonzero += q[i] != 0;
	KEXPECT_EQ(t, nonzero, 0);
	kfree(q);
}

static void kmalloc_zero_is_null(struct ktest *t)
{
	struct heap_stats before, after;

	heap_stats(&before);
	KEXPECT(t, kmalloc(0) == NULL);
	KEXPECT(t, kzalloc(0) == NULL);
	kfree(NULL);
	heap_stats(&after);
	KEXPECT_EQ(t, after.allocations, before.allocations);
	KEXPECT_EQ(t, after.bytes_in_use, before.bytes_in_use);
}

static void kmalloc_too_big_is_null_and_leaks_nothing(struct ktest *t)
{
	struct heap_stats before, after;
	uint32_t frames = pmm_used();
	size_t more;
	void *p;

	heap_stats(&before);
	/* larger than the whole heap area */
	KEXPECT(t, kmalloc(HEAP_END - HEAP_BASE + 1) == NULL);
	/* fits the heap area but not RAM: grow fails part way and must
	 * give back every frame it took */
	more = (size_t)(pmm_free_count() + 8) * PAGE_SIZE;
	if (more < HEAP_END - HEAP_BASE - before.arena_bytes)
		KEXPECT(t, kmalloc(more) == NULL);
	else
		ktest_diag(t, "RAM exceeds the heap area: partial grow "
			   "not tested");
	heap_stats(&after);
	KEXPECT_EQ(t, pmm_used(), frames);
	KEXPECT_EQ(t, after.arena_bytes, before.arena_bytes);
	KEXPECT_EQ(t, after.allocations, before.allocations);
	/* and the heap still works */
	p = kmalloc(64);
	KEXPECT(t, p != NULL);
	kfree(p);
}

static void kstrdup_copies(struct ktest *t)
{
	struct heap_stats before, after;
	char *s;

	heap_stats(&before);
	s = kstrdup("quiesce");
	KASSERT(t, s != NULL);
	KEXPECT_STREQ(t, s, "quiesce");
	kfree(s);
	s = kstrdup("");
	KASSERT(t, s != NULL);
	KEXPECT_STREQ(t, s, "");
	kfree(s);
	heap_stats(&after);
	KEXPECT_EQ(t, after.allocations, before.allocations);
}

/* ---- faults: what is not mapped really faults -------------------------- */

static void read_byte(void *arg)
{
	(void)*(volatile uint8_t *)arg;
}

static void fault_vmap_guard_page_is_unmapped(struct ktest *t)
{
	uint8_t *p = vmap_alloc(2);
	struct fault_info fi;
	bool faulted;

	KASSERT(t, p != NULL);
	faulted = ktest_expect_fault(read_byte, p - 1, &fi);
	vmap_free(p, 2);
	KASSERT(t, faulted);
	KEXPECT_EQ(t, fi.vector, VEC_PAGE);
	KEXPECT_EQ(t, fi.addr, (uintptr_t)(p - 1));
	KEXPECT_EQ(t, fi.err & PF_PRESENT, 0);
}

static void fault_vmap_range_after_free_is_unmapped(struct ktest *t)
{
	uint8_t *p = vmap_alloc(1);
	struct fault_info fi;

	KASSERT(t, p != NULL);
	p[0] = 0x5a;                    /* mapped and writable while live */
	vmap_free(p, 1);
	KEXPECT(t, !vmm_query((uintptr_t)p, NULL));
	KASSERT(t, ktest_expect_fault(read_byte, p, &fi));
	KEXPECT_EQ(t, fi.vector, VEC_PAGE);
	KEXPECT_EQ(t, fi.addr, (uintptr_t)p);
	KEXPECT_EQ(t, fi.err & PF_PRESENT, 0);
}

KTEST_SUITE(mm,
	KTEST_CASE(pmm_alloc_free_restores_used),
	KTEST_CASE(pmm_frames_are_distinct),
	KTEST_CASE(pmm_used_plus_free_is_total),
	KTEST_CASE(vmap_alloc_free_restores_counters),
	KTEST_CASE(vmap_neighbours_keep_their_guards),
	KTEST_CASE(kmalloc_kfree_restores_heap_stats),
	KTEST_CASE(kmalloc_many_small_restores_heap_stats),
	KTEST_CASE(kzalloc_zeroes),
	KTEST_CASE(kmalloc_zero_is_null),
	KTEST_CASE(kmalloc_too_big_is_null_and_leaks_nothing),
	KTEST_CASE(kstrdup_copies),
	KTEST_CASE(fault_vmap_guard_page_is_unmapped),
	KTEST_CASE(fault_vmap_range_after_free_is_unmapped));
