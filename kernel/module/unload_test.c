/*
 * kernel/module/unload_test.c: KTAP suite `unload`: the protocol's rules
 * that no race scenario states on its own.
 *
 *   after any wait, the protocol starts again at step 1 (--busy=wait);
 *   a quiesce that cannot prove the module quiet never frees it;
 *   every documented busy policy does what it says, and no other exists;
 *   every result names what decided it.
 *
 * Each case ends with the module unloaded and memory where it was.
 */
#include <kernel/module/module.h>
#include <kernel/ktest.h>
#include <kernel/lib/errno.h>
#include <kernel/lib/string.h>
#include <kernel/module/memusage.h>
#include <kernel/module/unload.h>
#include <sched/freezer.h>
#include <sched/task.h>

static char err[200];

static int load(const char *name)
{
	return module_load(name, 0, NULL, err, sizeof(err));
}

static bool loaded(const char *name)
{
	struct module *m = module_find(name);

	return m && m->state != MODULE_GONE;
}

/* --busy=wait: a user leaves while the unload waits; the unload then runs
 * the whole protocol and the module is really gone (it used to report
 * "freed" and leave the module live). */
static void unload_busy_wait_unloads_once_the_user_has_left(struct ktest *t)
{
	struct unload_req r;
	struct unload_job *j;
	struct service *svc;
	bool deadlocked;
	int ret;

	KASSERT_EQ(t, load("counter"), 0);
	svc = service_get("counter");
	KASSERT(t, svc);
	unload_req_init(&r);
	r.busy = BUSY_WAIT;
	j = unload_start("counter", &r, false);
	KASSERT(t, j);
	sleep_ms(20);                   /* it is waiting for us */
	KEXPECT(t, !unload_done(j));
	KEXPECT(t, loaded("counter"));
	service_put(svc);
	ret = unload_wait(j, &r, 5000, &deadlocked);
	KEXPECT_EQ(t, ret, 0);
	KEXPECT(t, !deadlocked);
	KEXPECT_EQ(t, r.outcome, UNLOAD_FREED);
	KEXPECT(t, !loaded("counter"));
	if (loaded("counter"))
		module_unload("counter", err, sizeof(err));
}

/* --busy=wait that runs out: refused, and the sentence says it waited. */
static void unload_busy_wait_refuses_after_its_deadline(struct ktest *t)
{
	struct unload_req r;
	struct service *svc;

	KASSERT_EQ(t, load("counter"), 0);
	svc = service_get("counter");
	KASSERT(t, svc);
	unload_req_init(&r);
	r.busy = BUSY_WAIT;
	r.timeout_ms = 30;
	KEXPECT_EQ(t, unload_module("counter", &r), -EBUSY);
	KEXPECT_EQ(t, r.outcome, UNLOAD_REFUSED);
	KEXPECT(t, r.by & UD_USE_COUNT);
	KEXPECT(t, strstr(r.msg, "after waiting 30 ms") != NULL);
	KEXPECT(t, loaded("counter"));
	service_put(svc);
	KEXPECT_EQ(t, module_unload("counter", err, sizeof(err)), 0);
}

/* A freeze already active makes the quiesce fail: twophase must not free
 * (it used to go on to the re-check, find nothing, and free). */
static void unload_twophase_never_frees_when_the_freeze_fails(
	struct ktest *t)
{
	struct task_set exempt = { 0 };
	struct unload_req r;
	struct service *svc;

	KASSERT_EQ(t, load("counter"), 0);
	task_set_add(&exempt, current);
	KASSERT_EQ(t, freezer_freeze(FREEZE_PREEMPTIVE, &exempt, 1000), 0);
	unload_req_init(&r);
	KEXPECT_EQ(t, unload_module("counter", &r), -EBUSY);
	freezer_thaw();
	KEXPECT_EQ(t, r.outcome, UNLOAD_REREGISTERED);
	KEXPECT(t, r.by & UD_FREEZE_FAILED);
	KEXPECT(t, loaded("counter") &&
		   module_find("counter")->state == MODULE_LIVE);
	svc = service_get("counter");           /* published again */
	KEXPECT(t, svc != NULL);
	if (svc)
		service_put(svc);
	KEXPECT_EQ(t, module_unload("counter", err, sizeof(err)), 0);
}

/* The same with --busy=delayed: withdrawn, and freed by unloadd later,
 * once a quiesce succeeds. */
