/*
 * modules/bad_svcfault.c: a service op that faults (issue 16, 5).
 *
 * `svc bad_svcfault` calls an op that reads address 0. The fault is
 * caught, and the reference service_get took must still be dropped:
 * else the module could never be unloaded.
 */
#include <kernel/module.h>

MODULE_DESCRIPTION("bad: its service op faults (reads NULL)");
MODULE_LICENSE("GPL");

static int fault_call(struct service *svc, uint32_t op, uint32_t arg,
		      uint32_t *result)
{
	*result = *(volatile uint32_t *)(uintptr_t)op;  /* op 0: NULL */
	return 0;
}
static const struct service_ops fault_ops = { .call = fault_call };
static struct service fault_svc = SERVICE_INIT("bad_svcfault", &fault_ops);

static int bad_svcfault_register(void)
{
	return service_register(&fault_svc);
}

static void bad_svcfault_unregister(void)
{
	service_unregister(&fault_svc);
}

MODULE_REGISTER(bad_svcfault_register);
MODULE_UNREGISTER(bad_svcfault_unregister);
