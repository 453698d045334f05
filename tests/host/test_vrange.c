// host-sources: mm/bitmap.c mm/vrange.c kernel/lib/string.c
/*
 * tests/host/test_vrange.c: bit arrays (mm/bitmap.c) and the next-fit
 * virtual range allocator built on them (mm/vrange.c).
 *
 * bitmap_find_clear is checked on hand-made maps (full words skipped, runs
 * that cross word boundaries, the partial last word) and against a plain
 * bit-by-bit reference on random maps. vrange is checked for next-fit
 * order: a freed range is not handed out again until the cursor has gone
 * round. A double free panics by design and is not tested here (it aborts).
 */
#include "host.h"
#include <mm/bitmap.h>
#include <mm/pmm.h>
#include <mm/vrange.h>
#include <stdint.h>

/* ---- bitmap -------------------------------------------------------------- */

static int64_t find_reference(const struct bitmap *bm, uint32_t from,
			      uint32_t n)
{
	if (n == 0)
		return -1;
	for (uint64_t i = from; i + n <= bm->nbits; i++) {
		uint32_t k = 0;

		while (k < n && !bitmap_test(bm, (uint32_t)(i + k)))
			k++;
		if (k == n)
			return (int64_t)i;
	}
	return -1;
}

TEST(bitmap_set_clear_and_count)
{
	uint32_t bits[3] = { 0 };
	struct bitmap bm = { bits, 70 };

	bitmap_set(&bm, 0);
	bitmap_set(&bm, 31);
	bitmap_set(&bm, 32);
	bitmap_set(&bm, 69);
	CHECK(bitmap_test(&bm, 31) && bitmap_test(&bm, 32));
	CHECK(!bitmap_test(&bm, 1) && !bitmap_test(&bm, 68));
	CHECK_EQ(bitmap_count(&bm), 4);
	bitmap_clear(&bm, 31);
	CHECK_EQ(bitmap_count(&bm), 3);
	CHECK_EQ(bits[0], 1);
	CHECK_EQ(bits[1], 1);
	CHECK_EQ(bits[2], 1u << 5);
}

TEST(bitmap_ranges_are_clipped)
{
	uint32_t bits[3] = { 0 };
	struct bitmap bm = { bits, 70 };

	bitmap_set_range(&bm, 30, 4);           /* 30..33, across a word */
	CHECK_EQ(bitmap_count(&bm), 4);
	CHECK_EQ(bits[0], 0xc0000000u);
	CHECK_EQ(bits[1], 0x3u);
	bitmap_set_range(&bm, 60, 100);         /* clipped at 70 */
	CHECK_EQ(bitmap_count(&bm), 14);
	CHECK_EQ(bits[2], 0x3fu);               /* nothing past bit 69 */
	bitmap_clear_range(&bm, 0, 1000);
	CHECK_EQ(bitmap_count(&bm), 0);
	bitmap_set_range(&bm, 5, 0);
	CHECK_EQ(bitmap_count(&bm), 0);
}

/* The word-at-a-time ranges and count agree with bit-by-bit ones, for
 * every start and length over a map with a partial last word. */
TEST(bitmap_ranges_match_bit_by_bit)
{
	enum { NBITS = 100 };
	uint32_t bits[4], ref[4];
	struct bitmap bm = { bits, NBITS }, rm = { ref, NBITS };

	for (uint32_t start = 0; start <= NBITS + 2; start++)
		for (uint32_t n = 0; n <= NBITS + 2 - start + 40; n++)
			for (int set = 0; set < 2; set++) {
				uint32_t want = 0;

				memset(bits, set ? 0 : 0xff, sizeof(bits));
				memcpy(ref, bits, sizeof(ref));
				if (set)
					bitmap_set_range(&bm, start, n);
				else
					bitmap_clear_range(&bm, start, n);
				for (uint32_t i = start; i < start + n &&
				     i < NBITS; i++)
					set ? bitmap_set(&rm, i)
					    : bitmap_clear(&rm, i);
				CHECK(!memcmp(bits, ref, sizeof(bits)));
				for (uint32_t i = 0; i < NBITS; i++)
					want += bitmap_test(&rm, i);
				CHECK_EQ(bitmap_count(&bm), want);
			}
	bitmap_set_range(&bm, 0xfffffff0u, 0x20);       /* no wrap-around */
	CHECK(!memcmp(bits, ref, sizeof(bits)));
}

TEST(bitmap_find_clear_simple)
{
	uint32_t bits[2] = { 0 };
	struct bitmap bm = { bits, 64 };

	CHECK_EQ(bitmap_find_clear(&bm, 0, 1), 0);
	CHECK_EQ(bitmap_find_clear(&bm, 0, 64), 0);
	CHECK_EQ(bitmap_find_clear(&bm, 0, 65), -1);
	CHECK_EQ(bitmap_find_clear(&bm, 0, 0), -1);
	CHECK_EQ(bitmap_find_clear(&bm, 10, 1), 10);
	CHECK_EQ(bitmap_find_clear(&bm, 63, 1), 63);
	CHECK_EQ(bitmap_find_clear(&bm, 63, 2), -1);    /* no wrapping */
	CHECK_EQ(bitmap_find_clear(&bm, 64, 1), -1);
	CHECK_EQ(bitmap_find_clear(&bm, 1000, 1), -1);
}

