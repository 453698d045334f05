/*
 * mm/hexdump_test.c: the in-kernel `hexdump` suite: the line format of
 * <mm/hexdump.h> and the mapped-memory check (lab 1's tests).
 */
#include <kernel/ktest.h>
#include <kernel/lib/errno.h>
#include <kernel/lib/string.h>
#include <mm/hexdump.h>

static const uint8_t bytes[16] = {
	'Q', 'u', 'i', 'e', 's', 'c', 'e', 0, 1, 0x7f, 0x80, 0xff,
	' ', '~', 'a', 'z' };

static void hexdump_line_full(struct ktest *t)
{
	char buf[HEXDUMP_LINE_MAX];
	const char *want = "c0001000  51 75 69 65 73 63 65 00  01 7f 80 ff "
			   "20 7e 61 7a  |Quiesce..... ~az|";

	KEXPECT_EQ(t, hexdump_line(buf, sizeof(buf), 0xc0001000, bytes, 16),
		   (int)strlen(want));
	KEXPECT(t, !strcmp(buf, want));
}

static void hexdump_line_short_pads(struct ktest *t)
{
	char buf[HEXDUMP_LINE_MAX];
	const char *want = "00000010  51 75 69                     "
			   "                     |Qui|";

	KEXPECT_EQ(t, hexdump_line(buf, sizeof(buf), 0x10, bytes, 3),
		   (int)strlen(want));
	KEXPECT(t, !strcmp(buf, want));
}

static void hexdump_line_rejects_bad_count(struct ktest *t)
{
	char buf[HEXDUMP_LINE_MAX];

	KEXPECT_EQ(t, hexdump_line(buf, sizeof(buf), 0, bytes, 0), -EINVAL);
	KEXPECT_EQ(t, hexdump_line(buf, sizeof(buf), 0, bytes, 17), -EINVAL);
	KEXPECT_EQ(t, hexdump_line(buf, 10, 0, bytes, 4), -EINVAL);
}

static void hexdump_check_mapped_finds_hole(struct ktest *t)
{
	uint32_t bad = 1;

	KEXPECT_EQ(t, hexdump_check_mapped(0x100000, 64, &bad), 0);
	KEXPECT_EQ(t, hexdump_check_mapped(0x10, 16, &bad), -EFAULT);
	KEXPECT_EQ(t, bad, 0x10);
	KEXPECT_EQ(t, hexdump_check_mapped(0xfffffff0u, 16, &bad), -EFAULT);
}

KTEST_SUITE(hexdump, KTEST_CASE(hexdump_line_full),
	    KTEST_CASE(hexdump_line_short_pads),
	    KTEST_CASE(hexdump_line_rejects_bad_count),
	    KTEST_CASE(hexdump_check_mapped_finds_hole));
