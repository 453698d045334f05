// host-sources: kernel/lib/parse.c kernel/lib/string.c
/*
 * tests/host/test_parse.c: the parsers that read text from people.
 *
 * parse_args (words, quotes, escapes, limits, writing in place),
 * parse_u32, cmdline_lookup, next_command, parse_option and glob_match.
 * Inputs live in exact-size heap buffers where it matters, so ASan reports
 * any read or write past the end.
 */
#include "host.h"
#include <kernel/lib/errno.h>
#include <kernel/lib/parse.h>
#include <stdint.h>

/* A heap copy of s, exactly strlen(s) + 1 bytes. */
static char *dup_exact(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	memcpy(p, s, n);
	return p;
}

/* ---- parse_args ------------------------------------------------------ */

TEST(parse_args_splits_on_blanks)
{
	char line[] = "  mem\t dmesg  x \r\n";
	char *argv[8];

	CHECK_EQ(parse_args(line, argv, 8), 3);
	CHECK_STREQ(argv[0], "mem");
	CHECK_STREQ(argv[1], "dmesg");
	CHECK_STREQ(argv[2], "x");
}

TEST(parse_args_empty_and_blank_lines)
{
	char empty[] = "", blank[] = " \t  ";
	char *argv[2];

	CHECK_EQ(parse_args(empty, argv, 2), 0);
	CHECK_EQ(parse_args(blank, argv, 2), 0);
	CHECK_EQ(parse_args(blank, argv, 0), 0);
}

TEST(parse_args_quotes_group_words)
{
	char line[] = "echo \"hello  world\" 'a b' x\"y z\"w ''";
	char *argv[8];

	CHECK_EQ(parse_args(line, argv, 8), 5);
	CHECK_STREQ(argv[0], "echo");
	CHECK_STREQ(argv[1], "hello  world");
	CHECK_STREQ(argv[2], "a b");
	CHECK_STREQ(argv[3], "xy zw");
	CHECK_STREQ(argv[4], "");
}

TEST(parse_args_quotes_nest_the_other_kind)
{
	char line[] = "\"it's\" 'say \"hi\"'";
	char *argv[4];

	CHECK_EQ(parse_args(line, argv, 4), 2);
	CHECK_STREQ(argv[0], "it's");
	CHECK_STREQ(argv[1], "say \"hi\"");
}

TEST(parse_args_backslash_escapes)
{
	char line[] = "a\\ b \\\"q\\\" \"in\\\"side\" 'lit\\eral' \\\\ end\\";
	char *argv[8];

	CHECK_EQ(parse_args(line, argv, 8), 6);
	CHECK_STREQ(argv[0], "a b");
	CHECK_STREQ(argv[1], "\"q\"");
	CHECK_STREQ(argv[2], "in\"side");
	CHECK_STREQ(argv[3], "lit\\eral");      /* no escapes in '' */
	CHECK_STREQ(argv[4], "\\");
	CHECK_STREQ(argv[5], "end\\");          /* a trailing \ is kept */
}

TEST(parse_args_too_many_words)
{
	char three[] = "a b c", exact[] = "a b c";
	char *argv[3];

	CHECK_EQ(parse_args(three, argv, 2), -E2BIG);
	CHECK_EQ(parse_args(exact, argv, 3), 3);
	CHECK_STREQ(argv[2], "c");
}

TEST(parse_args_max_zero)
{
	char line[] = "word";
	char *argv[1];

	CHECK_EQ(parse_args(line, argv, 0), -E2BIG);
}

TEST(parse_args_unterminated_quote)
{
	char dq[] = "echo \"abc", sq[] = "echo 'abc d", mid[] = "a\"b c";
	char esc[] = "echo \"abc\\\"";
	char *argv[4];

	CHECK_EQ(parse_args(dq, argv, 4), -EINVAL);
	CHECK_EQ(parse_args(sq, argv, 4), -EINVAL);
	CHECK_EQ(parse_args(mid, argv, 4), -EINVAL);
	CHECK_EQ(parse_args(esc, argv, 4), -EINVAL);  /* \" closes nothing */
}

/* Every word must lie inside the line and end before the line's end. */
static void check_in_place(const char *text)
{
	char *line = dup_exact(text);
	size_t n = strlen(text);
	char *argv[64];
	int argc = parse_args(line, argv, 64);

	for (int i = 0; i < argc; i++) {
		CHECK(argv[i] >= line && argv[i] <= line + n);
		CHECK(argv[i] + strlen(argv[i]) <= line + n);
		if (i)
			CHECK(argv[i] > argv[i - 1]);
	}
	free(line);
}