TEST(bitmap_find_clear_skips_full_words)
{
	uint32_t bits[4] = { ~0u, ~0u, 0xfffffffeu, 0 };
	struct bitmap bm = { bits, 128 };

	CHECK_EQ(bitmap_find_clear(&bm, 0, 1), 64);
	CHECK_EQ(bitmap_find_clear(&bm, 5, 1), 64);     /* from mid-word */
	CHECK_EQ(bitmap_find_clear(&bm, 0, 2), 96);
	CHECK_EQ(bitmap_find_clear(&bm, 65, 1), 96);
	CHECK_EQ(bitmap_find_clear(&bm, 0, 32), 96);
	CHECK_EQ(bitmap_find_clear(&bm, 0, 33), -1);
}

TEST(bitmap_find_clear_runs_cross_words)
{
	/* bits 0..29 set, 30..40 clear, 41.. set */
	uint32_t bits[3] = { 0x3fffffffu, 0xfffffe00u, ~0u };
	struct bitmap bm = { bits, 96 };

	CHECK_EQ(bitmap_find_clear(&bm, 0, 2), 30);
	CHECK_EQ(bitmap_find_clear(&bm, 0, 11), 30);
	CHECK_EQ(bitmap_find_clear(&bm, 0, 12), -1);
	CHECK_EQ(bitmap_find_clear(&bm, 31, 10), 31);
	CHECK_EQ(bitmap_find_clear(&bm, 32, 9), 32);
	CHECK_EQ(bitmap_find_clear(&bm, 32, 10), -1);
	/* a run that starts after a full word and continues into the next */
	bits[0] = ~0u;
	bits[1] = 0;
	bits[2] = 0xfffffff0u;
	CHECK_EQ(bitmap_find_clear(&bm, 0, 36), 32);
	CHECK_EQ(bitmap_find_clear(&bm, 0, 37), -1);
}

TEST(bitmap_find_clear_partial_last_word)
{
	/* 40 bits: the last word has 8 real bits; the rest is garbage */
	uint32_t bits[2] = { ~0u, 0xffffff00u };
	struct bitmap bm = { bits, 40 };

	CHECK_EQ(bitmap_find_clear(&bm, 0, 8), 32);
	CHECK_EQ(bitmap_find_clear(&bm, 0, 9), -1);
	bits[1] = 0xfffffff0u | 0x3u;   /* 32..33 set, 34..35 clear, 36.. set */
	CHECK_EQ(bitmap_find_clear(&bm, 0, 2), 34);
	CHECK_EQ(bitmap_find_clear(&bm, 0, 3), -1);
	/* clear bits beyond nbits must not complete a run */
	bits[1] = 0x3fu;                        /* 38..39 clear, 40.. clear */
	CHECK_EQ(bitmap_find_clear(&bm, 0, 2), 38);
	CHECK_EQ(bitmap_find_clear(&bm, 0, 3), -1);
}

static uint32_t rng_state = 123456789u;

