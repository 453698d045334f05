/*
 * kernel/race/race.c: race points (see <kernel/race/race.h>).
 *
 * Lifecycle of a point slot:
 *
 *   FREE --race_arm--> ARMED --a task arrives--> HELD --race_release--> FREE
 *         --race_watch--> WATCHED --arrivals counted-- ... --release--> FREE
 *         --race_spin--> SPIN --a task arrives--> SPINNING --release--> FREE
 *
 * A held task sleeps until its slot's `released` flag is set. The flag,
 * not the slot, is what it waits on, so a slot reused after the release
 * cannot capture the task again. A spinning task does not sleep: it runs
 * PROBE_SPIN's loop in its own code until the probe's `go` is set, which
 * is clear exactly while a SPIN or SPINNING slot exists (one at a time:
 * there is one `go`; `spinning` counts them, asserted 0 or 1).
 */
#include <kernel/race/race.h>
#include <kernel/probe.h>
#include <kernel/lib/errno.h>
#include <kernel/init.h>
#include <kernel/printk.h>
#include <kernel/lib/string.h>
#include <kernel/trap.h>
#include <sched/sched.h>
#include <sched/spinlock.h>
#include <sched/task.h>
#include <sched/waitqueue.h>

#define RACE_SLOTS 8

enum slot_state { SLOT_FREE, SLOT_ARMED, SLOT_HELD, SLOT_WATCHED, SLOT_SPIN,
		  SLOT_SPINNING };

struct race_slot {
	enum slot_state state;          /* [race_lock] */
	const char *name;               /* [race_lock] */
	struct task *only;              /* [race_lock] hold only this task */
	struct task *held;              /* [race_lock] who is held */
	unsigned arrivals;              /* [race_lock] */
	volatile bool *release_flag;    /* [race_lock] the held task's flag */
};

static struct spinlock race_lock = SPINLOCK_INIT("race");
static struct race_slot slots[RACE_SLOTS];
static struct wait_queue arrive_wq = WAIT_QUEUE_INIT(arrive_wq, "race-arrive");
static struct wait_queue release_wq =
	WAIT_QUEUE_INIT(release_wq, "race-release");
unsigned race_hold_max_ms = RACE_HOLD_MAX_MS;
static volatile unsigned armed;         /* [race_lock] slots not FREE */
static unsigned spinning;               /* [race_lock] SPIN(NING) slots */

static struct race_slot *find_locked(const char *name)
{
	assert_held(&race_lock);
	for (unsigned i = 0; i < RACE_SLOTS; i++)
		if (slots[i].state != SLOT_FREE && !strcmp(slots[i].name, name))
			return &slots[i];
	return NULL;
}

static int arm(const char *point, struct task *only, enum slot_state st)
{
	uint32_t f = spin_lock_irqsave(&race_lock);
	int err = -ENOSPC;

	if (find_locked(point) || (st == SLOT_SPIN && spinning)) {
		spin_unlock_irqrestore(&race_lock, f);
		return -EBUSY;
	}
	for (unsigned i = 0; i < RACE_SLOTS; i++) {
		if (slots[i].state != SLOT_FREE)
			continue;
		slots[i] = (struct race_slot){ .state = st, .name = point,
					       .only = only };
		armed++;
		probe_arm();
		if (st == SLOT_SPIN) {
			spinning++;
			probe_spin_hold(true);
		}
		err = 0;
		break;
	}
	spin_unlock_irqrestore(&race_lock, f);
	return err;
}

int race_arm(const char *point, struct task *only)
{
	return arm(point, only, SLOT_ARMED);
}

int race_watch(const char *point)
{
	return arm(point, NULL, SLOT_WATCHED);
}

int race_spin(const char *point)
{
	return arm(point, NULL, SLOT_SPIN);
}

static void release_locked(struct race_slot *s)
{
	assert_held(&race_lock);
	if (s->release_flag)
		*s->release_flag = true;
	if (s->state == SLOT_SPIN || s->state == SLOT_SPINNING) {
		assert(spinning == 1);
		spinning--;
		probe_spin_hold(false);
	}
	s->state = SLOT_FREE;
	s->held = NULL;
	s->release_flag = NULL;
	armed--;
	probe_disarm();
}

/*
 * The held side, from race_hold().
 * Context: task, interrupts on, preemption enabled.
 */
