/*
 * mm/bitmap.c: bit array searches. Linear scans, skipping full words: the
 * maps here hold at most 64 Ki bits, so O(n) is a few microseconds.
 */
#include <mm/bitmap.h>

void bitmap_set_range(struct bitmap *bm, uint32_t start, uint32_t n)
{
	for (uint32_t i = start; i < start + n && i < bm->nbits; i++)
		bitmap_set(bm, i);
}

void bitmap_clear_range(struct bitmap *bm, uint32_t start, uint32_t n)
{
	for (uint32_t i = start; i < start + n && i < bm->nbits; i++)
		bitmap_clear(bm, i);
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

uint32_t bitmap_count(const struct bitmap *bm)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < bm->nbits; i++)
		n += bitmap_test(bm, i);
	return n;
}
