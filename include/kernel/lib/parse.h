/*
 * <kernel/lib/parse.h>: parsing text from people: shell lines, the kernel
 * command line, numbers. Pure logic, host tested; never trusts its input.
 */
#ifndef KERNEL_PARSE_H
#define KERNEL_PARSE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Split line in place into at most max words. Words are separated by
 * blanks; "double" or 'single' quotes group blanks into a word; a backslash
 * escapes the next character outside single quotes.
 * Return: the word count, -E2BIG if more than max words, -EINVAL for an
 * unterminated quote.
 */
int parse_args(char *line, char **argv, int max);

/* Decimal or 0x-hex, whole string. Return: 0, -EINVAL or -ERANGE. */
int parse_u32(const char *s, uint32_t *out);

/*
 * Find key=value in a kernel command line (value may be "quoted") and copy
 * the value into val. Return: 0, -ENOENT if absent, -ENAMETOOLONG if the
 * value does not fit.
 */
int cmdline_lookup(const char *cmdline, const char *key, char *val,
		   size_t len);

/*
 * Take the next ';'-separated command from *p into buf, trimmed of blanks,
 * and advance *p. A ';' inside quotes does not separate. A command longer
 * than len - 1 is cut. Return: 1 if a command was taken, 0 at the end.
 */
int next_command(const char **p, char *buf, size_t len);

/* If arg is "--name=value" return value; if arg is "--name" return "". */
const char *parse_option(const char *arg, const char *name);

/* Shell-style glob: '*' any run, '?' any one char. Return: 1 on match. */
int glob_match(const char *pat, const char *s);

#endif
