/*
 * <sched/list.h>: intrusive doubly linked lists, for run queues, wait
 * queues and the task table.
 *
 * A list head is a node that points at itself when empty; an element embeds
 * a node and is found again with list_entry(). A node that is on no list
 * points at itself too (list_node_init / list_del_init), so "is this waiter
 * still queued?" is list_linked(&node). Pure logic, no locking: each user
 * says which lock guards its list. Host tested (tests/host/test_sched_rq.c).
 */
#ifndef SCHED_LIST_H
#define SCHED_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct list_node {
	struct list_node *next, *prev;
};

#define LIST_HEAD_INIT(name) { &(name), &(name) }
#define list_entry(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#define list_for_each(pos, head) \
	for ((pos) = (head)->next; (pos) != (head); (pos) = (pos)->next)
/* Safe against removal of pos inside the loop. */
#define list_for_each_safe(pos, n, head) \
	for ((pos) = (head)->next, (n) = (pos)->next; (pos) != (head); \
	     (pos) = (n), (n) = (pos)->next)

static inline void list_node_init(struct list_node *n)
{
	n->next = n->prev = n;
}

static inline bool list_empty(const struct list_node *head)
{
	return head->next == head;
}

/* True if n is on some list (its own node pointers are not self). */
static inline bool list_linked(const struct list_node *n)
{
	return n->next != n;
}

static inline void list_insert_between(struct list_node *n,
				       struct list_node *prev,
				       struct list_node *next)
{
	n->prev = prev;
	n->next = next;
	prev->next = n;
	next->prev = n;
}

static inline void list_add_tail(struct list_node *n, struct list_node *head)
{
	list_insert_between(n, head->prev, head);
}

static inline void list_add_head(struct list_node *n, struct list_node *head)
{
	list_insert_between(n, head, head->next);
}

/* Unlink n and leave it pointing at itself (unlinked). */
static inline void list_del_init(struct list_node *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	list_node_init(n);
}

#endif
