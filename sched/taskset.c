/*
 * sched/taskset.c: small fixed sets of tasks (the freezer's exempt set,
 * "this module's threads"). Pure logic, host tested.
 */
#include <sched/task.h>
#include <kernel/lib/errno.h>

bool task_set_contains(const struct task_set *set, const struct task *t)
{
	for (unsigned i = 0; set && i < set->n; i++)
		if (set->tasks[i] == t)
			return true;
	return false;
}

int task_set_add(struct task_set *set, struct task *t)
{
	if (task_set_contains(set, t))
		return 0;
	if (set->n == TASK_SET_MAX)
		return -ENOSPC;
	set->tasks[set->n++] = t;
	return 0;
}
