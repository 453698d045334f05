/*
 * mm/failalloc.c: fault injection for the allocators (<mm/failalloc.h>).
 *
 *   failalloc_check        the doors' question (kmalloc, pmm_alloc,
 *                          vmap_alloc); inline fast path in the header
 *   failalloc_arm          arm for a task and its descendants
 *   failalloc_arm_next     arm for the next console command
 *   failalloc_disarm       stop, and say what was seen
 *   failalloc_parse        "nth=3 kind=heap", "p=0.01 seed=7", "nth:3,..."
 *
 * The scope is a generation number: arming takes a new one and stamps it
 * on the root task; task_alloc copies the creator's stamp to the new task;
 * a task is in scope when its stamp is the armed generation. Generations
 * only grow, so a task stamped by an old injection is never in a new
 * one's scope, and nothing needs clearing when an injection ends.
 *
 * The console command and the sweep are in kernel/race/failalloc_cmds.c.
 */
#include <mm/failalloc.h>
#include <kernel/arch.h>
#include <kernel/boot.h>
#include <kernel/init.h>
#include <kernel/ksyms.h>
#include <kernel/lib/errno.h>
#include <kernel/lib/format.h>
#include <kernel/lib/parse.h>
#include <kernel/lib/string.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/shell.h>
#include <kernel/trap.h>

volatile bool failalloc_armed;                  /* [irq off] */
static bool pending;                            /* [irq off] */
static bool armed_by_command;                   /* [irq off] */
static uint32_t generation;                     /* [irq off] */
static struct failalloc_spec spec;              /* [irq off] */
static struct failalloc_report report;          /* [irq off] */
static uint64_t rng;                            /* [irq off] */
uint32_t *(*failalloc_current_scope)(int *id);  /* [i] set by sched */

static const char *const kind_names[FAILALLOC_KINDS] = {
	"heap", "frame", "vmap"
};

/* splitmix64: small, and every seed is a good seed. */
static uint64_t next_random(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

bool failalloc_should_fail(enum failalloc_kind kind, size_t size,
			   uintptr_t site, uintptr_t site2)
{
	bool fail = false;
	uint32_t f, *scope;
	int id = 0;

	if (irq_depth || !failalloc_current_scope)
		return false;
	f = irq_save();
	scope = failalloc_current_scope(&id);
	if (!failalloc_armed || *scope != generation ||
	    !(spec.kinds & (1u << kind)))
		goto out;
	report.seen++;
	if (spec.nth)
		fail = report.seen == spec.nth;
	else
		fail = (uint32_t)(next_random() % 1000000u) < spec.ppm;
	if (fail && report.failed++ == 0) {
		report.first_kind = kind;
		report.first_size = size;
		report.first_site = site;
		report.first_site2 = site2;
		report.first_task = id;
	}
out:
	irq_restore(f);
	return fail;
}

static void arm_locked(const struct failalloc_spec *s)
{
	spec = *s;
	if (!spec.kinds)
		spec.kinds = FAILALLOC_ALL;
	rng = spec.seed;
	memset(&report, 0, sizeof(report));
	generation++;
}

void failalloc_arm(const struct failalloc_spec *s, uint32_t *root_scope)
{
	uint32_t f = irq_save();

	arm_locked(s);
	*root_scope = generation;
	pending = false;
	armed_by_command = false;
	failalloc_armed = true;
	irq_restore(f);
}

void failalloc_arm_next(const struct failalloc_spec *s)
{
	uint32_t f = irq_save();

	failalloc_armed = false;
	spec = *s;
	pending = true;
	irq_restore(f);
}

bool failalloc_disarm(struct failalloc_report *rep)
{
	uint32_t f = irq_save();
	bool was = failalloc_armed || pending;

	failalloc_armed = false;
	pending = false;
	armed_by_command = false;
	if (rep)
		*rep = report;
	irq_restore(f);
	return was;
}

bool failalloc_status(struct failalloc_spec *s, struct failalloc_report *rep,
		      bool *is_pending)
{
	uint32_t f = irq_save();
	bool armed = failalloc_armed;

	if (s)
		*s = spec;
	if (rep)
		*rep = report;
	if (is_pending)
		*is_pending = pending;
	irq_restore(f);
	return armed;
}

/* The shell's command hook: arm a pending injection for the command's
 * task at its start; disarm and report at its end. */
static void command_begin(void)
{
	uint32_t f = irq_save();
	struct failalloc_spec s = spec;
	int id;

	if (pending && failalloc_current_scope) {
		arm_locked(&s);
		*failalloc_current_scope(&id) = generation;
		pending = false;
		armed_by_command = true;
		failalloc_armed = true;
	}
	irq_restore(f);
}

static void command_end(void)
{
	struct failalloc_report rep;
	bool mine;
	uint32_t f = irq_save();

	mine = failalloc_armed && armed_by_command;
	irq_restore(f);
	if (!mine)
		return;
	failalloc_disarm(&rep);
	failalloc_print_report(&rep);
}

void failalloc_print_report(const struct failalloc_report *rep)
{
	char a[64], b[64];

	kprintf("failalloc: %lu allocation%s in scope, %lu failed on purpose",
		(unsigned long)rep->seen, rep->seen == 1 ? "" : "s",
		(unsigned long)rep->failed);
	if (!rep->failed) {
		kprintf("\n");
		return;
	}
	ksyms_format_ret(rep->first_site, a, sizeof(a));
	ksyms_format_ret(rep->first_site2, b, sizeof(b));
	kprintf("; the first: %s (%lu) in task %d at %s from %s\n",
		kind_names[rep->first_kind], (unsigned long)rep->first_size,
		rep->first_task, a, b);
}

/* ---- the spec's text form ------------------------------------------- */

/* "0.05", "1", "0.000001" to parts per million. */
static int parse_ppm(const char *s, uint32_t *out)
{
	uint32_t whole = 0, frac = 0, scale = 100000;

	if (!*s)
		return -EINVAL;
	for (; *s >= '0' && *s <= '9'; s++)
		if ((whole = whole * 10 + (uint32_t)(*s - '0')) > 1)
			return -EINVAL;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++, scale /= 10)
			frac += scale * (uint32_t)(*s - '0');
	if (*s)
		return -EINVAL;
	*out = whole ? 1000000u : frac;
	return *out <= 1000000u ? 0 : -EINVAL;
}