static void unload_twophase_delays_when_the_freeze_fails(struct ktest *t)
{
	struct task_set exempt = { 0 };
	struct unload_req r;

	KASSERT_EQ(t, load("counter"), 0);
	task_set_add(&exempt, current);
	KASSERT_EQ(t, freezer_freeze(FREEZE_PREEMPTIVE, &exempt, 1000), 0);
	unload_req_init(&r);
	r.busy = BUSY_DELAYED;
	KEXPECT_EQ(t, unload_module("counter", &r), 0);
	KEXPECT_EQ(t, r.outcome, UNLOAD_DELAYED);
	KEXPECT(t, loaded("counter"));          /* not while frozen */
	freezer_thaw();
	for (unsigned ms = 0; ms < 2000 && loaded("counter"); ms++)
		sleep_ms(1);
	KEXPECT(t, !loaded("counter"));
}

/* Only the documented policies parse; "reregister" was parsed and did
 * what "fail" does, so it is gone. */
static void unload_parses_only_documented_policies(struct ktest *t)
{
	enum unload_strategy s = UNLOAD_TWOPHASE;
	enum unload_busy b = BUSY_FAIL;
	char msg[96];

	KEXPECT_EQ(t, unload_parse_option("--busy=wait", &s, &b, msg,
					  sizeof(msg)), 1);
	KEXPECT_EQ(t, b, BUSY_WAIT);
	KEXPECT_EQ(t, unload_parse_option("--busy=reregister", &s, &b, msg,
					  sizeof(msg)), -EINVAL);
	KEXPECT_STREQ(t, msg, "unknown busy policy 'reregister': use fail, "
		      "wait or delayed");
	KEXPECT_EQ(t, unload_parse_option("--strategy=refcount", &s, &b, msg,
					  sizeof(msg)), 1);
	KEXPECT_EQ(t, s, UNLOAD_REFCOUNT);
	KEXPECT_EQ(t, unload_parse_option("-v", &s, &b, msg, sizeof(msg)), 0);
}

/* A clean unload names no detector; a refusal names the one that saw. */
static void unload_result_names_its_detector(struct ktest *t)
{
	struct unload_req r;
	struct service *svc;
	char names[64];

	KASSERT_EQ(t, load("counter"), 0);
	svc = service_get("counter");
	KASSERT(t, svc);
	unload_req_init(&r);
	KEXPECT_EQ(t, unload_module("counter", &r), -EBUSY);
	KEXPECT_STREQ(t, unload_detector_names(r.by, names, sizeof(names)),
		      "use-count");
	service_put(svc);
	unload_req_init(&r);
	KEXPECT_EQ(t, unload_module("counter", &r), 0);
	KEXPECT_STREQ(t, unload_detector_names(r.by, names, sizeof(names)),
		      "none");
	KEXPECT_STREQ(t, unload_detector_names(UD_EIP | UD_STACK_SCAN, names,
					       sizeof(names)),
		      "eip+stack-scan");
}

static void memory_back(struct ktest *t, void (*fn)(struct ktest *t))
{
	struct mem_usage before, now;

	mem_usage_read(&before);
	fn(t);
	for (unsigned ms = 0; ms < 500; ms++) {
		mem_usage_read(&now);
		if (mem_usage_within(&now, &before))
			return;
		sleep_ms(2);
	}
	ktest_fail(t, false, __FILE__, __LINE__, "memory not back: %lu "
		   "frames (was %lu), %lu heap bytes (was %lu)",
		   (unsigned long)now.frames, (unsigned long)before.frames,
		   (unsigned long)now.heap_bytes,
		   (unsigned long)before.heap_bytes);
}

#define UNLOAD_CASE(fn)                                                    \
	static void fn##_case(struct ktest *t) { memory_back(t, fn); }
UNLOAD_CASE(unload_busy_wait_unloads_once_the_user_has_left)
UNLOAD_CASE(unload_busy_wait_refuses_after_its_deadline)
UNLOAD_CASE(unload_twophase_never_frees_when_the_freeze_fails)
UNLOAD_CASE(unload_twophase_delays_when_the_freeze_fails)
UNLOAD_CASE(unload_result_names_its_detector)

KTEST_SUITE(unload,
	    KTEST_CASE(unload_busy_wait_unloads_once_the_user_has_left_case),
	    KTEST_CASE(unload_busy_wait_refuses_after_its_deadline_case),
	    KTEST_CASE(unload_twophase_never_frees_when_the_freeze_fails_case),
	    KTEST_CASE(unload_twophase_delays_when_the_freeze_fails_case),
	    KTEST_CASE(unload_parses_only_documented_policies),
	    KTEST_CASE(unload_result_names_its_detector_case));
