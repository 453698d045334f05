/*
 * <drivers/fbcon.h>: a text console drawn on a linear framebuffer.
 *
 * On UEFI there is no VGA text mode: GRUB sets a graphics mode and hands
 * its framebuffer over in the Multiboot information. fbcon draws the
 * console's text there with its own font (drivers/font.c), so a machine
 * without a serial port still shows the prompt. It is a console sink,
 * like the VGA text screen it replaces: \n, \r, \b, \t, scrolling.
 */
#ifndef DRIVERS_FBCON_H
#define DRIVERS_FBCON_H

#include <stdbool.h>
#include <stdint.h>

#define FONT_FIRST   ' '
#define FONT_GLYPHS  95         /* ' ' to '~' */
#define FONT_COLUMNS 5
#define FONT_ROWS    8          /* 7 and a descender row */
extern const uint8_t font5x7[FONT_GLYPHS][FONT_COLUMNS];

/* A framebuffer mode, as the boot loader described it. */
struct fbcon_mode {
	uint64_t phys;                  /* physical address */
	uint32_t pitch;                 /* bytes per line */
	uint32_t width, height;         /* pixels */
	uint8_t bpp;                    /* bits per pixel: 16, 24 or 32 */
	uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
};

/*
 * Take the mode from the Multiboot information, if GRUB set a direct
 * colour (RGB) graphics mode fbcon can draw on. Return: true if so.
 * Context: boot, before pmm_init (the information lies in low RAM).
 */
struct multiboot_info;
bool fbcon_mode_from_multiboot(const struct multiboot_info *mbi,
			       struct fbcon_mode *m);
/*
 * Start drawing on the framebuffer, mapped at fb, and become a console
 * sink. Context: boot. Return: 0, or -EINVAL for a mode it cannot draw.
 */
int fbcon_init(void *fb, const struct fbcon_mode *m);
/* Context: any (a console sink: interrupts off, never sleeps). */
void fbcon_putc(char c);
/* Text columns and rows; 0 before fbcon_init. */
unsigned fbcon_cols(void);
unsigned fbcon_rows(void);

#endif
