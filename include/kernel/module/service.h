/*
 * <kernel/module/service.h>: the service registry, an entry path into modules.
 *
 * A service is a named object with an ops table, published by a module
 * (or the kernel) for client code to call: a tiny device model. Each
 * service records its owner module. Clients never call ops without a
 * reference: service_get() pins the owner at the boundary (try_module_get
 * refuses a going module), service_put() releases it.
 *
 *	static const struct service_ops ops = { .call = counter_call };
 *	static struct service svc = SERVICE_INIT("counter", &ops);
 *	service_register(&svc);           (in the module's register hook)
 *	service_unregister(&svc);         (in its unregister hook)
 *
 *	uint32_t v;
 *	service_call("counter", COUNTER_ADD, 5, &v);   (a client)
 *
 * Lock: the registry list is walked and changed with interrupts off (one
 * CPU); a mutex takes its place when the scheduler lands.
 */
#ifndef KERNEL_SERVICE_H
#define KERNEL_SERVICE_H

#include <stdint.h>

struct module;
struct service;

struct service_ops {
	/* Perform operation op with arg; *result may be set. Return: 0 or
	 * a negative error. Context: task; the owner is pinned. */
	int (*call)(struct service *svc, uint32_t op, uint32_t arg,
		    uint32_t *result);
};

struct service {
	const char *name;               /* [const] */
	const struct service_ops *ops;  /* [const] */
	struct module *owner;           /* [const] NULL: the kernel */
	void *priv;                     /* [own] the owner's own state */
	struct service *next;           /* [irq] registry list */
};

#define SERVICE_INIT(sname, sops) \
	{ .name = (sname), .ops = (sops), .owner = THIS_MODULE }

/* Publish svc. Return: 0, -EEXIST if the name is taken, -EINVAL for a
 * service without ops. Context: task. */
int service_register(struct service *svc);
/* Withdraw svc: once this returns, service_get() cannot find it. Callers
 * already inside keep their reference. Context: task. */
void service_unregister(struct service *svc);
/* Find a service and pin its owner. Return: the service, or NULL if there
 * is none or its owner is going away. Context: task. */
struct service *service_get(const char *name);
/* Release a service_get() reference. Context: task. */
void service_put(struct service *svc);
/* get, call, put. Return: the op's result, -ENOENT if there is no such
 * service. Context: task. */
int service_call(const char *name, uint32_t op, uint32_t arg,
		 uint32_t *result);
/* Walk the registry; fn returns 0 to continue. Context: task. */
void service_for_each(void (*fn)(const struct service *svc, void *arg),
		      void *arg);
/* Services still registered by owner (the loader checks after unregister).
 * Return: how many were found and withdrawn. Context: task. */
unsigned service_withdraw_owner(struct module *owner);

#endif
