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
#include <kernel/trap.h>

static struct service *services;        /* [irq] */

static struct service *find_irqoff(const char *name)
{
	assert_irqs_off();
	for (struct service *s = services; s; s = s->next)
		if (!strcmp(s->name, name))
			return s;
	return NULL;
}

/* A service with no owner whose ops are a module's: clients would call
 * it without a reference, and after the unload into freed memory. */
static bool owner_missing(const struct service *svc)
{
	struct module *m;

	if (svc->owner)
		return false;
	m = module_of_addr((uintptr_t)svc->ops->call);
	if (!m)
		m = module_of_addr((uintptr_t)svc);
	if (!m)
		return false;
	pr_warn("module %s: service '%s' registered with owner NULL; "
		"refused (SERVICE_INIT sets THIS_MODULE)", m->name,
		svc->name);
	return true;
}

int service_register(struct service *svc)
{
	uint32_t f;
	int ret = 0;

	if (!svc->name || !svc->ops || !svc->ops->call)
		return -EINVAL;
	if (owner_missing(svc))
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

/*
 * Call an op of a service the caller holds, under a fault catch: an op
 * that faults is the module's bug, and must not skip the service_put that
 * follows (issue 16: the reference leaked and the module could never be
 * unloaded). The report is printed; the call returns -EFAULT.
 */
static int call_caught(struct service *s, uint32_t op, uint32_t arg,
		       uint32_t *result)
{
	struct fault_catch fc;
	volatile int ret;

	if (fault_catch_enter(&fc, false) == 0) {
		ret = s->ops->call(s, op, arg, result);
		fault_catch_leave(&fc);
		return ret;
	}
	pr_warn("module %s: service '%s' op %lu faulted; its reference "
		"was dropped", module_name(s->owner), s->name,
		(unsigned long)op);
	return -EFAULT;
}

int service_call(const char *name, uint32_t op, uint32_t arg,
		 uint32_t *result)
{
	struct service *s = service_get(name);
	int ret;

	if (!s)
		return -ENOENT;
	ret = call_caught(s, op, arg, result);
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
	char owner[32];
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
	/* After the put the service (in module memory) may be gone. */
	kstrlcpy(owner, module_name(s->owner), sizeof(owner));
	ret = call_caught(s, op, arg, &result);
	service_put(s);
	if (ret == -EFAULT)
		return cmd_error(ret, "service '%s' op %lu faulted in module "
				 "'%s'; the shell recovered", argv[1],
				 (unsigned long)op, owner);
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
