// host-sources: kernel/lib/stackwalk.c
/*
 * tests/host/test_stackwalk.c: the frame-pointer walk and its bounds checks.
 *
 * Fake stacks are built in an array of words: a frame at word i holds the
 * saved frame pointer (the address of the caller's frame) at i and the
 * return address at i + 1, as on i686. The walk is given the array's
 * bounds and must stop, without reading outside them, on every kind of
 * damage a racing or corrupt stack can show.
 */
#include "host.h"
#include <kernel/lib/stackwalk.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#define WORDS 256

/* Heap-allocated, exactly WORDS words: ASan catches a read past either end. */
static uintptr_t *stack;
static uintptr_t out[BACKTRACE_MAX + 8];

static uintptr_t lo(void)
{
	return (uintptr_t)stack;
}

static uintptr_t hi(void)
{
	return (uintptr_t)(stack + WORDS);
}

static uintptr_t at(unsigned word)
{
	return (uintptr_t)&stack[word];
}

/* Frame at word i: saved ebp = next (an address), return address = ret. */
static void frame(unsigned i, uintptr_t next, uintptr_t ret)
{
	stack[i] = next;
	stack[i + 1] = ret;
}

static void fresh(void)
{
	if (!stack)
		stack = malloc(WORDS * sizeof(uintptr_t));
	memset(stack, 0, WORDS * sizeof(uintptr_t));
	memset(out, 0, sizeof(out));
}

static unsigned walk(uintptr_t ebp, unsigned max)
{
	return stack_walk(ebp, lo(), hi(), out, max);
}

TEST(stack_walk_good_chain)
{
	fresh();
	frame(4, at(10), 0x1001);
	frame(10, at(30), 0x1002);
	frame(30, at(100), 0x1003);
	frame(100, 0, 0x1004);                  /* outermost: ebp 0 */
	CHECK_EQ(walk(at(4), BACKTRACE_MAX), 4);
	CHECK_EQ(out[0], 0x1001);
	CHECK_EQ(out[1], 0x1002);
	CHECK_EQ(out[2], 0x1003);
	CHECK_EQ(out[3], 0x1004);
	CHECK_EQ(out[4], 0);                    /* nothing more stored */
}

TEST(stack_walk_frame_at_the_top)
{
	fresh();
	frame(WORDS - 2, 0, 0x2001);            /* both words just inside */
	CHECK_EQ(walk(at(WORDS - 2), BACKTRACE_MAX), 1);
	CHECK_EQ(out[0], 0x2001);
}

TEST(stack_walk_loop_ends)
{
	fresh();
	frame(8, at(8), 0x3001);                /* points at itself */
	CHECK_EQ(walk(at(8), BACKTRACE_MAX), 1);

	fresh();
	frame(8, at(20), 0x3001);               /* A -> B -> A */
	frame(20, at(8), 0x3002);
	CHECK_EQ(walk(at(8), BACKTRACE_MAX), 2);
	CHECK_EQ(out[1], 0x3002);
}

TEST(stack_walk_downward_chain_ends)
{
	fresh();
	frame(40, at(50), 0x4001);
	frame(50, at(44), 0x4002);              /* goes back down */
	frame(44, at(60), 0x4003);
	CHECK_EQ(walk(at(40), BACKTRACE_MAX), 2);
}

TEST(stack_walk_leaving_bounds_ends)
{
	fresh();
	frame(10, hi(), 0x5001);                /* next is just past the top */
	CHECK_EQ(walk(at(10), BACKTRACE_MAX), 1);

	fresh();
	frame(10, at(WORDS - 1), 0x5001);       /* next's 2nd word outside */
	CHECK_EQ(walk(at(10), BACKTRACE_MAX), 1);

	fresh();
	frame(10, hi() + 4096, 0x5001);         /* far above */
	CHECK_EQ(walk(at(10), BACKTRACE_MAX), 1);

	fresh();
	CHECK_EQ(walk(lo() - 2 * sizeof(uintptr_t), BACKTRACE_MAX), 0);
	CHECK_EQ(walk(hi(), BACKTRACE_MAX), 0);
	CHECK_EQ(walk(0, BACKTRACE_MAX), 0);
	CHECK_EQ(walk(UINTPTR_MAX & ~(uintptr_t)3, BACKTRACE_MAX), 0);
}

