/*
 * kernel/race/race_evtext.c: the text of a race event (race_events.c):
 * the kind of a narrated line, and the line without what changes from
 * boot to boot. Pure string work, no kernel state: the host test
 * tests/host/test_race_evtext.c compiles this file.
 */
#include "internal.h"
#include <kernel/lib/string.h>

/* The kind of a narrated line, from how it starts (leading blanks
 * skipped). The unload protocol numbers its steps as the seed does
 * (kernel/module/unload.c): "1." check, "2." unregister, "3." quiesce
 * ("a." to "e."), "4." re-check, "5." cleanup; "->" its decision. */
static const struct { const char *start, *kind; } kinds[] = {
	{ "loaded ", "load" },          { "rmmod ", "unload" },
	{ "releases ", "release" },     { "is held at ", "hold" },
	{ "is running in ", "hold" },
	{ "returned from ", "return" }, { "was refused ", "refused" },
	{ "was killed ", "killed" },    { "-> ", "decision" },
	{ "decided by: ", "decided" },  { "task '", "scan-hit" },
	{ "thread '", "stop-thread" },  { "deadlock: ", "deadlock" },
	{ "waiting for the reaper", "reap-wait" },
	{ "entry windows:", "entry-window" },
	{ "1. ", "check" },             { "2. froze ", "freeze" },
	{ "2. ", "unregister" },        { "3. looked ", "scan" },
	{ "3. ", "step" },              { "4. ", "recheck" },
	{ "5. ", "cleanup" },           { "a. ", "threads" },
	{ "b. ", "callbacks" },         { "c. ", "freeze" },
	{ "d. ", "scan" },              { "e. ", "thaw" },
	{ "freed: ", "result" },        { "refused: ", "result" },
	{ "delayed: ", "result" },      { "reregistered: ", "result" },
	{ "failed: ", "result" },
};

const char *race_event_kind(const char *line)
{
	while (*line == ' ')
		line++;
	for (unsigned i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strncmp(line, kinds[i].start, strlen(kinds[i].start)))
			return kinds[i].kind;
	return strstr(line, " unload of '") ? "start" : "step";
}

static bool is_hex(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
}

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* How many characters at s to leave out of an event (0: keep s[0]):
 *   an address: 8 hex digits (one a digit at least) standing alone;
 *   "+0x1f", a symbol's offset (it moves with every edit of the code);
 *   "(id 12)", or the "id 12, " of "(id 12, frozen)": task ids count
 *   every task the boot made before. */
static size_t drop_at(const char *s, bool word_start)
{
	size_t n = 0;

	if (word_start) {
		bool digit = false;

		for (; n < 8 && is_hex(s[n]); n++)
			digit |= is_digit(s[n]);
		if (n == 8 && digit && !is_hex(s[8]) && s[8] != '_')
			return s[8] == ' ' ? 9 : 8;
		n = 0;
	}
	if (!strncmp(s, "+0x", 3)) {
		for (n = 3; is_hex(s[n]); n++)
			;
		return n;
	}
	if (!strncmp(s, "(id ", 4) && is_digit(s[4])) {
		for (n = 4; is_digit(s[n]); n++)
			;
		if (s[n] == ')')
			return n + 1;
		if (s[n] == ',' && s[n + 1] == ' ')
			return n + 2;
	}
	return 0;
}

/* Copy line into out without what drop_at leaves out; the number after
 * "up to " (the time a wait has left) becomes "T"; blanks collapse to
 * one. */
void race_event_clean(const char *line, char *out, size_t len)
{
	size_t o = 0;

	while (*line == ' ')
		line++;
	for (size_t i = 0; line[i] && o + 2 < len;) {
		bool start = !i || line[i - 1] == ' ' || line[i - 1] == '(';
		size_t skip = drop_at(line + i, start);
		size_t d = 0;

		if (skip) {
			/* "(id 3, frozen)" keeps its "(" */
			if (line[i] == '(' && line[i + skip - 1] == ' ')
				out[o++] = '(';
			i += skip;
			continue;
		}
		while (start && is_digit(line[i + d]))
			d++;
		if (d && o >= 6 && !strncmp(out + o - 6, "up to ", 6)) {
			out[o++] = 'T';
			i += d;
			continue;
		}
		if (line[i] == ' ' && (!o || out[o - 1] == ' ' ||
				       out[o - 1] == '(')) {
			i++;
			continue;
		}
		if (line[i] == ')' && o && out[o - 1] == ' ')
			o--;
		out[o++] = line[i++];
	}
	while (o && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
}
