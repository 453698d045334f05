/*
 * kernel/lib/parse.c: words, numbers and key=value pairs from untrusted text.
 */
#include <kernel/lib/parse.h>
#include <kernel/lib/errno.h>
#include <kernel/lib/string.h>
#include <stdbool.h>

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* With lenient set, an unterminated quote runs to the end of the line. */
static int split_words(char *line, char **argv, int max, bool lenient)
{
	char *r = line, *w = line;
	int argc = 0;

	for (;;) {
		char quote = 0;

		while (blank(*r))
			r++;
		if (!*r)
			return argc;
		if (argc == max)
			return -E2BIG;
		argv[argc++] = w;
		/* Copy one word, dropping quotes and escapes; w never
		 * overtakes r, so writing in place is safe. */
		for (; *r && (quote || !blank(*r)); r++) {
			if (quote && *r == quote) {
				quote = 0;
			} else if (!quote && (*r == '"' || *r == '\'')) {
				quote = *r;
			} else if (*r == '\\' && quote != '\'' && r[1]) {
				*w++ = *++r;
			} else {
				*w++ = *r;
			}
		}
		if (quote && !lenient)
			return -EINVAL;
		if (*r)
			r++;
		*w++ = '\0';
	}
}

int parse_args(char *line, char **argv, int max)
{
	return split_words(line, argv, max, false);
}

int parse_u32(const char *s, uint32_t *out)
{
	unsigned base = 10;
	uint64_t v = 0;

	if (!s || !*s)
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (!*s)
			return -EINVAL;
	}
	for (; *s; s++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return -EINVAL;
		v = v * base + d;
		if (v > 0xffffffffu)
			return -ERANGE;
	}
	*out = (uint32_t)v;
	return 0;
}

int cmdline_lookup(const char *cmdline, const char *key, char *val,
		   size_t len)
{
	char copy[1024], *argv[64];
	size_t klen = strlen(key);
	int argc;

	/*
	 * Split the line as a shell would. GRUB re-quotes a word that has
	 * blanks: run="a; b" reaches us as "run=\"a; b\"", which splits to
	 * the word run="a; b"; QEMU's -append passes it as typed, which
	 * splits to run=a; b. A value still in quotes loses one level. A
	 * boot line is not ours to reject: an unclosed quote runs to the end.
	 */
	if (!cmdline)
		return -ENOENT;
	if (kstrlcpy(copy, cmdline, sizeof(copy)) >= sizeof(copy))
		return -ENAMETOOLONG;
	argc = split_words(copy, argv, 64, true);
	for (int i = 0; i < argc; i++) {
		const char *v = argv[i] + klen + 1;
		size_t n;

		if (strncmp(argv[i], key, klen) || argv[i][klen] != '=')
			continue;
		n = strlen(v);
		if (n >= 2 && (v[0] == '"' || v[0] == '\'') &&
		    v[n - 1] == v[0]) {
			v++;
			n -= 2;
		}
		if (n + 1 > len)
			return -ENAMETOOLONG;
		memcpy(val, v, n);
		val[n] = '\0';
		return 0;
	}
	return -ENOENT;
}

/* The end of one command: the first ';' outside quotes, or the NUL. */
static const char *command_end(const char *s)
{
	char q = 0;

	for (; *s; s++) {
		if (q && *s == q)
			q = 0;
		else if (!q && (*s == '"' || *s == '\''))
			q = *s;
		else if (!q && *s == ';')
			break;
	}
	return s;
}

int next_command(const char **p, char *buf, size_t len)
{
	const char *s = *p;

	if (len == 0)
		return 0;
	while (*s) {
		const char *end = command_end(s);
		size_t n;

		*p = *end ? end + 1 : end;
		while (s < end && blank(*s))
			s++;
		n = end - s;
		while (n && blank(s[n - 1]))
			n--;
		if (n) {
			if (n >= len)
				n = len - 1;
			memcpy(buf, s, n);
			buf[n] = '\0';
			return 1;
		}
		s = *p;
	}
	return 0;
}

const char *parse_option(const char *arg, const char *name)
{
	size_t n = strlen(name);

	if (arg[0] != '-' || arg[1] != '-' || strncmp(arg + 2, name, n))
		return NULL;
	if (arg[2 + n] == '=')
		return arg + 3 + n;
	return arg[2 + n] ? NULL : "";
}

int glob_match(const char *pat, const char *s)
{
	const char *star = NULL, *resume = NULL;

	while (*s) {
		if (*pat == '*') {
			star = pat++;
			resume = s;
		} else if (*pat == '?' || *pat == *s) {
			pat++;
			s++;
		} else if (star) {
			pat = star + 1;
			s = ++resume;
		} else {
			return 0;
		}
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}