TEST(stack_walk_misaligned_ebp_ends)
{
	fresh();
	frame(4, 0, 0x6001);
	CHECK_EQ(walk(at(4) + 1, BACKTRACE_MAX), 0);
	CHECK_EQ(walk(at(4) + 2, BACKTRACE_MAX), 0);
	CHECK_EQ(walk(at(4) + 3, BACKTRACE_MAX), 0);

	fresh();
	frame(4, at(20) + 2, 0x6001);           /* the next one misaligned */
	frame(20, 0, 0x6002);
	CHECK_EQ(walk(at(4), BACKTRACE_MAX), 1);
}

TEST(stack_walk_zero_return_address_ends)
{
	fresh();
	frame(4, at(10), 0x7001);
	frame(10, at(20), 0);                   /* not stored */
	frame(20, 0, 0x7003);
	CHECK_EQ(walk(at(4), BACKTRACE_MAX), 1);
	CHECK_EQ(out[1], 0);
}

TEST(stack_walk_stops_at_max_frames)
{
	unsigned n;

	fresh();
	for (unsigned i = 0; i < 60; i++)
		frame(2 + i * 4, at(2 + (i + 1) * 4), 0x8000 + i);
	frame(2 + 60 * 4, 0, 0x8000 + 60);
	CHECK_EQ(walk(at(2), 5), 5);
	CHECK_EQ(out[4], 0x8004);
	CHECK_EQ(out[5], 0);                    /* never past max */
	CHECK_EQ(walk(at(2), 0), 0);
	n = walk(at(2), BACKTRACE_MAX);
	CHECK_EQ(n, BACKTRACE_MAX);
	CHECK_EQ(out[BACKTRACE_MAX - 1], 0x8000 + BACKTRACE_MAX - 1);
	CHECK_EQ(out[BACKTRACE_MAX], 0);
}

/*
 * A frame pointer is a word address. On i686 "4-byte aligned" and "word
 * aligned" are the same; on a 64-bit host a frame at 4 mod 8 would be read
 * misaligned (UBSan aborts on it), so the walk must reject it there too.
 * Run in a child so an abort fails this case only.
 */
TEST(stack_walk_rejects_frames_not_word_aligned)
{
	int status = -1;
	pid_t pid;

	fresh();
	frame(4, 0, 0x9001);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		unsigned n = walk(at(4) + sizeof(uintptr_t) / 2, 4);

		_exit(sizeof(uintptr_t) == 4 || n == 0 ? 0 : 1);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* An address inside (or a little past) the stack, usually word aligned,
 * sometimes off by 1..3 bytes. */
static uintptr_t random_addr(uint32_t r)
{
	uintptr_t a = lo() + (r >> 8) % (WORDS * 9 / 8) * sizeof(uintptr_t);

	return r % 4 ? a : a + 1 + (r >> 4) % 3;
}

TEST(stack_walk_random_garbage_stays_in_bounds)
{
	uint32_t r = 99991;

	/* Random words, biased to in-stack addresses: ASan would report any
	 * read outside the array, and the count never exceeds max. */
	for (int round = 0; round < 5000; round++) {
		fresh();
		for (unsigned i = 0; i < WORDS; i++) {
			r = r * 1664525 + 1013904223;
			stack[i] = r % 2 ? random_addr(r) : r >> 4;
		}
		r = r * 1664525 + 1013904223;
		CHECK(walk(random_addr(r), 16) <= 16);
	}
}

int main(void)
{
	RUN(stack_walk_good_chain);
	RUN(stack_walk_frame_at_the_top);
	RUN(stack_walk_loop_ends);
	RUN(stack_walk_downward_chain_ends);
	RUN(stack_walk_leaving_bounds_ends);
	RUN(stack_walk_misaligned_ebp_ends);
	RUN(stack_walk_zero_return_address_ends);
	RUN(stack_walk_stops_at_max_frames);
	RUN(stack_walk_rejects_frames_not_word_aligned);
	RUN(stack_walk_random_garbage_stays_in_bounds);
	free(stack);
	return host_done();
}
