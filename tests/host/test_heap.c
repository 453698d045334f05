// host-sources: mm/heap.c kernel/lib/string.c
/*
 * tests/host/test_heap.c: the heap allocator core (mm/heap.c).
 *
 * The heap runs over a malloc'd arena; its grow callback "maps" the next
 * bytes of that arena (they are already there) and can be told to fail.
 * Every test checks heap_core_check() and that the accounting returns to
 * zero; a randomized run checks the invariants after each of 1e5 steps and
 * fills every block with its own byte, so overlapping blocks show up.
 */
#include "host.h"
#include <kernel/lib/errno.h>
#include <mm/heap.h>
#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

/* The block header's layout, for the tests that corrupt one on purpose
 * (it is private to mm/heap.c). */
struct heap_block {
	uint32_t size;
	uint32_t magic;
	struct heap_block *next;
} __attribute__((aligned(16)));

#define ARENA (1u << 20)        /* 1 MiB of "address space" */
#define UNIT 4096u

static struct heap h;
static uint8_t *arena;
static int grow_fail;           /* make the next grows fail */
static unsigned grows;

static int test_grow(struct heap *hp, size_t bytes)
{
	if (grow_fail)
		return -ENOMEM;
	/* The callback is asked only for whole units inside the limit. */
	CHECK(bytes > 0 && bytes % UNIT == 0);
	CHECK(hp->brk + bytes <= hp->limit);
	grows++;
	return 0;
}

static void setup(size_t limit)
{
	if (!arena)
		arena = aligned_alloc(64, ARENA);
	memset(arena, 0x5a, ARENA);
	grow_fail = 0;
	grows = 0;
	heap_core_init(&h, (uintptr_t)arena, (uintptr_t)arena + limit,
		       test_grow, UNIT);
}

static struct heap_stats stats(void)
{
	struct heap_stats st;

	heap_core_stats(&h, &st);
	return st;
}

/* Everything freed: one free block spanning the whole arena. */
static void check_empty(void)
{
	struct heap_stats st = stats();

	heap_core_check(&h);
	CHECK_EQ(st.bytes_in_use, 0);
	CHECK_EQ(st.allocations, 0);
	CHECK_EQ(h.blocks, st.arena_bytes ? 1 : 0);
	if (st.arena_bytes)
		CHECK_EQ(st.free_bytes, st.arena_bytes - 16);
}

TEST(heap_alloc_is_aligned_and_counted)
{
	void *p[64];
	size_t requested = 0;

	setup(ARENA);
	for (size_t i = 0; i < 64; i++) {
		p[i] = heap_core_alloc(&h, i * 7 + 1);
		CHECK(p[i] != NULL);
		CHECK_EQ((uintptr_t)p[i] % 16, 0);
		CHECK((uint8_t *)p[i] >= arena &&
		      (uint8_t *)p[i] + i * 7 + 1 <= arena + ARENA);
		memset(p[i], (int)i, i * 7 + 1);
		requested += i * 7 + 1;
		heap_core_check(&h);
	}
	CHECK_EQ(stats().allocations, 64);
	CHECK(stats().bytes_in_use >= requested);
	CHECK(stats().bytes_in_use < requested + 64 * 48);
	for (size_t i = 0; i < 64; i++) {
		for (size_t j = 0; j < i * 7 + 1; j++)
			if (((uint8_t *)p[i])[j] != (uint8_t)i) {
				CHECK(!"block contents intact");
				break;
			}
		heap_core_free(&h, p[i]);
		heap_core_check(&h);
	}
	check_empty();
}

TEST(heap_alloc_zero_and_huge_is_null)
{
	setup(ARENA);
	CHECK(heap_core_alloc(&h, 0) == NULL);
	CHECK(heap_core_alloc(&h, ARENA + 1) == NULL);
	CHECK(heap_core_alloc(&h, SIZE_MAX) == NULL);
	CHECK(heap_core_alloc(&h, SIZE_MAX - 8) == NULL);
	CHECK_EQ(stats().allocations, 0);
	heap_core_check(&h);
}

/*
 * kfree(NULL) is documented as fine. It runs in a child process: if it
 * trips UBSan (which aborts), this case fails and the others still run.
 */
