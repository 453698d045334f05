/*
 * <mm/hexdump.h>: `hexdump ADDR [LEN]`, memory as hex and ASCII (lab 1).
 *
 * One line per 16 bytes, in the classic form:
 *	00100000  02 b0 ad 1b 00 00 00 00  fb 4f 52 e4 bc 00 10 00  |.........OR.....|
 * The address, two spaces, 16 bytes in hex with one extra space after the
 * eighth, two spaces, then the bytes as ASCII between bars (a byte outside
 * 0x20..0x7e shows as '.'). A short last line pads the hex columns with
 * spaces, so the bars line up.
 */
#ifndef MM_HEXDUMP_H
#define MM_HEXDUMP_H

#include <stddef.h>
#include <stdint.h>

/* The longest line hexdump_line writes, with its NUL. */
#define HEXDUMP_LINE_MAX 80
/* The most bytes one command dumps. */
#define HEXDUMP_MAX_LEN 4096u

/*
 * Format one line for the n bytes (1 to 16) at p, labelled addr, into buf
 * (size bytes, at least HEXDUMP_LINE_MAX). Return: the line's length
 * without a newline, or -EINVAL if n or size is out of range.
 * Context: any (pure).
 */
int hexdump_line(char *buf, size_t size, uint32_t addr, const uint8_t *p,
		 unsigned n);

/*
 * Return: 0 if every page of [addr, addr+len) is mapped, else -EFAULT
 * with *bad set to the first address that is not. Context: any.
 */
int hexdump_check_mapped(uint32_t addr, uint32_t len, uint32_t *bad);

#endif
