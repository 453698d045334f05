// host-sources: kernel/race/race_evtext.c kernel/lib/string.c
/*
 * tests/host/test_race_evtext.c: the text of a race event.
 *
 * `race run --events` prints narrated lines as events without what
 * changes from boot to boot (kernel/race/race_evtext.c); the diagrams
 * in docs/ are compared byte for byte with a fresh run, so each rule is
 * checked here on the lines the kernel really narrates.
 */
#include "host.h"
/* race_event_kind and race_event_clean are private to kernel/race/. */
#include "../../kernel/race/internal.h"

static char out[200];

static const char *clean(const char *line)
{
	race_event_clean(line, out, sizeof(out));
	return out;
}

TEST(race_event_clean_drops_ids_addresses_offsets)
{
	CHECK_STREQ(clean("     task 'client' (id 11, frozen): returns to "
			  "d0004102 op_lock_first+0x12 [race_svc]: inside"),
		    "task 'client' (frozen): returns to op_lock_first "
		    "[race_svc]: inside");
	CHECK_STREQ(clean("  c. froze 3 task(s); exempt: the caller 'rmmod' "
			  "(id 12) and the tasks that are never frozen"),
		    "c. froze 3 task(s); exempt: the caller 'rmmod' and the "
		    "tasks that are never frozen");
	CHECK_STREQ(clean("is held at reaper.reap, at reaper_fn+0x93; use "
			  "count 0"),
		    "is held at reaper.reap, at reaper_fn; use count 0");
	CHECK_STREQ(clean("     task 'x' (id 7, running): EIP 00100842 "
			  "f+0x1f: inside"),
		    "task 'x' (running): EIP f: inside");
}

TEST(race_event_clean_keeps_what_tells_the_race)
{
	/* Counts, names, constants: the same on every boot. */
	CHECK_STREQ(clean("  4. re-check: use count 1; 1 task(s) inside, 0 in "
			  "entry windows"),
		    "4. re-check: use count 1; 1 task(s) inside, 0 in entry "
		    "windows");
	CHECK_STREQ(clean("deadlock: no progress in 500 ms; thawing 3 frozen "
			  "task(s) to break it"),
		    "deadlock: no progress in 500 ms; thawing 3 frozen "
		    "task(s) to break it");
	/* Eight letters that are hex, no digit: a word, not an address. */
	CHECK_STREQ(clean("a deadbeef b"), "a deadbeef b");
	/* An identifier that only starts like an address stays. */
	CHECK_STREQ(clean("0123abcd_fn ran"), "0123abcd_fn ran");
}

TEST(race_event_clean_hides_the_time_left)
{
	CHECK_STREQ(clean("  1. refcount is 1: waiting up to 1473 ms"),
		    "1. refcount is 1: waiting up to T ms");
}

TEST(race_event_clean_truncates_and_terminates)
{
	char small[8];

	race_event_clean("abcdefghijkl", small, sizeof(small));
	CHECK(strlen(small) < sizeof(small));
	CHECK(!strncmp(small, "abcdef", strlen(small)));
	race_event_clean("", small, sizeof(small));
	CHECK_STREQ(small, "");
	race_event_clean("    ", small, sizeof(small));
	CHECK_STREQ(small, "");
}

TEST(race_event_kind_of_narrated_lines)
{
	CHECK_STREQ(race_event_kind("is held at R6.sleeping, at x"), "hold");
	CHECK_STREQ(race_event_kind("is running in race_notify at R16.running"),
		    "hold");
	CHECK_STREQ(race_event_kind("  2. froze everything that is freezable"),
		    "freeze");
	CHECK_STREQ(race_event_kind("  2. unregister: interfaces withdrawn"),
		    "unregister");
	CHECK_STREQ(race_event_kind("     task 'client' (id 3, frozen): EIP"),
		    "scan-hit");
	CHECK_STREQ(race_event_kind("  -> re-registered: someone"),
		    "decision");
	CHECK_STREQ(race_event_kind("twophase unload of 'race_svc' (use"),
		    "start");
	CHECK_STREQ(race_event_kind("reregistered: someone is in module"),
		    "result");
	CHECK_STREQ(race_event_kind("deadlock: no progress in 500 ms"),
		    "deadlock");
	CHECK_STREQ(race_event_kind("  3. quiesce:"), "step");
	CHECK_STREQ(race_event_kind("something new"), "step");
}

int main(void)
{
	RUN(race_event_clean_drops_ids_addresses_offsets);
	RUN(race_event_clean_keeps_what_tells_the_race);
	RUN(race_event_clean_hides_the_time_left);
	RUN(race_event_clean_truncates_and_terminates);
	RUN(race_event_kind_of_narrated_lines);
	return host_done();
}