TEST(heap_free_null_is_fine)
{
	int status = -1;
	pid_t pid;

	setup(ARENA);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		heap_core_free(&h, NULL);
		_exit(0);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	check_empty();
}

TEST(heap_grows_in_units_on_demand)
{
	void *a, *b;

	setup(ARENA);
	CHECK_EQ(stats().arena_bytes, 0);
	a = heap_core_alloc(&h, 100);
	CHECK_EQ(grows, 1);
	CHECK_EQ(stats().arena_bytes, UNIT);
	b = heap_core_alloc(&h, 3 * UNIT);      /* needs more than a unit */
	CHECK(b != NULL);
	CHECK_EQ(stats().arena_bytes % UNIT, 0);
	CHECK(stats().arena_bytes >= 4 * UNIT);
	heap_core_check(&h);
	heap_core_free(&h, a);
	heap_core_free(&h, b);
	check_empty();
}

TEST(heap_reuses_freed_memory_first_fit)
{
	void *a, *b, *c;

	setup(ARENA);
	a = heap_core_alloc(&h, 64);
	b = heap_core_alloc(&h, 64);
	heap_core_free(&h, a);
	c = heap_core_alloc(&h, 32);            /* fits in a's hole */
	CHECK(c == a);
	heap_core_free(&h, b);
	heap_core_free(&h, c);
	check_empty();
	CHECK_EQ(grows, 1);                     /* never grew again */
}

TEST(heap_coalesces_both_sides)
{
	void *a, *b, *c, *d, *big;
	size_t blocks_full;

	setup(ARENA);
	a = heap_core_alloc(&h, 100);
	b = heap_core_alloc(&h, 100);
	c = heap_core_alloc(&h, 100);
	d = heap_core_alloc(&h, 100);           /* keeps c off the tail */
	blocks_full = h.blocks;
	heap_core_free(&h, a);
	heap_core_free(&h, c);
	CHECK_EQ(h.blocks, blocks_full);        /* a and c alone */
	heap_core_free(&h, b);                  /* merges with a and c */
	CHECK_EQ(h.blocks, blocks_full - 2);
	heap_core_check(&h);
	/* the hole a+b+c is one block now: a 3-block request fits at a */
	big = heap_core_alloc(&h, 3 * 100 + 2 * 16);
	CHECK(big == a);
	heap_core_free(&h, big);
	heap_core_free(&h, d);
	check_empty();
}

TEST(heap_coalesces_with_next_only_and_prev_only)
{
	void *a, *b, *c;
	size_t n;

	setup(ARENA);
	a = heap_core_alloc(&h, 48);
	b = heap_core_alloc(&h, 48);
	c = heap_core_alloc(&h, 48);
	n = h.blocks;
	heap_core_free(&h, b);
	heap_core_free(&h, a);                  /* merges with next (b) */
	CHECK_EQ(h.blocks, n - 1);
	heap_core_check(&h);
	heap_core_free(&h, c);                  /* with prev and the tail */
	check_empty();
}

/* Forward, backward, and by stride 7 (odd, so every slot once). */
static int nth_to_free(int order, int i)
{
	if (order == 0)
		return i;
	return order == 1 ? 31 - i : (i * 7) % 32;
}

TEST(heap_free_in_any_order_returns_to_zero)
{
	void *p[32];

	setup(ARENA);
	for (int order = 0; order < 3; order++) {
		for (int i = 0; i < 32; i++)
			p[i] = heap_core_alloc(&h, 16 + i * 40);
		for (int i = 0; i < 32; i++) {
			heap_core_free(&h, p[nth_to_free(order, i)]);
			heap_core_check(&h);
		}
		check_empty();
	}
}

TEST(heap_grow_failure_returns_null)
{
	void *a, *b;
	struct heap_stats before;

	setup(ARENA);
	a = heap_core_alloc(&h, 100);
	before = stats();
	grow_fail = 1;
	b = heap_core_alloc(&h, 2 * UNIT);
	CHECK(b == NULL);
	CHECK_EQ(stats().arena_bytes, before.arena_bytes);
	CHECK_EQ(stats().allocations, before.allocations);
	heap_core_check(&h);
	/* what fits in the arena already is still served */
	b = heap_core_alloc(&h, 100);
	CHECK(b != NULL);
	grow_fail = 0;
	heap_core_free(&h, a);
	heap_core_free(&h, b);
	check_empty();
}

