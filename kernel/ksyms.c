/*
 * kernel/ksyms.c: the built-in symbol table and address lookup.
 *
 * The table (scripts/gensyms) is sorted by address; a lookup is a binary
 * search for the last symbol at or below the address. The table knows only
 * where symbols start, so an address past the end of kernel text would
 * resolve to the last function: we check _text_end first.
 */
#include <kernel/ksyms.h>
#include <kernel/lib/format.h>
#include <kernel/lib/string.h>

extern const uint32_t ksyms_count;
extern const uint32_t ksyms_addrs[];
extern const uint32_t ksyms_names[];
extern const char ksyms_strtab[];
extern const char _text_start[], _text_end[];

#define MAX_RESOLVERS 4
static ksyms_resolver resolvers[MAX_RESOLVERS];
static unsigned nresolvers;

bool ksyms_in_kernel_text(uintptr_t addr)
{
	return addr >= (uintptr_t)_text_start && addr < (uintptr_t)_text_end;
}

bool ksyms_lookup(uintptr_t addr, struct ksym *out)
{
	uint32_t lo = 0, hi = ksyms_count;

	*out = (struct ksym){ 0 };
	if (!ksyms_in_kernel_text(addr)) {
		for (unsigned i = 0; i < nresolvers; i++)
			if (resolvers[i](addr, out))
				return true;
		return false;
	}
	/* Invariant: addrs[lo-1] <= addr < addrs[hi] */
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (ksyms_addrs[mid] <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return false;
	out->name = ksyms_strtab + ksyms_names[lo - 1];
	out->off = addr - ksyms_addrs[lo - 1];
	return true;
}

static void format(uintptr_t addr, uintptr_t adjust, char *buf, size_t len)
{
	struct ksym s;

	if (!ksyms_lookup(addr - adjust, &s)) {
		kstrlcpy(buf, "?", len);
		return;
	}
	ksnprintf(buf, len, "%s+0x%lx%s%s%s%s%s", s.name,
		  (unsigned long)(s.off + adjust),
		  s.owner ? " [" : "", s.owner ? s.owner : "",
		  s.note ? ", " : "", s.note ? s.note : "",
		  s.owner ? "]" : "");
}

void ksyms_format(uintptr_t addr, char *buf, size_t len)
{
	format(addr, 0, buf, len);
}

void ksyms_format_ret(uintptr_t addr, char *buf, size_t len)
{
	format(addr, 1, buf, len);
}

uintptr_t ksyms_address(const char *name)
{
	for (uint32_t i = 0; i < ksyms_count; i++)
		if (!strcmp(ksyms_strtab + ksyms_names[i], name))
			return ksyms_addrs[i];
	return 0;
}

void ksyms_add_resolver(ksyms_resolver fn)
{
	if (nresolvers < MAX_RESOLVERS)
		resolvers[nresolvers++] = fn;
}
