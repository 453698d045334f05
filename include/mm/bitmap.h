/*
 * <mm/bitmap.h>: bit arrays, the bookkeeping under the frame allocator and
 * the virtual range allocator. Pure logic, host tested.
 */
#ifndef MM_BITMAP_H
#define MM_BITMAP_H

#include <stdbool.h>
#include <stdint.h>

struct bitmap {
	uint32_t *bits;
	uint32_t nbits;
};

static inline bool bitmap_test(const struct bitmap *bm, uint32_t i)
{
	return bm->bits[i / 32] & (1u << (i % 32));
}

static inline void bitmap_set(struct bitmap *bm, uint32_t i)
{
	bm->bits[i / 32] |= 1u << (i % 32);
}

static inline void bitmap_clear(struct bitmap *bm, uint32_t i)
{
	bm->bits[i / 32] &= ~(1u << (i % 32));
}

/* Set or clear bits [start, start+n), clipped to the map. */
void bitmap_set_range(struct bitmap *bm, uint32_t start, uint32_t n);
void bitmap_clear_range(struct bitmap *bm, uint32_t start, uint32_t n);

/*
 * Find n consecutive clear bits starting at or after `from`, not wrapping.
 * Return: the first index of the run, or -1.
 */
int64_t bitmap_find_clear(const struct bitmap *bm, uint32_t from, uint32_t n);

/* Return: how many bits are set. */
uint32_t bitmap_count(const struct bitmap *bm);

#endif
