/*
 * drivers/kbd.c: PS/2 keyboard on IRQ 1. Translates set-1 make codes to
 * ASCII, with Shift and Ctrl; arrows become the ANSI sequences a serial
 * terminal would send, so the shell's line editor sees one kind of input.
 */
#include <drivers/kbd.h>
#include <drivers/pic.h>
#include <kernel/arch.h>
#include <kernel/console.h>
#include <kernel/printk.h>
#include <kernel/trap.h>
#include <stdbool.h>

static const char normal[128] = {
	0, 27, '1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '-', '=', '\b',
	'\t', 'q', 'w', 'e', 'r', 't', 'y', 'u', 'i', 'o', 'p', '[', ']', '\r',
	0, 'a', 's', 'd', 'f', 'g', 'h', 'j', 'k', 'l', ';', '\'', '`',
	0, '\\', 'z', 'x', 'c', 'v', 'b', 'n', 'm', ',', '.', '/', 0, '*',
	0, ' ',
};

static const char shifted[128] = {
	0, 27, '!', '@', '#', '$', '%', '^', '&', '*', '(', ')', '_', '+', '\b',
	'\t', 'Q', 'W', 'E', 'R', 'T', 'Y', 'U', 'I', 'O', 'P', '{', '}', '\r',
	0, 'A', 'S', 'D', 'F', 'G', 'H', 'J', 'K', 'L', ':', '"', '~',
	0, '|', 'Z', 'X', 'C', 'V', 'B', 'N', 'M', '<', '>', '?', 0, '*',
	0, ' ',
};

static bool shift, ctrl, extended;

static void send_arrow(char letter)
{
	console_input(27);
	console_input('[');
	console_input(letter);
}

static void kbd_irq(struct trap_frame *tf)
{
	uint8_t sc = inb(0x60);
	bool release = sc & 0x80;
	char c;

	if (sc == 0xe0) {
		extended = true;
		return;
	}
	sc &= 0x7f;
	if (sc == 0x2a || sc == 0x36) {
		shift = !release;
	} else if (sc == 0x1d) {
		ctrl = !release;
	} else if (!release && extended) {
		if (sc == 0x48)
			send_arrow('A');
		else if (sc == 0x50)
			send_arrow('B');
		else if (sc == 0x4d)
			send_arrow('C');
		else if (sc == 0x4b)
			send_arrow('D');
	} else if (!release) {
		c = shift ? shifted[sc] : normal[sc];
		if (c && ctrl && c >= 'a' && c <= 'z')
			c = c - 'a' + 1;
		if (c)
			console_input(c);
	}
	extended = false;
}

#define KBD_DRAIN_MAX 64          /* bytes a firmware may have left */

void kbd_init(void)
{
	unsigned n = 0;

	/* No controller: the status port floats to 0xff ("output full"
	 * forever), and the drain below would never end. */
	if (inb(0x64) == 0xff) {
		pr_info("kbd: no PS/2 keyboard controller (port 0x64 reads "
			"0xff); keyboard input is off, the serial console "
			"works");
		return;
	}
	while ((inb(0x64) & 1) && n++ < KBD_DRAIN_MAX)
		inb(0x60);              /* drain what the firmware left */
	if (n > KBD_DRAIN_MAX) {
		pr_info("kbd: the keyboard controller never empties; keyboard "
			"input is off");
		return;
	}
	irq_register(1, kbd_irq);
	pic_unmask(1);
}
