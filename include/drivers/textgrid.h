/*
 * include/drivers/textgrid.h: the cursor rules of a text screen, shared
 * by the VGA text mode and the framebuffer console: \n, \r, \b and \t,
 * other control characters ignored, wrap at the last column, scroll at
 * the last row. The screen itself draws and scrolls.
 */
#ifndef DRIVERS_TEXTGRID_H
#define DRIVERS_TEXTGRID_H

struct text_grid {
	unsigned cols, rows;                    /* [boot] the size in cells */
	unsigned row, col;                      /* [irq] the cursor */
	/* Draw ch in the cell (col, row). */
	void (*draw)(unsigned col, unsigned row, char ch);
	/* Move every line up one and blank the last. */
	void (*scroll_up)(void);
};

/* Put c at the cursor and move it. Context: a console sink (IRQs off). */
void text_grid_putc(struct text_grid *g, char c);

#endif
