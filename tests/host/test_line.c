// host-sources: kernel/lib/line.c kernel/lib/string.c
/*
 * tests/host/test_line.c: the shell's line editor state machine.
 *
 * Keys are fed one byte at a time, as the console delivers them. Besides
 * the returned events and ed->buf, every test checks what a user would see:
 * the echo is played onto a model terminal line ('\b' moves left, other
 * bytes overwrite and move right, '\n' starts a new line), and the text
 * left of the cursor must always equal the line being edited.
 */
#include "host.h"
#include <kernel/lib/line.h>
#include <stdint.h>

/* A one-line terminal that the editor's echo is drawn on. */
struct screen {
	char cells[4096];
	size_t cursor;
	unsigned newlines;
};

static struct line_editor ed;
static struct screen scr;

static void screen_put(struct screen *s, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\b') {
			if (s->cursor)
				s->cursor--;
		} else if (p[i] == '\n') {
			s->cursor = 0;
			s->newlines++;
		} else if (s->cursor < sizeof(s->cells)) {
			s->cells[s->cursor++] = p[i];
		}
	}
}

/* The editor's own invariants, and the screen agreeing with ed.buf. */
static int line_consistent(void)
{
	if (ed.len >= LINE_MAX || ed.out_len > sizeof(ed.out))
		return 0;
	if (ed.esc < 0 || ed.esc > 3)
		return 0;
	if (ed.hist_pos < -1 || ed.hist_pos >= LINE_HISTORY ||
	    ed.hist_pos >= (int)ed.hist_count)
		return 0;
	for (size_t i = 0; i < ed.len; i++)
		if (ed.buf[i] < ' ' || ed.buf[i] > '~')
			return 0;
	return scr.cursor == ed.len && !memcmp(scr.cells, ed.buf, ed.len);
}

static void reset(void)
{
	line_init(&ed);
	memset(&scr, 0, sizeof(scr));
}

/* Feed bytes; return the last event. The echo goes to the screen. */
static enum line_event feed_n(const char *s, size_t n)
{
	enum line_event ev = LINE_NONE;

	for (size_t i = 0; i < n; i++) {
		ev = line_feed(&ed, s[i]);
		screen_put(&scr, ed.out, ed.out_len);
	}
	return ev;
}

static enum line_event feed(const char *s)
{
	return feed_n(s, strlen(s));
}

/* Type a line and Enter, as the shell does, adding it to the history. */
static void enter_line(const char *s)
{
	CHECK_EQ(feed(s), LINE_NONE);
	CHECK_EQ(feed("\r"), LINE_DONE);
	CHECK_STREQ(ed.buf, s);
	line_history_add(&ed, ed.buf);
}

#define UP "\x1b[A"
#define DOWN "\x1b[B"

TEST(line_typing_echoes_and_finishes)
{
	reset();
	CHECK_EQ(feed("mem"), LINE_NONE);
	CHECK_EQ(ed.len, 3);
	CHECK(line_consistent());
	CHECK_EQ(feed("\r"), LINE_DONE);
	CHECK_STREQ(ed.buf, "mem");
	CHECK_EQ(ed.len, 0);
	CHECK_EQ(scr.newlines, 1);
	CHECK(line_consistent());
}

TEST(line_enter_on_empty_line)
{
	reset();
	CHECK_EQ(feed("\n"), LINE_DONE);
	CHECK_STREQ(ed.buf, "");
}

TEST(line_backspace_and_del)
{
	reset();
	feed("abc\b");
	CHECK_EQ(ed.len, 2);
	CHECK(line_consistent());
	feed("\x7f");
	CHECK_EQ(ed.len, 1);
	CHECK(line_consistent());
	CHECK_EQ(feed("x\r"), LINE_DONE);
	CHECK_STREQ(ed.buf, "ax");
}

TEST(line_backspace_at_empty_line_does_nothing)
{
	reset();
	CHECK_EQ(feed("\b\b\x7f"), LINE_NONE);
	CHECK_EQ(ed.len, 0);
	CHECK_EQ(ed.out_len, 0);        /* no echo: the prompt stays intact */
	CHECK(line_consistent());
	feed("ab\b\b\b\b");
	CHECK_EQ(ed.len, 0);
	CHECK(line_consistent());
}

