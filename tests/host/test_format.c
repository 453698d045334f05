// host-sources: kernel/lib/format.c kernel/lib/string.c
/*
 * tests/host/test_format.c: kformat, kvsnprintf and ksnprintf.
 *
 * Every conversion, flag, width and precision (written and '*'), every
 * length modifier, %p and a NULL %s; then the buffer contract: truncation
 * keeps the NUL, the return value is the untruncated length, and size 0
 * writes nothing at all. Expected strings are what C's printf prints,
 * except where <kernel/lib/format.h> documents otherwise (%p is always "0x"
 * and 8 hex digits).
 */
#include "host.h"
#include <kernel/lib/format.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

static char out[256];

/* Format into out; return ksnprintf's result. */
#define FMT(...) ksnprintf(out, sizeof(out), __VA_ARGS__)

/* The formatted text and the returned length must both be right. */
#define CHECK_FMT(expect, ...)                                            \
	do {                                                              \
		int __n = FMT(__VA_ARGS__);                               \
		CHECK_STREQ(out, expect);                                 \
		CHECK_EQ(__n, strlen(expect));                            \
	} while (0)

TEST(format_plain_text)
{
	CHECK_FMT("", "%s", "");
	CHECK_FMT("hello, world", "hello, world");
	CHECK_FMT("100%", "100%%");
	CHECK_FMT("%%", "%%%%");
}

TEST(format_signed_decimal)
{
	CHECK_FMT("0", "%d", 0);
	CHECK_FMT("42", "%d", 42);
	CHECK_FMT("-42", "%i", -42);
	CHECK_FMT("2147483647", "%d", INT_MAX);
	CHECK_FMT("-2147483648", "%d", INT_MIN);
}

TEST(format_unsigned_conversions)
{
	CHECK_FMT("4294967295", "%u", UINT_MAX);
	CHECK_FMT("deadbeef", "%x", 0xdeadbeefu);
	CHECK_FMT("DEADBEEF", "%X", 0xdeadbeefu);
	CHECK_FMT("0", "%x", 0);
	CHECK_FMT("17", "%o", 15);
	CHECK_FMT("37777777777", "%o", UINT_MAX);
}

TEST(format_char_and_string)
{
	CHECK_FMT("a", "%c", 'a');
	CHECK_FMT("[    a]", "[%5c]", 'a');
	CHECK_FMT("[a    ]", "[%-5c]", 'a');
	CHECK_FMT("abc", "%s", "abc");
	CHECK_FMT("[  abc]", "[%5s]", "abc");
	CHECK_FMT("[abc  ]", "[%-5s]", "abc");
	CHECK_FMT("[ab]", "[%.2s]", "abc");
	CHECK_FMT("[   ab]", "[%5.2s]", "abc");
	CHECK_FMT("[abcdef]", "[%3s]", "abcdef");
	CHECK_FMT("[]", "[%.0s]", "abc");
}

TEST(format_null_string)
{
	/* volatile: hidden from GCC's own format checks, which reject it */
	const char *volatile none = NULL;

	CHECK_FMT("(null)", "%s", none);
	CHECK_FMT("[  (null)]", "[%8s]", none);
	CHECK_FMT("(nu", "%.3s", none);
}

/*
 * With a precision, %s may be given an array with no NUL: C reads at most
 * that many bytes. The array sits at the very end of a page followed by an
 * inaccessible one, so reading one byte too far faults; the fault is
 * caught and fails the case instead of killing the whole run.
 */
static sigjmp_buf overread_jb;

static void overread_handler(int sig)
{
	siglongjmp(overread_jb, 1);
}

TEST(format_precision_stops_at_unterminated_array)
{
	long page = sysconf(_SC_PAGESIZE);
	struct sigaction sa = { .sa_handler = overread_handler }, old;
	char *map, *s;

	map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(map != MAP_FAILED);
	if (map == MAP_FAILED)
		return;
	mprotect(map + page, page, PROT_NONE);
	s = map + page - 3;
	memcpy(s, "xyz", 3);
	sigaction(SIGSEGV, &sa, &old);
	if (sigsetjmp(overread_jb, 1) == 0) {
		CHECK_FMT("xyz", "%.3s", s);
		CHECK_FMT("xy", "%.2s", s);
		CHECK_FMT("[ xyz]", "[%*.*s]", 4, 3, s);
	} else {
		fprintf(stderr, "  %s:%d: %%.3s read past its precision\n",
			__FILE__, __LINE__);
		CHECK(!"%.Ns reads at most N bytes");
	}
	sigaction(SIGSEGV, &old, NULL);
	munmap(map, 2 * page);
}