static uint32_t xorshift32(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

TEST(bitmap_find_clear_matches_reference)
{
	uint32_t bits[8];
	unsigned mismatches = 0;

	for (int round = 0; round < 20000; round++) {
		struct bitmap bm = { bits, 1 + xorshift32() % 256 };
		unsigned density = xorshift32() % 4;

		/* dense maps exercise the full-word skip */
		for (int w = 0; w < 8; w++) {
			uint32_t v = xorshift32();

			for (unsigned d = 0; d < density; d++)
				v |= xorshift32();
			bits[w] = xorshift32() % 3 ? v : ~0u;
		}
		for (int q = 0; q < 8; q++) {
			uint32_t from = xorshift32() % (bm.nbits + 2);
			uint32_t n = xorshift32() % 12;

			if (bitmap_find_clear(&bm, from, n) !=
			    find_reference(&bm, from, n)) {
				if (!mismatches)
					fprintf(stderr, "  nbits %u from %u "
						"n %u\n", bm.nbits, from, n);
				mismatches++;
			}
		}
	}
	CHECK_EQ(mismatches, 0);
}

/* ---- vrange -------------------------------------------------------------- */

#define BASE 0x40000000u
#define NPAGES 100u             /* not a multiple of 32 */

static struct vrange vr;
static uint32_t vr_bits[(NPAGES + 31) / 32];

static uintptr_t page(uint32_t i)
{
	return BASE + (uintptr_t)i * PAGE_SIZE;
}

static void vr_setup(void)
{
	memset(vr_bits, 0xff, sizeof(vr_bits));  /* init must zero them */
	vrange_init(&vr, BASE, NPAGES, vr_bits);
}

TEST(vrange_allocates_in_order)
{
	vr_setup();
	CHECK_EQ(vrange_alloc(&vr, 1), page(0));
	CHECK_EQ(vrange_alloc(&vr, 3), page(1));
	CHECK_EQ(vrange_alloc(&vr, 2), page(4));
	CHECK_EQ(vr.used, 6);
	CHECK_EQ(bitmap_count(&vr.map), 6);
}

TEST(vrange_freed_range_not_reused_until_wrap)
{
	uintptr_t a, b, c, x = 0;

	vr_setup();
	a = vrange_alloc(&vr, 2);
	b = vrange_alloc(&vr, 2);
	vrange_free(&vr, a, 2);
	c = vrange_alloc(&vr, 2);
	CHECK_EQ(c, page(4));                   /* not a: the cursor moved on */
	vrange_free(&vr, c, 2);
	/* keep allocating: a's pages come back only after the end */
	for (uint32_t i = 0; i < 100; i++) {
		x = vrange_alloc(&vr, 1);
		if (x == a)
			break;
		CHECK(x > b);
	}
	CHECK_EQ(x, a);
	/* b, pages 6..99 (c's 4..5 lie behind the cursor), then a */
	CHECK_EQ(vr.used, 2 + (NPAGES - 6) + 1);
}

TEST(vrange_wraps_to_the_start)
{
	uintptr_t a, last;

	vr_setup();
	a = vrange_alloc(&vr, 10);
	last = vrange_alloc(&vr, NPAGES - 10);  /* up to the very end */
	CHECK_EQ(last, page(10));
	CHECK_EQ(vr.cursor, 0);
	vrange_free(&vr, a, 10);
	CHECK_EQ(vrange_alloc(&vr, 10), page(0));
}

TEST(vrange_falls_back_to_a_hole_behind_the_cursor)
{
	uintptr_t a;

	vr_setup();
	a = vrange_alloc(&vr, 20);
	CHECK_EQ(vrange_alloc(&vr, NPAGES - 30), page(20));
	vrange_free(&vr, a, 20);
	/* 10 pages left after the cursor: 15 must come from the hole */
	CHECK_EQ(vrange_alloc(&vr, 15), page(0));
	CHECK_EQ(vrange_alloc(&vr, 10), page(NPAGES - 10));
}

TEST(vrange_exhaustion_returns_zero)
{
	vr_setup();
	CHECK_EQ(vrange_alloc(&vr, NPAGES + 1), 0);
	CHECK_EQ(vrange_alloc(&vr, 0), 0);
	CHECK_EQ(vrange_alloc(&vr, NPAGES), page(0));
	CHECK_EQ(vrange_alloc(&vr, 1), 0);
	CHECK_EQ(vr.used, NPAGES);
	vrange_free(&vr, page(50), 1);
	CHECK_EQ(vrange_alloc(&vr, 2), 0);      /* one page is not a run */
	CHECK_EQ(vrange_alloc(&vr, 1), page(50));
}

TEST(vrange_free_restores_accounting)
{
	uintptr_t p[10];

	vr_setup();
	for (int i = 0; i < 10; i++)
		p[i] = vrange_alloc(&vr, (uint32_t)i + 1);
	CHECK_EQ(vr.used, 55);
	for (int i = 0; i < 10; i++)
		vrange_free(&vr, p[i], (uint32_t)i + 1);
	CHECK_EQ(vr.used, 0);
	CHECK_EQ(bitmap_count(&vr.map), 0);
}

TEST(vrange_contains_bounds)
{
	vr_setup();
	CHECK(vrange_contains(&vr, BASE));
	CHECK(vrange_contains(&vr, page(NPAGES) - 1));
	CHECK(!vrange_contains(&vr, page(NPAGES)));
	CHECK(!vrange_contains(&vr, BASE - 1));
	CHECK(!vrange_contains(&vr, 0));
}

int main(void)
{
	RUN(bitmap_set_clear_and_count);
	RUN(bitmap_ranges_are_clipped);
	RUN(bitmap_ranges_match_bit_by_bit);
	RUN(bitmap_find_clear_simple);
	RUN(bitmap_find_clear_skips_full_words);
	RUN(bitmap_find_clear_runs_cross_words);
	RUN(bitmap_find_clear_partial_last_word);
	RUN(bitmap_find_clear_matches_reference);
	RUN(vrange_allocates_in_order);
	RUN(vrange_freed_range_not_reused_until_wrap);
	RUN(vrange_wraps_to_the_start);
	RUN(vrange_falls_back_to_a_hole_behind_the_cursor);
	RUN(vrange_exhaustion_returns_zero);
	RUN(vrange_free_restores_accounting);
	RUN(vrange_contains_bounds);
	return host_done();
}
