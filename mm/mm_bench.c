/*
 * mm/mm_bench.c: the memory figures of `bench` (kernel/bench.c runs them).
 */
#include <kernel/arch.h>
#include <kernel/bench.h>
#include <mm/heap.h>
#include <mm/vmm.h>

static void bench_kmalloc(void)
{
	enum { N = 1000 };
	uint64_t t0;

	for (int round = 0; round < 2; round++) {
		t0 = rdtsc();
		for (int i = 0; i < N; i++)
			kfree(kmalloc(64));
	}
	bench_report("kmalloc_kfree_64", rdtsc() - t0, N);
}
BENCH(kmalloc, bench_kmalloc);

static void bench_vmap(void)
{
	enum { N = 200 };
	uint64_t t0;

	for (int round = 0; round < 2; round++) {
		t0 = rdtsc();
		for (int i = 0; i < N; i++)
			vmap_free(vmap_alloc(2), 2);
	}
	bench_report("vmap_alloc_free_2_pages", rdtsc() - t0, N);
}
BENCH(vmap, bench_vmap);