/*
 * The cases below use formats GCC warns about on purpose (flags that C
 * says are ignored, unknown conversions): the kernel must still do the
 * documented thing with them.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"

TEST(format_flags)
{
	CHECK_FMT("[   42]", "[%5d]", 42);
	CHECK_FMT("[42   ]", "[%-5d]", 42);
	CHECK_FMT("[00042]", "[%05d]", 42);
	CHECK_FMT("[-0042]", "[%05d]", -42);
	CHECK_FMT("[+42]", "[%+d]", 42);
	CHECK_FMT("[-42]", "[%+d]", -42);
	CHECK_FMT("[ 42]", "[% d]", 42);
	CHECK_FMT("[+42]", "[%+ d]", 42);       /* '+' beats ' ' */
	CHECK_FMT("[+0042]", "[%+05d]", 42);
	CHECK_FMT("[42   ]", "[%-05d]", 42);    /* '-' beats '0' */
	CHECK_FMT("[0xff]", "[%#x]", 255);
	CHECK_FMT("[0XFF]", "[%#X]", 255);
	CHECK_FMT("[0x00ff]", "[%#06x]", 255);
	CHECK_FMT("[  0xff]", "[%#6x]", 255);
	CHECK_FMT("[0xff  ]", "[%-#6x]", 255);
}

TEST(format_width_and_precision_numbers)
{
	CHECK_FMT("[00042]", "[%.5d]", 42);
	CHECK_FMT("[-00042]", "[%.5d]", -42);
	CHECK_FMT("[  00042]", "[%7.5d]", 42);
	/* A precision turns the '0' flag off, as in C. */
	CHECK_FMT("[  00042]", "[%07.5d]", 42);
	CHECK_FMT("[42]", "[%.1d]", 42);
	CHECK_FMT("[000000ff]", "[%.8x]", 255);
	CHECK_FMT("[12345]", "[%2d]", 12345);
}

TEST(format_star_width_and_precision)
{
	CHECK_FMT("[   42]", "[%*d]", 5, 42);
	CHECK_FMT("[42   ]", "[%*d]", -5, 42);  /* negative width: '-' */
	CHECK_FMT("[00042]", "[%.*d]", 5, 42);
	CHECK_FMT("[  00042]", "[%*.*d]", 7, 5, 42);
	CHECK_FMT("[ab]", "[%.*s]", 2, "abcdef");
	CHECK_FMT("[   ab]", "[%*.*s]", 5, 2, "abcdef");
	/* A negative precision is as if none was given. */
	CHECK_FMT("[abcdef]", "[%.*s]", -1, "abcdef");
	CHECK_FMT("[42]", "[%.*d]", -3, 42);
	/* The '*' arguments are consumed in order: the next one is right. */
	CHECK_FMT("[  x] 7", "[%*s] %d", 3, "x", 7);
}

TEST(format_length_modifiers)
{
	CHECK_FMT("-1", "%ld", -1L);
	CHECK_FMT("123456789", "%lu", 123456789UL);
	CHECK_FMT("9223372036854775807", "%lld", LLONG_MAX);
	CHECK_FMT("-9223372036854775808", "%lld", LLONG_MIN);
	CHECK_FMT("18446744073709551615", "%llu", ULLONG_MAX);
	CHECK_FMT("ffffffffffffffff", "%llx", ULLONG_MAX);
	CHECK_FMT("123", "%zu", (size_t)123);
	CHECK_FMT("4464", "%hd", 70000);        /* 70000 as a short */
	CHECK_FMT("-1", "%hd", 0xffff);
	CHECK_FMT("65535", "%hu", 0xffff);
	CHECK_FMT("44", "%hhd", 300);           /* 300 as a char */
	CHECK_FMT("-128", "%hhd", 128);
	CHECK_FMT("255", "%hhu", 255);
	CHECK_FMT("ff", "%hhx", 0x1ff);
	/* After a long long the next argument is still read correctly. */
	CHECK_FMT("1 2 3", "%d %lld %d", 1, 2LL, 3);
}

TEST(format_pointer)
{
	CHECK_FMT("0x00000000", "%p", (void *)0);
	CHECK_FMT("0x00001234", "%p", (void *)0x1234);
	CHECK_FMT("0xdeadbeef", "%p", (void *)(uintptr_t)0xdeadbeefu);
	CHECK_FMT("[  0x00001234]", "[%12p]", (void *)0x1234);
	CHECK_FMT("[0x00001234  ]", "[%-12p]", (void *)0x1234);
	/* '0' must not change %p's fixed shape. */
	CHECK_FMT("[  0x00001234]", "[%012p]", (void *)0x1234);
}

TEST(format_unknown_conversion_printed_as_written)
{
	CHECK_FMT("%y", "%y");
	CHECK_FMT("a%", "a%");
	CHECK_FMT("%y 5", "%y %d", 5);
}

#pragma GCC diagnostic pop