TEST(parse_args_in_place_is_safe)
{
	check_in_place("");
	check_in_place("a");
	check_in_place("\"\"");
	check_in_place("''''''");
	check_in_place("\\");
	check_in_place("a\\");
	check_in_place("\"a b\"c'd e'");
	check_in_place("x \\\\\\\" y");
}

TEST(parse_args_random_lines_stay_in_bounds)
{
	static const char alphabet[] = "ab \t\"'\\;";
	unsigned seed = 12345;

	for (int round = 0; round < 20000; round++) {
		char text[40];
		size_t n;

		seed = seed * 1103515245 + 12345;
		n = (seed >> 16) % sizeof(text);
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245 + 12345;
			text[i] = alphabet[(seed >> 16) %
					   (sizeof(alphabet) - 1)];
		}
		text[n] = '\0';
		check_in_place(text);
	}
}

/* ---- parse_u32 ------------------------------------------------------- */

TEST(parse_u32_decimal)
{
	uint32_t v = 1;

	CHECK_EQ(parse_u32("0", &v), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(parse_u32("42", &v), 0);
	CHECK_EQ(v, 42);
	CHECK_EQ(parse_u32("007", &v), 0);      /* decimal, not octal */
	CHECK_EQ(v, 7);
	CHECK_EQ(parse_u32("4294967295", &v), 0);
	CHECK_EQ(v, 4294967295u);
}

TEST(parse_u32_hex)
{
	uint32_t v = 0;

	CHECK_EQ(parse_u32("0x10", &v), 0);
	CHECK_EQ(v, 16);
	CHECK_EQ(parse_u32("0XaBcDeF", &v), 0);
	CHECK_EQ(v, 0xabcdef);
	CHECK_EQ(parse_u32("0xffffffff", &v), 0);
	CHECK_EQ(v, 0xffffffffu);
	CHECK_EQ(parse_u32("0x00000000000001", &v), 0);
	CHECK_EQ(v, 1);
}

TEST(parse_u32_overflow)
{
	uint32_t v = 99;

	CHECK_EQ(parse_u32("4294967296", &v), -ERANGE);
	CHECK_EQ(parse_u32("99999999999999999999999999", &v), -ERANGE);
	CHECK_EQ(parse_u32("0x100000000", &v), -ERANGE);
	CHECK_EQ(parse_u32("0xfffffffffffffffffffff", &v), -ERANGE);
	CHECK_EQ(v, 99);                        /* untouched on error */
}

TEST(parse_u32_garbage)
{
	static const char *const bad[] = {
		"", "0x", "0X", "x10", "-1", "+1", " 1", "1 ", "12a", "0xg",
		"0x-1", "1.5", "ten", "0x 1", "1\n",
	};
	uint32_t v = 99;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = parse_u32(bad[i], &v);

		if (r != -EINVAL)
			fprintf(stderr, "  input \"%s\"\n", bad[i]);
		CHECK_EQ(r, -EINVAL);
	}
	CHECK_EQ(parse_u32(NULL, &v), -EINVAL);
	CHECK_EQ(v, 99);
}

/* ---- cmdline_lookup ---------------------------------------------------- */

static const char *const cmdline =
	"  hz=100 loglevel=7 run=\"echo a; echo b\" quiet name='x y' "
	"runx=no empty= last=end";

TEST(cmdline_lookup_plain_values)
{
	char val[32];

	CHECK_EQ(cmdline_lookup(cmdline, "hz", val, sizeof(val)), 0);
	CHECK_STREQ(val, "100");
	CHECK_EQ(cmdline_lookup(cmdline, "loglevel", val, sizeof(val)), 0);
	CHECK_STREQ(val, "7");
	CHECK_EQ(cmdline_lookup(cmdline, "last", val, sizeof(val)), 0);
	CHECK_STREQ(val, "end");
	CHECK_EQ(cmdline_lookup(cmdline, "empty", val, sizeof(val)), 0);
	CHECK_STREQ(val, "");
}

TEST(cmdline_lookup_quoted_values)
{
	char val[32];

	CHECK_EQ(cmdline_lookup(cmdline, "run", val, sizeof(val)), 0);
	CHECK_STREQ(val, "echo a; echo b");
	CHECK_EQ(cmdline_lookup(cmdline, "name", val, sizeof(val)), 0);
	CHECK_STREQ(val, "x y");
}

TEST(cmdline_lookup_key_prefixes)
{
	char val[32];

	/* "run" must not match "runx=", nor "runx" match "run=". */
	CHECK_EQ(cmdline_lookup("runx=no run=yes", "run", val, sizeof(val)),
		 0);
	CHECK_STREQ(val, "yes");
	CHECK_EQ(cmdline_lookup("run=yes runx=no", "runx", val, sizeof(val)),
		 0);
	CHECK_STREQ(val, "no");
	CHECK_EQ(cmdline_lookup("runx=no", "run", val, sizeof(val)), -ENOENT);
	CHECK_EQ(cmdline_lookup("run=yes", "ru", val, sizeof(val)), -ENOENT);
	/* nor the tail of another word */
	CHECK_EQ(cmdline_lookup("xrun=1", "run", val, sizeof(val)), -ENOENT);
	CHECK_EQ(cmdline_lookup("a=run=1", "run", val, sizeof(val)), -ENOENT);
}

