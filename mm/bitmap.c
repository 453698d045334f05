/*
 * mm/bitmap.c: bit array searches. Linear scans, skipping full words: the
 * maps here hold at most 64 Ki bits, so O(n) is a few microseconds. Ranges
 * and counts go a word at a time.
 */
#include <mm/bitmap.h>

/* Set (or clear) bits [start, start + n), clipped: bit by bit up to a word
 * boundary, then whole words, then the tail. pmm_init covers 64 Ki frames
 * this way (bit by bit it was over a million instructions of the boot).
 * Inlined into both callers, so `set` is a constant in each. */
static inline __attribute__((always_inline)) void
fill(struct bitmap *bm, uint32_t start, uint32_t n, bool set)
{
	uint32_t i = start, end;

	if (start >= bm->nbits)
		return;
	end = n < bm->nbits - start ? start + n : bm->nbits;
	for (; i < end && i % 32; i++)
		set ? bitmap_set(bm, i) : bitmap_clear(bm, i);
	for (; end - i >= 32; i += 32)
		bm->bits[i / 32] = set ? ~0u : 0;
	for (; i < end; i++)
		set ? bitmap_set(bm, i) : bitmap_clear(bm, i);
}

void bitmap_set_range(struct bitmap *bm, uint32_t start, uint32_t n)
{
	fill(bm, start, n, true);
}

void bitmap_clear_range(struct bitmap *bm, uint32_t start, uint32_t n)
{
	fill(bm, start, n, false);
}

int64_t bitmap_find_clear(const struct bitmap *bm, uint32_t from, uint32_t n)
{
	uint32_t run = 0;

	if (n == 0 || n > bm->nbits)
		return -1;
	for (uint32_t i = from; i < bm->nbits; i++) {
		if (run == 0 && i % 32 == 0 && bm->bits[i / 32] == ~0u &&
		    i + 32 <= bm->nbits) {
			i += 31;        /* a full word: skip it */
			continue;
		}
		if (bitmap_test(bm, i)) {
			run = 0;
			continue;
		}
		if (++run == n)
			return (int64_t)i - n + 1;
	}
	return -1;
}

/* The set bits of one word (no popcnt before SSE4.2; libgcc's is a
 * call): add neighbouring bit counts in ever wider fields. */
static uint32_t word_weight(uint32_t w)
{
	w = w - ((w >> 1) & 0x55555555u);
	w = (w & 0x33333333u) + ((w >> 2) & 0x33333333u);
	w = (w + (w >> 4)) & 0x0f0f0f0fu;
	return (w * 0x01010101u) >> 24;
}

uint32_t bitmap_count(const struct bitmap *bm)
{
	uint32_t n = 0, full = bm->nbits / 32, rest = bm->nbits % 32;

	for (uint32_t k = 0; k < full; k++)
		n += word_weight(bm->bits[k]);
	if (rest)       /* bits past nbits in the last word do not count */
		n += word_weight(bm->bits[full] & ((1u << rest) - 1));
	return n;
}