static int parse_kinds(const char *s, unsigned *out)
{
	char word[16];

	*out = 0;
	while (*s) {
		size_t n = 0;
		unsigned k;

		while (s[n] && s[n] != '+' && s[n] != '/' && s[n] != ',')
			n++;
		if (n >= sizeof(word))
			return -EINVAL;
		memcpy(word, s, n);
		word[n] = '\0';
		for (k = 0; k < FAILALLOC_KINDS; k++)
			if (!strcmp(word, kind_names[k]) ||
			    (!strcmp(word, "all")))
				break;
		if (k == FAILALLOC_KINDS)
			return -EINVAL;
		*out |= !strcmp(word, "all") ? FAILALLOC_ALL : 1u << k;
		s += n + (s[n] != '\0');
	}
	return *out ? 0 : -EINVAL;
}

/* One "key=value" (or "key:value") item. */
static int parse_item(const char *item, struct failalloc_spec *s)
{
	const char *v = item;
	uint32_t n;

	while (*v && *v != '=' && *v != ':')
		v++;
	if (!*v)
		return -EINVAL;
	v++;
	if (!strncmp(item, "nth", 3) && v == item + 4)
		return parse_u32(v, &s->nth) || !s->nth ? -EINVAL : 0;
	if (!strncmp(item, "p", 1) && v == item + 2)
		return parse_ppm(v, &s->ppm);
	if (!strncmp(item, "seed", 4) && v == item + 5) {
		if (parse_u32(v, &n))
			return -EINVAL;
		s->seed = n;
		return 0;
	}
	if (!strncmp(item, "kind", 4) && v == item + 5)
		return parse_kinds(v, &s->kinds);
	return -EINVAL;
}

int failalloc_parse(const char *text, struct failalloc_spec *s, char *err,
		    size_t len)
{
	char item[48];
	bool colons = !strchr(text, '=');

	memset(s, 0, sizeof(*s));
	s->seed = 1;
	while (*text) {
		size_t n = 0;

		while (*text == ' ' || (colons && *text == ','))
			text++;
		while (text[n] && text[n] != ' ' && !(colons && text[n] == ','))
			n++;
		if (!n)
			break;
		if (n >= sizeof(item))
			goto bad;
		memcpy(item, text, n);
		item[n] = '\0';
		if (parse_item(item, s))
			goto bad;
		text += n;
	}
	if (!s->kinds)
		s->kinds = FAILALLOC_ALL;
	if (!s->nth == !s->ppm) {
		ksnprintf(err, len, "give one of nth=N (N >= 1) or p=P "
			  "(0 < P <= 1)");
		return -EINVAL;
	}
	return 0;
bad:
	ksnprintf(err, len, "'%s' is not nth=N, p=P, seed=S or "
		  "kind=heap,frame,vmap", item);
	return -EINVAL;
}

void failalloc_format(const struct failalloc_spec *s, char *buf, size_t len)
{
	char kinds[32] = "";
	size_t n = 0;

	for (unsigned k = 0; k < FAILALLOC_KINDS; k++)
		if (s->kinds & (1u << k))
			n += ksnprintf(kinds + n, sizeof(kinds) - n, "%s%s",
				       n ? "," : "", kind_names[k]);
	if (s->nth)
		ksnprintf(buf, len, "nth=%lu kind=%s", (unsigned long)s->nth,
			  kinds);
	else
		ksnprintf(buf, len, "p=%lu.%06lu seed=%lu kind=%s",
			  (unsigned long)(s->ppm / 1000000u),
			  (unsigned long)(s->ppm % 1000000u),
			  (unsigned long)s->seed, kinds);
}

static void command_hook(bool begin)
{
	if (begin)
		command_begin();
	else
		command_end();
}

/* failalloc=nth:3,kind:heap on the kernel command line arms the first
 * command (the first of run="..." or the first typed). */
static int failalloc_boot(void)
{
	struct failalloc_spec s;
	char val[64], err[96];

	shell_command_hook = command_hook;
	if (boot_arg("failalloc", val, sizeof(val)))
		return 0;
	if (failalloc_parse(val, &s, err, sizeof(err))) {
		pr_warn("failalloc=%s ignored: %s", val, err);
		return 0;
	}
	failalloc_arm_next(&s);
	failalloc_format(&s, val, sizeof(val));
	pr_info("failalloc: %s armed for the first command", val);
	return 0;
}
INITCALL(failalloc_boot, INIT_LATE);