TEST(cmdline_lookup_ignores_keys_inside_quotes)
{
	char val[32];

	CHECK_EQ(cmdline_lookup("run=\"x hz=5\" hz=7", "hz", val,
				sizeof(val)), 0);
	CHECK_STREQ(val, "7");
	CHECK_EQ(cmdline_lookup("run='a hz=5'", "hz", val, sizeof(val)),
		 -ENOENT);
}

TEST(cmdline_lookup_missing_keys)
{
	char val[8] = "keep";

	CHECK_EQ(cmdline_lookup(cmdline, "quiet", val, sizeof(val)), -ENOENT);
	CHECK_EQ(cmdline_lookup(cmdline, "nothere", val, sizeof(val)),
		 -ENOENT);
	CHECK_EQ(cmdline_lookup("", "hz", val, sizeof(val)), -ENOENT);
	CHECK_EQ(cmdline_lookup("   ", "hz", val, sizeof(val)), -ENOENT);
	CHECK_EQ(cmdline_lookup(NULL, "hz", val, sizeof(val)), -ENOENT);
	CHECK_STREQ(val, "keep");
}

TEST(cmdline_lookup_too_long_values)
{
	char *val = malloc(4);  /* exact size: ASan sees an overflow */

	strcpy(val, "old");
	CHECK_EQ(cmdline_lookup("hz=1000", "hz", val, 4), -ENAMETOOLONG);
	CHECK_EQ(cmdline_lookup("run=\"a b c\"", "run", val, 4),
		 -ENAMETOOLONG);
	CHECK_EQ(cmdline_lookup("hz=100", "hz", val, 4), 0);    /* just fits */
	CHECK_STREQ(val, "100");
	CHECK_EQ(cmdline_lookup("hz=1", "hz", val, 0), -ENAMETOOLONG);
	free(val);
}

TEST(cmdline_lookup_unterminated_quote_stays_in_bounds)
{
	char *line = dup_exact("run=\"echo a");
	char val[32];

	CHECK_EQ(cmdline_lookup(line, "run", val, sizeof(val)), 0);
	CHECK_STREQ(val, "echo a");
	free(line);
}

/* ---- next_command ---------------------------------------------------- */

TEST(next_command_splits_and_trims)
{
	const char *p = "  mem ;dmesg;  echo a  b\t";
	char buf[32];

	CHECK_EQ(next_command(&p, buf, sizeof(buf)), 1);
	CHECK_STREQ(buf, "mem");
	CHECK_EQ(next_command(&p, buf, sizeof(buf)), 1);
	CHECK_STREQ(buf, "dmesg");
	CHECK_EQ(next_command(&p, buf, sizeof(buf)), 1);
	CHECK_STREQ(buf, "echo a  b");
	CHECK_EQ(next_command(&p, buf, sizeof(buf)), 0);
	CHECK_EQ(next_command(&p, buf, sizeof(buf)), 0);  /* stays at end */
}

TEST(next_command_keeps_quoted_semicolons)
{
	const char *p = "echo 'a;b'; echo \"c;d\" ;x";
	char buf[32];

	CHECK_EQ(next_command(&p, buf, sizeof(buf)), 1);
	CHECK_STREQ(buf, "echo 'a;b'");
	CHECK_EQ(next_command(&p, buf, sizeof(buf)), 1);
	CHECK_STREQ(buf, "echo \"c;d\"");
	CHECK_EQ(next_command(&p, buf, sizeof(buf)), 1);
	CHECK_STREQ(buf, "x");
	p = "abc";
	CHECK_EQ(next_command(&p, buf, 0), 0);  /* no room: nothing taken */
}

TEST(next_command_skips_empty_pieces)
{
	const char *p = ";; ;\t; a ;;; b;  ;";
	char buf[8];

	CHECK_EQ(next_command(&p, buf, sizeof(buf)), 1);
	CHECK_STREQ(buf, "a");
	CHECK_EQ(next_command(&p, buf, sizeof(buf)), 1);
	CHECK_STREQ(buf, "b");
	CHECK_EQ(next_command(&p, buf, sizeof(buf)), 0);

	p = "";
	CHECK_EQ(next_command(&p, buf, sizeof(buf)), 0);
	p = " ; ; ";
	CHECK_EQ(next_command(&p, buf, sizeof(buf)), 0);
}

