// fuzz-sources: kernel/lib/line.c kernel/lib/parse.c kernel/lib/string.c
/*
 * tests/fuzz/fuzz_line.c: libFuzzer target for the shell's line editor
 * (kernel/line.c) and what the shell does with a finished line.
 *
 * Every input byte goes to line_feed() as if typed on the serial line:
 * printable text, Backspace/DEL, Ctrl-U, Ctrl-C, CR/LF, escape sequences
 * (Up/Down history, and unknown ones), anything. After each byte the
 * editor's invariants are checked (the line is shorter than LINE_MAX,
 * a finished line is terminated, the echo fits its buffer); each
 * finished line goes into the history and through the shell's word
 * splitter and command splitter, as shell_exec() and the boot's run=
 * would.
 *
 *	make fuzz FUZZ_TARGETS=fuzz_line
 */
#include <kernel/lib/line.h>
#include <kernel/lib/parse.h>
#include <kernel/shell.h>
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void run_line(const char *text)
{
	char line[LINE_MAX], cmd[SHELL_LINE_MAX], *argv[SHELL_MAX_ARGS + 1];
	const char *p = text;
	int argc;

	while (next_command(&p, cmd, sizeof(cmd)))
		assert(strlen(cmd) < sizeof(cmd));
	strcpy(line, text);
	argc = parse_args(line, argv, SHELL_MAX_ARGS);
	assert(argc <= SHELL_MAX_ARGS);
	for (int i = 0; i < argc; i++)
		assert(argv[i] >= line && argv[i] < line + sizeof(line) &&
		       strlen(argv[i]) < sizeof(line));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct line_editor ed;

	line_init(&ed);
	for (size_t i = 0; i < size; i++) {
		enum line_event ev = line_feed(&ed, (char)data[i]);

		assert(ed.len < LINE_MAX && ed.esc >= 0 && ed.esc <= 3);
		assert(ed.out_len <= sizeof(ed.out));
		assert(ed.hist_pos >= -1 && ed.hist_pos < LINE_HISTORY);
		if (ev != LINE_NONE)    /* the finished line is terminated */
			assert(ed.len == 0 && strlen(ed.buf) < LINE_MAX);
		if (ev == LINE_DONE) {
			line_history_add(&ed, ed.buf);
			run_line(ed.buf);
		}
	}
	return 0;
}