TEST(line_ctrl_u_erases_the_line)
{
	reset();
	feed("hello world\x15");
	CHECK_EQ(ed.len, 0);
	CHECK(line_consistent());
	CHECK_EQ(feed("ok\r"), LINE_DONE);
	CHECK_STREQ(ed.buf, "ok");
}

TEST(line_ctrl_c_cancels)
{
	reset();
	CHECK_EQ(feed("rm everything\x03"), LINE_CANCEL);
	CHECK_STREQ(ed.buf, "");
	CHECK_EQ(ed.len, 0);
	CHECK_EQ(scr.newlines, 1);
	CHECK(line_consistent());
	CHECK_EQ(feed("x\r"), LINE_DONE);      /* the next line is fresh */
	CHECK_STREQ(ed.buf, "x");
}

TEST(line_cr_lf_counts_once)
{
	unsigned done = 0;

	reset();
	for (const char *p = "a\r\nb\r\n\r\nc\n\n"; *p; p++)
		done += line_feed(&ed, *p) == LINE_DONE;
	/* a, b, (empty), c, (empty): the LF after a CR is not a line */
	CHECK_EQ(done, 5);
	reset();
	CHECK_EQ(feed("x\r"), LINE_DONE);
	CHECK_EQ(feed("\n"), LINE_NONE);
	CHECK_EQ(feed("\r"), LINE_DONE);       /* CR CR: two lines */
}

TEST(line_ignores_control_and_high_bytes)
{
	reset();
	feed("a\x01\x02\x7\x80\xff\x1f\x0b");
	CHECK_EQ(ed.len, 1);
	CHECK(line_consistent());
}

TEST(line_long_line_is_capped)
{
	char big[LINE_MAX + 50];

	reset();
	memset(big, 'x', sizeof(big));
	feed_n(big, sizeof(big));
	CHECK_EQ(ed.len, LINE_MAX - 1);
	CHECK(line_consistent());
	CHECK_EQ(feed("\r"), LINE_DONE);
	CHECK_EQ(strlen(ed.buf), LINE_MAX - 1);
}

TEST(line_history_up_and_down)
{
	reset();
	enter_line("one");
	enter_line("two");
	feed(UP);
	CHECK(line_consistent());
	CHECK_EQ(ed.len, 3);
	CHECK(!memcmp(ed.buf, "two", 3));
	feed(UP);
	CHECK(!memcmp(ed.buf, "one", 3));
	feed(UP);                               /* oldest: stays */
	CHECK(!memcmp(ed.buf, "one", 3));
	CHECK(line_consistent());
	feed(DOWN);
	CHECK(!memcmp(ed.buf, "two", 3));
	feed(DOWN);                             /* back to the new line */
	CHECK_EQ(ed.len, 0);
	feed(DOWN);
	CHECK_EQ(ed.len, 0);
	CHECK(line_consistent());
	feed(UP);
	CHECK_EQ(feed("!\r"), LINE_DONE);       /* a recalled line is edited */
	CHECK_STREQ(ed.buf, "two!");
}

TEST(line_history_skips_empty_and_repeats)
{
	reset();
	enter_line("a");
	enter_line("a");
	line_history_add(&ed, "");
	enter_line("b");
	CHECK_EQ(ed.hist_count, 2);
	feed(UP UP UP);
	CHECK(!memcmp(ed.buf, "a", 1) && ed.len == 1);
}

TEST(line_history_skips_blank_lines)
{
	/* <kernel/lib/line.h>: "blank ... lines are not" added. */
	reset();
	enter_line("a");
	line_history_add(&ed, "   ");
	line_history_add(&ed, "\t");
	CHECK_EQ(ed.hist_count, 1);
}

TEST(line_history_wraps_past_capacity)
{
	char text[16];

	reset();
	for (int i = 0; i < LINE_HISTORY + 5; i++) {
		snprintf(text, sizeof(text), "cmd%d", i);
		enter_line(text);
	}
	/* Up LINE_HISTORY times reaches the oldest kept line ... */
	for (int i = 0; i < LINE_HISTORY; i++) {
		feed(UP);
		snprintf(text, sizeof(text), "cmd%d", LINE_HISTORY + 4 - i);
		CHECK_EQ(ed.len, strlen(text));
		CHECK(!memcmp(ed.buf, text, ed.len));
		CHECK(line_consistent());
	}
	/* ... and once more stays there: the overwritten ones are gone. */
	feed(UP);
	CHECK_EQ(ed.len, 4);
	CHECK(!memcmp(ed.buf, "cmd5", 4));
	for (int i = 0; i < LINE_HISTORY + 3; i++)
		feed(DOWN);
	CHECK_EQ(ed.len, 0);
	CHECK(line_consistent());
}

