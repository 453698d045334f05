/*
 * kernel/module/unload_opts.c: the words of an unload request.
 *
 * One table of names for strategies, busy policies and outcomes, and the
 * one parser of --strategy= and --busy= that rmmod, race and stress share,
 * so the three commands accept the same words and say the same thing when
 * a word is wrong.
 */
#include <kernel/module/unload.h>
#include <kernel/lib/errno.h>
#include <kernel/lib/format.h>
#include <kernel/lib/parse.h>
#include <kernel/lib/string.h>

static const char *const strategy_names[] = {
	"naive", "eip", "twophase", "refcount" };
static const char *const busy_names[] = {
	"fail", "wait", "delayed" };
static const char *const outcome_names[] = {
	"freed", "refused", "delayed", "reregistered", "failed" };

const char *unload_strategy_name(enum unload_strategy s)
{
	return (unsigned)s < UNLOAD_NR_STRATEGIES ? strategy_names[s] : "?";
}

const char *unload_outcome_name(enum unload_outcome o)
{
	return (unsigned)o <= UNLOAD_FAILED ? outcome_names[o] : "?";
}

int unload_parse_strategy(const char *s, enum unload_strategy *out)
{
	for (unsigned i = 0; i < UNLOAD_NR_STRATEGIES; i++)
		if (!strcmp(s, strategy_names[i])) {
			*out = i;
			return 0;
		}
	return -EINVAL;
}

int unload_parse_busy(const char *s, enum unload_busy *out)
{
	for (unsigned i = 0; i < UNLOAD_NR_BUSY; i++)
		if (!strcmp(s, busy_names[i])) {
			*out = i;
			return 0;
		}
	return -EINVAL;
}

void unload_req_init(struct unload_req *r)
{
	*r = (struct unload_req){ .strategy = UNLOAD_TWOPHASE,
				  .busy = BUSY_FAIL,
				  .timeout_ms = UNLOAD_TIMEOUT_MS };
}

const char *unload_busy_name(enum unload_busy b)
{
	return (unsigned)b < UNLOAD_NR_BUSY ? busy_names[b] : "?";
}

int unload_parse_option(const char *word, enum unload_strategy *strategy,
			enum unload_busy *busy, char *err, size_t errlen)
{
	const char *v;

	if ((v = parse_option(word, "strategy"))) {
		if (!unload_parse_strategy(v, strategy))
			return 1;
		ksnprintf(err, errlen, "unknown strategy '%s': use naive, eip, "
			  "twophase or refcount", v);
		return -EINVAL;
	}
	if ((v = parse_option(word, "busy"))) {
		if (!unload_parse_busy(v, busy))
			return 1;
		ksnprintf(err, errlen, "unknown busy policy '%s': use fail, "
			  "wait or delayed", v);
		return -EINVAL;
	}
	return 0;
}

static const char *const detector_names[] = {
	"use-count", "eip", "stack-scan", "entry-window", "thread-stop",
	"thread-reap", "callback-drain", "caller-exempt", "gate", "raw-entry",
	"freeze-failed", "dependency", "hook-fault" };

char *unload_detector_names(unsigned by, char *buf, size_t len)
{
	size_t n = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	for (unsigned i = 0; i < sizeof(detector_names) /
				 sizeof(detector_names[0]); i++)
		if ((by & (1u << i)) && n < len)
			n += ksnprintf(buf + n, len - n, "%s%s", n ? "+" : "",
				       detector_names[i]);
	if (!by)
		kstrlcpy(buf, "none", len);
	return buf;
}
