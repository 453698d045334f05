// fuzz-sources: kernel/lib/line.c kernel/lib/parse.c kernel/lib/string.c
/*
 * tests/fuzz/fuzz_parse.c: libFuzzer target for the shell's argument
 * parser and the other readers of untrusted text in kernel/parse.c.
 *
 * The input is split at its first NUL into A and B (B empty if none):
 *   parse_args(A)               words, quotes, escapes, too many words
 *   next_command(A)             "a; b; 'c;d'" as run= and sweeps split it
 *   parse_u32 / parse_option    on every word of A
 *   cmdline_lookup(A, key)      the kernel command line, for the keys the
 *                               kernel reads and for each word of B
 *   glob_match(B, each word)    `test PATTERN`, `bench PATTERN`
 * Results are checked for what their callers rely on: words inside the
 * line and terminated, values that fit and are terminated.
 *
 *	make fuzz FUZZ_TARGETS=fuzz_parse
 */
#include <kernel/lib/parse.h>
#include <kernel/shell.h>
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const keys[] = { "run", "hz", "loglevel", "failalloc",
				    "r", "" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *a = malloc(size + 1), *b, *copy, *argv[SHELL_MAX_ARGS + 1];
	char val[64], cmd[SHELL_LINE_MAX];
	const char *p;
	uint32_t u;
	int argc;

	memcpy(a, data, size);
	a[size] = '\0';
	b = a + strlen(a) + (strlen(a) < size);
	copy = strdup(a);
	argc = parse_args(copy, argv, SHELL_MAX_ARGS);
	assert(argc <= SHELL_MAX_ARGS);
	for (int i = 0; i < argc; i++) {
		assert(argv[i] >= copy && argv[i] <= copy + size);
		if (!parse_u32(argv[i], &u))
			assert(argv[i][0] >= '0' && argv[i][0] <= '9');
		p = parse_option(argv[i], "strategy");
		/* "--strategy" alone gives "" (a literal), else the value */
		assert(!p || !*p ||
		       (p > argv[i] && p < argv[i] + strlen(argv[i])));
		glob_match(b, argv[i]);
	}
	for (p = a; next_command(&p, cmd, sizeof(cmd));)
		assert(strlen(cmd) < sizeof(cmd));
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		if (!cmdline_lookup(a, keys[k], val, sizeof(val)))
			assert(strlen(val) < sizeof(val));
	if (*b && !cmdline_lookup(a, b, val, sizeof(val)))
		assert(strlen(val) < sizeof(val));
	free(copy);
	free(a);
	return 0;
}