static void hold_here(const char *name)
{
	volatile bool released = false;
	struct race_slot *s;
	uint32_t f;
	int err;

	if (!armed)
		return;
	f = spin_lock_irqsave(&race_lock);
	s = find_locked(name);
	if (!s || (s->only && s->only != current)) {
		spin_unlock_irqrestore(&race_lock, f);
		return;
	}
	s->arrivals++;
	if (s->state == SLOT_SPIN) {    /* it spins in its own code */
		s->state = SLOT_SPINNING;
		s->held = current;
		spin_unlock_irqrestore(&race_lock, f);
		wake_up(&arrive_wq);
		return;
	}
	if (s->state != SLOT_ARMED) {   /* watched, or someone is held */
		spin_unlock_irqrestore(&race_lock, f);
		wake_up(&arrive_wq);
		return;
	}
	s->state = SLOT_HELD;
	s->held = current;
	s->release_flag = &released;
	spin_unlock_irqrestore(&race_lock, f);
	wake_up(&arrive_wq);
	err = wait_event_timeout(release_wq, released, race_hold_max_ms);
	if (err) {
		pr_warn("race: task '%s' held at %s for %u ms; letting it go",
			current->name, name, race_hold_max_ms);
		/* Free the slot: a slot left HELD with nobody in it would
		 * hand the next race_wait() a NULL task. */
		f = spin_lock_irqsave(&race_lock);
		if (s->release_flag == &released)
			release_locked(s);
		spin_unlock_irqrestore(&race_lock, f);
	}
}

/*
 * The race catalogue's probe subscriber. A probe() call is held as it is:
 * asleep inside the kernel. A PROBE_PREEMPT (int $0x81, tf set) is held
 * with the trap frame as the task's preemption frame, so every observer
 * (ps, the freezer, the unload scan) sees it stopped at the module
 * instruction, as if the timer had preempted it there.
 */
static void race_hold(const char *name, struct trap_frame *tf)
{
	struct trap_frame *saved;

	if (!armed || irq_depth)
		return;
	if (!tf) {
		hold_here(name);
		return;
	}
	saved = current->preempt_tf;
	current->preempt_tf = tf;
	hold_here(name);
	current->preempt_tf = saved;
}

int race_wait(const char *point, unsigned timeout_ms, struct task **who)
{
	struct race_slot *s;
	uint32_t f;
	int err;

	f = spin_lock_irqsave(&race_lock);
	s = find_locked(point);
	spin_unlock_irqrestore(&race_lock, f);
	if (!s)
		return -ENOENT;
	err = wait_event_timeout(arrive_wq, s->state == SLOT_HELD ||
				 s->state == SLOT_SPINNING ||
				 (s->state == SLOT_WATCHED && s->arrivals),
				 timeout_ms);
	/* A spinner is reported from inside probe(): wait until it is in
	 * its loop, in the caller's code, where the race wants it. */
	for (unsigned ms = 0; !err && s->state == SLOT_SPINNING &&
	     !probe_spin_state()->spinning; ms++) {
		if (ms >= timeout_ms)
			err = -ETIMEDOUT;
		else
			sleep_ms(1);
	}
	if (err || !who)
		return err;
	f = spin_lock_irqsave(&race_lock);
	*who = s->state == SLOT_HELD || s->state == SLOT_SPINNING ?
	       s->held : NULL;
	spin_unlock_irqrestore(&race_lock, f);
	return *who ? 0 : -ETIMEDOUT;   /* the hold ended on its own */
}

bool race_reached(const char *point)
{
	uint32_t f = spin_lock_irqsave(&race_lock);
	struct race_slot *s = find_locked(point);
	bool r = s && s->arrivals;

	spin_unlock_irqrestore(&race_lock, f);
	return r;
}

void race_release(const char *point)
{
	uint32_t f = spin_lock_irqsave(&race_lock);
	struct race_slot *s = find_locked(point);

	if (s)
		release_locked(s);
	spin_unlock_irqrestore(&race_lock, f);
	wake_up(&release_wq);
}

void race_reset(void)
{
	uint32_t f = spin_lock_irqsave(&race_lock);

	for (unsigned i = 0; i < RACE_SLOTS; i++)
		if (slots[i].state != SLOT_FREE)
			release_locked(&slots[i]);
	spin_unlock_irqrestore(&race_lock, f);
	wake_up(&release_wq);
}

const char *race_where_held(const struct task *t)
{
	const char *name = NULL;
	uint32_t f = spin_lock_irqsave(&race_lock);

	for (unsigned i = 0; i < RACE_SLOTS; i++)
		if ((slots[i].state == SLOT_HELD ||
		     slots[i].state == SLOT_SPINNING) && slots[i].held == t)
			name = slots[i].name;
	spin_unlock_irqrestore(&race_lock, f);
	return name;
}

static int race_init(void)
{
	/* A held task "is" where it was stopped, not in these frames. */
	sched_add_core_fn("race_hold");
	sched_add_core_fn("hold_here");
	return probe_subscribe(race_hold);
}
INITCALL(race_init, INIT_SUBSYS);
