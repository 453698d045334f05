/*
 * drivers/vga.c: text mode at 0xb8000 (identity mapped), with scrolling and
 * the hardware cursor. Understands \n, \r, \b and \t; nothing else special.
 */
#include <drivers/vga.h>
#include <drivers/textgrid.h>
#include <kernel/arch.h>
#include <kernel/console.h>
#include <stdint.h>

#define COLS 80
#define ROWS 25
#define ATTR 0x0700             /* light grey on black */

static volatile uint16_t *const screen = (volatile uint16_t *)0xb8000;
static int ready;

static void draw(unsigned col, unsigned row, char ch)
{
	screen[row * COLS + col] = ATTR | (uint8_t)ch;
}

static void scroll(void)
{
	for (unsigned i = 0; i < (ROWS - 1) * COLS; i++)
		screen[i] = screen[i + COLS];
	for (unsigned i = (ROWS - 1) * COLS; i < ROWS * COLS; i++)
		screen[i] = ATTR | ' ';
}

static struct text_grid grid = {
	.cols = COLS, .rows = ROWS, .draw = draw, .scroll_up = scroll,
};

static void move_cursor(void)
{
	unsigned pos = grid.row * COLS + grid.col;

	outb(0x3d4, 14);
	outb(0x3d5, pos >> 8);
	outb(0x3d4, 15);
	outb(0x3d5, pos & 0xff);
}

void vga_init(void)
{
	for (unsigned i = 0; i < ROWS * COLS; i++)
		screen[i] = ATTR | ' ';
	grid.row = grid.col = 0;
	ready = 1;
	move_cursor();
	console_add_sink(vga_putc);
}

void vga_putc(char c)
{
	if (!ready)
		return;
	text_grid_putc(&grid, c);
	move_cursor();
}