TEST(heap_stops_at_limit)
{
	void *p[64];
	int n = 0;

	setup(8 * UNIT);
	while (n < 64 && (p[n] = heap_core_alloc(&h, 1000)))
		n++;
	CHECK(n > 0 && n < 64);
	CHECK(stats().arena_bytes <= 8 * UNIT);
	CHECK(heap_core_alloc(&h, 8 * UNIT) == NULL);
	heap_core_check(&h);
	while (n--)
		heap_core_free(&h, p[n]);
	check_empty();
}

/* Run fn in a child; return true if it died of SIGABRT (a panic). */
static int panics(void (*fn)(void))
{
	int status = 0;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		freopen("/dev/null", "w", stderr);      /* expected noise */
		fn();
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 0;
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static void *victim;

static void double_free(void)
{
	heap_core_free(&h, victim);
	heap_core_free(&h, victim);
}

static void free_interior_pointer(void)
{
	heap_core_free(&h, (uint8_t *)victim + 32);
}

static void check_smashed_header(void)
{
	((struct heap_block *)victim - 1)->size = 8;
	heap_core_check(&h);
}

static void check_smashed_magic(void)
{
	((struct heap_block *)victim - 1)->magic = 0;
	heap_core_check(&h);
}

/* The checks are only worth running after every op if they can fail. */
TEST(heap_panics_on_broken_invariants)
{
	setup(ARENA);
	victim = heap_core_alloc(&h, 100);
	heap_core_alloc(&h, 100);
	CHECK(panics(double_free));
	CHECK(panics(free_interior_pointer));
	CHECK(panics(check_smashed_header));
	CHECK(panics(check_smashed_magic));
	heap_core_check(&h);    /* the children's damage stayed there */
}

static uint32_t rng_state = 88172645u;

static uint32_t xorshift32(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

#define SLOTS 256

TEST(heap_random_ops_keep_invariants)
{
	static struct { uint8_t *p; size_t size; uint8_t fill; } slot[SLOTS];
	unsigned bad_fill = 0, nulls = 0;

	setup(ARENA);
	for (int op = 0; op < 100000; op++) {
		uint32_t r = xorshift32();
		unsigned i = r % SLOTS;

		if (slot[i].p) {
			for (size_t j = 0; j < slot[i].size; j++)
				bad_fill += slot[i].p[j] != slot[i].fill;
			heap_core_free(&h, slot[i].p);
			slot[i].p = NULL;
		} else {
			/* mostly small, sometimes pages' worth */
			size_t size = (r >> 8) % 16 ? 1 + (r >> 12) % 512
						    : 1 + (r >> 12) % 9000;

			slot[i].p = heap_core_alloc(&h, size);
			if (!slot[i].p) {
				nulls++;
				continue;
			}
			if ((uintptr_t)slot[i].p % 16)
				bad_fill++;
			slot[i].size = size;
			slot[i].fill = (uint8_t)op;
			memset(slot[i].p, slot[i].fill, size);
		}
		heap_core_check(&h);
	}
	CHECK_EQ(bad_fill, 0);
	CHECK_EQ(nulls, 0);     /* 256 x 9000 bytes fit in 1 MiB */
	for (unsigned i = 0; i < SLOTS; i++)
		if (slot[i].p) {
			heap_core_free(&h, slot[i].p);
			slot[i].p = NULL;
		}
	check_empty();
}

int main(void)
{
	RUN(heap_alloc_is_aligned_and_counted);
	RUN(heap_alloc_zero_and_huge_is_null);
	RUN(heap_free_null_is_fine);
	RUN(heap_grows_in_units_on_demand);
	RUN(heap_reuses_freed_memory_first_fit);
	RUN(heap_coalesces_both_sides);
	RUN(heap_coalesces_with_next_only_and_prev_only);
	RUN(heap_free_in_any_order_returns_to_zero);
	RUN(heap_grow_failure_returns_null);
	RUN(heap_stops_at_limit);
	RUN(heap_panics_on_broken_invariants);
	RUN(heap_random_ops_keep_invariants);
	free(arena);
	return host_done();
}
