/*
 * modules/counter.c: a service module. Publishes the service "counter"
 * whose ops table client code calls: `svc counter 1 5` adds 5,
 * `svc counter 0` reads it, `svc counter 2` resets it.
 *
 * Its structure (the count) is built by init and freed by cleanup; only
 * register and unregister touch the registry: the two-phase split.
 */
#include <kernel/module.h>

MODULE_DESCRIPTION("service 'counter': ops get (0), add (1), reset (2)");
MODULE_AUTHOR("Quiesce");
MODULE_LICENSE("GPL");

enum { COUNTER_GET, COUNTER_ADD, COUNTER_RESET };

struct counter_state {
	uint32_t value;
	uint32_t calls;
};

static int start = 0;
MODULE_PARAM_INT(start, "initial value");

static struct counter_state *state;

static int counter_call(struct service *svc, uint32_t op, uint32_t arg,
			uint32_t *result)
{
	struct counter_state *st = svc->priv;

	st->calls++;
	switch (op) {
	case COUNTER_ADD:
		st->value += arg;
		break;
	case COUNTER_RESET:
		st->value = 0;
		break;
	case COUNTER_GET:
		break;
	default:
		return -EINVAL;
	}
	*result = st->value;
	return 0;
}

static const struct service_ops counter_ops = { .call = counter_call };
static struct service counter_svc = SERVICE_INIT("counter", &counter_ops);

static int counter_init(void)
{
	state = kzalloc(sizeof(*state));
	if (!state)
		return -ENOMEM;
	state->value = start;
	counter_svc.priv = state;
	return 0;
}

static int counter_register(void)
{
	return service_register(&counter_svc);
}

static void counter_unregister(void)
{
	service_unregister(&counter_svc);
}

static void counter_cleanup(void)
{
	kfree(state);
	state = NULL;
}

MODULE_INIT(counter_init);
MODULE_REGISTER(counter_register);
MODULE_UNREGISTER(counter_unregister);
MODULE_CLEANUP(counter_cleanup);
