/*
 * modules/race_svc.c: a service written the 2002 way, for races R1, R4-R8,
 * R13 and R14.
 *
 * The module counts itself (MODULE_COUNTING("self")): each operation runs
 * MOD_INC_USE_COUNT when it starts its real work and MOD_DEC_USE_COUNT
 * when it is done. Every operation below stops at a named race point,
 * placed exactly where one of the seed's windows is open, so a race
 * scenario (kernel/race/race_scenarios.c) can hold a client there while it
 * unloads the module:
 *
 *   R4  op_entered:      entered, not yet counted; preempted (EIP inside)
 *   R5  op_counted_down: counted down, not yet returned; preempted
 *   R6  op_lock_first:   sleeps in a kernel function before counting: its
 *                        EIP is in the kernel, a return address is here
 *   R7  op_stats:        never counts ("it never sleeps"), yet is preempted
 *   R8  op_counted:      counted, then sleeps in the kernel
 *   R14 op_open/op_close: a handle, 2002 style: open counts and returns,
 *                        close (called through the handle, not the
 *                        registry) uncounts; between them the count is 1
 *                        and nobody is in the module
 * (R13 needs no code of its own: its client holds the service and stops
 * before calling any operation.)
 *
 * Unarmed, each point costs nothing and the operations just work:
 *	svc race 4 0   (from the console: service 'race', op 4)
 */
#include <kernel/module.h>

MODULE_DESCRIPTION(
    "a self-counting service with the 2002 windows, for race scenarios");
MODULE_AUTHOR("Quiesce");
MODULE_LICENSE("GPL");
MODULE_COUNTING("self");

enum { OP_R4 = 4, OP_R5 = 5, OP_R6 = 6, OP_R7 = 7, OP_R8 = 8,
       OP_OPEN = 14, OP_CLOSE = 15 };

static volatile unsigned calls;

/* The "real work" of an operation. */
static __attribute__((noinline)) void work(void)
{
	calls++;
}

static __attribute__((noinline)) int op_entered(void)
{
	PROBE_PREEMPT("R4.entered");     /* in the module, count still 0 */
	MOD_INC_USE_COUNT;
	work();
	MOD_DEC_USE_COUNT;
	return 0;
}

static __attribute__((noinline)) int op_counted_down(void)
{
	MOD_INC_USE_COUNT;
	work();
	MOD_DEC_USE_COUNT;
	PROBE_PREEMPT("R5.counted_down");        /* count 0, still here */
	return 0;
}

static __attribute__((noinline)) int op_lock_first(void)
{
	/* Like taking a lock before counting: a kernel function that may
	 * sleep, called from module code, with the count still 0. */
	probe("R6.sleeping");
	MOD_INC_USE_COUNT;
	work();
	MOD_DEC_USE_COUNT;
	return 0;
}

static __attribute__((noinline)) int op_stats(uint32_t *result)
{
	/* No count at all: this code "never sleeps", which was enough
	 * before preemption. */
	unsigned n = calls;

	PROBE_PREEMPT("R7.preempted");
	*result = n;
	return 0;
}

static __attribute__((noinline)) int op_counted(void)
{
	MOD_INC_USE_COUNT;
	probe("R8.inside");        /* counted, asleep in the kernel */
	work();
	MOD_DEC_USE_COUNT;
	return 0;
}

static __attribute__((noinline)) int op_open(void)
{
	MOD_INC_USE_COUNT;              /* held until close */
	work();
	return 0;
}

static __attribute__((noinline)) int op_close(void)
{
	work();
	MOD_DEC_USE_COUNT;
	return 0;
}

static int race_call(struct service *svc, uint32_t op, uint32_t arg,
		     uint32_t *result)
{
	switch (op) {
	case OP_R4:
		return op_entered();
	case OP_R5:
		return op_counted_down();
	case OP_R6:
		return op_lock_first();
	case OP_R7:
		return op_stats(result);
	case OP_R8:
		return op_counted();
	case OP_OPEN:
		return op_open();
	case OP_CLOSE:
		return op_close();
	}
	return -EINVAL;
}

static const struct service_ops race_ops = { .call = race_call };
static struct service race_service = SERVICE_INIT("race", &race_ops);

static int race_register(void)
{
	return service_register(&race_service);
}

static void race_unregister(void)
{
	service_unregister(&race_service);
}

MODULE_REGISTER(race_register);
MODULE_UNREGISTER(race_unregister);
