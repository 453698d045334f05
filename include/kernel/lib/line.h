/*
 * <kernel/lib/line.h>: the shell's line editor, as a pure state machine.
 *
 * line_feed() takes one input byte and says what happened; the text to echo
 * (characters, backspace sequences, a redrawn line after a history recall)
 * is written to an output buffer the caller sends to the console. Keys:
 * printable characters, Backspace/DEL, Ctrl-U (erase line), Ctrl-C (cancel
 * line), Enter (CR or LF; CR LF counts once), Up/Down (history, ESC [ A/B).
 * Other control bytes and unknown escape sequences are ignored, so random
 * line noise cannot upset it. Host tested.
 */
#ifndef KERNEL_LINE_H
#define KERNEL_LINE_H

#include <stddef.h>

#define LINE_MAX 256
#define LINE_HISTORY 16

enum line_event {
	LINE_NONE,      /* keep feeding */
	LINE_DONE,      /* ed->buf holds a finished line */
	LINE_CANCEL,    /* Ctrl-C: the line was dropped */
};

struct line_editor {
	char buf[LINE_MAX];
	size_t len;
	int esc;                        /* 0, 1: ESC, 2: ESC [, 3: ESC O */
	char last;                      /* previous byte, for CR LF */
	char hist[LINE_HISTORY][LINE_MAX];
	unsigned hist_count;            /* lines ever added */
	int hist_pos;                   /* -1: editing a new line */
	/* echo for the last byte: at worst, erase a whole line ("\b \b"
	 * per character) and draw another */
	char out[LINE_MAX * 4 + 16];
	size_t out_len;
};

void line_init(struct line_editor *ed);
/* Feed one byte; ed->out/out_len then hold the echo. */
enum line_event line_feed(struct line_editor *ed, char c);
/* Add a finished line to the history (blank and repeated lines are not). */
void line_history_add(struct line_editor *ed, const char *line);

#endif