TEST(line_recall_of_long_lines_redraws_fully)
{
	char a[LINE_MAX], b[LINE_MAX];

	reset();
	memset(a, 'a', LINE_MAX - 1);
	a[LINE_MAX - 1] = '\0';
	memset(b, 'b', LINE_MAX - 1);
	b[LINE_MAX - 1] = '\0';
	enter_line(a);
	enter_line(b);
	feed(UP);
	feed(UP);       /* replaces 255 b's on screen with 255 a's */
	CHECK_EQ(ed.len, LINE_MAX - 1);
	CHECK(line_consistent());
	feed(DOWN);
	CHECK(line_consistent());
}

TEST(line_unknown_escape_sequences_are_ignored)
{
	reset();
	feed("a");
	feed("\x1b[C\x1b[D");                   /* right, left */
	feed("\x1b[3~");                        /* Delete */
	feed("\x1b[1;5A");                      /* Ctrl-Up: not history */
	feed("\x1bx");                          /* Alt-x */
	CHECK_EQ(feed("b\r"), LINE_DONE);
	CHECK_STREQ(ed.buf, "ab");
}

TEST(line_ss3_function_keys_are_ignored)
{
	/* F1-F4 send ESC O P..S on most terminals. */
	reset();
	feed("a");
	feed("\x1bOP\x1bOQ");
	CHECK_EQ(feed("b\r"), LINE_DONE);
	CHECK_STREQ(ed.buf, "ab");
}

TEST(line_ctrl_c_inside_escape_still_cancels)
{
	/* Line noise can leave an escape sequence open; Ctrl-C and Enter
	 * must still work, as control bytes do inside one on a terminal. */
	reset();
	feed("abc\x1b[12");
	CHECK_EQ(feed("\x03"), LINE_CANCEL);
	reset();
	feed("abc\x1b");
	CHECK_EQ(feed("\r"), LINE_DONE);
}

static uint32_t rng_state = 2463534242u;

static uint32_t xorshift32(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

TEST(line_random_bytes_keep_invariants)
{
	unsigned bad = 0, lines = 0;

	reset();
	for (int i = 0; i < 100000; i++) {
		/* Mostly random bytes; some escape starts to reach history. */
		char c = (i % 7 == 0) ? "\x1b[AB\r"[xorshift32() % 5]
				      : (char)xorshift32();
		enum line_event ev = line_feed(&ed, c);

		screen_put(&scr, ed.out, ed.out_len);
		if (ev == LINE_DONE) {
			lines++;
			if (strlen(ed.buf) >= LINE_MAX)
				bad++;
			line_history_add(&ed, ed.buf);
		}
		if (ev != LINE_NONE && scr.cursor != 0)
			bad++;
		if (!line_consistent()) {
			if (!bad)
				fprintf(stderr, "  first inconsistency at "
					"byte %d\n", i);
			bad++;
			/* resynchronise so one fault is counted once */
			memcpy(scr.cells, ed.buf, ed.len);
			scr.cursor = ed.len;
		}
	}
	CHECK_EQ(bad, 0);
	CHECK(lines > 100);
}

int main(void)
{
	RUN(line_typing_echoes_and_finishes);
	RUN(line_enter_on_empty_line);
	RUN(line_backspace_and_del);
	RUN(line_backspace_at_empty_line_does_nothing);
	RUN(line_ctrl_u_erases_the_line);
	RUN(line_ctrl_c_cancels);
	RUN(line_cr_lf_counts_once);
	RUN(line_ignores_control_and_high_bytes);
	RUN(line_long_line_is_capped);
	RUN(line_history_up_and_down);
	RUN(line_history_skips_empty_and_repeats);
	RUN(line_history_skips_blank_lines);
	RUN(line_history_wraps_past_capacity);
	RUN(line_recall_of_long_lines_redraws_fully);
	RUN(line_unknown_escape_sequences_are_ignored);
	RUN(line_ss3_function_keys_are_ignored);
	RUN(line_ctrl_c_inside_escape_still_cancels);
	RUN(line_random_bytes_keep_invariants);
	return host_done();
}
