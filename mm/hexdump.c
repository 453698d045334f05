/*
 * mm/hexdump.c: `hexdump ADDR [LEN]`, memory as hex and ASCII.
 *
 * Lab 1 (docs/labs/01-shell-command.md) is this file: a command of one's
 * own, through the whole path a command takes. The shell finds it in the
 * table COMMAND() builds, parses the line into argv, and calls it; it
 * prints with kprintf and reports a failure as one `error: ... (ENAME)`
 * line through cmd_error. The line format is in <mm/hexdump.h>; the `hexdump`
 * KTAP suite (mm/hexdump_test.c) checks it.
 *
 * Before it reads, the command asks the page tables whether every page is
 * mapped (vmm_query): bad input must never fault, let alone panic.
 */
#include <mm/hexdump.h>
#include <mm/pmm.h>
#include <mm/vmm.h>
#include <kernel/lib/errno.h>
#include <kernel/lib/format.h>
#include <kernel/lib/parse.h>
#include <kernel/printk.h>
#include <kernel/shell.h>

int hexdump_line(char *buf, size_t size, uint32_t addr, const uint8_t *p,
		 unsigned n)
{
/* LAB(shell) BEGIN: format one line: address, hex columns, ASCII */
	static const char hex[] = "0123456789abcdef";
	size_t k;

	if (n < 1 || n > 16 || size < HEXDUMP_LINE_MAX)
		return -EINVAL;
	k = (size_t)ksnprintf(buf, size, "%08lx ", (unsigned long)addr);
	for (unsigned i = 0; i < 16; i++) {
		if (i == 8)
			buf[k++] = ' ';
		buf[k++] = ' ';
		buf[k++] = i < n ? hex[p[i] >> 4] : ' ';
		buf[k++] = i < n ? hex[p[i] & 15] : ' ';
	}
	buf[k++] = ' ';
	buf[k++] = ' ';
	buf[k++] = '|';
	for (unsigned i = 0; i < n; i++)
		buf[k++] = p[i] >= 0x20 && p[i] <= 0x7e ? (char)p[i] : '.';
	buf[k++] = '|';
	buf[k] = '\0';
	return (int)k;
/* LAB(shell) STUB
	buf[0] = '\0';
	return -ENOSYS;
   LAB(shell) END */
}

int hexdump_check_mapped(uint32_t addr, uint32_t len, uint32_t *bad)
{
	uint64_t end = (uint64_t)addr + len;

	for (uint64_t a = PAGE_ALIGN_DOWN(addr); a < end; a += PAGE_SIZE) {
		if (a > 0xffffffffu || !vmm_query((uintptr_t)a, NULL)) {
			*bad = a < addr ? addr : (uint32_t)a;
			return -EFAULT;
		}
	}
	return 0;
}

static int cmd_hexdump(int argc, char **argv)
{
/* LAB(shell) BEGIN: parse ADDR [LEN], refuse bad input, print the lines */
	uint32_t addr, len = 64, bad;
	char line[HEXDUMP_LINE_MAX];

	if (argc < 2 || argc > 3)
		return cmd_error(-EINVAL, "usage: hexdump ADDR [LEN]");
	if (parse_u32(argv[1], &addr))
		return cmd_error(-EINVAL, "'%s' is not an address (decimal "
				 "or 0x-hex)", argv[1]);
	if (argc == 3 && (parse_u32(argv[2], &len) || !len ||
			  len > HEXDUMP_MAX_LEN))
		return cmd_error(-EINVAL, "LEN must be 1 to %u bytes",
				 HEXDUMP_MAX_LEN);
	if ((uint64_t)addr + len > 0x100000000ull)
		return cmd_error(-EINVAL, "the range wraps past 4 GiB");
	if (hexdump_check_mapped(addr, len, &bad))
		return cmd_error(-EFAULT, "address %08lx is not mapped",
				 (unsigned long)bad);
	for (uint32_t off = 0; off < len; off += 16) {
		unsigned n = len - off < 16 ? len - off : 16;

		hexdump_line(line, sizeof(line), addr + off,
			     (const uint8_t *)(uintptr_t)(addr + off), n);
		kprintf("%s\n", line);
	}
	return 0;
/* LAB(shell) STUB
	return cmd_error(-ENOSYS, "hexdump is not written yet (lab 1)");
   LAB(shell) END */
}
COMMAND(hexdump, "hexdump", "ADDR [LEN]",
	"print memory as hex and ASCII (LEN bytes, default 64)", cmd_hexdump);