TEST(next_command_truncates_to_buffer)
{
	const char *p = "abcdefgh;x";
	char *buf = malloc(4);

	CHECK_EQ(next_command(&p, buf, 4), 1);
	CHECK_STREQ(buf, "abc");
	CHECK_EQ(next_command(&p, buf, 4), 1);  /* the next one is intact */
	CHECK_STREQ(buf, "x");
	free(buf);
}

/* ---- parse_option ---------------------------------------------------- */

TEST(parse_option_forms)
{
	const char *v;

	v = parse_option("--count=5", "count");
	CHECK(v && !strcmp(v, "5"));
	v = parse_option("--count=", "count");
	CHECK(v && !strcmp(v, ""));
	v = parse_option("--force", "force");
	CHECK(v && !strcmp(v, ""));
	v = parse_option("--a=b=c", "a");
	CHECK(v && !strcmp(v, "b=c"));
	CHECK(parse_option("--forced", "force") == NULL);
	CHECK(parse_option("--forc", "force") == NULL);
	CHECK(parse_option("-force", "force") == NULL);
	CHECK(parse_option("force", "force") == NULL);
	CHECK(parse_option("", "force") == NULL);
	CHECK(parse_option("-", "force") == NULL);
	CHECK(parse_option("--", "force") == NULL);
}

/* ---- glob_match ------------------------------------------------------ */

TEST(glob_match_literals_and_wildcards)
{
	CHECK_EQ(glob_match("", ""), 1);
	CHECK_EQ(glob_match("", "a"), 0);
	CHECK_EQ(glob_match("mm", "mm"), 1);
	CHECK_EQ(glob_match("mm", "mmx"), 0);
	CHECK_EQ(glob_match("mmx", "mm"), 0);
	CHECK_EQ(glob_match("*", ""), 1);
	CHECK_EQ(glob_match("*", "anything"), 1);
	CHECK_EQ(glob_match("**", "x"), 1);
	CHECK_EQ(glob_match("k*", "ktest"), 1);
	CHECK_EQ(glob_match("*t", "ktest"), 1);
	CHECK_EQ(glob_match("*s*", "ktest"), 1);
	CHECK_EQ(glob_match("*q*", "ktest"), 0);
	CHECK_EQ(glob_match("?", ""), 0);
	CHECK_EQ(glob_match("?", "a"), 1);
	CHECK_EQ(glob_match("a?c", "abc"), 1);
	CHECK_EQ(glob_match("a?c", "ac"), 0);
	CHECK_EQ(glob_match("fo?", "fo"), 0);
	CHECK_EQ(glob_match("*?", ""), 0);
}

TEST(glob_match_backtracks)
{
	CHECK_EQ(glob_match("a*b*c", "aXbYc"), 1);
	CHECK_EQ(glob_match("a*b", "ab"), 1);
	CHECK_EQ(glob_match("a*ab", "aaab"), 1);
	CHECK_EQ(glob_match("*aab", "aaaab"), 1);
	CHECK_EQ(glob_match("a*b*c", "abcbcb"), 0);
	CHECK_EQ(glob_match("*a*a*a*", "aa"), 0);
	CHECK_EQ(glob_match("*.ko", "hello.ko"), 1);
	CHECK_EQ(glob_match("*.ko", "hello.ko.bak"), 0);
}

int main(void)
{
	RUN(parse_args_splits_on_blanks);
	RUN(parse_args_empty_and_blank_lines);
	RUN(parse_args_quotes_group_words);
	RUN(parse_args_quotes_nest_the_other_kind);
	RUN(parse_args_backslash_escapes);
	RUN(parse_args_too_many_words);
	RUN(parse_args_max_zero);
	RUN(parse_args_unterminated_quote);
	RUN(parse_args_in_place_is_safe);
	RUN(parse_args_random_lines_stay_in_bounds);
	RUN(parse_u32_decimal);
	RUN(parse_u32_hex);
	RUN(parse_u32_overflow);
	RUN(parse_u32_garbage);
	RUN(cmdline_lookup_plain_values);
	RUN(cmdline_lookup_quoted_values);
	RUN(cmdline_lookup_key_prefixes);
	RUN(cmdline_lookup_ignores_keys_inside_quotes);
	RUN(cmdline_lookup_missing_keys);
	RUN(cmdline_lookup_too_long_values);
	RUN(cmdline_lookup_unterminated_quote_stays_in_bounds);
	RUN(next_command_splits_and_trims);
	RUN(next_command_skips_empty_pieces);
	RUN(next_command_keeps_quoted_semicolons);
	RUN(next_command_truncates_to_buffer);
	RUN(parse_option_forms);
	RUN(glob_match_literals_and_wildcards);
	RUN(glob_match_backtracks);
	return host_done();
}
