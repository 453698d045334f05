/*
 * drivers/fbcon.c: the console's text on a linear framebuffer (UEFI).
 *
 * Each character is a 6x9 cell (drivers/font.c's 5x8 glyph, a blank
 * column and row beside it), scaled by an integer so that at least 80x25
 * cells fit and the text stays readable on a big screen (1024x768 is
 * scale 2: 85x42 characters). Light grey on black, as the VGA screen.
 * Scrolling moves the framebuffer's rows up one text line: a memmove of
 * the screen, slow but simple (a shadow buffer would halve it; it only
 * runs on UEFI machines without a text mode).
 *
 * Lock: a console sink, so every call runs with interrupts off.
 */
#include <drivers/fbcon.h>
#include <drivers/textgrid.h>
#include <kernel/console.h>
#include <kernel/lib/errno.h>
#include <kernel/lib/string.h>
#include <kernel/multiboot.h>

#define CELL_W 6
#define CELL_H 9

static struct fbcon_mode mode;          /* [boot] */
static uint8_t *fb;                     /* [boot] the mapped framebuffer */
static unsigned bytes_pp, scale;        /* [boot] */
static struct text_grid grid;           /* size [boot], cursor [irq] */
static uint32_t fg;                     /* [boot] the pixel value */

bool fbcon_mode_from_multiboot(const struct multiboot_info *mbi,
			       struct fbcon_mode *m)
{
	if (!(mbi->flags & MB_INFO_FRAMEBUFFER) ||
	    mbi->framebuffer_type != MB_FB_RGB)
		return false;
	m->phys = mbi->framebuffer_addr;
	m->pitch = mbi->framebuffer_pitch;
	m->width = mbi->framebuffer_width;
	m->height = mbi->framebuffer_height;
	m->bpp = mbi->framebuffer_bpp;
	m->red_pos = mbi->red_pos;
	m->red_size = mbi->red_size;
	m->green_pos = mbi->green_pos;
	m->green_size = mbi->green_size;
	m->blue_pos = mbi->blue_pos;
	m->blue_size = mbi->blue_size;
	return true;
}

/* 0xaa of each colour channel (light grey), placed by the mode's masks. */
static uint32_t grey(void)
{
	uint32_t v = 0;

	v |= (0xaau >> (8 - mode.red_size)) << mode.red_pos;
	v |= (0xaau >> (8 - mode.green_size)) << mode.green_pos;
	v |= (0xaau >> (8 - mode.blue_size)) << mode.blue_pos;
	return v;
}

static void put_pixel(unsigned x, unsigned y, uint32_t v)
{
	uint8_t *p = fb + y * mode.pitch + x * bytes_pp;

	switch (bytes_pp) {
	case 4:
		*(volatile uint32_t *)p = v;
		break;
	case 3:
		p[0] = v;
		p[1] = v >> 8;
		p[2] = v >> 16;
		break;
	default:
		*(volatile uint16_t *)p = v;
	}
}

static void draw(unsigned c, unsigned r, char ch)
{
	const uint8_t *g = font5x7[0];
	unsigned x0 = c * CELL_W * scale, y0 = r * CELL_H * scale;

	if ((unsigned char)ch >= FONT_FIRST &&
	    (unsigned char)ch < FONT_FIRST + FONT_GLYPHS)
		g = font5x7[(unsigned char)ch - FONT_FIRST];
	for (unsigned y = 0; y < CELL_H * scale; y++)
		for (unsigned x = 0; x < CELL_W * scale; x++) {
			unsigned gx = x / scale, gy = y / scale;
			bool on = gx < FONT_COLUMNS && gy < FONT_ROWS &&
				(g[gx] >> gy & 1);

			put_pixel(x0 + x, y0 + y, on ? fg : 0);
		}
}

static void scroll(void)
{
	size_t line = (size_t)CELL_H * scale * mode.pitch;

	memmove(fb, fb + line, (grid.rows - 1) * line);
	memset(fb + (grid.rows - 1) * line, 0, line);
}

int fbcon_init(void *base, const struct fbcon_mode *m)
{
	if ((m->bpp != 16 && m->bpp != 24 && m->bpp != 32) ||
	    m->width < CELL_W * 80 || m->height < CELL_H * 25 ||
	    m->pitch < m->width * (m->bpp / 8))
		return -EINVAL;
	mode = *m;
	fb = base;
	bytes_pp = m->bpp / 8;
	scale = m->width / (CELL_W * 80) < m->height / (CELL_H * 25) ?
		m->width / (CELL_W * 80) : m->height / (CELL_H * 25);
	if (scale > 2)
		scale = 2;
	grid = (struct text_grid){ .cols = m->width / (CELL_W * scale),
				   .rows = m->height / (CELL_H * scale),
				   .draw = draw, .scroll_up = scroll };
	fg = grey();
	for (uint32_t y = 0; y < m->height; y++)
		memset(fb + y * m->pitch, 0, m->width * bytes_pp);
	return console_add_sink(fbcon_putc);
}

void fbcon_putc(char c)
{
	if (fb)
		text_grid_putc(&grid, c);
}

unsigned fbcon_cols(void)
{
	return grid.cols;
}

unsigned fbcon_rows(void)
{
	return grid.rows;
}