TEST(format_truncates_and_returns_full_length)
{
	char buf[8];

	memset(buf, 'X', sizeof(buf));
	CHECK_EQ(ksnprintf(buf, 5, "hello world"), 11);
	CHECK_STREQ(buf, "hell");
	CHECK_EQ(buf[5], 'X');          /* nothing past size was written */

	CHECK_EQ(ksnprintf(buf, 6, "%d", 1234567), 7);
	CHECK_STREQ(buf, "12345");

	/* exactly fitting: size = length + 1 */
	CHECK_EQ(ksnprintf(buf, 6, "%s", "abcde"), 5);
	CHECK_STREQ(buf, "abcde");

	/* one short */
	CHECK_EQ(ksnprintf(buf, 5, "%s", "abcde"), 5);
	CHECK_STREQ(buf, "abcd");

	memset(buf, 'X', sizeof(buf));
	CHECK_EQ(ksnprintf(buf, 1, "%s", "abc"), 3);
	CHECK_EQ(buf[0], '\0');
	CHECK_EQ(buf[1], 'X');
}

TEST(format_size_zero_writes_nothing)
{
	char buf[4] = "XYZ";

	CHECK_EQ(ksnprintf(buf, 0, "%d-%s", 12, "ab"), 5);
	CHECK_STREQ(buf, "XYZ");
	/* With size 0 the buffer may be NULL: the length query idiom. */
	CHECK_EQ(ksnprintf(NULL, 0, "%08x", 1), 8);
}

TEST(format_truncation_is_exact_at_every_size)
{
	const char *full = "[-0042|0x00ff|  str]";
	char *buf;

	for (size_t size = 1; size <= strlen(full) + 2; size++) {
		/* exact-size heap buffer: ASan sees any write past it */
		buf = malloc(size);
		CHECK_EQ(ksnprintf(buf, size, "[%05d|%#06x|%5s]", -42, 255,
				   "str"), strlen(full));
		CHECK_EQ(strlen(buf), size - 1 < strlen(full) ? size - 1
							      : strlen(full));
		CHECK(!strncmp(buf, full, strlen(buf)));
		free(buf);
	}
}

static void count_sink(char c, void *arg)
{
	(*(int *)arg)++;
}

static int via_kformat(int *count, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kformat(count_sink, count, fmt, ap);
	va_end(ap);
	return n;
}

TEST(format_kformat_counts_every_character)
{
	int count = 0;

	CHECK_EQ(via_kformat(&count, "%s=%5d%c", "key", 7, '!'), 10);
	CHECK_EQ(count, 10);
	count = 0;
	CHECK_EQ(via_kformat(&count, ""), 0);
	CHECK_EQ(count, 0);
}

static int via_kvsnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

TEST(format_kvsnprintf_matches_ksnprintf)
{
	char buf[16];

	CHECK_EQ(via_kvsnprintf(buf, sizeof(buf), "%s %d", "n", -3), 4);
	CHECK_STREQ(buf, "n -3");
	CHECK_EQ(via_kvsnprintf(buf, 3, "%s", "abcdef"), 6);
	CHECK_STREQ(buf, "ab");
}

TEST(format_matches_c_printf_corners)
{
	/* A sign flag applies to signed conversions only; "%.0d" of zero
	 * prints nothing; "%#o" starts with 0; "%#x" of zero is "0". */
	char want[64];
	const struct {
		const char *fmt;
		unsigned v;
	} cases[] = {
		{ "%+u", 5 }, { "% u", 5 }, { "[%.0d]", 0 }, { "[%.0u]", 0 },
		{ "%#o", 8 }, { "%#o", 0 }, { "%#x", 0 }, { "%#x", 255 },
		{ "%#X", 255 }, { "%#10x", 1 }, { "%-#6x|", 17 },
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char got[64];

		snprintf(want, sizeof(want), cases[i].fmt, cases[i].v);
		ksnprintf(got, sizeof(got), cases[i].fmt, cases[i].v);
		CHECK_STREQ(got, want);
	}
}

int main(void)
{
	RUN(format_plain_text);
	RUN(format_signed_decimal);
	RUN(format_unsigned_conversions);
	RUN(format_char_and_string);
	RUN(format_null_string);
	RUN(format_precision_stops_at_unterminated_array);
	RUN(format_flags);
	RUN(format_width_and_precision_numbers);
	RUN(format_star_width_and_precision);
	RUN(format_length_modifiers);
	RUN(format_pointer);
	RUN(format_unknown_conversion_printed_as_written);
	RUN(format_truncates_and_returns_full_length);
	RUN(format_size_zero_writes_nothing);
	RUN(format_truncation_is_exact_at_every_size);
	RUN(format_kformat_counts_every_character);
	RUN(format_kvsnprintf_matches_ksnprintf);
	RUN(format_matches_c_printf_corners);
	return host_done();
}
