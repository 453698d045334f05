/*
 * kernel/lib/line.c: the line editor state machine (see <kernel/lib/line.h>).
 */
#include <kernel/lib/line.h>
#include <kernel/lib/string.h>
#include <stdbool.h>

void line_init(struct line_editor *ed)
{
	memset(ed, 0, sizeof(*ed));
	ed->hist_pos = -1;
}

static void out(struct line_editor *ed, const char *s, size_t n)
{
	if (ed->out_len + n > sizeof(ed->out))
		n = sizeof(ed->out) - ed->out_len;
	memcpy(ed->out + ed->out_len, s, n);
	ed->out_len += n;
}

static void erase_line(struct line_editor *ed)
{
	while (ed->len) {
		out(ed, "\b \b", 3);
		ed->len--;
	}
}

static void replace_line(struct line_editor *ed, const char *text)
{
	erase_line(ed);
	ed->len = strlen(text);
	memcpy(ed->buf, text, ed->len);
	out(ed, ed->buf, ed->len);
}

static void recall(struct line_editor *ed, int dir)
{
	unsigned avail = ed->hist_count < LINE_HISTORY ? ed->hist_count
						       : LINE_HISTORY;
	int pos = ed->hist_pos + dir;   /* 0: newest */

	if (pos < -1 || pos >= (int)avail)
		return;
	ed->hist_pos = pos;
	if (pos == -1)
		replace_line(ed, "");
	else
		replace_line(ed, ed->hist[(ed->hist_count - 1 - pos) %
					  LINE_HISTORY]);
}

void line_history_add(struct line_editor *ed, const char *line)
{
	size_t n = strlen(line);

	if (n >= LINE_MAX || strspn(line, " \t") == n)
		return;
	if (ed->hist_count &&
	    !strcmp(ed->hist[(ed->hist_count - 1) % LINE_HISTORY], line))
		return;
	memcpy(ed->hist[ed->hist_count % LINE_HISTORY], line, n + 1);
	ed->hist_count++;
}

static enum line_event finish(struct line_editor *ed, enum line_event ev)
{
	ed->buf[ed->len] = '\0';
	if (ev == LINE_CANCEL) {
		out(ed, "^C", 2);
		ed->buf[0] = '\0';
	}
	out(ed, "\n", 1);
	ed->len = 0;
	ed->hist_pos = -1;
	return ev;
}

enum line_event line_feed(struct line_editor *ed, char c)
{
	char prev = ed->last;

	ed->out_len = 0;
	ed->last = c;
	/*
	 * Escape sequences: ESC [ params final (CSI) and ESC O letter (SS3,
	 * function keys). A control byte inside a sequence ends it and is
	 * then handled as itself, so noise cannot leave Enter or Ctrl-C dead.
	 */
	if (ed->esc && (unsigned char)c < ' ')
		ed->esc = 0;
	if (ed->esc == 1) {
		ed->esc = c == '[' ? 2 : c == 'O' ? 3 : 0;
		return LINE_NONE;
	}
	if (ed->esc == 3) {
		ed->esc = 0;
		return LINE_NONE;
	}
	if (ed->esc == 2) {
		/* CSI: parameters and intermediates are 0x20-0x3f, the final
		 * byte 0x40-0x7e; anything else ends it. */
		if (c >= 0x20 && c <= 0x3f)
			return LINE_NONE;
		ed->esc = 0;
		if (c == 'A')
			recall(ed, +1);
		else if (c == 'B')
			recall(ed, -1);
		return LINE_NONE;
	}
	switch (c) {
	case '\n':
		if (prev == '\r')
			return LINE_NONE;       /* CR LF: the CR finished it */
		return finish(ed, LINE_DONE);
	case '\r':
		return finish(ed, LINE_DONE);
	case 3:                                 /* Ctrl-C */
		return finish(ed, LINE_CANCEL);
	case 21:                                /* Ctrl-U */
		erase_line(ed);
		return LINE_NONE;
	case 8:
	case 127:
		if (ed->len) {
			ed->len--;
			out(ed, "\b \b", 3);
		}
		return LINE_NONE;
	case 27:
		ed->esc = 1;
		return LINE_NONE;
	}
	if ((unsigned char)c < ' ' || (unsigned char)c > '~')
		return LINE_NONE;               /* noise: ignore */
	if (ed->len < LINE_MAX - 1) {
		ed->buf[ed->len++] = c;
		out(ed, &c, 1);
	}
	return LINE_NONE;
}
