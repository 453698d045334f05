/*
 * kernel/module/service.c: the service registry (see
 * <kernel/module/service.h>).
 *
 * Interface: service_register, service_unregister, service_get,
 * service_put, service_call, service_for_each, service_withdraw_owner,
 * and the console command `svc`.
 *
 * The boundary rule lives in service_get(): the owner module is pinned
 * (module_enter) in the same critical section that finds the service, so
 * a module cannot be unloaded between "found it" and "holding it".
 */
#include <kernel/module/service.h>
#include <kernel/module/module.h>
#include <kernel/arch.h>
#include <kernel/locking.h>
#include <kernel/lib/parse.h>

static struct service *services;        /* [irq] */

static struct service *find_irqoff(const char *name)
{
	assert_irqs_off();
	for (struct service *s = services; s; s = s->next)
		if (!strcmp(s->name, name))
			return s;
	return NULL;
}

int service_register(struct service *svc)
{
	uint32_t f;
	int ret = 0;

	if (!svc->name || !svc->ops || !svc->ops->call)
		return -EINVAL;
	f = irq_save();
	if (find_irqoff(svc->name)) {
		ret = -EEXIST;
	} else {
		svc->next = services;
		services = svc;
	}
	irq_restore(f);
	return ret;
}

void service_unregister(struct service *svc)
{
	uint32_t f = irq_save();

	for (struct service **pp = &services; *pp; pp = &(*pp)->next)
		if (*pp == svc) {
			*pp = svc->next;
			break;
		}
	irq_restore(f);
}

struct service *service_get(const char *name)
{
	uint32_t f = irq_save();
	struct service *s = find_irqoff(name);

	if (s && !module_enter(s->owner))
		s = NULL;
	irq_restore(f);
	return s;
}

void service_put(struct service *svc)
{
	module_leave(svc->owner);
}

int service_call(const char *name, uint32_t op, uint32_t arg,
		 uint32_t *result)
{
	struct service *s = service_get(name);
	int ret;

	if (!s)
		return -ENOENT;
	ret = s->ops->call(s, op, arg, result);
	service_put(s);
	return ret;
}

void service_for_each(void (*fn)(const struct service *svc, void *arg),
		      void *arg)
{
	uint32_t f = irq_save();

	for (struct service *s = services; s; s = s->next)
		fn(s, arg);
	irq_restore(f);
}

unsigned service_withdraw_owner(struct module *owner)
{
	uint32_t f = irq_save();
	unsigned n = 0;

	for (struct service **pp = &services; *pp;) {
		if ((*pp)->owner == owner) {
			*pp = (*pp)->next;
			n++;
		} else {
			pp = &(*pp)->next;
		}
	}
	irq_restore(f);
	return n;
}

static void print_service(const struct service *s, void *arg)
{
	kprintf("  %-16s owner %s\n", s->name, module_name(s->owner));
}

static int cmd_svc(int argc, char **argv)
{
	uint32_t op = 0, arg = 0, result = 0;
	struct service *s;
	int ret;

	if (argc == 1) {
		service_for_each(print_service, NULL);
		return 0;
	}
	if ((argc > 2 && parse_u32(argv[2], &op)) ||
	    (argc > 3 && parse_u32(argv[3], &arg)) || argc > 4)
		return cmd_error(-EINVAL, "usage: svc [NAME [OP [ARG]]] "
				 "(numbers)");
	s = service_get(argv[1]);
	if (!s)
		return cmd_error(-ENOENT, "no service '%s' (or its module is "
				 "going away); 'svc' lists them", argv[1]);
	ret = s->ops->call(s, op, arg, &result);
	service_put(s);
	if (ret)
		return cmd_error(ret, "service '%s' op %lu failed", argv[1],
				 (unsigned long)op);
	kprintf("%s: op %lu arg %lu -> %lu\n", argv[1], (unsigned long)op,
		(unsigned long)arg, (unsigned long)result);
	return 0;
}
COMMAND(svc, "svc", "[NAME [OP [ARG]]]",
	"list services, or call one (through its module's boundary)",
	cmd_svc);
