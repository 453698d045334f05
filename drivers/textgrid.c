/*
 * drivers/textgrid.c: the cursor rules of a text screen
 * (<drivers/textgrid.h>).
 */
#include <drivers/textgrid.h>
#include <kernel/panic.h>

void text_grid_putc(struct text_grid *g, char c)
{
	assert(g->row < g->rows && g->col < g->cols);
	switch (c) {
	case '\n':
		g->col = 0;
		g->row++;
		break;
	case '\r':
		g->col = 0;
		break;
	case '\b':
		if (g->col)
			g->col--;
		break;
	case '\t':
		g->col = (g->col + 8) & ~7u;
		break;
	default:
		if ((unsigned char)c < ' ')
			return;
		g->draw(g->col, g->row, c);
		g->col++;
	}
	if (g->col >= g->cols) {
		g->col = 0;
		g->row++;
	}
	if (g->row >= g->rows) {
		g->scroll_up();
		g->row = g->rows - 1;
	}
}
